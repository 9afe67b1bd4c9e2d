/*
 * The engine: one record through the rules in order (spec section 5).
 * ignore ends the record, waitfor does nothing, a matching watchfor runs
 * its actions and ends the record unless it has `continue`; `quit` makes
 * the caller stop reading. Matching is pattern.c's business and acting is
 * action.c's; this module only keeps the order and the counters.
 */
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "config.h"
#include "engine.h"
#include "pattern.h"
#include "prefilter.h"
#include "subst.h"
#include "util.h"

/*
 * With few rules PCRE2's own search is faster than a literal scan first
 * (bench/patbench.c: 1 rule 16M lines/s bare, 5M with the prefilter).
 */
#define ENGINE_PREFILTER_MIN	4

struct engine {
	struct config		*cfg;
	struct prefilter	*pf;		/* NULL: try every rule */
	engine_hit_cb		*observer;	/* --test, or NULL */
	void			*observer_arg;
	bool			*silent;	/* per rule: "#% silent" */
	engine_silent_cb	*silent_cb;	/* follow mode, or NULL */
	void			*silent_arg;
	unsigned long long	 records;
	unsigned long long	*hits;		/* per rule */
};

/* Which rules are dead-man switches (silent.h). */
static void
mark_silent(struct engine *e)
{
	const struct rule *r;
	size_t i, j;

	for (i = 0; i < e->cfg->nrules; i++) {
		r = &e->cfg->rules[i];
		for (j = 0; j < r->ndirectives; j++)
			if (r->kind == RULE_WATCHFOR &&
			    strcmp(r->directives[j].name, "silent") == 0)
				e->silent[i] = true;
	}
}

struct engine *
engine_new(struct config *cfg)
{
	struct engine *e;

	e = xcalloc(1, sizeof(*e));
	e->cfg = cfg;
	e->hits = xcalloc(cfg->nrules, sizeof(*e->hits));
	e->silent = xcalloc(cfg->nrules, sizeof(*e->silent));
	mark_silent(e);
	if (cfg->nrules >= ENGINE_PREFILTER_MIN) {
		struct pattern **pats;
		size_t i;

		pats = xcalloc(cfg->nrules, sizeof(*pats));
		for (i = 0; i < cfg->nrules; i++)
			pats[i] = cfg->rules[i].pattern;
		e->pf = prefilter_new(pats, cfg->nrules);
		free(pats);
	}
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	prefilter_free(e->pf);
	free(e->hits);
	free(e->silent);
	free(e);
}

/*
 * Rule i matched: 1 go on with the next rule, 0 the record is done, -1
 * stop reading (quit, or swatchdog's watcher would die).
 */
static int
engine_hit(struct engine *e, size_t i, const char *rec, size_t len,
    const struct match *m)
{
	struct rule *r = &e->cfg->rules[i];
	struct subst_ctx ctx = { rec, len, m };

	e->hits[i]++;
	if (e->observer != NULL)
		e->observer(i, m, e->observer_arg);
	if (r->kind == RULE_IGNORE)
		return 0;
	if (r->kind == RULE_WAITFOR)
		return 1;
	if (e->silent[i]) {
		if (e->silent_cb != NULL)
			e->silent_cb(i, e->silent_arg);
		return 1;
	}
	if (actions_run(r, &ctx) == ACTION_DIE || r->quit)
		return -1;
	return r->cont ? 1 : 0;
}

bool
engine_record(struct engine *e, const char *rec, size_t len)
{
	struct config *cfg = e->cfg;
	const uint64_t *cand;
	struct match m;
	size_t i, n = cfg->nrules;
	int rc = 1;

	e->records++;
	if (e->pf == NULL) {
		for (i = 0; i < n && rc == 1; i++)
			if (pattern_match(cfg->rules[i].pattern, rec, len,
			    &m) == 1)
				rc = engine_hit(e, i, rec, len, &m);
		return rc != -1;
	}
	/* Only rules whose required literals occur can match. */
	cand = prefilter_scan(e->pf, rec, len);
	for (i = prefilter_next(e->pf, cand, 0); i < n && rc == 1;
	    i = prefilter_next(e->pf, cand, i + 1))
		if (pattern_match(cfg->rules[i].pattern, rec, len, &m) == 1)
			rc = engine_hit(e, i, rec, len, &m);
	return rc != -1;
}

void
engine_set_observer(struct engine *e, engine_hit_cb *cb, void *arg)
{
	e->observer = cb;
	e->observer_arg = arg;
}

void
engine_set_silent_hook(struct engine *e, engine_silent_cb *cb, void *arg)
{
	e->silent_cb = cb;
	e->silent_arg = arg;
}

bool
engine_rule_silent(const struct engine *e, size_t rule)
{
	return rule < e->cfg->nrules && e->silent[rule];
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
