// SPDX-License-Identifier: GPL-2.0
/*
 * What WG_IOC_WAIT returns for, and with what: Go's rule (the counter is
 * zero, or a generation completes after the wait began); poll readiness
 * from state (a polled file's mark, the newest generation reported to it);
 * each waiter told its own generation's result; the target a call leaves
 * in its struct for a restart or a re-issue, and the ring of recent
 * results it is answered from; EFAULT losing a result; INFO's snapshot.
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

/*
 * A file never polled follows Go's rule strictly: add, done, add, wait
 * sleeps. Its first poll sets its mark to the last completed generation,
 * so a completion before it is not reported either.
 */
TEST_F(wait, unpolled_file_follows_gos_rule)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w;

	ASSERT_LE(0, fd);
	p.fd = fd;
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.target);
	EXPECT_EQ(0, poll(&p, 1, 0));			/* the mark: 1 */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 2 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	close(fd);
}

/*
 * A file's first poll, before the completion, sets its mark: the
 * completion makes it readable though the group was re-armed, and its
 * next wait returns that generation at once, which raises the mark.
 */
TEST_F(wait, first_poll_sets_the_mark)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w;

	ASSERT_LE(0, fd);
	p.fd = fd;
	ASSERT_EQ(0, poll(&p, 1, 0));	/* over before the completion */
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	EXPECT_EQ(1, poll(&p, 1, 0));	/* until a wait reports it */
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0ULL, w.target);
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	close(fd);
}

/* Several completions after the mark: the next wait returns the newest. */
TEST_F(wait, polled_file_gets_the_newest_completion)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w;
	int i;

	ASSERT_LE(0, fd);
	p.fd = fd;
	ASSERT_EQ(0, poll(&p, 1, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EIO + i, 0));
		ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	}
	ASSERT_EQ(1, poll(&p, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(3ULL, w.generation);
	EXPECT_EQ(EIO + 2, w.error);	/* generation 3's own result */
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
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

/*
 * An epoll registration sets the mark as a poll does: each completion
 * after it is reported once, by epoll and by the file's next wait. The
 * mark is the file's, not the registration's: it stays after EPOLL_CTL_DEL.
 */
TEST_F(wait, epoll_reports_each_completion_once)
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
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(4ULL, w.generation);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	close(ep);
	close(fd);
}

/* The mark is per open file: a dup of the polled one is not polled. */
TEST_F(wait, mark_is_per_open_file)
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
 * A sleeping wait that a completion releases raises its file's mark to
 * that generation: if the sleeper's file is the polled one, the
 * generation is reported once, to the sleeper; the mark of another file
 * (@other) stays behind, so that file's next wait returns it.
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
	/* The mark is set after the sleeper is queued. */
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 1 */
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(1ULL, s.w.generation);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	if (other) {
		/* fd's mark is still 0: its next wait returns 1. */
		ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
		ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &s.w));
		ASSERT_EQ(1ULL, s.w.generation);
		close(s.fd);
	}
	/* Reported once: neither readable nor returned again. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &s.w));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &s.w));
	ASSERT_EQ(2ULL, s.w.generation);
	close(ep);
	close(fd);
}

TEST_F(wait, sleeper_of_a_polled_file_raises_its_mark)
{
	sleeper_beside_epoll(_metadata, self->dev, false);
}

TEST_F(wait, sleeper_of_another_file_leaves_the_mark)
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

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
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
	ASSERT_EQ(0, pin_to_cpu(0));
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
	ASSERT_EQ(0, pin_to_cpu(0));
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
 * The target: a call that returns without a result (ETIMEDOUT, EINTR,
 * or before an SA_RESTART restart) leaves in its struct wg_wait the
 * generation it waited for, and a call that returns one writes 0 there.
 * The same struct issued again waits for that generation, and returns its
 * own result once it has completed, however the group moved on since.
 */
