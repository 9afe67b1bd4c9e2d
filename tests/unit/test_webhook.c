#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcap.h"
#include "util.h"
#include "webhook.h"
#include "webhook_cap.h"
#include "webhook_url.h"
#include "digest.h"
#include "exec_cmd.h"

#define T0	1767323045	/* 2026-01-02T03:04:05Z */

/* Escaping: input bytes -> the JSON string, quotes included. */
static const struct {
	const char	*in;
	size_t		 len;
	const char	*out;
} esc[] = {
	{ "", 0, "\"\"" },
	{ "plain text", 10, "\"plain text\"" },
	{ "say \"hi\"", 8, "\"say \\\"hi\\\"\"" },
	{ "a\\b", 3, "\"a\\\\b\"" },
	{ "/slash/", 7, "\"/slash/\"" },
	{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
	{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"" },
	{ "\x1b[31m", 5, "\"\\u001b[31m\"" },
	{ "a\0b", 3, "\"a\xef\xbf\xbd" "b\"" },
	{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },		/* valid 2 */
	{ "\xe2\x82\xac", 3, "\"\xe2\x82\xac\"" },		/* valid 3 */
	{ "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },	/* valid 4 */
	{ "\xff", 1, "\"\xef\xbf\xbd\"" },			/* never valid */
	{ "\xc3", 1, "\"\xef\xbf\xbd\"" },			/* cut */
	{ "\xc3(", 2, "\"\xef\xbf\xbd(\"" },			/* bad cont */
	{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },	/* overlong */
	{ "\xe0\x80\xaf", 3,
	  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },		/* overlong */
	{ "\xed\xa0\x80", 3,
	  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },		/* surrogate */
	{ "\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	  "\xef\xbf\xbd\"" },					/* > U+10FFFF */
	{ "\x80x", 2, "\"\xef\xbf\xbdx\"" },			/* lone cont */
};

static void
test_json_string(void **state)
{
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		buf_reset(&b);
		webhook_json_string(esc[i].in, esc[i].len, &b);
		buf_addc(&b, '\0');
		if (strcmp(b.data, esc[i].out) != 0)
			fail_msg("case %zu: got %s want %s", i, b.data,
			    esc[i].out);
	}
	buf_free(&b);
}

static void
test_rfc3339(void **state)
{
	struct buf b = { 0 };

	(void)state;
	webhook_rfc3339(T0, &b);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, "2026-01-02T03:04:05Z");
	buf_free(&b);
}

static const struct webhook_kv caps[] = {
	{ "0", "user=bob", 8 }, { "1", "bob", 3 }, { "who", "bob", 3 },
};
static const struct webhook_kv labels[] = {
	{ "severity", "warning", 7 }, { "instance", "edge-1", 6 },
};
static const struct webhook_kv annots[] = {
	{ "runbook", "http://x/\"r\"", 12 },
};

static void
event(struct webhook_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->rule = "/etc/w.conf:3";
	ev->pattern = "/user=(?<who>\\S+)/";
	ev->line = "a \"user=bob\"\n";
	ev->linelen = 13;
	ev->message = "a \"user=bob\"\n (seen 2 times)";
	ev->msglen = strlen(ev->message);
	ev->captures = caps;
	ev->ncaptures = 3;
	ev->time = T0;
	ev->host = "h1";
}

