/*
 * Silent-log alerts (silent.h): parses "#% silent", keeps one clock and
 * one loop timer per silent rule, and runs the rule's actions with a
 * synthetic line when its pattern has not matched for long enough. Which
 * lines match is the engine's business (it calls us on each match of a
 * silent rule); what the actions do is action.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "config.h"
#include "engine.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "silent.h"
#include "subst.h"
#include "util.h"

#define SILENT_MAX_MS	(366ULL * 86400 * 1000)	/* a year and a day */

/* The parse. */

void
silent_spec_clear(struct silent_spec *sp)
{
	free(sp->after_text);
	free(sp->input);
	memset(sp, 0, sizeof(*sp));
}

static int
duration(const char *what, const char *s, uint64_t *ms, char **err)
{
	if (outbox_parse_duration(s, ms) == -1 || *ms == 0) {
		*err = xasprintf("silent: bad %s \"%s\" (write for example "
		    "30m, 1h, 90s or 500ms)", what, s);
		return -1;
	}
	if (*ms > SILENT_MAX_MS) {
		*err = xasprintf("silent: %s \"%s\" is over a year", what, s);
		return -1;
	}
	return 0;
}

/* One "name=value" word after the duration. */
static int
option(const char *w, struct silent_spec *sp, char **err)
{
	if (strncmp(w, "input=", 6) == 0 && w[6] != '\0') {
		free(sp->input);
		sp->input = xstrdup(w + 6);
		return 0;
	}
	if (strncmp(w, "repeat=", 7) == 0)
		return duration("repeat", w + 7, &sp->repeat, err);
	*err = xasprintf("silent: unknown option \"%s\" (known: input=PATH, "
	    "repeat=DURATION)", w);
	return -1;
}

int
silent_spec_parse(const char *value, struct silent_spec *sp, char **err)
{
	char *copy = xstrdup(value), *w, *save = NULL;
	int rc = 0;

	memset(sp, 0, sizeof(*sp));
	*err = NULL;
	w = strtok_r(copy, " \t", &save);
	if (w == NULL) {
		*err = xstrdup("silent: a duration is needed (#% silent 30m)");
		rc = -1;
	} else if ((rc = duration("duration", w, &sp->after, err)) == 0)
		sp->after_text = xstrdup(w);
	while (rc == 0 && (w = strtok_r(NULL, " \t", &save)) != NULL)
		rc = option(w, sp, err);
	free(copy);
	return rc;
}

char *
silent_line(const char *pattern_text, const struct silent_spec *sp)
{
	if (sp->input != NULL)
		return xasprintf("watchfor: no line matching %s in %s for %s",
		    pattern_text, sp->input, sp->after_text);
	return xasprintf("watchfor: no line matching %s for %s",
	    pattern_text, sp->after_text);
}

/* The clock. */

void
silent_clock_start(struct silent_clock *c, uint64_t after, uint64_t repeat,
    uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->after = after;
	c->repeat = repeat;
	c->last = now;
}

bool
silent_clock_match(struct silent_clock *c, uint64_t now)
{
	bool was = c->alerted;

	c->last = now;
	c->alerted = false;
	return was;
}

bool
silent_clock_due(struct silent_clock *c, uint64_t now)
{
	uint64_t d = silent_clock_deadline(c);

	if (d == 0 || now < d)
		return false;
	c->alerted = true;
	c->alerted_at = now;
	return true;
}

uint64_t
silent_clock_deadline(const struct silent_clock *c)
{
	if (!c->alerted)
		return c->last + c->after;
	if (c->repeat > 0)
		return c->alerted_at + c->repeat;
	return 0;
}

/* Follow mode. */

struct silent_rule {
	struct silent		*s;
	size_t			 index;		/* in cfg->rules */
	struct silent_spec	 spec;
	struct silent_clock	 clock;
	struct loop_timer	*timer;
	unsigned long long	 alerts;
};

struct silent {
	struct config		*cfg;
	struct engine		*engine;
	struct silent_rule	**by_rule;	/* per rule, NULL if not silent */
	const char		*input;		/* of the current line */
};

