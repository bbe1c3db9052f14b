"""The code that computes a figure, in PyTorch, TensorFlow (``tf.nn``) or Keras.

:func:`snippet` writes a short runnable script: imports, the input and weights of the spec
as tensors, the layer (or function) call with every argument, the call, and a ``print`` of
the output's shape as a tuple in PyTorch's NCHW order (TensorFlow and Keras compute in NHWC;
their ``print`` reorders the shape). In channel mode the layer has the spec's channels,
groups and bias; the 4-D weights (PyTorch's layout) are transposed to TensorFlow's filters,
and where TensorFlow has no grouped kernel (``tf.nn`` on CPU, Keras' ``Conv2DTranspose``)
the snippet runs one call per group and concatenates. After it runs, ``y`` holds the
output (equal to :func:`deconv_anim.engine.compute`). Where the framework has no argument
for the spec's padding (TensorFlow's asymmetric ``same`` in PyTorch, for instance), the
snippet pads or crops explicitly around the call and says so in a comment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["snippet", "torch_call", "torch_same_shape", "CODE_FRAMEWORKS"]

CODE_FRAMEWORKS = ("torch", "tf", "keras")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _rows(array: object) -> str:
    """A nested list literal of an array of any rank (2-D grids, 3-D and 4-D stacks)."""
    if getattr(array, "ndim", 1) == 1:
        return "[" + ", ".join(_num(v) for v in array) + "]"  # type: ignore[attr-defined]
    return "[" + ", ".join(_rows(part) for part in array) + "]"  # type: ignore[attr-defined]


def _channels(spec: Spec) -> str:
    """``C_in, C_out`` of a PyTorch layer call."""
    return f"{spec.in_channels}, {spec.out_channels}"


def _groups_bias(spec: Spec) -> str:
    """``groups=G, bias=B`` of a PyTorch layer call."""
    return f"groups={spec.groups}, bias={spec.has_bias}"


_NCHW = "print(tuple(y.shape[i] for i in (0, 3, 1, 2)))  # NCHW, the order PyTorch prints"


def _pair(pair: tuple[int, int]) -> str:
    return f"({pair[0]}, {pair[1]})"


def _symmetric(spec: Spec) -> bool:
    t, b, l, r = spec.padding
    return t == b and l == r


def torch_call(spec: Spec) -> str | None:
    """The PyTorch layer call giving ``spec`` exactly, or None when only a pad/crop around
    a call can (see :func:`snippet`).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> call = torch_call(make_spec(op="transposed", size=3, kernel=3, stride=2, padding=1,
    ...                             output_padding=1))
    >>> call.split(", o")[0]
    'nn.ConvTranspose2d(1, 1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)'
    >>> torch_call(make_spec(op="conv", size=5, kernel=3, padding=[0, 1, 0, 1])) is None
    True

    The upsampling ops have no layer call here (their snippet calls ``F.interpolate`` or
    ``F.pixel_shuffle``): None.
    """
    if spec.is_upsampling:
        return None
    t, b, l, r = spec.padding
    pad = f"({t}, {l})"
    k, s, d = _pair(spec.kernel_size), _pair(spec.stride), _pair(spec.dilation)
    if spec.is_transposed:
        extra = (t - b + spec.output_padding[0], l - r + spec.output_padding[1])
        limit = (max(spec.stride[0], spec.dilation[0]), max(spec.stride[1], spec.dilation[1]))
        if not all(0 <= e < m for e, m in zip(extra, limit, strict=False)):
            return None
        return (f"nn.ConvTranspose2d({_channels(spec)}, kernel_size={k}, stride={s}, "
                f"padding={pad}, output_padding={_pair(extra)}, {_groups_bias(spec)}, "
                f"dilation={d})")
    if spec.op == "conv":
        if spec.padding_form in ("same", "valid") and spec.stride == (1, 1):
            pad = repr(spec.padding_form)
        elif not _symmetric(spec):
            return None
        return (f"nn.Conv2d({_channels(spec)}, kernel_size={k}, stride={s}, padding={pad}, "
                f"dilation={d}, {_groups_bias(spec)}, padding_mode='zeros')")
    if not _symmetric(spec):
        return None
    ceil = spec.ceil_mode
    if spec.op == "maxpool":
        return (f"nn.MaxPool2d(kernel_size={k}, stride={s}, padding={pad}, dilation={d}, "
                f"ceil_mode={ceil})")
    return (f"nn.AvgPool2d(kernel_size={k}, stride={s}, padding={pad}, ceil_mode={ceil}, "
            f"count_include_pad={spec.count_include_pad})")


def torch_same_shape(spec: Spec) -> str | None:
    """A PyTorch call with symmetric padding giving the spec's output shape (its values may
    differ), or None. For :func:`deconv_anim.frameworks.explain`."""
    from .spec import make_spec

    exact = torch_call(spec)
    if exact is not None:
        return exact
    base: dict[str, Any] = {"size": spec.input_size, "kernel": spec.kernel_size,
                            "stride": spec.stride, "dilation": spec.dilation}
    if spec.channels and not spec.is_pool:  # the same layer: its channels, groups and bias
        base.update(in_channels=spec.in_channels, out_channels=spec.out_channels,
                    groups=spec.groups, bias=True if spec.has_bias else None)
    for p in range(max(spec.k_eff)):
        for extra in range(max(*spec.stride, *spec.dilation)):
            keys = ({"op": "transposed", "output_padding": extra} if spec.is_transposed
                    else {"op": spec.op})
            try:
                other = make_spec(**base, **keys, padding=p)
            except ConfigError:
                continue
            if other.output_size == spec.output_size:
                return torch_call(other)
            if not spec.is_transposed:
                break
    return None


def _torch_workaround(spec: Spec) -> tuple[list[str], str, list[str]]:
    """(lines before, the layer call, lines after) padding or cropping explicitly."""
    t, b, l, r = spec.padding
    k, s, d = _pair(spec.kernel_size), _pair(spec.stride), _pair(spec.dilation)
    if spec.is_transposed:
        ah, aw = spec.output_padding
        call = (f"nn.ConvTranspose2d({_channels(spec)}, kernel_size={k}, stride={s}, "
                f"padding=(0, 0), output_padding=(0, 0), groups={spec.groups}, bias=False, "
                f"dilation={d})")
        after = ["# PyTorch pads symmetrically; this op crops the full output unevenly (and adds",
                 "# output_padding rows at the end): crop/extend it explicitly (negative pads "
                 "crop)", f"y = F.pad(y, ({-l}, {aw - r}, {-t}, {ah - b}))"]
        if spec.bias is not None:
            after += ["# the bias after the crop: the added output_padding rows get it too",
                      f"y = y + torch.tensor({_rows(spec.bias)}, dtype=torch.float64)"
                      ".reshape(1, -1, 1, 1)"]
        return [], call, after
    before = [f"# PyTorch pads symmetrically; this op pads [top, bottom, left, right] = "
              f"{[t, b, l, r]}: pad explicitly, then call with padding=0"]
    if spec.op == "conv":
        before.append(f"x = F.pad(x, ({l}, {r}, {t}, {b}))")
        return before, (f"nn.Conv2d({_channels(spec)}, kernel_size={k}, stride={s}, "
                        f"padding=(0, 0), dilation={d}, {_groups_bias(spec)}, "
                        "padding_mode='zeros')"), []
    if spec.op == "maxpool":
        before.append(f"x = F.pad(x, ({l}, {r}, {t}, {b}), value=float('-inf'))")
        return before, (f"nn.MaxPool2d(kernel_size={k}, stride={s}, padding=(0, 0), "
                        f"dilation={d}, ceil_mode={spec.ceil_mode})"), []
    call = (f"nn.AvgPool2d(kernel_size={k}, stride={s}, padding=(0, 0), "
            f"ceil_mode={spec.ceil_mode}, count_include_pad=True)")
    if spec.count_include_pad:
        before.append(f"x = F.pad(x, ({l}, {r}, {t}, {b}))")
        return before, call, []
    before += ["# and count only the input's cells: divide by the mean of a padded mask",
               f"mask = F.pad(torch.ones_like(x), ({l}, {r}, {t}, {b}))",
               f"x = F.pad(x, ({l}, {r}, {t}, {b}))"]
    return before, call, ["y = y / layer(mask)"]


def torch_workaround(spec: Spec) -> str:
    """The PyTorch lines giving ``spec``'s values when :func:`torch_call` is None."""
    before, call, after = _torch_workaround(spec)
    return "; ".join([*(line for line in before if not line.startswith("#")),
                      f"y = {call}(x)", *(line for line in after if not line.startswith("#"))])


