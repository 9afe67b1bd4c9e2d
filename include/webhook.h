#ifndef WATCHFOR_WEBHOOK_H
#define WATCHFOR_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The webhook action (issue 8 item 4): "#% webhook URL [MODE] [OPTION]..."
 * under a watchfor rule posts a JSON document about each record the rule
 * acts on. MODE is "json" (watchfor's own document, the default) or
 * "alertmanager" (Prometheus Alertmanager's v2 alerts API). Delivery is
 * the helper program watchfor-http (libcurl), run through the outbox in
 * follow mode (spooled, retried) and waited for in one-pass mode; the
 * daemon itself speaks no HTTP.
 *
 * Options: label=NAME:VALUE and annotation=NAME:VALUE (VALUE interpolates
 * $1, $+{name}, $0 ... as an action value does), bearer-file=PATH (the
 * helper sends "Authorization: Bearer" and the file's first line; the
 * token never enters the spool; the file must give no access to group
 * or others, mail_secret.h), timeout=SECONDS (the whole attempt, 1 to
 * WEBHOOK_TIMEOUT_MAX, default WEBHOOK_TIMEOUT_S). A piece may hold
 * blanks inside "...". The URL may not hold user:password@; it reaches
 * the helper in its environment, and messages show it in part
 * (webhook_url.h).
 */

struct buf;
struct diag;
struct rule;
struct rule_directive;
struct subst_ctx;

#define WEBHOOK_TIMEOUT_S	10
/* below the outbox's attempt timeout, OUTBOX_TIMEOUT_MS (outbox.h) */
#define WEBHOOK_TIMEOUT_MAX	100
#define WEBHOOK_HELPER_ENV	"WATCHFOR_HTTP_HELPER"
#define WEBHOOK_ALERTNAME	"watchfor"
#define WEBHOOK_DIGEST_ALERTNAME "watchfor_digest"
#define WEBHOOK_SUMMARY_MAX	200	/* bytes of the message in summary */

/* Exit codes of watchfor-http (sysexits.h). */
#define WEBHOOK_EX_OK		0
#define WEBHOOK_EX_USAGE	64	/* bad arguments */
#define WEBHOOK_EX_PERMANENT	69	/* EX_UNAVAILABLE: 4xx, 3xx */
#define WEBHOOK_EX_TEMPORARY	75	/* EX_TEMPFAIL: 5xx, 408, 429, net */

enum webhook_mode {
	WEBHOOK_JSON,
	WEBHOOK_ALERTMANAGER,
};

/* A name and bytes: a capture, a label, an annotation. */
struct webhook_kv {
	const char	*name;
	const char	*value;
	size_t		 len;
};

/* What a body says about one record. Borrowed strings. */
struct webhook_event {
	const char	*rule;		/* "FILE:LINE" of the rule */
	const char	*pattern;	/* the pattern as written */
	const char	*line;		/* the record */
	size_t		 linelen;
	const char	*message;	/* the rule's message (throttle's) */
	size_t		 msglen;
	const struct webhook_kv *captures;
	size_t		 ncaptures;
	const struct webhook_kv *labels;	/* label= options, expanded */
	size_t		 nlabels;
	const struct webhook_kv *annotations;	/* annotation= options */
	size_t		 nannotations;
	time_t		 time;
	const char	*host;
};

/*
 * Pure: appends `len` bytes of `s` as a JSON string, quotes included:
 * '"' and '\' escaped, \b \f \n \r \t as such, other control characters
 * (and DEL) as \u00XX, invalid UTF-8 and NUL as U+FFFD (raw bytes).
 */
void	webhook_json_string(const char *s, size_t len, struct buf *out);
/* Pure: appends `t` as RFC 3339 UTC ("2026-11-23T17:03:51Z"). */
void	webhook_rfc3339(time_t t, struct buf *out);
/*
 * Pure: appends the body of `mode` for `ev` (see watchfor.conf(5)):
 *
 * json: {"rule", "pattern", "line", "message", "captures": {"0": ...,
 *   "1": ..., "name": ...}, "labels": {...}, "annotations": {...},
 *   "time", "host"}
 * alertmanager: [{"labels": {"alertname": "watchfor", "instance": host,
 *   "rule": ..., user labels}, "annotations": {"summary": message cut
 *   at WEBHOOK_SUMMARY_MAX bytes, "line": ..., user annotations},
 *   "startsAt": time}]; a user label or annotation replaces the default
 *   of the same name.
 */
void	webhook_body(enum webhook_mode mode, const struct webhook_event *ev,
	    struct buf *out);

/*
 * The summary of the webhooks the global cap folded in one window
 * (webhook_cap.h). Borrowed strings.
 */
struct webhook_digest {
	uint64_t	 count;		/* webhooks folded */
	time_t		 first, last;	/* wall time of the first, last */
	const char *const *sample;	/* first lines of the first ones */
	size_t		 nsample;
	unsigned	 cap;		/* the cap, alerts per minute */
	const char	*host;
};

/*
 * Pure: appends the summary body of `mode` for `d`:
 *
 * json: {"digest": true, "count": K, "first": RFC 3339, "last": ...,
 *   "sample": [lines...], "cap": N, "host": ...}
 * alertmanager: [{"labels": {"alertname": "watchfor_digest", "instance":
 *   host}, "annotations": {"summary": "K alerts folded (cap N per
 *   minute)", "lines": the sample joined by newlines}, "startsAt":
 *   first}]
 */
void	webhook_digest_body(enum webhook_mode mode,
	    const struct webhook_digest *d, struct buf *out);

/* A parsed "#% webhook" value. Plain data, owned by the holder. */
struct webhook_spec_kv {
	char		*name;
	char		*value;		/* raw, not yet interpolated */
	size_t		 off;		/* 0-based offset in the directive */
};

struct webhook_spec {
	char		*url;
	enum webhook_mode mode;
	struct webhook_spec_kv *labels;
	size_t		 nlabels;
	struct webhook_spec_kv *annotations;
	size_t		 nannotations;
	char		*bearer_file;	/* or NULL */
	size_t		 bearer_off;	/* offset of its value */
	unsigned	 timeout;	/* seconds */
};

/*
 * Pure: parses the value of "#% webhook" into `s` (zeroed first; clear it
 * with webhook_spec_clear even on error). Returns NULL, or a heap message
 * with *off the 0-based offset of the faulty piece in `value`. Label and
 * annotation values are compiled as templates too, so that --check sees
 * an undeclared variable.
 */
char	*webhook_parse(const char *value, struct webhook_spec *s,
	    size_t *off);
void	 webhook_spec_clear(struct webhook_spec *s);

struct webhook;

/*
 * Compiles a rule's "#% webhook" directive; problems go to `d`, among
 * them a bearer-file that exists but that group or others may access
 * (or that is not a regular file), which the helper would refuse; one
 * missing now is not a problem (it is read at each delivery).
 */
struct webhook	*webhook_prepare(const struct rule *r,
		    const struct rule_directive *rd, struct diag *d);
void		 webhook_free(struct webhook *);
/*
 * Posts the body for the record in `ctx` (rule message `msg`): spooled
 * to the mail outbox in follow mode (kind "webhook"), subject to the
 * global cap (action_mail.h's mail_cap_offer; a folded webhook is not
 * posted but counted, and the first folded in a window is held for the
 * window's summary, webhook_cap.h); else run through the actions'
 * executor and waited for (one-pass; --test describes it).
 */
void		 webhook_run(const struct webhook *, const struct rule *r,
		    const struct subst_ctx *ctx, const char *msg, size_t len);
/*
 * The helper's path: $WATCHFOR_HTTP_HELPER when set and not empty, else
 * the compiled-in LIBEXECDIR/watchfor/watchfor-http.
 */
const char	*webhook_helper_path(void);
/* This host's name for the bodies ("localhost" when it has none). */
const char	*webhook_host(void);

#endif
