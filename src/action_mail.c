/*
 * The mail action (spec 10.5): builds swatchdog's message (To, Subject,
 * empty line, MESSAGE) with header values that log text cannot break, and
 * hands it to the mailer through the executor (executor.h), or spools it
 * in follow mode. The mailer command is built like an exec command
 * (action_exec.c), so a capture in mailer= is data. With "#% mail-transport
 * smtp" (and no mailer=) the message is a complete one (mail_msg.c) and
 * the mailer is the SMTP helper (mail_smtp.c). Building the bytes is
 * mail_msg.c's; the durable spool is the outbox's. In follow mode the
 * mail cap (mailcap.h) may fold a mail instead: the first folded mail's
 * recipients and mailer are kept for the digest, spooled by a loop timer
 * armed only while something is folded; webhooks count against the same
 * cap, and their summary goes to the first folded one (webhook_cap.c).
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action_exec.h"
#include "action_mail.h"
#include "config.h"
#include "diag.h"
#include "digest.h"
#include "executor.h"
#include "log.h"
#include "loop.h"
#include "mail_msg.h"
#include "mail_smtp.h"
#include "mailcap.h"
#include "out.h"
#include "outbox.h"
#include "spawn.h"
#include "subst.h"
#include "util.h"
#include "webhook.h"
#include "webhook_cap.h"

/* swatchdog takes the last executable one (Act:137-139). */
static const char *const sendmail_paths[] = {
	"/usr/lib/sendmail", "/usr/sbin/sendmail",
};

/* Follow mode's outbox: messages are spooled, not piped (issue 6). */
static struct outbox *mail_outbox;

/* Follow mode's mail cap, and the mail whose mailer the digest uses. */
static struct mailcap *mail_cap;
static struct loop_timer *cap_timer;
static struct exec_cmd cap_cmd;
static char *cap_cmdtext, *cap_rcpt;
static char *cap_from;		/* SMTP transport: the sender; else NULL */
static bool cap_held;
static unsigned long long cap_folded_done, cap_digests;	/* stats */

/* The config whose actions are being prepared (mail_prepare_config). */
static const struct config *prep_cfg;

struct mail_action {
	struct tmpl		*addresses;	/* NULL: the login name */
	struct tmpl		*subject;	/* NULL: the default */
	struct exec_tmpl	*mailer;	/* NULL: the transport's */
	struct smtp_params	*smtp;		/* NULL: sendmail */
};

static struct tmpl *
compile_opt(const struct action *a, const char *what, const char *text,
    unsigned col, struct diag *d)
{
	struct tmpl *t;
	char *src, *err = NULL;
	size_t off;

	/* swatchdog escapes every @ of mail values (sw:585, 588) */
	src = exec_escape_at(text);
	t = tmpl_compile(src, TMPL_VALUE, false, &err, &off);
	free(src);
	if (t != NULL)
		return t;
	diag_report(d, DIAG_ERROR, a->file, a->line, col + (unsigned)off,
	    NULL, 0, "mail %s: %s", what, err);
	free(err);
	return NULL;
}

static const struct action_opt *
find_opt(const struct action *a, const char *name)
{
	const struct action_opt *o = NULL;
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			o = &a->opts[i];
	return o;
}

/*
 * Per-action transport overrides, watchfor's options of the mail action
 * (swatchdog ignores options it does not know): TRANSPORT=sendmail|smtp
 * and, for smtp, one option per global directive, each taken literally
 * (a capture never picks a relay).
 */
static const struct {
	const char	*opt;
	const char	*directive;
} smtp_opts[] = {
	{ "FROM",		"mail-from" },
	{ "SMTP_CA_FILE",	"smtp-ca-file" },
	{ "SMTP_HOST",		"smtp-host" },
	{ "SMTP_PASSWORD_FILE",	"smtp-password-file" },
	{ "SMTP_PORT",		"smtp-port" },
	{ "SMTP_STARTTLS",	"smtp-starttls" },
	{ "SMTP_TIMEOUT",	"smtp-timeout" },
	{ "SMTP_TLS_VERIFY",	"smtp-tls-verify" },
	{ "SMTP_USER",		"smtp-user" },
};

