// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench's common part: errors and progress, CPU pinning, shared
 * memory, statistics and the WGB records, the futex waitgroup it
 * compares with, and the objects under test with the same work through
 * each of them.
 */
#include "bench.h"

int smp;
int quick;
int verbose;

void die(const char *fmt, ...)
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

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wg-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pin_cpu(int cpu)
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

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu", size);
	return p;
}

/* Statistics and output */

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentiles of @n samples (sorted in place). */
struct stats summarize(double *v, int n)
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

void emit(const char *section, const char *work, const char *impl,
	  const char *unit, struct stats s, long per_sample)
{
	printf("WGB,%d,%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%ld\n",
	       smp, section, work, impl, unit, s.median, s.p10, s.p90, s.min,
	       s.max, s.n, per_sample);
	fflush(stdout);
}

void emit1(const char *section, const char *work, const char *impl,
	   const char *unit, double value)
{
	struct stats s = { value, value, value, value, value, 1 };

	emit(section, work, impl, unit, s, 1);
}

/* A futex-based waitgroup in shared memory: Go's algorithm */

long futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

int fwg_add(struct fwg *w, int delta)
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

void fwg_wait(struct fwg *w)
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

unsigned int fwg_waiters(struct fwg *w)
{
	return (uint32_t)atomic_load(&w->state);
}

/* The objects under test */

int ctl_fd = -1;		/* /dev/waitgroup */
int wg_fd = -1;		/* anonymous group, counter 0 */
int wg1_fd = -1;		/* anonymous group held at 1 */
int sem_id = -1;		/* one SysV semaphore, value 0 */
int efd = -1;		/* eventfd, counter 0 */
int pfd[2] = { -1, -1 };	/* pipe */
struct fwg *fwg;		/* in shared memory, counter 0 */

/* An anonymous group with counter @count, or die. */
static int bench_group(int count)
{
	int fd = sys_wg_create(ctl_fd, WG_CLOEXEC, 0, count, NULL);

	if (fd < 0)
		die("WG_IOC_CREATE");
	return fd;
}

int bench_dup(int fd)
{
	int nfd = sys_wg_dup(fd, WG_CLOEXEC);

	if (nfd < 0)
		die("WG_IOC_DUP");
	return nfd;
}

unsigned int bench_waiters(int fd)
{
	struct wg_info info;

	if (sys_wg_info(fd, &info))
		die("WG_IOC_INFO");
	return info.waiters;
}

void setup_objects(void)
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

void cleanup_objects(void)
{
	semctl(sem_id, 0, IPC_RMID);
}

void sem_op(short op, short flg)
{
	struct sembuf sb = { .sem_num = 0, .sem_op = op, .sem_flg = flg };

	if (semop(sem_id, &sb, 1))
		die("semop %d", op);
}

/* The same work through each primitive */

const struct wg_add add_one = { .delta = 1 };

void wg_add_done(int fd)
{
	if (ioctl(fd, WG_IOC_ADD, &add_one) || ioctl(fd, WG_IOC_DONE))
		die("add+done");
}

void fwg_add_done(void)
{
	if (fwg_add(fwg, 1) || fwg_add(fwg, -1))
		die("futex add+done");
}

void sem_add_done(void)
{
	sem_op(1, 0);
	sem_op(-1, 0);
}
