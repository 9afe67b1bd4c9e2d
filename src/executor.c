/*
 * The executor (see executor.h): when and how the actions' commands run.
 * Synchronous for one-pass mode (start, feed, wait, in order); on the
 * event loop for follow mode (a FIFO queue in front of a bounded number
 * of children, non-blocking input, timeouts that kill the process group,
 * reaping through the loop, kept-open pipes fed from bounded buffers).
 *
 * Building a command is exec_cmd.c's; starting one (environment,
 * descriptors, signal state) and the one-pass failure texts are
 * action_exec.c's. Which commands to run, and with what input, is the
 * actions' business.
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action_exec.h"
#include "executor.h"
#include "log.h"
#include "loop.h"
#include "out.h"
#include "spawn.h"
#include "util.h"

enum xstate {
	XS_QUEUED,
	XS_RUNNING,
	XS_TERM,		/* SIGTERM sent at the timeout */
	XS_KILL,		/* SIGKILL sent */
};

/* One command of the asynchronous executor. */
struct xjob {
	TAILQ_ENTRY(xjob)	 entry;		/* queue or running */
	TAILQ_ENTRY(xjob)	 kentry;	/* open kept pipes, LRU first */
	struct executor		*ex;
	struct exec_cmd		 cmd;		/* until started */
	const char		*what;		/* a string literal */
	char			*name;		/* one-pass texts, at start */
	char			*text;		/* follow-mode texts */
	char			*key;		/* kept pipe: its identity */
	bool			 kept_open;	/* in ex->kept */
	bool			 pipe_msg;
	executor_done_cb	*done;
	void			*arg;
	bool			 has_input;
	struct buf		 in;		/* in.data[off..] not written */
	size_t			 off;
	int			 fd;		/* stdin's write end, or -1 */
	bool			 polled;	/* fd registered for EPOLLOUT */
	bool			 closing;	/* close fd once drained */
	pid_t			 pid;
	enum xstate		 state;
	struct loop_timer	*timer;
	unsigned long long	 dropped;	/* kept: messages dropped */
};

TAILQ_HEAD(xjobs, xjob);

/*
 * The process group of a command that ended after SIGTERM while other
 * members live on (they ignore it): SIGKILL when the grace is over. The
 * group's number cannot be reused while a member lives.
 */
struct linger {
	TAILQ_ENTRY(linger)	 entry;
	struct executor		*ex;
	pid_t			 pgid;
	const char		*what;
	char			*text;
	uint64_t		 deadline;	/* ms, loop_now; 0: at stop */
	struct loop_timer	*timer;
};

TAILQ_HEAD(lingers, linger);

#define LINGER_POLL_MS	100

struct executor {
	struct loop		*lp;		/* NULL: synchronous */
	bool			 describe;	/* --test: say, never run */
	uint64_t		 timeout_ms;
	unsigned		 max_children;
	struct xjobs		 queue;
	struct xjobs		 running;	/* started, not reaped */
	struct xjobs		 kept;		/* open kept pipes */
	struct lingers		 lingers;
	struct lingers		 dead_lingers;	/* to free (gc_lingers) */
	size_t			 nflight;	/* running, kept pipes apart */
	size_t			 nkept;		/* kept-pipe children */
	size_t			 nkept_open;
	size_t			 warn_at;	/* queue length to log next */
	bool			 warned;
	bool			 stopping;
	int			 stop_phase;
	struct loop_timer	*stop_timer;
	struct executor_stats	 st;
	/* synchronous: the pipe kept open (swatchdog keeps at most one) */
	char			*skey;
	int			 sfd;
	pid_t			 spid;
};

static const char *
jtext(const struct executor_job *job)
{
	return job->text != NULL ? job->text : job->name;
}

/* A command could not start (errno set): swatchdog's texts. */
static void
report_start(const char *what, const char *name, bool pipe_msg)
{
	if (pipe_msg)
		log_raw("%s: cannot open pipe to %s: %s\n",
		    exec_warn_prefix(), name, strerror(errno));
	else
		exec_report_cannot_run(what, name);
}

/* ---- synchronous ---- */

