/*
 * The command line. Reproduces, byte for byte, how swatchdog 3.2.4 parses
 * its options: Getopt::Long 2.52 configured with "bundling" (spec section
 * 1), including prefix abbreviations, case folding of long names, '+' as
 * an option start, the order and text of every error message, the usage
 * text, and POSIXLY_CORRECT. watchfor's own long options are recognised
 * only when spelled in full, before the Getopt::Long emulation sees an
 * argument, so they never change what swatchdog's options mean.
 *
 * Also the --help and --version texts and swatchdog's --restart-time
 * arithmetic. What to do with the options (the order of --help,
 * --version, restart-time validation, the exit) is left to main.c.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "util.h"

/*
 * swatchdog's option table (sw:108-129) as Getopt::Long stores it: one
 * key per name, long names in lower case, single letters as given, and a
 * negatable option under three keys. Sorted as Perl's sort() orders the
 * keys (bytewise), because the ambiguity message lists them in this
 * order. Several keys of one option share an `id`.
 */
enum opt_id {
	OPT_AWK, OPT_CONFIG, OPT_DAEMON, OPT_DEBUG, OPT_DUMP, OPT_EXAMINE,
	OPT_INCDIR, OPT_MODULE, OPT_HELP, OPT_IRS, OPT_OLD, OPT_PIDFILE,
	OPT_RESTART, OPT_TAILARGS, OPT_TAILPROG, OPT_TAILFILE, OPT_PIPE,
	OPT_SCRIPTDIR, OPT_CPAN, OPT_VERSION
};

enum opt_type {
	TYPE_FLAG,		/* "" in Getopt::Long: sets 1 */
	TYPE_NEG,		/* "!" under a no/no- key: sets 0 */
	TYPE_STR,		/* "=s": a value is required */
	TYPE_OPTSTR,		/* ":s": a value may follow */
	TYPE_OPTINT		/* ":i": a number may follow */
};

struct optkey {
	const char	*key;
	enum opt_id	 id;
	enum opt_type	 type;
};

static const struct optkey optkeys[] = {
	{ "I",			OPT_INCDIR,	TYPE_STR },
	{ "M",			OPT_MODULE,	TYPE_STR },
	{ "O",			OPT_OLD,	TYPE_FLAG },
	{ "V",			OPT_VERSION,	TYPE_FLAG },
	{ "awk-field-syntax",	OPT_AWK,	TYPE_FLAG },
	{ "c",			OPT_CONFIG,	TYPE_STR },
	{ "config-file",	OPT_CONFIG,	TYPE_STR },
	{ "daemon",		OPT_DAEMON,	TYPE_FLAG },
	{ "debug",		OPT_DEBUG,	TYPE_OPTINT },
	{ "dump-script",	OPT_DUMP,	TYPE_OPTSTR },
	{ "examine",		OPT_EXAMINE,	TYPE_STR },
	{ "extra-include-dir",	OPT_INCDIR,	TYPE_STR },
	{ "extra-module",	OPT_MODULE,	TYPE_STR },
	{ "f",			OPT_EXAMINE,	TYPE_STR },
	{ "h",			OPT_HELP,	TYPE_FLAG },
	{ "help",		OPT_HELP,	TYPE_FLAG },
	{ "input-record-separator", OPT_IRS,	TYPE_OPTSTR },
	{ "no-awk-field-syntax", OPT_AWK,	TYPE_NEG },
	{ "noawk-field-syntax",	OPT_AWK,	TYPE_NEG },
	{ "old-style-config",	OPT_OLD,	TYPE_FLAG },
	{ "p",			OPT_PIPE,	TYPE_STR },
	{ "pid-file",		OPT_PIDFILE,	TYPE_STR },
	{ "r",			OPT_RESTART,	TYPE_STR },
	{ "read-pipe",		OPT_PIPE,	TYPE_STR },
	{ "restart-time",	OPT_RESTART,	TYPE_STR },
	{ "script-dir",		OPT_SCRIPTDIR,	TYPE_STR },
	{ "t",			OPT_TAILFILE,	TYPE_STR },
	{ "tail-args",		OPT_TAILARGS,	TYPE_STR },
	{ "tail-file",		OPT_TAILFILE,	TYPE_STR },
	{ "tail-program-name",	OPT_TAILPROG,	TYPE_STR },
	{ "use-cpan-file-tail",	OPT_CPAN,	TYPE_FLAG },
	{ "version",		OPT_VERSION,	TYPE_FLAG },
};
#define NOPTKEYS	(sizeof(optkeys) / sizeof(optkeys[0]))

