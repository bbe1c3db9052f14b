"""The interactive HTML player: one self-contained file you can step, scrub and hover.

The third painter of a :class:`~deconv_anim.layout.Figure` (after the raster and the SVG):
the same layout and timeline, drawn once as inline SVG with the static pieces of
:mod:`deconv_anim.svg`, whose moving parts a small inline script
(:mod:`deconv_anim.player_js`) changes step by step. No network of any kind: the font is a
``data:`` URI, the script and its data are inline, so the file works from ``file://``.

The DOM contract (``docs/formats.md``): the root carries ``data-deconv-anim``,
``data-steps`` and ``data-step`` (from 0 to ``data-steps``: that last position is the
held clean final frame, as ``--frame`` counts frames); buttons carry ``data-action``
(``toggle``, ``prev``, ``next``, ``first``, ``last``), the slider is
``input[type=range][data-action=scrub]``;
every drawn cell of the op's input and output carries ``data-cell="input:R,C"`` or
``data-cell="output:R,C"`` in the op's own coordinates; while a cell is hovered, focused or
pinned it carries ``data-hover`` and the cells linked to it by the gather trace carry
``data-linked``. No ``id`` attributes, no globals: several players share a page.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .engine import trace
from .layout import CONNECTOR_WIDTH, MARKER_OUTLINE, WINDOW_OUTLINE, Figure, Look, Panel
from .player_js import SCRIPT, STYLE
from .scene import CellKind, Frame
from .svg import (
    FONT_FAMILY,
    _Ctx,
    _esc,
    _fmt,
    _grid,
    _hex,
    _num,
    _poly,
    _svg_text,
    _text,
    font_face,
)
from .timeline import TIMES, reading_order

__all__ = ["player_html", "player_document", "notebook_html", "gif_only_html", "EMBED_LIMIT_MB",
           "embed_too_large"]

EMBED_LIMIT_MB = 20.0
"""A notebook output holds the player only up to this many megabytes (as matplotlib's
``animation.embed_limit``); above it the output says so and shows the GIF alone."""


def embed_too_large(size: int, limit_mb: float = EMBED_LIMIT_MB) -> bool:
    """Whether ``size`` bytes of player are more than a notebook output should hold."""
    return size > limit_mb * 1024 * 1024


def notebook_html(fragment: str, gif: Any, limit_mb: float | None = None) -> str:
    """What a notebook output shows: the player ``fragment``, or, when it is larger than
    ``limit_mb`` (default :data:`EMBED_LIMIT_MB`), a note saying so and the GIF alone
    (``gif()`` gives its bytes)."""
    limit = EMBED_LIMIT_MB if limit_mb is None else limit_mb
    size = len(fragment.encode("utf-8"))
    if not embed_too_large(size, limit):
        return fragment
    return gif_only_html(gif(), f"the interactive player would be {size / 2 ** 20:.1f} MB, "
                                f"more than the embed limit of {limit:g} MB "
                                "(deconv_anim.player.EMBED_LIMIT_MB); showing the GIF")


def gif_only_html(gif: bytes, note: str) -> str:
    """A notebook output without the player: ``note`` (why), then the GIF inline."""
    data = base64.b64encode(gif).decode("ascii")
    return (f"<p>deconv-anim: {html.escape(note)}.</p>"
            f'<img alt="animation" src="data:image/gif;base64,{data}">')


# ----------------------------------------------------------------------------- drawing


def _input_cells(panel: Panel) -> dict[tuple[int, int], str]:
    """``data-cell`` of each drawn cell of the op's input, by its drawn cell."""
    grid, timeline = panel.scene.input, panel.timeline
    (sr, sc), (pr, pc) = timeline.spacing, timeline.padding
    rows, cols = panel.scene.spec.input_size
    r0, c0 = grid.first
    out = {}
    for (i, j), kind in np.ndenumerate(grid.kinds):
        if kind not in (CellKind.INPUT, CellKind.CROPPED):
            continue
        r, c = r0 + i, c0 + j
        (u, du), (v, dv) = divmod(r - pr, sr), divmod(c - pc, sc)
        if du == 0 and dv == 0 and 0 <= u < rows and 0 <= v < cols:
            out[(r, c)] = f'data-cell="input:{u},{v}" tabindex="0"'
    return out


