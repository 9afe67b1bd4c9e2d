/*
 * Follow mode's stats file (stats.h): counts lines per input and reloads,
 * gathers the other modules' counters into a snapshot, and writes the
 * formatted text (stats_format.c) atomically on a loop timer. The
 * counters themselves belong to the modules that keep them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "action_mail.h"
#include "config.h"
#include "engine.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "opts.h"
#include "silent.h"
#include "stats.h"
#include "util.h"

struct stats {
	struct loop		*loop;
	struct stats_sources	 src;
	char			*path;		/* NULL: no file */
	uint64_t		 interval;	/* ms */
	struct loop_timer	*timer;
	time_t			 start;
	uint64_t		 start_mono;	/* loop_now() at start */
	struct stats_input_count *inputs;	/* names owned */
	size_t			 ninputs;
	size_t			 last;		/* cache: the last input */
	unsigned long long	 reloads_ok;
	unsigned long long	 reloads_failed;
	bool			 failing;	/* the last write failed */
};

static void
on_timer(void *arg)
{
	stats_write(arg);
}

struct stats *
stats_new(struct loop *lp, const struct stats_sources *src)
{
	struct stats *st = xcalloc(1, sizeof(*st));

	st->loop = lp;
	st->src = *src;
	st->start = time(NULL);
	st->start_mono = loop_now();
	st->timer = loop_timer_new(lp, on_timer, st);
	return st;
}

void
stats_free(struct stats *st)
{
	size_t i;

	if (st == NULL)
		return;
	loop_timer_free(st->timer);
	for (i = 0; i < st->ninputs; i++)
		free((char *)st->inputs[i].name);
	free(st->inputs);
	free(st->path);
	free(st);
}

/* The last value of global directive `name`, or NULL. */
static const char *
directive(const struct config *cfg, const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->ndirectives; i++)
		if (strcmp(cfg->directives[i].name, name) == 0)
			v = cfg->directives[i].value;
	return v;
}

/* The index of input `name`, added with zero counts if new. */
static size_t
input_index(struct stats *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ninputs; i++)
		if (strcmp(st->inputs[i].name, name) == 0)
			return i;
	st->inputs = xreallocarray(st->inputs, i + 1, sizeof(*st->inputs));
	memset(&st->inputs[i], 0, sizeof(st->inputs[i]));
	st->inputs[i].name = xstrdup(name);
	st->ninputs++;
	return i;
}

/*
 * The followed files are shown from the start, at 0 (-t takes blank
 * separated names, as follow.c reads them).
 */
static void
seed_inputs(struct stats *st, const struct opts *o, const struct config *cfg)
{
	char *copy, *w, *save;
	size_t i;

	for (i = 0; i < o->ntail_files; i++) {
		copy = xstrdup(o->tail_files[i]);
		save = NULL;
		for (w = strtok_r(copy, " \t\n", &save); w != NULL;
		    w = strtok_r(NULL, " \t\n", &save))
			(void)input_index(st, w);
		free(copy);
	}
	for (i = 0; cfg != NULL && i < cfg->ninputs; i++)
		(void)input_index(st, cfg->inputs[i]);
}

int
stats_configure(struct stats *st, const struct opts *o,
    const struct config *cfg)
{
	const char *path, *ival;
	uint64_t ms = STATS_INTERVAL_MS;
	char *err;

	path = o->stats_file != NULL ? o->stats_file :
	    directive(cfg, "stats-file");
	ival = o->stats_interval != NULL ? o->stats_interval :
	    directive(cfg, "stats-interval");
	if (ival != NULL) {
		if ((err = stats_directive_error("stats-interval", ival)) !=
		    NULL) {
			log_warnx("--%s", err);
			free(err);
			return -1;
		}
		(void)outbox_parse_duration(ival, &ms);
	}
	seed_inputs(st, o, cfg);
	free(st->path);
	st->path = path != NULL && *path != '\0' ? xstrdup(path) : NULL;
	st->interval = ms;
	if (st->path != NULL)
		loop_timer_arm(st->timer, ms, ms);
	else
		loop_timer_disarm(st->timer);
	return 0;
}

void
stats_line(struct stats *st, const char *name, size_t len)
{
	struct stats_input_count *c;

	if (st == NULL)
		return;
	if (st->last >= st->ninputs || strcmp(st->inputs[st->last].name,
	    name) != 0)
		st->last = input_index(st, name);
	c = &st->inputs[st->last];
	c->lines++;
	c->bytes += len + 1;
}

void
stats_reloaded(struct stats *st, bool ok)
{
	if (st == NULL)
		return;
	if (ok)
		st->reloads_ok++;
	else
		st->reloads_failed++;
}

/* The rules of the running config; the caller frees the array. */
static struct stats_rule_count *
rule_counts(const struct stats *st, size_t *n)
{
	const struct instance *in = *st->src.in;
	const struct silent *sil = st->src.silent != NULL ?
	    *st->src.silent : NULL;
	struct stats_rule_count *rc;
	const struct rule *r;
	size_t i;

	*n = in->cfg->nrules;
	rc = xcalloc(*n + 1, sizeof(*rc));
	for (i = 0; i < *n; i++) {
		r = &in->cfg->rules[i];
		rc[i].file = r->file;
		rc[i].line = r->line;
		rc[i].pattern = r->pattern_text;
		rc[i].matches = engine_rule_hits(in->engine, i);
		rc[i].silent = engine_rule_silent(in->engine, i);
		rc[i].silent_alerts = silent_alerts(sil, i);
	}
	return rc;
}

static void
snapshot(const struct stats *st, struct stats_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->start = st->start;
	s->uptime = (loop_now() - st->start_mono) / 1000;
	s->reloads_ok = st->reloads_ok;
	s->reloads_failed = st->reloads_failed;
	s->inputs = st->inputs;
	s->ninputs = st->ninputs;
	actions_get_stats(&s->actions);
	if (st->src.exec != NULL && *st->src.exec != NULL)
		executor_get_stats(*st->src.exec, &s->exec);
	if (st->src.outbox != NULL && *st->src.outbox != NULL)
		outbox_stats(*st->src.outbox, &s->outbox);
	if (st->src.tail != NULL && *st->src.tail != NULL)
		tail_stats(*st->src.tail, &s->tail);
	s->mails_folded = mail_cap_folded();
	s->mail_digests = mail_cap_digests();
}

void
stats_write(struct stats *st)
{
	struct stats_rule_count *rc;
	struct stats_snapshot s;
	struct buf b = { 0 };

	if (st == NULL || st->path == NULL)
		return;
	snapshot(st, &s);
	rc = rule_counts(st, &s.nrules);
	s.rules = rc;
	stats_format(&b, &s);
	if (stats_write_file(st->path, b.data, b.len) == -1) {
		if (!st->failing)
			log_warn("stats file %s", st->path);
		st->failing = true;
	} else if (st->failing) {
		log_warnx("stats file %s written again", st->path);
		st->failing = false;
	}
	free(rc);
	buf_free(&b);
}

int
stats_write_file(const char *path, const char *data, size_t len)
{
	/* 0644: node_exporter reads it */
	return util_write_atomic(path, data, len, 0644);
}
