"""Two panels on one clock (``view: both``) drawn a range at a time (issue 19): a run
started anywhere makes the frames of a run from frame 0 (pixels, changed boxes and masks,
steps, phases), so the GIF goes through the two-process range writer to the bytes one
process writes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconv_anim import gif_parallel
from deconv_anim.config import config_from_mapping
from deconv_anim.errors import ConfigError
from deconv_anim.panels import PanelRun, _paint_title
from deconv_anim.prepare import prepare
from gif_ranges import assert_one_and_two_processes_agree, random_ranges, range_drawers

BOTH = st.fixed_dictionaries({
    "op": st.just("transposed"),
    "view": st.just("both"),
    "size": st.integers(1, 4),
    "kernel": st.integers(1, 3),
    "stride": st.integers(1, 3),
}, optional={
    "padding": st.sampled_from([0, 1]),
    "arrange": st.sampled_from(["side", "stacked"]),
    "values": st.booleans(),
    "labels": st.booleans(),
    "layout": st.sampled_from(["oblique", "flat"]),
    "title": st.sampled_from(["A shared title", "Two\nlines"]),
})


def _figure(mapping):
    try:
        return prepare(config_from_mapping({**mapping, "style": {"cell": 10}}))
    except ConfigError:
        return None


def _frames(frames):
    return [(f.index, f.box, None if f.changed is None else f.changed.copy(),
             f.pixels.copy(), f.step, f.phase) for f in frames]


def _same(got, want):
    assert [g[0] for g in got] == [w[0] for w in want]
    for g, w in zip(got, want):
        assert g[1] == w[1] and g[4:] == w[4:], (g[0], g[1], w[1])
        assert (g[2] is None) == (w[2] is None), g[0]
        if g[2] is not None:
            np.testing.assert_array_equal(g[2], w[2], err_msg=str(g[0]))
        np.testing.assert_array_equal(g[3], w[3], err_msg=str(g[0]))


def _reference(figure, tween):
    """Each frame's canvas made from scratch, independently of the run: the frame each
    panel shows there (counted through its schedule), laid in whole, and the title."""
    from deconv_anim.timeline import clock_slots

    panels = (figure.left, figure.right)
    total = max(len(p.timeline) for p in panels)
    own = [_frames(p.frames(tween)) for p in panels]
    schedules = [[*clock_slots(len(p.timeline), total, tween), (len(p.timeline), 0.0)]
                 for p in panels]
    w, h = figure.size
    shown = [-1, -1]
    for index in range(len(schedules[0])):
        canvas = np.zeros((h, w), np.uint8)
        for n, (frames, (x, y)) in enumerate(zip(own, figure.offsets)):
            shown[n] += schedules[n][index] is not None
            pixels = frames[shown[n]][3]
            canvas[y:y + pixels.shape[0], x:x + pixels.shape[1]] = pixels
        _paint_title(figure, canvas)
        yield canvas


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapping=BOTH, tween=st.integers(0, 2), data=st.data())
def test_a_run_started_anywhere_draws_the_frames_of_a_run_from_the_start(mapping, tween,
                                                                           data):
    """Ranges at random frames, some of them skipped (the other process draws those):
    the frames drawn are the frames of one run from frame 0, whose canvases are those
    made from scratch."""
    figure = _figure(mapping)
    if figure is None:
        return
    whole = _frames(figure.frames(tween))
    count = len(whole)
    assert count == figure.frames(tween).count
    for frame, canvas in zip(whole, _reference(figure, tween), strict=True):
        np.testing.assert_array_equal(frame[3], canvas, err_msg=str(frame[0]))
    ranges = random_ranges(data, count, 6)
    skip = data.draw(st.integers(0, 2))  # 0: draw every range; else every skip-th skipped
    run = figure.frames(tween)
    assert isinstance(run, PanelRun) and gif_parallel.ranged(run)
    got, want = [], []
    for k, (start, stop) in enumerate(ranges):
        if skip and k % (skip + 1) == 1:
            continue
        got += _frames(run.frames_between(start, stop))
        want += whole[start:stop]
    _same(got, want)


def test_unequal_panels_hold_and_end_together():
    """A gather panel of 9 steps beside a scatter panel of 4: the scatter panel holds
    (no frame of its own) in most clock frames, and every range still matches."""
    figure = prepare(config_from_mapping({"op": "transposed", "size": 2, "kernel": 2,
                                          "stride": 2, "view": "both",
                                          "style": {"cell": 10}}))
    steps = [len(p.timeline) for p in (figure.left, figure.right)]
    assert steps[0] != steps[1]
    whole = _frames(figure.frames(1))
    for start in range(len(whole)):  # a range from each frame, and the frames after it
        run = figure.frames(1)
        _same(_frames(run.frames_between(start, start + 2)), whole[start:start + 2])
        _same(_frames(run.frames_between(start + 4, start + 5)), whole[start + 4:start + 5])


@pytest.mark.parametrize("name", ["channels, tween", "channels, values, labels"])
def test_two_channel_panels_start_anywhere(name):
    """Channel panels (``channel_run.ChannelRun``) side by side: ranges from every third
    frame match a run from frame 0."""
    mapping, tween = CONFIGS[name]
    figure = prepare(config_from_mapping({**mapping, "style": {"cell": 10}}))
    assert isinstance(figure.frames(tween), PanelRun)
    whole = _frames(figure.frames(tween))
    for start in range(0, len(whole), 3):
        run = figure.frames(tween)
        _same(_frames(run.frames_between(start, start + 2)), whole[start:start + 2])


def test_runs_go_forwards_only():
    figure = prepare(config_from_mapping({"op": "transposed", "size": 2, "kernel": 3,
                                          "view": "both"}))
    run = figure.frames()
    list(run.frames_between(3, 5))
    with pytest.raises(ValueError, match="forwards"):
        list(run.frames_between(1, 2))


CONFIGS = {
    "side, tween": ({"op": "transposed", "size": 3, "kernel": 3, "stride": 2,
                     "view": "both", "title": "Two views"}, 1),
    "stacked, values": ({"op": "transposed", "size": 3, "kernel": 2, "stride": 2,
                         "padding": 1, "view": "both", "arrange": "stacked",
                         "values": True}, 0),
    "flat, labels, tween 2": ({"op": "transposed", "size": 2, "kernel": 3, "view": "both",
                               "layout": "flat", "values": True, "labels": True}, 2),
    "transparent": ({"op": "transposed", "size": 2, "kernel": 3, "view": "both",
                     "style": {"background": "transparent"}}, 0),
    # two channel panels (channel_run.ChannelRun each), one clock
    "channels, tween": ({"op": "transposed", "size": 2, "kernel": 3, "stride": 2,
                         "in_channels": 2, "out_channels": 3, "view": "both"}, 1),
    "channels, values, labels": ({"op": "transposed", "size": 2, "kernel": 2,
                                  "in_channels": 3, "out_channels": 2, "view": "both",
                                  "values": True, "labels": True}, 0),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_two_processes_write_the_single_process_bytes(tmp_path, monkeypatch, small_ranges,
                                                      name):
    mapping, tween = CONFIGS[name]
    assert_one_and_two_processes_agree(tmp_path, monkeypatch,
                                       {"style": {"cell": 14}, **mapping}, tween)


def test_the_ranges_of_two_panels_are_drawn_by_both_processes(tmp_path, monkeypatch,
                                                              small_ranges):
    pids = range_drawers(tmp_path, monkeypatch, {"op": "transposed", "size": 3,
                                                 "kernel": 3, "view": "both"}, PanelRun)
    assert len(pids) == 2
