#ifndef WATCHFOR_PREFILTER_H
#define WATCHFOR_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Literal prefilter: a scan of a line for the literals each pattern
 * requires (ASCII case folded) tells which patterns could match it. A
 * pattern whose literals do not all occur in a line cannot match it; a
 * pattern with no required literal is always a candidate. PCRE2 still
 * decides, so trying the candidates in rule order gives the same first
 * match as trying every rule.
 */

struct pattern;
struct prefilter;

/*
 * Required literals of a regex: a conjunction of sets, each set a
 * disjunction of literals (at most 16 bytes, ASCII-lowercased): every match
 * contains, for each set, at least one of its literals. NULL stands for
 * "no requirement" (always a candidate).
 */
struct prefilter_lits;

/*
 * Extracts the required literals of a PCRE2 regex `re` (`len` bytes)
 * compiled with PCRE2 options `opts`, which must already be known to
 * compile. Conservative: returns NULL when unsure. The caller frees.
 */
struct prefilter_lits	*prefilter_lits_regex(const char *re, size_t len,
			    uint32_t opts);
/* Literals of `a and b`, of `a or b`. Both consume their arguments. */
struct prefilter_lits	*prefilter_lits_and(struct prefilter_lits *,
			    struct prefilter_lits *);
struct prefilter_lits	*prefilter_lits_or(struct prefilter_lits *,
			    struct prefilter_lits *);
/* A copy (NULL for NULL). */
struct prefilter_lits	*prefilter_lits_dup(const struct prefilter_lits *);
void			 prefilter_lits_free(struct prefilter_lits *);
/*
 * A heap string for tests and --debug: `*` for no requirement, else sets
 * joined by ` & `, each `{lit|lit}` (non-printable bytes as \xHH).
 */
char			*prefilter_lits_describe(const struct prefilter_lits *);

/*
 * Builds the scanner over `n` patterns (borrowed; they must outlive it),
 * indexed 0..n-1 in the given (rule) order.
 */
struct prefilter	*prefilter_new(struct pattern *const *pats, size_t n);
void			 prefilter_free(struct prefilter *);

/*
 * Scans `line` (`len` bytes, any bytes) and returns the candidate bitset:
 * bit i (word i / 64, bit i % 64) set when pattern i could match. Owned by
 * the prefilter, valid until the next scan.
 */
const uint64_t		*prefilter_scan(struct prefilter *, const char *line,
			    size_t len);

/*
 * Index of the first candidate at or after `from`, or `n` (the number of
 * patterns) when there is none: for (i = prefilter_next(pf, b, 0); i < n;
 * i = prefilter_next(pf, b, i + 1)).
 */
size_t			 prefilter_next(const struct prefilter *,
			    const uint64_t *bits, size_t from);

/* Number of patterns that are candidates for every line. */
size_t			 prefilter_nalways(const struct prefilter *);

#endif
