// SPDX-License-Identifier: GPL-2.0
/*
 * WG_IOC_LIST: names of the caller's IPC namespace, in creation order,
 * resumable from a cursor, filtered by permission, scoped by namespace.
 */
#include <grp.h>
#include <sched.h>

#include "wg_util.h"

/* How many of the listed names start with @prefix; -errno on failure. */
static int count_listed(int dev, const char *prefix, __u32 chunk,
			int *calls)
{
	static char names[WG_LIST_MAX][WG_NAME_MAX];
	__u64 cursor = 0;
	int n, i, found = 0;

	*calls = 0;
	do {
		n = sys_wg_list(dev, names, chunk, 0, &cursor);
		if (n < 0)
			return n;
		(*calls)++;
		for (i = 0; i < n; i++)
			if (!strncmp(names[i], prefix, strlen(prefix)))
				found++;
	} while (cursor);
	return found;
}

FIXTURE(list) {
	int dev;
	char prefix[32];
};

FIXTURE_SETUP(list)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	snprintf(self->prefix, sizeof(self->prefix), "ls%d.", getpid());
}

FIXTURE_TEARDOWN(list)
{
	close(self->dev);
}

static void make_names(struct __test_metadata *_metadata, int dev,
		       const char *prefix, int n, __u32 mode)
{
	char name[WG_NAME_MAX];
	int i, fd;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%04d", prefix, i);
		fd = sys_wg_create(dev, WG_EXCL, mode, 0, name);
		ASSERT_LE(0, fd);
		close(fd);
	}
}

static void drop_names(int dev, const char *prefix, int n)
{
	char name[WG_NAME_MAX];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%04d", prefix, i);
		sys_wg_unlink(dev, name);
	}
}

TEST_F(list, all_names_across_several_calls)
{
	int calls;

	make_names(_metadata, self->dev, self->prefix, 700, 0600);
	EXPECT_EQ(700, count_listed(self->dev, self->prefix, WG_LIST_MAX, &calls));
	EXPECT_LE(3, calls);
	/* A tiny buffer pages through the same names. */
	EXPECT_EQ(700, count_listed(self->dev, self->prefix, 7, &calls));
	EXPECT_LE(100, calls);
	drop_names(self->dev, self->prefix, 700);
	EXPECT_EQ(0, count_listed(self->dev, self->prefix, WG_LIST_MAX, &calls));
}

TEST_F(list, oldest_first_and_count_capped)
{
	static char names[WG_LIST_MAX + 8][WG_NAME_MAX];
	__u64 cursor = 0;
	char want[WG_NAME_MAX];
	int n, i, seen = 0;

	make_names(_metadata, self->dev, self->prefix, 300, 0600);
	do {
		memset(names, 0xcc, sizeof(names));
		n = sys_wg_list(self->dev, names, WG_LIST_MAX + 8, 0, &cursor);
		ASSERT_LE(0, n);
		/* Never more than WG_LIST_MAX, and nothing past what it reports. */
		ASSERT_GE(WG_LIST_MAX, n);
		EXPECT_EQ((char)0xcc, names[n][0]);
		for (i = 0; i < n; i++) {
			if (strncmp(names[i], self->prefix, strlen(self->prefix)))
				continue;
			snprintf(want, sizeof(want), "%s%04d", self->prefix, seen++);
			EXPECT_STREQ(want, names[i]);
		}
	} while (cursor);
	EXPECT_EQ(300, seen);
	drop_names(self->dev, self->prefix, 300);
}

TEST_F(list, changes_between_calls_skip_nothing)
{
	static char names[WG_LIST_MAX][WG_NAME_MAX];
	char extra[WG_NAME_MAX];
	__u64 cursor = 0;
	int n, i, found = 0, first;

	make_names(_metadata, self->dev, self->prefix, 20, 0600);
	n = sys_wg_list(self->dev, names, 5, 0, &cursor);
	ASSERT_EQ(5, n);
	ASSERT_NE(0ULL, cursor);
	first = n;
	/* Remove one already listed and one not yet; add one at the end. */
	snprintf(extra, sizeof(extra), "%s%04d", self->prefix, 0);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, extra));
	snprintf(extra, sizeof(extra), "%s%04d", self->prefix, 10);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, extra));
	snprintf(extra, sizeof(extra), "%sz", self->prefix);
	i = sys_wg_create(self->dev, WG_EXCL, 0, 0, extra);
	ASSERT_LE(0, i);
	close(i);
	do {
		n = sys_wg_list(self->dev, names, WG_LIST_MAX, 0, &cursor);
		ASSERT_LE(0, n);
		for (i = 0; i < n; i++)
			if (!strncmp(names[i], self->prefix, strlen(self->prefix)))
				found++;
	} while (cursor);
	/* 20 - 5 listed - 1 removed after the cursor + 1 new. */
	EXPECT_EQ(15, found);
	EXPECT_EQ(5, first);
	EXPECT_EQ(0, sys_wg_unlink(self->dev, extra));
	drop_names(self->dev, self->prefix, 20);
}

