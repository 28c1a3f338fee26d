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
 *    incremented, its result is written into every record on the results
 *    list and every sleeper is woken. The lock-free path in
 *    __waitgroup_add() refuses any update whose result is zero and retries
 *    it under the lock, so "counter became zero" and "generation completed"
 *    are one atomic step as seen by anyone holding wq.lock.
 * 2. A waiter decides to sleep in __waitgroup_wait(), also under wq.lock:
 *    it sees a nonzero counter, links a record of its own on the results
 *    list and registers itself in the low half of the state. The completion
 *    that ends this generation therefore takes wq.lock after this point and
 *    finds the record.
 * 3. The waiter then sleeps with a wait_event macro on the condition
 *    "my record is done". Those macros queue the waiter with
 *    prepare_to_wait_event(), which takes wq.lock, and only then test the
 *    condition. Either the completion's critical section came first, and
 *    the waiter, having taken the same lock, sees its record done and does
 *    not sleep; or it comes later, finds the waiter queued and wakes it.
 *    The record is marked done with a release store after its result is
 *    written and read with an acquire load, so a waiter that sees it done
 *    without the lock (a signal makes the macros test the condition after
 *    dropping the lock) also sees the result; the completion touches the
 *    record no more once it is done, since the waiter may have returned.
 * 3a. A wait that a signal ends may be restarted (SA_RESTART, a stop and
 *    continue): the generation it began in must still release it. Giving
 *    up, it arms its file's latch to be filled whether or not the file is
 *    polled; the restarted wait takes the completion from there, or, if
 *    the generation is still running, waits for it itself and disarms the
 *    latch's keeping.
 * 4. A re-arm (0 -> n) right after the completion cannot strand anyone or
 *    change what it reports: a waiter tests and reads its own record, which
 *    only the completion of its own generation writes, never the counter
 *    or the generation.
 * 5. A poller queues on its file's own poll queue first, then, under
 *    wq.lock, reads the state and links the file's latch record. A
 *    completion after that finds the record and tests, under wq.lock, that
 *    the poll queue is not empty: the poller's queueing came before its own
 *    wq.lock section, so the test cannot miss it. It then fills the record
 *    and wakes the queue. A stale "not empty" (a poll that is just ending)
 *    only latches a completion the file's next wait returns.
 *
 * Lock-free updates that cannot reach zero (n -> m, both nonzero, or
 * 0 -> n) need no wakeup: nobody waits for them. They race with waiter
 * registration only through cmpxchg on the same word, which retries.
 *
 * Why completion takes a lock rather than a generation tag in the low half
 * (Documentation/core-api/waitgroup.rst, "Design"): the tag would make
 * completion lock-free, but the waiter count and the tag would share 32
 * bits, and the generation's error and abandoned count would still need
 * publishing with the same atomicity. A lock-free completion that does not
 * also move the generation in the same cmpxchg would let a waiter arriving
 * after a re-arm be released by the old generation. Only an update that
 * reaches zero takes the lock; the README's Performance section measures
 * what it costs.
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

#include "wg_core.h"

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
	struct wg_waiter *w, *next;
	struct wg_result res;

	lockdep_assert_held(&wg->wq.lock);

	wg->last_error = wg->error;
	wg->last_abandoned = wg->abandoned;
	wg->error = 0;
	wg->abandoned = 0;
	res.generation = atomic64_inc_return(&wg->generation);
	res.error = wg->last_error;
	res.abandoned = wg->last_abandoned;
	/*
	 * Every sleeper of this generation and every polled file is told this
	 * generation's result, whatever completes before they run. A file
	 * nobody polls any more is let go instead: the next poll re-arms it.
	 */
	list_for_each_entry_safe(w, next, &wg->results, node) {
		wait_queue_head_t *pollq = w->pollq;

		list_del_init(&w->node);
		/* Exact enough without its lock: point 5 above. */
		if (pollq && !w->keep && !waitqueue_active(pollq))
			continue;
		w->res = res;
		w->keep = false;
		/*
		 * A sleeper may see done without the lock and return: its
		 * record is not touched after this (pollq was read before).
		 */
		smp_store_release(&w->done, true);
		if (pollq)
			wake_up_poll(pollq, EPOLLIN | EPOLLRDNORM);
	}
	/* Sleepers queue under this lock, so this test is exact. */
	if (waitqueue_active(&wg->wq))
		wake_up_locked(&wg->wq);
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
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_add);

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
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_abandon);

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
	INIT_LIST_HEAD(&wg->results);
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

/*
 * The result of the last completed generation. Called with wq.lock held,
 * which is what keeps the three fields together.
 */
