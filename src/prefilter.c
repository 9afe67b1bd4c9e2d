/*
 * The prefilter's scanner (issue 9, part 2): which rules could match a
 * line, from the literals they require (prefilter_lits.c extracts them).
 *
 * One Aho-Corasick automaton over every pattern's literals, as a full
 * transition table over byte classes (uppercase ASCII shares its lowercase
 * class, so the line is folded for free), with accepting states numbered
 * last so the hot loop tests one comparison per byte. A scan marks the
 * sets hit; a pattern is a candidate when all its sets were hit (or it has
 * none).
 *
 * Leaves to others: literal extraction (prefilter_lits.c), compiling and
 * matching (pattern.c) and trying the candidates in rule order (engine).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "prefilter.h"
#include "prefilter_int.h"
#include "util.h"

#define STATES_MAX	65535	/* uint16_t transitions */

struct prefilter {
	size_t		 npat;
	size_t		 nwords;	/* of the candidate bitset */
	uint64_t	*always;	/* patterns without literals */
	uint64_t	*cand;		/* result of the last scan */
	size_t		 nalways;
	/*
	 * Each set belongs to one pattern. A scan counts, per pattern, its
	 * distinct sets hit; stamps with the scan's generation stand in for
	 * clearing the counters before every line.
	 */
	uint32_t	*setpat;	/* per set: pattern, or UINT32_MAX */
	uint32_t	*setgen;	/* per set: generation last hit */
	uint32_t	*need;		/* per pattern: sets to hit, 0: always */
	uint32_t	*pgen;		/* per pattern: generation of pcnt */
	uint32_t	*pcnt;
	size_t		 nsets;
	uint32_t	 gen;
	/* automaton */
	uint8_t		 cls[256];
	unsigned	 shift;		/* row stride is 1 << shift */
	uint16_t	*delta;
	uint16_t	 firstout;	/* states >= firstout accept */
	uint32_t	*outoff;	/* per accepting state */
	uint32_t	*outids;	/* set ids */
	size_t		 nstates;
};

struct trie {
	uint32_t	*next;		/* nstates * ncls, 0 = none */
	uint32_t	*fail;
	uint32_t	**out;		/* set ids per state */
	size_t		*nout;
	size_t		 n;
	size_t		 cap;
	size_t		 ncls;
};

static uint32_t
trie_state(struct trie *t)
{
	size_t i;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->next = xreallocarray(t->next, t->cap * t->ncls,
		    sizeof(*t->next));
		t->fail = xreallocarray(t->fail, t->cap, sizeof(*t->fail));
		t->out = xreallocarray(t->out, t->cap, sizeof(*t->out));
		t->nout = xreallocarray(t->nout, t->cap, sizeof(*t->nout));
	}
	for (i = 0; i < t->ncls; i++)
		t->next[t->n * t->ncls + i] = 0;
	t->fail[t->n] = 0;
	t->out[t->n] = NULL;
	t->nout[t->n] = 0;
	return (uint32_t)t->n++;
}

static void
trie_addout(struct trie *t, uint32_t s, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->nout[s]; i++)
		if (t->out[s][i] == id)
			return;
	t->out[s] = xreallocarray(t->out[s], t->nout[s] + 1,
	    sizeof(**t->out));
	t->out[s][t->nout[s]++] = id;
}

/* Literal path from the root; false when the automaton would be too big. */
static bool
trie_add(struct trie *t, const uint8_t *cls, const struct lit *lit,
    uint32_t id)
{
	uint32_t s = 0, nx, *np;
	size_t i;

	for (i = 0; i < lit->len; i++) {
		np = &t->next[s * t->ncls + cls[lit->s[i]]];
		if (*np == 0) {
			if (t->n >= STATES_MAX)
				return false;
			nx = trie_state(t);	/* may move t->next */
			t->next[s * t->ncls + cls[lit->s[i]]] = nx;
			s = nx;
		} else
			s = *np;
	}
	trie_addout(t, s, id);
	return true;
}

/* Failure links, full transitions and merged outputs, breadth first. */
static uint32_t *
trie_finish(struct trie *t)
{
	uint32_t *queue, s, r, f;
	size_t head = 0, tail = 0, c, i;

	queue = xreallocarray(NULL, t->n, sizeof(*queue));
	for (c = 0; c < t->ncls; c++)
		if ((s = t->next[c]) != 0) {
			t->fail[s] = 0;
			queue[tail++] = s;
		}
	while (head < tail) {
		r = queue[head++];
		for (i = 0; i < t->nout[t->fail[r]]; i++)
			trie_addout(t, r, t->out[t->fail[r]][i]);
		for (c = 0; c < t->ncls; c++) {
			s = t->next[r * t->ncls + c];
			f = t->next[t->fail[r] * t->ncls + c];
			if (s != 0) {
				t->fail[s] = f;
				queue[tail++] = s;
			} else
				t->next[r * t->ncls + c] = f;
		}
	}
	return queue;	/* BFS order, root excluded */
}

