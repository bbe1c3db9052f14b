"""SVG primitives shared by the SVG writer and the HTML player: numbers, colours, paths,
text set in the embedded font, and the figure's notes (the kernel grid, the labels)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .font import font_bytes, subset

if TYPE_CHECKING:
    from .layout import Layout
    from .themes import Theme

__all__ = ["FONT_FAMILY", "font_face", "svg_notes"]

FONT_FAMILY = "deconv-anim-aileron, Aileron, sans-serif"
"""The embedded font first (see :func:`font_face`)."""
_TEXT = re.compile(r"<(?:text|tspan)\b[^>]*>([^<]*)")

def _hex(color: Sequence[int]) -> str:
    r, g, b = (int(v) for v in color[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _num(value: float) -> str:
    """A coordinate: integers as integers, else at most 2 decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pt(p: Sequence[float] | np.ndarray) -> str:
    return f"{_num(p[0])} {_num(p[1])}"


def _poly(points: Iterable[Sequence[float]]) -> str:
    pts = list(points)
    return "M" + "L".join(_pt(p) for p in pts) + "Z"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def font_face(markup: str) -> str:
    """A ``<style>`` with the font the GIF's text is drawn in, as a data URI: the glyphs of
    the text in ``markup`` only (nothing when it has no text)."""
    text = "".join(html.unescape(t) for t in _TEXT.findall(markup))
    if not text.strip():
        return ""
    data = base64.b64encode(subset(font_bytes(), text)).decode("ascii")
    return ("<style>@font-face{font-family:deconv-anim-aileron;"
            f'src:url(data:font/ttf;base64,{data}) format("truetype")}}</style>')




def _svg_text(centre: Sequence[float] | np.ndarray, text: str, size: int, fill: Sequence[int],
              stroke: Sequence[int] | None = None, extra: str = "", body: str = "") -> str:
    """A text centred at ``centre``, as the raster draws it (a 1 px halo if ``stroke``)."""
    halo = (f' stroke="{_hex(stroke)}" stroke-width="2" paint-order="stroke" '
            'stroke-linejoin="round"') if stroke else ""
    return (f'<text x="{_num(centre[0])}" y="{_num(centre[1])}" font-size="{size}" '
            f'font-family="{FONT_FAMILY}" dominant-baseline="central" text-anchor="middle" '
            f'fill="{_hex(fill)}"{halo}{extra}>{_esc(text)}{body}</text>')


def svg_notes(layout: Layout, theme: Theme) -> list[str]:
    """The notes of ``layout`` (:mod:`deconv_anim.notes`): the kernel's cells with their
    numbers, and the labels, as the raster draws them."""
    notes = layout.notes
    if not notes:
        return []
    out = ["<g>"]
    by_fill: dict[str, list[str]] = {}
    for c in notes.cells:
        by_fill.setdefault(_hex(c.fill), []).append(_poly(c.polygon))
    out += [f'<path d="{"".join(d)}" fill="{fill}" stroke="{_hex(theme.line)}" '
            f'stroke-width="{_num(layout.line_width)}"/>' for fill, d in by_fill.items()]
    out += [_svg_text(np.array(c.polygon, float).mean(axis=0), c.text, layout.number_size,
                      c.color) for c in notes.cells]
    out += [_svg_text(t.at, t.text, t.size, t.color) for t in notes.texts]
    out.append("</g>")
    return out
