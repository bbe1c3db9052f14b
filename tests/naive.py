"""Naive references written from the definitions, independent of deconv_anim.

Every function is a plain double (or quadruple) loop over positions; none imports the package.
Padding is always per axis and explicit: ``(top, bottom, left, right)``; ``stride``,
``dilation`` and sizes are ``(rows, columns)`` pairs.

* convolution:   ``y[o] = sum_k x[o*s + k*d - t] * w[k]`` (x is 0 outside), with
  ``floor((n + t + b - ((k - 1) * d + 1)) / s) + 1`` outputs per axis;
* transposed:    ``out[o] = sum over i, k with i*s + k*d - t == o of x[i] * w[k]``, for a
  given output size;
* max pooling:   the max over the taps inside the input (padding is ignored; -inf if none);
* avg pooling:   PyTorch's ``avg_pool2d``: the sum over the taps inside the input, divided by
  ``kh * kw`` (``count_include_pad=True``) or by the number of taps inside the input.
* channels:      PyTorch's ``groups`` written out as loops over groups and channel pairs:
  ``out[co] = b[co] + sum over ci of its group of conv(x[ci], w[co, ci - first input of the
  group])`` (transposed: ``w[ci, co - first output of the group]``); pools per channel.
"""

from __future__ import annotations

import numpy as np


def _out_len(n: int, k: int, s: int, d: int, before: int, after: int,
             ceil_mode: bool = False) -> int:
    """Windows o = 0, 1, ... that fit in the padded input; with PyTorch's ceil_mode also a
    last one overhanging it, if it starts inside the input or the before-padding."""
    span, o = n + before + after, 0
    while o * s + (k - 1) * d + 1 <= span or (
            ceil_mode and o * s + (k - 1) * d + 1 < span + s and o * s < n + before):
        o += 1
    return o


def _taps(x, kernel, stride, dilation, padding, o_r, o_c):
    """(kr, kc, value) for every tap of output (o_r, o_c) that lands inside x."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    t, _, l, _ = padding
    h, w = x.shape
    for kr in range(kh):
        for kc in range(kw):
            ir, ic = o_r * sh + kr * dh - t, o_c * sw + kc * dw - l
            if 0 <= ir < h and 0 <= ic < w:
                yield kr, kc, x[ir, ic]


def _out_shape(x, kernel, stride, dilation, padding, ceil_mode=False):
    t, b, l, r = padding
    return (_out_len(x.shape[0], kernel[0], stride[0], dilation[0], t, b, ceil_mode),
            _out_len(x.shape[1], kernel[1], stride[1], dilation[1], l, r, ceil_mode))


def conv2d(x, w, stride=(1, 1), dilation=(1, 1), padding=(0, 0, 0, 0)) -> np.ndarray:
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    oh, ow = _out_shape(x, w.shape, stride, dilation, padding)
    out = np.zeros((oh, ow))
    for o_r in range(oh):
        for o_c in range(ow):
            acc = 0.0
            for kr, kc, v in _taps(x, w.shape, stride, dilation, padding, o_r, o_c):
                acc += v * w[kr, kc]
            out[o_r, o_c] = acc
    return out


def transposed2d(x, w, stride=(1, 1), dilation=(1, 1), top_left=(0, 0),
                 output_size=None) -> np.ndarray:
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    (sh, sw), (dh, dw), (t, l) = stride, dilation, top_left
    out = np.zeros(tuple(output_size))
    for ir in range(x.shape[0]):
        for ic in range(x.shape[1]):
            for kr in range(w.shape[0]):
                for kc in range(w.shape[1]):
                    o_r, o_c = ir * sh + kr * dh - t, ic * sw + kc * dw - l
                    if 0 <= o_r < out.shape[0] and 0 <= o_c < out.shape[1]:
                        out[o_r, o_c] += x[ir, ic] * w[kr, kc]
    return out


def maxpool2d(x, kernel, stride, dilation=(1, 1), padding=(0, 0, 0, 0),
              ceil_mode=False) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    oh, ow = _out_shape(x, kernel, stride, dilation, padding, ceil_mode)
    out = np.full((oh, ow), -np.inf)
    for o_r in range(oh):
        for o_c in range(ow):
            for _, _, v in _taps(x, kernel, stride, dilation, padding, o_r, o_c):
                out[o_r, o_c] = max(out[o_r, o_c], v)
    return out


def avgpool2d(x, kernel, stride, padding=(0, 0, 0, 0), count_include_pad=True,
              ceil_mode=False) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    oh, ow = _out_shape(x, kernel, stride, (1, 1), padding, ceil_mode)
    out = np.zeros((oh, ow))
    t, b, l, r = padding
    (h, w), (kh, kw), (sh, sw) = x.shape, kernel, stride
    for o_r in range(oh):
        for o_c in range(ow):
            values = [v for _, _, v in _taps(x, kernel, stride, (1, 1), padding, o_r, o_c)]
            # with padding counted: the window's cells inside the padded input (a ceil_mode
            # window overhanging it counts only those), as PyTorch's divisor
            rows = [o_r * sh + k - t for k in range(kh) if -t <= o_r * sh + k - t < h + b]
            cols = [o_c * sw + k - l for k in range(kw) if -l <= o_c * sw + k - l < w + r]
            count = len(rows) * len(cols) if count_include_pad else len(values)
            out[o_r, o_c] = sum(values) / count
    return out


def conv2d_channels(x, w, groups=1, bias=None, stride=(1, 1), dilation=(1, 1),
                    padding=(0, 0, 0, 0)) -> np.ndarray:
    """x [C_in][H][W], w [C_out][C_in/groups][kH][kW] -> [C_out][H_out][W_out]."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    c_in, c_out = x.shape[0], w.shape[0]
    per_in, per_out = c_in // groups, c_out // groups
    planes = []
    for co in range(c_out):
        group = co // per_out
        plane = 0.0
        for j in range(per_in):
            plane = plane + conv2d(x[group * per_in + j], w[co, j], stride, dilation, padding)
        planes.append(plane + (0.0 if bias is None else float(bias[co])))
    return np.array(planes)


