/*
 * The event loop: epoll over file descriptors, one timerfd for every timer
 * (a binary heap ordered by deadline), one signalfd, and child processes
 * through pidfd (or SIGCHLD and waitpid). It knows nothing of what the
 * callbacks do; sources, actions and mail plug in through it.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "util.h"

#define LOOP_MAXEV	64
#define LOOP_NSIG	65

enum reg_kind { REG_FD, REG_TIMERFD, REG_SIGNALFD, REG_PIDFD };

struct reg {
	enum reg_kind	 kind;
	int		 fd;
	bool		 dead;		/* deleted, freed after the round */
	loop_fd_cb	*cb;
	void		*arg;
	struct child	*child;		/* REG_PIDFD */
	struct reg	*next;		/* registry list, then the dead list */
};

struct child {
	pid_t		 pid;
	int		 pidfd;		/* -1 in SIGCHLD mode */
	loop_child_cb	*cb;
	void		*arg;
	struct child	*next;
};

struct loop_timer {
	struct loop	*lp;
	loop_timer_cb	*cb;
	void		*arg;
	uint64_t	 deadline;	/* ms, monotonic; 0 when disarmed */
	uint64_t	 interval;	/* ms, 0 for one-shot */
	uint64_t	 armseq;	/* loop->armseq when armed */
	size_t		 hidx;		/* index in the heap, if armed */
	bool		 owned;		/* loop_add_timer: freed after firing */
	struct loop_timer *onext;	/* list of loop-owned timers */
};

struct sighandler {
	loop_signal_cb	*cb;
	void		*arg;
};

struct loop {
	int		 epfd;
	int		 tfd;
	int		 sfd;
	bool		 stop;
	bool		 use_pidfd;
	uint64_t	 wakeups;
	uint64_t	 armseq;
	uint64_t	 tfd_deadline;	/* what the timerfd is set to, 0 none */
	sigset_t	 sigs;
	struct reg	*regs;
	struct reg	*dead;
	struct child	*children;
	struct loop_timer **heap;
	size_t		 nheap, heapcap;
	struct loop_timer *owned;
	struct sighandler handlers[LOOP_NSIG];
	loop_timer_cb	*before_wait;	/* called before every wait */
	void		*before_wait_arg;
};

static sigset_t	 saved_mask;
static bool	 saved_mask_set;

uint64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- registrations ---- */

static struct reg *
reg_find(struct loop *lp, int fd)
{
	struct reg *r;

	for (r = lp->regs; r != NULL; r = r->next)
		if (r->fd == fd)
			return r;
	return NULL;
}

static struct reg *
reg_add(struct loop *lp, enum reg_kind kind, int fd, uint32_t events)
{
	struct epoll_event ev;
	struct reg *r;

	if (reg_find(lp, fd) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->kind = kind;
	r->fd = fd;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = r;
	if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		free(r);
		return NULL;
	}
	r->next = lp->regs;
	lp->regs = r;
	return r;
}

