#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "silent.h"
#include "util.h"

#define T0	5000000ULL	/* any monotonic start, ms */
#define MIN	60000ULL

static void
test_parse(void **state)
{
	static const struct {
		const char	*value;
		int		 ok;
		uint64_t	 after;
		uint64_t	 repeat;
		const char	*input;
	} cases[] = {
		{ "30m", 1, 30 * MIN, 0, NULL },
		{ "500ms", 1, 500, 0, NULL },
		{ "90", 1, 90000, 0, NULL },
		{ "1h30m", 1, 90 * MIN, 0, NULL },
		{ "30m repeat=1h", 1, 30 * MIN, 60 * MIN, NULL },
		{ "30m input=/var/log/mail.log", 1, 30 * MIN, 0,
		    "/var/log/mail.log" },
		{ "10s\tinput=a  repeat=5s", 1, 10000, 5000, "a" },
		{ "", 0, 0, 0, NULL },
		{ "   ", 0, 0, 0, NULL },
		{ "0", 0, 0, 0, NULL },
		{ "0s", 0, 0, 0, NULL },
		{ "soon", 0, 0, 0, NULL },
		{ "30x", 0, 0, 0, NULL },
		{ "400d", 0, 0, 0, NULL },
		{ "30m repeat=", 0, 0, 0, NULL },
		{ "30m repeat=0", 0, 0, 0, NULL },
		{ "30m input=", 0, 0, 0, NULL },
		{ "30m every=1h", 0, 0, 0, NULL },
		{ "30m 1h", 0, 0, 0, NULL },
	};
	struct silent_spec sp;
	size_t i;
	char *err;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = silent_spec_parse(cases[i].value, &sp, &err);

		if (!cases[i].ok) {
			assert_int_equal(rc, -1);
			assert_non_null(err);
			assert_true(strncmp(err, "silent: ", 8) == 0);
			free(err);
			silent_spec_clear(&sp);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_null(err);
		assert_int_equal(sp.after, cases[i].after);
		assert_int_equal(sp.repeat, cases[i].repeat);
		if (cases[i].input == NULL)
			assert_null(sp.input);
		else
			assert_string_equal(sp.input, cases[i].input);
		silent_spec_clear(&sp);
	}
}

static void
test_line(void **state)
{
	struct silent_spec sp;
	char *err, *l;

	(void)state;
	assert_int_equal(silent_spec_parse("30m", &sp, &err), 0);
	l = silent_line("/postfix\\/smtpd/", &sp);
	assert_string_equal(l,
	    "watchfor: no line matching /postfix\\/smtpd/ for 30m");
	free(l);
	silent_spec_clear(&sp);
	assert_int_equal(silent_spec_parse("1h input=/var/log/mail.log "
	    "repeat=4h", &sp, &err), 0);
	l = silent_line("/smtpd/", &sp);
	assert_string_equal(l, "watchfor: no line matching /smtpd/ in "
	    "/var/log/mail.log for 1h");
	free(l);
	silent_spec_clear(&sp);
}

/* No match at all: one alert at start + after, then none. */
static void
test_clock_quiet(void **state)
{
	struct silent_clock c;

	(void)state;
	silent_clock_start(&c, 30 * MIN, 0, T0);
	assert_int_equal(silent_clock_deadline(&c), T0 + 30 * MIN);
	assert_false(silent_clock_due(&c, T0 + 30 * MIN - 1));
	assert_true(silent_clock_due(&c, T0 + 30 * MIN));
	/* alerted: no deadline until a match */
	assert_int_equal(silent_clock_deadline(&c), 0);
	assert_false(silent_clock_due(&c, T0 + 60 * MIN));
	assert_false(silent_clock_due(&c, T0 + 1000 * MIN));
}

/* Matches keep it quiet; the timer fires early and re-arms lazily. */
static void
test_clock_busy(void **state)
{
	struct silent_clock c;
	uint64_t t, armed;
	unsigned wakeups = 0;

	(void)state;
	silent_clock_start(&c, 30 * MIN, 0, T0);
	armed = silent_clock_deadline(&c);
	/* a match every minute for 5 hours */
	for (t = T0 + MIN; t <= T0 + 300 * MIN; t += MIN) {
		assert_false(silent_clock_match(&c, t));	/* no re-arm */
		if (t >= armed) {
			wakeups++;
			assert_false(silent_clock_due(&c, t));
			armed = silent_clock_deadline(&c);
			assert_int_equal(armed, t + 30 * MIN);
		}
	}
	/* one wake-up per 30 minutes of matches at most */
	assert_true(wakeups <= 10);
	assert_true(wakeups >= 9);
}

/* Silence, alert, match, silence: a second alert only then. */
static void
test_clock_cycle(void **state)
{
	struct silent_clock c;

	(void)state;
	silent_clock_start(&c, 10 * MIN, 0, T0);
	assert_false(silent_clock_match(&c, T0 + 5 * MIN));
	/* the timer, armed at start for T0 + 10m, fires early */
	assert_false(silent_clock_due(&c, T0 + 10 * MIN));
	assert_int_equal(silent_clock_deadline(&c), T0 + 15 * MIN);
	assert_true(silent_clock_due(&c, T0 + 15 * MIN));
	assert_false(silent_clock_due(&c, T0 + 25 * MIN));
	/* a match after the alert: the timer must be armed again */
	assert_true(silent_clock_match(&c, T0 + 40 * MIN));
	assert_int_equal(silent_clock_deadline(&c), T0 + 50 * MIN);
	/* a second match needs no re-arm */
	assert_false(silent_clock_match(&c, T0 + 41 * MIN));
	assert_false(silent_clock_due(&c, T0 + 50 * MIN));
	assert_true(silent_clock_due(&c, T0 + 51 * MIN + 7));
	assert_int_equal(silent_clock_deadline(&c), 0);
}

/* repeat=: reminders while the silence lasts, none after a match. */
static void
test_clock_repeat(void **state)
{
	struct silent_clock c;

	(void)state;
	silent_clock_start(&c, 30 * MIN, 60 * MIN, T0);
	assert_true(silent_clock_due(&c, T0 + 30 * MIN));
	assert_int_equal(silent_clock_deadline(&c), T0 + 90 * MIN);
	assert_false(silent_clock_due(&c, T0 + 89 * MIN));
	assert_true(silent_clock_due(&c, T0 + 90 * MIN + 3));
	assert_int_equal(silent_clock_deadline(&c), T0 + 150 * MIN + 3);
	/* a match: back to the silence period, from the match */
	assert_true(silent_clock_match(&c, T0 + 100 * MIN));
	assert_int_equal(silent_clock_deadline(&c), T0 + 130 * MIN);
	assert_false(silent_clock_due(&c, T0 + 129 * MIN));
	assert_true(silent_clock_due(&c, T0 + 130 * MIN));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_clock_quiet),
		cmocka_unit_test(test_clock_busy),
		cmocka_unit_test(test_clock_cycle),
		cmocka_unit_test(test_clock_repeat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
