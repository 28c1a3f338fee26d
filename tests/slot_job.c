// SPDX-License-Identifier: GPL-2.0
/*
 * wg-slot-job: the job of wg-cmd-test's SIGKILL storm (t_go_slot_storm).
 *
 *	wg-slot-job ALIVE LIMIT BAD READY
 *
 * Run as the command of "waitgroup go POOL", it counts itself alive: an
 * add of 1 with WG_UNDO on group ALIVE, which only its death takes back.
 * Then it reads ALIVE's count and appends a line to the file BAD when more
 * than LIMIT jobs are alive at once, or when it does not hold its slot
 * itself (no inherited waitgroup descriptor at 100 or above whose open
 * file has the add in its undo ledger). Then it writes "PID PPID" (PPID:
 * its supervisor) to the FIFO READY, and blocks until it is killed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "waitgroup.h"

static const char *bad_path;

static void bad(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(bad_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, n) != n)
			perror("wg-slot-job: BAD");
		close(fd);
	}
}

/* Does the open file of descriptor @fd have @want in its undo ledger? */
static int ledger_is(int fd, long long want)
{
	char path[64], buf[512];
	long long undo;
	ssize_t n;
	char *p;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nundo:");
	return p && sscanf(p + 6, "%lld", &undo) == 1 && undo == want;
}

/*
 * The highest descriptor open, and in *slot the highest waitgroup one at
 * 100 or above (-1: none).
 */
static int scan_fds(int *slot)
{
	char path[64], link[64];
	struct dirent *d;
	int top = -1, fd;
	ssize_t n;
	DIR *dir;

	*slot = -1;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		if (fd == dirfd(dir))
			continue;
		if (fd > top)
			top = fd;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (fd >= 100 && fd > *slot && !strcmp(link, "anon_inode:[waitgroup]"))
			*slot = fd;
	}
	closedir(dir);
	return top;
}

int main(int argc, char **argv)
{
	int alive, fd, top, slot, limit, ret;
	struct wg_info info;
	FILE *ready;

	if (argc != 5) {
		fprintf(stderr, "usage: wg-slot-job ALIVE LIMIT BAD READY\n");
		return 64;
	}
	bad_path = argv[3];
	limit = atoi(argv[2]);

	top = scan_fds(&slot);
	if (slot < 0)
		bad("holds no waitgroup descriptor at 100 or above");
	else if (!ledger_is(slot, 1))
		bad("descriptor %d has no add of 1 in its undo ledger", slot);

	fd = wg_open(argv[1], WG_ACCESS_ADD | WG_ACCESS_WAIT | WG_CLOEXEC);
	if (fd < 0) {
		bad("%s: %s", argv[1], strerror(-fd));
		goto out_ready;
	}
	/*
	 * When a job dies, its descriptors are closed in number order, but
	 * the last close of a file at exit only queues the file's release
	 * (task_work) and the queue runs newest first: the file at the
	 * highest number is released first, and a ledger's undo happens at
	 * release. ALIVE goes above every descriptor the job inherited, the
	 * slot's included, so its count drops before the slot is given back,
	 * and a job that takes the slot never sees this one still alive.
	 * (While the supervisor lives it holds the slot's file, and reports
	 * only once it has reaped the job, after every release of the job's.)
	 */
	alive = fcntl(fd, F_DUPFD_CLOEXEC, top + 1);
	if (alive < 0) {
		bad("F_DUPFD: %s", strerror(errno));
		goto out_ready;
	}
	close(fd);
	ret = wg_add(alive, 1, WG_UNDO);
	if (ret) {
		bad("add to %s: %s", argv[1], strerror(-ret));
		goto out_ready;
	}
	ret = wg_info(alive, &info);
	if (ret)
		bad("info of %s: %s", argv[1], strerror(-ret));
	else if (info.count > limit)
		bad("%d jobs alive under a limit of %d", info.count, limit);

out_ready:
	ready = fopen(argv[4], "we");
	if (!ready) {
		bad("%s: %s", argv[4], strerror(errno));
		return 1;
	}
	fprintf(ready, "%d %d\n", (int)getpid(), (int)getppid());
	fclose(ready);
	for (;;)
		pause();
}
