#ifndef WATCHFOR_OPTS_H
#define WATCHFOR_OPTS_H

#include <stdbool.h>
#include <stddef.h>

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
};

/*
 * Parses argv into `o` (zeroed first). Returns 0 on success; on any error
 * prints swatchdog's messages and the usage text to stderr and returns 2.
 */
int	opts_parse(struct opts *o, int argc, char *argv[]);
void	opts_free(struct opts *o);

/* The --help text (swatchdog's or watchfor's, by invocation name). */
void	opts_print_usage(const struct opts *o, int fd);
/* The --version text. */
void	opts_print_version(const struct opts *o, int fd);

#endif
