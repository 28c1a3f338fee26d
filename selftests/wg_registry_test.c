// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: the name registry's promises. One WG_IOC_LIST call does a
 * bounded amount of work even when the caller may read none of the names;
 * WG_IOC_CREATE of an existing name ignores the count; a dead IPC
 * namespace's names are reaped, and the namespace with its SysV objects
 * freed, without waiting for another registry call. Needs root.
 */
#include <grp.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "wg_util.h"

#define SHM_BYTES	(32UL << 20)
/* Generous: the module promises seconds, a slow emulator may need more. */
#define RELEASE_MS	15000

FIXTURE(registry) {
	int dev;
	char prefix[32];
};

FIXTURE_SETUP(registry)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	snprintf(self->prefix, sizeof(self->prefix), "reg%d.", getpid());
}

FIXTURE_TEARDOWN(registry)
{
	close(self->dev);
}

static void name_n(char *buf, const char *prefix, int i)
{
	snprintf(buf, WG_NAME_MAX, "%s%d", prefix, i);
}

/*
 * Names the caller may not read count toward a call's work: with three
 * calls' worth of them first, the first call comes back with no name and a
 * cursor, and the walk takes more than three calls to reach the one name
 * it may read.
 */
TEST_F(registry, list_work_is_bounded_by_unreadable_names)
{
	const int hidden = 3 * WG_LIST_MAX;
	char name[WG_NAME_MAX], seen[WG_NAME_MAX];
	int i, fd, status;
	pid_t pid;

	for (i = 0; i < hidden; i++) {
		name_n(name, self->prefix, i);
		fd = sys_wg_create(self->dev, WG_EXCL, 0600, 0, name);
		ASSERT_LE(0, fd);
		close(fd);
	}
	name_n(name, self->prefix, hidden);
	fd = sys_wg_create(self->dev, WG_EXCL, 0644, 0, name);
	ASSERT_LE(0, fd);
	close(fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static char names[WG_LIST_MAX][WG_NAME_MAX];
		__u64 cursor = 0;
		int n, j, calls = 0, found = 0, first = -1;
		__u64 first_cursor = 0;

		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(10);
		do {
			n = sys_wg_list(self->dev, names, WG_LIST_MAX, 0, &cursor);
			if (n < 0)
				_exit(11);
			if (!calls++) {
				first = n;
				first_cursor = cursor;
			}
			for (j = 0; j < n; j++) {
				if (!strncmp(names[j], self->prefix,
					     strlen(self->prefix))) {
					found++;
					memcpy(seen, names[j], WG_NAME_MAX);
				}
			}
		} while (cursor);
		if (first != 0 || !first_cursor)
			_exit(1);	/* one call walked every hidden name */
		if (calls <= hidden / WG_LIST_MAX)
			_exit(2);
		if (found != 1 || strcmp(seen, name))
			_exit(3);
		_exit(0);
	}
	status = wg_reap(pid);
	EXPECT_EQ(0, status) {
		TH_LOG("child: %s", status == 1 ?
		       "first call returned names or reached the end" :
		       status == 2 ? "too few calls" : "wrong names");
	}
	for (i = 0; i <= hidden; i++) {
		name_n(name, self->prefix, i);
		EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
	}
}

/* A call returns at most the count asked for; the walk still finds them all. */
TEST_F(registry, list_a_call_returns_at_most_count)
{
	static char names[WG_LIST_MAX][WG_NAME_MAX];
	char name[WG_NAME_MAX];
	__u64 cursor = 0;
	int i, fd, n, total = 0;

	for (i = 0; i < 5; i++) {
		name_n(name, self->prefix, i);
		fd = sys_wg_create(self->dev, WG_EXCL, 0600, 0, name);
		ASSERT_LE(0, fd);
		close(fd);
	}
	do {
		n = sys_wg_list(self->dev, names, 2, 0, &cursor);
		ASSERT_LE(0, n);
		EXPECT_GE(2, n);
		for (i = 0; i < n; i++)
			total += !strncmp(names[i], self->prefix,
					  strlen(self->prefix));
	} while (cursor);
	EXPECT_EQ(5, total);
	for (i = 0; i < 5; i++) {
		name_n(name, self->prefix, i);
		EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
	}
}

/* The count is ignored when CREATE opens an existing name. */
TEST_F(registry, create_existing_ignores_negative_count)
{
	char name[WG_NAME_MAX], other[WG_NAME_MAX];
	int fd, fd2;

	name_n(name, self->prefix, 0);
	name_n(other, self->prefix, 1);
	fd = sys_wg_create(self->dev, WG_EXCL, 0600, 3, name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_create(self->dev, 0, 0600, -1, name);
	EXPECT_LE(0, fd2) {
		TH_LOG("CREATE of an existing name with count -1: %s",
		       strerror(-fd2));
	}
	if (fd2 >= 0) {
		EXPECT_EQ(3, wg_count(fd2));
		close(fd2);
	}
	EXPECT_EQ(-EEXIST, sys_wg_create(self->dev, WG_EXCL, 0600, -1, name));
	EXPECT_EQ(-ERANGE, sys_wg_create(self->dev, 0, 0600, -1, other));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, 0, other));
	EXPECT_EQ(3, wg_count(fd));
	close(fd);
	EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
}

/* Shmem in /proc/meminfo, in kB, or -1. */
static long shmem_kb(void)
{
	return wg_proc_field("/proc/meminfo", "Shmem");
}

/*
 * A child in a new IPC namespace fills a 32 MiB SysV segment and creates a
 * named group, then exits; nothing else calls the registry. Its namespace,
 * and with it the segment, must be freed: poll Shmem until it is back.
 */
TEST_F_TIMEOUT(registry, dead_namespace_is_released_without_another_call, 60)
{
	int ready[2], go[2];
	long before, during = -1, now = -1;
	__u64 end;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	before = shmem_kb();
	ASSERT_LE(0, before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char name[WG_NAME_MAX];
		void *p;
		int id, fd;

		close(ready[0]);
		close(go[1]);
		if (unshare(CLONE_NEWIPC))
			_exit(10);
		id = shmget(IPC_PRIVATE, SHM_BYTES, IPC_CREAT | 0600);
		if (id < 0)
			_exit(11);
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			_exit(12);
		memset(p, 0x5a, SHM_BYTES);
		shmdt(p);
		name_n(name, self->prefix, 0);
		fd = sys_wg_create(self->dev, WG_EXCL, 0600, 0, name);
		if (fd < 0)
			_exit(13);
		close(fd);
		if (wg_pipe_put(ready[1]) || wg_pipe_get(go[0]))
			_exit(14);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, wg_pipe_get(ready[0]));
	during = shmem_kb();
	ASSERT_EQ(0, wg_pipe_put(go[1]));
	ASSERT_EQ(0, wg_reap(pid));
	close(ready[0]);
	close(go[1]);
	/* The segment was there: it did raise Shmem. */
	ASSERT_LE(before + (long)(SHM_BYTES >> 10) * 3 / 4, during);

	end = wg_now_ns() + RELEASE_MS * NSEC_PER_MSEC;
	while (wg_now_ns() < end) {
		now = shmem_kb();
		if (now >= 0 && now < during - (long)(SHM_BYTES >> 10) * 3 / 4)
			break;
		usleep(20000);	/* polling the state, not waiting for it */
	}
	EXPECT_GT(during - (long)(SHM_BYTES >> 10) * 3 / 4, now) {
		TH_LOG("Shmem %ld kB before, %ld with the segment, %ld %d ms after the exit",
		       before, during, now, RELEASE_MS);
	}
}

TEST_HARNESS_MAIN
