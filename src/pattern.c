/*
 * swatchdog patterns (spec sections 4.2, 5, 6) compiled with PCRE2.
 *
 * A pattern is the Perl expression written after watchfor/ignore/waitfor.
 * This module takes the part of Perl that configs use: matches written
 * /RE/flags or m<delim>RE<delim>flags, optionally `$_ =~` or `$_ !~`, and
 * their combinations with ! && || not and or and parentheses, evaluated
 * with Perl's precedence and short-circuit. Each match body is turned from
 * Perl regex source into PCRE2 source (delimiter escapes, `{,n}`, `\N{U+..}`)
 * and compiled in non-UTF mode, so lines are matched as bytes exactly as
 * Perl matches a byte string. Perl-only forms (variables, code, barewords,
 * case-changing escapes) are refused with a message saying how to write
 * them for PCRE2.
 *
 * Status rule: PATTERN_BAD_REGEX when swatchdog's own test-compile would
 * fail (it compiles the whole text as one regex, spec 4.2: exit 25), else
 * PATTERN_UNSUPPORTED for what swatchdog accepts there but watchfor does not
 * take (in swatchdog most of these then break the generated Perl script).
 *
 * Matching reuses one match data per compiled regex (the daemon is
 * single-threaded) and a shared match context with match, depth and heap
 * limits and a JIT stack, so a hostile line cannot hang the scanner.
 * Leaves to others: rules and their order (engine), the Perl-to-PCRE2
 * translation of a match body and its modifiers (pattern_perl.c), which
 * literals to scan for (prefilter_lits.c, which this module feeds),
 * substitution (subst.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pattern.h"
#include "pattern_int.h"
#include "prefilter.h"
#include "util.h"

#define PATTERN_MATCH_LIMIT	10000000	/* PCRE2 backtracking steps */
#define PATTERN_DEPTH_LIMIT	250000		/* interpreter only */
#define PATTERN_HEAP_LIMIT	(64 * 1024)	/* KiB, interpreter only */
#define PATTERN_JIT_STACK_MIN	(32 * 1024)	/* bytes */
#define PATTERN_JIT_STACK_MAX	(4 * 1024 * 1024)
#define PATTERN_MAX_NESTING	64		/* ( ! not, in expressions */

enum node_kind {
	NODE_MATCH,		/* leaf `a` matches */
	NODE_NOMATCH,		/* $_ !~ leaf `a` */
	NODE_NOT,
	NODE_AND,
	NODE_OR,
};

struct node {
	enum node_kind	 kind;
	int		 a;	/* child node, or leaf index for (NO)MATCH */
	int		 b;	/* second child of AND/OR */
};

struct pattern {
	/* A single match (a leaf): */
	pcre2_code		*code;
	pcre2_match_data	*md;
	char			*src;		/* leaf text, for messages */
	unsigned		 ncaptures;
	bool			 jit;
	bool			 limit_logged;
	char			*re;		/* PCRE2 source as compiled */
	size_t			 relen;
	uint32_t		 opts;
	size_t			 boff, blen;	/* body within the text */
	size_t			 bsrc;		/* body within src */
	/* A combination: leaves[] and an expression tree over them. */
	struct pattern		**leaves;
	size_t			 nleaves;
	struct node		*nodes;
	size_t			 nnodes;
	int			 root;
	/* Both: */
	char			*warning;
	struct prefilter_lits	*lits;
};


/* Shared by every pattern: the daemon matches from one thread only. */
static pcre2_match_context	*match_ctx;
static pcre2_jit_stack		*jit_stack;

static int	parse_or(struct parser *);

static void
context_init(void)
{
	if (match_ctx != NULL)
		return;
	if ((match_ctx = pcre2_match_context_create(NULL)) == NULL)
		fatalx("pcre2 match context: out of memory");
	pcre2_set_match_limit(match_ctx, PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(match_ctx, PATTERN_DEPTH_LIMIT);
	pcre2_set_heap_limit(match_ctx, PATTERN_HEAP_LIMIT);
	jit_stack = pcre2_jit_stack_create(PATTERN_JIT_STACK_MIN,
	    PATTERN_JIT_STACK_MAX, NULL);
	if (jit_stack != NULL)
		pcre2_jit_stack_assign(match_ctx, NULL, jit_stack);
}

int
pat_perr(struct parser *ps, const char *at, enum pattern_status status,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ps->failed)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("vasprintf: out of memory");
	va_end(ap);
	ps->failed = true;
	ps->status = status;
	ps->err = msg;
	ps->erroff = (size_t)(at - ps->text);
	/*
	 * A PCRE2 offset is one in the translated regex, which a rewrite
	 * ({,n} to {0,n}, \/ to /) made longer: never point past the text.
	 */
	if (ps->erroff > (size_t)(ps->end - ps->text))
		ps->erroff = (size_t)(ps->end - ps->text);
	return -1;
}

