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


def _forward(x_shape, kernel, strides, padding, dilations, channels=None):
    padding = _padding(padding)
    (sh, sw), (dh, dw) = _spatial(strides, "strides"), _spatial(dilations or 1, "dilations")
    return (x_shape[0], _conv_len(x_shape[1], kernel[0], sh, dh, padding, 0),
            _conv_len(x_shape[2], kernel[1], sw, dw, padding, 1),
            x_shape[3] if channels is None else channels)


def conv2d(x, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    if filters.ndim != 4 or x.shape[3] != filters.shape[2]:
        # a filter in-depth dividing the input's is a grouped convolution: GPU only
        raise Refused(f"filters {filters.shape} for input {x.shape} (HWIO; grouped: no CPU "
                      "kernel)")
    return np.ones(_forward(x.shape, filters.shape[:2], strides, padding, dilations,
                            filters.shape[3]))


def conv2d_transpose(x, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                     dilations=None, name=None):
    output_shape = tuple(output_shape)
    if filters.ndim != 4 or x.shape[3] != filters.shape[3] or \
            output_shape[3] != filters.shape[2]:
        raise Refused(f"filters {filters.shape} ([kH][kW][out][in]) for input {x.shape}, "
                      f"output_shape {output_shape}")
    back = _forward(output_shape, filters.shape[:2], strides, padding, dilations, x.shape[3])
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


def bias_add(value, bias, data_format=None, name=None):
    if bias.ndim != 1 or bias.shape[0] != value.shape[-1]:
        raise Refused(f"bias {bias.shape} for {value.shape}")
    return value + bias


def split(value, num_or_size_splits, axis=0, name=None):
    if value.shape[axis] % num_or_size_splits:
        raise Refused(f"split {value.shape} in {num_or_size_splits} along {axis}")
    return np.split(value, num_or_size_splits, axis=axis)


def concat(values, axis, name=None):
    return np.concatenate(values, axis=axis)


def transpose(a, perm=None, name=None):
    return np.transpose(a, perm)


def pad(x, paddings, constant_values=0):
    return np.pad(x, [tuple(p) for p in paddings], constant_values=constant_values)


class _Layer:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def build(self, shape):
        self.built, self.in_channels = True, shape[-1]

    def _kernel_shape(self):  # Conv2D: HWIO, [kH][kW][C_in / groups][filters]
        return (*self._kernel(), self.in_channels // self.kwargs.get("groups", 1),
                self.args[0])

    def set_weights(self, weights):
        expected = [self._kernel_shape()]
        if self.kwargs.get("use_bias", True):
            expected.append((self.args[0],))
        if [tuple(w.shape) for w in weights] != expected:
            raise Refused(f"weights of shapes {[w.shape for w in weights]}, not {expected}")

    def _check_input(self, x):
        if getattr(self, "in_channels", x.shape[-1]) != x.shape[-1]:
            raise Refused(f"built for {self.in_channels} channels, called on {x.shape}")

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
        groups = self.kwargs.get("groups", 1)
        if x.shape[-1] % groups or self.args[0] % groups:
            raise Refused("Keras: input channels and filters must be divisible by groups")
        self._check_input(x)
        return np.ones(_forward(x.shape, self._kernel(), strides, self._keras_padding(),
                                dilation, self.args[0]))


class Conv2DTranspose(_Layer):
    def __init__(self, *args, **kwargs):
        if "groups" in kwargs:
            raise Refused("Keras' Conv2DTranspose has no groups argument")
        super().__init__(*args, **kwargs)

    def _kernel_shape(self):  # [kH][kW][filters][C_in]
        return (*self._kernel(), self.args[0], self.in_channels)

    def __call__(self, x):
        self._check_input(x)
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
        return conv2d_transpose(x, np.ones((*self._kernel(), self.args[0], x.shape[-1])),
                                (1, *out, self.args[0]), strides, padding.upper(),
                                dilations=dilation)


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
    tf.transpose, tf.split, tf.concat = transpose, split, concat
    tf.nn = types.SimpleNamespace(conv2d=conv2d, bias_add=bias_add,
                                  conv2d_transpose=conv2d_transpose,
                                  atrous_conv2d_transpose=atrous_conv2d_transpose, pool=pool,
                                  avg_pool2d=avg_pool2d, max_pool2d=max_pool2d)
    tf.keras = types.SimpleNamespace(layers=types.SimpleNamespace(
        Conv2D=Conv2D, Conv2DTranspose=Conv2DTranspose, ZeroPadding2D=ZeroPadding2D,
        MaxPooling2D=MaxPooling2D, AveragePooling2D=AveragePooling2D))
    monkeypatch.setitem(sys.modules, "tensorflow", tf)
