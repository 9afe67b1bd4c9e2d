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
#include "action_mail.h"
#include "ansi.h"
#include "config.h"
#include "diag.h"
#include "dryrun.h"
#include "dump.h"
#include "engine.h"
#include "follow.h"
#include "input.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "opts.h"
#include "out.h"
#include "spawn.h"
#include "startup.h"
#include "util.h"

/* Exit statuses, as the compatibility contract requires (spec 2). */
enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1,	/* --check found an error */
	EXIT_USAGE = 2,		/* bad option, --help of swatchdog */
};

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

/* --mail-test ADDRESS: one test mail through the config's transport. */
static int
run_mail_test(const struct opts *o, const char *path)
{
	struct diag *d;
	struct config *cfg;
	int status;

	d = diag_new(false);
	cfg = config_load(path, o->old_style, d);
	if (cfg == NULL) {
		status = diag_status(d);
		diag_free(d);
		return status;
	}
	diag_free(d);
	status = mail_test(cfg, o->mail_test) == 0 ? EXIT_OK :
	    EXIT_CHECK_FAILED;
	config_free(cfg);
	return status;
}

/* --dump-script[=FILE]: the config as read, to FILE or stdout; exit 0. */
static int
run_dump(const struct opts *o, const struct instance *in)
{
	FILE *fp = stdout;

	if (o->dump_script[0] != '\0' &&
	    (fp = fopen(o->dump_script, "w")) == NULL) {
		log_warn("%s", o->dump_script);
		return EXIT_OK;
	}
	dump_config(in->cfg, fp);
	if (fp != stdout)
		fclose(fp);
	else
		fflush(stdout);
	return EXIT_OK;
}

static int
run(const struct opts *o, const char *path)
{
	struct instance *in;
	struct recsep rs;
	struct diag *d;
	char *err;
	int status;

	d = diag_new(false);
	in = instance_load(o, path, d);
	status = diag_status(d);
	diag_free(d);
	if (in == NULL)
		return status;
	debug_rules(o, in->cfg);
	if (o->dump_script_set) {
		status = run_dump(o, in);
		instance_free(in);
		return status;
	}
	if (o->examine == NULL && o->read_pipe == NULL)
		return follow_run(o, path, in);	/* takes `in` */
	if (recsep_init(&rs, o->irs_set ? o->irs : NULL, &err) == -1) {
		log_warnx("--input-record-separator: %s", err);
		free(err);
		instance_free(in);
		return EXIT_USAGE;
	}
	if (!o->daemon)
		startup_banner(o);
	startup_pid_file(o);
	if (o->examine != NULL)
		status = run_examine(o, in->engine, &rs);
	else
		status = run_read_pipe(o, in->engine, &rs);
	out_flush();
	recsep_free(&rs);
	instance_free(in);
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
	if ((status = opts_parse(&o, argc, argv)) != 0) {
		opts_free(&o);
		return status;
	}
	if (o.help)
		status = opts_help(&o);
	else if (o.version)
		status = opts_version(&o);
	else if (o.restart_time != NULL && bad_restart_time(&o))
		status = EXIT_USAGE;
	else {
		notice_perl_options(&o);
		path = config_path(&o);
		/*
		 * Follow mode: signals wait for the loop, even while a large
		 * config loads (a HUP from logrotate must not kill us).
		 */
		if (!o.check && o.test_file == NULL && o.mail_test == NULL &&
		    !o.dump_script_set &&
		    o.examine == NULL && o.read_pipe == NULL)
			loop_block_signals();
		if (o.check)
			status = run_check(&o, path);
		else if (o.mail_test != NULL)
			status = run_mail_test(&o, path);
		else if (o.test_file != NULL)
			status = dryrun_run(&o, path);
		else
			status = run(&o, path);
		free(path);
	}
	out_flush();
	actions_shutdown();
	opts_free(&o);
	return status;
}
