#ifndef WATCHFOR_OPTS_H
#define WATCHFOR_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * The command line: every swatchdog option, parsed as Getopt::Long does in
 * swatchdog's bundling mode (spec section 1), plus watchfor's own long
 * options, recognised only when spelled in full so that every abbreviation
 * and ambiguity message of swatchdog stays as it is.
 */

struct opts {
	const char	*argv0;		/* as invoked */
	const char	*name;		/* basename of argv0 */
	bool		 as_swatchdog;	/* invoked under the name swatchdog */

	/* swatchdog's options; NULL or false when not given */
	bool		 awk_field_syntax;
	char		*config_file;
	bool		 daemon;
	bool		 debug_set;
	long		 debug;		/* --debug[=N], bare = 0 */
	bool		 dump_script_set;
	char		*dump_script;	/* "" = stdout */
	char		*examine;
	char		**extra_include_dirs;
	size_t		 nextra_include_dirs;
	char		**extra_modules;
	size_t		 nextra_modules;
	bool		 help;
	bool		 irs_set;
	char		*irs;		/* as given, escapes not processed */
	bool		 old_style;
	char		*pid_file;
	char		*read_pipe;
	char		*restart_time;
	char		*script_dir;
	char		*tail_args;
	char		**tail_files;	/* -t, repeatable in watchfor */
	size_t		 ntail_files;
	char		*tail_program;
	bool		 use_cpan_file_tail;
	bool		 version;

	/* watchfor's own, full names only */
	bool		 check;		/* --check */
	bool		 verbose;	/* --verbose */
	char		*state_dir;	/* --state-dir DIR */
	char		*stats_file;	/* --stats-file PATH */
	char		*stats_interval; /* --stats-interval DURATION */
	char		*test_file;	/* --test FILE */
	char		*mail_test;	/* --mail-test ADDRESS */
};

/*
 * Parses argv into `o` (zeroed first). Returns 0 on success; on any error
 * prints swatchdog's messages and the usage text to stderr and returns 2.
 * --help, --version and --restart-time are only recorded: acting on them
 * (in that order, as swatchdog does) is the caller's job. POSIXLY_CORRECT
 * in the environment changes the parse as it does for swatchdog.
 * `o` owns copies of every string; the caller calls opts_free.
 */
int	opts_parse(struct opts *o, int argc, char *argv[]);
/* The same, with the error messages and usage written to `errfd`. */
int	opts_parse_fd(struct opts *o, int argc, char *argv[], int errfd);
/* Frees what opts_parse stored; `o` may be half-filled or zeroed. */
void	opts_free(struct opts *o);

/*
 * The --help text, to `fd`: swatchdog's usage (the very bytes it prints)
 * when invoked as swatchdog, else watchfor's full help.
 */
void	opts_print_usage(const struct opts *o, int fd);
/* The --version text, to `fd`: swatchdog's when invoked as swatchdog. */
void	opts_print_version(const struct opts *o, int fd);
/*
 * --help as the program must do it: swatchdog's usage on stderr and 2 as
 * swatchdog; watchfor's help on stdout and 0 otherwise. Returns the exit
 * status.
 */
int	opts_help(const struct opts *o);
/* --version: the text on stdout; returns the exit status, 0. */
int	opts_version(const struct opts *o);

/*
 * Computes the time of the next restart for --restart-time `spec` at
 * `now`, as swatchdog does at option time: "+H:M" is H hours M minutes
 * from now; otherwise a time of day (Date::Parse forms HH:MM, HH:MM:SS,
 * H:MMam, Ham, "11:30 p.m.", with an optional zone Z, UT, UTC, GMT or
 * +HHMM / -HH:MM) means its next occurrence, today or tomorrow. Dates,
 * day names and other zone names are not supported and are rejected.
 * Returns 0 and sets *when; or -1 and sets *errtext to what swatchdog
 * prints on stderr (with its newline) and *outtext to what it prints on
 * stdout before (NULL if nothing); both are heap strings for the caller
 * to free, and swatchdog then exits 2.
 */
int	opts_restart_delay(const char *spec, time_t now, time_t *when,
	    char **outtext, char **errtext);
/*
 * swatchdog's stdout line when a restart is set: "Will restart at " and
 * Perl's ctime of `when` (local time, with its newline). A heap string.
 */
char	*opts_restart_notice(time_t when);

#endif