/* The canonical name of each option, for resolving an abbreviation. */
static const char *const cnames[] = {
	[OPT_AWK] = "awk-field-syntax",
	[OPT_CONFIG] = "config-file",
	[OPT_DAEMON] = "daemon",
	[OPT_DEBUG] = "debug",
	[OPT_DUMP] = "dump-script",
	[OPT_EXAMINE] = "examine",
	[OPT_INCDIR] = "extra-include-dir",
	[OPT_MODULE] = "extra-module",
	[OPT_HELP] = "help",
	[OPT_IRS] = "input-record-separator",
	[OPT_OLD] = "old-style-config",
	[OPT_PIDFILE] = "pid-file",
	[OPT_RESTART] = "restart-time",
	[OPT_TAILARGS] = "tail-args",
	[OPT_TAILPROG] = "tail-program-name",
	[OPT_TAILFILE] = "tail-file",
	[OPT_PIPE] = "read-pipe",
	[OPT_SCRIPTDIR] = "script-dir",
	[OPT_CPAN] = "use-cpan-file-tail",
	[OPT_VERSION] = "version",
};

/*
 * watchfor's own long options: recognised only as exactly "--name" (or
 * "--name=value" for those with a value), case included. Sorted by name.
 * To add one: a field in struct opts and a line here.
 */
enum own_kind { OWN_FLAG, OWN_STR };

struct ownopt {
	const char	*name;
	enum own_kind	 kind;
	size_t		 off;		/* of the bool or char * in opts */
};

static const struct ownopt ownopts[] = {
	{ "check",	OWN_FLAG,	offsetof(struct opts, check) },
	{ "mail-test",	OWN_STR,	offsetof(struct opts, mail_test) },
	{ "state-dir",	OWN_STR,	offsetof(struct opts, state_dir) },
	{ "stats-file",	OWN_STR,	offsetof(struct opts, stats_file) },
	{ "stats-interval", OWN_STR,	offsetof(struct opts, stats_interval) },
	{ "test",	OWN_STR,	offsetof(struct opts, test_file) },
	{ "verbose",	OWN_FLAG,	offsetof(struct opts, verbose) },
};

/* pod2usage's output for swatchdog (sw:1029-1051), verified byte for byte. */
static const char swatchdog_usage[] =
    "Usage:\n"
    "    swatchdog [ --awk-field-syntax ] [ --config-file|-c file ] "
    "[ --daemon ]\n"
    "    [ --extra-include-dir|-I path ] [ --extra-module|-M module_name ] "
    "[\n"
    "    --help|-h ] [ --input-record-separator regex ] "
    "[ --old-style-config|-O ]\n"
    "    [ --pid-file file ] [ --restart-time|-r time ] "
    "[ --script-dir path ] [\n"
    "    --tail-args arguments_for_tail_program ] "
    "[ --tail-program-name filename\n"
    "    ] [ --version|-V ] [ --use-cpan-file-tail ] [ [ --examine|-f\n"
    "    file_to_examine ] | [ --read-pipe|-p program_to_pipe_from ] | [\n"
    "    --tail-file|-t file_to_tail ] ] [ --debug [ level ] ] "
    "[ --dump-script\n"
    "    filename ]\n"
    "\n";

