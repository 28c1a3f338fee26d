// SPDX-License-Identifier: GPL-2.0
/*
 * The waitgroup primitive: Go's sync.WaitGroup with kernel rules.
 *
 * State is one atomic64_t, as in Go: the counter in the high 32 bits; in
 * the low 32, two flags (WG_SLOW, WG_LOCKED) and the generation's tag, its
 * number modulo 2^30. The wait-queue lock serialises the transitions that
 * matter to a waiter; everything else, including a completion that nobody
 * waits for, is lock-free.
 *
 * Why no wakeup is lost
 * ---------------------
 * 1. While WG_LOCKED (or WG_SLOW) is set, the counter only reaches zero
 *    inside wg_update_locked(), with wq.lock held, in a cmpxchg that also
 *    moves the tag. In that same critical section the generation's result
 *    is written into every record on the results list and every sleeper
 *    is released, to be woken by the unlock (point 3). The lock-free
 *    path in __waitgroup_add() refuses an update whose result is zero
 *    when it sees either flag and retries it under the lock, so "counter
 *    became zero" and "generation completed" are one atomic step as seen
 *    by anyone holding wq.lock.
 * 2. A waiter decides to sleep in __waitgroup_wait(), also under wq.lock:
 *    it links a record of its own on the results list and sets WG_LOCKED
 *    by a cmpxchg whose value shows a nonzero counter
 *    (wg_lock_completion_locked()); a zero there means the generation
 *    completed first, and it returns. The completion that ends this
 *    generation therefore takes wq.lock after this point and finds the
 *    record.
 * 3. The waiter then sleeps in wg_sleep(), without wq.lock: it sets its
 *    task state (set_current_state(), a full barrier) and only then reads
 *    "my record is done". The completion, under wq.lock, writes the
 *    result into the record and moves it to the released list
 *    (wg_release_locked()); the unlock (wg_unlock(), which every unlock
 *    of wq.lock is) takes the list off and, without the lock, marks each
 *    record done and then wakes its task with wake_up_process(), whose
 *    try_to_wake_up() has a full barrier before it reads the task state.
 *    So either the waiter sees done and does not sleep, or the unlocker
 *    sees it sleeping (or about to) and wakes it: no wakeup is lost. Once
 *    woken, it tests done again before it sets its state: it runs, so
 *    that test needs no full barrier (it stays an acquire), and a miss
 *    only leads back to the ordered one. The record is marked done with
 *    a release store after its result is written and read with an
 *    acquire load, so the waiter that sees it done also sees the result.
 *    Once done, the waiter may return, and its record, on its stack, is
 *    gone: the unlocker reads the task and the next record before the
 *    store and touches the record no more (wg_wake_released()). A waiter
 *    that gives up (a signal, its timeout) takes wq.lock first: a record
 *    released by then is the completion's, which won the race, and the
 *    waiter waits for its done before it returns the result; otherwise it
 *    unlinks the record itself. A woken waiter takes no lock on its way
 *    out, and the wakes come after the unlock, so a wake-all of many
 *    sleepers neither makes them queue for wq.lock nor runs with
 *    interrupts off. The price, as for futex's wake_q: a released
 *    waiter, even one that gave up, waits until the task that released
 *    it runs its unlock's walk, which a preemption can delay.
 * 3a. A wait that a signal ends may be restarted (SA_RESTART, a stop and
 *    continue): the generation it began in must still release it. Giving
 *    up, in the same wq.lock section that takes its record off, it puts a
 *    record kept for its thread (struct wg_kept: no task, not cancelable)
 *    in its place on the results list, so WG_LOCKED stays set (point 9)
 *    and the completion of that generation fills it and wakes nobody. The
 *    thread's next wait of the file takes the record first: done, it
 *    returns its result; not done, the generation still runs, and the
 *    wait goes on as a new one would (a cancel in force returns it),
 *    except that an older result in the latch does not end it; its own
 *    record takes the kept one's place in one wq.lock section, so
 *    WG_LOCKED is never clear between them. Waits of the file's other
 *    threads neither end nor take it. With no memory for a record, or
 *    WG_KEPT_MAX of them (once those of exited threads are gone), the
 *    file's latch is armed to be filled whether or not the file is
 *    polled, for the file's next wait, which disarms that keeping if the
 *    generation still runs. A fatal signal keeps nothing: no restart
 *    follows.
 * 4. A re-arm (0 -> n) right after the completion cannot strand anyone or
 *    change what it reports: a waiter tests and reads its own record, which
 *    only the completion of its own generation writes, never the counter
 *    or the generation.
 * 5. A poller queues on its file's own poll queue first, then, under
 *    wq.lock, links the file's latch record and reads the state in the
 *    cmpxchg that sets WG_LOCKED, as a waiter does (point 2). A
 *    completion after that finds the record and tests, under wq.lock, that
 *    the poll queue is not empty: the poller's queueing came before its own
 *    wq.lock section, so the test cannot miss it. It then fills the record
 *    and wakes the queue. A stale "not empty" (a poll that is just ending)
 *    only latches a completion the file's next wait returns.
 *
 * 6. While a limit or a cancel is in force, WG_SLOW is set in the low half
 *    of the state, and every update takes wq.lock: the lock-free path
 *    refuses when it sees the flag. The flag is set by cmpxchg on the
 *    state word itself, under wq.lock, so a lock-free update either
 *    replaced the value the setter then read (it came first, and the
 *    limit, which bounds only adds that come after it, does not apply to
 *    it) or its own cmpxchg fails, it reads the flag and retries under the
 *    lock, where it sees the limit and the cancel.
 * 7. An adder waiting for room is refused and queues its record on the
 *    roomers list in one wq.lock section (__waitgroup_add_wait()), so a
 *    done that makes room afterwards takes the lock later and finds it.
 *    That done hands the room over in its own cmpxchg, before it tests
 *    for zero (wg_update_locked()): the generation cannot complete, and
 *    release its waiters, while a task is being let in. The record is
 *    marked done with a release store and then its task, and no other
 *    adder's, is woken (wg_room_release_locked()); the adder sleeps as a
 *    waiter does, in wg_sleep() on "my record is done" (point 3), so
 *    either it sees the record done or the wake sees it sleeping. Done
 *    is set under wq.lock here, so an adder that gives up tests it there:
 *    let in, it keeps the room; otherwise it takes its record off and
 *    lets in those behind it that now fit, so a big add at the head
 *    cannot strand small ones when it leaves.
 *    Adders that do not wait get EAGAIN while others are queued: no
 *    barging.
 * 8. A cancel, under wq.lock, marks the running generation canceled, fills
 *    every sleeper's record with the canceled result and releases them (the
 *    unlock wakes them, point 3), fails every adder waiting for room and wakes
 *    every poller (poll() is readable while a cancel is in force). A waiter
 *    that decides to sleep does so under the same lock, so it either is
 *    released by the cancel or sees it and does not sleep. A sleeper that
 *    cancels on error is counted (coe_waiters) under wq.lock, and an error is
 *    only ever reported under that lock (the lock-free path takes no errors),
 *    so the first error after it sleeps finds it. The generation still
 *    completes when its counter reaches zero, as in point 1, with the cancel's
 *    result. A done whose error cancels hands no room over (point 7) in its
 *    cmpxchg: the cancel then fails the adders waiting for room, so a canceled
 *    generation never lets a task in. If that done takes the counter to zero
 *    instead, its generation completes with the error, and the adders waiting
 *    are let into the next one under the same lock.
 *
 * 9. A completion without the lock. WG_LOCKED is set, under wq.lock and
 *    by cmpxchg on the state word, whenever a record is on the results
 *    list (a sleeper, an armed latch, a record or latch kept for a
 *    restarted wait)
 *    or the running generation has an error or an abandoned add to
 *    publish (set by the cmpxchg of the update that reports it); it is
 *    cleared, under wq.lock, only once none of that holds
 *    (wg_flags_locked()). A done whose result is zero and that sees
 *    neither flag has nobody to wake and nothing to publish: it moves the
 *    tag in its own cmpxchg (the generation completes clean). Against a
 *    waiter or a poller, the two cmpxchgs on one word are ordered: if the
 *    done's comes first, the registration sees the zero and returns (or
 *    poll reports it); if the registration's comes first, the done's
 *    fails, it sees WG_LOCKED and takes the lock (point 1). The same holds
 *    for cancel, whose "counter not zero" and WG_SLOW are one cmpxchg. The
 *    generation moves with the counter, so a waiter arriving after a
 *    re-arm cannot be released by the old generation, and the number and
 *    the zero are one step. The last result is the clean one whenever the
 *    generation number has passed last_gen, the last locked completion's.
 *    The number is gen_base plus the tag's distance from it; a lock-free
 *    completion refuses to make the tag a multiple of WG_TAG_SYNC, so one
 *    completion in 2^20 takes the lock and updates gen_base, and the tag
 *    (30 bits) never wraps past it. model/waitgroup.pml checks the
 *    protocol with spin, including this completion (-DCOMPLETION_LOCKFREE)
 *    and the need of each of the points above (scripts/check-model sketch).
 * 10. Memory ordering, in tools/memory-model terms. A successful
 *    atomic64_try_cmpxchg() is fully ordered; a failed one is unordered,
 *    which the loops tolerate, as they recompute from the value it read.
 *    Points 1, 2, 6 and 9 need only its atomicity on the one word
 *    (coherence orders two cmpxchgs, and the loser retries). Its release
 *    half orders a task's writes before its done, and its acquire half, in
 *    the zero-reaching cmpxchg that reads from the dones, orders them
 *    before the release store of each record's done that follows in the
 *    same task (its unlock, point 3), which the waiter reads with an
 *    acquire (message passing): a waiter that returns sees what the tasks
 *    wrote before their dones. A waiter that finds the counter at zero
 *    reads the state with atomic64_read_acquire() (or in its own
 *    cmpxchg), which reads from the zero-reaching cmpxchg, locked or not.
 *    Other atomic64_read()s of the state are relaxed: on the fast path
 *    they only feed the cmpxchg. The sleep is ordered by
 *    set_current_state()'s full barrier against try_to_wake_up()'s
 *    (point 3), an adder's for room by the same barriers.
 *    waitqueue_active(pollq) without the poll queue's lock is ordered
 *    after the poller's queueing by po ; rf ; po through wq.lock's unlock
 *    and lock (point 5).
 *
 * Lock-free updates that do not reach zero (n -> m, both nonzero, or
 * 0 -> n) need no wakeup: nobody waits for them. They race with waiter
 * registration only through cmpxchg on the same word, which retries.
 */
