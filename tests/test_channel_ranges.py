"""Channel figures drawn a range of frames at a time (issue 19, target 5): a run started at
any frame yields the frames of a run from frame 0 (pixels, changed boxes and masks, steps,
phases), and a GIF written by two processes taking ranges in turn is byte for byte the one
a single process writes."""

from __future__ import annotations

import itertools
import os
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconv_anim import gif_parallel
from deconv_anim.channel_frames import ChannelCanvas
from deconv_anim.channel_plans import GatherPlan
from deconv_anim.channel_run import ChannelRun
from deconv_anim.config import config_from_mapping
from deconv_anim.prepare import prepare
from gif_ranges import assert_one_and_two_processes_agree, fresh, random_ranges, range_drawers

CELL = {"style": {"cell": 12}}
# (keys, tween): gather and scatter, groups, depthwise, stand-ins above 8 channels, flat
# and oblique, captions (labels, values), bases that change every step (values) or never
CASES = {
    "conv 3->8": ({"op": "conv", "size": 4, "kernel": 3, "padding": "same", "in_channels": 3,
                   "out_channels": 8}, 1),
    "conv 3->8 values": ({"op": "conv", "size": 3, "kernel": 2, "padding": "same",
                          "in_channels": 3, "out_channels": 8, "values": True}, 0),
    "groups labels": ({"op": "conv", "size": 4, "kernel": 3, "padding": 1, "in_channels": 4,
                       "out_channels": 4, "groups": 2, "labels": True}, 2),
    "depthwise stand-ins": ({"op": "conv", "size": 3, "kernel": 2, "in_channels": 10,
                             "out_channels": 10, "groups": 10, "values": True}, 1),
    "flat values": ({"op": "conv", "size": 4, "kernel": 3, "in_channels": 3,
                     "out_channels": 2, "bias": True, "values": True, "layout": "flat"}, 1),
    "flat stand-ins labels": ({"op": "conv", "size": 3, "kernel": 2, "in_channels": 10,
                               "out_channels": 3, "layout": "flat", "labels": True}, 0),
    "planes stand-ins": ({"op": "conv", "size": 5, "kernel": 3, "in_channels": 2,
                          "out_channels": 12, "step_by": "channel"}, 2),
    "transposed gather values": ({"op": "transposed", "size": 3, "kernel": 3, "stride": 2,
                                  "padding": 1, "in_channels": 2, "out_channels": 2,
                                  "groups": 2, "values": True}, 1),
    "scatter stand-ins": ({"op": "transposed", "size": 2, "kernel": 2, "stride": 2,
                           "in_channels": 10, "out_channels": 10, "groups": 5,
                           "view": "scatter"}, 1),
    "scatter values labels": ({"op": "transposed", "size": 2, "kernel": 3, "stride": 2,
                               "in_channels": 2, "out_channels": 2, "view": "scatter",
                               "values": True, "labels": True}, 2),
    "flat scatter values": ({"op": "transposed", "size": 2, "kernel": 2, "in_channels": 2,
                             "out_channels": 3, "view": "scatter", "layout": "flat",
                             "values": True}, 0),
    "maxpool labels": ({"op": "maxpool", "size": 4, "kernel": 2, "in_channels": 3,
                        "labels": True}, 1),
}


def _raster(keys: dict):
    fresh()
    return prepare(config_from_mapping({**CELL, **keys}))


def _frames(frames) -> list[tuple]:
    return [(f.index, f.box, None if f.changed is None else f.changed.copy(),
             f.pixels.copy(), f.step, f.phase) for f in frames]


