/*
 * Config diagnostics in swatchdog's voice (printed at once, first fatal
 * error stops the parse) or watchfor's (--check: "file:line:col: msg",
 * everything collected). The parser decides what a problem is; this
 * module only decides how it is said.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "log.h"
#include "util.h"

/* A --check message waiting to be printed in file and line order. */
struct diag_msg {
	size_t		 file;		/* index in order of first report */
	unsigned	 line;
	unsigned	 col;
	size_t		 seq;		/* report order, for a stable sort */
	char		*text;		/* the whole line to print */
};

struct diag {
	bool		 check;
	bool		 stopped;
	int		 status;
	unsigned	 errors;
	unsigned	 warnings;
	struct diag_msg	*msgs;
	size_t		 nmsgs;
	char		**files;
	size_t		 nfiles;
};

struct diag *
diag_new(bool check)
{
	struct diag *d;

	d = xcalloc(1, sizeof(*d));
	d->check = check;
	return d;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	/* a message about the whole file (line 0) comes after the others */
	if (x->line != y->line)
		return x->line - 1U < y->line - 1U ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
diag_flush(struct diag *d)
{
	size_t i;

	if (d->nmsgs == 0)
		return;
	qsort(d->msgs, d->nmsgs, sizeof(*d->msgs), msg_cmp);
	for (i = 0; i < d->nmsgs; i++) {
		log_raw("%s", d->msgs[i].text);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	d->msgs = NULL;
	d->nmsgs = 0;
}

void
diag_free(struct diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	diag_flush(d);
	for (i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	free(d);
}

static size_t
file_index(struct diag *d, const char *file)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i], file) == 0)
			return i;
	d->files = xreallocarray(d->files, d->nfiles + 1, sizeof(*d->files));
	d->files[d->nfiles] = xstrdup(file);
	return d->nfiles++;
}

/* Keeps a --check message; they are printed sorted by diag_flush. */
static void
keep_located(struct diag *d, const char *file, unsigned line, unsigned col,
    const char *what, const char *msg)
{
	struct diag_msg *m;

	d->msgs = xreallocarray(d->msgs, d->nmsgs + 1, sizeof(*d->msgs));
	m = &d->msgs[d->nmsgs];
	m->file = file_index(d, file);
	m->line = line;
	m->col = col;
	m->seq = d->nmsgs++;
	if (col > 0)
		m->text = xasprintf("%s:%u:%u: %s%s\n", file, line, col, what,
		    msg);
	else if (line > 0)
		m->text = xasprintf("%s:%u: %s%s\n", file, line, what, msg);
	else
		m->text = xasprintf("%s: %s%s\n", file, what, msg);
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
		keep_located(d, file, line, col, error ? "" : "warning: ", msg);
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
