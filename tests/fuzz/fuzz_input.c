/*
 * Fuzz target: the record splitter (input.c). The input is a header, then
 * the bytes to read:
 *
 *	byte 0	bits 0-1: separator: 0 "\n", 1 --input-record-separator text
 *		(up to a NUL, through recsep_init), 2 paragraph mode, 3 raw
 *		separator bytes (a length byte, then 1-4 bytes)
 *	byte 1	max_record: 1 + byte % 64, or INPUT_MAX_RECORD when 255
 *	byte 2	seed of the read sizes
 *	byte 3	stop after this many records (0: never)
 *
 * The bytes go through a SOCK_SEQPACKET socket pair in up to 64 packets,
 * so that each read() returns one packet and records straddle reads. The
 * records are compared with a plain reference splitter (Perl's readline
 * and chomp: the separator is the first occurrence from the record's
 * start; in paragraph mode leading newlines are skipped and a run of two or
 * more ends a record) cut at max_record, and the counters with what was
 * written.
 */
#include <sys/socket.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "input.h"
#include "util.h"

#define MAX_PACKETS	64

struct rec {
	const char	*p;
	size_t		 len;
};

struct got {
	const struct rec *want;
	size_t		 nwant;
	size_t		 n;
	size_t		 max;
	size_t		 stop;		/* 0: never */
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* The reference splitter: the records of d[0..n), separators removed. */
static size_t
split(const struct recsep *rs, const char *d, size_t n, struct rec **out)
{
	struct rec *v = NULL;
	size_t nv = 0, pos = 0, i;
	const char *q;

	for (;;) {
		if (rs->paragraph)
			while (pos < n && d[pos] == '\n')
				pos++;
		if (pos >= n)
			break;
		v = xreallocarray(v, nv + 1, sizeof(*v));
		if (rs->paragraph)
			q = memmem(d + pos, n - pos, "\n\n", 2);
		else
			q = memmem(d + pos, n - pos, rs->sep, rs->len);
		if (q != NULL) {
			v[nv].p = d + pos;
			v[nv].len = (size_t)(q - d) - pos;
			pos = (size_t)(q - d) + (rs->paragraph ? 0 : rs->len);
		} else {
			i = n;
			if (rs->paragraph)
				while (i > pos && d[i - 1] == '\n')
					i--;
			v[nv].p = d + pos;
			v[nv].len = i - pos;
			pos = n;
		}
		nv++;
	}
	*out = v;
	return nv;
}

static bool
on_record(const char *rec, size_t len, void *arg)
{
	struct got *g = arg;
	const struct rec *w;
	size_t wl;

	FUZZ_CHECK(g->n < g->nwant, "record %zu delivered, only %zu expected",
	    g->n + 1, g->nwant);
	w = &g->want[g->n];
	wl = w->len < g->max ? w->len : g->max;
	FUZZ_CHECK(len == wl, "record %zu has %zu bytes, expected %zu",
	    g->n + 1, len, wl);
	FUZZ_CHECK(memcmp(rec, w->p, len) == 0, "record %zu differs",
	    g->n + 1);
	g->n++;
	return g->stop == 0 || g->n < g->stop;
}

/* Sends d[0..n) in packets whose sizes come from `seed`; closes `fd`. */
static void
send_packets(int fd, const char *d, size_t n, unsigned seed)
{
	size_t k, np = 0, chunk;

	while (n > 0) {
		seed = seed * 1103515245u + 12345u;
		chunk = np + 1 == MAX_PACKETS ? n : 1 + (seed >> 16) % (n < 64 ?
		    n : n / 4 + 1);
		if (chunk > n)
			chunk = n;
		if ((k = (size_t)write(fd, d, chunk)) != chunk)
			fuzz_fail(__FILE__, __LINE__, "write", "short write");
		d += chunk;
		n -= chunk;
		np++;
	}
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *p;
	struct input_stats st = { 0 };
	struct recsep rs;
	struct rec *want;
	struct got g = { 0 };
	size_t nwant, i, trunc = 0, slen;
	char *err = NULL, *irs;
	int sv[2], rc, bufsz = 1 << 20;

	if (size < 4 || size > 32 * 1024)
		return -1;
	p = in + 4;
	switch (data[0] & 3) {
	case 0:
		(void)recsep_init(&rs, NULL, &err);
		break;
	case 1:
		slen = strnlen(p, (size_t)(end - p));
		irs = xstrndup(p, slen);
		p += slen < (size_t)(end - p) ? slen + 1 : slen;
		rc = recsep_init(&rs, irs, &err);
		free(irs);
		if (rc == -1) {
			FUZZ_CHECK(err != NULL, "recsep_init: no message");
			free(err);
			return 0;
		}
		break;
	case 2:
		(void)recsep_init(&rs, "", &err);
		FUZZ_CHECK(rs.paragraph, "\"\" is not paragraph mode");
		break;
	default:
		if (p == end)
			return -1;
		slen = 1 + (unsigned char)*p++ % 4;
		if ((size_t)(end - p) < slen)
			return -1;
		memset(&rs, 0, sizeof(rs));
		rs.sep = xmalloc(slen);
		memcpy(rs.sep, p, slen);
		rs.len = slen;
		p += slen;
		break;
	}
	FUZZ_CHECK(err == NULL, "recsep_init failed on a valid value");
	FUZZ_CHECK(rs.paragraph || rs.len > 0, "empty separator");
	g.max = data[1] == 255 ? INPUT_MAX_RECORD : 1 + data[1] % 64;
	g.stop = data[3];

	nwant = split(&rs, p, (size_t)(end - p), &want);
	g.want = want;
	g.nwant = nwant;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fuzz_fail(__FILE__, __LINE__, "socketpair", "failed");
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	send_packets(sv[0], p, (size_t)(end - p), data[2]);
	rc = input_read_fd(sv[1], &rs, g.max, on_record, &g, &st);
	close(sv[1]);

	if (g.stop != 0 && g.stop <= nwant) {
		FUZZ_CHECK(rc == 1, "not stopped by the callback (rc %d)", rc);
		FUZZ_CHECK(g.n == g.stop, "stopped after %zu records, not %zu",
		    g.n, g.stop);
	} else {
		FUZZ_CHECK(rc == 0, "input_read_fd returned %d", rc);
		FUZZ_CHECK(g.n == nwant, "%zu records delivered, %zu expected",
		    g.n, nwant);
		for (i = 0; i < nwant; i++)
			if (want[i].len > g.max)
				trunc++;
		FUZZ_CHECK(st.truncated == trunc, "%llu truncated, expected "
		    "%zu", st.truncated, trunc);
		FUZZ_CHECK(st.bytes == (size_t)(end - p), "%llu bytes read, "
		    "%zu written", st.bytes, (size_t)(end - p));
	}
	FUZZ_CHECK(st.records == g.n, "stats say %llu records, %zu seen",
	    st.records, g.n);
	free(want);
	recsep_free(&rs);
	return 0;
}
