// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the waitgroup primitive (wg_core.c) and its kernel API:
 * the state word, generations and the ring of their results, bounds,
 * every wait variant, the target a wait's call carries, the wake
 * function's hand-over, cancel, the limit and the adders waiting for
 * room, the poll mark, abandonment, a timeout racing a completion,
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
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>
#include <linux/waitgroup.h>

#include "wg_core.h"

static int state_count(struct waitgroup *wg)
{
	return wg_count(atomic64_read(&wg->state));
}

static unsigned int state_waiters(struct waitgroup *wg)
{
	struct wg_snapshot snap;

	__waitgroup_snapshot(wg, &snap);
	return snap.waiters;
}

static u64 generation(struct waitgroup *wg)
{
	struct wg_snapshot snap;

	__waitgroup_snapshot(wg, &snap);
	return snap.last.generation;
}

static unsigned int room_waiters(struct waitgroup *wg)
{
	struct wg_snapshot snap;

	__waitgroup_snapshot(wg, &snap);
	return snap.room_waiters;
}

static u32 state_flags(s64 state)
{
	return wg_low(state) & (WG_SLOW | WG_LOCKED);
}

/* As if @gen generations had completed (nothing else runs). */
static void set_generation(struct waitgroup *wg, u64 gen)
{
	s64 state = atomic64_read(&wg->state);

	wg->gen_base = gen;
	atomic64_set(&wg->state, wg_pack(wg_count(state),
					 (u32)gen & WG_TAG_MASK));
}

/* Counter zero, no flag, nobody asleep on the group. */
static bool state_idle(struct waitgroup *wg)
{
	s64 state = atomic64_read(&wg->state);
	struct wg_snapshot snap;

	__waitgroup_snapshot(wg, &snap);
	return !wg_count(state) && !state_flags(state) && !snap.waiters &&
	       !snap.room_waiters;
}

/* Nothing on the group's wait queue: no waiter, no poller. */
static bool queue_empty(struct waitgroup *wg)
{
	bool empty;

	spin_lock_irq(&wg->wq.lock);
	empty = list_empty(&wg->wq.head);
	spin_unlock_irq(&wg->wq.lock);
	return empty;
}

/* A result the primitive has not written: every field says so. */
static const struct wg_result unwritten = {
	.generation = U64_MAX,
	.error = -1,
	.abandoned = UINT_MAX,
	.canceled = true,
	.expired = true,
};

/* One __waitgroup_wait() that never sleeps (a timeout of 0). */
static int test_wait(struct waitgroup *wg, atomic64_t *seen,
		     unsigned int flags, u64 *target, struct wg_result *res)
{
	*res = unwritten;
	return __waitgroup_wait(wg, seen, TASK_UNINTERRUPTIBLE, 0, flags,
				target, res);
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

/* Likewise, until @n adders wait for room. */
static bool wait_for_room_waiters(struct waitgroup *wg, unsigned int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (time_before(jiffies, end)) {
		if (room_waiters(wg) == n)
			return true;
		usleep_range(1000, 2000);
	}
	return room_waiters(wg) == n;
}

/*
 * A kthread that waits on a group: through one of the kernel API's waits,
 * or through __waitgroup_wait() itself (WAIT_CORE; WAIT_RESTART: a call
 * that a signal interrupts, then the same call again with the target the
 * first one left).
 */
enum waiter_kind {
	WAIT_PLAIN, WAIT_INTR, WAIT_KILLABLE, WAIT_TIMEOUT, WAIT_CORE,
	WAIT_RESTART
};

struct waiter {
	struct waitgroup *wg;
	enum waiter_kind kind;
	long arg;
	/* WAIT_CORE, WAIT_RESTART: the call's flags, file mark and target. */
	unsigned int flags;
	atomic64_t *seen;
	u64 target;
	long ret;
	struct wg_result res;
	struct completion done;
	struct task_struct *task;
	/* WAIT_RESTART: the first call's return and target; the go-ahead. */
	long ret1;
	u64 target1;
	struct completion interrupted;
	struct completion go;
};

static long waiter_core(struct waiter *w, unsigned int state)
{
	w->res = unwritten;
	return __waitgroup_wait(w->wg, w->seen, state, KTIME_MAX, w->flags,
				&w->target, &w->res);
}

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
	case WAIT_CORE:
		w->ret = waiter_core(w, TASK_UNINTERRUPTIBLE);
		break;
	case WAIT_RESTART:
		w->ret1 = waiter_core(w, TASK_INTERRUPTIBLE);
		w->target1 = w->target;
		flush_signals(current);
		complete(&w->interrupted);
		wait_for_completion_timeout(&w->go, 10 * HZ);
		w->ret = waiter_core(w, TASK_UNINTERRUPTIBLE);
		break;
	}
	complete(&w->done);
	/* Signals may still be pending: TASK_IDLE ignores them. */
	idle_until_stopped();
	return 0;
}

/* A waiter to set up further before run_waiter() starts it. */
static struct waiter *new_waiter(struct kunit *test, struct waitgroup *wg,
				 enum waiter_kind kind)
{
	struct waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	w->wg = wg;
	w->kind = kind;
	init_completion(&w->done);
	init_completion(&w->interrupted);
	init_completion(&w->go);
	return w;
}

static struct waiter *run_waiter(struct kunit *test, struct waiter *w)
{
	w->task = run_thread(test, w->wg, waiter_fn, w, "waiter");
	return w;
}

/* @arg: WAIT_TIMEOUT's timeout in jiffies. */
static struct waiter *start_waiter(struct kunit *test, struct waitgroup *wg,
				   enum waiter_kind kind, long arg)
{
	struct waiter *w = new_waiter(test, wg, kind);

	w->arg = arg;
	return run_waiter(test, w);
}

/* A WAIT_CORE waiter with @flags, a new call. */
static struct waiter *start_core_waiter(struct kunit *test,
					struct waitgroup *wg,
					unsigned int flags)
{
	struct waiter *w = new_waiter(test, wg, WAIT_CORE);

	w->flags = flags;
	return run_waiter(test, w);
}

/* Wait (10 s at most) for the waiter to return. */
static bool finish_waiter(struct waiter *w)
{
	return wait_for_completion_timeout(&w->done, 10 * HZ);
}

/* A kthread whose add waits for room. */
struct room_adder {
	struct waitgroup *wg;
	int delta;
	int ret;
	struct completion done;
	struct task_struct *task;
};

