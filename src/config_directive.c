/*
 * watchfor's "#%" directives: a line whose first non-blank characters are
 * "#%", then a name ([a-z][a-z0-9-]*), blanks and a value. swatchdog reads
 * them as comments. Global ones fill struct config; rule-level ones go to
 * the rule above them, sample lines are checked against its pattern
 * under --check, and a webhook's value is checked (webhook_parse).
 * Meaning beyond that (opening inputs, the state directory, the
 * executor's exec-timeout and max-children, running webhooks) is left to
 * the modules that use them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "diag.h"
#include "digest.h"
#include "journal_fmt.h"
#include "mail_smtp.h"
#include "mailcap.h"
#include "outbox.h"
#include "pattern.h"
#include "silent.h"
#include "stats.h"
#include "webhook.h"

/* Directives ("#% name value"). */

#define CFG_EXEC_TIMEOUT_MAX	86400	/* seconds */
#define CFG_MAX_CHILDREN_MAX	1024

enum dir_scope {
	DIR_GLOBAL,
	DIR_RULE,
};

struct dir_def {
	const char	*name;
	enum dir_scope	 scope;
	int		 sample;	/* 1 must match, -1 must not, 0 */
};

/* In name order, for the man page; searched linearly (a few dozen). */
static const struct dir_def dir_defs[] = {
	{ "exec-timeout",	DIR_GLOBAL,	0 },
	{ "input",		DIR_GLOBAL,	0 },
	{ "input-command",	DIR_GLOBAL,	0 },
	{ "input-journal",	DIR_GLOBAL,	0 },
	{ "mail-cap",		DIR_GLOBAL,	0 },
	{ "mail-fallback",	DIR_GLOBAL,	0 },
	{ "mail-fallback-after", DIR_GLOBAL,	0 },
	{ "mail-from",		DIR_GLOBAL,	0 },
	{ "mail-max-age",	DIR_GLOBAL,	0 },
	{ "mail-transport",	DIR_GLOBAL,	0 },
	{ "max-children",	DIR_GLOBAL,	0 },
	{ "sample-match",	DIR_RULE,	1 },
	{ "sample-nomatch",	DIR_RULE,	-1 },
	{ "silent",		DIR_RULE,	0 },
	{ "smtp-ca-file",	DIR_GLOBAL,	0 },
	{ "smtp-host",		DIR_GLOBAL,	0 },
	{ "smtp-password-file",	DIR_GLOBAL,	0 },
	{ "smtp-port",		DIR_GLOBAL,	0 },
	{ "smtp-starttls",	DIR_GLOBAL,	0 },
	{ "smtp-timeout",	DIR_GLOBAL,	0 },
	{ "smtp-tls-verify",	DIR_GLOBAL,	0 },
	{ "smtp-user",		DIR_GLOBAL,	0 },
	{ "state-dir",		DIR_GLOBAL,	0 },
	{ "stats-file",		DIR_GLOBAL,	0 },
	{ "stats-interval",	DIR_GLOBAL,	0 },
	{ "throttle-digest",	DIR_RULE,	0 },
	{ "webhook",		DIR_RULE,	0 },
};

static const struct dir_def *
dir_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dir_defs) / sizeof(dir_defs[0]); i++)
		if (strcmp(dir_defs[i].name, name) == 0)
			return &dir_defs[i];
	return NULL;
}

bool
cfg_is_directive(const char *s, size_t n)
{
	return n >= 2 && s[0] == '#' && s[1] == '%';
}

static bool
dir_name_ok(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}

/* A whole number in [1, max], else an error (and 0). */
static unsigned
dir_count(struct cfg_parser *p, const char *name, const char *file,
    unsigned line, unsigned col, const char *value, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] >= '0' && value[0] <= '9' && *end == '\0' &&
	    errno == 0 && v >= 1 && v <= max)
		return (unsigned)v;
	diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0,
	    "%s: \"%s\" is not a whole number from 1 to %lu", name, value,
	    max);
	return 0;
}

/*
 * "#% input-journal": checked together with the lines before it (one
 * journal is read, so every directory= must agree). False when bad.
 */
