"""The frame loop of the channel painters, in palette indices (as :mod:`deconv_anim.frames`
plays a single-channel figure).

What a step of a channel figure shows is of two kinds:

* its *base*: the static picture (input slabs, labels, ellipses, text; the output slabs),
  the output cells as computed so far (``values``), the kernels of the current output
  channel (flat layout) and, above 8 channels, a channel standing in the last slot. It is
  painted once, supersampled, and quantized into ``base`` (palette indices); when a step
  changes it (an output cell computed, the next channel's kernels) only the boxes that
  changed are painted again, with the shapes that reach them;
* what *moves*: the window on each input slab of the group, the lit output cell (or a
  whole plane's outlines), the connector lines and the caption. The window and the lit
  cell are sprites (:class:`~deconv_anim.composite.Sprite`: painted once, laid anywhere
  through the blend table, as the single-channel window is), the connector lines are
  pixel lists with a coverage (:func:`~deconv_anim.paint.segment_pixels`; one shape of
  lines only moves, so its pixels are computed once), laid over everything.

Each frame puts the previous frame's moving pixels back from ``base`` and lays its own: a
frame costs what it draws, not the box between its far-apart parts. The loop itself, which
can also start at any frame, is :class:`deconv_anim.channel_run.ChannelRun`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .composite import Sprite, clip, lay, lay_points, merge, union
from .layout import CONNECTOR_WIDTH
from .paint import Box, Ops, blend, segment_pixels, text_sprite
from .palette import quantize

if TYPE_CHECKING:
    from .channel_layout import ChannelLayout, Slab
    from .channel_raster import ChannelRaster

__all__ = ["ShapeIndex", "Moving", "ChannelCanvas", "Changes", "draw_moving", "NO_LINES",
           "cells_touching", "MARGIN"]

CONNECTOR_LEVELS = 4  # coverage steps of the connector lines
MAX_CACHED_LINES = 64  # shapes of connector lines kept per run
MARGIN = 4  # a box is painted this much wider, then cropped (Pillow clips shapes at an
# image's edge a little differently from the pixels inside)
BAND = 256  # rows quantized at once (temporaries of a large canvas cost memory)


def _op_boxes(ops: Ops) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4) boxes (x0, y0, x1, y1) each shape and each text of ``ops`` may paint."""
    shapes = np.empty((len(ops.ops), 4))
    for n, (_kind, flat, _color, width, _alpha, top, bottom) in enumerate(ops.ops):
        xs = flat[0::2]
        pad = 2 * width + 2
        shapes[n] = (min(xs) - pad, top - pad, max(xs) + pad, bottom + pad)
    texts = np.empty((len(ops.texts), 4))
    for n, ((cx, cy), text, size, fill, stroke) in enumerate(ops.texts):
        th, tw = text_sprite(text, size, fill, stroke)[1].shape
        texts[n] = (cx - tw / 2 - 2, cy - th / 2 - 2, cx + tw / 2 + 2, cy + th / 2 + 2)
    return shapes, texts


