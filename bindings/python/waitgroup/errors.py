# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Exceptions of the waitgroup package.

Every failed call raises a :class:`WaitgroupError`, an :class:`OSError`
whose ``errno`` is the kernel's code. Where Python has a natural built-in
class for the code, the exception is also an instance of it, so both
``except waitgroup.WaitgroupError`` and ``except TimeoutError`` work:

=================  ===============================  ======================
errno              class                            also an instance of
=================  ===============================  ======================
ETIMEDOUT          :class:`WaitTimeoutError`        :class:`TimeoutError`
ECANCELED          :class:`CanceledError`
EAGAIN             :class:`LimitError`              :class:`BlockingIOError`
ERANGE             :class:`NegativeCounterError`
EOVERFLOW          :class:`CounterOverflowError`
ENOENT             :class:`GroupNotFoundError`      :class:`FileNotFoundError`
EEXIST             :class:`GroupExistsError`        :class:`FileExistsError`
EACCES, EPERM      :class:`GroupPermissionError`    :class:`PermissionError`
=================  ===============================  ======================

Any other code raises :class:`WaitgroupError` itself. The device missing
(no module loaded) raises :class:`DeviceNotFoundError`.

A wait that returns does not raise for the tasks' failures: its
:class:`~waitgroup.Result` says what happened, and
:meth:`~waitgroup.Result.check` raises :class:`TaskFailedError`,
:class:`AbandonedError` or :class:`CanceledError` for the batch of tasks
it ends, or :class:`ResultExpiredError` when the result is no longer known
(only on a module without batch totals).
"""

from __future__ import annotations

import errno as _errno
import os
from typing import Optional

__all__ = [
    "WaitgroupError",
    "WaitTimeoutError",
    "CanceledError",
    "LimitError",
    "NegativeCounterError",
    "CounterOverflowError",
    "GroupNotFoundError",
    "GroupExistsError",
    "GroupPermissionError",
    "DeviceNotFoundError",
    "TaskFailedError",
    "AbandonedError",
    "ResultExpiredError",
]


class WaitgroupError(OSError):
    """A waitgroup call failed; ``errno`` holds the kernel's code."""


class WaitTimeoutError(WaitgroupError, TimeoutError):
    """ETIMEDOUT: the deadline passed before the group completed (or before
    an add found room under the limit)."""


class CanceledError(WaitgroupError):
    """ECANCELED: a positive add while the generation is canceled; also
    raised by :meth:`Result.check` for a canceled generation, with the
    cancel's code as ``errno``."""


class LimitError(WaitgroupError, BlockingIOError):
    """EAGAIN: a positive add would pass the group's limit (or other adds
    wait for room) and the add was not asked to wait."""


class NegativeCounterError(WaitgroupError):
    """ERANGE: the counter would become negative (Go panics here); nothing
    changed."""


class CounterOverflowError(WaitgroupError):
    """EOVERFLOW: the counter would pass INT32_MAX; nothing changed."""


class GroupNotFoundError(WaitgroupError, FileNotFoundError):
    """ENOENT: no group of that name in this IPC namespace."""


class GroupExistsError(WaitgroupError, FileExistsError):
    """EEXIST: an exclusive create found the name taken."""


class GroupPermissionError(WaitgroupError, PermissionError):
    """EACCES or EPERM: the group's mode or owner forbids the call."""


class DeviceNotFoundError(WaitgroupError, FileNotFoundError):
    """/dev/waitgroup is missing: the module is not loaded."""


class TaskFailedError(WaitgroupError):
    """A task of the batch (of the generation, on a module without batch
    totals) failed: ``errno`` is the first error code (an errno value, or
    an exit status as :meth:`Group.run` reports it), ``result`` the whole
    result."""

    result: object = None


class AbandonedError(WaitgroupError):
    """Tasks of the batch (of the generation, on a module without batch
    totals) were abandoned: their holder died before their done
    (EOWNERDEAD); ``result.batch.abandoned`` says how many."""

    result: object = None


class ResultExpiredError(WaitgroupError):
    """The generation a wait came back for completed, but so many completed
    after it meanwhile (more than the kernel keeps, 8) that its result is
    gone (ENODATA): how its tasks went is not known. ``result`` is the
    whole result."""

    result: object = None


_BY_ERRNO: dict[int, type[WaitgroupError]] = {
    _errno.ETIMEDOUT: WaitTimeoutError,
    _errno.ECANCELED: CanceledError,
    _errno.EAGAIN: LimitError,
    _errno.ERANGE: NegativeCounterError,
    _errno.EOVERFLOW: CounterOverflowError,
    _errno.ENOENT: GroupNotFoundError,
    _errno.EEXIST: GroupExistsError,
    _errno.EACCES: GroupPermissionError,
    _errno.EPERM: GroupPermissionError,
}


def error_for(code: int, filename: Optional[str] = None) -> WaitgroupError:
    """The exception for errno ``code``, as the package raises it."""
    cls = _BY_ERRNO.get(code, WaitgroupError)
    if filename is None:
        return cls(code, os.strerror(code))
    return cls(code, os.strerror(code), filename)


def from_oserror(exc: OSError, filename: Optional[str] = None) -> WaitgroupError:
    """Convert an OSError from an ioctl into the package's class."""
    if isinstance(exc, WaitgroupError):
        return exc
    code = exc.errno if exc.errno is not None else _errno.EIO
    return error_for(code, filename if filename is not None else exc.filename)
