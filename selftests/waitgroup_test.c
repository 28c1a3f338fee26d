// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: the ioctls one at a time, and the errno table of
 * uapi/linux/waitgroup.h.
 */
#include <poll.h>

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

TEST_F(wg, device_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, fstat(self->dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(wg, create_anon_info)
{
	struct wg_info info;
	int fd;

	fd = sys_wg_create(self->dev, 0, 0, 0, "");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(0U, info.waiters);
	EXPECT_EQ(0ULL, info.generation);
	EXPECT_EQ(0U, info.abandoned);
	EXPECT_EQ(0, info.error);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0U, info.mode);
	EXPECT_EQ(0U, info.__pad);
	EXPECT_EQ(0, info.name[0]);
	close(fd);
}

TEST_F(wg, create_anon_initial_count)
{
	int fd = wg_create_anon(self->dev, 5);

	ASSERT_LE(0, fd);
	EXPECT_EQ(5, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, create_int32_max_count)
{
	int fd = wg_create_anon(self->dev, INT32_MAX);

	ASSERT_LE(0, fd);
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	close(fd);
}

TEST_F(wg, anon_inode_link)
{
	char path[64], link[128];
	ssize_t len;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, len);
	link[len] = 0;
	EXPECT_STREQ("anon_inode:[waitgroup]", link);
	close(fd);
}

TEST_F(wg, cloexec_flag)
{
	int fd1 = sys_wg_create(self->dev, WG_CLOEXEC, 0, 0, "");
	int fd2 = sys_wg_create(self->dev, 0, 0, 0, "");

	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd1, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	close(fd1);
	close(fd2);
}

TEST_F(wg, fdinfo_lines)
{
	int fd = wg_create_anon(self->dev, 3);

	ASSERT_LE(0, fd);
	EXPECT_EQ(3, wg_fdinfo(fd, "count"));
	EXPECT_EQ(0, wg_fdinfo(fd, "waiters"));
	EXPECT_EQ(0, wg_fdinfo(fd, "generation"));
	ASSERT_EQ(0, sys_wg_add(fd, -3, 0, 0, 0));
	EXPECT_EQ(0, wg_fdinfo(fd, "count"));
	EXPECT_EQ(1, wg_fdinfo(fd, "generation"));
	close(fd);
}

TEST_F(wg, add_done_wait)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 3, 0, 0, 0));
	EXPECT_EQ(3, wg_count(fd));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	close(fd);
}

TEST_F(wg, wait_on_zero_returns_at_once)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(0ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	/* Again: count 0 always returns at once, also with WG_FOREVER. */
	ASSERT_EQ(0, sys_wg_wait(fd, WG_FOREVER, 0, &w));
	EXPECT_EQ(0ULL, w.generation);
	close(fd);
}

TEST_F(wg, wait_past_deadlines_only_test)
{
	struct wg_wait w;
	__u64 t0 = wg_now_ns();
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 1, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, t0 - 1, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, wg_now_ns(), 0, &w));
	EXPECT_GT(5 * NSEC_PER_SEC, wg_now_ns() - t0);
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

TEST_F(wg, wait_future_deadline_expires)
{
	__u64 deadline = wg_now_ns() + 50 * NSEC_PER_MSEC;
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, deadline, 0, NULL));
	EXPECT_LE(deadline, wg_now_ns());
	EXPECT_EQ(0, wg_fdinfo(fd, "waiters"));
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

