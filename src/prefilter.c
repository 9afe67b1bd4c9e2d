/*
 * Literal prefilter for the rule set (issue 9, part 2).
 *
 * Two halves. First, literal extraction: a conservative walk of PCRE2
 * regex source that finds literals every match must contain, as a
 * conjunction of sets (each set: one of these literals occurs), folded to
 * ASCII lowercase and cut to 16 bytes. Optional parts (`?`, `*`, `{0,n}`),
 * lookarounds, classes of several bytes, backreferences and subroutine
 * calls require nothing; alternation requires one literal of each branch;
 * anything the walk does not understand (verbs, conditionals, callouts,
 * inline x changes, Unicode case rules) makes the whole regex "no
 * requirement", so a pattern is never excluded from a line it could match.
 *
 * Second, the scanner: one Aho-Corasick automaton over every pattern's
 * literals, as a full transition table over byte classes (uppercase ASCII
 * shares its lowercase class, so the line is folded for free), with
 * accepting states numbered last so the hot loop tests one comparison per
 * byte. A scan marks the sets hit; a pattern is a candidate when all its
 * sets were hit (or it has none).
 *
 * Leaves to others: compiling and matching (pattern.c) and trying the
 * candidates in rule order (the engine).
 */
#include <ctype.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pattern.h"
#include "prefilter.h"
#include "util.h"

#define LIT_MAX		16	/* bytes kept of one literal */
#define SET_MAX		64	/* literals in one set, else no requirement */
#define CONJ_KEEP	2	/* sets kept while walking a group: two *
				   cut the automaton's hits by two thirds for
				   a few more regex runs, 15 % faster */
#define CONJ_FINAL	3	/* sets kept for a whole regex */
#define SET_MINLEN	2	/* a set whose shortest literal is shorter is
				 * dropped: it would hit on almost every line */
#define STATES_MAX	65535	/* uint16_t transitions */

struct lit {
	uint8_t		len;
	uint8_t		s[LIT_MAX];
};

struct litset {
	size_t		 n;
	struct lit	*v;
};

struct prefilter_lits {
	size_t		 n;
	struct litset	*sets;
};

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

static size_t
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

struct seq {
	struct prefilter_lits	*req;
	struct lit		 run;	/* literal being collected */
};

enum atom {
	ATOM_NONE,	/* nothing (\Q, \E, (?#...), inline option) */
	ATOM_LIT,	/* one byte */
	ATOM_ANY,	/* consumes, requires nothing (class, ., \d) */
	ATOM_GROUP,	/* requires its literals */
	ATOM_ZERO,	/* zero-width (anchors, lookarounds, \K) */
};

static struct prefilter_lits *walk_alt(struct walk *);

static void
seq_flush(struct seq *sq)
{
	struct litset set = { 0 };

	if (sq->run.len == 0)
		return;
	set_addlit(&set, &sq->run);
	conj_add(&sq->req, set);
	sq->run.len = 0;
}

