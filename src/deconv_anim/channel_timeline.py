"""What each step of a channel-mode figure shows, computed once (no geometry, no Pillow).

Steps follow :class:`~deconv_anim.engine.ChannelTrace` (gather view): channel-major, one per
output element, or one per output channel plane with ``step_by: channel``. A step names the
output channel computed, its group and the group's input channels, the window's top-left
cell (on every input slab of the group) and the output cell lit, the kernels of that output
channel (one per input channel of the group, as the window applies them) and the caption:

* a convolution: ``out[c, i, j] = (p0) + (p1) + b = v``, one ``(...)`` per input channel of
  the group (that channel's window times its kernel: the engine's partial sums), then the
  bias ``b[c]`` when the layer has one;
* a pool: ``out[c, i, j] = max(window of x[c]) = v`` (``mean`` for an average pool);
* a plane step: ``out[c] = x[0] * w[c, 0] + x[1] * w[c, 1] + b[c]`` (``*`` the
  correlation the window slides);
* an upsample: ``out[c, i, j] = 3/4·x[c, 0, 1] + 1/4·x[c, 0, 2] = v`` (the interpolation
  weights); a pixel shuffle: ``out[c, i, j] = x[k, i // r, j // r] = v``.

Output cells computed so far are the first ``done`` elements in channel-major order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from .channels import channel_range
from .engine import PlaneStep, Step, _gather_weights
from .report import format_value
from .scene import CellKind, Scene
from .upsample_report import upsampling_equation

__all__ = ["ChannelStep", "ChannelSteps", "ChannelTimeline", "build_channel_timeline",
           "element_caption"]

Pair = tuple[int, int]
POOL_WORDS = {"maxpool": "max", "avgpool": "mean"}
UPSAMPLING_WORDS = {"upsample": "resized", "pixel_shuffle": "interleaved, each cell into its "
                                                            "place in the r x r block"}


@dataclass(frozen=True)
class ChannelStep:
    """One frame of a channel-mode figure."""

    index: int
    channel: int
    """The output channel computed."""
    group: int
    in_channels: tuple[int, ...]
    window: Pair | None
    """Top-left cell of the window on the input slabs (None: a whole plane)."""
    target: Pair | None
    """The output cell lit (None: the whole plane ``channel``)."""
    kernels: np.ndarray | None
    """(len(in_channels), kH, kW): the weights the window applies per input channel
    (a transposed op's rotated by 180 degrees); None for a pool."""
    caption: str | None
    done: int
    """Output elements computed once this step is shown (channel-major)."""


@dataclass(frozen=True)
class ChannelTimeline:
    """Every step, and the numbers of the slabs (values on)."""

    steps: Sequence[ChannelStep]
    """A sequence (:class:`ChannelSteps`: each step made when asked for)."""
    input_texts: dict[int, tuple[tuple[Pair, str, bool], ...]]
    """Per input channel: (cell on the drawn grid, text, faded) of each number."""
    output_texts: np.ndarray | None
    """[C_out][H_out][W_out] strings (values on), else None."""

    def __len__(self) -> int:
        return len(self.steps)


def element_caption(spec_op: str, step: Step, numbers: bool, has_bias: bool = False) -> str:
    """The caption of one output element ``out[c, i, j]``.

    >>> from deconv_anim import make_spec
    >>> from deconv_anim.engine import trace
    >>> spec = make_spec(op="conv", input=[[[1, 2]], [[3, 4]]], weights=[[[[1]], [[2]]]],
    ...                  bias=[5])
    >>> element_caption("conv", trace(spec)[1], True, True)
    'out[0, 0, 1] = (2) + (8) + 5 = 15'
    >>> element_caption("conv", trace(make_spec(op="conv", input=[[[1, 2]]],
    ...                 weights=[[[[1]]]], bias=[-5]))[0], True, True)
    'out[0, 0, 0] = (1) - 5 = -4'
    """
    c, (i, j) = step.channel, step.cell
    head = f"out[{c}, {i}, {j}]"
    if step.weights is not None:  # the upsampling ops
        if not numbers:
            return f"{head}: input channel {step.in_channels[0]}"
        return upsampling_equation((c, i, j), step.taps, step.weights,
                                   format_value(step.value))
    if not numbers:
        ins = range(step.in_channels[0], step.in_channels[-1] + 1)
        word = "channels" if len(ins) > 1 else "channel"
        return f"{head}: input {word} {channel_range(ins)} (group {step.group})"
    if step.partials is None:  # a pool
        return f"{head} = {POOL_WORDS[spec_op]}(window of x[{c}]) = {format_value(step.value)}"
    text = " + ".join(f"({format_value(p)})" for p in step.partials)
    if has_bias:  # a negative bias is subtracted: "+ (10) - 2", not "+ (10) + -2"
        sign = "-" if step.bias < 0 else "+"
        text += f" {sign} {format_value(abs(step.bias))}"
    return f"{head} = {text} = {format_value(step.value)}"


def plane_caption(spec_op: str, step: PlaneStep, has_bias: bool) -> str:
    """The caption of one output plane ``out[c]``.

    >>> from deconv_anim import make_spec
    >>> from deconv_anim.engine import trace
    >>> spec = make_spec(op="conv", size=3, kernel=2, in_channels=2, step_by="channel")
    >>> plane_caption("conv", trace(spec)[0], False)
    'out[0] = x[0] * w[0, 0] + x[1] * w[0, 1]'
    """
    c = step.channel
    if spec_op in UPSAMPLING_WORDS:
        ins = ", ".join(f"x[{k}]" for k in step.in_channels)
        return f"out[{c}] = {ins} {UPSAMPLING_WORDS[spec_op]}"
    if step.partials is None:
        return f"out[{c}] = {POOL_WORDS[spec_op]} over each window of x[{c}]"
    terms = [f"x[{ci}] * w[{c}, {k}]" for k, ci in enumerate(step.in_channels)]
    if has_bias:
        terms.append(f"b[{c}] ({format_value(step.bias)})")
    return f"out[{c}] = {' + '.join(terms)}"


def _input_texts(scene: Scene) -> dict[int, tuple[tuple[Pair, str, bool], ...]]:
    spec, grid = scene.spec, scene.input
    g = spec.gather
    r0, c0 = grid.first
    ignored = spec.op == "maxpool" or (spec.op == "avgpool" and not spec.count_include_pad)
    out = {}
    cells = list(zip(*np.nonzero(grid.kinds != CellKind.NONE)))
    for ch in range(spec.in_channels):
        x = spec.input[ch]
        texts = []
        for i, j in cells:
            kind, r, c = grid.kinds[i, j], int(r0 + i), int(c0 + j)
            if kind in (CellKind.INPUT, CellKind.CROPPED):
                value = x[(r - g.padding[0]) // g.spacing[0], (c - g.padding[2]) // g.spacing[1]]
                texts.append(((r, c), format_value(value), kind == CellKind.CROPPED))
            elif not ignored:
                texts.append(((r, c), "0", True))
        out[ch] = tuple(texts)
    return out


def build_channel_timeline(scene: Scene, *, numbers: bool, labels: bool) -> ChannelTimeline:
    """The steps of the channel-mode ``scene`` (gather view).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.scene import build_scene
    >>> spec = make_spec(op="conv", size=3, kernel=2, in_channels=2, out_channels=2)
    >>> t = build_channel_timeline(build_scene(spec), numbers=True, labels=False)
    >>> len(t), t.steps[5].channel, t.steps[5].target, t.steps[5].done
    (8, 1, (0, 1), 6)
    """
    output_texts = None
    if numbers:
        values = scene.trace.output
        output_texts = np.vectorize(format_value, otypes=[object])(values)
    return ChannelTimeline(ChannelSteps(scene, numbers=numbers, labels=labels),
                           _input_texts(scene) if numbers else {}, output_texts)


class ChannelSteps(Sequence[ChannelStep]):
    """The steps of a channel-mode scene, each made from its trace step when asked for (a
    32x32 layer of 3 -> 8 channels has 8,192: a render of its first frames makes those
    alone). A step asked for again is made again, alike (a few recent ones are kept)."""

    KEPT = 16

    def __init__(self, scene: Scene, *, numbers: bool, labels: bool) -> None:
        self.scene, self.numbers, self.labels = scene, numbers, labels
        self._kernels: dict[int, np.ndarray | None] = {}
        self._recent: dict[int, ChannelStep] = {}

    def __len__(self) -> int:
        return len(self.scene.trace)

    @overload
    def __getitem__(self, index: int) -> ChannelStep: ...

    @overload
    def __getitem__(self, index: slice) -> list[ChannelStep]: ...

    def __getitem__(self, index: int | slice) -> ChannelStep | list[ChannelStep]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        n = index + len(self) if index < 0 else index
        if not 0 <= n < len(self):
            raise IndexError(f"step {index} out of range for {len(self)} steps")
        found = self._recent.get(n)
        if found is None:
            if len(self._recent) >= self.KEPT:
                self._recent.clear()
            found = self._recent[n] = self._make(n)
        return found

    def __iter__(self) -> Iterator[ChannelStep]:
        return (self[n] for n in range(len(self)))

    def _kernels_of(self, channel: int) -> np.ndarray | None:
        spec = self.scene.spec
        if channel not in self._kernels:
            self._kernels[channel] = (None if spec.is_pool or spec.is_upsampling
                                      else np.asarray(_gather_weights(spec, channel)))
        return self._kernels[channel]

    def _make(self, n: int) -> ChannelStep:
        spec, numbers, labels = self.scene.spec, self.numbers, self.labels
        oh, ow = spec.output_size
        has_bias = spec.bias is not None
        step = self.scene.trace[n]
        kernels = self._kernels_of(step.channel)
        if isinstance(step, PlaneStep):
            caption = plane_caption(spec.op, step, has_bias) if numbers or labels else None
            return ChannelStep(step.index, step.channel, step.group, step.in_channels, None,
                               None, kernels, caption, (step.channel + 1) * oh * ow)
        caption = None
        if numbers or labels:
            caption = element_caption(spec.op, step, numbers, has_bias)
        return ChannelStep(step.index, step.channel, step.group, step.in_channels,
                           step.window, step.cell, kernels, caption, step.index + 1)
