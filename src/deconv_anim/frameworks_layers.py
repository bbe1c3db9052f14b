"""The layers :mod:`deconv_anim.frameworks` reads: signatures (as the frameworks document
them) and builders that turn bound arguments into config keys.

Importing this module fills :data:`deconv_anim.frameworks.LAYERS`.
"""

from __future__ import annotations

from typing import Any

from .frameworks import LAYERS, Channels, Layer, Tensor, _Args, _pad_1d

_NOT_DRAWN = "does not change the figure"
_TORCH_CONV = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True,
               "padding_mode": "zeros", "device": None, "dtype": None}
_TORCH_CONV_T = {**_TORCH_CONV, "output_padding": 0}
_TORCH_MAX = {"stride": None, "padding": 0, "dilation": 1, "return_indices": False,
              "ceil_mode": False}
_TORCH_AVG = {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True,
              "divisor_override": None}
_KERAS_COMMON = {"data_format": None, "activation": None, "use_bias": True,
                 "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros",
                 "kernel_regularizer": None, "bias_regularizer": None,
                 "activity_regularizer": None, "kernel_constraint": None,
                 "bias_constraint": None, "name": None, "input_shape": None, "dtype": None,
                 "trainable": True}
_KERAS_TAIL = ("activation", "use_bias", "kernel_initializer", "bias_initializer",
               "kernel_regularizer", "bias_regularizer", "activity_regularizer",
               "kernel_constraint", "bias_constraint", "name", "input_shape", "dtype",
               "trainable")
_KERAS_OPAQUE = ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                 "bias_regularizer", "activity_regularizer", "kernel_constraint",
                 "bias_constraint")
_DEPTHWISE_OPAQUE = ("depthwise_initializer", "depthwise_regularizer", "depthwise_constraint")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _torch_padding(a: _Args, one_d: bool, words: bool) -> Any:
    value = a["padding"]
    if isinstance(value, str):
        if not words:
            raise a.refuse("padding", "must be an integer or a tuple (PyTorch's transposed "
                                      "convolutions take no 'same' or 'valid')")
        word = a.word("padding", ("same", "valid"))
        if word == "same" and a["stride"] not in (1, (1,), (1, 1)):
            raise a.refuse("padding", "is not supported for strided convolutions (PyTorch)")
        return word
    padding = a.sizes("padding", 1 if one_d else 2, minimum=0)
    return _pad_1d(padding) if one_d else padding


def _torch_conv(a: _Args, *, transposed: bool, one_d: bool) -> dict[str, Any]:
    cin, cout, groups = a.integer("in_channels"), a.integer("out_channels"), a.integer("groups")
    for arg, channels in (("in_channels", cin), ("out_channels", cout)):
        if channels % groups:
            raise a.refuse("groups", f"must divide {arg} ({channels}; PyTorch's rule)")
    mode = a.word("padding_mode", _PADDING_MODES)
    if mode != "zeros":
        raise a.refuse("padding_mode", "only zero padding is drawn; use 'zeros' (the "
                                       "default)")
    n = 1 if one_d else 2
    keys: dict[str, Any] = {
        "op": "transposed" if transposed else "conv",
        "kernel": a.sizes("kernel_size", n, one_d=one_d),
        "stride": a.sizes("stride", n, one_d=one_d),
        "padding": _torch_padding(a, one_d, words=not transposed),
        "dilation": a.sizes("dilation", n, one_d=one_d),
    }
    if transposed:
        keys["output_padding"] = a.sizes("output_padding", n, minimum=0, one_d=one_d)
        rule = ("PyTorch ConvTranspose: out = (in - 1) * stride - 2 * padding + dilation * "
                "(kernel - 1) + output_padding + 1")
    elif keys["padding"] == "same":
        rule = ("PyTorch padding='same' (stride 1): out = in; total padding dilation * "
                "(kernel - 1), the odd cell after (bottom/right)")
    else:
        rule = ("PyTorch Conv: out = floor((in + 2 * padding - dilation * (kernel - 1) - 1) "
                "/ stride) + 1")
    bias = a.flag("bias")
    notes = a.notes(("device", "dtype"), _NOT_DRAWN)
    if bias:
        notes.append("bias=True: the figure shows the sum before the bias is added")
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "one_d": one_d,
            "channels": Channels(cin, cout, groups, bias)}


