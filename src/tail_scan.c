/*
 * Generations the follower never had open: a file created at a followed
 * name and renamed away before we looked (several rotations in one event
 * batch, a rotation while the action blocked, while the name was missing,
 * or between two polls). When the name changed since our last look, the
 * rotated siblings in the same directory (name.N, name-DATE) born after
 * that look (statx birth time) that we do not hold and that are not a copy
 * of a file we hold are read from their start, oldest first, before the
 * file now at the name. Deciding when to look, and reading, is tail.c's.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "tail_int.h"

/* File times come from a coarse clock, up to a tick behind. */
#define BIRTH_SLACK_NS	50000000ULL

struct unseen {
	struct cand	*c;
	uint64_t	 born;
};

uint64_t
tail_realtime_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Birth time in ns, 0 if the filesystem does not keep it. */
static uint64_t
birth_ns(const char *path)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, 0, STATX_BTIME, &sx) == -1 ||
	    !(sx.stx_mask & STATX_BTIME))
		return 0;
	return (uint64_t)sx.stx_btime.tv_sec * 1000000000ULL +
	    (uint64_t)sx.stx_btime.tv_nsec;
}

/* Does `s` start like one of the files we hold for this name? */
static bool
is_copy(struct tfile *tf, const struct src *s)
{
	const struct src *o;
	uint64_t h;

	TAILQ_FOREACH(o, &tf->srcs, entry)
		if (o != s && o->fplen > 0 &&
		    tail_head_hash(s->fd, o->fplen, &h) == 0 && h == o->fp)
			return true;
	return false;
}

/* A timespec as ns, for ordering. */
static uint64_t
ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

/*
 * Oldest generation first. Birth times come from the kernel's coarse
 * clock, so generations made within one tick tie: then the one written
 * last earlier, then the lower inode number (allocated in creation order
 * by ext4 and xfs in one directory); never an arbitrary order.
 */
static int
by_birth(const void *a, const void *b)
{
	const struct unseen *x = a, *y = b;
	uint64_t mx, my;

	if (x->born != y->born)
		return x->born < y->born ? -1 : 1;
	mx = ts_ns(&x->c->st.st_mtim);
	my = ts_ns(&y->c->st.st_mtim);
	if (mx != my)
		return mx < my ? -1 : 1;
	return x->c->st.st_ino < y->c->st.st_ino ? -1 :
	    x->c->st.st_ino > y->c->st.st_ino;
}

/*
 * Opens one unseen generation from 0 and queues it for draining; reads
 * at most a budget of it now, the rest in the next rounds (tfile_sync).
 */
static void
open_unseen(struct tfile *tf, const char *path)
{
	struct tail *t = tf->t;
	struct src *s;

	if ((s = src_open(tf, path, 0, false)) == NULL)
		return;
	TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
	if (tail_is_compressed(s->fd, path) || is_copy(tf, s)) {
		src_close(s);
		return;
	}
	s->draining = true;
	t->st.rotations++;
	if (t->p.verbose)
		log_info("%s: %s was rotated away before it was opened, "
		    "reading it from the start", tf->path, path);
	src_watch(s);
	t->state_dirty = true;
	/* A budget per round, as any file: a big one must not stall the
	   loop. What an older generation left unread holds this one. */
	if (!tf->held && src_read(s, TAIL_READ_BUDGET))
		tf->held = true;
}

/*
 * Called by tfile_sync when the name no longer holds tf->cur (already
 * moved to the draining files) or is missing; `nst` is what the name
 * holds now (NULL: nothing), never taken for an unseen generation.
 */
void
tfile_scan_unseen(struct tfile *tf, const struct stat *nst)
{
	struct tfile *owner;
	struct unseen *u;
	struct cand *c;
	uint64_t since, born;
	size_t n, nu = 0, i;

	if (tf->looked_ns == 0)
		return;
	since = tf->looked_ns > BIRTH_SLACK_NS ?
	    tf->looked_ns - BIRTH_SLACK_NS : 0;
	n = tail_list_siblings(tf, &c);
	u = xcalloc(n ? n : 1, sizeof(*u));
	for (i = 0; i < n; i++) {
		if (tail_find_open(tf->t, c[i].st.st_dev, c[i].st.st_ino,
		    &owner) != NULL)
			continue;
		if (nst != NULL && c[i].st.st_dev == nst->st_dev &&
		    c[i].st.st_ino == nst->st_ino)
			continue;
		if ((born = birth_ns(c[i].path)) == 0) {
			if (!tf->nobtime_logged)
				log_warnx("%s: the filesystem keeps no birth "
				    "time: a file rotated away before it "
				    "was opened is not found", tf->path);
			tf->nobtime_logged = true;
			continue;
		}
		if (born < since)
			continue;
		u[nu].c = &c[i];
		u[nu].born = born;
		nu++;
	}
	if (nu > 1)
		qsort(u, nu, sizeof(*u), by_birth);
	for (i = 0; i < nu; i++)
		open_unseen(tf, u[i].c->path);
	free(u);
	tail_free_siblings(c, n);
}