static bool
dir_journal(struct cfg_parser *p, const char *file, unsigned line,
    unsigned col, const char *value)
{
	struct journal_spec *js;
	size_t off;
	char *err;
	int rc;

	js = journal_spec_from_config(p->cfg);
	if (js == NULL)
		js = journal_spec_new();
	rc = journal_spec_add(js, value, &err, &off);
	journal_spec_free(js);
	if (rc == 0)
		return true;
	diag_report(p->diag, DIAG_ERROR, file, line, col + (unsigned)off,
	    NULL, 0, "%s", err);
	free(err);
	return false;
}

static void
global_directive(struct cfg_parser *p, const struct dir_def *def,
    const char *file, unsigned line, unsigned col, const char *value)
{
	struct config *cfg = p->cfg;
	struct config_directive *d;
	size_t i;
	char *err;

	if ((err = outbox_directive_error(def->name, value)) != NULL ||
	    (err = mailcap_directive_error(def->name, value)) != NULL ||
	    (err = stats_directive_error(def->name, value)) != NULL ||
	    (err = smtp_directive_error(def->name, value)) != NULL) {
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0, "%s",
		    err);
		free(err);
		return;
	}
	if (strcmp(def->name, "input-journal") == 0 &&
	    !dir_journal(p, file, line, col, value))
		return;
	if (strcmp(def->name, "state-dir") == 0 && cfg->state_dir != NULL &&
	    p->check) {
		for (i = cfg->ndirectives; i > 0; i--)
			if (strcmp(cfg->directives[i - 1].name, "state-dir") == 0)
				break;
		diag_report(p->diag, DIAG_WARN, file, line, col, NULL, 0,
		    "state-dir given again: this one replaces \"%s\" (%s:%u)",
		    cfg->state_dir, cfg->directives[i - 1].file,
		    cfg->directives[i - 1].line);
	}
	cfg->directives = xreallocarray(cfg->directives, cfg->ndirectives + 1,
	    sizeof(*cfg->directives));
	d = &cfg->directives[cfg->ndirectives++];
	d->name = xstrdup(def->name);
	d->value = xstrdup(value);
	d->file = file;
	d->line = line;
	d->col = col;
	if (strcmp(def->name, "input") == 0) {
		cfg->inputs = xreallocarray(cfg->inputs, cfg->ninputs + 1,
		    sizeof(*cfg->inputs));
		cfg->inputs[cfg->ninputs++] = xstrdup(value);
	} else if (strcmp(def->name, "input-command") == 0) {
		cfg->input_commands = xreallocarray(cfg->input_commands,
		    cfg->ninput_commands + 1, sizeof(*cfg->input_commands));
		cfg->input_commands[cfg->ninput_commands++] = xstrdup(value);
	} else if (strcmp(def->name, "state-dir") == 0) {
		free(cfg->state_dir);
		cfg->state_dir = xstrdup(value);
	} else if (strcmp(def->name, "exec-timeout") == 0)
		cfg->exec_timeout = dir_count(p, def->name, file, line, col,
		    value, CFG_EXEC_TIMEOUT_MAX);
	else if (strcmp(def->name, "max-children") == 0)
		cfg->max_children = dir_count(p, def->name, file, line, col,
		    value, CFG_MAX_CHILDREN_MAX);
}

/*
 * "#% silent": a valid value on a watchfor rule; --check says what it
 * changes, since the rule's actions no longer run on its matches.
 */
static void
silent_directive(struct cfg_parser *p, const char *file, unsigned line,
    unsigned col, const char *value, const struct rule *r)
{
	struct silent_spec sp;
	char *err;

	if (silent_spec_parse(value, &sp, &err) == -1) {
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0, "%s",
		    err);
		free(err);
	} else if (r->kind != RULE_WATCHFOR)
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0,
		    "silent applies to a watchfor rule, not to %s",
		    config_rule_keyword(r->kind));
	else if (p->check)
		diag_report(p->diag, DIAG_WARN, file, line, col, NULL, 0,
		    "silent rule: its actions run only after %s without a "
		    "line matching %s%s%s (in follow mode), never on a match; "
		    "its matches go on to the next rules", sp.after_text,
		    r->pattern_text, sp.input != NULL ? " in " : "",
		    sp.input != NULL ? sp.input : "");
	silent_spec_clear(&sp);
}

