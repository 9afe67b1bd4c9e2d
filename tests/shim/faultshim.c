/*
 * faultshim: an LD_PRELOAD library for the fault tests
 * (tests/integration/t_fault_*.sh). It makes chosen system calls of the
 * process it is preloaded into fail, as a full disk, a missing inotify or
 * an exhausted file table would, without touching the machine's settings.
 * Controlled by the environment, read once at load:
 *
 *	FAULT_ENOSPC_PATH=PREFIX	write, pwrite, fsync, fdatasync on a
 *					file under PREFIX, and rename,
 *					renameat, mkdir, open(O_CREAT) of a
 *					new path under PREFIX fail with
 *					ENOSPC
 *	FAULT_ENOSPC_CTL=FILE		... only while FILE exists
 *	FAULT_NO_INOTIFY=1|ENOSYS	inotify_init1 and inotify_init fail
 *					with EMFILE (1) or ENOSYS
 *	FAULT_EMFILE_AFTER=N		after N more successful calls, calls
 *					that make a file descriptor (open,
 *					openat, socket, pipe, pipe2, dup,
 *					epoll_create1, timerfd_create,
 *					signalfd) fail with EMFILE and
 *					inotify_add_watch with ENOSPC
 *	FAULT_EMFILE_CTL=FILE		... only while FILE exists (with
 *					FAULT_EMFILE_AFTER: both must hold)
 *	FAULT_LOG=FILE			each injected fault appends a line
 *
 *	FAULT_EXE=NAME			the program to act in (default
 *					watchfor): other programs that load
 *					the library (timeout, env, a shell)
 *					are left alone and keep the variables
 *
 * Only the program named by FAULT_EXE is affected, and in it only the
 * process that loaded the library: a forked child is left alone (getpid
 * differs); the variables and LD_PRELOAD are removed from its
 * environment at load, so that the programs it runs do not inherit the
 * shim. Relative paths are resolved against the
 * cwd at the time of the call. Test-only code: not installed.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pid_t	 owner;
static char	*enospc_path;
static size_t	 enospc_len;
static char	*enospc_ctl;
static int	 no_inotify;		/* errno to fail with, or 0 */
static long	 emfile_after = -1;	/* -1: not set */
static char	*emfile_ctl;
static char	*fault_log;

