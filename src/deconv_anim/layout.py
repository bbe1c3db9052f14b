"""The layout: a scene's geometry in pixels (user units of the SVG), computed once.

Units become pixels here and nowhere else. Each grid unit vector is rounded to whole
pixels (``ex``, ``ey``), so every grid corner lands on an exact pixel and a shape drawn once
(the kernel window, the highlighted cell) is the same at every position. The figure is
centred in a canvas with a margin; under it come the static text lines (heading, title,
the kernel-rotation note), the caption lines of the current step and the tint legend. Text is
measured with :func:`deconv_anim.font.text_width`, Pillow's own widths of the font the
raster draws with, so this module needs no Pillow and the SVG lines up with the GIF.

Every painter (the Pillow raster, the SVG writer, the HTML player) draws from one
:class:`Layout` (and one :class:`~deconv_anim.timeline.Timeline`); none computes geometry.
The formulas are in ``docs/architecture.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from .font import text_width
from .notes import NO_NOTES, Notes, build_notes
from .scene import Grid, Scene
from .themes import RGB, Theme
from .timeline import Timeline, Tints

__all__ = ["Look", "Layout", "text_size_of", "MIN_TEXT_SIZE", "LegendItem", "Panel", "Figure",
           "build_layout", "side_by_side", "stacked",
           "CAPTION_LINES", "CONNECTOR_WIDTH", "WINDOW_OUTLINE", "MARKER_OUTLINE",
           "LEGEND_LABEL"]

CAPTION_LINES = 2  # lines kept for the caption of the current step
CONNECTOR_WIDTH = 0.75  # connector lines, relative to grid lines
WINDOW_OUTLINE = 1.0  # kernel window cell outlines, relative to grid lines
MARKER_OUTLINE = 2.2  # the max-pool marker's outline, relative to grid lines
LEGEND_LABEL = "stamps per output cell:"
SCATTER_LEGEND_LABEL = "stamps so far on a cell:"
"""The scatter view's legend: there the tint counts the stamps landed up to this step."""
DASHES = (0.1, 0.6)  # where the two dashes of a dashed cell edge start, as TikZ's dashed
DASH_LENGTH = 0.3  # and their length (fractions of the edge): the corners stay open
NUMBER_SIZE = 0.38  # numbers in cells, relative to the cell size
WEIGHT_SIZE = 0.26  # the weights in the window's cells
WEIGHT_AT = 0.55  # a weight's place: from the cell's centre toward its bottom-right corner
Point = tuple[float, float]


@dataclass(frozen=True)
class Look:
    """How a figure is drawn: colours, sizes, and which teaching aids are on."""

    theme: Theme
    cell: int = 30
    line_width: float | None = None  # pixels; default cell / 16
    numbers: bool = False
    labels: bool = False
    overlap: bool = False
    transparent: bool = False


@dataclass(frozen=True)
class LegendItem:
    """One swatch of the tint legend: its label, fill and box (x0, y0, x1, y1)."""

    label: str
    fill: RGB
    box: tuple[float, float, float, float]

    @property
    def centre(self) -> Point:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass(frozen=True)
