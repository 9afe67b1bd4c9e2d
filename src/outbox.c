/*
 * The outbox of follow mode (see outbox.h): schedules delivery attempts
 * of spooled messages on the event loop, runs the mailer for each as a
 * child with the spool file as its stdin, keeps the retry schedule and
 * the counters, and says loudly when delivery keeps failing (a log line
 * at the first failure and then hourly, and an optional fallback
 * command). A delivery helper's permanent-failure exit (outbox_add_helper)
 * moves the message to failed/ at once. The file format and durable
 * writes are spool.c's; building the message and the mailer command is
 * the mail action's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action_exec.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "out.h"
#include "outbox.h"
#include "spawn.h"
#include "spool.h"
#include "util.h"

#define OUTBOX_KILL_GRACE_MS	5000	/* TERM, then KILL */
#define OUTBOX_CLOSE_WAIT_MS	3000	/* for a mailer in flight at stop */

/* A waiting message; the rest of it stays on disk. */
struct ob_item {
	TAILQ_ENTRY(ob_item)	 entry;
	char			*name;
	uint64_t		 first;		/* ms since the epoch */
	uint64_t		 next;		/* ms since the epoch */
	unsigned		 attempts;
};

TAILQ_HEAD(ob_items, ob_item);

/* The attempt in flight. */
struct ob_flight {
	struct ob_item		*it;
	struct spool_env	 env;
	struct buf		 msg;
	pid_t			 pid;		/* also its process group */
	uint64_t		 started;	/* ms, monotonic */
	int			 killed;	/* 0, SIGTERM, SIGKILL sent */
};

struct outbox {
	struct loop		*lp;
	struct outbox_params	 p;
	char			*base;		/* state dir or private dir */
	bool			 private;	/* base made by mkdtemp */
	struct spool		*sp;		/* NULL until needed */
	struct ob_items		 items;
	size_t			 nitems;
	struct loop_timer	*timer;		/* next attempt */
	struct loop_timer	*ktimer;	/* timeout of the flight */
	struct loop_timer	*ctimer;	/* commit after spooling */
	outbox_commit_cb	*commit;
	void			*commit_arg;
	struct ob_flight	*flight;
	uint64_t		 gate;		/* no attempt before, wall ms */
	unsigned		 consec;	/* consecutive failures */
	uint64_t		 fail_since;	/* wall ms; 0: not failing */
	uint64_t		 loud_at;	/* last failure report, wall */
	bool			 fallback_run;	/* in this failing streak */
	uint64_t		 direct;	/* not spooled in this run of
						   spool failures; 0: none */
	struct outbox_stats	 st;
};

static void	schedule(struct outbox *);

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ms from `t` to `now`; 0 when the clock was set back past `t`. */
static uint64_t
since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

uint64_t
outbox_backoff(unsigned failures, uint64_t base, uint64_t max)
{
	uint64_t d = base;
	unsigned i;

	for (i = 1; i < failures && d < max; i++)
		d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
	return d < max ? d : max;
}

int
outbox_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {	/* "ms" before "m" */
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	uint64_t total = 0, v;
	size_t i, len;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0)
			return -1;
		s = end;
		if (*s == '\0' && total == 0) {
			v = v > UINT64_MAX / 1000 ? UINT64_MAX : v * 1000;
			total = v;
			break;		/* a bare number: seconds */
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			len = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, len) == 0 &&
			    (s[len] == '\0' || (s[len] >= '0' &&
			    s[len] <= '9')))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		if (v > (UINT64_MAX - total) / units[i].ms)
			return -1;
		total += v * units[i].ms;
		s += strlen(units[i].unit);
	}
	*ms = total;
	return 0;
}

