// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench wake and contention: many processes on one group, their
 * wake-up latency and their add+done throughput.
 */
#include <inttypes.h>

#include "bench.h"

/* Children that wait on a shared word */

struct ctl {
	_Atomic uint32_t round;		/* bumped to start a round */
	_Atomic uint32_t stop;		/* set to end the children */
	_Atomic uint32_t ready;		/* children at the start line */
	_Atomic uint32_t finished;	/* children done with this round */
	_Atomic uint32_t halt;		/* contention: end of the window */
	_Atomic uint32_t impl;		/* wake: the primitive of this round */
	uint64_t t0;
	struct {
		uint64_t t1, start, end, pairs, cpu;
	} slot[];
};

static size_t ctl_size(int nprocs)
{
	return sizeof(struct ctl) + nprocs * sizeof(((struct ctl *)0)->slot[0]);
}

static struct ctl *ctl_alloc(int nprocs)
{
	return shared_alloc(ctl_size(nprocs));
}

/* Wait for round @r (or stop); returns false on stop. */
static int child_next_round(struct ctl *c, uint32_t r)
{
	uint32_t cur;

	while ((cur = atomic_load(&c->round)) < r && !atomic_load(&c->stop))
		futex(&c->round, FUTEX_WAIT, cur);
	return !atomic_load(&c->stop);
}

static void start_round(struct ctl *c)
{
	atomic_store(&c->finished, 0);
	atomic_fetch_add(&c->round, 1);
	futex(&c->round, FUTEX_WAKE, INT_MAX);
}

static void child_finished(struct ctl *c, int nprocs)
{
	if ((int)atomic_fetch_add(&c->finished, 1) + 1 == nprocs)
		futex(&c->finished, FUTEX_WAKE, 1);
}

static void wait_finished(struct ctl *c, int nprocs)
{
	uint32_t v;

	while ((int)(v = atomic_load(&c->finished)) < nprocs)
		futex(&c->finished, FUTEX_WAIT, v);
}

static void stop_children(struct ctl *c, pid_t *pids, int nprocs)
{
	int i, status;

	atomic_store(&c->stop, 1);
	atomic_fetch_add(&c->round, 1);
	futex(&c->round, FUTEX_WAKE, INT_MAX);
	for (i = 0; i < nprocs; i++) {
		if (waitpid(pids[i], &status, 0) < 0)
			die("waitpid");
		if (wg_wait_status(status))
			die("child %d failed (status %d)", i,
			    wg_wait_status(status));
	}
}

/* Processes running nowhere but here: the fourth field of /proc/loadavg. */
static unsigned int nr_running(void)
{
	unsigned int running = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%*f %*f %*f %u/", &running) != 1)
			running = 0;
		fclose(f);
	}
	return running;
}

/* wake: latency from the last done to the waiters' return */

static const char *const impl_name[NIMPL] = { "waitgroup", "futex-wg", "semop" };

static void impl_arm(enum impl im)
{
	switch (im) {
	case IMPL_WG:
		if (ioctl(wg_fd, WG_IOC_ADD, &add_one))
			die("arm");
		break;
	case IMPL_FUTEX:
		if (fwg_add(fwg, 1))
			die("arm futex");
		break;
	default:
		sem_op(1, 0);
	}
}

static void impl_release(enum impl im)
{
	switch (im) {
	case IMPL_WG:
		if (ioctl(wg_fd, WG_IOC_DONE))
			die("done");
		break;
	case IMPL_FUTEX:
		if (fwg_add(fwg, -1))
			die("done futex");
		break;
	default:
		sem_op(-1, 0);
	}
}

static void impl_wait(enum impl im, int fd)
{
	struct wg_wait w = { .deadline_ns = WG_FOREVER };

	switch (im) {
	case IMPL_WG:
		while (ioctl(fd, WG_IOC_WAIT, &w))
			if (errno != EINTR)
				die("wait");
		break;
	case IMPL_FUTEX:
		fwg_wait(fwg);
		break;
	default:
		sem_op(0, 0);
	}
}

