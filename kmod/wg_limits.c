// SPDX-License-Identifier: GPL-2.0
/*
 * Limits on the number of groups: max_groups in all and
 * max_groups_per_user for each real uid, both module parameters readable
 * (and, by root, writable) in /sys/module/waitgroup/parameters/. A group is
 * charged to the real uid of its creator for as long as it exists, so one
 * user cannot use up another's share.
 */
#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "wg_internal.h"

static unsigned int max_groups = 1U << 20;
module_param(max_groups, uint, 0644);
MODULE_PARM_DESC(max_groups, "Most waitgroups in existence at once (default 1048576)");

static unsigned int max_groups_per_user = 1U << 17;
module_param(max_groups_per_user, uint, 0644);
MODULE_PARM_DESC(max_groups_per_user,
		 "Most waitgroups one real uid may own at once (default 131072)");

#define WG_USERS_HASH_BITS	8

/**
 * struct wg_user - how many groups one real uid owns
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

static struct wg_user *wg_user_find(kuid_t uid)
{
	struct wg_user *user;

	hash_for_each_possible(wg_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * wg_charge() - account one more group to @uid
 * @uid: real uid of the creator
 *
 * Context: Process context.
 * Return: 0, -ENOSPC past max_groups or max_groups_per_user, -ENOMEM.
 */
int wg_charge(kuid_t uid)
{
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
	if (!ret)
		return 0;
out_uncount:
	atomic_dec(&wg_nr_groups);
	return ret;
}

/**
 * wg_uncharge() - a group of @uid is gone
 * @uid: the uid it was charged to
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
