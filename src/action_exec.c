/*
 * The exec and pipe actions (spec sections 8, 9, 10.3, 10.4) and the
 * process machinery that mail (mailer=) and write share: starting a built
 * command (exec_cmd.c builds it from the config text and the record) with
 * the environment, descriptors and signal state a child must have, and
 * the texts that report a command's failure.
 *
 * When and how a command runs (in order and waited for in one-pass mode,
 * on the event loop with timeouts in follow mode) is the executor's
 * business; parsing the action value is the config parser's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action_exec.h"
#include "config.h"
#include "diag.h"
#include "executor.h"
#include "log.h"
#include "out.h"
#include "spawn.h"
#include "subst.h"
#include "util.h"

extern char **environ;

struct exec_action {
	enum action_kind	 kind;
	struct exec_tmpl	*cmd;		/* NULL: no command */
	char			*text;		/* the command as written */
	bool			 keep_open;	/* pipe */
};

/* Where commands run: follow mode's, else a synchronous one. */
static struct executor	*current;
static struct executor	*sync_ex;

static bool
perl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* watchfor's environment with c->vars replacing variables of that name. */
static char **
child_env(const struct exec_cmd *c)
{
	char **env;
	size_t n = 0, k = 0, i, j, nl;
	bool dup;

	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		n++;
	env = xcalloc(n + c->nvars + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		dup = false;
		for (j = 0; j < c->nvars && !dup; j++) {
			nl = strcspn(c->vars[j], "=") + 1;
			dup = strncmp(environ[i], c->vars[j], nl) == 0;
		}
		if (!dup)
			env[k++] = environ[i];
	}
	for (j = 0; j < c->nvars; j++)
		env[k++] = c->vars[j];
	env[k] = NULL;
	return env;
}

static void
child_fail(int errfd)
{
	int e = errno;

	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

/* In the child, before exec: only async-signal-safe calls. */
static void
child_setup(const struct exec_cmd *c, int in, int errfd)
{
	struct sigaction sa;
	sigset_t none;
	int fd, sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (c->own_pgrp)
		(void)setpgid(0, 0);
	if (in < 0) {
		if ((fd = open("/dev/null", O_RDONLY)) == -1)
			child_fail(errfd);
		in = fd;
	}
	if (in != STDIN_FILENO && dup2(in, STDIN_FILENO) == -1)
		child_fail(errfd);
	if (c->null_stderr) {
		if ((fd = open("/dev/null", O_WRONLY)) == -1)
			child_fail(errfd);
		if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1)
			child_fail(errfd);
	} else if (c->dup_stderr)
		(void)dup2(STDOUT_FILENO, STDERR_FILENO);
	/* nothing beyond 0, 1, 2 reaches the command */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		for (fd = 3; fd < 1024; fd++)
			if (fd != errfd)
				(void)close(fd);
}

pid_t
exec_cmd_spawn(const struct exec_cmd *c, int in)
{
	char **env;
	int errpipe[2], e;
	pid_t pid;

	if (c->file == NULL || c->argc == 0) {
		errno = ENOENT;
		return -1;
	}
	if (pipe2(errpipe, O_CLOEXEC) == -1)
		return -1;
	env = child_env(c);
	if ((pid = fork()) == -1) {
		e = errno;
		free(env);
		close(errpipe[0]);
		close(errpipe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(errpipe[0]);
		child_setup(c, in, errpipe[1]);
		execvpe(c->file, c->argv, env);
		child_fail(errpipe[1]);
	}
	free(env);
	close(errpipe[1]);
	return spawn_await_exec(pid, errpipe[0]);
}

pid_t
exec_cmd_spawn_pipe(const struct exec_cmd *c, int *fd)
{
	int p[2], e;
	pid_t pid;

	*fd = -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	pid = exec_cmd_spawn(c, p[0]);
	e = errno;
	close(p[0]);
	if (pid == -1) {
		close(p[1]);
		errno = e;
		return -1;
	}
	*fd = p[1];
	return pid;
}

int
exec_feed(int fd, const void *p, size_t n)
{
	struct sigaction ign, old;
	const char *s = p;
	ssize_t w;
	int rc = 0, e = 0;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &ign, &old);
	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			rc = -1;
			break;
		}
		s += w;
		n -= (size_t)w;
	}
	(void)sigaction(SIGPIPE, &old, NULL);
	errno = e;
	return rc;
}

void
exec_report_status(const char *what, const char *cmd, int status,
    bool always)
{
	void (*say)(const char *, ...) = always ? log_warnx : log_debug;

	if (status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return;
	if (WIFEXITED(status))
		say("%s: \"%s\" exited with status %d", what, cmd,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("%s: \"%s\" killed by signal %d", what, cmd,
		    WTERMSIG(status));
}

bool
exec_as_swatchdog(void)
{
	return strcmp(log_name(), "swatchdog") == 0;
}

void
exec_report_cannot_run(const char *what, const char *prog)
{
	switch (errno) {
	case ENOENT:
	case EACCES:
	case ENOEXEC:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case EISDIR:
		if (exec_as_swatchdog()) {
			log_debug("%s: cannot run \"%s\": %s", what, prog,
			    strerror(errno));
			return;
		}
		break;
	default:
		break;
	}
	log_warn("%s: cannot run \"%s\"", what, prog);
}

const char *
exec_warn_prefix(void)
{
	static char prefix[4096];
	const char *home;

	if (!exec_as_swatchdog())
		return log_name();
	if ((home = getenv("HOME")) == NULL)
		home = "";
	(void)snprintf(prefix, sizeof(prefix), "%s/.swatchdog_script.%ld",
	    home, (long)getpid());
	return prefix;
}

const char *
exec_action_arg(const struct action *a, const char *name, unsigned *col,
    bool *bare)
{
	const struct action_opt *o = NULL;
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			o = &a->opts[i];
	if (o != NULL && (a->arg == NULL || o->col > a->arg_col)) {
		*col = o->col;
		*bare = false;
		return o->value;
	}
	*col = a->arg_col;
	*bare = true;
	return a->arg;
}

char *
exec_escape_at(const char *s)
{
	struct buf b = { 0 };

	buf_reserve(&b, 1);
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			buf_add(&b, s, 2);
			s++;
		} else if (*s == '@')
			buf_add(&b, "\\@", 2);
		else
			buf_addc(&b, *s);
	}
	return buf_detach(&b);
}

