// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench: what a /dev/waitgroup operation costs, next to the syscall floor
 * and next to what programs use today. It runs inside the VM
 * (scripts/vm-run); bench/run boots the VMs, collects the records and makes
 * the table, the CSV and the plot.
 *
 * Every figure is the median of repeated samples with its spread; warm-up
 * samples are discarded; nothing here asserts a figure. The records go to
 * stdout, one per line:
 *
 *   WGB,smp,section,work,impl,unit,median,p10,p90,min,max,samples,per_sample
 *
 * and progress to stderr. Sections:
 *
 *   micro       one process pinned to CPU 0; each sample times per_sample
 *               iterations; the benchmarks take turns, one sample each per
 *               round, so that a drift of the emulator hits all alike
 *   wake        latency from the last done (a CLOCK_MONOTONIC stamp taken just
 *               before it) to the waiter's return (a stamp taken just after),
 *               both in shared memory, for 1, 1,000 and 10,000 waiting
 *               processes (one set of them, the primitives taking turns)
 *   contention  N processes doing add+done pairs on one group for a fixed
 *               window; per-pair time in each process and total throughput
 *   scale       create, open and unlink many named groups; bytes per group
 *               from /proc/slabinfo and /proc/meminfo
 *   registry    create, open and unlink per operation with 1k, 100k and 1M
 *               names in the namespace, and with 1, 100 and 10,000 IPC
 *               namespaces holding names; the ratio of the largest level's
 *               cost to the smallest's, in null ioctls of the same samples
 *               and in time (the registry promises at most 1.5x)
 *   jobs        64 short jobs, 4 at once: waitgroup go under a limit of 4
 *               against xargs -P 4 and the command's 64 starts alone, wall
 *               time of each whole run (jobs.c)
 */
#include "bench.h"

static void usage(FILE *f)
{
	fputs("usage: wg-bench [-qv] [-p PARTS] [-r ROUNDS] [-w WAITERS] [-W WAITERS]\n"
	      "  [-g GROUPS]\n"
	      "  PARTS: comma-separated floor, micro, wake, contention, scale, registry,\n"
	      "  jobs, or all\n"
	      "  (default all; micro includes floor)\n"
	      "  -w, -W  the two wake-all sizes (default 1000 and 10000)\n"
	      "  -q  quick: fewer rounds, waiters and groups, for a smoke test\n"
	      "  -v  verbose: every wake round on stderr\n", f);
}

int main(int argc, char **argv)
{
	const char *parts = "all";
	int rounds = 61, waiters = 1000, many = 10000, groups = 100000, opt, i;
	static const int procs[] = { 1, 2, 4 };
	int want_floor, want_micro, want_wake, want_cont, want_scale, want_reg;
	int want_jobs;
	struct rlimit rl;

	while ((opt = getopt(argc, argv, "hqvp:r:w:W:g:")) != -1) {
		switch (opt) {
		case 'q': quick = 1; break;
		case 'v': verbose = 1; break;
		case 'p': parts = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'w': waiters = atoi(optarg); break;
		case 'W': many = atoi(optarg); break;
		case 'g': groups = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (quick) {
		rounds = 7;
		if (groups > 10000)
			groups = 10000;
		if (waiters > 100)
			waiters = 100;
		if (many > 300)
			many = 300;
	}
	if (rounds < 3 || waiters < 1 || many < 1 || groups < 10) {
		usage(stderr);
		return 2;
	}
#define HAS(p) (!strcmp(parts, "all") || strstr(parts, p))
	want_micro = HAS("micro");
	want_floor = HAS("floor");
	want_wake = HAS("wake");
	want_cont = HAS("contention");
	want_scale = HAS("scale");
	want_reg = HAS("registry");
	want_jobs = HAS("jobs");
#undef HAS
	smp = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* Children that outlive a failure must not hang the VM: same group. */
	setpgid(0, 0);
	/* Room for many waiters' descriptors. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	setup_objects();
	note("%d CPUs", smp);

	if (want_micro || want_floor)
		run_micro(rounds, !want_micro, quick ? 5e6 : 20e6);
	if (want_wake) {
		note("wake: 1 waiter, then %d, then %d waiters", waiters, many);
		run_wake(1, rounds, 3);
		run_wake(waiters, quick ? 3 : 21, 1);
		run_wake(many, quick ? 3 : 15, 1);
	}
	if (want_cont) {
		note("contention: 1, 2, 4 processes");
		for (i = 0; i < NIMPL * 3; i++)
			run_contention(i / 3, procs[i % 3], quick ? 3 : 15,
				       quick ? 50e6 : 150e6);
	}
	if (want_scale)
		run_scale(groups);
	if (want_reg)
		run_registry();
	if (want_jobs)
		run_jobs(quick ? 3 : 11);
	cleanup_objects();
	note("done");
	return 0;
}
