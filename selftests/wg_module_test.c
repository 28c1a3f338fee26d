// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: module lifetime. rmmod is refused while any waitgroup file is
 * open, succeeds once none is, and the module loads again from
 * /lib/waitgroup/waitgroup.ko. Run this program last: it unloads the module
 * (and always loads it back before each test ends).
 */
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
static int load(void)
{
	__u64 end;
	int fd, ret;

	fd = open(WG_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	end = now_ns() + 10 * NSEC_PER_SEC;
	while (access(WG_DEV, F_OK)) {
		if (now_ns() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

static long refcnt(void)
{
	char buf[32];
	long val = -1;
	FILE *f = fopen(WG_SYSFS "/refcnt", "re");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 10);
	fclose(f);
	return val;
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
	end = now_ns() + 20 * NSEC_PER_SEC;
	while (refcnt() > 0 && now_ns() < end)
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
	EXPECT_EQ(0, wg_done(fd));
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
	fd = wg_create(dev, name, WG_CLOEXEC | WG_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	close(fd);
	fd = wg_open(dev, name, WG_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, wg_unlink(dev, name));
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
	fd2 = wg_dup(fd, WG_CLOEXEC);
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
	fd = wg_create(dev, name, WG_CLOEXEC | WG_EXCL, 0600, 4);
	ASSERT_LE(0, fd);
	close(fd);
	close(dev);
	/* A name with no open file does not pin the module. */
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
	dev = open(WG_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-ENOENT, wg_open(dev, name, WG_CLOEXEC));
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
		EXPECT_EQ(0, wg_done(fd));
		ASSERT_EQ(0, wg_wait(fd, 0, &w));
		EXPECT_EQ(1ULL, w.generation);
		close(fd);
		close(dev);
	}
}

TEST_HARNESS_MAIN