#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
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

/*
 * Sleep until @done is set (a waiter's record by the completion or a
 * cancel, an adder's for room by the one who lets it in), a signal that
 * @state lets in arrives, or @timeout passes: 0, -ERESTARTSYS or -ETIME.
 * No lock: a woken sleeper returns at once (point 3).
 */
static int wg_sleep(const bool *done, unsigned int state, ktime_t timeout)
{
	ktime_t expires = timeout;

	if (timeout != KTIME_MAX)
		expires = ktime_add_safe(ktime_get(), timeout);
	for (;;) {
		/* A full barrier: try_to_wake_up() has its own (point 3). */
		set_current_state(state);
		/* Acquire: pairs with the release of whoever woke us. */
		if (smp_load_acquire(done))
			break;
		if (signal_pending_state(state, current)) {
			__set_current_state(TASK_RUNNING);
			return -ERESTARTSYS;
		}
		if (timeout == KTIME_MAX) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			/* The caller tests under wq.lock if it was let go. */
			return -ETIME;
		}
		/*
		 * Woken, so TASK_RUNNING: done is tested before the state is
		 * set again, which only a sleep needs (point 3). The usual
		 * wake-up, the release, returns here with no full barrier.
		 */
		if (smp_load_acquire(done))
			return 0;
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * struct wg_room - an adder waiting for room under the limit, on its stack
 * @node: entry in waitgroup.roomers until it is let in or gives up
 *	(wq.lock)
 * @delta: what it adds
 * @task: the adder's task, which the one who lets it in wakes
 * @ret: 0 once let in, or why it was not (-ECANCELED, -EOVERFLOW,
 *	-EINVAL)
 * @done: set, with release ordering, once @ret is written (wq.lock)
 */
struct wg_room {
	struct list_head node;
	struct task_struct *task;
	int delta;
	int ret;
	bool done;
};

/*
 * Let the adder of @r go with @ret and wake its task, the only one this
 * wakes: each admission wakes the adders it lets in, not every adder
 * waiting (point 7). Once the adder sees done it may return, and @r, on
 * its stack, is gone: the task is read first, and stays valid through
 * the wake-up as in wg_wake_released(). Under wq.lock, with @r already
 * off the roomers list.
 */
static void wg_room_release_locked(struct wg_room *r, int ret)
{
	struct task_struct *task = r->task;

	r->ret = ret;
	rcu_read_lock();
	/* Release: the adder reads r->ret once it sees done (point 7). */
	smp_store_release(&r->done, true);
	wake_up_process(task);
	rcu_read_unlock();
}

/*
 * Set WG_SLOW exactly while a limit or a cancel is in force, and WG_LOCKED
 * while a record is on the results list or the running generation has an
 * error or an abandoned add to publish (points 6 and 9).
 */
static void wg_flags_locked(struct waitgroup *wg)
{
	u32 want = 0;
	s64 old = atomic64_read(&wg->state);
	s64 new;

	lockdep_assert_held(&wg->wq.lock);
	if (wg->limit || wg->cancel_error)
		want |= WG_SLOW;
	if (!list_empty(&wg->results) || wg->error || wg->abandoned)
		want |= WG_LOCKED;
	do {
		new = (old & ~(s64)(WG_SLOW | WG_LOCKED)) | want;
		if (new == old)
			return;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, new));
}

