/*
 * The config reader: swatchdog 3.2.4's read_config (spec section 4,
 * swatchdog lines 190-304) line by line, quirks included, plus watchfor's
 * "#%" directives. It speaks through struct diag: in a normal run it
 * prints swatchdog's messages in swatchdog's order and stops where
 * swatchdog stops; under --check it reports every problem with its
 * location and goes on. Patterns are compiled here (swatchdog reports a
 * bad one at its line); action values are split by config_value.c and
 * compiled later by the action modules. The old-style reader (-O) is in
 * config_old.c, the "#%" directives in config_directive.c. The grammar,
 * for the man page, is described in man/watchfor.conf.5.draft.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_priv.h"
#include "diag.h"
#include "log.h"
#include "pattern.h"
#include "redos.h"

/* One file being read: swatchdog's read_config locals. */
struct cfg_file {
	struct cfg_parser *p;
	const char	*name;		/* borrowed from cfg->files */
	FILE		*fp;
	unsigned	 lineno;	/* physical lines read: Perl's $. */
	int		 read_errno;	/* a failed read (a directory) */
	char		*raw;
	size_t		 rawcap;
	bool		 started;	/* swatchdog's $i >= 0 */
	struct rule	*rec;		/* the rule being built */
	bool		 dead;		/* rec takes actions and drops them */
};

static void read_config(struct cfg_parser *, const char *path,
    const char *from, unsigned fline, unsigned fcol);

/* Logical lines. */

void
lline_reset(struct lline *ll)
{
	buf_reset(&ll->text);
	ll->nsegs = 0;
}

void
lline_free(struct lline *ll)
{
	buf_free(&ll->text);
	free(ll->segs);
	memset(ll, 0, sizeof(*ll));
}

void
lline_add(struct lline *ll, const char *s, size_t n, unsigned line,
    unsigned col)
{
	if (ll->nsegs == ll->segcap) {
		ll->segcap = ll->segcap ? ll->segcap * 2 : 4;
		ll->segs = xreallocarray(ll->segs, ll->segcap,
		    sizeof(*ll->segs));
	}
	ll->segs[ll->nsegs].off = ll->text.len;
	ll->segs[ll->nsegs].line = line;
	ll->segs[ll->nsegs].col = col;
	ll->nsegs++;
	buf_add(&ll->text, s, n);
	if (ll->text.data == NULL)
		buf_reserve(&ll->text, 1);
	ll->text.data[ll->text.len] = '\0';
}

void
lline_cut_head(struct lline *ll, size_t n)
{
	size_t i, keep = 0;

	if (n == 0)
		return;
	memmove(ll->text.data, ll->text.data + n, ll->text.len - n + 1);
	ll->text.len -= n;
	/* The last segment starting at or before n now starts at 0. */
	for (i = 0; i < ll->nsegs && ll->segs[i].off <= n; i++)
		keep = i;
	ll->segs[keep].col += (unsigned)(n - ll->segs[keep].off);
	ll->segs[keep].off = 0;
	for (i = keep + 1; i < ll->nsegs; i++)
		ll->segs[i].off -= n;
	memmove(ll->segs, ll->segs + keep,
	    (ll->nsegs - keep) * sizeof(*ll->segs));
	ll->nsegs -= keep;
}

static void
lline_cut_tail(struct lline *ll, size_t n)
{
	ll->text.len -= n;
	ll->text.data[ll->text.len] = '\0';
}

void
lline_pos(const struct lline *ll, size_t off, unsigned *line, unsigned *col)
{
	size_t i = ll->nsegs;

	while (i > 1 && ll->segs[i - 1].off > off)
		i--;
	if (i == 0) {
		*line = 0;
		*col = 0;
		return;
	}
	*line = ll->segs[i - 1].line;
	*col = ll->segs[i - 1].col + (unsigned)(off - ll->segs[i - 1].off);
}


