// SPDX-License-Identifier: GPL-2.0
/*
 * Job control: the limit (WG_IOC_LIMIT, wg_create.limit, WG_ADD_WAIT),
 * cancel (WG_IOC_CANCEL, WG_WAIT_CANCEL_ON_ERROR), and the structures that
 * grew for them, read in every size from their first version's up.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "wg_util.h"

FIXTURE(jobs) {
	int dev;
	int fd;
};

FIXTURE_SETUP(jobs)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(jobs)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * A process that holds one task of @fd's group through its own open file
 * (WG_UNDO: the ledger is per description), says so on @ready and waits
 * to be killed. Returns its pid, or -1.
 */
static pid_t fork_undo_holder(int fd, int ready)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	fd = sys_wg_dup(fd, WG_CLOEXEC);
	if (fd < 0 || sys_wg_add(fd, 1, WG_UNDO, 0, 0))
		_exit(1);
	wg_pipe_put(ready);
	for (;;)
		pause();
}

/* An add that waits for room, in a thread. */
struct adder {
	pthread_t thread;
	int fd;
	int delta;
	__u64 deadline;
	int ret;
	atomic_int *order;	/* where to record when it got in */
	int rank;
	atomic_int tid;
};

static void *adder_main(void *arg)
{
	struct adder *a = arg;

	atomic_store(&a->tid, (int)syscall(SYS_gettid));
	a->ret = sys_wg_add_wait(a->fd, a->delta, 0, a->deadline);
	if (!a->ret && a->order)
		a->rank = atomic_fetch_add(a->order, 1);
	return NULL;
}

static void start_adder(struct __test_metadata *_metadata, struct adder *a,
			int fd, int delta, __u64 deadline, atomic_int *order)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->delta = delta;
	a->deadline = deadline;
	a->order = order;
	a->rank = -1;
	ASSERT_EQ(0, pthread_create(&a->thread, NULL, adder_main, a));
}

/*
 * @fd's group full at limit 1, and @n adds of 1 waiting for room behind
 * it, a[0] first: each queued before the next starts.
 */
static void queue_adders(struct __test_metadata *_metadata, int fd,
			 struct adder *a, int n, atomic_int *order)
{
	int i;

	ASSERT_EQ(0, sys_wg_limit(fd, 1));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	for (i = 0; i < n; i++) {
		start_adder(_metadata, &a[i], fd, 1, WG_FOREVER, order);
		ASSERT_EQ(0, wg_wait_for_room_waiters(fd, i + 1, 10000));
	}
}

