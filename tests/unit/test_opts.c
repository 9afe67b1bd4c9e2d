/*
 * opts: the command line, checked against swatchdog 3.2.4 itself.
 *
 * data/opts-cases.txt holds argument vectors run through the real
 * swatchdog by data/record-opts.pl (with the values from swatchdog's own
 * Getopt::Long table, data/opts-getopt.pl): for each, the return, the
 * values, and the exact stderr (the messages, then data/swatchdog-usage.txt).
 * The tables below add watchfor's own options, the help and version
 * texts, and --restart-time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "util.h"

#define CASES_FILE	"data/opts-cases.txt"
#define USAGE_FILE	"data/swatchdog-usage.txt"
#define VERSION_FILE	"data/swatchdog-version.txt"
#define MAXARGS		32

static char *
slurp(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

/* What was written to `fd` (a tmpfile) since it was made; resets it. */
static char *
drain(int fd)
{
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return buf_detach(&b);
}

/* The escapes of record-opts.pl: \\, \n, \t, else \xHH below 32 or >126. */
static void
esc(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c == '\n')
			buf_adds(b, "\\n");
		else if (c == '\t')
			buf_adds(b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

static char *
unesc(const char *s)
{
	struct buf b = { 0 };
	unsigned x;

	buf_adds(&b, "");
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			buf_addc(&b, *s);
			continue;
		}
		s++;
		if (*s == 'n')
			buf_addc(&b, '\n');
		else if (*s == 't')
			buf_addc(&b, '\t');
		else if (*s == 'x' && sscanf(s + 1, "%2x", &x) == 1) {
			buf_addc(&b, (char)x);
			s += 2;
		} else
			buf_addc(&b, *s);
	}
	return buf_detach(&b);
}

static void
field(struct buf *b, const char *name, const char *val)
{
	buf_addf(b, "field %s=", name);
	esc(b, val);
	buf_addc(b, '\n');
}

static void
field_list(struct buf *b, const char *name, char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		field(b, name, v[i]);
}

/* The parsed values, as opts-getopt.pl prints them. */
static char *
describe(const struct opts *o)
{
	struct buf b = { 0 };
	char num[32];

	buf_adds(&b, "");
	if (o->awk_field_syntax)
		field(&b, "awk_field_syntax", "1");
	if (o->config_file != NULL)
		field(&b, "config_file", o->config_file);
	if (o->daemon)
		field(&b, "daemon", "1");
	if (o->debug_set) {
		snprintf(num, sizeof(num), "%ld", o->debug);
		field(&b, "debug", num);
	}
	if (o->dump_script_set)
		field(&b, "dump_script", o->dump_script);
	if (o->examine != NULL)
		field(&b, "examine", o->examine);
	field_list(&b, "extra_include_dir", o->extra_include_dirs,
	    o->nextra_include_dirs);
	field_list(&b, "extra_module", o->extra_modules, o->nextra_modules);
	if (o->help)
		field(&b, "help", "1");
	if (o->irs_set)
		field(&b, "irs", o->irs);
	if (o->old_style)
		field(&b, "old_style", "1");
	if (o->pid_file != NULL)
		field(&b, "pid_file", o->pid_file);
	if (o->read_pipe != NULL)
		field(&b, "read_pipe", o->read_pipe);
	if (o->restart_time != NULL)
		field(&b, "restart_time", o->restart_time);
	if (o->script_dir != NULL)
		field(&b, "script_dir", o->script_dir);
	if (o->tail_args != NULL)
		field(&b, "tail_args", o->tail_args);
	field_list(&b, "tail_file", o->tail_files, o->ntail_files);
	if (o->tail_program != NULL)
		field(&b, "tail_program", o->tail_program);
	if (o->use_cpan_file_tail)
		field(&b, "use_cpan_file_tail", "1");
	if (o->version)
		field(&b, "version", "1");
	/* watchfor's own */
	if (o->check)
		field(&b, "check", "1");
	if (o->verbose)
		field(&b, "verbose", "1");
	if (o->state_dir != NULL)
		field(&b, "state_dir", o->state_dir);
	if (o->test_file != NULL)
		field(&b, "test_file", o->test_file);
	return buf_detach(&b);
}

struct run {
	int	 rc;
	char	*fields;
	char	*err;
};

