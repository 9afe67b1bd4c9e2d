/*
 * The prefilter's scanner (issue 9, part 2): which rules could match a
 * line, from the literals they require (prefilter_lits.c extracts them).
 *
 * A sampled window search. Each pattern's required sets are split in two:
 * the ones the scan looks for, and lazy ones, checked only for a pattern
 * whose scanned sets all hit. The scanned sets are those whose literals
 * are all `keep` bytes or more, where keep is the shortest best set of any
 * pattern (at most STRIDE_MAX + 3); a pattern whose best set is shorter
 * than 4 bytes scans that set alone, found by a slower pass. Sets
 * shorter than keep are lazy.
 *
 * A literal of keep bytes or more is found through one of its 4-byte
 * windows: the line is looked at every `stride` = keep - 3 bytes, and
 * each literal registers `stride` consecutive windows (the run least
 * likely in a line: rare bytes, windows no other literal has), so any
 * occurrence of it covers exactly one sampled position with one registered
 * window. At a sampled position the 4 bytes, case-folded lossily by or-ing
 * 0x20 into each, are hashed into an 8 KiB bitmap; a set bit sends the
 * window to an exact table, and each literal registered under it is
 * compared with the line, ASCII case folded exactly. Shorter literals (2
 * bytes or more) are found by a pass over every 2-byte window, run only
 * when there are some. A hit marks the literal's sets; a pattern is a
 * candidate when all its scanned sets were hit and then its lazy sets are
 * found in the line (or when it has no literals at all).
 *
 * Leaves to others: literal extraction (prefilter_lits.c), compiling and
 * matching (pattern.c) and trying the candidates in rule order (engine).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pattern.h"
#include "prefilter.h"
#include "prefilter_int.h"
#include "util.h"

#define WIN		4	/* bytes in a window */
#define FOLD4		0x20202020u
#define FOLD2		0x2020u
#define STRIDE_MAX	8	/* windows registered per literal, at most */
#define BLOOM_BITS	16	/* 8 KiB, in L1 */
#define HASH_MUL	0x9e3779b1u
#define CALIB_LINES	1024
#define SHARED_COST	16	/* a window in n literals counts 1 + 16 (n - 1) */

/* A distinct literal, with the sets it belongs to. */
struct plit {
	struct lit	 lit;
	/*
	 * For comparing 8 bytes at a time: the literal zero-padded, the
	 * bits that case may change (0x20 at letters), the bytes to compare.
	 */
	uint64_t	 val[2];
	uint64_t	 fold[2];
	uint64_t	 care[2];
	uint32_t	 setoff;	/* into setids */
	uint32_t	 nset;
	uint32_t	 next;		/* next short literal with the same
					   first 2 bytes, + 1; 0 ends */
	bool		 scan;		/* in a set the scan looks for */
};

/* A registered window: the literal starts `off` bytes before it. */
struct anchor {
	uint32_t	 key;		/* 4 bytes, each | 0x20 */
	uint32_t	 lit;
	uint32_t	 off;
};