TEST_F(jobs, limit_refuses_with_eagain)
{
	struct wg_info info;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 2));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	ASSERT_EQ(2U, info.limit);
	ASSERT_EQ(0, sys_wg_add(self->fd, 2, 0, 0, 0));
	ASSERT_EQ(-EAGAIN, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(2, wg_count(self->fd));	/* nothing changed */
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(-EAGAIN, sys_wg_add(self->fd, 2, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	/* Dones and negative adds are never limited. */
	ASSERT_EQ(0, sys_wg_add(self->fd, -2, 0, 0, 0));
	ASSERT_EQ(0, wg_count(self->fd));
	/* 0 lifts it. */
	ASSERT_EQ(0, sys_wg_limit(self->fd, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 100, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, -100, 0, 0, 0));
}

TEST_F(jobs, limit_below_the_counter_takes_nothing_away)
{
	ASSERT_EQ(0, sys_wg_add(self->fd, 5, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 2));
	ASSERT_EQ(5, wg_count(self->fd));
	ASSERT_EQ(-EAGAIN, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, -4, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(2, wg_count(self->fd));
}

TEST_F(jobs, limit_errors)
{
	int ro, wo;

	ASSERT_EQ(-EINVAL, sys_wg_limit(self->fd, (__u32)INT_MAX + 1));
	ASSERT_EQ(-EFAULT, sys_wg_ioctl(self->fd, WG_IOC_LIMIT, NULL));
	ro = sys_wg_create(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, 0, 0, NULL);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EBADF, sys_wg_limit(ro, 1));
	ASSERT_EQ(-EBADF, sys_wg_cancel(ro, 0, 0));
	close(ro);
	/* Setting a limit and canceling need add access, not wait access. */
	wo = sys_wg_create(self->dev, WG_CLOEXEC | WG_ACCESS_ADD, 0, 1, NULL);
	ASSERT_LE(0, wo);
	ASSERT_EQ(0, sys_wg_limit(wo, 1));
	ASSERT_EQ(1, sys_wg_cancel(wo, 0, 0));
	close(wo);
}

TEST_F(jobs, create_with_limit)
{
	struct wg_info info;
	char name[WG_NAME_MAX];
	int fd, again;

	wg_name(name, "limit");
	ASSERT_EQ(-EINVAL, sys_wg_create_limit(self->dev, WG_EXCL, 0,
					       (__u32)INT_MAX + 1, name));
	fd = sys_wg_create_limit(self->dev, WG_CLOEXEC | WG_EXCL, 1, 3, name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	ASSERT_EQ(3U, info.limit);
	ASSERT_EQ(1, info.count);
	ASSERT_EQ(0, sys_wg_add(fd, 2, 0, 0, 0));
	ASSERT_EQ(-EAGAIN, sys_wg_add(fd, 1, 0, 0, 0));
	/* Opening the name again ignores the limit, as it does the count. */
	again = sys_wg_create_limit(self->dev, WG_CLOEXEC, 0, 7, name);
	ASSERT_LE(0, again);
	ASSERT_EQ(0, sys_wg_info(again, &info));
	ASSERT_EQ(3U, info.limit);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, name));
	close(again);
	close(fd);
}

/* More than the limit could never fit: EINVAL, now or when it is lowered. */
TEST_F(jobs, add_wait_above_the_limit)
{
	struct adder a;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 4));
	ASSERT_EQ(-EINVAL, sys_wg_add_wait(self->fd, 5, 0, WG_FOREVER));
	ASSERT_EQ(-EAGAIN, sys_wg_add(self->fd, 5, 0, 0, 0));
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 0, 1000));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));	/* nothing blocked */
	start_adder(_metadata, &a, self->fd, 4, WG_FOREVER, NULL);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 3));
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(-EINVAL, a.ret);
	ASSERT_EQ(0, sys_wg_add(self->fd, 2, 0, 0, 0));
	ASSERT_EQ(3, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_add(self->fd, -3, 0, 0, 0));
}

/*
 * A file registered with epoll whose wait a cancel released does not get
 * that generation again when it completes: the wait raised its mark.
 */
TEST_F(jobs, canceled_generation_not_reported_twice)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct wg_wait w;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	ASSERT_EQ(1ULL, w.generation);
	ASSERT_EQ(0, sys_wg_done(self->fd));	/* generation 1 completes */
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));	/* 2 runs */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ(2ULL, w.generation);
	close(ep);
}

TEST_F(jobs, add_wait_deadline)
{
	__u64 start;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 1));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	/* A deadline already past only tests. */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_add_wait(self->fd, 1, 0, 0));
	start = wg_now_ns();
	ASSERT_EQ(-ETIMEDOUT, sys_wg_add_wait(self->fd, 1, 0,
					      start + 50 * NSEC_PER_MSEC));
	ASSERT_LE(start + 50 * NSEC_PER_MSEC, wg_now_ns());
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 0, 1000));
	ASSERT_EQ(1, wg_count(self->fd));
	/* With room, a waiting add does not wait. */
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_add_wait(self->fd, 1, 0, 0));
	ASSERT_EQ(1, wg_count(self->fd));
}

/*
 * A done that makes room hands it to the waiting add in the same step:
 * the counter never reaches zero, so the generation does not complete
 * and a wait does not return early.
 */
