// SPDX-License-Identifier: GPL-2.0
/*
 * The name registry: one struct wg_ns, with a mutex of its own, per IPC
 * namespace that holds names, found by its inode number in wg_spaces.
 *
 * A namespace's address and inode number are reused once it dies, so the
 * registry pins every namespace that holds names and drops the pin once its
 * last name goes. A namespace whose only reference left is that pin can no
 * longer be reached by any task or nsfs file: a delayed work, armed while a
 * namespace other than the initial one holds names, reaps its names, as
 * SysV IPC destroys a dead namespace's objects, and so lets it go.
 *
 * A wg_ns whose last name went is marked dead and removed from wg_spaces,
 * both under its mutex, before the pin is dropped; a caller that finds it
 * dead looks again. It is freed after an RCU grace period. The registry
 * holds one reference on each named group.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "wg_names.h"

#define WG_REAP_INTERVAL	HZ

/**
 * struct wg_ns - the names of one IPC namespace
 * @ns: the namespace, pinned while @dead is false
 * @inum: its inode number, the key in wg_spaces
 * @ref: held by wg_spaces while @dead is false, and by each caller working
 *	on it
 * @lock: serialises every registry call of the namespace
 * @dead: no longer in wg_spaces, @ns no longer pinned (@lock)
 * @names: its named groups by name (@lock)
 * @ids: its named groups by id, for listing with a stable cursor (@lock)
 * @nr_names: how many names it holds (@lock)
 * @rcu: frees it after lookups under RCU are done
 */
struct wg_ns {
	struct ipc_namespace *ns;
	unsigned int inum;
	refcount_t ref;
	struct mutex lock;	/* the namespace's registry calls */
	bool dead;
	struct rhashtable names;
	struct xarray ids;
	unsigned long nr_names;
	struct rcu_head rcu;
};

/*
 * Ids of names, for LIST's cursor: one sequence for all namespaces, so ids
 * only grow in a namespace even when its wg_ns dies and a new one is made.
 */
static atomic_long_t wg_next_id = ATOMIC_LONG_INIT(0);

static DEFINE_XARRAY(wg_spaces);
/* How many namespaces other than the initial one hold names. */
static atomic_t wg_nr_foreign = ATOMIC_INIT(0);

static void wg_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(wg_reap_work, wg_reap_fn);

/**
 * wg_name_valid() - is @name a name a group may have?
 * @name: a buffer of WG_NAME_MAX bytes, as copied from userspace
 *
 * The empty name passes: the caller decides what it means.
 *
 * Context: Any context.
 * Return: 0 if it is valid, -ENAMETOOLONG if @name has no NUL, -EINVAL if
 * it holds a character a name may not.
 */
int wg_name_valid(const char *name)
{
	size_t len = strnlen(name, WG_NAME_MAX);
	size_t i;

	if (len == WG_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '/')
			return -EINVAL;
	return 0;
}

/* Names are hashed up to their NUL: what follows it is never looked at. */
static u32 wg_name_hashfn(const void *data, u32 len, u32 seed)
{
	return jhash(data, strnlen(data, len), seed);
}

static int wg_name_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct wg_group *grp = obj;

	return strcmp(grp->name, arg->key);
}

static const struct rhashtable_params wg_name_params = {
	.head_offset		= offsetof(struct wg_group, hnode),
	.key_offset		= offsetof(struct wg_group, name),
	.key_len		= WG_NAME_MAX,
	.hashfn			= wg_name_hashfn,
	.obj_cmpfn		= wg_name_cmpfn,
	/* Most namespaces hold a few names: start at the smallest table. */
	.nelem_hint		= 3,
	.automatic_shrinking	= true,
};

static bool wg_ns_foreign(const struct wg_ns *wns)
{
	return wns->inum != PROC_IPC_INIT_INO;
}

static void wg_ns_free(struct wg_ns *wns)
{
	rhashtable_destroy(&wns->names);
	xa_destroy(&wns->ids);
	mutex_destroy(&wns->lock);
	kfree_rcu(wns, rcu);
}

static void wg_ns_put(struct wg_ns *wns)
{
	if (refcount_dec_and_test(&wns->ref))
		wg_ns_free(wns);
}

/* A new wg_ns for @ns, pinning it, with a reference for the caller. */
static struct wg_ns *wg_ns_alloc(struct ipc_namespace *ns)
{
	struct wg_ns *wns;

	wns = kzalloc_obj(*wns, GFP_KERNEL_ACCOUNT);
	if (!wns)
		return NULL;
	if (rhashtable_init(&wns->names, &wg_name_params)) {
		kfree(wns);
		return NULL;
	}
	xa_init(&wns->ids);
	mutex_init(&wns->lock);
	refcount_set(&wns->ref, 1);
	wns->inum = ns->ns.inum;
	wns->ns = wg_ipc_ns_get(ns);
	return wns;
}

/*
 * Take @wns out of wg_spaces and unpin its namespace; it must hold no
 * names. The caller keeps its own reference.
 */
