#ifndef WATCHFOR_OUTBOX_H
#define WATCHFOR_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Delivery of spooled messages in follow mode (issue 6): every message
 * is written to the spool (spool.h) before any attempt and removed only
 * once the mailer exited 0. Attempts run the mailer as a child in its own
 * process group, with the spool file as its stdin, one at a time, never
 * blocking the loop, killed at a timeout. A failed attempt (any non-zero
 * exit, a signal, a mailer that cannot start, the timeout) is retried
 * with backoff; past the maximum age the message moves to failed/.
 *
 * Scheduling: each message has its own next-attempt time (30 s after its
 * first failure, doubling, at most 15 minutes apart); after any failure
 * the whole outbox also waits (30 s after the first consecutive failure,
 * doubling, at most 15 minutes), so that an outage costs one mailer run
 * per wait, not one per message. Among the messages due, the one whose
 * next-attempt time is earliest goes first, so messages spooled while
 * the daemon was down go out oldest first, and one message the mailer
 * always refuses does not hold the others back.
 *
 * The crash window: a message may be sent twice only when watchfor dies
 * (or stops) after the mailer accepted it and before its file is
 * removed; at stop watchfor waits a few seconds for a mailer in flight
 * to narrow that window. (The input side has its own: a line acted on
 * but whose read position was not saved yet is read again after a
 * crash; outbox_set_commit lets the daemon save positions right after
 * spooling, which shrinks that window to one loop round.)
 */

struct config;
struct exec_cmd;
struct loop;
struct outbox;

#define OUTBOX_MAX_AGE_MS	(5ULL * 24 * 3600 * 1000)	/* 5 days */
#define OUTBOX_RETRY_MS		(30ULL * 1000)		/* first retry */
#define OUTBOX_RETRY_MAX_MS	(15ULL * 60 * 1000)	/* at most */
/*
 * Per attempt. Must stay above the helpers' own whole-attempt limits,
 * SMTP_TIMEOUT_MAX_MS (mail_smtp.h) and WEBHOOK_TIMEOUT_MAX (webhook.h),
 * both 100 s, so that a helper's timeout is its own (exit 75, a reason)
 * and not a kill.
 */
#define OUTBOX_TIMEOUT_MS	(120ULL * 1000)
#define OUTBOX_LOUD_MS		(3600ULL * 1000)	/* failure reports */
#define OUTBOX_FALLBACK_MS	(3600ULL * 1000)	/* fallback-after */

/* Settings, from the config's directives (all in ms). */
struct outbox_params {
	uint64_t	 max_age;	/* mail-max-age */
	uint64_t	 fallback_after; /* mail-fallback-after */
	char		*fallback;	/* mail-fallback, or NULL */
	uint64_t	 retry;		/* WATCHFOR_TEST_RETRY_MS */
	uint64_t	 retry_max;	/* WATCHFOR_TEST_RETRY_MAX_MS */
	uint64_t	 timeout;	/* WATCHFOR_TEST_MAIL_TIMEOUT_MS */
	uint64_t	 loud;		/* WATCHFOR_TEST_LOUD_MS */
};

/*
 * Pure: the wait after `failures` (>= 1) consecutive failures: `base`
 * doubled for each failure after the first, at most `max`.
 */
uint64_t	 outbox_backoff(unsigned failures, uint64_t base,
		    uint64_t max);
/*
 * Pure: parses a duration: one or more NUMBER UNIT with UNIT one of ms,
 * s, m, h, d, w ("5d", "1h30m", "500ms"), or a bare number of seconds.
 * Returns 0 and sets *ms, or -1.
 */
int		 outbox_parse_duration(const char *s, uint64_t *ms);
/*
 * Pure: checks the value of a global directive this module reads
 * (mail-max-age, mail-transport, mail-fallback-after, mail-fallback).
 * Returns NULL when it is fine, else a heap message for --check.
 */
char		*outbox_directive_error(const char *name, const char *value);
/*
 * Fills `p` with the defaults, then the config's directives (the last
 * of each wins; bad values, rejected by the config, are ignored), then
 * the WATCHFOR_TEST_* variables. `cfg` may be NULL. Clear with
 * outbox_params_clear.
 */
