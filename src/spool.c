/*
 * The durable outbox on disk (see spool.h for the file format): writing
 * a message atomically before any delivery attempt, rewriting its
 * envelope after a failed attempt, removing it once delivered, moving it
 * to failed/, listing what is there after a restart. When to deliver and
 * how to run the mailer are left to the outbox module.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "spool.h"
#include "state.h"
#include "util.h"

#define SPOOL_MAGIC	"watchfor-spool 1\n"
#define SPOOL_TMP	".tmp-"
#define SPOOL_MAX_FILE	(64u << 20)	/* larger is not ours */

struct spool {
	char		*dir;		/* DIR/outbox */
	char		*failed;	/* DIR/outbox/failed */
	int		 dirfd;
	int		 faileddirfd;
	unsigned	 seq;		/* makes names unique in a process */
	char		*why;		/* what the last failed write did */
};

void
spool_env_clear(struct spool_env *e)
{
	size_t i;

	free(e->kind);
	free(e->rcpt);
	free(e->cmd);
	free(e->file);
	for (i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
	for (i = 0; i < e->nvars; i++)
		free(e->vars[i]);
	free(e->vars);
	free(e->error);
	memset(e, 0, sizeof(*e));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
spool_env_copy(struct spool_env *dst, const struct spool_env *src)
{
	size_t i;

	*dst = *src;
	dst->kind = dup_or_null(src->kind);
	dst->rcpt = dup_or_null(src->rcpt);
	dst->cmd = dup_or_null(src->cmd);
	dst->file = dup_or_null(src->file);
	dst->error = dup_or_null(src->error);
	dst->argv = xcalloc(src->argc + 1, sizeof(*dst->argv));
	for (i = 0; i < src->argc; i++)
		dst->argv[i] = xstrdup(src->argv[i]);
	dst->vars = NULL;
	if (src->nvars > 0) {
		dst->vars = xcalloc(src->nvars, sizeof(*dst->vars));
		for (i = 0; i < src->nvars; i++)
			dst->vars[i] = xstrdup(src->vars[i]);
	}
}

/* Appends "key value\n" with the value escaped. */
static void
put_line(struct buf *b, const char *key, const char *v)
{
	const unsigned char *u = (const unsigned char *)v;

	buf_adds(b, key);
	buf_addc(b, ' ');
	for (; *u != '\0'; u++) {
		if (*u == '\\')
			buf_add(b, "\\\\", 2);
		else if (*u == '\n')
			buf_add(b, "\\n", 2);
		else if (*u < 0x20 || *u == 0x7f)
			buf_addf(b, "\\x%02x", *u);
		else
			buf_addc(b, (char)*u);
	}
	buf_addc(b, '\n');
}

void
spool_encode(const struct spool_env *e, const char *msg, size_t len,
    struct buf *out)
{
	size_t start = out->len, i;
	uint64_t h;

	buf_adds(out, SPOOL_MAGIC);
	put_line(out, "kind", e->kind != NULL ? e->kind : "mail");
	buf_addf(out, "first %" PRIu64 "\nnext %" PRIu64 "\nattempts %u\n",
	    e->first, e->next, e->attempts);
	if (e->rcpt != NULL)
		put_line(out, "rcpt", e->rcpt);
	if (e->cmd != NULL)
		put_line(out, "cmd", e->cmd);
	put_line(out, "file", e->file != NULL ? e->file : "");
	for (i = 0; i < e->argc; i++)
		put_line(out, "arg", e->argv[i]);
	for (i = 0; i < e->nvars; i++)
		put_line(out, "env", e->vars[i]);
	if (e->flags & SPOOL_STDERR_DUP)
		buf_adds(out, "stderr dup\n");
	else if (e->flags & SPOOL_STDERR_NULL)
		buf_adds(out, "stderr null\n");
	if (e->permfail != 0)
		buf_addf(out, "permfail %u\n", e->permfail);
	if (e->error != NULL)
		put_line(out, "error", e->error);
	buf_addf(out, "length %zu\n", len);
	h = util_fnv1a(util_fnv1a(UTIL_FNV_INIT, out->data + start,
	    out->len - start), msg, len);
	buf_addf(out, "sum %016" PRIx64 "\n\n", h);
	buf_add(out, msg, len);
}

/* Unescapes `s` (n bytes) into a heap string; NULL if malformed. */
static char *
unescape(const char *s, size_t n)
{
	struct buf b = { 0 };
	unsigned v;
	size_t i;
	char hex[3];

	buf_reserve(&b, n + 1);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			goto bad;
		if (s[i] != '\\') {
			buf_addc(&b, s[i]);
			continue;
		}
		if (++i == n)
			goto bad;
		if (s[i] == '\\')
			buf_addc(&b, '\\');
		else if (s[i] == 'n')
			buf_addc(&b, '\n');
		else if (s[i] == 'x') {
			if (i + 2 >= n)
				goto bad;
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			hex[2] = '\0';
			if (sscanf(hex, "%2x", &v) != 1 ||
			    strspn(hex, "0123456789abcdef") != 2 || v == 0)
				goto bad;
			buf_addc(&b, (char)v);
			i += 2;
		} else
			goto bad;
	}
	buf_add(&b, "", 0);	/* terminated even when empty */
	return buf_detach(&b);
bad:
	buf_free(&b);
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static void
push(char ***arr, size_t *n, char *s)
{
	*arr = xreallocarray(*arr, *n + 2, sizeof(**arr));
	(*arr)[(*n)++] = s;
	(*arr)[*n] = NULL;
}

/* One header line "key value" (value unescaped) into `e`. */
static int
decode_line(struct spool_env *e, const char *key, char *val, bool *seen,
    uint64_t *length, const char **why)
{
	uint64_t v;
	char **slot = NULL;
	int rc;

	if (strcmp(key, "first") == 0 || strcmp(key, "next") == 0 ||
	    strcmp(key, "attempts") == 0 || strcmp(key, "length") == 0) {
		rc = parse_u64(val, &v);
		free(val);
		if (rc == -1 || (key[0] == 'a' && v > UINT32_MAX)) {
			*why = "bad number";
			return -1;
		}
		if (key[0] == 'f')
			e->first = v, seen[0] = true;
		else if (key[0] == 'n')
			e->next = v, seen[1] = true;
		else if (key[0] == 'a')
			e->attempts = (unsigned)v, seen[2] = true;
		else
			*length = v, seen[3] = true;
		return 0;
	}
	if (strcmp(key, "permfail") == 0) {
		rc = parse_u64(val, &v);
		free(val);
		if (rc == -1 || v == 0 || v > 255) {
			*why = "bad permfail line";
			return -1;
		}
		e->permfail = (unsigned)v;
		return 0;
	}
	if (strcmp(key, "arg") == 0) {
		push(&e->argv, &e->argc, val);
		return 0;
	}
	if (strcmp(key, "env") == 0) {
		if (strchr(val, '=') == NULL || val[0] == '=') {
			free(val);
			*why = "bad env line";
			return -1;
		}
		push(&e->vars, &e->nvars, val);
		return 0;
	}
	if (strcmp(key, "stderr") == 0) {
		if (strcmp(val, "dup") == 0)
			e->flags |= SPOOL_STDERR_DUP;
		else if (strcmp(val, "null") == 0)
			e->flags |= SPOOL_STDERR_NULL;
		else {
			free(val);
			*why = "bad stderr line";
			return -1;
		}
		free(val);
		return 0;
	}
	if (strcmp(key, "kind") == 0)
		slot = &e->kind;
	else if (strcmp(key, "rcpt") == 0)
		slot = &e->rcpt;
	else if (strcmp(key, "cmd") == 0)
		slot = &e->cmd;
	else if (strcmp(key, "file") == 0)
		slot = &e->file;
	else if (strcmp(key, "error") == 0)
		slot = &e->error;
	if (slot == NULL || *slot != NULL) {
		free(val);
		*why = slot == NULL ? "unknown header line" :
		    "repeated header line";
		return -1;
	}
	*slot = val;
	return 0;
}

int
spool_decode(const char *data, size_t len, struct spool_env *e, size_t *off,
    const char **why)
{
	const char *p, *nl, *sp, *sumline = NULL;
	bool seen[4] = { false, false, false, false };
	uint64_t length = 0, sum = 0, h;
	char key[16], *val, *end;
	size_t mlen = sizeof(SPOOL_MAGIC) - 1;

	memset(e, 0, sizeof(*e));
	*why = "not a watchfor spool file";
	if (len < mlen || memcmp(data, SPOOL_MAGIC, mlen) != 0)
		return -1;
	for (p = data + mlen;; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(data + len - p))) == NULL) {
			*why = "truncated header";
			goto bad;
		}
		if (nl == p)
			break;			/* the empty line */
		if (sumline != NULL) {
			*why = "header line after sum";
			goto bad;
		}
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
		    (size_t)(sp - p) >= sizeof(key)) {
			*why = "bad header line";
			goto bad;
		}
		memcpy(key, p, (size_t)(sp - p));
		key[sp - p] = '\0';
		if (strcmp(key, "sum") == 0) {
			sumline = p;
			if (nl - sp != 17 || sp[1] == '+' || sp[1] == '-')
				goto badsum;
			val = xstrndup(sp + 1, 16);
			sum = strtoull(val, &end, 16);
			if (*end != '\0' || strspn(val,
			    "0123456789abcdef") != 16) {
				free(val);
				goto badsum;
			}
			free(val);
			continue;
		}
		if ((val = unescape(sp + 1, (size_t)(nl - sp - 1))) == NULL) {
			*why = "bad escape in header";
			goto bad;
		}
		if (decode_line(e, key, val, seen, &length, why) == -1)
			goto bad;
	}
	if (sumline == NULL) {
		*why = "no sum line";
		goto bad;
	}
	if (!seen[0] || !seen[1] || !seen[2] || !seen[3] || e->kind == NULL ||
	    e->file == NULL || e->argc == 0) {
		*why = "missing header line";
		goto bad;
	}
	*off = (size_t)(nl + 1 - data);
	if (length != len - *off) {
		*why = "length does not match (truncated?)";
		goto bad;
	}
	h = util_fnv1a(util_fnv1a(UTIL_FNV_INIT, data,
	    (size_t)(sumline - data)), data + *off,
	    len - *off);
	if (h != sum)
		goto badsum;
	return 0;
