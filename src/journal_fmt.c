/*
 * The journal input's pure parts (see journal_fmt.h): the grammar of
 * "#% input-journal" and the rsyslog-shaped line an entry becomes. No
 * libsystemd here: the config check and the unit tests use this file
 * alone. Opening the journal and following it is journal.c's business.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "journal_fmt.h"
#include "util.h"

struct group {
	char		**matches;	/* "FIELD=VALUE" */
	size_t		  n;
};

struct journal_spec {
	struct group	*groups;
	size_t		 ngroups;
	char		*directory;	/* NULL: the system journal */
};

/* journalctl -p's names, in level order: the index is the level. */
static const char *const prio_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

void
journal_escape(struct buf *b, const char *s, size_t n)
{
	const char *run = s, *end = s + n;

	buf_reserve(b, n);
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f)
			continue;
		buf_add(b, run, (size_t)(s - run));
		buf_addf(b, "#%03o", c);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(end - run));
}

static void
add_time(struct buf *b, uint64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	char date[32];
	long off;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		/* out of range for the C library: seconds since the epoch */
		buf_addf(b, "%llu.%06u", (unsigned long long)t,
		    (unsigned)(usec % 1000000));
		return;
	}
	off = tm.tm_gmtoff / 60;
	buf_addf(b, "%s.%06u%c%02ld:%02ld", date, (unsigned)(usec % 1000000),
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

void
journal_format(struct buf *b, const struct journal_entry *e)
{
	size_t mlen = e->msglen;

	add_time(b, e->realtime);
	buf_addc(b, ' ');
	if (e->host != NULL && e->hostlen > 0)
		journal_escape(b, e->host, e->hostlen);
	else
		buf_adds(b, "localhost");
	buf_addc(b, ' ');
	if (e->ident != NULL && e->identlen > 0) {
		journal_escape(b, e->ident, e->identlen);
		if (e->pid != NULL && e->pidlen > 0) {
			buf_addc(b, '[');
			journal_escape(b, e->pid, e->pidlen);
			buf_addc(b, ']');
		}
		buf_adds(b, ": ");
	}
	if (e->msg == NULL)
		return;
	/* rsyslog's DropTrailingLFOnReception */
	if (mlen > 0 && e->msg[mlen - 1] == '\n')
		mlen--;
	journal_escape(b, e->msg, mlen);
}

/* ---- the directive ---- */

struct journal_spec *
journal_spec_new(void)
{
	return xcalloc(1, sizeof(struct journal_spec));
}

void
journal_spec_free(struct journal_spec *js)
{
	size_t i, j;

	if (js == NULL)
		return;
	for (i = 0; i < js->ngroups; i++) {
		for (j = 0; j < js->groups[i].n; j++)
			free(js->groups[i].matches[j]);
		free(js->groups[i].matches);
	}
	free(js->groups);
	free(js->directory);
	free(js);
}

static void
group_add(struct group *g, char *match)
{
	g->matches = xreallocarray(g->matches, g->n + 1, sizeof(*g->matches));
	g->matches[g->n++] = match;
}

static void
group_clear(struct group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->matches[i]);
	free(g->matches);
	g->matches = NULL;
	g->n = 0;
}

/* 0..7 from a digit or a name, else -1. */
static int
prio_level(const char *s)
{
	size_t i;

	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (i = 0; i < sizeof(prio_names) / sizeof(prio_names[0]); i++)
		if (strcmp(s, prio_names[i]) == 0)
			return (int)i;
	return -1;
}

