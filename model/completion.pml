/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The swappable part of the waitgroup model: the lock-free fast path of
 * __waitgroup_add() and the completion, wg_complete_locked(), as
 * kmod/wg_core.c has them today. Included by waitgroup.pml; a lock-free
 * completion replaces these two inlines (see model/README.md, "Swapping the
 * completion", for what it has to satisfy).
 *
 * Both use the proctype's scratch locals declared by SCRATCH in
 * waitgroup.pml.
 */

/*
 * __waitgroup_add()'s lock-free loop: atomic64_read() then
 * atomic64_try_cmpxchg() until it succeeds. The read is relaxed, but it
 * is only the cmpxchg's expected value and the loop recomputes from
 * whatever the failed cmpxchg returned, so the loop is one atomic
 * read-modify-write at its successful cmpxchg (fully ordered), or a refusal
 * that changes nothing: one Promela step. Sets fp_done when it did the
 * whole call (ret set), clears it when the caller must take wq.lock.
 */
inline fast_path(me, delta, error, ret, fp_done)
{
#ifdef MUT_WAITERS_BEFORE_CMPXCHG
	/*
	 * MUTATION (the known race): a done that would reach zero reads the
	 * waiter count first and, seeing none, completes without wq.lock:
	 * counter, generation and result move in one cmpxchg, but that
	 * cmpxchg compares only the counter half, so a waiter registered
	 * between the read and the cmpxchg is never woken.
	 */
	fp_done = 0;
	if
	:: error == 0 && !slow && count + delta == 0 && count > 0 ->
		ow = nwait;			/* read before the cmpxchg */
		oc = count;
		if
		:: ow == 0 ->
			atomic {
				if
				:: count == oc && !slow && err == 0 && aband == 0 &&
				   !l_linked[0] && !l_linked[1] && !l_linked[2] ->
					count = 0;	/* the low half is not compared */
					spec_update(delta, 0, 0, 0);
					gen++;
					last_err = 0; last_aband = 0; last_canceled = 0;
					ret = OK; fp_done = 1
				:: else
				fi
			}
		:: else
		fi
	:: else
	fi;
	if
	:: fp_done
	:: else ->
#endif
	lf = 0;
	atomic {
		if
		:: error == 0 && !slow ->
			if
			:: count + delta < 0 -> ret = ERANGE; fp_done = 1
#ifdef COMPLETION_LOCKFREE
			/*
			 * A SKETCH of the lock-free completion, not today's code:
			 * what this step reads stands for bits of the state word
			 * the cmpxchg compares (waiters, an armed latch, an error
			 * or abandonment in the generation), and gen stands for a
			 * generation moved by the same cmpxchg.
			 */
			:: count + delta == 0 && nwait == 0 &&
#ifndef LOCKFREE_NO_POLL_BIT
			   !l_linked[0] && !l_linked[1] && !l_linked[2] &&
#endif
			   err == 0 && aband == 0 ->
				spec_update(delta, 0, 0, 0);
				count = 0;
				gen++;
#ifndef LOCKFREE_RESULT_SPLIT
				last_err = 0; last_aband = 0; last_canceled = 0;
#endif
				lf = 1;
				ret = OK; fp_done = 1
			:: count + delta == 0 && !(nwait == 0 &&
#ifndef LOCKFREE_NO_POLL_BIT
			   !l_linked[0] && !l_linked[1] && !l_linked[2] &&
#endif
			   err == 0 && aband == 0) -> fp_done = 0
#else
			:: count + delta == 0 -> fp_done = 0	/* reaches zero: lock */
#endif
			:: else ->
				spec_update(delta, 0, 0, count + delta);
				count = count + delta;
				ret = OK; fp_done = 1
			fi
		:: else -> fp_done = 0		/* WG_SLOW, or an error: lock */
		fi
	}
#ifdef LOCKFREE_RESULT_SPLIT
	/* the sketch, with the last result published after the cmpxchg */
	if
	:: lf -> d_step { last_err = 0; last_aband = 0; last_canceled = 0 }
	:: else
	fi;
#endif
#ifdef MUT_WAITERS_BEFORE_CMPXCHG
	fi
#endif
}

/*
 * wg_complete_locked()'s first half: the generation's result becomes the
 * last result, the running generation's is reset, and the generation
 * moves (atomic64_inc_return: fully ordered). Kept in the completer's
 * locals cg, ce, ca, cc, as the kernel keeps it in a struct wg_result.
 */
inline complete_publish()
{
	last_canceled = (cancel_err != 0);
	if
	:: cancel_err != 0 -> last_err = cancel_err
	:: else -> last_err = err
	fi;
	last_aband = aband;
	err = 0;
	aband = 0;
	coe_waiters = 0;
	gen++;
	cg = gen; ce = last_err; ca = last_aband; cc = last_canceled
}

/*
 * wg_complete_locked(): under wq.lock, right after the cmpxchg that took
 * the counter to zero (and the waiter count with it). Each record is one
 * step: its result is written and it moves to wg->released, whose
 * sleepers the unlock marks done and wakes (unlock()). The latches come
 * first (wg_latch_link_locked() links them at the list's head), so a
 * sleeper is told whether a latch was filled (lat: wg_waiter.latched).
 */
inline complete_locked(me)
{
#if !defined(COMPLETION_LOCKFREE) || defined(LOCKFREE_GEN_AFTER)
	d_step { complete_publish() }
#endif
	if
	:: cancel_err != 0 ->
		cancel_err = 0;		/* the next generation starts clean */
		slow_locked()
	:: else
	fi;
	lat = 0;
	i = 0;
	do
	:: i < NP ->
		if
		:: l_linked[i] ->
			d_step {
				l_linked[i] = 0;
				if
				:: !l_keep[i] && !pq_active[i] -> skip	/* nobody polls */
				:: else ->
					if
					:: l_seen[i] >= cg -> skip	/* a wait returned it */
					:: else ->
						l_gen[i] = cg; l_err[i] = ce;
						l_aband[i] = ca;
						l_canc[i] = cc;
						l_keep[i] = 0;
						l_done[i] = 1;
						lat = 1;
						COVER(16);
						if		/* wake_up_poll() */
						:: pq_active[i] -> pq_trig[i] = 1
						:: else
						fi
					fi
				fi
			}
		:: else
		fi;
		i++
	:: else -> break
	od;
	i = 0;
	do
	:: i < NP ->
		if
		:: w_linked[i] ->
			d_step {
				w_linked[i] = 0;
				w_gen[i] = cg; w_err[i] = ce;
				w_aband[i] = ca; w_canc[i] = cc;
				w_lat[i] = lat;
				w_rel[i] = 1; w_onrel[i] = 1	/* the unlock wakes it */
			}
		:: else
		fi;
		i++
	:: else -> break
	od
}
