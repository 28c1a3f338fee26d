/* SPDX-License-Identifier: GPL-2.0 */
/* waitgroup each (each.c), a command of waitgroup(1) (waitgroup.c). */
#ifndef WAITGROUP_EACH_H
#define WAITGROUP_EACH_H

#include <stdint.h>

int cmd_each(int argc, char **argv);

/* waitgroup.c's parsers, which exit with usage_status on a bad value. */
extern int usage_status;
long long parse_int(const char *opt, const char *s, long long min,
		    long long max);
int64_t parse_duration(const char *opt, const char *s);
/*
 * Open @name to add (and to wait if the caller may), for run, go and
 * each; checks the name, says what failed, sets WAITGROUP. 0 or an exit
 * status.
 */
int open_task_group(const char *name, int *fd);
/* Exit as a process killed by @sig: 128 + @sig if that did not end it. */
int exit_by_signal(int sig);

#endif /* WAITGROUP_EACH_H */
