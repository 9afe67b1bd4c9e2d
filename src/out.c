/*
 * Buffered stdout with explicit flush points (see out.h). Writes with
 * write(2) directly so that children that inherit fd 1 never see our
 * buffer. Knows nothing of actions.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "out.h"

#define OUT_BUFSZ	(64 * 1024)

static char	outbuf[OUT_BUFSZ];
static size_t	outlen;
static int	outerr;

static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && outerr == 0) {
		if ((w = write(STDOUT_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			outerr = errno;	/* EPIPE, ENOSPC: drop output */
			break;
		}
		p += w;
		n -= (size_t)w;
	}
}

void
out_init(void)
{
	outlen = 0;
	log_set_preflush(out_flush);
}

void
out_write(const void *p, size_t n)
{
	if (n >= OUT_BUFSZ) {
		out_flush();
		write_all(p, n);
		return;
	}
	if (outlen + n > OUT_BUFSZ)
		out_flush();
	memcpy(outbuf + outlen, p, n);
	outlen += n;
}

void
out_flush(void)
{
	size_t n = outlen;

	outlen = 0;
	if (n > 0)
		write_all(outbuf, n);
}
