/*
 * The file follower. Each configured name (struct tfile) owns a list of
 * open files (struct src): those rotated away and still being drained,
 * oldest first, then the file now at the name. One function, tfile_sync,
 * reconciles a name with the filesystem and reads what is new; inotify
 * events (directory and file watches) and the timer only decide when it
 * runs, so the polling mode has the same semantics. Lines go to the
 * caller's callback; positions go to the state (state.c), which this
 * module only fills and asks to save. Restoring from a state lives in
 * tail_restore.c, cutting lines in tail_lines.c, finding generations
 * rotated away before we opened them in tail_scan.c.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "state.h"
#include "tail.h"
#include "tail_int.h"
#include "util.h"

#define DIR_MASK	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | \
			 IN_MOVE_SELF | IN_ONLYDIR)
#define FILE_MASK	(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
#define READ_BUDGET	TAIL_READ_BUDGET
#define ACTIVE_MS	3000		/* stay at 1 s reconcile this long */
#define FAST_MS		1000
#define SLOW_MS		30000
#define DELETED_QUIET_MS 1000

static void	tail_kick(struct tail *);
static void	tail_reschedule(struct tail *);

/* ---- helpers ---- */

/* Hash of the first `len` bytes of fd; -1 if the file is shorter. */
int
tail_head_hash(int fd, uint32_t len, uint64_t *h)
{
	char b[TAIL_FP_MAX];
	ssize_t n;

	if (len > sizeof(b))
		len = sizeof(b);
	n = pread(fd, b, len, 0);
	if (n != (ssize_t)len)
		return -1;
	*h = util_fnv1a(UTIL_FNV_INIT, b, len);
	return 0;
}

static void
vlog_decision(struct tail *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
vlog_decision(struct tail *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!t->p.verbose)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("%s", msg);
}
#define decide	vlog_decision

/* The filesystem's type when it is remote (inotify cannot see other
   hosts' writes), else 0. */
static long
remote_fs_type(int fd)
{
	static const long remote[] = {
		0x6969,		/* NFS */
		0xff534d42,	/* CIFS */
		0xfe534d42,	/* SMB2 */
		0x517b,		/* SMB */
		0x65735546,	/* FUSE */
		0x00c36400,	/* CEPH */
		0x47504653,	/* GPFS */
		0x013111a8,	/* IBRIX */
		0x6b414653,	/* AFS */
		0x5346414f,	/* OPENAFS */
		0x73757245,	/* CODA */
		0x564c,		/* NCP */
		0x01021997,	/* V9FS */
	};
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf) == -1)
		return 0;
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if ((long)sf.f_type == remote[i])
			return remote[i];
	return 0;
}

