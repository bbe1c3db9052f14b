"""The NumPy engine: the op's output and its per-step trace.

The output is computed with windows and ``einsum`` over the convolution the gather view
draws (:attr:`Spec.gather`): the padded input for a convolution, the spread and padded
input for a transposed one. The trace is built from the op's own index law, per axis:

* convolution and pooling: input ``i = o * s + k * d - t``
* transposed convolution: output ``o = i * s + k * d - t``

so the two are independent, and the tests check that the taps of the trace sum back to the
output. No Python loop runs over output positions; a step's taps are made when it is
asked for, so a trace of thousands of frames costs almost no memory.

In channel mode (:attr:`Spec.channels`) the grids gain a leading channel axis: the windows
of a group's input channels meet its weights in one ``einsum``, and :class:`ChannelTrace`
steps through the output channel by channel (see :class:`Step` and :class:`PlaneStep`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import ConfigError, DeconvAnimError
from .errors import show_value as _show
from .spec import GatherConv, Pair, Spec

__all__ = ["stamp_counts", "gather_weights", "compute", "trace", "Trace", "ChannelTrace",
           "Step", "PlaneStep", "pad_or_crop", "StepIndexError"]


class StepIndexError(DeconvAnimError, IndexError):
    """A step index of a :class:`Trace` that is not an integer, or out of range."""


def pad_or_crop(array: np.ndarray, padding: Sequence[int], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by [top, bottom, left, right]; negative entries crop instead.

    Examples
    --------
    >>> pad_or_crop(np.ones((2, 3)), (1, 0, -1, 0)).tolist()
    [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]

    A crop may reach past the array into the padding of the other side:

    >>> pad_or_crop(np.ones((1, 1)), (-2, 3, 0, 0)).tolist()
    [[0.0], [0.0]]
    """
    t, b, l, r = padding
    h, w = array.shape[-2:]
    lead = ((0, 0),) * (array.ndim - 2)
    # pad first, then crop: a crop may reach into the padding on the far side
    padded = np.pad(array, (*lead, (max(t, 0), max(b, 0)), (max(l, 0), max(r, 0))),
                    constant_values=value)
    h, w = padded.shape[-2:]
    return padded[..., max(-t, 0): h - max(-b, 0), max(-l, 0): w - max(-r, 0)]


def _spread(x: np.ndarray, g: GatherConv, fill: float = 0.0) -> np.ndarray:
    if g.spacing == (1, 1):
        return x
    out = np.full(x.shape[:-2] + g.spread_size, fill)
    out[..., :: g.spacing[0], :: g.spacing[1]] = x
    return out


def _windows(grid: np.ndarray, g: GatherConv) -> np.ndarray:
    """Windows of the gather convolution, shape ([channels,] out_h, out_w, kh, kw)."""
    (kh, kw), (dh, dw), (sh, sw) = g.kernel_size, g.dilation, g.stride
    extent = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    windows = sliding_window_view(grid, extent, axis=(-2, -1))[..., ::sh, ::sw, ::dh, ::dw]
    assert windows.shape[-4:-2] == g.output_size, (windows.shape, g.output_size)
    return windows


def gather_weights(spec: Spec) -> np.ndarray:
    """The kernel the gather view slides: for a transposed op the weights rotated by 180
    degrees (the equivalent stride-1 convolution's), else the weights as they are.

    >>> from deconv_anim import make_spec
    >>> gather_weights(make_spec(op="transposed", input=[[1]], weights=[[1, 2]])).tolist()
    [[2.0, 1.0]]
    """
    return spec.weights[::-1, ::-1] if spec.gather.rotated else spec.weights


def _gather_weights(spec: Spec, channels: slice | int = slice(None)) -> np.ndarray:
    """Channel mode: the weights the gather view applies, ``[C_out][C_in/groups][kH][kW]``
    (a transposed op's rotated by 180 degrees, input and output axes swapped), for the
    output channels ``channels``."""
    if not spec.is_transposed:
        return spec.weights[channels]
    w = spec.weights[:, :, ::-1, ::-1]  # [C_in][C_out/g][kH][kW]
    g, per_in, per_out = spec.groups, spec.in_per_group, spec.out_per_group
    w = w.reshape(g, per_in, per_out, *spec.kernel_size).swapaxes(1, 2)
    return w.reshape(spec.out_channels, per_in, *spec.kernel_size)[channels]


