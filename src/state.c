/*
 * Saved read positions, one file per daemon instance. The text format is
 * versioned and ends with a checksum line, so a torn or foreign file is
 * recognised and ignored (reported, never fatal):
 *
 *	watchfor-state 1
 *	saved <ns since the epoch>
 *	f <dev> <ino> <fplen> <fp hex> <offset> <path, %XX-escaped>
 *	e <path>		(a path followed before, no file open)
 *	...
 *	sum <FNV-1a 64 of every byte above, hex>
 *
 * Several `f` lines for one path are its records, oldest first. Saving is
 * atomic: temp file (mkstemp, 0600) in the same directory, write, fsync,
 * rename, fsync of the directory. What the records mean is tail.c's
 * business.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "util.h"

#define STATE_MAGIC	"watchfor-state 1\n"
#define STATE_MAXSIZE	(16u << 20)

struct entry {
	char		*path;
	struct state_rec *recs;
	size_t		 n;
};

struct state {
	char		*dir;
	char		*path;
	struct entry	*ents;
	size_t		 nents;
	uint64_t	 saved_at;	/* of the loaded file, ns */
	bool		 dirty;
	int		 failing;	/* errno of the failing saves, or 0 */
	uint64_t	 nfailed;	/* failed saves since the last good one */
};

static struct entry *
entry_find(const struct state *sp, const char *path)
{
	size_t i;

	for (i = 0; i < sp->nents; i++)
		if (strcmp(sp->ents[i].path, path) == 0)
			return &sp->ents[i];
	return NULL;
}

static void
entries_clear(struct state *sp)
{
	size_t i;

	for (i = 0; i < sp->nents; i++) {
		free(sp->ents[i].path);
		free(sp->ents[i].recs);
	}
	free(sp->ents);
	sp->ents = NULL;
	sp->nents = 0;
}

static struct entry *
entry_add(struct state *sp, const char *path)
{
	struct entry *e;

	sp->ents = xreallocarray(sp->ents, sp->nents + 1, sizeof(*sp->ents));
	e = &sp->ents[sp->nents++];
	e->path = xstrdup(path);
	e->recs = NULL;
	e->n = 0;
	return e;
}

static void
rec_append(struct state *sp, const char *path, const struct state_rec *r)
{
	struct entry *e;

	if ((e = entry_find(sp, path)) == NULL)
		e = entry_add(sp, path);
	e->recs = xreallocarray(e->recs, e->n + 1, sizeof(*e->recs));
	e->recs[e->n++] = *r;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX escapes in place; returns -1 on a bad escape. */
static int
unescape(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if ((hi = hexval(s[1])) == -1 || (lo = hexval(s[2])) == -1 ||
		    (hi == 0 && lo == 0))
			return -1;	/* a path has no NUL byte */
		*w++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*w = '\0';
	return 0;
}

static void
escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == '%' || c >= 0x7f)
			buf_addf(b, "%%%02X", c);
		else
			buf_addc(b, (char)c);
	}
}

/* Parses the whole file; returns NULL on success or why it is bad. */
static const char *
parse(struct state *sp, char *data, size_t len)
{
	char *line, *next, *end = data + len, *sumline;
	uint64_t sum;

	if (len < sizeof(STATE_MAGIC) - 1 ||
	    memcmp(data, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) != 0)
		return "not a watchfor state file";
	if (len == 0 || data[len - 1] != '\n')
		return "truncated";
	data[len - 1] = '\0';
	if ((sumline = strrchr(data, '\n')) == NULL)
		return "truncated";
	sumline++;
	if (sscanf(sumline, "sum %" SCNx64, &sum) != 1 ||
	    util_fnv1a(UTIL_FNV_INIT, data, (size_t)(sumline - data)) != sum)
		return "checksum mismatch";
	sumline[-1] = '\0';
	for (line = data + sizeof(STATE_MAGIC) - 1; line < end && *line;
	    line = next) {
		struct state_rec r;
		char *path;
		unsigned long long dev, ino, fp, off;
		unsigned fplen;
		unsigned long long at;
		int pos = -1;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (sscanf(line, "saved %llu", &at) == 1) {
			sp->saved_at = at;
			continue;
		}
		/* the path is the rest of the line, escaped: any length */
		if (line[0] == 'e' && line[1] == ' ') {
			path = line + 2;
			if (strchr(path, ' ') != NULL || unescape(path) == -1 ||
			    *path == '\0')
				return "bad record";
			if (entry_find(sp, path) == NULL)
				(void)entry_add(sp, path);
			continue;
		}
		if (sscanf(line, "f %llu %llu %u %llx %llu %n", &dev, &ino,
		    &fplen, &fp, &off, &pos) != 5 || pos < 0 ||
		    fplen > 1 << 20)
			return "bad record";
		path = line + pos;
		if (strchr(path, ' ') != NULL || unescape(path) == -1 ||
		    *path == '\0')
			return "bad record";
		r.dev = dev;
		r.ino = ino;
		r.fplen = fplen;
		r.fp = fp;
		r.offset = off;
		rec_append(sp, path, &r);
	}
	return NULL;
}

