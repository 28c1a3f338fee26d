// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the waitgroup kernel API: the state word, generations,
 * bounds, every wait variant, abandonment, a timeout racing a completion,
 * concurrency from kthreads, and waitgroup_fdget().
 *
 * Load waitgroup.ko, then this module, on a kernel with CONFIG_KUNIT; the
 * results are KTAP on the console.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/wait_bit.h>
#include <linux/waitgroup.h>

#include "wg_core.h"

/* The state word, unpacked by the primitive's own helpers. */
static int state_count(struct waitgroup *wg)
{
	return wg_count(atomic64_read(&wg->state));
}

static unsigned int state_waiters(struct waitgroup *wg)
{
	unsigned int waiters;

	__waitgroup_generation(wg, &waiters);
	return waiters;
}

static u64 generation(struct waitgroup *wg)
{
	return __waitgroup_generation(wg, NULL);
}

/* Counter zero, nobody waiting, no flag left: the next zero is lock-free. */
static bool state_idle(struct waitgroup *wg)
{
	s64 state = atomic64_read(&wg->state);

	return !wg_count(state) && !(wg_low(state) & (WG_SLOW | WG_LOCKED)) &&
	       !state_waiters(wg);
}

/*
 * A group for a case that runs kthreads: in memory the test owns, which
 * outlives a failed assertion's early return until the case's cleanup.
 */
static struct waitgroup *new_wg(struct kunit *test)
{
	struct waitgroup *wg = kunit_kzalloc(test, sizeof(*wg), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wg);
	waitgroup_init(wg);
	return wg;
}

/*
 * The kthreads of a case are stopped by the case's cleanup, passed or
 * failed. KUnit releases a case's resources newest first, so a kthread is
 * stopped before the memory it was given (allocated before it started) is
 * freed. A waiter still asleep is released first by abandoning what is
 * left of its group's counter.
 */
struct test_thread {
	struct task_struct *task;
	struct waitgroup *wg;
};

static void test_thread_stop(struct kunit_resource *res)
{
	struct test_thread *t = res->data;

	/* Adders waiting for room get it; then everything is undone. */
	waitgroup_set_limit(t->wg, 0);
	__waitgroup_abandon(t->wg, UINT_MAX);
	kthread_stop(t->task);
	put_task_struct(t->task);
}

static struct task_struct *run_thread(struct kunit *test, struct waitgroup *wg,
				      int (*fn)(void *), void *data,
				      const char *name)
{
	struct test_thread *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	void *res;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	t->wg = wg;
	t->task = kthread_create(fn, data, "wg_kunit_%s", name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->task);
	get_task_struct(t->task);
	res = kunit_alloc_resource(test, NULL, test_thread_stop, GFP_KERNEL, t);
	if (!res) {
		/* Never woken: @fn has not run. */
		kthread_stop(t->task);
		put_task_struct(t->task);
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, res);
	wake_up_process(t->task);
	return t->task;
}

/* The end of every kthread of the suite: stay until the cleanup stops it. */
static void idle_until_stopped(void)
{
	set_current_state(TASK_IDLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_IDLE);
	}
	__set_current_state(TASK_RUNNING);
}

/* Poll the group's own state (10 s at most) until @n waiters are asleep. */
static bool wait_for_waiters(struct waitgroup *wg, unsigned int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (time_before(jiffies, end)) {
		if (state_waiters(wg) == n)
			return true;
		usleep_range(1000, 2000);
	}
	return state_waiters(wg) == n;
}

/* A kthread that waits on a group in one of the ways below. */
enum waiter_kind { WAIT_PLAIN, WAIT_INTR, WAIT_KILLABLE, WAIT_TIMEOUT, WAIT_RESULT,
		   WAIT_LATCH, WAIT_LATCH_RESTART };

struct waiter {
	struct waitgroup *wg;
	struct wg_latch *latch;
	enum waiter_kind kind;
	long arg;
	long ret;
	struct wg_result res;
	struct completion done;
	struct task_struct *task;
	/* WAIT_LATCH_RESTART: the first call's return, and the go-ahead. */
	long ret1;
	struct completion interrupted;
	struct completion go;
};

