// SPDX-License-Identifier: GPL-2.0
/*
 * The waitgroup primitive: Go's sync.WaitGroup with kernel rules.
 *
 * State is one atomic64_t, as in Go: the counter in the high 32 bits; in
 * the low 32, two flags (WG_SLOW, WG_LOCKED) and the generation's tag, its
 * number modulo 2^30. wq.lock keeps the rest: the generation number, the
 * running generation's error and abandoned adds, the results of recent
 * generations, the sleepers (on wq, beside the pollers) and the adders
 * waiting for room (on roomers). An update is one cmpxchg, even one that
 * completes a generation nobody waits for; the others take wq.lock. A
 * wait keeps nothing in the kernel once it returns: the generation it
 * waits for travels in the call (struct wg_wait's target), and a polled
 * file keeps one number, the newest generation it has reported.
 *
 * Why no wakeup is lost
 * ---------------------
 * 1. While WG_LOCKED or WG_SLOW is set, the counter only reaches zero in
 *    wg_update_locked(), under wq.lock, in a cmpxchg that also moves the
 *    tag, and the completion (wg_complete_locked(): the ring, the wake of
 *    wq) follows in the same critical section. The lock-free path in
 *    __waitgroup_add() refuses a zero result when it sees either flag, so
 *    "counter became zero" and "generation completed" are one step to
 *    anyone holding wq.lock.
 * 2. A waiter decides under wq.lock (wg_wait_start_locked()): it sets
 *    WG_LOCKED by a cmpxchg (wg_hold_locked()) and judges the value it set
 *    it in; a zero counter there means the generation completed before,
 *    with or without the lock. From then on the counter cannot reach zero
 *    until the waiter drops wq.lock (point 1), and a sleeper's entry on wq
 *    keeps WG_LOCKED set, so the completion of its generation takes
 *    wq.lock after it and finds it.
 * 3. The completion wakes wq under wq.lock. A sleeper's wake function
 *    (wg_wake_waiter()) writes the result into the sleeper's record and
 *    hands it over (wg_hand_over()), as block/blk-rq-qos.c's does: it
 *    unlinks the entry with list_del_init_careful(), a release, and then
 *    wakes the task. The sleeper (wg_sleep()) sets its task state, a full
 *    barrier, then tests list_empty_careful(), an acquire: it sees its
 *    entry unlinked, and the result, or try_to_wake_up(), with its own
 *    full barrier, sees it sleeping and wakes it. A woken sleeper takes no
 *    lock on its way out. Once unlinked the record, on the sleeper's
 *    stack, may be gone: the wake read the task before, and its
 *    task_struct is freed only after an RCU grace period, while the wake
 *    runs under rcu_read_lock() (a wake after the sleeper returned is
 *    spurious, which every sleep loop tolerates). A sleeper that gives up
 *    (a signal, its timeout) takes wq.lock: still linked, the entry is its
 *    own to unlink; unlinked, the wake won and it returns the result.
 * 4. A re-arm (0 -> n) right after a completion changes nothing for its
 *    sleepers, handed their result in the wake, nor for a call that comes
 *    back for a generation (its target): it reads the ring.
 * 5. A poller queues on wq (poll_wait()), then under wq.lock sets
 *    WG_LOCKED and reads the state in one cmpxchg (__waitgroup_poll()): a
 *    completion either came before, which the state shows (a zero
 *    counter, a tag that moved), or sees WG_LOCKED, which stays while the
 *    poller is queued, and wakes it under wq.lock. Readiness is derived
 *    from the state alone, as eventfd's is.
 * 6. WG_SLOW is set and cleared under wq.lock by cmpxchg on the state: a
 *    lock-free update either came before (a limit bounds the adds after
 *    it, a cancel what runs) or fails, sees the flag and retries under
 *    the lock, where it sees the limit and the cancel.
 * 7. An adder waiting for room is refused and queued on roomers in one
 *    wq.lock section (__waitgroup_add_wait()): a done that makes room
 *    later finds it, and hands the room over in its own cmpxchg, before
 *    it tests for zero (wg_update_locked()), so the generation cannot
 *    complete while a task is being let in. Adders are handed over as
 *    sleepers are (point 3), only those let in are woken, first come
 *    first served; one that gives up and is still linked unlinks itself
 *    and lets in those behind it that now fit. Adders that do not wait get
 *    EAGAIN while others are queued: no barging.
 * 8. A cancel, under wq.lock, sets WG_SLOW in a cmpxchg that sees a
 *    nonzero counter (a lock-free completion came first, or fails and
 *    takes the lock), fails the adders waiting for room and wakes wq: the
 *    wake function hands each cancelable sleeper the canceled result and
 *    leaves the kernel API's waits, which wait for the counter to drain.
 *    A waiter deciding under the same lock either is released or sees the
 *    cancel. Errors are reported only under wq.lock, where the sleepers
 *    that cancel on error are found (wg_coe_locked()). A done whose error
 *    cancels hands no room over (point 7); one that takes the counter to
 *    zero instead completes the generation with the error, and the adders
 *    waiting are let into the next one under the same lock.
 * 9. A completion without the lock. WG_LOCKED is set under wq.lock by
 *    cmpxchg while a waiter or a poller decides (points 2 and 5) and
 *    then while its entry is on wq, and while the running generation has
 *    an error or an abandoned add to publish (set by the cmpxchg that
 *    reports it); wg_flags_locked() clears it under wq.lock once none of
 *    that holds. A done whose result is zero and that sees neither flag
 *    has nobody to wake and nothing to publish: it moves the tag in its
 *    own cmpxchg and the generation completes clean, with no ring slot
 *    written, so a recent generation whose slot holds an older one was
 *    clean (wg_result_locked()). A locked completion takes its number
 *    from the value its own cmpxchg wrote: with neither flag set, a
 *    lock-free one may follow before it publishes. The number is gen_base
 *    plus the tag's distance from it; a lock-free completion refuses to
 *    make the tag a multiple of WG_TAG_SYNC, so one in 2^20 takes the
 *    lock and updates gen_base, and the tag (30 bits) never wraps past it.
 * 10. Memory ordering (tools/memory-model). A successful cmpxchg is fully
 *    ordered; a failed one is not, and the loops recompute from the value
 *    it read. The tasks' writes before their dones precede the
 *    zero-reaching cmpxchg (each done's cmpxchg reads the last), which
 *    precedes the wake's release (the unlink) that the sleeper acquires;
 *    a waiter that finds a zero reads it with an acquire (point 2) from
 *    the zero-reaching cmpxchg. Other reads of the state are relaxed:
 *    they only feed a cmpxchg or follow one under wq.lock.
 * 11. A batch's totals. A task's done is counted in waitgroup.done before
 *    its cmpxchg, fully ordered, applies it, and the other totals change
 *    under wq.lock with the update that reports them. A waiter reads
 *    them (waitgroup_totals()) after it has seen the counter reach zero
 *    through a cmpxchg or a wake under wq.lock, both after each done's
 *    cmpxchg: every task of the generations it waited for is in them. A
 *    done refused (-ERANGE) takes its count back; until then, and between
 *    a done's count and its cmpxchg, a reader may see one task early.
 *
 * model/waitgroup.pml checks this protocol with spin, and that each point
 * above is needed (its mutations).
 */
