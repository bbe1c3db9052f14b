"""Every number in every frame reads: WCAG contrast of at least 3:1 between the colour of a
glyph and the composited fill it sits on, measured in the frame's pixels.

The glyphs are located from the layout (a cell's centre, a weight's place) and the glyph
masks of the bundled font (the painter centres a text's tight box there); which numbers a
frame shows comes from the timeline (the input grid's numbers, the output cells' numbers so
far, the window's weights). The colours are not taken from the timeline: the text colour is
the one the glyph's solid pixels have in the frame, the fill the one around the glyph."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping
from deconv_anim.paint import text_sprite
from deconv_anim.panels import SideBySide
from deconv_anim.report import format_value

THEMES = ("classic", "dark", "colorblind")
FIGURES = {
    "conv_padding": dict(op="conv", size=4, kernel=3, padding=1),
    "conv_oblique": dict(op="conv", size=4, kernel=3, padding=1, layout="oblique"),
    "transposed_gather": dict(op="transposed", size=2, kernel=3, stride=2, padding=1),
    "transposed_scatter": dict(op="transposed", size=2, kernel=3, stride=2, view="scatter"),
    "transposed_both": dict(op="transposed", size=2, kernel=3, stride=2, view="both"),
    "avgpool": dict(op="avgpool", size=5, kernel=3, stride=2, padding=1,
                    count_include_pad=False),
    "avgpool_pad": dict(op="avgpool", size=4, kernel=3, stride=2, padding=1),
    "maxpool": dict(op="maxpool", size=4, kernel=2),
    "overlap": dict(op="transposed", size=3, kernel=3, stride=2, overlap=True),
}


def _wcag(c):
    lin = [(v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4
           for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(a, b):
    la, lb = sorted((_wcag(a), _wcag(b)))
    return (lb + 0.05) / (la + 0.05)


def rasters(name, theme, **extra):
    cfg = config_from_mapping({**FIGURES[name], "values": True, "style": {"theme": theme},
                               **extra})
    raster = prepare(cfg)
    if isinstance(raster, SideBySide):
        return [raster.left, raster.right]
    return [raster]


def glyphs(raster, index):
    """(grid, centre, text, size) of every number frame ``index`` shows."""
    layout, timeline = raster.layout, raster.timeline
    out = [("input", layout.cell_centre("input", *t.cell), t.text, layout.number_size)
           for t in timeline.input_texts]
    states = {s.cell: s.text for s in timeline.start}
    steps = timeline.steps
    step = steps[min(index, len(steps) - 1)]
    for s in steps[:step.index + 1]:
        for change in s.changes:
            states[change.cell] = change.text
    out += [("output", layout.cell_centre("output", *cell), text, layout.number_size)
            for cell, text in states.items() if text]
    if timeline.kernel is not None and index < len(steps):  # the final frame: no window
        (kh, kw), (dh, dw) = raster.scene.window_size, raster.scene.dilation
        r0, c0 = step.window
        for (i, j), w in zip(np.ndindex(kh, kw), timeline.kernel.ravel()):
            at = layout.weight_at(timeline.window_grid, r0 + i * dh, c0 + j * dw)
            out.append(("weight", at, format_value(w), layout.weight_size))
    # the kernel drawn as its own grid (and its rotated copy): its weights read too
    out += [("kernel", np.array(c.polygon, float).mean(axis=0), c.text, layout.number_size)
            for c in layout.notes.cells]
    return out


def measure(rgb, centre, text, size):
    """(text colour, fill colour) of a glyph in an RGB frame, or None when it is not all
    on the frame or has no solid pixel."""
    _, alpha = text_sprite(text, size, (255, 255, 255), None)
    th, tw = alpha.shape
    x0, y0 = round(centre[0] - tw / 2), round(centre[1] - th / 2)
    h, w = rgb.shape[:2]
    if x0 < 0 or y0 < 0 or x0 + tw > w or y0 + th > h:
        return None
    box = rgb[y0:y0 + th, x0:x0 + tw].reshape(-1, 3)
    mask = alpha.ravel()
    solid = [tuple(p) for p in box[mask >= 0.95].tolist()]
    around = [tuple(p) for p in box[mask == 0].tolist()]
    if not solid or not around:
        return None
    return Counter(solid).most_common(1)[0][0], Counter(around).most_common(1)[0][0]


def low_contrast(raster, minimum=3.0):
    problems, checked = [], 0
    for frame in raster.frames():
        rgb = raster.palette[frame.pixels]
        for grid, centre, text, size in glyphs(raster, frame.index):
            got = measure(rgb, centre, text, size)
            if got is None:
                continue
            checked += 1
            if ratio(*got) < minimum:
                problems.append((frame.index, grid, text, got, round(ratio(*got), 2)))
    assert checked, "no glyph measured"
    return problems


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_number_reads_at_3_to_1(name, theme):
    problems = []
    for raster in rasters(name, theme):
        problems += low_contrast(raster)
    assert not problems, problems[:10]


def test_an_explicit_text_colour_is_used_as_given():
    grey = (120, 120, 120)
    for raster in rasters("conv_padding", "classic", style={"theme": "classic",
                                                            "text_color": "#787878"}):
        frame = next(iter(raster.frames()))
        rgb = raster.palette[frame.pixels]
        seen = [measure(rgb, c, t, s) for g, c, t, s in glyphs(raster, 0) if g != "weight"]
        colours = [got[0] for got in seen if got is not None]
        assert colours and all(max(abs(a - b) for a, b in zip(c, grey)) <= 12
                               for c in colours), colours
