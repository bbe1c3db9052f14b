"""What ``deconv-anim info`` prints: the arithmetic of a spec in words, or as JSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .budget import frame_count
from .errors import ConfigError
from .spec import Spec

if TYPE_CHECKING:
    import numpy as np

__all__ = ["describe", "as_json"]

_OP_NAMES = {"conv": "convolution", "transposed": "transposed convolution",
             "maxpool": "max pooling", "avgpool": "average pooling",
             "upsample": "upsample", "pixel_shuffle": "pixel shuffle"}


def number(value: float) -> int | float:
    """A float as JSON wants it: integral values as ints. JSON has no NaN or infinity:
    one is refused (a spec from :func:`~deconv_anim.spec.make_spec` never holds them)."""
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError("input", f"values must be finite for JSON (got {value})")
    return int(value) if value.is_integer() else value


def matrix(array: np.ndarray) -> list[list[int | float]]:
    return [[number(v) for v in row] for row in array]


def nested(array: np.ndarray) -> list:
    """An array of any number of axes as nested JSON lists of numbers."""
    if array.ndim == 1:
        return [number(v) for v in array]
    return [nested(part) for part in array]


def _x(pair: tuple[int, ...]) -> str:
    return "x".join(str(v) for v in pair)


def as_json(spec: Spec, *, name: str | None = None, steps: bool = False,
            with_matrix: bool = False, call: Any = None) -> dict[str, Any]:
    """The spec's numbers as a JSON-ready dict (the keys of ``info --json``).

    ``steps`` adds every step's taps; ``with_matrix`` adds the op's dense matrix (outputs x
    inputs, see :func:`deconv_anim.matrix.op_matrix`).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> info = as_json(make_spec(op="conv", size=4, kernel=3, weights=[[1] * 3] * 3,
    ...                          input=[[1] * 4] * 4))
    >>> info["output_size"], info["step_count"], info["frames"], info["output"]
    ([2, 2], 4, 5, [[9, 9], [9, 9]])
    """
    from .engine import compute, trace  # (NumPy: the text of describe() needs neither)

    if not isinstance(spec, Spec):
        raise ConfigError("spec", f"must be a Spec, from make_spec (got {type(spec).__name__})")
    dense = None
    if with_matrix:  # first: a refused matrix costs nothing else
        from .matrix import op_matrix

        dense = op_matrix(spec)
    out = compute(spec)
    info: dict[str, Any] = {
        "name": name,
        "op": spec.op,
        "view": spec.view,
        "input_size": list(spec.input_size),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "dilation": list(spec.dilation),
        "padding": list(spec.padding),
        "padding_form": spec.padding_form,
        "output_padding": list(spec.output_padding),
        "output_size": list(spec.output_size),
        "frames": frame_count(spec.frames),  # the steps and the held clean final frame
        "step_count": spec.frames,
        "input": nested(spec.input),
        "weights": nested(spec.weights),
        "output": nested(out),
    }
    if spec.channels:
        info.update({
            "in_channels": spec.in_channels, "out_channels": spec.out_channels,
            "groups": spec.groups, "bias": None if spec.bias is None else nested(spec.bias),
            "step_by": spec.step_by, "weight_shape": list(spec.weight_shape),
            "output_shape": list(spec.output_shape), "params": spec.params, "macs": spec.macs,
        })
    if spec.is_upsampling:
        from .upsample_report import json_upsampling

        for key in ("stride", "dilation", "padding", "padding_form", "output_padding",
                    "weights"):  # no kernel of weights: the steps carry theirs
            del info[key]
        info.update(json_upsampling(spec))
    if spec.op == "avgpool":
        info["count_include_pad"] = spec.count_include_pad
    if spec.is_pool:
        info["ceil_mode"] = spec.ceil_mode
    if call is not None:  # a config made from a framework call
        info["call"] = {"framework": call.framework, "text": call.text, "layer": call.layer,
                        "rule": call.rule, "keys": dict(call.keys),
                        "channels": vars(call.channels), "notes": list(call.notes)}
    if spec.is_transposed:
        g = spec.gather
        info["equivalent"] = {
            "spread_size": list(g.spread_size),
            "spacing": list(g.spacing),
            "padding": list(g.padding),
            "stride": list(g.stride),
            "dilation": list(g.dilation),
            "kernel": nested(spec.weights[..., ::-1, ::-1]),
        }
    if steps:
        views = ("gather", "scatter") if spec.view == "both" else (spec.view,)
        for view in views:
            key = "steps" if len(views) == 1 else f"steps_{view}"
            info[key] = [_step_json(step, spec.channels) for step in trace(spec, view)]
    if dense is not None:
        info["matrix"] = matrix(dense)
    return info


def _step_json(step: Any, channels: bool) -> dict[str, Any]:
    """One step of ``info --json --steps``; channel mode adds its channel fields."""
    from .engine import PlaneStep

    if isinstance(step, PlaneStep):
        return {"channel": step.channel, "group": step.group,
                "in_channels": list(step.in_channels), "out_channels": list(step.out_channels),
                "value": nested(step.value), "bias": number(step.bias),
                "partials": None if step.partials is None else nested(step.partials)}
    info = {"cell": list(step.cell), "window": list(step.window),
            "value": number(step.value), "taps": step.taps.tolist()}
    if step.weights is not None:  # the upsampling ops: the weight of each tap
        info["weights"] = [number(w) for w in step.weights]
    if channels:
        info.update({"channel": step.channel, "group": step.group,
                     "in_channels": list(step.in_channels),
                     "out_channels": list(step.out_channels), "bias": number(step.bias),
                     "partials": None if step.partials is None else nested(step.partials)})
    return info


def describe(spec: Spec, *, name: str | None = None) -> str:
    """The arithmetic of ``spec`` in words, with the numbers filled in.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> text = describe(make_spec(op="conv", size=5, kernel=3, stride=2, padding=1))
    >>> text.splitlines()[0][-41:]
    '[t, b, l, r] = [1, 1, 1, 1] -> 3x3 output'
    >>> for line in text.splitlines()[1:]:
    ...     print(line)
      rows:    out = floor((5 + 1 + 1 - 3) / 2) + 1 = 3
      columns: out = floor((5 + 1 + 1 - 3) / 2) + 1 = 3
      9 steps, 10 frames (one per output cell; then the finished output, held)
    """
    if not isinstance(spec, Spec):
        raise ConfigError("spec", f"must be a Spec, from make_spec (got {type(spec).__name__})")
    if spec.is_upsampling:
        from .upsample_report import describe_upsampling

        return describe_upsampling(spec, name)
    lines = [_headline(spec, name)]
    k_eff = spec.k_eff
    for axis, label in ((0, "rows:   "), (1, "columns:")):
        n, k, s, d = (spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis],
                      spec.dilation[axis])
        t, b = spec.padding[2 * axis], spec.padding[2 * axis + 1]
        ke, a, out = k_eff[axis], spec.output_padding[axis], spec.output_size[axis]
        keff_text = f" (k_eff = ({k} - 1) * {d} + 1 = {ke})" if d > 1 else ""
        if spec.is_transposed:
            lines.append(f"  {label} out = ({n} - 1) * {s} - {t} - {b} + {ke} + {a} = {out}"
                         f"{keff_text}")
            pad = f"2*{t}" if t == b else f"{t} - {b}"
            lines.append(f"           PyTorch's form: (H_in - 1)*stride - 2*padding + "
                         f"dilation*(kernel - 1) + output_padding + 1 = ({n} - 1)*{s} - {pad}"
                         f" + {d}*({k} - 1) + {a} + 1 = {out}")
        else:
            rounding = "ceil" if spec.ceil_mode else "floor"
            lines.append(f"  {label} out = {rounding}(({n} + {t} + {b} - {ke}) / {s}) + 1 = "
                         f"{out}{keff_text}{_ceil_note(spec, axis)}")
    if spec.is_transposed:
        g = spec.gather
        lines.append("  as a convolution (the gather view): spread the input with stride - 1 "
                     "zeros between cells, pad, and slide the 180-degree-rotated kernel at "
                     "stride 1")
        for axis, label in ((0, "rows:   "), (1, "columns:")):
            n, s = spec.input_size[axis], spec.stride[axis]
            t, b = spec.padding[2 * axis], spec.padding[2 * axis + 1]
            ke, a = k_eff[axis], spec.output_padding[axis]
            pt, pb = g.padding[2 * axis], g.padding[2 * axis + 1]
            spread = g.spread_size[axis]
            crop = "  (negative: the spread input is cropped)" if min(pt, pb) < 0 else ""
            lines.append(
                f"  {label} spread = ({n} - 1) * {s} + 1 = {spread}; pad {ke} - 1 - {t} = {pt} "
                f"before, {ke} - 1 - {b} + {a} = {pb} after (a' = {a}); "
                f"out = {spread} + {pt} + {pb} - {ke} + 1 = {spec.output_size[axis]}{crop}")
    if spec.channels:
        lines += _channel_lines(spec)
    elif spec.view == "both":
        lines.append(_steps_frames(spec, f"on one clock, side by side: gather "
                                         f"{spec.steps('gather')} output cells, scatter "
                                         f"{spec.steps('scatter')} input cells"))
    elif spec.view == "scatter":
        lines.append(_steps_frames(spec, "one per input cell, each stamping x * w onto the "
                                         "output"))
    elif spec.view == "matrix":
        mark = "C^T" if spec.is_transposed else "C"
        lines.append(_steps_frames(spec, f"one per output cell, lighting its row of {mark}: "
                                         f"y = {mark} x"))
    else:
        lines.append(_steps_frames(spec, "one per output cell"))
    return "\n".join(lines)


def _steps_frames(spec: Spec, what: str) -> str:
    """``N steps, M frames (what the steps are; then the held clean final frame)``."""
    return (f"  {spec.frames} step{'s' if spec.frames != 1 else ''}, "
            f"{frame_count(spec.frames)} frames ({what}; then the finished output, held)")


def _ceil_note(spec: Spec, axis: int) -> str:
    """With ceil_mode: whether PyTorch's last-window rule took one output back."""
    if not spec.ceil_mode:
        return ""
    n, s, t = spec.input_size[axis], spec.stride[axis], spec.padding[2 * axis]
    room = n + sum(spec.padding[2 * axis: 2 * axis + 2]) - spec.k_eff[axis]
    if room % s and spec.output_size[axis] == room // s + 1:
        return (f" (ceil gives {room // s + 2}, but that window would start at "
                f"{(room // s + 1) * s} >= {n} + {t}, past the input: PyTorch drops it)")
    over = spec.overhang[axis]
    return f" (the last window overhangs the padding by {over})" if over else ""
