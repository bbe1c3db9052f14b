"""The timeline: what each step of an animation shows, computed once from the engine's trace.

Painters (the Pillow raster, the SVG writer, the HTML player) only paint it: which cell the
window covers and which it highlights, the numbers in the cells, the caption, the output
cells that change and their new fill and number, the max-pool marker. Plain data: colours
are RGB tuples, texts are strings, cells are (row, column) pairs; :meth:`Timeline.to_dict`
gives it as JSON-ready lists and dicts.

Two sets of coordinates appear. The op's own: ``x[ir, ic]``, ``w[kr, kc]``,
``out[or, oc]``, as the engine's taps give them. The drawn grids': matrix cells of
:attr:`Scene.input <deconv_anim.scene.Scene.input>` and ``Scene.output``; in the gather view
the input grid is the padded (and, for transposed ops, spread) input, so an input cell
``(ir, ic)`` is drawn at ``(ir * spacing + pad_top, ic * spacing + pad_left)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from .engine import compute, gather_weights, stamp_counts
from .report import format_value
from .scene import CellKind, Scene
from .spec import Pair
from .themes import RGB, Theme, mix
from .upsample_report import upsampling_equation, weight_text

__all__ = ["Timeline", "TimelineStep", "Link", "CellState", "CellText", "GridText", "Tints",
           "NumberRule",
           "build_timeline", "clock_starts", "clock_slots", "tween_positions", "MAX_TERMS",
           "reading_order",
           "MAX_TINTS"]

TIMES = "\u00b7"  # the product sign in captions (a raised dot: the font has no times sign)
MAX_TERMS = 9  # terms of a sum shown in the caption before "..."
MAX_TINTS = 8  # tints of the overlap map; more stamp counts than this share tints


@dataclass(frozen=True)
class Tints:
    """The fills of output cells by how many stamps hit them (scatter view, overlap map).

    ``classes`` are the stamp counts shown with one tint each, as (lowest, highest) count:
    every count that occurs (in the scatter view every count up to the largest, as the
    output fills up), or ``MAX_TINTS`` equal bins when there are more.
    """

    theme: Theme
    top: int
    classes: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, theme: Theme, counts: np.ndarray, scatter: bool) -> Tints:
        top = int(counts.max()) if counts.size else 1
        present = (list(range(1, top + 1)) if scatter
                   # a set, not np.unique (which imports numpy.ma on first use)
                   else sorted({int(c) for c in np.ravel(counts).tolist() if c > 0}))
        if len(present) <= MAX_TINTS:
            classes = [(c, c) for c in present]
        else:
            edges = [0, *(-(-level * top // MAX_TINTS) for level in range(1, MAX_TINTS + 1))]
            classes = [(lo + 1, hi) for lo, hi in pairwise(edges) if hi > lo]
        return cls(theme, max(top, 1), tuple(classes))

    def fill(self, count: int) -> RGB:
        """The fill of an output cell hit by ``count`` stamps (the background for none)."""
        if count > 0 and self.top > MAX_TINTS and len(self.classes) == MAX_TINTS:  # binned
            count = next(hi for lo, hi in self.classes if lo <= count <= hi)
        return self.theme.tint(count, self.top)

    @property
    def fills(self) -> list[RGB]:
        """The fill of each class, lightest first."""
        return [self.fill(hi) for _, hi in self.classes]

    @property
    def labels(self) -> list[str]:
        return [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.classes]


@dataclass(frozen=True)
class NumberRule:
    """How every number of one figure is written (one rule per figure).

    All whole: whole numbers. Otherwise every computed number (outputs, running sums,
    means, the results in captions) has ``decimals`` digits after the point: the fewest
    (1 or 2) that write each of the figure's outputs exactly, else 2; an input value or
    weight is written whole when it is whole, else with the same ``decimals``.

    >>> rule = NumberRule(2)
    >>> rule.result(1.25), rule.result(5 / 6), rule.result(2), rule.data(3), rule.data(0.5)
    ('1.25', '0.83', '2.00', '3', '0.50')
    """

    decimals: int | None = None

    @classmethod
    def of(cls, spec: Any) -> NumberRule:
        values = np.concatenate([np.ravel(compute(spec)).astype(float),
                                 np.ravel(spec.input).astype(float),
                                 np.ravel(spec.weights).astype(float)])
        values = values[np.isfinite(values)]
        if np.all(values == np.round(values)):
            return cls(None)
        for d in (1, 2):
            if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9):
                return cls(d)
        return cls(2)

    def result(self, value: float) -> str:
        if self.decimals is None:
            return format_value(value)
        text = f"{float(value):.{self.decimals}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text

    def data(self, value: float) -> str:
        value = float(value)
        return format_value(value) if value.is_integer() else self.result(value)


@dataclass(frozen=True)
class CellState:
    """An output cell's look from some step on: its fill and number (None: no number)."""

    cell: Pair
    fill: RGB
    text: str | None