static void wg_ns_kill(struct wg_ns *wns)
{
	lockdep_assert_held(&wns->lock);

	wns->dead = true;
	xa_erase(&wg_spaces, wns->inum);
	if (wg_ns_foreign(wns))
		atomic_dec(&wg_nr_foreign);
	wg_ipc_ns_put(wns->ns);
	wg_ns_put(wns);
}

/* The wg_ns of @ns with a reference taken, or NULL. */
static struct wg_ns *wg_ns_get(struct ipc_namespace *ns)
{
	struct wg_ns *wns;

	rcu_read_lock();
	wns = xa_load(&wg_spaces, ns->ns.inum);
	/* Pinned while mapped: @ns cannot share its number with another. */
	if (wns && (wns->ns != ns || !refcount_inc_not_zero(&wns->ref)))
		wns = NULL;
	rcu_read_unlock();
	return wns;
}

static void wg_ns_unlock(struct wg_ns *wns)
{
	mutex_unlock(&wns->lock);
	wg_ns_put(wns);
}

/* The live wg_ns of @ns, locked and referenced, or NULL if it has none. */
static struct wg_ns *wg_ns_lock(struct ipc_namespace *ns)
{
	struct wg_ns *wns;

	while ((wns = wg_ns_get(ns))) {
		mutex_lock(&wns->lock);
		if (!wns->dead)
			break;
		wg_ns_unlock(wns);
	}
	return wns;
}

/* Like wg_ns_lock(), but makes an empty wg_ns if @ns has none. */
static struct wg_ns *wg_ns_lock_or_create(struct ipc_namespace *ns)
{
	struct wg_ns *wns, *old;

	for (;;) {
		wns = wg_ns_lock(ns);
		if (wns)
			return wns;
		wns = wg_ns_alloc(ns);
		if (!wns)
			return ERR_PTR(-ENOMEM);
		mutex_lock(&wns->lock);
		old = xa_cmpxchg(&wg_spaces, wns->inum, NULL, wns,
				 GFP_KERNEL_ACCOUNT);
		if (!old) {
			/* One reference for wg_spaces, one for the caller. */
			refcount_inc(&wns->ref);
			if (wg_ns_foreign(wns)) {
				atomic_inc(&wg_nr_foreign);
				queue_delayed_work(system_wq, &wg_reap_work,
						   WG_REAP_INTERVAL);
			}
			return wns;
		}
		/* Never published: nobody else can know it. */
		mutex_unlock(&wns->lock);
		wg_ipc_ns_put(wns->ns);
		wg_ns_free(wns);
		if (xa_is_err(old))
			return ERR_PTR(xa_err(old));
		/* Someone else made one first: use theirs. */
	}
}

static void wg_ns_unlock_maybe_kill(struct wg_ns *wns)
{
	if (!wns->nr_names)
		wg_ns_kill(wns);
	wg_ns_unlock(wns);
}

/* Remove @grp's name and drop the registry's reference. */
static void wg_unlink_locked(struct wg_ns *wns, struct wg_group *grp)
{
	lockdep_assert_held(&wns->lock);

	rhashtable_remove_fast(&wns->names, &grp->hnode, wg_name_params);
	xa_erase(&wns->ids, grp->id);
	wns->nr_names--;
	wg_group_put(grp);
}

/*
 * The next wg_ns in wg_spaces from *@idx on, with a reference taken; *@idx
 * is set to its key. NULL at the end.
 */
static struct wg_ns *wg_ns_next(unsigned long *idx)
{
	struct wg_ns *wns;

	rcu_read_lock();
	while ((wns = xa_find(&wg_spaces, idx, ULONG_MAX, XA_PRESENT))) {
		if (refcount_inc_not_zero(&wns->ref))
			break;
		if (*idx == ULONG_MAX) {
			wns = NULL;
			break;
		}
		(*idx)++;
	}
	rcu_read_unlock();
	return wns;
}

/*
 * Unlink the names of every namespace (@all) or of those that nothing but
 * the registry holds. Its cost grows with the number of namespaces: it
 * runs in the reaper's worker and at unload, never in a registry call.
 */
static void wg_ns_reap(bool all)
{
	struct wg_group *grp;
	unsigned long idx = 0, id;
	struct wg_ns *wns;

	while ((wns = wg_ns_next(&idx))) {
		mutex_lock(&wns->lock);
		if (!wns->dead && (all || wg_ipc_ns_orphaned(wns->ns))) {
			xa_for_each(&wns->ids, id, grp)
				wg_unlink_locked(wns, grp);
			wg_ns_kill(wns);
		}
		wg_ns_unlock(wns);
		if (idx == ULONG_MAX)
			break;
		idx++;
		cond_resched();
	}
}

static void wg_reap_fn(struct work_struct *work)
{
	wg_ns_reap(false);
	if (atomic_read(&wg_nr_foreign))
		queue_delayed_work(system_wq, &wg_reap_work, WG_REAP_INTERVAL);
}

static struct ipc_namespace *wg_current_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static struct wg_group *wg_find_locked(struct wg_ns *wns, const char *name)
{
	lockdep_assert_held(&wns->lock);