TEST_F(wait, timeout_leaves_the_target)
{
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w, fresh;

	ASSERT_LE(0, fd);
	/* A deadline of 0 only tests, and still says what it would wait for. */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.target);
	ASSERT_EQ(-ETIMEDOUT, wg_wait_ms(fd, 10, &w));
	EXPECT_EQ(1ULL, w.target);
	/* Issued again, still running: it waits again, for the same one. */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_ioctl(fd, WG_IOC_WAIT, &w));
	EXPECT_EQ(1ULL, w.target);
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EPIPE, 0));	/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &fresh));
	EXPECT_EQ(2ULL, fresh.target);
	/* The first struct, issued again: generation 1, and a zero target. */
	ASSERT_EQ(0, sys_wg_ioctl(fd, WG_IOC_WAIT, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EPIPE, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0U, w.outflags);
	EXPECT_EQ(0ULL, w.target);
	/* Now a new wait: generation 2 runs. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_ioctl(fd, WG_IOC_WAIT, &w));
	EXPECT_EQ(2ULL, w.target);
	/* Generation 1 asked for again, on a zero counter: still its own. */
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EPIPE, w.error);
	EXPECT_EQ(0ULL, w.target);
	close(fd);
}

static void on_signal_nothing(int sig)
{
	(void)sig;
}

/* EINTR (no SA_RESTART) leaves the target for the program to re-issue. */
TEST_F(wait, eintr_leaves_the_target)
{
	struct sigaction sa = { .sa_handler = on_signal_nothing };
	int fd = wg_create_anon(self->dev, 1);
	struct sleeper s = { .fd = fd };

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_fn, &s));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, pthread_kill(s.thread, SIGUSR2));
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(-EINTR, s.ret);
	EXPECT_EQ(1ULL, s.w.target);
	EXPECT_EQ(0, wg_fdinfo(fd, "waiters"));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EIO, 0));	/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	/* Another wait began in generation 2 and sleeps. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, NULL));
	/* Re-issued, by another thread even: generation 1's result. */
	ASSERT_EQ(0, sys_wg_ioctl(fd, WG_IOC_WAIT, &s.w));
	EXPECT_EQ(1ULL, s.w.generation);
	EXPECT_EQ(EIO, s.w.error);
	EXPECT_EQ(0ULL, s.w.target);
	signal(SIGUSR2, SIG_DFL);
	close(fd);
}

/*
 * Four generations that end differently (an error, an abandoned add, a
 * cancel, clean), the group re-armed after them: a call for each target
 * gets that generation's own result.
 */
TEST_F(wait, target_gets_its_generations_own_result)
{
	int fd = wg_create_anon(self->dev, 0), holder;
	struct wg_wait w;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EIO, 0));		/* 1 */
	holder = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, holder);
	ASSERT_EQ(0, sys_wg_add(holder, 1, WG_UNDO, 0, 0));
	ASSERT_EQ(0, close(holder));				/* 2 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(1, sys_wg_cancel(fd, ECONNRESET, 0));
	ASSERT_EQ(0, sys_wg_done(fd));				/* 3 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));				/* 4 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));		/* 5 runs */

	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EIO, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0U, w.outflags);
	EXPECT_EQ(0ULL, w.target);
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 2, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(EOWNERDEAD, w.error);
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(0U, w.outflags);
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 3, &w));
	EXPECT_EQ(3ULL, w.generation);
	EXPECT_EQ(ECONNRESET, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ((__u32)WG_RESULT_CANCELED, w.outflags);
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 4, &w));
	EXPECT_EQ(4ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0U, w.outflags);
	/* Asked twice: the same answer; the ring is read, not consumed. */
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	EXPECT_EQ(EIO, w.error);
	/* And a new wait still follows Go's rule. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(5ULL, w.target);
	close(fd);
}

/* Issue s->w again as it is: its deadline and its target. */
static void *sleeper_again_fn(void *arg)
{
	struct sleeper *s = arg;

	s->ret = sys_wg_ioctl(s->fd, WG_IOC_WAIT, &s->w);
	return NULL;
}

