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
 *               both in shared memory, for 1 and for many waiting processes
 *   contention  N processes doing add+done pairs on one group for a fixed
 *               window; per-pair time in each process and total throughput
 *   scale       create, open and unlink many named groups; bytes per group
 *               from /proc/slabinfo and /proc/meminfo
 *   registry    create, open and unlink per operation with 1k, 100k and 1M
 *               names in the namespace, and with 1, 100 and 10,000 IPC
 *               namespaces holding names; the ratio of the largest level's
 *               cost to the smallest's, in null ioctls of the same samples
 *               and in time (the registry promises at most 1.5x)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wg_sys.h"

/*
 * The "null ioctl": a command number in the waitgroup magic that the group
 * file does not know. It goes the whole way an ioctl goes (fdget, the LSM
 * hook, do_vfs_ioctl, the driver's unlocked_ioctl switch) and comes back
 * with ENOTTY without touching the group.
 */
#define WG_BENCH_NULL_IOC	_IO(WG_IOC_MAGIC, 0x7f)

#define MAX_PROCS		64

static int smp;
static int quick;
static int verbose;

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	fputs("wg-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wg-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	else
		for (i = 0; i < smp; i++)
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu", size);
	return p;
}

/* Statistics and output */

struct stats {
	double median, p10, p90, min, max;
	int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentiles of @n samples (sorted in place). */
static struct stats summarize(double *v, int n)
{
	struct stats s = { .n = n };

	qsort(v, n, sizeof(*v), cmp_double);
#define PCT(q) v[(int)((q) * (n - 1) + 0.5)]
	s.min = v[0];
	s.p10 = PCT(0.10);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.p90 = PCT(0.90);
	s.max = v[n - 1];
#undef PCT
	return s;
}

static void emit(const char *section, const char *work, const char *impl,
		 const char *unit, struct stats s, long per_sample)
{
	printf("WGB,%d,%s,%s,%s,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%ld\n",
	       smp, section, work, impl, unit, s.median, s.p10, s.p90, s.min,
	       s.max, s.n, per_sample);
	fflush(stdout);
}

static void emit1(const char *section, const char *work, const char *impl,
		  const char *unit, double value)
{
	struct stats s = { value, value, value, value, value, 1 };

	emit(section, work, impl, unit, s, 1);
}

/* A futex-based waitgroup in shared memory: Go's algorithm */

/*
 * As sync.WaitGroup: one 64-bit word, the counter in the high half and the
 * number of waiters in the low half. Waiters sleep on a separate 32-bit
 * generation word with FUTEX_WAIT; the add that brings the counter to zero
 * with waiters registered clears the word (dropping them), bumps the
 * generation and wakes them all with one FUTEX_WAKE. An add that does not
 * reach zero, or reaches it with nobody waiting, makes no syscall. Unlike
 * Go, an add that would make the counter negative fails and changes
 * nothing, as the kernel's does. The futexes are shared (not PRIVATE) so
 * that unrelated processes mapping the page can use it.
 */
struct fwg {
	_Atomic uint64_t state;
	_Atomic uint32_t gen;
};

static long futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static int fwg_add(struct fwg *w, int delta)
{
	uint64_t old = atomic_load_explicit(&w->state, memory_order_relaxed);
	uint64_t new;
	int64_t count;

	do {
		count = (int64_t)(int32_t)(old >> 32) + delta;
		if (count < 0)
			return -ERANGE;
		if (count > INT32_MAX)
			return -EOVERFLOW;
		new = count ? (uint64_t)count << 32 | (uint32_t)old : 0;
	} while (!atomic_compare_exchange_weak(&w->state, &old, new));
	if (!count && (uint32_t)old) {
		atomic_fetch_add(&w->gen, 1);
		futex(&w->gen, FUTEX_WAKE, INT_MAX);
	}
	return 0;
}

static void fwg_wait(struct fwg *w)
{
	uint64_t old;
	uint32_t gen;

	for (;;) {
		/* The generation is read before the counter is seen nonzero. */
		gen = atomic_load(&w->gen);
		old = atomic_load(&w->state);
		if (!(old >> 32))
			return;
		if (atomic_compare_exchange_weak(&w->state, &old, old + 1))
			break;
	}
	while (atomic_load(&w->gen) == gen)
		futex(&w->gen, FUTEX_WAIT, gen);
}

static unsigned int fwg_waiters(struct fwg *w)
{
	return (uint32_t)atomic_load(&w->state);
}

/* The objects under test */

static int ctl_fd = -1;		/* /dev/waitgroup */
static int wg_fd = -1;		/* anonymous group, counter 0 */
static int wg1_fd = -1;		/* anonymous group held at 1 */
static int sem_id = -1;		/* one SysV semaphore, value 0 */
static int efd = -1;		/* eventfd, counter 0 */
static int pfd[2] = { -1, -1 };	/* pipe */
static struct fwg *fwg;		/* in shared memory, counter 0 */

/* An anonymous group with counter @count, or die. */
static int bench_group(int count)
{
	int fd = sys_wg_create(ctl_fd, WG_CLOEXEC, 0, count, NULL);

	if (fd < 0)
		die("WG_IOC_CREATE");
	return fd;
}

static int bench_dup(int fd)
{
	int nfd = sys_wg_dup(fd, WG_CLOEXEC);

	if (nfd < 0)
		die("WG_IOC_DUP");
	return nfd;
}

static unsigned int bench_waiters(int fd)
{
	struct wg_info info;

	if (sys_wg_info(fd, &info))
		die("WG_IOC_INFO");
	return info.waiters;
}

static void setup_objects(void)
{
	ctl_fd = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0)
		die("open /dev/waitgroup");
	wg_fd = bench_group(0);
	wg1_fd = bench_group(1);
	if (ioctl(wg_fd, WG_BENCH_NULL_IOC) != -1 || errno != ENOTTY)
		die("the null ioctl did not fail with ENOTTY");
	sem_id = semget(IPC_PRIVATE, 1, 0600);
	if (sem_id < 0)
		die("semget");
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		die("eventfd");
	if (pipe2(pfd, O_CLOEXEC))
		die("pipe");
	fwg = shared_alloc(sizeof(*fwg));
}

