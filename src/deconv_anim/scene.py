"""The scene: what a frame shows, as geometry in cell units. No Pillow here.

Coordinates: a grid's matrix cell ``(r, c)`` covers grid units ``x in [c, c + 1]`` and
``y in [R - r - 1, R - r]`` (x to the right, y up, ``R`` the grid's frame rows), so matrix
element [0, 0] is the grid's top-left. The projection maps grid units to page units (page
y up): in the ``oblique`` layout, the view of Dumoulin & Visin's figures
(TikZ ``xslant=-0.7, yslant=0.5``), ``x' = x - 0.7 y``, ``y' = 0.5 x + 0.65 y``, which puts
[0, 0] at each grid's leftmost corner; in the ``flat`` layout ``x' = x``, ``y' = y``.
Each grid adds its own page offset: the output grid sits above the input (oblique) or to
its right (flat). The scene only states the projection (``basis``) and the offsets; turning
them into pixels, once, is :mod:`deconv_anim.layout`'s job.

Views:

* ``gather`` -- the window slides over the padded (or spread and padded) input; the
  target is the output cell it computes.
* ``scatter`` -- the target is the input cell; the window is its stamp on the output grid,
  where overlapping stamps add up (each output cell counts the stamps it received).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .engine import Step, Trace, trace
from .spec import Pair, Spec

__all__ = ["Scene", "Grid", "Frame", "build_scene", "CellKind", "BASES"]

Point = tuple[float, float]


class CellKind:
    """Codes of the cells of a :class:`Grid` (a uint8 array)."""

    NONE = 0  # not drawn
    INPUT = 1  # a real input cell (filled)
    PADDING = 2  # zero padding (dashed)
    ZERO = 3  # a zero inserted between spread input cells (dashed)
    CROPPED = 4  # a spread input cell the equivalent convolution crops away (faded)
    OUTPUT = 5  # an output cell (filled)


BASES: dict[str, tuple[Point, Point]] = {
    # page-unit images of the grid's unit x and unit y vectors
    "oblique": ((1.0, 0.5), (-0.7, 0.65)),
    "flat": ((1.0, 0.0), (0.0, 1.0)),
}


@dataclass(frozen=True)
class Grid:
    """One drawn grid.

    ``kinds[i, j]`` is the kind of matrix cell ``(first[0] + i, first[1] + j)``; cells with
    negative indices (or indices past ``rows``/``cols``) lie outside the frame: they are the
    cropped cells of a transposed op whose equivalent padding is negative.
    """

    name: str
    rows: int
    cols: int
    kinds: np.ndarray
    first: Pair
    offset: Point
    """Page offset (page units) of the grid's origin, the bottom-left corner."""

    def corner(self, r: float, c: float) -> Point:
        """Grid units of the top-left corner of matrix cell (r, c)."""
        return c, self.rows - r


class Frame(NamedTuple):
    """The moving parts of one frame."""

    index: int  # type: ignore[assignment]  # (a field named like tuple.index, by design)
    window_grid: str
    window: Pair
    """Top-left matrix cell of the window on ``window_grid``."""
    target_grid: str
    target: Pair
    """The highlighted cell on ``target_grid``."""
    step: Step


@dataclass(frozen=True)
class Scene:
    """Everything a renderer needs: grids, the projection, and the frames."""

    spec: Spec
    view: str
    layout: str
    input: Grid
    output: Grid
    title: str | None
    trace: Trace

    @property
    def basis(self) -> tuple[Point, Point]:
        return BASES[self.layout]

    @property
    def window_size(self) -> Pair:
        """Kernel taps of the window (rows, columns); taps sit every ``dilation`` cells."""
        return self.spec.kernel_size

    @property
    def window_extent(self) -> Pair:
        """Cells spanned by the window (the dilated kernel)."""
        return self.spec.k_eff

    @property
    def dilation(self) -> Pair:
        return self.spec.dilation

    def grid(self, name: str) -> Grid:
        return self.input if name == "input" else self.output

    def window_cells(self, frame: Frame) -> list[Pair]:
        """Matrix cells the window shades in ``frame`` (its taps, every d-th cell)."""
        (kh, kw), (dh, dw) = self.window_size, self.dilation
        r0, c0 = frame.window
        return [(r0 + i * dh, c0 + j * dw) for i in range(kh) for j in range(kw)]

    def frames(self) -> Iterator[Frame]:
        """Yield the :class:`Frame` of each step, in order."""
        gather = self.view == "gather"
        for step in self.trace:
            if gather:
                yield Frame(step.index, "input", step.window, "output", step.cell, step)
            else:
                yield Frame(step.index, "output", step.window, "input", step.cell, step)

    def __len__(self) -> int:
        return len(self.trace)


