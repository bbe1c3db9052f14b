"""A chain (``stages:``) drawn on one canvas: the stages play one after another.

Each stage is an ordinary :class:`~deconv_anim.raster.Raster` (its own scene, timeline and
layout, one palette for all). The stages are placed so that stage ``k``'s output grid and
stage ``k + 1``'s input grid fall on the same pixels: the intermediate grid is shared (flat
layout: input, mid, ..., output from left to right; oblique: stacked upwards). Transposed
stages are drawn in the scatter view, whose input grid is the previous output as it is.

While stage ``k`` plays, the stages before it show their finished picture (output
complete, no window), the output grids of the stages after it are drawn empty, and stage
``k``'s frame is laid over them (its grids and its other non-background pixels). Under
the figure: the title, then ``stage k/n: <the op>`` and the step's caption.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from .chain_panels import GridPanel, SlabPanel, chain_lookup
from .channel_raster import ChannelRaster
from .composite import tighten
from .font import text_width
from .layout import Figure, Look
from .paint import Ops
from .palette import BACKGROUND, build_palette, quantize
from .raster import Raster, RasterFrame
from .scene import Scene, build_scene
from .spec import Spec
from .timeline import build_timeline

__all__ = ["ChainRaster", "chain_scenes"]

SHORT_NAMES = {"conv": "conv", "transposed": "transposed conv", "maxpool": "max pool",
               "avgpool": "avg pool"}


def _left_reach(spec: Spec) -> int:
    """Cells a stage draws left of (and above) its input: its padding, in the gather view
    (transposed stages draw the scatter view, which has none)."""
    if spec.is_transposed:
        return 0
    return max(spec.padding_with_overhang)


def chain_scenes(stages: Sequence[Spec], layout: str) -> list[Scene]:
    """One scene per stage, each output grid moved away from its input by the next stage's
    padding too, so that the next stage's padded input never covers this stage's input."""
    scenes = [build_scene(spec, layout=layout, view="scatter" if spec.is_transposed
                          else "gather") for spec in stages]
    for k in range(len(scenes) - 1):
        extra = _left_reach(stages[k + 1])
        if not extra:
            continue
        scene = scenes[k]
        x, y = scene.output.offset
        moved = (x + extra, y) if layout == "flat" else (x, y + extra)
        scenes[k] = replace(scene, output=replace(scene.output, offset=moved))
    return scenes


def stage_line(spec: Spec) -> str:
    """A stage in a few words: ``conv 3x3, stride 2, padding 1: 5x5 -> 3x3``."""
    def axes(pair: tuple[int, ...]) -> str:
        return str(pair[0]) if len(set(pair)) == 1 else "x".join(map(str, pair))

    t, b, l, r = spec.padding
    padding = (spec.padding_form if spec.padding_form != "explicit" else
               axes((t, b, l, r)) if t == b == l == r else f"[{t}, {b}, {l}, {r}]")
    parts = [f"{SHORT_NAMES.get(spec.op, spec.op)} {'x'.join(map(str, spec.kernel_size))}",
             f"stride {axes(spec.stride)}"]
    if spec.channels and spec.groups > 1 and not spec.is_pool:
        parts.append(f"groups {spec.groups}")
    if spec.dilation != (1, 1):
        parts.append(f"dilation {axes(spec.dilation)}")
    if padding not in ("valid", "0"):
        parts.append(f"padding {padding}")
    if spec.output_padding != (0, 0):
        parts.append(f"output_padding {axes(spec.output_padding)}")
    shapes: list[tuple[int, ...]] = [spec.input_size, spec.output_size]
    if spec.channels:
        shapes = [(spec.in_channels, *spec.input_size), spec.output_shape]
    return f"{', '.join(parts)}: {'x'.join(map(str, shapes[0]))} -> " \
           f"{'x'.join(map(str, shapes[1]))}"


class ChainRaster:
    """The stages of a chain on one canvas (see the module's docstring).

    Parameters
    ----------
    stages : sequence of Spec
    look : Look
    layout : {'flat', 'oblique'}
    title : str, optional
        The line under the figure (default: none).
    """

    def __init__(self, stages: Sequence[Spec], look: Look, *, layout: str,
                 title: str | None = None) -> None:
        self.stages, self.look, self.theme = tuple(stages), look, look.theme
        scenes = chain_scenes(self.stages, layout)
        top = None
        if look.overlap:  # the stamps compounded through the stages, one scale for all
            from .engine import compute

            top = max(int(np.rint(compute(spec)).max()) for spec in self.stages)
        timelines = {k: build_timeline(scene, look.theme, numbers=look.numbers,
                                       labels=look.labels, overlap=look.overlap,
                                       compound_top=top)
                     for k, scene in enumerate(scenes) if not scene.spec.channels}
        slabs = {k: ChannelRaster(scene, look) for k, scene in enumerate(scenes)
                 if scene.spec.channels}
        colors: list = []
        for k, timeline in timelines.items():
            if scenes[k].view == "scatter" or look.overlap:
                colors += [t for t in timeline.tints.fills if t not in colors]
        for raster in slabs.values():
            colors += [f for trio in raster.layout.fills for f in trio[:2] if f not in colors]
        self.palette_args = build_palette(look.theme, colors)
        self.palette = self.palette_args[0]
        self.lut = chain_lookup(self.palette_args)
        self.panels: list[GridPanel | SlabPanel] = [
            SlabPanel(slabs[k], self.lut) if k in slabs else
            GridPanel(Raster(scene, look, palette=self.palette_args, timeline=timelines[k]))
            for k, scene in enumerate(scenes)]
        self.layout = self.panels[0].raster.layout
        """The first stage's layout (its ``cell`` is every stage's)."""
        self.offsets: list[tuple[int, int]] = []
        self.width = self.figure_height = 0
        self._place()
        first = self.panels[0]
        self.text_size, self.line_height = first.text_size, first.line_height
        count = len(self.stages)
        self.heads = [f"stage {k + 1}/{count}: {stage_line(spec)}"
                      for k, spec in enumerate(self.stages)]
        self.title_lines = [title] if title else []
        widest = max(text_width(line, self.text_size) for line in
                     [*self.heads, *self.title_lines])
        room = int(np.ceil(widest)) + 2 * first.margin
        if room > self.width:  # the text is wider than the figure: centre the figure
            shift = (room - self.width) // 2
            self.offsets = [(x + shift, y) for x, y in self.offsets]
            self.width = room
        self.captioned = look.numbers or look.labels
        self.legends = [panel.legend() for panel in self.panels]
        tallest = max((strip.shape[0] for strip in self.legends if strip is not None),
                      default=0)
        widest_legend = max((strip.shape[1] for strip in self.legends if strip is not None),
                            default=0)
        if widest_legend + 2 * first.margin > self.width:
            shift = (widest_legend + 2 * first.margin - self.width) // 2
            self.offsets = [(x + shift, y) for x, y in self.offsets]
            self.width = widest_legend + 2 * first.margin
        lines = len(self.title_lines) + 1 + 2 * self.captioned
        self.text_top = self.figure_height
        self.legend_top = self.figure_height + lines * self.line_height
        self.size = (self.width, self.legend_top + tallest + first.margin // 2)

    def _place(self) -> None:
        """Offsets of the panels: each input cell (0, 0) on the previous output cell (0, 0)."""
        spots = [(0.0, 0.0)]
        for before, now in zip(self.panels, self.panels[1:]):
            (ox, oy), (ix, iy) = before.anchor_out, now.anchor_in
            px, py = spots[-1]
            spots.append((px + ox - ix, py + oy - iy))
        x0 = min(x for x, _ in spots)
        y0 = min(y for _, y in spots)
        self.offsets = [(round(x - x0), round(y - y0)) for x, y in spots]
        self.width = max(x + p.width for p, (x, _) in zip(self.panels, self.offsets))
        self.figure_height = max(y + p.figure_height
                                 for p, (_, y) in zip(self.panels, self.offsets))

    @property
    def figure(self) -> Figure:
        """Vector output of a chain is not drawn yet (refused before this is asked)."""
        raise NotImplementedError("a chain is drawn as pixels only")

    def quantize(self, rgb: np.ndarray) -> np.ndarray:
        return quantize(rgb, self.lut)

    def _lay(self, pixels: np.ndarray, k: int, image: np.ndarray, *, footprint: bool = True
             ) -> None:
        """Stage ``k``'s figure pixels (chain palette) over ``pixels`` where it draws: its
        grids (unless not ``footprint``), and any pixel not the background."""
        x, y = self.offsets[k]
        h, w = image.shape
        region = pixels[y:y + h, x:x + w]
        where = image != BACKGROUND
        if footprint:
            where |= self.panels[k].footprint
        np.copyto(region, image, where=where)

    def _text(self, lines: Sequence[str], legend: np.ndarray | None) -> np.ndarray:
        """The rows under the figure: the given lines, centred, then the stage's legend."""
        w, h = self.size
        top = self.text_top
        ops = Ops()
        for n, line in enumerate(lines):
            if line:
                ops.text((w / 2, top + self.line_height // 2 + n * self.line_height), line,
                         self.text_size, self.theme.text_color)
        rgb = np.empty((h - top, w, 3), np.float32)
        ops.paint_into(rgb, None, (0, top, w, h), self.theme.background)
        rows = self.quantize(rgb)
        if legend is not None:
            lh, lw = legend.shape
            y, x = self.legend_top - top, (w - lw) // 2
            rows[y:y + lh, x:x + lw] = legend
        return rows

    def frames(self, tween: int = 0) -> Iterator[RasterFrame]:
        """Every frame: the stages' steps one after another (no in-between frames)."""
        if tween:
            raise ValueError("a chain plays without in-between frames")
        w, h = self.size
        pixels = np.full((h, w), BACKGROUND, np.uint8)
        done = np.full((self.figure_height, w), BACKGROUND, np.uint8)
        captions: dict[tuple, np.ndarray] = {}
        index = 0
        previews = [panel.preview() for panel in self.panels]
        for k, panel in enumerate(self.panels):
            base = done.copy()  # the stages done, then those to come, empty
            for j in range(k + 1, len(self.panels)):
                self._lay(base, j, previews[j], footprint=False)
            count = len(panel.raster.timeline.steps)
            for frame in panel.frames():
                final = frame.step >= count  # a stage's held clean final frame:
                if final and k < len(self.panels) - 1:  # the chain's last one only
                    continue
                lines = [*self.title_lines, self.heads[k]]
                if self.captioned:
                    text = "" if final else panel.caption(frame.step) or ""
                    lines += [*text.splitlines(), "", ""][:2]
                key = (k, *lines)
                if key not in captions:
                    captions[key] = self._text(lines, self.legends[k])
                new = np.full((h, w), BACKGROUND, np.uint8)
                new[:self.figure_height] = base
                self._lay(new, k, panel.to_chain(frame.pixels[:panel.figure_height]))
                new[self.text_top:] = captions[key]
                if index == 0:
                    pixels[:] = new
                    yield RasterFrame(0, pixels, (0, 0, w, h), None, frame.step)
                else:
                    box, mask = tighten((0, 0, w, h), new != pixels)
                    pixels[:] = new
                    yield RasterFrame(index, pixels, box, mask, frame.step)
                index += 1
            self._lay(done, k, panel.finished())