/* The last "#% silent" of `r`, or NULL. */
static const char *
silent_value(const struct rule *r)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < r->ndirectives; i++)
		if (strcmp(r->directives[i].name, "silent") == 0)
			v = r->directives[i].value;
	return v;
}

static void
arm(struct silent_rule *sr, uint64_t now)
{
	uint64_t d = silent_clock_deadline(&sr->clock);

	if (d == 0)
		loop_timer_disarm(sr->timer);
	else
		loop_timer_arm(sr->timer, d > now ? d - now : 1, 0);
}

/* The rule's actions, with the synthetic line and no captures. */
static void
alert(struct silent_rule *sr)
{
	struct rule *r = &sr->s->cfg->rules[sr->index];
	struct subst_ctx ctx;
	char *line;

	line = silent_line(r->pattern_text, &sr->spec);
	ctx.line = line;
	ctx.len = strlen(line);
	ctx.match = NULL;
	sr->alerts++;
	if (actions_run(r, &ctx) == ACTION_DIE)
		log_warnx("%s:%u: silent rule: an action failed as "
		    "swatchdog's would die; watchfor goes on", r->file,
		    r->line);
	free(line);
}

static void
on_timer(void *arg)
{
	struct silent_rule *sr = arg;
	uint64_t now = loop_now();

	if (silent_clock_due(&sr->clock, now))
		alert(sr);
	arm(sr, now);
}

static void
on_match(size_t rule, void *arg)
{
	struct silent *s = arg;
	struct silent_rule *sr = s->by_rule[rule];
	uint64_t now;

	if (sr == NULL || (sr->spec.input != NULL && (s->input == NULL ||
	    strcmp(s->input, sr->spec.input) != 0)))
		return;
	now = loop_now();
	if (silent_clock_match(&sr->clock, now))
		arm(sr, now);
}

struct silent *
silent_new(struct loop *lp, struct config *cfg, struct engine *e)
{
	struct silent *s = xcalloc(1, sizeof(*s));
	struct silent_rule *sr;
	const char *v;
	uint64_t now = loop_now();
	char *err;
	size_t i;

	s->cfg = cfg;
	s->engine = e;
	s->by_rule = xcalloc(cfg->nrules, sizeof(*s->by_rule));
	for (i = 0; i < cfg->nrules; i++) {
		if (!engine_rule_silent(e, i) ||
		    (v = silent_value(&cfg->rules[i])) == NULL)
			continue;
		sr = xcalloc(1, sizeof(*sr));
		if (silent_spec_parse(v, &sr->spec, &err) == -1) {
			/* the config check refused it already */
			log_warnx("%s:%u: %s", cfg->rules[i].file,
			    cfg->rules[i].line, err);
			free(err);
			silent_spec_clear(&sr->spec);
			free(sr);
			continue;
		}
		sr->s = s;
		sr->index = i;
		silent_clock_start(&sr->clock, sr->spec.after,
		    sr->spec.repeat, now);
		sr->timer = loop_timer_new(lp, on_timer, sr);
		arm(sr, now);
		s->by_rule[i] = sr;
	}
	engine_set_silent_hook(e, on_match, s);
	return s;
}

void
silent_free(struct silent *s)
{
	size_t i;

	if (s == NULL)
		return;
	engine_set_silent_hook(s->engine, NULL, NULL);
	for (i = 0; i < s->cfg->nrules; i++) {
		if (s->by_rule[i] == NULL)
			continue;
		loop_timer_free(s->by_rule[i]->timer);
		silent_spec_clear(&s->by_rule[i]->spec);
		free(s->by_rule[i]);
	}
	free(s->by_rule);
	free(s);
}

void
silent_set_input(struct silent *s, const char *path)
{
	if (s != NULL)
		s->input = path;
}

unsigned long long
silent_alerts(const struct silent *s, size_t rule)
{
	if (s == NULL || rule >= s->cfg->nrules || s->by_rule[rule] == NULL)
		return 0;
	return s->by_rule[rule]->alerts;
}