class Layout:
    """Where everything of one view goes, in pixels (y down); see the module docstring."""

    cell: int
    line_width: float
    margin: int
    ex: tuple[int, int]
    """Pixels of one grid unit along x (a matrix column step)."""
    ey: tuple[int, int]
    """Pixels of one grid unit along y (up; a matrix row step is ``-ey``)."""
    origins: dict[str, tuple[int, int]]
    """Pixel of each grid's origin (its bottom-left corner in grid units)."""
    rows: dict[str, int]
    size: tuple[int, int]
    figure_height: int
    text_size: int
    line_height: int
    static_lines: tuple[str, ...]
    has_caption: bool
    legend: tuple[LegendItem, ...] | None
    legend_label_x: float
    legend_size: int
    """Font size of the swatch labels."""
    legend_label: str = LEGEND_LABEL
    notes: Notes = NO_NOTES
    """The kernel's own grid and the grids' labels (:mod:`deconv_anim.notes`)."""

    # -- grids ---------------------------------------------------------------------------

    def corner_xy(self, grid: str, r: float, c: float) -> Point:
        """Pixel of the top-left corner of matrix cell (r, c) of ``grid`` (plain numbers:
        this runs for every corner drawn)."""
        ox, oy = self.origins[grid]
        (ax, ay), (bx, by) = self.ex, self.ey
        k = self.rows[grid] - r
        return ox + c * ax + k * bx, oy + c * ay + k * by

    def corner(self, grid: str, r: float, c: float) -> np.ndarray:
        return np.array(self.corner_xy(grid, r, c), float)

    def cell_polygon(self, grid: str, r: float, c: float, h: float = 1, w: float = 1
                     ) -> np.ndarray:
        """Corners (4 x 2) of the block of ``h`` x ``w`` cells whose top-left cell is
        (r, c): top-left, top-right, bottom-right, bottom-left (matrix sense)."""
        x, y = self.corner_xy(grid, r, c)
        (ax, ay), (bx, by) = self.ex, self.ey
        return np.array([(x, y), (x + w * ax, y + w * ay),
                         (x + w * ax - h * bx, y + w * ay - h * by), (x - h * bx, y - h * by)],
                        float)

    def cell_centre(self, grid: str, r: float, c: float) -> np.ndarray:
        """Centre of matrix cell (r, c): where its number goes."""
        return self.cell_polygon(grid, r, c).mean(axis=0)

    def weight_at(self, grid: str, r: float, c: float) -> np.ndarray:
        """Where a window cell's weight goes: toward the cell's bottom-right corner."""
        poly = self.cell_polygon(grid, r, c)
        centre = poly.mean(axis=0)
        return centre + WEIGHT_AT * (poly[2] - centre)

    def cells_touching(self, grid: str, shape: tuple[int, int], box: tuple[int, int, int, int],
                       pad: float) -> np.ndarray:
        """Boolean mask (``shape``, matrix cells from (0, 0)) of the cells of ``grid`` whose
        corners come within ``pad`` pixels of ``box``: in the oblique view a box around a
        block of cells reaches into more cells than the block."""
        ex, ey = np.array(self.ex)[:, None, None], np.array(self.ey)[:, None, None]
        rr, cc = np.mgrid[0:shape[0], 0:shape[1]]
        corners = [self.corner(grid, 0, 0)[:, None, None] + (cc + dc) * ex - (rr + dr) * ey
                   for dr in (0, 1) for dc in (0, 1)]
        xs, ys = np.stack([c[0] for c in corners]), np.stack([c[1] for c in corners])
        return ((xs.min(0) - pad < box[2]) & (xs.max(0) + pad > box[0])
                & (ys.min(0) - pad < box[3]) & (ys.max(0) + pad > box[1]))

    def shift(self, a: Point, b: Point, t: float = 0.0) -> np.ndarray:
        """Pixels that move cell (0, 0) of a grid to cell ``a`` (a fraction ``t`` of the
        way on to cell ``b``): the map is linear, so this is the same for every grid."""
        ex, ey = np.array(self.ex), np.array(self.ey)
        shift = a[1] * ex - a[0] * ey
        if t:
            shift = shift + ((b[1] - a[1]) * ex - (b[0] - a[0]) * ey) * t
        return shift

    # -- text ----------------------------------------------------------------------------

    @property
    def number_size(self) -> int:
        return round(self.cell * NUMBER_SIZE)

    @property
    def weight_size(self) -> int:
        return max(8, round(self.cell * WEIGHT_SIZE))

    def static_line_y(self, n: int) -> float:
        """Centre height of static line ``n``."""
        return self.figure_height + self.line_height // 2 + n * self.line_height

    @property
    def caption_y(self) -> int:
        """Centre height of the first caption line."""
        return self.figure_height + self.line_height // 2 + len(self.static_lines) * (
            self.line_height)

    @property
    def caption_top(self) -> int:
        """Top of the caption lines: under the figure and its static lines."""
        return self.figure_height + len(self.static_lines) * self.line_height

    @property
    def caption_box(self) -> tuple[int, int, int, int]:
        """The strip the caption lines are drawn in (x0, y0, x1, y1)."""
        top = self.caption_y - self.line_height // 2
        return 0, top, self.size[0], top + CAPTION_LINES * self.line_height

    @property
    def legend_y(self) -> int:
        return self.caption_y + CAPTION_LINES * self.line_height * self.has_caption

    def fit_caption(self, text: str) -> str:
        """A caption in at most ``CAPTION_LINES`` lines (joined with newlines), wrapped at
        spaces, shortened in the middle if it must be, keeping its end (the result)."""
        size, room = self.text_size, self.size[0] - 2 * self.margin

        def lines(t: str) -> list[str]:
            return balanced_lines(t, size, room)

        if len(lines(text)) <= CAPTION_LINES or " = " not in text:
            return "\n".join(lines(text)[:CAPTION_LINES])
        head, _, result = text.rpartition(" = ")
        while head and len(lines(f"{head} ... = {result}")) > CAPTION_LINES:
            head = head[: head.rfind(" ")] if " " in head else ""
        return "\n".join(lines(f"{head} ... = {result}"))

    def to_dict(self) -> dict[str, object]:
        """The layout as JSON-ready data (for an interactive player): a cell's top-left
        corner on grid ``g`` is ``origins[g] + c * ex + (rows[g] - r) * ey`` pixels."""
        return {
            "cell": self.cell, "line_width": self.line_width, "margin": self.margin,
            "ex": list(self.ex), "ey": list(self.ey),
            "origins": {k: list(v) for k, v in self.origins.items()}, "rows": dict(self.rows),
            "size": list(self.size), "figure_height": self.figure_height,
            "text_size": self.text_size, "line_height": self.line_height,
            "number_size": self.number_size, "weight_size": self.weight_size,
            "static_lines": [{"text": t, "y": self.static_line_y(n)}
                             for n, t in enumerate(self.static_lines)],
            "caption": {"y": self.caption_y, "lines": CAPTION_LINES} if self.has_caption
            else None,
            "notes": self.notes.to_dict(),
            "legend": None if self.legend is None else {
                "label": self.legend_label, "label_x": self.legend_label_x, "y": self.legend_y,
                "size": self.legend_size,
                "items": [{"label": i.label, "fill": list(i.fill), "box": list(i.box)}
                          for i in self.legend]},
        }

    def connector_pairs(self, scene: Scene) -> list[tuple[int, int]]:
        """Corners joined by the connector lines, as (window corner, target corner) in
        polygon order (top-left, top-right, bottom-right, bottom-left): all four in the
        oblique view; side by side, the two edges that face each other."""
        if scene.layout == "oblique":
            return [(0, 0), (1, 1), (2, 2), (3, 3)]
        if scene.input.rows == scene.output.rows == 1:  # 1-D: the output row above
            return [(3, 0), (2, 1)] if scene.view == "scatter" else [(0, 3), (1, 2)]
        if scene.view == "scatter":  # the stamp is on the output grid, right of the input
            return [(0, 1), (3, 2)]
        return [(1, 0), (2, 3)]