static void cleanup_objects(void)
{
	semctl(sem_id, 0, IPC_RMID);
}

static void sem_op(short op, short flg)
{
	struct sembuf sb = { .sem_num = 0, .sem_op = op, .sem_flg = flg };

	if (semop(sem_id, &sb, 1))
		die("semop %d", op);
}

/* The same work through each primitive */

static const struct wg_add add_one = { .delta = 1 };

static void wg_add_done(int fd)
{
	if (ioctl(fd, WG_IOC_ADD, &add_one) || ioctl(fd, WG_IOC_DONE))
		die("add+done");
}

static void fwg_add_done(void)
{
	if (fwg_add(fwg, 1) || fwg_add(fwg, -1))
		die("futex add+done");
}

static void sem_add_done(void)
{
	sem_op(1, 0);
	sem_op(-1, 0);
}

/* micro: the benchmark bodies, @n iterations each */

static void b_getppid(long n)
{
	while (n--)
		syscall(SYS_getppid);
}

static void b_null(long n)
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

static double time_run(struct micro *m, long n)
{
	uint64_t t = wg_now_ns();

	m->fn(n);
	return (double)(wg_now_ns() - t);
}

static void run_micro(int rounds, int floor_only, double target_ns)
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

/* Children that wait on a shared word */

struct ctl {
	_Atomic uint32_t round;		/* bumped to start a round */
	_Atomic uint32_t stop;		/* set to end the children */
	_Atomic uint32_t ready;		/* children at the start line */
	_Atomic uint32_t finished;	/* children done with this round */
	_Atomic uint32_t halt;		/* contention: end of the window */
	uint64_t t0;
	struct {
		uint64_t t1, start, end, pairs;
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

enum impl { IMPL_WG, IMPL_FUTEX, IMPL_SEM, NIMPL };
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

/* Fork @nw waiters on @im; each stamps its return from every round's wait. */
static void fork_waiters(enum impl im, struct ctl *c, pid_t *pids, int nw)
{
	int i;

	for (i = 0; i < nw; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i]) {
			/* Its own open file, as an unrelated process has. */
			int fd = im == IMPL_WG ? bench_dup(wg_fd) : -1;
			uint32_t rr;

			for (rr = 1; child_next_round(c, rr); rr++) {
				impl_wait(im, fd);
				c->slot[i].t1 = wg_now_ns();
				child_finished(c, nw);
			}
			_exit(0);
		}
	}
}

/* One round: arm, let every waiter fall asleep, stamp, release. */
static void wake_round(enum impl im, struct ctl *c, int nw, double *last,
		       double *mid, double *t1)
{
	uint64_t t0, mx = 0;
	int i, spins = 0;

	impl_arm(im);
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
}

/*
 * Wake latency with @nw waiters per primitive. The three sets of waiters
 * exist together and the primitives take turns round by round, so that a
 * slow spell of the host hits all three alike.
 */
