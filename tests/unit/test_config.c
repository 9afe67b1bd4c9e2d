/*
 * config_load: swatchdog's grammar and messages (normal voice), watchfor's
 * --check voice with columns, action values (spec section 7), the old
 * style, "#%" directives, and a deterministic fuzz run. Runs in
 * tests/unit, so fixture paths are data/config/... as swatchdog would be
 * given them; the swatchdog texts below were recorded by running
 * `swatchdog -c FIXTURE --examine x --dump-script=/dev/null` from there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "log.h"
#include "util.h"

#define D "data/config/"

struct res {
	struct config	*cfg;
	char		*err;		/* everything written to stderr */
	int		 status;
	unsigned	 errors;
	unsigned	 warnings;
};

static struct res
load(const char *path, bool old, bool check)
{
	struct res r = { 0 };
	struct diag *d;
	struct buf b = { 0 };
	char chunk[4096];
	FILE *tmp;
	size_t n;
	int saved;

	log_init("swatchdog", false);
	d = diag_new(check);
	assert_non_null(tmp = tmpfile());
	fflush(stderr);
	assert_true((saved = dup(2)) >= 0);
	assert_true(dup2(fileno(tmp), 2) == 2);
	r.cfg = config_load(path, old, d);
	diag_flush(d);		/* --check messages are printed sorted */
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_add(&b, chunk, n);
	buf_addc(&b, '\0');
	fclose(tmp);
	r.err = buf_detach(&b);
	r.status = diag_status(d);
	r.errors = diag_errors(d);
	r.warnings = diag_warnings(d);
	diag_free(d);
	return r;
}

static void
res_free(struct res *r)
{
	config_free(r->cfg);
	free(r->err);
}

/*
 * An expected text that does not end in a newline is a prefix: the rest
 * (column and message of a bad pattern) is pattern.c's.
 */
static bool
is_prefix(const char *want)
{
	return *want != '\0' && want[strlen(want) - 1] != '\n';
}

