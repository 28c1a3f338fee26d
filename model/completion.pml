/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The completion side of the waitgroup model: the lock-free fast path of
 * __waitgroup_add(), which completes a generation in its own cmpxchg when
 * neither WG_SLOW nor WG_LOCKED is set; wg_flags_locked() and
 * wg_hold_locked(), which keep WG_LOCKED; the completion under wq.lock,
 * wg_complete_locked(); the wake of wq and the wake function,
 * wg_wake_waiter(); the hand-over of a result to a sleeper,
 * wg_hand_over(); and the sleeper's side, wg_sleep() and wg_sleep_end().
 * Included by waitgroup.pml; uses the proctype's scratch locals (SCRATCH).
 */

/*
 * __waitgroup_add()'s lock-free loop: atomic64_read() then
 * atomic64_try_cmpxchg() until it succeeds. The read is relaxed, but it
 * is only the cmpxchg's expected value and the loop recomputes from
 * whatever the failed cmpxchg returned, so the loop is one atomic
 * read-modify-write at its successful cmpxchg (fully ordered), or a
 * refusal that changes nothing: one Promela step. Sets fp_done when it
 * did the whole call (ret set), clears it when the caller must take
 * wq.lock: an error to report, WG_SLOW, or a result of zero while
 * WG_LOCKED is set (points 1 and 9). A zero without either flag moves
 * the tag (gen) in the same cmpxchg: the generation completes, clean,
 * with nothing written to the ring. The refusal of a tag that is a
 * multiple of WG_TAG_SYNC is not reached: the model's generations stay
 * below 8.
 */
inline fast_path(me, delta, error, ret, fp_done)
{
	d_step {
		if
		:: error == 0 && !slow ->
			if
			:: count + delta < 0 -> ret = ERANGE; fp_done = 1
#ifdef MUT_FASTPATH_IGNORES_LOCKED
			/* MUTATION: a zero completes lock-free even under WG_LOCKED. */
			:: count + delta == 0 ->
#else
			:: count + delta == 0 && locked ->
				/* to the lock: someone waits or polls, or a result to publish */
				if
				:: w_q[0] || w_q[1] || w_q[2] -> COVER(24)
				:: else
				fi;
				if
				:: pq_active[0] || pq_active[1] || pq_active[2] -> COVER(25)
				:: else
				fi;
				if
				:: (err != 0 || aband != 0) &&
				   !(w_q[0] || w_q[1] || w_q[2] ||
				     pq_active[0] || pq_active[1] || pq_active[2]) ->
					COVER(26)	/* only a result to publish */
				:: else
				fi;
				fp_done = 0
			:: count + delta == 0 && !locked ->
#endif
				/* a lock-free completion */
				spec_update(delta, 0, 0, 0);
				count = 0;
#ifndef MUT_FASTPATH_ZERO
				gen++;
#else
				/* MUTATION: zero reached, the tag not moved. */
#endif
				COVER(18);
#if COVERPT == 29
				if
				:: g_window -> COVER(29)
				:: else
				fi;
#endif
#if COVERPT == 28
				if
				:: g_cleared -> COVER(28)
				:: else
				fi;
#endif
				ret = OK; fp_done = 1
			:: count + delta > 0 ->
				spec_update(delta, 0, 0, count + delta);
				count = count + delta;
				ret = OK; fp_done = 1
			fi
		:: else -> fp_done = 0
		fi
	}
}

/*
 * wg_flags_locked(): under wq.lock, by cmpxchg on the state word: WG_SLOW
 * exactly while a limit or a cancel is in force (point 6), WG_LOCKED
 * while wq is not empty (a waiter's entry, a poller's) or the running
 * generation has an error or abandoned adds to publish (point 9).
 * Adders waiting for room are on roomers, not wq: a limit holds WG_SLOW
 * for them.
 */
inline flags_locked()
{
	d_step {
		slow = (limit != 0 || cancel_err != 0);
		g_lim = (limit != 0);
		g_canc = (cancel_err != 0);
#if COVERPT == 28
		if
		:: locked -> g_cleared = 1
		:: else
		fi;
#endif
#if defined(MUT_FLAGS_IGNORE_WQ)
		/* MUTATION: WG_LOCKED kept for a result to publish, not for wq. */
		locked = (err != 0 || aband != 0)
#elif defined(MUT_FLAGS_SLEEPERS_ONLY)
		/* MUTATION: WG_LOCKED kept for sleepers (wg_wake_waiter) only. */
		locked = (w_q[0] || w_q[1] || w_q[2] || err != 0 || aband != 0)
#else
		locked = (w_q[0] || w_q[1] || w_q[2] ||
			  pq_active[0] || pq_active[1] || pq_active[2] ||
			  err != 0 || aband != 0)
#endif
#if COVERPT == 28
		;
		if
		:: locked -> g_cleared = 0
		:: else
		fi
#endif
	}
}

