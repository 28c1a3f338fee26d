/* SPDX-License-Identifier: GPL-2.0 */
/* waitgroup each (each.c), a command of waitgroup(1) (waitgroup.c). */
#ifndef WAITGROUP_EACH_H
#define WAITGROUP_EACH_H

int cmd_each(int argc, char **argv);

#endif /* WAITGROUP_EACH_H */
