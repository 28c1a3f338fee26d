// SPDX-License-Identifier: GPL-2.0
/*
 * wg-fuzz: drive /dev/waitgroup with random and hostile ioctls from several
 * processes and threads, deterministically from a seed.
 *
 *   wg-fuzz [--seed S] [--seconds N] [--ops N] [--procs P] [--threads T]
 *           [--limit N] [--kill-ms N] [--fork-pm N] [--timeout S]
 *
 * A supervisor forks P worker processes of T fuzzing threads each (plus one
 * helper thread), SIGKILLs and respawns workers at random moments, sends them
 * signals (EINTR and restart), and stops them after --seconds or --ops.
 * Workers share a small pool of names (so create, open and unlink race),
 * some run as unprivileged users or in their own IPC namespace, and the
 * threads of one worker share a table of descriptor slots (so close races
 * with wait, add and dup).
 *
 * What it checks, and nothing more:
 * - every ioctl fails only with an errno that uapi/linux/waitgroup.h allows
 *   for it; bad ioctl numbers fail with ENOTTY; a hostile pointer (NULL,
 *   unmapped, kernel, non-canonical, straddling into an unmapped page) never
 *   succeeds;
 * - invariants visible from userspace: INFO's count is never negative, its
 *   waiters plausible, its name and mode well formed; the generation INFO
 *   returns never goes behind one WAIT or INFO returned on the same file;
 * - exact results on private anonymous groups that nobody else can reach
 *   (a model of counter, generation, first error, undo ledger, abandonment
 *   and poll: a wait or a poll between completions is ready only at zero,
 *   since no poll is in progress at a completion), and WG_FOREVER waits released by
 *   another thread's done or by closing a descriptor whose ledger holds adds;
 * - at the end, with every worker gone: no named group has waiters left.
 *
 * Prints per-ioctl totals with an errno histogram and "ok"/"not ok". Exit
 * status 0 when ok, 1 on a failure, 2 on bad usage.
 *
 * Slot descriptors have fixed numbers: "closing" a slot replaces its file
 * with dup3() of the control device, which releases the group file exactly
 * like close() does, but never frees the number for another thread's next
 * open to reuse (a stale number would let a racing thread hit a private
 * group and turn an exact check into a false alarm).
 */
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

static const char *const op_names[NOPS] = {
	"CREATE", "OPEN", "UNLINK", "ADD", "DONE", "WAIT", "INFO", "DUP",
	"LIST", "badcmd", "xcmd", "randcmd", "close", "poll", "epoll", "fork",
};

/* Errnos the contract allows, per ioctl (uapi kernel-doc), 0-terminated. */
static const int allowed[OP_NIOCTL][12] = {
	[OP_CREATE] = { EINVAL, ENAMETOOLONG, ERANGE, EEXIST, EACCES, ENOSPC,
			EMFILE, ENFILE, ENOMEM, EFAULT },
	[OP_OPEN]   = { EINVAL, ENAMETOOLONG, ENOENT, EACCES, EMFILE, ENFILE,
			ENOMEM, EFAULT },
	[OP_UNLINK] = { EINVAL, ENAMETOOLONG, ENOENT, EPERM, EMFILE, ENFILE,
			EFAULT },
	[OP_ADD]    = { ERANGE, EOVERFLOW, EINVAL, EBADF, EFAULT },
	[OP_DONE]   = { ERANGE, EBADF },
	[OP_WAIT]   = { ETIMEDOUT, EINTR, EINVAL, EBADF, EFAULT },
	[OP_INFO]   = { EBADF, EFAULT },
	[OP_DUP]    = { EINVAL, EMFILE, ENFILE, ENOMEM, EFAULT },
	[OP_LIST]   = { EINVAL, ENOMEM, EFAULT },
	[OP_BADCMD] = { ENOTTY },
	[OP_XCMD]   = { ENOTTY },
	[OP_RANDCMD] = { 0 },		/* anything: not ours to judge */
};

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

static struct shared *sh;
static bool in_child;		/* a fork child of a worker thread */
static uint64_t g_seed;
static int g_procs = 4, g_threads = 3;
static unsigned int g_fork_pm = 3;	/* per mille of ops that fork */

/* ---- PRNG: xoshiro256**, seeded through splitmix64 ------------------- */

struct rng { uint64_t s[4]; };

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t; s[3] = rotl(s[3], 45);
	return res;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * n) >> 32);
}

static bool chance(struct rng *r, uint32_t num, uint32_t den)
{
	return below(r, den) < num;
}

static void sleep_us(unsigned int us)
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

static char name_pool[NNAMES][16];

/* ---- Reporting ------------------------------------------------------ */