static int room_adder_fn(void *data)
{
	struct room_adder *a = data;

	allow_signal(SIGKILL);
	a->ret = waitgroup_add_killable(a->wg, a->delta);
	complete(&a->done);
	idle_until_stopped();
	return 0;
}

static struct room_adder *start_room_adder(struct kunit *test,
					   struct waitgroup *wg, int delta)
{
	struct room_adder *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	a->wg = wg;
	a->delta = delta;
	init_completion(&a->done);
	a->task = run_thread(test, wg, room_adder_fn, a, "room");
	return a;
}

static bool finish_room_adder(struct room_adder *a)
{
	return wait_for_completion_timeout(&a->done, 10 * HZ);
}

static const struct file_operations not_a_waitgroup_fops = {
	.owner = THIS_MODULE,
};

/*
 * A poller of a group: an anon-inode file (which needs no waitgroup
 * behind it, __waitgroup_poll() only hands it to the poll table), its
 * mark, and the entry its poll table queues on the group's wait queue,
 * which counts the wakes it sees.
 */
struct test_poller {
	poll_table pt;
	struct wait_queue_entry entry;
	wait_queue_head_t *head;
	struct file *file;
	struct file *queued_file;
	atomic64_t seen;
	atomic_t wakes;
	__poll_t key;
};

static int test_poller_wake(struct wait_queue_entry *entry, unsigned int mode,
			    int flags, void *key)
{
	struct test_poller *p = container_of(entry, struct test_poller, entry);

	WRITE_ONCE(p->key, key_to_poll(key));
	atomic_inc(&p->wakes);
	return 0;
}

static void test_poller_queue(struct file *file, wait_queue_head_t *head,
			      poll_table *pt)
{
	struct test_poller *p = container_of(pt, struct test_poller, pt);

	p->queued_file = file;
	p->head = head;
	add_wait_queue(head, &p->entry);
}

/* Off the wait queue before the group (allocated earlier) is freed. */
static void test_poller_free(struct kunit_resource *res)
{
	struct test_poller *p = res->data;

	if (p->head)
		remove_wait_queue(p->head, &p->entry);
	fput(p->file);
}

static struct test_poller *new_poller(struct kunit *test)
{
	struct test_poller *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	void *res;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	p->file = anon_inode_getfile("[wg-kunit-poll]", &not_a_waitgroup_fops,
				     NULL, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p->file);
	init_poll_funcptr(&p->pt, test_poller_queue);
	init_waitqueue_func_entry(&p->entry, test_poller_wake);
	atomic64_set(&p->seen, (s64)WG_UNPOLLED);
	res = kunit_alloc_resource(test, NULL, test_poller_free, GFP_KERNEL, p);
	if (!res)
		fput(p->file);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, res);
	return p;
}

/*
 * Is @p's file readable? Its first poll queues it on the group (as
 * poll() and epoll do once), the later ones only read the state.
 */
static bool poll_readable(struct kunit *test, struct waitgroup *wg,
			  struct test_poller *p)
{
	__poll_t mask = __waitgroup_poll(wg, &p->seen, p->file,
					 p->head ? NULL : &p->pt);

	KUNIT_EXPECT_TRUE(test, !mask || mask == (EPOLLIN | EPOLLRDNORM));
	return mask != 0;
}

static DEFINE_WAITGROUP(static_wg);

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
	int i;

	memset(&wg, 0xcc, sizeof(wg));
	waitgroup_init(&wg);
	KUNIT_EXPECT_EQ(test, 0LL, (long long)atomic64_read(&wg.state));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(&wg));
	KUNIT_EXPECT_EQ(test, 0, wg.error);
	KUNIT_EXPECT_EQ(test, 0U, wg.abandoned);
	KUNIT_EXPECT_EQ(test, 0, wg.cancel_error);
	KUNIT_EXPECT_EQ(test, 0U, wg.limit);
	KUNIT_EXPECT_TRUE(test, list_empty(&wg.roomers));
	KUNIT_EXPECT_TRUE(test, queue_empty(&wg));
	for (i = 0; i < WAITGROUP_RESULTS; i++) {
		KUNIT_EXPECT_EQ(test, 0, wg.results[i].error);
		KUNIT_EXPECT_EQ(test, 0U, wg.results[i].abandoned);
		KUNIT_EXPECT_FALSE(test, wg.results[i].canceled);
	}
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

static void wg_count_in_high_half(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 0x12345));
	KUNIT_EXPECT_EQ(test, 0x12345LL << 32,
			(long long)atomic64_read(&wg.state));
	KUNIT_EXPECT_EQ(test, 0x12345, state_count(&wg));
}

/*
 * The low half of the state word: the tag, which every completion moves;
 * WG_LOCKED while someone sleeps or polls on the queue or the generation
 * has an error to publish; WG_SLOW while a limit or a cancel is in force.
 * The locked completion clears both flags once nothing holds them.
 */
static void wg_low_half_holds_flags_and_tag(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct wg_snapshot snap;
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, wg_pack(0, 1), atomic64_read(&wg->state));

	/* An error to publish sends the completion through the lock. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 2));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
	KUNIT_EXPECT_EQ(test, wg_pack(1, WG_LOCKED | 1),
			atomic64_read(&wg->state));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, wg_pack(0, 2), atomic64_read(&wg->state));
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 2ULL, snap.last.generation);
	KUNIT_EXPECT_EQ(test, EIO, snap.last.error);

	/* A sleeper holds WG_LOCKED; one that gives up lets it go. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	w = start_waiter(test, wg, WAIT_INTR, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, wg_pack(3, WG_LOCKED | 2),
			atomic64_read(&wg->state));
	send_sig(SIGUSR1, w->task, 1);
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, (long)-ERESTARTSYS, w->ret);
	KUNIT_EXPECT_EQ(test, wg_pack(3, 2), atomic64_read(&wg->state));

	w = start_waiter(test, wg, WAIT_PLAIN, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_set_limit(wg, 5));
	KUNIT_EXPECT_EQ(test, wg_pack(3, WG_SLOW | WG_LOCKED | 2),
			atomic64_read(&wg->state));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_set_limit(wg, 0));
	KUNIT_EXPECT_EQ(test, wg_pack(3, WG_LOCKED | 2),
			atomic64_read(&wg->state));
	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, EIO));
	KUNIT_EXPECT_EQ(test, wg_pack(3, WG_SLOW | WG_LOCKED | 2),
			atomic64_read(&wg->state));
	/* Dones go on under a cancel; its completion clears both flags. */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -2));
	KUNIT_EXPECT_EQ(test, 1U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, wg_pack(0, 3), atomic64_read(&wg->state));
	KUNIT_EXPECT_TRUE(test, state_idle(wg));
	KUNIT_EXPECT_EQ(test, 3ULL, generation(wg));
}

