/*
 * Digests (digest.h): the count, times and bounded sample of folded hits,
 * their summary texts and their encoding for the state files. Knows
 * nothing of windows, rules or delivery.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "util.h"

struct digest {
	unsigned	 max;		/* lines kept at most */
	uint64_t	 count;
	time_t		 first, last;
	char		**sample;
	size_t		*slen;
	size_t		 nsample;
	size_t		 bytes;		/* of the sample */
};

struct digest *
digest_new(unsigned max)
{
	struct digest *dg;

	dg = xcalloc(1, sizeof(*dg));
	dg->max = max > DIGEST_SAMPLE_MAX ? DIGEST_SAMPLE_MAX : max;
	if (dg->max > 0) {
		dg->sample = xcalloc(dg->max, sizeof(*dg->sample));
		dg->slen = xcalloc(dg->max, sizeof(*dg->slen));
	}
	return dg;
}

void
digest_free(struct digest *dg)
{
	size_t i;

	if (dg == NULL)
		return;
	for (i = 0; i < dg->nsample; i++)
		free(dg->sample[i]);
	free(dg->sample);
	free(dg->slen);
	free(dg);
}

static void
keep(struct digest *dg, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > DIGEST_LINE_MAX)
		len = DIGEST_LINE_MAX;
	if (dg->nsample >= dg->max || dg->bytes + len > DIGEST_BYTES_MAX)
		return;
	dg->sample[dg->nsample] = xstrndup(line, len);
	dg->slen[dg->nsample++] = len;
	dg->bytes += len;
}

void
digest_add(struct digest *dg, const char *line, size_t len, time_t when)
{
	if (dg->count++ == 0)
		dg->first = when;
	dg->last = when;
	keep(dg, line, len);
}

uint64_t
digest_count(const struct digest *dg)
{
	return dg->count;
}

time_t
digest_first(const struct digest *dg)
{
	return dg->first;
}

time_t
digest_last(const struct digest *dg)
{
	return dg->last;
}

size_t
digest_nsample(const struct digest *dg)
{
	return dg->nsample;
}

const char *
digest_sample(const struct digest *dg, size_t i, size_t *len)
{
	*len = dg->slen[i];
	return dg->sample[i];
}

void
digest_rfc3339(time_t t, struct buf *out)
{
	struct tm tm;
	char s[64];
	long off;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		buf_addf(out, "%lld", (long long)t);
		return;
	}
	buf_adds(out, s);
	off = tm.tm_gmtoff / 60;
	if (off == 0)
		buf_addc(out, 'Z');
	else
		buf_addf(out, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    labs(off) / 60, labs(off) % 60);
}

/* A sampled line with control characters shown as '?' (one line). */
static void
add_line(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_addc(out, (unsigned char)s[i] < 0x20 ||
		    s[i] == 0x7f ? '?' : s[i]);
}

void
digest_summary(const struct digest *dg, const char *what, struct buf *out)
{
	buf_addf(out, "[digest] %llu more line%s for rule %s from ",
	    (unsigned long long)dg->count, dg->count == 1 ? "" : "s", what);
	digest_rfc3339(dg->first, out);
	buf_adds(out, " to ");
	digest_rfc3339(dg->last, out);
	if (dg->nsample > 0) {
		buf_adds(out, ", first: ");
		add_line(out, dg->sample[0], dg->slen[0]);
	}
}

void
digest_mail(const struct digest *dg, const char *what, struct buf *subject,
    struct buf *body)
{
	size_t i;

	buf_addf(subject, "[digest] %llu more line%s for rule %s",
	    (unsigned long long)dg->count, dg->count == 1 ? "" : "s", what);
	buf_addf(body, "Rule %s matched %llu more line%s within its throttle "
	    "window.\n", what, (unsigned long long)dg->count,
	    dg->count == 1 ? "" : "s");
	buf_addf(body, "Count: %llu\nFirst: ", (unsigned long long)dg->count);
	digest_rfc3339(dg->first, body);
	buf_adds(body, "\nLast:  ");
	digest_rfc3339(dg->last, body);
	buf_addf(body, "\nSampled lines (%zu of %llu):\n", dg->nsample,
	    (unsigned long long)dg->count);
	for (i = 0; i < dg->nsample; i++) {
		buf_adds(body, "  ");
		add_line(body, dg->sample[i], dg->slen[i]);
		buf_addc(body, '\n');
	}
	if (dg->count > dg->nsample)
		buf_addf(body, "  ... and %llu more\n",
		    (unsigned long long)(dg->count - dg->nsample));
}