def _greedy(words: list[str], size: int, room: float) -> list[str]:
    widths = [text_width(word, size) for word in words]
    space = text_width(" ", size)
    out, line, width = [], "", 0.0
    for word, w in zip(words, widths):
        if line and width + space + w > room:
            out.append(line)
            line, width = word, w
        else:
            line, width = (f"{line} {word}", width + space + w) if line else (word, w)
    return [*out, line]


def balanced_lines(text: str, size: int, room: float) -> list[str]:
    """``text`` wrapped at spaces into as few lines as fit ``room`` pixels, of widths as
    even as they can be (the narrowest room that keeps that many lines), so no line ends
    as a lone word when two or more lines are needed.

    >>> balanced_lines("a bb ccc dddd", 10, 1000)
    ['a bb ccc dddd']
    """
    words = text.split()
    if not words:
        return [""]
    best = _greedy(words, size, room)
    if len(best) < 2:
        return best
    lo, hi = max(text_width(w, size) for w in words), float(room)
    for _ in range(16):  # the narrowest width that wraps into as few lines
        mid = (lo + hi) / 2
        if len(_greedy(words, size, mid)) <= len(best):
            hi = mid
        else:
            lo = mid
    lines = _greedy(words, size, hi)
    if len(lines) == len(best) and len(lines[-1].split()) < 2 and len(lines[-2].split()) > 2:
        head = lines[-2].split()  # still a lone word: move one more down
        lines[-2:] = [" ".join(head[:-1]), f"{head[-1]} {lines[-1]}"]
        if text_width(lines[-1], size) > room:
            return _greedy(words, size, hi)
    return lines