struct prefilter {
	size_t		 npat;
	const struct prefilter_lits **plits;	/* per pattern, borrowed */
	size_t		 nwords;	/* of the candidate bitset */
	uint64_t	*always;	/* patterns without literals */
	uint64_t	*cand;		/* result of the last scan */
	size_t		 nalways;
	/*
	 * Each set belongs to one pattern. A scan counts, per pattern, its
	 * distinct sets hit; stamps with the scan's generation stand in for
	 * clearing the counters before every line.
	 */
	uint32_t	*setpat;	/* per set: pattern */
	uint32_t	*setgen;	/* per set: generation last hit */
	uint32_t	*need;		/* per pattern: sets to hit, 0: always */
	uint32_t	*pgen;		/* per pattern: generation of pcnt */
	uint32_t	*pcnt;
	size_t		 nsets;
	/*
	 * Sets left out of the scan (their literals are too short for the
	 * stride, or after calibration the lines had them more often than
	 * another set of the pattern) are checked only for a pattern whose
	 * scanned sets all hit: per pattern, lazy sets lazyoff..lazyoff+nlazy,
	 * each the literals lzlits[lzoff..lzoff+lzn].
	 */
	uint32_t	*lazyoff;
	uint32_t	*nlazy;
	uint32_t	*lzoff;
	uint32_t	*lzn;
	size_t		 nlz;
	uint32_t	*lzlits;
	size_t		 nlzlits;
	const uint8_t	*line;		/* being scanned */
	size_t		 len;
	uint32_t	 gen;
	/* literals */
	struct plit	*lits;
	size_t		 nlits;
	uint32_t	*setids;
	size_t		 nsetids;
	/* windows of the literals of `keep` bytes or more */
	size_t		 keep;		/* literals this long are windowed */
	size_t		 stride;	/* 0: there are none */
	/*
	 * Calibration: the first CALIB_LINES lines count their windows in
	 * `seen`, then each pattern's scanned set and each literal's windows
	 * are chosen again by them.
	 */
	uint16_t	*seen;		/* 1 << BLOOM_BITS counts */
	size_t		 calib;		/* lines still to count */
	uint64_t	*bloom;		/* 1 << BLOOM_BITS bits */
	struct anchor	*anchors;	/* sorted by key */
	size_t		 nanchors;
	uint32_t	*slots;		/* first anchor of a key, + 1; 0 free */
	uint32_t	 slotmask;
	/* literals too short for the stride, at every byte */
	uint64_t	*sbloom;	/* 65536 bits, by the first 2 bytes */
	uint32_t	*shead;		/* 65536 heads (+ 1) of plit.next */
};

/* ASCII lowercase, the literals' folding. */
static uint8_t	fold[256];

