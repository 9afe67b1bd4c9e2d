#ifndef WATCHFOR_STATS_H
#define WATCHFOR_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "action.h"
#include "executor.h"
#include "outbox.h"
#include "tail.h"

/*
 * The stats file (issue 8 item 3): follow mode's counters in Prometheus'
 * text exposition format, for node_exporter's textfile collector. Set by
 * --stats-file PATH or "#% stats-file PATH", written atomically (a
 * temporary file in the same directory, fsync, rename; mode 0644) every
 * --stats-interval / "#% stats-interval" (default 60 s), at start once
 * every watch is in place, on USR1, after a reload and at a clean stop.
 * One-pass modes (-f, -p) write no stats file.
 *
 * Counters of the inputs, commands, mail and files count from the start;
 * those of the rules (matches, silent alerts) from the last (re)load, as
 * a reload may renumber the rules: Prometheus takes that as a reset.
 */

struct buf;
struct config;
struct engine;
struct instance;
struct loop;
struct opts;
struct silent;
struct stats;

#define STATS_INTERVAL_MS	(60ULL * 1000)
#define STATS_INTERVAL_MIN_MS	100ULL

/* The formatter's input: plain data, all borrowed. */
struct stats_input_count {
	const char		*name;
	unsigned long long	 lines;
	unsigned long long	 bytes;		/* the lines and their ends */
};

struct stats_rule_count {
	const char		*file;
	unsigned		 line;
	const char		*pattern;	/* as written */
	unsigned long long	 matches;
	bool			 silent;	/* a "#% silent" rule */
	unsigned long long	 silent_alerts;
};

struct stats_snapshot {
	time_t			 start;		/* wall clock */
	unsigned long long	 uptime;	/* seconds */
	unsigned long long	 reloads_ok;
	unsigned long long	 reloads_failed;
	const struct stats_input_count *inputs;
	size_t			 ninputs;
	const struct stats_rule_count *rules;
	size_t			 nrules;
	struct actions_stats	 actions;
	struct executor_stats	 exec;
	struct outbox_stats	 outbox;
	struct tail_stats	 tail;
	unsigned long long	 mails_folded;	/* by the mail cap */
	unsigned long long	 mail_digests;
};

/*
 * Pure: appends `s` as a label value, with backslash, double quote and
 * newline escaped as \\, \" and \n.
 */
void		 stats_escape_label(struct buf *, const char *s);
/* Pure: appends "# HELP" (backslash and newline escaped) and "# TYPE". */
void		 stats_family(struct buf *, const char *name,
		    const char *type, const char *help);
/*
 * Pure: appends one sample line: `name`, then the labels when `labels`
 * is not NULL (name, value pairs ending with a NULL name), then `v`.
 */
void		 stats_sample(struct buf *, const char *name,
		    const char *const *labels, unsigned long long v);
/* Pure: the whole file. Families without samples are left out. */
void		 stats_format(struct buf *, const struct stats_snapshot *);

/*
 * Pure: checks a "#% stats-file" or "#% stats-interval" value: NULL when
 * fine (or another name), else a heap message for --check.
 */
char		*stats_directive_error(const char *name, const char *value);

/*
 * Writes `len` bytes of `data` to `path` atomically: a temporary file
 * ".NAME.XXXXXX" in the same directory, mode 0644, fsync, rename. A
 * reader sees the old file or the new one, never a part. Returns 0, or
 * -1 with errno set (the temporary file is removed).
 */
int		 stats_write_file(const char *path, const char *data,
		    size_t len);

/* Where the counters come from: follow mode's fields, read when needed. */
struct stats_sources {
	struct instance *const	*in;
	struct silent *const	*silent;
	struct tail *const	*tail;
	struct executor *const	*exec;
	struct outbox *const	*outbox;
};

/* Follow mode's stats; `src` is copied. Writes nothing until configured. */
struct stats	*stats_new(struct loop *, const struct stats_sources *src);
void		 stats_free(struct stats *);
/*
 * Takes the file and interval of `o` (first) or `cfg` (the last of each
 * directive) and arms the timer; called at start and after a reload.
 * Returns 0, or -1 when --stats-interval is bad (logged).
 */
int		 stats_configure(struct stats *, const struct opts *o,
		    const struct config *cfg);
/* Counts one line of `len` bytes (its end apart) from input `name`. */
void		 stats_line(struct stats *, const char *name, size_t len);
/* Counts a reload that worked or failed. */
void		 stats_reloaded(struct stats *, bool ok);
/* Writes the file now, when one is set (a failure is logged once). */
void		 stats_write(struct stats *);

#endif
