// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: names per IPC namespace, and the permission checks on named
 * groups (owner/group/other bits against fsuid, fsgid and supplementary
 * groups; CAP_IPC_OWNER overrides). Needs root: children drop privileges
 * with raw set*id/capset calls.
 */
#include <grp.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "wg_util.h"

#define OWNER_UID	1000	/* wgtest */
#define OWNER_GID	1000
#define NOBODY		65534

enum cap_mode {
	CAPS_AS_IS,		/* whatever the uid change leaves */
	CAPS_DROP_IPC_OWNER,	/* clear CAP_IPC_OWNER */
	CAPS_ONLY_IPC_OWNER,	/* keep CAP_IPC_OWNER across the uid change */
};

struct creds {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[2];
	int fsuid;		/* -1: same as uid */
	enum cap_mode caps;
};

static int caps_set(__u32 effective, __u32 permitted, int keep_others)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];

	if (keep_others) {
		if (syscall(SYS_capget, &hdr, data))
			return -1;
		data[0].effective &= effective;
		data[0].permitted &= permitted;
	} else {
		memset(data, 0, sizeof(data));
		data[0].effective = effective;
		data[0].permitted = permitted;
	}
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

/* In a forked child: become @c. Returns 0 or -1. */
static int become(const struct creds *c)
{
	const __u32 ipc_owner = 1U << CAP_IPC_OWNER;

	if (setgroups(c->ngroups, c->groups))
		return -1;
	if (setresgid(c->gid, c->gid, c->gid))
		return -1;
	if (c->caps == CAPS_ONLY_IPC_OWNER &&
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setresuid(c->uid, c->uid, c->uid))
		return -1;
	/* After setresuid(), which resets the fsuid to the euid. */
	if (c->fsuid >= 0) {
		setfsuid(c->fsuid);
		if ((int)setfsuid(-1) != c->fsuid)
			return -1;
	}
	switch (c->caps) {
	case CAPS_AS_IS:
		break;
	case CAPS_DROP_IPC_OWNER:
		if (caps_set(~ipc_owner, ~ipc_owner, 1))
			return -1;
		break;
	case CAPS_ONLY_IPC_OWNER:
		if (caps_set(ipc_owner, ipc_owner, 0))
			return -1;
		break;
	}
	return 0;
}

/* Run @fn(@dev, @name, @arg) as @c in a child; return its exit code. */
static int run_as(const struct creds *c,
		  int (*fn)(int dev, const char *name, long arg),
		  int dev, const char *name, long arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (become(c))
			_exit(200);
		_exit(fn(dev, name, arg));
	}
	return wg_reap(pid);
}

static const struct creds owner = { OWNER_UID, OWNER_GID, 0, {0}, -1, CAPS_AS_IS };
static const struct creds nobody = { NOBODY, NOBODY, 0, {0}, -1, CAPS_AS_IS };
static const struct creds root_no_cap = { 0, 0, 0, {0}, -1, CAPS_DROP_IPC_OWNER };

/* Child bodies: exit 0 on success, else the errno (all < 200). */
static int do_create(int dev, const char *name, long mode)
{
	int fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, mode, 1, name);

	return fd < 0 ? -fd : 0;
}

static int do_create_existing(int dev, const char *name, long flags)
{
	int fd = sys_wg_create(dev, WG_CLOEXEC | flags, 0600, 1, name);

	return fd < 0 ? -fd : 0;
}

static int do_open(int dev, const char *name, long flags)
{
	int fd = sys_wg_open(dev, flags | WG_CLOEXEC, name);

	return fd < 0 ? -fd : 0;
}

static int do_unlink(int dev, const char *name, long unused)
{
	(void)unused;
	return -sys_wg_unlink(dev, name);
}

/* Named groups owned by wgtest (1000:1000), with a given mode. */
FIXTURE(perm) {
	int dev;
	char name[WG_NAME_MAX];
};

FIXTURE_VARIANT(perm) {
	__u32 mode;
	__u32 flags;
	struct creds who;
	int err;
};

FIXTURE_SETUP(perm)
{
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "perm");
	sys_wg_unlink(self->dev, self->name);
	ASSERT_EQ(0, run_as(&owner, do_create, self->dev, self->name,
			    variant->mode));
}

