"""The gallery: layout (gallery.yaml), README, incremental renders, --check, failures.

Most tests use a fake renderer (a stand-in ``deconv_anim.render`` module writing a few
bytes); the last ones use the real renderer when it exists.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import teaching as tv
from deconv_anim.cli import main
from deconv_anim.config import load_config
from deconv_anim.errors import ConfigError, OutputError
from deconv_anim.gallery import (
    MANIFEST_NAME,
    Layout,
    build_gallery,
    check_gallery,
    complete_layout,
    find_configs,
    load_layout,
    parse_layout,
    readme_text,
)
from deconv_anim.render import prepare

REPO = Path(__file__).resolve().parents[1]

SMALL = {
    "a_conv": "# a\ntitle: A conv\nop: conv\nsize: 3\nkernel: 2\n",
    "b_transposed": "# b\ntitle: B transposed\nop: transposed\nsize: 2\nkernel: 2\n",
    "c_untitled": "# c\nop: conv\nsize: [2, 3]\nkernel: [1, 2]\n",
}


def write_configs(folder: Path, configs: dict[str, str] = SMALL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in configs.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in ``deconv_anim.render``: writes bytes that depend on the config."""
    module = types.ModuleType("deconv_anim.render")
    module.FORMAT_VERSION = 1  # type: ignore[attr-defined]
    module.calls = []  # type: ignore[attr-defined]
    module.fail_on = set()  # type: ignore[attr-defined]

    def render(config, path):
        module.calls.append(config.name)
        if config.name in module.fail_on:
            raise OutputError(f"{path}: the fake renderer refuses")
        data = b"GIF89a" + repr((config.spec.input_size, config.render.title,
                                 module.FORMAT_VERSION)).encode()
        path.write_bytes(data)
        return SimpleNamespace(path=path, frames=config.spec.frames, bytes=len(data))

    module.render = render  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "deconv_anim.render", module)
    return module


def run(*args: str):
    return CliRunner().invoke(main, ["gallery", *args])


# ---------------------------------------------------------------------------------------
# gallery.yaml
# ---------------------------------------------------------------------------------------

NAMES = {"a": 0, "b": 0, "c": 0, "d": 0}


def test_layout_parses_sections_rows_columns_and_captions():
    layout = parse_layout({
        "title": "Figures", "text": "Intro.", "per_row": 3, "others": "Rest",
        "sections": [
            {"title": "Seed", "text": "The table.", "tables": [{
                "caption": "conv and transposed", "corner": "op",
                "columns": ["VALID", "SAME"], "captions": False,
                "rows": [{"label": "conv", "cells": ["a", "b.yaml"]},
                         {"label": "transposed", "cells": [None]}]}]},
            {"title": "Two", "tables": [
                {"rows": [[{"config": "c", "caption": "C!"}, "", {"caption": "text only"}]]}]},
        ]}, names=NAMES)
    assert (layout.title, layout.text, layout.per_row, layout.others) == (
        "Figures", "Intro.", 3, "Rest")
    seed = layout.sections[0].tables[0]
    assert seed.columns == ("VALID", "SAME") and seed.corner == "op"
    assert seed.captions == "none"
    assert [row.label for row in seed.rows] == ["conv", "transposed"]
    assert [c.config for c in seed.rows[0].cells] == ["a", "b"]
    assert seed.width == 2 and seed.has_labels
    two = layout.sections[1].tables[0]
    assert [(c.config, c.caption) for c in two.rows[0].cells] == [
        ("c", "C!"), (None, None), (None, "text only")]
    assert not two.has_labels
    assert layout.placed == {"a", "b", "c"}