#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "wg_core.h"

/**
 * struct wg_sleeper - a task asleep on a waitgroup, on its stack
 * @entry: on waitgroup.wq (a waiter) or waitgroup.roomers (an adder
 *	waiting for room) until handed over or given up (wq.lock); its
 *	private field is the task
 * @wg: the waitgroup
 * @target: a waiter's generation: the one running when it queued
 * @res: a waiter's result, once handed over
 * @delta: an adder's delta
 * @ret: an adder's result once handed over: 0 let in, or why not
 * @coe: a waiter that cancels the generation on its first error
 * @cancelable: a waiter that a cancel releases (a userspace wait)
 *
 * Handed over (wg_hand_over()) means its entry is off every list: @res or
 * @ret is written by then.
 */
struct wg_sleeper {
	struct wait_queue_entry entry;
	struct waitgroup *wg;
	u64 target;
	struct wg_result res;
	int delta;
	int ret;
	bool coe;
	bool cancelable;
};

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

/*
 * Hand @s its result, written by the caller, and wake it: the unlink
 * lets it go, and @s, on its stack, may be gone after it; its task_struct
 * stays for the wake (point 3). Under wq.lock.
 */
static void wg_hand_over(struct wg_sleeper *s)
{
	struct task_struct *task = s->entry.private;

	lockdep_assert_held(&s->wg->wq.lock);
	rcu_read_lock();
	/* Release: pairs with list_empty_careful() in wg_sleep(). */
	list_del_init_careful(&s->entry.entry);
	wake_up_process(task);
	rcu_read_unlock();
}

/*
 * Sleep until @s is handed over, a signal that @state lets in arrives, or
 * @timeout passes: 0, -ERESTARTSYS or -ETIME.
 */
