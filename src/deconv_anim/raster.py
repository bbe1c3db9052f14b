"""Raster: the scene drawn into palette-indexed frames with Pillow and NumPy.

Units become pixels once, here: each grid unit vector is rounded to whole pixels, so every
grid corner lands on an exact pixel and a sprite drawn once (the kernel window, the
highlighted cell) is the same at every position. What never changes (the input grid, the
title) is painted once with 3x supersampling; per frame only the moving parts are
composited, inside the box they cover, and mapped to one fixed palette through a lookup
table. Each frame reports the box that changed since the previous one, so an encoder
writes only that.

Layers, bottom to top: the input layer (input grid, captions), sprites on the input grid
(the window in the gather view, the current input cell in the scatter view), the
connector lines, the output layer (output grid, redrawn where its cells change), sprites
on the output grid, and the caption line of the current step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .palette import (
    BACKGROUND,
    MAX_COLORS,
    TRANSPARENT,
    Blender,
    blender_for,
    build_palette,
    lookup,
    mix,
    mix_cached,
    quantize,
)
from .report import format_value, summary
from .scene import CellKind, Frame, Grid, Scene
from .themes import RGB, Theme

__all__ = ["Raster", "SideBySide", "RasterFrame", "Look", "TRANSPARENT", "BACKGROUND"]

SUPERSAMPLE = 3
CONNECTOR_WIDTH = 0.75  # connector lines, relative to grid lines
WINDOW_OUTLINE = 1.0  # kernel window cell outlines, relative to grid lines
CONNECTOR_LEVELS = 2  # coverage steps of the connector lines' anti-aliasing (smaller GIFs)
MAX_BAND_PIXELS = 12_000_000  # supersampled pixels painted at once
MAX_TERMS = 9  # terms of a sum shown in the caption before "..."
CAPTION_LINES = 2  # lines kept for the caption of the current step
LEGEND_LABEL = "stamps per output cell:"
MAX_TINTS = 8  # tints of the overlap map; more stamp counts than this share tints
MAX_CACHED_SPRITES = 256  # painted sprites kept in a process
MAX_CACHED_LINES = 64  # shapes of connector lines kept per raster
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


@dataclass(frozen=True)
class Look:
    """How a raster draws: colours, sizes, and which teaching aids are on."""

    theme: Theme
    cell: int = 30
    line_width: float | None = None  # pixels; default cell / 16
    numbers: bool = False
    labels: bool = False
    overlap: bool = False
    transparent: bool = False


@dataclass(frozen=True)
class RasterFrame:
    """One frame: the full canvas as palette indices, and what changed.

    ``pixels`` is the renderer's working buffer: read it before asking for the next frame.
    ``box`` bounds the pixels that differ from the previous frame (the whole canvas for
    frame 0); ``changed`` is the mask of those pixels inside ``box`` (None: all of it).
    ``step`` is the trace step shown; ``phase`` is 0 for the step's own frame and the
    fraction of the way to the next step for in-between (tween) frames.
    """

    index: int
    pixels: np.ndarray
    box: Box
    changed: np.ndarray | None
    step: int = 0
    phase: float = 0.0


# ----------------------------------------------------------------------------- colours


def _luminance(c: Sequence[float]) -> float:
    return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255


def _contrast(fill: Sequence[float], theme: Theme) -> RGB:
    """The text colour (line or background colour) that reads best on ``fill``."""
    a, b = theme.text_color, theme.background
    la, lb, lf = _luminance(a), _luminance(b), _luminance(fill)
    return a if abs(la - lf) >= abs(lb - lf) else b


# ----------------------------------------------------------------------------- text


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font (no system font path, the same on every machine)."""
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4096)
def _text_sprite(text: str, size: int, fill: RGB, stroke: RGB | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Premultiplied RGB and alpha of ``text`` (with an optional 1 px halo)."""
    font = _font(size)
    sw = 1 if stroke else 0
    x0, y0, x1, y1 = font.getbbox(text, stroke_width=sw)
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    body = Image.new("L", (w, h))
    ImageDraw.Draw(body).text((-x0, -y0), text, font=font, fill=255)
    b = np.asarray(body, np.float32) / 255
    if stroke:
        halo = Image.new("L", (w, h))
        ImageDraw.Draw(halo).text((-x0, -y0), text, font=font, fill=255, stroke_width=1,
                                  stroke_fill=255)
        a = np.maximum(np.asarray(halo, np.float32) / 255, b)
        rgb = (np.array(stroke, np.float32) * (a - b)[..., None]
               + np.array(fill, np.float32) * b[..., None])
    else:
        a = b
        rgb = np.array(fill, np.float32) * b[..., None]
    rgb.flags.writeable = False
    a.flags.writeable = False
    return rgb, a


# ----------------------------------------------------------------------------- painting


class _Ops:
    """Draw operations in pixel coordinates, replayed onto supersampled images.

    Polygons and lines are supersampled; text is drawn at full size after.
    """

    def __init__(self) -> None:
        self.ops: list[tuple] = []
        self.texts: list[tuple] = []

    # each op: (kind, flat points [x0, y0, x1, y1, ...] as plain numbers, colour, width
    # (0 for polygons), alpha, top, bottom); top and bottom are its vertical reach, so
    # painting a band skips what cannot touch it
    def polygon(self, points: np.ndarray, fill: RGB, alpha: float = 1.0) -> None:
        flat = np.asarray(points, float).ravel().tolist()
        ys = flat[1::2]
        self.ops.append(("polygon", flat, fill, 0, alpha, min(ys), max(ys)))

    def line(self, points: np.ndarray | Sequence[float], color: RGB, width: float,
             alpha: float = 1.0) -> None:
        """A polyline through ``points`` ((n, 2), or flat x0, y0, x1, y1, ...)."""
        flat = points if isinstance(points, list) else np.asarray(points, float).ravel().tolist()
        ys = flat[1::2]
        self.ops.append(("line", flat, color, width, alpha, min(ys) - 2 * width,
                         max(ys) + 2 * width))

    def text(self, centre: Sequence[float], text: str, size: int, fill: RGB,
             stroke: RGB | None = None) -> None:
        self.texts.append((np.asarray(centre, float), text, size, fill, stroke))

    def bounds(self, pad: float) -> Box:
        xs = [v for op in self.ops for v in op[1][0::2]]
        ys = [v for op in self.ops for v in op[1][1::2]]
        return self.box_of(np.array([[min(xs), min(ys)], [max(xs), max(ys)]]), pad)

    @staticmethod
    def box_of(pts: np.ndarray, pad: float) -> Box:
        x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
        return int(x0), int(y0), int(x1), int(y1)

    def paint(self, box: Box, background: RGB | None,
              shift: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
        """Paint into ``box``: (premultiplied RGB float32 [h, w, 3], alpha float32 [h, w]).

        With a ``background`` the result is opaque (alpha 1). ``shift`` moves everything
        by a fraction of a pixel (tween frames)."""
        x0, y0, x1, y1 = box
        rgb = np.empty((y1 - y0, x1 - x0, 3), np.float32)
        alpha = np.empty((y1 - y0, x1 - x0), np.float32)
        self.paint_into(rgb, alpha, box, background, shift)
        return rgb, alpha

    def paint_into(self, rgb: np.ndarray, alpha: np.ndarray | None, box: Box,
                   background: RGB | None, shift: tuple[float, float] = (0.0, 0.0)) -> None:
        """Paint into arrays covering ``box``, band by band (memory stays bounded).

        float32 arrays receive 0-255 colours and 0-1 alpha; uint8 arrays 0-255 both."""
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        ss = SUPERSAMPLE
        band = max(1, MAX_BAND_PIXELS // max(1, w * ss * ss))
        black = (0, 0, 0)
        for top in range(0, h, band):
            bh = min(band, h - top)
            if not self.ops:  # text only: nothing to supersample
                band_rgb = np.empty((bh, w, 3), np.float32)
                band_rgb[:] = background or black
                band_alpha = np.full((bh, w), 1.0 if background else 0.0, np.float32)
                self._paint_texts(band_rgb, band_alpha, (x0, y0 + top, x1, y0 + top + bh), shift)
                self._store(rgb, alpha, top, band_rgb, band_alpha)
                continue
            color = Image.new("RGB", (w * ss, bh * ss), background or black)
            dc = ImageDraw.Draw(color)
            dm = None
            if background is None:
                mask = Image.new("L", (w * ss, bh * ss), 0)
                dm = ImageDraw.Draw(mask)
            ox, oy = x0 - shift[0], y0 + top - shift[1]
            band_top, band_bottom = y0 + top - 2, y0 + top + bh + 2
            for kind, points, col, width, a, op_top, op_bottom in self.ops:
                if op_bottom + shift[1] < band_top or op_top + shift[1] > band_bottom:
                    continue
                pts = [(v - oy if i & 1 else v - ox) * ss for i, v in enumerate(points)]
                paint = mix_cached(background or black, col, a) if (background or a < 1) else col
                if kind == "polygon":
                    dc.polygon(pts, fill=paint)
                    if dm is not None:
                        dm.polygon(pts, fill=round(255 * a))
                else:
                    wpx = max(1, round(width * ss))
                    dc.line(pts, fill=paint, width=wpx)
                    if dm is not None:
                        dm.line(pts, fill=round(255 * a), width=wpx)
            if rgb.dtype == np.uint8 and not self.texts:  # bytes to bytes, no arithmetic
                rgb[top:top + bh] = np.asarray(color.reduce(ss))
                if alpha is not None:
                    alpha[top:top + bh] = (255 if dm is None else np.asarray(mask.reduce(ss)))
                continue
            band_rgb = np.asarray(color.reduce(ss), np.float32)
            band_alpha = (np.ones((bh, w), np.float32) if dm is None else
                          np.asarray(mask.reduce(ss), np.float32) / 255.0)
            self._paint_texts(band_rgb, band_alpha, (x0, y0 + top, x1, y0 + top + bh), shift)
            self._store(rgb, alpha, top, band_rgb, band_alpha)

    def _paint_texts(self, rgb: np.ndarray, alpha: np.ndarray, box: Box,
                     shift: tuple[float, float]) -> None:
        for centre, text, size, fill, stroke in self.texts:
            trgb, ta = _text_sprite(text, size, fill, stroke)
            th, tw = ta.shape
            cx, cy = centre + np.asarray(shift)
            _blend(rgb, alpha, box, trgb, ta,
                   (round(cx - tw / 2), round(cy - th / 2), round(cx - tw / 2) + tw,
                    round(cy - th / 2) + th))

    @staticmethod
    def _store(rgb: np.ndarray, alpha: np.ndarray | None, top: int, band_rgb: np.ndarray,
               band_alpha: np.ndarray) -> None:
        bh = len(band_rgb)
        if rgb.dtype == np.uint8:
            rgb[top:top + bh] = np.clip(band_rgb + 0.5, 0, 255).astype(np.uint8)
            if alpha is not None:
                alpha[top:top + bh] = np.clip(band_alpha * 255 + 0.5, 0, 255).astype(np.uint8)
        else:
            rgb[top:top + bh] = band_rgb
            if alpha is not None:
                alpha[top:top + bh] = band_alpha


def _blend(rgb: np.ndarray, alpha: np.ndarray | None, box: Box, src_rgb: np.ndarray,
           src_alpha: np.ndarray, where: Box) -> None:
    """Composite a premultiplied sprite placed at ``where`` over ``rgb`` covering ``box``."""
    ix0, iy0 = max(box[0], where[0]), max(box[1], where[1])
    ix1, iy1 = min(box[2], where[2]), min(box[3], where[3])
    if ix0 >= ix1 or iy0 >= iy1:
        return
    dy, dx = slice(iy0 - box[1], iy1 - box[1]), slice(ix0 - box[0], ix1 - box[0])
    sy, sx = slice(iy0 - where[1], iy1 - where[1]), slice(ix0 - where[0], ix1 - where[0])
    a = src_alpha[sy, sx]
    dst = rgb[dy, dx]
    dst *= 1 - a[..., None]
    dst += src_rgb[sy, sx]
    if alpha is not None:
        alpha[dy, dx] = alpha[dy, dx] * (1 - a) + a


# ----------------------------------------------------------------------------- lines


def _segment_pixels(p0: np.ndarray, p1: np.ndarray, width: float, levels: int = 255
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Anti-aliased pixels of the segments ``p0[i]``-``p1[i]``, all at once: (ys, xs,
    coverage), coverage in (0, 1] rounded to multiples of 1 / ``levels``.

    Each segment is walked along its major axis, one pixel centre at a time; the pixels
    across it are covered by how far their centres lie from the line."""
    d = p1 - p0
    length = np.hypot(d[:, 0], d[:, 1])
    # per segment, in plain numbers (there are a handful): the major axis, the first and
    # the number of pixel centres along it, the line's offset and slope across it
    params, start = [], 0
    for (x0, y0), (x1, y1), (dx, dy), ln in zip(p0.tolist(), p1.tolist(), d.tolist(),
                                                 length.tolist()):
        if ln <= 1e-9:
            continue
        along_x = abs(dx) >= abs(dy)
        a0, a1, b0, da, db = (x0, x1, y0, dx, dy) if along_x else (y0, y1, x0, dy, dx)
        lo, hi = min(a0, a1), max(a0, a1)
        first, end = math.floor(lo), math.ceil(hi)  # centres k + 0.5 with lo <= . <= hi
        first += first + 0.5 < lo
        end -= end - 0.5 > hi
        if end > first:
            params.append((a0, b0, da, db, abs(da) / ln, start - first, along_x, end - first))
            start += end - first
    if not params:
        return np.empty(0, int), np.empty(0, int), np.empty(0, np.float32)
    table = np.array([p[:7] for p in params], float)
    per_step = np.repeat(table, [p[7] for p in params], axis=0)
    k = np.arange(start) - per_step[:, 5]  # the major-axis pixel of each step
    t = (k + 0.5 - per_step[:, 0]) / per_step[:, 2]
    centre = per_step[:, 1] + t * per_step[:, 3]
    scale = per_step[:, 4]  # minor-axis distance -> perpendicular distance
    reach = int(np.ceil(width / 2 / min(p[4] for p in params) + 1))
    offsets = np.arange(-reach, reach + 1)
    minor_px = np.floor(centre)[:, None] + offsets[None, :]
    dist = np.abs(minor_px + 0.5 - centre[:, None]) * scale[:, None]
    cover = np.round(np.clip(width / 2 + 0.5 - dist, 0, 1) * levels) / levels
    kept = np.flatnonzero(cover > 0)
    row = kept // len(offsets)  # the step each kept pixel belongs to
    minor_kept = minor_px.ravel()[kept].astype(int)
    major_kept = k.astype(int)[row]
    along_x = per_step[row, 6] > 0
    xs = np.where(along_x, major_kept, minor_kept)
    ys = np.where(along_x, minor_kept, major_kept)
    return ys, xs, cover.ravel()[kept].astype(np.float32)


# ----------------------------------------------------------------------------- sprites


class _Sprite:
    """Draw operations placed relative to a reference position, painted once per
    sub-pixel phase (whole-pixel moves reuse the same pixels)."""

    def __init__(self, ops: _Ops, pad: float, blender: Blender) -> None:
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
        offsets = _sprite_cache.get(key)
        if offsets is None:
            offsets = self._blender.offsets(*self.ops.paint(self.box, None, frac))
            offsets.flags.writeable = False
            if len(_sprite_cache) >= MAX_CACHED_SPRITES:
                _sprite_cache.clear()
            _sprite_cache[key] = offsets
        x0, y0, x1, y1 = self.box
        return offsets, (x0 + int(ix), y0 + int(iy), x1 + int(ix), y1 + int(iy))


_sprite_cache: dict[tuple, np.ndarray] = {}  # (blender, look, sub-pixel phase) -> offsets


def _lay(idx: np.ndarray, box: Box, offsets: np.ndarray, where: Box, flat: np.ndarray
         ) -> None:
    """Lay a sprite's blend offsets placed at ``where`` over indices ``idx`` of ``box``."""
    ix0, iy0 = max(box[0], where[0]), max(box[1], where[1])
    ix1, iy1 = min(box[2], where[2]), min(box[3], where[3])
    if ix0 >= ix1 or iy0 >= iy1:
        return
    dst = idx[iy0 - box[1]:iy1 - box[1], ix0 - box[0]:ix1 - box[0]]
    dst[...] = flat[offsets[iy0 - where[1]:iy1 - where[1], ix0 - where[0]:ix1 - where[0]] + dst]


def _runs(items: Iterable[tuple[int, int, object]]) -> list[tuple[int, int, int, object]]:
    """(line, start, end, value) of each run of consecutive positions with one value in
    ``items`` of (line, position, value); ``end`` is one past the run."""
    runs: list[list] = []
    for line, at, value in sorted(items, key=lambda item: (item[0], item[1])):
        last = runs[-1] if runs else None
        if last is not None and last[0] == line and last[2] == at and last[3] == value:
            last[2] = at + 1
        else:
            runs.append([line, at, at + 1, value])
    return [tuple(run) for run in runs]  # type: ignore[misc]


def _lay_points(idx: np.ndarray, ys: np.ndarray, xs: np.ndarray, offsets: np.ndarray,
                where: Box, flat: np.ndarray) -> None:
    """:func:`_lay` for the pixels (``ys``, ``xs``) whose indices are ``idx``."""
    x0, y0, x1, y1 = where
    inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
    if inside.any():
        idx[inside] = flat[offsets[ys[inside] - y0, xs[inside] - x0] + idx[inside]]


def _union(*boxes: Box | None) -> Box | None:
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real),
            max(b[3] for b in real))


