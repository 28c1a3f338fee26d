/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitgroup.pml - the waitgroup protocol of kmod/wg_core.c in Promela,
 * for spin(1). scripts/check-model runs it; model/README.md says what is
 * modelled, what is abstracted and why.
 *
 * One configuration is chosen with -DCFG_<name> (see init at the end);
 * a mutation with -DMUT_<name>. Every inline below names the kernel
 * function it stands for; "point n" is point n of wg_core.c's "Why no
 * wakeup is lost".
 *
 * Memory ordering: spin explores sequentially consistent interleavings.
 * That is exact here because every shared access of the protocol is one
 * of: under wq.lock; a fully ordered RMW (atomic64_try_cmpxchg); a
 * release store read by an acquire load (a sleeper's entry unlinked by
 * list_del_init_careful(), tested by list_empty_careful()); the full
 * barriers of set_current_state() and try_to_wake_up(); or a relaxed read
 * whose staleness the code tolerates, which the model makes a step of its
 * own (the fast path's atomic64_read(), which only feeds a cmpxchg; a
 * file's mark). model/README.md, "Memory ordering", gives each atomic's
 * LKMM argument.
 */

#ifndef GENS
#define GENS 2
#endif
#ifndef SIGNALS
#define SIGNALS 1
#endif
/*
 * WAITGROUP_RESULTS is 8; the model keeps 2 results, so that a target
 * that has left the ring is reached within its few generations.
 */
#ifndef RING
#define RING 2
#endif
#ifndef COVERPT
#define COVERPT 0
#endif

#define NP	3	/* processes at most; also "no file" */
#define NG	8	/* generations at most, for the ghost arrays */
#define UNPOLLED 255	/* WG_UNPOLLED: a file never polled */

/* Errors a generation can report (the model's small numbers). */
#define EIO		1	/* a done with an error code */
#define EOWNERDEAD	2	/* an abandoned add (undo at close) */
#define ECANCELED	3	/* a cancel's code */

/* Return codes. */
#define OK	0
#define ERANGE	1
#define EAGAIN	2
#define ECANC	3
#define ERESTART 4

/* How a wait returned. */
#define HOW_RING	1	/* its target has completed: from the ring */
#define HOW_MARK	2	/* its polled file had a completion to report */
#define HOW_ZERO	3	/* counter zero: the last completed generation */
#define HOW_CANCEL	4	/* the running generation is canceled */
#define HOW_SLEPT	5	/* handed over by the wake function */

/*
 * ---- waitgroup.state, one atomic64_t: counter, WG_SLOW, WG_LOCKED, tag ----
 * The tag is modelled as the generation number itself. That is exact
 * within the model's bounds: its generations stay below 8, so the code's
 * tag (the number modulo 2^30) never wraps, no lock-free completion meets
 * a multiple of WG_TAG_SYNC (2^20), and gen_base, which wg_gen_locked()
 * brings up to the tag under wq.lock, is always the tag it was given.
 * gen_base is not modelled.
 */
short count;		/* high half; short so "never negative" can fail */
bool slow;		/* WG_SLOW */
bool locked;		/* WG_LOCKED */
byte gen;		/* the tag: completions so far */

/* ---- wq.lock: 0 free, else holder + 1 ---- */
byte lk;

/* ---- under wq.lock ---- */
byte err;		/* the running generation's first error */
byte aband;		/* ... and its abandoned adds */
byte cancel_err;
byte limit;
byte ring_gen[RING];	/* wg->results[], written by locked completions only */
byte ring_err[RING];
byte ring_aband[RING];
bool ring_canc[RING];

/*
 * ---- struct wg_sleeper of each process, on its stack ----
 * A waiter's entry is on wq (w_q), an adder's on roomers (r_q, and its
 * place in roomers[]). s_live: the stack frame exists (from the sleeper's
 * queueing to the return of its call): the wake function and the
 * hand-over must not touch the record once it is gone (point 3). The
 * wake of the task may come later: the task_struct outlives it.
 */
bool s_live[NP];
bool w_q[NP];		/* a waiter's entry on wq */
bool r_q[NP];		/* an adder's entry on roomers */
byte s_target[NP];
bool s_coe[NP];
bool s_cancelable[NP];
byte s_gen[NP];		/* s->res */
byte s_err[NP];
byte s_aband[NP];
bool s_canc[NP];
bool s_exp[NP];
byte s_ret[NP];		/* an adder's s->ret */

/* ---- roomers: adders waiting for room, FIFO ---- */
byte roomers[NP];
byte nroom;

/* ---- each open file: its mark, and a poller's wait queue entry ---- */
byte seen[NP];		/* wf->seen: UNPOLLED, or the newest reported */
bool pq_active[NP];	/* the poller's entry on wq (poll_wait()) */
bool pq_trig[NP];	/* pollwake(): poll_wqueues.triggered */

/* ---- task states, signals ---- */
bool tsleep[NP];	/* task state not TASK_RUNNING (set_current_state) */
bool sigpend[NP];	/* signal_pending() */
bool sigsent[NP];	/* at most one signal per process: bounds the model */

/* ---- ghosts: the specification, moved at the linearisation points ---- */
byte sgen;		/* generations completed: the zero-reaching cmpxchg */
byte spec_err[NG];	/* first error reported in each generation */
byte spec_aband[NG];	/* adds abandoned in each generation */
byte spec_canc[NG];	/* the cancel's code, if that generation was canceled */
byte spec_ndone[NG];	/* dones (not abandonments) applied in each generation */
byte tot_done;		/* waitgroup.done: the batch's dones (point 11) */
bool g_lim;		/* a limit is in force (WG_SLOW set for it) */
bool g_canc;		/* a cancel is in force (WG_SLOW set for it) */
bool g_cancels;		/* the update being applied has an error that cancels */
bool g_late;		/* adders let in after their generation's completion */
byte room_tk[NP];	/* FIFO tickets of the adders waiting for room */
byte room_gen[NP];	/* the generation each queued in (sgen + 1) */
byte next_tk = 1;
byte served_tk;
#if COVERPT == 28
bool g_cleared;		/* wg_flags_locked() last changed WG_LOCKED to clear */
#endif
#if COVERPT == 29
bool g_window;		/* a locked zero's cmpxchg done, wg_complete_locked() not */
#endif

/*
 * Coverage: -DCOVERPT=n makes point n an assertion failure, so that
 * "scripts/check-model cover" can show each point is reached (no property
 * holds vacuously).
 */
#define COVER(n) if :: COVERPT == n -> assert(false) :: else fi

/* Every proctype's scratch locals (inlines are textual). */
#define SCRATCH \
	byte i; byte k; short nc; short base; byte undo; byte ret; byte ret2; \
	bool old_nz; bool cnl; bool pint; bool mask; bool fp_done; \
	byte rg; byte re; byte ra; bool rc; bool rx; byte how; byte st; \
	byte tgt; byte mygen; byte mk; bool restart; bool try; bool zc; \
	byte wi; bool hw; byte rp; bool gu; bool hk; byte hr; \
	short oc; byte og; bool os; byte cg

/* ---------------------------------------------------------------- */

/* spin_lock_irqsave(&wg->wq.lock) / spin_unlock_irqrestore() */
inline lock(me)
{
	atomic { lk == 0 -> lk = me + 1 }
}

inline unlock(me)
{
	d_step { assert(lk == me + 1); lk = 0 }
}

/*
 * The specification of one successful update of the counter, called in
 * the step of its cmpxchg: the counter is never negative, a positive add
 * never runs while a cancel is in force or past a limit in force, errors
 * and abandonments belong to the running generation, and reaching zero
 * completes it.
 */
inline spec_update(delta, error, ab, newc)
{
	assert(newc >= 0);
	assert(sgen + 1 < NG);
	if
	:: delta > 0 ->
		assert(!g_canc);
		assert(!g_lim || newc <= limit)
	:: else
	fi;
	if
	:: error != 0 && spec_err[sgen + 1] == 0 -> spec_err[sgen + 1] = error
	:: else
	fi;
	spec_aband[sgen + 1] = spec_aband[sgen + 1] + ab;
	if
	:: delta < 0 && ab == 0 -> spec_ndone[sgen + 1] = spec_ndone[sgen + 1] - delta
	:: else
	fi;
	if
	:: newc == 0 ->
		/*
		 * No adder waiting for room is left behind by a completion, but
		 * by one whose error cancels: they go into the next generation.
		 */
		assert(nroom == 0 || g_cancels);
		sgen++
	:: else
	fi
}

/*
 * wg_result_locked(wg, last, g, res): generation g's result, into rg, re,
 * ra, rc, rx (expired); last: the tag read under wq.lock. From the
 * ring if its slot holds g; clean if the slot holds an older generation
 * (g completed lock-free, point 9). Under wq.lock, inside a d_step.
 */
inline result_locked(last, g)
{
	rg = g; re = 0; ra = 0; rc = 0; rx = 0;
	if
	:: g == 0 -> skip
#ifndef MUT_RING_NO_EXPIRY
	:: g > 0 && last - g >= RING -> rx = 1
	:: g > 0 && last - g < RING ->
#else
	/* MUTATION: the slot read without the expiry test. */
	:: g > 0 ->
#endif
		if
#ifndef MUT_RING_NO_SLOT_CHECK
		:: ring_gen[g % RING] != g ->
			/* completed lock-free: clean */
			if
			:: ring_gen[g % RING] != 0 -> COVER(27)
			:: else
			fi
		:: ring_gen[g % RING] == g ->
#else
		/* MUTATION: the slot read whichever generation it holds. */
		:: true ->
#endif
			re = ring_err[g % RING];
			ra = ring_aband[g % RING];
			rc = ring_canc[g % RING]
		fi
	fi
}

/*
 * A completed generation's result is its own (sgen: completed so far),
 * or flagged expired, with nothing else in it.
 */
inline check_completed(g, e, a, c, x)
{
	assert(g <= sgen);
	if
	:: x -> assert(g > 0 && e == 0 && a == 0 && !c)
	:: !x && g == 0 -> assert(e == 0 && a == 0 && !c)
	:: !x && g > 0 && !c ->
		assert(spec_canc[g] == 0 && e == spec_err[g] && a == spec_aband[g])
	:: !x && g > 0 && c ->
		assert(spec_canc[g] != 0 && e == spec_canc[g] && a == spec_aband[g])
	fi
}

/* ---- the completion side: the fast path, wake and hand-over ---- */
#include "completion.pml"

/*
 * wg_room_fit_locked(wg, base, false): the counter with the adders at the
 * head of the queue that fit (each adds 1 in the model). Computes into nc,
 * and k: how many.
 */
inline room_fit(base)
{
	nc = base;
	k = 0;
	do
	:: k < nroom && !(limit != 0 && nc + 1 > limit) -> nc++; k++
	:: else -> break
	od;
	assert(nc == base || !g_lim || nc <= limit)
}

/* wg_room_fit_locked(wg, base, true): let in the first k, in order */
inline room_commit()
{
	do
	:: k > 0 ->
		d_step {
			rp = roomers[0];
			/* FIFO: the head holds the oldest ticket. */
			assert(room_tk[rp] > served_tk);
			served_tk = room_tk[rp];
			/*
			 * let in within the generation it waited in, or the
			 * next if that one's error completed it (point 8)
			 */
			assert(room_gen[rp] == sgen + 1 ||
			       g_late && room_gen[rp] == sgen);
			COVER(8);
			hk = 0; hr = OK;
			HO_IN(rp);
			k--
		}
		ho_rest(rp)
	:: else -> break
	od;
	skip	/* the loop's exit, not the caller's next d_step */
}

/* wg_room_fail_locked(wg, -ECANCELED, true): a cancel fails them all */
inline room_fail_all()
{
	do
	:: nroom > 0 ->
		d_step {
			rp = roomers[0];
			hk = 0; hr = ECANC;
			HO_IN(rp)
		}
		ho_rest(rp)
	:: else -> break
	od;
	skip	/* the loop's exit, not the caller's next d_step */
}

/* wg_cancel_locked(): cancel the running generation (point 8) */
inline cancel_locked(me, e)
{
	/* "Something runs" and WG_SLOW in one cmpxchg, under wq.lock. */
	d_step {
		pint = (count == 0 || cancel_err != 0);
		if
		:: !pint ->
			cancel_err = e;
			assert(sgen + 1 < NG);
			spec_canc[sgen + 1] = e;
#ifdef MUT_CANCEL_NO_SLOW
			/* MUTATION: WG_SLOW not set, lock-free adds go on. */
			g_canc = 1
#else
			slow = 1; g_canc = 1
#endif
		:: else
		fi
	}
	if
	:: !pint ->
		room_fail_all();
		wake_wq()	/* wake_up_locked_poll() */
	:: else
	fi
}

/* wg_room_update_locked(): let in the adders that fit now */
inline room_update_locked()
{
	if
	:: nroom > 0 ->
		d_step {
			room_fit(count);
			if
			:: nc != count ->
				spec_update(1, 0, 0, nc);
				count = nc
			:: else
			fi
		}
		room_commit()
	:: else
	fi
}

/*
 * wg_update_locked(): under wq.lock. The cmpxchg loop is one step: what it
 * computes from reads only its snapshot of the word and what wq.lock
 * protects, so it is one atomic read-modify-write at its successful
 * cmpxchg: the counter, the tag moved if it reaches zero, WG_LOCKED set if
 * it stays above zero with an error or abandoned adds to publish. The
 * first error and the abandoned count are written after it, in the same
 * critical section: nobody reads them without the lock, and a lock-free
 * done sees WG_LOCKED.
 */
inline update_locked(me, delta, error, ab, ret)
{
	d_step {
		/* An error that cancels the generation lets no one in: point 8. */
		cnl = (error != 0 && cancel_err == 0 &&
		       (w_q[0] && s_coe[0] || w_q[1] && s_coe[1] ||
			w_q[2] && s_coe[2]));	/* wg_coe_locked() */
		g_cancels = cnl;
		if
		:: count + delta < 0 -> ret = ERANGE
		:: else ->
			base = count + delta;
			ret = OK;
			if
			:: delta > 0 && cancel_err != 0 -> COVER(12); ret = ECANC
			:: delta > 0 && cancel_err == 0 && limit != 0 &&
			   (base > limit || nroom > 0) -> ret = EAGAIN
			:: else
			fi;
			if
			:: ret == OK ->
#ifdef MUT_ROOM_AFTER_ZERO
				/* MUTATION: the done tests for zero, then hands room over. */
				nc = base; k = 0;
#else
				if	/* hand_over: room a done makes, point 7 */
				:: delta < 0 && !cnl && nroom > 0 -> room_fit(base)
				:: else -> nc = base; k = 0
				fi;
#endif
				old_nz = (count != 0);
				spec_update(delta, error, ab, nc);
				count = nc;
				if
				:: nc == 0 && old_nz ->
					gen++;	/* completes: the tag moves, point 1 */
					cg = gen;
#if COVERPT == 29
					g_window = 1
#endif
#ifndef MUT_ERROR_NO_LOCKED
				:: nc != 0 && (error != 0 || ab != 0) ->
					locked = 1	/* to publish: point 9 */
#else
				/* MUTATION: an error or abandon does not set WG_LOCKED. */
#endif
				:: else
				fi;
				if
				:: error != 0 && err == 0 -> err = error
				:: else
				fi;
				aband = aband + ab
			:: else
			fi
		fi;
		g_cancels = 0
	}
	if
	:: ret == OK ->
		room_commit();
		if
		:: nc == 0 && old_nz ->
#ifdef MUT_COMPLETE_UNLOCKED
			/*
			 * MUTATION: the completion in a critical section of its
			 * own, after the one whose cmpxchg reached zero.
			 */
			unlock(me);
			lock(me);
#endif
			complete_locked();
			/* The error ended the generation: the next one lets them in. */
			if
			:: cnl && nroom > 0 ->
				COVER(17);
				g_late = 1;
				room_update_locked();
				g_late = 0
			:: else
			fi
		:: nc != 0 && cnl ->
			COVER(11);
			cancel_locked(me, error)
		:: else
		fi;
#ifdef MUT_ROOM_AFTER_ZERO
		if
		:: delta < 0 -> room_update_locked()
		:: else
		fi
#else
		skip
#endif
	:: else
	fi
}

/*
 * __waitgroup_add(): the fast path, else wg_add_locked(). A done is
 * counted in the batch's totals before its update (point 11), taken back
 * if refused.
 */
inline wg_add(me, delta, error, ret)
{
#ifndef MUT_TOTALS_AFTER_UPDATE
	if
	:: delta < 0 -> tot_done = tot_done - delta
	:: else
	fi;
#endif
	fast_path(me, delta, error, ret, fp_done);
	if
	:: !fp_done ->
		lock(me);
		update_locked(me, delta, error, 0, ret);
		unlock(me)
	:: else
	fi;
#ifndef MUT_TOTALS_AFTER_UPDATE
	if
	:: delta < 0 && ret != OK -> tot_done = tot_done + delta
	:: else
	fi
#else
	/* MUTATION: counted once applied, after its cmpxchg. */
	if
	:: delta < 0 && ret == OK -> tot_done = tot_done - delta
	:: else
	fi
#endif
}

/*
 * The batch's totals read as a wait returns generation g (completed, or
 * canceled and maybe running): every done of the generations up to it
 * that completed is in them.
 */
inline check_totals(g)
{
	d_step {
		k = 0;
		i = 1;
		do
		:: i <= g && i <= sgen -> k = k + spec_ndone[i]; i++
		:: else -> break
		od;
		assert(tot_done >= k);
		if
		:: k > 0 -> COVER(31)
		:: else
		fi;
		i = 0;
		k = 0
	}
}

/* __waitgroup_abandon(wg, n): the file's release with n adds in its ledger */
inline abandon(me, n)
{
	lock(me);
	d_step {
		if
		:: count < n -> undo = count
		:: else -> undo = n
		fi
	}
	do
	:: undo > 0 ->
		update_locked(me, -undo, EOWNERDEAD, undo, ret2);
		if
		:: ret2 == OK -> COVER(13); break
		:: else ->
			d_step {
				if
				:: count < n -> undo = count
				:: else -> undo = n
				fi
			}
		fi
	:: else -> break
	od;
	unlock(me)
}

/* waitgroup_set_limit(): once, from 0 to l; every add (1) fits it */
inline set_limit(me, l)
{
	lock(me);
	limit = l;
	flags_locked();
	room_update_locked();
	unlock(me)
}

/*
 * __waitgroup_add_wait(wg, 1, intr ? TASK_INTERRUPTIBLE :
 * TASK_UNINTERRUPTIBLE (the model's: no signal), KTIME_MAX)
 */
inline add_wait(me, intr, ret)
{
	wg_add(me, 1, 0, ret);
	if
	:: ret == EAGAIN ->
		lock(me);
		update_locked(me, 1, 0, 0, ret);
#ifdef MUT_ROOM_SPLIT
		/* MUTATION: refused and queued in two critical sections. */
		unlock(me);
		lock(me);
#endif
		if
		:: ret == EAGAIN ->
			d_step {
				/* wg_sleeper_init(), list_add_tail(&roomers) */
				s_live[me] = 1;
				r_q[me] = 1;
#ifdef MUT_ROOM_LIFO
				/* MUTATION: list_add() instead of list_add_tail() */
				roomers[2] = roomers[1];
				roomers[1] = roomers[0];
				roomers[0] = me;
#else
				roomers[nroom] = me;
#endif
				if
				:: nroom == 1 -> COVER(9)
				:: else
				fi;
				nroom++;
				room_tk[me] = next_tk;
				next_tk++;
				room_gen[me] = sgen + 1
			}
		:: else
		fi;
		unlock(me);
		if
		:: ret == EAGAIN ->
			wg_sleep(me, intr, ret2);
			sleep_end(me, ret2);
			d_step {
				assert(!r_q[me]);
				if
				:: ret2 == OK -> ret = s_ret[me]
				:: else -> ret = ERESTART
				fi;
				sigpend[me] = 0;	/* handled on the way out */
				s_live[me] = 0
			}
		:: else
		fi
	:: else
	fi
}

/*
 * wg_wait_start_locked(): under wq.lock. WG_LOCKED set first
 * (wg_hold_locked(), point 2) and the state it was set in judged: og is
 * last. st = 0 with the result in rg, re, ra, rc, rx and how, or st = 1:
 * sleep for tgt. A result returned at once is checked in the step that
 * judged it, where the ghosts are exact.
 */
inline wait_start(me, f, cancelable, coe)
{
	d_step {
		if
		:: f < NP -> mk = seen[f]
		:: else -> mk = UNPOLLED
		fi;
#ifndef MUT_WAIT_JUDGE_FIRST
		HOLD;
#endif
		og = gen;	/* last = wg_gen_locked(wg, state) */
		/* Point 1: the tag moved in the step of every zero. */
		assert(gen == sgen);
		assert(tgt <= og + 1);		/* never -EINVAL in the model */
		st = 2; how = 0;
#ifndef MUT_RESTART_IGNORES_TARGET
		if
		:: tgt != 0 && tgt <= og ->
			result_locked(og, tgt); how = HOW_RING; st = 0;
			COVER(7);
			if
			:: rx -> COVER(21)
			:: else
			fi
		:: else
		fi;
#else
		/* MUTATION: a call with a target starts over as a new one. */
		tgt = 0;
#endif
		if
		:: st == 2 && tgt == 0 && mk != UNPOLLED && og > mk ->
			result_locked(og, og); how = HOW_MARK; st = 0;
			COVER(1)
		:: else
		fi;
		if
#ifdef MUT_WAIT_UNLOCKED_TEST
		:: st == 2 && zc ->
#else
		:: st == 2 && count == 0 ->
#endif
			result_locked(og, og); how = HOW_ZERO; st = 0;
			COVER(2)
		:: else
		fi;
		/* checked where it was judged: its linearisation point */
		if
		:: st == 0 ->
			/* a call with a target returns that generation */
			assert(!restart || rg == mygen);
			/* a new call: the last completed generation */
			assert(how == HOW_RING || rg == sgen);
			check_completed(rg, re, ra, rc, rx)
		:: else
		fi
	}
#ifdef MUT_WAIT_JUDGE_FIRST
	/* MUTATION: the state judged, then WG_LOCKED set. */
	d_step { locked = 1 };
#endif
#ifdef MUT_HOLD_STORE
	HOLD_STORE;
#endif
	/* An error came before this wait: it cancels at once (point 8). */
	if
	:: st == 2 && coe && err != 0 -> cancel_locked(me, err)
	:: else
	fi;
	d_step {
		if
		:: st == 2 && cancel_err != 0 && cancelable ->
			/* wg_cancel_result_locked() */
			rg = gen + 1; re = cancel_err; ra = aband; rc = 1; rx = 0;
			how = HOW_CANCEL; st = 0;
			COVER(3)
		:: st == 2 ->
			tgt = og + 1; st = 1
		:: else
		fi;
		if
		:: how == HOW_CANCEL ->
			/* the running generation, canceled */
			assert(!restart || rg == mygen);
			assert(rg == sgen + 1 && spec_canc[rg] == re)
		:: else
		fi
	}
}

/*
 * __waitgroup_wait(wg, file f's mark or NULL, intr ? TASK_INTERRUPTIBLE :
 * TASK_UNINTERRUPTIBLE, try ? 0 : KTIME_MAX, flags, &target, &res), and
 * the calls that follow one that returned without a result: the restart of
 * an interrupted WG_IOC_WAIT (SA_RESTART), or the call a program makes
 * again with the target a deadline-0 test left in its struct. Each must
 * return the generation the first call waited for. Result in rg, re,
 * ra, rc, rx; how it returned in how.
 */
inline wg_wait(me, f, cancelable, coe, intr, tries)
{
	restart = 0;
	tgt = 0;
	if
	:: tries -> try = 1
	:: true -> try = 0
	fi;
	do
	::
#ifdef MUT_WAIT_UNLOCKED_TEST
	/* MUTATION: the counter tested before wq.lock is taken. */
	zc = (count == 0);
#endif
	lock(me);
	wait_start(me, f, cancelable, coe);
	if
	:: st == 1 && !try ->
		/* wg_sleeper_init(), __add_wait_queue(): point 2 */
		d_step {
			assert(!restart || tgt == mygen);
			if
			:: restart -> COVER(19)
			:: else
			fi;
			mygen = tgt;
			s_live[me] = 1;
			s_target[me] = tgt;
			s_coe[me] = coe;
			s_cancelable[me] = cancelable;
			w_q[me] = 1
		}
	:: else ->
		/* returns at once: WG_LOCKED may go (point 9) */
		flags_locked()
	fi;
	unlock(me);
	if
	:: st == 0 -> break
	:: st == 1 && try ->
		/* -ETIMEDOUT, the target written back; called again with it. */
		COVER(20);
		mygen = tgt;
		try = 0;
		restart = 1
	:: st == 1 && !try ->
		wg_sleep(me, intr, ret);
		sleep_end(me, ret);
		if
		:: ret == OK ->
			d_step {
				rg = s_gen[me]; re = s_err[me]; ra = s_aband[me];
				rc = s_canc[me]; rx = s_exp[me];
				how = HOW_SLEPT;
				COVER(4);
				assert(!w_q[me]);
				s_live[me] = 0;
				sigpend[me] = 0;	/* a signal is handled on the way out */
				/* its own generation: not earlier, not later */
				assert(rg == mygen);
				if
				:: rc && !rx ->
					/*
					 * canceled: handed over by the cancel (its
					 * generation may still be running) or by the
					 * completion; either way the cancel's code
					 */
					assert(spec_canc[rg] != 0 && re == spec_canc[rg])
				:: else ->
					/* no early release; its own result */
					check_completed(rg, re, ra, rc, rx)
				fi
			}
			break
		:: else ->
			/* -ERESTARTSYS, the target written back: it restarts */
			d_step {
				assert(intr && !w_q[me]);
				s_live[me] = 0;
				sigpend[me] = 0
			}
			COVER(5);
			restart = 1
		fi
	fi
	od;
	skip;	/* the loop's exit, not the next d_step */
	check_totals(rg);
	/* wg_seen(): a polled file's mark only grows, lock-free */
	d_step {
		if
		:: f < NP && seen[f] != UNPOLLED && seen[f] < rg ->
			seen[f] = rg;
			COVER(22)
		:: else
		fi;
		tgt = 0
	}
}

/* ---------------------------------------------------------------- */

/*
 * A task of the group: per round, an add (waiting for room under a limit
 * if room), then a done, a done with an error, or the close of a file
 * with the add in its undo ledger. hold: the task may hang for good once
 * its generation is canceled (its waiters must return all the same).
 * intr: its waits for room can be interrupted.
 */
proctype worker(byte me; byte rounds; bool room; bool errors; bool hold;
		byte setlimit; bool intr)
{
	SCRATCH;
	if
	:: setlimit > 0 -> set_limit(me, setlimit)
	:: else
	fi;
	do
	:: rounds > 0 ->
		rounds--;
		if
		:: room -> add_wait(me, intr, ret)
		:: else -> wg_add(me, 1, 0, ret)
		fi;
		if
		:: ret == OK ->
			if
			:: hold && cancel_err != 0 -> break
			:: else
			fi;
			if
			:: wg_add(me, -1, 0, ret2)
			:: errors -> wg_add(me, -1, EIO, ret2)
			:: errors -> abandon(me, 1)
			fi
		:: ret == ERESTART -> COVER(23)
		:: else
		fi
	:: else -> break
	od
}

/*
 * A waiter: waits times; f < NP: WG_IOC_WAIT on file f (cancelable,
 * interruptible, optionally cancel on error, optionally a deadline-0 test
 * first), else waitgroup_wait(), the kernel API's.
 */
proctype waiter(byte me; byte waits; byte f; bool coe; bool tries)
{
	SCRATCH;
	do
	:: waits > 0 ->
		waits--;
		if
		:: f < NP ->
			if
			:: wg_wait(me, f, 1, 0, SIGNALS, tries)
			:: coe -> wg_wait(me, f, 1, 1, SIGNALS, tries)
			fi
		:: else -> wg_wait(me, NP, 0, 0, 0, 0)
		fi
	:: else -> break
	od
}

/*
 * poll() of file f until it is readable (do_poll(): the entry queued at
 * the first call, poll_schedule_timeout() sleeps until pollwake()
 * triggered it), then the file's WG_IOC_WAIT; rounds times.
 */
proctype poller(byte me; byte rounds; byte f)
{
	SCRATCH;
	do
	:: rounds > 0 ->
		rounds--;
#ifndef MUT_POLL_READ_FIRST
		/* poll_wait(): add_wait_queue(), before the state is read */
		atomic { lk == 0 -> pq_active[me] = 1 }
#endif
		do
		::
			/* __waitgroup_poll() */
			lock(me);
			d_step {
#ifndef MUT_POLL_NO_HOLD
				HOLD;	/* wg_hold_locked(): point 5 */
#else
				/* MUTATION: the state judged without setting WG_LOCKED. */
#endif
				if
				:: seen[f] == UNPOLLED -> seen[f] = gen
				:: else
				fi;
				mask = (count == 0 || cancel_err != 0 || gen > seen[f])
			}
#ifdef MUT_HOLD_STORE
			HOLD_STORE;
#endif
			/* WG_LOCKED stays while the poller is queued */
			flags_locked();
			unlock(me);
#ifdef MUT_POLL_READ_FIRST
			/* MUTATION: poll_wait() after the state is read. */
			atomic { lk == 0 -> pq_active[me] = 1 }
#endif
			if
			:: mask -> break
			:: else ->
				pq_trig[me] == 1;	/* poll_schedule_timeout() */
				COVER(14);
				pq_trig[me] = 0
			fi
		od;
		/* poll_freewait(): remove_wait_queue(), under wq.lock */
		atomic { lk == 0 -> pq_active[me] = 0; pq_trig[me] = 0 }
		wg_wait(me, f, 1, 0, 0, 0)
	:: else -> break
	od
}

/* waitgroup_cancel(), then an add that must fail or start a new generation */
proctype canceller(byte me)
{
	SCRATCH;
	lock(me);
	cancel_locked(me, ECANCELED);
	unlock(me);
	wg_add(me, 1, 0, ret);
	if
	:: ret == OK -> wg_add(me, -1, 0, ret2)
	:: else
	fi
}

init
{
	atomic {
		seen[0] = UNPOLLED;
		seen[1] = UNPOLLED;
		seen[2] = UNPOLLED;
#if defined(CFG_2P)
		/* a task; a waiter (signals, restart, deadline-0 test) */
		run worker(0, GENS, 0, 1, 0, 0, 0);
		run waiter(1, GENS, 1, 0, 1);
#elif defined(CFG_3P)
		/* a task, a userspace waiter and a kernel API waiter */
		run worker(0, GENS, 0, 1, 0, 0, 0);
		run waiter(1, GENS, 1, 0, 0);
		run waiter(2, GENS, NP, 0, 0);
#elif defined(CFG_3P_TASKS)
		/* two tasks (one with errors) and a waiter */
		run worker(0, GENS, 0, 1, 0, 0, 0);
		run worker(1, GENS, 0, 0, 0, 0, 0);
		run waiter(2, GENS, 2, 0, 0);
#elif defined(CFG_3P_POLL)
		/* a task; a waiter and a poller of one file */
		run worker(0, GENS, 0, 1, 0, 0, 0);
		run waiter(1, GENS, 1, 0, 0);
		run poller(2, GENS, 1);
#elif defined(CFG_3P_LIMIT)
		/* a task that sets limit 1, a task that waits for room, a waiter */
		run worker(0, GENS, 1, 0, 0, 1, 0);
		run worker(1, GENS, 1, 0, 0, 0, 0);
		run waiter(2, GENS, 2, 0, 0);
#elif defined(CFG_3P_FIFO)
		/* three tasks under limit 1: two can wait for room at once,
		 * and be interrupted */
		run worker(0, GENS, 1, 0, 0, 1, 0);
		run worker(1, 1, 1, 0, 0, 0, SIGNALS);
		run worker(2, 1, 1, 0, 0, 0, SIGNALS);
#elif defined(CFG_3P_LIMIT_COE)
		/* limit 1 and errors: a task with errors, a task waiting for
		 * room, a waiter that cancels on error */
		run worker(0, GENS, 1, 1, 0, 1, 0);
		run worker(1, 1, 1, 0, 0, 0, 0);
		run waiter(2, GENS, 2, 1, 0);
#elif defined(CFG_3P_CANCEL)
		/* a task that may hang once canceled, a waiter (cancel on error), a cancel */
		run worker(0, GENS, 0, 1, 1, 0, 0);
		run waiter(1, GENS, 1, 1, 0);
		run canceller(2);
#else
#error "no configuration: -DCFG_2P, CFG_3P, CFG_3P_TASKS, CFG_3P_POLL, CFG_3P_LIMIT, CFG_3P_FIFO, CFG_3P_LIMIT_COE or CFG_3P_CANCEL"
#endif
	}
}
