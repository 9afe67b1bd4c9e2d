/*
 * Actions (spec section 10): compiled once by actions_prepare() into a
 * per-action runtime form, then run in written order for each matched
 * record. This file holds the dispatch, the options every action shares
 * (message=, when=) and the in-process actions (echo, bell); the ones that
 * start programs live in their own modules.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "action_priv.h"
#include "action_exec.h"
#include "action_mail.h"
#include "ansi.h"
#include "config.h"
#include "executor.h"
#include "diag.h"
#include "digest.h"
#include "log.h"
#include "out.h"
#include "subst.h"
#include "threshold.h"
#include "throttle.h"
#include "util.h"
#include "webhook.h"

/* when=DAYS:HOURS (spec 10.11), as bit sets. */
struct when {
	unsigned	 days;		/* bit 0 = Sunday */
	unsigned long	 hours;		/* bit 0 = 00:00-00:59 */
};

/* A threshold (spec 10.10): options are interpolated for each event. */
struct thr_rt {
	unsigned		 swid;		/* rule id, or per action */
	struct tmpl		*track_by;	/* NULL: every event one key */
	struct tmpl		*type;
	struct tmpl		*count;
	struct tmpl		*seconds;
};

struct action_rt {
	struct tmpl		*message;	/* message=, or NULL */
	bool			 has_when;
	struct when		 when;
	struct thr_rt		*thr;		/* thresholding=on, or NULL */
	struct ansi_modes	*modes;		/* echo */
	char			*mode_error;	/* echo: swatchdog dies with it */
	long			 rings;		/* bell */
	double			 delay;		/* bell, seconds */
	struct exec_action	*exec;		/* exec, pipe */
	struct mail_action	*mail;
	struct write_action	*write;
};

/* A rule's throttle (spec 10.9). */
struct throttle_rt {
	struct throttle_spec	 spec;
	struct tmpl		*key;		/* NULL: key=log */
	struct tmpl		*message;	/* message= of the throttle */
};

/* Gates of a rule, kept in rule->priv. */
struct rule_rt {
	struct thr_rt		*thr;
	struct throttle_rt	*thl;
	struct webhook		**hooks;	/* "#% webhook", in order */
	size_t			 nhooks;
	uint64_t		 owner;		/* hash of the rule's text */
};

/* The state swatchdog keeps in one global table each. */
static struct throttle	*throttles;
static struct threshold	*thresholds;
#define ACTION_MAX_KEYS	100000		/* per table, least recent dropped */
/* Per-action thresholds get ids past every rule's (swatchdog: all 0). */
static unsigned		 next_action_swid;

static const struct action_params *params;
static struct config *cur_cfg;		/* whose rules digests run */
static bool	 dryrun;		/* --test */
static time_t	 fixed_now;		/* --test: the line's time, or 0 */
static struct actions_stats counters;

void
actions_set_dryrun(bool on)
{
	dryrun = on;
}

void
actions_set_now(time_t now)
{
	fixed_now = now;
}

void
actions_get_stats(struct actions_stats *st)
{
	*st = counters;
}

static time_t
gate_now(void)
{
	return fixed_now != 0 ? fixed_now : time(NULL);
}

/* --test: one line of description, the text C-escaped. */
static void
say(const char *what, const char *text, size_t len)
{
	struct buf b = { 0 };
	size_t i;

	buf_addf(&b, "    %s", what);
	if (text != NULL) {
		buf_adds(&b, " \"");
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)text[i];

			if (c == '"' || c == '\\')
				buf_addf(&b, "\\%c", c);
			else if (c < 0x20 || c >= 0x7f)
				buf_addf(&b, "\\x%02x", c);
			else
				buf_addc(&b, (char)c);
		}
		buf_addc(&b, '"');
	}
	buf_addc(&b, '\n');
	out_write(b.data, b.len);
	buf_free(&b);
}
static struct action_params saved_params;

static const struct action_opt *
find_opt(const struct action *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return &a->opts[i];
	return NULL;
}

/*
 * Perl's numeric value of a string, as "2 rings" == 2: leading blanks,
 * a sign, digits and a fraction; anything else ends the number.
 */
static double
perl_number(const char *s)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0)
		return 0;
	return v;
}

