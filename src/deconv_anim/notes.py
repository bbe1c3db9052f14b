"""Notes on the figure: the kernel drawn as its own small grid, and the grids' labels.

Layout stage (no Pillow): :func:`build_notes` places, in pixels, what never moves and is
not a grid of the scene:

* with ``values: true`` (not a pool): the kernel as a small grid of its weights left of
  the input grid, labelled ``kernel 3x3`` (with the stride and dilation when they are not
  1); in the gather view of a transposed op, under it, the copy the window carries,
  rotated by 180 degrees (``rotated 180°``);
* with ``labels: true``: the name and shape of each grid next to it (``input 4x4,
  padding 1``, ``output 2x2``; ``kernel 3x3, stride 2`` with the input's when the kernel is
  not drawn): above each grid in the flat layout, right of its rightmost corner in the
  oblique one and for a 1-D figure.

Every painter draws the same :class:`Notes` (cells: a polygon, a fill and a number in the
colour that reads best on that fill; texts centred on a point).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .font import text_width
from .themes import RGB, mix

if TYPE_CHECKING:
    from .layout import Layout, Look
    from .scene import Grid, Scene
    from .timeline import Timeline

__all__ = ["NO_NOTES", "Notes", "NoteCell", "NoteText", "build_notes", "grid_labels"]

Point = tuple[float, float]


@dataclass(frozen=True)
class NoteCell:
    """One cell of a drawn kernel: its corners (top-left, top-right, bottom-right,
    bottom-left), fill, number and the number's colour."""

    polygon: tuple[Point, Point, Point, Point]
    fill: RGB
    text: str
    color: RGB


@dataclass(frozen=True)
class NoteText:
    """A line of text centred on ``at``."""

    at: Point
    text: str
    size: int
    color: RGB


@dataclass(frozen=True)
class Notes:
    cells: tuple[NoteCell, ...] = ()
    texts: tuple[NoteText, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cells or self.texts)

    def moved(self, dx: float, dy: float) -> Notes:
        def mv(p: Point) -> Point:
            return (p[0] + dx, p[1] + dy)

        return Notes(tuple(NoteCell((mv(c.polygon[0]), mv(c.polygon[1]), mv(c.polygon[2]),
                                     mv(c.polygon[3])), c.fill, c.text, c.color)
                           for c in self.cells),
                     tuple(NoteText(mv(t.at), t.text, t.size, t.color) for t in self.texts))

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """The box of each cell and text (x0, y0, x1, y1)."""
        out = []
        for c in self.cells:
            pts = np.array(c.polygon, float)
            out.append((*pts.min(axis=0), *pts.max(axis=0)))
        for t in self.texts:
            half = text_width(t.text, t.size) / 2
            out.append((t.at[0] - half, t.at[1] - 0.7 * t.size, t.at[0] + half,
                        t.at[1] + 0.7 * t.size))
        return out

    def to_dict(self) -> dict[str, object]:
        return {"cells": [{"polygon": [list(p) for p in c.polygon], "fill": list(c.fill),
                           "text": c.text, "color": list(c.color)} for c in self.cells],
                "texts": [{"at": list(t.at), "text": t.text, "size": t.size,
                           "color": list(t.color)} for t in self.texts]}


NO_NOTES = Notes()


def _pair(value: tuple[int, int]) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


def _padding(pad: tuple[int, ...]) -> str:
    """Padding (top, bottom, left, right) in words: ``1``, ``1x2`` (rows x columns) or the
    sides that have any (``2 left``, ``0 top``... never: ``1 bottom, 1 right``).

    >>> _padding((1, 1, 1, 1)), _padding((1, 1, 2, 2)), _padding((0, 0, 2, 0))
    ('1', '1x2', '2 left')
    """
    top, bottom, left, right = pad
    if len(set(pad)) == 1:
        return str(top)
    if top == bottom and left == right:
        return f"{top}x{left}"
    return ", ".join(f"{n} {side}" for side, n in
                     (("top", top), ("bottom", bottom), ("left", left), ("right", right)) if n)