static void
body_is(enum webhook_mode mode, const struct webhook_event *ev,
    const char *want)
{
	struct buf b = { 0 };

	webhook_body(mode, ev, &b);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_body_json(void **state)
{
	struct webhook_event ev;

	(void)state;
	event(&ev);
	body_is(WEBHOOK_JSON, &ev, "{\"rule\":\"/etc/w.conf:3\","
	    "\"pattern\":\"/user=(?<who>\\\\S+)/\","
	    "\"line\":\"a \\\"user=bob\\\"\\n\","
	    "\"message\":\"a \\\"user=bob\\\"\\n (seen 2 times)\","
	    "\"captures\":{\"0\":\"user=bob\",\"1\":\"bob\",\"who\":\"bob\"},"
	    "\"labels\":{},\"annotations\":{},"
	    "\"time\":\"2026-01-02T03:04:05Z\",\"host\":\"h1\"}\n");
	ev.labels = labels;
	ev.nlabels = 1;
	ev.annotations = annots;
	ev.nannotations = 1;
	ev.ncaptures = 0;
	body_is(WEBHOOK_JSON, &ev, "{\"rule\":\"/etc/w.conf:3\","
	    "\"pattern\":\"/user=(?<who>\\\\S+)/\","
	    "\"line\":\"a \\\"user=bob\\\"\\n\","
	    "\"message\":\"a \\\"user=bob\\\"\\n (seen 2 times)\","
	    "\"captures\":{},\"labels\":{\"severity\":\"warning\"},"
	    "\"annotations\":{\"runbook\":\"http://x/\\\"r\\\"\"},"
	    "\"time\":\"2026-01-02T03:04:05Z\",\"host\":\"h1\"}\n");
}

static void
test_body_alertmanager(void **state)
{
	struct webhook_event ev;
	char longmsg[300];

	(void)state;
	event(&ev);
	body_is(WEBHOOK_ALERTMANAGER, &ev, "[{\"labels\":{"
	    "\"alertname\":\"watchfor\",\"instance\":\"h1\","
	    "\"rule\":\"/etc/w.conf:3\"},\"annotations\":{"
	    "\"summary\":\"a \\\"user=bob\\\"\\n (seen 2 times)\","
	    "\"line\":\"a \\\"user=bob\\\"\\n\"},"
	    "\"startsAt\":\"2026-01-02T03:04:05Z\"}]\n");
	/* user labels add, or replace a default of the same name */
	ev.labels = labels;
	ev.nlabels = 2;
	ev.annotations = annots;
	ev.nannotations = 1;
	body_is(WEBHOOK_ALERTMANAGER, &ev, "[{\"labels\":{"
	    "\"alertname\":\"watchfor\",\"rule\":\"/etc/w.conf:3\","
	    "\"severity\":\"warning\",\"instance\":\"edge-1\"},"
	    "\"annotations\":{"
	    "\"summary\":\"a \\\"user=bob\\\"\\n (seen 2 times)\","
	    "\"line\":\"a \\\"user=bob\\\"\\n\","
	    "\"runbook\":\"http://x/\\\"r\\\"\"},"
	    "\"startsAt\":\"2026-01-02T03:04:05Z\"}]\n");
	/* the summary is cut, a cut character becoming U+FFFD */
	memset(longmsg, 'x', sizeof(longmsg));
	memcpy(longmsg + WEBHOOK_SUMMARY_MAX - 1, "\xc3\xa9", 2);
	ev.message = longmsg;
	ev.msglen = sizeof(longmsg);
	ev.nlabels = 0;
	ev.nannotations = 0;
	{
		struct buf b = { 0 }, want = { 0 };

		webhook_body(WEBHOOK_ALERTMANAGER, &ev, &b);
		buf_addc(&b, '\0');
		buf_adds(&want, "\"summary\":\"");
		buf_add(&want, longmsg, WEBHOOK_SUMMARY_MAX - 1);
		buf_adds(&want, "\xef\xbf\xbd\",");
		buf_addc(&want, '\0');
		assert_non_null(strstr(b.data, want.data));
		buf_free(&b);
		buf_free(&want);
	}
}

static void
digest_is(enum webhook_mode mode, const struct webhook_digest *d,
    const char *want)
{
	struct buf b = { 0 };

	webhook_digest_body(mode, d, &b);
	buf_addc(&b, '\0');
	assert_string_equal(b.data, want);
	buf_free(&b);
}

/* The summary of folded webhooks, in both modes. */
static void
test_digest_body(void **state)
{
	static const char *const sample[] = {
		"a \"quoted\" line", "tab\there", "caf\xc3\xa9 \xff",
	};
	struct webhook_digest d = { 0 };

	(void)state;
	d.count = 42;
	d.first = T0;
	d.last = T0 + 59;
	d.sample = sample;
	d.nsample = 3;
	d.cap = 30;
	d.host = "h\"1";
	digest_is(WEBHOOK_JSON, &d, "{\"digest\":true,\"count\":42,"
	    "\"first\":\"2026-01-02T03:04:05Z\","
	    "\"last\":\"2026-01-02T03:05:04Z\","
	    "\"sample\":[\"a \\\"quoted\\\" line\",\"tab\\there\","
	    "\"caf\xc3\xa9 \xef\xbf\xbd\"],\"cap\":30,\"host\":\"h\\\"1\"}\n");
	digest_is(WEBHOOK_ALERTMANAGER, &d, "[{\"labels\":{"
	    "\"alertname\":\"watchfor_digest\",\"instance\":\"h\\\"1\"},"
	    "\"annotations\":{\"summary\":\"42 alerts folded (cap 30 per "
	    "minute)\",\"lines\":\"a \\\"quoted\\\" line\\ntab\\there\\n"
	    "caf\xc3\xa9 \xef\xbf\xbd\"},"
	    "\"startsAt\":\"2026-01-02T03:04:05Z\"}]\n");
	/* no sample kept */
	d.nsample = 0;
	d.count = 1;
	d.last = T0;
	digest_is(WEBHOOK_JSON, &d, "{\"digest\":true,\"count\":1,"
	    "\"first\":\"2026-01-02T03:04:05Z\","
	    "\"last\":\"2026-01-02T03:04:05Z\",\"sample\":[],\"cap\":30,"
	    "\"host\":\"h\\\"1\"}\n");
	digest_is(WEBHOOK_ALERTMANAGER, &d, "[{\"labels\":{"
	    "\"alertname\":\"watchfor_digest\",\"instance\":\"h\\\"1\"},"
	    "\"annotations\":{\"summary\":\"1 alerts folded (cap 30 per "
	    "minute)\",\"lines\":\"\"},"
	    "\"startsAt\":\"2026-01-02T03:04:05Z\"}]\n");
}

/* Directive values that parse. */
static void
test_parse_ok(void **state)
{
	struct webhook_spec s;
	size_t off;
	char *err;

	(void)state;
	err = webhook_parse("http://127.0.0.1:9093/api/v2/alerts", &s, &off);
	assert_null(err);
	assert_string_equal(s.url, "http://127.0.0.1:9093/api/v2/alerts");
	assert_int_equal(s.mode, WEBHOOK_JSON);
	assert_int_equal(s.timeout, WEBHOOK_TIMEOUT_S);
	assert_null(s.bearer_file);
	webhook_spec_clear(&s);

	err = webhook_parse("  https://am.example/api/v2/alerts\talertmanager "
	    "label=severity:warning label=user:$1 annotation=why:\"a b $+{x}\" "
	    "bearer-file=/etc/watchfor/token timeout=30", &s, &off);
	assert_null(err);
	assert_int_equal(s.mode, WEBHOOK_ALERTMANAGER);
	assert_int_equal(s.nlabels, 2);
	assert_string_equal(s.labels[0].name, "severity");
	assert_string_equal(s.labels[0].value, "warning");
	assert_string_equal(s.labels[1].name, "user");
	assert_string_equal(s.labels[1].value, "$1");
	assert_int_equal(s.nannotations, 1);
	assert_string_equal(s.annotations[0].name, "why");
	assert_string_equal(s.annotations[0].value, "a b $+{x}");
	assert_string_equal(s.bearer_file, "/etc/watchfor/token");
	assert_int_equal(s.timeout, 30);
	webhook_spec_clear(&s);

	assert_null(err = webhook_parse("http://h json label=v:", &s, &off));
	assert_string_equal(s.labels[0].value, "");
	webhook_spec_clear(&s);
}

/* Values that do not: the message's start and the offset. */
static const struct {
	const char	*value;
	const char	*msg;
	size_t		 off;
} bad[] = {
	{ "ftp://h/x", "bad URL \"ftp://h/x\"", 0 },
	{ "  127.0.0.1:9093", "bad URL", 2 },
	{ "http://", "bad URL", 0 },
	{ "http:///path", "bad URL", 0 },
	{ "http://h json xml", "mode given twice", 14 },
	{ "http://h prometheus", "unknown mode \"prometheus\"", 9 },
	{ "http://h label=severity", "label: write label=NAME:VALUE", 15 },
	{ "http://h label=9x:y", "label: write", 15 },
	{ "http://h label=a-b:y", "label: write", 15 },
	{ "http://h annotation=:y", "annotation: write", 20 },
	{ "http://h label=a:$HOME", "", 17 },
	{ "http://h header=x", "unknown option \"header\"", 9 },
	{ "http://h timeout=0", "timeout: \"0\" is not", 17 },
	{ "http://h timeout=301", "timeout:", 17 },
	{ "http://h timeout=101", "timeout: \"101\" is not", 17 },
	{ "https://u:p@h/x", "credentials (user:password@)", 8 },
	{ "  http://tok@h:8080/x", "credentials", 9 },
	{ "http://h timeout=5s", "timeout:", 17 },
	{ "http://h bearer-file=token", "bearer-file: \"token\" is not an "
	  "absolute path", 21 },
	{ "http://h label=a:\"b c", "unclosed \"", 9 },
	{ "", "a URL is needed", 0 },
};

static void
test_parse_bad(void **state)
{
	struct webhook_spec s;
	size_t i, off;
	char *err;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = webhook_parse(bad[i].value, &s, &off);
		webhook_spec_clear(&s);
		if (err == NULL)
			fail_msg("case %zu (%s): accepted", i, bad[i].value);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0 ||
		    off != bad[i].off)
			fail_msg("case %zu (%s): \"%s\" at %zu, want \"%s\" at "
			    "%zu", i, bad[i].value, err, off, bad[i].msg,
			    bad[i].off);
		free(err);
	}
}

