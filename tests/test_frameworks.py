"""Framework calls (``--torch`` / ``--tf``, ``torch:`` / ``tf:`` keys): the parser against
calls copied from the frameworks' documentation and popular models, hostile inputs, the
command line end to end, and PyTorch's ``ceil_mode`` rule."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import naive
from deconv_anim import ConfigError, compute, config_from_mapping, make_spec
from deconv_anim.cli import main
from deconv_anim.frameworks import channel_keys, expand_call, parse_call


def spec_of(framework: str, call: str, **keys):
    return config_from_mapping({framework: call, **keys}).spec


def shape(spec) -> tuple:
    return spec.output_size


# (framework, call, size, expected output [H, W]); every shape checked against PyTorch's
# and TensorFlow's documented formulas by hand (and, for torch, live in test_codegen).
REAL_WORLD = [
    # PyTorch docs (torch.nn.Conv2d / ConvTranspose2d / pools examples)
    ("torch", "nn.Conv2d(16, 33, 3, stride=2)", [50, 100], (24, 49)),
    ("torch", "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))", [50, 100], (28, 100)),
    ("torch", "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))",
     [50, 100], (26, 100)),
    ("torch", "nn.ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))", [50, 100],
     (93, 100)),
    ("torch", "nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)", 6, (11, 11)),
    ("torch", "nn.MaxPool2d((3, 2), stride=(2, 1))", [50, 32], (24, 31)),
    ("torch", "nn.AvgPool2d(3, stride=2)", [50, 32], (24, 15)),
    ("torch", "nn.Conv1d(16, 33, 3, stride=2)", 50, (1, 24)),
    ("torch", "nn.ConvTranspose1d(16, 33, 3, stride=2)", 50, (1, 101)),
    # ResNet stem and blocks (torchvision)
    ("torch", "nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)", 224,
     (112, 112)),
    ("torch", "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)", 112, (56, 56)),
    ("torch", "torch.nn.Conv2d(64, 64, kernel_size=3, stride=1, padding=1, groups=1, "
              "bias=False, dilation=1)", 56, (56, 56)),
    ("torch", "nn.Conv2d(256, 512, kernel_size=1, stride=2, bias=False)", 56, (28, 28)),
    # DCGAN generator and discriminator (PyTorch examples)
    ("torch", "nn.ConvTranspose2d(100, 512, 4, 1, 0, bias=False)", 1, (4, 4)),
    ("torch", "nn.ConvTranspose2d(64 * 8, 64 * 4, 4, 2, 1, bias=False)", 4, None),  # refused
    ("torch", "nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False)", 8, (16, 16)),
    ("torch", "nn.Conv2d(3, 64, 4, 2, 1, bias=False)", 64, (32, 32)),
    # U-Net (PyTorch ports)
    ("torch", "nn.ConvTranspose2d(1024, 512, kernel_size=2, stride=2)", 28, (56, 56)),
    ("torch", "nn.MaxPool2d(2)", 568, (284, 284)),
    ("torch", "nn.Conv2d(64, 64, kernel_size=3, padding='same', bias=False)", 64, (64, 64)),
    # MobileNet depthwise (groups = channels) and GoogLeNet's ceil_mode pools
    ("torch", "nn.Conv2d(32, 32, 3, stride=2, padding=1, groups=32, bias=False)", 112,
     (56, 56)),
    ("torch", "nn.MaxPool2d(3, stride=2, ceil_mode=True)", 112, (56, 56)),
    ("torch", "nn.MaxPool2d(3, 2, ceil_mode=True)", 55, (27, 27)),
    ("torch", "nn.MaxPool2d(2, 2, ceil_mode=True)", 57, (29, 29)),
    ("torch", "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
     6, (4, 4)),
    # TensorFlow / Keras docs and models
    ("tf", "tf.keras.layers.Conv2D(2, 3, activation=None, input_shape=(28, 28, 3))", None,
     (26, 26)),
    ("tf", "layers.Conv2D(32, (3, 3), padding='same')", 32, (32, 32)),
    ("tf", "keras.layers.Conv2D(64, 3, strides=2, padding='same', use_bias=False)", 5, (3, 3)),
    ("tf", "layers.Conv2DTranspose(8, 3, strides=2, padding='same')", 3, (6, 6)),
    ("tf", "layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding='same', "
           "use_bias=False)", 7, (7, 7)),
    ("tf", "layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding='same', "
           "use_bias=False)", 7, (14, 14)),
    ("tf", "layers.Conv2DTranspose(32, 3, strides=2, padding='valid')", 7, (15, 15)),
    ("tf", "layers.Conv2DTranspose(32, 2, strides=3)", 4, (12, 12)),
    ("tf", "layers.Conv2DTranspose(16, 3, strides=2, padding='same', output_padding=1)", 4,
     (8, 8)),
    ("tf", "layers.Conv2DTranspose(16, 3, strides=2, padding='valid', output_padding=1)", 4,
     (10, 10)),
    ("tf", "layers.MaxPooling2D(pool_size=(2, 2))", 7, (3, 3)),
    ("tf", "layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding='same')", 3, (3, 3)),
    ("tf", "layers.AveragePooling2D(pool_size=(2, 2), strides=(1, 1), padding='valid')", 3,
     (2, 2)),
    ("tf", "layers.Conv1D(32, 3, activation=None, input_shape=(10, 128))", None, (1, 8)),
    ("tf", "layers.Conv1D(4, 3, padding='causal', dilation_rate=2)", 8, (1, 8)),
    ("tf", "tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='VALID')", 4, (2, 2)),
    ("tf", "tf.nn.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 1]), strides=2, "
           "padding='SAME')", None, (3, 3)),
    ("tf", "tf.nn.conv2d(x, w, strides=1, padding=[[0, 0], [1, 1], [2, 2], [0, 0]])", 4,
     (4, 6)),
    ("tf", "tf.nn.conv2d(x, tf.ones([3, 3, 1, 1]), strides=1, padding='VALID', "
           "dilations=2)", 7, (3, 3)),
    ("tf", "tf.nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1]), output_shape=[1, 4, 4, 1], "
           "strides=[1, 1, 1, 1], padding='VALID')", 2, (4, 4)),
    ("tf", "tf.nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1]), [1, 5, 5, 1], 2, 'SAME')", 3,
     (5, 5)),
    ("tf", "tf.nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1]), [1, 1, 6, 6], strides=2, "
           "padding='SAME', data_format='NCHW')", 3, (6, 6)),
    ("tf", "tf.nn.max_pool2d(x, ksize=2, strides=2, padding='VALID')", 6, (3, 3)),
    ("tf", "tf.nn.avg_pool2d(x, ksize=3, strides=2, padding='SAME')", 5, (3, 3)),
]


@pytest.mark.parametrize(("framework", "call", "size", "expected"), REAL_WORLD)
def test_real_world_calls(framework, call, size, expected):
    keys = {} if size is None else {"size": size}
    if "tf.ones([3" not in call and call.startswith("tf.nn.conv"):
        keys["kernel"] = 3
    if expected is None:  # DCGAN writes 64 * 8: arithmetic is not evaluated
        with pytest.raises(ConfigError, match=r"^torch: in_channels: must be a literal"):
            spec_of(framework, call, **keys)
        return
    spec = spec_of(framework, call, **keys)
    assert shape(spec) == expected
    if spec.channels and spec.macs > 200_000:  # real layers: the shape, not the naive loop
        return
    assert np.array_equal(compute(spec), naive.reference(spec))


def test_keras_same_transposed_crops_at_the_end():
    """Keras' 'same' Conv2DTranspose at stride 2 keeps the first row: the pad is after."""
    spec = spec_of("tf", "layers.Conv2DTranspose(8, 3, strides=2, padding='same')", size=3)
    assert spec.padding == (0, 1, 0, 1) and spec.output_size == (6, 6)


