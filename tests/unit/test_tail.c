#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "state.h"
#include "tail.h"
#include "util.h"

struct got {
	struct buf	 text;		/* lines joined with '\n' */
	unsigned	 flags;		/* OR of all flags seen */
	int		 n;
};

static void
on_line(const char *line, size_t len, const char *path, unsigned flags,
    void *arg)
{
	struct got *g = arg;

	(void)path;
	assert_int_equal(line[len], '\0');
	buf_add(&g->text, line, len);
	buf_addc(&g->text, '\n');
	g->flags |= flags;
	g->n++;
}

static char *dir;

static int
setup(void **unused)
{
	char tmpl[] = "/tmp/test_tail.XXXXXX";

	(void)unused;
	assert_non_null(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	return 0;
}

static int
teardown(void **unused)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)unused;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
	return 0;
}

static void
append(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	assert_true(fd != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
appends(const char *path, const char *s)
{
	append(path, s, strlen(s));
}

/* Runs the loop until `want` lines arrived or 5 s passed. */
static void
run_until(struct loop *lp, struct got *g, int want)
{
	uint64_t end = loop_now() + 5000;

	while (g->n < want && loop_now() < end)
		loop_run_once(lp, 50);
}

/* Runs the loop for `ms` (to show that nothing more comes). */
static void
run_for(struct loop *lp, int ms)
{
	uint64_t end = loop_now() + (uint64_t)ms;

	while (loop_now() < end)
		loop_run_once(lp, 20);
}

struct fixture {
	struct loop	*lp;
	struct tail	*t;
	struct got	 g;
	char		*path;
};

static void
fx_start(struct fixture *fx, bool poll, size_t max_line, struct state *st)
{
	struct tail_params p = { 0 };

	p.poll = poll;
	p.poll_ms = 50;
	p.quiet_ms = 200;
	p.max_line = max_line;
	p.commit_ms = 50;
	p.state = st;
	fx->lp = loop_new();
	fx->t = tail_new(fx->lp, &p, on_line, &fx->g);
	assert_int_equal(tail_add(fx->t, fx->path), 0);
	assert_int_equal(tail_add(fx->t, fx->path), -1);	/* twice */
}

static void
fx_stop(struct fixture *fx)
{
	tail_free(fx->t);
	loop_free(fx->lp);
	fx->t = NULL;
	fx->lp = NULL;
}

static void
fx_free(struct fixture *fx)
{
	if (fx->t != NULL)
		fx_stop(fx);
	buf_free(&fx->g.text);
	unlink(fx->path);
	free(fx->path);
}

static void
basic(bool poll)
{
	struct fixture fx = { 0 };

	fx.path = xasprintf("%s/basic%d", dir, poll);
	appends(fx.path, "old line\n");
	fx_start(&fx, poll, 0, NULL);
	appends(fx.path, "one\ntw");
	run_until(fx.lp, &fx.g, 1);
	run_for(fx.lp, 150);
	assert_int_equal(fx.g.n, 1);		/* "tw" waits */
	appends(fx.path, "o\n\nfour\n");
	run_until(fx.lp, &fx.g, 4);
	assert_int_equal(fx.g.n, 4);
	assert_string_equal(fx.g.text.data, "one\ntwo\n\nfour\n");
	fx_free(&fx);
}

static void
test_basic_inotify(void **unused)
{
	(void)unused;
	basic(false);
}

static void
test_basic_poll(void **unused)
{
	(void)unused;
	basic(true);
}

/* Lines of every length around the read block and the maximum. */
static void
test_long_lines(void **unused)
{
	struct fixture fx = { 0 };
	struct tail_stats st;
	size_t lens[] = { 0, 1, 131071, 131072, 131073, 300000 };
	char *big;
	size_t i, off;

	(void)unused;
	fx.path = xasprintf("%s/long", dir);
	appends(fx.path, "");
	fx_start(&fx, false, 200000, NULL);
	big = xmalloc(300001);
	memset(big, 'x', 300000);
	big[300000] = '\n';
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		append(fx.path, big + 300000 - lens[i], lens[i] + 1);
	}
	appends(fx.path, "end\n");
	run_until(fx.lp, &fx.g, 7);
	assert_int_equal(fx.g.n, 7);
	off = 0;
	for (i = 0; i < 6; i++) {
		size_t want = lens[i] > 200000 ? 200000 : lens[i];
		char *nl = memchr(fx.g.text.data + off, '\n',
		    fx.g.text.len - off);

		assert_non_null(nl);
		assert_int_equal((size_t)(nl - fx.g.text.data) - off, want);
		off += want + 1;
	}
	assert_string_equal(fx.g.text.data + off, "end\n");
	assert_true(fx.g.flags & TAIL_LINE_TRUNCATED);
	tail_stats(fx.t, &st);
	assert_int_equal(st.long_lines, 1);
	assert_int_equal(st.lines, 7);
	free(big);
	fx_free(&fx);
}

/* Rename away with an unterminated last line; new file; quiet: flushed. */
static void
rotate_unterminated(bool poll)
{
	struct fixture fx = { 0 };
	struct tail_stats st;
	char *old;

	(void)poll;
	fx.path = xasprintf("%s/rot%d", dir, poll);
	old = xasprintf("%s.1", fx.path);
	appends(fx.path, "");
	fx_start(&fx, poll, 0, NULL);
	appends(fx.path, "a\nno-newline");
	run_until(fx.lp, &fx.g, 1);
	assert_int_equal(rename(fx.path, old), 0);
	appends(fx.path, "b\n");
	run_until(fx.lp, &fx.g, 3);
	assert_int_equal(fx.g.n, 3);
	assert_true(fx.g.flags & TAIL_LINE_UNTERMINATED);
	/* Never glued: "no-newline" and "b" are separate lines. */
	assert_true(strcmp(fx.g.text.data, "a\nb\nno-newline\n") == 0 ||
	    strcmp(fx.g.text.data, "a\nno-newline\nb\n") == 0);
	tail_stats(fx.t, &st);
	assert_int_equal(st.rotations, 1);
	assert_int_equal(st.files_open, 1);	/* old one closed */
	unlink(old);
	free(old);
	fx_free(&fx);
}

static void
test_rotate_inotify(void **unused)
{
	(void)unused;
	rotate_unterminated(false);
}

static void
test_rotate_poll(void **unused)
{
	(void)unused;
	rotate_unterminated(true);
}

static void
test_truncate(void **unused)
{
	struct fixture fx = { 0 };
	struct tail_stats st;

	(void)unused;
	fx.path = xasprintf("%s/trunc", dir);
	appends(fx.path, "");
	fx_start(&fx, false, 0, NULL);
	appends(fx.path, "aaaaaaaaaa\n");
	run_until(fx.lp, &fx.g, 1);
	assert_int_equal(truncate(fx.path, 0), 0);
	appends(fx.path, "b\n");
	run_until(fx.lp, &fx.g, 2);
	assert_string_equal(fx.g.text.data, "aaaaaaaaaa\nb\n");
	tail_stats(fx.t, &st);
	assert_int_equal(st.truncations, 1);
	fx_free(&fx);
}

/* Restart with state: lines written while down come once. */
static void
test_state_resume(void **unused)
{
	struct fixture fx = { 0 };
	struct state *st;
	char *sdir;

	(void)unused;
	sdir = xasprintf("%s/state", dir);
	fx.path = xasprintf("%s/resume", dir);
	appends(fx.path, "before\n");
	st = state_open(sdir, "offsets");
	fx_start(&fx, false, 0, st);
	appends(fx.path, "one\n");
	run_until(fx.lp, &fx.g, 1);
	fx_stop(&fx);			/* commits */
	state_free(st);
	appends(fx.path, "two\nthr");
	st = state_open(sdir, "offsets");
	fx_start(&fx, false, 0, st);
	run_until(fx.lp, &fx.g, 2);
	fx_stop(&fx);
	state_free(st);
	appends(fx.path, "ee\n");
	st = state_open(sdir, "offsets");
	fx_start(&fx, true, 0, st);
	run_until(fx.lp, &fx.g, 3);
	run_for(fx.lp, 100);
	assert_string_equal(fx.g.text.data, "one\ntwo\nthree\n");
	fx_free(&fx);
	state_free(st);
	free(sdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_inotify),
		cmocka_unit_test(test_basic_poll),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_rotate_inotify),
		cmocka_unit_test(test_rotate_poll),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_state_resume),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