/* A scratch file for inline configs. */
static char tmpdir[] = "/tmp/test_config.XXXXXX";

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char *cmd;

	(void)state;
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static char *
write_conf(const char *name, const char *text, size_t len)
{
	char *path;
	FILE *fp;

	path = xasprintf("%s/%s", tmpdir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	return path;
}

/* Swatchdog's voice: exact texts and exit statuses. */

struct sw_case {
	const char	*file;
	bool		 old;
	const char	*err;
	int		 status;
	bool		 ok;		/* a config comes back */
};

static const struct sw_case sw_cases[] = {
	/* Recorded from swatchdog 3.2.4: same bytes, same status. */
	{ D "basic.conf", false, "", 0, true },
	{ D "crlf.conf", false, "", 0, true },
	{ D "include_main.conf", false, "", 0, true },
	{ D "include_substr.conf", false, "", 0, true },
	{ D "comment_exec.conf", false, "", 0, true },
	{ D "ignore_actions.conf", false, "", 0, true },
	{ D "no_keyword.conf", false, "", 0, true },
	{ D "noeol.conf", false, "", 0, true },
	{ D "directives.conf", false, "", 0, true },
	{ D "old_ok.conf", true, "", 0, true },
	{ "/nonexistent/x.conf", false,
	  "swatchdog: cannot find /nonexistent/x.conf. Please create it or "
	  "specify an alternate configuration file. Exiting.\n", 2, false },
	{ D "basic.conf/x", false,
	  "swatchdog: cannot find " D "basic.conf/x. Please create it or "
	  "specify an alternate configuration file. Exiting.\n", 20, false },
	{ "data", false, "swatchdog: There were no useful entries in the "
	  "configuration file. Exiting.\n", 21, false },
	{ D "no_entries.conf", false, "swatchdog: There were no useful "
	  "entries in the configuration file. Exiting.\n", 255, false },
	{ D "include_no_entries.conf", false, "swatchdog: There were no "
	  "useful entries in the configuration file. Exiting.\n", 255, false },
	{ D "include_missing.conf", false, "swatchdog: cannot find "
	  D "nothere.conf. Please create it or specify an alternate "
	  "configuration file. Exiting.\n", 2, false },
	{ D "bad_pattern.conf", false, "swatchdog: error in pattern "
	  "\" /a=(b/\" on line 3 of " D "bad_pattern.conf\n", 25, false },
	{ D "bad_pattern_cont.conf", false, "swatchdog: error in pattern "
	  "\"/a(b/ \" on line 4 of " D "bad_pattern_cont.conf\n", 25, false },
	{ D "invalid_keyword.conf", false,
	  "swatchdog: error in " D "invalid_keyword.conf at line 1: invalid "
	  "keyword. Skipping.\n"
	  "swatchdog: error in " D "invalid_keyword.conf at line 2: invalid "
	  "keyword. Skipping.\n"
	  "swatchdog: error in " D "invalid_keyword.conf at line 3: invalid "
	  "keyword. Skipping.\n", 0, true },
	{ "/nonexistent/old.conf", true, "swatchdog: cannot read "
	  "/nonexistent/old.conf: No such file or directory\n", 2, false },

	/*
	 * watchfor's fixes: swatchdog runs these (and breaks later, or
	 * prints something else); watchfor refuses them with status 2.
	 */
	/* swatchdog: two "invalid keyword" warnings (the TAB bug). */
	{ D "tab_equals.conf", false, "", 0, true },
	/* swatchdog: "Can't use string ("red") as an ARRAY ref", 255. */
	{ D "values.conf", false, "", 0, true },
	/* swatchdog: "cannot open ...: Too many open files", 1. */
	{ D "include_loop_a.conf", false, "swatchdog: " D "include_loop_b.conf"
	  ":2:9: include loop: \"" D "include_loop_a.conf\" is already being "
	  "read\n", 2, false },
	{ D "comment_echo.conf", false, "swatchdog: " D "comment_echo.conf:2:"
	  "10: trailing comment on an action line: put the comment on its own "
	  "line\n", 2, false },
	{ D "comment_pattern.conf", false, "swatchdog: " D
	  "comment_pattern.conf:1:14: trailing comment after the pattern: put "
	  "the comment on its own line\n", 2, false },
	{ D "empty_watchfor.conf", false, "swatchdog: " D
	  "empty_watchfor.conf:3:1: watchfor without a pattern\n", 2, false },
	{ D "perlcode.conf", false, "swatchdog: " D "perlcode.conf:2:1: "
	  "perlcode is not supported: watchfor runs no Perl code; put the "
	  "logic in a script run by an exec action, or delete the line\n", 2,
	  false },
	{ D "unknown_action.conf", false, "swatchdog: " D
	  "unknown_action.conf:2:1: unknown action \"Echo\" (action names are "
	  "case-sensitive)\n", 2, false },
	{ D "nul.conf", false, "swatchdog: " D "nul.conf:2:7: NUL byte in a "
	  "configuration line\n", 2, false },
	{ D "directive_errors.conf", false, "swatchdog: " D
	  "directive_errors.conf:1:4: directive \"sample-match\" must follow "
	  "a watchfor, ignore or waitfor line\n", 2, false },
	{ D "old_style.conf", true, "swatchdog: " D "old_style.conf:2:1: rule "
	  "without a pattern\n", 2, false },
};

static void
test_sw_voice(void **state)
{
	size_t i;
	struct res r;

	(void)state;
	for (i = 0; i < sizeof(sw_cases) / sizeof(sw_cases[0]); i++) {
		r = load(sw_cases[i].file, sw_cases[i].old, false);
		print_message("%s\n", sw_cases[i].file);
		assert_string_equal(r.err, sw_cases[i].err);
		assert_int_equal(r.status, sw_cases[i].status);
		assert_int_equal(r.cfg != NULL, sw_cases[i].ok);
		res_free(&r);
	}
}

static void
test_sw_cannot_open(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct res r;
	char *path, *want;
	int s;

	(void)state;
	/* -r passes, open fails: swatchdog's "cannot open", status 1. */
	path = xasprintf("%s/sock", tmpdir);
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	assert_true((s = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	r = load(path, false, false);
	want = xasprintf("swatchdog: cannot open %s: No such device or "
	    "address\n", path);
	assert_string_equal(r.err, want);
	assert_int_equal(r.status, 1);
	assert_null(r.cfg);
	res_free(&r);
	free(want);
	close(s);
	unlink(path);
	free(path);
}

/* The --check voice: every problem, located. */

struct check_case {
	const char	*file;
	bool		 old;
	const char	*err;
	unsigned	 errors;
	unsigned	 warnings;
};

static const struct check_case check_cases[] = {
	{ D "basic.conf", false, "", 0, 0 },
	/* Column and message past "bad pattern: " come from pattern.c. */
	{ D "bad_pattern.conf", false, D "bad_pattern.conf:3:", 1, 0 },
	{ D "bad_pattern_cont.conf", false, D "bad_pattern_cont.conf:3:", 1, 0 },
	{ D "comment_echo.conf", false, D "comment_echo.conf:2:10: trailing "
	  "comment on an action line: put the comment on its own line\n", 1,
	  0 },
	{ D "comment_exec.conf", false,
	  D "comment_exec.conf:2:13: warning: `#` does not start a comment "
	  "here: `# b` is passed to the command\n"
	  D "comment_exec.conf:3:11: warning: `#` does not start a comment "
	  "here: `# admin` is part of the value\n", 0, 2 },
	{ D "comment_pattern.conf", false, D "comment_pattern.conf:1:14: "
	  "trailing comment after the pattern: put the comment on its own "
	  "line\n", 1, 0 },
	{ D "directive_errors.conf", false,
	  D "directive_errors.conf:1:4: directive \"sample-match\" must follow "
	  "a watchfor, ignore or waitfor line\n"
	  D "directive_errors.conf:3:17: sample line does not match the pattern "
	  "/RULE-RATE/\n"
	  D "directive_errors.conf:4:19: sample line matches the pattern "
	  "/RULE-RATE/\n"
	  D "directive_errors.conf:5:4: unknown directive \"frobnicate\"\n"
	  D "directive_errors.conf:6:3: a directive name must follow \"#%\"\n"
	  D "directive_errors.conf:7:4: bad directive name \"Input\": write "
	  "\"#% name value\", the name in [a-z0-9-]\n"
	  D "directive_errors.conf:8:9: directive \"input\" needs a value\n"
	  D "directive_errors.conf:9:4: bad directive name \"input=/x\": write "
	  "\"#% name value\", the name in [a-z0-9-]\n"
	  D "directive_errors.conf:11:1: warning: this directive follows a line "
	  "ending in `\\`: swatchdog reads it as the end of that line and "
	  "drops it; so does watchfor\n"
	  D "directive_errors.conf:13:17: warning: this sample never reaches "
	  "its rule: the watchfor rule at " D "directive_errors.conf:2 takes "
	  "it first\n", 8, 2 },
	{ D "directives.conf", false, D "directives.conf:8:16: warning: "
	  "state-dir given again: this one replaces \"/var/lib/watchfor/a\" ("
	  D "directives.conf:3)\n", 0, 1 },
	{ D "empty_watchfor.conf", false, D "empty_watchfor.conf:3:1: watchfor "
	  "without a pattern\n", 1, 0 },
	{ D "ignore_actions.conf", false,
	  D "ignore_actions.conf:2:1: warning: actions under ignore are never "
	  "run: swatchdog drops them\n"
	  D "ignore_actions.conf:3:1: warning: throttle under ignore is "
	  "dropped, as swatchdog does\n"
	  D "ignore_actions.conf:5:1: warning: actions under waitfor are never "
	  "run: swatchdog drops them\n", 0, 3 },
	{ D "include_loop_a.conf", false, D "include_loop_b.conf:2:9: include "
	  "loop: \"" D "include_loop_a.conf\" is already being read\n", 1, 0 },
	{ D "include_missing.conf", false, D "include_missing.conf:3:9: cannot "
	  "read include file \"" D "nothere.conf\": No such file or "
	  "directory\n", 1, 0 },
	{ D "include_no_entries.conf", false, D "include_no_entries.conf:2:9: "
	  "no rule stored yet when include \"" D "no_entries.conf\" ends: "
	  "swatchdog stops here (no useful entries)\n", 1, 0 },
	{ D "no_entries.conf", false, D "no_entries.conf: no rules: no "
	  "watchfor, ignore or waitfor line with a pattern\n", 1, 0 },
	{ D "include_substr.conf", false, D "include_substr.conf:3:1: warning: "
	  "keyword \"myincludefile\" is read as include: it contains "
	  "\"include\"\n", 0, 1 },
	{ D "invalid_keyword.conf", false,
	  D "invalid_keyword.conf:1:1: warning: keyword \"echo\" before the "
	  "first watchfor, ignore or waitfor: line skipped\n"
	  D "invalid_keyword.conf:2:3: warning: keyword \"bell\" before the "
	  "first watchfor, ignore or waitfor: line skipped\n"
	  D "invalid_keyword.conf:3:1: warning: keyword \"throttle\" before the "
	  "first watchfor, ignore or waitfor: line skipped\n", 0, 3 },
	{ D "no_keyword.conf", false, D "no_keyword.conf:4:1: warning: line "
	  "without an action name: ignored\n", 0, 1 },
	{ D "nul.conf", false, D "nul.conf:2:7: NUL byte in a configuration "
	  "line\n", 1, 0 },
	{ D "perlcode.conf", false,
	  D "perlcode.conf:2:1: perlcode is not supported: watchfor runs no "
	  "Perl code; put the logic in a script run by an exec action, or "
	  "delete the line\n"
	  D "perlcode.conf:4:1: perlcode is not supported: watchfor runs no "
	  "Perl code; put the logic in a script run by an exec action, or "
	  "delete the line\n", 2, 0 },
	{ D "tab_equals.conf", false, D "tab_equals.conf:1:9: warning: "
	  "swatchdog splits this line at the first space or \"=\", not at a "
	  "TAB: it reads the keyword as \"watchfor\\t/user\"\n", 0, 1 },
	{ D "unknown_action.conf", false,
	  D "unknown_action.conf:2:1: unknown action \"Echo\" (action names "
	  "are case-sensitive)\n"
	  D "unknown_action.conf:3:1: unknown action \"mial\"\n", 2, 0 },
	{ D "values.conf", false,
	  D "values.conf:2:12: warning: comma splits this exec command: only "
	  "`echo b` runs\n"
	  D "values.conf:3:11: warning: `user=$1` inside the command is taken "
	  "as option USER\n"
	  D "values.conf:8:11: warning: comma splits this exec command: only "
	  "`cmd` runs\n"
	  D "values.conf:11:6: warning: swatchdog cannot run `modes=` (it "
	  "crashes); watchfor takes the value as modes\n"
	  D "values.conf:12:22: warning: swatchdog runs `keep_open` as the "
	  "command here (it needs keep_open=1); watchfor takes it as the "
	  "keep_open flag\n"
	  D "values.conf:15:10: warning: comma splits this mail value: only "
	  "`again` is kept as the addresses\n"
	  D "values.conf:19:6: warning: option MESAGE is not used by the echo "
	  "action\n", 0, 7 },
	{ D "old_ok.conf", true, "", 0, 0 },
	{ D "old_style.conf", true,
	  D "old_style.conf:2:1: rule without a pattern\n"
	  D "old_style.conf:3:1: warning: this line contains \"ignore\": "
	  "swatchdog reads it as an ignore rule\n"
	  D "old_style.conf:8:5: unknown action \"echo\\r\" (the file has CRLF "
	  "line ends)\n", 2, 1 },
	{ "/nonexistent/x.conf", false, "/nonexistent/x.conf: cannot read the "
	  "configuration file: No such file or directory\n", 1, 0 },
};

static void
test_check_voice(void **state)
{
	size_t i;
	struct res r;

	(void)state;
	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		r = load(check_cases[i].file, check_cases[i].old, true);
		print_message("%s\n", check_cases[i].file);
		if (is_prefix(check_cases[i].err)) {
			assert_non_null(strstr(r.err, ": bad pattern: "));
			r.err[strlen(check_cases[i].err)] = '\0';
		}
		assert_string_equal(r.err, check_cases[i].err);
		assert_int_equal(r.errors, check_cases[i].errors);
		assert_int_equal(r.warnings, check_cases[i].warnings);
		/* under --check the config comes back for further checks */
		assert_non_null(r.cfg);
		assert_int_equal(r.status, check_cases[i].errors ? 1 : 0);
		res_free(&r);
	}
}

/* Structure. */

static const struct action_opt *
opt(const struct action *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return &a->opts[i];
	return NULL;
}

static void
test_basic(void **state)
{
	struct res r;
	struct config *c;
	struct rule *ru;
	struct action *a;

	(void)state;
	r = load(D "basic.conf", false, false);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->nrules, 5);

	ru = &c->rules[0];	/* WatchFor /id=RULE-RATE/ (case-insensitive) */
	assert_int_equal(ru->kind, RULE_WATCHFOR);
	assert_int_equal(ru->id, 1);
	assert_string_equal(ru->pattern_text, " /id=RULE-RATE/");
	assert_non_null(ru->pattern);
	assert_int_equal(ru->line, 4);
	assert_int_equal(ru->col, 10);
	assert_string_equal(ru->throttle, "5:00,key=$1");
	assert_string_equal(ru->threshold,
	    "track_by=$1,type=limit,count=1,seconds=60");
	assert_int_equal(ru->nactions, 2);
	a = &ru->actions[0];
	assert_int_equal(a->kind, ACT_ECHO);
	assert_int_equal(a->nmodes, 2);
	assert_string_equal(a->modes[0], "bold");
	assert_string_equal(a->modes[1], "red");
	assert_int_equal(a->line, 5);
	assert_int_equal(a->name_col, 2);	/* after a TAB */
	assert_int_equal(a->col, 7);
	assert_int_equal(a->mode_cols[1], 12);
	a = &ru->actions[1];
	assert_int_equal(a->kind, ACT_MAIL);
	assert_null(a->arg);
	assert_string_equal(opt(a, "ADDRESSES")->value,
	    "root\\@localhost:admin");
	assert_string_equal(opt(a, "SUBJECT")->value, "Rate limit for $1");
	assert_int_equal(opt(a, "SUBJECT")->col, 40);
	assert_string_equal(a->file, D "basic.conf");

	ru = &c->rules[1];	/* ignore = /STATS/ */
	assert_int_equal(ru->kind, RULE_IGNORE);
	assert_int_equal(ru->id, 0);
	assert_string_equal(ru->pattern_text, "/STATS/");

	ru = &c->rules[2];	/* watchfor=/.../ + continue */
	assert_int_equal(ru->id, 2);
	assert_string_equal(ru->pattern_text, "/sasl_username=(\\S+)/");
	assert_true(ru->cont);
	assert_false(ru->quit);
	assert_string_equal(ru->actions[0].arg, "/usr/local/bin/notify $1");
	assert_int_equal(ru->actions[1].kind, ACT_CONTINUE);

	assert_int_equal(c->rules[3].kind, RULE_WAITFOR);
	assert_int_equal(c->rules[3].id, 0);

	ru = &c->rules[4];	/* continuation keeps the indentation */
	assert_int_equal(ru->id, 3);
	assert_string_equal(ru->pattern_text, "/disk error/i");
	assert_int_equal(ru->col, 12);
	assert_true(ru->quit);
	a = &ru->actions[0];
	assert_string_equal(opt(a, "MESSAGE")->value, "A    B");
	assert_string_equal(a->modes[0], "normal");
	assert_string_equal(ru->actions[1].arg, "3");
	res_free(&r);
}

static void
test_crlf_include_order(void **state)
{
	struct res r;
	struct config *c;

	(void)state;
	r = load(D "crlf.conf", false, false);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->nrules, 1);
	assert_string_equal(c->rules[0].pattern_text, "/crlf/");
	/* swatchdog: the continued line keeps its CR ("red bold\r"). */
	assert_string_equal(c->rules[0].actions[0].modes[0], "red bold\r");
	assert_string_equal(c->rules[0].actions[1].arg, "echo x");
	res_free(&r);

	r = load(D "include_main.conf", false, false);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->nrules, 3);
	/* The included rules go before the rule being built. */
	assert_string_equal(c->rules[0].pattern_text, "/inner/");
	assert_string_equal(c->rules[0].file, D "include_inc.conf");
	assert_int_equal(c->rules[0].id, 1);
	assert_string_equal(c->rules[1].pattern_text, "/outer/");
	assert_int_equal(c->rules[1].nactions, 2);
	assert_int_equal(c->rules[1].actions[1].kind, ACT_BELL);
	assert_int_equal(c->rules[1].id, 2);
	assert_string_equal(c->rules[2].pattern_text, "/after/");
	assert_int_equal(c->nfiles, 2);
	res_free(&r);

	r = load(D "ignore_actions.conf", false, false);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->nrules, 3);
	assert_int_equal(c->rules[0].nactions, 0);
	assert_null(c->rules[0].throttle);
	assert_int_equal(c->rules[1].nactions, 0);
	assert_int_equal(c->rules[2].id, 1);
	res_free(&r);
}