/* One part of when=: `*`, N or A-B within [0, max]; false if never. */
static void
when_part(const char *s, size_t len, unsigned max, unsigned long *set)
{
	unsigned long lo, hi, v;
	char *end, tmp[32];

	*set = 0;
	if (len == 0 || len >= sizeof(tmp))
		return;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strcmp(tmp, "*") == 0) {
		lo = 0;
		hi = max;
	} else {
		lo = strtoul(tmp, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (*end != '\0')
			return;
	}
	for (v = lo; v <= hi && v <= max; v++)
		*set |= 1UL << v;
}

static void
when_parse(const char *s, struct when *w)
{
	const char *colon;
	unsigned long days;

	w->days = 0;
	w->hours = 0;
	if ((colon = strchr(s, ':')) == NULL)
		return;		/* a missing :HOURS means never */
	when_part(s, (size_t)(colon - s), 6, &days);
	w->days = (unsigned)days;
	when_part(colon + 1, strlen(colon + 1), 23, &w->hours);
}

static bool
when_now(const struct when *w)
{
	struct tm tm;
	time_t now = gate_now();

	if (localtime_r(&now, &tm) == NULL)
		return true;
	return (w->days & (1U << tm.tm_wday)) != 0 &&
	    (w->hours & (1UL << tm.tm_hour)) != 0;
}

/*
 * An unknown echo mode kills swatchdog's watcher at the first line that
 * reaches the action (spec 10.1), and scripts may rely on that; --check
 * reports it as the error it is.
 */
static int
prepare_echo(struct action *a, struct action_rt *rt, struct diag *d)
{
	char *err = NULL;

	if ((rt->modes = ansi_compile(a->modes, a->nmodes, &err)) != NULL)
		return 0;
	if (diag_check_mode(d)) {
		diag_report(d, DIAG_ERROR, a->file, a->line, a->col, NULL, 0,
		    "echo: %s", err);
		free(err);
		return -1;
	}
	rt->mode_error = err;
	return 0;
}

/* Compiles option `name` of `a` as a value template; NULL if absent. */
static int
opt_tmpl(const struct action *a, const char *name, struct tmpl **t,
    struct diag *d)
{
	const struct action_opt *o;
	char *err = NULL;
	size_t off;

	char *text;

	*t = NULL;
	if ((o = find_opt(a, name)) == NULL)
		return 0;
	/* swatchdog escapes @ in every mail option (spec 7) */
	text = a->kind == ACT_MAIL ? exec_escape_at(o->value) :
	    xstrdup(o->value);
	*t = tmpl_compile(text, TMPL_VALUE, false, &err, &off);
	free(text);
	if (*t != NULL)
		return 0;
	diag_report(d, DIAG_ERROR, a->file, a->line, o->col + (unsigned)off,
	    NULL, 0, "%s: %s", o->name, err);
	free(err);
	return -1;
}

static void
thr_free(struct thr_rt *t)
{
	if (t == NULL)
		return;
	tmpl_free(t->track_by);
	tmpl_free(t->type);
	tmpl_free(t->count);
	tmpl_free(t->seconds);
	free(t);
}

/* The threshold options of `a` (block or action level). */
static struct thr_rt *
prepare_thr(const struct action *a, unsigned swid, struct diag *d)
{
	struct thr_rt *t;
	enum threshold_type ty;
	const struct action_opt *o;

	t = xcalloc(1, sizeof(*t));
	t->swid = swid;
	if (opt_tmpl(a, "TRACK_BY", &t->track_by, d) == -1 ||
	    opt_tmpl(a, "TYPE", &t->type, d) == -1 ||
	    opt_tmpl(a, "COUNT", &t->count, d) == -1 ||
	    opt_tmpl(a, "SECONDS", &t->seconds, d) == -1) {
		thr_free(t);
		return NULL;
	}
	o = find_opt(a, "TYPE");
	if (diag_check_mode(d) && (o == NULL || (tmpl_is_literal(t->type) &&
	    threshold_parse_type(o->value, &ty) == -1)))
		diag_report(d, DIAG_ERROR, a->file, a->line,
		    o != NULL ? o->col : a->col, NULL, 0,
		    "threshold type must be limit, threshold or both");
	return t;
}

