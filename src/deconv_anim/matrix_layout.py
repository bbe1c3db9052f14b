"""The layout of ``view: matrix``: the op's matrix and its two vectors in pixels, computed once.

The matrix view draws the gather view's grids (a :class:`~deconv_anim.raster.Raster`,
laid out by :mod:`deconv_anim.layout`) and, to their right, a panel that writes the same op
as a product ``y = C x`` (``y = Cᵀ x`` for a transposed op): the output vector ``y`` (one
cell per output cell, flattened row-major, as a column), an equals sign, the matrix (one
row per output cell, one column per input cell) and the input vector ``x`` (a column).
The rows of ``y`` line up with the rows of the matrix; the blocks are centred on one
another vertically. Thin lines in the line colour split the matrix and the vectors every
``W`` cells (one grid row of the flattened grid), so the blocks of the matrix show.

Sizes: a matrix cell is ``MATRIX_CELL`` of the grid cell, shrunk so that the matrix's
longer side spans at most ``MATRIX_SPAN`` grid cells (never below ``MIN_MATRIX_CELL``
pixels). Numbers are written in the vectors at ``NUMBER_FRACTION`` of the matrix cell when
that is at least ``MIN_NUMBER`` pixels, a vector's cells widening to hold their widest
number (and never narrower than ``MIN_VECTOR`` of a grid cell); the matrix's numbers
shrink from that size until the widest fits its cells, and are left out below
``MIN_NUMBER``. The equation ``y = C x`` and the matrix's name and shape go over the
matrix; the caption of each step under it, below every block it would reach.

Geometry only (no Pillow): :mod:`deconv_anim.matrix_timeline` says what each step lights,
:mod:`deconv_anim.matrix_raster` paints both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .font import text_width
from .layout import Look, text_size_of
from .matrix_timeline import Piece, caption_pieces, equation, matrix_name

__all__ = ["MATRIX_CELL", "MATRIX_SPAN", "Block", "MatrixLayout", "build_matrix_layout",
           "place_line", "place_panels"]

MATRIX_CELL = 0.7  # a matrix cell, relative to the grid cell (values on)
MATRIX_CELL_PLAIN = 0.5  # the same without numbers
MATRIX_SPAN = 12  # the matrix's longer side spans at most this many grid cells
MIN_MATRIX_CELL = 4  # pixels
NUMBER_FRACTION = 0.45  # numbers in matrix and vector cells, relative to the matrix cell
MIN_VECTOR = 0.4  # a vector is at least this wide, relative to the grid cell
MIN_NUMBER = 9  # pixels: smaller numbers are left out (the cells are tinted only)
SUPERSCRIPT = 0.62  # the T of Cᵀ, relative to its text size
Point = tuple[float, float]


@dataclass(frozen=True)
class Block:
    """A rectangle of cells (the matrix, or a vector drawn as a column), in pixels (y down).

    Cell ``(r, c)`` covers ``x in [x + c * cell_w, x + (c + 1) * cell_w]``,
    ``y in [y + r * cell_h, y + (r + 1) * cell_h]``.
    """

    name: str  # "matrix", "x" or "y"
    x: int
    y: int
    rows: int
    cols: int
    cell_w: int
    cell_h: int
    split_rows: int
    """A separator after every ``split_rows`` rows (one row of the flattened grid)."""
    split_cols: int

    def polygon(self, r: float, c: float, h: float = 1, w: float = 1) -> np.ndarray:
        """Corners (4 x 2) of the block of ``h x w`` cells from (r, c): top-left, top-right,
        bottom-right, bottom-left."""
        x0, y0 = self.x + c * self.cell_w, self.y + r * self.cell_h
        x1, y1 = x0 + w * self.cell_w, y0 + h * self.cell_h
        return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], float)

    def centre(self, r: float, c: float) -> np.ndarray:
        """Centre of cell (r, c): where its number goes (and what pixel tests sample)."""
        return np.array([self.x + (c + 0.5) * self.cell_w, self.y + (r + 0.5) * self.cell_h])

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.x + self.cols * self.cell_w,
                self.y + self.rows * self.cell_h)


@dataclass(frozen=True)
class MatrixLayout:
    """Where everything of the matrix panel goes, in pixels (y down), the panel's own."""

    size: tuple[int, int]
    matrix: Block
    x: Block
    y: Block
    transposed: bool
    line_width: float
    margin: int
    text_size: int
    line_height: int
    number_size: int
    """Numbers in the vectors (0: none drawn)."""
    entry_size: int
    """Numbers in the matrix (0: none drawn)."""
    heading: tuple[tuple[Point, str, int], ...]
    """The equation ``y = C x`` (``Cᵀ``) over the blocks: (centre, text, size) pieces."""
    labels: tuple[tuple[Point, str, int], ...]
    """The name and shape of each block, over it."""
    equals: Point
    """Centre of the equals sign between ``y`` and the matrix."""
    equals_size: int
    caption_y: float
    """Centre height of the caption line (the row lit, in words)."""
    caption_x: float
    """Its centre across."""

    def place_line(self, pieces: Sequence[Piece], centre: Point, size: int
                   ) -> tuple[tuple[Point, str, int], ...]:
        """(centre, text, size) of the texts of a line centred on ``centre``; a superscript
        piece is smaller and raised (the font has no ᵀ)."""
        return place_line(pieces, centre, size)

    @property
    def caption_box(self) -> tuple[int, int, int, int]:
        top = math.floor(self.caption_y - self.line_height / 2)
        return (0, top, self.size[0], math.ceil(top + self.line_height))