static void
test_values(void **state)
{
	struct res r;
	struct rule *ru;
	struct action *a;

	(void)state;
	r = load(D "values.conf", false, false);
	assert_non_null(r.cfg);
	ru = &r.cfg->rules[0];
	assert_int_equal(ru->nactions, 19);
	a = ru->actions;
	assert_string_equal(a[0].arg, "echo b");		/* B1 */
	assert_null(a[1].arg);					/* B2 */
	assert_string_equal(opt(&a[1], "USER")->value, "$1");
	assert_string_equal(opt(&a[2], "MESSAGE")->value, "Hello World");
	assert_string_equal(opt(&a[3], "MESSAGE")->value, "a b");
	assert_string_equal(opt(&a[4], "MESSAGE")->value, "'x y'");
	/* err-option-quoted-word fixed: the closing quote is not kept */
	assert_string_equal(opt(&a[5], "MESSAGE")->value, "Hi");
	assert_string_equal(a[6].arg, "cmd");	/* key= is no option */
	assert_int_equal(a[6].nopts, 0);
	assert_int_equal(a[7].nmodes, 3);
	assert_string_equal(a[7].modes[0], "x y");
	assert_string_equal(a[7].modes[1], "q ");
	assert_string_equal(a[7].modes[2], "red");
	assert_int_equal(a[8].nmodes, 2);
	assert_string_equal(a[8].modes[0], "");
	assert_string_equal(a[9].modes[0], "red");		/* B8 */
	assert_int_equal(a[9].nopts, 0);
	assert_string_equal(a[10].arg, "/usr/bin/logger");	/* B9 */
	assert_string_equal(opt(&a[10], "KEEP_OPEN")->value, "1");
	assert_string_equal(opt(&a[11], "KEEP_OPEN")->value, "1");
	assert_string_equal(opt(&a[12], "ADDRESSES")->value, "a@b:c\\@d");
	assert_string_equal(a[13].arg, "again");
	assert_string_equal(opt(&a[13], "SUBJECT")->value, "Disk full");
	/* Raw: subst turns \" into " (B3). */
	assert_string_equal(a[14].arg, "echo \\\"quoted\\\"");
	assert_null(a[15].arg);
	assert_int_equal(a[15].nopts, 0);
	assert_int_equal(a[16].nopts, 1);			/* last wins */
	assert_string_equal(opt(&a[16], "MESSAGE")->value, "last");
	assert_int_equal(opt(&a[16], "MESSAGE")->col, 23);
	assert_int_equal(a[18].kind, ACT_CONTINUE);
	assert_true(ru->cont);
	res_free(&r);
}