static void
rule_directive(struct cfg_parser *p, const struct dir_def *def,
    const char *file, unsigned line, unsigned col, const char *value,
    struct rule *r)
{
	struct rule_directive *d;
	struct webhook_spec ws;
	size_t off;
	unsigned sample;
	char *err;
	int m;

	if (strcmp(def->name, "webhook") == 0) {
		if (r->kind == RULE_IGNORE) {
			diag_report(p->diag, DIAG_ERROR, file, line, col, NULL,
			    0, "webhook under an ignore rule never runs");
			return;
		}
		err = webhook_parse(value, &ws, &off);
		webhook_spec_clear(&ws);
		if (err != NULL) {
			diag_report(p->diag, DIAG_ERROR, file, line,
			    col + (unsigned)off, NULL, 0, "webhook: %s", err);
			free(err);
			return;
		}
	}
	if (strcmp(def->name, "throttle-digest") == 0 &&
	    digest_parse_directive(value, &sample, &err) == -1) {
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0, "%s",
		    err);
		free(err);
		return;
	}
	r->directives = xreallocarray(r->directives, r->ndirectives + 1,
	    sizeof(*r->directives));
	d = &r->directives[r->ndirectives++];
	d->name = xstrdup(def->name);
	d->value = xstrdup(value);
	d->file = file;
	d->line = line;
	d->col = col;
	if (strcmp(def->name, "silent") == 0)
		silent_directive(p, file, line, col, value, r);
	/* Samples are checked by --check only; a normal run trusts them. */
	if (!p->check || def->sample == 0 || r->pattern == NULL)
		return;
	m = pattern_match(r->pattern, value, strlen(value), NULL);
	if (def->sample > 0 && m != 1)
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0,
		    "sample line does not match the pattern %s",
		    r->pattern_text);
	else if (def->sample < 0 && m == 1)
		diag_report(p->diag, DIAG_ERROR, file, line, col, NULL, 0,
		    "sample line matches the pattern %s", r->pattern_text);
}

void
cfg_directive(struct cfg_parser *p, const char *file, const struct lline *ll,
    struct rule *cur, bool dead)
{
	const char *t = cfg_text(ll);
	const struct dir_def *def;
	size_t n = ll->text.len, nb, ne, vb;
	unsigned line, col;
	char *name;

	if (memchr(t, '\0', n) != NULL) {
		cfg_report(p, DIAG_ERROR, file, ll, (size_t)((const char *)
		    memchr(t, '\0', n) - t), "%s", "NUL byte in a directive");
		return;
	}
	for (nb = 2; nb < n && cfg_space(t[nb]); nb++)
		;
	for (ne = nb; ne < n && !cfg_space(t[ne]); ne++)
		;
	for (vb = ne; vb < n && cfg_space(t[vb]); vb++)
		;
	if (nb == ne) {
		cfg_report(p, DIAG_ERROR, file, ll, nb, "%s",
		    "a directive name must follow \"#%\"");
		return;
	}
	name = xstrndup(t + nb, ne - nb);
	if (!dir_name_ok(name)) {
		cfg_report(p, DIAG_ERROR, file, ll, nb, "bad directive name "
		    "\"%s\": write \"#%% name value\", the name in [a-z0-9-]",
		    name);
		goto done;
	}
	def = dir_find(name);
	if (def == NULL) {
		cfg_report(p, DIAG_ERROR, file, ll, nb,
		    "unknown directive \"%s\"", name);
		goto done;
	}
	if (vb == n) {
		cfg_report(p, DIAG_ERROR, file, ll, ne,
		    "directive \"%s\" needs a value", name);
		goto done;
	}
	if (p->check && t[n - 1] == '\\')
		cfg_report(p, DIAG_WARN, file, ll, n - 1, "%s", "a directive "
		    "cannot be continued: the `\\` is part of the value");
	lline_pos(ll, vb, &line, &col);
	if (def->scope == DIR_GLOBAL)
		global_directive(p, def, file, line, col, t + vb);
	else if (cur == NULL && !dead)
		cfg_report(p, DIAG_ERROR, file, ll, nb, "directive \"%s\" must "
		    "follow a watchfor, ignore or waitfor line", name);
	else if (!dead)
		rule_directive(p, def, file, line, col, t + vb, cur);
done:
	free(name);
}