badsum:
	*why = "checksum mismatch";
bad:
	spool_env_clear(e);
	return -1;
}

static int
make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST || stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	state_dir_private(path);
	return 0;
}

struct spool *
spool_open(const char *dir)
{
	struct spool *sp;

	sp = xcalloc(1, sizeof(*sp));
	sp->dirfd = sp->faileddirfd = -1;
	sp->dir = xasprintf("%s/outbox", dir);
	sp->failed = xasprintf("%s/outbox/failed", dir);
	if (make_dir(dir) == -1) {
		log_warn("outbox: %s", dir);
		goto fail;
	}
	if (make_dir(sp->dir) == -1) {
		log_warn("outbox: %s", sp->dir);
		goto fail;
	}
	if (make_dir(sp->failed) == -1) {
		log_warn("outbox: %s", sp->failed);
		goto fail;
	}
	if ((sp->dirfd = open(sp->dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("outbox: %s", sp->dir);
		goto fail;
	}
	if ((sp->faileddirfd = open(sp->failed, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("outbox: %s", sp->failed);
		goto fail;
	}
	return sp;
fail:
	spool_close(sp);
	return NULL;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->dirfd != -1)
		close(sp->dirfd);
	if (sp->faileddirfd != -1)
		close(sp->faileddirfd);
	free(sp->dir);
	free(sp->failed);
	free(sp->why);
	free(sp);
}

const char *
spool_path(const struct spool *sp)
{
	return sp->dir;
}

const char *
spool_failed_path(const struct spool *sp)
{
	return sp->failed;
}

/* Notes what failed in sp->why (errno kept) for the caller's message. */
static void
failed(struct spool *sp, const char *what, const char *dir, const char *name)
{
	int e = errno;

	free(sp->why);
	sp->why = name != NULL ? xasprintf("%s%s/%s", what, dir, name) :
	    xasprintf("%s%s", what, dir);
	errno = e;
}

/*
 * Writes `data` as `name` atomically: ".tmp-NAME" (O_EXCL, 0600; a
 * leftover of a crash is removed first), fsync, rename, fsync of the dir.
 * A failure is noted with failed(), not logged.
 */
static int
write_atomic(struct spool *sp, const char *name, const struct buf *data)
{
	char *tmp;
	int fd, e;

	tmp = xasprintf("%s%s", SPOOL_TMP, name);
	fd = openat(sp->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (fd == -1 && errno == EEXIST) {
		(void)unlinkat(sp->dirfd, tmp, 0);
		fd = openat(sp->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0600);
	}
	if (fd == -1) {
		failed(sp, "", sp->dir, tmp);
		free(tmp);
		return -1;
	}
	if (util_write_all(fd, data->data, data->len) == -1 ||
	    fsync(fd) == -1) {
		e = errno;
		failed(sp, "", sp->dir, tmp);
		close(fd);
		(void)unlinkat(sp->dirfd, tmp, 0);
		free(tmp);
		errno = e;
		return -1;
	}
	close(fd);
	if (renameat(sp->dirfd, tmp, sp->dirfd, name) == -1) {
		e = errno;
		failed(sp, "rename ", sp->dir, name);
		(void)unlinkat(sp->dirfd, tmp, 0);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	if (fsync(sp->dirfd) == -1) {
		failed(sp, "fsync ", sp->dir, NULL);
		return -1;
	}
	return 0;
}

const char *
spool_error(const struct spool *sp)
{
	return sp->why != NULL ? sp->why : sp->dir;
}

char *
spool_put(struct spool *sp, const struct spool_env *e, const char *msg,
    size_t len)
{
	struct buf b = { 0 };
	char *name;

	name = xasprintf("%016" PRIu64 "-%ld-%u", e->first, (long)getpid(),
	    sp->seq++);
	spool_encode(e, msg, len, &b);
	if (write_atomic(sp, name, &b) == -1) {
		free(name);
		name = NULL;
	}
	buf_free(&b);
	return name;
}

int
spool_rewrite(struct spool *sp, const char *name, const struct spool_env *e,
    const char *msg, size_t len)
{
	struct buf b = { 0 };
	int rc;

	spool_encode(e, msg, len, &b);
	if ((rc = write_atomic(sp, name, &b)) == -1)
		log_warn("outbox: %s", sp->why);
	buf_free(&b);
	return rc;
}

static int
read_file(int fd, struct buf *b)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size > SPOOL_MAX_FILE) {
		errno = EFBIG;
		return -1;
	}
	for (;;) {
		buf_reserve(b, 8192);
		n = read(fd, b->data + b->len, 8192);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > SPOOL_MAX_FILE) {
			errno = EFBIG;
			return -1;
		}
	}
}

int
spool_read(struct spool *sp, const char *name, struct spool_env *e,
    struct buf *msg, size_t *off)
{
	struct buf b = { 0 };
	const char *why;
	size_t o;
	int fd, rc = -1;

	memset(e, 0, sizeof(*e));
	if ((fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_warn("outbox: %s/%s", sp->dir, name);
		return -1;
	}
	if (read_file(fd, &b) == -1) {
		if (errno == EFBIG) {
			log_warnx("outbox: %s/%s: not a watchfor spool file "
			    "(too large)", sp->dir, name);
			rc = -2;
		} else
			log_warn("outbox: %s/%s", sp->dir, name);
		goto done;
	}
	if (spool_decode(b.data != NULL ? b.data : "", b.len, e, &o,
	    &why) == -1) {
		log_warnx("outbox: %s/%s: %s", sp->dir, name, why);
		rc = -2;
		goto done;
	}
	buf_add(msg, b.data + o, b.len - o);
	if (off != NULL)
		*off = o;
	rc = 0;
done:
	close(fd);
	buf_free(&b);
	return rc;
}

int
spool_open_msg(struct spool *sp, const char *name, size_t off)
{
	int fd, e;

	if ((fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return -1;
	if (lseek(fd, (off_t)off, SEEK_SET) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
spool_remove(struct spool *sp, const char *name)
{
	if (unlinkat(sp->dirfd, name, 0) == -1) {
		log_warn("outbox: remove %s/%s", sp->dir, name);
		return -1;
	}
	if (fsync(sp->dirfd) == -1) {
		log_warn("outbox: fsync %s", sp->dir);
		return -1;
	}
	return 0;
}

int
spool_move_failed(struct spool *sp, const char *name, const char *suffix)
{
	char *to;
	int rc = -1;

	to = xasprintf("%s%s", name, suffix);
	if (renameat(sp->dirfd, name, sp->faileddirfd, to) == -1) {
		log_warn("outbox: move %s/%s to %s", sp->dir, name,
		    sp->failed);
		goto done;
	}
	/* the new name first: a crash in between leaves both or the new */
	if (fsync(sp->faileddirfd) == -1 || fsync(sp->dirfd) == -1) {
		log_warn("outbox: fsync %s", sp->failed);
		goto done;
	}
	rc = 0;
done:
	free(to);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the entries of `dirfd`; messages into *names, or counts them. */
static long
list_dir(struct spool *sp, int dirfd, const char *path, char ***names,
    size_t *n)
{
	DIR *d;
	struct dirent *de;
	int fd;
	long count = 0;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		log_warn("outbox: %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "failed") == 0)
			continue;
		if (names != NULL && strncmp(de->d_name, SPOOL_TMP,
		    sizeof(SPOOL_TMP) - 1) == 0) {
			/* a write cut short: never a complete message */
			log_debug("outbox: removing %s/%s", path, de->d_name);
			(void)unlinkat(sp->dirfd, de->d_name, 0);
			continue;
		}
		count++;
		if (names == NULL)
			continue;
		*names = xreallocarray(*names, *n + 1, sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	return count;
}

char **
spool_list(struct spool *sp, size_t *n)
{
	char **names = NULL;

	*n = 0;
	if (list_dir(sp, sp->dirfd, sp->dir, &names, n) == -1) {
		while (*n > 0)
			free(names[--*n]);
		free(names);
		return NULL;
	}
	if (*n > 0)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

long
spool_failed_count(struct spool *sp)
{
	return list_dir(sp, sp->faileddirfd, sp->failed, NULL, NULL);
}
