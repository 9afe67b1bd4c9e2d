#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pattern.h"
#include "prefilter.h"
#include "util.h"

/*
 * Match cases. `caps` is groups 1..n of the match joined by `|`, an unset
 * group as `-`, bytes outside 0x20-0x7e as \xHH; NULL: not checked. Every
 * expectation was checked against perl 5.36 (`perl -e`) unless noted.
 */
struct mcase {
	const char	*pat;
	const char	*line;
	size_t		 len;		/* 0: strlen(line) */
	int		 rc;
	const char	*caps;
};

#define L(s)	s, sizeof(s) - 1	/* a line holding NUL bytes */

static const struct mcase mcases[] = {
	{ "/id=RULE-RATE/", "a id=RULE-RATE b", 0, 1, "" },
	{ "/rule-rate/i", "id=RULE-RATE", 0, 1, "" },
	{ "/rule-rate/", "id=RULE-RATE", 0, 0, NULL },
	{ "  /x/  ", "x", 0, 1, "" },
	/* bytes: NUL and invalid UTF-8 never stop a match */
	{ "/a\\0b/", L("xa\0b"), 1, "" },
	{ "/after/", L("\0\0after"), 1, "" },
	{ "/b(.)c/", L("a\0b\0c"), 1, "\\x00" },
	{ "/caf(.)/", "caf\xe9", 0, 1, "\\xe9" },
	{ "/caf\\w/", "caf\xe9", 0, 0, NULL },
	{ "/caf\\xe9/i", "CAF\xc9", 0, 0, NULL },
	{ "/caf\\w/u", "caf\xe9", 0, 1, "" },
	{ "/caf\\xe9/iu", "CAF\xc9", 0, 1, "" },
	{ "/(\\xff+)x/", "a\xff\xfe\xff\xffx", 0, 1, "\\xff\\xff" },
	{ "/b$/", "\xc3(b", 0, 1, "" },
	{ "/\\xc3\\x28/", "\xc3\x28", 0, 1, "" },
	/* delimiters */
	{ "m{a b}", "xa b", 0, 1, "" },
	{ "m{a{2}}", "aa", 0, 1, "" },
	{ "m{a\\{b\\}}", "a{b}", 0, 1, "" },
	{ "m(a(b)c)", "abc", 0, 1, "b" },
	{ "m[[ab]c]", "bc", 0, 1, "" },
	{ "m<a<b>>", "a<b>", 0, 1, "" },
	{ "m!a\\!b!", "a!b", 0, 1, "" },
	{ "m#a#", "a", 0, 1, "" },
	{ "m,a\\,b,", "a,b", 0, 1, "" },
	{ "m|^a\\|b$|", "a", 0, 1, "" },	/* \| is a bare |: alternation */
	{ "m.a\\.b.", "axb", 0, 1, "" },	/* \. is a bare . */
	{ "m /a/", "a", 0, 1, "" },
	{ "m'a$'", "a", 0, 1, "" },
	{ "/a\\/b/", "a/b", 0, 1, "" },
	{ "/\\Qa.b\\E/", "a.b", 0, 1, "" },
	{ "/\\Qa.b\\E/", "axb", 0, 0, NULL },
	{ "/\\Qa\\/b\\E/", "a/b", 0, 1, "" },
	/* flags */
	{ "/a b/x", "ab", 0, 1, "" },
	{ "/o[ ]b/x", "o b", 0, 1, "" },
	{ "/a.b/s", "a\nb", 0, 1, "" },
	{ "/a.b/", "a\nb", 0, 0, NULL },
	{ "/^b/m", "a\nb", 0, 1, "" },
	{ "/^b/", "a\nb", 0, 0, NULL },
	{ "/(a)(b)/n", "ab", 0, 1, "" },
	{ "/(?<x>a)(b)/n", "ab", 0, 1, "a" },
	{ "/a/g", "a", 0, 1, "" },
	{ "/a/gc", "a", 0, 1, "" },
	{ "/A/oip", "a", 0, 1, "" },
	{ "/a/aa", "a", 0, 1, "" },
	{ "/a/l", "a", 0, 1, "" },
	{ "/a/xx", "a", 0, 1, "" },
	/* Perl regex vs PCRE2 */
	{ "/a$/", "a\n", 0, 1, "" },
	{ "/a\\z/", "a\n", 0, 0, NULL },
	{ "/a\\Z/", "a\n", 0, 1, "" },
	{ "/(a$)/", "ba", 0, 1, "a" },
	{ "/a$|b/", "xa", 0, 1, "" },
	{ "/a$ b/x", "a", 0, 0, NULL },	/* $ is an anchor here */
	{ "/^x{,2}$/", "xx", 0, 1, "" },
	{ "/^x{,2}$/", "x{,2}", 0, 0, NULL },
	{ "/[{,2}]/", ",", 0, 1, "" },
	{ "/\\N{U+41}/", "A", 0, 1, "" },
	{ "/\\x{41}\\o{102}\\cC/", "AB\x03", 0, 1, "" },
	{ "/\\Aa\\b/", "a b", 0, 1, "" },
	{ "/foo\\Kbar/", "foobar", 0, 1, "" },
	{ "/a\\hb\\vc\\Rd/", "a\tb\nc\r\nd", 0, 1, "" },
	{ "/[[:digit:]]+([[:alpha:]])/", "12x", 0, 1, "x" },
	{ "/(?<user>\\w+)@/", "bob@x", 0, 1, "bob" },
	{ "/(?i)abc/", "ABC", 0, 1, "" },
	{ "/a++b/", "aab", 0, 1, "" },
	{ "/(?>a+)a/", "aaa", 0, 0, NULL },
	{ "/(?<=x)y/", "xy", 0, 1, "" },
	{ "/(a)|(b)/", "b", 0, 1, "-|b" },
	{ "/u@x/", "u@x", 0, 1, "" },
	{ "/u\\@x/", "u@x", 0, 1, "" },
	{ "/a@-b/", "a@-b", 0, 1, "" },
	{ "/a\\$b/", "a$b", 0, 1, "" },
	/* boolean forms; captures are the last successful match's */
	{ "/a/ and /b/", "ab", 0, 1, "" },
	{ "/a/ and /b/", "b", 0, 0, NULL },
	{ "/(a)/ and /(b)/", "ab", 0, 1, "b" },
	{ "/(a)/ or /(b)/", "xb", 0, 1, "b" },
	{ "/(a)/ or /(b)/", "ab", 0, 1, "a" },
	{ "/(a)/ || /(b)/", "ab", 0, 1, "a" },
	{ "/(a)/&&/(b)/", "ab", 0, 1, "b" },
	{ "/(a)/ and !/(c)/", "ab", 0, 1, "a" },
	{ "/(a)/ and !/(c)/", "ac", 0, 0, NULL },
	{ "!/(a)/ || /(b)/", "ab", 0, 1, "b" },
	{ "!/a/", "b", 0, 1, "" },
	{ "!/a/", "a", 0, 0, NULL },
	{ "not /a/", "b", 0, 1, "" },
	{ "not(/a/)", "a", 0, 0, NULL },
	{ "not /a/ || /b/", "b", 0, 0, NULL },
	{ "not /a/ || /b/", "", 0, 1, "" },
	{ "not /a/ and /b/", "b", 0, 1, "" },
	{ "not /a/ and /b/", "ab", 0, 0, NULL },
	{ "!/a/ && /b/", "b", 0, 1, "" },
	{ "/a/ or /b/ and /c/", "a", 0, 1, "" },
	{ "/a/ or /b/ and /c/", "b", 0, 0, NULL },
	{ "(/a/ or /b/) and /c/", "bc", 0, 1, "" },
	{ "(/a/ or /b/) and /c/", "a", 0, 0, NULL },
	{ "/a/ || /b/ && /c/", "b", 0, 0, NULL },
	{ "$_ =~ /(x)/", "x", 0, 1, "x" },
	{ "$_=~m{x}i", "X", 0, 1, "" },
	{ "$_ !~ /x/", "y", 0, 1, "" },
	{ "$_ !~ /x/", "x", 0, 0, NULL },
	{ "/(x)/ and $_ !~ /(y)/", "x", 0, 1, "x" },
	{ "!!/a/", "a", 0, 1, "" },
	{ "/a/ and/b/", "ab", 0, 1, "" },
};

