"""``deconv-anim info --code torch|tf|keras``: for every shipped config the snippet runs and
computes the config's output (PyTorch, live where installed), its PyTorch call read back
with ``--torch`` gives the same spec, and the TensorFlow and Keras snippets compile and give
the recorded shapes under TensorFlow's documented shape rules (``fake_tf``; TensorFlow is
not installed here)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import fake_tf
from deconv_anim import compute, config_from_mapping, load_config
from deconv_anim.cli import main
from deconv_anim.codegen import snippet, torch_call
from deconv_anim.errors import ConfigError
from deconv_anim.frameworks import parse_call

ROOT = Path(__file__).parents[1]
CONFIGS = sorted(p for p in (ROOT / "configs").glob("*.yaml")
                 if p.stem != "gallery" and not load_config(p).stages)  # chains: no snippet
CHANNEL_CONFIGS = [p for p in CONFIGS if load_config(p).spec.channels
                   and not load_config(p).spec.is_upsampling]
SHAPES = ROOT / "tests" / "data" / "tf_shapes.json"
TF_CONFIGS = [p for p in CONFIGS if not load_config(p).spec.is_upsampling]
"""The configs whose TensorFlow shapes are recorded (the upsampling ops: see
test_upsampling_tf_snippets_compile_or_are_refused)."""
FIELDS = ("op", "input_size", "kernel_size", "stride", "dilation", "padding",
          "output_padding", "output_size", "count_include_pad", "ceil_mode")


def fields(spec) -> tuple:
    """What a spec computes (not how its padding was written, nor its view or values)."""
    return tuple(getattr(spec, name) for name in FIELDS)


def run_snippet(code: str) -> tuple[str, dict]:
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "snippet", "exec"), namespace)
    return out.getvalue(), namespace


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_torch_snippet_computes_the_config(path):
    pytest.importorskip("torch", reason="PyTorch is not installed: the --code torch round "
                                        "trip runs where it is (pip install torch)")
    spec = load_config(path).spec
    printed, namespace = run_snippet(snippet(spec, "torch"))
    assert printed == f"(1, {spec.out_channels}, {spec.output_size[0]}, " \
                      f"{spec.output_size[1]})\n"
    expected = compute(spec)  # [H][W], or [C_out][H][W] in channel mode
    assert np.allclose(namespace["y"].numpy()[0].reshape(expected.shape), expected)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_torch_call_reads_back_to_the_same_spec(path):
    spec = load_config(path).spec
    call = torch_call(spec)
    code = snippet(spec, "torch")
    if spec.is_upsampling:  # a functional call, no layer to read back
        assert call is None and ("F.interpolate(" in code or "F.pixel_shuffle(" in code)
        return
    if call is None:  # exempt: a pad/crop workaround, said in a comment
        assert "F.pad(" in code and "# PyTorch pads symmetrically" in code
        return
    assert f"layer = {call}.double()" in code
    again = config_from_mapping({"torch": call, "size": list(spec.input_size)}).spec
    assert fields(again) == fields(spec)
    # the channel numbers read back too (a call other than 1 -> 1 is drawn with them)
    channels = parse_call("torch", call).channels
    if not spec.is_pool:  # (a pool call has no channel arguments)
        assert (channels.in_channels, channels.out_channels, channels.groups, channels.bias) == (
            spec.in_channels, spec.out_channels, spec.groups, spec.has_bias)


def expected_shapes() -> dict:
    return json.loads(SHAPES.read_text())


@pytest.mark.parametrize("framework", ["tf", "keras"])
@pytest.mark.parametrize("path", TF_CONFIGS, ids=lambda p: p.stem)
def test_tf_snippets_give_the_recorded_shapes(path, framework, monkeypatch):
    fake_tf.install(monkeypatch)
    spec = load_config(path).spec
    recorded = expected_shapes()[path.stem][framework]
    assert recorded == [1, spec.out_channels, *spec.output_size]  # NCHW, as PyTorch prints
    printed, _ = run_snippet(snippet(spec, framework))
    assert printed == f"{tuple(recorded)}\n"


def test_the_recorded_shapes_cover_every_config():
    assert set(expected_shapes()) == {p.stem for p in TF_CONFIGS}


@pytest.mark.parametrize("framework", ["tf", "keras"])
@pytest.mark.parametrize("path", [p for p in CONFIGS if load_config(p).spec.is_upsampling],
                         ids=lambda p: p.stem)
def test_upsampling_tf_snippets_compile_or_are_refused(path, framework):
    """The upsampling ops in TensorFlow: tf.image.resize / depth_to_space where TensorFlow
    has the same rule (a script that compiles), else one line saying why."""
    spec = load_config(path).spec
    try:
        code = snippet(spec, framework)
    except ConfigError as error:
        assert str(error).startswith("--code: tf: ") and "\n" not in str(error)
        return
    compile(code, "snippet", "exec")
    assert "tf.image.resize(" in code or "tf.nn.depth_to_space(" in code


def test_tf_workarounds_are_said_in_comments():
    from deconv_anim import make_spec

    dilated = snippet(make_spec(op="transposed", size=3, kernel=3, dilation=2), "tf")
    assert "tf.nn.atrous_conv2d_transpose(x, w, output_shape=[1, 7, 7, 1], rate=2" in dilated
    strided = snippet(make_spec(op="transposed", size=3, kernel=3, dilation=2, stride=2), "tf")
    assert "# TensorFlow has no CPU kernel for a dilated, strided" in strided
    asymmetric = snippet(make_spec(op="conv", size=5, kernel=3, padding=[0, 1, 2, 0]), "torch")
    assert "x = F.pad(x, (2, 0, 0, 1))" in asymmetric


def test_info_code_prints_only_the_snippet():
    result = CliRunner().invoke(main, ["info", "--preset", "padding_strides_odd_transposed",
                                       "--code", "torch"])
    assert result.exit_code == 0, result.output
    compile(result.stdout, "stdout", "exec")  # stdout is valid Python and nothing else
    assert result.stdout.splitlines()[0] == "import torch"
    assert "output_padding=(1, 1)" in result.stdout


def test_info_code_refuses_json_and_many_configs():
    result = CliRunner().invoke(main, ["info", "--preset", "dilation", "--code", "tf",
                                       "--json"])
    assert result.exit_code == 2
    assert result.stderr == "Error: --code: prints one snippet: give one config, without " \
                            "--json\n"


def write_shapes() -> None:  # pragma: no cover - run by hand when configs change
    """Record each config's output shape (NCHW, as every snippet prints it), from
    TensorFlow's documented rules: the shape of the spec (whose arithmetic follows them,
    tests/test_spec.py)."""
    shapes = {}
    for path in TF_CONFIGS:
        spec = load_config(path).spec
        shape = [1, spec.out_channels, *spec.output_size]
        shapes[path.stem] = {"tf": shape, "keras": shape}
    SHAPES.parent.mkdir(exist_ok=True)
    SHAPES.write_text(json.dumps(shapes, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":  # pragma: no cover
    write_shapes()


def test_channel_configs_are_all_covered():
    """The six shipped channel configs: grouped, depthwise, bias, transposed with groups."""
    specs = [load_config(p).spec for p in CHANNEL_CONFIGS]
    assert len(specs) == 6
    assert any(s.groups > 1 and s.is_transposed for s in specs)
    assert any(s.has_bias for s in specs)


def channel_spec(**keys):
    from deconv_anim import make_spec

    return make_spec(**{"size": 4, "kernel": 2, "in_channels": 4, "out_channels": 2,
                        "groups": 2, "bias": True, **keys})


def test_torch_channel_snippet_copies_weights_and_bias():
    spec = channel_spec(op="conv")
    code = snippet(spec, "torch")
    assert "nn.Conv2d(4, 2, kernel_size=(2, 2)" in code and "groups=2, bias=True" in code
    assert ".reshape(1, 4, 4, 4)" in code and ".reshape(2, 2, 2, 2))" in code
    assert f"layer.bias.copy_(torch.tensor({spec.bias.astype(int).tolist()}" in code


@pytest.mark.parametrize("op", ["conv", "transposed"])
def test_tf_grouped_snippets_split_per_group(op, monkeypatch):
    fake_tf.install(monkeypatch)
    spec = channel_spec(op=op, stride=2)
    code = snippet(spec, "tf")
    assert "tf.split(x, 2, axis=3), tf.split(w, 2, axis=3))], axis=3)" in code
    assert "tf.nn.bias_add(y" in code and "[2, 3, 1, 0])" in code
    printed, namespace = run_snippet(code)
    assert printed == f"(1, 2, {spec.output_size[0]}, {spec.output_size[1]})\n"
    assert namespace["y"].shape == (1, *spec.output_size, 2)  # y itself is NHWC
    assert "tf.split" not in snippet(channel_spec(op=op, groups=1), "tf")


def test_fake_tf_refuses_a_grouped_conv2d_as_the_cpu_kernel_does(monkeypatch):
    fake_tf.install(monkeypatch)
    with pytest.raises(fake_tf.Refused, match="grouped"):
        fake_tf.conv2d(np.ones((1, 4, 4, 4)), np.ones((2, 2, 2, 2)), 1, "VALID")


def test_keras_grouped_transposed_is_one_layer_per_group(monkeypatch):
    fake_tf.install(monkeypatch)
    spec = channel_spec(op="transposed", stride=2, in_channels=4, out_channels=6)
    code = snippet(spec, "keras")
    assert "for g in range(2):" in code and "groups=" not in code
    assert "keras.layers.Conv2DTranspose(3, (2, 2)" in code
    assert "layer.set_weights([w[..., g * 2:(g + 1) * 2], b[g * 3:(g + 1) * 3]])" in code
    printed, _ = run_snippet(code)
    assert printed == f"(1, 6, {spec.output_size[0]}, {spec.output_size[1]})\n"
    conv = snippet(channel_spec(op="conv"), "keras")
    assert "keras.layers.Conv2D(2, (2, 2)" in conv and "groups=2, use_bias=True" in conv


def test_info_torch_call_still_explains_its_channels():
    result = CliRunner().invoke(main, ["info", "--torch", "nn.Conv2d(3, 8, 3)", "--size", "5"])
    assert result.exit_code == 0, result.output
    assert "  channels: in 3, out 8, groups 1 (drawn with channels)" in result.stdout
    assert "  channel keys: in_channels: 3, out_channels: 8, groups: 1, bias: true" in \
        result.stdout


@st.composite
def channel_specs(draw):
    from deconv_anim import make_spec
    from deconv_anim.errors import ConfigError

    groups = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["conv", "transposed", "maxpool", "avgpool"]))
    keys = {"op": op, "size": draw(st.integers(2, 5)), "kernel": draw(st.integers(1, 3)),
            "stride": draw(st.integers(1, 3)),
            "padding": draw(st.one_of(st.integers(0, 2),
                                      st.lists(st.integers(0, 2), min_size=4, max_size=4),
                                      st.sampled_from(["same", "valid"]))),
            "in_channels": groups * draw(st.integers(1, 2)), "seed": draw(st.integers(0, 9))}
    if op in ("conv", "transposed"):
        keys.update(out_channels=groups * draw(st.integers(1, 2)), groups=groups,
                    bias=draw(st.booleans()), dilation=draw(st.integers(1, 2)))
    if op == "transposed":
        keys["output_padding"] = draw(st.integers(0, 1))
    try:
        return make_spec(**keys)
    except ConfigError:
        assume(False)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@settings(max_examples=60, deadline=None)
@given(channel_specs())
def test_channel_snippets_compute_the_engines_output(spec):
    """Any channel-mode op (workarounds included): the PyTorch snippet's values are the
    engine's, and the TensorFlow and Keras snippets give its shape (NCHW)."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    printed, namespace = run_snippet(snippet(spec, "torch"))
    expected = compute(spec)
    shape = f"(1, {spec.out_channels}, {spec.output_size[0]}, {spec.output_size[1]})\n"
    assert printed == shape
    assert isinstance(namespace["y"], torch.Tensor)
    assert np.allclose(namespace["y"].numpy()[0], expected)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_tf.install(monkeypatch)
        for framework in ("tf", "keras"):
            try:
                printed, _ = run_snippet(snippet(spec, framework))
            except fake_tf.Refused as refused:  # where TensorFlow refuses the op (on CPU)
                assert "dilat" in str(refused) or spec.dilation != (1, 1), refused
                continue
            assert printed == shape, framework


@pytest.mark.parametrize("call", [
    "nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)",
    "nn.ConvTranspose2d(2, 4, 4, 2, 1, bias=False)",
    "nn.ConvTranspose2d(3, 6, 3, stride=2, groups=3)",
])
def test_pasted_channel_call_round_trips_through_code(call):
    """A pasted layer's config -> --code torch -> the same numbers, and its PyTorch call
    reads back to the same channels (issue 17 with channel mode)."""
    pytest.importorskip("torch", reason="PyTorch is not installed")
    spec = config_from_mapping({"torch": call, "size": 4}).spec
    assert spec.channels
    printed, namespace = run_snippet(snippet(spec, "torch"))
    assert printed == f"(1, {spec.out_channels}, {spec.output_size[0]}, " \
                      f"{spec.output_size[1]})\n"
    assert np.allclose(namespace["y"].numpy()[0], compute(spec))
    again = config_from_mapping({"torch": torch_call(spec), "size": 4}).spec
    assert fields(again) == fields(spec)
    assert (again.in_channels, again.out_channels, again.groups, again.has_bias) == (
        spec.in_channels, spec.out_channels, spec.groups, spec.has_bias)
