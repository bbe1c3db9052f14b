"""The op's matrix: every entry against the naive op applied to unit vectors, and the
transpose identity (a transposed op's matrix is Cᵀ of the conv it reverses)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import naive
from deconv_anim import ConfigError, compute, make_spec
from deconv_anim.cli import main
from deconv_anim.matrix import op_matrix
from test_engine import forward_cases, transposed_cases

MATRIX_PROPERTY = settings(max_examples=60, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])


def _spec(case: dict):
    try:
        return make_spec(**case)
    except ConfigError:
        return None


def unit_vector_matrix(spec) -> np.ndarray:
    """Column j = the naive op applied to the j-th unit input (row-major)."""
    (h, w) = spec.input_size
    columns = []
    for j in range(h * w):
        unit = np.zeros(h * w)
        unit[j] = 1.0

        class Probe:  # the spec's shapes, the unit vector as input
            op, weights, kernel_size = spec.op, spec.weights, spec.kernel_size
            stride, dilation, padding = spec.stride, spec.dilation, spec.padding
            output_size, count_include_pad = spec.output_size, spec.count_include_pad
            input = unit.reshape(h, w)

        columns.append(naive.reference(Probe).ravel())
    return np.stack(columns, axis=1)


@MATRIX_PROPERTY
@given(st.one_of(forward_cases("conv"), forward_cases("avgpool"), transposed_cases()))
def test_every_entry_is_the_op_on_a_unit_vector(case):
    spec = _spec(case)
    if spec is None:
        event("illegal")
        return
    m = op_matrix(spec)
    assert m.shape == (spec.output_size[0] * spec.output_size[1],
                       spec.input_size[0] * spec.input_size[1])
    np.testing.assert_allclose(m, unit_vector_matrix(spec), rtol=0, atol=1e-12)
    # and the product is the op
    np.testing.assert_allclose(m @ spec.input.ravel(), compute(spec).ravel(), atol=1e-9)


@MATRIX_PROPERTY
@given(transposed_cases())
def test_transposed_matrix_is_the_forward_conv_matrix_transposed(case):
    up = _spec(case)
    if up is None:
        event("illegal")
        return
    # the conv from the transposed op's output size back to its input size, same numbers
    conv = make_spec(op="conv", size=list(up.output_size), kernel=list(up.kernel_size),
                     stride=list(up.stride), dilation=list(up.dilation),
                     padding=list(up.padding), weights=up.weights.tolist())
    rows, cols = conv.output_size
    n_rows, n_cols = up.input_size
    assert rows >= n_rows and cols >= n_cols
    event("extra conv rows" if (rows, cols) != (n_rows, n_cols) else "square")
    c = op_matrix(conv).reshape(rows, cols, -1)[:n_rows, :n_cols].reshape(n_rows * n_cols, -1)
    np.testing.assert_array_equal(op_matrix(up), c.T)


@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, [0, 2], [1, 0, 2, 1]])
def test_transpose_identity_for_every_padding_form(padding):
    weights = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    conv = make_spec(op="conv", size=[5, 6], kernel=3, stride=2, padding=padding,
                     weights=weights)
    up = make_spec(op="transposed", size=list(conv.output_size), kernel=3, stride=2,
                   padding=padding, weights=weights, output_size=[5, 6])
    np.testing.assert_array_equal(op_matrix(up), op_matrix(conv).T)


def test_known_conv_matrix():
    # 1-D valid conv of 3 inputs with [a, b]: the textbook banded matrix
    spec = make_spec(op="conv", input=[[1, 2, 3]], weights=[[5, 7]])
    assert op_matrix(spec).tolist() == [[5, 7, 0], [0, 5, 7]]
    # stride 2 transposed of 2 inputs with kernel 3: columns are the stamps
    up = make_spec(op="transposed", input=[[1, 1]], weights=[[1, 2, 3]], stride=[1, 2])
    assert op_matrix(up).T.tolist() == [[1, 2, 3, 0, 0], [0, 0, 1, 2, 3]]


def test_avgpool_without_padding_counts_divides_by_the_cells_inside():
    spec = make_spec(op="avgpool", size=[1, 3], kernel=[1, 2], stride=1, padding=[0, 1],
                     count_include_pad=False)
    m = op_matrix(spec)
    assert m.tolist() == [[1, 0, 0], [0.5, 0.5, 0], [0, 0.5, 0.5], [0, 0, 1]]


def test_maxpool_has_no_matrix():
    with pytest.raises(ConfigError, match="op: max pooling"):
        op_matrix(make_spec(op="maxpool", size=4, kernel=2))


def test_too_large_is_refused_before_building():
    spec = make_spec(op="conv", size=64, kernel=3, padding="same")
    with pytest.raises(ConfigError, match="4096x4096 = 16777216 entries, more than the limit"):
        op_matrix(spec)
    assert op_matrix(spec, limit=4096 * 4096).shape == (4096, 4096)


def test_json_works_at_1024_by_1024():
    spec = make_spec(op="conv", size=32, kernel=3, padding="same")
    result = CliRunner().invoke(main, ["info", "--json", "--matrix", "--op", "conv",
                                       "--size", "32", "--kernel", "3", "--padding", "same"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert len(info["matrix"]) == 1024 and len(info["matrix"][0]) == 1024
    np.testing.assert_array_equal(np.array(info["matrix"]), op_matrix(spec))


def test_cli_matrix_needs_json_and_refuses_maxpool():
    runner = CliRunner()
    result = runner.invoke(main, ["info", "--matrix", "--op", "conv", "--size", "4"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --matrix: adds the op's matrix to the JSON: add --json"]
    result = runner.invoke(main, ["info", "--json", "--matrix", "--op", "maxpool",
                                  "--size", "4", "--kernel", "2"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: op: max pooling picks the largest value")
    assert len(result.output.strip().splitlines()) == 1


def test_json_of_a_transposed_config_is_c_transposed():
    result = CliRunner().invoke(main, ["info", "--json", "--matrix",
                                       "configs/padding_strides_transposed.yaml"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    up = make_spec(op="transposed", input=info["input"], weights=info["weights"],
                   stride=info["stride"], padding=info["padding"],
                   output_size=info["output_size"])
    conv = make_spec(op="conv", size=info["output_size"], weights=info["weights"],
                     stride=info["stride"], padding=info["padding"])
    assert np.array(info["matrix"]).tolist() == op_matrix(conv).T.tolist()
    assert np.array(info["matrix"]).tolist() == op_matrix(up).tolist()


# -- channel mode: vectors flattened as [C][H][W] ------------------------------------------


def _naive_channel_op(spec) -> np.ndarray:
    """The op without its bias, by the naive channel references of tests/naive.py."""
    x, w = spec.input, spec.weights
    t, _, l, _ = spec.padding
    if spec.is_transposed:
        return naive.transposed2d_channels(x, w, spec.groups, None, spec.stride,
                                           spec.dilation, (t, l), spec.output_size)
    return naive.conv2d_channels(x, w, spec.groups, None, spec.stride, spec.dilation,
                                 spec.padding)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=st.sampled_from(["conv", "transposed"]), groups=st.integers(1, 2),
       per_in=st.integers(1, 2), per_out=st.integers(1, 2), size=st.integers(2, 4),
       kernel=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1),
       seed=st.integers(0, 50))
def test_channel_matrix_times_the_flat_input_is_the_op(op, groups, per_in, per_out, size,
                                                       kernel, stride, padding, seed):
    keys = dict(op=op, size=size, kernel=kernel, stride=stride, padding=padding,
                in_channels=groups * per_in, out_channels=groups * per_out, groups=groups,
                bias=True, seed=seed)
    try:
        spec = make_spec(**keys)
    except ConfigError:
        return  # sizes that make no output
    m = op_matrix(spec)
    x = np.asarray(spec.input, float).ravel()
    assert m.shape == (spec.out_channels * int(np.prod(spec.output_size)), x.size)
    want = _naive_channel_op(spec)  # the bias is not in the matrix: y = C x + b
    np.testing.assert_allclose(m @ x, want.ravel(), atol=1e-9)
    bias = np.asarray(spec.bias, float)[:, None, None]
    np.testing.assert_allclose((m @ x).reshape(want.shape) + bias, compute(spec), atol=1e-9)


def test_channel_avgpool_matrix_is_block_diagonal():
    spec = make_spec(op="avgpool", size=4, kernel=2, stride=2, in_channels=3)
    m = op_matrix(spec)
    block = op_matrix(make_spec(op="avgpool", size=4, kernel=2, stride=2))
    np.testing.assert_array_equal(m, np.kron(np.eye(3), block))
    np.testing.assert_allclose(m @ np.asarray(spec.input, float).ravel(),
                               np.asarray(compute(spec)).ravel())
