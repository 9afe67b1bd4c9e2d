/*
 * watchfor-smtp: the delivery helper of the SMTP transport (issue 6).
 * Reads one complete RFC 5322 message on stdin, sends it through the
 * relay given on the command line with libesmtp (STARTTLS with
 * certificate verification, AUTH with the password from a file), and
 * says how it went through its exit status: 0 accepted, 75 temporary
 * (4xx, no connection, timeout, TLS failure), 69 permanent (5xx, a bad
 * password file), 64 bad arguments; with a one-line reason on stderr.
 * The daemon does not link libesmtp: the outbox runs this as a child and
 * decides about retries; the arguments are smtp_args.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "helper.h"
#include "smtp_args.h"
#include "util.h"

#define REASON_MAX	512
/* implicit TLS (RFC 8314), which libesmtp 1.1 cannot speak */
#define SMTP_SMTPS_PORT	465

/* What the callbacks learnt about the session. */
struct state {
	const struct smtp_args	*a;
	const char		*password;
	bool			 tls;		/* STARTTLS done */
	char			 reason[REASON_MAX];	/* first problem */
	char			 reply[REASON_MAX];	/* first error reply */
	int			 reply_code;
};

static const char *progname = "watchfor-smtp";
static bool debug;		/* $WATCHFOR_SMTP_DEBUG */

/* The one-line reason on stderr: no control character, no line end. */
static void
say(const char *fmt, ...)
{
	char line[2 * REASON_MAX];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	while (i > 0 && line[i - 1] == ' ')
		line[--i] = '\0';
	fprintf(stderr, "%s: %s\n", progname, line);
}

static void
reason(struct state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->reason[0] != '\0')
		return;
	va_start(ap, fmt);
	(void)vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
}

/*
 * WATCHFOR_SMTP_DEBUG: the dialogue on stderr; of what we send only the
 * commands that carry no secret.
 */
static void
debug_line(const char *buf, int len, int writing)
{
	static const char *const verbs[] = {
		"EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "QUIT",
		"RSET",
	};
	size_t i, n;

	if (len <= 0)
		return;
	if (writing == SMTP_CB_READING) {
		fprintf(stderr, "S: %.*s", len, buf);
		return;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if ((size_t)len >= (n = strlen(verbs[i])) &&
		    strncmp(buf, verbs[i], n) == 0) {
			fprintf(stderr, "C: %.*s", len, buf);
			return;
		}
	fprintf(stderr, "C: (not shown)\n");
}

/*
 * Records the first error reply (4xx, 5xx) of the server; never what we
 * send, which holds the credentials.
 */
static void
monitor_cb(const char *buf, int len, int writing, void *arg)
{
	struct state *st = arg;
	size_t n;

	if (debug)
		debug_line(buf, len, writing);
	if (writing != SMTP_CB_READING || len < 3 || st->reply_code != 0 ||
	    (buf[0] != '4' && buf[0] != '5'))
		return;
	n = (size_t)len;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n >= sizeof(st->reply))
		n = sizeof(st->reply) - 1;
	memcpy(st->reply, buf, n);
	st->reply[n] = '\0';
	for (n = 0; st->reply[n] != '\0'; n++)
		if ((unsigned char)st->reply[n] < 0x20)
			st->reply[n] = ' ';
	st->reply_code = atoi(st->reply);
}

static void
event_cb(smtp_session_t s, int event, void *arg, ...)
{
	struct state *st = arg;
	va_list ap;
	long vfy;
	int *ok;

	(void)s;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		vfy = va_arg(ap, long);
		ok = va_arg(ap, int *);
		if (st->a->verify)
			reason(st, "TLS: the server's certificate does not "
			    "verify: %s", X509_verify_cert_error_string(vfy));
		else
			*ok = 1;
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		if (st->a->verify)
			reason(st, "TLS: the server sent no certificate");
		else
			*ok = 1;
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		/*
		 * libesmtp matches DNS names only; OpenSSL already checked
		 * the name or IP address (verify_ctx) when the certificate
		 * verified, else INVALID_PEER_CERTIFICATE came first.
		 */
		ok = va_arg(ap, int *);
		*ok = 1;
		break;
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		reason(st, "TLS: the cipher is too weak");
		break;
	case SMTP_EV_STARTTLS_OK:
		st->tls = true;
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		reason(st, "the server does not offer STARTTLS (smtp-starttls "
		    "required%s)", st->a->user != NULL ? ", as smtp-user "
		    "needs" : "");
		break;
	case SMTP_EV_UNUSABLE_CA_LIST:
		reason(st, "TLS: unusable CA list");
		break;
	default:
		break;
	}
	va_end(ap);
}

/* AUTH: the user and the password, and only over TLS. */
static int
interact_cb(auth_client_request_t req, char **result, int fields, void *arg)
{
	struct state *st = arg;
	int i;

	if (!st->tls) {
		reason(st, "refusing to send the password before STARTTLS");
		return 0;
	}
	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = (char *)st->a->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = (char *)st->password;
		else
			result[i] = (char *)"";
	}
	return 1;
}

