"""The layout of a channel-mode figure: stacks of channel slabs in pixels, computed once.

A channel-mode op (:attr:`Spec.channels <deconv_anim.spec.Spec.channels>`) is drawn as
three columns: the input channels as a stack of slabs (each the grid the gather window
slides over: padded, or spread and padded), in the ``flat`` layout the kernels of the
current output channel (one per input channel of its group, beside its input slab), and
the output channels as a second stack. Slabs are stacked straight down the page, channel 0
on top, one third of a cell apart; the output stack is centred on the input stack, two
cells to its right. Above :data:`MAX_SHOWN` channels a stack shows the first three slabs,
an ellipsis and the last (:func:`slots`).

Groups are colour-coded: with ``groups > 1`` (not a pool) the input slabs, the kernels and
the output slabs of group ``g`` share the hue ``GROUP_HUES[g % len(GROUP_HUES)]``
(Okabe & Ito's colour-blind-safe set, which reads on the light and the dark themes); with
one group the theme's own input and output colours are used.

Geometry only (no Pillow): the unit vectors are those of :mod:`deconv_anim.layout`, so a
channel slab is drawn exactly like a single-channel grid. What each step shows comes from
:mod:`deconv_anim.channel_timeline`; :mod:`deconv_anim.channel_raster` paints both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .font import text_width
from .layout import Look, text_size_of
from .report import summary
from .scene import BASES, CellKind, Scene
from .themes import RGB, Theme, mix

__all__ = ["MAX_SHOWN", "GROUP_HUES", "Slab", "ChannelLayout", "slots", "group_fills",
           "build_channel_layout"]

MAX_SHOWN = 8  # a stack of more channels shows the first 3, an ellipsis and the last
GROUP_HUES: tuple[RGB, ...] = (
    (230, 159, 0),  # orange
    (86, 180, 233),  # sky blue
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (0, 114, 178),  # blue
    (213, 94, 0),  # vermillion
    (240, 228, 66),  # yellow
)
OUTPUT_SHADE = 0.6  # a group's output fill: this far from the background to its hue
KERNEL_SHADE = 0.45  # a kernel cell's fill: this far from the background to its hue
SLAB_GAP = 1 / 3  # cells between two slabs of a stack
COLUMN_GAP = 2  # cells between two columns
LABEL_SIZE = 0.4  # slab labels, relative to the cell
Point = tuple[float, float]


def slots(count: int) -> tuple[int | None, ...]:
    """The channels a stack draws, top to bottom; None is the ellipsis.

    >>> slots(3), slots(10)
    ((0, 1, 2), (0, 1, 2, None, 9))
    """
    if count <= MAX_SHOWN:
        return tuple(range(count))
    return (0, 1, 2, None, count - 1)


def group_fills(theme: Theme, groups: int, coded: bool) -> tuple[tuple[RGB, RGB, RGB], ...]:
    """(input, output, kernel) fills of each group: hues when ``coded``, else the theme's."""
    out = []
    for g in range(groups if coded else 1):
        hue = GROUP_HUES[g % len(GROUP_HUES)] if coded else theme.input
        output = mix(theme.background, hue, OUTPUT_SHADE) if coded else theme.output
        out.append((hue, output, mix(theme.background, hue, KERNEL_SHADE)))
    return tuple(out)


@dataclass(frozen=True)
class Slab:
    """One drawn channel grid: where it is and how it is filled.

    ``kinds[i, j]`` is the :class:`~deconv_anim.scene.CellKind` of matrix cell
    ``(first[0] + i, first[1] + j)``; the top-left corner of matrix cell ``(r, c)`` is
    ``origin + c * ex + (rows - r) * ey``.
    """

    kind: str  # "input", "output" or "kernel"
    channel: int  # the channel (a kernel: the input channel of its row)
    group: int
    origin: tuple[int, int]
    rows: int
    kinds: np.ndarray
    first: tuple[int, int]
    fill: RGB
    label: str
    label_at: Point


