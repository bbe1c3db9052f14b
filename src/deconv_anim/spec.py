"""The spec: one validated, frozen description of the op an animation computes.

Everything here is arithmetic on shapes; the numbers are computed by :mod:`deconv_anim.engine`.
The rules follow PyTorch (``conv2d``, ``conv_transpose2d``, ``output_padding``) and TensorFlow
(``tf.nn.conv2d``, ``tf.nn.conv2d_transpose`` with ``padding`` and ``output_shape``); see
``docs/config.md`` for the user-facing description of every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import channels as _channels
from .errors import ConfigError
from .errors import show_value as _show
from .shapes import (
    PADDING_WORDS,
    check_grid,
    conv_padding,
    pair,
    parse_padding,
    transposed_axis,
)
from .values import MAX_CELLS, MAX_SIDE, Values, default_values, made, matrix, ones
from .values import is_int as _is_int

if TYPE_CHECKING:
    import numpy as np

    from .upsample_spec import Resize, Shuffle

__all__ = ["Spec", "GatherConv", "make_spec", "OPS", "VIEWS", "PADDING_WORDS"]

Pair = tuple[int, int]
Quad = tuple[int, int, int, int]

OPS = ("conv", "transposed", "maxpool", "avgpool", "upsample", "pixel_shuffle")
POOL_OPS = ("maxpool", "avgpool")
UPSAMPLING_OPS = ("upsample", "pixel_shuffle")
VIEWS = ("gather", "scatter", "both", "matrix")

# MAX_SIDE and MAX_CELLS (from deconv_anim.values) bound every grid;
# the resource guard of a render (raised with --max-frames / --max-pixels)
MAX_FRAMES = 10_000
MAX_PIXELS = 40_000_000
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class GatherConv:
    """The stride-s (conv) or stride-1 (transposed) convolution drawn in the gather view.

    For a convolution this is the op itself. For a transposed convolution it is the
    equivalent convolution the seed article teaches: the input spread out with ``s - 1``
    zeros between cells, padded by ``k_eff - 1 - t`` on top and ``k_eff - 1 - b + a'`` at
    the bottom (likewise left and right; negative means the spread input is cropped), and
    convolved at stride 1 with the kernel rotated by 180 degrees.
    """

    spread_size: Pair
    """Size of the (spread) input before padding: ``(n - 1) * s + 1`` per axis."""
    spacing: Pair
    """Distance between two input cells on the spread grid (1 for a convolution)."""
    padding: Quad
    """[top, bottom, left, right]; negative entries crop the spread input."""
    stride: Pair
    dilation: Pair
    kernel_size: Pair
    output_size: Pair
    rotated: bool
    """True when the window applies the kernel rotated by 180 degrees."""

    @property
    def grid_size(self) -> Pair:
        """Size of the padded (or cropped) grid the window slides over."""
        t, b, l, r = self.padding
        return self.spread_size[0] + t + b, self.spread_size[1] + l + r


@dataclass(frozen=True)
class Spec:
    """One op, validated: every field is resolved to per-axis integers.

    Build it with :func:`make_spec` (or :func:`deconv_anim.load_config`); the constructor
    trusts its arguments.
    """

    op: str
    input_size: Pair
    kernel_size: Pair
    stride: Pair
    dilation: Pair
    padding: Quad
    """Resolved padding of the forward convolution, [top, bottom, left, right]."""
    padding_form: str
    """How padding was given: ``valid``, ``same``, ``full`` or ``explicit``."""
    output_padding: Pair
    """Effective extra rows/columns a' at the bottom/right (transposed ops; else 0)."""
    output_size: Pair
    view: str
    input_values: np.ndarray | Values = field(repr=False, compare=False)
    weight_values: np.ndarray | Values = field(repr=False, compare=False)
    count_include_pad: bool = True
    ceil_mode: bool = False
    """Pools: PyTorch's ``ceil_mode`` (the last window may overhang the padded input)."""
    # channel mode (see deconv_anim.channels); off, a spec is one 2-D grid in, one out
    channels: bool = False
    """Channel mode: input [C_in][H][W], weights 4-D (PyTorch's layout), output
    [C_out][H_out][W_out]. Off: 2-D input, weights and output, exactly as without channels."""
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    """Channel groups; for a pool (channel-wise) it is ``in_channels``: one group per channel."""
    bias_values: np.ndarray | Values | None = field(default=None, repr=False, compare=False)
    has_bias: bool = False
    step_by: str = "element"
    """``element``: one step per output (or, scattering, input) element, channel-major;
    ``channel``: one step per output (input) channel plane."""
    channels_from: str | None = field(default=None, compare=False)
    """The config key that turned channel mode on (for messages)."""
    resize: Resize | None = None
    """``op: upsample``: how it interpolates (see :mod:`deconv_anim.upsample_spec`)."""
    shuffle: Shuffle | None = None
    """``op: pixel_shuffle``: its upscale factor and channel order."""

    def check_values(self) -> None:
        """Refuse, from arithmetic alone, a channel stack too large to compute (more than
        2^20 values in the input, the output or the weights, or 2^28 multiply-adds; see
        :func:`deconv_anim.channels.check_sizes`). A spec of any size can be made and
        described; its values are computed only after this check (the value properties
        call it first).

        Raises
        ------
        ConfigError
            ``in_channels: makes the input 512x128x128 = 8388608 values, more than 1048576``
            (or ``out_channels``, ``weights``, ``size``).
        """
        if self.channels:
            _channels.check_sizes(self.in_channels, self.out_channels, self.groups,
                                  self.input_size, self.kernel_size, self.output_size)

    @cached_property
    def input(self) -> np.ndarray:
        """The input values (read-only float64), made on first use: [H][W], or
        [C_in][H][W] in channel mode (after :meth:`check_values`)."""
        self.check_values()
        return made(self.input_values)

    @cached_property
    def weights(self) -> np.ndarray:
        """The kernel's values (ones for a pool; read-only float64), made on first use:
        [kH][kW], or in channel mode :attr:`weight_shape` (after :meth:`check_values`)."""
        self.check_values()
        return made(self.weight_values)

    @cached_property
    def bias(self) -> np.ndarray | None:
        """The bias, one number per output channel, or None (channel mode only)."""
        self.check_values()
        return None if self.bias_values is None else made(self.bias_values)

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    def group_inputs(self, group: int) -> range:
        """The input channels of a group."""
        return range(group * self.in_per_group, (group + 1) * self.in_per_group)

    def group_outputs(self, group: int) -> range:
        """The output channels of a group."""
        return range(group * self.out_per_group, (group + 1) * self.out_per_group)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """PyTorch's layout: conv ``[C_out][C_in/groups][kH][kW]``, transposed
        ``[C_in][C_out/groups][kH][kW]``, pool ``[C][1][kH][kW]`` (its window of ones)."""
        lead = ((self.in_channels, self.out_per_group) if self.is_transposed
                else (self.out_channels, self.in_per_group))
        return (*lead, *self.kernel_size)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(C_out, H_out, W_out)``."""
        return (self.out_channels, *self.output_size)

    @property
    def params(self) -> int:
        """Weights plus bias (0 for a pool)."""
        return _channels.params(self.op, self.in_channels, self.out_channels, self.groups,
                                self.kernel_size, self.has_bias)

    @property
    def macs(self) -> int:
        """Multiply-adds, taps on padding included, bias adds not (see
        :func:`deconv_anim.channels.macs`)."""
        return _channels.macs(self.op, self.in_channels, self.out_channels, self.groups,
                              self.kernel_size, self.input_size, self.output_size)

    @property
    def k_eff(self) -> Pair:
        """Dilated kernel extent ``(k - 1) * d + 1`` per axis."""
        return tuple(  # type: ignore[return-value]
            (k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation, strict=False)
        )

    @property
    def is_transposed(self) -> bool:
        return self.op == "transposed"

    @property
    def is_pool(self) -> bool:
        return self.op in POOL_OPS

    @property
    def is_upsampling(self) -> bool:
        """``upsample`` or ``pixel_shuffle``: no kernel of weights; each output cell reads
        input cells by a rule (interpolation weights, or one moved cell)."""
        return self.op in UPSAMPLING_OPS

    @property
    def gather(self) -> GatherConv:
        """The convolution the gather view draws (see :class:`GatherConv`)."""
        if not self.is_transposed:
            return GatherConv(self.input_size, (1, 1), self.padding_with_overhang, self.stride,
                              self.dilation, self.kernel_size, self.output_size, False)
        t, b, l, r = self.padding
        (kh, kw), (ah, aw) = self.k_eff, self.output_padding
        spread = tuple((n - 1) * s + 1 for n, s in zip(self.input_size, self.stride, strict=False))
        pad = (kh - 1 - t, kh - 1 - b + ah, kw - 1 - l, kw - 1 - r + aw)
        return GatherConv(spread, self.stride, pad, (1, 1), self.dilation,  # type: ignore[arg-type]
                          self.kernel_size, self.output_size, True)

    @property
    def overhang(self) -> Pair:
        """Cells the last window reaches past the bottom/right padding (``ceil_mode``)."""
        sides = zip(self.output_size, self.stride, self.k_eff, self.input_size, strict=False)
        return tuple(0 if self.is_transposed or self.is_upsampling else  # type: ignore[return-value]
                     max((o - 1) * s + k - n - sum(self.padding[2 * a: 2 * a + 2]), 0)
                     for a, (o, s, k, n) in enumerate(sides))

    @property
    def padding_with_overhang(self) -> Quad:
        t, b, l, r = self.padding
        return t, b + self.overhang[0], l, r + self.overhang[1]

    def steps(self, view: str | None = None, step_by: str | None = None) -> int:
        """Number of trace steps (animation frames) of one view.

        In channel mode: one per element of every channel, or with ``step_by: channel`` one
        per channel (output channels gathering, input channels scattering).
        """
        view = view or self.view
        size = self.input_size if view == "scatter" else self.output_size
        if not self.channels:
            return size[0] * size[1]
        planes = self.in_channels if view == "scatter" else self.out_channels
        return planes if (step_by or self.step_by) == "channel" else planes * size[0] * size[1]

    @property
    def frames(self) -> int:
        """Number of frames a render writes."""
        return self.frames_by(self.step_by)

    def frames_by(self, step_by: str) -> int:
        """Number of frames with one step per ``element`` or per ``channel``."""
        if self.view == "both":
            return max(self.steps("gather", step_by), self.steps("scatter", step_by))
        return self.steps(step_by=step_by)


def make_spec(
    *,
    op: Any,
    size: Any = None,
    kernel: Any = None,
    stride: Any = None,
    dilation: Any = None,
    padding: Any = None,
    output_padding: Any = None,
    output_size: Any = None,
    view: Any = None,
    input: Any = None,
    weights: Any = None,
    seed: Any = 0,
    count_include_pad: Any = None,
    ceil_mode: Any = None,
    in_channels: Any = None,
    out_channels: Any = None,
    groups: Any = None,
    bias: Any = None,
    step_by: Any = None,
    mode: Any = None,
    scale: Any = None,
    align_corners: Any = None,
    upscale_factor: Any = None,
    order: Any = None,
) -> Spec:
    """Validate the keys of one op and resolve its shapes.

    Parameters
    ----------
    op : {'conv', 'transposed', 'maxpool', 'avgpool', 'upsample', 'pixel_shuffle'}
        The operation. The upsampling ops take their own keys (``mode``, ``scale``,
        ``output_size``, ``align_corners``; ``upscale_factor``, ``order``), validated by
        :func:`deconv_anim.upsample_spec.make_upsampling_spec`.
    size, kernel, stride, dilation : int or [int, int]
        Input size, kernel size, stride (default 1; the kernel size for pools) and dilation.
        ``size`` may be omitted when ``input`` is given, ``kernel`` when ``weights`` is.
    padding : 'valid', 'same', 'full', int, [h, w] or [top, bottom, left, right]
        Padding of the forward convolution (for a transposed op: of the convolution whose
        shape it reverses). ``same`` follows TensorFlow.
    output_padding : int or [int, int], optional
        Transposed ops only: PyTorch's ``output_padding``.
    output_size : int or [int, int], optional
        Transposed ops only: TensorFlow's ``output_shape``.
    view : {'gather', 'scatter', 'both'}, optional
        How a transposed op is traced (default ``gather``).
    input, weights : 2-D list of numbers, optional
        Values; by default a seeded small-integer pattern (see ``seed``). In channel mode
        ``input`` is [C_in][H][W] and ``weights`` PyTorch's 4-D layout.
    seed : int
        Seed of the default values: input integers in 0..3, weights and bias in 0..2.
    count_include_pad : bool, optional
        ``avgpool`` only: whether padded cells count in the mean (default True, as PyTorch).
    ceil_mode : bool, optional
        Pools only: PyTorch's ``ceil_mode``: round the output size up, as long as the last
        window starts inside the input or its left (top) padding (default False).
    in_channels, out_channels, groups : int, optional
        Channel mode (see :mod:`deconv_anim.channels`): any of them, a ``bias``, a 3-D
        ``input`` or 4-D ``weights`` turns it on; counts left out come from the values.
    bias : list of numbers or bool, optional
        One number per output channel, or true for seeded values.
    step_by : {'element', 'channel'}, optional
        Channel mode: one step per output element (default) or per output channel
        (the default when one per element would make more than ``MAX_FRAMES``).

    Returns
    -------
    Spec
        With ``output_size`` per axis: ``floor((n + t + b - k_eff) / s) + 1`` for a
        convolution and ``(n - 1) * s - t - b + k_eff + a'`` for a transposed one, where
        ``k_eff = (k - 1) * d + 1``.

    Raises
    ------
    ConfigError
        Naming the key and the rule it breaks.

    Examples
    --------
    >>> spec = make_spec(op="conv", size=5, kernel=3, stride=2, padding=1)
    >>> spec.output_size
    (3, 3)
    >>> t = make_spec(op="transposed", size=3, kernel=3, stride=2, padding="same", output_size=6)
    >>> t.output_size, t.padding, t.output_padding
    ((6, 6), (0, 1, 0, 1), (0, 0))
    >>> t.gather.padding  # the equivalent stride-1 convolution over the spread input
    (2, 1, 2, 1)
    """
    if not isinstance(op, str) or op.strip().lower() not in OPS:
        raise ConfigError("op", f"must be one of {', '.join(OPS)} (got {_show(op)})")
    op = op.strip().lower()
    if op in UPSAMPLING_OPS:
        from .upsample_spec import make_upsampling_spec

        return make_upsampling_spec(op, {
            "size": size, "kernel": kernel, "stride": stride, "dilation": dilation,
            "padding": padding, "output_padding": output_padding, "output_size": output_size,
            "view": view, "input": input, "weights": weights, "seed": seed,
            "count_include_pad": count_include_pad, "ceil_mode": ceil_mode,
            "in_channels": in_channels, "out_channels": out_channels, "groups": groups,
            "bias": bias, "step_by": step_by, "mode": mode, "scale": scale,
            "align_corners": align_corners, "upscale_factor": upscale_factor, "order": order})
    from .upsample_spec import check_not_upsampling

    check_not_upsampling(op, {"mode": mode, "scale": scale, "align_corners": align_corners,
                              "upscale_factor": upscale_factor, "order": order})
    dilation = 1 if dilation is None else dilation
    padding = "valid" if padding is None else padding
    transposed, pool = op == "transposed", op in POOL_OPS

    mode = _channels.mode_key(in_channels=in_channels, out_channels=out_channels,
                              groups=groups, bias=bias, input=input, weights=weights)
    counts = None
    if mode is None:
        values = None if input is None else matrix("input", input)
        kernel_values = None if weights is None else matrix("weights", weights)
    else:
        counts = _channels.resolve(op, in_channels=in_channels, out_channels=out_channels,
                                   groups=groups, input=input, weights=weights)
        values, kernel_values = counts.input, counts.weights
    step = _channels.check_step_by(step_by, mode)
    x_shape: Any = None if values is None else values.shape[-2:]  # (H, W) of the values
    w_shape: Any = None if kernel_values is None else kernel_values.shape[-2:]
    if pool and kernel_values is not None:
        raise ConfigError("weights", f"is not used by op: {op} (a pool has no weights)")

    if size is not None:
        in_size = pair("size", size)
    elif x_shape is not None:
        in_size = x_shape
    else:
        raise ConfigError("size", "is required unless input: values are given")
    if x_shape is not None and tuple(x_shape) != tuple(in_size):
        raise ConfigError("input", f"has shape {x_shape[0]}x{x_shape[1]} but size "
                                   f"says {in_size[0]}x{in_size[1]}")
    if kernel is not None:
        k_size = pair("kernel", kernel)
    elif w_shape is not None:
        k_size = w_shape
    else:
        raise ConfigError("kernel", "is required unless weights: are given")
    if w_shape is not None and tuple(w_shape) != tuple(k_size):
        raise ConfigError("weights", f"has shape {w_shape[0]}x{w_shape[1]} but kernel says "
                                     f"{k_size[0]}x{k_size[1]}")
    in_size = (int(in_size[0]), int(in_size[1]))
    k_size = (int(k_size[0]), int(k_size[1]))
    if in_size[0] * in_size[1] > MAX_CELLS:
        raise ConfigError("size", f"is too large ({in_size[0]}x{in_size[1]}; "
                                  f"at most {MAX_CELLS} cells)")

    st = (k_size if pool else (1, 1)) if stride is None else pair("stride", stride)
    dil = pair("dilation", dilation)
    if op == "avgpool" and dil != (1, 1):
        raise ConfigError("dilation", "is not supported by op: avgpool (as in PyTorch)")
    k_eff = ((k_size[0] - 1) * dil[0] + 1, (k_size[1] - 1) * dil[1] + 1)
    form, explicit = parse_padding(padding)

    if not transposed:
        for key, val in (("output_padding", output_padding), ("output_size", output_size)):
            if val is not None:
                raise ConfigError(key, f"is only for op: transposed (got op: {op})")
    if count_include_pad is not None:
        if op != "avgpool":
            raise ConfigError("count_include_pad", f"is only for op: avgpool (got op: {op})")
        if not isinstance(count_include_pad, bool):
            raise ConfigError("count_include_pad",
                              f"must be true or false (got {_show(count_include_pad)})")

    if ceil_mode is not None:
        if not pool:
            raise ConfigError("ceil_mode", f"is only for op: maxpool or avgpool (got op: {op})")
        if not isinstance(ceil_mode, bool):
            raise ConfigError("ceil_mode", f"must be true or false (got {_show(ceil_mode)})")

    if view is None:
        view = "gather"
    if not isinstance(view, str) or view.strip().lower() not in VIEWS:
        raise ConfigError("view", f"must be one of {', '.join(VIEWS)} (got {_show(view)})")
    view = view.strip().lower()
    if view == "matrix":  # the op as its matrix beside the gather view (matrix_layout)
        if op == "maxpool":
            raise ConfigError("view", "maxpool has no matrix: max pooling picks the largest "
                                      "value, it is not a multiplication by a matrix (view: "
                                      "matrix needs conv, transposed or avgpool)")
    elif view != "gather" and not transposed:
        raise ConfigError("view", f"{view} is only for op: transposed (a {op} only gathers)")

    if transposed:
        opad = None if output_padding is None else pair("output_padding", output_padding, 0)
        osize = None if output_size is None else pair("output_size", output_size)
        axes = [
            transposed_axis(a, form, explicit, in_size[a], st[a], dil[a], k_eff[a],
                                     None if osize is None else osize[a],
                                     None if opad is None else opad[a])
            for a in (0, 1)
        ]
        pad: Quad = (axes[0][0], axes[0][1], axes[1][0], axes[1][1])
        extra: Pair = (axes[0][2], axes[1][2])
        out: Pair = (axes[0][3], axes[1][3])
    else:
        pad = conv_padding(form, explicit, in_size, st, k_eff)
        extra = (0, 0)
        padded = (in_size[0] + pad[0] + pad[1], in_size[1] + pad[2] + pad[3])
        for axis, name in ((0, "rows"), (1, "columns")):
            if k_eff[axis] > padded[axis]:
                before, after = pad[2 * axis], pad[2 * axis + 1]
                raise ConfigError("kernel", (
                    f"the dilated kernel ({k_eff[axis]} {name}) is larger than the padded input "
                    f"({in_size[axis]} + {before} + {after} = {padded[axis]})"))
        if pool:
            for axis in (0, 1):
                half = k_size[axis] // 2  # PyTorch: of the kernel, not the dilated one
                if max(pad[2 * axis], pad[2 * axis + 1]) > half:
                    raise ConfigError("padding", (
                        f"must be at most half the kernel ({half}) for op: {op} "
                        f"(got {max(pad[2 * axis], pad[2 * axis + 1])}; PyTorch's rule)"))
        out = ((padded[0] - k_eff[0]) // st[0] + 1, (padded[1] - k_eff[1]) // st[1] + 1)
        if ceil_mode:  # PyTorch: round up, unless the last window starts past input + left pad
            out = tuple(o + ((o * s < n + p) and (room % s > 0))  # type: ignore[assignment]
                        for o, s, n, p, room in zip(out, st, in_size, pad[::2], (
                            padded[0] - k_eff[0], padded[1] - k_eff[1]), strict=False))
        if op == "maxpool":
            for axis, name in ((0, "rows"), (1, "columns")):
                for o in range(out[axis]):
                    first = o * st[axis] - pad[2 * axis]
                    if not any(0 <= first + k * dil[axis] < in_size[axis]
                               for k in range(k_size[axis])):
                        raise ConfigError("padding", (
                            f"leaves max-pool window {o} ({name}) with no input cell, only "
                            "padding (its maximum would be -inf)"))
    check_grid(in_size, st, dil, k_eff, pad, extra, transposed)  # names the key that grew it
    if out[0] * out[1] > MAX_CELLS or max(out) > MAX_SIDE:
        raise ConfigError("size", f"gives an output too large ({out[0]}x{out[1]}; "
                                  f"at most {MAX_SIDE} per side and {MAX_CELLS} cells)")

    if isinstance(seed, bool) or not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"must be an integer from 0 to {MAX_SEED} (got {_show(seed)})")
    seed_value = int(seed)
    if counts is not None:
        inputs, kernels, bias_values = _channels.make_values(op, counts, seed_value, in_size,
                                                             k_size, bias)
    else:
        inputs = (Values(default_values, (seed_value, in_size, 0, 4))
                  if values is None else values)
        if kernel_values is not None:
            kernels = kernel_values
        elif pool:
            kernels = Values(ones, (k_size,))
        else:
            kernels = Values(default_values, (seed_value, k_size, 1, 3))
        bias_values = None

    spec = Spec(op=op, input_size=in_size, kernel_size=k_size, stride=st, dilation=dil,
                padding=pad, padding_form=form, output_padding=extra, output_size=out,
                view=view, input_values=inputs, weight_values=kernels,
                count_include_pad=True if count_include_pad is None else count_include_pad,
                ceil_mode=bool(ceil_mode),
                channels=counts is not None, bias_values=bias_values,
                has_bias=bias_values is not None, step_by=step or "element",
                channels_from=mode,
                in_channels=1 if counts is None else counts.in_channels,
                out_channels=1 if counts is None else counts.out_channels,
                groups=1 if counts is None else counts.groups)
    if step is None and spec.frames > MAX_FRAMES:  # too long one element at a time
        spec = replace(spec, step_by="channel")
    return spec
