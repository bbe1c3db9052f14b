"""A GIF composed and encoded by two processes, a range of frames each (issue 19, target
1): byte for byte the single-process file, a run started mid-way draws the frames a run
from frame 0 draws, and a failure or a signal leaves no file and no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconv_anim import encode, gif_parallel
from deconv_anim.animation import render
from deconv_anim.config import config_from_mapping
from deconv_anim.errors import OutputError
from deconv_anim.frames import FrameRun
from deconv_anim.prepare import prepare
from gif_ranges import (
    assert_one_and_two_processes_agree,
    descriptors,
    fresh,
    no_fork,
    random_ranges,
    range_drawers,
)

CELL = {"style": {"cell": 16}}
CONFIGS = {
    "conv same": ({"op": "conv", "size": 6, "kernel": 3, "padding": "same"}, 0),
    # its output layer's rim needs blend-table rows of its own (the lines' do not serve)
    "conv same, larger": ({"op": "conv", "size": 12, "kernel": 3, "padding": "same",
                           "style": {"cell": 30}}, 0),
    "conv stride dilation": ({"op": "conv", "size": 7, "kernel": 2, "stride": 2,
                              "dilation": 2, "padding": 1}, 1),
    "transposed gather": ({"op": "transposed", "size": 3, "kernel": 3, "stride": 2,
                           "padding": 1}, 2),
    "transposed scatter values": ({"op": "transposed", "size": 3, "kernel": 2, "stride": 2,
                                   "view": "scatter", "values": True}, 1),
    "maxpool values": ({"op": "maxpool", "size": 4, "kernel": 2, "values": True}, 0),
    "flat values": ({"op": "conv", "size": 5, "kernel": 3, "layout": "flat",
                     "values": True}, 1),
    "flat scatter labels": ({"op": "transposed", "size": 2, "kernel": 3, "layout": "flat",
                             "view": "scatter", "values": True, "labels": True}, 0),
    "transparent": ({"op": "conv", "size": 5, "kernel": 3,
                     "style": {"background": "transparent", "cell": 16}}, 0),
    "view both": ({"op": "transposed", "size": 2, "kernel": 3, "view": "both"}, 1),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_two_processes_write_the_single_process_bytes(tmp_path, monkeypatch, small_ranges,
                                                      name):
    mapping, tween = CONFIGS[name]
    assert_one_and_two_processes_agree(tmp_path, monkeypatch, {**CELL, **mapping}, tween)


def test_the_ranges_are_drawn_by_both_processes(tmp_path, monkeypatch, small_ranges):
    """Not a single process in disguise: the second process encodes some ranges."""
    pids = range_drawers(tmp_path, monkeypatch, {"op": "conv", "size": 6, "kernel": 3,
                                                 **CELL}, FrameRun)
    assert len(pids) == 2 and os.getpid() in pids


def test_only_frames_drawn_by_ranges_take_the_split_path():
    raster = prepare(config_from_mapping({"op": "conv", "size": 4, "kernel": 3}))
    assert gif_parallel.ranged(raster.frames())
    both = prepare(config_from_mapping({"op": "transposed", "size": 2, "kernel": 3,
                                        "view": "both"}))
    assert gif_parallel.ranged(both.frames())  # two panels that are each ranged
    matrix = prepare(config_from_mapping({"op": "conv", "size": 4, "kernel": 3,
                                          "view": "matrix"}))
    assert not gif_parallel.ranged(matrix.frames())
    assert not gif_parallel.ranged(iter(list(raster.frames())))


def _frames(run, start, stop):
    return [(f.index, f.box, None if f.changed is None else f.changed.copy(),
             f.pixels.copy(), f.step, f.phase) for f in run.frames_between(start, stop)]


def _same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1] and g[4:] == w[4:], (g[0], g[1], w[1])
        assert (g[2] is None) == (w[2] is None)
        if g[2] is not None:
            np.testing.assert_array_equal(g[2], w[2])
        np.testing.assert_array_equal(g[3], w[3])


MAPPINGS = st.fixed_dictionaries({
    "op": st.sampled_from(["conv", "transposed", "maxpool"]),
    "size": st.integers(2, 5),
    "kernel": st.integers(1, 3),
    "stride": st.integers(1, 2),
}, optional={
    "padding": st.sampled_from([0, 1, "same"]),
    "view": st.sampled_from(["gather", "scatter"]),
    "layout": st.sampled_from(["oblique", "flat"]),
    "values": st.booleans(),
    "labels": st.booleans(),
    "dilation": st.integers(1, 2),
})


def _raster(mapping):
    from deconv_anim.errors import ConfigError

    try:
        return prepare(config_from_mapping({**mapping, "style": {"cell": 12}}))
    except ConfigError:
        return None


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(mapping=MAPPINGS, tween=st.integers(0, 2), data=st.data())
def test_a_run_started_anywhere_draws_the_frames_of_a_run_from_the_start(mapping, tween,
                                                                           data):
    """Two runs over one raster take ranges in turn, split at random frames: together
    they yield exactly the frames (pixels, changed boxes and masks, steps, phases) of one
    run from frame 0."""
    raster = _raster(mapping)
    if raster is None or not isinstance(raster.frames(), FrameRun):
        return
    whole = _frames(raster.frames(tween), 0, 10 ** 9)
    count = len(whole)
    ranges = random_ranges(data, count)
    runs = (raster.frames(tween), raster.frames(tween))
    got = []
    for k, (start, stop) in enumerate(ranges):
        got += _frames(runs[k % 2], start, stop)
    _same(got, whole)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.filter_too_much,
                                                                HealthCheck.function_scoped_fixture])
@given(mapping=MAPPINGS, tween=st.integers(0, 1), sizes=st.tuples(st.integers(1, 4),
                                                                   st.integers(0, 6)))
def test_two_processes_write_the_same_bytes_for_random_configs(tmp_path, monkeypatch,
                                                                 mapping, tween, sizes):
    """The whole writer, forked, with ranges of random sizes."""
    if _raster(mapping) is None:
        return
    monkeypatch.setattr(gif_parallel, "MIN_RANGE", sizes[0])
    monkeypatch.setattr(gif_parallel, "MAX_RANGE", sizes[0] + sizes[1])
    config = config_from_mapping({**mapping, "style": {"cell": 12}})
    files = []
    for switch in "01":
        monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", switch)
        fresh()
        files.append(tmp_path / f"r{switch}.gif")
        render(config, files[-1], tween=tween)
    assert files[0].read_bytes() == files[1].read_bytes()


@pytest.mark.parametrize("name", ["conv same", "transposed scatter values", "flat values"])
def test_a_set_up_shared_by_two_makes_the_arrays_one_makes(name):
    """Role 0 paints the input layer, role 1 the output layer, each sends the other its
    arrays (here two threads over a socket pair): both end with one process's canvas."""
    import socket
    import threading

    raster = prepare(config_from_mapping({**CELL, **CONFIGS[name][0]}))
    alone = raster.frames()
    alone.prepare()
    runs = (raster.frames(), raster.frames())
    ends = socket.socketpair()
    other = threading.Thread(target=runs[1].prepare, args=(gif_parallel._Peer(ends[1]), 1))
    other.start()
    runs[0].prepare(gif_parallel._Peer(ends[0]), 0)
    other.join()
    for end in ends:
        end.close()
    for run in runs:
        for name in ("input_rgb", "input_idx", "out_rgb", "out_alpha", "out_map", "base_idx"):
            np.testing.assert_array_equal(getattr(run.canvas, name),
                                          getattr(alone.canvas, name), err_msg=name)
    _same(_frames(runs[1], 0, 10 ** 9), _frames(alone, 0, 10 ** 9))


