/*
 * The webhook action (webhook.h): parses and checks "#% webhook", compiles
 * its label and annotation templates, and for each record builds the body
 * (webhook_json.c) and the command of the helper watchfor-http, which it
 * spools to the mail outbox (follow mode, under the global cap, which
 * holds the first folded one for its summary: webhook_cap.c) or runs
 * on the actions' executor (one-pass mode, --test). HTTP itself is the
 * helper's (src/http/); retries are the outbox's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action_exec.h"
#include "action_mail.h"
#include "config.h"
#include "diag.h"
#include "exec_cmd.h"
#include "executor.h"
#include "log.h"
#include "mail_secret.h"
#include "outbox.h"
#include "pattern.h"
#include "subst.h"
#include "util.h"
#include "webhook.h"
#include "webhook_cap.h"
#include "webhook_url.h"

#ifndef WATCHFOR_LIBEXECDIR
#define WATCHFOR_LIBEXECDIR	"/usr/libexec"
#endif

struct webhook {
	struct webhook_spec	 spec;
	struct tmpl		**label_t;	/* one per spec.labels */
	struct tmpl		**annot_t;
	char			*rule;		/* "FILE:LINE" */
	char			*shown;		/* the URL for messages */
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The next piece of `s` from *pos: a run of non-blanks in which "..."
 * may hold blanks (the quotes are dropped). NULL at the end or on an
 * unclosed quote (*err then set).
 */
static char *
next_piece(const char *s, size_t *pos, size_t *start, const char **err)
{
	struct buf b = { 0 };
	size_t i = *pos;
	bool q = false;

	while (blank(s[i]))
		i++;
	*start = i;
	if (s[i] == '\0') {
		*pos = i;
		return NULL;
	}
	buf_reserve(&b, 1);
	for (; s[i] != '\0' && (q || !blank(s[i])); i++) {
		if (s[i] == '"')
			q = !q;
		else
			buf_addc(&b, s[i]);
	}
	*pos = i;
	if (q) {
		*err = "unclosed \"";
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* http:// or https://, a host, no control character or blank. */
static bool
url_ok(const char *u)
{
	const char *h;
	size_t i;

	if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else
		return false;
	if (*h == '\0' || *h == '/' || *h == '?' || *h == '#' || *h == ':')
		return false;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f || u[i] == '"')
			return false;
	return true;
}

/* Prometheus' label name rule, used for annotations too. */
static bool
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* A label= or annotation= value NAME:VALUE; NULL or an error. */
static char *
add_kv(const char *what, const char *v, size_t off,
    struct webhook_spec_kv **kv, size_t *n, size_t *erroff)
{
	const char *colon = strchr(v, ':');
	struct webhook_spec_kv *e;
	struct tmpl *t;
	char *err = NULL;
	size_t eo;

	*erroff = off;
	if (colon == NULL || !name_ok(v, (size_t)(colon - v)))
		return xasprintf("%s: write %s=NAME:VALUE, the NAME in "
		    "[A-Za-z_][A-Za-z0-9_]*", what, what);
	if ((t = tmpl_compile(colon + 1, TMPL_VALUE, false, &err, &eo)) ==
	    NULL) {
		*erroff = off + (size_t)(colon + 1 - v) + eo;
		return err;
	}
	tmpl_free(t);
	*kv = xreallocarray(*kv, *n + 1, sizeof(**kv));
	e = &(*kv)[(*n)++];
	e->name = xstrndup(v, (size_t)(colon - v));
	e->value = xstrdup(colon + 1);
	e->off = off + (size_t)(colon + 1 - v);
	return NULL;
}

/* One NAME=VALUE option piece; `off` is the offset of its value. */
static char *
option(struct webhook_spec *s, const char *p, size_t off, size_t *erroff)
{
	const char *eq = strchr(p, '=');
	const char *v = eq + 1;
	size_t nlen = (size_t)(eq - p);
	unsigned long t;
	char *end;

	off += nlen + 1;
	*erroff = off;
	if (nlen == 5 && strncmp(p, "label", 5) == 0)
		return add_kv("label", v, off, &s->labels, &s->nlabels,
		    erroff);
	if (nlen == 10 && strncmp(p, "annotation", 10) == 0)
		return add_kv("annotation", v, off, &s->annotations,
		    &s->nannotations, erroff);
	if (nlen == 11 && strncmp(p, "bearer-file", 11) == 0) {
		if (v[0] != '/')
			return xasprintf("bearer-file: \"%s\" is not an "
			    "absolute path", v);
		free(s->bearer_file);
		s->bearer_file = xstrdup(v);
		s->bearer_off = off;
		return NULL;
	}
	if (nlen == 7 && strncmp(p, "timeout", 7) == 0) {
		errno = 0;
		t = strtoul(v, &end, 10);
		if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 ||
		    t < 1 || t > WEBHOOK_TIMEOUT_MAX)
			return xasprintf("timeout: \"%s\" is not a whole "
			    "number of seconds from 1 to %d", v,
			    WEBHOOK_TIMEOUT_MAX);
		s->timeout = (unsigned)t;
		return NULL;
	}
	*erroff = off - nlen - 1;
	return xasprintf("unknown option \"%.*s\": label, "
	    "annotation, bearer-file or timeout", (int)nlen, p);
}