/* `s` with control bytes written as \r, \t, \xNN, for messages. */
static char *
printable(const char *s)
{
	struct buf b = { 0 };

	for (; *s != '\0'; s++) {
		if (*s == '\r')
			buf_adds(&b, "\\r");
		else if (*s == '\t')
			buf_adds(&b, "\\t");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_addf(&b, "\\x%02x", (unsigned char)*s);
		else
			buf_addc(&b, *s);
	}
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

void
cfg_report(struct cfg_parser *p, enum diag_kind kind, const char *file,
    const struct lline *ll, size_t off, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	char *msg;

	if (kind == DIAG_WARN && !p->check)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	lline_pos(ll, off, &line, &col);
	diag_report(p->diag, kind, file, line, col, NULL, 0, "%s", msg);
	free(msg);
}

/* Files. */

static const char *
add_file(struct config *cfg, const char *path)
{
	size_t i;

	for (i = 0; i < cfg->nfiles; i++)
		if (strcmp(cfg->files[i], path) == 0)
			return cfg->files[i];
	cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1,
	    sizeof(*cfg->files));
	cfg->files[cfg->nfiles] = xstrdup(path);
	return cfg->files[cfg->nfiles++];
}

/* Reports a file that cannot be read, in both voices. */
static void
open_failed(struct cfg_parser *p, enum diag_kind kind, const char *swtext,
    int status, const char *path, const char *from, unsigned line,
    unsigned col, int err)
{
	if (from == NULL)
		diag_report(p->diag, kind, path, 0, 0, swtext, status,
		    "cannot read the configuration file: %s", strerror(err));
	else
		diag_report(p->diag, kind, from, line, col, swtext, status,
		    "cannot read include file \"%s\": %s", path,
		    strerror(err));
}

FILE *
cfg_open(struct cfg_parser *p, const char *path, bool old_style,
    const char *from, unsigned line, unsigned col, const char **name)
{
	struct stat st;
	FILE *fp;
	char *sw;
	unsigned i;
	int err;

	if (!old_style && faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == -1) {
		/* Perl's die exits with errno: ENOENT 2, ENOTDIR 20... */
		err = errno;
		sw = xasprintf("%s: cannot find %s. Please create it or specify "
		    "an alternate configuration file. Exiting.", log_name(),
		    path);
		open_failed(p, DIAG_SW_FATAL, sw, stat(path, &st) == -1 ?
		    err : 2, path, from, line, col, err);
		free(sw);
		return NULL;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		err = errno;
		if (old_style)
			sw = xasprintf("%s: cannot read %s: %s", log_name(),
			    path, strerror(err));
		else
			sw = xasprintf("%s: cannot open %s: %s", log_name(),
			    path, strerror(err));
		open_failed(p, DIAG_SW_FATAL, sw, old_style ? err : 1, path,
		    from, line, col, err);
		free(sw);
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0) {
		/*
		 * Run as root, the config's actions run as root: a file that
		 * others may write would let them run anything.
		 */
		if (geteuid() == 0 && S_ISREG(st.st_mode) &&
		    ((st.st_mode & S_IWOTH) != 0 ||
		    ((st.st_mode & S_IWGRP) != 0 && st.st_gid != 0))) {
			diag_report(p->diag, DIAG_ERROR, from != NULL ? from :
			    path, line, col, NULL, 0, "%s%s%swritable by "
			    "others (mode %04o, group %u): refused when running "
			    "as root, since its actions would run as root "
			    "(chmod go-w %s)", from != NULL ? "\"" : "",
			    from != NULL ? path : "", from != NULL ? "\" is " :
			    "", (unsigned)(st.st_mode & 07777),
			    (unsigned)st.st_gid, path);
			fclose(fp);
			return NULL;
		}
		for (i = 0; i < p->depth; i++) {
			if (p->dev[i] == st.st_dev && p->ino[i] == st.st_ino) {
				diag_report(p->diag, DIAG_ERROR, from, line, col,
				    NULL, 0, "include loop: \"%s\" is already "
				    "being read", path);
				fclose(fp);
				return NULL;
			}
		}
		if (p->depth >= CFG_MAX_DEPTH) {
			diag_report(p->diag, DIAG_ERROR, from, line, col, NULL,
			    0, "includes nested more than %d deep",
			    CFG_MAX_DEPTH);
			fclose(fp);
			return NULL;
		}
		p->dev[p->depth] = st.st_dev;
		p->ino[p->depth] = st.st_ino;
	} else {
		p->dev[p->depth] = 0;
		p->ino[p->depth] = 0;
	}
	p->depth++;
	*name = add_file(p->cfg, path);
	return fp;
}

void
cfg_close(struct cfg_parser *p, FILE *fp)
{
	p->depth--;
	fclose(fp);
}