TEST_F(jobs, done_hands_room_over_without_completing)
{
	long long gen = wg_generation(self->fd);
	struct adder a;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 1));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	start_adder(_metadata, &a, self->fd, 1, WG_FOREVER, NULL);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(0, a.ret);
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(gen, wg_generation(self->fd));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(gen + 1, wg_generation(self->fd));
}

TEST_F(jobs, room_is_first_come_first_served)
{
	atomic_int order = 0;
	struct adder a[4];
	int i;

	queue_adders(_metadata, self->fd, a, 4, &order);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, sys_wg_done(self->fd));
		ASSERT_EQ(0, pthread_join(a[i].thread, NULL));
		ASSERT_EQ(0, a[i].ret);
		ASSERT_EQ(i, a[i].rank);
		ASSERT_EQ(1, wg_count(self->fd));
	}
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

/* Task @tid's voluntary context switches (/proc), or -1. */
static long voluntary_switches(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	return wg_proc_field(path, "voluntary_ctxt_switches");
}

/*
 * A done that lets one adder in wakes that adder and no other: those
 * still waiting for room are not woken to find they do not fit (no
 * herd), which would show as a voluntary context switch each.
 */
TEST_F(jobs, admission_wakes_only_the_admitted)
{
	struct adder a[3];
	long before[3];
	int i;

	queue_adders(_metadata, self->fd, a, 3, NULL);
	for (i = 0; i < 3; i++) {
		ASSERT_NE(0, atomic_load(&a[i].tid));
		ASSERT_EQ(0, wg_wait_asleep(atomic_load(&a[i].tid), 10000));
		before[i] = voluntary_switches(atomic_load(&a[i].tid));
		ASSERT_LE(0, before[i]);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, sys_wg_done(self->fd));	/* lets a[i] in */
		ASSERT_EQ(0, pthread_join(a[i].thread, NULL));
		ASSERT_EQ(0, a[i].ret);
		ASSERT_EQ(1, wg_count(self->fd));
		/* The others are asleep, and were all along. */
		for (int j = i + 1; j < 3; j++) {
			int tid = atomic_load(&a[j].tid);

			ASSERT_EQ(0, wg_wait_asleep(tid, 10000));
			EXPECT_EQ(before[j], voluntary_switches(tid));
		}
	}
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

TEST_F(jobs, no_barging_past_a_waiting_add)
{
	struct adder a;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 3));
	ASSERT_EQ(0, sys_wg_add(self->fd, 2, 0, 0, 0));
	start_adder(_metadata, &a, self->fd, 2, WG_FOREVER, NULL);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	/* 1 would fit, but the add of 2 came first. */
	ASSERT_EQ(-EAGAIN, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_add_wait(self->fd, 1, 0, 0));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(0, a.ret);
	ASSERT_EQ(3, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_add(self->fd, -3, 0, 0, 0));
}

/* A big add at the head that gives up lets the small ones behind it in. */
TEST_F(jobs, head_giving_up_lets_the_rest_in)
{
	struct adder big, small;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 3));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	start_adder(_metadata, &big, self->fd, 3,
		    wg_now_ns() + 200 * NSEC_PER_MSEC, NULL);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	start_adder(_metadata, &small, self->fd, 2, WG_FOREVER, NULL);
	ASSERT_EQ(0, pthread_join(big.thread, NULL));
	ASSERT_EQ(-ETIMEDOUT, big.ret);
	ASSERT_EQ(0, pthread_join(small.thread, NULL));
	ASSERT_EQ(0, small.ret);
	ASSERT_EQ(3, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_add(self->fd, -3, 0, 0, 0));
}

TEST_F(jobs, raising_or_lifting_the_limit_lets_in)
{
	struct adder a[3];
	int i;

	queue_adders(_metadata, self->fd, a, 3, NULL);
	ASSERT_EQ(0, sys_wg_limit(self->fd, 2));
	ASSERT_EQ(0, pthread_join(a[0].thread, NULL));
	ASSERT_EQ(0, a[0].ret);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 2, 10000));
	ASSERT_EQ(2, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 0));
	for (i = 1; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(a[i].thread, NULL));
		ASSERT_EQ(0, a[i].ret);
	}
	ASSERT_EQ(4, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_add(self->fd, -4, 0, 0, 0));
}

