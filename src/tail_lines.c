/*
 * Line assembly for the file follower: reads what is new in one open file
 * (struct src) and cuts it into lines for the caller's callback, keeping
 * the unfinished last line, cutting over-long lines at max_line, skipping
 * the NUL run a truncation may leave, and moving the position a restart
 * resumes from. Which files to read, and when, is tail.c's business.
 */
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "tail_int.h"

void
src_deliver(struct src *s, char *line, size_t len, unsigned flags)
{
	struct tail *t = s->tf->t;
	char saved = line[len];

	line[len] = '\0';
	t->st.lines++;
	t->delivering = true;
	t->cb(line, len, s->tf->path, flags, t->arg);
	t->delivering = false;
	line[len] = saved;
}

static void
long_line(struct src *s)
{
	struct tail *t = s->tf->t;

	t->st.long_lines++;
	if (t->st.long_lines <= 10 || t->st.long_lines % 1000 == 0)
		log_warnx("%s: line over %zu bytes, rest skipped (%llu so far)",
		    s->tf->path, t->maxline,
		    (unsigned long long)t->st.long_lines);
}

/* Adds bytes of an unfinished line, cutting it at max_line. */
static void
part_add(struct src *s, const char *p, size_t n)
{
	struct tail *t = s->tf->t;
	size_t room;

	if (s->skipping)
		return;
	if (s->part.len + n <= t->maxline) {
		buf_add(&s->part, p, n);
		return;
	}
	room = t->maxline - s->part.len;
	buf_add(&s->part, p, room);
	long_line(s);
	src_deliver(s, s->part.data, s->part.len, TAIL_LINE_TRUNCATED);
	buf_reset(&s->part);
	s->skipping = true;
}

/* Splits one block read at offset `s->off - n` into lines. */
static void
split(struct src *s, char *p, size_t n)
{
	struct tail *t = s->tf->t;
	char *end = p + n, *nl;
	size_t len;

	if (s->skip_nul) {
		while (p < end && *p == '\0')
			p++;
		t->st.nul_skipped += (uint64_t)(p - (end - n));
		if (p == end) {
			s->lstart = s->off;
			return;
		}
		s->skip_nul = false;
		s->lstart = s->off - (uint64_t)(end - p);
	}
	while (p < end) {
		/* stopped: the rest stays unread in the saved position */
		if (t->stopped)
			return;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			part_add(s, p, (size_t)(end - p));
			return;
		}
		len = (size_t)(nl - p);
		if (s->skipping) {
			s->skipping = false;
		} else if (s->part.len > 0) {
			part_add(s, p, len);
			if (!s->skipping)
				src_deliver(s, s->part.data, s->part.len, 0);
			s->skipping = false;
			buf_reset(&s->part);
		} else if (len > t->maxline) {
			long_line(s);
			src_deliver(s, p, t->maxline, TAIL_LINE_TRUNCATED);
		} else
			src_deliver(s, p, len, 0);
		p = nl + 1;
		s->lstart = s->off - (uint64_t)(end - p);
		t->state_dirty = true;
	}
}

/*
 * Reads what is new in `s`, at most `budget` bytes (0: no limit). Returns
 * true if data remains (budget hit).
 */
bool
src_read(struct src *s, size_t budget)
{
	return src_read_upto(s, budget, UINT64_MAX);
}

/* Does the file of `s` hold more than `end` bytes? */
static bool
longer_than(const struct src *s, uint64_t end)
{
	struct stat st;

	return fstat(s->fd, &st) == 0 && (uint64_t)st.st_size > end;
}

bool
src_read_upto(struct src *s, size_t budget, uint64_t end)
{
	struct tail *t = s->tf->t;
	size_t total = 0, want;
	ssize_t n;

	for (;;) {
		want = t->rbufsz - 1;
		if (end != UINT64_MAX) {
			if (s->off >= end)
				return longer_than(s, end);
			if (end - s->off < want)
				want = (size_t)(end - s->off);
		}
		n = pread(s->fd, t->rbuf, want, (off_t)s->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (!s->read_err_logged)
				log_warn("read %s", s->tf->path);
			s->read_err_logged = true;
			return false;
		}
		if (n == 0) {
			s->at_eof = true;
			return false;
		}
		s->at_eof = false;
		s->off += (uint64_t)n;
		s->last_data = loop_now();
		t->last_activity = s->last_data;
		t->st.bytes += (uint64_t)n;
		split(s, t->rbuf, (size_t)n);
		if (t->stopped)
			return false;
		total += (size_t)n;
		if (budget != 0 && total >= budget)
			return true;
	}
}
