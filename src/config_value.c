/*
 * Action values (spec section 7): the text after an action name is split
 * on every comma; each piece is either an option `name=value` (found by
 * swatchdog's unanchored regex `(\w+)\s*=\s*"?(\S+[^"]*)`) or a bare
 * piece, the action's default argument. Values stay raw: Perl-string
 * interpolation and escapes (`\"` is `"`, `\@` is `@`) are the subst
 * module's job, which is how watchfor fixes B3 and B17. Also here: the
 * action name table. Running actions is left to the action modules.
 */
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "diag.h"
#include "log.h"

/* Sorted; indexed like enum action_kind. */
static const char *const action_names[] = {
	"bell", "continue", "echo", "exec", "mail", "pipe", "quit", "write",
};

static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

enum action_kind
config_action_kind(const char *name)
{
	const char *const *hit;

	hit = bsearch(name, action_names,
	    sizeof(action_names) / sizeof(action_names[0]),
	    sizeof(action_names[0]), name_cmp);
	if (hit == NULL)
		return ACT_UNKNOWN;
	return (enum action_kind)(hit - action_names);
}

const char *
cfg_action_name(enum action_kind kind)
{
	if ((size_t)kind >= sizeof(action_names) / sizeof(action_names[0]))
		fatalx("config: unknown action kind %d", (int)kind);
	return action_names[kind];
}

/* Option names some action reads (spec section 7), sorted. */
static const char *const common_opts[] = {
	"COUNT", "MESSAGE", "SECONDS", "THRESHOLDING", "TRACK_BY", "TYPE",
	"WHEN",
};

static bool
in_table(const char *name, const char *const *tab, size_t n)
{
	return bsearch(name, tab, n, sizeof(tab[0]), name_cmp) != NULL;
}

static bool
known_option(enum action_kind kind, const char *name)
{
	static const char *const bell[] = { "DELAY", "RINGS" };
	static const char *const cmd[] = { "COMMAND" };
	static const char *const pipe[] = { "COMMAND", "KEEP_OPEN" };
	static const char *const mail[] = { "ADDRESSES", "FROM", "MAILER",
	    "SMTP_CA_FILE", "SMTP_HOST", "SMTP_PASSWORD_FILE", "SMTP_PORT",
	    "SMTP_STARTTLS", "SMTP_TIMEOUT", "SMTP_TLS_VERIFY", "SMTP_USER",
	    "SUBJECT", "TRANSPORT" };
	static const char *const wr[] = { "USERS", "WRITE" };
	static const char *const thl[] = { "EXTRA_CUTS", "KEY", "THRESHOLD",
	    "TIME_FROM", "TIME_REGEX" };

	if (in_table(name, common_opts,
	    sizeof(common_opts) / sizeof(common_opts[0])))
		return true;
	switch (kind) {
	case ACT_BELL:
		return in_table(name, bell, 2);
	case ACT_EXEC:
		return in_table(name, cmd, 1);
	case ACT_PIPE:
		return in_table(name, pipe, 2);
	case ACT_MAIL:
		return in_table(name, mail, sizeof(mail) / sizeof(mail[0]));
	case ACT_WRITE:
		return in_table(name, wr, 2);
	case ACT_ECHO:
		return strcmp(name, "MODES") == 0;
	case ACT_THROTTLE:
		return in_table(name, thl, 5);
	case ACT_THRESHOLD:
		return true;	/* the common options */
	case ACT_CONTINUE:
	case ACT_QUIT:
	case ACT_UNKNOWN:
		return true;	/* values are ignored / not ours */
	default:
		fatalx("config: unknown action kind %d", (int)kind);
	}
}

/* What the bare piece of each action is, for messages. */
static const char *
arg_role(enum action_kind kind)
{
	switch (kind) {
	case ACT_BELL:
		return "ring count";
	case ACT_EXEC:
	case ACT_PIPE:
		return "command";
	case ACT_MAIL:
		return "addresses";
	case ACT_WRITE:
		return "users";
	case ACT_THROTTLE:
		return "hold time";
	default:
		return "argument";
	}
}

/*
 * swatchdog's option regex on one piece, leftmost match. Returns false
 * when the piece is not an option.
 */
