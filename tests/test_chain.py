"""Chains of ops (``stages:``): validation, the chain against its stages applied one by one
(naive references), against PyTorch's ``nn.Sequential`` (live, and recorded in
tests/data/chain_cases.json), info, and drawing."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import naive
from chain_torch import sequential_output
from deconv_anim import ConfigError, animate, resolve_config
from deconv_anim.chain import MAX_STAGES
from deconv_anim.cli import main
from deconv_anim.engine import compute

CASES = Path(__file__).parent / "data" / "chain_cases.json"
CHAIN = {"size": 5, "stages": [{"op": "conv", "kernel": 3, "padding": 1},
                               {"op": "maxpool", "kernel": 2},
                               {"op": "transposed", "kernel": 3, "stride": 2}]}


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


# -- the chain against its stages applied one by one ----------------------------------------

stages_st = st.lists(st.one_of(
    st.fixed_dictionaries({"op": st.just("conv"), "kernel": st.integers(1, 3),
                           "stride": st.integers(1, 2), "padding": st.integers(0, 1),
                           "dilation": st.sampled_from([1, 1, 2])}),
    st.fixed_dictionaries({"op": st.just("transposed"), "kernel": st.integers(1, 3),
                           "stride": st.integers(1, 2), "padding": st.integers(0, 1)}),
    st.fixed_dictionaries({"op": st.sampled_from(["maxpool", "avgpool"]),
                           "kernel": st.integers(1, 2), "stride": st.integers(1, 2)}),
), min_size=1, max_size=4)


def _naive_chain(x: np.ndarray, stages) -> list[np.ndarray]:
    """Every stage's output, each computed by tests/naive.py from the previous one."""
    outs = []
    for spec in stages:
        fields = {name: getattr(spec, name) for name in (
            "op", "weights", "kernel_size", "stride", "dilation", "padding", "output_size",
            "count_include_pad", "ceil_mode", "channels", "groups", "bias")}
        x = naive.reference(SimpleNamespace(**fields, input=x))
        outs.append(x)
    return outs


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(2, 7), stages=stages_st, seed=st.integers(0, 50))
def test_chain_is_its_stages_one_by_one(size, stages, seed):
    try:
        config = resolve_config({"size": size, "seed": seed, "stages": stages})
    except ConfigError as error:
        assert error.key.startswith("stages[")  # a stage that does not fit its input
        assume(False)
    specs = config.stages
    assert len(specs) == len(stages)
    outs = _naive_chain(np.asarray(specs[0].input), specs)
    for before, spec in zip(outs, specs[1:]):
        np.testing.assert_allclose(spec.input, before)  # stage i's output is i+1's input
    for spec, out in zip(specs, outs):
        assert spec.output_size == out.shape
    np.testing.assert_allclose(compute(specs[-1]), outs[-1])
    info = animate({"size": size, "seed": seed, "stages": stages}).info
    assert info["output"] == np.asarray(outs[-1]).tolist()
    assert info["output_size"] == list(specs[-1].output_size)
    assert info["step_count"] == sum(s.frames for s in specs) == config.frames
    assert info["frames"] == config.frames + 1  # and the held clean final frame


def test_depthwise_separable_is_its_stages_one_by_one():
    config = resolve_config("depthwise_separable")
    depthwise, pointwise = config.stages
    assert (depthwise.in_channels, depthwise.groups, depthwise.out_channels) == (3, 3, 3)
    assert pointwise.kernel_size == (1, 1) and pointwise.in_channels == 3
    outs = _naive_chain(np.asarray(depthwise.input), config.stages)
    np.testing.assert_allclose(compute(pointwise), outs[-1])
    assert compute(pointwise).shape == (pointwise.out_channels, 4, 4)


# -- PyTorch ---------------------------------------------------------------------------------

def _recorded():
    if not CASES.is_file():
        return []
    return json.loads(CASES.read_text(encoding="utf-8"))["cases"]


def test_recorded_cases_cover_the_presets_shapes():
    cases = _recorded()
    assert len(cases) >= 6
    ops = [[s["op"] for s in case["config"]["stages"]] for case in cases]
    assert ["transposed", "transposed"] in ops
    assert any(s.get("groups") == 3 for case in cases for s in case["config"]["stages"])


@pytest.mark.parametrize("case", _recorded(), ids=lambda c: "-".join(
    s["op"] for s in c["config"]["stages"]))
