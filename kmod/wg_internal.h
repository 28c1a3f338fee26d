/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitgroup module internals, shared by the primitive (wg_core.c), the
 * character device (wg_dev.c) and the name registry (wg_names.c).
 */
#ifndef _WG_INTERNAL_H
#define _WG_INTERNAL_H

#include <linux/export.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/waitgroup.h>
#include <uapi/linux/waitgroup.h>

#include "wg_compat.h"

/* Passed as a deadline: never time out. Same value as WG_FOREVER. */
#define WG_NO_DEADLINE		U64_MAX

/**
 * struct wg_result - what a completed generation leaves behind
 * @generation: its number (the count of completions so far)
 * @error: the first error reported in it
 * @abandoned: how many of its adds were undone by abandonment
 */
struct wg_result {
	u64 generation;
	int error;
	unsigned int abandoned;
};

/**
 * struct wg_waiter - a record the next completion fills in
 * @node: entry in waitgroup.results until the completion (wq.lock)
 * @pollq: NULL for a sleeper; for a polled file, its poll queue, which the
 *	completion wakes, and only while someone is on it
 * @res: the result of the generation that completed, once @done
 * @keep: a file's record only: filled even if nobody polls the file, for
 *	the wait a signal interrupted, whose restart must still get the
 *	generation it was waiting in (wq.lock)
 * @done: set, with release ordering, once @res is written (wq.lock)
 *
 * A sleeper's record lives on its stack: once @done is set it may return
 * and the record is gone, so the completion never touches it after that.
 */
struct wg_waiter {
	struct list_head node;
	wait_queue_head_t *pollq;
	struct wg_result res;
	bool keep;
	bool done;
};

/**
 * struct wg_latch - what poll() remembers for one open file
 * @w: the record the completion fills in while the file is polled
 * @pollq: the file's pollers (poll, select, epoll)
 *
 * A completion that happens while someone polls the file is latched:
 * poll() reports it and the file's next wait returns it.
 */
struct wg_latch {
	struct wg_waiter w;
	wait_queue_head_t pollq;
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
unsigned int __waitgroup_abandon(struct waitgroup *wg, unsigned int n);
int __waitgroup_wait(struct waitgroup *wg, struct wg_latch *latch,
		     unsigned int state, ktime_t timeout, struct wg_result *res);
void __waitgroup_snapshot(struct waitgroup *wg, int *count,
			  unsigned int *waiters, struct wg_result *res);
void wg_latch_init(struct wg_latch *latch);
__poll_t wg_latch_poll(struct waitgroup *wg, struct wg_latch *latch,
		       struct file *file, poll_table *pt);
void wg_latch_restore(struct waitgroup *wg, struct wg_latch *latch,
		      const struct wg_result *res);
void wg_latch_seen(struct waitgroup *wg, struct wg_latch *latch, u64 gen);
void wg_latch_exit(struct waitgroup *wg, struct wg_latch *latch);

struct wg_ns;

/**
 * struct wg_group - a waitgroup as the device shares it
 * @wg: the primitive
 * @ref: held by every open file, by a kernel user of waitgroup_fdget() and,
 *	while the group is named, by the registry
 * @hnode: entry in @wns's table of names (@wns's lock)
 * @wns: namespace registry the name is linked in, NULL once unlinked
 *	or for an anonymous group (@wns's lock)
 * @id: the name's position in @wns, for listing (@wns's lock)
 * @owner: the uid charged for this group against the per-user limit, as
 *	wg_charge() chose it; given back to wg_uncharge() when it is freed
 * @uid: owner of a named group
 * @gid: group of a named group
 * @mode: permission bits of a named group, 0 for an anonymous one
 * @name: name given at creation, empty for an anonymous group; immutable
 */
struct wg_group {
	struct waitgroup wg;
	struct kref ref;
	struct rhash_head hnode;
	struct wg_ns *wns;
	unsigned long id;
	kuid_t owner;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	char name[WG_NAME_MAX];
};

struct wg_group *wg_group_alloc(const char *name, umode_t mode, int count);
void wg_group_put(struct wg_group *grp);

static inline struct wg_group *wg_group_get(struct wg_group *grp)
{
	kref_get(&grp->ref);
	return grp;
}

int wg_group_permission(struct wg_group *grp, u32 access, bool audit);

/* wg_limits.c */
int wg_charge(kuid_t *charged);
void wg_uncharge(kuid_t uid);

/* wg_names.c */
int wg_names_link(struct wg_group *grp, bool excl, struct wg_group **found);
struct wg_group *wg_names_lookup(const char *name);
int wg_names_unlink(const char *name);
unsigned int wg_names_list(char *buf, unsigned int count, u64 *cursor);
void wg_names_exit(void);

#endif /* _WG_INTERNAL_H */