def _gather_input_grid(spec: Spec) -> tuple[int, int, np.ndarray, Pair]:
    """Kinds of the grid the gather window slides over, with any cropped cells around it."""
    g = spec.gather
    rows, cols = g.grid_size
    pt, pl = g.padding[0], g.padding[2]
    # spread-input coordinates u of grid rows: u = row - pt
    r_first = min(0, pt)
    c_first = min(0, pl)
    r_last = max(rows, pt + g.spread_size[0])
    c_last = max(cols, pl + g.spread_size[1])
    rr = np.arange(r_first, r_last)[:, None]
    cc = np.arange(c_first, c_last)[None, :]
    u, v = rr - pt, cc - pl
    inside_spread = (u >= 0) & (u < g.spread_size[0]) & (v >= 0) & (v < g.spread_size[1])
    on_input = inside_spread & (u % g.spacing[0] == 0) & (v % g.spacing[1] == 0)
    in_frame = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
    kinds = np.full(in_frame.shape, CellKind.NONE, dtype=np.uint8)
    kinds[in_frame] = CellKind.PADDING
    kinds[in_frame & inside_spread] = CellKind.ZERO
    kinds[in_frame & on_input] = CellKind.INPUT
    kinds[~in_frame & on_input] = CellKind.CROPPED
    return rows, cols, kinds, (r_first, c_first)


ONE_D_LIFT = 2  # grid units from a 1-D input row up to its output row (one row of gap)


def _first_input_col(kinds: np.ndarray) -> int:
    """The column (in the drawn grid, from its first) of the first input cell."""
    cols = np.flatnonzero((kinds == CellKind.INPUT).any(axis=0))
    return int(cols[0]) if len(cols) else 0


def build_scene(spec: Spec, *, layout: str = "oblique", view: str | None = None,
                title: str | None = None) -> Scene:
    """Lay out the grids and frames of one view of ``spec``.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> scene = build_scene(make_spec(op="transposed", size=2, kernel=3, stride=2))
    >>> scene.input.rows, scene.output.rows, len(scene)
    (7, 5, 25)
    >>> frame = next(iter(scene.frames()))
    >>> frame.window, frame.target
    ((0, 0), (0, 0))
    """
    view = view or spec.view
    if view in ("both", "matrix"):  # the matrix view draws the gather view's grids
        view = "gather"
    if view == "gather":
        rows, cols, kinds, first = _gather_input_grid(spec)
    else:
        rows, cols = spec.input_size
        kinds, first = np.full((rows, cols), CellKind.INPUT, dtype=np.uint8), (0, 0)
    out_rows, out_cols = spec.output_size
    out_kinds = np.full((out_rows, out_cols), CellKind.OUTPUT, dtype=np.uint8)
    in_offset = (0.0, 0.0)
    if rows == 1 and out_rows == 1:
        # a 1-D op: the output row right over the input row, out[t] over the cell of x[t]
        # (the first input cell, after the left padding), one row of gap, so a causal
        # window visibly looks back
        (ax, ay), (bx, by) = BASES[layout]
        left = float(-first[1] + _first_input_col(kinds))
        out_offset = (left * ax + ONE_D_LIFT * bx, left * ay + ONE_D_LIFT * by)
    elif layout == "oblique":
        # Straight up on the page by (padded input size + 1) cells, as the reference does;
        # for a non-square grid, by the height of its back corner (the same for a square).
        lift = math.floor(0.5 * cols + 0.65 * rows - 0.15 * min(rows, cols) + 0.5) + 1
        out_offset = (0.0, float(lift))
    else:
        # to the right, centred vertically, whole cells apart
        shift = (rows - out_rows) // 2
        out_offset = (float(first[1] + kinds.shape[1] + 2), float(shift))
    return Scene(
        spec=spec, view=view, layout=layout,
        input=Grid("input", rows, cols, kinds, first, in_offset),
        output=Grid("output", out_rows, out_cols, out_kinds, (0, 0), out_offset),
        title=title, trace=trace(spec, view))