void
pat_pwarn(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("vasprintf: out of memory");
	va_end(ap);
	if (ps->warn.len > 0)
		buf_adds(&ps->warn, "; ");
	buf_adds(&ps->warn, msg);
	free(msg);
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && isspace((unsigned char)*ps->p))
		ps->p++;
}

/* True (and consumed) when the word operator `w` comes next. */
static bool
eat_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	skip_ws(ps);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	if (ps->p + n < ps->end && pat_is_word(ps->p[n]))
		return false;
	ps->p += n;
	return true;
}

static bool
eat_op(struct parser *ps, const char *op)
{
	size_t n = strlen(op);

	skip_ws(ps);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, op, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int
add_node(struct parser *ps, enum node_kind kind, int a, int b)
{
	struct pattern *t = ps->top;

	t->nodes = xreallocarray(t->nodes, t->nnodes + 1, sizeof(*t->nodes));
	t->nodes[t->nnodes].kind = kind;
	t->nodes[t->nnodes].a = a;
	t->nodes[t->nnodes].b = b;
	return (int)t->nnodes++;
}

static const char *
closing_bracket(char open)
{
	switch (open) {
	case '(':
		return ")";
	case '[':
		return "]";
	case '{':
		return "}";
	case '<':
		return ">";
	default:
		return NULL;
	}
}

static struct pattern *
leaf_new(struct parser *ps, const char *src, size_t srclen,
    const struct buf *re, uint32_t opts, const char *body)
{
	struct pattern *p;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int errcode;

	p = xcalloc(1, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)(re->data ? re->data : ""),
	    re->len, opts, &errcode, &off, NULL);
	if (p->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		pat_perr(ps, body + (off < re->len ? off : re->len),
		    PATTERN_BAD_REGEX, "%s", (char *)msg);
		free(p);
		return NULL;
	}
	p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	if (p->md == NULL)
		fatalx("pcre2 match data: out of memory");
	(void)pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT,
	    &p->ncaptures);
	p->src = xstrndup(src, srclen);
	p->re = xstrndup(re->data ? re->data : "", re->len);
	p->relen = re->len;
	p->opts = opts;
	p->boff = (size_t)(body - ps->text);
	p->lits = prefilter_lits_regex(re->data ? re->data : "", re->len,
	    opts);
	return p;
}

/* A match at ps->p: `/.../flags` or `m<d>...<d>flags`. Returns a leaf. */
static int
parse_match(struct parser *ps, enum node_kind kind)
{
	const char *start = ps->p, *s, *body, *q, *fl;
	struct pattern *leaf, *t = ps->top;
	struct buf re = { 0 };
	const char *cl;
	char open, close;
	bool bracket;
	uint32_t opts;
	int depth = 0;

	s = ps->p;
	if (*s == 'm') {
		for (s++; s < ps->end && isspace((unsigned char)*s); s++)
			;
		if (s >= ps->end || pat_is_word(*s) ||
		    (s > start + 1 && *s == '#'))
			return pat_perr(ps, start, PATTERN_UNSUPPORTED,
			    "pattern must be a match such as /error/");
	}
	open = *s;
	if (open == '?')
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "m?...? (match once) is not supported; use /.../");
	cl = closing_bracket(open);
	bracket = cl != NULL;
	close = bracket ? cl[0] : open;
	body = s + 1;
	for (q = body; q < ps->end; q++) {
		if (*q == '\\' && q + 1 < ps->end) {
			q++;
			continue;
		}
		if (bracket && *q == open)
			depth++;
		else if (*q == close) {
			if (depth == 0)
				break;
			depth--;
		}
	}
	if (q >= ps->end)
		return pat_perr(ps, start, PATTERN_UNSUPPORTED,
		    "match not terminated: missing closing %c", close);
	for (fl = q + 1; fl < ps->end && pat_is_word(*fl); fl++)
		;
	if (pat_parse_flags(ps, q + 1, fl, &opts) == -1)
		return -1;
	if (pat_translate(ps, body, q, close, bracket, open != '\'', &re) == -1) {
		buf_free(&re);
		return -1;
	}
	leaf = leaf_new(ps, start, (size_t)(fl - start), &re, opts, body);
	buf_free(&re);
	if (leaf == NULL)
		return -1;
	leaf->blen = (size_t)(q - body);
	leaf->bsrc = (size_t)(body - start);
	ps->p = fl;
	t->leaves = xreallocarray(t->leaves, t->nleaves + 1,
	    sizeof(*t->leaves));
	t->leaves[t->nleaves] = leaf;
	return add_node(ps, kind, (int)t->nleaves++, -1);
}

