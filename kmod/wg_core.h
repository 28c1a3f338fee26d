/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The primitive's interface inside the module (wg_core.c): how the state
 * word is packed, what a wait returns, and the calls beyond
 * <linux/waitgroup.h> that the group files and the KUnit suite use.
 */
#ifndef _WG_CORE_H
#define _WG_CORE_H

#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/ktime.h>
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
 * WG_LOCKED: a completion needs wq.lock, because someone sleeps or polls
 * on wq or the running generation has an error or an abandoned add to
 * publish. Set under wq.lock by the cmpxchg that makes it so; cleared,
 * under wq.lock, only once none of that is true. Without it (and
 * WG_SLOW), the done that reaches zero completes the generation in its
 * own cmpxchg, without the lock.
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
 * struct wg_result - what a wait returns: a generation and its result
 * @generation: its number (the count of completions when it completed)
 * @error: the first error reported in it, or its cancel's code
 * @abandoned: how many of its adds were undone by abandonment
 * @canceled: it was canceled. A wait that a cancel releases gets the
 *	generation before it completes (the counter may still be draining).
 * @expired: it completed so long ago that its result has left the ring
 *	(WAITGROUP_RESULTS); @error and @abandoned are 0 and say nothing
 */
struct wg_result {
	u64 generation;
	int error;
	unsigned int abandoned;
	bool canceled;
	bool expired;
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

/*
 * An open file's mark for poll (wg_file.c): the newest generation the
 * file has reported, or WG_UNPOLLED until it is first polled.
 */
#define WG_UNPOLLED	U64_MAX

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

int __waitgroup_wait(struct waitgroup *wg, atomic64_t *seen,
		     unsigned int state, ktime_t timeout, unsigned int flags,
		     u64 *target, struct wg_result *res);
__poll_t __waitgroup_poll(struct waitgroup *wg, atomic64_t *seen,
			  struct file *file, poll_table *pt);
void __waitgroup_snapshot(struct waitgroup *wg, struct wg_snapshot *snap);

#endif /* _WG_CORE_H */
