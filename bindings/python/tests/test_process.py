# SPDX-License-Identifier: GPL-2.0
"""Across processes: named groups opened by workers, descriptors passed
to children, undo when a worker is SIGKILLed, run() and spawn()."""

from __future__ import annotations

import errno
import os
import select
import signal
import subprocess
import sys

import pytest

import waitgroup
from wgutil import LONG, fork, python, reap, until

WORKER = """
import sys, waitgroup
g = waitgroup.open(sys.argv[1])
with g.task():
    g.done()          # one of the count the parent created
    if sys.argv[2] != "0":
        raise OSError(int(sys.argv[2]), "worker failed")
"""


def test_workers_open_the_same_named_group(name):
    with waitgroup.create(name, 3) as g:
        procs = [python(WORKER, name, code) for code in ("0", "0", str(errno.EPIPE))]
        res = g.wait(timeout=LONG)
        # The three dones of the count finish the generation; the tasks'
        # own add/done pairs may land in it or in the next one.
        assert [p.wait(LONG) for p in procs] == [0, 0, 1]
        assert res.generation >= 1
        assert g.wait(timeout=LONG).generation >= res.generation
        assert g.count == 0


def test_forked_workers_share_the_descriptor(group):
    group.add(4)
    pids = [fork(group.done) for _ in range(4)]
    res = group.wait(timeout=LONG)
    assert [reap(p) for p in pids] == [0] * 4
    assert (res.generation, res.ok) == (1, True)


def test_descriptor_passed_through_exec(group):
    group.add(1)
    p = python("import sys, waitgroup; waitgroup.fromfd(int(sys.argv[1])).done(error=9)",
               str(group.fileno()), pass_fds=[group.fileno()])
    res = group.wait(timeout=LONG)
    assert p.wait(LONG) == 0
    assert res.error == 9


def test_sigkilled_worker_is_undone(name):
    with waitgroup.create(name) as g:
        ready_r, ready_w = os.pipe()
        hold_r, hold_w = os.pipe()

        def worker():
            with waitgroup.open(name) as mine, mine.task():
                os.write(ready_w, b"x")
                os.read(hold_r, 1)  # until killed
        pid = fork(worker)
        assert os.read(ready_r, 1) == b"x"
        assert g.count == 1
        os.kill(pid, signal.SIGKILL)
        assert reap(pid) == -signal.SIGKILL
        res = g.wait(timeout=LONG)
        assert (res.abandoned, res.error) == (1, errno.EOWNERDEAD)
        for fd in (ready_r, ready_w, hold_r, hold_w):
            os.close(fd)


def test_forked_task_is_its_own(group):
    # A forked child's task() has a ledger of its own, though it shares
    # the Group's descriptor with the parent: SIGKILL undoes it.
    r, w = os.pipe()

    def worker():
        with group.task():
            os.write(w, b"x")
            signal.pause()
    pid = fork(worker)
    assert os.read(r, 1) == b"x"
    os.kill(pid, signal.SIGKILL)
    reap(pid)
    assert group.wait(timeout=LONG).abandoned == 1
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("argv, code", [
    (["true"], 0),
    (["sh", "-c", "exit 3"], 3),
    (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM),
])
def test_run_exit_codes(group, argv, code):
    assert group.run(argv) == code
    res = group.wait(timeout=0)
    assert (res.generation, res.error, res.abandoned) == (1, code, 0)


def test_run_counts_while_running(group):
    code = "import sys, waitgroup; print(waitgroup.fromfd(int(sys.argv[1])).count)"
    out = os.pipe()
    fd = group.fileno()
    os.set_inheritable(fd, True)
    os.set_inheritable(out[1], True)
    try:
        assert group.run([sys.executable, "-c",
                          "import os, sys, waitgroup; os.write(int(sys.argv[2]), b'%d' % "
                          "waitgroup.fromfd(int(sys.argv[1])).count)",
                          str(fd), str(out[1])]) == 0
    finally:
        os.set_inheritable(fd, False)
    os.close(out[1])
    assert os.read(out[0], 16) == b"1"
    os.close(out[0])
    del code


def test_run_not_found_reports_127(group):
    with pytest.raises(FileNotFoundError):
        group.run(["/nonexistent/command"])
    res = group.wait(timeout=0)
    assert (res.generation, res.error) == (1, 127)


def test_run_forwards_signals(group):
    # SIGTERM to the supervising caller goes on to the command, not to us.
    # The command says on a pipe when its trap is set; then we are sent it.
    me = os.getpid()
    r, w = os.pipe()
    os.set_inheritable(w, True)

    def poke():
        os.close(w)
        assert os.read(r, 1) == b"x"
        os.kill(me, signal.SIGTERM)
    pid = fork(poke)
    os.close(r)
    try:
        code = group.run(["sh", "-c", "trap 'exit 42' TERM; printf x >&%d; "
                          "while :; do sleep 1; done" % w])
    finally:
        os.close(w)
    assert reap(pid) == 0
    assert code == 42
    assert group.wait(timeout=0).error == 42


