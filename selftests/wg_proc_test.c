// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: many processes on one group. Workers, waiters, re-arming,
 * poll/epoll/select, deadlines, signals, SCM_RIGHTS, undo on death, fork
 * and exec.
 *
 * Processes are ordered with pipes or with the group's own state (the
 * waiters count of WG_IOC_INFO); never with sleeps.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "wg_util.h"

#define WORKERS		16
#define ITERATIONS	2000
#define SPIN_MS		20000	/* bound of every spin on the group's state */

static char *self_exe;

FIXTURE(proc) {
	int dev;
	int fd;
};

FIXTURE_SETUP(proc)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = -1;
}

static pid_t spawned[64];
static int nspawned;

FIXTURE_TEARDOWN(proc)
{
	int i;

	/*
	 * A failed ASSERT leaves children behind, holding the group (and the
	 * module) open: kill any that were not reaped.
	 */
	for (i = 0; i < nspawned; i++) {
		if (waitpid(spawned[i], NULL, WNOHANG) == 0) {
			kill(spawned[i], SIGKILL);
			waitpid(spawned[i], NULL, 0);
		}
	}
	if (self->fd >= 0)
		close(self->fd);
	close(self->dev);
}

/* Fork a child running @fn(@fd, @arg); its return value is the exit code. */
static pid_t spawn(int (*fn)(int fd, long arg), int fd, long arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(fd, arg));
	if (pid > 0 && nspawned < (int)ARRAY_SIZE(spawned))
		spawned[nspawned++] = pid;
	return pid;
}

static int worker_add_done(int fd, long iterations)
{
	long i;

	for (i = 0; i < iterations; i++) {
		if (sys_wg_add(fd, 1, 0, 0, 0))
			return 1;
		if (sys_wg_done(fd))
			return 2;
	}
	return sys_wg_done(fd) ? 3 : 0;	/* the parent's hold for us */
}

TEST_F_TIMEOUT(proc, workers_add_done_exact, 300)
{
	struct wg_wait w;
	pid_t pids[WORKERS];
	int i;

	self->fd = wg_create_anon(self->dev, WORKERS);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = spawn(worker_add_done, self->fd, ITERATIONS);
		ASSERT_LT(0, pids[i]);
	}
	ASSERT_EQ(0, sys_wg_wait(self->fd, WG_FOREVER, 0, &w));
	/* The holds kept the counter above zero until the last worker. */
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
	for (i = 0; i < WORKERS; i++)
		EXPECT_EQ(0, wg_reap(pids[i]));
	EXPECT_EQ(0, wg_count(self->fd));
	EXPECT_EQ(1, wg_generation(self->fd));
}

static int worker_net_plus(int fd, long iterations)
{
	long i;

	for (i = 0; i < iterations; i++) {
		if (sys_wg_add(fd, 3, 0, 0, 0))
			return 1;
		if (sys_wg_done(fd) || sys_wg_add(fd, -1, 0, 0, 0))
			return 2;
	}
	return 0;
}

TEST_F_TIMEOUT(proc, workers_net_count_exact, 300)
{
	pid_t pids[WORKERS];
	int i;

	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = spawn(worker_net_plus, self->fd, ITERATIONS);
		ASSERT_LT(0, pids[i]);
	}
	for (i = 0; i < WORKERS; i++)
		EXPECT_EQ(0, wg_reap(pids[i]));
	EXPECT_EQ(WORKERS * ITERATIONS, wg_count(self->fd));
	EXPECT_EQ(0, wg_generation(self->fd));
	EXPECT_EQ(-ERANGE, sys_wg_add(self->fd, -(WORKERS * ITERATIONS) - 1, 0,
				      0, 0));
	EXPECT_EQ(0, sys_wg_add(self->fd, -(WORKERS * ITERATIONS), 0, 0, 0));
	EXPECT_EQ(1, wg_generation(self->fd));
}

/* Each worker opens its own file with WG_IOC_DUP and cycles the group. */
static int worker_cycle(int fd, long iterations)
{
	int my = sys_wg_dup(fd, WG_CLOEXEC);
	long i;

	if (my < 0)
		return 10;
	for (i = 0; i < iterations; i++) {
		if (sys_wg_add(my, 2, WG_UNDO, 0, 0))
			return 1;
		if (sys_wg_done(my) || sys_wg_done(my))
			return 2;
	}
	close(my);
	return 0;
}

