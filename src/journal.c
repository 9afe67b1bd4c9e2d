/*
 * The journal input (see journal.h): libsystemd loaded with dlopen, the
 * journal's descriptor in the event loop, entries turned into lines by
 * journal_format, the cursor kept in the state directory. The directive's
 * grammar and the line's shape are journal_fmt.c's; what a line means is
 * the engine's.
 *
 * The cursor file is text, written atomically (temp file, fsync, rename,
 * fsync of the directory; mode 0600):
 *
 *	watchfor-journal 1
 *	cursor <sd_journal cursor>	(the last entry acted on)
 *	  or
 *	since <us since the epoch>	(no entry yet: the time reading began)
 *
 * Anything else is reported and ignored (reading starts at the tail).
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "journal_fmt.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define JOURNAL_LIB		"libsystemd.so.0"
#define JOURNAL_MAGIC		"watchfor-journal 1\n"
#define JOURNAL_BATCH		1024	/* entries per loop round */
#define JOURNAL_COMMIT_MS	1000	/* as tail.c's commit_ms */
#define JOURNAL_MIN_POLL_MS	15000	/* floor for sd_journal's timeout */
#define JOURNAL_CURSOR_MAX	1024	/* bytes; real ones are ~120 */

/* sd-journal.h's values, declared here: the header is not needed. */
#define SDJ_LOCAL_ONLY		1
#define SDJ_INVALIDATE		2

typedef struct sd_journal sd_journal;

/* The functions used, resolved with dlsym (prototypes of sd-journal.h). */
struct sdj {
	int	(*open)(sd_journal **, int);
	int	(*open_directory)(sd_journal **, const char *, int);
	void	(*close)(sd_journal *);
	int	(*add_match)(sd_journal *, const void *, size_t);
	int	(*add_disjunction)(sd_journal *);
	int	(*seek_head)(sd_journal *);
	int	(*seek_tail)(sd_journal *);
	int	(*seek_cursor)(sd_journal *, const char *);
	int	(*seek_realtime_usec)(sd_journal *, uint64_t);
	int	(*test_cursor)(sd_journal *, const char *);
	int	(*previous)(sd_journal *);
	int	(*next)(sd_journal *);
	int	(*get_cursor)(sd_journal *, char **);
	int	(*get_data)(sd_journal *, const char *, const void **,
		    size_t *);
	int	(*get_realtime_usec)(sd_journal *, uint64_t *);
	int	(*set_data_threshold)(sd_journal *, size_t);
	int	(*get_fd)(sd_journal *);
	int	(*get_events)(sd_journal *);
	int	(*get_timeout)(sd_journal *, uint64_t *);
	int	(*process)(sd_journal *);
	int	(*has_runtime_files)(sd_journal *);
	int	(*has_persistent_files)(sd_journal *);
};

static const struct {
	const char	*name;
	size_t		 off;
} sdj_syms[] = {
	{ "sd_journal_open", offsetof(struct sdj, open) },
	{ "sd_journal_open_directory", offsetof(struct sdj, open_directory) },
	{ "sd_journal_close", offsetof(struct sdj, close) },
	{ "sd_journal_add_match", offsetof(struct sdj, add_match) },
	{ "sd_journal_add_disjunction", offsetof(struct sdj, add_disjunction) },
	{ "sd_journal_seek_head", offsetof(struct sdj, seek_head) },
	{ "sd_journal_seek_tail", offsetof(struct sdj, seek_tail) },
	{ "sd_journal_seek_cursor", offsetof(struct sdj, seek_cursor) },
	{ "sd_journal_seek_realtime_usec",
	    offsetof(struct sdj, seek_realtime_usec) },
	{ "sd_journal_test_cursor", offsetof(struct sdj, test_cursor) },
	{ "sd_journal_previous", offsetof(struct sdj, previous) },
	{ "sd_journal_next", offsetof(struct sdj, next) },
	{ "sd_journal_get_cursor", offsetof(struct sdj, get_cursor) },
	{ "sd_journal_get_data", offsetof(struct sdj, get_data) },
	{ "sd_journal_get_realtime_usec",
	    offsetof(struct sdj, get_realtime_usec) },
	{ "sd_journal_set_data_threshold",
	    offsetof(struct sdj, set_data_threshold) },
	{ "sd_journal_get_fd", offsetof(struct sdj, get_fd) },
	{ "sd_journal_get_events", offsetof(struct sdj, get_events) },
	{ "sd_journal_get_timeout", offsetof(struct sdj, get_timeout) },
	{ "sd_journal_process", offsetof(struct sdj, process) },
	{ "sd_journal_has_runtime_files",
	    offsetof(struct sdj, has_runtime_files) },
	{ "sd_journal_has_persistent_files",
	    offsetof(struct sdj, has_persistent_files) },
};

