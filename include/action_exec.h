#ifndef WATCHFOR_ACTION_EXEC_H
#define WATCHFOR_ACTION_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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
 * pure function, so that the follow-mode executor can reuse it; running
 * it synchronously (one-pass mode) is exec_cmd_spawn + spawn_wait.
 */

struct action;
struct buf;
struct diag;
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
/*
 * Forks and runs `c` with `in` as its stdin (-1: /dev/null), stdout and
 * stderr inherited (unless c says otherwise), no other descriptor, an
 * empty signal mask and default dispositions, and the environment plus
 * c->vars. Flush buffered stdout first (out_flush). Returns the pid, or
 * -1 with errno set when the program cannot be executed (the child has
 * then exited 127 and been reaped).
 */
pid_t	exec_cmd_spawn(const struct exec_cmd *c, int in);
/*
 * Like exec_cmd_spawn with a pipe on the command's stdin: *fd is set to
 * its write end (close-on-exec; the caller closes it). Returns the pid or
 * -1 with errno set.
 */
pid_t	exec_cmd_spawn_pipe(const struct exec_cmd *c, int *fd);
/*
 * Writes `n` bytes to `fd` with SIGPIPE ignored meanwhile (a command that
 * does not read its input must not kill watchfor). Returns 0, or -1 with
 * errno set (EPIPE: the command closed its stdin).
 */
int	exec_feed(int fd, const void *p, size_t n);
/*
 * Logs a command's wait status when it is not a plain exit 0: with
 * `always` as a warning (the mailer), else only under debug.
 */
void	exec_report_status(const char *what, const char *cmd, int status,
	    bool always);

/*
 * The warning prefix swatchdog's watcher uses ($0 of the watcher script):
 * "$HOME/.swatchdog_script.<pid>" when run under the name swatchdog (the
 * drop-in case; --script-dir is not reflected), else the program name.
 */
const char *exec_warn_prefix(void);
/*
 * True when run under the name swatchdog: then a program that cannot be
 * executed by exec or write is as silent as in swatchdog (whose direct
 * exec failure shows nothing, and whose write runs with 2>/dev/null);
 * under any other name it is a warning. Other texts do not change.
 */
bool	exec_as_swatchdog(void);
/*
 * Reports that `what` (exec, write) could not run `prog` (errno set): a
 * warning, or under the name swatchdog a debug line when the program
 * itself could not be executed (not found, not executable). Failures to
 * fork or to make a pipe are always warnings.
 */
void	exec_report_cannot_run(const char *what, const char *prog);

/*
 * The main argument of an action: option `name` (e.g. "COMMAND") or the
 * bare piece, whichever was written last (swatchdog assigns both to the
 * same hash key). Sets *col and *bare; NULL when there is none.
 */
const char *exec_action_arg(const struct action *, const char *name,
	    unsigned *col, bool *bare);
/*
 * swatchdog's `@` -> `\@` on bare pieces and mail options, without its
 * doubling of an existing `\@` (bug B17). Returns a heap string.
 */
char	*exec_escape_at(const char *);

/* exec and pipe actions. */
struct exec_action;

/*
 * Compiles an exec or pipe action (`awk`: --awk-field-syntax). Problems go
 * to `d`; returns NULL when the config cannot run. An action without a
 * command (swatchdog bug B2 leaves some empty) compiles to one that does
 * nothing, with a --check warning.
 */
struct exec_action *exec_action_prepare(const struct action *, bool awk,
		    struct diag *d);
void		 exec_action_free(struct exec_action *);
/* exec: runs the command and waits for it (one-pass mode). */
void		 exec_action_run(const struct exec_action *,
		    const struct subst_ctx *);
/*
 * pipe: writes `msg` (no newline added) to the command's stdin; without
 * keep_open the pipe is closed and the command waited for at once.
 */
void		 exec_action_pipe(const struct exec_action *,
		    const struct subst_ctx *, const char *msg, size_t len);
/* Closes a kept-open pipe, if any, and waits for its command. */
void		 exec_pipe_close(void);

/* write action (action_write.c). */
struct write_action;

struct write_action *write_action_prepare(const struct action *,
		    struct diag *d);
void		 write_action_free(struct write_action *);
/* Runs the writer once per user with `msg` + "\n" on its stdin. */
void		 write_action_run(const struct write_action *,
		    const struct subst_ctx *, const char *msg, size_t len);

#endif