static void on_usr1(int sig)
{
	(void)sig;
}

TEST_F(jobs, add_wait_interrupted_by_a_signal)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct adder a;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 1));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	start_adder(_metadata, &a, self->fd, 1, WG_FOREVER, NULL);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, pthread_kill(a.thread, SIGUSR1));
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(-EINTR, a.ret);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 0, 1000));
	ASSERT_EQ(1, wg_count(self->fd));
}

/*
 * A holder of an undo add under the limit is SIGKILLed: its slot, and
 * only its slot, goes to the add waiting for room. A process SIGKILLed
 * while it waits for room leaves nothing behind.
 */
TEST_F(jobs, killed_holders_free_exactly_their_slots)
{
	int ready[2], i, fd2;
	pid_t holder[2], waiter;
	struct wg_info info;
	struct wg_wait w;

	ASSERT_EQ(0, sys_wg_limit(self->fd, 2));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < 2; i++) {
		holder[i] = fork_undo_holder(self->fd, ready[1]);
		ASSERT_LE(0, holder[i]);
		ASSERT_EQ(0, wg_pipe_get(ready[0]));
	}
	ASSERT_EQ(2, wg_count(self->fd));
	/* A process that waits for room and is killed while it waits. */
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (!waiter)
		_exit(sys_wg_add_wait(self->fd, 1, WG_UNDO, WG_FOREVER) ? 2 : 3);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, kill(waiter, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, wg_reap(waiter));
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 0, 1000));
	ASSERT_EQ(2, wg_count(self->fd));

	/* Now one that waits in this process, on its own open file. */
	fd2 = sys_wg_dup(self->fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (!waiter)
		_exit(sys_wg_add_wait(fd2, 1, WG_UNDO, WG_FOREVER) ? 2 : 0);
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, kill(holder[0], SIGKILL));
	ASSERT_EQ(128 + SIGKILL, wg_reap(holder[0]));
	/* The waiter got exactly the freed slot; its own exit gives it back. */
	ASSERT_EQ(0, wg_reap(waiter));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	ASSERT_EQ(2, info.count);
	ASSERT_EQ(0U, info.room_waiters);
	close(fd2);	/* the waiter's undo add, abandoned with this file */
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(0, kill(holder[1], SIGKILL));
	ASSERT_EQ(128 + SIGKILL, wg_reap(holder[1]));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	/* Two holders and the waiter's add; the killed waiter added nothing. */
	ASSERT_EQ(3U, w.abandoned);
	close(ready[0]);
	close(ready[1]);
}

/*
 * Eight processes share one group with limit 3, each running tasks that
 * add with WG_ADD_WAIT and WG_UNDO: inside a task, a counter in shared
 * memory never passes 3, and neither does the group's own.
 */
TEST_F_TIMEOUT(jobs, eight_processes_never_pass_the_limit, 300)
{
	struct shared { atomic_int running, max, bad; } *sh;
	pid_t pid[8];
	int i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 3));
	for (i = 0; i < 8; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			int fd = sys_wg_dup(self->fd, WG_CLOEXEC), t, n, m;

			for (t = 0; fd >= 0 && t < 40; t++) {
				if (sys_wg_add_wait(fd, 1, WG_UNDO, WG_FOREVER))
					_exit(1);
				n = atomic_fetch_add(&sh->running, 1) + 1;
				m = atomic_load(&sh->max);
				while (n > m && !atomic_compare_exchange_weak(&sh->max, &m, n))
					;
				if (wg_count(fd) > 3)
					atomic_fetch_add(&sh->bad, 1);
				sched_yield();
				atomic_fetch_sub(&sh->running, 1);
				if (sys_wg_done(fd))
					_exit(1);
			}
			_exit(fd < 0);
		}
	}
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, wg_reap(pid[i]));
	ASSERT_LE(atomic_load(&sh->max), 3);
	ASSERT_LE(1, atomic_load(&sh->max));
	ASSERT_EQ(0, atomic_load(&sh->bad));
	ASSERT_EQ(0, wg_count(self->fd));
	munmap(sh, sizeof(*sh));
}