def _kind(spec: Spec) -> str:
    """What the groups make of a layer, in words."""
    c_in, c_out, g = spec.in_channels, spec.out_channels, spec.groups
    if g == c_in > 1:
        extra = f", depth multiplier {c_out // c_in}" if c_out != c_in else ""
        return f"depthwise: each input channel on its own{extra}"
    if g > 1:
        return (f"grouped: each output channel reads {spec.in_per_group} of the {c_in} input "
                "channels")
    every = f"all {c_in} input channels" if c_in > 1 else "the input channel"
    pointwise = "pointwise (1x1): " if spec.kernel_size == (1, 1) else ""
    return f"{pointwise}each output channel reads {every}"


def _channel_lines(spec: Spec) -> list[str]:
    """Channel mode in words: channels, groups, weights, parameters, MACs and frames."""
    from .channels import group_lines
    from .spec import MAX_FRAMES

    c_in, c_out, g = spec.in_channels, spec.out_channels, spec.groups
    (kh, kw), (h, w), (oh, ow) = spec.kernel_size, spec.input_size, spec.output_size
    if spec.is_pool:
        lines = [f"  channels: {c_in} in -> {c_out} out, channel-wise (each channel pooled on "
                 "its own; no weights, no multiply-adds)"]
    else:
        layout = ("[C_out][C_in/groups][kH][kW]" if not spec.is_transposed
                  else "[C_in][C_out/groups][kH][kW]")
        weights = spec.params - (c_out if spec.has_bias else 0)
        bias = f" + {c_out} bias" if spec.has_bias else " (no bias)"
        if spec.is_transposed:
            law = f"C_in*H_in*W_in*(C_out/groups)*kH*kW = {c_in} * {h} * {w} * {c_out // g}"
        else:
            law = f"C_out*H_out*W_out*(C_in/groups)*kH*kW = {c_out} * {oh} * {ow} * {c_in // g}"
        lines = [f"  channels: {c_in} in -> {c_out} out, groups {g} ({_kind(spec)})",
                 f"  weights: {_x(spec.weight_shape)} = {layout} (PyTorch's layout)",
                 f"  parameters: {weights} weights{bias} = {spec.params}",
                 f"  MACs: {law} * {kh} * {kw} = {spec.macs} (multiply-adds, taps on padding "
                 "included, bias adds not)",
                 *(f"  {line}" for line in group_lines(c_in, c_out, g))]
    views = ("gather", "scatter") if spec.view == "both" else (spec.view,)
    counts = []
    for view in views:
        planes, size, side = ((c_in, (h, w), "input") if view == "scatter"
                              else (c_out, (oh, ow), "output"))
        each = (f"one per {side} channel" if spec.step_by == "channel" else
                f"one per {side} element, channel by channel: {planes} x {size[0]}x{size[1]}")
        counts.append(f"{view}: {spec.steps(view)}, {each}" if len(views) > 1 else each)
    lines.append(_steps_frames(spec, "; ".join(counts)))
    lines.append(f"  step rule: step_by: element gives {spec.frames_by('element')} steps, "
                 f"step_by: channel {spec.frames_by('channel')}; the default is element, or "
                 f"channel when element would pass {MAX_FRAMES}")
    return lines