ssize_t
cfg_getline(FILE *fp, char **buf, size_t *cap, int *err)
{
	ssize_t n;

	errno = 0;
	if ((n = getline(buf, cap, fp)) == -1) {
		/* A directory reads as EISDIR: Perl sees end of file. */
		if (ferror(fp) && errno != 0)
			*err = errno;
		clearerr(fp);
	}
	return n;
}

/* Rules. */

void
cfg_rule_clear(struct rule *r)
{
	size_t i;

	free(r->pattern_text);
	pattern_free(r->pattern);
	for (i = 0; i < r->nactions; i++)
		cfg_action_clear(&r->actions[i]);
	free(r->actions);
	free(r->throttle);
	free(r->threshold);
	if (r->throttle_act != NULL)
		cfg_action_clear(r->throttle_act);
	if (r->threshold_act != NULL)
		cfg_action_clear(r->threshold_act);
	free(r->throttle_act);
	free(r->threshold_act);
	for (i = 0; i < r->ndirectives; i++) {
		free(r->directives[i].name);
		free(r->directives[i].value);
	}
	free(r->directives);
	memset(r, 0, sizeof(*r));
}

void
cfg_store_rule(struct cfg_parser *p, struct rule *r)
{
	struct config *cfg = p->cfg;

	cfg->rules = xreallocarray(cfg->rules, cfg->nrules + 1,
	    sizeof(*cfg->rules));
	cfg->rules[cfg->nrules++] = *r;
	memset(r, 0, sizeof(*r));
	p->nsw++;
}

void
cfg_add_action(struct rule *r, struct action *a)
{
	if (a->kind == ACT_CONTINUE)
		r->cont = true;
	else if (a->kind == ACT_QUIT)
		r->quit = true;
	r->actions = xreallocarray(r->actions, r->nactions + 1,
	    sizeof(*r->actions));
	r->actions[r->nactions++] = *a;
	memset(a, 0, sizeof(*a));
}

/* swatchdog's is_valid_pattern: the value compiled as a regex, as is. */
static bool
sw_pattern_ok(const char *v, size_t len, char *msg, size_t msgsz,
    size_t *off)
{
	pcre2_code *code;
	PCRE2_SIZE eoff;
	int ec;

	code = pcre2_compile((PCRE2_SPTR)v, len, 0, &ec, &eoff, NULL);
	if (code != NULL) {
		pcre2_code_free(code);
		return true;
	}
	pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, msgsz);
	*off = eoff;
	return false;
}

/*
 * `/x/ # note`: swatchdog pastes the comment into `if (...)` and cannot
 * run. Returns the offset of the `#` when the text before it compiles.
 */
static ssize_t
pattern_comment(const char *t, size_t n)
{
	struct pattern *pat;
	enum pattern_status st;
	char *head, *err;
	size_t i, e, eoff;

	for (i = 1; i < n; i++) {
		if (t[i] != '#' || !cfg_space(t[i - 1]))
			continue;
		for (e = i; e > 0 && cfg_space(t[e - 1]); e--)
			;
		head = xstrndup(t, e);
		pat = pattern_compile(head, &st, &err, &eoff);
		free(head);
		free(err);
		if (pat == NULL)
			return -1;
		pattern_free(pat);
		return (ssize_t)i;
	}
	return -1;
}

/* --check: a regex that can backtrack catastrophically (redos.c). */
static void
check_redos(struct cfg_parser *p, const char *file, const struct lline *ll,
    size_t off, const struct pattern *pat)
{
	struct pattern_source src;
	size_t i, at;
	char *msg;

	for (i = 0; i < pattern_nsources(pat); i++) {
		pattern_source(pat, i, &src);
		if ((msg = redos_check(&src, &at)) == NULL)
			continue;
		cfg_report(p, DIAG_WARN, file, ll, off + at, "%s", msg);
		free(msg);
	}
}