def test_channels_and_notes_are_kept():
    call = parse_call("torch", "nn.Conv2d(32, 64, 3, groups=4, bias=False, device='cpu')")
    assert (call.channels.in_channels, call.channels.out_channels, call.channels.groups,
            call.channels.bias) == (32, 64, 4, False)
    assert call.notes == ("device='cpu': does not change the figure",)
    assert channel_keys(call) == {"in_channels": 32, "out_channels": 64, "groups": 4}
    call = parse_call("tf", "layers.Conv2D(8, 3, kernel_initializer=initializers.HeNormal())")
    assert call.channels.out_channels == 8
    assert any(note.startswith("kernel_initializer=") for note in call.notes)


@pytest.mark.parametrize(("framework", "call", "message"), [
    ("torch", "__import__('os')", "torch: unknown layer '__import__'"),
    ("torch", "__import__('os').system('ls')", "torch: the called thing must be a layer name"),
    ("torch", "os.system('rm -rf /')", "torch: unknown layer 'os.system'"),
    ("torch", "nn.Conv2d(1, 1, 3).__class__", "torch: must be one layer call"),
    ("torch", "nn.Conv2d.__init__.__globals__['os']", "torch: must be one layer call"),
    ("torch", "nn.Conv2d(1, 1, 10 ** 100000)", "torch: kernel_size: must be a literal"),
    ("torch", "nn.Conv2d(1, 1, 9" + "9" * 60 + ")", "torch: kernel_size: 9"),
    ("torch", "nn.Conv2d(1, 1, " + "(" * 300 + "3" + ")" * 300 + ")", "torch: the call is "
                                                                          "too long"),
    ("torch", "nn.Conv2d(1, 1, k)", "torch: kernel_size: must be a literal"),
    ("torch", "nn.Conv2d(1, 1, [3] * 2)", "torch: kernel_size: must be a literal"),
    ("torch", "nn.Conv2d(1, 1, 3, *rest)", "torch: *args are not read"),
    ("torch", "nn.Conv2d(1, 1, 3, **opts)", "torch: **kwargs are not read"),
    ("torch", "nn.Conv2d(1, 1, lambda: 3)", "torch: kernel_size: must be a literal"),
    ("torch", "nn.Conv2d(1, 1, 3.5)", "torch: kernel_size: must be an integer"),
    ("torch", "nn.Conv2d(1, 1, 3); import os", "torch: is not a Python call"),
    ("torch", "nn.Conv2d(1, 1, 3", "torch: is not a Python call"),
    ("torch", "", "torch: must be a layer call"),
    ("torch", "nn.Conv3d(1, 1, 3)", "torch: unknown layer 'nn.Conv3d'; did you mean Conv2d?"),
    ("torch", "layers.Conv2D(8, 3)", "use tf: (--tf)"),
    ("tf", "nn.Conv2d(1, 1, 3)", "use torch: (--torch)"),
    ("torch", "nn.Conv2d(1, 1, 3, padding_mode='reflect')", "torch: padding_mode='reflect': "
                                                             "only zero padding is drawn"),
    ("torch", "nn.Conv2d(1, 1, 3, stride=2, padding='same')", "padding='same': is not "
                                                               "supported for strided"),
    ("torch", "nn.ConvTranspose2d(1, 1, 3, padding='same')", "torch: padding='same': must be"),
    ("torch", "nn.Conv2d(3, 6, 3, groups=2)", "torch: groups=2: must divide in_channels"),
    ("torch", "nn.Conv2d(1, 1, 3, strides=2)", "torch: strides: nn.Conv2d has no argument "
                                                "strides; did you mean stride=?"),
    ("torch", "nn.Conv2d(1, 1, 3, stride=2, stride=3)", "torch: stride: given twice"),
    ("torch", "nn.Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros', None, None, 7)",
     "takes at most 11 positional"),
    ("torch", "nn.Conv2d(1, 1)", "torch: kernel_size: nn.Conv2d needs it"),
    ("torch", "nn.AvgPool2d(2, divisor_override=3)", "torch: divisor_override=3:"),
    ("torch", "nn.Conv2d(1, 1, (3, 3, 3))", "torch: kernel_size=(3, 3, 3): must be an integer "
                                            "or a tuple of 2"),
    ("tf", "layers.Conv2D(8, 3, activation='relu')", "tf: activation='relu': the figure shows"),
    ("tf", "layers.Conv2D(8, 3, strides=2, dilation_rate=2)", "tf: dilation_rate=2: Keras"),
    ("tf", "layers.Conv2D(8, 3, padding='causal')", "tf: padding='causal': must be one of"),
    ("tf", "layers.Conv2D(8, 3, kernel_initializer=__import__('os'))",
     "tf: kernel_initializer: must be a name or a call"),
    ("tf", "layers.Conv2DTranspose(8, 3, strides=2, output_padding=2)",
     "tf: output_padding=2: must be smaller than strides"),
    ("tf", "tf.nn.conv2d(x, w, strides=[2, 1, 1, 1], padding='VALID')",
     "tf: strides=(2, 1, 1, 1): the batch and channel entries must be 1"),
    ("tf", "tf.nn.conv2d(x, w, strides=1, padding='FULL')", "tf: padding='FULL'"),
    ("tf", "tf.nn.conv2d(x.numpy(), w, strides=1, padding='VALID')", "tf: input: must be a name"),
    ("tf", "tf.nn.conv2d_transpose(x, w, output_shape=shape, strides=1)",
     "tf: output_shape: must be a literal"),
])
def test_refused_with_one_line(framework, call, message):
    with pytest.raises(ConfigError) as error:
        spec_of(framework, call, size=5, kernel=3)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("keys", "message"), [
    ({"stride": 3}, "stride: contradicts the torch: call (nn.ConvTranspose2d gives 2, got 3)"),
    ({"op": "conv"}, "op: contradicts the torch: call"),
    ({"padding": [1, 2]}, "padding: contradicts"),
    ({"tf": "Conv2D(1, 3)"}, "tf: give either torch: or tf:, not both"),
])
def test_keys_contradicting_the_call_are_refused(keys, message):
    with pytest.raises(ConfigError) as error:
        spec_of("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", size=16, **keys)
    assert str(error.value).startswith(message)