static void
trie_free(struct trie *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->out[i]);
	free(t->out);
	free(t->nout);
	free(t->next);
	free(t->fail);
}

/* Byte classes: one per byte used in a literal, uppercase folded in. */
static size_t
build_classes(struct prefilter *pf, struct prefilter_lits *const *lits,
    size_t n)
{
	size_t i, j, k, l, ncls = 1;
	const struct lit *lit;
	int c;

	memset(pf->cls, 0, sizeof(pf->cls));
	for (i = 0; i < n; i++)
		for (j = 0; lits[i] != NULL && j < lits[i]->n; j++)
			for (k = 0; k < lits[i]->sets[j].n; k++) {
				lit = &lits[i]->sets[j].v[k];
				for (l = 0; l < lit->len; l++)
					if (pf->cls[lit->s[l]] == 0)
						pf->cls[lit->s[l]] =
						    (uint8_t)ncls++;
			}
	for (c = 'A'; c <= 'Z'; c++)
		pf->cls[c] = pf->cls[tolower(c)];
	return ncls;
}

/* Renumbers states (accepting ones last) into the compact table. */
static void
build_table(struct prefilter *pf, struct trie *t, const uint32_t *bfs)
{
	uint32_t *map, s, next = 0, o = 0;
	size_t i, c, nout = 0, total = 0;

	map = xreallocarray(NULL, t->n, sizeof(*map));
	map[0] = next++;
	for (i = 0; i + 1 < t->n; i++)
		if (t->nout[bfs[i]] == 0)
			map[bfs[i]] = next++;
	pf->firstout = (uint16_t)next;
	for (i = 0; i + 1 < t->n; i++)
		if (t->nout[bfs[i]] != 0) {
			map[bfs[i]] = next++;
			nout++;
			total += t->nout[bfs[i]];
		}
	pf->nstates = t->n;
	for (pf->shift = 0; ((size_t)1 << pf->shift) < t->ncls; pf->shift++)
		;
	pf->delta = xcalloc(t->n << pf->shift, sizeof(*pf->delta));
	for (s = 0; s < t->n; s++)
		for (c = 0; c < t->ncls; c++)
			pf->delta[((size_t)map[s] << pf->shift) + c] =
			    (uint16_t)map[t->next[s * t->ncls + c]];
	pf->outoff = xcalloc(nout + 1, sizeof(*pf->outoff));
	pf->outids = xcalloc(total + 1, sizeof(*pf->outids));
	for (s = 0; s < t->n; s++) {
		if (t->nout[s] == 0)
			continue;
		i = map[s] - pf->firstout;
		pf->outoff[i] = (uint32_t)t->nout[s];	/* count for now */
	}
	for (i = 0; i < nout; i++) {
		c = pf->outoff[i];
		pf->outoff[i] = o;
		o += (uint32_t)c;
	}
	pf->outoff[nout] = o;
	for (s = 0; s < t->n; s++) {
		if (t->nout[s] == 0)
			continue;
		i = map[s] - pf->firstout;
		memcpy(pf->outids + pf->outoff[i], t->out[s],
		    t->nout[s] * sizeof(*pf->outids));
	}
	free(map);
}

struct prefilter *
prefilter_new(struct pattern *const *pats, size_t n)
{
	struct prefilter *pf;
	struct prefilter_lits **lits;
	struct trie t = { 0 };
	uint32_t *bfs, id;
	size_t i, j, k;
	bool ok;

	pf = xcalloc(1, sizeof(*pf));
	pf->npat = n;
	pf->nwords = (n + 63) / 64 + 1;
	pf->always = xcalloc(pf->nwords, sizeof(*pf->always));
	pf->cand = xcalloc(pf->nwords, sizeof(*pf->cand));
	pf->need = xcalloc(n + 1, sizeof(*pf->need));
	pf->pgen = xcalloc(n + 1, sizeof(*pf->pgen));
	pf->pcnt = xcalloc(n + 1, sizeof(*pf->pcnt));
	lits = xcalloc(n + 1, sizeof(*lits));
	for (i = 0; i < n; i++)
		lits[i] = (struct prefilter_lits *)pattern_literals(pats[i]);
	t.ncls = build_classes(pf, lits, n);
	trie_state(&t);
	for (i = 0; i < n; i++) {
		ok = lits[i] != NULL;
		for (j = 0; ok && j < lits[i]->n; j++) {
			id = (uint32_t)(pf->nsets + j);
			for (k = 0; ok && k < lits[i]->sets[j].n; k++)
				ok = trie_add(&t, pf->cls,
				    &lits[i]->sets[j].v[k], id);
		}
		if (lits[i] != NULL) {
			pf->setpat = xreallocarray(pf->setpat,
			    pf->nsets + lits[i]->n, sizeof(*pf->setpat));
			for (j = 0; j < lits[i]->n; j++)
				pf->setpat[pf->nsets + j] = ok ? (uint32_t)i :
				    UINT32_MAX;
			pf->nsets += lits[i]->n;
		}
		if (ok)
			pf->need[i] = (uint32_t)lits[i]->n;
		else {
			/* no literals, or no room: always a candidate;
			 * states added for it stay, unused */
			pf->always[i / 64] |= (uint64_t)1 << (i % 64);
			pf->nalways++;
		}
	}
	pf->setgen = xcalloc(pf->nsets + 1, sizeof(*pf->setgen));
	bfs = trie_finish(&t);
	build_table(pf, &t, bfs);
	free(bfs);
	trie_free(&t);
	free(lits);
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	free(pf->always);
	free(pf->cand);
	free(pf->setpat);
	free(pf->setgen);
	free(pf->need);
	free(pf->pgen);
	free(pf->pcnt);
	free(pf->delta);
	free(pf->outoff);
	free(pf->outids);
	free(pf);
}

