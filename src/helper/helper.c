/*
 * The delivery helpers' common start-up (helper.h): hardening and the
 * whole run's deadline. Linked into watchfor-smtp and watchfor-http only;
 * what each helper delivers is its own.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "helper.h"

static char alarm_msg[128];	/* formatted before the alarm is armed */
static size_t alarm_len;
static int alarm_status;

void
helper_harden(void)
{
	struct rlimit rl = { 0, 0 };

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
}

static void
on_alarm(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, alarm_msg, alarm_len);
	_exit(alarm_status);
}

void
helper_arm_deadline(const char *prog, unsigned secs, int status)
{
	int n;

	n = snprintf(alarm_msg, sizeof(alarm_msg), "%s: timed out after "
	    "%us\n", prog, secs);
	alarm_len = n > 0 ? ((size_t)n < sizeof(alarm_msg) ? (size_t)n :
	    sizeof(alarm_msg) - 1) : 0;
	alarm_status = status;
	(void)signal(SIGALRM, on_alarm);
	(void)alarm(secs);
}