FIXTURE_TEARDOWN(perm)
{
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

#define U(uid_, gid_) { uid_, gid_, 0, {0}, -1, CAPS_AS_IS }

FIXTURE_VARIANT_ADD(perm, owner_r_wait) {
	.mode = 0400, .flags = WG_ACCESS_WAIT, .who = U(1000, 1000), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, owner_r_add) {
	.mode = 0400, .flags = WG_ACCESS_ADD, .who = U(1000, 1000),
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, owner_r_both) {
	.mode = 0400, .flags = 0, .who = U(1000, 1000), .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, owner_rw_both) {
	.mode = 0600, .flags = 0, .who = U(1000, 1000), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, owner_w_add) {
	.mode = 0200, .flags = WG_ACCESS_ADD, .who = U(1000, 1000), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, owner_w_wait) {
	.mode = 0200, .flags = WG_ACCESS_WAIT, .who = U(1000, 1000),
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, owner_class_is_exclusive) {
	.mode = 0066, .flags = WG_ACCESS_WAIT, .who = U(1000, 1000),
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, group_r_wait) {
	.mode = 0040, .flags = WG_ACCESS_WAIT, .who = U(2000, 1000), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, group_r_add) {
	.mode = 0040, .flags = WG_ACCESS_ADD, .who = U(2000, 1000),
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, group_gets_no_owner_bits) {
	.mode = 0600, .flags = WG_ACCESS_WAIT, .who = U(2000, 1000),
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, supplementary_group_rw) {
	.mode = 0060, .flags = 0,
	.who = { 2000, 3000, 1, { 1000 }, -1, CAPS_AS_IS }, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, supplementary_group_class_exclusive) {
	.mode = 0606, .flags = WG_ACCESS_WAIT,
	.who = { 2000, 3000, 1, { 1000 }, -1, CAPS_AS_IS }, .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, other_rw) {
	.mode = 0006, .flags = 0, .who = U(NOBODY, NOBODY), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, other_none) {
	.mode = 0660, .flags = 0, .who = U(NOBODY, NOBODY), .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, other_r_wait) {
	.mode = 0004, .flags = WG_ACCESS_WAIT, .who = U(NOBODY, NOBODY),
	.err = 0,
};
FIXTURE_VARIANT_ADD(perm, other_r_both) {
	.mode = 0004, .flags = 0, .who = U(NOBODY, NOBODY), .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, root_with_cap_ipc_owner) {
	.mode = 0000, .flags = 0, .who = U(0, 0), .err = 0,
};
FIXTURE_VARIANT_ADD(perm, root_without_cap_ipc_owner) {
	.mode = 0000, .flags = 0,
	.who = { 0, 0, 0, {0}, -1, CAPS_DROP_IPC_OWNER }, .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, nobody_with_cap_ipc_owner) {
	.mode = 0000, .flags = 0,
	.who = { NOBODY, NOBODY, 0, {0}, -1, CAPS_ONLY_IPC_OWNER }, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, fsuid_is_checked_owner) {
	.mode = 0600, .flags = 0,
	.who = { 0, 0, 0, {0}, OWNER_UID, CAPS_DROP_IPC_OWNER }, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, fsuid_is_checked_other) {
	.mode = 0600, .flags = 0,
	.who = { 0, 0, 0, {0}, 2000, CAPS_DROP_IPC_OWNER }, .err = EACCES,
};

TEST_F(perm, open)
{
	EXPECT_EQ(variant->err, run_as(&variant->who, do_open, self->dev,
				       self->name, variant->flags));
}

/* WG_IOC_CREATE on an existing name checks the same permission. */
TEST_F(perm, create_existing)
{
	int fd;

	/* The access bits are flags of WG_IOC_CREATE too. */
	EXPECT_EQ(variant->err, run_as(&variant->who, do_create_existing,
				       self->dev, self->name, variant->flags));
	/* The group is unchanged: count still 1 (count ignored). */
	fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

/* Ownership and unlink rules. */
FIXTURE(own) {
	int dev;
	char name[WG_NAME_MAX];
};

FIXTURE_SETUP(own)
{
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "own");
	sys_wg_unlink(self->dev, self->name);
	ASSERT_EQ(0, run_as(&owner, do_create, self->dev, self->name, 0666));
}

FIXTURE_TEARDOWN(own)
{
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

TEST_F(own, info_reports_creator)
{
	struct wg_info info;
	int fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ((__u32)OWNER_UID, info.uid);
	EXPECT_EQ((__u32)OWNER_GID, info.gid);
	EXPECT_EQ(0666U, info.mode);
	EXPECT_EQ(1, info.count);
	EXPECT_STREQ(self->name, info.name);
	close(fd);
}

TEST_F(own, owner_uses_fsuid_and_fsgid)
{
	struct wg_info info;
	char name[WG_NAME_MAX];
	int fd;

	wg_name(name, "fsid");
	sys_wg_unlink(self->dev, name);
	setfsgid(2345);
	setfsuid(2345);
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0640, 0, name);
	setfsuid(0);
	setfsgid(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(2345U, info.uid);
	EXPECT_EQ(2345U, info.gid);
	close(fd);
	EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
}

TEST_F(own, unlink_by_other_user_is_eperm)
{
	/* nobody may write (0666) but is not the owner. */
	EXPECT_EQ(EPERM, run_as(&nobody, do_unlink, self->dev, self->name, 0));
	EXPECT_EQ(0, run_as(&nobody, do_open, self->dev, self->name, 0));
}

TEST_F(own, unlink_by_root_without_cap_is_eperm)
{
	EXPECT_EQ(EPERM, run_as(&root_no_cap, do_unlink, self->dev,
				self->name, 0));
}

TEST_F(own, unlink_by_owner)
{
	EXPECT_EQ(0, run_as(&owner, do_unlink, self->dev, self->name, 0));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
}

TEST_F(own, unlink_by_cap_ipc_owner)
{
	const struct creds capped = {
		NOBODY, NOBODY, 0, {0}, -1, CAPS_ONLY_IPC_OWNER,
	};

	EXPECT_EQ(0, run_as(&capped, do_unlink, self->dev, self->name, 0));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
}

TEST_F(own, excl_create_by_other_is_eexist)
{
	EXPECT_EQ(EEXIST, run_as(&nobody, do_create, self->dev, self->name,
				 0600));
}

static int done_on_fd(int fd, const char *unused, long arg)
{
	(void)unused;
	(void)arg;
	return -sys_wg_done(fd);
}

TEST_F(own, anonymous_group_usable_by_any_holder)
{
	int fd = wg_create_anon(self->dev, 2);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, run_as(&nobody, done_on_fd, fd, NULL, 0));
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

static int dropped_open_keeps_access(int dev, const char *name, long arg)
{
	int fd = sys_wg_open(dev, WG_CLOEXEC | WG_ACCESS_WAIT, name);

	(void)arg;
	if (fd < 0)
		return 1;
	if (sys_wg_done(fd) != -EBADF)
		return 2;
	if (sys_wg_wait(fd, 0, 0, NULL) != -ETIMEDOUT)
		return 3;
	return 0;
}

TEST_F(own, access_bits_hold_for_users)
{
	EXPECT_EQ(0, run_as(&nobody, dropped_open_keeps_access, self->dev,
			    self->name, 0));
}

/* IPC namespaces. */
FIXTURE(ns) {
	int dev;
	char name[WG_NAME_MAX];
};

FIXTURE_SETUP(ns)
{
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "ns");
	sys_wg_unlink(self->dev, self->name);
}

FIXTURE_TEARDOWN(ns)
{
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

/* In a child: enter a new IPC namespace and open the device afresh. */
static int new_ipc_ns_dev(void)
{
	if (unshare(CLONE_NEWIPC))
		return -1;
	return open(WG_DEV, O_RDWR | O_CLOEXEC);
}

static int ns_open_missing(const char *name)
{
	int dev = new_ipc_ns_dev();

	if (dev < 0)
		return 100;
	return -sys_wg_open(dev, WG_CLOEXEC, name);
}

static pid_t fork_fn(int (*fn)(const char *name), const char *name)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(name));
	return pid;
}