/*
 * Nobody waits: each zero completes in the cmpxchg of its done, without
 * the lock, and publishes nothing; the tag it moves carries the
 * generation across 2^30 and across a multiple of WG_TAG_SYNC, where the
 * completion takes the lock once, and so publishes its (clean) result.
 */
struct tag_case {
	const char *desc;
	u64 start;
	u64 locked;
};

static const struct tag_case tag_cases[] = {
	{ "across 2^30", WG_TAG_MASK - 2, (u64)WG_TAG_MASK + 1 },
	{ "across WG_TAG_SYNC", WG_TAG_SYNC - 3, WG_TAG_SYNC },
};

static void tag_case_desc(const struct tag_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tag, tag_cases, tag_case_desc);

static void wg_lock_free_completion_and_tag_wrap(struct kunit *test)
{
	const struct tag_case *c = test->param_value;
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct wg_result res;
	u64 gen, target;
	int i;

	set_generation(&wg, c->start);
	for (i = 0; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
		KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	}
	KUNIT_EXPECT_EQ(test, c->start + 5, generation(&wg));
	KUNIT_EXPECT_EQ(test, wg_pack(0, (u32)(c->start + 5) & WG_TAG_MASK),
			atomic64_read(&wg.state));
	/* Only the locked completion wrote its slot of the ring. */
	for (gen = c->start + 1; gen <= c->start + 5; gen++)
		KUNIT_EXPECT_TRUE(test,
				  (wg.results[gen % WAITGROUP_RESULTS].generation ==
				   gen) == (gen == c->locked));
	/* Every one of them reports a clean result. */
	for (gen = c->start + 1; gen <= c->start + 5; gen++) {
		target = gen;
		KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
		KUNIT_EXPECT_EQ(test, gen, res.generation);
		KUNIT_EXPECT_EQ(test, 0, res.error);
		KUNIT_EXPECT_FALSE(test, res.canceled);
		KUNIT_EXPECT_FALSE(test, res.expired);
	}
	KUNIT_EXPECT_TRUE(test, state_idle(&wg));
}

/*
 * A generation completed without the lock has nothing in the ring: its
 * slot still holds the result of the one WAITGROUP_RESULTS before it,
 * which a call that comes back for it must not be given.
 */
static void wg_unpublished_result_is_clean(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct wg_result res;
	u64 target;
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_ASSERT_EQ(test, 0, __waitgroup_add(&wg, -1, EIO));
	for (i = 0; i < WAITGROUP_RESULTS; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
		KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	}
	KUNIT_ASSERT_EQ(test, 1ULL + WAITGROUP_RESULTS, generation(&wg));
	KUNIT_EXPECT_EQ(test, 1ULL, wg.results[1].generation);
	KUNIT_EXPECT_EQ(test, EIO, wg.results[1].error);
	target = 1 + WAITGROUP_RESULTS;
	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL + WAITGROUP_RESULTS, res.generation);
	KUNIT_EXPECT_EQ(test, 0, res.error);
	KUNIT_EXPECT_FALSE(test, res.expired);
	target = 1;
	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, 0, res.error);
	KUNIT_EXPECT_TRUE(test, res.expired);
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

/*
 * One done hands every waiter its result in the wake, whatever the kind
 * of wait, and each entry leaves the queue in its wake: a re-arm before
 * any of them runs changes nothing, and the poller queued beside them is
 * woken and stays.
 */
static void wg_one_done_hands_over_to_all(struct kunit *test)
{
	enum { N = 64 };
	static const enum waiter_kind kinds[] = {
		WAIT_PLAIN, WAIT_INTR, WAIT_KILLABLE, WAIT_TIMEOUT, WAIT_CORE,
	};
	struct waitgroup *wg = new_wg(test);
	struct test_poller *p = new_poller(test);
	struct waiter *w[N];
	bool only_poller;
	int i;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	KUNIT_ASSERT_PTR_EQ(test, &wg->wq, p->head);
	for (i = 0; i < N; i++)
		w[i] = start_waiter(test, wg, kinds[i % ARRAY_SIZE(kinds)],
				    60 * HZ);
	/* The poller shares the queue but is not a waiter. */
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, N));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&p->wakes));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
	for (i = 0; i < N; i++) {
		KUNIT_ASSERT_TRUE(test, finish_waiter(w[i]));
		if (w[i]->kind == WAIT_TIMEOUT) {
			KUNIT_EXPECT_GT(test, w[i]->ret, 0L);
			continue;
		}
		KUNIT_EXPECT_EQ(test, 0L, w[i]->ret);
		if (w[i]->kind != WAIT_CORE)
			continue;
		KUNIT_EXPECT_EQ(test, 1ULL, w[i]->res.generation);
		KUNIT_EXPECT_EQ(test, 0, w[i]->res.error);
		KUNIT_EXPECT_FALSE(test, w[i]->res.canceled);
		KUNIT_EXPECT_EQ(test, 0ULL, w[i]->target);
	}
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
	spin_lock_irq(&wg->wq.lock);
	only_poller = list_is_singular(&wg->wq.head) &&
		      list_first_entry(&wg->wq.head, struct wait_queue_entry,
				       entry) == &p->entry;
	spin_unlock_irq(&wg->wq.lock);
	KUNIT_EXPECT_TRUE(test, only_poller);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&p->wakes));
	KUNIT_EXPECT_EQ(test, EPOLLIN | EPOLLRDNORM, READ_ONCE(p->key));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
}

/*
 * Concurrency: kthreads hammering one group.
 */
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

	struct waitgroup_totals t;

	run_hammers(test, hammer_pairs, wg, 4, 20000);
	/* Lock-free dones and completions: not one task is missed. */
	waitgroup_totals(wg, &t);
	KUNIT_EXPECT_EQ(test, 4ULL * 20000, t.done);
	KUNIT_EXPECT_EQ(test, 0ULL, t.failed);
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