/* Parses argv (argv[0] included) with stderr captured. */
static void
run_parse(struct run *r, int argc, char **argv, bool posix)
{
	struct opts o;
	FILE *tmp;

	if (posix)
		setenv("POSIXLY_CORRECT", "1", 1);
	else
		unsetenv("POSIXLY_CORRECT");
	assert_non_null(tmp = tmpfile());
	r->rc = opts_parse_fd(&o, argc, argv, fileno(tmp));
	r->fields = describe(&o);
	r->err = drain(fileno(tmp));
	fclose(tmp);
	opts_free(&o);
	unsetenv("POSIXLY_CORRECT");
}

static void
run_free(struct run *r)
{
	free(r->fields);
	free(r->err);
}

/*
 * Checks one case: the same result under both names, swatchdog's and
 * watchfor's (a parse error prints swatchdog's bytes either way).
 */
static void
check_case(const char *what, int argc, char **argv, bool posix, int rc,
    const char *fields, const char *msgs, const char *usage)
{
	static const char *const names[] = { "/usr/bin/swatchdog", "watchfor" };
	struct buf experr = { 0 };
	struct run r;
	size_t i;

	buf_adds(&experr, "");
	if (rc != 0) {
		buf_adds(&experr, msgs);
		buf_adds(&experr, usage);
	}
	for (i = 0; i < 2; i++) {
		argv[0] = (char *)names[i];
		run_parse(&r, argc, argv, posix);
		if (r.rc != rc || strcmp(r.fields, fields) != 0 ||
		    strcmp(r.err, experr.data) != 0) {
			print_error("%s (as %s):\n  rc %d, expected %d\n"
			    "  fields:\n%s  expected:\n%s"
			    "  stderr:\n%s  expected:\n%s", what, names[i],
			    r.rc, rc, r.fields, fields, r.err, experr.data);
			fail();
		}
		run_free(&r);
	}
	buf_free(&experr);
}

/* Every case recorded from the real swatchdog. */
static void
test_recorded_cases(void **state)
{
	char *text, *usage, *line, *save = NULL, *argv[MAXARGS + 1];
	char *what = NULL;
	struct buf fields = { 0 }, msgs = { 0 };
	int argc = 1, rc = -1, ncases = 0;
	bool posix = false;
	char *u;

	(void)state;
	text = slurp(CASES_FILE);
	usage = slurp(USAGE_FILE);
	buf_adds(&fields, "");
	buf_adds(&msgs, "");
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (strncmp(line, "case ", 5) == 0) {
			what = line;
			posix = strstr(line, " posix") != NULL;
		} else if (strncmp(line, "arg ", 4) == 0) {
			assert_true(argc < MAXARGS);
			argv[argc++] = unesc(line + 4);
		} else if (strcmp(line, "arg") == 0) {
			argv[argc++] = xstrdup("");
		} else if (strncmp(line, "field ", 6) == 0) {
			buf_adds(&fields, line);
			buf_addc(&fields, '\n');
		} else if (strncmp(line, "err ", 4) == 0) {
			u = unesc(line + 4);
			buf_adds(&msgs, u);
			buf_addc(&msgs, '\n');
			free(u);
		} else if (strncmp(line, "rc ", 3) == 0) {
			rc = atoi(line + 3);
		} else if (strcmp(line, ".") == 0) {
			assert_non_null(what);
			argv[argc] = NULL;
			check_case(what, argc, argv, posix, rc, fields.data,
			    msgs.data, usage);
			while (argc > 1)
				free(argv[--argc]);
			buf_reset(&fields);
			buf_adds(&fields, "");
			buf_reset(&msgs);
			buf_adds(&msgs, "");
			ncases++;
		} else {
			fail_msg("%s: bad line: %s", CASES_FILE, line);
		}
	}
	/* The file must really be there and complete. */
	assert_true(ncases >= 200);
	buf_free(&fields);
	buf_free(&msgs);
	free(text);
	free(usage);
}

/*
 * Cases swatchdog cannot show: watchfor's own options, recognised only
 * when spelled in full, and vectors the recorder cannot pass.
 */
struct hcase {
	const char	*args[8];
	int		 rc;
	const char	*fields;
	const char	*msgs;		/* usage follows when rc is 2 */
};

