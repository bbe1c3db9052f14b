"""Channels and groups: when a config is in channel mode, how many channels it has, which
input channels each output channel reads, and what the layer costs.

The rules are PyTorch's (``conv2d`` / ``conv_transpose2d`` with ``groups``): both channel
counts are divisible by ``groups``; group ``g`` maps input channels
``g * C_in/groups .. (g + 1) * C_in/groups - 1`` to output channels
``g * C_out/groups .. (g + 1) * C_out/groups - 1``; the weights are
``[C_out][C_in/groups][kH][kW]`` for a convolution and ``[C_in][C_out/groups][kH][kW]`` for
a transposed one. Pools are channel-wise: every channel is pooled on its own. Everything
here is arithmetic on counts and shapes; see ``docs/config.md`` (Channels) for the user's
description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .errors import show_value as _show
from .values import (
    MAX_CELLS,
    MAX_SIDE,
    Values,
    default_values,
    depth,
    is_int,
    matrix,
    ones,
    tensor,
    vector,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["STEP_BY", "mode_key", "resolve", "ChannelCounts", "check_step_by", "check_sizes",
           "make_values", "params", "macs", "group_lines", "channel_range"]

STEP_BY = ("element", "channel")
POOLS = ("maxpool", "avgpool")
MAX_WORK = 1 << 28  # multiply-adds (or pooled taps) of one op, zeros of a spread input included


def mode_key(*, in_channels: Any, out_channels: Any, groups: Any, bias: Any, input: Any,
             weights: Any) -> str | None:
    """The key that turns channel mode on, or None: any of ``in_channels``,
    ``out_channels``, ``groups``, a ``bias`` (not ``false``), a 3-D ``input`` or a
    ``weights`` of more than 2 axes.

    Examples
    --------
    >>> mode_key(in_channels=None, out_channels=None, groups=None, bias=None,
    ...          input=[[[1, 2]], [[3, 4]]], weights=None)
    'input'
    """
    for key, value in (("in_channels", in_channels), ("out_channels", out_channels),
                       ("groups", groups)):
        if value is not None:
            return key
    if bias is not None and bias is not False:
        return "bias"
    if input is not None and depth(input) > 2:
        return "input"
    if weights is not None and depth(weights) > 2:
        return "weights"
    return None


def _channels(count: int, what: str = "") -> str:
    """``1 channel``, ``3 input channels``."""
    return f"{count} {what}{'channel' if count == 1 else 'channels'}"


def _count(key: str, value: Any) -> int:
    if not is_int(value) or value < 1:
        raise ConfigError(key, f"must be a positive integer (got {_show(value)})")
    if value > MAX_SIDE:
        raise ConfigError(key, f"must be at most {MAX_SIDE} (got {value})")
    return int(value)


def _values(key: str, value: Any, levels: int, layout: str) -> np.ndarray:
    """A 2-D list, or a list of ``levels`` axes, as an array of ``levels`` axes."""
    found = depth(value)
    if found <= 2:
        array = matrix(key, value)
        return array.reshape((1,) * (levels - 2) + array.shape)
    if found != levels:
        raise ConfigError(key, f"must be a 2-D list or a {levels}-D list {layout} "
                               f"(got a {found}-D list)")
    return tensor(key, value, levels)


@dataclass(frozen=True)
class _Claim:
    """What one key or value says about a channel count."""

    key: str
    count: int
    has: str  # "has 3 channels"
    says: str  # "input has 3 channels"


def _agree(claims: list[_Claim]) -> int | None:
    for claim in claims[1:]:
        if claim.count != claims[0].count:
            raise ConfigError(claim.key, f"{claim.has} but {claims[0].says}")
    return claims[0].count if claims else None


@dataclass(frozen=True)
class ChannelCounts:
    """The resolved channel mode of a config: counts and the values as 3-D / 4-D arrays."""

    in_channels: int
    out_channels: int
    groups: int
    input: np.ndarray | None
    """[C_in][H][W], or None for seeded values."""
    weights: np.ndarray | None
    """PyTorch's layout, or None for seeded values (and for pools)."""


def _layout(op: str) -> str:
    return ("[out_channels][in_channels / groups][kH][kW]" if op == "conv"
            else "[in_channels][out_channels / groups][kH][kW]")


