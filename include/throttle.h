#ifndef WATCHFOR_THROTTLE_H
#define WATCHFOR_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

/*
 * swatchdog's throttle (spec 10.9): one table of records keyed by a string
 * and shared by every rule; the first event of a key passes, repeats are
 * suppressed until the hold time has passed, then pass annotated with
 * "(seen N times)", or every Nth passes with "(threshold N exceeded)".
 */

struct throttle;

struct throttle_spec {
	bool		 has_hold;
	long long	 hold;		/* seconds; may be negative */
	const char	*threshold;	/* THRESHOLD= text, or NULL */
	double		 threshold_n;	/* its numeric value */
};

/* Longest hold, in seconds (about 31 million years). */
#define THROTTLE_HOLD_MAX	1e15

/*
 * Parses the hold time "[[[D:]H:]M:]S" (fields left-padded with zeros);
 * fields are Perl numbers, so junk counts as 0. Returns seconds, clamped
 * to +-THROTTLE_HOLD_MAX.
 */
long long	 throttle_parse_hold(const char *);

/* At most `max_keys` keys are remembered; the least recent is dropped. */
struct throttle	*throttle_new(size_t max_keys);
void		 throttle_free(struct throttle *);

/*
 * One event for `key`. Returns true when the actions run; then `out`
 * holds the message to use (`msg`, maybe annotated). `now` in seconds.
 */
bool		 throttle_event(struct throttle *, const struct throttle_spec *,
		    const char *key, size_t klen, const char *msg, size_t mlen,
		    time_t now, struct buf *out);

/*
 * The default key (key=log): the message without a leading timestamp,
 * either swatchdog's traditional "Nov 22 19:36:59 " or the RFC 3339 stamp
 * that Debian 12's rsyslog writes ("2026-11-22T19:36:59.588891+00:00 "),
 * which swatchdog does not strip.
 */
void		 throttle_default_key(const char *msg, size_t len,
		    const char **key, size_t *klen);

size_t		 throttle_keys(const struct throttle *);

#endif