/*
 * The TLS context: TLS 1.2 or later; with verification the CA file or
 * the system's store, and the host name or IP address checked by
 * OpenSSL. Returns NULL with *err set.
 */
static SSL_CTX *
tls_ctx(const struct smtp_args *a, char **err)
{
	X509_VERIFY_PARAM *vp;
	unsigned char ip[16];
	SSL_CTX *ctx;

	OPENSSL_init_ssl(0, NULL);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*err = xasprintf("TLS: cannot make a context");
		return NULL;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * And at most TLS 1.2: libesmtp 1.1 hangs when a TLS 1.3 server's
	 * session tickets (sent after the handshake) arrive before it wrote
	 * EHLO: it reads them, then waits for a reply to a command it never
	 * flushed, until the timeout (seen against aiosmtpd, one session in
	 * three when the helper runs slowly; TLS 1.2 has no such messages).
	 */
	(void)SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (!a->verify)
		return ctx;
	if (a->ca_file != NULL ?
	    SSL_CTX_load_verify_locations(ctx, a->ca_file, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(ctx) != 1) {
		*err = xasprintf("TLS: cannot load the CA file %s",
		    a->ca_file != NULL ? a->ca_file : "(system)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	vp = SSL_CTX_get0_param(ctx);
	if (inet_pton(AF_INET, a->host, ip) == 1 ||
	    inet_pton(AF_INET6, a->host, ip) == 1)
		(void)X509_VERIFY_PARAM_set1_ip_asc(vp, a->host);
	else
		(void)X509_VERIFY_PARAM_set1_host(vp, a->host, 0);
	return ctx;
}

static void
set_timeouts(smtp_session_t s, unsigned secs)
{
	static const int which[] = {
		Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
		Timeout_TRANSFER, Timeout_DATA2,
	};
	size_t i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		(void)smtp_set_timeout(s, which[i] |
		    Timeout_OVERRIDE_RFC2822_MINIMUM, (long)secs * 1000);
}

/*
 * The recipients' replies: how many were accepted, and the worst refusal
 * (5xx unless one is 4xx: then retried); each refusal is said.
 */
struct rcpts {
	const char	*hostport;
	size_t		 accepted;
	int		 code;		/* worst refusal, 0: none */
	char		 text[REASON_MAX];
};

static void
rcpt_cb(smtp_recipient_t r, const char *mailbox, void *arg)
{
	struct rcpts *w = arg;
	const smtp_status_t *rs = smtp_recipient_status(r);

	if (rs == NULL || rs->code == 0)
		return;
	if (smtp_exit_for(rs->code) == SMTP_EX_OK) {
		w->accepted++;
		return;
	}
	say("%s: recipient %s refused: %d %s", w->hostport, mailbox,
	    rs->code, rs->text != NULL ? rs->text : "");
	if (w->code == 0 || (rs->code / 100 == 4 && w->code / 100 != 4)) {
		w->code = rs->code;
		(void)snprintf(w->text, sizeof(w->text), "%s: %d %s", mailbox,
		    rs->code, rs->text != NULL ? rs->text : "");
	}
}

/*
 * The outcome of a session that ran; *why gets the reason. The message
 * counts as sent when one recipient at least took it: the others are
 * said on stderr (retrying would send it twice to those that took it).
 */
static int
outcome(struct state *st, const char *hostport, smtp_message_t m,
    char *why, size_t size)
{
	const smtp_status_t *ms = smtp_message_transfer_status(m);
	const smtp_status_t *rp = smtp_reverse_path_status(m);
	struct rcpts w = { .hostport = hostport };

	(void)smtp_enumerate_recipients(m, rcpt_cb, &w);
	if (ms != NULL && smtp_exit_for(ms->code) == SMTP_EX_OK)
		return SMTP_EX_OK;
	if (rp != NULL && rp->code != 0 && smtp_exit_for(rp->code) != 0) {
		(void)snprintf(why, size, "sender %s refused: %d %s",
		    st->a->from, rp->code, rp->text != NULL ? rp->text : "");
		return smtp_exit_for(rp->code);
	}
	if (w.accepted == 0 && w.code != 0) {
		(void)snprintf(why, size, "recipient %s", w.text);
		return smtp_exit_for(w.code);
	}
	if (ms != NULL && ms->code != 0) {
		(void)snprintf(why, size, "message refused: %d %s", ms->code,
		    ms->text != NULL ? ms->text : "");
		return smtp_exit_for(ms->code);
	}
	if (st->reason[0] != '\0')
		(void)snprintf(why, size, "%s", st->reason);
	else if (st->reply[0] != '\0')
		(void)snprintf(why, size, "the server said: %s", st->reply);
	else if (st->a->port == SMTP_SMTPS_PORT)
		/* nothing understood: perhaps a TLS server */
		(void)snprintf(why, size, "session ended early: port %u is "
		    "usually implicit TLS (smtps), which watchfor-smtp cannot "
		    "speak; use port 587 with STARTTLS", SMTP_SMTPS_PORT);
	else
		(void)snprintf(why, size, "session ended early");
	/* a 5xx greeting or EHLO, or an AUTH refusal: permanent */
	return st->reason[0] == '\0' && st->reply_code >= 500 ?
	    SMTP_EX_PERMFAIL : SMTP_EX_TEMPFAIL;
}

/* Reads all of stdin. */
static int
read_stdin(struct buf *b)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf_add(b, chunk, (size_t)n);
	}
	return 0;
}

static int
deliver(const struct smtp_args *a, const char *password, const char *msg)
{
	struct state st;
	smtp_session_t s;
	smtp_message_t m;
	auth_context_t actx = NULL;
	SSL_CTX *ctx = NULL;
	char hostport[300], why[REASON_MAX + 64], ebuf[256], *err = NULL;
	size_t i;
	int rc;

	memset(&st, 0, sizeof(st));
	st.a = a;
	st.password = password;
	s = smtp_create_session();
	(void)snprintf(hostport, sizeof(hostport), strchr(a->host, ':') ?
	    "[%s]:%u" : "%s:%u", a->host, a->port);
	if (s == NULL || !smtp_set_server(s, hostport)) {
		say("cannot set up a session for %s", hostport);
		return SMTP_EX_TEMPFAIL;
	}
	set_timeouts(s, a->timeout);
	(void)smtp_set_eventcb(s, event_cb, &st);
	(void)smtp_set_monitorcb(s, monitor_cb, &st, 0);
	if (a->starttls != SMTP_ARGS_TLS_OFF) {
		if ((ctx = tls_ctx(a, &err)) == NULL) {
			say("%s", err);
			free(err);
			smtp_destroy_session(s);
			return SMTP_EX_PERMFAIL;
		}
		(void)smtp_starttls_set_ctx(s, ctx);
		(void)smtp_starttls_enable(s,
		    a->starttls == SMTP_ARGS_TLS_REQUIRED ?
		    Starttls_REQUIRED : Starttls_ENABLED);
	}
	if (a->user != NULL) {
		auth_client_init();
		actx = auth_create_context();
		(void)auth_set_mechanism_flags(actx, AUTH_PLUGIN_PLAIN, 0);
		(void)auth_set_interact_cb(actx, interact_cb, &st);
		(void)smtp_auth_set_context(s, actx);
	}
	m = smtp_add_message(s);
	(void)smtp_set_reverse_path(m, a->from);
	(void)smtp_set_message_str(m, (void *)msg);
	for (i = 0; i < a->nrcpts; i++)
		(void)smtp_add_recipient(m, a->rcpts[i]);

	if (!smtp_start_session(s)) {
		rc = smtp_errno();
		if (st.reason[0] != '\0')
			say("%s: %s", hostport, st.reason);
		else
			say("%s: %s", hostport, smtp_strerror(rc, ebuf,
			    sizeof(ebuf)));
		rc = SMTP_EX_TEMPFAIL;
	} else if ((rc = outcome(&st, hostport, m, why, sizeof(why))) !=
	    SMTP_EX_OK)
		say("%s: %s", hostport, why);
	smtp_destroy_session(s);
	if (actx != NULL) {
		auth_destroy_context(actx);
		auth_client_exit();
	}
	if (ctx != NULL)
		SSL_CTX_free(ctx);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct smtp_args a;
	struct buf in = { 0 }, msg = { 0 };
	char *err = NULL, *password = NULL;
	int rc;

	helper_harden();
	if ((rc = smtp_args_parse(argc, argv, &a, &err)) != 0) {
		say("%s", err);
		if (rc == SMTP_EX_USAGE)
			fprintf(stderr, "usage: %s [--host H] [--port P] "
			    "[--starttls required|if-offered|off] "
			    "[--tls-verify on|off] [--ca-file F] [--user U "
			    "--password-file F] --from ADDR [--timeout S] "
			    "[--] RCPT...\n", progname);
		free(err);
		return rc;
	}
	if (a.user != NULL && (rc = smtp_password_read(a.password_file,
	    &password, &err)) != 0) {
		say("%s", err);
		free(err);
		return rc;
	}
	if (read_stdin(&in) == -1) {
		say("reading the message: %s", strerror(errno));
		return SMTP_EX_TEMPFAIL;
	}
	smtp_crlf(in.data != NULL ? in.data : "", in.len, &msg);
	buf_free(&in);
	debug = getenv("WATCHFOR_SMTP_DEBUG") != NULL;
	(void)signal(SIGPIPE, SIG_IGN);
	helper_arm_deadline(progname, a.timeout, SMTP_EX_TEMPFAIL);
	rc = deliver(&a, password, msg.data);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	buf_free(&msg);
	return rc;
}