static void wg_fdget_bad_fd(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EBADF), waitgroup_fdget(-1));
	KUNIT_EXPECT_PTR_EQ(test, ERR_PTR(-EBADF), waitgroup_fdget(INT_MAX));
}

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
	w = start_core_waiter(test, wg, 0);
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
	KUNIT_EXPECT_FALSE(test, w->res.canceled);
	KUNIT_EXPECT_FALSE(test, w->res.expired);
	KUNIT_EXPECT_EQ(test, 0ULL, w->target);
}

static void wg_result_error_of_own_generation(struct kunit *test)
{
	wg_result_of_own_generation(test, false);
}

static void wg_result_abandoned_of_own_generation(struct kunit *test)
{
	wg_result_of_own_generation(test, true);
}

/*
 * A batch's totals span its generations: a failure in the first is still
 * there after the third completed clean, until a reset starts a new batch.
 */
static void wg_totals_span_generations(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct waitgroup_totals t;
	struct wg_result res;
	u64 target = 0;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(&wg, -1, EPIPE));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 2));
	KUNIT_EXPECT_EQ(test, 1U, __waitgroup_abandon(&wg, 1));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(&wg, -1, EIO));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 3));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, -3));
	/* Refused: not a task done. */
	KUNIT_EXPECT_EQ(test, -ERANGE, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 3ULL, res.generation);
	KUNIT_EXPECT_EQ(test, 0, res.error);
	waitgroup_totals(&wg, &t);
	KUNIT_EXPECT_EQ(test, 5ULL, t.done);
	KUNIT_EXPECT_EQ(test, 2ULL, t.failed);
	KUNIT_EXPECT_EQ(test, 1ULL, t.abandoned);
	KUNIT_EXPECT_EQ(test, EPIPE, t.error);
	/* Read and zeroed in one step; the generations go on. */
	waitgroup_totals_reset(&wg, &t);
	KUNIT_EXPECT_EQ(test, 5ULL, t.done);
	KUNIT_EXPECT_EQ(test, EPIPE, t.error);
	waitgroup_totals(&wg, &t);
	KUNIT_EXPECT_EQ(test, 0ULL, t.done);
	KUNIT_EXPECT_EQ(test, 0ULL, t.failed);
	KUNIT_EXPECT_EQ(test, 0ULL, t.abandoned);
	KUNIT_EXPECT_EQ(test, 0, t.error);
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 1U, __waitgroup_abandon(&wg, 5));
	waitgroup_totals(&wg, &t);
	KUNIT_EXPECT_EQ(test, 0ULL, t.done);
	KUNIT_EXPECT_EQ(test, 1ULL, t.abandoned);
	KUNIT_EXPECT_EQ(test, EOWNERDEAD, t.error);
	KUNIT_EXPECT_EQ(test, 4ULL, generation(&wg));
}

/* A wait that finds the counter at zero reports the last generation. */
static void wg_result_at_zero_is_last(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct wg_result res;
	u64 target = 0;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 2));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(&wg, -1, EPIPE));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, res.error);
	KUNIT_EXPECT_EQ(test, 0U, res.abandoned);
	KUNIT_EXPECT_FALSE(test, res.canceled);
	KUNIT_EXPECT_FALSE(test, res.expired);
	KUNIT_EXPECT_EQ(test, 0ULL, target);
	/* Nonzero and no time to wait: the wait gives up, and is not queued. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_TRUE(test, queue_empty(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
}

/*
 * The ring: a group at generation @start completes ten more, each with
 * its own result (error k; the odd ones abandon an add; the fifth is
 * canceled with EPIPE). A call that comes back for one of them gets its
 * own result while it is among the last WAITGROUP_RESULTS, and the
 * explicit expired flag once it has left, exactly at the boundary.
 */
struct ring_case {
	const char *desc;
	u64 start;
};

static const struct ring_case ring_cases[] = {
	{ "from generation 0", 0 },
	{ "across 2^32", (1ULL << 32) - 4 },
	{ "from 2^40+3", (1ULL << 40) + 3 },
};

static void ring_case_desc(const struct ring_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ring, ring_cases, ring_case_desc);

static void wg_ring_keeps_recent_results(struct kunit *test)
{
	enum { K = WAITGROUP_RESULTS + 2, CANCELED = K - 1 };
	const struct ring_case *c = test->param_value;
	DEFINE_WAITGROUP_ONSTACK(wg);
	u64 last = c->start + K, target;
	struct wg_result res;
	int k;

	set_generation(&wg, c->start);
	for (k = 1; k <= K; k++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 2));
		KUNIT_ASSERT_EQ(test, 0, __waitgroup_add(&wg, -1, k));
		if (k == CANCELED)
			KUNIT_ASSERT_TRUE(test, waitgroup_cancel(&wg, EPIPE));
		if (k % 2)
			KUNIT_ASSERT_EQ(test, 1U, __waitgroup_abandon(&wg, 1));
		else
			KUNIT_ASSERT_EQ(test, 0, waitgroup_done(&wg));
	}
	KUNIT_ASSERT_EQ(test, last, generation(&wg));
	/* Re-armed: each call below returns at once for its target alone. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	for (k = 1; k <= K; k++) {
		bool kept = last - (c->start + k) < WAITGROUP_RESULTS;

		target = c->start + k;
		KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
		KUNIT_EXPECT_EQ(test, 0ULL, target);
		KUNIT_EXPECT_EQ(test, c->start + k, res.generation);
		/* The boundary: 2 has just left the ring, 3 is still in it. */
		KUNIT_EXPECT_TRUE(test, kept == (k > 2));
		KUNIT_EXPECT_TRUE(test, res.expired == !kept);
		KUNIT_EXPECT_EQ(test, kept ? (k == CANCELED ? EPIPE : k) : 0,
				res.error);
		KUNIT_EXPECT_EQ(test, kept ? (unsigned int)k % 2 : 0U,
				res.abandoned);
		KUNIT_EXPECT_TRUE(test, res.canceled == (kept && k == CANCELED));
	}
	/* The running generation is waited for; one beyond it is invalid. */
	target = last + 1;
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, last + 1, target);
	target = last + 2;
	KUNIT_EXPECT_EQ(test, -EINVAL, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, last + 2, target);
	target = U64_MAX;
	KUNIT_EXPECT_EQ(test, -EINVAL, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, last + 1, generation(&wg));
}

