// SPDX-License-Identifier: GPL-2.0
/*
 * What WG_IOC_WAIT returns for, and with what: Go's rule (the counter is
 * zero, or a generation completes after the wait began), the poll latch
 * (a completion that happens while the file is polled is kept for poll and
 * the file's next wait), and each waiter told its own generation's result.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "wg_util.h"

FIXTURE(wait) {
	int dev;
};

FIXTURE_SETUP(wait)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
}

FIXTURE_TEARDOWN(wait)
{
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Go: wg.Add(1); go a(); wg.Add(1); go b(); wg.Wait() waits for b even
 * when a finished before the second Add. Here a's done and the second add
 * run before the wait, on the same descriptor; the wait must still wait.
 */
static void go_sequence(struct __test_metadata *_metadata, int fd,
			unsigned long long gen)
{
	struct wg_wait w;

	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));		/* a */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0,
					  &w));	/* b still runs */
	ASSERT_EQ(0, sys_wg_done(fd));		/* b */
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	ASSERT_EQ(gen, w.generation);
}

TEST_F_TIMEOUT(wait, go_sequence_on_one_descriptor, 120)
{
	int fd = wg_create_anon(self->dev, 0);
	int i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 5000; i++)
		go_sequence(_metadata, fd, 2ULL * i + 2);
	close(fd);
}

TEST_F_TIMEOUT(wait, go_sequence_with_a_fresh_group_each_round, 120)
{
	int i, fd;

	for (i = 0; i < 2000; i++) {
		fd = wg_create_anon(self->dev, 0);
		ASSERT_LE(0, fd);
		go_sequence(_metadata, fd, 2);
		close(fd);
	}
}

/* Go's TestWaitGroupRace, with threads: Wait returns after both. */
struct race {
	int fd;
	atomic_int n;
};

static void *race_task(void *arg)
{
	struct race *r = arg;

	atomic_fetch_add(&r->n, 1);
	return (void *)(long)sys_wg_done(r->fd);
}

TEST_F_TIMEOUT(wait, go_race_threads, 300)
{
	struct race r = { .fd = wg_create_anon(self->dev, 0) };
	pthread_t a, b;
	void *ra, *rb;
	int i;

	ASSERT_LE(0, r.fd);
	for (i = 0; i < 1000; i++) {
		atomic_store(&r.n, 0);
		ASSERT_EQ(0, sys_wg_add(r.fd, 1, 0, 0, 0));
		ASSERT_EQ(0, pthread_create(&a, NULL, race_task, &r));
		ASSERT_EQ(0, sys_wg_add(r.fd, 1, 0, 0, 0));
		ASSERT_EQ(0, pthread_create(&b, NULL, race_task, &r));
		ASSERT_EQ(0, sys_wg_wait(r.fd, WG_FOREVER, 0, NULL));
		ASSERT_EQ(2, atomic_load(&r.n)) TH_LOG("round %d", i);
		ASSERT_EQ(0, pthread_join(a, &ra));
		ASSERT_EQ(0, pthread_join(b, &rb));
		ASSERT_EQ(NULL, ra);
		ASSERT_EQ(NULL, rb);
	}
	close(r.fd);
}

/* Two worker processes: on each cue byte, count one and report done. */
static void race_worker(int fd, int cue, atomic_int *n)
{
	char c;

	/* Never outlive the test, even one the harness kills. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		_exit(3);
	while (read(cue, &c, 1) == 1) {
		atomic_fetch_add(n, 1);
		if (sys_wg_done(fd))
			_exit(2);
	}
	_exit(0);
}

TEST_F_TIMEOUT(wait, go_race_processes, 300)
{
	int fd = wg_create_anon(self->dev, 0);
	int cue[2][2], i, k;
	atomic_int *n;
	pid_t pid[2];

	ASSERT_LE(0, fd);
	n = mmap(NULL, sizeof(*n), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, n);
	atomic_store(n, 0);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, pipe(cue[k]));
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (!pid[k]) {
			/* Only the parent may hold a write end: EOF ends us. */
			for (i = 0; i <= k; i++)
				close(cue[i][1]);
			race_worker(fd, cue[k][0], n);
		}
		close(cue[k][0]);
	}
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < 2; k++) {
			ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
			ASSERT_EQ(0, wg_pipe_put(cue[k][1]));
		}
		ASSERT_EQ(0, sys_wg_wait(fd, WG_FOREVER, 0, NULL));
		ASSERT_EQ(2 * (i + 1), atomic_load(n)) TH_LOG("round %d", i);
	}
	for (k = 0; k < 2; k++) {
		close(cue[k][1]);
		EXPECT_EQ(0, wg_reap(pid[k]));
	}
	munmap(n, sizeof(*n));
	close(fd);
}

