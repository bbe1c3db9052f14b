"""Ops the scene and raster tests both draw: one table, so the two stay about the same cases."""

from __future__ import annotations

CASES = {
    "conv_stride_pad": dict(op="conv", size=5, kernel=3, stride=2, padding=1),
    "conv_stride": dict(op="conv", size=5, kernel=3, stride=2),
    "conv_dilation": dict(op="conv", size=7, kernel=3, dilation=2),
    "conv_asymmetric": dict(op="conv", size=4, kernel=3, padding=[0, 2, 1, 0]),
    "conv_rect": dict(op="conv", size=[4, 6], kernel=[2, 3], stride=[1, 2]),
    "transposed": dict(op="transposed", size=3, kernel=3, stride=2, padding=1),
    "transposed_odd": dict(op="transposed", size=3, kernel=3, stride=2, padding=1,
                           output_padding=1),
    "transposed_dilation": dict(op="transposed", size=2, kernel=2, stride=2, dilation=2),
    "cropped": dict(op="transposed", size=4, kernel=3, stride=2, padding=3),
    "scatter": dict(op="transposed", size=2, kernel=3, stride=2, view="scatter"),
    "scatter_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1,
                        view="scatter"),
    "scatter_dilation": dict(op="transposed", size=3, kernel=2, dilation=2, padding=1,
                             view="scatter"),
}
