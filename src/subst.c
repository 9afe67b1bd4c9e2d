/*
 * Action value templates. swatchdog pastes every action value into a Perl
 * double-quoted string of its generated script, so `$1`, `$&`, `$_`, `\t`
 * and `\x41` are interpolated at run time and an undeclared `$HOME` stops
 * the script from compiling. This module compiles such a value once into
 * literal text and references, the way Perl 5.36 reads it (no `use utf8`,
 * under `use strict`), and expands a template for one line. For exec and
 * pipe commands it first rewrites the text as swatchdog's convert_command
 * does (sw:655-675). It also knows swatchdog's shell escaping of `$0`.
 *
 * It runs nothing: keeping log text away from a shell is left to the exec
 * module, which sees the segments. Reading the action options out of a
 * config line (commas, quotes, `@` -> `\@`) is left to the config parser.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pattern.h"
#include "subst.h"
#include "util.h"

/* Text being compiled, with the offset in the original text of each byte. */
struct otext {
	char	*s;
	size_t	*off;
	size_t	 len;
	size_t	 cap;
};

struct comp {
	const char	*orig;		/* the text given to tmpl_compile */
	const char	*s;		/* the text parsed (rewritten for commands) */
	const size_t	*off;		/* s[i] comes from orig[off[i]] */
	size_t		 len;
	size_t		 i;		/* parse position in s */
	bool		 command;
	struct buf	 lit;		/* literal bytes not yet in a segment */
	struct tmpl	*t;
	size_t		 segcap;
	char		*err;
	size_t		 erroff;
};

/* Perl's \s on a byte string: ASCII blanks only, \v included. */
static bool
is_blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
is_word(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '_');
}

static bool
is_shell_special(unsigned char c)
{
	return c != '\0' && strchr(";&()|^><$`'\\", c) != NULL;
}

static void
ot_add(struct otext *t, char c, size_t off)
{
	if (t->len + 1 >= t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->s = xreallocarray(t->s, t->cap, 1);
		t->off = xreallocarray(t->off, t->cap, sizeof(*t->off));
	}
	t->s[t->len] = c;
	t->off[t->len++] = off;
	t->s[t->len] = '\0';
}

static void
ot_free(struct otext *t)
{
	free(t->s);
	free(t->off);
	memset(t, 0, sizeof(*t));
}

/*
 * One awk-mode replacement in a word, as swatchdog does it: the first
 * unescaped `$N` (N made of the digits 1-9) decides N, then the first
 * occurrence of `$N`, escaped or not, becomes `$S_[N-1]`. Returns false
 * when the word has no unescaped `$N` left.
 */
static bool
awk_replace_one(struct otext *w)
{
	struct otext nw = { 0 };
	size_t j, k, nd, at;
	unsigned long long n;
	char rep[32];
	int r, x;

	for (j = 0; j + 1 < w->len; j++)
		if (w->s[j] == '$' && (j == 0 || w->s[j - 1] != '\\') &&
		    w->s[j + 1] >= '1' && w->s[j + 1] <= '9')
			break;
	if (j + 1 >= w->len)
		return false;
	n = 0;
	for (nd = 0; j + 1 + nd < w->len && w->s[j + 1 + nd] >= '1' &&
	    w->s[j + 1 + nd] <= '9'; nd++)
		if (n <= UINT_MAX)
			n = n * 10 + (unsigned)(w->s[j + 1 + nd] - '0');
	/* Perl would make a huge N a float; any huge index is empty here */
	r = snprintf(rep, sizeof(rep), "$S_[%llu]",
	    n - 1 > UINT_MAX ? (unsigned long long)UINT_MAX : n - 1);
	for (k = 0; k <= j; k++)
		if (w->s[k] == '$' && memcmp(w->s + k + 1, w->s + j + 1, nd) == 0)
			break;
	for (at = 0; at < k; at++)
		ot_add(&nw, w->s[at], w->off[at]);
	for (x = 0; x < r; x++)
		ot_add(&nw, rep[x], w->off[k + (x ? nd : 0)]);
	for (at = k + 1 + nd; at < w->len; at++)
		ot_add(&nw, w->s[at], w->off[at]);
	ot_free(w);
	*w = nw;
	return true;
}