static void
sync_run(struct exec_cmd *c, const struct executor_job *job,
    const void *input, size_t len)
{
	int fd = -1, status;
	pid_t pid;

	out_flush();
	if (input != NULL)
		pid = exec_cmd_spawn_pipe(c, &fd);
	else
		pid = exec_cmd_spawn(c, -1);
	if (pid == -1) {
		report_start(job->what, job->name, job->pipe_msg);
		if (job->done != NULL)
			job->done(-1, job->arg);
		return;
	}
	if (input != NULL) {
		/* a command that stops reading is told by its status */
		if (exec_feed(fd, input, len) == -1 && errno != EPIPE &&
		    job->warn_write)
			log_warn("%s: writing to \"%s\"", job->what, job->name);
		close(fd);
	}
	status = spawn_wait(pid);
	exec_report_status(job->what, job->name, status, job->warn_status);
	if (job->done != NULL)
		job->done(status, job->arg);
}

static void
sync_pipe_close(struct executor *ex)
{
	if (ex->sfd == -1)
		return;
	out_flush();
	close(ex->sfd);
	exec_report_status("pipe", ex->skey, spawn_wait(ex->spid), false);
	free(ex->skey);
	ex->skey = NULL;
	ex->sfd = -1;
	ex->spid = -1;
}

static void
sync_pipe(struct executor *ex, const char *key, struct exec_cmd *c,
    const struct executor_job *job, const void *msg, size_t len,
    bool keep_open)
{
	if (ex->sfd != -1 && strcmp(ex->skey, key) != 0)
		sync_pipe_close(ex);
	if (ex->sfd == -1) {
		out_flush();
		if ((ex->spid = exec_cmd_spawn_pipe(c, &ex->sfd)) == -1) {
			/* swatchdog is silent here (B16); say it */
			report_start(job->what, key, true);
			return;
		}
		ex->skey = xstrdup(key);
	}
	out_flush();	/* the command may print what it reads at once */
	(void)exec_feed(ex->sfd, msg, len);
	if (!keep_open)
		sync_pipe_close(ex);
}

/* ---- asynchronous: jobs ---- */

static void	pump(struct executor *);
static void	feed(struct xjob *);

static struct xjob *
job_new(struct executor *ex, struct exec_cmd *c,
    const struct executor_job *job, const void *input, size_t len)
{
	struct xjob *j;

	j = xcalloc(1, sizeof(*j));
	j->ex = ex;
	j->cmd = *c;
	memset(c, 0, sizeof(*c));
	j->what = job->what;
	j->name = xstrdup(job->name);
	j->text = xstrdup(jtext(job));
	j->pipe_msg = job->pipe_msg;
	j->done = job->done;
	j->arg = job->arg;
	j->has_input = input != NULL;
	if (input != NULL && len > 0)
		buf_add(&j->in, input, len);
	j->fd = -1;
	j->pid = -1;
	j->state = XS_QUEUED;
	return j;
}

static void
job_free(struct xjob *j)
{
	exec_cmd_clear(&j->cmd);
	loop_timer_free(j->timer);
	buf_free(&j->in);
	free(j->name);
	free(j->text);
	free(j->key);
	free(j);
}

static void
job_done(struct xjob *j, int status)
{
	if (j->done != NULL)
		j->done(status, j->arg);
	job_free(j);
}

static void
kept_forget(struct xjob *j)
{
	if (!j->kept_open)
		return;
	TAILQ_REMOVE(&j->ex->kept, j, kentry);
	j->kept_open = false;
	j->ex->nkept_open--;
}

static void
close_stdin(struct xjob *j)
{
	if (j->fd == -1)
		return;
	if (j->polled)
		loop_del_fd(j->ex->lp, j->fd);
	j->polled = false;
	close(j->fd);
	j->fd = -1;
	buf_reset(&j->in);
	j->off = 0;
	kept_forget(j);
}

