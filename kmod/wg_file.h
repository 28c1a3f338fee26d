/* SPDX-License-Identifier: GPL-2.0 */
/* Group files (wg_file.c), as the control device hands them out. */
#ifndef _WG_FILE_H
#define _WG_FILE_H

#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <uapi/linux/waitgroup.h>

#include "wg_group.h"

#define WG_ACCESS_ALL	(WG_ACCESS_WAIT | WG_ACCESS_ADD)

/* The access a descriptor asked for with @flags: neither bit means both. */
static inline u32 wg_access(u32 flags)
{
	return flags & WG_ACCESS_ALL ?: WG_ACCESS_ALL;
}

/*
 * Structures grow at their end (the uapi header): a command is known by
 * its type, number and direction, and by a size at least its first
 * version's, in whole 8-byte steps (so no field is split). The size the
 * caller passed, or 0 if @cmd is not @known.
 */
static inline size_t wg_ioc_size(unsigned int cmd, unsigned int known,
				 size_t ver0)
{
	const unsigned int mask = ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);

	if ((cmd & mask) != (known & mask) || _IOC_SIZE(cmd) < ver0 ||
	    !IS_ALIGNED(_IOC_SIZE(cmd), 8))
		return 0;
	return _IOC_SIZE(cmd);
}

/* Copy a result out to a structure of @usize bytes: the rest is zeroed. */
static inline int wg_copy_out(void __user *dst, size_t usize,
			      const void *src, size_t ksize)
{
	if (copy_to_user(dst, src, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(dst + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

int wg_file_prepare(struct wg_group *grp, u32 flags, struct file **filep);
int wg_file_install(struct wg_group *grp, u32 flags);

#endif /* _WG_FILE_H */
