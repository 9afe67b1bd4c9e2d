/*
 * Command building for exec, pipe, write and mail (mailer=): a command
 * is compiled once from its config text, decided shell-or-direct from
 * that text only, and built for each record into an argv plus
 * environment variables, so that log text is only ever data (see
 * exec_cmd.h). Pure: no process is started here; running a command is
 * action_exec.c's and executor.c's business, expanding a reference the
 * subst module's.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_cmd.h"
#include "log.h"
#include "spawn.h"
#include "subst.h"
#include "util.h"

/* One piece of a direct command's word: literal bytes or a reference. */
struct piece {
	const struct tmpl_seg	*seg;		/* NULL: literal */
	const char		*lit;		/* template text */
	size_t			 len;
};

struct word {
	struct piece	*pieces;
	size_t		 npieces;
	bool		 refs_only;	/* empty expansion: no word */
};

/* An environment variable carrying one reference. */
struct evar {
	char			*name;
	const struct tmpl_seg	*seg;
};

struct exec_tmpl {
	struct tmpl	*t;
	bool		 shell;
	bool		 dup_stderr;	/* direct: trailing " 2>&1" */
	struct word	*words;		/* direct */
	size_t		 nwords;
	char		*script;	/* shell */
	struct evar	*vars;
	size_t		 nvars;
	char		*warning;
	char		*error;		/* the captures cannot be passed safely */
};

#define REF_MARK	'\001'	/* a reference, in a command's words */

static bool
perl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* The variable name of a reference segment. */
static void
var_name(const struct tmpl_seg *sg, struct buf *out)
{
	switch (sg->kind) {
	case TMPL_GROUP:
		if (sg->n == 0)
			buf_adds(out, "WATCHFOR_MATCH");
		else
			buf_addf(out, "WATCHFOR_%u", sg->n);
		break;
	case TMPL_NAMED:
		buf_addf(out, "WATCHFOR_NAMED_%s", sg->text);
		break;
	case TMPL_LINE:
	case TMPL_ESCLINE:
		buf_adds(out, "WATCHFOR_LINE");
		break;
	case TMPL_PREMATCH:
		buf_adds(out, "WATCHFOR_PREMATCH");
		break;
	case TMPL_POSTMATCH:
		buf_adds(out, "WATCHFOR_POSTMATCH");
		break;
	case TMPL_PID:
		buf_adds(out, "WATCHFOR_PID");
		break;
	case TMPL_FIELD:
		buf_addf(out, "WATCHFOR_SPLIT_%u", sg->n);
		break;
	case TMPL_ESCFIELD:
		buf_addf(out, "WATCHFOR_FIELD_%u", sg->n + 1);
		break;
	case TMPL_FIELDS:
		buf_adds(out, "WATCHFOR_SPLIT");
		break;
	case TMPL_ESCFIELDS:
		buf_adds(out, "WATCHFOR_FIELDS");
		break;
	case TMPL_LIT:
	default:
		fatalx("exec: no variable for segment kind %d", (int)sg->kind);
	}
}

/*
 * The raw text of a reference. swatchdog's escaped kinds ($0, $*, awk
 * fields) only existed for its shell: their raw text is the escaped text
 * with each backslash-pair undone, which subst_shell_escape makes exact.
 */
static void
expand_raw(const struct tmpl_seg *sg, const struct subst_ctx *ctx,
    struct buf *out)
{
	struct buf esc = { 0 };
	struct tmpl_seg line;
	size_t i;

	switch (sg->kind) {
	case TMPL_ESCLINE:
		line = *sg;
		line.kind = TMPL_LINE;
		tmpl_expand_seg(&line, ctx, out);
		return;
	case TMPL_ESCFIELD:
	case TMPL_ESCFIELDS:
		tmpl_expand_seg(sg, ctx, &esc);
		for (i = 0; i < esc.len; i++) {
			if (esc.data[i] == '\\' && i + 1 < esc.len)
				i++;
			buf_addc(out, esc.data[i]);
		}
		buf_free(&esc);
		return;
	default:
		tmpl_expand_seg(sg, ctx, out);
		return;
	}
}