def _wrap(lines: list[str], width: int, size: int, margin: int) -> list[str]:
    room, out = width - 2 * margin, []
    for text in lines:
        out += balanced_lines(text, size, room)
    return out


def _static_text(scene: Scene, look: Look, heading: str | None) -> list[str]:
    lines = [line for line in (heading, scene.title) if line]
    # (labels: the grids' names and shapes are drawn next to them, see notes.py)
    if look.numbers and scene.spec.is_transposed and scene.view == "gather":
        lines.append("The window applies the kernel rotated by 180 degrees.")
    return lines


def _legend_widths(tints: Tints, size: int, label: str = LEGEND_LABEL
                   ) -> tuple[list[float], float]:
    """Swatch widths, and the legend's whole width."""
    small = round(size * 0.8)
    gap = round(size * 0.5)
    widths = [max(round(size * 1.1), text_width(label, small) + size * 0.4)
              for label in tints.labels]
    return widths, text_width(label, size) + gap + sum(w + gap for w in widths)



MIN_TEXT_SIZE = 12
"""The smallest caption and label text, in pixels: below it the font's word spaces close up
("stampssofar")."""


def text_size_of(cell: int, numbers: bool) -> int:
    """The caption text size of a figure with grid cells of ``cell`` pixels (smaller when
    the cells hold numbers, whose equations are longer); every layout uses this one rule."""
    return max(MIN_TEXT_SIZE, round(cell * (0.34 if numbers else 0.45)))


