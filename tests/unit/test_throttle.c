/* throttle, threshold and their bounded key table (spec 10.9, 10.10). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"
#include "threshold.h"
#include "throttle.h"
#include "util.h"

static void
test_hold_forms(void **state)
{
	(void)state;
	assert_int_equal(throttle_parse_hold("30"), 30);
	assert_int_equal(throttle_parse_hold("15:00"), 900);
	assert_int_equal(throttle_parse_hold("1:00:00"), 3600);
	assert_int_equal(throttle_parse_hold("1:0:0:0"), 86400);
	assert_int_equal(throttle_parse_hold("0:0:5"), 5);
	assert_int_equal(throttle_parse_hold("-1"), -1);
	assert_int_equal(throttle_parse_hold("x"), 0);
	/* fuzz: huge, infinite and nan fields are clamped, never UB */
	assert_true(throttle_parse_hold("1555555555555555555555555555:00") ==
	    (long long)THROTTLE_HOLD_MAX);
	assert_true(throttle_parse_hold("999999999999999999:00:00:00") ==
	    (long long)THROTTLE_HOLD_MAX);
	assert_true(throttle_parse_hold("-inf") ==
	    -(long long)THROTTLE_HOLD_MAX);
	assert_int_equal(throttle_parse_hold("nan"), 0);
}

/* Feeds events at the given times; returns the outputs joined by '|'. */
static void
run_events(struct throttle *t, const struct throttle_spec *sp,
    const char *key, const time_t *times, size_t n, char *res, size_t rsz)
{
	struct buf out = { 0 };
	size_t i;

	res[0] = '\0';
	for (i = 0; i < n; i++) {
		if (throttle_event(t, sp, key, strlen(key), "msg", 3, times[i],
		    &out))
			strncat(res, out.data, rsz - strlen(res) - 2);
		else
			strncat(res, "-", rsz - strlen(res) - 2);
		strncat(res, "|", rsz - strlen(res) - 1);
	}
	buf_free(&out);
}

static void
test_throttle_seen(void **state)
{
	struct throttle *t = throttle_new(100);
	struct throttle_spec sp = { .has_hold = true, .hold = 10 };
	const time_t times[] = { 100, 101, 105, 110, 111, 112, 200 };
	char res[512];

	(void)state;
	run_events(t, &sp, "k", times, 7, res, sizeof(res));
	/* 110 is not past 100+10; 111 is: count 5, the first included */
	assert_string_equal(res, "msg|-|-|-|msg (seen 5 times)|-|"
	    "msg (seen 2 times)|");
	throttle_free(t);
}

static void
test_throttle_threshold(void **state)
{
	struct throttle *t = throttle_new(100);
	struct throttle_spec sp = { .threshold = "3", .threshold_n = 3 };
	const time_t times[] = { 1, 1, 1, 1, 1, 1, 1 };
	char res[512];

	(void)state;
	run_events(t, &sp, "k", times, 7, res, sizeof(res));
	assert_string_equal(res, "msg|-|msg (threshold 3 exceeded)|-|-|"
	    "msg (threshold 3 exceeded)|-|");
	throttle_free(t);
}

static void
test_throttle_forever(void **state)
{
	struct throttle *t = throttle_new(100);
	struct throttle_spec sp = { 0 };
	const time_t times[] = { 1, 1000, 100000 };
	char res[128];

	(void)state;
	run_events(t, &sp, "k", times, 3, res, sizeof(res));
	assert_string_equal(res, "msg|-|-|");
	throttle_free(t);
}

static void
test_default_key(void **state)
{
	static const struct {
		const char *line, *key;
	} cases[] = {
		{ "Nov 22 19:36:59 host sshd[1]: x", "host sshd[1]: x" },
		{ "Nov  2 09:06:59   host x", "host x" },
		{ "2026-11-22T19:36:59.588891+00:00 host x", "host x" },
		{ "2026-11-22T19:36:59Z host x", "host x" },
		{ "2026-11-22T19:36:59+01:00 host x", "host x" },
		{ "host x", "host x" },
		{ "Nov 22 19:36:59", "Nov 22 19:36:59" },	/* needs \s+ */
		{ "2026-11-22T19:36:5 x", "2026-11-22T19:36:5 x" },
	};
	const char *k;
	size_t i, kl;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		throttle_default_key(cases[i].line, strlen(cases[i].line), &k,
		    &kl);
		assert_int_equal(kl, strlen(cases[i].key));
		assert_memory_equal(k, cases[i].key, kl);
	}
}

