"""The spec: one validated, frozen description of the op an animation computes.

Everything here is arithmetic on shapes; the numbers are computed by :mod:`deconv_anim.engine`.
The rules follow PyTorch (``conv2d``, ``conv_transpose2d``, ``output_padding``) and TensorFlow
(``tf.nn.conv2d``, ``tf.nn.conv2d_transpose`` with ``padding`` and ``output_shape``); see
``docs/config.md`` for the user-facing description of every key.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .errors import show_value as _show

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Spec", "GatherConv", "make_spec", "OPS", "VIEWS", "PADDING_WORDS"]

Pair = tuple[int, int]
Quad = tuple[int, int, int, int]

OPS = ("conv", "transposed", "maxpool", "avgpool")
POOL_OPS = ("maxpool", "avgpool")
VIEWS = ("gather", "scatter", "both")
PADDING_WORDS = ("valid", "same", "full")

# No axis of any grid may be longer than this, and no grid may hold more cells: a teaching
# figure is never that large, and huge integers must never reach an allocation.
MAX_SIDE = 4096
MAX_CELLS = 1 << 20
MAX_VALUE = 1e6  # input and weight values, in size
# the resource guard of a render (raised with --max-frames / --max-pixels)
MAX_FRAMES = 10_000
MAX_PIXELS = 40_000_000
MAX_SEED = 2**32 - 1


# NumPy is imported only where values are made: what a spec says about shapes (all that
# `deconv-anim info` prints) is plain arithmetic, and the command starts faster without it.


def _is_int(value: Any) -> bool:
    """An integer, NumPy's included (they register as numbers.Integral); not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int(key: str, value: Any, minimum: int, what: str) -> int:
    if not _is_int(value) or value < minimum:
        raise ConfigError(key, f"must be {what} (got {_show(value)})")
    if value > MAX_SIDE:
        raise ConfigError(key, f"must be at most {MAX_SIDE} (got {_show(value)})")
    return int(value)


def _pair(key: str, value: Any, minimum: int = 1) -> Pair:
    """One integer (both axes) or a pair [h, w], each >= ``minimum``."""
    word = "a positive integer" if minimum == 1 else "a non-negative integer"
    what = f"{word} or a pair of them"
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ConfigError(key, f"must be {what} (got {_show(value)})")
        h, w = (_int(key, v, minimum, what) for v in value)
        return h, w
    v = _int(key, value, minimum, what)
    return v, v


def _padding(value: Any) -> tuple[str, Quad | None]:
    """Parse the ``padding`` key into (form, explicit [t, b, l, r] or None)."""
    what = (
        "valid, same, full, a non-negative integer, a pair [h, w] "
        "or four integers [top, bottom, left, right]"
    )
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in PADDING_WORDS:
            raise ConfigError("padding", f"must be {what} (got {_show(value)})")
        return word, None
    if isinstance(value, (list, tuple)) and len(value) == 4:
        t, b, l, r = (_int("padding", v, 0, what) for v in value)
        return "explicit", (t, b, l, r)
    if isinstance(value, (list, tuple)) and len(value) != 2:
        raise ConfigError("padding", f"must be {what} (got {_show(value)})")
    try:
        ph, pw = _pair("padding", value, minimum=0)
    except ConfigError:
        raise ConfigError("padding", f"must be {what} (got {_show(value)})") from None
    return "explicit", (ph, ph, pw, pw)


