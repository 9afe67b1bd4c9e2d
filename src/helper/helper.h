#ifndef WATCHFOR_HELPER_H
#define WATCHFOR_HELPER_H

/*
 * What the delivery helpers (watchfor-smtp, watchfor-http) share: they
 * hold a secret (a password, a bearer token) and must never outlive the
 * outbox's attempt timeout.
 */

/* No core dump; not dumpable (no ptrace, no /proc/PID/mem by others). */
void	helper_harden(void);
/*
 * Arms a deadline of `secs` seconds for the rest of the run: when it
 * expires "PROG: timed out after SECSs" goes to stderr and the process
 * exits with `status` (the message is formatted now: the handler only
 * calls async-signal-safe functions).
 */
void	helper_arm_deadline(const char *prog, unsigned secs, int status);

#endif
