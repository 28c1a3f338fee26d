// SPDX-License-Identifier: GPL-2.0
/*
 * The group's lifetime (one kref; the charge against the limits is given
 * back when the last reference goes) and the permission check of a name.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/export.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "wg_group.h"
#include "wg_limits.h"

static void wg_group_release(struct kref *ref)
{
	struct wg_group *grp = container_of(ref, struct wg_group, ref);

	wg_uncharge(grp->owner);
	kfree(grp);
}

/**
 * wg_group_alloc() - a new, unnamed group
 * @name: its name, or "" for an anonymous group
 * @mode: permission bits of a named group
 * @count: initial counter, not negative
 *
 * The group is charged to the caller's user (wg_charge()) until it is freed.
 *
 * Context: Process context.
 * Return: the group with one reference, ERR_PTR(-ENOSPC) past a limit, or
 * ERR_PTR(-ENOMEM).
 */
struct wg_group *wg_group_alloc(const char *name, umode_t mode, int count)
{
	struct wg_group *grp;
	kuid_t owner;
	int ret;

	ret = wg_charge(&owner);
	if (ret)
		return ERR_PTR(ret);
	grp = kzalloc_obj(*grp, GFP_KERNEL_ACCOUNT);
	if (!grp) {
		wg_uncharge(owner);
		return ERR_PTR(-ENOMEM);
	}
	waitgroup_init(&grp->wg);
	waitgroup_add(&grp->wg, count);
	kref_init(&grp->ref);
	grp->owner = owner;
	grp->uid = current_fsuid();
	grp->gid = current_fsgid();
	grp->mode = mode;
	strscpy(grp->name, name, sizeof(grp->name));
	return grp;
}

void wg_group_put(struct wg_group *grp)
{
	kref_put(&grp->ref, wg_group_release);
}

/**
 * wg_group_permission() - may the caller open @grp with @access?
 * @grp: a named group
 * @access: WG_ACCESS_WAIT needs read, WG_ACCESS_ADD needs write permission
 * @audit: whether a capability check that fails is audited (not when
 *	merely listing names)
 *
 * Checks fsuid, fsgid and supplementary groups as SysV IPC does;
 * CAP_IPC_OWNER in the IPC namespace's user namespace overrides.
 *
 * Context: Process context.
 * Return: 0 or -EACCES.
 */
int wg_group_permission(struct wg_group *grp, u32 access, bool audit)
{
	struct user_namespace *ns = current->nsproxy->ipc_ns->user_ns;
	umode_t want = 0, granted;

	if (access & WG_ACCESS_WAIT)
		want |= 04;
	if (access & WG_ACCESS_ADD)
		want |= 02;
	if (uid_eq(current_fsuid(), grp->uid))
		granted = grp->mode >> 6;
	else if (in_group_p(grp->gid))
		granted = grp->mode >> 3;
	else
		granted = grp->mode;
	if (!(want & ~granted & 07))
		return 0;
	if (audit ? ns_capable(ns, CAP_IPC_OWNER) :
		    ns_capable_noaudit(ns, CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

/**
 * waitgroup_put() - drop a reference taken by waitgroup_fdget()
 * @wg: the waitgroup; never one of DEFINE_WAITGROUP() or waitgroup_init()
 *
 * Context: Process context.
 */
void waitgroup_put(struct waitgroup *wg)
{
	wg_group_put(container_of(wg, struct wg_group, wg));
}
EXPORT_SYMBOL_NS_GPL(waitgroup_put, WG_SYMBOL_NS);
