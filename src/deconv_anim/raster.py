"""Raster: a scene's layout and timeline painted into palette-indexed frames.

Geometry comes from :mod:`deconv_anim.layout` and what each step shows from
:mod:`deconv_anim.timeline`; this module only paints. What never changes (the input grid,
the title) is painted once with 3x supersampling (:mod:`deconv_anim.paint`); per frame only
the moving parts are composited, inside the box they cover, and mapped to one fixed
palette (:mod:`deconv_anim.composite`). Each frame reports the box that changed since the
previous one, so an encoder writes only that.

Layers, bottom to top: the input layer (input grid, captions), sprites on the input grid
(the window in the gather view, the current input cell in the scatter view), the
connector lines, the output layer (output grid, redrawn where its cells change), sprites
on the output grid, and the caption line of the current step.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .composite import Sprite, runs, tighten
from .layout import DASH_LENGTH, DASHES, Figure, Layout, Look, Panel, build_layout
from .paint import Ops
from .palette import (
    BACKGROUND,
    TRANSPARENT,
    Blender,
    blender_for,
    build_palette,
    lookup,
    quantize,
)
from .scene import CellKind, Grid, Scene
from .themes import RGB, Theme
from .timeline import CellText, GridText, Timeline, build_timeline

__all__ = ["Raster", "RasterFrame", "Run", "step_frames", "Look", "TRANSPARENT", "BACKGROUND",
           "grid_ops", "note_ops"]

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


@dataclass(frozen=True)
class RasterFrame:
    """One frame: the full canvas as palette indices, and what changed.

    ``pixels`` is the renderer's working buffer: read it before asking for the next frame.
    ``box`` bounds the pixels that differ from the previous frame (the whole canvas for
    frame 0); ``changed`` is the mask of those pixels inside ``box`` (None: all of it).
    ``step`` is the trace step shown; ``phase`` is 0 for the step's own frame and the
    fraction of the way to the next step for in-between (tween) frames.
    """

    index: int
    pixels: np.ndarray
    box: Box
    changed: np.ndarray | None
    step: int = 0
    phase: float = 0.0


def step_frames(index: int, pixels: np.ndarray, box: Box, before: np.ndarray, step: int,
                tween: int, last: bool) -> Generator[RasterFrame, None, int]:
    """The frames of one step painted into ``pixels`` (``before``: the pixels of ``box``
    before it): its own frame (frame 0: the whole canvas), then ``tween`` in-between
    frames that hold it (none after the last step). Returns the next frame's index."""
    x0, y0, x1, y1 = box
    phases = [0.0] + ([k / (tween + 1) for k in range(1, tween + 1)]
                      if tween and not last else [])
    for phase in phases:
        if index == 0:
            h, w = pixels.shape[:2]
            yield RasterFrame(0, pixels, (0, 0, w, h), None, step, phase)
        elif phase:
            yield RasterFrame(index, pixels, (x0, y0, x0 + 1, y0 + 1),
                              np.zeros((1, 1), bool), step, phase)
        else:
            changed, mask = tighten(box, pixels[y0:y1, x0:x1] != before)
            yield RasterFrame(index, pixels, changed, mask, step, phase)
        index += 1
    return index


