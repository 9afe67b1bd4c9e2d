#ifndef WATCHFOR_MAILCAP_H
#define WATCHFOR_MAILCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The global mail cap of follow mode (issue 4 item 5, "#% mail-cap N"):
 * at most N mails per window (a minute) go out as they are; the excess is
 * folded into one digest sent when the window ends. Pure logic: the
 * caller gives the clock (monotonic ms for windows, wall time for the
 * digest text) and delivers the mails.
 *
 * Windows are fixed: one opens at the first mail offered while none is
 * open and closes `window` ms later. The digest does not count against
 * the cap, so a window sends at most N + 1 mails.
 */

struct buf;
struct config;
struct mailcap;

#define MAILCAP_DEFAULT		30		/* mails per window */
#define MAILCAP_MAX		1000000
#define MAILCAP_WINDOW_MS	(60ULL * 1000)
#define MAILCAP_SAMPLES		10		/* bodies kept */
#define MAILCAP_SAMPLE_LEN	200		/* bytes of each first line */

/* `cap` mails per `window_ms`; 0: no cap (every mail goes out). */
struct mailcap	*mailcap_new(unsigned cap, uint64_t window_ms);
void		 mailcap_free(struct mailcap *);
/* Takes a new cap (reload); a window in progress keeps its count. */
void		 mailcap_set_cap(struct mailcap *, unsigned cap);
unsigned	 mailcap_cap(const struct mailcap *);

/*
 * Offers one mail with body `body` at `now` (ms, monotonic) and `wall`.
 * Returns true when it goes out as usual, false when it was folded (the
 * first line of the body, cut at MAILCAP_SAMPLE_LEN bytes, is kept for
 * the first MAILCAP_SAMPLES folds). Call mailcap_digest first when
 * mailcap_due says so.
 */
bool		 mailcap_offer(struct mailcap *, uint64_t now, time_t wall,
		    const char *body, size_t len);
/*
 * mailcap_offer for a webhook (issue 4 item 5: the cap covers both): it
 * counts against the same window; a folded one is also counted apart,
 * with its own times and sample (mailcap_webhooks, for the one summary
 * post of the window), and named in the digest text.
 */
bool		 mailcap_offer_webhook(struct mailcap *, uint64_t now,
		    time_t wall, const char *body, size_t len);
/* Webhooks among the folded alerts of the open window. */
uint64_t	 mailcap_folded_webhooks(const struct mailcap *);

/* The webhooks folded in the open window. */
struct mailcap_hooks {
	uint64_t	 count;		/* 0: none */
	time_t		 first, last;	/* wall time of the first, last */
	const char *const *sample;	/* first lines of the first ones */
	size_t		 nsample;
};

/*
 * Fills `h` for the webhook summary (webhook_cap.h) of the open window;
 * its strings are the cap's until the next offer, digest or decode.
 */
void		 mailcap_webhooks(const struct mailcap *,
		    struct mailcap_hooks *h);
/* Mails folded in the open window (0: none, no digest pending). */
uint64_t	 mailcap_folded(const struct mailcap *);
/* End of the open window (monotonic ms), 0 when none is open. */
uint64_t	 mailcap_deadline(const struct mailcap *);
/* True when the window has ended at `now` and a digest is pending. */
bool		 mailcap_due(const struct mailcap *, uint64_t now);
/*
 * Writes the digest of the open window (subject and body, appended) and
 * closes the window. Returns the number of mails folded; 0 (nothing
 * written) when none was. `force` closes a window still in progress
 * (shutdown).
 */
uint64_t	 mailcap_digest(struct mailcap *, uint64_t now, bool force,
		    struct buf *subject, struct buf *body);

/*
 * The folded part of the open window for the state directory (nothing
 * when none is folded), the folded webhooks' part included: appended to
 * `out`. mailcap_decode takes one back
 * from *p (advanced) as a new window opened at `now` whose cap is already
 * spent, so its digest goes out when that window ends; false (nothing
 * changed) when malformed.
 */
void		 mailcap_encode(const struct mailcap *, struct buf *out);
bool		 mailcap_decode(struct mailcap *, uint64_t now,
		    const char **p, const char *end);

/*
 * Pure: checks a "#% mail-cap" value: NULL when fine, else a heap
 * message for --check. Other names: NULL.
 */
char		*mailcap_directive_error(const char *name, const char *value);
/* The cap of `cfg` (last mail-cap wins; MAILCAP_DEFAULT; cfg may be NULL). */
unsigned	 mailcap_config_cap(const struct config *cfg);
/* The window: MAILCAP_WINDOW_MS, or WATCHFOR_TEST_CAP_WINDOW_MS (tests). */
uint64_t	 mailcap_window_ms(void);

#endif