def _output_cells(panel: Panel) -> dict[tuple[int, int], str]:
    grid = panel.scene.output
    rows, cols = panel.scene.spec.output_size
    r0, c0 = grid.first
    return {(r0 + i, c0 + j): f'data-cell="output:{r0 + i},{c0 + j}" tabindex="0"'
            for (i, j), kind in np.ndenumerate(grid.kinds)
            if kind == CellKind.OUTPUT and 0 <= r0 + i < rows and 0 <= c0 + j < cols}


def _panel_svg(panel: Panel, look: Look) -> list[str]:
    """One panel's drawing: the static parts as the SVG draws them, each moving part one
    element (``data-part``) the script places."""
    scene, layout, timeline = panel.scene, panel.layout, panel.timeline
    ctx = _Ctx(scene, layout, timeline, look)
    theme = look.theme
    lw = layout.line_width
    window_grid, target_grid = timeline.window_grid, timeline.target_grid
    probe = Frame(0, window_grid, (0, 0), target_grid, (0, 0), None)  # type: ignore[arg-type]
    taps = scene.window_cells(probe)
    kh, kw = scene.spec.kernel_size

    def tap(n: int) -> str:  # the op's kernel cell a window cell shows
        a, b = divmod(n, kw)
        return f"{kh - 1 - a},{kw - 1 - b}" if timeline.kernel_rotated else f"{a},{b}"

    overlay = (f'fill="{_hex(theme.overlay)}" fill-opacity="{_num(theme.overlay_alpha)}" '
               f'stroke="{_hex(theme.line)}"')
    weights = []
    if timeline.kernel is not None:
        weights = [_svg_text(layout.weight_at(window_grid, r, c), _fmt(w),
                             layout.weight_size, theme.background, theme.line)
                   for (r, c), w in zip(taps, timeline.kernel.ravel().tolist())]
    cells = "".join(f'<path d="{_poly(layout.cell_polygon(window_grid, r, c))}" '
                    f'data-tap="{tap(n)}"/>' for n, (r, c) in enumerate(taps))
    window = (f'<g data-part="window"><g {overlay} stroke-width="{_num(lw * WINDOW_OUTLINE)}">'
              f'{cells}</g>{"".join(weights)}</g>')
    target = (f'<path data-part="target" d="{_poly(layout.cell_polygon(target_grid, 0, 0))}" '
              f'{overlay} stroke-width="{_num(lw)}"/>')
    scatter = scene.view == "scatter"
    under, over = (target, window) if scatter else (window, target)
    out = [f'<g data-panel transform="translate({panel.x} {panel.y})">']
    out += _text(ctx)
    out += _grid(ctx, scene.input, each=_input_cells(panel))
    out += [_svg_text(layout.cell_centre("input", *t.cell), t.text, layout.number_size,
                      theme.text_on(t.fill, t.faded)) for t in timeline.input_texts]
    out.append(under)
    if any(step.marker is not None for step in timeline.steps):
        out.append(f'<path data-part="marker" d="{_poly(layout.cell_polygon("input", 0, 0))}" '
                   f'fill="none" stroke="{_hex(theme.accent)}" '
                   f'stroke-width="{_num(lw * MARKER_OUTLINE)}"/>')
    out.append(f'<path data-part="links" fill="none" stroke="{_hex(theme.line)}" '
               f'stroke-width="{_num(lw * CONNECTOR_WIDTH)}"/>')
    fills = {s.cell: _hex(s.fill) for s in timeline.start}
    out += _grid(ctx, scene.output, fills=fills, each=_output_cells(panel))
    if any(s.text is not None for s in timeline.start) or any(
            c.text for step in timeline.steps for c in step.changes):
        out += [_svg_text(layout.cell_centre("output", *s.cell), "", layout.number_size,
                          theme.text_on(s.fill), extra=f' data-num="{s.cell[0]},{s.cell[1]}"')
                for s in timeline.start]
    out.append(over)
    if layout.has_caption:
        x = _num(layout.size[0] / 2)
        spans = "".join(f'<tspan x="{x}" y="{_num(layout.caption_y + n * layout.line_height)}">'
                        "</tspan>" for n in range(2))
        out.append(f'<text data-part="caption" font-family="{FONT_FAMILY}" '
                   f'dominant-baseline="central" text-anchor="middle" '
                   f'font-size="{layout.text_size}" fill="{_hex(theme.text_color)}">'
                   f"{spans}</text>")
    out.append("</g>")
    return out


# ----------------------------------------------------------------------------- data


