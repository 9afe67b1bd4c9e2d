/*
 * The throttle state files (throttle_state.h): framing, checksum and the
 * atomic replace. What is in them, and when they are written, is the
 * actions' (action_digest.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "throttle_state.h"
#include "util.h"

#define TSTATE_MAX_FILE	(256u << 20)	/* bytes read at most */

/* errno of the failing writes, 0 while they work: one log line a run */
static int write_failing;
static unsigned long long write_failures;

int
throttle_state_write(const char *path, const char *magic, const char *data,
    size_t len)
{
	struct buf b = { 0 };
	int rc;

	buf_addf(&b, "%s\n", magic);
	buf_add(&b, data, len);
	buf_addf(&b, "sum %016llx\n",
	    (unsigned long long)util_fnv1a(UTIL_FNV_INIT, b.data, b.len));
	if ((rc = util_write_atomic(path, b.data, b.len, 0600)) == -1) {
		if (write_failing != errno)
			log_warn("state %s, retrying until it succeeds", path);
		write_failing = errno;
		write_failures++;
	} else if (write_failing != 0) {
		log_warnx("state %s saved again after %llu failed attempts",
		    path, write_failures);
		write_failing = 0;
		write_failures = 0;
	}
	buf_free(&b);
	return rc;
}

static int
read_all(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b->len + (size_t)n > TSTATE_MAX_FILE) {
			close(fd);
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	return 1;
}

int
throttle_state_read(const char *path, const char *magic, struct buf *out)
{
	struct buf b = { 0 };
	size_t mlen = strlen(magic), body;
	unsigned long long sum;
	char tail[32];
	int rc;

	buf_reset(out);
	if ((rc = read_all(path, &b)) == 0) {
		buf_free(&b);
		return 0;
	}
	if (rc == -1) {
		log_warn("state %s: cannot read, ignored", path);
		buf_free(&b);
		return -1;
	}
	/* "MAGIC\n" ... "sum " 16 hex "\n" */
	if (b.len < mlen + 1 + 21 || memcmp(b.data, magic, mlen) != 0 ||
	    b.data[mlen] != '\n')
		goto bad;
	body = b.len - 21;
	memcpy(tail, b.data + body, 21);
	tail[21] = '\0';
	if (sscanf(tail, "sum %16llx\n", &sum) != 1 || tail[20] != '\n' ||
	    sum != (unsigned long long)util_fnv1a(UTIL_FNV_INIT, b.data, body))
		goto bad;
	buf_add(out, b.data + mlen + 1, body - mlen - 1);
	buf_free(&b);
	return 1;
bad:
	log_warnx("state %s: corrupt or not a \"%s\" file, ignored", path,
	    magic);
	buf_free(&b);
	return -1;
}
