"""Named configs that need no file: the 15 figures of Dumoulin & Visin and the seed's examples.

Each preset is a config mapping, exactly what a YAML file would hold. The numbers of the
reference figures are those of conv_arithmetic (input i, kernel k, stride s, padding p,
dilation d); a ``*_transposed`` figure is the transposed op of the same numbers, whose input
is the convolution's output.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PRESETS", "REFERENCE_NAMES"]


def _pair(name: str, i: int, k: int, s: int, p: int, title: str,
          extra: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    conv = {"op": "conv", "size": i, "kernel": k, "stride": s, "padding": p,
            "title": f"{title}: {i}x{i} input, {k}x{k} kernel, stride {s}, padding {p}"}
    out = (i + 2 * p - k) // s + 1
    transposed = {"op": "transposed", "size": out, "kernel": k, "stride": s, "padding": p,
                  **(extra or {}),
                  "title": f"Transposed {title.lower()}: {out}x{out} input, {k}x{k} kernel, "
                           f"stride {s}, padding {p}"}
    return {name: conv, f"{name}_transposed": transposed}


PRESETS: dict[str, dict[str, Any]] = {
    **_pair("no_padding_no_strides", 4, 3, 1, 0, "No padding, no strides"),
    **_pair("arbitrary_padding_no_strides", 5, 4, 1, 2, "Arbitrary padding, no strides"),
    **_pair("same_padding_no_strides", 5, 3, 1, 1, "Half (same) padding, no strides"),
    **_pair("full_padding_no_strides", 5, 3, 1, 2, "Full padding, no strides"),
    **_pair("no_padding_strides", 5, 3, 2, 0, "No padding, strides"),
    **_pair("padding_strides", 5, 3, 2, 1, "Padding, strides"),
    # (6 + 2 - 3) mod 2 = 1: the transposed op needs one extra row and column to give 6x6.
    **_pair("padding_strides_odd", 6, 3, 2, 1, "Padding, strides (odd)",
            extra={"output_padding": 1}),
    "dilation": {"op": "conv", "size": 7, "kernel": 3, "dilation": 2,
                 "title": "Dilation: 7x7 input, 3x3 kernel, dilation 2"},
    "seed_conv": {"op": "conv", "size": 4, "kernel": 3, "padding": "valid",
                  "title": "tf.nn.conv2d: 4x4 input, 3x3 kernel, VALID -> 2x2"},
    "seed_transposed": {"op": "transposed", "size": 2, "kernel": 3, "padding": "valid",
                        "output_size": 4,
                        "title": "tf.nn.conv2d_transpose: 2x2 input, 3x3 kernel, VALID, "
                                 "output_shape 4x4"},
}

REFERENCE_NAMES: tuple[str, ...] = tuple(
    name for name in PRESETS if not name.startswith("seed_"))
