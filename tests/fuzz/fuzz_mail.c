/*
 * Fuzz target: the mail message builders (mail_msg.c). The input is the
 * To value, a NUL, the subject, a NUL, and the body: log text an attacker
 * writes. Both messages are built, swatchdog's (mail_build) and the SMTP
 * transport's (mail_build_smtp). Checked in each: the header ends at the
 * first empty line; every header line is a header the builder writes
 * ("Name: value" with a known Name) or a folded continuation (it starts
 * with a blank: RFC 2047 words, long SMTP values); header bytes are
 * valid UTF-8 without CR, LF or another control character (TAB aside); SMTP
 * header lines are at most MAIL_LINE_MAX bytes but for a single address
 * that long; and for ASCII input without control characters
 * mail_build gives swatchdog's bytes exactly.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail_msg.h"
#include "util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static bool
known_header(const char *line, size_t len, bool smtp)
{
	static const char *const plain[] = { "To", "Subject", "MIME-Version",
	    "Content-Type", "Content-Transfer-Encoding" };
	static const char *const full[] = { "From", "To", "Subject", "Date",
	    "Message-ID", "MIME-Version", "Content-Type",
	    "Content-Transfer-Encoding" };
	const char *const *tab = smtp ? full : plain;
	size_t n = smtp ? sizeof(full) / sizeof(full[0]) :
	    sizeof(plain) / sizeof(plain[0]), i, k;

	for (i = 0; i < n; i++) {
		k = strlen(tab[i]);
		if (len >= k + 1 && memcmp(line, tab[i], k) == 0 &&
		    line[k] == ':')
			return true;
	}
	return false;
}

/* Is the line, blanks around it aside, one word (an address)? */
static bool
one_word(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return memchr(s, ' ', n) == NULL && memchr(s, '\t', n) == NULL;
}

/* Checks the header of `m`; returns the offset of the body. */
static size_t
check_header(const struct buf *m, bool smtp)
{
	size_t off = 0, i, k, len;
	const char *nl;
	bool any = false;

	for (;;) {
		nl = memchr(m->data + off, '\n', m->len - off);
		FUZZ_CHECK(nl != NULL, "header not ended by an empty line");
		len = (size_t)(nl - (m->data + off));
		if (len == 0)
			return off + 1;
		for (i = 0; i < len; i += k) {
			const unsigned char *u =
			    (const unsigned char *)m->data + off + i;

			FUZZ_CHECK(*u == '\t' || (*u >= 0x20 && *u != 0x7f),
			    "header byte 0x%02x at %zu", *u, off + i);
			k = util_utf8_len(u, len - i);
			FUZZ_CHECK(k > 0, "invalid UTF-8 in the header at %zu",
			    off + i);
		}
		if (any && (m->data[off] == ' ' || m->data[off] == '\t')) {
			/* a folded continuation; one address may be long */
			FUZZ_CHECK(!smtp || len <= MAIL_LINE_MAX ||
			    one_word(m->data + off, len),
			    "folded header line of %zu bytes", len);
		} else {
			FUZZ_CHECK(known_header(m->data + off, len, smtp),
			    "unknown header line \"%.*s\"",
			    (int)(len < 60 ? len : 60), m->data + off);
			FUZZ_CHECK(!smtp || len <= MAIL_LINE_MAX ||
			    strncmp(m->data + off, "From:", 5) == 0 ||
			    strncmp(m->data + off, "To:", 3) == 0,
			    "header line of %zu bytes", len);
		}
		any = true;
		off += len + 1;
	}
}

/* Printable ASCII only (what swatchdog's bytes are kept for). */
static bool
plain_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *subj, *body, *z;
	size_t tolen, subjlen, bodylen, boff;
	struct buf m = { 0 }, want = { 0 };

	if ((z = memchr(p, '\0', size)) == NULL)
		return 0;
	tolen = (size_t)(z - p);
	subj = z + 1;
	if ((z = memchr(subj, '\0', (size_t)(end - subj))) == NULL)
		return 0;
	subjlen = (size_t)(z - subj);
	body = z + 1;
	bodylen = (size_t)(end - body);

	mail_build(p, tolen, subj, subjlen, body, bodylen, &m);
	boff = check_header(&m, false);
	if (plain_ascii(p, tolen) && plain_ascii(subj, subjlen) &&
	    plain_ascii(body, bodylen) && memchr(p, ':', tolen) == NULL) {
		buf_adds(&want, "To: ");
		buf_add(&want, p, tolen);
		buf_adds(&want, "\nSubject: ");
		buf_add(&want, subj, subjlen);
		buf_adds(&want, "\n\n");
		buf_add(&want, body, bodylen);
		buf_addc(&want, '\n');
		FUZZ_CHECK(m.len == want.len &&
		    memcmp(m.data, want.data, m.len) == 0,
		    "ASCII input does not give swatchdog's bytes");
	}
	(void)boff;
	buf_reset(&m);
	mail_build_smtp("watchfor@example.org", p, tolen, subj, subjlen, body,
	    bodylen, 1795459451, "<1.2.3.watchfor@example.org>", &m);
	(void)check_header(&m, true);
	buf_free(&m);
	buf_free(&want);
	return 0;
}