def _torch_pool(a: _Args, *, op: str, one_d: bool) -> dict[str, Any]:
    n = 1 if one_d else 2
    kernel = a.sizes("kernel_size", n, one_d=one_d)
    stride = kernel if a["stride"] is None else a.sizes("stride", n, one_d=one_d)
    padding = a.sizes("padding", n, minimum=0)
    keys: dict[str, Any] = {"op": op, "kernel": kernel, "stride": stride,
                            "padding": _pad_1d(padding) if one_d else padding,
                            "ceil_mode": a.flag("ceil_mode")}
    notes: list[str] = []
    if op == "maxpool":
        keys["dilation"] = a.sizes("dilation", n, one_d=one_d)
        notes += a.notes(("return_indices",), "the indices are the cells marked as maxima")
    else:
        keys["count_include_pad"] = a.flag("count_include_pad")
        if a.bound.get("divisor_override") is not None:  # (AvgPool1d has none)
            raise a.refuse("divisor_override", "the figure divides by the cells counted; "
                                               "remove divisor_override")
    ceil = " rounded up (ceil_mode: while the last window starts inside the input or its " \
           "left padding)" if keys["ceil_mode"] else ""
    rule = (f"PyTorch pooling: out = floor((in + 2 * padding - dilation * (kernel - 1) - 1) / "
            f"stride) + 1{ceil}; padding is at most half the kernel")
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "one_d": one_d}


def _keras_in(a: _Args, n: int) -> int | None:
    """The input channels of a Keras layer's input_shape, or None."""
    shape = a["input_shape"]
    if not isinstance(shape, tuple) or len(shape) != n + 1:
        return None
    value = shape[0] if a["data_format"] == "channels_first" else shape[-1]
    if value is not None and (type(value) is not int or value < 1):
        raise a.refuse("input_shape", "the channel count must be a positive integer or None")
    return value


def _keras_size(a: _Args, n: int) -> Any:
    shape = a["input_shape"]
    if shape is None:
        return None
    if not isinstance(shape, tuple) or len(shape) != n + 1:
        raise a.refuse("input_shape", f"must be a tuple of {n + 1} (spatial sizes and "
                                      "channels)")
    first = a["data_format"] == "channels_first"
    spatial = shape[1:] if first else shape[:-1]
    if any(v is None for v in spatial):
        return None
    if not all(type(v) is int and v >= 1 for v in spatial):
        raise a.refuse("input_shape", "spatial sizes must be positive integers or None")
    return spatial[0] if n == 1 else list(spatial)


def _keras_checks(a: _Args) -> list[str]:
    a.choice("data_format", (None, "channels_last", "channels_first"),
             "must be None, 'channels_last' or 'channels_first'")
    notes = a.notes(("data_format", "name", "dtype", "trainable"), _NOT_DRAWN)
    notes += a.notes(_KERAS_OPAQUE, "the figure uses its own weights")
    return notes


def _keras_activation(a: _Args) -> None:
    if a["activation"] not in (None, "linear"):
        raise a.refuse("activation", "the figure shows the convolution before any "
                                     "activation; drop activation= (or use 'linear')")