static void
caps_string(const struct match *m, struct buf *b)
{
	const char *p;
	size_t len, i;
	unsigned g;

	for (g = 1; g < m->ngroups; g++) {
		if (g > 1)
			buf_addc(b, '|');
		if (!match_group(m, g, &p, &len)) {
			buf_addc(b, '-');
			continue;
		}
		for (i = 0; i < len; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7f)
				buf_addc(b, p[i]);
			else
				buf_addf(b, "\\x%02x", (unsigned char)p[i]);
		}
	}
	buf_addc(b, '\0');
}

static struct pattern *
must_compile(const char *text)
{
	enum pattern_status st;
	struct pattern *p;
	size_t off;
	char *err;

	p = pattern_compile(text, &st, &err, &off);
	if (p == NULL)
		fail_msg("%s: %s (status %d, offset %zu)", text, err, st, off);
	assert_int_equal(st, PATTERN_OK);
	return p;
}

static void
test_match_table(void **state)
{
	const struct mcase *c;
	struct pattern *p;
	struct match m;
	struct buf b = { 0 };
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		c = &mcases[i];
		p = must_compile(c->pat);
		len = c->len ? c->len : strlen(c->line);
		memset(&m, 0, sizeof(m));
		rc = pattern_match(p, c->line, len, &m);
		if (rc != c->rc)
			fail_msg("case %zu: %s: got %d, want %d", i, c->pat, rc,
			    c->rc);
		if (rc == 1 && c->caps != NULL) {
			buf_reset(&b);
			caps_string(&m, &b);
			if (strcmp(b.data, c->caps) != 0)
				fail_msg("case %zu: %s: captures \"%s\", want "
				    "\"%s\"", i, c->pat, b.data, c->caps);
			if (m.ngroups > 0) {
				assert_ptr_equal(m.subject, c->line);
				assert_int_equal(m.len, len);
			}
		}
		pattern_free(p);
	}
	buf_free(&b);
}

