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

Made for large figures: the cells' fills are a few blocks (:func:`_blocks`) and each cell's
own element is the script's (from :func:`_runs`), after the first paint when there are
many; the links are a second JSON block the script reads after the first paint.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .connectors import connector_segments, flat_connectors, step_glyph_boxes
from .engine import trace
from .layout import (
    CONNECTOR_WIDTH,
    MARKER_OUTLINE,
    WEIGHT_AT,
    WINDOW_OUTLINE,
    Figure,
    Look,
    Panel,
)
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
from .svg_text import svg_notes
from .timeline import TIMES, reading_order
from .upsample_report import weight_text

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


def _input_cells(panel: Panel) -> dict[tuple[int, int], tuple[int, int]]:
    """The op's input cell each drawn cell of the input grid shows, by its drawn cell."""
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
            out[(r, c)] = (u, v)
    return out


def _output_cells(panel: Panel) -> dict[tuple[int, int], tuple[int, int]]:
    grid = panel.scene.output
    rows, cols = panel.scene.spec.output_size
    r0, c0 = grid.first
    return {(r0 + i, c0 + j): (r0 + i, c0 + j)
            for (i, j), kind in np.ndenumerate(grid.kinds)
            if kind == CellKind.OUTPUT and 0 <= r0 + i < rows and 0 <= c0 + j < cols}


def _runs(cells: dict[tuple[int, int], tuple[int, int]], fill: Any) -> list[list[int]]:
    """The op cells of one grid as runs along a row: ``[op_r, op_c, count, r, c, dc,
    fill]`` is ``count`` op cells ``(op_r, op_c + k)`` drawn at ``(r, c + k * dc)`` (an
    op's input is spread by its stride in the gather view), ``fill`` the index of the
    drawn cell's fill (-1: from the step's state)."""
    runs: list[list[int]] = []
    for (r, c), (u, v) in sorted(cells.items(), key=lambda item: item[1]):
        f = fill(r, c)
        if runs:
            last = runs[-1]
            n = last[2]
            if (last[0] == u and last[1] + n == v and last[3] == r and last[6] == f
                    and (n == 1 or c == last[4] + n * last[5])):
                if n == 1:
                    last[5] = c - last[4]
                last[2] += 1
                continue
        runs.append([u, v, 1, r, c, 1, f])
    return runs


