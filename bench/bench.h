/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-bench's shared declarations: what common.c gives the sections
 * (micro.c, wake.c, scale.c, registry.c) and what they give main.
 */
#ifndef WG_BENCH_H
#define WG_BENCH_H

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

struct stats {
	double median, p10, p90, min, max;
	int n;
};

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

/* The primitives compared in wake and contention. */
enum impl { IMPL_WG, IMPL_FUTEX, IMPL_SEM, NIMPL };

/* common.c */
extern int smp;
extern int quick;
extern int verbose;
void die(const char *fmt, ...);
void note(const char *fmt, ...);
void pin_cpu(int cpu);
void *shared_alloc(size_t size);
int cmp_double(const void *a, const void *b);
struct stats summarize(double *v, int n);
void emit(const char *section, const char *work, const char *impl,
	  const char *unit, struct stats s, long per_sample);
void emit1(const char *section, const char *work, const char *impl,
	   const char *unit, double value);
long futex(_Atomic uint32_t *uaddr, int op, uint32_t val);
int fwg_add(struct fwg *w, int delta);
void fwg_wait(struct fwg *w);
unsigned int fwg_waiters(struct fwg *w);
extern int ctl_fd;
extern int wg_fd;
extern int wg1_fd;
extern int sem_id;
extern int efd;
extern int pfd[2];
extern struct fwg *fwg;
int bench_dup(int fd);
unsigned int bench_waiters(int fd);
void setup_objects(void);
void cleanup_objects(void);
void sem_op(short op, short flg);
extern const struct wg_add add_one;
void wg_add_done(int fd);
void fwg_add_done(void);
void sem_add_done(void);

/* micro.c */
void b_null(long n);
void run_micro(int rounds, int floor_only, double target_ns);

/* wake.c */
void run_wake(int nw, int rounds, int warmup);
void run_contention(enum impl im, int np, int rounds, double window_ns);

/* scale.c */
void run_scale(int ngroups);

/* registry.c */
void run_registry(void);

/* jobs.c */
void run_jobs(int rounds);

#endif /* WG_BENCH_H */
