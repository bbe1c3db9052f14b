"""The fixed palette every frame is drawn in, and arithmetic on it.

A figure's colours are known before it is drawn: its flat fills, and the mixes its
anti-aliased edges and translucent window make. :func:`build_palette` lists them (at most
``MAX_COLORS``, so GIF codes stay short), :func:`lookup` maps any RGB colour to the nearest
entry through a 32x32x32 table, and :class:`Blender` composites in palette indices: a
sprite laid over the picture is one table lookup per pixel, no colour arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .themes import RGB, Theme, mix

__all__ = ["MAX_COLORS", "TRANSPARENT", "BACKGROUND", "build_palette", "lookup", "quantize",
           "Blender", "blender_for", "mix"]

MAX_COLORS = 64  # 6-bit palette: smaller LZW codes than 8 bits
TRANSPARENT = MAX_COLORS - 1  # palette slot kept free for GIF transparency
BACKGROUND = 0  # palette slot of the background colour


@lru_cache(maxsize=1024)
def mix_cached(a: RGB, b: RGB, t: float) -> RGB:
    """:func:`mix` for hashable colours, remembered (painting asks for the same few)."""
    return mix(a, b, t)


def build_palette(theme: Theme, tints: Sequence[RGB]) -> tuple[np.ndarray, int, int]:
    """A fixed palette for everything a figure can show: its flat colours exactly, and
    the mixes its anti-aliased edges make.

    Returns the palette (256 x 3), how many entries are used, and how many leading entries
    are exact flat colours. Entry 0 is the background; the transparency slot is
    ``TRANSPARENT``."""
    bg, a = theme.background, theme.overlay_alpha
    fills = [bg, theme.input, theme.output, *tints, theme.faded_input, theme.pending_output]
    shaded = [mix(f, theme.overlay, a) for f in fills]
    keys = list(dict.fromkeys([*fills, *shaded, theme.line, theme.text_color, theme.accent,
                               theme.faded_line]))
    # most needed first, as the list is cut at MAX_COLORS: lines over every fill, light
    # text over every fill, edges between fills, then finer steps of each
    colors = list(keys)
    colors += [mix(k, theme.line, 0.5) for k in keys]
    colors += [mix(k, theme.line, t) for k in keys for t in (0.25, 0.75)]
    colors += [mix(k, bg, 0.5) for k in keys]
    colors += [mix(k, other, 0.5) for i, k in enumerate(keys) for other in keys[i + 1:]]
    colors += [mix(k, theme.line, t / 6) for k in keys for t in (1, 5)]
    colors += [mix(k, bg, t) for k in keys for t in (0.25, 0.75)]
    colors = list(dict.fromkeys(colors))[:MAX_COLORS - 1]
    palette = np.zeros((256, 3), np.uint8)
    palette[: len(colors)] = colors
    palette[len(colors):] = bg
    return palette, len(colors), len(keys)


@lru_cache(maxsize=16)
def lookup(palette_bytes: bytes, colors: int, exact: int) -> np.ndarray:
    """32x32x32 lookup table from 5-bit RGB to the nearest of the first ``colors`` palette
    entries; the first ``exact`` entries map exactly (flat fills keep their colour)."""
    palette = np.frombuffer(palette_bytes, np.uint8).reshape(256, 3)[:colors].astype(np.int32)
    levels = np.arange(32, dtype=np.int32) * 8 + 4  # the centre of each 5-bit bucket
    # squared distances add up over the channels: per channel a 32 x colors table, then
    # one sum over the 32x32x32 grid (exact integers: ties go to the first entry)
    d = (levels[:, None, None] - palette.T[None]) ** 2  # [level, channel, entry]
    distance = d[:, None, None, 0] + d[None, :, None, 1] + d[None, None, :, 2]
    lut = distance.reshape(-1, colors).argmin(1).astype(np.uint8)
    # A flat fill composites to its exact colour give or take rounding: pin the buckets
    # of every colour within 2 levels of an exact one to it (earlier entries win).
    near = np.array(np.meshgrid(*[[-2, 0, 2]] * 3, indexing="ij")).reshape(3, -1).T
    for index in range(exact - 1, -1, -1):
        r, g, b = (np.clip(palette[index].astype(int) + near, 0, 255) >> 3).T
        lut[(r << 10) | (g << 5) | b] = index
    lut.flags.writeable = False
    return lut


def quantize(rgb: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """RGB floats (..., 3) to palette indices through the lookup table of :func:`lookup`."""
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    q = rgb >> 3
    key = q[..., 0].astype(np.uint16) << 10
    key |= q[..., 1].astype(np.uint16) << 5
    key |= q[..., 2]
    return np.take(lut, key)  # (as lut[key], without fancy indexing's overhead)


class Blender:
    """Compositing in palette indices.

    A premultiplied colour with an alpha, laid over palette entry ``i``, gives one palette
    entry. Each distinct (colour, alpha) pair a sprite holds gets a row of results, one
    per entry, computed once; from then on a frame composites a sprite over the picture
    with one table lookup per pixel instead of colour arithmetic and quantising. Pairs
    are told apart at 8 bits (premultiplied colour and alpha 0-255), the layers'
    precision. Row 0, for alpha 0, leaves every entry as it is.
    """

    def __init__(self, palette: np.ndarray, lut: np.ndarray) -> None:
        self._colors = palette[:MAX_COLORS].astype(np.float32)
        self._lut = lut
        self._rows: dict[int, int] = {0: 0}
        self._table = [np.arange(MAX_COLORS, dtype=np.uint8)[None]]
        self.flat = self._table[0].ravel()

    def offsets(self, rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """Offsets into :attr:`flat` (row x ``MAX_COLORS``, int32) of each pixel of a
        premultiplied layer (RGB 0-255 and alpha 0-1, floats)."""
        a = np.rint(np.clip(alpha, 0, 1) * 255).astype(np.uint32)
        c = np.rint(np.clip(rgb, 0, 255)).astype(np.uint32)
        key = (a << 24) | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]
        key[a == 0] = 0
        keys, inverse = np.unique(key, return_inverse=True)
        new = [k for k in keys.tolist() if k not in self._rows]
        if new:
            k = np.array(new, np.int64)
            a_new = ((k >> 24) & 255).astype(np.float32) / 255
            c_new = np.stack([(k >> 16) & 255, (k >> 8) & 255, k & 255], -1).astype(np.float32)
            mixed = self._colors[None] * (1 - a_new)[:, None, None] + c_new[:, None, :]
            for key_new in new:
                self._rows[key_new] = len(self._rows)
            self._table.append(quantize(mixed, self._lut))
            self.flat = np.concatenate(self._table).ravel()
        rows = np.array([self._rows[k] for k in keys.tolist()], np.int32) * MAX_COLORS
        return rows[inverse.reshape(key.shape)]

    @property
    def rows(self) -> int:
        return len(self._rows)


MAX_BLEND_ROWS = 20_000  # a shared table this long is started afresh (rows are 64 bytes)


def blender_for(palette_bytes: bytes, colors: int, exact: int) -> Blender:
    """The blend table of a palette, shared by every raster on it in this process (so a
    sprite drawn for one figure serves the next)."""
    blender = _shared_blender(palette_bytes, colors, exact)
    if blender.rows > MAX_BLEND_ROWS:
        _shared_blender.cache_clear()
        blender = _shared_blender(palette_bytes, colors, exact)
    return blender


@lru_cache(maxsize=8)
def _shared_blender(palette_bytes: bytes, colors: int, exact: int) -> Blender:
    """One blend table per palette in this process."""
    palette = np.frombuffer(palette_bytes, np.uint8).reshape(256, 3)
    return Blender(palette, lookup(palette_bytes, colors, exact))
