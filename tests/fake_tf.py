"""A shape-only stand-in for TensorFlow and Keras, to check ``--code tf|keras`` snippets
where TensorFlow is not installed.

Tensors are NumPy arrays (ones, so a division stays finite); every op checks its arguments
the way TensorFlow documents and returns an array of the documented output shape:

* ``conv2d`` / pools: SAME ``ceil(n / s)``; VALID ``ceil((n - k_eff + 1) / s)``; explicit
  ``floor((n + before + after - k_eff) / s) + 1``
* ``conv2d_transpose``: ``output_shape``, legal when ``conv2d`` with the same strides and
  padding maps it back to the input's size
* Keras ``Conv2DTranspose``: ``deconv_output_length``
"""

from __future__ import annotations

import math
import sys
import types

import numpy as np


class Refused(Exception):
    """TensorFlow would raise here."""


def _conv_len(n, k, s, d, padding, axis):
    k_eff = (k - 1) * d + 1
    if padding == "SAME":
        return math.ceil(n / s)
    if padding == "VALID":
        if n < k_eff:
            raise Refused("VALID: input smaller than the kernel")
        return math.ceil((n - k_eff + 1) / s)
    before, after = padding[axis + 1]
    return (n + before + after - k_eff) // s + 1


def _spatial(value, name):
    if isinstance(value, int):
        return [value, value]
    value = list(value)
    if len(value) == 4:
        if value[0] != 1 or value[3] != 1:
            raise Refused(f"{name}: batch and channel entries must be 1")
        return value[1:3]
    if len(value) == 1:
        return value * 2
    return value


def _padding(padding):
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise Refused(f"padding {padding!r}")
        return padding
    pairs = [list(p) for p in padding]
    if len(pairs) != 4 or pairs[0] != [0, 0] or pairs[3] != [0, 0]:
        raise Refused("explicit padding must be 4 pairs, batch and channel [0, 0]")
    return pairs


def _forward(x_shape, kernel, strides, padding, dilations):
    padding = _padding(padding)
    (sh, sw), (dh, dw) = _spatial(strides, "strides"), _spatial(dilations or 1, "dilations")
    return (x_shape[0], _conv_len(x_shape[1], kernel[0], sh, dh, padding, 0),
            _conv_len(x_shape[2], kernel[1], sw, dw, padding, 1), 1)