#define BELL_MAX_RINGS	1000
#define BELL_MAX_DELAY	60.0	/* seconds */

static void
prepare_bell(struct action *a, struct action_rt *rt)
{
	const struct action_opt *o;
	double rings;

	rings = a->arg != NULL ? perl_number(a->arg) : 1;
	/*
	 * Perl counts down from the number while it is above 0, so 2.5
	 * rings 3 times; capped to a sane count (nan rings none).
	 */
	if (!(rings > 0))
		rt->rings = 0;
	else if (rings > BELL_MAX_RINGS)
		rt->rings = BELL_MAX_RINGS;
	else
		rt->rings = (long)rings + ((double)(long)rings < rings);
	rt->delay = 0.2;
	if ((o = find_opt(a, "DELAY")) != NULL)
		rt->delay = perl_number(o->value);
	if (!(rt->delay >= 0))
		rt->delay = 0;
	else if (rt->delay > BELL_MAX_DELAY)
		rt->delay = BELL_MAX_DELAY;
}

static int
prepare_one(struct action *a, struct diag *d)
{
	const struct action_opt *o;
	struct action_rt *rt;

	rt = xcalloc(1, sizeof(*rt));
	a->priv = rt;
	if (opt_tmpl(a, "MESSAGE", &rt->message, d) == -1)
		return -1;
	if ((o = find_opt(a, "WHEN")) != NULL) {
		rt->has_when = true;
		when_parse(o->value, &rt->when);
	}
	if ((o = find_opt(a, "THRESHOLDING")) != NULL &&
	    strcmp(o->value, "on") == 0 &&
	    (rt->thr = prepare_thr(a, next_action_swid++, d)) == NULL)
		return -1;
	switch (a->kind) {
	case ACT_ECHO:
		return prepare_echo(a, rt, d);
	case ACT_BELL:
		prepare_bell(a, rt);
		return 0;
	case ACT_EXEC:
	case ACT_PIPE:
		rt->exec = exec_action_prepare(a, params->awk_field_syntax, d);
		return rt->exec != NULL ? 0 : -1;
	case ACT_MAIL:
		rt->mail = mail_action_prepare(a, d);
		return rt->mail != NULL ? 0 : -1;
	case ACT_WRITE:
		rt->write = write_action_prepare(a, d);
		return rt->write != NULL ? 0 : -1;
	default:
		return 0;
	}
}

static struct throttle_rt *
prepare_throttle(const struct action *a, struct diag *d)
{
	struct throttle_rt *t;
	const struct action_opt *o;

	t = xcalloc(1, sizeof(*t));
	if (a->arg != NULL) {
		t->spec.has_hold = true;
		t->spec.hold = throttle_parse_hold(a->arg);
	}
	if ((o = find_opt(a, "THRESHOLD")) != NULL) {
		t->spec.threshold = o->value;
		t->spec.threshold_n = perl_number(o->value);
	}
	if ((o = find_opt(a, "KEY")) != NULL && strcmp(o->value, "log") != 0 &&
	    opt_tmpl(a, "KEY", &t->key, d) == -1)
		goto fail;
	if (opt_tmpl(a, "MESSAGE", &t->message, d) == -1)
		goto fail;
	if ((o = find_opt(a, "TIME_FROM")) != NULL ||
	    (o = find_opt(a, "EXTRA_CUTS")) != NULL ||
	    (o = find_opt(a, "TIME_REGEX")) != NULL) {
		diag_report(d, DIAG_ERROR, a->file, a->line, o->col, NULL, 0,
		    "throttle option %s is not supported", o->name);
		goto fail;
	}
	return t;
fail:
	tmpl_free(t->key);
	tmpl_free(t->message);
	free(t);
	return NULL;
}

/* The rule's "#% webhook" directives, run after its actions. */
static int
prepare_hooks(const struct rule *r, struct rule_rt *rr, struct diag *d)
{
	struct webhook *w;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ndirectives; i++) {
		if (strcmp(r->directives[i].name, "webhook") != 0)
			continue;
		if ((w = webhook_prepare(r, &r->directives[i], d)) == NULL) {
			rc = -1;
			continue;
		}
		rr->hooks = xreallocarray(rr->hooks, rr->nhooks + 1,
		    sizeof(*rr->hooks));
		rr->hooks[rr->nhooks++] = w;
	}
	return rc;
}