static int waiter_fn(void *data)
{
	struct waiter *w = data;

	allow_signal(SIGKILL);
	allow_signal(SIGUSR1);
	switch (w->kind) {
	case WAIT_PLAIN:
		waitgroup_wait(w->wg);
		w->ret = 0;
		break;
	case WAIT_INTR:
		w->ret = waitgroup_wait_interruptible(w->wg);
		break;
	case WAIT_KILLABLE:
		w->ret = waitgroup_wait_killable(w->wg);
		break;
	case WAIT_TIMEOUT:
		w->ret = waitgroup_wait_timeout(w->wg, w->arg);
		break;
	case WAIT_RESULT:
		w->ret = __waitgroup_wait(w->wg, NULL, TASK_UNINTERRUPTIBLE,
					  KTIME_MAX, 0, &w->res);
		break;
	case WAIT_LATCH:
		w->ret = __waitgroup_wait(w->wg, w->latch, TASK_UNINTERRUPTIBLE,
					  KTIME_MAX, WG_WAIT_CANCEL, &w->res);
		break;
	case WAIT_LATCH_RESTART:
		/* A signal ends the first call; the second is its restart. */
		w->ret1 = __waitgroup_wait(w->wg, w->latch, TASK_INTERRUPTIBLE,
					   KTIME_MAX, WG_WAIT_CANCEL, &w->res);
		flush_signals(current);
		complete(&w->interrupted);
		wait_for_completion_timeout(&w->go, 10 * HZ);
		w->ret = __waitgroup_wait(w->wg, w->latch, TASK_UNINTERRUPTIBLE,
					  KTIME_MAX, WG_WAIT_CANCEL, &w->res);
		break;
	}
	complete(&w->done);
	/* Signals may still be pending: TASK_IDLE ignores them. */
	idle_until_stopped();
	return 0;
}

/* @latch: WAIT_LATCH's, as a file's wait; NULL for the other kinds. */
static struct waiter *start_waiter_latch(struct kunit *test,
					 struct waitgroup *wg,
					 enum waiter_kind kind, long arg,
					 struct wg_latch *latch)
{
	struct waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	w->wg = wg;
	w->latch = latch;
	w->kind = kind;
	w->arg = arg;
	init_completion(&w->done);
	init_completion(&w->interrupted);
	init_completion(&w->go);
	w->task = run_thread(test, wg, waiter_fn, w, "waiter");
	return w;
}

static struct waiter *start_waiter(struct kunit *test, struct waitgroup *wg,
				   enum waiter_kind kind, long arg)
{
	return start_waiter_latch(test, wg, kind, arg, NULL);
}

/* Wait (10 s at most) for the waiter to return. */
static bool finish_waiter(struct waiter *w)
{
	return wait_for_completion_timeout(&w->done, 10 * HZ);
}

static DEFINE_WAITGROUP(static_wg);

/* A kthread whose add waits for room. */
struct room_adder {
	struct waitgroup *wg;
	int ret;
	struct completion done;
};

static int room_adder_fn(void *data)
{
	struct room_adder *a = data;

	a->ret = waitgroup_add_killable(a->wg, 1);
	complete(&a->done);
	idle_until_stopped();
	return 0;
}

static bool wait_for_room_waiters(struct waitgroup *wg, unsigned int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (time_before(jiffies, end)) {
		if (READ_ONCE(wg->room_waiters) == n)
			return true;
		usleep_range(1000, 2000);
	}
	return READ_ONCE(wg->room_waiters) == n;
}

static void wg_limit_refuses_and_slows(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_EXPECT_EQ(test, -EINVAL, waitgroup_set_limit(&wg, (unsigned int)INT_MAX + 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_set_limit(&wg, 2));
	KUNIT_EXPECT_TRUE(test, atomic64_read(&wg.state) & WG_SLOW);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, 2));
	KUNIT_EXPECT_EQ(test, -EAGAIN, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 2, waitgroup_count(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_set_limit(&wg, 0));
	KUNIT_EXPECT_FALSE(test, atomic64_read(&wg.state) & WG_SLOW);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, 10));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, -12));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(&wg));
}

static void wg_add_killable_gets_the_room_a_done_makes(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct room_adder *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	a->wg = wg;
	init_completion(&a->done);
	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	run_thread(test, wg, room_adder_fn, a, "room");
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	KUNIT_EXPECT_FALSE(test, completion_done(&a->done));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&a->done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, 0, a->ret);
	/* Handed over in one step: the generation did not complete. */
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

