#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_cmd.h"
#include "executor.h"
#include "log.h"
#include "loop.h"
#include "util.h"

/* Exit statuses of finished commands, in the order they ended. */
struct rec {
	int	 n;
	int	 status[256];
};

static void
on_done(int status, void *arg)
{
	struct rec *r = arg;

	if (r->n < (int)(sizeof(r->status) / sizeof(r->status[0])))
		r->status[r->n] = status;
	r->n++;
}

static char	 tmpdir[] = "/tmp/test_executor.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return chdir(tmpdir);
}

static int
teardown(void **state)
{
	char *cmd;
	int rc;

	(void)state;
	cmd = xasprintf("rm -rf %s", tmpdir);
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* `/bin/sh -c SCRIPT`, with one variable "NAME=value" or none. */
static void
mkcmd(struct exec_cmd *c, const char *script, const char *var)
{
	memset(c, 0, sizeof(*c));
	c->file = xstrdup("/bin/sh");
	c->argv = xcalloc(4, sizeof(*c->argv));
	c->argv[0] = xstrdup("sh");
	c->argv[1] = xstrdup("-c");
	c->argv[2] = xstrdup(script);
	c->argc = 3;
	c->vars = xcalloc(2, sizeof(*c->vars));
	if (var != NULL)
		c->vars[c->nvars++] = xstrdup(var);
}

static struct executor_job
mkjob(const char *name, struct rec *r)
{
	struct executor_job job = { 0 };

	job.what = "exec";
	job.name = name;
	job.done = on_done;
	job.arg = r;
	return job;
}

static void
run(struct executor *ex, const char *script, const char *var,
    struct rec *r)
{
	struct executor_job job = mkjob(script, r);
	struct exec_cmd c;

	mkcmd(&c, script, var);
	executor_run(ex, &c, &job, NULL, 0);
	assert_null(c.argv);		/* taken over */
}

/* Runs the loop until `r` has `n` results; fails after `ms`. */
static void
wait_done(struct loop *lp, const struct rec *r, int n, uint64_t ms)
{
	uint64_t end = loop_now() + ms;

	while (r->n < n) {
		if (loop_now() > end)
			fail_msg("%d of %d commands done after %llu ms", r->n,
			    n, (unsigned long long)ms);
		assert_int_equal(loop_run_once(lp, 50), 0);
	}
}

static void
assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static char *
slurp(const char *path)
{
	FILE *fp;
	char buf[65536];
	size_t n;

	if ((fp = fopen(path, "r")) == NULL)
		return xstrdup("");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return xstrdup(buf);
}

/* The loop reports each child's end to its job's callback. */
static void
test_exit_status(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	/* one record each: the children may end in any order */
	struct rec r[3] = { { 0 }, { 0 }, { 0 } };

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	assert_true(executor_async(ex));
	run(ex, "exit 3", NULL, &r[0]);
	run(ex, "kill -USR2 $$", NULL, &r[1]);
	run(ex, "sleep 0.3; exit 0", NULL, &r[2]);
	assert_int_equal(r[0].n + r[1].n + r[2].n, 0);	/* none waited for */
	wait_done(lp, &r[0], 1, 10000);
	wait_done(lp, &r[1], 1, 10000);
	wait_done(lp, &r[2], 1, 10000);
	assert_true(WIFEXITED(r[0].status[0]) &&
	    WEXITSTATUS(r[0].status[0]) == 3);
	assert_true(WIFSIGNALED(r[1].status[0]) &&
	    WTERMSIG(r[1].status[0]) == SIGUSR2);
	assert_true(WIFEXITED(r[2].status[0]) &&
	    WEXITSTATUS(r[2].status[0]) == 0);
	executor_get_stats(ex, &st);
	assert_int_equal(st.started, 3);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.running, 0);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* The same with SIGCHLD reaping instead of pidfds. */
static void
test_exit_status_sigchld(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };
	int i;

	(void)state;
	lp = loop_new();
	loop_force_sigchld(lp);
	ex = executor_new(lp);
	for (i = 0; i < 5; i++)
		run(ex, "exit 7", NULL, &r);
	wait_done(lp, &r, 5, 10000);
	for (i = 0; i < 5; i++)
		assert_int_equal(WEXITSTATUS(r.status[i]), 7);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* A command that cannot start is reported at once, leaving no child. */
static void
test_cannot_run(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_job job;
	struct exec_cmd c;
	struct rec r = { 0 };

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	memset(&c, 0, sizeof(c));
	c.file = xstrdup("/nonexistent/program");
	c.argv = xcalloc(2, sizeof(*c.argv));
	c.argv[0] = xstrdup(c.file);
	c.argc = 1;
	job = mkjob(c.file, &r);
	executor_run(ex, &c, &job, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.status[0], -1);
	assert_no_children();
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
}

/* A hung command gets SIGTERM at its timeout. */
static void
test_timeout_term(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	uint64_t t0;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 1, 0);
	t0 = loop_now();
	run(ex, "sleep 100", NULL, &r);
	wait_done(lp, &r, 1, 10000);
	assert_true(loop_now() - t0 >= 1000);
	assert_true(WIFSIGNALED(r.status[0]) &&
	    WTERMSIG(r.status[0]) == SIGTERM);
	executor_get_stats(ex, &st);
	assert_int_equal(st.timed_out, 1);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* True when process `pid` is gone or a zombie. */
static bool
dead(long pid)
{
	char path[64], *st, *p;
	bool rc;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (access(path, F_OK) == -1)
		return true;
	st = slurp(path);
	p = strrchr(st, ')');
	rc = p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
	free(st);
	return rc;
}

static long
read_long(const char *path)
{
	char *s = slurp(path);
	long v = strtol(s, NULL, 10);

	free(s);
	return v;
}

/*
 * A command whose whole process group ignores SIGTERM gets SIGKILL after
 * the grace; its own child (a background sleep) dies with it.
 */
static void
test_timeout_kill(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };
	uint64_t t0, dt;
	long sleeper;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 1, 0);
	t0 = loop_now();
	run(ex, "trap '' TERM; cut -d' ' -f5 /proc/self/stat > pgid; "
	    "echo $$ > shpid; sleep 100 & echo $! > sleeper; wait; exit 0",
	    NULL, &r);
	wait_done(lp, &r, 1, 20000);
	dt = loop_now() - t0;
	assert_true(dt >= 1000 + EXECUTOR_KILL_GRACE_MS);
	assert_true(dt < 1000 + EXECUTOR_KILL_GRACE_MS + 15000);
	assert_true(WIFSIGNALED(r.status[0]) &&
	    WTERMSIG(r.status[0]) == SIGKILL);
	/* the command led its own process group */
	assert_int_equal(read_long("pgid"), read_long("shpid"));
	sleeper = read_long("sleeper");
	assert_true(sleeper > 1);
	t0 = loop_now();
	while (!dead(sleeper) && loop_now() - t0 < 5000)
		usleep(10000);
	assert_true(dead(sleeper));
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/*
 * A command that ends at SIGTERM while another member of its group
 * ignores it: the group still gets SIGKILL when the grace is over.
 */