/*
 * "#% throttle-digest" (its value is checked by the config parser): only
 * under a throttle with a hold time and no threshold=.
 */
static int
prepare_digest(const struct rule *r, struct rule_rt *rr, struct diag *d)
{
	const struct rule_directive *dir = NULL;
	unsigned sample;
	char *err;
	size_t i;

	for (i = 0; i < r->ndirectives; i++)
		if (strcmp(r->directives[i].name, "throttle-digest") == 0)
			dir = &r->directives[i];
	if (dir == NULL || digest_parse_directive(dir->value, &sample,
	    &err) == -1)
		return 0;
	if (rr->thl == NULL || !rr->thl->spec.has_hold ||
	    rr->thl->spec.threshold != NULL) {
		diag_report(d, DIAG_ERROR, dir->file, dir->line, dir->col, NULL,
		    0, "throttle-digest needs a `throttle` with a hold time "
		    "(and no threshold=) in its rule");
		return -1;
	}
	rr->thl->spec.digest = true;
	rr->thl->spec.sample = sample;
	return 0;
}

static void
hash_str(uint64_t *h, const char *s)
{
	static const unsigned char sep = 0xff;	/* a byte no text holds */

	if (s != NULL)
		*h = util_fnv1a(*h, s, strlen(s));
	*h = util_fnv1a(*h, &sep, 1);
}

/*
 * A hash of what the rule does: kind, pattern, gates, actions and their
 * directives (the sample lines aside).
 */
static uint64_t
rule_hash(const struct rule *r)
{
	uint64_t h = UTIL_FNV_INIT;
	size_t j;

	hash_str(&h, config_rule_keyword(r->kind));
	hash_str(&h, r->pattern_text);
	hash_str(&h, r->throttle);
	hash_str(&h, r->threshold);
	for (j = 0; j < r->nactions; j++) {
		hash_str(&h, r->actions[j].name);
		hash_str(&h, r->actions[j].value);
	}
	for (j = 0; j < r->ndirectives; j++)
		if (strncmp(r->directives[j].name, "sample-", 7) != 0) {
			hash_str(&h, r->directives[j].name);
			hash_str(&h, r->directives[j].value);
		}
	return h;
}

/* Owners: the rule hash; the n-th of identical rules gets its own. */
static void
set_owners(struct config *cfg)
{
	uint64_t *base;
	struct rule_rt *rr;
	size_t i, j, k;

	base = xcalloc(cfg->nrules + 1, sizeof(*base));
	for (i = 0; i < cfg->nrules; i++) {
		base[i] = rule_hash(&cfg->rules[i]);
		for (k = 0, j = 0; j < i; j++)
			k += base[j] == base[i];
		if ((rr = cfg->rules[i].priv) == NULL)
			continue;
		rr->owner = base[i] ^ (k * 0x9e3779b97f4a7c15ULL);
		if (rr->owner == 0)
			rr->owner = 1;
		if (rr->thl != NULL)
			rr->thl->spec.owner = rr->owner;
	}
	free(base);
}

static int
prepare_rule(struct rule *r, struct diag *d)
{
	struct rule_rt *rr;
	size_t j;
	int rc = 0;

	rr = xcalloc(1, sizeof(*rr));
	r->priv = rr;
	if (r->threshold_act != NULL &&
	    (rr->thr = prepare_thr(r->threshold_act, r->id, d)) == NULL)
		rc = -1;
	if (r->throttle_act != NULL &&
	    (rr->thl = prepare_throttle(r->throttle_act, d)) == NULL)
		rc = -1;
	if (prepare_digest(r, rr, d) == -1)
		rc = -1;
	for (j = 0; j < r->nactions && !diag_stopped(d); j++)
		if (prepare_one(&r->actions[j], d) == -1)
			rc = -1;
	if (prepare_hooks(r, rr, d) == -1)
		rc = -1;
	return rc;
}

int
actions_prepare(struct config *cfg, const struct action_params *p,
    struct diag *d)
{
	size_t i;
	int rc = 0;