static void
seq_addc(struct seq *sq, uint8_t c)
{
	if (sq->run.len == LIT_MAX)
		seq_flush(sq);
	sq->run.s[sq->run.len++] = (uint8_t)tolower(c);
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

/* Minimum repeat count of a quantifier after an atom; 1 when none. */
static long
walk_quant(struct walk *w, bool *repeated)
{
	long min = 1;

	*repeated = false;
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
	case '*':
	case '?':
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

static int
octal_or_hex(struct walk *w, int base, int maxdigits)
{
	long v = 0;
	int n = 0, d;
	bool brace = w->p < w->end && *w->p == '{';

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
	if (brace)
		skip_to(w, '}');
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
		*lit = (uint8_t)octal_or_hex(w, 8, 2);
		return ATOM_LIT;
	case 'o':
		if (w->p >= w->end || *w->p != '{') {
			w->fail = true;
			return ATOM_NONE;
		}
		*lit = (uint8_t)octal_or_hex(w, 8, 0);
		return ATOM_LIT;
	case 'x':
		*lit = (uint8_t)octal_or_hex(w, 16, 2);
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

/* After `(`. Sets *inner for a group that requires literals. */
static enum atom
walk_group(struct walk *w, struct prefilter_lits **inner)
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
	*inner = walk_alt(w);
	if (w->p >= w->end || *w->p != ')')
		w->fail = true;
	else
		w->p++;
	if (look) {
		prefilter_lits_free(*inner);
		*inner = NULL;
		kind = ATOM_ZERO;
	}
	return kind;
}

/* A sequence up to `|`, `)` or the end. */
static struct prefilter_lits *
walk_seq(struct walk *w)
{
	struct seq sq = { 0 };
	struct prefilter_lits *inner = NULL;
	enum atom kind;
	uint8_t lit = 0;
	bool repeated;
	size_t i;
	long min;

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
				kind = walk_group(w, &inner);
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
		if (kind == ATOM_NONE || w->fail)
			continue;
		min = walk_quant(w, &repeated);
		switch (kind) {
		case ATOM_LIT:
			if (min == 0) {
				seq_flush(&sq);
				break;
			}
			seq_addc(&sq, lit);
			if (repeated) {
				/* ab+c: "ab" and "bc" are both required */
				seq_flush(&sq);
				seq_addc(&sq, lit);
			}
			break;
		case ATOM_GROUP:
			seq_flush(&sq);
			if (min > 0 && inner != NULL) {
				for (i = 0; i < inner->n; i++)
					conj_add(&sq.req, inner->sets[i]);
				free(inner->sets);
				free(inner);
			} else
				prefilter_lits_free(inner);
			inner = NULL;
			break;
		default:
			seq_flush(&sq);
			break;
		}
	}
done:
	prefilter_lits_free(inner);
	seq_flush(&sq);
	return conj_trim(sq.req, CONJ_KEEP);
}

static struct prefilter_lits *
walk_alt(struct walk *w)
{
	struct prefilter_lits *l;

	l = walk_seq(w);
	while (!w->fail && w->p < w->end && *w->p == '|') {
		w->p++;
		l = prefilter_lits_or(l, walk_seq(w));
	}
	return l;
}

struct prefilter_lits *
prefilter_lits_regex(const char *re, size_t len, uint32_t opts)
{
	struct walk w = { 0 };
	struct prefilter_lits *l;

	/* Unicode case folding reaches bytes >= 0x80: not handled. */
	if (opts & (PCRE2_UCP | PCRE2_UTF | PCRE2_LITERAL))
		return NULL;
	w.p = re;
	w.end = re + len;
	w.x = (opts & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) != 0;
	w.xx = (opts & PCRE2_EXTENDED_MORE) != 0;
	l = walk_alt(&w);
	if (w.fail || w.p < w.end) {
		prefilter_lits_free(l);
		return NULL;
	}
	return conj_trim(l, CONJ_FINAL);
}

/* --- the scanner --------------------------------------------------------- */

struct prefilter {
	size_t		 npat;
	size_t		 nwords;	/* of the candidate bitset */
	uint64_t	*always;	/* patterns without literals */
	uint64_t	*cand;		/* result of the last scan */
	size_t		 nalways;
	/*
	 * Each set belongs to one pattern. A scan counts, per pattern, its
	 * distinct sets hit; stamps with the scan's generation stand in for
	 * clearing the counters before every line.
	 */
	uint32_t	*setpat;	/* per set: pattern, or UINT32_MAX */
	uint32_t	*setgen;	/* per set: generation last hit */
	uint32_t	*need;		/* per pattern: sets to hit, 0: always */
	uint32_t	*pgen;		/* per pattern: generation of pcnt */
	uint32_t	*pcnt;
	size_t		 nsets;
	uint32_t	 gen;
	/* automaton */
	uint8_t		 cls[256];
	unsigned	 shift;		/* row stride is 1 << shift */
	uint16_t	*delta;
	uint16_t	 firstout;	/* states >= firstout accept */
	uint32_t	*outoff;	/* per accepting state */
	uint32_t	*outids;	/* set ids */
	size_t		 nstates;
};

struct trie {
	uint32_t	*next;		/* nstates * ncls, 0 = none */
	uint32_t	*fail;
	uint32_t	**out;		/* set ids per state */
	size_t		*nout;
	size_t		 n;
	size_t		 cap;
	size_t		 ncls;
};

static uint32_t
trie_state(struct trie *t)
{
	size_t i;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->next = xreallocarray(t->next, t->cap * t->ncls,
		    sizeof(*t->next));
		t->fail = xreallocarray(t->fail, t->cap, sizeof(*t->fail));
		t->out = xreallocarray(t->out, t->cap, sizeof(*t->out));
		t->nout = xreallocarray(t->nout, t->cap, sizeof(*t->nout));
	}
	for (i = 0; i < t->ncls; i++)
		t->next[t->n * t->ncls + i] = 0;
	t->fail[t->n] = 0;
	t->out[t->n] = NULL;
	t->nout[t->n] = 0;
	return (uint32_t)t->n++;
}