def _channel_windows(spec: Spec, channels: slice | int = slice(None)) -> np.ndarray:
    """Channel mode: windows of the input channels ``channels``, (c, out_h, out_w, kh, kw)."""
    g = spec.gather
    x = spec.input[channels]
    x = x[None] if x.ndim == 2 else x
    return _windows(pad_or_crop(_spread(x, g), g.padding), g)


def _compute_channels(spec: Spec) -> np.ndarray:
    """Channel mode, a convolution or a transposed one: each group's windows meet its
    weights in one einsum; then the bias."""
    windows = _channel_windows(spec)
    groups, (oh, ow) = spec.groups, spec.output_size
    windows = windows.reshape(groups, spec.in_per_group, oh, ow, *spec.kernel_size)
    weights = _gather_weights(spec).reshape(groups, spec.out_per_group, spec.in_per_group,
                                            *spec.kernel_size)
    out = np.einsum("gihwkl,goikl->gohw", windows, weights).reshape(spec.output_shape)
    return out if spec.bias is None else out + spec.bias[:, None, None]


def compute(spec: Spec) -> np.ndarray:
    """The op's output for ``spec.input`` and ``spec.weights``.

    Returns
    -------
    numpy.ndarray
        float64, shape ``spec.output_size`` (channel mode: ``spec.output_shape``); equal to
        PyTorch's ``conv2d`` / ``conv_transpose2d`` (with ``groups`` and ``bias``) /
        ``max_pool2d`` / ``avg_pool2d`` and TensorFlow's ``conv2d`` / ``conv2d_transpose``
        on the same op.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> compute(make_spec(op="conv", input=[[1, 2], [3, 4]], weights=[[1, 1]])).tolist()
    [[3.0], [7.0]]
    >>> compute(make_spec(op="transposed", input=[[1, 2]], weights=[[1, 1]])).tolist()
    [[1.0, 3.0, 2.0]]
    """
    _check_spec(spec)
    if spec.is_upsampling:
        from .upsample_trace import compute_upsampling

        return compute_upsampling(spec)
    g = spec.gather
    if spec.op == "maxpool":
        grid = pad_or_crop(spec.input, g.padding, value=-np.inf)
        return _windows(grid, g).max(axis=(-2, -1))  # (channel-wise in channel mode)
    if spec.op == "avgpool":
        sums = _windows(pad_or_crop(spec.input, g.padding), g).sum(axis=(-2, -1))
        if spec.count_include_pad and spec.overhang == (0, 0):
            return sums / (spec.kernel_size[0] * spec.kernel_size[1])
        # the cells counted: the input's, with count_include_pad its padding's too, never
        # the overhang past the padding that ceil_mode allows (PyTorch's divisor)
        counted = (pad_or_crop(np.ones(spec.input_size), spec.padding, value=1.0)
                   if spec.count_include_pad else np.ones(spec.input_size))
        ones = pad_or_crop(counted, g.padding if not spec.count_include_pad
                           else (0, spec.overhang[0], 0, spec.overhang[1]))
        return sums / _windows(ones, g).sum(axis=(2, 3))
    if spec.channels:
        return _compute_channels(spec)
    grid = pad_or_crop(_spread(spec.input, g), g.padding)
    return np.einsum("ijkl,kl->ij", _windows(grid, g), gather_weights(spec))


