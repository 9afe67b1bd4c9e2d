/*
 * The old-style config (-O, spec section 4.9, swatchdog lines 307-340):
 * one rule per line, `PATTERN<TAB>ACTIONS[<TAB>THROTTLE]`. swatchdog
 * checks nothing here (a bad line breaks its generated script); watchfor
 * reports such lines as its own errors. "#%" directives work as in the
 * new style. Action values are parsed by config_value.c.
 */
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "diag.h"
#include "log.h"
#include "pattern.h"

struct field {
	size_t	off;
	size_t	len;
};

/* Perl's split(/\t+/): a leading empty field stays, trailing ones go. */
static size_t
split_tabs(const char *s, size_t n, struct field *f, size_t max)
{
	size_t i = 0, nf = 0, b;

	while (nf < max) {
		b = i;
		while (i < n && s[i] != '\t')
			i++;
		f[nf].off = b;
		f[nf].len = i - b;
		nf++;
		if (i >= n)
			break;
		while (i < n && s[i] == '\t')
			i++;
		if (i >= n)
			break;
	}
	while (nf > 0 && f[nf - 1].len == 0)
		nf--;
	return nf;
}

/*
 * One `name=value` of the ACTIONS field: split(/\s*=\s*\/) keeps the
 * text before the first separator and the text up to the second.
 */
static void
old_action(struct cfg_parser *p, const char *file, const struct lline *ll,
    size_t off, size_t len, struct rule *r)
{
	const char *s = ll->text.data + off;
	size_t eq, kb, vb, ve, j;
	char *key;

	if (len == 0)
		return;		/* split gives nothing: no action */
	for (eq = 0; eq < len && s[eq] != '='; eq++)
		;
	for (kb = eq; eq < len && kb > 0 && cfg_space(s[kb - 1]); kb--)
		;
	vb = ve = len;
	if (eq < len) {
		for (vb = eq + 1; vb < len && cfg_space(s[vb]); vb++)
			;
		for (j = vb; j < len && s[j] != '='; j++)
			;
		for (ve = j; j < len && ve > vb && cfg_space(s[ve - 1]); ve--)
			;
	}
	key = xstrndup(s, kb);
	cfg_make_action(p, file, ll, key, off, off + vb, ve - vb, r);
	free(key);
}

static void
old_rule(struct cfg_parser *p, const char *file, const struct lline *ll,
    unsigned lineno)
{
	const char *t = ll->text.data;
	size_t n = ll->text.len, nf, i, b;
	struct field f[3];
	struct rule r = { 0 };

	nf = split_tabs(t, n, f, 3);
	r.file = file;
	r.line = lineno;
	r.col = 1;
	if (memmem(t, n, "ignore", 6) != NULL) {
		r.kind = RULE_IGNORE;
		if (p->check && (nf < 2 || f[1].len != 6 ||
		    memcmp(t + f[1].off, "ignore", 6) != 0))
			diag_report(p->diag, DIAG_WARN, file, lineno, 1, NULL, 0,
			    "%s", "this line contains \"ignore\": swatchdog "
			    "reads it as an ignore rule");
	} else
		r.kind = RULE_WATCHFOR;
	if (nf == 0 || f[0].len == 0) {
		diag_report(p->diag, DIAG_ERROR, file, lineno, 1, NULL, 0, "%s",
		    "rule without a pattern");
		return;
	}
	r.pattern_text = xstrndup(t + f[0].off, f[0].len);
	cfg_compile_pattern(p, &r, file, ll, f[0].off, f[0].len, lineno, false);
	if (r.kind == RULE_WATCHFOR) {
		if (nf > 2 && t[f[2].off] >= '0' && t[f[2].off] <= '9') {
			r.throttle = xstrndup(t + f[2].off, f[2].len);
			cfg_set_gate(p, file, ll, &r, true, f[2].off,
			    f[2].len);
		}
		if (nf > 1) {
			/* split(/,/): trailing empty pieces are dropped. */
			size_t end = f[1].off + f[1].len;

			while (end > f[1].off && t[end - 1] == ',')
				end--;
			for (b = i = f[1].off; i <= end; i++) {
				if (i < end && t[i] != ',')
					continue;
				old_action(p, file, ll, b, i - b, &r);
				b = i + 1;
			}
		}
	}
	cfg_store_rule(p, &r);
}

void
cfg_read_old(struct cfg_parser *p, const char *path)
{
	struct lline ll = { 0 };
	const char *name, *nul;
	char *raw = NULL;
	size_t cap = 0, b, e;
	ssize_t n;
	unsigned lineno = 0;
	int rerr = 0;
	FILE *fp;

	if ((fp = cfg_open(p, path, true, NULL, 0, 0, &name)) == NULL)
		return;
	while (!diag_stopped(p->diag) &&
	    (n = cfg_getline(fp, &raw, &cap, &rerr)) != -1) {
		lineno++;
		e = (size_t)n;
		if (e > 0 && raw[e - 1] == '\n')
			e--;	/* chomp only: a CR stays */
		for (b = 0; b < e && cfg_space(raw[b]); b++)
			;
		if (b == e)
			continue;
		lline_reset(&ll);
		if (raw[b] == '#') {
			while (e > b && cfg_space(raw[e - 1]))
				e--;
			lline_add(&ll, raw + b, e - b, lineno, (unsigned)b + 1);
			if (cfg_is_directive(raw + b, e - b))
				cfg_directive(p, name, &ll, p->cfg->nrules > 0 ?
				    &p->cfg->rules[p->cfg->nrules - 1] : NULL,
				    false);
			continue;
		}
		lline_add(&ll, raw, e, lineno, 1);
		if ((nul = memchr(raw, '\0', e)) != NULL) {
			diag_report(p->diag, DIAG_ERROR, name, lineno,
			    (unsigned)(nul - raw) + 1, NULL, 0, "%s",
			    "NUL byte in a configuration line");
			continue;
		}
		old_rule(p, name, &ll, lineno);
	}
	cfg_close(p, fp);
	free(raw);
	lline_free(&ll);
	if (!diag_stopped(p->diag) && p->nsw == 0)
		diag_report(p->diag, DIAG_ERROR, path, 0, 0, NULL, 0, "%s",
		    "no rules in this old-style configuration file");
}