def _torch(spec: Spec) -> str:
    (h, w), (kh, kw) = spec.input_size, spec.kernel_size
    call = torch_call(spec)
    before: list[str] = []
    after: list[str] = []
    if call is None:
        before, call, after = _torch_workaround(spec)
    # channel mode: the input [C_in][H][W], the weights already in PyTorch's 4-D layout
    shape = spec.weight_shape if spec.channels else (1, 1, kh, kw)
    lines = ["import torch", "import torch.nn.functional as F", "from torch import nn", "",
             f"x = torch.tensor({_rows(spec.input)}, dtype=torch.float64).reshape(1, "
             f"{spec.in_channels}, {h}, {w})", *before, f"layer = {call}.double()"]
    if not spec.is_pool:
        lines += ["with torch.no_grad():",
                  f"    layer.weight.copy_(torch.tensor({_rows(spec.weights)}, "
                  f"dtype=torch.float64).reshape{shape})"]
        if spec.bias is not None and "bias=True" in call:
            lines.append(f"    layer.bias.copy_(torch.tensor({_rows(spec.bias)}, "
                         "dtype=torch.float64))")
    lines += ["with torch.no_grad():", "    y = layer(x)", *after, "print(tuple(y.shape))"]
    return "\n".join(lines) + "\n"


