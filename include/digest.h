#ifndef WATCHFOR_DIGEST_H
#define WATCHFOR_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A digest: the hits folded while a window is open, as a count, the wall
 * time of the first and the last, and a bounded sample of their lines
 * (at most `max` lines, each cut at DIGEST_LINE_MAX bytes, all of them
 * within DIGEST_BYTES_MAX). Pure data and text: who opens and closes a
 * window, and what runs with the summary, is the caller's (throttle.c's
 * digest mode, the mail cap).
 */

struct buf;
struct digest;

#define DIGEST_SAMPLE_DEFAULT	10	/* lines kept */
#define DIGEST_SAMPLE_MAX	100
#define DIGEST_LINE_MAX		512	/* bytes kept of each line */
#define DIGEST_BYTES_MAX	4096	/* bytes of sample per digest */

/* An empty digest keeping at most `max` lines (clamped to [0, MAX]). */
struct digest	*digest_new(unsigned max);
void		 digest_free(struct digest *);

/* Folds one hit: `line` (`len` bytes, a trailing newline dropped). */
void		 digest_add(struct digest *, const char *line, size_t len,
		    time_t when);
uint64_t	 digest_count(const struct digest *);
time_t		 digest_first(const struct digest *);
time_t		 digest_last(const struct digest *);
size_t		 digest_nsample(const struct digest *);
/* Sampled line `i` (NUL-terminated, *len bytes). */
const char	*digest_sample(const struct digest *, size_t i, size_t *len);

/* Appends `t` as RFC 3339 local time, "2026-11-23T17:03:51+01:00". */
void		 digest_rfc3339(time_t t, struct buf *out);
/*
 * The one-line summary: "[digest] N more lines for rule WHAT from FIRST
 * to LAST, first: LINE" (times RFC 3339).
 */
void		 digest_summary(const struct digest *, const char *what,
		    struct buf *out);
/*
 * A mail subject and body: "[digest] N more lines for rule WHAT"; the
 * body gives the count, first and last time and the sampled lines.
 */
void		 digest_mail(const struct digest *, const char *what,
		    struct buf *subject, struct buf *body);

/*
 * The value of "#% throttle-digest": "on" (DIGEST_SAMPLE_DEFAULT lines)
 * or "sample=N" (N from 0 to DIGEST_SAMPLE_MAX). Returns 0 with *sample
 * set, or -1 with *err (heap) for --check.
 */
int		 digest_parse_directive(const char *value, unsigned *sample,
		    char **err);

/*
 * Appends a self-delimiting encoding (text, binary-safe) to `out`;
 * digest_decode reads one back from *p (advanced) up to `end`: NULL when
 * it is malformed.
 */
void		 digest_encode(const struct digest *, struct buf *out);
struct digest	*digest_decode(const char **p, const char *end);

/*
 * Little helpers of the encoding, shared by the state files: an unsigned
 * number followed by `sep`, and a length-prefixed byte string.
 */
void		 digest_put_num(struct buf *, uint64_t, char sep);
void		 digest_put_str(struct buf *, const char *, size_t);
bool		 digest_get_num(const char **p, const char *end, uint64_t *v,
		    char sep);
bool		 digest_get_str(const char **p, const char *end,
		    const char **s, size_t *len);
/* digest_get_str as a heap C string; NULL also when it holds a NUL. */
char		*digest_get_cstr(const char **p, const char *end);

#endif
