#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "exec_cmd.h"
#include "mail_msg.h"
#include "mail_smtp.h"
#include "opts.h"
#include "util.h"

#define HDRS(to, subj)	"From: w@example.org\nTo: " to "\nSubject: " subj \
			"\nDate: Tue, 3 Mar 2026 10:04:05 +0000\n" \
			"Message-ID: <id@example.org>\nMIME-Version: 1.0\n"
#define ASCII		"Content-Type: text/plain; charset=us-ascii\n" \
			"Content-Transfer-Encoding: 7bit\n\n"
#define QP		"Content-Type: text/plain; charset=UTF-8\n" \
			"Content-Transfer-Encoding: quoted-printable\n\n"

/* to, subject, body -> the exact message (Tue, 3 Mar 2026 10:04:05 UTC). */
static const struct {
	const char	*to;
	const char	*subject;
	const char	*body;
	const char	*want;
} cases[] = {
	{ "ops@example.org", "Alert", "disk full",
	    HDRS("ops@example.org", "Alert") ASCII "disk full\n" },
	/* swatchdog's ':' separator */
	{ "a@example.org:b@example.org", "s", "b",
	    HDRS("a@example.org,b@example.org", "s") ASCII "b\n" },
	/* no header from log text */
	{ "root", "x\r\nBcc: victim@example.org", "b",
	    HDRS("root", "xBcc: victim@example.org") ASCII "b\n" },
	{ "root\nBcc: v@example.org", "s\x01\x1b", "b",
	    HDRS("rootBcc, v@example.org", "s") ASCII "b\n" },
	/* non-ASCII: encoded words, quoted-printable */
	{ "root", "h\xc3\xa9", "caf\xc3\xa9 = ok",
	    HDRS("root", "=?UTF-8?B?aMOp?=") QP "caf=C3=A9 =3D ok\n" },
	/* invalid UTF-8 as U+FFFD; a CR and trailing blank encoded */
	{ "root", "s", "bad \xff x\r end ",
	    HDRS("root", "s") QP "bad =EF=BF=BD x=0D end=20\n" },
	/* a lone "." line stays (libesmtp dot-stuffs) */
	{ "root", "s", "a\n.\nb", HDRS("root", "s") ASCII "a\n.\nb\n" },
};

static void
test_build_smtp(void **state)
{
	struct buf b = { 0 };
	size_t i;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		mail_build_smtp("w@example.org", cases[i].to,
		    strlen(cases[i].to), cases[i].subject,
		    strlen(cases[i].subject), cases[i].body,
		    strlen(cases[i].body), 1772532245, "<id@example.org>", &b);
		buf_add(&b, "", 0);
		if (strcmp(b.data, cases[i].want) != 0)
			fail_msg("case %zu:\n%s\nwant:\n%s", i, b.data,
			    cases[i].want);
	}
	buf_free(&b);
}

/* A long line goes quoted-printable with soft breaks of at most 76. */
static void
test_long_line(void **state)
{
	struct buf b = { 0 }, body = { 0 };
	const char *p, *nl;
	size_t i;

	(void)state;
	for (i = 0; i < MAIL_LINE_MAX + 10; i++)
		buf_addc(&body, (char)('a' + i % 26));
	mail_build_smtp("w@example.org", "r", 1, "s", 1, body.data, body.len,
	    0, "<id@x>", &b);
	buf_add(&b, "", 0);
	assert_non_null(strstr(b.data, "quoted-printable"));
	p = strstr(b.data, "\n\n") + 2;
	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		assert_true(nl - p <= 76);
	buf_free(&b);
	buf_free(&body);
}

/* Value of header `name` in message `m`, unfolded; encoded words decoded. */
static char *
header_value(const char *m, const char *name)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf raw = { 0 }, out = { 0 };
	const char *p, *e, *q;
	unsigned long v;
	size_t n = strlen(name), bits;

	buf_reserve(&raw, 1);
	buf_reserve(&out, 1);
	for (p = m; strncmp(p, name, n) != 0 || p[n] != ':';
	    p = strchr(p, '\n') + 1)
		assert_non_null(strchr(p, '\n'));
	for (p += n + 2; *p != '\0'; p++) {
		if (*p == '\n' && p[1] != ' ')
			break;
		if (*p != '\n')
			buf_addc(&raw, *p);
	}
	buf_add(&raw, "", 0);
	/* encoded words: decode each, drop the blanks between them */
	for (p = raw.data; *p != '\0';) {
		if (strncmp(p, "=?UTF-8?B?", 10) != 0) {
			buf_addc(&out, *p++);
			continue;
		}
		e = strstr(p + 10, "?=");
		assert_non_null(e);
		for (q = p + 10, v = 0, bits = 0; q < e && *q != '='; q++) {
			v = v << 6 | (unsigned long)(strchr(tab, *q) - tab);
			if ((bits += 6) >= 8) {
				bits -= 8;
				buf_addc(&out, (char)(v >> bits & 0xff));
			}
		}
		p = e + 2;
		if (*p == ' ' && strncmp(p + 1, "=?UTF-8?B?", 10) == 0)
			p++;
	}
	buf_add(&out, "", 0);
	buf_free(&raw);
	return buf_detach(&out);
}

