#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action_exec.h"
#include "config.h"
#include "loop.h"
#include "outbox.h"
#include "spool.h"
#include "util.h"

#define S	1000ULL
#define MIN	(60 * S)

/* The retry schedule: 30 s, doubling, at most 15 minutes. */
static void
test_backoff(void **state)
{
	static const struct {
		unsigned	 n;
		uint64_t	 base, max, want;
	} cases[] = {
		{ 1, 30 * S, 15 * MIN, 30 * S },
		{ 2, 30 * S, 15 * MIN, 60 * S },
		{ 3, 30 * S, 15 * MIN, 120 * S },
		{ 4, 30 * S, 15 * MIN, 240 * S },
		{ 5, 30 * S, 15 * MIN, 480 * S },
		{ 6, 30 * S, 15 * MIN, 15 * MIN },
		{ 7, 30 * S, 15 * MIN, 15 * MIN },
		{ 1000, 30 * S, 15 * MIN, 15 * MIN },
		{ 0, 30 * S, 15 * MIN, 30 * S },
		{ 1, 200, 15 * MIN, 200 },
		{ 3, 200, 15 * MIN, 800 },
		{ 70, UINT64_MAX / 2, UINT64_MAX, UINT64_MAX },
		{ 1, 20 * MIN, 15 * MIN, 15 * MIN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (outbox_backoff(cases[i].n, cases[i].base, cases[i].max) !=
		    cases[i].want)
			fail_msg("case %zu: %llu", i, (unsigned long long)
			    outbox_backoff(cases[i].n, cases[i].base,
			    cases[i].max));
	/* first retry within 30 s; never more than 15 minutes apart */
	assert_true(outbox_backoff(1, OUTBOX_RETRY_MS, OUTBOX_RETRY_MAX_MS) <=
	    30 * S);
	for (i = 1; i < 100; i++)
		assert_true(outbox_backoff((unsigned)i, OUTBOX_RETRY_MS,
		    OUTBOX_RETRY_MAX_MS) <= 15 * MIN);
}

static void
test_duration(void **state)
{
	static const struct {
		const char	*s;
		int		 rc;
		uint64_t	 ms;
	} cases[] = {
		{ "5d", 0, 5 * 24 * 3600 * S },
		{ "12h", 0, 12 * 3600 * S },
		{ "1h30m", 0, 90 * MIN },
		{ "90", 0, 90 * S },
		{ "90s", 0, 90 * S },
		{ "500ms", 0, 500 },
		{ "2w", 0, 14 * 24 * 3600 * S },
		{ "1m1ms", 0, MIN + 1 },
		{ "0", 0, 0 },
		{ "", -1, 0 },
		{ "d", -1, 0 },
		{ "5x", -1, 0 },
		{ "5 d", -1, 0 },
		{ "-5s", -1, 0 },
		{ "1h30", -1, 0 },
		{ "99999999999999999999s", -1, 0 },
		{ "9999999999999999w", -1, 0 },
	};
	uint64_t ms;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = 0;
		rc = outbox_parse_duration(cases[i].s, &ms);
		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
			fail_msg("\"%s\": rc %d ms %llu", cases[i].s, rc,
			    (unsigned long long)ms);
	}
}

static void
test_directives(void **state)
{
	static const struct {
		const char	*name, *value;
		bool		 ok;
	} cases[] = {
		{ "mail-max-age", "5d", true },
		{ "mail-max-age", "0", false },
		{ "mail-max-age", "soon", false },
		{ "mail-fallback-after", "1h", true },
		{ "mail-fallback-after", "1y", false },
		{ "mail-transport", "sendmail", true },
		{ "mail-transport", "smtp", true },
		{ "mail-transport", "pigeon", false },
		{ "mail-fallback", "logger -p mail.crit watchfor", true },
		{ "input", "/var/log/syslog", true },
	};
	size_t i;
	char *err;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = outbox_directive_error(cases[i].name, cases[i].value);
		if ((err == NULL) != cases[i].ok)
			fail_msg("%s %s: %s", cases[i].name, cases[i].value,
			    err != NULL ? err : "accepted");
		free(err);
	}
}

static void
test_params(void **state)
{
	struct config_directive dirs[] = {
		{ "mail-max-age", "1d", "f", 1, 1 },
		{ "mail-max-age", "2h", "f", 2, 1 },	/* the last wins */
		{ "mail-fallback-after", "10m", "f", 3, 1 },
		{ "mail-fallback", "echo help", "f", 4, 1 },
	};
	struct config cfg;
	struct outbox_params p;

	(void)state;
	unsetenv("WATCHFOR_TEST_RETRY_MS");
	outbox_params_init(&p, NULL);
	assert_int_equal(p.max_age, 5 * 24 * 3600 * S);
	assert_int_equal(p.retry, 30 * S);
	assert_int_equal(p.retry_max, 15 * MIN);
	assert_null(p.fallback);
	outbox_params_clear(&p);
	memset(&cfg, 0, sizeof(cfg));
	cfg.directives = dirs;
	cfg.ndirectives = sizeof(dirs) / sizeof(dirs[0]);
	setenv("WATCHFOR_TEST_RETRY_MS", "250", 1);
	outbox_params_init(&p, &cfg);
	assert_int_equal(p.max_age, 2 * 3600 * S);
	assert_int_equal(p.fallback_after, 10 * MIN);
	assert_string_equal(p.fallback, "echo help");
	assert_int_equal(p.retry, 250);
	outbox_params_clear(&p);
	unsetenv("WATCHFOR_TEST_RETRY_MS");
}