static int wg_sleep(struct wg_sleeper *s, unsigned int state, ktime_t timeout)
{
	ktime_t expires = timeout;
	int ret = 0;

	if (timeout != KTIME_MAX)
		expires = ktime_add_safe(ktime_get(), timeout);
	for (;;) {
		/* A full barrier: try_to_wake_up() has its own (point 3). */
		set_current_state(state);
		/* Acquire: pairs with the unlink in wg_hand_over(). */
		if (list_empty_careful(&s->entry.entry))
			break;
		if (signal_pending_state(state, current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (timeout == KTIME_MAX) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			ret = -ETIME;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/*
 * Set WG_SLOW exactly while a limit or a cancel is in force, and
 * WG_LOCKED while wq is not empty or the running generation has an error
 * or an abandoned add to publish (points 6 and 9).
 */
static void wg_flags_locked(struct waitgroup *wg)
{
	s64 old = atomic64_read(&wg->state);
	u32 want = 0;
	s64 new;

	lockdep_assert_held(&wg->wq.lock);
	if (wg->limit || wg->cancel_error)
		want |= WG_SLOW;
	if (!list_empty(&wg->wq.head) || wg->error || wg->abandoned)
		want |= WG_LOCKED;
	do {
		new = (old & ~(s64)(WG_SLOW | WG_LOCKED)) | want;
		if (new == old)
			return;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, new));
}

/*
 * Set WG_LOCKED (point 2): until wq.lock is dropped, no completion runs
 * without it. Returns the state it is set in. Acquire: a caller that
 * returns on a zero there sees what the tasks wrote before their dones.
 */
static s64 wg_hold_locked(struct waitgroup *wg)
{
	s64 old = atomic64_read_acquire(&wg->state);

	lockdep_assert_held(&wg->wq.lock);
	do {
		if (old & WG_LOCKED)
			return old;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, old | WG_LOCKED));
	return old | WG_LOCKED;
}

/*
 * The number of the last completed generation in @state: gen_base,
 * brought up to its tag, which is never WG_TAG_SYNC or more ahead of it
 * (point 9). @state is read under wq.lock, after every state gen_base
 * has seen.
 */
static u64 wg_gen_locked(struct waitgroup *wg, s64 state)
{
	lockdep_assert_held(&wg->wq.lock);
	wg->gen_base += (wg_tag(state) - (u32)wg->gen_base) & WG_TAG_MASK;
	return wg->gen_base;
}

/*
 * The result of generation @gen, completed by @last: from the ring, clean
 * if it completed without the lock (point 9), expired if it is too old.
 */
static void wg_result_locked(struct waitgroup *wg, u64 last, u64 gen,
			     struct wg_result *res)
{
	unsigned int i = gen % WAITGROUP_RESULTS;

	lockdep_assert_held(&wg->wq.lock);
	*res = (struct wg_result){ .generation = gen };
	if (!gen)
		return;
	if (last - gen >= WAITGROUP_RESULTS) {
		res->expired = true;
		return;
	}
	if (wg->results[i].generation != gen)
		return;
	res->error = wg->results[i].error;
	res->abandoned = wg->results[i].abandoned;
	res->canceled = wg->results[i].canceled;
}

/* What a cancel tells the waiters of the generation after @last. */
static void wg_cancel_result_locked(struct waitgroup *wg, u64 last,
				    struct wg_result *res)
{
	*res = (struct wg_result){
		.generation = last + 1,
		.error = wg->cancel_error,
		.abandoned = wg->abandoned,
		.canceled = true,
	};
}

/*
 * The wake function of a waiter: the completion of its generation, or a
 * cancel if it is cancelable, hands it its result (points 3 and 8). Any
 * other wake of wq leaves it queued. Under wq.lock.
 */
static int wg_wake_waiter(struct wait_queue_entry *entry, unsigned int mode,
			  int flags, void *key)
{
	struct wg_sleeper *s = container_of(entry, struct wg_sleeper, entry);
	struct waitgroup *wg = s->wg;
	u64 last = wg_gen_locked(wg, atomic64_read(&wg->state));

	if (last >= s->target)
		wg_result_locked(wg, last, s->target, &s->res);
	else if (wg->cancel_error && s->cancelable)
		wg_cancel_result_locked(wg, last, &s->res);
	else
		return 0;
	wg_hand_over(s);
	return 1;
}

static void wg_sleeper_init(struct wg_sleeper *s, struct waitgroup *wg)
{
	*s = (struct wg_sleeper){ .wg = wg };
	init_wait_entry(&s->entry, 0);
	s->entry.func = wg_wake_waiter;
}

/* Is a waiter that cancels on the first error asleep? Under wq.lock. */
static bool wg_coe_locked(struct waitgroup *wg)
{
	struct wait_queue_entry *entry;

	list_for_each_entry(entry, &wg->wq.head, entry)
		if (entry->func == wg_wake_waiter &&
		    container_of(entry, struct wg_sleeper, entry)->coe)
			return true;
	return false;
}

/*
 * The adders at the head of the queue that fit at @count, in order: with
 * @commit they are let in (or failed) and woken. Returns the counter with
 * them. Without a limit (the limit was just lifted) everyone is let in but
 * an add that would pass INT_MAX, which fails with -EOVERFLOW.
 */
static int wg_room_fit_locked(struct waitgroup *wg, int count, bool commit)
{
	struct wg_sleeper *s, *next;

	list_for_each_entry_safe(s, next, &wg->roomers, entry.entry) {
		s64 sum = (s64)count + s->delta;
		int ret = 0;

		if (wg->limit && sum > wg->limit)
			break;
		if (sum > S32_MAX)
			ret = -EOVERFLOW;
		else
			count = (int)sum;
		if (!commit)
			continue;
		s->ret = ret;
		wg_hand_over(s);
	}
	return count;
}

/* Fail with @ret the adders waiting for room: @all, or those past the limit. */
static void wg_room_fail_locked(struct waitgroup *wg, int ret, bool all)
{
	struct wg_sleeper *s, *next;

	list_for_each_entry_safe(s, next, &wg->roomers, entry.entry) {
		if (!all && (!wg->limit || (unsigned int)s->delta <= wg->limit))
			continue;
		s->ret = ret;
		wg_hand_over(s);
	}
}

/* Let in the adders that fit now (the limit rose, or the head left). */
static void wg_room_update_locked(struct waitgroup *wg)
{
	s64 old = atomic64_read(&wg->state);
	int base, count;

	if (list_empty(&wg->roomers))
		return;
	/*
	 * Roomers imply a limit and so WG_SLOW, but waitgroup_set_limit(0)
	 * lifts both to let them all in: a lock-free update may then race,
	 * and the cmpxchg retries.
	 */
	do {
		base = wg_count(old);
		count = wg_room_fit_locked(wg, base, false);
		if (count == base)
			return;
	} while (!atomic64_try_cmpxchg(&wg->state, &old,
				       wg_pack(count, wg_low(old))));
	wg_room_fit_locked(wg, base, true);
}

/*
 * Cancel the running generation with @error (point 8). False if the
 * counter is zero (nothing runs) or the generation is already canceled.
 */
static bool wg_cancel_locked(struct waitgroup *wg, int error)
{
	s64 old = atomic64_read(&wg->state);

	lockdep_assert_held(&wg->wq.lock);
	if (wg->cancel_error)
		return false;
	/* "Something runs" and WG_SLOW in one cmpxchg. */
	do {
		if (!wg_count(old))
			return false;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, old | WG_SLOW));
	wg->cancel_error = error;
	wg_room_fail_locked(wg, -ECANCELED, true);
	wake_up_locked_poll(&wg->wq, EPOLLIN | EPOLLRDNORM);
	return true;
}

/* A generation has ended: publish its result and wake its waiters. */
static void wg_complete_locked(struct waitgroup *wg, s64 state)
{
	/* What the zero-reaching cmpxchg wrote, not a new read: point 9. */
	u64 gen = wg_gen_locked(wg, state);
	unsigned int i = gen % WAITGROUP_RESULTS;

	wg->results[i].generation = gen;
	/* A canceled generation reports the cancel's code as its error. */
	wg->results[i].error = wg->cancel_error ?: wg->error;
	wg->results[i].abandoned = wg->abandoned;
	wg->results[i].canceled = wg->cancel_error != 0;
	/* The next generation starts clean. */
	wg->error = 0;
	wg->abandoned = 0;
	wg->cancel_error = 0;
	/* Under wq.lock, which every sleeper and poller queues under. */
	if (waitqueue_active(&wg->wq))
		wake_up_locked_poll(&wg->wq, EPOLLIN | EPOLLRDNORM);
	/* Nothing is left to wait for: the next one may be lock-free. */
	wg_flags_locked(wg);
}

/* May a positive add take the counter to @count now? */
static int wg_admit_locked(struct waitgroup *wg, int count)
{
	if (wg->cancel_error)
		return -ECANCELED;
	/* Adders waiting for room go first: no barging. */
	if (wg->limit &&
	    ((unsigned int)count > wg->limit || !list_empty(&wg->roomers)))
		return -EAGAIN;
	return 0;
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
	bool cancels, hand_over;
	int base, count;
	u32 low;
	int ret;

	lockdep_assert_held(&wg->wq.lock);
	/* An error that cancels the generation lets no one in: point 8. */
	cancels = error && !wg->cancel_error && wg_coe_locked(wg);
	hand_over = delta < 0 && !cancels && !list_empty(&wg->roomers);

	do {
		ret = wg_new_count(wg_count(old), delta, &base);
		if (ret)
			return ret;
		if (delta > 0) {
			ret = wg_admit_locked(wg, base);
			if (ret)
				return ret;
		}
		/* Room a done makes goes to those waiting for it: point 7. */
		count = hand_over ? wg_room_fit_locked(wg, base, false) : base;
		low = wg_low(old);
		if (count && (error || abandoned))	/* to publish: point 9 */
			low |= WG_LOCKED;
		else if (!count && wg_count(old))	/* completes: point 1 */
			low = (low & ~WG_TAG_MASK) | ((low + 1) & WG_TAG_MASK);
	} while (!atomic64_try_cmpxchg(&wg->state, &old, wg_pack(count, low)));

	if (hand_over)
		wg_room_fit_locked(wg, base, true);
	if (error && !wg->error)
		wg->error = error;
	if (error && !wg->batch.error)
		wg->batch.error = error;
	if (abandoned)
		wg->batch.abandoned += abandoned;
	else if (error)
		wg->batch.failed += -delta;
	/* Saturates: a generation can abandon more adds than fit in 32 bits. */
	wg->abandoned = min_t(u64, (u64)wg->abandoned + abandoned, U32_MAX);
	if (!count && wg_count(old)) {
		wg_complete_locked(wg, wg_pack(count, low));
		/* The error ended the generation: the next one lets them in. */
		if (cancels)
			wg_room_update_locked(wg);
	} else if (cancels) {
		wg_cancel_locked(wg, error);
	}
	return 0;
}

/* Under wq.lock, out of line: the fast path then saves no registers. */
static noinline int wg_add_locked(struct waitgroup *wg, int delta, int error)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&wg->wq.lock, flags);
	ret = wg_update_locked(wg, delta, error, 0);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return ret;
}

