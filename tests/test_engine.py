"""The engine against the naive references: compute(), the trace identities, the adjoint."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import naive
from deconv_anim import ConfigError, compute, make_spec, trace
from deconv_anim.engine import Trace, pad_or_crop

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TRACE_PROPERTY = settings(max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])

sizes = st.integers(1, 7)
kernels = st.integers(1, 4)
strides = st.integers(1, 3)
dilations = st.sampled_from([1, 1, 2, 3])
small = st.integers(0, 3)
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    small,
    st.lists(small, min_size=2, max_size=2),
    st.lists(small, min_size=4, max_size=4),
)


def axis_padding(padding, axis: int) -> tuple[str, tuple[int, int]]:
    """(form, (before, after)) of one axis of a ``padding`` value as a config holds it."""
    if isinstance(padding, str):
        return padding, (0, 0)
    if isinstance(padding, int):
        return "explicit", (padding, padding)
    if len(padding) == 2:
        return "explicit", (padding[axis], padding[axis])
    return "explicit", (padding[2 * axis], padding[2 * axis + 1])


def values(draw, shape, low=-3, high=3) -> list[list[int]]:
    return [[draw(st.integers(low, high)) for _ in range(shape[1])] for _ in range(shape[0])]


@st.composite
def forward_cases(draw, op: str = "conv") -> dict:
    """A conv or pool config (maybe illegal) with integer values."""
    pool = op in ("maxpool", "avgpool")
    size, kernel = (draw(sizes), draw(sizes)), (draw(kernels), draw(kernels))
    dilation = (1, 1) if op == "avgpool" else (draw(dilations), draw(dilations))
    if pool:
        pads = st.sampled_from([0, 0, 1, 2])
        padding = draw(st.one_of(st.sampled_from(["valid", "same"]), pads,
                                 st.lists(pads, min_size=2, max_size=2),
                                 st.lists(pads, min_size=4, max_size=4)))
        stride = draw(st.one_of(st.none(), st.tuples(strides, strides)))
    else:
        padding, stride = draw(paddings), (draw(strides), draw(strides))
    case = {"op": op, "size": list(size), "kernel": list(kernel), "dilation": list(dilation),
            "padding": padding, "input": values(draw, size)}
    if stride is not None:
        case["stride"] = list(stride)
    if op == "conv":
        case["weights"] = values(draw, kernel)
    if op == "avgpool":
        case["count_include_pad"] = draw(st.booleans())
    return case


@st.composite
def transposed_cases(draw) -> dict:
    """A transposed config (maybe illegal): output_padding and/or output_size near legal."""
    size, kernel = (draw(sizes), draw(sizes)), (draw(kernels), draw(kernels))
    stride, dilation = (draw(strides), draw(strides)), (draw(dilations), draw(dilations))
    padding = draw(paddings)
    case = {"op": "transposed", "size": list(size), "kernel": list(kernel),
            "stride": list(stride), "dilation": list(dilation), "padding": padding,
            "input": values(draw, size), "weights": values(draw, kernel)}
    mode = draw(st.sampled_from(["none", "output_padding", "output_size", "output_size",
                                 "both"]))
    if mode in ("output_padding", "both"):
        case["output_padding"] = [draw(st.integers(0, 2)), draw(st.integers(0, 2))]
    if mode in ("output_size", "both"):
        target = []
        for axis in (0, 1):
            form, pads = axis_padding(padding, axis)
            n, s = size[axis], stride[axis]
            if form == "same":  # legal: (n - 1) * s + 1 .. n * s
                base = (n - 1) * s + 1
            else:  # legal: lo .. lo + s - 1
                base = (n - 1) * s - sum(pads) + naive.k_eff(kernel[axis], dilation[axis])
                if form == "full":
                    base = (n - 1) * s - naive.k_eff(kernel[axis], dilation[axis]) + 2
            offset = draw(st.one_of(st.integers(0, s - 1), st.integers(-1, s)))
            target.append(max(1, base + offset))
        case["output_size"] = target
    return case


def expected_forward(case: dict):
    """(padding quad, output size) from the formulas; raises naive.Illegal."""
    pool = case["op"] in ("maxpool", "avgpool")
    stride = case.get("stride", case["kernel"])
    quad, out = [], []
    for axis in (0, 1):
        form, pads = axis_padding(case["padding"], axis)
        before, after, n_out = naive.conv_axis(case["size"][axis], case["kernel"][axis],
                                               stride[axis], case["dilation"][axis], form,
                                               pads, pool=pool)
        quad += [before, after]
        out.append(n_out)
    return tuple(quad), tuple(out), tuple(stride)


def expected_transposed(case: dict):
    """(padding quad, a', output size) from the formulas; raises naive.Illegal."""
    quad, extra, out = [], [], []
    for axis in (0, 1):
        form, pads = axis_padding(case["padding"], axis)
        op = case.get("output_padding")
        size = case.get("output_size")
        before, after, a, n_out = naive.transposed_axis(
            case["size"][axis], case["kernel"][axis], case["stride"][axis],
            case["dilation"][axis], form, pads,
            None if op is None else op[axis], None if size is None else size[axis])
        quad += [before, after]
        extra.append(a)
        out.append(n_out)
    return tuple(quad), tuple(extra), tuple(out)


def check_forward(case: dict) -> None:
    try:
        quad, out, stride = expected_forward(case)
    except naive.Illegal:
        event("illegal")
        with pytest.raises(ConfigError):
            make_spec(**case)
        return
    x = np.array(case["input"], dtype=float)
    if case["op"] == "maxpool":
        want = naive.maxpool2d(x, case["kernel"], stride, case["dilation"], quad)
        if np.isinf(want).any():  # a window of padding only: refused, not drawn as -inf
            event("empty max-pool window")
            with pytest.raises(ConfigError, match="no input cell"):
                make_spec(**case)
            return
    event("legal")
    spec = make_spec(**case)
    assert spec.padding == quad
    assert spec.output_size == out
    assert spec.stride == stride
    if case["op"] == "conv":
        want = naive.conv2d(x, case["weights"], stride, case["dilation"], quad)
    elif case["op"] == "maxpool":
        want = naive.maxpool2d(x, case["kernel"], stride, case["dilation"], quad)
    else:
        want = naive.avgpool2d(x, case["kernel"], stride, quad, case["count_include_pad"])
    got = compute(spec)
    assert got.shape == out == want.shape
    np.testing.assert_array_equal(got, want)


@PROPERTY
@given(forward_cases("conv"))
def test_conv_matches_naive(case):
    check_forward(case)


@PROPERTY
@given(forward_cases("maxpool"))
def test_maxpool_matches_naive(case):
    check_forward(case)


@PROPERTY
@given(forward_cases("avgpool"))
def test_avgpool_matches_naive(case):
    check_forward(case)


@PROPERTY
@given(transposed_cases())
def test_transposed_matches_naive(case):
    try:
        quad, extra, out = expected_transposed(case)
    except naive.Illegal as why:
        event(f"illegal: {why}")
        with pytest.raises(ConfigError):
            make_spec(**case)
        return
    event("legal")
    spec = make_spec(**case)
    assert (spec.padding, spec.output_padding, spec.output_size) == (quad, extra, out)
    want = naive.transposed2d(case["input"], case["weights"], case["stride"], case["dilation"],
                              (quad[0], quad[2]), out)
    got = compute(spec)
    assert got.shape == out
    np.testing.assert_array_equal(got, want)
    # the equivalent convolution the gather view draws has the documented shape
    g = spec.gather
    ke = spec.k_eff
    assert g.spread_size == tuple((n - 1) * s + 1 for n, s in zip(spec.input_size, spec.stride))
    assert g.padding == (ke[0] - 1 - quad[0], ke[0] - 1 - quad[1] + extra[0],
                         ke[1] - 1 - quad[2], ke[1] - 1 - quad[3] + extra[1])
    assert tuple(n - k + 1 for n, k in zip(g.grid_size, ke)) == out


def test_legal_fraction_of_generated_cases_is_high_enough():
    """The property tests must mostly exercise legal configs, not only error paths."""
    legal = {"conv": 0, "maxpool": 0, "avgpool": 0, "transposed": 0}
    seen = dict.fromkeys(legal, 0)

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(st.one_of(forward_cases("conv"), forward_cases("maxpool"), forward_cases("avgpool"),
                     transposed_cases()))
    def count(case):
        seen[case["op"]] += 1
        try:
            if case["op"] == "transposed":
                expected_transposed(case)
            else:
                expected_forward(case)
        except naive.Illegal:
            return
        legal[case["op"]] += 1

    count()
    for op in legal:
        assert seen[op] and legal[op] / seen[op] >= 0.3, (op, legal[op], seen[op])


def test_random_float_values_match_naive():
    rng = np.random.default_rng(7)
    done = 0
    while done < 60:
        n, k = rng.integers(1, 8, size=2), rng.integers(1, 5, size=2)
        s, d = rng.integers(1, 4, size=2), rng.integers(1, 4, size=2)
        x, w = rng.normal(size=n), rng.normal(size=k)
        op = ("conv", "transposed")[done % 2]
        try:
            spec = make_spec(op=op, input=x.tolist(), weights=w.tolist(), stride=s.tolist(),
                             dilation=d.tolist(), padding=rng.integers(0, 3, size=4).tolist())
        except ConfigError:
            continue
        np.testing.assert_allclose(compute(spec), naive.reference(spec), rtol=1e-12, atol=1e-12)
        done += 1


# ---------------------------------------------------------------------------------------------
# Trace identities
# ---------------------------------------------------------------------------------------------


@st.composite
def legal_specs(draw):
    """A legal conv or transposed spec (illegal draws are rejected by the strategy)."""
    case = draw(st.one_of(forward_cases("conv"), transposed_cases()))
    try:
        return make_spec(**case)
    except ConfigError:
        event("rejected: illegal")
        from hypothesis import reject

        reject()


def sum_taps(spec, steps) -> np.ndarray:
    out = np.zeros(spec.output_size)
    for step in steps:
        for kr, kc, ir, ic, o_r, o_c in step.taps:
            out[o_r, o_c] += spec.weights[kr, kc] * spec.input[ir, ic]
    return out


def check_index_law(spec, step) -> None:
    s, d, t = spec.stride, spec.dilation, spec.padding
    kr, kc, ir, ic, o_r, o_c = step.taps.T
    if spec.is_transposed:  # o = i * s + k * d - t
        assert np.all(o_r == ir * s[0] + kr * d[0] - t[0])
        assert np.all(o_c == ic * s[1] + kc * d[1] - t[2])
    else:  # i = o * s + k * d - t
        assert np.all(ir == o_r * s[0] + kr * d[0] - t[0])
        assert np.all(ic == o_c * s[1] + kc * d[1] - t[2])
    assert np.all((ir >= 0) & (ir < spec.input_size[0]) & (ic >= 0) & (ic < spec.input_size[1]))
    assert np.all((o_r >= 0) & (o_r < spec.output_size[0]))
    assert np.all((o_c >= 0) & (o_c < spec.output_size[1]))


def check_gather(spec) -> None:
    out = compute(spec)
    steps = trace(spec, "gather")
    assert isinstance(steps, Trace) and steps.view == "gather"
    assert len(steps) == spec.steps("gather") == spec.output_size[0] * spec.output_size[1]
    g = spec.gather
    (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
    listed = list(steps)
    for n, step in enumerate(listed):
        assert step.index == n
        assert step.cell == divmod(n, spec.output_size[1])  # row-major from the top-left
        assert step.value == out[step.cell]
        assert step.taps.dtype == np.int64 and step.taps.shape[1] == 6
        assert {(int(r), int(c)) for r, c in step.taps[:, 4:]} <= {step.cell}
        check_index_law(spec, step)
        # the whole window lies on the grid the gather view draws
        assert step.window == (step.cell[0] * g.stride[0], step.cell[1] * g.stride[1])
        assert step.window[0] >= 0 and step.window[0] + (kh - 1) * dh < g.grid_size[0]
        assert step.window[1] >= 0 and step.window[1] + (kw - 1) * dw < g.grid_size[1]
        # every tap's input sits under its kernel cell of the window
        kr, kc, ir, ic = step.taps[:, :4].T
        if spec.is_transposed:  # the kernel is rotated; inputs are spread by the stride
            assert np.all(ir * spec.stride[0] + g.padding[0] == step.window[0] + (kh - 1 - kr) * dh)
            assert np.all(ic * spec.stride[1] + g.padding[2] == step.window[1] + (kw - 1 - kc) * dw)
        else:
            assert np.all(ir + g.padding[0] == step.window[0] + kr * dh)
            assert np.all(ic + g.padding[2] == step.window[1] + kc * dw)
        if not spec.is_transposed:  # every kernel cell over a real input cell is a tap
            want = {(a, b) for a in range(kh) for b in range(kw)
                    if 0 <= step.cell[0] * spec.stride[0] + a * dh - spec.padding[0]
                    < spec.input_size[0]
                    and 0 <= step.cell[1] * spec.stride[1] + b * dw - spec.padding[2]
                    < spec.input_size[1]}
            assert {(int(a), int(b)) for a, b in step.taps[:, :2]} == want
    np.testing.assert_array_equal(sum_taps(spec, listed), out)


def check_scatter(spec) -> None:
    out = compute(spec)
    steps = trace(spec, "scatter")
    assert len(steps) == spec.steps("scatter") == spec.input_size[0] * spec.input_size[1]
    (kh, kw), s, d, t = spec.kernel_size, spec.stride, spec.dilation, spec.padding
    H, W = spec.output_size
    listed = list(steps)
    for n, step in enumerate(listed):
        assert step.cell == divmod(n, spec.input_size[1])
        assert step.value == spec.input[step.cell]
        assert {(int(r), int(c)) for r, c in step.taps[:, 2:4]} <= {step.cell}
        check_index_law(spec, step)
        assert step.window == (step.cell[0] * s[0] - t[0], step.cell[1] * s[1] - t[2])
        kr, kc, _, _, o_r, o_c = step.taps.T
        assert np.all(o_r == step.window[0] + kr * d[0])
        assert np.all(o_c == step.window[1] + kc * d[1])
        want = {(a, b) for a in range(kh) for b in range(kw)
                if 0 <= step.window[0] + a * d[0] < H and 0 <= step.window[1] + b * d[1] < W}
        assert {(int(a), int(b)) for a, b in step.taps[:, :2]} == want
    np.testing.assert_array_equal(sum_taps(spec, listed), out)


@TRACE_PROPERTY
@given(legal_specs())
def test_trace_identities(spec):
    check_gather(spec)
    if spec.is_transposed:
        check_scatter(spec)


@pytest.mark.parametrize("view", ["gather", "scatter", "both"])
def test_trace_follows_the_view_of_the_spec(view):
    spec = make_spec(op="transposed", size=[2, 3], kernel=3, stride=2, view=view)
    steps = trace(spec)
    assert steps.view == ("gather" if view == "both" else view)
    assert len(steps) == spec.steps(steps.view)
    if view == "both":
        assert spec.frames == max(spec.steps("gather"), spec.steps("scatter")) == 35
    else:
        assert spec.frames == len(steps)
    # gather and scatter of the same op end with the same numbers
    gathered = sum_taps(spec, trace(spec, "gather"))
    scattered = sum_taps(spec, trace(spec, "scatter"))
    np.testing.assert_array_equal(gathered, scattered)
    np.testing.assert_array_equal(gathered, compute(spec))
    np.testing.assert_array_equal(trace(spec, "scatter").output, compute(spec))


def test_trace_is_a_sequence():
    spec = make_spec(op="conv", size=4, kernel=3)
    steps = trace(spec)
    assert len(steps) == 4
    assert steps[-1].cell == (1, 1) and steps[-1].index == 3
    assert [s.index for s in steps[1:3]] == [1, 2]
    assert [s.cell for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    with pytest.raises(IndexError):
        steps[4]
    with pytest.raises(IndexError):
        steps[-5]
    with pytest.raises(ValueError, match="view"):
        Trace(spec, "sideways", compute(spec))


def test_conv_trace_step_has_every_kernel_cell_when_inside():
    spec = make_spec(op="conv", size=5, kernel=3, stride=2, padding=1)
    steps = trace(spec)
    assert len(steps[0].taps) == 4  # the corner window: 2x2 of the kernel over the input
    assert len(steps[4].taps) == 9  # the centre window lies inside the input
    assert steps[4].window == (2, 2)


# ---------------------------------------------------------------------------------------------
# Adjoint: <conv(x), y> == <x, transposed(y)>
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_adjoint_identity(data):
    draw = data.draw
    size = (draw(sizes), draw(sizes))
    kernel = (draw(kernels), draw(kernels))
    stride, dilation = [draw(strides), draw(strides)], [draw(dilations), draw(dilations)]
    padding = draw(paddings)
    weights = values(draw, kernel)
    x = values(draw, size)
    try:
        conv = make_spec(op="conv", input=x, weights=weights, stride=stride, dilation=dilation,
                         padding=padding)
    except ConfigError:
        event("conv illegal")
        return
    y = values(draw, conv.output_size)
    try:
        up = make_spec(op="transposed", input=y, weights=weights, stride=stride,
                       dilation=dilation, padding=padding, output_size=list(size))
    except ConfigError:  # never expected: the conv of N always gives back its output size
        pytest.fail(f"transposed of a legal conv rejected: {padding}")
    event("checked")
    assert up.output_size == size
    assert up.padding == conv.padding
    lhs = float(np.sum(compute(conv) * np.array(y)))
    rhs = float(np.sum(np.array(x) * compute(up)))
    assert lhs == rhs


# ---------------------------------------------------------------------------------------------
# Small pieces
# ---------------------------------------------------------------------------------------------


def test_pad_or_crop():
    a = np.arange(6.0).reshape(2, 3)
    assert pad_or_crop(a, (0, 0, 0, 0)).tolist() == a.tolist()
    assert pad_or_crop(a, (1, 0, 0, 2), value=-1).tolist() == [
        [-1, -1, -1, -1, -1], [0, 1, 2, -1, -1], [3, 4, 5, -1, -1]]
    assert pad_or_crop(a, (-1, 0, -1, -1)).tolist() == [[4.0]]


def test_compute_returns_float64_of_the_output_size():
    for case in ({"op": "conv", "size": [3, 5], "kernel": [2, 3]},
                 {"op": "transposed", "size": [3, 5], "kernel": [2, 3], "stride": 2},
                 {"op": "maxpool", "size": [3, 5], "kernel": 2},
                 {"op": "avgpool", "size": [3, 5], "kernel": 2, "padding": 1}):
        spec = make_spec(**case)
        out = compute(spec)
        assert out.dtype == np.float64 and out.shape == spec.output_size
        np.testing.assert_array_equal(out, naive.reference(spec))