/*
 * A record goes on the results list: from now on a completion must take
 * wq.lock, so set WG_LOCKED, by cmpxchg (point 9). Returns the state it
 * is set in: a counter of zero there means the generation completed
 * before (without the lock, or under it earlier) and was not waited for.
 * Acquire: a caller that returns on that zero sees what the tasks wrote
 * before their dones.
 */
static s64 wg_lock_completion_locked(struct waitgroup *wg)
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
 * The number of the last completed generation: gen_base, brought up to
 * the tag in the state word, which is never WG_TAG_SYNC or more ahead of
 * it (a lock-free completion refuses to make it so).
 */
static u64 wg_gen_locked(struct waitgroup *wg)
{
	u32 tag = wg_tag(atomic64_read(&wg->state));

	lockdep_assert_held(&wg->wq.lock);
	wg->gen_base += (tag - (u32)wg->gen_base) & WG_TAG_MASK;
	return wg->gen_base;
}

/*
 * The adders at the head of the queue that fit at @count, in order: with
 * @commit they are taken off it and woken. Returns the counter with them.
 * Without a limit (the limit was just lifted) everyone is let in but an
 * add that would pass INT_MAX, which fails with -EOVERFLOW.
 */
static int wg_room_fit_locked(struct waitgroup *wg, int count, bool commit)
{
	struct wg_room *r, *next;

	list_for_each_entry_safe(r, next, &wg->roomers, node) {
		s64 sum = (s64)count + r->delta;
		int ret = 0;

		if (wg->limit && sum > wg->limit)
			break;
		if (sum > S32_MAX)
			ret = -EOVERFLOW;
		else
			count = (int)sum;
		if (!commit)
			continue;
		list_del_init(&r->node);
		wg->room_waiters--;
		wg_room_release_locked(r, ret);
	}
	return count;
}

