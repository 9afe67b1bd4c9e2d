/*
 * Mail messages (issue 6): the bytes swatchdog hands to sendmail (To,
 * Subject, empty line, MESSAGE) and the complete RFC 5322 message the
 * SMTP transport sends (From, To, Subject, Date, Message-ID, MIME
 * headers, a 7bit or quoted-printable body), both with header values
 * that log text cannot break: no CR, LF or other control character, RFC
 * 2047 encoded words for non-ASCII, invalid UTF-8 as U+FFFD. Also the
 * envelope recipients of an address list. Pure; delivery is left to the
 * mail action, the outbox and the helpers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mail_msg.h"
#include "util.h"

/*
 * Appends `s` with invalid UTF-8 and NUL as U+FFFD; for a header value
 * also without control characters (TAB becomes a space).
 */
static void
clean_text(const char *s, size_t len, bool header, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] < 0x80) {
			if (header && u[i] == '\t')
				buf_addc(out, ' ');
			else if (header && (u[i] < 0x20 || u[i] == 0x7f))
				;	/* CR, LF: no header from log text */
			else if (u[i] == '\0')
				buf_add(out, "\xef\xbf\xbd", 3);
			else
				buf_addc(out, s[i]);
			i++;
			continue;
		}
		if ((n = util_utf8_len(u + i, len - i)) == 0) {
			buf_add(out, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		buf_add(out, s + i, n);
		i += n;
	}
}

static bool
is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static void
base64(const unsigned char *s, size_t len, struct buf *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8 |
		    s[i + 2];
		buf_addc(out, tab[v >> 18 & 63]);
		buf_addc(out, tab[v >> 12 & 63]);
		buf_addc(out, tab[v >> 6 & 63]);
		buf_addc(out, tab[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned long)s[i] << 16;
		buf_addc(out, tab[v >> 18 & 63]);
		buf_addc(out, tab[v >> 12 & 63]);
		buf_add(out, "==", 2);
	} else if (len - i == 2) {
		v = (unsigned long)s[i] << 16 | (unsigned long)s[i + 1] << 8;
		buf_addc(out, tab[v >> 18 & 63]);
		buf_addc(out, tab[v >> 12 & 63]);
		buf_addc(out, tab[v >> 6 & 63]);
		buf_addc(out, '=');
	}
}

/* Bytes of UTF-8 text per encoded word: "Subject: " + word <= 76. */
#define EW_CHUNK	39

/*
 * RFC 2047 "B" encoded words of valid UTF-8 text, never splitting a
 * character, folded onto continuation lines.
 */
static void
encode_words(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (i < len) {
		n = 0;
		while (i + n < len) {
			k = util_utf8_len(u + i + n, len - i - n);
			if (k == 0)
				k = 1;	/* cannot happen: text is clean */
			if (n + k > EW_CHUNK && n > 0)
				break;
			n += k;
		}
		if (i > 0)
			buf_add(out, "\n ", 2);
		buf_add(out, "=?UTF-8?B?", 10);
		base64(u + i, n, out);
		buf_add(out, "?=", 2);
		i += n;
	}
}

void
mail_build(const char *to, size_t tolen, const char *subject,
    size_t subjlen, const char *body, size_t bodylen, struct buf *out)
{
	struct buf t = { 0 }, s = { 0 }, b = { 0 };
	size_t i;
	bool mime;

	buf_reserve(&t, 1);
	buf_reserve(&s, 1);
	buf_reserve(&b, 1);
	clean_text(to, tolen, true, &t);
	for (i = 0; i < t.len; i++)
		if (t.data[i] == ':')
			t.data[i] = ',';
	clean_text(subject, subjlen, true, &s);
	clean_text(body, bodylen, false, &b);
	mime = !is_ascii(s.data, s.len) || !is_ascii(b.data, b.len);

	buf_add(out, "To: ", 4);
	buf_add(out, t.data, t.len);
	buf_add(out, "\nSubject: ", 10);
	if (mime && !is_ascii(s.data, s.len))
		encode_words(s.data, s.len, out);
	else
		buf_add(out, s.data, s.len);
	buf_addc(out, '\n');
	if (mime)
		buf_adds(out, "MIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=UTF-8\n"
		    "Content-Transfer-Encoding: 8bit\n");
	buf_addc(out, '\n');
	buf_add(out, b.data, b.len);
	buf_addc(out, '\n');
	buf_free(&t);
	buf_free(&s);
	buf_free(&b);
}

