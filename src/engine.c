/*
 * The engine: one record through the rules in order (spec section 5).
 * ignore ends the record, waitfor does nothing, a matching watchfor runs
 * its actions and ends the record unless it has `continue`; `quit` makes
 * the caller stop reading. Matching is pattern.c's business and acting is
 * action.c's; this module only keeps the order and the counters.
 */
#include <stdlib.h>

#include "action.h"
#include "config.h"
#include "engine.h"
#include "pattern.h"
#include "subst.h"
#include "util.h"

struct engine {
	struct config		*cfg;
	unsigned long long	 records;
	unsigned long long	*hits;		/* per rule */
};

struct engine *
engine_new(struct config *cfg)
{
	struct engine *e;

	e = xcalloc(1, sizeof(*e));
	e->cfg = cfg;
	e->hits = xcalloc(cfg->nrules, sizeof(*e->hits));
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	free(e->hits);
	free(e);
}

bool
engine_record(struct engine *e, const char *rec, size_t len)
{
	struct config *cfg = e->cfg;
	struct match m;
	struct subst_ctx ctx;
	struct rule *r;
	size_t i;

	e->records++;
	for (i = 0; i < cfg->nrules; i++) {
		r = &cfg->rules[i];
		if (pattern_match(r->pattern, rec, len, &m) != 1)
			continue;
		e->hits[i]++;
		if (r->kind == RULE_IGNORE)
			return true;
		if (r->kind == RULE_WAITFOR)
			continue;
		ctx.line = rec;
		ctx.len = len;
		ctx.match = &m;
		if (actions_run(r, &ctx) == ACTION_DIE)
			return false;
		if (r->quit)
			return false;
		if (!r->cont)
			return true;
	}
	return true;
}

unsigned long long
engine_records(const struct engine *e)
{
	return e->records;
}

unsigned long long
engine_rule_hits(const struct engine *e, size_t rule)
{
	return rule < e->cfg->nrules ? e->hits[rule] : 0;
}