/* A lower limit fails the waiting adds it can never let in (-EINVAL). */
static void wg_room_drop_locked(struct waitgroup *wg)
{
	struct wg_room *r, *next;

	list_for_each_entry_safe(r, next, &wg->roomers, node) {
		if (!wg->limit || (unsigned int)r->delta <= wg->limit)
			continue;
		list_del_init(&r->node);
		wg->room_waiters--;
		wg_room_release_locked(r, -EINVAL);
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
	 * Roomers imply a limit and so WG_SLOW, but for the moment
	 * waitgroup_set_limit(0) lifts both to let them all in: a lock-free
	 * update may then race, and the cmpxchg retries.
	 */
	do {
		base = wg_count(old);
		count = wg_room_fit_locked(wg, base, false);
		if (count == base)
			break;
	} while (!atomic64_try_cmpxchg(&wg->state, &old,
				       wg_pack(count, wg_low(old))));
	wg_room_fit_locked(wg, base, true);
}

/*
 * Release a sleeper of @wg with result @res: write it into the record,
 * take the record off the results list and queue it on the released
 * list, which the unlock (wg_unlock()) wakes (point 3). Its task cannot
 * leave before: a wait that gives up and finds its record released waits
 * for done.
 */
static void wg_release_locked(struct waitgroup *wg, struct wg_waiter *w,
			      const struct wg_result *res)
{
	lockdep_assert_held(&wg->wq.lock);
	w->res = *res;
	w->released = true;
	list_move_tail(&w->node, &wg->released);
}

/*
 * Tell each released sleeper on @head its record is done, and wake it
 * (point 3), without wq.lock. Once it sees done it may return, and its
 * record, on its stack, is gone: the walk reads the task and the next
 * record first (the next one's task still waits for its own done) and
 * touches the record no more. The task itself stays valid to the
 * wake-up: it cannot have exited before it saw done, and its task_struct
 * is freed only through call_rcu() after its exit (release_task(), the
 * final context switch: put_task_struct_rcu_user()), so not before this
 * read-side section ends. The wake may come after the task has returned
 * and sleeps elsewhere: a spurious wakeup, as wake_q's can be, which
 * every sleep loop tolerates (this module's all test their condition).
 */
static void wg_wake_released(struct list_head *head)
{
	struct wg_waiter *w, *next;
	struct task_struct *task;

	rcu_read_lock();
	list_for_each_entry_safe(w, next, head, node) {
		task = w->task;
		/* Release: pairs with the sleeper's acquire in wg_sleep(). */
		smp_store_release(&w->done, true);
		wake_up_process(task);
	}
	rcu_read_unlock();
}

/*
 * Drop wq.lock, and wake the sleepers a completion or a cancel released
 * while it was held: every unlock of wq.lock comes here, so none is left
 * on the list. They wake after the unlock, as futex wakes its wake_q: a
 * woken task does not find the lock held, and interrupts are not off
 * while many are woken.
 */
static void wg_unlock(struct waitgroup *wg, unsigned long flags)
	__releases(&wg->wq.lock)
{
	LIST_HEAD(wake);

	if (likely(list_empty(&wg->released))) {
		spin_unlock_irqrestore(&wg->wq.lock, flags);
		return;
	}
	list_splice_init(&wg->released, &wake);
	spin_unlock_irqrestore(&wg->wq.lock, flags);
	wg_wake_released(&wake);
}

/* What a cancel tells the waiters of the running generation. */
static void wg_cancel_result_locked(struct waitgroup *wg,
				    struct wg_result *res)
{
	res->generation = wg_gen_locked(wg) + 1;
	res->error = wg->cancel_error;
	res->abandoned = wg->abandoned;
	res->canceled = true;
}

/*
 * Cancel the running generation with @error: release its sleepers, fail
 * the adders waiting for room, wake the pollers. False if the counter is
 * zero (nothing runs) or the generation is already canceled.
 */
static bool wg_cancel_locked(struct waitgroup *wg, int error)
{
	struct wg_waiter *w, *next;
	struct wg_room *r, *rnext;
	s64 old = atomic64_read(&wg->state);
	unsigned int released = 0;
	struct wg_result res;

	lockdep_assert_held(&wg->wq.lock);
	if (wg->cancel_error)
		return false;
	/*
	 * "Something runs" and WG_SLOW in one cmpxchg: a lock-free completion
	 * either came first (nothing to cancel) or fails and takes the lock.
	 */
	do {
		if (!wg_count(old))
			return false;
	} while (!atomic64_try_cmpxchg(&wg->state, &old, old | WG_SLOW));
	wg->cancel_error = error;

	list_for_each_entry_safe(r, rnext, &wg->roomers, node) {
		list_del_init(&r->node);
		wg_room_release_locked(r, -ECANCELED);
	}
	wg->room_waiters = 0;

	wg_cancel_result_locked(wg, &res);
	list_for_each_entry_safe(w, next, &wg->results, node) {
		wait_queue_head_t *pollq = w->pollq;

		/* A file's latch waits for the completion; its pollers wake. */
		if (pollq) {
			/* Exact enough without its lock: point 5 above. */
			if (waitqueue_active(pollq))
				wake_up_poll(pollq, EPOLLIN | EPOLLRDNORM);
			continue;
		}
		/*
		 * A kernel API wait waits for the counter to drain, and so
		 * does a kept record: its thread's next wait sees the cancel.
		 */
		if (!w->cancelable)
			continue;
		released++;
		wg_release_locked(wg, w, &res);
	}
	wg->coe_waiters = 0;
	wg->waiters -= released;
	return true;
}

/* A generation has ended: publish its result and release every waiter. */
static void wg_complete_locked(struct waitgroup *wg)
{
	struct wg_waiter *w, *next;
	bool latched = false;
	struct wg_result res;

	lockdep_assert_held(&wg->wq.lock);

	/* A canceled generation reports the cancel's code as its error. */
	wg->last_canceled = wg->cancel_error != 0;
	wg->last_error = wg->cancel_error ?: wg->error;
	wg->last_abandoned = wg->abandoned;
	wg->error = 0;
	wg->abandoned = 0;
	wg->coe_waiters = 0;
	/* The next generation starts clean. */
	wg->cancel_error = 0;
	/* The zero-reaching cmpxchg moved the tag: point 9. */
	res.generation = wg_gen_locked(wg);
	wg->last_gen = res.generation;
	res.error = wg->last_error;
	res.abandoned = wg->last_abandoned;
	res.canceled = wg->last_canceled;
	/*
	 * Every sleeper of this generation and every polled file is told this
	 * generation's result, whatever completes before they run. A file
	 * nobody polls any more is let go instead: the next poll re-arms it.
	 */
	list_for_each_entry_safe(w, next, &wg->results, node) {
		wait_queue_head_t *pollq = w->pollq;

		/* The latches come first: wg_latch_link_locked(). */
		if (!pollq && !w->task) {
			/* A kept record: its thread's next wait takes it. */
			w->res = res;
			w->done = true;
			list_del_init(&w->node);
			continue;
		}
		if (!pollq) {
			if (latched || w->restores != wg->restores)
				w->latched = true;
			wg_release_locked(wg, w, &res);
			continue;
		}
		list_del_init(&w->node);
		/* Exact enough without its lock: point 5 above. */
		if (!w->keep && !waitqueue_active(pollq))
			continue;
		/* The file's wait already returned it, released by the cancel. */
		if (container_of(w, struct wg_latch, w)->seen >= res.generation)
			continue;
		w->res = res;
		w->keep = false;
		latched = true;
		/* Release: a poll or wait reads the result once done is seen. */
		smp_store_release(&w->done, true);
		wake_up_poll(pollq, EPOLLIN | EPOLLRDNORM);
	}
	wg->waiters = 0;
	/* Nothing is left to wait for: the next completion may be lock-free. */
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
	s64 new;
	int ret;

	lockdep_assert_held(&wg->wq.lock);
	/* An error that cancels the generation lets no one in: point 8. */
	cancels = error && wg->coe_waiters && !wg->cancel_error;
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
		count = base;
		if (hand_over)
			count = wg_room_fit_locked(wg, base, false);
		if (count) {
			/* An error to publish: the completion takes the lock. */
			new = wg_pack(count, wg_low(old) |
					     (error || abandoned ? WG_LOCKED : 0));
		} else {
			/* Zero moves the tag in the same cmpxchg: point 9. */
			new = wg_pack(0, (wg_low(old) & (WG_SLOW | WG_LOCKED)) |
					 ((wg_tag(old) + 1) & WG_TAG_MASK));
		}
	} while (!atomic64_try_cmpxchg(&wg->state, &old, new));

	if (hand_over)
		wg_room_fit_locked(wg, base, true);
	if (error && !wg->error)
		wg->error = error;
	/* Saturates: a generation can abandon more adds than fit in 32 bits. */
	wg->abandoned = min_t(u64, (u64)wg->abandoned + abandoned, U32_MAX);
	if (!count && wg_count(old)) {
		wg_complete_locked(wg);
		/* The error ended the generation: the next one lets them in. */
		if (cancels)
			wg_room_update_locked(wg);
	} else if (cancels && count) {
		wg_cancel_locked(wg, error);	/* point 8 */
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
	wg_unlock(wg, flags);
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
 * the generation is canceled; nothing changes on failure.
 */
int __waitgroup_add(struct waitgroup *wg, int delta, int error)
{
	s64 old, new;
	int count;
	int ret;

	if (!delta && !error)
		return 0;

	/*
	 * Fast path: an update that does not reach zero wakes nobody, and
	 * one that does completes the generation in its cmpxchg when nobody
	 * waits or polls and nothing is to be published; unless a limit or
	 * a cancel is in force (points 1, 6 and 9).
	 */
	old = atomic64_read(&wg->state);
	while (!error && !(wg_low(old) & WG_SLOW)) {
		ret = wg_new_count(wg_count(old), delta, &count);
		if (ret)
			return ret;
		if (count) {
			new = wg_pack(count, wg_low(old));
		} else {
			u32 tag = (wg_tag(old) + 1) & WG_TAG_MASK;

			if ((wg_low(old) & WG_LOCKED) || !(tag % WG_TAG_SYNC))
				break;
			new = wg_pack(0, tag);
		}
		if (atomic64_try_cmpxchg(&wg->state, &old, new))
			return 0;
	}

	return wg_add_locked(wg, delta, error);
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_add);

/**
 * __waitgroup_add_wait() - add @delta, waiting for room under the limit
 * @wg: the waitgroup
 * @delta: amount to add; a delta that is not positive never waits
 * @state: TASK_INTERRUPTIBLE or TASK_KILLABLE
 * @timeout: how long to wait for room at most, KTIME_MAX for ever
 *
 * Adders waiting for room are let in first come, first served, each as
 * soon as a done (or a higher limit) makes room for all of its @delta.
 * One that a signal interrupts loses its place.
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
	struct wg_room r = {
		.node = LIST_HEAD_INIT(r.node),
		.task = current,
		.delta = delta,
	};
	unsigned long flags;
	int ret;

	might_sleep();
	ret = __waitgroup_add(wg, delta, 0);
	if (ret != -EAGAIN)
		return ret;

	/* Refused and queued in one critical section: point 7. */
	spin_lock_irqsave(&wg->wq.lock, flags);
	ret = wg_update_locked(wg, delta, 0, 0);
	/* More than the limit never fits: it would block every add behind it. */
	if (ret == -EAGAIN && wg->limit && (unsigned int)delta > wg->limit)
		ret = -EINVAL;
	if (ret == -EAGAIN && timeout > 0) {
		list_add_tail(&r.node, &wg->roomers);
		wg->room_waiters++;
	}
	wg_unlock(wg, flags);
	if (ret != -EAGAIN)
		return ret;
	if (timeout <= 0)
		return -ETIME;

	ret = wg_sleep(&r.done, state, timeout);
	if (!ret)
		return r.ret;
	spin_lock_irqsave(&wg->wq.lock, flags);
	if (r.done) {
		ret = r.ret;	/* let in (or failed) as we gave up */
	} else {
		list_del(&r.node);
		wg->room_waiters--;
		/* Those behind us may fit now. */
		wg_room_update_locked(wg);
	}
	wg_unlock(wg, flags);
	return ret;
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
	undo = min_t(unsigned int, n, wg_count(atomic64_read(&wg->state)));
	while (undo && wg_update_locked(wg, -(int)undo, EOWNERDEAD, undo))
		undo = min_t(unsigned int, n, wg_count(atomic64_read(&wg->state)));
	wg_unlock(wg, flags);
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
	wg->gen_base = 0;
	wg->last_gen = 0;
	wg->waiters = 0;
	init_waitqueue_head(&wg->wq);
	INIT_LIST_HEAD(&wg->results);
	INIT_LIST_HEAD(&wg->released);
	wg->error = 0;
	wg->abandoned = 0;
	wg->last_error = 0;
	wg->last_abandoned = 0;
	wg->last_canceled = false;
	wg->cancel_error = 0;
	wg->limit = 0;
	INIT_LIST_HEAD(&wg->roomers);
	wg->room_waiters = 0;
	wg->coe_waiters = 0;
	wg->restores = 0;
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
	wg_room_drop_locked(wg);
	wg_room_update_locked(wg);
	wg_unlock(wg, flags);
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
 * returns at once with @error as the generation's error. The waits of
 * this API are not ended by it: they still wait for the counter to drain,
 * so that a caller that frees what the tasks use after waiting stays
 * safe; the generation's result then carries the cancel. Positive adds fail with -ECANCELED
 * (adders waiting for room too); dones go on, and when the counter
 * reaches zero the generation completes, canceled, with @error, and the
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
	wg_unlock(wg, flags);
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

/*
 * For the KUnit suite: the number of the last completed generation, and
 * the sleepers, read under wq.lock.
 */
u64 __waitgroup_generation(struct waitgroup *wg, unsigned int *waiters)
{
	unsigned long flags;
	u64 gen;

	spin_lock_irqsave(&wg->wq.lock, flags);
	gen = wg_gen_locked(wg);
	if (waiters)
		*waiters = wg->waiters;
	wg_unlock(wg, flags);
	return gen;
}
EXPORT_SYMBOL_IF_WG_KUNIT(__waitgroup_generation);

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
	res->generation = wg_gen_locked(wg);
	/* Completed since without the lock, and so clean: point 9. */
	if (res->generation != wg->last_gen) {
		res->error = 0;
		res->abandoned = 0;
		res->canceled = false;
		return;
	}
	res->error = wg->last_error;
	res->abandoned = wg->last_abandoned;
	res->canceled = wg->last_canceled;
}

/*
 * Link a file's latch on the results list, at its head: the sleepers are
 * behind every latch, so a completion has filled every latch it fills
 * before it releases the first sleeper, and can tell them whether it
 * filled one (wg_waiter.latched).
 */
static void wg_latch_link_locked(struct waitgroup *wg, struct wg_latch *latch)
{
	lockdep_assert_held(&wg->wq.lock);
	list_add(&latch->w.node, &wg->results);
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
	if (waitqueue_active(&latch->pollq)) {
		wg_latch_link_locked(wg, latch);
		wg_lock_completion_locked(wg);
	}
}

/*
 * The record a signal left for this thread's next wait of the file
 * (struct wg_kept), taken off the file's list, NULL if there is none. If
 * its generation still runs it stays on the results list, and WG_LOCKED
 * set, until the wait's own record is there (or the wait returns).
 */
static struct wg_kept *wg_kept_take_locked(struct waitgroup *wg,
					   struct wg_latch *latch)
{
	struct pid *pid = task_pid(current);
	struct wg_kept *k;

	lockdep_assert_held(&wg->wq.lock);
	list_for_each_entry(k, &latch->kept, link) {
		/* An exec may give the thread its dead leader's pid. */
		if (k->pid != pid || k->thread != current)
			continue;
		list_del(&k->link);
		latch->nkept--;
		return k;
	}
	return NULL;
}

/* A kept record for the current thread, not yet linked; NULL if no memory. */
static struct wg_kept *wg_kept_new(void)
{
	struct wg_kept *k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);

	if (!k)
		return NULL;
	INIT_LIST_HEAD(&k->w.node);
	k->pid = get_task_pid(current, PIDTYPE_PID);
	k->thread = current;
	return k;
}