/* Refusals: status, a piece of the message, and where it points. */
struct ecase {
	const char		*pat;
	enum pattern_status	 status;
	const char		*msg;
	long			 off;	/* -1: not checked */
};

static const struct ecase ecases[] = {
	{ "/a(/", PATTERN_BAD_REGEX, "missing closing parenthesis", -1 },
	{ "m{a(}", PATTERN_BAD_REGEX, "missing closing parenthesis", -1 },
	{ "/x/ and /(/", PATTERN_BAD_REGEX, "missing closing", -1 },
	{ "/[a/", PATTERN_BAD_REGEX, "missing terminating ]", -1 },
	{ "/(?{ 1 })/", PATTERN_BAD_REGEX, "code blocks", 1 },
	{ "foo(", PATTERN_BAD_REGEX, "must be a match", 0 },
	{ "error", PATTERN_UNSUPPORTED,
	    "pattern must be a match such as /error/", 0 },
	{ "disk full", PATTERN_UNSUPPORTED,
	    "pattern must be a match such as /disk full/", 0 },
	{ "$S_ =~ /x/", PATTERN_UNSUPPORTED, "Perl variables", 0 },
	{ "1", PATTERN_UNSUPPORTED, "a number is not a match", 0 },
	{ "\"foo\"", PATTERN_UNSUPPORTED, "a string is not a match", 0 },
	{ "/x/ # note", PATTERN_UNSUPPORTED,
	    "trailing comments are not allowed on pattern lines; put the "
	    "comment on its own line", 4 },
	{ "/a$var/", PATTERN_UNSUPPORTED, "\"$var\" would interpolate", 2 },
	{ "/a${x}b/", PATTERN_UNSUPPORTED, "interpolate a Perl variable", 2 },
	{ "/a$1/", PATTERN_UNSUPPORTED, "interpolate a Perl variable", 2 },
	{ "/[$]/", PATTERN_UNSUPPORTED, "interpolate a Perl variable", 2 },
	{ "/a@{x}/", PATTERN_UNSUPPORTED, "interpolate a Perl array", 2 },
	{ "/a@1/", PATTERN_UNSUPPORTED, "interpolate a Perl array", 2 },
	{ "/a\\Ub/", PATTERN_UNSUPPORTED, "case-changing escape \\U", 2 },
	{ "/a\\lb/", PATTERN_UNSUPPORTED, "case-changing escape \\l", 2 },
	{ "/a/e", PATTERN_UNSUPPORTED, "unknown regex modifier \"/e\"", 3 },
	{ "/a/and /b/", PATTERN_UNSUPPORTED, "mutually exclusive", -1 },
	{ "/a/ xor /b/", PATTERN_UNSUPPORTED, "\"xor\" is not a match", 4 },
	{ "s/a/b/", PATTERN_UNSUPPORTED, "only matches are supported", 0 },
	{ "/x/ and", PATTERN_UNSUPPORTED, "missing at the end", -1 },
	{ "(/x/", PATTERN_BAD_REGEX, "missing ) to close", 0 },
	{ "/abc", PATTERN_UNSUPPORTED, "not terminated", 0 },
	{ "/\\x{100}/", PATTERN_UNSUPPORTED, "above \\x{ff}", 1 },
	{ "/\\N{LATIN SMALL LETTER A}/", PATTERN_UNSUPPORTED,
	    "named characters", 1 },
	{ "!$_ =~ /a/", PATTERN_UNSUPPORTED, "binds tighter", 0 },
	{ "m?a?", PATTERN_UNSUPPORTED, "match once", 1 },
	{ "/a/ /b/", PATTERN_UNSUPPORTED, "unexpected \"/\"", 4 },
	{ "", PATTERN_UNSUPPORTED, "missing at the end", 0 },
};

