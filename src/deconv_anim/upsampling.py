"""The upsampling family beside transposed convolution, exactly as PyTorch computes it:
resizing by interpolation (``F.interpolate``) and sub-pixel rearrangement (``PixelShuffle``).

Interpolation is separable: each axis has an (out x in) matrix of weights ``A``, and the
resized grid is ``A_rows @ x @ A_cols.T``. Each row of ``A`` says which input cells an
output cell reads and with what weight, which is what a figure draws.

PyTorch's rules (``aten/src/ATen/native/UpSample.h``), per axis, for ``n`` inputs and
``m`` outputs, with ``scale`` the scale factor when one was given (it then wins over
``n / m``):

* ``nearest``: source ``floor(dst * r)`` with ``r = 1 / scale`` or ``n / m`` in float32,
  clamped to ``n - 1`` (so at non-integer ratios it is *not* the centre rule);
* ``nearest-exact``: source ``floor((dst + 0.5) * r)``, clamped (the centre rule, as
  ``tf.image.resize(method="nearest")`` with half-pixel centres);
* ``bilinear``, ``align_corners=False``: source ``max((dst + 0.5) * r - 0.5, 0)`` (half-pixel
  centres, as ``tf.image.resize(method="bilinear")``), between ``floor`` and the next cell
  (the last cell for the border);
* ``bilinear``, ``align_corners=True``: source ``dst * (n - 1) / (m - 1)`` (corners meet;
  TensorFlow 1's ``align_corners=True``);
* an axis whose length does not change is copied, even when a scale factor (say 1.25 on
  3 cells) would place its sources elsewhere.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MODES", "axis_weights", "resize", "resized_length", "pixel_shuffle",
           "shuffle_source"]

MODES = ("nearest", "nearest-exact", "bilinear")


def resized_length(n: int, scale: float) -> int:
    """PyTorch's output length for a scale factor: ``floor(n * scale)``."""
    return math.floor(n * scale)


def _ratio(n: int, m: int, scale: float | None) -> float:
    return 1.0 / scale if scale else n / m


def axis_weights(n: int, m: int, mode: str, *, align_corners: bool = False,
                 scale: float | None = None) -> np.ndarray:
    """The (m, n) interpolation weights of one axis: row ``i`` holds what output ``i`` reads.

    Parameters
    ----------
    n, m : int
        Input and output lengths.
    mode : {"nearest", "nearest-exact", "bilinear"}
    align_corners : bool
        Bilinear only: PyTorch's ``align_corners``.
    scale : float, optional
        The scale factor, if the size came from one (PyTorch then uses ``1 / scale``, not
        ``n / m``, to place the sources), except on an axis whose length does not change,
        which PyTorch copies.

    Examples
    --------
    >>> axis_weights(2, 4, "nearest").tolist()
    [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    >>> axis_weights(2, 4, "bilinear").tolist()
    [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
    >>> axis_weights(2, 3, "bilinear", align_corners=True).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    a = np.zeros((m, n))
    dst = np.arange(m)
    if m == n:  # an axis that keeps its length is copied, whatever the scale factor said
        a[dst, dst] = 1.0
        return a
    if mode in ("nearest", "nearest-exact"):
        # float32 arithmetic, as ATen's nearest_idx
        r = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(m)
        at = dst.astype(np.float32) + np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.minimum(np.floor(at * r).astype(np.int64), n - 1)
        a[dst, src] = 1.0
        return a
    if align_corners:
        r = (n - 1) / (m - 1) if m > 1 else 0.0
        src_f = dst * r
    else:
        src_f = np.maximum((dst + 0.5) * _ratio(n, m, scale) - 0.5, 0.0)
    lo = np.minimum(np.floor(src_f).astype(np.int64), n - 1)
    hi = np.minimum(lo + 1, n - 1)
    frac = src_f - lo
    np.add.at(a, (dst, lo), 1.0 - frac)
    np.add.at(a, (dst, hi), frac)
    return a


def resize(x: np.ndarray, size: tuple[int, int], mode: str, *, align_corners: bool = False,
           scale: tuple[float, float] | None = None) -> np.ndarray:
    """Resize the last two axes of ``x`` to ``size`` (any leading axes are channels).

    Examples
    --------
    >>> resize(np.array([[1.0, 3.0]]), (1, 4), "bilinear").tolist()
    [[1.0, 1.5, 2.5, 3.0]]
    """
    rows = axis_weights(x.shape[-2], size[0], mode, align_corners=align_corners,
                        scale=scale[0] if scale else None)
    cols = axis_weights(x.shape[-1], size[1], mode, align_corners=align_corners,
                        scale=scale[1] if scale else None)
    return rows @ x @ cols.T


def shuffle_source(c: int, r: int, row: int, col: int, *, c_out: int = 1,
                   order: str = "torch") -> tuple[int, int, int]:
    """(input channel, row, column) that output cell (``c``, ``row``, ``col``) comes from,
    for upscale factor ``r`` and ``c_out`` output channels.

    PyTorch's ``PixelShuffle`` reads channel ``c * r*r + i * r + j`` (the output channel's
    r*r sub-pixels are consecutive input channels); TensorFlow's ``depth_to_space`` reads
    channel ``(i * r + j) * C + c`` (the sub-pixel position is the slow index), where
    ``(i, j) = (row % r, col % r)`` and ``C`` is the number of output channels.

    Examples
    --------
    >>> shuffle_source(1, 2, 0, 1, c_out=2), shuffle_source(1, 2, 0, 1, c_out=2, order="tf")
    ((5, 0, 0), (3, 0, 0))
    """
    i, j = row % r, col % r
    channel = _source_channels(c_out, r, order)[c, i, j]
    return int(channel), row // r, col // r


def _source_channels(c_out: int, r: int, order: str) -> np.ndarray:
    """[c, i, j] -> input channel, for ``c_out`` output channels."""
    c, i, j = np.meshgrid(np.arange(c_out), np.arange(r), np.arange(r), indexing="ij")
    if order == "torch":
        return c * r * r + i * r + j
    if order == "tf":
        return (i * r + j) * c_out + c
    raise ValueError(f"order must be torch or tf (got {order!r})")


def pixel_shuffle(x: np.ndarray, r: int, *, order: str = "torch") -> np.ndarray:
    """Rearrange (C*r*r, H, W) into (C, H*r, W*r): PyTorch's ``pixel_shuffle`` (``order``
    "torch") or TensorFlow's ``depth_to_space`` (``order`` "tf", channels last there).

    Examples
    --------
    >>> pixel_shuffle(np.arange(4.0).reshape(4, 1, 1), 2).tolist()
    [[[0.0, 1.0], [2.0, 3.0]]]
    """
    c_in, h, w = x.shape
    c_out = c_in // (r * r)
    src = _source_channels(c_out, r, order)  # (c, i, j)
    # out[c, h*r + i, w*r + j] = x[src[c, i, j], h, w]
    gathered = x[src]  # (c, i, j, H, W)
    return gathered.transpose(0, 3, 1, 4, 2).reshape(c_out, h * r, w * r)
