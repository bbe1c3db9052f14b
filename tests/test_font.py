"""The width table: Pillow's own widths of the font the raster draws with, without Pillow."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageFont

from deconv_anim.font import MAX_SIZE, character_map, font_bytes, subset, text_width

TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2200), max_size=40)


def test_the_shipped_font_is_pillows():
    assert font_bytes() == ImageFont.load_default(size=12).font_bytes


@settings(max_examples=300, deadline=None)
@given(text=TEXT, size=st.integers(1, MAX_SIZE))
def test_widths_are_pillows(text, size):
    assert text_width(text, size) == ImageFont.load_default(size=size).getlength(text)


def test_the_table_covers_the_font():
    chars = character_map(font_bytes())
    assert {"0", "9", "a", "Z", "[", "]", "*", "=", ".", "-"} <= chars
    assert len(chars) > 100


@settings(max_examples=20, deadline=None)
@given(text=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1,
                    max_size=20))
def test_a_subset_draws_its_text_as_the_whole_font(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("font") / "subset.ttf"
    path.write_bytes(subset(font_bytes(), text))
    small = ImageFont.truetype(str(path), 17, layout_engine=ImageFont.Layout.BASIC)
    whole = ImageFont.load_default(size=17)
    a, b = np.asarray(small.getmask(text)), np.asarray(whole.getmask(text))
    assert small.getlength(text) == whole.getlength(text)
    assert a.shape == b.shape and (a == b).all()
