#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"

struct rec {
	struct loop	*lp;
	char		 seq[64];
	size_t		 n;
	int		 stop_after;
};

static void
rec_add(struct rec *r, char c)
{
	if (r->n + 1 < sizeof(r->seq))
		r->seq[r->n++] = c;
	if (r->stop_after > 0 && (int)r->n >= r->stop_after)
		loop_stop(r->lp);
}

struct tcase {
	struct rec	*r;
	char		 c;
};

static void
on_timer(void *arg)
{
	struct tcase *tc = arg;

	rec_add(tc->r, tc->c);
}

static void
test_timer_order(void **state)
{
	struct rec r = { 0 };
	struct tcase a = { &r, 'a' }, b = { &r, 'b' }, c = { &r, 'c' },
	    d = { &r, 'd' };
	struct loop_timer *tb, *td;
	uint64_t t0;

	(void)state;
	r.lp = loop_new();
	r.stop_after = 3;
	t0 = loop_now();
	loop_add_timer(r.lp, 60, on_timer, &c);
	loop_add_timer(r.lp, 20, on_timer, &a);
	tb = loop_timer_new(r.lp, on_timer, &b);
	loop_timer_arm(tb, 40, 0);
	td = loop_timer_new(r.lp, on_timer, &d);
	loop_timer_arm(td, 30, 0);
	loop_timer_disarm(td);		/* never fires */
	assert_false(loop_timer_armed(td));
	assert_int_equal(loop_run(r.lp), 0);
	assert_string_equal(r.seq, "abc");
	assert_true(loop_now() - t0 >= 60);
	assert_false(loop_timer_armed(tb));
	loop_timer_free(tb);
	loop_timer_free(td);
	loop_free(r.lp);
}

/* The before-wait hook runs once per round, before the loop sleeps. */
static void
test_before_wait(void **state)
{
	struct rec r = { 0 };
	struct tcase a = { &r, 'a' }, w = { &r, 'w' };

	(void)state;
	r.lp = loop_new();
	r.stop_after = 2;
	loop_set_before_wait(r.lp, on_timer, &w);
	loop_add_timer(r.lp, 10, on_timer, &a);
	assert_int_equal(loop_run(r.lp), 0);
	/* waits once before the timer, then the timer ends the run */
	assert_string_equal(r.seq, "wa");
	loop_free(r.lp);
}

static void
test_timer_same_deadline_fifo(void **state)
{
	struct rec r = { 0 };
	struct tcase tc[5];
	int i;

	(void)state;
	r.lp = loop_new();
	r.stop_after = 5;
	for (i = 0; i < 5; i++) {
		tc[i].r = &r;
		tc[i].c = (char)('1' + i);
		loop_add_timer(r.lp, 0, on_timer, &tc[i]);
	}
	loop_run(r.lp);
	assert_string_equal(r.seq, "12345");
	loop_free(r.lp);
}

struct periodic {
	struct loop		*lp;
	struct loop_timer	*t;
	int			 n;
	uint64_t		 start;
};

static void
on_periodic(void *arg)
{
	struct periodic *p = arg;

	if (++p->n == 4) {
		loop_timer_free(p->t);	/* freeing itself is allowed */
		p->t = NULL;
		loop_stop(p->lp);
	}
}

static void
test_timer_periodic(void **state)
{
	struct periodic p = { 0 };

	(void)state;
	p.lp = loop_new();
	p.t = loop_timer_new(p.lp, on_periodic, &p);
	p.start = loop_now();
	loop_timer_arm(p.t, 10, 10);
	loop_run(p.lp);
	assert_int_equal(p.n, 4);
	assert_true(loop_now() - p.start >= 40);
	/* A handful of wake-ups, not a busy loop. */
	assert_true(loop_wakeups(p.lp) <= 8);
	loop_free(p.lp);
}

/* A timer re-armed at 0 ms from its own callback fires in a later round. */
static void
on_rearm(void *arg)
{
	struct periodic *p = arg;

	p->n++;
	loop_timer_arm(p->t, 0, 0);
}