def _tf_padding(spec: Spec) -> str:
    t, b, l, r = spec.padding
    if spec.padding_form in ("same", "valid"):
        return repr(spec.padding_form.upper())
    if spec.padding == (0, 0, 0, 0):
        return "'VALID'"
    return f"[[0, 0], [{t}, {b}], [{l}, {r}], [0, 0]]"


def _tf(spec: Spec) -> str:
    (h, w), (kh, kw) = spec.input_size, spec.kernel_size
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    lines = ["import tensorflow as tf", ""]
    if spec.channels:
        lines.append(f"x = tf.transpose(tf.reshape(tf.constant({_rows(spec.input)}, "
                     f"dtype=tf.float64), [1, {spec.in_channels}, {h}, {w}]), [0, 2, 3, 1])"
                     "  # NCHW -> NHWC")
        if not spec.is_pool:
            lines.append(f"w = tf.transpose(tf.constant({_rows(spec.weights)}, "
                         f"dtype=tf.float64), [2, 3, 1, 0])  # {_LAYOUT[spec.is_transposed]}")
    else:
        lines.append(f"x = tf.reshape(tf.constant({_rows(spec.input)}, dtype=tf.float64), "
                     f"[1, {h}, {w}, 1])")
        if not spec.is_pool:
            lines.append(f"w = tf.reshape(tf.constant({_rows(spec.weights)}, "
                         f"dtype=tf.float64), [{kh}, {kw}, 1, 1])")
    strides, dilations = f"[1, {sh}, {sw}, 1]", f"[1, {dh}, {dw}, 1]"
    pad = _tf_padding(spec)
    oh, ow = spec.output_size
    oc = spec.out_per_group
    if spec.op == "conv":
        if spec.stride != (1, 1) and spec.dilation != (1, 1):
            lines.append("# TensorFlow runs strides > 1 with dilations > 1 on no CPU kernel")
        lines.append(f"y = tf.nn.conv2d(x, w, strides={strides}, padding={pad}, "
                     f"dilations={dilations})")
    elif spec.is_transposed:
        shape = f"[1, {oh}, {ow}, {oc}]"
        if spec.dilation != (1, 1) and spec.stride == (1, 1) and pad in ("'SAME'", "'VALID'"):
            lines += ["# conv2d_transpose has no CPU kernel for dilations > 1: the documented "
                      "way is atrous_conv2d_transpose (stride 1)",
                      f"y = tf.nn.atrous_conv2d_transpose(x, w, output_shape={shape}, "
                      f"rate={dh}, padding={pad})"]
            if dh != dw:
                lines.insert(-1, "# (atrous takes one rate: this op's dilations differ per "
                                 "axis, which TensorFlow cannot express on CPU)")
        else:
            if spec.dilation != (1, 1):
                lines.append("# TensorFlow has no CPU kernel for a dilated, strided (or "
                             "explicitly padded) conv2d_transpose; this runs on GPU only")
            lines.append(f"y = tf.nn.conv2d_transpose(x, w, output_shape={shape}, "
                         f"strides={strides}, padding={pad}, dilations={dilations})")
    else:
        lines += _tf_pool(spec, pad)
    if spec.groups > 1 and not spec.is_pool:
        lines[-1] = _tf_grouped(lines[-1], spec.groups)
        lines.insert(-1, "# TensorFlow's CPU kernels refuse grouped convolutions: one call per "
                         "group (its channels of x and w), outputs concatenated")
    if spec.bias is not None:
        lines.append(f"y = tf.nn.bias_add(y, tf.constant({_rows(spec.bias)}, "
                     "dtype=tf.float64))")
    lines.append(_NCHW)
    return "\n".join(lines) + "\n"


