/*
 * swatchdog's throttle arithmetic (Swatchdog/Throttle.pm), with bounded
 * memory: records live in a keytab that drops the least recently used key
 * past its limit. Times are whole seconds from the caller. Also the
 * digest mode's windows (the digests themselves are digest.c's) and the
 * text form of the table for the state directory; running the summary
 * and writing files are the caller's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "digest.h"
#include "keytab.h"
#include "throttle.h"
#include "util.h"

struct open_digest;

struct throttle_rec {
	unsigned long long	 count;
	time_t			 last;
	uint64_t		 owner;
	struct open_digest	*od;		/* digest mode: the open one */
};

/* A digest whose window is open; outlives its record if that is evicted. */
struct open_digest {
	TAILQ_ENTRY(open_digest) entry;
	uint64_t		 owner;
	time_t			 deadline;	/* closes at this second */
	char			*key;		/* cut */
	size_t			 klen;
	struct throttle_rec	*rec;		/* NULL once evicted */
	struct digest		*dg;
};

TAILQ_HEAD(od_head, open_digest);

struct throttle {
	struct keytab	*tab;
	struct od_head	 open;		/* oldest first */
	size_t		 nopen;
	uint64_t	 gen;
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

/* An evicted record's open digest stays, to close at its time. */
static void
rec_dropped(void *rec, void *arg)
{
	struct throttle_rec *r = rec;

	(void)arg;
	if (r->od != NULL)
		r->od->rec = NULL;
}

struct throttle *
throttle_new(size_t max_keys)
{
	struct throttle *t;

	t = xcalloc(1, sizeof(*t));
	t->tab = keytab_new(sizeof(struct throttle_rec), max_keys);
	TAILQ_INIT(&t->open);
	keytab_set_drop(t->tab, rec_dropped, t);
	return t;
}

static void
od_free(struct throttle *t, struct open_digest *od)
{
	TAILQ_REMOVE(&t->open, od, entry);
	t->nopen--;
	if (od->rec != NULL)
		od->rec->od = NULL;
	digest_free(od->dg);
	free(od->key);
	free(od);
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	while (!TAILQ_EMPTY(&t->open))
		od_free(t, TAILQ_FIRST(&t->open));
	keytab_free(t->tab);
	free(t);
}

/* Perl's chomp with $/ = "\n". */
static size_t
chomped(const char *msg, size_t len)
{
	return len > 0 && msg[len - 1] == '\n' ? len - 1 : len;
}

/* Closes the oldest digest not yet due at once (too many open). */
static void
close_oldest(struct throttle *t, time_t now)
{
	struct open_digest *od;

	TAILQ_FOREACH(od, &t->open, entry)
		if (od->deadline > now) {
			od->deadline = now;
			return;
		}
}

static bool
digest_event(struct throttle *t, const struct throttle_spec *spec,
    struct throttle_rec *r, const char *msg, size_t mlen, time_t now,
    struct buf *out)
{
	struct open_digest *od;
	const char *key;

	if ((long long)now > (long long)r->last + spec->hold) {
		/* the window is over; a digest not closed yet closes now */
		if (r->od != NULL) {
			r->od->deadline = now;
			r->od->rec = NULL;
			r->od = NULL;
		}
		r->last = now;
		buf_add(out, msg, mlen);
		return true;
	}
	if ((od = r->od) == NULL) {
		if (t->nopen >= THROTTLE_DIGESTS_MAX)
			close_oldest(t, now);
		od = xcalloc(1, sizeof(*od));
		od->owner = spec->owner;
		od->deadline = (time_t)((long long)r->last + spec->hold + 1);
		key = keytab_rec_key(r, &od->klen);
		if (od->klen > THROTTLE_DIGEST_KEY_MAX)
			od->klen = THROTTLE_DIGEST_KEY_MAX;
		od->key = xstrndup(key, od->klen);
		od->rec = r;
		od->dg = digest_new(spec->sample);
		r->od = od;
		TAILQ_INSERT_TAIL(&t->open, od, entry);
		t->nopen++;
	}
	digest_add(od->dg, msg, mlen, now);
	return false;
}

bool
throttle_event(struct throttle *t, const struct throttle_spec *spec,
    const char *key, size_t klen, const char *msg, size_t mlen, time_t now,
    struct buf *out)
{
	struct throttle_rec *r;
	bool created;

