"""The gallery's table layout: gallery.yaml parsed into a GalleryPlan, and completed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconv_anim.cli import main
from deconv_anim.errors import ConfigError
from deconv_anim.gallery import (
    GalleryPlan,
    complete_layout,
    load_layout,
    parse_layout,
    readme_text,
)
from gallery_fixtures import write_configs

REPO = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, ["gallery", *args])


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
    layout = complete_layout(GalleryPlan(), names)
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


def test_the_project_configs_and_their_layout_load():
    from deconv_anim.gallery import find_configs
    from deconv_anim.gallery.manifest import read_items
    from deconv_anim.presets import REFERENCE_NAMES

    configs = find_configs(REPO / "configs")
    items = read_items(configs)
    layout = complete_layout(load_layout(REPO / "configs", configs), configs)
    assert [item.error for item in items if item.error] == []
    names = {item.name for item in items}
    assert set(REFERENCE_NAMES) <= names
    assert all(item.config.render.title for item in items)
    seed_table = layout.sections[0].tables[1]  # the seed's 2 x 3 table
    assert seed_table.width == 3 and len(seed_table.rows) == 2
