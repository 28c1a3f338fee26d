// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: max_groups_per_user across user namespaces. A user with a
 * delegated uid range (/etc/subuid and newuidmap, as rootless containers
 * have) must not get a budget per mapped uid: every group created inside
 * a user namespace is charged to the owner of the outermost one, so all
 * the uids of a user's containers share that user's budget. In the initial
 * namespace each real uid has its own, root included.
 *
 * The test plays newuidmap: a child drops to uid 1000 and unshares a user
 * namespace, the root parent maps "0 100000 65536" into it; inside, workers
 * switch to several mapped uids (kuid 100000 and up) and create groups.
 * Needs root.
 */
#include <grp.h>
#include <sys/prctl.h>

#include "wg_util.h"


#define LIMIT		6	/* max_groups_per_user while testing */
#define USER		1000	/* wgtest: owns the namespaces */
#define OTHER		1001	/* another user */
#define SUBUID		100000	/* USER's delegated range */
#define SUBUID_COUNT	65536

FIXTURE(limit) {
	int dev;
	long saved;
	long base;
	char prefix[WG_NAME_MAX];
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(s), n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : (n < 0 ? n : -EIO);
}

FIXTURE_SETUP(limit)
{
	self->saved = -1;
	WG_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		WG_SKIP_SETUP("needs root");
	self->saved = wg_read_long(PER_USER);
	if (self->saved < 0 || wg_read_long(NR_GROUPS) < 0)
		WG_SKIP_SETUP("module without max_groups_per_user/nr_groups");
	/*
	 * Every budget starts empty: no group may be left from an earlier
	 * program, but the names of namespaces that died just before this
	 * one started are released by the registry's worker, within a second
	 * or two (waitgroup.rst): wait for that, on the group count itself.
	 */
	{
		__u64 end = wg_now_ns() + 15 * NSEC_PER_SEC;

		while (wg_read_long(NR_GROUPS) > 0 && wg_now_ns() < end)
			sched_yield();
		ASSERT_EQ(0, wg_read_long(NR_GROUPS))
			TH_LOG("groups left by an earlier test");
	}
	ASSERT_EQ(0, wg_write_long(PER_USER, LIMIT));
	self->base = wg_read_long(NR_GROUPS);
	wg_name(self->prefix, "lim");
}

FIXTURE_TEARDOWN(limit)
{
	/* Runs after a failed ASSERT too: the next test gets the default. */
	if (self->saved >= 0)
		EXPECT_EQ(0, wg_write_long(PER_USER, self->saved));
	close(self->dev);
}

/* What one worker does: as @uid, try to create @want groups. */
struct job {
	uid_t uid;
	int want;
	int named;	/* named groups, "<prefix>.<uid>.<i>" */
	int hold;	/* hold them until released, then unlink the names */
};

static void job_name(char *buf, const char *prefix, uid_t uid, int i)
{
	snprintf(buf, WG_NAME_MAX, "%.40s.%u.%d", prefix, (unsigned int)uid, i);
}

/* The worker: never returns. */
static void run_job(int dev, const struct job *j, const char *prefix,
		    int report, int release)
{
	char name[WG_NAME_MAX], c;
	int n, i, fd;

	/*
	 * Refused inside a namespace with setgroups "deny"; the process that
	 * unshared it dropped its supplementary groups before.
	 */
	(void)!setgroups(0, NULL);
	if (setresgid(j->uid, j->uid, j->uid) ||
	    setresuid(j->uid, j->uid, j->uid))
		_exit(101);
	for (n = 0; n < j->want; n++) {
		if (j->named) {
			job_name(name, prefix, j->uid, n);
			fd = sys_wg_create(dev, WG_CLOEXEC | WG_EXCL, 0600, 0,
					   name);
		} else {
			fd = wg_create_anon(dev, 0);
		}
		if (fd == -ENOSPC)
			break;
		if (fd < 0)
			_exit(102);
	}
	if (write(report, &n, sizeof(n)) != sizeof(n))
		_exit(103);
	if (!j->hold)
		_exit(0);
	/* Until the release pipe is closed (or its writer dies). */
	while (read(release, &c, 1) > 0)
		;
	for (i = 0; j->named && i < n; i++) {
		job_name(name, prefix, j->uid, i);
		if (sys_wg_unlink(dev, name))
			_exit(104);
	}
	_exit(0);
}