static void run_wake(int nw, int rounds, int warmup)
{
	struct ctl *c[NIMPL];
	pid_t *pids[NIMPL];
	double *last[NIMPL], *mid[NIMPL], l, m;
	double *t1 = calloc(nw, sizeof(double));
	char work[32];
	int im, r;

	if (!t1)
		die("calloc");
	for (im = 0; im < NIMPL; im++) {
		c[im] = ctl_alloc(nw);
		pids[im] = calloc(nw, sizeof(pid_t));
		last[im] = calloc(rounds, sizeof(double));
		mid[im] = calloc(rounds, sizeof(double));
		if (!pids[im] || !last[im] || !mid[im])
			die("calloc");
		fork_waiters(im, c[im], pids[im], nw);
	}
	for (r = -warmup; r < rounds; r++) {
		for (im = 0; im < NIMPL; im++) {
			/* A different one goes first each round. */
			int k = (im + r + warmup) % NIMPL;

			wake_round(k, c[k], nw, &l, &m, t1);
			if (verbose)
				note("wake %s %d: round %d: last %.0f ns, median %.0f ns",
				     impl_name[k], nw, r, l, m);
			if (r >= 0) {
				last[k][r] = l;
				mid[k][r] = m;
			}
		}
	}
	for (im = 0; im < NIMPL; im++) {
		stop_children(c[im], pids[im], nw);
		if (nw == 1) {
			emit("wake", "wake-1", impl_name[im], "ns",
			     summarize(last[im], rounds), 1);
		} else {
			snprintf(work, sizeof(work), "wake-%d-last", nw);
			emit("wake", work, impl_name[im], "ns",
			     summarize(last[im], rounds), nw);
			snprintf(work, sizeof(work), "wake-%d-median", nw);
			emit("wake", work, impl_name[im], "ns",
			     summarize(mid[im], rounds), nw);
		}
		munmap(c[im], ctl_size(nw));
		free(pids[im]);
		free(last[im]);
		free(mid[im]);
	}
	free(t1);
}

/* contention: N processes doing add+done pairs on one group */

static void run_contention(enum impl im, int np, int rounds, double window_ns)
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

/* scale: many named groups */

#define MAX_SLABS 512

struct slab_snap {
	int n;
	struct {
		char name[64];
		long active, objsize, pages;
	} s[MAX_SLABS];
	long meminfo_slab_kb, meminfo_avail_kb;
};

static void snap(struct slab_snap *ss)
{
	char line[512];
	FILE *f;

	/* Files closed just now are freed after an RCU grace period. */
	usleep(500000);
	ss->n = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		die("/proc/slabinfo");
	while (fgets(line, sizeof(line), f) && ss->n < MAX_SLABS) {
		long active, num, objsize, perslab, pagesper, aslabs, nslabs;
		char name[64];

		if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %*d %*d %*d : slabdata %ld %ld",
			   name, &active, &num, &objsize, &perslab, &pagesper,
			   &aslabs, &nslabs) != 8)
			continue;
		strcpy(ss->s[ss->n].name, name);
		ss->s[ss->n].active = active;
		ss->s[ss->n].objsize = objsize;
		ss->s[ss->n].pages = nslabs * pagesper;
		ss->n++;
	}
	fclose(f);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Slab: %ld kB", &ss->meminfo_slab_kb);
		sscanf(line, "MemAvailable: %ld kB", &ss->meminfo_avail_kb);
	}
	fclose(f);
}

/* Per group: bytes of slab objects, of slab pages, and the caches that grew. */
static void slab_delta(const struct slab_snap *a, const struct slab_snap *b,
		       int ngroups, const char *tag)
{
	double objs = 0, pages = 0;
	char work[96];
	int i, j;

	for (i = 0; i < b->n; i++) {
		long dact = b->s[i].active, dpages = b->s[i].pages;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->s[j].name, b->s[i].name)) {
				dact -= a->s[j].active;
				dpages -= a->s[j].pages;
				break;
			}
		objs += (double)dact * b->s[i].objsize;
		pages += (double)dpages * 4096;
		/* A cache that gained at least one object per 10 groups. */
		if (dact * 10 >= ngroups) {
			snprintf(work, sizeof(work), "%s-objs-per-group:%s(%ldB)",
				 tag, b->s[i].name, b->s[i].objsize);
			emit1("scale", work, "waitgroup", "objs", (double)dact / ngroups);
		}
	}
	snprintf(work, sizeof(work), "%s-slab-objects", tag);
	emit1("scale", work, "waitgroup", "B/group", objs / ngroups);
	snprintf(work, sizeof(work), "%s-slab-pages", tag);
	emit1("scale", work, "waitgroup", "B/group", pages / ngroups);
	note("%s: meminfo Slab %ld -> %ld kB, MemAvailable %ld -> %ld kB", tag,
	     a->meminfo_slab_kb, b->meminfo_slab_kb, a->meminfo_avail_kb,
	     b->meminfo_avail_kb);
	snprintf(work, sizeof(work), "%s-meminfo-Slab", tag);
	emit1("scale", work, "waitgroup", "B/group",
	      (double)(b->meminfo_slab_kb - a->meminfo_slab_kb) * 1024 / ngroups);
	snprintf(work, sizeof(work), "%s-meminfo-MemAvailable", tag);
	emit1("scale", work, "waitgroup", "B/group",
	      (double)(a->meminfo_avail_kb - b->meminfo_avail_kb) * 1024 / ngroups);
}