/* Inline value cases: one action line under a rule. */
struct value_case {
	const char	*line;
	const char	*arg;		/* NULL: none */
	const char	*modes;		/* joined with | */
	const char	*opts;		/* NAME=value joined with | */
};

static const struct value_case value_cases[] = {
	{ "exec a,b,c", "c", "", "" },
	{ "exec a,,", "a", "", "" },
	{ "exec \"quoted cmd\"", "quoted cmd", "", "" },
	{ "exec '  x'", "x", "", "" },
	{ "exec 'mixed\"", "mixed", "", "" },
	{ "exec '", "'", "", "" },
	{ "exec x y=", "x y=", "", "" },
	{ "exec a=b=c", NULL, "", "A=b=c" },
	{ "echo message = spaced", NULL, "", "MESSAGE=spaced" },
	{ "echo message=\" x", NULL, "", "MESSAGE=\" x" },
	{ "echo message=\"\"", NULL, "", "MESSAGE=\"" },
	{ "echo message=a\"b c", NULL, "", "MESSAGE=a\"b c" },
	{ "echo b=1,a=2,B=3", NULL, "", "B=3|A=2" },
	{ "echo red bold,blink", NULL, "red bold|blink", "" },
	{ "echo", NULL, "", "" },
	{ "echo ,", NULL, "", "" },
	{ "echo , ,", NULL, "|", "" },
	{ "bell 3,delay=1", "3", "", "DELAY=1" },
	{ "write root:admin", "root:admin", "", "" },
	{ "mail addresses=x,subject=$1 \\@ host", NULL, "",
	  "ADDRESSES=x|SUBJECT=$1 \\@ host" },
	{ "quit now", "now", "", "" },
};