static void wg_cancel_releases_waiters_and_adders(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct room_adder *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct waiter *intr, *result;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_FALSE(test, waitgroup_cancel(wg, 0));	/* at zero */
	a->wg = wg;
	init_completion(&a->done);
	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	intr = start_waiter(test, wg, WAIT_INTR, 0);
	result = start_waiter(test, wg, WAIT_RESULT, 0);
	run_thread(test, wg, room_adder_fn, a, "room");
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 2));
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, EHOSTDOWN));
	KUNIT_EXPECT_FALSE(test, waitgroup_cancel(wg, EIO));	/* already */
	/* The adder fails; the API's waits still wait for the drain. */
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&a->done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, -ECANCELED, a->ret);
	KUNIT_EXPECT_EQ(test, 2U, state_waiters(wg));
	KUNIT_EXPECT_FALSE(test, completion_done(&intr->done));
	KUNIT_EXPECT_EQ(test, -ECANCELED, waitgroup_add(wg, 1));
	/* The counter drains; its zero completes the canceled generation. */
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(intr));
	KUNIT_ASSERT_TRUE(test, finish_waiter(result));
	KUNIT_EXPECT_EQ(test, 0L, intr->ret);
	KUNIT_EXPECT_EQ(test, 0L, result->ret);
	KUNIT_EXPECT_TRUE(test, result->res.canceled);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, result->res.error);
	KUNIT_EXPECT_EQ(test, 1ULL, result->res.generation);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
	KUNIT_EXPECT_TRUE(test, wg->last_canceled);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, wg->last_error);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));	/* clean again */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
}

static void wg_define_starts_at_zero(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_EXPECT_EQ(test, 0, waitgroup_count(&wg));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(&wg));
	/* A static one is usable without waitgroup_init(), and reusable. */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&static_wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&static_wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_count(&static_wg));
	KUNIT_EXPECT_LE(test, 1ULL, generation(&static_wg));
}

static void wg_init_resets(struct kunit *test)
{
	struct waitgroup wg;

	memset(&wg, 0xcc, sizeof(wg));
	waitgroup_init(&wg);
	KUNIT_EXPECT_EQ(test, 0LL, (long long)atomic64_read(&wg.state));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(&wg));
	KUNIT_EXPECT_EQ(test, 0, wg.error);
	KUNIT_EXPECT_EQ(test, 0U, wg.last_abandoned);
}

/* add() from a starting counter: result and counter afterwards. */
struct add_case {
	const char *desc;
	int start;
	int delta;
	int ret;
	int count;
	u64 generations;
};

static const struct add_case add_cases[] = {
	{ "0+1", 0, 1, 0, 1, 0 },
	{ "0+0 is a no-op", 0, 0, 0, 0, 0 },
	{ "1+0 is a no-op", 1, 0, 0, 1, 0 },
	{ "0-1 is ERANGE", 0, -1, -ERANGE, 0, 0 },
	{ "5-5 completes", 5, -5, 0, 0, 1 },
	{ "10-11 is ERANGE", 10, -11, -ERANGE, 10, 0 },
	{ "3+INT_MIN is ERANGE", 3, INT_MIN, -ERANGE, 3, 0 },
	{ "0+INT_MAX", 0, INT_MAX, 0, INT_MAX, 0 },
	{ "INT_MAX+1 is EOVERFLOW", INT_MAX, 1, -EOVERFLOW, INT_MAX, 0 },
	{ "INT_MAX-1 +1", INT_MAX - 1, 1, 0, INT_MAX, 0 },
	{ "1+INT_MAX is EOVERFLOW", 1, INT_MAX, -EOVERFLOW, 1, 0 },
	{ "INT_MAX-INT_MAX completes", INT_MAX, -INT_MAX, 0, 0, 1 },
	{ "7-3", 7, -3, 0, 4, 0 },
};

static void add_case_desc(const struct add_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(add, add_cases, add_case_desc);

static void wg_add_table(struct kunit *test)
{
	const struct add_case *c = test->param_value;
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, c->start));
	KUNIT_EXPECT_EQ(test, c->ret, waitgroup_add(&wg, c->delta));
	KUNIT_EXPECT_EQ(test, c->count, waitgroup_count(&wg));
	KUNIT_EXPECT_EQ(test, c->generations, generation(&wg));
}

static void wg_done_at_zero_changes_nothing(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_EXPECT_EQ(test, -ERANGE, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_count(&wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(&wg));
}

static void wg_each_zero_is_a_generation(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	int i;

	for (i = 0; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 2));
		KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
		KUNIT_EXPECT_EQ(test, (u64)i, generation(&wg));
		KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	}
	KUNIT_EXPECT_EQ(test, 100ULL, generation(&wg));
}

/*
 * Nobody waits: each zero completes in the cmpxchg of its done, without
 * the lock, and the tag it moves carries the generation across 2^30 and
 * across a multiple of WG_TAG_SYNC, where the lock is taken once.
 */