/*
 * A target that is the running generation waits for it, and a cancel
 * releases that wait as any other; once the generation completes the
 * canceled result comes from the ring.
 */
TEST_F(wait, target_of_the_running_generation_waits_for_it)
{
	int fd = wg_create_anon(self->dev, 1);
	struct sleeper s = { .fd = fd };

	ASSERT_LE(0, fd);
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &s.w));
	ASSERT_EQ(1ULL, s.w.target);
	s.w.deadline_ns = wg_now_ns() + 20 * NSEC_PER_SEC;
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_again_fn, &s));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(1, sys_wg_cancel(fd, EHOSTDOWN, 0));
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(0, s.ret);
	EXPECT_EQ(1ULL, s.w.generation);
	EXPECT_EQ(EHOSTDOWN, s.w.error);
	EXPECT_EQ((__u32)WG_RESULT_CANCELED, s.w.outflags);
	EXPECT_EQ(0ULL, s.w.target);
	ASSERT_EQ(0, sys_wg_done(fd));			/* 1 completes */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &s.w));
	EXPECT_EQ(1ULL, s.w.generation);
	EXPECT_EQ(EHOSTDOWN, s.w.error);
	EXPECT_EQ((__u32)WG_RESULT_CANCELED, s.w.outflags);
	/* The next generation starts clean, and a new wait sleeps. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &s.w));
	EXPECT_EQ(2ULL, s.w.target);
	close(fd);
}

/*
 * The ring keeps the last WAITGROUP_RESULTS (8) completed generations: a
 * generation's result is there while fewer than 8 generations completed
 * after it (its slot, g % 8, is taken by g + 8). After that its call gets
 * the generation with WG_RESULT_EXPIRED, and an error and an abandoned
 * count of 0 that say nothing: never another generation's result.
 */
TEST_F(wait, target_result_expires_after_eight_later_completions)
{
	int fd = wg_create_anon(self->dev, 0);
	struct wg_wait w;
	int g;

	ASSERT_LE(0, fd);
	/* Generation g fails with error 1000 + g. */
	for (g = 1; g <= 8; g++) {
		ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
		ASSERT_EQ(0, sys_wg_add(fd, -1, 0, 1000 + g, 0));
	}
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 9 runs */
	/* Generation 1 with 7 completions after it: still its own. */
	for (g = 1; g <= 8; g++) {
		ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, g, &w));
		EXPECT_EQ((__u64)g, w.generation);
		EXPECT_EQ(1000 + g, w.error);
		EXPECT_EQ(0U, w.outflags);
	}
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, 1009, 0));	/* 9 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 10 runs */
	/* With 8 after it: expired, its slot holds generation 9. */
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ((__u32)WG_RESULT_EXPIRED, w.outflags);
	EXPECT_EQ(0ULL, w.target);
	for (g = 2; g <= 9; g++) {
		ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, g, &w));
		EXPECT_EQ((__u64)g, w.generation);
		EXPECT_EQ(1000 + g, w.error);
		EXPECT_EQ(0U, w.outflags);
	}
	/* Long gone: expired too. */
	for (g = 0; g < 20; g++) {
		ASSERT_EQ(0, sys_wg_done(fd));
		ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	}
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 9, &w));
	EXPECT_EQ(9ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ((__u32)WG_RESULT_EXPIRED, w.outflags);
	close(fd);
}

