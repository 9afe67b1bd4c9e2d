/*
 * Resuming a followed name from saved state (state.c keeps the records):
 * find each saved file again, at the name or among its rotated siblings in
 * the same directory, by device + inode + head fingerprint (or by the
 * fingerprint alone: copytruncate's copy), and read it from the saved
 * offset; then the plain generations born while we were down, oldest
 * first; then the file at the name. Compressed siblings are never read.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "tail_int.h"

static bool
sibling_name(const char *name, const char *base)
{
	size_t bl = strlen(base);

	return strncmp(name, base, bl) == 0 &&
	    (name[bl] == '.' || name[bl] == '-') && name[bl + 1] != '\0';
}

size_t
tail_list_siblings(struct tfile *tf, struct cand **out)
{
	struct cand *c = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	if ((d = opendir(tf->dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (!sibling_name(de->d_name, tf->base))
			continue;
		p = xasprintf("%s/%s", tf->dir, de->d_name);
		if (stat(p, &st) == -1 || !S_ISREG(st.st_mode) ||
		    tail_is_compressed(-1, p)) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			c = xreallocarray(c, cap, sizeof(*c));
		}
		c[n].path = p;
		c[n].st = st;
		c[n].used = false;
		n++;
	}
	closedir(d);
	*out = c;
	return n;
}

void
tail_free_siblings(struct cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

/* Does the open file match the record's fingerprint and hold its offset? */
static bool
matches(int fd, const struct stat *st, const struct state_rec *r)
{
	uint64_t h;

	if ((uint64_t)st->st_size < r->offset || st->st_size < r->fplen)
		return false;
	if (r->fplen == 0)
		return true;
	return tail_head_hash(fd, r->fplen, &h) == 0 && h == r->fp;
}

/* Opens `path` at the record's offset if it is that file; NULL if not. */
static struct src *
try_open(struct tfile *tf, const char *path, const struct state_rec *r)
{
	struct src *s;
	struct stat st;

	if ((s = src_open(tf, path, r->offset, false)) == NULL)
		return NULL;
	if (fstat(s->fd, &st) == -1 || tail_is_compressed(s->fd, path) ||
	    !matches(s->fd, &st, r)) {
		TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
		src_close(s);
		return NULL;
	}
	s->fsize_seen = 0;
	return s;
}

#define MTIME_SLACK_NS	50000000ULL

/* Does the file start like one of the saved files? */
static bool
is_copy_of_known(const char *path, const struct state_rec *recs, size_t n)
{
	uint64_t h;
	size_t i;
	bool yes = false;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return false;
	for (i = 0; i < n && !yes; i++)
		yes = recs[i].fplen > 0 &&
		    tail_head_hash(fd, recs[i].fplen, &h) == 0 &&
		    h == recs[i].fp;
	close(fd);
	return yes;
}

static int
by_mtime(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->st.st_mtim.tv_sec != y->st.st_mtim.tv_sec)
		return x->st.st_mtim.tv_sec < y->st.st_mtim.tv_sec ? -1 : 1;
	if (x->st.st_mtim.tv_nsec != y->st.st_mtim.tv_nsec)
		return x->st.st_mtim.tv_nsec < y->st.st_mtim.tv_nsec ? -1 : 1;
	return 0;
}

static void
add_draining(struct tfile *tf, struct src *s, const char *from)
{
	s->draining = true;
	TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
	if (tf->t->p.verbose)
		log_info("%s: resuming rotated file %s at offset %llu",
		    tf->path, from, (unsigned long long)s->off);
}

void
tail_restore(struct tfile *tf)
{
	struct tail *t = tf->t;
	const struct state_rec *recs;
	struct state_rec *copy;
	struct cand *c;
	struct src *s, *cur = NULL;
	struct stat nst;
	uint64_t saved_at;
	size_t n, nc, i, j;
	bool have_name;

	if (!state_has(t->p.state, tf->path))
		return;		/* never followed: start at the end */
	recs = state_get(t->p.state, tf->path, &n);
	/* Copy: the state may change under us once we deliver lines. */
	copy = xcalloc(n ? n : 1, sizeof(*copy));
	if (n > 0)
		memcpy(copy, recs, n * sizeof(*copy));
	tf->restored = true;
	tf->initial = false;
	tf->seen = true;
	saved_at = state_saved_at(t->p.state);
	have_name = stat(tf->path, &nst) == 0 && S_ISREG(nst.st_mode);
	nc = tail_list_siblings(tf, &c);
	for (i = 0; i < n; i++) {
		const struct state_rec *r = &copy[i];

		if (cur == NULL && have_name && nst.st_dev == r->dev &&
		    nst.st_ino == r->ino &&
		    (cur = try_open(tf, tf->path, r)) != NULL) {
			if (t->p.verbose)
				log_info("%s: resuming at offset %llu",
				    tf->path, (unsigned long long)cur->off);
			continue;
		}
		s = NULL;
		for (j = 0; j < nc; j++)
			if (!c[j].used && c[j].st.st_dev == r->dev &&
			    c[j].st.st_ino == r->ino &&
			    (s = try_open(tf, c[j].path, r)) != NULL)
				break;
		/* Not there: perhaps copytruncate's copy of it. */
		for (j = s != NULL ? j : 0; j < nc && s == NULL; j++)
			if (!c[j].used && r->fplen > 0 &&
			    (s = try_open(tf, c[j].path, r)) != NULL)
				break;
		if (s != NULL) {
			c[j].used = true;
			add_draining(tf, s, c[j].path);
			continue;
		}
		log_warnx("%s: a file followed before the restart is gone "
		    "(inode %llu, offset %llu), lines written to it after "
		    "the stop are lost", tf->path,
		    (unsigned long long)r->ino,
		    (unsigned long long)r->offset);
		t->st.gap_bytes++;
	}
	/*
	 * Generations born while we were down, oldest first, from 0. File
	 * times may come from a coarse clock (a tick behind the real time),
	 * hence the margin; a copy of a known file (copytruncate) is not a
	 * new generation.
	 */
	if (nc > 1)
		qsort(c, nc, sizeof(*c), by_mtime);
	for (j = 0; j < nc; j++) {
		uint64_t mt = (uint64_t)c[j].st.st_mtim.tv_sec * 1000000000ULL +
		    (uint64_t)c[j].st.st_mtim.tv_nsec;
		struct tfile *owner = NULL;

		if (c[j].used || mt + MTIME_SLACK_NS < saved_at ||
		    (have_name && c[j].st.st_dev == nst.st_dev &&
		    c[j].st.st_ino == nst.st_ino) ||
		    is_copy_of_known(c[j].path, copy, n))
			continue;
		TAILQ_FOREACH(s, &tf->srcs, entry)
			if (s->dev == c[j].st.st_dev && s->ino == c[j].st.st_ino)
				owner = tf;
		if (owner != NULL ||
		    (s = src_open(tf, c[j].path, 0, false)) == NULL)
			continue;
		if (tail_is_compressed(s->fd, c[j].path)) {
			TAILQ_INSERT_TAIL(&tf->srcs, s, entry);
			src_close(s);
			continue;
		}
		add_draining(tf, s, c[j].path);
	}
	if (cur == NULL && have_name)
		cur = src_open(tf, tf->path, 0, false);
	if (cur != NULL) {
		TAILQ_INSERT_TAIL(&tf->srcs, cur, entry);
		tf->cur = cur;
	}
	tail_free_siblings(c, nc);
	free(copy);
}