static void wg_lock_free_completion_and_tag_wrap(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	u64 start = WG_TAG_MASK - 2;
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_TRUE(test, state_idle(&wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(&wg));
	/* Lock-free: the last locked completion is still gen_base's 0. */
	KUNIT_EXPECT_EQ(test, 0ULL, wg.last_gen);
	/* As if 2^30 - 3 generations had completed. */
	wg.gen_base = start;
	atomic64_set(&wg.state, wg_pack(0, (u32)start & WG_TAG_MASK));
	for (i = 0; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
		KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	}
	KUNIT_EXPECT_EQ(test, start + 5, generation(&wg));
	/* The tag went through 0 (2^30): that completion took the lock. */
	KUNIT_EXPECT_EQ(test, (u64)WG_TAG_MASK + 1, wg.last_gen);
	KUNIT_EXPECT_EQ(test, 2U, wg_tag(atomic64_read(&wg.state)));
	KUNIT_EXPECT_TRUE(test, state_idle(&wg));
}

static void wg_count_in_high_half(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 0x12345));
	KUNIT_EXPECT_EQ(test, 0x12345LL << 32,
			(long long)atomic64_read(&wg.state));
	KUNIT_EXPECT_EQ(test, 0x12345, state_count(&wg));
}

static void wg_waiter_in_low_half(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	w = start_waiter(test, wg, WAIT_PLAIN, 0);
	KUNIT_EXPECT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 3, state_count(wg));
	KUNIT_EXPECT_TRUE(test, atomic64_read(&wg->state) & WG_LOCKED);
	/* Moving the counter keeps the waiter count. */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -2));
	KUNIT_EXPECT_EQ(test, 1U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_TRUE(test, finish_waiter(w));
	/* The completion released the waiter and cleared the flags. */
	KUNIT_EXPECT_TRUE(test, state_idle(wg));
	KUNIT_EXPECT_EQ(test, 1U, wg_tag(atomic64_read(&wg->state)));
}

static void wg_wait_at_zero_returns(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	long left;

	waitgroup_wait(&wg);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_wait_interruptible(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_wait_killable(&wg));
	/* What is left of the timeout: a jiffy may pass during the call. */
	left = waitgroup_wait_timeout(&wg, 5);
	KUNIT_EXPECT_GE(test, left, 4L);
	KUNIT_EXPECT_LE(test, left, 5L);
	KUNIT_EXPECT_EQ(test, 1L, waitgroup_wait_timeout(&wg, 0));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
}

static void wg_timeout_expires(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 0L, waitgroup_wait_timeout(&wg, 2));
	KUNIT_EXPECT_EQ(test, 0L, waitgroup_wait_timeout(&wg, 0));
	/* A waiter that gave up is no longer counted. */
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(&wg));
}

static void wg_timeout_released_by_done(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_TIMEOUT, 60 * HZ);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_GT(test, w->ret, 0L);
	KUNIT_EXPECT_LE(test, w->ret, 60L * HZ);
}

static void wg_interruptible_by_signal(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_INTR, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	send_sig(SIGUSR1, w->task, 1);
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, (long)-ERESTARTSYS, w->ret);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
}

static void wg_interruptible_completes(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 2));
	w = start_waiter(test, wg, WAIT_INTR, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -2));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
}

static void wg_killable_ignores_other_signals(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_KILLABLE, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	send_sig(SIGUSR1, w->task, 1);
	/* Still asleep: SIGUSR1 is not fatal. */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&w->done, HZ / 10));
	KUNIT_EXPECT_EQ(test, 1U, state_waiters(wg));
	send_sig(SIGKILL, w->task, 1);
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, (long)-ERESTARTSYS, w->ret);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
}

static void wg_last_done_releases_all(struct kunit *test)
{
	enum { N = 16 };
	struct waitgroup *wg = new_wg(test);
	struct waiter *w[N];
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	for (i = 0; i < N; i++)
		w[i] = start_waiter(test, wg, i % 2 ? WAIT_INTR : WAIT_PLAIN, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, N));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	/* Two of three done: nobody may have returned. */
	for (i = 0; i < N; i++)
		KUNIT_EXPECT_FALSE(test, completion_done(&w[i]->done));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_TRUE(test, finish_waiter(w[i]));
		KUNIT_EXPECT_EQ(test, 0L, w[i]->ret);
	}
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

static void wg_rearm_does_not_strand(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_PLAIN, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	/* Complete and re-arm before the waiter can run. */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
	/* A waiter arriving now waits for the new generation. */
	KUNIT_EXPECT_EQ(test, 0L, waitgroup_wait_timeout(wg, 1));
}