@dataclass(frozen=True)
class ChannelLayout:
    """Where everything of a channel-mode figure goes, in pixels (y down)."""

    cell: int
    line_width: float
    margin: int
    ex: tuple[int, int]
    ey: tuple[int, int]
    inputs: dict[int, Slab]
    outputs: dict[int, Slab]
    kernel_origins: dict[int, tuple[int, int]]
    """Flat layout: the origin of the kernel drawn beside each shown input channel."""
    kernel_size: tuple[int, int]
    ellipses: tuple[Point, ...]
    fills: tuple[tuple[RGB, RGB, RGB], ...]
    """(input, output, kernel) fill of each group (one entry without colour-coding)."""
    size: tuple[int, int]
    figure_height: int
    text_size: int
    label_size: int
    line_height: int
    static_lines: tuple[str, ...]
    has_caption: bool

    def corner_xy(self, origin: tuple[int, int], rows: int, r: float, c: float) -> Point:
        (ax, ay), (bx, by) = self.ex, self.ey
        k = rows - r
        return origin[0] + c * ax + k * bx, origin[1] + c * ay + k * by

    def polygon(self, origin: tuple[int, int], rows: int, r: float, c: float, h: float = 1,
                w: float = 1) -> np.ndarray:
        """Corners (4 x 2) of the block of ``h x w`` cells from (r, c): top-left, top-right,
        bottom-right, bottom-left (matrix sense)."""
        x, y = self.corner_xy(origin, rows, r, c)
        (ax, ay), (bx, by) = self.ex, self.ey
        return np.array([(x, y), (x + w * ax, y + w * ay),
                         (x + w * ax - h * bx, y + w * ay - h * by), (x - h * bx, y - h * by)],
                        float)

    def cell_polygon(self, slab: Slab, r: float, c: float, h: float = 1, w: float = 1
                     ) -> np.ndarray:
        return self.polygon(slab.origin, slab.rows, r, c, h, w)

    def cell_centre(self, slab: Slab, r: float, c: float) -> np.ndarray:
        """Centre of matrix cell (r, c) of ``slab``: where its number goes (and what pixel
        tests sample)."""
        return self.cell_polygon(slab, r, c).mean(axis=0)

    def static_line_y(self, n: int) -> float:
        """Centre height of static line ``n``."""
        return self.figure_height + self.line_height // 2 + n * self.line_height

    @property
    def caption_y(self) -> float:
        """Centre height of the first caption line."""
        return self.static_line_y(len(self.static_lines))

    def fill(self, group: int, which: int) -> RGB:
        """Fill ``which`` (0 input, 1 output, 2 kernel) of ``group``."""
        return self.fills[group % len(self.fills)][which]

    def kernel_slab(self, channel: int, group: int) -> Slab | None:
        """The kernel cells beside input channel ``channel`` (flat layout), or None."""
        origin = self.kernel_origins.get(channel)
        if origin is None:
            return None
        kh, kw = self.kernel_size
        return Slab("kernel", channel, group, origin, kh, np.full((kh, kw), CellKind.OUTPUT,
                    np.uint8), (0, 0), self.fill(group, 2), "", (0.0, 0.0))


def _extent(poly: np.ndarray) -> tuple[float, float, float, float]:
    return (float(poly[:, 0].min()), float(poly[:, 1].min()), float(poly[:, 0].max()),
            float(poly[:, 1].max()))


