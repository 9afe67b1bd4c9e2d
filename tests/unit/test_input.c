/*
 * input.c: records cut as Perl's readline and chomp do (spec 3), whatever
 * the size of the reads; paragraph mode; over-long records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "util.h"

/* Records joined as "[rec]" for comparison. */
struct got {
	struct buf	 b;
	int		 stop_after;	/* 0: never */
	int		 n;
};

static bool
collect(const char *rec, size_t len, void *arg)
{
	struct got *g = arg;

	buf_addc(&g->b, '[');
	buf_add(&g->b, rec, len);
	buf_addc(&g->b, ']');
	return g->stop_after == 0 || ++g->n < g->stop_after;
}

/* Runs `in` (`n` bytes) through the reader with reads of `block` bytes. */
static char *
run(const char *irs, const char *in, size_t n, size_t block, size_t max,
    struct input_stats *st)
{
	struct recsep rs;
	struct got g = { 0 };
	char *err = NULL;
	FILE *tmp;
	int rc;

	assert_int_equal(recsep_init(&rs, irs, &err), 0);
	assert_non_null(tmp = tmpfile());
	assert_int_equal(fwrite(in, 1, n, tmp), n);
	fflush(tmp);
	rewind(tmp);
	input_set_block(block);
	buf_add(&g.b, "", 0);
	rc = input_read_fd(fileno(tmp), &rs, max, collect, &g, st);
	assert_int_equal(rc, 0);
	input_set_block(0);
	fclose(tmp);
	recsep_free(&rs);
	return buf_detach(&g.b);
}

struct rcase {
	const char	*irs;		/* NULL: the default "\n" */
	const char	*in;
	size_t		 inlen;		/* 0: strlen(in) */
	const char	*want;
};

#define L(s)	s, sizeof(s) - 1

static const struct rcase cases[] = {
	{ NULL, L("a\nb\n"), "[a][b]" },
	{ NULL, L("a\r\nb"), "[a\r][b]" },		/* CR kept, no final \n */
	{ NULL, L("\n\nx\n"), "[][][x]" },
	{ NULL, L("a\0b\nc"), "[a\0b][c]" },
	{ NULL, L(""), "" },
	{ "END", L("aENDbEN"), "[a][bEN]" },
	{ "END", L("ENDxENDEND"), "[][x][]" },
	{ "\\t", L("a\tb\t"), "[a][b]" },
	/* paragraph mode, as perl -e '$/ = ""' reads it */
	{ "", L("\n\na\nb\n\n\n\nc\n\n\nd"), "[a\nb][c][d]" },
	{ "", L("x\n\n\n"), "[x]" },
	{ "", L("x\n"), "[x]" },
	{ "", L("\n\n\n"), "" },
	{ "", L("a\n\nb\n\n"), "[a][b]" },
};

static void
test_records_any_read_size(void **state)
{
	static const size_t blocks[] = { 0, 1, 2, 3, 5, 7 };
	size_t i, j, n;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (j = 0; j < sizeof(blocks) / sizeof(blocks[0]); j++) {
			n = cases[i].inlen;
			got = run(cases[i].irs, cases[i].in, n, blocks[j],
			    INPUT_MAX_RECORD, NULL);
			if (strlen(got) != strlen(cases[i].want) ||
			    memcmp(got, cases[i].want, strlen(got)) != 0)
				fail_msg("case %zu, reads of %zu: got \"%s\"", i,
				    blocks[j], got);
			free(got);
		}
}

/* An over-long record: its head, then the next record intact. */
static void
test_long_record(void **state)
{
	static const size_t blocks[] = { 0, 1, 3, 4, 16 };
	struct input_stats st;
	size_t j;
	char *got;

	(void)state;
	for (j = 0; j < sizeof(blocks) / sizeof(blocks[0]); j++) {
		memset(&st, 0, sizeof(st));
		got = run(NULL, L("0123456789\nok\n"), blocks[j], 4, &st);
		assert_string_equal(got, "[0123][ok]");
		assert_int_equal(st.truncated, 1);
		free(got);
		/* paragraph mode: the fuzzer's case, the next one kept */
		memset(&st, 0, sizeof(st));
		got = run("", L("0123456789\n\n\nok\n\n"), blocks[j], 4, &st);
		assert_string_equal(got, "[0123][ok]");
		assert_int_equal(st.truncated, 1);
		free(got);
		/* a short record and newlines at a read's end: not long */
		memset(&st, 0, sizeof(st));
		got = run("", L("ab\n\n\n\n\ncd"), blocks[j], 4, &st);
		assert_string_equal(got, "[ab][cd]");
		assert_int_equal(st.truncated, 0);
		free(got);
	}
}

static void
test_stop(void **state)
{
	struct recsep rs;
	struct got g = { 0 };
	char *err;
	int p[2];

	(void)state;
	assert_int_equal(recsep_init(&rs, NULL, &err), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "a\nb\nc\n", 6), 6);
	close(p[1]);
	g.stop_after = 2;
	buf_add(&g.b, "", 0);
	assert_int_equal(input_read_fd(p[0], &rs, INPUT_MAX_RECORD, collect,
	    &g, NULL), 1);
	assert_string_equal(g.b.data, "[a][b]");
	close(p[0]);
	buf_free(&g.b);
	recsep_free(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_any_read_size),
		cmocka_unit_test(test_long_record),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