void
cfg_compile_pattern(struct cfg_parser *p, struct rule *r, const char *file,
    const struct lline *ll, size_t voff, size_t vlen, unsigned swline,
    bool sw)
{
	const char *t = cfg_text(ll) + voff;
	enum pattern_status st;
	char *text, *err, *swtext = NULL, msg[256];
	size_t s = 0, e = vlen, eoff, roff;
	ssize_t h;
	unsigned line, col;

	/* Blanks around a Perl expression do not matter. */
	while (s < e && cfg_space(t[s]))
		s++;
	while (e > s && cfg_space(t[e - 1]))
		e--;
	text = xstrndup(t + s, e - s);
	r->pattern = pattern_compile(text, &st, &err, &eoff);
	free(text);
	if (r->pattern != NULL) {
		if (p->check)
			check_redos(p, file, ll, voff + s, r->pattern);
		return;
	}
	if (sw)
		swtext = xasprintf("%s: error in pattern \"%.*s\" on line %u "
		    "of %s", log_name(), (int)vlen, t, swline, file);
	lline_pos(ll, voff + s + eoff, &line, &col);
	if (st == PATTERN_BAD_REGEX) {
		diag_report(p->diag, sw ? DIAG_SW_FATAL : DIAG_ERROR, file,
		    line, col, swtext, 25, "bad pattern: %s", err);
	} else if (sw && !sw_pattern_ok(t, vlen, msg, sizeof(msg), &roff)) {
		/* swatchdog itself would stop here. */
		lline_pos(ll, voff + roff, &line, &col);
		diag_report(p->diag, DIAG_SW_FATAL, file, line, col, swtext,
		    25, "bad pattern: %s at offset %zu", msg, roff);
	} else if ((h = pattern_comment(t + s, e - s)) >= 0) {
		cfg_report(p, DIAG_ERROR, file, ll, voff + s + (size_t)h,
		    "%s", "trailing comment after the pattern: put the "
		    "comment on its own line");
	} else {
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0,
		    "%s", err != NULL ? err : "unsupported pattern");
	}
	free(swtext);
	free(err);
}

/* The new-style reader. */

/* watchfor's split: the keyword ends at the first blank or "=". */
static size_t
key_end(const char *t, size_t n)
{
	size_t k;

	for (k = 0; k < n && !cfg_space(t[k]) && t[k] != '='; k++)
		;
	return k;
}

/*
 * swatchdog's split(/\s*[= ]\s*)/: the first place where a blank run
 * holds a space or is followed by "=". A TAB alone does not split.
 */
static size_t
key_end_sw(const char *t, size_t n)
{
	size_t p, j;
	bool sp;

	for (p = 0; p < n; p++) {
		sp = false;
		for (j = p; j < n && cfg_space(t[j]); j++)
			if (t[j] == ' ')
				sp = true;
		if (sp || (j < n && t[j] == '='))
			return p;
	}
	return n;
}

/* Value offset after keyword end k (spec section 4 step 4). */
static size_t
value_start(const char *t, size_t n, size_t k, bool has_eq)
{
	size_t j = k;

	while (j < n && cfg_space(t[j]))
		j++;
	if (!has_eq)
		return j;
	if (j < n && t[j] == '=') {
		for (j++; j < n && cfg_space(t[j]); j++)
			;
		return j;
	}
	return k;	/* the value keeps its leading blank */
}

static bool
is_rule_keyword(const char *key, enum rule_kind *kind)
{
	if (strcasecmp(key, "watchfor") == 0)
		*kind = RULE_WATCHFOR;
	else if (strcasecmp(key, "ignore") == 0)
		*kind = RULE_IGNORE;
	else if (strcasecmp(key, "waitfor") == 0)
		*kind = RULE_WAITFOR;
	else
		return false;
	return true;
}

const char *
config_rule_keyword(enum rule_kind kind)
{
	switch (kind) {
	case RULE_WATCHFOR:
		return "watchfor";
	case RULE_IGNORE:
		return "ignore";
	case RULE_WAITFOR:
		return "waitfor";
	default:
		fatalx("config: unknown rule kind %d", (int)kind);
	}
}

/* Ends the rule being built: stored if it has a pattern. */
static void
flush_rec(struct cfg_file *fs)
{
	if (fs->rec == NULL)
		return;
	if (fs->rec->pattern_text != NULL)
		cfg_store_rule(fs->p, fs->rec);
	else
		cfg_rule_clear(fs->rec);
	free(fs->rec);
	fs->rec = NULL;
	fs->dead = false;
}

