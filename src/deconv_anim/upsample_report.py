"""What ``deconv-anim info`` says about the upsampling ops: the rule of each axis with the
numbers filled in, and the keys ``info --json`` adds. Text only: no NumPy for the words."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .spec import Spec

__all__ = ["describe_upsampling", "summary_upsampling", "json_upsampling", "SOURCE_RULES",
           "weight_text", "upsampling_equation"]

TIMES = "\u00b7"

SOURCE_RULES: dict[tuple[str, bool], str] = {
    # (mode, align_corners) -> where output i reads, per axis (r = in / out, or 1 / scale)
    ("nearest", False): "x[min(floor(i * r), n - 1)] (PyTorch's 'nearest': not the centre "
                        "rule at non-integer ratios)",
    ("nearest-exact", False): "x[min(floor((i + 0.5) * r), n - 1)] (the centre rule: "
                              "tf.image.resize's 'nearest')",
    ("bilinear", False): "src = max((i + 0.5) * r - 0.5, 0) (half-pixel centres: "
                         "tf.image.resize's 'bilinear'); x[floor(src)] * (1 - frac) + "
                         "x[floor(src) + 1] * frac",
    ("bilinear", True): "src = i * (n - 1) / (out - 1) (corners meet); x[floor(src)] * "
                        "(1 - frac) + x[floor(src) + 1] * frac",
}


def _x(shape: tuple[int, ...]) -> str:
    return "x".join(str(v) for v in shape)


def _scale_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _shapes(spec: Spec) -> tuple[str, str]:
    if spec.channels:
        return _x((spec.in_channels, *spec.input_size)), _x(spec.output_shape)
    return _x(spec.input_size), _x(spec.output_size)


def summary_upsampling(spec: Spec) -> str:
    """One line naming the op and its shapes.

    >>> from deconv_anim import make_spec
    >>> summary_upsampling(make_spec(op="upsample", size=3, scale=2, mode="bilinear"))
    'Upsample, bilinear: 3x3 input, scale 2 -> 6x6 output'
    """
    shape_in, shape_out = _shapes(spec)
    if spec.shuffle is not None:
        order = ", order tf" if spec.shuffle.order == "tf" else ""
        return (f"Pixel shuffle: {shape_in} input, upscale_factor {spec.shuffle.factor}"
                f"{order} -> {shape_out} output")
    rule = spec.resize
    assert rule is not None
    how = rule.mode + (", align_corners" if rule.align_corners else "")
    if rule.scale is None:
        size = f"output_size {_x(spec.output_size)}"
    elif rule.scale[0] == rule.scale[1]:
        size = f"scale {_scale_text(rule.scale[0])}"
    else:
        size = f"scale {_scale_text(rule.scale[0])}x{_scale_text(rule.scale[1])}"
    return f"Upsample, {how}: {shape_in} input, {size} -> {shape_out} output"


def _frames(spec: Spec) -> str:
    if not spec.channels:
        return f"  frames: {spec.frames} (one per output cell)"
    (oh, ow) = spec.output_size
    each = ("one per output channel" if spec.step_by == "channel" else
            f"one per output element, channel by channel: {spec.out_channels} x {oh}x{ow}")
    return f"  frames: {spec.frames} ({each})"


def describe_upsampling(spec: Spec, name: str | None = None) -> str:
    """The arithmetic of an upsampling op in words.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> print(describe_upsampling(make_spec(op="upsample", size=3, scale=2)))
    upsample (nearest): 3x3 input, scale 2 -> 6x6 output
      rows:    out = floor(3 * 2) = 6; out[i] reads x[min(floor(i * r), n - 1)] (PyTorch's \
'nearest': not the centre rule at non-integer ratios), r = 1 / 2
      columns: out = floor(3 * 2) = 6; out[i] reads x[min(floor(i * r), n - 1)] (PyTorch's \
'nearest': not the centre rule at non-integer ratios), r = 1 / 2
      window: 1x1 input cell per output cell, its weight 1
      frames: 36 (one per output cell)
    """
    prefix = f"{name}: " if name else ""
    shape_in, shape_out = _shapes(spec)
    if spec.shuffle is not None:
        f, order = spec.shuffle.factor, spec.shuffle.order
        c = spec.out_channels
        lines = [f"{prefix}pixel shuffle (order {order}): {shape_in} input, upscale_factor "
                 f"{f} -> {shape_out} output",
                 f"  channels: {spec.in_channels} = C * r * r = {c} * {f} * {f} in -> C = {c} "
                 f"out, each {f}x{f} times the size",
                 "  out[c, h, w] = x[" + (
                     f"c * {f * f} + (h % {f}) * {f} + (w % {f})" if order == "torch" else
                     f"((h % {f}) * {f} + (w % {f})) * {c} + c") +
                 f", h // {f}, w // {f}]" + (
                     "  (PyTorch's PixelShuffle: a channel's r*r sub-pixels are consecutive "
                     "input channels)" if order == "torch" else
                     "  (TensorFlow's depth_to_space: the sub-pixel is the slow index)"),
                 "  window: the one input cell, on its channel, each output cell is moved "
                 "from (weight 1); no multiply-adds",
                 _frames(spec)]
        return "\n".join(lines)
    rule = spec.resize
    assert rule is not None
    how = rule.mode + (", align_corners true" if rule.align_corners else "")
    size = (f"output_size {_x(spec.output_size)}" if rule.scale is None else
            "scale " + "x".join(dict.fromkeys(_scale_text(s) for s in rule.scale)))
    lines = [f"{prefix}upsample ({how}): {shape_in} input, {size} -> {shape_out} output"]
    for axis, label in ((0, "rows:   "), (1, "columns:")):
        n, m = spec.input_size[axis], spec.output_size[axis]
        if rule.scale is None:
            law = f"out = {m} (output_size)"
            ratio = f"r = {n} / {m}"
        else:
            s = _scale_text(rule.scale[axis])
            law = f"out = floor({n} * {s}) = {m}"
            ratio = f"r = 1 / {s}"
        if m == n:
            lines.append(f"  {label} {law}; the length does not change: copied (out[i] = "
                         "x[i], as PyTorch)")
            continue
        if rule.align_corners:
            ratio = f"(n - 1) / (out - 1) = {n - 1} / {m - 1}"
        lines.append(f"  {label} {law}; out[i] reads "
                     f"{SOURCE_RULES[rule.mode, rule.align_corners]}, {ratio}")
    kh, kw = spec.kernel_size
    lines.append(f"  window: {kh}x{kw} input cell{'s' if kh * kw > 1 else ''} per output cell"
                 + (", the interpolation weights summing to 1 (some may be 0)"
                    if kh * kw > 1 else ", its weight 1"))
    if spec.channels:
        lines.append(f"  channels: {spec.in_channels} in -> {spec.out_channels} out, "
                     "channel-wise (each channel resized on its own; no weights)")
    lines.append(_frames(spec))
    return "\n".join(lines)


def json_upsampling(spec: Spec) -> dict[str, Any]:
    """The keys ``info --json`` adds for an upsampling op."""
    if spec.shuffle is not None:
        return {"upscale_factor": spec.shuffle.factor, "order": spec.shuffle.order}
    from .report import matrix
    from .upsample_trace import resize_weights

    rule = spec.resize
    assert rule is not None
    rows, cols = resize_weights(spec)
    return {"mode": rule.mode, "align_corners": rule.align_corners,
            "scale": None if rule.scale is None else [
                int(s) if float(s).is_integer() else s for s in rule.scale],
            "row_weights": matrix(rows), "column_weights": matrix(cols)}


def weight_text(value: float) -> str:
    """An interpolation weight as a figure writes it: exactly, as a small fraction when it
    is one (bilinear x2 gives sixteenths), else with 2 decimals.

    >>> [weight_text(v) for v in (0.0, 1.0, 0.5625, 0.25, 1 / 3, 0.123456)]
    ['0', '1', '9/16', '1/4', '1/3', '0.12']
    """
    value = float(value)
    if value.is_integer():
        return str(int(value))
    near = Fraction(value).limit_denominator(64)
    if abs(float(near) - value) < 1e-12:
        return f"{near.numerator}/{near.denominator}"
    return f"{value:.2f}"


def upsampling_equation(cell: tuple[int, ...], taps: Any, weights: Any, result: str) -> str:
    """A step's caption: the input cells it reads, with their weights (those of weight 0
    left out), and the value.

    >>> import numpy as np
    >>> taps = np.array([[0, 0, 0, 1, 1, 2], [0, 1, 0, 2, 1, 2]])
    >>> upsampling_equation((1, 2), taps, np.array([0.75, 0.25]), "2.50").replace(TIMES, "*")
    'out[1, 2] = 3/4*x[0, 1] + 1/4*x[0, 2] = 2.50'
    """
    terms = []
    for tap, w in zip(taps.tolist(), weights.tolist()):
        if w == 0:
            continue
        where = f"{tap[2]}, {tap[3]}" if len(tap) == 6 else f"{tap[6]}, {tap[2]}, {tap[3]}"
        terms.append(f"x[{where}]" if w == 1 else f"{weight_text(w)}{TIMES}x[{where}]")
    head = f"out[{', '.join(map(str, cell))}]"
    return f"{head} = {' + '.join(terms)} = {result}"
