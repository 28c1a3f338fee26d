// SPDX-License-Identifier: GPL-2.0
/* Group files, anon-inode "[waitgroup]" files, and waitgroup_fdget(). */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "wg_file.h"

/**
 * struct wg_file - one open file description of a group
 * @grp: the group, referenced
 * @access: WG_ACCESS_WAIT and/or WG_ACCESS_ADD
 * @ledger: adds made with WG_UNDO and not yet done, given back at release
 * @seen: the newest generation the file has reported since it was first
 *	polled, WG_UNPOLLED before (__waitgroup_poll())
 */
struct wg_file {
	struct wg_group *grp;
	u32 access;
	atomic64_t ledger;
	atomic64_t seen;
};

static const struct file_operations wg_file_fops;

static struct file *wg_file_open(struct wg_group *grp, u32 access)
{
	struct wg_file *wf;
	struct file *file;

	wf = kzalloc_obj(*wf, GFP_KERNEL_ACCOUNT);
	if (!wf)
		return ERR_PTR(-ENOMEM);
	wf->grp = wg_group_get(grp);
	wf->access = access;
	atomic64_set(&wf->seen, (s64)WG_UNPOLLED);
	file = anon_inode_getfile("[waitgroup]", &wg_file_fops, wf, O_RDWR);
	if (IS_ERR(file)) {
		wg_group_put(grp);
		kfree(wf);
	}
	return file;
}

/*
 * A descriptor and a file for @grp, not yet installed: the caller can
 * still back out with fput() and put_unused_fd().
 */
