#ifndef WATCHFOR_FUZZ_H
#define WATCHFOR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Shared by the libFuzzer targets (fuzz_common.c): quiet logs, a private
 * temporary directory, and a check that aborts with a message, so that a
 * broken invariant is a crash libFuzzer saves like any other.
 */

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Sends what the project logs (log.c writes to the stdio stream `stderr`)
 * to /dev/null, unless WATCHFOR_FUZZ_VERBOSE is set. libFuzzer's own output
 * and sanitizer reports still reach file descriptor 2.
 */
void	fuzz_quiet(void);

/* A private directory made once, removed at exit. */
const char *fuzz_tmpdir(void);

/* Writes `n` bytes to `path` (created or truncated, mode 0600). */
void	fuzz_write_file(const char *path, const void *p, size_t n);

/* Aborts, naming the broken invariant, when `cond` is false. */
#define FUZZ_CHECK(cond, ...)	do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);	\
} while (0)
void	fuzz_fail(const char *file, int line, const char *cond,
	    const char *fmt, ...)
	    __attribute__((format(printf, 4, 5), noreturn));

#endif