char *
outbox_directive_error(const char *name, const char *value)
{
	uint64_t ms;

	if (strcmp(name, "mail-max-age") == 0 ||
	    strcmp(name, "mail-fallback-after") == 0) {
		if (outbox_parse_duration(value, &ms) == -1 || ms == 0)
			return xasprintf("%s: bad duration \"%s\" (write for "
			    "example 5d, 12h, 1h30m or 90s)", name, value);
		return NULL;
	}
	if (strcmp(name, "mail-transport") == 0) {
		if (strcmp(value, "sendmail") == 0 ||
		    strcmp(value, "smtp") == 0)
			return NULL;
		return xasprintf("unknown mail transport \"%s\" (known: "
		    "sendmail, smtp)", value);
	}
	return NULL;		/* mail-fallback: any command */
}

/* A WATCHFOR_TEST_* number of ms, if set and valid. */
static void
test_env(const char *name, uint64_t *v)
{
	const char *s;
	char *end;
	unsigned long long n;

	if ((s = getenv(name)) == NULL || *s == '\0')
		return;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == 0 && *end == '\0' && n > 0)
		*v = n;
}

void
outbox_params_init(struct outbox_params *p, const struct config *cfg)
{
	const struct config_directive *d;
	uint64_t ms;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->max_age = OUTBOX_MAX_AGE_MS;
	p->fallback_after = OUTBOX_FALLBACK_MS;
	p->retry = OUTBOX_RETRY_MS;
	p->retry_max = OUTBOX_RETRY_MAX_MS;
	p->timeout = OUTBOX_TIMEOUT_MS;
	p->loud = OUTBOX_LOUD_MS;
	for (i = 0; cfg != NULL && i < cfg->ndirectives; i++) {
		d = &cfg->directives[i];
		if (strcmp(d->name, "mail-max-age") == 0 &&
		    outbox_parse_duration(d->value, &ms) == 0 && ms > 0)
			p->max_age = ms;
		else if (strcmp(d->name, "mail-fallback-after") == 0 &&
		    outbox_parse_duration(d->value, &ms) == 0 && ms > 0)
			p->fallback_after = ms;
		else if (strcmp(d->name, "mail-fallback") == 0) {
			free(p->fallback);
			p->fallback = xstrdup(d->value);
		}
	}
	test_env("WATCHFOR_TEST_RETRY_MS", &p->retry);
	test_env("WATCHFOR_TEST_RETRY_MAX_MS", &p->retry_max);
	test_env("WATCHFOR_TEST_MAIL_TIMEOUT_MS", &p->timeout);
	test_env("WATCHFOR_TEST_LOUD_MS", &p->loud);
	if (p->retry > p->retry_max)
		p->retry_max = p->retry;
}

void
outbox_params_clear(struct outbox_params *p)
{
	free(p->fallback);
	memset(p, 0, sizeof(*p));
}

/* "3d4h", "2m10s", "800ms": for messages. */
static void
fmt_age(uint64_t ms, char *out, size_t size)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		(void)snprintf(out, size, "%" PRIu64 "ms", ms);
	else if (s < 60)
		(void)snprintf(out, size, "%" PRIu64 "s", s);
	else if (s < 3600)
		(void)snprintf(out, size, "%" PRIu64 "m%" PRIu64 "s", s / 60,
		    s % 60);
	else if (s < 86400)
		(void)snprintf(out, size, "%" PRIu64 "h%" PRIu64 "m",
		    s / 3600, s / 60 % 60);
	else
		(void)snprintf(out, size, "%" PRIu64 "d%" PRIu64 "h",
		    s / 86400, s / 3600 % 24);
}

/*
 * Runs `file` with `argv` and `vars` in a new process group, `in` as its
 * stdin (-1: /dev/null), through the actions' spawner (exec_cmd_spawn).
 * Returns the pid, or -1 with errno set when it cannot run (the child, if
 * any, is reaped).
 */