static void
test_timeout_linger(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };
	uint64_t t0;
	long bg;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 1, 0);
	t0 = loop_now();
	run(ex, "(trap '' TERM; exec sleep 100) & echo $! > bg; wait", NULL,
	    &r);
	wait_done(lp, &r, 1, 10000);
	assert_true(WIFSIGNALED(r.status[0]) &&
	    WTERMSIG(r.status[0]) == SIGTERM);
	bg = read_long("bg");
	assert_true(bg > 1);
	assert_false(dead(bg));
	while (!dead(bg) && loop_now() - t0 < 1000 + EXECUTOR_KILL_GRACE_MS +
	    5000)
		assert_int_equal(loop_run_once(lp, 50), 0);
	assert_true(dead(bg));
	assert_true(loop_now() - t0 >= 1000 + EXECUTOR_KILL_GRACE_MS);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* At stop, a group member ignoring SIGTERM is killed as well. */
static void
test_stop_linger(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };
	uint64_t t0;
	long bg;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	run(ex, "(trap '' TERM; exec sleep 100) & echo $! > bg2; wait", NULL,
	    &r);
	while ((bg = read_long("bg2")) <= 1)
		usleep(10000);
	t0 = loop_now();
	executor_stop(ex, 100);
	assert_true(loop_now() - t0 < 10000);	/* generous: no hang */
	t0 = loop_now();
	while (!dead(bg) && loop_now() - t0 < 5000)
		usleep(10000);
	assert_true(dead(bg));
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* At most max_children run at once; the rest wait, none is dropped. */
static void
test_queue_bound(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	int i;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 0, 3);
	for (i = 0; i < 150; i++)
		run(ex, "sleep 0.01", NULL, &r);
	executor_get_stats(ex, &st);
	assert_int_equal(st.running, 3);
	assert_int_equal(st.queued, 147);
	wait_done(lp, &r, 150, 60000);
	for (i = 0; i < 150; i++)
		assert_int_equal(r.status[i], 0);
	executor_get_stats(ex, &st);
	assert_int_equal(st.started, 150);
	assert_int_equal(st.max_running, 3);
	assert_int_equal(st.max_queued, 147);
	assert_int_equal(st.queued, 0);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* The queue is FIFO: with one slot, commands run in submission order. */