def _lay_rgb(rgb: np.ndarray, box: Box, prgb: np.ndarray, alpha: np.ndarray) -> None:
    """A premultiplied layer covering ``box`` laid over the bytes ``rgb`` (cut to them)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = box
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    a = alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0, None]
    dst = rgb[cy0:cy1, cx0:cx1]
    out = dst * (1 - a) + prgb[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    dst[...] = np.clip(out + 0.5, 0, 255)


def _hits(boxes: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.flatnonzero((boxes[:, 0] < x1) & (boxes[:, 2] > x0) & (boxes[:, 1] < y1)
                          & (boxes[:, 3] > y0))


class ShapeIndex:
    """Draw operations with the box each may paint: those reaching a box, in order."""

    def __init__(self, ops: Ops) -> None:
        self.ops = ops
        self.shape_boxes, self.text_boxes = _op_boxes(ops)

    def within(self, box: Box, into: Ops | None = None) -> Ops:
        """The shapes and texts that may paint inside ``box`` (appended to ``into``)."""
        out = into if into is not None else Ops()
        out.ops += [self.ops.ops[n] for n in _hits(self.shape_boxes, box)]
        out.texts += [self.ops.texts[n] for n in _hits(self.text_boxes, box)]
        return out


def within(ops: Ops, box: Box, into: Ops) -> None:
    """Append the shapes and texts of ``ops`` that may paint inside ``box`` to ``into``."""
    ShapeIndex(ops).within(box, into)


def cells_touching(layout: ChannelLayout, slab: Slab, box: Box, pad: float) -> np.ndarray:
    """Bool mask over ``slab.kinds``: the cells whose polygon, ``pad`` wider, meets ``box``."""
    rows, cols = slab.kinds.shape
    r0, c0 = slab.first
    r = np.arange(r0, r0 + rows, dtype=float)[:, None]
    c = np.arange(c0, c0 + cols, dtype=float)[None, :]
    (ax, ay), (bx, by) = layout.ex, layout.ey
    ox, oy = slab.origin
    xs, ys = [], []
    for dr, dc in ((0, 0), (0, 1), (1, 1), (1, 0)):
        k = slab.rows - (r + dr)
        xs.append(ox + (c + dc) * ax + k * bx)
        ys.append(oy + (c + dc) * ay + k * by)
    x_lo, x_hi = np.minimum.reduce(xs) - pad, np.maximum.reduce(xs) + pad
    y_lo, y_hi = np.minimum.reduce(ys) - pad, np.maximum.reduce(ys) + pad
    x0, y0, x1, y1 = box
    return (x_lo < x1) & (x_hi > x0) & (y_lo < y1) & (y_hi > y0)


@dataclass
class Moving:
    """What one step draws over its base: sprites placed (blend offsets, box), connector
    segments (pairs of points), and the caption (None: none)."""

    sprites: list[tuple[np.ndarray, Box]] = field(default_factory=list)
    segments: list[tuple[Sequence[float], Sequence[float]]] = field(default_factory=list)
    caption: str | None = None


class ChannelCanvas:
    """The base picture of one run of a channel painter, in palette indices, and the
    connector lines' pixels (cached by shape)."""

    def __init__(self, raster: ChannelRaster) -> None:
        self.raster, self.layout, self.theme = raster, raster.layout, raster.theme
        self.lut, self.blender = raster.lut, raster.blender
        levels = np.arange(CONNECTOR_LEVELS + 1, dtype=np.float32) / CONNECTOR_LEVELS
        self.line_offsets = self.blender.offsets(
            np.array(self.theme.line, np.float32) * levels[:, None], levels)
        self.line_cache: dict[tuple, tuple] = {}
        self._static: ShapeIndex | None = None
        w, h = self.layout.size
        self.full: Box = (0, 0, w, h)

    # -- the base --------------------------------------------------------------------------

    @property
    def static(self) -> ShapeIndex:
        """The static shapes, indexed (made when a box is first painted again)."""
        if self._static is None:
            self._static = ShapeIndex(self.raster.static_layer())
        return self._static

    def paint_static(self) -> np.ndarray:
        """The static picture in palette indices. Slabs drawn alike (the same cells and
        fill: a stack's slabs of one group) are painted once, supersampled, and laid
        wherever they are (their origins are whole pixels); then the small shapes; the
        texts last, as :meth:`Ops.paint_into` draws them."""
        raster, layout = self.raster, self.layout
        w, h = layout.size
        rgb = np.empty((h, w, 3), np.uint8)
        rgb.reshape(h, w * 3)[:] = np.tile(np.array(self.theme.background, np.uint8), w)
        texts = Ops()
        painted: dict[tuple, tuple] = {}
        pad = layout.line_width * 2 + 3
        for slab, numbers, faded in raster.static_slabs(outputs=True):
            key = (slab.kind, slab.rows, slab.first, slab.kinds.shape, slab.kinds.tobytes(),
                   slab.fill)
            found = painted.get(key)
            if found is None:
                ops = Ops()
                raster._slab_ops(slab, ops)
                box = slab_box(layout, slab, pad)
                found = painted[key] = (slab.origin, box, *ops.paint(box, None))
            (ox, oy), (x0, y0, x1, y1), prgb, alpha = found
            dx, dy = slab.origin[0] - ox, slab.origin[1] - oy
            _lay_rgb(rgb, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), prgb, alpha)
            raster.slab_texts(slab, texts, numbers, faded)
        rest = raster.static_rest()
        for op in rest.ops:  # the ellipses' dots: each in its own small box
            part = Ops()
            part.ops = [op]
            box = clip(part.bounds(op[3] + 2), self.full)
            if box[0] < box[2] and box[1] < box[3]:
                _lay_rgb(rgb, box, *part.paint(box, None))
        texts.texts += rest.texts
        for (cx, cy), text, size, fill, stroke in texts.texts:
            trgb, ta = text_sprite(text, size, fill, stroke)
            th, tw = ta.shape
            left, top = round(cx - tw / 2), round(cy - th / 2)
            where = clip((left, top, left + tw, top + th), self.full)
            if where[0] >= where[2] or where[1] >= where[3]:
                continue
            region = rgb[where[1]:where[3], where[0]:where[2]].astype(np.float32)
            blend(region, None, where, trgb, ta, (left, top, left + tw, top + th))
            rgb[where[1]:where[3], where[0]:where[2]] = np.clip(region + 0.5, 0, 255)
        base = np.empty((h, w), np.uint8)
        for top in range(0, h, BAND):
            base[top:top + BAND] = quantize(rgb[top:top + BAND], self.lut)
        return base

    def paint(self, box: Box, dynamic: Callable[[Box], Ops]) -> np.ndarray:
        """Palette indices of ``box``: the static shapes and texts that reach it painted
        over the background, then ``dynamic(box)``'s over them (a channel standing in
        covers a static label), as the static layer lies under a step's shapes."""
        x0, y0, x1, y1 = box
        m = MARGIN
        wide = (x0 - m, y0 - m, x1 + m, y1 + m)
        ops = self.static.within(wide)
        more = dynamic(wide)
        rgb = np.empty((y1 - y0 + 2 * m, x1 - x0 + 2 * m, 3), np.uint8)
        if ops.texts and more.ops:  # two layers: the static texts under the shapes
            ops.paint_into(rgb, None, wide, self.theme.background)
            _lay_rgb(rgb, (0, 0, rgb.shape[1], rgb.shape[0]), *more.paint(wide, None))
        else:  # one: the static shapes, the step's shapes, then every text
            ops.ops += more.ops
            ops.texts += more.texts
            ops.paint_into(rgb, None, wide, self.theme.background)
        return quantize(rgb[m:-m, m:-m], self.lut)

    # -- connector lines -------------------------------------------------------------------

    def lines(self, segments: list) -> tuple:
        """(flat indices, ys, xs, blend offsets, box or None) of the pixels of the
        connector lines ``segments`` inside the canvas. Lines of one shape only move
        (corners are whole pixels): each shape's pixels are computed once."""
        if not segments:
            return NO_LINES
        pts = np.array([[*p, *q] for p, q in segments], float)
        origin = np.floor(pts[0, :2])
        rel = pts - np.tile(origin, 2)
        key = tuple(np.round(rel, 6).ravel().tolist())
        w, h = self.layout.size
        found = self.line_cache.get(key)
        if found is None:
            ys, xs, cov = segment_pixels(rel[:, :2], rel[:, 2:],
                                         CONNECTOR_WIDTH * self.layout.line_width,
                                         CONNECTOR_LEVELS)
            level = np.rint(cov * CONNECTOR_LEVELS).astype(np.intp)
            box = ((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
                   if len(ys) else (0, 0, 0, 0))
            found = (ys * w + xs, ys, xs, self.line_offsets[level], box)
            if len(self.line_cache) >= MAX_CACHED_LINES:
                self.line_cache.clear()
            self.line_cache[key] = found
        flat, ys, xs, offs, (x0, y0, x1, y1) = found
        if not len(ys):
            return NO_LINES
        ox, oy = int(origin[0]), int(origin[1])
        box = (x0 + ox, y0 + oy, x1 + ox, y1 + oy)
        ys, xs = ys + oy, xs + ox
        if clip(box, self.full) == box:  # the usual case: inside the canvas
            return flat + (oy * w + ox), ys, xs, offs, box
        ok = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        ys, xs, offs = ys[ok], xs[ok], offs[ok]
        if not len(ys):
            return NO_LINES
        return ys * w + xs, ys, xs, offs, (int(xs.min()), int(ys.min()), int(xs.max()) + 1,
                                           int(ys.max()) + 1)

    # -- the caption -------------------------------------------------------------------------

    def caption_box(self) -> Box:
        return clip(self.raster.caption_box, self.full)

    def caption_pixels(self, base: np.ndarray, caption: str | None) -> np.ndarray:
        """The caption strip: ``caption``'s lines over the base."""
        x0, y0, x1, y1 = strip = self.caption_box()
        rgb = self.raster.palette[base[y0:y1, x0:x1]].astype(np.float32)
        if caption is not None:
            for (cx, cy), text, size, fill, stroke in self.raster.caption_lines(caption):
                trgb, ta = text_sprite(text, size, fill, stroke)
                th, tw = ta.shape
                left, top = round(cx - tw / 2), round(cy - th / 2)
                blend(rgb, None, strip, trgb, ta, (left, top, left + tw, top + th))
        return quantize(rgb, self.lut)


NO_LINES: tuple = (np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, np.intp),
                   np.empty(0, np.intp), None)


