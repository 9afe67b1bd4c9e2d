/*
 * Helpers shared by the fuzz targets: silencing the project's logs, a
 * private scratch directory, and fuzz_fail(). Nothing here knows watchfor.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
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

/*
 * libFuzzer's fork mode and crashes end processes without atexit():
 * directories whose owner (named in their "pid" file) is gone are removed.
 */
static void
sweep(const char *base)
{
	char pat[4096], path[4200];
	glob_t g;
	FILE *fp;
	size_t i;
	long pid;

	snprintf(pat, sizeof(pat), "%s/watchfor-fuzz.*", base);
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		snprintf(path, sizeof(path), "%s/pid", g.gl_pathv[i]);
		if ((fp = fopen(path, "re")) == NULL)
			continue;
		if (fscanf(fp, "%ld", &pid) == 1 && pid > 0 &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			(void)nftw(g.gl_pathv[i], rm_one, 16,
			    FTW_DEPTH | FTW_PHYS);
		fclose(fp);
	}
	globfree(&g);
}

const char *
fuzz_tmpdir(void)
{
	const char *base;
	char pid[32], *p;

	if (tmpdir[0] != '\0')
		return tmpdir;
	/* /dev/shm first: the state target fsyncs on every input. */
	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	sweep(base);
	snprintf(tmpdir, sizeof(tmpdir), "%s/watchfor-fuzz.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(rm_tmpdir);
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (asprintf(&p, "%s/pid", tmpdir) == -1)
		abort();
	fuzz_write_file(p, pid, strlen(pid));
	free(p);
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