TEST_F(wg, add_zero_is_noop)
{
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, 0, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 2, 0, 0, 0));
	EXPECT_EQ(0, sys_wg_add(fd, 0, 0, 0, 0));
	EXPECT_EQ(0, sys_wg_add(fd, 0, WG_UNDO, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, done_on_zero_is_erange)
{
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ERANGE, sys_wg_done(fd));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, add_negative_exact_and_beyond)
{
	int fd = wg_create_anon(self->dev, 5);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ERANGE, sys_wg_add(fd, -6, 0, 0, 0));
	EXPECT_EQ(5, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -2, 0, 0, 0));
	EXPECT_EQ(3, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -3, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, overflow_boundary)
{
	int fd = wg_create_anon(self->dev, INT32_MAX - 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 2, 0, 0, 0));
	EXPECT_EQ(INT32_MAX - 1, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, INT32_MAX, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -INT32_MAX, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, first_error_of_generation_is_kept)
{
	struct wg_info info;
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 3);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, -1, 0, 5, 0));
	EXPECT_EQ(0, sys_wg_add(fd, -1, 0, 7, 0));
	EXPECT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(5, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(5, info.error);
	EXPECT_EQ(1ULL, info.generation);

	/* The next generation starts clean. */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(0, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0, info.error);
	close(fd);
}

TEST_F(wg, error_with_negative_errno_value)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 2);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, -2, 0, -42, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(-42, w.error);
	close(fd);
}

TEST_F(wg, generation_counts_completions)
{
	struct wg_wait w;
	int i, fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	for (i = 1; i <= 10; i++) {
		ASSERT_EQ(0, sys_wg_add(fd, i, 0, 0, 0));
		ASSERT_EQ(0, sys_wg_add(fd, -i, 0, 0, 0));
		EXPECT_EQ(i, wg_generation(fd));
	}
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(10ULL, w.generation);
	close(fd);
}

TEST_F(wg, completion_before_the_wait_is_not_waited_for)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(1, wg_count(fd));
	/* Go's rule: generation 1 completed before the wait began. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	close(fd);
}

TEST_F(wg, poll_readiness)
{
	struct pollfd p;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN | POLLRDNORM;
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents & (POLLIN | POLLRDNORM));

	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));

	/* Nobody polled while it completed: nothing was kept. */
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));

	ASSERT_EQ(0, sys_wg_done(fd));
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents & (POLLIN | POLLRDNORM));
	close(fd);
}

TEST_F(wg, named_create_and_open)
{
	struct wg_info info;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_EXCL | WG_CLOEXEC, 0640, 2,
			   self->name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(2, info.count);
	EXPECT_EQ(0640U, info.mode);
	EXPECT_EQ(0U, info.uid);
	EXPECT_EQ(0U, info.gid);
	EXPECT_STREQ(self->name, info.name);

	fd2 = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_info(fd2, &info));
	EXPECT_EQ(2, info.count);
	EXPECT_STREQ(self->name, info.name);
	/* Same object: a done on one is seen through the other. */
	ASSERT_EQ(0, sys_wg_done(fd2));
	EXPECT_EQ(1, wg_count(fd));
	ASSERT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(1, wg_generation(fd2));
	close(fd2);
	close(fd);
}

TEST_F(wg, named_mode_zero_means_0600)
{
	struct wg_info info;
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0, 0, self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0600U, info.mode);
	close(fd);
}

TEST_F(wg, named_mode_0777_allowed)
{
	struct wg_info info;
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0777, 0, self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0777U, info.mode);
	close(fd);
}

TEST_F(wg, named_outlives_its_fds)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 4, self->name);

	ASSERT_LE(0, fd);
	close(fd);
	fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, wg_count(fd));
	close(fd);
}

TEST_F(wg, create_existing_opens_it)
{
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 3, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_create(self->dev, WG_CLOEXEC, 0644, 9, self->name);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(3, wg_count(fd2));
	ASSERT_EQ(0, sys_wg_done(fd2));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);
	close(fd);
}

TEST_F(wg, create_existing_excl_is_eexist)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 3, self->name);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600,
					 1, self->name));
	EXPECT_EQ(3, wg_count(fd));
	close(fd);
}