static void
ot_add_word(struct otext *out, struct otext *w, bool awk)
{
	size_t j;

	if (awk)
		while (awk_replace_one(w))
			continue;
	for (j = 0; j < w->len; j++)
		ot_add(out, w->s[j], w->off[j]);
}

/*
 * swatchdog's convert_command: `$0` and `$*` not after a backslash become
 * `$S_`; the command is split on /\s+/ and joined with single spaces (a
 * leading blank leaves a leading space, trailing blanks go); with `awk`,
 * `$N` in each word becomes `$S_[N-1]`.
 */
static void
convert_command(const char *text, bool awk, struct otext *out)
{
	struct otext s1 = { 0 }, w = { 0 };
	size_t i, n, sep = 0;
	bool started = false, pending = false;

	n = strlen(text);
	for (i = 0; i < n; i++) {
		if (text[i] == '$' && (text[i + 1] == '0' ||
		    text[i + 1] == '*') && (i == 0 || text[i - 1] != '\\')) {
			ot_add(&s1, '$', i);
			ot_add(&s1, 'S', i + 1);
			ot_add(&s1, '_', i + 1);
			i++;
		} else
			ot_add(&s1, text[i], i);
	}
	for (i = 0; i <= s1.len; i++) {
		if (i < s1.len && !is_blank((unsigned char)s1.s[i])) {
			if (pending)
				ot_add(out, ' ', sep);
			pending = false;
			started = true;
			ot_add(&w, s1.s[i], s1.off[i]);
			continue;
		}
		if (w.len > 0) {
			ot_add_word(out, &w, awk);
			ot_free(&w);
		}
		/* a leading run of blanks is an empty first field */
		if (i < s1.len && !pending && (started || i == 0)) {
			pending = true;
			sep = s1.off[i];
		}
	}
	ot_free(&s1);
}

static int __attribute__((format(printf, 3, 4)))
comp_fail(struct comp *c, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&c->err, fmt, ap) == -1)
			fatalx("out of memory");
		va_end(ap);
		c->erroff = pos < c->len ? c->off[pos] : strlen(c->orig);
	}
	return -1;
}

/* The original text of s[a..b), for messages. */
static int
span_len(const struct comp *c, size_t a, size_t b)
{
	if (b > c->len)
		b = c->len;
	if (b <= a)
		return 0;
	return (int)(c->off[b - 1] + 1 - c->off[a]);
}

#define SPAN(c, a, b)	span_len((c), (a), (b)), (c)->orig + (c)->off[a]

/* Appends a zeroed segment of `kind` to the template. */
static struct tmpl_seg *
new_seg(struct comp *c, enum tmpl_seg_kind kind)
{
	struct tmpl_seg *sg;

	if (c->t->nsegs == c->segcap) {
		c->segcap = c->segcap ? c->segcap * 2 : 4;
		c->t->segs = xreallocarray(c->t->segs, c->segcap,
		    sizeof(*c->t->segs));
	}
	sg = &c->t->segs[c->t->nsegs++];
	memset(sg, 0, sizeof(*sg));
	sg->kind = kind;
	return sg;
}

static void
flush_lit(struct comp *c)
{
	struct tmpl_seg *sg;

	if (c->lit.len == 0)
		return;
	sg = new_seg(c, TMPL_LIT);
	sg->len = c->lit.len;
	sg->text = buf_detach(&c->lit);
}

static void
add_ref(struct comp *c, enum tmpl_seg_kind kind, unsigned n, char *text)
{
	struct tmpl_seg *sg;

	flush_lit(c);
	sg = new_seg(c, kind);
	sg->n = n;
	sg->text = text;
	sg->len = text ? strlen(text) : 0;
}

