/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitgroup.pml - the waitgroup protocol of kmod/wg_core.c and wg_file.c
 * in Promela, for spin(1). scripts/check-model runs it; model/README.md
 * says what is modelled, what is abstracted and why.
 *
 * One configuration is chosen with -DCFG_<name> (see init at the end);
 * a mutation with -DMUT_<name>. Every inline below names the kernel
 * function it stands for.
 *
 * Memory ordering: spin explores sequentially consistent interleavings.
 * That is exact here because every shared access of the protocol is one
 * of: under wq.lock; a fully ordered RMW (atomic64_try_cmpxchg,
 * atomic64_inc_return); a release store read by an acquire load (the
 * records' done); or a plain/relaxed read whose staleness the code
 * tolerates and the model reproduces by making it a step of its own (the
 * fast path's atomic64_read, which only feeds a cmpxchg;
 * waitqueue_active() of a poll queue; READ_ONCE(latch->w.done)).
 * model/README.md, "Memory ordering", gives each atomic's LKMM argument.
 */

#ifndef GENS
#define GENS 2
#endif
#ifndef SIGNALS
#define SIGNALS 1
#endif

#define NP	3	/* processes at most; also the index of "none" */
#define NG	8	/* generations at most, for the ghost arrays */

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
#define HOW_LATCH	1
#define HOW_ZERO	2
#define HOW_CANCEL	3
#define HOW_SLEPT	4

/* ---- waitgroup.state, one atomic64_t: counter | WG_SLOW | waiters ---- */
short count;		/* high half; short so "never negative" can fail */
byte nwait;		/* low half, bits 0-30: registered sleepers */
bool slow;		/* WG_SLOW, bit 31 */

/* ---- wq.lock: 0 free, else holder + 1 ---- */
byte lk;

/* ---- under wq.lock (generation: atomic64, written only under it) ---- */
byte gen;		/* waitgroup.generation: completions so far */
byte err;		/* the running generation's first error */
byte aband;		/* ... and its abandoned adds */
byte last_err;
byte last_aband;
bool last_canceled;
byte cancel_err;
byte limit;
byte coe_waiters;

/* ---- struct wg_waiter of each sleeper (on its stack), on wg->results ---- */
bool w_linked[NP];	/* on the results list */
bool w_done[NP];	/* release store / acquire load */
bool w_rel[NP];		/* released: the completion (or a cancel) wrote it */
bool w_onrel[NP];	/* on wg->released, for the unlock to wake */
bool w_cancelable[NP];
bool w_coe[NP];
byte w_gen[NP];
byte w_err[NP];
byte w_aband[NP];
bool w_canc[NP];
bool w_lat[NP];		/* latched: a latch was filled before its release */

/* ---- struct wg_latch of each process's open file ---- */
bool l_linked[NP];
bool l_done[NP];
bool l_keep[NP];
byte l_gen[NP];
byte l_err[NP];
byte l_aband[NP];
bool l_canc[NP];
byte l_seen[NP];
bool pq_active[NP];	/* someone on the file's poll queue */
bool pq_trig[NP];	/* pollwake(): poll_wqueues.triggered */

/* ---- wait queues, task states ---- */
bool tsleep[NP];	/* task state not TASK_RUNNING (set_current_state) */
bool sigpend[NP];	/* signal_pending() */
bool sigsent[NP];	/* at most one signal per process: bounds the model */

/* ---- struct wg_room: adders waiting for room, FIFO wg->roomers ---- */
byte roomers[NP];
byte nroom;
bool room_done[NP];
byte room_ret[NP];

/* ---- ghosts: the specification, moved at the linearisation points ---- */
byte sgen;		/* generations completed: the zero-reaching cmpxchg */
byte spec_err[NG];	/* first error reported in each generation */
byte spec_aband[NG];	/* adds abandoned in each generation */
byte spec_canc[NG];	/* the cancel's code, if that generation was canceled */
bool g_lim;		/* a limit is in force (WG_SLOW set for it) */
bool g_canc;		/* a cancel is in force (WG_SLOW set for it) */
bool g_cancels;		/* the update being applied has an error that cancels */
bool g_late;		/* adders let in after their generation's completion */
byte room_tk[NP];	/* FIFO tickets of the adders waiting for room */
byte room_gen[NP];	/* the generation each queued in (sgen + 1) */
byte next_tk = 1;
byte served_tk;

/*
 * Coverage: -DCOVERPT=n makes point n an assertion failure, so that
 * "scripts/check-model cover" can show each point is reached (no property
 * holds vacuously).
 */
#ifndef COVERPT
#define COVERPT 0
#endif
#define COVER(n) if :: COVERPT == n -> assert(false) :: else fi

/* Every proctype's scratch locals (inlines are textual). */
#define SCRATCH \
	byte i; byte k; byte oc; byte ow; short nc; short base; byte rel; \
	byte undo; byte rg; byte re; byte ra; bool rc; byte how; \
	byte mygen; bool restart; bool fp_done; bool old_nz; bool pint; \
	bool mask; bool lf; byte ret; byte ret2; bool won; byte wi; \
	byte towake; byte rp; \
	byte cg; byte ce; byte ca; bool cc; bool cnl; bool lat

/* ---------------------------------------------------------------- */

/* spin_lock_irqsave(&wg->wq.lock) / spin_unlock_irqrestore() */
inline lock(me)
{
	atomic { lk == 0 -> lk = me + 1 }
}

/*
 * wg_unlock(): every unlock of wq.lock takes the released sleepers off
 * wg->released with it, then, without the lock, marks each done (a
 * release store) and wakes its task: separate steps, so the task may
 * have seen done and returned before its wake, and others may run
 * between them.
 */
inline unlock(me)
{
	d_step {
		assert(lk == me + 1);
		towake = 0;
		wi = 0;
		do
		:: wi < NP ->
			if
			:: w_onrel[wi] -> w_onrel[wi] = 0; towake = towake | (1 << wi)
			:: else
			fi;
			wi++
		:: else -> break
		od;
		lk = 0
	}
	wi = 0;
	do
	:: wi < NP ->
		if
		:: towake & (1 << wi) ->
			w_done[wi] = 1;		/* smp_store_release */
			wake_process(wi)	/* its task, read before */
		:: else
		fi;
		wi++
	:: else -> break
	od
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
 * wake_up_process() of a sleeper's task, after its record is done: a step
 * of its own, so the task may have seen done, returned and begun another
 * sleep (a spurious wakeup, which every sleep loop tolerates).
 */
inline wake_process(p)
{
	tsleep[p] = 0
}

/*
 * wg_sleep(), the waiter's sleep, with no queue and no lock: the
 * completion marks the record done and then wakes the task itself.
 *	for (;;) {
 *		set_current_state(state);	// full barrier
 *		if (done) break;		// acquire
 *		if (signal_pending_state()) { ret = -ERESTARTSYS; break; }
 *		schedule();
 *		if (done) return 0;		// woken: TASK_RUNNING
 *	}
 *	__set_current_state(TASK_RUNNING);
 */
inline wg_sleep(me, cond, intr, ret)
{
	ret = OK;
	do
	::
#ifdef MUT_CHECK_BEFORE_QUEUE
		/* MUTATION: the condition tested before the task state is set. */
		if
		:: cond -> break
		:: else
		fi;
		tsleep[me] = 1;
#else
		tsleep[me] = 1;
		if
		:: cond -> break
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
		fi;
		/* Woken: done tested before the state is set again. */
		if
		:: cond -> break
		:: else
		fi
	od;
	tsleep[me] = 0
}

/* wg_slow_locked(): WG_SLOW by cmpxchg on the state word, under wq.lock */
inline slow_locked()
{
	d_step {
		slow = (limit != 0 || cancel_err != 0);
		g_lim = (limit != 0);
		g_canc = (cancel_err != 0)
	}
}

/* ---- the swappable part: fast path and completion ---- */
#include "completion.pml"

/*
 * wg_room_fit_locked(wg, base, false): the counter with the adders at the
 * head of the queue that fit (each adds 1 in the model). Computes into nc.
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

/* wg_room_fit_locked(wg, base, true): let in the first k (FIFO) */
inline room_commit()
{
	if
	:: k > 0 ->
		do
		:: k > 0 ->
#ifdef MUT_ROOM_WAKE_FIRST
			/* MUTATION: the adder woken before its record is done. */
			wake_process(roomers[0]);
#endif
			d_step {
				/* FIFO: the head holds the oldest ticket. */
				assert(room_tk[roomers[0]] > served_tk);
				served_tk = room_tk[roomers[0]];
				/*
				 * let in within the generation it waited in, or the
				 * next if that one's error completed it (point 8)
				 */
				assert(room_gen[roomers[0]] == sgen + 1 ||
				       g_late && room_gen[roomers[0]] == sgen);
				room_ret[roomers[0]] = OK;
				COVER(8);
				room_done[roomers[0]] = 1;	/* release */
				rp = roomers[0];
				roomers[0] = roomers[1];
				roomers[1] = roomers[2];
				nroom--;
				k--
			}
#ifndef MUT_ROOM_WAKE_FIRST
			/* wg_room_release_locked(): that adder's task only */
			wake_process(rp)
#else
			skip
#endif
		:: else -> break
		od;
		skip	/* the loop's exit, not the caller's next d_step */
	:: else
	fi
}

/* wg_cancel_locked(): cancel the running generation */
inline cancel_locked(me, e)
{
	/* The test is relaxed but exact: only wq.lock's holder reaches zero. */
	atomic {
		pint = (count == 0 || cancel_err != 0);
		if
		:: !pint ->
			cancel_err = e;
			assert(sgen + 1 < NG);
			spec_canc[sgen + 1] = e;
#if defined(COMPLETION_LOCKFREE) && !defined(LOCKFREE_CANCEL_SPLIT)
			/*
			 * The sketch: a lock-free completion can reach zero
			 * under wq.lock, so the test and WG_SLOW are one
			 * cmpxchg on the state word.
			 */
#ifdef MUT_CANCEL_NO_SLOW
			g_canc = 1	/* MUTATION: WG_SLOW not set */
#else
			slow = 1; g_canc = 1
#endif
#else
			skip
#endif
		:: else
		fi
	}
	if
	:: pint -> skip
	:: else ->
#if !defined(COMPLETION_LOCKFREE) || defined(LOCKFREE_CANCEL_SPLIT)
#ifdef MUT_CANCEL_NO_SLOW
		/* MUTATION: WG_SLOW not set, lock-free adds go on. */
		g_canc = 1;
#else
		slow_locked();
#endif
#endif
		do
		:: nroom > 0 ->
			d_step {
				room_ret[roomers[0]] = ECANC;
				room_done[roomers[0]] = 1;
				rp = roomers[0];
				roomers[0] = roomers[1];
				roomers[1] = roomers[2];
				nroom--
			}
			wake_process(rp)
		:: else -> break
		od;
		rel = 0;
		i = 0;
		do
		:: i < NP ->
			if
			:: l_linked[i] && pq_active[i] -> pq_trig[i] = 1	/* wake_up_poll */
			:: else
			fi;
			if
			:: w_linked[i] && w_cancelable[i] ->
				d_step {
					w_linked[i] = 0;
					w_gen[i] = gen + 1; w_err[i] = e;
					w_aband[i] = aband; w_canc[i] = 1;
					COVER(10);
					rel++;
					w_rel[i] = 1; w_onrel[i] = 1	/* the unlock wakes it */
				}
			:: else
			fi;
			i++
		:: else -> break
		od;
		coe_waiters = 0;
		d_step { assert(nwait >= rel); nwait = nwait - rel }	/* atomic64_sub */
	fi
}

/*
 * wg_update_locked(): under wq.lock. The cmpxchg loop is one step, as in
 * fast_path: what it computes from reads only what wq.lock protects.
 */
inline update_locked(me, delta, error, ab, ret)
{
	atomic {
		/* An error that cancels the generation lets no one in: point 8. */
		cnl = (error != 0 && coe_waiters > 0 && cancel_err == 0);
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
				/* MUTATION: the done tests for zero before handing room over. */
				nc = base; k = 0;
#else
				if
				:: delta < 0 && !cnl && nroom > 0 -> room_fit(base)	/* hand_over */
				:: else -> nc = base; k = 0
				fi;
#endif
				old_nz = (count != 0);
				spec_update(delta, error, ab, nc);
				count = nc;
				if
				:: nc == 0 -> nwait = 0	/* low half & WG_SLOW */
				:: else
				fi;
#ifdef COMPLETION_LOCKFREE
				/*
				 * The sketch: "the generation has an error" is in the
				 * word, and so are the generation and its result when
				 * this cmpxchg reaches zero (unless LOCKFREE_GEN_AFTER).
				 */
				if
				:: error != 0 && err == 0 -> err = error
				:: else
				fi;
				aband = aband + ab;
#ifndef LOCKFREE_GEN_AFTER
				if
				:: nc == 0 && old_nz -> complete_publish()
				:: else
				fi
#endif
#else
				skip
#endif
			:: else
			fi
		fi;
		g_cancels = 0
	}
	if
	:: ret == OK ->
		room_commit();
#ifndef COMPLETION_LOCKFREE
		d_step {
			if
			:: error != 0 && err == 0 -> err = error
			:: else
			fi;
			aband = aband + ab
		}
#endif
		if
		:: nc == 0 && old_nz ->
			complete_locked(me);
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

/* __waitgroup_add() */
inline wg_add(me, delta, error, ret)
{
	fast_path(me, delta, error, ret, fp_done);
	if
	:: !fp_done ->
		lock(me);
		update_locked(me, delta, error, 0, ret);
		unlock(me)
	:: else
	fi
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

/* wg_room_update_locked(): let in the adders that fit now */
inline room_update_locked()
{
	if
	:: nroom > 0 ->
		atomic {
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

/* waitgroup_set_limit() */
inline set_limit(me, l)
{
	lock(me);
	limit = l;
	slow_locked();
	/* wg_room_drop_locked(): every add in the model (1) fits the limit */
	room_update_locked();
	unlock(me)
}

/* __waitgroup_add_wait(wg, 1, TASK_INTERRUPTIBLE, KTIME_MAX) */
inline add_wait(me, ret)
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
				room_done[me] = 0;
				room_tk[me] = next_tk;
				next_tk++;
				room_gen[me] = sgen + 1
			}
		:: else
		fi;
		unlock(me);
		if
		:: ret == EAGAIN ->
			wg_sleep(me, room_done[me], 0, ret2);
			ret = room_ret[me]
		:: else
		fi
	:: else
	fi
}

/* wg_latch_rearm_locked() */
inline latch_rearm_locked(f)
{
	if
	:: !l_done[f] && !l_linked[f] && pq_active[f] -> l_linked[f] = 1
	:: else
	fi
}

/* wg_latch_seen() */
inline latch_seen(me, g, c)
{
	lock(me);
	d_step {
		if
		:: c && l_seen[me] < g -> l_seen[me] = g
		:: else
		fi;
		if
		:: l_done[me] && l_gen[me] <= g ->
			l_done[me] = 0;
			latch_rearm_locked(me)
		:: else
		fi
	}
	unlock(me)
}

/* A completed generation's result is its own (sgen: completed so far). */
inline check_completed(g, e, a, c)
{
	assert(g <= sgen);
	if
	:: g > 0 && !c ->
		assert(spec_canc[g] == 0);
		assert(e == spec_err[g] && a == spec_aband[g])
	:: g > 0 && c -> assert(spec_canc[g] != 0 && e == spec_canc[g])
	:: else -> assert(e == 0 && a == 0 && !c)
	fi
}

/*
 * __waitgroup_wait(wg, latch ? file's latch : NULL, intr ?
 * TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE, KTIME_MAX, flags, &res),
 * and, for a file, the restart of an interrupted call (SA_RESTART): the
 * restarted call must return for the generation the first began in.
 * Result in rg, re, ra, rc; how it returned in how.
 */
inline wg_wait(me, latch, cancelable, coe, intr)
{
	restart = 0;
	do
	::
	lock(me);
	if
	:: latch && l_done[me] ->
		d_step {
			rg = l_gen[me]; re = l_err[me];
			ra = l_aband[me]; rc = l_canc[me];
			how = HOW_LATCH;
			COVER(1);
			if
			:: restart -> COVER(7)
			:: else
			fi;
			check_completed(rg, re, ra, rc);
			assert(!restart || rg == mygen);
			l_done[me] = 0;
			latch_rearm_locked(me)
		}
		unlock(me);
		break
	:: else ->
		if
		:: count == 0 ->
			d_step {
				rg = gen; re = last_err; ra = last_aband;
				rc = last_canceled;
				how = HOW_ZERO;
				COVER(2);
				assert(rg == sgen);
				check_completed(rg, re, ra, rc);
				assert(!restart || rg == mygen)
			}
			unlock(me);
			break
		:: else
		fi;
		if
		:: coe && err != 0 -> cancel_locked(me, err)
		:: else
		fi;
		if
		:: cancel_err != 0 && cancelable ->
			d_step {
				rg = gen + 1; re = cancel_err; ra = aband; rc = 1;
				how = HOW_CANCEL;
				COVER(3);
				assert(rg == sgen + 1 && spec_canc[rg] == re);
				assert(!restart || rg == mygen);
				if
				:: latch -> l_keep[me] = 0; l_seen[me] = rg
				:: else
				fi
			}
			unlock(me);
			break
		:: else
		fi;
		/* atomic64_inc (relaxed, under wq.lock); list_add_tail */
#if defined(COMPLETION_LOCKFREE) && !defined(LOCKFREE_REGISTER_LOCKED)
		/*
		 * The sketch: with a lock-free completion the counter can reach
		 * zero under our lock, so registering is a cmpxchg that fails
		 * if it did since the test above; the wait then starts over.
		 */
		atomic {
		pint = (count == 0);
		if
		:: pint -> skip
		:: else ->
#else
		pint = 0;
		d_step {
#endif
			nwait++;
			w_linked[me] = 1;
			w_done[me] = 0;
			w_rel[me] = 0;
			w_lat[me] = 0;
			w_cancelable[me] = cancelable;
			w_coe[me] = coe;
			if
			:: coe -> coe_waiters++
			:: else
			fi;
			if
			:: latch -> l_keep[me] = 0
			:: else
			fi;
			/* the generation this wait is for */
			assert(!restart || mygen == sgen + 1);
			mygen = sgen + 1
#if defined(COMPLETION_LOCKFREE) && !defined(LOCKFREE_REGISTER_LOCKED)
		fi
#endif
		}
		unlock(me);
		if
		:: pint -> skip		/* the sketch's failed registration */
		:: else ->
		wg_sleep(me, w_done[me], intr, ret);
		if
		:: ret != OK ->		/* gives up unless the completion won */
			lock(me);
#ifdef MUT_GIVEUP_TESTS_DONE
			/* MUTATION: the give-up tests done, which comes after the unlock. */
			won = w_done[me];
#else
			won = w_rel[me];
#endif
			if
			:: won ->
				COVER(6);
				if
				:: !w_done[me] -> COVER(18)
				:: else
				fi
			:: else ->
				d_step {
					w_linked[me] = 0;
					assert(nwait > 0);
					nwait--;
					if
					:: coe -> coe_waiters--
					:: else
					fi;
					if
					:: latch && !l_done[me] ->
						l_keep[me] = 1;
						l_linked[me] = 1
					:: else
					fi
				}
			fi;
			unlock(me);
			if		/* released first: its done follows */
			:: won -> wg_sleep(me, w_done[me], 0, ret)
			:: else
			fi
		:: else
		fi;
		if
		:: ret == OK ->
			d_step {
				rg = w_gen[me]; re = w_err[me];
				ra = w_aband[me]; rc = w_canc[me];
				how = HOW_SLEPT;
				COVER(4);
				/* its own generation: not earlier, not later */
				assert(rg == mygen);
				/* no early release: completed, or canceled */
				if
				:: !rc -> assert(sgen >= rg)
				:: else
				fi;
				if
				:: rc -> assert(spec_canc[rg] != 0 && re == spec_canc[rg])
				:: else -> check_completed(rg, re, ra, rc)
				fi
			}
			if
			:: latch && (rc || (w_lat[me] && l_done[me])) -> latch_seen(me, rg, rc)
			:: else
			fi;
			break
		:: else ->
			/* -ERESTARTSYS: the call restarts once the signal is handled */
			assert(latch);
			sigpend[me] = 0;
			COVER(5);
			restart = 1
		fi
		fi
	fi
	od
}

/* ---------------------------------------------------------------- */

/*
 * A task of the group: per round, an add (waiting for room under a limit
 * if room), then a done, a done with an error, or the close of a file
 * with the add in its undo ledger. hold: the task may hang for good once
 * its generation is canceled (its waiters must return all the same).
 */
proctype worker(byte me; byte rounds; bool room; bool errors; bool hold;
		byte setlimit)
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
		:: room -> add_wait(me, ret)
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
		:: else
		fi
	:: else -> break
	od
}

/* A waiter: waits times; file: WG_IOC_WAIT, else waitgroup_wait(). */
proctype waiter(byte me; byte waits; bool file; bool coe)
{
	SCRATCH;
	do
	:: waits > 0 ->
		waits--;
		if
		:: file ->
			if
			:: wg_wait(me, 1, 1, 0, SIGNALS)
			:: coe -> wg_wait(me, 1, 1, 1, SIGNALS)
			fi
		:: else -> wg_wait(me, 0, 0, 0, 0)
		fi
	:: else -> break
	od
}

/*
 * poll() of a file until it is readable (do_poll(): the entry queued once,
 * poll_schedule_timeout() sleeps until pollwake() triggered it), then the
 * file's WG_IOC_WAIT.
 */
proctype poller(byte me)
{
	SCRATCH;
	pq_active[me] = 1;		/* poll_wait(): queued before the state */
	do
	::
#ifdef MUT_POLL_READ_FIRST
		/* MUTATION: queued on the poll queue only after the state read. */
		pq_active[me] = 0;
#endif
		lock(me);			/* wg_latch_poll() */
		d_step {
			mask = (l_done[me] || count == 0 || cancel_err != 0);
			if
			:: !l_done[me] && !l_linked[me] -> l_linked[me] = 1
			:: else
			fi
		}
		unlock(me);
#ifdef MUT_POLL_READ_FIRST
		pq_active[me] = 1;
#endif
		if
		:: mask -> break
		:: else ->
			pq_trig[me] == 1;	/* poll_schedule_timeout() */
			COVER(14);
			pq_trig[me] = 0
		fi
	od;
	pq_active[me] = 0;		/* poll_freewait() */
	wg_wait(me, 1, 1, 0, 0)
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
#if defined(CFG_2P)
		/* a task, and a waiter (userspace, signals, restart) */
		run worker(0, GENS, 0, 1, 0, 0);
		run waiter(1, GENS, 1, 0);
#elif defined(CFG_3P)
		/* a task, a userspace waiter and a kernel API waiter */
		run worker(0, GENS, 0, 1, 0, 0);
		run waiter(1, GENS, 1, 0);
		run waiter(2, GENS, 0, 0);
#elif defined(CFG_3P_TASKS)
		/* two tasks (one with errors) and a waiter */
		run worker(0, GENS, 0, 1, 0, 0);
		run worker(1, GENS, 0, 0, 0, 0);
		run waiter(2, GENS, 1, 0);
#elif defined(CFG_3P_POLL)
		/* a task, a waiter and a poller */
		run worker(0, GENS, 0, 1, 0, 0);
		run waiter(1, GENS, 1, 0);
		run poller(2);
#elif defined(CFG_3P_LIMIT)
		/* a task that sets limit 1, a task that waits for room, a waiter */
		run worker(0, GENS, 1, 0, 0, 1);
		run worker(1, GENS, 1, 0, 0, 0);
		run waiter(2, GENS, 1, 0);
#elif defined(CFG_3P_FIFO)
		/* three tasks under limit 1: two can wait for room at once */
		run worker(0, GENS, 1, 0, 0, 1);
		run worker(1, 1, 1, 0, 0, 0);
		run worker(2, 1, 1, 0, 0, 0);
#elif defined(CFG_3P_LIMIT_COE)
		/* limit 1 and errors: a task with errors, a task waiting for
		 * room, a waiter that cancels on error */
		run worker(0, GENS, 1, 1, 0, 1);
		run worker(1, 1, 1, 0, 0, 0);
		run waiter(2, GENS, 1, 1);
#elif defined(CFG_3P_CANCEL)
		/* a task that may hang once canceled, a waiter (cancel on error), a cancel */
		run worker(0, GENS, 0, 1, 1, 0);
		run waiter(1, GENS, 1, 1);
		run canceller(2);
#else
#error "no configuration: -DCFG_2P, CFG_3P, CFG_3P_TASKS, CFG_3P_POLL, CFG_3P_LIMIT, CFG_3P_FIFO, CFG_3P_LIMIT_COE or CFG_3P_CANCEL"
#endif
	}
}