TEST_F(wg, name_of_63_chars)
{
	struct wg_info info;
	int fd, len;

	/* teardown unlinks name2 */
	len = snprintf(self->name2, WG_NAME_MAX, "wgst.%d.", (int)getpid());
	memset(self->name2 + len, 'n', WG_NAME_MAX - 1 - len);
	self->name2[WG_NAME_MAX - 1] = 0;
	sys_wg_unlink(self->dev, self->name2);
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 0,
			   self->name2);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(63U, strnlen(info.name, WG_NAME_MAX));
	EXPECT_STREQ(self->name2, info.name);
	close(fd);
}

TEST_F(wg, name_edge_characters)
{
	int fd;

	/* '!' (0x21) and '~' (0x7e) are the first and last allowed. */
	snprintf(self->name2, WG_NAME_MAX, "!~.%d", (int)getpid());
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 0,
			   self->name2);
	ASSERT_LE(0, fd);
	close(fd);
	fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name2);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(wg, unlink_keeps_fds_and_frees_name)
{
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 2, self->name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, self->name));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
	EXPECT_EQ(-ENOENT, sys_wg_unlink(self->dev, self->name));
	/* The old fd still works. */
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(1, wg_count(fd));
	/* The name can be re-created: a new, different group. */
	fd2 = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 7,
			    self->name);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(7, wg_count(fd2));
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(7, wg_count(fd2));
	EXPECT_EQ(1, wg_generation(fd));
	EXPECT_EQ(0, wg_generation(fd2));
	close(fd2);
	close(fd);
}

TEST_F(wg, access_wait_only)
{
	struct wg_info info;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 1, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, self->name);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBADF, sys_wg_add(fd2, 1, 0, 0, 0));
	EXPECT_EQ(-EBADF, sys_wg_add(fd2, -1, 0, 0, 0));
	EXPECT_EQ(-EBADF, sys_wg_done(fd2));
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, sys_wg_info(fd2, &info));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd2, 0, 0, NULL));
	close(fd2);
	close(fd);
}

TEST_F(wg, access_add_only)
{
	struct wg_info info;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 1, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_ADD, self->name);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBADF, sys_wg_wait(fd2, 0, 0, NULL));
	EXPECT_EQ(-EBADF, sys_wg_info(fd2, &info));
	EXPECT_EQ(0, sys_wg_add(fd2, 1, 0, 0, 0));
	EXPECT_EQ(0, sys_wg_done(fd2));
	EXPECT_EQ(1, wg_count(fd));
	close(fd2);
	close(fd);
}

TEST_F(wg, poll_without_wait_access_is_pollerr)
{
	struct pollfd p;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_ADD, self->name);
	ASSERT_LE(0, fd2);
	/* Counter zero: a waiting fd would be readable; this one may not. */
	p.fd = fd2;
	p.events = POLLIN | POLLRDNORM;
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents);
	close(fd2);
	close(fd);
}

TEST_F(wg, create_access_bits_apply)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, 0600, 1,
			       self->name);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, sys_wg_done(fd));
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

TEST_F(wg, dup_same_group)
{
	int fd, fd2, fd3;

	fd = wg_create_anon(self->dev, 2);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, 0);
	ASSERT_LE(0, fd2);
	fd3 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd3, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, sys_wg_done(fd2));
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
	/* The group lives on through the dups. */
	ASSERT_EQ(0, sys_wg_done(fd3));
	EXPECT_EQ(1, wg_generation(fd2));
	close(fd2);
	close(fd3);
}

TEST_F(wg, dup_keeps_access)
{
	int fd, fd2, fd3;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 1, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, self->name);
	ASSERT_LE(0, fd2);
	fd3 = sys_wg_dup(fd2, WG_CLOEXEC);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(-EBADF, sys_wg_done(fd3));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd3, 0, 0, NULL));
	close(fd3);
	fd3 = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_ADD, self->name);
	ASSERT_LE(0, fd3);
	close(fd2);
	fd2 = sys_wg_dup(fd3, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBADF, sys_wg_wait(fd2, 0, 0, NULL));
	EXPECT_EQ(0, sys_wg_done(fd2));
	close(fd3);
	close(fd2);
	close(fd);
}