def draw_moving(base: np.ndarray, pixels: np.ndarray, moving: Moving, lines: tuple,
                flat: np.ndarray) -> list[Box]:
    """Lay ``moving``'s sprites and lines over ``base`` into ``pixels``; the sprites' boxes."""
    h, w = base.shape
    rects = merge([clip(where, (0, 0, w, h)) for _o, where in moving.sprites])
    for rect in rects:
        x0, y0, x1, y1 = rect
        idx = base[y0:y1, x0:x1].copy()
        for offsets, where in moving.sprites:
            lay(idx, rect, offsets, where, flat)
        pixels[y0:y1, x0:x1] = idx
    at, ys, xs, offs, box = lines
    if len(at):
        idx = base.ravel().take(at)
        for offsets, where in moving.sprites:
            if (where[0] < box[2] and box[0] < where[2] and where[1] < box[3]
                    and box[1] < where[3]):  # (a sprite away from the lines: none)
                lay_points(idx, ys, xs, offsets, where, flat)
        pixels.ravel()[at] = flat.take(offs + idx)
    return rects


class Changes:
    """What a frame may change (boxes, and pixels by flat index), read before it draws:
    after, the box and mask of the pixels that did change, without comparing the box
    between far-apart parts (:func:`~deconv_anim.composite.tighten` of that box gives the
    same)."""

    def __init__(self, pixels: np.ndarray, rects: list[Box], points: list[tuple]) -> None:
        """``points``: (flat indices, ys, xs) of pixel lists."""
        self.pixels, self.rects = pixels, [r for r in rects if r[0] < r[2] and r[1] < r[3]]
        self.old = [pixels[y0:y1, x0:x1].copy() for x0, y0, x1, y1 in self.rects]
        self.at, self.ys, self.xs = (np.concatenate(p) for p in zip(*points))
        self.old_points = pixels.ravel().take(self.at)

    def result(self) -> tuple[Box, np.ndarray]:
        pixels, boxes, parts = self.pixels, [], []
        for (x0, y0, x1, y1), old in zip(self.rects, self.old):
            changed = pixels[y0:y1, x0:x1] != old
            rows = np.flatnonzero(changed.any(axis=1))
            if len(rows):
                cols = np.flatnonzero(changed.any(axis=0))
                boxes.append((x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1,
                              y0 + int(rows[-1]) + 1))
                parts.append((x0, y0, changed))
        moved = pixels.ravel().take(self.at) != self.old_points
        ys, xs = self.ys[moved], self.xs[moved]
        if len(ys):
            boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
        box = union(*boxes)
        if box is None:
            return (0, 0, 1, 1), np.zeros((1, 1), bool)
        bx0, by0, bx1, by1 = box
        mask = np.zeros((by1 - by0, bx1 - bx0), bool)
        for x0, y0, changed in parts:  # (each part's changes lie inside the box)
            h, w = changed.shape
            cx0, cy0 = max(x0, bx0), max(y0, by0)
            cx1, cy1 = min(x0 + w, bx1), min(y0 + h, by1)
            mask[cy0 - by0:cy1 - by0, cx0 - bx0:cx1 - bx0] |= changed[
                cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
        mask.ravel()[(ys - by0) * (bx1 - bx0) + (xs - bx0)] = True
        return box, mask


def block_box(layout: ChannelLayout, slab: Slab, r: float, c: float, h: float, w: float,
              pad: float) -> Box:
    """The whole-pixel box of the block of ``h x w`` cells from (r, c), ``pad`` wider."""
    poly = layout.cell_polygon(slab, r, c, h, w)
    return (math.floor(poly[:, 0].min() - pad), math.floor(poly[:, 1].min() - pad),
            math.ceil(poly[:, 0].max() + pad), math.ceil(poly[:, 1].max() + pad))


def slab_box(layout: ChannelLayout, slab: Slab, pad: float) -> Box:
    """The box of all of ``slab``'s cells, ``pad`` wider."""
    (r0, c0), (h, w) = slab.first, slab.kinds.shape
    return block_box(layout, slab, r0, c0, h, w, pad)


def sprite_at(sprite: Sprite, shift: Sequence[float]) -> tuple[np.ndarray, Box]:
    """``sprite`` placed ``shift`` pixels from where it was painted."""
    return sprite.place(np.asarray(shift, float))