/* Returns the index of the variable for `sg`, adding it if new. */
static size_t
add_var(struct exec_tmpl *x, const struct tmpl_seg *sg)
{
	struct buf name = { 0 };
	size_t i;

	var_name(sg, &name);
	for (i = 0; i < x->nvars; i++)
		if (strcmp(x->vars[i].name, name.data) == 0) {
			buf_free(&name);
			return i;
		}
	x->vars = xreallocarray(x->vars, x->nvars + 1, sizeof(*x->vars));
	x->vars[x->nvars].name = buf_detach(&name);
	x->vars[x->nvars].seg = sg;
	return x->nvars++;
}

/*
 * Words of the command as a shell (or execvp) would see them, with
 * REF_MARK for each reference: used to find nested shells.
 */
struct wordlist {
	char		**w;
	bool		*has_ref;
	size_t		 n;
	struct buf	 cur;
	bool		 cur_ref;
	bool		 in_word;
};

static void
wl_addc(struct wordlist *wl, char c)
{
	buf_addc(&wl->cur, c);
	if (c == REF_MARK)
		wl->cur_ref = true;
	wl->in_word = true;
}

static void
wl_end(struct wordlist *wl)
{
	if (!wl->in_word)
		return;
	wl->w = xreallocarray(wl->w, wl->n + 1, sizeof(*wl->w));
	wl->has_ref = xreallocarray(wl->has_ref, wl->n + 1,
	    sizeof(*wl->has_ref));
	wl->w[wl->n] = xstrdup(wl->cur.data != NULL ? wl->cur.data : "");
	wl->has_ref[wl->n] = wl->cur_ref;
	wl->n++;
	buf_reset(&wl->cur);
	wl->cur_ref = false;
	wl->in_word = false;
}

static void
wl_free(struct wordlist *wl)
{
	size_t i;

	for (i = 0; i < wl->n; i++)
		free(wl->w[i]);
	free(wl->w);
	free(wl->has_ref);
	buf_free(&wl->cur);
}

static bool
is_shell_name(const char *w)
{
	static const char *const shells[] = {
		"ash", "bash", "busybox", "dash", "ksh", "mksh", "sh", "su",
		"zsh",
	};
	const char *b = util_basename(w);
	size_t i;

	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(b, shells[i]) == 0)
			return true;
	return false;
}

/* A nested shell that would parse a substituted reference again. */
static char *
nested_shell_warning(const struct wordlist *wl)
{
	size_t i, j;

	for (i = 0; i < wl->n; i++) {
		const char *b = util_basename(wl->w[i]);

		if (strcmp(b, "eval") == 0 || strcmp(b, "ssh") == 0) {
			for (j = i + 1; j < wl->n; j++)
				if (wl->has_ref[j])
					return xasprintf("`%s` parses its "
					    "arguments again as shell code: "
					    "log text substituted into them "
					    "could run as commands", b);
			continue;
		}
		if (!is_shell_name(wl->w[i]))
			continue;
		for (j = i + 1; j < wl->n && wl->w[j][0] == '-' &&
		    strncmp(wl->w[j], "--", 2) != 0; j++) {
			if (strchr(wl->w[j], 'c') == NULL)
				continue;
			if (j + 1 < wl->n && wl->has_ref[j + 1])
				return xasprintf("`%s %s` parses its script "
				    "again: log text substituted into the "
				    "script could run as commands; pass it "
				    "as an argument instead (sh -c 'echo "
				    "\"\\$1\"' sh $1)", b, wl->w[j]);
			break;
		}
	}
	return NULL;
}

/*
 * Shell quoting context, tracked over the literal text of a script.
 * Frames are pushed by $( and backticks, whose text starts unquoted.
 */
#define QT_MAXDEPTH	32

struct qframe {
	char		 q;		/* 0, '"' or '\'' */
	char		 kind;		/* 0 (top), '(' for $(, '`' */
	unsigned	 parens;	/* open ( inside a $( frame */
};