/*
 * The target in the call: written when a call returns without a result
 * (-ETIME, with or without a sleep), zeroed with a result; a call that
 * brings it back gets its own generation even after newer ones, and a new
 * call waits for the running one.
 */
static void wg_target_travels_in_the_call(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);
	struct wg_result res;
	u64 target = 0;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, target);
	KUNIT_EXPECT_EQ(test, U64_MAX, res.generation);
	/* A sleep that times out leaves the same target, and no entry. */
	KUNIT_EXPECT_EQ(test, -ETIME,
			__waitgroup_wait(&wg, NULL, TASK_UNINTERRUPTIBLE,
					 ns_to_ktime(NSEC_PER_MSEC), 0,
					 &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, target);
	KUNIT_EXPECT_TRUE(test, queue_empty(&wg));

	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(&wg, -1, EIO));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, 2ULL, generation(&wg));

	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 0ULL, target);
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EIO, res.error);
	KUNIT_EXPECT_FALSE(test, res.expired);
	/* Once more: the ring still has it. */
	target = 1;
	KUNIT_EXPECT_EQ(test, 0, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EIO, res.error);
	/* A new call: the running generation, 3. */
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 3ULL, target);
	target = 4;
	KUNIT_EXPECT_EQ(test, -EINVAL, test_wait(&wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 4ULL, target);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
}

/*
 * A call with the running generation as its target sleeps until that
 * generation completes, even from a polled file whose mark is behind (a
 * new call from it returns the unreported completion at once).
 */
static void wg_target_of_running_sleeps_for_it(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	atomic64_t *seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	struct wg_result res;
	struct waiter *w;
	u64 target = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, seen);
	/* Polled at generation 0; generation 1 completes, 2 runs. */
	atomic64_set(seen, 0);
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = new_waiter(test, wg, WAIT_CORE);
	w->flags = WG_WAIT_CANCEL;
	w->seen = seen;
	w->target = 2;
	run_waiter(test, w);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	/* A new call of the file: generation 1, unreported. */
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, seen, WG_WAIT_CANCEL, &target,
					   &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EIO, res.error);
	KUNIT_EXPECT_EQ(test, 1LL, (long long)atomic64_read(seen));
	KUNIT_EXPECT_FALSE(test, completion_done(&w->done));
	KUNIT_EXPECT_EQ(test, 1U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EPIPE));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 0ULL, w->target);
	KUNIT_EXPECT_EQ(test, 2ULL, w->res.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, w->res.error);
	KUNIT_EXPECT_EQ(test, 2LL, (long long)atomic64_read(seen));
}

/*
 * A call that a signal interrupts leaves its target (the generation it
 * slept in); the same call again is a restart. @complete_first: that
 * generation and a newer one complete before the restart, which returns
 * the older one's result at once; else the restart sleeps for it.
 */
static void wg_restart(struct kunit *test, bool complete_first)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *w;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	w = new_waiter(test, wg, WAIT_RESTART);
	w->flags = WG_WAIT_CANCEL;
	run_waiter(test, w);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
	send_sig(SIGUSR1, w->task, 1);
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&w->interrupted, 10 * HZ));
	KUNIT_EXPECT_EQ(test, (long)-ERESTARTSYS, w->ret1);
	KUNIT_EXPECT_EQ(test, 1ULL, w->target1);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
	if (complete_first) {
		KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
		complete(&w->go);
	} else {
		complete(&w->go);
		KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 1));
		KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
		KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
	}
	KUNIT_ASSERT_TRUE(test, finish_waiter(w));
	KUNIT_EXPECT_EQ(test, 0L, w->ret);
	KUNIT_EXPECT_EQ(test, 0ULL, w->target);
	KUNIT_EXPECT_EQ(test, 1ULL, w->res.generation);
	KUNIT_EXPECT_EQ(test, EIO, w->res.error);
	KUNIT_EXPECT_EQ(test, 2ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
}

static void wg_restart_after_completion_returns_it(struct kunit *test)
{
	wg_restart(test, true);
}

static void wg_restart_before_completion_sleeps_for_it(struct kunit *test)
{
	wg_restart(test, false);
}

/*
 * Abandonment ends a generation like a done: waiters of every kernel API
 * variant are released and the generation reports EOWNERDEAD and what was
 * abandoned.
 */
static void wg_abandon_releases_api_waiters(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct wg_snapshot snap;
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
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 1ULL, snap.last.generation);
	KUNIT_EXPECT_EQ(test, EOWNERDEAD, snap.last.error);
	KUNIT_EXPECT_EQ(test, 3U, snap.last.abandoned);
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
 * reports the generation it slept in, or it times out with that
 * generation as its target and leaves no entry on the queue; the call
 * again with that target returns it. The timeouts go from none to a few
 * hundred microseconds, around the completer's wakeup latency, so that
 * both sides win some rounds; which wins is reported, not asserted.
 */
static void wg_timeout_races_completion(struct kunit *test)
{
	enum { ROUNDS = 200 };
	struct waitgroup *wg = new_wg(test);
	struct completer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int released = 0, timed_out = 0;
	struct wg_result res;
	u64 target;
	int i, ret;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	c->wg = wg;
	c->rounds = ROUNDS;
	run_thread(test, wg, completer_fn, c, "completer");
	for (i = 1; i <= ROUNDS; i++) {
		KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
		atomic_set_release(&c->round, i);
		wake_up_var(&c->round);
		target = 0;
		ret = __waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE,
				       ns_to_ktime((i % 16) * 50 * NSEC_PER_USEC),
				       0, &target, &res);
		if (ret) {
			KUNIT_ASSERT_EQ(test, -ETIME, ret);
			KUNIT_ASSERT_EQ(test, (u64)i, target);
			timed_out++;
			/* The done still comes. */
			ret = __waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE,
					       ns_to_ktime(10 * NSEC_PER_SEC),
					       0, &target, &res);
			KUNIT_ASSERT_EQ(test, 0, ret);
		} else {
			released++;
		}
		KUNIT_ASSERT_EQ(test, 0ULL, target);
		KUNIT_ASSERT_EQ(test, (u64)i, res.generation);
		KUNIT_ASSERT_EQ(test, (u64)i, generation(wg));
		KUNIT_ASSERT_TRUE(test, state_idle(wg));
		KUNIT_ASSERT_TRUE(test, queue_empty(wg));
	}
	KUNIT_EXPECT_EQ(test, 0, c->failures);
	kunit_info(test, "%u waits released by the completion, %u timed out first\n",
		   released, timed_out);
}

