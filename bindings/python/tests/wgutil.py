# SPDX-License-Identifier: GPL-2.0
"""Helpers of the tests: forked and exec'ed workers, bounded polling of a
group's own state (never a sleep standing in for synchronisation)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Callable

import waitgroup

LONG = 120.0  # seconds: a bound on what must happen, never a delay


def fork(fn: Callable[[], object]) -> int:
    """Run fn in a forked child; it exits 0 if fn returned, 1 if it raised."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn()
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def reap(pid: int) -> int:
    """The child's exit code (negative: killed by that signal)."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def python(code: str, *args: str, **kw) -> subprocess.Popen:
    """A fresh interpreter running code (the package on its path)."""
    return subprocess.Popen([sys.executable, "-c", code, *args], **kw)


def until(pred: Callable[[], bool], what: str) -> None:
    """Wait, bounded, for a condition on a group's state that another
    process will make true (waiters or room waiters appearing)."""
    end = time.monotonic() + LONG
    while not pred():
        if time.monotonic() > end:
            raise AssertionError("never happened: " + what)
        os.sched_yield()


def info(g: waitgroup.Group) -> waitgroup.Info:
    return g.info()