static const struct hcase hcases[] = {
	{ { NULL }, 0, "", "" },
	{ { "--check" }, 0, "field check=1\n", "" },
	{ { "--verbose", "--check" }, 0,
	    "field check=1\nfield verbose=1\n", "" },
	{ { "--state-dir", "/var/lib/w" }, 0,
	    "field state_dir=/var/lib/w\n", "" },
	{ { "--state-dir=/var/lib/w" }, 0,
	    "field state_dir=/var/lib/w\n", "" },
	{ { "--state-dir", "a", "--state-dir=b" }, 0,
	    "field state_dir=b\n", "" },
	{ { "--state-dir", "--check" }, 0, "field state_dir=--check\n", "" },
	{ { "--state-dir" }, 2, "", "Option state-dir requires an argument\n" },
	{ { "--state-dir=" }, 2, "",
	    "Option state-dir requires an argument\n" },
	{ { "--test", "lines.log", "-c", "x.conf" }, 0,
	    "field config_file=x.conf\nfield test_file=lines.log\n", "" },
	{ { "--test=lines.log" }, 0, "field test_file=lines.log\n", "" },
	{ { "--test" }, 2, "", "Option test requires an argument\n" },
	/* never abbreviated, never case-folded, never with a value */
	{ { "--ch" }, 2, "", "Unknown option: ch\n" },
	{ { "--chec" }, 2, "", "Unknown option: chec\n" },
	{ { "--CHECK" }, 2, "", "Unknown option: check\n" },
	{ { "--check=1" }, 2, "", "Unknown option: check\n" },
	{ { "--verb" }, 2, "", "Unknown option: verb\n" },
	{ { "--state" }, 2, "", "Unknown option: state\n" },
	{ { "--state-d", "x" }, 2, "", "Unknown option: state-d\n" },
	{ { "--tes", "x" }, 2, "", "Unknown option: tes\n" },
	{ { "--ta", "x", "--test", "y" }, 2, "field test_file=y\n",
	    "Option ta is ambiguous "
	    "(tail-args, tail-file, tail-program-name)\n" },
	{ { "-check" }, 0, "field config_file=heck\n", "" },
	/* swatchdog's abbreviations stay */
	{ { "--c", "a", "--check" }, 0,
	    "field config_file=a\nfield check=1\n", "" },
	{ { "--v", "--verbose" }, 0, "field version=1\nfield verbose=1\n",
	    "" },
	{ { "--t", "a", "--test", "b" }, 0,
	    "field tail_file=a\nfield test_file=b\n", "" },
	/* values of swatchdog's options are never ours */
	{ { "-c", "--check" }, 0, "field config_file=--check\n", "" },
	{ { "--dump-script", "--check" }, 0,
	    "field dump_script=\nfield check=1\n", "" },
	{ { "--debug", "--verbose" }, 0,
	    "field debug=0\nfield verbose=1\n", "" },
	{ { "--", "--check" }, 0, "", "" },
	/* errors of both kinds, in order, then the usage once */
	{ { "--bogus", "--state-dir" }, 2, "",
	    "Unknown option: bogus\nOption state-dir requires an argument\n" },
	/* -t repeatable (swatchdog keeps the last) */
	{ { "-t", "a", "--tail-file=b", "-tc" }, 0,
	    "field tail_file=a\nfield tail_file=b\nfield tail_file=c\n", "" },
	/* huge --debug values are clamped */
	{ { "--debug", "99999999999999999999" }, 0,
	    "field debug=9223372036854775807\n", "" },
	{ { "--debug=-99999999999999999999" }, 0,
	    "field debug=-9223372036854775808\n", "" },
};

static void
test_own_options(void **state)
{
	char *argv[10], what[64], *usage;
	size_t i;
	int argc;

	(void)state;
	usage = slurp(USAGE_FILE);
	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		argc = 1;
		while (hcases[i].args[argc - 1] != NULL)
			argv[argc] = (char *)hcases[i].args[argc - 1], argc++;
		argv[argc] = NULL;
		snprintf(what, sizeof(what), "hcase %zu", i);
		check_case(what, argc, argv, false, hcases[i].rc,
		    hcases[i].fields, hcases[i].msgs, usage);
	}
	free(usage);
}

static void
test_no_argv0(void **state)
{
	struct opts o;
	char *argv[] = { NULL };

	(void)state;
	assert_int_equal(opts_parse(&o, 0, argv), 0);
	assert_string_equal(o.name, "watchfor");
	assert_false(o.as_swatchdog);
	opts_free(&o);
	opts_free(NULL);
}

