// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench micro: one process pinned to CPU 0 against the syscall floor.
 */
#include "bench.h"

/* micro: the benchmark bodies, @n iterations each */

static void b_getppid(long n)
{
	while (n--)
		syscall(SYS_getppid);
}

void b_null(long n)
{
	while (n--)
		ioctl(wg_fd, WG_BENCH_NULL_IOC);
}

static void b_null2(long n)
{
	while (n--) {
		ioctl(wg_fd, WG_BENCH_NULL_IOC);
		ioctl(wg_fd, WG_BENCH_NULL_IOC);
	}
}

static void b_getppid2(long n)
{
	while (n--) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
	}
}

static void b_wg_pair(long n)
{
	while (n--)
		wg_add_done(wg_fd);
}

/* The same with the delta in the argument: nothing copied in. */
static void b_wg_val_pair(long n)
{
	while (n--)
		if (ioctl(wg_fd, WG_IOC_ADD_VAL, WG_ADD_VAL(1, 0)) ||
		    ioctl(wg_fd, WG_IOC_DONE))
			die("add_val+done");
}

/* 1 -> 2 -> 1: no transition to zero, the lock-free path both ways. */
static void b_wg_pair_nz(long n)
{
	while (n--)
		wg_add_done(wg1_fd);
}

/* WG_IOC_ADD +1 then WG_IOC_ADD -1 (DONE has no argument to copy in). */
static void b_wg_addsub(long n)
{
	static const struct wg_add sub_one = { .delta = -1 };

	while (n--)
		if (ioctl(wg_fd, WG_IOC_ADD, &add_one) ||
		    ioctl(wg_fd, WG_IOC_ADD, &sub_one))
			die("add+sub");
}

static void b_wg_wait0(long n)
{
	struct wg_wait w = { .deadline_ns = 0 };

	while (n--)
		if (ioctl(wg_fd, WG_IOC_WAIT, &w))
			die("wait on zero");
}

static void b_sem_pair(long n)
{
	while (n--)
		sem_add_done();
}

static void b_sem_wait0(long n)
{
	while (n--)
		sem_op(0, IPC_NOWAIT);
}

static void b_efd_pair(long n)
{
	uint64_t one = 1, v;

	while (n--)
		if (write(efd, &one, 8) != 8 || read(efd, &v, 8) != 8)
			die("eventfd");
}

static void b_fwg_pair(long n)
{
	while (n--)
		fwg_add_done();
}

static void b_fwg_wait0(long n)
{
	while (n--)
		fwg_wait(fwg);
}

static void b_pipe_pair(long n)
{
	char c = 0;

	while (n--)
		if (write(pfd[1], &c, 1) != 1 || read(pfd[0], &c, 1) != 1)
			die("pipe");
}

struct micro {
	const char *work;
	const char *impl;
	void (*fn)(long n);
	int floor;		/* part of the floor set (run in every boot) */
	long iters;
	double *samples;
};

/*
 * work "pair" is one add and one done (or what a peer does for the same
 * job: up and down, write and read); "op" is one call; "wait0" is a wait
 * on a group that is already at zero.
 */
static struct micro micros[] = {
	{ "op",    "getppid",     b_getppid,   1, 0, NULL },
	{ "op",    "null-ioctl",  b_null,      1, 0, NULL },
	{ "pair",  "getppid",     b_getppid2,  1, 0, NULL },
	{ "pair",  "null-ioctl",  b_null2,     1, 0, NULL },
	{ "pair",  "waitgroup",   b_wg_pair,   1, 0, NULL },
	{ "pair",  "wg-val",      b_wg_val_pair, 1, 0, NULL },
	{ "pair",  "wg-nonzero",  b_wg_pair_nz, 0, 0, NULL },
	{ "pair",  "wg-add-add",  b_wg_addsub, 0, 0, NULL },
	{ "pair",  "semop",       b_sem_pair,  0, 0, NULL },
	{ "pair",  "eventfd",     b_efd_pair,  0, 0, NULL },
	{ "pair",  "futex-wg",    b_fwg_pair,  0, 0, NULL },
	{ "pair",  "pipe",        b_pipe_pair, 0, 0, NULL },
	{ "wait0", "waitgroup",   b_wg_wait0,  0, 0, NULL },
	{ "wait0", "semop",       b_sem_wait0, 0, 0, NULL },
	{ "wait0", "futex-wg",    b_fwg_wait0, 0, 0, NULL },
};

#define NMICRO (sizeof(micros) / sizeof(micros[0]))
#define MICRO_NULL2	3	/* indices of the goal's two figures */
#define MICRO_WG_PAIR	4
#define MICRO_WG_VAL	5

static double time_run(struct micro *m, long n)
{
	uint64_t t = wg_now_ns();

	m->fn(n);
	return (double)(wg_now_ns() - t);
}

void run_micro(int rounds, int floor_only, double target_ns)
{
	int warmup = 3, r, k, i, nb = 0, idx[NMICRO];

	for (i = 0; i < (int)NMICRO; i++)
		if (!floor_only || micros[i].floor)
			idx[nb++] = i;
	pin_cpu(0);
	/* Calibrate: each sample should take about target_ns. */
	for (k = 0; k < nb; k++) {
		struct micro *m = &micros[idx[k]];
		long n = 16;
		double t;

		time_run(m, n);		/* first touches are slow */
		while ((t = time_run(m, n)) < target_ns / 4)
			n *= 2;
		/* Once more at that size: one slow run must not decide. */
		t = fmin(t, time_run(m, n));
		m->iters = (long)(n * target_ns / t) + 1;
		m->samples = calloc(rounds, sizeof(double));
		if (!m->samples)
			die("calloc");
	}
	note("micro: %d benchmarks x %d rounds (+%d warm-up) of ~%.0f ms",
	     nb, rounds, warmup, target_ns / 1e6);
	for (r = -warmup; r < rounds; r++) {
		/* Take turns, starting with a different one each round. */
		for (k = 0; k < nb; k++) {
			struct micro *m = &micros[idx[(k + r + warmup) % nb]];
			double t = time_run(m, m->iters);

			if (r >= 0)
				m->samples[r] = t / m->iters;
		}
	}
	/* The goal, per round: add+done over two null ioctls of that round. */
	if (!floor_only) {
		double *ratio = calloc(rounds, sizeof(double));

		if (!ratio)
			die("calloc");
		for (r = 0; r < rounds; r++)
			ratio[r] = micros[MICRO_WG_PAIR].samples[r] /
				   micros[MICRO_NULL2].samples[r];
		emit("micro-ratio", "pair", "waitgroup/null-ioctl", "x",
		     summarize(ratio, rounds), 1);
		for (r = 0; r < rounds; r++)
			ratio[r] = micros[MICRO_WG_VAL].samples[r] /
				   micros[MICRO_NULL2].samples[r];
		emit("micro-ratio", "pair", "wg-val/null-ioctl", "x",
		     summarize(ratio, rounds), 1);
		free(ratio);
	}
	for (k = 0; k < nb; k++) {
		struct micro *m = &micros[idx[k]];

		emit("micro", m->work, m->impl, "ns",
		     summarize(m->samples, rounds), m->iters);
		free(m->samples);
	}
	pin_cpu(-1);
}