def conv2d(x, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    return np.ones(_forward(x.shape, filters.shape[:2], strides, padding, dilations))


def conv2d_transpose(x, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                     dilations=None, name=None):
    output_shape = tuple(output_shape)
    back = _forward(output_shape, filters.shape[:2], strides, padding, dilations)
    if back[1:3] != x.shape[1:3]:
        raise Refused(f"output_shape {output_shape} does not map back to {x.shape}")
    return np.ones(output_shape)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    return conv2d_transpose(value, filters, output_shape, 1, padding, dilations=rate)


def pool(x, window_shape, pooling_type, strides=None, padding="VALID", dilations=None,
         name=None):
    if pooling_type not in ("MAX", "AVG"):
        raise Refused(pooling_type)
    strides, dilations = strides or [1, 1], dilations or [1, 1]
    if max(strides) > 1 and max(dilations) > 1:
        raise Refused("tf.nn.pool: strides > 1 with dilations > 1")
    if not isinstance(padding, str):
        raise Refused("tf.nn.pool takes SAME or VALID")
    return np.ones(_forward(x.shape, window_shape, strides, padding, dilations))


def avg_pool2d(x, ksize, strides, padding, data_format="NHWC", name=None):
    if not isinstance(padding, str):
        raise Refused("avg_pool2d takes SAME or VALID")
    return np.ones(_forward(x.shape, _spatial(ksize, "ksize"), strides, padding, None))


def max_pool2d(x, ksize, strides, padding, data_format="NHWC", name=None):
    return np.ones(_forward(x.shape, _spatial(ksize, "ksize"), strides, padding, None))


def constant(value, dtype=None):
    return np.asarray(value, dtype=np.float64)


def pad(x, paddings, constant_values=0):
    return np.pad(x, [tuple(p) for p in paddings], constant_values=constant_values)


class _Layer:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def build(self, shape):
        self.built = True

    def set_weights(self, weights):
        (w,) = weights
        if w.shape[:2] != tuple(self._kernel()):
            raise Refused(f"weights of shape {w.shape} for kernel {self._kernel()}")

    def _kernel(self):
        return _spatial(self.args[1], "kernel_size")

    def _keras_padding(self):
        padding = self.kwargs.get("padding", "valid")
        if padding not in ("valid", "same"):
            raise Refused(f"Keras padding {padding!r}")
        return padding.upper()


class Conv2D(_Layer):
    def __call__(self, x):
        strides, dilation = self.kwargs.get("strides", 1), self.kwargs.get("dilation_rate", 1)
        if max(_spatial(strides, "s")) > 1 and max(_spatial(dilation, "d")) > 1:
            raise Refused("Keras: strides > 1 with dilation_rate > 1")
        return np.ones(_forward(x.shape, self._kernel(), strides, self._keras_padding(),
                                dilation))


class Conv2DTranspose(_Layer):
    def __call__(self, x):
        padding = self._keras_padding().lower()
        strides = _spatial(self.kwargs.get("strides", 1), "strides")
        dilation = _spatial(self.kwargs.get("dilation_rate", 1), "dilation_rate")
        extra = self.kwargs.get("output_padding")
        out = []
        for axis in (0, 1):
            n, s, k = x.shape[axis + 1], strides[axis], self._kernel()[axis]
            k = (k - 1) * dilation[axis] + 1
            if extra is None:  # keras deconv_output_length
                out.append(n * s + max(k - s, 0) if padding == "valid" else n * s)
            else:
                a = _spatial(extra, "output_padding")[axis]
                if a >= s:
                    raise Refused("output_padding must be smaller than strides")
                out.append((n - 1) * s + k - (2 * (k // 2) if padding == "same" else 0) + a)
        return conv2d_transpose(x, np.ones((*self._kernel(), 1, 1)), (1, *out, 1), strides,
                                padding.upper(), dilations=dilation)


class ZeroPadding2D(_Layer):
    def __call__(self, x):
        (t, b), (l, r) = self.args[0]
        return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))


class _Pool(_Layer):
    def _kernel(self):
        return _spatial(self.kwargs.get("pool_size", 2), "pool_size")

    def __call__(self, x):
        strides = self.kwargs.get("strides") or self._kernel()
        return np.ones(_forward(x.shape, self._kernel(), strides, self._keras_padding(), 1))


class MaxPooling2D(_Pool):
    pass


class AveragePooling2D(_Pool):
    pass


def install(monkeypatch) -> None:
    """Make ``import tensorflow as tf`` and ``from tensorflow import keras`` give these."""
    tf = types.ModuleType("tensorflow")
    tf.float64 = np.float64
    tf.constant, tf.reshape, tf.pad = constant, np.reshape, pad
    tf.ones_like = np.ones_like
    tf.nn = types.SimpleNamespace(conv2d=conv2d, conv2d_transpose=conv2d_transpose,
                                  atrous_conv2d_transpose=atrous_conv2d_transpose, pool=pool,
                                  avg_pool2d=avg_pool2d, max_pool2d=max_pool2d)
    tf.keras = types.SimpleNamespace(layers=types.SimpleNamespace(
        Conv2D=Conv2D, Conv2DTranspose=Conv2DTranspose, ZeroPadding2D=ZeroPadding2D,
        MaxPooling2D=MaxPooling2D, AveragePooling2D=AveragePooling2D))
    monkeypatch.setitem(sys.modules, "tensorflow", tf)
