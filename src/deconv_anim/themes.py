"""Colour themes: plain data (RGB tuples), no drawing here.

``classic`` is the palette of Dumoulin & Visin's figures (Solarized): input cells
RGB(38, 139, 210), output cells RGB(42, 161, 152), lines RGB(0, 43, 54), and the kernel
window and current output cell overlaid with RGB(7, 54, 66) at 40 % opacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

__all__ = ["Theme", "THEMES", "mix", "RGB"]

RGB = tuple[int, int, int]

# Derived colours, as fractions of the way from the background to a theme colour; the
# palette lists them and the painters use them, so both read these (never a copy).
FADED_INPUT = 0.3  # a cropped input cell
PENDING_OUTPUT = 0.25  # an output cell not computed yet (the numbers view)
FADED_LINE = 0.35  # the dashed border of a cropped cell
LIGHTEST_TINT = 0.3  # the tint of one stamp; the most stamps get the full output colour
FADED_TEXT = 0.5  # faded numbers: half way from their cell's fill to the text colour


def mix(a: Sequence[float], b: Sequence[float], t: float) -> RGB:
    """The colour a fraction ``t`` of the way from ``a`` to ``b``, rounded.

    >>> mix((0, 0, 0), (255, 100, 10), 0.5)
    (128, 50, 5)
    """
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))  # type: ignore[return-value]


def _linear(v: float) -> float:
    v = v / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def relative_luminance(c: Sequence[float]) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0-255 channels)."""
    return _luminance_of(tuple(float(v) for v in c[:3]))


@lru_cache(maxsize=4096)
def _luminance_of(c: tuple[float, ...]) -> float:
    return 0.2126 * _linear(c[0]) + 0.7152 * _linear(c[1]) + 0.0722 * _linear(c[2])


def contrast_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21.

    >>> round(contrast_ratio((255, 255, 255), (0, 0, 0)), 1)
    21.0
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


MIN_CONTRAST = 3.0  # WCAG's ratio for large text and graphics: every number reaches it
FADED_STEPS = (FADED_TEXT, 0.75, 1.0)  # a faded number: the first of these that reads


@dataclass(frozen=True)
class Theme:
    """The colours of a figure; every field can be overridden from ``style:``."""

    background: RGB
    input: RGB
    output: RGB
    line: RGB
    overlay: RGB
    overlay_alpha: float = 0.4
    text: RGB | None = None  # default: the line colour
    accent: RGB = (220, 50, 47)  # marks the maximum of a max-pool window

    def with_colors(self, **colors: RGB) -> Theme:
        """This theme with some colours replaced (by field name)."""
        changes: dict[str, Any] = dict(colors)
        return replace(self, **changes)

    @property
    def text_color(self) -> RGB:
        return self.text or self.line

    @property
    def faded_input(self) -> RGB:
        """Fill of a cropped input cell."""
        return mix(self.background, self.input, FADED_INPUT)

    @property
    def pending_output(self) -> RGB:
        """Fill of an output cell whose value is not computed yet."""
        return mix(self.background, self.output, PENDING_OUTPUT)

    @property
    def faded_line(self) -> RGB:
        """Border of a cropped input cell."""
        return mix(self.background, self.line, FADED_LINE)

    def tint(self, count: int, top: int) -> RGB:
        """Fill of an output cell hit by ``count`` of at most ``top`` stamps (none: the
        background)."""
        if count <= 0:
            return self.background
        f = LIGHTEST_TINT + (1 - LIGHTEST_TINT) * min(count, top) / top
        return mix(self.background, self.output, f)

    def contrast(self, fill: Sequence[float]) -> RGB:
        """The text colour (text or background colour) with the higher WCAG contrast on
        ``fill``."""
        a, b = self.text_color, self.background
        return a if contrast_ratio(a, fill) >= contrast_ratio(b, fill) else b

    def text_on(self, fill: Sequence[float], faded: bool = False) -> RGB:
        """The colour of a number on ``fill`` (the final, composited fill it sits on).

        A text colour set explicitly is used as given. Otherwise the text or background
        colour, whichever contrasts more; a faded number (zeros, cropped cells) goes back
        towards the fill only as far as keeps :data:`MIN_CONTRAST` against it."""
        if self.text is not None:
            return self.text
        return _text_on(self, tuple(int(v) for v in fill[:3]), faded)

    def _text_on(self, fill: RGB, faded: bool) -> RGB:
        color = self.contrast(fill)
        if not faded:
            return color
        for t in FADED_STEPS:
            faint = mix(fill, color, t)
            if contrast_ratio(faint, fill) >= MIN_CONTRAST + 0.2:  # margin: the palette
                return faint
        return color

    def shaded(self, fill: Sequence[float]) -> RGB:
        """``fill`` under the window's translucent overlay."""
        return mix(fill, self.overlay, self.overlay_alpha)


@lru_cache(maxsize=4096)
def _text_on(theme: Theme, fill: RGB, faded: bool) -> RGB:
    """:meth:`Theme.text_on`, remembered (a figure asks for the same few fills)."""
    return theme._text_on(fill, faded)


THEMES: dict[str, Theme] = {
    "classic": Theme(background=(255, 255, 255), input=(38, 139, 210), output=(42, 161, 152),
                     line=(0, 43, 54), overlay=(7, 54, 66)),
    # Solarized dark: the same fills on the dark base, light lines, a light window
    "dark": Theme(background=(0, 43, 54), input=(38, 139, 210), output=(42, 161, 152),
                  line=(238, 232, 213), overlay=(253, 246, 227), overlay_alpha=0.35,
                  accent=(203, 75, 22)),
    # Okabe & Ito's colour-blind-safe pair: blue input, orange output
    "colorblind": Theme(background=(255, 255, 255), input=(86, 180, 233),
                        output=(230, 159, 0), line=(0, 0, 0), overlay=(0, 0, 0),
                        accent=(213, 94, 0)),
}

