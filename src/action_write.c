/*
 * The write action (spec 10.6): for each user of USERS (split on `:`),
 * runs the write program (default /usr/bin/write) with the user as one
 * more argument, MESSAGE plus a newline on its stdin and stderr on
 * /dev/null. swatchdog pastes the user into `WRITE USER 2>/dev/null` for
 * /bin/sh; here the user is always data (action_exec.c builds the
 * command), run by the executor. Like swatchdog's, each run closes a
 * kept-open pipe first in one-pass mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action_exec.h"
#include "config.h"
#include "diag.h"
#include "executor.h"
#include "log.h"
#include "subst.h"
#include "util.h"

#define WRITE_DEFAULT	"/usr/bin/write"

struct write_action {
	struct tmpl		*users;		/* NULL: none */
	struct exec_tmpl	*prog;
};

static struct tmpl *
compile_value(const struct action *a, const char *what, const char *text,
    unsigned col, struct diag *d)
{
	struct tmpl *t;
	char *err = NULL;
	size_t off;

	if ((t = tmpl_compile(text, TMPL_VALUE, false, &err, &off)) != NULL)
		return t;
	diag_report(d, DIAG_ERROR, a->file, a->line, col + (unsigned)off,
	    NULL, 0, "%s %s: %s", a->name, what, err);
	free(err);
	return NULL;
}

struct write_action *
write_action_prepare(const struct action *a, struct diag *d)
{
	struct write_action *w;
	const struct action_opt *o = NULL;
	const char *text;
	char *src;
	struct tmpl *t;
	unsigned col;
	size_t i;
	bool bare;

	w = xcalloc(1, sizeof(*w));
	if ((text = exec_action_arg(a, "USERS", &col, &bare)) != NULL) {
		src = bare ? exec_escape_at(text) : xstrdup(text);
		w->users = compile_value(a, "users", src, col, d);
		free(src);
		if (w->users == NULL)
			goto fail;
	}
	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, "WRITE") == 0)
			o = &a->opts[i];
	t = compile_value(a, "program", o != NULL ? o->value : WRITE_DEFAULT,
	    o != NULL ? o->col : a->col, d);
	if (t == NULL)
		goto fail;
	w->prog = exec_tmpl_new(t);
	/*
	 * The user is appended to the program as its last argument: in a
	 * shell script it could become a command of its own (after a ";",
	 * in a comment), so write= must name a program.
	 */
	if (exec_tmpl_shell(w->prog) || exec_tmpl_error(w->prog) != NULL) {
		diag_report(d, DIAG_ERROR, a->file, a->line,
		    o != NULL ? o->col : a->col, NULL, 0, "write: write= "
		    "must name a program and its arguments, without shell "
		    "syntax (the user is passed as its last argument)");
		goto fail;
	}
	if (exec_tmpl_warning(w->prog) != NULL)
		diag_report(d, DIAG_WARN, a->file, a->line,
		    o != NULL ? o->col : a->col, NULL, 0,
		    "write: %s", exec_tmpl_warning(w->prog));
	return w;
fail:
	write_action_free(w);
	return NULL;
}

void
write_action_free(struct write_action *w)
{
	if (w == NULL)
		return;
	tmpl_free(w->users);
	exec_tmpl_free(w->prog);
	free(w);
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Runs the writer for one user. */
static void
write_one(const struct write_action *w, const struct subst_ctx *ctx,
    const char *user, size_t ulen, const char *msg, size_t len)
{
	struct executor_job job = { 0 };
	struct exec_cmd c;
	struct buf in = { 0 };
	char *prog;

	exec_cmd_build(w->prog, ctx, &c);
	if (c.argc == 0) {
		exec_cmd_clear(&c);
		return;
	}
	exec_cmd_add_arg(&c, user, ulen);
	c.null_stderr = true;
	buf_add(&in, msg, len);
	buf_addc(&in, '\n');
	prog = xstrdup(c.argv[0]);
	job.what = "write";
	job.name = prog;
	executor_run(exec_executor(), &c, &job, in.data, in.len);
	free(prog);
	buf_free(&in);
}

void
write_action_run(const struct write_action *w, const struct subst_ctx *ctx,
    const char *msg, size_t len)
{
	struct buf users = { 0 };
	size_t i = 0, a, b;

	if (w->users == NULL)
		return;
	tmpl_expand(w->users, ctx, &users);
	while (i < users.len) {
		a = i;
		while (i < users.len && users.data[i] != ':')
			i++;
		b = i++;
		while (a < b && blank(users.data[a]))
			a++;
		while (b > a && blank(users.data[b - 1]))
			b--;
		if (a == b)
			continue;
		/*
		 * swatchdog's writer is a different command: its kept pipe
		 * closes. Follow mode keeps one pipe per command.
		 */
		if (!executor_async(exec_executor()))
			exec_pipe_close();
		write_one(w, ctx, users.data + a, b - a, msg, len);
	}
	buf_free(&users);
}