@dataclass(frozen=True)
class _AxisTaps:
    """The taps of one axis, grouped by the cell a step is about (output or input index)."""

    k: np.ndarray
    i: np.ndarray
    o: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def build(cls, spec: Spec, axis: int, by_input: bool) -> _AxisTaps:
        n, out = spec.input_size[axis], spec.output_size[axis]
        kernel, s, d = spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
        t = spec.padding[2 * axis]
        ks = np.arange(kernel)
        if spec.is_transposed:  # o = i * s + k * d - t
            i, k = np.meshgrid(np.arange(n), ks, indexing="ij")
            o = i * s + k * d - t
        else:  # i = o * s + k * d - t
            o, k = np.meshgrid(np.arange(out), ks, indexing="ij")
            i = o * s + k * d - t
        keep = (i >= 0) & (i < n) & (o >= 0) & (o < out)
        k, i, o = k[keep], i[keep], o[keep]
        key = i if by_input else o
        order = np.lexsort((k, key))
        k, i, o, key = k[order], i[order], o[order], key[order]
        cells = np.arange(n if by_input else out)
        return cls(k, i, o, np.searchsorted(key, cells, "left"),
                   np.searchsorted(key, cells, "right"))

    def at(self, cell: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        part = slice(self.starts[cell], self.ends[cell])
        return self.k[part], self.i[part], self.o[part]


@dataclass(frozen=True)
class Step:
    """One animation frame's worth of the op: one output element (gather) or one input
    element (scatter).

    Attributes
    ----------
    index : int
        Frame number, from 0.
    cell : (int, int)
        Gather view: the output cell computed. Scatter view: the input cell stamped.
    window : (int, int)
        Top-left cell of the kernel window. Gather view: on the grid the window slides over
        (:attr:`Spec.gather`, row 0 = first row of the padded grid). Scatter view: on the
        output grid (the stamp may start outside it, where padding crops it).
    taps : numpy.ndarray
        int64, shape (m, 6): rows ``[kr, kc, ir, ic, or, oc]`` for every product
        ``w[kr, kc] * x[ir, ic]`` that lands in ``out[or, oc]`` in this step. In channel
        mode (m, 8): ``[kr, kc, ir, ic, or, oc, ci, co]``, the product of ``x[ci, ir, ic]``
        and ``w[co, ci - group * C_in/groups, kr, kc]`` (conv; transposed:
        ``w[ci, co - group * C_out/groups, kr, kc]``) landing in ``out[co, or, oc]``;
        ordered by ``ci`` (gather) or ``co`` (scatter), then as without channels.
    value : float
        Gather view: ``out[cell]`` (channel mode: ``out[channel, cell]``, bias included).
        Scatter view: ``x[cell]`` (``x[channel, cell]``).

    The fields below are channel mode's; without channels they keep their defaults.

    channel : int
        Gather view: the output channel ``c`` of ``out[c, i, j]``. Scatter view: the input
        channel stamped.
    group : int
        The group of that channel.
    in_channels, out_channels : tuple of int
        The input channels read and the output channels written: gather, the group's inputs
        and ``(channel,)``; scatter, ``(channel,)`` and the group's outputs. A pool reads and
        writes its one channel.
    partials : numpy.ndarray or None
        Gather view of a convolution or transposed op: one partial sum per input channel of
        ``in_channels``, so ``value == partials.sum() + bias`` is
        ``out[c, i, j] = (...) + (...) + b[c]``. None for pools and scatter steps.
    bias : float
        Gather view: ``b[channel]`` (0 without a bias). Scatter steps carry 0: their stamps
        hold no bias, which is added to each output channel once.
    weights : numpy.ndarray or None
        The upsampling ops (:mod:`deconv_anim.upsample_trace`), whose weights change from
        step to step: float64, one per tap, the weight of ``x[ir, ic]`` in ``out[or, oc]``
        (interpolation weights summing to 1; a pixel shuffle's single tap has 1), so
        ``value == sum(weights * x[taps])``; the ``kr, kc`` of a tap are its place in the
        window. None for the other ops, whose weight is ``w[kr, kc]``.
    """

    index: int
    cell: Pair
    window: Pair
    taps: np.ndarray
    value: float
    channel: int = 0
    group: int = 0
    in_channels: tuple[int, ...] = (0,)
    out_channels: tuple[int, ...] = (0,)
    partials: np.ndarray | None = None
    bias: float = 0.0
    weights: np.ndarray | None = None


@dataclass(frozen=True)
class PlaneStep:
    """Channel mode with ``step_by: channel``: one frame per output channel plane (gather)
    or input channel plane (scatter).

    Attributes
    ----------
    index : int
        Frame number, from 0.
    channel, group, in_channels, out_channels, bias
        As in :class:`Step`.
    value : numpy.ndarray
        Gather view: the output plane ``out[channel]`` (H_out, W_out), bias included.
        Scatter view: the input plane ``x[channel]`` (H, W).
    partials : numpy.ndarray or None
        Gather view: (len(in_channels), H_out, W_out), the plane each input channel adds,
        so ``value == partials.sum(axis=0) + bias``. Scatter view: (len(out_channels),
        H_out, W_out), what ``x[channel]`` stamps onto each output channel. None for pools.
    """

    index: int
    channel: int
    group: int
    in_channels: tuple[int, ...]
    out_channels: tuple[int, ...]
    value: np.ndarray
    partials: np.ndarray | None
    bias: float


class Trace(Sequence[Step]):
    """The steps of one view of an op, one per frame, row by row from the top-left.

    A sequence: ``len(trace)`` steps, ``trace[n]`` is step ``n``, iteration yields them in
    order. Steps are made on demand.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> t = trace(make_spec(op="conv", size=4, kernel=3))
    >>> len(t), t[1].cell, t[1].window, t[1].taps.shape
    (4, (0, 1), (0, 1), (9, 6))
    """

    def __init__(self, spec: Spec, view: str, output: np.ndarray) -> None:
        _check_spec(spec)
        if view not in ("gather", "scatter"):
            raise ConfigError("view", f"must be gather, scatter or both (got {_show(view)})")
        self.spec, self.view, self.output = spec, view, output
        by_input = view == "scatter"
        self._rows = _AxisTaps.build(spec, 0, by_input)
        self._cols = _AxisTaps.build(spec, 1, by_input)
        self._shape = spec.input_size if by_input else spec.output_size

    def __len__(self) -> int:
        return self._shape[0] * self._shape[1]

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...

    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        try:
            index = operator.index(index)  # ints, NumPy's too; not 1.5, not True
        except TypeError:
            raise StepIndexError(f"a step index must be an integer (got "
                                 f"{_show(index)})") from None
        if isinstance(index, bool):
            raise StepIndexError(f"a step index must be an integer (got {_show(index)})")
        n = index + len(self) if index < 0 else index
        if not 0 <= n < len(self):
            raise StepIndexError(f"step {index} out of range for {len(self)} steps")
        return self._step(n)

    def __iter__(self) -> Iterator[Step]:
        return (self._step(n) for n in range(len(self)))

    def _spatial(self, r: int, c: int) -> tuple[np.ndarray, Pair]:
        """The taps (m, 6) and the window of cell (r, c) of one grid."""
        kr, ir, or_ = self._rows.at(r)
        kc, ic, oc = self._cols.at(c)
        rows, cols = len(kr), len(kc)
        grid = np.empty((rows, cols, 6), dtype=np.int64)
        for j, (row_part, col_part) in enumerate(((kr, kc), (ir, ic), (or_, oc))):
            grid[:, :, 2 * j] = np.reshape(row_part, (rows, 1))  # kr, ir, or
            grid[:, :, 2 * j + 1] = col_part  # kc, ic, oc
        spec = self.spec
        if self.view == "scatter":
            window = (r * spec.stride[0] - spec.padding[0], c * spec.stride[1] - spec.padding[2])
        else:
            window = (r * spec.gather.stride[0], c * spec.gather.stride[1])
        return grid.reshape(rows * cols, 6), window

    def _step(self, n: int) -> Step:
        r, c = divmod(n, self._shape[1])
        taps, window = self._spatial(r, c)
        grid = self.spec.input if self.view == "scatter" else self.output
        return Step(n, (r, c), window, taps, float(grid[r, c]))


class ChannelTrace(Trace):
    """The steps of a channel-mode op: channel-major, one per element of each output channel
    (gather) or input channel (scatter), or one per channel with ``step_by: channel``.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> t = trace(make_spec(op="conv", size=3, kernel=2, in_channels=2, out_channels=2,
    ...                     bias=[10, 20]))
    >>> len(t), t[4].channel, t[4].cell, t[4].in_channels, t[4].taps.shape
    (8, 1, (0, 0), (0, 1), (8, 8))
    >>> float(t[4].partials.sum() + t[4].bias) == t[4].value
    True
    """

    def __len__(self) -> int:
        return self.spec.steps(self.view)

    def _channels(self, channel: int) -> tuple[int, range, range]:
        """(group, input channels, output channels) of a step's channel."""
        spec = self.spec
        if spec.is_pool:
            return channel, range(channel, channel + 1), range(channel, channel + 1)
        if self.view == "scatter":
            group = channel // spec.in_per_group
            return group, range(channel, channel + 1), spec.group_outputs(group)
        group = channel // spec.out_per_group
        return group, spec.group_inputs(group), range(channel, channel + 1)

    def _bias(self, channel: int) -> float:
        bias = self.spec.bias
        return 0.0 if bias is None or self.view == "scatter" else float(bias[channel])

    def _step(self, n: int) -> Step | PlaneStep:  # type: ignore[override]
        spec = self.spec
        if spec.step_by == "channel":
            return self._plane(n)
        channel, rest = divmod(n, self._shape[0] * self._shape[1])
        r, c = divmod(rest, self._shape[1])
        group, ins, outs = self._channels(channel)
        spatial, window = self._spatial(r, c)
        gather = self.view == "gather"
        spread = np.arange(ins.start, ins.stop) if gather else np.arange(outs.start, outs.stop)
        m = len(spatial)
        taps = np.empty((len(spread) * m, 8), dtype=np.int64)
        taps[:, :6] = np.tile(spatial, (len(spread), 1))
        taps[:, 6 if gather else 7] = np.repeat(spread, m)  # the group's channels, in turn
        taps[:, 7 if gather else 6] = channel
        partials = None
        if gather and not spec.is_pool:
            kr, kc, ir, ic = spatial[:, 0], spatial[:, 1], spatial[:, 2], spatial[:, 3]
            x = spec.input[ins.start:ins.stop][:, ir, ic]
            if spec.is_transposed:
                local = channel - group * spec.out_per_group
                w = spec.weights[ins.start:ins.stop, local][:, kr, kc]
            else:
                w = spec.weights[channel][:, kr, kc]
            partials = (x * w).sum(axis=1)
        grid = self.output if gather else spec.input
        return Step(n, (r, c), window, taps, float(grid[channel, r, c]), channel, group,
                    tuple(ins), tuple(outs), partials, self._bias(channel))

    def _plane(self, n: int) -> PlaneStep:
        spec = self.spec
        group, ins, outs = self._channels(n)
        partials = None
        if not spec.is_pool and self.view == "gather":
            windows = _channel_windows(spec, slice(ins.start, ins.stop))
            partials = np.einsum("ihwkl,ikl->ihw", windows, _gather_weights(spec, n))
        elif not spec.is_pool:  # x[n] stamped onto each output channel of its group
            windows = _channel_windows(spec, n)[0]
            weights = spec.weights[n, :, ::-1, ::-1]
            partials = np.einsum("hwkl,okl->ohw", windows, weights)
        grid = spec.input if self.view == "scatter" else self.output
        return PlaneStep(n, n, group, tuple(ins), tuple(outs), grid[n], partials,
                         self._bias(n))


def stamp_counts(spec: Spec) -> np.ndarray:
    """Taps that land on each output cell (int64, ``spec.output_size``): for a transposed op,
    how many input cells' stamps each output cell receives.

    The same index law as :func:`trace` (``o = i * s + k * d - t`` per axis), counted per axis
    and multiplied (the taps of one axis pair with every tap of the other).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> stamp_counts(make_spec(op="transposed", size=2, kernel=3, stride=2))[0].tolist()
    [1, 1, 2, 1, 1]
    """
    if spec.is_upsampling:  # every output cell is computed once, from its window
        return np.ones(spec.output_size, np.int64)
    rows, cols = (np.bincount(_AxisTaps.build(spec, axis, False).o,
                              minlength=spec.output_size[axis]) for axis in (0, 1))
    return np.outer(rows, cols)


def trace(spec: Spec, view: str | None = None) -> Trace:
    """Trace one view of ``spec`` (default: its own view; ``both`` traces gather).

    For convolutions, summing ``w[kr, kc] * x[ir, ic]`` into ``out[or, oc]`` over every tap
    of every step reproduces :func:`compute` exactly, in both views (channel mode: plus the
    bias, see :class:`Step`). For pools the taps list each window's input cells (a max or
    mean of them, not a sum of products). A channel-mode spec gives a :class:`ChannelTrace`.
    """
    _check_spec(spec)
    view = spec.view if view is None else view
    if not isinstance(view, str) or view.strip().lower() not in ("gather", "scatter", "both",
                                                                 "matrix"):
        raise ConfigError("view", f"must be gather, scatter, both or matrix (got {_show(view)})")
    view = view.strip().lower()
    if view in ("both", "matrix"):  # (the matrix view steps through the gather view)
        view = "gather"
    if spec.is_upsampling:
        from .upsample_trace import upsampling_trace

        return upsampling_trace(spec, compute(spec))
    return (ChannelTrace if spec.channels else Trace)(spec, view, compute(spec))


def _check_spec(spec: object) -> None:
    if not isinstance(spec, Spec):
        raise ConfigError("spec", f"must be a Spec, from make_spec (got {type(spec).__name__})")