void		 outbox_params_init(struct outbox_params *p,
		    const struct config *cfg);
void		 outbox_params_clear(struct outbox_params *p);

/*
 * Returns the outbox of the daemon running on `lp`. With a state
 * directory the spool is DIR/outbox: messages left there by an earlier
 * run are scheduled for delivery at once, oldest first (a malformed file
 * is reported and moved to failed/ as NAME.corrupt). Without one
 * (`statedir` NULL) the spool is made at the first message in a private
 * directory (mkdtemp under $TMPDIR or /tmp, mode 0700) that does not
 * survive a reboot. Never fails: when the spool cannot be made,
 * outbox_add fails instead.
 */
struct outbox	*outbox_open(struct loop *lp, const char *statedir,
		    const struct config *cfg);
/*
 * Waits a few seconds for a mailer in flight (its message is removed if
 * it succeeded, else it stays for the next run), then frees the outbox.
 * A private spool is removed when empty, else its path is logged.
 * outbox_close(NULL) is a no-op.
 */
void		 outbox_close(struct outbox *);
/*
 * Calls `cb` from the loop soon after messages were spooled, once the
 * input that caused them is fully acted on: the daemon saves its read
 * positions there, so that a crash right after an alert does not read
 * its line again and mail it twice.
 */
typedef void	 outbox_commit_cb(void *arg);
void		 outbox_set_commit(struct outbox *, outbox_commit_cb *cb,
		    void *arg);
/* Takes the settings of a reloaded config. */
void		 outbox_reconfigure(struct outbox *, const struct config *cfg);

/*
 * Spools one message of `kind` ("mail") to be delivered by running `c`
 * (copied) with `msg` on its stdin; `cmdtext` and `rcpt` name it in
 * messages. Returns once the message is on disk: 0, or -1 when it could
 * not be written (logged): the caller must then deliver it itself.
 */
int		 outbox_add(struct outbox *, const char *kind,
		    const struct exec_cmd *c, const char *cmdtext,
		    const char *rcpt, const char *msg, size_t len);

/*
 * Exit statuses of the delivery helpers (watchfor-smtp, watchfor-http),
 * as sysexits(3): 0 delivered; OUTBOX_EX_TEMPFAIL (75, EX_TEMPFAIL) a
 * temporary failure, retried like any other non-zero exit;
 * OUTBOX_EX_PERMFAIL (69, EX_UNAVAILABLE) a permanent one (an SMTP 5xx,
 * an HTTP 4xx, a refused password file): the message goes to failed/ at
 * once, with a log line. Each helper writes a one-line reason to stderr.
 */
#define OUTBOX_EX_PERMFAIL	69
#define OUTBOX_EX_TEMPFAIL	75

/*
 * outbox_add for a delivery helper: exit OUTBOX_EX_PERMFAIL of `c` is a
 * permanent failure (recorded in the spool file as "permfail 69"); every
 * other non-zero exit, a signal or the timeout is temporary. A sendmail
 * goes through outbox_add, where any non-zero exit is temporary.
 */
int		 outbox_add_helper(struct outbox *, const char *kind,
		    const struct exec_cmd *c, const char *cmdtext,
		    const char *rcpt, const char *msg, size_t len);

struct outbox_stats {
	uint64_t	 spooled;	/* messages added in this run */
	uint64_t	 sent;		/* delivered (mailer exited 0) */
	uint64_t	 retried;	/* failed attempts to be retried */
	uint64_t	 failed;	/* moved to failed/ (too old, refused) */
	uint64_t	 waiting;	/* in the spool now */
	uint64_t	 oldest;	/* age of the oldest waiting, ms */
	bool		 failing;	/* the last attempt failed */
};

void		 outbox_stats(const struct outbox *, struct outbox_stats *);
/* Logs the counters on one line (USR1). */
void		 outbox_log_stats(const struct outbox *);
/* The spool directory (DIR/outbox), or NULL while none is made. */
const char	*outbox_path(const struct outbox *);

#endif