def test_runs_go_forwards_only():
    run = prepare(config_from_mapping({"op": "conv", "size": 4, "kernel": 3})).frames()
    list(run.frames_between(3, 5))
    with pytest.raises(ValueError, match="forwards"):
        list(run.frames_between(1, 2))


def _fail_in_the_child(monkeypatch, how):
    parent = os.getpid()
    real = encode._gif_image

    def image(frame, info):
        if os.getpid() != parent and frame.index >= 6:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise MemoryError("no room\nfor the frame")
        return real(frame, info)

    monkeypatch.setattr(encode, "_gif_image", image)


@pytest.mark.parametrize("how, reason", [
    ("raise", "the second GIF process failed: MemoryError: no room"),
    ("kill", "the second GIF process ended unexpectedly"),
])
def test_a_failure_in_the_second_process_is_one_line_and_leaves_no_file(
        tmp_path, monkeypatch, small_ranges, how, reason):
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    _fail_in_the_child(monkeypatch, how)
    target = tmp_path / "x.gif"
    with pytest.raises(OutputError) as caught:
        render(config_from_mapping({"op": "conv", "size": 6, "kernel": 3, **CELL}), target)
    assert str(caught.value) == f"{target}: cannot be written ({reason})"
    assert list(tmp_path.iterdir()) == []