/* Concurrency: kthreads hammering one group. */
struct hammer {
	struct waitgroup *wg;
	int rounds;
	int failures;
	struct completion done;
};

static int hammer_pairs(void *data)
{
	struct hammer *h = data;
	int i;

	for (i = 0; i < h->rounds; i++) {
		if (waitgroup_add(h->wg, 1))
			h->failures++;
		if (waitgroup_done(h->wg))
			h->failures++;
	}
	complete(&h->done);
	idle_until_stopped();
	return 0;
}

static int hammer_adds_then_dones(void *data)
{
	struct hammer *h = data;
	int i;

	for (i = 0; i < h->rounds; i++)
		if (waitgroup_add(h->wg, 1))
			h->failures++;
	for (i = 0; i < h->rounds; i++)
		if (waitgroup_done(h->wg))
			h->failures++;
	complete(&h->done);
	idle_until_stopped();
	return 0;
}

static void run_hammers(struct kunit *test, int (*fn)(void *),
			struct waitgroup *wg, int threads, int rounds)
{
	struct hammer *h = kunit_kcalloc(test, threads, sizeof(*h), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	for (i = 0; i < threads; i++) {
		h[i].wg = wg;
		h[i].rounds = rounds;
		init_completion(&h[i].done);
		run_thread(test, wg, fn, &h[i], "hammer");
	}
	for (i = 0; i < threads; i++) {
		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&h[i].done, 60 * HZ));
		KUNIT_EXPECT_EQ(test, 0, h[i].failures);
	}
}

static void wg_concurrent_pairs(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);

	run_hammers(test, hammer_pairs, wg, 4, 20000);
	KUNIT_EXPECT_TRUE(test, state_idle(wg));
	KUNIT_EXPECT_GE(test, generation(wg), 1ULL);
	KUNIT_EXPECT_LE(test, generation(wg), 4ULL * 20000);
}

static void wg_concurrent_adds_then_dones(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);

	/* One add first, so the counter cannot reach zero until we say so. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	run_hammers(test, hammer_adds_then_dones, wg, 4, 20000);
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

/* Racers adding 1 at a time to a group with room for fewer adds. */
struct bound_race {
	struct waitgroup *wg;
	atomic_t ok;
	atomic_t overflow;
	struct completion done;
};

static int bound_racer_fn(void *data)
{
	struct bound_race *r = data;
	int i, ret;

	for (i = 0; i < 1000; i++) {
		ret = waitgroup_add(r->wg, 1);
		if (!ret)
			atomic_inc(&r->ok);
		else if (ret == -EOVERFLOW)
			atomic_inc(&r->overflow);
	}
	complete(&r->done);
	idle_until_stopped();
	return 0;
}

static void wg_concurrent_overflow_is_exact(struct kunit *test)
{
	struct bound_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	r->wg = new_wg(test);
	init_completion(&r->done);
	/* Room for exactly 1500 of the 4000 adds. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(r->wg, INT_MAX - 1500));
	for (i = 0; i < 4; i++)
		run_thread(test, r->wg, bound_racer_fn, r, "bound");
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&r->done, 60 * HZ));
	KUNIT_EXPECT_EQ(test, 1500, atomic_read(&r->ok));
	KUNIT_EXPECT_EQ(test, 2500, atomic_read(&r->overflow));
	KUNIT_EXPECT_EQ(test, INT_MAX, waitgroup_count(r->wg));
}

static void wg_many_waiters_one_wake(struct kunit *test)
{
	enum { N = 64 };
	struct waitgroup *wg = new_wg(test);
	struct waiter *w[N];
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	for (i = 0; i < N; i++)
		w[i] = start_waiter(test, wg, WAIT_KILLABLE, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, N));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_TRUE(test, finish_waiter(w[i]));
		KUNIT_EXPECT_EQ(test, 0L, w[i]->ret);
	}
}

static void wg_fdget_bad_fd(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EBADF), waitgroup_fdget(-1));
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EBADF), waitgroup_fdget(INT_MAX));
}

static const struct file_operations not_a_waitgroup_fops = {
	.owner = THIS_MODULE,
};

static void wg_fdget_wrong_type(struct kunit *test)
{
	int fd;

	fd = anon_inode_getfd("[not-waitgroup]", &not_a_waitgroup_fops, NULL,
			      O_RDWR);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EINVAL), waitgroup_fdget(fd));
	close_fd(fd);
}

/*
 * A waiter is told the result of the generation it slept in, not of the
 * newest: two more generations complete before the waiter can have read
 * anything, the second one clean. @abandon: the first one ends by
 * abandonment instead of an error.
 */
static void wg_result_of_own_generation(struct kunit *test, bool abandon)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_RESULT, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	if (abandon)
		KUNIT_EXPECT_EQ(test, 1U, __waitgroup_abandon(wg, 1));
	else
		KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 2ULL, generation(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, w->res.generation);
	KUNIT_EXPECT_EQ(test, abandon ? EOWNERDEAD : EIO, w->res.error);
	KUNIT_EXPECT_EQ(test, abandon ? 1U : 0U, w->res.abandoned);
}