/*
 * Fork a worker for @j and wait for its count. @release[0] is what a
 * holding worker waits on; it must not keep @release[1] (-1 once closed)
 * open.
 */
static int start_job(int dev, const struct job *j, const char *prefix,
		     const int release[2], pid_t *pid)
{
	int report[2], n = -1;

	if (pipe(report))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (!*pid) {
		close(report[0]);
		if (release[1] >= 0)
			close(release[1]);
		run_job(dev, j, prefix, report[1], release[0]);
	}
	close(report[1]);
	if (read(report[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(report[0]);
	return n;
}

/*
 * A container: the processes that unshare user namespaces and the driver,
 * the innermost, that runs the jobs. Messages from the container are ints
 * on @up; the driver reads @down (EOF included: the test is over).
 */
struct container {
	pid_t pid;
	int up;
	int down;
};

struct driver_env {
	int dev;
	const char *prefix;
	int up;
	int down;
};

typedef int (*driver_fn)(const struct driver_env *env);

static void send_int(int fd, int v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(110);
}

static int recv_int(int fd, int *v)
{
	return read(fd, v, sizeof(*v)) == sizeof(*v) ? 0 : -1;
}

/* Written by a process with CAP_SETUID/CAP_SETGID over @pid's parent namespace. */
static int write_maps(pid_t pid, unsigned int base)
{
	char path[64], map[64];
	int ret;

	snprintf(map, sizeof(map), "0 %u %u\n", base, SUBUID_COUNT);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	ret = write_str(path, "deny");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	ret = write_str(path, map);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	return write_str(path, map);
}

/* Unshare a user namespace, report on @up, wait for the maps on @mapped. */
static void unshare_user(int up, int mapped)
{
	if (unshare(CLONE_NEWUSER)) {
		send_int(up, errno);
		_exit(111);
	}
	/* Keep /proc/self writable by whoever maps us after the uid change. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)) {
		send_int(up, errno);
		_exit(112);
	}
	send_int(up, 0);
	if (wg_pipe_get(mapped))
		_exit(113);
}

/*
 * Inside the namespace of uid 0 in the outer one (kuid SUBUID): unshare a
 * second level, owned by kuid SUBUID, mapping its uids 1:1. The driver
 * runs there; this process waits for it.
 */
static int nest(const struct driver_env *env, driver_fn driver)
{
	int up[2], mapped[2], err;
	pid_t pid;

	if (setresgid(0, 0, 0) || setresuid(0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || pipe(up) || pipe(mapped))
		return 120;
	pid = fork();
	if (pid < 0)
		return 121;
	if (!pid) {
		close(up[0]);
		close(mapped[1]);
		unshare_user(up[1], mapped[0]);
		_exit(driver(env));
	}
	close(up[1]);
	close(mapped[0]);
	if (recv_int(up[0], &err))
		return 122;
	if (err) {
		send_int(env->up, err);	/* tell the test why */
		return 123;
	}
	err = write_maps(pid, 0);
	if (err) {
		send_int(env->up, -err);
		return 124;
	}
	if (wg_pipe_put(mapped[1]))
		return 125;
	return wg_reap(pid);
}

/*
 * Start a container of @depth user namespaces (1 or 2) created by real uid
 * USER, the outer one mapping SUBUID..SUBUID+65535, and run @driver in the
 * innermost. Returns 0, a positive errno if a namespace could not be made
 * (the test skips), or -1.
 */
static int start_container(FIXTURE_DATA(limit) *self, int depth,
			   driver_fn driver, struct container *c)
{
	int up[2], down[2], err = -1;
	struct driver_env env;

	if (pipe(up) || pipe(down))
		return -1;
	env.dev = self->dev;
	env.prefix = self->prefix;
	env.up = up[1];
	env.down = down[0];
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (!c->pid) {
		close(up[0]);
		close(down[1]);
		if (setgroups(0, NULL) || setresgid(USER, USER, USER) ||
		    setresuid(USER, USER, USER))
			_exit(130);
		unshare_user(up[1], down[0]);
		_exit(depth > 1 ? nest(&env, driver) : driver(&env));
	}
	close(up[1]);
	close(down[0]);
	c->up = up[0];
	c->down = down[1];
	/* The outer namespace exists: map it, as newuidmap would. */
	if (recv_int(c->up, &err) || err)
		goto out_reap;
	err = write_maps(c->pid, SUBUID);
	if (err || wg_pipe_put(c->down))
		goto out_reap;
	/* The driver says it runs, or why a nested level failed. */
	if (recv_int(c->up, &err) || err) {
		fprintf(stderr, "# inner namespace: %s\n", strerror(err));
		err = -1;
		goto out_reap;
	}
	return 0;
out_reap:
	close(c->up);
	close(c->down);
	wg_reap(c->pid);
	return err > 0 ? err : -1;
}

static void end_container(struct container *c)
{
	close(c->up);
	close(c->down);
}

/*
 * The jobs of the sharing test: uids 0 and 1 (kuid SUBUID, SUBUID + 1)
 * take two groups each, one anonymous, one named; uid 2 asks for a whole
 * budget, uid 3 for one more.
 */
static const struct job share_jobs[] = {
	{ .uid = 0, .want = 2, .named = 0, .hold = 1 },
	{ .uid = 1, .want = 2, .named = 1, .hold = 1 },
	{ .uid = 2, .want = LIMIT, .named = 0, .hold = 1 },
	{ .uid = 3, .want = 1, .named = 1, .hold = 1 },
};

#define NR_SHARE_JOBS	((int)(sizeof(share_jobs) / sizeof(share_jobs[0])))

/*
 * Run share_jobs one after the other, holding their groups; send the
 * counts; on the test's word (or its end) release them; then a fresh uid
 * asks for more than a budget, and its count goes up too.
 */
static int share_driver(const struct driver_env *env)
{
	const struct job again = { .uid = 5, .want = LIMIT + 1 };
	int release[2], counts[NR_SHARE_JOBS], k, n, st = 0;
	pid_t pids[NR_SHARE_JOBS], pid;
	char c;

	if (pipe(release))
		return 140;
	send_int(env->up, 0);
	for (k = 0; k < NR_SHARE_JOBS; k++)
		counts[k] = start_job(env->dev, &share_jobs[k], env->prefix,
				      release, &pids[k]);
	if (write(env->up, counts, sizeof(counts)) != sizeof(counts))
		return 141;
	(void)!read(env->down, &c, 1);
	close(release[1]);
	release[1] = -1;
	for (k = 0; k < NR_SHARE_JOBS; k++)
		if (pids[k] > 0 && wg_reap(pids[k]))
			st = 142;
	n = start_job(env->dev, &again, env->prefix, release, &pid);
	if (pid > 0 && wg_reap(pid))
		st = 143;
	send_int(env->up, n);
	return st;
}

static void check_share(struct __test_metadata *_metadata,
			FIXTURE_DATA(limit) *self, int depth)
{
	int counts[NR_SHARE_JOBS], n, k, ret;
	struct container c;

	ret = start_container(self, depth, share_driver, &c);
	if (ret > 0)
		SKIP(return, "user namespace: %s", strerror(ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ((ssize_t)sizeof(counts), read(c.up, counts, sizeof(counts)));
	for (k = 0; k < NR_SHARE_JOBS; k++)
		TH_LOG("uid %u in the namespace got %d",
		       share_jobs[k].uid, counts[k]);
	/* One budget for every mapped uid, used up exactly. */
	EXPECT_EQ(2, counts[0]);
	EXPECT_EQ(2, counts[1]);
	EXPECT_EQ(LIMIT - 4, counts[2]);
	EXPECT_EQ(0, counts[3]);
	EXPECT_EQ(self->base + LIMIT, wg_read_long(NR_GROUPS));
	/* It is USER's budget they used ... */
	EXPECT_EQ(0, wg_create_as(self->dev, USER, USER, 1, -1));
	/* ... not that of the kuids they run as, nor anyone else's. */
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, SUBUID, SUBUID, LIMIT + 1, -1));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, SUBUID + 2, SUBUID + 2, LIMIT, -1));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, OTHER, OTHER, LIMIT + 1, -1));
	/* Released, the budget is whole again, inside and out. */
	ASSERT_EQ(0, wg_pipe_put(c.down));
	ASSERT_EQ(0, recv_int(c.up, &n));
	EXPECT_EQ(LIMIT, n);
	EXPECT_EQ(0, wg_reap(c.pid));
	end_container(&c);
	EXPECT_EQ(self->base, wg_read_long(NR_GROUPS));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, USER, USER, LIMIT + 1, -1));
}

