/*
 * watchfor: options, startup order and exit codes. The order is
 * swatchdog's (spec sections 1 and 2): options, --help, --version,
 * restart-time check, config, banner, input. main wires the modules and
 * owns every exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "ansi.h"
#include "config.h"
#include "diag.h"
#include "engine.h"
#include "input.h"
#include "log.h"
#include "opts.h"
#include "out.h"
#include "spawn.h"
#include "util.h"

/* Exit statuses, as the compatibility contract requires (spec 2). */
enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1,	/* --check found an error */
	EXIT_USAGE = 2,		/* bad option, --help of swatchdog */
	EXIT_NO_INPUT = 2,	/* no input to follow */
};

#define SWATCHDOG_VERSION	"3.2.4"

/* Prints the banner: empty line, banner line, empty line (spec 2). */
static void
print_banner(const struct opts *o)
{
	char date[128];
	struct tm tm;
	time_t now;
	struct buf b = { 0 };

	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Z %Y", &tm) == 0)
		date[0] = '\0';
	buf_addf(&b, "\n*** %s version %s (pid:%ld) started at %s\n\n",
	    o->name, o->as_swatchdog ? SWATCHDOG_VERSION : WATCHFOR_VERSION,
	    (long)getpid(), date);
	out_write(b.data, b.len);
	out_flush();
	buf_free(&b);
}

/* The config file: --config-file, else swatchdog's $HOME/.swatchdogrc. */
static char *
config_path(const struct opts *o)
{
	const char *home;

	if (o->config_file != NULL)
		return xstrdup(o->config_file);
	if ((home = getenv("HOME")) == NULL)
		home = "";
	return xasprintf("%s/.swatchdogrc", home);
}

/* One line for each option that only made sense for Perl. */
static void
notice_perl_options(const struct opts *o)
{
	if (o->as_swatchdog)
		return;		/* scripts around swatchdog expect silence */
	if (o->nextra_modules > 0)
		log_warnx("--extra-module ignored: watchfor runs no Perl");
	if (o->nextra_include_dirs > 0)
		log_warnx("--extra-include-dir ignored: watchfor runs no Perl");
	if (o->script_dir != NULL)
		log_warnx("--script-dir ignored: watchfor writes no script");
	if (o->use_cpan_file_tail)
		log_warnx("--use-cpan-file-tail ignored: watchfor follows "
		    "files itself");
	if (o->tail_program != NULL || o->tail_args != NULL)
		log_warnx("--tail-program-name and --tail-args ignored: "
		    "watchfor follows files itself");
}

/*
 * The name swatchdog's watcher gives itself in its messages: its script
 * file. Invoked as swatchdog we say the same, so that scripts matching
 * those messages keep working; invoked as watchfor we say our name.
 */
static const char *
watcher_name(const struct opts *o)
{
	static char name[64];

	if (!o->as_swatchdog)
		return o->name;
	(void)snprintf(name, sizeof(name), ".swatchdog_script.%ld",
	    (long)getpid());
	return name;
}

/* --debug level 4: the rules as swatchdog's parent lists them. */
static void
debug_rules(const struct opts *o, const struct config *cfg)
{
	size_t i;

	if (!o->debug_set || (o->debug & 4) == 0)
		return;
	for (i = 0; i < cfg->nrules; i++) {
		if (cfg->rules[i].kind == RULE_IGNORE)
			log_raw("DEBUG(4): ignoring %s\n",
			    cfg->rules[i].pattern_text);
		else if (cfg->rules[i].kind == RULE_WATCHFOR)
			log_raw("DEBUG(4): watching %s\n",
			    cfg->rules[i].pattern_text);
	}
}

/* --pid-file: our pid and a newline; a failure is a warning (spec 11.4) */
static void
write_pid_file(const struct opts *o)
{
	char text[32];
	int fd, n;

	if (o->pid_file == NULL)
		return;
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	fd = open(o->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, text, (size_t)n) != n) {
		log_raw("%s: cannot write pid file named %s: %s\n",
		    watcher_name(o), o->pid_file, strerror(errno));
	}
	if (fd != -1)
		close(fd);
}

static bool
on_record(const char *rec, size_t len, void *arg)
{
	return engine_record(arg, rec, len);
}

/* --examine FILE: one pass; a missing file is swatchdog's message, exit 0 */
static int
run_examine(const struct opts *o, struct engine *e, const struct recsep *rs)
{
	int fd, rc;

	if ((fd = open(o->examine, O_RDONLY | O_CLOEXEC)) == -1) {
		log_raw("%s: cannot read input \"%s\": %s\n", o->argv0,
		    o->examine, strerror(errno));
		return EXIT_OK;
	}
	rc = input_read_fd(fd, rs, INPUT_MAX_RECORD, on_record, e, NULL);
	if (rc == -1)
		log_warn("read %s", o->examine);
	close(fd);
	return EXIT_OK;
}