static void wg_limit_refuses_and_slows(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_EXPECT_EQ(test, -EINVAL,
			waitgroup_set_limit(&wg, (unsigned int)INT_MAX + 1));
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

/* An add that may wait, but not long enough, or can never fit. */
static void wg_add_wait_gives_up_or_refuses(struct kunit *test)
{
	DEFINE_WAITGROUP_ONSTACK(wg);

	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(&wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(&wg, 1));
	KUNIT_EXPECT_EQ(test, -ETIME,
			__waitgroup_add_wait(&wg, 1, TASK_KILLABLE, 0));
	KUNIT_EXPECT_EQ(test, -ETIME,
			__waitgroup_add_wait(&wg, 1, TASK_KILLABLE,
					     ns_to_ktime(NSEC_PER_MSEC)));
	KUNIT_EXPECT_EQ(test, 0U, room_waiters(&wg));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			__waitgroup_add_wait(&wg, 2, TASK_KILLABLE, KTIME_MAX));
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(&wg));
	/* A delta that is not positive never waits. */
	KUNIT_EXPECT_EQ(test, 0,
			__waitgroup_add_wait(&wg, -1, TASK_KILLABLE, KTIME_MAX));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(&wg));
	KUNIT_EXPECT_EQ(test, 0,
			__waitgroup_add_wait(&wg, 1, TASK_KILLABLE, 0));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(&wg));
}

static void wg_add_killable_gets_the_room_a_done_makes(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct room_adder *a;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	a = start_room_adder(test, wg, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	KUNIT_EXPECT_FALSE(test, completion_done(&a->done));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a));
	KUNIT_EXPECT_EQ(test, 0, a->ret);
	/* Handed over in one step: the generation did not complete. */
	KUNIT_EXPECT_EQ(test, 1, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0U, room_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

/*
 * Adders waiting for room are served in order: a done that makes room for
 * the second (1) but not for the head (3) lets nobody in, and an add that
 * does not wait cannot pass them either; the dones that make room for the
 * head let in the head alone, before the counter can reach zero.
 */
static void wg_room_goes_to_the_head_first(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct room_adder *a, *b;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 3));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	a = start_room_adder(test, wg, 3);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	b = start_room_adder(test, wg, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 2));

	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 2, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 2U, room_waiters(wg));
	KUNIT_EXPECT_EQ(test, -EAGAIN, waitgroup_add(wg, 1));
	KUNIT_EXPECT_FALSE(test, completion_done(&a->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&b->done));

	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a));
	KUNIT_EXPECT_EQ(test, 0, a->ret);
	KUNIT_EXPECT_EQ(test, 3, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 1U, room_waiters(wg));
	KUNIT_EXPECT_FALSE(test, completion_done(&b->done));

	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_room_adder(b));
	KUNIT_EXPECT_EQ(test, 0, b->ret);
	KUNIT_EXPECT_EQ(test, 3, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0U, room_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -3));
	KUNIT_EXPECT_EQ(test, 1ULL, generation(wg));
}

/* A head that gives up lets in those behind it that now fit. */
static void wg_room_head_leaving_lets_the_next_in(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct room_adder *a, *b;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 2));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	a = start_room_adder(test, wg, 2);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	b = start_room_adder(test, wg, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 2));
	send_sig(SIGKILL, a->task, 1);
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a));
	KUNIT_EXPECT_EQ(test, -ERESTARTSYS, a->ret);
	KUNIT_ASSERT_TRUE(test, finish_room_adder(b));
	KUNIT_EXPECT_EQ(test, 0, b->ret);
	KUNIT_EXPECT_EQ(test, 2, waitgroup_count(wg));
	KUNIT_EXPECT_EQ(test, 0U, room_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -2));
}

/*
 * A cancel releases at once the cancelable waits (userspace's,
 * WG_WAIT_CANCEL) and fails the adders waiting for room; the kernel API's
 * waits sleep on until the counter drains, and then get the canceled
 * result too.
 */
static void wg_cancel_releases_cancelable_only(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *intr, *kern, *cancelable;
	struct wg_snapshot snap;
	struct room_adder *a;
	struct wg_result res;
	u64 target = 0;

	KUNIT_EXPECT_FALSE(test, waitgroup_cancel(wg, 0));	/* at zero */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	intr = start_waiter(test, wg, WAIT_INTR, 0);
	kern = start_core_waiter(test, wg, 0);
	cancelable = start_core_waiter(test, wg, WG_WAIT_CANCEL);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 3));
	a = start_room_adder(test, wg, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, EHOSTDOWN));
	KUNIT_EXPECT_FALSE(test, waitgroup_cancel(wg, EIO));	/* already */

	KUNIT_ASSERT_TRUE(test, finish_waiter(cancelable));
	KUNIT_EXPECT_EQ(test, 0L, cancelable->ret);
	KUNIT_EXPECT_EQ(test, 0ULL, cancelable->target);
	KUNIT_EXPECT_EQ(test, 1ULL, cancelable->res.generation);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, cancelable->res.error);
	KUNIT_EXPECT_TRUE(test, cancelable->res.canceled);
	KUNIT_EXPECT_FALSE(test, cancelable->res.expired);
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a));
	KUNIT_EXPECT_EQ(test, -ECANCELED, a->ret);
	KUNIT_EXPECT_EQ(test, 2U, state_waiters(wg));
	KUNIT_EXPECT_FALSE(test, completion_done(&intr->done));
	KUNIT_EXPECT_FALSE(test, completion_done(&kern->done));
	KUNIT_EXPECT_EQ(test, -ECANCELED, waitgroup_add(wg, 1));
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, snap.cancel_error);
	KUNIT_EXPECT_EQ(test, 0U, snap.room_waiters);

	/* New calls: a cancelable one returns at once, a kernel one would sleep. */
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, NULL, WG_WAIT_CANCEL, &target,
					   &res));
	KUNIT_EXPECT_EQ(test, 1ULL, res.generation);
	KUNIT_EXPECT_TRUE(test, res.canceled);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, res.error);
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(wg, NULL, 0, &target, &res));
	KUNIT_EXPECT_EQ(test, 1ULL, target);

	/* The counter drains; its zero completes the canceled generation. */
	KUNIT_EXPECT_EQ(test, 0ULL, generation(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(intr));
	KUNIT_ASSERT_TRUE(test, finish_waiter(kern));
	KUNIT_EXPECT_EQ(test, 0L, intr->ret);
	KUNIT_EXPECT_EQ(test, 0L, kern->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, kern->res.generation);
	KUNIT_EXPECT_TRUE(test, kern->res.canceled);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, kern->res.error);
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 1ULL, snap.last.generation);
	KUNIT_EXPECT_TRUE(test, snap.last.canceled);
	KUNIT_EXPECT_EQ(test, EHOSTDOWN, snap.last.error);
	KUNIT_EXPECT_EQ(test, 0, snap.cancel_error);
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));	/* clean again */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
}