def resolve(op: str, *, in_channels: Any, out_channels: Any, groups: Any, input: Any,
            weights: Any) -> ChannelCounts:
    """Check the channel keys and values of ``op`` against each other and fill the counts
    the keys leave out from the values' shapes (``groups`` from the weights' second axis).

    Examples
    --------
    >>> c = resolve("conv", in_channels=None, out_channels=None, groups=None,
    ...             input=[[[1]], [[2]], [[3]], [[4]]], weights=[[[[1]]]] * 4)
    >>> c.in_channels, c.out_channels, c.groups  # 4 channels, 1 per group: depthwise
    (4, 4, 4)
    """
    x = None if input is None else _values("input", input, 3, "[in_channels][H][W]")
    w = None if weights is None else _values("weights", weights, 4, _layout(op))
    claims_in: list[_Claim] = []
    if in_channels is not None:
        n = _count("in_channels", in_channels)
        claims_in.append(_Claim("in_channels", n, "", f"in_channels says {n}"))
    if x is not None:
        n = x.shape[0]
        has = f"has {_channels(n)}" if depth(input) > 2 else "is a 2-D list (1 channel)"
        claims_in.append(_Claim("input", n, has, f"input has {_channels(n)}"))
    if op in POOLS:
        for key, value in (("out_channels", out_channels), ("groups", groups)):
            if value is not None:
                raise ConfigError(key, f"is not used by op: {op} (a pool is channel-wise: "
                                       "each of the in_channels is pooled on its own)")
        n = _agree(claims_in) or 1
        return ChannelCounts(n, n, n, x, None)
    claims_out: list[_Claim] = []
    if out_channels is not None:
        n = _count("out_channels", out_channels)
        claims_out.append(_Claim("out_channels", n, "", f"out_channels says {n}"))
    per = None
    if w is not None:
        first, per = w.shape[0], w.shape[1]
        side = "output" if op == "conv" else "input"
        has = (f"has {_channels(first, side + ' ')} (its first axis, {_layout(op)})"
               if depth(weights) > 2 else f"is a 2-D list (one kernel: 1 {side} channel)")
        claim = _Claim("weights", first, has, f"weights have {first}")
        (claims_out if op == "conv" else claims_in).append(claim)
    c_in, c_out = _agree(claims_in), _agree(claims_out)
    total = c_in if op == "conv" else c_out
    if groups is not None:
        g = _count("groups", groups)
    elif per is not None and total is not None:
        if total % per:
            side = "in" if op == "conv" else "out"
            raise ConfigError("weights", f"has {_channels(per, side + 'put ')} per group (its "
                                         f"second axis) but {side}_channels is {total}, not "
                                         "a multiple of it")
        g = total // per
    else:
        g = 1
    if c_in is None:
        c_in = g * per if op == "conv" and per is not None else 1
    if c_out is None:
        c_out = g * per if op == "transposed" and per is not None else 1
    if c_in % g or c_out % g:
        raise ConfigError("groups", f"must divide both in_channels ({c_in}) and out_channels "
                                    f"({c_out}) (got {g}; PyTorch's rule)")
    if w is not None:
        lead = (c_out, c_in // g) if op == "conv" else (c_in, c_out // g)
        if tuple(w.shape[:2]) != lead:
            want = "x".join(str(n) for n in (*lead, *w.shape[2:]))
            raise ConfigError("weights", f"has shape {'x'.join(map(str, w.shape))} but with "
                                         f"in_channels {c_in}, out_channels {c_out}, groups "
                                         f"{g} it must be {_layout(op)} = {want}")
    return ChannelCounts(c_in, c_out, g, x, w)


def check_step_by(value: Any, mode: str | None) -> str | None:
    """The ``step_by`` word, or None when not given; only channel mode has it."""
    if value is None:
        return None
    if mode is None:
        raise ConfigError("step_by", "is only for channel mode (set in_channels, out_channels "
                                     "or groups)")
    if not isinstance(value, str) or value.strip().lower() not in STEP_BY:
        raise ConfigError("step_by", f"must be one of {', '.join(STEP_BY)} "
                                     f"(got {_show(value)})")
    return value.strip().lower()


def _x(shape: tuple[int, ...]) -> str:
    return "x".join(str(n) for n in shape)


def check_sizes(c_in: int, c_out: int, g: int, size: tuple[int, int],
                kernel: tuple[int, int], out: tuple[int, int]) -> None:
    """Refuse channel stacks too large to compute, from arithmetic alone.

    Only where values are computed (``Spec.input``, ``Spec.weights``, ``Spec.bias`` call it
    first): a spec of any size is made, described and counted (``info`` in words).

    >>> try:
    ...     check_sizes(512, 512, 1, (128, 128), (4, 4), (256, 256))
    ... except ConfigError as error:
    ...     print(error)
    in_channels: makes the input 512x128x128 = 8388608 values, more than 1048576
    """
    for key, shape in (("in_channels", (c_in, *size)), ("out_channels", (c_out, *out))):
        if shape[0] * shape[1] * shape[2] > MAX_CELLS:
            side = "input" if key == "in_channels" else "output"
            raise ConfigError(key, f"makes the {side} {_x(shape)} = "
                                   f"{shape[0] * shape[1] * shape[2]} values, more than "
                                   f"{MAX_CELLS}")
    count = c_in * c_out // g * kernel[0] * kernel[1]
    if count > MAX_CELLS:
        raise ConfigError("weights", f"would hold {count} values, more than {MAX_CELLS}")
    # the gather form slides every output cell's window over its group's input channels
    work = c_out * out[0] * out[1] * (c_in // g) * kernel[0] * kernel[1]
    if work > MAX_WORK:
        raise ConfigError("size", f"with these channels takes {work} multiply-adds, more than "
                                  f"{MAX_WORK}")


def make_values(op: str, counts: ChannelCounts, seed: int, size: tuple[int, int],
                kernel: tuple[int, int], bias: Any) -> tuple[Any, Any, Any]:
    """(input, weights, bias) of channel mode: the given arrays, or seeded values made on
    first use (input integers 0..3, weights and bias 0..2, each its own stream)."""
    c_in, c_out, g = counts.in_channels, counts.out_channels, counts.groups
    inputs = (Values(default_values, (seed, (c_in, *size), 0, 4)) if counts.input is None
              else counts.input)
    lead = (c_out, c_in // g) if op == "conv" else (c_in, c_out // g)
    if op in POOLS:
        weights: Any = Values(ones, ((c_in, 1, *kernel),))
    elif counts.weights is None:
        weights = Values(default_values, (seed, (*lead, *kernel), 1, 3))
    else:
        weights = counts.weights
    if bias is None or bias is False:
        return inputs, weights, None
    if op in POOLS:
        raise ConfigError("bias", f"is not used by op: {op} (a pool has no weights)")
    if bias is True:
        return inputs, weights, Values(default_values, (seed, (c_out,), 2, 3))
    return inputs, weights, vector("bias", bias, c_out, "out_channels")


def params(op: str, c_in: int, c_out: int, groups: int, kernel: tuple[int, int],
           bias: bool) -> int:
    """Learned numbers: the weights plus the bias (0 for a pool).

    Examples
    --------
    >>> params("transposed", 64, 32, 1, (4, 4), True)  # ConvTranspose2d(64, 32, 4, 2, 1)
    32800
    """
    if op in (*POOLS, "upsample", "pixel_shuffle"):
        return 0
    return c_in * c_out // groups * kernel[0] * kernel[1] + (c_out if bias else 0)


def macs(op: str, c_in: int, c_out: int, groups: int, kernel: tuple[int, int],
         input_size: tuple[int, int], output_size: tuple[int, int]) -> int:
    """Multiply-adds, taps on padding included, bias adds not (0 for a pool).

    A convolution: ``C_out * H_out * W_out * (C_in / groups) * kH * kW``; a transposed one:
    every input cell times every tap it stamps, ``C_in * H_in * W_in * (C_out / groups) *
    kH * kW``.

    Examples
    --------
    >>> macs("conv", 3, 2, 1, (3, 3), (5, 5), (3, 3))
    486
    """
    taps = kernel[0] * kernel[1]
    if op == "conv":
        return c_out * output_size[0] * output_size[1] * (c_in // groups) * taps
    if op == "transposed":
        return c_in * input_size[0] * input_size[1] * (c_out // groups) * taps
    return 0


def channel_range(channels: range) -> str:
    """``0-1`` for channels 0 and 1, ``2`` for channel 2 alone."""
    first, last = channels[0], channels[-1]
    return str(first) if first == last else f"{first}-{last}"


def group_lines(c_in: int, c_out: int, groups: int, shown: int = 8) -> list[str]:
    """How the groups split the channels, one line per group (the first 3, an ellipsis and
    the last when there are more than ``shown``).

    Examples
    --------
    >>> for line in group_lines(4, 2, 2):
    ...     print(line)
    group 0: input channels 0-1 -> output channel 0
    group 1: input channels 2-3 -> output channel 1
    """
    def line(g: int) -> str:
        ins = range(g * (c_in // groups), (g + 1) * (c_in // groups))
        outs = range(g * (c_out // groups), (g + 1) * (c_out // groups))
        word_in = "channels" if len(ins) > 1 else "channel"
        word_out = "channels" if len(outs) > 1 else "channel"
        return (f"group {g}: input {word_in} {channel_range(ins)} -> output {word_out} "
                f"{channel_range(outs)}")

    if groups <= shown:
        return [line(g) for g in range(groups)]
    return [*(line(g) for g in range(3)), f"... ({groups - 4} more groups alike)",
            line(groups - 1)]