/* The transport of `a`: the config's, or its TRANSPORT= and overrides. */
static int
prepare_transport(const struct action *a, struct mail_action *m,
    struct diag *d)
{
	const struct action_opt *o, *t;
	bool smtp = smtp_transport(prep_cfg);
	char *err;
	size_t i;
	int rc = 0;

	if ((t = find_opt(a, "TRANSPORT")) != NULL) {
		if (strcmp(t->value, "smtp") != 0 &&
		    strcmp(t->value, "sendmail") != 0) {
			diag_report(d, DIAG_ERROR, a->file, a->line, t->col,
			    NULL, 0, "transport: \"%s\" is neither sendmail "
			    "nor smtp", t->value);
			return -1;
		}
		smtp = strcmp(t->value, "smtp") == 0;
	}
	for (i = 0; i < sizeof(smtp_opts) / sizeof(smtp_opts[0]); i++) {
		if ((o = find_opt(a, smtp_opts[i].opt)) == NULL)
			continue;
		if (!smtp)
			diag_report(d, DIAG_WARN, a->file, a->line, o->col,
			    NULL, 0, "option %s is not used: this mail goes "
			    "through sendmail (transport=smtp or \"#%% "
			    "mail-transport smtp\")", o->name);
		else if ((err = smtp_directive_error(smtp_opts[i].directive,
		    o->value)) != NULL) {
			diag_report(d, DIAG_ERROR, a->file, a->line, o->col,
			    NULL, 0, "%s", err);
			free(err);
			rc = -1;
		}
	}
	if (!smtp || rc == -1)
		return rc;
	m->smtp = xcalloc(1, sizeof(*m->smtp));
	smtp_params_init(m->smtp, prep_cfg);
	for (i = 0; i < sizeof(smtp_opts) / sizeof(smtp_opts[0]); i++)
		if ((o = find_opt(a, smtp_opts[i].opt)) != NULL)
			smtp_params_set(m->smtp, smtp_opts[i].directive,
			    o->value);
	return 0;
}

struct mail_action *
mail_action_prepare(const struct action *a, struct diag *d)
{
	struct mail_action *m;
	const struct action_opt *o;
	const char *text;
	struct tmpl *t;
	unsigned col;
	bool bare;

	m = xcalloc(1, sizeof(*m));
	if ((text = exec_action_arg(a, "ADDRESSES", &col, &bare)) != NULL &&
	    (m->addresses = compile_opt(a, "addresses", text, col, d)) ==
	    NULL)
		goto fail;
	if ((o = find_opt(a, "SUBJECT")) != NULL &&
	    (m->subject = compile_opt(a, "subject", o->value, o->col, d)) ==
	    NULL)
		goto fail;
	if ((o = find_opt(a, "MAILER")) != NULL) {
		if ((t = compile_opt(a, "mailer", o->value, o->col, d)) ==
		    NULL)
			goto fail;
		m->mailer = exec_tmpl_new(t);
		if (exec_tmpl_error(m->mailer) != NULL) {
			diag_report(d, DIAG_ERROR, a->file, a->line, o->col,
			    NULL, 0, "mailer: %s", exec_tmpl_error(m->mailer));
			goto fail;
		}
		if (exec_tmpl_warning(m->mailer) != NULL)
			diag_report(d, DIAG_WARN, a->file, a->line, o->col,
			    NULL, 0, "mailer: %s",
			    exec_tmpl_warning(m->mailer));
	} else if (prepare_transport(a, m, d) == -1)
		goto fail;
	return m;
fail:
	mail_action_free(m);
	return NULL;
}

void
mail_action_free(struct mail_action *m)
{
	if (m == NULL)
		return;
	tmpl_free(m->addresses);
	tmpl_free(m->subject);
	exec_tmpl_free(m->mailer);
	if (m->smtp != NULL)
		smtp_params_clear(m->smtp);
	free(m->smtp);
	free(m);
}