static void wg_last_result_locked(struct waitgroup *wg, struct wg_result *res)
{
	res->generation = atomic64_read(&wg->generation);
	res->error = wg->last_error;
	res->abandoned = wg->last_abandoned;
}

/*
 * Put the latch back on the list if someone still polls its file (an epoll
 * registration, or a poll in another thread). waitqueue_active() without
 * the poll queue's lock is enough: a poller that queues after this test
 * reads the state under wq.lock next and re-arms the latch itself (point 5
 * of "Why no wakeup is lost").
 */
static void wg_latch_rearm_locked(struct waitgroup *wg, struct wg_latch *latch)
{
	if (latch->w.done || !list_empty(&latch->w.node))
		return;
	/* Without the poll queue's lock: see above. */
	if (waitqueue_active(&latch->pollq))
		list_add_tail(&latch->w.node, &wg->results);
}

/* Hand a fired latch's result to a wait, and re-arm it for its pollers. */
static void wg_latch_take_locked(struct waitgroup *wg, struct wg_latch *latch,
				 struct wg_result *res)
{
	*res = latch->w.res;
	latch->w.done = false;
	wg_latch_rearm_locked(wg, latch);
}

/**
 * __waitgroup_wait() - the one wait behind every waitgroup_wait*()
 * @wg: the waitgroup
 * @latch: the waiting file's poll latch, or NULL
 * @state: TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE or TASK_KILLABLE
 * @timeout: how long to sleep at most, KTIME_MAX for ever
 * @res: the generation the wait returns for, filled on success
 *
 * Returns at once when @latch holds a completion (which it hands over) or
 * the counter is zero (with the last completed generation); otherwise
 * sleeps until the generation running now completes and reports that
 * generation, even if others complete before the caller runs again.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ETIME once @timeout has passed, or -ERESTARTSYS on a signal
 * that @state lets in.
 */
int __waitgroup_wait(struct waitgroup *wg, struct wg_latch *latch,
		     unsigned int state, ktime_t timeout, struct wg_result *res)
{
	struct wg_waiter w = { .node = LIST_HEAD_INIT(w.node) };
	unsigned long flags;
	int ret;

	might_sleep();
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (latch && latch->w.done) {
		wg_latch_take_locked(wg, latch, res);
		spin_unlock_irqrestore(&wg->wq.lock, flags);
		return 0;
	}
	if (!wg_count(atomic64_read(&wg->state))) {
		wg_last_result_locked(wg, res);
		spin_unlock_irqrestore(&wg->wq.lock, flags);
		return 0;
	}
	/* Seen by the completion of this generation: "Why no wakeup is lost". */
	atomic64_inc(&wg->state);	/* one more waiter */
	list_add_tail(&w.node, &wg->results);
	/* An interrupted wait's generation is still running: this wait has it. */
	if (latch)
		latch->w.keep = false;
	spin_unlock_irqrestore(&wg->wq.lock, flags);

	ret = -ETIME;
	if (timeout > 0) {
		/* Acquire: pairs with the completion's release of w.done. */
		ret = __wait_event_hrtimeout(wg->wq, smp_load_acquire(&w.done),
					     timeout, state);
	}
	if (ret) {
		/* Unless the completion won the race, this wait gives up. */
		spin_lock_irqsave(&wg->wq.lock, flags);
		if (w.done) {
			ret = 0;
		} else {
			list_del(&w.node);
			atomic64_dec(&wg->state);	/* one waiter fewer */
			/*
			 * A signal: the call may be restarted (SA_RESTART, a
			 * stop), and must then return for the generation it
			 * began in even if that completes meanwhile. The file's
			 * latch keeps it for the file's next wait.
			 */
			if (latch && ret != -ETIME && !latch->w.done) {
				latch->w.keep = true;
				if (list_empty(&latch->w.node))
					list_add_tail(&latch->w.node, &wg->results);
			}
		}
		spin_unlock_irqrestore(&wg->wq.lock, flags);
		if (ret)
			return ret;
	}
	*res = w.res;
	if (latch && READ_ONCE(latch->w.done))
		wg_latch_seen(wg, latch, res->generation);
	return 0;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_wait);

/* Relative to now, as the hrtimer sleep wants it: KTIME_MAX for ever. */
static ktime_t wg_jiffies_timeout(long timeout)
{
	if (timeout <= 0)
		return 0;
	if (timeout == MAX_SCHEDULE_TIMEOUT || (u64)timeout > KTIME_MAX / TICK_NSEC)
		return KTIME_MAX;
	return ns_to_ktime(jiffies64_to_nsecs(timeout));
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
	struct wg_result res;

	__waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE, KTIME_MAX, &res);
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
	struct wg_result res;

	return __waitgroup_wait(wg, NULL, TASK_INTERRUPTIBLE, KTIME_MAX, &res);
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
	struct wg_result res;

	return __waitgroup_wait(wg, NULL, TASK_KILLABLE, KTIME_MAX, &res);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_killable, WG_SYMBOL_NS);