static unsigned int impl_waiters(enum impl im)
{
	int n;

	switch (im) {
	case IMPL_WG:
		return bench_waiters(wg_fd);
	case IMPL_FUTEX:
		return fwg_waiters(fwg);
	default:
		n = semctl(sem_id, 0, GETZCNT);
		if (n < 0)
			die("semctl GETZCNT");
		return n;
	}
}

/*
 * Fork @nw waiters, each with its own open file of the group, as an
 * unrelated process has; in every round each waits on the primitive the
 * round names (c->impl) and stamps its return.
 */
static void fork_waiters(struct ctl *c, pid_t *pids, int nw)
{
	int i;

	for (i = 0; i < nw; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork of waiter %d", i);
		if (!pids[i]) {
			int fd = bench_dup(wg_fd);
			uint32_t rr;

			for (rr = 1; child_next_round(c, rr); rr++) {
				impl_wait(atomic_load(&c->impl), fd);
				c->slot[i].t1 = wg_now_ns();
				/* For -v: where the wake-up landed. */
				if (verbose)
					c->slot[i].cpu = sched_getcpu();
				child_finished(c, nw);
			}
			_exit(0);
		}
	}
}

/* One round on @im: arm, let every waiter fall asleep, stamp, release. */
static uint64_t wake_round(enum impl im, struct ctl *c, int nw, double *last,
			   double *mid, double *t1)
{
	uint64_t t0, mx = 0;
	int i, spins = 0;

	impl_arm(im);
	atomic_store(&c->impl, im);
	start_round(c);
	/* Every waiter registered, then asleep (nobody but us running). */
	while (impl_waiters(im) < (unsigned int)nw)
		usleep(200);
	while (nr_running() > 1 && spins++ < 2000)
		usleep(200);
	usleep(1000);
	t0 = wg_now_ns();
	impl_release(im);
	wait_finished(c, nw);
	for (i = 0; i < nw; i++) {
		t1[i] = (double)(c->slot[i].t1 - t0);
		if (c->slot[i].t1 - t0 > mx)
			mx = c->slot[i].t1 - t0;
	}
	qsort(t1, nw, sizeof(double), cmp_double);
	*last = (double)mx;
	*mid = t1[nw / 2];
	return t0;
}

/*
 * Wake latency with @nw waiters. One set of waiting processes serves the
 * three primitives, which take turns round by round (a different one goes
 * first each round), so that a slow spell of the host hits all three
 * alike and 10,000 waiters need 10,000 processes, not 30,000. With one
 * waiter the share of rounds slower than 1 ms is recorded too (the tail).
 */
