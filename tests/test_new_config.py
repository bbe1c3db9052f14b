"""``deconv-anim new``: a commented config that loads back to the same spec; and every
shipped config as a preset, from a source checkout and from a non-editable install."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from deconv_anim import config_from_mapping, load_config
from deconv_anim.cli import main
from deconv_anim.config import KEYS
from deconv_anim.new_config import commented_config
from deconv_anim.presets import PRESETS, preset_folder

ROOT = Path(__file__).parents[1]
CONFIGS = sorted(p for p in (ROOT / "configs").glob("*.yaml") if p.stem != "gallery")
FIELDS = ("op", "input_size", "kernel_size", "stride", "dilation", "padding", "padding_form",
          "output_padding", "output_size", "view", "count_include_pad", "ceil_mode")


def same_spec(a, b) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS) and (
        (a.input == b.input).all() and (a.weights == b.weights).all())


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_commented_config_loads_back_to_the_same_spec(path):
    config = load_config(path)
    text = commented_config(config)
    again = config_from_mapping(yaml.safe_load(text))
    assert same_spec(again.spec, config.spec)
    assert again.render.values == config.render.values
    lines = text.splitlines()
    for n, line in enumerate(lines):  # every key comes under its one-line comment
        if line and not line.startswith("#"):
            key = line.split(":", 1)[0]
            assert lines[n - 1] == f"# {KEYS[key].help}"


def test_new_from_a_torch_call(cwd):
    result = CliRunner().invoke(main, ["new", "up.yaml", "--torch",
                                       "nn.ConvTranspose2d(64, 32, 4, 2, 1)", "--size", "4"])
    assert result.exit_code == 0, result.output
    text = (cwd / "up.yaml").read_text()
    assert "# made from the torch call: nn.ConvTranspose2d(64, 32, 4, 2, 1)" in text
    spec = load_config(cwd / "up.yaml").spec
    assert spec.output_size == (8, 8) and spec.padding == (1, 1, 1, 1)


def test_new_with_flags_and_ceil_mode(cwd):
    result = CliRunner().invoke(main, ["new", "pool.yaml", "--op", "maxpool", "--size", "6",
                                       "--kernel", "3", "--stride", "2", "--ceil-mode"])
    assert result.exit_code == 0, result.output
    assert "ceil_mode: true" in (cwd / "pool.yaml").read_text()
    assert load_config(cwd / "pool.yaml").spec.output_size == (3, 3)


@pytest.mark.parametrize(("args", "message"), [
    (["new", "x.txt", "--op", "conv", "--size", "4", "--kernel", "3"],
     "Error: PATH: must end in .yaml (got x.txt)\n"),
    (["new", "x.yaml"], "Error: --op: give a CONFIG file, a --preset, or at least --op\n"),
    (["new", "x.yaml", "--op", "conv", "--size", "4", "--kernel", "9"],
     "Error: kernel: the dilated kernel (9 rows) is larger than the padded input "
     "(4 + 0 + 0 = 4)\n"),
])
def test_new_refuses_with_one_line_and_no_file(cwd, args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and result.stderr == message
    assert not list(cwd.iterdir())


def test_new_does_not_overwrite_without_force(cwd):
    (cwd / "x.yaml").write_text("mine\n")
    args = ["new", "x.yaml", "--preset", "dilation"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "x.yaml exists; add --force" in result.stderr
    assert (cwd / "x.yaml").read_text() == "mine\n"
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
    assert load_config(cwd / "x.yaml").spec.dilation == (2, 2)


def test_every_shipped_config_is_a_preset():
    assert preset_folder().resolve() == (ROOT / "configs").resolve()  # a source checkout
    assert set(PRESETS) == {p.stem for p in CONFIGS}
    for path in CONFIGS:
        assert PRESETS[path.stem] == yaml.safe_load(path.read_text())
    result = CliRunner().invoke(main, ["info", "--preset", "maxpool"])
    assert result.exit_code == 0 and "2x2 output" in result.stdout


def build_wheel(folder: Path) -> Path:
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                             "--no-build-isolation", "-w", str(folder), str(ROOT)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {result.stderr.strip()[-200:]}")
    (wheel,) = folder.glob("*.whl")
    return wheel


@pytest.mark.slow
def test_presets_from_a_non_editable_install(tmp_path):
    """The wheel installed (not editable) into a fresh venv, run outside the checkout: the
    configs ship inside the package. (Its dependencies come from this environment.)"""
    import sysconfig

    wheel = build_wheel(tmp_path)
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, cwd=tmp_path)
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"], check=True,
                          capture_output=True, text=True).stdout.strip()
    # a plain path entry: the .pth files there (our editable install) are not run
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    out = subprocess.run(
        [str(python), "-c", "import deconv_anim.presets as p, deconv_anim as d; "
         "print(p.preset_folder()); print(len(p.PRESETS)); print(d.__file__)"],
        check=True, cwd=tmp_path, capture_output=True, text=True).stdout.splitlines()
    assert out[0] == str(Path(site, "deconv_anim", "configs")) and out[1] == str(len(CONFIGS))
    assert out[2].startswith(site)
    command = str(env / "bin" / "deconv-anim")
    listing = subprocess.run([command, "presets"], check=True, cwd=tmp_path,
                             capture_output=True, text=True).stdout
    assert len(listing.splitlines()) == len(CONFIGS) and listing.startswith("arbitrary_padding")
    info = subprocess.run([command, "info", "--preset", "causal_1d"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert info.returncode == 0 and "1x8 output" in info.stdout, info.stderr


@pytest.mark.slow
def test_installed_wheel_lists_the_configs(tmp_path):
    """The built wheel holds deconv_anim/configs/*.yaml (what a non-editable install gets)."""
    import zipfile

    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    shipped = {n.rsplit("/", 1)[1].removesuffix(".yaml") for n in names
               if n.startswith("deconv_anim/configs/")}
    assert shipped == {p.stem for p in CONFIGS} | {"gallery"}