/*
 * A code point from an escape. Below 256 it is that byte; above, Perl
 * makes the string wide and prints it as UTF-8, so the UTF-8 bytes are
 * kept (Perl would also re-encode the other bytes >= 0x80 of the same
 * string and warn "Wide character"; watchfor does neither).
 */
static int
add_codepoint(struct comp *c, unsigned long cp, size_t pos)
{
	unsigned char u[6];
	int n, k;

	if (cp < 0x100) {
		buf_addc(&c->lit, (char)cp);
		return 0;
	}
	if (cp > 0x7fffffff)
		return comp_fail(c, pos, "code point above U+7FFFFFFF");
	/* UTF-8 as first defined (Perl's form up to 0x7FFFFFFF) */
	n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp < 0x200000 ? 4 :
	    cp < 0x4000000 ? 5 : 6;
	for (k = n - 1; k > 0; k--) {
		u[k] = (unsigned char)(0x80 | (cp & 0x3f));
		cp >>= 6;
	}
	u[0] = (unsigned char)((0xff00 >> n) | cp);
	buf_add(&c->lit, u, (size_t)n);
	return 0;
}

static unsigned long
digits_value(const char *s, size_t *i, size_t max, int base)
{
	unsigned long v = 0;
	size_t n;
	int d;

	for (n = 0; n < max; n++, (*i)++) {
		if (isdigit((unsigned char)s[*i]))
			d = s[*i] - '0';
		else if (base == 16 && isxdigit((unsigned char)s[*i]))
			d = tolower((unsigned char)s[*i]) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v <= 0x7fffffff)
			v = v * (unsigned long)base + (unsigned long)d;
	}
	return v;
}

/* \x{...}, \o{...}, \N{U+...}: the text after the opening brace at s[i]. */
static int
braced_number(struct comp *c, size_t start, int base, unsigned long *v)
{
	const char *close;
	size_t j;

	if ((close = strchr(c->s + c->i, '}')) == NULL)
		return comp_fail(c, start, "missing right brace on %.*s{}",
		    (int)(c->i - 1 - start), c->s + start);
	j = c->i;
	while (c->s[j] == ' ' || c->s[j] == '\t')
		j++;
	if (base == 8 && (size_t)(close - c->s) == j)
		return comp_fail(c, start, "empty \\o{}");
	*v = digits_value(c->s, &j, SIZE_MAX, base);
	if (base == 16 && c->s[start + 1] == 'N') {
		while (c->s[j] == ' ' || c->s[j] == '\t')
			j++;
		if (j == c->i || c->s + j != close)
			return comp_fail(c, start,
			    "invalid hexadecimal number in \\N{U+...}");
	}
	c->i = (size_t)(close - c->s) + 1;
	return 0;
}