@pytest.mark.parametrize(("document", "message"), [
    (["a"], "must be a mapping"),
    ({"sectoins": []}, "sectoins: unknown key; did you mean sections?"),
    ({"per_row": 0}, "per_row: must be an integer from 1 to 12"),
    ({"sections": {"a": 1}}, "sections: must be a list of sections"),
    ({"sections": [{"title": "x", "tabels": []}]},
     "sections[0].tabels: unknown key; did you mean tables?"),
    ({"sections": [{"tables": [{}]}]}, "sections[0].tables[0].rows: is required"),
    ({"sections": [{"tables": [{"rows": []}]}]},
     "sections[0].tables[0].rows: must be a non-empty list of rows"),
    ({"sections": [{"tables": [{"rows": [["a", "x"]]}]}]},
     "sections[0].tables[0].rows[0][1]: no config named 'x' in this folder"),
    ({"sections": [{"tables": [{"rows": [["aa"]]}]}]}, "did you mean a?"),
    ({"sections": [{"tables": [{"rows": [[3]]}]}]},
     "sections[0].tables[0].rows[0][0]: must be a config's name"),
    ({"sections": [{"tables": [{"rows": [{"label": "x"}]}]}]},
     "sections[0].tables[0].rows[0].cells: is required"),
    ({"sections": [{"tables": [{"rows": [{"cells": [{"config": "q"}]}]}]}]},
     "sections[0].tables[0].rows[0].cells[0].config: no config named 'q'"),
    ({"sections": [{"tables": [{"columns": ["x"], "rows": [["a", "b"]]}]}]},
     "sections[0].tables[0].rows[0]: has 2 cells but columns has 1 headers"),
    ({"sections": [{"tables": [{"captions": "yes", "rows": [["a"]]}]}]},
     'sections[0].tables[0].captions: must be one of cell, row, none (got "yes")'),
    ({"sections": [{"title": ["x"]}]}, "sections[0].title: must be a line of text"),
    ({"sections": [{"tables": [{"rows": [[{"config": "a", "size": 3}]]}]}]},
     "sections[0].tables[0].rows[0][0].size: unknown key; known keys: config, caption"),
])
def test_layout_errors_name_the_key_and_the_rule(document, message):
    with pytest.raises(ConfigError) as caught:
        parse_layout(document, names=NAMES, source="configs/gallery.yaml")
    assert str(caught.value).startswith("configs/gallery.yaml: ")
    assert message in str(caught.value)


