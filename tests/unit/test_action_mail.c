#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "action_mail.h"
#include "util.h"

#define MIME	"MIME-Version: 1.0\n" \
		"Content-Type: text/plain; charset=UTF-8\n" \
		"Content-Transfer-Encoding: 8bit\n"

/* to, subject, body -> the exact message bytes. */
static const struct {
	const char	*to;
	const char	*subject;
	const char	*body;
	size_t		 bodylen;	/* 0: strlen */
	const char	*want;
} cases[] = {
	/* swatchdog's bytes for ASCII */
	{ "postmaster@example.org:abuse@example.org", "SASL user bob",
	    "postfwd2/policy[1]: sasl_username=bob, rate", 0,
	    "To: postmaster@example.org,abuse@example.org\n"
	    "Subject: SASL user bob\n\n"
	    "postfwd2/policy[1]: sasl_username=bob, rate\n" },
	{ "root", "Message from Swatchdog", "", 0,
	    "To: root\nSubject: Message from Swatchdog\n\n\n" },
	/* a log line cannot add a header */
	{ "root", "Alert\r\nBcc: victim@example.org", "b", 0,
	    "To: root\nSubject: AlertBcc: victim@example.org\n\nb\n" },
	{ "root\nBcc: x@example.org", "s\n\nbody injected", "b", 0,
	    "To: rootBcc, x@example.org\nSubject: sbody injected\n\nb\n" },
	{ "root", "tab\there\x01\x7f\x1b[31m", "b", 0,
	    "To: root\nSubject: tab here[31m\n\nb\n" },
	/* the body keeps its lines and control characters */
	{ "root", "s", "line1\nTo: nobody\r\n.", 0,
	    "To: root\nSubject: s\n\nline1\nTo: nobody\r\n.\n" },
	/* non-ASCII: MIME headers, encoded subject */
	{ "root", "Fehler \xc3\xa4", "b", 0,
	    "To: root\nSubject: =?UTF-8?B?RmVobGVyIMOk?=\n" MIME "\nb\n" },
	{ "root", "s", "Gr\xc3\xbc\xc3\x9f" "e", 0,
	    "To: root\nSubject: s\n" MIME "\nGr\xc3\xbc\xc3\x9f" "e\n" },
	/* invalid UTF-8 and NUL become U+FFFD, never a dropped alert */
	{ "root", "s", "a\xff" "b\xc3", 0,
	    "To: root\nSubject: s\n" MIME
	    "\na\xef\xbf\xbd" "b\xef\xbf\xbd\n" },
	{ "root", "s", "a\0b", 3,
	    "To: root\nSubject: s\n" MIME "\na\xef\xbf\xbd" "b\n" },
	{ "root", "bad \xed\xa0\x80", "b", 0,
	    "To: root\nSubject: =?UTF-8?B?YmFkIO+/ve+/ve+/vQ==?=\n" MIME
	    "\nb\n" },
};

static void
test_build_table(void **state)
{
	struct buf b = { 0 };
	size_t i, blen;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		blen = cases[i].bodylen ? cases[i].bodylen :
		    strlen(cases[i].body);
		mail_build(cases[i].to, strlen(cases[i].to), cases[i].subject,
		    strlen(cases[i].subject), cases[i].body, blen, &b);
		buf_reserve(&b, 1);
		if (b.len != strlen(cases[i].want) ||
		    memcmp(b.data, cases[i].want, b.len) != 0)
			fail_msg("case %zu:\n got [%s]\nwant [%s]", i, b.data,
			    cases[i].want);
	}
	buf_free(&b);
}

static int
b64val(char c)
{
	const char *tab =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(tab, c);

	return p != NULL && c != '\0' ? (int)(p - tab) : -1;
}

/* Decodes each encoded word of a (folded) Subject value. */
static void
decode_subject(const char *v, struct buf *out)
{
	const char *p = v, *e;
	unsigned long acc = 0;
	int bits = 0, d;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		e = strstr(p, "?=");
		assert_non_null(e);
		for (; p < e; p++) {
			if (*p == '=')
				continue;
			d = b64val(*p);
			assert_true(d >= 0);
			acc = acc << 6 | (unsigned long)d;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_addc(out, (char)(acc >> bits & 0xff));
			}
		}
		bits = 0;
		acc = 0;
	}
}

static void
test_long_subject(void **state)
{
	struct buf subj = { 0 }, b = { 0 }, dec = { 0 };
	const char *s, *nl, *line;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf_adds(&subj, i % 3 == 0 ? "\xe2\x82\xac" : "ab");
	mail_build("root", 4, subj.data, subj.len, "x", 1, &b);
	buf_reserve(&b, 1);
	s = strstr(b.data, "Subject: ");
	assert_non_null(s);
	/* every line of the folded header fits, every word is <= 75 */
	for (line = s; *line != '\n'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_true(nl - line <= 76);
		if (nl[1] != ' ')
			break;
	}
	decode_subject(s, &dec);
	buf_reserve(&dec, 1);
	assert_int_equal(dec.len, subj.len);
	assert_memory_equal(dec.data, subj.data, subj.len);
	buf_free(&subj);
	buf_free(&b);
	buf_free(&dec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_table),
		cmocka_unit_test(test_long_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