static int
parse_escape(struct comp *c)
{
	size_t start = c->i;
	unsigned long v;
	char e;

	e = c->s[++c->i];
	if (e == '\0')
		return comp_fail(c, start, "a backslash at the end of a value "
		    "escapes swatchdog's closing quote; write \\\\");
	c->i++;
	switch (e) {
	case 't': buf_addc(&c->lit, '\t'); return 0;
	case 'n': buf_addc(&c->lit, '\n'); return 0;
	case 'r': buf_addc(&c->lit, '\r'); return 0;
	case 'f': buf_addc(&c->lit, '\f'); return 0;
	case 'b': buf_addc(&c->lit, '\b'); return 0;
	case 'a': buf_addc(&c->lit, '\a'); return 0;
	case 'e': buf_addc(&c->lit, '\033'); return 0;
	case 'E': return 0;	/* ends nothing: case changes are refused */
	case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7':
		c->i--;
		v = digits_value(c->s, &c->i, 3, 8);
		return add_codepoint(c, v, start);
	case 'o':
		if (c->s[c->i] != '{')
			return comp_fail(c, start, "missing braces on \\o{}");
		c->i++;
		if (braced_number(c, start, 8, &v) == -1)
			return -1;
		return add_codepoint(c, v, start);
	case 'x':
		if (c->s[c->i] != '{') {
			v = digits_value(c->s, &c->i, 2, 16);
			return add_codepoint(c, v, start);
		}
		c->i++;
		if (braced_number(c, start, 16, &v) == -1)
			return -1;
		return add_codepoint(c, v, start);
	case 'N':
		if (c->s[c->i] != '{')
			return comp_fail(c, start, "missing braces on \\N{}");
		if (c->s[c->i + 1] != 'U' || c->s[c->i + 2] != '+')
			return comp_fail(c, start, "\\N{NAME} (a character by "
			    "name) is not supported; write \\N{U+XXXX}");
		c->i += 3;
		if (braced_number(c, start, 16, &v) == -1)
			return -1;
		return add_codepoint(c, v, start);
	case 'c':
		if (c->s[c->i] == '\0')
			return comp_fail(c, start,
			    "missing control character name in \\c");
		buf_addc(&c->lit, (char)(toupper((unsigned char)c->s[c->i]) ^
		    64));
		c->i++;
		return 0;
	case 'U': case 'L': case 'u': case 'l': case 'Q': case 'F':
		return comp_fail(c, start, "\\%c (Perl's case change or "
		    "quoting) is not supported", e);
	default:
		/* \\, \$, \@, \", \; and unknown escapes: the character */
		buf_addc(&c->lit, e);
		return 0;
	}
}

/* The hint that ends each "write it literally" message. */
static const char *
lit_hint(const struct comp *c)
{
	return c->command ? "to leave it to the shell" : "for the text";
}

/*
 * After a variable, Perl reads `[` and `{` as a subscript and `->[`,
 * `->{` as a dereference, whatever follows: refuse them.
 */
static int
no_subscript(struct comp *c, size_t start)
{
	const char *s = c->s + c->i;

	if (s[0] == '[' || s[0] == '{')
		return comp_fail(c, c->i, "Perl reads \"%.*s%c\" as a subscript; "
		    "write %.*s\\%c %s", SPAN(c, start, c->i), s[0],
		    SPAN(c, start, c->i), s[0], lit_hint(c));
	if (s[0] == '-' && s[1] == '>' && (s[2] == '[' || s[2] == '{'))
		return comp_fail(c, c->i, "Perl reads \"%.*s->%c\" as a "
		    "dereference; write %.*s\\->%c %s", SPAN(c, start, c->i),
		    s[2], SPAN(c, start, c->i), s[2], lit_hint(c));
	return 0;
}

/* `[N]` after `$_` or `$S_`: a field index. */
static int
field_index(struct comp *c, size_t start, unsigned *n)
{
	unsigned long v;
	size_t j;

	j = ++c->i;
	while (c->s[j] == ' ')
		j++;
	if (c->s[j] == '-')
		return comp_fail(c, start, "negative field indexes are not "
		    "supported");
	if (c->s[j] == '+')
		j++;
	if (!isdigit((unsigned char)c->s[j]))
		return comp_fail(c, start, "only a number may index %.*s",
		    SPAN(c, start, c->i - 1));
	v = digits_value(c->s, &j, SIZE_MAX, 10);
	while (c->s[j] == ' ')
		j++;
	if (c->s[j] != ']')
		return comp_fail(c, start, "only a number may index %.*s",
		    SPAN(c, start, c->i - 1));
	c->i = j + 1;
	*n = v > UINT_MAX ? UINT_MAX : (unsigned)v;
	return 0;
}

/*
 * $0 is Perl's script path in swatchdog; a path is of no use to a
 * watchfor user, so it is the line (in commands, convert_command has
 * already made it the escaped line).
 */
static void
add_numeric(struct comp *c, unsigned long long v)
{
	if (v == 0)
		add_ref(c, TMPL_LINE, 0, NULL);
	else
		add_ref(c, TMPL_GROUP, v > UINT_MAX ? UINT_MAX : (unsigned)v,
		    NULL);
}

