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
#include <sys/wait.h>
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
#include "journal.h"
#include "journal_fmt.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "opts.h"
#include "out.h"
#include "outbox.h"
#include "silent.h"
#include "startup.h"
#include "state.h"
#include "stats.h"
#include "tail.h"
#include "util.h"

#define FOLLOW_EXIT_NO_INPUT	2
#define FOLLOW_EXIT_USAGE	2	/* a bad --stats-interval */
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
	struct stats		*stats;		/* --stats-file */
	struct silent		*silent;	/* "#% silent" rules' clocks */
	bool			 quit;		/* a quit rule fired */
	struct linebuf		 stdin_lb;	/* standard input as a pipe */
	struct journal		*journal;	/* "#% input-journal" */
	struct cmdsrc		**cmds;		/* "#% input-command" */
	size_t			 ncmds;
	char			**files;	/* the names followed */
	size_t			 nfiles;
	int			 status;
};

static void
banner(const struct follow *f)
{
	if (!f->o->daemon)
		startup_banner(f->o);
}

/*
 * One line from any input (`path`: a followed file, else NULL): through
 * the rules; `quit` stops the loop.
 */
static void
on_line(struct follow *f, const char *line, size_t len, const char *path)
{
	if (f->quit)
		return;		/* the rest of the batch after a quit */
	stats_line(f->stats, path != NULL ? path : f->ncmds > 0 ?
	    "(commands)" : "(stdin)", len);
	silent_set_input(f->silent, path);
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
	(void)flags;
	on_line(arg, line, len, path);
}

static void
lb_line(const char *line, size_t len, void *arg)
{
	on_line(arg, line, len, NULL);
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

static size_t	sync_files(struct follow *, const struct config *, bool);
static void	sync_commands(struct follow *, const struct config *, bool);

/* The same "#% NAME" lines, with the same values, in the same order. */
static bool
same_directives(const struct config *a, const struct config *b,
    const char *name)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->ndirectives &&
		    strcmp(a->directives[i].name, name) != 0)
			i++;
		while (j < b->ndirectives &&
		    strcmp(b->directives[j].name, name) != 0)
			j++;
		if (i == a->ndirectives || j == b->ndirectives)
			return i == a->ndirectives && j == b->ndirectives;
		if (strcmp(a->directives[i++].value,
		    b->directives[j++].value) != 0)
			return false;
	}
}

/*
 * A reload applies the inputs (sync_files, sync_commands); the state
 * directory is opened once, at start: say so when the new config changes
 * it (--state-dir, when given, wins anyway).
 */
static void
warn_input_changes(const struct follow *f, const struct config *new)
{
	const struct config *old = f->in->cfg;

	if (!same_directives(old, new, "input-journal"))
		log_warnx("the new config changes inputs (input-journal): "
		    "they take effect at the next start");
	if (f->o->state_dir != NULL)
		return;
	if ((old->state_dir == NULL) != (new->state_dir == NULL) ||
	    (old->state_dir != NULL &&
	    strcmp(old->state_dir, new->state_dir) != 0))
		log_warnx("the new config changes the state directory: it "
		    "takes effect at the next start");
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
		stats_reloaded(f->stats, false);
		arm_restart(f);		/* --restart-time tries again */
		return;
	}
	warn_input_changes(f, in->cfg);
	actions_reload(f->in->cfg, in->cfg);
	silent_free(f->silent);
	f->silent = NULL;
	instance_free(f->in);
	f->in = in;
	(void)sync_files(f, in->cfg, true);
	sync_commands(f, in->cfg, true);
	f->silent = silent_new(f->loop, in->cfg, in->engine);
	stats_reloaded(f->stats, true);
	if (stats_configure(f->stats, f->o, in->cfg) == 0)
		stats_write(f->stats);
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

/*
 * --restart-time: the next reload, recomputed after each, announced on
 * stdout like swatchdog's parent does. Unlike swatchdog's, it works in
 * --daemon mode too (there it did nothing).
 */
