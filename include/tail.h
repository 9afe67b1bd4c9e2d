#ifndef WATCHFOR_TAIL_H
#define WATCHFOR_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The file follower: GNU `tail -n 0 -F` on first start, then exactly once
 * across rotation (rename+create, copytruncate, delete+recreate, symlink
 * swap), truncation, missing files and directories, and restarts (with a
 * state). Uses inotify on the directory and the file as hints and a stat
 * reconcile on a backing-off timer; or polls (selectable, and automatic
 * when inotify cannot be used).
 */

struct loop;
struct state;
struct tail;

#define TAIL_MAX_LINE_DEFAULT	(16u << 20)	/* bytes */
#define TAIL_FP_MAX		1024		/* bytes hashed for identity */

struct tail_params {
	bool		 poll;		/* no inotify: stat every poll_ms */
	bool		 verbose;	/* log_info every decision */
	size_t		 max_line;	/* 0: TAIL_MAX_LINE_DEFAULT */
	unsigned	 poll_ms;	/* 0: 1000 */
	unsigned	 quiet_ms;	/* rotated file closed after this long
					   at EOF without new data; 0: 5000 */
	unsigned	 commit_ms;	/* state saved at most this often;
					   0: 1000 */
	struct state	*state;		/* optional, borrowed */
	/* Called by tail_commit before it saves moved positions: what was
	   derived from the lines behind them is saved first (digests).
	   Returning -1 (not saved) keeps the positions unsaved, retried
	   in commit_ms. */
	int		(*before_commit)(void *arg);
	void		*commit_arg;
};

/* Flags passed with a line. */
#define TAIL_LINE_UNTERMINATED	0x1	/* last line of a file that is gone,
					   had no newline */
#define TAIL_LINE_TRUNCATED	0x2	/* head of a line over max_line; the
					   rest is skipped */

/*
 * Called once per complete line, in file order per followed path. `line`
 * has `len` bytes without the newline and is NUL-terminated at line[len]
 * (it may contain NUL bytes too); it is borrowed for the call. `path` is
 * the configured name. The callback must not call tail_free or tail_add.
 * Returning from the callback means the line was dispatched: its offset
 * may be committed to the state.
 */
typedef void tail_line_cb(const char *line, size_t len, const char *path,
    unsigned flags, void *arg);

struct tail_stats {
	uint64_t	lines;
	uint64_t	bytes;		/* read, including skipped bytes */
	uint64_t	rotations;	/* a new file at a name */
	uint64_t	truncations;
	uint64_t	overflows;	/* IN_Q_OVERFLOW rescans */
	uint64_t	long_lines;	/* lines cut at max_line */
	uint64_t	nul_skipped;	/* leading NUL bytes after truncation */
	uint64_t	gap_bytes;	/* known lost: unread at truncation,
					   rotated file gone while down */
	uint64_t	files_open;	/* open descriptors now */
	bool		polling;	/* inotify not in use */
};

/*
 * Returns a follower that delivers lines through `cb`; `params` is copied
 * (its state stays borrowed). Falls back to polling, logged once, when
 * inotify_init1 fails.
 */
struct tail	*tail_new(struct loop *, const struct tail_params *,
		    tail_line_cb *cb, void *arg);
/*
 * Follows `path` (copied). When it returns, every watch is in place: a
 * line appended afterwards will be delivered. Without a saved position it
 * starts at the end of an existing file; a file that appears later is
 * read from its start. With a state record it resumes where it stopped,
 * including in files rotated while we were down. A missing file is not an
 * error. Returns 0, or -1 if `path` is already followed.
 */
int		 tail_add(struct tail *, const char *path);
/*
 * Stops following `path` (as given to tail_add): closes its files and
 * watches and forgets its saved positions. Not from the callback.
 * Returns 0, or -1 if `path` is not followed.
 */
int		 tail_remove(struct tail *, const char *path);
/*
 * Saves positions to the state now (when one was given). Called by itself
 * at most every commit_ms while lines flow, and by tail_free. A position
 * is the start of the first line not yet returned from the callback, so a
 * partial line is completed once after a restart. Crash window: after a
 * crash (SIGKILL, power loss) the lines delivered since the last commit,
 * at most commit_ms worth (1 s by default), are delivered again; nothing
 * is lost. Returns state_save's result, 0 without a state.
 */
int		 tail_commit(struct tail *);
/*
 * Delivers no more lines, from the callback too (a `quit` rule): the
 * lines not delivered stay after the saved position, for the next run.
 */
void		 tail_stop(struct tail *);
/* Commits, closes every file and watch. tail_free(NULL) is a no-op. */
void		 tail_free(struct tail *);

void		 tail_stats(const struct tail *, struct tail_stats *);
/* Logs the counters with log_info (for SIGUSR1). */
void		 tail_log_stats(const struct tail *);

#endif
