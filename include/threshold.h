#ifndef WATCHFOR_THRESHOLD_H
#define WATCHFOR_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * swatchdog's threshold (spec 10.10): per (rule id, track_by value), act
 * on the first COUNT events of an interval (limit), on every COUNTth
 * (threshold), or once per interval on the COUNTth (both).
 */

enum threshold_type {
	THRESHOLD_LIMIT,
	THRESHOLD_THRESHOLD,
	THRESHOLD_BOTH,
};

struct threshold_spec {
	enum threshold_type	type;
	double			count;
	double			seconds;
};

struct threshold;

/* Parses a type name ("limit", "threshold", "both"); -1 if unknown. */
int		 threshold_parse_type(const char *, enum threshold_type *);

/* At most `max_keys` keys are remembered (least recent dropped). */
struct threshold *threshold_new(size_t max_keys);
void		 threshold_free(struct threshold *);

/*
 * One event of the rule (or action) `swid` for the key `track`. Returns
 * true when the action(s) run. `now` in seconds.
 */
bool		 threshold_event(struct threshold *, unsigned swid,
		    const char *track, size_t tlen,
		    const struct threshold_spec *, time_t now);

size_t		 threshold_keys(const struct threshold *);

#endif
