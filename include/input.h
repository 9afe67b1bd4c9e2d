#ifndef WATCHFOR_INPUT_H
#define WATCHFOR_INPUT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One-pass input: a file (--examine) or a command's output (--read-pipe)
 * read to its end in large blocks and cut into records by the input
 * record separator, which is removed as Perl's chomp does (spec 3).
 */

/* The record separator: a literal byte string, or paragraph mode. */
struct recsep {
	char	*sep;		/* owned; "\n" by default */
	size_t	 len;
	bool	 paragraph;	/* --input-record-separator "" */
};

/*
 * Sets `rs` from the --input-record-separator value (NULL: not given),
 * which is a Perl double-quoted string: \n, \t, \0, \x41 ... are decoded.
 * Returns 0, or -1 with *err (heap) for a value watchfor cannot take.
 */
int	recsep_init(struct recsep *rs, const char *irs, char **err);
void	recsep_free(struct recsep *rs);

/* Called once per record; returns true to go on, false to stop reading. */
typedef bool input_record_cb(const char *rec, size_t len, void *arg);

/*
 * Records longer than this are matched on their first `max_record` bytes;
 * the rest is skipped and counted.
 */
#define INPUT_MAX_RECORD	(64UL * 1024 * 1024)

struct input_stats {
	unsigned long long records;
	unsigned long long bytes;
	unsigned long long truncated;	/* records cut at max_record */
};

/*
 * Reads `fd` to its end (or until the callback says stop), handing every
 * record to `cb`. Returns 1 when stopped by the callback, 0 at the end of
 * input, -1 on a read error (errno set). `stats` may be NULL.
 */
int	input_read_fd(int fd, const struct recsep *, size_t max_record,
	    input_record_cb *cb, void *arg, struct input_stats *stats);

/* Tests: read at most `n` bytes at a time (0: the default block). */
void	input_set_block(size_t n);

#endif
