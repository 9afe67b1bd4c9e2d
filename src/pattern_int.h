/*
 * Internals shared by pattern.c and pattern_perl.c; not a public header.
 */
#ifndef WATCHFOR_PATTERN_INT_H
#define WATCHFOR_PATTERN_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pattern.h"
#include "util.h"

struct parser {
	const char		*text;	/* start of the whole text */
	const char		*p;	/* cursor */
	const char		*end;
	struct pattern		*top;
	struct buf		 warn;
	int			 depth;
	bool			 failed;
	enum pattern_status	 status;
	char			*err;
	size_t			 erroff;
};

/* Records the first error only; returns -1 for the caller to pass up. */
int	pat_perr(struct parser *, const char *at, enum pattern_status,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Adds a note for --check (pattern_warning). */
void	pat_pwarn(struct parser *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Perl's \w on a byte. */
static inline bool
pat_is_word(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * Perl regex source (the body between the delimiters, s..end) to PCRE2
 * source in `out`. `close` is the closing delimiter; for non-bracket
 * delimiters `\close` becomes the bare character, as Perl's tokenizer
 * does. `interp` is false for m'...' (no interpolation). 0, or -1 with
 * the error recorded.
 */
int	pat_translate(struct parser *, const char *s, const char *end,
	    char close, bool bracket, bool interp, struct buf *out);
/* Perl match modifiers s..end to PCRE2 options: 0, or -1 (recorded). */
int	pat_parse_flags(struct parser *, const char *s, const char *end,
	    uint32_t *opts);

#endif
