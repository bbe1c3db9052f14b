"""Colour themes: plain data (RGB tuples), no drawing here.

``classic`` is the palette of Dumoulin & Visin's figures (Solarized): input cells
RGB(38, 139, 210), output cells RGB(42, 161, 152), lines RGB(0, 43, 54), and the kernel
window and current output cell overlaid with RGB(7, 54, 66) at 40 % opacity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Theme", "THEMES"]

RGB = tuple[int, int, int]


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

