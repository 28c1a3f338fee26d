// SPDX-License-Identifier: GPL-2.0
/*
 * Robustness: a storm of workers SIGKILLed mid-task, exact abandoned
 * counts, per-user limits that one user cannot exhaust for another, and
 * no group left behind (the module's read-only nr_groups parameter).
 */
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>

#include "wg_util.h"

/* Deterministic choice of victims: xorshift from a fixed seed. */
static unsigned int next_rand(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

FIXTURE(storm) {
	int dev;
	char name[WG_NAME_MAX];
};

FIXTURE_SETUP(storm)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	wg_name(self->name, "storm");
}

FIXTURE_TEARDOWN(storm)
{
	sys_wg_unlink(self->dev, self->name);
	close(self->dev);
}

FIXTURE_VARIANT(storm) {
	int workers;
	unsigned int seed;
};

FIXTURE_VARIANT_ADD(storm, w200_seed1) { .workers = 200, .seed = 1 };
FIXTURE_VARIANT_ADD(storm, w300_seed7) { .workers = 300, .seed = 7 };

/*
 * Fork @n workers that each open the group by name (their own open file,
 * their own ledger), add 1 with WG_UNDO, say so on a pipe and wait for
 * "go": the write end of @go closing. Returns once all have added; the
 * caller closes *go_w to let them run to their done.
 */
