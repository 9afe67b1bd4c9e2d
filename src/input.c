/*
 * One-pass record reading: large reads, memchr/memmem to find separators,
 * records handed out in place (no copy, no allocation per record), the
 * separator chomped as Perl does. Paragraph mode follows Perl's $/ = "":
 * leading newlines are skipped and two or more newlines end a record.
 * Knows nothing of rules; the caller decides what a record means.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "log.h"
#include "out.h"
#include "subst.h"
#include "util.h"

#define INPUT_BLOCK	(256 * 1024)

static size_t input_block = INPUT_BLOCK;

void
input_set_block(size_t n)
{
	input_block = n > 0 ? n : INPUT_BLOCK;
}

int
recsep_init(struct recsep *rs, const char *irs, char **err)
{
	struct tmpl *t;
	struct buf b = { 0 };
	size_t off;

	memset(rs, 0, sizeof(*rs));
	*err = NULL;
	if (irs == NULL) {
		rs->sep = xstrdup("\n");
		rs->len = 1;
		return 0;
	}
	if ((t = tmpl_compile(irs, TMPL_VALUE, false, err, &off)) == NULL)
		return -1;
	if (!tmpl_is_literal(t)) {
		tmpl_free(t);
		*err = xstrdup("the input record separator must be literal "
		    "text (write \\$ for a dollar sign)");
		return -1;
	}
	tmpl_expand(t, &(struct subst_ctx){ .line = "", .len = 0 }, &b);
	tmpl_free(t);
	rs->len = b.len;
	rs->paragraph = b.len == 0;
	rs->sep = buf_detach(&b);
	return 0;
}

void
recsep_free(struct recsep *rs)
{
	free(rs->sep);
	rs->sep = NULL;
}

/* Finds the next separator in p[0..n); returns its offset or n. */
static size_t
find_sep(const struct recsep *rs, const char *p, size_t n)
{
	const char *q;

	if (rs->paragraph)
		q = memmem(p, n, "\n\n", 2);
	else if (rs->len == 1)
		q = memchr(p, rs->sep[0], n);
	else
		q = memmem(p, n, rs->sep, rs->len);
	return q != NULL ? (size_t)(q - p) : n;
}

struct reader {
	const struct recsep	*rs;
	size_t			 max;
	input_record_cb		*cb;
	void			*arg;
	struct input_stats	*st;
	bool			 skipping;	/* inside an over-long record */
	bool			 at_start;	/* paragraph: skip leading \n */
};

static bool
deliver(struct reader *r, const char *p, size_t n)
{
	r->st->records++;
	if (n > r->max) {
		r->st->truncated++;
		log_warnx("record of over %zu bytes: matched its first %zu "
		    "bytes, skipped the rest", r->max, r->max);
		n = r->max;
	}
	return r->cb(p, n, r->arg);
}

/*
 * Consumes the complete records in p[0..n); returns the number of bytes
 * used (the rest is a partial record), or (size_t)-1 when stopped.
 */
static size_t
consume(struct reader *r, const char *p, size_t n, bool eof)
{
	size_t used = 0, at, run;

	for (;;) {
		if (r->rs->paragraph && r->at_start) {
			while (used < n && p[used] == '\n')
				used++;
			if (used == n && !eof)
				return used;
			r->at_start = false;
		}
		at = find_sep(r->rs, p + used, n - used);
		if (used + at == n) {
			if (!eof || at == 0)
				return used;
			/* last record without a separator */
			if (r->rs->paragraph)
				while (at > 0 && p[used + at - 1] == '\n')
					at--;
			if (!r->skipping && !deliver(r, p + used, at))
				return (size_t)-1;
			return n;
		}
		/*
		 * Paragraph mode: the record ends at "\n\n"; the newlines
		 * after those are skipped as the next record's leading ones,
		 * even when they only come with a later read.
		 */
		run = r->rs->paragraph ? 2 : r->rs->len;
		if (!r->skipping && !deliver(r, p + used, at))
			return (size_t)-1;
		r->skipping = false;
		used += at + run;
		r->at_start = true;
	}
}

int
input_read_fd(int fd, const struct recsep *rs, size_t max_record,
    input_record_cb *cb, void *arg, struct input_stats *stats)
{
	struct input_stats dummy = { 0 };
	struct reader r = { rs, max_record, cb, arg,
	    stats != NULL ? stats : &dummy, false, true };
	struct buf b = { 0 };
	size_t used;
	ssize_t got;
	int rc = 0;

	buf_reserve(&b, input_block);
	for (;;) {
		buf_reserve(&b, input_block);
		got = read(fd, b.data + b.len, input_block);
		if (got == -1) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		b.len += (size_t)got;
		r.st->bytes += (size_t)got;
		used = consume(&r, b.data, b.len, got == 0);
		/*
		 * The end of a batch: what its records printed is shown now,
		 * so a live --read-pipe command's alerts are never held back.
		 */
		out_flush();
		if (used == (size_t)-1) {
			rc = 1;
			break;
		}
		memmove(b.data, b.data + used, b.len - used);
		b.len -= used;
		if (got == 0)
			break;
		if (b.len > max_record + rs->len + 1 && !r.skipping) {
			/* deliver the head now, drop the rest as it comes */
			if (!deliver(&r, b.data, b.len)) {
				rc = 1;
				break;
			}
			r.skipping = true;
		}
		if (r.skipping && b.len > rs->len + 1) {
			/* keep a tail that may hold the start of a separator */
			size_t keep = rs->paragraph ? 1 : rs->len - 1;

			memmove(b.data, b.data + b.len - keep, keep);
			b.len = keep;
		}
	}
	buf_free(&b);
	return rc;
}
