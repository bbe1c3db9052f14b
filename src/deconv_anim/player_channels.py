"""The HTML player of a channel-mode figure (issue 15): the slab stacks drawn once, stepped
by the script (:mod:`deconv_anim.player_js`, the same controls, keys and DOM contract as
:mod:`deconv_anim.player`).

What never changes is drawn once, as :mod:`deconv_anim.channel_svg` draws it (the painter's
static shapes). What a step adds (the window across its group's slabs, the kernels, the lit
output cell, the connectors, the finished outputs, the caption) are the painter's own
shapes for that step: each distinct shape is written once in the figure's data and a step is
a list of indices into them (stored as its difference from the previous step's,
:func:`encode_steps`), which the script lays into one group (one drawing, never a copy per
step). Every drawn cell of an input or output slab has
``data-cell="input:CH,R,C"`` / ``"output:CH,R,C"`` (the channel first, then the op's own
coordinates); hovering an output cell marks the input cells of its window on every slab of
its group, hovering an input cell every output cell it reaches on its group's output slabs
(the engine's gather trace: spatial taps are the same for every channel of a group).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .engine import trace
from .player import _svg_open, wrap
from .scene import CellKind
from .svg import _hex, _poly

__all__ = ["channel_player_html", "encode_steps", "decode_steps"]


def _slab_cells(raster: Any) -> list[str]:
    """A transparent element for each drawn cell of each shown slab (the hover targets)."""
    layout, spec = raster.layout, raster.scene.spec
    rows, cols = spec.output_size
    out = []
    for slab in layout.inputs.values():
        r0, c0 = slab.first
        cells = [(r0 + i, c0 + j) for (i, j), kind in np.ndenumerate(slab.kinds)
                 if kind in (CellKind.INPUT, CellKind.CROPPED)]
        # the op's input cells by rank: the drawn ones are a lattice (spread by the stride)
        rank_r = {r: n for n, r in enumerate(sorted({r for r, _ in cells}))}
        rank_c = {c: n for n, c in enumerate(sorted({c for _, c in cells}))}
        out += [f'<path d="{_poly(layout.cell_polygon(slab, r, c))}" fill="transparent" '
                f'data-cell="input:{slab.channel},{rank_r[r]},{rank_c[c]}" tabindex="0"/>'
                for r, c in cells]
    for slab in layout.outputs.values():
        r0, c0 = slab.first
        out += [f'<path d="{_poly(layout.cell_polygon(slab, r0 + i, c0 + j))}" '
                f'fill="transparent" data-cell="output:{slab.channel},{r0 + i},{c0 + j}" '
                'tabindex="0"/>'
                for (i, j), kind in np.ndenumerate(slab.kinds)
                if kind == CellKind.OUTPUT and 0 <= r0 + i < rows and 0 <= c0 + j < cols]
    return out


def _links(spec: Any) -> dict[str, Any]:
    """The spatial gather trace (output cell -> input cells and kernel cells of its taps,
    as :func:`deconv_anim.player._links`) and the channels' groups."""
    steps = trace(replace(spec, step_by="element"), "gather")
    rows, cols = spec.output_size
    in_cols = spec.input_size[1]
    k_cols = int(spec.kernel_size[1])
    taps: list[list[int]] = [[] for _ in range(rows * cols)]
    kern: list[list[int]] = [[] for _ in range(rows * cols)]
    for n in range(rows * cols):  # the first output channel's: every channel's alike
        step = steps[n]
        r, c = step.cell
        pairs = sorted({(int(ir) * in_cols + int(ic), int(kr) * k_cols + int(kc))
                        for kr, kc, ir, ic in step.taps[:, :4].tolist()})
        taps[r * cols + c] = [i for i, _ in pairs]
        kern[r * cols + c] = [k for _, k in pairs]
    return {"out": [rows, cols], "in": list(spec.input_size), "taps": taps, "kern": kern,
            "k": k_cols, "in_per": spec.in_channels // spec.groups if not spec.is_pool else 1,
            "out_per": spec.out_channels // spec.groups if not spec.is_pool else 1,
            "channels": [spec.in_channels, spec.out_channels]}


