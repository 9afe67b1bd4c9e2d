#ifndef WATCHFOR_KEYTAB_H
#define WATCHFOR_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A table from byte-string keys to fixed-size records, bounded: past
 * `max_keys` keys or KEYTAB_MAX_BYTES bytes of keys the least recently
 * used key is dropped, so log text that makes up millions of distinct
 * (or very long) keys cannot grow memory without limit. Dropping is
 * logged the first time and at the 10th, 100th, ... drop.
 */

#define KEYTAB_MAX_BYTES	(64u << 20)	/* sum of the key lengths */

struct keytab;

/* Records are `recsize` bytes, zeroed when created. */
struct keytab	*keytab_new(size_t recsize, size_t max_keys);
void		 keytab_free(struct keytab *);

/*
 * Returns the record for `key` (`len` bytes), creating it (zeroed) when
 * absent and setting *created accordingly. The record is marked most
 * recently used. The pointer is valid until the next keytab_get.
 */
void		*keytab_get(struct keytab *, const char *key, size_t len,
		    bool *created);
/* Returns the record for `key` or NULL, without creating or touching it. */
void		*keytab_find(struct keytab *, const char *key, size_t len);
size_t		 keytab_count(const struct keytab *);
/* Keys dropped so far because the table was full. */
unsigned long long keytab_evicted(const struct keytab *);


/* Called with each record just before it is freed (evicted, removed). */
typedef void	 keytab_drop_cb(void *rec, void *arg);
void		 keytab_set_drop(struct keytab *, keytab_drop_cb *, void *arg);
/* The key of a record returned by keytab_get (*len bytes, NUL after). */
const char	*keytab_rec_key(const void *rec, size_t *len);
/*
 * Calls `cb` for every record, least recently used first, without
 * touching the order; a record for which it returns true is removed.
 */
typedef bool	 keytab_walk_cb(const char *key, size_t len, void *rec,
		    void *arg);
void		 keytab_walk(struct keytab *, keytab_walk_cb *, void *arg);

#endif
