#ifndef WATCHFOR_ACTION_H
#define WATCHFOR_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

/*
 * Runs a rule's actions (spec section 10). actions_prepare() compiles
 * every action value of a loaded config once (templates, echo modes, bell
 * counts); action_run() then never parses anything.
 */

struct action;
struct config;
struct diag;
struct executor;
struct loop;
struct rule;
struct subst_ctx;

struct action_params {
	bool	awk_field_syntax;	/* --awk-field-syntax */
	bool	colors_disabled;	/* NO_COLOR / ANSI_COLORS_DISABLED */
};

/*
 * Compiles the actions of every rule of `cfg`; problems go to `diag` in
 * its voice. Returns 0, or -1 when the config cannot run.
 */
int	actions_prepare(struct config *, const struct action_params *,
	    struct diag *);
/* Frees what actions_prepare() attached; called before config_free(). */
void	actions_release(struct config *);
/*
 * Runs the commands of exec, pipe, write and mail on `ex` (follow mode's
 * asynchronous executor) from now on; NULL: synchronously, in order (the
 * default). `ex` stays the caller's.
 */
void	actions_set_executor(struct executor *ex);
/*
 * --test: echo and bell say what they would print, the gates say when
 * they hold a line back, and commands go to a describing executor
 * (executor_new_describe). `now`, when not 0, is the time the gates use
 * (the line's own timestamp); else the clock.
 */
void	actions_set_dryrun(bool on);
void	actions_set_now(time_t now);

/*
 * Counters since start (not reset by a reload), for the stats file: the
 * actions run by kind (indexed by enum action_kind, ACT_BELL to
 * ACT_WRITE; continue and quit are not counted), and the matches a gate
 * held back. --test counts nothing.
 */
struct actions_stats {
	unsigned long long	 run[ACT_UNKNOWN];
	unsigned long long	 throttled;	/* held back by a throttle */
	unsigned long long	 threshold_held; /* held back by a threshold */
};
void	actions_get_stats(struct actions_stats *);
/*
 * Throttle digests ("#% throttle-digest"): in follow mode one timer on
 * `lp` closes each open digest when its window ends (NULL: none; one-pass
 * mode closes them as lines come and at the end). actions_flush_digests
 * closes every open one now (stop); releasing the running config does too.
 */
void	actions_set_loop(struct loop *lp);
void	actions_flush_digests(void);
/*
 * A reload: throttle records and open digests of rules whose text did not
 * change carry over to `new` (now running); those of other rules are
 * dropped, their digests closed first with the old rules' actions. Call
 * after `new` is prepared and before `old` is released.
 */
void	actions_reload(struct config *old, struct config *new);
/*
 * The state directory: actions_state_open restores DIR/BASE.throttle
 * (records) and DIR/BASE.digests (open digests, the mail cap's pending
 * one; call after mail_set_cap) for rules whose text is unchanged; a
 * corrupt or foreign file is reported and ignored. actions_state_commit
 * writes the digests when they changed and the records at most every 30
 * s (all of it with `final`); call it before each commit of read
 * positions, so no folded line is behind a saved position without its
 * digest on disk. It returns -1 when the digests could not be written
 * (disk full, say; logged once per failure run): the positions must not
 * be saved then. actions_state_close saves all and forgets the paths.
 */
void	actions_state_open(const char *dir, const char *base);
int	actions_state_commit(bool final);
void	actions_state_close(void);

/* Frees the throttle and threshold state kept across configs. */
void	actions_shutdown(void);

/* What became of a matched record. */
enum action_status {
	ACTION_DONE,		/* actions ran, or were held back */
	ACTION_DIE,		/* swatchdog's watcher would die here: stop */
};

/*
 * Runs rule `r` for the matched record in `ctx`: its threshold and
 * throttle gates, then its actions in written order (spec 5, 10).
 */
enum action_status actions_run(struct rule *r, const struct subst_ctx *ctx);

#endif