TEST_F(ns, outside_name_invisible_inside)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0666, 1, self->name);

	ASSERT_LE(0, fd);
	EXPECT_EQ(ENOENT, wg_reap(fork_fn(ns_open_missing, self->name)));
	close(fd);
}

static int ns_unlink_missing(const char *name)
{
	int dev = new_ipc_ns_dev();

	if (dev < 0)
		return 100;
	return -sys_wg_unlink(dev, name);
}

TEST_F(ns, unlink_inside_does_not_reach_outside)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0666, 1, self->name);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(ENOENT, wg_reap(fork_fn(ns_unlink_missing, self->name)));
	fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	EXPECT_LE(0, fd);
	close(fd);
}

static int ns_same_name(const char *name)
{
	int dev = new_ipc_ns_dev(), fd;

	if (dev < 0)
		return 100;
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 7, name);
	if (fd < 0)
		return -fd;
	if (wg_count(fd) != 7)
		return 101;
	if (sys_wg_done(fd))
		return 102;
	return 0;
}

TEST_F(ns, same_name_in_two_namespaces)
{
	int fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 5, self->name);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wg_reap(fork_fn(ns_same_name, self->name)));
	EXPECT_EQ(5, wg_count(fd));
	close(fd);
}

struct ns_child {
	int cue[2];	/* parent -> child */
	int ack[2];	/* child -> parent */
	int sock[2];
};

