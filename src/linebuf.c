/*
 * Line splitting for streams read through the event loop (see linebuf.h).
 * Files have their own, offset-keeping splitter in tail.c; this one keeps
 * no positions.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"
#include "log.h"

#define LINEBUF_BLOCK	(64 * 1024)

void
linebuf_init(struct linebuf *lb, const char *name, size_t max)
{
	buf_init(&lb->b);
	lb->max = max;
	lb->skipping = false;
	lb->name = name;
}

void
linebuf_free(struct linebuf *lb)
{
	buf_free(&lb->b);
}

int
linebuf_read(struct linebuf *lb, int fd, linebuf_cb *cb, void *arg)
{
	struct buf *b = &lb->b;
	const char *nl;
	size_t used = 0;
	ssize_t n;
	int rc = 1;

	buf_reserve(b, LINEBUF_BLOCK);
	n = read(fd, b->data + b->len, LINEBUF_BLOCK);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		log_warn("read %s", lb->name);
		n = 0;
		rc = -1;
	}
	b->len += (size_t)n;
	while ((nl = memchr(b->data + used, '\n', b->len - used)) != NULL) {
		if (!lb->skipping)
			cb(b->data + used, (size_t)(nl - b->data) - used, arg);
		lb->skipping = false;
		used = (size_t)(nl - b->data) + 1;
	}
	memmove(b->data, b->data + used, b->len - used);
	b->len -= used;
	if (b->len > lb->max && !lb->skipping) {
		log_warnx("%s: line over %zu bytes: matched its head, skipped "
		    "the rest", lb->name, lb->max);
		cb(b->data, lb->max, arg);
		lb->skipping = true;
	}
	if (lb->skipping)
		b->len = 0;
	if (n == 0) {
		if (b->len > 0 && !lb->skipping)
			cb(b->data, b->len, arg);
		b->len = 0;
		lb->skipping = false;
		return rc == -1 ? -1 : 0;
	}
	return 1;
}