/*
 * sendmail -oi -t, or false (reported) when there is none; with an
 * outbox, /usr/sbin/sendmail then, retried until it exists.
 */
static bool
default_mailer(struct exec_cmd *c, struct buf *text, const char *to)
{
	const char *path = NULL;
	size_t i;

	for (i = 0; i < sizeof(sendmail_paths) / sizeof(sendmail_paths[0]);
	    i++)
		if (access(sendmail_paths[i], X_OK) == 0)
			path = sendmail_paths[i];
	if (path == NULL && mail_outbox != NULL)
		path = sendmail_paths[1];
	if (path == NULL) {
		if (exec_as_swatchdog())
			/* swatchdog's text, errno included (EPIPE) */
			log_raw("%s: cannot open pipe to : %s\n",
			    exec_warn_prefix(), strerror(EPIPE));
		else
			log_warnx("mail: no sendmail (%s, %s): mail to %s "
			    "not sent", sendmail_paths[0], sendmail_paths[1],
			    to);
		return false;
	}
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(path);
	c->argv = xcalloc(4, sizeof(*c->argv));
	c->argv[0] = xstrdup(path);
	c->argv[1] = xstrdup("-oi");
	c->argv[2] = xstrdup("-t");
	c->argc = 3;
	buf_addf(text, "%s -oi -t", path);
	return true;
}

void
mail_prepare_config(const struct config *cfg)
{
	prep_cfg = cfg;
}

/*
 * The message for `to`: swatchdog's bytes for a mailer, a complete one
 * from `from` for the SMTP helper.
 */
static void
build(const char *from, const char *to, size_t tolen, const char *subj,
    size_t subjlen, const char *body, size_t bodylen, struct buf *out)
{
	struct buf id = { 0 };

	if (from == NULL) {
		mail_build(to, tolen, subj, subjlen, body, bodylen, out);
		return;
	}
	mail_message_id(from, &id);
	mail_build_smtp(from, to, tolen, subj, subjlen, body, bodylen,
	    time(NULL), id.data, out);
	buf_free(&id);
}

/* Spools a message: a helper's exit 69 is permanent, a mailer's is not. */
static int
spool(const char *from, const struct exec_cmd *c, const char *text,
    const char *to, const struct buf *mail)
{
	if (from != NULL)
		return outbox_add_helper(mail_outbox, "mail", c, text, to,
		    mail->data, mail->len);
	return outbox_add(mail_outbox, "mail", c, text, to, mail->data,
	    mail->len);
}

void
mail_set_outbox(struct outbox *ob)
{
	mail_outbox = ob;
}

/*
 * Spools the summary of the webhooks folded in the window to the held
 * webhook (webhook_cap.h), if any were folded.
 */
static void
cap_post_hooks(void)
{
	struct mailcap_hooks h;
	struct webhook_digest d;

	mailcap_webhooks(mail_cap, &h);
	if (h.count == 0)
		return;
	if (!webhook_cap_held()) {
		log_warnx("webhook: %llu webhooks over the cap of %u per "
		    "minute were folded, with no webhook to summarise them "
		    "to", (unsigned long long)h.count, mailcap_cap(mail_cap));
		return;
	}
	memset(&d, 0, sizeof(d));
	d.count = h.count;
	d.first = h.first;
	d.last = h.last;
	d.sample = h.sample;
	d.nsample = h.nsample;
	d.cap = mailcap_cap(mail_cap);
	d.host = webhook_host();
	log_warnx("webhook: %llu webhooks over the cap of %u per minute "
	    "folded into one summary posted to %s", (unsigned long long)h.count,
	    mailcap_cap(mail_cap), webhook_cap_url());
	(void)webhook_cap_post(mail_outbox, &d);
}

