#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "notify.h"
#include "util.h"

/* A receiving socket the test binds itself, as systemd would. */
struct listener {
	int	fd;
	char	dir[64];
	char	env[128];	/* the NOTIFY_SOCKET value */
};

static void
listen_path(struct listener *l)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(l->dir, "/tmp/test_notify.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->env, sizeof(l->env), "%s/notify", l->dir);
	assert_true(strlen(l->env) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, l->env, strlen(l->env) + 1);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
}

static void
listen_abstract(struct listener *l)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n;

	l->dir[0] = '\0';
	snprintf(l->env, sizeof(l->env), "@watchfor/test_notify/%ld/%d",
	    (long)getpid(), rand());
	n = strlen(l->env);
	memcpy(sun.sun_path, l->env, n);
	sun.sun_path[0] = '\0';
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)), 0);
}

static void
listener_close(struct listener *l)
{
	char path[128];

	close(l->fd);
	if (l->dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/notify", l->dir);
		unlink(path);
		rmdir(l->dir);
	}
}

/* The next datagram, or "" when none is waiting. Static storage. */
static const char *
next_msg(struct listener *l)
{
	static char msg[4096];
	ssize_t n;

	n = recv(l->fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);
	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		n = 0;
	}
	msg[n] = '\0';
	return msg;
}

static void
summary(struct buf *b, void *arg)
{
	buf_adds(b, arg);
}

static void
clear_env(void)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void
test_sockaddr(void **state)
{
	static const struct {
		const char	*name;
		int		 rc;
		int		 err;
		size_t		 pathlen;	/* bytes of sun_path used */
	} t[] = {
		{ "/run/systemd/notify", 0, 0, 20 },
		{ "@/org/freedesktop/systemd1/notify", 0, 0, 33 },
		{ "@x", 0, 0, 2 },
		{ "@", -1, ENAMETOOLONG, 0 },
		{ "", -1, EAFNOSUPPORT, 0 },
		{ "run/notify", -1, EAFNOSUPPORT, 0 },
		{ "vsock:2:1234", -1, EAFNOSUPPORT, 0 },
	};
	struct sockaddr_un sun;
	socklen_t len;
	char longname[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		errno = 0;
		len = 0;
		assert_int_equal(notify_sockaddr(t[i].name, &sun, &len),
		    t[i].rc);
		if (t[i].rc == -1) {
			assert_int_equal(errno, t[i].err);
			continue;
		}
		assert_int_equal(sun.sun_family, AF_UNIX);
		assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) +
		    t[i].pathlen);
		if (t[i].name[0] == '@') {
			assert_int_equal(sun.sun_path[0], '\0');
			assert_memory_equal(sun.sun_path + 1, t[i].name + 1,
			    strlen(t[i].name) - 1);
		} else
			assert_string_equal(sun.sun_path, t[i].name);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(notify_sockaddr(longname, &sun, &len), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(notify_sockaddr(NULL, &sun, &len), -1);
}

static void
test_parse_watchdog(void **state)
{
	static const struct {
		const char	*usec;
		const char	*pid;	/* "self": our pid */
		int		 rc;
		uint64_t	 ms;
	} t[] = {
		{ NULL, NULL, 0, 0 },
		{ NULL, "self", 0, 0 },
		{ "200000", NULL, 0, 100 },
		{ "200000", "", 0, 100 },
		{ "200000", "self", 0, 100 },
		{ "60000000", NULL, 0, 30000 },
		{ "1", NULL, 0, 1 },		/* never a 0 ms interval */
		{ "200000", "1", 0, 0 },	/* another process's */
		{ "0", NULL, -1, 0 },
		{ "", NULL, -1, 0 },
		{ "abc", NULL, -1, 0 },
		{ "-5", NULL, -1, 0 },
		{ "200000x", NULL, -1, 0 },
		{ "99999999999999999999999", NULL, -1, 0 },
		{ "200000", "x", -1, 0 },
		{ "200000", "0", -1, 0 },
	};
	char self[32];
	uint64_t ms;
	size_t i;

	(void)state;
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ms = 12345;
		assert_int_equal(notify_parse_watchdog(t[i].usec,
		    t[i].pid != NULL && strcmp(t[i].pid, "self") == 0 ? self :
		    t[i].pid, getpid(), &ms), t[i].rc);
		assert_int_equal(ms, t[i].ms);
	}
}