static void
on_timeout(void *arg)
{
	struct xjob *j = arg;
	struct executor *ex = j->ex;

	switch (j->state) {
	case XS_RUNNING:
		log_warnx("%s \"%s\": still running after %llu s: SIGTERM to "
		    "its process group", j->what, j->text,
		    (unsigned long long)(ex->timeout_ms / 1000));
		ex->st.timed_out++;
		j->state = XS_TERM;
		if (kill(-j->pid, SIGTERM) == -1)
			(void)kill(j->pid, SIGTERM);
		loop_timer_arm(j->timer, EXECUTOR_KILL_GRACE_MS, 0);
		break;
	case XS_TERM:
		log_warnx("%s \"%s\": still running %u s after SIGTERM: "
		    "SIGKILL to its process group", j->what, j->text,
		    EXECUTOR_KILL_GRACE_MS / 1000);
		j->state = XS_KILL;
		if (kill(-j->pid, SIGKILL) == -1)
			(void)kill(j->pid, SIGKILL);
		break;
	case XS_KILL:
	case XS_QUEUED:
		break;
	default:
		fatalx("executor: unknown state %d", (int)j->state);
	}
}

static void
arm_timeout(struct xjob *j)
{
	if (j->timer == NULL)
		j->timer = loop_timer_new(j->ex->lp, on_timeout, j);
	if (!loop_timer_armed(j->timer) && j->state == XS_RUNNING)
		loop_timer_arm(j->timer, j->ex->timeout_ms, 0);
}

/* Stopping: the loop may end once nothing is left to wait for. */
static void
stop_check(struct executor *ex)
{
	if (ex->stopping && TAILQ_EMPTY(&ex->running) &&
	    TAILQ_EMPTY(&ex->lingers))
		loop_stop(ex->lp);
}

/*
 * Forgets `lg`. Its timer may be the one firing, which must not be freed
 * from its own callback: it is disarmed and freed later (gc_lingers).
 */
static void
linger_free(struct linger *lg)
{
	TAILQ_REMOVE(&lg->ex->lingers, lg, entry);
	loop_timer_disarm(lg->timer);
	TAILQ_INSERT_TAIL(&lg->ex->dead_lingers, lg, entry);
}

/* Frees forgotten lingers; never from a linger's timer callback. */
static void
gc_lingers(struct executor *ex)
{
	struct linger *lg;

	while ((lg = TAILQ_FIRST(&ex->dead_lingers)) != NULL) {
		TAILQ_REMOVE(&ex->dead_lingers, lg, entry);
		loop_timer_free(lg->timer);
		free(lg->text);
		free(lg);
	}
}

/* SIGKILL to what is left of the group. */
static void
linger_kill(struct linger *lg)
{
	if (kill(-lg->pgid, 0) == 0) {
		log_warnx("%s \"%s\": its process group outlived it after "
		    "SIGTERM: SIGKILL", lg->what, lg->text);
		(void)kill(-lg->pgid, SIGKILL);
	}
	linger_free(lg);
}

/* Every LINGER_POLL_MS: forgotten once gone, killed at the deadline. */
static void
on_linger(void *arg)
{
	struct linger *lg = arg;
	struct executor *ex = lg->ex;

	if (kill(-lg->pgid, 0) == -1)
		linger_free(lg);
	else if (lg->deadline != 0 && loop_now() >= lg->deadline)
		linger_kill(lg);
	stop_check(ex);
}

/* `j` ended after SIGTERM: its group gets SIGKILL at the planned time. */
static void
linger_add(struct executor *ex, struct xjob *j)
{
	struct linger *lg;

	gc_lingers(ex);
	if (kill(-j->pid, 0) == -1)
		return;		/* the whole group is gone */
	lg = xcalloc(1, sizeof(*lg));
	lg->ex = ex;
	lg->pgid = j->pid;
	lg->what = j->what;
	lg->text = xstrdup(j->text);
	/* stopping: executor_stop's SIGKILL comes first */
	if (!ex->stopping && j->timer != NULL)
		lg->deadline = loop_timer_deadline(j->timer);
	lg->timer = loop_timer_new(ex->lp, on_linger, lg);
	loop_timer_arm(lg->timer, LINGER_POLL_MS, LINGER_POLL_MS);
	TAILQ_INSERT_TAIL(&ex->lingers, lg, entry);
}

