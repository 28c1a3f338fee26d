# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Groups: creating, opening, counting, waiting (the package's core)."""

from __future__ import annotations

import enum
import errno
import fcntl
import os
import struct
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, Optional, Sequence, Union

from . import _abi
from .errors import (
    AbandonedError,
    CanceledError,
    DeviceNotFoundError,
    ResultExpiredError,
    TaskFailedError,
    WaitgroupError,
    WaitTimeoutError,
    error_for,
)

FOREVER: int = _abi.FOREVER
"""The deadline that never passes (``WG_FOREVER``)."""

NAME_MAX: int = _abi.NAME_MAX
"""Size of a name buffer including its NUL: names are 1 to 63 characters."""

StrPath = Union[str, "os.PathLike[str]", bytes]


class Access(enum.IntFlag):
    """What a descriptor may do. Neither bit (the default) means both."""

    WAIT = _abi.ACCESS_WAIT
    """wait, info, poll (needs read permission on a named group)"""
    ADD = _abi.ACCESS_ADD
    """add, done, limit, cancel (needs write permission)"""


def monotonic_ns() -> int:
    """Now on CLOCK_MONOTONIC, the clock every deadline is on."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def deadline(timeout: Optional[float]) -> int:
    """The absolute CLOCK_MONOTONIC deadline ``timeout`` seconds from now.

    ``None`` gives :data:`FOREVER`; 0 or less gives 0, a deadline that has
    already passed (the call only tests).
    """
    if timeout is None:
        return FOREVER
    if timeout <= 0:
        return 0
    return min(monotonic_ns() + int(timeout * 1e9), FOREVER - 1)


def _pick_deadline(timeout: Optional[float], deadline_ns: Optional[int]) -> int:
    if deadline_ns is not None:
        if timeout is not None:
            raise TypeError("give timeout or deadline_ns, not both")
        if not 0 <= deadline_ns <= FOREVER:
            raise ValueError("deadline_ns out of range")
        return deadline_ns
    return deadline(timeout)


def _ioctl(fd: int, request: int, arg: Union[int, bytearray] = 0) -> int:
    """One ioctl, retried on EINTR (PEP 475: a signal handler that raises
    stops it); failures as the package's exceptions."""
    while True:
        try:
            return fcntl.ioctl(fd, request, arg) if isinstance(arg, int) \
                else fcntl.ioctl(fd, request, arg, True)
        except InterruptedError:
            continue
        except OSError as exc:
            raise error_for(exc.errno if exc.errno is not None else errno.EIO) from None


def _encode_name(name: str) -> bytes:
    if isinstance(name, bytes):
        raw = name
    else:
        try:
            raw = name.encode("ascii")
        except UnicodeEncodeError:
            raise error_for(errno.EINVAL, name) from None
    if len(raw) >= NAME_MAX:
        raise error_for(errno.ENAMETOOLONG, str(name))
    if b"\0" in raw:
        raise error_for(errno.EINVAL, str(name))
    return raw


