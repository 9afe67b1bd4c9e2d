#ifndef WATCHFOR_LOG_H
#define WATCHFOR_LOG_H

#include <stdbool.h>

/*
 * Diagnostics on stderr (the foreground and systemd case) or syslog (a
 * daemon). Every function keeps errno as it found it. Messages are prefixed
 * with the program name, "watchfor: ".
 */

/* `name` is borrowed and must outlive the program (argv[0]'s basename). */
void	log_init(const char *name, bool use_syslog);
const char *log_name(void);
void	log_set_debug(bool);

/* Each appends ": " and strerror(errno). */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log, then exit(1). fatal appends strerror(errno). */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * Called before anything is written to stderr, so that buffered action
 * output on stdout keeps its order relative to diagnostics. Set by out.c.
 */
void	log_set_preflush(void (*)(void));
/* Writes the text as is (no prefix) to stderr, after the pre-flush. */
void	log_raw(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