static void
join(struct buf *b, char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, '|');
		buf_adds(b, v[i]);
	}
	buf_addc(b, '\0');
}

static void
test_value_table(void **state)
{
	struct res r;
	struct action *a;
	struct buf b = { 0 };
	char *path, *text;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		text = xasprintf("watchfor /x/\n%s\n", value_cases[i].line);
		path = write_conf("value.conf", text, strlen(text));
		r = load(path, false, false);
		print_message("%s\n", value_cases[i].line);
		assert_non_null(r.cfg);
		a = &r.cfg->rules[0].actions[0];
		if (value_cases[i].arg == NULL)
			assert_null(a->arg);
		else
			assert_string_equal(a->arg, value_cases[i].arg);
		join(&b, a->modes, a->nmodes);
		assert_string_equal(b.data, value_cases[i].modes);
		buf_reset(&b);
		for (k = 0; k < a->nopts; k++) {
			if (k > 0)
				buf_addc(&b, '|');
			buf_addf(&b, "%s=%s", a->opts[k].name,
			    a->opts[k].value);
		}
		buf_addc(&b, '\0');
		assert_string_equal(b.data, value_cases[i].opts);
		buf_reset(&b);
		res_free(&r);
		free(path);
		free(text);
	}
	buf_free(&b);
}