def _keras_conv(a: _Args, *, transposed: bool, one_d: bool) -> dict[str, Any]:
    n = 1 if one_d else 2
    filters, notes = a.integer("filters"), _keras_checks(a)
    _keras_activation(a)
    words = ("valid", "same", "causal") if one_d and not transposed else ("valid", "same")
    padding = a.word("padding", words)
    kernel, stride = a.sizes("kernel_size", n, one_d=one_d), a.sizes("strides", n, one_d=one_d)
    dilation = a.sizes("dilation_rate", n, one_d=one_d)
    if _gt1(stride) and _gt1(dilation):
        raise a.refuse("dilation_rate", "Keras refuses strides > 1 together with "
                                        "dilation_rate > 1")
    keys: dict[str, Any] = {"op": "transposed" if transposed else "conv", "kernel": kernel,
                            "stride": stride, "padding": padding, "dilation": dilation}
    groups, size, cin = 1, _keras_size(a, n), _keras_in(a, n)
    if "groups" in a.bound:
        groups = a.integer("groups")
        if filters % groups:
            raise a.refuse("groups", f"must divide filters ({filters}; Keras' rule)")
        if cin is not None and cin % groups:
            raise a.refuse("groups", f"must divide the input's channels ({cin}; Keras' rule)")
    if padding == "causal":
        keys["padding"] = [0, 0, (kernel[1] - 1) * dilation[1], 0]
        rule = ("Keras padding='causal': dilation * (kernel - 1) zeros on the left only; "
                "out = ceil(in / strides)")
    elif transposed:
        rule, keys["output_padding"] = _keras_transposed(a, padding, kernel, stride, dilation)
    elif padding == "same":
        rule = ("TensorFlow padding='same': out = ceil(in / strides); total padding "
                "max((out - 1) * strides + k_eff - in, 0), the odd cell after (bottom/right)")
    else:
        rule = "TensorFlow padding='valid': out = ceil((in - k_eff + 1) / strides)"
    bias = a.flag("use_bias")
    if bias:
        notes.append("use_bias=True: the figure shows the sum before the bias is added")
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "one_d": one_d,
            "channels": Channels(cin, filters, groups, bias), "size": size}


def _keras_depthwise(a: _Args) -> dict[str, Any]:
    """layers.DepthwiseConv2D: a Conv2D with groups = in_channels and depth_multiplier
    outputs per input channel."""
    multiplier = a.integer("depth_multiplier")
    for arg in _KERAS_OPAQUE:
        a.bound.setdefault(arg, _KERAS_COMMON[arg])
    a.bound.update(filters=1, groups=1)
    built = _keras_conv(a, transposed=False, one_d=False)
    built["notes"] += tuple(a.notes(_DEPTHWISE_OPAQUE, "the figure uses its own weights"))
    c = built["channels"]
    cin = c.in_channels
    built["channels"] = Channels(cin, None if cin is None else cin * multiplier,
                                 cin or 1, c.bias, multiplier)
    built["rule"] = (built["rule"] + "; depthwise: groups = in_channels, out_channels = "
                     "in_channels * depth_multiplier")
    return built


def _gt1(value: Any) -> bool:
    return max(value) > 1 if isinstance(value, list) else value > 1


def _keras_transposed(a: _Args, padding: str, kernel: Any, stride: Any, dilation: Any
                      ) -> tuple[str, Any]:
    """(rule, output_padding key) of Keras' Conv2DTranspose: its deconv_output_length."""
    strides = stride if isinstance(stride, list) else [stride, stride]
    k_eff = [(k - 1) * d + 1 for k, d in zip(*(v if isinstance(v, list) else [v, v]
                                              for v in (kernel, dilation)), strict=False)]
    if a["output_padding"] is None:
        if padding == "same":
            return "Keras Conv2DTranspose padding='same': out = in * strides", None
        extra = [max(s - k, 0) for s, k in zip(strides, k_eff, strict=False)]
        return ("Keras Conv2DTranspose padding='valid': out = in * strides + max(k_eff - "
                "strides, 0), i.e. (in - 1) * strides + k_eff plus max(strides - k_eff, 0) "
                "extra cells after"), extra if extra[0] != extra[1] else extra[0]
    op = a.sizes("output_padding", 2, minimum=0)
    ops = op if isinstance(op, list) else [op, op]
    if any(p >= s for p, s in zip(ops, strides, strict=False)):
        raise a.refuse("output_padding", "must be smaller than strides (Keras' rule)")
    pad = "2 * (k_eff // 2)" if padding == "same" else "0"
    return (f"Keras Conv2DTranspose with output_padding: out = (in - 1) * strides + k_eff - "
            f"{pad} + output_padding"), op