static void
trie_addout(struct trie *t, uint32_t s, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->nout[s]; i++)
		if (t->out[s][i] == id)
			return;
	t->out[s] = xreallocarray(t->out[s], t->nout[s] + 1,
	    sizeof(**t->out));
	t->out[s][t->nout[s]++] = id;
}

/* Literal path from the root; false when the automaton would be too big. */
static bool
trie_add(struct trie *t, const uint8_t *cls, const struct lit *lit,
    uint32_t id)
{
	uint32_t s = 0, nx, *np;
	size_t i;

	for (i = 0; i < lit->len; i++) {
		np = &t->next[s * t->ncls + cls[lit->s[i]]];
		if (*np == 0) {
			if (t->n >= STATES_MAX)
				return false;
			nx = trie_state(t);	/* may move t->next */
			t->next[s * t->ncls + cls[lit->s[i]]] = nx;
			s = nx;
		} else
			s = *np;
	}
	trie_addout(t, s, id);
	return true;
}

/* Failure links, full transitions and merged outputs, breadth first. */
static uint32_t *
trie_finish(struct trie *t)
{
	uint32_t *queue, s, r, f;
	size_t head = 0, tail = 0, c, i;

	queue = xreallocarray(NULL, t->n, sizeof(*queue));
	for (c = 0; c < t->ncls; c++)
		if ((s = t->next[c]) != 0) {
			t->fail[s] = 0;
			queue[tail++] = s;
		}
	while (head < tail) {
		r = queue[head++];
		for (i = 0; i < t->nout[t->fail[r]]; i++)
			trie_addout(t, r, t->out[t->fail[r]][i]);
		for (c = 0; c < t->ncls; c++) {
			s = t->next[r * t->ncls + c];
			f = t->next[t->fail[r] * t->ncls + c];
			if (s != 0) {
				t->fail[s] = f;
				queue[tail++] = s;
			} else
				t->next[r * t->ncls + c] = f;
		}
	}
	return queue;	/* BFS order, root excluded */
}

static void
trie_free(struct trie *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->out[i]);
	free(t->out);
	free(t->nout);
	free(t->next);
	free(t->fail);
}

/* Byte classes: one per byte used in a literal, uppercase folded in. */
static size_t
build_classes(struct prefilter *pf, struct prefilter_lits *const *lits,
    size_t n)
{
	size_t i, j, k, l, ncls = 1;
	const struct lit *lit;
	int c;

	memset(pf->cls, 0, sizeof(pf->cls));
	for (i = 0; i < n; i++)
		for (j = 0; lits[i] != NULL && j < lits[i]->n; j++)
			for (k = 0; k < lits[i]->sets[j].n; k++) {
				lit = &lits[i]->sets[j].v[k];
				for (l = 0; l < lit->len; l++)
					if (pf->cls[lit->s[l]] == 0)
						pf->cls[lit->s[l]] =
						    (uint8_t)ncls++;
			}
	for (c = 'A'; c <= 'Z'; c++)
		pf->cls[c] = pf->cls[tolower(c)];
	return ncls;
}

