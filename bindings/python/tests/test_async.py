# SPDX-License-Identifier: GPL-2.0
"""await group.wait_async(): through the event loop's reader."""

from __future__ import annotations

import asyncio
import errno
import os

import pytest

import waitgroup
from wgutil import LONG, fork, reap


def test_wait_async_on_zero(group):
    assert asyncio.run(group.wait_async(timeout=LONG)).generation == 0


def test_wait_async_released_by_done(group):
    group.add(2)

    async def main():
        waiter = asyncio.ensure_future(group.wait_async(timeout=LONG))
        await asyncio.sleep(0)  # let the waiter register (not a delay)
        assert not waiter.done()
        group.done()
        asyncio.get_running_loop().call_soon(group.done)
        return await waiter
    res = asyncio.run(main())
    assert (res.generation, res.ok) == (1, True)


def test_wait_async_across_processes(name):
    with waitgroup.create(name, 1) as g:
        r, w = os.pipe()

        def worker():
            os.read(r, 1)
            with waitgroup.open(name) as h:
                h.done(error=errno.EIO)

        pid = fork(worker)

        async def main():
            waiter = asyncio.ensure_future(g.wait_async(timeout=LONG))
            await asyncio.sleep(0)
            os.write(w, b"x")
            return await waiter
        res = asyncio.run(main())
        assert reap(pid) == 0
        assert (res.generation, res.error) == (1, errno.EIO)
        os.close(r)
        os.close(w)


def test_wait_async_sees_a_completion_rearmed_at_once(group):
    # Done then add again before the loop looks: the private descriptor
    # is readable with a completion it has not reported.
    group.add(1)

    async def main():
        waiter = asyncio.ensure_future(group.wait_async(timeout=LONG))
        await asyncio.sleep(0)
        group.done()
        group.add(1)
        return await waiter
    assert asyncio.run(main()).generation == 1
    assert group.count == 1
    # ...and that was the private descriptor's: our own wait sleeps.
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.wait(timeout=0)
    group.done()


def _complete(group, *codes):
    """Complete the running generation with each code in turn, re-arming
    the group after each."""
    for code in codes:
        group.done(error=code)
        group.add(1)


@pytest.mark.parametrize("codes,want", [
    ((3, 4), waitgroup.Result(1, 3, 0, batch=waitgroup.Batch(2, 2, 0, 3))),
    (tuple(range(1, 10)), waitgroup.Result(1, 0, 0, expired=True,
                                           batch=waitgroup.Batch(9, 9, 0, 1))),
])
def test_wait_async_keeps_its_generation(group, codes, want):
    # The waiter has looked once (the loop ran it up to its await): the
    # generation then running is the one it reports, though it completes,
    # is re-armed and others complete before the waiter looks again; after
    # 9, more than the kernel keeps, its result has expired; the batch's
    # totals still judge every task.
    group.add(1)

    async def main():
        waiter = asyncio.ensure_future(group.wait_async(timeout=LONG))
        await asyncio.sleep(0)
        assert not waiter.done()
        _complete(group, *codes)
        return await waiter
    res = asyncio.run(main())
    assert res == want
    assert not res.ok
    with pytest.raises(waitgroup.TaskFailedError) as e:
        res.check()
    assert e.value.errno == codes[0] and e.value.result is res
    if res.expired:
        # Without totals (a module before 1.4) the outcome is not known.
        old = res._replace(batch=None)
        assert not old.ok
        with pytest.raises(waitgroup.ResultExpiredError) as e:
            old.check()
        assert e.value.errno == errno.ENODATA and e.value.result is old
    group.done()


def test_wait_async_timeout(group):
    group.add(1)
    with pytest.raises(TimeoutError) as e:
        asyncio.run(group.wait_async(timeout=0.05))
    assert e.value.errno == errno.ETIMEDOUT
    group.done()


def test_wait_async_cancelled_unregisters(group):
    group.add(1)

    async def main():
        waiter = asyncio.ensure_future(group.wait_async())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    before = len(os.listdir("/proc/self/fd"))
    asyncio.run(main())
    assert len(os.listdir("/proc/self/fd")) <= before
    group.done()


def test_wait_async_canceled_generation(group):
    group.add(1)

    async def main():
        waiter = asyncio.ensure_future(group.wait_async(timeout=LONG))
        await asyncio.sleep(0)
        group.cancel(error=errno.EPIPE)
        return await waiter
    res = asyncio.run(main())
    assert res.canceled and res.error == errno.EPIPE
    group.done()


def test_wait_async_without_wait_access(name):
    with waitgroup.create(name), waitgroup.open(name, access=waitgroup.Access.ADD) as g:
        with pytest.raises(waitgroup.WaitgroupError) as e:
            asyncio.run(g.wait_async(timeout=LONG))
        assert e.value.errno == errno.EBADF
