# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Tasks as processes: Go's WaitGroup.Go across processes, as userlib's
spawn.c does it (wg_run, wg_spawn).

A slot is free only when its job is gone. The add is made with undo on a
private open file of the group (its undo ledger gives the add back when
the file's last descriptor is closed), held by the process that supervises
the command, the caller itself in :func:`run`, a forked supervisor in
:func:`spawn`, and by the command: it gets a copy at the lowest free
descriptor from :data:`TASK_FD_MIN` (100) up, not close-on-exec, out of the
way of the low numbers a script uses. A normal exit is reported by the
supervisor as a done carrying the exit status; a supervisor that dies
before reporting frees the slot (the add undone, the task reported
abandoned) only once its command, and whatever the command handed the
descriptor to, are gone too. Under a limit, that keeps the count of
running jobs true. A command that closes the descriptor leaves the add to
its supervisor alone.

How the copy gets there. :func:`run` starts the command with
:func:`os.posix_spawn` from the caller, which may have threads: the private
file is first copied, close-on-exec, to the lowest free number from 100 up
in the caller, and a dup2 file action onto that same number clears the
flag in the command only (glibc 2.29 and newer do so), so no other thread's
child ever inherits it. (``subprocess``'s ``pass_fds`` would do the same
but closes every other descriptor; its ``preexec_fn`` is unsafe with
threads.) :func:`spawn`'s supervisor is a forked process with one thread,
where :func:`os.fork` is safe: its child sets PR_SET_PDEATHSIG to SIGKILL
(prctl through ctypes), then exits at once if its parent is no longer the
supervisor, whose pid it took before the fork (the supervisor died in
between: no race), moves its copy with F_DUPFD, and executes the command.
So a killed supervisor takes its command with it. :func:`run` asks for no
such signal, as wg_run(3) does not: there the command is the caller's own
child, as with :func:`subprocess.run`, and the signal would follow the one
thread that called; if the caller dies, its command runs on and holds its
slot until it exits.

The supervisor passes SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2 and SIGTERM
on to the command, as timeout(1) does: they are blocked before the command
starts and read from a signalfd (through ctypes) while it runs. A signal
the kernel sent to the whole process group (a terminal's ^C) reached the
command by itself and is not sent twice.

When the group is canceled while the command runs, the supervisor (which
polls its open file of the group) sends the command SIGTERM, then SIGKILL
once the grace period is over (:data:`GRACE_DEFAULT`, 10 s; 0: SIGKILL at
once; None: never), and reports its status as usual, so the canceled
generation drains.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import struct
import time
from typing import Any, Mapping, Optional, Sequence

from . import _group
from ._group import Group, StrPath
from .errors import error_for

__all__ = ["run", "spawn", "Spawned", "status_error", "FORWARDED_SIGNALS",
           "GRACE_DEFAULT", "TASK_FD_MIN"]

GRACE_DEFAULT: float = 10.0
"""Seconds from a cancel's SIGTERM to its SIGKILL (``WG_GRACE_DEFAULT``)."""

FORWARDED_SIGNALS: tuple[signal.Signals, ...] = (
    signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1,
    signal.SIGUSR2, signal.SIGTERM,
)
"""What a supervisor passes on to its command."""

TASK_FD_MIN: int = 100
"""The command's copy of its task's open file goes at or above this number
(from 3 up if the descriptor limit leaves none there)."""

_PR_SET_PDEATHSIG = 1
_SI_KERNEL = 0x80
_SIGINFO = struct.Struct("=IiiI")  # ssi_signo, ssi_errno, ssi_code, ssi_pid
_SIGINFO_SIZE = 128
_libc = None


def status_error(wstatus: int) -> int:
    """The error a task reports for a :func:`os.waitpid` status: the exit
    code, or 128 plus the signal that killed it (``wg_status_error``)."""
    if os.WIFEXITED(wstatus):
        return os.WEXITSTATUS(wstatus)
    if os.WIFSIGNALED(wstatus):
        return 128 + os.WTERMSIG(wstatus)
    raise ValueError("status %#x is neither an exit nor a kill" % wstatus)


def _exec_error_code(err: Optional[int]) -> int:
    """What a command that could not be executed reports, as sh(1) does."""
    return 127 if err == errno.ENOENT else 126


def _libc_get() -> Any:
    """The C library, through ctypes, loaded once (before any fork)."""
    import ctypes

    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _signalfd(sigs: Sequence[int]) -> int:
    """signalfd(2) through ctypes (the standard library has no wrapper)."""
    import ctypes

    _libc_get()
    mask = (ctypes.c_ulong * (1024 // (8 * ctypes.sizeof(ctypes.c_ulong))))()
    bits = 8 * ctypes.sizeof(ctypes.c_ulong)
    for s in sigs:
        mask[(s - 1) // bits] |= 1 << ((s - 1) % bits)
    fd = _libc.signalfd(-1, ctypes.byref(mask), os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return int(fd)


class _Task:
    """A counted task being supervised: userlib's struct task."""

    def __init__(self, group: Group, room_deadline: int = _group.FOREVER,
                 grace: Optional[float] = GRACE_DEFAULT) -> None:
        if grace is not None and grace < 0:
            raise error_for(errno.EINVAL, "grace must be None or >= 0")
        self.grace = grace
        self.lfd = _group._task_add(group.fileno(), room_deadline)
        self.pid = 0
        self.pidfd = -1
        try:
            self.oldmask = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED_SIGNALS)
            try:
                self.sigfd = _signalfd(FORWARDED_SIGNALS)
            except BaseException:
                signal.pthread_sigmask(signal.SIG_SETMASK, self.oldmask)
                raise
        except BaseException:
            _group._done_fd(self.lfd)
            os.close(self.lfd)
            raise

    def _fd_for_command(self, cloexec: bool) -> int:
        """A copy of the task's open file at the lowest free number from
        TASK_FD_MIN up (from 3 up if the descriptor limit leaves none)."""
        cmd = fcntl.F_DUPFD_CLOEXEC if cloexec else fcntl.F_DUPFD
        try:
            return fcntl.fcntl(self.lfd, cmd, TASK_FD_MIN)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            return fcntl.fcntl(self.lfd, cmd, 3)

    def _defaults(self) -> set[int]:
        """The signals the command gets at their default action: the
        forwarded ones the caller catches (and SIGPIPE, SIGXFSZ, which
        Python ignores)."""
        default = {signal.SIGPIPE, signal.SIGXFSZ}
        for s in FORWARDED_SIGNALS:
            if signal.getsignal(s) not in (signal.SIG_IGN, signal.SIG_DFL):
                default.add(s)
        return default

    def start(self, argv: list[bytes], env: Optional[Mapping[str, str]]) -> None:
        """posix_spawn the command with the caller's mask, the signals of
        :meth:`_defaults` at their default action, and the task's open file
        at the number of a close-on-exec copy made here, which a dup2 onto
        itself makes inheritable in the command alone. Raises the exec's
        OSError."""
        fd = self._fd_for_command(True)
        try:
            self.pid = os.posix_spawnp(argv[0], argv, os.environ if env is None else env,
                                       file_actions=[(os.POSIX_SPAWN_DUP2, fd, fd)],
                                       setsigmask=self.oldmask, setsigdef=self._defaults())
        finally:
            os.close(fd)
        self._started()

    def _started(self) -> None:
        try:
            self.pidfd = os.pidfd_open(self.pid)
        except OSError:
            self.pidfd = -1

    def start_dying_with(self, argv: list[bytes], env: Optional[Mapping[str, str]]) -> None:
        """:meth:`start` in a supervisor of its own (one thread), whose
        death kills the command: fork, and in the child PR_SET_PDEATHSIG,
        the parent checked, the task's open file handed over, the signals
        and the mask set, exec. An error before or in the exec comes back
        on a close-on-exec pipe and is raised here, the child reaped."""
        import ctypes

        sup = os.getpid()
        default = self._defaults()
        libc = _libc_get()
        sigkill = ctypes.c_ulong(signal.SIGKILL)
        zero = ctypes.c_ulong(0)
        r, w = os.pipe()
        try:
            pid = os.fork()
            if pid == 0:
                err = errno.ENOEXEC
                try:
                    os.close(r)
                    libc.prctl(_PR_SET_PDEATHSIG, sigkill, zero, zero, zero)
                    if os.getppid() != sup:
                        os._exit(128 + signal.SIGKILL)
                    self._fd_for_command(False)
                    for s in default:
                        signal.signal(s, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_SETMASK, self.oldmask)
                    _exec(argv, env)
                except OSError as exc:
                    err = exc.errno or errno.ENOEXEC
                finally:
                    try:
                        os.write(w, struct.pack("=i", err))
                    finally:
                        os._exit(_exec_error_code(err))
            os.close(w)
            w = -1
            data = _read_all(r)
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)
        if len(data) >= 4:
            os.waitpid(pid, 0)
            (err,) = struct.unpack("=i", data[:4])
            raise OSError(err, os.strerror(err), os.fsdecode(argv[0]))
        self.pid = pid
        self._started()

    def forward(self) -> None:
        while True:
            try:
                si = os.read(self.sigfd, _SIGINFO_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            if len(si) < _SIGINFO.size:
                return
            signo, _, code, _ = _SIGINFO.unpack_from(si)
            try:
                if code == _SI_KERNEL and os.getpgid(self.pid) == os.getpgrp():
                    continue
                os.kill(self.pid, signo)
            except ProcessLookupError:
                pass

    def canceled(self, revents: int) -> Optional[bool]:
        """The ledger polled readable while it holds the task's add, as
        userlib's task_canceled(): the generation is canceled (True); or a
        completion this descriptor has not reported yet (taken here, which
        reports it: False); or dones without adds
        took the counter to zero (level-triggered), or the descriptor may
        not wait (POLLERR): None, poll it no more."""
        if revents & (select.POLLERR | select.POLLNVAL):
            return None
        try:
            info = _group._info_fd(self.lfd)
        except OSError:
            return None
        if info.canceled:
            return True
        if not info.count:
            return None
        try:
            _group._wait_fd(self.lfd, 0)
        except OSError:
            pass
        return False

    def cancel(self) -> Optional[float]:
        """End the command of a canceled group: SIGTERM, or SIGKILL with
        no grace. Returns the time.monotonic() to send SIGKILL at."""
        if self.grace == 0:
            self._kill(signal.SIGKILL)
            return None
        self._kill(signal.SIGTERM)
        return None if self.grace is None else time.monotonic() + self.grace

    def _kill(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def supervise(self) -> int:
        """Forward signals, and end the command when the group is
        canceled, until it exits; reap it; its status. One poll(2) over
        every source of events."""
        if self.pidfd >= 0:
            p = select.poll()
            p.register(self.pidfd, select.POLLIN)
            p.register(self.sigfd, select.POLLIN)
            p.register(self.lfd, select.POLLIN)
            kill_at: Optional[float] = None
            exited = False
            while not exited:
                timeout = None
                if kill_at is not None:
                    timeout = max(0, int((kill_at - time.monotonic()) * 1000) + 1)
                events = p.poll(timeout)
                if kill_at is not None and time.monotonic() >= kill_at:
                    self._kill(signal.SIGKILL)
                    kill_at = None
                for fd, revents in events:
                    if fd == self.sigfd:
                        self.forward()
                    elif fd == self.lfd:
                        verdict = self.canceled(revents)
                        if verdict is not False:
                            p.unregister(self.lfd)
                        if verdict:
                            kill_at = self.cancel()
                    elif fd == self.pidfd:
                        exited = True
        _, status = os.waitpid(self.pid, 0)
        return status

    def report(self, status: int) -> int:
        """The done carrying the command's status; returns its code."""
        code = status_error(status)
        _group._done_fd(self.lfd, code)
        return code

    def leave(self) -> None:
        """The caller's side: give the signals back, close what is ours."""
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1
        os.close(self.sigfd)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.oldmask)
        os.close(self.lfd)


def _exec(argv: list[bytes], env: Optional[Mapping[str, str]]) -> None:
    """execve(2) ``argv`` found on the caller's PATH, as posix_spawnp(3)
    looks it up: a name with a slash as it is; else each directory in
    turn, going on past the ones that lack it, reporting EACCES if one
    had it but could not run it. Raises the OSError."""
    envp = os.environ if env is None else env
    name = argv[0]
    if b"/" in name:
        os.execve(name, argv, envp)
    denied: Optional[OSError] = None
    last: OSError = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
    for d in os.get_exec_path():
        try:
            os.execve(os.path.join(os.fsencode(d), name), argv, envp)
        except OSError as exc:
            if exc.errno == errno.EACCES:
                denied = denied or exc
            elif exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ESTALE,
                                   errno.ENODEV, errno.ETIMEDOUT):
                raise
            last = exc
    raise denied or last


def _read_all(fd: int) -> bytes:
    """Read ``fd`` to its end."""
    data = b""
    while True:
        chunk = os.read(fd, 4)
        if not chunk:
            return data
        data += chunk


def _argv(argv: Sequence[StrPath]) -> list[bytes]:
    if isinstance(argv, (str, bytes)) or not argv:
        raise error_for(errno.EINVAL, "argv must be a non-empty sequence")
    return [os.fsencode(a) for a in argv]


def run(group: Group, argv: Sequence[StrPath], *,
        env: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None, deadline_ns: Optional[int] = None,
        grace: Optional[float] = GRACE_DEFAULT) -> int:
    """Run ``argv`` (found on PATH) as a task of ``group``, supervised by
    the calling process, and return its error code: the exit status, or
    128 plus the signal that killed it (``wg_run``).

    Adds 1 with undo on a private open file (waiting for room under a
    limit), runs the command, and does the done carrying that code, so the
    group's waiters learn the first failure. While it runs, the forwarded
    signals are passed on to the command instead of acting on the caller.
    If the command cannot be executed, the task is reported failed with 127
    (not found) or 126, as sh(1) does, and the exec's :class:`OSError`
    (e.g. :class:`FileNotFoundError`) is raised. If the add fails nothing is
    counted and its :class:`~waitgroup.WaitgroupError` is raised. The
    command holds a copy of the task's open file (at descriptor 100 or
    above): if this process dies first, the command runs on and holds its
    slot, and the kernel undoes the add as abandoned once it exits. A caller
    with SIGCHLD ignored cannot reap the command: the task is reported
    failed with 126 and :class:`ChildProcessError` raised.

    ``timeout`` (seconds) or ``deadline_ns`` (absolute CLOCK_MONOTONIC)
    bound the wait for room under a limit (default: as long as it takes):
    :class:`~waitgroup.WaitTimeoutError`, nothing counted. If the group is
    canceled while the command runs, it is sent SIGTERM, and SIGKILL
    ``grace`` seconds later (default :data:`GRACE_DEFAULT`; 0: SIGKILL at
    once; None: never); a canceled group takes no new task
    (:class:`~waitgroup.CanceledError`).
    """
    args = _argv(argv)
    t = _Task(group, _group._pick_deadline(timeout, deadline_ns), grace)
    try:
        try:
            t.start(args, env)
        except OSError as exc:
            _group._done_fd(t.lfd, _exec_error_code(exc.errno))
            raise
        try:
            status = t.supervise()
        except OSError:
            # Not reaped (SIGCHLD ignored: ECHILD): reported failed with
            # 126, as wg_run() does, and the error raised.
            _group._done_fd(t.lfd, 126)
            raise
        return t.report(status)
    finally:
        t.leave()


class Spawned:
    """The supervisor :func:`spawn` forked, a child of the caller."""

    def __init__(self, pid: int) -> None:
        self.pid: int = pid
        """The supervisor's pid."""
        self.returncode: Optional[int] = None
        """Its :func:`status_error` code once reaped, else None."""

    def _reaped(self, status: int) -> int:
        self.returncode = status_error(status)
        return self.returncode

    def wait(self) -> int:
        """Reap the supervisor: the command's code (exit status, or 128 +
        the signal that killed it), or 128 + 9 if the supervisor itself
        was SIGKILLed (its command then killed too, the task abandoned)."""
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self._reaped(status)
        assert self.returncode is not None
        return self.returncode

    def poll(self) -> Optional[int]:
        """:meth:`wait` without blocking: None while it runs."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._reaped(status)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Signal the supervisor: forwarded signals reach the command;
        SIGKILL kills the command too (PR_SET_PDEATHSIG), and the task is
        abandoned once both are gone."""
        os.kill(self.pid, sig)

    def __repr__(self) -> str:
        return "<waitgroup.Spawned pid=%d returncode=%r>" % (self.pid, self.returncode)


def _let_go(keep: list[int]) -> None:
    """The forked supervisor needs only its own descriptors: the command
    has its copies of the rest. Standard streams become /dev/null."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    lo = 3
    for fd in sorted(k for k in keep if k >= 3):
        if fd > lo:
            os.closerange(lo, fd)
        lo = max(lo, fd + 1)
    os.closerange(lo, 0x7FFFFFFF)


def _supervise_child(t: _Task, args: list[bytes], env: Optional[Mapping[str, str]],
                     report: int) -> None:
    """The forked supervisor of :func:`spawn`; never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        t.start_dying_with(args, env)
    except OSError as exc:
        err = exc.errno or errno.ENOEXEC
        # Not started: take the add back as if it never happened.
        _group._done_fd(t.lfd)
        os.write(report, struct.pack("=i", err))
        os._exit(_exec_error_code(err))
    _let_go([t.lfd, t.sigfd, t.pidfd, report])
    os.close(report)
    status = t.supervise()
    code = t.report(status)
    os._exit(code & 0xFF)


def spawn(group: Group, argv: Sequence[StrPath], *,
          env: Optional[Mapping[str, str]] = None,
          timeout: Optional[float] = None, deadline_ns: Optional[int] = None,
          grace: Optional[float] = GRACE_DEFAULT) -> Spawned:
    """Start ``argv`` as a task of ``group`` under a forked supervisor
    (``wg_spawn``) and return it once the command runs.

    The add is made before it returns; the supervisor runs the command,
    waits for it and does the done carrying its code, then exits with that
    code (:meth:`Spawned.wait` reaps it). Before this returns, the
    supervisor closes every descriptor it inherited but its own, so the
    caller's pipes and groups are not held open by it. The command holds a
    copy of the task's open file (at descriptor 100 or above) and dies with
    its supervisor: killing the supervisor with SIGKILL kills the command,
    and the task is reported abandoned once both are gone (a command that
    executes a set-user-ID program, which clears PR_SET_PDEATHSIG, outlives
    it and holds its slot until it exits). If the command cannot be
    executed, the add is taken back and the exec's :class:`OSError` raised.
    ``timeout``, ``deadline_ns`` and ``grace`` are as for :func:`run`: the
    supervisor ends the command when the group is canceled.
    """
    args = _argv(argv)
    room = _group._pick_deadline(timeout, deadline_ns)
    r, w = os.pipe()
    try:
        t = _Task(group, room, grace)
    except BaseException:
        os.close(r)
        os.close(w)
        raise
    try:
        pid = os.fork()
    except BaseException:
        _group._done_fd(t.lfd)
        t.leave()
        os.close(r)
        os.close(w)
        raise
    if pid == 0:
        try:
            os.close(r)
            _supervise_child(t, args, env, w)
        finally:
            os._exit(126)
    t.leave()
    os.close(w)
    try:
        data = _read_all(r)
    finally:
        os.close(r)
    if len(data) >= 4:
        (err,) = struct.unpack("=i", data[:4])
        os.waitpid(pid, 0)
        raise OSError(err, os.strerror(err), os.fsdecode(args[0]))
    return Spawned(pid)