static void
test_refusals(void **state)
{
	const struct ecase *c;
	enum pattern_status st;
	struct pattern *p;
	size_t i, off;
	char *err;

	(void)state;
	for (i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		c = &ecases[i];
		p = pattern_compile(c->pat, &st, &err, &off);
		if (p != NULL)
			fail_msg("case %zu: %s compiled", i, c->pat);
		assert_non_null(err);
		if (st != c->status || strstr(err, c->msg) == NULL)
			fail_msg("case %zu: %s: status %d \"%s\", want %d "
			    "\"%s\"", i, c->pat, st, err, c->status, c->msg);
		if (c->off >= 0 && off != (size_t)c->off)
			fail_msg("case %zu: %s: offset %zu, want %ld", i,
			    c->pat, off, c->off);
		free(err);
	}
}

static void
test_warnings(void **state)
{
	struct pattern *p;

	(void)state;
	p = must_compile("/user@example/");
	assert_non_null(pattern_warning(p));
	assert_non_null(strstr(pattern_warning(p), "\"@example\""));
	pattern_free(p);
	p = must_compile("/a/g");
	assert_non_null(strstr(pattern_warning(p), "g modifier"));
	pattern_free(p);
	p = must_compile("/a\\@b/ and /c/");
	assert_null(pattern_warning(p));
	assert_true(pattern_is_compound(p));
	pattern_free(p);
}