/* A target beyond the running generation was never waited for: EINVAL. */
TEST_F(wait, target_beyond_the_running_generation_is_einval)
{
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, sys_wg_wait_target(fd, 0, 0, 2, &w));
	EXPECT_EQ(-EINVAL, sys_wg_wait_target(fd, WG_FOREVER, 0, ~0ULL, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait_target(fd, 0, 0, 1, &w));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	EXPECT_EQ(-EINVAL, sys_wg_wait_target(fd, 0, 0, 3, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait_target(fd, 0, 0, 2, &w));
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	close(fd);
}

/*
 * Programs built against older headers pass 40 bytes (version 1.2) or 32
 * (WG_SIZE_WAIT_VER0): no target, so nothing is written past their
 * struct and every call is a new one.
 */
static void wait_without_target(struct __test_metadata *_metadata, int dev,
				size_t size)
{
	int fd = wg_create_anon(dev, 1);
	unsigned char buf[sizeof(struct wg_wait) + 16];
	struct wg_wait *w = (void *)buf;
	size_t i;

	ASSERT_LE(0, fd);
	memset(buf, 0xcc, sizeof(buf));
	w->deadline_ns = 0;
	w->flags = 0;
	w->__pad = 0;
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait_sized(fd, size, w));
	for (i = size; i < sizeof(buf); i++)
		ASSERT_EQ(0xcc, buf[i]) TH_LOG("byte %zu", i);
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	/* The same call again is new: generation 2 runs. */
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait_sized(fd, size, w));
	ASSERT_EQ(0, sys_wg_done(fd));			/* generation 2 */
	ASSERT_EQ(0, sys_wg_wait_sized(fd, size, w));
	EXPECT_EQ(2ULL, w->generation);
	EXPECT_EQ(0, w->error);
	EXPECT_EQ(0U, w->abandoned);
	if (size >= offsetof(struct wg_wait, __pad2))
		EXPECT_EQ(0U, w->outflags);
	for (i = size; i < sizeof(buf); i++)
		ASSERT_EQ(0xcc, buf[i]) TH_LOG("byte %zu", i);
	close(fd);
}

TEST_F(wait, version_1_2_struct_has_no_target)
{
	wait_without_target(_metadata, self->dev,
			    offsetof(struct wg_wait, target));
}

/* Version 1.3 passes 48 bytes: no totals, and nothing written past. */
TEST_F(wait, version_1_3_struct_has_no_totals)
{
	int fd = wg_create_anon(self->dev, 0);
	unsigned char buf[sizeof(struct wg_wait) + 16];
	struct wg_wait *w = (void *)buf;
	size_t i, size = offsetof(struct wg_wait, totals);

	ASSERT_LE(0, fd);
	memset(buf, 0xcc, sizeof(buf));
	w->deadline_ns = 0;
	w->flags = 0;
	w->__pad = 0;
	w->target = 0;
	ASSERT_EQ(0, sys_wg_wait_sized(fd, size, w));
	EXPECT_EQ(0ULL, w->target);
	for (i = size; i < sizeof(buf); i++)
		ASSERT_EQ(0xcc, buf[i]) TH_LOG("byte %zu", i);
	close(fd);
}

TEST_F(wait, version_0_struct_has_no_target)
{
	wait_without_target(_metadata, self->dev, WG_SIZE_WAIT_VER0);
}

/*
 * Issue 26, finding 2: an SA_RESTART wait whose signal handler itself
 * waits on the same descriptor, while the generation the interrupted wait
 * began in completes and the group is re-armed. The handler's waits are
 * calls of their own; the restarted call still returns the generation it
 * began in. (Uses no target field: it runs on modules without one.)
 */
static struct {
	int fd;
	int in[2];	/* the handler says it has waited once */
	int go[2];	/* the test lets it wait again and return */
	int first;
	int second;
} hw;

static void on_usr2_wait_too(int sig)
{
	int saved = errno;
	struct wg_wait w;
	char c;

	(void)sig;
	hw.first = sys_wg_wait(hw.fd, 0, 0, &w);
	if (write(hw.in[1], "x", 1) == 1)
		while (read(hw.go[0], &c, 1) < 0 && errno == EINTR)
			;
	hw.second = sys_wg_wait(hw.fd, wg_now_ns() + NSEC_PER_MSEC, 0, &w);
	errno = saved;
}

