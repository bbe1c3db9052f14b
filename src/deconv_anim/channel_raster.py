"""Channel-mode frames: a :class:`~deconv_anim.channel_layout.ChannelLayout` and a
:class:`~deconv_anim.channel_timeline.ChannelTimeline` painted into palette-indexed frames.

Only paints: every position comes from the layout, every number and caption from the
timeline. What never changes (the input slabs, their labels and numbers, the ellipses, the
static text) is painted once; each frame paints its moving parts over it (output slabs as
computed so far, the kernels of the current output channel, the window on every input slab
of the group, the lit output cell, connector lines and the caption) and reports the box
that changed, as :class:`~deconv_anim.raster.Raster` does, so the same writers take it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from .channel_layout import ChannelLayout, Slab, build_channel_layout
from .channel_scatter import ScatterStep
from .channel_timeline import ChannelStep, ChannelTimeline, build_channel_timeline
from .layout import CONNECTOR_WIDTH, DASH_LENGTH, DASHES, WINDOW_OUTLINE, Look
from .paint import Ops
from .palette import blender_for, build_palette, lookup, quantize
from .raster import RasterFrame
from .report import format_value
from .scene import CellKind, Scene
from .themes import PENDING_OUTPUT, RGB, mix

__all__ = ["ChannelRaster", "ChannelFigure"]

Box = tuple[int, int, int, int]

NUMBER_SIZE = 0.38  # as the single-channel numbers
KERNEL_NUMBER = 0.3  # the numbers in the kernel cells (a flat figure with values)
# the connector lines join these window corners to these target corners (polygon order:
# top-left, top-right, bottom-right, bottom-left): the window's right edge to the cell's left
CONNECTOR_PAIRS = ((1, 0), (2, 3))



def ellipsis_ops(layout: ChannelLayout, ops: Ops, color: RGB) -> None:
    """The three dots standing for the channels a stack of more than 8 leaves out."""
    for x, y in layout.ellipses:
        r = max(1.5, layout.cell / 14)
        for k in (-1, 0, 1):
            cy = y + k * 3 * r
            ops.polygon(np.array([(x - r, cy - r), (x + r, cy - r), (x + r, cy + r),
                                  (x - r, cy + r)]), color)

class ChannelRaster:
    """Draws a channel-mode scene (gather view) into palette-indexed frames.

    The same face as :class:`~deconv_anim.raster.Raster` for the writers: ``size``,
    ``palette``, ``look``, ``frames(tween)``; ``figure`` (the SVG's input) refuses.
    """

    def __init__(self, scene: Scene, look: Look, *, heading: str | None = None) -> None:
        self.scene, self.look, self.theme = scene, look, look.theme
        self.timeline = self._timeline(scene, look)
        self.layout: ChannelLayout = build_channel_layout(scene, look, heading=heading)
        # the group hues and their output shades exactly (the palette holds 63 colours;
        # kernel fills and pending outputs go to their nearest)
        fills = [f for trio in self.layout.fills for f in trio[:2]]
        self.palette, colors, exact = build_palette(self.theme, fills)
        self.lut = lookup(self.palette.tobytes(), colors, exact)
        self.blender = blender_for(self.palette.tobytes(), colors, exact)

    def _timeline(self, scene: Scene, look: Look) -> ChannelTimeline:
        return build_channel_timeline(scene, numbers=look.numbers, labels=look.labels)

    @property
    def size(self) -> tuple[int, int]:
        return self.layout.size

    @property
    def figure(self) -> ChannelFigure:
        """What the SVG writer draws: this raster's shapes, as vectors."""
        return ChannelFigure(self)

    @property
    def static_outputs(self) -> bool:
        """Whether the output slabs never change (painted once): no numbers to fill in."""
        return not self.look.numbers

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        """RGB floats (..., 3) to palette indices (as :meth:`Raster.quantize`)."""
        return quantize(rgb, self.lut)

    def each_step(self) -> Iterator[tuple[ChannelStep, Ops]]:
        """Each step, in order, with its moving shapes (caption not included)."""
        for step in self.timeline.steps:
            yield step, self.step_ops(step, outputs=not self.static_outputs)

    def frame_shapes(self) -> tuple[Ops, list[Ops]]:
        """The static shapes and each step's shapes (caption included), as painted."""
        static = self.static_ops()
        if self.static_outputs:
            for slab in self.layout.outputs.values():
                self._slab_ops(slab, static)
        steps = []
        for step, ops in self.each_step():
            ops.texts += self.caption_ops(step).texts
            steps.append(ops)
        return static, steps

    def final_ops(self) -> Ops:
        """The held clean final frame over the static shapes: every output computed (with
        numbers; without, the static picture already shows them); no kernel, window,
        highlight, line or caption."""
        ops = Ops()
        if not self.look.numbers:
            return ops
        oh, ow = self.scene.spec.output_size
        values = self.timeline.output_texts
        assert values is not None
        for ch, slab in self.layout.outputs.items():
            fills = np.empty((oh, ow, 3), np.uint8)
            fills[:] = slab.fill
            texts = {(i, j): values[ch, i, j] for i in range(oh) for j in range(ow)}
            self._slab_ops(slab, ops, fills=fills, texts=texts)
        return ops

    # -- shapes --------------------------------------------------------------------------

    def _slab_ops(self, slab: Slab, ops: Ops, fills: np.ndarray | None = None,
                  texts: dict | None = None, faded_texts: set | None = None,
                  only: np.ndarray | None = None) -> None:
        """The cells of ``slab``: cropped, dashed, filled (``fills[r, c]`` or its fill),
        borders, then numbers (``texts``: cell -> text); with ``only`` (a bool mask over
        ``slab.kinds``) those cells alone."""
        layout, theme, lw = self.layout, self.theme, self.layout.line_width
        r0, c0 = slab.first
        dashed: set[tuple[str, int, int]] = set()
        solid: set[tuple[str, int, int]] = set()
        fill_of: dict[tuple[int, int], RGB] = {}
        drawn = slab.kinds != CellKind.NONE
        if only is not None:
            drawn &= only
        for i, j in zip(*np.nonzero(drawn)):
            kind, r, c = slab.kinds[i, j], int(r0 + i), int(c0 + j)
            edges = {("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1)}
            if kind in (CellKind.PADDING, CellKind.ZERO):
                dashed |= edges
            elif kind == CellKind.CROPPED:
                ops.polygon(layout.cell_polygon(slab, r, c), theme.faded_input)
                for edge in sorted(edges):
                    self._dashes(slab, edge, ops, theme.faded_line)
            else:
                solid |= edges
                fill = slab.fill if fills is None else tuple(int(v) for v in fills[r, c])
                fill_of[(r, c)] = fill  # type: ignore[assignment]
                ops.polygon(layout.cell_polygon(slab, r, c), fill)  # type: ignore[arg-type]
        for edge in sorted(dashed - solid):
            self._dashes(slab, edge, ops, theme.line)
        for kind, r, c in sorted(solid):
            a = layout.corner_xy(slab.origin, slab.rows, r, c)
            b = layout.corner_xy(slab.origin, slab.rows, *((r, c + 1) if kind == "h"
                                                           else (r + 1, c)))
            ops.line([*a, *b], theme.line, lw)
        self._texts(slab, ops, texts, faded_texts, fill_of, only)

    def _texts(self, slab: Slab, ops: Ops, texts: dict | None, faded_texts: set | None,
               fill_of: dict, only: np.ndarray | None = None) -> None:
        """The numbers of ``slab`` (``texts``: cell -> text), each in the colour that reads
        on its cell's fill (``fill_of``: cell -> fill; else the background)."""
        layout, theme = self.layout, self.theme
        r0, c0 = slab.first
        size = round(layout.cell * (KERNEL_NUMBER if slab.kind == "kernel" else NUMBER_SIZE))
        for cell, text in (texts or {}).items():
            if only is not None and not only[cell[0] - r0, cell[1] - c0]:
                continue
            fill = fill_of.get(cell, theme.background)
            faded = faded_texts is not None and cell in faded_texts
            ops.text(layout.cell_centre(slab, *cell), text, size, theme.text_on(fill, faded))

    def slab_texts(self, slab: Slab, ops: Ops, texts: dict | None,
                   faded_texts: set | None) -> None:
        """The numbers :meth:`_slab_ops` draws on ``slab`` filled with its own fill."""
        r0, c0 = slab.first
        solid = (slab.kinds != CellKind.NONE) & (slab.kinds != CellKind.PADDING) & (
            slab.kinds != CellKind.ZERO) & (slab.kinds != CellKind.CROPPED)
        fill_of = {(int(r0 + i), int(c0 + j)): slab.fill for i, j in zip(*np.nonzero(solid))}
        self._texts(slab, ops, texts, faded_texts, fill_of)

    def _dashes(self, slab: Slab, edge: tuple[str, int, int], ops: Ops, color: RGB) -> None:
        kind, r, c = edge
        layout = self.layout
        ax, ay = layout.corner_xy(slab.origin, slab.rows, r, c)
        bx, by = layout.corner_xy(slab.origin, slab.rows,
                                  *((r, c + 1) if kind == "h" else (r + 1, c)))
        dx, dy = bx - ax, by - ay
        for start in DASHES:
            end = start + DASH_LENGTH
            ops.line([ax + dx * start, ay + dy * start, ax + dx * end, ay + dy * end], color,
                     layout.line_width)

    def shade_ops(self, slab: Slab, cells: list[tuple[int, int]], ops: Ops,
                  outline: float) -> float:
        """:meth:`_shade` into ``ops``; returns how far the shapes reach past the cells."""
        self._shade(slab, cells, ops, outline)
        return self.layout.line_width * outline + 2

    def plane_ops(self, slab: Slab, shape: tuple[int, int], ops: Ops, overlay: bool) -> float:
        """A whole plane of ``slab`` outlined (``overlay``: shaded too, as the output plane
        of a ``step_by: channel`` step); returns how far the shapes reach past it."""
        layout, theme = self.layout, self.theme
        poly = layout.cell_polygon(slab, 0, 0, *shape)
        if overlay:
            ops.polygon(poly, theme.overlay, theme.overlay_alpha * 0.5)
        ops.line(np.vstack([poly, poly[:1]]), theme.line, layout.line_width * 2.2)
        return layout.line_width * 2.2 + 2

    def pending_fill(self, fill: RGB) -> RGB:
        """An output cell's fill before it is computed (``values``)."""
        return mix(self.theme.background, fill, PENDING_OUTPUT)

    def _shade(self, slab: Slab, cells: list[tuple[int, int]], ops: Ops,
               outline: float = WINDOW_OUTLINE) -> None:
        layout, theme = self.layout, self.theme
        for r, c in cells:
            ops.polygon(layout.cell_polygon(slab, r, c), theme.overlay, theme.overlay_alpha)
        for r, c in cells:
            poly = layout.cell_polygon(slab, r, c)
            ops.line(np.vstack([poly, poly[:1]]), theme.line, layout.line_width * outline)

    # -- layers --------------------------------------------------------------------------

    def static_ops(self) -> Ops:
        """The input slabs with their numbers and labels, the ellipses, the static text."""
        return self._static(outputs=False)

    def static_layer(self) -> Ops:
        """Everything painted once: :meth:`static_ops`, then the output slabs when they
        never change."""
        return self._static(outputs=True)

    def _static(self, outputs: bool) -> Ops:
        ops = Ops()
        slabs = self.static_slabs(outputs)
        inputs = len(self.layout.inputs)
        for slab, texts, faded in slabs[:inputs]:
            self._slab_ops(slab, ops, texts=texts, faded_texts=faded)
        rest = self.static_rest()
        ops.ops += rest.ops
        ops.texts += rest.texts
        for slab, texts, faded in slabs[inputs:]:
            self._slab_ops(slab, ops, texts=texts, faded_texts=faded)
        return ops

    def static_slabs(self, outputs: bool) -> list[tuple[Slab, dict | None, set | None]]:
        """The slabs painted once, with their numbers and the faded ones: the input slabs
        and (with ``outputs``) the output slabs when they never change."""
        numbers = self.look.numbers
        out: list[tuple[Slab, dict | None, set | None]] = []
        for ch, slab in self.layout.inputs.items():
            texts, faded = None, None
            if numbers:
                items = self.timeline.input_texts[ch]
                texts = {cell: text for cell, text, _ in items}
                faded = {cell for cell, _, f in items if f}
            out.append((slab, texts, faded))
        if outputs and self.static_outputs:
            out += [(slab, None, None) for slab in self.layout.outputs.values()]
        return out

    def static_rest(self) -> Ops:
        """The slabs' labels, the ellipses, the static text."""
        layout, theme, ops = self.layout, self.theme, Ops()
        for slab in (*layout.inputs.values(), *layout.outputs.values()):
            ops.text(slab.label_at, slab.label, layout.label_size, theme.text_color)
        ellipsis_ops(layout, ops, theme.line)
        w = layout.size[0]
        for n, line in enumerate(layout.static_lines):
            ops.text((w / 2, layout.static_line_y(n)), line, layout.text_size, theme.text_color)
        return ops

    def step_ops(self, step: ChannelStep, outputs: bool = True) -> Ops:
        """The moving parts of ``step``: outputs so far (with ``outputs``), kernels, window,
        target, lines."""
        layout, theme, ops = self.layout, self.theme, Ops()
        spec = self.scene.spec
        oh, ow = spec.output_size
        numbers = self.look.numbers
        out_slabs, in_slabs = self._stand_ins(step, ops)
        painted = out_slabs.items() if outputs else [
            (ch, slab) for ch, slab in out_slabs.items() if ch not in layout.outputs]
        for ch, slab in painted:
            fills = np.empty((oh, ow, 3), np.uint8)
            fills[:] = slab.fill
            done = np.arange(ch * oh * ow, (ch + 1) * oh * ow).reshape(oh, ow) < step.done
            texts = None
            if numbers:
                fills[~done] = mix(theme.background, slab.fill, PENDING_OUTPUT)
                values = self.timeline.output_texts
                assert values is not None
                texts = {(i, j): values[ch, i, j] for i, j in zip(*np.nonzero(done))}
            self._slab_ops(slab, ops, fills=fills, texts=texts)
        group_slabs = [in_slabs[c] for c in step.in_channels if c in in_slabs]
        slot_of = {slab.origin: c for c, slab in layout.inputs.items()}  # kernels by slot
        if step.kernels is not None:
            for k, ch in enumerate(step.in_channels):
                if ch not in in_slabs:
                    continue
                kernel = layout.kernel_slab(slot_of[in_slabs[ch].origin], step.group)
                if kernel is None:
                    continue
                texts = None
                if numbers:
                    texts = {(i, j): format_value(v) for (i, j), v in
                             np.ndenumerate(step.kernels[k])}
                self._slab_ops(kernel, ops, texts=texts)
        target = out_slabs.get(step.channel)
        lines: list[tuple[np.ndarray, np.ndarray]] = []

        def chain(poly: np.ndarray, slab: Slab, tpoly: np.ndarray | None
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
            """Connector lines from a block of ``slab`` to the target: through the slab's
            kernel where one is drawn (flat: block -> its kernel -> the output)."""
            out = []
            kernel = layout.kernel_slab(slot_of[slab.origin], step.group)
            if kernel is not None and step.kernels is not None:
                kpoly = layout.cell_polygon(kernel, 0, 0, *spec.kernel_size)
                out += [(poly[a], kpoly[b]) for a, b in CONNECTOR_PAIRS]
                poly = kpoly
            if tpoly is not None:
                out += [(poly[a], tpoly[b]) for a, b in CONNECTOR_PAIRS]
            return out

        if step.window is not None and step.target is not None:
            (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
            r0, c0 = step.window
            cells = [(r0 + i * dh, c0 + j * dw) for i in range(kh) for j in range(kw)]
            eh, ew = spec.k_eff
            tpoly = None if target is None else layout.cell_polygon(target, *step.target)
            for slab in group_slabs:
                self._shade(slab, cells, ops)
                lines += chain(layout.cell_polygon(slab, r0, c0, eh, ew), slab, tpoly)
            if target is not None:
                self._shade(target, [step.target], ops, 1.0)
        else:  # a whole plane: outline the group's input slabs and the output slab
            tpoly = None
            if target is not None:
                tpoly = layout.cell_polygon(target, 0, 0, oh, ow)
                ops.polygon(tpoly, theme.overlay, theme.overlay_alpha * 0.5)
                ops.line(np.vstack([tpoly, tpoly[:1]]), theme.line, layout.line_width * 2.2)
            for slab in group_slabs:
                rows, cols = self.scene.input.rows, self.scene.input.cols
                poly = layout.cell_polygon(slab, 0, 0, rows, cols)
                ops.line(np.vstack([poly, poly[:1]]), theme.line, layout.line_width * 2.2)
                lines += chain(poly, slab, tpoly)
        for p0, p1 in lines:
            ops.line([*p0, *p1], theme.line, layout.line_width * CONNECTOR_WIDTH)
        return ops

    def _stand_ins(self, step: ChannelStep, ops: Ops) -> tuple[dict[int, Slab], dict[int, Slab]]:
        """The output and input slabs this step draws on: above 8 channels, a channel the
        stack leaves out (in the ellipsis) stands in the last slot while it is computed (the
        output channel) or read (the first input channel of its group, when none of the
        group's is drawn); the slot is covered and redrawn (input numbers included)."""
        layout, spec = self.layout, self.scene.spec
        outs, ins = dict(layout.outputs), dict(layout.inputs)
        if step.channel not in outs and len(outs) < spec.out_channels:
            last = max(outs)
            outs[step.channel] = self._cover(outs.pop(last), step.channel, step.group, 1, ops)
        if not any(c in ins for c in step.in_channels) and len(ins) < spec.in_channels:
            last, first = max(ins), step.in_channels[0]
            ins[first] = self._cover(ins.pop(last), first, step.group, 0, ops)
            texts = faded = None
            if self.look.numbers:
                items = self.timeline.input_texts[first]
                texts = {cell: text for cell, text, _ in items}
                faded = {cell for cell, _, f in items if f}
            self._slab_ops(ins[first], ops, texts=texts, faded_texts=faded)
        return outs, ins

    def _cover(self, slab: Slab, channel: int, group: int, which: int, ops: Ops) -> Slab:
        """``slab``'s slot for ``channel``: the slot and its label covered with the
        background, the label rewritten (the cells are drawn by the caller)."""
        layout, theme = self.layout, self.theme
        r0, c0 = slab.first
        poly = layout.cell_polygon(slab, r0, c0, *slab.kinds.shape)
        pad = layout.line_width * 2 + 2
        x0, y0 = poly.min(axis=0) - pad
        x1, y1 = poly.max(axis=0) + pad
        ops.polygon(np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), theme.background)
        name = "x" if slab.kind == "input" else "out"
        lx, ly = slab.label_at
        half_w = max(layout.margin, layout.label_size * 2.2)
        half_h = layout.label_size * 0.8
        ops.polygon(np.array([(lx - half_w, ly - half_h), (lx + half_w, ly - half_h),
                              (lx + half_w, ly + half_h), (lx - half_w, ly + half_h)]),
                    theme.background)
        ops.text(slab.label_at, f"{name}[{channel}]", layout.label_size, theme.text_color)
        return replace(slab, channel=channel, group=group, fill=layout.fill(group, which),
                       label=f"{name}[{channel}]")

    def caption_ops(self, step: ChannelStep | ScatterStep) -> Ops:
        ops = Ops()
        if step.caption is not None:
            ops.texts += self.caption_lines(step.caption)
        return ops

    def caption_lines(self, caption: str) -> list[tuple]:
        """The texts (as :attr:`Ops.texts`) of ``caption``, wrapped to two lines."""
        layout, ops = self.layout, Ops()
        w = layout.size[0]
        for n, line in enumerate(_wrap(caption, layout)):
            ops.text((w / 2, layout.caption_y + n * layout.line_height), line,
                     layout.text_size, self.theme.text_color)
        return ops.texts

    # -- frames --------------------------------------------------------------------------

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Every frame; with ``tween``, each step's frame is held for its in-between
        frames (the window jumps: channel figures do not slide it); last, the held clean
        final frame. A :class:`~deconv_anim.channel_run.ChannelRun`: also any ranges of
        them, forwards (two processes draw a long GIF so)."""
        from .channel_plans import gather_frames

        return gather_frames(self, tween)

    @property
    def caption_box(self) -> Box:
        layout = self.layout
        top = round(layout.caption_y - layout.line_height / 2)
        return (0, top, layout.size[0], top + 2 * layout.line_height)


def _union(*boxes: Box | None) -> Box:
    got = [b for b in boxes if b is not None]
    return (min(b[0] for b in got), min(b[1] for b in got), max(b[2] for b in got),
            max(b[3] for b in got))


def _clip(box: Box, full: Box) -> Box:
    return (max(box[0], full[0]), max(box[1], full[1]), min(box[2], full[2]),
            min(box[3], full[3]))


def _wrap(text: str, layout: ChannelLayout) -> list[str]:
    """At most two lines, wrapped at spaces."""
    from .font import text_width

    room, out, line = layout.size[0] - 2 * layout.margin, [], ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        if line and text_width(trial, layout.text_size) > room:
            out.append(line)
            line = word
        else:
            line = trial
    out.append(line)
    return out[:2]


class ChannelFigure:
    """A channel-mode figure for the SVG writer (``encode`` calls :meth:`svg`)."""

    def __init__(self, raster: ChannelRaster) -> None:
        self.raster = raster
        self.size, self.look = raster.size, raster.look

    def svg(self, timing: object) -> str:
        from .channel_svg import channel_svg_document

        raster = self.raster
        static, steps = raster.frame_shapes()
        background = None if raster.look.transparent else raster.theme.background
        return channel_svg_document(raster.size, background, static, steps, timing=timing,
                                    final=raster.final_ops())
