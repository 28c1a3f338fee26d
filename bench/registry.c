// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench registry: per-operation cost against the number of names and
 * of IPC namespaces.
 */
#include "bench.h"

/* registry: per-operation cost against the number of names and namespaces */

#define REG_K		1000	/* operations per sample */
#define REG_SAMPLES	15

/* Write @val to a sysctl or module parameter; returns the old value or -1. */
static long write_knob(const char *path, long val)
{
	long old = -1;
	FILE *f = fopen(path, "r+");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &old) != 1)
		old = -1;
	rewind(f);
	fprintf(f, "%ld\n", val);
	if (fclose(f))
		return -1;
	return old;
}

static int reg_create(const char *fmt, int i)
{
	struct wg_create c = { .flags = WG_EXCL | WG_CLOEXEC, .mode = 0600 };
	int fd;

	snprintf(c.name, sizeof(c.name), fmt, i);
	fd = ioctl(ctl_fd, WG_IOC_CREATE, &c);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

static void reg_unlink(const char *fmt, int i)
{
	struct wg_open o = { 0 };

	snprintf(o.name, sizeof(o.name), fmt, i);
	if (ioctl(ctl_fd, WG_IOC_UNLINK, &o))
		die("unlink %s", o.name);
}

/*
 * One sample of each operation: create REG_K names, open each, unlink
 * each, and REG_K null ioctls, the floor; the per-operation times go to
 * v[0..3][@s].
 */
static void reg_sample(double v[4][REG_SAMPLES], int s)
{
	struct wg_open o = { .flags = WG_CLOEXEC };
	uint64_t t;
	int i, fd;

	t = wg_now_ns();
	for (i = 0; i < REG_K; i++)
		if (reg_create("wgr-m-%d", i))
			die("create wgr-m-%d", i);
	v[0][s] = (double)(wg_now_ns() - t) / REG_K;
	t = wg_now_ns();
	for (i = 0; i < REG_K; i++) {
		snprintf(o.name, sizeof(o.name), "wgr-m-%d", i);
		fd = ioctl(ctl_fd, WG_IOC_OPEN, &o);
		if (fd < 0)
			die("open %s", o.name);
		close(fd);
	}
	v[1][s] = (double)(wg_now_ns() - t) / REG_K;
	t = wg_now_ns();
	for (i = 0; i < REG_K; i++)
		reg_unlink("wgr-m-%d", i);
	v[2][s] = (double)(wg_now_ns() - t) / REG_K;
	t = wg_now_ns();
	b_null(REG_K);
	v[3][s] = (double)(wg_now_ns() - t) / REG_K;
}

static const char *const reg_ops[3] = { "create+close", "open+close", "unlink" };

/*
 * Measure at one level. Per operation: the median time, into @med, and the
 * median of each sample's time in null ioctls of the same sample, into
 * @fmed: a host that slows the emulator down for a while slows the floor
 * as much, so that figure compares levels measured minutes apart.
 */
static void reg_level(const char *axis, long level, double med[3],
		      double fmed[3])
{
	double v[4][REG_SAMPLES], f[REG_SAMPLES];
	char work[96];
	struct stats st;
	int s, op;

	reg_sample(v, 0);	/* warm-up */
	for (s = 0; s < REG_SAMPLES; s++)
		reg_sample(v, s);
	for (op = 0; op < 3; op++) {
		for (s = 0; s < REG_SAMPLES; s++)
			f[s] = v[op][s] / v[3][s];
		st = summarize(v[op], REG_SAMPLES);
		snprintf(work, sizeof(work), "%s@%ld-%s", reg_ops[op], level, axis);
		emit("registry", work, "waitgroup", "ns", st, REG_K);
		med[op] = st.median;
		fmed[op] = summarize(f, REG_SAMPLES).median;
	}
	note("registry: %ld %s: create %.0f ns, open %.0f ns, unlink %.0f ns (%.1f, %.1f, %.1f null ioctls)",
	     level, axis, med[0], med[1], med[2], fmed[0], fmed[1], fmed[2]);
}

static void emit_ratio(const char *work, double r)
{
	/* Three decimals: emit()'s one would round 1.46 to 1.5. */
	printf("WGB,%d,registry,%s,waitgroup,x,%.3f,%.3f,%.3f,%.3f,%.3f,1,1\n",
	       smp, work, r, r, r, r, r);
	fflush(stdout);
}

/*
 * The ratio of the largest level's cost to the smallest's, per operation:
 * in null ioctls of the same samples (the flat-cost figure), and in time.
 */
static void reg_ratios(const char *axis, long lo, long hi, double a[3],
		       double b[3], double fa[3], double fb[3])
{
	char work[96];
	int op;

	for (op = 0; op < 3; op++) {
		snprintf(work, sizeof(work), "%s-ratio-%s-%ld/%ld", reg_ops[op],
			 axis, hi, lo);
		emit_ratio(work, fb[op] / fa[op]);
		snprintf(work, sizeof(work), "%s-time-ratio-%s-%ld/%ld",
			 reg_ops[op], axis, hi, lo);
		emit_ratio(work, b[op] / a[op]);
		note("registry: %s: %ld %s costs %.2fx what %ld cost (limit 1.5x)%s; in time %.2fx",
		     reg_ops[op], hi, axis, fb[op] / fa[op], lo,
		     fb[op] / fa[op] > 1.5 ? " OVER" : "", b[op] / a[op]);
	}
}

/* Per-op cost with 1k, 100k and 1M names in the namespace (quick: 1k, 10k). */
static void run_registry_names(void)
{
	static const long full[] = { 1000, 100000, 1000000 };
	static const long small[] = { 1000, 10000 };
	const long *levels = quick ? small : full;
	int nlevels = quick ? 2 : 3, l, ret;
	double first[3], med[3], ffirst[3], fmed[3];
	long have = 0, lo = 0;

	for (l = 0; l < nlevels; l++) {
		for (; have < levels[l]; have++) {
			ret = reg_create("wgr-f-%07d", (int)have);
			if (ret == -ENOMEM || ret == -ENOSPC) {
				note("registry: creating name %ld: %s; measuring at %ld",
				     have + 1, strerror(-ret), have);
				break;
			}
			if (ret)
				die("create wgr-f-%07ld", have);
		}
		reg_level("names", have, l ? med : first, l ? fmed : ffirst);
		if (!l)
			lo = have;
		if (have < levels[l])
			break;
	}
	if (have > lo)
		reg_ratios("names", lo, have, first, med, ffirst, fmed);
	while (have > 0)
		reg_unlink("wgr-f-%07d", (int)--have);
}

/*
 * Per-op cost in the initial namespace while 1, 100 and 10,000 namespaces
 * hold names (quick: 1, 10, 100): the others are made with unshare(), given
 * a name each and kept alive by an nsfs descriptor.
 */
static void run_registry_namespaces(void)
{
	static const long full[] = { 1, 100, 10000 };
	static const long small[] = { 1, 10, 100 };
	const long *levels = quick ? small : full;
	long have = 1, l, nlevels = 3;
	double first[3], med[3], ffirst[3], fmed[3];
	int self_ns, *nsfd;

	nsfd = calloc(levels[nlevels - 1], sizeof(*nsfd));
	self_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (!nsfd || self_ns < 0)
		die("/proc/self/ns/ipc");
	/* The initial namespace holds a name throughout. */
	if (reg_create("wgr-anchor", 0))
		die("create wgr-anchor");
	for (l = 0; l < nlevels; l++) {
		for (; have < levels[l]; have++) {
			if (unshare(CLONE_NEWIPC))
				die("unshare(CLONE_NEWIPC) number %ld", have);
			if (reg_create("wgr-ns", 0))
				die("create in namespace %ld", have);
			nsfd[have] = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
			if (nsfd[have] < 0)
				die("open namespace %ld", have);
			if (setns(self_ns, CLONE_NEWIPC))
				die("setns");
		}
		reg_level("namespaces", have, l ? med : first, l ? fmed : ffirst);
	}
	reg_ratios("namespaces", levels[0], have, first, med, ffirst, fmed);
	/* Their last reference gone, the registry reaps them on its own. */
	while (--have > 0)
		close(nsfd[have]);
	reg_unlink("wgr-anchor", 0);
	close(self_ns);
	free(nsfd);
}

void run_registry(void)
{
	struct rlimit rl = { .rlim_cur = 65536, .rlim_max = 65536 };
	long old_user, old_ns;

	note("registry: create, open, unlink against names and namespaces");
	pin_cpu(0);
	/* Room for a million names and ten thousand namespaces (as root). */
	old_user = write_knob("/sys/module/waitgroup/parameters/max_groups_per_user",
			      2000000);
	old_ns = write_knob("/proc/sys/user/max_ipc_namespaces", 100000);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		note("registry: RLIMIT_NOFILE: %s", strerror(errno));
	run_registry_names();
	run_registry_namespaces();
	if (old_user >= 0)
		write_knob("/sys/module/waitgroup/parameters/max_groups_per_user",
			   old_user);
	if (old_ns >= 0)
		write_knob("/proc/sys/user/max_ipc_namespaces", old_ns);
	pin_cpu(-1);
}
