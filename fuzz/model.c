// SPDX-License-Identifier: GPL-2.0
/*
 * wg-fuzz's model of the expected results: private anonymous groups that
 * no other thread can reach, whose every result (counter, generation,
 * first error, undo ledger, abandonment, poll and each file's poll mark)
 * is predicted exactly, and
 * WG_FOREVER waits that a helper thread releases.
 */
#include "fuzz.h"

/* ---- Private groups: exact results ---------------------------------- */

struct model {
	int count, err, last_err;
	uint32_t ab, last_ab;
	uint64_t gen;
	int64_t ledger[2];
	uint64_t mark[2];	/* newest generation reported, once polled */
	int fd[2];
};

#define UNPOLLED	UINT64_MAX

/* Readable, and a new wait returns at once: the kernel's poll rule. */
static bool model_ready(const struct model *m, int f)
{
	return !m->count || (m->mark[f] != UNPOLLED && m->gen > m->mark[f]);
}

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

	if (flags & ~(WG_UNDO | WG_ADD_WAIT))
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
	m->mark[f] = UNPOLLED;
	return 0;
}

void op_model(struct thr *t)
{
	struct wg_create c = { .flags = WG_CLOEXEC };
	struct model m = { .fd = { -1, -1 }, .mark = { UNPOLLED, UNPOLLED } };
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
			/* The value form takes the same add, bar error codes. */
			if (!a.error && !(a.flags & ~WG_UNDO) && chance(&t->r, 1, 2)) {
				note(t, OP_ADD, m.fd[f], WG_IOC_ADD_VAL,
				     (uint32_t)a.delta, a.flags, 0, f);
				xioctl(t, OP_ADD, m.fd[f], WG_IOC_ADD_VAL,
				       (void *)WG_ADD_VAL(a.delta, a.flags), &err);
			} else {
				note(t, OP_ADD, m.fd[f], WG_IOC_ADD,
				     (uint32_t)a.delta, a.flags,
				     (uint32_t)a.error, f);
				xioctl(t, OP_ADD, m.fd[f], WG_IOC_ADD, &a, &err);
			}
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
			bool ready = model_ready(&m, f);

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
			if (ready && m.mark[f] != UNPOLLED)
				m.mark[f] = m.gen;
		} else if (k < 12) {
			struct pollfd pfd = { .fd = m.fd[f], .events = POLLIN };
			short want_ev;

			if (m.mark[f] == UNPOLLED)
				m.mark[f] = m.gen;
			want_ev = model_ready(&m, f) ? POLLIN : 0;

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

void helper_do(struct thr *t, struct helper_item *it)
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
void op_forever(struct thr *t)
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