static void wg_result_error_of_own_generation(struct kunit *test)
{
	wg_result_of_own_generation(test, false);
}

static void wg_result_abandoned_of_own_generation(struct kunit *test)
{
	wg_result_of_own_generation(test, true);
}

/* A wait that finds the counter at zero reports the last generation. */
static void wg_result_at_zero_is_last(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct wg_result res;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 2));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(&wg, -1, EPIPE));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_wait(&wg, NULL, TASK_INTERRUPTIBLE,
						  0, 0, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, res.error);
	/* Nonzero and no time to wait: the wait gives up, and unregisters. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, -ETIME, __waitgroup_wait(&wg, NULL,
						       TASK_INTERRUPTIBLE, 0, 0,
						       &res));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_TRUE(test, list_empty(&wg.results));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
}

/*
 * A @kind waiter of a new group's file (w->wg, w->latch), asleep in
 * generation 1 (the counter at 1).
 */
static struct waiter *latch_waiter(struct kunit *test, enum waiter_kind kind)
{
	struct waitgroup *wg = new_wg(test);
	struct wg_latch *latch = kunit_kzalloc(test, sizeof(*latch), GFP_KERNEL);
	struct waiter *w;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, latch);
	wg_latch_init(latch);
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter_latch(test, wg, kind, 0, latch);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	return w;
}

/*
 * The last done of generation 1: @w (a latch_waiter()) returns it, and its
 * latch lets go of the older result it was given back.
 */
static void done_lets_the_older_go(struct kunit *test, struct waiter *w)
{
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(w->wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, w->res.generation);
	KUNIT_EXPECT_FALSE(test, w->latch->w.done);
	wg_latch_exit(w->wg, w->latch);
}

/*
 * A file's wait asleep in generation 1 while another wait of the same
 * file gives its latch a result back (wg_latch_restore(), after a failed
 * copy to user memory): here generation 0's. Once the sleeper returns 1,
 * the latch lets the older result go, so the file never reports 0 after
 * 1. The sleeper knows to look at its latch only through
 * waitgroup.restores.
 */
static void wg_latch_restored_while_asleep_goes(struct kunit *test)
{
	struct waiter *w = latch_waiter(test, WAIT_LATCH);
	struct wg_result old = { .generation = 0 };
	struct wg_latch *latch = w->latch;
	struct waitgroup *wg = w->wg;

	wg_latch_restore(wg, latch, &old);
	KUNIT_EXPECT_TRUE(test, latch->w.done);
	done_lets_the_older_go(test, w);
}

/*
 * A WAIT_LATCH_RESTART latch_waiter(), then interrupted by a signal: its
 * thread has a kept record.
 */
static struct waiter *interrupted_waiter(struct kunit *test)
{
	struct waiter *w = latch_waiter(test, WAIT_LATCH_RESTART);

	send_sig(SIGUSR1, w->task, 1);
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&w->interrupted, 10 * HZ));
	KUNIT_EXPECT_EQ(test, (long)-ERESTARTSYS, w->ret1);
	KUNIT_EXPECT_EQ(test, 1U, w->latch->nkept);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(w->wg));
	return w;
}

/*
 * The restart of a wait of generation 1 while the file's latch holds an
 * older result (generation 0's, given back by another thread's failed
 * copy-out): the restarted wait sleeps for its own generation, and the
 * older result goes once it returns.
 */
static void wg_kept_restart_passes_an_older_latch(struct kunit *test)
{
	struct waiter *w = interrupted_waiter(test);
	struct wg_result old = { .generation = 0 };
	struct wg_latch *latch = w->latch;
	struct waitgroup *wg = w->wg;

	wg_latch_restore(wg, latch, &old);
	complete(&w->go);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 0U, latch->nkept);
	done_lets_the_older_go(test, w);
}

/*
 * A cancel leaves a kept record alone (nobody sleeps on it); the
 * completion that follows fills it with the canceled result, which the
 * restart returns at once.
 */
