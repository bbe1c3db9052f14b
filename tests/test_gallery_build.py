"""A whole gallery run: bad configs, folder errors, help, the committed gallery reproduced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconv_anim.cli import main
from deconv_anim.gallery import (
    MANIFEST_NAME,
    build_gallery,
)
from gallery_fixtures import SMALL, write_configs

REPO = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, ["gallery", *args])


def test_a_bad_config_does_not_stop_the_others(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs", {
        **SMALL, "bad_stride": "op: conv\nsize: 3\nkernel: 2\nstride: -1\n",
        "refused": "op: conv\nsize: 3\nkernel: 2\n"})
    fake_render.fail_on = {"refused"}
    out = tmp_path / "out"
    result = run(str(configs), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert sorted(p.name for p in out.glob("*.gif")) == sorted(f"{n}.gif" for n in SMALL)
    assert result.stderr.splitlines() == [
        f"Error: {configs / 'bad_stride.yaml'}: stride: must be a positive integer or a "
        "pair of them (got -1)",
        f"Error: {configs / 'refused.yaml'}: {out / 'refused.gif'}: the fake renderer refuses",
    ]
    assert result.stdout == f"{out}: rendered 3, up to date 0, failed 2\n"
    assert 'src="bad_stride.gif"' in (out / "README.md").read_text()  # still in its place
    assert run(str(configs), "-o", str(out), "--check").exit_code == 1


def test_folder_errors(tmp_path, fake_render):
    result = run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "no such folder of configs" in result.stderr
    (tmp_path / "empty").mkdir()
    result = run(str(tmp_path / "empty"))
    assert result.exit_code == 2 and "has no *.yaml configs" in result.stderr


def test_help_ends_with_an_example():
    result = CliRunner().invoke(main, ["gallery", "--help"])
    assert result.exit_code == 0
    text = result.output[:result.output.index("Options:")]
    assert text.rstrip().splitlines()[-4:] == [
        "  Example:", "    deconv-anim gallery",
        "    deconv-anim gallery configs -o docs/gallery --jobs 4",
        "    deconv-anim gallery --check"]


def _real_renderer():
    from deconv_anim import animation

    return animation


@pytest.mark.parametrize("name", ["seed_conv", "padding_strides_transposed", "causal_1d"])
def test_committed_gallery_gifs_are_reproduced(tmp_path, name):
    """The committed gallery/NAME.gif is what the renderer writes today, byte for byte."""
    render = _real_renderer()
    manifest = REPO / "gallery" / MANIFEST_NAME
    if not manifest.exists():
        pytest.skip("gallery/ is not generated yet")
    record = json.loads(manifest.read_text())["outputs"].get(f"{name}.gif")
    config_path = REPO / "configs" / f"{name}.yaml"
    import hashlib

    if record is None or record["format_version"] != render.FORMAT_VERSION or (
            record["config_sha256"] != hashlib.sha256(config_path.read_bytes()).hexdigest()):
        pytest.skip(f"gallery/{name}.gif is stale: run `deconv-anim gallery`")
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / f"{name}.yaml").write_bytes(config_path.read_bytes())
    build_gallery(configs, tmp_path / "out", jobs=1)
    assert (tmp_path / "out" / f"{name}.gif").read_bytes() == (
        REPO / "gallery" / f"{name}.gif").read_bytes()
