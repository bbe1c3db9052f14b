"""``view: matrix``: the gather view's grids and the op's matrix, painted on one clock.

:class:`MatrixView` puts a :class:`~deconv_anim.raster.Raster` of the gather view (the
grids, the window, the captions) and a :class:`MatrixPanel` (``y = C x``: the output
vector, the matrix and the input vector, :mod:`deconv_anim.matrix_layout`) side by side in
one canvas, one palette (the raster's), and plays them on the grids' clock with
:func:`deconv_anim.panels.side_by_side_frames`. Only paints: positions come from the
layouts, what each step lights from :mod:`deconv_anim.matrix_timeline`.

The panel's colours are the theme's (the palette holds them exactly): a matrix entry that
holds a kernel weight is tinted with the kernel window's colour over the background; the
lit row's entries take the highlighted output cell's colour; the entries of ``x`` the row
reads are shaded as the window shades the input cells; ``y`` takes the output grid's
fills and numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from .composite import clip, tighten, union
from .layout import WINDOW_OUTLINE, Look, shared_title
from .matrix_layout import Block, MatrixLayout, build_matrix_layout, place_line, place_panels
from .matrix_timeline import MatrixStep, MatrixTimeline, build_matrix_timeline
from .paint import Box, Ops
from .palette import quantize
from .panels import side_by_side_frames
from .raster import Raster, RasterFrame, step_frames
from .scene import Scene
from .themes import RGB

__all__ = ["MatrixView", "MatrixPanel", "MatrixFigure", "ROW_OUTLINE"]

ROW_OUTLINE = 1.6  # the lit row's outline, relative to grid lines
THIN = 0.5  # the lines between a block's cells, relative to grid lines
SPLIT = 0.75  # the lines after every row of the flattened grid
MIN_LINED = 9  # cells smaller than this (pixels) have no lines between them but the splits


class MatrixPanel:
    """The matrix panel: its layout and timeline painted into palette-indexed frames of its
    own size, with the palette lookup table ``lut`` of the figure."""

    def __init__(self, layout: MatrixLayout, timeline: MatrixTimeline, look: Look,
                 lut: np.ndarray) -> None:
        self.layout, self.timeline, self.look, self.lut = layout, timeline, look, lut
        self.theme = look.theme

    @property
    def size(self) -> tuple[int, int]:
        return self.layout.size

    # -- shapes --------------------------------------------------------------------------

    def _lines(self, block: Block, ops: Ops) -> None:
        """A block's grid: thin lines between cells, a line after every row of the
        flattened grid, the border."""
        theme, lw = self.theme, self.layout.line_width
        x0, y0, x1, y1 = block.box
        thin, split = max(1.0, lw * THIN), max(1.0, lw * SPLIT)
        every = block.cell_h >= MIN_LINED  # smaller cells: only the splits (no mesh)
        for r in range(1, block.rows):
            y = y0 + r * block.cell_h
            major = r % block.split_rows == 0
            if major or every:
                ops.line([x0, y, x1, y], theme.line if major else theme.faded_line,
                         split if major else thin)
        for c in range(1, block.cols):
            x = x0 + c * block.cell_w
            major = c % block.split_cols == 0
            if major or every:
                ops.line([x, y0, x, y1], theme.line if major else theme.faded_line,
                         split if major else thin)
        ops.line([x0, y0, x1, y0, x1, y1, x0, y1, x0, y0], theme.line, lw)

    def _number(self, block: Block, r: int, c: int, text: str | None, fill: RGB,
                ops: Ops) -> None:
        layout = self.layout
        size = layout.entry_size if block.name == "matrix" else layout.number_size
        if size and text is not None:
            ops.text(block.centre(r, c), text, size, self.theme.text_on(fill))

    @property
    def tint(self) -> RGB:
        """A matrix entry holding a weight: the window's colour over the background."""
        return self.theme.shaded(self.theme.background)

    def static_ops(self) -> Ops:
        """Everything but the lit parts and ``y``: the matrix, ``x``, the text."""
        layout, timeline, theme, ops = self.layout, self.timeline, self.theme, Ops()
        m = layout.matrix
        tint = self.tint
        for r, c in zip(*np.nonzero(timeline.pattern)):
            ops.polygon(m.polygon(r, c), tint)
        self._lines(m, ops)
        for r, c in zip(*np.nonzero(timeline.pattern)):
            self._number(m, int(r), int(c), timeline.texts[r, c], tint, ops)
        x = layout.x
        ops.polygon(x.polygon(0, 0, x.rows, 1), theme.input)
        self._lines(x, ops)
        for n, text in enumerate(timeline.x_texts):
            self._number(x, n, 0, text, theme.input, ops)
        for centre, text, size in (*layout.heading, *layout.labels):
            ops.text(centre, text, size, theme.text_color)
        ops.text(layout.equals, "=", layout.equals_size, theme.text_color)
        return ops

    def y_ops(self, states: dict[int, tuple[RGB, str | None]], rows: list[int]) -> Ops:
        """The cells ``rows`` of ``y`` in their ``states`` (fill, number), with the lines
        around them."""
        ops, y = Ops(), self.layout.y
        for n in rows:
            ops.polygon(y.polygon(n, 0), states[n][0])
        self._lines(y, ops)
        for n in rows:
            self._number(y, n, 0, states[n][1], states[n][0], ops)
        return ops

    def lit_ops(self, step: MatrixStep, states: dict[int, tuple[RGB, str | None]]) -> Ops:
        """The row of ``step``, the entries of ``x`` it reads and ``y``'s entry, lit."""
        layout, timeline, theme, ops = self.layout, self.timeline, self.theme, Ops()
        lw = layout.line_width
        m, x, y = layout.matrix, layout.x, layout.y
        row_fill = theme.shaded(theme.output)
        for c in step.columns:
            ops.polygon(m.polygon(step.row, c), row_fill)
            poly = m.polygon(step.row, c)
            ops.line(np.vstack([poly, poly[:1]]), theme.line, max(1.0, lw * THIN))
        for c in step.columns:
            self._number(m, step.row, c, timeline.texts[step.row, c], row_fill, ops)
        poly = m.polygon(step.row, 0, 1, m.cols)
        ops.line(np.vstack([poly, poly[:1]]), theme.line, lw * ROW_OUTLINE)
        read = theme.shaded(theme.input)
        for c in step.columns:
            ops.polygon(x.polygon(c, 0), theme.overlay, theme.overlay_alpha)
        for c in step.columns:
            poly = x.polygon(c, 0)
            ops.line(np.vstack([poly, poly[:1]]), theme.line, lw * WINDOW_OUTLINE)
            self._number(x, c, 0, timeline.x_texts[c], read, ops)
        fill, text = states[step.row]
        poly = y.polygon(step.row, 0)
        ops.polygon(poly, theme.overlay, theme.overlay_alpha)
        ops.line(np.vstack([poly, poly[:1]]), theme.line, lw * ROW_OUTLINE)
        self._number(y, step.row, 0, text, theme.shaded(fill), ops)
        return ops

    def caption_ops(self, step: MatrixStep) -> Ops:
        ops, layout = Ops(), self.layout
        for centre, text, size in place_line(step.caption, (layout.caption_x,
                                                            layout.caption_y), layout.text_size):
            ops.text(centre, text, size, self.theme.text_color)
        return ops

    def frame_shapes(self) -> tuple[Ops, list[Ops]]:
        """The static shapes and each step's shapes (``y`` as it stands, the lit parts,
        the caption): what the SVG draws."""
        static = self.static_ops()
        states = {n: (fill, text) for n, fill, text in self.timeline.start}
        steps = []
        every = sorted(states)
        for step in self.timeline.steps:
            for n, fill, text in step.changes:
                states[n] = (fill, text)
            ops = self.y_ops(states, every)
            lit = self.lit_ops(step, states)
            ops.ops += lit.ops
            ops.texts += lit.texts + self.caption_ops(step).texts
            steps.append(ops)
        return static, steps

    # -- frames --------------------------------------------------------------------------

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Every frame of the panel (each step's frame held through its ``tween``
        in-between frames), in the panel's own canvas."""
        w, h = self.size
        full = (0, 0, w, h)
        pad = round(self.layout.line_width * 2 + 3)
        base = np.empty((h, w, 3), np.float32)
        self.static_ops().paint_into(base, None, full, self.theme.background)
        states = {n: (fill, text) for n, fill, text in self.timeline.start}
        if states:
            self._paint(base, self.y_ops(states, sorted(states)), pad)
        pixels = quantize(base, self.lut)
        previous: list[Box] = []
        steps = self.timeline.steps
        index = 0
        for step in steps:
            changed_rows = [n for n, _, _ in step.changes]
            for n, fill, text in step.changes:
                states[n] = (fill, text)
            fresh: list[Box] = []
            if changed_rows:
                fresh.append(self._paint(base, self.y_ops(states, changed_rows), pad))
            lit = self.lit_ops(step, states)
            caption = self.caption_ops(step)
            rects = [clip(lit.bounds(pad), full), clip(caption.bounds(2), full)]
            lit.texts += caption.texts
            box = union(*rects, *previous, *fresh)
            assert box is not None
            x0, y0, x1, y1 = box
            before = pixels[y0:y1, x0:x1].copy()
            for bx0, by0, bx1, by1 in [*previous, *fresh]:
                pixels[by0:by1, bx0:bx1] = quantize(base[by0:by1, bx0:bx1], self.lut)
            for rect in rects:
                rx0, ry0, rx1, ry1 = rect
                rgb, alpha = lit.paint(rect, None)
                region = base[ry0:ry1, rx0:rx1] * (1 - alpha[..., None]) + rgb
                pixels[ry0:ry1, rx0:rx1] = quantize(region, self.lut)
            index = yield from step_frames(index, pixels, box, before, step.index, tween,
                                           step.index == len(steps) - 1)
            previous = rects
        if steps:  # the held clean final frame: y finished, no lit row, no caption
            box = union(*previous)
            assert box is not None
            x0, y0, x1, y1 = box
            before = pixels[y0:y1, x0:x1].copy()
            for bx0, by0, bx1, by1 in previous:
                pixels[by0:by1, bx0:bx1] = quantize(base[by0:by1, bx0:bx1], self.lut)
            changed, mask = tighten(box, pixels[y0:y1, x0:x1] != before)
            yield RasterFrame(index, pixels, changed, mask, len(steps), 0.0)

    def final_ops(self) -> Ops:
        """The held clean final frame's shapes: ``y`` finished, nothing lit, no caption."""
        states = {n: (fill, text) for n, fill, text in self.timeline.start}
        for step in self.timeline.steps:
            for n, fill, text in step.changes:
                states[n] = (fill, text)
        return self.y_ops(states, sorted(states))

    def _paint(self, base: np.ndarray, ops: Ops, pad: int) -> Box:
        """Paint ``ops`` over ``base`` (RGB floats) in the box they cover; return it."""
        w, h = self.size
        box = clip(ops.bounds(pad), (0, 0, w, h))
        x0, y0, x1, y1 = box
        rgb, alpha = ops.paint(box, None)
        base[y0:y1, x0:x1] = base[y0:y1, x0:x1] * (1 - alpha[..., None]) + rgb
        return box


