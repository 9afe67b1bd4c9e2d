#ifndef WATCHFOR_INSTANCE_H
#define WATCHFOR_INSTANCE_H

#include <stdbool.h>

/*
 * A loaded, runnable config: the parsed rules with their actions compiled
 * and an engine over them. A reload builds a new instance and swaps it in
 * only when it loaded cleanly.
 */

struct config;
struct diag;
struct engine;
struct opts;

struct instance {
	struct config	*cfg;
	struct engine	*engine;
};

/*
 * Loads `path` with the options of `o`; problems go to `d` in its voice.
 * Returns NULL when the config cannot run (the status is diag_status()).
 */
struct instance	*instance_load(const struct opts *o, const char *path,
		    struct diag *d);
void		 instance_free(struct instance *);

#endif