def grid_labels(scene: Scene, kernel_drawn: bool) -> tuple[list[str], list[str], str]:
    """The label lines of the input grid and the output grid, and the kernel's label."""
    spec = scene.spec
    h, w = spec.input_size
    oh, ow = spec.output_size
    kh, kw = spec.kernel_size
    kernel = f"kernel {kh}x{kw}"
    if any(s != 1 for s in spec.stride):
        kernel += f", stride {_pair(spec.stride)}"
    if any(d != 1 for d in spec.dilation):
        kernel += f", dilation {_pair(spec.dilation)}"
    first = f"input {h}x{w}"
    if scene.view == "gather" and spec.is_transposed:
        g = spec.gather
        if any(s > 1 for s in g.spacing):
            first += f", spread {_pair(g.spacing)}"
        if any(g.padding):
            first += f", padding {_padding(g.padding)}"
    elif scene.view == "gather" and any(spec.padding):
        first += f", padding {_padding(spec.padding)}"
    inputs = [first] if kernel_drawn else [first, kernel]
    return inputs, [f"output {oh}x{ow}"], kernel


def _box(layout: Layout, grid: Grid) -> tuple[float, float, float, float]:
    r0, c0 = grid.first
    rows, cols = grid.kinds.shape
    pts = layout.cell_polygon(grid.name, r0, c0, rows, cols)
    return (*pts.min(axis=0), *pts.max(axis=0))


def build_notes(scene: Scene, look: Look, timeline: Timeline, layout: Layout,
                text_size: int) -> Notes:
    """The notes of ``scene`` in the pixels of ``layout`` (before the figure is centred)."""
    theme = look.theme
    spec = scene.spec
    kernel_drawn = look.numbers and timeline.kernel is not None
    if not (kernel_drawn or look.labels):
        return Notes()
    cell = layout.cell
    line = round(text_size * 1.35)
    gap = round(cell * 0.5)
    cells: list[NoteCell] = []
    texts: list[NoteText] = []
    color = theme.text_color
    inputs, outputs, kernel_label = grid_labels(scene, kernel_drawn)
    ix0, iy0, _, _ = _box(layout, scene.input)
    if kernel_drawn:
        fill = mix(theme.background, theme.overlay, theme.overlay_alpha)
        number = theme.text_on(fill)
        grids = [(kernel_label, np.asarray(spec.weights))]
        if timeline.kernel_rotated and timeline.kernel is not None:
            grids.append(("rotated 180\u00b0", np.asarray(timeline.kernel)))
        kh, kw = grids[0][1].shape
        width = max([kw * cell, *(text_width(label, text_size) for label, _ in grids)])
        right = ix0 - cell
        left = right - kw * cell
        centre_x = right - width / 2
        if width > kw * cell:  # the label is wider: the grid centred under it
            left = centre_x - kw * cell / 2
        top = iy0  # the first grid level with the input grid, its label as the input's
        for label, weights in grids:
            texts.append(NoteText((left + kw * cell / 2, top - gap / 2 - line / 2), label,
                                  text_size, color))
            for r in range(kh):
                for c in range(kw):
                    x, y = round(left) + c * cell, round(top) + r * cell
                    cells.append(NoteCell(((x, y), (x + cell, y), (x + cell, y + cell),
                                           (x, y + cell)), fill,
                                          timeline.number_rule.data(weights[r, c]), number))
            top += kh * cell + gap + line
    if look.labels:
        one_d = scene.input.rows == scene.output.rows == 1
        for grid, lines in ((scene.input, inputs), (scene.output, outputs)):
            x0, y0, x1, y1 = _box(layout, grid)
            if scene.layout == "oblique" or one_d:  # right of the grid's rightmost point
                r0, c0 = grid.first
                rows, cols = grid.kinds.shape
                px, py = layout.cell_polygon(grid.name, r0, c0, rows, cols)[2]
                if one_d:
                    px, py = x1, (y0 + y1) / 2
                py -= (len(lines) - 1) * line / 2
                for n, text in enumerate(lines):
                    half = text_width(text, text_size) / 2
                    texts.append(NoteText((px + gap + half, py + n * line), text, text_size,
                                          color))
            else:  # centred above the grid
                for n, text in enumerate(reversed(lines)):
                    texts.append(NoteText(((x0 + x1) / 2, y0 - gap / 2 - line / 2 - n * line),
                                          text, text_size, color))
    return Notes(tuple(cells), tuple(texts))