static pid_t
ob_spawn(const char *file, char *const *argv, char *const *vars,
    size_t nvars, int in, unsigned flags)
{
	struct exec_cmd c;

	memset(&c, 0, sizeof(c));
	c.file = (char *)file;
	c.argv = (char **)argv;
	while (argv[c.argc] != NULL)
		c.argc++;
	c.vars = (char **)vars;
	c.nvars = nvars;
	c.dup_stderr = (flags & SPOOL_STDERR_DUP) != 0;
	c.null_stderr = (flags & SPOOL_STDERR_NULL) != 0;
	c.own_pgrp = true;	/* a timeout kills it all */
	out_flush();
	return exec_cmd_spawn(&c, in);
}

static void
item_drop(struct outbox *ob, struct ob_item *it)
{
	TAILQ_REMOVE(&ob->items, it, entry);
	ob->nitems--;
	free(it->name);
	free(it);
}

static struct ob_item *
item_add(struct outbox *ob, const char *name, const struct spool_env *e)
{
	struct ob_item *it;

	it = xcalloc(1, sizeof(*it));
	it->name = xstrdup(name);
	it->first = e->first;
	it->next = e->next;
	it->attempts = e->attempts;
	TAILQ_INSERT_TAIL(&ob->items, it, entry);
	ob->nitems++;
	return it;
}

/* Age in ms of the oldest waiting message at `now`, 0 if none. */
static uint64_t
oldest_age(const struct outbox *ob, uint64_t now)
{
	const struct ob_item *it;
	uint64_t o = UINT64_MAX;

	TAILQ_FOREACH(it, &ob->items, entry)
		if (it->first < o)
			o = it->first;
	return since(now, o);
}

/* Creates the spool on first need. Returns 0 or -1 (logged). */
static int
need_spool(struct outbox *ob)
{
	const char *tmp;
	char *path;

	if (ob->sp != NULL)
		return 0;
	if (ob->base == NULL) {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		path = xasprintf("%s/watchfor-outbox.XXXXXX", tmp);
		if (mkdtemp(path) == NULL) {
			log_warn("outbox: %s", path);
			free(path);
			return -1;
		}
		ob->base = path;
		ob->private = true;
		log_info("outbox: no state directory: mail is spooled in %s, "
		    "which does not survive a reboot", path);
	}
	if ((ob->sp = spool_open(ob->base)) == NULL)
		return -1;
	return 0;
}

static void
on_fallback_done(pid_t pid, int status, void *arg)
{
	struct outbox *ob = arg;

	(void)pid;
	exec_report_status("outbox: mail-fallback", ob->p.fallback != NULL ?
	    ob->p.fallback : "", status, true);
}

/* Runs the fallback command, once per failing streak. */
static void
run_fallback(struct outbox *ob, const char *why)
{
	char *argv[4] = { NULL }, *vars[4], age[32];
	char **words = NULL, *copy = NULL, *w, *save = NULL;
	size_t nw = 0, i;
	pid_t pid;

	fmt_age(oldest_age(ob, wall_ms()), age, sizeof(age));
	vars[0] = xasprintf("WATCHFOR_OUTBOX_WAITING=%zu", ob->nitems);
	vars[1] = xasprintf("WATCHFOR_OUTBOX_OLDEST=%s", age);
	vars[2] = xasprintf("WATCHFOR_OUTBOX_ERROR=%s", why);
	vars[3] = xasprintf("WATCHFOR_OUTBOX_DIR=%s", spool_path(ob->sp));
	if (spawn_needs_shell(ob->p.fallback)) {
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = ob->p.fallback;
		words = argv;
	} else {
		copy = xstrdup(ob->p.fallback);
		for (w = strtok_r(copy, " \t\n", &save); w != NULL;
		    w = strtok_r(NULL, " \t\n", &save)) {
			words = xreallocarray(words, nw + 2, sizeof(*words));
			words[nw++] = w;
			words[nw] = NULL;
		}
	}
	if (words == NULL)
		log_warnx("outbox: mail-fallback is empty");
	else if ((pid = ob_spawn(words[0], words, vars, 4, -1, 0)) == -1)
		log_warn("outbox: mail-fallback \"%s\"", ob->p.fallback);
	else {
		log_warnx("outbox: delivery failing for over %s: ran "
		    "mail-fallback \"%s\"", age, ob->p.fallback);
		if (loop_add_child(ob->lp, pid, on_fallback_done, ob) == -1)
			log_warn("outbox: mail-fallback: watching child %ld",
			    (long)pid);
	}
	if (words != argv)
		free(words);
	free(copy);
	for (i = 0; i < 4; i++)
		free(vars[i]);
}

