# SPDX-License-Identifier: GPL-2.0
"""gdb script of bench/insns: count kernel instructions per call.

Run by gdb -batch with PORT, ADDR (wg_insn_probe's address in wg-insns)
and OUT (a file for the counts) defined first; with PROFILE = True, the
address of every instruction of each kind's first marked call goes to
OUT.trace as well. It connects to qemu's gdb
stub (the VM started paused), breaks at the probe's syscall instruction
when r12 carries the mark, single-steps from there until the program
counter is back in user space and writes "KIND COUNT" per marked call
(a wake-up's KIND ends in @waiter or @waker: whose user mode it reached).
qemu steps with interrupts and timers masked, so nothing but the call
itself is counted.
"""
import socket
import time

import gdb

MAGIC = 0x5747494E534E0000
KINDS = {1: "getppid", 2: "null-ioctl", 3: "add-0-1", 4: "done-1-0",
         5: "add-val-0-1", 6: "done-2-1", 7: "wait0", 8: "wake-waitgroup",
         9: "wake-futex-wg", 10: "wake-semop"}
# The wake kinds stop in the user mode of the first task back there: the
# caller (its r12 still the mark) or the woken child (r12 0).
WAKES = (8, 9, 10)
END = 0xFF
USER_TOP = 0x0000800000000000


def reg(name):
    return int(gdb.parse_and_eval(f"(unsigned long)${name}")) & (2**64 - 1)


def connect():
    # vm-run builds the initramfs before qemu listens: wait for the port.
    deadline = time.monotonic() + 300
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    gdb.execute("set architecture i386:x86-64")
    gdb.execute(f"target remote 127.0.0.1:{PORT}")


def count_one(trace):
    """From the syscall instruction back to user mode: kernel instructions.
    With @trace (a list), the address of each one is appended to it."""
    gdb.execute("stepi", to_string=True)     # the syscall itself
    n = 0
    while True:
        pc = reg("pc")
        if pc < USER_TOP:
            return n
        if trace is not None:
            trace.append(pc)
        gdb.execute("stepi", to_string=True)
        n += 1


def main():
    connect()
    gdb.execute(f"break *{ADDR:#x}", to_string=True)
    gdb.execute(f"condition 1 ((unsigned long)$r12 >> 16) == {MAGIC >> 16:#x}")
    results = []
    traces = {}
    profile = globals().get("PROFILE", False)
    while True:
        gdb.execute("continue", to_string=True)
        mark = reg("r12")
        kind = KINDS.get(mark & 0xFFFF, f"kind-{mark & 0xFFFF}")
        if mark & 0xFFFF == END:
            break
        trace = [] if profile and kind not in traces else None
        n = count_one(trace)
        if mark & 0xFFFF in WAKES:
            kind += "@waker" if reg("r12") == mark else "@waiter"
        results.append((kind, n))
        if trace is not None:
            traces[kind] = trace
    with open(OUT, "w") as f:
        for kind, n in results:
            f.write(f"{kind} {n}\n")
    if profile:
        with open(OUT + ".trace", "w") as f:
            for kind, trace in traces.items():
                f.write(kind + " " + " ".join(f"{pc:x}" for pc in trace) + "\n")
    gdb.execute("delete")
    gdb.execute("detach")


main()
