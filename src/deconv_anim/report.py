"""What ``deconv-anim info`` prints: the arithmetic of a spec in words, or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .spec import Spec

if TYPE_CHECKING:
    import numpy as np

__all__ = ["describe", "as_json"]

_OP_NAMES = {"conv": "convolution", "transposed": "transposed convolution",
             "maxpool": "max pooling", "avgpool": "average pooling"}


def number(value: float) -> int | float:
    """A float as JSON wants it: integral values as ints."""
    value = float(value)
    return int(value) if value.is_integer() else value


def matrix(array: np.ndarray) -> list[list[int | float]]:
    return [[number(v) for v in row] for row in array]


def _x(pair: tuple[int, ...]) -> str:
    return "x".join(str(v) for v in pair)


def as_json(spec: Spec, *, name: str | None = None, steps: bool = False) -> dict[str, Any]:
    """The spec's numbers as a JSON-ready dict (the keys of ``info --json``).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> info = as_json(make_spec(op="conv", size=4, kernel=3, weights=[[1] * 3] * 3,
    ...                          input=[[1] * 4] * 4))
    >>> info["output_size"], info["frames"], info["output"]
    ([2, 2], 4, [[9, 9], [9, 9]])
    """
    from .engine import compute, gather_weights, trace  # (NumPy: describe() needs neither)

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
        "frames": spec.frames,
        "input": matrix(spec.input),
        "weights": matrix(spec.weights),
        "output": matrix(out),
    }
    if spec.op == "avgpool":
        info["count_include_pad"] = spec.count_include_pad
    if spec.is_transposed:
        g = spec.gather
        info["equivalent"] = {
            "spread_size": list(g.spread_size),
            "spacing": list(g.spacing),
            "padding": list(g.padding),
            "stride": list(g.stride),
            "dilation": list(g.dilation),
            "kernel": matrix(gather_weights(spec)),
        }
    if steps:
        views = ("gather", "scatter") if spec.view == "both" else (spec.view,)
        for view in views:
            key = "steps" if len(views) == 1 else f"steps_{view}"
            info[key] = [
                {"cell": list(step.cell), "window": list(step.window),
                 "value": number(step.value), "taps": step.taps.tolist()}
                for step in trace(spec, view)
            ]
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
      frames: 9 (one per output cell)
    """
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
        else:
            lines.append(f"  {label} out = floor(({n} + {t} + {b} - {ke}) / {s}) + 1 = {out}"
                         f"{keff_text}")
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
    if spec.view == "both":
        lines.append(f"  frames: {spec.frames} (gather: {spec.steps('gather')} output cells, "
                     f"scatter: {spec.steps('scatter')} input cells, drawn side by side)")
    elif spec.view == "scatter":
        lines.append(f"  frames: {spec.frames} (one per input cell, each stamping x * w onto "
                     "the output)")
    else:
        lines.append(f"  frames: {spec.frames} (one per output cell)")
    return "\n".join(lines)


def _headline(spec: Spec, name: str | None) -> str:
    parts = [f"{_x(spec.input_size)} input", f"{_x(spec.kernel_size)} kernel",
             f"stride {_x(spec.stride)}"]
    if spec.dilation != (1, 1):
        parts.append(f"dilation {_x(spec.dilation)}")
    form = "" if spec.padding_form == "explicit" else f"{spec.padding_form} "
    parts.append(f"padding {form}[t, b, l, r] = {list(spec.padding)}")
    if spec.is_transposed:
        parts.append(f"output_padding {_x(spec.output_padding)}")
    if spec.op == "avgpool":
        parts.append(f"count_include_pad {str(spec.count_include_pad).lower()}")
    prefix = f"{name}: " if name else ""
    return (f"{prefix}{_OP_NAMES[spec.op]}: {', '.join(parts)} -> "
            f"{_x(spec.output_size)} output")


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
    if spec.dilation != (1, 1):
        parts.append(f"dilation {_axes(spec.dilation)}")
    parts.append(f"padding {padding}")
    if spec.output_padding != (0, 0):
        parts.append(f"output_padding {_axes(spec.output_padding)}")
    text = (f"{_OP_NAMES[spec.op].capitalize()}: {', '.join(parts)} -> "
            f"{_x(spec.output_size)} output")
    return f"{text}, {spec.frames} frames" if frames else text


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
