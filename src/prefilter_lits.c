/*
 * Literal extraction for the prefilter (issue 9, part 2): a conservative
 * walk of PCRE2 regex source that finds literals every match must contain,
 * as a conjunction of sets (each set: one of these literals occurs), folded
 * to ASCII lowercase and cut to 16 bytes. Optional parts (`?`, `*`,
 * `{0,n}`), lookarounds, classes of several bytes, backreferences and
 * subroutine calls require nothing; alternation requires one literal of
 * each branch; anything the walk does not understand (verbs, conditionals,
 * callouts, inline x changes, Unicode case rules) makes the whole regex "no
 * requirement", so a pattern is never excluded from a line it could match.
 *
 * Leaves to others: scanning lines for the literals (prefilter.c),
 * compiling and matching (pattern.c).
 */
#include <ctype.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "prefilter_int.h"
#include "util.h"

#define SET_MAX		64	/* literals in one set, else no requirement */
#define CONJ_KEEP	2	/* sets kept while walking a group: two
				   cut the scan's hits by two thirds for
				   a few more regex runs, 15 % faster */
#define CONJ_FINAL	3	/* sets kept for a whole regex */
#define RUN_MAX		16	/* literals in a run (alternations multiplied) */
#define SET_MINLEN	2	/* a set whose shortest literal is shorter is
				 * dropped: it would hit on almost every line */

/* --- literal sets ------------------------------------------------------ */

