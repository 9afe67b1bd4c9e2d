#ifndef WATCHFOR_ACTION_EXEC_H
#define WATCHFOR_ACTION_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Running the commands of exec, pipe, mail (mailer=) and write: spawning
 * a built command (exec_cmd.h) with watchfor's environment plus its
 * variables, stdin from /dev/null or a pipe and no other descriptor, and
 * the exec and pipe actions themselves. How and when a command runs (in
 * order and waited for, or on the event loop) is executor.h's.
 */

#include "exec_cmd.h"

struct action;
struct diag;
struct executor;
struct subst_ctx;

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
/* exec: runs the command (one-pass mode: and waits for it). */
void		 exec_action_run(const struct exec_action *,
		    const struct subst_ctx *);
/*
 * pipe: writes `msg` (no newline added) to the command's stdin; without
 * keep_open the pipe is closed (one-pass mode: and the command waited
 * for) at once. See executor_pipe.
 */
void		 exec_action_pipe(const struct exec_action *,
		    const struct subst_ctx *, const char *msg, size_t len);
/*
 * Adds `vars` ("NAME=value", borrowed until the next call) to the
 * environment of every exec and pipe command started until it is called
 * again with n == 0: a digest summary's WATCHFOR_DIGEST_* variables.
 */
void		 exec_set_extra_vars(char *const *vars, size_t n);
/*
 * Closes kept-open pipes (executor_pipe_close): one-pass mode waits for
 * the command.
 */
void		 exec_pipe_close(void);

/*
 * Makes `ex` run every command of exec, pipe, write and mail from now on
 * (follow mode's asynchronous executor); NULL goes back to a synchronous
 * one (one-pass mode, the default). `ex` stays the caller's.
 */
void		 exec_set_executor(struct executor *ex);
/* The executor in use. */
struct executor	*exec_executor(void);

/* write action (action_write.c). */
struct write_action;

struct write_action *write_action_prepare(const struct action *,
		    struct diag *d);
void		 write_action_free(struct write_action *);
/* Runs the writer once per user with `msg` + "\n" on its stdin. */
void		 write_action_run(const struct write_action *,
		    const struct subst_ctx *, const char *msg, size_t len);

#endif
