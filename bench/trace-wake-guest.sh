#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/trace-wake's guest half: sh trace-wake-guest.sh ROUNDS. Traces the
# wake-ups of wg-bench's processes (sched_waking, sched_switch, the IPIs)
# on the mono clock while wg-bench -p wake -v runs, then prints wg-bench's
# per-round lines and the trace.
echo "trace-wake: guest started"
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
[ -e $T/trace ] || T=/sys/kernel/debug/tracing
[ -e $T/trace ] || { echo "trace-wake: no tracefs" >&2; exit 1; }
echo mono >$T/trace_clock
echo 16384 >$T/buffer_size_kb
echo 'comm ~ "wg-bench*"' >$T/events/sched/sched_waking/filter
echo 1 >$T/events/sched/sched_waking/enable
echo 'next_comm ~ "wg-bench*"' >$T/events/sched/sched_switch/filter
echo 1 >$T/events/sched/sched_switch/enable
for e in call_function_single_entry reschedule_entry; do
	[ -e $T/events/irq_vectors/$e ] && echo 1 >$T/events/irq_vectors/$e/enable
done
echo 1 >$T/tracing_on
wg-bench -p wake -v -r "${1:-200}" -w 2 -W 3 2>bench.err >bench.out
rc=$?
echo 0 >$T/tracing_on
cat bench.err
cat $T/trace
exit $rc
