# SPDX-License-Identifier: GPL-2.0
"""Batches: a wait's Result carries every task since the group's creation
or the last reset, however many generations fast tasks completed; check()
judges the batch, not the last generation."""

from __future__ import annotations

import asyncio
import errno

import pytest

import waitgroup
from waitgroup import _abi, _group
from waitgroup.errors import error_for

Batch = waitgroup.Batch


def test_batch_of_many_generations_reports_a_failure_and_an_abandonment(group):
    # Twenty tasks one after another, in this process, as commands and
    # abandoned by a holder: each completes a generation of its own.
    for i in range(20):
        if i == 3:
            with pytest.raises(OSError):
                with group.task():
                    raise OSError(errno.EIO, "task 3 fails")
        elif i == 11:
            with group.dup() as holder:
                holder.add(1, undo=True)  # closed without its done
        elif i % 3 == 0:
            assert group.run(["true"]) == 0
        elif i % 3 == 1:
            assert group.spawn(["true"]).wait() == 0
        else:
            with group.task():
                pass
    res = group.wait(timeout=0)
    # The last generation's own result is clean, as Go's Wait would say ...
    assert (res.generation, res.error, res.abandoned, res.canceled) == (20, 0, 0, False)
    # ... the batch has both.
    assert res.batch == Batch(done=19, failed=1, abandoned=1, error=errno.EIO)
    assert not res.ok and not res.batch.ok
    with pytest.raises(waitgroup.AbandonedError) as e:
        res.check()
    assert e.value.errno == errno.EOWNERDEAD and e.value.result is res
    assert group.info().batch == res.batch


def test_a_failed_task_before_a_spawn_fails_the_check(group):
    # The example: the spawned command's generation is clean, the
    # task's before it is not.
    with pytest.raises(OSError):
        with group.task():
            raise OSError(errno.EIO, "I/O error")
    s = group.spawn(["true"])
    res = group.wait()
    assert s.wait() == 0
    assert (res.generation, res.error) == (2, 0)
    with pytest.raises(waitgroup.TaskFailedError) as e:
        res.check()
    assert e.value.errno == errno.EIO
    assert res.batch == Batch(done=2, failed=1, abandoned=0, error=errno.EIO)


def test_reset_starts_a_new_batch(group):
    group.add(2)
    group.done(error=7)
    group.done()
    res = group.wait(timeout=0, reset=True)
    assert res.batch == Batch(2, 1, 0, 7)  # the batch that ends
    assert group.info().batch == Batch(0, 0, 0, 0)
    # At zero a wait returns the last generation again, error and all; the
    # new batch is empty, and judged so.
    res = group.wait(timeout=0)
    assert (res.generation, res.error, res.batch) == (1, 7, Batch(0, 0, 0, 0))
    assert res.ok and res.check() is res
    with group.task():
        pass
    res = group.wait(timeout=0)
    assert res.batch == Batch(1, 0, 0, 0) and res.ok


def test_reset_only_as_a_wait_returns(group):
    group.add(1)
    group.done(error=4)
    group.add(1)
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.wait(timeout=0, reset=True)
    assert group.info().batch == Batch(1, 1, 0, 4)  # nothing reset
    group.done()
    assert group.wait(timeout=0, reset=True).batch == Batch(2, 1, 0, 4)
    assert group.info().batch == Batch(0, 0, 0, 0)


def test_reset_async(group):
    group.add(1)
    group.done(error=3)
    res = asyncio.run(group.wait_async(timeout=0, reset=True))
    assert res.batch == Batch(1, 1, 0, 3)
    assert asyncio.run(group.wait_async(timeout=0)).batch == Batch(0, 0, 0, 0)


def test_reset_needs_add_access(name):
    with waitgroup.create(name) as g, \
            waitgroup.open(name, access=waitgroup.Access.WAIT) as w:
        g.add(1)
        g.done(error=5)
        with pytest.raises(waitgroup.WaitgroupError) as e:
            w.wait(timeout=0, reset=True)
        assert e.value.errno == errno.EBADF
        assert w.wait(timeout=0).batch == Batch(1, 1, 0, 5)


def test_batch_across_processes(name):
    # Tasks reported by other processes (the supervisors) count in the
    # same batch.
    with waitgroup.create(name) as g:
        for code in (0, 0, 9, 0):
            p = waitgroup.spawn(g, ["sh", "-c", "exit %d" % code])
            assert p.wait() == code
        res = g.wait(timeout=0)
        assert res.generation == 4 and res.error == 0
        assert res.batch == Batch(4, 1, 0, 9)


def _old_module(monkeypatch, code):
    """The module answers ``code`` to struct wg_wait's 80 bytes with
    WG_WAIT_TOTALS (EINVAL: 1.2, 1.3) or to any grown size (ENOTTY: 1.0)."""
    real = _group._ioctl

    def ioctl(fd, request, arg=0):
        if request == _abi.IOC_WAIT:
            (flags,) = _abi.U32.unpack_from(arg, 8)
            if code == errno.ENOTTY or flags & (_abi.WAIT_TOTALS | _abi.WAIT_RESET):
                raise error_for(code)
        return real(fd, request, arg)
    monkeypatch.setattr(_group, "_ioctl", ioctl)


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOTTY])
def test_a_module_without_totals(group, monkeypatch, code):
    # The result then has no batch, and check() judges the generation.
    _old_module(monkeypatch, code)
    group.add(1)
    group.done(error=3)
    res = group.wait(timeout=0)
    assert (res.generation, res.error, res.batch) == (1, 3, None)
    with pytest.raises(waitgroup.TaskFailedError) as e:
        res.check()
    assert e.value.errno == 3
    group.add(1)
    group.done()
    assert group.wait(timeout=0).ok
    with pytest.raises(waitgroup.WaitgroupError) as e:
        group.wait(timeout=0, reset=True)
    assert e.value.errno == code
