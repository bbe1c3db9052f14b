"""Connector lines (connectors.py): in the flat layout they end at the highlighted cell, never
lie on a grid line and never strike a number; in the oblique layout they are as before.

The pixel tests read the GIF's frames: a line pixel is one whose palette colour is the
line colour blended at the line's coverage, where the static picture (no lines) has
something else."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping, load_config
from deconv_anim.connectors import (
    INSET,
    _ends,
    _outside,
    connector_segments,
    step_glyph_boxes,
)
from deconv_anim.frames import Canvas
from deconv_anim.paint import text_sprite
from deconv_anim.panels import SideBySide

FLAT = {
    "both_transposed": dict(op="transposed", size=3, kernel=3, stride=2, view="both",
                            values=True, labels=True),
    "maxpool": "configs/maxpool.yaml",
    "avgpool": "configs/avgpool.yaml",
    "numbers_conv": "configs/numbers_conv.yaml",
    "numbers_scatter": "configs/numbers_scatter.yaml",
    "causal_1d": dict(op="conv", size=[1, 8], kernel=[1, 3], padding=[0, 0, 2, 0],
                      values=True),
    "flat_no_values": dict(op="conv", size=5, kernel=3, stride=2, padding=1, layout="flat"),
}


def rasters(name):
    source = FLAT[name]
    cfg = (load_config(source) if isinstance(source, str)
           else config_from_mapping(source, name=name))
    raster = prepare(cfg)
    return [raster.left, raster.right] if isinstance(raster, SideBySide) else [raster]


def step_segments(raster):
    """For each step: its connector segments (as every painter draws them)."""
    layout, timeline, scene = raster.layout, raster.timeline, raster.scene
    kh, kw = scene.window_extent
    glyphs = (step_glyph_boxes(layout, timeline) if raster.look.numbers else None)
    for step in timeline.steps:
        boxes = next(glyphs) if glyphs is not None else None
        wpoly = layout.cell_polygon(timeline.window_grid, *step.window, kh, kw)
        tpoly = layout.cell_polygon(timeline.target_grid, *step.target)
        yield step, wpoly, tpoly, connector_segments(layout, scene, wpoly, tpoly, boxes)


def text_boxes(raster, step):
    """The tight boxes (x0, y0, x1, y1) of every number on screen at ``step``, measured
    with the font's own glyph masks (not the layout's estimate)."""
    layout, timeline = raster.layout, raster.timeline
    items = [(layout.cell_centre("input", *t.cell), t.text, layout.number_size)
             for t in timeline.input_texts]
    texts = {s.cell: s.text for s in timeline.start}
    for s in timeline.steps[:step.index + 1]:
        for change in s.changes:
            texts[change.cell] = change.text
    items += [(layout.cell_centre("output", *cell), text, layout.number_size)
              for cell, text in texts.items() if text]
    items += [((layout.weight_at if t.weight else layout.cell_centre)(t.grid, *t.cell),
               t.text, layout.weight_size if t.weight else layout.number_size)
              for t in step.over_texts]
    out = []
    for (cx, cy), text, size in items:
        th, tw = text_sprite(text, size, (0, 0, 0), None)[1].shape
        x0, y0 = round(cx - tw / 2), round(cy - th / 2)
        out.append((x0, y0, x0 + tw, y0 + th))
    return out


@pytest.mark.parametrize("name", sorted(FLAT))
def test_flat_lines_end_at_the_highlighted_cell(name):
    for raster in rasters(name):
        scatter = raster.timeline.target_grid != "output"
        for step, wpoly, tpoly, segments in step_segments(raster):
            # the end on the highlighted output cell (in the scatter view the stamp, the
            # window of its steps) lies on that cell's edge, INSET in from its corners; the
            # other end may pass behind the input cells outside the window
            cell = wpoly if scatter else tpoly
            lo, hi = cell.min(axis=0), cell.max(axis=0)
            ends = [np.array(p if scatter else q) for p, q in segments]
            near = [e for e in ends if np.all(e >= lo - 1e-6) and np.all(e <= hi + 1e-6)]
            assert len(near) == 2, (name, step.index, segments, cell)
            edge = np.linalg.norm(near[1] - near[0])
            side = np.linalg.norm(cell[1] - cell[0])
            assert edge == pytest.approx((1 - 2 * INSET) * side), (name, step.index)


@pytest.mark.parametrize("name", sorted(FLAT))
def test_flat_lines_never_lie_on_a_grid_line(name):
    for raster in rasters(name):
        layout, scene = raster.layout, raster.scene
        ys = {g: [layout.corner_xy(g, r, 0)[1] for r in range(-5, layout.rows[g] + 6)]
              for g in ("input", "output")}
        xs = {g: [layout.corner_xy(g, 0, c)[0] for c in range(-5, 60)]
              for g in ("input", "output")}
        lines_y = [y for v in ys.values() for y in v]
        lines_x = [x for v in xs.values() for x in v]
        for step, wpoly, tpoly, _ in step_segments(raster):
            ends = _ends(layout, scene, wpoly, tpoly)  # the whole lines, before any break
            for p, q in ends:
                if abs(p[1] - q[1]) < 1:  # level: not on a horizontal grid line
                    assert min(abs(p[1] - y) for y in lines_y) > 2, (name, step.index)
                if abs(p[0] - q[0]) < 1:  # upright: not on a vertical one
                    assert min(abs(p[0] - x) for x in lines_x) > 2, (name, step.index)
                # neither end of a line is on a grid line of its own grid
                for point in (p, q):
                    assert min(abs(point[1] - y) for y in lines_y) > 1 or min(
                        abs(point[0] - x) for x in lines_x) > 1 or scene.layout == "oblique"


def _unbroken(segments):
    """The two whole lines a set of broken segments belongs to (first start, last end)."""
    lines: list[list] = []
    for p, q in segments:
        for line in lines:
            a, b = np.array(line[0]), np.array(line[1])
            d = b - a
            cross = d[0] * (q[1] - a[1]) - d[1] * (q[0] - a[0])
            if abs(cross) < 1e-6 * (1 + np.hypot(*d) ** 2):
                line[1] = q
                break
        else:
            lines.append([p, q])
    return lines


@pytest.mark.parametrize("name", sorted(FLAT))
def test_no_line_pixel_strikes_a_number(name):
    """The GIF's line pixels (Canvas.connectors, as drawn) never fall in a glyph's box."""
    for raster in rasters(name):
        canvas = Canvas(raster)
        layout = raster.layout
        glyphs = step_glyph_boxes(layout, raster.timeline) if raster.look.numbers else None
        seen = 0
        for step in raster.timeline.steps:
            boxes = next(glyphs) if glyphs is not None else None
            ys, xs, _, _ = canvas.connectors(layout.shift(step.window, step.window),
                                             layout.shift(step.target, step.target), boxes)
            seen += len(ys)
            for x0, y0, x1, y1 in text_boxes(raster, step):
                inside = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
                assert not inside.any(), (name, step.index, (x0, y0, x1, y1))
        assert seen


def test_the_old_maxpool_line_struck_the_1():
    """The case the issue names: maxpool frame 0, cell (0, 3). The straight line from the
    window's corner to the target's corner goes through the "1"; the drawn one breaks."""
    (raster,) = rasters("maxpool")
    step = raster.timeline.steps[0]
    layout = raster.layout
    box = [b for b in text_boxes(raster, step)]
    centre = layout.cell_centre("input", 0, 3)
    one = next(b for b in box if b[0] <= centre[0] <= b[2] and b[1] <= centre[1] <= b[3])
    _, wpoly, tpoly, segments = next(step_segments(raster))
    # the old lines: the window's right corners to the target's left corners
    unbroken = [(wpoly[i], tpoly[j]) for i, j in layout.connector_pairs(raster.scene)]

    def hits(segs):
        return any(_crosses(p, q, one) for p, q in segs)

    assert hits(unbroken) and not hits(segments)


def _crosses(p, q, box):
    t = np.linspace(0, 1, 400)[:, None]
    pts = np.array(p) + t * (np.array(q) - np.array(p))
    x0, y0, x1, y1 = box
    return bool(((pts[:, 0] >= x0) & (pts[:, 0] < x1) & (pts[:, 1] >= y0)
                 & (pts[:, 1] < y1)).any())


def test_the_line_is_seen_over_the_output_grid_up_to_the_target():
    """Frame 20 of the gather view (out[2, 6]): line pixels lie inside the output grid,
    left of the target cell, next to its edge (before, the output grid hid them)."""
    raster = rasters("both_transposed")[0]
    pixels = next(f.pixels.copy() for f in raster.frames() if f.index == 20)
    step = raster.timeline.steps[20]
    assert step.cell == (2, 6)
    rgb = raster.palette[pixels].astype(int)
    layout = raster.layout
    tpoly = layout.cell_polygon("output", *step.target)
    x_left = int(tpoly[:, 0].min())
    y0, y1 = int(tpoly[:, 1].min()), int(tpoly[:, 1].max())
    line = np.array(raster.theme.line)
    strip = rgb[y0 + 3:y1 - 3, x_left - 6:x_left - 2]  # just left of the target's edge
    dark = np.abs(strip - line).sum(axis=2) < 60
    assert dark.sum() >= 4, dark.sum()


def test_oblique_lines_join_corner_to_corner():
    cfg = config_from_mapping(dict(op="conv", size=4, kernel=3, values=True,
                                   layout="oblique"), name="o")
    raster = prepare(cfg)
    for _step, wpoly, tpoly, segments in step_segments(raster):
        assert segments == [(tuple(wpoly[i]), tuple(tpoly[i])) for i in range(4)]


boxes_st = st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(0.5, 30),
                              st.floats(0.5, 30)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.tuples(st.floats(-60, 60), st.floats(-60, 60)),
       st.tuples(st.floats(-60, 60), st.floats(-60, 60)), boxes_st)
def test_breaks_against_sampling(p, q, raw):
    """The kept parts of a segment are outside every box and the cut parts inside one,
    checked at sample points against a naive point-in-box test."""
    p, q = np.array(p), np.array(q)
    boxes = np.array([(x, y, x + w, y + h) for x, y, w, h in raw], float).reshape(-1, 4)
    keep = _outside(p, q, boxes)
    for t in np.linspace(0, 1, 101):
        pt = p + t * (q - p)
        inside = bool(((boxes[:, 0] < pt[0] - 1e-6) & (pt[0] + 1e-6 < boxes[:, 2])
                       & (boxes[:, 1] < pt[1] - 1e-6) & (pt[1] + 1e-6 < boxes[:, 3])).any())
        kept = any(a - 1e-9 <= t <= b + 1e-9 for a, b in keep)
        strictly_kept = any(a + 1e-6 < t < b - 1e-6 for a, b in keep)
        if inside:
            assert not strictly_kept, (t, keep)
        elif not any(_on_edge(pt, b) for b in boxes):
            assert kept, (t, keep)


def _on_edge(pt, box, eps=1e-5):
    x0, y0, x1, y1 = box
    inside = x0 - eps <= pt[0] <= x1 + eps and y0 - eps <= pt[1] <= y1 + eps
    return inside and min(abs(pt[0] - x0), abs(pt[0] - x1), abs(pt[1] - y0),
                          abs(pt[1] - y1)) < 1e-4


@pytest.mark.parametrize("name", sorted(FLAT))
def test_flat_lines_pass_behind_the_input_cells_outside_the_window(name):
    """No visible part of a flat line lies over an input cell the window (the scatter
    view's input cell) does not cover: a number beside a line never reads as negative."""
    for raster in rasters(name):
        layout, scene = raster.layout, raster.scene
        rows, cols = scene.input.kinds.shape
        grid = layout.cell_polygon("input", *scene.input.first, rows, cols)
        (gx0, gy0), (gx1, gy1) = grid.min(axis=0), grid.max(axis=0)
        scatter = raster.timeline.target_grid != "output"
        for step, wpoly, tpoly, segments in step_segments(raster):
            block = tpoly if scatter else wpoly
            (bx0, by0), (bx1, by1) = block.min(axis=0), block.max(axis=0)
            for p, q in segments:
                for t in np.linspace(0.02, 0.98, 25):
                    x, y = np.array(p) + t * (np.array(q) - np.array(p))
                    inside_grid = gx0 + 0.5 < x < gx1 - 0.5 and gy0 + 0.5 < y < gy1 - 0.5
                    in_block = bx0 - 0.5 <= x <= bx1 + 0.5 and by0 - 0.5 <= y <= by1 + 0.5
                    assert not inside_grid or in_block, (name, step.index, (x, y))