static void
test_queue_fifo(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };
	char var[32], *got;
	int i;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 0, 1);
	(void)unlink("order");
	for (i = 0; i < 10; i++) {
		(void)snprintf(var, sizeof(var), "N=%d", i);
		run(ex, "echo \"$N\" >> order", var, &r);
	}
	wait_done(lp, &r, 10, 20000);
	got = slurp("order");
	assert_string_equal(got, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n");
	free(got);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* A big input is written as the pipe drains: submitting never blocks. */
static void
test_input_nonblocking(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_job job;
	struct exec_cmd c;
	struct rec r = { 0 };
	size_t len = 4u << 20;
	char *big, *got;
	uint64_t t0;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	big = xmalloc(len);
	memset(big, 'x', len);
	mkcmd(&c, "sleep 5; wc -c > count", NULL);
	job = mkjob("wc", &r);
	t0 = loop_now();
	executor_run(ex, &c, &job, big, len);
	free(big);
	/* a blocking write would wait for the child's 5 s sleep */
	assert_true(loop_now() - t0 < 4000);
	wait_done(lp, &r, 1, 30000);
	assert_int_equal(r.status[0], 0);
	got = slurp("count");
	assert_int_equal(strtol(got, NULL, 10), (long)len);
	free(got);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

static void
send_pipe(struct executor *ex, const char *key, const char *script,
    const char *msg, struct rec *r)
{
	struct executor_job job = mkjob(key, r);
	struct exec_cmd c;

	job.what = "pipe";
	job.pipe_msg = true;
	mkcmd(&c, script, NULL);
	executor_pipe(ex, key, &c, &job, msg, strlen(msg), true);
	assert_null(c.argv);
}

/* One kept child per command; closed at the end, restarted if dead. */
static void
test_kept_pipe(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	char *got;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	(void)unlink("kept");
	(void)unlink("once");
	send_pipe(ex, "cat", "cat >> kept", "a\n", &r);
	send_pipe(ex, "cat", "cat >> kept", "b\n", &r);
	send_pipe(ex, "cat", "cat >> kept", "c\n", &r);
	executor_get_stats(ex, &st);
	assert_int_equal(st.started, 1);
	assert_int_equal(st.kept, 1);
	assert_int_equal(st.running, 0);	/* not counted as in flight */
	/* a command that reads one line and exits is started again */
	send_pipe(ex, "once", "read x; echo \"$x\" >> once", "1\n", &r);
	wait_done(lp, &r, 1, 10000);
	send_pipe(ex, "once", "read x; echo \"$x\" >> once", "2\n", &r);
	wait_done(lp, &r, 2, 10000);
	executor_get_stats(ex, &st);
	assert_int_equal(st.started, 3);
	executor_pipe_close(ex);
	wait_done(lp, &r, 3, 10000);
	got = slurp("kept");
	assert_string_equal(got, "a\nb\nc\n");
	free(got);
	got = slurp("once");
	assert_string_equal(got, "1\n2\n");
	free(got);
	executor_stop(ex, 1000);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* At most max_children kept pipes: the least recently used is closed. */
static void
test_kept_pipe_lru(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	char *got;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 0, 2);
	(void)unlink("k1");
	send_pipe(ex, "k1", "cat >> k1", "1a\n", &r);
	send_pipe(ex, "k2", "cat >> k2", "2a\n", &r);
	send_pipe(ex, "k1", "cat >> k1", "1b\n", &r);	/* k2 is now LRU */
	send_pipe(ex, "k3", "cat >> k3", "3a\n", &r);
	wait_done(lp, &r, 1, 10000);		/* k2 saw its end */
	got = slurp("k2");
	assert_string_equal(got, "2a\n");
	free(got);
	executor_get_stats(ex, &st);
	assert_int_equal(st.kept, 2);
	assert_int_equal(st.started, 3);
	executor_stop(ex, 5000);
	assert_int_equal(r.n, 3);
	got = slurp("k1");
	assert_string_equal(got, "1a\n1b\n");
	free(got);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* A kept child that does not read: bounded buffer, drops, never blocks. */
static void
test_kept_pipe_bound(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	char *msg;
	uint64_t t0;
	int i;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	msg = xmalloc(65537);
	memset(msg, 'm', 65536);
	msg[65536] = '\0';
	t0 = loop_now();
	for (i = 0; i < 40; i++)	/* 2.5 MiB */
		send_pipe(ex, "sleep", "exec sleep 100", msg, &r);
	free(msg);
	/* generous: blocking would mean for ever (the child never reads) */
	assert_true(loop_now() - t0 < 20000);
	executor_get_stats(ex, &st);
	assert_int_equal(st.started, 1);
	/* at most the pipe's 64 KiB plus 1 MiB buffered went through */
	assert_true(st.dropped >= 40 - (EXECUTOR_PIPE_MAX >> 16) - 2);
	assert_true(st.dropped <= 40 - (EXECUTOR_PIPE_MAX >> 16));
	t0 = loop_now();
	executor_stop(ex, 100);
	assert_true(loop_now() - t0 < 10000);	/* generous: no hang */
	assert_int_equal(r.n, 1);
	assert_true(WIFSIGNALED(r.status[0]));
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/*
 * Stop: the queue is dropped and counted, running commands get the grace,
 * then SIGTERM, then SIGKILL for one that ignores it.
 */
static void
test_stop(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct executor_stats st;
	struct rec r = { 0 };
	uint64_t t0, dt;
	int i, term = 0, kill9 = 0, notrun = 0;

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	executor_set_limits(ex, 0, 2);
	run(ex, "exec sleep 100", NULL, &r);
	run(ex, "trap '' TERM; sleep 100", NULL, &r);
	for (i = 0; i < 3; i++)
		run(ex, "true", NULL, &r);
	t0 = loop_now();
	executor_stop(ex, 300);
	dt = loop_now() - t0;
	assert_true(dt >= 300 + 1000);		/* TERM ignored: KILL */
	assert_true(dt < 300 + 2000 + 10000);	/* generous: no hang */
	assert_int_equal(r.n, 5);
	for (i = 0; i < r.n; i++) {
		if (r.status[i] == -1)
			notrun++;
		else if (WIFSIGNALED(r.status[i]) &&
		    WTERMSIG(r.status[i]) == SIGTERM)
			term++;
		else if (WIFSIGNALED(r.status[i]) &&
		    WTERMSIG(r.status[i]) == SIGKILL)
			kill9++;
	}
	assert_int_equal(notrun, 3);
	assert_int_equal(term, 1);
	assert_int_equal(kill9, 1);
	executor_get_stats(ex, &st);
	assert_int_equal(st.not_run, 3);
	/* once stopping, nothing more is started */
	run(ex, "true", NULL, &r);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.status[5], -1);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* A command ending within the grace is waited for, not killed. */
static void
test_stop_grace(void **state)
{
	struct loop *lp;
	struct executor *ex;
	struct rec r = { 0 };

	(void)state;
	lp = loop_new();
	ex = executor_new(lp);
	run(ex, "sleep 0.2; exit 4", NULL, &r);
	executor_stop(ex, 5000);
	assert_int_equal(r.n, 1);
	assert_true(WIFEXITED(r.status[0]) && WEXITSTATUS(r.status[0]) == 4);
	executor_free(ex);
	loop_free(lp);
	assert_no_children();
}

/* Synchronous: each command has ended when executor_run returns. */
static void
test_sync(void **state)
{
	struct executor *ex;
	struct executor_job job;
	struct exec_cmd c;
	struct rec r = { 0 };
	char *got;

	(void)state;
	ex = executor_new(NULL);
	assert_false(executor_async(ex));
	(void)unlink("sync");
	run(ex, "sleep 0.2; echo one >> sync; exit 5", NULL, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(WEXITSTATUS(r.status[0]), 5);
	mkcmd(&c, "cat >> sync", NULL);
	job = mkjob("cat", &r);
	executor_run(ex, &c, &job, "two\n", 4);
	assert_int_equal(r.n, 2);
	got = slurp("sync");
	assert_string_equal(got, "one\ntwo\n");
	free(got);
	executor_free(ex);
	assert_no_children();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_exit_status_sigchld),
		cmocka_unit_test(test_cannot_run),
		cmocka_unit_test(test_timeout_term),
		cmocka_unit_test(test_timeout_kill),
		cmocka_unit_test(test_timeout_linger),
		cmocka_unit_test(test_stop_linger),
		cmocka_unit_test(test_queue_bound),
		cmocka_unit_test(test_queue_fifo),
		cmocka_unit_test(test_input_nonblocking),
		cmocka_unit_test(test_kept_pipe),
		cmocka_unit_test(test_kept_pipe_lru),
		cmocka_unit_test(test_kept_pipe_bound),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_stop_grace),
		cmocka_unit_test(test_sync),
	};

	log_init("test_executor", false);
	return cmocka_run_group_tests(tests, setup, teardown);
}