void
digest_put_num(struct buf *b, uint64_t v, char sep)
{
	buf_addf(b, "%llu%c", (unsigned long long)v, sep);
}

void
digest_put_str(struct buf *b, const char *s, size_t len)
{
	digest_put_num(b, len, ':');
	buf_add(b, s, len);
	buf_addc(b, '\n');
}

bool
digest_get_num(const char **p, const char *end, uint64_t *v, char sep)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (s >= end || *s != sep)
		return false;
	*v = n;
	*p = s + 1;
	return true;
}

bool
digest_get_str(const char **p, const char *end, const char **s,
    size_t *len)
{
	const char *q = *p;
	uint64_t n;

	if (!digest_get_num(&q, end, &n, ':') || n >= (uint64_t)(end - q) ||
	    q[n] != '\n')
		return false;
	*s = q;
	*len = (size_t)n;
	*p = q + n + 1;
	return true;
}

/* "digest MAX COUNT FIRST LAST NSAMPLE\n", then the lines. */
void
digest_encode(const struct digest *dg, struct buf *out)
{
	size_t i;

	buf_adds(out, "digest ");
	digest_put_num(out, dg->max, ' ');
	digest_put_num(out, dg->count, ' ');
	digest_put_num(out, (uint64_t)dg->first, ' ');
	digest_put_num(out, (uint64_t)dg->last, ' ');
	digest_put_num(out, dg->nsample, '\n');
	for (i = 0; i < dg->nsample; i++)
		digest_put_str(out, dg->sample[i], dg->slen[i]);
}

struct digest *
digest_decode(const char **p, const char *end)
{
	const char *q = *p, *s;
	uint64_t max, count, first, last, n, i;
	struct digest *dg;
	size_t len;

	if ((size_t)(end - q) < 7 || memcmp(q, "digest ", 7) != 0)
		return NULL;
	q += 7;
	if (!digest_get_num(&q, end, &max, ' ') ||
	    !digest_get_num(&q, end, &count, ' ') ||
	    !digest_get_num(&q, end, &first, ' ') ||
	    !digest_get_num(&q, end, &last, ' ') ||
	    !digest_get_num(&q, end, &n, '\n') || max > DIGEST_SAMPLE_MAX ||
	    n > max || n > count)
		return NULL;
	dg = digest_new((unsigned)max);
	dg->count = count;
	dg->first = (time_t)first;
	dg->last = (time_t)last;
	for (i = 0; i < n; i++) {
		if (!digest_get_str(&q, end, &s, &len) ||
		    len > DIGEST_LINE_MAX) {
			digest_free(dg);
			return NULL;
		}
		keep(dg, s, len);
	}
	*p = q;
	return dg;
}

int
digest_parse_directive(const char *value, unsigned *sample, char **err)
{
	unsigned long v;
	char *end;

	*err = NULL;
	if (strcmp(value, "on") == 0) {
		*sample = DIGEST_SAMPLE_DEFAULT;
		return 0;
	}
	if (strncmp(value, "sample=", 7) == 0) {
		errno = 0;
		v = strtoul(value + 7, &end, 10);
		if (value[7] >= '0' && value[7] <= '9' && *end == '\0' &&
		    errno == 0 && v <= DIGEST_SAMPLE_MAX) {
			*sample = (unsigned)v;
			return 0;
		}
	}
	*err = xasprintf("throttle-digest: \"%s\" is not \"on\" or "
	    "\"sample=N\" (N lines kept, 0 to %d)", value, DIGEST_SAMPLE_MAX);
	return -1;
}

char *
digest_get_cstr(const char **p, const char *end)
{
	const char *s;
	size_t len;

	if (!digest_get_str(p, end, &s, &len) || memchr(s, '\0', len) != NULL)
		return NULL;
	return xstrndup(s, len);
}
