#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "journal_fmt.h"
#include "util.h"

/* 2026-11-22T19:36:59.588891 UTC */
#define T0	1795376219588891ULL

#define F(s)	(s), sizeof(s) - 1

static const struct fmt_case {
	const char	*name;
	const char	*host;
	size_t		 hostlen;
	const char	*ident;
	size_t		 identlen;
	const char	*pid;
	size_t		 pidlen;
	const char	*msg;
	size_t		 msglen;
	const char	*want;
	size_t		 wantlen;
} fmt_cases[] = {
	{ "full", F("mx1"), F("postfix/smtpd"), F("2733"), F("connect from x"),
	    F("2026-11-22T19:36:59.588891+00:00 mx1 postfix/smtpd[2733]: "
	    "connect from x") },
	{ "no pid", F("mx1"), F("kernel"), NULL, 0, F("sda: I/O error"),
	    F("2026-11-22T19:36:59.588891+00:00 mx1 kernel: sda: I/O error") },
	{ "no ident", F("mx1"), NULL, 0, F("12"), F("bare"),
	    F("2026-11-22T19:36:59.588891+00:00 mx1 bare") },
	{ "no host", NULL, 0, F("sshd"), F("7"), F("hi"),
	    F("2026-11-22T19:36:59.588891+00:00 localhost sshd[7]: hi") },
	{ "multi-line", F("h"), F("app"), F("1"), F("one\ntwo\n"),
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: one#012two") },
	{ "only the last newline goes", F("h"), F("app"), F("1"),
	    F("x\n\n"),
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: x#012") },
	{ "tab, CR, DEL, NUL", F("h"), F("app"), F("1"),
	    F("a\tb\rc\x7f" "d\0e"),
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: "
	    "a#011b#015c#177d#000e") },
	{ "non-UTF-8 passes", F("h"), F("app"), F("1"), F("caf\xe9 \xff\xfe"),
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: caf\xe9 \xff\xfe") },
	{ "UTF-8 passes", F("h"), F("app"), F("1"), F("gr\xc3\xbc\xc3\x9f"),
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: gr\xc3\xbc\xc3\x9f") },
	{ "no message", F("h"), F("app"), F("1"), NULL, 0,
	    F("2026-11-22T19:36:59.588891+00:00 h app[1]: ") },
	{ "control bytes in ident", F("h"), F("a\nb"), F("1"), F("m"),
	    F("2026-11-22T19:36:59.588891+00:00 h a#012b[1]: m") },
};

static void
test_format_table(void **state)
{
	struct buf b = { 0 };
	size_t i;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		const struct fmt_case *c = &fmt_cases[i];
		struct journal_entry e = {
			.realtime = T0,
			.host = c->host, .hostlen = c->hostlen,
			.ident = c->ident, .identlen = c->identlen,
			.pid = c->pid, .pidlen = c->pidlen,
			.msg = c->msg, .msglen = c->msglen,
		};

		buf_reset(&b);
		journal_format(&b, &e);
		if (b.len != c->wantlen || memcmp(b.data, c->want, b.len) != 0)
			fail_msg("%s: got \"%.*s\"", c->name, (int)b.len,
			    b.data);
	}
	buf_free(&b);
}

/* The UTC offset is the local one, with its sign and minutes. */
static void
test_format_offset(void **state)
{
	static const struct {
		const char	*tz;
		const char	*want;
	} tzs[] = {
		{ "Europe/Berlin", "2026-11-22T20:36:59.000001+01:00 h m" },
		{ "America/St_Johns", "2026-11-22T16:06:59.000001-03:30 h m" },
		{ "Asia/Kolkata", "2026-11-23T01:06:59.000001+05:30 h m" },
	};
	struct journal_entry e = { .realtime = 1795376219000001ULL,
	    .host = "h", .hostlen = 1, .msg = "m", .msglen = 1 };
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tzs) / sizeof(tzs[0]); i++) {
		setenv("TZ", tzs[i].tz, 1);
		tzset();
		buf_reset(&b);
		journal_format(&b, &e);
		assert_string_equal(b.data, tzs[i].want);
	}
	setenv("TZ", "UTC", 1);
	tzset();
	buf_free(&b);
}

static const struct spec_case {
	const char	*value;
	const char	*want;	/* groups' matches, " " between, or NULL */
	size_t		 off;	/* of the bad word */
	const char	*dir;
} spec_cases[] = {
	{ "unit=postfix@-", "_SYSTEMD_UNIT=postfix@-.service", 0, NULL },
	{ "unit=ssh.socket", "_SYSTEMD_UNIT=ssh.socket", 0, NULL },
	{ "identifier=postfix/smtpd identifier=sshd",
	    "SYSLOG_IDENTIFIER=postfix/smtpd SYSLOG_IDENTIFIER=sshd", 0, NULL },
	{ "priority=err", "PRIORITY=0 PRIORITY=1 PRIORITY=2 PRIORITY=3", 0,
	    NULL },
	{ "priority=0", "PRIORITY=0", 0, NULL },
	{ "priority=debug", "PRIORITY=0 PRIORITY=1 PRIORITY=2 PRIORITY=3 "
	    "PRIORITY=4 PRIORITY=5 PRIORITY=6 PRIORITY=7", 0, NULL },
	{ "  _COMM=cron\tunit=cron ", "_COMM=cron _SYSTEMD_UNIT=cron.service",
	    0, NULL },
	{ "directory=/var/log/journal/remote identifier=x",
	    "SYSLOG_IDENTIFIER=x", 0, "/var/log/journal/remote" },
	{ "all", "", 0, NULL },
	{ "directory=/d", "", 0, "/d" },
	{ "priority=8", NULL, 0, NULL },
	{ "unit=a priority=warn", NULL, 7, NULL },
	{ "unit=", NULL, 0, NULL },
	{ "identifier=x bogus", NULL, 13, NULL },
	{ "comm=cron", NULL, 0, NULL },
	{ "_comm=cron", NULL, 0, NULL },
	{ "1ABC=x", NULL, 0, NULL },
	{ "directory=/a directory=/b", NULL, 13, NULL },
	{ "unit=a\001b", NULL, 6, NULL },
};

