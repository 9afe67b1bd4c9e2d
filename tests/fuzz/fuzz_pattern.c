/*
 * Fuzz target: patterns (pattern.c) and the literal prefilter
 * (prefilter.c). The input is up to 8 pattern texts, one a line, then a
 * NUL, then the line to match (any bytes). Without a NUL the first line
 * is the only pattern and the rest is the line. Checked: captures stay
 * inside the line, a second match gives the same answer, and the
 * prefilter never drops a pattern that matches (the engine would then
 * miss an alert).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pattern.h"
#include "prefilter.h"
#include "util.h"

#define MAX_PATS	8

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
check_group(const struct match *m, unsigned n, bool ok, const char *p,
    size_t len)
{
	if (!ok)
		return;
	FUZZ_CHECK(p >= m->subject && len <= m->len &&
	    (size_t)(p - m->subject) <= m->len - len,
	    "group %u outside the line", n);
}

/* Tries match_named with every group name written in the pattern text. */
static void
check_names(struct pattern *pat, const char *text, const struct match *m)
{
	const char *s, *e;
	size_t skip, len;
	const char *p;
	char *name;
	bool has;

	for (s = text; (s = strstr(s, "(?")) != NULL; s++) {
		if (s[2] == '<' && s[3] != '=' && s[3] != '!')
			skip = 3;
		else if (s[2] == 'P' && s[3] == '<')
			skip = 4;
		else if (s[2] == '\'')
			skip = 3;
		else
			continue;
		for (e = s + skip; isalnum((unsigned char)*e) || *e == '_'; e++)
			;
		name = xstrndup(s + skip, (size_t)(e - s - skip));
		has = pattern_has_name(pat, name);
		if (m != NULL && match_named(m, name, &p, &len)) {
			FUZZ_CHECK(has, "match_named found %s, has_name not",
			    name);
			check_group(m, 0, true, p, len);
		}
		free(name);
	}
}

static int
match_one(struct pattern *pat, const char *text, const char *line,
    size_t len)
{
	struct match m;
	const char *p;
	size_t glen;
	unsigned n;
	int rc, rc2;

	memset(&m, 0, sizeof(m));
	rc = pattern_match(pat, line, len, &m);
	FUZZ_CHECK(rc >= -1 && rc <= 1, "pattern_match returned %d", rc);
	if (rc == 1) {
		FUZZ_CHECK(m.subject == line && m.len == len,
		    "match does not describe the line");
		for (n = 0; n < m.ngroups + 2; n++) {
			bool ok = match_group(&m, n, &p, &glen);

			FUZZ_CHECK(!ok || n < m.ngroups, "group %u beyond %u",
			    n, m.ngroups);
			check_group(&m, n, ok, p, glen);
		}
		check_names(pat, text, &m);
	} else
		check_names(pat, text, NULL);
	rc2 = pattern_match(pat, line, len, NULL);
	FUZZ_CHECK(rc2 == rc, "second match gave %d, first %d", rc2, rc);
	return rc;
}

static void
check_prefilter(struct pattern **pats, char **texts, size_t n,
    const char *line, size_t len, const int *rc)
{
	struct prefilter *pf;
	const uint64_t *bits;
	size_t i, j;

	pf = prefilter_new(pats, n);
	FUZZ_CHECK(prefilter_nalways(pf) <= n, "nalways > n");
	bits = prefilter_scan(pf, line, len);
	for (i = 0; i < n; i++) {
		bool cand = (bits[i / 64] >> (i % 64)) & 1;

		FUZZ_CHECK(rc[i] != 1 || cand, "the prefilter drops pattern "
		    "%zu (%s), which matches the line", i, texts[i]);
		j = prefilter_next(pf, bits, i);
		FUZZ_CHECK(j >= i && j <= n, "prefilter_next out of range");
		FUZZ_CHECK(!cand || j == i, "prefilter_next skips a "
		    "candidate");
	}
	/* A second scan of the same line gives the same candidates. */
	{
		uint64_t *copy = xcalloc(n / 64 + 1, sizeof(*copy));

		memcpy(copy, bits, (n / 64 + 1) * sizeof(*copy));
		bits = prefilter_scan(pf, line, len);
		FUZZ_CHECK(memcmp(copy, bits, (n + 63) / 64 *
		    sizeof(*copy)) == 0, "a second scan differs");
		free(copy);
	}
	prefilter_free(pf);
}

static void
check_lits(struct pattern **pats, size_t n)
{
	const struct prefilter_lits *a, *b;
	struct prefilter_lits *l;
	char *s;

	if (n == 0)
		return;
	a = pattern_literals(pats[0]);
	b = pattern_literals(pats[n - 1]);
	s = prefilter_lits_describe(a);
	free(s);
	l = prefilter_lits_and(prefilter_lits_dup(a), prefilter_lits_dup(b));
	s = prefilter_lits_describe(l);
	free(s);
	l = prefilter_lits_or(l, prefilter_lits_dup(a));
	s = prefilter_lits_describe(l);
	free(s);
	prefilter_lits_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pattern *pats[MAX_PATS];
	char *texts[MAX_PATS];
	int rc[MAX_PATS];
	const char *in = (const char *)data, *end = in + size, *nul, *s, *e;
	const char *line;
	size_t npat = 0, linelen, i;

	if (size > 16 * 1024)
		return -1;
	if ((nul = memchr(in, '\0', size)) != NULL) {
		line = nul + 1;
		end = nul;
	} else {
		if ((e = memchr(in, '\n', size)) == NULL)
			e = end;
		line = e < end ? e + 1 : in;
		end = e;
	}
	linelen = (size_t)((const char *)data + size - line);
	if (line == in)
		linelen = size;
	for (s = in; s <= end && npat < MAX_PATS; s = e + 1) {
		enum pattern_status st = PATTERN_OK;
		char *err = NULL, *text;
		size_t erroff = (size_t)-1;
		struct pattern *p;

		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		text = xstrndup(s, (size_t)(e - s));
		p = pattern_compile(text, &st, &err, &erroff);
		if (p == NULL) {
			FUZZ_CHECK(err != NULL, "no message for a failure");
			FUZZ_CHECK(st == PATTERN_BAD_REGEX ||
			    st == PATTERN_UNSUPPORTED, "bad status %d", st);
			FUZZ_CHECK(erroff <= strlen(text), "error offset %zu "
			    "past the text (%zu)", erroff, strlen(text));
			free(err);
			free(text);
			continue;
		}
		(void)pattern_warning(p);
		(void)pattern_is_compound(p);
		(void)pattern_ncaptures(p);
		pats[npat] = p;
		texts[npat] = text;
		rc[npat] = match_one(p, text, line, linelen);
		npat++;
	}
	if (npat > 0) {
		check_prefilter(pats, texts, npat, line, linelen, rc);
		check_lits(pats, npat);
	}
	for (i = 0; i < npat; i++) {
		pattern_free(pats[i]);
		free(texts[i]);
	}
	return 0;
}