/* Longest line of `m`'s header, in bytes. */
static size_t
longest_header_line(const char *m)
{
	const char *p, *nl;
	size_t longest = 0;

	for (p = m; (nl = strchr(p, '\n')) != NULL && nl != p; p = nl + 1)
		if ((size_t)(nl - p) > longest)
			longest = (size_t)(nl - p);
	return longest;
}

/*
 * A 3,000-character subject, with blanks or without, and a long To give
 * no header line over 998 bytes (RFC 5322), and read back the same.
 */
static void
test_long_headers(void **state)
{
	struct buf b = { 0 }, subj = { 0 }, to = { 0 }, want_to = { 0 };
	char *v;
	size_t i, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		buf_reset(&subj);
		for (i = 0; i < 3000; i++)
			buf_addc(&subj, k == 0 ? (char)('a' + i % 7) :
			    k == 1 ? (i % 10 == 9 ? ' ' : 'x') :
			    (i % 400 == 399 ? ' ' : 'y'));
		buf_add(&subj, "", 0);
		buf_reset(&b);
		mail_build_smtp("w@example.org", "r", 1, subj.data, subj.len,
		    "b", 1, 0, "<id@x>", &b);
		buf_add(&b, "", 0);
		assert_true(longest_header_line(b.data) <= MAIL_LINE_MAX);
		if (k == 1)	/* folded at blanks: near 78 columns */
			assert_true(longest_header_line(b.data) <= 78);
		v = header_value(b.data, "Subject");
		assert_string_equal(v, subj.data);
		free(v);
	}
	/* 200 addresses joined by ',' with no blank */
	for (i = 0; i < 200; i++) {
		buf_addf(&to, "%suser%03zu@example.org", i > 0 ? ":" : "", i);
		buf_addf(&want_to, "%suser%03zu@example.org", i > 0 ? "," : "",
		    i);
	}
	buf_add(&want_to, "", 0);
	buf_reset(&b);
	mail_build_smtp("w@example.org", to.data, to.len, "s", 1, "b", 1, 0,
	    "<id@x>", &b);
	buf_add(&b, "", 0);
	assert_true(longest_header_line(b.data) <= 78);
	v = header_value(b.data, "To");
	for (i = k = 0; v[i] != '\0'; i++)	/* the blanks folding added */
		if (!(v[i] == ' ' && i > 0 && v[i - 1] == ','))
			v[k++] = v[i];
	v[k] = '\0';
	assert_string_equal(v, want_to.data);
	free(v);
	buf_free(&b);
	buf_free(&subj);
	buf_free(&to);
	buf_free(&want_to);
}

static void
test_message_id(void **state)
{
	struct buf a = { 0 }, b = { 0 };

	(void)state;
	mail_message_id("w@example.org", &a);
	mail_message_id("w@example.org", &b);
	buf_add(&a, "", 0);
	buf_add(&b, "", 0);
	assert_string_not_equal(a.data, b.data);
	assert_int_equal(a.data[0], '<');
	assert_non_null(strstr(a.data, ".watchfor@example.org>"));
	buf_free(&a);
	buf_free(&b);
}

static void
test_rcpts(void **state)
{
	char **v;
	size_t n, i;

	(void)state;
	v = mail_rcpts("a@x.org: b@y.org , Bob <c@z.org>,,\r\n", 36, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a@x.org");
	assert_string_equal(v[1], "b@y.org");
	assert_string_equal(v[2], "c@z.org");
	assert_null(v[3]);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	assert_null(mail_rcpts(" , ", 3, &n));
	assert_int_equal(n, 0);
}

static void
test_directives(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
		bool		 ok;
	} dcases[] = {
		{ "smtp-host", "mail.example.org", true },
		{ "smtp-host", "a b", false },
		{ "smtp-port", "587", true },
		{ "smtp-port", "0", false },
		{ "smtp-port", "65536", false },
		{ "smtp-port", "25x", false },
		{ "smtp-starttls", "required", true },
		{ "smtp-starttls", "if-offered", true },
		{ "smtp-starttls", "off", true },
		{ "smtp-starttls", "maybe", false },
		{ "smtp-tls-verify", "on", true },
		{ "smtp-tls-verify", "off", true },
		{ "smtp-tls-verify", "1", false },
		{ "smtp-ca-file", "/etc/ssl/ca.pem", true },
		{ "smtp-ca-file", "ca.pem", false },
		{ "smtp-user", "alice", true },
		{ "smtp-user", "al ice", false },
		{ "smtp-password-file", "relative", false },
		{ "smtp-password-file", "/nonexistent/pw", false },
		{ "smtp-timeout", "30s", true },
		{ "smtp-timeout", "500ms", false },
		{ "smtp-timeout", "2h", false },
		{ "smtp-timeout", "100s", true },
		{ "smtp-timeout", "101s", false },
		{ "smtp-timeout", "2m", false },
		{ "mail-from", "watchfor@example.org", true },
		{ "mail-from", "W <w@example.org>", false },
		{ "state-dir", "anything", true },
	};
	size_t i;
	char *err;

	(void)state;
	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		err = smtp_directive_error(dcases[i].name, dcases[i].value);
		if ((err == NULL) != dcases[i].ok)
			fail_msg("%s %s: %s", dcases[i].name, dcases[i].value,
			    err != NULL ? err : "accepted");
		free(err);
	}
}