/* The global cap counts webhooks with mails and names them apart. */
static void
test_cap(void **state)
{
	struct mailcap *mc = mailcap_new(2, 60000);
	struct buf s = { 0 }, b = { 0 };
	uint64_t t = 1000000;

	(void)state;
	assert_true(mailcap_offer(mc, t, T0, "m1", 2));
	assert_true(mailcap_offer_webhook(mc, t + 1, T0, "h1", 2));
	assert_false(mailcap_offer_webhook(mc, t + 2, T0, "h2", 2));
	assert_false(mailcap_offer(mc, t + 3, T0, "m2", 2));
	assert_false(mailcap_offer_webhook(mc, t + 4, T0, "h3", 2));
	assert_int_equal(mailcap_folded(mc), 3);
	assert_int_equal(mailcap_folded_webhooks(mc), 2);
	assert_int_equal(mailcap_digest(mc, t + 60000, false, &s, &b), 3);
	buf_addc(&b, '\0');
	assert_non_null(strstr(b.data, "2 of them were webhooks, summarised "
	    "in one post to the first one's URL.\n"));
	assert_non_null(strstr(b.data, "  h2\n"));
	assert_int_equal(mailcap_folded_webhooks(mc), 0);
	/* the next window lets webhooks through again */
	assert_true(mailcap_offer_webhook(mc, t + 60001, T0, "h4", 2));
	buf_free(&s);
	buf_free(&b);
	mailcap_free(mc);
}