@dataclass(frozen=True)
class CellText:
    """A number drawn in a cell of the input grid; ``faded`` for zeros and cropped cells.
    ``color`` is the colour it is drawn in on ``fill`` (None: the painter's choice)."""

    cell: Pair
    text: str
    fill: RGB
    faded: bool
    color: RGB | None = None


@dataclass(frozen=True)
class GridText:
    """A number drawn on top of everything at one step (over the translucent window and
    the highlighted cell): on ``grid`` (``"input"`` or ``"output"``), in ``color``, which
    reads at least 3:1 (WCAG) on ``fill``, the composited fill under it."""

    grid: str
    cell: Pair
    text: str
    color: RGB
    fill: RGB
    weight: bool = False
    """A kernel weight (drawn small, towards the cell's bottom-right corner), not the
    cell's own number."""


@dataclass(frozen=True)
class Link:
    """One product ``w[kernel] * x[input]`` that lands in ``out[output]``, with where each
    is drawn: ``input_at`` on the input grid, ``output_at`` on the output grid,
    ``window_at`` the window cell that shows the weight (on the window's grid)."""

    kernel: Pair
    input: Pair
    output: Pair
    input_at: Pair
    output_at: Pair
    window_at: Pair


@dataclass(frozen=True)
class TimelineStep:
    """What one step shows.

    ``cell`` and ``value``: the output cell computed and its value (gather view), or the
    input cell stamped and its value (scatter view), in the op's coordinates. ``window``
    is the window's top-left matrix cell on the window's grid and ``target`` the highlighted
    cell on the other grid (drawn coordinates). ``taps`` are the engine's rows
    ``[kr, kc, ir, ic, or, oc]`` (see :meth:`links`). ``caption`` is the step's caption line
    unwrapped (None when captions are off), ``equation`` its numbers part. ``changes`` are
    the output cells whose look changes at this step; ``marker`` the input cell outlined
    (max pooling's maximum, drawn coordinates).
    """

    index: int
    cell: Pair
    value: float
    window: Pair
    target: Pair
    taps: np.ndarray
    caption: str | None
    equation: str | None
    changes: tuple[CellState, ...]
    marker: Pair | None
    over_texts: tuple[GridText, ...] = ()
    weights: np.ndarray | None = None
    """The upsampling ops: the engine's weight of each tap (see ``Step.weights``); the
    window shows these instead of a kernel."""
    """Numbers drawn last at this step (over the window and the highlighted cell), each
    in the colour that reads on its composited fill."""


