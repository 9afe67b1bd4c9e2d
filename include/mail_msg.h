#ifndef WATCHFOR_MAIL_MSG_H
#define WATCHFOR_MAIL_MSG_H

#include <stddef.h>
#include <time.h>

/*
 * Mail messages (issue 6): swatchdog's bytes for sendmail, and the
 * complete RFC 5322 message of the SMTP transport. Header values never
 * carry CR, LF or another control character from log text. Pure.
 */

struct buf;

/*
 * Longest line (RFC 5322 2.1.1): longer body lines go quoted-printable,
 * longer header lines are never written by mail_build_smtp.
 */
#define MAIL_LINE_MAX	998
/* Where mail_build_smtp folds header lines when a blank allows. */
#define MAIL_FOLD_COL	78

/*
 * Appends the message to `out`. Pure. `to` is swatchdog's ADDRESSES (each
 * ':' becomes ','). In the To and Subject values CR, LF and every other
 * control character is removed (TAB becomes a space). When the subject or
 * the body is not ASCII, MIME-Version, Content-Type (text/plain; charset=
 * UTF-8) and Content-Transfer-Encoding (8bit) are added after Subject, the
 * subject becomes RFC 2047 encoded words, and invalid UTF-8 (and NUL) in
 * any part becomes U+FFFD. ASCII input gives swatchdog's bytes exactly:
 * "To: T\nSubject: S\n\nBODY\n".
 */
void	mail_build(const char *to, size_t tolen, const char *subject,
	    size_t subjlen, const char *body, size_t bodylen, struct buf *out);
/*
 * Appends the complete message of the SMTP transport, lines ended by LF
 * (the helper sends CRLF): From `from`, To `to` (':' as ','), Subject
 * (RFC 2047 when not ASCII), Date (`when`, local time), Message-ID
 * `msgid`, MIME-Version, Content-Type and Content-Transfer-Encoding: a
 * body of printable ASCII and TAB with lines of at most MAIL_LINE_MAX
 * bytes goes as us-ascii 7bit, anything else as UTF-8 quoted-printable
 * (invalid UTF-8 as U+FFFD), then the body and a final LF. Header values
 * are cleaned as mail_build does, then folded (RFC 5322 2.2.3) at blanks
 * (From and To also after commas, adding a blank) to stay within
 * MAIL_FOLD_COL columns where they can; a subject that would still have
 * a line over MAIL_LINE_MAX bytes goes as RFC 2047 encoded words. No
 * header line passes MAIL_LINE_MAX but for a single address that long.
 * Pure.
 */
void	mail_build_smtp(const char *from, const char *to, size_t tolen,
	    const char *subject, size_t subjlen, const char *body,
	    size_t bodylen, time_t when, const char *msgid, struct buf *out);
/*
 * Appends a new unique Message-ID ("<time.pid.seq.random.watchfor@
 * DOMAIN>", DOMAIN from `from` or the host name).
 */
void	mail_message_id(const char *from, struct buf *out);
/*
 * The envelope recipients of swatchdog's ADDRESSES `to`: split at ',' and
 * ':', blanks trimmed, "Name <addr>" as addr, control characters removed,
 * empty ones dropped. A NULL-terminated heap array (*n entries; NULL when
 * none) of heap strings.
 */
char	**mail_rcpts(const char *to, size_t tolen, size_t *n);

#endif