/*
 * WG_WAIT_COE: the first error reported while such a wait sleeps cancels
 * the generation and releases it; one that starts after an error cancels
 * at once. The kernel API's wait beside it waits for the drain.
 */
static void wg_coe_error_cancels(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct waiter *coe, *kern;
	struct wg_result res;
	u64 target = 0;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 2));
	coe = start_core_waiter(test, wg, WG_WAIT_COE);
	kern = start_core_waiter(test, wg, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 2));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
	KUNIT_ASSERT_TRUE(test, finish_waiter(coe));
	KUNIT_EXPECT_EQ(test, 0L, coe->ret);
	KUNIT_EXPECT_EQ(test, 1ULL, coe->res.generation);
	KUNIT_EXPECT_EQ(test, EIO, coe->res.error);
	KUNIT_EXPECT_TRUE(test, coe->res.canceled);
	KUNIT_EXPECT_EQ(test, -ECANCELED, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 1U, state_waiters(wg));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_TRUE(test, finish_waiter(kern));
	KUNIT_EXPECT_EQ(test, 1ULL, kern->res.generation);
	KUNIT_EXPECT_EQ(test, EIO, kern->res.error);
	KUNIT_EXPECT_TRUE(test, kern->res.canceled);

	/* An error with nobody to cancel for it; then a COE wait comes. */
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 2));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EPIPE));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, NULL, WG_WAIT_COE, &target,
					   &res));
	KUNIT_EXPECT_EQ(test, 2ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, res.error);
	KUNIT_EXPECT_TRUE(test, res.canceled);
	KUNIT_EXPECT_EQ(test, -ECANCELED, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_add(wg, -2));
	KUNIT_EXPECT_EQ(test, 2ULL, generation(wg));
}

/*
 * The poll mark: a file never polled follows Go's rule strictly; its
 * first poll sets the mark to the last completed generation; it is
 * readable while the counter is zero, while the group is canceled, and
 * while a generation completed after the mark, which its next new wait
 * returns (the newest) and which raises the mark. Every completion and the
 * cancel wake the poller.
 */
static void wg_poll_mark(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct test_poller *p = new_poller(test);
	u64 target = 0, fresh = 0;
	struct wg_result res;
	int wakes;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	/* Unpolled: generations before the call do not count. */
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
						&target, &res));
	KUNIT_EXPECT_EQ(test, 3ULL, target);
	KUNIT_EXPECT_EQ(test, (s64)WG_UNPOLLED, atomic64_read(&p->seen));

	/* The first poll: queued once, marked at 2, not readable. */
	target = 0;
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	KUNIT_ASSERT_PTR_EQ(test, &wg->wq, p->head);
	KUNIT_EXPECT_PTR_EQ(test, p->file, p->queued_file);
	KUNIT_EXPECT_EQ(test, 2LL, (long long)atomic64_read(&p->seen));
	KUNIT_EXPECT_EQ(test, 0U, state_waiters(wg));

	/* Generation 3 completes: woken, readable, even once re-armed. */
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EIO));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&p->wakes));
	KUNIT_EXPECT_EQ(test, EPOLLIN | EPOLLRDNORM, READ_ONCE(p->key));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	/* Its next new wait returns it at once and raises the mark. */
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
					   &target, &res));
	KUNIT_EXPECT_EQ(test, 3ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EIO, res.error);
	KUNIT_EXPECT_EQ(test, 0ULL, target);
	KUNIT_EXPECT_EQ(test, 3LL, (long long)atomic64_read(&p->seen));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	KUNIT_EXPECT_EQ(test, -ETIME, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
						&target, &res));
	KUNIT_EXPECT_EQ(test, 4ULL, target);

	/* Two completions unreported: a new wait returns the newest. */
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 0, __waitgroup_add(wg, -1, EPIPE));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_EQ(test, 3, atomic_read(&p->wakes));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
					   &fresh, &res));
	KUNIT_EXPECT_EQ(test, 5ULL, res.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, res.error);
	KUNIT_EXPECT_EQ(test, 5LL, (long long)atomic64_read(&p->seen));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	/* The call that comes back for 4 gets 4; the mark does not go back. */
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
					   &target, &res));
	KUNIT_EXPECT_EQ(test, 4ULL, res.generation);
	KUNIT_EXPECT_EQ(test, 0, res.error);
	KUNIT_EXPECT_EQ(test, 0ULL, target);
	KUNIT_EXPECT_EQ(test, 5LL, (long long)atomic64_read(&p->seen));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));

	/*
	 * A cancel wakes and makes readable; the wait it releases reports
	 * the running generation, 6, which its completion then does not
	 * report again once the counter is no longer zero.
	 */
	wakes = atomic_read(&p->wakes);
	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, ESHUTDOWN));
	KUNIT_EXPECT_EQ(test, wakes + 1, atomic_read(&p->wakes));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	KUNIT_EXPECT_EQ(test, 0, test_wait(wg, &p->seen, WG_WAIT_CANCEL,
					   &target, &res));
	KUNIT_EXPECT_EQ(test, 6ULL, res.generation);
	KUNIT_EXPECT_TRUE(test, res.canceled);
	KUNIT_EXPECT_EQ(test, ESHUTDOWN, res.error);
	KUNIT_EXPECT_EQ(test, 6LL, (long long)atomic64_read(&p->seen));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
	KUNIT_EXPECT_EQ(test, wakes + 2, atomic_read(&p->wakes));
	KUNIT_EXPECT_TRUE(test, poll_readable(test, wg, p));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 1));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	KUNIT_EXPECT_EQ(test, 0, waitgroup_done(wg));
}

