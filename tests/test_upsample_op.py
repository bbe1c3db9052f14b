"""`op: upsample` and `op: pixel_shuffle` as config ops: validation, the engine's values and
trace against deconv_anim.upsampling and the recorded PyTorch cases, info, --code, matrix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim import make_spec
from deconv_anim.cli import main
from deconv_anim.config import config_from_mapping
from deconv_anim.engine import compute, trace
from deconv_anim.errors import ConfigError
from deconv_anim.matrix import op_matrix
from deconv_anim.report import as_json, describe
from deconv_anim.upsampling import resize, resized_length

CASES = json.loads((Path(__file__).parent / "data" / "upsampling_cases.json").read_text())
INTERPOLATE = [c for c in CASES["cases"] if c["kind"] == "interpolate"]
SHUFFLE = [c for c in CASES["cases"] if c["kind"] == "pixel_shuffle"]


def keys_of(case: dict) -> dict:
    """The config keys of a recorded case (a 3-D input: channel mode)."""
    keys = {"op": "upsample", "mode": case["mode"], "input": case["input"]}
    if case.get("align_corners"):
        keys["align_corners"] = True
    if case.get("scale"):
        keys["scale"] = case["scale"]
    else:
        keys["output_size"] = case["output_size"]
    return keys


@pytest.mark.parametrize("case", INTERPOLATE, ids=lambda c: c["mode"])
def test_config_upsample_equals_recorded_pytorch(case):
    spec = config_from_mapping(keys_of(case)).spec
    assert spec.channels and spec.in_channels == spec.out_channels == len(case["input"])
    np.testing.assert_allclose(compute(spec), np.array(case["output"]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", SHUFFLE, ids=lambda c: f"r{c['upscale_factor']}")
def test_config_pixel_shuffle_equals_recorded_pytorch(case):
    spec = config_from_mapping({"op": "pixel_shuffle", "input": case["input"],
                                "upscale_factor": case["upscale_factor"]}).spec
    assert compute(spec).tolist() == case["output"]
    assert spec.output_shape == np.array(case["output"]).shape


def naive_shuffle(x: np.ndarray, r: int, order: str) -> np.ndarray:
    """An independent loop: depth_to_space / PixelShuffle by their documented formulas."""
    c_in, h, w = x.shape
    c_out = c_in // (r * r)
    out = np.zeros((c_out, h * r, w * r))
    for c in range(c_out):
        for row in range(h * r):
            for col in range(w * r):
                i, j = row % r, col % r
                ch = c * r * r + i * r + j if order == "torch" else (i * r + j) * c_out + c
                out[c, row, col] = x[ch, row // r, col // r]
    return out


@settings(max_examples=60, deadline=None)
@given(r=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4),
       order=st.sampled_from(["torch", "tf"]), seed=st.integers(0, 99))
def test_pixel_shuffle_trace_moves_each_cell_from_its_source(r, c, h, w, order, seed):
    spec = make_spec(op="pixel_shuffle", size=[h, w], in_channels=c * r * r,
                     upscale_factor=r, order=order, seed=seed)
    out = compute(spec)
    np.testing.assert_array_equal(out, naive_shuffle(np.asarray(spec.input), r, order))
    t = trace(spec)
    assert len(t) == c * h * r * w * r == spec.frames
    for step in t:
        (tap,) = step.taps
        _, _, ir, ic, orow, ocol, ci, co = tap.tolist()
        assert (co, orow, ocol) == (step.channel, *step.cell)
        assert step.in_channels == (ci,) and step.weights.tolist() == [1.0]
        assert spec.input[ci, ir, ic] == step.value == out[co, orow, ocol]


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), data=st.data(),
       mode=st.sampled_from(["nearest", "nearest-exact", "bilinear"]))
def test_upsample_trace_taps_and_weights_form_every_output(h, w, data, mode):
    align = mode == "bilinear" and data.draw(st.booleans())
    keys = {"op": "upsample", "size": [h, w], "mode": mode, "seed": data.draw(st.integers(0, 9))}
    if align:
        keys["align_corners"] = True
    if data.draw(st.booleans()):
        scale = [data.draw(st.sampled_from([1, 2, 3, 1.5, 2.5, 0.5])) for _ in range(2)]
        if min(resized_length(n, s) for n, s in zip((h, w), scale)) < 1:
            scale = [2, 2]
        keys["scale"] = scale
        size = tuple(resized_length(n, s) for n, s in zip((h, w), scale))
        expected = resize(np.asarray(make_spec(**keys).input), size, mode,
                          align_corners=align, scale=tuple(scale))
    else:
        size = (data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12)))
        keys["output_size"] = list(size)
        expected = resize(np.asarray(make_spec(**keys).input), size, mode,
                          align_corners=align)
    spec = make_spec(**keys)
    out = compute(spec)
    assert spec.output_size == size
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    x = np.asarray(spec.input)
    (kh, kw) = spec.kernel_size
    assert kh <= 2 and kw <= 2
    for step in trace(spec):
        taps, weights = step.taps, step.weights
        assert len(taps) == kh * kw == len(weights)
        # the window's cells, row-major, inside the input
        r0, c0 = step.window
        assert [tuple(t) for t in taps[:, 0:4].tolist()] == [
            (i, j, r0 + i, c0 + j) for i in range(kh) for j in range(kw)]
        assert 0 <= r0 <= h - kh and 0 <= c0 <= w - kw
        assert (taps[:, 4:6] == step.cell).all()
        np.testing.assert_allclose(weights.sum(), 1.0, rtol=0, atol=1e-12)
        assert (weights >= 0).all()
        if mode != "bilinear":
            assert weights.tolist() == [1.0]
        np.testing.assert_allclose(step.value, (weights * x[taps[:, 2], taps[:, 3]]).sum(),
                                   rtol=0, atol=1e-12)


def test_bilinear_x2_reads_the_expected_neighbours():
    spec = make_spec(op="upsample", input=[[0, 4, 8], [0, 4, 8], [0, 4, 8]], scale=2,
                     mode="bilinear")
    steps = trace(spec)
    assert spec.kernel_size == (2, 2) and len(steps) == 36
    # out[0, 1]: column source (1 + 0.5) / 2 - 0.5 = 0.25 -> x[., 0] * 0.75 + x[., 1] * 0.25
    s = steps[1]
    assert s.window == (0, 0) and s.weights.tolist() == [0.75, 0.25, 0.0, 0.0]
    assert s.value == 1.0
    # the last column reads the last cell alone: the window starts one cell earlier
    s = steps[5]
    assert s.window == (0, 1) and s.weights.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_channel_upsample_is_channel_wise():
    x = [[[1, 2], [3, 4]], [[10, 20], [30, 40]]]
    spec = make_spec(op="upsample", input=x, scale=2, mode="bilinear")
    out = compute(spec)
    assert out.shape == (2, 4, 4)
    for c in range(2):
        np.testing.assert_allclose(out[c], resize(np.array(x[c], float), (4, 4), "bilinear"))
    t = trace(spec)
    assert len(t) == 32 and t[16].channel == 1 and t[16].in_channels == (1,)
    assert (t[16].taps[:, 6] == 1).all() and (t[16].taps[:, 7] == 1).all()
    assert make_spec(op="upsample", size=3, scale=2, in_channels=3).output_shape == (3, 6, 6)


def test_step_by_channel_gives_planes():
    spec = make_spec(op="pixel_shuffle", size=2, in_channels=8, upscale_factor=2,
                     step_by="channel", order="tf")
    t = trace(spec)
    assert len(t) == 2
    assert t[1].in_channels == (1, 3, 5, 7)
    np.testing.assert_array_equal(t[1].value, compute(spec)[1])


@pytest.mark.parametrize(("keys", "key", "rule"), [
    ({"scale": 2, "output_size": 6}, "scale", "give scale or output_size, not both"),
    ({}, "scale", "needs scale (a factor) or output_size"),
    ({"scale": 2, "align_corners": True}, "align_corners",
     "is only for mode: bilinear (got mode: nearest)"),
    ({"scale": 2, "mode": "nearest-exact", "align_corners": False}, "align_corners",
     "is only for mode: bilinear"),
    ({"scale": 2, "kernel": 3}, "kernel", "is not used by op: upsample"),
    ({"scale": 2, "stride": 2}, "stride", "is not used by op: upsample"),
    ({"scale": 2, "padding": 1}, "padding", "is not used by op: upsample"),
    ({"scale": 2, "weights": [[1]]}, "weights", "is not used by op: upsample"),
    ({"scale": 2, "upscale_factor": 2}, "upscale_factor", "is not used by op: upsample"),
    ({"scale": 0}, "scale", "must be a number from above 0 to 64"),
    ({"scale": [2, 2, 2]}, "scale", "must be a number"),
    ({"scale": True}, "scale", "must be a number"),
    ({"scale": 2, "mode": "bicubic"}, "mode", "must be one of nearest, nearest-exact, bilinear"),
    ({"scale": 2, "align_corners": "yes", "mode": "bilinear"}, "align_corners",
     "must be true or false"),
    ({"output_size": 0}, "output_size", "must be a positive integer"),
    ({"scale": 2, "view": "scatter"}, "view", "scatter is only for op: transposed"),
    ({"scale": 2, "step_by": "channel"}, "step_by", "is only for channel mode"),
    ({"scale": 2, "input": [[[1] * 3] * 3] * 2, "in_channels": 3}, "input",
     "has 2 channels but in_channels says 3"),
    ({"output_size": 2000}, "output_size", "gives an output too large"),
    ({"output_size": 5000}, "output_size", "must be at most 4096"),
])
def test_bad_upsample_keys(keys, key, rule):
    with pytest.raises(ConfigError) as error:
        config_from_mapping({"op": "upsample", "size": 3, **keys})
    assert error.value.key == key and rule in error.value.rule, str(error.value)


@pytest.mark.parametrize(("keys", "key", "rule"), [
    ({"in_channels": 6, "upscale_factor": 2}, "in_channels",
     "must be a multiple of upscale_factor\u00b2 = 4"),
    ({"input": [[[1] * 3] * 3] * 3, "upscale_factor": 2}, "input", "must be a multiple of"),
    ({"in_channels": 4}, "upscale_factor", "needs upscale_factor"),
    ({"in_channels": 4, "upscale_factor": 0}, "upscale_factor", "an integer from 1 to 16"),
    ({"in_channels": 4, "upscale_factor": 2, "order": "nhwc"}, "order", "torch, tf"),
    ({"in_channels": 4, "upscale_factor": 2, "kernel": 2}, "kernel",
     "is not used by op: pixel_shuffle"),
    ({"in_channels": 4, "upscale_factor": 2, "mode": "bilinear"}, "mode",
     "is not used by op: pixel_shuffle"),
    ({"in_channels": 4, "upscale_factor": 2, "out_channels": 1}, "out_channels",
     "is not used by op: pixel_shuffle"),
])
def test_bad_pixel_shuffle_keys(keys, key, rule):
    with pytest.raises(ConfigError) as error:
        config_from_mapping({"op": "pixel_shuffle", "size": 3, **keys})
    assert error.value.key == key and rule in error.value.rule, str(error.value)


@pytest.mark.parametrize("key", ["mode", "scale", "align_corners", "upscale_factor", "order"])
def test_upsampling_keys_on_other_ops(key):
    value = {"mode": "bilinear", "scale": 2, "align_corners": True, "upscale_factor": 2,
             "order": "tf"}[key]
    with pytest.raises(ConfigError, match=rf"^{key}: is only for op: "):
        config_from_mapping({"op": "conv", "size": 3, "kernel": 2, key: value})


@pytest.mark.parametrize("args", [
    ("--op", "upsample", "--size", "3", "--scale", "2", "--output-size", "6"),
    ("--op", "upsample", "--size", "3", "--scale", "2", "--align-corners"),
    ("--op", "pixel_shuffle", "--size", "3", "--in-channels", "6", "--upscale-factor", "2"),
])
def test_bad_input_is_one_line_exit_2(args, tmp_path):
    for command in ("info", "render"):
        extra = ("-o", str(tmp_path / "x.gif")) if command == "render" else ()
        result = CliRunner().invoke(main, [command, *args, *extra])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), lines
        assert not (tmp_path / "x.gif").exists()


def test_info_text_and_json():
    spec = make_spec(op="upsample", size=3, scale=2, mode="bilinear", align_corners=True)
    text = describe(spec)
    assert text.startswith("upsample (bilinear, align_corners true): 3x3 input, scale 2 -> "
                           "6x6 output")
    assert "(n - 1) / (out - 1) = 2 / 5" in text
    info = as_json(spec, steps=True)
    assert info["output_size"] == [6, 6] and info["mode"] == "bilinear"
    assert info["align_corners"] is True and info["scale"] == [2, 2]
    assert np.allclose(info["output"], compute(spec))
    assert "weights" not in info and "padding" not in info
    assert len(info["steps"]) == 36
    for step in info["steps"]:
        assert len(step["weights"]) == len(step["taps"]) == 4
        assert abs(sum(step["weights"]) - 1) < 1e-12
    np.testing.assert_allclose(np.array(info["row_weights"]).sum(axis=1), 1.0)
    shuffle = as_json(make_spec(op="pixel_shuffle", size=2, in_channels=8, upscale_factor=2,
                                order="tf"), steps=True)
    assert shuffle["output_shape"] == [2, 4, 4] and shuffle["order"] == "tf"
    assert np.array(shuffle["output"]).shape == (2, 4, 4)
    assert shuffle["steps"][0]["weights"] == [1]
    text = describe(make_spec(op="pixel_shuffle", size=2, in_channels=8, upscale_factor=2))
    assert "out[c, h, w] = x[c * 4 + (h % 2) * 2 + (w % 2), h // 2, w // 2]" in text


def test_info_cli_json():
    result = CliRunner().invoke(main, ["info", "--op", "upsample", "--size", "2", "--scale",
                                       "2", "--json", "--steps"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["output"] == np.repeat(np.repeat(np.array(info["input"]), 2, 0), 2,
                                       1).tolist()


@pytest.mark.parametrize("keys", [
    {"op": "upsample", "size": [2, 3], "scale": 2, "mode": "bilinear"},
    {"op": "upsample", "size": 3, "output_size": [5, 4], "mode": "nearest"},
    {"op": "upsample", "size": 2, "scale": 2, "in_channels": 2, "mode": "nearest-exact"},
    {"op": "pixel_shuffle", "size": 2, "in_channels": 8, "upscale_factor": 2, "order": "tf"},
])
def test_matrix_is_the_op(keys):
    spec = make_spec(**keys)
    m = op_matrix(spec)
    np.testing.assert_allclose(m @ np.ravel(spec.input), np.ravel(compute(spec)), atol=1e-12)


def test_code_snippets():
    from deconv_anim.codegen import snippet

    spec = make_spec(op="upsample", size=3, output_size=5, mode="bilinear")
    assert "F.interpolate(x, size=(5, 5), mode='bilinear', align_corners=False)" in snippet(
        spec, "torch")
    assert "tf.image.resize(x, [5, 5], method='bilinear')" in snippet(spec, "tf")
    with pytest.raises(ConfigError, match=r"^--code: tf: tf\.image\.resize has no mode nearest"):
        snippet(make_spec(op="upsample", size=3, scale=2), "tf")
    shuffle = make_spec(op="pixel_shuffle", size=2, in_channels=4, upscale_factor=2)
    assert "F.pixel_shuffle(x, 2)" in snippet(shuffle, "torch")
    with pytest.raises(ConfigError, match="use order: tf"):
        snippet(shuffle, "tf")


@pytest.fixture(scope="module")
def live_torch():
    return pytest.importorskip("torch", reason="the live comparison needs PyTorch")


def test_code_snippets_run_in_live_pytorch(live_torch):
    from deconv_anim.codegen import snippet

    for keys in ({"op": "upsample", "size": [2, 3], "scale": [2, 1.5], "mode": "bilinear"},
                 {"op": "upsample", "size": 3, "output_size": 7, "mode": "nearest"},
                 {"op": "pixel_shuffle", "size": 2, "in_channels": 8, "upscale_factor": 2,
                  "order": "tf"}):
        spec = make_spec(**keys)
        scope: dict = {}
        exec(compile(snippet(spec, "torch").replace("print(", "(print or "), "s", "exec"),
             scope)
        got = scope["y"][0].numpy()
        np.testing.assert_allclose(got.reshape(compute(spec).shape), compute(spec),
                                   atol=1e-12)


@settings(max_examples=120, deadline=None)
@given(h=st.integers(1, 5), w=st.integers(1, 5), c=st.integers(1, 2), data=st.data(),
       mode=st.sampled_from(["nearest", "nearest-exact", "bilinear"]))
def test_engine_equals_the_naive_loop(h, w, c, data, mode):
    import naive

    keys = {"op": "upsample", "size": [h, w], "mode": mode, "seed": data.draw(
        st.integers(0, 50))}
    if c > 1:
        keys["in_channels"] = c
    if mode == "bilinear" and data.draw(st.booleans()):
        keys["align_corners"] = True
    if data.draw(st.booleans()):
        keys["scale"] = [data.draw(st.sampled_from([1, 2, 3, 1.5, 2.5, 1.25]))
                         for _ in range(2)]
    else:
        keys["output_size"] = [data.draw(st.integers(1, 11)), data.draw(st.integers(1, 11))]
    spec = make_spec(**keys)
    np.testing.assert_allclose(compute(spec), naive.reference(spec), rtol=0, atol=1e-12)


@pytest.mark.parametrize("keys", [
    {"op": "upsample", "size": 3, "scale": 2, "mode": "bilinear", "align_corners": True},
    {"op": "upsample", "size": [2, 3], "output_size": [5, 4], "seed": 7},
    {"op": "upsample", "input": [[1, 2], [3, 4]], "scale": [1.5, 2], "mode": "nearest-exact"},
    {"op": "pixel_shuffle", "size": 2, "in_channels": 8, "upscale_factor": 2, "order": "tf"},
])
def test_new_writes_a_config_that_loads_back(keys):
    import yaml

    from deconv_anim.new_config import commented_config

    config = config_from_mapping(keys)
    again = config_from_mapping(yaml.safe_load(commented_config(config))).spec
    assert again == config.spec
    np.testing.assert_array_equal(compute(again), compute(config.spec))
