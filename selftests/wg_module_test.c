// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: module lifetime. rmmod is refused while any waitgroup file is
 * open, succeeds once none is, and the module loads again from
 * /lib/waitgroup/waitgroup.ko. Run this program last: it unloads the module
 * (and always loads it back before each test ends).
 */
#include <grp.h>
#include <sys/syscall.h>

#include "wg_util.h"

#define WG_MODULE	"waitgroup"
#define WG_KO		"/lib/waitgroup/waitgroup.ko"
#define WG_SYSFS	"/sys/module/waitgroup"

static int module_loaded(void)
{
	return access(WG_SYSFS, F_OK) == 0;
}

/* delete_module(2) as rmmod does it; 0 or -errno. */
static int unload(void)
{
	return syscall(SYS_delete_module, WG_MODULE, O_NONBLOCK) ? -errno : 0;
}

/* finit_module(2) from WG_KO, then wait for devtmpfs to show the node. */
static int load_params(const char *params)
{
	__u64 end;
	int fd, ret;

	fd = open(WG_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	end = wg_now_ns() + 10 * NSEC_PER_SEC;
	while (access(WG_DEV, F_OK)) {
		if (wg_now_ns() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

static int load(void)
{
	return load_params("");
}

static long refcnt(void)
{
	return wg_read_long(WG_SYSFS "/refcnt");
}

FIXTURE(mod) {
	int unused;
};

FIXTURE_SETUP(mod)
{
	__u64 end;
	int dev;

	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	if (access(WG_KO, R_OK))
		WG_SKIP_SETUP("%s: %s", WG_KO, strerror(errno));
	if (!module_loaded())
		WG_SKIP_SETUP("module %s not loaded", WG_MODULE);
	WG_OPEN_DEV_OR_SKIP(dev);
	close(dev);
	/* Give stragglers of earlier test programs a bounded time to exit. */
	end = wg_now_ns() + 20 * NSEC_PER_SEC;
	while (refcnt() > 0 && wg_now_ns() < end)
		sched_yield();
	ASSERT_EQ(0, refcnt())
		TH_LOG("some process still holds the module; rmmod cannot work");
}

FIXTURE_TEARDOWN(mod)
{
	/* Leave the module loaded for whatever runs next. */
	if (!module_loaded())
		EXPECT_EQ(0, load());
}

TEST_F(mod, rmmod_refused_while_group_fd_open)
{
	int dev, fd;

	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	fd = wg_create_anon(dev, 1);
	ASSERT_LE(0, fd);
	close(dev);
	/* 6.1's delete_module says EWOULDBLOCK while references remain. */
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_TRUE(module_loaded());
	/* The group is unharmed. */
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
	EXPECT_EQ(0, unload());
	EXPECT_FALSE(module_loaded());
	EXPECT_NE(0, access(WG_DEV, F_OK));
	ASSERT_EQ(0, load());
	EXPECT_TRUE(module_loaded());
}

TEST_F(mod, rmmod_refused_while_device_open)
{
	int dev = open(WG_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_TRUE(module_loaded());
	close(dev);
}

TEST_F(mod, rmmod_refused_while_named_group_open)
{
	char name[WG_NAME_MAX];
	int dev, fd;

	wg_name(name, "mod");
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 0, name);
	ASSERT_LE(0, fd);
	close(fd);
	fd = sys_wg_open(dev, WG_CLOEXEC, name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_unlink(dev, name));
	close(dev);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(fd);
	EXPECT_EQ(0, unload());
}

TEST_F(mod, refcnt_follows_open_files)
{
	long before, during;
	int dev, fd, fd2;

	before = refcnt();
	ASSERT_LE(0, before);
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	fd = wg_create_anon(dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	during = refcnt();
	EXPECT_LT(before, during);
	close(fd2);
	close(fd);
	close(dev);
	EXPECT_EQ(before, refcnt());
}

TEST_F(mod, named_groups_do_not_survive_reload)
{
	char name[WG_NAME_MAX];
	int dev, fd;

	wg_name(name, "reload");
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 4, name);
	ASSERT_LE(0, fd);
	close(fd);
	close(dev);
	/* A name with no open file does not pin the module. */
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-ENOENT, sys_wg_open(dev, WG_CLOEXEC, name));
	close(dev);
}

TEST_F_TIMEOUT(mod, load_unload_cycles, 120)
{
	struct wg_wait w;
	int i, dev, fd;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
		EXPECT_EQ(-ENOENT, unload());
		ASSERT_EQ(0, load()) TH_LOG("cycle %d", i);
		EXPECT_EQ(-EEXIST, load());
		dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, dev);
		fd = wg_create_anon(dev, 1);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, sys_wg_done(fd));
		ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
		EXPECT_EQ(1ULL, w.generation);
		close(fd);
		close(dev);
	}
}

/*
 * Group limits, with the module reloaded with small max_groups and
 * max_groups_per_user; the teardown reloads it with the defaults.
 */
