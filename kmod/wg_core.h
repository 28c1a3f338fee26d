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
 * waitgroup.state: the counter in the high 32 bits; in the low 32 two
 * flags and the generation's tag, its number modulo 2^30, which moves in
 * the cmpxchg that takes the counter to zero. "Why no wakeup is lost" in
 * wg_core.c says when each is set and what for.
 */
#define WG_COUNT_SHIFT	32
#define WG_SLOW		BIT(31)	/* a limit or a cancel: every update locks */
#define WG_LOCKED	BIT(30)	/* a completion must lock: point 9 */
#define WG_TAG_BITS	30
#define WG_TAG_MASK	(BIT(WG_TAG_BITS) - 1)
/* A lock-free completion refuses to make the tag a multiple of this. */
#define WG_TAG_SYNC	BIT(20)

static inline int wg_count(s64 state)
{
	return (int)((u64)state >> WG_COUNT_SHIFT);
}

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
 * @totals: the batch's totals
 */
struct wg_snapshot {
	int count;
	unsigned int waiters;
	unsigned int limit;
	unsigned int room_waiters;
	int cancel_error;
	struct wg_result last;
	struct waitgroup_totals totals;
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