	return rhashtable_lookup_fast(&wns->names, name, wg_name_params);
}

/**
 * wg_names_link() - give @grp its name in the caller's IPC namespace
 * @grp: a new, unnamed group whose name field is set
 * @excl: fail if the name exists
 *
 * Context: Process context; takes the namespace's registry lock.
 * Return: @grp once it is linked (the registry holds a reference of its
 * own; the caller's is untouched); if the name already exists and @excl is
 * false, the group of that name with a reference for the caller;
 * ERR_PTR(-EEXIST) or ERR_PTR(-ENOMEM).
 */
struct wg_group *wg_names_link(struct wg_group *grp, bool excl)
{
	struct wg_group *ret = grp;
	struct wg_group *old;
	struct wg_ns *wns;
	int err;

	wns = wg_ns_lock_or_create(wg_current_ns());
	if (IS_ERR(wns))
		return ERR_CAST(wns);
	old = wg_find_locked(wns, grp->name);
	if (old) {
		ret = excl ? ERR_PTR(-EEXIST) : wg_group_get(old);
		goto out_unlock;
	}
	grp->id = atomic_long_inc_return(&wg_next_id);
	err = xa_insert(&wns->ids, grp->id, grp, GFP_KERNEL_ACCOUNT);
	if (err) {
		ret = ERR_PTR(err);
		goto out_unlock;
	}
	err = rhashtable_insert_fast(&wns->names, &grp->hnode, wg_name_params);
	if (err) {
		xa_erase(&wns->ids, grp->id);
		/* -EBUSY, -E2BIG: the table cannot take it now. */
		ret = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	wns->nr_names++;
	wg_group_get(grp);
out_unlock:
	wg_ns_unlock_maybe_kill(wns);
	return ret;
}

/**
 * wg_names_lookup() - find a named group in the caller's IPC namespace
 * @name: its name
 *
 * Context: Process context; takes the namespace's registry lock.
 * Return: the group with a reference taken, or ERR_PTR(-ENOENT).
 */
struct wg_group *wg_names_lookup(const char *name)
{
	struct wg_group *grp;
	struct wg_ns *wns;

	wns = wg_ns_lock(wg_current_ns());
	if (!wns)
		return ERR_PTR(-ENOENT);
	grp = wg_find_locked(wns, name);
	if (grp)
		wg_group_get(grp);
	wg_ns_unlock(wns);
	return grp ?: ERR_PTR(-ENOENT);
}

/**
 * wg_names_unlink() - remove a name from the caller's IPC namespace
 * @name: the name
 *
 * Only the owner or a holder of CAP_IPC_OWNER in the namespace's user
 * namespace may do it. Open descriptors keep working.
 *
 * Context: Process context; takes the namespace's registry lock.
 * Return: 0, -ENOENT or -EPERM.
 */
int wg_names_unlink(const char *name)
{
	struct ipc_namespace *ns = wg_current_ns();
	struct wg_group *grp;
	struct wg_ns *wns;
	int ret = 0;

	wns = wg_ns_lock(ns);
	if (!wns)
		return -ENOENT;
	grp = wg_find_locked(wns, name);
	if (!grp)
		ret = -ENOENT;
	else if (!uid_eq(current_fsuid(), grp->uid) &&
		 !ns_capable(ns->user_ns, CAP_IPC_OWNER))
		ret = -EPERM;
	else
		wg_unlink_locked(wns, grp);
	wg_ns_unlock_maybe_kill(wns);
	return ret;
}

/**
 * wg_names_list() - names of the caller's IPC namespace it may wait on
 * @buf: room for @count names of WG_NAME_MAX bytes each
 * @count: how many names fit in @buf, at most WG_LIST_MAX
 * @cursor: in: the id after which to start, 0 for the beginning; out: the
 *	id after which the next call starts, 0 once no name is left
 *
 * One call examines at most WG_LIST_MAX names, oldest first, hidden ones
 * included.
 *
 * Context: Process context; takes the namespace's registry lock.
 * Return: how many names were written to @buf.
 */
unsigned int wg_names_list(char *buf, unsigned int count, u64 *cursor)
{
	unsigned int n = 0, examined = 0;
	unsigned long id = *cursor;
	struct wg_group *grp;
	struct wg_ns *wns;

	*cursor = 0;
	wns = wg_ns_lock(wg_current_ns());
	if (!wns)
		return 0;
	xa_for_each_start(&wns->ids, id, grp, id + 1) {
		if (n == count || examined == WG_LIST_MAX) {
			*cursor = grp->id - 1;
			break;
		}
		examined++;
		if (wg_group_permission(grp, WG_ACCESS_WAIT, false))
			continue;
		memcpy(buf + n * WG_NAME_MAX, grp->name, WG_NAME_MAX);
		n++;
	}
	wg_ns_unlock(wns);
	return n;
}

/**
 * wg_names_exit() - drop every name and every namespace pin
 *
 * Context: Module unload, when no file can reach the registry any more.
 */
void wg_names_exit(void)
{
	cancel_delayed_work_sync(&wg_reap_work);
	wg_ns_reap(true);
}