def test_a_bug_in_the_second_process_stays_a_bug(tmp_path, monkeypatch, small_ranges):
    """Not an output error: the second process's ValueError is raised as RuntimeError."""
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    parent, real = os.getpid(), encode._gif_image

    def image(frame, info):
        if os.getpid() != parent and frame.index >= 6:
            raise ValueError("a bug")
        return real(frame, info)

    monkeypatch.setattr(encode, "_gif_image", image)
    with pytest.raises(RuntimeError, match="the second GIF process failed: ValueError: a bug"):
        render(config_from_mapping({"op": "conv", "size": 6, "kernel": 3, **CELL}),
               tmp_path / "x.gif")
    assert list(tmp_path.iterdir()) == []


def test_this_process_own_set_up_error_is_reported_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    parent, real = os.getpid(), FrameRun.prepare

    def prepare_(self, peer, role):
        if os.getpid() == parent:
            raise OSError(5, "the real cause")
        return real(self, peer, role)

    monkeypatch.setattr(FrameRun, "prepare", prepare_)
    target = tmp_path / "x.gif"
    with pytest.raises(OutputError, match="the real cause"):
        render(config_from_mapping({"op": "conv", "size": 6, "kernel": 3, **CELL}), target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="fork and /proc")
def test_no_second_process_draws_in_one_and_leaks_nothing(tmp_path, monkeypatch):
    """A fork that fails (no memory, no processes left) leaves no descriptor open, and the
    GIF is drawn by this process alone: the same bytes."""
    mapping = {"op": "conv", "size": 6, "kernel": 3, **CELL}
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "0")
    render(config_from_mapping(mapping), tmp_path / "one.gif")
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    render(config_from_mapping(mapping), tmp_path / "warm.gif")  # (multiprocessing's
    # arena for the range counter, opened once a process)
    attempts = no_fork(monkeypatch, 12)
    before = descriptors()
    for n in range(3):
        render(config_from_mapping(mapping), tmp_path / f"x{n}.gif")
        assert (tmp_path / f"x{n}.gif").read_bytes() == (tmp_path / "one.gif").read_bytes()
    assert len(attempts) == 3  # one fork tried a render: not the LZW worker's again
    assert descriptors() - before == set()


def test_a_failure_here_kills_the_second_process(tmp_path, monkeypatch, small_ranges):
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    started = []

    def write_in_order(*args):
        import multiprocessing

        started.extend(multiprocessing.active_children())
        raise KeyboardInterrupt

    monkeypatch.setattr(gif_parallel, "_write_in_order", write_in_order)
    with pytest.raises(KeyboardInterrupt):
        render(config_from_mapping({"op": "conv", "size": 6, "kernel": 3, **CELL}),
               tmp_path / "x.gif")
    assert started and not any(p.is_alive() for p in started)
    assert list(tmp_path.iterdir()) == []


LONG = "op: conv\nsize: 16\nkernel: 3\npadding: same\nstyle: {cell: 20}\n"  # 257 frames


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def _children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@pytest.mark.skipif(sys.platform != "linux", reason="fork, /proc and POSIX signals")
@pytest.mark.parametrize("number, code, message", [
    (signal.SIGTERM, 143, "Error: terminated (SIGTERM); no partial output was left behind"),
    (signal.SIGINT, 130, "Error: interrupted; no partial output was left behind"),
])
def test_a_signal_mid_render_stops_both_processes_and_leaves_no_file(tmp_path, number,
                                                                      code, message):
    (tmp_path / "x.yaml").write_text(LONG)
    (tmp_path / "x.gif").write_bytes(b"previous")
    env = {**os.environ, "DECONV_ANIM_GIF_WORKER": "1"}
    run = subprocess.Popen([sys.executable, "-m", "deconv_anim", "render", "x.yaml"],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while not children and run.poll() is None:  # the second process has started
        assert time.monotonic() < deadline, "timed out"
        children = _children_of(run.pid)
        time.sleep(0.01)
    assert run.poll() is None, "the render finished before it could be stopped"
    if number == signal.SIGINT:  # Ctrl-C in a terminal: the whole process group
        os.killpg(run.pid, number)
    else:
        run.send_signal(number)
    _, err = run.communicate(timeout=60)
    assert (run.returncode, err.decode()) == (code, message + "\n")
    assert (tmp_path / "x.gif").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gif", "x.yaml"]
    for child in children:  # no process left running
        assert not Path(f"/proc/{child}").exists() or "Z" in Path(
            f"/proc/{child}/stat").read_text().split()[2]