/* The piece at `off` after the URL: a mode or an option. */
static char *
piece(struct webhook_spec *s, const char *p, size_t off, bool *moded,
    size_t *erroff)
{
	*erroff = off;
	if (strchr(p, '=') != NULL)
		return option(s, p, off, erroff);
	if (*moded)
		return xasprintf("mode given twice (\"%s\"): options are "
		    "NAME=VALUE", p);
	*moded = true;
	if (strcmp(p, "json") == 0)
		s->mode = WEBHOOK_JSON;
	else if (strcmp(p, "alertmanager") == 0)
		s->mode = WEBHOOK_ALERTMANAGER;
	else
		return xasprintf("unknown mode \"%s\": json or "
		    "alertmanager", p);
	return NULL;
}

/*
 * A URL with user:password@ in it: refused, as the password would show
 * wherever the URL does. *off gets the offset of the userinfo.
 */
static char *
userinfo_error(const char *url, size_t start, size_t *off)
{
	const char *auth = strstr(url, "://") + 3;
	size_t n = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', n);

	if (at == NULL)
		return NULL;
	*off = start + (size_t)(auth - url);
	return xstrdup("credentials (user:password@) in the URL are "
	    "refused: they would show wherever the URL does; use "
	    "bearer-file=PATH");
}

char *
webhook_parse(const char *value, struct webhook_spec *s, size_t *off)
{
	const char *qerr = NULL;
	char *p, *err = NULL;
	size_t pos = 0, start;
	bool moded = false;

	memset(s, 0, sizeof(*s));
	s->timeout = WEBHOOK_TIMEOUT_S;
	*off = 0;
	if ((p = next_piece(value, &pos, &start, &qerr)) == NULL) {
		*off = start;
		return xstrdup(qerr != NULL ? qerr : "a URL is needed");
	}
	if (!url_ok(p)) {
		*off = start;
		err = xasprintf("bad URL \"%s\": http:// or https://, a host, "
		    "no blank or control character", p);
		free(p);
		return err;
	}
	if ((err = userinfo_error(p, start, off)) != NULL) {
		free(p);
		return err;
	}
	s->url = p;
	while (err == NULL &&
	    (p = next_piece(value, &pos, &start, &qerr)) != NULL) {
		err = piece(s, p, start, &moded, off);
		free(p);
	}
	if (err == NULL && qerr != NULL) {
		*off = start;
		err = xstrdup(qerr);
	}
	return err;
}