static void
arm_restart(struct follow *f)
{
	char *out = NULL, *err = NULL, *notice;
	time_t now = time(NULL), when;

	if (f->o->restart_time == NULL)
		return;
	if (opts_restart_delay(f->o->restart_time, now, &when, &out,
	    &err) == -1 || when <= now) {
		free(out);
		free(err);
		return;
	}
	notice = opts_restart_notice(when);
	out_write(notice, strlen(notice));
	out_flush();
	free(notice);
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
	stats_write(f->stats);
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

/* Before read positions are saved: the digests of the lines behind them. */
static int
before_commit(void *arg)
{
	(void)arg;
	return actions_state_commit(false);
}

/* Saves read positions right after mail was spooled (outbox.h). */
static void
commit_positions(void *arg)
{
	struct follow *f = arg;

	if (f->tail != NULL)
		(void)tail_commit(f->tail);
	if (f->journal != NULL)
		(void)journal_commit(f->journal);
}

static bool
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool
in_list(char *const *l, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return true;
	return false;
}

static void
push(char ***l, size_t *n, const char *s)
{
	if (in_list(*l, *n, s))
		return;
	*l = xreallocarray(*l, *n + 1, sizeof(**l));
	(*l)[(*n)++] = xstrdup(s);
}

static void
free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* Adds one -t value; like swatchdog's shell, "a b" names two files. */
static void
add_words(char ***l, size_t *n, const char *value)
{
	char *copy = xstrdup(value), *w, *save = NULL;

	for (w = strtok_r(copy, " \t\n", &save); w != NULL;
	    w = strtok_r(NULL, " \t\n", &save))
		push(l, n, w);
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

/* The files -t and `cfg` name, else swatchdog's default (spec 1). */
static size_t
wanted_files(const struct follow *f, const struct config *cfg, char ***l)
{
	size_t i, n = 0;

	*l = NULL;
	for (i = 0; i < f->o->ntail_files; i++)
		add_words(l, &n, f->o->tail_files[i]);
	for (i = 0; i < cfg->ninputs; i++)
		push(l, &n, cfg->inputs[i]);
	if (n > 0 || f->journal != NULL)
		return n;
	/* the first that is a file */
	if (is_regular("/var/log/messages"))
		push(l, &n, "/var/log/messages");
	else if (is_regular("/var/log/syslog"))
		push(l, &n, "/var/log/syslog");
	return n;
}

/*
 * Follows the files `cfg` names: a name no longer named is closed and its
 * saved position dropped; a new name is followed like at start (from its
 * end, unless the state knows it); the others keep their position.
 * Returns the number of names followed.
 */
static size_t
sync_files(struct follow *f, const struct config *cfg, bool reloading)
{
	char **want;
	size_t nw, i;

	nw = wanted_files(f, cfg, &want);
	for (i = 0; i < f->nfiles; ) {
		if (in_list(want, nw, f->files[i])) {
			i++;
			continue;
		}
		(void)tail_remove(f->tail, f->files[i]);
		log_info("%s: no longer followed", f->files[i]);
		free(f->files[i]);
		f->files[i] = f->files[--f->nfiles];
	}
	for (i = 0; i < nw; i++) {
		if (in_list(f->files, f->nfiles, want[i]) ||
		    tail_add(f->tail, want[i]) == -1)
			continue;
		push(&f->files, &f->nfiles, want[i]);
		if (reloading)
			log_info("%s: now followed", want[i]);
	}
	free_list(want, nw);
	return f->nfiles;
}

/*
 * "#% input-command CMD": long-running commands, restarted if they die.
 * A reload stops the commands no longer named, starts the new ones and
 * leaves the others running.
 */
static void
sync_commands(struct follow *f, const struct config *cfg, bool reloading)
{
	bool *kept;
	size_t i, j;

	kept = xcalloc(cfg->ninput_commands + 1, sizeof(*kept));
	for (i = 0; i < f->ncmds; ) {
		const char *cmd = cmdsrc_command(f->cmds[i]);

		for (j = 0; j < cfg->ninput_commands; j++)
			if (!kept[j] &&
			    strcmp(cfg->input_commands[j], cmd) == 0)
				break;
		if (j < cfg->ninput_commands) {
			kept[j] = true;
			i++;
			continue;
		}
		log_info("input command \"%s\": no longer followed", cmd);
		cmdsrc_free(f->cmds[i]);
		f->cmds[i] = f->cmds[--f->ncmds];
	}
	for (j = 0; j < cfg->ninput_commands; j++) {
		if (kept[j])
			continue;
		if (reloading)
			log_info("input command \"%s\": now followed",
			    cfg->input_commands[j]);
		f->cmds = xreallocarray(f->cmds, f->ncmds + 1,
		    sizeof(*f->cmds));
		f->cmds[f->ncmds++] = cmdsrc_new(f->loop,
		    cfg->input_commands[j], lb_line, f);
	}
	free(kept);
}

static bool
journal_line(const char *line, size_t len, void *arg)
{
	struct follow *f = arg;

	if (f->quit)
		return false;	/* after a quit: left for the next run */
	on_line(f, line, len, "(journal)");	/* its name in stats */
	return true;
}

/*
 * "#% input-journal": the journal, read through libsystemd (loaded now).
 * Returns 1 when one is followed, 0 when none is configured, -1 when it
 * cannot be read (logged).
 */
static int
add_journal(struct follow *f, const char *dir)
{
	struct journal_spec *js;
	char *name;

	if ((js = journal_spec_from_config(f->in->cfg)) == NULL)
		return 0;
	name = xasprintf("%s.journal", util_basename(f->path));
	f->journal = journal_open(f->loop, js, f->state != NULL ? dir : NULL,
	    name, journal_line, f);
	if (f->journal != NULL)
		journal_set_before_commit(f->journal, before_commit, f);
	free(name);
	journal_spec_free(js);
	return f->journal != NULL ? 1 : -1;
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
	size_t n;
	int nj;

	if ((dir = state_dir(f)) != NULL) {
		name = xasprintf("%s.state", util_basename(f->path));
		f->state = state_open(dir, name);
		free(name);
	}
	f->outbox = outbox_open(f->loop, dir, f->in->cfg);
	mail_set_outbox(f->outbox);
	mail_set_cap(f->loop, f->in->cfg);
	if (f->state != NULL)
		actions_state_open(dir, util_basename(f->path));
	outbox_set_commit(f->outbox, commit_positions, f);
	tp.verbose = f->o->verbose;
	tp.state = f->state;
	tp.before_commit = before_commit;
	tp.poll = getenv("WATCHFOR_POLL") != NULL;	/* tests */
	f->tail = tail_new(f->loop, &tp, tail_line, f);
	if ((nj = add_journal(f, dir)) == -1)
		return -1;
	n = sync_files(f, f->in->cfg, false);
	sync_commands(f, f->in->cfg, false);
	if (n + f->ncmds + (size_t)nj > 0) {
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

/*
 * --daemon: fork; the child calls setsid and goes on. The parent waits
 * until the child is ready (every watch in place, pid file written) and
 * exits 0, or, when the child dies before, exits with its status: unlike
 * swatchdog's, which exits 0 at once whatever becomes of the daemon.
 * Returns the pipe on which the child says it is ready.
 */
static int
daemonize(void)
{
	int p[2], status = 0;
	ssize_t n;
	pid_t pid;
	char c;

	out_flush();
	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		(void)setsid();
		return p[1];
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
		;
	if (n == 1)
		_exit(0);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* The daemon is ready: its parent may exit. */
static void
daemon_ready(int *fd)
{
	char c = 1;

	if (*fd == -1)
		return;
	(void)util_write_all(*fd, &c, 1);
	close(*fd);
	*fd = -1;
}

/* A clean stop removes the pid file, if it is still ours. */
static void
remove_pid_file(const struct opts *o)
{
	char want[32], got[32];
	ssize_t n;
	int fd;

	if (o->pid_file == NULL)
		return;
	(void)snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	if ((fd = open(o->pid_file, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	if (n > 0 && (got[n] = '\0', strcmp(got, want) == 0) &&
	    unlink(o->pid_file) == -1)
		log_warn("cannot remove pid file %s", o->pid_file);
}

/* The stats file: what it reads, where and how often it writes. */
static int
follow_stats(struct follow *f)
{
	struct stats_sources src = { &f->in, &f->silent, &f->tail, &f->exec,
	    &f->outbox };

	f->stats = stats_new(f->loop, &src);
	return stats_configure(f->stats, f->o, f->in->cfg);
}

int
follow_run(const struct opts *o, const char *path, struct instance *in)
{
	struct follow f = { 0 };
	int ready = -1;
	size_t i;

	f.o = o;
	f.path = path;
	f.in = in;
	linebuf_init(&f.stdin_lb, "standard input", STDIN_MAX_LINE);
	if (o->daemon)
		ready = daemonize();
	(void)signal(SIGPIPE, SIG_IGN);
	f.loop = loop_new();
	loop_set_before_wait(f.loop, flush_batch, NULL);
	f.notify = notify_new(f.loop, status_summary, &f);
	f.exec = executor_new(f.loop);
	executor_set_limits(f.exec, in->cfg->exec_timeout,
	    in->cfg->max_children);
	actions_set_executor(f.exec);
	actions_set_loop(f.loop);
	loop_signal(f.loop, SIGTERM, on_stop, &f);
	loop_signal(f.loop, SIGINT, on_stop, &f);
	loop_signal(f.loop, SIGQUIT, on_stop, &f);
	loop_signal(f.loop, SIGHUP, on_hup, &f);
	loop_signal(f.loop, SIGUSR1, on_usr1, &f);
	if (follow_stats(&f) == -1)
		f.status = FOLLOW_EXIT_USAGE;
	else if (setup_inputs(&f) == -1)
		f.status = FOLLOW_EXIT_NO_INPUT;
	else {
		/* every watch is in place: a line written now is seen */
		f.silent = silent_new(f.loop, in->cfg, in->engine);
		stats_write(f.stats);
		banner(&f);
		startup_pid_file(o);
		arm_restart(&f);
		notify_ready(f.notify, NULL);
		daemon_ready(&ready);
		if (loop_run(f.loop) == -1)
			f.status = 1;
		notify_stopping(f.notify);
		stats_write(f.stats);
		remove_pid_file(o);
	}
	out_flush();
	/* no more lines from any input */
	tail_free(f.tail);
	f.tail = NULL;
	journal_free(f.journal);
	f.journal = NULL;
	for (i = 0; i < f.ncmds; i++)
		cmdsrc_free(f.cmds[i]);
	free(f.cmds);
	f.cmds = NULL;
	f.ncmds = 0;
	free_list(f.files, f.nfiles);
	loop_del_fd(f.loop, STDIN_FILENO);
	silent_free(f.silent);		/* no alert while stopping */
	f.silent = NULL;
	/*
	 * Running children get a moment, then are killed; the loop runs
	 * meanwhile, so a mailer the outbox started may finish too.
	 */
	actions_flush_digests();	/* windows close at stop */
	executor_stop(f.exec, EXECUTOR_STOP_GRACE_MS);
	actions_set_executor(NULL);
	executor_free(f.exec);
	mail_set_cap(NULL, NULL);
	actions_state_close();		/* after the cap's digest went out */
	actions_set_loop(NULL);
	mail_set_outbox(NULL);
	outbox_close(f.outbox);
	state_free(f.state);
	loop_timer_free(f.restart);
	notify_free(f.notify);
	stats_free(f.stats);
	loop_free(f.loop);
	linebuf_free(&f.stdin_lb);
	instance_free(f.in);
	return f.status;
}