static void
test_names(void **state)
{
	static const struct {
		const char	*argv0;
		const char	*name;
		bool		 as_swatchdog;
	} t[] = {
		{ "/usr/bin/swatchdog", "swatchdog", true },
		{ "swatchdog", "swatchdog", true },
		{ "/usr/sbin/watchfor", "watchfor", false },
		{ "/tmp/foo", "foo", false },
		{ "Swatchdog", "Swatchdog", false },
		{ "/x/swatchdog.pl", "swatchdog.pl", false },
	};
	struct opts o;
	char *argv[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		argv[0] = (char *)t[i].argv0;
		argv[1] = NULL;
		assert_int_equal(opts_parse(&o, 1, argv), 0);
		assert_string_equal(o.argv0, t[i].argv0);
		assert_string_equal(o.name, t[i].name);
		assert_int_equal(o.as_swatchdog, t[i].as_swatchdog);
		opts_free(&o);
	}
}

/* Runs f(o) with fd 1 and 2 captured; returns what each got. */
static int
capture(int (*f)(const struct opts *), const struct opts *o, char **out,
    char **err)
{
	FILE *t1, *t2;
	int save1, save2, rc;

	assert_non_null(t1 = tmpfile());
	assert_non_null(t2 = tmpfile());
	fflush(stdout);
	fflush(stderr);
	save1 = dup(1);
	save2 = dup(2);
	dup2(fileno(t1), 1);
	dup2(fileno(t2), 2);
	rc = f(o);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	*out = drain(fileno(t1));
	*err = drain(fileno(t2));
	fclose(t1);
	fclose(t2);
	return rc;
}

static void
test_help_version(void **state)
{
	char *usage, *version, *out, *err, *argv[3];
	struct opts o;

	(void)state;
	usage = slurp(USAGE_FILE);
	version = slurp(VERSION_FILE);

	/* as swatchdog: its very bytes, help on stderr with 2 */
	argv[0] = "/usr/bin/swatchdog";
	argv[1] = "--help";
	argv[2] = NULL;
	assert_int_equal(opts_parse(&o, 2, argv), 0);
	assert_true(o.help);
	assert_int_equal(capture(opts_help, &o, &out, &err), 2);
	assert_string_equal(out, "");
	assert_string_equal(err, usage);
	free(out);
	free(err);
	assert_int_equal(capture(opts_version, &o, &out, &err), 0);
	assert_string_equal(out, version);
	assert_string_equal(err, "");
	free(out);
	free(err);
	opts_free(&o);

	/* as watchfor: its own help on stdout with 0 */
	argv[0] = "watchfor";
	assert_int_equal(opts_parse(&o, 2, argv), 0);
	assert_int_equal(capture(opts_help, &o, &out, &err), 0);
	assert_string_equal(err, "");
	assert_memory_equal(out, "Usage: watchfor", 15);
	/* every option is described */
	assert_non_null(strstr(out, "--awk-field-syntax"));
	assert_non_null(strstr(out, "--noawk-field-syntax"));
	assert_non_null(strstr(out, "--config-file"));
	assert_non_null(strstr(out, "--daemon"));
	assert_non_null(strstr(out, "--debug"));
	assert_non_null(strstr(out, "--dump-script"));
	assert_non_null(strstr(out, "--examine"));
	assert_non_null(strstr(out, "--extra-include-dir"));
	assert_non_null(strstr(out, "--extra-module"));
	assert_non_null(strstr(out, "--help"));
	assert_non_null(strstr(out, "--input-record-separator"));
	assert_non_null(strstr(out, "--old-style-config"));
	assert_non_null(strstr(out, "--pid-file"));
	assert_non_null(strstr(out, "--read-pipe"));
	assert_non_null(strstr(out, "--restart-time"));
	assert_non_null(strstr(out, "--script-dir"));
	assert_non_null(strstr(out, "--tail-args"));
	assert_non_null(strstr(out, "--tail-file"));
	assert_non_null(strstr(out, "--tail-program-name"));
	assert_non_null(strstr(out, "--use-cpan-file-tail"));
	assert_non_null(strstr(out, "--version"));
	assert_non_null(strstr(out, "--check"));
	assert_non_null(strstr(out, "--test"));
	assert_non_null(strstr(out, "--state-dir"));
	assert_non_null(strstr(out, "--verbose"));
	free(out);
	free(err);
	assert_int_equal(capture(opts_version, &o, &out, &err), 0);
	assert_string_equal(out, "watchfor " WATCHFOR_VERSION "\n"
	    "Copyright (c) 2026 The watchfor authors. MIT License; "
	    "no warranty.\n");
	free(out);
	free(err);
	opts_free(&o);

	free(usage);
	free(version);
}

/* --restart-time, at a fixed "now", in a fixed zone. */
struct rcase {
	const char	*tz;
	const char	*spec;
	time_t		 now;
	int		 rc;
	time_t		 when;
	const char	*out;
	const char	*err;
};