def test_run_bad_argv(group):
    for bad in ([], "true"):
        with pytest.raises(waitgroup.WaitgroupError) as e:
            group.run(bad)
        assert e.value.errno == errno.EINVAL
    assert group.count == 0


def test_spawn_exit_code(group):
    s = group.spawn(["sh", "-c", "exit 5"])
    res = group.wait(timeout=LONG)
    assert s.wait() == 5 and s.returncode == 5
    assert (res.error, res.abandoned) == (5, 0)


def test_spawn_counts_before_it_returns_and_sigkill_abandons(group):
    r, w = os.pipe()
    os.set_inheritable(r, True)
    s = group.spawn([sys.executable, "-c", "import os, sys; os.read(int(sys.argv[1]), 1)", str(r)])
    os.close(r)
    assert group.count == 1
    assert s.poll() is None
    s.send_signal(signal.SIGKILL)
    assert s.wait() == 128 + signal.SIGKILL
    res = group.wait(timeout=LONG)
    assert (res.abandoned, res.error) == (1, errno.EOWNERDEAD)
    os.close(w)  # the command, left alone, ends now


def test_spawn_supervisor_holds_none_of_our_descriptors(group):
    # Our pipe's write end is closed in the supervisor before spawn returns:
    # once the command (which has no copy: close-on-exec) runs, EOF.
    r, w = os.pipe()
    s = group.spawn(["sh", "-c", "exit 0"])
    os.close(w)
    assert os.read(r, 1) == b""
    os.close(r)
    assert s.wait() == 0
    assert group.wait(timeout=LONG).ok


def test_spawn_not_found_takes_the_add_back(group):
    with pytest.raises(FileNotFoundError):
        group.spawn(["/nonexistent/command"])
    info = group.info()
    assert (info.count, info.error, info.abandoned) == (0, 0, 0)


def test_spawn_under_a_limit_waits_for_room(group):
    group.set_limit(1)
    first = group.spawn(["sh", "-c", "exit 0"])
    second = group.spawn(["sh", "-c", "exit 1"])  # counted once first is done
    assert sorted([first.wait(), second.wait()]) == [0, 1]
    group.wait(timeout=LONG)
    assert group.count == 0


def test_permission_denied_for_another_user(name):
    with waitgroup.create(name, mode=0o600):
        def other():
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            try:
                waitgroup.open(name)
            except waitgroup.GroupPermissionError as e:
                assert isinstance(e, PermissionError) and e.errno == errno.EACCES
                return
            raise AssertionError("opened")
        if os.geteuid() != 0:
            pytest.skip("needs root to become another user")
        assert reap(fork(other)) == 0


def test_subprocess_is_unaffected_by_the_package():
    # The package imports nothing that changes subprocess's behaviour.
    assert subprocess.run(["true"]).returncode == 0


def test_status_error():
    assert waitgroup.status_error(3 << 8) == 3
    assert waitgroup.status_error(signal.SIGKILL) == 128 + signal.SIGKILL
    with pytest.raises(ValueError):
        waitgroup.status_error(0x137f)  # stopped


def test_run_with_sigchld_ignored_reports_126(group):
    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with pytest.raises(ChildProcessError):
            group.run(["true"])
    finally:
        signal.signal(signal.SIGCHLD, old)
    assert group.wait(timeout=0).error == 126


def _ready_pipe():
    r, w = os.pipe()
    os.set_inheritable(w, True)
    return r, w


LOOP = "while :; do sleep 1; done"


def test_cancel_ends_a_run_command(group):
    # The caller supervises; another process cancels once the command runs.
    r, w = _ready_pipe()

    def canceler():
        os.close(w)
        assert os.read(r, 1) == b"x"
        assert group.cancel() is True
    pid = fork(canceler)
    os.close(r)
    try:
        code = group.run(["sh", "-c", "printf x >&%d; %s" % (w, LOOP)])
    finally:
        os.close(w)
    assert reap(pid) == 0
    assert code == 128 + signal.SIGTERM
    res = group.wait(timeout=0)
    assert res.canceled and res.error == errno.ECANCELED
    assert group.count == 0 and not group.info().canceled


@pytest.mark.parametrize("grace, trap", [(0.2, "trap '' TERM"), (0, "trap 'exit 9' TERM")])
def test_cancel_kills_after_the_grace(group, grace, trap):
    r, w = _ready_pipe()
    s = group.spawn(["sh", "-c", "%s; printf x >&%d; %s" % (trap, w, LOOP)], grace=grace)
    os.close(w)
    assert os.read(r, 1) == b"x"
    os.close(r)
    assert group.cancel(error=errno.EPIPE) is True
    assert s.wait() == 128 + signal.SIGKILL
    res = group.wait(timeout=LONG)
    assert res.canceled and res.error == errno.EPIPE