/* Forgets the held mail. */
static void
cap_forget_mail(void)
{
	exec_cmd_clear(&cap_cmd);
	free(cap_cmdtext);
	free(cap_rcpt);
	free(cap_from);
	cap_cmdtext = cap_rcpt = cap_from = NULL;
	cap_held = false;
}

/*
 * Spools the digest mail and the webhook summary when due (or now,
 * `force`); forgets the held mail and webhook.
 */
static void
cap_flush(bool force)
{
	struct buf subj = { 0 }, body = { 0 }, mail = { 0 };
	uint64_t n;

	if (mail_cap == NULL || mailcap_folded(mail_cap) == 0 ||
	    (!force && !mailcap_due(mail_cap, loop_now())))
		return;
	cap_post_hooks();
	buf_reserve(&subj, 1);
	buf_reserve(&body, 1);
	if ((n = mailcap_digest(mail_cap, loop_now(), true, &subj,
	    &body)) == 0)
		goto done;
	cap_folded_done += n;
	if (!cap_held)
		goto done;
	cap_digests++;
	build(cap_from, cap_rcpt, strlen(cap_rcpt), subj.data, subj.len,
	    body.data, body.len, &mail);
	log_warnx("mail: %llu mails over the cap of %u per minute folded "
	    "into one digest to %s", (unsigned long long)n,
	    mailcap_cap(mail_cap), cap_rcpt);
	if (mail_outbox == NULL || spool(cap_from, &cap_cmd, cap_cmdtext,
	    cap_rcpt, &mail) == -1)
		log_warnx("mail: the digest of %llu folded mails to %s is "
		    "lost", (unsigned long long)n, cap_rcpt);
done:
	cap_forget_mail();
	webhook_cap_forget();
	if (cap_timer != NULL)
		loop_timer_disarm(cap_timer);
	buf_free(&subj);
	buf_free(&body);
	buf_free(&mail);
}

unsigned long long
mail_cap_folded(void)
{
	return cap_folded_done + (mail_cap != NULL ?
	    mailcap_folded(mail_cap) : 0);
}

unsigned long long
mail_cap_digests(void)
{
	return cap_digests;
}

static void
cap_arm(void)
{
	uint64_t now = loop_now(), end = mailcap_deadline(mail_cap);

	if (cap_timer != NULL)
		loop_timer_arm(cap_timer, end > now ? end - now : 1, 0);
}

static void
cap_timer_cb(void *arg)
{
	(void)arg;
	cap_flush(false);
	if (mailcap_folded(mail_cap) > 0)	/* early: still open */
		cap_arm();
}

void
mail_set_cap(struct loop *lp, const struct config *cfg)
{
	if (lp == NULL) {
		cap_flush(true);
		cap_forget_mail();
		webhook_cap_forget();
		loop_timer_free(cap_timer);
		cap_timer = NULL;
		mailcap_free(mail_cap);
		mail_cap = NULL;
		return;
	}
	if (mail_cap == NULL)
		mail_cap = mailcap_new(mailcap_config_cap(cfg),
		    mailcap_window_ms());
	else
		mailcap_set_cap(mail_cap, mailcap_config_cap(cfg));
	if (cap_timer == NULL)
		cap_timer = loop_timer_new(lp, cap_timer_cb, NULL);
}

/*
 * Offers a mail to the cap: false when it was folded (`c`, `text` and
 * `to` then taken or cleared), true when it goes out.
 */
static bool
cap_pass(struct exec_cmd *c, struct buf *text, struct buf *to,
    const char *from, const char *msg, size_t len)
{
	uint64_t now = loop_now();

	if (mail_cap == NULL || mail_outbox == NULL)
		return true;
	if (mailcap_due(mail_cap, now))
		cap_flush(false);
	if (mailcap_offer(mail_cap, now, time(NULL), msg, len))
		return true;
	if (cap_held) {
		exec_cmd_clear(c);
		return false;
	}
	cap_cmd = *c;
	memset(c, 0, sizeof(*c));
	cap_cmdtext = xstrdup(text->data);
	cap_rcpt = xstrdup(to->data);
	cap_from = from != NULL ? xstrdup(from) : NULL;
	cap_held = true;
	log_warnx("mail: over the cap of %u mails per minute: mail to %s "
	    "folded (%llu so far), a digest follows when the minute ends",
	    mailcap_cap(mail_cap), cap_rcpt,
	    (unsigned long long)mailcap_folded(mail_cap));
	cap_arm();
	return false;
}

