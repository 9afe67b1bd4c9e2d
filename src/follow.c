/*
 * Follow mode (see follow.h): wires the loop, the file follower and its
 * saved state, standard input, signals and reloads to the engine. What a
 * line means is the engine's business; how files are followed is tail's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "action_mail.h"
#include "cmdsrc.h"
#include "config.h"
#include "diag.h"
#include "engine.h"
#include "executor.h"
#include "follow.h"
#include "instance.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "opts.h"
#include "out.h"
#include "outbox.h"
#include "startup.h"
#include "state.h"
#include "tail.h"
#include "util.h"

#define FOLLOW_EXIT_NO_INPUT	2
#define STDIN_MAX_LINE		(16u << 20)

struct follow {
	const struct opts	*o;
	const char		*path;		/* the config */
	struct instance		*in;
	struct loop		*loop;
	struct executor		*exec;		/* actions' children */
	struct tail		*tail;
	struct state		*state;
	struct outbox		*outbox;	/* mail spool and delivery */
	struct loop_timer	*restart;
	struct notify		*notify;	/* the service manager */
	bool			 quit;		/* a quit rule fired */
	struct linebuf		 stdin_lb;	/* standard input as a pipe */
	struct cmdsrc		**cmds;		/* "#% input-command" */
	size_t			 ncmds;
	int			 status;
};

static void
banner(const struct follow *f)
{
	if (!f->o->daemon)
		startup_banner(f->o);
}

/* One line from any input: through the rules; `quit` stops the loop. */
static void
on_line(struct follow *f, const char *line, size_t len)
{
	if (f->quit)
		return;		/* the rest of the batch after a quit */
	if (!engine_record(f->in->engine, line, len)) {
		f->quit = true;
		if (f->tail != NULL)
			tail_stop(f->tail);
		loop_stop(f->loop);
	}
}

/* Before the loop waits: what this batch of lines printed is shown. */
static void
flush_batch(void *arg)
{
	(void)arg;
	out_flush();
}

static void
tail_line(const char *line, size_t len, const char *path, unsigned flags,
    void *arg)
{
	(void)path;
	(void)flags;
	on_line(arg, line, len);
}

static void
lb_line(const char *line, size_t len, void *arg)
{
	on_line(arg, line, len);
}

/* Standard input as a pipe: lines as they come, the rest at its end. */
static void
stdin_ready(int fd, uint32_t events, void *arg)
{
	struct follow *f = arg;

	(void)events;
	if (linebuf_read(&f->stdin_lb, fd, lb_line, f) != 1) {
		loop_del_fd(f->loop, fd);
		loop_stop(f->loop);
	}
}

static const char *
signame(int signo)
{
	switch (signo) {
	case SIGTERM:
		return "TERM";
	case SIGINT:
		return "INT";
	case SIGQUIT:
		return "QUIT";
	case SIGHUP:
		return "HUP";
	case SIGALRM:
		return "ALRM";
	default:
		return "?";
	}
}

static void
on_stop(int signo, void *arg)
{
	struct follow *f = arg;

	/* swatchdog's parent says this before it stops its watcher */
	log_raw("Caught a SIG%s -- sending a TERM signal to %ld\n",
	    signame(signo), (long)getpid());
	f->status = 0;
	loop_stop(f->loop);
}

static void arm_restart(struct follow *);

static bool
same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/*
 * A reload swaps the rules; the inputs and the state directory are set up
 * once, at start: say so when the new config changes them.
 */
static void
warn_input_changes(const struct config *old, const struct config *new)
{
	if (!same_list(old->inputs, old->ninputs, new->inputs,
	    new->ninputs) ||
	    !same_list(old->input_commands, old->ninput_commands,
	    new->input_commands, new->ninput_commands) ||
	    (old->state_dir == NULL) != (new->state_dir == NULL) ||
	    (old->state_dir != NULL &&
	    strcmp(old->state_dir, new->state_dir) != 0))
		log_warnx("the new config changes inputs or the state "
		    "directory: they take effect at the next start");
}

/*
 * Re-reads the config; the new one replaces the running one only when it
 * loads cleanly (every problem is logged in watchfor's voice). Rules never
 * accumulate across reloads, unlike swatchdog's (bug B11).
 */
static void
reload(struct follow *f, int signo)
{
	struct instance *in;
	struct diag *d;

	log_raw("Caught a SIG%s -- sending a TERM signal to %ld\n",
	    signame(signo), (long)getpid());
	notify_reloading(f->notify);
	d = diag_new(true);
	in = instance_load(f->o, f->path, d);
	diag_free(d);
	if (in == NULL) {
		log_warnx("%s: config not reloaded, the running one stays",
		    f->path);
		notify_ready(f->notify, "config reload failed, the previous "
		    "one runs");
		arm_restart(f);		/* --restart-time tries again */
		return;
	}
	warn_input_changes(f->in->cfg, in->cfg);
	instance_free(f->in);
	f->in = in;
	outbox_reconfigure(f->outbox, f->in->cfg);
	mail_set_cap(f->loop, f->in->cfg);
	executor_set_limits(f->exec, in->cfg->exec_timeout,
	    in->cfg->max_children);
	banner(f);
	arm_restart(f);
	notify_ready(f->notify, NULL);
}