# PyTorch's weight layout -> TensorFlow's filters and Keras' kernels (conv: HWIO;
# transposed: [kH][kW][out][in])
_LAYOUT = {False: "PyTorch's [C_out][C_in/groups][kH][kW] -> HWIO",
           True: "PyTorch's [C_in][C_out/groups][kH][kW] -> [kH][kW][C_out/groups][C_in]"}


def _tf_grouped(line: str, groups: int) -> str:
    """``y = tf.nn.f(x, w, ...)`` as one call per channel group, concatenated."""
    call = line.removeprefix("y = ").replace("(x, w, ", "(xg, wg, ", 1)
    return (f"y = tf.concat([{call} for xg, wg in zip(tf.split(x, {groups}, axis=3), "
            f"tf.split(w, {groups}, axis=3))], axis=3)")


def _tf_pool(spec: Spec, pad: str) -> list[str]:
    (kh, kw), (sh, sw) = spec.kernel_size, spec.stride
    t, b, l, r = spec.padding_with_overhang
    padded = f"[[0, 0], [{t}, {b}], [{l}, {r}], [0, 0]]"
    if spec.op == "maxpool":
        lines = []
        if pad not in ("'SAME'", "'VALID'") or spec.ceil_mode:
            lines.append(f"x = tf.pad(x, {padded}, constant_values=float('-inf'))")
            pad = "'VALID'"
        return [*lines, f"y = tf.nn.pool(x, window_shape=[{kh}, {kw}], pooling_type='MAX', "
                        f"strides=[{sh}, {sw}], padding={pad}, dilations=[{spec.dilation[0]}, "
                        f"{spec.dilation[1]}])"]
    call = f"tf.nn.avg_pool2d({{}}, ksize=[{kh}, {kw}], strides=[{sh}, {sw}], padding={{}})"
    if pad == "'SAME'" and not spec.count_include_pad:
        return [f"y = {call.format('x', pad)}"]
    if pad == "'VALID'" and spec.padding == (0, 0, 0, 0) and not spec.ceil_mode:
        return [f"y = {call.format('x', pad)}"]
    lines = ["# TensorFlow's avg_pool2d has no explicit padding: pad, pool VALID, and divide",
             "# by the mean of a mask of the cells that count"]
    mask = f"tf.pad(tf.ones_like(x), {padded})"
    if spec.count_include_pad:  # the padding counts, the ceil_mode overhang does not
        tp, bp, lp, rp = spec.padding
        mask = (f"tf.pad(tf.pad(tf.ones_like(x), [[0, 0], [{tp}, {bp}], [{lp}, {rp}], "
                f"[0, 0]], constant_values=1), [[0, 0], [0, {b - bp}], [0, {r - rp}], [0, 0]])")
    return [*lines, f"mask = {mask}", f"x = tf.pad(x, {padded})",
            f"y = {call.format('x', repr('VALID'))} / {call.format('mask', repr('VALID'))}"]


