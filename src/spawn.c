/*
 * Running command lines as Perl does (doio.c do_exec3): a command with
 * shell metacharacters goes to /bin/sh -c, anything else is split on
 * whitespace and exec'd directly; ENOEXEC falls back to the shell. Exec
 * failures reach the parent through a close-on-exec pipe so that the
 * caller can report them as swatchdog does. Knows nothing of actions.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"
#include "util.h"

#define PERL_SHELL_META	"$&*(){}[]'\";\\|?<>~`\n"

static bool
perl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

static bool
perl_wordchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * Perl's decision. `*cut` is set to the length the command is cut to when
 * it ends in a lone newline or in " 2>&1" (which Perl does with dup2), and
 * `*dup_stderr` when the latter applies.
 */
static bool
perl_decide(const char *cmd, size_t *cut, bool *dup_stderr)
{
	const char *s;

	*cut = strlen(cmd);
	*dup_stderr = false;
	if (cmd[0] == '.' && perl_space(cmd[1]))
		return true;
	if (strncmp(cmd, "exec", 4) == 0 && perl_space(cmd[4]))
		return true;
	for (s = cmd; perl_wordchar(*s); s++)
		;
	if (*s == '=')
		return true;
	for (s = cmd; *s != '\0'; s++) {
		if (*s == ' ' || strchr(PERL_SHELL_META, *s) == NULL)
			continue;
		if (*s == '\n' && s[1] == '\0') {
			*cut = (size_t)(s - cmd);
			return false;
		}
		if (*s == '>' && s[1] == '&' && s[2] == '1' && s > cmd + 1 &&
		    s[-1] == '2' && perl_space(s[-2]) &&
		    (s[3] == '\0' || perl_space(s[3]))) {
			const char *t = s + 3;

			while (*t != '\0' && perl_space(*t))
				t++;
			if (*t == '\0') {
				*cut = (size_t)(s - 2 - cmd);
				*dup_stderr = true;
				return false;
			}
		}
		return true;
	}
	return false;
}

static const char *
skip_space(const char *cmd)
{
	while (*cmd != '\0' && perl_space(*cmd))
		cmd++;
	return cmd;
}

bool
spawn_needs_shell(const char *cmd)
{
	size_t cut;
	bool dup;

	return perl_decide(skip_space(cmd), &cut, &dup);
}

/* Splits on Perl whitespace; the caller frees the vector and its strings. */
static char **
split_words(const char *cmd, size_t len)
{
	char **argv = NULL;
	size_t n = 0, i = 0, start;

	while (i < len) {
		while (i < len && perl_space(cmd[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !perl_space(cmd[i]))
			i++;
		argv = xreallocarray(argv, n + 2, sizeof(*argv));
		argv[n++] = xstrndup(cmd + start, i - start);
	}
	argv = xreallocarray(argv, n + 1, sizeof(*argv));
	argv[n] = NULL;
	return argv;
}

static void
free_words(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* In the child: stdin, stdout, no other descriptors, default signals. */
static void
child_setup(int in, int out, int keep)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	if (in >= 0 && in != STDIN_FILENO)
		(void)dup2(in, STDIN_FILENO);
	if (out >= 0 && out != STDOUT_FILENO)
		(void)dup2(out, STDOUT_FILENO);
	if (keep >= 0 && keep <= STDERR_FILENO) {
		/* keep the error pipe above 2: it is close-on-exec */
		if ((fd = fcntl(keep, F_DUPFD_CLOEXEC, 3)) != -1)
			keep = fd;
	}
	if (keep > 3)
		(void)close_range(3, (unsigned)keep - 1, 0);
	(void)close_range(keep >= 3 ? (unsigned)keep + 1 : 3, ~0U, 0);
}

static void
report_errno(int errfd)
{
	int e = errno;

	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

/* Forks; the child runs `fn`; exec errors come back through a pipe. */
static pid_t
spawn_common(const char *cmd, char *const *argv, bool shell, bool dup_err,
    int in, int out, bool pgrp)
{
	int errpipe[2], e;
	pid_t pid;

	if (pipe2(errpipe, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		e = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		if (pgrp)
			(void)setpgid(0, 0);
		child_setup(in, out, errpipe[1]);
		if (dup_err)
			(void)dup2(STDOUT_FILENO, STDERR_FILENO);
		if (!shell) {
			execvp(argv[0], argv);
			if (errno != ENOEXEC)
				report_errno(errpipe[1]);
		}
		if (cmd != NULL)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		report_errno(errpipe[1]);
	}
	if (pgrp)
		(void)setpgid(pid, pid);	/* either side may win the race */
	close(errpipe[1]);
	return spawn_await_exec(pid, errpipe[0]);
}

pid_t
spawn_await_exec(pid_t pid, int errfd)
{
	ssize_t r;
	int e;

	do {
		r = read(errfd, &e, sizeof(e));
	} while (r == -1 && errno == EINTR);
	close(errfd);
	if (r == (ssize_t)sizeof(e)) {
		(void)spawn_wait(pid);
		errno = e;
		return -1;
	}
	return pid;
}

static pid_t
spawn_cmd_common(const char *cmd, int in, int out, bool pgrp)
{
	char **argv, *shellcmd;
	size_t cut;
	bool shell, dup;
	pid_t pid;

	cmd = skip_space(cmd);
	shell = perl_decide(cmd, &cut, &dup);
	if (shell) {
		shellcmd = xstrdup(cmd);
		pid = spawn_common(shellcmd, NULL, true, false, in, out, pgrp);
		free(shellcmd);
		return pid;
	}
	argv = split_words(cmd, cut);
	if (argv[0] == NULL) {
		free_words(argv);
		errno = ENOENT;
		return -1;
	}
	shellcmd = xstrndup(cmd, cut);
	pid = spawn_common(shellcmd, argv, false, dup, in, out, pgrp);
	free(shellcmd);
	free_words(argv);
	return pid;
}

pid_t
spawn_cmd(const char *cmd, int in, int out)
{
	return spawn_cmd_common(cmd, in, out, false);
}

pid_t
spawn_cmd_group(const char *cmd, int in, int out)
{
	return spawn_cmd_common(cmd, in, out, true);
}

pid_t
spawn_argv(char *const argv[], int in, int out)
{
	return spawn_common(NULL, argv, false, false, in, out, false);
}

int
spawn_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return status;
}