def _keras_pool(a: _Args, *, op: str, one_d: bool) -> dict[str, Any]:
    n = 1 if one_d else 2
    notes = [*a.notes(("data_format", "name"), _NOT_DRAWN)]
    a.choice("data_format", (None, "channels_last", "channels_first"),
             "must be None, 'channels_last' or 'channels_first'")
    kernel = a.sizes("pool_size", n, one_d=one_d)
    stride = kernel if a["strides"] is None else a.sizes("strides", n, one_d=one_d)
    padding = a.word("padding", ("valid", "same"))
    keys: dict[str, Any] = {"op": op, "kernel": kernel, "stride": stride, "padding": padding}
    rule = "TensorFlow pooling: " + ("out = ceil(in / strides), padding as for conv 'same'"
                                     if padding == "same" else
                                     "out = ceil((in - pool_size + 1) / strides)")
    if op == "avgpool":
        keys["count_include_pad"] = padding == "valid"
        if padding == "same":
            rule += "; the padded cells are left out of the mean (count_include_pad false)"
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "one_d": one_d}


def _tf_spatial(a: _Args, arg: str, fmt: str, *, pad: bool = False) -> Any:
    """A tf.nn strides/dilations/ksize (int, 1, 2 or 4 items) or explicit padding as keys."""
    value = a[arg]
    h, w = (2, 3) if fmt == "NCHW" else (1, 2)
    if pad:
        pairs = value
        if not (isinstance(pairs, tuple) and len(pairs) == 4 and all(
                isinstance(p, tuple) and len(p) == 2 and all(type(v) is int and v >= 0
                                                              for v in p) for p in pairs)):
            raise a.refuse(arg, "must be 'SAME', 'VALID' or four [before, after] pairs")
        if any(pairs[i] != (0, 0) for i in range(4) if i not in (h, w)):
            raise a.refuse(arg, "batch and channel padding must be [0, 0]")
        return [*pairs[h], *pairs[w]]
    items = value if isinstance(value, tuple) else (value,)
    if not all(type(v) is int and v >= 1 for v in items) or len(items) not in (1, 2, 4):
        raise a.refuse(arg, "must be an integer or a list of 1, 2 or 4 positive integers")
    if len(items) == 4:
        if any(items[i] != 1 for i in range(4) if i not in (h, w)):
            raise a.refuse(arg, "the batch and channel entries must be 1 (TensorFlow's rule)")
        items = (items[h], items[w])
    return items[0] if len(items) == 1 or items[0] == items[1] else list(items)


def _tf_common(a: _Args) -> tuple[str, dict[str, Any], Any, list[str]]:
    fmt = a.word("data_format", ("nhwc", "nchw")).upper()
    notes = [*a.notes(("data_format", "name"), _NOT_DRAWN)]
    value = a["padding"]
    padding: Any = (value.lower() if isinstance(value, str) and value.upper() in
                    ("SAME", "VALID") else None)
    if padding is None:
        if isinstance(value, str):
            raise a.refuse("padding", "must be 'SAME', 'VALID' or four [before, after] pairs")
        padding = _tf_spatial(a, "padding", fmt, pad=True)
    size = None
    tensor = a["input"]
    if isinstance(tensor, Tensor) and tensor.shape is not None:
        if len(tensor.shape) != 4:
            raise a.refuse("input", "must have 4 dimensions (batch, height, width, channels)")
        h, w = (2, 3) if fmt == "NCHW" else (1, 2)
        size = [tensor.shape[h], tensor.shape[w]]
    keys = {"stride": _tf_spatial(a, "strides", fmt), "padding": padding}
    return fmt, keys, size, notes


