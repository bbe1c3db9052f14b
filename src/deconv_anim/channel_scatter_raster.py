"""Channel-mode scatter frames: each input element (or plane) stamping onto the output
channels of its group, painted into palette-indexed frames.

The same painter as :class:`~deconv_anim.channel_raster.ChannelRaster` (slabs, stand-ins
above 8 channels, captions, frames and changed boxes), with the steps of
:mod:`deconv_anim.channel_scatter`: the input cell stamped is lit on its slab; on every
output slab of its group the cells the stamp lands on are outlined in the
theme's accent colour (as the single-channel scatter view outlines its stamp), with
connector lines from the input cell to each stamp. Output cells no stamp has reached yet are
empty (as in the single-channel scatter view); with ``values: true`` the others carry
their running sums (the bias, added once per channel, is not drawn). Only paints: the
stamps and the running sums come from the timeline.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .channel_layout import Slab
from .channel_raster import CONNECTOR_PAIRS, ChannelRaster
from .channel_scatter import ScatterStep, ScatterTimeline, build_scatter_timeline
from .layout import CONNECTOR_WIDTH, WINDOW_OUTLINE, Look
from .paint import Ops
from .raster import RasterFrame
from .scene import Scene

__all__ = ["ChannelScatterRaster"]

PLANE_OUTLINE = 2.2  # a whole plane's outline, in line widths (as the gather view's)


class ChannelScatterRaster(ChannelRaster):
    """Draws a channel-mode scene in its scatter view (a transposed op)."""

    timeline: ScatterTimeline  # type: ignore[assignment]

    def _timeline(self, scene: Scene, look: Look) -> ScatterTimeline:  # type: ignore[override]
        return build_scatter_timeline(scene, numbers=look.numbers, labels=look.labels)

    @property
    def static_outputs(self) -> bool:
        return False  # stamps arrive: every step repaints the output slabs

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        from .channel_plans import scatter_frames

        return scatter_frames(self, tween)

    def each_step(self) -> Iterator[tuple[ScatterStep, Ops]]:  # type: ignore[override]
        for step, received, sums in self.timeline.states():
            yield step, self.scatter_ops(step, received, sums)

    def final_ops(self) -> Ops:
        """The held clean final frame: every output slab finished (the stamps' sums and the
        bias), no input cell lit, no stamp outline, no line, no caption."""
        from .engine import compute

        ops, values = Ops(), np.asarray(compute(self.scene.spec))
        out_slabs, _ = self._scatter_stand_ins(self.timeline.steps[-1], Ops())
        for ch, slab in out_slabs.items():
            fills = np.empty((*values.shape[1:], 3), np.uint8)
            fills[:] = slab.fill
            texts = None
            if self.look.numbers:
                texts = {(i, j): self.timeline.output_text(values[ch, i, j])
                         for i in range(values.shape[1]) for j in range(values.shape[2])}
            self._slab_ops(slab, ops, fills=fills, texts=texts)
        return ops

    def scatter_ops(self, step: ScatterStep, received: np.ndarray, sums: np.ndarray) -> Ops:
        """The moving parts of ``step``: the outputs received so far, the input cell (or
        plane), the stamps and the connector lines."""
        layout, theme, ops = self.layout, self.theme, Ops()
        out_slabs, in_slab = self._scatter_stand_ins(step, ops)
        numbers = self.look.numbers
        for ch, slab in out_slabs.items():
            got = received[ch]
            fills = np.empty((*got.shape, 3), np.uint8)
            fills[:] = theme.background  # empty until a stamp reaches it
            fills[got] = slab.fill
            texts = None
            if numbers:
                texts = {(int(i), int(j)): self.timeline.output_text(sums[ch, i, j])
                         for i, j in zip(*np.nonzero(got))}
            self._slab_ops(slab, ops, fills=fills, texts=texts)
        lines: list[tuple[np.ndarray, np.ndarray]] = []
        plane = step.cell is None
        source = None
        if in_slab is not None:
            if plane:
                rows, cols = self.scene.input.rows, self.scene.input.cols
                source = layout.cell_polygon(in_slab, 0, 0, rows, cols)
                ops.polygon(source, theme.overlay, theme.overlay_alpha * 0.5)
                ops.line(np.vstack([source, source[:1]]), theme.line,
                         layout.line_width * PLANE_OUTLINE)
            else:
                assert step.cell is not None
                source = layout.cell_polygon(in_slab, *step.cell)
                self._shade(in_slab, [step.cell], ops, 1.0)
        for stamp in step.stamps:
            out_slab = out_slabs.get(stamp.channel)
            if out_slab is None or stamp.block is None:
                continue
            target = layout.cell_polygon(out_slab, *stamp.block)
            # an outline only, so the fills under it show: each cell, or a plane's block
            polys = ([target] if plane else
                     [layout.cell_polygon(out_slab, int(r), int(c)) for r, c in stamp.cells])
            for poly in polys:
                ops.line(np.vstack([poly, poly[:1]]), theme.accent,
                         layout.line_width * (PLANE_OUTLINE if plane else WINDOW_OUTLINE))
            if source is not None:
                lines += [(source[a], target[b]) for a, b in CONNECTOR_PAIRS]
        for p0, p1 in lines:
            ops.line([*p0, *p1], theme.line, layout.line_width * CONNECTOR_WIDTH)
        return ops

    def _scatter_stand_ins(self, step: ScatterStep, ops: Ops
                           ) -> tuple[dict[int, Slab], Slab | None]:
        """The output slabs and the input slab of ``step``: above 8 channels, an input
        channel in the ellipsis stands in the last input slot while it stamps, and the
        first output channel of its group in the last output slot when none of the
        group's is drawn (as the gather view's stand-ins)."""
        layout, spec = self.layout, self.scene.spec
        outs = dict(layout.outputs)
        in_slab = layout.inputs.get(step.channel)
        if in_slab is None and layout.inputs:
            last = max(layout.inputs)
            cover = self._cover(layout.inputs[last], step.channel, step.group, 0, ops)
            texts = faded = None
            if self.look.numbers:
                items = self.timeline.input_texts[step.channel]
                texts = {cell: text for cell, text, _ in items}
                faded = {cell for cell, _, f in items if f}
            self._slab_ops(cover, ops, texts=texts, faded_texts=faded)
            in_slab = cover
        if not any(c in outs for c in step.out_channels) and len(outs) < spec.out_channels:
            last, first = max(outs), step.out_channels[0]
            outs[first] = self._cover(outs.pop(last), first, step.group, 1, ops)
        return outs, in_slab