static void
fold_init(void)
{
	int c;

	for (c = 0; c < 256; c++)
		fold[c] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/*
 * How common a byte is in log text, 1..255 (upper case counts as lower
 * case). Only used to pick which windows of a literal to register.
 */
static unsigned
byte_freq(uint8_t c)
{
	static const char letters[] = "etaoinsrlcdphumfgwybvkxqjz";
	const char *l;

	if (c == ' ')
		return 255;
	if (c >= '0' && c <= '9')
		return 220;
	if ((l = memchr(letters, fold[c], sizeof(letters) - 1)) != NULL)
		return 230 - (unsigned)(l - letters) * 6;
	if (c != '\0' && strchr(".:[]/-=,", c) != NULL)
		return 200;
	if (c != '\0' && strchr("<>@_()+\"'", c) != NULL)
		return 120;
	if (c >= 0x80)
		return 30;
	if (c < 0x20 || c == 0x7f)
		return 5;
	return 40;
}

static uint32_t
load4(const uint8_t *p)
{
	uint32_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static uint16_t
load2(const uint8_t *p)
{
	uint16_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static uint32_t
win_hash(uint32_t key)
{
	return (key * HASH_MUL) >> (32 - BLOOM_BITS);
}

/* Estimated chance of the window at `s`: the product of its bytes'. */
static double
win_cost(const uint8_t *s)
{
	double c = 1;
	size_t i;

	for (i = 0; i < WIN; i++)
		c *= byte_freq(s[i]) / 256.0;
	return c;
}

/* --- building ------------------------------------------------------------ */

static void
plit_masks(struct plit *pl)
{
	uint8_t v[16] = { 0 }, f[16] = { 0 }, c[16] = { 0 };
	size_t i;

	for (i = 0; i < pl->lit.len; i++) {
		v[i] = pl->lit.s[i];
		f[i] = v[i] >= 'a' && v[i] <= 'z' ? 0x20 : 0;
		c[i] = 0xff;
	}
	memcpy(pl->val, v, sizeof(v));
	memcpy(pl->fold, f, sizeof(f));
	memcpy(pl->care, c, sizeof(c));
}

/* Index of `lit` among the distinct literals, added if new. */
static uint32_t
lit_intern(struct prefilter *pf, const struct lit *lit)
{
	size_t i;

	for (i = 0; i < pf->nlits; i++)
		if (pf->lits[i].lit.len == lit->len &&
		    memcmp(pf->lits[i].lit.s, lit->s, lit->len) == 0)
			return (uint32_t)i;
	pf->lits = xreallocarray(pf->lits, pf->nlits + 1, sizeof(*pf->lits));
	memset(&pf->lits[pf->nlits], 0, sizeof(*pf->lits));
	pf->lits[pf->nlits].lit = *lit;
	plit_masks(&pf->lits[pf->nlits]);
	return (uint32_t)pf->nlits++;
}

/* The length of the shortest literal of the pattern's best set. */
static size_t
best_minlen(const struct prefilter_lits *l)
{
	size_t j, m, best = 0;

	for (j = 0; l != NULL && j < l->n; j++)
		if ((m = set_minlen(&l->sets[j])) > best)
			best = m;
	return best;
}

/* Set `set` of pattern `i` is checked only when its others hit. */
static void
add_lazy(struct prefilter *pf, size_t i, const struct litset *set)
{
	size_t k;

	if (pf->nlazy[i] == 0)
		pf->lazyoff[i] = (uint32_t)pf->nlz;
	pf->nlazy[i]++;
	pf->lzoff = xreallocarray(pf->lzoff, pf->nlz + 1, sizeof(*pf->lzoff));
	pf->lzn = xreallocarray(pf->lzn, pf->nlz + 1, sizeof(*pf->lzn));
	pf->lzoff[pf->nlz] = (uint32_t)pf->nlzlits;
	pf->lzn[pf->nlz] = (uint32_t)set->n;
	pf->nlz++;
	pf->lzlits = xreallocarray(pf->lzlits, pf->nlzlits + set->n,
	    sizeof(*pf->lzlits));
	for (k = 0; k < set->n; k++)
		pf->lzlits[pf->nlzlits++] = lit_intern(pf, &set->v[k]);
}

/* Set ids per literal, from the (literal, set) pairs. */
static void
build_setids(struct prefilter *pf, const uint32_t *pairs, size_t npairs)
{
	size_t i, o = 0;
	uint32_t *fill;

	for (i = 0; i < npairs; i++)
		pf->lits[pairs[2 * i]].nset++;
	for (i = 0; i < pf->nlits; i++) {
		pf->lits[i].setoff = (uint32_t)o;
		o += pf->lits[i].nset;
	}
	pf->setids = xcalloc(o + 1, sizeof(*pf->setids));
	pf->nsetids = o;
	fill = xcalloc(pf->nlits + 1, sizeof(*fill));
	for (i = 0; i < npairs; i++) {
		struct plit *pl = &pf->lits[pairs[2 * i]];

		pf->setids[pl->setoff + fill[pairs[2 * i]]++] = pairs[2 * i + 1];
	}
	free(fill);
}

/* At most how often `lit` occurred: its least seen window. */
static unsigned
lit_seen(const struct lit *lit, const uint16_t *seen)
{
	unsigned m = UINT16_MAX;
	size_t o;
	uint32_t h;

	for (o = 0; o + WIN <= lit->len; o++) {
		h = win_hash(load4(lit->s + o) | FOLD4);
		if (seen[h] < m)
			m = seen[h];
	}
	return m;
}

/* The set of `l` long enough to scan that the lines had least. */
static size_t
rarest_set(const struct prefilter_lits *l, size_t keep,
    const uint16_t *seen)
{
	size_t j, k, best = 0;
	unsigned long c, bestc = ULONG_MAX;

	for (j = 0; j < l->n; j++) {
		if (set_minlen(&l->sets[j]) < keep)
			continue;
		for (c = 0, k = 0; k < l->sets[j].n; k++)
			c += lit_seen(&l->sets[j].v[k], seen);
		if (c < bestc) {
			bestc = c;
			best = j;
		}
	}
	return best;
}

/*
 * Registers the sets of pattern `i` that the scan looks for, the others
 * being lazy: its best set alone when it has none of `keep` bytes or more
 * (sets come best first), else those, or when `seen` counts windows of
 * lines, the one of those the lines had least. Records set -> literal
 * pairs in *pairs.
 */
static void
add_pattern(struct prefilter *pf, size_t i, const struct prefilter_lits *l,
    const uint16_t *seen, uint32_t **pairs, size_t *npairs)
{
	size_t j, k, nset = 0, keep = pf->keep, rare = SIZE_MAX;
	bool one = best_minlen(l) < keep, scan;
	uint32_t id;

	if (!one && seen != NULL)
		rare = rarest_set(l, keep, seen);
	for (j = 0; j < l->n; j++) {
		if (one)
			scan = j == 0;
		else
			scan = set_minlen(&l->sets[j]) >= keep &&
			    (rare == SIZE_MAX || j == rare);
		if (!scan) {
			add_lazy(pf, i, &l->sets[j]);
			continue;
		}
		id = (uint32_t)pf->nsets++;
		pf->setpat = xreallocarray(pf->setpat, pf->nsets,
		    sizeof(*pf->setpat));
		pf->setpat[id] = (uint32_t)i;
		for (k = 0; k < l->sets[j].n; k++) {
			*pairs = xreallocarray(*pairs, *npairs + 1,
			    2 * sizeof(**pairs));
			(*pairs)[2 * *npairs] = lit_intern(pf,
			    &l->sets[j].v[k]);
			pf->lits[(*pairs)[2 * *npairs]].scan = true;
			(*pairs)[2 * *npairs + 1] = id;
			(*npairs)++;
		}
		nset++;
	}
	pf->need[i] = (uint32_t)nset;
}

/* (Re)does the split of every pattern's sets into scanned and lazy. */
static void
build_sets(struct prefilter *pf, const uint16_t *seen)
{
	uint32_t *pairs = NULL;
	size_t i, npairs = 0;

	free(pf->setpat);
	free(pf->setgen);
	free(pf->setids);
	free(pf->lzoff);
	free(pf->lzn);
	free(pf->lzlits);
	pf->setpat = pf->setgen = pf->setids = NULL;
	pf->lzoff = pf->lzn = pf->lzlits = NULL;
	pf->nsets = pf->nlz = pf->nlzlits = 0;
	memset(pf->need, 0, pf->npat * sizeof(*pf->need));
	memset(pf->nlazy, 0, pf->npat * sizeof(*pf->nlazy));
	memset(pf->always, 0, pf->nwords * sizeof(*pf->always));
	pf->nalways = 0;
	for (i = 0; i < pf->nlits; i++) {
		pf->lits[i].scan = false;
		pf->lits[i].nset = 0;
	}
	for (i = 0; i < pf->npat; i++) {
		if (pf->plits[i] != NULL)
			add_pattern(pf, i, pf->plits[i], seen, &pairs, &npairs);
		if (pf->need[i] == 0) {
			pf->always[i / 64] |= (uint64_t)1 << (i % 64);
			pf->nalways++;
		}
	}
	pf->setgen = xcalloc(pf->nsets + 1, sizeof(*pf->setgen));
	build_setids(pf, pairs, npairs);
	free(pairs);
}

/*
 * The literal length that sets the stride: the shortest best set among
 * the patterns whose best set has literals of a window or more, capped
 * where the stride reaches STRIDE_MAX.
 */
static size_t
keep_len(struct pattern *const *pats, size_t n)
{
	size_t i, m, keep = STRIDE_MAX + WIN - 1;

	for (i = 0; i < n; i++)
		if ((m = best_minlen(pattern_literals(pats[i]))) >= WIN &&
		    m < keep)
			keep = m;
	return keep;
}

static int
anchor_cmp(const void *va, const void *vb)
{
	const struct anchor *a = va, *b = vb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->lit < b->lit ? -1 : a->lit > b->lit;
}

/*
 * How many literals contain each window (by hash, saturating): a window
 * found in several literals is text that logs repeat ("postfix/", "]: w").
 */
static uint8_t *
count_shared(const struct prefilter *pf, size_t keep)
{
	uint8_t *shared;
	uint32_t seen[LIT_MAX], h;
	size_t i, o, k, n;

	shared = xcalloc((size_t)1 << BLOOM_BITS, 1);
	for (i = 0; i < pf->nlits; i++) {
		if (pf->lits[i].lit.len < keep || !pf->lits[i].scan)
			continue;
		for (n = 0, o = 0; o + WIN <= pf->lits[i].lit.len; o++) {
			h = win_hash(load4(pf->lits[i].lit.s + o) | FOLD4);
			for (k = 0; k < n && seen[k] != h; k++)
				;
			if (k < n)
				continue;
			seen[n++] = h;
			if (shared[h] < UINT8_MAX)
				shared[h]++;
		}
	}
	return shared;
}

/*
 * The run of `stride` windows of `lit` least likely in a line, by its
 * start: the windows least seen in the lines so far when `seen` counts
 * them, else rare bytes and windows no other literal has.
 */
static size_t
best_run(const struct lit *lit, size_t stride, const uint8_t *shared,
    const uint16_t *seen)
{
	size_t o, k, best = 0;
	double c, bestc = 0;
	uint32_t h;

	for (o = 0; o + stride - 1 + WIN <= lit->len; o++) {
		for (c = 0, k = 0; k < stride; k++) {
			h = win_hash(load4(lit->s + o + k) | FOLD4);
			if (seen != NULL)	/* win_cost < 1 breaks ties */
				c += seen[h] + win_cost(lit->s + o + k);
			else
				c += win_cost(lit->s + o + k) *
				    (1 + SHARED_COST * (shared[h] - 1));
		}
		if (o == 0 || c < bestc) {
			bestc = c;
			best = o;
		}
	}
	return best;
}

/*
 * Windows, bitmap and exact table of the literals long enough for the
 * stride. `seen`: window counts from lines, or NULL.
 */
static void
place_windows(struct prefilter *pf, const uint16_t *seen)
{
	size_t i, k, o, nslots;
	struct anchor *a;
	uint8_t *shared;
	uint32_t h;

	memset(pf->bloom, 0, ((size_t)1 << (BLOOM_BITS - 6)) * sizeof(uint64_t));
	free(pf->anchors);
	free(pf->slots);
	pf->nanchors = 0;
	pf->anchors = xcalloc(pf->nlits * pf->stride + 1, sizeof(*a));
	shared = count_shared(pf, pf->keep);
	for (i = 0; i < pf->nlits; i++) {
		if (pf->lits[i].lit.len < pf->keep || !pf->lits[i].scan)
			continue;
		o = best_run(&pf->lits[i].lit, pf->stride, shared, seen);
		for (k = 0; k < pf->stride; k++) {
			a = &pf->anchors[pf->nanchors++];
			a->key = load4(pf->lits[i].lit.s + o + k) | FOLD4;
			a->lit = (uint32_t)i;
			a->off = (uint32_t)(o + k);
			h = win_hash(a->key);
			pf->bloom[h >> 6] |= (uint64_t)1 << (h & 63);
		}
	}
	free(shared);
	qsort(pf->anchors, pf->nanchors, sizeof(*a), anchor_cmp);
	for (nslots = 16; nslots < 2 * pf->nanchors; nslots *= 2)
		;
	pf->slotmask = (uint32_t)nslots - 1;
	pf->slots = xcalloc(nslots, sizeof(*pf->slots));
	for (i = 0; i < pf->nanchors; i++) {
		if (i > 0 && pf->anchors[i].key == pf->anchors[i - 1].key)
			continue;
		for (h = win_hash(pf->anchors[i].key) & pf->slotmask;
		    pf->slots[h] != 0; h = (h + 1) & pf->slotmask)
			;
		pf->slots[h] = (uint32_t)i + 1;
	}
}

/* The stride, and the windows by the literals alone. */
static void
build_windows(struct prefilter *pf, size_t keep)
{
	size_t i;

	pf->keep = keep;
	for (i = 0; i < pf->nlits; i++)
		if (pf->lits[i].lit.len >= keep && pf->lits[i].scan)
			break;
	if (i == pf->nlits)
		return;		/* stride 0: no window scan */
	pf->stride = keep - WIN + 1;
	pf->bloom = xcalloc((size_t)1 << (BLOOM_BITS - 6), sizeof(uint64_t));
	place_windows(pf, NULL);
	pf->calib = CALIB_LINES;
}

/* Lists the literals shorter than `keep` under their first 2 bytes. */
static void
build_short(struct prefilter *pf, size_t keep)
{
	size_t i;
	uint16_t k;

	for (i = 0; i < pf->nlits; i++) {
		if (pf->lits[i].lit.len >= keep || !pf->lits[i].scan)
			continue;
		if (pf->sbloom == NULL) {
			pf->sbloom = xcalloc(65536 / 64, sizeof(uint64_t));
			pf->shead = xcalloc(65536, sizeof(uint32_t));
		}
		k = (uint16_t)(load2(pf->lits[i].lit.s) | FOLD2);
		pf->sbloom[k >> 6] |= (uint64_t)1 << (k & 63);
		pf->lits[i].next = pf->shead[k];
		pf->shead[k] = (uint32_t)i + 1;
	}
}

struct prefilter *
prefilter_new(struct pattern *const *pats, size_t n)
{
	struct prefilter *pf;
	size_t i, keep;

	if (fold['A'] == 0)
		fold_init();
	pf = xcalloc(1, sizeof(*pf));
	pf->npat = n;
	pf->nwords = (n + 63) / 64 + 1;
	pf->always = xcalloc(pf->nwords, sizeof(*pf->always));
	pf->cand = xcalloc(pf->nwords, sizeof(*pf->cand));
	pf->need = xcalloc(n + 1, sizeof(*pf->need));
	pf->pgen = xcalloc(n + 1, sizeof(*pf->pgen));
	pf->pcnt = xcalloc(n + 1, sizeof(*pf->pcnt));
	pf->lazyoff = xcalloc(n + 1, sizeof(*pf->lazyoff));
	pf->nlazy = xcalloc(n + 1, sizeof(*pf->nlazy));
	pf->plits = xcalloc(n + 1, sizeof(*pf->plits));
	for (i = 0; i < n; i++)
		pf->plits[i] = pattern_literals(pats[i]);
	pf->keep = keep = keep_len(pats, n);
	build_sets(pf, NULL);
	build_windows(pf, keep);
	build_short(pf, keep);
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
	free(pf->plits);
	free(pf->lazyoff);
	free(pf->nlazy);
	free(pf->lzoff);
	free(pf->lzn);
	free(pf->lzlits);
	free(pf->lits);
	free(pf->setids);
	free(pf->bloom);
	free(pf->anchors);
	free(pf->slots);
	free(pf->seen);
	free(pf->sbloom);
	free(pf->shead);
	free(pf);
}

/* --- scanning ------------------------------------------------------------ */

/* True when `pl` occurs at `p` (`avail` bytes left), ASCII case folded. */
static bool
lit_at(const struct plit *pl, const uint8_t *p, size_t avail)
{
	uint64_t a, b;
	size_t i;

	if (avail >= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		return ((((a | pl->fold[0]) ^ pl->val[0]) & pl->care[0]) |
		    (((b | pl->fold[1]) ^ pl->val[1]) & pl->care[1])) == 0;
	}
	if (pl->lit.len > avail)
		return false;
	for (i = 0; i < pl->lit.len; i++)
		if (fold[p[i]] != pl->lit.s[i])
			return false;
	return true;
}

/* True when `pl` occurs anywhere in `p` (`len` bytes). */
static bool
lit_find(const struct plit *pl, const uint8_t *p, size_t len)
{
	size_t n = pl->lit.len, last = n - 1, i = 0;
	uint8_t c0 = pl->lit.s[0] | 0x20, cl = pl->lit.s[last] | 0x20;

#ifdef __SSE2__
	const __m128i f = _mm_set1_epi8(0x20), v0 = _mm_set1_epi8((char)c0),
	    vl = _mm_set1_epi8((char)cl);
	__m128i a, b;
	unsigned m;

	/* 16 starts at a time, by their first and last bytes */
	for (; i + last + 16 <= len; i += 16) {
		a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i)), f);
		b = _mm_or_si128(_mm_loadu_si128((const __m128i *)
		    (p + i + last)), f);
		m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		    _mm_cmpeq_epi8(a, v0), _mm_cmpeq_epi8(b, vl)));
		for (; m != 0; m &= m - 1)
			if (lit_at(pl, p + i + __builtin_ctz(m),
			    len - i - (size_t)__builtin_ctz(m)))
				return true;
	}
