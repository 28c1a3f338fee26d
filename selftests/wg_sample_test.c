// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-internal API, used for real: waitgroup_sample.ko takes a
 * reference on a group userspace hands it (waitgroup_fdget), adds N and
 * runs N jobs on a workqueue that each mark it done; userspace waits on its
 * own descriptor.
 */
#include <sys/syscall.h>

#include "wg_util.h"

#define SAMPLE_KO	"/lib/waitgroup/waitgroup_sample.ko"
#define SAMPLE_DEV	"/dev/waitgroup_sample"

static int sample_load(void)
{
	int fd = open(SAMPLE_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret < 0 && errno != EEXIST ? -errno : 0;
	close(fd);
	return ret;
}

/* Write "FD N" to the sample device; the write's result or -errno. */
static int sample_run(int dev, int fd, int n)
{
	char cmd[32];
	int len = snprintf(cmd, sizeof(cmd), "%d %d", fd, n);
	ssize_t ret = write(dev, cmd, len);

	return ret < 0 ? -errno : (int)ret;
}

FIXTURE(sample) {
	int dev;
	int sample;
	int wg;
};

FIXTURE_SETUP(sample)
{
	int ret;

	WG_OPEN_DEV_OR_SKIP(self->dev);
	ret = sample_load();
	if (ret == -ENOENT)
		WG_SKIP_SETUP("%s not installed", SAMPLE_KO);
	ASSERT_EQ(0, ret);
	self->sample = open(SAMPLE_DEV, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, self->sample);
	self->wg = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, self->wg);
}

FIXTURE_TEARDOWN(sample)
{
	close(self->wg);
	if (self->sample >= 0)
		close(self->sample);
	close(self->dev);
}

TEST_F(sample, kernel_jobs_complete_the_group)
{
	struct wg_wait w;

	ASSERT_LT(0, sample_run(self->sample, self->wg, 64));
	memset(&w, 0xcc, sizeof(w));
	ASSERT_EQ(0, sys_wg_wait(self->wg, WG_FOREVER, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0, wg_count(self->wg));
}

TEST_F(sample, kernel_holds_its_own_reference)
{
	struct wg_wait w;
	int other = sys_wg_dup(self->wg, WG_CLOEXEC);

	ASSERT_LE(0, other);
	ASSERT_LT(0, sample_run(self->sample, self->wg, 512));
	/* Our descriptor goes; the kernel's reference keeps the group. */
	close(self->wg);
	self->wg = other;
	ASSERT_EQ(0, sys_wg_wait(other, WG_FOREVER, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, wg_count(other));
}

TEST_F(sample, kernel_and_user_share_a_generation)
{
	struct wg_wait w;

	/* A user task holds the group open across the kernel's jobs. */
	ASSERT_EQ(0, sys_wg_add(self->wg, 1, 0, 0, 0));
	ASSERT_LT(0, sample_run(self->sample, self->wg, 100));
	ASSERT_EQ(-ETIMEDOUT, sys_wg_wait(self->wg, 0, 0, &w));
	/* Once the kernel's part is over, only ours is left. */
	while (wg_count(self->wg) > 1)
		sched_yield();
	EXPECT_EQ(1, wg_count(self->wg));
	EXPECT_EQ(0LL, wg_generation(self->wg));
	ASSERT_EQ(0, sys_wg_done(self->wg));
	ASSERT_EQ(0, sys_wg_wait(self->wg, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
}

TEST_F(sample, bad_descriptor_is_ebadf)
{
	EXPECT_EQ(-EBADF, sample_run(self->sample, -1, 1));
	EXPECT_EQ(-EBADF, sample_run(self->sample, 100000, 1));
}

TEST_F(sample, wait_only_descriptor_is_ebadf)
{
	char name[WG_NAME_MAX];
	int fd, ro;

	/* A driver signals the group: a descriptor that may not add won't do. */
	wg_name(name, "sample");
	fd = sys_wg_create(self->dev, WG_EXCL | WG_CLOEXEC, 0600, 0, name);
	ASSERT_LE(0, fd);
	ro = sys_wg_open(self->dev, WG_CLOEXEC | WG_ACCESS_WAIT, name);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, sample_run(self->sample, ro, 1));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_LT(0, sample_run(self->sample, fd, 1));
	EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
	close(ro);
	close(fd);
}

TEST_F(sample, wrong_file_type_is_einval)
{
	/* The sample's own device is a file, but not a waitgroup. */
	EXPECT_EQ(-EINVAL, sample_run(self->sample, self->sample, 1));
	EXPECT_EQ(-EINVAL, sample_run(self->sample, self->dev, 1));
	EXPECT_EQ(0, wg_count(self->wg));
}

TEST_F(sample, overflow_changes_nothing)
{
	ASSERT_EQ(0, sys_wg_add(self->wg, INT_MAX, 0, 0, 0));
	EXPECT_EQ(-EOVERFLOW, sample_run(self->sample, self->wg, 1));
	EXPECT_EQ(INT_MAX, wg_count(self->wg));
}

TEST_F(sample, many_processes_exact_counts)
{
	enum { PROCS = 8, ROUNDS = 20, JOBS = 50 };
	struct wg_wait w;
	pid_t pid[PROCS];
	int i, r;

	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			/* Each child its own group, its own generations. */
			int g = wg_create_anon(self->dev, 0);

			for (r = 0; r < ROUNDS; r++) {
				if (sample_run(self->sample, g, JOBS) <= 0 ||
				    sys_wg_wait(g, WG_FOREVER, 0, &w) ||
				    w.generation != (__u64)r + 1)
					_exit(1);
			}
			_exit(wg_count(g) != 0);
		}
	}
	for (i = 0; i < PROCS; i++)
		EXPECT_EQ(0, wg_reap(pid[i]));
}

/* Last: unloads the sample, which the next run's setup loads again. */
TEST_F(sample, unload_refused_while_open_then_drains)
{
	ASSERT_LT(0, sample_run(self->sample, self->wg, 256));
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "waitgroup_sample", O_NONBLOCK));
	EXPECT_TRUE(errno == EBUSY || errno == EWOULDBLOCK);
	close(self->sample);
	self->sample = -1;
	/* No job outlives the module: rmmod drains the workqueue. */
	EXPECT_EQ(0, syscall(SYS_delete_module, "waitgroup_sample", O_NONBLOCK));
	EXPECT_EQ(-1, access(SAMPLE_DEV, F_OK));
	/* Every job ran before the module went. */
	EXPECT_EQ(0, wg_count(self->wg));
	EXPECT_EQ(1LL, wg_generation(self->wg));
}

TEST_HARNESS_MAIN
