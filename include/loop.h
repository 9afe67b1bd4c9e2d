#ifndef WATCHFOR_LOOP_H
#define WATCHFOR_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One epoll event loop per process: file descriptors, timers (one timerfd,
 * CLOCK_MONOTONIC, milliseconds), signals (signalfd) and child processes
 * (pidfd, or SIGCHLD + waitpid where pidfd_open is missing). Nothing wakes
 * the process unless a descriptor is ready, a timer is due or a signal came.
 */

struct loop;
struct loop_timer;

typedef void loop_fd_cb(int fd, uint32_t events, void *arg);
typedef void loop_timer_cb(void *arg);
typedef void loop_signal_cb(int signo, void *arg);
/* `status` is as from waitpid(2): use WIFEXITED and friends. */
typedef void loop_child_cb(pid_t pid, int status, void *arg);

/*
 * Returns a new loop. Blocks TERM INT QUIT HUP USR1 and CHLD in the calling
 * thread and reads them through a signalfd. Until a handler is set with
 * loop_signal, TERM, INT and QUIT stop the loop (loop_run returns) and the
 * others are ignored. Startup failures are fatal.
 */
struct loop	*loop_new(void);
/* Frees the loop, its timers and registrations; closes no caller fd. */
void		 loop_free(struct loop *);

/*
 * Calls `cb` when `fd` is ready for `events` (EPOLLIN, EPOLLOUT...). The fd
 * stays the caller's. Returns 0, or -1 with errno set (EEXIST if added).
 */
int		 loop_add_fd(struct loop *, int fd, uint32_t events,
		    loop_fd_cb *cb, void *arg);
/* Changes the events of a registered fd. Returns 0 or -1 with errno. */
int		 loop_mod_fd(struct loop *, int fd, uint32_t events);
/*
 * Forgets `fd` (call before closing it). Safe from any callback, including
 * for an fd whose event is pending in the same round: it is not called.
 */
void		 loop_del_fd(struct loop *, int fd);

/*
 * A caller-owned timer, created disarmed. loop_timer_arm (re)arms it to
 * fire in `ms` and then, if `interval_ms` > 0, every `interval_ms`; arming
 * an armed timer moves it. A timer armed from its own callback fires in a
 * later round, never twice in one. loop_timer_free(NULL) is a no-op.
 */
struct loop_timer *loop_timer_new(struct loop *, loop_timer_cb *cb,
		    void *arg);
void		 loop_timer_arm(struct loop_timer *, uint64_t ms,
		    uint64_t interval_ms);
void		 loop_timer_disarm(struct loop_timer *);
bool		 loop_timer_armed(const struct loop_timer *);
/* Absolute deadline (loop_now scale) of an armed timer, else 0. */
uint64_t	 loop_timer_deadline(const struct loop_timer *);
void		 loop_timer_free(struct loop_timer *);
/* A one-shot timer owned by the loop: fires once in `ms`, then is freed. */
void		 loop_add_timer(struct loop *, uint64_t ms, loop_timer_cb *cb,
		    void *arg);

/*
 * Calls `cb` in the loop when signal `signo` arrives (NULL restores the
 * default described at loop_new). A signal not blocked by loop_new is
 * blocked and added to the signalfd. Returns 0 or -1 with errno.
 */
int		 loop_signal(struct loop *, int signo, loop_signal_cb *cb,
		    void *arg);
/*
 * Restores the signal mask the process had before loop_new. Call it in a
 * forked child before exec, so that the program starts with signals
 * unblocked.
 */
void		 loop_child_sigmask(void);

/*
 * Calls `cb` once with the exit status when child `pid` ends, and reaps it.
 * Register right after fork, from the same callback. Returns 0 or -1.
 * Children not registered are reaped only in SIGCHLD mode.
 */
int		 loop_add_child(struct loop *, pid_t pid, loop_child_cb *cb,
		    void *arg);
/*
 * Forgets child `pid` without calling its callback: for a caller that
 * reaps it itself. No-op for a pid not registered.
 */
void		 loop_del_child(struct loop *, pid_t pid);
/*
 * Blocks the loop's signals now (TERM INT QUIT HUP USR1 CHLD), before
 * the loop exists: a HUP during a long startup waits for the loop instead
 * of killing the process. The mask before is the one children get.
 */
void		 loop_block_signals(void);
/* Tests: use SIGCHLD + waitpid even where pidfd_open works. */
void		 loop_force_sigchld(struct loop *);

/*
 * Runs until loop_stop. Returns 0, or -1 if epoll_wait failed (logged).
 * loop_stop may be called from any callback; the round in progress ends.
 */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);
/*
 * Calls `cb` before every wait for events: the end of a batch of work,
 * where buffered output is flushed. NULL removes it.
 */
void		 loop_set_before_wait(struct loop *, loop_timer_cb *cb, void *arg);
/* Runs one round: waits at most `timeout_ms` (-1: no limit). For tests. */
int		 loop_run_once(struct loop *, int timeout_ms);

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t	 loop_now(void);
/* Number of times epoll_wait returned (for tests and stats). */
uint64_t	 loop_wakeups(const struct loop *);

#endif
