# SPDX-License-Identifier: GPL-2.0
"""Groups in one process: create/open/unlink, add/done/wait/info, with,
task(), dup, fileno with selectors, go, EINTR."""

from __future__ import annotations

import errno
import os
import selectors
import signal

import pytest

import waitgroup
from wgutil import LONG, fork, reap, until


def test_anonymous_add_done_wait(group):
    info = group.info()
    assert (info.count, info.generation, info.name, info.mode) == (0, 0, "", 0)
    group.add(2)
    assert group.count == 2
    group.done()
    group.add(-1)
    res = group.wait(timeout=LONG)
    assert res == waitgroup.Result(generation=1, error=0, abandoned=0, canceled=False,
                                   batch=waitgroup.Batch(done=2, failed=0, abandoned=0, error=0))
    assert res.ok and res.check() is res


def test_wait_on_zero_returns_last_generation(group):
    assert group.wait(timeout=0).generation == 0
    group.add(1)
    group.done()
    assert group.wait(timeout=0).generation == 1
    assert group.wait().generation == 1


def test_create_count_and_anonymous_helper():
    with waitgroup.create(count=3) as g:
        assert g.count == 3
    with waitgroup.anonymous(2, limit=5) as g:
        i = g.info()
        assert (i.count, i.limit) == (2, 5)


def test_named_create_open_info_unlink(name):
    with waitgroup.create(name, 1, mode=0o640) as g:
        i = g.info()
        assert (i.name, i.count, i.mode, i.uid) == (name, 1, 0o640, os.geteuid())
        with waitgroup.open(name) as h:
            h.done()
        assert g.wait(timeout=LONG).generation == 1
        # An existing name opens it: count and mode are ignored.
        with waitgroup.create(name, 7, mode=0o600) as again:
            assert again.info().mode == 0o640 and again.count == 0
        assert name in list(waitgroup.list_names())
        waitgroup.unlink(name)
        assert name not in list(waitgroup.list_names())
        with pytest.raises(waitgroup.GroupNotFoundError):
            waitgroup.open(name)
        g.add(1)  # the open descriptor keeps working
        g.done()


def test_with_group_closes(group):
    with waitgroup.anonymous() as g:
        fd = g.fileno()
        assert not g.closed
    assert g.closed
    with pytest.raises(ValueError):
        g.fileno()
    with pytest.raises(OSError) as e:
        os.fstat(fd)
    assert e.value.errno == errno.EBADF
    g.close()  # twice: nothing


def test_descriptors_are_cloexec_unless_inheritable(name):
    with waitgroup.create(name) as g, waitgroup.open(name, inheritable=True) as h:
        assert not os.get_inheritable(g.fileno())
        assert os.get_inheritable(h.fileno())
        assert not os.get_inheritable(g.dup().detach())


def test_task_without_exception(group):
    with group.task() as t:
        assert group.count == 1
    assert t.error == 0
    assert group.count == 0
    assert group.wait(timeout=0).ok


@pytest.mark.parametrize("exc, code", [
    (OSError(errno.ENOSPC, "full"), errno.ENOSPC),
    (ValueError("bad"), 1),
    (SystemExit(4), 4),
    (KeyboardInterrupt(), 130),
])
def test_task_with_exception_reports_error(group, exc, code):
    with pytest.raises(type(exc)):
        with group.task():
            raise exc
    assert group.count == 0
    res = group.wait(timeout=0)
    assert (res.error, res.abandoned) == (code, 0)
    with pytest.raises(waitgroup.TaskFailedError) as e:
        res.check()
    assert e.value.errno == code and e.value.result is res


def test_task_uses_a_private_ledger(group):
    # A task's add lives in its own open file: closing the Group's own
    # descriptor does not abandon it; the task's done still works.
    g2 = group.dup()
    t = g2.task()
    t.__enter__()
    g2.close()
    assert group.count == 1
    t.__exit__(None, None, None)
    assert group.wait(timeout=0).ok


def test_undo_on_close_is_abandoned(group):
    d = group.dup()
    d.add(2, undo=True)
    d.done()  # drawn from the ledger
    d.close()  # the other one is undone
    res = group.wait(timeout=0)
    assert (res.abandoned, res.error) == (1, errno.EOWNERDEAD)
    with pytest.raises(waitgroup.AbandonedError):
        res.check()