/* Says loudly that delivery fails: at the first failure, then hourly. */
static void
report_failure(struct outbox *ob, const struct spool_env *e, const char *why,
    uint64_t now, uint64_t retry_in)
{
	char age[32], in[32];

	if (ob->consec > 1 && since(now, ob->loud_at) < ob->p.loud) {
		log_debug("outbox: %s to %s failed: %s", e->kind,
		    e->rcpt != NULL ? e->rcpt : "?", why);
		return;
	}
	ob->loud_at = now;
	fmt_age(oldest_age(ob, now), age, sizeof(age));
	fmt_age(retry_in, in, sizeof(in));
	log_warnx("outbox: %s delivery failing: \"%s\" %s; %zu waiting in "
	    "%s, oldest %s, %u failed attempts in a row, next attempt in %s",
	    e->kind, e->cmd != NULL ? e->cmd : e->file, why, ob->nitems,
	    spool_path(ob->sp), age, ob->consec, in);
}

static void
move_failed(struct outbox *ob, struct ob_item *it, const char *suffix)
{
	if (spool_move_failed(ob->sp, it->name, suffix) == 0)
		ob->st.failed++;
	item_drop(ob, it);
}

/* A failed attempt of `it` (envelope `e`, message `msg`). */
static void
attempt_failed(struct outbox *ob, struct ob_item *it, struct spool_env *e,
    const struct buf *msg, const char *why)
{
	uint64_t now = wall_ms(), wait;
	char age[32];

	e->attempts++;
	free(e->error);
	e->error = xstrdup(why);
	ob->consec++;
	if (ob->fail_since == 0)
		ob->fail_since = now;
	wait = outbox_backoff(ob->consec, ob->p.retry, ob->p.retry_max);
	ob->gate = now + wait;
	if (since(now, e->first) >= ob->p.max_age) {
		fmt_age(since(now, e->first), age, sizeof(age));
		log_warnx("outbox: %s to %s not delivered after %u attempts "
		    "over %s (last: \"%s\" %s): moved to %s/%s", e->kind,
		    e->rcpt != NULL ? e->rcpt : "?", e->attempts, age,
		    e->cmd != NULL ? e->cmd : e->file, why,
		    spool_failed_path(ob->sp), it->name);
		(void)spool_rewrite(ob->sp, it->name, e, msg->data, msg->len);
		move_failed(ob, it, "");
	} else {
		it->attempts = e->attempts;
		it->next = e->next = now + outbox_backoff(e->attempts,
		    ob->p.retry, ob->p.retry_max);
		(void)spool_rewrite(ob->sp, it->name, e, msg->data, msg->len);
		ob->st.retried++;
	}
	report_failure(ob, e, why, now, wait);
	if (ob->p.fallback != NULL && !ob->fallback_run &&
	    since(now, ob->fail_since) >= ob->p.fallback_after) {
		ob->fallback_run = true;
		run_fallback(ob, why);
	}
}

static void
attempt_ok(struct outbox *ob, struct ob_item *it, const struct spool_env *e)
{
	log_debug("outbox: %s to %s delivered (%s)", e->kind,
	    e->rcpt != NULL ? e->rcpt : "?", it->name);
	(void)spool_remove(ob->sp, it->name);
	ob->st.sent++;
	item_drop(ob, it);
	if (ob->consec > 0)
		log_warnx("outbox: %s delivery works again after %u failed "
		    "attempts; %zu waiting", e->kind, ob->consec, ob->nitems);
	ob->consec = 0;
	ob->gate = 0;
	ob->fail_since = 0;
	ob->fallback_run = false;
}