int wg_file_prepare(struct wg_group *grp, u32 flags, struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(flags & WG_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		return fd;
	file = wg_file_open(grp, wg_access(flags));
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

/* Install a new file for @grp; nothing can fail after fd_install(). */
int wg_file_install(struct wg_group *grp, u32 flags)
{
	struct file *file;
	int fd;

	fd = wg_file_prepare(grp, flags, &file);
	if (fd >= 0)
		fd_install(fd, file);
	return fd;
}

static int wg_file_release(struct inode *inode, struct file *file)
{
	struct wg_file *wf = file->private_data;
	s64 ledger = atomic64_read(&wf->ledger);

	if (ledger > 0)
		__waitgroup_abandon(&wf->grp->wg, min_t(s64, ledger, INT_MAX));
	wg_group_put(wf->grp);
	kfree(wf);
	return 0;
}

static __poll_t wg_file_poll(struct file *file, poll_table *pt)
{
	struct wg_file *wf = file->private_data;
	struct waitgroup *wg = &wf->grp->wg;

	/* Polling is waiting: a descriptor that may not wait gets an error. */
	if (!(wf->access & WG_ACCESS_WAIT))
		return EPOLLERR;
	return __waitgroup_poll(wg, &wf->seen, file, pt);
}

/* Take up to @n from the ledger; returns what was taken. */
static s64 wg_ledger_draw(struct wg_file *wf, s64 n)
{
	s64 old = atomic64_read(&wf->ledger);
	s64 take;

	do {
		take = min(old, n);
		if (take <= 0)
			return 0;
	} while (!atomic64_try_cmpxchg(&wf->ledger, &old, old - take));
	return take;
}

/* An absolute deadline (a restarted call must not start over) as a timeout. */
static ktime_t wg_deadline_timeout(u64 deadline_ns)
{
	u64 now;

	if (deadline_ns == WG_FOREVER)
		return KTIME_MAX;
	now = ktime_get_ns();
	if (deadline_ns <= now)
		return 0;
	return ns_to_ktime(min_t(u64, deadline_ns - now, KTIME_MAX - 1));
}

/* WG_ADD_WAIT, out of line: the plain add saves no registers for it. */
static noinline int wg_file_add_wait(struct wg_file *wf, int delta,
				     u64 deadline_ns)
{
	int ret = __waitgroup_add_wait(&wf->grp->wg, delta, TASK_INTERRUPTIBLE,
				       wg_deadline_timeout(deadline_ns));

	return ret == -ETIME ? -ETIMEDOUT : ret;
}

static int wg_file_add(struct wg_file *wf, int delta, u32 flags, int error,
		       u64 deadline_ns)
{
	s64 drawn = 0;
	int ret;

	if (!(wf->access & WG_ACCESS_ADD))
		return -EBADF;
	if (delta < 0)
		drawn = wg_ledger_draw(wf, -(s64)delta);
	/* Only a positive delta can wait; the others keep their error. */
	if (unlikely((flags & WG_ADD_WAIT) && delta > 0))
		ret = wg_file_add_wait(wf, delta, deadline_ns);
	else
		ret = __waitgroup_add(&wf->grp->wg, delta, error);
	if (ret)
		atomic64_add(drawn, &wf->ledger);
	else if (delta > 0 && (flags & WG_UNDO))
		atomic64_add(delta, &wf->ledger);
	return ret;
}

static long wg_file_ioc_add(struct wg_file *wf, void __user *argp,
			    size_t usize)
{
	struct wg_add args;
	int ret;

	ret = copy_struct_from_user(&args, sizeof(args), argp, usize);
	if (ret)
		return ret;
	if ((args.flags & ~(WG_UNDO | WG_ADD_WAIT)) || args.__pad)
		return -EINVAL;
	if (args.error && args.delta >= 0)
		return -EINVAL;
	if (args.deadline_ns && !(args.flags & WG_ADD_WAIT))
		return -EINVAL;
	return wg_file_add(wf, args.delta, args.flags, args.error,
			   args.deadline_ns);
}

/*
 * Only the fields a wait fills, in one user access section, rather than
 * wg_copy_out() of the whole struct: a woken waiter's way back to user
 * mode is part of the wake-up's latency.
 */
static int wg_wait_copy_out(void __user *argp, size_t usize,
			    const struct wg_result *res,
			    const struct waitgroup_totals *t)
{
	struct wg_wait __user *u = argp;

	if (!user_write_access_begin(u, usize))
		return -EFAULT;
	unsafe_put_user(res->generation, &u->generation, efault);
	unsafe_put_user(res->error, &u->error, efault);
	unsafe_put_user(res->abandoned, &u->abandoned, efault);
	if (usize >= offsetofend(struct wg_wait, outflags))
		unsafe_put_user((res->canceled ? WG_RESULT_CANCELED : 0) |
				(res->expired ? WG_RESULT_EXPIRED : 0),
				&u->outflags, efault);
	if (usize >= offsetofend(struct wg_wait, __pad2))
		unsafe_put_user(0, &u->__pad2, efault);
	if (usize >= offsetofend(struct wg_wait, target))
		unsafe_put_user(0, &u->target, efault);
	if (usize >= offsetofend(struct wg_wait, totals)) {
		unsafe_put_user(t->done, &u->totals.done, efault);
		unsafe_put_user(t->failed, &u->totals.failed, efault);
		unsafe_put_user(t->abandoned, &u->totals.abandoned, efault);
		unsafe_put_user(t->error, &u->totals.error, efault);
		unsafe_put_user(0, &u->totals.__pad, efault);
	}
	user_write_access_end();
	if (usize > sizeof(*u) &&
	    clear_user(argp + sizeof(*u), usize - sizeof(*u)))
		return -EFAULT;
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long wg_file_ioc_wait(struct wg_file *wf, void __user *argp,
			     size_t usize)
{
	struct wg_wait __user *u = argp;
	struct waitgroup_totals t = {};
	struct wg_result res;
	struct wg_wait args;
	int ret;

	ret = copy_struct_from_user(&args, sizeof(args), argp, usize);
	if (ret)
		return ret;
	/* The out fields are written, never read: reuse is fine. */
	if ((args.flags & ~(WG_WAIT_CANCEL_ON_ERROR | WG_WAIT_TOTALS |
			    WG_WAIT_RESET)) || args.__pad)
		return -EINVAL;
	/* Totals need room to go to; a reset is for the one who reads them. */
	if ((args.flags & WG_WAIT_TOTALS) &&
	    usize < offsetofend(struct wg_wait, totals))
		return -EINVAL;
	if ((args.flags & WG_WAIT_RESET) && !(args.flags & WG_WAIT_TOTALS))
		return -EINVAL;
	if (!(wf->access & WG_ACCESS_WAIT))
		return -EBADF;
	/* A new batch changes what other waiters are told: an adder's call. */
	if ((args.flags & WG_WAIT_RESET) && !(wf->access & WG_ACCESS_ADD))
		return -EBADF;
	ret = __waitgroup_wait(&wf->grp->wg, &wf->seen, TASK_INTERRUPTIBLE,
			       wg_deadline_timeout(args.deadline_ns),
			       WG_WAIT_CANCEL | (args.flags & WG_WAIT_CANCEL_ON_ERROR ?
						 WG_WAIT_COE : 0),
			       &args.target, &res);
	if (ret == -ETIME || ret == -ERESTARTSYS) {
		if (usize >= offsetofend(struct wg_wait, target) &&
		    put_user(args.target, &u->target))
			return -EFAULT;
		return ret == -ETIME ? -ETIMEDOUT : ret;
	}
	if (ret)
		return ret;
	/* After the wait: every task of what it waited for is in (point 11). */
	if (args.flags & WG_WAIT_RESET)
		waitgroup_totals_reset(&wf->grp->wg, &t);
	else if (args.flags & WG_WAIT_TOTALS)
		waitgroup_totals(&wf->grp->wg, &t);
	/* A result that cannot be written is lost: the next call is new. */
	return wg_wait_copy_out(argp, usize, &res, &t);
}

static long wg_file_ioc_info(struct wg_file *wf, void __user *argp,
			     size_t usize)
{
	struct wg_group *grp = wf->grp;
	struct user_namespace *ns = current_user_ns();
	struct wg_info info = {};
	struct wg_snapshot snap;

	if (!(wf->access & WG_ACCESS_WAIT))
		return -EBADF;
	__waitgroup_snapshot(&grp->wg, &snap);
	info.count = snap.count;
	info.waiters = snap.waiters;
	info.generation = snap.last.generation;
	info.abandoned = snap.last.abandoned;
	info.error = snap.last.error;
	info.uid = from_kuid_munged(ns, grp->uid);
	info.gid = from_kgid_munged(ns, grp->gid);
	info.mode = grp->mode;
	memcpy(info.name, grp->name, sizeof(info.name));
	info.limit = snap.limit;
	info.room_waiters = snap.room_waiters;
	if (snap.cancel_error)
		info.flags |= WG_INFO_CANCELED;
	if (snap.last.canceled)
		info.flags |= WG_INFO_LAST_CANCELED;
	info.cancel_error = snap.cancel_error;
	info.totals.done = snap.totals.done;
	info.totals.failed = snap.totals.failed;
	info.totals.abandoned = snap.totals.abandoned;
	info.totals.error = snap.totals.error;
	return wg_copy_out(argp, usize, &info, sizeof(info));
}

static long wg_file_ioc_limit(struct wg_file *wf, u32 __user *argp)
{
	u32 limit;

	if (get_user(limit, argp))
		return -EFAULT;
	if (!(wf->access & WG_ACCESS_ADD))
		return -EBADF;
	return waitgroup_set_limit(&wf->grp->wg, limit);
}

static long wg_file_ioc_cancel(struct wg_file *wf, void __user *argp)
{
	struct wg_cancel args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.error < 0)
		return -EINVAL;
	if (!(wf->access & WG_ACCESS_ADD))
		return -EBADF;
	return waitgroup_cancel(&wf->grp->wg, args.error);
}

static long wg_file_ioc_dup(struct wg_file *wf, u32 __user *argp)
{
	u32 flags;

	if (get_user(flags, argp))
		return -EFAULT;
	if (flags & ~WG_CLOEXEC)
		return -EINVAL;
	return wg_file_install(wf->grp, flags | wf->access);
}

/* Every command but the two hot ones, in a frame of its own. */
static noinline long wg_file_ioctl_other(struct wg_file *wf, unsigned int cmd,
					 unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	size_t usize;

	switch (cmd) {
	case WG_IOC_DUP:
		return wg_file_ioc_dup(wf, argp);
	case WG_IOC_LIMIT:
		return wg_file_ioc_limit(wf, argp);
	case WG_IOC_CANCEL:
		return wg_file_ioc_cancel(wf, argp);
	}
	usize = wg_ioc_size(cmd, WG_IOC_ADD, WG_SIZE_ADD_VER0);
	if (usize)
		return wg_file_ioc_add(wf, argp, usize);
	usize = wg_ioc_size(cmd, WG_IOC_WAIT, WG_SIZE_WAIT_VER0);
	if (usize)
		return wg_file_ioc_wait(wf, argp, usize);
	usize = wg_ioc_size(cmd, WG_IOC_INFO, WG_SIZE_INFO_VER0);
	if (usize)
		return wg_file_ioc_info(wf, argp, usize);
	return -ENOIOCTLCMD;
}

static long wg_file_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct wg_file *wf = file->private_data;

	/* ADD_VAL and DONE copy nothing: no stack frame, no canary for them. */
	if (cmd == WG_IOC_DONE)
		return wg_file_add(wf, -1, 0, 0, 0);
	if (cmd == WG_IOC_ADD_VAL) {
		/* The delta in the low half, the flags above (none in compat). */
		if (upper_32_bits(arg) & ~WG_UNDO)
			return -EINVAL;
		return wg_file_add(wf, (s32)lower_32_bits(arg),
				   upper_32_bits(arg), 0, 0);
	}
	return wg_file_ioctl_other(wf, cmd, arg);
}

#ifdef CONFIG_COMPAT
/*
 * WG_IOC_ADD_VAL's argument is an integer, which compat_ptr() would
 * change where it is not the identity (s390 clears bit 31); the other
 * commands take pointers.
 */
static long wg_file_compat_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	if (cmd == WG_IOC_ADD_VAL)
		return wg_file_ioctl(file, cmd, (u32)arg);
	return compat_ptr_ioctl(file, cmd, arg);
}
#else
#define wg_file_compat_ioctl	NULL
#endif