TEST_F(wait, handler_wait_leaves_the_restarted_calls_generation)
{
	struct sigaction sa = {
		.sa_handler = on_usr2_wait_too,
		.sa_flags = SA_RESTART,
	};
	int fd = wg_create_anon(self->dev, 1);
	struct sleeper s = { .fd = fd };

	ASSERT_LE(0, fd);
	hw.fd = fd;
	ASSERT_EQ(0, pipe(hw.in));
	ASSERT_EQ(0, pipe(hw.go));
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_fn, &s));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	ASSERT_EQ(0, pthread_kill(s.thread, SIGUSR2));
	ASSERT_EQ(0, wg_pipe_get(hw.in[0]));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EIO, 0));	/* generation 1 */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	ASSERT_EQ(0, wg_pipe_put(hw.go[1]));
	/* If the restart lost generation 1, it sleeps until its deadline. */
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(1ULL, s.w.generation);
	EXPECT_EQ(EIO, s.w.error);
	/* The handler's own waits began in 1, then in 2: both timed out. */
	EXPECT_EQ(-ETIMEDOUT, hw.first);
	EXPECT_EQ(-ETIMEDOUT, hw.second);
	EXPECT_EQ(1, wg_count(fd));
	signal(SIGUSR2, SIG_DFL);
	close(hw.in[0]);
	close(hw.in[1]);
	close(hw.go[0]);
	close(hw.go[1]);
	close(fd);
}

/*
 * Issue 26, finding 4: WG_IOC_INFO and fdinfo show a counter and a
 * generation that were true together. Another process runs cycles in
 * which the last completed generation's parity decides the count: after
 * an even one it adds 1 and is done, after an odd one it adds 2 and
 * takes 2 away. The pairs that exist are (0, any), (1, even) and
 * (2, odd); a counter read before a completion with a generation read
 * after it, or the reverse, shows (1, odd) or (2, even).
 */
static bool pair_existed(long long count, unsigned long long gen)
{
	return count == 0 || count == 1 + (long long)(gen & 1);
}

static void cycle_by_parity(int fd)
{
	unsigned long long g;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		_exit(3);
	for (g = 0;; g++) {
		if (g & 1) {
			if (sys_wg_add_val(fd, 2, 0) ||
			    sys_wg_add_val(fd, -2, 0))
				_exit(1);
		} else if (sys_wg_add_val(fd, 1, 0) || sys_wg_done(fd)) {
			_exit(2);
		}
	}
}

/* count and generation from one read of @fdinfo (open on our fdinfo). */
static int fdinfo_pair(int fdinfo, long long *count, unsigned long long *gen)
{
	char buf[1024], *p;
	ssize_t n;

	if (lseek(fdinfo, 0, SEEK_SET))
		return -1;
	n = read(fdinfo, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "\ncount:");
	if (!p)
		return -1;
	*count = strtoll(p + 7, NULL, 10);
	p = strstr(buf, "\ngeneration:");
	if (!p)
		return -1;
	*gen = strtoull(p + 12, NULL, 10);
	return 0;
}

TEST_F_TIMEOUT(wait, info_is_a_consistent_snapshot, 120)
{
	int fd = wg_create_anon(self->dev, 0);
	unsigned long long gen, last = 0, infos = 0, fdinfos = 0;
	__u64 end = wg_now_ns() + 15 * NSEC_PER_SEC;
	char path[64];
	struct wg_info info;
	long long count;
	int fdinfo, bad = 0;
	cpu_set_t set;
	pid_t pid;

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	fdinfo = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fdinfo);
	/* Apart where there are two CPUs: the cycles run beside the reads. */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (CPU_COUNT(&set) > 1)
			pin_to_cpu(1);
		cycle_by_parity(fd);
	}
	if (CPU_COUNT(&set) > 1)
		ASSERT_EQ(0, pin_to_cpu(0));
	/* Both, until 15 s or 1,000,000 reads, or the first impossible pair. */
	while (!bad && infos < 1000000 && wg_now_ns() < end) {
		ASSERT_EQ(0, sys_wg_info(fd, &info));
		infos++;
		if (!pair_existed(info.count, info.generation)) {
			bad = 1;
			TH_LOG("INFO: count %d with generation %llu",
			       info.count, (unsigned long long)info.generation);
		}
		last = info.generation;
		if (infos % 8)
			continue;
		ASSERT_EQ(0, fdinfo_pair(fdinfo, &count, &gen));
		fdinfos++;
		if (!pair_existed(count, gen)) {
			bad = 1;
			TH_LOG("fdinfo: count %lld with generation %llu",
			       count, gen);
		}
	}
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wg_reap(pid));
	TH_LOG("%llu INFO and %llu fdinfo reads over %llu generations",
	       infos, fdinfos, last);
	EXPECT_EQ(0, bad);
	/* The cycles ran beside the reads: many generations went by. */
	EXPECT_LT(1000ULL, last);
	close(fdinfo);
	close(fd);
}