static void
kv_clear(struct webhook_spec_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

void
webhook_spec_clear(struct webhook_spec *s)
{
	kv_clear(s->labels, s->nlabels);
	kv_clear(s->annotations, s->nannotations);
	free(s->url);
	free(s->bearer_file);
	memset(s, 0, sizeof(*s));
}

static struct tmpl **
compile_all(const struct webhook_spec_kv *kv, size_t n)
{
	struct tmpl **t;
	char *err;
	size_t i, off;

	t = xcalloc(n + 1, sizeof(*t));
	for (i = 0; i < n; i++) {
		err = NULL;
		/* checked by webhook_parse: cannot fail */
		if ((t[i] = tmpl_compile(kv[i].value, TMPL_VALUE, false, &err,
		    &off)) == NULL)
			fatalx("webhook: %s", err);
	}
	return t;
}

/*
 * The helper's rule for the bearer file (mail_secret.h), with stat(2),
 * which follows links as the helper does; a file missing now is fine.
 */
static char *
bearer_error(const char *path)
{
	struct stat st;
	const char *why;

	if (path == NULL || stat(path, &st) == -1 ||
	    (why = mail_secret_refusal(&st)) == NULL)
		return NULL;
	if (S_ISREG(st.st_mode))
		return xasprintf("bearer-file: %s %s (mode %04o): refused; "
		    "chmod 600 it", path, why, (unsigned)(st.st_mode & 07777));
	return xasprintf("bearer-file: %s %s", path, why);
}

struct webhook *
webhook_prepare(const struct rule *r, const struct rule_directive *rd,
    struct diag *d)
{
	struct webhook *w;
	char *err;
	size_t off;

	w = xcalloc(1, sizeof(*w));
	if ((err = webhook_parse(rd->value, &w->spec, &off)) != NULL) {
		diag_report(d, DIAG_ERROR, rd->file, rd->line,
		    rd->col + (unsigned)off, NULL, 0, "webhook: %s", err);
		free(err);
		webhook_free(w);
		return NULL;
	}
	if ((err = bearer_error(w->spec.bearer_file)) != NULL) {
		diag_report(d, DIAG_ERROR, rd->file, rd->line,
		    rd->col + (unsigned)w->spec.bearer_off, NULL, 0,
		    "webhook: %s", err);
		free(err);
		webhook_free(w);
		return NULL;
	}
	w->label_t = compile_all(w->spec.labels, w->spec.nlabels);
	w->annot_t = compile_all(w->spec.annotations, w->spec.nannotations);
	w->rule = xasprintf("%s:%u", r->file, r->line);
	w->shown = xmalloc(WEBHOOK_URL_SHOWN_MAX);
	webhook_url_shown(w->spec.url, w->shown, WEBHOOK_URL_SHOWN_MAX);
	return w;
}

static void
tmpl_all_free(struct tmpl **t, size_t n)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++)
		tmpl_free(t[i]);
	free(t);
}

void
webhook_free(struct webhook *w)
{
	if (w == NULL)
		return;
	tmpl_all_free(w->label_t, w->spec.nlabels);
	tmpl_all_free(w->annot_t, w->spec.nannotations);
	webhook_spec_clear(&w->spec);
	free(w->rule);
	free(w->shown);
	free(w);
}

const char *
webhook_helper_path(void)
{
	const char *s = getenv(WEBHOOK_HELPER_ENV);

	if (s != NULL && *s != '\0')
		return s;
	return WATCHFOR_LIBEXECDIR "/watchfor/watchfor-http";
}

const char *
webhook_host(void)
{
	static char host[256];

	if (host[0] == '\0' && (gethostname(host, sizeof(host) - 1) == -1 ||
	    host[0] == '\0'))
		strcpy(host, "localhost");
	return host;
}

/* Captures of a record: numbered ("0", "1", ...) then named. */
struct caps {
	struct webhook_kv	*kv;
	size_t			 n;
	char			(*num)[12];
	const struct match	*m;
};

static void
add_cap(struct caps *c, const char *name, unsigned g)
{
	const char *p;
	size_t len;

	if (!match_group(c->m, g, &p, &len))
		return;
	c->kv = xreallocarray(c->kv, c->n + 1, sizeof(*c->kv));
	c->kv[c->n].name = name;
	c->kv[c->n].value = p;
	c->kv[c->n].len = len;
	c->n++;
}

static void
add_named(const char *name, unsigned g, void *arg)
{
	add_cap(arg, name, g);
}

static void
captures(const struct match *m, struct caps *c)
{
	unsigned g;

	memset(c, 0, sizeof(*c));
	if (m == NULL || m->ngroups == 0)
		return;
	c->m = m;
	c->num = xcalloc(m->ngroups, sizeof(*c->num));
	for (g = 0; g < m->ngroups; g++) {
		(void)snprintf(c->num[g], sizeof(c->num[g]), "%u", g);
		add_cap(c, c->num[g], g);
	}
	match_names(m, add_named, c);
}

