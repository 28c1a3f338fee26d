/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A waitgroup as the module shares it (wg_group.c): the primitive with a
 * reference count, an owner charged against the limits, and the name and
 * permissions of a named group.
 */
#ifndef _WG_GROUP_H
#define _WG_GROUP_H

#include <linux/kref.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/waitgroup.h>

#include "wg_core.h"

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

#endif /* _WG_GROUP_H */
