/*
 * The webhook bodies (webhook.h): JSON string escaping, RFC 3339 time
 * and the two documents, watchfor's own and Alertmanager's v2 alerts
 * array. Pure functions of their arguments; what goes in them (captures,
 * host name, clock) and where the body is sent are webhook.c's.
 */
#include <string.h>
#include <time.h>

#include "util.h"
#include "webhook.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

static void
json_ascii(unsigned char c, struct buf *out)
{
	switch (c) {
	case '"':
		buf_adds(out, "\\\"");
		break;
	case '\\':
		buf_adds(out, "\\\\");
		break;
	case '\b':
		buf_adds(out, "\\b");
		break;
	case '\f':
		buf_adds(out, "\\f");
		break;
	case '\n':
		buf_adds(out, "\\n");
		break;
	case '\r':
		buf_adds(out, "\\r");
		break;
	case '\t':
		buf_adds(out, "\\t");
		break;
	case '\0':
		buf_adds(out, REPLACEMENT);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			buf_addf(out, "\\u%04x", c);
		else
			buf_addc(out, (char)c);
	}
}

void
webhook_json_string(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	buf_addc(out, '"');
	while (i < len) {
		if (u[i] < 0x80) {
			json_ascii(u[i], out);
			i++;
		} else if ((n = util_utf8_len(u + i, len - i)) == 0) {
			buf_adds(out, REPLACEMENT);
			i++;
		} else {
			buf_add(out, s + i, n);
			i += n;
		}
	}
	buf_addc(out, '"');
}

static void
json_str(const char *s, struct buf *out)
{
	webhook_json_string(s, strlen(s), out);
}

void
webhook_rfc3339(time_t t, struct buf *out)
{
	struct tm tm;
	char s[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf_adds(out, "1970-01-01T00:00:00Z");
	else
		buf_adds(out, s);
}

/* "name": value, the value as a JSON string; `first` skips the comma. */
static void
member(const char *name, const char *v, size_t len, bool *first,
    struct buf *out)
{
	if (!*first)
		buf_addc(out, ',');
	*first = false;
	json_str(name, out);
	buf_addc(out, ':');
	webhook_json_string(v, len, out);
}

static bool
has_name(const struct webhook_kv *kv, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].name, name) == 0)
			return true;
	return false;
}

/* An object of `kv`; a later pair replaces an earlier one's value. */
static void
object(const struct webhook_kv *kv, size_t n, bool first, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!has_name(kv + i + 1, n - i - 1, kv[i].name))
			member(kv[i].name, kv[i].value, kv[i].len, &first,
			    out);
	buf_addc(out, '}');
}

static void
body_json(const struct webhook_event *ev, struct buf *out)
{
	bool first = true;

	buf_addc(out, '{');
	member("rule", ev->rule, strlen(ev->rule), &first, out);
	member("pattern", ev->pattern, strlen(ev->pattern), &first, out);
	member("line", ev->line, ev->linelen, &first, out);
	member("message", ev->message, ev->msglen, &first, out);
	buf_adds(out, ",\"captures\":{");
	object(ev->captures, ev->ncaptures, true, out);
	buf_adds(out, ",\"labels\":{");
	object(ev->labels, ev->nlabels, true, out);
	buf_adds(out, ",\"annotations\":{");
	object(ev->annotations, ev->nannotations, true, out);
	buf_adds(out, ",\"time\":");
	buf_addc(out, '"');
	webhook_rfc3339(ev->time, out);
	buf_addc(out, '"');
	buf_adds(out, ",\"host\":");
	json_str(ev->host, out);
	buf_adds(out, "}\n");
}

/* A default member unless the user's pairs name it. */
static void
default_member(const char *name, const char *v, size_t len,
    const struct webhook_kv *user, size_t nuser, bool *first,
    struct buf *out)
{
	if (!has_name(user, nuser, name))
		member(name, v, len, first, out);
}

static void
body_alertmanager(const struct webhook_event *ev, struct buf *out)
{
	size_t slen = ev->msglen;
	bool first = true;

	buf_adds(out, "[{\"labels\":{");
	default_member("alertname", WEBHOOK_ALERTNAME,
	    strlen(WEBHOOK_ALERTNAME), ev->labels, ev->nlabels, &first, out);
	default_member("instance", ev->host, strlen(ev->host), ev->labels,
	    ev->nlabels, &first, out);
	default_member("rule", ev->rule, strlen(ev->rule), ev->labels,
	    ev->nlabels, &first, out);
	object(ev->labels, ev->nlabels, first, out);
	buf_adds(out, ",\"annotations\":{");
	first = true;
	if (slen > WEBHOOK_SUMMARY_MAX)
		slen = WEBHOOK_SUMMARY_MAX;	/* a cut sequence: U+FFFD */
	default_member("summary", ev->message, slen, ev->annotations,
	    ev->nannotations, &first, out);
	default_member("line", ev->line, ev->linelen, ev->annotations,
	    ev->nannotations, &first, out);
	object(ev->annotations, ev->nannotations, first, out);
	buf_adds(out, ",\"startsAt\":\"");
	webhook_rfc3339(ev->time, out);
	buf_adds(out, "\"}]\n");
}

void
webhook_body(enum webhook_mode mode, const struct webhook_event *ev,
    struct buf *out)
{
	if (mode == WEBHOOK_ALERTMANAGER)
		body_alertmanager(ev, out);
	else
		body_json(ev, out);
}

static void
digest_json(const struct webhook_digest *d, struct buf *out)
{
	size_t i;

	buf_addf(out, "{\"digest\":true,\"count\":%llu,\"first\":\"",
	    (unsigned long long)d->count);
	webhook_rfc3339(d->first, out);
	buf_adds(out, "\",\"last\":\"");
	webhook_rfc3339(d->last, out);
	buf_adds(out, "\",\"sample\":[");
	for (i = 0; i < d->nsample; i++) {
		if (i > 0)
			buf_addc(out, ',');
		json_str(d->sample[i], out);
	}
	buf_addf(out, "],\"cap\":%u,\"host\":", d->cap);
	json_str(d->host, out);
	buf_adds(out, "}\n");
}

static void
digest_alertmanager(const struct webhook_digest *d, struct buf *out)
{
	struct buf s = { 0 };
	size_t i;

	buf_adds(out, "[{\"labels\":{\"alertname\":");
	json_str(WEBHOOK_DIGEST_ALERTNAME, out);
	buf_adds(out, ",\"instance\":");
	json_str(d->host, out);
	buf_adds(out, "},\"annotations\":{\"summary\":");
	buf_addf(&s, "%llu alerts folded (cap %u per minute)",
	    (unsigned long long)d->count, d->cap);
	webhook_json_string(s.data, s.len, out);
	buf_reset(&s);
	for (i = 0; i < d->nsample; i++) {
		if (i > 0)
			buf_addc(&s, '\n');
		buf_adds(&s, d->sample[i]);
	}
	buf_adds(out, ",\"lines\":");
	webhook_json_string(s.data != NULL ? s.data : "", s.len, out);
	buf_adds(out, "},\"startsAt\":\"");
	webhook_rfc3339(d->first, out);
	buf_adds(out, "\"}]\n");
	buf_free(&s);
}

void
webhook_digest_body(enum webhook_mode mode, const struct webhook_digest *d,
    struct buf *out)
{
	if (mode == WEBHOOK_ALERTMANAGER)
		digest_alertmanager(d, out);
	else
		digest_json(d, out);
}