def grid_ops(layout: Layout, look: Look, grid: Grid, ops: Ops, *,
             fills: np.ndarray | None = None, texts: np.ndarray | None = None,
             only: np.ndarray | None = None,
             cell_texts: Sequence[CellText] = ()) -> None:
    """Draw operations of the cells of ``grid`` (only those where the boolean mask ``only``
    is set, if given): cropped cells, dashed cells, fills, borders, then numbers
    (``cell_texts`` on the input grid, ``texts`` with ``fills`` on the output grid)."""
    theme, lw = look.theme, layout.line_width
    name = grid.name
    r0, c0 = grid.first
    kinds = grid.kinds
    dashed_edges: set[tuple[str, int, int]] = set()
    solid_edges: set[tuple[str, int, int]] = set()
    filled = []
    chosen = np.ones(kinds.shape, bool) if only is None else only
    for i, j in zip(*np.nonzero(chosen & (kinds != CellKind.NONE))):
        kind = kinds[i, j]
        r, c = r0 + i, c0 + j
        edges = {("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1)}
        if kind in (CellKind.PADDING, CellKind.ZERO):
            dashed_edges |= edges
        elif kind in (CellKind.INPUT, CellKind.OUTPUT):
            solid_edges |= edges
            filled.append((r, c, kind))
        elif kind == CellKind.CROPPED:
            ops.polygon(layout.cell_polygon(name, r, c), theme.faded_input)
            for edge in sorted(edges):
                _dashes(layout, name, edge, ops, theme.faded_line, lw)
    for edge in sorted(dashed_edges - solid_edges):
        _dashes(layout, name, edge, ops, theme.line, lw)
    # fills, then lines: a row's run of cells of one fill is one polygon, a run of
    # edges along one grid line is one line (fewer, longer shapes; the same pixels
    # give or take the anti-aliasing where short pieces met)
    colored: list[tuple[int, int, object]] = []
    fill: tuple[int, ...]
    for r, c, kind in filled:
        if kind == CellKind.INPUT:
            fill = theme.input
        elif fills is None:
            fill = theme.output
        else:
            fill = tuple(int(v) for v in fills[r, c])
        colored.append((r, c, fill))
    for r, a, b, run_fill in runs(colored):
        ops.polygon(layout.cell_polygon(name, r, a, 1, b - a), run_fill)  # type: ignore[arg-type]
    across = [(r, c, None) for kind, r, c in solid_edges if kind == "h"]
    for r, a, b, _ in runs(across):
        ops.line([*layout.corner_xy(name, r, a), *layout.corner_xy(name, r, b)], theme.line, lw)
    down = [(c, r, None) for kind, r, c in solid_edges if kind == "v"]
    for c, a, b, _ in runs(down):
        ops.line([*layout.corner_xy(name, a, c), *layout.corner_xy(name, b, c)], theme.line, lw)
    if not look.numbers:
        return
    for text in cell_texts:
        if only is None or only[text.cell[0] - r0, text.cell[1] - c0]:
            cell_text(layout, look, name, text.cell, text.text, text.fill, ops, text.faded,
                      text.color)
    if texts is None:
        return
    for r, c, _kind in filled:
        if texts[r, c]:
            fill = tuple(int(v) for v in fills[r, c]) if fills is not None else theme.output
            cell_text(layout, look, name, (r, c), texts[r, c], fill, ops)


def cell_text(layout: Layout, look: Look, grid: str, cell: tuple[int, int], text: str,
              fill: Sequence[int], ops: Ops, faded: bool = False,
              color: RGB | None = None) -> None:
    """A number centred in a cell, in ``color`` (default: the colour that reads best on
    its ``fill``)."""
    ops.text(layout.cell_centre(grid, *cell), text, layout.number_size,
             color or look.theme.text_on(fill, faded))


def note_ops(layout: Layout, theme: Theme, ops: Ops) -> None:
    """The notes (:mod:`deconv_anim.notes`): the kernel's cells and numbers, the labels."""
    notes = layout.notes
    for c in notes.cells:
        ops.polygon(np.array(c.polygon, float), c.fill)
    for c in notes.cells:
        poly = np.array(c.polygon, float)
        ops.line(np.vstack([poly, poly[:1]]), theme.line, layout.line_width)
    for c in notes.cells:
        ops.text(np.array(c.polygon, float).mean(axis=0), c.text, layout.number_size, c.color)
    for t in notes.texts:
        ops.text(t.at, t.text, t.size, t.color)


def over_text_ops(layout: Layout, texts: Sequence[GridText]) -> Ops:
    """The numbers a step draws over everything (see ``TimelineStep.over_texts``)."""
    from .paint import text_sprite

    ops = Ops()
    for t in texts:
        size = layout.weight_size if t.weight else layout.number_size
        cx, cy = (layout.weight_at if t.weight else layout.cell_centre)(t.grid, *t.cell)
        # the pixel the static layer puts the text's corner on, made exact: a sprite's
        # pixels are shared wherever it lands, and a half-pixel tie would round either way
        th, tw = text_sprite(t.text, size, t.color, None)[1].shape
        left, top = round(cx - tw / 2), round(cy - th / 2)
        ops.text((left + tw / 2, top + th / 2), t.text, size, t.color)
    return ops


def _dashes(layout: Layout, grid: str, edge: tuple[str, int, int], ops: Ops, color: RGB,
            width: float) -> None:
    kind, r, c = edge
    ax, ay = layout.corner_xy(grid, r, c)
    bx, by = layout.corner_xy(grid, *((r, c + 1) if kind == "h" else (r + 1, c)))
    dx, dy = bx - ax, by - ay
    for start in DASHES:  # two dashes per edge, corners open, as TikZ's dashed
        end = start + DASH_LENGTH
        ops.line([ax + dx * start, ay + dy * start, ax + dx * end, ay + dy * end], color, width)


def sprite(layout: Layout, look: Look, blender: Blender, grid: str,
           cells: Sequence[tuple[int, int]], *, outline: float, color: RGB | None = None,
           alpha: float | None = None, weights: np.ndarray | None = None) -> Sprite:
    """Cells drawn once (shaded, outlined, with ``weights`` in them) to be laid anywhere."""
    ops = Ops()
    theme = look.theme
    color = color or theme.overlay
    alpha = theme.overlay_alpha if alpha is None else alpha
    for r, c in cells:
        if alpha > 0:
            ops.polygon(layout.cell_polygon(grid, r, c), color, alpha)
    for r, c in cells:
        poly = layout.cell_polygon(grid, r, c)
        ops.line(np.vstack([poly, poly[:1]]), theme.line if alpha > 0 else color,
                 layout.line_width * outline)
    if weights is not None:
        from .report import format_value

        for (r, c), w in zip(cells, weights.ravel()):
            ops.text(layout.weight_at(grid, r, c), format_value(w), layout.weight_size,
                     theme.background, theme.line)
    return Sprite(ops, layout.line_width * outline + 2, blender)


class Run:
    """Frames drawn forwards, a range at a time from any frame, or all of them by
    iteration: what :mod:`deconv_anim.gif_parallel` splits between two processes
    (:class:`deconv_anim.frames.FrameRun`, :class:`deconv_anim.channel_run.ChannelRun`,
    :class:`deconv_anim.panels.PanelRun`). A subclass sets ``count`` (frames) and gives
    :meth:`prepare`, ``_seek(start)`` (the state a run from frame 0 leaves after frame
    ``start - 1``) and ``_frame(index)`` (draws frame ``index``, the one after the last
    drawn)."""

    count: int
    at = 0  # the next frame drawn
    _all: Iterator[RasterFrame] | None = None

    def __iter__(self) -> Run:
        return self

    def __next__(self) -> RasterFrame:
        self._all = self._all or self.frames_between(0, self.count)
        return next(self._all)

    def prepare(self, peer: Any = None, role: int = 0) -> None:
        """The costly set-up, once; with ``peer`` (``send`` and ``receive_into`` whole
        arrays), shared with a process preparing the same run with the other ``role``."""

    def frames_between(self, start: int, stop: int) -> Iterator[RasterFrame]:
        """Frames ``start`` to ``stop - 1`` (one buffer: read each frame before the next),
        forwards: ``start`` is at or after the last frame drawn."""
        if start < self.at:
            raise ValueError(f"frames are drawn forwards: frame {start} after {self.at - 1}")
        self.prepare()
        stop = min(stop, self.count)
        if start >= stop:
            return
        if start > self.at:
            self._seek(start)
            self.at = start
        while self.at < stop:
            index = self.at
            self.at += 1
            yield self._frame(index)

    def _seek(self, start: int) -> None:
        raise NotImplementedError

    def _frame(self, index: int) -> RasterFrame:
        raise NotImplementedError


class Raster:
    """Draws one view of a :class:`~deconv_anim.scene.Scene` into palette-indexed frames.

    Parameters
    ----------
    scene : Scene
    look : Look
    palette : (numpy.ndarray, int, int), optional
        A palette made by another raster (to share one between side-by-side panels).
    heading : str, optional
        A first line of text under the figure.
    layout : Layout, optional
        The layout to draw with (default: :func:`~deconv_anim.layout.build_layout`).

    ``frames()`` may be called any number of times, also with iterators running at once:
    each run keeps its own canvas.
    """

    def __init__(self, scene: Scene, look: Look, *, palette: tuple | None = None,
                 heading: str | None = None, layout: Layout | None = None,
                 timeline: Timeline | None = None) -> None:
        self.scene, self.look, self.theme = scene, look, look.theme
        self.timeline = timeline or build_timeline(scene, look.theme, numbers=look.numbers,
                                                   labels=look.labels, overlap=look.overlap)
        self.layout = layout or build_layout(scene, look, self.timeline, heading=heading)
        tinted = scene.view == "scatter" or look.overlap
        self.palette, colors, exact = palette or build_palette(
            self.theme, self.timeline.tints.fills if tinted else [])
        self._palette_args = (self.palette, colors, exact)
        self.lut = lookup(self.palette.tobytes(), colors, exact)
        self.blender = blender_for(self.palette.tobytes(), colors, exact)

    @property
    def palette_args(self) -> tuple:
        return self._palette_args

    @property
    def size(self) -> tuple[int, int]:
        return self.layout.size

    line_width = property(lambda self: self.layout.line_width)
    figure_height = property(lambda self: self.layout.figure_height)

    @property
    def figure(self) -> Figure:
        """What a vector writer draws: this raster's scene, timeline and layout."""
        return Figure((Panel(self.scene, self.timeline, self.layout),), self.size, self.look)

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        """RGB floats (..., 3) to palette indices through the lookup table."""
        return quantize(rgb, self.lut)

    def cell_polygon(self, grid: Grid | str, r: float, c: float, h: float = 1, w: float = 1
                     ) -> np.ndarray:
        return self.layout.cell_polygon(_name(grid), r, c, h, w)

    def cell_center(self, grid: Grid | str, r: int, c: int) -> tuple[int, int]:
        """Pixel (x, y) of the centre of matrix cell (r, c)."""
        x, y = self.layout.cell_centre(_name(grid), r, c)
        return int(np.floor(x)), int(np.floor(y))

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Yield every frame (and ``tween`` in-between frames after each step but the last,
        sliding the window to the next position); see :class:`RasterFrame`."""
        from .frames import frames

        return frames(self, tween)


def _name(grid: Grid | str) -> str:
    return grid if isinstance(grid, str) else grid.name


def __getattr__(name: str) -> object:
    if name == "SideBySide":  # it lives in panels.py (which imports this module)
        from .panels import SideBySide

        return SideBySide
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