def place_line(pieces: Sequence[Piece], centre: Point, size: int
               ) -> tuple[tuple[Point, str, int], ...]:
    """See :meth:`MatrixLayout.place_line`: the line as one text (its baseline shared),
    with spaces where a superscript goes, then each superscript, smaller and raised.

    >>> [(round(x), text) for (x, _), text, _ in place_line([("C", False), ("T", True)],
    ...                                                     (100, 10), 20)]
    [(100, 'C  '), (108, 'T')]
    """
    small = max(6, round(size * SUPERSCRIPT))
    space = max(text_width(" ", size), 1.0)
    main, sups = "", []
    for text, sup in pieces:
        if sup:
            sups.append((text_width(main, size), text))
            main += " " * max(1, math.ceil(text_width(text, small) / space))
        else:
            main += text
    left = centre[0] - text_width(main, size) / 2
    out = [(centre, main, size)]
    for before, text in sups:
        out.append(((left + before + text_width(text, small) / 2 + 1,
                     centre[1] - size * 0.3), text, small))
    return tuple(out)


def _pieces_width(pieces: Sequence[Piece], size: int) -> float:
    return text_width(place_line(pieces, (0, 0), size)[0][1], size)


def matrix_cell(look: Look, rows: int, cols: int) -> int:
    """The pixels of one matrix cell (see the module docstring).

    >>> from deconv_anim.themes import THEMES
    >>> matrix_cell(Look(THEMES["classic"], cell=44, numbers=True), 4, 16)
    31
    >>> matrix_cell(Look(THEMES["classic"], cell=44, numbers=True), 64, 64)
    8
    """
    share = MATRIX_CELL if look.numbers else MATRIX_CELL_PLAIN
    span = math.floor(look.cell * MATRIX_SPAN / max(rows, cols, 1))
    return max(MIN_MATRIX_CELL, min(round(look.cell * share), span))


