"""The stages of a chain as panels of one canvas (used by :mod:`deconv_anim.chain_raster`).

A panel wraps one stage's painter, a :class:`~deconv_anim.raster.Raster` (grids) or, for
a channel-mode stage, a :class:`~deconv_anim.channel_raster.ChannelRaster` (slab stacks),
and gives the chain what it needs to lay the stages on one canvas: where the stage's
first input cell and first output cell are (the anchors the chain lines up), where its
grids lie (its footprint), its frames, its finished picture (output complete, no window)
and each step's caption, all in the chain's one palette.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .channel_raster import ChannelRaster, ellipsis_ops
from .frames import Canvas
from .paint import Ops
from .palette import BACKGROUND, lookup, quantize
from .raster import Raster, RasterFrame
from .scene import Scene

__all__ = ["GridPanel", "SlabPanel", "polygons_mask"]

Point = tuple[float, float]


def polygons_mask(polygons: Sequence[np.ndarray], shape: tuple[int, int], pad: float
                  ) -> np.ndarray:
    """Pixels (``shape`` = (h, w)) within ``pad`` of any of the convex ``polygons``."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    points = np.stack([xs + 0.5, ys + 0.5], axis=-1).astype(np.float64)
    inside = np.zeros((h, w), bool)
    for poly in polygons:
        centre = poly.mean(axis=0)
        ok = np.ones((h, w), bool)
        for i in range(len(poly)):
            a, b = poly[i], poly[(i + 1) % len(poly)]
            normal = np.array([a[1] - b[1], b[0] - a[0]], float)
            length = np.hypot(*normal)
            if not length:
                continue
            normal /= length
            if np.dot(centre - a, normal) < 0:
                normal = -normal  # pointing inwards
            ok &= (points - a) @ normal >= -pad
        inside |= ok
    return inside


def _input_cell(scene: Scene) -> tuple[int, int]:
    """The drawn input-grid cell of the stage's input cell (0, 0)."""
    if scene.view == "scatter":
        return 0, 0
    g = scene.spec.gather
    return g.padding[0], g.padding[2]


