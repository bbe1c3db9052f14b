"""Tile-by-tile repainting (deconv_anim.tiles) gives exactly the pixels, boxes and masks of
painting each frame's whole changed box."""

from __future__ import annotations

import numpy as np
import pytest

from deconv_anim import channel_raster, tiles
from deconv_anim.config import resolve_config
from deconv_anim.palette import quantize
from deconv_anim.prepare import prepare
from deconv_anim.tiles import TILE, _runs


def whole_box(ops, box, static, base, pixels, lut):
    """The painting the tiles replace: every shape over the whole box."""
    x0, y0, x1, y1 = box
    if x0 >= x1 or y0 >= y1:
        return
    rgb, alpha = ops.paint(box, None)
    region = static[y0:y1, x0:x1] * (1 - alpha[..., None]) + rgb
    pixels[y0:y1, x0:x1] = quantize(region, lut)


def _frames(config, tween=0):
    raster = prepare(config)
    return [(f.pixels.copy(), f.box, None if f.changed is None else f.changed.copy())
            for f in raster.frames(tween)]


CASES = [
    {"op": "conv", "size": 5, "kernel": 3, "in_channels": 3, "out_channels": 2},
    {"op": "conv", "size": 6, "kernel": 3, "padding": 1, "in_channels": 4, "out_channels": 4,
     "groups": 2, "style": {"cell": 17}},
    {"op": "conv", "size": 4, "kernel": 3, "in_channels": 3, "out_channels": 2, "bias": True,
     "values": True, "layout": "flat"},
    {"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "padding": 1, "in_channels": 2,
     "out_channels": 2, "groups": 2, "style": {"cell": 23}},
    {"op": "transposed", "size": 2, "kernel": 2, "stride": 2, "in_channels": 10,
     "out_channels": 10, "groups": 5, "view": "scatter"},
    {"op": "transposed", "size": 3, "kernel": 2, "stride": 2, "in_channels": 2,
     "out_channels": 2, "view": "both", "values": True},
    {"op": "conv", "size": 9, "kernel": 3, "in_channels": 2, "out_channels": 12,
     "step_by": "channel", "style": {"cell": 41}},
    {"op": "maxpool", "size": 6, "kernel": 2, "in_channels": 3, "labels": True},
]


@pytest.mark.slow  # about 35 s of whole renders: CI runs it with --runslow
@pytest.mark.parametrize("keys", CASES, ids=[str(i) for i in range(len(CASES))])
def test_tiles_paint_what_the_whole_box_paints(keys, monkeypatch):
    """Every box tiled (small ones too, on purpose): the same boxes and masks, the same
    pixels but for the odd edge pixel of a shape where Pillow's fill rounds relative to
    the image's origin (see deconv_anim.tiles): at most 2 new such pixels in a frame, and
    fewer than one a frame overall."""
    config = resolve_config(keys)
    tween = 1 if keys.get("step_by") else 0
    monkeypatch.setattr(tiles, "TILED_FROM", 0)
    tiled = _frames(config, tween)
    monkeypatch.setattr(channel_raster, "paint_tiles", whole_box)
    reference = _frames(config, tween)
    assert len(tiled) == len(reference) > 1
    differ, before = 0, None
    for (p, box, mask), (q, box_q, mask_q) in zip(tiled, reference):
        now = p != q  # (a differing pixel stays until the frame that repaints it)
        new = int((now & ~before).sum()) if before is not None else int(now.sum())
        assert new <= 2
        differ += new
        before = now
        if differ == 0:  # (a tie's pixel may change a box or a mask after it)
            assert box == box_q and (mask is None) == (mask_q is None)
            if mask is not None:
                np.testing.assert_array_equal(mask, mask_q)
    assert differ < len(tiled), differ


def test_small_boxes_are_painted_whole(monkeypatch):
    """Under TILED_FROM pixels nothing changes at all: the figures of usual size (the
    gallery's, the golden frames) are painted as before."""
    config = resolve_config(CASES[1])
    called = []
    monkeypatch.setattr(tiles, "_runs", lambda found: called.append(found) or [])
    frames = _frames(config)  # (one render: with the tiles never asked, it is the usual one)
    assert max((b[2] - b[0]) * (b[3] - b[1]) for _p, b, _m in frames[1:]) < tiles.TILED_FROM
    assert called == []


@pytest.mark.slow
def test_a_large_layer_is_tiled_exactly():
    """The benchmark's 32x32 3->8 layer (cell 12): its boxes are tiled, pixel for pixel
    the whole-box painting."""
    import itertools

    config = resolve_config({"op": "conv", "size": 32, "kernel": 3, "padding": "same",
                             "in_channels": 3, "out_channels": 8, "style": {"cell": 12}})
    frames = [(f.pixels.copy(), f.box) for f in itertools.islice(prepare(config).frames(), 6)]
    assert all((b[2] - b[0]) * (b[3] - b[1]) >= tiles.TILED_FROM for _p, b in frames[1:])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(channel_raster, "paint_tiles", whole_box)
        whole = [f.pixels.copy() for f in itertools.islice(prepare(config).frames(), 6)]
    for (p, _b), q in zip(frames, whole):
        np.testing.assert_array_equal(p, q)


def test_runs_join_neighbours_in_a_row():
    assert _runs({(0, 0), (1, 0), (3, 0), (1, 1), (2, 1)}) == [(0, 0, 2), (0, 3, 4), (1, 1, 3)]
    assert TILE >= 16
