"""The engine of the upsampling ops: the output of ``op: upsample`` / ``op: pixel_shuffle``
and their traces, one step per output cell, in the engine's :class:`~deconv_anim.engine.Step`.

An upsample step's window is the block of input cells its interpolation reads (see
:mod:`deconv_anim.upsample_spec`), its taps are the window's cells in row-major order and
:attr:`Step.weights <deconv_anim.engine.Step.weights>` their interpolation weights: the
outer product of the two axes' weights (:func:`deconv_anim.upsampling.axis_weights`), so
they sum to 1 and ``value == sum(weights * x[taps])``. A window that would reach past the
last input cell starts one cell earlier (its extra cell has weight 0). A pixel-shuffle step
has one tap, weight 1: the input cell (on its source channel) the output cell is moved from.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .engine import ChannelTrace, PlaneStep, Step, Trace
from .spec import Pair, Spec
from .upsampling import _source_channels, axis_weights, pixel_shuffle

__all__ = ["compute_upsampling", "upsampling_trace", "UpsampleTrace", "ShuffleTrace",
           "resize_weights"]


def resize_weights(spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """The (out x in) interpolation weights of the rows and of the columns of an upsample."""
    rule = spec.resize
    assert rule is not None
    return tuple(  # type: ignore[return-value]
        axis_weights(spec.input_size[a], spec.output_size[a], rule.mode,
                     align_corners=rule.align_corners,
                     scale=None if rule.scale is None else rule.scale[a])
        for a in (0, 1))


def compute_upsampling(spec: Spec) -> np.ndarray:
    """The output of an upsampling op (channel mode: [C][H_out][W_out]).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> compute_upsampling(make_spec(op="upsample", input=[[1, 3]], output_size=[1, 4],
    ...                              mode="bilinear")).tolist()
    [[1.0, 1.5, 2.5, 3.0]]
    """
    if spec.shuffle is not None:
        return pixel_shuffle(spec.input, spec.shuffle.factor, order=spec.shuffle.order)
    rows, cols = resize_weights(spec)
    return rows @ spec.input @ cols.T


class _UpsamplingTrace(ChannelTrace):
    """The common part: the shape of a step and the channel fields (no per-axis taps)."""

    def __init__(self, spec: Spec, output: np.ndarray) -> None:  # (no kernel law to build)
        self.spec, self.view, self.output = spec, "gather", output
        self._shape = spec.output_size

    def __len__(self) -> int:
        return self.spec.steps("gather") if self.spec.channels else Trace.__len__(self)

    def _cell(self, n: int) -> tuple[int, int, int]:
        """(channel, row, column) of step ``n``'s output cell."""
        channel, rest = divmod(n, self._shape[0] * self._shape[1])
        row, col = divmod(rest, self._shape[1])
        return channel, row, col

    def _step(self, n: int) -> Step | PlaneStep:  # type: ignore[override]
        if self.spec.channels and self.spec.step_by == "channel":
            return self._plane(n)
        channel, r, c = self._cell(n)
        window, cells, weights, source = self._reads(channel, r, c)
        m = len(cells)
        taps = np.empty((m, 8 if self.spec.channels else 6), dtype=np.int64)
        kw = self.spec.kernel_size[1]
        for t, (ir, ic) in enumerate(cells):
            taps[t, :6] = (t // kw, t % kw, ir, ic, r, c)
        if not self.spec.channels:
            return Step(n, (r, c), window, taps, float(self.output[r, c]), weights=weights)
        taps[:, 6], taps[:, 7] = source, channel
        return Step(n, (r, c), window, taps, float(self.output[channel, r, c]), channel,
                    self._group(channel), (source,), (channel,), None, 0.0, weights)

    def _group(self, channel: int) -> int:
        return channel

    def _reads(self, channel: int, r: int, c: int
               ) -> tuple[Pair, list[Pair], np.ndarray, int]:
        raise NotImplementedError

    def _plane(self, n: int) -> PlaneStep:
        ins = self._plane_inputs(n)
        return PlaneStep(n, n, self._group(n), ins, (n,), self.output[n], None, 0.0)

    def _plane_inputs(self, channel: int) -> tuple[int, ...]:
        return (channel,)


class UpsampleTrace(_UpsamplingTrace):
    """An upsample's steps: each output cell with its window of input cells and their
    interpolation weights.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> t = upsampling_trace(make_spec(op="upsample", input=[[1, 3]], output_size=[1, 4],
    ...                                mode="bilinear"))
    >>> t[1].window, t[1].taps[:, 2:4].tolist(), t[1].weights.tolist(), t[1].value
    ((0, 0), [[0, 0], [0, 1]], [0.75, 0.25], 1.5)
    """

    @cached_property
    def _axes(self) -> tuple[np.ndarray, np.ndarray]:
        return resize_weights(self.spec)

    def _reads(self, channel: int, r: int, c: int
               ) -> tuple[Pair, list[Pair], np.ndarray, int]:
        (kh, kw), (h, w) = self.spec.kernel_size, self.spec.input_size
        rows, cols = self._axes
        r0 = min(int(np.flatnonzero(rows[r])[0]), h - kh)
        c0 = min(int(np.flatnonzero(cols[c])[0]), w - kw)
        weights = np.outer(rows[r, r0:r0 + kh], cols[c, c0:c0 + kw]).ravel()
        cells = [(r0 + i, c0 + j) for i in range(kh) for j in range(kw)]
        return (r0, c0), cells, weights, channel


class ShuffleTrace(_UpsamplingTrace):
    """A pixel shuffle's steps: each output cell with the one input cell (on its source
    channel) it is moved from.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> t = upsampling_trace(make_spec(op="pixel_shuffle", size=2, in_channels=4,
    ...                                upscale_factor=2))
    >>> step = t[5]  # out[0, 1, 1]: sub-pixel (1, 1) of input cell (0, 0): channel 3
    >>> step.cell, step.in_channels, step.taps[0].tolist()
    ((1, 1), (3,), [0, 0, 0, 0, 1, 1, 3, 0])
    """

    @cached_property
    def _sources(self) -> np.ndarray:
        rule = self.spec.shuffle
        assert rule is not None
        return _source_channels(self.spec.out_channels, rule.factor, rule.order)

    def _reads(self, channel: int, r: int, c: int
               ) -> tuple[Pair, list[Pair], np.ndarray, int]:
        f = self._factor
        source = int(self._sources[channel, r % f, c % f])
        return (r // f, c // f), [(r // f, c // f)], np.ones(1), source

    @property
    def _factor(self) -> int:
        assert self.spec.shuffle is not None
        return self.spec.shuffle.factor

    def _plane_inputs(self, channel: int) -> tuple[int, ...]:
        return tuple(int(v) for v in self._sources[channel].ravel())


def upsampling_trace(spec: Spec, output: np.ndarray | None = None) -> Trace:
    """The trace of an upsampling op (the gather view: one step per output cell)."""
    from .engine import compute

    output = compute(spec) if output is None else output
    return (ShuffleTrace if spec.shuffle is not None else UpsampleTrace)(spec, output)