def _keras_length(spec: Spec, padding: str) -> tuple[int, ...]:
    """Keras' ``deconv_output_length`` without ``output_padding``, per axis."""
    return tuple(n * s if padding == "same" else n * s + max(k - s, 0)
                 for n, s, k in zip(spec.input_size, spec.stride, spec.k_eff, strict=True))


def _keras_transposed(spec: Spec) -> tuple[str, str] | None:
    """(padding, output_padding) of a Conv2DTranspose giving ``spec`` exactly, or None."""
    from .spec import make_spec

    for padding in ("valid", "same"):
        for extra in (None, *range(max(spec.stride))):
            try:
                other = make_spec(op="transposed", size=spec.input_size,
                                  kernel=spec.kernel_size, stride=spec.stride,
                                  dilation=spec.dilation, padding=padding,
                                  output_padding=extra)
            except ConfigError:
                continue
            if extra is None and other.output_size != _keras_length(spec, padding):
                continue  # Keras' own rule without output_padding (k < strides differs)
            if (other.padding, other.output_padding, other.output_size) == (
                    spec.padding, spec.output_padding, spec.output_size):
                return repr(padding), "None" if extra is None else f"({extra}, {extra})"
    return None


def _keras(spec: Spec) -> str:
    h, w = spec.input_size
    k, s, d = _pair(spec.kernel_size), _pair(spec.stride), _pair(spec.dilation)
    t, b, l, r = spec.padding
    lines = ["import numpy as np", "from tensorflow import keras", "",
             f"x = np.array({_rows(spec.input)}, dtype='float64').reshape(1, {h}, {w}, 1)"]
    if spec.channels:
        lines[-1] = (f"x = np.array({_rows(spec.input)}, dtype='float64').reshape(1, "
                     f"{spec.in_channels}, {h}, {w}).transpose(0, 2, 3, 1)  # NCHW -> NHWC")
    form = spec.padding_form if spec.padding_form in ("same", "valid") else None
    if form is None and spec.padding == (0, 0, 0, 0):
        form = "valid"
    if spec.op == "conv":
        if form is None:
            lines.append(f"x = keras.layers.ZeroPadding2D((({t}, {b}), ({l}, {r})))(x)  "
                         "# Keras pads only 'valid' or 'same': pad first")
            form = "valid"
        groups = f"groups={spec.groups}, " if spec.channels else ""
        layer = (f"keras.layers.Conv2D({spec.out_channels}, {k}, strides={s}, "
                 f"padding={form!r}, dilation_rate={d}, {groups}use_bias=USE_BIAS, "
                 "dtype='float64')")
    elif spec.is_transposed:
        found = _keras_transposed(spec)
        crop = None
        if found is None:  # the full output, then crop (and pad output_padding rows)
            found, crop = ("'valid'", "None"), spec
        layer = (f"keras.layers.Conv2DTranspose({spec.out_per_group}, {k}, strides={s}, "
                 f"padding={found[0]}, output_padding={found[1]}, dilation_rate={d}, "
                 "use_bias=USE_BIAS, dtype='float64')")
    else:
        kind = "MaxPooling2D" if spec.op == "maxpool" else "AveragePooling2D"
        exact = (form == "valid" and not spec.ceil_mode and spec.dilation == (1, 1)) or (
            form == "same" and spec.op == "maxpool" and spec.dilation == (1, 1)) or (
            form == "same" and not spec.count_include_pad)
        if not exact:
            return ("# Keras' pooling layers have no explicit padding, dilation, ceil_mode or "
                    "count_include_pad:\n# this pool is written with tf.nn "
                    "(deconv-anim info --code tf)\n" + _tf(spec))
        return "\n".join([*lines, f"layer = keras.layers.{kind}(pool_size={k}, strides={s}, "
                                  f"padding={form!r}, dtype='float64')", "y = layer(x)",
                          _NCHW]) + "\n"
    late_bias = spec.bias is not None and spec.is_transposed and crop is not None
    layer = layer.replace("USE_BIAS", str(spec.bias is not None and not late_bias))
    lines += _keras_layer(spec, layer, late_bias)
    if spec.is_transposed and crop is not None:
        ah, aw = spec.output_padding
        lines += ["# Keras pads only 'valid' or 'same': crop the full output (negative: pad)",
                  f"y = np.pad(np.asarray(y), ((0, 0), (0, {max(ah - b, 0)}), "
                  f"(0, {max(aw - r, 0)}), (0, 0)))[:, {t}:{t + spec.output_size[0]}, "
                  f"{l}:{l + spec.output_size[1]}, :]"]
    if late_bias:
        lines += ["# the bias after the crop: the added output_padding rows get it too",
                  "y = y + b"]
    if spec.dilation != (1, 1) and spec.is_transposed:
        lines.insert(-1, "# (TensorFlow has no CPU kernel for a dilated Conv2DTranspose: "
                         "GPU only)")
    lines.append(_NCHW)
    return "\n".join(lines) + "\n"


