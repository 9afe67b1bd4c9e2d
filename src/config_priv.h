#ifndef WATCHFOR_CONFIG_PRIV_H
#define WATCHFOR_CONFIG_PRIV_H

/*
 * Shared by src/config*.c only: the logical line with its map back to
 * physical positions, the parser state, and the helpers the new-style
 * reader (config.c), the old-style reader (config_old.c) and the action
 * value parser (config_value.c) have in common.
 */

#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "util.h"

#define CFG_MAX_DEPTH	16	/* include nesting limit */

/* Logical offset `off` starts at physical line `line`, column `col`. */
struct lseg {
	size_t		 off;
	unsigned	 line;
	unsigned	 col;
};

/* A logical line: physical lines joined by swatchdog's continuation. */
struct lline {
	struct buf	 text;
	struct lseg	*segs;
	size_t		 nsegs;
	size_t		 segcap;
};

void	lline_reset(struct lline *);
void	lline_free(struct lline *);
void	lline_add(struct lline *, const char *, size_t, unsigned line,
	    unsigned col);
/* Drops `n` bytes at the start, keeping the map right. */
void	lline_cut_head(struct lline *, size_t n);
/* The text, "" when empty. */
static inline const char *
cfg_text(const struct lline *ll)
{
	return ll->text.data != NULL ? ll->text.data : "";
}

/* Physical line and 1-based column of logical offset `off`. */
void	lline_pos(const struct lline *, size_t off, unsigned *line,
	    unsigned *col);

struct cfg_parser {
	struct config	*cfg;
	struct diag	*diag;
	bool		 check;
	unsigned	 depth;			/* files being read */
	size_t		 nsw;			/* records swatchdog stores */
	dev_t		 dev[CFG_MAX_DEPTH + 1];
	ino_t		 ino[CFG_MAX_DEPTH + 1];
};

/* Where an action value sits, for diagnostics. */
struct cfg_vctx {
	struct cfg_parser	*p;
	const char		*file;
	const struct lline	*ll;
	size_t			 voff;		/* value offset in ll->text */
};

/* Reports a watchfor problem at logical offset `off` of `ll`. */
void	cfg_report(struct cfg_parser *, enum diag_kind, const char *file,
	    const struct lline *, size_t off, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/* Perl's \s and \w on bytes (no locale, no Unicode rules). */
static inline bool
cfg_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

static inline bool
cfg_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * Parses `value` (`len` bytes, no NUL) of action `a` (kind and name set)
 * as spec section 7 says, with watchfor's fixes; reports through `vc`.
 * Returns false when an error was reported (the action is unusable).
 */
bool	cfg_parse_action_value(struct action *a, const char *value,
	    size_t len, const struct cfg_vctx *vc);
void	cfg_action_clear(struct action *);
const char *cfg_action_name(enum action_kind);
/*
 * Builds the action `key` (at logical offset koff) with the value at
 * voff/vlen and adds it to `r`; reports an unknown name or a bad value.
 */
void	cfg_make_action(struct cfg_parser *, const char *file,
	    const struct lline *, const char *key, size_t koff, size_t voff,
	    size_t vlen, struct rule *r);

/* Appends a rule-level or global directive; see config.c. */
void	cfg_directive(struct cfg_parser *, const char *file,
	    const struct lline *, struct rule *cur, bool dead);
/* True if the trimmed physical line is a "#%" directive line. */
bool	cfg_is_directive(const char *, size_t);

/* Opens `path` for the readers: swatchdog's checks, loop guard. */
FILE	*cfg_open(struct cfg_parser *, const char *path, bool old_style,
	    const char *from, unsigned line, unsigned col, const char **name);
void	cfg_close(struct cfg_parser *, FILE *);
/* Reads one physical line; -1 at EOF (or a read error, kept in *err). */
ssize_t	cfg_getline(FILE *, char **, size_t *, int *err);

void	cfg_rule_clear(struct rule *);
void	cfg_store_rule(struct cfg_parser *, struct rule *);
/* Adds a parsed action to `r` (ownership moves), sets continue/quit. */
void	cfg_add_action(struct rule *, struct action *);
/* Compiles rule `r`'s pattern; `sw` chooses swatchdog's fatal for bad. */
void	cfg_compile_pattern(struct cfg_parser *, struct rule *,
	    const char *file, const struct lline *, size_t voff, size_t vlen,
	    unsigned swline, bool sw);

/*
 * Parses a throttle (`thl`) or threshold value at voff/vlen like an
 * action value (spec 7) into r->throttle_act / r->threshold_act.
 */
void	cfg_set_gate(struct cfg_parser *, const char *file,
	    const struct lline *, struct rule *r, bool thl, size_t voff,
	    size_t vlen);

void	cfg_read_old(struct cfg_parser *, const char *path);

#endif
