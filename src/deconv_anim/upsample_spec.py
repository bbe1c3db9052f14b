"""The upsampling ops of a config, validated: ``op: upsample`` (PyTorch's ``F.interpolate``)
and ``op: pixel_shuffle`` (``nn.PixelShuffle``, or TensorFlow's ``depth_to_space``).

Each op's keys are one table (:data:`OP_KEYS`) and one function (:func:`make_upsampling_spec`,
which takes the op's keys as a mapping), so that a stage of a chain can validate its op
mapping the same way. Arithmetic on shapes only: no NumPy is imported here (the numbers
are :mod:`deconv_anim.upsampling`'s).

The window an upsample step draws is the block of input cells its interpolation may read:
1 cell per axis for ``nearest`` and ``nearest-exact``, 2 (the two neighbours, one of them
possibly with weight 0) for ``bilinear``, except on an axis of one input cell or one that
keeps its length (PyTorch copies it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import channels as _channels
from .errors import ConfigError
from .errors import show_value as _show
from .shapes import pair
from .values import MAX_CELLS, MAX_SIDE, Values, default_values, depth, matrix, ones, tensor
from .values import is_number as _is_number

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["UPSAMPLING_OPS", "MODES", "ORDERS", "OP_KEYS", "Resize", "Shuffle",
           "make_upsampling_spec", "check_not_upsampling"]

UPSAMPLING_OPS = ("upsample", "pixel_shuffle")
MODES = ("nearest", "nearest-exact", "bilinear")
ORDERS = ("torch", "tf")
MAX_SCALE = 64
MAX_FACTOR = 16

OP_KEYS: dict[str, frozenset[str]] = {
    # the keys each op takes (besides op); any other op key is refused, naming the op
    "upsample": frozenset({"size", "input", "seed", "mode", "scale", "output_size",
                           "align_corners", "in_channels", "step_by", "view"}),
    "pixel_shuffle": frozenset({"size", "input", "seed", "upscale_factor", "in_channels",
                                "order", "step_by", "view"}),
}

_WHY = {
    "upsample": "an upsample has no kernel, stride, padding or weights: it interpolates; "
                "give mode and scale or output_size",
    "pixel_shuffle": "a pixel shuffle only moves cells: give upscale_factor and in_channels",
}

UPSAMPLING_KEYS = ("mode", "scale", "align_corners", "upscale_factor", "order")
"""Keys of the upsampling ops that no other op takes."""

_OWNER = {"mode": "upsample", "scale": "upsample", "align_corners": "upsample",
          "upscale_factor": "pixel_shuffle", "order": "pixel_shuffle"}


@dataclass(frozen=True)
class Resize:
    """How an upsample interpolates: PyTorch's ``F.interpolate`` arguments."""

    mode: str
    align_corners: bool = False
    scale: tuple[float, float] | None = None
    """The scale factor per axis when the size came from one (PyTorch then places the
    sources with ``1 / scale``), else None (``output_size`` given: ``in / out``)."""


@dataclass(frozen=True)
class Shuffle:
    """How a pixel shuffle reads its channels."""

    factor: int
    order: str = "torch"


def check_not_upsampling(op: str, given: Mapping[str, Any]) -> None:
    """Refuse the upsampling keys on another op (one line naming the key and its op)."""
    for key in UPSAMPLING_KEYS:
        if given.get(key) is not None:
            raise ConfigError(key, f"is only for op: {_OWNER[key]} (got op: {op})")


