/*
 * Loading a config into something that runs: parse, compile the actions,
 * build the engine. Shared by one-pass mode, follow mode and reloads; it
 * knows nothing of inputs.
 */
#include <stdlib.h>

#include "action.h"
#include "ansi.h"
#include "config.h"
#include "diag.h"
#include "engine.h"
#include "instance.h"
#include "opts.h"
#include "util.h"

struct instance *
instance_load(const struct opts *o, const char *path, struct diag *d)
{
	struct action_params ap = { 0 };
	struct instance *in;
	struct config *cfg;

	if ((cfg = config_load(path, o->old_style, d)) == NULL)
		return NULL;
	ap.awk_field_syntax = o->awk_field_syntax;
	ap.colors_disabled = ansi_env_disabled(getenv("NO_COLOR"),
	    getenv("ANSI_COLORS_DISABLED"));
	if (actions_prepare(cfg, &ap, d) == -1 || diag_errors(d) > 0) {
		actions_release(cfg);
		config_free(cfg);
		return NULL;
	}
	in = xcalloc(1, sizeof(*in));
	in->cfg = cfg;
	in->engine = engine_new(cfg);
	return in;
}

void
instance_free(struct instance *in)
{
	if (in == NULL)
		return;
	engine_free(in->engine);
	actions_release(in->cfg);
	config_free(in->cfg);
	free(in);
}