static void wg_file_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct wg_file *wf = file->private_data;
	struct wg_snapshot snap;

	/* The group's state is for descriptors that may read it (INFO). */
	if (wf->access & WG_ACCESS_WAIT) {
		__waitgroup_snapshot(&wf->grp->wg, &snap);
		seq_printf(m, "count:\t%d\nwaiters:\t%u\ngeneration:\t%llu\n",
			   snap.count, snap.waiters, snap.last.generation);
		seq_printf(m, "limit:\t%u\nroom_waiters:\t%u\n",
			   snap.limit, snap.room_waiters);
		seq_printf(m, "cancel_error:\t%d\nlast_canceled:\t%d\n",
			   snap.cancel_error, snap.last.canceled);
		seq_printf(m, "batch_done:\t%llu\nbatch_failed:\t%llu\n",
			   snap.totals.done, snap.totals.failed);
		seq_printf(m, "batch_abandoned:\t%llu\nbatch_error:\t%d\n",
			   snap.totals.abandoned, snap.totals.error);
	}
	seq_printf(m, "access:\t%s%s\nundo:\t%lld\n",
		   wf->access & WG_ACCESS_WAIT ? "w" : "",
		   wf->access & WG_ACCESS_ADD ? "a" : "",
		   (long long)atomic64_read(&wf->ledger));
	if (wf->grp->name[0])
		seq_printf(m, "name:\t%s\n", wf->grp->name);
}

