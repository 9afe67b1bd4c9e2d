#ifndef WATCHFOR_ACTION_PRIV_H
#define WATCHFOR_ACTION_PRIV_H

/*
 * Between action.c (rules and their actions) and action_digest.c (the
 * throttle digests' timer, reloads and state files). Not for others.
 */

#include <stdint.h>
#include <time.h>

struct config;
struct rule;
struct throttle;
struct throttle_digest;

/* The throttle table shared by every rule (NULL before any config). */
struct throttle	*action_throttles(void);
/* The config whose rules run closed digests; set by a reload. */
struct config	*action_config(void);
void		 action_set_config(struct config *);
/* The hash of the text of prepared rule `r` (0: not prepared). */
uint64_t	 action_rule_owner(const struct rule *r);
/* The clock of the gates (--test: the line's time). */
time_t		 action_now(void);
/*
 * Runs the actions of `r` for the closed digest `td`: $0 and the message
 * are the one-line summary, a mail gets the digest subject and body, and
 * exec and pipe commands get WATCHFOR_DIGEST_COUNT, _FIRST, _LAST, _RULE
 * and _KEY. message=, thresholding=, continue and quit do not apply.
 */
void		 action_run_digest(struct rule *r,
		    const struct throttle_digest *td);

/* Closes the digests due now (action_digest.c). */
void		 action_digest_tick(void);
/* Follow mode: (re)arms the one timer for the earliest open digest. */
void		 action_digest_arm(void);

#endif