struct outbox *
mail_get_outbox(void)
{
	return mail_outbox;
}

bool
mail_cap_offer(const char *kind, const char *rcpt, const char *body,
    size_t len)
{
	uint64_t now = loop_now();

	if (mail_cap == NULL || mail_outbox == NULL)
		return true;
	if (mailcap_due(mail_cap, now))
		cap_flush(false);
	if (mailcap_offer_webhook(mail_cap, now, time(NULL), body, len))
		return true;
	log_warnx("%s: over the cap of %u alerts per minute: %s to %s "
	    "folded, a summary follows when the minute ends (%llu folded "
	    "so far)", kind, mailcap_cap(mail_cap), kind, rcpt,
	    (unsigned long long)mailcap_folded(mail_cap));
	cap_arm();
	return false;
}

static void
login_name(struct buf *out)
{
	struct passwd *pw;

	if ((pw = getpwuid(getuid())) != NULL)
		buf_adds(out, pw->pw_name);
}

/* The mail action, with `subject` (a digest's) in place of subject=. */
static void
run_mail(const struct mail_action *m, const struct subst_ctx *ctx,
    const char *subject, const char *msg, size_t len)
{
	struct buf to = { 0 }, subj = { 0 }, mail = { 0 }, text = { 0 };
	struct executor_job job = { 0 };
	struct exec_cmd c;
	const char *from = m->smtp != NULL ? m->smtp->from : NULL;

	buf_reserve(&to, 1);
	buf_reserve(&text, 1);
	if (m->addresses != NULL)
		tmpl_expand(m->addresses, ctx, &to);
	else
		login_name(&to);
	if (subject != NULL)
		buf_adds(&subj, subject);
	else if (m->subject != NULL)
		tmpl_expand(m->subject, ctx, &subj);
	else
		buf_adds(&subj, MAIL_DEFAULT_SUBJECT);
	if (m->mailer != NULL) {
		exec_cmd_build(m->mailer, ctx, &c);
		exec_tmpl_text(m->mailer, ctx, &text);
	} else if (m->smtp != NULL) {
		if (smtp_helper_cmd(m->smtp, to.data, &c, &text) == -1) {
			log_warnx("mail: no address in \"%s\": not sent",
			    to.data);
			goto done;
		}
	} else if (!default_mailer(&c, &text, to.data))
		goto done;
	if (!cap_pass(&c, &text, &to, from, msg, len))
		goto done;
	build(from, to.data, to.len, subj.data, subj.len, msg, len, &mail);
	if (mail_outbox != NULL && spool(from, &c, text.data, to.data,
	    &mail) == 0) {
		exec_cmd_clear(&c);
		goto done;
	}
	job.what = "mail";
	job.name = text.data;
	job.pipe_msg = from == NULL;
	job.warn_status = true;
	job.warn_write = true;
	executor_run(exec_executor(), &c, &job, mail.data, mail.len);
done:
	buf_free(&to);
	buf_free(&subj);
	buf_free(&mail);
	buf_free(&text);
}

void
mail_action_run(const struct mail_action *m, const struct subst_ctx *ctx,
    const char *msg, size_t len)
{
	run_mail(m, ctx, NULL, msg, len);
}

void
mail_action_digest(const struct mail_action *m, const struct subst_ctx *ctx,
    const char *subject, const char *body, size_t len)
{
	run_mail(m, ctx, subject, body, len);
}

/*
 * The mail cap's pending digest for the state directory: when a mail is
 * held, "capmail FLAGS ARGC NVARS\n", the program, argv, vars, command
 * text, recipients and sender (digest_put_str); when a webhook is held,
 * webhook_cap_encode's part; then mailcap_encode's window.
 */
