"""Raster: the scene drawn into palette-indexed frames with Pillow and NumPy.

Units become pixels once, here: each grid unit vector is rounded to whole pixels, so every
grid corner lands on an exact pixel and a sprite drawn once (the kernel window, the
highlighted cell) is the same at every position. What never changes (the input grid, the
output grid, the title) is painted once with 4x supersampling; per frame only the moving
parts are composited, inside the box they cover, and mapped to one fixed palette through a
lookup table. Each frame reports the box that changed since the previous one, so an encoder
writes only that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .scene import CellKind, Frame, Grid, Scene
from .themes import RGB, Theme

__all__ = ["Raster", "RasterFrame", "TRANSPARENT"]

SUPERSAMPLE = 4
CONNECTOR_WIDTH = 0.75  # connector lines, relative to grid lines
WINDOW_OUTLINE = 1.0  # kernel window cell outlines, relative to grid lines
CONNECTOR_LEVELS = 2  # coverage steps of the connector lines' anti-aliasing (smaller GIFs)
MAX_COLORS = 128  # 7-bit palette: smaller LZW codes than 8 bits
TRANSPARENT = MAX_COLORS - 1  # palette slot kept free for GIF transparency
MAX_BAND_PIXELS = 12_000_000  # supersampled pixels painted at once
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


@dataclass(frozen=True)
class RasterFrame:
    """One frame: the full canvas as palette indices, and what changed.

    ``pixels`` is the renderer's working buffer: read it before asking for the next frame.
    ``box`` bounds the pixels that differ from the previous frame (the whole canvas for
    frame 0); ``changed`` is the mask of those pixels inside ``box`` (None: all of it).
    """

    index: int
    pixels: np.ndarray
    box: Box
    changed: np.ndarray | None


# ----------------------------------------------------------------------------- painting


def _mix(a: Sequence[float], b: Sequence[float], t: float) -> RGB:
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))  # type: ignore[return-value]


class _Ops:
    """Draw operations in pixel coordinates, replayed onto supersampled images."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []

    def polygon(self, points: np.ndarray, fill: RGB, alpha: float = 1.0) -> None:
        self.ops.append(("polygon", np.asarray(points, float), fill, alpha))

    def line(self, points: np.ndarray, color: RGB, width: float, alpha: float = 1.0) -> None:
        self.ops.append(("line", np.asarray(points, float), color, width, alpha))

    def bounds(self, pad: float) -> Box:
        return self.box_of(np.concatenate([op[1] for op in self.ops]), pad)

    @staticmethod
    def box_of(pts: np.ndarray, pad: float) -> Box:
        x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
        return int(x0), int(y0), int(x1), int(y1)

    def paint(self, box: Box, background: RGB | None) -> tuple[np.ndarray, np.ndarray]:
        """Paint into ``box``: (premultiplied RGB float32 [h, w, 3], alpha float32 [h, w]).

        With a ``background`` the result is opaque (alpha 1)."""
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        ss = SUPERSAMPLE
        band = max(1, MAX_BAND_PIXELS // max(1, w * ss * ss))
        rgb = np.empty((h, w, 3), np.float32)
        alpha = np.empty((h, w), np.float32)
        for top in range(0, h, band):
            bh = min(band, h - top)
            color = Image.new("RGB", (w * ss, bh * ss), background or (0, 0, 0))
            dc = ImageDraw.Draw(color)
            if background is None:
                mask = Image.new("L", (w * ss, bh * ss), 0)
                dm = ImageDraw.Draw(mask)
            origin = np.array([x0, y0 + top], float)
            for op in self.ops:
                pts = [tuple(p) for p in ((op[1] - origin) * ss).tolist()]
                if op[0] == "polygon":
                    _, _, fill, a = op
                    dc.polygon(pts, fill=_mix(background or (0, 0, 0), fill, a)
                               if background or a < 1 else fill)
                    if background is None:
                        dm.polygon(pts, fill=round(255 * a))
                else:
                    _, _, col, width, a = op
                    wpx = max(1, round(width * ss))
                    dc.line(pts, fill=_mix(background or (0, 0, 0), col, a)
                            if background or a < 1 else col, width=wpx)
                    if background is None:
                        dm.line(pts, fill=round(255 * a), width=wpx)
            rgb[top:top + bh] = np.asarray(color.reduce(ss), np.float32)
            alpha[top:top + bh] = (1.0 if background else
                                   np.asarray(mask.reduce(ss), np.float32) / 255.0)
        return rgb, alpha


# ----------------------------------------------------------------------------- palette


def _palette(theme: Theme, tints: Sequence[RGB]) -> tuple[np.ndarray, int]:
    """A fixed palette for everything a figure can show: its flat colours exactly, and
    the mixes its anti-aliased edges make. Slot 255 is left for transparency.

    Returns the palette (256 x 3), how many entries are used, and how many leading entries
    are exact flat colours. The transparency slot is entry ``MAX_COLORS - 1``."""
    bg, a = theme.background, theme.overlay_alpha
    fills = [bg, theme.input, theme.output, *tints, _mix(bg, theme.input, 0.3)]
    shaded = [_mix(f, theme.overlay, a) for f in fills]
    keys = list(dict.fromkeys([*fills, *shaded, theme.line, theme.text_color,
                               _mix(bg, theme.line, 0.35)]))
    colors = list(keys)
    for k in keys:  # lines and text over every fill
        colors += [_mix(k, theme.line, t / 6) for t in range(1, 6)]
    for i, k in enumerate(keys):  # edges between fills
        colors += [_mix(k, other, 0.5) for other in keys[i + 1:]]
    colors = list(dict.fromkeys(colors))[:MAX_COLORS - 1]
    palette = np.zeros((256, 3), np.uint8)
    palette[: len(colors)] = colors
    palette[len(colors):] = bg
    return palette, len(colors), len(keys)


@lru_cache(maxsize=16)
def _lookup(palette_bytes: bytes, colors: int, exact: int) -> np.ndarray:
    """32x32x32 lookup table from 5-bit RGB to the nearest of the first ``colors`` palette
    entries; the first ``exact`` entries map exactly (flat fills keep their colour)."""
    palette = np.frombuffer(palette_bytes, np.uint8).reshape(256, 3)[:colors].astype(np.float64)
    levels = np.arange(32, dtype=np.float64) * 8 + 4
    centres = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(-1, 3)
    # |c - p|^2 = |c|^2 - 2 c.p + |p|^2; |c|^2 is the same for every p
    distance = (palette**2).sum(1)[None, :] - 2 * centres @ palette.T
    lut = distance.argmin(1).astype(np.uint8)
    for index in range(exact - 1, -1, -1):
        r, g, b = palette[index].astype(int) >> 3
        lut[(r << 10) | (g << 5) | b] = index
    lut.flags.writeable = False
    return lut


# ----------------------------------------------------------------------------- lines


def _line_pixels(p0: np.ndarray, p1: np.ndarray, width: float, levels: int = 255
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Anti-aliased pixels of a segment: (ys, xs, coverage), coverage in (0, 1] rounded to
    multiples of 1 / ``levels``."""
    d = p1 - p0
    length = float(np.hypot(*d))
    if length < 1e-9:
        return np.empty(0, int), np.empty(0, int), np.empty(0, np.float32)
    major = 0 if abs(d[0]) >= abs(d[1]) else 1  # step along x (0) or y (1)
    minor = 1 - major
    lo, hi = sorted((p0[major], p1[major]))
    steps = np.arange(np.floor(lo), np.ceil(hi)) + 0.5  # pixel centres on the major axis
    steps = steps[(steps >= lo) & (steps <= hi)]
    t = (steps - p0[major]) / d[major]
    centre = p0[minor] + t * d[minor]
    scale = abs(d[major]) / length  # minor-axis distance -> perpendicular distance
    reach = int(np.ceil(width / 2 / scale + 1))
    offsets = np.arange(-reach, reach + 1)
    minor_px = np.floor(centre)[:, None] + offsets[None, :]
    dist = np.abs(minor_px + 0.5 - centre[:, None]) * scale
    cover = np.clip(width / 2 + 0.5 - dist, 0, 1)
    cover = (np.round(cover * levels) / levels).astype(np.float32)
    major_px = np.broadcast_to(np.floor(steps)[:, None], cover.shape)
    keep = cover > 0
    xs, ys = (major_px, minor_px) if major == 0 else (minor_px, major_px)
    return ys[keep].astype(int), xs[keep].astype(int), cover[keep]


# ----------------------------------------------------------------------------- raster


@dataclass
class _Sprite:
    rgb: np.ndarray  # premultiplied
    alpha: np.ndarray
    box: Box  # where it sits for the reference position

    def at(self, shift: np.ndarray) -> Box:
        x0, y0, x1, y1 = self.box
        dx, dy = int(shift[0]), int(shift[1])
        return x0 + dx, y0 + dy, x1 + dx, y1 + dy


def _union(a: Box | None, b: Box | None) -> Box | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


class Raster:
    """Draws a :class:`~deconv_anim.scene.Scene` into palette-indexed frames.

    Parameters
    ----------
    scene : Scene
    cell : int
        Pixels per cell (grid unit).
    theme : Theme
    """

    def __init__(self, scene: Scene, *, cell: int, theme: Theme) -> None:
        self.scene, self.cell, self.theme = scene, cell, theme
        (ax, ay), (bx, by) = scene.basis
        self.ex = np.array([round(cell * ax), -round(cell * ay)])
        self.ey = np.array([round(cell * bx), -round(cell * by)])
        self.line_width = max(1.0, cell / 16)
        self.margin = max(4, round(cell * 0.4))
        self._offsets = {g.name: np.array([round(cell * g.offset[0]), -round(cell * g.offset[1])])
                         for g in (scene.input, scene.output)}
        self._origin = np.zeros(2, int)
        x0, y0, x1, y1 = self._figure_box()
        self._origin = np.array([self.margin - x0, self.margin - y0])
        width = x1 - x0 + 2 * self.margin
        height = y1 - y0 + 2 * self.margin
        self._title_lines, self._font, title_height = self._layout_title(width)
        self.size = (int(width), int(height + title_height))
        self.figure_height = int(height)

        counts = self._stamp_counts() if scene.view == "scatter" else None
        self._max_count = int(counts.max()) if counts is not None and counts.size else 1
        self._tint_levels = self._tints() if scene.view == "scatter" else []
        self.palette, colors, exact = _palette(theme, self._tint_levels)
        self._lut = _lookup(self.palette.tobytes(), colors, exact)

    # -- geometry -----------------------------------------------------------------------

    def corner(self, grid: Grid, r: float, c: float) -> np.ndarray:
        """Pixel position of the top-left corner of matrix cell (r, c) of ``grid``."""
        return (self._origin + self._offsets[grid.name] + c * self.ex
                + (grid.rows - r) * self.ey)

    def cell_polygon(self, grid: Grid, r: float, c: float, h: float = 1, w: float = 1
                     ) -> np.ndarray:
        return np.array([self.corner(grid, r, c), self.corner(grid, r, c + w),
                         self.corner(grid, r + h, c + w), self.corner(grid, r + h, c)], float)

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
        if s.view == "scatter":
            spec = s.spec
            kh, kw = s.window_extent
            for r, c in ((-spec.padding[0], -spec.padding[2]),
                         ((spec.input_size[0] - 1) * spec.stride[0] - spec.padding[0],
                          (spec.input_size[1] - 1) * spec.stride[1] - spec.padding[2])):
                polys.append(self.cell_polygon(s.output, r, c, kh, kw))
        pts = np.concatenate(polys)
        x0, y0 = np.floor(pts.min(0)).astype(int)
        x1, y1 = np.ceil(pts.max(0)).astype(int)
        return int(x0), int(y0), int(x1), int(y1)

    # -- title --------------------------------------------------------------------------

    def _layout_title(self, width: int):
        title = self.scene.title
        if not title:
            return [], None, 0
        size = max(10, round(self.cell * 0.45))
        font = ImageFont.load_default(size=size)
        words, lines, line = title.split(), [], ""
        room = width - 2 * self.margin
        for word in words:
            trial = f"{line} {word}".strip()
            if line and font.getlength(trial) > room:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        return lines, font, round(size * 1.35) * len(lines) + self.margin // 2

    # -- static layers ------------------------------------------------------------------

    def _grid_ops(self, grid: Grid, ops: _Ops, *, counts: np.ndarray | None = None) -> None:
        theme, lw = self.theme, self.line_width
        r0, c0 = grid.first
        kinds = grid.kinds
        dashed_edges: set[tuple[str, int, int]] = set()
        solid_edges: set[tuple[str, int, int]] = set()
        faded_line = _mix(theme.background, theme.line, 0.35)
        filled = []
        for (i, j), kind in np.ndenumerate(kinds):
            r, c = r0 + i, c0 + j
            edges = {("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1)}
            if kind in (CellKind.PADDING, CellKind.ZERO):
                dashed_edges |= edges
            elif kind in (CellKind.INPUT, CellKind.OUTPUT):
                solid_edges |= edges
                filled.append((r, c, kind))
            elif kind == CellKind.CROPPED:
                ops.polygon(self.cell_polygon(grid, r, c), _mix(theme.background, theme.input,
                                                                0.3))
                for edge in sorted(edges):
                    self._dashes(grid, edge, ops, faded_line, lw)
        for edge in sorted(dashed_edges - solid_edges):
            self._dashes(grid, edge, ops, theme.line, lw)
        for r, c, kind in filled:
            if kind == CellKind.INPUT:
                fill = theme.input
            elif counts is None:
                fill = theme.output
            else:
                fill = self._tint(int(counts[r, c]))
            ops.polygon(self.cell_polygon(grid, r, c), fill)
        for edge in sorted(solid_edges):
            ops.line(self._edge(grid, edge), theme.line, lw)

    def _edge(self, grid: Grid, edge: tuple[str, int, int]) -> np.ndarray:
        kind, r, c = edge
        end = (r, c + 1) if kind == "h" else (r + 1, c)
        return np.array([self.corner(grid, r, c), self.corner(grid, *end)], float)

    def _dashes(self, grid: Grid, edge, ops: _Ops, color: RGB, width: float) -> None:
        a, b = self._edge(grid, edge)
        for start in (0.1, 0.6):  # two dashes per edge, corners open, as TikZ's dashed
            ops.line(np.array([a + (b - a) * start, a + (b - a) * (start + 0.3)]), color,
                     width)

    def _paint_static(self) -> None:
        w, h = self.size
        full = (0, 0, w, h)
        ops = _Ops()
        self._grid_ops(self.scene.input, ops)
        rgb, _ = ops.paint(full, self.theme.background)
        if self._title_lines:
            image = Image.fromarray(rgb.round().astype(np.uint8), "RGB")
            draw = ImageDraw.Draw(image)
            size = self._font.size
            y = self.figure_height - self.margin // 2
            for line in self._title_lines:
                x = (w - self._font.getlength(line)) / 2
                draw.text((round(x), y), line, font=self._font, fill=self.theme.text_color)
                y += round(size * 1.35)
            rgb = np.asarray(image, np.float32)
        self.input_rgb = rgb
        self.out_rgb = np.zeros((h, w, 3), np.float32)
        self.out_alpha = np.zeros((h, w), np.float32)
        grid = self.scene.output
        box = _clip(_Ops.box_of(self.cell_polygon(grid, 0, 0, grid.rows, grid.cols),
                                self.line_width + 2), full)
        self._paint_output(box, self._counts if self.scene.view == "scatter" else None)

    def _paint_output(self, box: Box, counts: np.ndarray | None) -> None:
        x0, y0, x1, y1 = box
        ops = _Ops()
        self._grid_ops(self.scene.output, ops, counts=counts)
        rgb, alpha = ops.paint(box, None)
        self.out_rgb[y0:y1, x0:x1] = rgb
        self.out_alpha[y0:y1, x0:x1] = alpha

    # -- scatter counts -----------------------------------------------------------------

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

    def _tints(self) -> list[RGB]:
        levels = range(1, min(self._max_count, 8) + 1)
        return [self._tint(c) for c in levels] + [self.theme.background]

    def _tint(self, count: int) -> RGB:
        if count <= 0:
            return self.theme.background
        f = 0.3 + 0.7 * min(count, self._max_count) / self._max_count
        return _mix(self.theme.background, self.theme.output, f)

    # -- sprites ------------------------------------------------------------------------

    def _sprite(self, grid: Grid, cells: Sequence[tuple[int, int]], outline: float) -> _Sprite:
        ops = _Ops()
        theme = self.theme
        for r, c in cells:
            ops.polygon(self.cell_polygon(grid, r, c), theme.overlay, theme.overlay_alpha)
        for r, c in cells:
            ops.line(np.vstack([self.cell_polygon(grid, r, c),
                                self.cell_polygon(grid, r, c)[:1]]), theme.line,
                     self.line_width * outline)
        box = ops.bounds(self.line_width * outline + 2)
        rgb, alpha = ops.paint(box, None)
        return _Sprite(rgb, alpha, box)

    # -- frames -------------------------------------------------------------------------

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        """RGB floats (..., 3) to palette indices through the lookup table."""
        q = np.clip(rgb + 0.5, 0, 255).astype(np.uint8) >> 3
        q = q.astype(np.int32)
        return self._lut[(q[..., 0] << 10) | (q[..., 1] << 5) | q[..., 2]]

    def frames(self) -> Iterator[RasterFrame]:
        """Yield every frame; see :class:`RasterFrame`."""
        scene = self.scene
        scatter = scene.view == "scatter"
        self._counts = np.zeros(scene.spec.output_size, np.int64)
        self._paint_static()
        w, h = self.size
        base = self.input_rgb * (1 - self.out_alpha[..., None]) + self.out_rgb
        base_idx = self.quantize(base)
        del base
        window_grid = scene.output if scatter else scene.input
        target_grid = scene.input if scatter else scene.output
        window = self._sprite(window_grid, scene.window_cells(
            Frame(0, window_grid.name, (0, 0), target_grid.name, (0, 0), None)), WINDOW_OUTLINE)
        target = self._sprite(target_grid, [(0, 0)], 1.0)
        window_ref = self.corner(window_grid, 0, 0)
        target_ref = self.corner(target_grid, 0, 0)
        canvas = (0, 0, w, h)
        pixels = base_idx.copy()
        previous: Box | None = None
        kh, kw = scene.window_extent
        for frame in scene.frames():
            if scatter:
                taps = frame.step.taps
                np.add.at(self._counts, (taps[:, 4], taps[:, 5]), 1)
                if len(taps):
                    ro, co = taps[:, 4], taps[:, 5]
                    cells = self.cell_polygon(scene.output, ro.min(), co.min(),
                                              ro.max() - ro.min() + 1, co.max() - co.min() + 1)
                    box = _clip(_Ops.box_of(cells, self.line_width + 2), canvas)
                    self._paint_output(box, self._counts)
                    x0, y0, x1, y1 = box
                    base_idx[y0:y1, x0:x1] = self.quantize(
                        self.input_rgb[y0:y1, x0:x1] * (1 - self.out_alpha[y0:y1, x0:x1, None])
                        + self.out_rgb[y0:y1, x0:x1])
            wshift = self.corner(window_grid, *frame.window) - window_ref
            tshift = self.corner(target_grid, *frame.target) - target_ref
            wbox, tbox = window.at(wshift), target.at(tshift)
            wpoly = self.cell_polygon(window_grid, *frame.window, kh, kw)
            tpoly = self.cell_polygon(target_grid, *frame.target)
            lines = list(zip(wpoly, tpoly))
            pts = np.concatenate([wpoly, tpoly])
            lbox = (int(np.floor(pts[:, 0].min())) - 2, int(np.floor(pts[:, 1].min())) - 2,
                    int(np.ceil(pts[:, 0].max())) + 3, int(np.ceil(pts[:, 1].max())) + 3)
            box = _clip(_union(_union(wbox, tbox), lbox), canvas)
            x0, y0, x1, y1 = box
            rgb = self.input_rgb[y0:y1, x0:x1].copy()
            under, over = ((target, tshift), (window, wshift)) if scatter else (
                (window, wshift), (target, tshift))
            _blend(rgb, box, under[0], under[0].at(under[1]))
            cover = np.zeros(rgb.shape[:2], np.float32)
            for p0, p1 in lines:
                ys, xs, cov = _line_pixels(p0, p1, CONNECTOR_WIDTH * self.line_width,
                                           CONNECTOR_LEVELS)
                ys, xs = ys - y0, xs - x0
                ok = (ys >= 0) & (ys < y1 - y0) & (xs >= 0) & (xs < x1 - x0)
                np.maximum.at(cover, (ys[ok], xs[ok]), cov[ok])
            rgb += (np.array(self.theme.line, np.float32) - rgb) * cover[..., None]
            oa = self.out_alpha[y0:y1, x0:x1, None]
            rgb = rgb * (1 - oa) + self.out_rgb[y0:y1, x0:x1]
            _blend(rgb, box, over[0], over[0].at(over[1]))
            new = self.quantize(rgb)
            union = box if previous is None else _union(previous, box)
            ux0, uy0, ux1, uy1 = union
            before = pixels[uy0:uy1, ux0:ux1].copy()
            if previous is not None:
                px0, py0, px1, py1 = previous
                pixels[py0:py1, px0:px1] = base_idx[py0:py1, px0:px1]
            pixels[y0:y1, x0:x1] = new
            if frame.index == 0:
                yield RasterFrame(0, pixels, canvas, None)
            else:
                after = pixels[uy0:uy1, ux0:ux1]
                changed = after != before
                yield RasterFrame(frame.index, pixels, *_tighten(union, changed))
            previous = box


def _clip(box: Box, canvas: Box) -> Box:
    return (max(box[0], canvas[0]), max(box[1], canvas[1]), min(box[2], canvas[2]),
            min(box[3], canvas[3]))


def _blend(rgb: np.ndarray, box: Box, sprite: _Sprite, where: Box) -> None:
    """Composite ``sprite`` placed at ``where`` over ``rgb``, which covers ``box``."""
    ix0, iy0 = max(box[0], where[0]), max(box[1], where[1])
    ix1, iy1 = min(box[2], where[2]), min(box[3], where[3])
    if ix0 >= ix1 or iy0 >= iy1:
        return
    dst = rgb[iy0 - box[1]:iy1 - box[1], ix0 - box[0]:ix1 - box[0]]
    sy, sx = slice(iy0 - where[1], iy1 - where[1]), slice(ix0 - where[0], ix1 - where[0])
    a = sprite.alpha[sy, sx, None]
    dst *= 1 - a
    dst += sprite.rgb[sy, sx]


def _tighten(box: Box, changed: np.ndarray) -> tuple[Box, np.ndarray]:
    """Shrink ``box`` to the changed pixels (at least one pixel)."""
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return (box[0], box[1], box[0] + 1, box[1] + 1), np.zeros((1, 1), bool)
    cols = np.flatnonzero(changed.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return ((box[0] + int(c0), box[1] + int(r0), box[0] + int(c1), box[1] + int(r1)),
            changed[r0:r1, c0:c1])
