#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_smtp.h"
#include "smtp_args.h"
#include "util.h"

#define MAXARGS	24

/* A command line (words split at spaces) -> exit code, a few fields. */
static const struct {
	const char	*line;
	int		 rc;
	const char	*host;
	unsigned	 port;
	int		 tls;
	int		 verify;
	size_t		 nrcpts;
} cases[] = {
	{ "--from a@x -- b@y", 0, "localhost", 25, SMTP_ARGS_TLS_IF_OFFERED,
	    1, 1 },
	{ "--host h --port 587 --starttls required --tls-verify off "
	    "--from a@x b@y c@z", 0, "h", 587, SMTP_ARGS_TLS_REQUIRED, 0, 2 },
	{ "--host=h --port=2525 --starttls=off --from=a@x -- --b@y", 0, "h",
	    2525, SMTP_ARGS_TLS_OFF, 1, 1 },
	/* with a user, if-offered becomes required */
	{ "--user u --password-file /p --from a@x b@y", 0, "localhost", 25,
	    SMTP_ARGS_TLS_REQUIRED, 1, 1 },
	{ "--user u --password-file /p --starttls off --from a@x b@y",
	    SMTP_EX_PERMFAIL, NULL, 0, 0, 0, 0 },
	{ "--user u --from a@x b@y", SMTP_EX_PERMFAIL, NULL, 0, 0, 0, 0 },
	{ "--from a@x", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "b@y", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "--port 0 --from a@x b@y", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "--port 70000 --from a@x b@y", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "--starttls maybe --from a@x b@y", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "--bogus 1 --from a@x b@y", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
	{ "--from", SMTP_EX_USAGE, NULL, 0, 0, 0, 0 },
};

static void
test_parse(void **state)
{
	struct smtp_args a;
	char *argv[MAXARGS], *copy, *w, *save = NULL, *err;
	size_t i;
	int argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy = xstrdup(cases[i].line);
		argc = 0;
		argv[argc++] = "watchfor-smtp";
		for (w = strtok_r(copy, " ", &save); w != NULL;
		    w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		rc = smtp_args_parse(argc, argv, &a, &err);
		if (rc != cases[i].rc)
			fail_msg("%s: %d (%s)", cases[i].line, rc,
			    err != NULL ? err : "");
		if (rc == 0) {
			assert_null(err);
			assert_string_equal(a.host, cases[i].host);
			assert_int_equal(a.port, cases[i].port);
			assert_int_equal(a.starttls, cases[i].tls);
			assert_int_equal(a.verify, cases[i].verify);
			assert_int_equal(a.nrcpts, cases[i].nrcpts);
		} else
			assert_non_null(err);
		free(err);
		free(copy);
	}
}

static void
test_password(void **state)
{
	char path[] = "/tmp/test_smtp_args.XXXXXX", *pw, *err;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "s3cret\r\nnext\n", 13), 13);
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_int_equal(smtp_password_read(path, &pw, &err), 0);
	assert_string_equal(pw, "s3cret");
	free(pw);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(smtp_password_read(path, &pw, &err),
	    SMTP_EX_PERMFAIL);
	assert_null(pw);
	assert_non_null(strstr(err, "mode 0644): refused"));
	free(err);
	assert_int_equal(fchmod(fd, 0620), 0);
	assert_int_equal(smtp_password_read(path, &pw, &err),
	    SMTP_EX_PERMFAIL);
	free(err);
	close(fd);
	unlink(path);
	assert_int_equal(smtp_password_read(path, &pw, &err),
	    SMTP_EX_TEMPFAIL);
	free(err);
}

/*
 * The daemon's check (smtp_directive_error) and the helper
 * (smtp_password_read) agree on a symbolic link, as a Kubernetes secret
 * mount makes: followed; the target's mode decides.
 */
static void
test_password_symlink(void **state)
{
	char dir[] = "/tmp/test_smtp_args.XXXXXX", file[64], link[64];
	char *pw, *err;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(file, sizeof(file), "%s/secret", dir);
	(void)snprintf(link, sizeof(link), "%s/link", dir);
	assert_true((fd = open(file, O_WRONLY | O_CREAT, 0600)) != -1);
	assert_int_equal(write(fd, "pw\n", 3), 3);
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(fchmod(fd, 0600), 0);
	err = smtp_directive_error("smtp-password-file", link);
	assert_null(err);
	assert_int_equal(smtp_password_read(link, &pw, &err), 0);
	assert_string_equal(pw, "pw");
	free(pw);

	assert_int_equal(fchmod(fd, 0644), 0);
	err = smtp_directive_error("smtp-password-file", link);
	assert_non_null(err);
	assert_non_null(strstr(err, "mode 0644"));
	free(err);
	assert_int_equal(smtp_password_read(link, &pw, &err),
	    SMTP_EX_PERMFAIL);
	assert_null(pw);
	assert_non_null(strstr(err, "mode 0644): refused"));
	free(err);

	/* a link to a directory: refused by both */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(dir, link), 0);
	err = smtp_directive_error("smtp-password-file", link);
	assert_non_null(err);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	assert_int_equal(smtp_password_read(link, &pw, &err),
	    SMTP_EX_PERMFAIL);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	close(fd);
	unlink(link);
	unlink(file);
	rmdir(dir);
}

/* --timeout of an older spool file (up to 1 h) is cut to the bound. */
static void
test_timeout_bound(void **state)
{
	char *argv[] = { "h", "--from", "a@x", "--timeout", "3600", "b@y",
	    NULL };
	struct smtp_args a;
	char *err;

	(void)state;
	assert_int_equal(smtp_args_parse(6, argv, &a, &err), 0);
	assert_int_equal(a.timeout, SMTP_ARGS_TIMEOUT_MAX);
	argv[4] = "100";
	assert_int_equal(smtp_args_parse(6, argv, &a, &err), 0);
	assert_int_equal(a.timeout, 100);
}

static void
test_crlf(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} c[] = {
		{ "", "\r\n" },
		{ "a\nb\n", "a\r\nb\r\n" },
		{ "a\r\nb", "a\r\nb\r\n" },
		{ "a\rb\n\n", "a\r\nb\r\n\r\n" },
	};
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&b);
		smtp_crlf(c[i].in, strlen(c[i].in), &b);
		assert_string_equal(b.data, c[i].want);
	}
	buf_free(&b);
}

static void
test_exit_for(void **state)
{
	(void)state;
	assert_int_equal(smtp_exit_for(250), SMTP_EX_OK);
	assert_int_equal(smtp_exit_for(451), SMTP_EX_TEMPFAIL);
	assert_int_equal(smtp_exit_for(421), SMTP_EX_TEMPFAIL);
	assert_int_equal(smtp_exit_for(550), SMTP_EX_PERMFAIL);
	assert_int_equal(smtp_exit_for(0), SMTP_EX_TEMPFAIL);
	assert_int_equal(SMTP_EX_PERMFAIL, 69);
	assert_int_equal(SMTP_EX_TEMPFAIL, 75);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_password_symlink),
		cmocka_unit_test(test_timeout_bound),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_exit_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