/* Inline grammar cases in --check: exact message after the path. */
struct grammar_case {
	const char	*text;
	const char	*msg;		/* "" when clean; %s is the path */
	unsigned	 nrules;
};


static const struct grammar_case grammar_cases[] = {
	/* Keyword split: "=", spaces, TAB without "=", case. */
	{ "WATCHFOR /a/\nECHO red\n", "%s:2:1: unknown action \"ECHO\" "
	  "(action names are case-sensitive)\n", 1 },
	{ "watchfor = /a/\necho = red\n", "", 1 },
	{ "watchfor\t/a/\necho\tred\n", "", 1 },
	{ "  watchfor /a/   \n", "", 1 },
	/* Continuation: a blank line and a column-1 # end it. */
	{ "watchfor /a/ \\\n\necho\n", "", 1 },
	{ "watchfor /a/\necho red \\\n  # not a comment\n",
	  "%s:3:3: warning: this indented `#` line is joined to the line "
	  "above, which ends in `\\`: it is not a comment\n"
	  "%s:3:3: trailing comment on an action line: put the comment on "
	  "its own line\n", 1 },
	{ "watchfor /a\\\n\\\nb/\n", "", 1 },
	/* swatchdog's own check fails on the raw value; the column is where
	 * PCRE2 finds the error inside the pattern: after the open "(". */
	{ "watchfor /a(/ \\\n  x\n", "%s:1:13: bad pattern: ", 1 },
	{ "watchfor \\", "%s:1:1: watchfor without a pattern\n"
	  "%s: no rules: no watchfor, ignore or waitfor line with a pattern\n",
	  0 },
	/* Offsets into a continued line map to the right line. */
	{ "watchfor /a/\nexec one,\\\n   two\n", "%s:2:9: warning: comma "
	  "splits this exec command: only `two` runs\n", 1 },
	{ "watchfor /a/\n#% sample-match b\n", "%s:2:17: sample line does "
	  "not match the pattern /a/\n", 1 },
	{ "watchfor /a/\nthrottle 1\nthrottle 2\n", "%s:3:1: warning: "
	  "throttle given again for this rule: this one replaces the first\n",
	  1 },
	{ "ignore\n", "%s:1:1: ignore without a pattern\n"
	  "%s: no rules: no watchfor, ignore or waitfor line with a pattern\n",
	  0 },
	{ "watchfor /a/\n#% input\t/var/log/x \\\n", "%s:2:21: warning: a "
	  "directive cannot be continued: the `\\` is part of the value\n", 1 },
	{ "perlcode 0 1;\nwatchfor /a/\n", "%s:1:1: perlcode is not supported: "
	  "watchfor runs no Perl code; put the logic in a script run by an "
	  "exec action, or delete the line\n", 1 },
};

