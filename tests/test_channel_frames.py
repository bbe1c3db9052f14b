"""The channel painters' frame loop (deconv_anim.channel_frames, channel_plans): each frame
reports exactly what changed, and the frames show what the shapes of each step show (the
windows on the right slabs, the lit cell, the lines ending at it) painted as shapes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from deconv_anim.channel_raster import CONNECTOR_PAIRS, ChannelRaster
from deconv_anim.channel_scatter_raster import ChannelScatterRaster
from deconv_anim.config import resolve_config
from deconv_anim.engine import ChannelTrace
from deconv_anim.paint import Ops
from deconv_anim.palette import quantize
from deconv_anim.prepare import prepare

CASES = {
    "standard": {"op": "conv", "size": 5, "kernel": 3, "in_channels": 3, "out_channels": 2},
    "grouped": {"op": "conv", "size": 6, "kernel": 3, "padding": 1, "in_channels": 4,
                "out_channels": 4, "groups": 2, "style": {"cell": 17}},
    "flat_values": {"op": "conv", "size": 4, "kernel": 3, "in_channels": 3, "out_channels": 2,
                    "bias": True, "values": True, "layout": "flat"},
    "transposed": {"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "padding": 1,
                   "in_channels": 2, "out_channels": 2, "groups": 2, "values": True,
                   "style": {"cell": 23}},
    "ellipsis": {"op": "conv", "size": 3, "kernel": 2, "in_channels": 10, "out_channels": 10,
                 "groups": 10, "values": True},
    "planes": {"op": "conv", "size": 9, "kernel": 3, "in_channels": 2, "out_channels": 12,
               "step_by": "channel", "style": {"cell": 21}},
    "scatter": {"op": "transposed", "size": 2, "kernel": 2, "stride": 2, "in_channels": 10,
                "out_channels": 10, "groups": 5, "view": "scatter"},
    "scatter_values": {"op": "transposed", "size": 2, "kernel": 3, "stride": 2,
                       "in_channels": 2, "out_channels": 2, "view": "scatter",
                       "values": True, "labels": True},
    "both": {"op": "transposed", "size": 3, "kernel": 2, "stride": 2, "in_channels": 2,
             "out_channels": 2, "view": "both", "values": True},
    "maxpool": {"op": "maxpool", "size": 6, "kernel": 2, "in_channels": 3, "labels": True},
}


def _frames(keys: dict, tween: int = 0):
    raster = prepare(resolve_config(keys))
    return raster, [(f.pixels.copy(), f.box, None if f.changed is None else f.changed.copy(),
                     f.step, f.phase) for f in raster.frames(tween)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_frame_reports_exactly_what_changed(name):
    """Pixels outside a frame's box are the previous frame's; inside it the mask is
    exactly the pixels that differ (what tighten() of any larger box gives)."""
    tween = 1 if name in ("planes", "ellipsis") else 0
    raster, frames = _frames(CASES[name], tween)
    pixels, box, mask, _s, _p = frames[0]
    assert box == (0, 0, pixels.shape[1], pixels.shape[0]) and mask is None
    for (prev, *_), (now, box, mask, step, phase) in itertools.pairwise(frames):
        x0, y0, x1, y1 = box
        differ = now != prev
        assert mask is not None and mask.shape == (y1 - y0, x1 - x0)
        np.testing.assert_array_equal(mask, differ[y0:y1, x0:x1])
        inside = np.zeros_like(differ)
        inside[y0:y1, x0:x1] = True
        assert not (differ & ~inside).any(), (name, step, phase)
        if differ.any():  # the box is tight
            assert mask[0].any() and mask[-1].any() and mask[:, 0].any() and mask[:, -1].any()
    steps = len(raster.timeline.steps) if hasattr(raster, "timeline") else frames[-2][3] + 1
    assert frames[-1][3] == steps  # the held clean final frame


def _shapes_frames(raster: ChannelRaster) -> list[np.ndarray]:
    """Each step painted as shapes (the reference): the static layer, the step's slabs
    (outputs, kernels, stand-ins: its shapes up to the first translucent one, and its
    numbers), then the rest of its shapes (highlights, outlines, lines) and the caption,
    each layer supersampled whole and laid over the one under it, quantized."""
    w, h = raster.size
    full = (0, 0, w, h)
    static = np.empty((h, w, 3), np.uint8)
    raster.static_layer().paint_into(static, None, full, raster.theme.background)
    out = []

    def over(rgb: np.ndarray, ops: Ops) -> np.ndarray:
        top, alpha = ops.paint(full, None)
        return rgb * (1 - alpha[..., None]) + top

    for step, ops in [*raster.each_step(), (None, raster.final_ops())]:
        split = next((n for n, op in enumerate(ops.ops) if op[4] < 1), len(ops.ops))
        slabs, moving = Ops(), Ops()
        slabs.ops, slabs.texts = ops.ops[:split], ops.texts
        moving.ops = ops.ops[split:]
        if step is not None:
            moving.texts = raster.caption_ops(step).texts
        out.append(quantize(over(over(static.astype(np.float32), slabs), moving), raster.lut))
    return out


@pytest.mark.parametrize("name", ["standard", "flat_values", "transposed", "ellipsis",
                                  "planes", "scatter", "scatter_values", "maxpool"])
def test_frames_show_what_the_shapes_show(name):
    """Against every step painted as shapes: the same picture but for anti-aliasing (the
    lines' two coverage levels, the sprites' edges through the blend table) and the
    translucent highlight of an output cell drawn with its slab (the shapes' painting put
    it over the background, not over the cell): under 1% of the pixels differ visibly."""
    raster, frames = _frames(CASES[name])
    assert isinstance(raster, ChannelRaster)
    reference = _shapes_frames(raster)
    assert len(reference) == len(frames)
    palette = raster.palette.astype(int)
    for n, ((pixels, *_), want) in enumerate(zip(frames, reference)):
        far = np.abs(palette[pixels] - palette[want]).sum(axis=-1) > 100
        assert far.mean() < 0.01, (name, n, far.sum())


def _dark(rgb: np.ndarray, x: float, y: float, background) -> bool:
    """Is a pixel within 1 of (x, y) clearly darker than the background?"""
    xi, yi = int(np.floor(x)), int(np.floor(y))
    patch = rgb[yi - 1:yi + 2, xi - 1:xi + 2].astype(int)
    return bool((np.abs(patch - np.array(background)).sum(axis=-1) > 150).any())


@pytest.mark.parametrize("name", ["standard", "grouped"])
def test_connector_lines_run_from_each_window_of_the_group_to_the_lit_cell(name):
    """Each frame draws a line from the window on every input slab of the group to the
    lit output cell: dark pixels along it, all the way to the cell's corner; none from
    the slabs of other groups."""
    raster, frames = _frames(CASES[name])
    layout, palette = raster.layout, raster.palette
    bg = raster.theme.background
    for n, step in enumerate(raster.timeline.steps):
        rgb = palette[frames[n][0]]
        target = layout.cell_polygon(layout.outputs[step.channel], *step.target)
        for ch, slab in layout.inputs.items():
            window = layout.cell_polygon(slab, *step.window, *raster.scene.spec.k_eff)
            for a, b in CONNECTOR_PAIRS:
                p, q = window[a], target[b]
                # points along the line, away from the slabs and cells at its ends
                along = [p + t * (q - p) for t in (0.3, 0.5, 0.7, 0.9)]
                dark = [_dark(rgb, x, y, bg) for x, y in along]
                if ch in step.in_channels:
                    assert all(dark), (name, n, ch, dark)
                else:
                    assert not all(dark), (name, n, ch, dark)


def test_steps_are_made_when_asked_for(monkeypatch):
    """Preparing the benchmark's 32x32 3->8 layer (8,192 steps) traces none; a step asked
    for is the trace's, alike each time; the sequence reads like a tuple."""
    made = []
    step = ChannelTrace._step
    monkeypatch.setattr(ChannelTrace, "_step", lambda self, n: made.append(n) or step(self, n))
    raster = prepare(resolve_config({"op": "conv", "size": 32, "kernel": 3, "padding": "same",
                                     "in_channels": 3, "out_channels": 8,
                                     "style": {"cell": 12}}))
    steps = raster.timeline.steps
    assert made == [] and len(steps) == 8192
    a, b = steps[1500], steps[-1]
    assert (a.channel, a.target, a.window, a.done) == (1, (14, 28), (14, 28), 1501)
    assert b.index == 8191 and b.channel == 7
    assert [s.index for s in steps[3:6]] == [3, 4, 5]
    assert steps[1500].kernels is a.kernels  # one array per output channel
    with pytest.raises(IndexError):
        steps[8192]
    assert list(itertools.islice(steps, 2))[1].index == 1