/*
 * A wait whose result cannot be written (its struct made read-only while
 * it sleeps) gets EFAULT, and the result is lost for it, as eventfd and
 * ntsync lose theirs: nothing is kept, neither for the file's next wait
 * nor, on a polled file (@polled), for poll. The completion itself
 * stands. (Issue 26, item 5; finding 1 was a broken promise to keep it.)
 */
/* A thread waiting with its struct wg_wait elsewhere (*w). */
struct far_sleeper {
	pthread_t thread;
	int fd;
	int ret;
	struct wg_wait *w;
};

static void *far_sleeper_fn(void *arg)
{
	struct far_sleeper *s = arg;

	s->ret = sys_wg_wait(s->fd, wg_now_ns() + 20 * NSEC_PER_SEC, 0, s->w);
	return NULL;
}

static void efault_loses_the_result(struct __test_metadata *_metadata,
				    int dev, bool polled)
{
	struct pollfd p = { .events = POLLIN };
	int fd = wg_create_anon(dev, 1);
	long page = sysconf(_SC_PAGESIZE);
	struct far_sleeper s = { .fd = fd };
	struct wg_wait w;

	ASSERT_LE(0, fd);
	p.fd = fd;
	if (polled)
		ASSERT_EQ(0, poll(&p, 1, 0));	/* the mark: 0 */
	s.w = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s.w);
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, far_sleeper_fn, &s));
	ASSERT_EQ(0, wg_wait_for_waiters(fd, 1, 20000));
	/* Read in, asleep: now its result has nowhere to go. */
	ASSERT_EQ(0, mprotect(s.w, page, PROT_READ));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EPIPE, 0));	/* generation 1 */
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	EXPECT_EQ(-EFAULT, s.ret);
	EXPECT_EQ(0xccccccccU, s.w->abandoned);		/* nothing written */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	/* Lost: the next call is a new one, and waits for generation 2. */
	if (polled)
		EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.target);
	/* The completion stands: a call for generation 1 still gets it. */
	ASSERT_EQ(0, sys_wg_wait_target(fd, 0, 0, 1, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EPIPE, w.error);
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(0, w.error);
	munmap(s.w, page);
	close(fd);
}

/*
 * A batch of 20 fast tasks completes 20 generations: the 8th fails, the
 * 14th is abandoned, the last is clean. The wait's own result tells of the
 * last generation only (Go's rule); its totals tell of every task.
 */