/* Says what a non-match term is and how to write it instead. */
static int
bad_term(struct parser *ps)
{
	const char *s = ps->p, *e;
	size_t n;

	for (e = s; e < ps->end && pat_is_word(*e); e++)
		;
	n = (size_t)(e - s);
	if (*s == '#')
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "trailing comments are not allowed on pattern lines; put "
		    "the comment on its own line");
	if (n > 0 && e < ps->end && !isspace((unsigned char)*e) &&
	    !pat_is_word(*e) && ((n == 1 && strchr("sy", *s)) ||
	    (n == 2 && (memcmp(s, "qr", 2) == 0 || memcmp(s, "tr", 2) == 0 ||
	    memcmp(s, "qq", 2) == 0 || memcmp(s, "qw", 2) == 0)) ||
	    (n == 1 && *s == 'q')))
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "only matches are supported (not %.*s...); write a match "
		    "such as /error/", (int)n, s);
	if (n > 0 && isdigit((unsigned char)*s))
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "a number is not a match (in Perl it is always true or "
		    "always false); write a match such as /error/ or /^/");
	if (*s == '"' || *s == '\'')
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "a string is not a match (in Perl it is always true); "
		    "write a match such as /error/");
	if (*s == '$' || *s == '@' || *s == '%' || *s == '&')
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "Perl variables and code are not supported; a pattern is "
		    "a match such as /error/, $_ =~ /error/ or $_ !~ /error/, "
		    "or matches joined with and, or, not, &&, ||, !");
	if (n > 0 && memchr(ps->text, '/', (size_t)(ps->end - ps->text)) ==
	    NULL && ps->p == ps->text)
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "pattern must be a match such as /%.*s/",
		    (int)(ps->end - s), s);
	if (n > 0)
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "\"%.*s\" is not a match; a pattern must be a match such "
		    "as /%.*s/ (matches may be joined with and, or, not, &&, "
		    "||, !)", (int)n, s, (int)n, s);
	if (s >= ps->end)
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "a match such as /error/ is missing at the end");
	return pat_perr(ps, s, PATTERN_UNSUPPORTED,
	    "unexpected \"%c\": a pattern must be a match such as /error/",
	    *s);
}

static int
parse_primary(struct parser *ps)
{
	enum node_kind kind;
	const char *s;
	int n;

	skip_ws(ps);
	s = ps->p;
	if (s >= ps->end)
		return bad_term(ps);
	if (*s == '(') {
		if (++ps->depth > PATTERN_MAX_NESTING)
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "expression nested too deeply");
		ps->p++;
		if ((n = parse_or(ps)) == -1)
			return -1;
		ps->depth--;
		if (!eat_op(ps, ")"))
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "missing ) to close this (");
		return n;
	}
	if (*s == '/' || (*s == 'm' && (s + 1 >= ps->end || !pat_is_word(s[1]))))
		return parse_match(ps, NODE_MATCH);
	if (*s == '$' && s + 1 < ps->end && s[1] == '_' &&
	    (s + 2 >= ps->end || !pat_is_word(s[2]))) {
		ps->p += 2;
		if (eat_op(ps, "=~"))
			kind = NODE_MATCH;
		else if (eat_op(ps, "!~"))
			kind = NODE_NOMATCH;
		else {
			ps->p = s;
			return bad_term(ps);
		}
		skip_ws(ps);
		if (ps->p < ps->end && (*ps->p == '/' || (*ps->p == 'm' &&
		    (ps->p + 1 >= ps->end || !pat_is_word(ps->p[1])))))
			return parse_match(ps, kind);
		return pat_perr(ps, ps->p, PATTERN_UNSUPPORTED,
		    "$_ =~ and $_ !~ must be followed by a match such as "
		    "/error/");
	}
	return bad_term(ps);
}

