/*
 * The SMTP helper's pure part (see smtp_args.h): command line, password
 * file, line ends, reply codes. No libesmtp here, so the unit tests need
 * none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_secret.h"
#include "smtp_args.h"
#include "util.h"

#define SMTP_PASSWORD_MAX	4096

static int
parse_uint(const char *s, unsigned long max, unsigned *v)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0 || n > max)
		return -1;
	*v = (unsigned)n;
	return 0;
}

/* One option and its value; returns 0, or -1 with *err set. */
static int
set_opt(struct smtp_args *a, const char *name, const char *v, char **err)
{
	if (strcmp(name, "host") == 0 && *v != '\0')
		a->host = v;
	else if (strcmp(name, "port") == 0) {
		if (parse_uint(v, 65535, &a->port) == -1)
			goto bad;
	} else if (strcmp(name, "starttls") == 0) {
		if (strcmp(v, "required") == 0)
			a->starttls = SMTP_ARGS_TLS_REQUIRED;
		else if (strcmp(v, "if-offered") == 0)
			a->starttls = SMTP_ARGS_TLS_IF_OFFERED;
		else if (strcmp(v, "off") == 0)
			a->starttls = SMTP_ARGS_TLS_OFF;
		else
			goto bad;
	} else if (strcmp(name, "tls-verify") == 0) {
		if (strcmp(v, "on") == 0)
			a->verify = true;
		else if (strcmp(v, "off") == 0)
			a->verify = false;
		else
			goto bad;
	} else if (strcmp(name, "ca-file") == 0 && *v != '\0')
		a->ca_file = v;
	else if (strcmp(name, "user") == 0 && *v != '\0')
		a->user = v;
	else if (strcmp(name, "password-file") == 0 && *v != '\0')
		a->password_file = v;
	else if (strcmp(name, "from") == 0)
		a->from = v;
	else if (strcmp(name, "timeout") == 0) {
		if (parse_uint(v, 86400, &a->timeout) == -1)
			goto bad;
		if (a->timeout > SMTP_ARGS_TIMEOUT_MAX)
			a->timeout = SMTP_ARGS_TIMEOUT_MAX;
	} else
		goto bad;
	return 0;
bad:
	*err = xasprintf("bad option --%s \"%s\"", name, v);
	return -1;
}

static void
args_defaults(struct smtp_args *a)
{
	memset(a, 0, sizeof(*a));
	a->host = "localhost";
	a->port = 25;
	a->starttls = SMTP_ARGS_TLS_IF_OFFERED;
	a->verify = true;
	a->timeout = 60;
}

/* Settings that parse but can never deliver. */
static int
args_check(struct smtp_args *a, char **err)
{
	if (a->from == NULL) {
		*err = xasprintf("no --from (the envelope sender)");
		return SMTP_EX_USAGE;
	}
	if (a->nrcpts == 0) {
		*err = xasprintf("no recipient");
		return SMTP_EX_USAGE;
	}
	if (a->user == NULL)
		return 0;
	if (a->password_file == NULL) {
		*err = xasprintf("smtp-user %s needs smtp-password-file",
		    a->user);
		return SMTP_EX_PERMFAIL;
	}
	if (a->starttls == SMTP_ARGS_TLS_OFF) {
		*err = xasprintf("smtp-user with smtp-starttls off: refusing "
		    "to send the password unencrypted");
		return SMTP_EX_PERMFAIL;
	}
	a->starttls = SMTP_ARGS_TLS_REQUIRED;
	return 0;
}

int
smtp_args_parse(int argc, char *const argv[], struct smtp_args *a,
    char **err)
{
	const char *arg, *eq;
	char *name;
	int i, rc;

	args_defaults(a);
	*err = NULL;
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(arg, "--", 2) != 0)
			break;
		if ((eq = strchr(arg, '=')) != NULL)
			name = xstrndup(arg + 2, (size_t)(eq - arg - 2));
		else if (i + 1 == argc) {
			*err = xasprintf("option %s needs a value", arg);
			return SMTP_EX_USAGE;
		} else
			name = xstrdup(arg + 2);
		rc = set_opt(a, name, eq != NULL ? eq + 1 : argv[++i], err);
		free(name);
		if (rc == -1)
			return SMTP_EX_USAGE;
	}
	a->rcpts = argv + i;
	a->nrcpts = (size_t)(argc - i);
	return args_check(a, err);
}

/*
 * Opens the password file, following links as the daemon's check does
 * (mail_secret.h), and checks the opened file. Returns the fd, or -1
 * with *rc and *err set.
 */
static int
password_open(const char *path, int *rc, char **err)
{
	struct stat st;
	const char *why;
	int fd;

	*rc = SMTP_EX_TEMPFAIL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		*err = xasprintf("password file %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if ((why = mail_secret_refusal(&st)) == NULL)
		return fd;
	*rc = SMTP_EX_PERMFAIL;
	if (S_ISREG(st.st_mode))
		*err = xasprintf("password file %s %s (mode %04o): refused; "
		    "chmod 600 it", path, why, (unsigned)(st.st_mode & 07777));
	else
		*err = xasprintf("password file %s %s", path, why);
	close(fd);
	return -1;
}

int
smtp_password_read(const char *path, char **pw, char **err)
{
	char buf[SMTP_PASSWORD_MAX + 1];
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	*pw = NULL;
	if ((fd = password_open(path, &rc, err)) == -1)
		return rc;
	rc = SMTP_EX_TEMPFAIL;
	while (len < SMTP_PASSWORD_MAX && (n = read(fd, buf + len,
	    SMTP_PASSWORD_MAX - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*err = xasprintf("password file %s: %s", path,
			    strerror(errno));
			goto done;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*pw = xstrdup(buf);
	rc = 0;
done:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

void
smtp_crlf(const char *s, size_t len, struct buf *out)
{
	size_t i;

	buf_reserve(out, len + len / 16 + 3);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			buf_add(out, "\r\n", 2);
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '\n')
			buf_add(out, "\r\n", 2);
		else
			buf_addc(out, s[i]);
	}
	if (out->len < 2 || out->data[out->len - 1] != '\n')
		buf_add(out, "\r\n", 2);
	buf_add(out, "", 0);
}

int
smtp_exit_for(int code)
{
	if (code >= 200 && code < 300)
		return SMTP_EX_OK;
	if (code >= 500 && code < 600)
		return SMTP_EX_PERMFAIL;
	return SMTP_EX_TEMPFAIL;
}
