"""Interpolation and pixel shuffle against PyTorch: recorded cases (tests/data), live
comparisons where PyTorch is installed, and properties of the weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim.upsampling import (
    axis_weights,
    pixel_shuffle,
    resize,
    resized_length,
    shuffle_source,
)

CASES = json.loads((Path(__file__).parent / "data" / "upsampling_cases.json").read_text())
INTERPOLATE = [c for c in CASES["cases"] if c["kind"] == "interpolate"]
SHUFFLE = [c for c in CASES["cases"] if c["kind"] == "pixel_shuffle"]


def ours(case: dict) -> np.ndarray:
    x = np.array(case["input"], float)
    scale = case.get("scale")
    if scale:
        size = tuple(resized_length(n, s) for n, s in zip(x.shape[1:], scale))
    else:
        size = tuple(case["output_size"])
    return resize(x, size, case["mode"], align_corners=case.get("align_corners", False),
                  scale=tuple(scale) if scale else None)


@pytest.mark.parametrize("case", INTERPOLATE, ids=lambda c: f"{c['mode']}")
def test_interpolate_matches_recorded_pytorch(case):
    np.testing.assert_allclose(ours(case), np.array(case["output"]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", SHUFFLE, ids=lambda c: f"r{c['upscale_factor']}")
def test_pixel_shuffle_matches_recorded_pytorch(case):
    got = pixel_shuffle(np.array(case["input"], float), case["upscale_factor"])
    assert got.tolist() == case["output"]


def test_recorded_cases_cover_every_mode():
    modes = {(c["mode"], c.get("align_corners", False), "scale" in c) for c in INTERPOLATE}
    assert {("nearest", False, True), ("nearest", False, False),
            ("nearest-exact", False, False), ("bilinear", False, True),
            ("bilinear", True, False), ("bilinear", False, False)} <= modes
    # non-integer ratios, where nearest and nearest-exact disagree, are in there
    assert any(c["mode"] == "nearest" and "output_size" in c
               and c["output_size"][1] % len(c["input"][0][0]) for c in INTERPOLATE)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 9), m=st.integers(1, 20),
       mode=st.sampled_from(["nearest", "nearest-exact", "bilinear"]),
       align=st.booleans())
def test_every_output_reads_weights_summing_to_one(n, m, mode, align):
    a = axis_weights(n, m, mode, align_corners=align and mode == "bilinear")
    assert a.shape == (m, n)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    assert (a >= 0).all()
    per_row = (a > 0).sum(axis=1)
    assert per_row.max() <= (1 if mode != "bilinear" else 2)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 6), r=st.integers(1, 4))
def test_integer_scale_nearest_repeats_each_cell(n, r):
    a = axis_weights(n, n * r, "nearest", scale=r)
    assert a.tolist() == np.repeat(np.eye(n), r, axis=0).tolist()


def test_pixel_shuffle_orders():
    # 8 channels, r = 2 -> 2 output channels; torch: channel c*4 + i*2 + j; tf: (i*2+j)*2 + c
    x = np.arange(8.0).reshape(8, 1, 1)
    assert pixel_shuffle(x, 2).tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    assert pixel_shuffle(x, 2, order="tf").tolist() == [[[0, 2], [4, 6]], [[1, 3], [5, 7]]]
    for c in range(2):
        for row in range(2):
            for col in range(2):
                for order in ("torch", "tf"):
                    ch, r0, c0 = shuffle_source(c, 2, row, col, c_out=2, order=order)
                    assert pixel_shuffle(x, 2, order=order)[c, row, col] == x[ch, r0, c0]



@pytest.fixture(scope="module")
def live_torch():
    return pytest.importorskip("torch", reason="the live comparison needs PyTorch")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_interpolate_matches_live_pytorch(live_torch, data):
    import torch.nn.functional as F

    draw = data.draw
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "bilinear"]))
    align = mode == "bilinear" and draw(st.booleans())
    x = np.array([[[draw(st.integers(-9, 9)) for _ in range(size[1])]
                   for _ in range(size[0])]], float)
    t = live_torch.tensor(x[None])
    kwargs = {"mode": mode, **({"align_corners": align} if mode == "bilinear" else {})}
    if draw(st.booleans()):
        scale = (draw(st.sampled_from([1, 2, 3, 1.5, 2.5, 1.25])),
                 draw(st.sampled_from([1, 2, 3, 1.5, 2.5, 1.25])))
        out_size = tuple(resized_length(n, s) for n, s in zip(size, scale))
        expected = F.interpolate(t, scale_factor=scale, **kwargs)[0].numpy()
        got = resize(x, out_size, mode, align_corners=align, scale=scale)
    else:
        out_size = (draw(st.integers(1, 15)), draw(st.integers(1, 15)))
        expected = F.interpolate(t, size=out_size, **kwargs)[0].numpy()
        got = resize(x, out_size, mode, align_corners=align)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_an_axis_that_keeps_its_length_is_copied():
    # PyTorch: scale 1.25 on 3 rows gives 3 rows, copied (not placed at (dst + 0.5) * 0.8)
    a = axis_weights(3, 3, "bilinear", scale=1.25)
    assert a.tolist() == np.eye(3).tolist()
    assert axis_weights(3, 3, "nearest", scale=1.25).tolist() == np.eye(3).tolist()


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_config_ops_match_live_pytorch(live_torch, data):
    """`op: upsample` / `op: pixel_shuffle` configs through the engine, against PyTorch."""
    import torch.nn.functional as F

    from deconv_anim.config import config_from_mapping
    from deconv_anim.engine import compute

    draw = data.draw
    size = [draw(st.integers(1, 6)), draw(st.integers(1, 6))]
    channels = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 99))
    if draw(st.booleans()):
        r = draw(st.integers(1, 3))
        order = draw(st.sampled_from(["torch", "tf"]))
        spec = config_from_mapping({"op": "pixel_shuffle", "size": size, "seed": seed,
                                    "in_channels": channels * r * r, "upscale_factor": r,
                                    "order": order}).spec
        x = live_torch.tensor(np.asarray(spec.input))[None]
        if order == "tf":  # depth_to_space's channel (i*r + j)*C + c, as PyTorch's order
            x = x.reshape(1, r * r, channels, *size).transpose(1, 2).reshape(
                1, channels * r * r, *size)
        expected = F.pixel_shuffle(x, r)[0].numpy()
    else:
        mode = draw(st.sampled_from(["nearest", "nearest-exact", "bilinear"]))
        keys = {"op": "upsample", "size": size, "seed": seed, "mode": mode,
                "in_channels": channels}
        kwargs = {}
        if mode == "bilinear":
            kwargs["align_corners"] = keys["align_corners"] = draw(st.booleans())
        if draw(st.booleans()):
            keys["scale"] = [draw(st.sampled_from([1, 2, 3, 1.5, 0.5])) for _ in range(2)]
            if min(int(n * s) for n, s in zip(size, keys["scale"])) < 1:
                keys["scale"] = [2, 2]
            kwargs["scale_factor"] = tuple(keys["scale"])
        else:
            keys["output_size"] = [draw(st.integers(1, 12)), draw(st.integers(1, 12))]
            kwargs["size"] = tuple(keys["output_size"])
        spec = config_from_mapping(keys).spec
        x = live_torch.tensor(np.asarray(spec.input))[None]
        expected = F.interpolate(x, mode=mode, **kwargs)[0].numpy()
    np.testing.assert_allclose(compute(spec), expected, rtol=0, atol=1e-12)
