#ifndef WATCHFOR_SPOOL_H
#define WATCHFOR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The durable outbox: one file per message under DIR/outbox/, written
 * atomically (a ".tmp-" file opened with O_EXCL, mode 0600, written,
 * fsync'd, renamed into place, the directory fsync'd), so that a message
 * exists either whole or not at all whenever the process dies. Messages
 * that cannot be delivered move to DIR/outbox/failed/. A file holds the
 * envelope (how to deliver: the command, the recipients, the attempt
 * count and times) and then the message bytes:
 *
 *	watchfor-spool 1
 *	kind mail
 *	first 1732304219123		ms since the epoch: spooled at
 *	next 1732304249123		ms since the epoch: next attempt
 *	attempts 1			failed attempts so far
 *	rcpt root
 *	cmd /usr/sbin/sendmail -oi -t	the command as text, for messages
 *	file /usr/sbin/sendmail		the program (PATH search)
 *	arg /usr/sbin/sendmail		argv, one line each
 *	arg -oi
 *	arg -t
 *	env NAME=value			added to the environment, repeatable
 *	stderr dup			optional: dup (2>&1) or null
 *	permfail 69			optional: this exit status of the
 *					command is a permanent failure
 *					(files without it decode as before)
 *	error exited with status 75	optional: the last failure
 *	length 57			bytes of message after the header
 *	sum 0123456789abcdef		FNV-1a 64 of the bytes above and the
 *					message
 *	(an empty line, then the message)
 *
 * Values escape "\" as "\\", LF as "\n" and other control bytes as
 * "\xHH". Nothing here knows about delivery or time; the outbox module
 * schedules.
 */

struct buf;
struct spool;

#define SPOOL_STDERR_DUP	0x1	/* 2>&1 */
#define SPOOL_STDERR_NULL	0x2	/* stderr to /dev/null */

/* An envelope. Plain data; the holder owns every string. */
struct spool_env {
	char		*kind;		/* "mail" */
	char		*rcpt;		/* recipients, for messages; or NULL */
	char		*cmd;		/* command text, for messages */
	char		*file;		/* program to run */
	char		**argv;		/* argc entries and a NULL */
	size_t		 argc;
	char		**vars;		/* "NAME=value" */
	size_t		 nvars;
	unsigned	 flags;		/* SPOOL_STDERR_* */
	unsigned	 permfail;	/* exit status meaning permanent, 0 */
	uint64_t	 first;		/* ms since the epoch */
	uint64_t	 next;		/* ms since the epoch */
	unsigned	 attempts;	/* failed attempts so far */
	char		*error;		/* last failure, or NULL */
};

/* Frees the strings of `e` and zeroes it. */
void	spool_env_clear(struct spool_env *e);
/* Deep copy of `src` into `dst` (which is overwritten, not freed). */
void	spool_env_copy(struct spool_env *dst, const struct spool_env *src);

/* Pure: appends the file contents for `e` and the message to `out`. */
void	spool_encode(const struct spool_env *e, const char *msg, size_t len,
	    struct buf *out);
/*
 * Pure: parses file contents. On success fills `e` (zeroed first; the
 * caller clears it), sets *off to the offset of the message and returns 0;
 * on a malformed file returns -1 with a static description in *why.
 */
int	spool_decode(const char *data, size_t len, struct spool_env *e,
	    size_t *off, const char **why);

/*
 * Opens DIR/outbox and DIR/outbox/failed, creating them (and DIR) with
 * mode 0700 when missing. Returns NULL when that fails (logged).
 */
struct spool	*spool_open(const char *dir);
/* Frees the handle; the files stay. spool_close(NULL) is a no-op. */
void		 spool_close(struct spool *);
/* DIR/outbox, for messages. */
const char	*spool_path(const struct spool *);
/* DIR/outbox/failed. */
const char	*spool_failed_path(const struct spool *);

/*
 * Writes a new message durably (see above) and returns its file name (a
 * heap string; names sort by e->first), or NULL with errno set and what
 * failed in spool_error, not logged (the caller logs once per failure
 * run).
 */
char		*spool_put(struct spool *, const struct spool_env *e,
		    const char *msg, size_t len);
/* What the last failed write was doing: "PATH" or "rename PATH", say. */
const char	*spool_error(const struct spool *);
/*
 * Replaces message `name` with envelope `e` and message `msg`, durably
 * (the old file stays whole until the rename). Returns 0 or -1, logged.
 */
int		 spool_rewrite(struct spool *, const char *name,
		    const struct spool_env *e, const char *msg, size_t len);
/*
 * Reads message `name`: the envelope into `e` (the caller clears it), the
 * message into `msg` (appended) and its offset in the file into *off when
 * `off` is not NULL. Returns 0, -1 when the file cannot be read (logged;
 * errno set, ENOENT when it is gone) or -2 when it is malformed (logged
 * with the reason; nothing moved).
 */
int		 spool_read(struct spool *, const char *name,
		    struct spool_env *e, struct buf *msg, size_t *off);
/*
 * Opens message `name` read-only, positioned at offset `off` (from
 * spool_read), close-on-exec. Returns the fd or -1 with errno set.
 */
int		 spool_open_msg(struct spool *, const char *name, size_t off);
/* Removes message `name` durably. Returns 0 or -1, logged. */
int		 spool_remove(struct spool *, const char *name);
/*
 * Moves message `name` to failed/ as NAME plus `suffix` ("" or
 * ".corrupt"), durably. Returns 0 or -1, logged.
 */
int		 spool_move_failed(struct spool *, const char *name,
		    const char *suffix);
/*
 * The message names in DIR/outbox, sorted (oldest first); *n gets their
 * number. Leftover ".tmp-" files of an interrupted write are removed
 * (their message was never complete). The caller frees each name and the
 * array. Returns NULL with *n = 0 when there is none or on error (logged).
 */
char		**spool_list(struct spool *, size_t *n);
/* Number of files in failed/ (-1 on error). */
long		 spool_failed_count(struct spool *);

#endif