static unsigned long long
read_decimal(struct comp *c)
{
	unsigned long long v = 0;

	while (isdigit((unsigned char)c->s[c->i])) {
		if (v <= UINT_MAX)
			v = v * 10 + (unsigned)(c->s[c->i] - '0');
		c->i++;
	}
	return v;
}

/* A numeric variable; the digits start at s[c->i]. */
static int
numeric_var(struct comp *c, size_t start)
{
	if (c->s[c->i] == '0' && isdigit((unsigned char)c->s[c->i + 1]))
		return comp_fail(c, start, "numeric variables with more than "
		    "one digit may not start with 0");
	add_numeric(c, read_decimal(c));
	return no_subscript(c, start);
}

/* $+{name}, $+{'name'}, $+{"name"}; c->i is on the `{`. */
static int
named_group(struct comp *c, size_t start)
{
	size_t a, b;
	char q = 0;

	c->i++;
	while (c->s[c->i] == ' ')
		c->i++;
	if (c->s[c->i] == '\'' || c->s[c->i] == '"')
		q = c->s[c->i++];
	a = c->i;
	while (is_word((unsigned char)c->s[c->i]))
		c->i++;
	b = c->i;
	if (q != 0) {
		if (c->s[c->i] != q)
			b = a;		/* unclosed: stay on the NUL, if any */
		else
			c->i++;
	}
	while (c->s[c->i] == ' ')
		c->i++;
	if (b == a || (unsigned char)c->s[a] < 'A' || c->s[c->i] != '}')
		return comp_fail(c, start, "$+{...} takes a group name");
	c->i++;
	add_ref(c, TMPL_NAMED, 0, xstrndup(c->s + a, b - a));
	return no_subscript(c, start);
}

/* $ENV{NAME}: %ENV is read when the config is, so it is literal text. */
static int
env_var(struct comp *c, size_t start)
{
	const char *v;
	char *name;
	size_t a;

	a = ++c->i;
	while (is_word((unsigned char)c->s[c->i]))
		c->i++;
	if (c->s[c->i] != '}' || c->i == a)
		return comp_fail(c, start, "$ENV{...} takes a variable name");
	name = xstrndup(c->s + a, c->i - a);
	if ((v = getenv(name)) != NULL)
		buf_adds(&c->lit, v);
	free(name);
	c->i++;
	return no_subscript(c, start);
}

/* A named variable $NAME or ${NAME}; s[a..b) is NAME. */
static int
named_var(struct comp *c, size_t start, size_t a, size_t b, bool braced)
{
	size_t n = b - a;
	unsigned idx;

	if (n == 1 && c->s[a] == '_') {
		if (!braced && c->s[c->i] == '[') {
			if (field_index(c, start, &idx) == -1)
				return -1;
			add_ref(c, TMPL_FIELD, idx, NULL);
			return no_subscript(c, start);
		}
		add_ref(c, TMPL_LINE, 0, NULL);
		return braced ? 0 : no_subscript(c, start);
	}
	if (n == 2 && memcmp(c->s + a, "S_", 2) == 0) {
		if (!braced && c->s[c->i] == '[') {
			if (field_index(c, start, &idx) == -1)
				return -1;
			add_ref(c, TMPL_ESCFIELD, idx, NULL);
			return no_subscript(c, start);
		}
		add_ref(c, TMPL_ESCLINE, 0, NULL);
		return braced ? 0 : no_subscript(c, start);
	}
	if (!braced && n == 3 && memcmp(c->s + a, "ENV", 3) == 0 &&
	    c->s[c->i] == '{')
		return env_var(c, start);
	if (c->s[a] == '_')
		return comp_fail(c, start, "undeclared variable %.*s; write "
		    "${_}%.*s for $_ followed by text", SPAN(c, start, c->i),
		    SPAN(c, a + 1, c->i));
	return comp_fail(c, start, "undeclared variable %.*s (swatchdog's Perl "
	    "refuses it); write \\%.*s %s", SPAN(c, start, c->i),
	    SPAN(c, start, c->i), lit_hint(c));
}

