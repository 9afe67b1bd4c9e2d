#ifndef WATCHFOR_CONFIG_H
#define WATCHFOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/*
 * The parsed configuration: swatchdog's grammar (spec section 4) plus
 * watchfor's "#%" directives. Plain data, owned by the struct config and
 * read-only once loaded; a reload builds a new one. Patterns are compiled
 * while parsing (swatchdog reports a bad pattern at its line); action
 * values are kept as parsed by spec section 7 and compiled by the actions
 * module.
 */

struct pattern;

enum rule_kind {
	RULE_WATCHFOR,
	RULE_IGNORE,
	RULE_WAITFOR,
};

/* Sorted by name: the keyword table is searched with bsearch. */
enum action_kind {
	ACT_BELL,
	ACT_CONTINUE,
	ACT_ECHO,
	ACT_EXEC,
	ACT_MAIL,
	ACT_PIPE,
	ACT_QUIT,
	ACT_WRITE,
	ACT_UNKNOWN,	/* swatchdog would call a Perl sub of that name */
	/* Not actions but parsed like them: a rule's gates. */
	ACT_THRESHOLD,
	ACT_THROTTLE,
};

/* One `name=value` piece of an action value (spec section 7). */
struct action_opt {
	char		*name;		/* upper-cased, as swatchdog's uc() */
	char		*value;		/* raw text, not yet interpolated */
	unsigned	 col;		/* 1-based column of the name */
};

struct action {
	enum action_kind kind;
	char		*name;		/* as written (case kept) */
	char		*value;		/* whole value as written, trimmed */
	/*
	 * The default argument (COMMAND, ADDRESSES, USERS, RINGS): the last
	 * bare piece, quotes stripped; NULL if none. For echo every bare
	 * piece is kept in `modes` instead, in order.
	 */
	char		*arg;
	unsigned	 arg_col;	/* column of arg, 0 if none */
	char		**modes;
	unsigned	*mode_cols;	/* column of each mode */
	size_t		 nmodes;
	struct action_opt *opts;	/* one per name, last one wins */
	size_t		 nopts;
	const char	*file;		/* borrowed from config->files */
	unsigned	 line;
	unsigned	 col;		/* column of the value */
	unsigned	 name_col;	/* column of the action name */
	void		*priv;		/* compiled form, owned by action.c */
};

/* A watchfor directive given under a rule (#% sample, ...). */
struct rule_directive {
	char		*name;
	char		*value;
	const char	*file;
	unsigned	 line;
	unsigned	 col;
};

struct rule {
	enum rule_kind	 kind;
	char		*pattern_text;	/* the value after the keyword */
	struct pattern	*pattern;	/* owned */
	struct action	*actions;
	size_t		 nactions;
	char		*throttle;	/* raw value of `throttle`, or NULL */
	char		*threshold;	/* raw value of `threshold`, or NULL */
	/* The same values parsed as action values (spec 7), or NULL. */
	struct action	*throttle_act;
	struct action	*threshold_act;
	bool		 cont;		/* a `continue` action is present */
	bool		 quit;		/* a `quit` action is present */
	unsigned	 id;		/* 1, 2, ... over watchfor rules only */
	const char	*file;
	unsigned	 line;		/* line of the keyword */
	unsigned	 col;		/* column of the pattern */
	struct rule_directive *directives;
	size_t		 ndirectives;
	void		*priv;		/* throttle state etc., owned by engine */
};

/* A global "#% name value" directive, in file order. */
struct config_directive {
	char		*name;
	char		*value;
	const char	*file;
	unsigned	 line;
	unsigned	 col;
};

struct config {
	struct rule	*rules;		/* in evaluation order */
	size_t		 nrules;
	struct config_directive *directives;
	size_t		 ndirectives;
	/* Meaning given to directives that exist so far. */
	char		**inputs;	/* "#% input FILE", in order */
	size_t		 ninputs;
	char		**input_commands; /* "#% input-command CMD" */
	size_t		 ninput_commands;
	char		*state_dir;	/* "#% state-dir DIR", or NULL */
	unsigned	 exec_timeout;	/* "#% exec-timeout S", 0: default */
	unsigned	 max_children;	/* "#% max-children N", 0: default */
	char		**files;	/* every file read, for locations */
	size_t		 nfiles;
};

/*
 * Reads `path` (new style, or old style with -O) and every include.
 * Problems go to `diag`; returns NULL when the config cannot be used (the
 * status to exit with is diag_status()). Under --check the config is
 * returned even when diag_errors() > 0, for further checks only: a rule
 * whose pattern failed has a NULL pattern.
 */
struct config	*config_load(const char *path, bool old_style, struct diag *);
void		 config_free(struct config *);

/* "watchfor", "ignore" or "waitfor". */
const char	*config_rule_keyword(enum rule_kind);

/* Returns the action kind for a name as written (case-sensitive). */
enum action_kind config_action_kind(const char *name);

#endif