/* A password file's mode is checked by --check. */
static void
test_password_mode(void **state)
{
	char path[] = "/tmp/test_smtp_msg.XXXXXX", *err;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_null(smtp_directive_error("smtp-password-file", path));
	assert_int_equal(fchmod(fd, 0640), 0);
	err = smtp_directive_error("smtp-password-file", path);
	assert_non_null(err);
	assert_non_null(strstr(err, "mode 0640"));
	free(err);
	close(fd);
	unlink(path);
}

static void
test_params_cmd(void **state)
{
	struct config_directive dirs[] = {
		{ .name = "mail-transport", .value = "smtp" },
		{ .name = "smtp-host", .value = "relay.example.org" },
		{ .name = "smtp-port", .value = "587" },
		{ .name = "smtp-starttls", .value = "required" },
		{ .name = "smtp-tls-verify", .value = "off" },
		{ .name = "smtp-timeout", .value = "90s" },
		{ .name = "mail-from", .value = "w@example.org" },
		{ .name = "smtp-user", .value = "alice" },
		{ .name = "smtp-password-file", .value = "/etc/pw" },
	};
	static const char *const want[] = {
		"/x/watchfor-smtp", "--host", "relay.example.org", "--port",
		"587", "--starttls", "required", "--tls-verify", "off",
		"--user", "alice", "--password-file", "/etc/pw", "--from",
		"w@example.org", "--timeout", "90", "--", "a@x.org",
		"b@y.org", NULL,
	};
	struct config cfg = { 0 };
	struct smtp_params p;
	struct exec_cmd c;
	struct buf text = { 0 };
	size_t i;

	(void)state;
	cfg.directives = dirs;
	cfg.ndirectives = sizeof(dirs) / sizeof(dirs[0]);
	assert_true(smtp_transport(&cfg));
	assert_false(smtp_transport(NULL));
	smtp_params_init(&p, &cfg);
	setenv("WATCHFOR_SMTP_HELPER", "/x/watchfor-smtp", 1);
	assert_int_equal(smtp_helper_cmd(&p, "a@x.org:b@y.org", &c, &text),
	    0);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(c.argv[i]);
		assert_string_equal(c.argv[i], want[i]);
	}
	assert_null(c.argv[i]);
	assert_int_equal(c.argc, i);
	assert_string_equal(c.file, "/x/watchfor-smtp");
	buf_add(&text, "", 0);
	assert_string_equal(text.data, "smtp relay.example.org:587");
	exec_cmd_clear(&c);
	assert_int_equal(smtp_helper_cmd(&p, " ", &c, &text), -1);
	smtp_params_clear(&p);
	buf_free(&text);
	/* defaults */
	smtp_params_init(&p, NULL);
	assert_string_equal(p.host, "localhost");
	assert_int_equal(p.port, 25);
	assert_int_equal(p.starttls, SMTP_STARTTLS_IF_OFFERED);
	assert_true(p.verify);
	assert_non_null(strchr(p.from, '@'));
	smtp_params_clear(&p);
	unsetenv("WATCHFOR_SMTP_HELPER");
	/* the installed one (the path is CMake's) */
	assert_true(strlen(smtp_helper_path()) > 23);
	assert_string_equal(smtp_helper_path() + strlen(smtp_helper_path()) -
	    23, "/watchfor/watchfor-smtp");
}

/* --mail-test ADDRESS, a watchfor option: full name only. */
static void
test_opt_mail_test(void **state)
{
	char *a1[] = { "watchfor", "--mail-test", "a@example.org", NULL };
	char *a2[] = { "watchfor", "--mail-test=b@example.org", "-c", "x",
	    NULL };
	char *a3[] = { "watchfor", "--mail-test", NULL };
	struct opts o;
	int devnull;

	(void)state;
	assert_int_equal(opts_parse(&o, 3, a1), 0);
	assert_string_equal(o.mail_test, "a@example.org");
	opts_free(&o);
	assert_int_equal(opts_parse(&o, 4, a2), 0);
	assert_string_equal(o.mail_test, "b@example.org");
	assert_string_equal(o.config_file, "x");
	opts_free(&o);
	devnull = open("/dev/null", O_WRONLY);
	assert_int_equal(opts_parse_fd(&o, 2, a3, devnull), 2);
	opts_free(&o);
	close(devnull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_smtp),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_long_headers),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_rcpts),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_password_mode),
		cmocka_unit_test(test_params_cmd),
		cmocka_unit_test(test_opt_mail_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