/* Appends a header value from text: clean, ':' as ',' for addresses. */
static void
header_text(const char *s, size_t len, bool addresses, struct buf *out)
{
	size_t start = out->len, i;

	clean_text(s, len, true, out);
	if (addresses)
		for (i = start; i < out->len; i++)
			if (out->data[i] == ':')
				out->data[i] = ',';
}

/*
 * True when a folded line may start at v[i]: before a blank that a
 * non-blank follows (the continuation line is not all white space), or,
 * in an address list, after a ',' (then a blank is inserted).
 */
static bool
fold_point(const char *v, size_t len, size_t i, bool addresses)
{
	if (i == 0 || i + 1 >= len)
		return false;
	if (v[i] == ' ')
		return v[i + 1] != ' ';
	return addresses && v[i - 1] == ',';
}

/*
 * Appends the clean header value `v` folded (RFC 5322 2.2.3) at its
 * fold points so that lines stay within MAIL_FOLD_COL columns where a
 * fold point allows; `col` is where the value starts on its line.
 * Returns the longest line written, in bytes.
 */
static size_t
fold_value(const char *v, size_t len, size_t col, bool addresses,
    struct buf *out)
{
	size_t i = 0, j, seg, longest = 0;

	while (i < len) {
		for (j = i + 1; j < len && !fold_point(v, len, j, addresses);
		    j++)
			;
		seg = j - i;
		if (i > 0 && col + seg > MAIL_FOLD_COL) {
			buf_addc(out, '\n');
			col = 0;
			if (v[i] != ' ') {
				buf_addc(out, ' ');
				col = 1;
			}
		}
		buf_add(out, v + i, seg);
		col += seg;
		if (col > longest)
			longest = col;
		i = j;
	}
	return longest;
}

/*
 * Appends the header field "name: " and the value `v` (clean text):
 * folded at blanks (address lists also after commas) near MAIL_FOLD_COL;
 * a subject with a run that would still pass MAIL_LINE_MAX, or that is
 * not ASCII, goes as RFC 2047 encoded words, which fold anywhere.
 */
static void
header_field(const char *name, const char *v, size_t len, bool subject,
    bool addresses, struct buf *out)
{
	size_t start, col = strlen(name) + 2;

	buf_adds(out, name);
	buf_adds(out, ": ");
	start = out->len;
	if (subject && !is_ascii(v, len)) {
		encode_words(v, len, out);
		return;
	}
	if (fold_value(v, len, col, addresses, out) <= MAIL_LINE_MAX ||
	    !subject)
		return;
	out->len = start;
	encode_words(v, len, out);
}

/* True when the body cannot go as 7bit: non-ASCII, controls, long lines. */
static bool
body_needs_qp(const char *s, size_t len)
{
	size_t i, col = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7f ||
		    ++col > MAIL_LINE_MAX)
			return true;
	}
	return false;
}

/* Appends `s` (lines separated by LF) quoted-printable (RFC 2045 6.7). */
static void
quoted_printable(const char *s, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0, w;
	unsigned char c;
	bool enc, eol;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n') {
			buf_addc(out, '\n');
			col = 0;
			continue;
		}
		eol = i + 1 == len || s[i + 1] == '\n';
		enc = c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
		    ((c == ' ' || c == '\t') && eol);
		w = enc ? 3 : 1;
		/* a soft break keeps lines at 76, "=" included */
		if (col + w > (eol ? 76 : 75)) {
			buf_add(out, "=\n", 2);
			col = 0;
		}
		if (enc) {
			buf_addc(out, '=');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		} else
			buf_addc(out, (char)c);
		col += w;
	}
}

