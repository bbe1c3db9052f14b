"""The command line: `deconv-anim info`, `presets`, --version and --help."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import naive
from deconv_anim import __version__, make_spec
from deconv_anim.cli import main
from deconv_anim.config import config_from_mapping
from deconv_anim.presets import PRESETS
from deconv_anim.report import as_json, describe

JSON_KEYS = {"op", "input_size", "kernel_size", "stride", "dilation", "padding",
             "output_padding", "output_size", "frames", "output"}


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def configs(tmp_path):
    files = {
        "conv.yaml": "op: conv\nsize: 5\nkernel: 3\nstride: 2\npadding: 1\n",
        "up.yaml": "op: transposed\nsize: 3\nkernel: 3\nstride: 2\npadding: same\n"
                   "output_size: 6\n",
        "bad.yaml": "op: conv\nsize: 5\nkernel: 3\nstride: -1\n",
        "pool.yaml": "op: avgpool\nsize: 4\nkernel: 2\ncount_include_pad: false\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name: str(tmp_path / name) for name in files}


def test_info_human_conv(configs):
    result = run("info", configs["conv.yaml"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{configs['conv.yaml']}: convolution: 5x5 input")
    assert lines[0].endswith("[t, b, l, r] = [1, 1, 1, 1] -> 3x3 output")
    assert "  rows:    out = floor((5 + 1 + 1 - 3) / 2) + 1 = 3" in lines
    assert "  columns: out = floor((5 + 1 + 1 - 3) / 2) + 1 = 3" in lines
    assert "9 steps, 10 frames (one per output cell; then the finished output, held)" in (
        result.stdout)
    assert result.stderr == ""


def test_info_human_transposed_shows_the_equivalent_convolution(configs):
    result = run("info", configs["up.yaml"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "transposed convolution: 3x3 input" in out
    assert "padding same [t, b, l, r] = [0, 1, 0, 1]" in out
    assert "out = (3 - 1) * 2 - 0 - 1 + 3 + 0 = 6" in out
    assert "as a convolution (the gather view)" in out
    assert "spread = (3 - 1) * 2 + 1 = 5; pad 3 - 1 - 0 = 2 before, 3 - 1 - 1 + 0 = 1 after" in out
    assert "out = 5 + 2 + 1 - 3 + 1 = 6" in out


def test_describe_details():
    text = describe(make_spec(op="conv", size=7, kernel=3, dilation=2), name="d")
    assert text.startswith("d: convolution: 7x7 input, 3x3 kernel, stride 1x1, dilation 2x2")
    assert "out = floor((7 + 0 + 0 - 5) / 1) + 1 = 3 (k_eff = (3 - 1) * 2 + 1 = 5)" in text
    crop = describe(make_spec(op="transposed", size=5, kernel=3, padding=3))
    assert "negative: the spread input is cropped" in crop
    both = describe(make_spec(op="transposed", size=2, kernel=3, stride=2, view="both"))
    assert "25 steps, 26 frames (on one clock, side by side: gather 25 output cells, " \
        "scatter 4 input cells" in both
    scatter = describe(make_spec(op="transposed", size=2, kernel=3, view="scatter"))
    assert "4 steps, 5 frames (one per input cell" in scatter
    pool = describe(make_spec(op="avgpool", size=4, kernel=2, count_include_pad=False))
    assert "average pooling" in pool and "count_include_pad false" in pool


def test_info_json(configs):
    result = run("info", "--json", configs["conv.yaml"], configs["up.yaml"],
                 configs["pool.yaml"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    conv, up, pool = (json.loads(line) for line in lines)
    for info in (conv, up, pool):
        assert set(info) >= JSON_KEYS
        assert "steps" not in info
    assert [conv["name"], up["name"], pool["name"]] == ["conv", "up", "pool"]
    assert conv["op"] == "conv" and conv["output_size"] == [3, 3] and conv["frames"] == 10
    assert conv["step_count"] == 9
    assert conv["padding"] == [1, 1, 1, 1] and conv["stride"] == [2, 2]
    assert "equivalent" not in conv
    assert up["op"] == "transposed" and up["padding"] == [0, 1, 0, 1]
    assert up["output_padding"] == [0, 0] and up["output_size"] == [6, 6]
    assert up["equivalent"]["padding"] == [2, 1, 2, 1]
    assert up["equivalent"]["spread_size"] == [5, 5] and up["equivalent"]["stride"] == [1, 1]
    assert up["equivalent"]["kernel"] == np.array(up["weights"])[::-1, ::-1].tolist()
    spec = make_spec(op="transposed", input=up["input"], weights=up["weights"], stride=2,
                     padding="same", output_size=6)
    assert up["output"] == naive.reference(spec).tolist()
    assert pool["count_include_pad"] is False
    assert all(isinstance(v, int) for row in up["output"] for v in row)


def test_info_json_steps():
    result = run("info", "--json", "--steps", "--op", "conv", "--size", "4", "--kernel", "3")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert len(info["steps"]) == info["step_count"] == info["frames"] - 1 == 4
    step = info["steps"][1]
    assert step["cell"] == [0, 1] and step["window"] == [0, 1]
    assert len(step["taps"]) == 9 and all(len(tap) == 6 for tap in step["taps"])
    assert step["value"] == info["output"][0][1]
    result = run("info", "--json", "--steps", "--op", "transposed", "--size", "2", "--kernel",
                 "2", "--view", "both")
    info = json.loads(result.stdout)
    assert len(info["steps_gather"]) == 9 and len(info["steps_scatter"]) == 4
    assert "steps" not in info


def test_as_json_numbers():
    info = as_json(make_spec(op="avgpool", input=[[1, 2], [3, 5]], kernel=2, stride=1))
    assert info["output"] == [[2.75]]
    info = as_json(make_spec(op="conv", input=[[1.5]], weights=[[2]]))
    assert info["output"] == [[3]] and isinstance(info["output"][0][0], int)


def test_bad_config_among_good_ones(configs):
    result = run("info", configs["conv.yaml"], configs["bad.yaml"], configs["up.yaml"])
    assert result.exit_code == 2
    out = result.stdout
    assert out.index(configs["conv.yaml"]) < out.index(configs["up.yaml"])
    assert configs["bad.yaml"] not in out
    assert result.stderr.strip() == (f"Error: {configs['bad.yaml']}: stride: must be a positive "
                                     "integer or a pair of them (got -1)")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_config_file(tmp_path):
    result = run("info", str(tmp_path / "none.yaml"), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and "no such config file" in result.stderr


def test_flags_only():
    result = run("info", "--op", "transposed", "--size", "2", "--kernel", "3")
    assert result.exit_code == 0, result.output
    assert "-> 4x4 output" in result.stdout
    assert "out = (2 - 1) * 1 - 0 - 0 + 3 + 0 = 4" in result.stdout
    result = run("info", "--json", "--op", "transposed", "--size", "3x4", "--kernel", "3",
                 "--stride", "2,1", "--padding", "0,1,0,0", "--output-padding", "1,0")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["input_size"] == [3, 4] and info["stride"] == [2, 1]
    assert info["padding"] == [0, 1, 0, 0] and info["output_padding"] == [1, 0]
    assert info["output_size"] == [7, 6]


def test_flags_override_a_config(configs):
    result = run("info", "--json", "--stride", "1", configs["conv.yaml"])
    assert json.loads(result.stdout)["output_size"] == [5, 5]


@pytest.mark.parametrize(("args", "words"), [
    (["--size", "3"], ["--op", "give a CONFIG file"]),
    (["--op", "conv", "--size", "3", "--kernel", "3", "--stride", "0"], ["stride", "(got 0)"]),
    (["--op", "conv", "--size", "3", "--kernel", "3", "--strid", "0"], ["No such option"]),
    (["--preset", "padding_stride"], ["unknown preset", "did you mean padding_strides?"]),
])
def test_flag_errors(args, words):
    result = run("info", *args)
    assert result.exit_code == 2
    for word in words:
        assert word in result.stderr


def test_preset_and_files_cannot_be_combined(configs):
    result = run("info", "--preset", "dilation", configs["conv.yaml"])
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset(name):
    result = run("info", "--json", "--preset", name)
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["name"] == name
    config = config_from_mapping(PRESETS[name])
    spec = (config.stages or (config.spec,))[-1]  # a chain: its last stage, on its input
    assert info["output_size"] == list(spec.output_size)
    assert info["output"] == naive.reference(spec).tolist()


def test_preset_with_flag_override():
    result = run("info", "--json", "--preset", "padding_strides", "--padding", "0")
    assert json.loads(result.stdout)["output_size"] == [2, 2]


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"deconv-anim, version {__version__}"


def test_every_command_has_help():
    for args in (["--help"], ["-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert {"info", "presets"} <= set(main.commands)
    for name in main.commands:
        result = run(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert f"Usage: main {name}" in result.stdout or "Usage:" in result.stdout
    help_text = run("info", "--help").stdout
    for flag in ("--json", "--steps", "--preset", "--op", "--output-padding", "--output-size",
                 "--count-include-pad"):
        assert flag in help_text


def test_presets_lists_every_shipped_config():
    result = run("presets")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 59 and all(len(line.split()) > 1 for line in lines)  # descriptions
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert "tf.nn.conv2d_transpose" in result.stdout


def test_info_text_does_not_import_numpy(tmp_path):
    """What `info` prints is arithmetic on shapes: it starts without NumPy (or Pillow)."""
    import subprocess
    import sys

    config = tmp_path / "c.yaml"
    config.write_text("op: maxpool\nsize: 5\nkernel: 3\nstride: 2\npadding: 1\n")
    probe = ("import sys\n"
             "from deconv_anim.cli import main\n"
             "try:\n"
             f"    main(['info', {str(config)!r}])\n"
             "except SystemExit as stop:\n"
             "    assert not stop.code, stop.code\n"
             "print(sorted(m for m in ('numpy', 'PIL') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert "max pooling" in done.stdout
    assert done.stdout.strip().endswith("[]"), done.stdout


def test_info_says_steps_and_frames_and_pytorchs_transposed_formula():
    out = run("info", "--op", "transposed", "--size", "3", "--kernel", "3", "--stride", "2",
              "--padding", "1", "--output-padding", "1").output
    # (H_in - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1
    want = (3 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1
    assert f"= (3 - 1)*2 - 2*1 + 1*(3 - 1) + 1 + 1 = {want}" in out
    assert "(H_in - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1" in out
    data = json.loads(run("info", "--op", "transposed", "--size", "2", "--kernel", "3",
                          "--stride", "2", "--view", "both", "--json").output)
    assert data["step_count"] == data["frames"] - 1 == 25 and "steps" not in data
    both = run("info", "--op", "transposed", "--size", "2", "--kernel", "3", "--stride", "2",
               "--view", "both").output
    assert "25 steps, 26 frames (on one clock" in both