TEST_F_TIMEOUT(proc, workers_own_files_ledgers_balance, 300)
{
	struct wg_info info;
	pid_t pids[WORKERS];
	int i;

	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = spawn(worker_cycle, self->fd, ITERATIONS / 2);
		ASSERT_LT(0, pids[i]);
	}
	for (i = 0; i < WORKERS; i++)
		EXPECT_EQ(0, wg_reap(pids[i]));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	EXPECT_EQ(0, info.count);
	/* Every ledger was drawn to zero: nothing abandoned at close. */
	EXPECT_EQ(0U, info.abandoned);
	EXPECT_EQ(0, info.error);
	EXPECT_LE(1ULL, info.generation);
	EXPECT_GE((__u64)WORKERS * ITERATIONS / 2, info.generation);
}

static int waiter_forever(int fd, long expect_gen)
{
	struct wg_wait w;

	if (sys_wg_wait(fd, WG_FOREVER, 0, &w))
		return 1;
	if (w.generation != (__u64)expect_gen)
		return 2;
	return w.error ? 3 : 0;
}

/* As waiter_forever, for a generation that ended with an abandonment. */
static int waiter_sees_abandon(int fd, long abandoned)
{
	struct wg_wait w;

	if (sys_wg_wait(fd, WG_FOREVER, 0, &w))
		return 1;
	if (w.generation != 1)
		return 2;
	if (w.error != EOWNERDEAD)
		return 3;
	return w.abandoned == (__u32)abandoned ? 0 : 4;
}

TEST_F(proc, last_done_releases_all_waiters)
{
	pid_t pids[8];
	int i;

	self->fd = wg_create_anon(self->dev, 3);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 8; i++) {
		pids[i] = spawn(waiter_forever, self->fd, 1);
		ASSERT_LT(0, pids[i]);
	}
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 8, SPIN_MS));
	EXPECT_EQ(8, wg_fdinfo(self->fd, "waiters"));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	/* Not yet: still all asleep. */
	EXPECT_EQ(0, wg_wait_for_waiters(self->fd, 8, 0));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, wg_reap(pids[i]));
	EXPECT_EQ(0, wg_wait_for_waiters(self->fd, 0, SPIN_MS));
}

static void *thread_waiter(void *arg)
{
	struct wg_wait w;
	int fd = *(int *)arg;

	if (sys_wg_wait(fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0, &w))
		return (void *)1;
	return (void *)(long)(w.generation == 1 ? 0 : 2);
}

TEST_F(proc, threads_on_one_file_all_released)
{
	pthread_t th[6];
	void *ret;
	int i;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_waiter,
					    &self->fd));
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 6, SPIN_MS));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, pthread_join(th[i], &ret));
		EXPECT_EQ(0, (long)ret);
	}
}

static int gen_pipe[2], cue_pipe[2];

/*
 * Wait @rounds times, writing each returned generation to gen_pipe, then
 * waiting for the cue that the group has been re-armed (else a wait that
 * starts between the parent's done and its add would rightly return at
 * once, the counter being zero).
 */
static int waiter_rounds(int fd, long rounds)
{
	struct wg_wait w;
	long i;

	for (i = 0; i < rounds; i++) {
		if (sys_wg_wait(fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0, &w))
			return 1;
		if (write(gen_pipe[1], &w.generation, sizeof(w.generation)) !=
		    sizeof(w.generation))
			return 2;
		if (wg_pipe_get(cue_pipe[0]))
			return 3;
	}
	return 0;
}

TEST_F_TIMEOUT(proc, rearm_at_once_still_releases_waiter, 120)
{
	const int rounds = 100;
	__u64 gen;
	pid_t pid;
	int i;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pipe(gen_pipe));
	ASSERT_EQ(0, pipe(cue_pipe));
	pid = spawn(waiter_rounds, self->fd, rounds);
	ASSERT_LT(0, pid);
	for (i = 1; i <= rounds; i++) {
		ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, SPIN_MS))
			TH_LOG("round %d: waiter never slept", i);
		/* Complete and re-arm back to back. */
		ASSERT_EQ(0, sys_wg_done(self->fd));
		ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
		ASSERT_EQ((ssize_t)sizeof(gen), read(gen_pipe[0], &gen,
						     sizeof(gen)))
			TH_LOG("round %d: waiter not released", i);
		ASSERT_EQ((__u64)i, gen);
		ASSERT_EQ(0, wg_pipe_put(cue_pipe[1]));
	}
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));
	EXPECT_EQ(rounds, wg_generation(self->fd));
}