/**
 * __waitgroup_add() - add @delta, reporting @error for a failed task
 * @wg: the waitgroup
 * @delta: amount to add, may be negative
 * @error: nonzero to record as the generation's error if it is the first
 *
 * Context: Any context.
 * Return: 0, -ERANGE if the counter would go negative, -EOVERFLOW if it
 * would pass INT_MAX, -EAGAIN if a positive @delta would pass the limit
 * or others wait for room, -ECANCELED if a positive @delta comes while
 * the generation is canceled, -EINVAL for an @error without a @delta;
 * nothing changes on failure.
 */
int __waitgroup_add(struct waitgroup *wg, int delta, int error)
{
	s64 old;
	int count;
	u32 low;
	int ret;

	if (!delta)
		return error ? -EINVAL : 0;
	/* Counted before it lands, so a waiter it releases sees it: point 11. */
	if (delta < 0)
		atomic64_add(-(s64)delta, &wg->done);
	/*
	 * Fast path: one cmpxchg, with no error to report and no limit or
	 * cancel in force; one that reaches zero completes the generation
	 * in it when nobody waits or polls and nothing is to be published
	 * (points 1, 6 and 9).
	 */
	old = atomic64_read(&wg->state);
	while (!error && !(wg_low(old) & WG_SLOW)) {
		ret = wg_new_count(wg_count(old), delta, &count);
		if (ret)
			goto out;
		low = wg_low(old);
		if (!count) {
			low = (low & ~WG_TAG_MASK) | ((low + 1) & WG_TAG_MASK);
			if ((low & WG_LOCKED) || !(low & (WG_TAG_SYNC - 1)))
				break;
		}
		if (atomic64_try_cmpxchg(&wg->state, &old, wg_pack(count, low)))
			return 0;
	}
	ret = wg_add_locked(wg, delta, error);
out:
	if (ret && delta < 0)
		atomic64_sub(-(s64)delta, &wg->done);
	return ret;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_add);

