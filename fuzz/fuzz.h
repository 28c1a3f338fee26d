/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-fuzz's shared declarations: limits, the op numbers and their errno
 * table, the per-process and per-thread state, the PRNG, and the calls
 * between its three parts: ops.c (the operations and the checks of their
 * results), model.c (the exact model of private groups) and wg_fuzz.c
 * (threads, workers, the supervisor and main).
 */
#ifndef WG_FUZZ_H
#define WG_FUZZ_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#include "wg_sys.h"

#define MAX_PROCS	16
#define MAX_THREADS	8
#define NSLOTS		12
#define SLOT_BASE	10		/* slot i is descriptor SLOT_BASE + i */
#define EPOLL_FD	(SLOT_BASE + NSLOTS)
#define NNAMES		10
#define NERR		134		/* errno buckets; the last is "other" */
#define MAX_FAILS	32
#define FAIL_LEN	480
#define HELPER_QLEN	16

#define ACCESS_ALL	(WG_ACCESS_WAIT | WG_ACCESS_ADD)
#define ACCESS_UNKNOWN	0x100u

enum op {
	OP_CREATE, OP_OPEN, OP_UNLINK, OP_ADD, OP_DONE, OP_WAIT, OP_INFO,
	OP_DUP, OP_LIST, OP_BADCMD, OP_XCMD, OP_RANDCMD,
	OP_NIOCTL,			/* the ones above are ioctls */
	OP_CLOSE = OP_NIOCTL, OP_POLL, OP_EPOLL, OP_FORK,
	NOPS
};

extern const char *const op_names[NOPS];
extern const int allowed[OP_NIOCTL][12];

struct stats {
	uint64_t total;			/* every op, for the stop check */
	uint64_t n[NOPS][NERR];		/* [op][errno], 0 = success */
	uint64_t models, forevers, child_ops;
};

struct shared {
	_Atomic int stop;
	_Atomic int nfail;
	_Atomic uint64_t kills, signals, respawns;
	char fails[MAX_FAILS][FAIL_LEN];
	struct stats st[MAX_PROCS * (MAX_THREADS + 1)];
};

extern struct shared *sh;
extern bool in_child;
extern uint64_t g_seed;
extern int g_procs, g_threads;
extern unsigned int g_fork_pm;

/* ---- PRNG: xoshiro256**, seeded through splitmix64 ------------------- */

struct rng { uint64_t s[4]; };

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t; s[3] = rotl(s[3], 45);
	return res;
}

static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * n) >> 32);
}

static inline bool chance(struct rng *r, uint32_t num, uint32_t den)
{
	return below(r, den) < num;
}

static inline void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);	/* a signal may cut it short: fine */
}

/* ---- Per-process state --------------------------------------------- */

/*
 * A slot: a fixed descriptor number holding a group file or, as a
 * placeholder, the control device. meta = seq (16 bits) << 48 | the highest
 * generation seen on this file (48 bits); seq is odd while a thread swaps
 * the file, so a reader whose seq is even and unchanged across its ioctl
 * knows exactly which file it used.
 */
#define SEQ(m)		((m) >> 48)
#define GENMASK		((1ULL << 48) - 1)
#define SEQ_ONE		(1ULL << 48)

enum { KIND_CTL, KIND_GROUP };

struct slot {
	_Atomic uint64_t meta;
	_Atomic int lock;
	_Atomic int kind;
	_Atomic unsigned int access;
	int fd;
};

struct helper_item {
	int fd;			/* closed at the end */
	int action;		/* 0: close, 1: add(-k, error) then close */
	int k, error;
	uint64_t due;
};

struct proc {
	int idx, inc;
	int ctl;
	bool root;
	struct slot slots[NSLOTS];
	pthread_rwlock_t forklock;	/* rd: a fork child may live; wr: model */
	char *rw;			/* rw page followed by a PROT_NONE page */
	char *ro;			/* read-only page, a valid wg_wait in it */
	char *none;			/* PROT_NONE page */
	pthread_mutex_t hmu;
	pthread_cond_t hcv;
	struct helper_item hq[HELPER_QLEN];
	int hn;
	_Atomic int threads_left;
};

struct thr {
	struct proc *p;
	struct rng r;
	struct stats *st;
	int tid;
	bool child;
	/* the op in flight, for failure reports */
	int op, fd;
	unsigned long cmd;
	uint64_t a[6];
	uint64_t cursor;		/* last WG_IOC_LIST cursor */
	char *names;			/* WG_LIST_MAX + 1 name buffers */
	char scratch[256] __attribute__((aligned(16)));
};

extern char name_pool[NNAMES][16];

/* model.c */
void op_model(struct thr *t);
void helper_do(struct thr *t, struct helper_item *it);
void op_forever(struct thr *t);

/* ops.c */
void __attribute__((format(printf, 2, 3)))
fail(struct thr *t, const char *fmt, ...);
void count(struct thr *t, int op, int err);
void note(struct thr *t, int op, int fd, unsigned long cmd,
	  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
long xioctl(struct thr *t, int op, int fd, unsigned long cmd,
	    void *arg, int *err);
void check_errno(struct thr *t, int op, int err, int extra);
int32_t pick_delta(struct rng *r);
uint32_t garbage_flags(struct rng *r);
void check_info(struct thr *t, const struct wg_info *in);
void fuzz_one(struct thr *t);

#endif /* WG_FUZZ_H */
