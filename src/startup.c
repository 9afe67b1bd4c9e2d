/*
 * The banner and the pid file, with swatchdog's bytes and texts. Used by
 * one-pass and follow mode alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "opts.h"
#include "out.h"
#include "startup.h"
#include "util.h"

#define SWATCHDOG_VERSION	"3.2.4"

void
startup_banner(const struct opts *o)
{
	char date[128];
	struct tm tm;
	time_t now = time(NULL);
	struct buf b = { 0 };

	/* /bin/date's format in the C locale */
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Z %Y", &tm) == 0)
		date[0] = '\0';
	buf_addf(&b, "\n*** %s version %s (pid:%ld) started at %s\n\n",
	    o->name, o->as_swatchdog ? SWATCHDOG_VERSION : WATCHFOR_VERSION,
	    (long)getpid(), date);
	out_write(b.data, b.len);
	out_flush();
	buf_free(&b);
}

/*
 * The name swatchdog's watcher gives itself in this message is its
 * script file; invoked as swatchdog we say the same, so that scripts
 * matching the message keep working, and our own name otherwise.
 */
void
startup_pid_file(const struct opts *o)
{
	char text[32], name[64];
	int fd, n;

	if (o->pid_file == NULL)
		return;
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	/* a symbolic link planted at the name is not followed (ELOOP) */
	fd = open(o->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd != -1 && write(fd, text, (size_t)n) == n) {
		close(fd);
		return;
	}
	if (o->as_swatchdog)
		(void)snprintf(name, sizeof(name), ".swatchdog_script.%ld",
		    (long)getpid());
	else
		(void)snprintf(name, sizeof(name), "%s", o->name);
	log_raw("%s: cannot write pid file named %s: %s\n", name, o->pid_file,
	    errno == ELOOP ? "it is a symbolic link, not followed" :
	    strerror(errno));
	if (fd != -1)
		close(fd);
}