struct qtrack {
	struct qframe	 f[QT_MAXDEPTH];
	int		 top;
	bool		 esc;		/* a backslash is pending */
	bool		 comment;
	bool		 wordstart;
	bool		 cmdpos;	/* the next word names a command */
	const char	*unsafe;	/* why captures cannot be quoted here */
};

static void
qt_push(struct qtrack *qt, char kind)
{
	if (qt->top + 1 >= QT_MAXDEPTH) {
		qt->unsafe = "substitutions nested too deep";
		return;
	}
	qt->top++;
	memset(&qt->f[qt->top], 0, sizeof(qt->f[qt->top]));
	qt->f[qt->top].kind = kind;
}

static void
qt_pop(struct qtrack *qt)
{
	if (qt->top > 0)
		qt->top--;
}

static bool
shell_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	    c == '|' || c == '<' || c == '>';
}

/* Appends literal script text, following its quoting. */
static void
qt_literal(struct qtrack *qt, const char *s, size_t len, struct buf *out,
    struct wordlist *wl)
{
	struct qframe *fr;
	size_t i;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		buf_addc(out, c);
		fr = &qt->f[qt->top];
		if (qt->comment) {
			if (c == '\n') {
				qt->comment = false;
				qt->wordstart = true;
				qt->cmdpos = true;
			}
			continue;
		}
		if (qt->esc) {
			qt->esc = false;
			wl_addc(wl, c);
			continue;
		}
		if (fr->q == '\'') {
			if (c == '\'')
				fr->q = 0;
			wl_addc(wl, c);
			continue;
		}
		if (fr->q == '"') {
			if (c == '\\')
				qt->esc = true;
			else if (c == '"')
				fr->q = 0;
			else if (c == '$' && i + 1 < len && s[i + 1] == '(') {
				buf_addc(out, s[++i]);
				qt_push(qt, '(');
			} else if (c == '`')
				qt_push(qt, '`');
			wl_addc(wl, c);
			continue;
		}
		if (c == '\\' || c == '\'' || c == '"') {
			if (c == '\\')
				qt->esc = true;
			else
				fr->q = c;
			qt->wordstart = false;
			wl_addc(wl, c);
		} else if (c == '$' && i + 1 < len && s[i + 1] == '(') {
			buf_addc(out, s[++i]);
			wl_end(wl);
			qt_push(qt, '(');
			qt->wordstart = true;
			qt->cmdpos = true;
		} else if (c == '`') {
			wl_end(wl);
			if (fr->kind == '`') {
				qt_pop(qt);
				/* `x`#y is one word: no comment follows */
				qt->wordstart = false;
				qt->cmdpos = false;
			} else {
				qt_push(qt, '`');
				qt->wordstart = true;
				qt->cmdpos = true;
			}
		} else if (c == '(') {
			wl_end(wl);
			if (fr->kind == '(')
				fr->parens++;
			qt->wordstart = true;
			qt->cmdpos = true;
		} else if (c == ')') {
			wl_end(wl);
			if (fr->kind == '(' && fr->parens > 0)
				fr->parens--;
			else if (fr->kind == '(')
				qt_pop(qt);
			/* $(x)#y is one word: no comment follows */
			qt->wordstart = false;
			qt->cmdpos = false;
		} else if (c == '#' && qt->wordstart) {
			qt->comment = true;
		} else if (shell_separator(c)) {
			wl_end(wl);
			qt->wordstart = true;
			if (c == '\n' || c == ';' || c == '&' || c == '|')
				qt->cmdpos = true;
			else if (c != ' ' && c != '\t')
				qt->cmdpos = false;	/* a redirection */
		} else {
			if (qt->wordstart && qt->cmdpos &&
			    !(c == '!' || c == '{' || c == '}'))
				qt->cmdpos = false;	/* the command's word */
			qt->wordstart = false;
			wl_addc(wl, c);
		}
	}
}

/* Appends a reference to variable `name`, quoted for the context. */
static void
qt_ref(struct qtrack *qt, const char *name, struct buf *out,
    struct wordlist *wl)
{
	struct qframe *fr = &qt->f[qt->top];