static const char watchfor_help[] =
    "Usage: watchfor [OPTION]...\n"
    "Follow logs, match each line against the rules of a swatchdog-style\n"
    "config, and run their actions. A drop-in replacement for swatchdog.\n"
    "\n"
    "Input (the first given wins; default /var/log/messages, else\n"
    "/var/log/syslog):\n"
    "  -f, --examine FILE          read FILE once from the start, then exit\n"
    "  -p, --read-pipe CMD         read the output of CMD until it ends\n"
    "  -t, --tail-file FILE        follow FILE (repeatable)\n"
    "      --tail-args ARGS        swatchdog's tail arguments (-n 0 -F)\n"
    "      --tail-program-name P   swatchdog's tail program\n"
    "      --use-cpan-file-tail    swatchdog's File::Tail follower\n"
    "      --input-record-separator [SEP]\n"
    "                              end of a record: SEP with \\n, \\t, \\0\n"
    "                              escapes; empty means paragraph mode\n"
    "\n"
    "Config:\n"
    "  -c, --config-file FILE      the rules (default ~/.swatchdogrc)\n"
    "  -O, --old-style-config      read FILE in the old swatch format\n"
    "      --awk-field-syntax      $N in exec and pipe is the Nth field\n"
    "      --noawk-field-syntax    $N is the Nth capture (the default)\n"
    "      --check                 check the config (and its sample lines),\n"
    "                              print every problem as file:line:col,\n"
    "                              exit non-zero if any\n"
    "      --test FILE             show which rule each line of FILE hits\n"
    "                              and what would be done, doing nothing\n"
    "      --mail-test ADDRESS     send a test mail to ADDRESS through the\n"
    "                              config's mail transport, say whether it\n"
    "                              was accepted (exit 0) or not\n"
    "\n"
    "Running:\n"
    "      --daemon                detach from the terminal\n"
    "      --pid-file FILE         write the watcher's pid to FILE\n"
    "  -r, --restart-time TIME     reload at TIME (HH:MM, 11:30pm) or\n"
    "                              every +H:M\n"
    "      --state-dir DIR         keep offsets and the mail spool in DIR\n"
    "      --stats-file PATH       write the counters to PATH in Prometheus'\n"
    "                              text format (node_exporter's textfile\n"
    "                              collector)\n"
    "      --stats-interval TIME   how often (default 60s; 500ms, 5m...)\n"
    "      --verbose               say more about what is done\n"
    "      --debug [LEVEL]         swatchdog's debug bit mask\n"
    "\n"
    "swatchdog's Perl-specific options (accepted for compatibility):\n"
    "  -M, --extra-module MODULE   -I, --extra-include-dir DIR\n"
    "      --script-dir DIR        --dump-script [FILE]\n"
    "\n"
    "  -h, --help                  this help, then exit\n"
    "  -V, --version               the version, then exit\n"
    "\n"
    "Long options may be abbreviated to a unique prefix, except watchfor's\n"
    "own (--check, --test, --mail-test, --state-dir, --stats-file,\n"
    "--stats-interval, --verbose). Single letters bundle:\n"
    "-Oc FILE. Invoked as swatchdog, --help and --version print\n"
    "swatchdog's texts. See watchfor(8) and watchfor.conf(5).\n";

static const char watchfor_version[] =
    "watchfor " WATCHFOR_VERSION "\n"
    "Copyright (c) 2026 The watchfor authors. MIT License; no warranty.\n";

/*
 * The arguments still to read, as Getopt::Long's @ARGV: it shifts one off
 * the front, and may put one back (a value it did not take) or put a new
 * one there (the rest of a bundle, "-" + rest). Each shift is followed by
 * at most one unshift, so the front never runs out of room.
 */
struct args {
	char	**v;
	size_t	 front;
	size_t	 n;
	char	**made;			/* made here, freed at the end */
	size_t	 nmade;
};

struct parser {
	struct opts	*o;
	struct args	 a;
	struct buf	 msg;		/* the error messages, in order */
	int		 errors;
	bool		 posix;		/* POSIXLY_CORRECT was set */
};

static void	 args_init(struct args *, int, char *[]);
static void	 args_free(struct args *);
static char	*args_shift(struct args *);
static void	 args_unshift(struct args *, char *);
static void	 args_unshift_rest(struct args *, const char *, const char *);
static bool	 args_empty(const struct args *);

static void
args_init(struct args *a, int argc, char *argv[])
{
	int i;

	a->v = xreallocarray(NULL, argc > 0 ? argc : 1, sizeof(*a->v));
	a->front = 0;
	a->n = 0;
	for (i = 1; i < argc; i++)
		a->v[a->n++] = argv[i];
	a->made = NULL;
	a->nmade = 0;
}

static void
args_free(struct args *a)
{
	size_t i;

	for (i = 0; i < a->nmade; i++)
		free(a->made[i]);
	free(a->made);
	free(a->v);
}

static bool
args_empty(const struct args *a)
{
	return a->front == a->n;
}

static char *
args_shift(struct args *a)
{
	return a->v[a->front++];
}

static void
args_unshift(struct args *a, char *s)
{
	if (a->front == 0)
		abort();	/* cannot happen: see struct args */
	a->v[--a->front] = s;
}

/* Puts back "starter" + "rest" as a new argument (an unfinished bundle). */
static void
args_unshift_rest(struct args *a, const char *starter, const char *rest)
{
	char *s;

	s = xasprintf("%s%s", starter, rest);
	a->made = xreallocarray(a->made, a->nmade + 1, sizeof(*a->made));
	a->made[a->nmade++] = s;
	args_unshift(a, s);
}

