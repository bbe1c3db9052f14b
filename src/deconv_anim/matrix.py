"""The op as a matrix: ``y = C x`` for a convolution, ``y = Cᵀ x`` for its transpose.

Every linear op of the spec (convolution, transposed convolution, average pooling) is a
multiplication of the flattened input (row-major) by a sparse matrix with one row per output
cell and one column per input cell. Its entries are read off the engine's trace: each tap
``w[kr, kc] * x[ir, ic] -> out[or, oc]`` puts ``w[kr, kc]`` at row ``or * W_out + oc``,
column ``ir * W_in + ic``. For a transposed op this is Cᵀ, where C is the matrix of the
forward convolution from the transposed op's output size back to its input size with the
same kernel, stride, padding and dilation (where ``output_padding`` lets that convolution
produce more rows than the transposed op has inputs, those rows of C are not part of it).

Max pooling picks, it does not add: it has no matrix.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError
from .spec import Spec

__all__ = ["op_matrix", "matrix_shape", "tap_pattern", "MAX_MATRIX_ENTRIES"]

MAX_MATRIX_ENTRIES = 2048 * 2048
"""The largest matrix (outputs x inputs) ``info --json --matrix`` builds."""


def matrix_shape(spec: Spec) -> tuple[int, int]:
    """(outputs, inputs): the cells of the op's output and input grids (channel mode: of
    every channel, flattened as [C][H][W])."""
    (ih, iw), (oh, ow) = spec.input_size, spec.output_size
    c_in, c_out = (spec.in_channels, spec.out_channels) if spec.channels else (1, 1)
    return c_out * oh * ow, c_in * ih * iw


def op_matrix(spec: Spec, *, limit: int = MAX_MATRIX_ENTRIES) -> np.ndarray:
    """The dense matrix of ``spec``'s op: ``compute(spec).ravel() == M @ spec.input.ravel()``.

    Parameters
    ----------
    spec : Spec
        A convolution, transposed convolution or average pooling.
    limit : int
        Refuse matrices with more entries than this (outputs x inputs).

    Returns
    -------
    numpy.ndarray
        float64, shape ``(H_out * W_out, H_in * W_in)``, both grids flattened row-major.

    Raises
    ------
    ConfigError
        For max pooling (not linear), or a matrix with more than ``limit`` entries.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> conv = make_spec(op="conv", input=[[1, 2, 3]], weights=[[1, 10]])
    >>> op_matrix(conv).tolist()
    [[1.0, 10.0, 0.0], [0.0, 1.0, 10.0]]
    >>> up = make_spec(op="transposed", input=[[1, 2]], weights=[[1, 10]])
    >>> (op_matrix(up) == op_matrix(conv).T).all()
    np.True_
    """
    if spec.op == "maxpool":
        raise ConfigError("op", "max pooling picks the largest value, it is not a "
                                "multiplication by a matrix: --matrix needs conv, transposed "
                                "or avgpool")
    rows, cols = matrix_shape(spec)
    if rows * cols > limit:
        raise ConfigError("size", f"the matrix would be {rows}x{cols} = {rows * cols} "
                                  f"entries, more than the limit of {limit}")
    if spec.is_upsampling:
        from .upsample_code import upsampling_matrix

        return upsampling_matrix(spec)
    m = np.zeros((rows, cols))
    r, c, taps = _taps(spec)
    if not len(taps):
        return m
    if spec.op == "avgpool":
        if spec.count_include_pad:
            share = np.full(len(taps), 1.0 / (spec.kernel_size[0] * spec.kernel_size[1]))
        else:  # each output divides by the taps that land on the input
            share = 1.0 / np.bincount(r, minlength=rows)[r]
        np.add.at(m, (r, c), share)
    elif not spec.channels:
        np.add.at(m, (r, c), spec.weights[taps[:, 0], taps[:, 1]])
    else:  # w[co, ci - group * C_in/groups] (conv) or w[ci, co - group * C_out/groups]
        ci, co = taps[:, 6], taps[:, 7]
        if spec.is_transposed:
            first, second = ci, co - (ci // spec.in_per_group) * spec.out_per_group
        else:
            first, second = co, ci - (co // spec.out_per_group) * spec.in_per_group
        np.add.at(m, (r, c), spec.weights[first, second, taps[:, 0], taps[:, 1]])
    return m


def _taps(spec: Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, tap) of every tap of the gather trace: ``w[kr, kc] * x[ir, ic] ->
    out[or, oc]`` is entry (``or * W_out + oc``, ``ir * W_in + ic``)."""
    from .engine import trace

    if spec.channels and spec.step_by != "element":  # one step per element: its taps
        from dataclasses import replace

        spec = replace(spec, step_by="element")
    steps = [step.taps for step in trace(spec, "gather")]
    taps = (np.concatenate(steps) if steps
            else np.empty((0, 8 if spec.channels else 6), np.int64))
    (in_h, in_w), (out_h, out_w) = spec.input_size, spec.output_size
    rows, cols = taps[:, 4] * out_w + taps[:, 5], taps[:, 2] * in_w + taps[:, 3]
    if spec.channels:  # [kr, kc, ir, ic, or, oc, ci, co]: flattened as [C][H][W]
        rows, cols = rows + taps[:, 7] * out_h * out_w, cols + taps[:, 6] * in_h * in_w
    return rows, cols, taps


def tap_pattern(spec: Spec) -> np.ndarray:
    """Where the op's matrix holds a kernel weight (bool, the shape of :func:`op_matrix`):
    its entries that are not zero whatever the weights (a zero weight's taps too).

    >>> from deconv_anim import make_spec
    >>> tap_pattern(make_spec(op="conv", input=[[1, 2, 3]], weights=[[0, 10]])).astype(int)
    array([[1, 1, 0],
           [0, 1, 1]])
    """
    if spec.op == "maxpool":
        raise ConfigError("op", "max pooling picks the largest value, it has no matrix")
    mask = np.zeros(matrix_shape(spec), bool)
    r, c, _ = _taps(spec)
    mask[r, c] = True
    return mask
