#ifndef WATCHFOR_DRYRUN_H
#define WATCHFOR_DRYRUN_H

/*
 * --test FILE: replays a log through the rules and shows, for each line
 * that hits, the rule, the captures and what every action would do
 * (throttles simulated with the log's own timestamps), then a summary per
 * rule. Runs nothing, sends nothing, touches no state. With --verbose it
 * also lists the lines no rule matched.
 */

struct opts;

/* Returns the exit status: 0, 1 for a config that does not load, 2 for
 * a test file that cannot be read. */
int	dryrun_run(const struct opts *o, const char *config_path);

#endif