/* Perl's lc() on a byte string: ASCII letters only. */
static char *
ascii_lower(const char *s)
{
	char *r, *p;

	r = xstrdup(s);
	for (p = r; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = *p - 'A' + 'a';
	return r;
}

static const struct optkey *
optkey_find(const char *key)
{
	size_t i;

	for (i = 0; i < NOPTKEYS; i++)
		if (strcmp(optkeys[i].key, key) == 0)
			return &optkeys[i];
	return NULL;
}

static void
parse_error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
parse_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	buf_adds(&p->msg, s);
	free(s);
	p->errors++;
}

/* Does `s` start with one of the option starters in force? */
static size_t
starter_len(const struct parser *p, const char *s)
{
	if (s[0] == '-' && s[1] == '-')
		return 2;
	if (s[0] == '-' || (s[0] == '+' && !p->posix))
		return 1;
	return 0;
}

/*
 * Getopt::Long's test for "this looks like an option, not a value" of an
 * optional string: $arg eq '--' || $arg =~ /^$prefix.+/ (no /s, so the
 * character after the starter must not be a newline).
 */
static bool
looks_like_option(const struct parser *p, const char *s)
{
	if (strcmp(s, "--") == 0)
		return true;
	return (s[0] == '-' || (s[0] == '+' && !p->posix)) &&
	    s[1] != '\0' && s[1] != '\n';
}

/*
 * PAT_INT, /^[-+]?_*[0-9][0-9_]*$/ ('$' allows one final newline), then
 * 0+$arg with the underscores removed. Numbers past a long are clamped
 * (Perl would make them floating point).
 */
static bool
parse_int(const char *s, long *val)
{
	const char *q = s;
	bool neg = false, digit = false;
	unsigned long long v = 0;

	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	while (*q == '_')
		q++;
	if (!isdigit((unsigned char)*q))
		return false;
	for (; isdigit((unsigned char)*q) || *q == '_'; q++) {
		if (*q == '_')
			continue;
		digit = true;
		if (v <= (unsigned long long)LONG_MAX + 1)
			v = v * 10 + (unsigned)(*q - '0');
	}
	if (!digit || !(*q == '\0' || (q[0] == '\n' && q[1] == '\0')))
		return false;
	if (neg)
		*val = v > (unsigned long long)LONG_MAX + 1 ? LONG_MIN :
		    v == (unsigned long long)LONG_MAX + 1 ? LONG_MIN :
		    -(long)v;
	else
		*val = v > LONG_MAX ? LONG_MAX : (long)v;
	return true;
}

static void
list_add(char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(s);
}

static void
set_str(char **field, const char *s)
{
	free(*field);
	*field = xstrdup(s);
}

/* Stores one option's value, as swatchdog's linkage does. */
static void
store(struct opts *o, enum opt_id id, const char *sval, long ival)
{
	switch (id) {
	case OPT_AWK:
		o->awk_field_syntax = ival != 0;
		break;
	case OPT_CONFIG:
		set_str(&o->config_file, sval);
		break;
	case OPT_DAEMON:
		o->daemon = true;
		break;
	case OPT_DEBUG:
		o->debug_set = true;
		o->debug = ival;
		break;
	case OPT_DUMP:
		o->dump_script_set = true;
		set_str(&o->dump_script, sval);
		break;
	case OPT_EXAMINE:
		set_str(&o->examine, sval);
		break;
	case OPT_INCDIR:
		list_add(&o->extra_include_dirs, &o->nextra_include_dirs, sval);
		break;
	case OPT_MODULE:
		list_add(&o->extra_modules, &o->nextra_modules, sval);
		break;
	case OPT_HELP:
		o->help = true;
		break;
	case OPT_IRS:
		o->irs_set = true;
		set_str(&o->irs, sval);
		break;
	case OPT_OLD:
		o->old_style = true;
		break;
	case OPT_PIDFILE:
		set_str(&o->pid_file, sval);
		break;
	case OPT_RESTART:
		set_str(&o->restart_time, sval);
		break;
	case OPT_TAILARGS:
		set_str(&o->tail_args, sval);
		break;
	case OPT_TAILPROG:
		set_str(&o->tail_program, sval);
		break;
	case OPT_TAILFILE:
		/* watchfor: repeatable; swatchdog keeps only the last */
		list_add(&o->tail_files, &o->ntail_files, sval);
		break;
	case OPT_PIPE:
		set_str(&o->read_pipe, sval);
		break;
	case OPT_SCRIPTDIR:
		set_str(&o->script_dir, sval);
		break;
	case OPT_CPAN:
		o->use_cpan_file_tail = true;
		break;
	case OPT_VERSION:
		o->version = true;
		break;
	default:
		abort();
	}
}