static void
test_groups_and_names(void **state)
{
	struct pattern *p;
	struct match m;
	const char *s;
	size_t len;

	(void)state;
	p = must_compile("/(?<user>\\w+)@(\\w+)/ or /(a)(b)(c)/");
	assert_int_equal(pattern_ncaptures(p), 3);
	assert_true(pattern_has_name(p, "user"));
	assert_false(pattern_has_name(p, "host"));
	assert_int_equal(pattern_match(p, "to bob@x", 8, &m), 1);
	assert_true(match_named(&m, "user", &s, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(s, "bob", 3);
	assert_true(match_group(&m, 0, &s, &len));
	assert_int_equal(len, 5);
	assert_false(match_group(&m, 3, &s, &len));
	pattern_free(p);
	/* true without any successful match: no groups at all */
	p = must_compile("!/(x)/");
	assert_int_equal(pattern_match(p, "y", 1, &m), 1);
	assert_int_equal(m.ngroups, 0);
	assert_false(match_group(&m, 0, &s, &len));
	assert_false(match_named(&m, "x", &s, &len));
	pattern_free(p);
}

static void
test_catastrophic(void **state)
{
	struct pattern *p;
	char line[64];
	clock_t t0;
	int rc;

	(void)state;
	memset(line, 'a', 40);
	line[40] = 'b';
	p = must_compile("/(a+)+$/");
	t0 = clock();
	rc = pattern_match(p, line, 41, NULL);
	assert_true(rc == -1 || rc == 0);
	rc = pattern_match(p, line, 41, NULL);	/* logged once only */
	assert_true(rc == -1 || rc == 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	pattern_free(p);
	/* a compound gives up the same way */
	p = must_compile("/(a+)+$/ or /(a+)+c$/");
	rc = pattern_match(p, line, 41, NULL);
	assert_true(rc == -1 || rc == 0);
	pattern_free(p);
}

/* Required literals, as prefilter_lits_describe writes them. */
static const struct {
	const char	*pat;
	const char	*lits;
} lcases[] = {
	{ "/abc/", "{abc}" },
	{ "/ABC/i", "{abc}" },
	{ "/a?bcd/", "{bcd}" },
	{ "/ab*c/", "*" },
	{ "/abc|def/", "{abc|def}" },
	{ "/x(?:abc|def)y/", "{xabcy|xdefy}" },
	{ "/(?:abc)?xyz/", "{xyz}" },
	{ "/(?:abc)*xyz/", "{xyz}" },
	{ "/(?:abc){0,2}xyz/", "{xyz}" },
	{ "/(?:abc){1,2}x/", "{abc}" },
	{ "/\\Qa.b\\E/", "{a.b}" },
	{ "/a\\.b\\/c/", "{a.b/c}" },
	{ "/[Ee]rror/", "{error}" },
	{ "/[eE-]rror/", "{rror}" },
	{ "/foo(?=barbaz)/", "{foo}" },
	{ "/(?<!barbaz)foo/", "{foo}" },
	{ "/(foo)\\1/", "{foo}" },
	{ "/abc|x*/", "*" },
	{ "/abc|/", "*" },
	{ "/abcde+fg/", "{abcde} & {efg}" },
	{ "/x{2}yz/", "{xyz}" },
	{ "/a(*ACCEPT)bc/", "*" },
	{ "/(?x) a b c/", "*" },
	{ "/a b c # comment/x", "{abc}" },
	{ "/abc{0,3}d/", "{ab}" },
	{ "/abcdefghijklmnopqrstu/", "{abcdefghijklmnop} & {qrstu}" },
	{ "/caf\\xe9/iu", "*" },
	{ "/(?i)abc/", "{abc}" },
	{ "/\\x41\\x{42}\\103/", "{ab}" },
	{ "/a\\tb/", "{a\\x09b}" },
	{ "/(x)?(?(1)ab|cd)/", "*" },
	{ "/(x)ab(?1)cd/", "{xab} & {cd}" },
	/* alternations and `?` multiply the literal around them */
	{ "/postfwd2?\\/policy/", "{postfwd/policy|postfwd2/policy}" },
	{ "/]: (?:fatal|panic):/", "{]: fatal:|]: panic:}" },
	{ "/x(?:ab|cd)?yz/", "{xabyz|xcdyz|xyz}" },
	{ "/x(?:ab|cd)+yz/", "{yz} & {ab|cd}" },
	{ "/a(?:b|c)(?:d|e)f/", "{abdf|abef|acdf|acef}" },
	{ "/x(?:abc|)y/", "{xabcy|xy}" },
	{ "/(?:abc|abcd)x/", "{abcx|abcdx}" },
	{ "/ab(?:cdefghij|klmnopqr)stuvwxyz/",
	    "{abcdefghijstuvwx|abklmnopqrstuvwx} & {yz}" },
	{ "/abcdefghijklmn(?:op|qr)st/", "{abcdefghijklmnop|abcdefghijklmnqr} & {st}" },
	{ "/x(?=ab)(?:cd|ef)/", "{cd|ef}" },
	/* \0 has no braced form: the alternation after it counts (fuzz) */
	{ "/x\\0{1||2}bc/", "*" },
	{ "/x\\0{1}bc/", "{\\x00bc} & {x\\x00}" },
	{ "/ab\\o{101}cd/", "{abacd}" },
	{ "/ab\\x{41}cd/", "{abacd}" },
	{ "/abc/ and /def/", "{abc} & {def}" },
	{ "/abc/ or /def/", "{abc|def}" },
	{ "!/abc/", "*" },
	{ "/abc/ or !/def/", "*" },
	{ "$_ !~ /abc/", "*" },
	{ "/abc/ and not /def/", "{abc}" },
};

static void
test_literals(void **state)
{
	struct pattern *p;
	char *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		p = must_compile(lcases[i].pat);
		d = prefilter_lits_describe(pattern_literals(p));
		if (strcmp(d, lcases[i].lits) != 0)
			fail_msg("%s: literals %s, want %s", lcases[i].pat, d,
			    lcases[i].lits);
		free(d);
		pattern_free(p);
	}
}

struct rules {
	struct pattern	**p;
	size_t		 n;
};

static void
load_rules(struct rules *r, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	r->p = NULL;
	r->n = 0;
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("open %s", path);
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strncmp(line, "watchfor ", 9) != 0)
			continue;
		r->p = xreallocarray(r->p, r->n + 1, sizeof(*r->p));
		r->p[r->n++] = must_compile(line + 9);
	}
	free(line);
	fclose(f);
}

