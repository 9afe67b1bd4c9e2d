/*
 * Helpers shared by the fuzz targets: silencing the project's logs, a
 * private scratch directory, and fuzz_fail(). Nothing here knows watchfor.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static FILE *real_stderr;
static char tmpdir[4096];

void
fuzz_quiet(void)
{
	FILE *null;

	if (real_stderr != NULL)
		return;
	real_stderr = stderr;
	if (getenv("WATCHFOR_FUZZ_VERBOSE") != NULL)
		return;
	if ((null = fopen("/dev/null", "we")) == NULL)
		return;
	/* log.c reads the stream each time: only it is redirected. */
	stderr = null;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

static void
rm_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		(void)nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_tmpdir(void)
{
	const char *base;

	if (tmpdir[0] != '\0')
		return tmpdir;
	/* /dev/shm first: the state target fsyncs on every input. */
	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/watchfor-fuzz.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(rm_tmpdir);
	return tmpdir;
}

void
fuzz_write_file(const char *path, const void *p, size_t n)
{
	const char *c = p;
	ssize_t k;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		perror(path);
		abort();
	}
	while (n > 0) {
		if ((k = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			perror(path);
			abort();
		}
		c += k;
		n -= (size_t)k;
	}
	close(fd);
}

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	FILE *out = real_stderr != NULL ? real_stderr : stderr;
	va_list ap;

	fprintf(out, "\n%s:%d: invariant broken: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	abort();
}
