#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "util.h"

static char *argv3[] = { "/usr/sbin/sendmail", "-oi", "-t", NULL };

static void
sample_env(struct spool_env *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = "mail";
	e->rcpt = "root,admin@example.org";
	e->cmd = "/usr/sbin/sendmail -oi -t";
	e->file = "/usr/sbin/sendmail";
	e->argv = argv3;
	e->argc = 3;
	e->first = 1732304219123ULL;
	e->next = 1732304249123ULL;
	e->attempts = 2;
}

/* Every byte survives a round trip through the header and the body. */
static void
test_roundtrip(void **state)
{
	static char *argv[] = { "/bin/sh", "-c", "a\\b\nc\td\x01\x7f\xc3\xa9 ",
		"", NULL };
	static char *vars[] = { "WATCHFOR_1=x\ny\\z", "B=", NULL };
	struct spool_env e, d;
	struct buf b = { 0 };
	const char body[] = "To: root\nSubject: s\n\nline\0with nul\n";
	const char *why;
	size_t off, i;

	(void)state;
	sample_env(&e);
	e.file = "/bin/sh";
	e.argv = argv;
	e.argc = 4;
	e.vars = vars;
	e.nvars = 2;
	e.flags = SPOOL_STDERR_DUP;
	e.error = "exited with status 75";
	e.rcpt = "r\r\n\x1b";
	spool_encode(&e, body, sizeof(body) - 1, &b);
	/* the header is text: no control byte but its line ends */
	for (i = 0; i < b.len - (sizeof(body) - 1); i++)
		assert_true((unsigned char)b.data[i] >= 0x20 ||
		    b.data[i] == '\n');
	assert_int_equal(spool_decode(b.data, b.len, &d, &off, &why), 0);
	assert_string_equal(d.kind, "mail");
	assert_string_equal(d.rcpt, e.rcpt);
	assert_string_equal(d.cmd, e.cmd);
	assert_string_equal(d.file, "/bin/sh");
	assert_int_equal(d.argc, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(d.argv[i], argv[i]);
	assert_null(d.argv[4]);
	assert_int_equal(d.nvars, 2);
	assert_string_equal(d.vars[0], vars[0]);
	assert_string_equal(d.vars[1], vars[1]);
	assert_int_equal(d.flags, SPOOL_STDERR_DUP);
	assert_string_equal(d.error, e.error);
	assert_int_equal(d.first, e.first);
	assert_int_equal(d.next, e.next);
	assert_int_equal(d.attempts, 2);
	assert_int_equal(b.len - off, sizeof(body) - 1);
	assert_memory_equal(b.data + off, body, sizeof(body) - 1);
	spool_env_clear(&d);
	buf_free(&b);
}

/* Malformed files are refused with a reason, never half-read. */
static void
test_decode_bad(void **state)
{
	static const struct {
		const char	*find;		/* replaced in a good file */
		const char	*repl;
		const char	*why;
	} cases[] = {
		{ "watchfor-spool 1", "watchfor-spool 2",
		    "not a watchfor spool file" },
		{ "attempts 2\n", "attempts 2\nbogus 1\n",
		    "unknown header line" },
		{ "attempts 2\n", "", "missing header line" },
		{ "attempts 2\n", "attempts x\n", "bad number" },
		{ "attempts 2\n", "attempts 4294967296\n", "bad number" },
		{ "first 17", "first -17", "bad number" },
		{ "arg -oi\n", "arg -o\\qi\n", "bad escape in header" },
		{ "arg -oi\n", "arg -o\\x0i\n", "bad escape in header" },
		{ "arg -oi\n", "arg -o\ti\n", "bad escape in header" },
		{ "kind mail\n", "kind mail\nkind mail\n",
		    "repeated header line" },
		{ "\n\nTo:", "\nfile x\n\nTo:", "header line after sum" },
		{ "line\n", "line\nmore\n",
		    "length does not match (truncated?)" },
		{ "Subject: s", "Subject: S", "checksum mismatch" },
		{ "first 17", "first 27", "checksum mismatch" },
	};
	struct spool_env e, d;
	struct buf b = { 0 }, m = { 0 };
	const char body[] = "To: root\nSubject: s\n\nline\n";
	const char *why, *at;
	size_t off, i, pre;

	(void)state;
	sample_env(&e);
	spool_encode(&e, body, sizeof(body) - 1, &b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at = strstr(b.data, cases[i].find);
		assert_non_null(at);
		pre = (size_t)(at - b.data);
		buf_reset(&m);
		buf_add(&m, b.data, pre);
		buf_adds(&m, cases[i].repl);
		buf_adds(&m, at + strlen(cases[i].find));
		why = NULL;
		if (spool_decode(m.data, m.len, &d, &off, &why) != -1)
			fail_msg("case %zu accepted", i);
		assert_string_equal(why, cases[i].why);
		assert_null(d.file);
	}
	/* truncated anywhere: refused */
	for (i = 0; i < b.len; i++)
		assert_int_equal(spool_decode(b.data, i, &d, &off, &why), -1);
	assert_int_equal(spool_decode(b.data, b.len, &d, &off, &why), 0);
	spool_env_clear(&d);
	buf_free(&b);
	buf_free(&m);
}

static char *
mk_tmp(void)
{
	char *d = xasprintf("%s/test_spool.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
rm_tree(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* put, list, read, rewrite, remove, move to failed; modes 0700/0600. */
static void
test_files(void **state)
{
	struct spool_env e, d;
	struct buf m = { 0 };
	struct spool *sp;
	char *dir, *base, *n1, *n2, **names, *p;
	mode_t old;
	size_t n, off;
	int fd;
	char c;

	(void)state;
	old = umask(0);		/* the modes must not depend on it */
	dir = mk_tmp();
	base = xasprintf("%s/state", dir);	/* made by spool_open */
	sp = spool_open(base);
	assert_non_null(sp);
	assert_int_equal(mode_of(base), 0700);
	assert_int_equal(mode_of(spool_path(sp)), 0700);
	assert_int_equal(mode_of(spool_failed_path(sp)), 0700);
	sample_env(&e);
	e.first = 2000;
	n2 = spool_put(sp, &e, "two\n", 4);
	e.first = 1000;
	n1 = spool_put(sp, &e, "one\n", 4);
	assert_non_null(n1);
	assert_non_null(n2);
	p = xasprintf("%s/%s", spool_path(sp), n1);
	assert_int_equal(mode_of(p), 0600);
	free(p);
	/* a write cut short by a crash is removed, never listed */
	p = xasprintf("%s/.tmp-%s", spool_path(sp), n1);
	write_file(p, "watchfor-spool 1\nkind ma");
	names = spool_list(sp, &n);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], n1);	/* oldest first */
	assert_string_equal(names[1], n2);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	free(names[0]);
	free(names[1]);
	free(names);

	assert_int_equal(spool_read(sp, n1, &d, &m, &off), 0);
	assert_int_equal(d.first, 1000);
	assert_int_equal(m.len, 4);
	assert_memory_equal(m.data, "one\n", 4);
	/* the message as the mailer's stdin: starts at the body */
	fd = spool_open_msg(sp, n1, off);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 'o');
	close(fd);
	d.attempts = 5;
	d.next = 99999;
	assert_int_equal(spool_rewrite(sp, n1, &d, m.data, m.len), 0);
	spool_env_clear(&d);
	buf_reset(&m);
	assert_int_equal(spool_read(sp, n1, &d, &m, NULL), 0);
	assert_int_equal(d.attempts, 5);
	assert_int_equal(d.next, 99999);
	assert_memory_equal(m.data, "one\n", 4);
	spool_env_clear(&d);
	p = xasprintf("%s/%s", spool_path(sp), n1);
	assert_int_equal(mode_of(p), 0600);
	free(p);

	assert_int_equal(spool_failed_count(sp), 0);
	assert_int_equal(spool_move_failed(sp, n1, ""), 0);
	assert_int_equal(spool_failed_count(sp), 1);
	p = xasprintf("%s/%s", spool_failed_path(sp), n1);
	assert_int_equal(mode_of(p), 0600);
	free(p);
	assert_int_equal(spool_remove(sp, n2), 0);
	names = spool_list(sp, &n);
	assert_int_equal(n, 0);
	assert_null(names);
	/* gone: -1 with ENOENT, nothing logged as corrupt */
	buf_reset(&m);
	assert_int_equal(spool_read(sp, n2, &d, &m, NULL), -1);
	spool_close(sp);

	/* reopening an existing spool works and keeps what is there */
	sp = spool_open(base);
	assert_non_null(sp);
	assert_int_equal(spool_failed_count(sp), 1);
	spool_close(sp);
	free(n1);
	free(n2);
	buf_free(&m);
	rm_tree(dir);
	free(base);
	free(dir);
	umask(old);
}

/* A corrupt file is reported (-2); moving it aside is the caller's. */
static void
test_corrupt(void **state)
{
	struct spool_env d;
	struct buf m = { 0 };
	struct spool *sp;
	char *dir, *p, *q;
	size_t n;
	char **names;

	(void)state;
	dir = mk_tmp();
	sp = spool_open(dir);
	assert_non_null(sp);
	p = xasprintf("%s/0000000000000001-1-0", spool_path(sp));
	write_file(p, "garbage\n");
	names = spool_list(sp, &n);
	assert_int_equal(n, 1);
	assert_int_equal(spool_read(sp, names[0], &d, &m, NULL), -2);
	assert_int_equal(spool_move_failed(sp, names[0], ".corrupt"), 0);
	q = xasprintf("%s/0000000000000001-1-0.corrupt",
	    spool_failed_path(sp));
	assert_int_equal(access(q, F_OK), 0);
	assert_int_equal(access(p, F_OK), -1);
	free(names[0]);
	free(names);
	free(p);
	free(q);
	spool_close(sp);
	buf_free(&m);
	rm_tree(dir);
	free(dir);
}

/* A file where the spool directory should be: NULL, not a crash. */
static void
test_open_fails(void **state)
{
	char *dir, *p;

	(void)state;
	dir = mk_tmp();
	p = xasprintf("%s/outbox", dir);
	write_file(p, "");
	assert_null(spool_open(dir));
	free(p);
	rm_tree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_open_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