TEST_F(proc, rearm_releases_many_waiters)
{
	pid_t pids[6];
	int i;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 6; i++) {
		pids[i] = spawn(waiter_forever, self->fd, 1);
		ASSERT_LT(0, pids[i]);
	}
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 6, SPIN_MS));
	ASSERT_EQ(0, sys_wg_add(self->fd, -1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 5, 0, 0, 0));
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0, wg_reap(pids[i]));
	EXPECT_EQ(5, wg_count(self->fd));
}

/*
 * Wait for a byte on @arg's pipe and for the parent to sleep (in the poll,
 * select or epoll_wait that follows its cue: a completion before that
 * would not be the parent's to see), then complete and re-arm the group.
 */
static int rearm_on_cue(int fd, long cue)
{
	if (wg_pipe_get(cue))
		return 1;
	if (wg_wait_asleep(getppid(), SPIN_MS))
		return 3;
	if (sys_wg_done(fd) || sys_wg_add(fd, 1, 0, 0, 0))
		return 2;
	return 0;
}

TEST_F(proc, poll_sees_rearmed_completion)
{
	struct pollfd pfd;
	int cue[2];
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pipe(cue));
	pid = spawn(rearm_on_cue, self->fd, cue[0]);
	ASSERT_LT(0, pid);
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, wg_pipe_put(cue[1]));
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));
	/* Its mark is behind: ready until this file returns from a wait. */
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, NULL));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(cue[0]);
	close(cue[1]);
}

TEST_F(proc, epoll_sees_rearmed_completion)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int cue[2], ep;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.u64 = 0x1234;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, pipe(cue));
	pid = spawn(rearm_on_cue, self->fd, cue[0]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_put(cue[1]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events & EPOLLIN);
	EXPECT_EQ(0x1234ULL, out.data.u64);
	EXPECT_EQ(0, wg_reap(pid));
	/* Level-triggered: readable until the wait consumes it. */
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
	close(cue[0]);
	close(cue[1]);
}

TEST_F(proc, epoll_edge_triggered_wakes_on_zero)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	int cue[2], ep;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, pipe(cue));
	pid = spawn(rearm_on_cue, self->fd, cue[0]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_put(cue[1]));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events & EPOLLIN);
	EXPECT_EQ(0, wg_reap(pid));
	close(ep);
	close(cue[0]);
	close(cue[1]);
}

TEST_F(proc, select_sees_completion)
{
	struct timeval tv = { 0, 0 };
	fd_set rfds;
	int cue[2];
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	FD_ZERO(&rfds);
	FD_SET(self->fd, &rfds);
	EXPECT_EQ(0, select(self->fd + 1, &rfds, NULL, NULL, &tv));
	ASSERT_EQ(0, pipe(cue));
	pid = spawn(rearm_on_cue, self->fd, cue[0]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_put(cue[1]));
	FD_ZERO(&rfds);
	FD_SET(self->fd, &rfds);
	tv.tv_sec = 20;
	ASSERT_EQ(1, select(self->fd + 1, &rfds, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->fd, &rfds));
	EXPECT_EQ(0, wg_reap(pid));
	close(cue[0]);
	close(cue[1]);
}

static int done_when_asleep(int fd, long n)
{
	if (wg_wait_for_waiters(fd, n, SPIN_MS))
		return 1;
	return sys_wg_done(fd) ? 2 : 0;
}

TEST_F(proc, deadline_future_expires)
{
	__u64 start = wg_now_ns(), deadline = start + 200 * NSEC_PER_MSEC;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, deadline, 0, NULL));
	EXPECT_LE(deadline, wg_now_ns());
	EXPECT_EQ(0, wg_fdinfo(self->fd, "waiters"));
	EXPECT_EQ(1, wg_count(self->fd));
}

TEST_F(proc, deadline_not_reached_when_completed)
{
	struct wg_wait w;
	__u64 deadline = wg_now_ns() + 60 * NSEC_PER_SEC;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	pid = spawn(done_when_asleep, self->fd, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, sys_wg_wait(self->fd, deadline, 0, &w));
	EXPECT_GT(deadline, wg_now_ns());
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, wg_reap(pid));
}

