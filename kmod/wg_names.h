/* SPDX-License-Identifier: GPL-2.0 */
/* The name registry (wg_names.c): named groups, one table per IPC namespace. */
#ifndef _WG_NAMES_H
#define _WG_NAMES_H

#include <linux/types.h>

#include "wg_group.h"

int wg_name_valid(const char *name);
struct wg_group *wg_names_link(struct wg_group *grp, bool excl);
struct wg_group *wg_names_lookup(const char *name);
int wg_names_unlink(const char *name);
unsigned int wg_names_list(char *buf, unsigned int count, u64 *cursor);
void wg_names_exit(void);

#endif /* _WG_NAMES_H */
