"""The upsampling ops drawn: an upsample lights the input cells each output cell reads, with
the interpolation weights; a pixel shuffle lights each output cell's source cell on its
source channel. The expected cells are worked out here from the formulas, not the trace."""

from __future__ import annotations

import math

import numpy as np
import pytest

import deconv_anim as da
from deconv_anim.animation import prepare
from deconv_anim.channel_raster import ChannelRaster
from deconv_anim.config import resolve_config
from deconv_anim.themes import mix
from deconv_anim.upsample_report import weight_text


def bilinear_sources(n: int, m: int, align: bool) -> list[tuple[int, int, float]]:
    """(lo, hi, frac) of each output of one axis: PyTorch's formula, written out again."""
    out = []
    for i in range(m):
        if align:
            src = i * (n - 1) / (m - 1) if m > 1 else 0.0
        else:
            src = max((i + 0.5) * n / m - 0.5, 0.0)
        lo = min(math.floor(src), n - 1)
        out.append((lo, min(lo + 1, n - 1), src - lo))
    return out


def read_cells(n: int, m: int, align: bool) -> list[dict[int, float]]:
    """Per output of one axis: input index -> weight (the nonzero ones)."""
    out = []
    for lo, hi, frac in bilinear_sources(n, m, align):
        weights: dict[int, float] = {}
        for index, w in ((lo, 1 - frac), (hi, frac)):
            if w:
                weights[index] = weights.get(index, 0.0) + w
        out.append(weights)
    return out


def _raster(config: dict):
    return prepare(resolve_config({**config, "style": {"cell": 24}}))


def _rgb(raster, frame) -> np.ndarray:
    return raster.palette.astype(int)[frame.pixels]


@pytest.mark.parametrize(("size", "out", "align", "layout"), [
    (3, 6, False, "flat"), (3, 6, True, "oblique"), ([2, 3], [5, 4], False, "oblique")])
def test_upsample_lights_the_cells_it_reads(size, out, align, layout):
    keys = {"op": "upsample", "size": size, "output_size": out, "mode": "bilinear",
            "layout": layout, "values": layout == "flat"}
    if align:
        keys["align_corners"] = True
    raster = _raster(keys)
    spec, layout_ = raster.scene.spec, raster.layout
    (h, w), (oh, ow) = spec.input_size, spec.output_size
    rows, cols = read_cells(h, oh, align), read_cells(w, ow, align)
    theme = raster.theme
    shaded = mix(theme.input, raster.timeline.window_color, raster.timeline.window_alpha)
    for n, frame in enumerate(raster.frames()):
        if frame.step == len(raster.timeline.steps):  # the held clean final frame
            continue
        r, c = divmod(n, ow)
        reads = {(a, b): wa * wb for a, wa in rows[r].items() for b, wb in cols[c].items()}
        rgb = _rgb(raster, frame)
        lit = set()
        for a in range(h):
            for b in range(w):
                # four points toward the corners (a number may sit at the centre, a
                # connector line may cross one of them)
                poly = layout_.cell_polygon("input", a, b)
                centre = poly.mean(axis=0)
                probes = [centre + 0.4 * (p - centre) for p in poly]
                hits = sum(np.abs(rgb[int(y), int(x)] - shaded).sum() <= 12 for x, y in probes)
                if hits >= 2:
                    lit.add((a, b))
        # every cell read is lit, and the lit block is the 2x2 (or smaller) window
        assert set(reads) <= lit, (n, reads, lit)
        kh, kw = spec.kernel_size
        assert len(lit) == kh * kw, (n, lit)
        if layout == "flat":  # the weights, written exactly, in the window's cells
            step = raster.timeline.steps[n]
            weights = {t.cell: t.text for t in step.over_texts if t.weight}
            for cell, wt in reads.items():
                assert weights[cell] == weight_text(wt), (n, cell, weights)
            assert sum(1 for t in weights.values() if t != "0") == len(reads)


def test_upsample_caption_names_the_sources_and_weights():
    anim = da.animate({"op": "upsample", "input": [[0, 4, 8]] * 3, "scale": 2,
                       "mode": "bilinear"})
    raster = prepare(anim.config)
    captions = [s.caption for s in raster.timeline.steps]
    assert captions[1] == "out[0, 1] = 3/4\u00b7x[0, 0] + 1/4\u00b7x[0, 1] = 1"
    assert captions[0] == "out[0, 0] = x[0, 0] = 0"


def test_nearest_lights_one_cell():
    raster = _raster({"op": "upsample", "size": 3, "output_size": 7, "mode": "nearest"})
    assert raster.scene.spec.kernel_size == (1, 1)
    for step in raster.timeline.steps:
        r, c = step.cell
        # PyTorch's nearest: floor(dst * in / out)
        assert step.window == (math.floor(r * 3 / 7), math.floor(c * 3 / 7))


@pytest.mark.parametrize("order", ["torch", "tf"])
def test_pixel_shuffle_lights_the_source_cell_on_its_channel(order):
    r, c_out = 2, 1
    raster = _raster({"op": "pixel_shuffle", "size": 2, "in_channels": 4, "upscale_factor": 2,
                      "order": order})
    assert isinstance(raster, ChannelRaster)
    layout = raster.layout
    ow = raster.scene.spec.output_size[1]
    for n, frame in enumerate(raster.frames()):
        if frame.step == len(raster.timeline.steps):  # the held clean final frame
            continue
        row, col = divmod(n, ow)
        i, j = row % r, col % r
        source = i * r + j if order == "torch" else (i * r + j) * c_out
        cell = (row // r, col // r)
        rgb = _rgb(raster, frame)
        lit = []
        for ch, slab in layout.inputs.items():
            for a in range(2):
                for b in range(2):
                    x, y = layout.cell_centre(slab, a, b).astype(int)
                    if tuple(int(v) for v in rgb[y, x]) != slab.fill:
                        lit.append((ch, (a, b)))
        assert lit == [(source, cell)], (n, lit)


def test_api_renders_both_ops(tmp_path):
    up = da.animate(op="upsample", size=3, scale=2, mode="bilinear", values=True)
    assert up.info["output_size"] == [6, 6] and len(list(up.frames())) == 36 + 1
    result = da.render({"op": "pixel_shuffle", "size": 2, "in_channels": 4,
                        "upscale_factor": 2}, tmp_path / "p.svg")
    assert result.frames == 16 + 1 and (tmp_path / "p.svg").stat().st_size > 0
    html = da.render({"op": "upsample", "size": 2, "scale": 2}, tmp_path / "u.html")
    assert html.frames == 16 + 1  # the steps, then the held clean final frame
