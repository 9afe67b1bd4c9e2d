#ifndef WATCHFOR_FOLLOW_H
#define WATCHFOR_FOLLOW_H

/*
 * Follow mode: the daemon. One event loop follows the configured files
 * (or a pipe on standard input), hands every line to the engine, and
 * handles signals: TERM/INT/QUIT stop, HUP reloads the config, USR1 logs
 * the counters; --restart-time reloads like HUP.
 */

struct instance;
struct opts;

/*
 * Runs until stopped; takes ownership of `in`, loaded from `path`.
 * Returns the exit status.
 */
int	follow_run(const struct opts *o, const char *path, struct instance *in);

#endif
