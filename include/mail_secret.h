#ifndef WATCHFOR_MAIL_SECRET_H
#define WATCHFOR_MAIL_SECRET_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * The one rule for a file that holds a secret (smtp-password-file, a
 * webhook's bearer-file), shared by the daemon's --check and config load
 * (stat(2), which follows symbolic links) and the delivery helpers
 * (fstat(2) of the file they opened, following links too, so that a
 * Kubernetes secret mount, a link to a 0600 file, works). Header-only:
 * watchfor-http links nothing of the daemon.
 */

/*
 * Why the file `st` describes may not hold a secret, or NULL when it may:
 * "is not a regular file", or "can be read or written by group or
 * others" (any of mode 077). Pure.
 */
static inline const char *
mail_secret_refusal(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if ((st->st_mode & 077) != 0)
		return "can be read or written by group or others";
	return NULL;
}

#endif