def test_a_bad_gallery_yaml_stops_the_run_with_one_error_line(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    (configs / "gallery.yaml").write_text(
        "sections:\n  - tables:\n      - rows: [[a_conv, nope]]\n")
    result = run(str(configs), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {configs / 'gallery.yaml'}: sections[0].tables[0]"
                             ".rows[0][1]: no config named 'nope' in this folder\n")
    assert fake_render.calls == []
    (configs / "gallery.yaml").write_text("sections: [\n")
    result = run(str(configs), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "invalid YAML" in result.stderr


def test_without_gallery_yaml_one_table_of_every_config_in_name_order():
    names = [f"n{i}" for i in (3, 1, 5, 2, 4)]
    layout = complete_layout(Layout(), names)
    (section,) = layout.sections
    assert section.title is None  # no heading: the whole README is that table
    rows = section.tables[0].rows
    assert [[c.config for c in row.cells] for row in rows] == [
        ["n1", "n2", "n3", "n4"], ["n5"]]
    text = readme_text(layout, {})
    assert "##" not in text
    assert re.findall(r'src="(n\d)\.gif"', text) == ["n1", "n2", "n3", "n4", "n5"]


def test_configs_no_table_places_go_to_a_final_section():
    layout = parse_layout({"per_row": 2, "others": "The rest", "sections": [
        {"title": "Placed", "tables": [{"rows": [["c"]]}]}]}, names=NAMES)
    layout = complete_layout(layout, NAMES)
    assert [s.title for s in layout.sections] == ["Placed", "The rest"]
    rows = layout.sections[-1].tables[0].rows
    assert [[c.config for c in row.cells] for row in rows] == [["a", "b"], ["d"]]
    text = readme_text(layout, {})
    assert text.index("## Placed") < text.index('src="c.gif"') < text.index("## The rest")


# ---------------------------------------------------------------------------------------
# README.md
# ---------------------------------------------------------------------------------------

def test_readme_tables_are_html_with_150px_images_relative_links_captions_and_alt():
    layout = parse_layout({"title": "G", "sections": [{"title": "Seed", "tables": [{
        "corner": "op", "columns": ['padding="VALID"', "SAME"], "captions": False,
        "rows": [{"label": "conv", "cells": ["a", "b"]},
                 {"label": "transposed", "cells": ["c"]}]}]},
        {"title": "Captions", "tables": [{"caption": "Two", "rows": [
            [{"config": "d", "caption": "Short"}, "a"]]}]}]}, names=NAMES)
    titles = {"a": "A -> 2x2", "b": None, "c": "C", "d": "D long title"}
    text = readme_text(layout, titles)
    assert text.startswith("<!-- Generated by `deconv-anim gallery`")
    assert "# G\n" in text and "## Seed\n" in text
    images = re.findall(r"<img [^>]*>", text)
    assert len(images) == 5
    for image in images:
        assert 'width="150px"' in image
        src = re.search(r'src="([^"]+)"', image).group(1)
        assert re.fullmatch(r"[a-z]\.gif", src)  # relative, beside README.md
        assert re.search(r'alt="[^"]+"', image)
    assert "<th>op</th>" in text and "<th>padding=&quot;VALID&quot;</th>" in text
    assert "<th>conv</th>" in text and "<th>transposed</th>" in text
    assert 'alt="A -&gt; 2x2"' in text and 'alt="b"' in text  # no title: the name
    assert '<img width="150px" src="a.gif" alt="A -&gt; 2x2"></td>' in text  # captions off
    assert "<caption>Two</caption>" in text
    assert 'alt="D long title"><br>Short</td>' in text  # a caption of the layout's own
    assert 'alt="A -&gt; 2x2"><br>A -&gt; 2x2</td>' in text  # default caption: the title
    seed = text[text.index("## Seed"):text.index("## Captions")]
    assert seed.count("<tr>") == 3 and seed.count("<td></td>") == 1  # short row padded
    assert "\n\n<table" in text and "</table>\n" in text  # HTML blocks stand alone


def test_readme_captions_in_a_row_of_their_own_as_conv_arithmetic_does():
    layout = parse_layout({"sections": [{"tables": [{"captions": "row", "rows": [
        [{"config": "a", "caption": "First"}, "b", None]]}]}]}, names=NAMES)
    text = readme_text(layout, {"b": "B title"})
    rows = re.findall(r"<tr>(.*?)</tr>", text, re.S)
    assert len(rows) == 2
    assert rows[0].count("<img") == 2 and "<br>" not in rows[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", rows[1]) == ["First", "B title", ""]


def test_readme_is_deterministic_and_rewritten_only_when_it_changes(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    out = tmp_path / "out"
    first = build_gallery(configs, out, jobs=1)
    assert first.readme_written
    text = (out / "README.md").read_bytes()
    assert build_gallery(configs, tmp_path / "other", jobs=1, force=True).readme_written
    assert (tmp_path / "other" / "README.md").read_bytes() == text
    assert not build_gallery(configs, out, jobs=1).readme_written
    (configs / "a_conv.yaml").write_text(SMALL["a_conv"].replace("A conv", "A new title"))
    assert build_gallery(configs, out, jobs=1).readme_written
    assert b"A new title" in (out / "README.md").read_bytes()


# ---------------------------------------------------------------------------------------
# Incremental renders
# ---------------------------------------------------------------------------------------

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

    def interrupted(config, path):
        if len(fake_render.calls) == 2:
            raise KeyboardInterrupt
        return inner(config, path)

    fake_render.render = interrupted
    with pytest.raises(KeyboardInterrupt):
        build_gallery(configs, out, jobs=1)
    assert fake_render.calls == ["a_conv", "b_transposed"]  # c_untitled was interrupted
    fake_render.render = inner
    fake_render.calls.clear()
    report = build_gallery(configs, out, jobs=1)
    assert fake_render.calls == ["c_untitled"]
    assert report.up_to_date == ["a_conv", "b_transposed"]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the fake renderer reaches worker processes only by fork")
def test_parallel_jobs_write_the_same_gallery(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    one = build_gallery(configs, tmp_path / "one", jobs=1)
    two = build_gallery(configs, tmp_path / "two", jobs=3)
    assert one.rendered == two.rendered == sorted(SMALL)
    for name in (*(f"{n}.gif" for n in SMALL), "README.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# ---------------------------------------------------------------------------------------
# --check, failures, help
# ---------------------------------------------------------------------------------------

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


def test_renderer_bugs_fail_their_config_only(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")

    def buggy(config, path):
        raise ZeroDivisionError("oops")

    fake_render.render = buggy
    report = build_gallery(configs, tmp_path / "out", jobs=1)
    assert [name for name, _ in report.failed] == sorted(SMALL)
    assert report.failed[0][1].endswith("a_conv.yaml: internal error: ZeroDivisionError: oops")


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


# ---------------------------------------------------------------------------------------
# The project's own configs, and the real renderer when it exists
# ---------------------------------------------------------------------------------------

def test_the_project_configs_and_their_layout_load():
    from deconv_anim.gallery import _scan
    from deconv_anim.presets import REFERENCE_NAMES

    items, layout = _scan(REPO / "configs")
    assert [item.error for item in items if item.error] == []
    names = {item.name for item in items}
    assert set(REFERENCE_NAMES) <= names
    assert all(item.config.render.title for item in items)
    seed_table = layout.sections[0].tables[1]  # the seed's 2 x 3 table
    assert seed_table.width == 3 and len(seed_table.rows) == 2


def _real_renderer():
    try:
        from deconv_anim import render
    except ImportError:
        pytest.skip("deconv_anim.render does not exist yet")
    if not hasattr(render, "FORMAT_VERSION"):
        pytest.skip("deconv_anim.render has no FORMAT_VERSION yet")
    return render


def test_real_renderer_in_worker_processes(tmp_path):
    _real_renderer()
    configs = write_configs(tmp_path / "configs")
    report = build_gallery(configs, tmp_path / "out", jobs=2)
    assert report.ok and report.rendered == sorted(SMALL)
    for name in SMALL:
        assert (tmp_path / "out" / f"{name}.gif").read_bytes().startswith(b"GIF8")
    assert check_gallery(configs, tmp_path / "out") == []


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


# ---- the teaching configs and their gallery section


@pytest.mark.parametrize("name", tv.ALL_CONFIGS)
def test_every_config_loads(name):
    config = load_config(tv.CONFIGS / f"{name}.yaml")
    assert config.name == name
    prepare(config)  # within the size limits


def test_the_teaching_configs_show_their_feature():
    configs = {name: load_config(tv.CONFIGS / f"{name}.yaml") for name in tv.TEACHING}
    for name, config in configs.items():
        assert config.render.title, name
    c = configs
    assert c["numbers_conv"].render.values and c["numbers_conv"].spec.op == "conv"
    assert c["numbers_transposed"].render.values
    assert c["numbers_transposed"].spec.is_transposed
    assert c["numbers_transposed"].spec.view == "gather"
    assert c["numbers_scatter"].render.values and c["numbers_scatter"].spec.view == "scatter"
    assert c["both_views"].spec.view == "both" and c["both_views"].spec.is_transposed
    assert c["overlap_map"].render.overlap and c["overlap_map"].spec.is_transposed
    assert c["maxpool"].spec.op == "maxpool" and c["maxpool"].render.values
    assert c["avgpool"].spec.op == "avgpool"
    assert c["theme_dark"].render.style.theme == "dark"
    assert c["theme_colorblind"].render.style.theme == "colorblind"
    assert any(config.render.labels for config in configs.values())


def test_the_overlap_map_config_shows_uneven_overlap():
    counts = tv.stamp_counts(load_config(tv.CONFIGS / "overlap_map.yaml").spec)
    assert len(np.unique(counts)) >= 3  # the checkerboard: 1, 2 and 4 stamps


def test_the_teaching_configs_are_a_gallery_section():
    configs = find_configs(tv.CONFIGS)
    assert set(tv.TEACHING) <= set(configs)
    layout = load_layout(tv.CONFIGS, configs)
    sections = {section.title: section for section in layout.sections}
    assert "Teaching views" in sections
    section = sections["Teaching views"]
    placed = {cell.config for table in section.tables for row in table.rows
              for cell in row.cells if cell.config}
    assert set(tv.TEACHING) <= placed
    assert section.text  # a paragraph introducing them
    # and the generated README has the section, with every teaching figure under it
    titles = {name: load_config(path).render.title for name, path in configs.items()}
    text = readme_text(layout, titles)
    heading = "## Teaching views"
    assert text.count(heading) == 1
    part = text[text.index(heading):]
    part = part[:part.find("\n## ", 1)] if "\n## " in part[1:] else part
    for name in tv.TEACHING:
        assert re.search(rf'src="{name}\.gif"', part), name