static void
test_grammar_table(void **state)
{
	struct res r;
	char *path, *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(grammar_cases) / sizeof(grammar_cases[0]);
	    i++) {
		path = write_conf("g.conf", grammar_cases[i].text,
		    strlen(grammar_cases[i].text));
		r = load(path, false, true);
		print_message("case %zu\n", i);
		want = xasprintf(grammar_cases[i].msg, path, path);
		if (is_prefix(want))
			r.err[strlen(want) < strlen(r.err) ? strlen(want) :
			    strlen(r.err)] = '\0';
		assert_string_equal(r.err, want);
		if (r.cfg != NULL)
			assert_int_equal(r.cfg->nrules,
			    grammar_cases[i].nrules);
		res_free(&r);
		free(want);
		free(path);
	}
}

static void
test_directives(void **state)
{
	struct res r;
	struct config *c;

	(void)state;
	r = load(D "directives.conf", false, true);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->ninputs, 2);
	assert_string_equal(c->inputs[0], "/var/log/mail.log");
	assert_string_equal(c->inputs[1], "/var/log/syslog");
	assert_string_equal(c->state_dir, "/var/lib/watchfor/b");
	assert_int_equal(c->ndirectives, 4);
	assert_string_equal(c->directives[3].name, "state-dir");
	assert_int_equal(c->directives[3].line, 8);
	assert_int_equal(c->directives[3].col, 16);
	assert_int_equal(c->rules[0].ndirectives, 2);
	assert_string_equal(c->rules[0].directives[0].name, "sample-match");
	assert_string_equal(c->rules[0].directives[0].value,
	    "[RULES] rule=0, id=RULE-RATE, action=REJECT");
	assert_int_equal(c->rules[0].directives[0].line, 5);
	assert_int_equal(c->rules[0].directives[0].col, 19);
	assert_int_equal(c->rules[1].ndirectives, 1);
	res_free(&r);
}

static void
test_old_style(void **state)
{
	struct res r;
	struct config *c;

	(void)state;
	r = load(D "old_ok.conf", true, true);
	assert_non_null(c = r.cfg);
	assert_int_equal(c->nrules, 3);
	assert_string_equal(c->rules[0].pattern_text, "/a/");
	assert_string_equal(c->rules[0].actions[0].modes[0], "red");
	assert_int_equal(c->rules[0].ndirectives, 1);
	assert_string_equal(c->rules[1].throttle, "1:00");
	assert_string_equal(c->rules[1].actions[0].arg, "2");
	assert_int_equal(c->rules[1].id, 2);
	assert_int_equal(c->rules[2].kind, RULE_IGNORE);
	res_free(&r);
}