def test_keys_agreeing_with_the_call_are_accepted():
    spec = spec_of("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", size=16, stride=[2, 2],
                   padding=[1, 1, 1, 1], view="scatter", seed=3)
    assert spec.output_size == (32, 32) and spec.view == "scatter"


def test_size_rules():
    with pytest.raises(ConfigError, match=r"^size: nn.Conv2d needs the input's size"):
        spec_of("torch", "nn.Conv2d(1, 1, 3)")
    with pytest.raises(ConfigError, match=r"^size: nn.Conv1d is 1-D: give one length L"):
        spec_of("torch", "nn.Conv1d(1, 1, 3)", size=[3, 8])
    assert spec_of("torch", "nn.Conv1d(1, 1, 3)", size=[1, 8]).input_size == (1, 8)
    with pytest.raises(ConfigError, match=r"^size: contradicts the tf: call \(its input is"):
        spec_of("tf", "Conv2D(2, 3, input_shape=(28, 28, 3))", size=27)
    with pytest.raises(ConfigError, match=r"^kernel: tf.nn.conv2d takes its kernel size"):
        spec_of("tf", "tf.nn.conv2d(x, w, strides=1, padding='VALID')", size=5)


def test_expand_call_leaves_other_configs_alone():
    assert expand_call({"op": "conv", "size": 3}) == ({"op": "conv", "size": 3}, None)