#define NOW	1795445281	/* Mon Nov 23 14:48:01 2026 UTC */
#define PARIS	"CET-1CEST,M3.5.0,M10.5.0/3"	/* Europe/Paris */

static const struct rcase rcases[] = {
	/* +H:M */
	{ "UTC", "+1:00", NOW, 0, NOW + 3600, NULL, NULL },
	{ "UTC", "+0:30", NOW, 0, NOW + 1800, NULL, NULL },
	{ "UTC", "+24:00", NOW, 0, NOW + 86400, NULL, NULL },
	{ "UTC", "+0:90", NOW, 0, NOW + 5400, NULL, NULL },
	{ "UTC", "+007:05", NOW, 0, NOW + 7 * 3600 + 300, NULL, NULL },
	{ "UTC", "+1:00\n", NOW, 0, NOW + 3600, NULL, NULL },
	{ "UTC", "+x", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+x\"\n" },
	{ "UTC", "+1", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+1\"\n" },
	{ "UTC", "+1:", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+1:\"\n" },
	{ "UTC", "+1:00 ", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+1:00 \"\n" },
	{ "UTC", "+-1:00", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+-1:00\"\n" },
	{ "UTC", "+", NOW, -1, 0, NULL,
	    "Unrecognized delta time format \"+\"\n" },
	/* past 2038: recorded from swatchdog -r +99999:0 */
	{ "UTC", "+99999:0", NOW, -1, 0,
	    "ERROR: Restart time delta would put us past the end of\n"
	    "       unix time, Tue Jan 19 03:14:07 2038\n",
	    "       Unacceptable time delta\n" },
	{ PARIS, "+99999:0", NOW, -1, 0,
	    "ERROR: Restart time delta would put us past the end of\n"
	    "       unix time, Tue Jan 19 04:14:07 2038\n",
	    "       Unacceptable time delta\n" },
	{ "UTC", "+99999999999999999999999:0", NOW, -1, 0,
	    "ERROR: Restart time delta would put us past the end of\n"
	    "       unix time, Tue Jan 19 03:14:07 2038\n",
	    "       Unacceptable time delta\n" },
	/* time of day: later today, or tomorrow */
	{ "UTC", "00:01", NOW, 0, 1795478460, NULL, NULL },
	{ "UTC", "23:59:59", NOW, 0, 1795478399, NULL, NULL },
	{ "UTC", "11:30pm", NOW, 0, 1795476600, NULL, NULL },
	{ "UTC", "11:30 pm", NOW, 0, 1795476600, NULL, NULL },
	{ "UTC", "11:30PM", NOW, 0, 1795476600, NULL, NULL },
	{ "UTC", "11:30 P.M.", NOW, 0, 1795476600, NULL, NULL },
	{ "UTC", "11pm", NOW, 0, 1795474800, NULL, NULL },
	{ "UTC", "11 pm", NOW, 0, 1795474800, NULL, NULL },
	{ "UTC", "12am", NOW, 0, 1795478400, NULL, NULL },
	{ "UTC", "12pm", NOW, 0, 1795435200 + 86400, NULL, NULL },
	{ "UTC", "0pm", NOW, 0, 1795435200 + 86400, NULL, NULL },
	{ "UTC", "14:48:01", NOW, 0, NOW + 86400, NULL, NULL },
	{ "UTC", "14:48:02", NOW, 0, NOW + 1, NULL, NULL },
	{ "UTC", "1:2:3", NOW, 0, 1795395723 + 86400, NULL, NULL },
	{ "UTC", " 15:00 ", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "15:00:00.5", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "15:00z", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "15:00 UTC", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "17:00 +0200", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "17:00 +02:00", NOW, 0, 1795446000, NULL, NULL },
	{ "UTC", "10:00 -0500", NOW, 0, 1795446000, NULL, NULL },
	/*
	 * Local time, as recorded with TZ=Europe/Paris at 15:51 CET (a
	 * POSIX TZ string needs no tzdata).
	 */
	{ PARIS, "11:30pm", NOW, 0, 1795473000, NULL, NULL },
	{ PARIS, "00:01", NOW, 0, 1795474860, NULL, NULL },
	{ PARIS, "10:00 utc", NOW, 0, 1795514400, NULL, NULL },
	{ PARIS, "9am", NOW, 0, 1795507200, NULL, NULL },
	{ PARIS, "10:00 +0200", NOW, 0, 1795507200, NULL, NULL },
	/* rejected, as by Date::Parse */
	{ "UTC", "x", NOW, -1, 0, NULL, "Unrecognized time format \"x\"\n" },
	{ "UTC", "", NOW, -1, 0, NULL, "Unrecognized time format \"\"\n" },
	{ "UTC", "24:00", NOW, -1, 0, NULL,
	    "Unrecognized time format \"24:00\"\n" },
	{ "UTC", "12:60", NOW, -1, 0, NULL,
	    "Unrecognized time format \"12:60\"\n" },
	{ "UTC", "23:59:60", NOW, -1, 0, NULL,
	    "Unrecognized time format \"23:59:60\"\n" },
	{ "UTC", "13:00pm", NOW, -1, 0, NULL,
	    "Unrecognized time format \"13:00pm\"\n" },
	{ "UTC", "100:00", NOW, -1, 0, NULL,
	    "Unrecognized time format \"100:00\"\n" },
	{ "UTC", "10:000", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10:000\"\n" },
	{ "UTC", "10:00:005", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10:00:005\"\n" },
	{ "UTC", "1:00x", NOW, -1, 0, NULL,
	    "Unrecognized time format \"1:00x\"\n" },
	{ "UTC", "10:00am10", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10:00am10\"\n" },
	{ "UTC", "10:00-0500", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10:00-0500\"\n" },
	{ "UTC", "10h", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10h\"\n" },
	{ "UTC", "noon", NOW, -1, 0, NULL,
	    "Unrecognized time format \"noon\"\n" },
	{ "UTC", "tomorrow", NOW, -1, 0, NULL,
	    "Unrecognized time format \"tomorrow\"\n" },
	{ "UTC", "10 : 00", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10 : 00\"\n" },
	{ "UTC", "T10:00", NOW, -1, 0, NULL,
	    "Unrecognized time format \"T10:00\"\n" },
	{ "UTC", "10:00\\n", NOW, -1, 0, NULL,
	    "Unrecognized time format \"10:00\\n\"\n" },
	{ "UTC", "10:00\n", NOW, 0, 1795514400, NULL, NULL },
	{ "UTC", "\n10:00\t", NOW, 0, 1795514400, NULL, NULL },
};