void
mail_cap_encode(struct buf *out)
{
	size_t i;

	if (mail_cap == NULL || mailcap_folded(mail_cap) == 0 ||
	    (!cap_held && !webhook_cap_held()))
		return;
	if (cap_held) {
		buf_adds(out, "capmail ");
		digest_put_num(out, (unsigned)cap_cmd.dup_stderr |
		    (unsigned)cap_cmd.null_stderr << 1 |
		    (unsigned)cap_cmd.own_pgrp << 2, ' ');
		digest_put_num(out, cap_cmd.argc, ' ');
		digest_put_num(out, cap_cmd.nvars, '\n');
		digest_put_str(out, cap_cmd.file, strlen(cap_cmd.file));
		for (i = 0; i < cap_cmd.argc; i++)
			digest_put_str(out, cap_cmd.argv[i],
			    strlen(cap_cmd.argv[i]));
		for (i = 0; i < cap_cmd.nvars; i++)
			digest_put_str(out, cap_cmd.vars[i],
			    strlen(cap_cmd.vars[i]));
		digest_put_str(out, cap_cmdtext, strlen(cap_cmdtext));
		digest_put_str(out, cap_rcpt, strlen(cap_rcpt));
		/* the SMTP sender, "" for sendmail */
		digest_put_str(out, cap_from != NULL ? cap_from : "",
		    cap_from != NULL ? strlen(cap_from) : 0);
	}
	webhook_cap_encode(out);
	mailcap_encode(mail_cap, out);
}

static bool
decode_cmd(const char **p, const char *end, struct exec_cmd *c)
{
	uint64_t flags, argc, nvars, i;

	memset(c, 0, sizeof(*c));
	if (!digest_get_num(p, end, &flags, ' ') ||
	    !digest_get_num(p, end, &argc, ' ') ||
	    !digest_get_num(p, end, &nvars, '\n') || argc == 0 ||
	    argc > 4096 || nvars > 4096 ||
	    (c->file = digest_get_cstr(p, end)) == NULL)
		return false;
	c->dup_stderr = flags & 1;
	c->null_stderr = (flags & 2) != 0;
	c->own_pgrp = (flags & 4) != 0;
	c->argv = xcalloc(argc + 1, sizeof(*c->argv));
	for (i = 0; i < argc; i++, c->argc++)
		if ((c->argv[i] = digest_get_cstr(p, end)) == NULL)
			return false;
	c->vars = xcalloc(nvars + 1, sizeof(*c->vars));
	for (i = 0; i < nvars; i++, c->nvars++)
		if ((c->vars[i] = digest_get_cstr(p, end)) == NULL)
			return false;
	return true;
}

/* The held mail of mail_cap_encode ("capmail ..."): 0, or -1. */
static int
decode_mail(const char **p, const char *end)
{
	struct exec_cmd c;
	char *cmdtext = NULL, *rcpt = NULL, *from = NULL;

	*p += 8;
	if (!decode_cmd(p, end, &c) || (cmdtext = digest_get_cstr(p, end)) == NULL ||
	    (rcpt = digest_get_cstr(p, end)) == NULL ||
	    (from = digest_get_cstr(p, end)) == NULL) {
		exec_cmd_clear(&c);
		free(cmdtext);
		free(rcpt);
		free(from);
		return -1;
	}
	if (*from == '\0') {
		free(from);
		from = NULL;
	}
	cap_cmd = c;
	cap_cmdtext = cmdtext;
	cap_rcpt = rcpt;
	cap_from = from;
	cap_held = true;
	return 0;
}

static bool
tagged(const char *p, const char *end, const char *tag)
{
	return (size_t)(end - p) >= 8 && memcmp(p, tag, 8) == 0;
}