static void spawn_workers(struct __test_metadata *_metadata, int dev,
			  const char *name, int n, pid_t *pid, int *go_w)
{
	int ready[2], go[2], i;
	char c;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			int g;

			close(ready[0]);
			close(go[1]);
			g = sys_wg_open(dev, WG_CLOEXEC, name);
			if (g < 0 || sys_wg_add(g, 1, WG_UNDO, 0, 0))
				_exit(2);
			if (write(ready[1], "r", 1) != 1)
				_exit(3);
			while (read(go[0], &c, 1) > 0)
				;
			/* Exit code 0 only once the done is in. */
			_exit(sys_wg_done(g) ? 4 : 0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	*go_w = go[1];
}

/*
 * About half of the workers are SIGKILLed mid-task; the rest do their done.
 * The group must complete with abandoned equal to the kills, exactly.
 */
TEST_F_TIMEOUT(storm, sigkill_half_mid_task, 600)
{
	int n = variant->workers, i, fd, go, killed = 0;
	unsigned int seed = variant->seed;
	struct wg_wait w;
	pid_t *pid;

	pid = calloc(n, sizeof(*pid));
	ASSERT_NE(NULL, pid);
	fd = sys_wg_create(self->dev, WG_EXCL | WG_CLOEXEC, 0600, 0,
			   self->name);
	ASSERT_LE(0, fd);
	spawn_workers(_metadata, self->dev, self->name, n, pid, &go);
	EXPECT_EQ(n, wg_count(fd));
	for (i = 0; i < n; i++) {
		if (next_rand(&seed) % 2)
			continue;
		ASSERT_EQ(0, kill(pid[i], SIGKILL));
		killed++;
	}
	close(go);
	ASSERT_EQ(0, sys_wg_wait(fd, WG_FOREVER, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ((__u32)killed, w.abandoned);
	EXPECT_EQ(killed ? EOWNERDEAD : 0, w.error);
	EXPECT_EQ(0, wg_count(fd));
	for (i = 0; i < n; i++) {
		int st = wg_reap(pid[i]);

		EXPECT_TRUE(st == 0 || st == 128 + SIGKILL);
	}
	TH_LOG("%d workers, %d killed, abandoned %u", n, killed, w.abandoned);
	close(fd);
	free(pid);
}

/* The same, with the kills racing the dones: every add is accounted for. */
TEST_F_TIMEOUT(storm, sigkill_races_done, 600)
{
	int n = variant->workers, i, fd, go, dead = 0, ok = 0;
	unsigned int seed = variant->seed;
	struct wg_wait w;
	pid_t *pid;

	pid = calloc(n, sizeof(*pid));
	ASSERT_NE(NULL, pid);
	fd = sys_wg_create(self->dev, WG_EXCL | WG_CLOEXEC, 0600, 0,
			   self->name);
	ASSERT_LE(0, fd);
	spawn_workers(_metadata, self->dev, self->name, n, pid, &go);
	close(go);	/* everyone runs to done while we kill */
	for (i = 0; i < n; i++)
		if (next_rand(&seed) % 2)
			kill(pid[i], SIGKILL);
	ASSERT_EQ(0, sys_wg_wait(fd, WG_FOREVER, 0, &w));
	for (i = 0; i < n; i++) {
		int st = wg_reap(pid[i]);

		if (st == 0)
			ok++;
		else if (st == 128 + SIGKILL)
			dead++;
	}
	EXPECT_EQ(n, ok + dead);
	/*
	 * Every worker that exited 0 did its done; a killed one either did
	 * (killed on its way out) or was undone, never both, never neither:
	 * the group completed exactly once with nothing left over.
	 */
	EXPECT_GE((__u32)dead, w.abandoned);
	EXPECT_EQ(w.abandoned ? EOWNERDEAD : 0, w.error);
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1ULL, w.generation);
	close(fd);
	free(pid);
}

FIXTURE(limits) {
	int dev;
	long saved;
};

FIXTURE_SETUP(limits)
{
	WG_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	self->saved = wg_read_long(PER_USER);
	if (self->saved < 0 || wg_read_long(NR_GROUPS) < 0)
		WG_SKIP_SETUP("module without max_groups_per_user/nr_groups");
}

FIXTURE_TEARDOWN(limits)
{
	if (self->saved >= 0)
		EXPECT_EQ(0, wg_write_long(PER_USER, self->saved));
	close(self->dev);
}

TEST_F(limits, one_user_cannot_exhaust_another)
{
	ASSERT_EQ(0, wg_write_long(PER_USER, 5));
	/* Each user gets exactly five, whatever the other holds. */
	EXPECT_EQ(5, wg_create_as(self->dev, 1000, 1000, 8, -1));
	EXPECT_EQ(5, wg_create_as(self->dev, 65534, 65534, 8, -1));
}

TEST_F(limits, per_user_count_held_while_groups_live)
{
	int sv[2], holder_fd;
	pid_t holder;
	char c;

	ASSERT_EQ(0, wg_write_long(PER_USER, 4));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	holder = fork();
	ASSERT_LE(0, holder);
	if (!holder) {
		close(sv[0]);
		_exit(wg_create_as(self->dev, 1000, 1000, 4, sv[1]) == 4 ? 0 : 1);
	}
	close(sv[1]);
	holder_fd = sv[0];
	/* While uid 1000 holds four, it gets none more; uid 65534 still can. */
	ASSERT_EQ(1, read(holder_fd, &c, 1));
	EXPECT_EQ(0, wg_create_as(self->dev, 1000, 1000, 1, -1));
	EXPECT_EQ(1, wg_create_as(self->dev, 65534, 65534, 1, -1));
	ASSERT_EQ(1, write(holder_fd, "g", 1));
	EXPECT_EQ(0, wg_reap(holder));
	/* Its groups are gone with it: room again. */
	EXPECT_EQ(4, wg_create_as(self->dev, 1000, 1000, 4, -1));
	close(holder_fd);
}

TEST_F(limits, nr_groups_counts_and_returns_to_baseline)
{
	long base = wg_read_long(NR_GROUPS);
	char name[WG_NAME_MAX];
	int a, b;

	wg_name(name, "nrg");
	a = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, a);
	b = sys_wg_create(self->dev, WG_EXCL, 0600, 0, name);
	ASSERT_LE(0, b);
	EXPECT_EQ(base + 2, wg_read_long(NR_GROUPS));
	close(a);
	close(b);
	/* The name still holds its group. */
	EXPECT_EQ(base + 1, wg_read_long(NR_GROUPS));
	ASSERT_EQ(0, sys_wg_unlink(self->dev, name));
	EXPECT_EQ(base, wg_read_long(NR_GROUPS));
}

TEST_HARNESS_MAIN
