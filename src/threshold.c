/*
 * swatchdog's threshold arithmetic (Swatchdog/Threshold.pm). A record
 * whose interval is over behaves exactly like an absent one, so the
 * bounded table that drops old keys does not change results in practice.
 */
#include <stdlib.h>
#include <string.h>

#include "keytab.h"
#include "log.h"
#include "threshold.h"
#include "util.h"

struct threshold_rec {
	double	events;
	double	first;		/* seconds */
};

struct threshold {
	struct keytab	*tab;
	struct buf	 key;
};

int
threshold_parse_type(const char *s, enum threshold_type *t)
{
	if (strcmp(s, "limit") == 0)
		*t = THRESHOLD_LIMIT;
	else if (strcmp(s, "threshold") == 0)
		*t = THRESHOLD_THRESHOLD;
	else if (strcmp(s, "both") == 0)
		*t = THRESHOLD_BOTH;
	else
		return -1;
	return 0;
}

struct threshold *
threshold_new(size_t max_keys)
{
	struct threshold *t;

	t = xcalloc(1, sizeof(*t));
	t->tab = keytab_new(sizeof(struct threshold_rec), max_keys);
	return t;
}

void
threshold_free(struct threshold *t)
{
	if (t == NULL)
		return;
	keytab_free(t->tab);
	buf_free(&t->key);
	free(t);
}

bool
threshold_event(struct threshold *t, unsigned swid, const char *track,
    size_t tlen, const struct threshold_spec *s, time_t now)
{
	struct threshold_rec *r;
	bool created, within = true;
	double tnow = (double)now;

	buf_reset(&t->key);
	buf_addf(&t->key, "%u", swid);
	buf_addc(&t->key, '\0');
	buf_add(&t->key, track, tlen);
	r = keytab_get(t->tab, t->key.data, t->key.len, &created);
	if (created) {
		r->events = 1;
		r->first = tnow;
	} else
		within = r->first + s->seconds > tnow;

	switch (s->type) {
	case THRESHOLD_LIMIT:
		if (created)
			return true;
		if (r->events < s->count) {
			r->events++;
			return true;
		}
		if (!within) {
			r->events = 1;
			r->first = tnow;
			return true;
		}
		return false;
	case THRESHOLD_THRESHOLD:
		if (!created) {
			r->events++;
			if (within) {
				if (r->events == s->count) {
					r->events = 0;
					return true;
				}
				return false;
			}
			r->first = tnow;
			r->events = 1;
		}
		if (s->count == 1) {
			r->events = 0;
			return true;
		}
		return false;
	case THRESHOLD_BOTH:
		if (!created) {
			r->events++;
			if (within && r->events == s->count)
				return true;
			if (!within) {
				r->events = 1;
				r->first = tnow;
			}
		}
		return r->events == s->count;
	default:
		fatalx("threshold: unknown type %d", (int)s->type);
	}
}

size_t
threshold_keys(const struct threshold *t)
{
	return keytab_count(t->tab);
}