static void
on_hup(int signo, void *arg)
{
	reload(arg, signo);
}

static void
on_restart_timer(void *arg)
{
	reload(arg, SIGALRM);
}

/* --restart-time: the next reload, recomputed after each. */
static void
arm_restart(struct follow *f)
{
	char *out = NULL, *err = NULL;
	time_t now = time(NULL), when;

	if (f->o->restart_time == NULL || f->o->daemon)
		return;
	if (opts_restart_delay(f->o->restart_time, now, &when, &out,
	    &err) == -1 || when <= now) {
		free(out);
		free(err);
		return;
	}
	if (f->restart == NULL)
		f->restart = loop_timer_new(f->loop, on_restart_timer, f);
	loop_timer_arm(f->restart, (uint64_t)(when - now) * 1000, 0);
}

static void
on_usr1(int signo, void *arg)
{
	struct follow *f = arg;
	const struct config *cfg = f->in->cfg;
	size_t i;

	(void)signo;
	log_info("records %llu", engine_records(f->in->engine));
	for (i = 0; i < cfg->nrules; i++)
		log_info("rule %s:%u %s: %llu matches", cfg->rules[i].file,
		    cfg->rules[i].line, cfg->rules[i].pattern_text,
		    engine_rule_hits(f->in->engine, i));
	if (f->tail != NULL)
		tail_log_stats(f->tail);
	outbox_log_stats(f->outbox);
	if (f->exec != NULL) {
		struct executor_stats es;

		executor_get_stats(f->exec, &es);
		log_info("commands: %llu started, %llu failed, %llu timed "
		    "out, %zu running, %zu queued", es.started, es.failed,
		    es.timed_out, es.running, es.queued);
	}
	notify_status(f->notify);
}

/* systemd's STATUS=: counters since the config was (re)loaded. */
static void
status_summary(struct buf *b, void *arg)
{
	const struct follow *f = arg;
	const struct config *cfg = f->in->cfg;
	struct tail_stats ts = { 0 };
	unsigned long long hits = 0;
	size_t i;

	if (f->tail != NULL)
		tail_stats(f->tail, &ts);
	for (i = 0; i < cfg->nrules; i++)
		if (cfg->rules[i].kind == RULE_WATCHFOR)
			hits += engine_rule_hits(f->in->engine, i);
	buf_addf(b, "%llu files open, %llu lines, %llu matches",
	    (unsigned long long)ts.files_open,
	    engine_records(f->in->engine), hits);
	if (f->outbox != NULL) {
		struct outbox_stats os;

		outbox_stats(f->outbox, &os);
		if (os.failing)
			buf_addf(b, "; MAIL DELIVERY FAILING, %llu waiting",
			    (unsigned long long)os.waiting);
	}
}

/* Saves read positions right after mail was spooled (outbox.h). */
static void
commit_positions(void *arg)
{
	struct follow *f = arg;

	if (f->tail != NULL)
		(void)tail_commit(f->tail);
}

static bool
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Adds one -t value; like swatchdog's shell, "a b" names two files. */
static void
add_words(struct follow *f, const char *value, size_t *n)
{
	char *copy = xstrdup(value), *w, *save = NULL;

	for (w = strtok_r(copy, " \t\n", &save); w != NULL;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (tail_add(f->tail, w) == 0)
			(*n)++;
	}
	free(copy);
}

/* The state directory: --state-dir, the config's, or systemd's. */
static const char *
state_dir(const struct follow *f)
{
	static char first[4096];
	const char *env, *colon;

	if (f->o->state_dir != NULL)
		return f->o->state_dir;
	if (f->in->cfg->state_dir != NULL)
		return f->in->cfg->state_dir;
	if ((env = getenv("STATE_DIRECTORY")) == NULL || *env == '\0')
		return NULL;
	colon = strchr(env, ':');
	(void)snprintf(first, sizeof(first), "%.*s",
	    colon != NULL ? (int)(colon - env) : (int)strlen(env), env);
	return first;
}

/* Follows the named files; returns their number. */
static size_t
add_files(struct follow *f)
{
	const struct config *cfg = f->in->cfg;
	size_t i, n = 0;

	for (i = 0; i < f->o->ntail_files; i++)
		add_words(f, f->o->tail_files[i], &n);
	for (i = 0; i < cfg->ninputs; i++)
		if (tail_add(f->tail, cfg->inputs[i]) == 0)
			n++;
	if (n > 0)
		return n;
	/* swatchdog's defaults (spec 1): the first that is a file */
	if (is_regular("/var/log/messages"))
		n += tail_add(f->tail, "/var/log/messages") == 0;
	else if (is_regular("/var/log/syslog"))
		n += tail_add(f->tail, "/var/log/syslog") == 0;
	return n;
}

