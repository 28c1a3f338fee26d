/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitgroup: Go's sync.WaitGroup for kernel code, a counter of outstanding
 * tasks that can be waited for (Documentation/core-api/waitgroup.rst).
 */
#ifndef _LINUX_WAITGROUP_H
#define _LINUX_WAITGROUP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/wait.h>

/* Results of completed generations kept for the waits that come back. */
#define WAITGROUP_RESULTS	8

/**
 * struct waitgroup - a counter of outstanding tasks that can be waited for
 * @state: the counter in the high 32 bits; in the low 32, two flags that
 *	send updates through @wq.lock (a limit or a cancel is in force;
 *	someone waits or polls, or the generation has an error to publish)
 *	and the generation number modulo 2^30, which the cmpxchg that takes
 *	the counter to zero moves
 * @done: tasks done in the batch: the magnitude of every negative add
 *	that is not an abandonment, counted before it is applied
 * @wq: its lock serialises every transition to zero that has a waiter to
 *	wake or a result to publish, and everything below; on it sleep the
 *	waiters of the running generation, beside the pollers of the
 *	group's files
 * @gen_base: the generation number when @wq.lock's holder last read it;
 *	with the tag in @state it gives the number now (@wq.lock)
 * @error: first error reported in the running generation (@wq.lock)
 * @abandoned: adds undone by abandonment in the running generation
 *	(@wq.lock)
 * @cancel_error: nonzero once the running generation is canceled: the
 *	error its waiters get (@wq.lock)
 * @limit: most the counter may reach by a positive add, 0 for no limit
 *	(@wq.lock)
 * @roomers: adders waiting for room under @limit, first come first
 *	served (@wq.lock)
 * @results: the results of recent generations completed under @wq.lock,
 *	generation g's at g % WAITGROUP_RESULTS; one completed without the
 *	lock had nothing to publish (@wq.lock)
 * @results.generation: whose result it is
 * @results.error: its first error, or its cancel's code
 * @results.abandoned: its adds undone by abandonment
 * @results.canceled: it was canceled
 * @batch: the rest of the batch's totals (@wq.lock); the batch runs
 *	from waitgroup_init() to the next waitgroup_totals_reset()
 * @batch.failed: tasks done with an error
 * @batch.abandoned: adds undone by abandonment
 * @batch.error: the first error, EOWNERDEAD for an abandonment
 *
 * Treat the members as private: use the functions below.
 */
struct waitgroup {
	atomic64_t state;
	atomic64_t done;
	wait_queue_head_t wq;
	u64 gen_base;
	int error;
	unsigned int abandoned;
	int cancel_error;
	unsigned int limit;
	struct list_head roomers;
	struct {
		u64 generation;
		int error;
		unsigned int abandoned;
		bool canceled;
	} results[WAITGROUP_RESULTS];
	struct {
		u64 failed;
		u64 abandoned;
		int error;
	} batch;
};

/**
 * struct waitgroup_totals - the tasks of a batch, as waitgroup_totals()
 * reads them
 * @done: tasks done (the magnitude of every negative add)
 * @failed: of them, those done with an error
 * @abandoned: adds undone by abandonment
 * @error: the first error among them, EOWNERDEAD for an abandonment
 */
struct waitgroup_totals {
	u64 done;
	u64 failed;
	u64 abandoned;
	int error;
};

#define __WAITGROUP_INITIALIZER(name) {					\
	.state = ATOMIC64_INIT(0),					\
	.done = ATOMIC64_INIT(0),					\
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER((name).wq),			\
	.roomers = LIST_HEAD_INIT((name).roomers),			\
}

/**
 * DEFINE_WAITGROUP - define and initialise a waitgroup with counter 0
 * @name: name of the variable
 *
 * For a static or global waitgroup; on the stack, use
 * DEFINE_WAITGROUP_ONSTACK().
 */
#define DEFINE_WAITGROUP(name) \
	struct waitgroup name = __WAITGROUP_INITIALIZER(name)

#ifdef CONFIG_LOCKDEP
#define __WAITGROUP_INITIALIZER_ONSTACK(name) \
	(*({ waitgroup_init(&(name)); &(name); }))
#else
#define __WAITGROUP_INITIALIZER_ONSTACK(name) __WAITGROUP_INITIALIZER(name)
#endif

/**
 * DEFINE_WAITGROUP_ONSTACK - define a waitgroup with counter 0 on the stack
 * @name: name of the variable
 *
 * Like DECLARE_COMPLETION_ONSTACK(): lockdep needs the wait queue's lock of
 * an object on the stack to be initialised at run time, not statically.
 */
#define DEFINE_WAITGROUP_ONSTACK(name) \
	struct waitgroup name = __WAITGROUP_INITIALIZER_ONSTACK(name)

/**
 * WAITGROUP_NS - the symbol namespace of this API, as a string
 */
#define WAITGROUP_NS	"WAITGROUP"

/**
 * WAITGROUP_IMPORT_NS - import the symbol namespace of this API
 *
 * Writes the modinfo tag import_ns that MODULE_IMPORT_NS() makes of an
 * identifier before 6.13 and of a string since, so that a user module
 * needs no version test. Use it where MODULE_LICENSE() goes.
 */
#define WAITGROUP_IMPORT_NS()	MODULE_INFO(import_ns, WAITGROUP_NS)

void waitgroup_init(struct waitgroup *wg);
int waitgroup_add(struct waitgroup *wg, int delta);
int waitgroup_done(struct waitgroup *wg);
int waitgroup_count(struct waitgroup *wg);
void waitgroup_wait(struct waitgroup *wg);
int waitgroup_wait_interruptible(struct waitgroup *wg);
int waitgroup_wait_killable(struct waitgroup *wg);
int waitgroup_wait_resume(struct waitgroup *wg, u64 *target);
long waitgroup_wait_timeout(struct waitgroup *wg, long timeout);
int waitgroup_set_limit(struct waitgroup *wg, unsigned int limit);
int waitgroup_add_killable(struct waitgroup *wg, int delta);
bool waitgroup_cancel(struct waitgroup *wg, int error);
void waitgroup_totals(struct waitgroup *wg, struct waitgroup_totals *t);
void waitgroup_totals_reset(struct waitgroup *wg, struct waitgroup_totals *t);

struct waitgroup *waitgroup_fdget(int fd);
void waitgroup_put(struct waitgroup *wg);

#endif /* _LINUX_WAITGROUP_H */