/*
 * Getopt::Long's auto-abbreviation (FindOption): `name` is the option
 * name in lower case. Returns the key to look up (borrowed from the table
 * or `name`), or NULL after reporting an ambiguous prefix.
 */
static const char *
abbrev(struct parser *p, const char *name)
{
	const struct optkey *hits[NOPTKEYS], *hit = NULL;
	size_t nhits = 0, i, len = strlen(name);
	bool exact = false, same = true;
	struct buf b = { 0 };

	for (i = 0; i < NOPTKEYS; i++) {
		if (strncmp(optkeys[i].key, name, len) != 0)
			continue;
		hits[nhits++] = &optkeys[i];
		if (optkeys[i].key[len] == '\0')
			exact = true;
	}
	if (nhits == 0 || exact)
		return name;
	if (nhits == 1)
		return hits[0]->key;
	/*
	 * Several keys: still unambiguous if all are one option (for a
	 * negatable one, all "no" forms). It then resolves to the canonical
	 * name, "no" + name for the negation.
	 */
	for (i = 0; i < nhits; i++) {
		if (hit == NULL)
			hit = hits[i];
		else if (hits[i]->id != hit->id ||
		    (hits[i]->type == TYPE_NEG) != (hit->type == TYPE_NEG))
			same = false;
	}
	if (same)	/* the only negatable option is awk-field-syntax */
		return hit->type == TYPE_NEG ? "noawk-field-syntax" :
		    cnames[hit->id];
	for (i = 0; i < nhits; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, hits[i]->key);
	}
	parse_error(p, "Option %s is ambiguous (%s)\n", name, b.data);
	buf_free(&b);
	return NULL;
}

/* A value was found for `k` under the name `opt`: take it. */
static void
take_value(struct parser *p, const struct optkey *k, const char *opt,
    const char *eqval, const char *rest)
{
	const char *arg;
	long ival = 0;
	bool have;

	/* Is a value there at all: after '=', in the bundle, or next? */
	if (eqval != NULL)
		have = eqval[0] != '\0';
	else
		have = rest != NULL || !args_empty(&p->a);
	if (!have) {
		if (k->type == TYPE_STR) {
			parse_error(p, "Option %s requires an argument\n", opt);
			return;
		}
		store(p->o, k->id, "", 0);
		return;
	}
	arg = rest != NULL ? rest : eqval != NULL ? eqval :
	    args_shift(&p->a);

	switch (k->type) {
	case TYPE_STR:
		store(p->o, k->id, arg, 0);
		return;
	case TYPE_OPTSTR:
		if (eqval == NULL && rest == NULL && strcmp(arg, "-") != 0 &&
		    looks_like_option(p, arg)) {
			args_unshift(&p->a, (char *)arg);
			arg = "";
		}
		store(p->o, k->id, arg, 0);
		return;
	case TYPE_OPTINT:
		/*
		 * Getopt::Long would also take a number from the front of a
		 * bundle; no single-letter option takes an optional number.
		 */
		if (parse_int(arg, &ival)) {
			store(p->o, k->id, NULL, ival);
			return;
		}
		if (eqval != NULL) {
			parse_error(p, "Value \"%s\" invalid for option %s "
			    "(number expected)\n", arg, opt);
			return;
		}
		args_unshift(&p->a, (char *)arg);
		store(p->o, k->id, NULL, 0);
		return;
	default:
		abort();
	}
}

/*
 * One argument that starts like an option (FindOption and the handling
 * after it). `arg` is the whole argument, `slen` its starter's length.
 */