static int
parse_unary(struct parser *ps)
{
	const char *s;
	int n;

	skip_ws(ps);
	s = ps->p;
	if (s < ps->end && *s == '!' && (s + 1 >= ps->end ||
	    (s[1] != '~' && s[1] != '='))) {
		ps->p++;
		skip_ws(ps);
		if (ps->end - ps->p >= 2 && ps->p[0] == '$' && ps->p[1] == '_')
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "in Perl ! binds tighter than =~; write "
			    "$_ !~ /.../ or !/.../");
		if (++ps->depth > PATTERN_MAX_NESTING)
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "expression nested too deeply");
		if ((n = parse_unary(ps)) == -1)
			return -1;
		ps->depth--;
		return add_node(ps, NODE_NOT, n, -1);
	}
	return parse_primary(ps);
}

static int
parse_andand(struct parser *ps)
{
	int a, b;

	if ((a = parse_unary(ps)) == -1)
		return -1;
	while (eat_op(ps, "&&")) {
		if ((b = parse_unary(ps)) == -1)
			return -1;
		a = add_node(ps, NODE_AND, a, b);
	}
	return a;
}

static int
parse_oror(struct parser *ps)
{
	int a, b;

	if ((a = parse_andand(ps)) == -1)
		return -1;
	while (eat_op(ps, "||")) {
		if ((b = parse_andand(ps)) == -1)
			return -1;
		a = add_node(ps, NODE_OR, a, b);
	}
	return a;
}

static int
parse_not(struct parser *ps)
{
	const char *s;
	int n;

	skip_ws(ps);
	s = ps->p;
	if (eat_word(ps, "not")) {
		if (++ps->depth > PATTERN_MAX_NESTING)
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "expression nested too deeply");
		if ((n = parse_not(ps)) == -1)
			return -1;
		ps->depth--;
		return add_node(ps, NODE_NOT, n, -1);
	}
	return parse_oror(ps);
}

static int
parse_and(struct parser *ps)
{
	int a, b;

	if ((a = parse_not(ps)) == -1)
		return -1;
	while (eat_word(ps, "and")) {
		if ((b = parse_not(ps)) == -1)
			return -1;
		a = add_node(ps, NODE_AND, a, b);
	}
	return a;
}

static int
parse_or(struct parser *ps)
{
	int a, b;

	if ((a = parse_and(ps)) == -1)
		return -1;
	while (eat_word(ps, "or")) {
		if ((b = parse_and(ps)) == -1)
			return -1;
		a = add_node(ps, NODE_OR, a, b);
	}
	return a;
}

/* Required literals of the subtree at node n (NULL: none). */
static struct prefilter_lits *
tree_lits(const struct pattern *t, int n)
{
	const struct node *nd = &t->nodes[n];

	switch (nd->kind) {
	case NODE_MATCH:
		return prefilter_lits_dup(t->leaves[nd->a]->lits);
	case NODE_NOMATCH:
	case NODE_NOT:
		return NULL;
	case NODE_AND:
		return prefilter_lits_and(tree_lits(t, nd->a),
		    tree_lits(t, nd->b));
	case NODE_OR:
		return prefilter_lits_or(tree_lits(t, nd->a),
		    tree_lits(t, nd->b));
	default:
		fatalx("pattern: bad node kind %d", nd->kind);
	}
}

/*
 * After a refusal: if the whole text does not compile as one regex,
 * swatchdog's own check (`"" =~ /$value/`) fails too, so report it as
 * swatchdog does (bad regex, exit 25).
 */
