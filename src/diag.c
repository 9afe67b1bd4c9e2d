/*
 * Config diagnostics in swatchdog's voice (printed at once, first fatal
 * error stops the parse) or watchfor's (--check: "file:line:col: msg",
 * everything collected). The parser decides what a problem is; this
 * module only decides how it is said.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "log.h"
#include "util.h"

struct diag {
	bool		 check;
	bool		 stopped;
	int		 status;
	unsigned	 errors;
	unsigned	 warnings;
};

struct diag *
diag_new(bool check)
{
	struct diag *d;

	d = xcalloc(1, sizeof(*d));
	d->check = check;
	return d;
}

void
diag_free(struct diag *d)
{
	free(d);
}

bool
diag_check_mode(const struct diag *d)
{
	return d->check;
}

static void
print_located(const char *file, unsigned line, unsigned col,
    const char *what, const char *msg)
{
	if (col > 0)
		log_raw("%s:%u:%u: %s%s\n", file, line, col, what, msg);
	else if (line > 0)
		log_raw("%s:%u: %s%s\n", file, line, what, msg);
	else
		log_raw("%s: %s%s\n", file, what, msg);
}

void
diag_report(struct diag *d, enum diag_kind kind, const char *file,
    unsigned line, unsigned col, const char *swtext, int status,
    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	bool error;

	if (d->stopped)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error = kind == DIAG_SW_FATAL || kind == DIAG_ERROR;
	if (error)
		d->errors++;
	else
		d->warnings++;

	if (d->check) {
		print_located(file, line, col, error ? "" : "warning: ", msg);
		if (error && d->status == 0)
			d->status = 1;
		return;
	}
	switch (kind) {
	case DIAG_SW_WARN:
		log_raw("%s\n", swtext);
		break;
	case DIAG_SW_FATAL:
		log_raw("%s\n", swtext);
		d->status = status;
		d->stopped = true;
		break;
	case DIAG_ERROR:
		log_raw("%s: ", log_name());
		print_located(file, line, col, "", msg);
		d->status = 2;
		d->stopped = true;
		break;
	case DIAG_WARN:
		break;
	default:
		fatalx("diag: unknown kind %d", (int)kind);
	}
}

bool
diag_stopped(const struct diag *d)
{
	return d->stopped;
}

unsigned
diag_errors(const struct diag *d)
{
	return d->errors;
}

unsigned
diag_warnings(const struct diag *d)
{
	return d->warnings;
}

int
diag_status(const struct diag *d)
{
	return d->status;
}