static void
test_action_kind(void **state)
{
	(void)state;
	assert_int_equal(config_action_kind("bell"), ACT_BELL);
	assert_int_equal(config_action_kind("continue"), ACT_CONTINUE);
	assert_int_equal(config_action_kind("echo"), ACT_ECHO);
	assert_int_equal(config_action_kind("exec"), ACT_EXEC);
	assert_int_equal(config_action_kind("mail"), ACT_MAIL);
	assert_int_equal(config_action_kind("pipe"), ACT_PIPE);
	assert_int_equal(config_action_kind("quit"), ACT_QUIT);
	assert_int_equal(config_action_kind("write"), ACT_WRITE);
	assert_int_equal(config_action_kind("Echo"), ACT_UNKNOWN);
	assert_int_equal(config_action_kind(""), ACT_UNKNOWN);
	assert_int_equal(config_action_kind("throttle"), ACT_UNKNOWN);
}

static void
test_include_depth(void **state)
{
	struct res r;
	char name[32], text[64], *path, *want;
	int i;

	(void)state;
	/* A chain deeper than the limit, no loop. */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "deep%d.conf", i);
		snprintf(text, sizeof(text), "watchfor /%d/\ninclude %s/deep%d.conf\n",
		    i, tmpdir, i + 1);
		free(write_conf(name, text, strlen(text)));
	}
	free(write_conf("deep20.conf", "watchfor /end/\n", 15));
	path = xasprintf("%s/deep0.conf", tmpdir);
	r = load(path, false, false);
	want = xasprintf("swatchdog: %s/deep15.conf:2:9: includes nested more "
	    "than 16 deep\n", tmpdir);
	assert_string_equal(r.err, want);
	assert_int_equal(r.status, 2);
	res_free(&r);
	free(want);
	free(path);
}

/* Deterministic fuzzing: random bytes and mutated fixtures. */

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static const char *const fuzz_seeds[] = {
	"basic.conf", "values.conf", "directives.conf", "directive_errors.conf",
	"crlf.conf", "old_style.conf", "include_main.conf", "perlcode.conf",
};

static const char alphabet[] = "\\#%=,\"' \t\r\n/()[]$@.xe0_";

static void
fuzz_one(const char *text, size_t len)
{
	char *path;
	struct res r;
	int k;

	path = write_conf("fuzz.conf", text, len);
	for (k = 0; k < 4; k++) {
		r = load(path, k & 1, k & 2);
		res_free(&r);
	}
	free(path);
}

static char *
slurp(const char *path, size_t *len)
{
	struct buf b = { 0 };
	char chunk[4096];
	FILE *fp;
	size_t n;

	assert_non_null(fp = fopen(path, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

static void
test_fuzz(void **state)
{
	char *seed, *text, *path;
	size_t len, n, i, j, s;
	int iter;

	(void)state;
	for (iter = 0; iter < 300; iter++) {
		/* Pure junk, with a bias to the grammar's bytes. */
		n = rnd() % 400;
		text = xmalloc(n + 1);
		for (i = 0; i < n; i++)
			text[i] = (rnd() & 1) ? (char)rnd() :
			    alphabet[rnd() % (sizeof(alphabet) - 1)];
		fuzz_one(text, n);
		free(text);
	}
	for (s = 0; s < sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]); s++) {
		path = xasprintf(D "%s", fuzz_seeds[s]);
		seed = slurp(path, &len);
		free(path);
		for (iter = 0; iter < 60; iter++) {
			text = xmalloc(len * 2 + 16);
			memcpy(text, seed, len);
			n = len;
			for (j = 0; j < 1 + rnd() % 8; j++) {
				i = n ? rnd() % n : 0;
				switch (rnd() % 4) {
				case 0:		/* flip */
					if (n)
						text[i] = (char)rnd();
					break;
				case 1:		/* grammar byte */
					if (n)
						text[i] = alphabet[rnd() %
						    (sizeof(alphabet) - 1)];
					break;
				case 2:		/* cut */
					n = i;
					break;
				default:	/* duplicate a slice */
					if (n && n < len * 2 - 8) {
						size_t m = rnd() % 8;

						if (i + m > n)
							m = n - i;
						memmove(text + i + m, text + i,
						    n - i);
						n += m;
					}
					break;
				}
			}
			fuzz_one(text, n);
			free(text);
		}
		free(seed);
	}
	/* A huge line, and a line of NULs. */
	text = xmalloc(1 << 20);
	memset(text, 'a', 1 << 20);
	memcpy(text, "watchfor /", 10);
	fuzz_one(text, 1 << 20);
	memset(text, 0, 4096);
	fuzz_one(text, 4096);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sw_voice),
		cmocka_unit_test(test_sw_cannot_open),
		cmocka_unit_test(test_check_voice),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_crlf_include_order),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_value_table),
		cmocka_unit_test(test_grammar_table),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_old_style),
		cmocka_unit_test(test_action_kind),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