static void
classify(struct parser *ps)
{
	static const uint32_t modes[] = { PCRE2_UTF, 0 };
	pcre2_compile_context *cc;
	pcre2_code *code = NULL;
	PCRE2_SIZE off;
	size_t i;
	int errcode;

	if (ps->status != PATTERN_UNSUPPORTED)
		return;
	/* Perl passes unknown escapes (\U in a variable) through. */
	if ((cc = pcre2_compile_context_create(NULL)) == NULL)
		fatalx("pcre2 compile context: out of memory");
	pcre2_set_compile_extra_options(cc,
	    PCRE2_EXTRA_BAD_ESCAPE_IS_LITERAL);
	for (i = 0; code == NULL && i < sizeof(modes) / sizeof(modes[0]); i++)
		code = pcre2_compile((PCRE2_SPTR)ps->text,
		    (size_t)(ps->end - ps->text), modes[i], &errcode, &off, cc);
	if (code == NULL)
		ps->status = PATTERN_BAD_REGEX;
	pcre2_code_free(code);
	pcre2_compile_context_free(cc);
}

/*
 * A combination whose tree is a single match becomes that leaf itself, so
 * the common case matches with one PCRE2 call and nothing else.
 */
static struct pattern *
finish(struct parser *ps)
{
	struct pattern *t = ps->top, *leaf;

	if (t->nnodes == 1 && t->nodes[0].kind == NODE_MATCH) {
		leaf = t->leaves[0];
		t->nleaves = 0;
		leaf->warning = t->warning;
		t->warning = NULL;
		pattern_free(t);
		return leaf;
	}
	t->lits = tree_lits(t, t->root);
	return t;
}

struct pattern *
pattern_compile(const char *text, enum pattern_status *status, char **err,
    size_t *erroff)
{
	struct parser ps = { 0 };
	struct pattern *p;

	*status = PATTERN_OK;
	*err = NULL;
	*erroff = 0;
	context_init();
	ps.text = ps.p = text;
	ps.end = text + strlen(text);
	while (ps.end > text && isspace((unsigned char)ps.end[-1]))
		ps.end--;
	skip_ws(&ps);
	ps.top = xcalloc(1, sizeof(*ps.top));
	if ((ps.top->root = parse_or(&ps)) != -1) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			bad_term(&ps);
	}
	if (ps.failed) {
		classify(&ps);
		*status = ps.status;
		*err = ps.err;
		*erroff = ps.erroff;
		buf_free(&ps.warn);
		pattern_free(ps.top);
		return NULL;
	}
	if (ps.warn.len > 0)
		ps.top->warning = buf_detach(&ps.warn);
	p = finish(&ps);
	return p;
}

void
pattern_free(struct pattern *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nleaves; i++)
		pattern_free(p->leaves[i]);
	free(p->leaves);
	free(p->nodes);
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	prefilter_lits_free(p->lits);
	free(p->warning);
	free(p->src);
	free(p->re);
	free(p);
}

/* One regex: 1 match, 0 no match, -1 PCRE2 gave up (logged once). */
static int
leaf_match(struct pattern *p, const char *line, size_t len)
{
	PCRE2_UCHAR msg[128];
	int rc;

	if (p->jit)
		rc = pcre2_jit_match(p->code, (PCRE2_SPTR)line, len, 0, 0,
		    p->md, match_ctx);
	else
		rc = pcre2_match(p->code, (PCRE2_SPTR)line, len, 0, 0, p->md,
		    match_ctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (!p->limit_logged) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		log_warnx("pattern %s: %s on a %zu-byte line; counted as no "
		    "match (logged once per pattern)", p->src, (char *)msg,
		    len);
		p->limit_logged = true;
	}
	return -1;
}

static bool
eval(struct pattern *t, int n, const char *line, size_t len,
    struct pattern **last, bool *limited)
{
	const struct node *nd = &t->nodes[n];
	struct pattern *leaf;
	int rc;

	switch (nd->kind) {
	case NODE_MATCH:
	case NODE_NOMATCH:
		leaf = t->leaves[nd->a];
		if ((rc = leaf_match(leaf, line, len)) == -1) {
			*limited = true;
			rc = 0;
		}
		if (rc == 1)
			*last = leaf;
		return (rc == 1) == (nd->kind == NODE_MATCH);
	case NODE_NOT:
		return !eval(t, nd->a, line, len, last, limited);
	case NODE_AND:
		return eval(t, nd->a, line, len, last, limited) &&
		    eval(t, nd->b, line, len, last, limited);
	case NODE_OR:
		return eval(t, nd->a, line, len, last, limited) ||
		    eval(t, nd->b, line, len, last, limited);
	default:
		fatalx("pattern: bad node kind %d", nd->kind);
	}
}

