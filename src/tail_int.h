/*
 * Internals shared by tail.c and tail_restore.c; not a public header.
 */
#ifndef WATCHFOR_TAIL_INT_H
#define WATCHFOR_TAIL_INT_H

#include <sys/queue.h>
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tail.h"
#include "util.h"

struct state_rec;

/* A rotated sibling of a name (name.N, name-DATE), not compressed. */
struct cand {
	char		*path;
	struct stat	 st;
	bool		 used;
};

/* One open file: the one at the name, or one rotated away (draining). */
struct src {
	TAILQ_ENTRY(src) entry;
	struct tfile	*tf;
	int		 fd;
	int		 wd;		/* file watch, -1 none */
	uint64_t	 dev, ino;
	uint64_t	 off;		/* next byte to read */
	uint64_t	 lstart;	/* first byte not delivered (commit) */
	uint64_t	 fp;		/* hash of the first fplen bytes */
	uint32_t	 fplen;
	off_t		 fsize_seen;	/* size and mtime at the last check */
	struct timespec	 mtime_seen;
	struct buf	 part;		/* unfinished line */
	uint64_t	 last_data;	/* ms monotonic: last read with data,
					   or when it began draining */
	bool		 skipping;	/* rest of an over-long line */
	bool		 skip_nul;	/* leading NULs after truncation */
	bool		 draining;
	bool		 deleted;	/* st_nlink == 0 */
	bool		 copy;		/* copytruncate's copy */
	long		 remote;	/* remote filesystem type, 0: local */
	bool		 at_eof;
	bool		 read_err_logged;
};
TAILQ_HEAD(srcq, src);

/* One configured name. srcs: draining files oldest first, then cur. */
#define TAIL_READ_BUDGET	(4u << 20)	/* bytes per file per round */

struct tfile {
	TAILQ_ENTRY(tfile) entry;
	struct tail	*t;
	char		*path, *dir, *base;
	struct srcq	 srcs;
	struct src	*cur;
	int		 dwd;		/* directory (or ancestor) watch */
	int		 last_errno;
	bool		 ancestor;	/* dwd is an ancestor: dir missing */
	bool		 initial;	/* first open: start at the end */
	bool		 seen;		/* was opened at least once */
	bool		 restored;	/* had state records */
	bool		 polled;
	bool		 dirty;
	bool		 missing_logged;
	bool		 alias_logged;
	bool		 remote_logged;
	bool		 nobtime_logged;
	bool		 held;		/* this round, an older source has
					   more than READ_BUDGET unread: the
					   newer ones wait (line order) */
	uint64_t	 looked_ns;	/* realtime of the last look at the
					   name, 0 before the first */
	struct timespec	 dir_mtime;	/* the directory's at that look */
	/* The first open failed (EMFILE, EACCES): the file as it was then,
	   so that a later open starts where it ended, losing nothing. */
	bool		 start_pending;
	uint64_t	 start_dev, start_ino, start_size;
};

struct tail {
	struct loop	*lp;
	struct tail_params p;
	tail_line_cb	*cb;
	void		*arg;
	size_t		 maxline;
	unsigned	 poll_ms, quiet_ms, commit_ms;
	int		 ifd;		/* inotify, -1 when polling */
	char		*rbuf;
	size_t		 rbufsz;
	TAILQ_HEAD(, tfile) files;
	struct loop_timer *rtimer;	/* reconcile / poll */
	struct loop_timer *ktimer;	/* read more now (budget hit) */
	struct loop_timer *ctimer;	/* state commit */
	uint64_t	 last_activity;	/* ms monotonic */
	uint64_t	 nopen;
	bool		 more;
	bool		 state_dirty;
	bool		 delivering;
	bool		 stopped;	/* tail_stop: deliver nothing more */
	struct tail_stats st;
};

int		 tail_head_hash(int, uint32_t, uint64_t *);
bool		 tail_is_compressed(int, const char *);
struct src	*src_open(struct tfile *, const char *, uint64_t, bool);
void		 src_watch(struct src *);
void		 src_close(struct src *);
bool		 src_update_fp(struct src *, const struct stat *);
bool		 src_read(struct src *, size_t);
/*
 * src_read, but not past offset `end` (UINT64_MAX: no limit); true also
 * when it stopped at `end` and the file holds more.
 */
bool		 src_read_upto(struct src *, size_t, uint64_t);
void		 src_deliver(struct src *, char *, size_t, unsigned);
void		 tfile_set_cur_draining(struct tfile *, const char *);
void		 tfile_sync(struct tfile *);
void		 tail_fill_state(struct tfile *, struct state_rec **, size_t *);
void		 tail_restore(struct tfile *);
size_t		 tail_list_siblings(struct tfile *, struct cand **);
void		 tail_free_siblings(struct cand *, size_t);
struct src	*tail_find_open(struct tail *, uint64_t, uint64_t,
		    struct tfile **);
uint64_t	 tail_realtime_ns(void);
void		 tfile_scan_unseen(struct tfile *, const struct stat *);

#endif
