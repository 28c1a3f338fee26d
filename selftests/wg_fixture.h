/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "wg" fixture of the one-ioctl-at-a-time tests (waitgroup_test,
 * wg_named_test, wg_undo_test): the control device and two names of
 * this process that setup and teardown unlink.
 */
#ifndef WG_FIXTURE_H
#define WG_FIXTURE_H

#include "wg_util.h"

FIXTURE(wg) {
	int dev;
	char name[WG_NAME_MAX];
	char name2[WG_NAME_MAX];
};

FIXTURE_SETUP(wg)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "basic");
	wg_name(self->name2, "basic2");
	sys_wg_unlink(self->dev, self->name);
	sys_wg_unlink(self->dev, self->name2);
}

FIXTURE_TEARDOWN(wg)
{
	sys_wg_unlink(self->dev, self->name);
	sys_wg_unlink(self->dev, self->name2);
	close(self->dev);
}

#endif /* WG_FIXTURE_H */
