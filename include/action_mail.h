#ifndef WATCHFOR_ACTION_MAIL_H
#define WATCHFOR_ACTION_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "mail_msg.h"

/*
 * The mail action (spec 10.5): the message swatchdog writes to
 * `sendmail -oi -t` (To, Subject, empty line, MESSAGE), made safe: no log
 * text can add a header, non-ASCII text is declared as UTF-8.
 */

struct action;
struct buf;
struct config;
struct diag;
struct loop;
struct outbox;
struct subst_ctx;

#define MAIL_DEFAULT_SUBJECT	"Message from Swatchdog"

struct mail_action;

/* Compiles a mail action; problems go to `d`; NULL if it cannot run. */
struct mail_action *mail_action_prepare(const struct action *,
		    struct diag *d);
void		 mail_action_free(struct mail_action *);
/*
 * Builds the message with `msg` as body and hands it to the mailer
 * (mailer=; else with the SMTP transport the helper; else the last
 * executable of /usr/lib/sendmail and /usr/sbin/sendmail with -oi -t),
 * waiting for it (one-pass mode). A mailer that cannot start or exits
 * non-zero is reported on stderr.
 */
void		 mail_action_run(const struct mail_action *,
		    const struct subst_ctx *, const char *msg, size_t len);
/*
 * A digest summary (throttle digest mode): like mail_action_run with
 * `subject` in place of subject= and `body` as the message.
 */
void		 mail_action_digest(const struct mail_action *,
		    const struct subst_ctx *, const char *subject,
		    const char *body, size_t len);
/*
 * Follow mode, the state directory: mail_cap_encode appends the mail
 * cap's pending digest (its folded count, times, sample, the mailer of
 * the held mail and the helper command and mode of the held webhook),
 * nothing when none is pending; mail_cap_decode takes
 * one back from *p (advanced) after a restart (mail_set_cap first), to go
 * out when the new window ends. Returns 0, or -1 when malformed or when a
 * digest is already pending.
 */
void		 mail_cap_encode(struct buf *out);
int		 mail_cap_decode(const char **p, const char *end);
/*
 * The config whose actions mail_action_prepare compiles next: with
 * "#% mail-transport smtp" a mail action without mailer= takes its SMTP
 * settings (each action keeps a copy). actions_prepare calls it.
 */
void		 mail_prepare_config(const struct config *cfg);
/*
 * --mail-test ADDRESS: sends one test message to `address` through the
 * transport of `cfg`, waiting for the mailer or the SMTP helper, and
 * prints the result on stdout (a failure on stderr). Returns 0 when it
 * was accepted, else 1.
 */
int		 mail_test(const struct config *cfg, const char *address);
/*
 * Follow mode: with an outbox set, mail_action_run spools the message
 * there (delivered later, retried) instead of running the mailer; when
 * spooling fails it runs the mailer as above. NULL: run it (one-pass).
 * The outbox stays the caller's.
 */
void		 mail_set_outbox(struct outbox *);
/*
 * Follow mode: the mail cap ("#% mail-cap", mailcap.h) of `cfg`, its
 * digest timer on `lp`; called again with a reloaded config. It applies
 * only while an outbox is set. mail_set_cap(NULL, NULL) spools a pending
 * digest at once (call it before mail_set_outbox(NULL)) and frees it all.
 */
void		 mail_set_cap(struct loop *lp, const struct config *cfg);
/*
 * Mails folded by the cap since start, the open window's included, and
 * digests spooled (for the stats file).
 */
unsigned long long mail_cap_folded(void);
unsigned long long mail_cap_digests(void);

/* The outbox set by mail_set_outbox (NULL: one-pass), for webhooks. */
struct outbox	*mail_get_outbox(void);
/*
 * Follow mode: offers one alert of another kind ("webhook") to the same
 * global cap as mails; `rcpt` names it in messages, `body` is sampled.
 * False when it was folded: it is then counted in the window (and in
 * the digest mail when a mail of the window was folded too), logged,
 * and not delivered; the caller holds the first folded webhook of the
 * window (webhook_cap_hold), which gets the window's summary when it
 * closes. True without a cap or an outbox.
 */
bool		 mail_cap_offer(const char *kind, const char *rcpt,
		    const char *body, size_t len);

#endif