static void
test_helper_path(void **state)
{
	(void)state;
	unsetenv(WEBHOOK_HELPER_ENV);
	assert_non_null(strstr(webhook_helper_path(),
	    "/watchfor/watchfor-http"));
	assert_true(webhook_helper_path()[0] == '/');
	setenv(WEBHOOK_HELPER_ENV, "/tmp/x-http", 1);
	assert_string_equal(webhook_helper_path(), "/tmp/x-http");
	setenv(WEBHOOK_HELPER_ENV, "", 1);
	assert_string_not_equal(webhook_helper_path(), "");
	unsetenv(WEBHOOK_HELPER_ENV);
}

/* What messages show of a URL: no path, query, fragment or userinfo. */
static void
test_url_shown(void **state)
{
	static const struct {
		const char	*url;
		const char	*want;
	} t[] = {
		{ "https://hooks.slack.com/services/T0/B0/XXXX",
		    "https://hooks.slack.com/..." },
		{ "http://127.0.0.1:9093/api/v2/alerts",
		    "http://127.0.0.1:9093/..." },
		{ "http://h", "http://h" },
		{ "http://h:80", "http://h:80" },
		{ "http://h/", "http://h/..." },
		{ "http://h?token=x", "http://h/..." },
		{ "http://h#x", "http://h/..." },
		{ "http://[::1]:8080/x", "http://[::1]:8080/..." },
		{ "https://user:pw@h:1/x", "https://h:1/..." },
		{ "https://a@b@h/x", "https://h/..." },
		{ "no-url", "(not a URL)" },
		{ "/x://y", "(not a URL)" },
	};
	char out[WEBHOOK_URL_SHOWN_MAX], small[12];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		webhook_url_shown(t[i].url, out, sizeof(out));
		if (strcmp(out, t[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", t[i].url, out,
			    t[i].want);
	}
	webhook_url_shown("https://hooks.slack.com/x", small, sizeof(small));
	assert_string_equal(small, "https://hoo");
}

/* The held webhook's variables (the URL) survive the state file. */
static void
test_cap_vars(void **state)
{
	struct exec_cmd c = { 0 };
	struct buf b = { 0 };
	const char *p, *old = "caphook 0 1\n";

	(void)state;
	c.file = xstrdup("/h");
	c.argv = xcalloc(2, sizeof(*c.argv));
	c.argv[0] = xstrdup("/h");
	c.argc = 1;
	c.vars = xcalloc(2, sizeof(*c.vars));
	c.vars[0] = xstrdup("WATCHFOR_HTTP_URL=http://h/secret");
	c.nvars = 1;
	webhook_cap_hold(&c, "/h http://h/...", "http://h/...", 0);
	webhook_cap_encode(&b);
	webhook_cap_forget();
	buf_add(&b, "", 0);
	assert_non_null(strstr(b.data, "caphook 0 1 1\n"));
	p = b.data;
	assert_int_equal(webhook_cap_decode(&p, b.data + b.len), 0);
	assert_string_equal(webhook_cap_url(), "http://h/...");
	buf_reset(&b);
	webhook_cap_encode(&b);
	buf_add(&b, "", 0);
	assert_non_null(strstr(b.data, "WATCHFOR_HTTP_URL=http://h/secret"));
	webhook_cap_forget();
	/* the format before: no variable count */
	buf_reset(&b);
	buf_adds(&b, old);
	digest_put_str(&b, "/h", 2);
	digest_put_str(&b, "t", 1);
	digest_put_str(&b, "http://h/x", 10);
	p = b.data;
	assert_int_equal(webhook_cap_decode(&p, b.data + b.len), 0);
	assert_string_equal(webhook_cap_url(), "http://h/x");
	webhook_cap_forget();
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_body_json),
		cmocka_unit_test(test_body_alertmanager),
		cmocka_unit_test(test_digest_body),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_helper_path),
		cmocka_unit_test(test_url_shown),
		cmocka_unit_test(test_cap_vars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