int
mail_cap_decode(const char **p, const char *end)
{
	bool mail, hook;

	if (mail_cap == NULL || cap_held || webhook_cap_held())
		return -1;
	if ((mail = tagged(*p, end, "capmail ")) && decode_mail(p, end) == -1)
		return -1;
	if ((hook = tagged(*p, end, "caphook ")) &&
	    webhook_cap_decode(p, end) == -1)
		goto bad;
	if ((!mail && !hook) || !mailcap_decode(mail_cap, loop_now(), p, end))
		goto bad;
	if (cap_held)
		log_warnx("mail: a digest of %llu folded mails to %s was "
		    "pending at the last stop: it goes out when this window "
		    "ends", (unsigned long long)mailcap_folded(mail_cap),
		    cap_rcpt);
	if (webhook_cap_held())
		log_warnx("webhook: a summary of %llu folded webhooks to %s "
		    "was pending at the last stop: it is posted when this "
		    "window ends", (unsigned long long)
		    mailcap_folded_webhooks(mail_cap), webhook_cap_url());
	cap_arm();
	return 0;
bad:
	cap_forget_mail();
	webhook_cap_forget();
	return -1;
}

/* Runs `c` with `mail` on its stdin (a memfd) and waits: its wait status. */
static int
run_wait(const struct exec_cmd *c, const struct buf *mail)
{
	pid_t pid;
	int fd;

	if ((fd = memfd_create("watchfor-mail-test", MFD_CLOEXEC)) == -1 ||
	    util_write_all(fd, mail->data, mail->len) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		log_warn("mail-test: message");
		if (fd != -1)
			close(fd);
		return -1;
	}
	out_flush();
	pid = exec_cmd_spawn(c, fd);
	close(fd);
	if (pid == -1) {
		log_warn("mail-test: cannot run %s", c->file);
		return -1;
	}
	return spawn_wait(pid);
}

int
mail_test(const struct config *cfg, const char *address)
{
	struct buf text = { 0 }, mail = { 0 }, body = { 0 }, line = { 0 };
	struct smtp_params p = { 0 };
	struct exec_cmd c = { 0 };
	char host[256];
	int status, rc = 1;
	bool smtp = smtp_transport(cfg);

	buf_reserve(&text, 1);
	if (gethostname(host, sizeof(host)) == -1)
		(void)strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	buf_addf(&body, "This is a test message from watchfor on %s, sent "
	    "by --mail-test\nthrough the %s transport. If you read it, mail "
	    "alerts work.", host, smtp ? "smtp" : "sendmail");
	if (smtp) {
		smtp_params_init(&p, cfg);
		if (smtp_helper_cmd(&p, address, &c, &text) == -1) {
			log_warnx("mail-test: no address in \"%s\"", address);
			goto done;
		}
	} else if (!default_mailer(&c, &text, address))
		goto done;
	build(smtp ? p.from : NULL, address, strlen(address),
	    "watchfor test message", 21, body.data, body.len, &mail);
	if ((status = run_wait(&c, &mail)) == -1)
		goto done;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		buf_addf(&line, "mail-test: message to %s accepted by %s\n",
		    address, text.data);
		out_write(line.data, line.len);
		rc = 0;
	} else if (WIFEXITED(status))
		log_warnx("mail-test: message to %s not delivered: \"%s\" "
		    "exited with status %d%s", address, text.data,
		    WEXITSTATUS(status), !smtp ? "" :
		    WEXITSTATUS(status) == OUTBOX_EX_TEMPFAIL ?
		    " (a temporary failure: watchfor would retry)" :
		    WEXITSTATUS(status) == OUTBOX_EX_PERMFAIL ?
		    " (a permanent failure)" : "");
	else
		log_warnx("mail-test: message to %s not delivered: \"%s\" "
		    "ended with wait status %d", address, text.data, status);
done:
	if (smtp)
		smtp_params_clear(&p);
	exec_cmd_clear(&c);
	buf_free(&text);
	buf_free(&mail);
	buf_free(&body);
	buf_free(&line);
	out_flush();
	return rc;
}