/* Without a poll going on, a completion is not kept for anyone. */
TEST_F(wait, no_poll_no_latch)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	p.fd = fd;
	ASSERT_EQ(0, poll(&p, 1, 0));	/* over before the completion */
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	close(fd);
}

/* Readiness from a zero counter is level-triggered: a re-arm ends it. */
TEST_F(wait, zero_readiness_is_level_triggered)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	p.fd = fd;
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	close(fd);
}

/* An epoll registration is a poll going on: completions are latched. */
TEST_F(wait, epoll_registration_latches)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = wg_create_anon(self->dev, 0);
	struct wg_wait w;
	int ep, i;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));	/* zero */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, sys_wg_done(fd));
		ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0,
					0));	/* re-armed at once */
		ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
		EXPECT_EQ((uint32_t)EPOLLIN, out.events & EPOLLIN);
		/* Level-triggered: still there until the wait takes it. */
		ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
		ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
		EXPECT_EQ((__u64)i, w.generation);
		EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
		EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	}
	/* Deregistered: nothing latched any more. */
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	close(ep);
	close(fd);
}

/* A wait that got the completion itself does not get it again. */
TEST_F(wait, latch_of_a_returned_generation_goes)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = wg_create_anon(self->dev, 1);
	int fd2, ep;

	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	/* Per open file: fd is polled, fd2 is not. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd2, 0, 0, NULL));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	close(ep);
	close(fd2);
	close(fd);
}

/*
 * A thread asleep in WAIT on one descriptor, with what it returned; it
 * gives up after 20 s, so that a wait never released fails the test.
 */
struct sleeper {
	pthread_t thread;
	int fd;
	int ret;
	struct wg_wait w;
};

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	s->ret = sys_wg_wait(s->fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0, &s->w);
	return NULL;
}

/*
 * The completion that wakes a sleeping wait also latches the generation
 * for the file's pollers (epoll here). If the sleeper's file is the polled
 * one, the latch lets that generation go once the wait returns it; the
 * latch of another file (@other) keeps it for that file's next wait.
 */
static void sleeper_beside_epoll(struct __test_metadata *_metadata, int dev,
				 bool other)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = wg_create_anon(dev, 1);
	struct sleeper s;
	int ep;

	ASSERT_LE(0, fd);
	s.fd = other ? sys_wg_dup(fd, WG_CLOEXEC) : fd;
	ASSERT_LE(0, s.fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_fn, &s));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	/* The latch is armed after the sleeper is queued. */
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 1 */
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(1ULL, s.w.generation);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	if (other) {
		/* fd was polled: its next wait returns 1, latched. */
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
		ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &s.w));
		ASSERT_EQ(1ULL, s.w.generation);
		close(s.fd);
	}
	/* Returned once: neither readable nor returned again. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &s.w));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &s.w));
	ASSERT_EQ(2ULL, s.w.generation);
	close(ep);
	close(fd);
}

TEST_F(wait, sleeper_of_a_polled_file_lets_its_latch_go)
{
	sleeper_beside_epoll(_metadata, self->dev, false);
}

TEST_F(wait, sleeper_of_another_file_leaves_the_latch)
{
	sleeper_beside_epoll(_metadata, self->dev, true);
}

/* A thread blocked in poll(2) while the group completes and re-arms. */
struct poller {
	int fd;
	atomic_int tid;
	int ret;
	short revents;
};

