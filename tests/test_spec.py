"""Known answers and the shape rules of make_spec (PyTorch and TensorFlow conventions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import naive
from deconv_anim import ConfigError, compute, config_from_mapping, make_spec, trace
from deconv_anim.presets import PRESETS, REFERENCE_NAMES

ONES4 = [[1] * 4] * 4
ONES3 = [[1] * 3] * 3
ONES2 = [[1] * 2] * 2


def check(spec) -> np.ndarray:
    """compute() of ``spec``, checked against the naive reference."""
    out = compute(spec)
    assert out.shape == spec.output_size
    np.testing.assert_array_equal(out, naive.reference(spec))
    return out


# ---------------------------------------------------------------------------------------------
# The seed article (TensorFlow)
# ---------------------------------------------------------------------------------------------


def test_seed_conv_valid_ones():
    spec = make_spec(op="conv", input=ONES4, weights=ONES3, padding="valid")
    assert spec.output_size == (2, 2) and spec.padding == (0, 0, 0, 0)
    assert check(spec).tolist() == [[9, 9], [9, 9]]


def test_seed_transposed_valid_ones():
    spec = make_spec(op="transposed", input=ONES2, weights=ONES3, padding="valid",
                     output_size=4)
    assert spec.output_size == (4, 4) and spec.output_padding == (0, 0)
    assert check(spec).tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    # the equivalent convolution: a 2x2 input padded by k - 1 = 2 all round
    assert spec.gather.padding == (2, 2, 2, 2) and spec.gather.grid_size == (6, 6)


@pytest.mark.parametrize("name", ["seed_conv", "seed_transposed"])
def test_seed_presets(name):
    spec = config_from_mapping(PRESETS[name]).spec
    assert spec.output_size == ((2, 2) if name == "seed_conv" else (4, 4))
    check(spec)


# ---------------------------------------------------------------------------------------------
# Dumoulin & Visin's 15 figures
# ---------------------------------------------------------------------------------------------

REFERENCE_SIZES = {
    "no_padding_no_strides": 2, "arbitrary_padding_no_strides": 6,
    "same_padding_no_strides": 5, "full_padding_no_strides": 7, "no_padding_strides": 2,
    "padding_strides": 3, "padding_strides_odd": 3,
    "no_padding_no_strides_transposed": 4, "arbitrary_padding_no_strides_transposed": 5,
    "same_padding_no_strides_transposed": 5, "full_padding_no_strides_transposed": 5,
    "no_padding_strides_transposed": 5, "padding_strides_transposed": 5,
    "padding_strides_odd_transposed": 6, "dilation": 3,
}

# Dumoulin & Visin: the transposed op is a stride-1 conv over the input spread by s - 1 zeros,
# padded by k - p - 1 (plus a' at the bottom/right).
EQUIVALENT_PADDING = {
    "no_padding_no_strides_transposed": (2, 2, 2, 2),
    "arbitrary_padding_no_strides_transposed": (1, 1, 1, 1),
    "same_padding_no_strides_transposed": (1, 1, 1, 1),
    "full_padding_no_strides_transposed": (0, 0, 0, 0),
    "no_padding_strides_transposed": (2, 2, 2, 2),
    "padding_strides_transposed": (1, 1, 1, 1),
    "padding_strides_odd_transposed": (1, 2, 1, 2),
}


def test_reference_names():
    assert len(REFERENCE_NAMES) == 15
    assert set(REFERENCE_NAMES) == set(REFERENCE_SIZES)
    # every shipped config is a preset (gallery.yaml lays out the gallery: not a config)
    shipped = {path.stem for path in Path(__file__).parents[1].joinpath("configs").glob("*.yaml")}
    assert set(PRESETS) == shipped - {"gallery"} and len(PRESETS) == 59
    assert set(REFERENCE_NAMES) | {"seed_conv", "seed_transposed", "maxpool"} <= set(PRESETS)


@pytest.mark.parametrize("name", list(REFERENCE_SIZES))
def test_reference_figures(name):
    spec = config_from_mapping(PRESETS[name], name=name).spec
    out = REFERENCE_SIZES[name]
    assert spec.output_size == (out, out)
    assert spec.frames == out * out == len(trace(spec))
    check(spec)
    if name in EQUIVALENT_PADDING:
        conv = config_from_mapping(PRESETS[name.removesuffix("_transposed")]).spec
        assert spec.input_size == conv.output_size  # it reverses the shape of its conv
        assert spec.output_size == conv.input_size
        g = spec.gather
        assert g.padding == EQUIVALENT_PADDING[name]
        assert g.spacing == spec.stride and g.stride == (1, 1) and g.rotated
        n, s = spec.input_size[0], spec.stride[0]
        assert g.spread_size == ((n - 1) * s + 1,) * 2


# ---------------------------------------------------------------------------------------------
# TensorFlow's same padding and output_shape, Keras' default, PyTorch's output_padding
# ---------------------------------------------------------------------------------------------


def test_tf_asymmetric_same_is_not_torch_padding_1():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    w = [[1, 2, 3], [0, 1, 0], [2, 0, 1]]
    tf = make_spec(op="transposed", input=x, weights=w, stride=2, padding="same",
                   output_size=6)
    assert tf.output_size == (6, 6)
    assert tf.padding == (0, 1, 0, 1) and tf.output_padding == (0, 0)
    torch = make_spec(op="transposed", input=x, weights=w, stride=2, padding=1,
                      output_padding=1)
    assert torch.output_size == (6, 6)
    assert torch.padding == (1, 1, 1, 1) and torch.output_padding == (1, 1)
    a, b = check(tf), check(torch)
    assert not np.array_equal(a, b)
    # TF puts the odd row at the bottom, so its output is PyTorch's shifted by one cell
    np.testing.assert_array_equal(a[1:, 1:], b[:-1, :-1])


def test_keras_same_with_output_padding():
    """Keras' Conv2DTranspose(padding='same', output_padding=a) asks for (n-1)s + k - 2(k//2) + a;
    TensorFlow then places the padding itself."""
    spec = make_spec(op="transposed", size=3, kernel=3, stride=2, padding="same",
                     output_padding=1)
    assert spec.output_size == (6, 6) and spec.padding == (0, 1, 0, 1)
    assert spec.output_padding == (0, 0)
    check(spec)
    spec = make_spec(op="transposed", size=3, kernel=3, stride=2, padding="same",
                     output_padding=0)
    assert spec.output_size == (5, 5) and spec.padding == (1, 1, 1, 1)
    with pytest.raises(ConfigError, match=r"^output_padding: must be smaller than the stride"):
        make_spec(op="transposed", size=3, kernel=2, stride=2, padding="same", output_padding=2)
    with pytest.raises(ConfigError, match=r"^output_padding: .*legal: 5\.\.6"):
        make_spec(op="transposed", size=3, kernel=4, stride=2, padding="same", output_padding=0)


@pytest.mark.parametrize(("padding", "legal", "illegal", "text"), [
    ("same", [5, 6], [4, 7], "legal: 5..6"),
    ("valid", [7, 8], [6, 9], "legal: 7..8"),
    ([1, 1], [5, 6], [4, 7], "legal: 5..6"),
    ([0, 1, 0, 1], [6, 7], [5, 8], "legal: 6..7"),
])
def test_tf_legal_output_sizes(padding, legal, illegal, text):
    for size in legal:
        spec = make_spec(op="transposed", size=3, kernel=3, stride=2, padding=padding,
                         output_size=size)
        assert spec.output_size == (size, size)
        check(spec)
    for size in illegal:
        with pytest.raises(ConfigError) as error:
            make_spec(op="transposed", size=3, kernel=3, stride=2, padding=padding,
                      output_size=size)
        message = str(error.value)
        assert message.startswith("output_size: ")
        assert f"{size} rows is not a legal output" in message and text in message


def test_output_size_per_axis():
    spec = make_spec(op="transposed", size=[3, 2], kernel=[3, 1], stride=[2, 3], padding="same",
                     output_size=[5, 6])
    assert spec.output_size == (5, 6) and spec.padding == (1, 1, 0, 0)
    check(spec)
    with pytest.raises(ConfigError, match=r"^output_size: 3 columns .*legal: 4\.\.6"):
        make_spec(op="transposed", size=[3, 2], kernel=[3, 1], stride=[2, 3], padding="same",
                  output_size=[5, 3])


@pytest.mark.parametrize(("n", "k", "s", "out"), [(3, 3, 2, 6), (4, 4, 3, 12), (2, 1, 1, 2),
                                                  (5, 2, 1, 5)])
def test_keras_default_same_is_input_times_stride(n, k, s, out):
    spec = make_spec(op="transposed", size=n, kernel=k, stride=s, padding="same")
    assert spec.output_size == (out, out)
    check(spec)


def test_torch_output_padding_rule():
    spec = make_spec(op="transposed", size=3, kernel=3, stride=1, dilation=2, output_padding=1)
    assert spec.output_padding == (1, 1) and spec.output_size == (8, 8)
    check(spec)
    spec = make_spec(op="transposed", size=3, kernel=3, stride=2, output_padding=[1, 0])
    assert spec.output_size == (8, 7)
    check(spec)
    with pytest.raises(ConfigError, match=r"^output_padding: must be smaller than "
                                          r"max\(stride, dilation\) = 2 on the rows axis"):
        make_spec(op="transposed", size=3, kernel=3, stride=1, dilation=2, output_padding=2)
    with pytest.raises(ConfigError, match=r"max\(stride, dilation\) = 1 on the columns axis"):
        make_spec(op="transposed", size=3, kernel=3, output_padding=[0, 1])
    with pytest.raises(ConfigError, match=r"= 3 .*got 3"):
        make_spec(op="transposed", size=3, kernel=3, stride=3, output_padding=3)


def test_output_padding_conflicting_with_output_size():
    spec = make_spec(op="transposed", size=3, kernel=3, stride=2, output_size=8,
                     output_padding=1)
    assert spec.output_padding == (1, 1)
    with pytest.raises(ConfigError) as error:
        make_spec(op="transposed", size=3, kernel=3, stride=2, output_size=7, output_padding=1)
    message = str(error.value)
    assert message.startswith("output_padding: conflicts with output_size")
    assert "gives 0" in message and "says 1" in message


@pytest.mark.parametrize(("case", "crop"), [
    ({"size": 5, "kernel": 3, "padding": 3}, (-1, -1, -1, -1)),
    ({"size": 4, "kernel": 2, "stride": 2, "padding": 3}, (-2, -2, -2, -2)),
    ({"size": [4, 5], "kernel": [2, 3], "stride": [2, 1], "dilation": [3, 1],
      "padding": [5, 1, 0, 4], "output_padding": [2, 0]}, (-2, 4, 2, -2)),
])
def test_heavy_padding_crops_the_spread_input(case, crop):
    rng = np.random.default_rng(3)
    spec = make_spec(op="transposed", seed=4, **case)
    assert spec.gather.padding == crop
    check(spec)
    x = rng.integers(-3, 4, size=spec.input_size).tolist()
    check(make_spec(op="transposed", input=x, **{k: v for k, v in case.items() if k != "size"}))


@pytest.mark.parametrize("case", [
    {"size": 1, "kernel": 1, "padding": 1},
    {"size": 2, "kernel": 1, "padding": [1, 0]},
    {"size": 2, "kernel": 2, "stride": 2, "padding": [2, 2, 0, 0]},
])
def test_empty_transposed_output_is_an_error(case):
    with pytest.raises(ConfigError, match=r"^padding: is so large that the output is empty"):
        make_spec(op="transposed", **case)


# ---------------------------------------------------------------------------------------------
# Convolution and pool shapes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k", "s", "d", "pads", "out"), [
    (5, 3, 1, 1, (1, 1), 5), (5, 4, 1, 1, (1, 2), 5), (6, 3, 2, 1, (0, 1), 3),
    (7, 3, 2, 2, (2, 2), 4), (1, 4, 3, 1, (1, 2), 1), (4, 2, 3, 1, (0, 1), 2),
])
def test_tf_same_conv_padding(n, k, s, d, pads, out):
    spec = make_spec(op="conv", size=[n, 2], kernel=[k, 1], stride=[s, 1], dilation=[d, 1],
                     padding="same")
    assert spec.padding == (*pads, 0, 0)
    assert spec.output_size == (out, 2) and out == -(-n // s)
    check(spec)


def test_full_padding_and_padding_forms():
    assert make_spec(op="conv", size=3, kernel=2, dilation=2, padding="full").padding == (
        2, 2, 2, 2)
    assert make_spec(op="conv", size=3, kernel=2, padding=1).padding == (1, 1, 1, 1)
    assert make_spec(op="conv", size=3, kernel=2, padding=[1, 0]).padding == (1, 1, 0, 0)
    spec = make_spec(op="conv", size=3, kernel=2, padding=[0, 1, 2, 3])
    assert spec.padding == (0, 1, 2, 3) and spec.padding_form == "explicit"
    assert spec.output_size == (3, 7)
    assert make_spec(op="conv", size=3, kernel=2, padding=" SAME ").padding_form == "same"


def test_kernel_larger_than_padded_input():
    with pytest.raises(ConfigError) as error:
        make_spec(op="conv", size=[5, 3], kernel=[3, 3], dilation=[1, 2], padding=[0, 0, 1, 0])
    message = str(error.value)
    assert message.startswith("kernel: the dilated kernel (5 columns) is larger than the "
                              "padded input (3 + 1 + 0 = 4)")


def test_pools():
    spec = make_spec(op="maxpool", input=[[1, 5, 2], [0, -1, 7]], kernel=2, stride=1)
    assert check(spec).tolist() == [[5, 7]]
    assert make_spec(op="maxpool", size=4, kernel=2).stride == (2, 2)  # default: the kernel
    x = [[1, 2], [3, 4]]
    inc = make_spec(op="avgpool", input=x, kernel=2, stride=1, padding=1)
    exc = make_spec(op="avgpool", input=x, kernel=2, stride=1, padding=1,
                    count_include_pad=False)
    assert inc.count_include_pad and not exc.count_include_pad
    assert check(inc)[0, 0] == 0.25 and check(exc)[0, 0] == 1.0
    assert check(exc)[1, 1] == 2.5
    np.testing.assert_array_equal(inc.weights, np.ones((2, 2)))
    with pytest.raises(ConfigError, match=r"^padding: must be at most half the kernel \(1\)"):
        make_spec(op="maxpool", size=4, kernel=2, padding=2)
    with pytest.raises(ConfigError, match=r"^dilation: is not supported by op: avgpool"):
        make_spec(op="avgpool", size=4, kernel=2, dilation=2)
    with pytest.raises(ConfigError, match=r"^weights: is not used by op: maxpool"):
        make_spec(op="maxpool", size=2, weights=[[1]])
    # PyTorch's rule is half the kernel, not half the dilated kernel
    with pytest.raises(ConfigError, match=r"^padding: must be at most half the kernel \(1\)"):
        make_spec(op="maxpool", size=8, kernel=3, dilation=2, stride=1, padding=2)
    assert make_spec(op="maxpool", size=8, kernel=3, dilation=2, stride=1,
                     padding=1).output_size == (6, 6)
    # a dilated max pool may put a whole window in the padding: PyTorch gives -inf there,
    # which no figure can show and JSON cannot hold, so it is refused with the reason
    with pytest.raises(ConfigError, match=r"^padding: leaves max-pool window 0 \(rows\) with no"):
        make_spec(op="maxpool", input=[[1], [2]], kernel=[2, 1], dilation=[3, 1],
                  stride=1, padding=[1, 0])
    spec = make_spec(op="maxpool", input=[[1], [2], [3]], kernel=[2, 1], dilation=[3, 1],
                     stride=1, padding=[1, 0])
    assert check(spec).tolist() == [[3.0], [1.0]]


# ---------------------------------------------------------------------------------------------
# Values, defaults, the spec object
# ---------------------------------------------------------------------------------------------


def test_default_values_are_seeded_small_integers():
    a = make_spec(op="conv", size=[4, 5], kernel=3)
    b = make_spec(op="conv", size=[4, 5], kernel=3)
    np.testing.assert_array_equal(a.input, b.input)
    assert a.input.shape == (4, 5) and a.weights.shape == (3, 3)
    assert set(np.unique(a.input)) <= {0, 1, 2, 3} and set(np.unique(a.weights)) <= {0, 1, 2}
    c = make_spec(op="conv", size=[4, 5], kernel=3, seed=1)
    assert not np.array_equal(a.input, c.input)
    # the input and weight streams are separate: a new kernel size keeps the input
    d = make_spec(op="conv", size=[4, 5], kernel=2)
    np.testing.assert_array_equal(a.input, d.input)
    assert not a.input.flags.writeable and not a.weights.flags.writeable


def test_values_give_the_shapes():
    spec = make_spec(op="conv", input=[[1, 2, 3]], weights=[1, 1])  # a flat row is one row
    assert spec.input_size == (1, 3) and spec.kernel_size == (1, 2)
    assert check(spec).tolist() == [[3, 5]]
    spec = make_spec(op="conv", size=[2, 3], input=[[1, 2, 3], [4, 5, 6]], kernel=[1, 2],
                     weights=[[1, -1]])
    assert check(spec).tolist() == [[-1, -1], [-1, -1]]
    assert spec.input.dtype == np.float64 and not spec.input.flags.writeable


def test_spec_fields():
    spec = make_spec(op=" Transposed ", size=[2, 3], kernel=[3, 2], stride=[2, 1],
                     dilation=[1, 2], padding=[1, 0, 0, 1], view="Both")
    assert spec.op == "transposed" and spec.view == "both" and spec.is_transposed
    assert not spec.is_pool and spec.k_eff == (3, 3)
    assert spec.steps("gather") == spec.output_size[0] * spec.output_size[1]
    assert spec.steps("scatter") == 6
    assert spec.frames == max(spec.steps("gather"), 6)
    assert make_spec(op="avgpool", size=2, kernel=1).is_pool
    conv = make_spec(op="conv", size=5, kernel=3, stride=2)
    g = conv.gather
    assert (g.spread_size, g.spacing, g.padding, g.stride, g.rotated) == (
        (5, 5), (1, 1), (0, 0, 0, 0), (2, 2), False)
    assert g.grid_size == (5, 5) and g.output_size == conv.output_size


def test_make_spec_doc_examples():
    t = make_spec(op="transposed", size=3, kernel=3, stride=2, padding="same", output_size=6)
    assert t.gather.padding == (2, 1, 2, 1)
    assert make_spec(op="conv", size=5, kernel=3, stride=2, padding=1).output_size == (3, 3)


# ---------------------------------------------------------------------------------------------
# The core does not import the rendering or command-line libraries
# ---------------------------------------------------------------------------------------------


def test_core_modules_do_not_import_pil_imageio_or_click():
    code = (
        "import sys\n"
        "import deconv_anim.spec, deconv_anim.engine, deconv_anim.config, deconv_anim.report\n"
        "from deconv_anim import make_spec, compute, trace, load_config\n"
        "from deconv_anim.report import as_json, describe\n"
        "s = make_spec(op='transposed', size=2, kernel=3, stride=2)\n"
        "as_json(s, steps=True); describe(s)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('PIL', 'imageio', 'click'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "", f"the core imported {result.stdout.strip()}"
