#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
test_buf_grows(void **state)
{
	struct buf b = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_int_equal(b.data[3], '\0');
	buf_free(&b);
}

/* A reserved, still empty buffer is already an empty string (fuzz). */
static void
test_buf_reserve_terminates(void **state)
{
	struct buf b = { 0 };
	char *s;

	(void)state;
	buf_reserve(&b, 1);
	assert_int_equal(b.data[0], '\0');
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_basename(void **state)
{
	(void)state;
	assert_string_equal(util_basename("/usr/bin/swatchdog"), "swatchdog");
	assert_string_equal(util_basename("watchfor"), "watchfor");
}

/* Published FNV-1a 64 test vectors; chaining equals one pass. */
static void
test_fnv1a(void **state)
{
	(void)state;
	assert_true(util_fnv1a(UTIL_FNV_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(util_fnv1a(UTIL_FNV_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(util_fnv1a(UTIL_FNV_INIT, "foobar", 6) ==
	    0x85944171f73967e8ULL);
	assert_true(util_fnv1a(util_fnv1a(UTIL_FNV_INIT, "foo", 3), "bar", 3) ==
	    util_fnv1a(UTIL_FNV_INIT, "foobar", 6));
}

static void
test_utf8_len(void **state)
{
	static const struct {
		const char	*s;
		size_t		 want;
	} t[] = {
		{ "a", 1 },
		{ "\x7f", 1 },
		{ "\xc3\xa9", 2 },		/* e acute */
		{ "\xc0\x80", 0 },		/* overlong NUL */
		{ "\xc1\xbf", 0 },		/* overlong */
		{ "\xc3", 0 },			/* cut short */
		{ "\xc3\x28", 0 },		/* bad continuation */
		{ "\xe2\x82\xac", 3 },		/* euro sign */
		{ "\xe0\x80\x80", 0 },		/* overlong */
		{ "\xed\xa0\x80", 0 },		/* surrogate */
		{ "\xef\xbf\xbd", 3 },		/* U+FFFD */
		{ "\xf0\x9f\x98\x80", 4 },	/* emoji */
		{ "\xf0\x80\x80\x80", 0 },	/* overlong */
		{ "\xf4\x8f\xbf\xbf", 4 },	/* U+10FFFF */
		{ "\xf4\x90\x80\x80", 0 },	/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\x80", 0 },			/* lone continuation */
		{ "\xff", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t got = util_utf8_len((const unsigned char *)t[i].s,
		    strlen(t[i].s));

		if (got != t[i].want)
			fail_msg("case %zu: %zu, want %zu", i, got, t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_reserve_terminates),
		cmocka_unit_test(test_basename),
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_utf8_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
