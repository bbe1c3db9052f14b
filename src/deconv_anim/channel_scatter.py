"""What each step of a channel-mode scatter view shows, computed once (no geometry, no Pillow).

A transposed op scatters: each input element ``x[c, i, j]`` stamps ``x[c, i, j] * w[c, k]``
onto output channel ``g * C_out/groups + k`` of its group ``g``, for every ``k`` (the
kernel ``w[c, k]`` placed at ``(i * s - t, j * s - l)``, cropped by the padding). Steps
follow :class:`~deconv_anim.engine.ChannelTrace` in its scatter view: one per input element,
channel-major, or one per input channel plane with ``step_by: channel`` (the plane stamps
every output cell its kernels reach).

A step lists its stamps (:class:`Stamp`: per output channel, the output cells it lands on
and the products added there: the engine's taps, summed per cell); :meth:`ScatterTimeline.
states` walks the steps in order with the output received so far (which cells got a stamp,
and their running sums). After the last step the running sums plus the bias are the
output: the bias is added once per output channel, not by any stamp.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .channels import channel_range
from .engine import PlaneStep, Step, stamp_counts
from .report import format_value
from .scene import Scene

__all__ = ["Stamp", "ScatterStep", "ScatterTimeline", "build_scatter_timeline"]

Pair = tuple[int, int]


@dataclass(frozen=True)
class Stamp:
    """What one step adds to one output channel."""

    channel: int
    """The output channel stamped."""
    cells: np.ndarray
    """(m, 2) int: the output cells the stamp lands on (each once), row-major."""
    products: np.ndarray
    """(m,) float: what lands on each of ``cells`` (``x * w``, summed over its taps)."""
    block: tuple[int, int, int, int] | None
    """(row, column, rows, columns) of the cells' bounding block, None when it lands on
    none (cropped away whole)."""


@dataclass(frozen=True)
class ScatterStep:
    """One frame of a channel-mode scatter figure (the fields the painter shares with
    :class:`~deconv_anim.channel_timeline.ChannelStep`: ``index``, ``channel``, ``group``,
    ``caption``)."""

    index: int
    channel: int
    """The input channel stamped."""
    group: int
    out_channels: tuple[int, ...]
    cell: Pair | None
    """The input cell stamped (None: the whole plane ``channel``)."""
    value: float | None
    """``x[channel, cell]`` (None for a plane)."""
    stamps: tuple[Stamp, ...]
    caption: str | None


@dataclass(frozen=True)
class ScatterTimeline:
    """Every step, the input numbers (values on), and the running output."""

    spec_shape: tuple[int, int, int]
    """(C_out, H_out, W_out)."""
    steps: tuple[ScatterStep, ...]
    input_texts: dict[int, tuple[tuple[Pair, str, bool], ...]]
    """Per input channel: (cell, text, faded) of each number (values on)."""
    bias: np.ndarray | None

    def __len__(self) -> int:
        return len(self.steps)

    def states(self) -> Iterator[tuple[ScatterStep, np.ndarray, np.ndarray]]:
        """Each step with the output received once it is shown: (step, received, sums),
        ``received`` a bool [C_out][H_out][W_out] (cells some stamp reached so far) and
        ``sums`` their running sums (no bias). The arrays are updated in place."""
        received = np.zeros(self.spec_shape, bool)
        sums = np.zeros(self.spec_shape)
        for step in self.steps:
            for stamp in step.stamps:
                rows, cols = stamp.cells[:, 0], stamp.cells[:, 1]
                received[stamp.channel, rows, cols] = True
                sums[stamp.channel, rows, cols] += stamp.products
            yield step, received, sums

    def output_text(self, value: float) -> str:
        return format_value(value)


def _block(cells: np.ndarray) -> tuple[int, int, int, int] | None:
    if not len(cells):
        return None
    (r0, c0), (r1, c1) = cells.min(axis=0), cells.max(axis=0)
    return int(r0), int(c0), int(r1 - r0 + 1), int(c1 - c0 + 1)


def _element_stamps(spec_weights: np.ndarray, x: np.ndarray, step: Step, per_out: int
                    ) -> tuple[Stamp, ...]:
    """The stamps of one input element: its taps ``[kr, kc, ir, ic, or, oc, ci, co]``
    grouped by output channel, products summed per output cell."""
    taps = step.taps
    out = []
    for co in step.out_channels:
        part = taps[taps[:, 7] == co]
        kr, kc, ir, ic, orr, occ, ci = (part[:, n] for n in range(7))
        products = x[ci, ir, ic] * spec_weights[ci, co - step.group * per_out, kr, kc]
        keys = orr * (1 << 20) + occ
        unique, inverse = np.unique(keys, return_inverse=True)
        sums = np.zeros(len(unique))
        np.add.at(sums, inverse, products)
        cells = np.stack([unique >> 20, unique & ((1 << 20) - 1)], axis=1).astype(np.int64)
        out.append(Stamp(co, cells, sums, _block(cells)))
    return tuple(out)


def element_caption(step: Step, numbers: bool) -> str:
    """``x[0, 1, 1] = 3 stamps 3·w[0, k] onto out[k], k = 0-1``.

    >>> from deconv_anim import make_spec
    >>> from deconv_anim.engine import trace
    >>> spec = make_spec(op="transposed", input=[[[1, 2]], [[3, 4]]], kernel=2,
    ...                  out_channels=2, groups=2)
    >>> element_caption(trace(spec, "scatter")[3], True)
    'x[1, 0, 1] = 4 stamps 4·w[1, 0] onto out[1]'
    """
    c, (i, j) = step.channel, step.cell
    outs = range(step.out_channels[0], step.out_channels[-1] + 1)
    head = f"x[{c}, {i}, {j}]"
    if not numbers:
        word = "channels" if len(outs) > 1 else "channel"
        return f"{head} stamps onto output {word} {channel_range(outs)} (group {step.group})"
    v = format_value(step.value)
    if len(outs) == 1:
        return f"{head} = {v} stamps {v}·w[{c}, 0] onto out[{outs[0]}]"
    return (f"{head} = {v} stamps {v}·w[{c}, k] onto out[{outs[0]} + k], "
            f"k = 0-{len(outs) - 1}")


def plane_caption(step: PlaneStep) -> str:
    """``x[1] stamps x[1] * w[1, k] onto out[2 + k], k = 0-1`` (``*`` the stamping)."""
    c, outs = step.channel, step.out_channels
    if len(outs) == 1:
        return f"x[{c}] stamps x[{c}] * w[{c}, 0] onto out[{outs[0]}]"
    return (f"x[{c}] stamps x[{c}] * w[{c}, k] onto out[{outs[0]} + k], "
            f"k = 0-{len(outs) - 1}")


def build_scatter_timeline(scene: Scene, *, numbers: bool, labels: bool) -> ScatterTimeline:
    """The steps of the channel-mode ``scene`` in its scatter view.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> spec = make_spec(op="transposed", size=2, kernel=2, stride=2, in_channels=2,
    ...                  out_channels=2)
    >>> t = build_scatter_timeline(build_scene(spec, view="scatter"), numbers=False,
    ...                            labels=False)
    >>> len(t), t.steps[5].channel, t.steps[5].cell, [s.channel for s in t.steps[5].stamps]
    (8, 1, (0, 1), [0, 1])
    """
    spec = scene.spec
    assert scene.view == "scatter" and spec.is_transposed
    x, w = spec.input, spec.weights
    covered = np.argwhere(stamp_counts(spec) > 0)
    steps = []
    for step in scene.trace:
        if isinstance(step, PlaneStep):
            assert step.partials is not None
            stamps = tuple(Stamp(co, covered, step.partials[k][covered[:, 0], covered[:, 1]],
                                 _block(covered))
                           for k, co in enumerate(step.out_channels))
            caption = plane_caption(step) if numbers or labels else None
            steps.append(ScatterStep(step.index, step.channel, step.group, step.out_channels,
                                     None, None, stamps, caption))
            continue
        caption = element_caption(step, numbers) if numbers or labels else None
        steps.append(ScatterStep(step.index, step.channel, step.group, step.out_channels,
                                 step.cell, step.value,
                                 _element_stamps(w, x, step, spec.out_per_group), caption))
    texts = {}
    if numbers:
        h, wd = spec.input_size
        for ch in range(spec.in_channels):
            texts[ch] = tuple(((i, j), format_value(x[ch, i, j]), False)
                              for i in range(h) for j in range(wd))
    return ScatterTimeline(spec.output_shape, tuple(steps), texts, spec.bias)
