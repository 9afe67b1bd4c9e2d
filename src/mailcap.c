/*
 * The mail cap of follow mode (mailcap.h): counts the mails of a fixed
 * window, folds the excess and writes the digest text. It keeps no mail
 * and runs nothing: what is folded, when the digest is due and where it
 * goes are the mail action's (action_mail.c), and the timer is the loop's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "digest.h"
#include "mailcap.h"
#include "util.h"

struct mailcap {
	unsigned	 cap;
	uint64_t	 window;	/* ms */
	uint64_t	 start;		/* window start, 0: none open */
	unsigned	 sent;		/* mails let through in the window */
	uint64_t	 folded;
	uint64_t	 hooks;		/* webhooks among the folded */
	time_t		 first, last;	/* wall time of folded mails */
	char		*sample[MAILCAP_SAMPLES];
	size_t		 nsample;
	time_t		 hfirst, hlast;	/* of the folded webhooks */
	char		*hsample[MAILCAP_SAMPLES];
	size_t		 nhsample;
};

struct mailcap *
mailcap_new(unsigned cap, uint64_t window_ms)
{
	struct mailcap *mc;

	mc = xcalloc(1, sizeof(*mc));
	mc->cap = cap;
	mc->window = window_ms > 0 ? window_ms : MAILCAP_WINDOW_MS;
	return mc;
}

static void
clear_window(struct mailcap *mc)
{
	size_t i;

	for (i = 0; i < mc->nsample; i++)
		free(mc->sample[i]);
	for (i = 0; i < mc->nhsample; i++)
		free(mc->hsample[i]);
	mc->nsample = mc->nhsample = 0;
	mc->start = 0;
	mc->sent = 0;
	mc->folded = 0;
	mc->hooks = 0;
	mc->first = mc->last = 0;
	mc->hfirst = mc->hlast = 0;
}

void
mailcap_free(struct mailcap *mc)
{
	if (mc == NULL)
		return;
	clear_window(mc);
	free(mc);
}

void
mailcap_set_cap(struct mailcap *mc, unsigned cap)
{
	mc->cap = cap;
}

unsigned
mailcap_cap(const struct mailcap *mc)
{
	return mc->cap;
}

/* The first line of `body`, at most MAILCAP_SAMPLE_LEN bytes. */
static char *
first_line(const char *body, size_t len)
{
	const char *nl;
	size_t n = len;

	if ((nl = memchr(body, '\n', len)) != NULL)
		n = (size_t)(nl - body);
	if (n > MAILCAP_SAMPLE_LEN)
		n = MAILCAP_SAMPLE_LEN;
	return xstrndup(body, n);
}

bool
mailcap_offer(struct mailcap *mc, uint64_t now, time_t wall,
    const char *body, size_t len)
{
	if (mc->cap == 0)
		return true;
	if (mc->start != 0 && now >= mc->start + mc->window &&
	    mc->folded == 0)
		clear_window(mc);
	if (mc->start == 0)
		mc->start = now > 0 ? now : 1;
	if (mc->sent < mc->cap) {
		mc->sent++;
		return true;
	}
	if (mc->folded++ == 0)
		mc->first = wall;
	mc->last = wall;
	if (mc->nsample < MAILCAP_SAMPLES)
		mc->sample[mc->nsample++] = first_line(body, len);
	return false;
}

bool
mailcap_offer_webhook(struct mailcap *mc, uint64_t now, time_t wall,
    const char *body, size_t len)
{
	if (mailcap_offer(mc, now, wall, body, len))
		return true;
	if (mc->hooks++ == 0)
		mc->hfirst = wall;
	mc->hlast = wall;
	if (mc->nhsample < MAILCAP_SAMPLES)
		mc->hsample[mc->nhsample++] = first_line(body, len);
	return false;
}

void
mailcap_webhooks(const struct mailcap *mc, struct mailcap_hooks *h)
{
	h->count = mc->hooks;
	h->first = mc->hfirst;
	h->last = mc->hlast;
	h->sample = (const char *const *)mc->hsample;
	h->nsample = mc->nhsample;
}

uint64_t
mailcap_folded_webhooks(const struct mailcap *mc)
{
	return mc->hooks;
}

uint64_t
mailcap_folded(const struct mailcap *mc)
{
	return mc->folded;
}

uint64_t
mailcap_deadline(const struct mailcap *mc)
{
	return mc->start != 0 ? mc->start + mc->window : 0;
}

bool
mailcap_due(const struct mailcap *mc, uint64_t now)
{
	return mc->folded > 0 && now >= mc->start + mc->window;
}

static void
add_time(struct buf *out, time_t t)
{
	struct tm tm;
	char s[64];

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		buf_addf(out, "%lld", (long long)t);
	else
		buf_adds(out, s);
}

uint64_t
mailcap_digest(struct mailcap *mc, uint64_t now, bool force,
    struct buf *subject, struct buf *body)
{
	uint64_t n = mc->folded;
	size_t i;