@dataclass(frozen=True)
class Timeline:
    """Every step of one view of a scene, and what holds for all of them."""

    view: str
    window_grid: str
    target_grid: str
    steps: tuple[TimelineStep, ...]
    start: tuple[CellState, ...]
    """Every output cell before the first step, row by row."""
    input_texts: tuple[CellText, ...]
    """Numbers of the input grid (values on), in drawing order."""
    kernel: np.ndarray | None
    """The weights the window shows (numbers on, not a pool): rotated by 180 degrees in the
    gather view of a transposed op, as that view applies them."""
    kernel_rotated: bool
    counts: np.ndarray | None
    """Stamps per output cell (transposed ops), from the engine."""
    tints: Tints
    spacing: Pair
    padding: Pair
    """Where op input cells sit on the drawn input grid: ``i * spacing + padding``."""
    number_rule: NumberRule = NumberRule()
    """How the figure writes its numbers."""
    window_color: RGB = (0, 0, 0)
    compound: bool = False
    """A chain's overlap map (``stages:`` with ``overlap: true``): cells are tinted by the
    stamps that reach them through every earlier stage (the running sums, every input and
    weight being 1), not by this stage's stamps alone."""
    window_alpha: float = 0.4
    """How the window is drawn: its cells shaded with ``window_color`` at ``window_alpha``
    (the theme's overlay in the gather view); alpha 0 draws only a thick outline in that
    colour (the scatter view's stamp, in the accent colour, so that it never reads as
    one more tint of the overlap map)."""

    def __len__(self) -> int:
        return len(self.steps)

    def input_at(self, cell: Pair) -> Pair:
        """The drawn input-grid cell of the op's input cell ``cell``."""
        return (cell[0] * self.spacing[0] + self.padding[0],
                cell[1] * self.spacing[1] + self.padding[1])

    def links(self, step: TimelineStep) -> tuple[Link, ...]:
        """The products of ``step`` with where each factor and result is drawn."""
        out = []
        for kr, kc, ir, ic, orow, ocol in step.taps.tolist():
            input_at = self.input_at((ir, ic))
            window_at = input_at if self.view == "gather" else (orow, ocol)
            out.append(Link((kr, kc), (ir, ic), (orow, ocol), input_at, (orow, ocol),
                            window_at))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data (for an interactive player)."""

        def state(s: CellState) -> dict[str, Any]:
            return {"cell": list(s.cell), "fill": list(s.fill), "text": s.text}

        return {
            "view": self.view, "window_grid": self.window_grid,
            "target_grid": self.target_grid,
            "start": [state(s) for s in self.start],
            "input_texts": [{"cell": list(t.cell), "text": t.text, "fill": list(t.fill),
                             "faded": t.faded,
                             "color": None if t.color is None else list(t.color)}
                            for t in self.input_texts],
            "kernel": None if self.kernel is None else
            [[self.number_rule.data(v) for v in row] for row in self.kernel.tolist()],
            "decimals": self.number_rule.decimals,
            "kernel_rotated": self.kernel_rotated,
            "steps": [{
                "index": s.index, "cell": list(s.cell), "value": s.value,
                "window": list(s.window), "target": list(s.target),
                "caption": s.caption, "equation": s.equation,
                "changes": [state(c) for c in s.changes],
                "marker": None if s.marker is None else list(s.marker),
                "over_texts": [{"grid": t.grid, "cell": list(t.cell), "text": t.text,
                                "color": list(t.color), "fill": list(t.fill),
                                "weight": t.weight}
                               for t in s.over_texts],
                "links": [{"kernel": list(k.kernel), "input": list(k.input),
                           "output": list(k.output), "input_at": list(k.input_at),
                           "output_at": list(k.output_at), "window_at": list(k.window_at)}
                          for k in self.links(s)],
            } for s in self.steps],
        }


def tween_positions(tween: int) -> list[float]:
    """How far the window has moved towards the next step in each of ``tween`` in-between
    frames (0: still on the step, 1: on the next): eased in and out (smoothstep) over the
    ``tween + 1`` intervals. The step itself is held by time, not by repeated frames: its
    own frame lasts the first half of the step (:func:`deconv_anim.budget.frame_durations`).
    The highlighted cell does not slide: it jumps with the next step.

    >>> tween_positions(1), tween_positions(4)
    ([0.5], [0.104, 0.352, 0.648, 0.896])
    """
    out = []
    for k in range(1, tween + 1):
        t = k / (tween + 1)
        out.append(round(t * t * (3 - 2 * t), 3))
    return out


def clock_starts(n: int, total: int) -> list[int]:
    """The clock step at which each of ``n`` steps starts on a clock of ``total >= n``
    steps (``view: both``: the shorter panel spread over the longer one's clock, so that
    both start and end together and neither stands still for more than one of its steps):
    step ``i`` starts at ``floor(i * total / n)``.

    >>> clock_starts(4, 25)
    [0, 6, 12, 18]
    """
    return [i * total // n for i in range(n)]


def clock_slots(n: int, total: int, tween: int = 0) -> list[tuple[int, float] | None]:
    """For each frame of a clock of ``total`` steps (each but the last followed by
    ``tween`` in-between frames): the (step, phase) of the frame a panel of ``n`` steps
    shows from there on, or None where it holds its previous frame. A step's in-between
    frames (towards the next step) come in the last clock step before that next step.

    >>> clock_slots(2, 3)
    [(0, 0.0), (1, 0.0), None]
    >>> clock_slots(2, 4, tween=1)
    [(0, 0.0), None, None, (0, 0.5), (1, 0.0), None, None]
    """
    if n <= 0 or total <= 0:
        return []
    per = tween + 1
    slots: list[tuple[int, float] | None] = [None] * ((total - 1) * per + 1)
    starts = [*clock_starts(n, total), total]
    for i in range(n):
        slots[starts[i] * per] = (i, 0.0)
        if i < n - 1:
            for k in range(1, per):
                slots[(starts[i + 1] - 1) * per + k] = (i, k / per)
    return slots


def build_timeline(scene: Scene, theme: Theme, *, numbers: bool = False,
                   labels: bool = False, overlap: bool = False,
                   compound_top: int | None = None) -> Timeline:
    """The timeline of ``scene`` with the teaching aids asked for.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> scene = build_scene(make_spec(op="conv", size=3, kernel=2, weights=[[1, 0], [0, 1]]))
    >>> t = build_timeline(scene, THEMES["classic"], numbers=True)
    >>> t.steps[0].equation.replace(TIMES, "*")
    'out[0, 0] = 3*1 + 2*0 + 1*0 + 1*1 = 4'

    ``compound_top`` (a chain's overlap map, every input and weight 1): cells are tinted by
    their value, the stamps compounded through the stages, on a scale up to it.
    """
    spec = scene.spec
    scatter = scene.view == "scatter"
    counts = stamp_counts(spec) if spec.is_transposed else None
    if compound_top is not None:
        counts = np.rint(compute(spec)).astype(np.int64)
    tints = Tints.of(theme, counts if counts is not None else np.ones((1, 1), np.int64),
                     scatter)
    if compound_top is not None:
        tints = Tints.of(theme, np.full((1, 1), compound_top, np.int64), scatter)
    g = spec.gather
    spacing, padding = ((1, 1), (0, 0)) if scatter else (g.spacing, (g.padding[0], g.padding[2]))
    kernel = None
    rotated = spec.is_transposed and not scatter
    if numbers and not spec.is_pool and not spec.is_upsampling:  # (those: the steps')
        kernel = spec.weights if scatter else gather_weights(spec)
    timeline = Timeline(
        view=scene.view, window_grid="output" if scatter else "input",
        target_grid="input" if scatter else "output", steps=(), start=(),
        input_texts=(), kernel=kernel, kernel_rotated=rotated, counts=counts, tints=tints,
        spacing=spacing, padding=padding,
        number_rule=NumberRule.of(spec) if numbers else NumberRule(),
        window_color=theme.accent if scatter else theme.overlay,
        window_alpha=0.0 if scatter else theme.overlay_alpha,
        compound=compound_top is not None)
    start, final = _output_start(scene, theme, tints, counts, numbers, overlap,
                                 timeline.number_rule)
    input_texts = _input_texts(scene, theme, numbers, timeline.number_rule)
    steps = tuple(_steps(scene, timeline, final, numbers, labels))
    if numbers:
        steps = tuple(_over_texts(scene, theme, timeline, steps, start, input_texts))
    return Timeline(**{**timeline.__dict__, "steps": steps, "start": start,
                       "input_texts": input_texts})


def _over_texts(scene: Scene, theme: Theme, timeline: Timeline,
                steps: tuple[TimelineStep, ...], start: tuple[CellState, ...],
                input_texts: tuple[CellText, ...]) -> Iterator[TimelineStep]:
    """Each step with the numbers under its window and highlighted cell, to be drawn over
    them in the colour that reads on the shaded fill (the overlay darkens or lightens the
    fill, so the colour may differ from the one the cell has elsewhere)."""
    inputs = {t.cell: t for t in input_texts}
    outputs = {s.cell: s for s in start}
    scatter = scene.view == "scatter"
    kernel = timeline.kernel
    window_grid = "output" if scatter else "input"

    def shaded(grid: str, fill: RGB) -> RGB:
        if grid == window_grid:
            return mix(fill, timeline.window_color, timeline.window_alpha)
        return theme.shaded(fill)  # the highlighted cell

    for step in steps:
        for change in step.changes:
            outputs[change.cell] = change
        (kh, kw), (dh, dw) = scene.window_size, scene.dilation
        r0, c0 = step.window
        covered = [("output" if scatter else "input", (r0 + i * dh, c0 + j * dw))
                   for i in range(kh) for j in range(kw)]
        covered.append(("input" if scatter else "output", step.target))
        texts = []
        fills: dict[tuple[str, Pair], RGB] = {}
        for grid, cell in dict.fromkeys(covered):
            if grid == "input" and cell in inputs:
                t = inputs[cell]
                fill = fills[grid, cell] = shaded(grid, t.fill)
                texts.append(GridText(grid, cell, t.text, theme.text_on(fill, t.faded), fill))
            elif grid == "output" and cell in outputs:
                o = outputs[cell]
                fill = fills[grid, cell] = shaded(grid, o.fill)
                if o.text:
                    texts.append(GridText(grid, cell, o.text, theme.text_on(fill), fill))
        shown = (kernel.ravel().tolist() if kernel is not None else
                 None if step.weights is None else step.weights.tolist())
        write = timeline.number_rule.data if step.weights is None else weight_text
        if shown is not None:
            for (grid, cell), w in zip(covered, shown):
                fill = fills.get((grid, cell), shaded(grid, theme.background))
                texts.append(GridText(grid, cell, write(w), theme.text_on(fill), fill,
                                      weight=True))
        yield TimelineStep(**{**step.__dict__, "over_texts": tuple(texts)})


def _output_start(scene: Scene, theme: Theme, tints: Tints, counts: np.ndarray | None,
                  numbers: bool, overlap: bool, rule: NumberRule
                  ) -> tuple[tuple[CellState, ...], list[list[RGB]]]:
    """The output cells before the first step, and (numbers, gather) their final fills."""
    rows, cols = scene.spec.output_size
    if scene.view == "scatter":
        final = [[theme.background] * cols for _ in range(rows)]
    elif overlap and counts is not None:
        final = [[tints.fill(int(n)) for n in row] for row in counts.tolist()]
    else:
        final = [[theme.output] * cols for _ in range(rows)]
    gather_numbers = numbers and scene.view == "gather"
    # running sums start at 0
    text = rule.result(0) if numbers and scene.view == "scatter" else None
    start = tuple(CellState((r, c), theme.pending_output if gather_numbers else final[r][c],
                            text) for r in range(rows) for c in range(cols))
    return start, final


def _steps(scene: Scene, timeline: Timeline, final: list[list[RGB]], numbers: bool,
           labels: bool) -> Iterator[TimelineStep]:
    spec = scene.spec
    scatter = scene.view == "scatter"
    x, w = spec.input, spec.weights
    rule = timeline.number_rule
    counts = np.zeros(spec.output_size, np.int64)
    sums = np.zeros(spec.output_size)
    for frame in scene.frames():
        step = frame.step
        taps = step.taps
        r, c = step.cell
        changes: tuple[CellState, ...] = ()
        if scatter and len(taps):
            ro, co = taps[:, 4], taps[:, 5]
            np.add.at(counts, (ro, co), 1)
            np.add.at(sums, (ro, co), step.value * w[taps[:, 0], taps[:, 1]])
            tally = np.rint(sums).astype(np.int64) if timeline.compound else counts
            changes = tuple(CellState((a, b), timeline.tints.fill(int(tally[a, b])),
                                      rule.result(sums[a, b]) if numbers else None)
                            for a, b in zip(ro.tolist(), co.tolist()))
        elif not scatter and numbers:
            changes = (CellState((r, c), final[r][c], rule.result(step.value)),)
        equation = _equation(scene, step, x, w, rule) if numbers else None
        parts = []
        if labels:
            where = "x" if scatter else "out"
            parts.append(f"step {step.index + 1}/{len(scene)}:" if numbers
                         else f"step {step.index + 1}/{len(scene)}: {where}[{r}, {c}]")
        if equation:
            parts.append(equation)
        marker = None
        if numbers and spec.op == "maxpool" and len(taps):
            best = taps[int(np.argmax(x[taps[:, 2], taps[:, 3]]))]
            marker = timeline.input_at((int(best[2]), int(best[3])))
        yield TimelineStep(step.index, step.cell, step.value, frame.window, frame.target,
                           taps, " ".join(parts) if (numbers or labels) else None,
                           equation, changes, marker, weights=step.weights)


def _equation(scene: Scene, step: Any, x: np.ndarray, w: np.ndarray, rule: NumberRule
              ) -> str:
    """The sum (max, mean, stamp) a step forms, with its numbers."""
    spec = scene.spec
    r, c = step.cell
    if step.weights is not None:  # an upsample: its taps (row by row) and their weights
        return upsampling_equation(step.cell, step.taps, step.weights,
                                   rule.result(step.value))
    taps = reading_order(step.taps) if scene.view == "gather" else step.taps
    values = [rule.data(x[t[2], t[3]]) for t in taps]
    if scene.view == "scatter":  # what the stamp adds to each cell it lands on: x·w
        x_text = rule.data(step.value)
        adds = [f"+{x_text}{TIMES}{rule.data(w[t[0], t[1]])}" for t in taps]
        if len(adds) > MAX_TERMS:
            adds = [*adds[:MAX_TERMS - 1], "..."]
        return (f"x[{r}, {c}] = {x_text} adds {x_text}{TIMES}w to {len(taps)} cells: "
                + " ".join(adds))
    if spec.op == "maxpool":
        return f"out[{r}, {c}] = max({', '.join(values)}) = {rule.result(step.value)}"
    if spec.op == "avgpool":
        count = (spec.kernel_size[0] * spec.kernel_size[1] if spec.count_include_pad
                 else len(taps))
        return (f"out[{r}, {c}] = ({' + '.join(values) or '0'}) / {count} = "
                f"{rule.result(step.value)}")
    terms = [f"{v}{TIMES}{rule.data(w[t[0], t[1]])}" for v, t in zip(values, taps)]
    if len(terms) > MAX_TERMS:
        terms = [*terms[:MAX_TERMS - 1], "..."]
    if not terms:
        return f"out[{r}, {c}] = (no input cell under the window) = 0"
    return f"out[{r}, {c}] = {' + '.join(terms)} = {rule.result(step.value)}"


def reading_order(taps: np.ndarray) -> np.ndarray:
    """The taps of a gather step in the window's reading order: row by row, left to right
    over the drawn input (the input cells in row-major order). The same as the kernel's
    order for a convolution or a pool; for the gather view of a transposed op, whose window
    carries the kernel rotated by 180 degrees, the kernel's order reversed.

    >>> reading_order(np.array([[0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]])).tolist()
    [[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0]]
    """
    if len(taps) < 2:
        return taps
    return taps[np.lexsort((taps[:, 3], taps[:, 2]))]


def _input_texts(scene: Scene, theme: Theme, numbers: bool, rule: NumberRule
                 ) -> tuple[CellText, ...]:
    """The input grid's numbers in the order the raster draws them: cropped cells, padding
    zeros (unless a pool ignores padding), input values."""
    if not numbers:
        return ()
    spec, grid = scene.spec, scene.input
    g = spec.gather
    scatter = scene.view == "scatter"

    def value(r: int, c: int) -> str:
        u, v = (r, c) if scatter else ((r - g.padding[0]) // g.spacing[0],
                                       (c - g.padding[2]) // g.spacing[1])
        return rule.data(spec.input[u, v])

    r0, c0 = grid.first
    cropped, zeros, inputs = [], [], []
    for i, j in zip(*np.nonzero(grid.kinds != CellKind.NONE)):
        kind, r, c = grid.kinds[i, j], int(r0 + i), int(c0 + j)
        if kind == CellKind.CROPPED:
            cropped.append(CellText((r, c), value(r, c), theme.faded_input, True,
                                    theme.text_on(theme.faded_input, True)))
        elif kind in (CellKind.PADDING, CellKind.ZERO):
            zeros.append(CellText((r, c), "0", theme.background, True,
                                  theme.text_on(theme.background, True)))
        elif kind == CellKind.INPUT:
            inputs.append(CellText((r, c), value(r, c), theme.input, False,
                                   theme.text_on(theme.input)))
    ignored = spec.op == "maxpool" or (spec.op == "avgpool" and not spec.count_include_pad)
    return (*cropped, *([] if ignored else zeros), *inputs)
