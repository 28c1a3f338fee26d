#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn wg-bench's CSV into the table (text and Markdown) and gnuplot data.

usage: bench/report.py RESULTS.CSV OUTDIR

Writes OUTDIR/results.txt, OUTDIR/results.md and OUTDIR/contention-SMP.dat,
and prints results.txt. Every ratio is of two medians measured in the same
VM boot (same vCPU count); the wake figures, measured in three boots of
each vCPU count, are the median of the three boots' medians. With
rounds.csv beside RESULTS.CSV (bench/run writes it), the wake goals also
get the ratio round by round, pooled over the boots, with a 95% confidence
interval for its median.
"""
import csv
import os
import statistics
import sys

LABELS = {
    ("op", "null-ioctl"): "null ioctl (ENOTTY on a group fd)",
    ("op", "getppid"): "trivial syscall: getppid()",
    ("pair", "null-ioctl"): "2 null ioctls",
    ("pair", "getppid"): "2 getppid()",
    ("pair", "waitgroup"): "ADD(+1) + DONE, 0->1->0",
    ("pair", "wg-val"): "ADD_VAL(+1) + DONE, 0->1->0 (delta in the argument)",
    ("pair", "wg-nonzero"): "ADD(+1) + DONE, 1->2->1 (no zero)",
    ("pair", "wg-add-add"): "ADD(+1) + ADD(-1), 0->1->0",
    ("pair", "semop"): "semop(+1) + semop(-1)",
    ("pair", "eventfd"): "eventfd write + read",
    ("pair", "futex-wg"): "futex waitgroup add + done",
    ("pair", "pipe"): "pipe write + read (1 byte)",
    ("wait0", "waitgroup"): "WAIT on a zero group (deadline 0)",
    ("wait0", "semop"): "semop wait-for-zero (value 0)",
    ("wait0", "futex-wg"): "futex waitgroup wait (counter 0)",
}
IMPL = {"waitgroup": "waitgroup", "futex-wg": "futex waitgroup",
        "semop": "semop wait-for-zero"}


STATS = ("median", "p10", "p90", "min", "max")


def load(path):
    """The rows, one per figure: a figure measured in several boots gets the
    median of each statistic over the boots, and "boots", their medians."""
    by = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            for k in STATS:
                r[k] = float(r[k])
            by.setdefault((r["smp"], r["section"], r["work"], r["impl"]), []).append(r)
    rows = []
    for runs in by.values():
        r = dict(runs[0], boots=[x["median"] for x in runs])
        for k in STATS:
            r[k] = statistics.median(x[k] for x in runs)
        rows.append(r)
    return rows


def fmt_ns(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e4:
        return f"{v / 1e3:.1f} us"
    return f"{v:.0f} ns"


def fmt(v, unit):
    if unit == "ns":
        return fmt_ns(v)
    if unit == "pairs/s":
        return f"{v / 1e3:.0f} k/s"
    if unit == "B/group":
        return f"{v:.0f} B"
    return f"{v:.2f}"


def spread(r):
    u = r["unit"]
    if r["samples"] == "1":
        return "(one measurement)"
    return f"{fmt(r['p10'], u)} .. {fmt(r['p90'], u)}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


class Table:
    def __init__(self):
        self.lines = []

    def section(self, title):
        self.lines.append(("section", title))

    def header(self, *cols):
        self.lines.append(("header", cols))

    def row(self, *cols):
        self.lines.append(("row", cols))

    def note(self, text):
        self.lines.append(("note", text))

    def text(self):
        out, block = [], []

        def flush():
            if not block:
                return
            widths = [max(len(r[i]) for r in block) for i in range(len(block[0]))]
            for r in block:
                out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                     for i, (c, w) in enumerate(zip(r, widths))).rstrip())
            block.clear()

        for kind, v in self.lines:
            if kind in ("header", "row"):
                block.append(list(v))
                continue
            flush()
            if kind == "section":
                out += ["", v, "-" * len(v)]
            else:
                out.append(v)
        flush()
        return "\n".join(out) + "\n"

    def markdown(self):
        out, in_table = [], False
        for kind, v in self.lines:
            if kind == "header":
                out += ["", "| " + " | ".join(v) + " |",
                        "|" + "|".join(" --- " if i == 0 else " ---: "
                                       for i in range(len(v))) + "|"]
                in_table = True
            elif kind == "row":
                out.append("| " + " | ".join(c.strip() or " " for c in v) + " |")
            else:
                if in_table:
                    out.append("")
                    in_table = False
                if kind == "section":
                    out += ["", f"**{v}**"]
                else:
                    out += ["", v]
        return "\n".join(out).strip() + "\n"


def load_rounds(path):
    """rounds.csv beside results.csv: each wake round's three figures, as
    {(smp, work): [(waitgroup, futex-wg, semop, boot), ...]}."""
    by = {}
    if not os.path.exists(path):
        return by
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            by.setdefault((int(r["smp"]), r["work"]), []).append(
                tuple(float(r[i]) for i in ("waitgroup", "futex-wg", "semop"))
                + (r["boot"],))
    return by


def median_ci(v):
    """The median of v and a 95% confidence interval for it that assumes
    nothing of the distribution: the order statistics a binomial(n, 1/2)
    puts the median between (normal approximation, n >= 10)."""
    v = sorted(v)
    n = len(v)
    half = 0.98 * n ** 0.5
    lo = max(int(n / 2 - half), 0)
    hi = min(int(n / 2 + half + 1), n - 1)
    return statistics.median(v), v[lo], v[hi]


def paired_note(rounds, smp, work, who, best):
    """The round-by-round ratio against the best peer, pooled over boots."""
    peer = ("futex-wg", "semop").index(best) + 1
    rows = [r for r in rounds.get((smp, work), []) if r[peer] > 0]
    pairs = [r[0] / r[peer] for r in rows]
    if len(pairs) < 10:
        return None
    m, lo, hi = median_ci(pairs)
    if hi < 1:
        judged = "below"
    elif lo > 1:
        judged = "above"
    else:
        judged = "not told apart from 1"
    boots = sorted({r[3] for r in rows}, key=int)
    each = " / ".join(
        f"{statistics.median(r[0] / r[peer] for r in rows if r[3] == b):.2f}"
        for b in boots)
    return (f"{who} {m:.3f} x {IMPL[best]} (95% CI {lo:.3f} .. {hi:.3f}, "
            f"{len(pairs)} rounds: {judged}; each boot's: {each})")


def wake_section(t, rows, smp, get, rounds=None):
    """Wake latency of one vCPU count: every figure the median of its boots,
    each against the best of the two peers."""
    wake = [r for r in rows if r["section"] == "wake" and int(r["smp"]) == smp]
    if not wake:
        return
    works = []
    for r in wake:
        if r["work"] not in works and r["unit"] == "ns":
            works.append(r["work"])
    nboots = max(len(r["boots"]) for r in wake)
    t.section(f"Wake latency: last done -> waiter back in userspace ({smp} vCPUs, "
              f"median of {nboots} boot{'s' if nboots > 1 else ''})")
    t.header("figure", "median", "p10 .. p90", "boots' medians",
             "waitgroup / this")
    verdicts, paired = [], []
    for work in works:
        wg = get(smp, "wake", work, "waitgroup")
        n = work.split("-")[1]
        who = {"1": "1 waiter"}.get(n, f"{int(n):,} waiters")
        what = who if n == "1" else who + (
            ", the last" if work.endswith("last") else ", the median") + " returns"
        peers = [get(smp, "wake", work, i) for i in ("futex-wg", "semop")]
        peers = [p for p in peers if p]
        for impl in ("waitgroup", "futex-wg", "semop"):
            r = get(smp, "wake", work, impl)
            if not r:
                continue
            t.row(f"{what}: {IMPL[impl]}", fmt(r["median"], "ns"), spread(r),
                  " / ".join(fmt(b, "ns") for b in r["boots"]),
                  ratio(wg["median"], r["median"]) if wg and impl != "waitgroup" else "")
        if wg and peers and (n == "1" or work.endswith("last")):
            bestp = min(peers, key=lambda p: p["median"])
            best = bestp["median"]
            verdicts.append(f"{who} {wg['median'] / best:.2f} x")
            if wg["median"] > best:
                verdicts[-1] += " (NOT met)"
            line = paired_note(rounds or {}, smp, work, who, bestp["impl"])
            if line:
                paired.append(line)
    tail = [get(smp, "wake", "wake-1-over-1ms", i) for i in ("waitgroup", "futex-wg", "semop")]
    if all(tail):
        t.note("Rounds of the 1-waiter figure over 1 ms: " + ", ".join(
            f"{IMPL[r['impl']]} {r['median']:.1f} %" for r in tail) + ".")
    if verdicts:
        t.note("Goal: waitgroup at or below the best peer (the median of the "
               "boots, waitgroup / best): " + "; ".join(verdicts) + ".")
    if paired:
        t.note("Round by round (the three primitives take turns within a "
               "round, so each round's ratio is free of the host's slow "
               "spells between rounds), against that best peer, the median "
               "pooled over the boots: " + "; ".join(paired) + ". The "
               "interval takes the rounds as independent; slow spells that "
               "last several rounds make it narrower than the truth, which "
               "the boots' own medians show.")
    t.note("Waiters are separate processes, each asleep (its waiter "
           "counted and no task runnable) before the release; one set of "
           "them serves the three primitives, which take turns round by "
           "round. The latency includes the scheduler and, with many "
           "waiters, their turns on the vCPUs.")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows, outdir = load(sys.argv[1]), sys.argv[2]
    # The instruction counts' boot (1 vCPU, under gdb) times nothing.
    smps = sorted({int(r["smp"]) for r in rows if r["section"] != "insns"})
    by = {(int(r["smp"]), r["section"], r["work"], r["impl"]): r for r in rows}

    def get(smp, section, work, impl):
        return by.get((smp, section, work, impl))

    main_smp = min(smps)
    t = Table()
    t.note("Measured under QEMU TCG emulation (no KVM), Debian's 6.1 kernel, "
           "mitigations=off. Each figure: median of repeated samples, "
           "p10 .. p90 spread, warm-up discarded; every ratio divides two "
           "medians from the same boot.")
    t.note("floor = null ioctl: an unknown command (_IO(WG_IOC_MAGIC, 0x7f)) "
           "on a group fd, which fails with ENOTTY after the whole ioctl path; "
           "syscall = getppid().")

    floor1 = get(main_smp, "micro", "op", "null-ioctl")
    floor2 = get(main_smp, "micro", "pair", "null-ioctl")
    sys1 = get(main_smp, "micro", "op", "getppid")
    sys2 = get(main_smp, "micro", "pair", "getppid")
    for work, label in (("wg-val", "ADD_VAL(+1)+DONE"), ("waitgroup", "ADD(+1)+DONE")):
        wgpair = get(main_smp, "micro", "pair", work)
        per_round = get(main_smp, "micro-ratio", "pair",
                        f"{'wg-val' if work == 'wg-val' else 'waitgroup'}/null-ioctl")
        if not (floor2 and wgpair):
            continue
        r = wgpair["median"] / floor2["median"]
        # The goal is judged as issue 13 defines it: the median of the
        # per-round ratio (the two measured side by side), 60 rounds or more.
        judged = per_round["median"] if per_round else r
        line = (f"Goal: {label} <= 1.10 x two null ioctls. Per round (the two "
                f"measured side by side): median {judged:.2f} x "
                f"({'met' if judged <= 1.10 else 'NOT met'})")
        if per_round:
            line += (f", p10 .. p90 {per_round['p10']:.2f} .. "
                     f"{per_round['p90']:.2f} over {per_round['samples']} rounds")
        line += f"; ratio of the two medians {r:.2f} x"
        t.note(line + ".")

    def floors(work):
        return (floor2, sys2) if work == "pair" else (floor1, sys1)

    if floor1:
        t.section(f"Uncontended, one process ({main_smp} vCPUs)")
        t.header("figure", "median", "p10 .. p90", "x floor", "x syscall",
                 "waitgroup / this")
        for work in ("op", "pair", "wait0"):
            f, s = floors(work)
            wg = get(main_smp, "micro", work, "waitgroup")
            for (w, impl), label in LABELS.items():
                r = get(main_smp, "micro", w, impl)
                if w != work or not r:
                    continue
                peer = wg and impl not in ("waitgroup", "null-ioctl", "getppid",
                                           "wg-nonzero", "wg-add-add")
                t.row(label, fmt(r["median"], "ns"), spread(r),
                      ratio(r["median"], f["median"]) if f else "-",
                      ratio(r["median"], s["median"]) if s else "-",
                      ratio(wg["median"], r["median"]) if peer else "")
        t.note("x floor: pairs against 2 null ioctls, single calls against 1. "
               "waitgroup / this: the waitgroup's figure for the same work "
               "divided by this peer's (below 1: the waitgroup is faster).")

    rounds = load_rounds(os.path.join(os.path.dirname(sys.argv[1]), "rounds.csv"))
    for smp in smps:
        wake_section(t, rows, smp, get, rounds)

    for smp in smps:
        lat = [r for r in rows if int(r["smp"]) == smp and r["section"] == "contention-latency"]
        if not lat:
            continue
        f2 = get(smp, "micro", "pair", "null-ioctl")
        t.section(f"Contention: N processes doing add+done on one group ({smp} vCPUs)")
        t.header("figure", "per pair", "p10 .. p90", "x floor", "throughput",
                 "p10 .. p90", "waitgroup / this (time)")
        for impl in ("waitgroup", "futex-wg", "semop"):
            for n in (1, 2, 4):
                work = f"procs-{n}"
                r = get(smp, "contention-latency", work, impl)
                tp = get(smp, "contention-throughput", work, impl)
                wg = get(smp, "contention-latency", work, "waitgroup")
                if not r:
                    continue
                name = {"semop": "semop +1/-1"}.get(impl, IMPL[impl])
                t.row(f"{name}, {n} proc{'s' if n > 1 else ''}",
                      fmt(r["median"], "ns"), spread(r),
                      ratio(r["median"], f2["median"]) if f2 else "-",
                      fmt(tp["median"], tp["unit"]), spread(tp),
                      ratio(wg["median"], r["median"]) if wg and impl != "waitgroup" else "")
        t.note("per pair: the time one process spends on an add+done pair; "
               "throughput: pairs per second, all processes together. "
               "x floor: against 2 null ioctls measured in this boot.")

    scale = [r for r in rows if r["section"] == "scale"]
    if scale:
        smp = int(scale[0]["smp"])
        t.section(f"Scale: named groups ({smp} vCPUs)")
        t.header("figure", "median", "p10 .. p90", "x floor")
        for r in scale:
            if r["unit"] != "ns":
                continue
            t.row(f"{r['work']} (per group, batches of {r['per_sample']})",
                  fmt(r["median"], "ns"), spread(r),
                  ratio(r["median"], floor1["median"]) if floor1 else "-")
        t.header("memory per group", "bytes", "", "")
        for r in scale:
            if r["unit"] == "B/group":
                t.row(r["work"], fmt(r["median"], r["unit"]), "", "")
            elif r["unit"] == "objs":
                t.row(r["work"].replace("objs-per-group:", "objects/group in "),
                      f"{r['median']:.2f}", "", "")
        t.note("live-*: all groups created (their fds closed; a name keeps a "
               "group alive) against before; after-unlink-*: all unlinked "
               "against before. slab-objects: sum over /proc/slabinfo caches "
               "of the change in active objects times object size; "
               "slab-pages: the change in slab pages; meminfo-*: the change "
               "in /proc/meminfo's Slab and MemAvailable.")

    reg = [r for r in rows if r["section"] == "registry"]
    if reg:
        smp = int(reg[0]["smp"])
        t.section(f"Registry: cost per operation against names and namespaces ({smp} vCPUs)")
        t.header("figure", "median", "p10 .. p90", "x floor")
        for r in reg:
            if r["unit"] == "ns":
                t.row(f"{r['work']} (batches of {r['per_sample']})",
                      fmt(r["median"], "ns"), spread(r),
                      ratio(r["median"], floor1["median"]) if floor1 else "-")
        t.header("flat-cost ratio (largest level / smallest)", "x", "", "limit")
        for r in reg:
            if r["unit"] == "x":
                t.row(r["work"], f"{r['median']:.2f}", "", "1.50")
        t.note("OP@N-names: N names in the caller's namespace; "
               "OP@N-namespaces: N IPC namespaces holding names. OP-ratio: "
               "the largest level's median cost over the smallest's, each "
               "in null ioctls timed in the same samples (a host that slows "
               "the emulator slows both); OP-time-ratio: the same in time. "
               "The registry promises at most 1.5x.")

    ins = {r["work"]: r["median"] for r in rows if r["section"] == "insns"}
    if ins:
        t.section("Kernel instructions per call (exact: 1 vCPU, single-stepped "
                  "through qemu's gdb stub)")
        t.header("call", "instructions", "", "x null ioctl")
        names = {"getppid": "getppid()", "null-ioctl": "null ioctl (ENOTTY)",
                 "add-0-1": "ADD(+1) 0 -> 1 (struct wg_add)",
                 "add-val-0-1": "ADD_VAL(+1) 0 -> 1 (delta in the argument)",
                 "done-1-0": "DONE 1 -> 0 (completes)", "done-2-1": "DONE 2 -> 1",
                 "wait0": "WAIT on a zero group"}
        null = ins.get("null-ioctl")
        for work, label in names.items():
            if work in ins:
                t.row(label, f"{ins[work]:.0f}", "",
                      ratio(ins[work], null) if null else "-")
        if null and "done-1-0" in ins:
            for add, label in (("add-val-0-1", "ADD_VAL+DONE"), ("add-0-1", "ADD+DONE")):
                if add in ins:
                    pair = ins[add] + ins["done-1-0"]
                    t.row(f"pair {label}, 0 -> 1 -> 0", f"{pair:.0f}", "",
                          ratio(pair, 2 * null))
        for work in ins:
            if not work.startswith("wake-"):
                continue
            impl, who = work[len("wake-"):].split("@")
            t.row(f"release of 1 sleeping waiter: {IMPL.get(impl, impl)}, to the "
                  f"{'woken waiter' if who == 'waiter' else 'caller'}'s user mode",
                  f"{ins[work]:.0f}", "", ratio(ins[work], null) if null else "-")
        t.note("From the syscall instruction to the first user-mode "
               "instruction after it, warm (three passes before), the "
               "median of three marked passes. They do not depend on the "
               "host's load: compare them commit to commit. A release of a "
               "sleeping waiter (a child asleep before the call; waitgroup's "
               "DONE 1 -> 0, futex-wg's FUTEX_WAKE, semop -1) counts on, when "
               "the woken child preempts the caller, through the child's "
               "return to its user mode: the whole path of a wake-up but the "
               "IPI; these vary by some tens of instructions between passes "
               "and runs (the scheduler's state).")

    jobs = [r for r in rows if r["section"] == "jobs"]
    if jobs:
        smp = int(jobs[0]["smp"])
        t.section(f"Jobs: 64 short jobs, 4 at once ({smp} vCPUs)")
        t.header("figure", "median", "p10 .. p90", "x xargs -P 4")
        xa = get(smp, "jobs", "64-jobs-4-at-once", "xargs-P4")
        for r in jobs:
            t.row({"waitgroup-go": "waitgroup go, limit 4, then wait",
                   "waitgroup-each": "seq 64, piped to waitgroup each -j 4",
                   "xargs-P4": "seq 64, piped to xargs -P 4 -n 1",
                   "start-64": "64 starts of the command alone (--version)"}.get(r["impl"], r["impl"]),
                  fmt(r["median"], "ns"), spread(r),
                  ratio(r["median"], xa["median"]) if xa else "-")
        go = get(smp, "jobs", "64-jobs-4-at-once", "waitgroup-go")
        if go and xa:
            t.row("go, per job: (go - xargs) / 64", fmt((go["median"] - xa["median"]) / 64, "ns"),
                  "-", "-")
        t.note("Wall time of each whole run, the four taking turns in one "
               "boot. waitgroup go starts one process per job that adds to "
               "the group (waiting for a slot under the limit), detaches a "
               "supervisor and confirms the exec; xargs forks the job "
               "itself; waitgroup each is one process that forks the jobs "
               "as xargs does and counts each in the group. What they buy "
               "for the difference: a pool that unrelated scripts share, a "
               "wait that sees every job, and a slot held until its job is "
               "gone. The last row is the part of go's time that is only "
               "the command's start, 64 times; the command is linked "
               "statically, since under TCG a dynamically linked glibc "
               "program's start (the loader's mapping and relocations, "
               "their page faults) costs several times more, far more than "
               "on hardware. In this guest xargs and sh are busybox's.")

    text = t.text()
    with open(os.path.join(outdir, "results.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(t.markdown())

    # Gnuplot data: procs, then median p10 p90 of per-pair time and of
    # throughput for waitgroup, futex-wg, semop.
    for smp in smps:
        lines = []
        for n in (1, 2, 4):
            cols = [str(n)]
            for sect in ("contention-latency", "contention-throughput"):
                for impl in ("waitgroup", "futex-wg", "semop"):
                    r = get(smp, sect, f"procs-{n}", impl)
                    cols += [f"{r[k]:.1f}" if r else "NaN" for k in ("median", "p10", "p90")]
            lines.append(" ".join(cols))
        with open(os.path.join(outdir, f"contention-{smp}.dat"), "w") as f:
            f.write("# procs, then median p10 p90 of: per-pair ns waitgroup futex-wg semop,"
                    " pairs/s waitgroup futex-wg semop\n")
            f.write("\n".join(lines) + "\n")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