static bool
field_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* One word into `g` (or the directory); NULL, or why it is bad. */
static char *
add_word(struct journal_spec *js, struct group *g, char **dir,
    const char *w)
{
	const char *eq = strchr(w, '='), *v;
	size_t klen;
	int lvl, i;

	if (strcmp(w, "all") == 0)
		return NULL;
	if (eq == NULL)
		return xasprintf("input-journal: \"%s\" is not NAME=VALUE "
		    "(unit=, identifier=, priority=, directory=, FIELD=, "
		    "or \"all\")", w);
	klen = (size_t)(eq - w);
	v = eq + 1;
	if (*v == '\0')
		return xasprintf("input-journal: %.*s= needs a value",
		    (int)klen, w);
	if (klen == 4 && strncmp(w, "unit", 4) == 0) {
		/* as journalctl -u: a name without a type is a service */
		group_add(g, xasprintf("_SYSTEMD_UNIT=%s%s", v,
		    strchr(v, '.') == NULL ? ".service" : ""));
	} else if (klen == 10 && strncmp(w, "identifier", 10) == 0)
		group_add(g, xasprintf("SYSLOG_IDENTIFIER=%s", v));
	else if (klen == 8 && strncmp(w, "priority", 8) == 0) {
		if ((lvl = prio_level(v)) == -1)
			return xasprintf("input-journal: priority \"%s\" is "
			    "not 0..7 or one of emerg, alert, crit, err, "
			    "warning, notice, info, debug", v);
		/* that level and the more urgent ones, as journalctl -p */
		for (i = 0; i <= lvl; i++)
			group_add(g, xasprintf("PRIORITY=%d", i));
	} else if (klen == 9 && strncmp(w, "directory", 9) == 0) {
		if (*dir != NULL)
			return xstrdup("input-journal: directory= given "
			    "twice on one line");
		if (js->directory != NULL && strcmp(js->directory, v) != 0)
			return xasprintf("input-journal: directory \"%s\" "
			    "differs from \"%s\" given before: one journal is "
			    "read", v, js->directory);
		*dir = xstrdup(v);
	} else if (field_name_ok(w, klen))
		group_add(g, xstrdup(w));
	else
		return xasprintf("input-journal: unknown match \"%.*s\" "
		    "(unit, identifier, priority, directory, or a journal "
		    "field in capitals)", (int)klen, w);
	return NULL;
}

int
journal_spec_add(struct journal_spec *js, const char *value, char **err,
    size_t *off)
{
	struct group g = { 0 };
	char *dir = NULL, *w;
	size_t b, e;

	*err = NULL;
	for (b = 0; value[b] != '\0'; b = e) {
		while (value[b] == ' ' || value[b] == '\t')
			b++;
		if (value[b] == '\0')
			break;
		for (e = b; value[e] != '\0' && value[e] != ' ' &&
		    value[e] != '\t'; e++)
			if ((unsigned char)value[e] < 0x20 ||
			    value[e] == 0x7f) {
				*err = xstrdup("input-journal: a control "
				    "character in a match");
				*off = e;
				goto fail;
			}
		w = xstrndup(value + b, e - b);
		*err = add_word(js, &g, &dir, w);
		free(w);
		if (*err != NULL) {
			*off = b;
			goto fail;
		}
	}
	if (dir != NULL && js->directory == NULL)
		js->directory = dir;
	else
		free(dir);
	js->groups = xreallocarray(js->groups, js->ngroups + 1,
	    sizeof(*js->groups));
	js->groups[js->ngroups++] = g;
	return 0;
fail:
	free(dir);
	group_clear(&g);
	return -1;
}

struct journal_spec *
journal_spec_from_config(const struct config *cfg)
{
	struct journal_spec *js = NULL;
	size_t i, off;
	char *err;

	for (i = 0; i < cfg->ndirectives; i++) {
		if (strcmp(cfg->directives[i].name, "input-journal") != 0)
			continue;
		if (js == NULL)
			js = journal_spec_new();
		if (journal_spec_add(js, cfg->directives[i].value, &err,
		    &off) == -1)
			free(err);
	}
	return js;
}

const char *
journal_spec_directory(const struct journal_spec *js)
{
	return js->directory;
}

size_t
journal_spec_ngroups(const struct journal_spec *js)
{
	return js->ngroups;
}

char *const *
journal_spec_group(const struct journal_spec *js, size_t i, size_t *n)
{
	*n = js->groups[i].n;
	return js->groups[i].matches;
}

bool
journal_spec_all(const struct journal_spec *js)
{
	size_t i;

	for (i = 0; i < js->ngroups; i++)
		if (js->groups[i].n == 0)
			return true;
	return false;
}
