#ifndef WATCHFOR_SMTP_ARGS_H
#define WATCHFOR_SMTP_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The pure part of the SMTP delivery helper, watchfor-smtp (see
 * watchfor-smtp(8) in watchfor.8 and mail_smtp.h): its command line, the
 * password file check, the message's line ends and the exit status of an
 * SMTP reply. Talking SMTP is watchfor-smtp.c's.
 */

struct buf;

/* Exit statuses (sysexits(3); the outbox's OUTBOX_EX_*). */
#define SMTP_EX_OK		0
#define SMTP_EX_USAGE		64	/* bad arguments: temporary */
#define SMTP_EX_PERMFAIL	69	/* EX_UNAVAILABLE: never retried */
#define SMTP_EX_TEMPFAIL	75	/* EX_TEMPFAIL: retried */

/*
 * The whole session's limit, seconds (mail_smtp.h's SMTP_TIMEOUT_MAX_MS):
 * a larger --timeout, from a spool file of an older version, is cut.
 */
#define SMTP_ARGS_TIMEOUT_MAX	100

enum smtp_args_tls {
	SMTP_ARGS_TLS_IF_OFFERED,
	SMTP_ARGS_TLS_REQUIRED,
	SMTP_ARGS_TLS_OFF,
};

struct smtp_args {
	const char		*host;		/* --host, "localhost" */
	unsigned		 port;		/* --port, 25 */
	enum smtp_args_tls	 starttls;	/* --starttls */
	bool			 verify;	/* --tls-verify on|off, on */
	const char		*ca_file;	/* --ca-file, or NULL */
	const char		*user;		/* --user, or NULL */
	const char		*password_file;	/* --password-file */
	const char		*from;		/* --from, required */
	unsigned		 timeout;	/* --timeout SECONDS, 60 */
						/* at most SMTP_ARGS_TIMEOUT_MAX */
	char *const		*rcpts;		/* the operands, >= 1 */
	size_t			 nrcpts;
};

/*
 * Parses the helper's arguments (argv[0] is the program):
 *	--host H --port P --starttls required|if-offered|off
 *	--tls-verify on|off --ca-file F --user U --password-file F
 *	--from ADDR --timeout SECONDS [--] RCPT...
 * each option as two words or --name=value. Pointers into argv are kept.
 * With --user, --password-file is needed, --starttls off is refused (the
 * password never goes out unencrypted) and if-offered becomes required.
 * Returns 0, or SMTP_EX_USAGE (a malformed line) or SMTP_EX_PERMFAIL (a
 * setting that can never work) with a heap message in *err.
 */
int	smtp_args_parse(int argc, char *const argv[], struct smtp_args *a,
	    char **err);
/*
 * Reads the password from `path`: its first line, without the line end.
 * The file must be a regular file that gives no access to group or
 * others. Returns 0 and a heap string in *pw, or SMTP_EX_PERMFAIL (bad
 * mode or type) or SMTP_EX_TEMPFAIL (cannot read) with a heap message.
 */
int	smtp_password_read(const char *path, char **pw, char **err);
/*
 * Appends `s` with every line end as CRLF (a bare LF or CR becomes CRLF;
 * CRLF stays) and a final CRLF if missing, to `out` (NUL-terminated).
 */
void	smtp_crlf(const char *s, size_t len, struct buf *out);
/*
 * The exit status for SMTP reply code `code`: 2xx SMTP_EX_OK, 5xx
 * SMTP_EX_PERMFAIL, anything else (4xx, none: 0) SMTP_EX_TEMPFAIL.
 */
int	smtp_exit_for(int code);

#endif
