#ifndef WATCHFOR_UTIL_H
#define WATCHFOR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The x*alloc family ends the program when memory runs out, so callers need
 * no OOM branch.
 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable byte buffer. `data` is always NUL-terminated past `len` so it
 * can be used as a C string when it holds no NUL byte. Zero-initialise it
 * (struct buf b = { 0 }) or call buf_init; buf_free releases the storage.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);		/* len = 0, keeps storage */
void	 buf_reserve(struct buf *, size_t);	/* room for n more bytes */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Returns the contents as a heap string and leaves the buffer empty. */
char	*buf_detach(struct buf *);

/*
 * Writes all `n` bytes to `fd`, retrying after EINTR and short writes.
 * Returns 0, or -1 with errno set.
 */
int	 util_write_all(int fd, const void *p, size_t n);

/* Returns the part of `path` after its last '/', borrowed from `path`. */
const char *util_basename(const char *path);

/*
 * Replaces the file `path` with `len` bytes of `data`, mode `mode`, so
 * that it exists whole, old or new, whenever the process dies: a temp
 * file ".NAME.XXXXXX" (mkostemp) in the same directory, written, fsync'd,
 * renamed over `path`, the directory fsync'd. Returns 0, or -1 with errno
 * set and nothing left behind; logs nothing (the caller says what failed).
 */
int	 util_write_atomic(const char *path, const void *data, size_t len,
	    unsigned mode);

/*
 * FNV-1a, 64 bits, of `n` bytes, continuing from `h` (UTIL_FNV_INIT for
 * a fresh hash): checksums of state files, rule and key hashes.
 */
#define UTIL_FNV_INIT	0xcbf29ce484222325ULL
uint64_t util_fnv1a(uint64_t h, const void *p, size_t n);

/*
 * The length of the valid UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF) at `s`, which has `len` > 0 bytes:
 * 1 to 4, or 0 when it is not valid.
 */
size_t	 util_utf8_len(const unsigned char *s, size_t len);

#endif
