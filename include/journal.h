#ifndef WATCHFOR_JOURNAL_H
#define WATCHFOR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The systemd journal as an input ("#% input-journal", journal_fmt.h),
 * followed from the event loop. libsystemd is not linked: libsystemd.so.0
 * is loaded with dlopen when a journal input is opened, so an instance
 * without one never maps it. Each entry is handed out as one
 * rsyslog-shaped line (journal_format).
 *
 * Position: without a saved one, reading starts at the end of the
 * journal (nothing old is replayed). With a state directory, the cursor
 * of the last entry handed out is saved there as NAME (atomically, mode
 * 0600) at most a second after it was acted on, after mail was spooled
 * (journal_commit) and at journal_free; the next start reads from just
 * after it, so entries written while watchfor was down are acted on once.
 */

struct journal;
struct journal_spec;
struct loop;

/*
 * Called with each entry's line (`len` bytes, NUL-terminated, borrowed).
 * Returning true means the line was dispatched: its position may be
 * saved. False means it was not taken and reading stops (after a `quit`
 * rule): the saved position stays before it, for the next run.
 */
typedef bool journal_line_cb(const char *line, size_t len, void *arg);

/*
 * Loads libsystemd, opens the journal `spec` describes (borrowed), adds
 * its matches, seeks (saved cursor in STATEDIR/NAME, else the tail) and
 * watches it from `loop`. `statedir` may be NULL (nothing saved). Entries
 * after the saved cursor are handed out from the loop, not from here.
 * Returns NULL when libsystemd cannot be loaded or the journal cannot be
 * opened (the cause logged).
 */
struct journal	*journal_open(struct loop *, const struct journal_spec *spec,
		    const char *statedir, const char *name,
		    journal_line_cb *cb, void *arg);
/*
 * `fn` is called by journal_commit before it saves a moved cursor: what
 * was derived from the entries behind it is saved first (digests). When
 * it returns -1 the cursor is not saved; the commit is retried a second
 * later.
 */
void		 journal_set_before_commit(struct journal *,
		    int (*fn)(void *), void *arg);
/*
 * Saves the cursor now if it moved. Returns 0, or -1 with the cause
 * logged (the old file stays; retried a second later). 0 without a
 * state directory.
 */
int		 journal_commit(struct journal *);
/* Commits, stops watching and closes. journal_free(NULL) is a no-op. */
void		 journal_free(struct journal *);
/* Entries handed out since the open. */
unsigned long long journal_entries(const struct journal *);

#endif