	saved_params = *p;
	params = &saved_params;
	if (throttles == NULL) {
		throttles = throttle_new(ACTION_MAX_KEYS);
		thresholds = threshold_new(ACTION_MAX_KEYS);
	}
	next_action_swid = (unsigned)cfg->nrules + 1;
	mail_prepare_config(cfg);
	for (i = 0; i < cfg->nrules && !diag_stopped(d); i++)
		if (prepare_rule(&cfg->rules[i], d) == -1)
			rc = -1;
	set_owners(cfg);
	if (rc == 0 && cur_cfg == NULL)
		cur_cfg = cfg;
	return rc;
}

void
actions_release(struct config *cfg)
{
	struct action_rt *rt;
	size_t i, j;

	struct rule_rt *rr;

	if (cfg == cur_cfg) {
		/* the end of one-pass input, or of the last config */
		actions_flush_digests();
		cur_cfg = NULL;
	}
	exec_pipe_close();	/* a kept-open pipe ends with its config */

	for (i = 0; i < cfg->nrules; i++) {
		if ((rr = cfg->rules[i].priv) != NULL) {
			thr_free(rr->thr);
			if (rr->thl != NULL) {
				tmpl_free(rr->thl->key);
				tmpl_free(rr->thl->message);
				free(rr->thl);
			}
			for (j = 0; j < rr->nhooks; j++)
				webhook_free(rr->hooks[j]);
			free(rr->hooks);
			free(rr);
			cfg->rules[i].priv = NULL;
		}
		for (j = 0; j < cfg->rules[i].nactions; j++) {
			rt = cfg->rules[i].actions[j].priv;
			if (rt == NULL)
				continue;
			tmpl_free(rt->message);
			thr_free(rt->thr);
			ansi_free(rt->modes);
			free(rt->mode_error);
			exec_action_free(rt->exec);
			mail_action_free(rt->mail);
			write_action_free(rt->write);
			free(rt);
			cfg->rules[i].actions[j].priv = NULL;
		}
	}
}

void
actions_set_executor(struct executor *ex)
{
	exec_set_executor(ex);
}

/* Frees the global throttle and threshold tables (at exit). */
void
actions_shutdown(void)
{
	throttle_free(throttles);
	threshold_free(thresholds);
	throttles = NULL;
	thresholds = NULL;
}

static void
run_echo(struct action_rt *rt, const char *msg, size_t len)
{
	struct buf b = { 0 };

	ansi_format(rt->modes, msg, len, params->colors_disabled, &b);
	out_write(b.data, b.len);
	buf_free(&b);
}

