"""Themes: the derived colours are the documented mixes of each theme's own colours, and the
palette holds every one of them exactly."""

from __future__ import annotations

import pytest

from deconv_anim.palette import build_palette
from deconv_anim.themes import THEMES


def mix(a, b, t):
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))


@pytest.mark.parametrize("name", sorted(THEMES))
def test_derived_colours(name):
    theme = THEMES[name]
    bg = theme.background
    assert theme.faded_input == mix(bg, theme.input, 0.3)
    assert theme.pending_output == mix(bg, theme.output, 0.25)
    assert theme.faded_line == mix(bg, theme.line, 0.35)
    assert theme.tint(0, 4) == bg
    assert theme.tint(4, 4) == theme.output  # the most stamps: the output colour
    assert theme.tint(1, 4) == mix(bg, theme.output, 0.3 + 0.7 / 4)
    assert theme.tint(9, 4) == theme.output  # more than the top count: still the top


@pytest.mark.parametrize("name", sorted(THEMES))
def test_text_reads_on_every_fill(name):
    theme = THEMES[name]

    def luminance(c):
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    for fill in (theme.background, theme.input, theme.output, theme.faded_input):
        text = theme.contrast(fill)
        assert text in (theme.text_color, theme.background)
        other = theme.background if text == theme.text_color else theme.text_color
        assert abs(luminance(text) - luminance(fill)) >= abs(luminance(other) - luminance(fill))
        faded = theme.text_on(fill, faded=True)
        assert faded == mix(fill, text, 0.5)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_the_palette_holds_the_derived_colours_exactly(name):
    theme = THEMES[name]
    tints = [theme.tint(n, 3) for n in (1, 2, 3)]
    palette, _, exact = build_palette(theme, tints)
    flat = {tuple(int(v) for v in c) for c in palette[:exact]}
    assert {theme.faded_input, theme.pending_output, theme.faded_line, *tints} <= flat
