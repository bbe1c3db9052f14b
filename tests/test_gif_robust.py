"""The two GIF processes when one of them is killed at the worst moment, or cannot be
started (issue 19): the other never hangs, the outcome is the documented one (one line, no
file; or the same bytes from one process), and nothing is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deconv_anim import lzw
from deconv_anim.animation import render
from deconv_anim.config import config_from_mapping
from gif_ranges import descriptors, no_fork

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork, /proc and signals")

CONFIG = "op: conv\nsize: 6\nkernel: 3\nstyle: {cell: 16}\n"

# Runs the command line with gif_parallel._take replaced: in the process named by
# argv[1] ("second" or "first"), a call after the fork waits until the other process calls
# it too, takes the counter's lock and is killed holding it; the other's call goes on to
# the lock once it is held.
_KILLED_HOLDING_THE_LOCK = '''
import multiprocessing, os, runpy, signal, sys, time
from pathlib import Path
from deconv_anim import gif_parallel

who, marks = sys.argv[1], Path(sys.argv[2])
first, real = os.getpid(), gif_parallel._take
gif_parallel.MIN_RANGE, gif_parallel.MAX_RANGE = 1, 3

def take(counter, lock, total, *rest):
    second = os.getpid() != first
    if counter.value and (who == "second") == second:  # the victim, after the fork
        while not (marks / "waiting").exists():  # the other is done with the set-up
            time.sleep(0.01)
        lock.acquire()
        (marks / "children").write_text(" ".join(
            str(p.pid) for p in multiprocessing.active_children()))
        (marks / "held").write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    if counter.value:  # the survivor: only once the victim holds the lock
        (marks / "waiting").touch()
        deadline = time.monotonic() + 30
        while not (marks / "held").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return real(counter, lock, total, *rest)

gif_parallel._take = take
sys.argv = ["deconv-anim", "render", "x.yaml", "-o", "x.gif"]
runpy.run_module("deconv_anim", run_name="__main__")
'''


def _start(tmp_path: Path, who: str) -> subprocess.Popen[bytes]:
    (tmp_path / "x.yaml").write_text(CONFIG)
    (tmp_path / "run.py").write_text(_KILLED_HOLDING_THE_LOCK)
    marks = tmp_path / "marks"
    marks.mkdir()
    import deconv_anim

    source = str(Path(deconv_anim.__file__).parent.parent)  # this tree's, from any folder
    env = {**os.environ, "DECONV_ANIM_GIF_WORKER": "1", "PYTHONPATH": source}
    with open(marks / "err", "wb") as err:  # not a pipe: a lingering child keeps it open
        return subprocess.Popen([sys.executable, "run.py", who, str(marks)], cwd=tmp_path,
                                env=env, stdout=subprocess.DEVNULL, stderr=err)


def _running(pid: int) -> bool:
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False


def test_the_second_process_killed_holding_the_lock_fails_the_render_in_one_line(
        tmp_path):
    """As when it dies at any other moment: one line, exit code 2, no file, and no wait
    for a lock nobody will release."""
    run = _start(tmp_path, "second")
    try:
        code = run.wait(timeout=20)
    except subprocess.TimeoutExpired:
        run.kill()
        run.wait()
        pytest.fail("the first process waits forever for the lock")
    err = (tmp_path / "marks" / "err").read_text()
    assert (tmp_path / "marks" / "held").exists()
    assert (code, err) == (2, "Error: x.gif: cannot be written (the second GIF process "
                              "ended unexpectedly)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marks", "run.py", "x.yaml"]


def test_the_first_process_killed_holding_the_lock_leaves_no_second_process(tmp_path):
    run = _start(tmp_path, "first")
    assert run.wait(timeout=30) == -signal.SIGKILL
    children = [int(p) for p in (tmp_path / "marks" / "children").read_text().split()]
    assert children
    try:
        deadline = time.monotonic() + 10
        while any(_running(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(child) for child in children), "the second process lingers"
    finally:
        for child in children:
            if _running(child):
                os.kill(child, signal.SIGKILL)
    assert not (tmp_path / "x.gif").exists()


# ----------------------------------------------------------------- lzw.Worker's fork

# the matrix view: frames that are not drawn a range at a time (those go to gif_parallel)
MATRIX = {"op": "conv", "size": 4, "kernel": 3, "view": "matrix", "style": {"cell": 16}}


def test_a_worker_that_cannot_be_forked_leaves_one_process_the_same_bytes(tmp_path,
                                                                          monkeypatch):
    """No memory or processes left to fork (EAGAIN, ENOMEM): this process encodes every
    frame itself, to the same bytes, and no descriptor stays open (multiprocessing's own
    pipes, opened before the fork, included)."""
    config = config_from_mapping(MATRIX)
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "0")
    render(config, tmp_path / "one.gif", tween=1)
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    attempts = no_fork(monkeypatch, 11)
    before = descriptors()
    for n in range(3):
        render(config, tmp_path / f"x{n}.gif", tween=1)
        assert (tmp_path / f"x{n}.gif").read_bytes() == (tmp_path / "one.gif").read_bytes()
    assert len(attempts) == 3  # the worker's, once a render
    assert descriptors() - before == set()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.gif", "x0.gif", "x1.gif",
                                                          "x2.gif"]


def test_a_worker_that_cannot_be_forked_raises_no_second_process(monkeypatch):
    from deconv_anim.gif_parallel import NoSecondProcess

    no_fork(monkeypatch, 12)
    before = descriptors()
    with pytest.raises(NoSecondProcess, match="Cannot allocate memory"):
        lzw.Worker()
    assert descriptors() - before == set()
