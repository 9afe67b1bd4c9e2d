/*
 * Catastrophic backtracking, for --check.
 *
 * A small parser reads a regex body as written (escapes, classes, groups,
 * quantifiers with their lazy and possessive forms, /x) into a tree whose
 * leaves are byte sets, and three detectors look at the tree:
 *  - nested: a group repeated many times whose body holds an unbounded
 *    quantifier and can match text made only of that quantifier's bytes,
 *    so a run of them splits between iterations in exponentially many
 *    ways: (a+)+, (\w+\s?)+, (.*a){12};
 *  - alternation: a group repeated many times whose branches can match
 *    the same text: (a|a)*, (\\.|[^"])*;
 *  - adjacent: two unbounded repeats of the same bytes with nothing that
 *    must match between them, followed by something that can fail:
 *    \d+\d+$, .*.*X (polynomial time on long lines).
 * Possessive quantifiers and atomic groups never backtrack and are safe.
 * An exponential candidate is then tried: PCRE2 (no JIT, small match limit) runs the
 * regex on attack lines built from the tree (what leads to the candidate,
 * its body repeated, a byte that breaks the match, what follows), and a
 * line that hits the limit confirms it.
 * Leaves to others: the Perl pattern syntax (pattern.c, which hands over
 * the bodies), where and how the warning is printed (config.c, diag.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <limits.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pattern.h"
#include "redos.h"
#include "util.h"

#define RX_INF		UINT_MAX
#define RX_MANY		10		/* a bounded repeat this big is many */
#define RX_MAX_NODES	4096
#define RX_MAX_DEPTH	64
#define RX_MAX_MIN	64		/* witness copies of {n} */
#define RX_PUMPS	30		/* exponential: body copies */
#define RX_LIMIT	1000000		/* PCRE2 match limit */

enum rx_kind {
	RX_SET,		/* one byte out of a set */
	RX_ZERO,	/* an assertion, a back reference: no bytes */
	RX_GROUP,	/* branches (RX_SEQ children) */
	RX_SEQ,		/* items in a row */
};

enum rx_group {
	RX_PLAIN,
	RX_ATOMIC,
	RX_LOOK,
};

struct rx_set {
	uint8_t	b[32];
};

struct rx_node {
	enum rx_kind	 kind;
	enum rx_group	 gkind;
	struct rx_set	 set;
	int		 parent;
	int		 first;	/* first child */
	int		 last;
	int		 next;	/* next sibling */
	unsigned	 min, max;
	bool		 possessive;
	size_t		 off, end;	/* span in the body, quantifier too */
};

struct rx {
	struct rx_node	*n;
	size_t		 nn;
	const char	*s;
	size_t		 len;
	size_t		 pos;
	int		 depth;
	bool		 failed;
	bool		 extended, caseless, dotall;
};

/* Byte sets. */