TEST_F(limit, mapped_uids_share_the_owners_budget)
{
	check_share(_metadata, self, 1);
}

/*
 * A namespace inside the container, owned by the container's root
 * (kuid SUBUID): still the outermost owner's budget, not its owner's.
 */
TEST_F(limit, nested_namespace_charges_the_outermost_owner)
{
	check_share(_metadata, self, 2);
}

/*
 * Named groups outlive their creator and its namespaces; freed later by
 * root in the initial namespace, they give the budget back to the user
 * they were charged to.
 */
static int leave_driver(const struct driver_env *env)
{
	const struct job keep = {
		.uid = 0, .want = LIMIT + 1, .named = 1, .hold = 0,
	};
	const struct job more = { .uid = 1, .want = 1 };
	int release[2], n, st = 0;
	pid_t pid;

	if (pipe(release))
		return 150;
	send_int(env->up, 0);
	n = start_job(env->dev, &keep, env->prefix, release, &pid);
	if (pid > 0 && wg_reap(pid))
		st = 151;
	send_int(env->up, n);
	n = start_job(env->dev, &more, env->prefix, release, &pid);
	if (pid > 0 && wg_reap(pid))
		st = 152;
	send_int(env->up, n);
	return st;
}

TEST_F(limit, freed_after_the_namespace_is_gone)
{
	char name[WG_NAME_MAX];
	struct container c;
	int n, i, ret;

	ret = start_container(self, 1, leave_driver, &c);
	if (ret > 0)
		SKIP(return, "user namespace: %s", strerror(ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, recv_int(c.up, &n));
	EXPECT_EQ(LIMIT, n);
	ASSERT_EQ(0, recv_int(c.up, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, wg_reap(c.pid));
	end_container(&c);
	/* Creator and namespace gone; the names still hold USER's budget. */
	EXPECT_EQ(self->base + LIMIT, wg_read_long(NR_GROUPS));
	EXPECT_EQ(0, wg_create_as(self->dev, USER, USER, 1, -1));
	for (i = 0; i < LIMIT; i++) {
		job_name(name, self->prefix, 0, i);
		EXPECT_EQ(0, sys_wg_unlink(self->dev, name));
	}
	EXPECT_EQ(self->base, wg_read_long(NR_GROUPS));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, USER, USER, LIMIT + 1, -1));
}