TEST_F(wg, undo_released_on_close)
{
	struct wg_wait w;
	struct wg_info info;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(2U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(2U, info.abandoned);
	EXPECT_EQ(EOWNERDEAD, info.error);
	close(fd);
}

TEST_F(wg, undo_ledger_drawn_by_done)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);	/* held by fd, no undo */
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 3, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd2));
	ASSERT_EQ(0, sys_wg_add(fd2, -1, 0, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);	/* ledger holds 1 */
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

TEST_F(wg, undo_fully_done_abandons_nothing)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd2));
	ASSERT_EQ(0, sys_wg_done(fd2));
	close(fd2);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, undo_keeps_earlier_error)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 1, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, 11, 0));
	close(fd2);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(11, w.error);
	EXPECT_EQ(1U, w.abandoned);
	close(fd);
}

TEST_F(wg, undo_clamped_at_count)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	/* ledger 2, count 3 */
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, -2, 0, 0, 0));		/* count 1 */
	close(fd2);					/* undo clamped to 1 */
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EOWNERDEAD, w.error);
	/* Only what was really taken back counts as abandoned. */
	EXPECT_EQ(1U, w.abandoned);
	close(fd);
}

TEST_F(wg, abandoned_saturates)
{
	struct wg_wait w;
	int fd, d, i;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	/* Three abandonments of INT_MAX - 1 adds: more than 32 bits hold. */
	for (i = 0; i < 3; i++) {
		d = sys_wg_dup(fd, WG_CLOEXEC);
		ASSERT_LE(0, d);
		ASSERT_EQ(0, sys_wg_add(d, INT_MAX - 1, WG_UNDO, 0, 0));
		close(d);
	}
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(UINT32_MAX, w.abandoned);
	close(fd);
}

TEST_F(wg, dup_has_empty_ledger)
{
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 2, WG_UNDO, 0, 0));
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(fd2);		/* empty ledger: nothing undone */
	EXPECT_EQ(2, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, failed_add_leaves_ledger)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	EXPECT_EQ(-ERANGE, sys_wg_add(fd2, -3, 0, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);	/* the whole ledger of 2 is undone */
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(2U, w.abandoned);
	close(fd);
}

