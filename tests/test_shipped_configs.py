"""The shipped configs (configs/): each loads and fits the limits, the teaching ones show
their feature, and they form the gallery's sections."""

from __future__ import annotations

import re

import numpy as np
import pytest

import teaching as tv
from deconv_anim.animation import prepare
from deconv_anim.config import load_config
from deconv_anim.gallery import find_configs, load_layout, readme_text


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