static struct ns_child nc;

/* Create @name in a new namespace, ack, wait for the cue, exit. */
static int ns_create_and_hold(const char *name)
{
	int dev = new_ipc_ns_dev(), fd;

	if (dev < 0)
		return 100;
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 3, name);
	if (fd < 0)
		return -fd;
	if (sys_wg_open(dev, WG_CLOEXEC, name) < 0)
		return 101;
	if (wg_pipe_put(nc.ack[1]) || wg_pipe_get(nc.cue[0]))
		return 102;
	return 0;
}

TEST_F(ns, inside_name_invisible_outside)
{
	pid_t pid;

	ASSERT_EQ(0, pipe(nc.cue));
	ASSERT_EQ(0, pipe(nc.ack));
	pid = fork_fn(ns_create_and_hold, self->name);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_get(nc.ack[0]));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
	EXPECT_EQ(-ENOENT, sys_wg_unlink(self->dev, self->name));
	ASSERT_EQ(0, wg_pipe_put(nc.cue[1]));
	EXPECT_EQ(0, wg_reap(pid));
}

TEST_F(ns, names_live_while_nsfs_pins_namespace)
{
	char path[64];
	int nsfd;
	pid_t pid;

	ASSERT_EQ(0, pipe(nc.cue));
	ASSERT_EQ(0, pipe(nc.ack));
	pid = fork_fn(ns_create_and_hold, self->name);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wg_pipe_get(nc.ack[0]));
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	ASSERT_EQ(0, wg_pipe_put(nc.cue[1]));
	EXPECT_EQ(0, wg_reap(pid));

	/* No task is left in it, but the nsfs fd keeps it reachable. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int dev, fd;

		if (setns(nsfd, CLONE_NEWIPC))
			_exit(100);
		dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
		if (dev < 0)
			_exit(101);
		fd = sys_wg_open(dev, WG_CLOEXEC, self->name);
		if (fd < 0)
			_exit(-fd);
		_exit(wg_count(fd) == 3 ? 0 : 102);
	}
	EXPECT_EQ(0, wg_reap(pid));
	close(nsfd);
}

/* Create @name in a new namespace, send its fd to the parent, exit. */
static int ns_create_and_send(const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data = 'f';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int dev = new_ipc_ns_dev(), fd;

	if (dev < 0)
		return 100;
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 2, name);
	if (fd < 0)
		return -fd;
	memset(cbuf, 0, sizeof(cbuf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(nc.sock[1], &msg, 0) == 1 ? 0 : 101;
}

static int ns_must_not_see(const char *name)
{
	int dev = new_ipc_ns_dev(), fd;

	if (dev < 0)
		return 100;
	fd = sys_wg_open(dev, WG_CLOEXEC, name);
	if (fd >= 0)
		return 101;	/* a dead namespace's name leaked in */
	if (fd != -ENOENT)
		return -fd;
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 0, name);
	return fd < 0 ? -fd : 0;
}

TEST_F(ns, dead_namespace_names_do_not_leak)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	int round, fds[8];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				nc.sock));
	for (round = 0; round < 8; round++) {
		EXPECT_EQ(0, wg_reap(fork_fn(ns_create_and_send, self->name)));
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		ASSERT_EQ(1, recvmsg(nc.sock[0], &msg, MSG_CMSG_CLOEXEC));
		cmsg = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cmsg);
		memcpy(&fds[round], CMSG_DATA(cmsg), sizeof(int));
		/* The creator's namespace is dead; its group lives on here. */
		EXPECT_EQ(0, wg_reap(fork_fn(ns_must_not_see, self->name)))
			TH_LOG("round %d", round);
	}
	for (round = 0; round < 8; round++) {
		EXPECT_EQ(2, wg_count(fds[round]));
		EXPECT_EQ(0, sys_wg_add(fds[round], -2, 0, 0, 0));
		EXPECT_EQ(1, wg_generation(fds[round]));
		close(fds[round]);
	}
	/* And none of them ever appeared out here. */
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
}

TEST_HARNESS_MAIN