#define DEFINE_REAL(ret, name, ...)					\
	static ret (*real_##name)(__VA_ARGS__);				\
	static ret (*get_##name(void))(__VA_ARGS__)			\
	{								\
		if (real_##name == NULL)				\
			real_##name = (ret (*)(__VA_ARGS__))		\
			    dlsym(RTLD_NEXT, #name);			\
		return real_##name;					\
	}

/* Interposed names that no included header declares. */
int	__open_2(const char *, int);
int	__open64_2(const char *, int);
int	__openat_2(int, const char *, int);
int	__openat64_2(int, const char *, int);
int	epoll_create1(int);
int	timerfd_create(int, int);
int	signalfd(int, const void *, int);

DEFINE_REAL(ssize_t, write, int, const void *, size_t)
DEFINE_REAL(ssize_t, pwrite, int, const void *, size_t, off_t)
DEFINE_REAL(int, fsync, int)
DEFINE_REAL(int, fdatasync, int)
DEFINE_REAL(int, rename, const char *, const char *)
DEFINE_REAL(int, renameat, int, const char *, int, const char *)
DEFINE_REAL(int, mkdir, const char *, mode_t)
DEFINE_REAL(int, open, const char *, int, ...)
DEFINE_REAL(int, open64, const char *, int, ...)
DEFINE_REAL(int, __open_2, const char *, int)
DEFINE_REAL(int, __open64_2, const char *, int)
DEFINE_REAL(int, openat, int, const char *, int, ...)
DEFINE_REAL(int, openat64, int, const char *, int, ...)
DEFINE_REAL(int, __openat_2, int, const char *, int)
DEFINE_REAL(int, __openat64_2, int, const char *, int)
DEFINE_REAL(int, socket, int, int, int)
DEFINE_REAL(int, pipe, int *)
DEFINE_REAL(int, pipe2, int *, int)
DEFINE_REAL(int, dup, int)
DEFINE_REAL(int, epoll_create1, int)
DEFINE_REAL(int, timerfd_create, int, int)
DEFINE_REAL(int, signalfd, int, const void *, int)
DEFINE_REAL(int, inotify_init, void)
DEFINE_REAL(int, inotify_init1, int)
DEFINE_REAL(int, inotify_add_watch, int, const char *, uint32_t)

/* The real open, for the fault log: a fault there would recurse. */
static int
open_append(const char *path)
{
	return get_open()(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644);
}

static char *
env_take(const char *name)
{
	const char *v = getenv(name);
	char *copy = NULL;

	if (v != NULL && *v != '\0')
		copy = strdup(v);
	unsetenv(name);
	return copy;
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *want = getenv("FAULT_EXE");
	char exe[PATH_MAX], *v;
	ssize_t n;

	if (want == NULL || *want == '\0')
		want = "watchfor";
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1)
		return;
	exe[n] = '\0';
	v = strrchr(exe, '/');
	if (strcmp(v ? v + 1 : exe, want) != 0)
		return;
	owner = getpid();
	unsetenv("FAULT_EXE");
	if ((enospc_path = env_take("FAULT_ENOSPC_PATH")) != NULL)
		enospc_len = strlen(enospc_path);
	enospc_ctl = env_take("FAULT_ENOSPC_CTL");
	if ((v = env_take("FAULT_NO_INOTIFY")) != NULL) {
		no_inotify = strcmp(v, "ENOSYS") == 0 ? ENOSYS : EMFILE;
		free(v);
	}
	if ((v = env_take("FAULT_EMFILE_AFTER")) != NULL) {
		emfile_after = strtol(v, NULL, 10);
		free(v);
	}
	emfile_ctl = env_take("FAULT_EMFILE_CTL");
	fault_log = env_take("FAULT_LOG");
	unsetenv("LD_PRELOAD");
}

static bool
mine(void)
{
	return owner != 0 && getpid() == owner;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
note(const char *call, const char *what, int err)
{
	char line[PATH_MAX + 64];
	int fd, n;

	if (fault_log == NULL)
		return;
	n = snprintf(line, sizeof(line), "%s %s %s\n", call,
	    what ? what : "-", strerror(err));
	if ((fd = open_append(fault_log)) == -1)
		return;
	if (n > (int)sizeof(line))
		n = (int)sizeof(line);
	(void)!get_write()(fd, line, (size_t)n);
	close(fd);
}

/* ---- ENOSPC ---- */

static bool
enospc_on(void)
{
	return enospc_path != NULL && mine() &&
	    (enospc_ctl == NULL || exists(enospc_ctl));
}

static bool
under_prefix(const char *path)
{
	char abs[PATH_MAX];

	if (path == NULL)
		return false;
	if (path[0] != '/') {
		if (getcwd(abs, sizeof(abs)) == NULL)
			return false;
		if (strlen(abs) + 1 + strlen(path) + 1 > sizeof(abs))
			return false;
		strcat(abs, "/");
		strcat(abs, path);
		path = abs;
	}
	return strncmp(path, enospc_path, enospc_len) == 0;
}

static bool
fd_under_prefix(int fd, char *name, size_t size)
{
	char link[64];
	ssize_t n;

	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, name, size - 1)) == -1)
		return false;
	name[n] = '\0';
	return strncmp(name, enospc_path, enospc_len) == 0;
}

static bool
fd_full(int fd, const char *call)
{
	char name[PATH_MAX];

	if (!enospc_on() || !fd_under_prefix(fd, name, sizeof(name)))
		return false;
	note(call, name, ENOSPC);
	errno = ENOSPC;
	return true;
}

static bool
path_full(const char *path, const char *call)
{
	if (!enospc_on() || !under_prefix(path))
		return false;
	note(call, path, ENOSPC);
	errno = ENOSPC;
	return true;
}

/* ---- EMFILE ---- */

static bool
emfile(const char *call, int err)
{
	if (!mine() || (emfile_after < 0 && emfile_ctl == NULL))
		return false;
	if (emfile_ctl != NULL && !exists(emfile_ctl))
		return false;
	if (emfile_after > 0) {
		emfile_after--;
		return false;
	}
	note(call, NULL, err);
	errno = err;
	return true;
}

/* ---- the interposed calls ---- */

ssize_t
write(int fd, const void *p, size_t n)
{
	if (fd > 2 && fd_full(fd, "write"))
		return -1;
	return get_write()(fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	if (fd > 2 && fd_full(fd, "pwrite"))
		return -1;
	return get_pwrite()(fd, p, n, off);
}

int
fsync(int fd)
{
	if (fd_full(fd, "fsync"))
		return -1;
	return get_fsync()(fd);
}

int
fdatasync(int fd)
{
	if (fd_full(fd, "fdatasync"))
		return -1;
	return get_fdatasync()(fd);
}

int
rename(const char *from, const char *to)
{
	if (path_full(to, "rename"))
		return -1;
	return get_rename()(from, to);
}

int
renameat(int dfrom, const char *from, int dto, const char *to)
{
	char name[PATH_MAX];

	if (enospc_on() && (to[0] == '/' ? under_prefix(to) :
	    dto == AT_FDCWD ? under_prefix(to) :
	    fd_under_prefix(dto, name, sizeof(name)))) {
		note("renameat", to, ENOSPC);
		errno = ENOSPC;
		return -1;
	}
	return get_renameat()(dfrom, from, dto, to);
}

int
mkdir(const char *path, mode_t mode)
{
	/* an existing name gives EEXIST even on a full disk */
	if (!exists(path) && path_full(path, "mkdir"))
		return -1;
	return get_mkdir()(path, mode);
}

static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

/* Shared checks of the open family; true when the call must fail. */
static bool
open_fails(int dirfd, const char *path, int flags, const char *call)
{
	char name[PATH_MAX];

	/* creating a file needs space; opening an existing one does not */
	if ((flags & O_CREAT) && enospc_on() && faccessat(dirfd, path,
	    F_OK, 0) == -1 &&
	    (path[0] == '/' || dirfd == AT_FDCWD ? under_prefix(path) :
	    fd_under_prefix(dirfd, name, sizeof(name)))) {
		note(call, path, ENOSPC);
		errno = ENOSPC;
		return true;
	}
	return emfile(call, EMFILE);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (open_fails(AT_FDCWD, path, flags, "open"))
		return -1;
	return get_open()(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (open_fails(AT_FDCWD, path, flags, "open64"))
		return -1;
	return get_open64()(path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
	if (open_fails(AT_FDCWD, path, flags, "__open_2"))
		return -1;
	return get___open_2()(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	if (open_fails(AT_FDCWD, path, flags, "__open64_2"))
		return -1;
	return get___open64_2()(path, flags);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (open_fails(dirfd, path, flags, "openat"))
		return -1;
	return get_openat()(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (open_fails(dirfd, path, flags, "openat64"))
		return -1;
	return get_openat64()(dirfd, path, flags, mode);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	if (open_fails(dirfd, path, flags, "__openat_2"))
		return -1;
	return get___openat_2()(dirfd, path, flags);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	if (open_fails(dirfd, path, flags, "__openat64_2"))
		return -1;
	return get___openat64_2()(dirfd, path, flags);
}

int
socket(int domain, int type, int proto)
{
	if (emfile("socket", EMFILE))
		return -1;
	return get_socket()(domain, type, proto);
}

int
pipe(int fds[2])
{
	if (emfile("pipe", EMFILE))
		return -1;
	return get_pipe()(fds);
}

int
pipe2(int fds[2], int flags)
{
	if (emfile("pipe2", EMFILE))
		return -1;
	return get_pipe2()(fds, flags);
}

int
dup(int fd)
{
	if (emfile("dup", EMFILE))
		return -1;
	return get_dup()(fd);
}

int
epoll_create1(int flags)
{
	if (emfile("epoll_create1", EMFILE))
		return -1;
	return get_epoll_create1()(flags);
}

int
timerfd_create(int clock, int flags)
{
	if (emfile("timerfd_create", EMFILE))
		return -1;
	return get_timerfd_create()(clock, flags);
}

int
signalfd(int fd, const void *mask, int flags)
{
	if (fd == -1 && emfile("signalfd", EMFILE))
		return -1;
	return get_signalfd()(fd, mask, flags);
}

int
inotify_init(void)
{
	if (no_inotify != 0 && mine()) {
		note("inotify_init", NULL, no_inotify);
		errno = no_inotify;
		return -1;
	}
	if (emfile("inotify_init", EMFILE))
		return -1;
	return get_inotify_init()();
}

int
inotify_init1(int flags)
{
	if (no_inotify != 0 && mine()) {
		note("inotify_init1", NULL, no_inotify);
		errno = no_inotify;
		return -1;
	}
	if (emfile("inotify_init1", EMFILE))
		return -1;
	return get_inotify_init1()(flags);
}

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	if (emfile("inotify_add_watch", ENOSPC))
		return -1;
	return get_inotify_add_watch()(fd, path, mask);
}