static size_t
scan_name(const struct comp *c, size_t j)
{
	while (is_word((unsigned char)c->s[j]) ||
	    (c->s[j] == ':' && c->s[j + 1] == ':' &&
	    is_word((unsigned char)c->s[j + 2])) ||
	    (c->s[j] == '\'' && isalpha((unsigned char)c->s[j + 1])))
		j += c->s[j] == ':' ? 2 : 1;
	return j;
}

/* ${...}; c->i is on the `{`. Perl takes no subscript after it. */
static int
braced_var(struct comp *c, size_t start)
{
	unsigned long long v;
	size_t a, b;

	c->i++;
	while (c->s[c->i] == ' ')
		c->i++;
	if (isdigit((unsigned char)c->s[c->i])) {
		if (c->s[c->i] == '0' && isdigit((unsigned char)c->s[c->i + 1]))
			return comp_fail(c, start,
			    "unsupported ${...} expression");
		v = read_decimal(c);
		while (c->s[c->i] == ' ')
			c->i++;
		if (c->s[c->i] != '}')
			return comp_fail(c, start,
			    "unsupported ${...} expression");
		c->i++;
		add_numeric(c, v);
		return 0;
	}
	if (!isalpha((unsigned char)c->s[c->i]) && c->s[c->i] != '_')
		return comp_fail(c, start, "unsupported ${...} expression");
	a = c->i;
	b = c->i = scan_name(c, c->i);
	while (c->s[c->i] == ' ')
		c->i++;
	if (c->s[c->i] != '}')
		return comp_fail(c, start, "unsupported ${...} expression");
	c->i++;
	return named_var(c, start, a, b, true);
}

static int
parse_dollar(struct comp *c)
{
	size_t start = c->i, a, b;
	unsigned char d;

	d = (unsigned char)c->s[++c->i];
	if (d == '\0')
		return comp_fail(c, start, "a $ at the end of a value is not a "
		    "variable; write \\$ %s", lit_hint(c));
	if (is_blank(d))
		return comp_fail(c, start, "a $ followed by a blank is read by "
		    "Perl as a variable; write \\$ %s", lit_hint(c));
	if (isdigit(d))
		return numeric_var(c, start);
	if (isalpha(d) || d == '_') {
		a = c->i;
		b = c->i = scan_name(c, c->i);
		return named_var(c, start, a, b, false);
	}
	c->i++;
	switch (d) {
	case '&':
		add_ref(c, TMPL_GROUP, 0, NULL);
		return no_subscript(c, start);
	case '`':
		add_ref(c, TMPL_PREMATCH, 0, NULL);
		return no_subscript(c, start);
	case '\'':
		if (isalpha((unsigned char)c->s[c->i]) || c->s[c->i] == '_')
			break;	/* $'name is Perl's old $main::name */
		add_ref(c, TMPL_POSTMATCH, 0, NULL);
		return no_subscript(c, start);
	case '+':
		if (c->s[c->i] == '{')
			return named_group(c, start);
		break;
	case '$':
		d = (unsigned char)c->s[c->i];
		if (is_word(d) || d == '{' || d == '$' ||
		    (d == ':' && c->s[c->i + 1] == ':'))
			return comp_fail(c, start, "Perl reads \"$$%c\" as a "
			    "dereference; write \\$\\$%c %s", d, d,
			    lit_hint(c));
		add_ref(c, TMPL_PID, 0, NULL);
		return no_subscript(c, start);
	case '{':
		c->i--;
		return braced_var(c, start);
	case '(':
	case ')':
		return comp_fail(c, start, "$%c is Perl's list of group ids; "
		    "write \\$%c %s", d, d, lit_hint(c));
	case '*':
		return comp_fail(c, start, "$* is only the line in exec and pipe "
		    "commands (Perl: no longer supported); write \\$* %s",
		    lit_hint(c));
	default:
		break;
	}
	c->i = start + 2;
	if (d == '\'')
		c->i = scan_name(c, c->i);
	else if (d == ':')
		c->i = scan_name(c, c->i - 1);
	return comp_fail(c, start, "Perl special variable %.*s is not "
	    "supported; write \\%.*s %s", SPAN(c, start, c->i),
	    SPAN(c, start, c->i), lit_hint(c));
}