/* Renumbers states (accepting ones last) into the compact table. */
static void
build_table(struct prefilter *pf, struct trie *t, const uint32_t *bfs)
{
	uint32_t *map, s, next = 0, o = 0;
	size_t i, c, nout = 0, total = 0;

	map = xreallocarray(NULL, t->n, sizeof(*map));
	map[0] = next++;
	for (i = 0; i + 1 < t->n; i++)
		if (t->nout[bfs[i]] == 0)
			map[bfs[i]] = next++;
	pf->firstout = (uint16_t)next;
	for (i = 0; i + 1 < t->n; i++)
		if (t->nout[bfs[i]] != 0) {
			map[bfs[i]] = next++;
			nout++;
			total += t->nout[bfs[i]];
		}
	pf->nstates = t->n;
	for (pf->shift = 0; ((size_t)1 << pf->shift) < t->ncls; pf->shift++)
		;
	pf->delta = xcalloc(t->n << pf->shift, sizeof(*pf->delta));
	for (s = 0; s < t->n; s++)
		for (c = 0; c < t->ncls; c++)
			pf->delta[((size_t)map[s] << pf->shift) + c] =
			    (uint16_t)map[t->next[s * t->ncls + c]];
	pf->outoff = xcalloc(nout + 1, sizeof(*pf->outoff));
	pf->outids = xcalloc(total + 1, sizeof(*pf->outids));
	for (s = 0; s < t->n; s++) {
		if (t->nout[s] == 0)
			continue;
		i = map[s] - pf->firstout;
		pf->outoff[i] = (uint32_t)t->nout[s];	/* count for now */
	}
	for (i = 0; i < nout; i++) {
		c = pf->outoff[i];
		pf->outoff[i] = o;
		o += (uint32_t)c;
	}
	pf->outoff[nout] = o;
	for (s = 0; s < t->n; s++) {
		if (t->nout[s] == 0)
			continue;
		i = map[s] - pf->firstout;
		memcpy(pf->outids + pf->outoff[i], t->out[s],
		    t->nout[s] * sizeof(*pf->outids));
	}
	free(map);
}

struct prefilter *
prefilter_new(struct pattern *const *pats, size_t n)
{
	struct prefilter *pf;
	struct prefilter_lits **lits;
	struct trie t = { 0 };
	uint32_t *bfs, id;
	size_t i, j, k;
	bool ok;

	pf = xcalloc(1, sizeof(*pf));
	pf->npat = n;
	pf->nwords = (n + 63) / 64 + 1;
	pf->always = xcalloc(pf->nwords, sizeof(*pf->always));
	pf->cand = xcalloc(pf->nwords, sizeof(*pf->cand));
	pf->need = xcalloc(n + 1, sizeof(*pf->need));
	pf->pgen = xcalloc(n + 1, sizeof(*pf->pgen));
	pf->pcnt = xcalloc(n + 1, sizeof(*pf->pcnt));
	lits = xcalloc(n + 1, sizeof(*lits));
	for (i = 0; i < n; i++)
		lits[i] = (struct prefilter_lits *)pattern_literals(pats[i]);
	t.ncls = build_classes(pf, lits, n);
	trie_state(&t);
	for (i = 0; i < n; i++) {
		ok = lits[i] != NULL;
		for (j = 0; ok && j < lits[i]->n; j++) {
			id = (uint32_t)(pf->nsets + j);
			for (k = 0; ok && k < lits[i]->sets[j].n; k++)
				ok = trie_add(&t, pf->cls,
				    &lits[i]->sets[j].v[k], id);
		}
		if (lits[i] != NULL) {
			pf->setpat = xreallocarray(pf->setpat,
			    pf->nsets + lits[i]->n, sizeof(*pf->setpat));
			for (j = 0; j < lits[i]->n; j++)
				pf->setpat[pf->nsets + j] = ok ? (uint32_t)i :
				    UINT32_MAX;
			pf->nsets += lits[i]->n;
		}
		if (ok)
			pf->need[i] = (uint32_t)lits[i]->n;
		else {
			/* no literals, or no room: always a candidate;
			 * states added for it stay, unused */
			pf->always[i / 64] |= (uint64_t)1 << (i % 64);
			pf->nalways++;
		}
	}
	pf->setgen = xcalloc(pf->nsets + 1, sizeof(*pf->setgen));
	bfs = trie_finish(&t);
	build_table(pf, &t, bfs);
	free(bfs);
	trie_free(&t);
	free(lits);
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	free(pf->always);
	free(pf->cand);
	free(pf->setpat);
	free(pf->setgen);
	free(pf->need);
	free(pf->pgen);
	free(pf->pcnt);
	free(pf->delta);
	free(pf->outoff);
	free(pf->outids);
	free(pf);
}