static const char *const kind_names[EXECUTOR_NKINDS] = {
	"exec", "pipe", "write", "other",
};

static enum executor_kind
kind_of(const char *what)
{
	unsigned i;

	for (i = 0; i < EXECUTOR_KIND_OTHER; i++)
		if (strcmp(what, kind_names[i]) == 0)
			return (enum executor_kind)i;
	return EXECUTOR_KIND_OTHER;
}

const char *
executor_kind_name(enum executor_kind k)
{
	return (unsigned)k < EXECUTOR_NKINDS ? kind_names[k] : "other";
}

static void
on_exit_cb(pid_t pid, int status, void *arg)
{
	struct xjob *j = arg;
	struct executor *ex = j->ex;

	(void)pid;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("%s \"%s\": exit status %d", j->what, j->text,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("%s \"%s\": killed by signal %d", j->what, j->text,
		    WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ex->st.failed++;
		ex->st.kind_failed[kind_of(j->what)]++;
	}
	if (j->state == XS_TERM)
		linger_add(ex, j);
	close_stdin(j);
	TAILQ_REMOVE(&ex->running, j, entry);
	if (j->key != NULL)
		ex->nkept--;
	else
		ex->nflight--;
	job_done(j, status);
	if (!ex->stopping)
		pump(ex);
	stop_check(ex);
}

static void
on_writable(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	feed(arg);
}

/* Writes what the pipe takes now; the rest when it is writable. */
static void
feed(struct xjob *j)
{
	ssize_t w;

	while (j->fd != -1 && j->off < j->in.len) {
		w = write(j->fd, j->in.data + j->off, j->in.len - j->off);
		if (w >= 0) {
			j->off += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if (!j->polled && loop_add_fd(j->ex->lp, j->fd,
			    EPOLLOUT, on_writable, j) == 0)
				j->polled = true;
			return;
		}
		/* EPIPE: the command closed its input; it ends by itself */
		if (errno != EPIPE)
			log_warn("%s \"%s\": writing its input", j->what,
			    j->text);
		close_stdin(j);
		if (j->key != NULL)
			arm_timeout(j);
		return;
	}
	if (j->fd == -1)
		return;
	buf_reset(&j->in);
	j->off = 0;
	if (j->polled)
		loop_del_fd(j->ex->lp, j->fd);
	j->polled = false;
	if (j->key == NULL || j->closing)
		close_stdin(j);
	if (j->key != NULL && j->closing)
		arm_timeout(j);
}

/* Starts `j`; false (reported, freed) when it cannot run. */
static bool
job_start(struct executor *ex, struct xjob *j)
{
	int fd = -1, e;
	pid_t pid;

	j->cmd.own_pgrp = true;
	out_flush();
	if (j->has_input)
		pid = exec_cmd_spawn_pipe(&j->cmd, &fd);
	else
		pid = exec_cmd_spawn(&j->cmd, -1);
	if (pid == -1) {
		report_start(j->what, j->name, j->pipe_msg);
		kept_forget(j);
		job_done(j, -1);
		return false;
	}
	/*
	 * The spawn returns once the program is executing: the child's
	 * setpgid(0, 0) is done, so its group can be signalled.
	 */
	exec_cmd_clear(&j->cmd);
	if (loop_add_child(ex->lp, pid, on_exit_cb, j) == -1) {
		e = errno;
		(void)kill(-pid, SIGKILL);
		(void)spawn_wait(pid);
		if (fd != -1)
			close(fd);
		errno = e;
		log_warn("%s \"%s\": cannot watch process %ld", j->what,
		    j->text, (long)pid);
		kept_forget(j);
		job_done(j, -1);
		return false;
	}
	j->pid = pid;
	j->fd = fd;
	j->state = XS_RUNNING;
	ex->st.started++;
	ex->st.kind_started[kind_of(j->what)]++;
	TAILQ_INSERT_TAIL(&ex->running, j, entry);
	if (j->key != NULL)
		ex->nkept++;
	else {
		ex->nflight++;
		if (ex->nflight > ex->st.max_running)
			ex->st.max_running = ex->nflight;
		arm_timeout(j);
	}
	if (fd != -1) {
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		feed(j);
	}
	return true;
}

/* Starts queued commands while there is room. */
static void
pump(struct executor *ex)
{
	struct xjob *j;

	while (ex->nflight < ex->max_children &&
	    (j = TAILQ_FIRST(&ex->queue)) != NULL) {
		TAILQ_REMOVE(&ex->queue, j, entry);
		ex->st.queued--;
		(void)job_start(ex, j);
	}
	if (ex->warned && ex->st.queued == 0) {
		log_info("exec queue drained");
		ex->warned = false;
		ex->warn_at = EXECUTOR_QUEUE_WARN;
	}
}

static void
enqueue(struct executor *ex, struct xjob *j)
{
	TAILQ_INSERT_TAIL(&ex->queue, j, entry);
	ex->st.queued++;
	if (ex->st.queued > ex->st.max_queued)
		ex->st.max_queued = ex->st.queued;
	pump(ex);
	if (ex->st.queued >= ex->warn_at) {
		log_warnx("exec queue: %zu commands waiting for one of %u "
		    "slots (max-children)", ex->st.queued, ex->max_children);
		ex->warned = true;
		ex->warn_at *= 2;
	}
}

/* ---- asynchronous: kept pipes ---- */

static struct xjob *
kept_find(struct executor *ex, const char *key)
{
	struct xjob *j;

	TAILQ_FOREACH(j, &ex->kept, kentry)
		if (strcmp(j->key, key) == 0)
			return j;
	return NULL;
}

/* No more messages for `j`: its input ends once written. */
static void
kept_close(struct xjob *j)
{
	kept_forget(j);
	j->closing = true;
	if (j->off >= j->in.len)
		close_stdin(j);
	arm_timeout(j);
}

static void
kept_send(struct xjob *j, const void *msg, size_t len)
{
	size_t pending = j->in.len - j->off;

	if (pending + len > EXECUTOR_PIPE_MAX) {
		j->dropped++;
		j->ex->st.dropped++;
		/* the 1st, 2nd, 4th, 8th... drop of this command is told */
		if ((j->dropped & (j->dropped - 1)) == 0)
			log_warnx("pipe \"%s\": the command does not read its "
			    "input (%zu bytes pending): message dropped (%llu "
			    "so far)", j->text, pending, j->dropped);
		return;
	}
	if (j->off > 0 && j->off >= pending) {
		memmove(j->in.data, j->in.data + j->off, pending);
		j->in.len = pending;
		j->off = 0;
	}
	buf_add(&j->in, msg, len);
	out_flush();	/* the command may print what it reads at once */
	feed(j);
}

static void
async_pipe(struct executor *ex, const char *key, struct exec_cmd *c,
    const struct executor_job *job, const void *msg, size_t len)
{
	struct xjob *j;

	if ((j = kept_find(ex, key)) != NULL) {
		exec_cmd_clear(c);
		TAILQ_REMOVE(&ex->kept, j, kentry);
		TAILQ_INSERT_TAIL(&ex->kept, j, kentry);
		kept_send(j, msg, len);
		return;
	}
	if (ex->nkept_open >= ex->max_children)
		kept_close(TAILQ_FIRST(&ex->kept));
	j = job_new(ex, c, job, msg, len);
	j->key = xstrdup(key);
	j->has_input = true;
	TAILQ_INSERT_TAIL(&ex->kept, j, kentry);
	j->kept_open = true;
	ex->nkept_open++;
	(void)job_start(ex, j);
}

/* ---- the interface ---- */

struct executor *
executor_new(struct loop *lp)
{
	struct executor *ex;

	ex = xcalloc(1, sizeof(*ex));
	ex->lp = lp;
	ex->timeout_ms = EXECUTOR_TIMEOUT_S * 1000ULL;
	ex->max_children = EXECUTOR_MAX_CHILDREN;
	ex->warn_at = EXECUTOR_QUEUE_WARN;
	TAILQ_INIT(&ex->queue);
	TAILQ_INIT(&ex->running);
	TAILQ_INIT(&ex->kept);
	TAILQ_INIT(&ex->lingers);
	TAILQ_INIT(&ex->dead_lingers);
	ex->sfd = -1;
	ex->spid = -1;
	if (lp != NULL)
		(void)signal(SIGPIPE, SIG_IGN);
	return ex;
}

bool
executor_async(const struct executor *ex)
{
	return ex->lp != NULL;
}

void
executor_set_limits(struct executor *ex, unsigned timeout_s,
    unsigned max_children)
{
	ex->timeout_ms = (timeout_s > 0 ? timeout_s : EXECUTOR_TIMEOUT_S) *
	    1000ULL;
	ex->max_children = max_children > 0 ? max_children :
	    EXECUTOR_MAX_CHILDREN;
	if (ex->lp != NULL && !ex->stopping)
		pump(ex);
}

/* Appends `p` as a C-escaped string in double quotes. */
static void
add_quoted(struct buf *b, const char *p, size_t n)
{
	const unsigned char *q = (const unsigned char *)p;
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (q[i] == '"' || q[i] == '\\')
			buf_addf(b, "\\%c", q[i]);
		else if (q[i] == '\n')
			buf_adds(b, "\\n");
		else if (q[i] == '\t')
			buf_adds(b, "\\t");
		else if (q[i] < 0x20 || q[i] >= 0x7f)
			buf_addf(b, "\\x%02x", q[i]);
		else
			buf_addc(b, (char)q[i]);
	}
	buf_addc(b, '"');
}

