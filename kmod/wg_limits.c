// SPDX-License-Identifier: GPL-2.0
/*
 * Limits on the number of groups: max_groups in all and
 * max_groups_per_user for each user, both module parameters readable
 * (and, by root, writable) in /sys/module/waitgroup/parameters/. A group is
 * charged to one user for as long as it exists, so one user cannot use up
 * another's share.
 *
 * Which user: in the initial user namespace, the creator's real uid. In any
 * other, the owner of the outermost user namespace below the initial one,
 * that is the user who created the container and whose subordinate uids
 * (/etc/subuid, newuidmap) it runs as, whatever uid the creator has inside.
 * Charging the flat kuid would give a user with a delegated range a budget
 * per mapped uid: 65536 budgets for one rootless container.
 *
 * This is the kernel's own rule, kernel/ucount.c: inc_ucount() and
 * inc_rlimit_ucounts() charge (user namespace, uid) and then, level by level,
 * (parent, owner of the namespace), so in init_user_ns a container's
 * RLIMIT_NPROC and inotify instances count against its owner. The kernel
 * does it at every level because each namespace has its own limits there.
 * Here one limit applies to all levels, and the outermost level counts every
 * group that any inner level counts, so charging that level alone refuses
 * exactly what charging every level would. (inc_ucount() itself is not
 * exported to modules.) The consequence is the kernel's too: containers
 * that root creates all share root's budget; raise max_groups_per_user on
 * a host that runs many.
 *
 * The uid charged is stored in the group (wg_group.owner) and the uncharge
 * takes it from there, so nothing the creator does later (setns, another
 * unshare, setuid, exit) and no namespace going away changes what is given
 * back. A uid is a value, not a reference: nothing is pinned.
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

/* Read-only: how many groups exist now, named or not, in all namespaces. */
module_param_cb(nr_groups, &wg_nr_groups_ops, NULL, 0444);
MODULE_PARM_DESC(nr_groups, "Waitgroups in existence now (read-only)");

/*
 * The user a group created now is charged to: the real uid in the initial
 * user namespace, else the owner of the outermost namespace below it. Each
 * namespace holds a reference to its parent and the caller's cred to its
 * own, so the walk needs no lock; owner never changes.
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
 * The uid is the caller's real uid in the initial user namespace, else
 * the owner of its outermost user namespace (see the top of this file).
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
