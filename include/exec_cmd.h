#ifndef WATCHFOR_EXEC_CMD_H
#define WATCHFOR_EXEC_CMD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Commands of the exec, pipe, mail (mailer=) and write actions, run
 * without letting log text reach a shell parser (spec sections 8 to 10,
 * issue 4 item 2).
 *
 * A command is compiled once from the config text (struct exec_tmpl).
 * Whether it needs a shell is decided from that text alone, with Perl's
 * rule (spawn_needs_shell) and every reference replaced by a word
 * character:
 *
 * - no shell: the text is split into words on the blanks of its literal
 *   parts, each word is expanded by itself (a capture never becomes two
 *   arguments) and the program is run directly with a PATH search;
 * - shell: the text is run as `/bin/sh -c SCRIPT` where each reference is
 *   replaced by a reference to an environment variable carrying its
 *   expanded text, quoted for the shell's quoting context at that point
 *   (unquoted: ${V:+"${V}"}, so that an empty capture vanishes as it does
 *   in swatchdog; inside "...": ${V}; inside '...': '"${V}"'). The shell
 *   expands each capture once and never parses it. A literal `$1` (written
 *   `\$1` in the config) is still the shell's own `$1`.
 *
 * The variables, set in both cases, are named after the reference:
 *   WATCHFOR_1 .. WATCHFOR_N	$1 .. $N
 *   WATCHFOR_MATCH		$&
 *   WATCHFOR_LINE		$_, and $0 / $* (the raw line: the shell
 *				escaping of swatchdog's $S_ is not needed)
 *   WATCHFOR_PREMATCH		$`
 *   WATCHFOR_POSTMATCH		$'
 *   WATCHFOR_NAMED_<name>	$+{name}
 *   WATCHFOR_FIELD_<N>		$N with --awk-field-syntax (raw field N)
 *   WATCHFOR_FIELDS		@S_ (raw fields joined by one space)
 *   WATCHFOR_SPLIT_<n>		$_[n]
 *   WATCHFOR_SPLIT		@_
 *   WATCHFOR_PID		$$
 *   WATCHFOR_ARG<k>		extra arguments (write's user)
 *
 * Building the argv and environment for a record (exec_cmd_build) is a
 * pure function; running the result is action_exec.h's (exec_cmd_spawn)
 * and executor.h's (in order, or on the event loop).
 */

struct buf;
struct subst_ctx;
struct tmpl;

struct exec_tmpl;

/*
 * Takes ownership of `t` (a TMPL_COMMAND or TMPL_VALUE template) and
 * compiles it into a command. Never fails.
 */
struct exec_tmpl *exec_tmpl_new(struct tmpl *t);
void		 exec_tmpl_free(struct exec_tmpl *);
/* True when the command runs under /bin/sh -c. */
bool		 exec_tmpl_shell(const struct exec_tmpl *);
/* The script given to /bin/sh -c (shell commands only), borrowed. */
const char	*exec_tmpl_script(const struct exec_tmpl *);
/*
 * A note for --check, or NULL (borrowed): a reference that a nested shell
 * (`sh -c '... $1 ...'`, eval, ssh, su -c) would parse again as code.
 */
const char	*exec_tmpl_warning(const struct exec_tmpl *);
/*
 * Why watchfor refuses this command (NULL when it is fine): captures in a
 * shell construct the quoting does not model (heredoc, arithmetic, [[,
 * case, eval, let, trap), or a capture as the program to run.
 */
const char	*exec_tmpl_error(const struct exec_tmpl *);
/*
 * Appends the command text as swatchdog would build it (references
 * expanded, $0 shell-escaped): the identity of a kept-open pipe and the
 * text of messages.
 */
void		 exec_tmpl_text(const struct exec_tmpl *,
		    const struct subst_ctx *, struct buf *);

/* One command ready to run. Owns every string. */
struct exec_cmd {
	char	*file;		/* "/bin/sh" or argv[0] */
	char	**argv;		/* NULL-terminated */
	size_t	 argc;
	char	**vars;		/* "NAME=value", added to environ */
	size_t	 nvars;
	bool	 dup_stderr;	/* 2>&1 (Perl's trailing " 2>&1") */
	bool	 null_stderr;	/* stderr to /dev/null (write) */
	bool	 own_pgrp;	/* setpgid(0, 0): killable as a group */
};

/*
 * Builds the command for the record in `ctx` into `c` (zeroed first).
 * Pure: reads nothing but its arguments. c->argc is 0 when a direct
 * command expands to no word at all.
 */
void	exec_cmd_build(const struct exec_tmpl *, const struct subst_ctx *,
	    struct exec_cmd *c);
/* Adds one argument, passed as data (shell commands: as a variable). */
void	exec_cmd_add_arg(struct exec_cmd *, const char *arg, size_t len);
void	exec_cmd_clear(struct exec_cmd *);

#endif
