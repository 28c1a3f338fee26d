/* SPDX-License-Identifier: GPL-2.0 */
/* A waitgroup as the module shares it (wg_group.c). */
#ifndef _WG_GROUP_H
#define _WG_GROUP_H

#include <linux/kref.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/waitgroup.h>

#include "wg_core.h"

/**
 * struct wg_group - a waitgroup as the device shares it
 * @wg: the primitive
 * @ref: held by every open file, by a kernel user of waitgroup_fdget() and,
 *	while the group is named, by the registry
 * @hnode: entry in its IPC namespace's table of names (registry lock)
 * @id: the name's position in that namespace, for listing (registry lock)
 * @owner: the uid wg_charge() charged, given back to wg_uncharge()
 * @uid: owner of a named group
 * @gid: group of a named group
 * @mode: permission bits of a named group, 0 for an anonymous one
 * @name: name given at creation, empty for an anonymous group; immutable
 */
struct wg_group {
	struct waitgroup wg;
	struct kref ref;
	struct rhash_head hnode;
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