/*
 * wg_hold_locked(), inside the caller's d_step under wq.lock: WG_LOCKED
 * set by cmpxchg, and the value it was set in is what the caller judges
 * (count, gen). Set, it keeps the counter from reaching zero without
 * wq.lock until the caller's wg_flags_locked() or, if it sleeps or polls,
 * until its entry leaves wq (point 2). In the mutation HOLD_STORE, the
 * caller's next step, stores the value read with WG_LOCKED.
 */
#ifdef MUT_HOLD_STORE
/* MUTATION: WG_LOCKED set by atomic64_set() of the value read, no cmpxchg. */
#define HOLD	oc = count; og = gen; os = slow
#define HOLD_STORE	d_step { count = oc; gen = og; slow = os; locked = 1 }
#else
#define HOLD	locked = 1

#endif

/*
 * wg_hand_over(s), in two parts. The caller has the result in its locals
 * (rg, re, ra, rc, rx for a waiter, hk = 1; hr for an adder, hk = 0) and
 * writes it into the record in its d_step under wq.lock; HO_IN(p), at the
 * end of that d_step, reads the task from the record and unlinks the
 * entry (list_del_init_careful(), a release: the sleeper may return, and
 * its record on its stack be gone, from then on); ho_rest(p), a step of
 * its own, wakes the task read before (wake_up_process(), in
 * rcu_read_lock(): the task_struct outlives the wake, which may come
 * after the sleeper returned and is then spurious).
 */
inline ho_write(p)
{
	assert(s_live[p]);
	if
	:: hk ->
		s_gen[p] = rg; s_err[p] = re; s_aband[p] = ra;
		s_canc[p] = rc; s_exp[p] = rx
	:: else -> s_ret[p] = hr
	fi
}

/* list_del_init_careful(): off wq (a waiter) or roomers (an adder) */
inline ho_unlink(p)
{
	assert(s_live[p]);
	if
	:: w_q[p] -> w_q[p] = 0
	:: else -> assert(r_q[p]); room_unlink(p)
	fi
}

/*
 * wake_up_process(task): the task state made running. The task may have
 * returned from the call by then: the wake is spurious, and a later
 * sleep of the task tests its entry again.
 */
inline wake_process(p)
{
	d_step {
		if
		:: !s_live[p] -> COVER(30)
		:: else
		fi;
		tsleep[p] = 0
	}
}

#if defined(MUT_WAKE_BEFORE_UNLINK)
/* MUTATION: the task woken before its entry is unlinked. */
#define HO_IN(p)	ho_write(p)
inline ho_rest(p)
{
	wake_process(p);
	d_step { ho_unlink(p) }
}
#elif defined(MUT_TASK_AFTER_UNLINK)
/* MUTATION: the task read from the record after the unlink. */
#define HO_IN(p)	ho_write(p); ho_unlink(p)
inline ho_rest(p)
{
	d_step { assert(s_live[p]); tsleep[p] = 0 }
}
#elif defined(MUT_RESULT_AFTER_UNLINK)
/* MUTATION: the entry unlinked before the result is written. */
#define HO_IN(p)	ho_unlink(p)
inline ho_rest(p)
{
	d_step { ho_write(p) }
	wake_process(p)
}
#else
#define HO_IN(p)	ho_write(p); ho_unlink(p)
inline ho_rest(p)
{
	wake_process(p)
}
#endif

/* list_del_init(): p's entry off roomers, whatever its place */
inline room_unlink(p)
{
	r_q[p] = 0;
	if
	:: roomers[0] == p -> roomers[0] = roomers[1]; roomers[1] = roomers[2]
	:: roomers[0] != p && roomers[1] == p -> roomers[1] = roomers[2]
	:: roomers[0] != p && roomers[1] != p
	fi;
	nroom--
}

/*
 * wg_wake_waiter() on p's entry, from wake_up_locked_poll() under
 * wq.lock: the completion of its generation, or a cancel if it is
 * cancelable, hands it its result (points 3 and 8); any other wake leaves
 * it queued. The walk found the entry in a step before (the waker's
 * pointer to the record, which must still be there).
 */
inline wake_waiter(p)
{
	d_step {
		assert(s_live[p]);
		hw = 1;
		if
		:: gen >= s_target[p] ->
			result_locked(gen, s_target[p])
		:: gen < s_target[p] && cancel_err != 0 && s_cancelable[p] ->
			/* wg_cancel_result_locked() */
			rg = gen + 1; re = cancel_err; ra = aband; rc = 1; rx = 0;
			COVER(10)
		:: else -> hw = 0	/* a kernel API wait: a cancel leaves it */
		fi;
		if
		:: hw -> hk = 1; HO_IN(p)
		:: else
		fi
	}
	if
	:: hw -> ho_rest(p)
	:: else
	fi
}