def test_the_first_frames_of_a_large_layer_need_no_supersampled_canvas(monkeypatch):
    """The 32x32 3->8 layer at cell 12 (1404x3622): its slabs are painted once per look
    (one input and one output slab here), the frames in palette indices: painting frame
    k draws nothing supersampled."""
    calls = []
    paint_into = Ops.paint_into
    monkeypatch.setattr(Ops, "paint_into", lambda self, rgb, *a, **k: (
        calls.append(rgb.shape[:2]), paint_into(self, rgb, *a, **k))[1])
    raster = prepare(resolve_config({"op": "conv", "size": 32, "kernel": 3, "padding": "same",
                                     "in_channels": 3, "out_channels": 8,
                                     "style": {"cell": 12}}))
    frames = raster.frames()
    first = next(frames)
    assert first.pixels.shape == (3622, 1404)
    painted = len(calls)  # the two slab looks, the window's and the lit cell's sprites
    assert painted <= 4 and max(h * w for h, w in calls) < 700 * 700
    boxes = [f.box for f in itertools.islice(frames, 20)]
    assert len(calls) == painted  # nothing more
    assert all(b[2] > b[0] and b[3] > b[1] for b in boxes)


def test_scatter_raster_is_played_by_the_frame_loop():
    raster = prepare(resolve_config(CASES["scatter"]))
    assert isinstance(raster, ChannelScatterRaster)
    frames = [f.pixels.copy() for f in raster.frames()]
    assert len(frames) == len(raster.timeline.steps) + 1