def _filters(a: _Args, transposed: bool, fmt: str) -> tuple[dict[str, Any], Channels]:
    """The kernel and channels of a tf.nn filters tensor (HWIO; [h, w, out, in] for the
    transposed op) and the input tensor's channels (NHWC or NCHW): the input's channels a
    multiple of the filters' in is TensorFlow's grouped convolution."""
    tensor, x = a["filters"], a["input"]
    x_in = None
    if isinstance(x, Tensor) and x.shape is not None and len(x.shape) == 4:
        x_in = x.shape[1] if fmt == "NCHW" else x.shape[3]
    if not isinstance(tensor, Tensor) or tensor.shape is None:
        return {}, Channels(x_in, None, 1, False)
    if len(tensor.shape) != 4:
        raise a.refuse("filters", "must have 4 dimensions [height, width, in, out]")
    kh, kw, c1, c2 = tensor.shape
    cin, cout = (c2, c1) if transposed else (c1, c2)
    groups = 1
    if x_in is not None and x_in != cin:
        if transposed or x_in % cin or cout % (x_in // cin):
            raise a.refuse("filters", f"has {cin} input channels but the input has {x_in}")
        groups, cin = x_in // cin, x_in
    return {"kernel": kh if kh == kw else [kh, kw]}, Channels(cin, cout, groups, False)


def _tf_conv(a: _Args) -> dict[str, Any]:
    fmt, keys, size, notes = _tf_common(a)
    kernel, channels = _filters(a, False, fmt)
    dilations = 1 if a["dilations"] is None else _tf_spatial(a, "dilations", fmt)
    keys = {"op": "conv", **kernel, **keys, "dilation": dilations}
    rule = ("tf.nn.conv2d: " + ("SAME: out = ceil(in / strides); total padding max((out - 1) "
                                "* strides + k_eff - in, 0), the odd cell after"
                                if keys["padding"] == "same" else
                                "VALID: out = ceil((in - k_eff + 1) / strides)"
                                if keys["padding"] == "valid" else
                                "explicit padding: out = floor((in + before + after - k_eff) "
                                "/ strides) + 1"))
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "channels": channels,
            "size": size}


def _tf_conv_transpose(a: _Args) -> dict[str, Any]:
    fmt, keys, size, notes = _tf_common(a)
    kernel, channels = _filters(a, True, fmt)
    shape = a["output_shape"]
    h, w = (2, 3) if fmt == "NCHW" else (1, 2)
    if not (isinstance(shape, tuple) and len(shape) in (2, 4) and all(
            type(v) is int and v >= 1 for v in shape)):
        raise a.refuse("output_shape", "must be a literal list of 4 (or 2 spatial) sizes")
    out = list(shape) if len(shape) == 2 else [shape[h], shape[w]]
    dilations = 1 if a["dilations"] is None else _tf_spatial(a, "dilations", fmt)
    keys = {"op": "transposed", **kernel, **keys, "dilation": dilations, "output_size": out}
    rule = ("tf.nn.conv2d_transpose: out = output_shape, legal when tf.nn.conv2d with the "
            "same strides and padding maps it back to the input; the padding of the "
            "equivalent convolution follows from it (SAME: total max((in - 1) * strides + "
            "k_eff - out, 0), the odd cell after)")
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "channels": channels,
            "size": size}


def _tf_pool(a: _Args, *, op: str) -> dict[str, Any]:
    fmt, keys, size, notes = _tf_common(a)
    keys = {"op": op, "kernel": _tf_spatial(a, "ksize", fmt), **keys}
    rule = "tf.nn pooling: " + ("SAME: out = ceil(in / strides)" if keys["padding"] == "same"
                                else "out = floor((in + before + after - ksize) / strides) + 1")
    if op == "avgpool":
        keys["count_include_pad"] = keys["padding"] != "same"
        if keys["padding"] == "same":
            rule += "; the padded cells are left out of the mean (count_include_pad false)"
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "size": size}


def _torch(title: str, params: str, defaults: dict[str, Any], build: Any, **kw: Any) -> Layer:
    return Layer(title, tuple(params.split()), defaults, lambda a: build(a, **kw))


_CONV_T = "in_channels out_channels kernel_size stride padding output_padding groups bias " \
          "dilation padding_mode device dtype"
_CONV = "in_channels out_channels kernel_size stride padding dilation groups bias " \
        "padding_mode device dtype"
_KERAS_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "groups", *_KERAS_TAIL)
_KERAS_CONV_T = ("filters", "kernel_size", "strides", "padding", "output_padding",
                 "data_format", "dilation_rate", *_KERAS_TAIL)
_KERAS_DEPTHWISE = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format",
                    "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                    "bias_initializer", "depthwise_regularizer", "bias_regularizer",
                    "activity_regularizer", "depthwise_constraint", "bias_constraint", "name",
                    "input_shape", "dtype", "trainable")
_KERAS_POOL = ("pool_size", "strides", "padding", "data_format", "name")
_KERAS_DEFAULTS = {**_KERAS_COMMON, "strides": 1, "padding": "valid", "dilation_rate": 1,
                   "groups": 1, "output_padding": None}