/*
 * After wg_sleep() of @s: 0 once it has been handed over, else @ret, with
 * its entry off its list. An adder that leaves lets those behind it in.
 */
static int wg_sleep_end(struct wg_sleeper *s, int ret)
{
	struct waitgroup *wg = s->wg;
	unsigned long flags;

	if (!ret)
		return 0;
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (list_empty(&s->entry.entry)) {
		ret = 0;	/* handed over as it gave up */
	} else {
		list_del_init(&s->entry.entry);
		if (s->delta)
			wg_room_update_locked(wg);
		wg_flags_locked(wg);
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return ret;
}

/**
 * __waitgroup_add_wait() - add @delta, waiting for room under the limit
 * @wg: the waitgroup
 * @delta: amount to add; a delta that is not positive never waits
 * @state: TASK_INTERRUPTIBLE or TASK_KILLABLE
 * @timeout: how long to wait for room at most, KTIME_MAX for ever
 *
 * First come, first served (point 7); one that gives up loses its place.
 *
 * Context: Process context; may sleep.
 * Return: what __waitgroup_add() returns, but -EAGAIN: -ETIME once
 * @timeout has passed, -ERESTARTSYS on a signal that @state lets in,
 * -ECANCELED if the generation is canceled while waiting, -EINVAL if
 * @delta is above the limit, now or once it is lowered, and so can never
 * fit.
 */
int __waitgroup_add_wait(struct waitgroup *wg, int delta, unsigned int state,
			 ktime_t timeout)
{
	struct wg_sleeper s;
	unsigned long flags;
	int ret;

	might_sleep();
	ret = __waitgroup_add(wg, delta, 0);
	if (ret != -EAGAIN)
		return ret;

	/* Refused and queued in one critical section: point 7. */
	wg_sleeper_init(&s, wg);
	s.delta = delta;
	spin_lock_irqsave(&wg->wq.lock, flags);
	ret = wg_update_locked(wg, delta, 0, 0);
	/* More than the limit never fits: it would block every add behind. */
	if (ret == -EAGAIN && wg->limit && (unsigned int)delta > wg->limit)
		ret = -EINVAL;
	if (ret == -EAGAIN && timeout > 0)
		list_add_tail(&s.entry.entry, &wg->roomers);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	if (ret != -EAGAIN)
		return ret;
	if (timeout <= 0)
		return -ETIME;
	ret = wg_sleep_end(&s, wg_sleep(&s, state, timeout));
	return ret ?: s.ret;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_add_wait);

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
	do {
		undo = min_t(unsigned int, n,
			     wg_count(atomic64_read(&wg->state)));
	} while (undo && wg_update_locked(wg, -(int)undo, EOWNERDEAD, undo));
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return undo;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_abandon);

/* The batch's totals as they stand, under wq.lock: point 11. */
static void wg_totals_locked(struct waitgroup *wg, struct waitgroup_totals *t)
{
	lockdep_assert_held(&wg->wq.lock);
	t->done = atomic64_read(&wg->done);
	t->failed = wg->batch.failed;
	t->abandoned = wg->batch.abandoned;
	t->error = wg->batch.error;
}

