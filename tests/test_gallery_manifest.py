"""The gallery's manifest: incremental renders, deleted configs, resumed runs, --check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconv_anim.cli import main
from deconv_anim.gallery import (
    MANIFEST_NAME,
    build_gallery,
    check_gallery,
)
from gallery_fixtures import SMALL, write_configs

REPO = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, ["gallery", *args])


def test_incremental_renders(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    out = tmp_path / "out"
    result = run(str(configs), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}: rendered 3, up to date 0, failed 0\n"
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST_NAME, "README.md", "a_conv.gif", "b_transposed.gif", "c_untitled.gif"]
    manifest_text = (out / MANIFEST_NAME).read_text()
    manifest = json.loads(manifest_text)
    assert manifest_text == json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    record = manifest["outputs"]["a_conv.gif"]
    assert record["config"] == "a_conv.yaml" and record["format_version"] == 1
    assert set(record) == {"config", "config_sha256", "format_version", "output_sha256"}

    fake_render.calls.clear()  # second run: nothing to do
    result = run(str(configs), "-o", str(out), "--jobs", "1")
    assert result.stdout == f"{out}: rendered 0, up to date 3, failed 0\n"
    assert fake_render.calls == []

    (configs / "b_transposed.yaml").write_text(SMALL["b_transposed"] + "seed: 1\n")
    result = run(str(configs), "-o", str(out), "--jobs", "1")
    assert fake_render.calls == ["b_transposed"]  # only the touched config
    assert result.stdout.startswith(f"{out}: rendered 1, up to date 2")

    fake_render.calls.clear()
    (out / "c_untitled.gif").unlink()  # a missing output
    (out / "a_conv.gif").write_bytes(b"edited by hand")  # an output not as written
    build_gallery(configs, out, jobs=1)
    assert sorted(fake_render.calls) == ["a_conv", "c_untitled"]

    fake_render.calls.clear()
    result = run(str(configs), "-o", str(out), "--jobs", "1", "--force")
    assert sorted(fake_render.calls) == sorted(SMALL)
    assert result.stdout.startswith(f"{out}: rendered 3, up to date 0")

    fake_render.calls.clear()
    fake_render.FORMAT_VERSION = 2  # a renderer drawing new pixels renders everything again
    assert build_gallery(configs, out, jobs=1).rendered == sorted(SMALL)


def test_a_config_deleted_takes_its_output_with_it(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    out = tmp_path / "out"
    build_gallery(configs, out, jobs=1)
    (out / "mine.gif").write_bytes(b"not the gallery's")
    (tmp_path / "outside.gif").write_bytes(b"not the gallery's either")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    manifest["outputs"]["../outside.gif"] = manifest["outputs"]["a_conv.gif"]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))  # a manifest edited by hand
    (configs / "c_untitled.yaml").unlink()
    report = build_gallery(configs, out, jobs=1)
    assert report.removed == ["c_untitled.gif"] and report.summary().endswith(", removed 1")
    assert not (out / "c_untitled.gif").exists() and (out / "mine.gif").exists()
    assert (tmp_path / "outside.gif").exists()
    assert "c_untitled" not in (out / "README.md").read_text()
    assert "c_untitled.gif" not in json.loads((out / MANIFEST_NAME).read_text())["outputs"]


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    out = tmp_path / "out"
    inner = fake_render.render

    def interrupted(config, path, **limits):
        if len(fake_render.calls) == 2:
            raise KeyboardInterrupt
        return inner(config, path, **limits)

    fake_render.render = interrupted
    with pytest.raises(KeyboardInterrupt):
        build_gallery(configs, out, jobs=1)
    assert fake_render.calls == ["a_conv", "b_transposed"]  # c_untitled was interrupted
    fake_render.render = inner
    fake_render.calls.clear()
    report = build_gallery(configs, out, jobs=1)
    assert fake_render.calls == ["c_untitled"]
    assert report.up_to_date == ["a_conv", "b_transposed"]


def test_check_exit_codes(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    out = tmp_path / "out"
    result = run(str(configs), "-o", str(out), "--check")
    assert result.exit_code == 1
    assert f"stale: {out / 'a_conv.gif'}: missing" in result.stderr
    assert f"stale: {out / 'README.md'}: missing" in result.stderr
    assert not out.exists() and fake_render.calls == []  # --check renders nothing

    build_gallery(configs, out, jobs=1)
    result = run(str(configs), "-o", str(out), "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{out}: up to date\n", "")

    (configs / "a_conv.yaml").write_text(SMALL["a_conv"] + "seed: 3\n")
    result = run(str(configs), "-o", str(out), "--check")
    assert result.exit_code == 1
    stale = [line for line in result.stderr.splitlines() if line.startswith("stale:")]
    assert stale == [f"stale: {out / 'a_conv.gif'}: a_conv.yaml changed since it was rendered"]

    build_gallery(configs, out, jobs=1)
    (out / "README.md").write_text("edited\n")
    assert [p.path.name for p in check_gallery(configs, out)] == ["README.md"]
    assert run(str(configs), "-o", str(out), "--check", "--force").exit_code == 2