/* Deadlines beyond any ktime_t must not wrap into the past. */
static void huge_deadline(struct __test_metadata *_metadata, int dev,
			  __u64 deadline)
{
	struct wg_wait w;
	pid_t pid;
	int fd;

	fd = wg_create_anon(dev, 1);
	ASSERT_LE(0, fd);
	pid = spawn(done_when_asleep, fd, 1);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, sys_wg_wait(fd, deadline, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, wg_reap(pid));
	close(fd);
}

TEST_F(proc, deadline_forever_minus_one)
{
	huge_deadline(_metadata, self->dev, WG_FOREVER - 1);
}

TEST_F(proc, deadline_2_pow_63)
{
	huge_deadline(_metadata, self->dev, 1ULL << 63);
}

TEST_F(proc, deadline_int64_max)
{
	huge_deadline(_metadata, self->dev, (__u64)INT64_MAX);
}

static int *handler_runs;	/* shared with the helper child */

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(handler_runs, 1, __ATOMIC_SEQ_CST);
}

static int *shared_int(void)
{
	void *p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Signal the waiter (our parent) once it sleeps. */
static int signal_sleeper(int fd, long ppid)
{
	if (wg_wait_for_waiters(fd, 1, SPIN_MS))
		return 1;
	return kill(ppid, SIGUSR1) ? 2 : 0;
}

TEST_F(proc, signal_interrupts_wait_eintr)
{
	struct sigaction sa;
	pid_t pid;

	handler_runs = shared_int();
	ASSERT_NE(NULL, handler_runs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = 0;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	pid = spawn(signal_sleeper, self->fd, getpid());
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EINTR, sys_wg_wait(self->fd, wg_now_ns() + 20 * NSEC_PER_SEC,
				      0, NULL));
	EXPECT_EQ(1, __atomic_load_n(handler_runs, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));
	EXPECT_EQ(0, wg_fdinfo(self->fd, "waiters"));
}

/*
 * Signal the waiter once it sleeps; once the handler has run, wait for the
 * restarted wait to sleep again, then complete the group.
 */
static int signal_then_done(int fd, long ppid)
{
	__u64 end = wg_now_ns() + SPIN_MS * NSEC_PER_MSEC;

	if (wg_wait_for_waiters(fd, 1, SPIN_MS))
		return 1;
	if (kill(ppid, SIGUSR1))
		return 2;
	while (!__atomic_load_n(handler_runs, __ATOMIC_SEQ_CST)) {
		if (wg_now_ns() > end)
			return 3;
		sched_yield();
	}
	if (wg_wait_for_waiters(fd, 1, SPIN_MS))
		return 4;
	return sys_wg_done(fd) ? 5 : 0;
}

TEST_F(proc, signal_with_sa_restart_resumes_wait)
{
	struct sigaction sa;
	struct wg_wait w;
	pid_t pid;

	handler_runs = shared_int();
	ASSERT_NE(NULL, handler_runs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	pid = spawn(signal_then_done, self->fd, getpid());
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, sys_wg_wait(self->fd, wg_now_ns() + 30 * NSEC_PER_SEC, 0,
				 &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(1, __atomic_load_n(handler_runs, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(0, wg_count(self->fd));
}

TEST_F(proc, signal_restart_keeps_absolute_deadline)
{
	struct sigaction sa;
	__u64 deadline;
	pid_t pid;

	handler_runs = shared_int();
	ASSERT_NE(NULL, handler_runs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	pid = spawn(signal_sleeper, self->fd, getpid());
	ASSERT_LT(0, pid);
	deadline = wg_now_ns() + 500 * NSEC_PER_MSEC;
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, deadline, 0, NULL));
	EXPECT_LE(deadline, wg_now_ns());
	EXPECT_EQ(1, __atomic_load_n(handler_runs, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, wg_reap(pid));
}

TEST_F(proc, sigkill_of_waiter_leaves_group_intact)
{
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	pid = spawn(waiter_forever, self->fd, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, SPIN_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wg_reap(pid));
	EXPECT_EQ(0, wg_wait_for_waiters(self->fd, 0, SPIN_MS));
	EXPECT_EQ(1, wg_count(self->fd));
	EXPECT_EQ(0, wg_generation(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	EXPECT_EQ(1, wg_generation(self->fd));
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data = 'f';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;

	memset(cbuf, 0, sizeof(cbuf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* Receive a group fd, check it, done on it, report back. */
static int scm_receiver(int unused, long sock)
{
	char link[64];
	ssize_t len;
	char path[64];
	int fd;

	(void)unused;
	fd = recv_fd(sock);
	if (fd < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return 2;
	link[len] = 0;
	if (strcmp(link, "anon_inode:[waitgroup]"))
		return 3;
	if (wg_count(fd) != 2)
		return 4;
	if (sys_wg_done(fd))
		return 5;
	return wg_pipe_put(sock) ? 6 : 0;
}

TEST_F(proc, scm_rights_passes_group)
{
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* Forked before the group exists: only SCM_RIGHTS can give it. */
	pid = spawn(scm_receiver, -1, sv[1]);
	ASSERT_LT(0, pid);
	self->fd = wg_create_anon(self->dev, 2);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, send_fd(sv[0], self->fd));
	ASSERT_EQ(0, wg_pipe_get(sv[0]));
	EXPECT_EQ(1, wg_count(self->fd));
	EXPECT_EQ(0, wg_reap(pid));
	close(sv[0]);
	close(sv[1]);
}

/* Create a group of our own, hand it over with a pending undo, exit. */
static int scm_creator(int unused, long sock)
{
	int dev, fd;

	(void)unused;
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return 1;
	fd = wg_create_anon(dev, 1);
	if (fd < 0)
		return 2;
	if (sys_wg_add(fd, 2, WG_UNDO, 0, 0))
		return 3;
	return send_fd(sock, fd) ? 4 : 0;
}

TEST_F(proc, scm_rights_group_outlives_creator_with_ledger)
{
	struct wg_wait w;
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = spawn(scm_creator, -1, sv[1]);
	ASSERT_LT(0, pid);
	self->fd = recv_fd(sv[0]);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, wg_reap(pid));
	/* The open file (and its ledger) came with the fd: nothing undone. */
	EXPECT_EQ(3, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));	/* ledger 2 -> 1 */
	ASSERT_EQ(0, sys_wg_add(self->fd, -1, 0, 0, 0)); /* ledger 1 -> 0 */
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0U, w.abandoned);
	close(sv[0]);
	close(sv[1]);
}

/* Take an undo-add on a file of our own, tell the parent, then block. */
static int undo_then_block(int fd, long cue_w)
{
	int my = sys_wg_dup(fd, WG_CLOEXEC);

	if (my < 0 || sys_wg_add(my, 3, WG_UNDO, 0, 0))
		return 1;
	if (wg_pipe_put(cue_w))
		return 2;
	for (;;)
		pause();
}

TEST_F(proc, undo_on_sigkill)
{
	struct wg_info info;
	struct wg_wait w;
	int cue[2];
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pipe(cue));
	pid = spawn(undo_then_block, self->fd, cue[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_get(cue[0]));
	EXPECT_EQ(3, wg_count(self->fd));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(0, sys_wg_wait(self->fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0,
				 &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(3U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	EXPECT_EQ(128 + SIGKILL, wg_reap(pid));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(3U, info.abandoned);
	EXPECT_EQ(EOWNERDEAD, info.error);
	close(cue[0]);
	close(cue[1]);
}

static int undo_then_exit(int fd, long n)
{
	int my = sys_wg_dup(fd, WG_CLOEXEC);

	if (my < 0 || sys_wg_add(my, n, WG_UNDO, 0, 0))
		return 1;
	return sys_wg_done(my) ? 2 : 0;	/* one of n done, then "forget" */
}

TEST_F(proc, undo_on_exit_releases_waiter)
{
	struct wg_wait w;
	int cue[2];
	pid_t waiter, worker;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pipe(cue));
	waiter = spawn(waiter_sees_abandon, self->fd, 3);
	ASSERT_LT(0, waiter);
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, SPIN_MS));
	worker = spawn(undo_then_exit, self->fd, 4);
	ASSERT_LT(0, worker);
	EXPECT_EQ(0, wg_reap(worker));
	EXPECT_EQ(1, wg_count(self->fd));	/* 3 undone on exit */
	ASSERT_EQ(0, sys_wg_done(self->fd));
	EXPECT_EQ(0, wg_reap(waiter));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(3U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(cue[0]);
	close(cue[1]);
}

static int just_exit(int fd, long arg)
{
	(void)fd;
	(void)arg;
	return 0;
}

TEST_F(proc, fork_shares_open_file_until_last_close)
{
	struct wg_wait w;
	int fd2;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
	fd2 = sys_wg_dup(self->fd, 0);	/* inherited by the child */
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	pid = spawn(just_exit, fd2, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wg_reap(pid));
	/* The child's exit dropped one reference, not the last. */
	EXPECT_EQ(2, wg_count(self->fd));
	EXPECT_EQ(0, wg_generation(self->fd));
	close(fd2);
	EXPECT_EQ(0, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(2U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
}

static int child_done(int fd, long arg)
{
	(void)arg;
	return sys_wg_done(fd) ? 1 : 0;
}

TEST_F(proc, forked_child_draws_shared_ledger)
{
	struct wg_wait w;
	int fd2;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	fd2 = sys_wg_dup(self->fd, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	pid = spawn(child_done, fd2, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(2, wg_count(self->fd));
	close(fd2);			/* ledger 1 left */
	EXPECT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
}

static int child_open_own(int fd, long arg)
{
	int my = sys_wg_dup(fd, WG_CLOEXEC);

	(void)arg;
	if (my < 0)
		return 1;
	/* An empty ledger of our own: done is a plain add(-1). */
	if (sys_wg_done(my))
		return 2;
	close(my);
	return 0;
}

TEST_F(proc, child_with_own_file_does_not_touch_parent_ledger)
{
	struct wg_wait w;
	pid_t pid;

	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, WG_UNDO, 0, 0));	/* ledger 1 */
	pid = spawn(child_open_own, self->fd, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));	/* draws our ledger */
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0, w.error);
}

static int exec_done(int fd, long arg)
{
	char num[16];

	(void)arg;
	snprintf(num, sizeof(num), "%d", fd);
	execl(self_exe, self_exe, "--exec-done", num, (char *)NULL);
	return 99;
}

TEST_F(proc, exec_keeps_fd_without_cloexec)
{
	int fd2;
	pid_t pid;

	ASSERT_NE(NULL, self_exe);
	self->fd = sys_wg_create(self->dev, 0, 0, 2, "");
	ASSERT_LE(0, self->fd);
	pid = spawn(exec_done, self->fd, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));

	fd2 = sys_wg_dup(self->fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	pid = spawn(exec_done, fd2, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(3, wg_reap(pid));	/* EBADF: gone at exec */
	EXPECT_EQ(1, wg_count(self->fd));
	close(fd2);
}

/*
 * Issue 26, finding 3: a single-threaded process whose wait a signal
 * interrupted (EINTR), and whose generation then completed, execs a new
 * program. That program never waited: its first wait, with a deadline of
 * 0 on a counter of 1, times out, and does not return the old generation.
 */
static int eintr_then_exec(int fd, long cue)
{
	struct sigaction sa;
	char num[16];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	if (sigaction(SIGUSR1, &sa, NULL))
		return 90;
	if (sys_wg_wait(fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0, NULL) != -EINTR)
		return 91;
	if (wg_pipe_put(cue) || wg_pipe_get(cue))
		return 92;
	snprintf(num, sizeof(num), "%d", fd);
	execl(self_exe, self_exe, "--exec-wait", num, (char *)NULL);
	return 93;
}

TEST_F(proc, exec_starts_without_a_generation)
{
	int sv[2];
	pid_t pid;

	ASSERT_NE(NULL, self_exe);
	handler_runs = shared_int();
	ASSERT_NE(NULL, handler_runs);
	self->fd = sys_wg_create(self->dev, 0, 0, 1, "");	/* no CLOEXEC */
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = spawn(eintr_then_exec, self->fd, sv[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, SPIN_MS));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, wg_pipe_get(sv[0]));
	ASSERT_EQ(0, sys_wg_done(self->fd));		/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));	/* 2 runs */
	ASSERT_EQ(0, wg_pipe_put(sv[0]));
	/* 0: it timed out; 10 + g: it returned generation g. */
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(1, wg_count(self->fd));
	close(sv[0]);
	close(sv[1]);
}

/* As TEST_HARNESS_MAIN, plus a helper mode for the exec test. */
static void __attribute__((constructor)) __constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exec-done")) {
		int fd = atoi(argv[2]);

		if (fcntl(fd, F_GETFD) < 0)
			return 3;
		return sys_wg_done(fd) ? 4 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--exec-wait")) {
		struct wg_wait w;
		int ret = sys_wg_wait(atoi(argv[2]), 0, 0, &w);

		if (!ret)
			return 10 + (int)(w.generation % 100);
		return ret == -ETIMEDOUT ? 0 : 2;
	}
	self_exe = realpath("/proc/self/exe", NULL);
	return test_harness_run(argc, argv);
}