/* Accepting state `s` reached: count the sets it completes. */
static void
prefilter_hit(struct prefilter *pf, uint32_t s)
{
	uint32_t k = s - pf->firstout, j, id, pat;

	for (j = pf->outoff[k]; j < pf->outoff[k + 1]; j++) {
		id = pf->outids[j];
		if (pf->setgen[id] == pf->gen)
			continue;
		pf->setgen[id] = pf->gen;
		if ((pat = pf->setpat[id]) == UINT32_MAX)
			continue;
		if (pf->pgen[pat] != pf->gen) {
			pf->pgen[pat] = pf->gen;
			pf->pcnt[pat] = 0;
		}
		if (++pf->pcnt[pat] == pf->need[pat])
			pf->cand[pat / 64] |= (uint64_t)1 << (pat % 64);
	}
}

/*
 * The automaton's speed is bound by the latency of one table load per
 * byte, so a long line is cut in two halves scanned in one loop as two
 * independent chains. The first half runs LIT_MAX - 1 bytes past the cut
 * so that a literal straddling it is still seen; a literal seen by both
 * chains counts once (the set stamps).
 */
#define STEP(s, p)							\
	do {								\
		(s) = delta[((uint32_t)(s) << shift) | cls[*(p)]];	\
		if ((s) >= firstout)					\
			prefilter_hit(pf, (s));				\
	} while (0)

const uint64_t *
prefilter_scan(struct prefilter *pf, const char *line, size_t len)
{
	const uint8_t *p = (const uint8_t *)line, *end = p + len, *q, *qend;
	const uint16_t *delta = pf->delta;
	const uint8_t *cls = pf->cls;
	unsigned shift = pf->shift;
	uint32_t firstout = pf->firstout, s = 0, r = 0;

	if (++pf->gen == 0) {
		memset(pf->setgen, 0, pf->nsets * sizeof(*pf->setgen));
		memset(pf->pgen, 0, pf->npat * sizeof(*pf->pgen));
		pf->gen = 1;
	}
	memcpy(pf->cand, pf->always, pf->nwords * sizeof(*pf->cand));
	if (len >= 12 * LIT_MAX) {
		/* three chains: p..q+LIT_MAX-1, q..w+LIT_MAX-1, w..end */
		const uint8_t *w = p + 2 * (len / 3), *wend;
		uint32_t t = 0;

		q = p + len / 3;
		qend = q + (LIT_MAX - 1);
		wend = w + (LIT_MAX - 1);
		while (w < end) {
			STEP(s, p);
			STEP(r, q);
			STEP(t, w);
			p++;
			q++;
			w++;
		}
		while (q < wend) {	/* the middle chain's overlap */
			STEP(r, q);
			q++;
		}
		end = qend;	/* first chain's rest */
	} else if (len >= 4 * LIT_MAX) {
		q = p + len / 2;	/* second chain: q..end */
		qend = q + (LIT_MAX - 1);	/* first chain: p..qend */
		while (q < end) {
			STEP(s, p);
			STEP(r, q);
			p++;
			q++;
		}
		end = qend;	/* first chain's rest, if any */
	}
	for (; p < end; p++)
		STEP(s, p);
	return pf->cand;
}

size_t
prefilter_next(const struct prefilter *pf, const uint64_t *bits, size_t from)
{
	size_t w;
	uint64_t v;

	if (from >= pf->npat)
		return pf->npat;
	w = from / 64;
	v = bits[w] & (~(uint64_t)0 << (from % 64));
	for (;;) {
		if (v != 0) {
			from = w * 64 + (size_t)__builtin_ctzll(v);
			return from < pf->npat ? from : pf->npat;
		}
		if (++w >= (pf->npat + 63) / 64)
			return pf->npat;
		v = bits[w];
	}
}

size_t
prefilter_nalways(const struct prefilter *pf)
{
	return pf->nalways;
}
