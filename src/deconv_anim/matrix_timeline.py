"""What each step of ``view: matrix`` shows in the matrix panel, computed once (no Pillow).

The matrix view runs on the gather view's clock: step ``k`` computes output cell
``(i, j)``, which is entry ``n = i * W_out + j`` of the flattened output ``y``, row ``n``
of the matrix. A step lights that row, the entries of ``x`` it reads (the columns where
the row holds a kernel weight: :func:`deconv_anim.matrix.tap_pattern`) and ``y[n]``. The
vector ``y`` fills exactly as the output grid does: its entries take the fills and numbers
of the grids' :class:`~deconv_anim.timeline.Timeline` (its ``start`` and each step's
``changes``), flattened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matrix import op_matrix, tap_pattern
from .report import format_value
from .spec import Spec
from .themes import RGB
from .timeline import Timeline

__all__ = ["MatrixStep", "MatrixTimeline", "build_matrix_timeline", "Piece", "equation",
           "matrix_name", "caption_pieces"]

Pair = tuple[int, int]
Piece = tuple[str, bool]
"""A piece of a line of text: its text, and whether it is a superscript (the T of Cᵀ; the
font has no ᵀ, so the painters draw a small raised T)."""
Entry = tuple[int, RGB, "str | None"]


def matrix_name(transposed: bool) -> list[Piece]:
    """The matrix's name: C, or Cᵀ (a C and a raised T)."""
    return [("C", False), ("T", True)] if transposed else [("C", False)]


def equation(transposed: bool) -> list[Piece]:
    """``y = C x`` or ``y = Cᵀ x`` as pieces."""
    return [("y = ", False), *matrix_name(transposed), (" x", False)]


def caption_pieces(row: int, cell: tuple[int, int], transposed: bool) -> list[Piece]:
    """The caption of the step that lights ``row`` (output cell ``cell``).

    >>> "".join(t for t, _ in caption_pieces(5, (1, 1), True))
    'y[5] = row 5 of CT · x, output cell (1, 1)'
    """
    return [(f"y[{row}] = row {row} of ", False), *matrix_name(transposed),
            (f" · x, output cell ({cell[0]}, {cell[1]})", False)]


@dataclass(frozen=True)
class MatrixStep:
    """One step of the matrix panel."""

    index: int
    row: int
    """The row of the matrix lit: the flattened index of the output cell computed."""
    cell: Pair
    """The output cell computed (its grid coordinates)."""
    columns: tuple[int, ...]
    """The entries of ``x`` the row reads (flattened input cells), in order."""
    changes: tuple[Entry, ...]
    """Entries of ``y`` whose look changes at this step: (index, fill, number)."""
    caption: tuple[Piece, ...]


@dataclass(frozen=True)
class MatrixTimeline:
    """Every step, and what holds for all of them."""

    steps: tuple[MatrixStep, ...]
    pattern: np.ndarray
    """(outputs, inputs) bool: where the matrix holds a kernel weight."""
    matrix: np.ndarray
    """The matrix itself (:func:`deconv_anim.matrix.op_matrix`)."""
    texts: np.ndarray
    """(outputs, inputs) object: the number of each entry of the pattern, else None."""
    x_texts: tuple[str, ...]
    """The flattened input, as numbers."""
    start: tuple[Entry, ...]
    """Every entry of ``y`` before the first step."""
    transposed: bool

    def __len__(self) -> int:
        return len(self.steps)


def _flat(cell: Pair, width: int) -> int:
    return int(cell[0]) * width + int(cell[1])


def build_matrix_timeline(spec: Spec, grids: Timeline) -> MatrixTimeline:
    """The matrix panel's steps of ``spec`` on the clock of the grids' timeline ``grids``.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> from deconv_anim.timeline import build_timeline
    >>> spec = make_spec(op="conv", size=3, kernel=2, view="matrix")
    >>> t = build_matrix_timeline(spec, build_timeline(build_scene(spec), THEMES["classic"]))
    >>> [(s.row, s.columns) for s in t.steps][:2]
    [(0, (0, 1, 3, 4)), (1, (1, 2, 4, 5))]
    """
    pattern = tap_pattern(spec)
    matrix = op_matrix(spec)
    texts = np.full(pattern.shape, None, object)
    for r, c in zip(*np.nonzero(pattern)):
        texts[r, c] = format_value(matrix[r, c])
    out_w = spec.output_size[1]
    steps = []
    for step in grids.steps:
        row = _flat(step.cell, out_w)
        steps.append(MatrixStep(
            step.index, row, (int(step.cell[0]), int(step.cell[1])),
            tuple(int(c) for c in np.flatnonzero(pattern[row])),
            tuple((_flat(s.cell, out_w), s.fill, s.text) for s in step.changes),
            tuple(caption_pieces(row, step.cell, spec.is_transposed))))
    return MatrixTimeline(
        tuple(steps), pattern, matrix, texts,
        tuple(format_value(v) for v in spec.input.ravel()),
        tuple((_flat(s.cell, out_w), s.fill, s.text) for s in grids.start), spec.is_transposed)