def test_recorded_torch_sequential(case):
    config = resolve_config(case["config"])
    got, want = compute(config.stages[-1]), np.asarray(case["output"])
    if got.ndim == 2 and want.ndim == 3:  # one channel into a stage without channel keys
        want = want[0]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["upsample_nearest", "upsample_bilinear"])
def test_resize_conv_presets_equal_torch_sequential(name):
    """The resize-conv chains (nn.Upsample, then nn.Conv2d 3x3 padding 1) against live
    PyTorch."""
    torch = pytest.importorskip("torch")
    config = resolve_config(name)
    assert [s.op for s in config.stages] == ["upsample", "conv"]
    want = sequential_output(torch, config.stages)
    np.testing.assert_allclose(compute(config.stages[-1]), want, rtol=1e-9, atol=1e-9)


def test_live_torch_sequential():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    checked = 0
    for n in range(120):
        stages = []
        for _ in range(int(rng.integers(1, 4))):
            op = str(rng.choice(["conv", "transposed", "maxpool", "avgpool"]))
            k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
            stage = {"op": op, "kernel": k, "stride": s, "padding": int(rng.integers(0, 2))}
            if op == "transposed" and s > 1:
                stage["output_padding"] = int(rng.integers(0, s))
            if op in ("maxpool", "avgpool"):
                stage["padding"] = min(stage["padding"], k // 2)
            if op in ("conv", "transposed") and rng.random() < 0.4:
                stage.update(out_channels=int(rng.integers(1, 4)), bias=True)
            stages.append(stage)
        try:
            config = resolve_config({"size": int(rng.integers(3, 8)), "seed": n,
                                     "in_channels": int(rng.integers(1, 3)),
                                     "stages": stages})
        except ConfigError:
            continue
        want = sequential_output(torch, config.stages)
        got = compute(config.stages[-1])
        np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-9, atol=1e-9)
        checked += 1
    assert checked >= 40


# -- bad inputs: one line, exit 2 ------------------------------------------------------------

BAD = [
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3}, {"op": "conv", "kernel": 3,
                                                          "size": 4}]},
     "stages[1].size: is 4x4 but stage 0 outputs 3x3"),
    ({"size": 3, "stages": [{"op": "conv", "kernel": 3}, {"op": "conv", "kernel": 3}]},
     "stages[1].kernel: the dilated kernel (3 rows) is larger than the padded input "
     "(1 + 0 + 0 = 1)"),
    ({"size": 5, "in_channels": 3, "stages": [
        {"op": "conv", "kernel": 3, "out_channels": 2},
        {"op": "conv", "kernel": 1, "in_channels": 4}]},
     "stages[1].in_channels: is 4 but stage 0 outputs 2 channels"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3, "values": True}]},
     "stages[0].values: is a drawing key: give it at the top level of the config, not in "
     "a stage"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3, "view": "scatter"}]},
     "stages[0].view: is a drawing key"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3, "theme": "dark"}]},
     "stages[0].theme: is a drawing key"),
    ({"size": 5, "stages": []}, "stages: is empty"),
    ({"size": 5, "stages": "conv"}, "stages: must be a list of op mappings"),
    ({"size": 5, "stages": [7]}, "stages[0]: must be a mapping of op keys"),
    ({"size": 5, "stages": [{"kernel": 3}]}, "stages[0].op: is required"),
    ({"size": 5, "stages": [{"op": "conv", "kernl": 3}]},
     "stages[0].kernl: unknown key; did you mean stages[0].kernel?"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": None}]}, "stages[0].kernel: must have"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3, "stride": -1}]}, "stages[0].stride:"),
    ({"op": "conv", "size": 5, "stages": [{"op": "conv", "kernel": 3}]},
     "op: give either op: (one op) or stages: (a chain of ops), not both"),
    ({"size": 5, "kernel": 3, "stages": [{"op": "conv"}]}, "kernel: goes in a stage"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3, "size": 4}]},
     "stages[0].size: is 4 but the top level says 5"),
    ({"size": 5, "stages": [{"op": "conv", "kernel": 3},
                            {"op": "conv", "kernel": 1, "input": [[1]]}]},
     "stages[1].input: must be stage 0's output when given"),
    ({"size": 3, "overlap": True, "stages": [{"op": "conv", "kernel": 3},
                                             {"op": "transposed", "kernel": 3}]},
     "overlap: is only for op: transposed (stage 0 is op: conv)"),
    ({"size": 3, "overlap": True, "stages": [{"op": "transposed", "kernel": 2,
                                              "weights": [[1, 2], [3, 4]]}]},
     "stages[0].weights: overlap: true sets every input and weight to 1"),
    ({"size": 3, "view": "gather", "stages": [{"op": "transposed", "kernel": 3}]},
     "view: a chain draws its transposed stages in the scatter view"),
    ({"size": 3, "stages": [{"op": "conv", "kernel": 1}] * (MAX_STAGES + 1)},
     f"stages: has {MAX_STAGES + 1} stages; a chain holds at most {MAX_STAGES}"),
]