/* RFC 5322 date of `when` in local time: "Tue, 3 Mar 2026 10:04:05 +0100". */
static void
rfc5322_date(time_t when, struct buf *out)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec",
	};
	struct tm tm;
	long off;

	if (localtime_r(&when, &tm) == NULL) {
		when = 0;
		(void)gmtime_r(&when, &tm);
	}
	off = tm.tm_gmtoff / 60;
	buf_addf(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

void
mail_build_smtp(const char *from, const char *to, size_t tolen,
    const char *subject, size_t subjlen, const char *body, size_t bodylen,
    time_t when, const char *msgid, struct buf *out)
{
	struct buf f = { 0 }, t = { 0 }, s = { 0 }, b = { 0 };

	buf_reserve(&f, 1);
	buf_reserve(&t, 1);
	buf_reserve(&s, 1);
	buf_reserve(&b, 1);
	header_text(from, strlen(from), false, &f);
	header_text(to, tolen, true, &t);
	clean_text(subject, subjlen, true, &s);
	clean_text(body, bodylen, false, &b);

	header_field("From", f.data, f.len, false, true, out);
	buf_addc(out, '\n');
	header_field("To", t.data, t.len, false, true, out);
	buf_addc(out, '\n');
	header_field("Subject", s.data, s.len, true, false, out);
	buf_adds(out, "\nDate: ");
	rfc5322_date(when, out);
	buf_adds(out, "\nMessage-ID: ");
	header_text(msgid, strlen(msgid), false, out);
	buf_adds(out, "\nMIME-Version: 1.0\n");
	if (body_needs_qp(b.data, b.len)) {
		buf_adds(out, "Content-Type: text/plain; charset=UTF-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n");
		quoted_printable(b.data, b.len, out);
	} else {
		buf_adds(out, "Content-Type: text/plain; charset=us-ascii\n"
		    "Content-Transfer-Encoding: 7bit\n\n");
		buf_add(out, b.data, b.len);
	}
	buf_addc(out, '\n');
	buf_free(&f);
	buf_free(&t);
	buf_free(&s);
	buf_free(&b);
}

void
mail_message_id(const char *from, struct buf *out)
{
	static unsigned seq;
	char host[256];
	const char *at;
	unsigned r = 0;

	if ((at = strrchr(from, '@')) != NULL && at[1] != '\0' &&
	    strcspn(at + 1, "<>()[]\\,;: \t\r\n\"") == strlen(at + 1))
		(void)snprintf(host, sizeof(host), "%s", at + 1);
	else if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0' ||
	    strcspn(host, "<>@ \t") != strlen(host))
		(void)snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)clock();
	buf_addf(out, "<%lld.%ld.%u.%08x.watchfor@%s>", (long long)time(NULL),
	    (long)getpid(), ++seq, r, host);
}

char **
mail_rcpts(const char *to, size_t tolen, size_t *n)
{
	struct buf t = { 0 };
	char **v = NULL, *p, *e, *w, *lt, *gt;
	size_t i;

	*n = 0;
	buf_reserve(&t, 1);
	header_text(to, tolen, true, &t);
	for (p = t.data; p != NULL; p = e) {
		if ((e = strchr(p, ',')) != NULL)
			*e++ = '\0';
		if ((lt = strchr(p, '<')) != NULL &&
		    (gt = strchr(lt, '>')) != NULL) {
			p = lt + 1;
			*gt = '\0';
		}
		while (*p == ' ')
			p++;
		for (i = strlen(p); i > 0 && p[i - 1] == ' '; i--)
			p[i - 1] = '\0';
		if (*p == '\0')
			continue;
		w = xstrdup(p);
		v = xreallocarray(v, *n + 2, sizeof(*v));
		v[(*n)++] = w;
		v[*n] = NULL;
	}
	buf_free(&t);
	return v;
}