/**
 * __waitgroup_totals() - read a batch's totals, and maybe start a new one
 * @wg: the waitgroup
 * @t: where to put them
 * @reset: zero them as they are read: a new batch starts
 *
 * Context: Any context.
 */
static void __waitgroup_totals(struct waitgroup *wg,
			       struct waitgroup_totals *t, bool reset)
{
	unsigned long flags;

	spin_lock_irqsave(&wg->wq.lock, flags);
	wg_totals_locked(wg, t);
	if (reset) {
		t->done = atomic64_xchg(&wg->done, 0);
		memset(&wg->batch, 0, sizeof(wg->batch));
	}
	spin_unlock_irqrestore(&wg->wq.lock, flags);
}

/**
 * waitgroup_totals() - the tasks done, failed and abandoned in the batch
 * @wg: the waitgroup
 * @t: where to put them
 *
 * A batch runs from waitgroup_init() to the next waitgroup_totals_reset(),
 * over as many generations as complete meanwhile: it tells a waiter of
 * every task, where a wait's result tells of its generation's only. Read
 * after a wait returns, it holds every task of the generations waited for.
 *
 * Context: Any context.
 */
void waitgroup_totals(struct waitgroup *wg, struct waitgroup_totals *t)
{
	__waitgroup_totals(wg, t, false);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_totals, WG_SYMBOL_NS);

/**
 * waitgroup_totals_reset() - read the batch's totals and start a new batch
 * @wg: the waitgroup
 * @t: where to put them
 *
 * As waitgroup_totals(), and zeroes them in the same step.
 *
 * Context: Any context.
 */
void waitgroup_totals_reset(struct waitgroup *wg, struct waitgroup_totals *t)
{
	__waitgroup_totals(wg, t, true);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_totals_reset, WG_SYMBOL_NS);

/**
 * waitgroup_init() - initialise a waitgroup with counter 0
 * @wg: the waitgroup
 *
 * Context: Any context; @wg must not be in use.
 */