/* The helper said the message can never be delivered: failed/ at once. */
static void
attempt_refused(struct outbox *ob, struct ob_item *it, struct spool_env *e,
    const struct buf *msg, const char *why)
{
	e->attempts++;
	free(e->error);
	e->error = xstrdup(why);
	log_warnx("outbox: %s to %s refused permanently (\"%s\" %s): moved "
	    "to %s/%s", e->kind, e->rcpt != NULL ? e->rcpt : "?",
	    e->cmd != NULL ? e->cmd : e->file, why,
	    spool_failed_path(ob->sp), it->name);
	(void)spool_rewrite(ob->sp, it->name, e, msg->data, msg->len);
	move_failed(ob, it, "");
}

static void
flight_end(struct outbox *ob)
{
	struct ob_flight *fl = ob->flight;

	loop_timer_disarm(ob->ktimer);
	spool_env_clear(&fl->env);
	buf_free(&fl->msg);
	free(fl);
	ob->flight = NULL;
}

static void
status_text(int status, int killed, uint64_t timeout, char *out,
    size_t size)
{
	char t[32];

	if (killed != 0) {
		fmt_age(timeout, t, sizeof(t));
		(void)snprintf(out, size, "timed out after %s", t);
	} else if (WIFEXITED(status))
		(void)snprintf(out, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(out, size, "killed by signal %d",
		    WTERMSIG(status));
	else
		(void)snprintf(out, size, "ended with wait status %d",
		    status);
}

static void
on_child(pid_t pid, int status, void *arg)
{
	struct outbox *ob = arg;
	struct ob_flight *fl = ob->flight;
	char why[64];

	if (fl == NULL || fl->pid != pid)
		return;
	if (fl->killed == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		attempt_ok(ob, fl->it, &fl->env);
	else if (fl->killed == 0 && WIFEXITED(status) &&
	    fl->env.permfail != 0 &&
	    (unsigned)WEXITSTATUS(status) == fl->env.permfail) {
		status_text(status, 0, 0, why, sizeof(why));
		attempt_refused(ob, fl->it, &fl->env, &fl->msg, why);
	} else {
		status_text(status, fl->killed, ob->p.timeout, why,
		    sizeof(why));
		attempt_failed(ob, fl->it, &fl->env, &fl->msg, why);
	}
	flight_end(ob);
	schedule(ob);
}

/* The attempt's timeout: TERM the group, then KILL it. */
static void
on_timeout(void *arg)
{
	struct outbox *ob = arg;
	struct ob_flight *fl = ob->flight;

	if (fl == NULL)
		return;
	if (fl->killed == 0) {
		fl->killed = SIGTERM;
		(void)kill(-fl->pid, SIGTERM);
		loop_timer_arm(ob->ktimer, OUTBOX_KILL_GRACE_MS, 0);
	} else {
		fl->killed = SIGKILL;
		(void)kill(-fl->pid, SIGKILL);
	}
}

/* Starts an attempt at `it`. */
static void
attempt(struct outbox *ob, struct ob_item *it)
{
	struct ob_flight *fl;
	char why[512];
	size_t off;
	int fd, rc;

	fl = xcalloc(1, sizeof(*fl));
	fl->it = it;
	ob->flight = fl;
	if ((rc = spool_read(ob->sp, it->name, &fl->env, &fl->msg,
	    &off)) == -2) {
		log_warnx("outbox: moving %s to %s/%s.corrupt", it->name,
		    spool_failed_path(ob->sp), it->name);
		move_failed(ob, it, ".corrupt");
		goto done;
	}
	if (rc == -1) {
		if (errno == ENOENT) {
			log_warnx("outbox: %s/%s is gone", spool_path(ob->sp),
			    it->name);
			item_drop(ob, it);
		} else if (since(wall_ms(), it->first) >= ob->p.max_age) {
			log_warnx("outbox: giving up on unreadable %s/%s: "
			    "moved to %s", spool_path(ob->sp), it->name,
			    spool_failed_path(ob->sp));
			move_failed(ob, it, "");
		} else {
			/* unreadable for now: try again later */
			it->next = wall_ms() + outbox_backoff(++it->attempts,
			    ob->p.retry, ob->p.retry_max);
		}
		goto done;
	}
	log_debug("outbox: attempt %u of %s to %s", fl->env.attempts + 1,
	    it->name, fl->env.rcpt != NULL ? fl->env.rcpt : "?");
	if ((fd = spool_open_msg(ob->sp, it->name, off)) == -1) {
		(void)snprintf(why, sizeof(why), "cannot open the message: %s",
		    strerror(errno));
		attempt_failed(ob, it, &fl->env, &fl->msg, why);
		goto done;
	}
	fl->pid = ob_spawn(fl->env.file, fl->env.argv, fl->env.vars,
	    fl->env.nvars, fd, fl->env.flags);
	close(fd);
	if (fl->pid == -1) {
		(void)snprintf(why, sizeof(why), "cannot run: %s",
		    strerror(errno));
		attempt_failed(ob, it, &fl->env, &fl->msg, why);
		goto done;
	}
	if (loop_add_child(ob->lp, fl->pid, on_child, ob) == -1) {
		(void)snprintf(why, sizeof(why), "cannot watch the mailer: %s",
		    strerror(errno));
		(void)kill(-fl->pid, SIGKILL);
		(void)spawn_wait(fl->pid);
		attempt_failed(ob, it, &fl->env, &fl->msg, why);
		goto done;
	}
	fl->started = loop_now();
	loop_timer_arm(ob->ktimer, ob->p.timeout, 0);
	return;
done:
	flight_end(ob);
	schedule(ob);
}

/* The due message whose next attempt came first, or NULL. */
static struct ob_item *
next_item(struct outbox *ob)
{
	struct ob_item *it, *best = NULL;

	TAILQ_FOREACH(it, &ob->items, entry)
		if (best == NULL || it->next < best->next ||
		    (it->next == best->next && strcmp(it->name,
		    best->name) < 0))
			best = it;
	return best;
}

static void
on_timer(void *arg)
{
	struct outbox *ob = arg;
	struct ob_item *it;
	uint64_t now = wall_ms();

	if (ob->flight != NULL || (it = next_item(ob)) == NULL)
		return;
	if (it->next > now || ob->gate > now) {
		schedule(ob);	/* early (the clock moved): wait on */
		return;
	}
	attempt(ob, it);
}

/* Arms the timer for the next attempt, if any and none is in flight. */
static void
schedule(struct outbox *ob)
{
	struct ob_item *it;
	uint64_t now, when, delay = 0;

	if (ob->flight != NULL)
		return;
	if ((it = next_item(ob)) == NULL) {
		loop_timer_disarm(ob->timer);
		return;
	}
	now = wall_ms();
	when = it->next > ob->gate ? it->next : ob->gate;
	if (when > now)
		delay = when - now;
	/* a wall clock set back must not stall the outbox */
	if (delay > ob->p.retry_max)
		delay = ob->p.retry_max;
	loop_timer_arm(ob->timer, delay, 0);
}

/* Loads what an earlier run left in the spool. */
static void
scan(struct outbox *ob)
{
	struct spool_env e;
	struct buf msg = { 0 };
	char **names;
	size_t n, i;
	int rc;

	names = spool_list(ob->sp, &n);
	for (i = 0; i < n; i++) {
		buf_reset(&msg);
		rc = spool_read(ob->sp, names[i], &e, &msg, NULL);
		if (rc == -2) {
			log_warnx("outbox: moving %s to %s/%s.corrupt",
			    names[i], spool_failed_path(ob->sp), names[i]);
			if (spool_move_failed(ob->sp, names[i],
			    ".corrupt") == 0)
				ob->st.failed++;
		} else if (rc == 0) {
			/* a restart is a fresh start: oldest first, now */
			e.next = e.first;
			(void)item_add(ob, names[i], &e);
			if (e.attempts > 0 && (ob->fail_since == 0 ||
			    e.first < ob->fail_since))
				ob->fail_since = e.first;
			spool_env_clear(&e);
		}
		free(names[i]);
	}
	free(names);
	buf_free(&msg);
	if (ob->nitems > 0)
		log_info("outbox: %zu messages waiting in %s", ob->nitems,
		    spool_path(ob->sp));
}

static void
on_commit(void *arg)
{
	struct outbox *ob = arg;

	if (ob->commit != NULL)
		ob->commit(ob->commit_arg);
}

void
outbox_set_commit(struct outbox *ob, outbox_commit_cb *cb, void *arg)
{
	ob->commit = cb;
	ob->commit_arg = arg;
}

struct outbox *
outbox_open(struct loop *lp, const char *statedir, const struct config *cfg)
{
	struct outbox *ob;
	char *path;

	ob = xcalloc(1, sizeof(*ob));
	ob->lp = lp;
	TAILQ_INIT(&ob->items);
	outbox_params_init(&ob->p, cfg);
	ob->timer = loop_timer_new(lp, on_timer, ob);
	ob->ktimer = loop_timer_new(lp, on_timeout, ob);
	ob->ctimer = loop_timer_new(lp, on_commit, ob);
	if (statedir == NULL)
		return ob;
	ob->base = xstrdup(statedir);
	/* an outbox left by an earlier run is delivered at once */
	path = xasprintf("%s/outbox", statedir);
	if (access(path, F_OK) == 0 && need_spool(ob) == 0) {
		scan(ob);
		schedule(ob);
	}
	free(path);
	return ob;
}

void
outbox_reconfigure(struct outbox *ob, const struct config *cfg)
{
	outbox_params_clear(&ob->p);
	outbox_params_init(&ob->p, cfg);
}

/* At stop: gives a mailer in flight a moment to finish. */
static void
close_flight(struct outbox *ob)
{
	struct ob_flight *fl = ob->flight;
	uint64_t end = loop_now() + OUTBOX_CLOSE_WAIT_MS;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;
	pid_t r;

	while ((r = waitpid(fl->pid, &status, WNOHANG)) == 0 &&
	    loop_now() < end)
		(void)nanosleep(&ts, NULL);
	if (r == 0) {
		(void)kill(-fl->pid, SIGKILL);
		r = waitpid(fl->pid, &status, 0);
	}
	if (r == fl->pid && fl->killed == 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		attempt_ok(ob, fl->it, &fl->env);
	flight_end(ob);
}

void
outbox_close(struct outbox *ob)
{
	struct ob_item *it;
	long nfailed;
	char *p;

	if (ob == NULL)
		return;
	if (ob->flight != NULL)
		close_flight(ob);
	if (ob->sp != NULL && ob->nitems > 0)
		log_warnx("outbox: %zu messages not delivered yet are kept in "
		    "%s%s", ob->nitems, spool_path(ob->sp), ob->private ?
		    " (a private directory: lost at reboot, and not read "
		    "by the next run)" : "");
	if (ob->private && ob->nitems == 0 &&
	    (nfailed = spool_failed_count(ob->sp)) == 0) {
		(void)rmdir(spool_failed_path(ob->sp));
		(void)rmdir(spool_path(ob->sp));
		(void)rmdir(ob->base);
	} else if (ob->private && ob->nitems == 0 && nfailed > 0)
		log_warnx("outbox: %ld undeliverable messages are in %s",
		    nfailed, spool_failed_path(ob->sp));
	while ((it = TAILQ_FIRST(&ob->items)) != NULL)
		item_drop(ob, it);
	loop_timer_free(ob->timer);
	loop_timer_free(ob->ktimer);
	loop_timer_free(ob->ctimer);
	spool_close(ob->sp);
	outbox_params_clear(&ob->p);
	p = ob->base;
	free(p);
	free(ob);
}

/*
 * A message could not be spooled (its caller runs the mailer or helper
 * itself): logged once per run of failures, not per message.
 */
static void
spool_failed(struct outbox *ob)
{
	if (ob->direct++ == 0)
		log_warnx("outbox: cannot spool (%s: %s): mails go to the "
		    "mailer directly until it can", spool_error(ob->sp),
		    strerror(errno));
}

static int
add(struct outbox *ob, const char *kind, const struct exec_cmd *c,
    const char *cmdtext, const char *rcpt, unsigned permfail,
    const char *msg, size_t len)
{
	struct spool_env e;
	char *name;

	if (c->file == NULL || c->argc == 0 || need_spool(ob) == -1)
		return -1;
	memset(&e, 0, sizeof(e));
	e.kind = (char *)kind;
	e.rcpt = (char *)rcpt;
	e.cmd = (char *)cmdtext;
	e.file = c->file;
	e.argv = c->argv;
	e.argc = c->argc;
	e.vars = c->vars;
	e.nvars = c->nvars;
	e.flags = (c->dup_stderr ? SPOOL_STDERR_DUP : 0) |
	    (c->null_stderr ? SPOOL_STDERR_NULL : 0);
	e.permfail = permfail;
	e.first = e.next = wall_ms();
	if ((name = spool_put(ob->sp, &e, msg, len)) == NULL) {
		spool_failed(ob);
		return -1;
	}
	if (ob->direct != 0) {
		log_warnx("outbox: spooling again; %" PRIu64 " mails went to "
		    "the mailer directly meanwhile", ob->direct);
		ob->direct = 0;
	}
	(void)item_add(ob, name, &e);
	free(name);
	ob->st.spooled++;
	if (ob->commit != NULL && !loop_timer_armed(ob->ctimer))
		loop_timer_arm(ob->ctimer, 0, 0);
	schedule(ob);
	return 0;
}

int
outbox_add(struct outbox *ob, const char *kind, const struct exec_cmd *c,
    const char *cmdtext, const char *rcpt, const char *msg, size_t len)
{
	return add(ob, kind, c, cmdtext, rcpt, 0, msg, len);
}

int
outbox_add_helper(struct outbox *ob, const char *kind,
    const struct exec_cmd *c, const char *cmdtext, const char *rcpt,
    const char *msg, size_t len)
{
	return add(ob, kind, c, cmdtext, rcpt, OUTBOX_EX_PERMFAIL, msg, len);
}

void
outbox_stats(const struct outbox *ob, struct outbox_stats *st)
{
	*st = ob->st;
	st->waiting = ob->nitems;
	st->oldest = oldest_age(ob, wall_ms());
	st->failing = ob->fail_since != 0;
}

void
outbox_log_stats(const struct outbox *ob)
{
	struct outbox_stats st;
	char age[32];

	outbox_stats(ob, &st);
	fmt_age(st.oldest, age, sizeof(age));
	log_info("outbox %s: %" PRIu64 " waiting (oldest %s), %" PRIu64
	    " spooled, %" PRIu64 " sent, %" PRIu64 " retried, %" PRIu64
	    " failed", ob->sp != NULL ? spool_path(ob->sp) : "(none yet)",
	    st.waiting, age, st.spooled, st.sent, st.retried, st.failed);
}

const char *
outbox_path(const struct outbox *ob)
{
	return ob->sp != NULL ? spool_path(ob->sp) : NULL;
}
