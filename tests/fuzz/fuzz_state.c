/*
 * Fuzz target: the state-file reader and writer (state.c). The input is a
 * flags byte, then the file's bytes. With bit 0 set the harness appends
 * the right "sum" line itself, so that mutations get past the checksum and
 * reach the record parser; with bit 1 set the first path is forgotten
 * (state_set with no records) before the save. The file is written as DIR/state and opened;
 * the records of every path named on an `f` line are read, a path made
 * from the input's tail is added, the state is saved, reopened and
 * compared: what was loaded (or set) must come back unchanged.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "state.h"
#include "util.h"

#define MAX_PATHS	16

struct saved {
	char		*path;
	struct state_rec *recs;
	size_t		 n;
};

static char *dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	dir = xasprintf("%s/st", fuzz_tmpdir());
	return 0;
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

/* The 7th blank-separated word of an `f` line, %XX decoded, or NULL. */
static char *
line_path(const char *s, size_t n)
{
	struct buf b = { 0 };
	size_t i = 0, w;
	int hi, lo;

	if (n < 2 || s[0] != 'f')
		return NULL;
	for (w = 0; w < 6; w++) {
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (i == n)
		return NULL;
	for (; i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\0'; i++) {
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			buf_addc(&b, (char)(hi * 16 + lo));
			i += 2;
		} else
			buf_addc(&b, s[i]);
	}
	if (b.len == 0 || memchr(b.data, '\0', b.len) != NULL) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static size_t
collect(const char *d, size_t n, struct state *sp, struct saved *sv)
{
	const char *s = d, *e, *end = d + n;
	const struct state_rec *r;
	size_t nsv = 0, i, k;
	char *path;

	for (; s < end && nsv < MAX_PATHS; s = e + 1) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		if ((path = line_path(s, (size_t)(e - s))) == NULL)
			continue;
		for (i = 0; i < nsv && strcmp(sv[i].path, path) != 0; i++)
			;
		if (i < nsv) {
			free(path);
			continue;
		}
		r = state_get(sp, path, &k);
		sv[nsv].path = path;
		sv[nsv].n = k;
		sv[nsv].recs = NULL;
		if (k > 0) {
			FUZZ_CHECK(r != NULL, "state_get: %zu records, NULL", k);
			sv[nsv].recs = xcalloc(k, sizeof(*r));
			memcpy(sv[nsv].recs, r, k * sizeof(*r));
		}
		nsv++;
	}
	return nsv;
}

/* Field by field: struct state_rec has padding. */
static bool
rec_eq(const struct state_rec *a, const struct state_rec *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->fp == b->fp &&
	    a->fplen == b->fplen && a->offset == b->offset;
}

static void
compare(struct state *sp, const struct saved *sv)
{
	const struct state_rec *r;
	size_t n, i;

	r = state_get(sp, sv->path, &n);
	FUZZ_CHECK(n == sv->n, "%s: %zu records after a save, %zu before",
	    sv->path, n, sv->n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(rec_eq(&r[i], &sv->recs[i]), "%s: record %zu "
		    "changed by a save and a load", sv->path, i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saved sv[MAX_PATHS + 1];
	struct state_rec extra = { 1, 2, 0xfedcba9876543210ULL, 7, 1234 };
	struct state *sp;
	struct buf b = { 0 };
	char *path, *p;
	size_t nsv, i, tail;

	if (size < 1 || size > 64 * 1024)
		return -1;
	buf_add(&b, data + 1, size - 1);
	if (data[0] & 1) {
		if (b.len > 0 && b.data[b.len - 1] != '\n')
			buf_addc(&b, '\n');
		buf_addf(&b, "sum %016llx\n",
		    (unsigned long long)util_fnv1a(UTIL_FNV_INIT, b.data,
		    b.len));
	}
	(void)state_free(state_open(dir, "state"));	/* makes dir */
	path = xasprintf("%s/state", dir);
	fuzz_write_file(path, b.data, b.len);
	free(path);

	sp = state_open(dir, "state");
	FUZZ_CHECK(sp != NULL, "state_open failed");
	nsv = collect(b.data, b.len, sp, sv);

	/* A path from the input's last bytes (any byte but NUL). */
	tail = size - 1 < 40 ? size - 1 : 40;
	p = xmalloc(tail + 8);
	memcpy(p, "/x/", 3);
	for (i = 0; i < tail; i++)
		p[3 + i] = data[size - tail + i] ? (char)data[size - tail + i] :
		    '@';
	p[3 + tail] = '\0';
	for (i = 0; i < nsv && strcmp(sv[i].path, p) != 0; i++)
		;
	if (i == nsv) {
		sv[nsv].path = p;
		sv[nsv].recs = xmalloc(sizeof(extra));
		memcpy(sv[nsv].recs, &extra, sizeof(extra));
		sv[nsv].n = 1;
		nsv++;
	} else {
		free(sv[i].recs);
		sv[i].recs = xmalloc(sizeof(extra));
		memcpy(sv[i].recs, &extra, sizeof(extra));
		sv[i].n = 1;
		free(p);
		p = sv[i].path;
	}
	state_set(sp, p, &extra, 1);
	/* With bit 1 of the flags, the first path found is forgotten. */
	if ((data[0] & 2) && nsv > 1 && sv[0].n > 0) {
		state_set(sp, sv[0].path, NULL, 0);
		sv[0].n = 0;
	}
	FUZZ_CHECK(state_save(sp) == 0, "state_save failed");
	state_free(sp);

	sp = state_open(dir, "state");
	FUZZ_CHECK(sp != NULL, "state_open failed");
	FUZZ_CHECK(state_saved_at(sp) != 0, "a saved state is not loaded");
	for (i = 0; i < nsv; i++) {
		compare(sp, &sv[i]);
		free(sv[i].path);
		free(sv[i].recs);
	}
	state_free(sp);
	buf_free(&b);
	return 0;
}
