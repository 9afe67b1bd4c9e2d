/*
 * Logging: stderr in the foreground, syslog for a daemon. Keeps errno, and
 * flushes buffered action output first so that stdout and stderr keep the
 * order in which things happened.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *progname = "watchfor";
static bool to_syslog;
static bool debug_on;
static void (*preflush)(void);

void
log_init(const char *name, bool use_syslog)
{
	progname = name;
	to_syslog = use_syslog;
	if (to_syslog)
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

const char *
log_name(void)
{
	return progname;
}

void
log_set_debug(bool on)
{
	debug_on = on;
}

void
log_set_preflush(void (*fn)(void))
{
	preflush = fn;
}

static void
vlog(int prio, bool with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[4096];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (to_syslog) {
		if (with_errno)
			syslog(prio, "%s: %s", msg, strerror(saved));
		else
			syslog(prio, "%s", msg);
	} else {
		if (preflush != NULL)
			preflush();
		if (with_errno)
			fprintf(stderr, "%s: %s: %s\n", progname, msg,
			    strerror(saved));
		else
			fprintf(stderr, "%s: %s\n", progname, msg);
		fflush(stderr);
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, true, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, false, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, false, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, false, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, true, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, false, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_raw(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (preflush != NULL)
		preflush();
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	errno = saved;
}