#endif
	for (; i + n <= len; i++)
		if ((p[i] | 0x20) == c0 && (p[i + last] | 0x20) == cl &&
		    lit_at(pl, p + i, len - i))
			return true;
	return false;
}

/* Pattern `pat`'s scanned sets all hit: do its lazy ones? */
static bool
lazy_ok(const struct prefilter *pf, uint32_t pat)
{
	uint32_t s, k;
	bool found;

	for (s = pf->lazyoff[pat]; s < pf->lazyoff[pat] + pf->nlazy[pat];
	    s++) {
		found = false;
		for (k = pf->lzoff[s]; k < pf->lzoff[s] + pf->lzn[s] &&
		    !found; k++)
			found = lit_find(&pf->lits[pf->lzlits[k]], pf->line,
			    pf->len);
		if (!found)
			return false;
	}
	return true;
}

/* Literal `li` occurs in the line: count the sets it completes. */
static void
prefilter_hit(struct prefilter *pf, uint32_t li)
{
	const struct plit *pl = &pf->lits[li];
	uint32_t j, id, pat;

	for (j = pl->setoff; j < pl->setoff + pl->nset; j++) {
		id = pf->setids[j];
		if (pf->setgen[id] == pf->gen)
			continue;
		pf->setgen[id] = pf->gen;
		pat = pf->setpat[id];
		if (pf->pgen[pat] != pf->gen) {
			pf->pgen[pat] = pf->gen;
			pf->pcnt[pat] = 0;
		}
		if (++pf->pcnt[pat] == pf->need[pat] &&
		    (pf->nlazy[pat] == 0 || lazy_ok(pf, pat)))
			pf->cand[pat / 64] |= (uint64_t)1 << (pat % 64);
	}
}