TEST_F(list, bad_arguments)
{
	static char names[4][WG_NAME_MAX];
	__u64 cursor = 0;
	struct wg_list l;

	EXPECT_EQ(-EINVAL, sys_wg_list(self->dev, names, 4, 1, &cursor));
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(self->dev, WG_IOC_LIST, NULL));
	make_names(_metadata, self->dev, self->prefix, 1, 0600);
	memset(&l, 0, sizeof(l));
	l.names = 8;	/* unmapped */
	l.count = 4;
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(self->dev, WG_IOC_LIST, &l));
	/* A cursor no call could have returned. */
	__u64 bad = ~0ULL;

	EXPECT_EQ(-EINVAL, sys_wg_list(self->dev, names, 4, 0, &bad));
	/* count 0 could never move the cursor: refused. */
	l.count = 0;
	EXPECT_EQ(-EINVAL, sys_wg_ioctl(self->dev, WG_IOC_LIST, &l));
	drop_names(self->dev, self->prefix, 1);
}

TEST_F(list, only_names_the_caller_may_wait_on)
{
	char open_name[WG_NAME_MAX], closed_name[WG_NAME_MAX];
	pid_t pid;
	int fd;

	snprintf(open_name, sizeof(open_name), "%sopen", self->prefix);
	snprintf(closed_name, sizeof(closed_name), "%sclosed", self->prefix);
	fd = sys_wg_create(self->dev, WG_EXCL, 0644, 0, open_name);
	ASSERT_LE(0, fd);
	close(fd);
	fd = sys_wg_create(self->dev, WG_EXCL, 0600, 0, closed_name);
	ASSERT_LE(0, fd);
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static char names[WG_LIST_MAX][WG_NAME_MAX];
		__u64 cursor = 0;
		int n, i, saw_open = 0, saw_closed = 0;

		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(2);
		do {
			n = sys_wg_list(self->dev, names, WG_LIST_MAX, 0, &cursor);
			if (n < 0)
				_exit(3);
			for (i = 0; i < n; i++) {
				saw_open |= !strcmp(names[i], open_name);
				saw_closed |= !strcmp(names[i], closed_name);
			}
		} while (cursor);
		_exit(saw_open && !saw_closed ? 0 : 1);
	}
	EXPECT_EQ(0, wg_reap(pid));
	EXPECT_EQ(0, sys_wg_unlink(self->dev, open_name));
	EXPECT_EQ(0, sys_wg_unlink(self->dev, closed_name));
}

TEST_F(list, scoped_to_the_ipc_namespace)
{
	pid_t pid;

	make_names(_metadata, self->dev, self->prefix, 3, 0600);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int calls;

		if (unshare(CLONE_NEWIPC))
			_exit(2);
		_exit(count_listed(self->dev, self->prefix, WG_LIST_MAX, &calls) == 0 ? 0 : 1);
	}
	EXPECT_EQ(0, wg_reap(pid));
	drop_names(self->dev, self->prefix, 3);
}

/*
 * In a namespace of its own, a cursor taken before every name went (and
 * the namespace's registry record with them) skips none of the names
 * created after: ids only grow.
 */
static int cursor_survives_emptying(int dev)
{
	char names[4][WG_NAME_MAX];
	__u64 cursor = 0;
	int n;

	if (unshare(CLONE_NEWIPC))
		return 10;
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);	/* any descriptor will do */
	if (dev < 0)
		return 11;
	if (sys_wg_create(dev, WG_EXCL, 0600, 0, "a") < 0 ||
	    sys_wg_create(dev, WG_EXCL, 0600, 0, "b") < 0 ||
	    sys_wg_create(dev, WG_EXCL, 0600, 0, "c") < 0)
		return 12;
	n = sys_wg_list(dev, names, 2, 0, &cursor);
	if (n != 2 || !cursor)
		return 13;
	if (sys_wg_unlink(dev, "a") || sys_wg_unlink(dev, "b") ||
	    sys_wg_unlink(dev, "c"))
		return 14;
	if (sys_wg_create(dev, WG_EXCL, 0600, 0, "x") < 0 ||
	    sys_wg_create(dev, WG_EXCL, 0600, 0, "y") < 0 ||
	    sys_wg_create(dev, WG_EXCL, 0600, 0, "z") < 0)
		return 15;
	n = sys_wg_list(dev, names, 4, 0, &cursor);
	if (n != 3)
		return 20 + (n < 0 ? 9 : n);
	return strcmp(names[0], "x") || strcmp(names[2], "z") ? 16 : 0;
}

TEST_F(list, cursor_survives_a_namespace_emptied_and_refilled)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root for a new IPC namespace");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(cursor_survives_emptying(self->dev));
	EXPECT_EQ(0, wg_reap(pid));
}

TEST_HARNESS_MAIN
