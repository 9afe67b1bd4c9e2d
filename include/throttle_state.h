#ifndef WATCHFOR_THROTTLE_STATE_H
#define WATCHFOR_THROTTLE_STATE_H

#include <stddef.h>

/*
 * The files of the throttle and digest state in the state directory: a
 * magic line naming the kind and version, the payload, and a closing
 * "sum HEX\n" line (FNV-1a 64 of everything before it). What the payload
 * means is the caller's (throttle_encode, the mail cap's digest).
 */

struct buf;

/*
 * Replaces `path` atomically with `magic` ("watchfor-throttle 1"), the
 * payload and the checksum: a temp file beside it (mkstemp, 0600), write,
 * fsync, rename, fsync of the directory. Returns 0, or -1 with the cause
 * logged (the old file stays).
 */
int	throttle_state_write(const char *path, const char *magic,
	    const char *data, size_t len);
/*
 * Reads `path` into `out` (the payload only). Returns 1 when loaded, 0
 * when there is no such file, -1 when it is corrupt, foreign or cannot be
 * read: reported with log_warnx, to be ignored.
 */
int	throttle_state_read(const char *path, const char *magic,
	    struct buf *out);

#endif
