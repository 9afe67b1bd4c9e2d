#ifndef WATCHFOR_DIAG_H
#define WATCHFOR_DIAG_H

#include <stdbool.h>

/*
 * Config diagnostics, in two voices. A normal run speaks like swatchdog:
 * its warnings are printed as they happen and its first fatal error ends
 * the parse with swatchdog's text and exit status. Under --check every
 * problem is collected and printed as "file:line:col: message".
 */
enum diag_kind {
	DIAG_SW_WARN,	/* swatchdog warns and goes on */
	DIAG_SW_FATAL,	/* swatchdog stops with its own text and status */
	DIAG_ERROR,	/* watchfor's own error: the config cannot run */
	DIAG_WARN,	/* a quirk that probably surprises; --check only */
};

struct diag;

/* check: collect and print in watchfor's voice; else swatchdog's voice. */
struct diag	*diag_new(bool check);
/* Prints what --check collected, sorted by file, line and column. */
void		 diag_flush(struct diag *);
/* Flushes, then frees. diag_free(NULL) is a no-op. */
void		 diag_free(struct diag *);
bool		 diag_check_mode(const struct diag *);

/*
 * Reports one problem. `file`, `line` (1-based) and `col` (1-based, 0 if
 * unknown) locate it. `swtext` is swatchdog's exact message line for the
 * SW kinds (without the trailing newline; NULL for the others) and
 * `status` its exit status for DIAG_SW_FATAL. `fmt` is watchfor's message.
 * In swatchdog's voice a DIAG_ERROR prints "<name>: file:line:col: msg"
 * and stops the parse with status 2; a DIAG_WARN prints nothing.
 */
void	diag_report(struct diag *, enum diag_kind, const char *file,
	    unsigned line, unsigned col, const char *swtext, int status,
	    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* True once an error ended the parse (swatchdog's voice only). */
bool	diag_stopped(const struct diag *);
/* Counts of errors (fatal, SW_FATAL) and warnings reported so far. */
unsigned diag_errors(const struct diag *);
unsigned diag_warnings(const struct diag *);
/* Exit status of the first fatal problem, 0 if none. */
int	diag_status(const struct diag *);

#endif