void run_wake(int nw, int rounds, int warmup)
{
	struct ctl *c = ctl_alloc(nw);
	pid_t *pids = calloc(nw, sizeof(pid_t));
	double *last[NIMPL], *mid[NIMPL], l, m;
	double *t1 = calloc(nw, sizeof(double));
	int (*cpus)[NIMPL][2] = calloc(rounds + warmup, sizeof(*cpus));
	uint64_t (*t0)[NIMPL] = calloc(rounds + warmup, sizeof(*t0));
	char work[32];
	int im, r, slow;

	if (!t1 || !pids || !cpus || !t0)
		die("calloc");
	for (im = 0; im < NIMPL; im++) {
		last[im] = calloc(rounds, sizeof(double));
		mid[im] = calloc(rounds, sizeof(double));
		if (!last[im] || !mid[im])
			die("calloc");
	}
	fork_waiters(c, pids, nw);
	for (r = -warmup; r < rounds; r++) {
		for (im = 0; im < NIMPL; im++) {
			int k = (im + r + warmup) % NIMPL;

			t0[r + warmup][k] = wake_round(k, c, nw, &l, &m, t1);
			cpus[r + warmup][k][0] = (int)c->slot[0].cpu;
			cpus[r + warmup][k][1] = verbose ? sched_getcpu() : 0;
			if (r >= 0) {
				last[k][r] = l;
				mid[k][r] = m;
			}
		}
	}
	stop_children(c, pids, nw);
	/*
	 * Each round's three figures, for the round-by-round ratios
	 * (bench/report.py): the primitives took turns within the round, so
	 * their ratio there is free of the slow spells between rounds.
	 */
	snprintf(work, sizeof(work), nw == 1 ? "wake-1" : "wake-%d-last", nw);
	for (r = 0; r < rounds; r++)
		printf("WGR,%d,%s,%d,%.0f,%.0f,%.0f\n", smp, work, r,
		       last[IMPL_WG][r], last[IMPL_FUTEX][r], last[IMPL_SEM][r]);
	fflush(stdout);
	/* After the rounds: the console's output would slow the next. */
	for (r = 0; verbose && r < rounds; r++)
		for (im = 0; im < NIMPL; im++)
			note("wake %s %d: round %d: last %.0f ns, median %.0f ns, cpu %d, parent %d, t0 %" PRIu64,
			     impl_name[im], nw, r, last[im][r], mid[im][r],
			     cpus[r + warmup][im][0], cpus[r + warmup][im][1],
			     t0[r + warmup][im]);
	for (im = 0; im < NIMPL; im++) {
		if (nw == 1) {
			for (r = 0, slow = 0; r < rounds; r++)
				slow += last[im][r] > 1e6;
			emit("wake", "wake-1", impl_name[im], "ns",
			     summarize(last[im], rounds), 1);
			emit1("wake", "wake-1-over-1ms", impl_name[im], "%",
			      100.0 * slow / rounds);
		} else {
			snprintf(work, sizeof(work), "wake-%d-last", nw);
			emit("wake", work, impl_name[im], "ns",
			     summarize(last[im], rounds), nw);
			snprintf(work, sizeof(work), "wake-%d-median", nw);
			emit("wake", work, impl_name[im], "ns",
			     summarize(mid[im], rounds), nw);
		}
		free(last[im]);
		free(mid[im]);
	}
	munmap(c, ctl_size(nw));
	free(cpus);
	free(t0);
	free(pids);
	free(t1);
}

/* contention: N processes doing add+done pairs on one group */

void run_contention(enum impl im, int np, int rounds, double window_ns)
{
	struct ctl *c = ctl_alloc(np);
	double *lat = calloc(rounds, sizeof(double));
	double *tput = calloc(rounds, sizeof(double));
	pid_t pids[MAX_PROCS];
	char work[32];
	int i, r, warmup = 1;

	if (!lat || !tput)
		die("calloc");
	for (i = 0; i < np; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i]) {
			int fd = im == IMPL_WG ? bench_dup(wg_fd) : -1;
			uint32_t rr;
			uint64_t n;

			for (rr = 1; child_next_round(c, rr); rr++) {
				uint64_t t = wg_now_ns();

				for (n = 0; !atomic_load_explicit(&c->halt, memory_order_relaxed); n++) {
					if (im == IMPL_WG)
						wg_add_done(fd);
					else if (im == IMPL_FUTEX)
						fwg_add_done();
					else
						sem_add_done();
				}
				c->slot[i].end = wg_now_ns();
				c->slot[i].start = t;
				c->slot[i].pairs = n;
				child_finished(c, np);
			}
			_exit(0);
		}
	}
	for (r = -warmup; r < rounds; r++) {
		struct timespec ts = { 0, (long)window_ns };
		double sum_rate = 0, sum_lat = 0;

		atomic_store(&c->halt, 0);
		start_round(c);
		nanosleep(&ts, NULL);
		atomic_store(&c->halt, 1);
		wait_finished(c, np);
		for (i = 0; i < np; i++) {
			double span = (double)(c->slot[i].end - c->slot[i].start);
			double pairs = (double)c->slot[i].pairs;

			if (!pairs)
				pairs = 1;
			sum_rate += pairs / span * 1e9;
			sum_lat += span / pairs;
		}
		if (r < 0)
			continue;
		tput[r] = sum_rate;
		lat[r] = sum_lat / np;
	}
	stop_children(c, pids, np);
	snprintf(work, sizeof(work), "procs-%d", np);
	emit("contention-latency", work, impl_name[im], "ns", summarize(lat, rounds), np);
	emit("contention-throughput", work, impl_name[im], "pairs/s",
	     summarize(tput, rounds), np);
	munmap(c, ctl_size(np));
	free(lat);
	free(tput);
}