static void
one_option(struct parser *p, const char *arg, size_t slen)
{
	char starter[3], *name, *lname = NULL, *eqval = NULL;
	const char *tryopt, *rest = NULL, *eq, *msgname;
	const struct optkey *k;
	char one[2];

	memcpy(starter, arg, slen);
	starter[slen] = '\0';
	name = xstrdup(arg + slen);
	/* --name=value; the '=' must not be the first character. */
	if (slen == 2 && name[0] != '\0' && (eq = strchr(name + 1, '=')) !=
	    NULL) {
		eqval = xstrdup(eq + 1);
		name[eq - name] = '\0';
	}

	if (slen == 1 && starter[0] == '-') {
		/* Bundling: one letter, the rest is for later. */
		one[0] = name[0];
		one[1] = '\0';
		tryopt = one;
		if (name[0] != '\0' && name[1] != '\0')
			rest = arg + slen + 1;
	} else if (!p->posix && name[0] != '\0') {
		lname = ascii_lower(name);
		if ((tryopt = abbrev(p, lname)) == NULL)
			goto done;
	} else {
		/* No abbreviation (POSIXLY_CORRECT, or a bare "+"). */
		lname = ascii_lower(name);
		tryopt = lname;
	}

	if ((k = optkey_find(tryopt)) == NULL) {
		/* The message names the lower-cased name after auto-abbrev. */
		msgname = lname != NULL && !p->posix ? lname : name;
		if (slen == 1) {
			one[0] = msgname[0];
			one[1] = '\0';
			msgname = one;
			if (rest != NULL)
				args_unshift_rest(&p->a, starter, rest);
		}
		if (msgname[0] == '\0')
			parse_error(p, "Missing option after %s\n", starter);
		else
			parse_error(p, "Unknown option: %s\n", msgname);
		goto done;
	}

	if (k->type == TYPE_FLAG || k->type == TYPE_NEG) {
		if (eqval != NULL) {
			parse_error(p, "Option %s does not take an argument\n",
			    k->key);
			goto done;
		}
		store(p->o, k->id, NULL, k->type == TYPE_FLAG);
		if (rest != NULL)
			args_unshift_rest(&p->a, starter, rest);
		goto done;
	}
	take_value(p, k, k->key, eqval, rest);
done:
	free(name);
	free(lname);
	free(eqval);
}

/*
 * watchfor's own options. Returns true if `arg` is one (handled, errors
 * included).
 */
static bool
own_option(struct parser *p, const char *arg)
{
	const struct ownopt *w;
	const char *val;
	size_t i, len;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	for (i = 0; i < sizeof(ownopts) / sizeof(ownopts[0]); i++) {
		w = &ownopts[i];
		len = strlen(w->name);
		if (strncmp(arg, w->name, len) != 0)
			continue;
		if (w->kind == OWN_FLAG && arg[len] == '\0') {
			*(bool *)((char *)p->o + w->off) = true;
			return true;
		}
		if (w->kind != OWN_STR || (arg[len] != '\0' && arg[len] != '='))
			continue;
		if (arg[len] == '=')
			val = arg[len + 1] != '\0' ? arg + len + 1 : NULL;
		else
			val = args_empty(&p->a) ? NULL : args_shift(&p->a);
		if (val == NULL)
			parse_error(p, "Option %s requires an argument\n",
			    w->name);
		else
			set_str((char **)((char *)p->o + w->off), val);
		return true;
	}
	return false;
}

int
opts_parse_fd(struct opts *o, int argc, char *argv[], int errfd)
{
	struct parser p = { 0 };
	const char *arg;
	size_t slen;

	memset(o, 0, sizeof(*o));
	o->argv0 = argc > 0 && argv[0] != NULL ? argv[0] : "watchfor";
	o->name = util_basename(o->argv0);
	o->as_swatchdog = strcmp(o->name, "swatchdog") == 0;

	p.o = o;
	p.posix = getenv("POSIXLY_CORRECT") != NULL;
	args_init(&p.a, argc, argv);
	while (!args_empty(&p.a)) {
		arg = args_shift(&p.a);
		if (strcmp(arg, "--") == 0)
			break;
		if (own_option(&p, arg))
			continue;
		slen = starter_len(&p, arg);
		if (slen == 0 || strcmp(arg, "-") == 0) {
			/* Not an option: ignored, as swatchdog does. */
			if (p.posix)
				break;
			continue;
		}
		one_option(&p, arg, slen);
	}
	args_free(&p.a);

	if (p.errors > 0) {
		/*
		 * Exactly swatchdog's stderr, whatever our name: scripts and
		 * side-by-side checks see no difference.
		 */
		buf_adds(&p.msg, swatchdog_usage);
		(void)util_write_all(errfd, p.msg.data, p.msg.len);
	}
	buf_free(&p.msg);
	return p.errors > 0 ? 2 : 0;
}

int
opts_parse(struct opts *o, int argc, char *argv[])
{
	return opts_parse_fd(o, argc, argv, STDERR_FILENO);
}

