/*
 * Following a command's output (see cmdsrc.h): spawn with Perl's shell
 * rule, read its stdout through the loop, reap it through the loop, and
 * restart it with backoff. What a line means is the caller's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdsrc.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "spawn.h"
#include "util.h"

#define CMDSRC_MAX_LINE		(16u << 20)
#define CMDSRC_DELAY_MIN	1000	/* ms */
#define CMDSRC_DELAY_MAX	60000	/* ms */
#define CMDSRC_GOOD_RUN		60000	/* ms: a run this long resets */
#define CMDSRC_STOP_MS		2000	/* ms from TERM to KILL at stop */

struct cmdsrc {
	struct loop		*loop;
	char			*cmd;
	cmdsrc_line_cb		*cb;
	void			*arg;
	struct linebuf		 lb;
	struct loop_timer	*restart;
	pid_t			 pid;		/* -1: not running */
	int			 fd;		/* its stdout, -1 when closed */
	uint64_t		 started;	/* loop_now() of the start */
	unsigned		 delay;		/* ms before the next start */
	unsigned		 starts;
};

static void start(void *);

static void
on_line(const char *line, size_t len, void *arg)
{
	struct cmdsrc *cs = arg;

	cs->cb(line, len, cs->arg);
}

static void
schedule(struct cmdsrc *cs)
{
	if (loop_now() - cs->started >= CMDSRC_GOOD_RUN)
		cs->delay = CMDSRC_DELAY_MIN;
	log_warnx("input command \"%s\" ended: started again in %u s",
	    cs->cmd, cs->delay / 1000);
	loop_timer_arm(cs->restart, cs->delay, 0);
	cs->delay = cs->delay * 2 > CMDSRC_DELAY_MAX ? CMDSRC_DELAY_MAX :
	    cs->delay * 2;
}

static void
close_out(struct cmdsrc *cs)
{
	if (cs->fd == -1)
		return;
	loop_del_fd(cs->loop, cs->fd);
	close(cs->fd);
	cs->fd = -1;
}

/* Both its output ended and it was reaped: start it again later. */
static void
maybe_done(struct cmdsrc *cs)
{
	if (cs->fd == -1 && cs->pid == -1)
		schedule(cs);
}

static void
on_output(int fd, uint32_t events, void *arg)
{
	struct cmdsrc *cs = arg;

	(void)events;
	if (linebuf_read(&cs->lb, fd, on_line, cs) != 1) {
		close_out(cs);
		maybe_done(cs);
	}
}

static void
cmd_exited(pid_t pid, int status, void *arg)
{
	struct cmdsrc *cs = arg;

	(void)pid;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("input command \"%s\": exit status %d", cs->cmd,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("input command \"%s\": killed by signal %d",
		    cs->cmd, WTERMSIG(status));
	cs->pid = -1;
	maybe_done(cs);
}

static void
start(void *arg)
{
	struct cmdsrc *cs = arg;
	int p[2], null;

	cs->started = loop_now();
	cs->starts++;
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("input command \"%s\": pipe", cs->cmd);
		schedule(cs);
		return;
	}
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cs->pid = spawn_cmd_group(cs->cmd, null, p[1]);
	if (null != -1)
		close(null);
	close(p[1]);
	if (cs->pid == -1) {
		log_warn("input command \"%s\"", cs->cmd);
		close(p[0]);
		schedule(cs);
		return;
	}
	(void)fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	cs->fd = p[0];
	if (loop_add_fd(cs->loop, cs->fd, EPOLLIN, on_output, cs) == -1 ||
	    loop_add_child(cs->loop, cs->pid, cmd_exited, cs) == -1)
		fatal("input command: loop");
}

struct cmdsrc *
cmdsrc_new(struct loop *lp, const char *cmd, cmdsrc_line_cb *cb, void *arg)
{
	struct cmdsrc *cs;

	cs = xcalloc(1, sizeof(*cs));
	cs->loop = lp;
	cs->cmd = xstrdup(cmd);
	cs->cb = cb;
	cs->arg = arg;
	cs->pid = -1;
	cs->fd = -1;
	cs->delay = CMDSRC_DELAY_MIN;
	linebuf_init(&cs->lb, cs->cmd, CMDSRC_MAX_LINE);
	cs->restart = loop_timer_new(lp, start, cs);
	start(cs);
	return cs;
}

/*
 * Stops the command's process group: TERM, up to CMDSRC_STOP_MS for it to
 * end, then KILL. The child is reaped here, so the loop forgets it.
 */
static void
stop_group(struct cmdsrc *cs)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint64_t end = loop_now() + CMDSRC_STOP_MS;
	siginfo_t si;
	int status;

	loop_del_child(cs->loop, cs->pid);
	(void)kill(-cs->pid, SIGTERM);
	/* WNOWAIT: the leader stays a zombie, so its pgid stays ours */
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)cs->pid, &si,
		    WEXITED | WNOHANG | WNOWAIT) == -1 || si.si_pid != 0)
			break;
		if (loop_now() >= end) {
			log_warnx("input command \"%s\": still running %u ms "
			    "after SIGTERM: SIGKILL to its process group",
			    cs->cmd, CMDSRC_STOP_MS);
			break;
		}
		(void)nanosleep(&ts, NULL);
	}
	(void)kill(-cs->pid, SIGKILL);	/* the rest of the group, if any */
	(void)waitpid(cs->pid, &status, 0);
	cs->pid = -1;
}

void
cmdsrc_free(struct cmdsrc *cs)
{
	if (cs == NULL)
		return;
	close_out(cs);
	if (cs->pid != -1)
		stop_group(cs);
	loop_timer_free(cs->restart);
	linebuf_free(&cs->lb);
	free(cs->cmd);
	free(cs);
}

unsigned
cmdsrc_starts(const struct cmdsrc *cs)
{
	return cs->starts;
}

const char *
cmdsrc_command(const struct cmdsrc *cs)
{
	return cs->cmd;
}