void waitgroup_init(struct waitgroup *wg)
{
	*wg = (struct waitgroup){ .state = ATOMIC64_INIT(0) };
	init_waitqueue_head(&wg->wq);
	INIT_LIST_HEAD(&wg->roomers);
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
 * Return: 0; -ERANGE if the counter would become negative, -EOVERFLOW if
 * it would pass INT_MAX, -EAGAIN if a positive @delta would pass the
 * limit (waitgroup_set_limit()) or others wait for room, -ECANCELED if
 * @delta is positive and the generation is canceled (waitgroup_cancel());
 * then nothing has changed.
 */
int waitgroup_add(struct waitgroup *wg, int delta)
{
	return __waitgroup_add(wg, delta, 0);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_add, WG_SYMBOL_NS);

/**
 * waitgroup_add_killable() - waitgroup_add() that waits for room
 * @wg: the waitgroup
 * @delta: amount to add; one that is not positive never waits
 *
 * Under a limit, a positive @delta that does not fit waits, first come
 * first served, until dones (or a higher limit) make room for all of it.
 *
 * Context: Process context; may sleep.
 * Return: 0; -ERANGE, -EOVERFLOW as waitgroup_add(); -ECANCELED if the
 * generation is or becomes canceled; -EINVAL if @delta is above the limit;
 * -ERESTARTSYS if the task is being killed.
 */
int waitgroup_add_killable(struct waitgroup *wg, int delta)
{
	return __waitgroup_add_wait(wg, delta, TASK_KILLABLE, KTIME_MAX);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_add_killable, WG_SYMBOL_NS);

/**
 * waitgroup_set_limit() - bound what positive adds may take the counter to
 * @wg: the waitgroup
 * @limit: the most the counter may reach by a positive add; 0 for none
 *
 * errgroup's SetLimit(): with a limit of n, at most n tasks of one each run
 * at once. A lower limit than the counter takes nothing away: adds wait
 * (or fail) until enough are done. A higher one, or none, lets in at once
 * the adders waiting for room that now fit; a lower one fails, with
 * -EINVAL, those waiting to add more than it.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @limit is above INT_MAX.
 */
int waitgroup_set_limit(struct waitgroup *wg, unsigned int limit)
{
	unsigned long flags;

	if (limit > INT_MAX)
		return -EINVAL;
	spin_lock_irqsave(&wg->wq.lock, flags);
	wg->limit = limit;
	wg_flags_locked(wg);
	wg_room_fail_locked(wg, -EINVAL, false);
	wg_room_update_locked(wg);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(waitgroup_set_limit, WG_SYMBOL_NS);

/**
 * waitgroup_cancel() - cancel the running generation
 * @wg: the waitgroup
 * @error: the code its waiters get, a positive errno; 0 for ECANCELED
 *
 * errgroup's context cancel: every userspace waiter (WG_IOC_WAIT) of the
 * running generation, and every one that starts before it completes,
 * returns at once with @error. This API's waits still wait for the
 * counter to drain, so that a caller that frees what the tasks use stays
 * safe. Positive adds fail with -ECANCELED (adders waiting for room too);
 * dones go on, and at zero the generation completes, canceled, and the
 * next one starts clean.
 *
 * Context: Any context.
 * Return: true if it canceled the generation; false if the counter is
 * zero or the generation is already canceled.
 */
bool waitgroup_cancel(struct waitgroup *wg, int error)
{
	unsigned long flags;
	bool canceled;

	if (WARN_ON_ONCE(error < 0) || !error)
		error = ECANCELED;
	spin_lock_irqsave(&wg->wq.lock, flags);
	canceled = wg_cancel_locked(wg, error);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return canceled;
}
EXPORT_SYMBOL_NS_GPL(waitgroup_cancel, WG_SYMBOL_NS);

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

/* Raise a polled file's mark to @gen, lock-free: it only grows. */
static void wg_seen(atomic64_t *seen, u64 gen)
{
	s64 old;

	if (!seen)
		return;
	old = atomic64_read(seen);
	while ((u64)old != WG_UNPOLLED && (u64)old < gen &&
	       !atomic64_try_cmpxchg(seen, &old, (s64)gen))
		;
}

/*
 * Where a wait starts, under wq.lock: 0 with @res filled to return at once
 * (the target's completed generation, a polled file's unreported one, a
 * zero counter's last one, a cancel), 1 to sleep for *@target, -EINVAL.
 */
static int wg_wait_start_locked(struct waitgroup *wg, atomic64_t *seen,
				unsigned int flags, u64 *target,
				struct wg_result *res)
{
	u64 mark = seen ? (u64)atomic64_read(seen) : WG_UNPOLLED;
	s64 state = wg_hold_locked(wg);
	u64 last = wg_gen_locked(wg, state);

	if (*target > last + 1)
		return -EINVAL;
	if ((*target && *target <= last) || !wg_count(state) ||
	    (!*target && mark != WG_UNPOLLED && last > mark)) {
		wg_result_locked(wg, last, min(*target ?: last, last), res);
		return 0;
	}
	/* An error came before this wait: it cancels at once (point 8). */
	if ((flags & WG_WAIT_COE) && wg->error)
		wg_cancel_locked(wg, wg->error);
	if (wg->cancel_error && (flags & (WG_WAIT_CANCEL | WG_WAIT_COE))) {
		wg_cancel_result_locked(wg, last, res);
		return 0;
	}
	*target = last + 1;
	return 1;
}

/**
 * __waitgroup_wait() - the one wait behind every waitgroup_wait*()
 * @wg: the waitgroup
 * @seen: the waiting file's poll mark, or NULL
 * @state: TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE or TASK_KILLABLE
 * @timeout: how long to sleep at most, KTIME_MAX for ever, 0 to only test
 * @flags: WG_WAIT_CANCEL: a cancel releases the wait (userspace waits);
 *	WG_WAIT_COE: the first error of the generation cancels it (and
 *	releases the wait)
 * @target: in: 0 for a new wait, or the generation an earlier call left
 *	here; out: 0 with a result, else the generation the call waits for
 * @res: the generation the wait returns for, filled on success
 *
 * Go's rule, as wg_wait_start_locked() applies it: sleeps until the
 * generation running now completes (or is canceled) and reports that
 * generation, even if others complete before the caller runs again.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ETIME once @timeout has passed, -ERESTARTSYS on a signal
 * that @state lets in, -EINVAL for a *@target that has not begun.
 */
int __waitgroup_wait(struct waitgroup *wg, atomic64_t *seen,
		     unsigned int state, ktime_t timeout, unsigned int flags,
		     u64 *target, struct wg_result *res)
{
	struct wg_sleeper s;
	unsigned long irqflags;
	int ret;

	might_sleep();
	wg_sleeper_init(&s, wg);
	spin_lock_irqsave(&wg->wq.lock, irqflags);
	ret = wg_wait_start_locked(wg, seen, flags, target, res);
	if (ret > 0 && timeout > 0) {
		/* Found by the completion of its generation: point 2. */
		s.target = *target;
		s.coe = flags & WG_WAIT_COE;
		s.cancelable = flags & (WG_WAIT_CANCEL | WG_WAIT_COE);
		/* At the head, before any exclusive entry of epoll. */
		__add_wait_queue(&wg->wq, &s.entry);
	} else {
		/* Returns at once: WG_LOCKED may go (point 9). */
		wg_flags_locked(wg);
	}
	spin_unlock_irqrestore(&wg->wq.lock, irqflags);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		if (timeout <= 0)
			return -ETIME;
		ret = wg_sleep_end(&s, wg_sleep(&s, state, timeout));
		if (ret)
			return ret;
		*res = s.res;
	}
	*target = 0;
	wg_seen(seen, res->generation);
	return 0;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_wait);

/* A kernel API wait: a cancel does not end it, and no file is polled. */
static int wg_kwait(struct waitgroup *wg, unsigned int state, ktime_t timeout)
{
	struct wg_result res;
	u64 target = 0;

	return __waitgroup_wait(wg, NULL, state, timeout, 0, &target, &res);
}

/**
 * waitgroup_wait() - sleep until the counter is zero
 * @wg: the waitgroup
 *
 * Returns at once if the counter is zero; otherwise once the generation
 * running now completes, even if the group is re-armed at once. A cancel
 * (waitgroup_cancel()) does not end it: the counter still drains to zero.
 *
 * Context: Process context; may sleep, uninterruptibly.
 */
void waitgroup_wait(struct waitgroup *wg)
{
	wg_kwait(wg, TASK_UNINTERRUPTIBLE, KTIME_MAX);
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
	return wg_kwait(wg, TASK_INTERRUPTIBLE, KTIME_MAX);
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
	return wg_kwait(wg, TASK_KILLABLE, KTIME_MAX);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_killable, WG_SYMBOL_NS);

/**
 * waitgroup_wait_resume() - an interruptible wait that can be resumed
 * @wg: the waitgroup
 * @target: in: 0 to start a wait, or what an interrupted call left here;
 *	out: 0 once the wait has returned, else the generation it waits for
 *
 * waitgroup_wait_interruptible() for a caller that is restarted after a
 * signal (a driver's system call returning -ERESTARTSYS) and must then
 * return for the generation it began in, even if that completed, and the
 * group was re-armed, meanwhile: the generation travels in *@target,
 * which the caller keeps between the two calls, as futex keeps its
 * restart_block. A cancel does not end the wait.
 *
 * Context: Process context; may sleep.
 * Return: 0 once the generation has completed (or the counter was zero),
 * -ERESTARTSYS on a signal, -EINVAL if *@target is a generation that has
 * not begun.
 */
int waitgroup_wait_resume(struct waitgroup *wg, u64 *target)
{
	struct wg_result res;

	return __waitgroup_wait(wg, NULL, TASK_INTERRUPTIBLE, KTIME_MAX, 0,
				target, &res);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_resume, WG_SYMBOL_NS);

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
	ktime_t t = KTIME_MAX;

	/* Relative, as the hrtimer sleep wants it. */
	if (timeout != MAX_SCHEDULE_TIMEOUT && timeout < KTIME_MAX / TICK_NSEC)
		t = timeout > 0 ? ns_to_ktime(jiffies64_to_nsecs(timeout)) : 0;
	if (wg_kwait(wg, TASK_UNINTERRUPTIBLE, t))
		return 0;
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return timeout;
	return max_t(long, timeout - (long)(jiffies - start), 1);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_timeout, WG_SYMBOL_NS);

