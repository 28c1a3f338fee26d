// SPDX-License-Identifier: GPL-2.0
/*
 * The waitgroup primitive: Go's sync.WaitGroup with kernel rules.
 *
 * State is one atomic64_t, as in Go: the counter in the high 32 bits, the
 * number of sleeping waiters in the low 32. The wait-queue lock serialises
 * the transitions that matter to a waiter; everything else is lock-free.
 *
 * Why no wakeup is lost
 * ---------------------
 * 1. The counter only ever reaches zero inside wg_update_locked(), with
 *    wq.lock held. In that same critical section the generation is
 *    incremented and every sleeper on wq is woken. The lock-free path in
 *    __waitgroup_add() refuses any update whose result is zero and retries
 *    it under the lock, so "counter became zero" and "new generation
 *    started" are one atomic step as seen by anyone holding wq.lock.
 * 2. A waiter decides to sleep in wg_wait_begin(), also under wq.lock: it
 *    sees a nonzero counter, samples the generation G and registers itself
 *    in the low half of the state. The completion that ends generation G
 *    therefore takes wq.lock after this point.
 * 3. The waiter then sleeps with a wait_event_*() macro on the condition
 *    "generation != G". Those macros queue the waiter with
 *    prepare_to_wait_event(), which takes wq.lock, and only then test the
 *    condition. Either the completion's critical section came first, and
 *    the waiter, having taken the same lock, sees the new generation and
 *    does not sleep; or it comes later, finds the waiter queued and wakes
 *    it. poll() queues through poll_wait() before reading the state, so the
 *    same argument covers poll, epoll and select.
 * 4. A re-arm (0 -> n) right after the completion cannot strand anyone:
 *    waiters test the generation, which only grows, never the counter.
 *
 * Lock-free updates that cannot reach zero (n -> m, both nonzero, or
 * 0 -> n) need no wakeup: nobody waits for them. They race with waiter
 * registration only through cmpxchg on the same word, which retries.
 *
 * Design choice, against the alternative the contract names (a generation
 * tag in the low half): the tag would make completion lock-free, but the
 * waiter count and the tag would share 32 bits, and the generation's error
 * and abandoned count would still need publishing with the same atomicity.
 * What the lock costs, counted instruction by instruction under QEMU (see
 * the README's Performance section): a DONE that completes a generation
 * runs about 116 more kernel instructions than one that does not (lock,
 * unlock, publishing the result); an ADD+DONE pair through the ioctl path
 * costs about 1.2-1.3x two null ioctls, of which the lock is a third. A
 * lock-free completion that does not also move the generation in the same
 * cmpxchg would let a waiter arriving after a re-arm be released by the
 * old generation, so it is not a shortcut worth taking.
 */
#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "wg_internal.h"

#define WG_COUNT_SHIFT	32

static inline int wg_count(s64 state)
{
	return (int)((u64)state >> WG_COUNT_SHIFT);
}

static inline unsigned int wg_waiters(s64 state)
{
	return (u32)state;
}

static inline s64 wg_pack(int count, unsigned int waiters)
{
	return (s64)(((u64)(u32)count << WG_COUNT_SHIFT) | waiters);
}

/* The new counter for @count + @delta, or -ERANGE / -EOVERFLOW. */
static int wg_new_count(int count, int delta, int *res)
{
	s64 sum = (s64)count + delta;

	if (sum < 0)
		return -ERANGE;
	if (sum > S32_MAX)
		return -EOVERFLOW;
	*res = (int)sum;
	return 0;
}

/* A generation has ended: publish its result and release every waiter. */
static void wg_complete_locked(struct waitgroup *wg)
{
	lockdep_assert_held(&wg->wq.lock);

	wg->last_error = wg->error;
	wg->last_abandoned = wg->abandoned;
	wg->error = 0;
	wg->abandoned = 0;
	atomic64_inc(&wg->generation);
	/* Sleepers and pollers queue under this lock, so this test is exact. */
	if (waitqueue_active(&wg->wq))
		wake_up_locked_poll(&wg->wq, EPOLLIN | EPOLLRDNORM);
}