def _word(key: str, value: Any, words: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in words:
        raise ConfigError(key, f"must be one of {', '.join(words)} (got {_show(value)})")
    return value.strip().lower()


def _scale(value: Any) -> tuple[float, float]:
    what = f"a number from above 0 to {MAX_SCALE}, or a pair [h, w] of them"
    parts = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(parts) != 2:
        raise ConfigError("scale", f"must be {what} (got {_show(value)})")
    for part in parts:
        if (isinstance(part, bool) or not _is_number(part)
                or not 0 < float(part) <= MAX_SCALE):
            raise ConfigError("scale", f"must be {what} (got {_show(value)})")
    h, w = (float(p) for p in parts)
    return h, w


def _window(n: int, m: int, mode: str) -> int:
    """Input cells per axis an output cell's window spans."""
    return 2 if mode == "bilinear" and n > 1 and m != n else 1


def _shape_values(key: str, value: Any, op: str, in_channels: Any) -> tuple[Any, str | None]:
    """A 2-D or 3-D ``input`` as an array, and the key that turned channel mode on."""
    if value is None:
        return None, "in_channels" if in_channels is not None else None
    if depth(value) > 2:
        return tensor(key, value, 3), "input"
    x = matrix(key, value)
    if in_channels is not None:
        return x.reshape((1, *x.shape)), "in_channels"
    return x, None


def make_upsampling_spec(op: str, given: Mapping[str, Any]) -> Spec:
    """Validate the keys of an ``upsample`` or ``pixel_shuffle`` op (``given``: its keys,
    None for not given) and make its :class:`~deconv_anim.spec.Spec`.

    Raises
    ------
    ConfigError
        Naming the key and the rule, e.g. ``scale: give scale or output_size, not both``.

    Examples
    --------
    >>> spec = make_upsampling_spec("upsample", {"size": 3, "scale": 2, "mode": "bilinear"})
    >>> spec.output_size, spec.kernel_size, spec.resize.mode
    ((6, 6), (2, 2), 'bilinear')
    >>> make_upsampling_spec("pixel_shuffle", {"size": 3, "in_channels": 8,
    ...                                        "upscale_factor": 2}).output_shape
    (2, 6, 6)
    """
    from .spec import MAX_FRAMES, MAX_SEED, Spec

    given = {key: value for key, value in given.items() if value is not None}
    for key in given:
        if key not in OP_KEYS[op] and key != "op":
            raise ConfigError(key, f"is not used by op: {op} ({_WHY[op]})")
    view = _word("view", given.get("view", "gather"), ("gather", "scatter", "both"))
    if view != "gather":
        raise ConfigError("view", f"{view} is only for op: transposed (a {op} only gathers)")
    seed = given.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"must be an integer from 0 to {MAX_SEED} (got {_show(seed)})")
    in_channels = given.get("in_channels")
    values, mode_key = _shape_values("input", given.get("input"), op, in_channels)
    if op == "pixel_shuffle" and mode_key is None:
        mode_key = "in_channels"
        if values is not None:
            values = values.reshape((1, *values.shape))
    step = _channels.check_step_by(given.get("step_by"), mode_key)
    x_shape = None if values is None else tuple(values.shape[-2:])
    if "size" in given:
        size = pair("size", given["size"])
    elif x_shape is not None:
        size = (int(x_shape[0]), int(x_shape[1]))
    else:
        raise ConfigError("size", "is required unless input: values are given")
    if x_shape is not None and x_shape != size:
        raise ConfigError("input", f"has shape {x_shape[0]}x{x_shape[1]} but size says "
                                   f"{size[0]}x{size[1]}")
    if size[0] * size[1] > MAX_CELLS:
        raise ConfigError("size", f"is too large ({size[0]}x{size[1]}; at most {MAX_CELLS} "
                                  "cells)")
    c_in = 1
    if mode_key is not None:
        claims = [] if in_channels is None else [("in_channels", _channels._count(
            "in_channels", in_channels))]
        if values is not None and values.ndim == 3:
            claims.append(("input", values.shape[0]))
        if len(claims) == 2 and claims[0][1] != claims[1][1]:
            raise ConfigError("input", f"has {claims[1][1]} channels but in_channels says "
                                       f"{claims[0][1]}")
        c_in = claims[0][1] if claims else 1

    resize = shuffle = None
    if op == "upsample":
        mode = _word("mode", given.get("mode", "nearest"), MODES)
        align = given.get("align_corners")
        if align is not None:
            if not isinstance(align, bool):
                raise ConfigError("align_corners", f"must be true or false (got {_show(align)})")
            if mode != "bilinear":
                raise ConfigError("align_corners", f"is only for mode: bilinear (got mode: "
                                                   f"{mode})")
        if "scale" in given and "output_size" in given:
            raise ConfigError("scale", "give scale or output_size, not both")
        scale = None
        if "scale" in given:
            scale = _scale(given["scale"])
            out = (math.floor(size[0] * scale[0]), math.floor(size[1] * scale[1]))
            if min(out) < 1:
                raise ConfigError("scale", f"gives an empty output ({out[0]}x{out[1]}: "
                                           f"floor(size * scale) must be at least 1)")
        elif "output_size" in given:
            out = pair("output_size", given["output_size"])
        else:
            raise ConfigError("scale", "op: upsample needs scale (a factor) or output_size "
                                       "(the target size)")
        resize = Resize(mode, bool(align), scale)
        kernel = (_window(size[0], out[0], mode), _window(size[1], out[1], mode))
        c_out = c_in
    else:
        if "upscale_factor" not in given:
            raise ConfigError("upscale_factor", "op: pixel_shuffle needs upscale_factor r "
                                                "(in_channels = C * r * r)")
        r = given["upscale_factor"]
        if isinstance(r, bool) or not isinstance(r, int) or not 1 <= r <= MAX_FACTOR:
            raise ConfigError("upscale_factor", f"must be an integer from 1 to {MAX_FACTOR} "
                                                f"(got {_show(r)})")
        order = _word("order", given.get("order", "torch"), ORDERS)
        key = "in_channels" if in_channels is not None else "input"
        if c_in % (r * r):
            raise ConfigError(key, f"must be a multiple of upscale_factor\u00b2 = {r * r} "
                                   f"(C * r * r input channels make C output channels; got "
                                   f"{c_in})")
        shuffle = Shuffle(r, order)
        out = (size[0] * r, size[1] * r)
        kernel = (1, 1)
        c_out = c_in // (r * r)
    if out[0] * out[1] > MAX_CELLS or max(out) > MAX_SIDE:
        raise ConfigError("output_size" if "output_size" in given else "size", (
            f"gives an output too large ({out[0]}x{out[1]}; at most {MAX_SIDE} per side and "
            f"{MAX_CELLS} cells)"))
    for key, shape in (("in_channels", (c_in, *size)), ("in_channels", (c_out, *out))):
        if shape[0] * shape[1] * shape[2] > MAX_CELLS:
            raise ConfigError(key, f"makes {shape[0]}x{shape[1]}x{shape[2]} values, more "
                                   f"than {MAX_CELLS}")
    channels = mode_key is not None
    if values is not None:
        inputs: Any = values
    elif channels:
        inputs = Values(default_values, (seed, (c_in, *size), 0, 4))
    else:
        inputs = Values(default_values, (seed, size, 0, 4))
    weights = Values(ones, (((c_out, 1) if channels else ()) + kernel,))
    spec = Spec(op=op, input_size=size, kernel_size=kernel, stride=(1, 1), dilation=(1, 1),
                padding=(0, 0, 0, 0), padding_form="valid", output_padding=(0, 0),
                output_size=out, view="gather", input_values=inputs, weight_values=weights,
                channels=channels, in_channels=c_in, out_channels=c_out,
                groups=c_out if channels else 1, step_by=step or "element",
                channels_from=mode_key, resize=resize, shuffle=shuffle)
    if step is None and spec.frames > MAX_FRAMES:
        from dataclasses import replace

        spec = replace(spec, step_by="channel")
    return spec