def test_config_file_with_a_torch_key(tmp_path):
    path = tmp_path / "up.yaml"
    path.write_text('torch: "nn.ConvTranspose2d(64, 32, 4, 2, 1)"\nsize: 4\nvalues: true\n')
    result = CliRunner().invoke(main, ["info", "--json", str(path)])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["output_size"] == [8, 8] and info["call"]["channels"]["in_channels"] == 64


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_info_explains_the_tf_rule_and_gives_the_pytorch_call():
    result = run("info", "--tf", "Conv2DTranspose(8, 3, strides=2, padding='same')",
                 "--size", "3")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "-> 8x6x6 output" in text
    assert "rule (TensorFlow/Keras layers.Conv2DTranspose): Keras Conv2DTranspose " \
           "padding='same': out = in * strides" in text
    assert "channels: out 8, groups 1 (drawn with channels)" in text
    assert ("PyTorch, same shape: nn.ConvTranspose2d(1, 8, kernel_size=(3, 3), stride=(2, 2), "
            "padding=(1, 1), output_padding=(1, 1), groups=1, bias=True") in text
    assert "PyTorch, same values: y = nn.ConvTranspose2d(1, 8, kernel_size=(3, 3), " \
           "stride=(2, 2), padding=(0, 0)" in text
    assert "y = F.pad(y, (0, -1, 0, -1))" in text


def test_info_on_a_1d_call_reports_one_row():
    result = run("info", "--torch", "nn.Conv1d(16, 33, 3, stride=2)", "--size", "9")
    assert result.exit_code == 0, result.output
    assert "1x9 input" in result.stdout and "size [1, 9]" in result.stdout
    assert "channels: in 16, out 33" in result.stdout


