#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcap.h"
#include "util.h"

/* The fake clock: monotonic ms and wall seconds (2026-01-02 03:04:05Z). */
#define T0	1000000ULL
#define WALL0	((time_t)1767323045)

static bool
offer(struct mailcap *mc, uint64_t now, const char *body)
{
	return mailcap_offer(mc, now, WALL0 + (time_t)((now - T0) / 1000),
	    body, strlen(body));
}

static void
test_under_cap(void **state)
{
	struct mailcap *mc = mailcap_new(3, 60000);
	struct buf s = { 0 }, b = { 0 };
	int i, w;

	(void)state;
	/* three a minute for five minutes: never folded */
	for (w = 0; w < 5; w++)
		for (i = 0; i < 3; i++)
			assert_true(offer(mc, T0 + (uint64_t)w * 60000 +
			    (uint64_t)i * 1000, "x"));
	assert_int_equal(mailcap_folded(mc), 0);
	assert_false(mailcap_due(mc, T0 + 10 * 60000));
	assert_int_equal(mailcap_digest(mc, T0 + 10 * 60000, true, &s, &b),
	    0);
	assert_int_equal(s.len + b.len, 0);
	mailcap_free(mc);
}

static void
test_off(void **state)
{
	struct mailcap *mc = mailcap_new(0, 60000);
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_true(offer(mc, T0, "x"));
	assert_int_equal(mailcap_folded(mc), 0);
	assert_int_equal(mailcap_deadline(mc), 0);
	mailcap_free(mc);
}

static void
test_fold_and_digest(void **state)
{
	struct mailcap *mc = mailcap_new(3, 60000);
	struct buf s = { 0 }, b = { 0 };
	char body[400], want[64];
	int i;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < 20; i++) {
		/* a long first line (cut at 200 bytes), then more lines */
		memset(body, 'a' + i % 26, 300);
		snprintf(body, 8, "m%02d", i);
		body[3] = ' ';
		memcpy(body + 300, "\nsecond\n", 9);
		assert_int_equal(offer(mc, T0 + (uint64_t)i * 1000, body),
		    i < 3);
	}
	assert_int_equal(mailcap_folded(mc), 17);
	assert_int_equal(mailcap_deadline(mc), T0 + 60000);
	assert_false(mailcap_due(mc, T0 + 59999));
	assert_int_equal(mailcap_digest(mc, T0 + 59999, false, &s, &b), 0);
	assert_true(mailcap_due(mc, T0 + 60000));
	assert_int_equal(mailcap_digest(mc, T0 + 60000, false, &s, &b), 17);
	assert_string_equal(s.data,
	    "watchfor: 17 alerts folded (mail cap 3 per minute)");
	assert_non_null(strstr(b.data, "17 mails over the cap of 3"));
	assert_non_null(strstr(b.data, "First: 2026-01-02 03:04:08 +0000\n"));
	assert_non_null(strstr(b.data, "Last:  2026-01-02 03:04:24 +0000\n"));
	/* samples m03..m12, each cut at 200 bytes, none of m13.. */
	for (i = 3; i < 20; i++) {
		snprintf(want, sizeof(want), "  m%02d ", i);
		if (i < 13)
			assert_non_null(strstr(b.data, want));
		else
			assert_null(strstr(b.data, want));
	}
	snprintf(want, sizeof(want), "  m03 %c", 'a' + 3);
	assert_non_null(strstr(b.data, want));
	assert_null(strstr(b.data, "second"));
	/* "m03 " and 196 of 'd': 200 bytes, then the end of the line */
	memset(body, 'a' + 3, 196);
	body[196] = '\n';
	body[197] = '\0';
	assert_non_null(strstr(b.data, body));
	memset(body, 'a' + 3, 197);
	body[197] = '\0';
	assert_null(strstr(b.data, body));
	assert_non_null(strstr(b.data, "... and 7 more\n"));
	/* the window closed: nothing pending */
	assert_int_equal(mailcap_folded(mc), 0);
	assert_int_equal(mailcap_deadline(mc), 0);
	buf_free(&s);
	buf_free(&b);
	mailcap_free(mc);
}

static void
test_rollover(void **state)
{
	struct mailcap *mc = mailcap_new(2, 1000);
	struct buf s = { 0 }, b = { 0 };

	(void)state;
	assert_true(offer(mc, T0, "a"));
	assert_true(offer(mc, T0 + 10, "b"));
	assert_false(offer(mc, T0 + 20, "c"));
	/* an offer after the end with a digest pending: the caller digests */
	assert_true(mailcap_due(mc, T0 + 1000));
	assert_int_equal(mailcap_digest(mc, T0 + 1000, false, &s, &b), 1);
	/* a new window opens at the next mail */
	assert_true(offer(mc, T0 + 1500, "d"));
	assert_int_equal(mailcap_deadline(mc), T0 + 2500);
	assert_true(offer(mc, T0 + 1600, "e"));
	assert_false(offer(mc, T0 + 1700, "f"));
	assert_int_equal(mailcap_folded(mc), 1);
	/* a window without folds ends by itself */
	buf_reset(&s);
	buf_reset(&b);
	assert_int_equal(mailcap_digest(mc, T0 + 2500, false, &s, &b), 1);
	assert_true(offer(mc, T0 + 5000, "g"));
	assert_true(offer(mc, T0 + 6001, "h"));	/* window of g is over */
	assert_true(offer(mc, T0 + 6002, "i"));
	assert_false(offer(mc, T0 + 6003, "j"));
	/* force closes a window in progress (shutdown) */
	buf_reset(&s);
	buf_reset(&b);
	assert_int_equal(mailcap_digest(mc, T0 + 6004, true, &s, &b), 1);
	assert_non_null(strstr(b.data, "  j\n"));
	buf_free(&s);
	buf_free(&b);
	mailcap_free(mc);
}

static void
test_directive(void **state)
{
	static const struct {
		const char	*value;
		bool		 ok;
	} cases[] = {
		{ "0", true }, { "30", true }, { "1000000", true },
		{ "1000001", false }, { "-1", false }, { "", false },
		{ "3x", false }, { " 3", false }, { "many", false },
	};
	char *e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = mailcap_directive_error("mail-cap", cases[i].value);
		if (cases[i].ok)
			assert_null(e);
		else
			assert_non_null(e);
		free(e);
	}
	assert_null(mailcap_directive_error("mail-max-age", "x"));
	assert_int_equal(mailcap_config_cap(NULL), MAILCAP_DEFAULT);
	unsetenv("WATCHFOR_TEST_CAP_WINDOW_MS");
	assert_int_equal(mailcap_window_ms(), 60000);
	setenv("WATCHFOR_TEST_CAP_WINDOW_MS", "2000", 1);
	assert_int_equal(mailcap_window_ms(), 2000);
	unsetenv("WATCHFOR_TEST_CAP_WINDOW_MS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_cap),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_fold_and_digest),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_directive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