/* The whole conversation of a daemon's life, on a given listener. */
static void
conversation(struct listener *l)
{
	struct loop *lp;
	struct notify *n;
	const char *m;

	clear_env();
	setenv("NOTIFY_SOCKET", l->env, 1);
	lp = loop_new();
	n = notify_new(lp, summary, "2 files open, 7 lines, 1 matches");
	assert_true(notify_enabled(n));
	/* children must not inherit it */
	assert_null(getenv("NOTIFY_SOCKET"));
	assert_int_equal(notify_watchdog_ms(n), 0);

	notify_ready(n, NULL);
	assert_string_equal(next_msg(l),
	    "READY=1\nSTATUS=2 files open, 7 lines, 1 matches");
	notify_reloading(n);
	m = next_msg(l);
	assert_true(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	assert_true(strlen(m) > 27);
	assert_true(strspn(m + 27, "0123456789") == strlen(m + 27));
	notify_ready(n, "config reload failed, the previous one runs");
	assert_string_equal(next_msg(l), "READY=1\nSTATUS=config reload "
	    "failed, the previous one runs; 2 files open, 7 lines, 1 matches");
	/* the note stays until the next READY */
	notify_status(n);
	assert_string_equal(next_msg(l), "STATUS=config reload failed, the "
	    "previous one runs; 2 files open, 7 lines, 1 matches");
	notify_ready(n, NULL);
	assert_string_equal(next_msg(l),
	    "READY=1\nSTATUS=2 files open, 7 lines, 1 matches");
	notify_stopping(n);
	assert_string_equal(next_msg(l), "STOPPING=1");
	assert_int_equal(notify_send(n, "EXTEND_TIMEOUT_USEC=1000000"), 0);
	assert_string_equal(next_msg(l), "EXTEND_TIMEOUT_USEC=1000000");
	assert_string_equal(next_msg(l), "");
	notify_free(n);
	loop_free(lp);
}

static void
test_path_socket(void **state)
{
	struct listener l;

	(void)state;
	listen_path(&l);
	conversation(&l);
	listener_close(&l);
}

static void
test_abstract_socket(void **state)
{
	struct listener l;

	(void)state;
	listen_abstract(&l);
	conversation(&l);
	listener_close(&l);
}

/* A status with a newline would forge a variable: it becomes a space. */
static void
test_status_one_line(void **state)
{
	struct listener l;
	struct loop *lp;
	struct notify *n;

	(void)state;
	listen_path(&l);
	clear_env();
	setenv("NOTIFY_SOCKET", l.env, 1);
	lp = loop_new();
	n = notify_new(lp, summary, "a\nREADY=1");
	notify_ready(n, "x\ny");
	assert_string_equal(next_msg(&l), "READY=1\nSTATUS=x y; a READY=1");
	notify_free(n);
	/* without a callback, the note alone; without either, empty */
	setenv("NOTIFY_SOCKET", l.env, 1);
	n = notify_new(lp, NULL, NULL);
	notify_ready(n, "only");
	assert_string_equal(next_msg(&l), "READY=1\nSTATUS=only");
	notify_ready(n, NULL);
	assert_string_equal(next_msg(&l), "READY=1\nSTATUS=");
	notify_free(n);
	loop_free(lp);
	listener_close(&l);
}

static void
test_disabled(void **state)
{
	struct loop *lp;
	struct notify *n;

	(void)state;
	clear_env();
	setenv("WATCHDOG_USEC", "20000", 1);
	lp = loop_new();
	n = notify_new(lp, summary, "x");
	assert_false(notify_enabled(n));
	assert_int_equal(notify_watchdog_ms(n), 0);
	assert_int_equal(notify_send(n, "READY=1"), 0);
	notify_ready(n, "note");
	notify_reloading(n);
	notify_stopping(n);
	notify_status(n);
	notify_free(n);
	/* an address we cannot use is not an error either */
	setenv("NOTIFY_SOCKET", "vsock:2:1", 1);
	n = notify_new(lp, summary, "x");
	assert_false(notify_enabled(n));
	assert_null(getenv("NOTIFY_SOCKET"));
	notify_ready(n, NULL);
	notify_free(n);
	notify_free(NULL);
	notify_ready(NULL, NULL);
	loop_free(lp);
}

static int
count_pings(struct listener *l, const char *status)
{
	const char *m;
	char want[128];
	int pings = 0;

	snprintf(want, sizeof(want), "WATCHDOG=1\nSTATUS=%s", status);
	while (*(m = next_msg(l)) != '\0') {
		assert_string_equal(m, want);
		pings++;
	}
	return pings;
}

static void
test_watchdog(void **state)
{
	struct listener l;
	struct loop *lp;
	struct notify *n;
	char pid[32];
	uint64_t start;
	int pings = 0;

	(void)state;
	listen_abstract(&l);
	clear_env();
	setenv("NOTIFY_SOCKET", l.env, 1);
	setenv("WATCHDOG_USEC", "20000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	lp = loop_new();
	n = notify_new(lp, summary, "idle");
	assert_null(getenv("WATCHDOG_USEC"));
	assert_null(getenv("WATCHDOG_PID"));
	assert_int_equal(notify_watchdog_ms(n), 10);
	/* nothing before the loop runs: the ping proves the loop turns */
	assert_int_equal(count_pings(&l, "idle"), 0);
	start = loop_now();
	while (pings < 3 && loop_now() - start < 5000) {
		assert_int_not_equal(loop_run_once(lp, 1000), -1);
		pings += count_pings(&l, "idle");
	}
	assert_true(pings >= 3);
	notify_free(n);

	/* meant for another process: no timer, no ping */
	setenv("NOTIFY_SOCKET", l.env, 1);
	setenv("WATCHDOG_USEC", "20000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	n = notify_new(lp, summary, "idle");
	assert_int_equal(notify_watchdog_ms(n), 0);
	assert_int_equal(loop_run_once(lp, 50), 0);
	assert_int_equal(count_pings(&l, "idle"), 0);
	notify_free(n);
	loop_free(lp);
	listener_close(&l);
}

static void
on_alarm(int signo)
{
	(void)signo;
	fail_msg("a send blocked");
}

/* A manager that does not read must never stall the daemon. */
static void
test_never_blocks(void **state)
{
	struct listener l;
	struct loop *lp;
	struct notify *n;
	int i, failed = 0;

	(void)state;
	listen_path(&l);
	clear_env();
	setenv("NOTIFY_SOCKET", l.env, 1);
	lp = loop_new();
	n = notify_new(lp, NULL, NULL);
	signal(SIGALRM, on_alarm);
	alarm(10);
	for (i = 0; i < 5000; i++)
		if (notify_send(n, "WATCHDOG=1") == -1) {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			failed++;
		}
	alarm(0);
	assert_true(failed > 0);
	notify_free(n);
	/* a socket that went away: -1, and the next call still works */
	listener_close(&l);
	setenv("NOTIFY_SOCKET", l.env, 1);
	n = notify_new(lp, NULL, NULL);
	assert_int_equal(notify_send(n, "READY=1"), -1);
	assert_int_equal(notify_send(n, "READY=1"), -1);
	notify_free(n);
	loop_free(lp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_parse_watchdog),
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_status_one_line),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_never_blocks),
	};

	srand((unsigned)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