/*
 * --test: what would run, on stdout: the argv (or the shell script), the
 * variables that carry the log text, and what the command would read.
 */
static void
describe(struct exec_cmd *c, const struct executor_job *job,
    const void *input, size_t len)
{
	struct buf b = { 0 };
	size_t i;

	buf_addf(&b, "    %s: run", job->what);
	for (i = 0; i < c->argc; i++) {
		buf_addc(&b, ' ');
		add_quoted(&b, c->argv[i], strlen(c->argv[i]));
	}
	buf_addc(&b, '\n');
	for (i = 0; i < c->nvars; i++) {
		buf_adds(&b, "      env ");
		add_quoted(&b, c->vars[i], strlen(c->vars[i]));
		buf_addc(&b, '\n');
	}
	if (input != NULL) {
		buf_adds(&b, "      stdin ");
		add_quoted(&b, input, len);
		buf_addc(&b, '\n');
	}
	out_write(b.data, b.len);
	buf_free(&b);
	exec_cmd_clear(c);
	if (job->done != NULL)
		job->done(0, job->arg);
}

struct executor *
executor_new_describe(void)
{
	struct executor *ex;

	ex = executor_new(NULL);
	ex->describe = true;
	return ex;
}

void
executor_run(struct executor *ex, struct exec_cmd *c,
    const struct executor_job *job, const void *input, size_t len)
{
	if (ex->describe) {
		describe(c, job, input, len);
		return;
	}
	if (ex->lp == NULL) {
		sync_run(c, job, input, len);
		exec_cmd_clear(c);
		return;
	}
	if (ex->stopping) {
		log_warnx("%s \"%s\": not run: stopping", job->what,
		    jtext(job));
		exec_cmd_clear(c);
		if (job->done != NULL)
			job->done(-1, job->arg);
		return;
	}
	enqueue(ex, job_new(ex, c, job, input, len));
}