static void
load(struct state *sp)
{
	struct stat st;
	const char *why;
	char *data;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(sp->path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("state %s, ignored", sp->path);
		return;
	}
	if (fstat(fd, &st) == -1 || st.st_size > STATE_MAXSIZE) {
		log_warnx("state %s: unreadable or too large, ignored",
		    sp->path);
		close(fd);
		return;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	data[got] = '\0';
	if (memchr(data, '\0', got) != NULL)
		why = "contains NUL bytes";
	else
		why = parse(sp, data, got);
	if (why != NULL) {
		log_warnx("state %s: %s, ignored (starting at the end of "
		    "each file)", sp->path, why);
		entries_clear(sp);
		sp->saved_at = 0;
	}
	free(data);
}

/* The foreign directory last warned about: not again, nor below it. */
static bool
foreign_warned(const char *dir)
{
	static char *last;
	size_t n;

	if (last != NULL && strncmp(dir, last, (n = strlen(last))) == 0 &&
	    (dir[n] == '\0' || dir[n] == '/'))
		return true;
	free(last);
	last = xstrdup(dir);
	return false;
}

void
state_dir_private(const char *dir)
{
	struct stat st;
	unsigned mode;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return;
	mode = (unsigned)st.st_mode & 07777;
	if (st.st_uid != geteuid()) {
		if (!foreign_warned(dir))
			log_warnx("%s: directory owned by uid %lu, not by "
			    "this user (uid %lu): that user can read and "
			    "change what watchfor keeps there", dir,
			    (unsigned long)st.st_uid,
			    (unsigned long)geteuid());
		return;
	}
	if ((mode & 077) == 0)
		return;
	if (chmod(dir, 0700) == -1)
		log_warn("%s: mode %04o lets others in, cannot make it 0700",
		    dir, mode);
	else
		log_warnx("%s: mode %04o let others in, made 0700", dir,
		    mode);
}

struct state *
state_open(const char *dir, const char *name)
{
	struct state *sp;
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("state directory %s", dir);
		return NULL;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("state directory %s: not a directory", dir);
		return NULL;
	}
	state_dir_private(dir);
	sp = xcalloc(1, sizeof(*sp));
	sp->dir = xstrdup(dir);
	sp->path = xasprintf("%s/%s", dir, name);
	load(sp);
	return sp;
}

void
state_free(struct state *sp)
{
	if (sp == NULL)
		return;
	entries_clear(sp);
	free(sp->dir);
	free(sp->path);
	free(sp);
}

const struct state_rec *
state_get(const struct state *sp, const char *path, size_t *n)
{
	struct entry *e;

	if ((e = entry_find(sp, path)) == NULL || e->n == 0) {
		*n = 0;
		return NULL;
	}
	*n = e->n;
	return e->recs;
}

static bool
rec_eq(const struct state_rec *a, const struct state_rec *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->fp == b->fp &&
	    a->fplen == b->fplen && a->offset == b->offset;
}

void
state_set(struct state *sp, const char *path, const struct state_rec *recs,
    size_t n)
{
	struct entry *e;
	size_t i;

	e = entry_find(sp, path);
	if (e != NULL && e->n == n) {
		for (i = 0; i < n && rec_eq(&e->recs[i], &recs[i]); i++)
			continue;
		if (i == n)
			return;
	}
	if (e == NULL)
		e = entry_add(sp, path);
	free(e->recs);
	e->recs = NULL;
	e->n = 0;
	for (i = 0; i < n; i++)
		rec_append(sp, path, &recs[i]);
	sp->dirty = true;
}

bool
state_has(const struct state *sp, const char *path)
{
	return entry_find(sp, path) != NULL;
}

void
state_forget(struct state *sp, const char *path)
{
	struct entry *e;

	if ((e = entry_find(sp, path)) == NULL)
		return;
	free(e->path);
	free(e->recs);
	*e = sp->ents[--sp->nents];
	sp->dirty = true;
}

/*
 * Reports a failed save (errno set): the first of a run of failures with
 * the same cause is logged, the repeats only counted, so that a full disk
 * retried every second does not flood the log.
 */
static void
save_failed(struct state *sp, const char *what, const char *path)
{
	int e = errno;

	if (sp->failing != e)
		log_warn("%s %s, retrying until it succeeds",
		    what, path);
	sp->failing = e;
	sp->nfailed++;
	errno = e;
}

int
state_save(struct state *sp)
{
	struct buf b = { 0 };
	struct timespec ts;
	size_t i, j;

	if (!sp->dirty)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	buf_adds(&b, STATE_MAGIC);
	buf_addf(&b, "saved %llu\n", (unsigned long long)ts.tv_sec *
	    1000000000ULL + (unsigned long long)ts.tv_nsec);
	for (i = 0; i < sp->nents; i++) {
		if (sp->ents[i].n == 0) {
			buf_adds(&b, "e ");
			escape(&b, sp->ents[i].path);
			buf_addc(&b, '\n');
		}
		for (j = 0; j < sp->ents[i].n; j++) {
			const struct state_rec *r = &sp->ents[i].recs[j];

			buf_addf(&b, "f %llu %llu %u %llx %llu ",
			    (unsigned long long)r->dev,
			    (unsigned long long)r->ino, r->fplen,
			    (unsigned long long)r->fp,
			    (unsigned long long)r->offset);
			escape(&b, sp->ents[i].path);
			buf_addc(&b, '\n');
		}
	}
	buf_addf(&b, "sum %016llx\n",
	    (unsigned long long)util_fnv1a(UTIL_FNV_INIT, b.data, b.len));
	if (util_write_atomic(sp->path, b.data, b.len, 0600) == -1) {
		save_failed(sp, "state", sp->path);
		goto fail;
	}
	if (sp->failing != 0)
		log_warnx("state %s saved again after %llu failed attempts",
		    sp->path, (unsigned long long)sp->nfailed);
	sp->failing = 0;
	sp->nfailed = 0;
	sp->dirty = false;
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

uint64_t
state_saved_at(const struct state *sp)
{
	return sp->saved_at;
}

const char *
state_path(const struct state *sp)
{
	return sp->path;
}