/* A container that only lives: its driver waits for the end of the test. */
static int idle_driver(const struct driver_env *env)
{
	char c;

	send_int(env->up, 0);
	(void)!read(env->down, &c, 1);
	return 0;
}

/*
 * Root fills its budget, joins the container's user namespace and frees
 * its groups from there: they go back to root, not to the namespace's
 * owner. A group it creates in there is charged to the owner.
 */
static int join_and_free(int dev, int nsfd, int report, int go)
{
	int fds[LIMIT], i, fd;

	for (i = 0; i < LIMIT; i++) {
		fds[i] = wg_create_anon(dev, 0);
		if (fds[i] < 0)
			return 1;
	}
	if (wg_create_anon(dev, 0) != -ENOSPC)
		return 2;
	if (setns(nsfd, CLONE_NEWUSER))
		return 3;
	fd = wg_create_anon(dev, 0);
	if (fd < 0)
		return 4;
	for (i = 0; i < LIMIT; i++)
		close(fds[i]);
	if (wg_pipe_put(report) || wg_pipe_get(go))
		return 5;
	close(fd);
	return 0;
}

TEST_F(limit, setns_between_create_and_free)
{
	int report[2], go[2], fds[LIMIT], nsfd, i, ret;
	struct container c;
	char path[64];
	pid_t pid;

	ret = start_container(self, 1, idle_driver, &c);
	if (ret > 0)
		SKIP(return, "user namespace: %s", strerror(ret));
	ASSERT_EQ(0, ret);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c.pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(report[0]);
		close(go[1]);
		_exit(join_and_free(self->dev, nsfd, report[1], go[0]));
	}
	close(report[1]);
	close(go[0]);
	close(nsfd);
	/* It holds one group, made in the namespace, charged to USER ... */
	ASSERT_EQ(0, wg_pipe_get(report[0]))
		TH_LOG("joining child failed: %d", wg_reap(pid));
	EXPECT_EQ(self->base + 1, wg_read_long(NR_GROUPS));
	EXPECT_EQ(LIMIT - 1, wg_create_as(self->dev, USER, USER, LIMIT + 1, -1));
	/* ... and root's budget is whole again. */
	for (i = 0; i < LIMIT; i++) {
		fds[i] = wg_create_anon(self->dev, 0);
		EXPECT_LE(0, fds[i]);
	}
	for (i = 0; i < LIMIT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ASSERT_EQ(0, wg_pipe_put(go[1]));
	EXPECT_EQ(0, wg_reap(pid));
	close(report[0]);
	close(go[1]);
	ASSERT_EQ(0, wg_pipe_put(c.down));
	EXPECT_EQ(0, wg_reap(c.pid));
	end_container(&c);
	EXPECT_EQ(self->base, wg_read_long(NR_GROUPS));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, USER, USER, LIMIT + 1, -1));
}