TEST_F(wg, overflowing_undo_add_not_recorded)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, INT32_MAX - 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd2, 1, WG_UNDO, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	close(fd2);	/* undoes 1, not 3 */
	EXPECT_EQ(INT32_MAX - 1, wg_count(fd));
	ASSERT_EQ(0, sys_wg_add(fd, -(INT32_MAX - 1), 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

TEST_F(wg, undo_of_open_file_from_wg_open)
{
	struct wg_wait w;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 5, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	close(fd2);
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(5U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

/* ---- errno tables ---- */

FIXTURE(create_err) {
	int dev;
	char name[WG_NAME_MAX];
};

FIXTURE_VARIANT(create_err) {
	__u32 flags;
	__u32 mode;
	__s32 count;
	__u32 pad;
	int named;		/* use a unique valid name */
	const char *name;	/* or this raw name (up to 64 bytes, no NUL) */
	int name_len;
	int err;
};

FIXTURE_SETUP(create_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "cerr");
}

FIXTURE_TEARDOWN(create_err)
{
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(create_err, unknown_flag) {
	.flags = 1U << 4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, top_flag) {
	.flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, pad) {
	.pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, named_pad) {
	.named = 1, .pad = 0x80000000, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, anon_mode) {
	.mode = 0600, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, anon_excl) {
	.flags = WG_EXCL, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, mode_01000) {
	.named = 1, .mode = 01000, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, mode_04755) {
	.named = 1, .mode = 04755, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, anon_count_minus_one) {
	.count = -1, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(create_err, anon_count_int_min) {
	.count = INT32_MIN, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(create_err, named_count_negative) {
	.named = 1, .count = -5, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(create_err, name_space) {
	.name = "a b", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_leading_space) {
	.name = " ab", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_slash) {
	.name = "a/b", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_only_slash) {
	.name = "/", .name_len = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_del) {
	.name = "ab\x7f", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_high_byte) {
	.name = "ab\x80", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_tab) {
	.name = "a\tb", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_newline) {
	.name = "ab\n", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(create_err, name_64_no_nul) {
	.name = "0123456789012345678901234567890123456789012345678901234567890123",
	.name_len = 64, .err = ENAMETOOLONG,
};

TEST_F(create_err, rejected)
{
	struct wg_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.flags = variant->flags | WG_CLOEXEC;
	c.mode = variant->mode;
	c.count = variant->count;
	c.__pad = variant->pad;
	if (variant->named)
		wg_set_name(c.name, self->name);
	else if (variant->name)
		memcpy(c.name, variant->name, variant->name_len);
	ret = sys_wg_ioctl(self->dev, WG_IOC_CREATE, &c);
	EXPECT_EQ(-variant->err, ret);
	if (ret >= 0)
		close(ret);
	if (variant->named)
		EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC,
					       self->name));
}

FIXTURE(open_err) {
	int dev;
	int fd;
	char name[WG_NAME_MAX];
};

FIXTURE_VARIANT(open_err) {
	__u32 flags;
	__u32 pad;
	int existing;		/* open the fixture's existing group */
	const char *name;
	int name_len;
	int err;
};

FIXTURE_SETUP(open_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "oerr");
	self->fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(open_err)
{
	close(self->fd);
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(open_err, excl_flag) {
	.existing = 1, .flags = WG_EXCL, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, unknown_flag) {
	.existing = 1, .flags = 1U << 4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, top_flag) {
	.existing = 1, .flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, pad) {
	.existing = 1, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, missing) {
	.name = "wgst.no.such.group", .name_len = 18, .err = ENOENT,
};
FIXTURE_VARIANT_ADD(open_err, empty_name) {
	.name = "", .name_len = 0, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, bad_char) {
	.name = "a b", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, slash) {
	.name = "a/b", .name_len = 3, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(open_err, name_64_no_nul) {
	.name = "0123456789012345678901234567890123456789012345678901234567890123",
	.name_len = 64, .err = ENAMETOOLONG,
};

TEST_F(open_err, rejected)
{
	struct wg_open o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.flags = variant->flags | WG_CLOEXEC;
	o.__pad = variant->pad;
	if (variant->existing)
		wg_set_name(o.name, self->name);
	else
		memcpy(o.name, variant->name, variant->name_len);
	ret = sys_wg_ioctl(self->dev, WG_IOC_OPEN, &o);
	EXPECT_EQ(-variant->err, ret);
	if (ret >= 0)
		close(ret);
}

FIXTURE(unlink_err) {
	int dev;
	int fd;
	char name[WG_NAME_MAX];
};

FIXTURE_VARIANT(unlink_err) {
	__u32 flags;
	__u32 pad;
	int existing;
	const char *name;
	int name_len;
	int err;
};

FIXTURE_SETUP(unlink_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "uerr");
	self->fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(unlink_err)
{
	close(self->fd);
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(unlink_err, flag_cloexec) {
	.existing = 1, .flags = WG_CLOEXEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(unlink_err, flag_excl) {
	.existing = 1, .flags = WG_EXCL, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(unlink_err, pad) {
	.existing = 1, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(unlink_err, missing) {
	.name = "wgst.no.such.group", .name_len = 18, .err = ENOENT,
};
FIXTURE_VARIANT_ADD(unlink_err, bad_char) {
	.name = "a\x7f", .name_len = 2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(unlink_err, name_64_no_nul) {
	.name = "0123456789012345678901234567890123456789012345678901234567890123",
	.name_len = 64, .err = ENAMETOOLONG,
};

TEST_F(unlink_err, rejected)
{
	struct wg_open o;

	memset(&o, 0, sizeof(o));
	o.flags = variant->flags;
	o.__pad = variant->pad;
	if (variant->existing)
		wg_set_name(o.name, self->name);
	else
		memcpy(o.name, variant->name, variant->name_len);
	EXPECT_EQ(-variant->err, sys_wg_ioctl(self->dev, WG_IOC_UNLINK, &o));
	/* A rejected unlink of the existing name leaves it in place. */
	if (variant->existing) {
		int fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);

		EXPECT_LE(0, fd);
		close(fd);
	}
}

FIXTURE(add_err) {
	int dev;
	int fd;
};

FIXTURE_VARIANT(add_err) {
	__s32 delta;
	__u32 flags;
	__s32 error;
	__u32 pad;
	int err;
};

FIXTURE_SETUP(add_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(add_err)
{
	close(self->fd);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(add_err, below_zero) {
	.delta = -2, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(add_err, int_min) {
	.delta = INT32_MIN, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(add_err, below_zero_with_error) {
	.delta = -2, .error = 5, .err = ERANGE,
};
FIXTURE_VARIANT_ADD(add_err, past_int_max) {
	.delta = INT32_MAX, .err = EOVERFLOW,
};
FIXTURE_VARIANT_ADD(add_err, past_int_max_undo) {
	.delta = INT32_MAX, .flags = WG_UNDO, .err = EOVERFLOW,
};
FIXTURE_VARIANT_ADD(add_err, unknown_flag) {
	.delta = 1, .flags = 1U << 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(add_err, top_flag) {
	.delta = 1, .flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(add_err, pad) {
	.delta = 1, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(add_err, error_with_zero_delta) {
	.delta = 0, .error = 5, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(add_err, error_with_positive_delta) {
	.delta = 1, .error = 5, .err = EINVAL,
};

TEST_F(add_err, rejected_and_nothing_changes)
{
	struct wg_wait w;

	EXPECT_EQ(-variant->err, sys_wg_add(self->fd, variant->delta,
					     variant->flags, variant->error,
					     variant->pad));
	EXPECT_EQ(1, wg_count(self->fd));
	EXPECT_EQ(0, wg_generation(self->fd));
	/* No error leaked into the generation either. */
	ASSERT_EQ(0, sys_wg_done(self->fd));
	ASSERT_EQ(0, sys_wg_wait(self->fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
}

FIXTURE(wait_err) {
	int dev;
	int fd;
};

FIXTURE_VARIANT(wait_err) {
	__u64 deadline;
	__u32 flags;
	__u32 pad;
	int err;
};

FIXTURE_SETUP(wait_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(wait_err)
{
	close(self->fd);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(wait_err, flag_one) {
	.flags = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_err, flag_top) {
	.flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_err, pad) {
	.pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_err, pad_forever) {
	.deadline = WG_FOREVER, .pad = 0xffffffff, .err = EINVAL,
};

TEST_F(wait_err, rejected)
{
	struct wg_wait w;

	/* Even on a group at zero, which would otherwise return at once. */
	memset(&w, 0, sizeof(w));
	w.deadline_ns = variant->deadline;
	w.flags = variant->flags;
	w.__pad = variant->pad;
	EXPECT_EQ(-variant->err, sys_wg_ioctl(self->fd, WG_IOC_WAIT, &w));
}

FIXTURE(dup_err) {
	int dev;
	int fd;
};

FIXTURE_VARIANT(dup_err) {
	__u32 flags;
};

FIXTURE_SETUP(dup_err)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dup_err)
{
	close(self->fd);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(dup_err, excl) { .flags = WG_EXCL, };
FIXTURE_VARIANT_ADD(dup_err, access_wait) { .flags = WG_ACCESS_WAIT, };
FIXTURE_VARIANT_ADD(dup_err, access_add) { .flags = WG_ACCESS_ADD, };
FIXTURE_VARIANT_ADD(dup_err, top) { .flags = 1U << 31, };

TEST_F(dup_err, rejected)
{
	EXPECT_EQ(-EINVAL, sys_wg_dup(self->fd, variant->flags));
}

/* Bad pointers: EFAULT from every ioctl that takes one. */
FIXTURE(efault) {
	int dev;
	int fd;
	void *bad;
};

FIXTURE_VARIANT(efault) {
	int on_dev;
	unsigned long cmd;
};

FIXTURE_SETUP(efault)
{
	long page = sysconf(_SC_PAGESIZE);

	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fd);
	/* An address that was mapped a moment ago and is not any more. */
	self->bad = mmap(NULL, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bad);
	ASSERT_EQ(0, munmap(self->bad, page));
}

FIXTURE_TEARDOWN(efault)
{
	close(self->fd);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(efault, create) { .on_dev = 1, .cmd = WG_IOC_CREATE, };
FIXTURE_VARIANT_ADD(efault, open) { .on_dev = 1, .cmd = WG_IOC_OPEN, };
FIXTURE_VARIANT_ADD(efault, unlink) { .on_dev = 1, .cmd = WG_IOC_UNLINK, };
FIXTURE_VARIANT_ADD(efault, add) { .cmd = WG_IOC_ADD, };
FIXTURE_VARIANT_ADD(efault, wait) { .cmd = WG_IOC_WAIT, };
FIXTURE_VARIANT_ADD(efault, info) { .cmd = WG_IOC_INFO, };
FIXTURE_VARIANT_ADD(efault, dup) { .cmd = WG_IOC_DUP, };

TEST_F(efault, bad_pointer)
{
	int fd = variant->on_dev ? self->dev : self->fd;

	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, variant->cmd, self->bad));
	EXPECT_EQ(-EFAULT, sys_wg_ioctl(fd, variant->cmd, NULL));
	EXPECT_EQ(0, wg_count(self->fd));
}

/* Unknown commands: ENOTTY on both kinds of file. */
FIXTURE(enotty) {
	int dev;
	int fd;
};

FIXTURE_VARIANT(enotty) {
	int on_dev;
	unsigned long cmd;
};

FIXTURE_SETUP(enotty)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	self->fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(enotty)
{
	close(self->fd);
	close(self->dev);
}

FIXTURE_VARIANT_ADD(enotty, dev_unknown_nr) {
	.on_dev = 1, .cmd = _IO(WG_IOC_MAGIC, 0x7f),
};
FIXTURE_VARIANT_ADD(enotty, dev_add) { .on_dev = 1, .cmd = WG_IOC_ADD, };
FIXTURE_VARIANT_ADD(enotty, dev_done) { .on_dev = 1, .cmd = WG_IOC_DONE, };
FIXTURE_VARIANT_ADD(enotty, dev_wait) { .on_dev = 1, .cmd = WG_IOC_WAIT, };
FIXTURE_VARIANT_ADD(enotty, dev_tcgets) { .on_dev = 1, .cmd = TCGETS, };
FIXTURE_VARIANT_ADD(enotty, fd_unknown_nr) { .cmd = _IO(WG_IOC_MAGIC, 0x7f), };
FIXTURE_VARIANT_ADD(enotty, fd_create) { .cmd = WG_IOC_CREATE, };
FIXTURE_VARIANT_ADD(enotty, fd_unlink) { .cmd = WG_IOC_UNLINK, };
FIXTURE_VARIANT_ADD(enotty, fd_wrong_size) {
	.cmd = _IOW(WG_IOC_MAGIC, 0x10, __u64),
};
FIXTURE_VARIANT_ADD(enotty, fd_tcgets) { .cmd = TCGETS, };

TEST_F(enotty, unknown_command)
{
	char buf[256];
	int fd = variant->on_dev ? self->dev : self->fd;

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-ENOTTY, sys_wg_ioctl(fd, variant->cmd, buf));
	EXPECT_EQ(1, wg_count(self->fd));
}

TEST_HARNESS_MAIN