static void wg_kept_free(struct wg_kept *k)
{
	if (!k)
		return;
	put_pid(k->pid);
	kfree(k);
}

/* Free the kept records on @head, unlinked from everything else. */
static void wg_kept_free_list(struct list_head *head)
{
	struct wg_kept *k, *next;

	list_for_each_entry_safe(k, next, head, link)
		wg_kept_free(k);
}

/*
 * May the file keep one more record? At WG_KEPT_MAX, those of threads that
 * have exited go first, onto @gone (freed after the unlock). A thread's
 * struct pid outlives it while referenced, so a new thread never has the
 * same one.
 */
static bool wg_kept_room_locked(struct waitgroup *wg, struct wg_latch *latch,
				struct list_head *gone)
{
	struct wg_kept *k, *next;

	lockdep_assert_held(&wg->wq.lock);
	if (latch->nkept < WG_KEPT_MAX)
		return true;
	rcu_read_lock();
	list_for_each_entry_safe(k, next, &latch->kept, link) {
		if (pid_task(k->pid, PIDTYPE_PID))
			continue;
		list_del_init(&k->w.node);
		list_move(&k->link, gone);
		latch->nkept--;
	}
	rcu_read_unlock();
	return latch->nkept < WG_KEPT_MAX;
}

/* wg_latch_seen(), under wq.lock. */
static void wg_latch_seen_locked(struct waitgroup *wg, struct wg_latch *latch,
				 u64 gen, bool canceled)
{
	lockdep_assert_held(&wg->wq.lock);
	/* Released by a cancel: its completion is not latched for the file. */
	if (canceled && latch->seen < gen)
		latch->seen = gen;
	if (latch->w.done && latch->w.res.generation <= gen) {
		latch->w.done = false;
		wg_latch_rearm_locked(wg, latch);
	}
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
 * @flags: WG_WAIT_CANCEL: a cancel releases the wait (userspace waits);
 *	WG_WAIT_COE: the first error of the generation cancels it (and
 *	releases the wait)
 * @res: the generation the wait returns for, filled on success
 *
 * Returns at once when @latch holds a completion (which it hands over),
 * the counter is zero (with the last completed generation) or the running
 * generation is canceled (with the cancel's result); otherwise sleeps
 * until the generation running now completes, or is canceled, and
 * reports that generation, even if others complete before the caller
 * runs again.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ETIME once @timeout has passed, or -ERESTARTSYS on a signal
 * that @state lets in.
 */
int __waitgroup_wait(struct waitgroup *wg, struct wg_latch *latch,
		     unsigned int state, ktime_t timeout, unsigned int flags,
		     struct wg_result *res)
{
	struct wg_waiter w = {
		.node = LIST_HEAD_INIT(w.node),
		.task = current,
		.coe = flags & WG_WAIT_COE,
		.cancelable = flags & (WG_WAIT_CANCEL | WG_WAIT_COE),
	};
	struct wg_kept *kept = NULL;
	unsigned long irqflags;
	LIST_HEAD(gone);
	bool won, restartable;
	int ret;

	might_sleep();
	spin_lock_irqsave(&wg->wq.lock, irqflags);
	/* This thread's wait a signal ended: its generation is this one's. */
	if (latch && unlikely(!list_empty(&latch->kept))) {
		kept = wg_kept_take_locked(wg, latch);
		if (kept && kept->w.done) {
			*res = kept->w.res;
			wg_latch_seen_locked(wg, latch, res->generation,
					     res->canceled);
			goto out_unlock;
		}
		/*
		 * Still running (point 3a): wait for it. A result the latch
		 * holds is older: the return lets it go (w.latched).
		 */
		if (kept && latch->w.done)
			w.latched = true;
	}
	if (latch && latch->w.done && !kept) {
		wg_latch_take_locked(wg, latch, res);
		goto out_unlock;
	}
	/* Acquire: the tasks' writes before their dones (point 9). */
	if (!wg_count(atomic64_read_acquire(&wg->state))) {
		wg_last_result_locked(wg, res);
		goto out_unlock;
	}
	/* An error came before this wait: it cancels at once (point 8). */
	if (w.coe && wg->error)
		wg_cancel_locked(wg, wg->error);
	if (wg->cancel_error && w.cancelable) {
		wg_cancel_result_locked(wg, res);
		/* An interrupted wait's generation has ended for this file. */
		if (latch) {
			latch->w.keep = false;
			latch->seen = res->generation;
		}
		goto out_unlock;
	}
	/*
	 * Seen by the completion of this generation: "Why no wakeup is
	 * lost". WG_LOCKED is set with a counter that is not zero, or the
	 * generation completed without the lock just before (point 9).
	 */
	list_add_tail(&w.node, &wg->results);
	/* The kept record's place is this one's: WG_LOCKED stays set. */
	if (kept)
		list_del_init(&kept->w.node);
	if (!wg_count(wg_lock_completion_locked(wg))) {
		list_del(&w.node);
		wg_flags_locked(wg);
		wg_last_result_locked(wg, res);
		goto out_unlock;
	}
	wg->waiters++;
	w.restores = wg->restores;
	if (w.coe)
		wg->coe_waiters++;
	/* An interrupted wait's generation is still running: this wait has it. */
	if (latch)
		latch->w.keep = false;
	wg_unlock(wg, irqflags);
	wg_kept_free(kept);

	ret = -ETIME;
	if (timeout > 0)
		ret = wg_sleep(&w.done, state, timeout);
	if (ret) {
		/*
		 * A signal: the call may be restarted (SA_RESTART, a stop),
		 * and must then return for the generation it began in even
		 * if that completes meanwhile (point 3a). A record kept for
		 * the thread takes the sleeper's place. No restart follows a
		 * timeout or a fatal signal.
		 */
		restartable = latch && ret != -ETIME &&
			      !fatal_signal_pending(current);
		kept = restartable ? wg_kept_new() : NULL;
		/* Unless the completion won the race, this wait gives up. */
		spin_lock_irqsave(&wg->wq.lock, irqflags);
		won = w.released;
		if (!won) {
			wg->waiters--;
			if (w.coe)
				wg->coe_waiters--;
			if (kept && wg_kept_room_locked(wg, latch, &gone)) {
				list_replace(&w.node, &kept->w.node);
				list_add(&kept->link, &latch->kept);
				latch->nkept++;
				kept = NULL;
			} else {
				list_del(&w.node);
				/* No record: the file's latch keeps it. */
				if (restartable && !latch->w.done) {
					latch->w.keep = true;
					if (list_empty(&latch->w.node))
						wg_latch_link_locked(wg, latch);
				}
			}
			/* WG_LOCKED stays set (a kept record) or may go. */
			wg_flags_locked(wg);
		}
		wg_unlock(wg, irqflags);
		wg_kept_free(kept);
		wg_kept_free_list(&gone);
		if (!won)
			return ret;
		/* Released before it gave up: done follows (point 3). */
		wg_sleep(&w.done, TASK_UNINTERRUPTIBLE, KTIME_MAX);
	}
	*res = w.res;
	/*
	 * The file's latch lets this generation go if it holds it. Looked at
	 * only if it may (a latch was filled, or given a result back, while
	 * this wait slept): the usual wake-up does not touch the file on its
	 * way out.
	 */
	if (latch && (res->canceled || (w.latched && READ_ONCE(latch->w.done))))
		wg_latch_seen(wg, latch, res->generation, res->canceled);
	return 0;

out_unlock:
	/* A kept record still linked: this wait returns for its generation. */
	if (kept && !list_empty(&kept->w.node)) {
		list_del_init(&kept->w.node);
		wg_flags_locked(wg);
	}
	wg_unlock(wg, irqflags);
	wg_kept_free(kept);
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
 * running now completes, even if the group is re-armed at once. A cancel
 * (waitgroup_cancel()) does not end it: the counter still drains to zero.
 *
 * Context: Process context; may sleep, uninterruptibly.
 */
void waitgroup_wait(struct waitgroup *wg)
{
	struct wg_result res;

	__waitgroup_wait(wg, NULL, TASK_UNINTERRUPTIBLE, KTIME_MAX, 0, &res);
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

	return __waitgroup_wait(wg, NULL, TASK_INTERRUPTIBLE, KTIME_MAX, 0, &res);
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

	return __waitgroup_wait(wg, NULL, TASK_KILLABLE, KTIME_MAX, 0, &res);
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
			     wg_jiffies_timeout(timeout), 0, &res))
		return 0;
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return timeout;
	return max_t(long, timeout - (long)(jiffies - start), 1);
}
EXPORT_SYMBOL_NS_GPL(waitgroup_wait_timeout, WG_SYMBOL_NS);

/**
 * __waitgroup_snapshot() - a consistent view of @wg
 * @wg: the waitgroup
 * @snap: filled in
 *
 * Context: Any context.
 */
void __waitgroup_snapshot(struct waitgroup *wg, struct wg_snapshot *snap)
{
	unsigned long flags;
	s64 state;

	spin_lock_irqsave(&wg->wq.lock, flags);
	state = atomic64_read(&wg->state);
	wg_last_result_locked(wg, &snap->last);
	snap->limit = wg->limit;
	snap->room_waiters = wg->room_waiters;
	snap->cancel_error = wg->cancel_error;
	snap->waiters = wg->waiters;
	wg_unlock(wg, flags);
	snap->count = wg_count(state);
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
	latch->seen = 0;
	INIT_LIST_HEAD(&latch->kept);
	latch->nkept = 0;
}
EXPORT_SYMBOL_IF_WG_KUNIT(wg_latch_init);

/**
 * wg_latch_poll() - poll() of a file with @latch
 * @wg: the file's waitgroup
 * @latch: the file's latch
 * @file: the file
 * @pt: the poll table
 *
 * Readable when the counter is zero (level-triggered: a re-arm can follow),
 * while the running generation is canceled, or when a completion happened
 * while the file was polled (latched until the file's next wait takes it).
 * Arms the latch for the completions to come, which keep it only while
 * someone is on the file's poll queue.
 *
 * Context: Process context.
 * Return: EPOLLIN | EPOLLRDNORM or 0.
 */
__poll_t wg_latch_poll(struct waitgroup *wg, struct wg_latch *latch,
		       struct file *file, poll_table *pt)
{
	unsigned long flags;
	__poll_t mask = 0;
	s64 state;

	/* Queued before the state is read: see "Why no wakeup is lost". */
	poll_wait(file, &latch->pollq, pt);
	spin_lock_irqsave(&wg->wq.lock, flags);
	/*
	 * Armed before the state is read, in the cmpxchg that sets
	 * WG_LOCKED: a completion either came before (the counter is zero
	 * here) or takes the lock and finds the latch (point 9).
	 */
	if (!latch->w.done && list_empty(&latch->w.node))
		wg_latch_link_locked(wg, latch);
	state = latch->w.done ? 0 : wg_lock_completion_locked(wg);
	if (latch->w.done || !wg_count(state) || wg->cancel_error)
		mask = EPOLLIN | EPOLLRDNORM;
	wg_unlock(wg, flags);
	return mask;
}

/**
 * wg_latch_restore() - give a latched result back after it was not delivered
 * @wg: the waitgroup
 * @latch: the latch a wait of the file emptied (__waitgroup_wait())
 * @res: the result that could not be delivered
 *
 * Unless a newer completion was latched meanwhile, @res is latched again,
 * for the file's next wait. A wait of another thread of the file that was
 * released for the same generation, and has not yet returned, may return
 * it too: the file then reports it twice, once to each.
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
		/*
		 * Done without a completion: a sleeper (another thread's wait
		 * of the file) must look at the latch when it returns, which
		 * the completion that releases it tells it (wg_waiter.latched).
		 */
		wg->restores++;
		/* Readable again: a poller that re-polled meanwhile must know. */
		wake_up_poll(&latch->pollq, EPOLLIN | EPOLLRDNORM);
	}
	wg_unlock(wg, flags);
}
EXPORT_SYMBOL_IF_WG_KUNIT(wg_latch_restore);

