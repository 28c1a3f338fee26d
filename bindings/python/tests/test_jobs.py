# SPDX-License-Identifier: GPL-2.0
"""Limit and cancel."""

from __future__ import annotations

import errno
import os

import pytest

import waitgroup
from wgutil import LONG, fork, reap, until


def test_limit(group):
    group.set_limit(2)
    assert group.info().limit == 2
    group.add(2)
    with pytest.raises(BlockingIOError) as e:
        group.add(1)
    assert isinstance(e.value, waitgroup.LimitError) and e.value.errno == errno.EAGAIN
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.add_wait(1, timeout=0.05)
    with pytest.raises(waitgroup.WaitgroupError) as e:
        group.add_wait(3)  # could never fit
    assert e.value.errno == errno.EINVAL
    group.set_limit(0)
    group.add(1)
    group.add(-3)
    with pytest.raises(waitgroup.WaitgroupError):
        group.set_limit(2**31)


def test_add_wait_gets_in_when_room_is_made(name):
    with waitgroup.create(name, limit=1) as g:
        assert g.info().limit == 1
        g.add(1)
        r, w = os.pipe()

        def worker():
            with waitgroup.open(name) as h:
                h.add_wait(1, undo=True, timeout=LONG)
                os.write(w, b"x")
                h.done()
        pid = fork(worker)
        until(lambda: g.info().room_waiters == 1, "an add waiting for room")
        g.done()
        assert os.read(r, 1) == b"x"
        assert reap(pid) == 0
        g.wait(timeout=LONG)
        assert g.count == 0
        os.close(r)
        os.close(w)


def test_task_waits_for_room_with_a_deadline(group):
    group.set_limit(1)
    with group.task():
        with pytest.raises(waitgroup.WaitTimeoutError):
            with group.task(timeout=0.05):
                pass
        with pytest.raises(waitgroup.WaitTimeoutError):
            group.task(deadline_ns=0).__enter__()
    assert group.count == 0


def test_cancel(group):
    group.add(2)
    assert group.cancel(error=errno.EPIPE) is True
    assert group.cancel() is False  # already canceled
    i = group.info()
    assert i.canceled and i.cancel_error == errno.EPIPE
    res = group.wait(timeout=0)
    assert res.canceled and res.error == errno.EPIPE and res.generation == 1
    with pytest.raises(waitgroup.CanceledError) as e:
        res.check()
    assert e.value.errno == errno.EPIPE
    with pytest.raises(waitgroup.CanceledError) as e:
        group.add(1)
    assert e.value.errno == errno.ECANCELED
    group.done()
    group.done()
    i = group.info()
    assert not i.canceled and i.last_canceled and i.generation == 1
    group.add(1)  # the next generation starts clean
    group.done()
    assert group.wait(timeout=0).ok


def test_cancel_nothing_and_default_code(group):
    assert group.cancel() is False
    group.add(1)
    assert group.cancel() is True
    assert group.wait(timeout=0).error == errno.ECANCELED
    group.done()


def test_cancel_wakes_a_waiter_in_another_process(group):
    group.add(1)
    pid = fork(lambda: (until(lambda: group.info().waiters == 1, "a waiter"),
                        group.cancel(error=7)))
    res = group.wait(timeout=LONG)
    assert reap(pid) == 0
    assert res.canceled and res.error == 7
    group.done()


def test_cancel_on_error(group):
    group.add(2)
    group.done(error=errno.EIO)
    res = group.wait(timeout=LONG, cancel_on_error=True)
    assert res.canceled and res.error == errno.EIO
    group.done()


def test_add_wait_resumes_after_a_signal(group):
    # As wait: a handler that returns does not end the wait for room.
    import signal

    group.set_limit(1)
    group.add(1)
    h = group.dup()

    def handler(signum, frame):
        h.done()

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        me = os.getpid()
        pid = fork(lambda: (until(lambda: group.info().room_waiters == 1, "an add waiting"),
                            os.kill(me, signal.SIGUSR1)))
        group.add_wait(1, timeout=LONG)
        assert reap(pid) == 0
    finally:
        signal.signal(signal.SIGUSR1, old)
        h.close()
    assert group.count == 1
    group.done()
