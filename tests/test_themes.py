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

    def luminance(c):  # WCAG 2, written out independently
        lin = [(v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4
               for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def ratio(a, b):
        la, lb = sorted((luminance(a), luminance(b)))
        return (lb + 0.05) / (la + 0.05)

    fills = (theme.background, theme.input, theme.output, theme.faded_input,
             theme.pending_output, *(theme.tint(n, 4) for n in range(1, 5)))
    for fill in (*fills, *(theme.shaded(f) for f in fills)):
        text = theme.contrast(fill)
        assert text in (theme.text_color, theme.background)
        other = theme.background if text == theme.text_color else theme.text_color
        assert ratio(text, fill) >= ratio(other, fill)
        assert ratio(text, fill) >= 3, (fill, text)
        faded = theme.text_on(fill, faded=True)
        assert ratio(faded, fill) >= 3
        # faded: the first of half way, three quarters, all the way that reads 3.2:1
        assert faded in [mix(fill, text, t) for t in (0.5, 0.75, 1.0)]
    assert theme.with_colors(text=(1, 2, 3)).text_on(theme.input) == (1, 2, 3)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_the_palette_holds_the_derived_colours_exactly(name):
    theme = THEMES[name]
    tints = [theme.tint(n, 3) for n in (1, 2, 3)]
    palette, _, exact = build_palette(theme, tints)
    flat = {tuple(int(v) for v in c) for c in palette[:exact]}
    assert {theme.faded_input, theme.pending_output, theme.faded_line, *tints} <= flat