static void
test_throttle_bounded(void **state)
{
	struct throttle *t = throttle_new(1000);
	struct throttle_spec sp = { 0 };
	struct buf out = { 0 };
	char key[32];
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "user%d", i);
		assert_true(throttle_event(t, &sp, key, strlen(key), "m", 1,
		    0, &out));
	}
	assert_int_equal(throttle_keys(t), 1000);
	/* the most recent key is still remembered */
	assert_false(throttle_event(t, &sp, "user99999", 9, "m", 1, 0, &out));
	buf_free(&out);
	throttle_free(t);
}

/* Long keys: the table is bounded by the bytes of its keys too. */
static void
test_keytab_bytes_bounded(void **state)
{
	size_t klen = 1u << 20, i;
	struct keytab *t = keytab_new(8, 100000);
	char *key = malloc(klen);
	bool created;

	(void)state;
	assert_non_null(key);
	memset(key, 'k', klen);
	for (i = 0; i < 100; i++) {
		snprintf(key, 16, "%015zu", i);
		(void)keytab_get(t, key, klen, &created);
		assert_true(created);
	}
	assert_int_equal(keytab_count(t), KEYTAB_MAX_BYTES / klen);
	assert_int_equal(keytab_evicted(t), 100 - KEYTAB_MAX_BYTES / klen);
	/* the most recent stays, the oldest went */
	assert_non_null(keytab_find(t, key, klen));
	snprintf(key, 16, "%015zu", (size_t)0);
	assert_null(keytab_find(t, key, klen));
	free(key);
	keytab_free(t);
}

/* Runs threshold events at the given times, "A" act, "-" suppressed. */
static void
run_thr(enum threshold_type type, double count, double secs,
    const time_t *times, size_t n, const char *want)
{
	struct threshold *t = threshold_new(100);
	struct threshold_spec sp = { type, count, secs };
	char res[64];
	size_t i;

	for (i = 0; i < n; i++)
		res[i] = threshold_event(t, 1, "k", 1, &sp, times[i]) ? 'A' :
		    '-';
	res[n] = '\0';
	assert_string_equal(res, want);
	threshold_free(t);
}

static void
test_threshold_types(void **state)
{
	const time_t same[] = { 10, 10, 10, 10, 10, 10, 10 };
	const time_t spread[] = { 10, 11, 12, 20, 21, 22, 23 };

	(void)state;
	run_thr(THRESHOLD_LIMIT, 2, 60, same, 7, "AA-----");
	/* interval over at 20 (10 + 10 > 20 is false): reset */
	run_thr(THRESHOLD_LIMIT, 1, 10, spread, 7, "A--A---");
	run_thr(THRESHOLD_THRESHOLD, 3, 60, same, 7, "--A--A-");
	run_thr(THRESHOLD_THRESHOLD, 1, 60, same, 3, "AAA");
	run_thr(THRESHOLD_BOTH, 3, 60, same, 7, "--A----");
	run_thr(THRESHOLD_BOTH, 1, 60, same, 3, "A--");
	/* seconds=0: limit acts always, threshold/both with count>1 never */
	run_thr(THRESHOLD_LIMIT, 1, 0, same, 3, "AAA");
	run_thr(THRESHOLD_THRESHOLD, 2, 0, same, 4, "----");
	run_thr(THRESHOLD_BOTH, 2, 0, same, 4, "----");
}

static void
test_threshold_keys_separate(void **state)
{
	struct threshold *t = threshold_new(100);
	struct threshold_spec sp = { THRESHOLD_LIMIT, 1, 60 };
	enum threshold_type ty;

	(void)state;
	assert_true(threshold_event(t, 1, "a", 1, &sp, 0));
	assert_true(threshold_event(t, 1, "b", 1, &sp, 0));
	assert_true(threshold_event(t, 2, "a", 1, &sp, 0));
	assert_false(threshold_event(t, 1, "a", 1, &sp, 1));
	assert_int_equal(threshold_keys(t), 3);
	assert_int_equal(threshold_parse_type("both", &ty), 0);
	assert_int_equal(ty, THRESHOLD_BOTH);
	assert_int_equal(threshold_parse_type("Both", &ty), -1);
	threshold_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_forms),
		cmocka_unit_test(test_throttle_seen),
		cmocka_unit_test(test_throttle_threshold),
		cmocka_unit_test(test_throttle_forever),
		cmocka_unit_test(test_default_key),
		cmocka_unit_test(test_throttle_bounded),
		cmocka_unit_test(test_keytab_bytes_bounded),
		cmocka_unit_test(test_threshold_types),
		cmocka_unit_test(test_threshold_keys_separate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
