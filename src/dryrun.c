/*
 * --test (see dryrun.h). The engine runs as in one-pass mode, but the
 * actions describe themselves (action.c's dry run, a describing
 * executor) and an observer on the engine reports each rule that matched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "action_exec.h"
#include "config.h"
#include "diag.h"
#include "dryrun.h"
#include "engine.h"
#include "executor.h"
#include "input.h"
#include "instance.h"
#include "log.h"
#include "opts.h"
#include "out.h"
#include "pattern.h"
#include "util.h"

#define DRYRUN_SHOW_MAX	300	/* bytes of a line shown */

struct rule_sum {
	unsigned long long	 hits;
	unsigned long long	 first, last;	/* line numbers */
};

struct dryrun {
	const struct opts	*o;
	struct instance		*in;
	const char		*file;
	unsigned long long	 lineno;
	const char		*rec;		/* the record being replayed */
	size_t			 len;
	bool			 hit;		/* some rule matched it */
	struct rule_sum		*sum;
};

/* Appends `p` C-escaped in double quotes, cut after `max` bytes. */
static void
add_shown(struct buf *b, const char *p, size_t n, size_t max)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
	if (n > max)
		buf_addf(b, "... (%zu bytes)", n);
}

static void
emit(struct buf *b)
{
	out_write(b->data, b->len);
	buf_reset(b);
}

static void
observe(size_t i, const struct match *m, void *arg)
{
	struct dryrun *d = arg;
	const struct rule *r = &d->in->cfg->rules[i];
	struct buf b = { 0 };
	const char *p;
	size_t len;
	unsigned g;

	if (!d->hit) {
		buf_addf(&b, "%s:%llu: ", d->file, d->lineno);
		add_shown(&b, d->rec, d->len, DRYRUN_SHOW_MAX);
		buf_addc(&b, '\n');
		d->hit = true;
	}
	if (d->sum[i].hits++ == 0)
		d->sum[i].first = d->lineno;
	d->sum[i].last = d->lineno;
	buf_addf(&b, "  %s:%u: %s %s\n", r->file, r->line,
	    config_rule_keyword(r->kind),
	    r->pattern_text + strspn(r->pattern_text, " \t"));
	for (g = 1; m != NULL && g < m->ngroups; g++) {
		if (!match_group(m, g, &p, &len))
			continue;
		buf_addf(&b, "    $%u ", g);
		add_shown(&b, p, len, DRYRUN_SHOW_MAX);
		buf_addc(&b, '\n');
	}
	if (r->kind == RULE_IGNORE)
		buf_adds(&b, "    ignored: later rules do not see the line\n");
	else if (r->kind == RULE_WAITFOR)
		buf_adds(&b, "    waitfor: does nothing\n");
	emit(&b);
	buf_free(&b);
}

/*
 * The line's own time, for throttles and thresholds: a leading RFC 3339
 * stamp, or a traditional "Nov 22 19:36:59" one (this year, local time);
 * 0 when there is none (the clock is used).
 */
static time_t
line_time(const char *rec, size_t len)
{
	char head[64], *end;
	struct tm tm;
	time_t now;
	long off;

	if (len < 15)
		return 0;
	len = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
	memcpy(head, rec, len);
	head[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(head, "%Y-%m-%dT%H:%M:%S", &tm)) != NULL) {
		if (*end == '.')
			end += strspn(end + 1, "0123456789") + 1;
		off = 0;
		if ((end[0] == '+' || end[0] == '-') && strlen(end) >= 6 &&
		    end[3] == ':')
			off = (end[0] == '-' ? -1 : 1) *
			    (strtol(end + 1, NULL, 10) * 3600 +
			    strtol(end + 4, NULL, 10) * 60);
		return timegm(&tm) - off;
	}
	memset(&tm, 0, sizeof(tm));
	if (strptime(head, "%b %e %H:%M:%S", &tm) != NULL) {
		struct tm lt;

		now = time(NULL);
		if (localtime_r(&now, &lt) == NULL)
			return 0;
		tm.tm_year = lt.tm_year;
		tm.tm_isdst = -1;
		return mktime(&tm);
	}
	return 0;
}

static bool
on_record(const char *rec, size_t len, void *arg)
{
	struct dryrun *d = arg;
	struct buf b = { 0 };

	d->lineno++;
	d->rec = rec;
	d->len = len;
	d->hit = false;
	actions_set_now(line_time(rec, len));
	if (!engine_record(d->in->engine, rec, len))
		out_write("    quit: watchfor would stop reading here\n", 43);
	if (!d->hit && d->o->verbose) {
		buf_addf(&b, "%s:%llu: no rule: ", d->file, d->lineno);
		add_shown(&b, rec, len, DRYRUN_SHOW_MAX);
		buf_addc(&b, '\n');
		emit(&b);
	}
	buf_free(&b);
	return true;	/* a quit does not end the replay */
}

static void
summary(const struct dryrun *d)
{
	const struct config *cfg = d->in->cfg;
	struct buf b = { 0 };
	size_t i;

	buf_addf(&b, "\n%llu lines\n", d->lineno);
	for (i = 0; i < cfg->nrules; i++) {
		buf_addf(&b, "%s:%u: %s %s: ", cfg->rules[i].file,
		    cfg->rules[i].line, config_rule_keyword(cfg->rules[i].kind),
		    cfg->rules[i].pattern_text +
		    strspn(cfg->rules[i].pattern_text, " \t"));
		if (d->sum[i].hits == 0)
			buf_adds(&b, "no hit\n");
		else
			buf_addf(&b, "%llu hit%s, lines %llu to %llu\n",
			    d->sum[i].hits, d->sum[i].hits == 1 ? "" : "s",
			    d->sum[i].first, d->sum[i].last);
	}
	emit(&b);
	buf_free(&b);
}

int
dryrun_run(const struct opts *o, const char *config_path)
{
	struct dryrun d = { 0 };
	struct executor *ex;
	struct recsep rs;
	struct diag *diag;
	char *err;
	int fd, status = 0;

	diag = diag_new(true);
	d.in = instance_load(o, config_path, diag);
	diag_free(diag);
	if (d.in == NULL)
		return 1;
	if (recsep_init(&rs, o->irs_set ? o->irs : NULL, &err) == -1) {
		log_warnx("--input-record-separator: %s", err);
		free(err);
		instance_free(d.in);
		return 2;
	}
	if ((fd = open(o->test_file, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("--test %s", o->test_file);
		recsep_free(&rs);
		instance_free(d.in);
		return 2;
	}
	d.o = o;
	d.file = o->test_file;
	d.sum = xcalloc(d.in->cfg->nrules + 1, sizeof(*d.sum));
	ex = executor_new_describe();
	actions_set_executor(ex);
	actions_set_dryrun(true);
	engine_set_observer(d.in->engine, observe, &d);
	if (input_read_fd(fd, &rs, INPUT_MAX_RECORD, on_record, &d, NULL) ==
	    -1) {
		log_warn("read %s", o->test_file);
		status = 2;
	}
	summary(&d);
	out_flush();
	actions_set_dryrun(false);
	actions_set_now(0);
	actions_set_executor(NULL);
	executor_free(ex);
	close(fd);
	free(d.sum);
	recsep_free(&rs);
	instance_free(d.in);
	return status;
}
