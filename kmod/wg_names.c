// SPDX-License-Identifier: GPL-2.0
/*
 * The name registry: named waitgroups, one name space per IPC namespace.
 *
 * Names are keyed by (namespace, name). A namespace's address is reused once
 * it dies, so the registry pins every namespace that holds names (struct
 * wg_ns) and drops the pin through the namespace's own ns.ops->put once the
 * last name goes. A namespace whose only reference left is that pin can no
 * longer be reached by any task or nsfs file: its names are reaped, as SysV
 * IPC destroys a dead namespace's objects.
 *
 * Everything here runs under wg_names_lock. The registry holds one
 * reference on each named group.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/xarray.h>

#include "wg_internal.h"

#define WG_NAMES_HASH_BITS	14

/**
 * struct wg_ns - the names of one IPC namespace
 * @node: entry in wg_ns_list
 * @ns: the namespace, pinned while it holds names
 * @groups: its named groups
 * @ids: its named groups by id, for listing with a stable cursor
 * @next_id: id of the next name linked; ids only grow
 */
struct wg_ns {
	struct list_head node;
	struct ipc_namespace *ns;
	struct list_head groups;
	struct xarray ids;
	unsigned long next_id;
};

static DEFINE_MUTEX(wg_names_lock);
static DEFINE_HASHTABLE(wg_names, WG_NAMES_HASH_BITS);
static LIST_HEAD(wg_ns_list);

static u32 wg_name_hash(const struct wg_ns *wns, const char *name)
{
	return full_name_hash(wns, name, strlen(name));
}

static struct wg_ns *wg_ns_find(struct ipc_namespace *ns)
{
	struct wg_ns *wns;

	list_for_each_entry(wns, &wg_ns_list, node)
		if (wns->ns == ns)
			return wns;
	return NULL;
}

static struct wg_ns *wg_ns_create(struct ipc_namespace *ns)
{
	struct wg_ns *wns;

	wns = kzalloc_obj(*wns, GFP_KERNEL_ACCOUNT);
	if (!wns)
		return NULL;
	wns->ns = wg_ipc_ns_get(ns);
	INIT_LIST_HEAD(&wns->groups);
	xa_init(&wns->ids);
	list_add(&wns->node, &wg_ns_list);
	return wns;
}

static void wg_ns_destroy(struct wg_ns *wns)
{
	xa_destroy(&wns->ids);
	list_del(&wns->node);
	wg_ipc_ns_put(wns->ns);
	kfree(wns);
}

/* Remove @grp's name and drop the registry's reference. */
static void wg_unlink_locked(struct wg_group *grp)
{
	lockdep_assert_held(&wg_names_lock);

	hash_del(&grp->hnode);
	list_del(&grp->ns_node);
	xa_erase(&grp->wns->ids, grp->id);
	grp->wns = NULL;
	wg_group_put(grp);
}

/* Unlink every name of @wns, then unpin its namespace. */
static void wg_ns_unlink_all(struct wg_ns *wns)
{
	struct wg_group *grp, *tmp;

	list_for_each_entry_safe(grp, tmp, &wns->groups, ns_node)
		wg_unlink_locked(grp);
	wg_ns_destroy(wns);
}

/* Reap the names of namespaces that nothing but the registry holds. */
static void wg_names_reap_locked(void)
{
	struct wg_ns *wns, *tmp;

	list_for_each_entry_safe(wns, tmp, &wg_ns_list, node)
		if (wg_ipc_ns_orphaned(wns->ns))
			wg_ns_unlink_all(wns);
}

static struct wg_group *wg_find_locked(struct wg_ns *wns, const char *name)
{
	struct wg_group *grp;

	if (!wns)
		return NULL;
	hash_for_each_possible(wg_names, grp, hnode, wg_name_hash(wns, name))
		if (grp->wns == wns && !strcmp(grp->name, name))
			return grp;
	return NULL;
}

static struct ipc_namespace *wg_current_ns(void)
{
	return current->nsproxy->ipc_ns;
}

/**
 * wg_names_link() - give @grp its name in the caller's IPC namespace
 * @grp: a new, unnamed group whose name field is set
 * @excl: fail if the name exists
 * @found: where to return an existing group of that name, with a reference
 *
 * Context: Process context; takes wg_names_lock.
 * Return: 0 if @grp was linked; 1 with *@found set if the name already
 * exists and @excl is false; -EEXIST, -ENOMEM.
 */