void
executor_pipe(struct executor *ex, const char *key, struct exec_cmd *c,
    const struct executor_job *job, const void *msg, size_t len,
    bool keep_open)
{
	if (ex->describe) {
		describe(c, job, msg, len);
		return;
	}
	if (ex->lp == NULL) {
		sync_pipe(ex, key, c, job, msg, len, keep_open);
		exec_cmd_clear(c);
		return;
	}
	if (!keep_open || ex->stopping) {
		executor_run(ex, c, job, msg, len);
		return;
	}
	async_pipe(ex, key, c, job, msg, len);
}

void
executor_pipe_close(struct executor *ex)
{
	if (ex->lp == NULL) {
		sync_pipe_close(ex);
		return;
	}
	while (!TAILQ_EMPTY(&ex->kept))
		kept_close(TAILQ_FIRST(&ex->kept));
}

static void
signal_all(struct executor *ex, int sig)
{
	struct xjob *j;

	TAILQ_FOREACH(j, &ex->running, entry) {
		log_warnx("%s \"%s\": still running at stop: %s to its "
		    "process group", j->what, j->text,
		    sig == SIGKILL ? "SIGKILL" : "SIGTERM");
		j->state = sig == SIGKILL ? XS_KILL : XS_TERM;
		if (kill(-j->pid, sig) == -1)
			(void)kill(j->pid, sig);
	}
	if (sig == SIGKILL)
		while (!TAILQ_EMPTY(&ex->lingers))
			linger_kill(TAILQ_FIRST(&ex->lingers));
}

