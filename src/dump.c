/*
 * The --dump-script listing (see dump.h). Plain data in, text out; the
 * bytes of values are shown C-escaped so control characters are visible.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dump.h"

static void
quoted(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void
dump_action(const struct action *a, FILE *fp)
{
	size_t i;

	fprintf(fp, "\t%s", a->name);
	if (a->arg != NULL) {
		fputs(" arg=", fp);
		quoted(fp, a->arg);
	}
	for (i = 0; i < a->nmodes; i++) {
		fputs(i == 0 ? " modes=" : ",", fp);
		quoted(fp, a->modes[i]);
	}
	for (i = 0; i < a->nopts; i++) {
		fprintf(fp, " %s=", a->opts[i].name);
		quoted(fp, a->opts[i].value);
	}
	fprintf(fp, "\t# %s:%u\n", a->file, a->line);
}

void
dump_config(const struct config *cfg, FILE *fp)
{
	const struct rule *r;
	size_t i, j;

	fputs("### Watcher Script BEGIN ###\n", fp);
	for (i = 0; i < cfg->ndirectives; i++)
		fprintf(fp, "#%% %s %s\t# %s:%u\n", cfg->directives[i].name,
		    cfg->directives[i].value, cfg->directives[i].file,
		    cfg->directives[i].line);
	for (i = 0; i < cfg->nrules; i++) {
		r = &cfg->rules[i];
		/* a line with "=" keeps a blank before the value (spec 4) */
		fprintf(fp, "%s %s\t# %s:%u", config_rule_keyword(r->kind),
		    r->pattern_text + strspn(r->pattern_text, " \t"),
		    r->file, r->line);
		if (r->kind == RULE_WATCHFOR)
			fprintf(fp, ", rule %u", r->id);
		fputc('\n', fp);
		if (r->threshold_act != NULL)
			dump_action(r->threshold_act, fp);
		if (r->throttle_act != NULL)
			dump_action(r->throttle_act, fp);
		for (j = 0; j < r->nactions; j++)
			dump_action(&r->actions[j], fp);
		for (j = 0; j < r->ndirectives; j++)
			fprintf(fp, "\t#%% %s %s\n", r->directives[j].name,
			    r->directives[j].value);
	}
	fputs("### Watcher Script END ###\n", fp);
}