def _panel_data(panel: Panel, look: Look) -> dict[str, Any]:
    """What the script needs of one panel, as small arrays of indices."""
    layout, timeline, scene = panel.layout, panel.timeline, panel.scene
    steps = timeline.steps
    fills: dict[tuple[int, int, int], int] = {}
    texts: dict[str, int] = {}

    def fill(rgb: Sequence[int]) -> int:
        key = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
        return fills.setdefault(key, len(fills))

    def text(value: str | None) -> int:
        return -1 if value is None else texts.setdefault(value, len(texts))

    index = {s.cell: n for n, s in enumerate(timeline.start)}
    start = [v for s in timeline.start for v in (fill(s.fill), text(s.text))]
    changes = [[v for c in step.changes for v in (index[c.cell], fill(c.fill), text(c.text))]
               for step in steps]
    captions: dict[str, int] = {}
    caption = [captions.setdefault(layout.fit_caption(step.caption or ""), len(captions))
               for step in steps] if layout.has_caption else None
    marker = None
    if any(step.marker is not None for step in steps):
        marker = [v for step in steps for v in (step.marker or (None, None))]
    theme = look.theme
    return {
        "n": len(steps), "ex": list(layout.ex), "ey": list(layout.ey),
        "origins": {k: list(v) for k, v in layout.origins.items()}, "rows": dict(layout.rows),
        "window_grid": timeline.window_grid, "target_grid": timeline.target_grid,
        "extent": list(scene.window_extent),
        "pairs": [list(p) for p in layout.connector_pairs(scene)],
        "window": [v for step in steps for v in step.window],
        "target": [v for step in steps for v in step.target],
        "cells": [f"{s.cell[0]},{s.cell[1]}" for s in timeline.start],
        "start": start, "changes": changes,
        "fills": [[_hex(f), _hex(theme.text_on(f))] for f in fills],
        "texts": list(texts),
        "captions": list(captions) if caption is not None else None, "caption": caption,
        "equations": [step.equation or "" for step in steps]
        if any(step.equation for step in steps) else None,
        "marker": marker,
    }


def _links(figure: Figure) -> dict[str, Any]:
    """The gather trace: for each output cell (row by row) the input cells (flat indices)
    of its taps; with values, each output cell's full sum and each input value."""
    spec = figure.panels[0].scene.spec
    steps = trace(spec, "gather")
    rows, cols = spec.output_size
    in_rows, in_cols = spec.input_size
    k_cols = int(spec.kernel_size[1])
    taps: list[list[int]] = [[] for _ in range(rows * cols)]
    kern: list[list[int]] = [[] for _ in range(rows * cols)]
    sums: list[str] | None = [] if figure.look.numbers else None
    x, w = spec.input, spec.weights
    rule = figure.panels[0].timeline.number_rule
    gather_eq = {}
    for panel in figure.panels:
        if panel.scene.view == "gather":
            gather_eq = {step.cell: step.equation for step in panel.timeline.steps}
    for step in steps:
        r, c = step.cell
        t = step.taps
        pairs = sorted({(int(ir) * in_cols + int(ic), int(kr) * k_cols + int(kc))
                        for kr, kc, ir, ic in t[:, :4].tolist()})
        taps[r * cols + c] = [i for i, _ in pairs]
        kern[r * cols + c] = [k for _, k in pairs]
        if sums is not None:
            if spec.is_pool:
                sums.append(gather_eq.get((r, c)) or "")
            else:  # every term, in the window's reading order (as the captions)
                terms = " + ".join(f"{rule.data(x[a, b])}{TIMES}{rule.data(w[k, m])}"
                                   for k, m, a, b in reading_order(t)[:, :4].tolist())
                sums.append(f"out[{r}, {c}] = {terms or '0'} = "
                            f"{rule.result(steps.output[r, c])}")
    out: dict[str, Any] = {"out": [rows, cols], "in": [in_rows, in_cols], "taps": taps,
                           "kern": kern, "k": k_cols}
    if sums is not None:
        out["sums"] = sums
        out["inputs"] = [rule.data(v) for v in np.asarray(x).ravel().tolist()]
    return out


def _figure_data(figure: Figure, timing: Any, autoplay: bool) -> dict[str, Any]:
    count = max(len(p.timeline) for p in figure.panels)
    return {"steps": count, "duration": int(timing.duration), "hold": int(timing.hold),
            "autoplay": autoplay, "links": _links(figure),
            "panels": [_panel_data(p, figure.look) for p in figure.panels]}