TEST_F(jobs, cancel_at_zero_is_nothing)
{
	ASSERT_EQ(0, sys_wg_cancel(self->fd, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

TEST_F(jobs, cancel_errors)
{
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(-EINVAL, sys_wg_cancel(self->fd, -1, 0));
	ASSERT_EQ(-EINVAL, sys_wg_cancel(self->fd, 0, 1));
	ASSERT_EQ(-EFAULT, sys_wg_ioctl(self->fd, WG_IOC_CANCEL, NULL));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, 0, 0));
	ASSERT_EQ(0, sys_wg_cancel(self->fd, EIO, 0));	/* already */
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

/*
 * The whole life of a canceled generation: waits return at once with the
 * cancel's code, positive adds fail, dones go on, the zero completes it
 * canceled, and the next generation starts clean.
 */
TEST_F(jobs, canceled_generation_life)
{
	long long gen = wg_generation(self->fd);
	struct wg_info info;
	struct wg_wait w;

	ASSERT_EQ(0, sys_wg_add(self->fd, 2, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, -1, 0, EPIPE, 0));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, EHOSTDOWN, 0));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	ASSERT_EQ((__u32)WG_INFO_CANCELED, info.flags);
	ASSERT_EQ(EHOSTDOWN, info.cancel_error);
	ASSERT_EQ(EHOSTDOWN, wg_fdinfo(self->fd, "cancel_error"));
	ASSERT_EQ(0, wg_fdinfo(self->fd, "last_canceled"));
	ASSERT_EQ(0, sys_wg_wait(self->fd, WG_FOREVER, 0, &w));
	ASSERT_EQ((__u64)gen + 1, w.generation);
	ASSERT_EQ(EHOSTDOWN, w.error);
	ASSERT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	ASSERT_EQ(0U, w.__pad2);
	ASSERT_EQ(-ECANCELED, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(-ECANCELED, sys_wg_add_wait(self->fd, 1, 0, WG_FOREVER));
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(gen, wg_generation(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_info(self->fd, &info));
	ASSERT_EQ((__u32)WG_INFO_LAST_CANCELED, info.flags);
	ASSERT_EQ(EHOSTDOWN, info.error);
	ASSERT_EQ(0, info.cancel_error);
	ASSERT_EQ((__u64)gen + 1, info.generation);
	ASSERT_EQ(0, wg_fdinfo(self->fd, "cancel_error"));
	ASSERT_EQ(1, wg_fdinfo(self->fd, "last_canceled"));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	/* The next generation is clean. */
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ((__u64)gen + 2, w.generation);
	ASSERT_EQ(0, w.error);
	ASSERT_EQ(0U, w.outflags);
}

static void *waiter_main(void *arg)
{
	int fd = *(int *)arg;
	struct wg_wait w;
	intptr_t r;

	r = sys_wg_wait(fd, WG_FOREVER, 0, &w);
	if (!r)
		r = w.outflags == WG_RESULT_CANCELED && w.error == ECANCELED ?
		    0 : 1000;
	return (void *)r;
}

/* Cancel releases a thousand sleepers at once, and a waiting add. */
TEST_F_TIMEOUT(jobs, cancel_releases_a_thousand_waiters, 300)
{
	enum { N = 1000 };
	pthread_t *t = calloc(N, sizeof(*t));
	pthread_attr_t attr;
	struct adder a;
	void *r;
	int i;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstacksize(&attr, 64 * 1024));
	ASSERT_EQ(0, sys_wg_limit(self->fd, 1));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, pthread_create(&t[i], &attr, waiter_main, &self->fd));
	start_adder(_metadata, &a, self->fd, 1, WG_FOREVER, NULL);
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, N, 120000));
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 1, 10000));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, 0, 0));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &r));
		ASSERT_EQ(0, (intptr_t)r);
	}
	ASSERT_EQ(0, pthread_join(a.thread, NULL));
	ASSERT_EQ(-ECANCELED, a.ret);
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 0, 1000));
	ASSERT_EQ(0, wg_wait_for_room_waiters(self->fd, 0, 1000));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	free(t);
}

