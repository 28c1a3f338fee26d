/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitgroup module internals, shared by the primitive (wg_core.c), the
 * character device (wg_dev.c) and the name registry (wg_names.c).
 */
#ifndef _WG_INTERNAL_H
#define _WG_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
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

/* wg_core.c: the parts of the primitive only this module uses. */
int __waitgroup_add(struct waitgroup *wg, int delta, int error);
unsigned int __waitgroup_abandon(struct waitgroup *wg, unsigned int n);
int __waitgroup_wait_since(struct waitgroup *wg, u64 seen, u64 deadline_ns,
			   struct wg_result *res);
void __waitgroup_snapshot(struct waitgroup *wg, int *count,
			  unsigned int *waiters, struct wg_result *res);
u64 waitgroup_generation(struct waitgroup *wg);

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
 * @owner: the real uid charged for this group against the per-user limit
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
int wg_charge(kuid_t uid);
void wg_uncharge(kuid_t uid);

/* wg_names.c */
int wg_names_link(struct wg_group *grp, bool excl, struct wg_group **found);
struct wg_group *wg_names_lookup(const char *name);
int wg_names_unlink(const char *name);
unsigned int wg_names_list(char *buf, unsigned int count, u64 *cursor);
void wg_names_exit(void);

#endif /* _WG_INTERNAL_H */