static void
free_rules(struct rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		pattern_free(r->p[i]);
	free(r->p);
}

/*
 * The invariant: a pattern that matches a line is a candidate for it.
 * Also checks the first match in rule order, through prefilter_next.
 */
static void
check_line(struct rules *r, struct prefilter *pf, const char *line,
    size_t len, size_t *matched)
{
	const uint64_t *bits;
	size_t i, first = r->n, pfirst;

	bits = prefilter_scan(pf, line, len);
	for (i = 0; i < r->n; i++) {
		if (pattern_match(r->p[i], line, len, NULL) != 1)
			continue;
		if (first == r->n)
			first = i;
		if (!((bits[i / 64] >> (i % 64)) & 1))
			fail_msg("rule %zu matches but is no candidate: %.*s",
			    i, (int)len, line);
	}
	for (pfirst = prefilter_next(pf, bits, 0); pfirst < r->n;
	    pfirst = prefilter_next(pf, bits, pfirst + 1))
		if (pattern_match(r->p[pfirst], line, len, NULL) == 1)
			break;
	assert_int_equal(first, pfirst);
	if (first < r->n)
		(*matched)++;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *s;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = xmalloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return s;
}

/*
 * The bench rules over a gen-maillog sample (data/maillog-sample.log:
 * `gen-maillog --lines 4000 --seed 7 --badutf8-rate 0.02 --long-rate
 * 0.005`), as is and mutated (letters flipped in case, NUL and high bytes
 * spliced in, lines cut), so case folding and odd bytes are exercised.
 */