static void
run_bell(struct action_rt *rt)
{
	struct timespec ts;
	bool async;
	long i;

	/*
	 * One pass rings as swatchdog does, pausing after each ring; in
	 * follow mode nothing may block reading, so the rings go out at once.
	 */
	async = executor_async(exec_executor());
	for (i = 0; i < rt->rings; i++) {
		out_write("\a", 1);
		out_flush();
		if (rt->delay > 0 && !async) {
			ts.tv_sec = (time_t)rt->delay;
			ts.tv_nsec = (long)((rt->delay - (double)ts.tv_sec) *
			    1e9);
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
}

/* Expands `t` into `b` (reset first); an absent template gives "". */
static void
expand(const struct tmpl *t, const struct subst_ctx *ctx, struct buf *b)
{
	buf_reset(b);
	buf_add(b, "", 0);
	if (t != NULL)
		tmpl_expand(t, ctx, b);
}

/*
 * One threshold event: 1 act, 0 hold back, -1 swatchdog's watcher dies
 * (an unknown type, spec 10.10).
 */
static int
thr_event(const struct thr_rt *t, const struct subst_ctx *ctx)
{
	struct threshold_spec spec;
	struct buf v = { 0 }, track = { 0 };
	int rc;

	expand(t->type, ctx, &v);
	if (threshold_parse_type(v.data, &spec.type) == -1) {
		log_raw("Swatchdog::Threshold - unknown type, %s given\n",
		    v.data);
		buf_free(&v);
		return -1;
	}
	expand(t->count, ctx, &v);
	spec.count = perl_number(v.data);
	expand(t->seconds, ctx, &v);
	spec.seconds = perl_number(v.data);
	expand(t->track_by, ctx, &track);
	rc = threshold_event(thresholds, t->swid, track.data, track.len,
	    &spec, gate_now()) ? 1 : 0;
	if (dryrun && rc == 0)
		say("threshold: held back, key", track.data, track.len);
	else if (rc == 0)
		counters.threshold_held++;
	buf_free(&v);
	buf_free(&track);
	return rc;
}

/*
 * The rule's throttle: true when the actions run, with `msg` set to the
 * MESSAGE they use (the line, maybe annotated).
 */
static bool
throttle_pass(const struct throttle_rt *t, const struct subst_ctx *ctx,
    struct buf *msg)
{
	struct buf m = { 0 }, k = { 0 };
	const char *key;
	size_t klen;
	bool pass;

	if (t->message != NULL)
		expand(t->message, ctx, &m);
	else
		buf_add(&m, ctx->line, ctx->len);
	if (t->key != NULL) {
		expand(t->key, ctx, &k);
		key = k.data;
		klen = k.len;
	} else
		throttle_default_key(m.data, m.len, &key, &klen);
	pass = throttle_event(throttles, &t->spec, key, klen, m.data, m.len,
	    gate_now(), msg);
	if (dryrun && !pass)
		say("throttle: held back, key", key, klen);
	else if (!pass)
		counters.throttled++;
	buf_free(&m);
	buf_free(&k);
	return pass;
}

/*
 * Runs action `a` with `msg`; a digest summary passes its mail subject
 * in `dsubj` (else NULL). ACTION_DIE where swatchdog's watcher dies.
 */
static enum action_status
dispatch(struct action *a, struct action_rt *rt, const struct subst_ctx *ctx,
    const char *msg, size_t msglen, const char *dsubj)
{
	if (!dryrun && a->kind < ACT_UNKNOWN && a->kind != ACT_CONTINUE &&
	    a->kind != ACT_QUIT)
		counters.run[a->kind]++;
	switch (a->kind) {
	case ACT_ECHO:
		if (dryrun) {
			say(rt->mode_error != NULL ? "echo (bad mode: swatchdog "
			    "dies here)" : "echo", msg, msglen);
			break;
		}
		if (rt->mode_error != NULL) {
			log_raw("%s at /usr/share/perl5/Swatchdog/Actions.pm "
			    "line 68.\n", rt->mode_error);
			return ACTION_DIE;
		}
		run_echo(rt, msg, msglen);
		break;
	case ACT_BELL:
		if (dryrun) {
			char what[64];

			(void)snprintf(what, sizeof(what), "bell: %ld rings",
			    rt->rings);
			say(what, NULL, 0);
			break;
		}
		run_bell(rt);
		break;
	case ACT_CONTINUE:
	case ACT_QUIT:
		break;	/* flags, evaluated by the engine */
	case ACT_EXEC:
		exec_action_run(rt->exec, ctx);
		break;
	case ACT_PIPE:
		exec_action_pipe(rt->exec, ctx, msg, msglen);
		break;
	case ACT_MAIL:
		if (dsubj != NULL)
			mail_action_digest(rt->mail, ctx, dsubj, msg, msglen);
		else
			mail_action_run(rt->mail, ctx, msg, msglen);
		break;
	case ACT_WRITE:
		write_action_run(rt->write, ctx, msg, msglen);
		break;
	default:
		fatalx("action: unknown kind %d", (int)a->kind);
	}
	return ACTION_DONE;
}

/* Runs one action; returns ACTION_DIE where swatchdog's watcher dies. */
static enum action_status
run_one(struct action *a, const struct subst_ctx *ctx, const char *msg,
    size_t msglen, struct buf *m)
{
	struct action_rt *rt = a->priv;
	int rc;

	if (rt->has_when && !when_now(&rt->when))
		return ACTION_DONE;
	if (rt->thr != NULL) {
		if ((rc = thr_event(rt->thr, ctx)) == -1)
			return ACTION_DIE;
		if (rc == 0)
			return ACTION_DONE;
	}
	if (rt->message != NULL) {
		expand(rt->message, ctx, m);
		msg = m->data;
		msglen = m->len;
	}
	return dispatch(a, rt, ctx, msg, msglen, NULL);
}

struct throttle *
action_throttles(void)
{
	return throttles;
}

struct config *
action_config(void)
{
	return cur_cfg;
}

void
action_set_config(struct config *cfg)
{
	cur_cfg = cfg;
}

uint64_t
action_rule_owner(const struct rule *r)
{
	const struct rule_rt *rr = r->priv;

	return rr != NULL ? rr->owner : 0;
}

time_t
action_now(void)
{
	return gate_now();
}

/* The WATCHFOR_DIGEST_* variables of a summary's commands (heap). */
static size_t
digest_vars(const struct rule *r, const struct throttle_digest *td,
    char **v)
{
	struct buf t = { 0 };

	v[0] = xasprintf("WATCHFOR_DIGEST_COUNT=%llu",
	    (unsigned long long)digest_count(td->dg));
	buf_adds(&t, "WATCHFOR_DIGEST_FIRST=");
	digest_rfc3339(digest_first(td->dg), &t);
	v[1] = buf_detach(&t);
	buf_adds(&t, "WATCHFOR_DIGEST_LAST=");
	digest_rfc3339(digest_last(td->dg), &t);
	v[2] = buf_detach(&t);
	v[3] = xasprintf("WATCHFOR_DIGEST_RULE=%s:%u", r->file, r->line);
	buf_adds(&t, "WATCHFOR_DIGEST_KEY=");
	buf_add(&t, td->key, strnlen(td->key, td->klen));
	v[4] = buf_detach(&t);
	return 5;
}

void
action_run_digest(struct rule *r, const struct throttle_digest *td)
{
	struct buf what = { 0 }, line = { 0 }, subj = { 0 }, body = { 0 };
	struct subst_ctx ctx = { 0 };
	struct action_rt *rt;
	char *vars[5];
	size_t i, nvars;

	buf_addf(&what, "%s:%u", r->file, r->line);
	digest_summary(td->dg, what.data, &line);
	digest_mail(td->dg, what.data, &subj, &body);
	ctx.line = line.data;
	ctx.len = line.len;
	nvars = digest_vars(r, td, vars);
	exec_set_extra_vars(vars, nvars);
	if (dryrun)
		say("throttle digest", line.data, line.len);
	for (i = 0; i < r->nactions && !dryrun; i++) {
		rt = r->actions[i].priv;
		if (r->actions[i].kind == ACT_CONTINUE ||
		    r->actions[i].kind == ACT_QUIT ||
		    (rt->has_when && !when_now(&rt->when)))
			continue;
		if (r->actions[i].kind == ACT_MAIL)
			(void)dispatch(&r->actions[i], rt, &ctx, body.data,
			    body.len, subj.data);
		else
			(void)dispatch(&r->actions[i], rt, &ctx, line.data,
			    line.len, NULL);
	}
	exec_set_extra_vars(NULL, 0);
	for (i = 0; i < nvars; i++)
		free(vars[i]);
	buf_free(&what);
	buf_free(&line);
	buf_free(&subj);
	buf_free(&body);
}

enum action_status
actions_run(struct rule *r, const struct subst_ctx *ctx)
{
	struct rule_rt *rr = r->priv;
	struct buf msg = { 0 }, m = { 0 };
	enum action_status st = ACTION_DONE;
	bool pass;
	size_t i;
	int rc;

	if (rr->thr != NULL) {
		if ((rc = thr_event(rr->thr, ctx)) == -1)
			return ACTION_DIE;
		if (rc == 0)
			return ACTION_DONE;
	}
	if (rr->thl != NULL) {
		if (rr->thl->spec.digest)
			action_digest_tick();	/* close what is due first */
		pass = throttle_pass(rr->thl, ctx, &msg);
		if (rr->thl->spec.digest)
			action_digest_arm();
		if (!pass)
			goto done;
	} else
		buf_add(&msg, ctx->line, ctx->len);
	for (i = 0; i < r->nactions && st == ACTION_DONE; i++)
		st = run_one(&r->actions[i], ctx, msg.data, msg.len, &m);
	for (i = 0; i < rr->nhooks && st == ACTION_DONE; i++)
		webhook_run(rr->hooks[i], r, ctx, msg.data, msg.len);
done:
	buf_free(&msg);
	buf_free(&m);
	return st;
}
