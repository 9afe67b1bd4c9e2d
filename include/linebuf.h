#ifndef WATCHFOR_LINEBUF_H
#define WATCHFOR_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * Newline-separated lines from a descriptor read in pieces (a pipe on
 * standard input, a command's output): complete lines are handed out as
 * they arrive, a line over `max` bytes has its head handed out and the
 * rest skipped, and the last line without a newline comes at the end.
 */

typedef void linebuf_cb(const char *line, size_t len, void *arg);

struct linebuf {
	struct buf	 b;
	size_t		 max;
	bool		 skipping;	/* inside an over-long line */
	const char	*name;		/* for the warning */
};

void	linebuf_init(struct linebuf *, const char *name, size_t max);
void	linebuf_free(struct linebuf *);
/*
 * Reads once from non-blocking `fd` and hands out the complete lines.
 * Returns 1 while more may come, 0 at the end of input (the last partial
 * line was handed out), -1 on a read error (logged; treat as the end).
 */
int	linebuf_read(struct linebuf *, int fd, linebuf_cb *, void *arg);

#endif
