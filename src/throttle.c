/*
 * swatchdog's throttle arithmetic (Swatchdog/Throttle.pm), with bounded
 * memory: records live in a keytab that drops the least recently used key
 * past its limit. Times are whole seconds from the caller.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"
#include "throttle.h"
#include "util.h"

struct throttle_rec {
	unsigned long long	count;
	time_t			last;
};

struct throttle {
	struct keytab	*tab;
};

/* Perl's numeric value of a string prefix: "15" 15, "x" 0, " 2a" 2. */
static double
perl_num(const char *s, size_t n)
{
	char tmp[64], *end;
	double v;

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	return end == tmp ? 0 : v;
}

long long
throttle_parse_hold(const char *s)
{
	static const long long unit[4] = { 86400, 3600, 60, 1 };
	const char *field[4], *p;
	size_t flen[4], n = 0, i;
	double total = 0;

	/* Perl's split(/:/) drops trailing empty fields */
	for (p = s;;) {
		const char *c = strchr(p, ':');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);

		if (n < 4) {
			field[n] = p;
			flen[n] = len;
		}
		n++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	while (n > 0 && n <= 4 && flen[n - 1] == 0)
		n--;
	if (n > 4)
		n = 4;	/* swatchdog would pass extra fields on; keep DHMS */
	for (i = 0; i < n; i++)
		total += perl_num(field[i], flen[i]) * (double)unit[4 - n + i];
	/* nan holds nothing; a hold past a million years is "for ever" */
	if (total != total)
		return 0;
	if (!(total > -THROTTLE_HOLD_MAX))
		return -THROTTLE_HOLD_MAX;
	if (!(total < THROTTLE_HOLD_MAX))
		return THROTTLE_HOLD_MAX;
	return (long long)total;
}

struct throttle *
throttle_new(size_t max_keys)
{
	struct throttle *t;

	t = xcalloc(1, sizeof(*t));
	t->tab = keytab_new(sizeof(struct throttle_rec), max_keys);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	keytab_free(t->tab);
	free(t);
}

/* Perl's chomp with $/ = "\n". */
static size_t
chomped(const char *msg, size_t len)
{
	return len > 0 && msg[len - 1] == '\n' ? len - 1 : len;
}

bool
throttle_event(struct throttle *t, const struct throttle_spec *spec,
    const char *key, size_t klen, const char *msg, size_t mlen, time_t now,
    struct buf *out)
{
	struct throttle_rec *r;
	bool created;

	buf_reset(out);
	r = keytab_get(t->tab, key, klen, &created);
	if (created) {
		r->count = 1;
		r->last = now;
		buf_add(out, msg, mlen);
		return true;
	}
	r->count++;
	if (spec->threshold != NULL && (double)r->count == spec->threshold_n) {
		buf_add(out, msg, chomped(msg, mlen));
		buf_addf(out, " (threshold %s exceeded)", spec->threshold);
		r->count = 0;
		return true;
	}
	if (spec->has_hold && (long long)now > (long long)r->last + spec->hold) {
		buf_add(out, msg, chomped(msg, mlen));
		buf_addf(out, " (seen %llu times)", r->count);
		r->count = 0;
		r->last = now;
		return true;
	}
	return false;
}

/* Length of a "Nov 22 19:36:59" stamp plus blanks at p, or 0. */
static size_t
classic_stamp(const char *p, size_t n)
{
	size_t i = 0, j;

	/* \w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+ */
	for (j = 0; j < 3; j++, i++)
		if (i >= n || !(isalnum((unsigned char)p[i]) || p[i] == '_'))
			return 0;
	for (j = i; i < n && isspace((unsigned char)p[i]); i++)
		;
	if (i == j)
		return 0;
	for (j = i; i < n && i - j < 2 && isdigit((unsigned char)p[i]); i++)
		;
	if (i == j)
		return 0;
	for (j = i; i < n && isspace((unsigned char)p[i]); i++)
		;
	if (i == j || i + 8 > n)
		return 0;
	if (!isdigit((unsigned char)p[i]) || !isdigit((unsigned char)p[i + 1]) ||
	    p[i + 2] != ':' || !isdigit((unsigned char)p[i + 3]) ||
	    !isdigit((unsigned char)p[i + 4]) || p[i + 5] != ':' ||
	    !isdigit((unsigned char)p[i + 6]) ||
	    !isdigit((unsigned char)p[i + 7]))
		return 0;
	i += 8;
	for (j = i; i < n && isspace((unsigned char)p[i]); i++)
		;
	return i == j ? 0 : i;
}

static bool
digits(const char *p, size_t n, size_t at, size_t count)
{
	size_t i;

	if (at + count > n)
		return false;
	for (i = 0; i < count; i++)
		if (!isdigit((unsigned char)p[at + i]))
			return false;
	return true;
}

/* Length of "2026-11-22T19:36:59[.frac](Z|+hh:mm)" plus blanks, or 0. */
static size_t
rfc3339_stamp(const char *p, size_t n)
{
	size_t i, j;

	if (!digits(p, n, 0, 4) || n < 19 || p[4] != '-' ||
	    !digits(p, n, 5, 2) || p[7] != '-' || !digits(p, n, 8, 2) ||
	    (p[10] != 'T' && p[10] != ' ') || !digits(p, n, 11, 2) ||
	    p[13] != ':' || !digits(p, n, 14, 2) || p[16] != ':' ||
	    !digits(p, n, 17, 2))
		return 0;
	i = 19;
	if (i < n && p[i] == '.') {
		for (j = ++i; i < n && isdigit((unsigned char)p[i]); i++)
			;
		if (i == j)
			return 0;
	}
	if (i < n && p[i] == 'Z')
		i++;
	else if (i < n && (p[i] == '+' || p[i] == '-')) {
		if (!digits(p, n, i + 1, 2) || i + 3 >= n || p[i + 3] != ':' ||
		    !digits(p, n, i + 4, 2))
			return 0;
		i += 6;
	}
	for (j = i; i < n && isspace((unsigned char)p[i]); i++)
		;
	return i == j ? 0 : i;
}

void
throttle_default_key(const char *msg, size_t len, const char **key,
    size_t *klen)
{
	size_t cut;

	if ((cut = classic_stamp(msg, len)) == 0)
		cut = rfc3339_stamp(msg, len);
	*key = msg + cut;
	*klen = len - cut;
}

size_t
throttle_keys(const struct throttle *t)
{
	return keytab_count(t->tab);
}
