#ifndef WATCHFOR_REDOS_H
#define WATCHFOR_REDOS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Catastrophic backtracking, for --check: a look at a regex's text for the
 * shapes that make a backtracking matcher take exponential or polynomial
 * time on crafted lines (nested quantifiers, a repeated alternation whose
 * branches match the same text, overlapping quantifiers in a row), each
 * candidate then tried with PCRE2 on generated attack lines.
 */

struct pattern_source;

enum redos_kind {
	REDOS_NESTED,		/* (a+)+ */
	REDOS_ALTERNATION,	/* (a|a)* */
	REDOS_ADJACENT,		/* \d+\d+$ */
};

struct redos_finding {
	enum redos_kind	 kind;
	size_t		 off;		/* offending part, in the body */
	size_t		 len;
	bool		 confirmed;	/* an attack line hit the limit */
	size_t		 attack_len;	/* its length, when confirmed */
};

/*
 * Looks at one regex body as written (`body`, `len` bytes; PCRE2 options
 * `options`, of which extended, caseless and dotall matter) and returns
 * true with *f filled for the first problem found. When `re` is not NULL
 * the candidate is confirmed by matching it, compiled from `re` (`relen`
 * bytes, the PCRE2 source), against attack lines with a small limit.
 */
bool	redos_scan(const char *body, size_t len, unsigned options,
	    const char *re, size_t relen, struct redos_finding *f);

/*
 * The --check warning for a single match of a pattern, or NULL: a heap
 * string such as `/^(a+)+$/ can take exponential time on some lines
 * (nested quantifier "(a+)+") ...`; *off is then the offending part's
 * offset in the text given to pattern_compile.
 */
char	*redos_check(const struct pattern_source *, size_t *off);

/* How each kind of warning ends. */
#define REDOS_STOPPED	"watchfor stops such a match at its limit, but the " \
			"line is then not matched"
#define REDOS_UNBOUNDED	"the match limit does not bound it, so a long line " \
			"can hold watchfor up: rewrite it"

#endif
