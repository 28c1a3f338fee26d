// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: named groups (create, open, unlink, the name rule, modes),
 * access bits and dup.
 */
#include <poll.h>

#include "wg_fixture.h"

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

/*
 * Issue 26, finding 5: CREATE of an existing name (no WG_EXCL) ignores
 * mode, count and limit, as documented, so values a new group would be
 * refused (a limit above INT32_MAX, a mode above 0777, a negative count)
 * still open it and change nothing. For a new group they stay errors.
 */
static int create_raw(int dev, __u32 mode, __s32 count, __u32 limit,
		      const char *name)
{
	struct wg_create c;

	memset(&c, 0, sizeof(c));
	c.flags = WG_CLOEXEC;
	c.mode = mode;
	c.count = count;
	c.limit = limit;
	wg_set_name(c.name, name);
	return sys_wg_ioctl(dev, WG_IOC_CREATE, &c);
}

TEST_F(wg, create_existing_ignores_limit_and_mode)
{
	struct wg_info info;
	int fd, fd2;

	fd = create_raw(self->dev, 0640, 2, 3, self->name);
	ASSERT_LE(0, fd);
	fd2 = create_raw(self->dev, 0640, 2, 0x80000000U, self->name);
	ASSERT_LE(0, fd2);
	close(fd2);
	fd2 = create_raw(self->dev, 0640, 2, ~0U, self->name);
	ASSERT_LE(0, fd2);
	close(fd2);
	fd2 = create_raw(self->dev, 01777, 2, 0, self->name);
	ASSERT_LE(0, fd2);
	close(fd2);
	fd2 = create_raw(self->dev, ~0U, -1, ~0U, self->name);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_info(fd2, &info));
	EXPECT_EQ(2, info.count);
	EXPECT_EQ(3U, info.limit);
	EXPECT_EQ(0640U, info.mode);
	close(fd2);
	/* The same values for a name that does not exist are refused. */
	EXPECT_EQ(-EINVAL, create_raw(self->dev, 0640, 0, 0x80000000U,
				      self->name2));
	EXPECT_EQ(-EINVAL, create_raw(self->dev, 01777, 0, 0, self->name2));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name2));
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

TEST_HARNESS_MAIN
