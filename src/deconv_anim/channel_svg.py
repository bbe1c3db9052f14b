"""The animated SVG of a channel-mode figure: the painter's shapes as vectors, one clock.

:class:`~deconv_anim.channel_raster.ChannelRaster` lists each frame's shapes once (polygons,
polylines and texts in pixel coordinates, from the channel layout and timeline); this
module writes them as SVG instead of pixels, so the SVG lines up with the GIF at its natural
size. What never changes is drawn once; each step is a group shown from its frame's first
millisecond until the next step's (SMIL ``display`` on the shared clock of
:mod:`deconv_anim.svg`: ``begin`` 0, one total duration, ``repeatCount="indefinite"``).
Outside the animations the last step shows, so a viewer without SMIL shows the finished
figure. No Pillow here: the shapes come as plain data (an object with ``ops`` and
``texts`` lists, as :class:`deconv_anim.paint.Ops` keeps them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .svg import _hex, _num, _svg_text, font_face
from .svg_clock import Clock, num_time

__all__ = ["shapes_svg", "step_groups", "channel_svg_document"]


def shapes_svg(ops: Any) -> list[str]:
    """SVG elements of a list of shapes: ``ops.ops`` holds ``(kind, flat points, colour,
    width, alpha, top, bottom)`` (kind ``polygon`` or ``line``), ``ops.texts`` holds
    ``(centre, text, size, fill, stroke)``.

    >>> class Shapes:
    ...     ops = [("polygon", [0, 0, 4, 0, 4, 4], (255, 0, 0), 0, 0.5, 0, 4)]
    ...     texts = []
    >>> shapes_svg(Shapes())
    ['<polygon points="0,0 4,0 4,4" fill="#ff0000" fill-opacity="0.5"/>']
    """
    out = []
    for kind, flat, color, width, alpha, _top, _bottom in ops.ops:
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(flat[0::2], flat[1::2]))
        if kind == "polygon":
            opacity = f' fill-opacity="{_num(alpha)}"' if alpha < 1 else ""
            out.append(f'<polygon points="{points}" fill="{_hex(color)}"{opacity}/>')
        else:
            opacity = f' stroke-opacity="{_num(alpha)}"' if alpha < 1 else ""
            out.append(f'<polyline points="{points}" fill="none" stroke="{_hex(color)}" '
                       f'stroke-width="{_num(width)}" stroke-linejoin="round"{opacity}/>')
    for centre, text, size, fill, stroke in ops.texts:
        # runs of spaces kept as the raster draws them (they leave room for a superscript)
        keep = ' xml:space="preserve" style="white-space:pre"' if "  " in text else ""
        out.append(_svg_text(centre, text, size, fill, stroke, keep))
    return out


def step_groups(static: Any, steps: Sequence[Any], *, timing: Any,
                final: Any = None) -> list[str]:
    """SVG elements of ``static`` shapes, then one group per step (its shapes), shown from
    its frame's first millisecond until the next step's; ``timing`` as for
    :func:`deconv_anim.svg.svg_document` (each step's frame is held through its
    in-between frames); ``final`` the shapes of the held clean final frame."""
    tween = int(getattr(timing, "tween", 0))
    count = len(steps)
    durations = timing.durations(count)  # the frames written, in-between ones too
    clock = Clock(durations)
    # each step's first frame, then the held clean final frame (``final``: the last one)
    starts = [int(clock.starts[n * (tween + 1)]) for n in range(count)]
    groups = list(steps)
    if final is not None and len(durations) > (count - 1) * (tween + 1) + 1:
        starts.append(int(clock.starts[len(durations) - 1]))
        groups.append(final)
    body = shapes_svg(static)
    for n, shapes in enumerate(groups):
        shown = "inline" if n == len(groups) - 1 else "none"
        animate = ""
        if len(groups) > 1:
            start = starts[n]
            end = starts[n + 1] if n < len(groups) - 1 else clock.total
            times, values = [0.0], ["none"]
            if start == 0:
                values = ["inline"]
            else:
                times.append(start / clock.total)
                values.append("inline")
            if end < clock.total:
                times.append(end / clock.total)
                values.append("none")
            key_times = ";".join(num_time(t) for t in times)
            animate = (f'<animate attributeName="display" values="{";".join(values)}" '
                       f'keyTimes="{key_times}" dur="{clock.total}ms" calcMode="discrete" '
                       'repeatCount="indefinite"/>')
        body.append(f'<g display="{shown}">{animate}{"".join(shapes_svg(shapes))}</g>')
    return body


def channel_svg_document(size: tuple[int, int], background: Sequence[int] | None,
                         static: Any, steps: Sequence[Any], *, timing: Any,
                         final: Any = None) -> str:
    """The SVG of a channel-mode figure: ``static`` shapes, then one group per step (its
    shapes); ``timing`` as for :func:`deconv_anim.svg.svg_document` (each step's frame is
    held through its in-between frames); ``final`` the shapes of the held clean final
    frame."""
    width, height = size
    markup = "\n".join(step_groups(static, steps, timing=timing, final=final))
    fill = ("" if background is None else
            f'<rect width="100%" height="100%" fill="{_hex(background)}"/>\n')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n{font_face(markup)}\n{fill}{markup}\n</svg>\n')