class MatrixView:
    """The grids (gather view) and the matrix panel in one canvas, on one clock.

    The same face as :class:`~deconv_anim.panels.SideBySide` for the writers: ``size``,
    ``palette``, ``look``, ``frames(tween)``, ``figure`` (its ``svg(timing)`` draws the
    SVG); the title is shared, under both panels.
    """

    def __init__(self, scene: Scene, look: Look) -> None:
        spec = scene.spec
        self.title = scene.title  # shared, under both panels
        self.left = Raster(replace(scene, title=None), look)
        timeline = build_matrix_timeline(spec, self.left.timeline)
        widest = [*timeline.x_texts, *(t for _, _, t in timeline.start if t),
                  *(t for s in timeline.steps for _, _, t in s.changes if t)]
        layout = build_matrix_layout(look, input_size=spec.input_size,
                                     output_size=spec.output_size,
                                     transposed=spec.is_transposed, widest=widest,
                                     entries=sorted({t for t in timeline.texts.ravel() if t}))
        self.right = MatrixPanel(layout, timeline, look, self.left.lut)
        self.look, self.palette = look, self.left.palette
        self.offsets, size = place_panels(self.left.size, layout.size, look.cell)
        self.title_lines, self.size = shared_title(self.title, size, self.left.layout)

    @property
    def scene(self) -> Scene:
        return self.left.scene

    @property
    def figure(self) -> MatrixFigure:
        return MatrixFigure(self)

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Yield the frames of both panels in one canvas (see :class:`RasterFrame`)."""
        return side_by_side_frames(self, tween)  # type: ignore[arg-type]


class MatrixFigure:
    """The matrix view for the SVG writer (``encode`` calls :meth:`svg`)."""

    def __init__(self, view: MatrixView) -> None:
        self.view = view
        self.size, self.look = view.size, view.look

    def svg(self, timing: object) -> str:
        from .matrix_svg import matrix_svg_document

        return matrix_svg_document(self.view, timing)
