"""The frame loop: a raster's timeline played into palette-indexed frames.

Each call of :func:`frames` makes its own :class:`Canvas` (the painted layers and the
picture so far), so two runs over one raster, even interleaved, never share state. A frame
repaints only what moved: the boxes of the previous frame's sprites and lines go back to
the static picture, then this frame's sprites, connector lines and caption are laid over
it in palette indices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .composite import Sprite, clip, lay, lay_points, merge, tighten, union
from .connectors import GlyphBoxes, connector_segments, flat_connectors
from .layout import CONNECTOR_WIDTH, MARKER_OUTLINE, WINDOW_OUTLINE
from .paint import Box, Ops, blend, box_of, segment_pixels, text_sprite
from .palette import BACKGROUND, MAX_COLORS, quantize
from .raster import RasterFrame, Run, grid_ops, note_ops, over_text_ops, sprite
from .scene import Frame
from .timeline import tween_positions

if TYPE_CHECKING:
    from .raster import Raster

__all__ = ["frames", "Canvas", "FrameRun"]

CONNECTOR_LEVELS = 2  # coverage steps of the connector lines' anti-aliasing (smaller GIFs)
MAX_CACHED_LINES = 64  # shapes of connector lines kept per run


class Canvas:
    """The layers of one run of a raster: the static input layer (premultiplied bytes), the
    output layer with its alpha, both as palette indices, and what lies where."""

    def __init__(self, raster: Raster) -> None:
        self.raster, self.layout, self.look = raster, raster.layout, raster.look
        self.theme, self.scene, self.timeline = raster.theme, raster.scene, raster.timeline
        self.blender, self.lut = raster.blender, raster.lut
        levels = np.arange(CONNECTOR_LEVELS + 1, dtype=np.float32) / CONNECTOR_LEVELS
        self.line_offsets = self.blender.offsets(
            np.array(self.theme.line, np.float32) * levels[:, None], levels)
        self.line_cache: dict[tuple, tuple] = {}
        # the connector lines join these corners (moved by the window's and target's shifts)
        kh, kw = self.scene.window_extent
        timeline, layout = self.timeline, self.layout
        self.window_at_0 = layout.cell_polygon(timeline.window_grid, 0, 0, kh, kw)
        self.target_at_0 = layout.cell_polygon(timeline.target_grid, 0, 0)
        self.pairs = layout.connector_pairs(self.scene)
        # flat layout: the lines end inset on the single cell, break around numbers and
        # lie over the output layer (see connectors.py)
        self.flat = flat_connectors(self.scene)

    # -- static layers ------------------------------------------------------------------

    def paint_static(self) -> None:
        layout, theme = self.layout, self.theme
        w, h = layout.size
        canvas = (0, 0, w, h)
        # layers are kept as bytes (premultiplied colour, alpha 0-255): 7 bytes a pixel
        self.input_rgb = np.empty((h, w, 3), np.uint8)
        # one row of the background colour, copied down (faster than a per-pixel fill)
        self.input_rgb.reshape(h, w * 3)[:] = np.tile(np.array(theme.background, np.uint8), w)
        self.painted: list[Box] = []  # where anything but the background is
        grid = Ops()
        grid_ops(layout, self.look, self.scene.input, grid,
                 cell_texts=self.timeline.input_texts)
        note_ops(layout, theme, grid)
        if grid.ops:  # only the box the input grid covers is painted (supersampled)
            x0, y0, x1, y1 = clip(grid.bounds(layout.line_width + 2), canvas)
            grid.paint_into(self.input_rgb[y0:y1, x0:x1], None, (x0, y0, x1, y1),
                            theme.background)
            self.painted.append((x0, y0, x1, y1))
        ops = Ops()  # then the text and legend under the figure
        for n, line in enumerate(layout.static_lines):
            ops.text((w / 2, layout.static_line_y(n)), line, layout.text_size, theme.text_color)
        if layout.legend is not None:
            self.legend_ops(ops)
        top = min(layout.figure_height, h)
        if top < h and (ops.ops or ops.texts):
            ops.paint_into(self.input_rgb[top:], None, (0, top, w, h), theme.background)
            self.painted.append((0, top, w, h))
        self.out_rgb = np.zeros((h, w, 3), np.uint8)
        self.out_alpha = np.zeros((h, w), np.uint8)

    def legend_ops(self, ops: Ops) -> None:
        """A row of swatches: how many stamps landed on a cell of each tint."""
        layout, theme = self.layout, self.theme
        y = layout.legend_y
        ops.text((layout.legend_label_x, y), layout.legend_label, layout.text_size,
                 theme.text_color)
        for item in layout.legend or ():
            x0, y0, x1, y1 = item.box
            box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
            ops.polygon(box, item.fill)
            ops.line(np.vstack([box, box[:1]]), theme.line, layout.line_width)
            ops.text(box.mean(axis=0), item.label, layout.legend_size, theme.contrast(item.fill))

    def paint_output(self, fills: np.ndarray, texts: np.ndarray,
                     cells: Sequence[tuple[int, int]] | None = None) -> Box:
        """Repaint the output cells (all, or the box around ``cells``); return the box."""
        layout = self.layout
        grid = self.scene.output
        canvas = (0, 0, *layout.size)
        if cells is None:
            block = (0, 0, grid.rows, grid.cols)
        else:
            rs, cs = zip(*cells)
            block = (min(rs), min(cs), max(rs) + 1, max(cs) + 1)
        r0, c0, r1, c1 = block
        pad = layout.line_width + 2
        box = clip(box_of(layout.cell_polygon("output", r0, c0, r1 - r0, c1 - c0), pad), canvas)
        # every cell reaching into the box: in the oblique view that is more than a block
        only = layout.cells_touching("output", (grid.rows, grid.cols), box, pad)
        ops = Ops()
        grid_ops(layout, self.look, grid, ops, fills=fills, texts=texts, only=only)
        x0, y0, x1, y1 = box
        ops.paint_into(self.out_rgb[y0:y1, x0:x1], self.out_alpha[y0:y1, x0:x1], box, None)
        return box

    # -- palette indices ----------------------------------------------------------------

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        return quantize(rgb, self.lut)

    def composite(self, box: Box) -> np.ndarray:
        """The static layers (input under output) of ``box`` as RGB floats."""
        x0, y0, x1, y1 = box
        a = self.out_alpha[y0:y1, x0:x1, None].astype(np.float32) * (1 / 255)
        return self.input_rgb[y0:y1, x0:x1] * (1 - a) + self.out_rgb[y0:y1, x0:x1]

    def index_static(self, out_box: Box) -> None:
        """The static picture as palette indices, without and with the output layer."""
        self.index_input()
        self.index_output(out_box)
        self.base_idx = self.input_idx.copy()
        self.place_output(out_box, self.output_indices(out_box))

    def index_input(self) -> None:
        """The input layer as palette indices (``input_idx``)."""
        w, h = self.layout.size
        self.input_idx = np.full((h, w), BACKGROUND, np.uint8)
        for x0, y0, x1, y1 in self.painted:
            for top in range(y0, y1, 256):  # in bands: temporaries of the canvas cost memory
                bottom = min(y1, top + 256)
                self.input_idx[top:bottom, x0:x1] = self.quantize(
                    self.input_rgb[top:bottom, x0:x1])

    def index_output(self, out_box: Box) -> None:
        """What the output layer is where (``out_map``; nothing outside ``out_box``)."""
        self.out_map = np.zeros(self.layout.size[::-1], np.uint16)
        self.classify_output(out_box)

    def output_indices(self, out_box: Box) -> np.ndarray:
        """The static picture inside ``out_box`` (input under output) as palette indices."""
        x0, y0, x1, y1 = out_box
        out = np.empty((y1 - y0, x1 - x0), np.uint8)
        for top in range(y0, y1, 256):
            band = (x0, top, x1, min(y1, top + 256))
            out[top - y0:band[3] - y0] = self.quantize(self.composite(band))
        return out

    def place_output(self, out_box: Box, indices: np.ndarray) -> None:
        self.base_idx[out_box[1]:out_box[3], out_box[0]:out_box[2]] = indices

    def cover_output(self, idx: np.ndarray, where: tuple) -> None:
        """Lay the output layer over palette indices ``idx`` (the pixels ``where``: a box's
        slices or index arrays). Where the layer is opaque the static picture shows through
        as it is; its anti-aliased rim goes through the blend table like a sprite."""
        at = isinstance(where, np.ndarray)  # flat indices (faster than rows and columns)
        kind = self.out_map.reshape(-1).take(where) if at else self.out_map[where]
        most = kind.max(initial=0)
        if most == 0:
            return
        np.copyto(idx, self.base_idx.reshape(-1).take(where) if at else self.base_idx[where],
                  where=kind == 1)
        if most >= 2:
            rim = kind >= 2
            rows = kind[rim].astype(np.int32) - 2
            idx[rim] = self.blender.flat[rows * MAX_COLORS + idx[rim]]

    def classify_output(self, box: Box) -> None:
        """Note what the output layer is in ``box``: 0 nothing, 1 opaque, 2 + r its rim,
        whose colour and alpha are row r of the blend table."""
        x0, y0, x1, y1 = box
        oa = self.out_alpha[y0:y1, x0:x1]
        kind = (oa > 0).astype(np.uint16)
        rim = (oa > 0) & (oa < 255)
        if rim.any():
            offsets = self.blender.offsets(self.out_rgb[y0:y1, x0:x1][rim].astype(np.float32),
                                           oa[rim].astype(np.float32) * (1 / 255))
            rows = offsets // MAX_COLORS + 2
            if rows.max() > np.iinfo(np.uint16).max:
                raise RuntimeError("more blend table rows than an output map holds")
            kind[rim] = rows
        self.out_map[y0:y1, x0:x1] = kind

    def draw_region(self, box: Box, under: list, over: list) -> np.ndarray:
        """Palette indices of ``box``: input, sprites under, output, sprites over (the
        connector lines' pixels are drawn after, by :meth:`draw_line_pixels`)."""
        x0, y0, x1, y1 = box
        idx = self.input_idx[y0:y1, x0:x1].copy()
        for offsets, where in under:
            lay(idx, box, offsets, where, self.blender.flat)
        self.cover_output(idx, (slice(y0, y1), slice(x0, x1)))
        for offsets, where in over:
            lay(idx, box, offsets, where, self.blender.flat)
        return idx

    def draw_line_pixels(self, lines: tuple, under: list, over: list) -> np.ndarray:
        """Palette indices of the connector lines' pixels: input, sprites under, line,
        output, sprites over (flat layout: input, sprites under, output, line, sprites
        over: the line is seen up to the highlighted cell)."""
        ys, xs, offs = lines
        flat = self.blender.flat
        at = ys * self.input_idx.shape[1] + xs  # flat indices
        idx = self.input_idx.reshape(-1).take(at)
        for offsets, where in under:
            lay_points(idx, ys, xs, offsets, where, flat)
        if self.flat:
            self.cover_output(idx, at)
            idx = flat[offs + idx]
        else:
            idx = flat[offs + idx]
            self.cover_output(idx, at)
        for offsets, where in over:
            lay_points(idx, ys, xs, offsets, where, flat)
        return idx

    # -- connector lines ----------------------------------------------------------------

    def connectors(self, wshift: np.ndarray, tshift: np.ndarray,
                   boxes: np.ndarray | None = None) -> tuple:
        """Pixels of the connector lines inside the canvas, each once: (ys, xs, blend
        offsets of the line colour at each pixel's coverage), and the box they span (None
        for no pixels).

        Grid corners are whole pixels, so the lines only move, unchanged, while the window
        and the target move alike (stride 1, the gather view of every transposed op): the
        pixels of each shape of lines are computed once."""
        base = np.floor(wshift)
        if self.flat:
            segments = connector_segments(self.layout, self.scene, self.window_at_0 + wshift,
                                          self.target_at_0 + tshift, boxes)
            lines = [(np.array(p) - base, np.array(q) - base) for p, q in segments]
            key: tuple = tuple(tuple(np.round(np.concatenate(pq), 6).tolist())
                               for pq in lines)
        else:
            key = (tuple((tshift - base).tolist()), tuple((wshift - base).tolist()))
        found = self.line_cache.get(key)
        if found is None:
            if not self.flat:
                lines = [(self.window_at_0[i] + (wshift - base), self.target_at_0[j]
                          + (tshift - base)) for i, j in self.pairs]
            found = self.line_pixels(lines)
            if len(self.line_cache) >= MAX_CACHED_LINES:
                self.line_cache.clear()
            self.line_cache[key] = found
        ys, xs, offs, (y0, y1, x0, x1) = found
        bx, by = int(base[0]), int(base[1])
        ys, xs = ys + by, xs + bx
        box = (x0 + bx, y0 + by, x1 + bx + 1, y1 + by + 1) if len(ys) else None
        w, h = self.layout.size
        if box is not None and clip(box, (0, 0, w, h)) != box:  # past the canvas: cut
            ok = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
            ys, xs, offs = ys[ok], xs[ok], offs[ok]
            box = ((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
                   if len(ys) else None)
        return ys, xs, offs, box

    def line_pixels(self, lines: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple:
        """(ys, xs, blend offsets, (ymin, ymax, xmin, xmax)) of the pixels of ``lines``,
        each pixel once, with its largest coverage where lines cross."""
        if not len(lines):
            return (np.empty(0, int), np.empty(0, int), np.empty(0, int), (0, -1, 0, -1))
        ys, xs, cov = segment_pixels(np.array([p0 for p0, _ in lines], float),
                                     np.array([p1 for _, p1 in lines], float),
                                     CONNECTOR_WIDTH * self.layout.line_width, CONNECTOR_LEVELS)
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
        return (key // span + y0, key % span + x0, self.line_offsets[level[once]],
                (y0, y1, x0, x1))

    def caption_pixels(self, text: str, strip: Box) -> np.ndarray:
        layout = self.layout
        x0, y0, x1, y1 = strip
        rgb = self.input_rgb[y0:y1, x0:x1].astype(np.float32)
        for n, line in enumerate(text.splitlines()):
            trgb, ta = text_sprite(line, layout.text_size, self.theme.text_color, None)
            th, tw = ta.shape
            cx, cy = layout.size[0] / 2, layout.caption_y + n * layout.line_height
            where = (round(cx - tw / 2), round(cy - th / 2), round(cx - tw / 2) + tw,
                     round(cy - th / 2) + th)
            blend(rgb, None, strip, trgb, ta, where)
        return self.quantize(rgb)


def _sprites(canvas: Canvas) -> tuple[Sprite, Sprite, Sprite | None, Sprite]:
    """The window, the highlighted cell, (max pooling, numbers) the marker, and the window
    without its weights (the steps' own frames draw the weights over it)."""
    raster, scene, timeline = canvas.raster, canvas.scene, canvas.timeline
    layout, look, blender = canvas.layout, canvas.look, canvas.blender
    probe = Frame(0, timeline.window_grid, (0, 0), timeline.target_grid, (0, 0), None)  # type: ignore[arg-type]
    color, alpha = timeline.window_color, timeline.window_alpha
    outline = WINDOW_OUTLINE if alpha > 0 else MARKER_OUTLINE
    window = sprite(layout, look, blender, timeline.window_grid, scene.window_cells(probe),
                    outline=outline, weights=timeline.kernel, color=color, alpha=alpha)
    bare = (sprite(layout, look, blender, timeline.window_grid, scene.window_cells(probe),
                   outline=outline, color=color, alpha=alpha)
            if timeline.kernel is not None else window)
    target = sprite(layout, look, blender, timeline.target_grid, [(0, 0)], outline=1.0)
    marker = (sprite(layout, look, blender, "input", [(0, 0)], outline=MARKER_OUTLINE,
                     color=raster.theme.accent, alpha=0.0)
              if look.numbers and scene.spec.op == "maxpool" else None)
    return window, target, marker, bare


def look_numbers(canvas: Canvas) -> bool:
    """Are numbers drawn (so that connector lines must break around them)?"""
    return bool(canvas.look.numbers)


def frames(raster: Raster, tween: int = 0) -> FrameRun:
    """Every frame of ``raster`` (see :meth:`Raster.frames <deconv_anim.raster.Raster.frames>`)."""
    return FrameRun(raster, tween)


class FrameRun(Run):
    """One run of a raster's frames: an iterator over all of them, or any ranges of them
    in increasing order (:meth:`frames_between`).

    The picture of frame k is fully determined by its step: the static picture with the
    output changes of the steps up to k's, the last caption drawn so far in its strip
    (the strip lies under the figure, where nothing else is drawn), and frame k's own
    window, highlight, marker, numbers and connector lines over it. So a run can start
    anywhere: it applies the output changes of the steps before (no frame drawn), draws
    the frame before the first one wanted (not yielded: the next frame's changed box is
    measured against it) and goes on from there. The frames are those of a run from frame
    0, pixel for pixel, with the same changed boxes; :mod:`deconv_anim.gif_parallel` has
    two processes draw ranges of one long GIF. :meth:`prepare` does the costly set-up
    (the static layers, the sprites) once, before the first frame.
    """

    def __init__(self, raster: Raster, tween: int = 0) -> None:
        self.raster, self.tween = raster, tween
        steps = self.steps = raster.timeline.steps
        # (step, phase, how far the window has gone towards the next step) of each frame
        self.plan: list[tuple[int, float, float]] = []
        for step in steps:
            self.plan.append((step.index, 0.0, 0.0))
            if tween and step.index < len(steps) - 1:
                self.plan += [(step.index, k / (tween + 1), move) for k, move in
                              zip(range(1, tween + 1), tween_positions(tween))]
        self.count = len(self.plan) + 1 if steps else 0  # and the held final frame
        self.canvas: Canvas | None = None

    def prepare(self, peer: Any = None, role: int = 0) -> None:
        """Paint the static layers and the sprites (once). With ``peer`` (``send`` and
        ``receive_into`` whole arrays) to a process preparing the same run with the other
        ``role``, the two share the work: role 0 paints the input layer, role 1 the
        output layer, and each sends the other what it made (the same arrays)."""
        if self.canvas is not None:
            return
        canvas = self.canvas = Canvas(self.raster)
        scene, timeline = canvas.scene, canvas.timeline
        rows, cols = scene.spec.output_size
        self.fills = np.empty((rows, cols, 3), np.uint8)
        self.texts = np.full((rows, cols), None, dtype=object)
        for state in timeline.start:
            self.fills[state.cell] = state.fill
            self.texts[state.cell] = state.text
        if peer is None:
            canvas.paint_static()
            canvas.index_static(canvas.paint_output(self.fills, self.texts))
        elif role == 0:
            canvas.paint_static()
            canvas.index_input()
            peer.send(canvas.input_rgb)
            peer.send(canvas.input_idx)
            box = np.empty(4, np.int64)
            peer.receive_into(box)
            y0, y1 = int(box[1]), int(box[3])
            canvas.base_idx = canvas.input_idx.copy()
            for array in (canvas.out_rgb, canvas.out_alpha, canvas.base_idx):
                peer.receive_into(array[y0:y1])  # whole rows: one block of memory
            # the blend table grows as rows are asked for: each process asks for its own
            canvas.index_output(tuple(int(v) for v in box))  # type: ignore[arg-type]
        else:
            w, h = canvas.layout.size
            canvas.out_rgb = np.zeros((h, w, 3), np.uint8)
            canvas.out_alpha = np.zeros((h, w), np.uint8)
            out_box = canvas.paint_output(self.fills, self.texts)
            canvas.index_output(out_box)
            canvas.input_rgb = np.empty((h, w, 3), np.uint8)
            canvas.input_idx = np.empty((h, w), np.uint8)
            peer.receive_into(canvas.input_rgb)
            peer.receive_into(canvas.input_idx)
            canvas.base_idx = canvas.input_idx.copy()
            canvas.place_output(out_box, canvas.output_indices(out_box))
            peer.send(np.array(out_box, np.int64))
            y0, y1 = out_box[1], out_box[3]
            for array in (canvas.out_rgb, canvas.out_alpha, canvas.base_idx):
                peer.send(array[y0:y1])
        self.pixels = canvas.base_idx.copy()
        self.sprites = _sprites(canvas)
        self.glyphs = (GlyphBoxes(canvas.layout, timeline)
                       if canvas.flat and look_numbers(canvas) else None)
        self.placed_texts: dict = {}  # a number drawn on top, placed: the same every step
        self.applied = -1  # the last step whose output changes are in the layers
        self.shown = -1  # the step whose caption and glyph boxes are below
        self.caption: str | None = None
        self.boxes: np.ndarray | None = None
        self._restart(None)

    def _restart(self, caption: str | None) -> None:
        self.prev_rects: list[Box] = []
        self.prev_box: Box | None = None
        self.prev_lines = np.empty(0, int)  # flat indices
        self.last_caption = caption

    def _frame(self, index: int) -> RasterFrame:
        return self._draw(index, True)  # type: ignore[return-value]

    def _apply(self, index: int) -> Box | None:
        """The output changes of step ``index`` into the layers: the box repainted."""
        canvas, step, self.applied = self.canvas, self.steps[index], index
        assert canvas is not None
        if not step.changes:
            return None
        for change in step.changes:
            self.fills[change.cell] = change.fill
            self.texts[change.cell] = change.text
        repaint = canvas.paint_output(self.fills, self.texts, [c.cell for c in step.changes])
        canvas.place_output(repaint, canvas.quantize(canvas.composite(repaint)))
        canvas.classify_output(repaint)
        return repaint

    def _seek(self, start: int) -> None:
        """Make the run's state that of a run from frame 0 that has drawn frame
        ``start - 1``: output changes applied, the static picture, the caption, that
        frame's moving parts."""
        canvas, layout = self.canvas, self.raster.layout
        assert canvas is not None
        before = start - 1
        step, phase, _ = self.plan[before]
        upto = step if phase else step - 1  # a step's own frame applies its changes
        for index in range(self.applied + 1, upto + 1):
            self._apply(index)
        caption = None
        for index in range(upto, -1, -1):  # the caption on screen: the last one drawn
            text = self.steps[index].caption
            if text is not None:
                caption = layout.fit_caption(text)
                break
        np.copyto(self.pixels, canvas.base_idx)
        self._restart(caption)
        if caption is not None:
            strip = clip(layout.caption_box, (0, 0, *layout.size))
            self.pixels[strip[1]:strip[3], strip[0]:strip[2]] = canvas.caption_pixels(
                caption, strip)
        self._draw(before, False)

    def _draw(self, index: int, emit: bool) -> RasterFrame | None:
        """Draw frame ``index`` (the one after the last drawn) into ``pixels``."""
        canvas, pixels = self.canvas, self.pixels
        assert canvas is not None
        if index == len(self.plan):
            return _final_frame(canvas, pixels, index, len(self.steps), self.prev_rects,
                                self.prev_lines, self.prev_box, self.last_caption is not None)
        layout, (w, h) = canvas.layout, canvas.layout.size
        full = (0, 0, w, h)
        step_index, phase, move = self.plan[index]
        step = self.steps[step_index]
        fresh = self._apply(step_index) if phase == 0 and self.applied < step_index else None
        if self.shown != step_index:
            self.shown = step_index
            self.caption = (layout.fit_caption(step.caption) if step.caption is not None
                            else None)
            self.boxes = self.glyphs.at(step_index) if self.glyphs is not None else None
        window, target, marker, bare = self.sprites
        scatter = canvas.scene.view == "scatter"
        nxt = self.steps[step_index + 1] if move else step
        wshift = layout.shift(step.window, nxt.window, move)
        tshift = layout.shift(step.target, step.target)  # the highlight jumps
        on_top = step.over_texts if move == 0 else ()
        placed_window = (bare if on_top else window).place(wshift)
        placed_target = target.place(tshift)
        under = [placed_target] if scatter else [placed_window]
        over = [placed_window] if scatter else [placed_target]
        if marker is not None and move == 0 and step.marker is not None:
            under.append(marker.place(layout.corner("input", *step.marker)
                                      - layout.corner("input", 0, 0)))
        # the numbers last, over the window and the highlight: one small sprite each
        # (alike ones share their painted pixels)
        for text in on_top:
            placed = self.placed_texts.get(text)
            if placed is None:
                placed = self.placed_texts[text] = Sprite(
                    over_text_ops(layout, (text,)), 1, canvas.blender).place(np.zeros(2))
            over.append(placed)
        ys, xs, offs, line_box = canvas.connectors(wshift, tshift, self.boxes)
        rects = merge([clip(where, full) for *_, where in under + over])
        strip = None
        caption = self.caption
        if caption is not None and phase == 0 and caption != self.last_caption:
            strip = clip(layout.caption_box, full)
        box = union(self.prev_box, *rects, line_box, strip, fresh)
        ux0, uy0, ux1, uy1 = box  # type: ignore[misc]
        before = pixels[uy0:uy1, ux0:ux1].copy() if index and emit else None
        # back to the static picture where the previous frame drew
        base_idx = canvas.base_idx
        for bx0, by0, bx1, by1 in [*self.prev_rects, *([fresh] if fresh else [])]:
            pixels[by0:by1, bx0:bx1] = base_idx[by0:by1, bx0:bx1]
        put = pixels.reshape(-1)
        put[self.prev_lines] = base_idx.reshape(-1).take(self.prev_lines)
        # then this frame's moving parts
        for rect in rects:
            x0, y0, x1, y1 = rect
            pixels[y0:y1, x0:x1] = canvas.draw_region(rect, under, over)
        at = ys * w + xs
        if len(at):
            put[at] = canvas.draw_line_pixels((ys, xs, offs), under, over)
        if strip is not None:
            pixels[strip[1]:strip[3], strip[0]:strip[2]] = canvas.caption_pixels(
                caption, strip)  # type: ignore[arg-type]
            self.last_caption = caption
        self.prev_rects, self.prev_lines = rects, at
        self.prev_box = union(*rects, line_box)
        if not emit:
            return None
        if index == 0:
            return RasterFrame(0, pixels, full, None, step_index, phase)
        changed_box, mask = tighten((ux0, uy0, ux1, uy1),
                                    pixels[uy0:uy1, ux0:ux1] != before)
        return RasterFrame(index, pixels, changed_box, mask, step_index, phase)


def _final_frame(canvas: Canvas, pixels: np.ndarray, index: int, count: int,
                 prev_rects: list[Box], prev_lines: np.ndarray, prev_box: Box | None,
                 captioned: bool) -> RasterFrame:
    """The held clean final frame (a frame, not a step: ``step`` is ``count``): the
    finished output on the static picture, without the window, the highlight, the marker,
    the connector lines or a step's caption."""
    w, h = canvas.layout.size
    full = (0, 0, w, h)
    base_idx = canvas.base_idx
    strip = clip(canvas.layout.caption_box, full) if captioned else None
    box = union(prev_box, strip)
    if box is None:
        return RasterFrame(index, pixels, (0, 0, 1, 1), np.zeros((1, 1), bool), count, 0.0)
    ux0, uy0, ux1, uy1 = box
    before = pixels[uy0:uy1, ux0:ux1].copy()
    for bx0, by0, bx1, by1 in prev_rects:
        pixels[by0:by1, bx0:bx1] = base_idx[by0:by1, bx0:bx1]
    pixels.reshape(-1)[prev_lines] = base_idx.reshape(-1).take(prev_lines)
    if strip is not None:
        pixels[strip[1]:strip[3], strip[0]:strip[2]] = canvas.caption_pixels("", strip)
    changed_box, mask = tighten(box, pixels[uy0:uy1, ux0:ux1] != before)
    return RasterFrame(index, pixels, changed_box, mask, count, 0.0)