static void
start_rule(struct cfg_file *fs, enum rule_kind kind, const struct lline *ll,
    size_t voff, size_t vlen)
{
	struct rule *r;
	unsigned line, col;
	size_t s;

	fs->started = true;
	flush_rec(fs);
	r = fs->rec = xcalloc(1, sizeof(*r));
	r->kind = kind;
	r->file = fs->name;
	lline_pos(ll, 0, &r->line, &col);
	for (s = voff; s < voff + vlen && cfg_space(cfg_text(ll)[s]); s++)
		;
	lline_pos(ll, s, &line, &r->col);
	if (vlen == 0) {
		/* swatchdog gives the actions below to the next rule. */
		cfg_report(fs->p, DIAG_ERROR, fs->name, ll, 0, "%s without a "
		    "pattern", config_rule_keyword(kind));
		fs->dead = true;
		return;
	}
	r->pattern_text = xstrndup(cfg_text(ll) + voff, vlen);
	cfg_compile_pattern(fs->p, r, fs->name, ll, voff, vlen, fs->lineno,
	    true);
}

/* perlcode [DEPTH] CODE: Perl-only, an error; tracks swatchdog's state. */
static void
perlcode(struct cfg_file *fs, const struct lline *ll, size_t voff,
    size_t vlen)
{
	const char *v = cfg_text(ll) + voff;
	size_t i, e, j;
	unsigned depth = 1;

	cfg_report(fs->p, DIAG_ERROR, fs->name, ll, 0, "%s", "perlcode is not "
	    "supported: watchfor runs no Perl code; put the logic in a script "
	    "run by an exec action, or delete the line");
	/* The unanchored (\d+)\s+(.*)$ of swatchdog. */
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			continue;
		for (e = i; e < vlen && v[e] >= '0' && v[e] <= '9'; e++)
			;
		for (j = e; j < vlen && cfg_space(v[j]); j++)
			;
		if (j > e) {
			depth = e - i > 3 ? 1000 : (unsigned)atoi(v + i);
			break;
		}
		i = e - 1;
	}
	if (depth >= 2)
		return;
	fs->started = true;
	flush_rec(fs);
	fs->p->nsw++;		/* the perlcode record itself */
	fs->rec = xcalloc(1, sizeof(*fs->rec));
	fs->dead = true;
}

static void
include(struct cfg_file *fs, const char *key, const struct lline *ll,
    size_t voff, size_t vlen)
{
	char *path;
	unsigned line, col;

	if (strcasecmp(key, "include") != 0)
		cfg_report(fs->p, DIAG_WARN, fs->name, ll, 0, "keyword \"%s\" "
		    "is read as include: it contains \"include\"", key);
	path = xstrndup(cfg_text(ll) + voff, vlen);
	lline_pos(ll, voff, &line, &col);
	read_config(fs->p, path, fs->name, line, col);
	free(path);
}

void
cfg_set_gate(struct cfg_parser *p, const char *file, const struct lline *ll,
    struct rule *r, bool thl, size_t voff, size_t vlen)
{
	struct action *a, **slot;
	struct cfg_vctx vc = { p, file, ll, voff };
	const char *t = cfg_text(ll);
	size_t b = voff, e = voff + vlen;
	unsigned line;

	slot = thl ? &r->throttle_act : &r->threshold_act;
	if (*slot != NULL) {
		cfg_action_clear(*slot);
		free(*slot);
		*slot = NULL;
	}
	while (b < e && cfg_space(t[b]))
		b++;
	while (e > b && cfg_space(t[e - 1]))
		e--;
	a = xcalloc(1, sizeof(*a));
	a->kind = thl ? ACT_THROTTLE : ACT_THRESHOLD;
	a->name = xstrdup(thl ? "throttle" : "threshold");
	a->value = xstrndup(t + b, e - b);
	a->file = file;
	lline_pos(ll, 0, &a->line, &a->name_col);
	lline_pos(ll, b, &line, &a->col);
	if (cfg_parse_action_value(a, t + voff, vlen, &vc))
		*slot = a;
	else {
		cfg_action_clear(a);
		free(a);
	}
}