TEST_F(jobs, poll_is_readable_while_canceled)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct wg_wait w;

	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(POLLIN, p.revents & POLLIN);
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	/* Generation 1 is not yet reported to this polled file. */
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ(1ULL, w.generation);
	ASSERT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	ASSERT_EQ(0, poll(&p, 1, 0));	/* the next generation is clean */
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

/* A poller asleep in poll() is woken by the cancel. */
struct poller {
	int fd;
	atomic_int tid;
};

static void *poller_main(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	atomic_store(&p->tid, (int)syscall(SYS_gettid));
	return (void *)(intptr_t)poll(&pfd, 1, 60000);
}

TEST_F(jobs, cancel_wakes_a_poller)
{
	struct poller p = { .fd = self->fd };
	pthread_t t;
	void *r;

	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, poller_main, &p));
	while (!atomic_load(&p.tid))
		sched_yield();
	ASSERT_EQ(0, wg_wait_asleep(atomic_load(&p.tid), 10000));
	ASSERT_EQ(1, sys_wg_cancel(self->fd, 0, 0));
	ASSERT_EQ(0, pthread_join(t, &r));
	ASSERT_EQ(1, (intptr_t)r);
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

static void *coe_waiter_main(void *arg)
{
	int fd = *(int *)arg;
	struct wg_wait w;
	intptr_t r;

	r = sys_wg_wait(fd, WG_FOREVER, WG_WAIT_CANCEL_ON_ERROR, &w);
	if (!r)
		r = w.outflags == WG_RESULT_CANCELED ? w.error : -1000;
	return (void *)r;
}