static void
stop_escalate(void *arg)
{
	struct executor *ex = arg;

	switch (++ex->stop_phase) {
	case 1:
		signal_all(ex, SIGTERM);
		loop_timer_arm(ex->stop_timer, 1000, 0);
		break;
	case 2:
		signal_all(ex, SIGKILL);
		loop_timer_arm(ex->stop_timer, 1000, 0);
		stop_check(ex);
		break;
	default:
		loop_stop(ex->lp);
		break;
	}
}

void
executor_stop(struct executor *ex, uint64_t grace_ms)
{
	struct xjob *j;

	if (ex->lp == NULL || ex->stopping)
		return;
	ex->stopping = true;
	executor_pipe_close(ex);
	if (ex->st.queued > 0)
		log_warnx("exec queue: stopping: %zu queued commands not run",
		    ex->st.queued);
	while ((j = TAILQ_FIRST(&ex->queue)) != NULL) {
		TAILQ_REMOVE(&ex->queue, j, entry);
		ex->st.queued--;
		ex->st.not_run++;
		job_done(j, -1);
	}
	if (TAILQ_EMPTY(&ex->running) && TAILQ_EMPTY(&ex->lingers))
		return;
	ex->stop_timer = loop_timer_new(ex->lp, stop_escalate, ex);
	loop_timer_arm(ex->stop_timer, grace_ms, 0);
	while ((!TAILQ_EMPTY(&ex->running) || !TAILQ_EMPTY(&ex->lingers)) &&
	    ex->stop_phase < 3) {
		if (loop_run(ex->lp) == -1)
			break;
		/* stopped by someone else (a second TERM): hurry */
		if ((!TAILQ_EMPTY(&ex->running) ||
		    !TAILQ_EMPTY(&ex->lingers)) && ex->stop_phase < 2) {
			ex->stop_phase = 2;
			signal_all(ex, SIGKILL);
			loop_timer_arm(ex->stop_timer, 1000, 0);
		}
	}
	loop_timer_free(ex->stop_timer);
	ex->stop_timer = NULL;
}

void
executor_free(struct executor *ex)
{
	struct xjob *j;

	if (ex == NULL)
		return;
	if (ex->lp == NULL)
		sync_pipe_close(ex);
	while ((j = TAILQ_FIRST(&ex->queue)) != NULL) {
		TAILQ_REMOVE(&ex->queue, j, entry);
		job_free(j);
	}
	while ((j = TAILQ_FIRST(&ex->running)) != NULL) {
		TAILQ_REMOVE(&ex->running, j, entry);
		log_warnx("%s \"%s\": not reaped: SIGKILL", j->what, j->text);
		if (kill(-j->pid, SIGKILL) == -1)
			(void)kill(j->pid, SIGKILL);
		(void)spawn_wait(j->pid);
		kept_forget(j);
		close_stdin(j);
		job_free(j);
	}
	while (!TAILQ_EMPTY(&ex->lingers))
		linger_kill(TAILQ_FIRST(&ex->lingers));
	gc_lingers(ex);
	loop_timer_free(ex->stop_timer);
	free(ex->skey);
	free(ex);
}

void
executor_get_stats(const struct executor *ex, struct executor_stats *st)
{
	*st = ex->st;
	st->running = ex->nflight;
	st->kept = ex->nkept;
}
