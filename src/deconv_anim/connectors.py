"""Connector lines in pixels: where they start and end, and (flat layout) where they break.

Layout stage (no Pillow): every painter (the GIF raster, the SVG writer, the HTML player)
draws the segments computed here, so the three agree.

* Oblique layout: the four lines join the window block's corners to the target cell's
  corners, as in the reference figures (unchanged).
* Flat layout: two lines join the two facing edges (gather: the window's right edge to the
  highlighted output cell's left edge; scatter: the input cell's right edge to the stamp's
  left edge; 1-D: top edge to bottom edge). Each end sits :data:`INSET` of its edge in
  from the corners, so a line never lies along a grid line (neither end is on one), passes
  the cells next to the highlighted one above and below their numbers, and visibly ends
  *at* that cell; the lines are drawn over the output grid. Where a line would still
  cross a number it breaks: the part inside the number's box (padded by
  :data:`GLYPH_PAD`, never past the number's own cell) is left out, so no glyph is struck;
  and a line passes behind the input cells outside the window (it shows from the window's
  edge only where it leaves the input grid), so no number it passes reads as negative.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .font import text_width

if TYPE_CHECKING:
    from .layout import Layout
    from .scene import Scene
    from .timeline import Timeline

__all__ = ["INSET", "GLYPH_PAD", "Segment", "connector_segments", "glyph_boxes",
           "step_glyph_boxes", "GlyphBoxes", "flat_connectors"]

INSET = 0.15
"""Where a flat connector meets an edge: this fraction of the edge in from each corner."""
GLYPH_PAD = 0.08
"""Clear space kept around a number a connector passes, in cells (at least 2 pixels)."""
Segment = tuple[tuple[float, float], tuple[float, float]]


def flat_connectors(scene: Scene) -> bool:
    """Do the connector lines of ``scene`` follow the flat rules (ends inset, breaks at
    numbers, drawn over the output grid)?"""
    return scene.layout != "oblique"


def _ends(layout: Layout, scene: Scene, window: np.ndarray, target: np.ndarray
          ) -> list[tuple[np.ndarray, np.ndarray]]:
    pairs = layout.connector_pairs(scene)
    ends = [(window[i].astype(float), target[j].astype(float)) for i, j in pairs]
    if not flat_connectors(scene) or len(ends) != 2:
        return ends
    # both ends inset along their edges: off every grid line, so a line never lies on one
    (a0, b0), (a1, b1) = ends
    b0, b1 = b0 + INSET * (b1 - b0), b1 + INSET * (b0 - b1)
    a0, a1 = a0 + INSET * (a1 - a0), a1 + INSET * (a0 - a1)
    return [(a0, b0), (a1, b1)]


def _outside(p: np.ndarray, q: np.ndarray, boxes: np.ndarray) -> list[tuple[float, float]]:
    """The parameter intervals of segment p -> q that lie outside every box (Liang-Barsky
    clipping of the segment against each box, the inside parts taken away)."""
    d = q - p
    cut: list[tuple[float, float]] = []
    for x0, y0, x1, y1 in boxes.tolist():
        lo, hi = 0.0, 1.0
        for delta, start, low, high in ((d[0], p[0], x0, x1), (d[1], p[1], y0, y1)):
            if abs(delta) < 1e-12:
                if not low <= start <= high:
                    lo, hi = 1.0, 0.0
                    break
                continue
            t0, t1 = (low - start) / delta, (high - start) / delta
            lo, hi = max(lo, min(t0, t1)), min(hi, max(t0, t1))
        if lo < hi:
            cut.append((lo, hi))
    cut.sort()
    keep, at = [], 0.0
    for lo, hi in cut:
        if lo > at:
            keep.append((at, lo))
        at = max(at, hi)
    if at < 1.0:
        keep.append((at, 1.0))
    return keep


def connector_segments(layout: Layout, scene: Scene, window: np.ndarray, target: np.ndarray,
                       boxes: np.ndarray | None = None) -> list[Segment]:
    """The connector lines between the window block (corners ``window``, 4 x 2) and the
    target cell (``target``), as segments; in the flat layout broken around ``boxes``
    (N x 4: x0, y0, x1, y1 of each number shown)."""
    out: list[Segment] = []
    flat = flat_connectors(scene)
    if flat:  # behind the input cells outside the window: no line runs over them
        bands = _bands(layout, scene, window, target)
        boxes = bands if boxes is None or not len(boxes) else np.vstack([boxes, bands])
    for p, q in _ends(layout, scene, window, target):
        if boxes is None or not len(boxes) or not flat:
            out.append(((float(p[0]), float(p[1])), (float(q[0]), float(q[1]))))
            continue
        lo = np.minimum(p, q) - 1
        hi = np.maximum(p, q) + 1
        near = boxes[(boxes[:, 0] < hi[0]) & (boxes[:, 2] > lo[0])
                     & (boxes[:, 1] < hi[1]) & (boxes[:, 3] > lo[1])]
        for a, b in _outside(p, q, near):
            if (b - a) * float(np.hypot(*(q - p))) < 1.0:  # a sliver: left out
                continue
            u, v = p + a * (q - p), p + b * (q - p)
            out.append(((float(u[0]), float(u[1])), (float(v[0]), float(v[1]))))
    return out


def _bands(layout: Layout, scene: Scene, window: np.ndarray, target: np.ndarray
           ) -> np.ndarray:
    """The input grid outside the block the lines leave it from (the gather window, or the
    scatter view's input cell), as up to four boxes (above, below, left and right of it):
    a flat connector passes behind those cells, so it never runs over a cell it does not
    start from (no number beside a line reads as negative)."""
    grid = scene.input
    rows, cols = grid.kinds.shape
    g = layout.cell_polygon("input", grid.first[0], grid.first[1], rows, cols)
    (gx0, gy0), (gx1, gy1) = g.min(axis=0), g.max(axis=0)
    cx, cy = window.mean(axis=0)
    block = window if gx0 <= cx <= gx1 and gy0 <= cy <= gy1 else target
    (wx0, wy0), (wx1, wy1) = block.min(axis=0), block.max(axis=0)
    bands = [(gx0, gy0, gx1, wy0), (gx0, wy1, gx1, gy1), (gx0, wy0, wx0, wy1),
             (wx1, wy0, gx1, wy1)]
    return np.array([b for b in bands if b[2] > b[0] and b[3] > b[1]] or
                    np.empty((0, 4)), float).reshape(-1, 4)


def glyph_boxes(layout: Layout, items: Sequence[tuple[str, tuple[int, int], str, bool]]
                ) -> np.ndarray:
    """Boxes (N x 4) of numbers drawn at (grid, cell, text, is a weight), padded by
    :data:`GLYPH_PAD` cells."""
    rows = []
    pad = max(2.0, GLYPH_PAD * layout.cell)
    for grid, cell, text, weight in items:
        if not text:
            continue
        size = layout.weight_size if weight else layout.number_size
        cx, cy = (layout.weight_at if weight else layout.cell_centre)(grid, *cell)
        half_w = text_width(text, size) / 2 + pad
        half_h = size / 2 + pad
        # the clear space ends at the number's own cell (a line may end on its edge)
        poly = layout.cell_polygon(grid, *cell)
        (x0, y0), (x1, y1) = poly.min(axis=0), poly.max(axis=0)
        rows.append((max(cx - half_w, x0), max(cy - half_h, y0), min(cx + half_w, x1),
                     min(cy + half_h, y1)))
    return np.array(rows, float).reshape(-1, 4)


def step_glyph_boxes(layout: Layout, timeline: Timeline) -> Iterator[np.ndarray]:
    """For each step: the boxes of every number on screen at that step's own frame (the
    input grid's, the output cells' after the step's changes, the step's numbers drawn
    over the window and the highlight)."""
    glyphs = GlyphBoxes(layout, timeline)
    for index in range(len(timeline.steps)):
        yield glyphs.at(index)


class GlyphBoxes:
    """:func:`step_glyph_boxes` asked step by step, forwards: the steps passed over cost
    only their output changes (a run of frames that starts mid-way skips to its step)."""

    def __init__(self, layout: Layout, timeline: Timeline) -> None:
        self.layout, self.steps = layout, timeline.steps
        self.fixed = glyph_boxes(layout, [("input", t.cell, t.text, False)
                                          for t in timeline.input_texts])
        self.known: dict[tuple, np.ndarray] = {}  # each number's box, measured once
        self.texts = {s.cell: s.text for s in timeline.start}
        self.done = -1  # the last step whose changes are in ``texts``

    def _boxes(self, items: list[tuple[str, tuple[int, int], str, bool]]) -> np.ndarray:
        known = self.known
        for item in items:
            if item not in known:
                known[item] = glyph_boxes(self.layout, [item])
        return np.concatenate([known[item] for item in items]) if items else self.fixed[:0]

    def at(self, index: int) -> np.ndarray:
        """The boxes at step ``index`` (not before a step asked already)."""
        if index < self.done:
            raise ValueError("glyph boxes are asked for forwards only")
        for step in self.steps[self.done + 1:index + 1]:
            for change in step.changes:
                self.texts[change.cell] = change.text
        self.done = index
        shown = self._boxes([("output", cell, text, False)
                             for cell, text in self.texts.items() if text])
        over = self._boxes([(t.grid, t.cell, t.text, t.weight)
                            for t in self.steps[index].over_texts])
        return np.concatenate([self.fixed, shown, over])
