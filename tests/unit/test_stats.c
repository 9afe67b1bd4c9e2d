#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"
#include "util.h"

static void
test_escape(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "", "" },
		{ "/var/log/syslog", "/var/log/syslog" },
		{ "a\\b", "a\\\\b" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		{ "two\nlines", "two\\nlines" },
		{ "\\\"\n", "\\\\\\\"\\n" },
		{ "tab\tstays", "tab\tstays" },
		{ "é ü", "é ü" },		/* UTF-8 as is */
	};
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		buf_reserve(&b, 1);
		stats_escape_label(&b, cases[i].in);
		assert_string_equal(b.data, cases[i].out);
	}
	buf_free(&b);
}

static void
test_sample(void **state)
{
	const char *two[] = { "rule", "a.conf:3", "pattern", "/x\"y\\/",
	    NULL };
	const char *none[] = { NULL };
	struct buf b = { 0 };

	(void)state;
	stats_sample(&b, "watchfor_x_total", NULL, 0);
	stats_sample(&b, "watchfor_x_total", none, 7);
	stats_sample(&b, "watchfor_y_total", two, 18446744073709551615ULL);
	assert_string_equal(b.data,
	    "watchfor_x_total 0\n"
	    "watchfor_x_total 7\n"
	    "watchfor_y_total{rule=\"a.conf:3\",pattern=\"/x\\\"y\\\\/\"} "
	    "18446744073709551615\n");
	buf_reset(&b);
	stats_family(&b, "watchfor_z", "gauge", "back\\slash\nnewline \"q\"");
	assert_string_equal(b.data,
	    "# HELP watchfor_z back\\\\slash\\nnewline \"q\"\n"
	    "# TYPE watchfor_z gauge\n");
	buf_free(&b);
}

