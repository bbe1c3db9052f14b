"""Channel mode: channels, groups, depthwise and bias against the naive loops, the channel
trace, the config rules and their messages, and what ``info`` says."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import naive
from deconv_anim import ConfigError, compute, config_from_mapping, make_spec, trace
from deconv_anim.cli import main
from deconv_anim.engine import ChannelTrace, PlaneStep, Step, Trace
from deconv_anim.report import as_json, describe

PROPERTY = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CHANNEL_KEYS = {"in_channels", "out_channels", "groups", "bias", "step_by", "weight_shape",
                "output_shape", "params", "macs"}

small = st.integers(0, 3)
paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), small,
                     st.lists(small, min_size=2, max_size=2),
                     st.lists(small, min_size=4, max_size=4))


def _array(draw, shape, floats: bool) -> list:
    numbers = (st.floats(-3, 3, allow_nan=False, width=32) if floats
               else st.integers(-3, 3))
    flat = [draw(numbers) for _ in range(int(np.prod(shape)))]
    return np.array(flat, dtype=np.float64).reshape(shape).tolist()


@st.composite
def channel_cases(draw, op: str | None = None) -> dict:
    """make_spec keywords of a channel-mode conv or transposed op (maybe illegal), its
    channel counts given by keys, by the values' shapes, or both."""
    op = op or draw(st.sampled_from(["conv", "transposed"]))
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    size = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    floats = draw(st.booleans())
    lead = (c_out, c_in // groups) if op == "conv" else (c_in, c_out // groups)
    case = {"op": op, "stride": [draw(st.integers(1, 3)) for _ in "hw"],
            "dilation": [draw(st.sampled_from([1, 1, 2])) for _ in "hw"],
            "padding": draw(paddings), "groups": groups}
    given_by = draw(st.sampled_from(["keys", "values", "both"]))
    if given_by != "values":
        case.update(in_channels=c_in, out_channels=c_out, size=list(size), kernel=list(kernel))
    if given_by != "keys":
        case.update(input=_array(draw, (c_in, *size), floats),
                    weights=_array(draw, (*lead, *kernel), floats))
        if given_by == "values" and op == "conv":  # counts all from the shapes
            case.pop("groups")  # C_in / the weights' second axis
    if draw(st.booleans()):
        case["bias"] = draw(st.one_of(st.just(True), st.just(_array(draw, (c_out,), floats))))
    if op == "transposed" and draw(st.booleans()):
        case["output_padding"] = [draw(st.integers(0, 2)) for _ in "hw"]
    return case


def legal(case: dict):
    try:
        return make_spec(**case)
    except ConfigError as error:
        event(f"refused: {error.key}")
        assume(False)


# ---------------------------------------------------------------------------------------------
# Values: the engine against the naive loops
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(channel_cases())
def test_channels_equal_the_naive_loops(case):
    spec = legal(case)
    got = compute(spec)
    assert got.shape == spec.output_shape == (spec.out_channels, *spec.output_size)
    np.testing.assert_allclose(got, naive.reference(spec), rtol=1e-12, atol=1e-9)


@PROPERTY
@given(st.sampled_from(["maxpool", "avgpool"]), st.integers(1, 4), st.integers(1, 6),
       st.integers(1, 3), st.sampled_from([0, 1]), st.booleans())
def test_pools_are_channel_wise(op, channels, size, kernel, padding, include):
    case = {"op": op, "size": size, "kernel": kernel, "in_channels": channels,
            "padding": min(padding, kernel // 2)}
    if op == "avgpool":
        case["count_include_pad"] = include
    spec = legal(case)
    got = compute(spec)
    assert got.shape == (channels, *spec.output_size) and spec.groups == channels
    np.testing.assert_allclose(got, naive.reference(spec))
    for c in range(channels):  # each channel is the 2-D pool of its plane
        plain = {**case, "input": spec.input[c].tolist()}
        plain.pop("in_channels")
        plain.pop("size")
        np.testing.assert_array_equal(got[c], compute(make_spec(**plain)))


def test_one_channel_is_the_plain_op():
    """in_channels: 1 draws the same seeded numbers and computes the same output."""
    for op in ("conv", "transposed", "maxpool", "avgpool"):
        plain = make_spec(op=op, size=5, kernel=3, stride=2, padding=1)
        one = make_spec(op=op, size=5, kernel=3, stride=2, padding=1, in_channels=1)
        assert one.channels and not plain.channels
        np.testing.assert_array_equal(one.input[0], plain.input)
        np.testing.assert_array_equal(one.weights[0, 0], plain.weights)
        np.testing.assert_array_equal(compute(one)[0], compute(plain))
        for a, b in zip(trace(one), trace(plain), strict=True):
            np.testing.assert_array_equal(a.taps[:, :6], b.taps)
            assert (a.cell, a.window, a.value) == (b.cell, b.window, b.value)


def test_the_default_spec_is_unchanged():
    spec = make_spec(op="conv", size=4, kernel=3)
    assert not spec.channels and spec.bias is None and spec.channels_from is None
    assert (spec.in_channels, spec.out_channels, spec.groups) == (1, 1, 1)
    assert spec.input.shape == (4, 4) and spec.weights.shape == (3, 3)
    t = trace(spec)
    assert type(t) is Trace and t[0].taps.shape == (9, 6)
    assert (t[0].channel, t[0].partials, t[0].bias) == (0, None, 0.0)
    assert make_spec(op="conv", size=4, kernel=3, bias=False) == spec  # false: no bias


def test_a_famous_layer():
    """ConvTranspose2d(64, 32, 4, 2, 1) on 16x16: 32768 output elements."""
    spec = make_spec(op="transposed", size=16, kernel=4, stride=2, padding=1, in_channels=64,
                     out_channels=32, bias=True)
    assert spec.output_shape == (32, 32, 32) and spec.weight_shape == (64, 32, 4, 4)
    assert spec.params == 64 * 32 * 16 + 32 and spec.macs == 64 * 16 * 16 * 32 * 16
    assert spec.step_by == "channel" and spec.frames == 32  # element would pass 10000
    assert spec.frames_by("element") == 32768
    explicit = make_spec(op="transposed", size=16, kernel=4, stride=2, padding=1,
                         in_channels=64, out_channels=32, step_by="element")
    assert explicit.frames == 32768


# ---------------------------------------------------------------------------------------------
# The trace
# ---------------------------------------------------------------------------------------------


def _weight(spec, ci, co, kr, kc):
    """The weight of taps (arrays of input and output channels, kernel rows and columns)."""
    if spec.is_transposed:
        return spec.weights[ci, co - (ci // spec.in_per_group) * spec.out_per_group, kr, kc]
    return spec.weights[co, ci - (co // spec.out_per_group) * spec.in_per_group, kr, kc]


def _isclose(a: float, b: float) -> bool:
    """``np.isclose`` of two numbers (its tolerances), without its array machinery."""
    return abs(float(a) - float(b)) <= 1e-8 + 1e-5 * abs(float(b))


@PROPERTY
@given(channel_cases(), st.sampled_from(["gather", "scatter"]))
def test_element_steps_sum_to_the_output(case, view):
    if view == "scatter" and case["op"] == "conv":
        view = "gather"
    spec = legal(case)
    assume(spec.frames_by("element") <= 400)
    t = trace(spec, view)
    out = compute(spec)
    assert isinstance(t, ChannelTrace) and len(t) == spec.steps(view, "element")
    total = np.zeros(spec.output_shape)
    planes = spec.in_channels if view == "scatter" else spec.out_channels
    cells = len(t) // planes
    for n, step in enumerate(t):
        assert isinstance(step, Step) and step.taps.shape[1] == 8
        assert step.channel == n // cells  # channel-major
        kr, kc, ir, ic, o_r, oc, ci, co = step.taps.T
        products = spec.input[ci, ir, ic] * _weight(spec, ci, co, kr, kc)
        np.add.at(total, (co, o_r, oc), products)
        if view == "gather":
            assert set(co.tolist()) <= {step.channel}
            assert set(ci.tolist()) <= set(step.in_channels)
            assert step.group == step.channel // spec.out_per_group
            assert len(step.partials) == spec.in_per_group
            for j, channel in enumerate(step.in_channels):
                assert _isclose(step.partials[j], products[ci == channel].sum())
            assert _isclose(step.partials.sum() + step.bias, step.value)
            assert step.value == out[step.channel, step.cell[0], step.cell[1]]
        else:
            assert set(ci.tolist()) <= {step.channel} and step.partials is None
            assert step.bias == 0
            assert step.value == spec.input[step.channel, step.cell[0], step.cell[1]]
    if spec.bias is not None:
        total += spec.bias[:, None, None]
    np.testing.assert_allclose(total, out, atol=1e-9)


@PROPERTY
@given(channel_cases(), st.sampled_from(["gather", "scatter"]))
def test_channel_steps_are_planes(case, view):
    if view == "scatter" and case["op"] == "conv":
        view = "gather"
    spec = legal({**case, "step_by": "channel"})
    t = trace(spec, view)
    out = compute(spec)
    assert len(t) == (spec.in_channels if view == "scatter" else spec.out_channels)
    stamped = np.zeros(spec.output_shape)
    for n, step in enumerate(t):
        assert isinstance(step, PlaneStep) and step.channel == step.index == n
        if view == "gather":
            assert step.partials.shape == (spec.in_per_group, *spec.output_size)
            np.testing.assert_array_equal(step.value, out[n])
            np.testing.assert_allclose(step.partials.sum(axis=0) + step.bias, step.value,
                                       atol=1e-9)
        else:
            assert step.partials.shape == (spec.out_per_group, *spec.output_size)
            stamped[list(step.out_channels)] += step.partials
    if view == "scatter":
        bias = 0 if spec.bias is None else spec.bias[:, None, None]
        np.testing.assert_allclose(stamped + bias, out, atol=1e-9)


def test_pool_trace_reads_its_own_channel():
    spec = make_spec(op="maxpool", size=4, kernel=2, in_channels=3)
    steps = list(trace(spec))
    assert len(steps) == 12
    for step in steps:
        assert step.in_channels == step.out_channels == (step.channel,)
        assert set(step.taps[:, 6]) == set(step.taps[:, 7]) == {step.channel}
        assert step.partials is None
        window = spec.input[step.taps[:, 6], step.taps[:, 2], step.taps[:, 3]]
        assert step.value == window.max()


# ---------------------------------------------------------------------------------------------
# Channel mode, inference and the rules
# ---------------------------------------------------------------------------------------------


def test_channel_mode_is_on_for_each_trigger():
    base = {"op": "conv", "size": 3, "kernel": 2}
    triggers = {"in_channels": {"in_channels": 1}, "out_channels": {"out_channels": 1},
                "groups": {"groups": 1}, "bias": {"bias": [1]},
                "input": {"input": [[[1, 2], [3, 4]]], "size": 2},
                "weights": {"weights": [[[[1, 1], [1, 1]]]]}}
    for key, extra in triggers.items():
        spec = make_spec(**{**base, **extra})
        assert spec.channels and spec.channels_from == key


def test_counts_come_from_the_shapes():
    x = np.zeros((4, 5, 5)).tolist()
    depthwise = make_spec(op="conv", input=x, weights=np.ones((8, 1, 3, 3)).tolist())
    assert (depthwise.in_channels, depthwise.out_channels, depthwise.groups) == (4, 8, 4)
    assert depthwise.input_size == (5, 5) and depthwise.kernel_size == (3, 3)
    up = make_spec(op="transposed", size=3, weights=np.ones((4, 3, 2, 2)).tolist(), groups=2)
    assert (up.in_channels, up.out_channels, up.groups) == (4, 6, 2)
    only_weights = make_spec(op="conv", size=4, weights=np.ones((2, 3, 1, 1)).tolist())
    assert (only_weights.in_channels, only_weights.out_channels) == (3, 2)
    flat = make_spec(op="conv", input=[[1, 2], [3, 4]], kernel=1, out_channels=2)
    assert flat.input.shape == (1, 2, 2)


BAD = [
    ({"in_channels": 4, "out_channels": 3, "groups": 2}, "groups",
     "must divide both in_channels (4) and out_channels (3) (got 2; PyTorch's rule)"),
    ({"in_channels": 3, "groups": 3}, "groups", "out_channels (1)"),
    ({"in_channels": 4, "out_channels": 2, "groups": 1,
      "weights": np.ones((2, 3, 3, 3)).tolist()},
     "weights", "has shape 2x3x3x3 but with in_channels 4, out_channels 2, groups 1 it must "
     "be [out_channels][in_channels / groups][kH][kW] = 2x4x3x3"),
    ({"in_channels": 2, "out_channels": 2, "groups": 2, "weights": np.ones((2, 2, 3, 3)).tolist()},
     "weights", "= 2x1x3x3"),
    ({"in_channels": 3, "weights": np.ones((2, 2, 3, 3)).tolist()}, "weights",
     "2 input channels per group (its second axis) but in_channels is 3"),
    ({"in_channels": 4, "input": np.ones((3, 5, 5)).tolist()}, "input",
     "has 3 channels but in_channels says 4"),
    ({"in_channels": 2, "input": np.ones((5, 5)).tolist()}, "input",
     "is a 2-D list (1 channel) but in_channels says 2"),
    ({"out_channels": 2, "weights": np.ones((3, 1, 3, 3)).tolist()}, "weights",
     "has 3 output channels (its first axis, [out_channels][in_channels / groups][kH][kW]) "
     "but out_channels says 2"),
    ({"out_channels": 2, "bias": [1, 2, 3]}, "bias", "has 3 values but out_channels is 2"),
    ({"out_channels": 2, "bias": 1}, "bias", "must be a list of out_channels numbers"),
    ({"out_channels": 2, "bias": [1, "a"]}, "bias", 'value 1: must be a number (got "a")'),
    ({"in_channels": 0}, "in_channels", "must be a positive integer (got 0)"),
    ({"groups": 1.5}, "groups", "must be a positive integer (got 1.5)"),
    ({"out_channels": 5000}, "out_channels", "must be at most 4096"),
    ({"in_channels": 2, "step_by": "row"}, "step_by", 'must be one of element, channel'),
    ({"step_by": "channel"}, "step_by", "is only for channel mode"),
    ({"weights": [[[1, 2]]]}, "weights", "must be a 2-D list or a 4-D list"),
    ({"input": np.ones((2, 2, 5, 5)).tolist()}, "input", "got a 4-D list"),
    ({"input": [[[1, 2], [3, 4]], [[1, 2]]]}, "input",
     "channel 1 has shape 1x2 but channel 0 has 2x2"),
    ({"weights": [[[[1]], [[2]]], [[[1, 2]], [[2]]]]}, "weights",
     "[1][0] has shape 1x2 but [0][0] has 1x1"),
]

# stacks too large to compute: made and described, refused where values are computed
HUGE = [
    ({"in_channels": 4096, "size": 20}, "in_channels", "makes the input 4096x20x20"),
    ({"in_channels": 4096, "out_channels": 4096}, "weights", "would hold 150994944 values"),
    ({"in_channels": 256, "out_channels": 256, "size": 60}, "size", "multiply-adds"),
    ({"out_channels": 2048, "size": 30}, "out_channels", "makes the output 2048x28x28"),
]


@pytest.mark.parametrize(("extra", "key", "words"), HUGE, ids=[h[2][:30] for h in HUGE])
def test_huge_stacks_are_made_but_not_computed(extra, key, words):
    from deconv_anim.engine import compute
    from deconv_anim.report import describe

    spec = make_spec(**{"op": "conv", "size": 5, "kernel": 3, **extra})
    assert "step rule" in describe(spec)  # described without a value
    for use in (spec.check_values, lambda: spec.input, lambda: spec.weights,
                lambda: compute(spec)):
        with pytest.raises(ConfigError) as error:
            use()
        assert error.value.key == key and words in error.value.rule, error.value


@pytest.mark.parametrize(("extra", "key", "words"), BAD, ids=[b[2][:40] for b in BAD])
def test_bad_channel_configs(extra, key, words):
    case = {"op": "conv", "size": 5, "kernel": 3, **extra}
    if "input" in extra:
        case.pop("size")
    if "weights" in extra:
        case.pop("kernel")
    with pytest.raises(ConfigError) as error:
        make_spec(**case)
    assert error.value.key == key and words in error.value.rule, error.value


@pytest.mark.parametrize("op", ["maxpool", "avgpool"])
def test_pools_refuse_groups_out_channels_and_bias(op):
    for extra, key in (({"groups": 2}, "groups"), ({"out_channels": 2}, "out_channels"),
                       ({"in_channels": 2, "bias": [1, 2]}, "bias")):
        with pytest.raises(ConfigError) as error:
            make_spec(op=op, size=4, kernel=2, **extra)
        assert error.value.key == key and "not used by op" in error.value.rule


def test_config_keys_and_flags():
    config = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "in_channels": 2,
                                  "out_channels": 4, "groups": 2, "bias": True,
                                  "step_by": "channel"})
    spec = config.spec
    assert (spec.in_channels, spec.out_channels, spec.groups, spec.step_by) == (
        2, 4, 2, "channel")
    assert spec.has_bias and spec.bias.shape == (4,) and set(spec.bias) <= {0.0, 1.0, 2.0}
    result = CliRunner().invoke(main, ["info", "--json", "--op", "conv", "--size", "4",
                                       "--kernel", "1", "--in-channels", "2",
                                       "--out-channels", "3", "--bias", "1,2,3"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bias"] == [1, 2, 3]


# ---------------------------------------------------------------------------------------------
# info, render
# ---------------------------------------------------------------------------------------------


def test_info_json_in_channel_mode():
    spec = make_spec(op="conv", size=5, kernel=3, padding=1, in_channels=4, out_channels=6,
                     groups=2, bias=[1, 2, 3, 4, 5, 6])
    info = as_json(spec)
    assert set(info) >= CHANNEL_KEYS
    assert (info["in_channels"], info["out_channels"], info["groups"]) == (4, 6, 2)
    assert info["weight_shape"] == [6, 2, 3, 3] and info["output_shape"] == [6, 5, 5]
    assert info["output_size"] == [5, 5] and info["bias"] == [1, 2, 3, 4, 5, 6]
    assert info["params"] == 6 * 2 * 9 + 6 and info["macs"] == 6 * 5 * 5 * 2 * 9
    assert np.shape(info["input"]) == (4, 5, 5) and np.shape(info["weights"]) == (6, 2, 3, 3)
    assert np.shape(info["output"]) == (6, 5, 5) and info["frames"] == 151
    assert info["step_count"] == 150  # and the held clean final frame
    np.testing.assert_array_equal(info["output"], naive.reference(spec))
    up = as_json(make_spec(op="transposed", size=3, kernel=2, in_channels=2, out_channels=4,
                           groups=2))
    assert up["bias"] is None and up["params"] == 2 * 2 * 4 and up["macs"] == 2 * 9 * 2 * 4
    assert np.shape(up["equivalent"]["kernel"]) == (2, 2, 2, 2)
    pool = as_json(make_spec(op="avgpool", size=4, kernel=2, in_channels=3))
    assert pool["groups"] == 3 and pool["params"] == pool["macs"] == 0
    assert pool["weight_shape"] == [3, 1, 2, 2]


def test_info_json_without_channels_has_no_channel_keys():
    for op in ("conv", "transposed", "maxpool", "avgpool"):
        info = as_json(make_spec(op=op, size=4, kernel=2))
        assert not CHANNEL_KEYS & set(info)
        assert np.ndim(info["input"]) == np.ndim(info["weights"]) == np.ndim(info["output"]) == 2


def test_info_json_steps_in_channel_mode():
    spec = make_spec(op="conv", size=3, kernel=2, in_channels=2, out_channels=2, bias=[5, 6])
    steps = as_json(spec, steps=True)["steps"]
    assert len(steps) == 8 and steps[4]["channel"] == 1 and steps[4]["in_channels"] == [0, 1]
    assert steps[4]["bias"] == 6 and len(steps[4]["partials"]) == 2
    assert sum(steps[4]["partials"]) + 6 == steps[4]["value"]
    assert all(len(tap) == 8 for tap in steps[4]["taps"])
    planes = as_json(make_spec(op="conv", size=3, kernel=2, in_channels=2, out_channels=2,
                               step_by="channel"), steps=True)["steps"]
    assert len(planes) == 2 and np.shape(planes[1]["partials"]) == (2, 2, 2)
    assert np.shape(planes[1]["value"]) == (2, 2) and planes[1]["out_channels"] == [1]


def test_info_words():
    text = describe(make_spec(op="conv", size=5, kernel=3, in_channels=4, out_channels=2,
                              groups=2, bias=True))
    assert text.splitlines()[0].endswith("-> 2x3x3 output")
    assert "convolution: 4x5x5 input" in text
    assert "weights: 2x2x3x3 = [C_out][C_in/groups][kH][kW] (PyTorch's layout)" in text
    assert "parameters: 36 weights + 2 bias = 38" in text
    assert "MACs: C_out*H_out*W_out*(C_in/groups)*kH*kW = 2 * 3 * 3 * 2 * 3 * 3 = 324" in text
    assert "group 0: input channels 0-1 -> output channel 0" in text
    assert "group 1: input channels 2-3 -> output channel 1" in text
    assert ("18 steps, 19 frames (one per output element, channel by channel: 2 x 3x3; "
            "then the finished output, held)") in text
    assert "step rule: step_by: element gives 18 steps, step_by: channel 2" in text
    depthwise = describe(make_spec(op="conv", size=5, kernel=3, in_channels=3,
                                   out_channels=6, groups=3))
    assert "depthwise: each input channel on its own, depth multiplier 2" in depthwise
    big = describe(make_spec(op="transposed", size=16, kernel=4, stride=2, padding=1,
                             in_channels=64, out_channels=32))
    assert "32 steps, 33 frames (one per output channel;" in big
    assert "MACs: C_in*H_in*W_in*(C_out/groups)*kH*kW = 64 * 16 * 16 * 32 * 4 * 4" in big
    many = describe(make_spec(op="conv", size=2, kernel=1, in_channels=32, out_channels=32,
                              groups=32))
    assert "... (28 more groups alike)" in many and "group 31:" in many


def test_info_works_at_any_size(tmp_path):
    result = CliRunner().invoke(main, ["info", "--op", "conv", "--size", "64", "--kernel", "3",
                                       "--in-channels", "64", "--out-channels", "64",
                                       "--padding", "same"])
    assert result.exit_code == 0 and "64 steps, 65 frames (one per output channel;" in (
        result.stdout)


HUGE_LAYER = ["--op", "transposed", "--in-channels", "512", "--out-channels", "512", "--size",
              "128", "--kernel", "4", "--stride", "2"]


def test_info_in_words_at_a_size_too_large_to_compute():
    import time

    start = time.process_time()  # CPU time: the wall clock of a loaded machine says nothing
    result = CliRunner().invoke(main, ["info", *HUGE_LAYER])
    assert result.exit_code == 0, result.stderr
    assert time.process_time() - start < 5  # no value computed (8M inputs, 69G MACs)
    for words in ("512x128x128 input", "512x258x258 output", "weights: 512x512x4x4",
                  "parameters: 4194304 weights", "= 68719476736 (multiply-adds",
                  "group 0: input channels 0-511 -> output channels 0-511",
                  "512 steps, 513 frames (one per output channel",
                  "step rule: step_by: element gives 34080768 steps"):
        assert words in result.stdout


@pytest.mark.parametrize("flag", [["--json"], ["--code", "torch"], ["--json", "--steps"]])
def test_values_of_a_huge_stack_are_refused_in_one_line(flag):
    result = CliRunner().invoke(main, ["info", *HUGE_LAYER, *flag])
    assert result.exit_code == 2 and result.stdout == ""
    word = "--code" if "--code" in flag else "--json"
    assert result.stderr == (
        "Error: in_channels: makes the input 512x128x128 = 8388608 values, more than 1048576 "
        f"({word} prints every value; info without it describes a layer of any size)\n")


def test_render_of_a_huge_stack_is_refused_before_drawing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", *HUGE_LAYER, "-o", "x.gif"])
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []
    assert result.stderr.startswith("Error: in_channels: makes the input 512x128x128")


def test_conv_transpose_64_32_on_16x16_steps_by_channel_and_renders(tmp_path):
    """``ConvTranspose2d(64, 32, 4, 2, 1)`` on 16x16: 32,768 output elements, so one frame
    per output channel plane by default, and it renders."""
    result = CliRunner().invoke(main, ["render", "--op", "transposed", "--in-channels", "64",
                                       "--out-channels", "32", "--kernel", "4", "--stride",
                                       "2", "--padding", "1", "--size", "16", "--cell", "6",
                                       "-o", str(tmp_path / "x.png"), "--frame", "0"])
    assert result.exit_code == 0, result.stderr
    spec = make_spec(op="transposed", size=16, kernel=4, stride=2, padding=1, in_channels=64,
                     out_channels=32)
    assert spec.step_by == "channel" and spec.frames == 32 and spec.steps(step_by="element") \
        == 32768
    assert (tmp_path / "x.png").stat().st_size > 0


def test_render_draws_channel_mode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text("op: conv\nsize: 4\nkernel: 3\ngroups: 1\n")
    result = CliRunner().invoke(main, ["render", "x.yaml"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gif", "x.yaml"]


def test_svg_of_channel_mode_is_drawn(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text("op: conv\nsize: 4\nkernel: 3\nin_channels: 2\n")
    result = CliRunner().invoke(main, ["render", "x.yaml", "-o", "x.svg"])
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "x.svg").read_text()
    assert text.startswith("<svg") and text.count('<g display="') == 5  # 2x2 outputs, the final


# ---------------------------------------------------------------------------------------------
# Fuzzing channel documents through `info --json`
# ---------------------------------------------------------------------------------------------

scalars = st.one_of(st.integers(-2, 5), st.sampled_from([0.5, float("nan"), 10**7, True]),
                    st.text(max_size=2), st.none())
nested = st.recursive(scalars, lambda inner: st.lists(inner, min_size=0, max_size=3),
                      max_leaves=30)
counts = st.one_of(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), scalars)


def _tensors(levels: tuple[int, ...]):
    """Rectangular integer lists of one of ``levels`` axes (each axis 1..3 long)."""
    return st.sampled_from(levels).flatmap(
        lambda n: st.lists(st.integers(1, 3), min_size=n, max_size=n)).flatmap(
        lambda shape: st.lists(st.integers(-3, 3), min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape))).map(
            lambda flat: np.reshape(flat, shape).tolist()))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(doc=st.fixed_dictionaries(
    {"op": st.sampled_from(["conv", "transposed", "maxpool", "avgpool"]),
     "size": st.one_of(st.none(), st.integers(1, 5)),
     "kernel": st.one_of(st.none(), st.integers(1, 3))},
    optional={"in_channels": counts, "out_channels": counts, "groups": counts,
              "bias": st.one_of(st.booleans(), _tensors((1,)), nested),
              "input": st.one_of(_tensors((3,)), _tensors((2, 3)), nested),
              "weights": st.one_of(_tensors((4,)), _tensors((2, 4)), nested),
              "step_by": st.sampled_from(["element", "channel", "element", "row"])}))
def test_any_channel_document_explains_or_fails_cleanly(tmp_path_factory, doc):
    import yaml

    path = tmp_path_factory.mktemp("channels") / "x.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in doc.items() if v is not None}),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["info", "--json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    event("explained" if result.exit_code == 0 else "refused")
    if result.exit_code == 0:
        info = json.loads(result.stdout)
        if "in_channels" in info:
            event("channel mode")
            assert np.shape(info["output"]) == tuple(info["output_shape"])
            assert np.shape(info["weights"]) == tuple(info["weight_shape"])
    else:
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.stderr
        event(f"refused: {lines[0][len(str(path)) + 9:].split(':')[0]}")


# ---------------------------------------------------------------------------------------------
# docs/config.md's TensorFlow layout conversions, against TensorFlow's documented formulas
# ---------------------------------------------------------------------------------------------


def _tf_conv2d(x, f, s: int, groups: int = 1):
    """tf.nn.conv2d, VALID, one image: x [H][W][C], f [kH][kW][C/groups][C_out] (HWIO):
    ``out[i, j, k] = sum over di, dj, q of x[s*i + di, s*j + dj, q] * f[di, dj, q, k]``, q
    running over the input channels of output channel k's group."""
    (h, w, _), (kh, kw, per_in, c_out) = x.shape, f.shape
    out = np.zeros(((h - kh) // s + 1, (w - kw) // s + 1, c_out))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for k in range(c_out):
                first = k // (c_out // groups) * per_in
                for di in range(kh):
                    for dj in range(kw):
                        for q in range(per_in):
                            out[i, j, k] += x[s * i + di, s * j + dj, first + q] * f[di, dj, q, k]
    return out


def _tf_depthwise(x, f, s: int):
    """tf.nn.depthwise_conv2d, VALID: f [kH][kW][C][M],
    ``out[i, j, k*M + q] = sum over di, dj of x[s*i + di, s*j + dj, k] * f[di, dj, k, q]``."""
    (h, w, c), (kh, kw, _, m) = x.shape, f.shape
    out = np.zeros(((h - kh) // s + 1, (w - kw) // s + 1, c * m))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for k in range(c):
                for q in range(m):
                    out[i, j, k * m + q] = sum(x[s * i + di, s * j + dj, k] * f[di, dj, k, q]
                                               for di in range(kh) for dj in range(kw))
    return out


def _tf_conv2d_transpose(x, f, s: int):
    """tf.nn.conv2d_transpose, VALID, output (n - 1)*s + k: f [kH][kW][C_out][C_in], the
    adjoint of conv2d with that filter:
    ``out[s*i + di, s*j + dj, q] += x[i, j, k] * f[di, dj, q, k]``."""
    (h, w, c_in), (kh, kw, c_out, _) = x.shape, f.shape
    out = np.zeros(((h - 1) * s + kh, (w - 1) * s + kw, c_out))
    for i in range(h):
        for j in range(w):
            for k in range(c_in):
                for di in range(kh):
                    for dj in range(kw):
                        out[s * i + di, s * j + dj] += x[i, j, k] * f[di, dj, :, k]
    return out


@pytest.mark.parametrize("groups", [1, 2])
def test_tensorflow_hwio_converts_as_documented(groups):
    rng = np.random.default_rng(groups)
    x = rng.integers(-3, 4, size=(6, 5, 4)).astype(float)  # [H][W][C]
    f = rng.integers(-3, 4, size=(3, 2, 4 // groups, 6)).astype(float)  # HWIO
    spec = make_spec(op="conv", input=x.transpose(2, 0, 1).tolist(),
                     weights=f.transpose(3, 2, 0, 1).tolist(), groups=groups, stride=2)
    np.testing.assert_array_equal(compute(spec), _tf_conv2d(x, f, 2, groups).transpose(2, 0, 1))


def test_tensorflow_depthwise_converts_as_documented():
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(5, 5, 3)).astype(float)
    f = rng.integers(-3, 4, size=(2, 3, 3, 2)).astype(float)  # [kH][kW][C][M]
    weights = f.transpose(2, 3, 0, 1).reshape(3 * 2, 1, 2, 3)
    spec = make_spec(op="conv", input=x.transpose(2, 0, 1).tolist(), weights=weights.tolist(),
                     groups=3)
    np.testing.assert_array_equal(compute(spec), _tf_depthwise(x, f, 1).transpose(2, 0, 1))


def test_tensorflow_conv2d_transpose_converts_as_documented():
    rng = np.random.default_rng(8)
    x = rng.integers(-3, 4, size=(3, 2, 4)).astype(float)  # [H][W][C_in]
    f = rng.integers(-3, 4, size=(3, 3, 5, 4)).astype(float)  # [kH][kW][C_out][C_in]
    spec = make_spec(op="transposed", input=x.transpose(2, 0, 1).tolist(),
                     weights=f.transpose(3, 2, 0, 1).tolist(), stride=2)
    np.testing.assert_array_equal(compute(spec),
                                  _tf_conv2d_transpose(x, f, 2).transpose(2, 0, 1))