/*
 * The snapshot: the counter, the limit, the sleeping waiters (not the
 * pollers beside them), the adders waiting for room, the cancel and the
 * last completed generation's result, all read under one lock.
 */
static void wg_snapshot_counts(struct kunit *test)
{
	struct waitgroup *wg = new_wg(test);
	struct test_poller *p = new_poller(test);
	struct room_adder *a1, *a2;
	struct wg_snapshot snap;
	struct waiter *w1, *w2;

	KUNIT_ASSERT_EQ(test, 0, waitgroup_set_limit(wg, 3));
	KUNIT_ASSERT_EQ(test, 0, waitgroup_add(wg, 3));
	KUNIT_EXPECT_FALSE(test, poll_readable(test, wg, p));
	w1 = start_core_waiter(test, wg, 0);
	w2 = start_waiter(test, wg, WAIT_PLAIN, 0);
	KUNIT_ASSERT_TRUE(test, wait_for_waiters(wg, 2));
	a1 = start_room_adder(test, wg, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 1));
	a2 = start_room_adder(test, wg, 2);
	KUNIT_ASSERT_TRUE(test, wait_for_room_waiters(wg, 2));
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 3, snap.count);
	KUNIT_EXPECT_EQ(test, 2U, snap.waiters);
	KUNIT_EXPECT_EQ(test, 3U, snap.limit);
	KUNIT_EXPECT_EQ(test, 2U, snap.room_waiters);
	KUNIT_EXPECT_EQ(test, 0, snap.cancel_error);
	KUNIT_EXPECT_EQ(test, 0ULL, snap.last.generation);

	KUNIT_EXPECT_TRUE(test, waitgroup_cancel(wg, EPIPE));
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a1));
	KUNIT_ASSERT_TRUE(test, finish_room_adder(a2));
	KUNIT_EXPECT_EQ(test, -ECANCELED, a1->ret);
	KUNIT_EXPECT_EQ(test, -ECANCELED, a2->ret);
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 3, snap.count);
	KUNIT_EXPECT_EQ(test, 2U, snap.waiters);
	KUNIT_EXPECT_EQ(test, 0U, snap.room_waiters);
	KUNIT_EXPECT_EQ(test, EPIPE, snap.cancel_error);

	KUNIT_EXPECT_EQ(test, 3U, __waitgroup_abandon(wg, UINT_MAX));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w1));
	KUNIT_ASSERT_TRUE(test, finish_waiter(w2));
	__waitgroup_snapshot(wg, &snap);
	KUNIT_EXPECT_EQ(test, 0, snap.count);
	KUNIT_EXPECT_EQ(test, 0U, snap.waiters);
	KUNIT_EXPECT_EQ(test, 3U, snap.limit);
	KUNIT_EXPECT_EQ(test, 0U, snap.room_waiters);
	KUNIT_EXPECT_EQ(test, 0, snap.cancel_error);
	KUNIT_EXPECT_EQ(test, 1ULL, snap.last.generation);
	KUNIT_EXPECT_EQ(test, EPIPE, snap.last.error);
	KUNIT_EXPECT_EQ(test, 3U, snap.last.abandoned);
	KUNIT_EXPECT_TRUE(test, snap.last.canceled);
	KUNIT_EXPECT_FALSE(test, snap.last.expired);
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&p->wakes));
}

static struct kunit_case waitgroup_cases[] = {
	KUNIT_CASE(wg_define_starts_at_zero),
	KUNIT_CASE(wg_init_resets),
	KUNIT_CASE_PARAM(wg_add_table, add_gen_params),
	KUNIT_CASE(wg_done_at_zero_changes_nothing),
	KUNIT_CASE(wg_each_zero_is_a_generation),
	KUNIT_CASE(wg_count_in_high_half),
	KUNIT_CASE(wg_low_half_holds_flags_and_tag),
	KUNIT_CASE_PARAM(wg_lock_free_completion_and_tag_wrap, tag_gen_params),
	KUNIT_CASE(wg_unpublished_result_is_clean),
	KUNIT_CASE(wg_wait_at_zero_returns),
	KUNIT_CASE(wg_timeout_expires),
	KUNIT_CASE(wg_timeout_released_by_done),
	KUNIT_CASE(wg_long_timeout_released_by_done),
	KUNIT_CASE(wg_interruptible_by_signal),
	KUNIT_CASE(wg_interruptible_completes),
	KUNIT_CASE(wg_killable_ignores_other_signals),
	KUNIT_CASE(wg_last_done_releases_all),
	KUNIT_CASE(wg_rearm_does_not_strand),
	KUNIT_CASE(wg_one_done_hands_over_to_all),
	KUNIT_CASE(wg_result_error_of_own_generation),
	KUNIT_CASE(wg_result_abandoned_of_own_generation),
	KUNIT_CASE(wg_result_at_zero_is_last),
	KUNIT_CASE(wg_totals_span_generations),
	KUNIT_CASE_PARAM(wg_ring_keeps_recent_results, ring_gen_params),
	KUNIT_CASE(wg_target_travels_in_the_call),
	KUNIT_CASE(wg_target_of_running_sleeps_for_it),
	KUNIT_CASE(wg_restart_after_completion_returns_it),
	KUNIT_CASE(wg_restart_before_completion_sleeps_for_it),
	KUNIT_CASE(wg_abandon_releases_api_waiters),
	KUNIT_CASE(wg_timeout_races_completion),
	KUNIT_CASE(wg_concurrent_pairs),
	KUNIT_CASE(wg_concurrent_adds_then_dones),
	KUNIT_CASE(wg_concurrent_overflow_is_exact),
	KUNIT_CASE(wg_limit_refuses_and_slows),
	KUNIT_CASE(wg_add_wait_gives_up_or_refuses),
	KUNIT_CASE(wg_add_killable_gets_the_room_a_done_makes),
	KUNIT_CASE(wg_room_goes_to_the_head_first),
	KUNIT_CASE(wg_room_head_leaving_lets_the_next_in),
	KUNIT_CASE(wg_cancel_releases_cancelable_only),
	KUNIT_CASE(wg_coe_error_cancels),
	KUNIT_CASE(wg_poll_mark),
	KUNIT_CASE(wg_snapshot_counts),
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
