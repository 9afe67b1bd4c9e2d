#ifndef WATCHFOR_EXECUTOR_H
#define WATCHFOR_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Runs the built commands of the actions (exec_cmd.h) in one of two modes
 * (issue 4 item 6).
 *
 * Synchronous (one-pass mode, no loop): each command is started, its
 * input written, and waited for before the action returns, so output
 * keeps swatchdog's deterministic order. No timeout, no process group:
 * exactly the behaviour and the texts of swatchdog's one-pass runs.
 *
 * Asynchronous (follow mode, on the event loop): nothing blocks. A
 * command starts in its own process group, with /dev/null or a pipe on
 * its stdin; its input is written from a buffer when the pipe can take
 * it. At most max_children commands run at once; the rest wait in a FIFO
 * queue, never dropped (its length is logged past a high-water mark).
 * Each command has a timeout (exec-timeout): then its process group gets
 * SIGTERM and, EXECUTOR_KILL_GRACE_MS later, SIGKILL. Every child is
 * reaped through the loop; a failure is logged with its status and stops
 * nothing else. A kept-open pipe is one long-running child per command
 * text, fed from a bounded buffer (a message that would pass
 * EXECUTOR_PIPE_MAX pending bytes is dropped and counted), restarted for
 * the next message when it dies; kept pipes do not count against
 * max_children but are at most that many (the least recently used is
 * closed).
 */

struct exec_cmd;
struct executor;
struct loop;

#define EXECUTOR_TIMEOUT_S	60	/* default exec-timeout */
#define EXECUTOR_MAX_CHILDREN	16	/* default max-children */
#define EXECUTOR_KILL_GRACE_MS	5000	/* SIGTERM, then SIGKILL */
#define EXECUTOR_PIPE_MAX	(1u << 20) /* bytes pending per kept pipe */
#define EXECUTOR_QUEUE_WARN	100	/* queue length first logged */
#define EXECUTOR_STOP_GRACE_MS	2000	/* children's time to end at stop */

/*
 * Called once when a command of executor_run (or an asynchronous kept
 * pipe) is over: its wait status, or -1 when it did not run.
 */
typedef void executor_done_cb(int status, void *arg);

/* What a command is called and how its failures are told. */
struct executor_job {
	const char	*what;		/* "exec", "pipe", "write", "mail" */
	/*
	 * The command in one-pass messages (swatchdog's texts: the program,
	 * the pipe's expanded text, the mailer's text).
	 */
	const char	*name;
	const char	*text;		/* follow-mode messages; NULL: name */
	bool		 pipe_msg;	/* cannot start: "cannot open pipe" */
	bool		 warn_status;	/* one-pass: a failure is a warning */
	bool		 warn_write;	/* one-pass: write errors are warned */
	executor_done_cb *done;		/* or NULL */
	void		*arg;
};

/* Commands by kind (their job's `what`), for the stats file. */
enum executor_kind {
	EXECUTOR_KIND_EXEC,
	EXECUTOR_KIND_PIPE,
	EXECUTOR_KIND_WRITE,
	EXECUTOR_KIND_OTHER,
	EXECUTOR_NKINDS,
};

struct executor_stats {
	unsigned long long started;	/* children started */
	unsigned long long failed;	/* ended non-zero or by a signal */
	unsigned long long timed_out;	/* signalled at their timeout */
	unsigned long long dropped;	/* kept-pipe messages dropped */
	unsigned long long not_run;	/* queued at stop, never started */
	size_t		 running;	/* in flight now (kept pipes apart) */
	size_t		 kept;		/* kept-pipe children now */
	size_t		 queued;	/* waiting for a slot now */
	size_t		 max_running;	/* most ever in flight at once */
	size_t		 max_queued;	/* longest queue ever */
	/* started, and failed (ended non-zero, by a signal) by kind */
	unsigned long long kind_started[EXECUTOR_NKINDS];
	unsigned long long kind_failed[EXECUTOR_NKINDS];
};

/* "exec", "pipe", "write" or "other". */
const char	*executor_kind_name(enum executor_kind);

/*
 * Returns an executor on loop `lp` (asynchronous; SIGPIPE is then ignored
 * by the process, children get it back), or with `lp` NULL a synchronous
 * one. Never fails.
 */
struct executor	*executor_new(struct loop *lp);
/*
 * Frees the executor. Asynchronous: call executor_stop first, and never
 * run the loop again afterwards (children left are SIGKILLed and reaped
 * here). Synchronous: closes a kept pipe and waits for it.
 */
void		 executor_free(struct executor *);
bool		 executor_async(const struct executor *);
/*
 * An executor for --test: it runs nothing, and writes to stdout what it
 * would run (argv or script, the variables, the input) instead.
 */
struct executor	*executor_new_describe(void);
/*
 * Sets the timeout (seconds) of the commands started from now on and
 * the bound on commands in flight; 0 keeps the default of each.
 */
void		 executor_set_limits(struct executor *, unsigned timeout_s,
		    unsigned max_children);

/*
 * Runs `c` (its contents are taken over and `c` is cleared) with `len`
 * bytes of `input` on its stdin, or /dev/null when `input` is NULL.
 * `job` and its strings are borrowed for the call only.
 */
void		 executor_run(struct executor *, struct exec_cmd *c,
		    const struct executor_job *job, const void *input,
		    size_t len);
/*
 * The pipe action: writes `msg` to the command identified by `key` (its
 * expanded text), started from `c` if it is not running (`c` is cleared
 * either way). Synchronous, as swatchdog: one pipe is kept at a time, a
 * different key closes it first, and without `keep_open` the pipe is
 * closed and waited for after the write. Asynchronous: without
 * `keep_open` this is executor_run; with it, the kept child for `key`
 * gets the message.
 */
void		 executor_pipe(struct executor *, const char *key,
		    struct exec_cmd *c, const struct executor_job *job,
		    const void *msg, size_t len, bool keep_open);
/*
 * Closes every kept pipe (the command sees its input end): synchronous,
 * waits for it; asynchronous, once its buffer is written, and the
 * command then has its timeout to exit.
 */
void		 executor_pipe_close(struct executor *);
/*
 * Asynchronous: stops taking commands (later ones are logged and not
 * run), drops the queue (logged), closes kept pipes and runs the loop
 * until every child has ended, at most `grace_ms`; then SIGTERM, a
 * second later SIGKILL, to the process group of each one left (logged).
 * A loop_stop meanwhile (a second TERM) goes straight to SIGKILL.
 * Returns when every child is reaped, or after that last second. A no-op
 * when synchronous.
 */
void		 executor_stop(struct executor *, uint64_t grace_ms);
void		 executor_get_stats(const struct executor *,
		    struct executor_stats *);

#endif
