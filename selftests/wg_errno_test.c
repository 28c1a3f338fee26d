// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: the errno table of uapi/linux/waitgroup.h, one fixture
 * variant a row: bad flags, padding, names, counts, pointers, commands.
 */
#include "wg_util.h"

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
	.delta = 1, .flags = 1U << 2, .err = EINVAL,	/* past WG_ADD_WAIT */
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
	__u64 target;
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

FIXTURE_VARIANT_ADD(wait_err, flag_eight) {
	.flags = 1U << 3, .err = EINVAL,	/* past WG_WAIT_RESET */
};
FIXTURE_VARIANT_ADD(wait_err, reset_without_totals) {
	.flags = WG_WAIT_RESET, .err = EINVAL,
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
/* Generation 1 would be the next to run; 2 has not begun. */
FIXTURE_VARIANT_ADD(wait_err, target_not_begun) {
	.target = 2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_err, target_max) {
	.deadline = WG_FOREVER, .target = ~0ULL, .err = EINVAL,
};

TEST_F(wait_err, rejected)
{
	struct wg_wait w;

	/* Even on a group at zero, which would otherwise return at once. */
	memset(&w, 0, sizeof(w));
	w.deadline_ns = variant->deadline;
	w.flags = variant->flags;
	w.__pad = variant->pad;
	w.target = variant->target;
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
