"""The animated SVG of ``view: matrix``: the grids' SVG and the matrix panel's shapes.

The grids are the gather view's own SVG (:func:`deconv_anim.svg.svg_document`, nested at
their offset); the matrix panel's shapes come from
:meth:`~deconv_anim.matrix_raster.MatrixPanel.frame_shapes`, the same shapes the raster
paints, written as vectors with one group per step on the same clock
(:func:`deconv_anim.channel_svg.step_groups`). The title is shared, under both panels.
No Pillow here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .channel_svg import step_groups
from .layout import Panel
from .svg import _esc, _hex, _svg_text, font_face, svg_document

if TYPE_CHECKING:
    from .matrix_raster import MatrixView

__all__ = ["matrix_svg_document"]


def matrix_svg_document(view: MatrixView, timing: Any) -> str:
    """The SVG of a :class:`~deconv_anim.matrix_raster.MatrixView` on ``timing``'s clock
    (``durations(count)`` and ``tween``, as :class:`deconv_anim.encode.Timing`)."""
    left, look = view.left, view.look
    (gx, gy), (mx, my) = view.offsets
    grids = svg_document(Panel(left.scene, left.timeline, left.layout), look, timing=timing,
                         font=False).replace("<svg ", f'<svg x="{gx}" y="{gy}" ', 1)
    static, steps = view.right.frame_shapes()
    panel = (f'<g transform="translate({mx},{my})">\n'
             + "\n".join(step_groups(static, steps, timing=timing,
                                       final=view.right.final_ops())) + "\n</g>\n")
    theme = look.theme
    width, height = view.size
    title = "".join(_svg_text((width / 2, y), line, left.layout.text_size, theme.text_color)
                    + "\n" for line, y in view.title_lines)
    background = ("" if look.transparent else
                  f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>\n')
    name = " ".join(line for line, _ in view.title_lines)
    head = f"<title>{_esc(name)}</title>\n" if name else ""
    body = grids + panel + title
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n{head}{font_face(body)}\n{background}{body}'
            "</svg>\n")
