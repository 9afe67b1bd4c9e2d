/*
 * The prefilter's scan, exactly: for patterns that are plain literals, a
 * pattern is a candidate if and only if its literal occurs in the line,
 * ASCII case folded, at every offset, for every stride the literal lengths
 * give, with bytes that only differ in bit 0x20 ('@' and '`', '[' and
 * '{', 0xc9 and 0xe9) told apart. Also the sets checked lazily and the
 * fallback for literals of 2 and 3 bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "prefilter.h"
#include "util.h"

#define NPAT	6

static unsigned seed = 1;

static unsigned
rnd(unsigned n)
{
	seed = seed * 1103515245 + 12345;
	return (seed >> 16) % n;
}

/* Bytes for literals and lines: case pairs and 0x20 look-alikes. */
static const char alpha[] = "abcXYZ@`[{]}-\r:=\xc9\xe9 0";

static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool
contains(const char *s, size_t n, const char *lit, size_t m)
{
	size_t i, j;

	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m; j++)
			if (fold((unsigned char)s[i + j]) !=
			    fold((unsigned char)lit[j]))
				break;
		if (j == m)
			return true;
	}
	return false;
}

static struct pattern *
compile_lit(const char *lit, size_t m)
{
	struct pattern *p;
	struct buf b = { 0 };
	enum pattern_status st;
	char *err;
	size_t i, off;

	buf_addc(&b, '/');
	for (i = 0; i < m; i++)
		buf_addf(&b, "\\x%02x", (unsigned char)lit[i]);
	buf_addc(&b, '/');
	p = pattern_compile(b.data, &st, &err, &off);
	if (p == NULL)
		fail_msg("%s: %s", b.data, err);
	buf_free(&b);
	return p;
}

static void
random_lit(char *s, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		s[i] = alpha[rnd(sizeof(alpha) - 1)];
}

/* A line of filler with one pattern's literal spliced in, case flipped. */
static size_t
random_line(char *line, size_t cap, char lits[][17], const size_t *lens)
{
	size_t len = rnd((unsigned)cap), k, at, i;

	random_lit(line, len);
	if (rnd(4) != 0) {
		k = rnd(NPAT);
		if (lens[k] <= len) {
			at = rnd((unsigned)(len - lens[k] + 1));
			memcpy(line + at, lits[k], lens[k]);
			for (i = at; i < at + lens[k]; i++)
				if (rnd(2) && line[i] >= 'a' && line[i] <= 'z')
					line[i] = (char)(line[i] - 32);
		}
	}
	return len;
}

static void
test_exact_every_stride(void **state)
{
	struct pattern *pats[NPAT];
	struct prefilter *pf;
	const uint64_t *bits;
	char lits[NPAT][17], line[96];
	size_t lens[NPAT], minlen, i, k, len, hits = 0;
	bool want, got;

	(void)state;
	for (minlen = 2; minlen <= 16; minlen++) {
		for (k = 0; k < NPAT; k++) {
			lens[k] = minlen + (k == 0 ? 0 : rnd(17 - minlen));
			random_lit(lits[k], lens[k]);
			pats[k] = compile_lit(lits[k], lens[k]);
		}
		pf = prefilter_new(pats, NPAT);
		assert_int_equal(prefilter_nalways(pf), 0);
		for (i = 0; i < 3000; i++) {
			len = random_line(line, sizeof(line), lits, lens);
			bits = prefilter_scan(pf, line, len);
			for (k = 0; k < NPAT; k++) {
				want = contains(line, len, lits[k], lens[k]);
				got = (bits[k / 64] >> (k % 64)) & 1;
				if (want != got)
					fail_msg("minlen %zu, literal %zu: "
					    "want %d got %d", minlen, k, want,
					    got);
				hits += want;
			}
		}
		prefilter_free(pf);
		for (k = 0; k < NPAT; k++)
			pattern_free(pats[k]);
	}
	assert_true(hits > 10000);
}

/*
 * Sets too short for the stride are checked only when the rest hit: the
 * answer must not change.
 */
static void
test_lazy_sets(void **state)
{
	static const struct {
		const char	*line;
		bool		 cand[3];
	} cases[] = {
		{ "xx abcdefghijk yy zz", { true, true, true } },
		{ "xx abcdefghijk yy", { true, true, false } },
		{ "xx ABCDEFGHIJK", { true, false, false } },
		{ "yy zz", { false, false, false } },
		{ "YY ZZ abcdefghijk", { true, true, true } },
		{ "abcdefghij yy zz", { false, false, false } },
		{ "lmnopqrstuv QQ", { false, false, true } },
		{ "", { false, false, false } },
	};
	static const char *src[] = {
		"/abcdefghijk/", "/abcdefghijk.*yy/",
		"/(?:abcdefghijk|lmnopqrstuv).*(?:zz|qq)/",
	};
	struct pattern *pats[3];
	struct prefilter *pf;
	const uint64_t *bits;
	enum pattern_status st;
	char *err;
	size_t i, k, off;

	(void)state;
	for (k = 0; k < 3; k++)
		assert_non_null(pats[k] = pattern_compile(src[k], &st, &err,
		    &off));
	pf = prefilter_new(pats, 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bits = prefilter_scan(pf, cases[i].line,
		    strlen(cases[i].line));
		for (k = 0; k < 3; k++)
			if (((bits[0] >> k) & 1) != cases[i].cand[k])
				fail_msg("\"%s\": pattern %zu", cases[i].line,
				    k);
	}
	prefilter_free(pf);
	for (k = 0; k < 3; k++)
		pattern_free(pats[k]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_every_stride),
		cmocka_unit_test(test_lazy_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