/*
 * Apply @delta under wq.lock. Lock-free updates may still run beside us,
 * but none of them can reach zero, so the cmpxchg loop converges and only
 * we can complete the generation.
 */
static int wg_update_locked(struct waitgroup *wg, int delta, int error,
			    unsigned int abandoned)
{
	s64 old = atomic64_read(&wg->state);
	s64 new;
	int count;
	int ret;

	lockdep_assert_held(&wg->wq.lock);

	do {
		ret = wg_new_count(wg_count(old), delta, &count);
		if (ret)
			return ret;
		/* Reaching zero also releases every registered waiter. */
		new = count ? wg_pack(count, wg_waiters(old)) : 0;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, new));

	if (error && !wg->error)
		wg->error = error;
	/* Saturates: a generation can abandon more adds than fit in 32 bits. */
	wg->abandoned = min_t(u64, (u64)wg->abandoned + abandoned, U32_MAX);
	if (!count && wg_count(old))
		wg_complete_locked(wg);
	return 0;
}

/**
 * __waitgroup_add() - add @delta, reporting @error for a failed task
 * @wg: the waitgroup
 * @delta: amount to add, may be negative
 * @error: nonzero to record as the generation's error if it is the first
 *
 * Context: Any context.
 * Return: 0, -ERANGE if the counter would go negative or -EOVERFLOW if it
 * would pass INT_MAX; nothing changes on failure.
 */
int __waitgroup_add(struct waitgroup *wg, int delta, int error)
{
	unsigned long flags;
	s64 old, new;
	int count;
	int ret;

	if (!delta && !error)
		return 0;

	/* Fast path: an update that does not reach zero wakes nobody. */
	old = atomic64_read(&wg->state);
	while (!error) {
		ret = wg_new_count(wg_count(old), delta, &count);
		if (ret)
			return ret;
		if (!count)
			break;
		new = wg_pack(count, wg_waiters(old));
		if (atomic64_try_cmpxchg(&wg->state, &old, new))
			return 0;
	}

	spin_lock_irqsave(&wg->wq.lock, flags);
	ret = wg_update_locked(wg, delta, error, 0);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return ret;
}

/**
 * __waitgroup_abandon() - undo up to @n adds whose holder went away
 * @wg: the waitgroup
 * @n: adds to undo
 *
 * Subtracts min(@n, counter), counts it as abandoned in the running
 * generation and records EOWNERDEAD as its error if it has none.
 *
 * Context: Any context.
 * Return: how many adds were undone.
 */
unsigned int __waitgroup_abandon(struct waitgroup *wg, unsigned int n)
{
	unsigned long flags;
	unsigned int undo;

	spin_lock_irqsave(&wg->wq.lock, flags);
	/* Only lock-free decrements can race; they never pass zero. */
	undo = min_t(unsigned int, n, wg_count(atomic64_read(&wg->state)));
	while (undo && wg_update_locked(wg, -(int)undo, EOWNERDEAD, undo))
		undo = min_t(unsigned int, n, wg_count(atomic64_read(&wg->state)));
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return undo;
}

/**
 * waitgroup_init() - initialise a waitgroup with counter 0
 * @wg: the waitgroup
 *
 * Context: Any context; @wg must not be in use.
 */
void waitgroup_init(struct waitgroup *wg)
{
	atomic64_set(&wg->state, 0);
	atomic64_set(&wg->generation, 0);
	init_waitqueue_head(&wg->wq);
	wg->error = 0;
	wg->abandoned = 0;
	wg->last_error = 0;
	wg->last_abandoned = 0;
}
EXPORT_SYMBOL_NS_GPL(waitgroup_init, WG_SYMBOL_NS);