def build_matrix_layout(look: Look, *, input_size: tuple[int, int],
                        output_size: tuple[int, int], transposed: bool,
                        widest: Sequence[str] = (), entries: Sequence[str] = ()
                        ) -> MatrixLayout:
    """The matrix panel of an op from ``input_size`` to ``output_size`` cells.

    ``widest`` are the numbers the vectors show (their cells widen to the widest);
    ``entries`` those of the matrix (their size shrinks until the widest fits a cell).

    Examples
    --------
    >>> from deconv_anim.themes import THEMES
    >>> look = Look(THEMES["classic"], cell=44, numbers=True)
    >>> layout = build_matrix_layout(look, input_size=(4, 4), output_size=(2, 2),
    ...                              transposed=False)
    >>> layout.matrix.rows, layout.matrix.cols, layout.x.rows, layout.y.rows
    (4, 16, 16, 4)
    """
    n_out = output_size[0] * output_size[1]
    n_in = input_size[0] * input_size[1]
    cell = look.cell
    mc = matrix_cell(look, n_out, n_in)
    line_width = look.line_width or max(1.0, cell / 16)
    margin = max(4, round(cell * 0.4))
    text_size = text_size_of(cell, look.numbers)
    line_height = round(text_size * 1.35)
    number_size = round(mc * NUMBER_FRACTION) if look.numbers else 0
    if number_size < MIN_NUMBER:
        number_size = 0
    entry_size = number_size  # the matrix's numbers: as large as fits its cells
    while entry_size >= MIN_NUMBER and any(text_width(t, entry_size) > mc * 0.78 for t in entries):
        entry_size -= 1
    if entry_size < MIN_NUMBER:
        entry_size = 0
    vector_w = max(mc, round(cell * MIN_VECTOR))
    if number_size and widest:
        vector_w = max(mc, math.ceil(max(text_width(t, number_size) for t in widest)
                                     + number_size * 0.8))
    gap = max(6, round(cell * 0.35))
    equals_size = max(text_size, round(mc * 0.9))
    equals_w = math.ceil(text_width("=", equals_size))
    # top to bottom: the equation and the matrix's label over it, the blocks (centred on
    # one another), the caption under the blocks it would reach
    top = margin + 2 * line_height + round(mc * 0.25)
    room = max(n_out, n_in) * mc
    y_left = margin
    eq_x = y_left + vector_w + gap
    m_left = eq_x + equals_w + gap
    x_left = m_left + n_in * mc + gap + round(mc * 0.4)
    right = x_left + vector_w + margin
    caption_w = _pieces_width(caption_pieces(n_out - 1, (output_size[0] - 1,
                                                         output_size[1] - 1), transposed),
                              text_size)
    width = math.ceil(max(right, 2 * margin + caption_w,
                          2 * margin + _pieces_width(equation(transposed), text_size)))
    shift = (width - right) // 2  # the blocks centred in a wider panel
    ow, iw = output_size[1], input_size[1]

    def block(name: str, x: int, rows: int, cols: int, w: int, split: tuple[int, int]
              ) -> Block:
        return Block(name, x + shift, top + (room - rows * mc) // 2, rows, cols, w, mc, *split)

    matrix = block("matrix", m_left, n_out, n_in, mc, (ow, iw))
    yblock = block("y", y_left, n_out, 1, vector_w, (ow, 1))
    xblock = block("x", x_left, n_in, 1, vector_w, (iw, 1))
    labels: list[tuple[Point, str, int]] = []
    name = matrix_name(transposed)
    for pieces, b in (([("y", False)], yblock), ([("x", False)], xblock),
                      ([*name, (f" ({n_out}x{n_in})", False)], matrix)):
        labels += place_line(pieces, (b.x + b.cols * b.cell_w / 2, b.y - line_height * 0.6),
                             text_size)
    centre = matrix.x + n_in * mc / 2
    heading = place_line(equation(transposed), (centre, matrix.y - line_height * 1.6),
                         text_size)
    # the caption, centred under the matrix, below every block it would reach across
    cx = min(max(centre, margin + caption_w / 2), width - margin - caption_w / 2)
    under = [b.box[3] for b in (matrix, yblock, xblock)
             if b.box[0] < cx + caption_w / 2 and b.box[2] > cx - caption_w / 2]
    caption_y = max(under) + line_height * 0.8
    bottom = max(caption_y + line_height / 2, *(b.box[3] for b in (matrix, yblock, xblock)))
    equals = (eq_x + shift + equals_w / 2, yblock.y + n_out * mc / 2)
    return MatrixLayout((width, math.ceil(bottom + margin)), matrix, xblock, yblock, transposed,
                        line_width, margin, text_size, line_height, number_size, entry_size,
                        heading, tuple(labels), equals, equals_size, caption_y, cx)


def place_panels(grids: tuple[int, int], panel: tuple[int, int], gap: int
                 ) -> tuple[tuple[tuple[int, int], tuple[int, int]], tuple[int, int]]:
    """The grids' panel and the matrix panel side by side, ``gap`` pixels apart, each
    centred vertically on the taller: their (x, y) offsets and the canvas size.

    >>> place_panels((200, 300), (100, 200), 10)
    (((0, 0), (210, 50)), (310, 300))
    """
    height = max(grids[1], panel[1])
    return (((0, (height - grids[1]) // 2), (grids[0] + gap, (height - panel[1]) // 2)),
            (grids[0] + gap + panel[0], height))