/* Expands each template into its own buffer; kv borrows them. */
static struct webhook_kv *
expand_all(struct tmpl **t, const struct webhook_spec_kv *spec, size_t n,
    const struct subst_ctx *ctx, struct buf **bufs)
{
	struct webhook_kv *kv;
	size_t i;

	kv = xcalloc(n + 1, sizeof(*kv));
	*bufs = xcalloc(n + 1, sizeof(**bufs));
	for (i = 0; i < n; i++) {
		buf_reserve(&(*bufs)[i], 1);
		tmpl_expand(t[i], ctx, &(*bufs)[i]);
		kv[i].name = spec[i].name;
		kv[i].value = (*bufs)[i].data;
		kv[i].len = (*bufs)[i].len;
	}
	return kv;
}

static void
bufs_free(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_free(&b[i]);
	free(b);
}

static void
build_body(const struct webhook *w, const struct rule *r,
    const struct subst_ctx *ctx, const char *msg, size_t len,
    struct buf *body)
{
	struct webhook_event ev = { 0 };
	struct buf *lb, *ab;
	struct webhook_kv *labels, *annots;
	struct caps c;

	captures(ctx->match, &c);
	labels = expand_all(w->label_t, w->spec.labels, w->spec.nlabels, ctx,
	    &lb);
	annots = expand_all(w->annot_t, w->spec.annotations,
	    w->spec.nannotations, ctx, &ab);
	ev.rule = w->rule;
	ev.pattern = r->pattern_text + strspn(r->pattern_text, " \t");
	ev.line = ctx->line;
	ev.linelen = ctx->len;
	ev.message = msg;
	ev.msglen = len;
	ev.captures = c.kv;
	ev.ncaptures = c.n;
	ev.labels = labels;
	ev.nlabels = w->spec.nlabels;
	ev.annotations = annots;
	ev.nannotations = w->spec.nannotations;
	ev.time = time(NULL);
	ev.host = webhook_host();
	webhook_body(w->spec.mode, &ev, body);
	free(c.kv);
	free(c.num);
	free(labels);
	free(annots);
	bufs_free(lb, w->spec.nlabels);
	bufs_free(ab, w->spec.nannotations);
}

static void
add_arg(struct exec_cmd *c, const char *s)
{
	c->argv = xreallocarray(c->argv, c->argc + 2, sizeof(*c->argv));
	c->argv[c->argc++] = xstrdup(s);
	c->argv[c->argc] = NULL;
}

/*
 * watchfor-http [--timeout S] [--bearer-file F] with the URL in its
 * environment (WEBHOOK_URL_ENV), not on its command line, where any
 * user could read it; its text, with the URL shown only in part, in `t`.
 */
static void
build_cmd(const struct webhook *w, struct exec_cmd *c, struct buf *t)
{
	char n[16];

	memset(c, 0, sizeof(*c));
	c->file = xstrdup(webhook_helper_path());
	add_arg(c, c->file);
	(void)snprintf(n, sizeof(n), "%u", w->spec.timeout);
	add_arg(c, "--timeout");
	add_arg(c, n);
	if (w->spec.bearer_file != NULL) {
		add_arg(c, "--bearer-file");
		add_arg(c, w->spec.bearer_file);
	}
	c->vars = xcalloc(2, sizeof(*c->vars));
	c->vars[0] = xasprintf("%s=%s", WEBHOOK_URL_ENV, w->spec.url);
	c->nvars = 1;
	buf_addf(t, "%s %s", c->file, w->shown);
}

void
webhook_run(const struct webhook *w, const struct rule *r,
    const struct subst_ctx *ctx, const char *msg, size_t len)
{
	struct buf body = { 0 }, text = { 0 };
	struct executor_job job = { 0 };
	struct outbox *ob = mail_get_outbox();
	struct exec_cmd c;

	buf_reserve(&text, 1);
	if (ob != NULL && !mail_cap_offer("webhook", w->shown, msg, len)) {
		/* folded: the first of the window gets its summary */
		if (!webhook_cap_held()) {
			build_cmd(w, &c, &text);
			webhook_cap_hold(&c, text.data, w->shown,
			    w->spec.mode);
		}
		goto done;
	}
	build_body(w, r, ctx, msg, len, &body);
	build_cmd(w, &c, &text);
	if (ob != NULL && outbox_add_helper(ob, "webhook", &c, text.data,
	    w->shown, body.data, body.len) == 0) {
		exec_cmd_clear(&c);
		goto done;
	}
	job.what = "webhook";
	job.name = text.data;
	job.warn_status = true;
	job.warn_write = true;
	executor_run(exec_executor(), &c, &job, body.data, body.len);
done:
	buf_free(&body);
	buf_free(&text);
}
