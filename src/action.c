/*
 * Actions (spec section 10): compiled once by actions_prepare() into a
 * per-action runtime form, then run in written order for each matched
 * record. This file holds the dispatch, the options every action shares
 * (message=, when=) and the in-process actions (echo, bell); the ones that
 * start programs live in their own modules.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "action_exec.h"
#include "action_mail.h"
#include "ansi.h"
#include "config.h"
#include "diag.h"
#include "log.h"
#include "out.h"
#include "subst.h"
#include "util.h"

/* when=DAYS:HOURS (spec 10.11), as bit sets. */
struct when {
	unsigned	 days;		/* bit 0 = Sunday */
	unsigned long	 hours;		/* bit 0 = 00:00-00:59 */
};

struct action_rt {
	struct tmpl		*message;	/* message=, or NULL */
	bool			 has_when;
	struct when		 when;
	struct ansi_modes	*modes;		/* echo */
	long			 rings;		/* bell */
	double			 delay;		/* bell, seconds */
	struct exec_action	*exec;		/* exec, pipe */
	struct mail_action	*mail;
	struct write_action	*write;
};

static const struct action_params *params;
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
	time_t now = time(NULL);

	if (localtime_r(&now, &tm) == NULL)
		return true;
	return (w->days & (1U << tm.tm_wday)) != 0 &&
	    (w->hours & (1UL << tm.tm_hour)) != 0;
}

static int
prepare_echo(struct action *a, struct action_rt *rt, struct diag *d)
{
	char *err = NULL;

	if ((rt->modes = ansi_compile(a->modes, a->nmodes, &err)) != NULL)
		return 0;
	diag_report(d, DIAG_ERROR, a->file, a->line, a->col, NULL, 0,
	    "echo: %s", err);
	free(err);
	return -1;
}

static void
prepare_bell(struct action *a, struct action_rt *rt)
{
	const struct action_opt *o;

	rt->rings = a->arg != NULL ? (long)perl_number(a->arg) : 1;
	rt->delay = 0.2;
	if ((o = find_opt(a, "DELAY")) != NULL)
		rt->delay = perl_number(o->value);
}

static int
prepare_one(struct action *a, struct diag *d)
{
	const struct action_opt *o;
	struct action_rt *rt;
	char *err = NULL;
	size_t off;

	rt = xcalloc(1, sizeof(*rt));
	a->priv = rt;
	if ((o = find_opt(a, "MESSAGE")) != NULL) {
		rt->message = tmpl_compile(o->value, TMPL_VALUE, false, &err,
		    &off);
		if (rt->message == NULL) {
			diag_report(d, DIAG_ERROR, a->file, a->line,
			    o->col, NULL, 0, "message: %s", err);
			free(err);
			return -1;
		}
	}
	if ((o = find_opt(a, "WHEN")) != NULL) {
		rt->has_when = true;
		when_parse(o->value, &rt->when);
	}
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

int
actions_prepare(struct config *cfg, const struct action_params *p,
    struct diag *d)
{
	size_t i, j;
	int rc = 0;

	saved_params = *p;
	params = &saved_params;
	for (i = 0; i < cfg->nrules; i++)
		for (j = 0; j < cfg->rules[i].nactions; j++)
			if (prepare_one(&cfg->rules[i].actions[j], d) == -1) {
				rc = -1;
				if (diag_stopped(d))
					return -1;
			}
	return rc;
}

void
actions_release(struct config *cfg)
{
	struct action_rt *rt;
	size_t i, j;

	exec_pipe_close();	/* a kept-open pipe ends with its config */
	for (i = 0; i < cfg->nrules; i++)
		for (j = 0; j < cfg->rules[i].nactions; j++) {
			rt = cfg->rules[i].actions[j].priv;
			if (rt == NULL)
				continue;
			tmpl_free(rt->message);
			ansi_free(rt->modes);
			exec_action_free(rt->exec);
			mail_action_free(rt->mail);
			write_action_free(rt->write);
			free(rt);
			cfg->rules[i].actions[j].priv = NULL;
		}
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
	long i;

	for (i = 0; i < rt->rings; i++) {
		out_write("\a", 1);
		out_flush();
		if (rt->delay > 0) {
			ts.tv_sec = (time_t)rt->delay;
			ts.tv_nsec = (long)((rt->delay - (double)ts.tv_sec) *
			    1e9);
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
}

void
actions_run(struct rule *r, const struct subst_ctx *ctx, const char *msg,
    size_t msglen)
{
	struct buf m = { 0 };
	struct action_rt *rt;
	struct action *a;
	size_t i;

	for (i = 0; i < r->nactions; i++) {
		a = &r->actions[i];
		rt = a->priv;
		if (rt->has_when && !when_now(&rt->when))
			continue;
		if (rt->message != NULL) {
			buf_reset(&m);
			tmpl_expand(rt->message, ctx, &m);
		}
		switch (a->kind) {
		case ACT_ECHO:
			if (rt->message != NULL)
				run_echo(rt, m.data, m.len);
			else
				run_echo(rt, msg, msglen);
			break;
		case ACT_BELL:
			run_bell(rt);
			break;
		case ACT_CONTINUE:
		case ACT_QUIT:
			break;	/* flags, evaluated by the engine */
		case ACT_EXEC:
			exec_action_run(rt->exec, ctx);
			break;
		case ACT_PIPE:
			if (rt->message != NULL)
				exec_action_pipe(rt->exec, ctx, m.data, m.len);
			else
				exec_action_pipe(rt->exec, ctx, msg, msglen);
			break;
		case ACT_MAIL:
			if (rt->message != NULL)
				mail_action_run(rt->mail, ctx, m.data, m.len);
			else
				mail_action_run(rt->mail, ctx, msg, msglen);
			break;
		case ACT_WRITE:
			if (rt->message != NULL)
				write_action_run(rt->write, ctx, m.data, m.len);
			else
				write_action_run(rt->write, ctx, msg, msglen);
			break;
		case ACT_UNKNOWN:
			log_warnx("%s:%u: action \"%s\" is not built yet",
			    a->file, a->line, a->name);
			break;
		default:
			fatalx("action: unknown kind %d", (int)a->kind);
		}
	}
	buf_free(&m);
}
