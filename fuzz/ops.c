// SPDX-License-Identifier: GPL-2.0
/*
 * wg-fuzz's operations: the errno each ioctl may fail with, the failure
 * reports, the descriptor slots, random and hostile arguments, one
 * function an operation that issues it and checks what it returned, and
 * fuzz_one(), the table of how often each runs.
 */
#include "fuzz.h"

const char *const op_names[NOPS] = {
	"CREATE", "OPEN", "UNLINK", "ADD", "DONE", "WAIT", "INFO", "DUP",
	"LIST", "badcmd", "xcmd", "randcmd", "close", "poll", "epoll", "fork",
};

/* Errnos the contract allows, per ioctl (uapi kernel-doc), 0-terminated. */
const int allowed[OP_NIOCTL][12] = {
	[OP_CREATE] = { EINVAL, ENAMETOOLONG, ERANGE, EEXIST, EACCES, ENOSPC,
			EMFILE, ENFILE, ENOMEM, EFAULT },
	[OP_OPEN]   = { EINVAL, ENAMETOOLONG, ENOENT, EACCES, EMFILE, ENFILE,
			ENOMEM, EFAULT },
	[OP_UNLINK] = { EINVAL, ENAMETOOLONG, ENOENT, EPERM, EMFILE, ENFILE,
			EFAULT },
	/* ECANCELED: a wait with WG_WAIT_CANCEL_ON_ERROR canceled the group. */
	[OP_ADD]    = { ERANGE, EOVERFLOW, EINVAL, EBADF, EFAULT, ECANCELED },
	[OP_DONE]   = { ERANGE, EBADF },
	[OP_WAIT]   = { ETIMEDOUT, EINTR, EINVAL, EBADF, EFAULT },
	[OP_INFO]   = { EBADF, EFAULT },
	[OP_DUP]    = { EINVAL, EMFILE, ENFILE, ENOMEM, EFAULT },
	[OP_LIST]   = { EINVAL, ENOMEM, EFAULT },
	[OP_BADCMD] = { ENOTTY },
	[OP_XCMD]   = { ENOTTY },
	[OP_RANDCMD] = { 0 },		/* anything: not ours to judge */
};

char name_pool[NNAMES][16];

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

void __attribute__((format(printf, 2, 3)))
fail(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(t, fmt, ap);
	va_end(ap);
}

void count(struct thr *t, int op, int err)
{
	t->st->total++;
	t->st->n[op][err >= 0 && err < NERR ? err : NERR - 1]++;
	if (t->child)
		t->st->child_ops++;
}

void note(struct thr *t, int op, int fd, unsigned long cmd,
	  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	t->op = op;
	t->fd = fd;
	t->cmd = cmd;
	t->a[0] = a0; t->a[1] = a1; t->a[2] = a2; t->a[3] = a3;
	t->a[4] = t->a[5] = 0;
}

