// SPDX-License-Identifier: GPL-2.0
/*
 * Limits on the number of groups: max_groups in all and max_groups_per_user
 * for each user, which outside the initial user namespace is the owner of
 * the outermost one (Documentation/userspace-api/waitgroup.rst): the flat
 * kuid would give a delegated range of uids a budget each. The kernel's own
 * rule, kernel/ucount.c's inc_ucount(), charges (user namespace, uid) and
 * then, level by level, (parent, owner of the namespace), because each
 * level has its own limits there. Here one limit applies to all levels,
 * and the outermost level counts every group that any inner level counts,
 * so charging that level alone refuses exactly what charging every level
 * would. (inc_ucount() is not exported.)
 *
 * The uid charged is stored in the group and the uncharge takes it from
 * there, so nothing the creator does later and no namespace going away
 * changes what is given back. A uid is a value: nothing is pinned.
 */
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>

#include "wg_compat.h"
#include "wg_limits.h"

static unsigned int max_groups = 1U << 20;
module_param(max_groups, uint, 0644);
MODULE_PARM_DESC(max_groups, "Most waitgroups in existence at once (default 1048576)");

static unsigned int max_groups_per_user = 1U << 17;
module_param(max_groups_per_user, uint, 0644);
MODULE_PARM_DESC(max_groups_per_user,
		 "Most waitgroups one user may own at once, its user namespaces' uids included (default 131072)");

#define WG_USERS_HASH_BITS	8

/**
 * struct wg_user - how many groups are charged to one user
 * @node: entry in wg_users
 * @uid: the uid
 * @groups: its groups; the entry goes when this drops to zero
 */
struct wg_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int groups;
};

static DEFINE_SPINLOCK(wg_users_lock);
static DEFINE_HASHTABLE(wg_users, WG_USERS_HASH_BITS);
static atomic_t wg_nr_groups = ATOMIC_INIT(0);

static int wg_nr_groups_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&wg_nr_groups));
}

static const struct kernel_param_ops wg_nr_groups_ops = {
	.get = wg_nr_groups_get,
};

module_param_cb(nr_groups, &wg_nr_groups_ops, NULL, 0444);
MODULE_PARM_DESC(nr_groups, "Waitgroups in existence now (read-only)");

/*
 * Each namespace holds a reference to its parent and the caller's cred to
 * its own, so the walk needs no lock; owner never changes.
 */
static kuid_t wg_charge_uid(void)
{
	const struct user_namespace *ns = current_user_ns();

	if (ns == &init_user_ns)
		return current_uid();
	while (ns->parent != &init_user_ns)
		ns = ns->parent;
	return ns->owner;
}

static struct wg_user *wg_user_find(kuid_t uid)
{
	struct wg_user *user;

	hash_for_each_possible(wg_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * wg_charge() - account one more group to the caller's user
 * @charged: set to the uid charged, which wg_uncharge() must be given
 *
 * Context: Process context.
 * Return: 0, -ENOSPC past max_groups or max_groups_per_user, -ENOMEM.
 */
int wg_charge(kuid_t *charged)
{
	kuid_t uid = wg_charge_uid();
	struct wg_user *user, *new;
	int ret = 0;

	if (atomic_inc_return(&wg_nr_groups) > READ_ONCE(max_groups)) {
		ret = -ENOSPC;
		goto out_uncount;
	}
	new = kzalloc_obj(*new, GFP_KERNEL_ACCOUNT);
	spin_lock(&wg_users_lock);
	user = wg_user_find(uid);
	if (!user && new) {
		user = new;
		new = NULL;
		user->uid = uid;
		hash_add(wg_users, &user->node, __kuid_val(uid));
	}
	if (!user)
		ret = -ENOMEM;
	else if (user->groups >= READ_ONCE(max_groups_per_user))
		ret = -ENOSPC;
	else
		user->groups++;
	if (user && !user->groups) {
		hash_del(&user->node);
		kfree(user);
	}
	spin_unlock(&wg_users_lock);
	kfree(new);
	if (!ret) {
		*charged = uid;
		return 0;
	}
out_uncount:
	atomic_dec(&wg_nr_groups);
	return ret;
}

/**
 * wg_uncharge() - a group charged to @uid is gone
 * @uid: what wg_charge() set, whatever the caller's namespace is now
 *
 * Context: Any context that may take a spinlock.
 */
void wg_uncharge(kuid_t uid)
{
	struct wg_user *user;

	spin_lock(&wg_users_lock);
	user = wg_user_find(uid);
	if (!WARN_ON_ONCE(!user) && !--user->groups) {
		hash_del(&user->node);
		kfree(user);
	}
	spin_unlock(&wg_users_lock);
	atomic_dec(&wg_nr_groups);
}