static void *poller_fn(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	atomic_store(&p->tid, (int)syscall(SYS_gettid));
	p->ret = poll(&pfd, 1, 20000);
	p->revents = pfd.revents;
	return NULL;
}

static int pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int set_fifo(int on)
{
	struct sched_param sp = { .sched_priority = on ? 10 : 0 };

	return sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp);
}

TEST_F(wait, poller_sees_completion_rearmed_before_it_runs)
{
	struct poller p = { .fd = wg_create_anon(self->dev, 1) };
	__u64 end = wg_now_ns() + 20 * NSEC_PER_SEC;
	struct wg_wait w;
	pthread_t t;

	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, pin_to_cpu0());
	ASSERT_EQ(0, pthread_create(&t, NULL, poller_fn, &p));
	while (!atomic_load(&p.tid))
		ASSERT_GT(end, wg_now_ns());
	/* Asleep in poll: the only place the thread can sleep. */
	ASSERT_EQ(0, wg_wait_asleep(atomic_load(&p.tid), 20000));
	/* Completion and re-arm before the poller, on the same CPU, can run. */
	ASSERT_EQ(0, set_fifo(1));
	ASSERT_EQ(0, sys_wg_done(p.fd));
	ASSERT_EQ(0, sys_wg_add(p.fd, 1, 0, 0, 0));
	ASSERT_EQ(0, set_fifo(0));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	/* The next wait returns that completion at once, then waits again. */
	ASSERT_EQ(0, sys_wg_wait(p.fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(p.fd, 0, 0, &w));
	close(p.fd);
}

/*
 * W sleeps in generation 1 and must be told generation 1's result, though
 * generation 2 completes clean before W can run: the completer is
 * SCHED_FIFO on W's CPU. @abandon: generation 1 ends by abandonment (the
 * completer closes a descriptor holding an undo add) instead of an error.
 */
static void own_generation(struct __test_metadata *_metadata, int dev,
			   int abandon)
{
	int fd = wg_create_anon(dev, 0), holder, res[2];
	struct wg_wait w;
	pid_t pid;

	ASSERT_LE(0, fd);
	holder = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, holder);
	ASSERT_EQ(0, sys_wg_add(holder, 1, abandon ? WG_UNDO : 0, 0, 0));
	ASSERT_EQ(0, pipe(res));
	ASSERT_EQ(0, pin_to_cpu0());
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ret;

		close(holder);	/* the parent's close must be the last */
		ret = sys_wg_wait(fd, WG_FOREVER, 0, &w);

		if (ret || write(res[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, set_fifo(1));
	if (abandon) {
		ASSERT_EQ(0, close(holder));
	} else {
		ASSERT_EQ(0, sys_wg_add(holder, -1, 0, EIO, 0));
	}
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));		/* generation 2, clean */
	ASSERT_EQ(0, set_fifo(0));
	ASSERT_EQ(2, wg_generation(fd));
	ASSERT_EQ(0, wg_reap(pid));
	ASSERT_EQ((ssize_t)sizeof(w), read(res[0], &w, sizeof(w)));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(abandon ? EOWNERDEAD : EIO, w.error);
	EXPECT_EQ(abandon ? 1U : 0U, w.abandoned);
	if (!abandon)
		close(holder);
	close(res[0]);
	close(res[1]);
	close(fd);
}

TEST_F(wait, waiter_gets_its_generations_error)
{
	own_generation(_metadata, self->dev, 0);
}

TEST_F(wait, waiter_gets_its_generations_abandonment)
{
	own_generation(_metadata, self->dev, 1);
}

/*
 * A wait stopped by SIGSTOP gives up its sleep and is restarted by
 * SIGCONT; the generation it began in completes and is re-armed while it
 * is stopped. The restarted call must still return that generation.
 */