/* ioctl, counted. Returns the result; *err is errno or 0. */
long xioctl(struct thr *t, int op, int fd, unsigned long cmd,
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
void check_errno(struct thr *t, int op, int err, int extra)
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

int32_t pick_delta(struct rng *r)
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

uint32_t garbage_flags(struct rng *r)
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
	 * A bad mode or a negative count is an error only for a new group:
	 * an existing name opened without WG_EXCL ignores them.
	 */
	if (!hostile && ((c->flags & ~(uint32_t)(WG_CLOEXEC | WG_EXCL | ACCESS_ALL)) ||
			 c->__pad ||
			 (((c->mode & ~0777u) || c->count < 0) &&
			  (!c->name[0] || (c->flags & WG_EXCL))) ||
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
	    ((a->flags & ~(WG_UNDO | WG_ADD_WAIT)) || a->__pad ||
	     (a->error && a->delta >= 0)))
		fail(t, "succeeded with invalid arguments");
}

/* WG_IOC_ADD_VAL: a delta, and WG_UNDO or garbage, in the argument. */
static void op_add_val(struct thr *t)
{
	int delta = pick_delta(&t->r), err;
	uint32_t flags;
	struct view v;
	long ret;

	flags = chance(&t->r, 1, 12) ? garbage_flags(&t->r) :
		chance(&t->r, 1, 2) ? WG_UNDO : 0;
	view_begin(pick_slot(t), &v);
	note(t, OP_ADD, v.s->fd, WG_IOC_ADD_VAL, (uint32_t)delta, flags, 0, 0);
	ret = xioctl(t, OP_ADD, v.s->fd, WG_IOC_ADD_VAL,
		     (void *)WG_ADD_VAL(delta, flags), &err);
	if (ret > 0)
		fail(t, "returned %ld", ret);
	check_group_errno(t, OP_ADD, &v, err, WG_ACCESS_ADD);
	if (view_stable(&v) && v.kind == KIND_GROUP && !err && (flags & ~WG_UNDO))
		fail(t, "ADD_VAL succeeded with flags %#x", flags);
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
	/* The batch's totals, now and then read and reset with it. */
	if (chance(&t->r, 1, 4))
		w->flags |= WG_WAIT_TOTALS;
	if (chance(&t->r, 1, 20))
		w->flags |= WG_WAIT_RESET;
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
	if (w->flags & WG_WAIT_RESET) {
		/* A reset needs both accesses: checked here, not by need. */
		unsigned int both = WG_ACCESS_WAIT | WG_ACCESS_ADD;
		bool known = view_stable(&v) && v.kind != KIND_CTL &&
			     !(v.access & ACCESS_UNKNOWN);

		check_group_errno(t, OP_WAIT, &v, err, 0);
		if (known && err == EBADF && (v.access & both) == both)
			fail(t, "EBADF on a file opened with access %#x", v.access);
		if (known && !err && (v.access & both) != both)
			fail(t, "reset on a file opened with access %#x", v.access);
	} else {
		check_group_errno(t, OP_WAIT, &v, err, WG_ACCESS_WAIT);
	}
	if (err)
		return;
	if ((w->flags & ~(WG_WAIT_CANCEL_ON_ERROR | WG_WAIT_TOTALS |
			  WG_WAIT_RESET)) || w->__pad ||
	    ((w->flags & WG_WAIT_RESET) && !(w->flags & WG_WAIT_TOTALS)))
		fail(t, "succeeded with invalid flags or pad");
	if (w->totals.__pad || (!(w->flags & WG_WAIT_TOTALS) &&
				(w->totals.done || w->totals.failed ||
				 w->totals.abandoned || w->totals.error)))
		fail(t, "WAIT totals written wrong (flags %#x)", w->flags);
	/*
	 * A wait a cancel released reports the generation still to complete:
	 * the last completed one, which INFO shows, is the one before it.
	 */
	gen_check(t, &v, (w->outflags & WG_RESULT_CANCELED) && w->generation ?
		  w->generation - 1 : w->generation, "WAIT");
}

void check_info(struct thr *t, const struct wg_info *in)
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
	if (in->totals.__pad)
		fail(t, "INFO totals.__pad %u", in->totals.__pad);
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
	WG_IOC_WAIT, WG_IOC_INFO, WG_IOC_DUP, WG_IOC_LIMIT, WG_IOC_CANCEL,
	WG_IOC_ADD_VAL,
#ifdef WG_IOC_LIST
	WG_IOC_LIST,
#endif
};
#define NVALID	(sizeof(valid_cmds) / sizeof(valid_cmds[0]))

static const struct { unsigned long cmd; unsigned int ver0; } sized_cmds[] = {
	{ WG_IOC_CREATE, WG_SIZE_CREATE_VER0 }, { WG_IOC_ADD, WG_SIZE_ADD_VER0 },
	{ WG_IOC_WAIT, WG_SIZE_WAIT_VER0 }, { WG_IOC_INFO, WG_SIZE_INFO_VER0 },
};
#define NSIZED	(sizeof(sized_cmds) / sizeof(sized_cmds[0]))

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
	/* The structures that grow are known in 8-byte steps from VER0 up. */
	for (size_t i = 0; i < NSIZED; i++)
		if (dir == _IOC_DIR(sized_cmds[i].cmd) &&
		    nr == _IOC_NR(sized_cmds[i].cmd) &&
		    size >= sized_cmds[i].ver0 && !(size % 8))
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

void fuzz_one(struct thr *t)
{
	unsigned int k = below(&t->r, 1000);

	if (k < 150) op_add(t, false);
	else if (k < 190) op_add_val(t);
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