static void
test_timer_rearm_zero(void **state)
{
	struct periodic p = { 0 };

	(void)state;
	p.lp = loop_new();
	p.t = loop_timer_new(p.lp, on_rearm, &p);
	loop_timer_arm(p.t, 0, 0);
	assert_int_equal(loop_run_once(p.lp, 1000), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(loop_run_once(p.lp, 1000), 0);
	assert_int_equal(p.n, 2);
	loop_timer_free(p.t);
	loop_free(p.lp);
}

static void
test_idle_no_wakeup(void **state)
{
	struct loop *lp;

	(void)state;
	lp = loop_new();
	assert_int_equal(loop_run_once(lp, 100), 0);
	assert_int_equal(loop_wakeups(lp), 1);
	loop_free(lp);
}

struct sigrec {
	struct loop	*lp;
	int		 got[8];
	int		 n;
};

static void
on_signal(int signo, void *arg)
{
	struct sigrec *s = arg;

	s->got[s->n++] = signo;
	if (signo == SIGTERM)
		loop_stop(s->lp);
}

static void
test_signals(void **state)
{
	struct sigrec s = { 0 };

	(void)state;
	s.lp = loop_new();
	assert_int_equal(loop_signal(s.lp, SIGUSR1, on_signal, &s), 0);
	assert_int_equal(loop_signal(s.lp, SIGHUP, on_signal, &s), 0);
	assert_int_equal(loop_signal(s.lp, SIGTERM, on_signal, &s), 0);
	raise(SIGUSR1);
	loop_run_once(s.lp, 1000);
	kill(getpid(), SIGHUP);
	loop_run_once(s.lp, 1000);
	kill(getpid(), SIGTERM);
	loop_run(s.lp);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.got[0], SIGUSR1);
	assert_int_equal(s.got[1], SIGHUP);
	assert_int_equal(s.got[2], SIGTERM);
	loop_free(s.lp);
}

static void
test_default_term_stops(void **state)
{
	struct loop *lp;

	(void)state;
	lp = loop_new();
	raise(SIGINT);
	assert_int_equal(loop_run(lp), 0);	/* returns: stopped */
	loop_free(lp);
}

struct childrec {
	struct loop	*lp;
	pid_t		 pid[3];
	int		 status[3];
	int		 n;
};

static void
on_child(pid_t pid, int status, void *arg)
{
	struct childrec *c = arg;
	int i;

	for (i = 0; i < 3; i++)
		if (c->pid[i] == pid)
			c->status[i] = status;
	if (++c->n == 3)
		loop_stop(c->lp);
}

static void
run_children(bool force_sigchld)
{
	struct childrec c = { 0 };
	int i;

	c.lp = loop_new();
	if (force_sigchld)
		loop_force_sigchld(c.lp);
	for (i = 0; i < 3; i++) {
		c.pid[i] = fork();
		assert_true(c.pid[i] != -1);
		if (c.pid[i] == 0) {
			loop_child_sigmask();
			if (i == 2)
				raise(SIGKILL);
			usleep(10000 * i);
			_exit(3 + i);
		}
		assert_int_equal(loop_add_child(c.lp, c.pid[i], on_child, &c),
		    0);
	}
	loop_run(c.lp);
	assert_int_equal(c.n, 3);
	assert_true(WIFEXITED(c.status[0]));
	assert_int_equal(WEXITSTATUS(c.status[0]), 3);
	assert_int_equal(WEXITSTATUS(c.status[1]), 4);
	assert_true(WIFSIGNALED(c.status[2]));
	assert_int_equal(WTERMSIG(c.status[2]), SIGKILL);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);	/* all reaped */
	loop_free(c.lp);
}

static void
test_children_pidfd(void **state)
{
	(void)state;
	run_children(false);
}

static void
test_children_sigchld(void **state)
{
	(void)state;
	run_children(true);
}

struct piperec {
	struct loop	*lp;
	int		 rfd, wfd;
	char		 got[16];
	int		 n;
};

static void
on_pipe(int fd, uint32_t events, void *arg)
{
	struct piperec *p = arg;
	ssize_t k;

	(void)events;
	k = read(fd, p->got + p->n, sizeof(p->got) - 1 - p->n);
	if (k > 0)
		p->n += (int)k;
	/* Deleting the other end's registration in the same round is safe. */
	loop_del_fd(p->lp, fd);
	loop_stop(p->lp);
}

static void
test_fd_callback(void **state)
{
	struct piperec p = { 0 };
	int fds[2];

	(void)state;
	p.lp = loop_new();
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(loop_add_fd(p.lp, fds[0], EPOLLIN, on_pipe, &p), 0);
	assert_int_equal(loop_add_fd(p.lp, fds[0], EPOLLIN, on_pipe, &p), -1);
	assert_int_equal(write(fds[1], "hi", 2), 2);
	loop_run(p.lp);
	assert_string_equal(p.got, "hi");
	close(fds[0]);
	close(fds[1]);
	loop_free(p.lp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_before_wait),
		cmocka_unit_test(test_timer_same_deadline_fifo),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_rearm_zero),
		cmocka_unit_test(test_idle_no_wakeup),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_default_term_stops),
		cmocka_unit_test(test_children_pidfd),
		cmocka_unit_test(test_children_sigchld),
		cmocka_unit_test(test_fd_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
