/*
 * The SMTP transport on the daemon's side (see mail_smtp.h): validates
 * and reads the smtp-* directives and builds the command line of the
 * delivery helper, watchfor-smtp. Talking SMTP is the helper's
 * (src/smtp/); spooling and retrying are the outbox's.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "exec_cmd.h"
#include "mail_msg.h"
#include "mail_secret.h"
#include "mail_smtp.h"
#include "outbox.h"
#include "util.h"

static const char *const starttls_names[] = {
	[SMTP_STARTTLS_IF_OFFERED] = "if-offered",
	[SMTP_STARTTLS_REQUIRED] = "required",
	[SMTP_STARTTLS_OFF] = "off",
};

bool
smtp_transport(const struct config *cfg)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->ndirectives; i++)
		if (strcmp(cfg->directives[i].name, "mail-transport") == 0)
			v = cfg->directives[i].value;
	return v != NULL && strcmp(v, "smtp") == 0;
}

static int
parse_starttls(const char *v, enum smtp_starttls *t)
{
	size_t i;

	for (i = 0; i < sizeof(starttls_names) / sizeof(starttls_names[0]);
	    i++)
		if (strcmp(v, starttls_names[i]) == 0) {
			*t = (enum smtp_starttls)i;
			return 0;
		}
	return -1;
}

static int
parse_onoff(const char *v, bool *b)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0)
		*b = true;
	else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0)
		*b = false;
	else
		return -1;
	return 0;
}

static int
parse_port(const char *v, unsigned *port)
{
	unsigned long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0 || n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

/* No blank or control character (a word on the helper's command line). */
static bool
plain_word(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return false;
	return true;
}

/* The helper's rule (mail_secret.h), with stat(2): links are followed. */
static char *
password_file_error(const char *path)
{
	struct stat st;
	const char *why;

	if (path[0] != '/')
		return xasprintf("smtp-password-file: \"%s\" is not an "
		    "absolute path", path);
	if (stat(path, &st) == -1)
		return xasprintf("smtp-password-file: %s: %s", path,
		    strerror(errno));
	if ((why = mail_secret_refusal(&st)) == NULL)
		return NULL;
	if (S_ISREG(st.st_mode))
		return xasprintf("smtp-password-file: %s %s (mode %04o): "
		    "refused; chmod 600 it", path, why,
		    (unsigned)(st.st_mode & 07777));
	return xasprintf("smtp-password-file: %s %s", path, why);
}

char *
smtp_directive_error(const char *name, const char *value)
{
	enum smtp_starttls t;
	unsigned port;
	uint64_t ms;
	bool b;

	if (strcmp(name, "smtp-host") == 0) {
		if (!plain_word(value) || strchr(value, '/') != NULL)
			return xasprintf("smtp-host: bad host name \"%s\"",
			    value);
	} else if (strcmp(name, "smtp-port") == 0) {
		if (parse_port(value, &port) == -1)
			return xasprintf("smtp-port: \"%s\" is not a port "
			    "number from 1 to 65535", value);
	} else if (strcmp(name, "smtp-starttls") == 0) {
		if (parse_starttls(value, &t) == -1)
			return xasprintf("smtp-starttls: \"%s\" is not one of "
			    "required, if-offered, off", value);
	} else if (strcmp(name, "smtp-tls-verify") == 0) {
		if (parse_onoff(value, &b) == -1)
			return xasprintf("smtp-tls-verify: \"%s\" is not on "
			    "or off", value);
	} else if (strcmp(name, "smtp-ca-file") == 0) {
		if (value[0] != '/')
			return xasprintf("smtp-ca-file: \"%s\" is not an "
			    "absolute path", value);
	} else if (strcmp(name, "smtp-user") == 0) {
		if (!plain_word(value))
			return xasprintf("smtp-user: \"%s\" has a blank or a "
			    "control character", value);
	} else if (strcmp(name, "smtp-password-file") == 0)
		return password_file_error(value);
	else if (strcmp(name, "smtp-timeout") == 0) {
		if (outbox_parse_duration(value, &ms) == -1 || ms < 1000 ||
		    ms > SMTP_TIMEOUT_MAX_MS)
			return xasprintf("smtp-timeout: bad duration \"%s\" "
			    "(from 1s to 100s, the whole session; for example "
			    "30s)", value);
	} else if (strcmp(name, "mail-from") == 0) {
		if (!plain_word(value) || strpbrk(value, "<>()\",;") != NULL)
			return xasprintf("mail-from: \"%s\" is not a plain "
			    "address (write user@example.org)", value);
	}
	return NULL;
}