def _blocks(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cells as few rectangles ``(r, c, h, w)``: runs along each row, runs of equal rows
    stacked."""
    rows: dict[int, list[int]] = {}
    for r, c in sorted(cells):
        rows.setdefault(r, []).append(c)
    runs: list[tuple[int, int, int]] = []  # (r, c, w)
    for r, cols in rows.items():
        start = prev = cols[0]
        for c in [*cols[1:], cols[-1] + 2]:  # the last: the end of the row
            if c == prev + 1:
                prev = c
                continue
            runs.append((r, start, prev - start + 1))
            start = prev = c
    open_: dict[tuple[int, int], list[int]] = {}  # (c, w) -> [r, h] of the block growing
    out: list[tuple[int, int, int, int]] = []
    for r, c, w in runs:
        block = open_.get((c, w))
        if block is not None and block[0] + block[1] == r:
            block[1] += 1
            continue
        if block is not None:
            out.append((block[0], c, block[1], w))
        open_[(c, w)] = [r, 1]
    out += [(r, c, h, w) for (c, w), (r, h) in open_.items()]
    return sorted(out)


def _grid_with_cells(ctx: _Ctx, grid: Any, fills: dict[tuple[int, int], str] | None = None
                     ) -> list[str]:
    """A grid as the SVG draws it, its cells' fills as one path per colour of a few
    blocks (however many cells), and an empty group under its lines where the script puts
    each cell's own element (``data-cell``)."""
    theme, layout, name = ctx.theme, ctx.layout, grid.name
    kinds, (r0, c0) = grid.kinds, grid.first
    colour = {CellKind.INPUT: _hex(theme.input), CellKind.CROPPED: _hex(theme.faded_input),
              CellKind.OUTPUT: _hex(theme.output)}
    by_fill: dict[tuple[bool, str], list[tuple[int, int]]] = {}  # (cropped, fill): cells
    for (i, j), kind in np.ndenumerate(kinds):
        if kind in colour:
            cell = (r0 + i, c0 + j)
            fill = (fills or {}).get(cell, colour[kind]) if kind == CellKind.OUTPUT else (
                colour[kind])
            by_fill.setdefault((kind == CellKind.CROPPED, fill), []).append(cell)
    marker = ' data-x=""'
    parts = [part for part in _grid(ctx, grid, each=dict.fromkeys(
        (cell for cells in by_fill.values() for cell in cells), marker.strip()))
        if marker not in part]
    at = len(parts) - 2 if parts[-2].endswith('stroke-linecap="square"/>') else len(parts) - 1
    paths = {key: '<path d="{}" fill="{}"/>'.format("".join(
        _poly(layout.cell_polygon(name, r, c, h, w)) for r, c, h, w in _blocks(cells)), key[1])
        for key, cells in by_fill.items()}
    parts[at:at] = [*(p for (cropped, _), p in paths.items() if not cropped),
                    f'<g data-cells="{name}"></g>']
    parts[1:1] = [p for (cropped, _), p in paths.items() if cropped]  # under their dashes
    return parts


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
    if timeline.window_alpha > 0:  # the window's look, as the GIF's
        window_look = (f'fill="{_hex(timeline.window_color)}" '
                       f'fill-opacity="{_num(timeline.window_alpha)}" '
                       f'stroke="{_hex(theme.line)}" stroke-width="{_num(lw * WINDOW_OUTLINE)}"')
    else:  # an outline only (the scatter view's stamp)
        window_look = (f'fill="none" stroke="{_hex(timeline.window_color)}" '
                       f'stroke-width="{_num(lw * MARKER_OUTLINE)}"')
    on_top = any(step.over_texts for step in timeline.steps)
    weights = []
    if timeline.kernel is not None and not on_top:  # else drawn over all, with the numbers
        weights = [_svg_text(layout.weight_at(window_grid, r, c), _fmt(w),
                             layout.weight_size, theme.background, theme.line)
                   for (r, c), w in zip(taps, timeline.kernel.ravel().tolist())]
    elif _step_weights(panel, look):  # an upsample: each step's weights, set by the script
        weights = [_svg_text(layout.weight_at(window_grid, r, c), "", layout.weight_size,
                             theme.background, theme.line, extra=f' data-w="{n}"')
                   for n, (r, c) in enumerate(taps)]
    cells = "".join(f'<path d="{_poly(layout.cell_polygon(window_grid, r, c))}" '
                    f'data-tap="{tap(n)}"/>' for n, (r, c) in enumerate(taps))
    window = f'<g data-part="window"><g {window_look}>{cells}</g>{"".join(weights)}</g>'
    target = (f'<path data-part="target" d="{_poly(layout.cell_polygon(target_grid, 0, 0))}" '
              f'{overlay} stroke-width="{_num(lw)}"/>')
    scatter = scene.view == "scatter"
    under, over = (target, window) if scatter else (window, target)
    out = [f'<g data-panel transform="translate({panel.x} {panel.y})">']
    out += _text(ctx)
    out += _grid_with_cells(ctx, scene.input)
    out += [_svg_text(layout.cell_centre("input", *t.cell), t.text, layout.number_size,
                      t.color or theme.text_on(t.fill, t.faded)) for t in timeline.input_texts]
    out += svg_notes(layout, theme)
    out.append(under)
    if any(step.marker is not None for step in timeline.steps):
        out.append(f'<path data-part="marker" d="{_poly(layout.cell_polygon("input", 0, 0))}" '
                   f'fill="none" stroke="{_hex(theme.accent)}" '
                   f'stroke-width="{_num(lw * MARKER_OUTLINE)}"/>')
    links = (f'<path data-part="links" fill="none" stroke="{_hex(theme.line)}" '
             f'stroke-width="{_num(lw * CONNECTOR_WIDTH)}"/>')
    flat = flat_connectors(scene)  # flat: the lines over the output grid (as the GIF)
    if not flat:
        out.append(links)
    fills = {s.cell: _hex(s.fill) for s in timeline.start}
    out += _grid_with_cells(ctx, scene.output, fills)
    if flat:
        out.append(links)
    if _has_numbers(timeline):
        out.append(f'<g data-nums font-size="{layout.number_size}" '
                   f'font-family="{FONT_FAMILY}" dominant-baseline="central" '
                   'text-anchor="middle"></g>')
    out.append(over)
    if on_top:  # the numbers under the window and the highlight, in the GIF's colours
        out.append(f'<g data-part="over" font-family="{FONT_FAMILY}" '
                   'dominant-baseline="central" text-anchor="middle"></g>')
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


def _step_weights(panel: Panel, look: Look) -> bool:
    """Whether the window's weights change from step to step (an upsample with numbers)."""
    return look.numbers and any(s.weights is not None for s in panel.timeline.steps)


def _has_numbers(timeline: Any) -> bool:
    return any(s.text is not None for s in timeline.start) or any(
        c.text for step in timeline.steps for c in step.changes)


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
    weights = ([text(weight_text(w)) for step in steps
                for w in (() if step.weights is None else step.weights.tolist())]
               if _step_weights(panel, look) else None)  # (before texts is listed)
    theme = look.theme
    kinds, (r0, c0) = scene.input.kinds, scene.input.first

    def input_fill(r: int, c: int) -> int:
        cropped = kinds[r - r0, c - c0] == CellKind.CROPPED
        return fill(theme.faded_input if cropped else theme.input)

    colors: dict[str, int] = {}
    over = None
    if any(step.over_texts for step in steps):  # [grid (0 input), r, c, text, colour, weight]
        over = [[v for t in step.over_texts for v in (
            int(t.grid == "output"), t.cell[0], t.cell[1], text(t.text),
            colors.setdefault(_hex(t.color), len(colors)), int(t.weight))] for step in steps]
    grid_cells = {"input": _runs(_input_cells(panel), input_fill),
                  "output": _runs(_output_cells(panel), lambda r, c: -1)}
    return {
        "n": len(steps), "grid_cells": grid_cells, "over": over, "colors": list(colors),
        "sizes": [layout.number_size, layout.weight_size], "weight_at": WEIGHT_AT,
        "nums": _has_numbers(timeline), "ex": list(layout.ex), "ey": list(layout.ey),
        "origins": {k: list(v) for k, v in layout.origins.items()}, "rows": dict(layout.rows),
        "window_grid": timeline.window_grid, "target_grid": timeline.target_grid,
        "extent": list(scene.window_extent),
        "pairs": [list(p) for p in layout.connector_pairs(scene)],
        "link_d": _link_paths(panel, look) if flat_connectors(scene) else None,
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
        "weights": weights,
    }


def _link_paths(panel: Panel, look: Look) -> list[str]:
    """Flat layout: each step's connector lines as a path (ends inset, broken around the
    numbers on screen: :mod:`deconv_anim.connectors`, as the GIF and SVG draw them)."""
    layout, timeline, scene = panel.layout, panel.timeline, panel.scene
    kh, kw = scene.window_extent
    glyphs = step_glyph_boxes(layout, timeline) if look.numbers else None
    out = []
    for step in timeline.steps:
        boxes = next(glyphs) if glyphs is not None else None
        wpoly = layout.cell_polygon(timeline.window_grid, *step.window, kh, kw)
        tpoly = layout.cell_polygon(timeline.target_grid, *step.target)
        out.append("".join(f"M{_num(p[0])} {_num(p[1])}L{_num(q[0])} {_num(q[1])}"
                           for p, q in connector_segments(layout, scene, wpoly, tpoly, boxes)))
    return out


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
            if spec.is_pool or spec.is_upsampling:  # (an upsample's weights: its steps')
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
            "autoplay": autoplay,
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
    count = max(len(p.timeline) for p in figure.panels)
    body = [_svg_open(figure.size, title or figure.panels[0].scene.title)]
    if not look.transparent:
        body.append(f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>')
    for panel in figure.panels:
        body += _panel_svg(panel, look)
    body.append("</svg>")
    svg = "\n".join(line for line in body if line)
    data = _figure_data(figure, timing, autoplay)
    dynamic = "".join(t for p in data["panels"] for t in [*(p["captions"] or ()), *p["texts"]])
    return wrap(svg, data, _links(figure), count, theme, dynamic=dynamic, title=title,
                fallback_gif=fallback_gif)


def _svg_open(size: tuple[int, int], title: str | None) -> str:
    width, height = size
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{_esc(title or "")}">')


def wrap(svg: str, data: dict[str, Any], links: dict[str, Any], count: int, theme: Any, *,
         dynamic: str = "", title: str | None = None, fallback_gif: bytes | None = None
         ) -> str:
    """The player's fragment around its drawing ``svg``: style, font (the glyphs of the
    drawing and of ``dynamic``, the texts the script writes), fallback image, controls,
    readout, the figure's data and links (JSON) and the script."""
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
            f'<script type="application/json" data-links>{_script_json(links)}</script>\n'
            f'<script>{SCRIPT}</script>\n</div>\n')


def page(fragment: str, name: str | None) -> str:
    """A whole HTML page holding one player ``fragment``."""
    name = name or "deconv-anim"
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(name.splitlines()[0] if name else 'deconv-anim')}</title>\n"
            '</head>\n<body>\n' + fragment + "</body>\n</html>\n")


def player_document(figure: Figure, timing: Any, *, title: str | None = None) -> str:
    """A whole HTML page holding the player of ``figure`` (what ``.html`` files get)."""
    return page(player_html(figure, timing, title=title),
                title or figure.panels[0].scene.title)


def _write_html(out: Any, figure: Figure, timing: Any) -> None:
    """The writer of the ``html`` format (see :mod:`deconv_anim.formats`); a channel-mode
    figure is drawn by :mod:`deconv_anim.player_channels`."""
    if hasattr(figure, "raster"):
        from .player_channels import channel_player_html

        raster = figure.raster
        text = page(channel_player_html(raster, timing), raster.scene.title)
    else:
        text = player_document(figure, timing)
    out.write(text.encode("utf-8"))