static void
free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void
opts_free(struct opts *o)
{
	if (o == NULL)
		return;
	free(o->config_file);
	free(o->dump_script);
	free(o->examine);
	free_list(o->extra_include_dirs, o->nextra_include_dirs);
	free_list(o->extra_modules, o->nextra_modules);
	free(o->irs);
	free(o->pid_file);
	free(o->read_pipe);
	free(o->restart_time);
	free(o->script_dir);
	free(o->tail_args);
	free_list(o->tail_files, o->ntail_files);
	free(o->tail_program);
	free(o->state_dir);
	free(o->stats_file);
	free(o->stats_interval);
	free(o->test_file);
	free(o->mail_test);
	memset(o, 0, sizeof(*o));
}

void
opts_print_usage(const struct opts *o, int fd)
{
	if (o->as_swatchdog)
		(void)util_write_all(fd, swatchdog_usage,
		    sizeof(swatchdog_usage) - 1);
	else
		(void)util_write_all(fd, watchfor_help,
		    sizeof(watchfor_help) - 1);
}

void
opts_print_version(const struct opts *o, int fd)
{
	char *s;

	if (!o->as_swatchdog) {
		(void)util_write_all(fd, watchfor_version,
		    sizeof(watchfor_version) - 1);
		return;
	}
	/* sw:97-102: "$Me" is the basename of $0 */
	s = xasprintf("This is %s version 3.2.4\n"
	    "Built on Aug 25, 2008\n"
	    "Built by E. Todd Atkins <Todd.Atkins@StanfordAlumni.ORG>\n",
	    o->name);
	(void)util_write_all(fd, s, strlen(s));
	free(s);
}

int
opts_help(const struct opts *o)
{
	if (o->as_swatchdog) {
		opts_print_usage(o, STDERR_FILENO);
		return 2;
	}
	opts_print_usage(o, STDOUT_FILENO);
	return 0;
}

int
opts_version(const struct opts *o)
{
	opts_print_version(o, STDOUT_FILENO);
	return 0;
}

/*
 * --restart-time.
 */

#define END_OF_TIME	2147483647	/* swatchdog's limit (sw:869) */

/* Date::Format's ctime(): English names, local time, "%a %b %e %T %Y\n". */
static char *
perl_ctime(time_t t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return xstrdup("\n");
	return xasprintf("%s %s %2d %02d:%02d:%02d %d\n", days[tm.tm_wday],
	    months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_year + 1900);
}

/* Digits as a count, saturating; returns the end or NULL if none. */
static const char *
digits(const char *s, unsigned long long *v)
{
	const char *q;

	*v = 0;
	for (q = s; *q >= '0' && *q <= '9'; q++)
		*v = *v > ULLONG_MAX / 10 - 10 ? ULLONG_MAX / 10 :
		    *v * 10 + (unsigned)(*q - '0');
	return q == s ? NULL : q;
}

/* "+H:M" (sw:873): /^\+(\d+):(\d+)$/. Returns -1 if not that form. */
static int
restart_delta(const char *spec, time_t now, time_t *when, bool *toolate)
{
	unsigned long long h, m, t;
	const char *q;

	if ((q = digits(spec + 1, &h)) == NULL || *q != ':')
		return -1;
	if ((q = digits(q + 1, &m)) == NULL)
		return -1;
	if (!(*q == '\0' || (q[0] == '\n' && q[1] == '\0')))
		return -1;
	t = (unsigned long long)(now > 0 ? now : 0);
	*toolate = h > END_OF_TIME || m > END_OF_TIME ||
	    t + h * 3600 + m * 60 >= END_OF_TIME;
	if (!*toolate)
		*when = now + (time_t)(h * 3600 + m * 60);
	return 0;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
	    *s == '\f' || *s == '\v' || *s == ',')
		s++;
	return s;
}

static bool
at_end_of_word(const char *s)
{
	return *s == '\0' || *s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r' || *s == '\f' || *s == '\v' || *s == ',';
}

/* Date::Parse's meridian, ([ap])\.?m?\.? then a space: 0 am, 12 pm. */
static const char *
meridian(const char *s, int *merid)
{
	const char *q = s;

	if (*q != 'a' && *q != 'p')
		return NULL;
	*merid = *q++ == 'a' ? 0 : 12;
	if (*q == '.')
		q++;
	if (*q == 'm')
		q++;
	if (*q == '.')
		q++;
	return at_end_of_word(q) ? q : NULL;
}