FIXTURE(limits) {
	int dev;
	int fds[8];
	int nfds;
	char name[WG_NAME_MAX];
};

FIXTURE_SETUP(limits)
{
	__u64 end;

	self->dev = -1;
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	if (access(WG_KO, R_OK))
		WG_SKIP_SETUP("%s: %s", WG_KO, strerror(errno));
	if (!module_loaded())
		WG_SKIP_SETUP("module %s not loaded", WG_MODULE);
	if (access(WG_SYSFS "/parameters/max_groups", R_OK))
		WG_SKIP_SETUP("module has no max_groups parameter");
	end = wg_now_ns() + 20 * NSEC_PER_SEC;
	while (refcnt() > 0 && wg_now_ns() < end)
		sched_yield();
	ASSERT_EQ(0, refcnt());
	wg_name(self->name, "limit");
}

FIXTURE_TEARDOWN(limits)
{
	int i;

	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	if (self->dev >= 0)
		close(self->dev);
	/* Back to the defaults for whatever runs next. */
	if (module_loaded())
		EXPECT_EQ(0, unload());
	EXPECT_EQ(0, load());
}

/* Reload with @params and open the device. */
static int reload_with(FIXTURE_DATA(limits) *self, const char *params)
{
	int ret = unload();

	if (ret)
		return ret;
	ret = load_params(params);
	if (ret)
		return ret;
	self->dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	return self->dev < 0 ? -errno : 0;
}

static long param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), WG_SYSFS "/parameters/%s", name);
	return wg_read_long(path);
}

TEST_F(limits, max_groups_in_all)
{
	int fd;

	ASSERT_EQ(0, reload_with(self, "max_groups=3"));
	EXPECT_EQ(3, param("max_groups"));
	for (self->nfds = 0; self->nfds < 3; self->nfds++) {
		self->fds[self->nfds] = wg_create_anon(self->dev, 0);
		ASSERT_LE(0, self->fds[self->nfds]);
	}
	EXPECT_EQ(-ENOSPC, wg_create_anon(self->dev, 0));
	EXPECT_EQ(-ENOSPC, sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600,
					 0, self->name));
	EXPECT_EQ(-ENOENT, sys_wg_open(self->dev, WG_CLOEXEC, self->name));
	/* A dup is a new file, not a new group. */
	fd = sys_wg_dup(self->fds[0], WG_CLOEXEC);
	EXPECT_LE(0, fd);
	close(fd);
	/* Closing a group frees its place. */
	close(self->fds[--self->nfds]);
	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	EXPECT_EQ(-ENOSPC, wg_create_anon(self->dev, 0));
}

TEST_F(limits, named_group_holds_place_until_unlinked)
{
	int fd;

	ASSERT_EQ(0, reload_with(self, "max_groups=2"));
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 0,
			   self->name);
	ASSERT_LE(0, fd);
	close(fd);		/* the name keeps the group */
	self->fds[self->nfds] = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->fds[self->nfds]);
	self->nfds++;
	EXPECT_EQ(-ENOSPC, wg_create_anon(self->dev, 0));
	/* Opening the existing group creates nothing: no limit applies. */
	fd = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, self->name));
	fd = wg_create_anon(self->dev, 0);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(limits, create_of_existing_name_at_limit_opens_it)
{
	int fd;

	ASSERT_EQ(0, reload_with(self, "max_groups=1"));
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 2,
			   self->name);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	/* No group is created, so the limit is not reached. */
	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	EXPECT_LE(0, fd) TH_LOG("create of an existing name: %s",
				strerror(-fd));
	if (fd >= 0) {
		EXPECT_EQ(2, wg_count(fd));
		close(fd);
	}
	fd = sys_wg_create(self->dev, WG_CLOEXEC | WG_EXCL, 0600, 0,
			   self->name);
	EXPECT_EQ(-EEXIST, fd);
	sys_wg_unlink(self->dev, self->name);
}

static int create_until_full(int dev)
{
	int i, fd;

	if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000))
		return 100;
	for (i = 0; i < 2; i++) {
		fd = wg_create_anon(dev, 0);
		if (fd < 0)
			return 10 + i;
	}
	fd = wg_create_anon(dev, 0);
	if (fd != -ENOSPC)
		return 20;
	return 0;
}

TEST_F(limits, max_groups_per_user)
{
	pid_t pid;
	int i;

	ASSERT_EQ(0, reload_with(self, "max_groups_per_user=2"));
	EXPECT_EQ(2, param("max_groups_per_user"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(create_until_full(self->dev));
	EXPECT_EQ(0, wg_reap(pid));
	/* Another user's share is untouched, and the child's groups died. */
	for (i = 0; i < 2; i++) {
		self->fds[self->nfds] = wg_create_anon(self->dev, 0);
		ASSERT_LE(0, self->fds[self->nfds]);
		self->nfds++;
	}
	EXPECT_EQ(-ENOSPC, wg_create_anon(self->dev, 0));
}

TEST_HARNESS_MAIN