def build_channel_layout(scene: Scene, look: Look, *, heading: str | None = None
                         ) -> ChannelLayout:
    """The layout of the channel-mode ``scene`` (gather view) drawn with ``look``.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> spec = make_spec(op="conv", size=4, kernel=3, in_channels=3, out_channels=2)
    >>> layout = build_channel_layout(build_scene(spec), Look(THEMES["classic"]))
    >>> sorted(layout.inputs), sorted(layout.outputs), layout.ex
    ([0, 1, 2], [0, 1], (30, -15))
    """
    spec, theme, cell = scene.spec, look.theme, look.cell
    (ax, ay), (bx, by) = BASES[scene.layout]
    ex = (round(cell * ax), -round(cell * ay))
    ey = (round(cell * bx), -round(cell * by))
    plain = spec.is_pool or spec.is_upsampling  # channel-wise, no kernels: one colour
    coded = spec.groups > 1 and not plain
    fills = group_fills(theme, spec.groups, coded)
    line_width = look.line_width or max(1.0, cell / 16)
    margin = max(4, round(cell * 0.4))
    label_size = max(9, round(cell * LABEL_SIZE))
    # flat gather: a kernel column (the scatter view stamps onto the outputs instead)
    flat = scene.layout == "flat" and not plain and scene.view == "gather"
    base = ChannelLayout(cell, line_width, margin, ex, ey, {}, {}, {}, spec.kernel_size, (),
                         fills, (0, 0), 0, 0, label_size, 0, (), False)

    def extent(rows: int, first: tuple[int, int], shape: tuple[int, ...]) -> tuple[float, ...]:
        return _extent(base.polygon((0, 0), rows, first[0], first[1], shape[0], shape[1]))

    grid_in, grid_out = scene.input, scene.output
    ein = extent(grid_in.rows, grid_in.first, grid_in.kinds.shape)
    eout = extent(grid_out.rows, grid_out.first, grid_out.kinds.shape)
    kh, kw = spec.kernel_size
    eker = extent(kh, (0, 0), (kh, kw))
    gap = round(cell * SLAB_GAP)
    slab_h = math.ceil(ein[3] - ein[1])
    out_h = math.ceil(eout[3] - eout[1])
    in_slots, out_slots = slots(spec.in_channels), slots(spec.out_channels)
    dots = round(cell * 0.8)  # the height of an ellipsis slot

    def heights(items: tuple[int | None, ...], h: int) -> list[int]:
        tops, y = [], 0
        for item in items:
            tops.append(y)
            y += (h if item is not None else dots) + gap
        return tops

    in_tops = heights(in_slots, slab_h)
    out_tops = heights(out_slots, out_h)
    in_total = in_tops[-1] + (slab_h if in_slots[-1] is not None else dots)
    out_total = out_tops[-1] + (out_h if out_slots[-1] is not None else dots)
    label_w = max(text_width(f"x[{c}]", label_size) for c in in_slots if c is not None)
    left = math.ceil(label_w) + round(cell * 0.3)
    x_in = left - ein[0]
    x_col = x_in + ein[2]  # right edge of the input column
    kernel_origins: dict[int, tuple[int, int]] = {}
    if flat:
        x_ker = x_col + cell - eker[0]
        x_col = x_ker + eker[2]
    x_out = x_col + COLUMN_GAP * cell - eout[0]
    shift_out = (in_total - out_total) // 2
    inputs: dict[int, Slab] = {}
    outputs: dict[int, Slab] = {}
    ellipses: list[Point] = []
    per_in = 1 if plain else spec.in_per_group  # a pool: one group per channel
    per_out = 1 if plain else spec.out_per_group
    for item, top in zip(in_slots, in_tops):
        if item is None:
            ellipses.append((x_in + (ein[0] + ein[2]) / 2, top + dots / 2))
            continue
        origin = (round(x_in), round(top - ein[1]))
        g = item // per_in
        y_mid = top + slab_h / 2
        inputs[item] = Slab("input", item, g, origin, grid_in.rows, grid_in.kinds,
                            grid_in.first, fills[g % len(fills)][0], f"x[{item}]",
                            (left / 2, y_mid))
        if flat:
            kernel_origins[item] = (round(x_ker), round(y_mid - (eker[1] + eker[3]) / 2))
    label_out = max(text_width(f"out[{c}]", label_size) for c in out_slots if c is not None)
    for item, top in zip(out_slots, out_tops):
        top += shift_out
        if item is None:
            ellipses.append((x_out + (eout[0] + eout[2]) / 2, top + dots / 2))
            continue
        origin = (round(x_out), round(top - eout[1]))
        g = item // per_out
        outputs[item] = Slab("output", item, g, origin, grid_out.rows, grid_out.kinds,
                             grid_out.first, fills[g % len(fills)][1], f"out[{item}]",
                             (x_out + eout[2] + round(cell * 0.3) + label_out / 2,
                              top + out_h / 2))
    # the figure box: slabs, labels; then the margin around it
    right = x_out + eout[2] + round(cell * 0.3) + label_out + 2
    boxes: list[tuple[float, float, float, float]] = [
        (0.0, min(0, shift_out), right, max(in_total, shift_out + out_total))]
    for slab in (*inputs.values(), *outputs.values()):
        e = _extent(base.cell_polygon(slab, slab.first[0], slab.first[1], *slab.kinds.shape))
        boxes.append(e)
    x0 = math.floor(min(b[0] for b in boxes))
    y0 = math.floor(min(b[1] for b in boxes))
    x1 = math.ceil(max(b[2] for b in boxes))
    y1 = math.ceil(max(b[3] for b in boxes))
    text_size = text_size_of(cell, look.numbers)
    line_height = round(text_size * 1.35)
    caption = look.numbers or look.labels
    statics = [line for line in (heading, scene.title) if line]
    if look.labels:
        statics.append(summary(spec))
    if look.numbers and spec.is_transposed and scene.view == "gather":
        statics.append("The window applies the kernel rotated by 180 degrees.")
    width = max([x1 - x0 + 2 * margin,
                 *(math.ceil(text_width(t, text_size)) + 2 * margin for t in statics)])
    dx, dy = (width - (x1 - x0)) // 2 - x0, margin - y0

    def moved(slab: Slab) -> Slab:
        return Slab(slab.kind, slab.channel, slab.group,
                    (slab.origin[0] + dx, slab.origin[1] + dy), slab.rows, slab.kinds,
                    slab.first, slab.fill, slab.label,
                    (slab.label_at[0] + dx, slab.label_at[1] + dy))

    figure_height = y1 - y0 + 2 * margin
    n_rows = len(statics) + 2 * caption
    height = figure_height + n_rows * line_height + (margin // 2 if n_rows else 0)
    return ChannelLayout(
        cell, line_width, margin, ex, ey,
        {c: moved(s) for c, s in inputs.items()}, {c: moved(s) for c, s in outputs.items()},
        {c: (o[0] + dx, o[1] + dy) for c, o in kernel_origins.items()}, (kh, kw),
        tuple((x + dx, y + dy) for x, y in ellipses), fills, (int(width), int(height)),
        int(figure_height), text_size, label_size, line_height, tuple(statics), caption)
