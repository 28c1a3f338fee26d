# SPDX-License-Identifier: GPL-2.0
"""pytest setup for the waitgroup package's tests (run inside the VM).

The package is imported from the tree (bindings/python), unless
WG_PYTHON_INSTALLED=1 asks for the installed one. Without /dev/waitgroup
every test is skipped. At the end a kselftest-style "# Totals:" line is
printed, which scripts/check counts.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Iterator

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
if os.environ.get("WG_PYTHON_INSTALLED") != "1":
    sys.path.insert(0, PKG_ROOT)
    os.environ["PYTHONPATH"] = PKG_ROOT + (os.pathsep + os.environ["PYTHONPATH"]
                                           if os.environ.get("PYTHONPATH") else "")

import waitgroup  # noqa: E402

_names = itertools.count()


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if not os.path.exists("/dev/waitgroup"):
        skip = pytest.mark.skip(reason="no /dev/waitgroup (module not loaded)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture
def name() -> Iterator[str]:
    """A fresh group name, unlinked after the test if it exists."""
    n = "py-%d-%d" % (os.getpid(), next(_names))
    yield n
    try:
        waitgroup.unlink(n)
    except waitgroup.GroupNotFoundError:
        pass


@pytest.fixture
def group() -> Iterator[waitgroup.Group]:
    """A fresh anonymous group, closed after the test."""
    with waitgroup.anonymous() as g:
        yield g


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    stats = terminalreporter.stats
    n = {k: len(stats.get(k, []))
         for k in ("passed", "failed", "skipped", "xfailed", "xpassed", "error")}
    for r in stats.get("failed", []) + stats.get("error", []):
        terminalreporter.write_line("not ok - python: %s" % r.nodeid)
    terminalreporter.write_line(
        "# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:%d"
        % (n["passed"], n["failed"], n["xfailed"], n["xpassed"], n["skipped"], n["error"]))