def transposed2d_channels(x, w, groups=1, bias=None, stride=(1, 1), dilation=(1, 1),
                          top_left=(0, 0), output_size=None) -> np.ndarray:
    """x [C_in][H][W], w [C_in][C_out/groups][kH][kW] -> [C_out][output_size]."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    c_in, per_out = x.shape[0], w.shape[1]
    per_in, c_out = c_in // groups, per_out * groups
    out = np.zeros((c_out, *output_size))
    for ci in range(c_in):
        group = ci // per_in
        for j in range(per_out):
            out[group * per_out + j] += transposed2d(x[ci], w[ci, j], stride, dilation,
                                                     top_left, output_size)
    if bias is not None:
        for co in range(c_out):
            out[co] += float(bias[co])
    return out


def _reference_channels(spec) -> np.ndarray:
    if spec.op == "conv":
        return conv2d_channels(spec.input, spec.weights, spec.groups, spec.bias, spec.stride,
                               spec.dilation, spec.padding)
    if spec.op == "transposed":
        return transposed2d_channels(spec.input, spec.weights, spec.groups, spec.bias,
                                     spec.stride, spec.dilation,
                                     (spec.padding[0], spec.padding[2]), spec.output_size)
    planes = []
    for channel in spec.input:
        if spec.op == "maxpool":
            planes.append(maxpool2d(channel, spec.kernel_size, spec.stride, spec.dilation,
                                    spec.padding))
        else:
            planes.append(avgpool2d(channel, spec.kernel_size, spec.stride, spec.padding,
                                    spec.count_include_pad))
    return np.array(planes)


# ---------------------------------------------------------------------------------------------
# Shapes from the documented formulas (PyTorch and TensorFlow), one axis at a time
# ---------------------------------------------------------------------------------------------


class Illegal(Exception):
    """The libraries reject this configuration."""


def k_eff(k: int, d: int) -> int:
    return (k - 1) * d + 1


def conv_axis(n: int, k: int, s: int, d: int, form: str, pads: tuple[int, int] = (0, 0),
              pool: bool = False) -> tuple[int, int, int]:
    """(before, after, out) of a convolution (or pool) axis; raises Illegal."""
    ke = k_eff(k, d)
    if form == "valid":
        before = after = 0
    elif form == "full":
        before = after = ke - 1
    elif form == "same":  # TensorFlow: out = ceil(n / s), the odd pixel goes after
        total = max((-(-n // s) - 1) * s + ke - n, 0)
        before, after = total // 2, total - total // 2
    else:
        before, after = pads
    if n + before + after < ke:
        raise Illegal("kernel larger than the padded input")
    if pool and max(before, after) > k // 2:  # PyTorch: half the undilated kernel
        raise Illegal("pool padding larger than half the kernel")
    return before, after, (n + before + after - ke) // s + 1


def transposed_axis(n: int, k: int, s: int, d: int, form: str, pads: tuple[int, int] = (0, 0),
                    output_padding: int | None = None, output_size: int | None = None
                    ) -> tuple[int, int, int, int]:
    """(before, after, a', out) of a transposed axis; raises Illegal.

    ``output_padding`` is PyTorch's (Keras' with ``same`` and no ``output_size``),
    ``output_size`` TensorFlow's ``output_shape``.
    """
    ke = k_eff(k, d)
    if form == "same":
        if output_size is not None:
            N = output_size
        elif output_padding is not None:  # Keras' deconv_output_length
            if output_padding >= s:
                raise Illegal("Keras: output_padding must be smaller than the stride")
            N = (n - 1) * s + ke - 2 * (ke // 2) + output_padding
        else:
            N = n * s
        if N < 1 or -(-N // s) != n:  # TF: the forward conv of N must give back n
            raise Illegal("TF: output size does not give back the input")
        total = max((n - 1) * s + ke - N, 0)
        before, after = total // 2, total - total // 2
        a = N - ((n - 1) * s + ke - before - after)
        if output_size is not None and output_padding is not None and output_padding != a:
            raise Illegal("output_padding conflicts with output_size")
        return before, after, a, N
    if form == "valid":
        before = after = 0
    elif form == "full":
        before = after = ke - 1
    else:
        before, after = pads
    lo = (n - 1) * s - before - after + ke
    if output_size is not None:
        if not lo <= output_size <= lo + s - 1:
            raise Illegal("TF: output size does not give back the input")
        a = output_size - lo
        if output_padding is not None and output_padding != a:
            raise Illegal("output_padding conflicts with output_size")
    else:
        a = output_padding or 0
    if a >= max(s, d):
        raise Illegal("PyTorch: output_padding must be smaller than max(stride, dilation)")
    if lo + a < 1:
        raise Illegal("empty output")
    return before, after, a, lo + a


def reference(spec) -> np.ndarray:
    """The naive output of a spec-like object, from its resolved shapes and its values.

    Reads plain attributes only (op, input, weights, kernel_size, stride, dilation, padding,
    output_size, count_include_pad; in channel mode also groups and bias); the package is
    not imported.
    """
    if spec.op in ("upsample", "pixel_shuffle"):
        return _reference_upsampling(spec)
    if getattr(spec, "channels", False):
        return _reference_channels(spec)
    if spec.op == "conv":
        return conv2d(spec.input, spec.weights, spec.stride, spec.dilation, spec.padding)
    if spec.op == "transposed":
        return transposed2d(spec.input, spec.weights, spec.stride, spec.dilation,
                            (spec.padding[0], spec.padding[2]), spec.output_size)
    ceil = getattr(spec, "ceil_mode", False)
    if spec.op == "maxpool":
        return maxpool2d(spec.input, spec.kernel_size, spec.stride, spec.dilation, spec.padding,
                         ceil)
    return avgpool2d(spec.input, spec.kernel_size, spec.stride, spec.padding,
                     spec.count_include_pad, ceil)


def _source(i: int, n: int, m: int, mode: str, align: bool, scale) -> list[tuple[int, float]]:
    """(input index, weight) pairs output ``i`` of one axis reads, PyTorch's formulas
    (``aten/src/ATen/native/UpSample.h``) written out one index at a time."""
    if n == m:
        return [(i, 1.0)]
    ratio = 1.0 / scale if scale else n / m
    if mode in ("nearest", "nearest-exact"):
        r = np.float32(ratio) if scale else np.float32(n) / np.float32(m)
        shift = np.float32(0.5) if mode == "nearest-exact" else np.float32(0.0)
        return [(min(int(np.floor((np.float32(i) + shift) * r)), n - 1), 1.0)]
    src = i * (n - 1) / (m - 1) if align and m > 1 else (
        0.0 if align else max((i + 0.5) * ratio - 0.5, 0.0))
    lo = min(int(np.floor(src)), n - 1)
    hi = min(lo + 1, n - 1)
    return [(lo, 1.0 - (src - lo)), (hi, src - lo)]


def _reference_upsampling(spec) -> np.ndarray:
    """``upsample`` (F.interpolate) and ``pixel_shuffle`` (PixelShuffle / depth_to_space) by
    loops over every output element."""
    x = np.asarray(spec.input, float)
    if spec.op == "pixel_shuffle":
        r, order = spec.shuffle.factor, spec.shuffle.order
        c_out = x.shape[0] // (r * r)
        h, w = x.shape[1:]
        out = np.zeros((c_out, h * r, w * r))
        for c in range(c_out):
            for row in range(h * r):
                for col in range(w * r):
                    i, j = row % r, col % r
                    ch = (c * r * r + i * r + j) if order == "torch" else (i * r + j) * c_out + c
                    out[c, row, col] = x[ch, row // r, col // r]
        return out
    rule = spec.resize
    planes = x if x.ndim == 3 else x[None]
    (n_r, n_c), (m_r, m_c) = planes.shape[1:], spec.output_size
    scale = rule.scale or (None, None)
    out = np.zeros((planes.shape[0], m_r, m_c))
    for c, plane in enumerate(planes):
        for i in range(m_r):
            for j in range(m_c):
                out[c, i, j] = sum(wa * wb * plane[a, b]
                                   for a, wa in _source(i, n_r, m_r, rule.mode,
                                                        rule.align_corners, scale[0])
                                   for b, wb in _source(j, n_c, m_c, rule.mode,
                                                        rule.align_corners, scale[1]))
    return out if x.ndim == 3 else out[0]
