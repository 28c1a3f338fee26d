/* SPDX-License-Identifier: GPL-2.0 */
/* The limits on the number of groups (wg_limits.c), as wg_group.c charges them. */
#ifndef _WG_LIMITS_H
#define _WG_LIMITS_H

#include <linux/uidgid.h>

int wg_charge(kuid_t *charged);
void wg_uncharge(kuid_t uid);

#endif /* _WG_LIMITS_H */