static void
join_group(const struct journal_spec *js, size_t g, struct buf *b)
{
	char *const *m;
	size_t i, n;

	buf_reset(b);
	m = journal_spec_group(js, g, &n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		buf_adds(b, m[i]);
	}
	buf_addc(b, '\0');
}

static void
test_spec_table(void **state)
{
	struct buf b = { 0 };
	size_t i, off;
	char *err;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]); i++) {
		const struct spec_case *c = &spec_cases[i];
		struct journal_spec *js = journal_spec_new();

		off = 999;
		rc = journal_spec_add(js, c->value, &err, &off);
		if (c->want == NULL) {
			if (rc != -1)
				fail_msg("\"%s\" accepted", c->value);
			assert_non_null(err);
			if (off != c->off)
				fail_msg("\"%s\": offset %zu, not %zu (%s)",
				    c->value, off, c->off, err);
			assert_int_equal(journal_spec_ngroups(js), 0);
			free(err);
		} else {
			if (rc != 0)
				fail_msg("\"%s\": %s", c->value, err);
			assert_int_equal(journal_spec_ngroups(js), 1);
			join_group(js, 0, &b);
			if (strcmp(b.data, c->want) != 0)
				fail_msg("\"%s\": got \"%s\"", c->value, b.data);
			assert_int_equal(journal_spec_all(js), *c->want == '\0');
			if (c->dir == NULL)
				assert_null(journal_spec_directory(js));
			else
				assert_string_equal(journal_spec_directory(js),
				    c->dir);
		}
		journal_spec_free(js);
	}
	buf_free(&b);
}

/* Lines are groups (OR); one directory for all; a bad line adds nothing. */
static void
test_spec_lines(void **state)
{
	struct journal_spec *js = journal_spec_new();
	struct buf b = { 0 };
	size_t off;
	char *err;

	(void)state;
	assert_int_equal(journal_spec_add(js, "unit=postfix@-", &err, &off), 0);
	assert_int_equal(journal_spec_add(js, "identifier=sshd priority=4 "
	    "directory=/j", &err, &off), 0);
	assert_int_equal(journal_spec_add(js, "directory=/other", &err, &off),
	    -1);
	assert_non_null(strstr(err, "differs"));
	free(err);
	assert_int_equal(journal_spec_add(js, "directory=/j unit=cron", &err,
	    &off), 0);
	assert_int_equal(journal_spec_ngroups(js), 3);
	assert_false(journal_spec_all(js));
	assert_string_equal(journal_spec_directory(js), "/j");
	join_group(js, 1, &b);
	assert_string_equal(b.data, "SYSLOG_IDENTIFIER=sshd PRIORITY=0 "
	    "PRIORITY=1 PRIORITY=2 PRIORITY=3 PRIORITY=4");
	join_group(js, 2, &b);
	assert_string_equal(b.data, "_SYSTEMD_UNIT=cron.service");
	buf_free(&b);
	journal_spec_free(js);
	journal_spec_free(NULL);
}

static char *
write_conf(const char *text)
{
	char *path = xstrdup("/tmp/test_journal.XXXXXX");
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Through the config: the directive is known, checked, and located. */
static void
test_config_directive(void **state)
{
	struct config *cfg;
	struct journal_spec *js;
	struct diag *d;
	char *path;

	(void)state;
	path = write_conf("#% input-journal unit=postfix@- identifier=x\n"
	    "#% input-journal priority=crit\n"
	    "watchfor /x/\n\techo\n");
	d = diag_new(true);
	cfg = config_load(path, false, d);
	assert_non_null(cfg);
	assert_int_equal(diag_errors(d), 0);
	js = journal_spec_from_config(cfg);
	assert_non_null(js);
	assert_int_equal(journal_spec_ngroups(js), 2);
	journal_spec_free(js);
	config_free(cfg);
	diag_free(d);
	unlink(path);
	free(path);

	path = write_conf("watchfor /x/\n\techo\n");
	d = diag_new(true);
	cfg = config_load(path, false, d);
	assert_non_null(cfg);
	assert_null(journal_spec_from_config(cfg));
	config_free(cfg);
	diag_free(d);
	unlink(path);
	free(path);

	path = write_conf("#% input-journal unit=a priority=loud\n"
	    "watchfor /x/\n\techo\n");
	d = diag_new(true);
	cfg = config_load(path, false, d);
	assert_int_equal(diag_errors(d), 1);
	config_free(cfg);
	diag_free(d);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_offset),
		cmocka_unit_test(test_spec_table),
		cmocka_unit_test(test_spec_lines),
		cmocka_unit_test(test_config_directive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