TEST_F(wait, restarted_wait_gets_the_generation_it_began_in)
{
	int fd = wg_create_anon(self->dev, 1), res[2];
	struct wg_wait w;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ret = sys_wg_wait(fd, wg_now_ns() + 60 * NSEC_PER_SEC,
				      0, &w);

		w.error = ret ? ret : w.error;
		if (write(res[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	/* Stopped: its wait was given up (the waiter count drops). */
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 0, 20000));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ((ssize_t)sizeof(w), read(res[0], &w, sizeof(w)));
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, wg_reap(pid));
	/* Taken: the file's next wait waits for the running generation. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	close(res[0]);
	close(res[1]);
	close(fd);
}

/*
 * Threads of one process waiting on one descriptor (struct sleeper): a
 * signal takes one of them out of its wait while the others go on. What
 * the kernel keeps for the interrupted wait is its thread's (struct
 * wg_kept).
 */
static int held[2] = { -1, -1 };

/* Holds its thread, its wait given up, until the test writes a byte. */
static void on_usr2_hold(int sig)
{
	int saved = errno;
	char c;

	(void)sig;
	while (read(held[0], &c, 1) < 0 && errno == EINTR)
		;
	errno = saved;
}

/* Start @t waiting on @fd, then signal it into on_usr2_hold(). */
static void start_then_hold(struct __test_metadata *_metadata,
			    struct sleeper *t, int fd)
{
	struct sigaction sa = {
		.sa_handler = on_usr2_hold,
		.sa_flags = SA_RESTART,
	};

	if (held[0] < 0)
		ASSERT_EQ(0, pipe(held));
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	t->fd = fd;
	ASSERT_EQ(0, pthread_create(&t->thread, NULL, sleeper_fn, t));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, pthread_kill(t->thread, SIGUSR2));
	/* In the handler: its wait was given up (the waiter count drops). */
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 0, 20000));
}

/* Let the held thread go: its wait restarts (SA_RESTART). */
static void let_go(struct __test_metadata *_metadata,
		   struct sleeper *t)
{
	ASSERT_EQ(1, write(held[1], "x", 1));
	ASSERT_EQ(0, pthread_join(t->thread, NULL));
	signal(SIGUSR2, SIG_DFL);
}

/*
 * Another thread's wait begins in the same generation (1, on @fd at 1)
 * and is released by it, and the group is re-armed, all while the first
 * thread is in its handler. Its restarted call must still return the
 * generation it began in, not sleep into the next: the other wait
 * neither ends nor takes what the file keeps for it.
 */
static void restart_while_another_waits(struct __test_metadata *_metadata,
					int fd)
{
	struct sleeper a = {}, b = {};

	start_then_hold(_metadata, &a, fd);
	b.fd = fd;
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, sleeper_fn, &b));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, pthread_join(b.thread, NULL));
	EXPECT_EQ(0, b.ret);
	EXPECT_EQ(1ULL, b.w.generation);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	let_go(_metadata, &a);
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(1ULL, a.w.generation);
}