static void
set_add(struct rx_set *s, unsigned c)
{
	s->b[(c & 0xff) >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool
set_has(const struct rx_set *s, unsigned c)
{
	return (s->b[(c & 0xff) >> 3] >> (c & 7)) & 1;
}

static void
set_or(struct rx_set *d, const struct rx_set *s)
{
	size_t i;

	for (i = 0; i < sizeof(d->b); i++)
		d->b[i] |= s->b[i];
}

static bool
set_meets(const struct rx_set *a, const struct rx_set *b)
{
	size_t i;

	for (i = 0; i < sizeof(a->b); i++)
		if (a->b[i] & b->b[i])
			return true;
	return false;
}

static void
set_and(struct rx_set *d, const struct rx_set *a, const struct rx_set *b)
{
	size_t i;

	for (i = 0; i < sizeof(d->b); i++)
		d->b[i] = a->b[i] & b->b[i];
}

static void
set_invert(struct rx_set *s)
{
	size_t i;

	for (i = 0; i < sizeof(s->b); i++)
		s->b[i] = (uint8_t)~s->b[i];
}

static void
set_ctype(struct rx_set *s, int (*fn)(int))
{
	unsigned c;

	for (c = 0; c < 128; c++)
		if (fn((int)c))
			set_add(s, c);
}

static int
is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int
is_hspace(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_vspace(int c)
{
	return c >= '\n' && c <= '\r';
}

/* A representative byte of a set, printable when it can be; -1 if empty. */
static int
set_pick(const struct rx_set *s)
{
	static const char pref[] = "a0A_-.:/ ";
	unsigned c;
	size_t i;

	for (i = 0; i < sizeof(pref) - 1; i++)
		if (set_has(s, (unsigned char)pref[i]))
			return pref[i];
	for (c = 0x21; c < 0x7f; c++)
		if (set_has(s, c))
			return (int)c;
	for (c = 0; c < 256; c++)
		if (c != '\n' && set_has(s, c))
			return (int)c;
	return set_has(s, '\n') ? '\n' : -1;
}

/* Parsing. */

static int
rx_add(struct rx *rx, enum rx_kind kind, int parent, size_t off)
{
	struct rx_node *nd;
	int i;

	if (rx->nn >= RX_MAX_NODES) {
		rx->failed = true;
		return -1;
	}
	rx->n = xreallocarray(rx->n, rx->nn + 1, sizeof(*rx->n));
	i = (int)rx->nn++;
	nd = &rx->n[i];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->parent = parent;
	nd->first = nd->last = nd->next = -1;
	nd->min = nd->max = 1;
	nd->off = nd->end = off;
	if (parent >= 0) {
		if (rx->n[parent].last >= 0)
			rx->n[rx->n[parent].last].next = i;
		else
			rx->n[parent].first = i;
		rx->n[parent].last = i;
	}
	return i;
}

static bool
rx_at_end(const struct rx *rx)
{
	return rx->pos >= rx->len;
}

static char
rx_peek(const struct rx *rx, size_t k)
{
	return rx->pos + k < rx->len ? rx->s[rx->pos + k] : '\0';
}

/* /x: blanks and # comments between items. */
static void
rx_skip_x(struct rx *rx)
{
	while (rx->extended && !rx_at_end(rx)) {
		if (isspace((unsigned char)rx_peek(rx, 0)))
			rx->pos++;
		else if (rx_peek(rx, 0) == '#') {
			while (!rx_at_end(rx) && rx_peek(rx, 0) != '\n')
				rx->pos++;
		} else
			break;
	}
}

/* Skips past the next `close` (for (?#...), \x{...} and the like). */
static void
rx_skip_to(struct rx *rx, char close)
{
	while (!rx_at_end(rx) && rx->s[rx->pos] != close)
		rx->pos++;
	if (!rx_at_end(rx))
		rx->pos++;
}

/* A number in `base` of at most `max` digits, or in braces. */
static unsigned
rx_number(struct rx *rx, int base, int max)
{
	unsigned v = 0;
	int n, d;
	bool brace = rx_peek(rx, 0) == '{';
	char c;

	if (brace)
		rx->pos++;
	for (n = 0; !rx_at_end(rx) && (brace || n < max); n++) {
		c = rx->s[rx->pos];
		if (base == 16 && isxdigit((unsigned char)c))
			d = isdigit((unsigned char)c) ? c - '0' :
			    tolower((unsigned char)c) - 'a' + 10;
		else if (c >= '0' && c < '0' + (base == 16 ? 10 : base))
			d = c - '0';
		else
			break;
		v = v * (unsigned)base + (unsigned)d;
		rx->pos++;
	}
	if (brace)
		rx_skip_to(rx, '}');
	return v & 0xff;
}

/*
 * An escape after the backslash (rx->pos at the letter) to a byte set;
 * false when it matches no byte (an assertion, a back reference).
 */
static bool
rx_escape(struct rx *rx, struct rx_set *s, bool in_class)
{
	char c = rx->s[rx->pos++];
	const char *lit = strchr("tnrfea", c);

	if (lit != NULL) {
		set_add(s, (unsigned char)"\t\n\r\f\033\a"[lit - "tnrfea"]);
		return true;
	}
	switch (c) {
	case 'd': case 'D':
		set_ctype(s, isdigit);
		break;
	case 'w': case 'W':
		set_ctype(s, is_word);
		break;
	case 's': case 'S':
		set_ctype(s, isspace);
		break;
	case 'h': case 'H':
		set_ctype(s, is_hspace);
		set_add(s, 0xa0);
		break;
	case 'v': case 'V': case 'R':
		set_ctype(s, is_vspace);
		set_add(s, 0x85);
		break;
	case 'N':
		if (rx_peek(rx, 0) == '{') {
			rx_skip_to(rx, '}');
			set_invert(s);
			return true;
		}
		set_add(s, '\n');
		set_invert(s);
		return true;
	case 'p': case 'P':
		if (rx_peek(rx, 0) == '{')
			rx_skip_to(rx, '}');
		else if (!rx_at_end(rx))
			rx->pos++;
		set_invert(s);
		return true;
	case 'x':
		set_add(s, rx_number(rx, 16, 2));
		return true;
	case 'o':
		set_add(s, rx_number(rx, 8, 3));
		return true;
	case '0':
		set_add(s, rx_number(rx, 8, 2));
		return true;
	case 'c':
		if (!rx_at_end(rx))
			set_add(s, (unsigned)toupper((unsigned char)
			    rx->s[rx->pos++]) ^ 0x40);
		return true;
	case 'b':
		if (in_class) {
			set_add(s, '\b');
			return true;
		}
		return false;
	case 'g': case 'k':
		if (strchr("{<'", rx_peek(rx, 0)) != NULL && rx_peek(rx, 0))
			rx_skip_to(rx, rx_peek(rx, 0) == '{' ? '}' :
			    rx_peek(rx, 0) == '<' ? '>' : '\'');
		else
			while (!rx_at_end(rx) && (isdigit((unsigned char)
			    rx_peek(rx, 0)) || rx_peek(rx, 0) == '-' ||
			    rx_peek(rx, 0) == '+'))
				rx->pos++;
		return false;
	default:
		if (isdigit((unsigned char)c) && !in_class) {
			while (isdigit((unsigned char)rx_peek(rx, 0)))
				rx->pos++;
			return false;
		}
		if (!in_class && strchr("BAzZGKE", c) != NULL)
			return false;
		set_add(s, (unsigned char)c);
		return true;
	}
	if (isupper((unsigned char)c))
		set_invert(s);
	return true;
}

static const struct {
	const char	*name;
	int		(*fn)(int);
} posix_classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", is_hspace },
	{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
	{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
	{ "space", isspace }, { "upper", isupper }, { "word", is_word },
	{ "xdigit", isxdigit },
};

/* [:name:] at rx->pos: adds it and returns true. */
static bool
rx_posix(struct rx *rx, struct rx_set *s)
{
	const char *p = rx->s + rx->pos, *e;
	struct rx_set t = { { 0 } };
	bool neg;
	size_t i, n;

	if (rx_peek(rx, 1) != ':' ||
	    (e = memmem(p, rx->len - rx->pos, ":]", 2)) == NULL)
		return false;
	neg = p[2] == '^';
	p += neg ? 3 : 2;
	n = (size_t)(e - p);
	for (i = 0; i < sizeof(posix_classes) / sizeof(posix_classes[0]); i++)
		if (strlen(posix_classes[i].name) == n &&
		    memcmp(posix_classes[i].name, p, n) == 0)
			set_ctype(&t, posix_classes[i].fn);
	if (neg)
		set_invert(&t);
	set_or(s, &t);
	rx->pos = (size_t)(e + 2 - rx->s);
	return true;
}

/* A class at rx->pos (just past the '['). */
static void
rx_class(struct rx *rx, struct rx_set *out)
{
	struct rx_set s = { { 0 } }, one;
	bool neg = false, first = true;
	int prev = -1, hi;
	unsigned c;

	if (rx_peek(rx, 0) == '^') {
		neg = true;
		rx->pos++;
	}
	while (!rx_at_end(rx) && (first || rx_peek(rx, 0) != ']')) {
		first = false;
		if (rx_peek(rx, 0) == '[' && rx_posix(rx, &s)) {
			prev = -1;
			continue;
		}
		memset(&one, 0, sizeof(one));
		if (rx_peek(rx, 0) == '\\' && rx->pos + 1 < rx->len) {
			rx->pos++;
			(void)rx_escape(rx, &one, true);
		} else
			set_add(&one, (unsigned char)rx->s[rx->pos++]);
		hi = set_pick(&one);
		if (prev >= 0 && hi >= 0) {
			for (c = (unsigned)prev; c <= (unsigned)hi; c++)
				set_add(&s, c);
			prev = -1;
			continue;
		}
		set_or(&s, &one);
		prev = -1;
		if (rx_peek(rx, 0) == '-' && rx_peek(rx, 1) != ']' &&
		    rx->pos + 1 < rx->len && hi >= 0 && set_pick(&one) == hi) {
			rx->pos++;
			prev = hi;
		}
	}
	if (!rx_at_end(rx))
		rx->pos++;
	if (neg)
		set_invert(&s);
	*out = s;
}

static void	rx_branches(struct rx *, int);

/*
 * After "(": the kind of group, or -1 for something that is no group
 * (comment, option setting, verb, recursion: skipped).
 */
static int
rx_group_kind(struct rx *rx)
{
	char c;

	if (rx_peek(rx, 0) == '*') {
		rx_skip_to(rx, ')');
		return -1;
	}
	if (rx_peek(rx, 0) != '?')
		return RX_PLAIN;
	rx->pos++;
	c = rx_peek(rx, 0);
	if (c == '>') {
		rx->pos++;
		return RX_ATOMIC;
	}
	if (c == '=' || c == '!' ||
	    (c == '<' && (rx_peek(rx, 1) == '=' || rx_peek(rx, 1) == '!'))) {
		rx->pos += c == '<' ? 2 : 1;
		return RX_LOOK;
	}
	if (c == ':' || c == '|') {
		rx->pos++;
		return RX_PLAIN;
	}
	if (c == '<' || c == '\'' || (c == 'P' && rx_peek(rx, 1) == '<')) {
		rx_skip_to(rx, c == '\'' ? '\'' : '>');
		return RX_PLAIN;
	}
	if (c == '(') {		/* a condition */
		rx_skip_to(rx, ')');
		return RX_PLAIN;
	}
	/* (?i) (?i:...) (?#...) (?R) (?1) (?&n) (?P=n) (?P>n) */
	while (!rx_at_end(rx) && isalpha((unsigned char)rx_peek(rx, 0)) &&
	    c != 'P')
		rx->pos++;
	if (c != 'P' && c != '#' && rx_peek(rx, 0) == '-') {
		rx->pos++;
		while (isalpha((unsigned char)rx_peek(rx, 0)))
			rx->pos++;
	}
	if (c != '#' && rx_peek(rx, 0) == ':') {
		rx->pos++;
		return RX_PLAIN;
	}
	rx_skip_to(rx, ')');
	return -1;
}

/* {n}, {n,}, {n,m}, {,m} at rx->pos: true with the bounds, else false. */
static bool
rx_braces(struct rx *rx, unsigned *min, unsigned *max)
{
	size_t p = rx->pos + 1;
	unsigned long lo = 0, hi;
	bool have_lo = false, have_hi = false;

	while (p < rx->len && isdigit((unsigned char)rx->s[p])) {
		lo = lo * 10 + (unsigned long)(rx->s[p++] - '0');
		have_lo = true;
		if (lo > 65535)
			return false;
	}
	hi = lo;
	if (p < rx->len && rx->s[p] == ',') {
		p++;
		hi = 0;
		while (p < rx->len && isdigit((unsigned char)rx->s[p])) {
			hi = hi * 10 + (unsigned long)(rx->s[p++] - '0');
			have_hi = true;
			if (hi > 65535)
				return false;
		}
		if (!have_hi)
			hi = RX_INF;
	} else
		have_hi = have_lo;
	if (p >= rx->len || rx->s[p] != '}' || (!have_lo && !have_hi))
		return false;
	*min = (unsigned)lo;
	*max = (unsigned)hi;
	rx->pos = p + 1;
	return true;
}

static void
rx_quantifier(struct rx *rx, int i)
{
	struct rx_node *nd = &rx->n[i];
	unsigned min, max;
	char c;

	rx_skip_x(rx);
	c = rx_peek(rx, 0);
	if (c == '*' || c == '+' || c == '?') {
		min = c == '+' ? 1 : 0;
		max = c == '?' ? 1 : RX_INF;
		rx->pos++;
	} else if (c != '{' || !rx_braces(rx, &min, &max))
		return;
	nd = &rx->n[i];
	nd->min = min;
	nd->max = max;
	if (rx_peek(rx, 0) == '+') {
		nd->possessive = true;
		rx->pos++;
	} else if (rx_peek(rx, 0) == '?')
		rx->pos++;
	nd->end = rx->pos;
}

static void
rx_fold(struct rx_set *s)
{
	unsigned c;

	for (c = 'A'; c <= 'Z'; c++)
		if (set_has(s, c) || set_has(s, c + 32)) {
			set_add(s, c);
			set_add(s, c + 32);
		}
}

/* One item at rx->pos into `seq`; -1 when it is no item. */
static int
rx_item(struct rx *rx, int seq)
{
	size_t off = rx->pos;
	struct rx_set s = { { 0 } };
	char c = rx->s[rx->pos++];
	int i, g;

	if (c == '(') {
		if ((g = rx_group_kind(rx)) < 0)
			return -1;
		if ((i = rx_add(rx, RX_GROUP, seq, off)) < 0)
			return -1;
		rx->n[i].gkind = (enum rx_group)g;
		rx_branches(rx, i);
		if (!rx_at_end(rx))	/* the ')' */
			rx->pos++;
		rx->n[i].end = rx->pos;
		return i;
	}
	if (c == '^' || c == '$' ||
	    (c == '\\' && !rx_at_end(rx) && !rx_escape(rx, &s, false)))
		return rx_add(rx, RX_ZERO, seq, off);
	if (c == '[')
		rx_class(rx, &s);
	else if (c == '.') {
		if (!rx->dotall)
			set_add(&s, '\n');
		set_invert(&s);
	} else if (c != '\\')
		set_add(&s, (unsigned char)c);
	if (rx->caseless)
		rx_fold(&s);
	if ((i = rx_add(rx, RX_SET, seq, off)) < 0)
		return -1;
	rx->n[i].set = s;
	rx->n[i].end = rx->pos;
	return i;
}

/* \Q...\E: one byte item each. */
static void
rx_quote(struct rx *rx, int seq)
{
	int i;

	while (!rx_at_end(rx) && !rx->failed) {
		if (rx_peek(rx, 0) == '\\' && rx_peek(rx, 1) == 'E') {
			rx->pos += 2;
			return;
		}
		if ((i = rx_add(rx, RX_SET, seq, rx->pos)) < 0)
			return;
		set_add(&rx->n[i].set, (unsigned char)rx->s[rx->pos++]);
		if (rx->caseless)
			rx_fold(&rx->n[i].set);
		rx->n[i].end = rx->pos;
	}
}

static void
rx_seq(struct rx *rx, int seq)
{
	int i;

	for (;;) {
		rx_skip_x(rx);
		if (rx_at_end(rx) || rx->failed || rx_peek(rx, 0) == '|' ||
		    rx_peek(rx, 0) == ')')
			break;
		if (rx_peek(rx, 0) == '\\' && rx_peek(rx, 1) == 'Q') {
			rx->pos += 2;
			rx_quote(rx, seq);
			continue;
		}
		if ((i = rx_item(rx, seq)) >= 0)
			rx_quantifier(rx, i);
	}
	rx->n[seq].end = rx->pos;
}

/* The branches of group `g`, up to its ')' (not taken). */
static void
rx_branches(struct rx *rx, int g)
{
	int seq;

	if (++rx->depth > RX_MAX_DEPTH) {
		rx->failed = true;
		return;
	}
	do {
		if (rx_peek(rx, 0) == '|')
			rx->pos++;
		if ((seq = rx_add(rx, RX_SEQ, g, rx->pos)) < 0)
			return;
		rx_seq(rx, seq);
	} while (!rx->failed && rx_peek(rx, 0) == '|');
	rx->depth--;
}

/* Properties. */

static bool
rx_nullable(const struct rx *rx, int i)
{
	const struct rx_node *nd = &rx->n[i];
	int k;

	if (nd->min == 0 || nd->max == 0 || nd->kind == RX_ZERO ||
	    (nd->kind == RX_GROUP && nd->gkind == RX_LOOK))
		return true;
	if (nd->kind == RX_SET)
		return false;
	for (k = nd->first; k >= 0; k = rx->n[k].next) {
		if (nd->kind == RX_GROUP && rx_nullable(rx, k))
			return true;
		if (nd->kind == RX_SEQ && !rx_nullable(rx, k))
			return false;
	}
	return nd->kind == RX_SEQ;
}

/* Every byte node `i` can take. */
static void
rx_chars(const struct rx *rx, int i, struct rx_set *out)
{
	const struct rx_node *nd = &rx->n[i];
	int k;

	if (nd->max == 0 || nd->kind == RX_ZERO ||
	    (nd->kind == RX_GROUP && nd->gkind == RX_LOOK))
		return;
	if (nd->kind == RX_SET)
		set_or(out, &nd->set);
	for (k = nd->first; k >= 0; k = rx->n[k].next)
		rx_chars(rx, k, out);
}

/* The bytes a non-empty match of node `i` can start with. */
static void
rx_first(const struct rx *rx, int i, struct rx_set *out)
{
	const struct rx_node *nd = &rx->n[i];
	int k;

	if (nd->max == 0 || nd->kind == RX_ZERO ||
	    (nd->kind == RX_GROUP && nd->gkind == RX_LOOK))
		return;
	if (nd->kind == RX_SET)
		set_or(out, &nd->set);
	for (k = nd->first; k >= 0; k = rx->n[k].next) {
		rx_first(rx, k, out);
		if (nd->kind == RX_SEQ && !rx_nullable(rx, k))
			break;
	}
}

/* Can node `i` match some text made of bytes in `s` (maybe empty)? */
static bool
rx_within(const struct rx *rx, int i, const struct rx_set *s)
{
	const struct rx_node *nd = &rx->n[i];
	int k;

	if (rx_nullable(rx, i))
		return true;
	if (nd->kind == RX_SET)
		return set_meets(&nd->set, s);
	for (k = nd->first; k >= 0; k = rx->n[k].next) {
		if (nd->kind == RX_GROUP && rx_within(rx, k, s))
			return true;
		if (nd->kind == RX_SEQ && !rx_within(rx, k, s))
			return false;
	}
	return nd->kind == RX_SEQ;
}

/* True when node `i` repeats without bound and can backtrack. */
static bool
rx_unbounded(const struct rx *rx, int i)
{
	const struct rx_node *nd = &rx->n[i];

	return nd->max == RX_INF && !nd->possessive && nd->kind != RX_ZERO &&
	    !(nd->kind == RX_GROUP && nd->gkind == RX_LOOK);
}

/* A group repeated often enough for a split to matter. */
static bool
rx_many(const struct rx *rx, int i)
{
	const struct rx_node *nd = &rx->n[i];

	return nd->kind == RX_GROUP && nd->gkind != RX_LOOK &&
	    !nd->possessive && nd->max >= 2 &&
	    (nd->max == RX_INF || nd->max >= RX_MANY);
}

/* Is node `i` inside an atomic group or a lookaround? */
static bool
rx_sheltered(const struct rx *rx, int i)
{
	for (i = rx->n[i].parent; i >= 0; i = rx->n[i].parent)
		if (rx->n[i].kind == RX_GROUP && rx->n[i].gkind != RX_PLAIN)
			return true;
	return false;
}

/* Witnesses: short texts that a node matches. */

static void
rx_witness(const struct rx *rx, int i, const struct rx_set *within,
    struct buf *b)
{
	const struct rx_node *nd = &rx->n[i];
	struct rx_set s;
	unsigned n, m = nd->min < RX_MAX_MIN ? nd->min : RX_MAX_MIN;
	int k, c;

	if (nd->kind == RX_SEQ)
		m = 1;
	for (n = 0; n < m; n++) {
		if (nd->kind == RX_SET) {
			if (within != NULL)
				set_and(&s, &nd->set, within);
			if ((c = set_pick(within != NULL && set_pick(&s) >= 0 ?
			    &s : &nd->set)) >= 0)
				buf_addc(b, (char)c);
		} else if (nd->kind == RX_SEQ) {
			for (k = nd->first; k >= 0; k = rx->n[k].next)
				rx_witness(rx, k, within, b);
		} else if (nd->kind == RX_GROUP && nd->gkind != RX_LOOK) {
			for (k = nd->first; k >= 0; k = rx->n[k].next)
				if (within == NULL || rx_within(rx, k, within))
					break;
			rx_witness(rx, k >= 0 ? k : nd->first, within, b);
		}
	}
}

/* What leads to node `i`: the items before it, outward. */
static void
rx_prefix(const struct rx *rx, int i, struct buf *b)
{
	int seq = rx->n[i].parent, k;

	if (seq < 0)
		return;
	if (rx->n[seq].parent > 0)
		rx_prefix(rx, rx->n[seq].parent, b);
	for (k = rx->n[seq].first; k >= 0 && k != i; k = rx->n[k].next)
		rx_witness(rx, k, NULL, b);
}

/* What follows node `i`: the items after it, outward. */
static void
rx_suffix(const struct rx *rx, int i, struct buf *b)
{
	int seq = rx->n[i].parent, k;

	if (seq < 0)
		return;
	for (k = rx->n[i].next; k >= 0; k = rx->n[k].next)
		rx_witness(rx, k, NULL, b);
	if (rx->n[seq].parent > 0)
		rx_suffix(rx, rx->n[seq].parent, b);
}

/* Can something after node `i` fail (so that its splits get tried)? */
static bool
rx_then_fails(const struct rx *rx, int i)
{
	int seq = rx->n[i].parent, k;

	if (seq < 0)
		return false;
	for (k = rx->n[i].next; k >= 0; k = rx->n[k].next)
		if (rx->n[k].kind == RX_ZERO || !rx_nullable(rx, k))
			return true;
	return rx->n[seq].parent > 0 && rx_then_fails(rx, rx->n[seq].parent);
}

/* Detectors. A candidate: the node, the part and the attack's body. */

struct rx_cand {
	enum redos_kind	 kind;
	int		 at;		/* prefix and suffix around this */
	size_t		 off, end;
	struct buf	 pump;
	unsigned	 pumps;
};

/* The branch of group `g` that holds node `i`. */
static int
rx_branch_of(const struct rx *rx, int g, int i)
{
	while (i >= 0 && rx->n[i].parent != g)
		i = rx->n[i].parent;
	return i;
}

/* Unbounded quantifiers under `i`, not inside atomic groups. */
static bool
rx_nested_in(const struct rx *rx, int g, int i, struct rx_cand *c)
{
	const struct rx_node *nd = &rx->n[i];
	struct rx_set s = { { 0 } };
	int k, br;

	if (nd->kind == RX_GROUP && nd->gkind != RX_PLAIN)
		return false;
	if (i != g && rx_unbounded(rx, i)) {
		rx_chars(rx, i, &s);
		br = rx_branch_of(rx, g, i);
		if (set_pick(&s) >= 0 && rx_within(rx, br, &s)) {
			rx_witness(rx, br, &s, &c->pump);
			if (c->pump.len == 0)
				buf_addc(&c->pump, (char)set_pick(&s));
			return true;
		}
	}
	for (k = nd->first; k >= 0; k = rx->n[k].next)
		if (rx_nested_in(rx, g, k, c))
			return true;
	return false;
}

/* A branch of fixed length: its byte sets, or 0 when it is not fixed. */
static size_t
rx_fixed(const struct rx *rx, int seq, struct rx_set *sets, size_t max)
{
	size_t n = 0;
	int k;

	for (k = rx->n[seq].first; k >= 0; k = rx->n[k].next) {
		if (rx->n[k].kind == RX_ZERO)
			continue;
		if (rx->n[k].kind != RX_SET || rx->n[k].min != 1 ||
		    rx->n[k].max != 1 || n == max)
			return 0;
		sets[n++] = rx->n[k].set;
	}
	return n;
}

/* Can branches `a` and `b` of group `g` split the same text two ways? */
static bool
rx_overlap(const struct rx *rx, int g, int a, int b)
{
	struct rx_set fa = { { 0 } }, fb = { { 0 } }, fg = { { 0 } };
	struct rx_set sa[16], sb[16];
	size_t na, nb, i, m;

	rx_first(rx, a, &fa);
	rx_first(rx, b, &fb);
	if (!set_meets(&fa, &fb))
		return false;
	na = rx_fixed(rx, a, sa, 16);
	nb = rx_fixed(rx, b, sb, 16);
	if (na == 0 || nb == 0)
		return true;
	m = na < nb ? na : nb;
	for (i = 0; i < m; i++)
		if (!set_meets(&sa[i], &sb[i]))
			return false;
	if (na == nb)
		return true;
	/* The longer one's rest must be able to start another iteration. */
	rx_first(rx, g, &fg);
	return set_meets(na > nb ? &sa[m] : &sb[m], &fg);
}

static bool
rx_alternation(const struct rx *rx, int g, struct rx_cand *c)
{
	struct rx_set sa, sb, both;
	int a, b;

	for (a = rx->n[g].first; a >= 0; a = rx->n[a].next)
		for (b = rx->n[a].next; b >= 0; b = rx->n[b].next)
			if (rx_overlap(rx, g, a, b)) {
				memset(&sa, 0, sizeof(sa));
				memset(&sb, 0, sizeof(sb));
				rx_chars(rx, a, &sa);
				rx_chars(rx, b, &sb);
				set_and(&both, &sa, &sb);
				rx_witness(rx, a, &both, &c->pump);
				return c->pump.len > 0;
			}
	return false;
}

/*
 * The byte set of an unbounded one-byte repeat (\d+, .*?, or one in a
 * group of its own: (\d+)): true with the set, else false.
 */
static bool
rx_run(const struct rx *rx, int i, struct rx_set *s)
{
	const struct rx_node *nd = &rx->n[i];
	int seq, k;

	if (nd->kind == RX_GROUP && nd->gkind == RX_PLAIN && nd->min == 1 &&
	    nd->max == 1 && (seq = nd->first) >= 0 &&
	    rx->n[seq].next < 0 && (k = rx->n[seq].first) >= 0 &&
	    rx->n[k].next < 0)
		nd = &rx->n[k];
	if (nd->kind != RX_SET || nd->max != RX_INF || nd->possessive)
		return false;
	*s = nd->set;
	return true;
}

/*
 * Two unbounded repeats of the same bytes in a row in `seq`, with nothing
 * that must match between them (\d+\.?\d*): a run of those bytes
 * splits between them in n ways at each of n starts. Repeats of merely
 * overlapping sets (.*\s+) are left alone: too common to warn about.
 */
static bool
rx_adjacent(const struct rx *rx, int seq, struct rx_cand *c)
{
	struct rx_set s1, s2;
	int k1, k2;

	for (k1 = rx->n[seq].first; k1 >= 0; k1 = rx->n[k1].next) {
		if (!rx_run(rx, k1, &s1))
			continue;
		for (k2 = rx->n[k1].next; k2 >= 0; k2 = rx->n[k2].next) {
			if (rx_run(rx, k2, &s2) &&
			    memcmp(&s1, &s2, sizeof(s1)) == 0) {
				if (!rx_then_fails(rx, k2))
					break;
				buf_addc(&c->pump, (char)set_pick(&s1));
				c->kind = REDOS_ADJACENT;
				c->at = k1;
				c->off = rx->n[k1].off;
				c->end = rx->n[k2].end;
				return true;
			}
			if (!rx_nullable(rx, k2))
				break;
		}
	}
	return false;
}

static bool
rx_find(const struct rx *rx, struct rx_cand *c)
{
	size_t i;
	int n;

	for (i = 1; i < rx->nn; i++) {
		n = (int)i;
		if (!rx_many(rx, n) || rx_sheltered(rx, n))
			continue;
		c->kind = REDOS_NESTED;
		if (!rx_nested_in(rx, n, n, c)) {
			buf_reset(&c->pump);
			c->kind = REDOS_ALTERNATION;
			if (!rx_alternation(rx, n, c)) {
				buf_reset(&c->pump);
				continue;
			}
		}
		c->at = n;
		c->off = rx->n[n].off;
		c->end = rx->n[n].end;
		c->pumps = RX_PUMPS;
		return true;
	}
	for (i = 1; i < rx->nn; i++)
		if (rx->n[i].kind == RX_SEQ && !rx_sheltered(rx, (int)i) &&
		    rx_adjacent(rx, (int)i, c))
			return true;
	return false;
}

/* Confirmation. */

/* Does some attack line make PCRE2 give up? Its length in *len. */
static bool
rx_confirm(const struct rx *rx, const struct rx_cand *c, const char *re,
    size_t relen, uint32_t options, size_t *len)
{
	static const char *const breaks[] = { "!", "\001", "", " ", "a",
	    "0" };
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	struct buf pre = { 0 }, suf = { 0 }, line = { 0 };
	size_t i, k;
	unsigned n;
	int errcode, rc;
	PCRE2_SIZE eoff;
	bool hit = false;

	code = pcre2_compile((PCRE2_SPTR)re, relen, options, &errcode, &eoff,
	    NULL);
	if (code == NULL)
		return false;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	mc = pcre2_match_context_create(NULL);
	if (md == NULL || mc == NULL)
		fatalx("pcre2: out of memory");
	pcre2_set_match_limit(mc, RX_LIMIT);
	pcre2_set_depth_limit(mc, RX_LIMIT);
	rx_prefix(rx, c->at, &pre);
	rx_suffix(rx, c->at, &suf);
	for (i = 0; i < 2 * sizeof(breaks) / sizeof(breaks[0]) && !hit; i++) {
		buf_reset(&line);
		buf_add(&line, pre.data, pre.len);
		for (n = 0; n < c->pumps; n++)
			buf_add(&line, c->pump.data, c->pump.len);
		buf_adds(&line, breaks[i / 2]);
		if (i % 2 == 0)
			buf_add(&line, suf.data, suf.len);
		for (k = 0; k < line.len && line.data[k] != '\n'; k++)
			;
		if (k < line.len)	/* a line holds no newline */
			continue;
		rc = pcre2_match(code, (PCRE2_SPTR)line.data, line.len, 0, 0,
		    md, mc);
		hit = rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT;
		*len = line.len;
	}
	buf_free(&pre);
	buf_free(&suf);
	buf_free(&line);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return hit;
}

bool
redos_scan(const char *body, size_t len, unsigned options, const char *re,
    size_t relen, struct redos_finding *f)
{
	struct rx rx = { 0 };
	struct rx_cand c = { 0 };
	bool found = false;
	int root;

	rx.s = body;
	rx.len = len;
	rx.extended = (options & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) != 0;
	rx.caseless = (options & PCRE2_CASELESS) != 0;
	rx.dotall = (options & PCRE2_DOTALL) != 0;
	root = rx_add(&rx, RX_GROUP, -1, 0);
	while (!rx.failed) {
		rx_branches(&rx, root);
		if (rx_at_end(&rx))
			break;
		rx.pos++;	/* an unmatched ')': PCRE2 refused it */
	}
	if (!rx.failed && rx_find(&rx, &c)) {
		memset(f, 0, sizeof(*f));
		f->kind = c.kind;
		f->off = c.off;
		f->len = c.end - c.off;
		/*
		 * PCRE2 counts no step for giving back one byte of a
		 * repeat, so a polynomial case runs long under any limit:
		 * it is not tried.
		 */
		if (re != NULL && c.kind != REDOS_ADJACENT)
			f->confirmed = rx_confirm(&rx, &c, re, relen, options,
			    &f->attack_len);
		found = true;
	}
	buf_free(&c.pump);
	free(rx.n);
	return found;
}

static const char *const redos_what[] = {
	[REDOS_NESTED] = "nested quantifier",
	[REDOS_ALTERNATION] = "repeated alternation",
	[REDOS_ADJACENT] = "quantifiers",
};

static const char *const redos_why[] = {
	[REDOS_NESTED] = "",
	[REDOS_ALTERNATION] = " whose branches can match the same text",
	[REDOS_ADJACENT] = " in a row over the same bytes",
};

char *
redos_check(const struct pattern_source *src, size_t *off)
{
	struct redos_finding f;
	char *conf, *msg;

	if (!redos_scan(src->body, src->blen, src->options, src->re,
	    src->relen, &f))
		return NULL;
	conf = f.confirmed ? xasprintf(", confirmed: a %zu-byte line needs "
	    "more than a million steps", f.attack_len) : xstrdup("");
	/*
	 * PCRE2's match limit counts no step when a repeat gives back a
	 * byte: it stops the exponential kind, never the polynomial one.
	 */
	msg = xasprintf("%s can take %s on %s lines (%s \"%.*s\"%s%s); %s",
	    src->text, f.kind == REDOS_ADJACENT ?
	    "polynomial time" : "exponential time", f.kind == REDOS_ADJACENT ?
	    "long" : "some", redos_what[f.kind], (int)f.len, src->body + f.off,
	    redos_why[f.kind], conf, f.kind == REDOS_ADJACENT ?
	    REDOS_UNBOUNDED : REDOS_STOPPED);
	free(conf);
	*off = src->boff + f.off;
	return msg;
}
