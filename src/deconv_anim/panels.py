"""Panels: two views of one op drawn side by side in one canvas (``view: both``).

The gather view on the left, the scatter view on the right, one palette (the scatter
panel's, which holds the tints), the same height (:func:`deconv_anim.layout.side_by_side`);
each panel is a :class:`~deconv_anim.raster.Raster` and its frames are laid into the
shared canvas as they come.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from .composite import tighten, union
from .layout import Figure, Look, Panel, shared_title, side_by_side, stacked
from .raster import Raster, RasterFrame, Run
from .scene import Scene
from .timeline import clock_slots

__all__ = ["SideBySide", "side_by_side_frames", "PanelRun"]


class SideBySide:
    """Two rasters (the gather and scatter views) drawn next to each other in one canvas.

    Both run on one clock of ``T = max(G, S)`` steps: they start and end together, the
    panel with fewer steps spread over it (:func:`deconv_anim.timeline.clock_starts`), so
    the last frame shows both outputs complete (and equal).
    """

    def __init__(self, left: Scene, right: Scene, look: Look, *, arrange: str = "side"
                 ) -> None:
        # one palette for both: the scatter panel's, which holds the tints too
        self.title = left.title or right.title  # shared: centred under both panels
        left, right = replace(left, title=None), replace(right, title=None)
        self.right = Raster(right, look, heading="Scatter view")
        self.left = Raster(left, look, palette=self.right.palette_args, heading="Gather view")
        self.gap = look.cell
        self.look = look
        if arrange == "stacked":  # the gather view above the scatter view
            self.left.layout, self.right.layout, self.offsets, size = stacked(
                self.left.layout, self.right.layout, self.gap)
        else:
            self.left.layout, self.right.layout, xs, size = side_by_side(
                self.left.layout, self.right.layout, self.gap)
            self.offsets = ((xs[0], 0), (xs[1], 0))
        self.title_lines, self.size = shared_title(self.title, size, self.left.layout)
        self.palette = self.left.palette

    @property
    def figure(self) -> Figure:
        """What a vector writer draws: both panels."""
        return Figure(tuple(Panel(p.scene, p.timeline, p.layout, x, y)
                            for p, (x, y) in zip((self.left, self.right), self.offsets)),
                      self.size, self.look, self.title_lines, self.left.layout.text_size)

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Yield the frames of both panels in one canvas (see :class:`RasterFrame`)."""
        return side_by_side_frames(self, tween)


def side_by_side_frames(figure: SideBySide, tween: int = 0) -> Iterator[RasterFrame]:
    """The frames of two rasters next to each other on one clock (see
    :class:`SideBySide` and :func:`deconv_anim.timeline.clock_slots`): a
    :class:`PanelRun` when both panels' frames can be drawn a range at a time, else a
    plain iterator over them."""
    run = PanelRun(figure, tween)
    if all(_ranged(r) for r in run.runs):
        return run
    return run.frames_between(0, run.count)


def _ranged(frames: object) -> bool:
    return all(callable(getattr(frames, name, None)) for name in ("prepare",
                                                                  "frames_between"))


