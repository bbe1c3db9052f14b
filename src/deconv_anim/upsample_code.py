"""The runnable framework code (``info --code``) and the matrix (``info --json --matrix``)
of the upsampling ops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ConfigError
from .spec import Spec

if TYPE_CHECKING:
    import numpy as np

__all__ = ["upsampling_snippet", "upsampling_matrix"]


def _rows(spec: Spec) -> str:
    from .codegen import _rows as rows

    return rows(spec.input)


def _torch(spec: Spec) -> str:
    (h, w), c = spec.input_size, spec.in_channels
    lines = ["import torch", "import torch.nn.functional as F", "",
             f"x = torch.tensor({_rows(spec)}, dtype=torch.float64).reshape(1, {c}, {h}, {w})"]
    if spec.shuffle is not None:
        if spec.shuffle.order == "tf":
            r = spec.shuffle.factor
            lines.append(f"# order: tf (depth_to_space): input channel (i*{r} + j)*C + c, "
                         f"reordered to PyTorch's c*{r * r} + i*{r} + j first")
            lines.append(f"x = x.reshape(1, {r * r}, {spec.out_channels}, {h}, {w})"
                         f".transpose(1, 2).reshape(1, {c}, {h}, {w})")
        lines.append(f"y = F.pixel_shuffle(x, {spec.shuffle.factor})")
    else:
        rule = spec.resize
        assert rule is not None
        size = (f"scale_factor=({rule.scale[0]:g}, {rule.scale[1]:g})" if rule.scale
                else f"size=({spec.output_size[0]}, {spec.output_size[1]})")
        align = f", align_corners={rule.align_corners}" if rule.mode == "bilinear" else ""
        lines.append(f"y = F.interpolate(x, {size}, mode={rule.mode!r}{align})")
    return "\n".join([*lines, "print(tuple(y.shape))"]) + "\n"


def _tf(spec: Spec) -> str:
    (h, w), c = spec.input_size, spec.in_channels
    lines = ["import tensorflow as tf", "",
             f"x = tf.transpose(tf.reshape(tf.constant({_rows(spec)}, dtype=tf.float64), "
             f"[1, {c}, {h}, {w}]), [0, 2, 3, 1])  # NHWC"]
    if spec.shuffle is not None:
        if spec.shuffle.order != "tf":
            raise ConfigError("--code", "tf: depth_to_space reads the channels in another "
                                        "order: use order: tf (or --code torch)")
        lines.append(f"y = tf.nn.depth_to_space(x, {spec.shuffle.factor})")
    else:
        rule = spec.resize
        assert rule is not None
        method = {("nearest-exact", False): "nearest", ("bilinear", False): "bilinear"}.get(
            (rule.mode, rule.align_corners))
        if method is None or (rule.scale is not None and rule.scale != tuple(
                map(float, map(int, rule.scale)))):
            raise ConfigError("--code", f"tf: tf.image.resize has no mode {rule.mode}"
                                        f"{' with align_corners' if rule.align_corners else ''}"
                                        " at this ratio (its half-pixel rules are nearest-exact "
                                        "and bilinear without align_corners; see "
                                        "docs/config.md): use --code torch")
        lines.append(f"y = tf.image.resize(x, [{spec.output_size[0]}, {spec.output_size[1]}],"
                     f" method={method!r})")
    lines.append("print(tuple(y.shape[i] for i in (0, 3, 1, 2)))  # NCHW, the order PyTorch "
                 "prints")
    return "\n".join(lines) + "\n"


def upsampling_snippet(spec: Spec, framework: str) -> str:
    """A runnable script computing an upsampling op (torch; tf or keras where TensorFlow
    has the same rule).

    >>> from deconv_anim import make_spec
    >>> print(upsampling_snippet(make_spec(op="upsample", input=[[1, 2]], scale=2), "torch"))
    import torch
    import torch.nn.functional as F
    <BLANKLINE>
    x = torch.tensor([[1, 2]], dtype=torch.float64).reshape(1, 1, 1, 2)
    y = F.interpolate(x, scale_factor=(2, 2), mode='nearest')
    print(tuple(y.shape))
    <BLANKLINE>
    """
    return _torch(spec) if framework == "torch" else _tf(spec)


def upsampling_matrix(spec: Spec) -> np.ndarray:
    """The dense matrix (outputs x inputs, flattened [C][H][W]) of an upsampling op: the
    Kronecker product of the two axes' weights per channel, or a pixel shuffle's
    permutation."""
    import numpy as np

    from .engine import trace

    (ih, iw), (oh, ow) = spec.input_size, spec.output_size
    m = np.zeros((spec.out_channels * oh * ow, spec.in_channels * ih * iw))
    for step in trace(spec):
        for tap, weight in zip(step.taps, step.weights, strict=True):  # type: ignore[arg-type]
            _, _, ir, ic, orow, ocol = (int(v) for v in tap[:6])
            ci, co = (int(tap[6]), int(tap[7])) if spec.channels else (0, 0)
            m[(co * oh + orow) * ow + ocol, (ci * ih + ir) * iw + ic] += weight
    return m