/*
 * wake_up_locked_poll(&wg->wq): every entry, in turn: a poller's
 * pollwake() triggers it, a waiter's wg_wake_waiter() may hand it over.
 */
inline wake_wq()
{
	wi = 0;
	do
	:: wi < NP ->
		if
		:: pq_active[wi] -> pq_trig[wi] = 1
		:: else
		fi;
		if
		:: w_q[wi] -> wake_waiter(wi)
		:: else
		fi;
		wi++
	:: else -> break
	od;
	skip	/* the loop's exit, not the caller's next d_step */
}

/*
 * wg_complete_locked(): under wq.lock, in the critical section whose
 * cmpxchg took the counter to zero and moved the tag to cg (point 1): the
 * generation's result goes into the ring, the next one starts clean, wq
 * is woken, and wg_flags_locked() lets the next completion be lock-free
 * if nobody is left on wq. cg is the generation that cmpxchg completed:
 * if neither WG_LOCKED nor WG_SLOW is set, a lock-free add and done may
 * have completed another since (see MUT_COMPLETE_REREADS_TAG).
 */
inline complete_locked()
{
	d_step {
#ifdef MUT_COMPLETE_REREADS_TAG
		/*
		 * MUTATION, and kmod/wg_core.c as of this model: the generation
		 * taken from the state read again here, not from the cmpxchg.
		 */
		cg = gen;
#endif
		assert(cg <= sgen);
#if COVERPT == 29
		g_window = 0;
#endif
		ring_gen[cg % RING] = cg;
		if
		:: cancel_err != 0 -> ring_err[cg % RING] = cancel_err
		:: else -> ring_err[cg % RING] = err
		fi;
		ring_aband[cg % RING] = aband;
		ring_canc[cg % RING] = (cancel_err != 0);
		err = 0;
		aband = 0;
		cancel_err = 0
	}
	wake_wq();
	flags_locked()
}

/*
 * wg_sleep(): set the task state (a full barrier), then test the entry
 * (list_empty_careful(), an acquire of the hand-over's unlink); a pending
 * signal ends it; schedule() blocks until the task state is running
 * again (a wake, perhaps a stale one, or signal_wake_up()); then again.
 *	for (;;) {
 *		set_current_state(state);
 *		if (list_empty_careful(&s->entry.entry)) break;
 *		if (signal_pending_state()) { ret = -ERESTARTSYS; break; }
 *		schedule();
 *	}
 *	__set_current_state(TASK_RUNNING);
 */
inline wg_sleep(me, intr, ret)
{
	ret = OK;
	do
	::
#ifdef MUT_TEST_BEFORE_STATE
		/* MUTATION: the entry tested before the task state is set. */
		if
		:: !w_q[me] && !r_q[me] -> break
		:: else
		fi;
		tsleep[me] = 1;
#else
		tsleep[me] = 1;
		if
		:: !w_q[me] && !r_q[me] -> break
		:: else
		fi;
#endif
		if
		:: intr && sigpend[me] -> ret = ERESTART; break
		:: else
		fi;
		if					/* schedule() */
		:: tsleep[me] == 0 -> COVER(15)
		:: atomic { intr && !sigsent[me] ->	/* signal_wake_up() */
			sigsent[me] = 1; sigpend[me] = 1; tsleep[me] = 0 }
		fi
	od;
	tsleep[me] = 0
}

/*
 * wg_sleep_end(): handed over (wg_sleep() returned 0, having seen its
 * entry unlinked), it returns without the lock; one that gives up takes
 * wq.lock: its entry already unlinked, the wake won and it returns the
 * result; still linked, the entry is its own to unlink, an adder lets in
 * those behind it that now fit (point 7), and wg_flags_locked().
 */
inline sleep_end(me, ret)
{
	if
	:: ret == OK -> COVER(16)
	:: else ->
#ifdef MUT_GIVEUP_UNLOCKED
		/* MUTATION: the entry tested and unlinked without wq.lock. */
		if
		:: !w_q[me] && !r_q[me] -> ret = OK
		:: else
		fi;
		d_step {
			gu = 0;
			if
			:: ret != OK && w_q[me] -> w_q[me] = 0
			:: ret != OK && r_q[me] -> room_unlink(me); gu = 1
			:: else
			fi
		}
		if
		:: ret != OK ->
			lock(me);
			if
			:: gu -> room_update_locked()
			:: else
			fi;
			flags_locked();
			unlock(me)
		:: else
		fi
#else
		lock(me);
		d_step {
			gu = 0;
			if
			:: !w_q[me] && !r_q[me] -> COVER(6); ret = OK
			:: w_q[me] -> w_q[me] = 0
			:: r_q[me] -> room_unlink(me); gu = 1
			fi
		}
		if
		:: ret != OK ->
			if
			:: gu -> room_update_locked()
			:: else
			fi;
			flags_locked()
		:: else
		fi;
		unlock(me)
#endif
	fi
}