def _matrix(key: str, value: Any) -> np.ndarray:
    """A rectangular 2-D list of finite numbers, as a read-only float64 array."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(key, f"must be a non-empty 2-D list of numbers (got {_show(value)})")
    rows = list(value)
    if not all(isinstance(row, (list, tuple)) for row in rows):
        if all(_is_number(v) for v in rows):  # a single row written flat: [1, 2, 3]
            rows = [rows]
        else:
            raise ConfigError(key, f"must be a 2-D list of numbers, one list per row "
                                   f"(got {_show(value)})")
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != len(rows[0]) or not row:
            raise ConfigError(key, f"rows must all have the same, non-zero length "
                                   f"(row 0 has {width}, row {r} has {len(row)})")
        for c, v in enumerate(row):
            if not _is_number(v):
                raise ConfigError(key, f"row {r}, column {c}: must be a number (got {_show(v)})")
            if not _is_int(v) and not math.isfinite(v):  # NumPy's float32 included
                raise ConfigError(key, f"row {r}, column {c}: must be finite (got {float(v)})")
            if abs(v) > MAX_VALUE:  # sums of products stay exact and finite
                raise ConfigError(key, f"row {r}, column {c}: must be at most {MAX_VALUE:g} "
                                       f"in size (got {_show(v)})")
    if len(rows) > MAX_SIDE or width > MAX_SIDE or len(rows) * width > MAX_CELLS:
        raise ConfigError(key, f"is too large ({len(rows)}x{width}; at most {MAX_CELLS} cells)")
    import numpy as np

    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


def _is_number(value: Any) -> bool:
    """An integer or a float (NumPy's included), not a bool or a fraction."""
    return _is_int(value) or (isinstance(value, numbers.Real)
                              and not isinstance(value, numbers.Rational))


def _default_values(seed: int, shape: Pair, stream: int, high: int) -> np.ndarray:
    """The default small-integer pattern: integers in [0, high) from a seeded generator.

    Input and weights use separate streams, so changing one shape never changes the other.
    """
    import numpy as np

    array = np.random.default_rng([seed, stream]).integers(0, high, size=shape).astype(np.float64)
    array.flags.writeable = False
    return array


def _ones(shape: Pair) -> np.ndarray:
    """The weights of a pool: ones (they are not multiplied, only shown)."""
    import numpy as np

    array = np.ones(shape)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class _Values:
    """Values not made yet: ``make(*args)`` makes them (see :attr:`Spec.input`)."""

    make: Any
    args: tuple


def _made(values: Any) -> np.ndarray:
    return values.make(*values.args) if isinstance(values, _Values) else values


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
    input_values: np.ndarray | _Values = field(repr=False, compare=False)
    weight_values: np.ndarray | _Values = field(repr=False, compare=False)
    count_include_pad: bool = True

    @cached_property
    def input(self) -> np.ndarray:
        """The input values (read-only float64), made on first use."""
        return _made(self.input_values)

    @cached_property
    def weights(self) -> np.ndarray:
        """The kernel's values (ones for a pool; read-only float64), made on first use."""
        return _made(self.weight_values)

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
    def gather(self) -> GatherConv:
        """The convolution the gather view draws (see :class:`GatherConv`)."""
        if not self.is_transposed:
            return GatherConv(self.input_size, (1, 1), self.padding, self.stride,
                              self.dilation, self.kernel_size, self.output_size, False)
        t, b, l, r = self.padding
        (kh, kw), (ah, aw) = self.k_eff, self.output_padding
        spread = tuple((n - 1) * s + 1 for n, s in zip(self.input_size, self.stride, strict=False))
        pad = (kh - 1 - t, kh - 1 - b + ah, kw - 1 - l, kw - 1 - r + aw)
        return GatherConv(spread, self.stride, pad, (1, 1), self.dilation,  # type: ignore[arg-type]
                          self.kernel_size, self.output_size, True)

    def steps(self, view: str | None = None) -> int:
        """Number of trace steps (animation frames) of one view."""
        view = view or self.view
        size = self.input_size if view == "scatter" else self.output_size
        return size[0] * size[1]

    @property
    def frames(self) -> int:
        """Number of frames a render writes."""
        if self.view == "both":
            return max(self.steps("gather"), self.steps("scatter"))
        return self.steps()


def _check_grid(size: Pair, stride: Pair, dilation: Pair, k_eff: Pair, pad: Quad,
                extra: Pair, transposed: bool) -> None:
    """Refuse a grid too large to compute or draw (the padded input, or for a transposed op
    the spread and padded one), from arithmetic alone: nothing is allocated before this."""
    sides = []
    for axis in (0, 1):
        if k_eff[axis] > MAX_SIDE:
            raise ConfigError("dilation", f"makes the kernel span {k_eff[axis]} cells, more "
                                          f"than {MAX_SIDE}")
        before, after = pad[2 * axis], pad[2 * axis + 1]
        if transposed:
            spread = (size[axis] - 1) * stride[axis] + 1
            side = spread + 2 * (k_eff[axis] - 1) - before - after + extra[axis]
        else:
            side = size[axis] + before + after
        sides.append(side)
    if max(sides) > MAX_SIDE or sides[0] * sides[1] > MAX_CELLS:
        # what grew it: a convolution's grid is the input (bounded) plus its padding
        key = "padding"
        if transposed:
            key = ("stride" if max(stride) > 1 else "dilation" if max(dilation) > 1
                   else "size" if max(size) >= max(k_eff) else "kernel")
        raise ConfigError(key, f"makes the grid the window slides over {sides[0]}x{sides[1]} "
                               f"cells, more than {MAX_SIDE} per side or {MAX_CELLS} cells")


def _resolve_conv_padding(form: str, explicit: Quad | None, size: Pair, stride: Pair,
                          k_eff: Pair) -> Quad:
    """Padding of a convolution over ``size``: TensorFlow's rule for ``same``."""
    if form == "explicit":
        assert explicit is not None
        return explicit
    out: list[int] = []
    for n, s, k in zip(size, stride, k_eff, strict=False):
        if form == "valid":
            out += [0, 0]
        elif form == "full":
            out += [k - 1, k - 1]
        else:  # same
            total = max((-(-n // s) - 1) * s + k - n, 0)
            out += [total // 2, total - total // 2]
    return out[0], out[1], out[2], out[3]


def _resolve_transposed_axis(axis: int, form: str, explicit: Quad | None, n: int, s: int, d: int,
                             k: int, output_size: int | None, output_padding: int | None
                             ) -> tuple[int, int, int, int]:
    """Resolve one axis of a transposed op: (pad_before, pad_after, a', N)."""
    name = "rows" if axis == 0 else "columns"
    if form == "same":
        lo, hi = (n - 1) * s + 1, n * s  # TF: legal when ceil(N / s) == n
        if output_size is None:
            if output_padding is None:
                N = n * s  # Keras' default output length
            else:  # Keras' deconv_output_length with output_padding
                if output_padding >= s:
                    raise ConfigError("output_padding", (
                        f"must be smaller than the stride ({s}) on the {name} axis with "
                        f"padding: same (got {output_padding}; Keras' rule)"))
                N = (n - 1) * s + k - 2 * (k // 2) + output_padding
                if not lo <= N <= hi:
                    raise ConfigError("output_padding", (
                        f"with padding: same the {name} output would be {N}, which TensorFlow "
                        f"rejects for input {n}, stride {s} (legal: {lo}..{hi}); "
                        "give output_size instead"))
        else:
            N = output_size
            if not lo <= N <= hi:
                raise ConfigError("output_size", (
                    f"{N} {name} is not a legal output for input {n}, kernel {k}, stride {s}, "
                    f"padding same (legal: {_range(lo, hi)}, where ceil(N / {s}) == {n})"))
        total = max((n - 1) * s + k - N, 0)
        before, after = total // 2, total - total // 2
    else:
        if form == "valid":
            before = after = 0
        elif form == "full":
            before = after = k - 1
        else:
            assert explicit is not None
            before, after = explicit[2 * axis], explicit[2 * axis + 1]
        lo = (n - 1) * s - before - after + k
        if output_size is None:
            N = lo + (output_padding or 0)
        else:
            N, hi = output_size, lo + s - 1
            if not lo <= N <= hi:
                raise ConfigError("output_size", (
                    f"{N} {name} is not a legal output for input {n}, kernel {k}, stride {s}, "
                    f"padding {before}+{after} (legal: {_range(lo, hi)})"))
    a = N - ((n - 1) * s - before - after + k)
    # With padding: same and no output_size, output_padding only chose N (Keras); TensorFlow
    # then places the padding, so the effective a' may differ from it.
    keras_same = form == "same" and output_size is None
    if output_padding is not None and output_padding != a and not keras_same:
        raise ConfigError("output_padding", (
            f"conflicts with output_size: output_size gives {a} extra {name}, "
            f"output_padding says {output_padding}"))
    if a >= max(s, d):
        raise ConfigError("output_padding", (
            f"must be smaller than max(stride, dilation) = {max(s, d)} on the {name} axis "
            f"(got {a}; PyTorch's rule)"))
    if N < 1:
        raise ConfigError("padding", (
            f"is so large that the output is empty: ({n} - 1) * {s} - {before} - {after} + {k} "
            f"+ {a} = {N} {name}"))
    return before, after, a, N


def _range(lo: int, hi: int) -> str:
    lo = max(lo, 1)
    if hi < lo:
        return "none"
    return str(lo) if lo == hi else f"{lo}..{hi}"


def make_spec(
    *,
    op: Any,
    size: Any = None,
    kernel: Any = None,
    stride: Any = None,
    dilation: Any = 1,
    padding: Any = "valid",
    output_padding: Any = None,
    output_size: Any = None,
    view: Any = None,
    input: Any = None,
    weights: Any = None,
    seed: Any = 0,
    count_include_pad: Any = None,
) -> Spec:
    """Validate the keys of one op and resolve its shapes.

    Parameters
    ----------
    op : {'conv', 'transposed', 'maxpool', 'avgpool'}
        The operation.
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
        Values; by default a seeded small-integer pattern (see ``seed``).
    seed : int
        Seed of the default values: input integers in 0..3, weights in 0..2.
    count_include_pad : bool, optional
        ``avgpool`` only: whether padded cells count in the mean (default True, as PyTorch).

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
    transposed, pool = op == "transposed", op in POOL_OPS

    values = None if input is None else _matrix("input", input)
    kernel_values = None if weights is None else _matrix("weights", weights)
    if pool and kernel_values is not None:
        raise ConfigError("weights", f"is not used by op: {op} (a pool has no weights)")

    if size is None and values is None:
        raise ConfigError("size", "is required unless input: values are given")
    in_size = values.shape if size is None else _pair("size", size)
    if values is not None and tuple(values.shape) != tuple(in_size):
        raise ConfigError("input", f"has shape {values.shape[0]}x{values.shape[1]} but size "
                                   f"says {in_size[0]}x{in_size[1]}")
    if kernel is None and kernel_values is None:
        raise ConfigError("kernel", "is required unless weights: are given")
    k_size = kernel_values.shape if kernel is None else _pair("kernel", kernel)
    if kernel_values is not None and tuple(kernel_values.shape) != tuple(k_size):
        raise ConfigError("weights", f"has shape {kernel_values.shape[0]}x"
                                     f"{kernel_values.shape[1]} but kernel says "
                                     f"{k_size[0]}x{k_size[1]}")
    in_size = (int(in_size[0]), int(in_size[1]))
    k_size = (int(k_size[0]), int(k_size[1]))
    if in_size[0] * in_size[1] > MAX_CELLS:
        raise ConfigError("size", f"is too large ({in_size[0]}x{in_size[1]}; "
                                  f"at most {MAX_CELLS} cells)")

    st = (k_size if pool else (1, 1)) if stride is None else _pair("stride", stride)
    dil = _pair("dilation", dilation)
    if op == "avgpool" and dil != (1, 1):
        raise ConfigError("dilation", "is not supported by op: avgpool (as in PyTorch)")
    k_eff = ((k_size[0] - 1) * dil[0] + 1, (k_size[1] - 1) * dil[1] + 1)
    form, explicit = _padding(padding)

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

    if view is None:
        view = "gather"
    if not isinstance(view, str) or view.strip().lower() not in VIEWS:
        raise ConfigError("view", f"must be one of {', '.join(VIEWS)} (got {_show(view)})")
    view = view.strip().lower()
    if view != "gather" and not transposed:
        raise ConfigError("view", f"{view} is only for op: transposed (a {op} only gathers)")

    if transposed:
        opad = None if output_padding is None else _pair("output_padding", output_padding, 0)
        osize = None if output_size is None else _pair("output_size", output_size)
        axes = [
            _resolve_transposed_axis(a, form, explicit, in_size[a], st[a], dil[a], k_eff[a],
                                     None if osize is None else osize[a],
                                     None if opad is None else opad[a])
            for a in (0, 1)
        ]
        pad: Quad = (axes[0][0], axes[0][1], axes[1][0], axes[1][1])
        extra: Pair = (axes[0][2], axes[1][2])
        out: Pair = (axes[0][3], axes[1][3])
    else:
        pad = _resolve_conv_padding(form, explicit, in_size, st, k_eff)
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
        if op == "maxpool":
            for axis, name in ((0, "rows"), (1, "columns")):
                for o in range(out[axis]):
                    first = o * st[axis] - pad[2 * axis]
                    if not any(0 <= first + k * dil[axis] < in_size[axis]
                               for k in range(k_size[axis])):
                        raise ConfigError("padding", (
                            f"leaves max-pool window {o} ({name}) with no input cell, only "
                            "padding (its maximum would be -inf)"))
    _check_grid(in_size, st, dil, k_eff, pad, extra, transposed)  # names the key that grew it
    if out[0] * out[1] > MAX_CELLS or max(out) > MAX_SIDE:
        raise ConfigError("size", f"gives an output too large ({out[0]}x{out[1]}; "
                                  f"at most {MAX_SIDE} per side and {MAX_CELLS} cells)")

    if isinstance(seed, bool) or not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"must be an integer from 0 to {MAX_SEED} (got {_show(seed)})")
    seed_value = int(seed)
    inputs: np.ndarray | _Values = (_Values(_default_values, (seed_value, in_size, 0, 4))
                                    if values is None else values)
    if kernel_values is not None:
        kernels: np.ndarray | _Values = kernel_values
    elif pool:
        kernels = _Values(_ones, (k_size,))
    else:
        kernels = _Values(_default_values, (seed_value, k_size, 1, 3))

    return Spec(op=op, input_size=in_size, kernel_size=k_size, stride=st, dilation=dil,
                padding=pad, padding_form=form, output_padding=extra, output_size=out,
                view=view, input_values=inputs, weight_values=kernels,
                count_include_pad=True if count_include_pad is None else count_include_pad)
