// SPDX-License-Identifier: GPL-2.0
/* /dev/waitgroup: create, open, unlink and list named groups; module init. */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "wg_file.h"
#include "wg_group.h"
#include "wg_names.h"

#define WG_OPEN_FLAGS	(WG_CLOEXEC | WG_ACCESS_ALL)
#define WG_CREATE_FLAGS	(WG_OPEN_FLAGS | WG_EXCL)
#define WG_MODE_DEFAULT	0600

/* A descriptor for a named group, if the caller may have the access. */
static int wg_open_existing(struct wg_group *grp, u32 flags)
{
	int ret;

	ret = wg_group_permission(grp, wg_access(flags), true);
	if (ret)
		return ret;
	return wg_file_install(grp, flags);
}

static long wg_dev_ioc_create(void __user *argp, size_t usize)
{
	struct wg_group *grp, *found;
	struct wg_create args;
	struct file *file;
	bool named;
	int fd, ret;

	ret = copy_struct_from_user(&args, sizeof(args), argp, usize);
	if (ret)
		return ret;
	if ((args.flags & ~WG_CREATE_FLAGS) || args.__pad || args.__pad2)
		return -EINVAL;
	ret = wg_name_valid(args.name);
	if (ret)
		return ret;
	named = args.name[0];
	if (!named && ((args.flags & WG_EXCL) || args.mode))
		return -EINVAL;

	if (named) {
		/* Opening an existing name must not need room for a new group. */
		grp = wg_names_lookup(args.name);
		if (!IS_ERR(grp)) {
			if (args.flags & WG_EXCL)
				ret = -EEXIST;
			else
				ret = wg_open_existing(grp, args.flags);
			wg_group_put(grp);
			return ret;
		}
	}
	/* Mode, count and limit matter, and are checked, for a new group only. */
	if ((args.mode & ~0777) || args.limit > INT_MAX)
		return -EINVAL;
	if (args.count < 0)
		return -ERANGE;

	grp = wg_group_alloc(args.name,
			     named ? args.mode ?: WG_MODE_DEFAULT : 0,
			     args.count);
	if (IS_ERR(grp))
		return PTR_ERR(grp);
	/* Before anyone else can find it: cannot fail below INT_MAX. */
	waitgroup_set_limit(&grp->wg, args.limit);
	/* Everything that can fail comes before the name is published. */
	fd = wg_file_prepare(grp, args.flags, &file);
	if (fd < 0)
		goto out_put;
	if (named) {
		found = wg_names_link(grp, args.flags & WG_EXCL);
		if (found != grp) {
			fput(file);
			put_unused_fd(fd);
			if (IS_ERR(found)) {
				fd = PTR_ERR(found);
			} else {
				/* Named by someone else since our lookup. */
				fd = wg_open_existing(found, args.flags);
				wg_group_put(found);
			}
			goto out_put;
		}
	}
	fd_install(fd, file);
out_put:
	wg_group_put(grp);
	return fd;
}

static int wg_copy_open(struct wg_open *args, void __user *argp, u32 allowed)
{
	int ret;

	if (copy_from_user(args, argp, sizeof(*args)))
		return -EFAULT;
	if ((args->flags & ~allowed) || args->__pad)
		return -EINVAL;
	ret = wg_name_valid(args->name);
	if (ret)
		return ret;
	return args->name[0] ? 0 : -EINVAL;
}

static long wg_dev_ioc_open(void __user *argp)
{
	struct wg_group *grp;
	struct wg_open args;
	int ret;

	ret = wg_copy_open(&args, argp, WG_OPEN_FLAGS);
	if (ret)
		return ret;
	grp = wg_names_lookup(args.name);
	if (IS_ERR(grp))
		return PTR_ERR(grp);
	ret = wg_open_existing(grp, args.flags);
	wg_group_put(grp);
	return ret;
}

static long wg_dev_ioc_unlink(void __user *argp)
{
	struct wg_open args;
	int ret;

	ret = wg_copy_open(&args, argp, 0);
	if (ret)
		return ret;
	return wg_names_unlink(args.name);
}

static long wg_dev_ioc_list(void __user *argp)
{
	struct wg_list args;
	unsigned int count;
	char *names;
	int ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || !args.count || args.cursor >= ULONG_MAX)
		return -EINVAL;
	count = min_t(u32, args.count, WG_LIST_MAX);
	names = kvcalloc(count, WG_NAME_MAX, GFP_KERNEL_ACCOUNT);
	if (!names)
		return -ENOMEM;
	args.count = wg_names_list(names, count, &args.cursor);
	if (copy_to_user(u64_to_user_ptr(args.names), names,
			 (size_t)args.count * WG_NAME_MAX) ||
	    copy_to_user(argp, &args, sizeof(args)))
		ret = -EFAULT;
	kvfree(names);
	return ret;
}

static long wg_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	size_t usize;

	usize = wg_ioc_size(cmd, WG_IOC_CREATE, WG_SIZE_CREATE_VER0);
	if (usize)
		return wg_dev_ioc_create(argp, usize);
	switch (cmd) {
	case WG_IOC_OPEN:
		return wg_dev_ioc_open(argp);
	case WG_IOC_UNLINK:
		return wg_dev_ioc_unlink(argp);
	case WG_IOC_LIST:
		return wg_dev_ioc_list(argp);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations wg_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= wg_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= WG_NO_LLSEEK,
};

static struct miscdevice wg_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "waitgroup",
	.fops		= &wg_dev_fops,
	.mode		= 0666,
};

static int __init wg_init(void)
{
	return misc_register(&wg_misc);
}

static void __exit wg_exit(void)
{
	misc_deregister(&wg_misc);
	wg_names_exit();
}

module_init(wg_init);
module_exit(wg_exit);

MODULE_AUTHOR("The waitgroup developers");
MODULE_DESCRIPTION("Go's sync.WaitGroup as a kernel object: /dev/waitgroup");
MODULE_LICENSE("GPL");
MODULE_VERSION(WG_VERSION);