def _keras_layer(spec: Spec, layer: str, late_bias: bool) -> list[str]:
    """Build ``layer``, set its weights (and bias) and call it on ``x``: one layer per
    channel group for a grouped Conv2DTranspose (Keras' has no ``groups``)."""
    kh, kw = spec.kernel_size
    if not spec.channels:
        return [f"layer = {layer}", "layer.build(x.shape)",
                f"layer.set_weights([np.array({_rows(spec.weights)}, dtype='float64')"
                f".reshape({kh}, {kw}, 1, 1)])", "y = layer(x)"]
    lines = [f"w = np.array({_rows(spec.weights)}, dtype='float64').transpose(2, 3, 1, 0)"
             f"  # {_LAYOUT[spec.is_transposed]}"]
    if spec.bias is not None:
        lines.append(f"b = np.array({_rows(spec.bias)}, dtype='float64')")
    bias = ", b" if spec.bias is not None and not late_bias else ""
    if not (spec.is_transposed and spec.groups > 1):
        return [*lines, f"layer = {layer}", "layer.build(x.shape)",
                f"layer.set_weights([w{bias}])", "y = layer(x)"]
    ci, co = spec.in_per_group, spec.out_per_group
    group_bias = f", b[g * {co}:(g + 1) * {co}]" if bias else ""
    return [*lines, "# Keras' Conv2DTranspose has no groups: one layer per group (its channels "
                    "of x and w), outputs concatenated", "ys = []",
            f"for g in range({spec.groups}):", f"    xg = x[..., g * {ci}:(g + 1) * {ci}]",
            f"    layer = {layer}", "    layer.build(xg.shape)",
            f"    layer.set_weights([w[..., g * {ci}:(g + 1) * {ci}]{group_bias}])",
            "    ys.append(np.asarray(layer(xg)))", "y = np.concatenate(ys, axis=-1)"]


_WRITERS = {"torch": _torch, "tf": _tf, "keras": _keras}


def snippet(spec: Spec, framework: str) -> str:
    """A runnable script computing ``spec`` in ``framework`` (torch, tf or keras).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> code = snippet(make_spec(op="conv", size=4, kernel=3), "torch")
    >>> code.splitlines()[-1]
    'print(tuple(y.shape))'
    >>> compile(code, "snippet", "exec") is not None
    True
    """
    if framework not in _WRITERS:
        raise ConfigError("--code", f"must be one of {', '.join(_WRITERS)} (got {framework!r})")
    if spec.is_upsampling:
        from .upsample_code import upsampling_snippet

        return upsampling_snippet(spec, framework)
    return _WRITERS[framework](spec)