static void
set_limit(struct cfg_file *fs, const char *key, const struct lline *ll,
    size_t voff, size_t vlen)
{
	struct rule *r = fs->rec;
	char **slot;
	size_t s;

	if (fs->dead)
		return;
	if (r->kind != RULE_WATCHFOR) {
		cfg_report(fs->p, DIAG_WARN, fs->name, ll, 0, "%s under %s is "
		    "dropped, as swatchdog does", key, config_rule_keyword(r->kind));
		return;
	}
	slot = strcasecmp(key, "throttle") == 0 ? &r->throttle :
	    &r->threshold;
	if (*slot != NULL)
		cfg_report(fs->p, DIAG_WARN, fs->name, ll, 0, "%s given again "
		    "for this rule: this one replaces the first", key);
	free(*slot);
	for (s = voff; s < voff + vlen && cfg_space(cfg_text(ll)[s]); s++)
		;
	*slot = xstrndup(cfg_text(ll) + s, voff + vlen - s);
	cfg_set_gate(fs->p, fs->name, ll, r, strcasecmp(key, "throttle") == 0,
	    voff, vlen);
}

static void
unknown_action(struct cfg_parser *p, const char *file, const char *key,
    const struct lline *ll, size_t koff)
{
	const char *hint = "";
	char *name;
	size_t len = strlen(key);
	int i;

	for (i = 0; i < ACT_UNKNOWN; i++)
		if (strcasecmp(key, cfg_action_name((enum action_kind)i)) == 0)
			hint = " (action names are case-sensitive)";
	if (len > 0 && key[len - 1] == '\r')
		hint = " (the file has CRLF line ends)";
	name = printable(key);
	cfg_report(p, DIAG_ERROR, file, ll, koff, "unknown action \"%s\"%s",
	    name, hint);
	free(name);
}

void
cfg_make_action(struct cfg_parser *p, const char *file, const struct lline *ll,
    const char *key, size_t koff, size_t voff, size_t vlen, struct rule *r)
{
	struct action a = { 0 };
	struct cfg_vctx vc;
	const char *t = cfg_text(ll);
	size_t b = voff, e = voff + vlen;
	unsigned line;

	if (*key == '\0') {
		/* swatchdog generates a harmless Perl list for it. */
		cfg_report(p, DIAG_WARN, file, ll, koff, "%s", "line without "
		    "an action name: ignored");
		return;
	}
	if ((a.kind = config_action_kind(key)) == ACT_UNKNOWN) {
		unknown_action(p, file, key, ll, koff);
		return;
	}
	while (b < e && cfg_space(t[b]))
		b++;
	while (e > b && cfg_space(t[e - 1]))
		e--;
	a.name = xstrdup(key);
	a.value = xstrndup(t + b, e - b);
	a.file = file;
	lline_pos(ll, koff, &a.line, &a.name_col);
	lline_pos(ll, b, &line, &a.col);
	vc.p = p;
	vc.file = file;
	vc.ll = ll;
	vc.voff = voff;
	if (cfg_parse_action_value(&a, t + voff, vlen, &vc))
		cfg_add_action(r, &a);
	else
		cfg_action_clear(&a);
}

static void
add_action(struct cfg_file *fs, const char *key, const struct lline *ll,
    size_t voff, size_t vlen)
{
	if (fs->dead)
		return;
	if (fs->rec->kind != RULE_WATCHFOR) {
		cfg_report(fs->p, DIAG_WARN, fs->name, ll, 0, "actions under %s "
		    "are never run: swatchdog drops them",
		    config_rule_keyword(fs->rec->kind));
		return;
	}
	cfg_make_action(fs->p, fs->name, ll, key, 0, voff, vlen, fs->rec);
}

