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

#include "state.h"
#include "util.h"

static char *
scratch(void)
{
	char tmpl[] = "/tmp/test_state.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
cleanup(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
test_roundtrip(void **unused)
{
	struct state_rec r[2] = {
		{ 1, 2, 0xdeadbeefULL, 17, 100 },
		{ 3, 4, 0x1234ULL, 1024, 1ULL << 40 },
	};
	const struct state_rec *got;
	struct state *sp;
	struct stat st;
	char *top, *dir, *file;
	size_t n, i;

	(void)unused;
	top = scratch();
	dir = xasprintf("%s/sub", top);
	sp = state_open(dir, "offsets");
	assert_non_null(sp);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_null(state_get(sp, "/var/log/x y%z\n", &n));
	state_set(sp, "/var/log/x y%z\n", r, 2);
	state_set(sp, "/b", r, 1);
	assert_int_equal(state_save(sp), 0);
	state_free(sp);
	file = xasprintf("%s/offsets", dir);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	sp = state_open(dir, "offsets");
	got = state_get(sp, "/var/log/x y%z\n", &n);
	assert_int_equal(n, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(got[i].dev, r[i].dev);
		assert_int_equal(got[i].ino, r[i].ino);
		assert_int_equal(got[i].fp, r[i].fp);
		assert_int_equal(got[i].fplen, r[i].fplen);
		assert_int_equal(got[i].offset, r[i].offset);
	}
	got = state_get(sp, "/b", &n);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].offset, 100);
	assert_true(state_saved_at(sp) > 0);
	assert_false(state_has(sp, "/c"));
	state_set(sp, "/b", NULL, 0);	/* known, no file open */
	state_set(sp, "/c d", NULL, 0);
	assert_int_equal(state_save(sp), 0);
	state_free(sp);
	sp = state_open(dir, "offsets");
	assert_null(state_get(sp, "/b", &n));
	assert_int_equal(n, 0);
	assert_true(state_has(sp, "/b"));
	assert_true(state_has(sp, "/c d"));
	state_forget(sp, "/b");
	assert_int_equal(state_save(sp), 0);
	state_free(sp);
	sp = state_open(dir, "offsets");
	assert_false(state_has(sp, "/b"));
	assert_true(state_has(sp, "/c d"));
	assert_int_equal(state_get(sp, "/var/log/x y%z\n", &n)[1].fplen, 1024);
	state_free(sp);
	free(file);
	free(dir);
	cleanup(top);
	free(top);
}

/* fuzz: a path of any length and bytes comes back (it was cut at 4096). */
static void
test_long_path(void **unused)
{
	struct state_rec r = { 1, 2, 3, 4, 5 };
	const struct state_rec *got;
	struct state *sp;
	char *top, path[6001];
	size_t n, i;

	(void)unused;
	top = scratch();
	path[0] = '/';
	for (i = 1; i < sizeof(path) - 1; i++)
		path[i] = (char)(0x80 + i % 100);	/* each escaped: %XX */
	path[sizeof(path) - 1] = '\0';
	sp = state_open(top, "offsets");
	state_set(sp, path, &r, 1);
	state_set(sp, "/other", &r, 1);
	assert_int_equal(state_save(sp), 0);
	state_free(sp);
	sp = state_open(top, "offsets");
	assert_non_null(got = state_get(sp, path, &n));
	assert_int_equal(n, 1);
	assert_int_equal(got[0].offset, 5);
	assert_non_null(state_get(sp, "/other", &n));
	state_free(sp);
	cleanup(top);
	free(top);
}

/* Each damaged file is reported and gives an empty state, never fatal. */
static void
test_corrupt(void **unused)
{
	static const char *bad[] = {
		"",
		"something else\n",
		"watchfor-state 1\nsaved 1\nf 1 2 3 4 5 /x\n",	/* no sum */
		"watchfor-state 1\nsaved 1\nf 1 2 3 4 5 /x\nsum 0000000000000000\n",
		"watchfor-state 2\nsum 0\n",
	};
	struct state_rec r = { 1, 2, 3, 4, 5 };
	const struct state_rec *got;
	struct state *sp;
	char *dir, *file, *data;
	size_t i, n;
	char zeros[4096] = { 0 };

	(void)unused;
	dir = scratch();
	file = xasprintf("%s/offsets", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(file, bad[i], strlen(bad[i]));
		sp = state_open(dir, "offsets");
		assert_non_null(sp);
		assert_null(state_get(sp, "/x", &n));
		state_free(sp);
	}
	write_file(file, zeros, sizeof(zeros));
	sp = state_open(dir, "offsets");
	assert_non_null(sp);
	assert_null(state_get(sp, "/x", &n));
	/* A good save replaces the damaged file. */
	state_set(sp, "/x", &r, 1);
	assert_int_equal(state_save(sp), 0);
	state_free(sp);
	sp = state_open(dir, "offsets");
	got = state_get(sp, "/x", &n);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].fp, 3);
	state_free(sp);
	/* One flipped byte is caught by the checksum. */
	{
		FILE *f = fopen(file, "r+");
		char buf[512];
		size_t len;

		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		data = memchr(buf, '/', len);
		assert_non_null(data);
		fseek(f, data - buf, SEEK_SET);
		fputc('?', f);
		fclose(f);
	}
	sp = state_open(dir, "offsets");
	assert_null(state_get(sp, "/x", &n));
	state_free(sp);
	free(file);
	cleanup(dir);
	free(dir);
}

static void
test_not_a_dir(void **unused)
{
	char *dir, *file;

	(void)unused;
	dir = scratch();
	file = xasprintf("%s/f", dir);
	write_file(file, "x", 1);
	assert_null(state_open(file, "offsets"));
	free(file);
	cleanup(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_not_a_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