TEST_F(jobs, cancel_on_error_while_asleep)
{
	pthread_t t;
	void *r;

	ASSERT_EQ(0, sys_wg_add(self->fd, 3, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(self->fd));	/* a success cancels nothing */
	ASSERT_EQ(0, pthread_create(&t, NULL, coe_waiter_main, &self->fd));
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, sys_wg_add(self->fd, -1, 0, EIO, 0));
	ASSERT_EQ(0, pthread_join(t, &r));
	ASSERT_EQ(EIO, (intptr_t)r);
	ASSERT_EQ(-ECANCELED, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

TEST_F(jobs, cancel_on_error_after_the_error)
{
	struct wg_wait w;

	ASSERT_EQ(0, sys_wg_add(self->fd, 2, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(self->fd, -1, 0, ENOENT, 0));
	/* A plain wait does not cancel. */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, WG_WAIT_CANCEL_ON_ERROR, &w));
	ASSERT_EQ(ENOENT, w.error);
	ASSERT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	ASSERT_EQ(0, sys_wg_add(self->fd, -2, 0, 0, 0));
}

/*
 * The done whose error cancels the generation hands its room to no one:
 * the add waiting for room fails as canceled with the rest.
 */
/*
 * @n tasks under a limit of @n, an add waiting for room and a wait that
 * cancels on error; then one task's done with EIO. Returns what the wait
 * returned (coe_waiter_main()), the adder's result in *adder_ret.
 */
static intptr_t error_beside_a_waiting_add(struct __test_metadata *_metadata,
					   int fd, int n, int *adder_ret)
{
	struct adder a;
	pthread_t t;
	void *r = NULL;

	*adder_ret = 1;
	EXPECT_EQ(0, sys_wg_limit(fd, n));
	EXPECT_EQ(0, sys_wg_add(fd, n, 0, 0, 0));
	start_adder(_metadata, &a, fd, 1, WG_FOREVER, NULL);
	EXPECT_EQ(0, wg_wait_for_room_waiters(fd, 1, 10000));
	EXPECT_EQ(0, pthread_create(&t, NULL, coe_waiter_main, &fd));
	EXPECT_EQ(0, wg_wait_for_waiters(fd, 1, 10000));
	EXPECT_EQ(0, sys_wg_add(fd, -1, 0, EIO, 0));
	EXPECT_EQ(0, pthread_join(t, &r));
	EXPECT_EQ(0, pthread_join(a.thread, NULL));
	*adder_ret = a.ret;
	return (intptr_t)r;
}

TEST_F(jobs, an_error_that_cancels_lets_no_one_in)
{
	int ret;

	ASSERT_EQ(EIO, error_beside_a_waiting_add(_metadata, self->fd, 2, &ret));
	ASSERT_EQ(-ECANCELED, ret);
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

/*
 * The same error from the last task: its generation completes with it,
 * and the add waiting for room starts the next one.
 */
TEST_F(jobs, an_error_that_completes_lets_the_next_in)
{
	long long gen = wg_generation(self->fd);
	struct wg_wait w;
	int ret;

	/* -1000: the wait's generation completed, it was not canceled. */
	ASSERT_EQ(-1000, error_beside_a_waiting_add(_metadata, self->fd, 1, &ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(gen + 1, wg_generation(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ((__u64)gen + 2, w.generation);
	ASSERT_EQ(0, w.error);
}

/* An abandoned add is an error too: a killed worker cancels the rest. */
TEST_F(jobs, cancel_on_error_by_abandonment)
{
	int ready[2];
	pthread_t t;
	pid_t pid;
	void *r;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, sys_wg_add(self->fd, 1, 0, 0, 0));
	pid = fork_undo_holder(self->fd, ready[1]);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wg_pipe_get(ready[0]));
	ASSERT_EQ(0, pthread_create(&t, NULL, coe_waiter_main, &self->fd));
	ASSERT_EQ(0, wg_wait_for_waiters(self->fd, 1, 10000));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, wg_reap(pid));
	ASSERT_EQ(0, pthread_join(t, &r));
	ASSERT_EQ(EOWNERDEAD, (intptr_t)r);
	ASSERT_EQ(0, sys_wg_done(self->fd));
	close(ready[0]);
	close(ready[1]);
}

/* An ioctl number for @base with its structure's size set to @size. */
static unsigned long with_size(unsigned long base, size_t size)
{
	return (base & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)size << _IOC_SIZESHIFT);
}

/* A program built against the first header still works, in its sizes. */
TEST_F(jobs, first_version_sizes)
{
	unsigned char buf[256];
	struct wg_create *c = (void *)buf;
	struct wg_add *a = (void *)buf;
	struct wg_wait *w = (void *)buf;
	struct wg_info *info = (void *)buf;
	int fd;

	memset(buf, 0, sizeof(buf));
	c->flags = WG_CLOEXEC;
	c->count = 2;
	fd = sys_wg_ioctl(self->dev, with_size(WG_IOC_CREATE,
					       WG_SIZE_CREATE_VER0), c);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	a->delta = -1;
	ASSERT_EQ(0, sys_wg_ioctl(fd, with_size(WG_IOC_ADD, WG_SIZE_ADD_VER0), a));
	/* WG_ADD_WAIT without room to wait for, and a deadline of 0. */
	ASSERT_EQ(0, sys_wg_limit(fd, 1));
	memset(buf, 0, sizeof(buf));
	a->delta = 1;
	a->flags = WG_ADD_WAIT;
	ASSERT_EQ(-ETIMEDOUT, sys_wg_ioctl(fd, with_size(WG_IOC_ADD,
							 WG_SIZE_ADD_VER0), a));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, sys_wg_ioctl(fd, with_size(WG_IOC_INFO,
						WG_SIZE_INFO_VER0), info));
	ASSERT_EQ(1, info->count);
	ASSERT_EQ(0xcc, buf[WG_SIZE_INFO_VER0]);	/* nothing past it */
	ASSERT_EQ(0, sys_wg_done(fd));
	memset(buf, 0xcc, sizeof(buf));
	w->deadline_ns = 0;
	w->flags = 0;
	w->__pad = 0;
	ASSERT_EQ(0, sys_wg_ioctl(fd, with_size(WG_IOC_WAIT,
						WG_SIZE_WAIT_VER0), w));
	ASSERT_EQ(1ULL, w->generation);
	ASSERT_EQ(0xcc, buf[WG_SIZE_WAIT_VER0]);
	/* Shorter than the first version: not a command at all. */
	ASSERT_EQ(-ENOTTY, sys_wg_ioctl(fd, with_size(WG_IOC_INFO,
						      WG_SIZE_INFO_VER0 - 4), info));
	close(fd);
}

/* A structure longer than the kernel's: zeros past it, or E2BIG. */
TEST_F(jobs, longer_structures)
{
	unsigned char buf[256];
	struct wg_add *a = (void *)buf;
	struct wg_info *info = (void *)buf;
	size_t big = sizeof(struct wg_add) + 8;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	a->delta = 1;
	ASSERT_EQ(0, sys_wg_ioctl(self->fd, with_size(WG_IOC_ADD, big), a));
	buf[big - 1] = 1;
	ASSERT_EQ(-E2BIG, sys_wg_ioctl(self->fd, with_size(WG_IOC_ADD, big), a));
	ASSERT_EQ(1, wg_count(self->fd));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, sys_wg_ioctl(self->fd, with_size(WG_IOC_INFO, 200), info));
	ASSERT_EQ(1, info->count);
	for (i = sizeof(struct wg_info); i < 200; i++)
		ASSERT_EQ(0, buf[i]);
	ASSERT_EQ(0xcc, buf[200]);
	/* A size that would split a field is no command. */
	ASSERT_EQ(-ENOTTY, sys_wg_ioctl(self->fd, with_size(WG_IOC_INFO, 108), info));
	memset(buf, 0, sizeof(buf));
	a->delta = 1;
	ASSERT_EQ(-ENOTTY, sys_wg_ioctl(self->fd, with_size(WG_IOC_ADD, 20), a));
	ASSERT_EQ(-ENOTTY, sys_wg_ioctl(self->fd, with_size(WG_IOC_ADD, big + 1), a));
	ASSERT_EQ(1, wg_count(self->fd));
	ASSERT_EQ(0, sys_wg_done(self->fd));
}

