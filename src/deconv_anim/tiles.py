"""Repainting a frame's changed box tile by tile: only the tiles a shape reaches are painted.

A channel-mode frame changes a few small places far apart (the window on each input slab of
the group, the output cell, the caption) joined by long thin connector lines, so the box
bounding its changes covers most of the canvas. Supersampling that whole box costs about
a second a frame on a 32x32 layer; the same pixels come from painting, tile by tile, only
the shapes that can reach each tile (a line: only the tiles its segments pass near) and
copying the quantized static layer into the rest.

The result is that of painting the whole box (:meth:`deconv_anim.paint.Ops.paint`, then
``static * (1 - alpha) + rgb`` quantized): every pixel's supersamples, blends and
quantization depend on that pixel alone, and a shape that cannot reach a tile paints
nothing there; each tile is painted a margin wider, as Pillow clips a shape at an image's
edge. One thing differs: Pillow's polygon fill (wide lines are polygons) rounds scanline
crossings in floating point relative to the image's origin, so on an exact rounding tie a
line's edge pixel may fall either way (as the whole-box painting's own result already
depends on where the box starts, and on its bands). So boxes under :data:`TILED_FROM`
pixels are painted whole, exactly as before (the gallery's and the golden figures are);
tests/test_tiles.py finds no differing pixel on the frames of the 32x32 3->8 layer it
checks, and, painting small figures by tiles on purpose, at most 2 new edge pixels in a
frame and fewer than one a frame overall.
"""

from __future__ import annotations

import math

import numpy as np

from .paint import Box, Ops, text_sprite
from .palette import quantize

__all__ = ["TILE", "paint_tiles"]

TILE = 64  # pixels per tile side
MARGIN = 4  # each tile is painted this much wider on every side (Pillow's shapes are
# clipped at an image's edge a little differently from the pixels inside), then cropped
HALF_DIAGONAL = TILE * math.sqrt(0.5)
TILED_FROM = 400_000  # boxes of fewer pixels are painted whole


def _op_tiles(kind: str, flat: list[float], width: float, grid: Box) -> list[tuple[int, int]]:
    """Tiles (column, row) of ``grid`` (tile range x0, y0, x1, y1) that an op may touch."""
    xs, ys = flat[0::2], flat[1::2]
    pad = 2 * width + 2 + MARGIN
    tx0 = max(grid[0], math.floor((min(xs) - pad) / TILE))
    ty0 = max(grid[1], math.floor((min(ys) - pad) / TILE))
    tx1 = min(grid[2], math.floor((max(xs) + pad) / TILE) + 1)
    ty1 = min(grid[3], math.floor((max(ys) + pad) / TILE) + 1)
    if tx0 >= tx1 or ty0 >= ty1:
        return []
    if kind != "line" or (tx1 - tx0) * (ty1 - ty0) <= 4:
        return [(tx, ty) for ty in range(ty0, ty1) for tx in range(tx0, tx1)]
    # a long line: the tiles whose centre lies near one of its segments
    cx, cy = np.meshgrid((np.arange(tx0, tx1) + 0.5) * TILE, (np.arange(ty0, ty1) + 0.5) * TILE)
    near = np.zeros(cx.shape, bool)
    for ax, ay, bx, by in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = (np.clip(((cx - ax) * dx + (cy - ay) * dy) / length2, 0, 1) if length2 > 0
             else np.zeros(cx.shape))
        near |= np.hypot(cx - (ax + t * dx), cy - (ay + t * dy)) <= HALF_DIAGONAL + pad
    rows, cols = np.nonzero(near)
    return [(int(tx0 + c), int(ty0 + r)) for r, c in zip(rows, cols)]


def _runs(tiles: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The tiles as runs (row, first column, end column) of neighbours in a row."""
    runs: list[tuple[int, int, int]] = []
    for tx, ty in sorted(tiles, key=lambda t: (t[1], t[0])):
        if runs and runs[-1][0] == ty and runs[-1][2] == tx:
            runs[-1] = (ty, runs[-1][1], tx + 1)
        else:
            runs.append((ty, tx, tx + 1))
    return runs


def paint_tiles(ops: Ops, box: Box, static: np.ndarray, base: np.ndarray,
                pixels: np.ndarray, lut: np.ndarray) -> None:
    """Repaint ``box`` of ``pixels`` (palette indices): ``ops`` over the RGB ``static``
    layer, quantized through ``lut``; where no op reaches, ``base`` (the static layer
    quantized) is copied. A box under :data:`TILED_FROM` pixels is painted whole."""
    x0, y0, x1, y1 = box
    if x0 >= x1 or y0 >= y1:
        return
    if (x1 - x0) * (y1 - y0) < TILED_FROM:
        rgb, alpha = ops.paint(box, None)
        region = static[y0:y1, x0:x1] * (1 - alpha[..., None]) + rgb
        pixels[y0:y1, x0:x1] = quantize(region, lut)
        return
    grid = (x0 // TILE, y0 // TILE, (x1 - 1) // TILE + 1, (y1 - 1) // TILE + 1)
    reach: dict[tuple[int, int], list[int]] = {}
    for n, (kind, flat, _color, width, _alpha, _top, _bottom) in enumerate(ops.ops):
        for tile in _op_tiles(kind, flat, width, grid):
            reach.setdefault(tile, []).append(n)
    words: dict[tuple[int, int], list[int]] = {}
    for n, ((cx, cy), text, size, fill, stroke) in enumerate(ops.texts):
        th, tw = text_sprite(text, size, fill, stroke)[1].shape
        flat = [float(cx) - tw / 2, float(cy) - th / 2, float(cx) + tw / 2, float(cy) + th / 2]
        for tile in _op_tiles("text", flat, 0, grid):
            words.setdefault(tile, []).append(n)
    pixels[y0:y1, x0:x1] = base[y0:y1, x0:x1]
    for ty, tx0, tx1 in _runs(reach.keys() | words.keys()):
        tb = (max(x0, tx0 * TILE), max(y0, ty * TILE), min(x1, tx1 * TILE),
              min(y1, (ty + 1) * TILE))
        ops_in = sorted({n for tx in range(tx0, tx1) for n in reach.get((tx, ty), ())})
        texts_in = sorted({n for tx in range(tx0, tx1) for n in words.get((tx, ty), ())})
        part = Ops()
        part.ops = [ops.ops[n] for n in ops_in]
        part.texts = [ops.texts[n] for n in texts_in]
        bx0, by0, bx1, by1 = tb
        m = MARGIN
        rgb, alpha = part.paint((bx0 - m, by0 - m, bx1 + m, by1 + m), None)
        rgb, alpha = rgb[m:-m, m:-m], alpha[m:-m, m:-m]
        region = static[by0:by1, bx0:bx1] * (1 - alpha[..., None]) + rgb
        pixels[by0:by1, bx0:bx1] = quantize(region, lut)
