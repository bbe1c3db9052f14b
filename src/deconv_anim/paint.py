"""Paint primitives: shapes in pixel coordinates replayed onto 3x supersampled Pillow images,
text sprites of the bundled font, blending, and anti-aliased line pixels.

Everything here works on pixels it is given; nothing knows about grids, steps or layouts
(:mod:`deconv_anim.layout` says where things go, :mod:`deconv_anim.raster` what to draw).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .palette import mix_cached
from .themes import RGB

__all__ = ["Ops", "Box", "text_sprite", "blend", "segment_pixels", "box_of", "SUPERSAMPLE"]

SUPERSAMPLE = 3
MAX_BAND_PIXELS = 12_000_000  # supersampled pixels painted at once
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def box_of(pts: np.ndarray, pad: float) -> Box:
    """The whole-pixel box around points (n x 2), ``pad`` pixels wider on every side."""
    x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


# ----------------------------------------------------------------------------- text


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font (no system font path, the same on every machine)."""
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4096)
def text_sprite(text: str, size: int, fill: RGB, stroke: RGB | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Premultiplied RGB and alpha of ``text`` (with an optional 1 px halo)."""
    font = _font(size)
    sw = 1 if stroke else 0
    x0, y0, x1, y1 = font.getbbox(text, stroke_width=sw)
    w, h = max(1, int(x1 - x0)), max(1, int(y1 - y0))
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


class Ops:
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

    def text(self, centre: Sequence[float] | np.ndarray, text: str, size: int, fill: RGB,
             stroke: RGB | None = None) -> None:
        self.texts.append((np.asarray(centre, float), text, size, fill, stroke))

    def bounds(self, pad: float) -> Box:
        xs = [v for op in self.ops for v in op[1][0::2]]
        ys = [v for op in self.ops for v in op[1][1::2]]
        for (cx, cy), text, size, fill, stroke in self.texts:  # each text's own box
            th, tw = text_sprite(text, size, fill, stroke)[1].shape
            xs += [float(cx) - tw / 2 - 1, float(cx) + tw / 2 + 1]
            ys += [float(cy) - th / 2 - 1, float(cy) + th / 2 + 1]
        return self.box_of(np.array([[min(xs), min(ys)], [max(xs), max(ys)]]), pad)

    @staticmethod
    def box_of(pts: np.ndarray, pad: float) -> Box:
        return box_of(pts, pad)

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
            trgb, ta = text_sprite(text, size, fill, stroke)
            th, tw = ta.shape
            cx, cy = centre + np.asarray(shift)
            blend(rgb, alpha, box, trgb, ta,
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


def blend(rgb: np.ndarray, alpha: np.ndarray | None, box: Box, src_rgb: np.ndarray,
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


def segment_pixels(p0: np.ndarray, p1: np.ndarray, width: float, levels: int = 255
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
