"""A run of a channel figure's frames (:class:`ChannelRun`): every frame in order, or any
ranges of them forwards, as :class:`deconv_anim.frames.FrameRun` plays a single-channel
figure; :mod:`deconv_anim.gif_parallel` has two processes draw ranges of one long GIF.

A step's frame is its *base* (:mod:`deconv_anim.channel_frames`: the static picture
repainted in the boxes the steps so far changed) with the step's moving parts laid over
it, and the caption strip. Where the base stands after step ``n`` depends only on the
steps up to ``n`` (each box a step changes is painted from the shapes, never from the
pixels under it), so a run started at frame ``k`` replays the base of the steps before
``k`` (each step's state worked out, their boxes painted in the same order, nothing else
drawn: nothing painted when no step changes the base, as in a gather figure without
``values``, stand-ins or kernels), then draws the frame before ``k`` (not yielded: frame
``k``'s changed box and mask are measured against it; the caption strip drawn over the
base if a run from frame 0 has drawn it by then) and goes on. Painting the same boxes in
the same order makes the same base byte for byte, whatever the shapes' anti-aliasing does
at a box's edge; the blend table's rows may be numbered in another order in each process,
but a row's entries (palette indices) depend only on its colour and alpha, so the pixels
are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Protocol

import numpy as np

from .channel_frames import NO_LINES, Changes, ChannelCanvas, Moving, draw_moving
from .composite import clip
from .paint import Box, Ops
from .raster import RasterFrame, Run

__all__ = ["ChannelRun", "Plan"]

_DRAWN = object()  # as the last caption: a strip was drawn before (its caption unknown)


class Plan(Protocol):
    """What :class:`ChannelRun` asks of a figure's steps
    (:class:`~deconv_anim.channel_plans.GatherPlan`,
    :class:`~deconv_anim.channel_plans.ScatterPlan`)."""

    @property
    def steps(self) -> Sequence[Any]:
        """Each step (its ``caption``: a string or None)."""

    def state_of(self, n: int | None) -> Any:
        """What step ``n``'s base shows (``None``: the final frame's), comparable; asked
        for in step order."""

    def dirty(self, a: Any, b: Any) -> list[Box]:
        """The boxes that differ between two states (``a`` None: the static picture
        alone)."""

    def dynamic(self, state: Any, box: Box) -> Ops:
        """The base's changing shapes in ``state`` that reach ``box``."""

    def moving_of(self, n: int) -> Moving:
        """What step ``n`` draws over its base."""