class PanelRun(Run):
    """One run of the frames of two panels on one clock: an iterator over all of them,
    or (when both panels' runs can start anywhere, as
    :class:`deconv_anim.frames.FrameRun` does) any ranges of them in increasing order
    (:meth:`frames_between`), so :mod:`deconv_anim.gif_parallel` can draw them in two
    processes.

    The canvas at composite frame k is fully determined by the frame each panel shows
    there (its pixels laid in whole: a panel frame's box bounds everything that changed
    since the panel's previous frame), the shared title under both and nothing elsewhere.
    So a run that starts at k lays in the frame each panel shows at k - 1 (drawn by the
    panel's own run, started there; a panel that holds keeps what is laid in), paints the
    title, and goes on as a run from frame 0 does: its frames, boxes and masks are the
    same, pixel for pixel.
    """

    def __init__(self, figure: SideBySide, tween: int = 0) -> None:
        self.figure, self.tween = figure, tween
        panels = (figure.left, figure.right)
        self.total = max(len(p.timeline) for p in panels)
        # each panel's held clean final frame comes together, after the clock's last step
        self.schedules = [[*clock_slots(len(p.timeline), self.total, tween),
                           (len(p.timeline), 0.0)] for p in panels]
        self.count = len(self.schedules[0])
        # the panel frame each composite frame shows (counted in the panel's own frames)
        self.shown = [np.cumsum([slot is not None for slot in schedule]) - 1
                      for schedule in self.schedules]
        self.runs: list[Any] = [p.frames(tween) for p in panels]
        self.streams: list[Iterator[RasterFrame]] = [iter(r) for r in self.runs]
        self.laid = [-1, -1]  # the panel frame whose pixels are in the canvas
        w, h = figure.size
        self.pixels = np.zeros((h, w), np.uint8)
        self.at = 0  # the next frame drawn

    def prepare(self, peer: Any = None, role: int = 0) -> None:
        """Both panels' set-up (see :meth:`deconv_anim.frames.FrameRun.prepare`: with
        ``peer``, shared with the process of the other ``role``, one panel after the
        other)."""
        for run in self.runs:
            if _ranged(run):  # (else a plain iterator: drawn only from frame 0)
                run.prepare(peer, role)

    def _seek(self, start: int) -> None:
        """The canvas as a run from frame 0 leaves it after frame ``start - 1``."""
        figure = self.figure
        for n, (run, (x, y)) in enumerate(zip(self.runs, figure.offsets)):
            need = int(self.shown[n][start - 1])
            if need == self.laid[n]:  # it holds: its pixels are in the canvas
                continue
            stream = self.streams[n] = run.frames_between(need, run.count)
            frame = next(stream)
            fh, fw = frame.pixels.shape
            self.pixels[y:y + fh, x:x + fw] = frame.pixels
            self.laid[n] = need
        if self.at == 0:  # as frame 0 leaves it
            _paint_title(figure, self.pixels)

    def _frame(self, index: int) -> RasterFrame:
        figure, pixels, tween = self.figure, self.pixels, self.tween
        got = [next(stream) if schedule[index] is not None else None
               for stream, schedule in zip(self.streams, self.schedules)]
        boxes = []
        for frame, (x, y) in zip(got, figure.offsets):
            if frame is None:
                continue
            bx0, by0, bx1, by1 = frame.box
            boxes.append((bx0 + x, by0 + y, bx1 + x, by1 + y))
        ux0, uy0, ux1, uy1 = union(*boxes)  # type: ignore[misc]
        before = pixels[uy0:uy1, ux0:ux1].copy()
        for n, (frame, (x, y)) in enumerate(zip(got, figure.offsets)):
            if frame is None:
                continue
            self.laid[n] += 1
            fh, fw = frame.pixels.shape
            if index == 0:
                pixels[y:y + fh, x:x + fw] = frame.pixels
            else:
                bx0, by0, bx1, by1 = frame.box
                pixels[by0 + y:by1 + y, bx0 + x:bx1 + x] = frame.pixels[by0:by1, bx0:bx1]
        last = self.count - 1
        step, phase = divmod(index, tween + 1) if index < last else (self.total, 0)
        if index == 0:
            _paint_title(figure, pixels)
            w, h = figure.size
            return RasterFrame(0, pixels, (0, 0, w, h), None)
        box, mask = tighten((ux0, uy0, ux1, uy1), pixels[uy0:uy1, ux0:ux1] != before)
        return RasterFrame(index, pixels, box, mask, step, phase / (tween + 1))


def _paint_title(figure: SideBySide, pixels: np.ndarray) -> None:
    """The shared title into the rows under both panels (painted once: no frame changes
    them)."""
    from .paint import Ops

    if not figure.title_lines:
        return
    w, h = figure.size
    # under the lowest panel
    top = min(max(y + p.size[1] for p, (_, y) in zip((figure.left, figure.right),
                                                     figure.offsets)), h)
    layout, theme = figure.left.layout, figure.left.theme
    ops = Ops()
    for line, y in figure.title_lines:
        ops.text((w / 2, y), line, layout.text_size, theme.text_color)
    rgb = np.empty((h - top, w, 3), np.float32)
    ops.paint_into(rgb, None, (0, top, w, h), theme.background)
    pixels[top:] = figure.left.quantize(rgb)
