/*
 * The stats file's text (stats.h): Prometheus' text exposition format,
 * version 0.0.4, from a snapshot of the counters. Pure: gathering the
 * counters and writing the file are stats.c's.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "stats.h"
#include "util.h"

void
stats_escape_label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(b, "\\\\");
		else if (*s == '"')
			buf_adds(b, "\\\"");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

void
stats_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_addf(b, "# HELP %s ", name);
	for (; *help != '\0'; help++) {
		if (*help == '\\')
			buf_adds(b, "\\\\");
		else if (*help == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *help);
	}
	buf_addf(b, "\n# TYPE %s %s\n", name, type);
}

void
stats_sample(struct buf *b, const char *name, const char *const *labels,
    unsigned long long v)
{
	size_t i;

	buf_adds(b, name);
	if (labels != NULL && labels[0] != NULL) {
		buf_addc(b, '{');
		for (i = 0; labels[i] != NULL; i += 2) {
			if (i > 0)
				buf_addc(b, ',');
			buf_addf(b, "%s=\"", labels[i]);
			stats_escape_label(b, labels[i + 1]);
			buf_addc(b, '"');
		}
		buf_addc(b, '}');
	}
	buf_addf(b, " %llu\n", v);
}

/* A family of one sample without labels. */
static void
single(struct buf *b, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	stats_family(b, name, type, help);
	stats_sample(b, name, NULL, v);
}

static void
inputs(struct buf *b, const struct stats_snapshot *s)
{
	const char *l[3] = { "input", NULL, NULL };
	size_t i;

	if (s->ninputs == 0)
		return;
	stats_family(b, "watchfor_input_lines_total", "counter",
	    "Lines read from each input.");
	for (i = 0; i < s->ninputs; i++) {
		l[1] = s->inputs[i].name;
		stats_sample(b, "watchfor_input_lines_total", l,
		    s->inputs[i].lines);
	}
	stats_family(b, "watchfor_input_bytes_total", "counter",
	    "Bytes of the lines read from each input, line ends included.");
	for (i = 0; i < s->ninputs; i++) {
		l[1] = s->inputs[i].name;
		stats_sample(b, "watchfor_input_bytes_total", l,
		    s->inputs[i].bytes);
	}
}

static void
rules(struct buf *b, const struct stats_snapshot *s)
{
	const char *l[5] = { "rule", NULL, "pattern", NULL, NULL };
	char where[4096];
	size_t i, nsilent = 0;

	if (s->nrules == 0)
		return;
	stats_family(b, "watchfor_rule_matches_total", "counter",
	    "Lines each rule matched since the config was loaded.");
	for (i = 0; i < s->nrules; i++) {
		(void)snprintf(where, sizeof(where), "%s:%u",
		    s->rules[i].file, s->rules[i].line);
		l[1] = where;
		l[3] = s->rules[i].pattern;
		stats_sample(b, "watchfor_rule_matches_total", l,
		    s->rules[i].matches);
		nsilent += s->rules[i].silent;
	}
	if (nsilent == 0)
		return;
	stats_family(b, "watchfor_silent_alerts_total", "counter",
	    "Alerts of each silent rule since the config was loaded.");
	for (i = 0; i < s->nrules; i++) {
		if (!s->rules[i].silent)
			continue;
		(void)snprintf(where, sizeof(where), "%s:%u",
		    s->rules[i].file, s->rules[i].line);
		l[1] = where;
		l[3] = s->rules[i].pattern;
		stats_sample(b, "watchfor_silent_alerts_total", l,
		    s->rules[i].silent_alerts);
	}
}

static void
actions(struct buf *b, const struct stats_snapshot *s)
{
	static const struct {
		enum action_kind k;
		const char	*name;
	} kinds[] = {
		{ ACT_BELL, "bell" }, { ACT_ECHO, "echo" },
		{ ACT_EXEC, "exec" }, { ACT_MAIL, "mail" },
		{ ACT_PIPE, "pipe" }, { ACT_WRITE, "write" },
	};
	const char *l[3] = { "kind", NULL, NULL };
	size_t i;

	stats_family(b, "watchfor_actions_total", "counter",
	    "Actions run, by kind (those a gate held back apart).");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		l[1] = kinds[i].name;
		stats_sample(b, "watchfor_actions_total", l,
		    s->actions.run[kinds[i].k]);
	}
	single(b, "watchfor_throttled_total", "counter",
	    "Matches a throttle held back.", s->actions.throttled);
	single(b, "watchfor_threshold_held_total", "counter",
	    "Matches a threshold held back.", s->actions.threshold_held);
}