class ChannelRun(Run):
    """One run of a channel figure's frames: each step's frame, held for ``tween``
    in-between frames but the last (channel figures do not slide the window), and the
    held clean final frame. An iterator over all of them, or any ranges of them in
    increasing order (:meth:`frames_between`; see the module's text); :meth:`prepare`
    paints the static picture once, before the first frame."""

    def __init__(self, canvas: ChannelCanvas, plan: Plan, tween: int = 0) -> None:
        self.canvas, self.plan, self.tween = canvas, plan, tween
        self.steps = len(plan.steps)
        self.count = self.steps + max(0, self.steps - 1) * tween + 1  # and the final frame
        self.base: np.ndarray | None = None

    def prepare(self, peer: Any = None, role: int = 0) -> None:
        """Paint the static picture (once). Two processes preparing the same run each
        paint their own (``peer`` and ``role`` are not used: it takes as long as one)."""
        if self.base is not None:
            return
        base = self.base = self.canvas.paint_static()
        self.pixels = base.copy()
        self.state: object = None  # the static picture alone
        self.stepped = -1  # the last step whose base is painted (the final frame: steps)
        self.captioned = False  # a step so far has a caption (a strip was drawn)
        self.prev_rects: list[Box] = []
        self.prev_lines: tuple = NO_LINES[:3]  # flat indices, ys, xs
        self.last_caption: object = None

    def which(self, index: int) -> tuple[int | None, int]:
        """(step, in-between frame: 0 for the step's own) of frame ``index`` (step None:
        the held clean final frame)."""
        block = self.tween + 1
        last = (self.steps - 1) * block  # the last step's frame
        if self.steps and index < last:
            step, k = divmod(index, block)
            return step, k
        return (self.steps - 1, 0) if self.steps and index == last else (None, 0)

    def _frame(self, index: int) -> RasterFrame:
        step, k = self.which(index)
        if k:  # an in-between frame: the step held
            assert step is not None
            return RasterFrame(index, self.pixels, (0, 0, 1, 1), np.zeros((1, 1), bool),
                               step, k / (self.tween + 1))
        return self._draw(index, step, True)  # type: ignore[return-value]

    def _seek(self, start: int) -> None:
        """Make the run's state that of a run from frame 0 that has drawn frame
        ``start - 1``: the base of its step, its moving parts, the caption strip."""
        before = start - 1
        step, _k = self.which(before)
        assert step is not None  # (the final frame is the last)
        if step != self.stepped:  # (else only in-between frames of it are skipped)
            for n in range(self.stepped + 1, step):
                self._advance(n)
            np.copyto(self.pixels, self.base)  # type: ignore[arg-type]
            self.prev_rects, self.prev_lines = [], NO_LINES[:3]
            # the strip shows the last caption drawn over the base (none drawn: the base)
            self.last_caption = _DRAWN if self.captioned else None
            self._draw(before, step, False)

    def _advance(self, n: int | None) -> list[Box]:
        """The base of step ``n`` (None: the final frame), after the previous step's: the
        boxes repainted."""
        plan, canvas, base = self.plan, self.canvas, self.base
        assert base is not None
        new = plan.state_of(n)
        self.stepped = self.steps if n is None else n
        fresh: list[Box] = []
        if new != self.state:
            for box in plan.dirty(self.state, new):
                box = clip(box, canvas.full)
                if box[0] < box[2] and box[1] < box[3]:
                    fresh.append(box)
            self.state = new
        for box in fresh:
            x0, y0, x1, y1 = box
            base[y0:y1, x0:x1] = canvas.paint(box, partial(plan.dynamic, new))
        if n is not None and plan.steps[n].caption is not None:
            self.captioned = True
        return fresh

    def _draw(self, index: int, n: int | None, emit: bool) -> RasterFrame | None:
        """Draw the frame of step ``n`` (the one after the last drawn; None: the final
        frame) into ``pixels``."""
        canvas, pixels, base = self.canvas, self.pixels, self.base
        assert base is not None
        full = canvas.full
        fresh = self._advance(n)
        moving = self.plan.moving_of(n) if n is not None else Moving()
        lines = canvas.lines(moving.segments)
        strip = canvas.caption_box() if moving.caption != self.last_caption else None
        rects_now = [clip(where, full) for _o, where in moving.sprites]
        changes = (Changes(pixels, [*self.prev_rects, *fresh, *rects_now,
                                    *([strip] if strip else [])],
                           [self.prev_lines, lines[:3]])
                   if index and emit else None)
        for x0, y0, x1, y1 in [*self.prev_rects, *fresh]:
            pixels[y0:y1, x0:x1] = base[y0:y1, x0:x1]
        pixels.ravel()[self.prev_lines[0]] = base.ravel().take(self.prev_lines[0])
        # (the blend table read after the sprites: painting one may add rows to it)
        rects = draw_moving(base, pixels, moving, lines, canvas.blender.flat)
        if strip is not None:
            pixels[strip[1]:strip[3], strip[0]:strip[2]] = canvas.caption_pixels(
                base, moving.caption)
        self.last_caption = moving.caption
        self.prev_rects, self.prev_lines = rects, lines[:3]
        if not emit:
            return None
        step = self.steps if n is None else n  # the final frame: a frame, not a step
        if changes is None:
            return RasterFrame(index, pixels, full, None, step)
        return RasterFrame(index, pixels, *changes.result(), step)