static void
test_prefilter_corpus(void **state)
{
	struct rules r;
	struct prefilter *pf;
	char *corpus, *p, *end, *nl, *mut;
	size_t len, n, matched = 0, mmatched = 0, i, lines = 0;
	unsigned seed = 12345;

	(void)state;
	load_rules(&r, "data/rules-100.conf");
	assert_int_equal(r.n, 100);
	pf = prefilter_new(r.p, r.n);
	corpus = slurp("data/maillog-sample.log", &len);
	mut = xmalloc(len + 1);
	for (p = corpus, end = corpus + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		lines++;
		check_line(&r, pf, p, n, &matched);
		memcpy(mut, p, n);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			switch ((seed >> 16) % 97) {
			case 0:
				mut[i] = '\0';
				break;
			case 1:
				mut[i] = (char)0xc3;
				break;
			case 2: case 3: case 4: case 5: case 6: case 7:
				if (mut[i] >= 'a' && mut[i] <= 'z')
					mut[i] = (char)(mut[i] - 32);
				else if (mut[i] >= 'A' && mut[i] <= 'Z')
					mut[i] = (char)(mut[i] + 32);
				break;
			default:
				break;
			}
		}
		seed = seed * 1103515245 + 12345;
		check_line(&r, pf, mut, (seed >> 16) % 5 == 0 ? n / 2 : n,
		    &mmatched);
	}
	assert_int_equal(lines, 4000);
	assert_int_equal(matched, 303);		/* patbench agrees */
	assert_true(mmatched > 0);
	free(mut);
	free(corpus);
	prefilter_free(pf);
	free_rules(&r);
}

/*
 * Tricky patterns against random lines built from their own pieces in
 * random case and random bytes: every match must be a candidate.
 */
static void
test_prefilter_random(void **state)
{
	static const char *pats[] = {
		"/abc(?:def|ghi)?jkl/", "/X[Yy]Zzy/i", "/\\Qa.b|c\\E/",
		"/(?:foo|bar)+baz/", "/foo(?=bar)/", "/(qux)\\1/",
		"/ab+cd/", "/hello/ and /world/", "/hello/ or /there/",
		"!/abc/", "/x{2}yz/", "/(?i:MiXeD)case/", "/a\\x00b/",
		"/\\xe9t\\xe9/", "/(?:abc|)def/", "/ghi.{0,3}jkl/",
		"/[Ee]rror: (?:disk|DISK) full/", "/a b c/x",
		"/ab(?#comment)cd/", "/[[:digit:]]x0/",
	};
	static const char *pieces[] = {
		"abc", "def", "ghi", "jkl", "xyzzy", "a.b|c", "foo", "bar",
		"baz", "qux", "abbbcd", "hello", "world", "there", "xxyz",
		"mixed", "case", "a\0b", "\xe9t\xe9", "error: ", "disk full",
		"abc", "cd", "1x0", " ", "/", "\xff",
	};
	struct pattern *p[sizeof(pats) / sizeof(pats[0])];
	struct rules r = { p, sizeof(pats) / sizeof(pats[0]) };
	struct prefilter *pf;
	char line[256];
	size_t i, j, n, k, len, matched = 0;
	unsigned seed = 42;

	(void)state;
	for (i = 0; i < r.n; i++)
		p[i] = must_compile(pats[i]);
	pf = prefilter_new(r.p, r.n);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % 6;
		len = 0;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			k = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
			k = k == 17 ? 3 : strlen(pieces[k]);
			memcpy(line + len, pieces[(seed >> 16) %
			    (sizeof(pieces) / sizeof(pieces[0]))], k);
			len += k;
		}
		for (j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 3 == 0 && line[j] >= 'a' &&
			    line[j] <= 'z')
				line[j] = (char)(line[j] - 32);
		}
		check_line(&r, pf, line, len, &matched);
	}
	assert_true(matched > 1000);
	prefilter_free(pf);
	for (i = 0; i < r.n; i++)
		pattern_free(p[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_groups_and_names),
		cmocka_unit_test(test_catastrophic),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_prefilter_corpus),
		cmocka_unit_test(test_prefilter_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