def test_done_with_error_first_error_kept(group):
    group.add(3)
    group.done(error=5)
    group.done(error=6)
    group.done()
    assert group.wait(timeout=0).error == 5
    group.add(1)
    group.done()
    assert group.wait(timeout=0).error == 0  # the next generation starts clean


def test_wait_timeout(group):
    group.add(1)
    start = waitgroup.monotonic_ns()
    with pytest.raises(TimeoutError) as e:
        group.wait(timeout=0.05)
    assert isinstance(e.value, waitgroup.WaitTimeoutError)
    assert e.value.errno == errno.ETIMEDOUT
    assert waitgroup.monotonic_ns() - start >= 50_000_000
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.wait(timeout=0)
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.wait(deadline_ns=waitgroup.monotonic_ns() + 1_000_000)
    with pytest.raises(TypeError):
        group.wait(timeout=1, deadline_ns=1)
    assert waitgroup.deadline(None) == waitgroup.FOREVER
    assert waitgroup.deadline(0) == 0
    group.done()


def test_fileno_with_selectors(group):
    group.add(1)
    with selectors.DefaultSelector() as sel:
        sel.register(group, selectors.EVENT_READ)
        assert sel.select(timeout=0) == []
        pid = fork(group.done)  # the child shares the open file: fine for done
        assert len(sel.select(timeout=LONG)) == 1
        assert reap(pid) == 0
    assert group.wait(timeout=0).generation == 1


def test_go_threads(group):
    seen = []
    threads = [group.go(seen.append, i) for i in range(4)]
    res = group.wait(timeout=LONG)
    for t in threads:
        t.join()
    assert sorted(seen) == [0, 1, 2, 3] and res.ok

    def boom():
        raise OSError(errno.EIO, "boom")
    old, waitgroup_hook = None, []
    import threading
    old = threading.excepthook
    threading.excepthook = waitgroup_hook.append
    try:
        group.go(boom).join()
    finally:
        threading.excepthook = old
    assert group.wait(timeout=0).error == errno.EIO and len(waitgroup_hook) == 1


def wait_interrupted(group, handler):
    """group.wait() with @handler on SIGUSR1, which a child sends once the
    wait is asleep; the wait's result."""
    old = signal.signal(signal.SIGUSR1, handler)
    try:
        me = os.getpid()

        def poke():
            until(lambda: group.info().waiters == 1, "a waiter")
            os.kill(me, signal.SIGUSR1)
        pid = fork(poke)
        res = group.wait(timeout=LONG)
        assert reap(pid) == 0
    finally:
        signal.signal(signal.SIGUSR1, old)
    return res


def test_wait_resumes_after_a_signal(group):
    # A handler that returns does not end the wait (PEP 475): the wait goes
    # on with the same deadline and sees the done the handler made.
    group.add(1)
    ran = []
    with group.dup() as h:
        def handler(signum, frame):
            ran.append(signum)
            h.done()
        res = wait_interrupted(group, handler)
    assert ran == [signal.SIGUSR1] and res.generation == 1


@pytest.mark.parametrize("codes,want", [
    ((3, 4), waitgroup.Result(1, 3, 0, batch=waitgroup.Batch(2, 2, 0, 3))),
    (tuple(range(1, 10)), waitgroup.Result(1, 0, 0, expired=True,
                                           batch=waitgroup.Batch(9, 9, 0, 1))),
])
def test_wait_after_a_signal_keeps_its_generation(group, codes, want):
    # The handler runs between the EINTR and the retry, which carries the
    # generation the wait began in: the handler completes it, re-arms the
    # group and completes the next, and the wait reports the first; after
    # 9 completions its result has expired. The batch has them all.
    group.add(1)
    with group.dup() as h:
        def handler(signum, frame):
            for code in codes:
                h.done(error=code)
                h.add(1)
        res = wait_interrupted(group, handler)
    assert res == want
    group.done()


def test_a_raising_handler_ends_the_wait(group):
    group.add(1)

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop()

    old = signal.signal(signal.SIGUSR2, handler)
    try:
        me = os.getpid()
        pid = fork(lambda: (until(lambda: group.info().waiters == 1, "a waiter"),
                            os.kill(me, signal.SIGUSR2)))
        with pytest.raises(Stop):
            group.wait(timeout=LONG)
        assert reap(pid) == 0
    finally:
        signal.signal(signal.SIGUSR2, old)
    group.done()