static bool
match_option(const char *s, size_t n, size_t *noff, size_t *nlen,
    size_t *voff, size_t *vlen)
{
	size_t start, e, j, k;
	bool quoted;

	for (start = 0; start < n; start++) {
		if (!cfg_word(s[start]))
			continue;
		/* A shorter \w+ run is followed by \w: only the longest. */
		for (e = start; e < n && cfg_word(s[e]); e++)
			;
		for (j = e; j < n && cfg_space(s[j]); j++)
			;
		if (j >= n || s[j] != '=') {
			start = e - 1;	/* same failure inside the word */
			continue;
		}
		for (j++; j < n && cfg_space(s[j]); j++)
			;
		if (j >= n) {
			start = e - 1;
			continue;
		}
		/* "? is skipped only if \S follows it. */
		quoted = s[j] == '"' && j + 1 < n && !cfg_space(s[j + 1]);
		if (quoted)
			j++;
		for (k = j; k < n && !cfg_space(s[k]); k++)
			;
		/*
		 * swatchdog's \S+ also takes the closing quote of a quoted
		 * word (message="Hi" gives Hi", which breaks its generated
		 * Perl): watchfor drops that quote (err-option-quoted-word).
		 */
		if (quoted && k > j + 1 && s[k - 1] == '"' &&
		    memchr(s + k, '"', n - k) == NULL)
			k--;
		else
			for (; k < n && s[k] != '"'; k++)
				;
		*noff = start;
		*nlen = e - start;
		*voff = j;
		*vlen = k - j;
		return true;
	}
	return false;
}

static unsigned
col_of(const struct cfg_vctx *vc, size_t off, unsigned *line)
{
	unsigned l, c;

	lline_pos(vc->ll, vc->voff + off, &l, &c);
	if (line != NULL)
		*line = l;
	return c;
}

static void
vreport(const struct cfg_vctx *vc, enum diag_kind kind, size_t off,
    const char *msg)
{
	unsigned line, col;

	if (kind == DIAG_WARN && !vc->p->check)
		return;
	col = col_of(vc, off, &line);
	diag_report(vc->p->diag, kind, vc->file, line, col, NULL, 0, "%s",
	    msg);
}

static void
set_opt(struct action *a, const char *name, const char *v, size_t vlen,
    unsigned col)
{
	size_t i;

	for (i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i].name, name) == 0) {
			free(a->opts[i].value);
			a->opts[i].value = xstrndup(v, vlen);
			a->opts[i].col = col;
			return;
		}
	}
	a->opts = xreallocarray(a->opts, a->nopts + 1, sizeof(*a->opts));
	a->opts[a->nopts].name = xstrdup(name);
	a->opts[a->nopts].value = xstrndup(v, vlen);
	a->opts[a->nopts].col = col;
	a->nopts++;
}

static void
add_mode(struct action *a, const char *v, size_t vlen, unsigned col)
{
	a->modes = xreallocarray(a->modes, a->nmodes + 1, sizeof(*a->modes));
	a->mode_cols = xreallocarray(a->mode_cols, a->nmodes + 1,
	    sizeof(*a->mode_cols));
	a->modes[a->nmodes] = xstrndup(v, vlen);
	a->mode_cols[a->nmodes] = col;
	a->nmodes++;
}

/*
 * An echo mode is split on whitespace by Term::ANSIColor: a word that
 * starts with `#` is a trailing comment swatchdog dies on. Returns the
 * offset of that `#` within s, or -1.
 */
static ssize_t
mode_comment(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || cfg_space(s[i - 1])))
			return (ssize_t)i;
	return -1;
}


struct vstate {
	struct action		*a;
	const struct cfg_vctx	*vc;
	const char		*value;
	unsigned		 nbare;		/* bare pieces seen */
	size_t			 first_comma;	/* offset, or (size_t)-1 */
	bool			 ok;
	bool			 comment_done;
};

/* `mode`: s is an echo mode, where a `#` word kills swatchdog. */
static void
comment_check(struct vstate *st, const char *s, size_t n, size_t off,
    bool mode)
{
	ssize_t h;
	char *msg;

	if (st->comment_done || st->a->kind == ACT_CONTINUE ||
	    st->a->kind == ACT_QUIT || (h = mode_comment(s, n)) < 0)
		return;
	st->comment_done = true;
	if (mode) {
		vreport(st->vc, DIAG_ERROR, off + (size_t)h, "trailing comment "
		    "on an action line: put the comment on its own line");
		st->ok = false;
		return;
	}
	if (st->a->kind == ACT_EXEC || st->a->kind == ACT_PIPE)
		msg = xasprintf("`#` does not start a comment here: `%.*s` is "
		    "passed to the command", (int)(n - (size_t)h),
		    s + h);
	else
		msg = xasprintf("`#` does not start a comment here: `%.*s` is "
		    "part of the value", (int)(n - (size_t)h), s + h);
	vreport(st->vc, DIAG_WARN, off + (size_t)h, msg);
	free(msg);
}

