#ifndef WATCHFOR_NOTIFY_H
#define WATCHFOR_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/*
 * The service manager's notification protocol (sd_notify(3)), written
 * directly: one datagram of "VAR=value" lines to the AF_UNIX socket named
 * by $NOTIFY_SOCKET ('@' for an abstract name). Readiness, reloads, stop,
 * a status line, and the watchdog ping from a loop timer. Without
 * $NOTIFY_SOCKET every call does nothing. Sends never block and a failure
 * is logged once, never fatal.
 */

struct buf;
struct loop;
struct notify;

/*
 * Appends the service's one-line status (no newline) to `status`; called
 * for every message that carries STATUS=.
 */
typedef void notify_status_cb(struct buf *status, void *arg);

/*
 * Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, then removes
 * them from the environment so that children do not inherit them. When
 * the watchdog is asked for (WATCHDOG_USEC set, WATCHDOG_PID unset or our
 * pid), a timer on `loop` sends WATCHDOG=1 with the status every half
 * period, so a stuck loop stops the pings. `cb` may be NULL. Never fails.
 */
struct notify	*notify_new(struct loop *, notify_status_cb *cb, void *arg);
/* Closes the socket and frees the timer. notify_free(NULL) is a no-op. */
void		 notify_free(struct notify *);
/* True when $NOTIFY_SOCKET named a socket we can address. */
bool		 notify_enabled(const struct notify *);
/* The watchdog ping interval in ms, 0 when there is no watchdog. */
uint64_t	 notify_watchdog_ms(const struct notify *);

/*
 * Sends `text` as one datagram, as is. Returns 0 when sent or when
 * disabled, -1 when the send failed (logged once; errno set).
 */
int		 notify_send(struct notify *, const char *text);
/*
 * READY=1 with the status, after start-up and after every reload (also a
 * failed one). `note` (NULL for none; copied) is put before the status in
 * every STATUS= until the next notify_ready: "config reload failed".
 */
void		 notify_ready(struct notify *, const char *note);
/* RELOADING=1 with MONOTONIC_USEC=, before a reload. */
void		 notify_reloading(struct notify *);
/* STOPPING=1, when the daemon begins to shut down. */
void		 notify_stopping(struct notify *);
/* STATUS= alone, now. */
void		 notify_status(struct notify *);

/*
 * Parses the watchdog variables (either may be NULL) for a process whose
 * pid is `self`: sets `*ms` to half of WATCHDOG_USEC in milliseconds (at
 * least 1), or to 0 when no watchdog applies to us. Returns 0, or -1 when
 * a value is malformed (then `*ms` is 0).
 */
int		 notify_parse_watchdog(const char *usec, const char *pid,
		    pid_t self, uint64_t *ms);
/*
 * Fills `sun` and `*len` from a $NOTIFY_SOCKET value: an absolute path,
 * or '@' and an abstract name. Returns 0, or -1 with errno EAFNOSUPPORT
 * (another form, such as vsock:) or ENAMETOOLONG.
 */
int		 notify_sockaddr(const char *name, struct sockaddr_un *sun,
		    socklen_t *len);

#endif
