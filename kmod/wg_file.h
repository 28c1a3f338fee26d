/* SPDX-License-Identifier: GPL-2.0 */
/* Group files (wg_file.c), as the control device hands them out. */
#ifndef _WG_FILE_H
#define _WG_FILE_H

#include <linux/fs.h>
#include <linux/types.h>
#include <uapi/linux/waitgroup.h>

#include "wg_group.h"

#define WG_ACCESS_ALL	(WG_ACCESS_WAIT | WG_ACCESS_ADD)

/* The access a descriptor asked for with @flags: neither bit means both. */
static inline u32 wg_access(u32 flags)
{
	return flags & WG_ACCESS_ALL ?: WG_ACCESS_ALL;
}

int wg_file_prepare(struct wg_group *grp, u32 flags, struct file **filep);
int wg_file_install(struct wg_group *grp, u32 flags);

#endif /* _WG_FILE_H */