TEST_F(wait, totals_report_every_task_of_the_batch)
{
	int fd = wg_create_anon(self->dev, 0), holder, i;
	struct wg_info info;
	struct wg_wait w;

	ASSERT_LE(0, fd);
	for (i = 0; i < 20; i++) {
		if (i == 13) {
			holder = sys_wg_dup(fd, WG_CLOEXEC);
			ASSERT_LE(0, holder);
			ASSERT_EQ(0, sys_wg_add(holder, 1, WG_UNDO, 0, 0));
			ASSERT_EQ(0, close(holder));
			continue;
		}
		ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
		ASSERT_EQ(0, sys_wg_add(fd, -1, 0, i == 7 ? EIO : 0, 0));
	}
	ASSERT_EQ(20, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(20ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	/* Without WG_WAIT_TOTALS the full struct's totals are written zero. */
	EXPECT_EQ(0ULL, w.totals.done);
	EXPECT_EQ(0, w.totals.error);
	EXPECT_EQ(0U, w.totals.__pad);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, WG_WAIT_TOTALS, &w));
	EXPECT_EQ(20ULL, w.generation);
	EXPECT_EQ(19ULL, w.totals.done);
	EXPECT_EQ(1ULL, w.totals.failed);
	EXPECT_EQ(1ULL, w.totals.abandoned);
	EXPECT_EQ(EIO, w.totals.error);
	EXPECT_EQ(0U, w.totals.__pad);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(19ULL, info.totals.done);
	EXPECT_EQ(1ULL, info.totals.failed);
	EXPECT_EQ(1ULL, info.totals.abandoned);
	EXPECT_EQ(EIO, info.totals.error);
	EXPECT_EQ(0U, info.totals.__pad);
	/* A reset returns them and starts a new batch. */
	ASSERT_EQ(0, sys_wg_wait(fd, 0, WG_WAIT_TOTALS | WG_WAIT_RESET, &w));
	EXPECT_EQ(19ULL, w.totals.done);
	EXPECT_EQ(EIO, w.totals.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0ULL, info.totals.done);
	EXPECT_EQ(0ULL, info.totals.failed);
	EXPECT_EQ(0ULL, info.totals.abandoned);
	EXPECT_EQ(0, info.totals.error);
	close(fd);
}

/*
 * A wait that does not return (here ETIMEDOUT) resets nothing; the flags
 * need a struct with room for the totals; a reset needs WG_ACCESS_ADD.
 */
TEST_F(wait, totals_flags_are_checked)
{
	int fd = wg_create_anon(self->dev, 1), ro;
	struct wg_info info;
	struct wg_wait w;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EPIPE, 0));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, WG_WAIT_TOTALS | WG_WAIT_RESET,
					  &w));
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(1ULL, info.totals.failed);
	EXPECT_EQ(-EINVAL, sys_wg_wait(fd, 0, WG_WAIT_RESET, &w));
	memset(&w, 0, sizeof(w));
	w.flags = WG_WAIT_TOTALS;
	EXPECT_EQ(-EINVAL, sys_wg_wait_sized(fd, offsetof(struct wg_wait, totals),
					     &w));
	ro = sys_wg_create(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, 0, 0, NULL);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, sys_wg_wait(ro, 0, WG_WAIT_TOTALS, &w));
	EXPECT_EQ(-EBADF, sys_wg_wait(ro, 0, WG_WAIT_TOTALS | WG_WAIT_RESET,
				      &w));
	EXPECT_EQ(-EINVAL, sys_wg_wait(fd, 0, 8, &w));
	close(ro);
	close(fd);
}

TEST_F(wait, efault_loses_the_result)
{
	efault_loses_the_result(_metadata, self->dev, false);
}

TEST_F(wait, efault_loses_the_result_of_a_polled_file)
{
	efault_loses_the_result(_metadata, self->dev, true);
}

/*
 * The struct in a read-only mapping from the start: read in fine, but
 * neither a result nor a target can be written back. Each such call
 * fails with EFAULT and leaves nothing behind.
 */
TEST_F(wait, efault_from_a_read_only_struct)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = wg_create_anon(self->dev, 1);
	struct wg_wait w, *ro;

	ASSERT_LE(0, fd);
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, 2 * sizeof(*ro));
	ro[1].target = 1;
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	/* No result: the target it waits for cannot be written. */
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, WG_IOC_WAIT, &ro[0]));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, EPIPE, 0));	/* generation 1 */
	/* A zero counter's result, and generation 1 for its target. */
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, WG_IOC_WAIT, &ro[0]));
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, WG_IOC_WAIT, &ro[1]));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));	/* 2 runs */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, WG_IOC_WAIT, &ro[1]));
	memcpy(&w, &ro[1], sizeof(w));
	ASSERT_EQ(0, sys_wg_ioctl(fd, WG_IOC_WAIT, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EPIPE, w.error);
	EXPECT_EQ(0ULL, w.target);
	munmap(ro, page);
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
