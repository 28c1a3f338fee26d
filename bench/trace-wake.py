# SPDX-License-Identifier: GPL-2.0
"""bench/trace-wake's report: split each one-waiter round of wg-bench -v
into the waker's path to try_to_wake_up() (its stamp to sched_waking), the
IPI's arrival on the waiter's vCPU, the switch to the waiter, and the
waiter's way back to user mode (the switch to its stamp); medians in us."""
import re
import statistics
import sys

ROUND = re.compile(r"wake (\S+) 1: round \d+: last (\d+) ns, median \d+ ns, "
                   r"cpu (\d+), parent \d+, t0 (\d+)")
EVENT = re.compile(r"\[(\d+)\] \S+\s+(\d+)\.(\d+): (\w+): (.*)")
IPIS = ("call_function_single_entry", "reschedule_entry")


def parse(path):
    rounds, events = [], []
    for line in open(path, errors="replace"):
        m = ROUND.search(line)
        if m:
            rounds.append((m[1], int(m[2]), int(m[3]), int(m[4])))
            continue
        m = EVENT.search(line)
        if not m:
            continue
        ts = int(m[2]) * 10**9 + int(m[3].ljust(9, "0"))
        # The task woken, or the one switched to.
        key = "next_pid" if m[4] == "sched_switch" else "pid"
        pid = re.search(rf"(?:^|\s){key}=(\d+)", m[5])
        events.append((ts, int(m[1]), m[4], int(pid[1]) if pid else None))
    events.sort()
    return rounds, events


def split(rounds, events):
    out = {}
    for impl, last, wcpu, t0 in rounds:
        t1 = t0 + last
        win = [e for e in events if t0 - 1000 <= e[0] <= t1 + 1000]
        waking = [e for e in win if e[2] == "sched_waking"]
        if not waking:
            continue
        wk = waking[0]
        ipi = [e for e in win if e[2] in IPIS and e[1] == wcpu and e[0] >= wk[0]]
        sw = [e for e in win if e[2] == "sched_switch" and e[3] == wk[3] and e[0] >= wk[0]]
        if not sw:
            continue
        mid = ipi[0][0] if ipi and ipi[0][0] <= sw[0][0] else None
        out.setdefault(impl, []).append((wk[0] - t0, mid and mid - wk[0],
                                         sw[0][0] - (mid or wk[0]), t1 - sw[0][0], last))
    return out


def main():
    rounds, events = parse(sys.argv[1])
    by = split(rounds, events)
    want = ("waitgroup", "futex-wg", "semop")
    if sorted(by) != sorted(want):
        sys.exit(f"trace-wake: rounds matched in the trace for {sorted(by)}, not {list(want)}")
    heads = ("stamp->waking", "waking->IPI", "IPI->switch", "switch->stamp", "total")
    print(f"{'primitive':<10} {'rounds':>6} " + " ".join(f"{h:>14}" for h in heads))
    for impl, rows in by.items():
        cols = []
        for i in range(5):
            v = [r[i] for r in rows if r[i] is not None]
            cols.append(f"{statistics.median(v) / 1000:>11.1f} us" if v else f"{'-':>14}")
        print(f"{impl:<10} {len(rows):>6} " + " ".join(cols))


main()