static void vfail(struct thr *t, const char *fmt, va_list ap)
{
	char buf[FAIL_LEN];
	int n = 0, slot;

	if (t)
		n = snprintf(buf, sizeof(buf),
			     "seed %llu worker %d.%d thread %d%s: %s(fd %d, cmd %#lx, args %#llx %#llx %#llx %#llx %#llx %#llx): ",
			     (unsigned long long)g_seed, t->p->idx, t->p->inc,
			     t->tid, t->child ? " (child)" : "",
			     t->op >= 0 ? op_names[t->op] : "?", t->fd, t->cmd,
			     (unsigned long long)t->a[0], (unsigned long long)t->a[1],
			     (unsigned long long)t->a[2], (unsigned long long)t->a[3],
			     (unsigned long long)t->a[4], (unsigned long long)t->a[5]);
	if (n < 0 || n >= (int)sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	slot = atomic_fetch_add(&sh->nfail, 1);
	if (slot < MAX_FAILS)
		memcpy(sh->fails[slot], buf, sizeof(buf));
	if (slot < 8) {
		/* one write(2): no stdio locks, safe in a fork child */
		char line[FAIL_LEN + 16];
		int len = snprintf(line, sizeof(line), "# FAIL %s\n", buf);

		if (len > 0 && write(2, line, strnlen(line, sizeof(line))) < 0)
			return;
	}
}

static void __attribute__((format(printf, 2, 3)))
fail(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(t, fmt, ap);
	va_end(ap);
}

static void count(struct thr *t, int op, int err)
{
	t->st->total++;
	t->st->n[op][err >= 0 && err < NERR ? err : NERR - 1]++;
	if (t->child)
		t->st->child_ops++;
}

static void note(struct thr *t, int op, int fd, unsigned long cmd,
		 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	t->op = op;
	t->fd = fd;
	t->cmd = cmd;
	t->a[0] = a0; t->a[1] = a1; t->a[2] = a2; t->a[3] = a3;
	t->a[4] = t->a[5] = 0;
}

/* ioctl, counted. Returns the result; *err is errno or 0. */
static long xioctl(struct thr *t, int op, int fd, unsigned long cmd,
		   void *arg, int *err)
{
	long ret = ioctl(fd, cmd, arg);

	*err = ret < 0 ? errno : 0;
	count(t, op, *err);
	return ret;
}

static bool in_list(const int *list, int n, int err)
{
	for (int i = 0; i < n && list[i]; i++)
		if (list[i] == err)
			return true;
	return false;
}

/*
 * Is @err one the contract allows for @op? @extra: one more allowed errno
 * (0 for none), e.g. ENOTTY when the descriptor may have been swapped.
 */
static void check_errno(struct thr *t, int op, int err, int extra)
{
	if (!err || op == OP_RANDCMD)
		return;
	if (err == extra || in_list(allowed[op], 12, err))
		return;
	fail(t, "errno %d (%s) is not allowed for %s", err, strerror(err),
	     op_names[op]);
}

/* ---- Slots ---------------------------------------------------------- */

struct view {
	struct slot *s;
	uint64_t m1;
	int kind;
	unsigned int access;
};

static struct slot *pick_slot(struct thr *t)
{
	return &t->p->slots[below(&t->r, NSLOTS)];
}

static void view_begin(struct slot *s, struct view *v)
{
	v->s = s;
	v->m1 = atomic_load(&s->meta);
	v->kind = atomic_load(&s->kind);
	v->access = atomic_load(&s->access);
}

/* Did the ioctl certainly use the file the view describes? */
static bool view_stable(const struct view *v)
{
	uint64_t m2 = atomic_load(&v->s->meta);

	/*
	 * In a fork child the slot table is a copy of memory taken after the
	 * descriptor table was copied: a swap in between makes them disagree.
	 */
	if (in_child)
		return false;
	return !(SEQ(v->m1) & 1) && SEQ(m2) == SEQ(v->m1);
}

/*
 * A generation read from the slot's file: INFO's is never behind anything
 * the file showed before. A WAIT's may be: a completion latched while the
 * file was polled is returned by its next wait, however many generations
 * completed since (INFO reports the newest); it only raises the mark.
 */
static void gen_check(struct thr *t, const struct view *v, uint64_t gen,
		      const char *what)
{
	uint64_t cur;

	if (!view_stable(v) || v->kind != KIND_GROUP)
		return;
	if (strcmp(what, "WAIT") && gen < (v->m1 & GENMASK))
		fail(t, "%s generation %llu is behind %llu seen earlier on this file",
		     what, (unsigned long long)gen,
		     (unsigned long long)(v->m1 & GENMASK));
	if (gen > GENMASK)
		return;
	cur = atomic_load(&v->s->meta);
	while (SEQ(cur) == SEQ(v->m1) && (cur & GENMASK) < gen &&
	       !atomic_compare_exchange_weak(&v->s->meta, &cur,
					     (cur & ~GENMASK) | gen))
		;
}

/*
 * Put @fd (a group file with @access) into slot @s, or the control device
 * when @fd < 0, releasing the file the slot held. Closes @fd. Returns false
 * (and closes @fd) if another thread is swapping the slot.
 */
static bool slot_set(struct proc *p, struct slot *s, int fd,
		     unsigned int access)
{
	int unlocked = 0;
	uint64_t m;

	if (!atomic_compare_exchange_strong(&s->lock, &unlocked, 1)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	m = atomic_fetch_add(&s->meta, SEQ_ONE);	/* odd: swapping */
	if (dup3(fd >= 0 ? fd : p->ctl, s->fd, O_CLOEXEC) < 0)
		abort();
	atomic_store(&s->kind, fd >= 0 ? KIND_GROUP : KIND_CTL);
	atomic_store(&s->access, access);
	atomic_store(&s->meta, ((SEQ(m) + 2) & 0xffff) << 48);
	atomic_store(&s->lock, 0);
	if (fd >= 0)
		close(fd);
	return true;
}

/* A new descriptor from CREATE, OPEN or DUP: keep it in a slot or close. */
static void adopt(struct thr *t, int fd, unsigned int access)
{
	if (t->child || chance(&t->r, 1, 4))
		close(fd);
	else
		slot_set(t->p, pick_slot(t), fd, access);
}

/* ---- Arguments ------------------------------------------------------ */

static int32_t pick_delta(struct rng *r)
{
	switch (below(r, 24)) {
	case 0: return INT_MIN;
	case 1: return INT_MAX;
	case 2: return 0;
	case 3: return (int32_t)rnd(r);
	case 4: return -INT_MAX;
	case 5: return INT_MAX - (int32_t)below(r, 3);
	case 6: return -(int32_t)below(r, 100);
	case 7: return (int32_t)below(r, 100);
	case 8 ... 15: return 1;
	default: return -1;
	}
}

static int32_t pick_error(struct rng *r)
{
	switch (below(r, 6)) {
	case 0: return (int32_t)rnd(r);
	case 1: return -(int32_t)below(r, 200);
	default: return 1 + below(r, 133);
	}
}

static uint32_t pick_access_flags(struct rng *r)
{
	static const uint32_t acc[] = { 0, 0, 0, WG_ACCESS_WAIT, WG_ACCESS_ADD,
					ACCESS_ALL };

	return acc[below(r, 6)];
}

static uint32_t garbage_flags(struct rng *r)
{
	return chance(r, 1, 2) ? 1u << below(r, 32) : (uint32_t)rnd(r);
}

/* A name: mostly from the pool, sometimes empty or malformed. */
static void pick_name(struct rng *r, char *name, bool allow_empty)
{
	unsigned int k = below(r, 40);

	memset(name, 0, WG_NAME_MAX);
	if (k < 30) {
		strcpy(name, name_pool[below(r, NNAMES)]);
	} else if (k < 34 && allow_empty) {
		/* anonymous */
	} else if (k < 35) {
		memset(name, 'a' + below(r, 26), WG_NAME_MAX);	/* no NUL */
	} else if (k < 36) {
		memset(name, 'z', WG_NAME_MAX - 1);		/* longest */
	} else {
		static const char bad[] = { '/', ' ', '\t', 0x7f, (char)0x80,
					    (char)0xff, '\n', 1 };

		strcpy(name, name_pool[below(r, NNAMES)]);
		name[below(r, 6)] = bad[below(r, sizeof(bad))];
	}
}

/*
 * A hostile pointer that the kernel cannot read @size bytes from. Returns
 * its kind for the report.
 */
static void *bad_pointer(struct thr *t, size_t size, int *kind)
{
	struct proc *p = t->p;

	*kind = below(&t->r, 7);
	switch (*kind) {
	case 0: return NULL;
	case 1: return p->none + below(&t->r, 4096);
	case 2: return (void *)0xffffffff81000000UL;	/* kernel text */
	case 3: return (void *)(0xffff888000000000UL + below(&t->r, 1 << 20));
	case 4: return (void *)(0x0000800000000000UL + below(&t->r, 4096));
	case 5: return (void *)-1L;
	default:
		/* starts in the rw page, ends in the unmapped one after it */
		return p->rw + 4096 - 1 - below(&t->r, size - 1);
	}
}

/* ---- The ops -------------------------------------------------------- */

static void op_create(struct thr *t, bool hostile)
{
	struct wg_create *c = (void *)t->scratch;
	int err, kind = -1;
	unsigned int access;
	void *arg = c;
	long fd;

	memset(c, 0, sizeof(*c));
	c->flags = chance(&t->r, 1, 10) ? garbage_flags(&t->r) :
		   pick_access_flags(&t->r) |
		   (chance(&t->r, 1, 2) ? WG_CLOEXEC : 0) |
		   (chance(&t->r, 1, 4) ? WG_EXCL : 0);
	switch (below(&t->r, 10)) {
	case 0: c->mode = 0; break;
	case 1: c->mode = 0666; break;
	case 2: c->mode = 0644; break;
	case 3: c->mode = 0777; break;
	case 4: c->mode = 0400 | (chance(&t->r, 1, 2) ? 0040 : 0); break;
	case 5: c->mode = 0200 | (chance(&t->r, 1, 2) ? 0020 : 0); break;
	case 6: c->mode = below(&t->r, 01000); break;
	case 7: c->mode = (uint32_t)rnd(&t->r); break;
	default: c->mode = 0600; break;
	}
	switch (below(&t->r, 12)) {
	case 0: c->count = INT_MAX; break;
	case 1: c->count = -(int32_t)below(&t->r, 3) - 1; break;
	case 2: c->count = (int32_t)rnd(&t->r); break;
	case 3 ... 6: c->count = below(&t->r, 4); break;
	default: c->count = 0; break;
	}
	c->__pad = chance(&t->r, 1, 30) ? (uint32_t)rnd(&t->r) | 1 : 0;
	pick_name(&t->r, c->name, true);
	if (!c->name[0] && chance(&t->r, 3, 4))
		c->mode = 0;
	if (hostile)
		arg = bad_pointer(t, sizeof(*c), &kind);
	note(t, OP_CREATE, t->p->ctl, WG_IOC_CREATE, c->flags, c->mode,
	     (uint32_t)c->count, (uintptr_t)arg);
	t->a[4] = kind;
	fd = xioctl(t, OP_CREATE, t->p->ctl, WG_IOC_CREATE, arg, &err);
	if (hostile && fd >= 0)
		fail(t, "succeeded (fd %ld) with a bad pointer", fd);
	if (hostile && err && err != EFAULT)
		fail(t, "bad pointer gave errno %d (%s), not EFAULT", err,
		     strerror(err));
	check_errno(t, OP_CREATE, err, 0);
	if (t->p->root && (err == EACCES))
		fail(t, "EACCES for root (CAP_IPC_OWNER)");
	if (fd < 0)
		return;
	/*
	 * A negative count is an error only for a new group: an existing
	 * name opened without WG_EXCL ignores it.
	 */
	if (!hostile && ((c->flags & ~(uint32_t)(WG_CLOEXEC | WG_EXCL | ACCESS_ALL)) ||
			 c->__pad || (c->mode & ~0777u) ||
			 (c->count < 0 && (!c->name[0] || (c->flags & WG_EXCL))) ||
			 (!c->name[0] && (c->mode || (c->flags & WG_EXCL)))))
		fail(t, "succeeded (fd %ld) with invalid arguments", fd);
	access = c->flags & ACCESS_ALL ?: ACCESS_ALL;
	adopt(t, (int)fd, hostile ? ACCESS_UNKNOWN : access);
}

static void op_open(struct thr *t, bool unlink, bool hostile)
{
	struct wg_open *o = (void *)t->scratch;
	int op = unlink ? OP_UNLINK : OP_OPEN, err, kind = -1;
	unsigned long cmd = unlink ? WG_IOC_UNLINK : WG_IOC_OPEN;
	void *arg = o;
	long fd;

	memset(o, 0, sizeof(*o));
	if (chance(&t->r, 1, 10))
		o->flags = garbage_flags(&t->r);
	else if (!unlink)
		o->flags = pick_access_flags(&t->r) |
			   (chance(&t->r, 1, 2) ? WG_CLOEXEC : 0);
	o->__pad = chance(&t->r, 1, 30) ? (uint32_t)rnd(&t->r) | 1 : 0;
	pick_name(&t->r, o->name, chance(&t->r, 1, 10));
	if (hostile)
		arg = bad_pointer(t, sizeof(*o), &kind);
	note(t, op, t->p->ctl, cmd, o->flags, o->__pad, o->name[0],
	     (uintptr_t)arg);
	t->a[4] = kind;
	memcpy(&t->a[5], o->name, 8);
	fd = xioctl(t, op, t->p->ctl, cmd, arg, &err);
	if (hostile && fd >= 0)
		fail(t, "succeeded (%ld) with a bad pointer", fd);
	if (hostile && err && err != EFAULT)
		fail(t, "bad pointer gave errno %d (%s), not EFAULT", err,
		     strerror(err));
	check_errno(t, op, err, 0);
	if (t->p->root && (err == EACCES || err == EPERM))
		fail(t, "errno %d for root (CAP_IPC_OWNER)", err);
	if (unlink && fd > 0)
		fail(t, "UNLINK returned %ld, not 0", fd);
	if (!hostile && fd >= 0 &&
	    ((o->flags & ~(uint32_t)(unlink ? 0 : WG_CLOEXEC | ACCESS_ALL)) ||
	     o->__pad || !o->name[0]))
		fail(t, "succeeded (%ld) with invalid arguments", fd);
	if (!unlink && fd >= 0)
		adopt(t, (int)fd, o->flags & ACCESS_ALL ?: ACCESS_ALL);
}

/*
 * The errno a group ioctl may give on the slot @v: the contract's, plus
 * ENOTTY if the slot held (or may have held) the control device. @need is
 * the access bit the ioctl needs; EBADF without it.
 */
static void check_group_errno(struct thr *t, int op, const struct view *v,
			      int err, unsigned int need)
{
	bool stable = view_stable(v);

	if (stable && v->kind == KIND_CTL) {
		if (err != ENOTTY)
			fail(t, "errno %d (%s) on the control device, not ENOTTY",
			     err, strerror(err));
		return;
	}
	check_errno(t, op, err, stable ? 0 : ENOTTY);
	if (stable && err == EBADF && need && !(v->access & ACCESS_UNKNOWN) &&
	    (v->access & need))
		fail(t, "EBADF on a file opened with access %#x", v->access);
	if (stable && !err && need && !(v->access & ACCESS_UNKNOWN) &&
	    !(v->access & need))
		fail(t, "succeeded on a file opened without access %#x (has %#x)",
		     need, v->access);
}

static void op_add(struct thr *t, bool hostile)
{
	struct wg_add *a = (void *)t->scratch;
	struct view v;
	int err, kind = -1;
	void *arg = a;
	long ret;

	memset(a, 0, sizeof(*a));
	a->delta = pick_delta(&t->r);
	a->flags = chance(&t->r, 1, 12) ? garbage_flags(&t->r) :
		   chance(&t->r, 1, 2) ? WG_UNDO : 0;
	if (a->delta < 0 && chance(&t->r, 1, 4))
		a->error = pick_error(&t->r);
	else if (chance(&t->r, 1, 30))
		a->error = pick_error(&t->r);
	a->__pad = chance(&t->r, 1, 30) ? (uint32_t)rnd(&t->r) | 1 : 0;
	view_begin(pick_slot(t), &v);
	if (hostile)
		arg = bad_pointer(t, sizeof(*a), &kind);
	note(t, OP_ADD, v.s->fd, WG_IOC_ADD, (uint32_t)a->delta, a->flags,
	     (uint32_t)a->error, a->__pad);
	t->a[4] = kind;
	t->a[5] = (uintptr_t)arg;
	ret = xioctl(t, OP_ADD, v.s->fd, WG_IOC_ADD, arg, &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	if (hostile) {
		if (!err)
			fail(t, "succeeded with a bad pointer");
		else if (err != EFAULT && err != ENOTTY)
			fail(t, "bad pointer gave errno %d (%s)", err,
			     strerror(err));
		return;
	}
	check_group_errno(t, OP_ADD, &v, err, WG_ACCESS_ADD);
	/* Errors the arguments alone decide, on a group file. */
	if (view_stable(&v) && v.kind == KIND_GROUP && !err &&
	    ((a->flags & ~WG_UNDO) || a->__pad || (a->error && a->delta >= 0)))
		fail(t, "succeeded with invalid arguments");
}

static void op_done(struct thr *t)
{
	struct view v;
	long ret;
	int err;

	view_begin(pick_slot(t), &v);
	note(t, OP_DONE, v.s->fd, WG_IOC_DONE, 0, 0, 0, 0);
	ret = xioctl(t, OP_DONE, v.s->fd, WG_IOC_DONE, NULL, &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	check_group_errno(t, OP_DONE, &v, err, WG_ACCESS_ADD);
}

static void op_wait(struct thr *t, bool hostile)
{
	struct wg_wait *w = (void *)t->scratch;
	struct view v;
	int err, kind = -1;
	void *arg = w;
	long ret;

	memset(w, 0, sizeof(*w));
	switch (below(&t->r, 20)) {
	case 0 ... 4: w->deadline_ns = wg_now_ns() + below(&t->r, 3000000); break;
	case 5: w->deadline_ns = 1; break;
	case 6: w->deadline_ns = wg_now_ns() - below(&t->r, 1000000); break;
	default: w->deadline_ns = 0; break;
	}
	if (chance(&t->r, 1, 20))
		w->flags = garbage_flags(&t->r);
	if (chance(&t->r, 1, 20))
		w->__pad = (uint32_t)rnd(&t->r) | 1;
	/* out fields carry garbage in: the kernel must ignore it */
	w->generation = rnd(&t->r);
	w->error = (int32_t)rnd(&t->r);
	w->abandoned = (uint32_t)rnd(&t->r);
	view_begin(pick_slot(t), &v);
	if (hostile) {
		if (chance(&t->r, 1, 3)) {
			/* read-only page: readable in, not writable out */
			arg = t->p->ro;
			kind = 100;
		} else {
			arg = bad_pointer(t, sizeof(*w), &kind);
		}
	}
	note(t, OP_WAIT, v.s->fd, WG_IOC_WAIT, w->deadline_ns, w->flags,
	     w->__pad, (uintptr_t)arg);
	t->a[4] = kind;
	ret = xioctl(t, OP_WAIT, v.s->fd, WG_IOC_WAIT, arg, &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	if (hostile) {
		if (!err)
			fail(t, "succeeded with a bad pointer");
		else if (kind != 100 && err != EFAULT && err != ENOTTY)
			fail(t, "bad pointer gave errno %d (%s)", err,
			     strerror(err));
		check_group_errno(t, OP_WAIT, &v, err, 0);
		return;
	}
	check_group_errno(t, OP_WAIT, &v, err, WG_ACCESS_WAIT);
	if (err)
		return;
	if (w->flags || w->__pad)
		fail(t, "succeeded with invalid flags or pad");
	gen_check(t, &v, w->generation, "WAIT");
}

static void check_info(struct thr *t, const struct wg_info *in)
{
	size_t len = strnlen(in->name, WG_NAME_MAX);

	if (in->count < 0)
		fail(t, "INFO count %d is negative", in->count);
	if (in->waiters > 100000)
		fail(t, "INFO waiters %u is implausible", in->waiters);
	if (in->mode & ~0777u)
		fail(t, "INFO mode %#o", in->mode);
	if (in->__pad)
		fail(t, "INFO __pad %u", in->__pad);
	if (len == WG_NAME_MAX) {
		fail(t, "INFO name not terminated");
		return;
	}
	for (size_t i = len; i < WG_NAME_MAX; i++)
		if (in->name[i]) {
			fail(t, "INFO name has garbage after its NUL");
			break;
		}
	if (len && !wg_name_valid(in->name))
		fail(t, "INFO name \"%.*s\" breaks the name rule", (int)len,
		     in->name);
	if (len && !in->mode)
		fail(t, "INFO: named group with mode 0");
	if (!len && in->mode)
		fail(t, "INFO: anonymous group with mode %#o", in->mode);
}

static void op_info(struct thr *t, bool hostile)
{
	struct wg_info *in = (void *)t->scratch;
	struct view v;
	int err, kind = -1;
	void *arg = in;
	long ret;

	memset(in, 0xa5, sizeof(*in));	/* every byte must be written */
	view_begin(pick_slot(t), &v);
	if (hostile) {
		if (chance(&t->r, 1, 3)) {
			arg = t->p->ro;
			kind = 100;
		} else {
			arg = bad_pointer(t, sizeof(*in), &kind);
		}
	}
	note(t, OP_INFO, v.s->fd, WG_IOC_INFO, (uintptr_t)arg, kind, 0, 0);
	ret = xioctl(t, OP_INFO, v.s->fd, WG_IOC_INFO, arg, &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	if (hostile) {
		if (!err)
			fail(t, "succeeded with a bad pointer");
		else if (err != EFAULT && err != EBADF && err != ENOTTY)
			fail(t, "bad pointer gave errno %d (%s)", err,
			     strerror(err));
		return;
	}
	check_group_errno(t, OP_INFO, &v, err, WG_ACCESS_WAIT);
	if (err)
		return;
	check_info(t, in);
	gen_check(t, &v, in->generation, "INFO");
}

static void op_dup(struct thr *t, bool hostile)
{
	uint32_t *flags = (void *)t->scratch;
	struct view v;
	int err, kind = -1;
	void *arg = flags;
	long fd;

	*flags = chance(&t->r, 1, 8) ? garbage_flags(&t->r) :
		 chance(&t->r, 1, 2) ? WG_CLOEXEC : 0;
	view_begin(pick_slot(t), &v);
	if (hostile) {
		arg = bad_pointer(t, sizeof(*flags), &kind);
		if (kind == 6)		/* a u32 straddles from the last 3 bytes */
			arg = t->p->rw + 4096 - 1 - below(&t->r, 3);
	}
	note(t, OP_DUP, v.s->fd, WG_IOC_DUP, *flags, (uintptr_t)arg, kind, 0);
	fd = xioctl(t, OP_DUP, v.s->fd, WG_IOC_DUP, arg, &err);
	if (hostile) {
		if (fd >= 0) {
			fail(t, "succeeded with a bad pointer");
			close((int)fd);
		} else if (err != EFAULT && err != ENOTTY) {
			fail(t, "bad pointer gave errno %d (%s)", err,
			     strerror(err));
		}
		return;
	}
	check_group_errno(t, OP_DUP, &v, err, 0);
	if (fd < 0)
		return;
	if (view_stable(&v) && (*flags & ~WG_CLOEXEC))
		fail(t, "succeeded with flags %#x", *flags);
	adopt(t, (int)fd, view_stable(&v) ? v.access : ACCESS_UNKNOWN);
}

#ifdef WG_IOC_LIST
/*
 * WG_IOC_LIST: a page of the names this namespace holds. Checks that the
 * kernel writes no more than asked (a guard name after the buffers), that
 * every name written is well formed, and that the cursor moves forward.
 */
static void op_list(struct thr *t, bool hostile)
{
	struct wg_list *l = (void *)t->scratch;
	uint32_t want, max;
	int err, kind = -1;
	void *arg = l;
	long ret;

	memset(l, 0, sizeof(*l));
	switch (below(&t->r, 8)) {
	case 0: l->count = 0; break;
	case 1: l->count = WG_LIST_MAX + 1 + below(&t->r, 100); break;
	case 2: l->count = (uint32_t)rnd(&t->r); break;
	default: l->count = 1 + below(&t->r, 12); break;
	}
	want = l->count;
	max = want < WG_LIST_MAX ? want : WG_LIST_MAX;
	switch (below(&t->r, 6)) {
	case 0: l->cursor = t->cursor; break;
	case 1: l->cursor = rnd(&t->r); break;
	case 2: l->cursor = below(&t->r, 64); break;
	default: l->cursor = 0; break;
	}
	if (chance(&t->r, 1, 15))
		l->flags = garbage_flags(&t->r);
	memset(t->names, 0xa5, (size_t)(WG_LIST_MAX + 1) * WG_NAME_MAX);
	l->names = (uintptr_t)t->names;
	if (hostile) {
		int k;

		if (chance(&t->r, 1, 2))
			arg = bad_pointer(t, sizeof(*l), &kind);
		else
			l->names = (uintptr_t)bad_pointer(t, WG_NAME_MAX, &k);
	}
	note(t, OP_LIST, t->p->ctl, WG_IOC_LIST, l->count, l->flags, l->cursor,
	     l->names);
	t->a[4] = kind;
	ret = xioctl(t, OP_LIST, t->p->ctl, WG_IOC_LIST, arg, &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	check_errno(t, OP_LIST, err, 0);
	if (hostile && arg != l && !err)
		fail(t, "succeeded with a bad pointer");
	if (err || hostile)
		return;
	if (l->count > max) {
		fail(t, "listed %u names into %u buffers", l->count, want);
		return;
	}
	for (uint32_t i = max; i <= WG_LIST_MAX && i < max + 1; i++)
		if ((unsigned char)t->names[i * WG_NAME_MAX] != 0xa5)
			fail(t, "wrote past %u buffers", max);
	for (uint32_t i = 0; i < l->count; i++) {
		if (!wg_name_valid(t->names + (size_t)i * WG_NAME_MAX)) {
			fail(t, "name %u of %u is malformed", i, l->count);
			break;
		}
	}
	t->cursor = l->cursor;
}
#else
static void op_list(struct thr *t, bool hostile)
{
	(void)hostile;
	op_info(t, false);
}
#endif

static const unsigned long valid_cmds[] = {
	WG_IOC_CREATE, WG_IOC_OPEN, WG_IOC_UNLINK, WG_IOC_ADD, WG_IOC_DONE,
	WG_IOC_WAIT, WG_IOC_INFO, WG_IOC_DUP,
#ifdef WG_IOC_LIST
	WG_IOC_LIST,
#endif
};
#define NVALID	(sizeof(valid_cmds) / sizeof(valid_cmds[0]))

/* Our magic with a wrong size, direction or number: ENOTTY, always. */
static void op_badcmd(struct thr *t)
{
	unsigned long cmd, base = valid_cmds[below(&t->r, NVALID)];
	unsigned int dir = _IOC_DIR(base), nr = _IOC_NR(base),
		     size = _IOC_SIZE(base);
	int fd, err;
	long ret;

	switch (below(&t->r, 4)) {
	case 0:
		size = chance(&t->r, 1, 2) ? size + 1 + below(&t->r, 8) :
		       below(&t->r, 1 << _IOC_SIZEBITS);
		break;
	case 1:
		dir = below(&t->r, 4);
		break;
	case 2:
		nr = below(&t->r, 256);
		break;
	default:
		dir = below(&t->r, 4);
		nr = below(&t->r, 256);
		size = below(&t->r, 1 << _IOC_SIZEBITS);
		break;
	}
	cmd = _IOC(dir, WG_IOC_MAGIC, nr, size);
	for (size_t i = 0; i < NVALID; i++)
		if (cmd == valid_cmds[i])
			return;
	fd = chance(&t->r, 1, 3) ? t->p->ctl : pick_slot(t)->fd;
	memset(t->scratch, 0, sizeof(t->scratch));
	note(t, OP_BADCMD, fd, cmd, 0, 0, 0, 0);
	ret = xioctl(t, OP_BADCMD, fd, cmd,
		     chance(&t->r, 1, 4) ? NULL : t->scratch, &err);
	if (ret >= 0)
		fail(t, "unknown command returned %ld", ret);
	else if (err != ENOTTY)
		fail(t, "unknown command gave errno %d (%s), not ENOTTY", err,
		     strerror(err));
}

/* Group commands on the control device, control commands on a group. */
static void op_xcmd(struct thr *t)
{
	struct view v;
	unsigned long cmd;
	long ret;
	int err;

	if (chance(&t->r, 1, 2)) {
		cmd = valid_cmds[3 + below(&t->r, 5)];
		memset(t->scratch, 0, sizeof(t->scratch));
		note(t, OP_XCMD, t->p->ctl, cmd, 0, 0, 0, 0);
		ret = xioctl(t, OP_XCMD, t->p->ctl, cmd, t->scratch, &err);
		if (ret >= 0 || err != ENOTTY)
			fail(t, "group command on the control device: %ld, errno %d",
			     ret, err);
		return;
	}
	cmd = valid_cmds[below(&t->r, 3)];
	view_begin(pick_slot(t), &v);
	note(t, OP_XCMD, v.s->fd, cmd, 0, 0, 0, 0);
	/* NULL: on a placeholder control device this is EFAULT, harmless */
	ret = xioctl(t, OP_XCMD, v.s->fd, cmd, NULL, &err);
	if (ret >= 0) {
		fail(t, "control command with NULL returned %ld", ret);
		if (cmd != WG_IOC_UNLINK)
			close((int)ret);
	} else if (err != ENOTTY && err != EFAULT) {
		fail(t, "control command on a slot: errno %d (%s)", err,
		     strerror(err));
	} else if (view_stable(&v) &&
		   err != (v.kind == KIND_GROUP ? ENOTTY : EFAULT)) {
		fail(t, "control command on a %s: errno %d (%s)",
		     v.kind == KIND_GROUP ? "group" : "control device", err,
		     strerror(err));
	}
}

/* Random command numbers of other magics, minus generic VFS ones. */
static void op_randcmd(struct thr *t)
{
	unsigned long cmd;
	unsigned int type;
	int err;

	do {
		cmd = (uint32_t)rnd(&t->r);
		type = _IOC_TYPE(cmd);
	} while (type == 0 || type == 'T' || type == 'X' || type == 'f' ||
		 type == 0x94 || type == 'S' || type == WG_IOC_MAGIC);
	memset(t->scratch, 0, sizeof(t->scratch));
	note(t, OP_RANDCMD, 0, cmd, 0, 0, 0, 0);
	if (chance(&t->r, 1, 3)) {
		t->fd = t->p->ctl;
	} else {
		t->fd = pick_slot(t)->fd;
	}
	if (xioctl(t, OP_RANDCMD, t->fd, cmd, t->scratch, &err) >= 0)
		fail(t, "a foreign command succeeded");
}

static void op_close(struct thr *t)
{
	struct slot *s = pick_slot(t);

	note(t, OP_CLOSE, s->fd, 0, 0, 0, 0, 0);
	count(t, OP_CLOSE, slot_set(t->p, s, -1, 0) ? 0 : EBUSY);
}

static void op_poll(struct thr *t)
{
	struct pollfd pfd[4];
	struct view v[4];
	int n = 1 + below(&t->r, 4), ret, err;

	for (int i = 0; i < n; i++) {
		view_begin(pick_slot(t), &v[i]);
		pfd[i].fd = v[i].s->fd;
		pfd[i].events = chance(&t->r, 1, 4) ? (short)rnd(&t->r) :
				POLLIN;
		pfd[i].revents = 0;
	}
	note(t, OP_POLL, pfd[0].fd, 0, n, 0, 0, 0);
	ret = poll(pfd, n, chance(&t->r, 1, 3) ? (int)below(&t->r, 3) : 0);
	err = ret < 0 ? errno : 0;
	count(t, OP_POLL, err);
	if (ret < 0) {
		if (err != EINTR)
			fail(t, "poll: errno %d (%s)", err, strerror(err));
		return;
	}
	for (int i = 0; i < n; i++) {
		short re = pfd[i].revents;

		if (re & POLLNVAL)
			fail(t, "poll: POLLNVAL on slot fd %d", pfd[i].fd);
		if (!view_stable(&v[i]) || v[i].kind != KIND_GROUP ||
		    (v[i].access & ACCESS_UNKNOWN))
			continue;
		if (!(v[i].access & WG_ACCESS_WAIT) && re != POLLERR)
			fail(t, "poll on a file without WG_ACCESS_WAIT: revents %#x",
			     re);
		if ((v[i].access & WG_ACCESS_WAIT) &&
		    (re & ~(POLLIN | POLLRDNORM)))
			fail(t, "poll: revents %#x", re);
	}
}

static void op_epoll(struct thr *t)
{
	struct epoll_event ev[8];
	int ret, err, k = below(&t->r, 4);
	struct slot *s = pick_slot(t);

	note(t, OP_EPOLL, s->fd, k, 0, 0, 0, 0);
	if (k == 0) {
		ret = epoll_wait(EPOLL_FD, ev, 8,
				 chance(&t->r, 1, 4) ? (int)below(&t->r, 2) : 0);
	} else {
		memset(ev, 0, sizeof(ev[0]));
		ev[0].events = EPOLLIN | (chance(&t->r, 1, 3) ? EPOLLET : 0) |
			       (chance(&t->r, 1, 4) ? EPOLLONESHOT : 0);
		ev[0].data.fd = s->fd;
		ret = epoll_ctl(EPOLL_FD, k == 1 ? EPOLL_CTL_ADD :
				k == 2 ? EPOLL_CTL_MOD : EPOLL_CTL_DEL,
				s->fd, ev);
	}
	err = ret < 0 ? errno : 0;
	count(t, OP_EPOLL, err);
	if (ret < 0 && err != EINTR && err != EEXIST && err != ENOENT &&
	    err != EPERM && err != ENOSPC)
		fail(t, "epoll op %d: errno %d (%s)", k, err, strerror(err));
}

static void fuzz_one(struct thr *t);

/*
 * fork(): the child inherits the slots (sharing their open files, so undo
 * adds land in ledgers the parent holds too), makes a dup with a ledger of
 * its own, and dies by _exit or by SIGKILL at a random moment.
 */
static void op_fork(struct thr *t)
{
	bool kill_it = chance(&t->r, 1, 2);
	pid_t parent = getpid();
	uint64_t child_seed = rnd(&t->r);
	int status, nops = 1 + below(&t->r, 8);
	pid_t pid;

	pthread_rwlock_rdlock(&t->p->forklock);
	note(t, OP_FORK, 0, 0, kill_it, nops, 0, 0);
	pid = fork();
	count(t, OP_FORK, pid < 0 ? errno : 0);
	if (pid == 0) {
		struct wg_add a = { .delta = 1 + below(&t->r, 3), .flags = WG_UNDO };
		int err;

		alarm(5);	/* a child never outlives a hang by much */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);	/* the worker died before prctl */
		t->child = true;
		in_child = true;
		rng_seed(&t->r, child_seed);
		for (int i = 0; i < nops; i++) {
			if (chance(&t->r, 1, 3)) {
				struct slot *s = pick_slot(t);
				uint32_t fl = 0;
				long fd;

				note(t, OP_DUP, s->fd, WG_IOC_DUP, 0, 0, 0, 0);
				fd = xioctl(t, OP_DUP, s->fd, WG_IOC_DUP, &fl, &err);
				if (fd >= 0) {
					note(t, OP_ADD, (int)fd, WG_IOC_ADD, a.delta,
					     a.flags, 0, 0);
					xioctl(t, OP_ADD, (int)fd, WG_IOC_ADD, &a, &err);
					check_errno(t, OP_ADD, err, 0);
					/* left open: exit or SIGKILL releases it */
				}
			} else if (chance(&t->r, 1, 2)) {
				struct slot *s = pick_slot(t);

				note(t, OP_ADD, s->fd, WG_IOC_ADD, a.delta, a.flags, 0, 0);
				xioctl(t, OP_ADD, s->fd, WG_IOC_ADD, &a, &err);
				check_errno(t, OP_ADD, err, ENOTTY);
			} else {
				fuzz_one(t);
			}
		}
		if (kill_it)
			for (;;)
				pause();
		_exit(0);
	}
	if (pid > 0) {
		if (kill_it) {
			sleep_us(below(&t->r, 2000));
			kill(pid, SIGKILL);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		status = wg_wait_status(status);
		if (status && status != 128 + SIGKILL)
			fail(t, "fork child ended with status %d", status);
	}
	pthread_rwlock_unlock(&t->p->forklock);
}

/* ---- Private groups: exact results ---------------------------------- */

struct model {
	int count, err, last_err;
	uint32_t ab, last_ab;
	uint64_t gen;
	int64_t ledger[2];
	int fd[2];
};

static void model_complete(struct model *m)
{
	m->gen++;
	m->last_err = m->err;
	m->last_ab = m->ab;
	m->err = 0;
	m->ab = 0;
}

/* What WG_IOC_ADD must return on file @f; updates the model on success. */
static int model_add(struct model *m, int f, int delta, uint32_t flags,
		     int error)
{
	int64_t sum, drawn = 0;

	if (flags & ~WG_UNDO)
		return EINVAL;
	if (error && delta >= 0)
		return EINVAL;
	if (!delta)
		return 0;
	sum = (int64_t)m->count + delta;
	if (sum < 0)
		return ERANGE;
	if (sum > INT_MAX)
		return EOVERFLOW;
	if (delta < 0) {
		drawn = m->ledger[f] < -(int64_t)delta ? m->ledger[f] :
			-(int64_t)delta;
		if (drawn < 0)
			drawn = 0;
		m->ledger[f] -= drawn;
	} else if (flags & WG_UNDO) {
		m->ledger[f] += delta;
	}
	if (error && !m->err)
		m->err = error;
	if (!sum && m->count) {
		m->count = 0;
		model_complete(m);
	} else {
		m->count = (int)sum;
	}
	return 0;
}

/* The release of file @f: its ledger is given back. */
static void model_release(struct model *m, int f)
{
	int64_t n = m->ledger[f];
	uint32_t undo;

	m->ledger[f] = 0;
	if (n <= 0)
		return;
	undo = n < m->count ? (uint32_t)n : (uint32_t)m->count;
	if (!undo)
		return;
	m->count -= undo;
	if (!m->err)
		m->err = EOWNERDEAD;
	m->ab += undo;
	if (!m->count)
		model_complete(m);
}

static bool model_info(struct thr *t, struct model *m, int f, const char *when)
{
	struct wg_info in;
	int err;

	memset(&in, 0x5a, sizeof(in));
	note(t, OP_INFO, m->fd[f], WG_IOC_INFO, f, 0, 0, 0);
	xioctl(t, OP_INFO, m->fd[f], WG_IOC_INFO, &in, &err);
	if (err) {
		fail(t, "model INFO (%s): errno %d", when, err);
		return false;
	}
	check_info(t, &in);
	if (in.count != m->count || in.generation != m->gen ||
	    in.error != m->last_err || in.abandoned != m->last_ab ||
	    in.waiters != 0 || in.name[0] || in.mode) {
		fail(t, "model INFO (%s): count %d gen %llu error %d abandoned %u waiters %u, expected count %d gen %llu error %d abandoned %u waiters 0",
		     when, in.count, (unsigned long long)in.generation, in.error,
		     in.abandoned, in.waiters, m->count,
		     (unsigned long long)m->gen, m->last_err, m->last_ab);
		return false;
	}
	return true;
}

static int model_dup(struct thr *t, struct model *m, int f)
{
	uint32_t fl = chance(&t->r, 1, 2) ? WG_CLOEXEC : 0;
	int err;
	long fd;

	note(t, OP_DUP, m->fd[0], WG_IOC_DUP, fl, 0, 0, 0);
	fd = xioctl(t, OP_DUP, m->fd[0], WG_IOC_DUP, &fl, &err);
	if (fd < 0) {
		check_errno(t, OP_DUP, err, 0);
		return -1;
	}
	m->fd[f] = (int)fd;
	m->ledger[f] = 0;
	return 0;
}

static void op_model(struct thr *t)
{
	struct wg_create c = { .flags = WG_CLOEXEC };
	struct model m = { .fd = { -1, -1 } };
	int steps = 8 + below(&t->r, 24), err;
	long fd;

	c.count = chance(&t->r, 1, 8) ? INT_MAX - (int)below(&t->r, 3) :
		  (int)below(&t->r, 4);
	pthread_rwlock_wrlock(&t->p->forklock);	/* no child inherits these */
	note(t, OP_CREATE, t->p->ctl, WG_IOC_CREATE, 0, 0, c.count, 0);
	fd = xioctl(t, OP_CREATE, t->p->ctl, WG_IOC_CREATE, &c, &err);
	if (fd < 0) {
		check_errno(t, OP_CREATE, err, 0);
		if (err != ENOSPC && err != EMFILE && err != ENFILE &&
		    err != ENOMEM)
			fail(t, "model CREATE: errno %d", err);
		goto out;
	}
	t->st->models++;
	m.fd[0] = (int)fd;
	m.count = c.count;
	if (model_dup(t, &m, 1))
		goto out;
	if (!model_info(t, &m, 0, "created"))
		goto out;
	for (int i = 0; i < steps; i++) {
		int f = below(&t->r, 2), want, k = below(&t->r, 16);

		if (k < 7) {
			struct wg_add a = { .delta = pick_delta(&t->r) };

			if (chance(&t->r, 2, 3))
				a.delta = (int)below(&t->r, 7) - 3;
			if (chance(&t->r, 1, 2))
				a.flags = WG_UNDO;
			else if (chance(&t->r, 1, 20))
				a.flags = garbage_flags(&t->r);
			if (a.delta < 0 && chance(&t->r, 1, 3))
				a.error = 1 + below(&t->r, 200);
			want = model_add(&m, f, a.delta, a.flags, a.error);
			note(t, OP_ADD, m.fd[f], WG_IOC_ADD, (uint32_t)a.delta,
			     a.flags, (uint32_t)a.error, f);
			xioctl(t, OP_ADD, m.fd[f], WG_IOC_ADD, &a, &err);
			if (err != want) {
				fail(t, "model ADD: errno %d, expected %d (count %d)",
				     err, want, m.count);
				goto out;
			}
		} else if (k < 9) {
			want = model_add(&m, f, -1, 0, 0);
			note(t, OP_DONE, m.fd[f], WG_IOC_DONE, f, 0, 0, 0);
			xioctl(t, OP_DONE, m.fd[f], WG_IOC_DONE, NULL, &err);
			if (err != want) {
				fail(t, "model DONE: errno %d, expected %d (count %d)",
				     err, want, m.count);
				goto out;
			}
		} else if (k < 11) {
			struct wg_wait w = { .deadline_ns = 0 };
			bool ready = !m.count;

			note(t, OP_WAIT, m.fd[f], WG_IOC_WAIT, 0, f, m.count,
			     m.gen);
			xioctl(t, OP_WAIT, m.fd[f], WG_IOC_WAIT, &w, &err);
			if (err != (ready ? 0 : ETIMEDOUT)) {
				fail(t, "model WAIT: errno %d, expected %d (count %d gen %llu)",
				     err, ready ? 0 : ETIMEDOUT, m.count,
				     (unsigned long long)m.gen);
				goto out;
			}
			if (ready && (w.generation != m.gen ||
				      w.error != m.last_err ||
				      w.abandoned != m.last_ab)) {
				fail(t, "model WAIT: gen %llu error %d abandoned %u, expected %llu %d %u",
				     (unsigned long long)w.generation, w.error,
				     w.abandoned, (unsigned long long)m.gen,
				     m.last_err, m.last_ab);
				goto out;
			}
		} else if (k < 12) {
			struct pollfd pfd = { .fd = m.fd[f], .events = POLLIN };
			short want_ev = !m.count ? POLLIN : 0;

			note(t, OP_POLL, m.fd[f], 0, f, 0, 0, 0);
			count(t, OP_POLL, poll(&pfd, 1, 0) < 0 ? errno : 0);
			if ((pfd.revents & (POLLIN | POLLERR | POLLNVAL)) != want_ev) {
				fail(t, "model poll: revents %#x, expected %#x (count %d gen %llu)",
				     pfd.revents, want_ev, m.count,
				     (unsigned long long)m.gen);
				goto out;
			}
		} else if (k < 13) {
			/* release file 1: its ledger is undone */
			note(t, OP_CLOSE, m.fd[1], 0, m.ledger[1], m.count, 0, 0);
			close(m.fd[1]);
			count(t, OP_CLOSE, 0);
			m.fd[1] = -1;
			model_release(&m, 1);
			if (!model_info(t, &m, 0, "after releasing a ledger"))
				goto out;
			if (model_dup(t, &m, 1))
				goto out;
		} else {
			if (!model_info(t, &m, f, "step"))
				goto out;
		}
	}
	if (m.fd[1] >= 0) {
		close(m.fd[1]);
		m.fd[1] = -1;
		model_release(&m, 1);
		model_info(t, &m, 0, "at the end");
	}
out:
	for (int f = 0; f < 2; f++)
		if (m.fd[f] >= 0)
			close(m.fd[f]);
	pthread_rwlock_unlock(&t->p->forklock);
}

static void helper_do(struct thr *t, struct helper_item *it)
{
	int err;

	if (it->action == 1) {
		struct wg_add a = { .delta = -it->k, .error = it->error };

		note(t, OP_ADD, it->fd, WG_IOC_ADD, (uint32_t)a.delta, 0,
		     (uint32_t)a.error, 0);
		xioctl(t, OP_ADD, it->fd, WG_IOC_ADD, &a, &err);
		if (err)
			fail(t, "helper ADD(-%d): errno %d", it->k, err);
	}
	close(it->fd);
	count(t, OP_CLOSE, 0);
}

/*
 * A WG_FOREVER wait that is certain to end: the helper thread releases the
 * group a moment later, by done or by closing the only descriptor whose
 * ledger holds the adds (abandonment).
 */
static void op_forever(struct thr *t)
{
	struct wg_create c = { .flags = WG_CLOEXEC };
	struct helper_item it = { .fd = -1 };
	struct wg_wait w;
	struct wg_add a;
	struct proc *p = t->p;
	uint32_t fl = WG_CLOEXEC;
	int err, want_err;
	long fa, fb;

	note(t, OP_CREATE, p->ctl, WG_IOC_CREATE, 0, 0, 0, 0);
	fa = xioctl(t, OP_CREATE, p->ctl, WG_IOC_CREATE, &c, &err);
	if (fa < 0) {
		check_errno(t, OP_CREATE, err, 0);
		return;
	}
	note(t, OP_DUP, (int)fa, WG_IOC_DUP, fl, 0, 0, 0);
	fb = xioctl(t, OP_DUP, (int)fa, WG_IOC_DUP, &fl, &err);
	if (fb < 0) {
		check_errno(t, OP_DUP, err, 0);
		close((int)fa);
		return;
	}
	it.fd = (int)fb;
	it.k = 1 + below(&t->r, 3);
	it.action = below(&t->r, 2);
	it.error = it.action && chance(&t->r, 1, 2) ? 1 + (int)below(&t->r, 200) : 0;
	it.due = wg_now_ns() + below(&t->r, 2000000);
	a = (struct wg_add){ .delta = it.k, .flags = WG_UNDO };
	note(t, OP_ADD, it.fd, WG_IOC_ADD, it.k, WG_UNDO, 0, 0);
	xioctl(t, OP_ADD, it.fd, WG_IOC_ADD, &a, &err);
	if (err) {
		fail(t, "forever: ADD(%d, WG_UNDO): errno %d", it.k, err);
		close(it.fd);
		close((int)fa);
		return;
	}
	t->st->forevers++;
	pthread_mutex_lock(&p->hmu);
	if (p->hn < HELPER_QLEN) {
		p->hq[p->hn++] = it;
		pthread_cond_signal(&p->hcv);
		it.fd = -1;
	}
	pthread_mutex_unlock(&p->hmu);
	if (it.fd >= 0)
		helper_do(t, &it);	/* queue full: release it ourselves */
	want_err = it.action ? it.error : EOWNERDEAD;
	do {
		memset(&w, 0, sizeof(w));
		w.deadline_ns = WG_FOREVER;
		note(t, OP_WAIT, (int)fa, WG_IOC_WAIT, w.deadline_ns, it.action,
		     it.k, it.error);
		xioctl(t, OP_WAIT, (int)fa, WG_IOC_WAIT, &w, &err);
	} while (err == EINTR);
	if (err)
		fail(t, "forever WAIT: errno %d", err);
	else if (w.generation != 1 || w.error != want_err ||
		 w.abandoned != (it.action ? 0u : (uint32_t)it.k))
		fail(t, "forever WAIT: gen %llu error %d abandoned %u, expected 1 %d %u",
		     (unsigned long long)w.generation, w.error, w.abandoned,
		     want_err, it.action ? 0u : (uint32_t)it.k);
	close((int)fa);
}

/* ---- Threads -------------------------------------------------------- */

static void fuzz_one(struct thr *t)
{
	unsigned int k = below(&t->r, 1000);

	if (k < 190) op_add(t, false);
	else if (k < 270) op_done(t);
	else if (k < 370) op_wait(t, false);
	else if (k < 460) op_info(t, false);
	else if (k < 500) op_dup(t, false);
	else if (k < 580) op_create(t, false);
	else if (k < 630) op_open(t, false, false);
	else if (k < 640) op_list(t, false);
	else if (k < 680) op_open(t, true, false);
	else if (k < 715 && !t->child) op_close(t);
	else if (k < 760) op_poll(t);
	else if (k < 790 && !t->child) op_epoll(t);
	else if (k < 830) op_badcmd(t);
	else if (k < 850) op_xcmd(t);
	else if (k < 865) op_randcmd(t);
	else if (k < 950) {
		switch (below(&t->r, 8)) {
		case 7: op_list(t, true); break;
		case 0: op_create(t, true); break;
		case 1: op_open(t, chance(&t->r, 1, 2), true); break;
		case 2: op_add(t, true); break;
		case 3: op_wait(t, true); break;
		case 4: op_info(t, true); break;
		default: op_dup(t, true); break;
		}
	} else if (t->child) {
		op_info(t, false);
	} else if (k < 965) {
		if (below(&t->r, 15) < g_fork_pm)
			op_fork(t);
		else
			op_info(t, false);
	} else if (k < 985) {
		op_model(t);
	} else {
		op_forever(t);
	}
}

static void *fuzz_thread(void *arg)
{
	struct thr *t = arg;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed))
		fuzz_one(t);
	atomic_fetch_sub(&t->p->threads_left, 1);
	pthread_mutex_lock(&t->p->hmu);
	pthread_cond_signal(&t->p->hcv);
	pthread_mutex_unlock(&t->p->hmu);
	return NULL;
}

/* Releases forever-waits; runs until the fuzzing threads are gone. */
static void *helper_thread(void *arg)
{
	struct thr *t = arg;
	struct proc *p = t->p;

	pthread_mutex_lock(&p->hmu);
	for (;;) {
		uint64_t now = wg_now_ns();
		struct timespec ts;

		for (int i = 0; i < p->hn; i++) {
			if (p->hq[i].due > now)
				continue;
			struct helper_item it = p->hq[i];

			p->hq[i] = p->hq[--p->hn];
			i--;
			pthread_mutex_unlock(&p->hmu);
			helper_do(t, &it);
			pthread_mutex_lock(&p->hmu);
		}
		if (!p->hn && !atomic_load(&p->threads_left))
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 300000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->hcv, &p->hmu, &ts);
	}
	pthread_mutex_unlock(&p->hmu);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void die(const char *what)
{
	fprintf(stderr, "wg-fuzz: %s: %s\n", what, strerror(errno));
	_exit(3);
}

static void drop_privileges(uid_t uid)
{
	gid_t gid = uid;

	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		die("dropping privileges");
}

/* One worker process, incarnation @inc of index @idx. */
static void __attribute__((noreturn)) worker(int idx, int inc)
{
	struct proc *p = calloc(1, sizeof(*p));
	struct thr *ts = calloc(g_threads + 1, sizeof(*ts));
	pthread_t th[MAX_THREADS + 1];
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t seed = g_seed ^ ((uint64_t)idx << 40) ^ ((uint64_t)inc << 8);
	struct rng r;
	int ep;

	if (!p || !ts)
		die("calloc");
	signal(SIGALRM, SIG_DFL);	/* the supervisor's watchdog is its own */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_seed(&r, splitmix64(&seed));
	p->idx = idx;
	p->inc = inc;
	p->root = geteuid() == 0;
	if (p->root && chance(&r, 1, 4) && unshare(CLONE_NEWIPC))
		die("unshare(CLONE_NEWIPC)");
	if (p->root && idx % 4 == 2) {
		drop_privileges(1000);
		p->root = false;
	} else if (p->root && idx % 4 == 3) {
		drop_privileges(65534);
		p->root = false;
	}
	p->ctl = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (p->ctl < 0)
		die("open /dev/waitgroup");
	for (int i = 0; i < NSLOTS; i++) {
		p->slots[i].fd = SLOT_BASE + i;
		if (dup3(p->ctl, SLOT_BASE + i, O_CLOEXEC) < 0)
			die("dup3");
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || dup3(ep, EPOLL_FD, O_CLOEXEC) < 0)
		die("epoll");
	close(ep);
	if (chance(&r, 1, 3)) {
		/*
		 * Little room for descriptors: EMFILE on create, open, dup.
		 * The numbers below the slots are filled, a few above stay.
		 */
		struct rlimit rl = { EPOLL_FD + 1 + below(&r, 5),
				     EPOLL_FD + 8 };

		while (dup(p->ctl) >= 0 && fcntl(SLOT_BASE - 1, F_GETFD) < 0)
			;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	p->rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->rw == MAP_FAILED)
		die("mmap");
	p->none = p->rw + 4096;
	p->ro = p->rw + 2 * 4096;
	memset(p->ro, 0, 4096);		/* a wg_wait with deadline 0 */
	if (mprotect(p->none, 4096, PROT_NONE) || mprotect(p->ro, 4096, PROT_READ))
		die("mprotect");
	if (pthread_rwlock_init(&p->forklock, NULL) ||
	    pthread_mutex_init(&p->hmu, NULL) || pthread_cond_init(&p->hcv, NULL))
		die("pthread init");
	if (chance(&r, 1, 2))
		sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	atomic_store(&p->threads_left, g_threads);
	for (int i = 0; i <= g_threads; i++) {
		ts[i].p = p;
		ts[i].tid = i;
		ts[i].op = -1;
		ts[i].st = &sh->st[idx * (MAX_THREADS + 1) + i];
		ts[i].names = malloc((size_t)(WG_LIST_MAX + 1) * WG_NAME_MAX);
		if (!ts[i].names)
			die("malloc");
		rng_seed(&ts[i].r, rnd(&r));
		if (pthread_create(&th[i], NULL,
				   i < g_threads ? fuzz_thread : helper_thread,
				   &ts[i]))
			die("pthread_create");
	}
	for (int i = 0; i <= g_threads; i++)
		pthread_join(th[i], NULL);
	/* Exit without closing: the exit releases every slot and ledger. */
	_exit(0);
}

/* ---- Supervisor ----------------------------------------------------- */

static pid_t pids[MAX_PROCS];

static void on_alarm(int sig)
{
	static const char msg[] =
		"# FAIL wg-fuzz watchdog: the run did not end in time (hang?)\nnot ok - wg-fuzz: watchdog\n";

	(void)sig;
	for (int i = 0; i < g_procs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(4);
	_exit(4);
}

static pid_t spawn(int idx, int inc)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		worker(idx, inc);
	return pid;
}

static uint64_t total_ops(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(sh->st) / sizeof(sh->st[0]); i++)
		n += sh->st[i].total;
	return n;
}

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ERANGE: return "ERANGE";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case ENOSPC: return "ENOSPC";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EOVERFLOW: return "EOVERFLOW";
	case EBADF: return "EBADF";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINTR: return "EINTR";
	case ENOTTY: return "ENOTTY";
	case EBUSY: return "EBUSY";
	case NERR - 1: return "other";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* With every worker gone, nobody can be waiting on a named group. */
static void final_check(void)
{
	struct proc p = { .idx = -1, .root = geteuid() == 0 };
	struct thr t = { .p = &p, .op = -1, .st = &sh->st[0] };
	int ctl = open(WG_DEV, O_RDWR | O_CLOEXEC);

	if (ctl < 0) {
		fail(NULL, "final check: open /dev/waitgroup: %s", strerror(errno));
		return;
	}
	p.ctl = ctl;
	for (int i = 0; i < NNAMES; i++) {
		struct wg_open o = { .flags = WG_ACCESS_WAIT };
		struct wg_info in;
		int fd, err;

		strcpy(o.name, name_pool[i]);
		fd = ioctl(ctl, WG_IOC_OPEN, &o);
		if (fd < 0)
			continue;
		note(&t, OP_INFO, fd, WG_IOC_INFO, i, 0, 0, 0);
		if (ioctl(fd, WG_IOC_INFO, &in)) {
			err = errno;
			fail(&t, "final INFO on %s: errno %d", o.name, err);
		} else {
			check_info(&t, &in);
			if (in.waiters)
				fail(&t, "%s has %u waiters with every process gone",
				     o.name, in.waiters);
			if (strcmp(in.name, o.name))
				fail(&t, "%s reports name %.64s", o.name, in.name);
		}
		close(fd);
		o.flags = 0;
		if (ioctl(ctl, WG_IOC_UNLINK, &o) && errno != ENOENT)
			fail(&t, "final UNLINK %s: errno %d", o.name, errno);
	}
	close(ctl);
}

static const char limit_path[] =
	"/sys/module/waitgroup/parameters/max_groups_per_user";

static long read_limit(void)
{
	FILE *f = fopen(limit_path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_limit(long v)
{
	FILE *f = fopen(limit_path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wg-fuzz [--seed S] [--seconds N] [--ops N] [--procs P] [--threads T]\n"
		"               [--limit N] [--kill-ms N] [--fork-pm N] [--timeout S]\n"
		"  --seed S      PRNG seed (default: from the clock; always printed)\n"
		"  --seconds N   stop after N seconds (default 10 unless --ops is given)\n"
		"  --ops N       stop after about N operations (by all workers)\n"
		"  --procs P     worker processes (default 4, at most %d)\n"
		"  --threads T   fuzzing threads per worker (default 3, at most %d)\n"
		"  --limit N     max_groups_per_user during the run, moved now and then\n"
		"                between 4 and 4N (default 32; 0: leave it alone)\n"
		"  --kill-ms N   mean interval between SIGKILLs of workers (default 1000; 0: none)\n"
		"  --fork-pm N   per mille of ops that fork a child (default 3)\n"
		"  --timeout S   watchdog: fail if the run has not ended after S seconds\n"
		"                (default: the run's length + 120)\n",
		MAX_PROCS, MAX_THREADS);
}

static unsigned long long num_arg(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "wg-fuzz: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long seconds = 0, max_ops = 0, timeout = 0;
	long limit = 32, old_limit = -1;
	unsigned long long kill_ms = 1000;
	bool seeded = false;
	struct rng r;
	uint64_t t0, t1, nops, nioctl = 0;
	int incs[MAX_PROCS] = { 0 }, status, nfail;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--seed")) {
			g_seed = num_arg(a, v);
			seeded = true;
		} else if (!strcmp(a, "--seconds")) {
			seconds = num_arg(a, v);
		} else if (!strcmp(a, "--ops")) {
			max_ops = num_arg(a, v);
		} else if (!strcmp(a, "--procs")) {
			g_procs = (int)num_arg(a, v);
		} else if (!strcmp(a, "--threads")) {
			g_threads = (int)num_arg(a, v);
		} else if (!strcmp(a, "--limit")) {
			limit = (long)num_arg(a, v);
		} else if (!strcmp(a, "--kill-ms")) {
			kill_ms = num_arg(a, v);
		} else if (!strcmp(a, "--fork-pm")) {
			g_fork_pm = (unsigned int)num_arg(a, v);
		} else if (!strcmp(a, "--timeout")) {
			timeout = num_arg(a, v);
		} else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (g_procs < 1 || g_procs > MAX_PROCS || g_threads < 1 ||
	    g_threads > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	if (!seconds && !max_ops)
		seconds = 10;
	if (!seeded)
		g_seed = wg_now_ns() ^ ((uint64_t)getpid() << 32);
	if (!timeout)
		timeout = (seconds ? seconds : 3600) + 120;

	for (int i = 0; i < NNAMES; i++)
		snprintf(name_pool[i], sizeof(name_pool[i]), "wgfuzz-%d", i);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	rng_seed(&r, g_seed);

	printf("# wg-fuzz: seed %llu, %d processes x %d threads, %llu s, %llu ops, limit %ld\n",
	       (unsigned long long)g_seed, g_procs, g_threads, seconds,
	       max_ops, limit);
	printf("# reproduce: wg-fuzz --seed %llu --procs %d --threads %d --kill-ms %llu --fork-pm %u%s%llu\n",
	       (unsigned long long)g_seed, g_procs, g_threads, kill_ms, g_fork_pm,
	       seconds ? " --seconds " : " --ops ", seconds ? seconds : max_ops);
	fflush(stdout);
	status = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (status < 0) {
		printf("not ok - wg-fuzz: cannot open /dev/waitgroup: %s\n",
		       strerror(errno));
		return 1;
	}
	close(status);
	if (limit > 0) {
		old_limit = read_limit();
		if (old_limit < 0 || !write_limit(limit)) {
			printf("# note: cannot set max_groups_per_user; limits untouched\n");
			old_limit = -1;
		}
	}

	/* Orphaned fork children come to us: all are reaped before we end. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGUSR1, SIG_IGN);	/* until a new worker has its handler */
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)timeout);
	t0 = wg_now_ns();
	for (int i = 0; i < g_procs; i++)
		pids[i] = spawn(i, incs[i]++);
	for (;;) {
		pid_t pid;
		int idx;

		sleep_us(10000);
		if ((seconds && wg_now_ns() - t0 >= seconds * 1000000000ULL) ||
		    (max_ops && total_ops() >= max_ops))
			break;
		/* A worker that died on its own is a failure: fuzzers don't crash. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (idx = 0; idx < g_procs && pids[idx] != pid; idx++)
				;
			if (idx == g_procs)
				continue;
			pids[idx] = 0;
			fail(NULL, "worker %d died (status %#x)", idx, status);
			if (atomic_load(&sh->nfail) > 20)
				goto stop;	/* no respawn storm */
			pids[idx] = spawn(idx, incs[idx]++);
		}
		if (kill_ms && chance(&r, 10, kill_ms)) {
			idx = below(&r, g_procs);
			if (pids[idx] <= 0)
				continue;
			kill(pids[idx], SIGKILL);
			while (waitpid(pids[idx], &status, 0) < 0 && errno == EINTR)
				;
			atomic_fetch_add(&sh->kills, 1);
			pids[idx] = spawn(idx, incs[idx]++);
			atomic_fetch_add(&sh->respawns, 1);
		}
		if (old_limit >= 0 && chance(&r, 1, 200)) {
			/* move the limit under the charges already made */
			long lim[] = { 4, 16, limit, limit * 4 };

			write_limit(lim[below(&r, 4)]);
		}
		idx = below(&r, g_procs);
		if (chance(&r, 1, 4) && pids[idx] > 0) {
			kill(pids[idx], SIGUSR1);
			atomic_fetch_add(&sh->signals, 1);
		}
	}
stop:
	t1 = wg_now_ns();
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < g_procs; i++) {
		uint64_t give_up = wg_now_ns() + 60000000000ULL;

		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (wg_now_ns() > give_up) {
				fail(NULL, "worker %d did not stop within 60 s (hang?)", i);
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status, 0);
				break;
			}
			sleep_us(10000);
		}
		if (wg_wait_status(status))
			fail(NULL, "worker %d ended with status %d", i,
			     wg_wait_status(status));
		pids[i] = 0;
	}
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	final_check();
	alarm(0);
	if (old_limit >= 0 && !write_limit(old_limit))
		fail(NULL, "cannot restore max_groups_per_user to %ld", old_limit);

	/* Totals */
	{
		static struct stats sum;
		double secs = (t1 - t0) / 1e9;

		for (size_t i = 0; i < sizeof(sh->st) / sizeof(sh->st[0]); i++) {
			sum.total += sh->st[i].total;
			sum.models += sh->st[i].models;
			sum.forevers += sh->st[i].forevers;
			sum.child_ops += sh->st[i].child_ops;
			for (int o = 0; o < NOPS; o++)
				for (int e = 0; e < NERR; e++)
					sum.n[o][e] += sh->st[i].n[o][e];
		}
		nops = sum.total;
		printf("# %-8s %12s  errno histogram\n", "op", "issued");
		for (int o = 0; o < NOPS; o++) {
			uint64_t n = 0;
			char line[1024];
			int len = 0;

			for (int e = 0; e < NERR; e++)
				n += sum.n[o][e];
			if (o < OP_NIOCTL)
				nioctl += n;
			for (int e = 0; e < NERR && len < (int)sizeof(line) - 40; e++)
				if (sum.n[o][e])
					len += snprintf(line + len, sizeof(line) - len,
							" %s:%llu", errname(e),
							(unsigned long long)sum.n[o][e]);
			line[len] = 0;
			printf("# %-8s %12llu %s\n", op_names[o],
			       (unsigned long long)n, line);
		}
		printf("# ioctls: %llu in %.1f s (%.0f/s); all ops: %llu (%.0f/s)\n",
		       (unsigned long long)nioctl, secs, nioctl / secs,
		       (unsigned long long)nops, nops / secs);
		printf("# workers killed: %llu, signals: %llu, model runs: %llu, forever waits: %llu, ops in fork children: %llu\n",
		       (unsigned long long)atomic_load(&sh->kills),
		       (unsigned long long)atomic_load(&sh->signals),
		       (unsigned long long)sum.models,
		       (unsigned long long)sum.forevers,
		       (unsigned long long)sum.child_ops);
	}
	nfail = atomic_load(&sh->nfail);
	for (int i = 0; i < nfail && i < MAX_FAILS; i++)
		printf("# failure %d: %s\n", i + 1, sh->fails[i]);
	if (nfail) {
		printf("not ok - wg-fuzz seed %llu: %d failures\n",
		       (unsigned long long)g_seed, nfail);
		return 1;
	}
	printf("ok - wg-fuzz seed %llu: %llu ioctls, no failures\n",
	       (unsigned long long)g_seed, (unsigned long long)nioctl);
	return 0;
}