/* --read-pipe CMD: one pass over the command's output, as swatchdog. */
static int
run_read_pipe(const struct opts *o, struct engine *e, const struct recsep *rs)
{
	int p[2], rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	out_flush();
	if ((pid = spawn_cmd(o->read_pipe, -1, p[1])) == -1) {
		log_raw("%s: cannot read from pipe to program \"%s\": %s\n",
		    o->argv0, o->read_pipe, strerror(errno));
		close(p[0]);
		close(p[1]);
		return EXIT_OK;
	}
	close(p[1]);
	rc = input_read_fd(p[0], rs, INPUT_MAX_RECORD, on_record, e, NULL);
	if (rc == -1)
		log_warn("read from \"%s\"", o->read_pipe);
	close(p[0]);
	if (rc == 1)
		(void)kill(pid, SIGTERM);	/* quit: as swatchdog's goodbye */
	(void)spawn_wait(pid);
	return EXIT_OK;
}

static int
run_check(const struct opts *o, const char *path)
{
	struct action_params ap = { 0 };
	struct diag *d;
	struct config *cfg;
	int status;

	d = diag_new(true);
	cfg = config_load(path, o->old_style, d);
	if (cfg != NULL) {
		ap.awk_field_syntax = o->awk_field_syntax;
		(void)actions_prepare(cfg, &ap, d);
		actions_release(cfg);
		config_free(cfg);
	}
	status = diag_errors(d) > 0 || cfg == NULL ? EXIT_CHECK_FAILED :
	    EXIT_OK;
	diag_free(d);
	return status;
}

static int
run(const struct opts *o, const char *path)
{
	struct action_params ap = { 0 };
	struct recsep rs;
	struct diag *d;
	struct config *cfg;
	struct engine *e;
	char *err;
	int status;

	d = diag_new(false);
	cfg = config_load(path, o->old_style, d);
	if (cfg == NULL) {
		status = diag_status(d);
		diag_free(d);
		return status;
	}
	ap.awk_field_syntax = o->awk_field_syntax;
	ap.colors_disabled = ansi_env_disabled(getenv("NO_COLOR"),
	    getenv("ANSI_COLORS_DISABLED"));
	if (actions_prepare(cfg, &ap, d) == -1) {
		status = diag_status(d);
		actions_release(cfg);
		config_free(cfg);
		diag_free(d);
		return status;
	}
	diag_free(d);
	if (recsep_init(&rs, o->irs_set ? o->irs : NULL, &err) == -1) {
		log_warnx("--input-record-separator: %s", err);
		free(err);
		actions_release(cfg);
		config_free(cfg);
		return EXIT_USAGE;
	}
	e = engine_new(cfg);
	debug_rules(o, cfg);
	if (!o->daemon)
		print_banner(o);
	write_pid_file(o);
	if (o->examine != NULL)
		status = run_examine(o, e, &rs);
	else if (o->read_pipe != NULL)
		status = run_read_pipe(o, e, &rs);
	else {
		log_warnx("follow mode is not available yet: use --examine "
		    "FILE or --read-pipe CMD");
		status = EXIT_NO_INPUT;
	}
	out_flush();
	engine_free(e);
	recsep_free(&rs);
	actions_release(cfg);
	config_free(cfg);
	return status;
}

/* swatchdog validates --restart-time at option time (spec 11.3). */
static bool
bad_restart_time(const struct opts *o)
{
	char *outtext = NULL, *errtext = NULL;
	time_t when;

	if (opts_restart_delay(o->restart_time, time(NULL), &when, &outtext,
	    &errtext) == 0)
		return false;
	if (outtext != NULL) {
		out_write(outtext, strlen(outtext));
		out_flush();
	}
	if (errtext != NULL)
		log_raw("%s", errtext);
	free(outtext);
	free(errtext);
	return true;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	char *path;
	int status;

	log_init(util_basename(argv[0]), false);
	out_init();
	if ((status = opts_parse(&o, argc, argv)) != 0)
		return status;
	if (o.help)
		status = opts_help(&o);
	else if (o.version)
		status = opts_version(&o);
	else if (o.restart_time != NULL && bad_restart_time(&o))
		status = EXIT_USAGE;
	else {
		notice_perl_options(&o);
		path = config_path(&o);
		status = o.check ? run_check(&o, path) : run(&o, path);
		free(path);
	}
	out_flush();
	actions_shutdown();
	opts_free(&o);
	return status;
}