/**
 * waitgroup_add() - move the counter by @delta
 * @wg: the waitgroup
 * @delta: amount to add, may be negative
 *
 * When the counter reaches zero every waiter is released and a new
 * generation begins.
 *
 * Context: Any context.
 * Return: 0; -ERANGE if the counter would become negative or -EOVERFLOW if
 * it would pass INT_MAX, and then nothing has changed.
 */
int waitgroup_add(struct waitgroup *wg, int delta)
{
	return __waitgroup_add(wg, delta, 0);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_add, WG_SYMBOL_NS);

/**
 * waitgroup_done() - one task has finished: waitgroup_add(@wg, -1)
 * @wg: the waitgroup
 *
 * Context: Any context.
 * Return: 0, or -ERANGE if the counter was already zero.
 */
int waitgroup_done(struct waitgroup *wg)
{
	return __waitgroup_add(wg, -1, 0);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_done, WG_SYMBOL_NS);

/**
 * waitgroup_count() - the counter right now
 * @wg: the waitgroup
 *
 * Context: Any context.
 * Return: the counter, which may change as soon as it is read.
 */
int waitgroup_count(struct waitgroup *wg)
{
	return wg_count(atomic64_read(&wg->state));
}
EXPORT_SYMBOL_NS_GPL(waitgroup_count, WG_SYMBOL_NS);

/* The number of completed generations. */
u64 waitgroup_generation(struct waitgroup *wg)
{
	return atomic64_read(&wg->generation);
}

/*
 * Decide, under wq.lock, whether to sleep. Returns false when there is
 * nothing to wait for: the counter is zero, or (with @since) a generation
 * after *@gen has already completed. Otherwise registers a waiter, stores
 * the running generation in *@gen and returns true.
 */