static void
reg_del(struct loop *lp, struct reg *r)
{
	struct reg **pp;

	for (pp = &lp->regs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	(void)epoll_ctl(lp->epfd, EPOLL_CTL_DEL, r->fd, NULL);
	r->dead = true;
	r->next = lp->dead;
	lp->dead = r;
}

int
loop_add_fd(struct loop *lp, int fd, uint32_t events, loop_fd_cb *cb,
    void *arg)
{
	struct reg *r;

	if ((r = reg_add(lp, REG_FD, fd, events)) == NULL)
		return -1;
	r->cb = cb;
	r->arg = arg;
	return 0;
}

int
loop_mod_fd(struct loop *lp, int fd, uint32_t events)
{
	struct epoll_event ev;
	struct reg *r;

	if ((r = reg_find(lp, fd)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = r;
	return epoll_ctl(lp->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
loop_del_fd(struct loop *lp, int fd)
{
	struct reg *r;

	if ((r = reg_find(lp, fd)) != NULL && r->kind == REG_FD)
		reg_del(lp, r);
}

/* ---- timers: a binary heap on deadline, then arming order ---- */

static bool
timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->armseq < b->armseq;
}

static void
heap_set(struct loop *lp, size_t i, struct loop_timer *t)
{
	lp->heap[i] = t;
	t->hidx = i;
}

static void
heap_up(struct loop *lp, size_t i)
{
	struct loop_timer *t = lp->heap[i];

	while (i > 0 && timer_before(t, lp->heap[(i - 1) / 2])) {
		heap_set(lp, i, lp->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(lp, i, t);
}

static void
heap_down(struct loop *lp, size_t i)
{
	struct loop_timer *t = lp->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= lp->nheap)
			break;
		if (c + 1 < lp->nheap && timer_before(lp->heap[c + 1],
		    lp->heap[c]))
			c++;
		if (!timer_before(lp->heap[c], t))
			break;
		heap_set(lp, i, lp->heap[c]);
		i = c;
	}
	heap_set(lp, i, t);
}

static void
heap_remove(struct loop *lp, struct loop_timer *t)
{
	size_t i = t->hidx;
	struct loop_timer *last;

	last = lp->heap[--lp->nheap];
	if (i < lp->nheap) {
		heap_set(lp, i, last);
		heap_up(lp, i);
		heap_down(lp, last->hidx);
	}
	t->deadline = 0;
}

static void
heap_insert(struct loop *lp, struct loop_timer *t)
{
	if (lp->nheap == lp->heapcap) {
		lp->heapcap = lp->heapcap ? lp->heapcap * 2 : 16;
		lp->heap = xreallocarray(lp->heap, lp->heapcap,
		    sizeof(*lp->heap));
	}
	heap_set(lp, lp->nheap++, t);
	heap_up(lp, t->hidx);
}

struct loop_timer *
loop_timer_new(struct loop *lp, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t;

	t = xcalloc(1, sizeof(*t));
	t->lp = lp;
	t->cb = cb;
	t->arg = arg;
	return t;
}

static void
timer_arm_at(struct loop_timer *t, uint64_t deadline, uint64_t interval)
{
	struct loop *lp = t->lp;

	if (t->deadline != 0)
		heap_remove(lp, t);
	t->deadline = deadline ? deadline : 1;
	t->interval = interval;
	t->armseq = ++lp->armseq;
	heap_insert(lp, t);
}

void
loop_timer_arm(struct loop_timer *t, uint64_t ms, uint64_t interval_ms)
{
	timer_arm_at(t, loop_now() + ms, interval_ms);
}

void
loop_timer_disarm(struct loop_timer *t)
{
	if (t->deadline != 0)
		heap_remove(t->lp, t);
}

bool
loop_timer_armed(const struct loop_timer *t)
{
	return t->deadline != 0;
}

uint64_t
loop_timer_deadline(const struct loop_timer *t)
{
	return t->deadline;
}

void
loop_timer_free(struct loop_timer *t)
{
	if (t == NULL)
		return;
	loop_timer_disarm(t);
	free(t);
}

void
loop_add_timer(struct loop *lp, uint64_t ms, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t;

	t = loop_timer_new(lp, cb, arg);
	t->owned = true;
	t->onext = lp->owned;
	lp->owned = t;
	loop_timer_arm(t, ms, 0);
}

static void
owned_free(struct loop *lp, struct loop_timer *t)
{
	struct loop_timer **pp;

	for (pp = &lp->owned; *pp != NULL; pp = &(*pp)->onext)
		if (*pp == t) {
			*pp = t->onext;
			break;
		}
	loop_timer_free(t);
}

/* Sets the timerfd to the earliest deadline, or disarms it. */
static void
timers_program(struct loop *lp)
{
	struct itimerspec its;
	uint64_t d;

	d = lp->nheap ? lp->heap[0]->deadline : 0;
	if (d == lp->tfd_deadline)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = d / 1000;
	its.it_value.tv_nsec = (d % 1000) * 1000000;
	if (timerfd_settime(lp->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		fatal("timerfd_settime");
	lp->tfd_deadline = d;
}

static void
timers_fire(struct loop *lp)
{
	struct loop_timer *t;
	uint64_t now, start, exp;

	while (read(lp->tfd, &exp, sizeof(exp)) > 0)
		continue;
	lp->tfd_deadline = 0;
	now = loop_now();
	start = lp->armseq;
	while (lp->nheap > 0 && !lp->stop) {
		t = lp->heap[0];
		if (t->deadline > now || t->armseq > start)
			break;
		heap_remove(lp, t);
		if (t->interval > 0)
			timer_arm_at(t, now + t->interval, t->interval);
		/* The callback may free t (unless the loop owns it). */
		if (t->owned) {
			t->cb(t->arg);
			owned_free(lp, t);
		} else
			t->cb(t->arg);
	}
}

/* ---- signals ---- */

static const int loop_sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1,
    SIGCHLD };

int
loop_signal(struct loop *lp, int signo, loop_signal_cb *cb, void *arg)
{
	if (signo <= 0 || signo >= LOOP_NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (!sigismember(&lp->sigs, signo)) {
		sigaddset(&lp->sigs, signo);
		if (sigprocmask(SIG_BLOCK, &lp->sigs, NULL) == -1 ||
		    signalfd(lp->sfd, &lp->sigs, SFD_NONBLOCK | SFD_CLOEXEC)
		    == -1)
			return -1;
	}
	lp->handlers[signo].cb = cb;
	lp->handlers[signo].arg = arg;
	return 0;
}

void
loop_child_sigmask(void)
{
	if (saved_mask_set)
		(void)sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

static void children_reap_all(struct loop *);

static void
signals_read(struct loop *lp)
{
	struct signalfd_siginfo si;
	struct sighandler *h;
	int signo;

	while (read(lp->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		signo = (int)si.ssi_signo;
		if (signo <= 0 || signo >= LOOP_NSIG)
			continue;
		if (signo == SIGCHLD && !lp->use_pidfd)
			children_reap_all(lp);
		h = &lp->handlers[signo];
		if (h->cb != NULL)
			h->cb(signo, h->arg);
		else if (signo == SIGTERM || signo == SIGINT ||
		    signo == SIGQUIT)
			lp->stop = true;
	}
}

/* ---- children ---- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif

static void
child_unlink(struct loop *lp, struct child *c)
{
	struct child **pp;

	for (pp = &lp->children; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void
child_done(struct loop *lp, struct child *c, int status)
{
	child_unlink(lp, c);
	if (c->pidfd != -1) {
		struct reg *r = reg_find(lp, c->pidfd);

		if (r != NULL)
			reg_del(lp, r);
		close(c->pidfd);
	}
	c->cb(c->pid, status, c->arg);
	free(c);
}

static void
children_reap_all(struct loop *lp)
{
	struct child *c;
	pid_t pid;
	int status;

	/* Reap every child that ended, registered or not. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (c = lp->children; c != NULL; c = c->next)
			if (c->pid == pid)
				break;
		if (c != NULL)
			child_done(lp, c, status);
		else
			log_debug("reaped unregistered child %ld", (long)pid);
	}
}

static void
pidfd_ready(struct loop *lp, struct child *c)
{
	int status;
	pid_t pid;

	pid = waitpid(c->pid, &status, WNOHANG);
	if (pid == 0)
		return;		/* spurious */
	if (pid == -1) {
		log_warn("waitpid %ld", (long)c->pid);
		status = 0;
	}
	child_done(lp, c, status);
}

int
loop_add_child(struct loop *lp, pid_t pid, loop_child_cb *cb, void *arg)
{
	struct child *c;
	struct reg *r;
	int fd = -1;

	if (lp->use_pidfd) {
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd == -1) {
			if (errno != ENOSYS)
				return -1;
			log_info("pidfd_open unavailable, reaping on SIGCHLD");
			lp->use_pidfd = false;
		}
	}
	c = xcalloc(1, sizeof(*c));
	c->pid = pid;
	c->pidfd = fd;
	c->cb = cb;
	c->arg = arg;
	if (fd != -1) {
		if ((r = reg_add(lp, REG_PIDFD, fd, EPOLLIN)) == NULL) {
			close(fd);
			free(c);
			return -1;
		}
		r->child = c;
	}
	c->next = lp->children;
	lp->children = c;
	return 0;
}

void
loop_del_child(struct loop *lp, pid_t pid)
{
	struct child *c;
	struct reg *r;

	for (c = lp->children; c != NULL; c = c->next)
		if (c->pid == pid)
			break;
	if (c == NULL)
		return;
	child_unlink(lp, c);
	if (c->pidfd != -1) {
		if ((r = reg_find(lp, c->pidfd)) != NULL)
			reg_del(lp, r);
		close(c->pidfd);
	}
	free(c);
}

void
loop_block_signals(void)
{
	sigset_t sigs;

	if (saved_mask_set)
		return;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigs, &saved_mask) == -1)
		fatal("sigprocmask");
	saved_mask_set = true;
}

void
loop_force_sigchld(struct loop *lp)
{
	lp->use_pidfd = false;
}

/* ---- the loop ---- */

struct loop *
loop_new(void)
{
	struct loop *lp;
	size_t i;

	lp = xcalloc(1, sizeof(*lp));
	lp->use_pidfd = true;
	sigemptyset(&lp->sigs);
	for (i = 0; i < sizeof(loop_sigs) / sizeof(loop_sigs[0]); i++)
		sigaddset(&lp->sigs, loop_sigs[i]);
	if (!saved_mask_set) {
		if (sigprocmask(SIG_BLOCK, &lp->sigs, &saved_mask) == -1)
			fatal("sigprocmask");
		saved_mask_set = true;
	} else if (sigprocmask(SIG_BLOCK, &lp->sigs, NULL) == -1)
		fatal("sigprocmask");
	if ((lp->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	lp->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (lp->tfd == -1)
		fatal("timerfd_create");
	lp->sfd = signalfd(-1, &lp->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (lp->sfd == -1)
		fatal("signalfd");
	if (reg_add(lp, REG_TIMERFD, lp->tfd, EPOLLIN) == NULL ||
	    reg_add(lp, REG_SIGNALFD, lp->sfd, EPOLLIN) == NULL)
		fatal("epoll_ctl");
	return lp;
}

static void
dead_free(struct loop *lp)
{
	struct reg *r;

	while ((r = lp->dead) != NULL) {
		lp->dead = r->next;
		free(r);
	}
}

void
loop_free(struct loop *lp)
{
	struct reg *r;
	struct child *c;

	if (lp == NULL)
		return;
	while (lp->owned != NULL)
		owned_free(lp, lp->owned);
	/* Caller-owned timers may outlive us: just detach them. */
	while (lp->nheap > 0)
		heap_remove(lp, lp->heap[0]);
	free(lp->heap);
	while ((c = lp->children) != NULL) {
		lp->children = c->next;
		if (c->pidfd != -1)
			close(c->pidfd);
		free(c);
	}
	while ((r = lp->regs) != NULL) {
		lp->regs = r->next;
		free(r);
	}
	dead_free(lp);
	close(lp->sfd);
	close(lp->tfd);
	close(lp->epfd);
	free(lp);
}

static void
dispatch(struct loop *lp, struct reg *r, uint32_t events)
{
	if (r->dead)
		return;
	switch (r->kind) {
	case REG_FD:
		r->cb(r->fd, events, r->arg);
		break;
	case REG_TIMERFD:
		timers_fire(lp);
		break;
	case REG_SIGNALFD:
		signals_read(lp);
		break;
	case REG_PIDFD:
		pidfd_ready(lp, r->child);
		break;
	default:
		fatalx("loop: unknown registration kind %d", r->kind);
	}
}

void
loop_set_before_wait(struct loop *lp, loop_timer_cb *cb, void *arg)
{
	lp->before_wait = cb;
	lp->before_wait_arg = arg;
}

int
loop_run_once(struct loop *lp, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAXEV];
	int i, n;

	if (lp->before_wait != NULL)
		lp->before_wait(lp->before_wait_arg);
	timers_program(lp);
	n = epoll_wait(lp->epfd, evs, LOOP_MAXEV, timeout_ms);
	lp->wakeups++;
	if (n == -1) {
		if (errno == EINTR)
			return 0;
		log_warn("epoll_wait");
		return -1;
	}
	for (i = 0; i < n && !lp->stop; i++)
		dispatch(lp, evs[i].data.ptr, evs[i].events);
	dead_free(lp);
	return 0;
}

int
loop_run(struct loop *lp)
{
	lp->stop = false;
	while (!lp->stop)
		if (loop_run_once(lp, -1) == -1)
			return -1;
	return 0;
}

void
loop_stop(struct loop *lp)
{
	lp->stop = true;
}

uint64_t
loop_wakeups(const struct loop *lp)
{
	return lp->wakeups;
}