/* The folded window `key` (hash `h`) at offset `i` passed the bitmap. */
static void
probe(struct prefilter *pf, const uint8_t *line, size_t len, size_t i,
    uint32_t key, uint32_t h)
{
	const struct anchor *a;
	uint32_t s;

	for (h &= pf->slotmask; (s = pf->slots[h]) != 0;
	    h = (h + 1) & pf->slotmask)
		if (pf->anchors[s - 1].key == key)
			break;
	if (s == 0)
		return;
	for (a = &pf->anchors[s - 1]; a < pf->anchors + pf->nanchors &&
	    a->key == key; a++)
		if (a->off <= i && lit_at(&pf->lits[a->lit],
		    line + i - a->off, len - (i - a->off)))
			prefilter_hit(pf, a->lit);
}

/* Windows at every stride-th byte. */
static void
scan_long(struct prefilter *pf, const uint8_t *p, size_t len)
{
	const uint64_t *bloom = pf->bloom;
	const uint8_t *q, *end;
	size_t stride = pf->stride;
	uint32_t key, h;

	if (len < WIN)
		return;
	end = p + len - WIN + 1;	/* windows start before it */
	for (q = p; q < end; q += stride) {
		key = load4(q) | FOLD4;
		h = win_hash(key);
		if (bloom[h >> 6] & ((uint64_t)1 << (h & 63)))
			probe(pf, p, len, (size_t)(q - p), key, h);
	}
}