/* `@` followed by a word character, `{`, `$`, `:`, `'`, `+` or `-`. */
static int
parse_at(struct comp *c)
{
	size_t start = c->i, a;

	a = ++c->i;
	if (is_word((unsigned char)c->s[a]) || c->s[a] == ':')
		c->i = scan_name(c, a);
	if (c->i == a)
		c->i++;
	if (c->i - a == 1 && c->s[a] == '_' && c->s[c->i] != '[' &&
	    c->s[c->i] != '{') {
		add_ref(c, TMPL_FIELDS, 0, NULL);
		return 0;
	}
	if (c->i - a == 2 && memcmp(c->s + a, "S_", 2) == 0 &&
	    c->s[c->i] != '[' && c->s[c->i] != '{') {
		add_ref(c, TMPL_ESCFIELDS, 0, NULL);
		return 0;
	}
	return comp_fail(c, start, "Perl reads %.*s as an array (undeclared "
	    "or not supported); write \\%.*s %s", SPAN(c, start, c->i),
	    SPAN(c, start, c->i), lit_hint(c));
}

static int
comp_run(struct comp *c)
{
	unsigned char ch, nx;

	while (c->i < c->len) {
		ch = (unsigned char)c->s[c->i];
		nx = (unsigned char)c->s[c->i + 1];
		if (ch == '\\') {
			if (parse_escape(c) == -1)
				return -1;
		} else if (ch == '$') {
			if (parse_dollar(c) == -1)
				return -1;
		} else if (ch == '@' && (is_word(nx) ||
		    (nx != '\0' && strchr("{$:'+-", nx) != NULL))) {
			if (parse_at(c) == -1)
				return -1;
		} else {
			buf_addc(&c->lit, (char)ch);
			c->i++;
		}
	}
	flush_lit(c);
	return 0;
}

struct tmpl *
tmpl_compile(const char *text, enum tmpl_mode mode, bool awk, char **err,
    size_t *erroff)
{
	struct otext ot = { 0 };
	struct comp c;
	size_t i;

	*err = NULL;
	*erroff = 0;
	if (mode == TMPL_COMMAND)
		convert_command(text, awk, &ot);
	else
		for (i = 0; text[i] != '\0'; i++)
			ot_add(&ot, text[i], i);
	if (ot.s == NULL) {
		ot_add(&ot, '\0', 0);	/* an empty text: "" */
		ot.len = 0;
	}
	memset(&c, 0, sizeof(c));
	c.orig = text;
	c.s = ot.s;
	c.off = ot.off;
	c.len = ot.len;
	c.command = mode == TMPL_COMMAND;
	c.t = xcalloc(1, sizeof(*c.t));
	if (comp_run(&c) == -1) {
		buf_free(&c.lit);
		tmpl_free(c.t);
		ot_free(&ot);
		*err = c.err;
		*erroff = c.erroff;
		return NULL;
	}
	ot_free(&ot);
	return c.t;
}

void
tmpl_free(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nsegs; i++)
		free(t->segs[i].text);
	free(t->segs);
	free(t);
}

bool
tmpl_is_literal(const struct tmpl *t)
{
	size_t i;

	for (i = 0; i < t->nsegs; i++)
		if (t->segs[i].kind != TMPL_LIT)
			return false;
	return true;
}

