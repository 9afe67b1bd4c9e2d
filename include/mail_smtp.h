#ifndef WATCHFOR_MAIL_SMTP_H
#define WATCHFOR_MAIL_SMTP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The SMTP transport's settings ("#% mail-transport smtp" and the smtp-*
 * and mail-from directives) and the command line of the delivery helper,
 * watchfor-smtp, which links libesmtp so that the daemon does not. The
 * helper reads the message on stdin and exits 0 (accepted),
 * OUTBOX_EX_TEMPFAIL (75) or OUTBOX_EX_PERMFAIL (69), see outbox.h.
 */

struct buf;
struct config;
struct exec_cmd;

#define SMTP_DEFAULT_HOST	"localhost"
#define SMTP_DEFAULT_PORT	25
#define SMTP_TIMEOUT_MS		(60ULL * 1000)		/* smtp-timeout */
/*
 * The whole session's limit: the helper's alarm; below the outbox's
 * attempt timeout, OUTBOX_TIMEOUT_MS (outbox.h).
 */
#define SMTP_TIMEOUT_MAX_MS	(100ULL * 1000)
/* The helper: $WATCHFOR_SMTP_HELPER, else this (from CMake). */
#ifndef WATCHFOR_SMTP_HELPER_PATH
#define WATCHFOR_SMTP_HELPER_PATH	"/usr/libexec/watchfor/watchfor-smtp"
#endif

enum smtp_starttls {
	SMTP_STARTTLS_IF_OFFERED,	/* the default */
	SMTP_STARTTLS_REQUIRED,
	SMTP_STARTTLS_OFF,
};

struct smtp_params {
	char		*host;		/* smtp-host */
	unsigned	 port;		/* smtp-port */
	enum smtp_starttls starttls;	/* smtp-starttls */
	bool		 verify;	/* smtp-tls-verify, on */
	char		*ca_file;	/* smtp-ca-file, or NULL: the system's */
	char		*user;		/* smtp-user, or NULL: no AUTH */
	char		*password_file;	/* smtp-password-file, or NULL */
	char		*from;		/* mail-from, default LOGIN@HOSTNAME */
	uint64_t	 timeout;	/* smtp-timeout, ms */
};

/* True when `cfg` says "#% mail-transport smtp" (the last one wins). */
bool	 smtp_transport(const struct config *cfg);
/*
 * Checks the value of a directive this module reads (smtp-host,
 * smtp-port, smtp-starttls, smtp-tls-verify, smtp-ca-file, smtp-user,
 * smtp-password-file, smtp-timeout, mail-from). The password file must
 * exist and give no access to group or others. Returns NULL when it is
 * fine, else a heap message for --check.
 */
char	*smtp_directive_error(const char *name, const char *value);
/*
 * Fills `p` with the defaults, then `cfg`'s directives (the last of each
 * wins; `cfg` may be NULL). Clear with smtp_params_clear.
 */
void	 smtp_params_init(struct smtp_params *p, const struct config *cfg);
void	 smtp_params_clear(struct smtp_params *p);
/*
 * Sets the setting of directive `name` (smtp-host, ..., mail-from; any
 * other name is ignored) to `value`, checked before by
 * smtp_directive_error: the mail action's per-action overrides use it.
 */
void	 smtp_params_set(struct smtp_params *p, const char *name,
	    const char *value);
/* $WATCHFOR_SMTP_HELPER when set and not empty, else the installed one. */
const char *smtp_helper_path(void);
/*
 * Fills `c` (zeroed first; clear with exec_cmd_clear) with the helper's
 * command line for `p` and the envelope recipients of swatchdog's
 * ADDRESSES `to`, and appends "smtp HOST:PORT" to `text`, for messages.
 * Returns 0, or -1 when `to` holds no address (nothing filled).
 */
int	 smtp_helper_cmd(const struct smtp_params *p, const char *to,
	    struct exec_cmd *c, struct buf *text);

#endif