static void wg_kept_gets_the_canceled_completion(struct kunit *test)
{
	struct waiter *w = interrupted_waiter(test);
	struct wg_latch *latch = w->latch;
	struct waitgroup *wg = w->wg;

	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, EPIPE));
	KUNIT_EXPECT_FALSE(test, list_empty(&wg->results));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_TRUE(test, list_empty(&wg->results));
	KUNIT_EXPECT_EQ(test, 1U, latch->nkept);
	complete(&w->go);
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, w->res.generation);
	KUNIT_EXPECT_TRUE(test, w->res.canceled);
	KUNIT_EXPECT_EQ(test, EPIPE, w->res.error);
	KUNIT_EXPECT_EQ(test, 0U, latch->nkept);
	wg_latch_exit(wg, latch);
}

/*
 * A file released with a record still kept takes it off the results
 * list: the group's next completion is lock-free again (WG_LOCKED clear).
 */
static void wg_kept_goes_with_its_file(struct kunit *test)
{
	struct waiter *w = interrupted_waiter(test);
	struct wg_latch *latch = w->latch;
	struct waitgroup *wg = w->wg;

	KUNIT_EXPECT_FALSE(test, list_empty(&wg->results));
	KUNIT_EXPECT_TRUE(test, atomic64_read(&wg->state) & WG_LOCKED);
	wg_latch_exit(wg, latch);
	KUNIT_EXPECT_TRUE(test, list_empty(&wg->results));
	KUNIT_EXPECT_EQ(test, 0U, latch->nkept);
	KUNIT_EXPECT_FALSE(test, atomic64_read(&wg->state) & WG_LOCKED);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	/* Its thread waits again: the counter is zero. */
	complete(&w->go);
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, w->res.generation);
}

/*
 * Abandonment ends a generation like a done: waiters of every kernel API
 * variant are released and the generation reports EOWNERDEAD and what was
 * abandoned.
 */
static void wg_abandon_releases_api_waiters(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w[4];
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	w[0] = start_waiter(test, wg, WAIT_PLAIN, 0);
	w[1] = start_waiter(test, wg, WAIT_INTR, 0);
	w[2] = start_waiter(test, wg, WAIT_KILLABLE, 0);
	w[3] = start_waiter(test, wg, WAIT_TIMEOUT, 60 * HZ);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 4));
	/* Two of three adds undone: the counter is not zero, nobody returns. */
	KUNIT_EXPECT_EQ(test, 2U, __waitgroup_abandon(wg, 2));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 4U, state_waiters(wg));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE(test, completion_done(&w[i]->done));
	/* More than is left: only what is left is undone. */
	KUNIT_EXPECT_EQ(test, 1U, __waitgroup_abandon(wg, 5));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, finish_waiter(w[i]));
	KUNIT_EXPECT_EQ(test, 0L, w[0]->ret);
	KUNIT_EXPECT_EQ(test, 0L, w[1]->ret);
	KUNIT_EXPECT_EQ(test, 0L, w[2]->ret);
	KUNIT_EXPECT_GT(test, w[3]->ret, 0L);
	KUNIT_EXPECT_TRUE(test, state_idle(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, EOWNERDEAD, wg->last_error);
	KUNIT_EXPECT_EQ(test, 3U, wg->last_abandoned);
	/* At zero there is nothing to undo and no generation to end. */
	KUNIT_EXPECT_EQ(test, 0U, __waitgroup_abandon(wg, 1));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

/* Does one done per round, once the test has armed that round. */
struct completer {
	struct waitgroup *wg;
	atomic_t round;
	int rounds;
	int failures;
};

static int completer_fn(void *data)
{
	struct completer *c = data;
	int i;

	for (i = 1; i <= c->rounds; i++) {
		wait_var_event(&c->round,
			       atomic_read_acquire(&c->round) >= i ||
			       kthread_should_stop());
		if (kthread_should_stop())
			break;
		if (waitgroup_done(c->wg))
			c->failures++;
	}
	idle_until_stopped();
	return 0;
}

/*
 * A wait whose timeout expires while the completion runs: either the wait
 * reports the generation it slept in, or it times out and leaves nothing
 * behind, no waiter counted and no record on the results list for a later
 * completion to write into. The timeouts go from none to a few hundred
 * microseconds, around the completer's wakeup latency, so that both sides
 * win some rounds; which wins is reported, not asserted.
 */
static void wg_timeout_races_completion(struct kunit *test)
{
	enum { ROUNDS = 200 };
	struct waitgroup *wg = new_wg(test);
	struct completer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int released = 0, timed_out = 0;
	struct wg_result res;
	int i, ret;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	c->wg = wg;
	c->rounds = ROUNDS;
	run_thread(test, wg, completer_fn, c, "completer");
	for (i = 1; i <= ROUNDS; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
		atomic_set_release(&c->round, i);
		wake_up_var(&c->round);
		ret = __waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE,
				       ns_to_ktime((i % 16) * 50 * NSEC_PER_USEC),
				       0, &res);
		if (ret) {
			KUNIT_ASSERT_EQ(test, -ETIME, ret);
			timed_out++;
			/* The done still comes. */
			ret = __waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE,
					       ns_to_ktime(10 * NSEC_PER_SEC),
					       0, &res);
			KUNIT_ASSERT_EQ(test, 0, ret);
		} else {
			released++;
		}
		KUNIT_ASSERT_EQ(test, (u64)i, res.generation);
		KUNIT_ASSERT_EQ(test, (u64)i, generation(wg));
		KUNIT_ASSERT_TRUE(test, state_idle(wg));
		KUNIT_ASSERT_TRUE(test, list_empty(&wg->results));
		KUNIT_ASSERT_TRUE(test, list_empty(&wg->released));
	}
	KUNIT_EXPECT_EQ(test, 0, c->failures);
	kunit_info(test, "%u waits released by the completion, %u timed out first\n",
		   released, timed_out);
}