static void
option_piece(struct vstate *st, const char *s, size_t n, size_t off,
    size_t noff, size_t nlen, size_t voff, size_t vlen)
{
	struct action *a = st->a;
	char name[128], *msg;
	size_t i, lead;
	unsigned col;
	bool warned = false;

	if (nlen >= sizeof(name))
		nlen = sizeof(name) - 1;
	for (i = 0; i < nlen; i++)
		name[i] = (s[noff + i] >= 'a' && s[noff + i] <= 'z') ?
		    (char)(s[noff + i] - 'a' + 'A') : s[noff + i];
	name[nlen] = '\0';
	col = col_of(st->vc, off + noff, NULL);

	for (lead = 0; lead < n && cfg_space(s[lead]); lead++)
		;
	if (noff > lead) {
		msg = xasprintf("`%.*s` inside the %s is taken as option %s",
		    (int)(voff + vlen - noff), s + noff,
		    (a->kind == ACT_EXEC || a->kind == ACT_PIPE) ?
		    "command" : "value", name);
		vreport(st->vc, DIAG_WARN, off + noff, msg);
		free(msg);
		warned = true;
	}
	if (a->kind == ACT_ECHO && strcmp(name, "MODES") == 0) {
		/* B8: swatchdog crashes on modes=; take it as modes. */
		vreport(st->vc, DIAG_WARN, off + noff, "swatchdog cannot run "
		    "`modes=` (it crashes); watchfor takes the value as modes");
		comment_check(st, s + voff, vlen, off + voff, true);
		add_mode(a, s + voff, vlen, col_of(st->vc, off + voff, NULL));
		return;
	}
	if (!warned && !known_option(a->kind, name)) {
		msg = xasprintf("option %s is not used by the %s action", name,
		    a->name);
		vreport(st->vc, DIAG_WARN, off + noff, msg);
		free(msg);
	}
	comment_check(st, s + voff, vlen, off + voff, false);
	set_opt(a, name, s + voff, vlen, col);
}

static void
bare_piece(struct vstate *st, const char *s, size_t n, size_t off)
{
	struct action *a = st->a;
	size_t b = 0, e = n;

	while (b < e && cfg_space(s[b]))
		b++;
	/* /^['"]\s*(.*)\s*['"]$/: the two quotes need not match. */
	if (e - b >= 2 && (s[b] == '\'' || s[b] == '"') &&
	    (s[e - 1] == '\'' || s[e - 1] == '"')) {
		b++;
		e--;
		while (b < e && cfg_space(s[b]))
			b++;
	}
	comment_check(st, s + b, e - b, off + b, a->kind == ACT_ECHO);
	if (a->kind == ACT_ECHO) {
		add_mode(a, s + b, e - b, col_of(st->vc, off + b, NULL));
		return;
	}
	if (a->kind == ACT_PIPE && e - b == 9 && memcmp(s + b, "keep_open",
	    9) == 0) {
		/* B9: the documented flag, not a command. */
		vreport(st->vc, DIAG_WARN, off + b, "swatchdog runs `keep_open` "
		    "as the command here (it needs keep_open=1); watchfor takes "
		    "it as the keep_open flag");
		set_opt(a, "KEEP_OPEN", "1", 1, col_of(st->vc, off + b, NULL));
		return;
	}
	st->nbare++;
	free(a->arg);
	a->arg = xstrndup(s + b, e - b);
	a->arg_col = col_of(st->vc, off + b, NULL);
}

/* Perl's split(/,/): trailing empty fields are dropped. */
static size_t
last_field_end(const char *v, size_t len)
{
	while (len > 0 && v[len - 1] == ',')
		len--;
	return len;
}

bool
cfg_parse_action_value(struct action *a, const char *value, size_t len,
    const struct cfg_vctx *vc)
{
	struct vstate st = { 0 };
	size_t pos, end, n, noff, nlen, voff, vlen;
	const char *comma;
	char *msg;

	st.a = a;
	st.vc = vc;
	st.value = value;
	st.ok = true;
	st.first_comma = (size_t)-1;
	len = last_field_end(value, len);
	for (pos = 0; pos < len; pos = end + 1) {
		comma = memchr(value + pos, ',', len - pos);
		end = comma != NULL ? (size_t)(comma - value) : len;
		if (comma != NULL && st.first_comma == (size_t)-1)
			st.first_comma = end;
		n = end - pos;
		if (match_option(value + pos, n, &noff, &nlen, &voff, &vlen))
			option_piece(&st, value + pos, n, pos, noff, nlen, voff,
			    vlen);
		else
			bare_piece(&st, value + pos, n, pos);
		if (comma == NULL)
			break;
	}
	if (st.nbare > 1) {
		if (a->kind == ACT_EXEC || a->kind == ACT_PIPE)
			msg = xasprintf("comma splits this %s command: only "
			    "`%s` runs", a->name, a->arg);
		else
			msg = xasprintf("comma splits this %s value: only `%s` "
			    "is kept as the %s", a->name, a->arg,
			    arg_role(a->kind));
		vreport(vc, DIAG_WARN, st.first_comma, msg);
		free(msg);
	}
	return st.ok;
}

void
cfg_action_clear(struct action *a)
{
	size_t i;

	free(a->name);
	free(a->value);
	free(a->arg);
	for (i = 0; i < a->nmodes; i++)
		free(a->modes[i]);
	free(a->modes);
	free(a->mode_cols);
	for (i = 0; i < a->nopts; i++) {
		free(a->opts[i].name);
		free(a->opts[i].value);
	}
	free(a->opts);
	memset(a, 0, sizeof(*a));
}