	buf_reset(out);
	t->gen++;
	r = keytab_get(t->tab, key, klen, &created);
	r->owner = spec->owner;
	if (created) {
		r->count = 1;
		r->last = now;
		buf_add(out, msg, mlen);
		return true;
	}
	if (spec->digest && spec->has_hold)
		return digest_event(t, spec, r, msg, mlen, now, out);
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

size_t
throttle_digests(const struct throttle *t)
{
	return t->nopen;
}

time_t
throttle_digest_deadline(const struct throttle *t)
{
	const struct open_digest *od;
	time_t min = 0;

	TAILQ_FOREACH(od, &t->open, entry)
		if (min == 0 || od->deadline < min)
			min = od->deadline > 0 ? od->deadline : 1;
	return min;
}

static void
hand_on(const struct open_digest *od, throttle_digest_cb *cb, void *arg)
{
	struct throttle_digest td;

	td.owner = od->owner;
	td.key = od->key;
	td.klen = od->klen;
	td.dg = od->dg;
	cb(&td, arg);
}

size_t
throttle_digest_close(struct throttle *t, time_t now, bool force,
    throttle_digest_cb *cb, void *arg)
{
	struct open_digest *od, *next;
	size_t n = 0;

	for (od = TAILQ_FIRST(&t->open); od != NULL; od = next) {
		next = TAILQ_NEXT(od, entry);
		if (!force && od->deadline > now)
			continue;
		hand_on(od, cb, arg);
		od_free(t, od);
		t->gen++;
		n++;
	}
	return n;
}

struct retain_ctx {
	throttle_keep_cb	*keep;
	void			*arg;
};

static bool
retain_one(const char *key, size_t len, void *rec, void *arg)
{
	struct retain_ctx *rc = arg;
	struct throttle_rec *r = rec;

	(void)key;
	(void)len;
	return !rc->keep(r->owner, rc->arg);
}

void
throttle_retain(struct throttle *t, throttle_keep_cb *keep,
    throttle_digest_cb *cb, void *arg)
{
	struct open_digest *od, *next;
	struct retain_ctx rc = { keep, arg };

	for (od = TAILQ_FIRST(&t->open); od != NULL; od = next) {
		next = TAILQ_NEXT(od, entry);
		if (keep(od->owner, arg))
			continue;
		hand_on(od, cb, arg);
		od_free(t, od);
	}
	keytab_walk(t->tab, retain_one, &rc);
	t->gen++;
}

uint64_t
throttle_generation(const struct throttle *t)
{
	return t->gen;
}

/*
 * The text form: "rec OWNER COUNT LAST\n" and the key (digest_put_str);
 * "odg OWNER DEADLINE ATTACHED\n", the key (whole when ATTACHED), and the
 * digest (digest_encode).
 */
static bool
encode_rec(const char *key, size_t len, void *rec, void *arg)
{
	const struct throttle_rec *r = rec;
	struct buf *out = arg;

	buf_adds(out, "rec ");
	digest_put_num(out, r->owner, ' ');
	digest_put_num(out, r->count, ' ');
	digest_put_num(out, (uint64_t)r->last, '\n');
	digest_put_str(out, key, len);
	return false;
}

static void
encode_od(const struct open_digest *od, struct buf *out)
{
	const char *key = od->key;
	size_t klen = od->klen;

	if (od->rec != NULL)
		key = keytab_rec_key(od->rec, &klen);
	buf_adds(out, "odg ");
	digest_put_num(out, od->owner, ' ');
	digest_put_num(out, (uint64_t)od->deadline, ' ');
	digest_put_num(out, od->rec != NULL, '\n');
	digest_put_str(out, key, klen);
	digest_encode(od->dg, out);
}

void
throttle_encode(const struct throttle *t, unsigned what, struct buf *out)
{
	const struct open_digest *od;

	if (what & THROTTLE_ENC_RECORDS)
		keytab_walk(t->tab, encode_rec, out);
	if (what & THROTTLE_ENC_DIGESTS)
		TAILQ_FOREACH(od, &t->open, entry)
			encode_od(od, out);
}

static bool
decode_rec(struct throttle *t, const char **p, const char *end,
    throttle_keep_cb *keep, void *arg, bool *taken)
{
	uint64_t owner, count, last;
	struct throttle_rec *r;
	const char *key;
	size_t klen;
	bool created;

	if (!digest_get_num(p, end, &owner, ' ') ||
	    !digest_get_num(p, end, &count, ' ') ||
	    !digest_get_num(p, end, &last, '\n') ||
	    !digest_get_str(p, end, &key, &klen))
		return false;
	*taken = keep == NULL || keep(owner, arg);
	if (!*taken)
		return true;
	r = keytab_get(t->tab, key, klen, &created);
	r->owner = owner;
	r->count = count;
	r->last = (time_t)last;
	return true;
}

static bool
decode_od(struct throttle *t, const char **p, const char *end,
    throttle_keep_cb *keep, void *arg, bool *taken, uint64_t *lost)
{
	uint64_t owner, deadline, attached;
	struct open_digest *od;
	struct throttle_rec *r = NULL;
	struct digest *dg;
	const char *key;
	size_t klen;

	if (!digest_get_num(p, end, &owner, ' ') ||
	    !digest_get_num(p, end, &deadline, ' ') ||
	    !digest_get_num(p, end, &attached, '\n') ||
	    !digest_get_str(p, end, &key, &klen) ||
	    (dg = digest_decode(p, end)) == NULL)
		return false;
	if (!(*taken = keep == NULL || keep(owner, arg))) {
		*lost += digest_count(dg);
		digest_free(dg);
		return true;
	}
	if (attached)
		r = keytab_find(t->tab, key, klen);
	if (r != NULL && r->od != NULL)
		r = NULL;	/* two digests for one key: keep both */
	od = xcalloc(1, sizeof(*od));
	od->owner = owner;
	od->deadline = (time_t)deadline;
	od->klen = klen > THROTTLE_DIGEST_KEY_MAX ? THROTTLE_DIGEST_KEY_MAX :
	    klen;
	od->key = xstrndup(key, od->klen);
	od->dg = dg;
	if ((od->rec = r) != NULL)
		r->od = od;
	TAILQ_INSERT_TAIL(&t->open, od, entry);
	t->nopen++;
	return true;
}

long
throttle_decode(struct throttle *t, const char *data, size_t len,
    throttle_keep_cb *keep, void *arg, uint64_t *lost)
{
	const char *p = data, *end = data + len;
	long n = 0;
	bool ok, taken;

	*lost = 0;
	while (p < end) {
		taken = false;
		if ((size_t)(end - p) > 4 && memcmp(p, "rec ", 4) == 0) {
			p += 4;
			ok = decode_rec(t, &p, end, keep, arg, &taken);
		} else if ((size_t)(end - p) > 4 && memcmp(p, "odg ", 4) == 0) {
			p += 4;
			ok = decode_od(t, &p, end, keep, arg, &taken, lost);
		} else
			ok = false;
		if (!ok)
			return -1;
		n += taken;
	}
	t->gen++;
	return n;
}
