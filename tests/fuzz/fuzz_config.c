/*
 * Fuzz target: the config reader (config.c, config_old.c,
 * config_directive.c, config_value.c) and the action compiler
 * (actions_prepare). The input is a whole config file, read in swatchdog's
 * voice and in --check's, new style and old style (-O), and every config
 * that loads has its actions compiled and released.
 *
 * Includes are confined to a private directory: the text "@D" in the input
 * stands for that directory, which holds main.conf (the input itself, for
 * include loops), inc.conf (a small valid config) and empty.conf. Any other
 * path is refused by the faccessat() below, so a mutated "include
 * /dev/zero" cannot hang the fuzzer.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "config.h"
#include "diag.h"
#include "fuzz.h"
#include "util.h"


static char	 dir[4096];
static size_t	 dirlen;
static char	*main_path;

/* Only files of the private directory may be included. */
int
faccessat(int fd, const char *path, int mode, int flags)
{
	static int (*real)(int, const char *, int, int);

	if (dirlen == 0 || strncmp(path, dir, dirlen) != 0 ||
	    path[dirlen] != '/' || strstr(path, "/..") != NULL) {
		errno = EACCES;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, const char *, int, int))dlsym(RTLD_NEXT,
		    "faccessat");
	return real(fd, path, mode, flags);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char inc[] = "watchfor /included/\n\techo\n";
	char *p;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(dir, sizeof(dir), "%s", fuzz_tmpdir());
	dirlen = strlen(dir);
	main_path = xasprintf("%s/main.conf", dir);
	p = xasprintf("%s/inc.conf", dir);
	fuzz_write_file(p, inc, sizeof(inc) - 1);
	free(p);
	p = xasprintf("%s/empty.conf", dir);
	fuzz_write_file(p, "", 0);
	free(p);
	return 0;
}

/* The input with every "@D" replaced by the private directory. */
static void
expand_dir(const uint8_t *data, size_t size, struct buf *out)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (data[i] == '@' && i + 1 < size && data[i + 1] == 'D') {
			buf_add(out, dir, dirlen);
			i++;
		} else
			buf_addc(out, (char)data[i]);
	}
}

/* Returns the number of rules of a config that loads and prepares, or -1. */
static long
load_one(bool old_style, bool check, bool awk)
{
	struct action_params ap = { .awk_field_syntax = awk,
	    .colors_disabled = !awk };
	struct config *cfg;
	struct diag *d;
	long nrules = -1;

	d = diag_new(check);
	cfg = config_load(main_path, old_style, d);
	if (cfg != NULL) {
		FUZZ_CHECK(!diag_stopped(d), "config returned after a stop");
		FUZZ_CHECK(cfg->nfiles >= 1, "no file recorded");
		if (actions_prepare(cfg, &ap, d) == 0 && diag_errors(d) == 0)
			nrules = (long)cfg->nrules;
		actions_release(cfg);
		config_free(cfg);
	} else
		FUZZ_CHECK(diag_errors(d) > 0 || diag_stopped(d),
		    "config_load failed without an error");
	diag_free(d);
	return nrules;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf text = { 0 };
	long a, b;

	if (size > 64 * 1024)
		return -1;
	expand_dir(data, size, &text);
	fuzz_write_file(main_path, text.data, text.len);
	buf_free(&text);
	/*
	 * --check is the stricter voice (it also reports what swatchdog
	 * only finds when an action runs, such as a bad echo color): what
	 * it accepts runs in swatchdog's voice too, with the same rules.
	 */
	a = load_one(false, false, false);
	b = load_one(false, true, false);
	FUZZ_CHECK(b == -1 || a == b, "new style: %ld rules in swatchdog's "
	    "voice, %ld under --check (-1: cannot run)", a, b);
	(void)load_one(false, false, true);
	a = load_one(true, false, true);
	b = load_one(true, true, true);
	FUZZ_CHECK(b == -1 || a == b, "old style: %ld rules in swatchdog's "
	    "voice, %ld under --check (-1: cannot run)", a, b);
	return 0;
}
