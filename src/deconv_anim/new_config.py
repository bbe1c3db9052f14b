"""``deconv-anim new NAME.yaml``: a config to edit, every key the op uses written out with
its current value and a one-line comment (the help of :data:`deconv_anim.config.KEYS`).

The text loads back to the same spec: sizes are written resolved (``[H, W]``), padding as
its word (``same``) or as ``[top, bottom, left, right]``, a transposed op's extra rows as
``output_padding`` (or ``output_size`` with ``padding: same``, whose output_padding means
Keras' rule).
"""

from __future__ import annotations

import json
from typing import Any

from .config import KEYS, Config
from .spec import Spec

__all__ = ["commented_config"]


def _value(value: Any) -> str:
    """A value as YAML flow text (JSON is YAML)."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, str):
        return value if value.replace("_", "").isalnum() else json.dumps(value)
    return json.dumps(value)


def _nested(array: Any) -> Any:
    """An array (any number of axes) as nested lists, whole numbers as ints."""
    if getattr(array, "ndim", 0) == 0:
        value = float(array)
        return int(value) if value.is_integer() else value
    return [_nested(item) for item in array]


def _upsampling_keys(spec: Spec) -> dict[str, Any]:
    """The keys of an ``upsample`` or ``pixel_shuffle`` (the keys each takes, resolved)."""
    from .values import Values as _Values

    keys: dict[str, Any] = {"op": spec.op, "size": spec.input_size}
    if spec.resize is not None:
        keys["mode"] = spec.resize.mode
        if spec.resize.scale is not None:
            keys["scale"] = [int(s) if float(s).is_integer() else s for s in spec.resize.scale]
        else:
            keys["output_size"] = spec.output_size
        if spec.resize.mode == "bilinear":
            keys["align_corners"] = spec.resize.align_corners
    if spec.shuffle is not None:
        keys.update(upscale_factor=spec.shuffle.factor, order=spec.shuffle.order)
    if spec.channels:
        keys.update(in_channels=spec.in_channels, step_by=spec.step_by)
    if isinstance(spec.input_values, _Values):
        keys["seed"] = spec.input_values.args[0]
    else:
        keys["input"] = _nested(spec.input)
    return keys


def _spec_keys(spec: Spec) -> dict[str, Any]:
    if spec.is_upsampling:
        return _upsampling_keys(spec)
    keys: dict[str, Any] = {"op": spec.op, "size": spec.input_size, "kernel": spec.kernel_size,
                            "stride": spec.stride}
    keys["padding"] = (list(spec.padding) if spec.padding_form == "explicit"
                       else spec.padding_form)
    if spec.op != "avgpool":
        keys["dilation"] = spec.dilation
    if spec.is_transposed:
        if spec.padding_form == "same":
            keys["output_size"] = spec.output_size
        else:
            keys["output_padding"] = spec.output_padding
    if spec.is_transposed or spec.view == "matrix":
        keys["view"] = spec.view
    if spec.op == "avgpool":
        keys["count_include_pad"] = spec.count_include_pad
    if spec.is_pool:
        keys["ceil_mode"] = spec.ceil_mode
    from .values import Values as _Values
    from .values import ones as _ones

    if spec.channels:  # channel mode (issue 15): its counts, bias and frames
        keys["in_channels"] = spec.in_channels
        if not spec.is_pool:
            keys.update(out_channels=spec.out_channels, groups=spec.groups)
        if spec.has_bias:
            keys["bias"] = (True if isinstance(spec.bias_values, _Values)
                            else _nested(spec.bias))
        keys["step_by"] = spec.step_by
    if not isinstance(spec.input_values, _Values):
        keys["input"] = _nested(spec.input)
    if not spec.is_pool and not isinstance(spec.weight_values, _Values):
        keys["weights"] = _nested(spec.weights)
    seeded = [v for v in (spec.input_values, spec.weight_values, spec.bias_values)
              if isinstance(v, _Values) and v.make is not _ones]
    if seeded:
        keys["seed"] = seeded[0].args[0]
    return keys


def commented_config(config: Config) -> str:
    """The YAML text of ``config``: a header, then ``# help`` and ``key: value`` per key.

    Examples
    --------
    >>> from deconv_anim.config import config_from_mapping
    >>> text = commented_config(config_from_mapping({"op": "maxpool", "size": 4, "kernel": 2}))
    >>> print(text.splitlines()[4])
    # conv, transposed, maxpool, avgpool, upsample or pixel_shuffle (required)
    >>> "ceil_mode: false" in text and "count_include_pad" not in text
    True
    """
    from .report import summary

    spec, render = config.spec, config.render
    lines = ["# deconv-anim config: edit the values, then",
             "#   deconv-anim render THIS.yaml   (or: deconv-anim info THIS.yaml)"]
    if config.call is not None:
        lines.append(f"# made from the {config.call.framework} call: {config.call.text}")
    lines += [f"# {summary(spec)}", ""]
    keys = _spec_keys(spec)
    keys["title"] = render.title or summary(spec)
    keys.update(values=render.values, labels=render.labels, duration=render.duration)
    if spec.is_transposed:
        keys["overlap"] = render.overlap
    for key, value in keys.items():
        lines += [f"# {KEYS[key].help}", f"{key}: {_value(value)}"]
    return "\n".join(lines) + "\n"