	if (qt->comment) {
		buf_addf(out, "${%s}", name);
		return;
	}
	if (qt->wordstart && qt->cmdpos)
		qt->unsafe = "a capture would be the command to run";
	wl_addc(wl, REF_MARK);
	if (fr->q == '\'') {
		buf_addf(out, "'\"${%s}\"'", name);
		return;
	}
	if (fr->q == '"') {
		/* "\$" would be a literal dollar: keep the backslash itself */
		if (qt->esc)
			buf_addc(out, '\\');
		qt->esc = false;
		buf_addf(out, "${%s}", name);
		return;
	}
	/*
	 * A backslash before the value quoted its first character in
	 * swatchdog's shell; the whole value is quoted here: drop it.
	 */
	if (qt->esc && out->len > 0) {
		out->len--;
		out->data[out->len] = '\0';
	}
	qt->esc = false;
	qt->wordstart = false;
	buf_addf(out, "${%s:+\"${%s}\"}", name, name);
}

static void
build_script(struct exec_tmpl *x, struct wordlist *wl)
{
	struct qtrack qt;
	struct buf script = { 0 };
	const struct tmpl_seg *sg;
	size_t i, v;

	memset(&qt, 0, sizeof(qt));
	qt.wordstart = true;
	qt.cmdpos = true;
	for (i = 0; i < x->t->nsegs; i++) {
		sg = &x->t->segs[i];
		if (sg->kind == TMPL_LIT) {
			qt_literal(&qt, sg->text, sg->len, &script, wl);
			continue;
		}
		v = add_var(x, sg);
		qt_ref(&qt, x->vars[v].name, &script, wl);
	}
	wl_end(wl);
	buf_reserve(&script, 1);
	x->script = buf_detach(&script);
	if (qt.unsafe != NULL && x->nvars > 0)
		x->error = xstrdup(qt.unsafe);
}

static void
word_add_piece(struct word *w, const struct tmpl_seg *seg, const char *lit,
    size_t len)
{
	if (seg == NULL && w->npieces > 0 &&
	    w->pieces[w->npieces - 1].seg == NULL &&
	    w->pieces[w->npieces - 1].lit + w->pieces[w->npieces - 1].len ==
	    lit) {
		w->pieces[w->npieces - 1].len += len;
		return;
	}
	if (seg != NULL)
		w->refs_only = w->npieces == 0 || w->refs_only;
	else
		w->refs_only = false;
	w->pieces = xreallocarray(w->pieces, w->npieces + 1,
	    sizeof(*w->pieces));
	w->pieces[w->npieces].seg = seg;
	w->pieces[w->npieces].lit = lit;
	w->pieces[w->npieces].len = len;
	w->npieces++;
}

static void
end_word(struct exec_tmpl *x, struct word *cur)
{
	if (cur->npieces == 0)
		return;
	x->words = xreallocarray(x->words, x->nwords + 1, sizeof(*x->words));
	x->words[x->nwords++] = *cur;
	memset(cur, 0, sizeof(*cur));
}

/* Direct commands: words split on the blanks of the literal text. */
static void
build_words(struct exec_tmpl *x, struct wordlist *wl)
{
	struct word cur = { 0 };
	const struct tmpl_seg *sg;
	const struct word *last;
	size_t i, j;

	for (i = 0; i < x->t->nsegs; i++) {
		sg = &x->t->segs[i];
		if (sg->kind != TMPL_LIT) {
			(void)add_var(x, sg);
			word_add_piece(&cur, sg, NULL, 0);
			wl_addc(wl, REF_MARK);
			continue;
		}
		for (j = 0; j < sg->len; j++) {
			if (perl_space(sg->text[j])) {
				end_word(x, &cur);
				wl_end(wl);
				continue;
			}
			word_add_piece(&cur, NULL, sg->text + j, 1);
			wl_addc(wl, sg->text[j]);
		}
	}
	end_word(x, &cur);
	wl_end(wl);
	/* Perl runs a trailing " 2>&1" itself, with dup2 */
	if (x->nwords < 2)
		return;
	last = &x->words[x->nwords - 1];
	if (last->npieces == 1 && last->pieces[0].seg == NULL &&
	    last->pieces[0].len == 4 &&
	    memcmp(last->pieces[0].lit, "2>&1", 4) == 0) {
		free(last->pieces);
		x->nwords--;
		x->dup_stderr = true;
	}
}

