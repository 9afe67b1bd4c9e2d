#ifndef WATCHFOR_SILENT_H
#define WATCHFOR_SILENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Silent-log alerts (issue 8 item 5): a watchfor rule with
 *
 *	#% silent DURATION [input=PATH] [repeat=DURATION]
 *
 * is a dead-man switch. Its actions run, once, when no line matching its
 * pattern (from input PATH only, when given) has been seen for DURATION,
 * counted from the start (or a reload), then from the last match; they
 * run again only after a match and a new silence, or every repeat= while
 * the silence lasts. The actions get a synthetic line (silent_line) and
 * no captures. Matches never run the actions (engine.h).
 *
 * Each silent rule has one loop timer, armed for its deadline only: a
 * match just records the time, and the timer, when it fires early,
 * re-arms itself for the time left. So a busy log costs one wake-up per
 * DURATION, a quiet one one per alert.
 */

struct config;
struct engine;
struct loop;
struct silent;

/* A parsed "#% silent" value. */
struct silent_spec {
	uint64_t	 after;		/* ms of silence before the alert */
	uint64_t	 repeat;	/* ms between reminders, 0: none */
	char		*after_text;	/* the duration as written */
	char		*input;		/* count only this input, or NULL */
};

/*
 * Pure: parses `value`; returns 0, or -1 with *err a heap message for
 * --check. Clear `sp` with silent_spec_clear (also after a failure).
 */
int		 silent_spec_parse(const char *value, struct silent_spec *sp,
		    char **err);
void		 silent_spec_clear(struct silent_spec *);
/*
 * Pure: the line the actions get, a heap string: "watchfor: no line
 * matching PATTERN for DURATION", with " in PATH" before " for" when the
 * rule counts one input only. PATTERN is the rule's text as written.
 */
char		*silent_line(const char *pattern_text,
		    const struct silent_spec *);

/*
 * Pure: the clock of one silent rule, in ms on any monotonic scale.
 * silent_clock_start at start; silent_clock_match for each matching
 * line; silent_clock_due when the timer fires; then arm the timer for
 * silent_clock_deadline (0: none, wait for a match).
 */
struct silent_clock {
	uint64_t	 after;
	uint64_t	 repeat;
	uint64_t	 last;		/* the start, then the last match */
	uint64_t	 alerted_at;	/* the last alert */
	bool		 alerted;	/* since the last match */
};

void		 silent_clock_start(struct silent_clock *, uint64_t after,
		    uint64_t repeat, uint64_t now);
/*
 * A matching line at `now`. True when the deadline moved earlier than
 * the one the timer was armed for (the rule had alerted): re-arm it.
 */
bool		 silent_clock_match(struct silent_clock *, uint64_t now);
/* True when the rule must alert at `now` (counted as done). */
bool		 silent_clock_due(struct silent_clock *, uint64_t now);
uint64_t	 silent_clock_deadline(const struct silent_clock *);

/*
 * Follow mode: starts the clock of every silent rule of `cfg` (borrowed,
 * as `e`: free this first) at once and hooks into `e`. A reload makes a
 * new one: the clocks start again.
 */
struct silent	*silent_new(struct loop *, struct config *cfg,
		    struct engine *e);
void		 silent_free(struct silent *);
/*
 * The input of the lines that follow: a followed file's configured name,
 * NULL for standard input and input commands. Borrowed until the next
 * call. silent_set_input(NULL, ...) is a no-op.
 */
void		 silent_set_input(struct silent *, const char *path);
/* Alerts of rule `rule` since this was made (0 for other rules). */
unsigned long long silent_alerts(const struct silent *, size_t rule);

#endif
