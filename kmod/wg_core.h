/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The primitive's interface inside the module (wg_core.c): how the state
 * word is packed, the result a completion leaves, the records it fills in,
 * the poll latch, and the calls beyond <linux/waitgroup.h> that the group
 * files and the KUnit suite use.
 */
#ifndef _WG_CORE_H
#define _WG_CORE_H

#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/waitgroup.h>

#include "wg_compat.h"

/*
 * waitgroup.state: the counter in the high 32 bits; in the low 32,
 * WG_SLOW, WG_LOCKED and the generation's tag (bits 0 to 29): the
 * generation number modulo 2^30, which moves in the same cmpxchg that
 * takes the counter to zero ("Why no wakeup is lost" in wg_core.c).
 */
#define WG_COUNT_SHIFT	32

/*
 * WG_SLOW: a limit or a cancel is in force, so every update must take
 * wq.lock (the lock-free path in __waitgroup_add() refuses). Set and
 * cleared only under wq.lock, by cmpxchg on the state word itself.
 */
#define WG_SLOW		BIT(31)

/*
 * WG_LOCKED: a completion now needs wq.lock, because someone waits or
 * polls (a record is on the results list) or the running generation has
 * an error or an abandoned add to publish. Set under wq.lock by the
 * cmpxchg that makes it so; cleared, under wq.lock, only once none of
 * that is true. Without it (and WG_SLOW), the done that reaches zero
 * completes the generation in its own cmpxchg, without the lock.
 */
#define WG_LOCKED	BIT(30)

#define WG_TAG_BITS	30
#define WG_TAG_MASK	(BIT(WG_TAG_BITS) - 1)
/*
 * A lock-free completion refuses when its tag would be a multiple of
 * this: at least one completion in that many takes the lock and brings
 * waitgroup.gen_base up to date, so the tag (2^30 apart) never wraps
 * past it.
 */
#define WG_TAG_SYNC	BIT(20)

static inline int wg_count(s64 state)
{
	return (int)((u64)state >> WG_COUNT_SHIFT);
}

/* The low half: WG_SLOW, WG_LOCKED and the tag. */
static inline u32 wg_low(s64 state)
{
	return (u32)state;
}

static inline u32 wg_tag(s64 state)
{
	return (u32)state & WG_TAG_MASK;
}

static inline s64 wg_pack(int count, u32 low)
{
	return (s64)(((u64)(u32)count << WG_COUNT_SHIFT) | low);
}

/**
 * struct wg_result - what a completed generation leaves behind
 * @generation: its number (the count of completions so far)
 * @error: the first error reported in it
 * @abandoned: how many of its adds were undone by abandonment
 * @canceled: it was canceled; @error is then the cancel's code. A waiter
 *	that a cancel releases gets the generation's number before it
 *	completes (the counter may still be draining).
 */
struct wg_result {
	u64 generation;
	int error;
	unsigned int abandoned;
	bool canceled;
};

/**
 * struct wg_snapshot - a consistent view of a waitgroup, for tools
 * @count: the counter
 * @waiters: the sleeping waiters
 * @limit: the limit, 0 for none
 * @room_waiters: adders waiting for room
 * @cancel_error: nonzero if the running generation is canceled
 * @last: the last completed generation
 */
struct wg_snapshot {
	int count;
	unsigned int waiters;
	unsigned int limit;
	unsigned int room_waiters;
	int cancel_error;
	struct wg_result last;
};

/**
 * struct wg_waiter - a record the next completion fills in
 * @node: entry in waitgroup.results until the completion (wq.lock)
 * @pollq: NULL for a sleeper; for a polled file, its poll queue, which the
 *	completion wakes, and only while someone is on it
 * @task: a sleeper's task, which the unlock after its release wakes;
 *	NULL for a polled file and for a kept record (struct wg_kept)
 * @res: the result of the generation that completed, once @done
 * @keep: a file's record only: filled even if nobody polls the file, for
 *	the wait a signal interrupted, whose restart must still get the
 *	generation it was waiting in, when no struct wg_kept could be had
 *	for it (wq.lock)
 * @coe: a sleeper that cancels the generation on its first error
 * @cancelable: a sleeper that a cancel releases (a userspace wait); the
 *	kernel API's waits wait for the counter to drain, and so does a
 *	kept record
 * @released: a sleeper's record only: the completion (or a cancel) has
 *	written @res and moved the record to waitgroup.released, and @done
 *	follows after wq.lock is dropped (wq.lock)
 * @restores: a sleeper's record only: waitgroup.restores when it began
 *	(wq.lock)
 * @latched: a sleeper's record only, set by the completion that
 *	releases it: that completion filled a file's latch, or a latch was
 *	given a result back (wg_latch_restore()) since the sleeper began;
 *	its own file's latch may then hold the generation it returns, and
 *	the waiter looks at it on its way out. Written under wq.lock before
 *	@done, read after it.
 * @done: set, with release ordering, once @res is written: under wq.lock
 *	for a polled file and a kept record, by whoever wakes
 *	waitgroup.released for a sleeper
 *
 * A sleeper's record lives on its stack: once @done is set it may return
 * and the record is gone, so nobody touches it after that.
 */