/*
 * In the initial namespace each real uid has its own budget, root's
 * included, and the real uid is what counts, not the effective one.
 */
TEST_F(limit, real_uids_in_the_initial_namespace)
{
	const struct job hold = { .uid = USER, .want = LIMIT + 1, .hold = 1 };
	int release[2], fds[LIMIT], i;
	pid_t pid;

	ASSERT_EQ(0, pipe(release));
	EXPECT_EQ(LIMIT, start_job(self->dev, &hold, self->prefix, release,
				   &pid));
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wg_create_as(self->dev, USER, USER, 1, -1));
	EXPECT_EQ(0, wg_create_as(self->dev, USER, OTHER, 1, -1));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, OTHER, USER, LIMIT + 1, -1));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, OTHER, OTHER, LIMIT + 1, -1));
	for (i = 0; i < LIMIT; i++) {
		fds[i] = wg_create_anon(self->dev, 0);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(-ENOSPC, wg_create_anon(self->dev, 0));
	for (i = 0; i < LIMIT; i++)
		close(fds[i]);
	close(release[1]);
	release[1] = -1;
	EXPECT_EQ(0, wg_reap(pid));
	close(release[0]);
	EXPECT_EQ(self->base, wg_read_long(NR_GROUPS));
	EXPECT_EQ(LIMIT, wg_create_as(self->dev, USER, USER, LIMIT + 1, -1));
}

TEST_HARNESS_MAIN
