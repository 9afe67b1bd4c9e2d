#ifndef WATCHFOR_ENGINE_H
#define WATCHFOR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The engine carries one record through the rules (first match wins,
 * continue, quit, ignore, waitfor: spec section 5) to the actions. It
 * knows nothing of where records come from.
 */

struct config;
struct engine;

/* Borrows `cfg`, which must have been prepared by actions_prepare(). */
struct engine	*engine_new(struct config *cfg);
void		 engine_free(struct engine *);

/*
 * Evaluates one record (`len` bytes, the separator already removed).
 * Returns false when a `quit` rule fired: the caller stops reading.
 */
bool		 engine_record(struct engine *, const char *rec, size_t len);

struct match;

/*
 * Called for every rule that matches a record, before its actions run
 * (--test shows what matched): the rule's index and the captures.
 */
typedef void engine_hit_cb(size_t rule, const struct match *m, void *arg);
void		 engine_set_observer(struct engine *, engine_hit_cb *, void *arg);

/*
 * Silent rules (a watchfor rule with a "#% silent" directive, silent.h)
 * are dead-man switches: their matches are counted and passed to `cb`
 * (follow mode's silence clocks), their actions are not run, and the
 * record goes on to the next rule as after `continue`. Without a hook
 * (one-pass mode) a silent rule only counts its matches.
 */
typedef void engine_silent_cb(size_t rule, void *arg);
void		 engine_set_silent_hook(struct engine *, engine_silent_cb *,
		    void *arg);
/* True when rule `rule` has a "#% silent" directive. */
bool		 engine_rule_silent(const struct engine *, size_t rule);

/* Counters for USR1 and stats. */
unsigned long long engine_records(const struct engine *);
unsigned long long engine_rule_hits(const struct engine *, size_t rule);

#endif
