#ifndef WATCHFOR_THROTTLE_H
#define WATCHFOR_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

/*
 * swatchdog's throttle (spec 10.9): one table of records keyed by a string
 * and shared by every rule; the first event of a key passes, repeats are
 * suppressed until the hold time has passed, then pass annotated with
 * "(seen N times)", or every Nth passes with "(threshold N exceeded)".
 */

struct digest;
struct throttle;

struct throttle_spec {
	bool		 has_hold;
	long long	 hold;		/* seconds; may be negative */
	const char	*threshold;	/* THRESHOLD= text, or NULL */
	double		 threshold_n;	/* its numeric value */
	uint64_t	 owner;		/* the rule's text hash: records are
					   tagged with it (reload, restart) */
	bool		 digest;	/* digest mode ("#% throttle-digest") */
	unsigned	 sample;	/* digest mode: lines sampled */
};

/* Open digests at most; past it the oldest closes early. */
#define THROTTLE_DIGESTS_MAX	4096
/* Bytes of a key kept with a digest for messages. */
#define THROTTLE_DIGEST_KEY_MAX	512

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
 * The record is tagged with spec->owner.
 *
 * Digest mode (spec->digest, with a hold time): the first event of a key
 * acts at once (`msg` as is) and opens a window of `hold` seconds; the
 * events within it are folded (false) into the key's digest, which
 * closes when the window does (throttle_digest_close); the first event
 * after the window acts again and opens the next.
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

/* A digest whose window closed, handed to a throttle_digest_cb. */
struct throttle_digest {
	uint64_t		 owner;		/* the rule that folded */
	const char		*key;		/* cut at THROTTLE_DIGEST_KEY_MAX */
	size_t			 klen;
	const struct digest	*dg;		/* borrowed for the call */
};
typedef void	 throttle_digest_cb(const struct throttle_digest *, void *);

/* Open digests. */
size_t		 throttle_digests(const struct throttle *);
/* When the earliest open digest is due (seconds), 0 when none is open. */
time_t		 throttle_digest_deadline(const struct throttle *);
/*
 * Closes the digests due at `now` (every one with `force`), oldest
 * first, handing each to `cb`. Returns their number.
 */
size_t		 throttle_digest_close(struct throttle *, time_t now,
		    bool force, throttle_digest_cb *cb, void *arg);

/* Whether the records of rule `owner` are kept (reload, restore). */
typedef bool	 throttle_keep_cb(uint64_t owner, void *arg);
/*
 * Reload: records of rules `keep` rejects are dropped; their open
 * digests are closed through `cb` first (nothing folded is lost).
 */
void		 throttle_retain(struct throttle *, throttle_keep_cb *keep,
		    throttle_digest_cb *cb, void *arg);
/* Changes whenever a record or digest does (to skip needless saves). */
uint64_t	 throttle_generation(const struct throttle *);

#define THROTTLE_ENC_RECORDS	0x1
#define THROTTLE_ENC_DIGESTS	0x2
/*
 * Appends the records and/or the open digests to `out` (a text form,
 * binary-safe, least recently used first). throttle_decode adds what
 * `data` holds, skipping what belongs to rules `keep` rejects (`keep`
 * NULL: all); a digest is attached to its key's record when that exists
 * (load the records first). *lost gets the hits of the digests skipped.
 * Returns the number of entries taken, or -1 when `data` is malformed
 * (the entries before the damage are kept).
 */
void		 throttle_encode(const struct throttle *, unsigned what,
		    struct buf *out);
long		 throttle_decode(struct throttle *, const char *data,
		    size_t len, throttle_keep_cb *keep, void *arg,
		    uint64_t *lost);

#endif