/* Accepting state `s` reached: count the sets it completes. */
static void
prefilter_hit(struct prefilter *pf, uint32_t s)
{
	uint32_t k = s - pf->firstout, j, id, pat;

	for (j = pf->outoff[k]; j < pf->outoff[k + 1]; j++) {
		id = pf->outids[j];
		if (pf->setgen[id] == pf->gen)
			continue;
		pf->setgen[id] = pf->gen;
		if ((pat = pf->setpat[id]) == UINT32_MAX)
			continue;
		if (pf->pgen[pat] != pf->gen) {
			pf->pgen[pat] = pf->gen;
			pf->pcnt[pat] = 0;
		}
		if (++pf->pcnt[pat] == pf->need[pat])
			pf->cand[pat / 64] |= (uint64_t)1 << (pat % 64);
	}
}

/*
 * The automaton's speed is bound by the latency of one table load per
 * byte, so a long line is cut in two halves scanned in one loop as two
 * independent chains. The first half runs LIT_MAX - 1 bytes past the cut
 * so that a literal straddling it is still seen; a literal seen by both
 * chains counts once (the set stamps).
 */
#define STEP(s, p)							\
	do {								\
		(s) = delta[((uint32_t)(s) << shift) | cls[*(p)]];	\
		if ((s) >= firstout)					\
			prefilter_hit(pf, (s));				\
	} while (0)

const uint64_t *
prefilter_scan(struct prefilter *pf, const char *line, size_t len)
{
	const uint8_t *p = (const uint8_t *)line, *end = p + len, *q, *qend;
	const uint16_t *delta = pf->delta;
	const uint8_t *cls = pf->cls;
	unsigned shift = pf->shift;
	uint32_t firstout = pf->firstout, s = 0, r = 0;

	if (++pf->gen == 0) {
		memset(pf->setgen, 0, pf->nsets * sizeof(*pf->setgen));
		memset(pf->pgen, 0, pf->npat * sizeof(*pf->pgen));
		pf->gen = 1;
	}
	memcpy(pf->cand, pf->always, pf->nwords * sizeof(*pf->cand));
	if (len >= 12 * LIT_MAX) {
		/* three chains: p..q+LIT_MAX-1, q..w+LIT_MAX-1, w..end */
		const uint8_t *w = p + 2 * (len / 3), *wend;
		uint32_t t = 0;

		q = p + len / 3;
		qend = q + (LIT_MAX - 1);
		wend = w + (LIT_MAX - 1);
		while (w < end) {
			STEP(s, p);
			STEP(r, q);
			STEP(t, w);
			p++;
			q++;
			w++;
		}
		while (q < wend) {	/* the middle chain's overlap */
			STEP(r, q);
			q++;
		}
		end = qend;	/* first chain's rest */
	} else if (len >= 4 * LIT_MAX) {
		q = p + len / 2;	/* second chain: q..end */
		qend = q + (LIT_MAX - 1);	/* first chain: p..qend */
		while (q < end) {
			STEP(s, p);
			STEP(r, q);
			p++;
			q++;
		}
		end = qend;	/* first chain's rest, if any */
	}
	for (; p < end; p++)
		STEP(s, p);
	return pf->cand;
}

size_t
prefilter_next(const struct prefilter *pf, const uint64_t *bits, size_t from)
{
	size_t w;
	uint64_t v;

	if (from >= pf->npat)
		return pf->npat;
	w = from / 64;
	v = bits[w] & (~(uint64_t)0 << (from % 64));
	for (;;) {
		if (v != 0) {
			from = w * 64 + (size_t)__builtin_ctzll(v);
			return from < pf->npat ? from : pf->npat;
		}
		if (++w >= (pf->npat + 63) / 64)
			return pf->npat;
		v = bits[w];
	}
}

size_t
prefilter_nalways(const struct prefilter *pf)
{
	return pf->nalways;
}