class GridPanel:
    """A stage drawn by a :class:`Raster` (made with the chain's palette)."""

    def __init__(self, raster: Raster) -> None:
        self.raster, self.scene = raster, raster.scene
        layout = raster.layout
        self.figure_height, self.width = layout.figure_height, layout.size[0]
        self.anchor_in: Point = layout.corner_xy("input", *_input_cell(self.scene))
        self.anchor_out: Point = layout.corner_xy("output", 0, 0)
        polygons = [layout.cell_polygon(grid.name, *grid.first, *grid.kinds.shape)
                    for grid in (self.scene.input, self.scene.output)]
        self.footprint = polygons_mask(polygons, (self.figure_height, self.width),
                                       layout.line_width + 1.0)
        self.text_size, self.line_height = layout.text_size, layout.line_height
        self.margin = layout.margin
        self.captioned = layout.has_caption

    def frames(self) -> Iterator[RasterFrame]:
        return self.raster.frames()

    def caption(self, step: int) -> str | None:
        text = self.raster.timeline.steps[step].caption
        return None if text is None else self.raster.layout.fit_caption(text)

    def finished(self) -> np.ndarray:
        """The stage when it is done: its output complete, no window."""
        raster = self.raster
        canvas = Canvas(raster)
        canvas.paint_static()
        rows, cols = self.scene.spec.output_size
        fills = np.empty((rows, cols, 3), np.uint8)
        texts = np.full((rows, cols), None, dtype=object)
        for state in raster.timeline.start:
            fills[state.cell] = state.fill
            texts[state.cell] = state.text
        for step in raster.timeline.steps:
            for change in step.changes:
                fills[change.cell] = change.fill
                texts[change.cell] = change.text
        canvas.index_static(canvas.paint_output(fills, texts))
        return canvas.base_idx[:self.figure_height].copy()

    def legend(self) -> np.ndarray | None:
        """The stage's tint legend (scatter view, overlap map) as a strip of pixels, trimmed
        to what it draws; None without one."""
        layout = self.raster.layout
        if layout.legend is None:
            return None
        canvas = Canvas(self.raster)
        canvas.paint_static()
        canvas.index_static((0, 0, 1, 1))
        top = max(0, layout.legend_y - layout.line_height // 2 - 2)
        strip = canvas.input_idx[top:]
        drawn = np.flatnonzero((strip != BACKGROUND).any(axis=0))
        rows = np.flatnonzero((strip != BACKGROUND).any(axis=1))
        if not len(drawn):
            return None
        return strip[:rows[-1] + 1, drawn[0]:drawn[-1] + 1].copy()

    def preview(self) -> np.ndarray:
        """The stage before it starts: its output grid alone, empty (cells of the
        background colour); the background everywhere else."""
        raster, layout = self.raster, self.raster.layout
        canvas = Canvas(raster)
        canvas.paint_static()
        rows, cols = self.scene.spec.output_size
        fills = np.empty((rows, cols, 3), np.uint8)
        fills[:] = raster.theme.background
        texts = np.full((rows, cols), None, dtype=object)
        canvas.index_static(canvas.paint_output(fills, texts))
        grid = self.scene.output
        where = polygons_mask([layout.cell_polygon("output", *grid.first, *grid.kinds.shape)],
                              (self.figure_height, self.width), layout.line_width + 1.0)
        image = canvas.base_idx[:self.figure_height].copy()
        image[~where] = BACKGROUND
        return image

    def to_chain(self, pixels: np.ndarray) -> np.ndarray:
        return pixels  # drawn in the chain's palette already


class SlabPanel:
    """A channel-mode stage drawn by a :class:`ChannelRaster` (slab stacks); its pixels
    are mapped into the chain's palette (``chain_lut``)."""

    def __init__(self, raster: ChannelRaster, chain_lut: np.ndarray) -> None:
        self.raster, self.scene = raster, raster.scene
        layout = raster.layout
        self.figure_height, self.width = layout.figure_height, layout.size[0]
        first_in, first_out = layout.inputs[min(layout.inputs)], layout.outputs[
            min(layout.outputs)]
        self.anchor_in = layout.corner_xy(first_in.origin, first_in.rows,
                                          *_input_cell(self.scene))
        self.anchor_out = layout.corner_xy(first_out.origin, first_out.rows, 0, 0)
        polygons = [layout.cell_polygon(slab, *slab.first, *slab.kinds.shape)
                    for slab in (*layout.inputs.values(), *layout.outputs.values())]
        self.footprint = polygons_mask(polygons, (self.figure_height, self.width),
                                       layout.line_width + 1.0)
        self.text_size, self.line_height = layout.text_size, layout.line_height
        self.margin = layout.margin
        self.captioned = layout.has_caption
        own = raster.palette.astype(np.float32)  # each own entry -> the chain's nearest
        self.index_map = quantize(own, chain_lut)

    def frames(self) -> Iterator[RasterFrame]:
        return self.raster.frames()

    def caption(self, step: int) -> str | None:
        text = self.raster.timeline.steps[step].caption
        return None if text is None else " ".join(text.split())

    def finished(self) -> np.ndarray:
        """The stage when it is done: its inputs, the outputs complete (values on: with
        their numbers), the input labels; no kernels, window or output labels (the next
        stage labels the same stack as its input)."""
        raster, layout, theme = self.raster, self.raster.layout, self.raster.theme
        ops = Ops()
        numbers = raster.look.numbers
        for ch, slab in layout.inputs.items():
            texts = faded = None
            if numbers:
                items = raster.timeline.input_texts[ch]
                texts = {cell: text for cell, text, _ in items}
                faded = {cell for cell, _, f in items if f}
            raster._slab_ops(slab, ops, texts=texts, faded_texts=faded)
            ops.text(slab.label_at, slab.label, layout.label_size, theme.text_color)
        values = raster.timeline.output_texts
        for ch, slab in layout.outputs.items():
            texts = None
            if numbers and values is not None:
                texts = {(i, j): values[ch, i, j] for i, j in np.ndindex(values.shape[1:])}
            raster._slab_ops(slab, ops, texts=texts)
        ellipsis_ops(layout, ops, theme.line)
        w, h = self.width, self.figure_height
        rgb = np.empty((h, w, 3), np.uint8)
        ops.paint_into(rgb, None, (0, 0, w, h), theme.background)
        return self.to_chain(quantize(rgb.astype(np.float32), raster.lut))

    def preview(self) -> np.ndarray:
        """The stage before it starts: its output slabs alone, empty."""
        raster, layout, theme = self.raster, self.raster.layout, self.raster.theme
        ops = Ops()
        rows, cols = self.scene.spec.output_size
        fills = np.empty((rows, cols, 3), np.uint8)
        fills[:] = theme.background
        for slab in layout.outputs.values():
            raster._slab_ops(slab, ops, fills=fills)
        w, h = self.width, self.figure_height
        rgb = np.empty((h, w, 3), np.uint8)
        ops.paint_into(rgb, None, (0, 0, w, h), theme.background)
        return self.to_chain(quantize(rgb.astype(np.float32), raster.lut))

    def to_chain(self, pixels: np.ndarray) -> np.ndarray:
        return self.index_map[pixels]

    def legend(self) -> np.ndarray | None:
        return None  # channel figures have no tint legend


def chain_lookup(palette_args: tuple) -> np.ndarray:
    """The lookup table of the chain's palette (see :func:`deconv_anim.palette.lookup`)."""
    palette, colors, exact = palette_args
    return lookup(palette.tobytes(), colors, exact)