/* "#% input-command CMD": long-running commands, restarted if they die. */
static size_t
add_commands(struct follow *f)
{
	const struct config *cfg = f->in->cfg;
	size_t i;

	for (i = 0; i < cfg->ninput_commands; i++) {
		f->cmds = xreallocarray(f->cmds, f->ncmds + 1,
		    sizeof(*f->cmds));
		f->cmds[f->ncmds++] = cmdsrc_new(f->loop,
		    cfg->input_commands[i], lb_line, f);
	}
	return f->ncmds;
}

static bool
stdin_is_pipe(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static int
setup_inputs(struct follow *f)
{
	struct tail_params tp = { 0 };
	const char *dir;
	char *name;

	if ((dir = state_dir(f)) != NULL) {
		name = xasprintf("%s.state", util_basename(f->path));
		f->state = state_open(dir, name);
		free(name);
	}
	f->outbox = outbox_open(f->loop, dir, f->in->cfg);
	mail_set_outbox(f->outbox);
	mail_set_cap(f->loop, f->in->cfg);
	outbox_set_commit(f->outbox, commit_positions, f);
	tp.verbose = f->o->verbose;
	tp.state = f->state;
	tp.poll = getenv("WATCHFOR_POLL") != NULL;	/* tests */
	f->tail = tail_new(f->loop, &tp, tail_line, f);
	if (add_files(f) + add_commands(f) > 0) {
		/* Where each file starts, saved now: a crash before the
		   first timed commit must not start at the end again. */
		(void)tail_commit(f->tail);
		return 0;
	}
	if (stdin_is_pipe()) {
		(void)fcntl(STDIN_FILENO, F_SETFL,
		    fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
		if (loop_add_fd(f->loop, STDIN_FILENO, EPOLLIN,
		    stdin_ready, f) == 0)
			return 0;
	}
	log_warnx("no input to follow: name a file with -t FILE or "
	    "\"#%% input FILE\" in the config, or pipe the log into standard "
	    "input (neither /var/log/messages nor /var/log/syslog exists)");
	return -1;
}

/* --daemon: swatchdog's watcher forks and the parent exits 0 at once. */
static void
daemonize(void)
{
	pid_t pid;

	out_flush();
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	(void)setsid();
}

int
follow_run(const struct opts *o, const char *path, struct instance *in)
{
	struct follow f = { 0 };
	size_t i;

	f.o = o;
	f.path = path;
	f.in = in;
	linebuf_init(&f.stdin_lb, "standard input", STDIN_MAX_LINE);
	if (o->daemon)
		daemonize();
	(void)signal(SIGPIPE, SIG_IGN);
	f.loop = loop_new();
	loop_set_before_wait(f.loop, flush_batch, NULL);
	f.notify = notify_new(f.loop, status_summary, &f);
	f.exec = executor_new(f.loop);
	executor_set_limits(f.exec, in->cfg->exec_timeout,
	    in->cfg->max_children);
	actions_set_executor(f.exec);
	loop_signal(f.loop, SIGTERM, on_stop, &f);
	loop_signal(f.loop, SIGINT, on_stop, &f);
	loop_signal(f.loop, SIGQUIT, on_stop, &f);
	loop_signal(f.loop, SIGHUP, on_hup, &f);
	loop_signal(f.loop, SIGUSR1, on_usr1, &f);
	if (setup_inputs(&f) == -1)
		f.status = FOLLOW_EXIT_NO_INPUT;
	else {
		/* every watch is in place: a line written now is seen */
		banner(&f);
		startup_pid_file(o);
		arm_restart(&f);
		notify_ready(f.notify, NULL);
		if (loop_run(f.loop) == -1)
			f.status = 1;
		notify_stopping(f.notify);
	}
	out_flush();
	/* no more lines from any input */
	tail_free(f.tail);
	f.tail = NULL;
	for (i = 0; i < f.ncmds; i++)
		cmdsrc_free(f.cmds[i]);
	free(f.cmds);
	f.cmds = NULL;
	f.ncmds = 0;
	loop_del_fd(f.loop, STDIN_FILENO);
	/*
	 * Running children get a moment, then are killed; the loop runs
	 * meanwhile, so a mailer the outbox started may finish too.
	 */
	executor_stop(f.exec, EXECUTOR_STOP_GRACE_MS);
	actions_set_executor(NULL);
	executor_free(f.exec);
	mail_set_cap(NULL, NULL);
	mail_set_outbox(NULL);
	outbox_close(f.outbox);
	state_free(f.state);
	loop_timer_free(f.restart);
	notify_free(f.notify);
	loop_free(f.loop);
	linebuf_free(&f.stdin_lb);
	instance_free(f.in);
	return f.status;
}
