"""The shape laws: the padding forms, the output size of a convolution and of a transposed
convolution (PyTorch's and TensorFlow's rules), and the bound on the grid the window slides
over. Arithmetic on integers only; :func:`deconv_anim.spec.make_spec` applies them.
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError
from .errors import show_value as _show
from .values import MAX_CELLS, MAX_SIDE
from .values import is_int as _is_int

__all__ = ["PADDING_WORDS", "check_grid", "conv_padding", "pair", "parse_padding",
           "transposed_axis"]

Pair = tuple[int, int]
Quad = tuple[int, int, int, int]

PADDING_WORDS = ("valid", "same", "full")


def integer(key: str, value: Any, minimum: int, what: str) -> int:
    if not _is_int(value) or value < minimum:
        raise ConfigError(key, f"must be {what} (got {_show(value)})")
    if value > MAX_SIDE:
        raise ConfigError(key, f"must be at most {MAX_SIDE} (got {_show(value)})")
    return int(value)


def pair(key: str, value: Any, minimum: int = 1) -> Pair:
    """One integer (both axes) or a pair [h, w], each >= ``minimum``."""
    word = "a positive integer" if minimum == 1 else "a non-negative integer"
    what = f"{word} or a pair of them"
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ConfigError(key, f"must be {what} (got {_show(value)})")
        h, w = (integer(key, v, minimum, what) for v in value)
        return h, w
    v = integer(key, value, minimum, what)
    return v, v


def parse_padding(value: Any) -> tuple[str, Quad | None]:
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
        t, b, l, r = (integer("padding", v, 0, what) for v in value)
        return "explicit", (t, b, l, r)
    if isinstance(value, (list, tuple)) and len(value) != 2:
        raise ConfigError("padding", f"must be {what} (got {_show(value)})")
    try:
        ph, pw = pair("padding", value, minimum=0)
    except ConfigError:
        raise ConfigError("padding", f"must be {what} (got {_show(value)})") from None
    return "explicit", (ph, ph, pw, pw)


def check_grid(size: Pair, stride: Pair, dilation: Pair, k_eff: Pair, pad: Quad,
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


def conv_padding(form: str, explicit: Quad | None, size: Pair, stride: Pair,
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


def transposed_axis(axis: int, form: str, explicit: Quad | None, n: int, s: int, d: int,
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
                    f"padding same (legal: {legal_range(lo, hi)}, where ceil(N / {s}) == {n})"))
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
                    f"padding {before}+{after} (legal: {legal_range(lo, hi)})"))
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


def legal_range(lo: int, hi: int) -> str:
    lo = max(lo, 1)
    if hi < lo:
        return "none"
    return str(lo) if lo == hi else f"{lo}..{hi}"
