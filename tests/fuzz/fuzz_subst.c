/*
 * Fuzz target: action value templates (subst.c). The input is a flags
 * byte (bit 0: TMPL_COMMAND, bit 1: --awk-field-syntax), then the template
 * text, a NUL, the line, a NUL, and a pattern (a default one with groups
 * when absent). The template is compiled, and expanded against the line
 * with and without the pattern's match. Checked: an expansion is the
 * concatenation of its segments' expansions, a literal template does not
 * depend on the line, a failure points inside the text, and
 * subst_shell_escape puts one backslash before each special byte and
 * changes nothing else.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pattern.h"
#include "subst.h"
#include "util.h"

#define DEFAULT_PATTERN	"/^(\\S*)\\s*(?<rest>(\\S*).*)$/"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* The reference: swatchdog's $S_ (spec section 3). */
static void
check_escape(const char *line, size_t len)
{
	static const char special[] = ";&()|^><$`'\\";
	struct buf b = { 0 };
	size_t i, j = 0;

	subst_shell_escape(line, len, &b);
	for (i = 0; i < len; i++) {
		if (line[i] != '\0' && strchr(special, line[i]) != NULL) {
			FUZZ_CHECK(j < b.len && b.data[j] == '\\',
			    "no backslash before byte %zu", i);
			j++;
		}
		FUZZ_CHECK(j < b.len && b.data[j] == line[i],
		    "byte %zu changed by the escape", i);
		j++;
	}
	FUZZ_CHECK(j == b.len, "escape added %zu bytes at the end",
	    b.len - j);
	buf_free(&b);
}

static void
expand_both_ways(const struct tmpl *t, const struct subst_ctx *ctx,
    struct buf *whole)
{
	struct buf parts = { 0 };
	size_t i;

	buf_reset(whole);
	tmpl_expand(t, ctx, whole);
	FUZZ_CHECK(whole->data != NULL, "tmpl_expand left no buffer");
	for (i = 0; i < t->nsegs; i++) {
		const struct tmpl_seg *sg = &t->segs[i];

		if (sg->kind == TMPL_LIT)
			buf_add(&parts, sg->text, sg->len);
		else
			tmpl_expand_seg(sg, ctx, &parts);
	}
	FUZZ_CHECK(parts.len == whole->len && (parts.len == 0 ||
	    memcmp(parts.data, whole->data, parts.len) == 0),
	    "expansion is not the concatenation of its segments");
	buf_free(&parts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *p, *q;
	char *text, *line, *ptext, *err = NULL;
	enum pattern_status st;
	struct pattern *pat = NULL;
	struct subst_ctx ctx;
	struct match m;
	struct tmpl *t;
	struct buf a = { 0 }, b = { 0 };
	size_t linelen, erroff = (size_t)-1;
	bool command, awk;

	if (size < 1 || size > 16 * 1024)
		return -1;
	command = in[0] & 1;
	awk = in[0] & 2;
	in++;
	if ((p = memchr(in, '\0', (size_t)(end - in))) == NULL)
		p = end;
	text = xstrndup(in, (size_t)(p - in));
	if (p < end) {
		p++;
		if ((q = memchr(p, '\0', (size_t)(end - p))) == NULL)
			q = end;
		linelen = (size_t)(q - p);
		line = xmalloc(linelen + 1);
		memcpy(line, p, linelen);
		line[linelen] = '\0';
		ptext = q < end ? xstrndup(q + 1, (size_t)(end - q - 1)) :
		    xstrdup(DEFAULT_PATTERN);
	} else {
		line = xstrdup("Jan  1 00:00:00 host prog[1]: a=b; $(rm) `x` "
		    "'q' \\ end");
		linelen = strlen(line);
		ptext = xstrdup(DEFAULT_PATTERN);
	}

	check_escape(line, linelen);

	t = tmpl_compile(text, command ? TMPL_COMMAND : TMPL_VALUE, awk, &err,
	    &erroff);
	if (t == NULL) {
		FUZZ_CHECK(err != NULL, "no message for a failure");
		FUZZ_CHECK(erroff <= strlen(text), "error offset %zu past the "
		    "text (%zu)", erroff, strlen(text));
		free(err);
		goto out;
	}
	if ((pat = pattern_compile(ptext, &st, &err, &erroff)) == NULL) {
		free(err);
		err = NULL;
	}
	memset(&m, 0, sizeof(m));
	ctx.line = line;
	ctx.len = linelen;
	ctx.match = pat != NULL && pattern_match(pat, line, linelen, &m) == 1 ?
	    &m : NULL;
	expand_both_ways(t, &ctx, &a);
	ctx.match = NULL;
	expand_both_ways(t, &ctx, &b);
	if (tmpl_is_literal(t)) {
		FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		    "a literal template depends on the match");
		ctx.line = "other";
		ctx.len = 5;
		expand_both_ways(t, &ctx, &b);
		FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		    "a literal template depends on the line");
	}
	tmpl_free(t);
out:
	buf_free(&a);
	buf_free(&b);
	pattern_free(pat);
	free(text);
	free(line);
	free(ptext);
	return 0;
}