/**
 * __waitgroup_poll() - poll() of a file of @wg whose mark is @seen
 * @wg: the file's waitgroup
 * @seen: the file's mark: the newest generation it has reported
 * @file: the file
 * @pt: the poll table
 *
 * Readable while the counter is zero (level-triggered: a re-arm ends it),
 * while the running generation is canceled, and while a generation has
 * completed after @seen; the file's next wait returns that completion.
 * The first poll of a file sets its mark to the last completed
 * generation.
 *
 * Context: Process context.
 * Return: EPOLLIN | EPOLLRDNORM or 0.
 */
__poll_t __waitgroup_poll(struct waitgroup *wg, atomic64_t *seen,
			  struct file *file, poll_table *pt)
{
	unsigned long flags;
	__poll_t mask = 0;
	s64 state;
	u64 last;

	/* Queued before the state is read: point 5. */
	poll_wait(file, &wg->wq, pt);
	spin_lock_irqsave(&wg->wq.lock, flags);
	state = wg_hold_locked(wg);
	last = wg_gen_locked(wg, state);
	if ((u64)atomic64_read(seen) == WG_UNPOLLED)
		atomic64_set(seen, last);
	if (!wg_count(state) || wg->cancel_error ||
	    last > (u64)atomic64_read(seen))
		mask = EPOLLIN | EPOLLRDNORM;
	/* WG_LOCKED stays while the poller is queued. */
	wg_flags_locked(wg);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	return mask;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_poll);

/**
 * __waitgroup_snapshot() - a consistent view of @wg
 * @wg: the waitgroup
 * @snap: filled in
 *
 * One read of the state under wq.lock: the counter and the generation
 * it reports come from the same value, so they were true together.
 *
 * Context: Any context.
 */
void __waitgroup_snapshot(struct waitgroup *wg, struct wg_snapshot *snap)
{
	struct wait_queue_entry *entry;
	struct wg_sleeper *s;
	unsigned long flags;
	s64 state;
	u64 last;

	*snap = (struct wg_snapshot){};
	spin_lock_irqsave(&wg->wq.lock, flags);
	state = atomic64_read(&wg->state);
	snap->count = wg_count(state);
	last = wg_gen_locked(wg, state);
	wg_result_locked(wg, last, last, &snap->last);
	snap->limit = wg->limit;
	snap->cancel_error = wg->cancel_error;
	list_for_each_entry(entry, &wg->wq.head, entry)
		snap->waiters += entry->func == wg_wake_waiter;
	list_for_each_entry(s, &wg->roomers, entry.entry)
		snap->room_waiters++;
	/* After the state: a done it shows is counted (point 11). */
	wg_totals_locked(wg, &snap->totals);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_snapshot);