/* LOGIN@HOSTNAME. */
static char *
default_from(void)
{
	struct passwd *pw;
	char host[256];

	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		(void)strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	pw = getpwuid(getuid());
	return xasprintf("%s@%s", pw != NULL ? pw->pw_name : "watchfor",
	    host);
}

static void
set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

void
smtp_params_init(struct smtp_params *p, const struct config *cfg)
{
	const struct config_directive *d;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->host = xstrdup(SMTP_DEFAULT_HOST);
	p->port = SMTP_DEFAULT_PORT;
	p->starttls = SMTP_STARTTLS_IF_OFFERED;
	p->verify = true;
	p->timeout = SMTP_TIMEOUT_MS;
	for (i = 0; cfg != NULL && i < cfg->ndirectives; i++) {
		d = &cfg->directives[i];
		smtp_params_set(p, d->name, d->value);
	}
	if (p->from == NULL)
		p->from = default_from();
}

void
smtp_params_set(struct smtp_params *p, const char *name, const char *value)
{
	uint64_t ms;

	if (strcmp(name, "smtp-host") == 0)
		set_str(&p->host, value);
	else if (strcmp(name, "smtp-port") == 0)
		(void)parse_port(value, &p->port);
	else if (strcmp(name, "smtp-starttls") == 0)
		(void)parse_starttls(value, &p->starttls);
	else if (strcmp(name, "smtp-tls-verify") == 0)
		(void)parse_onoff(value, &p->verify);
	else if (strcmp(name, "smtp-ca-file") == 0)
		set_str(&p->ca_file, value);
	else if (strcmp(name, "smtp-user") == 0)
		set_str(&p->user, value);
	else if (strcmp(name, "smtp-password-file") == 0)
		set_str(&p->password_file, value);
	else if (strcmp(name, "mail-from") == 0)
		set_str(&p->from, value);
	else if (strcmp(name, "smtp-timeout") == 0 &&
	    outbox_parse_duration(value, &ms) == 0)
		p->timeout = ms < SMTP_TIMEOUT_MAX_MS ? ms :
		    SMTP_TIMEOUT_MAX_MS;
}

void
smtp_params_clear(struct smtp_params *p)
{
	free(p->host);
	free(p->ca_file);
	free(p->user);
	free(p->password_file);
	free(p->from);
	memset(p, 0, sizeof(*p));
}

const char *
smtp_helper_path(void)
{
	const char *s = getenv("WATCHFOR_SMTP_HELPER");

	return s != NULL && *s != '\0' ? s : WATCHFOR_SMTP_HELPER_PATH;
}

static void
add_arg(struct exec_cmd *c, const char *a)
{
	c->argv = xreallocarray(c->argv, c->argc + 2, sizeof(*c->argv));
	c->argv[c->argc++] = xstrdup(a);
	c->argv[c->argc] = NULL;
}

static void
add_opt(struct exec_cmd *c, const char *name, const char *value)
{
	add_arg(c, name);
	add_arg(c, value);
}

int
smtp_helper_cmd(const struct smtp_params *p, const char *to,
    struct exec_cmd *c, struct buf *text)
{
	char **rcpts, num[32];
	size_t n, i;

	memset(c, 0, sizeof(*c));
	if ((rcpts = mail_rcpts(to, strlen(to), &n)) == NULL)
		return -1;
	c->file = xstrdup(smtp_helper_path());
	add_arg(c, c->file);
	add_opt(c, "--host", p->host);
	(void)snprintf(num, sizeof(num), "%u", p->port);
	add_opt(c, "--port", num);
	add_opt(c, "--starttls", starttls_names[p->starttls]);
	add_opt(c, "--tls-verify", p->verify ? "on" : "off");
	if (p->ca_file != NULL)
		add_opt(c, "--ca-file", p->ca_file);
	if (p->user != NULL)
		add_opt(c, "--user", p->user);
	if (p->password_file != NULL)
		add_opt(c, "--password-file", p->password_file);
	add_opt(c, "--from", p->from);
	(void)snprintf(num, sizeof(num), "%llu",
	    (unsigned long long)((p->timeout + 999) / 1000));
	add_opt(c, "--timeout", num);
	add_arg(c, "--");
	for (i = 0; i < n; i++) {
		add_arg(c, rcpts[i]);
		free(rcpts[i]);
	}
	free(rcpts);
	buf_addf(text, "smtp %s:%u", p->host, p->port);
	return 0;
}