/* The zone after a time: z, ut, utc, gmt, or [+-]H[H][:][MM]. */
static const char *
zone(const char *s, long *off)
{
	static const char *const names[] = { "utc", "gmt", "ut", "z" };
	unsigned long long h, m = 0;
	const char *q;
	size_t i, n;
	int sign;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (strncmp(s, names[i], n) == 0 && at_end_of_word(s + n)) {
			*off = 0;
			return s + n;
		}
	}
	if (*s != '+' && *s != '-')
		return NULL;
	sign = *s == '-' ? -1 : 1;
	q = s + 1;
	if (*q < '0' || *q > '9')
		return NULL;
	h = (unsigned long long)(*q++ - '0');
	if (*q >= '0' && *q <= '9')
		h = h * 10 + (unsigned long long)(*q++ - '0');
	if (*q == ':')
		q++;
	if (q[0] >= '0' && q[0] <= '9' && q[1] >= '0' && q[1] <= '9') {
		m = (unsigned long long)((q[0] - '0') * 10 + (q[1] - '0'));
		q += 2;
	}
	if (!at_end_of_word(q))
		return NULL;
	*off = sign * (long)(h * 3600 + m * 60);
	return q;
}

/*
 * The time-of-day subset of Date::Parse's str2time (today's local date),
 * then, as swatchdog does, a day later until it is in the future.
 */
static int
restart_clock(const char *spec, time_t now, time_t *when)
{
	unsigned long long hh, mm = 0, ss = 0, frac;
	int merid = 24;
	bool haszone = false;
	long off = 0;
	const char *q, *r;
	char *s;
	struct tm tm;
	time_t t;
	int rc = -1;

	s = ascii_lower(spec);
	q = skip_space(s);
	if ((r = digits(q, &hh)) == NULL || r - q > 2)
		goto done;
	q = r;
	if (*q == ':') {
		if ((r = digits(q + 1, &mm)) == NULL || r - (q + 1) > 2)
			goto done;
		q = r;
		if (*q == ':') {
			if ((r = digits(q + 1, &ss)) == NULL ||
			    r - (q + 1) > 2)
				goto done;
			q = r;
			if (*q == '.' && (r = digits(q + 1, &frac)) != NULL)
				q = r;
		}
		if (*q == 'z') {
			haszone = true;
			q++;
		}
		/* Then a space, or (after spaces) a meridian. */
		r = skip_space(q);
		if ((r = meridian(r, &merid)) != NULL)
			q = r;
		else if (!at_end_of_word(q))
			goto done;
	} else {
		if ((q = meridian(skip_space(q), &merid)) == NULL)
			goto done;
	}
	q = skip_space(q);
	if (*q != '\0' && !haszone) {
		if ((r = zone(q, &off)) == NULL)
			goto done;
		haszone = true;
		q = skip_space(r);
	}
	if (*q != '\0')
		goto done;

	if (hh == 12 && merid == 0)
		hh = 0;
	else if (hh != 12 && merid == 12)
		hh += 12;
	if (hh > 23 || mm > 59 || ss > 59)
		goto done;

	if (localtime_r(&now, &tm) == NULL)
		goto done;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	if (haszone) {
		t = timegm(&tm) - off;
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t == (time_t)-1)
		goto done;
	while (t <= now)
		t += 86400;
	*when = t;
	rc = 0;
done:
	free(s);
	return rc;
}

int
opts_restart_delay(const char *spec, time_t now, time_t *when,
    char **outtext, char **errtext)
{
	bool toolate = false;
	char *ct;

	*outtext = *errtext = NULL;
	if (spec[0] == '+') {
		if (restart_delta(spec, now, when, &toolate) == -1) {
			*errtext = xasprintf("Unrecognized delta time format "
			    "\"%s\"\n", spec);
			return -1;
		}
		if (toolate) {
			ct = perl_ctime(END_OF_TIME);
			*outtext = xasprintf("ERROR: Restart time delta would "
			    "put us past the end of\n       unix time, %s", ct);
			free(ct);
			*errtext = xstrdup("       Unacceptable time delta\n");
			return -1;
		}
		return 0;
	}
	if (restart_clock(spec, now, when) == -1) {
		*errtext = xasprintf("Unrecognized time format \"%s\"\n", spec);
		return -1;
	}
	return 0;
}

char *
opts_restart_notice(time_t when)
{
	char *ct, *s;

	ct = perl_ctime(when);
	s = xasprintf("Will restart at %s", ct);
	free(ct);
	return s;
}