class _Shapes:
    def __init__(self, ops: list[Any], texts: list[Any]) -> None:
        self.ops, self.texts = ops, texts


def _key(item: Any) -> tuple[Any, ...]:
    return tuple(tuple(np.asarray(v).ravel().tolist()) if isinstance(v, (list, tuple,
                 np.ndarray)) else v for v in item)


def _shape_strings(ops: Any, cache: dict[tuple[Any, ...], str]) -> list[str]:
    """``shapes_svg(ops)``, each distinct shape formatted once (a step repeats most of the
    previous step's shapes)."""
    from .channel_svg import shapes_svg

    out = []
    for kind, items in (("op", ops.ops), ("text", ops.texts)):
        for item in items:
            key = (kind, *_key(item))
            if key not in cache:
                one = _Shapes([item], []) if kind == "op" else _Shapes([], [item])
                cache[key] = shapes_svg(one)[0]
            out.append(cache[key])
    return out


def encode_steps(steps: list[list[int]]) -> list[list[int]]:
    """Each step's list of shape indices as its difference from the previous step's: a
    number ``v >= 0`` is shape ``v``; ``-(i + 1), n`` copies ``n`` entries of the previous
    step's list from its entry ``i`` (a step keeps most of the last one's shapes, in order).
    """
    import difflib

    out: list[list[int]] = []
    prev: list[int] = []
    for cur in steps:
        enc: list[int] = []
        matcher = difflib.SequenceMatcher(None, prev, cur, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            enc += [-(i1 + 1), i2 - i1] if tag == "equal" and i2 - i1 > 2 else cur[j1:j2]
        out.append(enc)
        prev = cur
    return out


def decode_steps(encoded: list[list[int]]) -> list[list[int]]:
    """The step lists :func:`encode_steps` encoded (what the script does, step by step)."""
    out: list[list[int]] = []
    prev: list[int] = []
    for enc in encoded:
        cur: list[int] = []
        k = 0
        while k < len(enc):
            if enc[k] < 0:
                start = -enc[k] - 1
                cur += prev[start:start + enc[k + 1]]
                k += 2
            else:
                cur.append(enc[k])
                k += 1
        out.append(cur)
        prev = cur
    return out


def channel_player_html(raster: Any, timing: Any, *, fallback_gif: bytes | None = None,
                        autoplay: bool = True, title: str | None = None) -> str:
    """The player of a channel-mode figure (a :class:`~deconv_anim.channel_raster.
    ChannelRaster`) as an HTML fragment: see :func:`deconv_anim.player.player_html`."""
    from .channel_svg import shapes_svg

    static, steps = raster.frame_shapes()
    theme = raster.theme
    body = [_svg_open(raster.size, title or raster.scene.title)]
    if not raster.look.transparent:
        body.append(f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>')
    body += shapes_svg(static)
    body.append('<g data-part="step"></g>')
    body.append(f'<g data-cells="slabs">{"".join(_slab_cells(raster))}</g>')
    body.append("</svg>")
    svg = "\n".join(body)
    shapes: dict[str, int] = {}
    cache: dict[tuple[Any, ...], str] = {}
    count = len(steps)
    steps = [*steps, raster.final_ops()]  # position count: the held clean final frame
    order = [[shapes.setdefault(s, len(shapes)) for s in _shape_strings(ops, cache)]
             for ops in steps]
    data = {"steps": count, "duration": int(timing.duration), "hold": int(timing.hold),
            "autoplay": autoplay, "panels": [],
            "channels": {"shapes": list(shapes), "steps": encode_steps(order),
                         "captions": [step.caption or "" for step in raster.timeline.steps]}}
    return wrap(svg, data, _links(raster.scene.spec), count, theme,
                dynamic="".join(t[1] for ops in steps for t in ops.texts), title=title,
                fallback_gif=fallback_gif)