/* A timeout past 2^32 microseconds (71.6 minutes) is not cut short. */
static void wg_long_timeout_released_by_done(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	long timeout = 80L * 60 * HZ;
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = start_waiter(test, wg, WAIT_TIMEOUT, timeout);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_GT(test, w->ret, timeout - 60L * HZ);
	KUNIT_EXPECT_LE(test, w->ret, timeout);
}

static struct kunit_case waitgroup_cases[] = {
	KUNIT_CASE(wg_define_starts_at_zero),
	KUNIT_CASE(wg_init_resets),
	KUNIT_CASE_PARAM(wg_add_table, add_gen_params),
	KUNIT_CASE(wg_done_at_zero_changes_nothing),
	KUNIT_CASE(wg_each_zero_is_a_generation),
	KUNIT_CASE(wg_lock_free_completion_and_tag_wrap),
	KUNIT_CASE(wg_count_in_high_half),
	KUNIT_CASE(wg_waiter_in_low_half),
	KUNIT_CASE(wg_wait_at_zero_returns),
	KUNIT_CASE(wg_timeout_expires),
	KUNIT_CASE(wg_timeout_released_by_done),
	KUNIT_CASE(wg_long_timeout_released_by_done),
	KUNIT_CASE(wg_interruptible_by_signal),
	KUNIT_CASE(wg_interruptible_completes),
	KUNIT_CASE(wg_killable_ignores_other_signals),
	KUNIT_CASE(wg_last_done_releases_all),
	KUNIT_CASE(wg_rearm_does_not_strand),
	KUNIT_CASE(wg_result_error_of_own_generation),
	KUNIT_CASE(wg_result_abandoned_of_own_generation),
	KUNIT_CASE(wg_result_at_zero_is_last),
	KUNIT_CASE(wg_latch_restored_while_asleep_goes),
	KUNIT_CASE(wg_kept_restart_passes_an_older_latch),
	KUNIT_CASE(wg_kept_gets_the_canceled_completion),
	KUNIT_CASE(wg_kept_goes_with_its_file),
	KUNIT_CASE(wg_abandon_releases_api_waiters),
	KUNIT_CASE(wg_timeout_races_completion),
	KUNIT_CASE(wg_concurrent_pairs),
	KUNIT_CASE(wg_concurrent_adds_then_dones),
	KUNIT_CASE(wg_concurrent_overflow_is_exact),
	KUNIT_CASE(wg_many_waiters_one_wake),
	KUNIT_CASE(wg_limit_refuses_and_slows),
	KUNIT_CASE(wg_add_killable_gets_the_room_a_done_makes),
	KUNIT_CASE(wg_cancel_releases_waiters_and_adders),
	KUNIT_CASE(wg_fdget_bad_fd),
	KUNIT_CASE(wg_fdget_wrong_type),
	{}
};

static struct kunit_suite waitgroup_suite = {
	.name = "waitgroup",
	.test_cases = waitgroup_cases,
};

kunit_test_suite(waitgroup_suite);

WAITGROUP_IMPORT_NS();
MODULE_DESCRIPTION("KUnit tests for the waitgroup kernel API");
MODULE_LICENSE("GPL");
