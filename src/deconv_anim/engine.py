"""The NumPy engine: the op's output and its per-step trace.

The output is computed with windows and ``einsum`` over the convolution the gather view
draws (:attr:`Spec.gather`): the padded input for a convolution, the spread and padded
input for a transposed one. The trace is built from the op's own index law, per axis:

* convolution and pooling: input ``i = o * s + k * d - t``
* transposed convolution: output ``o = i * s + k * d - t``

so the two are independent, and the tests check that the taps of the trace sum back to the
output. No Python loop runs over output positions; a step's taps are made when it is
asked for, so a trace of thousands of frames costs almost no memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .spec import GatherConv, Pair, Spec

__all__ = ["stamp_counts", "gather_weights", "compute", "trace", "Trace", "Step", "pad_or_crop"]


def pad_or_crop(array: np.ndarray, padding: Sequence[int], value: float = 0.0) -> np.ndarray:
    """Pad a 2-D array by [top, bottom, left, right]; negative entries crop instead.

    Examples
    --------
    >>> pad_or_crop(np.ones((2, 3)), (1, 0, -1, 0)).tolist()
    [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]
    """
    t, b, l, r = padding
    h, w = array.shape
    cropped = array[max(-t, 0): h - max(-b, 0), max(-l, 0): w - max(-r, 0)]
    return np.pad(cropped, ((max(t, 0), max(b, 0)), (max(l, 0), max(r, 0))),
                  constant_values=value)


def _spread(x: np.ndarray, g: GatherConv, fill: float = 0.0) -> np.ndarray:
    if g.spacing == (1, 1):
        return x
    out = np.full(g.spread_size, fill)
    out[:: g.spacing[0], :: g.spacing[1]] = x
    return out


def _windows(grid: np.ndarray, g: GatherConv) -> np.ndarray:
    """Windows of the gather convolution, shape (out_h, out_w, kh, kw)."""
    (kh, kw), (dh, dw), (sh, sw) = g.kernel_size, g.dilation, g.stride
    extent = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    windows = sliding_window_view(grid, extent)[::sh, ::sw, ::dh, ::dw]
    assert windows.shape[:2] == g.output_size, (windows.shape, g.output_size)
    return windows


def gather_weights(spec: Spec) -> np.ndarray:
    """The kernel the gather view slides: for a transposed op the weights rotated by 180
    degrees (the equivalent stride-1 convolution's), else the weights as they are.

    >>> from deconv_anim import make_spec
    >>> gather_weights(make_spec(op="transposed", input=[[1]], weights=[[1, 2]])).tolist()
    [[2.0, 1.0]]
    """
    return spec.weights[::-1, ::-1] if spec.gather.rotated else spec.weights


def compute(spec: Spec) -> np.ndarray:
    """The op's output for ``spec.input`` and ``spec.weights``.

    Returns
    -------
    numpy.ndarray
        float64, shape ``spec.output_size``; equal to PyTorch's ``conv2d`` /
        ``conv_transpose2d`` / ``max_pool2d`` / ``avg_pool2d`` and TensorFlow's
        ``conv2d`` / ``conv2d_transpose`` on the same op.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> compute(make_spec(op="conv", input=[[1, 2], [3, 4]], weights=[[1, 1]])).tolist()
    [[3.0], [7.0]]
    >>> compute(make_spec(op="transposed", input=[[1, 2]], weights=[[1, 1]])).tolist()
    [[1.0, 3.0, 2.0]]
    """
    g = spec.gather
    if spec.op == "maxpool":
        grid = pad_or_crop(spec.input, g.padding, value=-np.inf)
        return _windows(grid, g).max(axis=(2, 3))
    if spec.op == "avgpool":
        sums = _windows(pad_or_crop(spec.input, g.padding), g).sum(axis=(2, 3))
        if spec.count_include_pad:
            return sums / (spec.kernel_size[0] * spec.kernel_size[1])
        ones = pad_or_crop(np.ones(spec.input_size), g.padding)
        return sums / _windows(ones, g).sum(axis=(2, 3))
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
    """One animation frame's worth of the op.

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
        ``w[kr, kc] * x[ir, ic]`` that lands in ``out[or, oc]`` in this step.
    value : float
        Gather view: ``out[cell]``. Scatter view: ``x[cell]``.
    """

    index: int
    cell: Pair
    window: Pair
    taps: np.ndarray
    value: float


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
        if view not in ("gather", "scatter"):
            raise ValueError(f"view must be gather or scatter, got {view!r}")
        self.spec, self.view, self.output = spec, view, output
        by_input = view == "scatter"
        self._rows = _AxisTaps.build(spec, 0, by_input)
        self._cols = _AxisTaps.build(spec, 1, by_input)
        self._shape = spec.input_size if by_input else spec.output_size

    def __len__(self) -> int:
        return self._shape[0] * self._shape[1]

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        n = index + len(self) if index < 0 else index
        if not 0 <= n < len(self):
            raise IndexError(f"step {index} out of range for {len(self)} steps")
        return self._step(n)

    def __iter__(self) -> Iterator[Step]:
        return (self._step(n) for n in range(len(self)))

    def _step(self, n: int) -> Step:
        r, c = divmod(n, self._shape[1])
        kr, ir, or_ = self._rows.at(r)
        kc, ic, oc = self._cols.at(c)
        rows, cols = len(kr), len(kc)
        grid = np.empty((rows, cols, 6), dtype=np.int64)
        for j, (row_part, col_part) in enumerate(((kr, kc), (ir, ic), (or_, oc))):
            grid[:, :, 2 * j] = np.reshape(row_part, (rows, 1))  # kr, ir, or
            grid[:, :, 2 * j + 1] = col_part  # kc, ic, oc
        taps = grid.reshape(rows * cols, 6)
        spec = self.spec
        if self.view == "scatter":
            window = (r * spec.stride[0] - spec.padding[0], c * spec.stride[1] - spec.padding[2])
            value = float(spec.input[r, c])
        else:
            g = spec.gather
            window = (r * g.stride[0], c * g.stride[1])
            value = float(self.output[r, c])
        return Step(n, (r, c), window, taps, value)


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
    rows, cols = (np.bincount(_AxisTaps.build(spec, axis, False).o,
                              minlength=spec.output_size[axis]) for axis in (0, 1))
    return np.outer(rows, cols)


def trace(spec: Spec, view: str | None = None) -> Trace:
    """Trace one view of ``spec`` (default: its own view; ``both`` traces gather).

    For convolutions, summing ``w[kr, kc] * x[ir, ic]`` into ``out[or, oc]`` over every tap
    of every step reproduces :func:`compute` exactly, in both views. For pools the taps
    list each window's input cells (a max or mean of them, not a sum of products).
    """
    view = view or spec.view
    if view == "both":
        view = "gather"
    return Trace(spec, view, compute(spec))