/**
 * waitgroup_wait_timeout() - waitgroup_wait() with a timeout
 * @wg: the waitgroup
 * @timeout: jiffies to wait at most (MAX_SCHEDULE_TIMEOUT: for ever)
 *
 * Context: Process context; may sleep, uninterruptibly.
 * Return: 0 if @timeout elapsed first, otherwise the jiffies left (at
 * least 1), as wait_for_completion_timeout() does.
 */
long waitgroup_wait_timeout(struct waitgroup *wg, long timeout)
{
	unsigned long start = jiffies;
	struct wg_result res;

	if (__waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE,
			     wg_jiffies_timeout(timeout), &res))
		return 0;
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return timeout;
	return max_t(long, timeout - (long)(jiffies - start), 1);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_timeout, WG_SYMBOL_NS);

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
	wg_last_result_locked(wg, res);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	if (count)
		*count = wg_count(state);
	if (waiters)
		*waiters = wg_waiters(state);
}

/**
 * wg_latch_init() - a file's poll latch, not yet armed
 * @latch: the latch
 */
void wg_latch_init(struct wg_latch *latch)
{
	INIT_LIST_HEAD(&latch->w.node);
	init_waitqueue_head(&latch->pollq);
	latch->w.pollq = &latch->pollq;
	latch->w.keep = false;
	latch->w.done = false;
}

/**
 * wg_latch_poll() - poll() of a file with @latch
 * @wg: the file's waitgroup
 * @latch: the file's latch
 * @file: the file
 * @pt: the poll table
 *
 * Readable when the counter is zero (level-triggered: a re-arm can follow)
 * or when a completion happened while the file was polled (latched until
 * the file's next wait takes it). Arms the latch for the completions to
 * come, which keep it only while someone is on the file's poll queue.
 *
 * Context: Process context.
 * Return: EPOLLIN | EPOLLRDNORM or 0.
 */
__poll_t wg_latch_poll(struct waitgroup *wg, struct wg_latch *latch,
		       struct file *file, poll_table *pt)
{
	unsigned long flags;
	__poll_t mask = 0;

	/* Queued before the state is read: see "Why no wakeup is lost". */
	poll_wait(file, &latch->pollq, pt);
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (latch->w.done || !wg_count(atomic64_read(&wg->state)))
		mask = EPOLLIN | EPOLLRDNORM;
	if (!latch->w.done && list_empty(&latch->w.node))
		list_add_tail(&latch->w.node, &wg->results);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return mask;
}

/**
 * wg_latch_restore() - give a latched result back after it was not delivered
 * @wg: the waitgroup
 * @latch: the latch a wait of the file emptied (__waitgroup_wait())
 * @res: the result that could not be delivered
 *
 * Unless a newer completion was latched meanwhile, @res is latched again.
 */
void wg_latch_restore(struct waitgroup *wg, struct wg_latch *latch,
		      const struct wg_result *res)
{
	unsigned long flags;

	spin_lock_irqsave(&wg->wq.lock, flags);
	if (!latch->w.done) {
		list_del_init(&latch->w.node);
		latch->w.res = *res;
		latch->w.keep = false;
		latch->w.done = true;
		/* Readable again: a poller that re-polled meanwhile must know. */
		wake_up_poll(&latch->pollq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
}

/**
 * wg_latch_seen() - a wait of the file returned generation @gen
 * @wg: the waitgroup
 * @latch: the file's latch
 * @gen: the generation returned
 *
 * A completion latched for that generation or an older one has been
 * reported: the latch lets it go.
 */
void wg_latch_seen(struct waitgroup *wg, struct wg_latch *latch, u64 gen)
{
	unsigned long flags;

	spin_lock_irqsave(&wg->wq.lock, flags);
	if (latch->w.done && latch->w.res.generation <= gen) {
		latch->w.done = false;
		wg_latch_rearm_locked(wg, latch);
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
}

/**
 * wg_latch_exit() - the file goes: take its latch off the group
 * @wg: the waitgroup
 * @latch: the latch
 *
 * Always under the lock: a completion may still be waking the file's poll
 * queue after it marked the latch done.
 */
void wg_latch_exit(struct waitgroup *wg, struct wg_latch *latch)
{
	unsigned long flags;

	spin_lock_irqsave(&wg->wq.lock, flags);
	list_del_init(&latch->w.node);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
}