static void
commands(struct buf *b, const struct stats_snapshot *s)
{
	const char *l[3] = { "kind", NULL, NULL };
	unsigned k;

	stats_family(b, "watchfor_commands_started_total", "counter",
	    "Commands started by exec, pipe and write, by kind.");
	for (k = 0; k < EXECUTOR_NKINDS; k++) {
		l[1] = executor_kind_name(k);
		stats_sample(b, "watchfor_commands_started_total", l,
		    s->exec.kind_started[k]);
	}
	stats_family(b, "watchfor_commands_failed_total", "counter",
	    "Commands that exited non-zero or were killed, by kind.");
	for (k = 0; k < EXECUTOR_NKINDS; k++) {
		l[1] = executor_kind_name(k);
		stats_sample(b, "watchfor_commands_failed_total", l,
		    s->exec.kind_failed[k]);
	}
	single(b, "watchfor_commands_timed_out_total", "counter",
	    "Commands signalled at their exec-timeout.", s->exec.timed_out);
	single(b, "watchfor_pipe_messages_dropped_total", "counter",
	    "Messages a kept-open pipe could not take.", s->exec.dropped);
	single(b, "watchfor_commands_running", "gauge",
	    "Commands running now.", s->exec.running);
	single(b, "watchfor_commands_queued", "gauge",
	    "Commands waiting for a slot (max-children).", s->exec.queued);
}

static void
mail(struct buf *b, const struct stats_snapshot *s)
{
	single(b, "watchfor_mails_spooled_total", "counter",
	    "Mails written to the outbox.", s->outbox.spooled);
	single(b, "watchfor_mails_sent_total", "counter",
	    "Mails the mailer accepted.", s->outbox.sent);
	single(b, "watchfor_mails_retried_total", "counter",
	    "Failed delivery attempts to be retried.", s->outbox.retried);
	single(b, "watchfor_mails_failed_total", "counter",
	    "Mails given up and moved to failed/.", s->outbox.failed);
	single(b, "watchfor_mails_waiting", "gauge",
	    "Mails in the outbox now.", s->outbox.waiting);
	single(b, "watchfor_mail_oldest_waiting_seconds", "gauge",
	    "Age of the oldest mail in the outbox.", s->outbox.oldest / 1000);
	single(b, "watchfor_mail_delivery_failing", "gauge",
	    "1 when the last delivery attempt failed.", s->outbox.failing);
	single(b, "watchfor_mails_folded_total", "counter",
	    "Mails over the mail cap folded into a digest.", s->mails_folded);
	single(b, "watchfor_mail_digests_total", "counter",
	    "Digests of folded mails spooled.", s->mail_digests);
}

static void
files(struct buf *b, const struct stats_snapshot *s)
{
	single(b, "watchfor_files_open", "gauge",
	    "Followed files open now.", s->tail.files_open);
	single(b, "watchfor_file_rotations_total", "counter",
	    "New files found at a followed name.", s->tail.rotations);
	single(b, "watchfor_file_truncations_total", "counter",
	    "Followed files found truncated.", s->tail.truncations);
	single(b, "watchfor_inotify_overflows_total", "counter",
	    "inotify queue overflows (followed by a rescan).",
	    s->tail.overflows);
	single(b, "watchfor_long_lines_total", "counter",
	    "Lines cut at the maximum line length.", s->tail.long_lines);
	single(b, "watchfor_lost_bytes_total", "counter",
	    "Bytes known lost (unread at a truncation, or rotated away "
	    "while down).", s->tail.gap_bytes);
	single(b, "watchfor_polling", "gauge",
	    "1 when files are polled instead of watched with inotify.",
	    s->tail.polling);
}

void
stats_format(struct buf *b, const struct stats_snapshot *s)
{
	const char *l[3] = { "result", NULL, NULL };

	single(b, "watchfor_start_time_seconds", "gauge",
	    "Start time of the daemon, seconds since the epoch.",
	    s->start > 0 ? (unsigned long long)s->start : 0);
	single(b, "watchfor_uptime_seconds", "gauge",
	    "Seconds since the daemon started.", s->uptime);
	stats_family(b, "watchfor_config_reloads_total", "counter",
	    "Config reloads (HUP, --restart-time), by result.");
	l[1] = "ok";
	stats_sample(b, "watchfor_config_reloads_total", l, s->reloads_ok);
	l[1] = "failed";
	stats_sample(b, "watchfor_config_reloads_total", l,
	    s->reloads_failed);
	inputs(b, s);
	rules(b, s);
	actions(b, s);
	commands(b, s);
	mail(b, s);
	files(b, s);
}

char *
stats_directive_error(const char *name, const char *value)
{
	uint64_t ms;

	if (strcmp(name, "stats-interval") == 0) {
		if (outbox_parse_duration(value, &ms) == -1 ||
		    ms < STATS_INTERVAL_MIN_MS)
			return xasprintf("stats-interval: bad duration \"%s\" "
			    "(write for example 60s, 5m or 1m30s; at least "
			    "100ms)", value);
		return NULL;
	}
	if (strcmp(name, "stats-file") == 0) {
		if (value[strlen(value) - 1] == '/')
			return xasprintf("stats-file: \"%s\" names a "
			    "directory: name the file (for example "
			    "%swatchfor.prom)", value, value);
		return NULL;
	}
	return NULL;
}
