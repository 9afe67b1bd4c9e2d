#ifndef WATCHFOR_ACTION_H
#define WATCHFOR_ACTION_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Runs a rule's actions (spec section 10). actions_prepare() compiles
 * every action value of a loaded config once (templates, echo modes, bell
 * counts); action_run() then never parses anything.
 */

struct action;
struct config;
struct diag;
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
 * Runs the actions of `r` for the matched record in `ctx`, in written
 * order; `msg` is the default MESSAGE (the record, or a throttle result).
 */
void	actions_run(struct rule *r, const struct subst_ctx *ctx,
	    const char *msg, size_t msglen);

#endif
