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

import fake_tf
from deconv_anim import compute, config_from_mapping, load_config
from deconv_anim.cli import main
from deconv_anim.codegen import snippet, torch_call

ROOT = Path(__file__).parents[1]
ALL_CONFIGS = sorted(p for p in (ROOT / "configs").glob("*.yaml") if p.stem != "gallery")
# single-channel configs: channel mode has no snippet yet (refused, see the test below)
CONFIGS = [p for p in ALL_CONFIGS if not load_config(p).spec.channels]
SHAPES = ROOT / "tests" / "data" / "tf_shapes.json"
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
    assert printed == f"(1, 1, {spec.output_size[0]}, {spec.output_size[1]})\n"
    assert np.allclose(namespace["y"].numpy()[0, 0], compute(spec))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_torch_call_reads_back_to_the_same_spec(path):
    spec = load_config(path).spec
    call = torch_call(spec)
    code = snippet(spec, "torch")
    if call is None:  # exempt: a pad/crop workaround, said in a comment
        assert "F.pad(" in code and "# PyTorch pads symmetrically" in code
        return
    assert f"layer = {call}.double()" in code
    again = config_from_mapping({"torch": call, "size": list(spec.input_size)}).spec
    assert fields(again) == fields(spec)


def expected_shapes() -> dict:
    return json.loads(SHAPES.read_text())


@pytest.mark.parametrize("framework", ["tf", "keras"])
@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_tf_snippets_give_the_recorded_shapes(path, framework, monkeypatch):
    fake_tf.install(monkeypatch)
    spec = load_config(path).spec
    recorded = expected_shapes()[path.stem][framework]
    assert recorded == [1, *spec.output_size, 1]  # NHWC
    printed, _ = run_snippet(snippet(spec, framework))
    assert printed == f"{tuple(recorded)}\n"


def test_the_recorded_shapes_cover_every_config():
    assert set(expected_shapes()) == {p.stem for p in CONFIGS}


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
    """Record each config's NHWC output shape, from TensorFlow's documented rules: the
    shape of the spec (whose arithmetic follows them, tests/test_spec.py)."""
    shapes = {}
    for path in CONFIGS:
        spec = load_config(path).spec
        shape = [1, *spec.output_size, 1]
        shapes[path.stem] = {"tf": shape, "keras": shape}
    SHAPES.parent.mkdir(exist_ok=True)
    SHAPES.write_text(json.dumps(shapes, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":  # pragma: no cover
    write_shapes()


def test_channel_mode_snippet_refused_in_one_line():
    from deconv_anim.errors import ConfigError

    spec = load_config(ROOT / "configs" / "channels_grouped.yaml").spec
    with pytest.raises(ConfigError, match=r"^--code: has no snippet for channel mode yet"):
        snippet(spec, "torch")
