# SPDX-License-Identifier: GPL-2.0
"""Every failure is an OSError subclass with the kernel's errno."""

from __future__ import annotations

import errno

import pytest

import waitgroup


def test_negative_counter(group):
    with pytest.raises(waitgroup.NegativeCounterError) as e:
        group.done()
    assert isinstance(e.value, OSError) and e.value.errno == errno.ERANGE
    with pytest.raises(waitgroup.NegativeCounterError):
        group.add(-1)
    assert group.count == 0


def test_overflow(group):
    group.add(2**31 - 1)
    with pytest.raises(waitgroup.CounterOverflowError) as e:
        group.add(1)
    assert e.value.errno == errno.EOVERFLOW
    with pytest.raises(waitgroup.CounterOverflowError):
        group.add(2**31)
    group.add(-(2**31 - 1))


def test_not_found_and_exists(name):
    with pytest.raises(FileNotFoundError) as e:
        waitgroup.open(name)
    assert isinstance(e.value, waitgroup.GroupNotFoundError)
    assert e.value.errno == errno.ENOENT and e.value.filename == name
    with waitgroup.create(name, exclusive=True):
        with pytest.raises(FileExistsError) as e:
            waitgroup.create(name, exclusive=True)
        assert isinstance(e.value, waitgroup.GroupExistsError)
    with pytest.raises(waitgroup.GroupNotFoundError):
        waitgroup.unlink(name + "-none")


@pytest.mark.parametrize("bad, code", [
    ("a b", errno.EINVAL), ("a/b", errno.EINVAL), ("é", errno.EINVAL),
    ("x" * 63 + "y", errno.ENAMETOOLONG),
])
def test_bad_names(bad, code):
    with pytest.raises(waitgroup.WaitgroupError) as e:
        waitgroup.create(bad)
    assert e.value.errno == code


def test_access_bits(name):
    with waitgroup.create(name):
        with waitgroup.open(name, access=waitgroup.Access.WAIT) as w:
            with pytest.raises(waitgroup.WaitgroupError) as e:
                w.add(1)
            assert e.value.errno == errno.EBADF
            w.wait(timeout=0)
        with waitgroup.open(name, access=waitgroup.Access.ADD) as a:
            a.add(1)
            a.done()
            with pytest.raises(waitgroup.WaitgroupError) as e:
                a.info()
            assert e.value.errno == errno.EBADF


def test_other_codes_are_plain_waitgroup_errors(group):
    with pytest.raises(waitgroup.WaitgroupError) as e:
        group.add(1, error=5)  # an error with a positive delta
    assert type(e.value) is waitgroup.WaitgroupError and e.value.errno == errno.EINVAL
    with pytest.raises(waitgroup.WaitgroupError) as e:
        waitgroup.create(None, mode=0o600)
    assert e.value.errno == errno.EINVAL


def test_error_for_maps_codes():
    assert isinstance(waitgroup.errors.error_for(errno.ETIMEDOUT), TimeoutError)
    assert isinstance(waitgroup.errors.error_for(errno.EAGAIN), BlockingIOError)
    assert isinstance(waitgroup.errors.error_for(errno.EPERM), PermissionError)
    assert type(waitgroup.errors.error_for(errno.ECANCELED)) is waitgroup.CanceledError