/*
 * Field `n` of the line split as Perl's split: with `awk`, split ' '
 * (leading blanks ignored), else split /\s+/ (a leading blank makes an
 * empty first field). Returns false when there is no such field.
 */
static bool
field_at(const char *s, size_t len, bool awk, unsigned n, const char **p,
    size_t *flen)
{
	size_t i = 0, a;
	unsigned k = 0;

	if (awk)
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
	for (;;) {
		a = i;
		while (i < len && !is_blank((unsigned char)s[i]))
			i++;
		if (k == n) {
			*p = s + a;
			*flen = i - a;
			return i > a || i < len;
		}
		if (i == len)
			return false;
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
		k++;
	}
}

/* @_ or @S_: the fields joined by one space, trailing empty ones gone. */
static void
add_fields(const char *s, size_t len, bool esc, struct buf *out)
{
	size_t i = 0, a;
	bool first = true;

	if (!esc)
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
	else if (len > 0 && is_blank((unsigned char)s[0])) {
		/* an empty first field, kept only if another follows */
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
		if (i == len)
			return;
		first = false;
	}
	while (i < len) {
		a = i;
		while (i < len && !is_blank((unsigned char)s[i]))
			i++;
		if (!first)
			buf_addc(out, ' ');
		first = false;
		if (esc)
			subst_shell_escape(s + a, i - a, out);
		else
			buf_add(out, s + a, i - a);
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
	}
}

void
tmpl_expand_seg(const struct tmpl_seg *sg, const struct subst_ctx *ctx,
    struct buf *out)
{
	const struct match *m = ctx->match;
	const char *p;
	size_t len;

	switch (sg->kind) {
	case TMPL_LIT:
		buf_add(out, sg->text, sg->len);
		break;
	case TMPL_GROUP:
		if (m != NULL && match_group(m, sg->n, &p, &len))
			buf_add(out, p, len);
		break;
	case TMPL_NAMED:
		if (m != NULL && match_named(m, sg->text, &p, &len))
			buf_add(out, p, len);
		break;
	case TMPL_LINE:
		buf_add(out, ctx->line, ctx->len);
		break;
	case TMPL_PREMATCH:
		if (m != NULL && match_group(m, 0, &p, &len))
			buf_add(out, m->subject, (size_t)(p - m->subject));
		break;
	case TMPL_POSTMATCH:
		if (m != NULL && match_group(m, 0, &p, &len))
			buf_add(out, p + len, m->len - (size_t)(p - m->subject) -
			    len);
		break;
	case TMPL_PID:
		buf_addf(out, "%ld", (long)getpid());
		break;
	case TMPL_ESCLINE:
		subst_shell_escape(ctx->line, ctx->len, out);
		break;
	case TMPL_FIELD:
		if (field_at(ctx->line, ctx->len, true, sg->n, &p, &len))
			buf_add(out, p, len);
		break;
	case TMPL_ESCFIELD:
		if (field_at(ctx->line, ctx->len, false, sg->n, &p, &len))
			subst_shell_escape(p, len, out);
		break;
	case TMPL_FIELDS:
		add_fields(ctx->line, ctx->len, false, out);
		break;
	case TMPL_ESCFIELDS:
		add_fields(ctx->line, ctx->len, true, out);
		break;
	default:
		fatalx("tmpl_expand_seg: unknown segment kind %d", sg->kind);
	}
}

void
tmpl_expand(const struct tmpl *t, const struct subst_ctx *ctx,
    struct buf *out)
{
	size_t i;

	buf_reserve(out, 1);
	for (i = 0; i < t->nsegs; i++)
		tmpl_expand_seg(&t->segs[i], ctx, out);
}

void
subst_shell_escape(const char *line, size_t len, struct buf *out)
{
	size_t i, a = 0;

	for (i = 0; i < len; i++) {
		if (!is_shell_special((unsigned char)line[i]))
			continue;
		buf_add(out, line + a, i - a);
		buf_addc(out, '\\');
		a = i;
	}
	buf_add(out, line + a, len - a);
}
