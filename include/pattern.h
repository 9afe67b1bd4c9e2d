#ifndef WATCHFOR_PATTERN_H
#define WATCHFOR_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * swatchdog patterns (spec section 6): the Perl match expression written
 * after watchfor/ignore/waitfor, such as `/id=RULE-RATE/` or `m{a b}i`,
 * compiled with PCRE2 (JIT when available) in non-UTF mode, so a line is
 * matched as bytes: NUL bytes and invalid UTF-8 never abort a match.
 */

struct pattern;

enum pattern_status {
	PATTERN_OK,
	PATTERN_BAD_REGEX,	/* swatchdog: "error in pattern", exit 25 */
	PATTERN_UNSUPPORTED,	/* valid Perl that watchfor does not take */
};

/*
 * Compiles `text`. On failure returns NULL, sets *status, *err (a heap
 * string naming the problem, and for Perl-only forms the PCRE way to write
 * it) and *erroff (0-based offset into `text`).
 */
struct pattern	*pattern_compile(const char *text, enum pattern_status *status,
		    char **err, size_t *erroff);
void		 pattern_free(struct pattern *);

/*
 * Captures of the last successful match of a pattern, valid until the
 * pattern is matched again or freed. Group 0 is the whole match.
 */
struct match {
	const char		*subject;
	size_t			 len;
	const struct pattern	*pattern;
	const size_t		*ovector;	/* pairs of offsets */
	unsigned		 ngroups;	/* pairs in ovector */
};

/*
 * Matches `line` (`len` bytes). Returns 1 on a match (and fills `m` when
 * not NULL), 0 on no match, -1 when PCRE2 gave up (match or depth limit);
 * the -1 case is logged at most once per pattern and counts as no match.
 */
int	pattern_match(struct pattern *, const char *line, size_t len,
	    struct match *m);

/* Group `n` of the match: false if the group did not take part. */
bool	match_group(const struct match *, unsigned n, const char **p,
	    size_t *len);
/* Named group: false if there is no such name or it did not take part. */
bool	match_named(const struct match *, const char *name, const char **p,
	    size_t *len);
/*
 * Calls `cb` with the name and number of each named group of the
 * (sub-)pattern that matched, in name order (webhook captures).
 */
typedef void	 match_name_cb(const char *name, unsigned n, void *arg);
void	match_names(const struct match *, match_name_cb *cb, void *arg);
/* Number of capture groups the pattern has (not counting group 0). */
unsigned pattern_ncaptures(const struct pattern *);
/* True when the pattern defines a group called `name`. */
bool	pattern_has_name(const struct pattern *, const char *name);

/*
 * Additions (pattern module, second slice).
 *
 * A pattern may be a boolean combination of matches (`/a/ and !/b/`); the
 * `pattern` member of a filled struct match then points at the sub-pattern
 * whose match succeeded last (its captures are the ones actions see), and
 * when none succeeded (`!/x/` on a line without x) `ngroups` is 0.
 * pattern_ncaptures and pattern_has_name look at every sub-pattern.
 */

/*
 * A note for `--check`, or NULL: a place where watchfor accepts what
 * swatchdog would treat differently (an unescaped `@word`, which Perl
 * rejects under `use strict`; the ignored `g` modifier). Borrowed from the
 * pattern.
 */
const char *pattern_warning(const struct pattern *);

/* True when the pattern is a combination, not a single match. */
bool	pattern_is_compound(const struct pattern *);

/*
 * The literals every match must contain (see prefilter.h), or NULL when
 * the pattern could match a line containing none: borrowed.
 */
struct prefilter_lits;
const struct prefilter_lits *pattern_literals(const struct pattern *);

/*
 * The single matches of a pattern, for --check's analyses (redos.c): the
 * leaf text (`/re/flags`), the regex body as written (`body`, within
 * `text`; `boff` is its offset in the text given to pattern_compile) and
 * the PCRE2 source and options it was compiled with. Borrowed.
 */
struct pattern_source {
	const char	*text;
	const char	*body;
	size_t		 boff;
	size_t		 blen;
	const char	*re;
	size_t		 relen;
	uint32_t	 options;
};
size_t	pattern_nsources(const struct pattern *);
void	pattern_source(const struct pattern *, size_t i,
	    struct pattern_source *);

#endif