_TF_NN = {"data_format": "NHWC", "dilations": None, "name": None}

LAYERS["torch"].update({
    "Conv2d": _torch("nn.Conv2d", _CONV, _TORCH_CONV, _torch_conv, transposed=False,
                     one_d=False),
    "Conv1d": _torch("nn.Conv1d", _CONV, _TORCH_CONV, _torch_conv, transposed=False,
                     one_d=True),
    "ConvTranspose2d": _torch("nn.ConvTranspose2d", _CONV_T, _TORCH_CONV_T, _torch_conv,
                              transposed=True, one_d=False),
    "ConvTranspose1d": _torch("nn.ConvTranspose1d", _CONV_T, _TORCH_CONV_T, _torch_conv,
                              transposed=True, one_d=True),
    "conv2d": Layer("F.conv2d", ("input", "weight", "bias", "stride", "padding", "dilation",
                                 "groups"), {"bias": None, "stride": 1, "padding": 0,
                                             "dilation": 1, "groups": 1},
                    lambda a: _torch_functional(a, transposed=False),
                    tensors=("input", "weight", "bias")),
    "conv_transpose2d": Layer("F.conv_transpose2d", (
        "input", "weight", "bias", "stride", "padding", "output_padding", "groups",
        "dilation"), {"bias": None, "stride": 1, "padding": 0, "output_padding": 0,
                      "groups": 1, "dilation": 1},
        lambda a: _torch_functional(a, transposed=True), tensors=("input", "weight", "bias")),
    "MaxPool2d": _torch("nn.MaxPool2d", "kernel_size stride padding dilation return_indices "
                        "ceil_mode", _TORCH_MAX, _torch_pool, op="maxpool", one_d=False),
    "MaxPool1d": _torch("nn.MaxPool1d", "kernel_size stride padding dilation return_indices "
                        "ceil_mode", _TORCH_MAX, _torch_pool, op="maxpool", one_d=True),
    "AvgPool2d": _torch("nn.AvgPool2d", "kernel_size stride padding ceil_mode "
                        "count_include_pad divisor_override", _TORCH_AVG, _torch_pool,
                        op="avgpool", one_d=False),
    "AvgPool1d": _torch("nn.AvgPool1d", "kernel_size stride padding ceil_mode "
                        "count_include_pad", _TORCH_AVG, _torch_pool, op="avgpool",
                        one_d=True),
})


def _torch_functional(a: _Args, *, transposed: bool) -> dict[str, Any]:
    """F.conv2d / F.conv_transpose2d: channels and kernel from the tensors' shapes where they
    are written as torch.ones(...) (input [N, C, H, W]; weight [C_out, C_in/groups, kH, kW],
    transposed [C_in, C_out/groups, kH, kW]); a named tensor leaves them to the config."""
    groups = a.integer("groups")
    x, w, b = a["input"], a["weight"], a["bias"]
    size, cin = None, None
    if isinstance(x, Tensor) and x.shape is not None:
        if len(x.shape) != 4:
            raise a.refuse("input", "must have 4 dimensions (N, C, H, W)")
        cin, size = x.shape[1], [x.shape[2], x.shape[3]]
    keys: dict[str, Any] = {"op": "transposed" if transposed else "conv"}
    cout = None
    if isinstance(w, Tensor) and w.shape is not None:
        if len(w.shape) != 4:
            raise a.refuse("weight", "must have 4 dimensions (PyTorch's layout)")
        first, second, kh, kw = w.shape
        w_in, cout = (first, second * groups) if transposed else (second * groups, first)
        if cin is not None and cin != w_in:
            raise a.refuse("weight", f"reads {w_in} input channels but the input has {cin} "
                                     f"(groups {groups})")
        cin = w_in
        keys["kernel"] = kh if kh == kw else [kh, kw]
    for arg, count in (("in_channels", cin), ("out_channels", cout)):
        if count is not None and count % groups:
            raise a.refuse("groups", f"must divide {arg} ({count}; PyTorch's rule)")
    keys.update(stride=a.sizes("stride", 2), padding=_torch_padding(a, False, not transposed),
                dilation=a.sizes("dilation", 2))
    if transposed:
        keys["output_padding"] = a.sizes("output_padding", 2, minimum=0)
    bias = b is not None
    if isinstance(b, Tensor) and b.shape is not None and cout is not None and b.shape != (
            cout,):
        raise a.refuse("bias", f"must have shape ({cout},), one number per output channel")
    name = "F.conv_transpose2d" if transposed else "F.conv2d"
    rule = (f"{name}: the same rule as nn.{'ConvTranspose2d' if transposed else 'Conv2d'}"
            " with the tensors' channels")
    notes = ["bias: the figure uses seeded bias values"] if bias else []
    if cin is None and cout is None:
        if groups > 1:
            raise a.refuse("groups", "needs the channels: write the weight as torch.ones(C_out, "
                                     "C_in / groups, kH, kW)")
        notes = ["bias: the figure shows the sum before the bias is added"] if bias else []
        return {"keys": keys, "rule": rule, "notes": tuple(notes), "size": size}
    return {"keys": keys, "rule": rule, "notes": tuple(notes), "size": size,
            "channels": Channels(cin, cout, groups, bias)}