def _headline(spec: Spec, name: str | None) -> str:
    shapes: tuple[tuple[int, ...], tuple[int, ...]]
    if spec.channels:
        shapes = ((spec.in_channels, *spec.input_size), spec.output_shape)
    else:
        shapes = (spec.input_size, spec.output_size)
    parts = [f"{_x(shapes[0])} input", f"{_x(spec.kernel_size)} kernel",
             f"stride {_x(spec.stride)}"]
    if spec.dilation != (1, 1):
        parts.append(f"dilation {_x(spec.dilation)}")
    form = "" if spec.padding_form == "explicit" else f"{spec.padding_form} "
    parts.append(f"padding {form}[t, b, l, r] = {list(spec.padding)}")
    if spec.is_transposed:
        parts.append(f"output_padding {_x(spec.output_padding)}")
    if spec.op == "avgpool":
        parts.append(f"count_include_pad {str(spec.count_include_pad).lower()}")
    if spec.ceil_mode:
        parts.append("ceil_mode true")
    prefix = f"{name}: " if name else ""
    return f"{prefix}{_OP_NAMES[spec.op]}: {', '.join(parts)} -> {_x(shapes[1])} output"


def _axes(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def summary(spec: Spec, *, frames: bool = False) -> str:
    """One line naming the op and its shapes, for labels, captions and alt text.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> summary(make_spec(op="transposed", size=3, kernel=3, stride=2, padding=1))
    'Transposed convolution: 3x3 input, 3x3 kernel, stride 2, padding 1 -> 5x5 output'
    """
    if spec.is_upsampling:
        from .upsample_report import summary_upsampling

        text = summary_upsampling(spec)
        return f"{text}, {spec.frames} frames" if frames else text
    t, b, l, r = spec.padding
    if spec.padding_form in ("valid", "same", "full"):
        padding = spec.padding_form
    elif t == b == l == r:
        padding = str(t)
    elif t == b and l == r:
        padding = f"{t}x{l}"
    else:
        padding = f"[{t}, {b}, {l}, {r}]"
    parts = [f"{_x(spec.input_size)} input", f"{_x(spec.kernel_size)} kernel",
             f"stride {_axes(spec.stride)}"]
    if spec.channels:  # channel mode: the stacks' shapes and the groups (issue 15)
        parts[:2] = [f"{_x((spec.in_channels, *spec.input_size))} input",
                     *([] if spec.is_pool else [f"{_x(spec.weight_shape)} weights"]),
                     *([f"groups {spec.groups}"] if spec.groups > 1 and not spec.is_pool
                       else [])]
        if spec.is_pool:
            parts.insert(1, f"{_x(spec.kernel_size)} window")
    if spec.dilation != (1, 1):
        parts.append(f"dilation {_axes(spec.dilation)}")
    parts.append(f"padding {padding}")
    if spec.output_padding != (0, 0):
        parts.append(f"output_padding {_axes(spec.output_padding)}")
    out = spec.output_shape if spec.channels else spec.output_size
    text = f"{_OP_NAMES[spec.op].capitalize()}: {', '.join(parts)} -> {_x(out)} output"
    return f"{text}, {frame_count(spec.frames)} frames" if frames else text


def format_value(value: float) -> str:
    """A number as a figure shows it: ints as ints, others to 2 significant digits.

    Examples
    --------
    >>> [format_value(v) for v in (3.0, -2.0, 0.25, 1.2345, -0.5, 99.5, 123.4)]
    ['3', '-2', '0.25', '1.2', '-0.5', '100', '123']
    """
    value = float(value)
    if value.is_integer() and abs(value) < 1e9:
        return str(int(value))
    if abs(value) >= 99.5:  # 2 significant digits would turn 99.5 into 1e+02
        return str(round(value))
    return f"{value:.2g}"


def chain_json(stages: Sequence[Spec], *, name: str | None = None, steps: bool = False,
               with_matrix: bool = False) -> dict[str, Any]:
    """``info --json`` of a chain: one object per stage (the keys of :func:`as_json`)
    under ``"stages"``, and the chain's final ``output_size`` and ``output``.

    Examples
    --------
    >>> from deconv_anim import resolve_config
    >>> config = resolve_config({"size": 4, "stages": [
    ...     {"op": "conv", "kernel": 3, "weights": [[1] * 3] * 3},
    ...     {"op": "transposed", "kernel": 2, "weights": [[1, 1], [1, 1]]}],
    ...     "input": [[1] * 4] * 4})
    >>> info = chain_json(config.stages)
    >>> [s["output_size"] for s in info["stages"]], info["output"]
    ([[2, 2], [3, 3]], [[9, 18, 9], [18, 36, 18], [9, 18, 9]])
    """
    objects = [as_json(spec, steps=steps, with_matrix=with_matrix) for spec in stages]
    for obj in objects:
        del obj["name"]
    last = stages[-1]
    return {"name": name, "stages": objects,
            "input_size": list(stages[0].input_size),
            "output_size": list(last.output_size),
            **({"output_shape": list(last.output_shape)} if last.channels else {}),
            "step_count": sum(spec.frames for spec in stages),
            "frames": frame_count(sum(spec.frames for spec in stages)),  # and the final one
            "output": objects[-1]["output"]}


def describe_chain(stages: Sequence[Spec], *, name: str | None = None) -> str:
    """The arithmetic of each stage of a chain, one block per stage (``info``)."""
    first, last = stages[0], stages[-1]
    shape_in = (first.in_channels, *first.input_size) if first.channels else first.input_size
    shape_out = last.output_shape if last.channels else last.output_size
    total = sum(spec.frames for spec in stages)
    prefix = f"{name}: " if name else ""
    lines = [f"{prefix}chain of {len(stages)} stages: {_x(shape_in)} input -> "
             f"{_x(shape_out)} output, {total} steps, {frame_count(total)} frames (the "
             "stages' steps one after another, then the finished output, held)"]
    for n, spec in enumerate(stages):
        block = describe(spec, name=f"stage {n + 1}/{len(stages)}").splitlines()
        lines += [f"  {block[0]}", *(f"  {line}" for line in block[1:])]
    return "\n".join(lines)
