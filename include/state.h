#ifndef WATCHFOR_STATE_H
#define WATCHFOR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Persisted read positions of followed files, one state file per daemon
 * instance. For each configured path a list of records, oldest first: the
 * files rotated away but not yet drained, then the file at the name. Each
 * record holds the file's identity (device, inode, and a hash of its first
 * `fplen` bytes) and the offset of the first byte not yet acted on.
 */

struct state;

struct state_rec {
	uint64_t	dev;
	uint64_t	ino;
	uint64_t	fp;		/* FNV-1a 64 of the first fplen bytes */
	uint32_t	fplen;		/* 0..TAIL_FP_MAX */
	uint64_t	offset;		/* first byte not yet acted on */
};

/*
 * Opens the state kept as DIR/NAME, creating DIR (mode 0700) when missing;
 * an existing DIR is kept private (state_dir_private).
 * A missing file gives an empty state; a corrupt or foreign one is
 * reported with log_warnx and ignored (empty state), never fatal. Returns
 * NULL only when DIR cannot be created or is not a directory (logged).
 */
struct state	*state_open(const char *dir, const char *name);
/*
 * Keeps the existing directory DIR private: when it belongs to the
 * effective user and its group or others have any access, it is made
 * 0700 (logged); when it belongs to another user, a warning says that
 * user can read and change what is kept there. Used by state_open and
 * spool_open on each directory they use.
 */
void		 state_dir_private(const char *dir);
void		 state_free(struct state *);

/*
 * Records saved for `path`, oldest first; *n gets their number (0 and
 * NULL when none). Borrowed: valid until the next state_set or state_free.
 */
const struct state_rec *state_get(const struct state *, const char *path,
		    size_t *n);
/*
 * Replaces the records of `path` (copied). With n == 0 the path stays
 * known (followed before, no file open): a file that appears there after
 * a restart is read from its start.
 */
void		 state_set(struct state *, const char *path,
		    const struct state_rec *, size_t n);
/* True if the state has an entry for `path`, even with no record. */
bool		 state_has(const struct state *, const char *path);
/* Drops the entry of `path`. */
void		 state_forget(struct state *, const char *path);
/*
 * Writes the state if it changed since the last save: a temp file in the
 * same directory (mkstemp, 0600), write, fsync, rename over DIR/NAME,
 * fsync DIR. Returns 0, or -1 with the cause logged (the old file stays
 * and the state stays dirty, so the next call tries again); of a run of
 * failures with one cause only the first is logged, and the save that
 * ends the run says so.
 */
int		 state_save(struct state *);
/* Wall-clock time (ns since the epoch) of the save that was loaded, or 0. */
uint64_t	 state_saved_at(const struct state *);
/* The state file's path, for messages. */
const char	*state_path(const struct state *);

#endif