static void
fill(struct match *m, const struct pattern *p, const char *line, size_t len)
{
	m->subject = line;
	m->len = len;
	m->pattern = p;
	if (p->md != NULL) {
		m->ovector = pcre2_get_ovector_pointer(p->md);
		m->ngroups = pcre2_get_ovector_count(p->md);
	} else {
		m->ovector = NULL;
		m->ngroups = 0;
	}
}

int
pattern_match(struct pattern *p, const char *line, size_t len,
    struct match *m)
{
	struct pattern *last = NULL;
	bool limited = false;
	int rc;

	if (p->nleaves == 0) {
		if ((rc = leaf_match(p, line, len)) == 1 && m != NULL)
			fill(m, p, line, len);
		return rc;
	}
	if (!eval(p, p->root, line, len, &last, &limited))
		return limited ? -1 : 0;
	if (m != NULL)
		fill(m, last != NULL ? last : p, line, len);
	return 1;
}

bool
match_group(const struct match *m, unsigned n, const char **p, size_t *len)
{
	size_t s, e;

	if (n >= m->ngroups || m->ovector[2 * n] == PCRE2_UNSET)
		return false;
	s = m->ovector[2 * n];
	e = m->ovector[2 * n + 1];
	*p = m->subject + s;
	*len = e > s ? e - s : 0;	/* \K in a lookahead can invert them */
	return true;
}

bool
match_named(const struct match *m, const char *name, const char **p,
    size_t *len)
{
	int n;

	if (m->pattern->code == NULL)
		return false;
	n = pcre2_substring_number_from_name(m->pattern->code,
	    (PCRE2_SPTR)name);
	if (n < 0)
		return false;
	return match_group(m, (unsigned)n, p, len);
}

void
match_names(const struct match *m, match_name_cb *cb, void *arg)
{
	uint32_t count = 0, size = 0, i;
	PCRE2_SPTR table = NULL;

	if (m->pattern == NULL || m->pattern->code == NULL ||
	    pcre2_pattern_info(m->pattern->code, PCRE2_INFO_NAMECOUNT,
	    &count) != 0 || count == 0 ||
	    pcre2_pattern_info(m->pattern->code, PCRE2_INFO_NAMEENTRYSIZE,
	    &size) != 0 ||
	    pcre2_pattern_info(m->pattern->code, PCRE2_INFO_NAMETABLE,
	    &table) != 0)
		return;
	for (i = 0; i < count; i++, table += size)
		cb((const char *)table + 2, (unsigned)table[0] << 8 | table[1],
		    arg);
}

unsigned
pattern_ncaptures(const struct pattern *p)
{
	unsigned n = p->ncaptures;
	size_t i;

	for (i = 0; i < p->nleaves; i++)
		if (p->leaves[i]->ncaptures > n)
			n = p->leaves[i]->ncaptures;
	return n;
}

bool
pattern_has_name(const struct pattern *p, const char *name)
{
	size_t i;

	if (p->code != NULL)
		return pcre2_substring_number_from_name(p->code,
		    (PCRE2_SPTR)name) >= 0;
	for (i = 0; i < p->nleaves; i++)
		if (pattern_has_name(p->leaves[i], name))
			return true;
	return false;
}

const char *
pattern_warning(const struct pattern *p)
{
	return p->warning;
}

bool
pattern_is_compound(const struct pattern *p)
{
	return p->nleaves > 0;
}

const struct prefilter_lits *
pattern_literals(const struct pattern *p)
{
	return p->lits;
}

size_t
pattern_nsources(const struct pattern *p)
{
	return p->code != NULL ? 1 : p->nleaves;
}

void
pattern_source(const struct pattern *p, size_t i, struct pattern_source *s)
{
	const struct pattern *l = p->code != NULL ? p : p->leaves[i];

	s->text = l->src;
	s->body = l->src + l->bsrc;
	s->boff = l->boff;
	s->blen = l->blen;
	s->re = l->re;
	s->relen = l->relen;
	s->options = l->opts;
}