static void
handle_line(struct cfg_file *fs, const struct lline *ll)
{
	struct cfg_parser *p = fs->p;
	const char *t = cfg_text(ll), *nul;
	size_t n = ll->text.len, k, ksw, v;
	enum rule_kind kind;
	bool has_eq;
	char *key, *swkey, *sw;

	if ((nul = memchr(t, '\0', n)) != NULL) {
		cfg_report(p, DIAG_ERROR, fs->name, ll, (size_t)(nul - t), "%s",
		    "NUL byte in a configuration line");
		return;
	}
	has_eq = memchr(t, '=', n) != NULL;
	k = key_end(t, n);
	if (has_eq && p->check && (ksw = key_end_sw(t, n)) != k) {
		sw = xstrndup(t, ksw);
		swkey = printable(sw);
		free(sw);
		cfg_report(p, DIAG_WARN, fs->name, ll, k, "swatchdog splits this "
		    "line at the first space or \"=\", not at a TAB: it reads "
		    "the keyword as \"%s\"", swkey);
		free(swkey);
	}
	key = xstrndup(t, k);
	v = value_start(t, n, k, has_eq);
	if (strcasestr(key, "include") != NULL)
		include(fs, key, ll, v, n - v);
	else if (is_rule_keyword(key, &kind))
		start_rule(fs, kind, ll, v, n - v);
	else if (strcasestr(key, "perlcode") != NULL)
		perlcode(fs, ll, v, n - v);
	else if (!fs->started) {
		sw = xasprintf("%s: error in %s at line %u: invalid keyword. "
		    "Skipping.", log_name(), fs->name, fs->lineno);
		swkey = printable(key);
		diag_report(p->diag, DIAG_SW_WARN, fs->name, ll->segs[0].line,
		    ll->segs[0].col, sw, 0, "keyword \"%s\" before the first "
		    "watchfor, ignore or waitfor: line skipped", swkey);
		free(swkey);
		free(sw);
	} else if (strcasecmp(key, "throttle") == 0 ||
	    strcasecmp(key, "threshold") == 0)
		set_limit(fs, key, ll, v, n - v);
	else
		add_action(fs, key, ll, v, n - v);
	free(key);
}

static bool
blank_or_comment(const char *raw, ssize_t n)
{
	return n == 0 || raw[0] == '#' || (n == 1 && raw[0] == '\n');
}

/*
 * Joins continuation lines as swatchdog does (spec section 4 step 3):
 * the next line is appended untrimmed unless it is empty or has `#` in
 * column 1, which is read and dropped.
 */
static void
continuation(struct cfg_file *fs, struct lline *ll)
{
	struct cfg_parser *p = fs->p;
	ssize_t n;
	size_t b, e;

	while (ll->text.len > 0 && ll->text.data[ll->text.len - 1] == '\\') {
		lline_cut_tail(ll, 1);
		n = cfg_getline(fs->fp, &fs->raw, &fs->rawcap, &fs->read_errno);
		if (n == -1)
			continue;
		fs->lineno++;
		if (blank_or_comment(fs->raw, n)) {
			if (p->check && cfg_is_directive(fs->raw, (size_t)n))
				diag_report(p->diag, DIAG_WARN, fs->name,
				    fs->lineno, 1, NULL, 0, "%s", "this directive "
				    "follows a line ending in `\\`: swatchdog "
				    "reads it as the end of that line and drops "
				    "it; so does watchfor");
			continue;
		}
		if (fs->raw[n - 1] == '\n')
			n--;
		for (e = ll->text.len; e > 0 && cfg_space(ll->text.data[e - 1]);
		    e--)
			;
		lline_cut_tail(ll, ll->text.len - e);
		for (b = 0; b < ll->text.len && cfg_space(ll->text.data[b]); b++)
			;
		lline_cut_head(ll, b);
		for (b = 0; b < (size_t)n && cfg_space(fs->raw[b]); b++)
			;
		if (p->check && b < (size_t)n && fs->raw[b] == '#')
			diag_report(p->diag, DIAG_WARN, fs->name, fs->lineno,
			    (unsigned)b + 1, NULL, 0, "%s", "this indented `#` "
			    "line is joined to the line above, which ends in "
			    "`\\`: it is not a comment");
		lline_add(ll, fs->raw, (size_t)n, fs->lineno, 1);
	}
}

static void
read_lines(struct cfg_file *fs)
{
	struct lline ll = { 0 };
	ssize_t n;
	size_t b, e;

	while (!diag_stopped(fs->p->diag)) {
		n = cfg_getline(fs->fp, &fs->raw, &fs->rawcap, &fs->read_errno);
		if (n == -1)
			break;
		fs->lineno++;
		e = (size_t)n;
		if (e > 0 && fs->raw[e - 1] == '\n')
			e--;
		while (e > 0 && cfg_space(fs->raw[e - 1]))
			e--;
		for (b = 0; b < e && cfg_space(fs->raw[b]); b++)
			;
		if (b == e)
			continue;
		lline_reset(&ll);
		lline_add(&ll, fs->raw + b, e - b, fs->lineno, (unsigned)b + 1);
		if (fs->raw[b] == '#') {
			if (cfg_is_directive(fs->raw + b, e - b))
				cfg_directive(fs->p, fs->name, &ll, fs->rec,
				    fs->dead);
			continue;
		}
		continuation(fs, &ll);
		handle_line(fs, &ll);
	}
	lline_free(&ll);
}