static bool wg_wait_begin(struct waitgroup *wg, u64 *gen, bool since)
{
	unsigned long flags;
	bool sleep = false;
	u64 cur;

	spin_lock_irqsave(&wg->wq.lock, flags);
	cur = atomic64_read(&wg->generation);
	if (wg_count(atomic64_read(&wg->state)) && (!since || cur == *gen)) {
		atomic64_inc(&wg->state);	/* one more waiter */
		*gen = cur;
		sleep = true;
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return sleep;
}

static inline bool wg_passed(struct waitgroup *wg, u64 gen)
{
	return atomic64_read(&wg->generation) != gen;
}

/*
 * After a sleep that ended with @ret. A wait that failed (signal, timeout)
 * unregisters itself, unless its generation completed meanwhile: then the
 * completion already dropped it from the count and the wait succeeded.
 */
static int wg_wait_end(struct waitgroup *wg, u64 gen, int ret)
{
	unsigned long flags;

	if (!ret)
		return 0;
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (wg_passed(wg, gen))
		ret = 0;
	else
		atomic64_dec(&wg->state);	/* one waiter fewer */
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return ret;
}

/**
 * waitgroup_wait() - sleep until the counter is zero
 * @wg: the waitgroup
 *
 * Returns at once if the counter is zero; otherwise once the generation
 * running now completes, even if the group is re-armed at once.
 *
 * Context: Process context; may sleep, uninterruptibly.
 */
void waitgroup_wait(struct waitgroup *wg)
{
	u64 gen;

	if (wg_wait_begin(wg, &gen, false))
		wait_event(wg->wq, wg_passed(wg, gen));
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait, WG_SYMBOL_NS);

/**
 * waitgroup_wait_interruptible() - waitgroup_wait() that a signal can end
 * @wg: the waitgroup
 *
 * Context: Process context; may sleep.
 * Return: 0 once the counter has been zero, -ERESTARTSYS on a signal.
 */
int waitgroup_wait_interruptible(struct waitgroup *wg)
{
	u64 gen;
	int ret;

	if (!wg_wait_begin(wg, &gen, false))
		return 0;
	ret = wait_event_interruptible(wg->wq, wg_passed(wg, gen));
	return wg_wait_end(wg, gen, ret);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_interruptible, WG_SYMBOL_NS);

/**
 * waitgroup_wait_killable() - waitgroup_wait() that a fatal signal can end
 * @wg: the waitgroup
 *
 * Context: Process context; may sleep.
 * Return: 0 once the counter has been zero, -ERESTARTSYS if the task is
 * being killed.
 */
int waitgroup_wait_killable(struct waitgroup *wg)
{
	u64 gen;
	int ret;

	if (!wg_wait_begin(wg, &gen, false))
		return 0;
	ret = wait_event_killable(wg->wq, wg_passed(wg, gen));
	return wg_wait_end(wg, gen, ret);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_killable, WG_SYMBOL_NS);

/**
 * waitgroup_wait_timeout() - waitgroup_wait() with a timeout
 * @wg: the waitgroup
 * @timeout: jiffies to wait at most
 *
 * Context: Process context; may sleep, uninterruptibly.
 * Return: 0 if @timeout elapsed first, otherwise the jiffies left (at
 * least 1), as wait_for_completion_timeout() does.
 */
long waitgroup_wait_timeout(struct waitgroup *wg, long timeout)
{
	long left;
	u64 gen;

	if (!wg_wait_begin(wg, &gen, false))
		return timeout ? timeout : 1;
	left = wait_event_timeout(wg->wq, wg_passed(wg, gen), timeout);
	if (!left && !wg_wait_end(wg, gen, -ETIME))
		left = 1;
	return left;
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_timeout, WG_SYMBOL_NS);

/* Sleep until @gen completes or @deadline_ns (CLOCK_MONOTONIC) passes. */
static int wg_sleep_until(struct waitgroup *wg, u64 gen, u64 deadline_ns)
{
	u64 now;

	if (deadline_ns == WG_NO_DEADLINE)
		return wait_event_interruptible(wg->wq, wg_passed(wg, gen));
	now = ktime_get_ns();
	if (deadline_ns <= now)
		return -ETIME;
	return wait_event_interruptible_hrtimeout(wg->wq, wg_passed(wg, gen),
			ns_to_ktime(min_t(u64, deadline_ns - now, KTIME_MAX)));
}

/**
 * __waitgroup_wait_since() - wait for a generation after @seen
 * @wg: the waitgroup
 * @seen: the last generation the caller has already been told about
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or WG_NO_DEADLINE
 * @res: the newest completed generation, filled on success
 *
 * Returns at once when the counter is zero or a generation after @seen has
 * completed. The deadline is absolute so that a restarted call resumes
 * rather than starts over.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ETIMEDOUT, or -ERESTARTSYS on a signal.
 */
int __waitgroup_wait_since(struct waitgroup *wg, u64 seen, u64 deadline_ns,
			   struct wg_result *res)
{
	u64 gen = seen;
	int ret;

	if (wg_wait_begin(wg, &gen, true)) {
		ret = wg_sleep_until(wg, gen, deadline_ns);
		ret = wg_wait_end(wg, gen, ret);
		if (ret)
			return ret == -ETIME ? -ETIMEDOUT : ret;
	}
	__waitgroup_snapshot(wg, NULL, NULL, res);
	return 0;
}

/**
 * __waitgroup_snapshot() - a consistent view of @wg
 * @wg: the waitgroup
 * @count: the counter, if not NULL
 * @waiters: the sleeping waiters, if not NULL
 * @res: the last completed generation
 *
 * Context: Any context.
 */
void __waitgroup_snapshot(struct waitgroup *wg, int *count,
			  unsigned int *waiters, struct wg_result *res)
{
	unsigned long flags;
	s64 state;

	spin_lock_irqsave(&wg->wq.lock, flags);
	state = atomic64_read(&wg->state);
	res->generation = atomic64_read(&wg->generation);
	res->error = wg->last_error;
	res->abandoned = wg->last_abandoned;
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	if (count)
		*count = wg_count(state);
	if (waiters)
		*waiters = wg_waiters(state);
}