def _control(request: int, buf: bytearray, name: Optional[str] = None) -> int:
    """An ioctl on /dev/waitgroup, opened for this one call."""
    try:
        ctl = os.open(_abi.DEVICE_PATH, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise DeviceNotFoundError(errno.ENOENT, "no waitgroup device (is the module loaded?)",
                                  _abi.DEVICE_PATH) from None
    try:
        return _ioctl(ctl, request, buf)
    except WaitgroupError as exc:
        if name is not None and exc.filename is None:
            exc.filename = name
        raise
    finally:
        os.close(ctl)


def _flags(inheritable: bool, access: Access) -> int:
    return (0 if inheritable else _abi.CLOEXEC) | int(access)


class Batch(NamedTuple):
    """The batch totals of a group: every task since the group's creation or
    the last reset (``wait(reset=True)``), over all the generations that
    completed meanwhile (``struct wg_totals``).

    Fast tasks started one after another let the counter reach zero between
    them, so a batch of many tasks may complete many generations, and the
    last one's result says nothing of a failure in the first: the batch
    does. A done is counted just before it lands, never missed.
    """

    done: int
    """Tasks done: the magnitude of every done and negative add."""
    failed: int
    """Of them, those done with an error code."""
    abandoned: int
    """Adds undone because their holder went away."""
    error: int
    """The first error among them (EOWNERDEAD for an abandonment), 0 if none."""

    @property
    def ok(self) -> bool:
        """No task of the batch failed and none was abandoned."""
        return not (self.failed or self.abandoned)


class Result(NamedTuple):
    """What a wait returns: the completed generation it waited for, and the
    batch of tasks it ends.

    The generation's fields are as Go's Wait would tell them; :attr:`batch`
    counts every task since the group's creation or the last reset. A wait
    does not raise for failed tasks, as Go's Wait cannot; use :attr:`ok` or
    :meth:`check`, which judge the batch.
    """

    generation: int
    """Number of the generation (the count of times the counter reached zero)."""
    error: int
    """Its first error code, 0 if no task failed (the cancel's code if canceled)."""
    abandoned: int
    """How many of its adds were undone because their holder went away."""
    canceled: bool = False
    """The generation was canceled (:meth:`Group.cancel`)."""
    expired: bool = False
    """The generation completed, but its result was no longer kept when the
    wait came back for it (more than 8 completed after it): ``error`` and
    ``abandoned`` are 0 and say nothing (:attr:`batch` still does)."""
    batch: Optional[Batch] = None
    """The batch's totals as the wait returned (:class:`Batch`): every task
    of this generation and of those before it since the last reset. None
    when the module has none (before 1.4)."""

    def _failure(self) -> tuple[int, int]:
        """(abandoned, first error code) of the batch, or of the generation
        without :attr:`batch`."""
        b = self.batch
        if b is None:
            return self.abandoned, self.error
        return b.abandoned, b.error if b.failed else 0

    @property
    def ok(self) -> bool:
        """Every task of the batch (of the generation, without
        :attr:`batch`) succeeded: none failed, none was abandoned, nothing
        canceled; without :attr:`batch`, also the result is known (not
        :attr:`expired`)."""
        abandoned, code = self._failure()
        return not (abandoned or code or self.canceled
                    or (self.expired and self.batch is None))

    def check(self) -> "Result":
        """Return self if :attr:`ok`; else raise :class:`CanceledError` (the
        generation was canceled), :class:`AbandonedError` (a task of the
        batch was abandoned), :class:`TaskFailedError` (one failed: its
        ``errno`` is the batch's first error code) or, without
        :attr:`batch`, :class:`ResultExpiredError`."""
        abandoned, code = self._failure()
        where = "the batch" if self.batch is not None else \
            "generation %d" % self.generation
        if self.expired and self.batch is None:
            exc: WaitgroupError = ResultExpiredError(
                errno.ENODATA, "the result of generation %d is no longer kept" % self.generation)
        elif self.canceled:
            exc = CanceledError(self.error or errno.ECANCELED,
                                "generation %d canceled" % self.generation)
        elif abandoned:
            exc = AbandonedError(errno.EOWNERDEAD,
                                 "%d task(s) abandoned in %s" % (abandoned, where))
        elif code and self.batch is not None:
            exc = TaskFailedError(code, "%d task(s) failed in the batch, the first with error %d"
                                  % (self.batch.failed, code))
        elif code:
            exc = TaskFailedError(code, "a task failed with error %d in generation %d"
                                  % (code, self.generation))
        else:
            return self
        exc.result = self  # type: ignore[attr-defined]
        raise exc


_NO_BATCH = Batch(0, 0, 0, 0)


class Info:
    """A snapshot of a group (``WG_IOC_INFO``), for tools; immutable.

    Attributes: ``count`` (the counter now), ``waiters`` (tasks sleeping in
    a wait), ``generation`` (the last completed one), ``abandoned`` and
    ``error`` (of that generation), ``uid``, ``gid``, ``mode`` (0 for an
    anonymous group), ``name`` (empty for an anonymous group), ``limit``
    (0: none), ``room_waiters`` (adds waiting for room), ``canceled`` (the
    running generation is), ``last_canceled`` (the last completed one
    was), ``cancel_error`` (the running generation's cancel code),
    ``batch`` (the batch's totals, :class:`Batch`; zero on a module before
    1.4).
    """

    __slots__ = ("count", "waiters", "generation", "abandoned", "error", "uid",
                 "gid", "mode", "name", "limit", "room_waiters", "canceled",
                 "last_canceled", "cancel_error", "batch")
    count: int
    waiters: int
    generation: int
    abandoned: int
    error: int
    uid: int
    gid: int
    mode: int
    name: str
    limit: int
    room_waiters: int
    canceled: bool
    last_canceled: bool
    cancel_error: int
    batch: Batch

    def __init__(self, count: int, waiters: int, generation: int, abandoned: int,
                 error: int, uid: int, gid: int, mode: int, name: str,
                 limit: int = 0, room_waiters: int = 0, canceled: bool = False,
                 last_canceled: bool = False, cancel_error: int = 0,
                 batch: Batch = _NO_BATCH) -> None:
        values = locals()
        for field in self.__slots__:
            object.__setattr__(self, field, values[field])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Info is immutable")

    def _astuple(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Info):
            return NotImplemented
        return self._astuple() == other._astuple()

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return "Info(%s)" % ", ".join("%s=%r" % (f, getattr(self, f)) for f in self.__slots__)


def _result(buf: bytearray, full: bool) -> Result:
    (_, flags, _, gen, err, abandoned, outflags, _, _,
     done, failed, lost, first, _) = _abi.WAIT.unpack(buf)
    batch = Batch(done, failed, lost, first) if full and flags & _abi.WAIT_TOTALS else None
    return Result(gen, err, abandoned,
                  bool(full and outflags & _abi.RESULT_CANCELED),
                  bool(full and outflags & _abi.RESULT_EXPIRED), batch)


def _wait_buf(deadline_ns: int, flags: int = 0) -> bytearray:
    """A struct wg_wait for a new wait."""
    return bytearray(_abi.WAIT.pack(deadline_ns, flags, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0))


_WAIT_FLAGS = 8  # offsets in struct wg_wait: its flags
_WAIT_TARGET = 40  # and its target


def _wait_call(fd: int, buf: bytearray) -> Result:
    """WG_IOC_WAIT on ``fd`` with ``buf`` read and written as the kernel
    does: when the call ends without a result (ETIMEDOUT; EINTR, which
    :func:`_ioctl` retries with the same buffer) the kernel leaves in it
    the generation the wait began in, and a call with the same ``buf``
    resumes that wait, however many generations completed meanwhile.

    A module of 1.2 or 1.3 answers EINVAL to WG_WAIT_TOTALS: the flag is
    taken out of ``buf`` (so a resumed call goes on without it) and the
    call made again, and the result has no batch; a reset it cannot do
    raises that EINVAL. A module before 1.2 answers ENOTTY to the grown
    size: VER0 (no totals, no target) then."""
    try:
        _ioctl(fd, _abi.IOC_WAIT, buf)
        return _result(buf, True)
    except WaitgroupError as exc:
        (flags,) = _abi.U32.unpack_from(buf, _WAIT_FLAGS)
        (target,) = struct.unpack_from("=Q", buf, _WAIT_TARGET)
        if target or flags & _abi.WAIT_RESET or exc.errno not in (errno.EINVAL, errno.ENOTTY):
            raise
        if exc.errno == errno.EINVAL and not flags & _abi.WAIT_TOTALS:
            raise
        _abi.U32.pack_into(buf, _WAIT_FLAGS, flags & ~_abi.WAIT_TOTALS)
        if exc.errno == errno.EINVAL:
            _ioctl(fd, _abi.IOC_WAIT, buf)
            return _result(buf, True)
    small = bytearray(buf[:_abi.SIZE_WAIT_VER0])
    _ioctl(fd, _abi.IOC_WAIT_VER0, small)
    return _result(small + bytearray(_abi.WAIT.size - _abi.SIZE_WAIT_VER0), False)


def _wait_flags(cancel_on_error: bool, reset: bool) -> int:
    """A Group's waits ask for the batch's totals, and reset them if told."""
    return (_abi.WAIT_TOTALS | (_abi.WAIT_RESET if reset else 0)
            | (_abi.WAIT_CANCEL_ON_ERROR if cancel_on_error else 0))


def _wait_fd(fd: int, deadline_ns: int, flags: int = 0) -> Result:
    """A new WG_IOC_WAIT on ``fd``, resumed for the same generation with
    the same absolute deadline after a signal."""
    return _wait_call(fd, _wait_buf(deadline_ns, flags))


def _info_fd(fd: int) -> Info:
    """WG_IOC_INFO on ``fd``; VER0 on a module before 1.2."""
    buf = bytearray(_abi.INFO.size)
    full = True
    try:
        _ioctl(fd, _abi.IOC_INFO, buf)
    except WaitgroupError as exc:
        if exc.errno != errno.ENOTTY:
            raise
        small = bytearray(_abi.SIZE_INFO_VER0)
        _ioctl(fd, _abi.IOC_INFO_VER0, small)
        buf = small + bytearray(_abi.INFO.size - _abi.SIZE_INFO_VER0)
        full = False
    (count, waiters, gen, abandoned, err, uid, gid, mode, _, name,
     limit, room, flags, cerr, done, failed, lost, first, _) = _abi.INFO.unpack(buf)
    return Info(count, waiters, gen, abandoned, err, uid, gid, mode,
                name.split(b"\0", 1)[0].decode("ascii", "replace"),
                limit, room, bool(full and flags & _abi.INFO_CANCELED),
                bool(full and flags & _abi.INFO_LAST_CANCELED), cerr,
                Batch(done, failed, lost, first))


def _add_fd(fd: int, delta: int, flags: int = 0, error: int = 0,
            deadline_ns: int = 0) -> None:
    if not -2**31 <= delta < 2**31:
        raise error_for(errno.EOVERFLOW if delta > 0 else errno.ERANGE)
    if flags & _abi.ADD_WAIT:
        buf = bytearray(_abi.ADD.pack(delta, flags, error, 0, deadline_ns))
        _ioctl(fd, _abi.IOC_ADD, buf)
    else:
        buf = bytearray(_abi.ADD.pack(delta, flags, error, 0, 0)[:_abi.SIZE_ADD_VER0])
        _ioctl(fd, _abi.IOC_ADD_VER0, buf)


def _dup_fd(fd: int, inheritable: bool = False) -> int:
    return _ioctl(fd, _abi.IOC_DUP, bytearray(_abi.U32.pack(0 if inheritable else _abi.CLOEXEC)))


def _task_add(fd: int, deadline_ns: int = FOREVER) -> int:
    """Count one task as userlib's task_add(): add 1 with WG_UNDO on a
    private close-on-exec open file of the group, waiting for room under a
    limit; return that file, whose last close undoes the add unless a done
    drew it first."""
    lfd = _dup_fd(fd)
    try:
        try:
            _add_fd(lfd, 1, _abi.UNDO | _abi.ADD_WAIT, 0, deadline_ns)
        except WaitgroupError as exc:
            if exc.errno != errno.ENOTTY:  # a module before 1.2
                raise
            _add_fd(lfd, 1, _abi.UNDO)
    except BaseException:
        os.close(lfd)
        raise
    return lfd


def _done_fd(fd: int, error: int = 0) -> None:
    if error:
        _add_fd(fd, -1, 0, error)
    else:
        _ioctl(fd, _abi.IOC_DONE)


def exception_error(exc: BaseException) -> int:
    """The error code a task that raised ``exc`` reports with its done.

    An :class:`OSError` reports its ``errno``; :class:`SystemExit` its
    integer code; :class:`KeyboardInterrupt` 130 (128 + SIGINT, as a shell
    reports an interrupted command); anything else 1.
    """
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    if isinstance(exc, SystemExit):
        code = exc.code
        if isinstance(code, int):
            return code if code else 0
        return 1 if code is not None else 0
    if isinstance(exc, KeyboardInterrupt):
        return 130
    return 1


class Task:
    """One task counted in a group, as a context manager
    (:meth:`Group.task`).

    Entering adds 1 with undo on a private open file of the group (waiting
    for room under a limit, until the deadline); leaving does the done, with
    the error code :func:`exception_error` gives if the block raised (the
    exception is not swallowed). If the process dies inside the block, the
    kernel undoes the add and reports it abandoned.
    """

    def __init__(self, group: "Group", timeout: Optional[float] = None,
                 deadline_ns: Optional[int] = None) -> None:
        self._group = group
        self._deadline = _pick_deadline(timeout, deadline_ns)
        self._fd = -1
        self.error: int = 0
        """The code the done reported (after the block)."""

    def __enter__(self) -> "Task":
        if self._fd >= 0:
            raise RuntimeError("task already entered")
        self._fd = _task_add(self._group.fileno(), self._deadline)
        return self

    def __exit__(self, exc_type: Optional[type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        fd, self._fd = self._fd, -1
        try:
            self.error = exception_error(exc) if exc is not None else 0
            try:
                _done_fd(fd, self.error)
            except WaitgroupError:
                if exc is None:
                    raise
        finally:
            os.close(fd)


class Group:
    """A waitgroup: Go's sync.WaitGroup as a kernel object.

    A Group owns one file descriptor (:meth:`fileno`). It is closed by
    :meth:`close`, by leaving a ``with group:`` block, or when the object is
    collected. Descriptors are close-on-exec unless made inheritable, as
    every descriptor Python makes (PEP 446).
    """

    def __init__(self, fd: int) -> None:
        """Take ownership of ``fd``, a waitgroup descriptor (see
        :func:`fromfd`)."""
        self._fd = fd

    # --- descriptor -----------------------------------------------------

    def fileno(self) -> int:
        """The group's descriptor, for poll/select/epoll or to pass on.

        Readable (POLLIN) while the counter is zero, while the generation is
        canceled, or once a generation completed that this open file has not
        reported since it was first polled; a :meth:`wait` with
        ``timeout=0`` then takes the result.
        """
        if self._fd < 0:
            raise ValueError("I/O operation on closed waitgroup")
        return self._fd

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._fd < 0

    def close(self) -> None:
        """Close the descriptor. The adds this open file recorded with undo
        and did not do yet are undone (abandoned) when no process holds it
        any more. Closing twice does nothing."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def detach(self) -> int:
        """Give up ownership of the descriptor and return it."""
        fd = self.fileno()
        self._fd = -1
        return fd

    def __enter__(self) -> "Group":
        return self

    def __exit__(self, exc_type: Optional[type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return "<waitgroup.Group fd=%d%s>" % (self._fd, " closed" if self._fd < 0 else "")

    def dup(self, *, inheritable: bool = False) -> "Group":
        """A new open file of the same group (``WG_IOC_DUP``): same access,
        an undo ledger of its own (unlike :func:`os.dup`, which shares it)."""
        return Group(_dup_fd(self.fileno(), inheritable))

    def set_inheritable(self, inheritable: bool) -> None:
        """Let the descriptor pass through exec (see :func:`os.set_inheritable`)."""
        os.set_inheritable(self.fileno(), inheritable)

    # --- counting -------------------------------------------------------

    def add(self, delta: int = 1, *, undo: bool = False, error: int = 0) -> None:
        """Move the counter by ``delta`` (Go's Add).

        ``undo``: record a positive delta in this open file's ledger, so
        that it is undone (and reported abandoned) if the file's last holder
        goes away first. ``error``, with a negative delta, reports a failed
        task. Raises :class:`NegativeCounterError` (the counter would drop
        below zero: Go panics here), :class:`CounterOverflowError`,
        :class:`LimitError` (past the limit: see :meth:`add_wait`),
        :class:`CanceledError`; nothing changes when it raises.
        """
        _add_fd(self.fileno(), delta, _abi.UNDO if undo else 0, error)

    def add_wait(self, delta: int = 1, *, undo: bool = False,
                 timeout: Optional[float] = None,
                 deadline_ns: Optional[int] = None) -> None:
        """Add, waiting for room under the group's limit (``WG_ADD_WAIT``),
        first come first served, until ``timeout`` seconds (``None``: never
        give up; 0: only try) or the absolute CLOCK_MONOTONIC
        ``deadline_ns``. Raises :class:`WaitTimeoutError`,
        :class:`CanceledError` (canceled meanwhile), or an
        :class:`WaitgroupError` with EINVAL (``delta`` above the limit).
        A signal does not end the wait unless its handler raises."""
        dl = _pick_deadline(timeout, deadline_ns)
        _add_fd(self.fileno(), delta, _abi.ADD_WAIT | (_abi.UNDO if undo else 0), 0, dl)

    def done(self, error: int = 0) -> None:
        """Subtract 1 (Go's Done), from this open file's undo ledger first;
        a nonzero ``error`` reports the task failed with that code (the
        first error of a generation is what its waiters see).
        :class:`NegativeCounterError` if the counter is already zero."""
        _done_fd(self.fileno(), error)

    def task(self, *, timeout: Optional[float] = None,
             deadline_ns: Optional[int] = None) -> Task:
        """A context manager counting the block as one task::

            with group.task():
                work()          # raises: the done reports the error

        See :class:`Task`. ``timeout``/``deadline_ns`` bound the wait for
        room under a limit (default: wait as long as it takes).
        """
        return Task(self, timeout, deadline_ns)

    def go(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> threading.Thread:
        """Go 1.25's WaitGroup.Go with a thread: count a task now, call
        ``fn(*args, **kwargs)`` in a new thread inside :meth:`task`, and
        return the started thread. An exception in ``fn`` is reported as
        the task's error (and, as any thread's, by
        :func:`threading.excepthook`)."""
        t = self.task()
        t.__enter__()

        def body() -> None:
            with _Entered(t):
                fn(*args, **kwargs)

        try:
            th = threading.Thread(target=body, daemon=False)
            th.start()
        except BaseException as exc:
            t.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return th

    # --- waiting --------------------------------------------------------

    def wait(self, timeout: Optional[float] = None, *,
             deadline_ns: Optional[int] = None,
             cancel_on_error: bool = False, reset: bool = False) -> Result:
        """Wait until the counter is zero (Go's Wait) and return the
        :class:`Result` of the generation waited for, with the batch's
        totals (:attr:`Result.batch`).

        Returns at once if the counter is zero; otherwise when the
        generation running now completes (even if the group is re-armed at
        once) or is canceled. ``timeout`` in seconds (``None``: forever, 0:
        only test) or the absolute CLOCK_MONOTONIC ``deadline_ns``; past it
        raises :class:`WaitTimeoutError` (a :class:`TimeoutError`). A signal
        whose handler returns does not end the wait: it goes on with the
        same deadline. ``cancel_on_error``: the generation's first error
        cancels it (errgroup's WithContext).

        ``reset``: a new batch starts as the wait returns (``WG_WAIT_RESET``,
        in the same step under the group's lock): the result holds the
        totals of the batch that ends, the next wait's only what is done
        after. It changes what every waiter of the group is told, so it
        needs add access (:class:`WaitgroupError` EBADF on a descriptor
        opened with only :attr:`Access.WAIT`; EINVAL on a module before
        1.4). A wait that raises resets nothing.
        """
        dl = _pick_deadline(timeout, deadline_ns)
        return _wait_fd(self.fileno(), dl, _wait_flags(cancel_on_error, reset))

    async def wait_async(self, timeout: Optional[float] = None, *,
                         deadline_ns: Optional[int] = None,
                         reset: bool = False) -> Result:
        """:meth:`wait` for asyncio: sleeps in the event loop, not in the
        kernel.

        A private open file of the group (:meth:`dup`) is registered with
        the loop's ``add_reader``, then looked at with a wait that does not
        block, and again each time it is readable: the looks share one
        struct wg_wait, so they return the generation running at the
        first, however fast the group is re-armed and completed again, and
        what this wait takes is never taken from this Group's own
        descriptor. On the timeout raises :class:`WaitTimeoutError`;
        cancelling the coroutine unregisters it. ``reset`` is
        :meth:`wait`'s: only the look that returns the result resets.
        """
        import asyncio  # here: a program that never awaits does not pay for it

        dl = _pick_deadline(timeout, deadline_ns)
        loop = asyncio.get_running_loop()
        fd = _dup_fd(self.fileno())
        fut: "asyncio.Future[Result]" = loop.create_future()
        # Each look only tests; the target stays in it.
        call = _wait_buf(0, _wait_flags(False, reset))

        def ready() -> None:
            if fut.done():
                return
            try:
                res = _wait_call(fd, call)
            except WaitTimeoutError:
                # Not yet: the call now holds the generation to wait for,
                # whose completion makes the descriptor readable.
                if dl != FOREVER and monotonic_ns() >= dl:
                    fut.set_exception(error_for(errno.ETIMEDOUT))
                return
            except BaseException as exc:  # EBADF (no wait access), ...
                fut.set_exception(exc)
                return
            fut.set_result(res)

        timer = None
        try:
            loop.add_reader(fd, ready)
            ready()
            if dl != FOREVER and not fut.done():
                delay = max(0.0, (dl - monotonic_ns()) / 1e9)
                timer = loop.call_later(delay, ready)
                # ready() at the deadline tests once more, then times out.
            return await fut
        finally:
            if timer is not None:
                timer.cancel()
            loop.remove_reader(fd)
            os.close(fd)

    def info(self) -> Info:
        """A snapshot of the group (:class:`Info`)."""
        return _info_fd(self.fileno())

    @property
    def count(self) -> int:
        """The counter now (from :meth:`info`)."""
        return self.info().count

    # --- job control ----------------------------------------------------

    def set_limit(self, limit: int) -> None:
        """At most ``limit`` tasks counted at once, whoever adds them; 0
        removes the limit. Lowering it takes nothing away; raising it lets
        waiting adds in at once."""
        if not 0 <= limit < 2**31:
            raise error_for(errno.EINVAL)
        _ioctl(self.fileno(), _abi.IOC_LIMIT, bytearray(_abi.U32.pack(limit)))

    def cancel(self, error: int = 0) -> bool:
        """Cancel the running generation, as errgroup's context cancel:
        every wait of it returns at once with ``error`` (0 means ECANCELED)
        and ``canceled``; positive adds fail with :class:`CanceledError`
        until the counter drains to zero. Returns False if there was nothing
        to cancel (the counter is zero, or already canceled)."""
        return bool(_ioctl(self.fileno(), _abi.IOC_CANCEL,
                           bytearray(_abi.CANCEL.pack(error, 0))))

    # --- processes (see _spawn) ------------------------------------------

    def run(self, argv: Sequence[StrPath], **kwargs: Any) -> int:
        """Run a command as a task, supervised here (``wg_run``); see
        :func:`waitgroup.run`."""
        from ._spawn import run
        return run(self, argv, **kwargs)

    def spawn(self, argv: Sequence[StrPath], **kwargs: Any) -> "Spawned":
        """Start a command as a task under a forked supervisor
        (``wg_spawn``); see :func:`waitgroup.spawn`."""
        from ._spawn import spawn
        return spawn(self, argv, **kwargs)


class _Entered:
    """Leave an already entered Task when the block ends."""

    def __init__(self, t: Task) -> None:
        self._t = t

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Optional[type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self._t.__exit__(exc_type, exc, tb)


if TYPE_CHECKING:
    from ._spawn import Spawned


def create(name: Optional[str] = None, count: int = 0, *, mode: int = 0,
           exclusive: bool = False, limit: int = 0, access: Access = Access(0),
           inheritable: bool = False) -> Group:
    """Create a group (``WG_IOC_CREATE``).

    With no ``name``, a new anonymous group, alive while a descriptor is.
    With a name, a named group in the caller's IPC namespace, owned by the
    caller with ``mode`` (0 means 0600), living until :func:`unlink`; if
    the name exists it is opened instead (``count``, ``mode`` and
    ``limit`` ignored) unless ``exclusive`` (then
    :class:`GroupExistsError`). ``limit``: as :meth:`Group.set_limit`.
    """
    if name is None or name == "":
        raw = b""
        if exclusive or mode:
            raise error_for(errno.EINVAL)
    else:
        raw = _encode_name(name)
    flags = _flags(inheritable, access) | (_abi.EXCL if exclusive else 0)
    buf = bytearray(_abi.CREATE.pack(flags, mode, count, 0, raw, limit, 0))
    if limit:
        return Group(_control(_abi.IOC_CREATE, buf, name))
    return Group(_control(_abi.IOC_CREATE_VER0, buf[:_abi.SIZE_CREATE_VER0], name))


def anonymous(count: int = 0, *, limit: int = 0, inheritable: bool = False) -> Group:
    """A new anonymous group (``create()`` without a name)."""
    return create(None, count, limit=limit, inheritable=inheritable)


def open(name: str, *, access: Access = Access(0),  # noqa: A001 - the API's name
         inheritable: bool = False) -> Group:
    """Open the named group ``name`` (``WG_IOC_OPEN``), checking its mode:
    :class:`GroupNotFoundError`, :class:`GroupPermissionError`."""
    buf = bytearray(_abi.OPEN.pack(_flags(inheritable, access), 0, _encode_name(name)))
    return Group(_control(_abi.IOC_OPEN, buf, name))


def unlink(name: str) -> None:
    """Remove the name; open descriptors go on working and the group is
    freed with the last one. Owner, creator or CAP_IPC_OWNER only."""
    buf = bytearray(_abi.OPEN.pack(0, 0, _encode_name(name)))
    _control(_abi.IOC_UNLINK, buf, name)


def fromfd(fd: int) -> Group:
    """A :class:`Group` owning ``fd``, a waitgroup descriptor inherited or
    received (e.g. through ``subprocess``'s ``pass_fds`` or SCM_RIGHTS)."""
    return Group(fd)


def list_names() -> Iterator[str]:
    """The names of this IPC namespace the caller may open for waiting,
    oldest first (``WG_IOC_LIST``)."""
    import ctypes

    names = ctypes.create_string_buffer(_abi.LIST_MAX * NAME_MAX)
    cursor = 0
    while True:
        buf = bytearray(_abi.LIST.pack(ctypes.addressof(names), _abi.LIST_MAX, 0, cursor))
        _control(_abi.IOC_LIST, buf)
        _, n, _, cursor = _abi.LIST.unpack(buf)
        raw = names.raw
        for i in range(n):
            yield raw[i * NAME_MAX:(i + 1) * NAME_MAX].split(b"\0", 1)[0].decode("ascii")
        if not cursor:
            return