def _same(got: list[tuple], want: list[tuple]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1] and g[4:] == w[4:], (g[0], g[1], w[1], g[4:])
        assert (g[2] is None) == (w[2] is None), g[0]
        if g[2] is not None:
            np.testing.assert_array_equal(g[2], w[2], err_msg=str(g[0]))
        np.testing.assert_array_equal(g[3], w[3], err_msg=str(g[0]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_run_started_anywhere_draws_the_frames_of_a_run_from_the_start(name):
    """Frames as the first of a range (a run of its own, with a fresh blend table whose
    rows are asked for in another order), and random splits taken in turn by two runs:
    the frames of one run from frame 0."""
    keys, tween = CASES[name]
    whole = _frames(_raster(keys).frames(tween))
    count = len(whole)
    raster = _raster(keys)
    run = raster.frames(tween)
    assert isinstance(run, ChannelRun) and run.count == count
    assert gif_parallel.ranged(run)
    rng = random.Random(name)
    starts = {1, 2, count - 2, count - 1, *rng.sample(range(count), min(count, 3))}
    for start in sorted(s for s in starts if s >= 0):  # each drawn by a run of its own
        stop = min(count, start + 2)
        _same(_frames(raster.frames(tween).frames_between(start, stop)), whole[start:stop])
    for _ in range(2):
        cuts = sorted(rng.sample(range(1, count), min(count - 1, rng.randint(2, 8))))
        runs = (raster.frames(tween), raster.frames(tween))
        got = []
        for k, (start, stop) in enumerate(itertools.pairwise([0, *cuts, count])):
            got += _frames(runs[k % 2].frames_between(start, stop))
        _same(got, whole)


class _Silent:
    """A gather plan whose captions come and go (every third step has none)."""

    def __init__(self, plan) -> None:
        self.plan = plan
        self.steps = [replace(step, caption=None if n % 3 == 1 else step.caption)
                      for n, step in enumerate(plan.steps)]
        self.state_of, self.dirty, self.dynamic = plan.state_of, plan.dirty, plan.dynamic

    def moving_of(self, n):
        moving = self.plan.moving_of(n)
        moving.caption = self.steps[n].caption
        return moving


def test_a_caption_strip_cleared_before_the_start_is_cleared_again(monkeypatch):
    """A step without a caption after one with: a run from frame 0 has drawn the strip
    without a caption; a run started there draws it too (here a strip without a caption
    is marked, so that the two differ if it does not)."""
    real = ChannelCanvas.caption_pixels
    monkeypatch.setattr(ChannelCanvas, "caption_pixels", lambda self, base, caption: (
        real(self, base, caption) ^ (1 if caption is None else 0)))
    raster = _raster(CASES["groups labels"][0])

    def run():
        return ChannelRun(ChannelCanvas(raster), _Silent(GatherPlan(raster)), 1)

    whole = _frames(run())
    for start in (2, 3, 4, 8, 9, len(whole) - 1):
        _same(_frames(run().frames_between(start, start + 3)), whole[start:start + 3])


CHANNEL_KEYS = st.fixed_dictionaries({
    "op": st.sampled_from(["conv", "transposed", "maxpool"]),
    "size": st.integers(2, 3),
    "kernel": st.integers(1, 2),
    "in_channels": st.sampled_from([2, 3, 9]),
    "out_channels": st.sampled_from([1, 2, 3, 9]),
    "values": st.booleans(),
    "labels": st.booleans(),
}, optional={
    "groups": st.sampled_from([1, 3]),
    "stride": st.integers(1, 2),
    "view": st.sampled_from(["gather", "scatter"]),
    "layout": st.sampled_from(["oblique", "flat"]),
    "step_by": st.sampled_from(["element", "channel"]),
})


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(keys=CHANNEL_KEYS, tween=st.integers(0, 2), data=st.data())
def test_random_channel_figures_started_anywhere_draw_the_frames_of_a_run_from_the_start(
        keys, tween, data):
    from deconv_anim.errors import ConfigError

    if keys["op"] == "maxpool":
        keys.pop("out_channels", None)
        keys.pop("groups", None)
    try:
        whole = _frames(_raster(keys).frames(tween))
    except ConfigError:
        return
    raster = _raster(keys)
    if not isinstance(raster.frames(), ChannelRun):
        return
    count = len(whole)
    ranges = random_ranges(data, count)
    runs = (raster.frames(tween), raster.frames(tween))
    got = []
    for k, (start, stop) in enumerate(ranges):
        got += _frames(runs[k % 2].frames_between(start, stop))
    _same(got, whole)


def test_runs_go_forwards_only_and_skip_in_between_frames():
    raster = _raster(CASES["groups labels"][0])
    run = raster.frames(2)
    whole = _frames(raster.frames(2))
    _same(_frames(run.frames_between(3, 4)), whole[3:4])
    _same(_frames(run.frames_between(5, 8)), whole[5:8])  # past a held frame of step 1
    with pytest.raises(ValueError, match="forwards"):
        list(run.frames_between(1, 2))
    assert list(run.frames_between(run.count, run.count + 5)) == []


def test_a_base_that_never_changes_is_not_painted_again_to_start_mid_way(monkeypatch):
    """Without values the steps leave the base as it is: starting at the last step paints
    nothing but the static picture (a figure with values paints its outputs so far)."""
    painted = []
    paint = ChannelCanvas.paint
    monkeypatch.setattr(ChannelCanvas, "paint",
                        lambda self, box, dynamic: painted.append(box) or paint(self, box,
                                                                                dynamic))
    run = _raster(CASES["conv 3->8"][0]).frames()
    assert len(list(run.frames_between(run.count - 3, run.count))) == 3
    assert painted == []
    run = _raster(CASES["conv 3->8 values"][0]).frames()
    list(run.frames_between(run.count - 3, run.count))
    assert len(painted) >= run.steps - 2


def test_view_both_is_drawn_in_ranges_too():
    """Two channel panels side by side: a ``panels.PanelRun`` of two channel runs (its
    ranges are checked in tests/test_panel_run.py)."""
    from deconv_anim.panels import PanelRun

    both = prepare(config_from_mapping({"op": "transposed", "size": 2, "kernel": 2,
                                        "in_channels": 2, "out_channels": 2,
                                        "view": "both"}))
    run = both.frames()
    assert isinstance(run, PanelRun) and gif_parallel.ranged(run)
    assert all(isinstance(p, ChannelRun) for p in run.runs)


@pytest.mark.parametrize("name", ["conv 3->8", "depthwise stand-ins", "flat values",
                                  "scatter values labels", "planes stand-ins"])
def test_two_processes_write_the_single_process_bytes(tmp_path, monkeypatch, small_ranges,
                                                      name):
    keys, tween = CASES[name]
    assert_one_and_two_processes_agree(tmp_path, monkeypatch, {**CELL, **keys}, tween)


def test_both_processes_draw_ranges_of_a_channel_figure(tmp_path, monkeypatch, small_ranges):
    """The split path, not the composer and its LZW worker: the second process draws some
    ranges."""
    pids = range_drawers(tmp_path, monkeypatch, {**CELL, **CASES["conv 3->8"][0]},
                         ChannelRun)
    assert len(pids) == 2 and os.getpid() in pids
