"""What each step of a channel figure paints, for
:class:`deconv_anim.channel_run.ChannelRun`: its base (what changes it, as boxes; the
shapes that paint them) and what moves over it (sprites, connector lines, the caption).
:class:`GatherPlan` for the gather view (:class:`~deconv_anim.channel_raster.ChannelRaster`),
:class:`ScatterPlan` for the scatter view
(:class:`~deconv_anim.channel_scatter_raster.ChannelScatterRaster`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .channel_frames import (
    ChannelCanvas,
    Moving,
    block_box,
    cells_touching,
    slab_box,
    sprite_at,
)
from .channel_run import ChannelRun
from .composite import Sprite, union
from .paint import Box, Ops

if TYPE_CHECKING:
    from .channel_layout import ChannelLayout, Slab
    from .channel_raster import ChannelRaster
    from .channel_scatter_raster import ChannelScatterRaster
    from .channel_timeline import ChannelStep

__all__ = ["GatherPlan", "BaseState", "gather_frames", "ScatterPlan", "ScatterState",
           "scatter_frames"]


def _input_slab_ops(raster: Any, layout: ChannelLayout, slab: Slab, box: Box, pad: float,
                    items: Any, ops: Ops) -> None:
    """The cells of the input slab ``slab`` (a channel standing in) that reach ``box``, with
    their numbers when ``items`` (the timeline's (cell, text, faded) of that channel)."""
    only = cells_touching(layout, slab, box, pad)
    if not only.any():
        return
    texts = faded = None
    if items is not None:
        texts = {cell: text for cell, text, _ in items}
        faded = {cell for cell, _, f in items if f}
    raster._slab_ops(slab, ops, texts=texts, faded_texts=faded, only=only)


def _cached_sprite(cache: dict, key: object, make: Callable[[Ops], float],
                   blender: object) -> Sprite:
    """The sprite ``cache`` holds under ``key``, painted by ``make`` (which draws into its
    ops and returns the pad) the first time it is asked for."""
    found = cache.get(key)
    if found is None:
        ops = Ops()
        pad = make(ops)
        found = cache[key] = Sprite(ops, pad, blender)  # type: ignore[arg-type]
    return found


def _cover_box(layout: ChannelLayout, slab: Slab) -> Box:
    """The box :meth:`ChannelRaster._cover` covers for a channel standing in ``slab``'s
    slot."""
    box = slab_box(layout, slab, layout.line_width * 2 + 4)
    lx, ly = slab.label_at
    half_w = max(layout.margin, layout.label_size * 2.2) + 2
    half_h = layout.label_size * 0.8 + 2
    label = (math.floor(lx - half_w), math.floor(ly - half_h), math.ceil(lx + half_w),
             math.ceil(ly + half_h))
    return union(box, label)  # type: ignore[return-value]


def _shift(layout: ChannelLayout, slab: Slab, ref: Slab, r: float = 0, c: float = 0
           ) -> tuple[float, float]:
    """How far cell (r, c) of ``slab`` is from cell (0, 0) of ``ref`` (whole pixels)."""
    x, y = layout.corner_xy(slab.origin, slab.rows, r, c)
    x0, y0 = layout.corner_xy(ref.origin, ref.rows, 0, 0)
    return x - x0, y - y0


# -------------------------------------------------------------------------- the gather view


@dataclass(frozen=True)
class BaseState:
    """What a gather step's base shows beyond the static picture: the channels standing
    in the last output and input slots (None: none), the output elements computed
    (``values``; else 0) and the output channel whose kernels are drawn (flat layout)."""

    out_stand_in: int | None
    in_stand_in: int | None
    done: int
    kernels: int | None
    step: object = field(default=None, compare=False)  # the step (None: the final frame)


class GatherPlan:
    """A :class:`~deconv_anim.channel_raster.ChannelRaster`'s steps for
    :class:`ChannelRun`."""

    def __init__(self, raster: ChannelRaster) -> None:
        self.raster, self.layout, self.spec = raster, raster.layout, raster.scene.spec
        self.steps = raster.timeline.steps
        self.numbers = bool(raster.look.numbers)
        layout, spec = self.layout, self.spec
        plain = spec.is_pool or spec.is_upsampling
        self.per_in = 1 if plain else spec.in_per_group
        self.per_out = 1 if plain else spec.out_per_group
        self.plane_size = spec.output_size[0] * spec.output_size[1]
        self.slot_of = {slab.origin: c for c, slab in layout.inputs.items()}
        self.pad = layout.line_width * 2.2 + 3
        self.ref_in = layout.inputs[min(layout.inputs)]
        self.ref_out = layout.outputs[min(layout.outputs)]
        self._sprites: dict[str, Sprite] = {}

    # -- the base --------------------------------------------------------------------------

    def state_of(self, n: int | None) -> BaseState:
        layout, spec = self.layout, self.spec
        if n is None:
            return BaseState(None, None, len(self.steps) and self.steps[-1].done
                             if self.numbers else 0, None)
        step = self.steps[n]
        out = (step.channel if step.channel not in layout.outputs
               and len(layout.outputs) < spec.out_channels else None)
        ins = (step.in_channels[0] if not any(c in layout.inputs for c in step.in_channels)
               and len(layout.inputs) < spec.in_channels else None)
        kernels = (step.channel if layout.kernel_origins and step.kernels is not None
                   else None)
        return BaseState(out, ins, step.done if self.numbers else 0, kernels, step)

    def dirty(self, a: BaseState | None, b: BaseState) -> list[Box]:
        layout, boxes = self.layout, []
        if a is None:  # from the static picture: every output slab (values), the rest
            if self.numbers:
                boxes += [slab_box(layout, slab, self.pad)
                          for slab in layout.outputs.values()]
            a = BaseState(None, None, b.done, None)
        if a.out_stand_in != b.out_stand_in:
            boxes.append(_cover_box(layout, layout.outputs[max(layout.outputs)]))
        if a.in_stand_in != b.in_stand_in:
            boxes.append(_cover_box(layout, layout.inputs[max(layout.inputs)]))
        if a.kernels != b.kernels:
            kh, kw = layout.kernel_size
            for ch in layout.kernel_origins:
                kernel = layout.kernel_slab(ch, 0)
                assert kernel is not None
                boxes.append(block_box(layout, kernel, 0, 0, kh, kw, self.pad))
        if a.done != b.done:
            lo, hi = sorted((a.done, b.done))
            boxes += self._done_boxes(lo, hi, {a.out_stand_in, b.out_stand_in})
        return boxes

    def _done_boxes(self, lo: int, hi: int, stand_ins: set) -> list[Box]:
        """The boxes of output elements ``lo`` to ``hi`` (channel-major) where drawn."""
        layout, size = self.layout, self.plane_size
        ow = self.spec.output_size[1]
        boxes = []
        for ch in range(lo // size, (hi - 1) // size + 1):
            slab = layout.outputs.get(ch)
            if slab is None and ch in stand_ins:
                slab = layout.outputs[max(layout.outputs)]
            if slab is None:
                continue
            first, last = max(lo, ch * size) - ch * size, min(hi, (ch + 1) * size) - ch * size - 1
            (r0, c0), (r1, c1) = divmod(first, ow), divmod(last, ow)
            if r0 == r1:
                boxes.append(block_box(layout, slab, r0, c0, 1, c1 - c0 + 1, self.pad))
            else:
                boxes.append(block_box(layout, slab, r0, 0, r1 - r0 + 1, ow, self.pad))
        return boxes

    def slabs(self, state: BaseState, ops: Ops | None = None
              ) -> tuple[dict[int, Slab], dict[int, Slab]]:
        """The output and input slabs drawn in ``state`` (covers of a stand-in's slot
        added to ``ops``)."""
        layout, raster = self.layout, self.raster
        outs, ins = dict(layout.outputs), dict(layout.inputs)
        scratch = Ops() if ops is None else ops
        if state.out_stand_in is not None:
            ch = state.out_stand_in
            outs[ch] = raster._cover(outs.pop(max(outs)), ch, ch // self.per_out, 1, scratch)
        if state.in_stand_in is not None:
            ch = state.in_stand_in
            ins[ch] = raster._cover(ins.pop(max(ins)), ch, ch // self.per_in, 0, scratch)
        return outs, ins

    def dynamic(self, state: BaseState, box: Box) -> Ops:
        """The base's shapes beyond the static ones that reach ``box`` in ``state``: the
        covers and slabs of stand-ins, the outputs computed (``values``), the kernels."""
        layout, raster = self.layout, self.raster
        ops = Ops()
        outs, ins = self.slabs(state, ops)
        if state.in_stand_in is not None:
            ch = state.in_stand_in
            _input_slab_ops(raster, layout, ins[ch], box, self.pad,
                            raster.timeline.input_texts[ch] if self.numbers else None, ops)
        oh, ow = self.spec.output_size
        for ch, slab in outs.items():
            if not self.numbers and ch in layout.outputs:
                continue  # painted with the static picture
            only = cells_touching(layout, slab, box, self.pad)
            if not only.any():
                continue
            fills = np.empty((oh, ow, 3), np.uint8)
            fills[:] = slab.fill
            texts = None
            if self.numbers:
                done = np.arange(ch * oh * ow, (ch + 1) * oh * ow).reshape(oh, ow) < state.done
                fills[~done] = raster.pending_fill(slab.fill)
                values = raster.timeline.output_texts
                assert values is not None
                texts = {(i, j): values[ch, i, j] for i, j in zip(*np.nonzero(done & only))}
            raster._slab_ops(slab, ops, fills=fills, texts=texts, only=only)
        step = state.step
        if state.kernels is not None and step is not None:
            for k, ch in enumerate(step.in_channels):  # type: ignore[attr-defined]
                if ch not in ins:
                    continue
                kernel = layout.kernel_slab(self.slot_of[ins[ch].origin], step.group)  # type: ignore[attr-defined]
                if kernel is None or not cells_touching(layout, kernel, box, self.pad).any():
                    continue
                texts = None
                if self.numbers:
                    from .report import format_value

                    texts = {(i, j): format_value(v) for (i, j), v in
                             np.ndenumerate(step.kernels[k])}  # type: ignore[attr-defined]
                raster._slab_ops(kernel, ops, texts=texts)
        return ops

    # -- what moves --------------------------------------------------------------------------

    def _sprite(self, name: str, make: Callable[[Ops], float]) -> Sprite:
        return _cached_sprite(self._sprites, name, make, self.raster.blender)

    def moving_of(self, n: int) -> Moving:
        from .layout import WINDOW_OUTLINE

        layout, raster, spec = self.layout, self.raster, self.spec
        step = self.steps[n]
        state = self.state_of(n)
        outs, ins = self.slabs(state)
        moving = Moving(caption=step.caption)
        target = outs.get(step.channel)
        group_slabs = [ins[c] for c in step.in_channels if c in ins]
        oh, ow = spec.output_size
        if step.window is not None and step.target is not None:
            (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
            cells = [(i * dh, j * dw) for i in range(kh) for j in range(kw)]
            window = self._sprite("window", lambda ops: raster.shade_ops(
                self.ref_in, cells, ops, WINDOW_OUTLINE))
            r0, c0 = step.window
            eh, ew = spec.k_eff
            tpoly = None if target is None else layout.cell_polygon(target, *step.target)
            for slab in group_slabs:
                moving.sprites.append(sprite_at(window, _shift(layout, slab, self.ref_in,
                                                               r0, c0)))
                block = layout.cell_polygon(slab, r0, c0, eh, ew)
                moving.segments += self._chain(block, slab, tpoly, step)
            if target is not None:
                lit = self._sprite("target", lambda ops: raster.shade_ops(
                    self.ref_out, [(0, 0)], ops, 1.0))
                moving.sprites.append(sprite_at(lit, _shift(layout, target, self.ref_out,
                                                                 *step.target)))
        else:  # a whole plane: outline the group's input slabs and the output slab
            tpoly = None
            if target is not None:
                tpoly = layout.cell_polygon(target, 0, 0, oh, ow)
                plane = self._sprite("plane", lambda ops: raster.plane_ops(
                    self.ref_out, (oh, ow), ops, overlay=True))
                moving.sprites.append(sprite_at(plane, _shift(layout, target, self.ref_out)))
            rows, cols = raster.scene.input.rows, raster.scene.input.cols
            outline = self._sprite("outline", lambda ops: raster.plane_ops(
                self.ref_in, (rows, cols), ops, overlay=False))
            for slab in group_slabs:
                moving.sprites.append(sprite_at(outline, _shift(layout, slab, self.ref_in)))
                poly = layout.cell_polygon(slab, 0, 0, rows, cols)
                moving.segments += self._chain(poly, slab, tpoly, step)
        return moving

    def _chain(self, poly: np.ndarray, slab: Slab, tpoly: np.ndarray | None,
               step: ChannelStep) -> list:
        """Connector lines from a block of ``slab`` to the target: through the slab's
        kernel where one is drawn (flat: block -> its kernel -> the output)."""
        from .channel_raster import CONNECTOR_PAIRS

        layout, out = self.layout, []
        kernel = layout.kernel_slab(self.slot_of[slab.origin], step.group)
        if kernel is not None and step.kernels is not None:
            kpoly = layout.cell_polygon(kernel, 0, 0, *self.spec.kernel_size)
            out += [(poly[a], kpoly[b]) for a, b in CONNECTOR_PAIRS]
            poly = kpoly
        if tpoly is not None:
            out += [(poly[a], tpoly[b]) for a, b in CONNECTOR_PAIRS]
        return out


def gather_frames(raster: ChannelRaster, tween: int = 0) -> ChannelRun:
    """Every frame of a channel figure's gather view (see :meth:`ChannelRaster.frames`)."""
    return ChannelRun(ChannelCanvas(raster), GatherPlan(raster), tween)


# -------------------------------------------------------------------------- the scatter view


@dataclass(frozen=True)
class ScatterState:
    """What a scatter step's base shows beyond the static picture: the channels standing
    in the last input and output slots ((channel, group) or None), the step whose stamps
    the outputs have received (``final``: the finished output instead)."""

    in_stand_in: tuple[int, int] | None
    out_stand_in: tuple[int, int] | None
    index: int
    final: bool = False


class ScatterPlan:
    """A :class:`~deconv_anim.channel_scatter_raster.ChannelScatterRaster`'s steps for
    :class:`ChannelRun`: the outputs received so far are its base, repainted where each
    step's stamps land."""

    def __init__(self, raster: ChannelScatterRaster) -> None:
        self.raster, self.layout, self.spec = raster, raster.layout, raster.scene.spec
        self.timeline = raster.timeline
        self.steps = raster.timeline.steps
        self.numbers = bool(raster.look.numbers)
        self.pad = self.layout.line_width * 2.2 + 3
        self.ref_in = self.layout.inputs[min(self.layout.inputs)]
        self.ref_out = self.layout.outputs[min(self.layout.outputs)]
        self._states = self.timeline.states()
        self._at = -1
        self.received: np.ndarray | None = None
        self.sums: np.ndarray | None = None
        self._final_values: np.ndarray | None = None
        self._sprites: dict[tuple, Sprite] = {}

    def state_of(self, n: int | None) -> ScatterState:
        layout, spec = self.layout, self.spec
        if n is None:
            return ScatterState(None, None, len(self.steps), True)
        while self._at < n:  # the running output, advanced in step order
            _step, self.received, self.sums = next(self._states)
            self._at += 1
        step = self.steps[n]
        ins = ((step.channel, step.group) if step.channel not in layout.inputs
               and layout.inputs else None)
        outs = ((step.out_channels[0], step.group)
                if not any(c in layout.outputs for c in step.out_channels)
                and len(layout.outputs) < spec.out_channels else None)
        return ScatterState(ins, outs, n)

    def slabs(self, state: ScatterState, ops: Ops | None = None
              ) -> tuple[dict[int, Slab], dict[int, Slab]]:
        layout, raster = self.layout, self.raster
        outs, ins = dict(layout.outputs), dict(layout.inputs)
        scratch = Ops() if ops is None else ops
        if state.in_stand_in is not None:
            ch, group = state.in_stand_in
            ins[ch] = raster._cover(ins.pop(max(ins)), ch, group, 0, scratch)
        if state.out_stand_in is not None:
            ch, group = state.out_stand_in
            outs[ch] = raster._cover(outs.pop(max(outs)), ch, group, 1, scratch)
        return outs, ins

    def dirty(self, a: ScatterState | None, b: ScatterState) -> list[Box]:
        layout, boxes = self.layout, []
        whole = [slab_box(layout, slab, self.pad)
                 for slab in layout.outputs.values()]
        if a is None or b.final != a.final:
            boxes += whole
            a = a or ScatterState(None, None, -1)
        if a.in_stand_in != b.in_stand_in:
            boxes.append(_cover_box(layout, layout.inputs[max(layout.inputs)]))
        if a.out_stand_in != b.out_stand_in:
            boxes.append(_cover_box(layout, layout.outputs[max(layout.outputs)]))
        if not b.final and b.index != a.index:
            outs, _ins = self.slabs(b)
            for stamp in self.steps[b.index].stamps:
                slab = outs.get(stamp.channel)
                if slab is not None and stamp.block is not None:
                    boxes.append(block_box(layout, slab, *stamp.block, self.pad))
        return boxes

    def dynamic(self, state: ScatterState, box: Box) -> Ops:
        """The stand-ins' covers and slabs, and the output slabs as received in ``state``
        (the finished output in the final one), that reach ``box``."""
        layout, raster, theme = self.layout, self.raster, self.raster.theme
        ops = Ops()
        outs, ins = self.slabs(state, ops)
        if state.in_stand_in is not None:
            ch = state.in_stand_in[0]
            _input_slab_ops(raster, layout, ins[ch], box, self.pad,
                            self.timeline.input_texts[ch] if self.numbers else None, ops)
        if state.final and self._final_values is None:
            from .engine import compute

            self._final_values = np.asarray(compute(self.spec))
        for ch, slab in outs.items():
            only = cells_touching(layout, slab, box, self.pad)
            if not only.any():
                continue
            if state.final:
                got = np.ones(slab.kinds.shape, bool)
                values = self._final_values
            else:
                assert self.received is not None
                got, values = self.received[ch], None
            fills = np.empty((*got.shape, 3), np.uint8)
            fills[:] = theme.background  # empty until a stamp reaches it
            fills[got] = slab.fill
            texts = None
            if self.numbers:
                if values is not None:
                    texts = {(int(i), int(j)): self.timeline.output_text(values[ch, i, j])
                             for i, j in zip(*np.nonzero(only))}
                else:
                    assert self.sums is not None
                    texts = {(int(i), int(j)): self.timeline.output_text(self.sums[ch, i, j])
                             for i, j in zip(*np.nonzero(got & only))}
            raster._slab_ops(slab, ops, fills=fills, texts=texts, only=only)
        return ops

    def _sprite(self, key: tuple, make: Callable[[Ops], float]) -> Sprite:
        return _cached_sprite(self._sprites, key, make, self.raster.blender)

    def _outline(self, cells: tuple, ops: Ops, width: float) -> float:
        layout = self.layout
        for r, c in cells:
            poly = layout.cell_polygon(self.ref_out, r, c)
            ops.line(np.vstack([poly, poly[:1]]), self.raster.theme.accent, width)
        return width + 2

    def moving_of(self, n: int) -> Moving:
        from .channel_raster import CONNECTOR_PAIRS
        from .channel_scatter_raster import PLANE_OUTLINE
        from .layout import WINDOW_OUTLINE

        layout, raster = self.layout, self.raster
        step = self.steps[n]
        outs, ins = self.slabs(self.state_of(n))
        moving = Moving(caption=step.caption)
        in_slab = ins.get(step.channel)
        lw = layout.line_width
        source = None
        plane = step.cell is None
        if in_slab is not None:
            if plane:
                rows, cols = raster.scene.input.rows, raster.scene.input.cols
                source = layout.cell_polygon(in_slab, 0, 0, rows, cols)
                lit = self._sprite(("plane",), lambda ops: raster.plane_ops(
                    self.ref_in, (rows, cols), ops, overlay=True))
                moving.sprites.append(sprite_at(lit, _shift(layout, in_slab, self.ref_in)))
            else:
                assert step.cell is not None
                source = layout.cell_polygon(in_slab, *step.cell)
                lit = self._sprite(("lit",), lambda ops: raster.shade_ops(
                    self.ref_in, [(0, 0)], ops, 1.0))
                moving.sprites.append(sprite_at(lit, _shift(layout, in_slab, self.ref_in,
                                                            *step.cell)))
        for stamp in step.stamps:
            out_slab = outs.get(stamp.channel)
            if out_slab is None or stamp.block is None:
                continue
            r0, c0, h, w = stamp.block
            cells: tuple = ()
            if plane:
                key: tuple = ("block", h, w)
            else:
                cells = tuple((int(r) - r0, int(c) - c0) for r, c in stamp.cells)
                key = ("stamp", cells)
            def make(ops: Ops, h: int = h, w: int = w, cells: tuple = cells) -> float:
                if plane:
                    return self._block_outline(h, w, ops, lw * PLANE_OUTLINE)
                return self._outline(cells, ops, lw * WINDOW_OUTLINE)

            outline = self._sprite(key, make)
            moving.sprites.append(sprite_at(outline, _shift(layout, out_slab, self.ref_out,
                                                            r0, c0)))
            if source is not None:
                target = layout.cell_polygon(out_slab, *stamp.block)
                moving.segments += [(source[a], target[b]) for a, b in CONNECTOR_PAIRS]
        return moving

    def _block_outline(self, h: int, w: int, ops: Ops, width: float) -> float:
        poly = self.layout.cell_polygon(self.ref_out, 0, 0, h, w)
        ops.line(np.vstack([poly, poly[:1]]), self.raster.theme.accent, width)
        return width + 2


def scatter_frames(raster: ChannelScatterRaster, tween: int = 0) -> ChannelRun:
    """Every frame of a channel figure's scatter view (see :meth:`ChannelRaster.frames`)."""
    return ChannelRun(ChannelCanvas(raster), ScatterPlan(raster), tween)