TEST_F(jobs, add_flags_and_deadline_checked)
{
	struct wg_wait w;
	struct wg_add a;

	memset(&a, 0, sizeof(a));
	a.delta = 1;
	a.deadline_ns = 1;	/* a deadline needs WG_ADD_WAIT */
	ASSERT_EQ(-EINVAL, sys_wg_ioctl(self->fd, WG_IOC_ADD, &a));
	a.deadline_ns = 0;
	a.flags = 1U << 2;
	ASSERT_EQ(-EINVAL, sys_wg_ioctl(self->fd, WG_IOC_ADD, &a));
	ASSERT_EQ(-EINVAL, sys_wg_wait(self->fd, 0, 1U << 3, NULL));
	ASSERT_EQ(0, wg_count(self->fd));
	/* WG_ADD_WAIT with a negative delta is a plain negative add. */
	ASSERT_EQ(-ERANGE, sys_wg_add_wait(self->fd, -1, 0, WG_FOREVER));
	/* ... that keeps its error (found by the fuzzer). */
	memset(&a, 0, sizeof(a));
	a.delta = 1;
	ASSERT_EQ(0, sys_wg_ioctl(self->fd, WG_IOC_ADD, &a));
	a.delta = -1;
	a.error = 171;
	a.flags = WG_ADD_WAIT;
	ASSERT_EQ(0, sys_wg_ioctl(self->fd, WG_IOC_ADD, &a));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	ASSERT_EQ(171, w.error);
}

TEST_HARNESS_MAIN