bool
tail_is_compressed(int fd, const char *name)
{
	static const char *sfx[] = { ".gz", ".xz", ".bz2", ".zst", ".lz4",
	    ".Z", ".lzma", ".zip" };
	unsigned char m[4];
	size_t i, nl = strlen(name), sl;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		sl = strlen(sfx[i]);
		if (nl > sl && strcmp(name + nl - sl, sfx[i]) == 0)
			return true;
	}
	if (fd == -1 || pread(fd, m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return false;
	return (m[0] == 0x1f && m[1] == 0x8b) ||
	    (m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X') ||
	    (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) ||
	    (m[0] == 'B' && m[1] == 'Z' && m[2] == 'h');
}

/* ---- sources: one open file ---- */

struct src *
src_open(struct tfile *tf, const char *path, uint64_t off, bool at_end)
{
	struct tail *t = tf->t;
	struct src *s;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (!S_ISREG(st.st_mode))
			errno = EINVAL;
		close(fd);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->tf = tf;
	s->fd = fd;
	s->wd = -1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->off = at_end ? (uint64_t)st.st_size : off;
	s->lstart = s->off;
	s->last_data = loop_now();
	s->remote = remote_fs_type(fd);
	t->nopen++;
	src_update_fp(s, &st);
	return s;
}

void
src_watch(struct src *s)
{
	struct tail *t = s->tf->t;
	char proc[64];

	if (t->ifd == -1 || s->wd != -1 || s->tf->polled)
		return;
	if (s->remote) {
		if (!s->tf->remote_logged)
			log_info("%s: remote filesystem (type 0x%lx), "
			    "polling", s->tf->path, (unsigned long)s->remote);
		s->tf->remote_logged = true;
		s->tf->polled = true;
		return;
	}
	/* Watch the very inode we opened, whatever the name holds now. */
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	s->wd = inotify_add_watch(t->ifd, proc, FILE_MASK);
	if (s->wd == -1) {
		log_warn("%s: inotify watch, polling this file", s->tf->path);
		s->tf->polled = true;
	}
}

static bool
wd_in_use(struct tail *t, int wd, const struct src *except)
{
	struct tfile *tf;
	struct src *s;

	TAILQ_FOREACH(tf, &t->files, entry) {
		if (tf->dwd == wd)
			return true;
		TAILQ_FOREACH(s, &tf->srcs, entry)
			if (s != except && s->wd == wd)
				return true;
	}
	return false;
}

void
src_close(struct src *s)
{
	struct tfile *tf = s->tf;
	struct tail *t = tf->t;

	TAILQ_REMOVE(&tf->srcs, s, entry);
	if (tf->cur == s)
		tf->cur = NULL;
	if (s->wd != -1 && !wd_in_use(t, s->wd, s))
		(void)inotify_rm_watch(t->ifd, s->wd);
	close(s->fd);
	t->nopen--;
	buf_free(&s->part);
	free(s);
	t->state_dirty = true;
}

/*
 * Updates the head fingerprint while the file is shorter than TAIL_FP_MAX
 * and checks the part already hashed. Returns false when the head changed
 * (the content was replaced in place).
 */
bool
src_update_fp(struct src *s, const struct stat *st)
{
	char b[TAIL_FP_MAX];
	uint32_t want;
	ssize_t n;

	want = st->st_size < TAIL_FP_MAX ? (uint32_t)st->st_size : TAIL_FP_MAX;
	if (want < s->fplen)
		return false;
	if (want == 0)
		return true;
	n = pread(s->fd, b, want, 0);
	if (n < (ssize_t)s->fplen)
		return false;
	if (s->fplen > 0 && util_fnv1a(UTIL_FNV_INIT, b, s->fplen) != s->fp)
		return false;
	s->fplen = (uint32_t)n;
	s->fp = util_fnv1a(UTIL_FNV_INIT, b, (size_t)n);
	return true;
}

/* ---- names ---- */

void
tfile_set_cur_draining(struct tfile *tf, const char *why)
{
	struct src *s = tf->cur;

	if (s == NULL)
		return;
	(void)src_read(s, 0);	/* everything written so far, in order */
	s->draining = true;
	s->last_data = loop_now();
	tf->cur = NULL;
	tf->t->st.rotations++;
	decide(tf->t, "%s: %s, draining the old file", tf->path, why);
}

/* Watch the nearest existing ancestor of the file's directory. */
static void
tfile_watch_dir(struct tfile *tf)
{
	struct tail *t = tf->t;
	char *dir, *slash;
	int wd;

	if (t->ifd == -1 || tf->polled)
		return;
	dir = xstrdup(tf->dir);
	for (;;) {
		wd = inotify_add_watch(t->ifd, dir, DIR_MASK);
		if (wd != -1 || (errno != ENOENT && errno != ENOTDIR) ||
		    strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
			break;
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	if (wd == -1) {
		log_warn("%s: inotify watch on %s, polling this file",
		    tf->path, dir);
		tf->polled = true;
		free(dir);
		return;
	}
	if (tf->dwd != -1 && tf->dwd != wd) {
		int old = tf->dwd;

		tf->dwd = -1;
		if (!wd_in_use(t, old, NULL))
			(void)inotify_rm_watch(t->ifd, old);
	}
	tf->dwd = wd;
	tf->ancestor = strcmp(dir, tf->dir) != 0;
	if (tf->ancestor)
		decide(t, "%s: directory missing, watching %s", tf->path, dir);
	free(dir);
}

/*
 * Length of the common prefix of `a` and `b` up to `max`, cut back to the
 * last newline in it. Used when a copy of the old file appears at the name
 * (rename-over of a copy), so that what was read is not read again.
 */
static uint64_t
common_lines(int a, int b, uint64_t max)
{
	char x[8192], y[8192];
	uint64_t off = 0, last_nl = 0;
	ssize_t n, m, i;

	while (off < max) {
		size_t want = max - off < sizeof(x) ? max - off : sizeof(x);

		n = pread(a, x, want, (off_t)off);
		m = pread(b, y, want, (off_t)off);
		if (n <= 0 || m <= 0)
			break;
		if (m < n)
			n = m;
		for (i = 0; i < n; i++) {
			if (x[i] != y[i])
				return last_nl;
			if (x[i] == '\n')
				last_nl = off + (uint64_t)i + 1;
		}
		off += (uint64_t)n;
		if (n < (ssize_t)want)
			break;
	}
	return last_nl;
}

struct src *
tail_find_open(struct tail *t, uint64_t dev, uint64_t ino,
    struct tfile **owner)
{
	struct tfile *tf;
	struct src *s;

	TAILQ_FOREACH(tf, &t->files, entry)
		TAILQ_FOREACH(s, &tf->srcs, entry)
			if (s->dev == dev && s->ino == ino) {
				*owner = tf;
				return s;
			}
	return NULL;
}

/* A new file is at the name (or the first one appears): follow it. */
static void
tfile_open_new(struct tfile *tf, const struct stat *st)
{
	struct tail *t = tf->t;
	struct tfile *owner;
	struct src *s, *old;
	uint64_t h, off;

	if ((s = tail_find_open(t, st->st_dev, st->st_ino, &owner)) != NULL) {
		if (owner != tf) {
			if (!tf->alias_logged)
				log_info("%s: same file as %s, read once",
				    tf->path, owner->path);
			tf->alias_logged = true;
			return;
		}
		/* A rotated file moved back to the name. */
		TAILQ_REMOVE(&tf->srcs, s, entry);
		TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
		s->draining = false;
		tf->cur = s;
		decide(t, "%s: old file is back at the name", tf->path);
		return;
	}
	tf->alias_logged = false;
	off = 0;
	if (tf->start_pending && tf->start_dev == (uint64_t)st->st_dev &&
	    tf->start_ino == (uint64_t)st->st_ino)
		off = tf->start_size;
	s = src_open(tf, tf->path, off, tf->initial);
	if (s == NULL) {
		if (tf->last_errno != errno)
			log_warn("cannot open %s", tf->path);
		tf->last_errno = errno;
		if (tf->initial) {
			/* Lines written until it opens are new: keep them. */
			tf->start_pending = true;
			tf->start_dev = (uint64_t)st->st_dev;
			tf->start_ino = (uint64_t)st->st_ino;
			tf->start_size = (uint64_t)st->st_size;
			tf->initial = false;
		}
		return;
	}
	tf->last_errno = 0;
	tf->start_pending = false;
	/*
	 * A copy of the file we are draining put at the name (cp + mv -T):
	 * continue after what both have in common.
	 */
	old = TAILQ_LAST(&tf->srcs, srcq);
	if (!tf->initial && old != NULL && old->fplen > 0 && old->off > 0 &&
	    old->lstart == old->off &&
	    tail_head_hash(s->fd, old->fplen, &h) == 0 && h == old->fp &&
	    common_lines(old->fd, s->fd, old->off) == old->off) {
		/* It holds everything we read from the old one: a copy. */
		s->off = s->lstart = old->off;
		decide(t, "%s: new file is a copy of the old one, reading "
		    "from %llu", tf->path, (unsigned long long)s->off);
	}
	TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
	tf->cur = s;
	decide(t, "%s: opened (dev %llu inode %llu) at offset %llu",
	    tf->path, (unsigned long long)s->dev, (unsigned long long)s->ino,
	    (unsigned long long)s->off);
	if (tf->missing_logged && !tf->initial)
		log_info("%s has appeared, following new file", tf->path);
	tf->missing_logged = false;
	tf->initial = false;
	tf->seen = true;
	src_watch(s);
	t->state_dirty = true;
}

/*
 * The file at the name was truncated or its content replaced in place.
 * Read the rest of the copy when logrotate's copytruncate left one as
 * path.1 (same head, not one of ours), then restart at 0.
 */
static void
src_truncated(struct src *s, const char *why)
{
	struct tfile *tf = s->tf;
	struct tail *t = tf->t;
	struct tfile *owner;
	struct src *c;
	struct stat cst;
	char *cpath;
	uint64_t h;

	t->st.truncations++;
	log_info("%s: file truncated (%s)", tf->path, why);
	cpath = xasprintf("%s.1", tf->path);
	if (s->fplen > 0 && stat(cpath, &cst) == 0 && S_ISREG(cst.st_mode) &&
	    tail_find_open(t, cst.st_dev, cst.st_ino, &owner) == NULL &&
	    (c = src_open(tf, cpath, s->lstart, false)) != NULL) {
		/* Our src list owns it from here, whatever it turns out to be. */
		TAILQ_INSERT_BEFORE(s, c, entry);
		if (!tail_is_compressed(c->fd, cpath) &&
		    tail_head_hash(c->fd, s->fplen, &h) == 0 && h == s->fp) {
			decide(t, "%s: reading the rest of the copy %s from "
			    "%llu", tf->path, cpath,
			    (unsigned long long)s->lstart);
			/*
			 * Kept (and saved in the state) until quiet, so that a
			 * restart knows this copy was read.
			 */
			c->draining = true;
			c->copy = true;
			if ((uint64_t)cst.st_size < c->off)
				c->off = c->lstart = (uint64_t)cst.st_size;
			(void)src_read(c, 0);
		} else
			src_close(c);
	} else
		t->st.gap_bytes += s->off - s->lstart;	/* dropped partial */
	free(cpath);
	buf_reset(&s->part);
	s->skipping = false;
	s->off = s->lstart = 0;
	s->fplen = 0;
	s->fp = 0;
	s->skip_nul = true;	/* a writer without O_APPEND leaves a hole */
	t->state_dirty = true;
}

/* Checks the open file at the name for truncation or deletion. */
static void
tfile_check_cur(struct tfile *tf)
{
	struct src *s = tf->cur;
	struct stat st;

	if (s == NULL || fstat(s->fd, &st) == -1)
		return;
	if ((uint64_t)st.st_size < s->off)
		src_truncated(s, "size below offset");
	else if ((st.st_size != s->fsize_seen ||
	    st.st_mtim.tv_sec != s->mtime_seen.tv_sec ||
	    st.st_mtim.tv_nsec != s->mtime_seen.tv_nsec) &&
	    !src_update_fp(s, &st))
		src_truncated(s, "content replaced");
	if (s->fplen == 0)
		(void)src_update_fp(s, &st);
	s->fsize_seen = st.st_size;
	s->mtime_seen = st.st_mtim;
	if (st.st_nlink == 0)
		s->deleted = true;
}

/* The name is missing: scan for missed generations when the directory
   changed since the last look (a rename in it changes its mtime). */
static void
tfile_scan_if_dir_changed(struct tfile *tf, const struct stat *nst)
{
	struct stat dst;

	if (stat(tf->dir, &dst) == -1 ||
	    (dst.st_mtim.tv_sec == tf->dir_mtime.tv_sec &&
	    dst.st_mtim.tv_nsec == tf->dir_mtime.tv_nsec))
		return;
	tf->dir_mtime = dst.st_mtim;
	tfile_scan_unseen(tf, nst);
}

/*
 * Reads the draining files, oldest first (a copy was read once when
 * found: later writes to it, cp over an old copy, are not ours); one with
 * more than a budget unread holds the newer ones until the next round.
 */
static void
drain_old(struct tfile *tf)
{
	struct src *s;

	TAILQ_FOREACH(s, &tf->srcs, entry)
		if (s != tf->cur && !s->copy && !tf->held &&
		    src_read(s, READ_BUDGET))
			tf->held = true;
}

static bool
has_old(const struct tfile *tf)
{
	const struct src *s;

	TAILQ_FOREACH(s, &tf->srcs, entry)
		if (s != tf->cur && !s->copy)
			return true;
	return false;
}

/*
 * Reads the file at the name. While old files are draining, only up to
 * its size before they were read once more: a line their writer wrote
 * before one of the new file is then never delivered after it (the two
 * files cannot be read at one instant); the rest comes next round.
 */
static void
read_cur(struct tfile *tf)
{
	struct tail *t = tf->t;
	struct stat st;
	uint64_t end = UINT64_MAX;

	if (tf->cur == NULL)
		return;
	if (!tf->held && has_old(tf) && fstat(tf->cur->fd, &st) == 0) {
		end = (uint64_t)st.st_size;
		drain_old(tf);
	}
	if (tf->held)
		t->more = true;		/* the file at the name waits */
	else if (src_read_upto(tf->cur, READ_BUDGET, end))
		t->more = true;
}

/*
 * Reconciles one name with the filesystem and reads everything new:
 * draining files first (older content), then the file at the name.
 */
void
tfile_sync(struct tfile *tf)
{
	struct tail *t = tf->t;
	struct src *s, *next;
	struct stat st, fst;
	uint64_t now, looked;

	tf->dirty = false;
	tf->held = false;
	looked = tail_realtime_ns();
	drain_old(tf);
	if (tf->held)
		t->more = true;
	if (tf->dwd == -1 && !tf->polled)
		tfile_watch_dir(tf);
	else if (tf->ancestor)
		tfile_watch_dir(tf);	/* maybe the directory is back */
	if (stat(tf->path, &st) == -1) {
		int e = errno;

		if (tf->cur != NULL)
			tfile_set_cur_draining(tf, "name gone");
		tfile_scan_if_dir_changed(tf, NULL);
		if (!tf->missing_logged || tf->last_errno != e) {
			errno = e;
			log_warn("cannot open %s for reading", tf->path);
		}
		tf->missing_logged = true;
		tf->last_errno = e;
		tf->initial = false;
	} else if (!S_ISREG(st.st_mode)) {
		if (tf->cur != NULL)
			tfile_set_cur_draining(tf, "name not a regular file");
		tfile_scan_if_dir_changed(tf, &st);
		if (!tf->missing_logged)
			log_warnx("%s: not a regular file, waiting", tf->path);
		tf->missing_logged = true;
		tf->initial = false;
	} else if (tf->cur == NULL || tf->cur->dev != st.st_dev ||
	    tf->cur->ino != st.st_ino) {
		if (tf->cur != NULL)
			tfile_set_cur_draining(tf, "replaced");
		/* Older than the file at the name: generations we missed. */
		tfile_scan_unseen(tf, &st);
		tfile_open_new(tf, &st);
	}
	tf->looked_ns = looked;
	tfile_check_cur(tf);
	if (tf->held)
		t->more = true;		/* the file at the name waits */
	else
		read_cur(tf);
	/* Close drained files that went quiet. */
	now = loop_now();
	for (s = TAILQ_FIRST(&tf->srcs); s != NULL; s = next) {
		unsigned quiet;

		next = TAILQ_NEXT(s, entry);
		if (s == tf->cur || !s->at_eof)
			continue;
		if (fstat(s->fd, &fst) == 0 && fst.st_nlink == 0)
			s->deleted = true;
		quiet = s->deleted && t->quiet_ms > DELETED_QUIET_MS ?
		    DELETED_QUIET_MS : t->quiet_ms;
		if (now - s->last_data < quiet)
			continue;
		if (s->part.len > 0 && s->copy) {
			/* Its writer goes on in the truncated file. */
			t->st.gap_bytes += s->part.len;
		} else if (s->part.len > 0 && !s->skipping) {
			decide(t, "%s: delivering the unterminated last line "
			    "of the old file", tf->path);
			src_deliver(s, s->part.data, s->part.len,
			    TAIL_LINE_UNTERMINATED);
		}
		decide(t, "%s: old file drained, closed", tf->path);
		src_close(s);
	}
}

/* ---- inotify and timers ---- */

static void
on_inotify(int fd, uint32_t events, void *arg)
{
	struct tail *t = arg;
	char buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct tfile *tf;
	struct src *s;
	ssize_t n;
	char *p;

	(void)events;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				t->st.overflows++;
				log_warnx("inotify queue overflow, rescanning");
				TAILQ_FOREACH(tf, &t->files, entry) {
					tf->dirty = true;
					tf->dwd = -1;	/* re-add */
				}
				continue;
			}
			TAILQ_FOREACH(tf, &t->files, entry) {
				if (tf->dwd == ev->wd) {
					if (ev->mask & (IN_IGNORED |
					    IN_DELETE_SELF | IN_MOVE_SELF |
					    IN_UNMOUNT)) {
						if (ev->mask & IN_MOVE_SELF)
							(void)inotify_rm_watch(
							    t->ifd, ev->wd);
						tf->dwd = -1;
						tf->dirty = true;
					} else if (tf->ancestor || (ev->len &&
					    strcmp(ev->name, tf->base) == 0))
						tf->dirty = true;
				}
				TAILQ_FOREACH(s, &tf->srcs, entry)
					if (s->wd == ev->wd) {
						tf->dirty = true;
						if (ev->mask & IN_IGNORED)
							s->wd = -1;
					}
			}
		}
	}
	t->last_activity = loop_now();
	TAILQ_FOREACH(tf, &t->files, entry)
		if (tf->dirty)
			tfile_sync(tf);
	tail_reschedule(t);
}

static bool
tail_needs_poll(struct tail *t)
{
	struct tfile *tf;

	if (t->ifd == -1)
		return true;
	TAILQ_FOREACH(tf, &t->files, entry) {
		if (tf->polled)
			return true;
		/* There but not opened (EMFILE, EACCES): no event will
		   say when it can be, so try again at every poll. */
		if (tf->cur == NULL && tf->last_errno != 0 &&
		    tf->last_errno != ENOENT && tf->last_errno != ENOTDIR)
			return true;
	}
	return false;
}

static bool
tail_draining(struct tail *t)
{
	struct tfile *tf;

	TAILQ_FOREACH(tf, &t->files, entry)
		if (TAILQ_FIRST(&tf->srcs) != tf->cur ||
		    (tf->cur != NULL && TAILQ_NEXT(tf->cur, entry) != NULL))
			return true;
	return false;
}

/* Arms the reconcile timer: poll_ms, 1 s while active, else 30 s. */
static void
tail_reschedule(struct tail *t)
{
	uint64_t now = loop_now(), ms, want, cur;

	if (t->more) {
		tail_kick(t);
		return;
	}
	if (tail_needs_poll(t))
		ms = t->poll_ms;
	else if (tail_draining(t) || now - t->last_activity < ACTIVE_MS)
		ms = FAST_MS;
	else
		ms = SLOW_MS;
	want = now + ms;
	cur = loop_timer_deadline(t->rtimer);
	if (cur == 0 || cur > want || (cur + 2 * FAST_MS < want &&
	    ms == SLOW_MS))
		loop_timer_arm(t->rtimer, ms, 0);
	if (t->p.state != NULL && t->state_dirty &&
	    !loop_timer_armed(t->ctimer))
		loop_timer_arm(t->ctimer, t->commit_ms, 0);
}

static void
tail_sync_all(struct tail *t)
{
	struct tfile *tf;

	t->more = false;
	TAILQ_FOREACH(tf, &t->files, entry)
		tfile_sync(tf);
	tail_reschedule(t);
}

static void
on_reconcile(void *arg)
{
	tail_sync_all(arg);
}

static void
on_kick(void *arg)
{
	tail_sync_all(arg);
}

static void
tail_kick(struct tail *t)
{
	if (!loop_timer_armed(t->ktimer))
		loop_timer_arm(t->ktimer, 0, 0);
	if (t->p.state != NULL && t->state_dirty &&
	    !loop_timer_armed(t->ctimer))
		loop_timer_arm(t->ctimer, t->commit_ms, 0);
}

static void
on_commit(void *arg)
{
	(void)tail_commit(arg);
}

/* Closes a name's files and watches and forgets it. */
static void
tfile_free(struct tfile *tf)
{
	struct tail *t = tf->t;
	int dwd = tf->dwd;

	while (!TAILQ_EMPTY(&tf->srcs))
		src_close(TAILQ_FIRST(&tf->srcs));
	TAILQ_REMOVE(&t->files, tf, entry);
	if (dwd != -1 && t->ifd != -1 && !wd_in_use(t, dwd, NULL))
		(void)inotify_rm_watch(t->ifd, dwd);
	free(tf->path);
	free(tf->dir);
	free(tf->base);
	free(tf);
}

/* ---- public ---- */

struct tail *
tail_new(struct loop *lp, const struct tail_params *p, tail_line_cb *cb,
    void *arg)
{
	struct tail *t;

	t = xcalloc(1, sizeof(*t));
	t->lp = lp;
	t->p = *p;
	t->cb = cb;
	t->arg = arg;
	t->maxline = p->max_line ? p->max_line : TAIL_MAX_LINE_DEFAULT;
	t->poll_ms = p->poll_ms ? p->poll_ms : 1000;
	t->quiet_ms = p->quiet_ms ? p->quiet_ms : 5000;
	t->commit_ms = p->commit_ms ? p->commit_ms : 1000;
	t->rbufsz = 128 * 1024 + 1;
	t->rbuf = xmalloc(t->rbufsz);
	TAILQ_INIT(&t->files);
	t->ifd = -1;
	if (!p->poll) {
		t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (t->ifd == -1)
			log_warn("inotify_init1, falling back to polling");
		else if (loop_add_fd(lp, t->ifd, EPOLLIN, on_inotify, t)
		    == -1) {
			log_warn("inotify in the event loop, polling");
			close(t->ifd);
			t->ifd = -1;
		}
	}
	t->rtimer = loop_timer_new(lp, on_reconcile, t);
	t->ktimer = loop_timer_new(lp, on_kick, t);
	t->ctimer = loop_timer_new(lp, on_commit, t);
	t->last_activity = loop_now();
	return t;
}

int
tail_add(struct tail *t, const char *path)
{
	struct tfile *tf;
	const char *slash;

	TAILQ_FOREACH(tf, &t->files, entry)
		if (strcmp(tf->path, path) == 0) {
			errno = EEXIST;
			return -1;
		}
	tf = xcalloc(1, sizeof(*tf));
	tf->t = t;
	tf->path = xstrdup(path);
	if ((slash = strrchr(path, '/')) == NULL)
		tf->dir = xstrdup(".");
	else if (slash == path)
		tf->dir = xstrdup("/");
	else
		tf->dir = xstrndup(path, (size_t)(slash - path));
	tf->base = xstrdup(util_basename(path));
	tf->dwd = -1;
	tf->initial = true;
	tf->polled = t->ifd == -1;
	TAILQ_INIT(&tf->srcs);
	TAILQ_INSERT_TAIL(&t->files, tf, entry);
	if (t->p.state != NULL) {
		tail_restore(tf);
		t->state_dirty = true;	/* record the name at once */
	}
	/* Watches first, then the name: nothing appended after we return
	   can be missed (the offset comes from fstat after the open). */
	tfile_watch_dir(tf);
	tf->looked_ns = tail_realtime_ns();
	if (tf->cur == NULL && TAILQ_EMPTY(&tf->srcs)) {
		struct stat st;

		if (stat(tf->path, &st) == 0 && S_ISREG(st.st_mode))
			tfile_open_new(tf, &st);
		else {
			log_warn("cannot open %s for reading", tf->path);
			tf->missing_logged = true;
			tf->last_errno = errno;
			tf->initial = false;
		}
	} else {
		struct src *s;

		TAILQ_FOREACH(s, &tf->srcs, entry)
			src_watch(s);
		tf->initial = false;
	}
	/* Read once more now that the watches exist (appends made between
	   the open and the file watch raised no event). */
	t->more = true;
	tail_reschedule(t);
	return 0;
}

void
tail_fill_state(struct tfile *tf, struct state_rec **recs, size_t *n)
{
	struct src *s;
	size_t i = 0, cnt = 0;

	TAILQ_FOREACH(s, &tf->srcs, entry)
		cnt++;
	*recs = cnt ? xcalloc(cnt, sizeof(**recs)) : NULL;
	TAILQ_FOREACH(s, &tf->srcs, entry) {
		/* An unlinked file cannot be found again. */
		if (s->deleted && s != tf->cur)
			continue;
		(*recs)[i].dev = s->dev;
		(*recs)[i].ino = s->ino;
		(*recs)[i].fp = s->fp;
		(*recs)[i].fplen = s->fplen;
		(*recs)[i].offset = s->lstart;
		i++;
	}
	*n = i;
}

int
tail_remove(struct tail *t, const char *path)
{
	struct tfile *tf;

	TAILQ_FOREACH(tf, &t->files, entry)
		if (strcmp(tf->path, path) == 0)
			break;
	if (tf == NULL) {
		errno = ENOENT;
		return -1;
	}
	tfile_free(tf);
	if (t->p.state != NULL)
		state_forget(t->p.state, path);
	t->state_dirty = true;
	tail_reschedule(t);
	return 0;
}

int
tail_commit(struct tail *t)
{
	struct state_rec *recs;
	struct tfile *tf;
	size_t n;

	if (t->p.state == NULL)
		return 0;
	loop_timer_disarm(t->ctimer);
	if (!t->state_dirty)
		return 0;
	if (t->p.before_commit != NULL &&
	    t->p.before_commit(t->p.commit_arg) == -1) {
		/* nothing derived from unsaved lines is acknowledged */
		loop_timer_arm(t->ctimer, t->commit_ms, 0);
		return -1;
	}
	TAILQ_FOREACH(tf, &t->files, entry) {
		/* Every name is recorded, even while missing: what appears
		   there after a restart is read from its start. */
		tail_fill_state(tf, &recs, &n);
		state_set(t->p.state, tf->path, recs, n);
		free(recs);
	}
	t->state_dirty = false;
	if (state_save(t->p.state) == -1) {
		/* disk full, say: tail_reschedule retries in commit_ms */
		t->state_dirty = true;
		return -1;
	}
	return 0;
}

void
tail_stop(struct tail *t)
{
	t->stopped = true;
}

void
tail_free(struct tail *t)
{
	struct tfile *tf;

	if (t == NULL)
		return;
	(void)tail_commit(t);
	while ((tf = TAILQ_FIRST(&t->files)) != NULL)
		tfile_free(tf);
	loop_timer_free(t->rtimer);
	loop_timer_free(t->ktimer);
	loop_timer_free(t->ctimer);
	if (t->ifd != -1) {
		loop_del_fd(t->lp, t->ifd);
		close(t->ifd);
	}
	free(t->rbuf);
	free(t);
}

void
tail_stats(const struct tail *t, struct tail_stats *st)
{
	*st = t->st;
	st->files_open = t->nopen;
	st->polling = t->ifd == -1;
}

void
tail_log_stats(const struct tail *t)
{
	struct tail_stats st;

	tail_stats(t, &st);
	log_info("files: %llu lines, %llu bytes, %llu rotations, "
	    "%llu truncations, %llu overflows, %llu long lines, "
	    "%llu gap bytes, %llu open%s",
	    (unsigned long long)st.lines, (unsigned long long)st.bytes,
	    (unsigned long long)st.rotations,
	    (unsigned long long)st.truncations,
	    (unsigned long long)st.overflows,
	    (unsigned long long)st.long_lines,
	    (unsigned long long)st.gap_bytes,
	    (unsigned long long)st.files_open,
	    st.polling ? ", polling" : "");
}
