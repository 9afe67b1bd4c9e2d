#ifndef WATCHFOR_STARTUP_H
#define WATCHFOR_STARTUP_H

/*
 * What swatchdog's watcher does when it starts (spec 2, 11.4): the
 * banner on stdout and the pid file.
 */

struct opts;

/* Empty line, "*** NAME version V (pid:N) started at DATE", empty line. */
void	startup_banner(const struct opts *);
/* --pid-file: our pid and a newline; a failure is swatchdog's warning. */
void	startup_pid_file(const struct opts *);

#endif