def build_layout(scene: Scene, look: Look, timeline: Timeline, *,
                 heading: str | None = None) -> Layout:
    """The layout of ``scene`` drawn with ``look``; ``heading`` is a first static line.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> from deconv_anim.timeline import build_timeline
    >>> scene = build_scene(make_spec(op="conv", size=4, kernel=3))
    >>> layout = build_layout(scene, Look(THEMES["classic"]), build_timeline(scene,
    ...                       THEMES["classic"]))
    >>> layout.ex, layout.ey, layout.size
    ((30, -15), (-21, -20), (228, 244))
    """
    cell = look.cell
    (ax, ay), (bx, by) = scene.basis
    ex = (round(cell * ax), -round(cell * ay))
    ey = (round(cell * bx), -round(cell * by))
    offsets = {g.name: (round(cell * g.offset[0]), -round(cell * g.offset[1]))
               for g in (scene.input, scene.output)}
    rows = {g.name: g.rows for g in (scene.input, scene.output)}
    base = Layout(cell=cell, line_width=look.line_width or max(1.0, cell / 16),
                  margin=max(4, round(cell * 0.4)), ex=ex, ey=ey, origins=offsets, rows=rows,
                  size=(0, 0), figure_height=0, text_size=0, line_height=0, static_lines=(),
                  has_caption=False, legend=None, legend_label_x=0.0, legend_size=0)
    text_size = text_size_of(cell, look.numbers)
    notes = build_notes(scene, look, timeline, base, text_size)
    x0, y0, x1, y1 = _figure_box(scene, base)
    for bx0, by0, bx1, by1 in notes.boxes():  # the notes inside the figure box too
        x0, y0 = min(x0, math.floor(bx0)), min(y0, math.floor(by0))
        x1, y1 = max(x1, math.ceil(bx1)), max(y1, math.ceil(by1))
    margin = base.margin
    width = x1 - x0 + 2 * margin
    figure_height = int(y1 - y0 + 2 * margin)
    line_height = round(text_size * 1.35)
    caption = look.numbers or look.labels
    has_legend = scene.view == "scatter" or (look.overlap and scene.spec.is_transposed)
    legend_label = SCATTER_LEGEND_LABEL if scene.view == "scatter" else LEGEND_LABEL
    widths, legend_width = _legend_widths(timeline.tints, text_size, legend_label)
    if has_legend:  # wide enough for the legend, the figure centred
        width = max(width, math.ceil(legend_width) + 2 * margin)
    ox, oy = (width - (x1 - x0)) // 2 - x0, margin - y0
    static = _wrap(_static_text(scene, look, heading), width, text_size, margin)
    n_rows = len(static) + 2 * caption + has_legend
    height = figure_height + n_rows * line_height + (margin // 2 if n_rows else 0)
    layout = replace(base, origins={name: (ox + fx, oy + fy) for name, (fx, fy) in
                                    offsets.items()},
                     size=(int(width), int(height)), figure_height=figure_height,
                     text_size=text_size, line_height=line_height, static_lines=tuple(static),
                     has_caption=caption, notes=notes.moved(ox, oy))
    if not has_legend:
        return layout
    # a row of swatches under the caption: how many stamps landed on a cell of each tint
    gap = round(text_size * 0.5)
    swatch = round(text_size * 1.1)
    y = layout.legend_y
    x = (layout.size[0] - legend_width) / 2
    label_x = x + text_width(legend_label, text_size) / 2
    x += text_width(legend_label, text_size) + gap
    items = []
    for label, fill, w in zip(timeline.tints.labels, timeline.tints.fills, widths):
        items.append(LegendItem(label, fill, (x, y - swatch / 2, x + w, y + swatch / 2)))
        x += w + gap
    return replace(layout, legend=tuple(items), legend_label_x=label_x,
                   legend_size=round(text_size * 0.8), legend_label=legend_label)


def _figure_box(scene: Scene, layout: Layout) -> tuple[int, int, int, int]:
    """Pixel bounds (x0, y0, x1, y1) of both grids and, in the scatter view, of the stamps
    that reach past the output grid."""
    polys = []
    for grid in (scene.input, scene.output):
        r0, c0 = grid.first
        rows, cols = grid.kinds.shape
        polys.append(layout.cell_polygon(grid.name, r0, c0, rows, cols))
    if scene.view == "scatter":
        spec = scene.spec
        kh, kw = scene.window_extent
        last = ((spec.input_size[0] - 1) * spec.stride[0] - spec.padding[0],
                (spec.input_size[1] - 1) * spec.stride[1] - spec.padding[2])
        for r in (-spec.padding[0], last[0]):
            for c in (-spec.padding[2], last[1]):
                polys.append(layout.cell_polygon("output", r, c, kh, kw))
    pts = np.concatenate(polys)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


@dataclass(frozen=True)
class Panel:
    """One view drawn at (``x``, ``y``) in a figure: its scene, timeline and layout."""

    scene: Scene
    timeline: Timeline
    layout: Layout
    x: int = 0
    y: int = 0


@dataclass(frozen=True)
class Figure:
    """What a vector writer draws: one panel, or two side by side (``view: both``)."""

    panels: tuple[Panel, ...]
    size: tuple[int, int]
    look: Look
    title_lines: tuple[tuple[str, float], ...] = ()
    """A title shared by the panels (``view: both``): each line and its y, centred on the
    whole figure, at ``title_size``."""
    title_size: int = 0

    def to_dict(self) -> dict[str, object]:
        """Everything a player draws, as JSON-ready data: per panel its x offset, its grids
        (cell kinds, see :class:`~deconv_anim.scene.CellKind`), its layout, its timeline
        and each step's caption fitted into its lines."""
        theme = self.look.theme
        return {
            "size": list(self.size),
            "theme": {k: list(v) if isinstance(v, tuple) else v
                      for k, v in vars(theme).items()} | {"text": list(theme.text_color)},
            "look": {"numbers": self.look.numbers, "labels": self.look.labels,
                     "overlap": self.look.overlap, "transparent": self.look.transparent},
            "title": {"lines": [{"text": t, "y": y} for t, y in self.title_lines],
                      "size": self.title_size},
            "panels": [{
                "x": p.x, "y": p.y, "view": p.scene.view, "layout_kind": p.scene.layout,
                "title": p.scene.title,
                "window_extent": list(p.scene.window_extent),
                "dilation": list(p.scene.dilation),
                "grids": {g.name: {"rows": g.rows, "cols": g.cols, "first": list(g.first),
                                   "kinds": g.kinds.tolist()}
                          for g in (p.scene.input, p.scene.output)},
                "connectors": [list(pair) for pair in p.layout.connector_pairs(p.scene)],
                "layout": p.layout.to_dict(),
                "timeline": p.timeline.to_dict(),
                "captions": [None if s.caption is None else p.layout.fit_caption(s.caption)
                             for s in p.timeline.steps],
            } for p in self.panels],
        }


def side_by_side(left: Layout, right: Layout, gap: int
                 ) -> tuple[Layout, Layout, tuple[int, int], tuple[int, int]]:
    """Two layouts in one canvas, ``gap`` pixels apart, given the same height: (left,
    right, their x offsets, the canvas size)."""
    height = max(left.size[1], right.size[1])
    left = replace(left, size=(left.size[0], height))
    right = replace(right, size=(right.size[0], height))
    return left, right, (0, left.size[0] + gap), (left.size[0] + gap + right.size[0], height)


def stacked(top: Layout, bottom: Layout, gap: int
            ) -> tuple[Layout, Layout, tuple[tuple[int, int], tuple[int, int]], tuple[int, int]]:
    """Two layouts one above the other, ``gap`` pixels apart, each centred on the wider:
    (top, bottom, their (x, y) offsets, the canvas size) (``arrange: stacked``)."""
    width = max(top.size[0], bottom.size[0])
    offsets = (((width - top.size[0]) // 2, 0),
               ((width - bottom.size[0]) // 2, top.size[1] + gap))
    return top, bottom, offsets, (width, top.size[1] + gap + bottom.size[1])


class TextRows(Protocol):
    """What :func:`shared_title` reads of a layout (a :class:`Layout` or a channel one)."""

    @property
    def text_size(self) -> int: ...
    @property
    def margin(self) -> int: ...
    @property
    def line_height(self) -> int: ...


def shared_title(title: str | None, size: tuple[int, int], layout: TextRows
                 ) -> tuple[tuple[tuple[str, float], ...], tuple[int, int]]:
    """A title under two panels of total ``size``, centred on the whole width, in the
    text size of the panels' ``layout``: its (line, y) pairs and the new size."""
    if not title:
        return (), size
    width, height = size
    lines = balanced_lines(title, layout.text_size, width - 2 * layout.margin)
    top = height + layout.line_height // 2
    placed = tuple((line, float(top + n * layout.line_height)) for n, line in enumerate(lines))
    return placed, (width, height + len(lines) * layout.line_height + layout.margin // 2)


def grid_name(grid: Grid | str) -> str:
    return grid if isinstance(grid, str) else grid.name