enum scale_op { SC_CREATE, SC_OPEN, SC_UNLINK };

static void scale_batch(enum scale_op op, int from, int to)
{
	struct wg_create c = { .flags = WG_EXCL | WG_CLOEXEC, .mode = 0600 };
	struct wg_open o = { 0 };
	int i, fd;

	for (i = from; i < to; i++) {
		switch (op) {
		case SC_CREATE:
			snprintf(c.name, sizeof(c.name), "wg-bench-%07d", i);
			fd = ioctl(ctl_fd, WG_IOC_CREATE, &c);
			if (fd < 0)
				die("create %s", c.name);
			close(fd);
			break;
		case SC_OPEN:
			o.flags = WG_CLOEXEC;
			snprintf(o.name, sizeof(o.name), "wg-bench-%07d", i);
			fd = ioctl(ctl_fd, WG_IOC_OPEN, &o);
			if (fd < 0)
				die("open %s", o.name);
			close(fd);
			break;
		case SC_UNLINK:
			o.flags = 0;
			snprintf(o.name, sizeof(o.name), "wg-bench-%07d", i);
			if (ioctl(ctl_fd, WG_IOC_UNLINK, &o))
				die("unlink %s", o.name);
			break;
		}
	}
}

static void run_scale(int ngroups)
{
	static const char *const names[] = { "create+close", "open+close", "unlink" };
	static struct slab_snap before, created, unlinked;
	int batches = 10, per = ngroups / batches, op, b;
	double v[10];

	ngroups = per * batches;
	note("scale: %d named groups, %d batches", ngroups, batches);
	pin_cpu(0);
	snap(&before);
	for (op = SC_CREATE; op <= SC_UNLINK; op++) {
		for (b = 0; b < batches; b++) {
			uint64_t t = wg_now_ns();

			scale_batch(op, b * per, (b + 1) * per);
			v[b] = (double)(wg_now_ns() - t) / per;
		}
		emit("scale", names[op], "waitgroup", "ns", summarize(v, batches), per);
		if (op == SC_CREATE)
			snap(&created);
	}
	snap(&unlinked);
	slab_delta(&before, &created, ngroups, "live");
	slab_delta(&before, &unlinked, ngroups, "after-unlink");
	pin_cpu(-1);
}

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

static void run_registry(void)
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

static void usage(FILE *f)
{
	fputs("usage: wg-bench [-qv] [-p PARTS] [-r ROUNDS] [-w WAITERS] [-g GROUPS]\n"
	      "  PARTS: comma-separated floor, micro, wake, contention, scale, registry,\n"
	      "  or all\n"
	      "  (default all; micro includes floor)\n"
	      "  -q  quick: fewer rounds and groups, for a smoke test\n"
	      "  -v  verbose: every wake round on stderr\n", f);
}

int main(int argc, char **argv)
{
	const char *parts = "all";
	int rounds = 61, waiters = 1000, groups = 100000, opt, i;
	static const int procs[] = { 1, 2, 4 };
	int want_floor, want_micro, want_wake, want_cont, want_scale, want_reg;
	struct rlimit rl;

	while ((opt = getopt(argc, argv, "hqvp:r:w:g:")) != -1) {
		switch (opt) {
		case 'q': quick = 1; break;
		case 'v': verbose = 1; break;
		case 'p': parts = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'w': waiters = atoi(optarg); break;
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
	}
	if (rounds < 3 || waiters < 1 || groups < 10) {
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
		note("wake: 1 waiter, then %d waiters", waiters);
		run_wake(1, rounds, 3);
		run_wake(waiters, quick ? 3 : 15, 1);
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
	cleanup_objects();
	note("done");
	return 0;
}