/* Loaded once, on the first journal_open, and kept for the process. */
static struct sdj sdj;
static bool sdj_loaded;

struct journal {
	struct loop		*lp;
	sd_journal		*j;
	int			 fd;		/* sd_journal's, in the loop */
	journal_line_cb		*cb;
	void			*arg;
	struct loop_timer	*ktimer;	/* more to read: next round */
	struct loop_timer	*ptimer;	/* sd_journal's own timeout */
	struct loop_timer	*ctimer;	/* save the cursor */
	int			(*before_commit)(void *);
	void			*commit_arg;
	char			*dir;		/* state directory, or NULL */
	char			*path;		/* DIR/NAME, or NULL */
	char			*cursor;	/* last entry handed out */
	uint64_t		 since;		/* us; start time, no cursor */
	bool			 dirty;		/* position not saved yet */
	bool			 stopped;	/* a quit rule fired */
	bool			 read_failed;	/* logged once per failure run */
	bool			 save_failed;	/* the same for the cursor */
	bool			 pending;	/* current entry not handed out */
	struct buf		 line;
	struct buf		 fields;	/* copies of the entry's fields */
	unsigned long long	 entries;
};

static int
sdj_load(void)
{
	const char *lib;
	void *dl, *p;
	size_t i;

	if (sdj_loaded)
		return 0;
	/* tests point this at a missing library to see the failure */
	if ((lib = getenv("WATCHFOR_LIBSYSTEMD")) == NULL || *lib == '\0')
		lib = JOURNAL_LIB;
	if ((dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_warnx("input-journal: cannot load %s (%s): the journal "
		    "cannot be read without libsystemd", lib, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(sdj_syms) / sizeof(sdj_syms[0]); i++) {
		if ((p = dlsym(dl, sdj_syms[i].name)) == NULL) {
			log_warnx("input-journal: %s lacks %s", lib,
			    sdj_syms[i].name);
			dlclose(dl);
			return -1;
		}
		memcpy((char *)&sdj + sdj_syms[i].off, &p, sizeof(p));
	}
	sdj_loaded = true;
	return 0;
}

static uint64_t
wall_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the cursor file ---- */

static bool
cursor_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > JOURNAL_CURSOR_MAX)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/*
 * Parses the file's text: sets jn->cursor or jn->since. Returns NULL, or
 * why the file is bad.
 */
static const char *
parse_saved(struct journal *jn, char *data, size_t len)
{
	char *line, *nl;
	unsigned long long us;
	char *end;

	if (len < sizeof(JOURNAL_MAGIC) - 1 ||
	    memcmp(data, JOURNAL_MAGIC, sizeof(JOURNAL_MAGIC) - 1) != 0)
		return "not a watchfor journal cursor file";
	line = data + sizeof(JOURNAL_MAGIC) - 1;
	if ((nl = strchr(line, '\n')) == NULL || nl[1] != '\0')
		return "truncated or trailing garbage";
	*nl = '\0';
	if (strncmp(line, "cursor ", 7) == 0 && cursor_ok(line + 7)) {
		jn->cursor = xstrdup(line + 7);
		return NULL;
	}
	if (strncmp(line, "since ", 6) == 0 && line[6] >= '0' &&
	    line[6] <= '9') {
		errno = 0;
		us = strtoull(line + 6, &end, 10);
		if (*end == '\0' && errno == 0 && us > 0) {
			jn->since = us;
			return NULL;
		}
	}
	return "bad position line";
}

/* Reads the saved position; a bad file is reported and ignored. */
static void
load_saved(struct journal *jn)
{
	char data[JOURNAL_CURSOR_MAX + 64];
	const char *why;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(jn->path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("journal cursor %s, ignored", jn->path);
		return;
	}
	while (got < sizeof(data) - 1 &&
	    (n = read(fd, data + got, sizeof(data) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	data[got] = '\0';
	if (got == sizeof(data) - 1)
		why = "too large";
	else if (memchr(data, '\0', got) != NULL)
		why = "contains NUL bytes";
	else
		why = parse_saved(jn, data, got);
	if (why != NULL)
		log_warnx("journal cursor %s: %s, ignored (starting at the "
		    "end of the journal)", jn->path, why);
}

/*
 * Writes `text` as the cursor file, atomically. Returns 0 or -1; a
 * failure is logged once per failure run, the recovery once.
 */
static int
write_saved(struct journal *jn, const char *text)
{
	if (util_write_atomic(jn->path, text, strlen(text), 0600) == -1) {
		if (!jn->save_failed)
			log_warn("journal cursor %s, retrying every second",
			    jn->path);
		jn->save_failed = true;
		return -1;
	}
	if (jn->save_failed)
		log_warnx("journal cursor %s saved again", jn->path);
	jn->save_failed = false;
	return 0;
}

void
journal_set_before_commit(struct journal *jn, int (*fn)(void *), void *arg)
{
	jn->before_commit = fn;
	jn->commit_arg = arg;
}

int
journal_commit(struct journal *jn)
{
	char *text;
	int rc;

	if (jn->path == NULL)
		return 0;
	loop_timer_disarm(jn->ctimer);
	if (!jn->dirty)
		return 0;
	if (jn->before_commit != NULL &&
	    jn->before_commit(jn->commit_arg) == -1) {
		/* nothing derived from unsaved entries is acknowledged */
		loop_timer_arm(jn->ctimer, JOURNAL_COMMIT_MS, 0);
		return -1;
	}
	if (jn->cursor != NULL)
		text = xasprintf("%scursor %s\n", JOURNAL_MAGIC, jn->cursor);
	else
		text = xasprintf("%ssince %llu\n", JOURNAL_MAGIC,
		    (unsigned long long)jn->since);
	rc = write_saved(jn, text);
	free(text);
	if (rc == 0)
		jn->dirty = false;
	else
		loop_timer_arm(jn->ctimer, JOURNAL_COMMIT_MS, 0);
	return rc;
}

static void
on_commit(void *arg)
{
	(void)journal_commit(arg);
}

/* The current entry was acted on: remember where we are. */
static void
note_position(struct journal *jn)
{
	char *c = NULL;
	int r;

	if (jn->path == NULL)
		return;
	if ((r = sdj.get_cursor(jn->j, &c)) < 0) {
		log_warnx("input-journal: no cursor for an entry: %s",
		    strerror(-r));
		return;
	}
	free(jn->cursor);
	jn->cursor = c;		/* malloc'ed by libsystemd: free() is right */
	jn->dirty = true;
	if (!loop_timer_armed(jn->ctimer))
		loop_timer_arm(jn->ctimer, JOURNAL_COMMIT_MS, 0);
}

/* ---- reading ---- */

/* Copies field `name`'s value into jn->fields (offset, length), or -1. */
static int
get_field(struct journal *jn, const char *name, size_t *off, size_t *len)
{
	const void *d;
	size_t l, nl = strlen(name);

	if (sdj.get_data(jn->j, name, &d, &l) < 0 || l < nl + 1 ||
	    memcmp(d, name, nl) != 0 || ((const char *)d)[nl] != '=')
		return -1;
	*off = jn->fields.len;
	*len = l - nl - 1;
	buf_add(&jn->fields, (const char *)d + nl + 1, *len);
	return 0;
}

/* A field copied into jn->fields: the first present of `a` and `b`. */
struct fref {
	size_t	off;
	size_t	len;
	bool	set;
};

static void
field2(struct journal *jn, const char *a, const char *b, struct fref *f)
{
	f->set = get_field(jn, a, &f->off, &f->len) == 0 ||
	    (b != NULL && get_field(jn, b, &f->off, &f->len) == 0);
}

static void
fref_apply(const struct journal *jn, const struct fref *f, const char **p,
    size_t *n)
{
	*p = f->set ? jn->fields.data + f->off : NULL;
	*n = f->set ? f->len : 0;
}

/* Hands out the current entry. Returns the callback's verdict. */
static bool
emit(struct journal *jn)
{
	struct journal_entry e = { 0 };
	struct fref host, ident, pid, msg;

	buf_reset(&jn->fields);
	if (sdj.get_realtime_usec(jn->j, &e.realtime) < 0)
		e.realtime = wall_usec();
	/* each get_data result lives until the next call: copy them */
	field2(jn, "_HOSTNAME", NULL, &host);
	field2(jn, "SYSLOG_IDENTIFIER", "_COMM", &ident);
	field2(jn, "SYSLOG_PID", "_PID", &pid);
	field2(jn, "MESSAGE", NULL, &msg);
	fref_apply(jn, &host, &e.host, &e.hostlen);
	fref_apply(jn, &ident, &e.ident, &e.identlen);
	fref_apply(jn, &pid, &e.pid, &e.pidlen);
	fref_apply(jn, &msg, &e.msg, &e.msglen);
	buf_reset(&jn->line);
	journal_format(&jn->line, &e);
	jn->entries++;
	return jn->cb(jn->line.data, jn->line.len, jn->arg);
}

/*
 * Hands out one entry; if taken, it is the position to save. False: not
 * taken, stop reading (it stays for the next run).
 */
static bool
dispatch(struct journal *jn)
{
	if (!emit(jn)) {
		jn->stopped = true;
		return false;
	}
	note_position(jn);
	return true;
}

/* Reads what is new, at most JOURNAL_BATCH entries per round. */
static void
drain(struct journal *jn)
{
	unsigned n;
	int r;

	if (jn->pending && !jn->stopped) {
		jn->pending = false;
		if (!dispatch(jn))
			return;
	}
	for (n = 0; !jn->stopped; n++) {
		if (n == JOURNAL_BATCH) {
			loop_timer_arm(jn->ktimer, 0, 0);
			return;
		}
		if ((r = sdj.next(jn->j)) == 0)
			break;
		if (r < 0) {
			if (!jn->read_failed)
				log_warnx("input-journal: read: %s",
				    strerror(-r));
			jn->read_failed = true;
			return;
		}
		jn->read_failed = false;
		if (!dispatch(jn))
			return;
	}
}

/* sd_journal's timeout (finite only where inotify cannot be used). */
static void
arm_timeout(struct journal *jn)
{
	uint64_t t, now, ms;

	if (sdj.get_timeout(jn->j, &t) < 0 || t == UINT64_MAX) {
		loop_timer_disarm(jn->ptimer);
		return;
	}
	now = mono_usec();
	ms = t > now ? (t - now + 999) / 1000 : 0;
	/* a journal on a network file system asks for a check every 2 s:
	   more than the idle budget allows, so less often */
	if (ms < JOURNAL_MIN_POLL_MS)
		ms = JOURNAL_MIN_POLL_MS;
	loop_timer_arm(jn->ptimer, ms, 0);
}

static void
process(struct journal *jn)
{
	int r;

	if (jn->stopped)
		return;
	if ((r = sdj.process(jn->j)) < 0)
		log_warnx("input-journal: %s", strerror(-r));
	else if (r == SDJ_INVALIDATE)
		log_debug("input-journal: journal files added or removed");
	drain(jn);
	arm_timeout(jn);
}

static void
on_fd(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	process(arg);
}

static void
on_timeout(void *arg)
{
	process(arg);
}

static void
on_kick(void *arg)
{
	struct journal *jn = arg;

	drain(jn);
}

/* ---- opening ---- */

static int
add_matches(struct journal *jn, const struct journal_spec *spec)
{
	char *const *m;
	size_t g, i, n;
	int r;

	if (journal_spec_all(spec))
		return 0;	/* a group without matches: everything */
	for (g = 0; g < journal_spec_ngroups(spec); g++) {
		if (g > 0 && (r = sdj.add_disjunction(jn->j)) < 0)
			goto fail;
		m = journal_spec_group(spec, g, &n);
		for (i = 0; i < n; i++)
			if ((r = sdj.add_match(jn->j, m[i], 0)) < 0) {
				log_warnx("input-journal: match %s: %s", m[i],
				    strerror(-r));
				return -1;
			}
	}
	return 0;
fail:
	log_warnx("input-journal: matches: %s", strerror(-r));
	return -1;
}

/* Positions the journal: saved cursor, saved time, else the tail. */
static int
seek_start(struct journal *jn)
{
	int r;

	if (jn->cursor != NULL) {
		if ((r = sdj.seek_cursor(jn->j, jn->cursor)) == 0) {
			/* the saved entry was acted on: skip it, unless it
			   is gone (vacuumed) and this is the one after */
			if (sdj.next(jn->j) > 0 &&
			    sdj.test_cursor(jn->j, jn->cursor) <= 0)
				jn->pending = true;
			return 0;
		}
		log_warnx("journal cursor %s: %s, ignored (starting at the "
		    "end of the journal)", jn->path, strerror(-r));
		free(jn->cursor);
		jn->cursor = NULL;
	} else if (jn->since != 0) {
		if ((r = sdj.seek_realtime_usec(jn->j, jn->since)) == 0)
			return 0;
		log_warnx("input-journal: seek: %s", strerror(-r));
	}
	if ((r = sdj.seek_tail(jn->j)) < 0) {
		log_warnx("input-journal: seek to the end: %s", strerror(-r));
		return -1;
	}
	/* on the last entry: next() gives only what comes after it */
	if (sdj.previous(jn->j) > 0) {
		note_position(jn);
		return 0;
	}
	/*
	 * No entry matches yet: every one that comes is new, so read from
	 * the head (after a failed previous() the tail position skips the
	 * first entry appended).
	 */
	if ((r = sdj.seek_head(jn->j)) < 0) {
		log_warnx("input-journal: seek to the start: %s", strerror(-r));
		return -1;
	}
	if (jn->path != NULL) {
		/* remember when reading began */
		jn->since = wall_usec();
		jn->dirty = true;
		loop_timer_arm(jn->ctimer, 0, 0);
	}
	return 0;
}

static int
open_journal(struct journal *jn, const struct journal_spec *spec)
{
	const char *dir = journal_spec_directory(spec);
	int r, ev, fd;

	if (dir != NULL)
		r = sdj.open_directory(&jn->j, dir, 0);
	else
		r = sdj.open(&jn->j, SDJ_LOCAL_ONLY);
	if (r < 0) {
		jn->j = NULL;
		log_warnx("input-journal: cannot open %s: %s",
		    dir != NULL ? dir : "the system journal", strerror(-r));
		return -1;
	}
	/* not fatal (journald may start later), but probably a mistake */
	if (dir == NULL && sdj.has_runtime_files(jn->j) <= 0 &&
	    sdj.has_persistent_files(jn->j) <= 0)
		log_warnx("input-journal: no system journal file can be read "
		    "yet (is journald running, and is this user root or in "
		    "the group systemd-journal or adm?)");
	/* first, so that files appearing from now on are watched */
	if ((fd = sdj.get_fd(jn->j)) < 0) {
		/* jn->fd stays -1: journal_free must not remove it */
		log_warnx("input-journal: no descriptor to wait on: %s",
		    strerror(-fd));
		return -1;
	}
	if ((ev = sdj.get_events(jn->j)) < 0)
		ev = EPOLLIN;
	/* whole messages: lines of any length are matched (design) */
	(void)sdj.set_data_threshold(jn->j, 0);
	if (add_matches(jn, spec) == -1 || seek_start(jn) == -1)
		return -1;
	if (loop_add_fd(jn->lp, fd, (uint32_t)ev, on_fd, jn) == -1) {
		log_warn("input-journal: event loop");
		return -1;
	}
	jn->fd = fd;
	return 0;
}

struct journal *
journal_open(struct loop *lp, const struct journal_spec *spec,
    const char *statedir, const char *name, journal_line_cb *cb, void *arg)
{
	struct journal *jn;

	if (sdj_load() == -1)
		return NULL;
	jn = xcalloc(1, sizeof(*jn));
	jn->lp = lp;
	jn->fd = -1;
	jn->cb = cb;
	jn->arg = arg;
	jn->ktimer = loop_timer_new(lp, on_kick, jn);
	jn->ptimer = loop_timer_new(lp, on_timeout, jn);
	jn->ctimer = loop_timer_new(lp, on_commit, jn);
	if (statedir != NULL) {
		jn->dir = xstrdup(statedir);
		jn->path = xasprintf("%s/%s", statedir, name);
		load_saved(jn);
	}
	if (open_journal(jn, spec) == -1)
		goto fail;
	/* what came after the saved position is read in the first round */
	loop_timer_arm(jn->ktimer, 0, 0);
	arm_timeout(jn);
	return jn;
fail:
	jn->dirty = false;	/* nothing read: keep the saved file */
	journal_free(jn);
	return NULL;
}

void
journal_free(struct journal *jn)
{
	if (jn == NULL)
		return;
	(void)journal_commit(jn);
	if (jn->fd != -1)
		loop_del_fd(jn->lp, jn->fd);
	if (jn->j != NULL)
		sdj.close(jn->j);
	loop_timer_free(jn->ktimer);
	loop_timer_free(jn->ptimer);
	loop_timer_free(jn->ctimer);
	free(jn->dir);
	free(jn->path);
	free(jn->cursor);
	buf_free(&jn->line);
	buf_free(&jn->fields);
	free(jn);
}

unsigned long long
journal_entries(const struct journal *jn)
{
	return jn->entries;
}