static const struct file_operations wg_file_fops = {
	.owner		= THIS_MODULE,
	.release	= wg_file_release,
	.poll		= wg_file_poll,
	.unlocked_ioctl	= wg_file_ioctl,
	.compat_ioctl	= wg_file_compat_ioctl,
	.show_fdinfo	= wg_file_show_fdinfo,
	.llseek		= WG_NO_LLSEEK,
};

/**
 * waitgroup_fdget() - take a reference on the group behind a descriptor
 * @fd: a waitgroup file descriptor of the current task
 *
 * Lets a driver signal or wait on a group that userspace handed it, as
 * eventfd_ctx_fdget() does for eventfds. The reference does not depend on
 * @fd staying open; drop it with waitgroup_put(). Userspace shares the
 * group: it may set a limit or cancel the running generation, so the
 * driver's waitgroup_add() of a positive delta can fail with -EAGAIN or
 * -ECANCELED (waitgroup_add_killable() waits for room instead of -EAGAIN).
 *
 * Context: Process context.
 * Return: the waitgroup, ERR_PTR(-EBADF) if @fd is not open or was opened
 * without WG_ACCESS_ADD, or ERR_PTR(-EINVAL) if it is not a waitgroup.
 */
struct waitgroup *waitgroup_fdget(int fd)
{
	struct waitgroup *wg = ERR_PTR(-EINVAL);
	struct wg_file *wf;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op == &wg_file_fops) {
		wf = file->private_data;
		if (wf->access & WG_ACCESS_ADD)
			wg = &wg_group_get(wf->grp)->wg;
		else
			wg = ERR_PTR(-EBADF);
	}
	fput(file);
	return wg;
}
EXPORT_SYMBOL_NS_GPL(waitgroup_fdget, WG_SYMBOL_NS);