struct wg_waiter {
	struct list_head node;
	wait_queue_head_t *pollq;
	struct task_struct *task;
	struct wg_result res;
	unsigned int restores;
	bool keep;
	bool coe;
	bool cancelable;
	bool released;
	bool latched;
	bool done;
};

/**
 * struct wg_kept - the generation a signal took a thread's wait out of
 * @w: the record the completion of that generation fills in; no task,
 *	not cancelable
 * @link: entry in wg_latch.kept (wq.lock)
 * @pid: the thread: its next wait of the file takes the record
 * @thread: the thread's task, compared and never dereferenced: an exec
 *	gives the execing thread its dead leader's pid (de_thread())
 *
 * A wait that a signal ends may be restarted (SA_RESTART, a stop and
 * continue), and must then return for the generation it began in even if
 * that completes meanwhile. The kernel cannot tell the restarted call
 * from a new one, but it knows the thread: its record takes the sleeper's
 * place on the results list, and the thread's next wait of the file
 * returns it if it is done, or else waits for the same generation itself.
 * Waits of other threads of the file neither take it nor end it.
 */
struct wg_kept {
	struct wg_waiter w;
	struct list_head link;
	struct pid *pid;
	const struct task_struct *thread;
};

/* Kept records of one file, of live and dead threads: at most this many. */
#define WG_KEPT_MAX	64

/**
 * struct wg_latch - what poll() remembers for one open file
 * @w: the record the completion fills in while the file is polled
 * @pollq: the file's pollers (poll, select, epoll)
 * @seen: the newest canceled generation a wait of the file returned: its
 *	completion is not latched again (wq.lock)
 * @kept: the file's struct wg_kept records (wq.lock)
 * @nkept: how many (wq.lock)
 *
 * A completion that happens while someone polls the file is latched:
 * poll() reports it and the file's next wait returns it.
 */
struct wg_latch {
	struct wg_waiter w;
	wait_queue_head_t pollq;
	u64 seen;
	struct list_head kept;
	unsigned int nkept;
};

/*
 * What the KUnit suite tests beyond the kernel API is exported to it (in
 * the module's namespace) only on a kernel that has KUnit, as upstream's
 * EXPORT_SYMBOL_IF_KUNIT() does.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_WG_KUNIT(sym)	EXPORT_SYMBOL_NS_GPL(sym, WG_SYMBOL_NS)
#else
#define EXPORT_SYMBOL_IF_WG_KUNIT(sym)
#endif

/* wg_core.c: the parts of the primitive only this module uses. */
int __waitgroup_add(struct waitgroup *wg, int delta, int error);
int __waitgroup_add_wait(struct waitgroup *wg, int delta, unsigned int state,
			 ktime_t timeout);
unsigned int __waitgroup_abandon(struct waitgroup *wg, unsigned int n);

/* __waitgroup_wait() flags. */
#define WG_WAIT_COE	BIT(0)	/* the first error cancels the generation */
#define WG_WAIT_CANCEL	BIT(1)	/* a cancel releases the wait */

int __waitgroup_wait(struct waitgroup *wg, struct wg_latch *latch,
		     unsigned int state, ktime_t timeout, unsigned int flags,
		     struct wg_result *res);
u64 __waitgroup_generation(struct waitgroup *wg, unsigned int *waiters);
void __waitgroup_snapshot(struct waitgroup *wg, struct wg_snapshot *snap);
void wg_latch_init(struct wg_latch *latch);
__poll_t wg_latch_poll(struct waitgroup *wg, struct wg_latch *latch,
		       struct file *file, poll_table *pt);
void wg_latch_restore(struct waitgroup *wg, struct wg_latch *latch,
		      const struct wg_result *res);
void wg_latch_seen(struct waitgroup *wg, struct wg_latch *latch, u64 gen,
		   bool canceled);
void wg_latch_exit(struct waitgroup *wg, struct wg_latch *latch);

#endif /* _WG_CORE_H */
