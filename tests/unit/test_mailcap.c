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

static bool
offer_hook(struct mailcap *mc, uint64_t now, const char *body)
{
	return mailcap_offer_webhook(mc, now, WALL0 + (time_t)((now - T0) /
	    1000), body, strlen(body));
}

/* Folded webhooks keep their own count, times and sample. */
static void
test_webhooks(void **state)
{
	struct mailcap *mc = mailcap_new(1, 60000);
	struct mailcap_hooks h;
	char line[16];
	int i;

	(void)state;
	assert_true(offer_hook(mc, T0, "passes"));
	assert_false(offer(mc, T0 + 1000, "mail one"));
	for (i = 0; i < 12; i++) {
		(void)snprintf(line, sizeof(line), "hook %d\nmore", i);
		assert_false(offer_hook(mc, T0 + 2000 + (uint64_t)i * 1000,
		    line));
	}
	mailcap_webhooks(mc, &h);
	assert_int_equal(h.count, 12);
	assert_int_equal(h.first, WALL0 + 2);
	assert_int_equal(h.last, WALL0 + 13);
	assert_int_equal(h.nsample, MAILCAP_SAMPLES);
	assert_string_equal(h.sample[0], "hook 0");
	assert_string_equal(h.sample[9], "hook 9");
	assert_int_equal(mailcap_folded(mc), 13);
	mailcap_free(mc);
}

static void
encode(const struct mailcap *mc, struct buf *b)
{
	buf_reset(b);
	mailcap_encode(mc, b);
}

/* The pending window survives encode/decode, webhooks included. */
static void
test_encode(void **state)
{
	struct mailcap *mc = mailcap_new(1, 60000), *mc2;
	struct mailcap_hooks h;
	struct buf b = { 0 }, b2 = { 0 };
	const char *p;

	(void)state;
	assert_true(offer(mc, T0, "m0"));
	assert_false(offer(mc, T0 + 1000, "m1"));
	encode(mc, &b);
	buf_addc(&b, '\0');
	/* no webhook folded: the format of before webhook summaries */
	assert_string_equal(b.data, "mailcap 1 1767323046 1767323046 1\n"
	    "2:m1\n");
	assert_false(offer_hook(mc, T0 + 2000, "h1"));
	assert_false(offer_hook(mc, T0 + 3000, "h2"));
	encode(mc, &b);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, "mailcap 3 1767323046 1767323048 3\n"
	    "2:m1\n2:h1\n2:h2\nhooks 2 1767323047 1767323048 2\n"
	    "2:h1\n2:h2\n");
	b.len--;
	mc2 = mailcap_new(1, 60000);
	p = b.data;
	assert_true(mailcap_decode(mc2, T0 + 90000, &p, b.data + b.len));
	assert_ptr_equal(p, b.data + b.len);
	assert_int_equal(mailcap_folded(mc2), 3);
	mailcap_webhooks(mc2, &h);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.first, WALL0 + 2);
	assert_string_equal(h.sample[1], "h2");
	encode(mc2, &b2);
	assert_int_equal(b2.len, b.len);
	assert_memory_equal(b2.data, b.data, b.len);
	/* a restored window is full: the next one is folded */
	assert_false(offer_hook(mc2, T0 + 90001, "h3"));
	/* the old format (no hooks part) still decodes */
	p = "mailcap 2 5 6 1\n1:x\n";
	assert_true(mailcap_decode(mc2, T0, &p, p + strlen(p)));
	assert_int_equal(mailcap_folded(mc2), 2);
	assert_int_equal(mailcap_folded_webhooks(mc2), 0);
	mailcap_free(mc);
	mailcap_free(mc2);
	buf_free(&b);
	buf_free(&b2);
}

/* Malformed windows are refused and change nothing. */
static void
test_decode_bad(void **state)
{
	static const char *const bad[] = {
		"mailcap 0 5 6 0\n",
		"mailcap 2 5 6 3\n1:x\n1:y\n1:z\n",
		"mailcap 2 5 6 1\n1:x\nhooks 3 5 6 0\n",
		"mailcap 2 5 6 1\n1:x\nhooks 1 5 6 2\n1:a\n1:b\n",
		"mailcap 2 5 6 1\n1:x\nhooks 1 5 6 1\n5:a\n",
		"mailcap 2 5 6 1\n1:x\nhooks x",
		"mailcaq 2 5 6 1\n1:x\n",
	};
	struct mailcap *mc = mailcap_new(1, 60000);
	const char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		if (mailcap_decode(mc, T0, &p, p + strlen(p)))
			fail_msg("case %zu decoded", i);
		assert_ptr_equal(p, bad[i]);
		assert_int_equal(mailcap_folded(mc), 0);
	}
	mailcap_free(mc);
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
		cmocka_unit_test(test_webhooks),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