static void
set_free(struct litset *set)
{
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

void
prefilter_lits_free(struct prefilter_lits *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		set_free(&l->sets[i]);
	free(l->sets);
	free(l);
}

struct prefilter_lits *
prefilter_lits_dup(const struct prefilter_lits *l)
{
	struct prefilter_lits *d;
	size_t i;

	if (l == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->n = l->n;
	d->sets = xreallocarray(NULL, l->n, sizeof(*d->sets));
	for (i = 0; i < l->n; i++) {
		d->sets[i].n = l->sets[i].n;
		d->sets[i].v = xreallocarray(NULL, l->sets[i].n,
		    sizeof(struct lit));
		memcpy(d->sets[i].v, l->sets[i].v,
		    l->sets[i].n * sizeof(struct lit));
	}
	return d;
}

size_t
set_minlen(const struct litset *set)
{
	size_t i, m = LIT_MAX;

	for (i = 0; i < set->n; i++)
		if (set->v[i].len < m)
			m = set->v[i].len;
	return m;
}

/* Positive when set a filters better than set b. */
static int
set_cmp(const void *va, const void *vb)
{
	const struct litset *a = va, *b = vb;
	size_t ma = set_minlen(a), mb = set_minlen(b);

	if (ma != mb)
		return ma > mb ? 1 : -1;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return 0;
}

static int
set_cmp_desc(const void *a, const void *b)
{
	return set_cmp(b, a);
}

static void
conj_add(struct prefilter_lits **lp, struct litset set)
{
	struct prefilter_lits *l = *lp;

	if (l == NULL)
		l = *lp = xcalloc(1, sizeof(*l));
	l->sets = xreallocarray(l->sets, l->n + 1, sizeof(*l->sets));
	l->sets[l->n++] = set;
}

/* Keeps the `keep` best sets with literals of SET_MINLEN bytes or more. */
static struct prefilter_lits *
conj_trim(struct prefilter_lits *l, size_t keep)
{
	size_t i, n = 0;

	if (l == NULL)
		return NULL;
	qsort(l->sets, l->n, sizeof(*l->sets), set_cmp_desc);
	for (i = 0; i < l->n; i++) {
		if (n < keep && set_minlen(&l->sets[i]) >= SET_MINLEN)
			l->sets[n++] = l->sets[i];
		else
			set_free(&l->sets[i]);
	}
	l->n = n;
	if (n == 0) {
		prefilter_lits_free(l);
		return NULL;
	}
	return l;
}

struct prefilter_lits *
prefilter_lits_and(struct prefilter_lits *a, struct prefilter_lits *b)
{
	size_t i;

	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	for (i = 0; i < b->n; i++)
		conj_add(&a, b->sets[i]);
	free(b->sets);
	free(b);
	return conj_trim(a, CONJ_KEEP);
}

static bool
lit_eq(const struct lit *a, const struct lit *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static void
set_addlit(struct litset *set, const struct lit *lit)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (lit_eq(&set->v[i], lit))
			return;
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	set->v[set->n++] = *lit;
}

/* Drops the literals that contain another one: they add nothing. */
static void
set_reduce(struct litset *set)
{
	size_t i, j, n = 0;
	bool implied;

	for (i = 0; i < set->n; i++) {
		implied = false;
		for (j = 0; j < set->n && !implied; j++)
			implied = j != i && set->v[j].len <= set->v[i].len &&
			    (set->v[j].len < set->v[i].len || j < i) &&
			    memmem(set->v[i].s, set->v[i].len, set->v[j].s,
			    set->v[j].len) != NULL;
		if (!implied)
			set->v[n++] = set->v[i];
	}
	set->n = n;
}

/*
 * `a or b`: a line matching either contains a literal of a's best set or
 * one of b's best set, so their union is required.
 */
struct prefilter_lits *
prefilter_lits_or(struct prefilter_lits *a, struct prefilter_lits *b)
{
	struct litset u = { 0 };
	struct prefilter_lits *r = NULL;
	size_t i;

	a = conj_trim(a, 1);
	b = conj_trim(b, 1);
	if (a != NULL && b != NULL &&
	    a->sets[0].n + b->sets[0].n <= SET_MAX) {
		for (i = 0; i < a->sets[0].n; i++)
			set_addlit(&u, &a->sets[0].v[i]);
		for (i = 0; i < b->sets[0].n; i++)
			set_addlit(&u, &b->sets[0].v[i]);
		set_reduce(&u);
		conj_add(&r, u);
	}
	prefilter_lits_free(a);
	prefilter_lits_free(b);
	return r;
}

char *
prefilter_lits_describe(const struct prefilter_lits *l)
{
	struct buf b = { 0 };
	size_t i, j, k;
	uint8_t c;

	if (l == NULL)
		return xstrdup("*");
	for (i = 0; i < l->n; i++) {
		buf_adds(&b, i > 0 ? " & {" : "{");
		for (j = 0; j < l->sets[i].n; j++) {
			if (j > 0)
				buf_addc(&b, '|');
			for (k = 0; k < l->sets[i].v[j].len; k++) {
				c = l->sets[i].v[j].s[k];
				if (c < 0x20 || c >= 0x7f || c == '\\' ||
				    c == '|' || c == '{' || c == '}')
					buf_addf(&b, "\\x%02x", c);
				else
					buf_addc(&b, (char)c);
			}
		}
		buf_addc(&b, '}');
	}
	return buf_detach(&b);
}

/* --- the walk over regex source ----------------------------------------- */

struct walk {
	const char	*p;
	const char	*end;
	bool		 x;	/* PCRE2_EXTENDED: skip blanks, # comments */
	bool		 xx;	/* PCRE2_EXTENDED_MORE: also in classes */
	bool		 quote;	/* inside \Q...\E */
	bool		 fail;	/* not understood: no requirement at all */
};

/*
 * A sequence being walked. The text matched since the last break (an atom
 * that is not a literal) is exactly one of the `run` literals, so an
 * alternation of literals multiplies the run (`x(?:ab|cd)y`: xaby, xcdy)
 * rather than breaking it. A break turns the run into a required set.
 */
struct seq {
	struct prefilter_lits	*req;
	struct litset		 run;	/* never empty: {""} at a start */
	bool			 exact;	/* no break yet: the whole sequence
					   is exactly one of `run` */
};

enum atom {
	ATOM_NONE,	/* nothing (\Q, \E, (?#...), inline option) */
	ATOM_LIT,	/* one byte */
	ATOM_ANY,	/* consumes, requires nothing (class, ., \d) */
	ATOM_GROUP,	/* requires its literals */
	ATOM_ZERO,	/* zero-width (anchors, lookarounds, \K) */
};

static struct prefilter_lits *walk_alt(struct walk *, struct litset *);

static void
run_reset(struct seq *sq)
{
	static const struct lit empty;

	set_free(&sq->run);
	set_addlit(&sq->run, &empty);
}

/* A break: the run becomes a required set (unless it may be empty). */
static void
seq_flush(struct seq *sq)
{
	if (set_minlen(&sq->run) > 0) {
		set_reduce(&sq->run);
		conj_add(&sq->req, sq->run);
		sq->run.v = NULL;
		sq->run.n = 0;
	}
	run_reset(sq);
	sq->exact = false;
}

static void
seq_addc(struct seq *sq, uint8_t c)
{
	size_t i;

	for (i = 0; i < sq->run.n; i++)
		if (sq->run.v[i].len == LIT_MAX) {
			seq_flush(sq);
			break;
		}
	for (i = 0; i < sq->run.n; i++)
		sq->run.v[i].s[sq->run.v[i].len++] = (uint8_t)tolower(c);
}

/* The sequence goes on with exactly one of `alt` (at most RUN_MAX). */
static void
seq_cross(struct seq *sq, const struct litset *alt)
{
	struct litset x = { 0 };
	struct lit l;
	size_t i, j;
	bool fits = sq->run.n * alt->n <= RUN_MAX;

	for (i = 0; fits && i < sq->run.n; i++)
		for (j = 0; j < alt->n; j++)
			if (sq->run.v[i].len + alt->v[j].len > LIT_MAX)
				fits = false;
	if (!fits)
		seq_flush(sq);	/* the run is {""} now */
	for (i = 0; i < sq->run.n; i++)
		for (j = 0; j < alt->n; j++) {
			l = sq->run.v[i];
			memcpy(l.s + l.len, alt->v[j].s, alt->v[j].len);
			l.len += alt->v[j].len;
			set_addlit(&x, &l);
		}
	set_free(&sq->run);
	sq->run = x;
}

static void
skip_blank(struct walk *w)
{
	if (!w->x || w->quote)
		return;
	while (w->p < w->end) {
		if (isspace((unsigned char)*w->p))
			w->p++;
		else if (*w->p == '#') {
			while (w->p < w->end && *w->p != '\n')
				w->p++;
		} else
			break;
	}
}

/* Skips past `c`; fails the walk when it is missing. */
static void
skip_to(struct walk *w, char c)
{
	while (w->p < w->end && *w->p != c)
		w->p++;
	if (w->p >= w->end)
		w->fail = true;
	else
		w->p++;
}

static bool
is_quant(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q >= end || !isdigit((unsigned char)*q))
		return false;
	while (q < end && isdigit((unsigned char)*q))
		q++;
	if (q < end && *q == ',')
		for (q++; q < end && isdigit((unsigned char)*q); q++)
			;
	return q < end && *q == '}';
}

/*
 * Minimum repeat count of a quantifier after an atom; 1 when none.
 * *optional: the quantifier is `?` (zero or one).
 */
static long
walk_quant(struct walk *w, bool *repeated, bool *optional)
{
	long min = 1;

	*repeated = false;
	*optional = false;
	if (w->quote) {
		if (w->end - w->p >= 2 && w->p[0] == '\\' && w->p[1] == 'E') {
			w->p += 2;
			w->quote = false;
		} else
			return 1;
	}
	skip_blank(w);
	if (w->p >= w->end)
		return 1;
	switch (*w->p) {
	case '?':
		*optional = true;
		/* FALLTHROUGH */
	case '*':
		min = 0;
		w->p++;
		break;
	case '+':
		w->p++;
		break;
	case '{':
		if (!is_quant(w->p, w->end))
			return 1;
		min = strtol(w->p + 1, NULL, 10);
		skip_to(w, '}');
		break;
	default:
		return 1;
	}
	*repeated = true;
	if (w->p < w->end && (*w->p == '?' || *w->p == '+'))
		w->p++;
	return min;
}

/*
 * The digits of \0 (up to `maxdigits` more), \o{...}, \xhh or \x{...}:
 * `braces` when the escape has a braced form (\0{ is \0 and a brace).
 */
static int
octal_or_hex(struct walk *w, int base, int maxdigits, bool braces)
{
	long v = 0;
	int n = 0, d;
	bool brace = braces && w->p < w->end && *w->p == '{';

	if (brace)
		w->p++;
	while (w->p < w->end && (brace || n < maxdigits)) {
		d = *w->p;
		if (base == 16 && isxdigit(d))
			d = isdigit(d) ? d - '0' : tolower(d) - 'a' + 10;
		else if (base == 8 && d >= '0' && d <= '7')
			d -= '0';
		else
			break;
		v = v * base + d;
		if (v > 0xff)
			w->fail = true;
		w->p++;
		n++;
	}
	if (brace) {
		if (w->p < w->end && *w->p == '}')
			w->p++;
		else
			w->fail = true;
	}
	return (int)(v & 0xff);
}

/* After a backslash (outside classes). */
static enum atom
walk_escape(struct walk *w, uint8_t *lit)
{
	char d;

	if (w->p >= w->end) {
		w->fail = true;
		return ATOM_NONE;
	}
	d = *w->p++;
	switch (d) {
	case 'Q':
		w->quote = true;
		return ATOM_NONE;
	case 'E':
		return ATOM_NONE;
	case 'a': *lit = 7; return ATOM_LIT;
	case 'e': *lit = 27; return ATOM_LIT;
	case 'f': *lit = '\f'; return ATOM_LIT;
	case 'n': *lit = '\n'; return ATOM_LIT;
	case 'r': *lit = '\r'; return ATOM_LIT;
	case 't': *lit = '\t'; return ATOM_LIT;
	case '0':
		*lit = (uint8_t)octal_or_hex(w, 8, 2, false);
		return ATOM_LIT;
	case 'o':
		if (w->p >= w->end || *w->p != '{') {
			w->fail = true;
			return ATOM_NONE;
		}
		*lit = (uint8_t)octal_or_hex(w, 8, 0, true);
		return ATOM_LIT;
	case 'x':
		*lit = (uint8_t)octal_or_hex(w, 16, 2, true);
		return ATOM_LIT;
	case 'c':
		if (w->p >= w->end) {
			w->fail = true;
			return ATOM_NONE;
		}
		*lit = (uint8_t)(toupper((unsigned char)*w->p++) ^ 0x40);
		return ATOM_LIT;
	case 'g':
	case 'k':
		if (w->p < w->end && strchr("{<'", *w->p) != NULL)
			skip_to(w, *w->p == '{' ? '}' : *w->p == '<' ? '>' :
			    '\'');
		else {
			if (w->p < w->end && (*w->p == '-' || *w->p == '+'))
				w->p++;
			while (w->p < w->end && isdigit((unsigned char)*w->p))
				w->p++;
		}
		return ATOM_ANY;	/* a backreference may be empty */
	case 'p':
	case 'P':
		if (w->p < w->end && *w->p == '{')
			skip_to(w, '}');
		else if (w->p < w->end)
			w->p++;
		return ATOM_ANY;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'N':
	case 'X': case 'C':
		return ATOM_ANY;
	case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
		return ATOM_ZERO;
	default:
		if (isdigit((unsigned char)d)) {
			/* backreference or octal: either way, no literal */
			while (w->p < w->end && isdigit((unsigned char)*w->p))
				w->p++;
			return ATOM_ANY;
		}
		if (isalnum((unsigned char)d)) {
			w->fail = true;
			return ATOM_NONE;
		}
		*lit = (uint8_t)d;
		return ATOM_LIT;
	}
}

/*
 * A character class; a literal when every member folds to one byte
 * (`[Ee]`), else a one-byte wildcard.
 */
static enum atom
walk_class(struct walk *w, uint8_t *lit)
{
	bool first = true, single = true;
	int folded = -1;
	char c;

	if (w->p < w->end && *w->p == '^') {
		single = false;
		w->p++;
	}
	for (;;) {
		if (w->p >= w->end) {
			w->fail = true;
			return ATOM_NONE;
		}
		c = *w->p;
		if (c == ']' && !first) {
			w->p++;
			break;
		}
		first = false;
		if (c == '[' && w->p + 1 < w->end && strchr(":.=", w->p[1])) {
			single = false;
			for (w->p += 2; w->p + 1 < w->end; w->p++)
				if (w->p[0] == ':' && w->p[1] == ']')
					break;
			w->p += 2;
			continue;
		}
		if (c == '\\') {
			if (w->p + 1 >= w->end) {
				w->fail = true;
				return ATOM_NONE;
			}
			c = w->p[1];
			w->p += 2;
			if (c == 'Q' || c == 'E') {
				w->fail = true;
				return ATOM_NONE;
			}
			if (isalnum((unsigned char)c)) {
				single = false;
				if (w->p < w->end && *w->p == '{')
					skip_to(w, '}');
				continue;
			}
		} else {
			w->p++;
			if ((c == ' ' || c == '\t') && w->xx)
				continue;
			if (c == '-')
				single = false;
		}
		if (folded == -1)
			folded = tolower((unsigned char)c);
		else if (folded != tolower((unsigned char)c))
			single = false;
	}
	if (!single || folded == -1)
		return ATOM_ANY;
	*lit = (uint8_t)folded;
	return ATOM_LIT;
}

/*
 * After `(`. Sets *inner for a group that requires literals, and *exact
 * (else leaves it empty) when the group matches exactly one of them.
 */
static enum atom
walk_group(struct walk *w, struct prefilter_lits **inner,
    struct litset *exact)
{
	enum atom kind = ATOM_GROUP;
	const char *f;
	bool look = false;

	*inner = NULL;
	if (w->p < w->end && *w->p == '*') {
		w->fail = true;		/* (*VERB), (*pla:...) */
		return ATOM_NONE;
	}
	if (w->p < w->end && *w->p == '?') {
		w->p++;
		if (w->p >= w->end) {
			w->fail = true;
			return ATOM_NONE;
		}
		switch (*w->p) {
		case ':':
		case '|':
		case '>':
			w->p++;
			break;
		case '=':
		case '!':
			w->p++;
			look = true;
			break;
		case '<':
			if (w->p + 1 < w->end && (w->p[1] == '=' ||
			    w->p[1] == '!')) {
				w->p += 2;
				look = true;
			} else
				skip_to(w, '>');
			break;
		case '\'':
			w->p++;
			skip_to(w, '\'');
			break;
		case 'P':
			if (w->p + 1 < w->end && w->p[1] == '<') {
				skip_to(w, '>');
				break;
			}
			skip_to(w, ')');	/* (?P=n) (?P>n) */
			return ATOM_ANY;
		case '#':
			skip_to(w, ')');
			return ATOM_NONE;
		case 'R':
		case '&':
		case '+':
			skip_to(w, ')');
			return ATOM_ANY;
		default:
			if (isdigit((unsigned char)*w->p) || (*w->p == '-' &&
			    w->p + 1 < w->end &&
			    isdigit((unsigned char)w->p[1]))) {
				skip_to(w, ')');
				return ATOM_ANY;
			}
			/* option settings: (?i) (?-s) (?i:...) (?^...) */
			for (f = w->p; f < w->end && (isalpha((unsigned char)*f)
			    || *f == '-' || *f == '^'); f++)
				if (*f == 'x' || (*f == '^' && w->x)) {
					w->fail = true;
					return ATOM_NONE;
				}
			if (f >= w->end || f == w->p ||
			    (*f != ')' && *f != ':')) {
				w->fail = true;	/* (?( (?C ... */
				return ATOM_NONE;
			}
			w->p = f + 1;
			if (*f == ')')
				return ATOM_ZERO;
			break;
		}
	}
	if (w->fail)
		return ATOM_NONE;
	*inner = walk_alt(w, exact);
	if (w->p >= w->end || *w->p != ')')
		w->fail = true;
	else
		w->p++;
	if (look) {
		prefilter_lits_free(*inner);
		*inner = NULL;
		set_free(exact);
		kind = ATOM_ZERO;
	}
	return kind;
}

/* A group's literals follow in the sequence. */
static void
seq_group(struct seq *sq, struct prefilter_lits *inner, struct litset *ex,
    long min, bool repeated, bool optional)
{
	static const struct lit empty;
	size_t i;

	if (ex->n > 0 && (!repeated || (optional && ex->n < RUN_MAX))) {
		if (optional)
			set_addlit(ex, &empty);
		seq_cross(sq, ex);
		prefilter_lits_free(inner);
		return;
	}
	seq_flush(sq);
	if (min > 0 && inner != NULL) {
		for (i = 0; i < inner->n; i++)
			conj_add(&sq->req, inner->sets[i]);
		free(inner->sets);
		free(inner);
	} else
		prefilter_lits_free(inner);
}

/* One literal byte, with its quantifier. */
static void
seq_lit(struct seq *sq, uint8_t c, long min, bool repeated, bool optional)
{
	struct litset opt = { 0 };
	struct lit l = { 0 };

	if (optional) {		/* ab?c: abc or ac */
		set_addlit(&opt, &l);
		l.s[l.len++] = (uint8_t)tolower(c);
		set_addlit(&opt, &l);
		seq_cross(sq, &opt);
		set_free(&opt);
		return;
	}
	if (min == 0) {
		seq_flush(sq);
		return;
	}
	seq_addc(sq, c);
	if (repeated) {
		/* ab+c: "ab" and "bc" are both required */
		seq_flush(sq);
		seq_addc(sq, c);
	}
}

/*
 * A sequence up to `|`, `)` or the end. When it is exactly one of a few
 * literals, they are left in *exact (else it is left empty).
 */
static struct prefilter_lits *
walk_seq(struct walk *w, struct litset *exact)
{
	struct seq sq = { 0 };
	struct prefilter_lits *inner = NULL;
	struct litset ex = { 0 };
	enum atom kind;
	uint8_t lit = 0;
	bool repeated, optional;
	long min;

	run_reset(&sq);
	sq.exact = true;

	while (!w->fail) {
		skip_blank(w);
		if (w->p >= w->end)
			break;
		if (w->quote) {
			if (w->end - w->p >= 2 && w->p[0] == '\\' &&
			    w->p[1] == 'E') {
				w->p += 2;
				w->quote = false;
				continue;
			}
			lit = (uint8_t)*w->p++;
			kind = ATOM_LIT;
		} else {
			switch (*w->p) {
			case '|':
			case ')':
				goto done;
			case '\\':
				w->p++;
				kind = walk_escape(w, &lit);
				break;
			case '[':
				w->p++;
				kind = walk_class(w, &lit);
				break;
			case '(':
				w->p++;
				kind = walk_group(w, &inner, &ex);
				break;
			case '.':
				w->p++;
				kind = ATOM_ANY;
				break;
			case '^':
			case '$':
				w->p++;
				kind = ATOM_ZERO;
				break;
			case '*':
			case '+':
			case '?':
				w->fail = true;
				continue;
			case '{':
				if (is_quant(w->p, w->end)) {
					w->fail = true;
					continue;
				}
				/* FALLTHROUGH */
			default:
				lit = (uint8_t)*w->p++;
				kind = ATOM_LIT;
				break;
			}
		}
		if (kind == ATOM_NONE || w->fail) {
			prefilter_lits_free(inner);
			inner = NULL;
			set_free(&ex);
			continue;
		}
		min = walk_quant(w, &repeated, &optional);
		switch (kind) {
		case ATOM_LIT:
			seq_lit(&sq, lit, min, repeated, optional);
			break;
		case ATOM_GROUP:
			seq_group(&sq, inner, &ex, min, repeated, optional);
			inner = NULL;
			set_free(&ex);
			break;
		default:
			seq_flush(&sq);
			break;
		}
	}
done:
	prefilter_lits_free(inner);
	set_free(&ex);
	if (sq.exact && !w->fail) {
		exact->n = sq.run.n;
		exact->v = xreallocarray(NULL, sq.run.n, sizeof(*exact->v));
		memcpy(exact->v, sq.run.v, sq.run.n * sizeof(*exact->v));
	}
	seq_flush(&sq);
	set_free(&sq.run);
	return conj_trim(sq.req, CONJ_KEEP);
}

/* Alternatives; *exact as for walk_seq, the union of theirs. */
static struct prefilter_lits *
walk_alt(struct walk *w, struct litset *exact)
{
	struct prefilter_lits *l;
	struct litset ex = { 0 };
	size_t i;
	bool isexact;

	l = walk_seq(w, exact);
	isexact = exact->n > 0;
	while (!w->fail && w->p < w->end && *w->p == '|') {
		w->p++;
		l = prefilter_lits_or(l, walk_seq(w, &ex));
		isexact = isexact && ex.n > 0 && exact->n + ex.n <= RUN_MAX;
		for (i = 0; isexact && i < ex.n; i++)
			set_addlit(exact, &ex.v[i]);
		set_free(&ex);
	}
	if (!isexact)
		set_free(exact);
	return l;
}

struct prefilter_lits *
prefilter_lits_regex(const char *re, size_t len, uint32_t opts)
{
	struct walk w = { 0 };
	struct litset ex = { 0 };
	struct prefilter_lits *l;

	/* Unicode case folding reaches bytes >= 0x80: not handled. */
	if (opts & (PCRE2_UCP | PCRE2_UTF | PCRE2_LITERAL))
		return NULL;
	w.p = re;
	w.end = re + len;
	w.x = (opts & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) != 0;
	w.xx = (opts & PCRE2_EXTENDED_MORE) != 0;
	l = walk_alt(&w, &ex);
	set_free(&ex);
	if (w.fail || w.p < w.end) {
		prefilter_lits_free(l);
		return NULL;
	}
	return conj_trim(l, CONJ_FINAL);
}