static void
test_restart_delay(void **state)
{
	const struct rcase *c;
	char *out, *err, *oldtz;
	time_t when;
	size_t i;
	int rc;

	(void)state;
	oldtz = getenv("TZ") != NULL ? xstrdup(getenv("TZ")) : NULL;
	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		c = &rcases[i];
		setenv("TZ", c->tz, 1);
		tzset();
		when = 0;
		rc = opts_restart_delay(c->spec, c->now, &when, &out, &err);
		if (rc != c->rc || (rc == 0 && when != c->when) ||
		    (out == NULL) != (c->out == NULL) ||
		    (out != NULL && strcmp(out, c->out) != 0) ||
		    (err == NULL) != (c->err == NULL) ||
		    (err != NULL && strcmp(err, c->err) != 0)) {
			print_error("restart case %zu \"%s\" (%s): rc %d when "
			    "%lld out %s err %s\n", i, c->spec, c->tz, rc,
			    (long long)when, out ? out : "(null)",
			    err ? err : "(null)");
			fail();
		}
		free(out);
		free(err);
	}
	if (oldtz != NULL)
		setenv("TZ", oldtz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(oldtz);
}

/* The "Will restart at" line: Perl's ctime, day padded with a space. */
static void
test_restart_notice(void **state)
{
	static const struct {
		const char	*tz;
		time_t		 when;
		const char	*text;
	} cases[] = {
		{ "UTC", 1795478460,
		    "Will restart at Tue Nov 24 00:01:00 2026\n" },
		{ "UTC", 1796169600,
		    "Will restart at Wed Dec  2 00:00:00 2026\n" },
		{ PARIS, 1796169600,
		    "Will restart at Wed Dec  2 01:00:00 2026\n" },
	};
	char *oldtz, *text;
	size_t i;

	(void)state;
	oldtz = getenv("TZ") != NULL ? xstrdup(getenv("TZ")) : NULL;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("TZ", cases[i].tz, 1);
		tzset();
		text = opts_restart_notice(cases[i].when);
		assert_string_equal(text, cases[i].text);
		free(text);
	}
	if (oldtz != NULL)
		setenv("TZ", oldtz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(oldtz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_cases),
		cmocka_unit_test(test_own_options),
		cmocka_unit_test(test_no_argv0),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_restart_delay),
		cmocka_unit_test(test_restart_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
