#ifndef WATCHFOR_SPAWN_H
#define WATCHFOR_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Starting a command line the way Perl's exec/piped open does (spec 9.1):
 * through `/bin/sh -c` when the text has shell syntax, else split on
 * whitespace and run directly with a PATH search.
 */

/* True when Perl would hand `cmd` to /bin/sh -c. */
bool	spawn_needs_shell(const char *cmd);

/*
 * Forks and runs `cmd` with `in` as its stdin and `out` as its stdout (-1:
 * inherit), every other descriptor beyond 2 closed. A direct exec that
 * fails is reported back through a close-on-exec pipe: then -1 is
 * returned with errno set, as Perl's open() does. Returns the pid.
 */
pid_t	spawn_cmd(const char *cmd, int in, int out);

/* The same, the command leading a process group of its own. */
pid_t	spawn_cmd_group(const char *cmd, int in, int out);

/*
 * Runs argv in a child the same way (stdin, stdout as above) and returns
 * its pid, or -1 with errno set when the program cannot be executed.
 */
pid_t	spawn_argv(char *const argv[], int in, int out);

/*
 * In the parent after fork: reads the close-on-exec pipe `errfd` (closed
 * here) on which a child that could not exec wrote its errno. Returns
 * `pid` once the child exec'd, or -1 with that errno (the child reaped).
 */
pid_t	spawn_await_exec(pid_t pid, int errfd);

/* Waits for `pid`; returns its wait status, or -1. Retries on EINTR. */
int	spawn_wait(pid_t pid);

#endif