/* True when `w` occurs in `s` as a whole shell word. */
static bool
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = strstr(s, w); p != NULL; p = strstr(p + 1, w))
		if ((p == s || strchr(" \t\n;&|(`", p[-1]) != NULL) &&
		    (p[n] == '\0' || strchr(" \t\n;&|)", p[n]) != NULL))
			return true;
	return false;
}

/*
 * Fails closed: captures go into a shell command only where the quoting
 * tracker models the shell. Heredocs, arithmetic, [[ ]], case patterns
 * and eval-like words are not modelled, so a command with captures that
 * uses them is refused (put the logic in a script; pass the capture as
 * its argument). A direct command whose program would come from a
 * capture is refused too.
 */
static char *
unmodelled(const struct exec_tmpl *x)
{
	static const char *const tokens[] = { "<<", "$((", "((", "[[" };
	static const char *const words[] = { "case", "eval", "let", "trap" };
	const char *s = x->script;
	size_t i;

	if (!x->shell) {
		if (x->nwords > 0 && x->words[0].npieces > 0 &&
		    x->words[0].pieces[0].seg != NULL)
			return xstrdup("a capture would be the program to run");
		return NULL;
	}
	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (strstr(s, tokens[i]) != NULL)
			return xasprintf("captures cannot be passed safely "
			    "into a shell command with \"%s\"", tokens[i]);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (has_word(s, words[i]))
			return xasprintf("captures cannot be passed safely "
			    "into a shell command with \"%s\"", words[i]);
	return NULL;
}

struct exec_tmpl *
exec_tmpl_new(struct tmpl *t)
{
	struct exec_tmpl *x;
	struct wordlist wl;
	struct buf neutral = { 0 };
	size_t i;

	x = xcalloc(1, sizeof(*x));
	x->t = t;
	for (i = 0; i < t->nsegs; i++) {
		if (t->segs[i].kind == TMPL_LIT)
			buf_add(&neutral, t->segs[i].text, t->segs[i].len);
		else
			buf_addc(&neutral, 'x');
	}
	buf_reserve(&neutral, 1);
	x->shell = spawn_needs_shell(neutral.data);
	buf_free(&neutral);
	memset(&wl, 0, sizeof(wl));
	if (x->shell)
		build_script(x, &wl);
	else
		build_words(x, &wl);
	x->warning = nested_shell_warning(&wl);
	wl_free(&wl);
	if (x->error == NULL && x->nvars > 0)
		x->error = unmodelled(x);
	return x;
}

void
exec_tmpl_free(struct exec_tmpl *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nwords; i++)
		free(x->words[i].pieces);
	free(x->words);
	for (i = 0; i < x->nvars; i++)
		free(x->vars[i].name);
	free(x->vars);
	free(x->script);
	free(x->warning);
	free(x->error);
	tmpl_free(x->t);
	free(x);
}

bool
exec_tmpl_shell(const struct exec_tmpl *x)
{
	return x->shell;
}

const char *
exec_tmpl_script(const struct exec_tmpl *x)
{
	return x->script;
}

const char *
exec_tmpl_warning(const struct exec_tmpl *x)
{
	return x->warning;
}

const char *
exec_tmpl_error(const struct exec_tmpl *x)
{
	return x->error;
}

void
exec_tmpl_text(const struct exec_tmpl *x, const struct subst_ctx *ctx,
    struct buf *out)
{
	tmpl_expand(x->t, ctx, out);
}

#define EXEC_VAR_MAX	(64U * 1024)	/* bytes of one capture passed on */
static unsigned long long cut_warned;

static void
push_arg(struct exec_cmd *c, char *arg)
{
	c->argv = xreallocarray(c->argv, c->argc + 2, sizeof(*c->argv));
	c->argv[c->argc++] = arg;
	c->argv[c->argc] = NULL;
}