TEST_F(wait, restart_is_kept_for_its_thread_while_another_waits)
{
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	restart_while_another_waits(_metadata, fd);
	/* Taken by its thread: nothing is left for anyone else. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	close(fd);
}

/*
 * The generation completes and the group is re-armed while the first
 * thread is in its handler; then another thread waits. That wait began
 * in the running generation and sleeps (here: a deadline of 0), as Go
 * wants; the interrupted thread's restarted call still returns the
 * generation it began in.
 */
TEST_F(wait, restart_is_kept_from_another_threads_next_wait)
{
	int fd = wg_create_anon(self->dev, 1);
	struct sleeper a = {};

	ASSERT_LE(0, fd);
	start_then_hold(_metadata, &a, fd);
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	let_go(_metadata, &a);
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(1ULL, a.w.generation);
	close(fd);
}

static void on_usr2_nothing(int sig)
{
	(void)sig;
}

/*
 * A file keeps at most 64 records for interrupted threads. Those of
 * threads that have exited make room: after 64 threads were interrupted
 * (EINTR) and left, the kept record of a 65th still works as above.
 */
TEST_F(wait, records_of_exited_threads_make_room)
{
	struct sigaction sa = { .sa_handler = on_usr2_nothing };
	int fd = wg_create_anon(self->dev, 1);
	struct sleeper t;
	int i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	/* Each waits, is interrupted (EINTR) and exits, leaving a record. */
	for (i = 0; i < 64; i++) {
		t.fd = fd;
		ASSERT_EQ(0, pthread_create(&t.thread, NULL, sleeper_fn, &t));
		ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
		ASSERT_EQ(0, pthread_kill(t.thread, SIGUSR2));
		ASSERT_EQ(0, pthread_join(t.thread, NULL));
		ASSERT_EQ(-EINTR, t.ret);
	}
	restart_while_another_waits(_metadata, fd);
	close(fd);
}

/* Wait until interrupted (EINTR), say so, then wait again when told. */
struct eintr_thread {
	pthread_t thread;
	int fd;
	int ready[2];
	int go[2];
	int first;
	int second;
	struct wg_wait w;
};

static void *eintr_then_again(void *arg)
{
	struct eintr_thread *t = arg;
	char c;

	t->first = sys_wg_wait(t->fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0,
			       NULL);
	if (write(t->ready[1], "x", 1) != 1 || read(t->go[0], &c, 1) != 1)
		return NULL;
	t->second = sys_wg_wait(t->fd, 0, 0, &t->w);
	return NULL;
}

/*
 * After EINTR (no SA_RESTART), the interrupted thread's next wait of the
 * file returns the generation the interrupted one began in, once that has
 * completed; another thread's wait, which began later, does not.
 */
TEST_F(wait, eintr_leaves_the_generation_to_its_threads_next_wait)
{
	struct sigaction sa = { .sa_handler = on_usr2_nothing };
	struct eintr_thread t = { .second = 1 };
	char c;

	t.fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pipe(t.ready));
	ASSERT_EQ(0, pipe(t.go));
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, eintr_then_again, &t));
	ASSERT_EQ(0, wg_wait_for_waiters(t.fd, 1, 20000));
	ASSERT_EQ(0, pthread_kill(t.thread, SIGUSR2));
	ASSERT_EQ(1, read(t.ready[0], &c, 1));
	EXPECT_EQ(-EINTR, t.first);
	ASSERT_EQ(0, sys_wg_done(t.fd));
	ASSERT_EQ(0, sys_wg_add(t.fd, 1, 0, 0, 0));
	/* This thread's wait began in generation 2. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(t.fd, 0, 0, NULL));
	ASSERT_EQ(1, write(t.go[1], "x", 1));
	ASSERT_EQ(0, pthread_join(t.thread, NULL));
	EXPECT_EQ(0, t.second);
	EXPECT_EQ(1ULL, t.w.generation);
	signal(SIGUSR2, SIG_DFL);
	close(t.ready[0]);
	close(t.ready[1]);
	close(t.go[0]);
	close(t.go[1]);
	close(t.fd);
}

/* A result lost to EFAULT is latched: the next wait returns it at once. */
TEST_F(wait, result_lost_to_efault_is_returned_next)
{
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w, *ro;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EPIPE, 0));
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, sizeof(*ro));
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, WG_IOC_WAIT, ro));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EPIPE, w.error);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	munmap(ro, 4096);
	close(fd);
}

/* fdinfo shows the group's state only where INFO would. */
TEST_F(wait, fdinfo_state_needs_wait_access)
{
	char name[WG_NAME_MAX];
	struct wg_info info;
	int named, add_only;

	wg_name(name, "fdinfo");
	named = sys_wg_create(self->dev, WG_EXCL | WG_CLOEXEC, 0600, 3, name);
	ASSERT_LE(0, named);
	add_only = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_ADD, name);
	ASSERT_LE(0, add_only);
	EXPECT_EQ(-EBADF, sys_wg_info(add_only, &info));
	EXPECT_EQ(-1, wg_fdinfo(add_only, "count"));
	EXPECT_EQ(-1, wg_fdinfo(add_only, "waiters"));
	EXPECT_EQ(-1, wg_fdinfo(add_only, "generation"));
	EXPECT_EQ(0, wg_fdinfo(add_only, "undo"));
	EXPECT_EQ(3, wg_fdinfo(named, "count"));
	close(add_only);
	close(named);
	EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
}

TEST_HARNESS_MAIN
