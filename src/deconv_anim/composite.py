"""Compositing in palette indices: sprites (shapes painted once, laid anywhere), and the
boxes a frame changes.

A :class:`Sprite` is painted once per sub-pixel phase into blend-table offsets (see
:class:`~deconv_anim.palette.Blender`); laying it over a frame is one table lookup per
pixel. Painted sprites are shared by every raster in the process (same look, same pixels).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .paint import Box, Ops
from .palette import Blender

__all__ = ["Sprite", "sprite_cache", "lay", "lay_points", "runs", "union", "merge", "clip",
           "tighten",
           "MAX_CACHED_SPRITES"]

MAX_CACHED_SPRITES = 256  # painted sprites kept in a process


class Sprite:
    """Draw operations placed relative to a reference position, painted once per
    sub-pixel phase (whole-pixel moves reuse the same pixels)."""

    def __init__(self, ops: Ops, pad: float, blender: Blender) -> None:
        self.ops = ops
        self.box = ops.bounds(pad + 1)
        self._blender = blender
        x0, y0 = self.box[:2]
        # what the sprite looks like, wherever it is: its shapes and texts relative to its
        # box (figures with the same kernel and cell size share one)
        self._look = (self.box[2] - x0, self.box[3] - y0,
                      tuple((kind, tuple(round(v - (y0 if i & 1 else x0), 6)
                                         for i, v in enumerate(points)), col, width, a)
                            for kind, points, col, width, a, *_ in ops.ops),
                      tuple((round(float(cx) - x0, 6), round(float(cy) - y0, 6), *rest)
                            for (cx, cy), *rest in ops.texts))

    def place(self, shift: np.ndarray) -> tuple[np.ndarray, Box]:
        """The sprite moved by ``shift`` pixels: (its blend offsets, see
        :meth:`~deconv_anim.palette.Blender.offsets`, and the box they cover)."""
        ix, iy = np.floor(shift).astype(int)
        frac = (round(float(shift[0] - ix) * 4) / 4, round(float(shift[1] - iy) * 4) / 4)
        key = (self._blender, self._look, frac)
        offsets = sprite_cache.get(key)
        if offsets is None:
            offsets = self._blender.offsets(*self.ops.paint(self.box, None, frac))
            offsets.flags.writeable = False
            if len(sprite_cache) >= MAX_CACHED_SPRITES:
                sprite_cache.clear()
            sprite_cache[key] = offsets
        x0, y0, x1, y1 = self.box
        return offsets, (x0 + int(ix), y0 + int(iy), x1 + int(ix), y1 + int(iy))


sprite_cache: dict[tuple, np.ndarray] = {}  # (blender, look, sub-pixel phase) -> offsets


def lay(idx: np.ndarray, box: Box, offsets: np.ndarray, where: Box, flat: np.ndarray
         ) -> None:
    """Lay a sprite's blend offsets placed at ``where`` over indices ``idx`` of ``box``."""
    ix0, iy0 = max(box[0], where[0]), max(box[1], where[1])
    ix1, iy1 = min(box[2], where[2]), min(box[3], where[3])
    if ix0 >= ix1 or iy0 >= iy1:
        return
    dst = idx[iy0 - box[1]:iy1 - box[1], ix0 - box[0]:ix1 - box[0]]
    # np.take: flat[...] without fancy indexing's overhead
    dst[...] = np.take(flat, offsets[iy0 - where[1]:iy1 - where[1], ix0 - where[0]:ix1 - where[0]]
                       + dst)


def runs(items: Iterable[tuple[int, int, object]]) -> list[tuple[int, int, int, object]]:
    """(line, start, end, value) of each run of consecutive positions with one value in
    ``items`` of (line, position, value); ``end`` is one past the run."""
    runs: list[list] = []
    for line, at, value in sorted(items, key=lambda item: (item[0], item[1])):
        last = runs[-1] if runs else None
        if last is not None and last[0] == line and last[2] == at and last[3] == value:
            last[2] = at + 1
        else:
            runs.append([line, at, at + 1, value])
    return [tuple(run) for run in runs]


def lay_points(idx: np.ndarray, ys: np.ndarray, xs: np.ndarray, offsets: np.ndarray,
                where: Box, flat: np.ndarray) -> None:
    """:func:`lay` for the pixels (``ys``, ``xs``) whose indices are ``idx``."""
    x0, y0, x1, y1 = where
    inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
    if inside.any():
        idx[inside] = np.take(flat, offsets[ys[inside] - y0, xs[inside] - x0] + idx[inside])


def union(*boxes: Box | None) -> Box | None:
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real),
            max(b[3] for b in real))


def merge(boxes: list[Box]) -> list[Box]:
    """Non-empty boxes, overlapping ones merged into their union."""
    out: list[Box] = []
    for box in boxes:
        if box[0] >= box[2] or box[1] >= box[3]:
            continue
        merged = True
        while merged:
            merged = False
            for other in out:
                if (box[0] < other[2] and other[0] < box[2] and box[1] < other[3]
                        and other[1] < box[3]):
                    out.remove(other)
                    box = union(box, other)  # type: ignore[assignment]
                    merged = True
                    break
        out.append(box)
    return out


def clip(box: Box, canvas: Box) -> Box:
    return (max(box[0], canvas[0]), max(box[1], canvas[1]), min(box[2], canvas[2]),
            min(box[3], canvas[3]))


def tighten(box: Box, changed: np.ndarray) -> tuple[Box, np.ndarray]:
    """Shrink ``box`` to the changed pixels (at least one pixel)."""
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return (box[0], box[1], box[0] + 1, box[1] + 1), np.zeros((1, 1), bool)
    cols = np.flatnonzero(changed.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return ((box[0] + int(c0), box[1] + int(r0), box[0] + int(c1), box[1] + int(r1)),
            changed[r0:r1, c0:c1])