static bool
has_option(const struct action *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return true;
	return false;
}

struct exec_action *
exec_action_prepare(const struct action *a, bool awk, struct diag *d)
{
	struct exec_action *x;
	struct tmpl *t;
	const char *text, *p;
	char *src, *err = NULL;
	unsigned col;
	size_t off;
	bool bare;

	x = xcalloc(1, sizeof(*x));
	x->kind = a->kind;
	x->keep_open = a->kind == ACT_PIPE && has_option(a, "KEEP_OPEN");
	text = exec_action_arg(a, "COMMAND", &col, &bare);
	for (p = text; p != NULL && perl_space(*p); p++)
		;
	if (p == NULL || *p == '\0') {
		diag_report(d, DIAG_WARN, a->file, a->line, a->col, NULL, 0,
		    "%s without a command: nothing runs", a->name);
		return x;
	}
	src = bare ? exec_escape_at(text) : xstrdup(text);
	t = tmpl_compile(src, TMPL_COMMAND, awk, &err, &off);
	free(src);
	if (t == NULL) {
		diag_report(d, DIAG_ERROR, a->file, a->line,
		    col + (unsigned)off, NULL, 0, "%s: %s", a->name, err);
		free(err);
		free(x);
		return NULL;
	}
	x->cmd = exec_tmpl_new(t);
	x->text = xstrdup(p);
	if (exec_tmpl_error(x->cmd) != NULL) {
		diag_report(d, DIAG_ERROR, a->file, a->line, col, NULL, 0,
		    "%s: %s: put the logic in a script and pass the capture "
		    "as its argument", a->name, exec_tmpl_error(x->cmd));
		exec_action_free(x);
		return NULL;
	}
	if (exec_tmpl_warning(x->cmd) != NULL)
		diag_report(d, DIAG_WARN, a->file, a->line, col, NULL, 0,
		    "%s: %s", a->name, exec_tmpl_warning(x->cmd));
	return x;
}

void
exec_action_free(struct exec_action *x)
{
	if (x == NULL)
		return;
	exec_tmpl_free(x->cmd);
	free(x->text);
	free(x);
}

void
exec_set_executor(struct executor *ex)
{
	current = ex;
}

struct executor *
exec_executor(void)
{
	if (current != NULL)
		return current;
	if (sync_ex == NULL)
		sync_ex = executor_new(NULL);
	return sync_ex;
}

/* Variables added to every exec and pipe command (a digest summary). */
static char *const *extra_vars;
static size_t	 nextra_vars;

void
exec_set_extra_vars(char *const *vars, size_t n)
{
	extra_vars = vars;
	nextra_vars = n;
}

static void
add_extra_vars(struct exec_cmd *c)
{
	size_t i;

	for (i = 0; i < nextra_vars; i++) {
		c->vars = xreallocarray(c->vars, c->nvars + 2,
		    sizeof(*c->vars));
		c->vars[c->nvars++] = xstrdup(extra_vars[i]);
		c->vars[c->nvars] = NULL;
	}
}

void
exec_action_run(const struct exec_action *x, const struct subst_ctx *ctx)
{
	struct executor_job job = { 0 };
	struct exec_cmd c;
	char *prog;

	if (x->cmd == NULL)
		return;
	exec_cmd_build(x->cmd, ctx, &c);
	if (c.argc == 0) {
		exec_cmd_clear(&c);
		return;
	}
	add_extra_vars(&c);
	prog = xstrdup(c.argv[0]);
	job.what = "exec";
	job.name = prog;
	job.text = x->text;
	executor_run(exec_executor(), &c, &job, NULL, 0);
	free(prog);
}

void
exec_pipe_close(void)
{
	executor_pipe_close(exec_executor());
}

void
exec_action_pipe(const struct exec_action *x, const struct subst_ctx *ctx,
    const char *msg, size_t len)
{
	struct executor_job job = { 0 };
	struct buf key = { 0 };
	struct exec_cmd c;

	if (x->cmd == NULL)
		return;
	buf_reserve(&key, 1);
	exec_tmpl_text(x->cmd, ctx, &key);
	exec_cmd_build(x->cmd, ctx, &c);
	add_extra_vars(&c);
	job.what = "pipe";
	job.name = key.data;
	job.text = x->text;
	job.pipe_msg = true;
	executor_pipe(exec_executor(), key.data, &c, &job, msg, len,
	    x->keep_open);
	buf_free(&key);
}
