/*
 * Bounded key -> record table: open hashing with chains, plus an LRU list
 * that picks the victim when the table is full. Used by throttle and
 * threshold state; knows nothing of what the records mean.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "keytab.h"
#include "log.h"
#include "util.h"

struct entry {
	struct entry		*next;		/* hash chain */
	TAILQ_ENTRY(entry)	 lru;
	uint64_t		 hash;
	size_t			 klen;
	char			*key;
	/* the record follows, aligned */
	max_align_t		 rec[];
};

TAILQ_HEAD(lru_head, entry);

struct keytab {
	struct entry		**buckets;
	size_t			 nbuckets;	/* power of two */
	size_t			 count;
	size_t			 max;
	size_t			 recsize;
	size_t			 bytes;		/* sum of the key lengths */
	unsigned long long	 evicted;
	unsigned long long	 next_report;	/* evicted count to log at */
	struct lru_head		 lru;		/* most recent first */
	keytab_drop_cb		*drop;
	void			*drop_arg;
};

struct keytab *
keytab_new(size_t recsize, size_t max_keys)
{
	struct keytab *t;

	t = xcalloc(1, sizeof(*t));
	t->recsize = recsize;
	t->max = max_keys > 0 ? max_keys : 1;
	t->next_report = 1;
	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	TAILQ_INIT(&t->lru);
	return t;
}

void
keytab_free(struct keytab *t)
{
	struct entry *e, *next;

	if (t == NULL)
		return;
	for (e = TAILQ_FIRST(&t->lru); e != NULL; e = next) {
		next = TAILQ_NEXT(e, lru);
		if (t->drop != NULL)
			t->drop(e->rec, t->drop_arg);
		free(e->key);
		free(e);
	}
	free(t->buckets);
	free(t);
}

static struct entry **
slot(struct keytab *t, const char *key, size_t len, uint64_t h)
{
	struct entry **pp;

	for (pp = &t->buckets[h & (t->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if ((*pp)->hash == h && (*pp)->klen == len &&
		    memcmp((*pp)->key, key, len) == 0)
			break;
	}
	return pp;
}

static void
grow(struct keytab *t)
{
	struct entry **old = t->buckets, *e, *next;
	size_t i, n = t->nbuckets;

	t->nbuckets *= 2;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	for (i = 0; i < n; i++)
		for (e = old[i]; e != NULL; e = next) {
			next = e->next;
			e->next = t->buckets[e->hash & (t->nbuckets - 1)];
			t->buckets[e->hash & (t->nbuckets - 1)] = e;
		}
	free(old);
}

static void
remove_entry(struct keytab *t, struct entry *victim)
{
	struct entry **pp;

	if (t->drop != NULL)
		t->drop(victim->rec, t->drop_arg);
	pp = slot(t, victim->key, victim->klen, victim->hash);
	*pp = victim->next;
	TAILQ_REMOVE(&t->lru, victim, lru);
	t->bytes -= victim->klen;
	free(victim->key);
	free(victim);
	t->count--;
}

static void
evict_one(struct keytab *t)
{
	remove_entry(t, TAILQ_LAST(&t->lru, lru_head));
	t->evicted++;
	/* the first time, then at 10, 100, ...: visible, never a flood */
	if (t->evicted == t->next_report) {
		log_warnx("key table full (at most %zu keys, %u MiB of keys): "
		    "least recently used keys dropped, %llu so far", t->max,
		    KEYTAB_MAX_BYTES >> 20, t->evicted);
		t->next_report *= 10;
	}
}

void *
keytab_get(struct keytab *t, const char *key, size_t len, bool *created)
{
	struct entry **pp, *e;
	uint64_t h = util_fnv1a(UTIL_FNV_INIT, key, len);

	pp = slot(t, key, len, h);
	if ((e = *pp) != NULL) {
		*created = false;
		if (e != TAILQ_FIRST(&t->lru)) {
			TAILQ_REMOVE(&t->lru, e, lru);
			TAILQ_INSERT_HEAD(&t->lru, e, lru);
		}
		return e->rec;
	}
	if (t->count >= t->max ||
	    (t->count > 0 && t->bytes + len > KEYTAB_MAX_BYTES)) {
		while (t->count > 0 && (t->count >= t->max ||
		    t->bytes + len > KEYTAB_MAX_BYTES))
			evict_one(t);
		pp = slot(t, key, len, h);
	}
	if (t->count >= t->nbuckets) {
		grow(t);
		pp = slot(t, key, len, h);
	}
	e = xcalloc(1, sizeof(*e) + t->recsize);
	e->hash = h;
	e->klen = len;
	e->key = xstrndup(key, len);
	t->bytes += len;
	*pp = e;
	TAILQ_INSERT_HEAD(&t->lru, e, lru);
	t->count++;
	*created = true;
	return e->rec;
}

void *
keytab_find(struct keytab *t, const char *key, size_t len)
{
	struct entry *e;

	e = *slot(t, key, len, util_fnv1a(UTIL_FNV_INIT, key, len));
	return e != NULL ? e->rec : NULL;
}

size_t
keytab_count(const struct keytab *t)
{
	return t->count;
}

unsigned long long
keytab_evicted(const struct keytab *t)
{
	return t->evicted;
}

void
keytab_set_drop(struct keytab *t, keytab_drop_cb *cb, void *arg)
{
	t->drop = cb;
	t->drop_arg = arg;
}

const char *
keytab_rec_key(const void *rec, size_t *len)
{
	const struct entry *e;

	e = (const struct entry *)((const char *)rec -
	    offsetof(struct entry, rec));
	*len = e->klen;
	return e->key;
}

void
keytab_walk(struct keytab *t, keytab_walk_cb *cb, void *arg)
{
	struct entry *e, *prev;

	for (e = TAILQ_LAST(&t->lru, lru_head); e != NULL; e = prev) {
		prev = TAILQ_PREV(e, lru_head, lru);
		if (cb(e->key, e->klen, e->rec, arg))
			remove_entry(t, e);
	}
}