/* The value of the sample line starting with `head` + " ", or -1. */
static long long
value_of(const char *text, const char *head)
{
	const char *p = text;
	size_t n = strlen(head);

	while ((p = strstr(p, head)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

static void
test_format(void **state)
{
	struct stats_input_count in[2] = {
		{ "/var/log/mail.log", 10, 500 },
		{ "/tmp/we\"ird\nname", 1, 2 },
	};
	struct stats_rule_count rules[2] = {
		{ "/etc/w.conf", 4, "/error/", 3, false, 0 },
		{ "/etc/w.conf", 9, "/postfix\\/smtpd/", 8, true, 2 },
	};
	struct stats_snapshot s = { 0 };
	struct buf b = { 0 };
	const char *p, *line;
	size_t helps = 0, types = 0;

	(void)state;
	s.start = 1767323045;
	s.uptime = 3600;
	s.reloads_ok = 2;
	s.reloads_failed = 1;
	s.inputs = in;
	s.ninputs = 2;
	s.rules = rules;
	s.nrules = 2;
	s.actions.run[ACT_MAIL] = 5;
	s.actions.run[ACT_EXEC] = 6;
	s.actions.throttled = 11;
	s.exec.kind_started[EXECUTOR_KIND_EXEC] = 6;
	s.exec.kind_failed[EXECUTOR_KIND_EXEC] = 1;
	s.outbox.spooled = 5;
	s.outbox.sent = 4;
	s.outbox.waiting = 1;
	s.outbox.oldest = 90500;
	s.outbox.failing = true;
	s.tail.rotations = 3;
	s.tail.truncations = 1;
	s.tail.overflows = 2;
	s.mails_folded = 40;
	stats_format(&b, &s);
	p = b.data;
	assert_int_equal(value_of(p, "watchfor_start_time_seconds"),
	    1767323045);
	assert_int_equal(value_of(p, "watchfor_uptime_seconds"), 3600);
	assert_int_equal(value_of(p,
	    "watchfor_config_reloads_total{result=\"ok\"}"), 2);
	assert_int_equal(value_of(p,
	    "watchfor_config_reloads_total{result=\"failed\"}"), 1);
	assert_int_equal(value_of(p, "watchfor_input_lines_total{input="
	    "\"/var/log/mail.log\"}"), 10);
	assert_int_equal(value_of(p, "watchfor_input_bytes_total{input="
	    "\"/var/log/mail.log\"}"), 500);
	assert_int_equal(value_of(p, "watchfor_input_lines_total{input="
	    "\"/tmp/we\\\"ird\\nname\"}"), 1);
	assert_int_equal(value_of(p, "watchfor_rule_matches_total{rule="
	    "\"/etc/w.conf:4\",pattern=\"/error/\"}"), 3);
	assert_int_equal(value_of(p, "watchfor_rule_matches_total{rule="
	    "\"/etc/w.conf:9\",pattern=\"/postfix\\\\/smtpd/\"}"), 8);
	/* only silent rules have an alert counter */
	assert_int_equal(value_of(p, "watchfor_silent_alerts_total{rule="
	    "\"/etc/w.conf:9\",pattern=\"/postfix\\\\/smtpd/\"}"), 2);
	assert_int_equal(value_of(p, "watchfor_silent_alerts_total{rule="
	    "\"/etc/w.conf:4\",pattern=\"/error/\"}"), -1);
	assert_int_equal(value_of(p,
	    "watchfor_actions_total{kind=\"mail\"}"), 5);
	assert_int_equal(value_of(p,
	    "watchfor_actions_total{kind=\"bell\"}"), 0);
	assert_int_equal(value_of(p, "watchfor_throttled_total"), 11);
	assert_int_equal(value_of(p,
	    "watchfor_commands_failed_total{kind=\"exec\"}"), 1);
	assert_int_equal(value_of(p, "watchfor_mails_sent_total"), 4);
	assert_int_equal(value_of(p, "watchfor_mails_waiting"), 1);
	assert_int_equal(value_of(p,
	    "watchfor_mail_oldest_waiting_seconds"), 90);
	assert_int_equal(value_of(p, "watchfor_mail_delivery_failing"), 1);
	assert_int_equal(value_of(p, "watchfor_mails_folded_total"), 40);
	assert_int_equal(value_of(p, "watchfor_file_rotations_total"), 3);
	assert_int_equal(value_of(p, "watchfor_file_truncations_total"), 1);
	assert_int_equal(value_of(p, "watchfor_inotify_overflows_total"), 2);
	/* one HELP and one TYPE per family, each sample after its TYPE */
	for (line = p; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "# HELP watchfor_", 16) == 0)
			helps++;
		else if (strncmp(line, "# TYPE watchfor_", 16) == 0)
			types++;
		else
			assert_true(strncmp(line, "watchfor_", 9) == 0);
	}
	assert_int_equal(helps, types);
	assert_true(helps > 20);
	assert_int_equal(p[b.len - 1], '\n');
	buf_free(&b);
}

static void
test_format_empty(void **state)
{
	struct stats_snapshot s = { 0 };
	struct buf b = { 0 };

	(void)state;
	stats_format(&b, &s);
	/* no inputs, no rules: those families are left out */
	assert_null(strstr(b.data, "watchfor_input_lines_total"));
	assert_null(strstr(b.data, "watchfor_rule_matches_total"));
	assert_null(strstr(b.data, "watchfor_silent_alerts_total"));
	assert_non_null(strstr(b.data, "\nwatchfor_uptime_seconds 0\n"));
	buf_free(&b);
}

static void
test_directive(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		int		 ok;
	} cases[] = {
		{ "stats-interval", "60", 1 },
		{ "stats-interval", "60s", 1 },
		{ "stats-interval", "500ms", 1 },
		{ "stats-interval", "1m30s", 1 },
		{ "stats-interval", "100ms", 1 },
		{ "stats-interval", "99ms", 0 },
		{ "stats-interval", "0", 0 },
		{ "stats-interval", "soon", 0 },
		{ "stats-interval", "5x", 0 },
		{ "stats-file", "/var/lib/node/watchfor.prom", 1 },
		{ "stats-file", "/var/lib/node/", 0 },
		{ "mail-cap", "whatever", 1 },
	};
	size_t i;
	char *e;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = stats_directive_error(cases[i].name, cases[i].value);
		if (cases[i].ok)
			assert_null(e);
		else
			assert_non_null(e);
		free(e);
	}
}

static void
test_write_file(void **state)
{
	char dir[] = "/tmp/test_stats.XXXXXX", path[PATH_MAX], buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/w.prom", dir);
	assert_int_equal(stats_write_file(path, "a 1\n", 4), 0);
	assert_int_equal(stats_write_file(path, "b 22\n", 5), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_size, 5);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_int_equal(n, 5);
	buf[n] = '\0';
	assert_string_equal(buf, "b 22\n");
	/* no temporary file left behind */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	/* a directory that does not exist: -1, errno set */
	errno = 0;
	assert_int_equal(stats_write_file("/nonexistent-dir/x/w.prom", "x",
	    1), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_empty),
		cmocka_unit_test(test_directive),
		cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
