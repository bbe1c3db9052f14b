"""The frame loop: runs are independent, frames report exactly what changed."""

from __future__ import annotations

import numpy as np
import pytest

from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping

CASES = {
    "gather_values": dict(op="transposed", size=2, kernel=3, stride=2, values=True,
                          labels=True),
    "scatter": dict(op="transposed", size=3, kernel=2, stride=2, view="scatter",
                    values=True),
    "both": dict(op="transposed", size=2, kernel=2, view="both", values=True),
    "maxpool": dict(op="maxpool", size=4, kernel=2, values=True),
}


def frames_of(figure, tween=0):
    return [(f.index, f.step, f.pixels.copy(), f.box) for f in figure.frames(tween=tween)]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("tween", [0, 1])
def test_interleaved_runs_over_one_raster_each_draw_their_own_frames(name, tween):
    figure = prepare(config_from_mapping({**CASES[name], "style": {"cell": 18}}))
    alone = frames_of(figure, tween)
    first, second = figure.frames(tween=tween), figure.frames(tween=tween)
    next(second)  # the second run starts one frame ahead
    got_first, got_second = [], []
    for a in first:  # one frame of each run in turn
        got_first.append((a.index, a.step, a.pixels.copy(), a.box))
        b = next(second, None)
        if b is not None:
            got_second.append((b.index, b.step, b.pixels.copy(), b.box))
    assert len(got_first) == len(alone) and len(got_second) == len(alone) - 1
    for want, got in zip(alone, got_first):
        assert want[:2] == got[:2] and want[3] == got[3]
        np.testing.assert_array_equal(want[2], got[2])
    for want, got in zip(alone[1:], got_second):
        assert want[:2] == got[:2]
        np.testing.assert_array_equal(want[2], got[2])


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_frame_box_holds_every_changed_pixel(name):
    figure = prepare(config_from_mapping({**CASES[name], "style": {"cell": 18}}))
    previous = None
    for frame in figure.frames(tween=1):
        if previous is not None:
            x0, y0, x1, y1 = frame.box
            outside = np.ones(previous.shape, bool)
            outside[y0:y1, x0:x1] = False
            assert (frame.pixels[outside] == previous[outside]).all()
            if frame.changed is not None:
                inside = frame.pixels[y0:y1, x0:x1] != previous[y0:y1, x0:x1]
                np.testing.assert_array_equal(inside, frame.changed)
        previous = frame.pixels.copy()


@pytest.mark.parametrize("params", [
    {"op": "conv", "size": 5, "kernel": 3},  # stride 1: one shape of lines throughout
    {"op": "conv", "size": 5, "kernel": 3, "stride": 2, "padding": 1},  # a shape a step
    {"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "padding": 1},
    {"op": "conv", "size": 4, "kernel": 2, "layout": "flat"},
    {"op": "transposed", "size": 2, "kernel": 3, "view": "scatter"},
])
def test_cached_connector_lines_equal_lines_drawn_where_they_are(params):
    """The connectors are computed once per shape and moved: at every step (and every
    in-between position) they must be the pixels of the lines drawn in place."""
    from deconv_anim.connectors import connector_segments
    from deconv_anim.frames import Canvas

    raster = prepare(config_from_mapping(params))
    canvas = Canvas(raster)
    frames = list(raster.scene.frames())
    layout = raster.layout
    for n in range(2 * len(frames) - 1):
        step, phase = divmod(n, 2)
        frame = frames[step]
        nxt = frames[step + 1] if phase else frame
        t = 0.5 if phase else 0.0
        wshift = layout.shift(frame.window, nxt.window, t)
        tshift = layout.shift(frame.target, nxt.target, t)
        ys, xs, offs, _ = canvas.connectors(wshift, tshift)
        if canvas.flat:  # flat layout: the lines connectors.py routes (ends inset)
            in_place = canvas.line_pixels([
                (np.array(p), np.array(q)) for p, q in connector_segments(
                    layout, raster.scene, canvas.window_at_0 + wshift,
                    canvas.target_at_0 + tshift)])
        else:
            in_place = canvas.line_pixels([(canvas.window_at_0[i] + wshift,
                                            canvas.target_at_0[j] + tshift)
                                           for i, j in canvas.pairs])
        assert sorted(zip(ys.tolist(), xs.tolist(), offs.tolist())) == sorted(
            zip(in_place[0].tolist(), in_place[1].tolist(), in_place[2].tolist()))
    assert len(canvas.line_cache) <= len(frames) * 2