def test_render_a_torch_call(tmp_path):
    out = tmp_path / "up.gif"
    result = run("render", "--torch", "nn.ConvTranspose2d(4, 2, 4, 2, 1)", "--size", "2",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    # channel mode: 2 x 4x4 = 32 output elements, one frame each, and the finished output
    assert out.exists() and "33 frames" in result.output
    # the layer (64 -> 32 on 16x16: 32,768 elements) steps by channel: 32 + 1 frames
    info = run("info", "--torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", "--size", "16")
    assert info.exit_code == 0 and "32 steps, 33 frames" in info.stdout, info.output


@pytest.mark.parametrize("args", [
    ("--torch", "nn.Conv2d(1, 1, 3, padding_mode='circular')", "--size", "5"),
    ("--torch", "nn.Conv2d(1, 1, 3)", "--size", "5", "--kernel", "4"),
    ("--tf", "os.system('echo hi')", "--size", "5"),
])
def test_render_refuses_with_one_line_and_no_file(tmp_path, args):
    out = tmp_path / "x.gif"
    result = run("render", *args, "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert not out.exists()


# -- ceil_mode ------------------------------------------------------------------------------

@st.composite
def ceil_pools(draw):
    op = draw(st.sampled_from(["maxpool", "avgpool"]))
    k = draw(st.integers(1, 4))
    n = draw(st.integers(k, 9))
    keys = {"op": op, "size": [draw(st.integers(k, 9)), n], "kernel": k,
            "stride": draw(st.integers(1, 4)), "padding": draw(st.integers(0, k // 2)),
            "ceil_mode": draw(st.booleans()), "seed": draw(st.integers(0, 5))}
    if op == "avgpool":
        keys["count_include_pad"] = draw(st.booleans())
    elif draw(st.booleans()):
        keys["dilation"] = draw(st.integers(1, 2))
    return keys


@settings(max_examples=150, deadline=None)
@given(ceil_pools())
def test_ceil_mode_matches_the_naive_reference(keys):
    try:
        spec = make_spec(**keys)
    except ConfigError:
        return  # (a dilated window of only padding, or a kernel larger than the input)
    expected = naive.reference(spec)
    assert spec.output_size == expected.shape
    assert np.allclose(compute(spec), expected)


def test_ceil_mode_examples():
    spec = make_spec(op="maxpool", size=6, kernel=3, stride=2, ceil_mode=True)
    assert spec.output_size == (3, 3) and spec.overhang == (1, 1)
    assert spec.gather.padding == (0, 1, 0, 1)  # the overhang is drawn as padding
    # the last window would start in the right padding: PyTorch drops it
    assert make_spec(op="maxpool", size=5, kernel=2, stride=2, padding=1,
                     ceil_mode=True).output_size == (3, 3)
    with pytest.raises(ConfigError, match=r"^ceil_mode: is only for op: maxpool or avgpool"):
        make_spec(op="conv", size=5, kernel=3, ceil_mode=True)


def test_ceil_mode_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    rng = np.random.default_rng(0)
    for _ in range(200):
        k = int(rng.integers(1, 5))
        s, p, n = int(rng.integers(1, 5)), int(rng.integers(0, k // 2 + 1)), int(
            rng.integers(k, 10))
        include = bool(rng.integers(0, 2))
        for op, layer in (("maxpool", torch.nn.MaxPool2d(k, s, p, ceil_mode=True)),
                          ("avgpool", torch.nn.AvgPool2d(k, s, p, ceil_mode=True,
                                                         count_include_pad=include))):
            keys = {"count_include_pad": include} if op == "avgpool" else {}
            spec = make_spec(op=op, size=[n, n + 1], kernel=k, stride=s, padding=p,
                             ceil_mode=True, **keys)
            x = torch.tensor(np.asarray(spec.input), dtype=torch.float64)[None, None]
            assert np.allclose(layer(x)[0, 0].numpy(), compute(spec)), (op, k, s, p, n)


# -- property: random PyTorch calls, written every way, against the documented formulas ----

def _torch_expected(layer: str, n: int, k: int, s: int, p: int, d: int, a: int,
                    ceil: bool) -> int | None:
    """The output length from PyTorch's documentation (None: PyTorch refuses)."""
    if layer == "ConvTranspose2d":
        if a >= max(s, d):
            return None
        out = (n - 1) * s - 2 * p + d * (k - 1) + a + 1
        return out if out >= 1 else None
    if layer != "Conv2d" and p > k // 2:
        return None
    room = n + 2 * p - d * (k - 1) - 1
    if room < 0:
        return None
    out = (-(-room // s) if ceil else room // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def _arg(value: int, tupled: bool) -> str:
    return f"({value}, {value})" if tupled else str(value)


@st.composite
def torch_calls(draw):
    layer = draw(st.sampled_from(["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d"]))
    k, s, p, n = (draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 3)),
                  draw(st.integers(1, 10)))
    d = 1 if layer == "AvgPool2d" else draw(st.integers(1, 3))
    a = draw(st.integers(0, 2)) if layer == "ConvTranspose2d" else 0
    ceil = layer.endswith("Pool2d") and draw(st.booleans())
    names = {"Conv2d": ["kernel_size", "stride", "padding", "dilation"],
             "ConvTranspose2d": ["kernel_size", "stride", "padding", "output_padding"],
             "MaxPool2d": ["kernel_size", "stride", "padding", "dilation"],
             "AvgPool2d": ["kernel_size", "stride", "padding"]}[layer]
    values = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "output_padding": a}
    head = ["3", "5"] if layer.startswith("Conv") else []
    positional = draw(st.integers(0, len(names)))
    args = [*head, *(_arg(values[m], draw(st.booleans())) for m in names[:positional])]
    args += [f"{m}={_arg(values[m], draw(st.booleans()))}" for m in names[positional:]]
    if layer == "ConvTranspose2d":
        args.append(f"dilation={_arg(d, draw(st.booleans()))}")
    if ceil:
        args.append("ceil_mode=True")
    prefix = draw(st.sampled_from(["", "nn.", "torch.nn."]))
    return f"{prefix}{layer}({', '.join(args)})", layer, n, (k, s, p, d, a, ceil)


@settings(max_examples=100, deadline=None)
@given(torch_calls())
def test_random_torch_calls_follow_pytorchs_formulas(case):
    text, layer, n, numbers = case
    expected = _torch_expected(layer, n, *numbers)
    try:
        spec = spec_of("torch", text, size=[n, n + 1])
    except ConfigError as error:
        # refused: PyTorch refuses too, or (max pool, dilated) a window of only padding
        assert expected is None or "with no input cell" in str(error), (text, str(error))
        return
    assert spec.output_size[0] == expected, text
    assert np.allclose(compute(spec), naive.reference(spec))


@settings(max_examples=60, deadline=None)
@given(torch_calls())
def test_random_torch_calls_against_pytorch(case):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    text, layer, n, (k, s, p, d, a, ceil) = case
    try:
        spec = spec_of("torch", text, size=[n, n + 1])
    except ConfigError:
        return  # (refusals: the property test above)
    kwargs = {"kernel_size": k, "stride": s, "padding": p}
    kwargs.update({"Conv2d": {"dilation": d}, "MaxPool2d": {"dilation": d, "ceil_mode": ceil},
                   "AvgPool2d": {"ceil_mode": ceil},
                   "ConvTranspose2d": {"dilation": d, "output_padding": a}}[layer])
    channels = (3, 5) if layer.startswith("Conv") else ()
    assert spec.channels == bool(channels), text  # a 3 -> 5 call is drawn with its channels
    module = getattr(torch.nn, layer)(*channels, **kwargs).double()
    x = torch.tensor(np.asarray(spec.input), dtype=torch.float64)[None]
    if channels:  # the figure's input, weights and (bias=True, PyTorch's default) bias
        assert (spec.in_channels, spec.out_channels, spec.groups) == (3, 5, 1)
        with torch.no_grad():
            module.weight.copy_(torch.tensor(np.asarray(spec.weights)))
            module.bias.copy_(torch.tensor(np.asarray(spec.bias)))
    else:
        x = x[None]
    with torch.no_grad():
        y = module(x)[0].numpy()
    assert y.shape[-2:] == spec.output_size, text
    assert np.allclose(y.reshape(compute(spec).shape), compute(spec)), text


def _keras_expected(layer: str, n: int, k: int, s: int, d: int, padding: str,
                    extra: int | None) -> int | None:
    """Keras' conv_output_length / deconv_output_length (None: Keras refuses)."""
    k_eff = (k - 1) * d + 1
    if s > 1 and d > 1 and layer != "MaxPooling2D":
        return None
    if layer == "Conv2DTranspose":
        if extra is None:
            return n * s + max(k_eff - s, 0) if padding == "valid" else n * s
        if extra >= s:
            return None
        return (n - 1) * s + k_eff - (2 * (k_eff // 2) if padding == "same" else 0) + extra
    if padding == "same":
        return -(-n // s)
    return -(-(n - k_eff + 1) // s) if n >= k_eff else None


@st.composite
def keras_calls(draw):
    layer = draw(st.sampled_from(["Conv2D", "Conv2DTranspose", "MaxPooling2D"]))
    k, s, n = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 9))
    d = 1 if layer == "MaxPooling2D" else draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["valid", "same"]))
    extra = draw(st.none() | st.integers(0, 2)) if layer == "Conv2DTranspose" else None
    if layer == "MaxPooling2D":
        args = [f"pool_size={_arg(k, draw(st.booleans()))}"]
    else:
        args = ["8", _arg(k, draw(st.booleans())), f"dilation_rate={_arg(d, False)}"]
    args += [f"strides={_arg(s, draw(st.booleans()))}", f"padding={padding!r}"]
    if extra is not None:
        args.append(f"output_padding={extra}")
    prefix = draw(st.sampled_from(["", "layers.", "keras.layers.", "tf.keras.layers."]))
    return f"{prefix}{layer}({', '.join(args)})", layer, n, (k, s, d, padding, extra)


@settings(max_examples=100, deadline=None)
@given(keras_calls())
def test_random_keras_calls_follow_keras_formulas(case):
    text, layer, n, numbers = case
    expected = _keras_expected(layer, n, *numbers)
    try:
        spec = spec_of("tf", text, size=[n, 3])
    except ConfigError as error:
        # refused: Keras refuses too, or TensorFlow would reject the output size Keras
        # computes (same with output_padding), or the kernel is larger than the input
        assert expected is None or "TensorFlow rejects" in str(error) or (
            "larger than the padded input" in str(error)) or expected < 1, (text, str(error))
        return
    assert spec.output_size[0] == expected, text
    assert np.allclose(compute(spec), naive.reference(spec))


def test_the_sphinx_directive_takes_a_call():
    pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")
    from deconv_anim.sphinx import DeconvAnimDirective, _overrides

    assert {"torch", "tf", "ceil_mode", "ceil-mode"} <= set(DeconvAnimDirective.option_spec)
    keys = _overrides({"torch": "nn.ConvTranspose2d(64, 32, 4, 2, 1)", "size": "4"})
    assert config_from_mapping(keys).spec.output_size == (8, 8)


# -- channels of a pasted call (issue 15 with issue 17): channel_keys per layer kind ----------
CHANNEL_KEYS = [
    ("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", {},
     {"in_channels": 64, "out_channels": 32, "groups": 1, "bias": True}),
    ("torch", "nn.Conv2d(3, 6, 3, groups=3, bias=False)", {},
     {"in_channels": 3, "out_channels": 6, "groups": 3}),
    ("torch", "nn.Conv1d(4, 2, 3, groups=2)", {},
     {"in_channels": 4, "out_channels": 2, "groups": 2, "bias": True}),
    ("torch", "nn.ConvTranspose1d(2, 4, 3, bias=False)", {},
     {"in_channels": 2, "out_channels": 4, "groups": 1}),
    # 1 -> 1 stays a single-channel figure (its default bias only a note) ...
    ("torch", "nn.ConvTranspose2d(1, 1, 3, 2)", {}, {}),
    ("torch", "nn.Conv2d(1, 1, 3, bias=False)", {}, {}),
    # ... unless the config is in channel mode anyway
    ("torch", "nn.Conv2d(1, 1, 3)", {"bias": [5]},
     {"in_channels": 1, "out_channels": 1, "groups": 1, "bias": True}),
    ("torch", "nn.MaxPool2d(2)", {}, {}),
    ("torch", "nn.AvgPool1d(3)", {"in_channels": 4}, {}),
    ("tf", "layers.Conv2D(8, 3)", {}, {"out_channels": 8, "groups": 1, "bias": True}),
    ("tf", "layers.Conv2D(1, 3)", {}, {}),
    ("tf", "layers.Conv2D(8, 3, groups=2, use_bias=False, input_shape=(6, 6, 4))", {},
     {"in_channels": 4, "out_channels": 8, "groups": 2}),
    ("tf", "layers.Conv2D(8, 3, data_format='channels_first', input_shape=(2, 6, 6))", {},
     {"in_channels": 2, "out_channels": 8, "groups": 1, "bias": True}),
    ("tf", "layers.Conv2DTranspose(4, 3, input_shape=(5, 5, 2))", {},
     {"in_channels": 2, "out_channels": 4, "groups": 1, "bias": True}),
    ("tf", "layers.DepthwiseConv2D(3, depth_multiplier=2, input_shape=(6, 6, 3))", {},
     {"in_channels": 3, "out_channels": 6, "groups": 3, "bias": True}),
    ("tf", "layers.DepthwiseConv2D(3, use_bias=False)", {"in_channels": 4},
     {"out_channels": 4, "groups": 4}),
    ("tf", "layers.DepthwiseConv2D(3, use_bias=False)", {}, {}),
    ("tf", "layers.MaxPooling2D(2)", {}, {}),
    ("tf", "tf.nn.conv2d(x, tf.ones([3, 3, 2, 6]), 1, 'VALID')", {},
     {"in_channels": 2, "out_channels": 6, "groups": 1}),
    ("tf", "tf.nn.conv2d(tf.ones([1, 5, 5, 4]), tf.ones([3, 3, 2, 6]), 1, 'VALID')", {},
     {"in_channels": 4, "out_channels": 6, "groups": 2}),
    ("tf", "tf.nn.conv2d(tf.ones([1, 4, 5, 5]), w, 1, 'VALID', data_format='NCHW')", {},
     {"in_channels": 4}),
    ("tf", "tf.nn.conv2d_transpose(x, tf.ones([3, 3, 2, 4]), [1, 6, 6, 2], strides=2)", {},
     {"in_channels": 4, "out_channels": 2, "groups": 1}),
    ("tf", "tf.nn.conv2d(x, tf.ones([3, 3, 1, 1]), 1, 'VALID')", {}, {}),
    ("torch", "F.conv2d(torch.ones(1, 4, 5, 5), torch.ones(6, 2, 3, 3), groups=2)", {},
     {"in_channels": 4, "out_channels": 6, "groups": 2}),
    ("torch", "torch.nn.functional.conv_transpose2d(x, torch.ones(4, 3, 3, 3), "
              "torch.zeros(3), stride=2)", {},
     {"in_channels": 4, "out_channels": 3, "groups": 1, "bias": True}),
    ("torch", "F.conv2d(torch.ones(1, 2, 5, 5), w)", {}, {"in_channels": 2}),
    ("torch", "F.conv2d(x, w, b)", {}, {}),
    ("torch", "F.conv2d(x, torch.ones(1, 1, 3, 3))", {}, {}),
]


@pytest.mark.parametrize(("framework", "call", "given", "keys"), CHANNEL_KEYS)
def test_channel_keys_per_layer_kind(framework, call, given, keys):
    assert channel_keys(parse_call(framework, call), given) == keys


def test_a_pasted_layer_turns_channel_mode_on():
    spec = spec_of("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", size=16)
    assert spec.channels and (spec.in_channels, spec.out_channels, spec.groups) == (64, 32, 1)
    assert spec.has_bias and spec.weight_shape == (64, 32, 4, 4)
    assert spec.step_by == "channel"  # 32 x 32x32 = 32,768 elements: one frame per plane
    single = spec_of("torch", "nn.ConvTranspose2d(1, 1, 3, 2)", size=3)
    assert not single.channels and not single.has_bias


@pytest.mark.parametrize(("keys", "message"), [
    ({"in_channels": 4}, "in_channels: contradicts the torch: call (nn.Conv2d gives 2, got 4)"),
    ({"out_channels": 2}, "out_channels: contradicts the torch: call (nn.Conv2d gives 6"),
    ({"groups": 1}, "groups: contradicts the torch: call (nn.Conv2d gives 2, got 1)"),
    ({"bias": False}, "bias: contradicts the torch: call (nn.Conv2d has a bias, got false)"),
])
def test_channel_keys_contradicting_the_call_are_refused(keys, message):
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        spec_of("torch", "nn.Conv2d(2, 6, 3, groups=2)", size=5, **keys)


@pytest.mark.parametrize(("framework", "call", "keys", "message"), [
    ("torch", "nn.Conv2d(2, 6, 3, bias=False)", {"bias": True},
     "bias: contradicts the torch: call (nn.Conv2d has bias=False, got true)"),
    ("tf", "layers.Conv2D(6, 3, use_bias=False)", {"bias": [1, 2, 3, 4, 5, 6]},
     "bias: contradicts the tf: call (layers.Conv2D has use_bias=False"),
    ("tf", "layers.Conv2D(8, 3, groups=2)", {},
     "in_channels: layers.Conv2D needs the input's channels to set its groups"),
    ("tf", "layers.Conv2D(8, 3, groups=2, input_shape=(6, 6, 3))", {},
     "tf: groups=2: must divide the input's channels (3"),
    ("tf", "tf.nn.conv2d(tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 6]), 1, 'VALID')", {},
     "tf: filters=Tensor"),
    ("tf", "layers.DepthwiseConv2D(3, input_shape=(6, 6, 3))", {"in_channels": 2},
     "in_channels: contradicts the tf: call (layers.DepthwiseConv2D gives 3, got 2)"),
    ("torch", "F.conv2d(torch.ones(1, 3, 5, 5), torch.ones(6, 2, 3, 3))", {},
     "torch: weight=Tensor"),
    ("torch", "F.conv2d(x, w, groups=2)", {"kernel": 3}, "torch: groups=2: needs the channels"),
    ("torch", "F.conv2d(x, w)", {}, "kernel: F.conv2d takes its kernel size from the filters "
                                    "tensor: give kernel: K or [KH, KW] (--kernel), or "
                                    "torch.ones(C_OUT, C_IN, KH, KW)"),
])
def test_channel_refusals(framework, call, keys, message):
    with pytest.raises(ConfigError) as error:
        spec_of(framework, call, size=5, **keys)
    assert str(error.value).startswith(message), str(error.value)


def test_agreeing_channel_keys_and_bias_values_are_accepted():
    spec = spec_of("torch", "nn.Conv2d(2, 4, 3, groups=2)", size=4, in_channels=2,
                   out_channels=4, groups=2, bias=[1, 2, 3, 4])
    assert spec.bias.tolist() == [1, 2, 3, 4]
    spec = spec_of("torch", "nn.Conv2d(2, 4, 3)", size=4, input=np.ones((2, 4, 4)).tolist())
    assert spec.in_channels == 2 and spec.input_size == (4, 4)


def test_cli_info_json_of_a_pasted_channel_layer():
    result = run("info", "--torch", "nn.Conv2d(4, 6, 3, stride=2, groups=2)", "--size", "5",
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["in_channels"], data["out_channels"], data["groups"]) == (4, 6, 2)
    assert data["weight_shape"] == [6, 2, 3, 3] and data["output_shape"] == [6, 2, 2]
    assert np.asarray(data["input"]).shape == (4, 5, 5)
    single = json.loads(run("info", "--torch", "nn.Conv2d(1, 1, 3)", "--size", "5",
                            "--json").stdout)
    assert "in_channels" not in single


def test_cli_render_refuses_a_contradicting_channel_flag(tmp_path):
    out = tmp_path / "x.gif"
    result = run("render", "--torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)", "--size", "2",
                 "--out-channels", "16", "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.output.strip() == ("Error: out_channels: contradicts the torch: call "
                                     "(nn.ConvTranspose2d gives 32, got 16); change the "
                                     "call or drop the key")


@pytest.mark.parametrize("call", [
    "nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)",
    "nn.Conv2d(3, 6, (2, 3), dilation=2, groups=3, bias=False)",
    "nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2)",
    "nn.ConvTranspose2d(2, 3, 4, 2, 1)",
    "nn.Conv1d(2, 4, 3, stride=2, padding=1)",
    "nn.ConvTranspose1d(3, 3, 2, stride=2, groups=3, bias=False)",
])
def test_pasted_channel_layers_against_live_pytorch(call):
    """The pasted layer itself, built by PyTorch with the figure's weights and bias, gives
    the figure's output values."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    spec = spec_of("torch", call, size=5)
    assert spec.channels
    module = eval(call, {"nn": torch.nn}).double()  # the test's own literal calls
    one_d = "1d(" in call
    x = torch.tensor(np.asarray(spec.input), dtype=torch.float64)[None]
    weights = torch.tensor(np.asarray(spec.weights), dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(weights[:, :, 0] if one_d else weights)
        if module.bias is not None:
            module.bias.copy_(torch.tensor(np.asarray(spec.bias), dtype=torch.float64))
        y = module(x[:, :, 0] if one_d else x)[0].numpy()
    assert (module.bias is not None) == spec.has_bias
    expected = compute(spec)
    assert np.allclose(y.reshape(expected.shape), expected)


@pytest.mark.parametrize(("call", "size"), [
    ("F.conv2d(torch.ones(1, 4, 5, 5), torch.ones(6, 2, 3, 3), torch.ones(6), stride=2, "
     "padding=1, groups=2)", None),
    ("F.conv_transpose2d(x, torch.ones(4, 3, 2, 3), stride=2, padding=1, output_padding=1)",
     4),
])
def test_pasted_functional_calls_against_live_pytorch(call, size):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    spec = spec_of("torch", call, **({} if size is None else {"size": size}))
    assert spec.channels
    f = eval(call.split("(", 1)[0].replace("F.", "torch.nn.functional."), {"torch": torch})
    args = {"stride": spec.stride, "dilation": spec.dilation, "groups": spec.groups,
            "bias": None if spec.bias is None else torch.tensor(np.asarray(spec.bias))}
    pad = spec.padding  # symmetric in these calls: [t, b, l, r]
    args["padding"] = (pad[0], pad[2])
    if spec.is_transposed:
        args["output_padding"] = spec.output_padding
    x = torch.tensor(np.asarray(spec.input), dtype=torch.float64)[None]
    w = torch.tensor(np.asarray(spec.weights), dtype=torch.float64)
    if args["bias"] is not None:
        args["bias"] = args["bias"].double()
    y = f(x, w, **args)[0].numpy()
    assert np.allclose(y, compute(spec))
