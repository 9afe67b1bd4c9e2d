#ifndef WATCHFOR_CMDSRC_H
#define WATCHFOR_CMDSRC_H

#include <stddef.h>

/*
 * A long-running command followed as an input ("#% input-command CMD",
 * e.g. `journalctl -f -o short-iso`): its output lines go to a callback;
 * when it dies it is started again after a delay that doubles from 1 s
 * up to 60 s, and starts again from 1 s after a run of a minute or more.
 * (--read-pipe, by contrast, ends when its command's output ends.)
 */

struct cmdsrc;
struct loop;

typedef void cmdsrc_line_cb(const char *line, size_t len, void *arg);

/* Starts `cmd` (copied) now; a start that fails is retried likewise. */
struct cmdsrc	*cmdsrc_new(struct loop *, const char *cmd, cmdsrc_line_cb *,
		    void *arg);
/* Stops the command (TERM, then waits for it) and frees everything. */
void		 cmdsrc_free(struct cmdsrc *);
/* The command, as given to cmdsrc_new. */
const char	*cmdsrc_command(const struct cmdsrc *);
/* Times the command was started. */
unsigned	 cmdsrc_starts(const struct cmdsrc *);

#endif