# ----------------------------------------------------------------------------- HTML


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: no ``</`` and no ``<!--``."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _controls(count: int) -> str:
    button = '<button type="button" data-action="{}" aria-label="{}">{}</button>'
    speeds = "".join(f'<option value="{s}"{" selected" if s == "1" else ""}>{s}x</option>'
                     for s in ("0.25", "0.5", "1", "2", "4"))
    return ('<div data-controls>'
            + button.format("first", "first step", "|\u25c0")
            + button.format("prev", "previous step", "\u25c0")
            + button.format("toggle", "play", "play")
            + button.format("next", "next step", "\u25b6")
            + button.format("last", "the finished output", "\u25b6|")
            + f'<input type="range" data-action="scrub" min="0" max="{count}" value="0" '
              'step="1" aria-label="step">'
            + f'<select data-action="speed" aria-label="speed">{speeds}</select>'
            + '<label><input type="checkbox" data-action="loop" checked> loop</label>'
            + "</div>")


def player_html(figure: Figure, timing: Any, *, fallback_gif: bytes | None = None,
                autoplay: bool = True, title: str | None = None) -> str:
    """The player of ``figure`` as an HTML fragment (one ``<div data-deconv-anim>``).

    ``timing`` gives ``duration`` and ``hold`` in milliseconds (:class:`deconv_anim.encode.
    Timing`): played at 1x, each step shows as long as the GIF's frame, looping.
    ``fallback_gif``: the GIF's bytes, shown as a ``data:`` image where scripts do not run
    (the script removes it and shows the player).

    Examples
    --------
    >>> import deconv_anim as da
    >>> from deconv_anim.animation import prepare
    >>> from deconv_anim.encode import Timing
    >>> text = player_html(prepare(da.animate("dilation").config).figure, Timing())
    >>> text.startswith("<div data-deconv-anim") and 'data-steps="9"' in text
    True
    """
    look = figure.look
    theme = look.theme
    width, height = figure.size
    count = max(len(p.timeline) for p in figure.panels)
    body = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{_esc(title or figure.panels[0].scene.title or "")}">']
    if not look.transparent:
        body.append(f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>')
    for panel in figure.panels:
        body += _panel_svg(panel, look)
    body.append("</svg>")
    svg = "\n".join(line for line in body if line)
    data = _figure_data(figure, timing, autoplay)
    dynamic = "".join(t for p in data["panels"] for t in [*(p["captions"] or ()), *p["texts"]])
    font = font_face(f"{svg}<text>{_esc(dynamic)}</text>")
    accent, line = np.array(theme.accent, float), np.array(theme.line, float)
    hover = _hex(np.round(0.6 * accent + 0.4 * line).astype(int).tolist())
    style = (f'--da-linked:{_hex(theme.accent)};--da-hover:{hover};'
             f'color:{_hex(theme.text_color)}')
    fallback = ""
    if fallback_gif is not None:
        encoded = base64.b64encode(fallback_gif).decode("ascii")
        fallback = (f'<img data-fallback alt="{_esc(title or "animation")}" '
                    f'src="data:image/gif;base64,{encoded}">')
    return (f'<div data-deconv-anim data-steps="{count}" data-step="0" tabindex="0" '
            f'style="{style}">\n<style>{STYLE}</style>{font}\n{fallback}'
            f'<div data-player{" hidden" if fallback_gif is not None else ""}>\n{svg}\n'
            f'{_controls(count)}\n<div data-readout aria-live="polite">step 1 / {count}</div>'
            f'</div>\n<script type="application/json" data-figure>'
            f'{_script_json(data)}</script>\n'
            f'<script>{SCRIPT}</script>\n</div>\n')


def player_document(figure: Figure, timing: Any, *, title: str | None = None) -> str:
    """A whole HTML page holding the player of ``figure`` (what ``.html`` files get)."""
    name = title or figure.panels[0].scene.title or "deconv-anim"
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(name.splitlines()[0] if name else 'deconv-anim')}</title>\n"
            '</head>\n<body>\n'
            + player_html(figure, timing, title=title) + "</body>\n</html>\n")


def _write_html(out: Any, figure: Figure, timing: Any) -> None:
    """The writer of the ``html`` format (see :mod:`deconv_anim.formats`)."""
    out.write(player_document(figure, timing).encode("utf-8"))
