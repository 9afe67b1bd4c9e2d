/*
 * sd_notify without libsystemd (see notify.h): the protocol is one
 * datagram of "VAR=value" lines on an AF_UNIX socket, documented as
 * stable, and linking libsystemd would cost about 1.2 MB in every
 * instance. This module addresses the socket, builds the messages and
 * pings the watchdog from a loop timer; when to say READY or RELOADING,
 * and what the status says, is the caller's business.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "notify.h"
#include "util.h"

struct notify {
	struct loop		*loop;
	int			 fd;		/* -1 until the first send */
	struct sockaddr_un	 sun;
	socklen_t		 sunlen;	/* 0: disabled */
	char			*name;		/* $NOTIFY_SOCKET, for messages */
	notify_status_cb	*status_cb;
	void			*status_arg;
	char			*note;		/* before the status; or NULL */
	struct loop_timer	*watchdog;
	uint64_t		 watchdog_ms;	/* ping interval; 0: none */
	unsigned long		 failures;	/* sends that failed */
};

int
notify_sockaddr(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (name == NULL || (name[0] != '/' && name[0] != '@')) {
		errno = EAFNOSUPPORT;	/* vsock:, relative paths */
		return -1;
	}
	n = strlen(name);
	if (n >= sizeof(sun->sun_path) || (name[0] == '@' && n < 2)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@') {
		/* abstract: a leading NUL, and the length says where it ends */
		sun->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
		    1);
	return 0;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int
notify_parse_watchdog(const char *usec, const char *pid, pid_t self,
    uint64_t *ms)
{
	uint64_t u, p;

	*ms = 0;
	if (usec == NULL)
		return 0;
	if (parse_u64(usec, &u) == -1 || u == 0)
		return -1;
	if (pid != NULL && *pid != '\0') {
		if (parse_u64(pid, &p) == -1 || p == 0)
			return -1;
		if (p != (uint64_t)self)
			return 0;	/* meant for another process */
	}
	*ms = u / 2000;		/* half the period, as systemd advises */
	if (*ms == 0)
		*ms = 1;
	return 0;
}

bool
notify_enabled(const struct notify *n)
{
	return n != NULL && n->sunlen > 0;
}

uint64_t
notify_watchdog_ms(const struct notify *n)
{
	return n != NULL ? n->watchdog_ms : 0;
}

int
notify_send(struct notify *n, const char *text)
{
	ssize_t r;

	if (!notify_enabled(n))
		return 0;
	if (n->fd == -1 &&
	    (n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	/* never wait for a busy manager: a lost ping is better than a hang */
	r = sendto(n->fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&n->sun, n->sunlen);
	if (r == (ssize_t)strlen(text))
		return 0;
	if (r >= 0)
		errno = EMSGSIZE;
fail:
	if (n->failures++ == 0)
		log_warn("notify socket %s", n->name);
	else
		log_debug("notify socket %s: failure %lu", n->name,
		    n->failures);
	return -1;
}

/* Sends `head` (lines ending in '\n') followed by the STATUS= line. */
static void
send_with_status(struct notify *n, const char *head)
{
	struct buf b = { 0 };
	size_t start, i;

	if (!notify_enabled(n))
		return;
	buf_adds(&b, head);
	buf_adds(&b, "STATUS=");
	start = b.len;
	if (n->note != NULL) {
		buf_adds(&b, n->note);
		if (n->status_cb != NULL)
			buf_adds(&b, "; ");
	}
	if (n->status_cb != NULL)
		n->status_cb(&b, n->status_arg);
	/* one line: a newline would start a variable of its own */
	for (i = start; i < b.len; i++)
		if (b.data[i] == '\n' || b.data[i] == '\0')
			b.data[i] = ' ';
	(void)notify_send(n, b.data);
	buf_free(&b);
}

void
notify_ready(struct notify *n, const char *note)
{
	if (n == NULL)
		return;
	free(n->note);
	n->note = note != NULL ? xstrdup(note) : NULL;
	send_with_status(n, "READY=1\n");
}

void
notify_reloading(struct notify *n)
{
	struct timespec ts;
	char msg[64];

	if (!notify_enabled(n))
		return;
	/* systemd 253+ wants the time of the request; older ones ignore it */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
	    (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
	(void)notify_send(n, msg);
}

void
notify_stopping(struct notify *n)
{
	(void)notify_send(n, "STOPPING=1");
}

void
notify_status(struct notify *n)
{
	send_with_status(n, "");
}

static void
on_watchdog(void *arg)
{
	send_with_status(arg, "WATCHDOG=1\n");
}

/* Reads and forgets one variable, so that children do not inherit it. */
static char *
take_env(const char *var)
{
	const char *v;
	char *copy;

	copy = (v = getenv(var)) != NULL ? xstrdup(v) : NULL;
	(void)unsetenv(var);
	return copy;
}

struct notify *
notify_new(struct loop *loop, notify_status_cb *cb, void *arg)
{
	struct notify *n;
	char *sock, *usec, *pid;

	n = xcalloc(1, sizeof(*n));
	n->loop = loop;
	n->fd = -1;
	n->status_cb = cb;
	n->status_arg = arg;
	sock = take_env("NOTIFY_SOCKET");
	usec = take_env("WATCHDOG_USEC");
	pid = take_env("WATCHDOG_PID");
	if (sock == NULL || *sock == '\0')
		goto done;
	if (notify_sockaddr(sock, &n->sun, &n->sunlen) == -1) {
		log_warn("NOTIFY_SOCKET=%s not used", sock);
		n->sunlen = 0;
		goto done;
	}
	n->name = xstrdup(sock);
	if (notify_parse_watchdog(usec, pid, getpid(), &n->watchdog_ms) == -1)
		log_warnx("WATCHDOG_USEC=%s WATCHDOG_PID=%s: not a watchdog "
		    "request, ignored", usec, pid != NULL ? pid : "");
	if (n->watchdog_ms > 0) {
		n->watchdog = loop_timer_new(loop, on_watchdog, n);
		loop_timer_arm(n->watchdog, n->watchdog_ms, n->watchdog_ms);
	}
done:
	free(sock);
	free(usec);
	free(pid);
	return n;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	loop_timer_free(n->watchdog);
	if (n->fd != -1)
		close(n->fd);
	free(n->name);
	free(n->note);
	free(n);
}