	if (n == 0 || (!force && !mailcap_due(mc, now)))
		return 0;
	buf_addf(subject, "watchfor: %llu alerts folded (mail cap %u per "
	    "minute)", (unsigned long long)n, mc->cap);
	buf_addf(body, "%llu mails over the cap of %u per window were "
	    "folded into this one.\n", (unsigned long long)n, mc->cap);
	if (mc->hooks > 0)
		buf_addf(body, "%llu of them were webhooks, summarised in "
		    "one post to the first one's URL.\n",
		    (unsigned long long)mc->hooks);
	buf_adds(body, "First: ");
	add_time(body, mc->first);
	buf_adds(body, "\nLast:  ");
	add_time(body, mc->last);
	buf_addf(body, "\nThe first %zu, first line of each:\n", mc->nsample);
	for (i = 0; i < mc->nsample; i++)
		buf_addf(body, "  %s\n", mc->sample[i]);
	if (n > mc->nsample)
		buf_addf(body, "  ... and %llu more\n",
		    (unsigned long long)(n - mc->nsample));
	clear_window(mc);
	return n;
}

/* A whole number in [0, MAILCAP_MAX], else -1. */
static long
parse_cap(const char *value)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 ||
	    v > MAILCAP_MAX)
		return -1;
	return (long)v;
}

char *
mailcap_directive_error(const char *name, const char *value)
{
	if (strcmp(name, "mail-cap") != 0 || parse_cap(value) >= 0)
		return NULL;
	return xasprintf("mail-cap: \"%s\" is not a whole number from 0 "
	    "(no cap) to %d", value, MAILCAP_MAX);
}

unsigned
mailcap_config_cap(const struct config *cfg)
{
	unsigned cap = MAILCAP_DEFAULT;
	long v;
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->ndirectives; i++)
		if (strcmp(cfg->directives[i].name, "mail-cap") == 0 &&
		    (v = parse_cap(cfg->directives[i].value)) >= 0)
			cap = (unsigned)v;
	return cap;
}

uint64_t
mailcap_window_ms(void)
{
	const char *s;
	unsigned long long n;
	char *end;

	if ((s = getenv("WATCHFOR_TEST_CAP_WINDOW_MS")) == NULL || *s == '\0')
		return MAILCAP_WINDOW_MS;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0)
		return MAILCAP_WINDOW_MS;
	return n;
}

/* "TAG COUNT FIRST LAST NSAMPLE\n", then the sampled lines. */
static void
encode_part(const char *tag, uint64_t count, time_t first, time_t last,
    char *const *sample, size_t n, struct buf *out)
{
	size_t i;

	buf_adds(out, tag);
	digest_put_num(out, count, ' ');
	digest_put_num(out, (uint64_t)first, ' ');
	digest_put_num(out, (uint64_t)last, ' ');
	digest_put_num(out, n, '\n');
	for (i = 0; i < n; i++)
		digest_put_str(out, sample[i], strlen(sample[i]));
}

/*
 * "mailcap FOLDED FIRST LAST NSAMPLE\n" and the sampled lines; then,
 * when webhooks were folded, the same for them under "hooks " (a file
 * of a version without webhook summaries has no such part).
 */
void
mailcap_encode(const struct mailcap *mc, struct buf *out)
{
	if (mc->folded == 0)
		return;
	encode_part("mailcap ", mc->folded, mc->first, mc->last, mc->sample,
	    mc->nsample, out);
	if (mc->hooks > 0)
		encode_part("hooks ", mc->hooks, mc->hfirst, mc->hlast,
		    mc->hsample, mc->nhsample, out);
}

/*
 * One part of mailcap_encode after its tag: its numbers, and its lines
 * into `sample` (*n of them). False when malformed (lines taken so far
 * stay in `sample`, counted in *n).
 */
static bool
decode_part(const char **p, const char *end, uint64_t *count,
    uint64_t *first, uint64_t *last, char **sample, size_t *n)
{
	const char *s;
	uint64_t ns, i;
	size_t len;

	if (!digest_get_num(p, end, count, ' ') ||
	    !digest_get_num(p, end, first, ' ') ||
	    !digest_get_num(p, end, last, ' ') ||
	    !digest_get_num(p, end, &ns, '\n') || ns > MAILCAP_SAMPLES ||
	    ns > *count || *count == 0)
		return false;
	for (i = 0; i < ns; i++) {
		if (!digest_get_str(p, end, &s, &len) ||
		    len > MAILCAP_SAMPLE_LEN || memchr(s, '\0', len) != NULL)
			return false;
		sample[(*n)++] = xstrndup(s, len);
	}
	return true;
}

static bool
has_tag(const char *p, const char *end, const char *tag)
{
	size_t n = strlen(tag);

	return (size_t)(end - p) >= n && memcmp(p, tag, n) == 0;
}

bool
mailcap_decode(struct mailcap *mc, uint64_t now, const char **p,
    const char *end)
{
	const char *q = *p;
	uint64_t folded, first, last, hooks = 0, hfirst = 0, hlast = 0;

	if (!has_tag(q, end, "mailcap "))
		return false;
	q += 8;
	clear_window(mc);
	if (!decode_part(&q, end, &folded, &first, &last, mc->sample,
	    &mc->nsample))
		goto bad;
	if (has_tag(q, end, "hooks ")) {
		q += 6;
		if (!decode_part(&q, end, &hooks, &hfirst, &hlast,
		    mc->hsample, &mc->nhsample) || hooks > folded)
			goto bad;
	}
	/* a new window, already full: the digest goes out when it ends */
	mc->start = now > 0 ? now : 1;
	mc->sent = mc->cap;
	mc->folded = folded;
	mc->first = (time_t)first;
	mc->last = (time_t)last;
	mc->hooks = hooks;
	mc->hfirst = (time_t)hfirst;
	mc->hlast = (time_t)hlast;
	*p = q;
	return true;
bad:
	clear_window(mc);
	return false;
}