/* ---- delivery through the loop, with a fake mailer ---- */

struct fix {
	char		*dir;		/* scratch */
	char		*state;		/* DIR/state */
	char		*mailer;	/* DIR/mailer */
	char		*mbox;		/* what the mailer accepted */
	struct loop	*lp;
};

static char *
slurp(const char *path)
{
	struct buf b = { 0 };
	FILE *fp;
	int c;

	if ((fp = fopen(path, "r")) == NULL)
		return xstrdup("");
	while ((c = getc(fp)) != EOF)
		buf_addc(&b, (char)c);
	fclose(fp);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/*
 * The mailer fails with 75 `fails` times (counted in DIR/count), then
 * appends its stdin to DIR/mbox; "hang" makes it sleep instead.
 */
static void
fix_mailer(struct fix *fx, int fails, bool hang)
{
	FILE *fp;

	fp = fopen(fx->mailer, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\nd='%s'\n"
	    "n=$(cat \"$d/count\" 2>/dev/null || echo 0)\n"
	    "n=$((n + 1)); echo $n > \"$d/count\"\n"
	    "%s"
	    "[ $n -le %d ] && exit 75\n"
	    "cat >> \"$d/mbox\"\n", fx->dir, hang ? "exec sleep 60\n" : "",
	    fails);
	fclose(fp);
	assert_int_equal(chmod(fx->mailer, 0700), 0);
}

static int
setup(void **state)
{
	struct fix *fx = xcalloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

	fx->dir = xasprintf("%s/test_outbox.XXXXXX", tmp);
	assert_non_null(mkdtemp(fx->dir));
	fx->state = xasprintf("%s/state", fx->dir);
	fx->mailer = xasprintf("%s/mailer", fx->dir);
	fx->mbox = xasprintf("%s/mbox", fx->dir);
	fx->lp = loop_new();
	setenv("WATCHFOR_TEST_RETRY_MS", "50", 1);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *fx = *state;
	char *cmd = xasprintf("rm -rf '%s'", fx->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	loop_free(fx->lp);
	free(fx->dir);
	free(fx->state);
	free(fx->mailer);
	free(fx->mbox);
	free(fx);
	unsetenv("WATCHFOR_TEST_RETRY_MS");
	unsetenv("WATCHFOR_TEST_MAIL_TIMEOUT_MS");
	return 0;
}

static void
add(struct fix *fx, struct outbox *ob, const char *msg)
{
	char *argv[] = { fx->mailer, NULL };
	struct exec_cmd c = { 0 };

	c.file = fx->mailer;
	c.argv = argv;
	c.argc = 1;
	assert_int_equal(outbox_add(ob, "mail", &c, fx->mailer, "root", msg,
	    strlen(msg)), 0);
}

/* Runs the loop until the outbox has nothing waiting, 10 s at most. */
static void
drain(struct fix *fx, struct outbox *ob)
{
	struct outbox_stats st;
	uint64_t end = loop_now() + 10000;

	for (;;) {
		outbox_stats(ob, &st);
		if (st.waiting == 0)
			return;
		if (loop_now() > end)
			fail_msg("outbox not drained: %llu waiting",
			    (unsigned long long)st.waiting);
		(void)loop_run_once(fx->lp, 100);
	}
}

static size_t
count_files(const char *dir)
{
	char *cmd = xasprintf("ls -A '%s' 2>/dev/null | grep -vx failed | "
	    "wc -l", dir), buf[32] = "";
	FILE *fp = popen(cmd, "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	pclose(fp);
	free(cmd);
	return (size_t)strtoul(buf, NULL, 10);
}

/* Two failures (exit 75), then delivered once; counters add up. */
static void
test_retry_then_deliver(void **state)
{
	struct fix *fx = *state;
	struct outbox *ob;
	struct outbox_stats st;
	char *mbox, *out;

	fix_mailer(fx, 2, false);
	ob = outbox_open(fx->lp, fx->state, NULL);
	assert_null(outbox_path(ob));	/* nothing made before needed */
	add(fx, ob, "To: root\nSubject: x\n\nhello\n");
	/* on disk before any attempt */
	out = xasprintf("%s/outbox", fx->state);
	assert_int_equal(count_files(out), 1);
	assert_int_equal(access(fx->mbox, F_OK), -1);
	drain(fx, ob);
	outbox_stats(ob, &st);
	assert_int_equal(st.spooled, 1);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.retried, 2);
	assert_int_equal(st.failed, 0);
	mbox = slurp(fx->mbox);
	assert_string_equal(mbox, "To: root\nSubject: x\n\nhello\n");
	assert_int_equal(count_files(out), 0);
	outbox_close(ob);
	free(mbox);
	free(out);
}

/* A spool left by an earlier run goes out at start, oldest first. */
static void
test_restart_oldest_first(void **state)
{
	struct fix *fx = *state;
	char *argv[] = { fx->mailer, NULL }, *n, *mbox, *p;
	struct spool_env e = { 0 };
	struct spool *sp;
	struct outbox *ob;
	struct outbox_stats st;
	static const uint64_t firsts[] = { 3000, 1000, 2000 };
	size_t i;
	FILE *fp;

	fix_mailer(fx, 0, false);
	sp = spool_open(fx->state);
	assert_non_null(sp);
	e.kind = "mail";
	e.file = fx->mailer;
	e.argv = argv;
	e.argc = 1;
	for (i = 0; i < 3; i++) {
		e.first = firsts[i];
		e.next = 1ULL << 62;	/* far away: a restart ignores it */
		e.attempts = 3;
		p = xasprintf("m%llu\n", (unsigned long long)firsts[i]);
		n = spool_put(sp, &e, p, strlen(p));
		assert_non_null(n);
		free(n);
		free(p);
	}
	/* and one that is not a spool file at all */
	p = xasprintf("%s/0000000000000500-1-9", spool_path(sp));
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("junk\n", fp);
	fclose(fp);
	free(p);
	spool_close(sp);

	ob = outbox_open(fx->lp, fx->state, NULL);
	drain(fx, ob);
	outbox_stats(ob, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.failed, 1);		/* the junk, set aside */
	mbox = slurp(fx->mbox);
	assert_string_equal(mbox, "m1000\nm2000\nm3000\n");
	p = xasprintf("%s/outbox/failed/0000000000000500-1-9.corrupt",
	    fx->state);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	outbox_close(ob);
	free(mbox);
}

/* A hanging mailer is killed at the timeout and retried. */
static void
test_timeout(void **state)
{
	struct fix *fx = *state;
	struct outbox *ob;
	struct outbox_stats st;
	uint64_t end;

	fix_mailer(fx, 0, true);
	setenv("WATCHFOR_TEST_MAIL_TIMEOUT_MS", "200", 1);
	ob = outbox_open(fx->lp, fx->state, NULL);
	add(fx, ob, "m\n");
	end = loop_now() + 10000;
	do {
		(void)loop_run_once(fx->lp, 100);
		outbox_stats(ob, &st);
	} while (st.retried < 2 && loop_now() < end);
	assert_true(st.retried >= 2);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.waiting, 1);
	outbox_close(ob);	/* kills the one in flight, keeps the file */
	ob = outbox_open(fx->lp, fx->state, NULL);
	outbox_stats(ob, &st);
	assert_int_equal(st.waiting, 1);
	fix_mailer(fx, 0, false);
	drain(fx, ob);
	outbox_close(ob);
}

/* Past the maximum age a failing message moves to failed/. */
static void
test_max_age(void **state)
{
	struct fix *fx = *state;
	struct config_directive dirs[] = {
		{ "mail-max-age", "1ms", "f", 1, 1 },
	};
	struct config cfg;
	struct outbox *ob;
	struct outbox_stats st;
	char *failed;

	memset(&cfg, 0, sizeof(cfg));
	cfg.directives = dirs;
	cfg.ndirectives = 1;
	fix_mailer(fx, 100, false);
	ob = outbox_open(fx->lp, fx->state, &cfg);
	add(fx, ob, "m\n");
	usleep(2000);	/* older than the max age before its attempt */
	drain(fx, ob);
	outbox_stats(ob, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.sent, 0);
	failed = xasprintf("%s/outbox/failed", fx->state);
	assert_int_equal(count_files(failed), 1);
	free(failed);
	outbox_close(ob);
}

/* Without a state directory: a private 0700 directory, gone when empty. */
static void
test_private_dir(void **state)
{
	struct fix *fx = *state;
	struct outbox *ob;
	struct stat st;
	char *base, *old = getenv("TMPDIR") ? xstrdup(getenv("TMPDIR")) : NULL;

	setenv("TMPDIR", fx->dir, 1);
	fix_mailer(fx, 0, false);
	ob = outbox_open(fx->lp, NULL, NULL);
	add(fx, ob, "m\n");
	assert_non_null(outbox_path(ob));
	base = xstrdup(outbox_path(ob));
	assert_int_equal(strncmp(base, fx->dir, strlen(fx->dir)), 0);
	*strrchr(base, '/') = '\0';
	assert_int_equal(stat(base, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	drain(fx, ob);
	outbox_close(ob);
	assert_int_equal(access(base, F_OK), -1);
	free(base);
	if (old != NULL)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_params),
		cmocka_unit_test_setup_teardown(test_retry_then_deliver, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart_oldest_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_dir, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
