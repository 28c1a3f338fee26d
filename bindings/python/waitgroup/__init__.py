# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""waitgroup: Go's sync.WaitGroup as a Linux kernel object, from Python.

A group is a counter in the kernel (the waitgroup module's
``/dev/waitgroup``) that unrelated processes share by name, or pass as a
descriptor. ``add`` moves it, ``done`` takes one away, ``wait`` returns once
it is zero. A wait's :class:`Result` tells of the generation it waited
for, as Go's Wait does, and carries the group's *batch* totals
(:class:`Batch`): every task since the group's creation or the last
``wait(reset=True)``, over however many generations fast tasks completed
meanwhile; :meth:`Result.check` judges the batch::

    import waitgroup

    # Anonymous: gone with its last descriptor. A named one outlives the
    # script: waitgroup.create("build", exclusive=True), then
    # waitgroup.unlink("build") when done (others: waitgroup.open("build")).
    with waitgroup.anonymous() as wg:
        with wg.task():                         # add 1 (undone if we die)
            compile_things()                    # raises: done with an error
        wg.spawn(["make", "-C", "docs"])        # a process as a task
        result = wg.wait(timeout=60)            # TimeoutError past 60 s
        result.check()                          # raises if any task failed
        print(result.batch)                     # Batch(done=2, failed=0, ...)

    async def main():
        result = await wg.wait_async()          # through the event loop

Errors are :class:`OSError` subclasses (:mod:`waitgroup.errors`). Deadlines
are absolute CLOCK_MONOTONIC nanoseconds (:func:`deadline`); a signal whose
handler returns does not end a wait (PEP 475), it resumes with the same
deadline. Standard library only; Python 3.11 and newer.
"""

from __future__ import annotations

from ._group import (
    FOREVER,
    NAME_MAX,
    Access,
    Batch,
    Group,
    Info,
    Result,
    Task,
    anonymous,
    create,
    deadline,
    exception_error,
    fromfd,
    list_names,
    monotonic_ns,
    open,
    unlink,
)
from ._spawn import (
    FORWARDED_SIGNALS,
    GRACE_DEFAULT,
    TASK_FD_MIN,
    Spawned,
    run,
    spawn,
    status_error,
)
from .errors import (
    AbandonedError,
    CanceledError,
    CounterOverflowError,
    DeviceNotFoundError,
    GroupExistsError,
    GroupNotFoundError,
    GroupPermissionError,
    LimitError,
    NegativeCounterError,
    ResultExpiredError,
    TaskFailedError,
    WaitgroupError,
    WaitTimeoutError,
)

__version__ = "1.4.0"

__all__ = [
    "FOREVER", "NAME_MAX", "FORWARDED_SIGNALS", "GRACE_DEFAULT", "TASK_FD_MIN",
    "Access", "Batch", "Group", "Info",
    "Result", "Task", "Spawned", "anonymous", "create", "open", "unlink",
    "fromfd", "list_names", "deadline", "monotonic_ns", "exception_error",
    "run", "spawn", "status_error",
    "WaitgroupError", "WaitTimeoutError", "CanceledError", "LimitError",
    "NegativeCounterError", "CounterOverflowError", "GroupNotFoundError",
    "GroupExistsError", "GroupPermissionError", "DeviceNotFoundError",
    "TaskFailedError", "AbandonedError", "ResultExpiredError",
]
