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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_reserve_terminates),
		cmocka_unit_test(test_basename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