def test_cancel_grace_none_only_terms(group):
    r, w = _ready_pipe()
    s = group.spawn(["sh", "-c", "trap 'exit 9' TERM; printf x >&%d; %s" % (w, LOOP)],
                    grace=None)
    os.close(w)
    assert os.read(r, 1) == b"x"
    os.close(r)
    group.cancel()
    assert s.wait() == 9
    assert group.wait(timeout=LONG).canceled


def test_run_room_timeout_and_canceled_group(group):
    group.set_limit(1)
    group.add(1)
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.run(["true"], timeout=0.05)
    with pytest.raises(waitgroup.WaitTimeoutError):
        group.spawn(["true"], deadline_ns=0)
    assert group.count == 1
    group.cancel()
    with pytest.raises(waitgroup.CanceledError):
        group.run(["true"])
    group.done()
    with pytest.raises(waitgroup.WaitgroupError) as e:
        group.run(["true"], grace=-1)
    assert e.value.errno == errno.EINVAL
    assert group.count == 0


# The command's waitgroup descriptors, as "FD:UNDO" (its fdinfo's undo
# ledger), written to the descriptor given.
GROUP_FDS = r"""
import os, sys
seen = []
for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
    try:
        if os.readlink("/proc/self/fd/%d" % fd) != "anon_inode:[waitgroup]":
            continue
        with open("/proc/self/fdinfo/%d" % fd) as f:
            undo = [l.split()[1] for l in f if l.startswith("undo:")]
    except OSError:
        continue
    seen.append("%d:%s" % (fd, undo[0]))
os.write(int(sys.argv[1]), " ".join(seen).encode())
"""


def _group_fds(start) -> list[tuple[int, int]]:
    r, w = _ready_pipe()
    try:
        assert start([sys.executable, "-c", GROUP_FDS, str(w)]) == 0
    finally:
        os.close(w)
    out = os.read(r, 4096).decode()
    os.close(r)
    return [tuple(int(x) for x in e.split(":")) for e in out.split()]


@pytest.mark.parametrize("how", ["run", "spawn"])
def test_command_holds_its_task_at_fd_100_up(group, how):
    # Its only waitgroup descriptor is the task's open file, whose ledger
    # holds the add, at 100 or above, inherited through exec.
    if how == "run":
        fds = _group_fds(group.run)
    else:
        fds = _group_fds(lambda argv: group.spawn(argv).wait())
    assert len(fds) == 1, fds
    fd, undo = fds[0]
    assert fd >= 100 and undo == 1
    res = group.wait(timeout=LONG)
    assert res.ok and res.batch.done == 1


def test_run_command_outlives_its_killed_caller_and_holds_its_slot(group):
    # The caller of run() is SIGKILLed while its command runs: the command
    # goes on (it is no supervisor's to kill) and holds the add until it
    # exits, then the kernel undoes it as abandoned.
    ready_r, ready_w = _ready_pipe()
    hold_r, hold_w = os.pipe()
    os.set_inheritable(hold_r, True)

    def caller():
        group.run(["sh", "-c", "printf x >&%d; read x <&%d" % (ready_w, hold_r)])
    pid = fork(caller)
    os.close(ready_w)
    os.close(hold_r)
    assert os.read(ready_r, 1) == b"x"
    os.kill(pid, signal.SIGKILL)
    assert reap(pid) == -signal.SIGKILL
    # The caller's descriptors are closed by now, its copy of the task's
    # file with them: the command's copy holds the add.
    assert group.count == 1
    os.close(hold_w)  # the command reads its end of file and exits
    res = group.wait(timeout=LONG)
    assert (res.abandoned, res.error) == (1, errno.EOWNERDEAD)
    assert res.batch == waitgroup.Batch(0, 0, 1, errno.EOWNERDEAD)
    os.close(ready_r)


def test_spawn_command_dies_with_its_killed_supervisor(group):
    # The command holds a pipe's write end: its end of file says it died.
    ready_r, ready_w = _ready_pipe()
    alive_r, alive_w = _ready_pipe()
    s = group.spawn(["sh", "-c", "printf x >&%d; exec sleep 1000" % ready_w])
    os.close(ready_w)
    os.close(alive_w)
    assert os.read(ready_r, 1) == b"x"
    s.send_signal(signal.SIGKILL)
    assert s.wait() == 128 + signal.SIGKILL
    assert select.select([alive_r], [], [], LONG)[0], "the command outlived its supervisor"
    assert os.read(alive_r, 1) == b""
    res = group.wait(timeout=LONG)
    assert (res.abandoned, res.batch.abandoned) == (1, 1)
    os.close(ready_r)
    os.close(alive_r)