static void
push_var(struct exec_cmd *c, char *var)
{
	c->vars = xreallocarray(c->vars, c->nvars + 2, sizeof(*c->vars));
	c->vars[c->nvars++] = var;
	c->vars[c->nvars] = NULL;
}

void
exec_cmd_build(const struct exec_tmpl *x, const struct subst_ctx *ctx,
    struct exec_cmd *c)
{
	struct buf b = { 0 };
	const struct word *w;
	size_t i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < x->nvars; i++) {
		size_t head;

		buf_reset(&b);
		buf_addf(&b, "%s=", x->vars[i].name);
		head = b.len;
		expand_raw(x->vars[i].seg, ctx, &b);
		/*
		 * Linux refuses an environment string over 128 KiB and the
		 * command would not run at all: a longer capture is cut, so
		 * that a padded log line cannot silence its own alert.
		 */
		if (b.len - head > EXEC_VAR_MAX) {
			if (cut_warned++ % 1000 == 0)
				log_warnx("%s: capture of %zu bytes cut to %u "
				    "(%llu so far)", x->vars[i].name,
				    b.len - head, EXEC_VAR_MAX, cut_warned);
			b.len = head + EXEC_VAR_MAX;
			b.data[b.len] = '\0';
		}
		push_var(c, xstrdup(b.data));	/* a NUL byte ends it */
	}
	if (x->shell) {
		c->file = xstrdup("/bin/sh");
		push_arg(c, xstrdup("sh"));
		push_arg(c, xstrdup("-c"));
		push_arg(c, xstrdup(x->script));
	} else {
		for (i = 0; i < x->nwords; i++) {
			w = &x->words[i];
			buf_reset(&b);
			buf_reserve(&b, 1);
			for (j = 0; j < w->npieces; j++) {
				if (w->pieces[j].seg == NULL)
					buf_add(&b, w->pieces[j].lit,
					    w->pieces[j].len);
				else
					expand_raw(w->pieces[j].seg, ctx, &b);
			}
			/* as Perl's split drops an empty field */
			if (w->refs_only && b.len == 0)
				continue;
			if (b.len > EXEC_VAR_MAX) {	/* as for variables */
				if (cut_warned++ % 1000 == 0)
					log_warnx("argument of %zu bytes cut to "
					    "%u (%llu so far)", b.len,
					    EXEC_VAR_MAX, cut_warned);
				b.len = EXEC_VAR_MAX;
				b.data[b.len] = '\0';
			}
			push_arg(c, xstrdup(b.data));
		}
		if (c->argc > 0)
			c->file = xstrdup(c->argv[0]);
		c->dup_stderr = x->dup_stderr;
	}
	if (c->argv == NULL) {
		c->argv = xcalloc(1, sizeof(*c->argv));
		c->argc = 0;
	}
	buf_free(&b);
}

void
exec_cmd_add_arg(struct exec_cmd *c, const char *arg, size_t len)
{
	char *name, *script;
	size_t i, k = 1;

	if (c->file == NULL || strcmp(c->file, "/bin/sh") != 0 ||
	    c->argc != 3) {
		push_arg(c, xstrndup(arg, len));
		if (c->file == NULL)
			c->file = xstrdup(c->argv[0]);
		return;
	}
	for (i = 0; i < c->nvars; i++)
		if (strncmp(c->vars[i], "WATCHFOR_ARG", 12) == 0)
			k++;
	name = xasprintf("WATCHFOR_ARG%zu", k);
	script = xasprintf("%s \"${%s}\"", c->argv[2], name);
	free(c->argv[2]);
	c->argv[2] = script;
	push_var(c, xasprintf("%s=%.*s", name, (int)len, arg));
	free(name);
}

void
exec_cmd_clear(struct exec_cmd *c)
{
	size_t i;

	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	for (i = 0; i < c->nvars; i++)
		free(c->vars[i]);
	free(c->vars);
	free(c->file);
	memset(c, 0, sizeof(*c));
}