def _keras(title: str, params: tuple[str, ...], build: Any, defaults: dict[str, Any] | None
           = None, **kw: Any) -> Layer:
    return Layer(title, params, defaults or _KERAS_DEFAULTS, lambda a: build(a, **kw),
                 opaque=(*_KERAS_OPAQUE, *_DEPTHWISE_OPAQUE))


_POOL_DEFAULTS = {"strides": None, "padding": "valid", "data_format": None, "name": None}
LAYERS["tf"].update({
    "Conv2D": _keras("layers.Conv2D", _KERAS_CONV, _keras_conv, transposed=False,
                     one_d=False),
    "Conv1D": _keras("layers.Conv1D", _KERAS_CONV, _keras_conv, transposed=False, one_d=True),
    "Conv2DTranspose": _keras("layers.Conv2DTranspose", _KERAS_CONV_T, _keras_conv,
                              transposed=True, one_d=False),
    "DepthwiseConv2D": _keras("layers.DepthwiseConv2D", _KERAS_DEPTHWISE, _keras_depthwise,
                              {**_KERAS_DEFAULTS, "depth_multiplier": 1,
                               "depthwise_initializer": "glorot_uniform",
                               "depthwise_regularizer": None, "depthwise_constraint": None}),
    "MaxPooling2D": _keras("layers.MaxPooling2D", _KERAS_POOL, _keras_pool,
                           {**_POOL_DEFAULTS, "pool_size": 2}, op="maxpool", one_d=False),
    "AveragePooling2D": _keras("layers.AveragePooling2D", _KERAS_POOL, _keras_pool,
                               {**_POOL_DEFAULTS, "pool_size": 2}, op="avgpool", one_d=False),
    "MaxPooling1D": _keras("layers.MaxPooling1D", _KERAS_POOL, _keras_pool,
                           {**_POOL_DEFAULTS, "pool_size": 2}, op="maxpool", one_d=True),
    "AveragePooling1D": _keras("layers.AveragePooling1D", _KERAS_POOL, _keras_pool,
                               {**_POOL_DEFAULTS, "pool_size": 2}, op="avgpool", one_d=True),
    "nn.conv2d": Layer("tf.nn.conv2d", ("input", "filters", "strides", "padding",
                                        "data_format", "dilations", "name"), _TF_NN,
                       _tf_conv, tensors=("input", "filters")),
    "nn.conv2d_transpose": Layer("tf.nn.conv2d_transpose", (
        "input", "filters", "output_shape", "strides", "padding", "data_format", "dilations",
        "name"), {**_TF_NN, "padding": "SAME"}, _tf_conv_transpose,
        tensors=("input", "filters")),
    "nn.max_pool2d": Layer("tf.nn.max_pool2d", ("input", "ksize", "strides", "padding",
                                                "data_format", "name"), _TF_NN,
                           lambda a: _tf_pool(a, op="maxpool"), tensors=("input",)),
    "nn.avg_pool2d": Layer("tf.nn.avg_pool2d", ("input", "ksize", "strides", "padding",
                                                "data_format", "name"), _TF_NN,
                           lambda a: _tf_pool(a, op="avgpool"), tensors=("input",)),
})