@pytest.mark.parametrize(("mapping", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_chains_are_one_line(mapping, message):
    with pytest.raises(ConfigError) as info:
        resolve_config(mapping)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_bad_chain_on_the_command_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("size: 5\nstages:\n  - {op: conv, kernel: 3}\n  - {op: conv, kernel: 3,"
                    " size: 4}\n")
    for command in (["info"], ["render", "-o", str(tmp_path / "x.gif")]):
        result = run(*command, str(path))
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            f"Error: {path}: stages[1].size: is 4x4 but stage 0 outputs 3x3"]
    assert not (tmp_path / "x.gif").exists()


def test_a_channel_chain_draws_its_slab_stacks_and_has_numbers(tmp_path):
    from deconv_anim.prepare import prepare

    config = resolve_config("depthwise_separable", {"style": {"cell": 8}})
    raster = prepare(config)
    # the depthwise output stack is the pointwise input stack: one place
    (bx, by), (ax, ay) = raster.offsets
    before, after = raster.panels
    assert (bx + before.anchor_out[0], by + before.anchor_out[1]) == (
        ax + after.anchor_in[0], ay + after.anchor_in[1])
    result = animate(config).save(tmp_path / "d.gif")
    assert result.frames == 3 * 16 + 4 * 16 + 1  # the steps, then the final frame
    info = json.loads(run("info", "--json", "--preset", "depthwise_separable").output)
    assert [s["groups"] for s in info["stages"]] == [3, 1]
    assert info["output_shape"] == [4, 4, 4]


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_vector_output_of_a_chain_is_refused(tmp_path, suffix):
    target = tmp_path / f"c{suffix}"
    result = run("render", "--preset", "transposed_chain", "-o", str(target))
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "output: a chain (stages:) is drawn as pixels only" in result.output
    assert not target.exists()


def test_tween_and_code_are_refused_for_a_chain(tmp_path):
    with pytest.raises(ConfigError, match="tween: makes in-between frames of one op"):
        animate(CHAIN).save(tmp_path / "c.gif", tween=1)
    result = run("info", "--code", "torch", "--preset", "transposed_chain")
    assert result.exit_code == 2 and "--code: prints the snippet of one op" in result.output


# -- info --------------------------------------------------------------------------------------

def test_info_json_has_one_object_per_stage():
    single_keys = set(animate(op="conv", size=5, kernel=3).info) - {"name"}
    info = animate(CHAIN).info
    assert [s["op"] for s in info["stages"]] == ["conv", "maxpool", "transposed"]
    for stage in info["stages"]:
        assert single_keys <= set(stage)
    for before, after in zip(info["stages"], info["stages"][1:]):
        assert after["input"] == before["output"]
        assert after["input_size"] == before["output_size"]
    assert info["output"] == info["stages"][-1]["output"]
    assert info["output_size"] == [5, 5]
    assert info["step_count"] == 25 + 4 + 4 and info["frames"] == 25 + 4 + 4 + 1


def test_info_text_prints_each_stage(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(CHAIN))
    result = run("info", str(path))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == (f"{path}: chain of 3 stages: 5x5 input -> 5x5 output, 33 steps, "
                        "34 frames (the stages' steps one after another, then the finished "
                        "output, held)")
    heads = [line for line in lines if line.startswith("  stage ")]
    assert [h.split(":")[1].strip() for h in heads] == [
        "convolution", "max pooling", "transposed convolution"]
    assert heads[0].startswith("  stage 1/3: ") and heads[2].startswith("  stage 3/3: ")
    json_out = json.loads(run("info", "--json", "--steps", str(path)).output)
    assert len(json_out["stages"][1]["steps"]) == 4


# -- the overlap map compounded ----------------------------------------------------------------

def test_overlap_chain_counts_the_stamps_through_the_layers():
    config = resolve_config("transposed_chain_overlap")
    first, second = config.stages
    assert np.all(first.input == 1) and np.all(first.weights == 1)
    assert np.all(second.weights == 1)
    # one k3 s2 layer: 1, 2 or 4 stamps; two: the counts multiply along every path
    counts_1 = naive.transposed2d(np.ones(first.input_size), np.ones((3, 3)), (2, 2), (1, 1),
                                  (0, 0), first.output_size)
    want = naive.transposed2d(counts_1, np.ones((3, 3)), (2, 2), (1, 1), (0, 0),
                              second.output_size)
    np.testing.assert_array_equal(compute(second), want)
    assert sorted(np.unique(counts_1)) == [1, 2, 4]
    assert want.max() == 9 and len(np.unique(want)) > 3  # 4 after one layer
    frames = list(animate(config, style={"cell": 10}).frames())
    assert len(frames) == 4 + 25 + 1  # the steps, then the held clean final frame
    from deconv_anim.prepare import prepare

    raster = prepare(config)  # one tint scale for both stages, and its legend under them
    assert [p.raster.timeline.tints.top for p in raster.panels] == [9, 9]
    assert all(strip is not None for strip in raster.legends)


# -- drawing -------------------------------------------------------------------------------------

def test_the_chain_plays_its_stages_on_one_canvas():
    anim = animate(CHAIN, style={"cell": 12})
    frames = list(anim.frames())
    assert len(frames) == anim.frame_count == 33 + 1 and anim.step_count == 33
    assert len({f.shape for f in frames}) == 1
    # the intermediate grid appears with stage 1, and stays
    assert not np.array_equal(frames[0], frames[25])
    assert not np.array_equal(frames[-1], frames[-2])


def test_the_shared_grid_is_one_place(tmp_path):
    from deconv_anim.prepare import prepare

    for layout in ("flat", "oblique"):
        raster = prepare(resolve_config(CHAIN, {"layout": layout}))
        for k in range(2):
            before, after = raster.panels[k], raster.panels[k + 1]
            bx, by = raster.offsets[k]
            ax, ay = raster.offsets[k + 1]
            ox, oy = before.raster.layout.corner_xy("output", 0, 0)
            g = after.scene.spec.gather
            cell = (0, 0) if after.scene.view == "scatter" else (g.padding[0], g.padding[2])
            ix, iy = after.raster.layout.corner_xy("input", *cell)
            assert (bx + ox, by + oy) == (ax + ix, ay + iy)


def test_the_grids_to_come_are_drawn_empty_from_the_first_frame():
    from deconv_anim.palette import BACKGROUND
    from deconv_anim.prepare import prepare

    raster = prepare(resolve_config("transposed_chain"))
    first = next(iter(raster.frames())).pixels.copy()
    last = raster.panels[-1]
    x, y = raster.offsets[-1]
    cx, cy = (round(v) for v in last.raster.layout.cell_centre("output", 5, 5))
    ox, oy = (round(v) for v in last.raster.layout.corner_xy("output", 5, 5))
    assert first[y + cy, x + cx] == BACKGROUND  # an empty cell
    assert first[y + oy, x + ox] != BACKGROUND  # its border
    assert (first[y:y + last.figure_height, x:x + last.width][last.footprint]
            != BACKGROUND).any()


def test_api_animate_with_stages(tmp_path):
    anim = animate(stages=[{"op": "conv", "kernel": 3}, {"op": "transposed", "kernel": 3,
                                                         "stride": 2}], size=4)
    assert anim.frame_count == 4 + 4 + 1 and anim.step_count == 4 + 4
    assert "conv -> transposed 4x4 -> 5x5" in repr(anim)
    result = anim.save(tmp_path / "chain.gif")
    assert result.frames == 8 + 1  # the steps, then the held clean final frame
    from PIL import Image

    with Image.open(tmp_path / "chain.gif") as image:
        assert image.n_frames == 8 + 1
    still = anim.save(tmp_path / "still.png", frame=5)
    assert still.frames == 1


def test_caption_names_the_stage_and_the_step(tmp_path):
    from deconv_anim.prepare import prepare

    raster = prepare(resolve_config(CHAIN, {"values": True}))
    assert raster.heads[0].startswith("stage 1/3: conv 3x3, stride 1, padding 1: 5x5 -> 5x5")
    assert raster.heads[2] == "stage 3/3: transposed conv 3x3, stride 2: 2x2 -> 5x5"