def _merge(boxes: list[Box]) -> list[Box]:
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
                    box = _union(box, other)  # type: ignore[assignment]
                    merged = True
                    break
        out.append(box)
    return out


def _clip(box: Box, canvas: Box) -> Box:
    return (max(box[0], canvas[0]), max(box[1], canvas[1]), min(box[2], canvas[2]),
            min(box[3], canvas[3]))


def _tighten(box: Box, changed: np.ndarray) -> tuple[Box, np.ndarray]:
    """Shrink ``box`` to the changed pixels (at least one pixel)."""
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return (box[0], box[1], box[0] + 1, box[1] + 1), np.zeros((1, 1), bool)
    cols = np.flatnonzero(changed.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return ((box[0] + int(c0), box[1] + int(r0), box[0] + int(c1), box[1] + int(r1)),
            changed[r0:r1, c0:c1])


# ----------------------------------------------------------------------------- raster


class Raster:
    """Draws one view of a :class:`~deconv_anim.scene.Scene` into palette-indexed frames.

    Parameters
    ----------
    scene : Scene
    look : Look
    palette : (numpy.ndarray, int, int), optional
        A palette made by another raster (to share one between side-by-side panels).
    min_height : int
        Pad the canvas to at least this height.
    """

    def __init__(self, scene: Scene, look: Look, *, palette: tuple | None = None,
                 min_height: int = 0, heading: str | None = None) -> None:
        self.scene, self.look, self.theme = scene, look, look.theme
        cell = look.cell
        (ax, ay), (bx, by) = scene.basis
        self.ex = np.array([round(cell * ax), -round(cell * ay)])
        self.ey = np.array([round(cell * bx), -round(cell * by)])
        self.line_width = look.line_width or max(1.0, cell / 16)
        self.margin = max(4, round(cell * 0.4))
        self._offsets = {g.name: np.array([round(cell * g.offset[0]), -round(cell * g.offset[1])])
                         for g in (scene.input, scene.output)}
        self._origin = np.zeros(2, int)
        self._counts = self._stamp_counts() if self.scene.spec.is_transposed else None
        self._max_count = int(self._counts.max()) if self._counts is not None else 1
        x0, y0, x1, y1 = self._figure_box()
        width = x1 - x0 + 2 * self.margin
        self.figure_height = int(y1 - y0 + 2 * self.margin)
        self.text_size = max(10, round(cell * (0.34 if look.numbers else 0.45)))
        self._line_height = round(self.text_size * 1.35)
        self._caption = look.numbers or look.labels
        self._legend = scene.view == "scatter" or (look.overlap and scene.spec.is_transposed)
        if self._legend:  # wide enough for the legend, the figure centred
            width = max(width, math.ceil(self.legend_width()) + 2 * self.margin)
        self._origin = np.array([(width - (x1 - x0)) // 2 - x0, self.margin - y0])
        self._static_lines = self._wrap(self._static_text(heading), width)
        rows = len(self._static_lines) + CAPTION_LINES * self._caption + self._legend
        height = self.figure_height + rows * self._line_height + (self.margin // 2 if rows else 0)
        self.size = (int(width), int(max(height, min_height)))
        tinted = scene.view == "scatter" or look.overlap
        self._tint_levels = self.tints() if tinted else []
        self.palette, colors, exact = palette or build_palette(self.theme, self._tint_levels)
        self._palette_args = (self.palette, colors, exact)
        self._lut = lookup(self.palette.tobytes(), colors, exact)
        self._blender = blender_for(self.palette.tobytes(), colors, exact)
        levels = np.arange(CONNECTOR_LEVELS + 1, dtype=np.float32) / CONNECTOR_LEVELS
        self._line_offsets = self._blender.offsets(
            np.array(self.theme.line, np.float32) * levels[:, None], levels)

    @property
    def palette_args(self) -> tuple:
        return self._palette_args

    # the layout, shared with the SVG writer
    line_height = property(lambda self: self._line_height)
    static_lines = property(lambda self: self._static_lines, doc="Title and label lines.")
    has_legend = property(lambda self: self._legend, doc="Whether a tint legend is drawn.")
    stamp_counts = property(lambda self: self._counts,
                            doc="Stamps per output cell (transposed ops), else None.")
    has_caption = property(lambda self: self._caption, doc="Whether steps have a caption.")
    caption_lines = CAPTION_LINES

    @property
    def caption_top(self) -> int:
        """Top of the caption lines: under the figure and its static lines."""
        return self.figure_height + len(self._static_lines) * self._line_height

    # -- geometry -----------------------------------------------------------------------

    def _corner_xy(self, grid: Grid, r: float, c: float) -> tuple[float, float]:
        # plain Python numbers: this runs for every corner of every cell drawn
        (ox, oy), (fx, fy) = self._origin.tolist(), self._offsets[grid.name].tolist()
        (ax, ay), (bx, by) = self.ex.tolist(), self.ey.tolist()
        k = grid.rows - r
        return ox + fx + c * ax + k * bx, oy + fy + c * ay + k * by

    def corner(self, grid: Grid, r: float, c: float) -> np.ndarray:
        """Pixel position of the top-left corner of matrix cell (r, c) of ``grid``."""
        return np.array(self._corner_xy(grid, r, c), float)

    def cell_polygon(self, grid: Grid, r: float, c: float, h: float = 1, w: float = 1
                     ) -> np.ndarray:
        x, y = self._corner_xy(grid, r, c)
        (ax, ay), (bx, by) = self.ex.tolist(), self.ey.tolist()
        return np.array([(x, y), (x + w * ax, y + w * ay),
                         (x + w * ax - h * bx, y + w * ay - h * by), (x - h * bx, y - h * by)],
                        float)

    def cell_center(self, grid: Grid | str, r: int, c: int) -> tuple[int, int]:
        """Pixel (x, y) of the centre of matrix cell (r, c): what pixel tests sample."""
        g = self.scene.grid(grid) if isinstance(grid, str) else grid
        x, y = self.cell_polygon(g, r, c).mean(axis=0)
        return int(np.floor(x)), int(np.floor(y))

    def _figure_box(self) -> Box:
        s = self.scene
        polys = []
        for grid in (s.input, s.output):
            r0, c0 = grid.first
            rows, cols = grid.kinds.shape
            polys.append(self.cell_polygon(grid, r0, c0, rows, cols))
        if s.view == "scatter":  # stamps may reach past the output grid
            spec = s.spec
            kh, kw = s.window_extent
            last = ((spec.input_size[0] - 1) * spec.stride[0] - spec.padding[0],
                    (spec.input_size[1] - 1) * spec.stride[1] - spec.padding[2])
            for r in (-spec.padding[0], last[0]):
                for c in (-spec.padding[2], last[1]):
                    polys.append(self.cell_polygon(s.output, r, c, kh, kw))
        return _Ops.box_of(np.concatenate(polys), 0)

    # -- text ---------------------------------------------------------------------------

    def _static_text(self, heading: str | None) -> list[str]:
        scene, look = self.scene, self.look
        lines = [line for line in (heading, scene.title) if line]
        if look.labels:
            lines.append(summary(scene.spec))
        if look.numbers and scene.spec.is_transposed and scene.view == "gather":
            lines.append("The window applies the kernel rotated by 180 degrees.")
        return lines

    def _wrap(self, lines: list[str], width: int) -> list[str]:
        font, room, out = _font(self.text_size), width - 2 * self.margin, []
        for text in lines:
            line = ""
            for word in text.split():
                trial = f"{line} {word}".strip()
                if line and font.getlength(trial) > room:
                    out.append(line)
                    line = word
                else:
                    line = trial
            out.append(line)
        return out

    def _fit(self, text: str) -> str:
        """Fit a caption into its lines (wrapped at ' + '), shortened in the middle if it
        must be, keeping its end (the result)."""
        font, room = _font(self.text_size), self.size[0] - 2 * self.margin

        def lines(t: str) -> list[str]:
            out, line = [], ""
            for word in t.split(" "):
                trial = f"{line} {word}" if line else word
                if line and font.getlength(trial) > room:
                    out.append(line)
                    line = word
                else:
                    line = trial
            return [*out, line]

        if len(lines(text)) <= CAPTION_LINES or " = " not in text:
            return "\n".join(lines(text)[:CAPTION_LINES])
        head, _, result = text.rpartition(" = ")
        while head and len(lines(f"{head} ... = {result}")) > CAPTION_LINES:
            head = head[: head.rfind(" ")] if " " in head else ""
        return "\n".join(lines(f"{head} ... = {result}"))

    def caption(self, frame: Frame) -> str:
        """The caption line of a step: the sum being formed, and/or the step's indices."""
        scene, step, spec = self.scene, frame.step, self.scene.spec
        r, c = step.cell
        parts = []
        if self.look.labels:
            where = "out" if scene.view == "gather" else "x"
            parts.append(f"step {step.index + 1}/{len(scene)}:" if self.look.numbers
                         else f"step {step.index + 1}/{len(scene)}: {where}[{r}, {c}]")
        if self.look.numbers:
            x, w = spec.input, spec.weights
            taps = step.taps
            values = [format_value(x[t[2], t[3]]) for t in taps]
            if scene.view == "scatter":
                parts.append(f"x[{r}, {c}] = {format_value(step.value)} stamps "
                             f"{format_value(step.value)} * w onto {len(taps)} output cells")
            elif spec.op == "maxpool":
                parts.append(f"out[{r}, {c}] = max({', '.join(values)}) = "
                             f"{format_value(step.value)}")
            elif spec.op == "avgpool":
                count = (spec.kernel_size[0] * spec.kernel_size[1] if spec.count_include_pad
                         else len(taps))
                parts.append(f"out[{r}, {c}] = ({' + '.join(values) or '0'}) / {count} = "
                             f"{format_value(step.value)}")
            else:
                terms = [f"{v}*{format_value(w[t[0], t[1]])}" for v, t in zip(values, taps)]
                if len(terms) > MAX_TERMS:
                    terms = [*terms[:MAX_TERMS - 1], "..."]
                if terms:
                    parts.append(f"out[{r}, {c}] = {' + '.join(terms)} = "
                                 f"{format_value(step.value)}")
                else:
                    parts.append(f"out[{r}, {c}] = (no input cell under the window) = 0")
        return self._fit(" ".join(parts))

    # -- cells --------------------------------------------------------------------------

    def _stamp_counts(self) -> np.ndarray:
        """How many stamps land on each output cell (separable: rows times columns)."""
        spec = self.scene.spec
        per_axis = []
        for axis in (0, 1):
            n, k = spec.input_size[axis], spec.kernel_size[axis]
            s, d, t = spec.stride[axis], spec.dilation[axis], spec.padding[2 * axis]
            o = (np.arange(n)[:, None] * s + np.arange(k)[None, :] * d - t).ravel()
            o = o[(o >= 0) & (o < spec.output_size[axis])]
            per_axis.append(np.bincount(o, minlength=spec.output_size[axis]))
        return np.outer(*per_axis)

    def _tint_classes(self) -> list[tuple[int, int]]:
        """Stamp counts shown with one tint each, as (lowest, highest) count: every count
        that occurs (in the scatter view every count up to the largest, as the output
        fills up), or 8 equal bins when there are more than 8."""
        top = self._max_count
        if self.scene.view == "scatter":
            counts = list(range(1, top + 1))
        else:
            counts = sorted(int(c) for c in np.unique(self._counts) if c > 0)
        if len(counts) <= MAX_TINTS:
            return [(c, c) for c in counts]
        edges = [0, *(-(-level * top // MAX_TINTS) for level in range(1, MAX_TINTS + 1))]
        return [(lo + 1, hi) for lo, hi in pairwise(edges) if hi > lo]

    def tints(self) -> list[RGB]:
        """The fills of :meth:`_tint_classes`, lightest first."""
        return [self.tint(hi) for _, hi in self._tint_classes()]

    def tint(self, count: int) -> RGB:
        """The fill of an output cell hit by ``count`` stamps (background for none)."""
        if count <= 0:
            return self.theme.background
        top = self._max_count
        if top > MAX_TINTS and len(self._tint_classes()) == MAX_TINTS:  # binned
            count = next(hi for lo, hi in self._tint_classes() if lo <= count <= hi)
        f = 0.3 + 0.7 * min(count, top) / top
        return mix(self.theme.background, self.theme.output, f)

    def _cell_text(self, grid: Grid, r: int, c: int, text: str, fill: RGB, ops: _Ops,
                   size: int | None = None, faded: bool = False) -> None:
        centre = self.cell_polygon(grid, r, c).mean(axis=0)
        color = _contrast(fill, self.theme)
        if faded:
            color = mix(fill, color, 0.5)
        ops.text(centre, text, size or round(self.look.cell * 0.38), color)

    def _grid_ops(self, grid: Grid, ops: _Ops, *, fills: np.ndarray | None = None,
                  texts: np.ndarray | None = None, only: np.ndarray | None = None) -> None:
        """Cells of ``grid`` (only those where the boolean mask ``only`` is set, if given)."""
        theme, lw = self.theme, self.line_width
        r0, c0 = grid.first
        kinds = grid.kinds
        dashed_edges: set[tuple[str, int, int]] = set()
        solid_edges: set[tuple[str, int, int]] = set()
        faded_line = mix(theme.background, theme.line, 0.35)
        faded_fill = mix(theme.background, theme.input, 0.3)
        numbers = self.look.numbers
        filled, zeros = [], []
        chosen = np.ones(kinds.shape, bool) if only is None else only
        for i, j in zip(*np.nonzero(chosen & (kinds != CellKind.NONE))):
            kind = kinds[i, j]
            r, c = r0 + i, c0 + j
            edges = {("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1)}
            if kind in (CellKind.PADDING, CellKind.ZERO):
                dashed_edges |= edges
                zeros.append((r, c))
            elif kind in (CellKind.INPUT, CellKind.OUTPUT):
                solid_edges |= edges
                filled.append((r, c, kind))
            elif kind == CellKind.CROPPED:
                ops.polygon(self.cell_polygon(grid, r, c), faded_fill)
                for edge in sorted(edges):
                    self._dashes(grid, edge, ops, faded_line, lw)
                if numbers:
                    u, v = self._input_index(r, c)
                    self._cell_text(grid, r, c, format_value(self.scene.spec.input[u, v]),
                                    faded_fill, ops, faded=True)
        for edge in sorted(dashed_edges - solid_edges):
            self._dashes(grid, edge, ops, theme.line, lw)
        # fills, then lines: a row's run of cells of one fill is one polygon, a run of
        # edges along one grid line is one line (fewer, longer shapes; the same pixels
        # give or take the anti-aliasing where short pieces met)
        colored = []
        for r, c, kind in filled:
            if kind == CellKind.INPUT:
                fill = theme.input
            elif fills is None:
                fill = theme.output
            else:
                fill = tuple(int(v) for v in fills[r, c])
            colored.append((r, c, fill))
        for r, c0, c1, fill in _runs(colored):
            ops.polygon(self.cell_polygon(grid, r, c0, 1, c1 - c0), fill)
        across = [(r, c, None) for kind, r, c in solid_edges if kind == "h"]
        for r, c0, c1, _ in _runs(across):
            ops.line([*self._corner_xy(grid, r, c0), *self._corner_xy(grid, r, c1)],
                     theme.line, lw)
        down = [(c, r, None) for kind, r, c in solid_edges if kind == "v"]
        for c, r0, r1, _ in _runs(down):
            ops.line([*self._corner_xy(grid, r0, c), *self._corner_xy(grid, r1, c)],
                     theme.line, lw)
        if numbers:
            spec = self.scene.spec
            # padding is zeros, except where a pool ignores it (max; mean without it)
            ignored = spec.op == "maxpool" or (spec.op == "avgpool"
                                               and not spec.count_include_pad)
            for r, c in [] if ignored else zeros:
                self._cell_text(grid, r, c, "0", theme.background, ops, faded=True)
            for r, c, kind in filled:
                if kind == CellKind.INPUT:
                    u, v = self._input_index(r, c)
                    self._cell_text(grid, r, c, format_value(self.scene.spec.input[u, v]),
                                    theme.input, ops)
                elif texts is not None and texts[r, c]:
                    fill = tuple(int(v) for v in fills[r, c]) if fills is not None else (
                        theme.output)
                    self._cell_text(grid, r, c, texts[r, c], fill, ops)

    def _input_index(self, r: int, c: int) -> tuple[int, int]:
        """The op's input cell drawn at matrix cell (r, c) of the input grid."""
        if self.scene.view == "scatter":
            return r, c
        g = self.scene.spec.gather
        return (r - g.padding[0]) // g.spacing[0], (c - g.padding[2]) // g.spacing[1]

    def _dashes(self, grid: Grid, edge, ops: _Ops, color: RGB, width: float) -> None:
        kind, r, c = edge
        ax, ay = self._corner_xy(grid, r, c)
        bx, by = self._corner_xy(grid, *((r, c + 1) if kind == "h" else (r + 1, c)))
        dx, dy = bx - ax, by - ay
        for start in (0.1, 0.6):  # two dashes per edge, corners open, as TikZ's dashed
            end = start + 0.3
            ops.line([ax + dx * start, ay + dy * start, ax + dx * end, ay + dy * end],
                     color, width)

    # -- output cell states -------------------------------------------------------------

    def _output_start(self) -> tuple[np.ndarray, np.ndarray]:
        """Fills and texts of the output cells before the first step."""
        spec, theme, look = self.scene.spec, self.theme, self.look
        rows, cols = spec.output_size
        fills = np.empty((rows, cols, 3), np.uint8)
        if self.scene.view == "scatter":
            fills[:] = theme.background
        elif look.overlap and self._counts is not None:
            fills[:] = np.array([self.tint(int(n)) for n in self._counts.ravel()]
                                ).reshape(rows, cols, 3)
        else:
            fills[:] = theme.output
        if look.numbers and self.scene.view == "gather":
            self._final_fills = fills.copy()
            fills[:] = mix(theme.background, theme.output, 0.25)
        texts = np.full((rows, cols), None, dtype=object)
        if look.numbers and self.scene.view == "scatter":
            texts[:] = "0"  # the running sums start at zero
        return fills, texts

    def _output_step(self, frame: Frame, fills: np.ndarray, texts: np.ndarray,
                     state: dict) -> list[tuple[int, int]]:
        """Apply one step to the output cells; return the cells that changed."""
        step = frame.step
        if self.scene.view == "scatter":
            taps = step.taps
            if not len(taps):
                return []
            ro, co = taps[:, 4], taps[:, 5]
            counts, sums = state["counts"], state["sums"]
            np.add.at(counts, (ro, co), 1)
            w = self.scene.spec.weights
            np.add.at(sums, (ro, co), step.value * w[taps[:, 0], taps[:, 1]])
            for r, c in zip(ro.tolist(), co.tolist()):
                fills[r, c] = self.tint(int(counts[r, c]))
                if self.look.numbers:
                    texts[r, c] = format_value(sums[r, c])
            return list(zip(ro.tolist(), co.tolist()))
        if self.look.numbers:
            r, c = step.cell
            fills[r, c] = self._final_fills[r, c]
            texts[r, c] = format_value(step.value)
            return [(r, c)]
        return []

    # -- layers -------------------------------------------------------------------------

    def _paint_static(self) -> None:
        w, h = self.size
        canvas = (0, 0, w, h)
        # layers are kept as bytes (premultiplied colour, alpha 0-255): 7 bytes a pixel
        self.input_rgb = np.empty((h, w, 3), np.uint8)
        # one row of the background colour, copied down (faster than a per-pixel fill)
        self.input_rgb.reshape(h, w * 3)[:] = np.tile(np.array(self.theme.background,
                                                               np.uint8), w)
        self._painted: list[Box] = []  # where anything but the background is
        grid = _Ops()
        self._grid_ops(self.scene.input, grid)
        if grid.ops:  # only the box the input grid covers is painted (supersampled)
            x0, y0, x1, y1 = _clip(grid.bounds(self.line_width + 2), canvas)
            grid.paint_into(self.input_rgb[y0:y1, x0:x1], None, (x0, y0, x1, y1),
                            self.theme.background)
            self._painted.append((x0, y0, x1, y1))
        ops = _Ops()  # then the text and legend under the figure
        y = self.figure_height + self._line_height // 2
        for line in self._static_lines:
            ops.text((w / 2, y), line, self.text_size, self.theme.text_color)
            y += self._line_height
        self._caption_y = y
        if self._caption:
            y += CAPTION_LINES * self._line_height
        if self._legend:
            self._legend_ops(ops, y)
        top = min(self.figure_height, h)
        if top < h and (ops.ops or ops.texts):
            ops.paint_into(self.input_rgb[top:], None, (0, top, w, h), self.theme.background)
            self._painted.append((0, top, w, h))
        self.out_rgb = np.zeros((h, w, 3), np.uint8)
        self.out_alpha = np.zeros((h, w), np.uint8)

    def legend_items(self) -> list[tuple[str, RGB, float]]:
        """(label, fill, swatch width) of each tint in the legend."""
        size = self.text_size
        font = _font(round(size * 0.8))
        items = []
        for lo, hi in self._tint_classes():
            label = str(lo) if lo == hi else f"{lo}-{hi}"
            items.append((label, self.tint(hi),
                          max(round(size * 1.1), font.getlength(label) + size * 0.4)))
        return items

    def legend_width(self) -> float:
        size = self.text_size
        gap = round(size * 0.5)
        return (_font(size).getlength(LEGEND_LABEL) + gap
                + sum(w + gap for _, _, w in self.legend_items()))

    def _legend_ops(self, ops: _Ops, y: float) -> None:
        """A row of swatches: how many stamps landed on a cell of each tint."""
        size = self.text_size
        font = _font(size)
        swatch = round(size * 1.1)
        gap = round(size * 0.5)
        x = (self.size[0] - self.legend_width()) / 2
        ops.text((x + font.getlength(LEGEND_LABEL) / 2, y), LEGEND_LABEL, size,
                 self.theme.text_color)
        x += font.getlength(LEGEND_LABEL) + gap
        for label, fill, width in self.legend_items():
            box = np.array([[x, y - swatch / 2], [x + width, y - swatch / 2],
                            [x + width, y + swatch / 2], [x, y + swatch / 2]])
            ops.polygon(box, fill)
            ops.line(np.vstack([box, box[:1]]), self.theme.line, self.line_width)
            ops.text(box.mean(axis=0), label, round(size * 0.8), _contrast(fill, self.theme))
            x += width + gap

    def _paint_output(self, fills: np.ndarray, texts: np.ndarray,
                      cells: Sequence[tuple[int, int]] | None = None) -> Box:
        """Repaint the output cells (all, or the box around ``cells``); return the box."""
        grid = self.scene.output
        canvas = (0, 0, *self.size)
        if cells is None:
            block = (0, 0, grid.rows, grid.cols)
        else:
            rs, cs = zip(*cells)
            block = (min(rs), min(cs), max(rs) + 1, max(cs) + 1)
        r0, c0, r1, c1 = block
        box = _clip(_Ops.box_of(self.cell_polygon(grid, r0, c0, r1 - r0, c1 - c0),
                                self.line_width + 2), canvas)
        # every cell reaching into the box: in the oblique view that is more than a block
        rr, cc = np.mgrid[0:grid.rows, 0:grid.cols]
        corners = [self.corner(grid, 0, 0)[:, None, None] + (cc + dc) * self.ex[:, None, None]
                   - (rr + dr) * self.ey[:, None, None] for dr in (0, 1) for dc in (0, 1)]
        xs, ys = np.stack([c[0] for c in corners]), np.stack([c[1] for c in corners])
        pad = self.line_width + 2
        only = ((xs.min(0) - pad < box[2]) & (xs.max(0) + pad > box[0])
                & (ys.min(0) - pad < box[3]) & (ys.max(0) + pad > box[1]))
        ops = _Ops()
        self._grid_ops(grid, ops, fills=fills, texts=texts, only=only)
        x0, y0, x1, y1 = box
        ops.paint_into(self.out_rgb[y0:y1, x0:x1], self.out_alpha[y0:y1, x0:x1], box, None)
        return box

    def _sprite(self, grid: Grid, cells: Sequence[tuple[int, int]], *, outline: float,
                color: RGB | None = None, alpha: float | None = None,
                weights: np.ndarray | None = None) -> _Sprite:
        ops = _Ops()
        theme = self.theme
        color = color or theme.overlay
        alpha = theme.overlay_alpha if alpha is None else alpha
        for r, c in cells:
            if alpha > 0:
                ops.polygon(self.cell_polygon(grid, r, c), color, alpha)
        for r, c in cells:
            poly = self.cell_polygon(grid, r, c)
            ops.line(np.vstack([poly, poly[:1]]), theme.line if alpha > 0 else color,
                     self.line_width * outline)
        if weights is not None:
            size = max(8, round(self.look.cell * 0.26))
            for (r, c), w in zip(cells, weights.ravel()):
                poly = self.cell_polygon(grid, r, c)
                centre = poly.mean(axis=0)
                at = centre + 0.55 * (poly[2] - centre)  # toward the bottom-right corner
                ops.text(at, format_value(w), size, theme.background, theme.line)
        return _Sprite(ops, self.line_width * outline + 2, self._blender)

    # -- frames -------------------------------------------------------------------------

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        """RGB floats (..., 3) to palette indices through the lookup table."""
        return quantize(rgb, self._lut)

    def _composite(self, box: Box) -> np.ndarray:
        """The static layers (input under output) of ``box`` as RGB floats."""
        x0, y0, x1, y1 = box
        a = self.out_alpha[y0:y1, x0:x1, None].astype(np.float32) * (1 / 255)
        return self.input_rgb[y0:y1, x0:x1] * (1 - a) + self.out_rgb[y0:y1, x0:x1]

    def _cover_output(self, idx: np.ndarray, where: tuple) -> None:
        """Lay the output layer over palette indices ``idx`` (the pixels ``where``: a box's
        slices or index arrays). Where the layer is opaque the static picture shows through
        as it is; its anti-aliased rim goes through the blend table like a sprite."""
        kind = self._out_map[where]
        most = kind.max(initial=0)
        if most == 0:
            return
        np.copyto(idx, self._base_idx[where], where=kind == 1)
        if most >= 2:
            rim = kind >= 2
            rows = kind[rim].astype(np.int32) - 2
            idx[rim] = self._blender.flat[rows * MAX_COLORS + idx[rim]]

    def _classify_output(self, box: Box) -> None:
        """Note what the output layer is in ``box``: 0 nothing, 1 opaque, 2 + r its rim,
        whose colour and alpha are row r of the blend table."""
        x0, y0, x1, y1 = box
        oa = self.out_alpha[y0:y1, x0:x1]
        kind = (oa > 0).astype(np.uint16)
        rim = (oa > 0) & (oa < 255)
        if rim.any():
            offsets = self._blender.offsets(self.out_rgb[y0:y1, x0:x1][rim].astype(np.float32),
                                            oa[rim].astype(np.float32) * (1 / 255))
            rows = offsets // MAX_COLORS + 2
            if rows.max() > np.iinfo(np.uint16).max:
                raise RuntimeError("more blend table rows than an output map holds")
            kind[rim] = rows
        self._out_map[y0:y1, x0:x1] = kind

    def _draw_region(self, box: Box, under: list, over: list) -> np.ndarray:
        """Palette indices of ``box``: input, sprites under, output, sprites over (the
        connector lines' pixels are drawn after, by :meth:`_draw_line_pixels`)."""
        x0, y0, x1, y1 = box
        idx = self._input_idx[y0:y1, x0:x1].copy()
        for offsets, where in under:
            _lay(idx, box, offsets, where, self._blender.flat)
        self._cover_output(idx, (slice(y0, y1), slice(x0, x1)))
        for offsets, where in over:
            _lay(idx, box, offsets, where, self._blender.flat)
        return idx

    def _draw_line_pixels(self, lines: tuple, under: list, over: list) -> np.ndarray:
        """Palette indices of the connector lines' pixels: input, sprites under, line,
        output, sprites over."""
        ys, xs, offs = lines
        flat = self._blender.flat
        idx = self._input_idx[ys, xs]
        for offsets, where in under:
            _lay_points(idx, ys, xs, offsets, where, flat)
        idx = flat[offs + idx]
        self._cover_output(idx, (ys, xs))
        for offsets, where in over:
            _lay_points(idx, ys, xs, offsets, where, flat)
        return idx

    def _connectors(self, wshift: np.ndarray, tshift: np.ndarray) -> tuple:
        """Pixels of the connector lines inside the canvas, each once: (ys, xs, blend
        offsets of the line colour at each pixel's coverage), and the box they span (None
        for no pixels).

        Grid corners are whole pixels, so the lines only move, unchanged, while the window
        and the target move alike (stride 1, the gather view of every transposed op): the
        pixels of each shape of lines are computed once."""
        base = np.floor(wshift)
        key = (tuple((tshift - base).tolist()), tuple((wshift - base).tolist()))
        found = self._line_cache.get(key)
        if found is None:
            lines = [(self._window_at_0[i] + (wshift - base), self._target_at_0[j]
                      + (tshift - base)) for i, j in self._pairs]
            found = self._line_pixels(lines)
            if len(self._line_cache) >= MAX_CACHED_LINES:
                self._line_cache.clear()
            self._line_cache[key] = found
        ys, xs, offs, (y0, y1, x0, x1) = found
        bx, by = int(base[0]), int(base[1])
        ys, xs = ys + by, xs + bx
        box = (x0 + bx, y0 + by, x1 + bx + 1, y1 + by + 1) if len(ys) else None
        w, h = self.size
        if box is not None and _clip(box, (0, 0, w, h)) != box:  # past the canvas: cut
            ok = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
            ys, xs, offs = ys[ok], xs[ok], offs[ok]
            box = ((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
                   if len(ys) else None)
        return ys, xs, offs, box

    def _line_pixels(self, lines: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple:
        """(ys, xs, blend offsets, (ymin, ymax, xmin, xmax)) of the pixels of ``lines``,
        each pixel once, with its largest coverage where lines cross."""
        ys, xs, cov = _segment_pixels(np.array([p0 for p0, _ in lines], float),
                                      np.array([p1 for _, p1 in lines], float),
                                      CONNECTOR_WIDTH * self.line_width, CONNECTOR_LEVELS)
        if not len(ys):
            return ys, xs, ys, (0, -1, 0, -1)
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())
        level = np.rint(cov * CONNECTOR_LEVELS).astype(np.uint8)  # 1..CONNECTOR_LEVELS
        # Scratch rows over the lines' box, by flat index; only the cells written are read.
        span = x1 - x0 + 1
        key = (ys - y0) * span + (xs - x0)
        size = (y1 - y0 + 1) * span
        most = np.empty(size, np.uint8)
        for lv in range(1, CONNECTOR_LEVELS + 1):  # a level at a time: higher ones last
            most[key[level == lv]] = lv
        top = level == most[key]
        key, level = key[top], level[top]
        slot = np.empty(size, np.int32)
        order = np.arange(len(key), dtype=np.int32)
        slot[key] = order  # of repeats of a pixel (all alike now) one index stays
        once = slot[key] == order
        key = key[once]
        return (key // span + y0, key % span + x0, self._line_offsets[level[once]],
                (y0, y1, x0, x1))

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Yield every frame (and ``tween`` in-between frames after each step but the last,
        sliding the window to the next position); see :class:`RasterFrame`."""
        scene, spec, theme = self.scene, self.scene.spec, self.theme
        scatter = scene.view == "scatter"
        self._paint_static()
        fills, texts = self._output_start()
        out_box = self._paint_output(fills, texts)
        state = {"counts": np.zeros(spec.output_size, np.int64),
                 "sums": np.zeros(spec.output_size)}
        w, h = self.size
        canvas = (0, 0, w, h)
        self._out_map = np.zeros((h, w), np.uint16)
        self._classify_output(out_box)  # nothing is on the output layer outside its box
        # the static picture as palette indices, without and with the output layer
        self._input_idx = np.full((h, w), BACKGROUND, np.uint8)
        for x0, y0, x1, y1 in self._painted:
            for top in range(y0, y1, 256):  # in bands: temporaries of the canvas cost memory
                bottom = min(y1, top + 256)
                self._input_idx[top:bottom, x0:x1] = self.quantize(
                    self.input_rgb[top:bottom, x0:x1])
        base_idx = self._base_idx = self._input_idx.copy()
        x0, y0, x1, y1 = out_box
        for top in range(y0, y1, 256):
            band = (x0, top, x1, min(y1, top + 256))
            base_idx[band[1]:band[3], x0:x1] = self.quantize(self._composite(band))
        pixels = base_idx.copy()

        window_grid = scene.output if scatter else scene.input
        target_grid = scene.input if scatter else scene.output
        probe = Frame(0, window_grid.name, (0, 0), target_grid.name, (0, 0), None)
        weights = None
        if self.look.numbers and not spec.is_pool:
            weights = spec.weights[::-1, ::-1] if (spec.is_transposed and not scatter) else (
                spec.weights)
        window = self._sprite(window_grid, scene.window_cells(probe), outline=WINDOW_OUTLINE,
                              weights=weights)
        target = self._sprite(target_grid, [(0, 0)], outline=1.0)
        marker = (self._sprite(scene.input, [(0, 0)], outline=2.2, color=theme.accent,
                               alpha=0.0)
                  if self.look.numbers and spec.op == "maxpool" else None)
        kh, kw = scene.window_extent
        self._window_at_0 = self.cell_polygon(window_grid, 0, 0, kh, kw)  # moved by _shift
        self._target_at_0 = self.cell_polygon(target_grid, 0, 0)
        self._line_cache: dict[tuple, tuple] = {}
        # corners joined (polygon order: top-left, top-right, bottom-right, bottom-left):
        # all four in the oblique view; side by side, the two edges that face each other
        if scene.layout == "oblique":
            self._pairs = [(0, 0), (1, 1), (2, 2), (3, 3)]
        elif scatter:  # the stamp is on the output grid, to the right of the input
            self._pairs = [(0, 1), (3, 2)]
        else:
            self._pairs = [(1, 0), (2, 3)]

        frames = list(scene.frames()) if tween else None
        no_pixels = np.empty(0, int)
        prev_rects: list[Box] = []
        prev_lines = (no_pixels, no_pixels)
        prev_box: Box | None = None
        last_caption = None
        index = 0
        for frame in (frames or scene.frames()):
            changed_cells = self._output_step(frame, fills, texts, state)
            repaint = None
            if changed_cells:
                repaint = self._paint_output(fills, texts, changed_cells)
                x0, y0, x1, y1 = repaint
                base_idx[y0:y1, x0:x1] = self.quantize(self._composite(repaint))
                self._classify_output(repaint)
            caption = self.caption(frame) if self._caption else None
            phases = [0.0]
            if tween and frame.index < len(frames) - 1:  # type: ignore[arg-type]
                phases += [k / (tween + 1) for k in range(1, tween + 1)]
            for phase in phases:
                nxt = frames[frame.index + 1] if phase else frame  # type: ignore[index]
                wshift = self._shift(frame.window, nxt.window, phase)
                tshift = self._shift(frame.target, nxt.target, phase)
                placed_window = window.place(wshift)
                placed_target = target.place(tshift)
                under = [placed_target] if scatter else [placed_window]
                over = [placed_window] if scatter else [placed_target]
                if marker is not None and phase == 0 and len(frame.step.taps):
                    taps = frame.step.taps
                    best = taps[int(np.argmax(spec.input[taps[:, 2], taps[:, 3]]))]
                    g = spec.gather
                    under.append(marker.place(
                        self.corner(scene.input, best[2] + g.padding[0], best[3] + g.padding[2])
                        - self.corner(scene.input, 0, 0)))
                ys, xs, offs, line_box = self._connectors(wshift, tshift)
                lines = (ys, xs, offs)
                rects = _merge([_clip(where, canvas) for *_, where in under + over])
                strip = None
                if caption is not None and phase == 0 and caption != last_caption:
                    top = self._caption_y - self._line_height // 2
                    strip = _clip((0, top, w, top + CAPTION_LINES * self._line_height), canvas)
                fresh = repaint if phase == 0 else None
                union = _union(prev_box, *rects, line_box, strip, fresh)
                ux0, uy0, ux1, uy1 = union  # type: ignore[misc]
                before = pixels[uy0:uy1, ux0:ux1].copy() if index else None
                # back to the static picture where the previous frame drew
                for bx0, by0, bx1, by1 in [*prev_rects, *([fresh] if fresh else [])]:
                    pixels[by0:by1, bx0:bx1] = base_idx[by0:by1, bx0:bx1]
                pixels[prev_lines] = base_idx[prev_lines]
                # then this frame's moving parts
                for rect in rects:
                    x0, y0, x1, y1 = rect
                    pixels[y0:y1, x0:x1] = self._draw_region(rect, under, over)
                if len(ys):
                    pixels[ys, xs] = self._draw_line_pixels(lines, under, over)
                if strip is not None:
                    pixels[strip[1]:strip[3], strip[0]:strip[2]] = self._caption_pixels(
                        caption, strip)
                    last_caption = caption
                if index == 0:
                    yield RasterFrame(0, pixels, canvas, None, frame.index, phase)
                else:
                    box, mask = _tighten(union, pixels[uy0:uy1, ux0:ux1] != before)
                    yield RasterFrame(index, pixels, box, mask, frame.index, phase)
                prev_rects, prev_lines = rects, (ys, xs)
                prev_box = _union(*rects, line_box)
                index += 1

    def _shift(self, a: tuple[int, int], b: tuple[int, int], t: float) -> np.ndarray:
        """Pixels that move cell (0, 0) of a grid to cell ``a`` (a fraction ``t`` of the
        way on to cell ``b``): the map is linear, so this is the same for every grid."""
        shift = a[1] * self.ex - a[0] * self.ey
        if t:
            shift = shift + ((b[1] - a[1]) * self.ex - (b[0] - a[0]) * self.ey) * t
        return shift

    def _caption_pixels(self, text: str, strip: Box) -> np.ndarray:
        x0, y0, x1, y1 = strip
        rgb = self.input_rgb[y0:y1, x0:x1].astype(np.float32)
        for n, line in enumerate(text.splitlines()):
            trgb, ta = _text_sprite(line, self.text_size, self.theme.text_color, None)
            th, tw = ta.shape
            cx, cy = self.size[0] / 2, self._caption_y + n * self._line_height
            where = (round(cx - tw / 2), round(cy - th / 2), round(cx - tw / 2) + tw,
                     round(cy - th / 2) + th)
            _blend(rgb, None, strip, trgb, ta, where)
        return self.quantize(rgb)


class SideBySide:
    """Two rasters (the gather and scatter views) drawn next to each other in one canvas.

    Both start together; the one with fewer steps holds its finished output until the other
    finishes, so the last frame shows both outputs complete (and equal).
    """

    def __init__(self, left: Scene, right: Scene, look: Look) -> None:
        # one palette for both: the scatter panel's, which holds the tints too
        self.right = Raster(right, look, heading="Scatter view")
        self.left = Raster(left, look, palette=self.right.palette_args, heading="Gather view")
        height = max(self.left.size[1], self.right.size[1])
        for panel in (self.left, self.right):  # the same height (nothing drawn yet)
            panel.size = (panel.size[0], height)
        self.gap = look.cell
        self.look = look
        self.size = (self.left.size[0] + self.gap + self.right.size[0], height)
        self.palette = self.left.palette
        self.offsets = (0, self.left.size[0] + self.gap)

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        w, h = self.size
        pixels = np.zeros((h, w), np.uint8)
        streams = [self.left.frames(tween), self.right.frames(tween)]
        index = 0
        while True:
            got = [next(stream, None) for stream in streams]
            if all(g is None for g in got):
                return
            boxes = []
            for frame, x in zip(got, self.offsets):
                if frame is None:
                    continue
                bx0, by0, bx1, by1 = frame.box
                boxes.append((bx0 + x, by0, bx1 + x, by1))
            union = _union(*boxes)
            ux0, uy0, ux1, uy1 = union  # type: ignore[misc]
            before = pixels[uy0:uy1, ux0:ux1].copy()
            for frame, x in zip(got, self.offsets):
                if frame is None:
                    continue
                fh, fw = frame.pixels.shape
                if index == 0:
                    pixels[:fh, x:x + fw] = frame.pixels
                else:
                    bx0, by0, bx1, by1 = frame.box
                    pixels[by0:by1, bx0 + x:bx1 + x] = frame.pixels[by0:by1, bx0:bx1]
            if index == 0:
                yield RasterFrame(0, pixels, (0, 0, w, h), None)
            else:
                box, mask = _tighten(union, pixels[uy0:uy1, ux0:ux1] != before)
                step = max(g.step for g in got if g is not None)
                yield RasterFrame(index, pixels, box, mask, step)
            index += 1