static void
read_config(struct cfg_parser *p, const char *path, const char *from,
    unsigned fline, unsigned fcol)
{
	struct cfg_file fs = { 0 };
	char *sw;

	fs.p = p;
	if ((fs.fp = cfg_open(p, path, false, from, fline, fcol,
	    &fs.name)) == NULL)
		return;
	read_lines(&fs);
	cfg_close(p, fs.fp);
	free(fs.raw);
	if (diag_stopped(p->diag)) {
		if (fs.rec != NULL)
			cfg_rule_clear(fs.rec);
		free(fs.rec);
		return;
	}
	flush_rec(&fs);
	if (p->nsw > 0)
		return;
	sw = xasprintf("%s: There were no useful entries in the configuration "
	    "file. Exiting.", log_name());
	if (from == NULL)
		diag_report(p->diag, DIAG_SW_FATAL, path, 0, 0, sw,
		    fs.read_errno ? fs.read_errno : 255, "%s", "no rules: no "
		    "watchfor, ignore or waitfor line with a pattern");
	else
		diag_report(p->diag, DIAG_SW_FATAL, from, fline, fcol, sw,
		    fs.read_errno ? fs.read_errno : 255, "no rule stored yet "
		    "when include \"%s\" ends: swatchdog stops here (no useful "
		    "entries)", path);
	free(sw);
}

/* A sample line that an earlier rule takes first never reaches its rule. */
static void
check_shadowed(struct cfg_parser *p)
{
	struct config *cfg = p->cfg;
	struct rule *r, *o;
	struct rule_directive *d;
	size_t i, j, k;

	for (i = 0; i < cfg->nrules; i++) {
		r = &cfg->rules[i];
		for (k = 0; k < r->ndirectives; k++) {
			d = &r->directives[k];
			if (strcmp(d->name, "sample-match") != 0 ||
			    r->pattern == NULL || pattern_match(r->pattern,
			    d->value, strlen(d->value), NULL) != 1)
				continue;
			for (j = 0; j < i; j++) {
				o = &cfg->rules[j];
				if (o->pattern == NULL || o->kind == RULE_WAITFOR ||
				    (o->kind == RULE_WATCHFOR && o->cont) ||
				    pattern_match(o->pattern, d->value,
				    strlen(d->value), NULL) != 1)
					continue;
				diag_report(p->diag, DIAG_WARN, d->file, d->line,
				    d->col, NULL, 0, "this sample never reaches "
				    "its rule: the %s rule at %s:%u takes it "
				    "first", config_rule_keyword(o->kind), o->file,
				    o->line);
				break;
			}
		}
	}
}

struct config *
config_load(const char *path, bool old_style, struct diag *diag)
{
	struct cfg_parser p = { 0 };
	unsigned id = 0;
	size_t i;

	p.cfg = xcalloc(1, sizeof(*p.cfg));
	p.diag = diag;
	p.check = diag_check_mode(diag);
	if (old_style)
		cfg_read_old(&p, path);
	else
		read_config(&p, path, NULL, 0, 0);
	for (i = 0; i < p.cfg->nrules; i++)
		if (p.cfg->rules[i].kind == RULE_WATCHFOR)
			p.cfg->rules[i].id = ++id;
	if (p.check && !diag_stopped(diag))
		check_shadowed(&p);
	/*
	 * Under --check the config goes on to the action checks even with
	 * errors (a rule whose pattern failed has none): every problem is
	 * reported in one run. The caller must not run such a config.
	 */
	if (diag_stopped(diag) || (!p.check && diag_errors(diag) > 0)) {
		config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nrules; i++)
		cfg_rule_clear(&cfg->rules[i]);
	free(cfg->rules);
	for (i = 0; i < cfg->ndirectives; i++) {
		free(cfg->directives[i].name);
		free(cfg->directives[i].value);
	}
	free(cfg->directives);
	for (i = 0; i < cfg->ninputs; i++)
		free(cfg->inputs[i]);
	free(cfg->inputs);
	for (i = 0; i < cfg->ninput_commands; i++)
		free(cfg->input_commands[i]);
	free(cfg->input_commands);
	free(cfg->state_dir);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
}