int wg_names_link(struct wg_group *grp, bool excl, struct wg_group **found)
{
	struct ipc_namespace *ns = wg_current_ns();
	struct wg_group *old;
	struct wg_ns *wns;
	int ret = 0;

	mutex_lock(&wg_names_lock);
	wg_names_reap_locked();
	wns = wg_ns_find(ns);
	old = wg_find_locked(wns, grp->name);
	if (old) {
		ret = excl ? -EEXIST : 1;
		if (!excl)
			*found = wg_group_get(old);
		goto out_unlock;
	}
	if (!wns) {
		wns = wg_ns_create(ns);
		if (!wns) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	grp->id = ++wns->next_id;
	ret = xa_insert(&wns->ids, grp->id, grp, GFP_KERNEL_ACCOUNT);
	if (ret) {
		if (list_empty(&wns->groups))
			wg_ns_destroy(wns);
		goto out_unlock;
	}
	grp->wns = wns;
	list_add(&grp->ns_node, &wns->groups);
	hash_add(wg_names, &grp->hnode, wg_name_hash(wns, grp->name));
	wg_group_get(grp);
out_unlock:
	mutex_unlock(&wg_names_lock);
	return ret;
}

/**
 * wg_names_lookup() - find a named group in the caller's IPC namespace
 * @name: its name
 *
 * Context: Process context; takes wg_names_lock.
 * Return: the group with a reference taken, or ERR_PTR(-ENOENT).
 */
struct wg_group *wg_names_lookup(const char *name)
{
	struct wg_group *grp;

	mutex_lock(&wg_names_lock);
	wg_names_reap_locked();
	grp = wg_find_locked(wg_ns_find(wg_current_ns()), name);
	if (grp)
		wg_group_get(grp);
	mutex_unlock(&wg_names_lock);
	return grp ?: ERR_PTR(-ENOENT);
}

/**
 * wg_names_unlink() - remove a name from the caller's IPC namespace
 * @name: the name
 *
 * Only the owner or a holder of CAP_IPC_OWNER in the namespace's user
 * namespace may do it. Open descriptors keep working.
 *
 * Context: Process context; takes wg_names_lock.
 * Return: 0, -ENOENT or -EPERM.
 */
int wg_names_unlink(const char *name)
{
	struct ipc_namespace *ns = wg_current_ns();
	struct wg_group *grp;
	struct wg_ns *wns;
	int ret = 0;

	mutex_lock(&wg_names_lock);
	wg_names_reap_locked();
	wns = wg_ns_find(ns);
	grp = wg_find_locked(wns, name);
	if (!grp) {
		ret = -ENOENT;
	} else if (!uid_eq(current_fsuid(), grp->uid) &&
		   !ns_capable(ns->user_ns, CAP_IPC_OWNER)) {
		ret = -EPERM;
	} else {
		wg_unlink_locked(grp);
		if (list_empty(&wns->groups))
			wg_ns_destroy(wns);
	}
	mutex_unlock(&wg_names_lock);
	return ret;
}

/**
 * wg_names_list() - names of the caller's IPC namespace it may wait on
 * @buf: room for @count names of WG_NAME_MAX bytes each
 * @count: how many names fit in @buf
 * @cursor: in: id after which to start, 0 for the beginning; out: the id
 *	of the last name returned, 0 if the end was reached
 *
 * Context: Process context; takes wg_names_lock.
 * Return: how many names were written to @buf.
 */
unsigned int wg_names_list(char *buf, unsigned int count, u64 *cursor)
{
	struct wg_group *grp;
	unsigned long id = *cursor;
	unsigned int n = 0;
	struct wg_ns *wns;

	*cursor = 0;
	mutex_lock(&wg_names_lock);
	wg_names_reap_locked();
	wns = wg_ns_find(wg_current_ns());
	if (wns) {
		xa_for_each_start(&wns->ids, id, grp, id + 1) {
			if (n == count) {
				*cursor = grp->id - 1;
				break;
			}
			if (wg_group_permission(grp, WG_ACCESS_WAIT, false))
				continue;
			memcpy(buf + n * WG_NAME_MAX, grp->name, WG_NAME_MAX);
			n++;
		}
	}
	mutex_unlock(&wg_names_lock);
	return n;
}

/**
 * wg_names_exit() - drop every name and every namespace pin
 *
 * Context: Module unload, when no file can reach the registry any more.
 */
void wg_names_exit(void)
{
	struct wg_ns *wns, *tmp;

	mutex_lock(&wg_names_lock);
	list_for_each_entry_safe(wns, tmp, &wg_ns_list, node)
		wg_ns_unlink_all(wns);
	mutex_unlock(&wg_names_lock);
}