/**
 * wg_latch_seen() - a wait of the file returned generation @gen
 * @wg: the waitgroup
 * @latch: the file's latch
 * @gen: the generation returned
 * @canceled: it was returned canceled, before it completed
 *
 * A completion latched for that generation or an older one has been
 * reported: the latch lets it go.
 */
void wg_latch_seen(struct waitgroup *wg, struct wg_latch *latch, u64 gen,
		   bool canceled)
{
	unsigned long flags;

	spin_lock_irqsave(&wg->wq.lock, flags);
	wg_latch_seen_locked(wg, latch, gen, canceled);
	wg_unlock(wg, flags);
}

/**
 * wg_latch_exit() - the file goes: take its latch off the group
 * @wg: the waitgroup
 * @latch: the latch
 *
 * Always under the lock: a completion may still be waking the file's poll
 * queue after it marked the latch done. The records kept for the file's
 * threads go with it.
 */
void wg_latch_exit(struct waitgroup *wg, struct wg_latch *latch)
{
	unsigned long flags;
	LIST_HEAD(gone);
	struct wg_kept *k;

	spin_lock_irqsave(&wg->wq.lock, flags);
	list_del_init(&latch->w.node);
	list_for_each_entry(k, &latch->kept, link)
		list_del_init(&k->w.node);
	list_splice_init(&latch->kept, &gone);
	latch->nkept = 0;
	/* Nobody of this file waits any more: WG_LOCKED may go. */
	wg_flags_locked(wg);
	wg_unlock(wg, flags);
	wg_kept_free_list(&gone);
}
EXPORT_SYMBOL_IF_WG_KUNIT(wg_latch_exit);