static void
scan_short(struct prefilter *pf, const uint8_t *p, size_t len)
{
	size_t i;
	uint32_t li;
	uint16_t k;

	for (i = 0; i + 2 <= len; i++) {
		k = (uint16_t)(load2(p + i) | FOLD2);
		if (!((pf->sbloom[k >> 6] >> (k & 63)) & 1))
			continue;
		for (li = pf->shead[k]; li != 0; li = pf->lits[li - 1].next)
			if (lit_at(&pf->lits[li - 1], p + i, len - i))
				prefilter_hit(pf, li - 1);
	}
}

/* Counts the windows of a line; re-places the windows after the last. */
static void
calibrate(struct prefilter *pf, const uint8_t *p, size_t len)
{
	size_t i;
	uint32_t h;

	if (pf->seen == NULL)
		pf->seen = xcalloc((size_t)1 << BLOOM_BITS, sizeof(*pf->seen));
	for (i = 0; i + WIN <= len; i++) {
		h = win_hash(load4(p + i) | FOLD4);
		if (pf->seen[h] < UINT16_MAX)
			pf->seen[h]++;
	}
	if (--pf->calib > 0)
		return;
	build_sets(pf, pf->seen);
	place_windows(pf, pf->seen);
	free(pf->seen);
	pf->seen = NULL;
}

const uint64_t *
prefilter_scan(struct prefilter *pf, const char *line, size_t len)
{
	const uint8_t *p = (const uint8_t *)line;

	if (++pf->gen == 0) {
		memset(pf->setgen, 0, pf->nsets * sizeof(*pf->setgen));
		memset(pf->pgen, 0, pf->npat * sizeof(*pf->pgen));
		pf->gen = 1;
	}
	memcpy(pf->cand, pf->always, pf->nwords * sizeof(*pf->cand));
	pf->line = p;
	pf->len = len;
	if (pf->stride != 0)
		scan_long(pf, p, len);
	if (pf->sbloom != NULL)
		scan_short(pf, p, len);
	if (pf->calib > 0)	/* for the next lines */
		calibrate(pf, p, len);
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
