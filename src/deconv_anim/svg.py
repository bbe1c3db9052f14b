"""An animated SVG drawn from a figure's layout and timeline: vectors, crisp at any zoom.

The second painter of a :class:`~deconv_anim.layout.Figure` (the first is
:mod:`deconv_anim.raster`): the same :class:`~deconv_anim.layout.Layout` (one user unit is
one pixel of the GIF, every grid corner has integer coordinates) and the same
:class:`~deconv_anim.timeline.Timeline` (what each step shows), so at its natural size it
lines up with the GIF. The text is set in the font the GIF uses, embedded as a
``@font-face`` (``fonts/Aileron-Regular.ttf``, Pillow's reduced Aileron), so no viewer
falls back to another font. This module imports neither Pillow nor the raster.

What never changes (the grids, the text) is drawn once. What moves is animated with SMIL on
one shared clock (``begin`` 0, one total duration, ``repeatCount="indefinite"``, discrete
steps, so frame ``n`` shows from the same millisecond as in the GIF):

* the kernel window and the highlighted cell are each one shape in ``<defs>``, placed with
  a ``<use>`` whose ``translate`` steps through the positions;
* the four connector lines are one path whose ``d`` steps through the frames;
* in the scatter view, each output cell's tint steps through its stamp counts.

Attributes outside the animations hold the last frame, so a viewer without SMIL (or a
printer) shows the finished figure. Chromium, Firefox and Safari play it, also inside an
``<img>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .connectors import connector_segments, flat_connectors, step_glyph_boxes
from .layout import (
    CONNECTOR_WIDTH,
    DASH_LENGTH,
    DASHES,
    MARKER_OUTLINE,
    WINDOW_OUTLINE,
    Figure,
    Layout,
    Look,
    Panel,
)
from .scene import CellKind, Frame, Grid, Scene
from .svg_clock import Clock, OnClock, frame_positions
from .svg_text import FONT_FAMILY, _esc, _hex, _num, _poly, _pt, _svg_text, font_face, svg_notes
from .themes import Theme
from .timeline import Timeline, clock_slots, tween_positions

__all__ = ["svg_figure", "svg_document", "FONT_FAMILY"]

RGB = tuple[int, int, int]
Edge = tuple[str, int, int]  # ("h", r, c): corner (r, c) to (r, c + 1); ("v", r, c): to (r + 1, c)


@dataclass(frozen=True)
class _Ctx:
    """One panel being drawn: its scene, layout, timeline and look."""

    scene: Scene
    layout: Layout
    timeline: Timeline
    look: Look

    @property
    def theme(self) -> Theme:
        return self.look.theme


# ----------------------------------------------------------------------------- grids


def _runs(edges: Iterable[Edge]) -> list[tuple[str, int, int, int]]:
    """Collinear neighbouring edges joined: (kind, line, first, last + 1)."""
    lines: dict[tuple[str, int], list[int]] = {}
    for kind, r, c in edges:
        key, pos = ((kind, r), c) if kind == "h" else ((kind, c), r)
        lines.setdefault(key, []).append(pos)
    runs = []
    for (kind, line), positions in sorted(lines.items()):
        positions.sort()
        start = prev = positions[0]
        for pos in positions[1:]:
            if pos != prev + 1:
                runs.append((kind, line, start, prev + 1))
                start = pos
            prev = pos
        runs.append((kind, line, start, prev + 1))
    return runs


def _run_path(ctx: _Ctx, grid: Grid, runs: Iterable[tuple[str, int, int, int]]) -> str:
    layout, name = ctx.layout, grid.name
    parts = []
    for kind, line, a, b in runs:
        if kind == "h":
            p, q = layout.corner_xy(name, line, a), layout.corner_xy(name, line, b)
        else:
            p, q = layout.corner_xy(name, a, line), layout.corner_xy(name, b, line)
        parts.append(f"M{_pt(p)}L{_pt(q)}")
    return "".join(parts)


def _dashed(ctx: _Ctx, grid: Grid, edges: set[Edge], color: RGB) -> list[str]:
    """Two dashes per edge, from 0.1 to 0.4 and 0.6 to 0.9 of it (the raster's, TikZ's):
    runs of edges are single lines whose dash pattern repeats every edge."""
    out = []
    lw = ctx.layout.line_width
    for kind, unit in (("h", ctx.layout.ex), ("v", ctx.layout.ey)):
        runs = [run for run in _runs(edges) if run[0] == kind]
        if not runs:
            continue
        length = float(np.hypot(*unit))
        # dash, gap, dash, gap per edge: a period of one edge, started DASHES[0] in
        gap = DASHES[1] - DASHES[0] - DASH_LENGTH
        out.append(f'<path d="{_run_path(ctx, grid, runs)}" fill="none" '
                   f'stroke="{_hex(color)}" stroke-width="{_num(lw)}" '
                   f'stroke-dasharray="{_num(DASH_LENGTH * length)} {_num(gap * length)}" '
                   f'stroke-dashoffset="{_num((DASH_LENGTH + gap - DASHES[0]) * length)}"/>')
    return out


def _grid(ctx: _Ctx, grid: Grid, *, fills: dict[tuple[int, int], str] | None = None,
          animated: dict[tuple[int, int], str] | None = None,
          each: dict[tuple[int, int], str] | None = None) -> list[str]:
    """One grid: cropped cells, dashed cells, filled cells, solid borders, in that order.

    ``fills`` overrides the fill of output cells; ``animated`` maps output cells to the
    ``<animate>`` of their fill; ``each`` maps cells (filled or cropped) to attributes of a
    path of their own (the HTML player's ``data-cell``), the others share one path per
    fill."""
    each = each or {}
    theme, layout, name = ctx.theme, ctx.layout, grid.name
    r0, c0 = grid.first
    dashed: set[Edge] = set()
    solid: set[Edge] = set()
    cropped: set[Edge] = set()
    cropped_cells: list[tuple[int, int]] = []
    by_fill: dict[str, list[tuple[int, int]]] = {}
    anim_cells = []
    for (i, j), kind in np.ndenumerate(grid.kinds):
        r, c = r0 + i, c0 + j
        edges = {("h", r, c), ("h", r + 1, c), ("v", r, c), ("v", r, c + 1)}
        if kind in (CellKind.PADDING, CellKind.ZERO):
            dashed |= edges
        elif kind == CellKind.CROPPED:
            cropped |= edges
            cropped_cells.append((r, c))
        elif kind in (CellKind.INPUT, CellKind.OUTPUT):
            solid |= edges
            if (animated and (r, c) in animated) or (r, c) in each:
                anim_cells.append((r, c))
                continue
            fill = _hex(theme.input) if kind == CellKind.INPUT else (
                (fills or {}).get((r, c), _hex(theme.output)))
            by_fill.setdefault(fill, []).append((r, c))
    out = [f'<g id="{name}">' if not each else "<g>"]
    if cropped_cells:
        faded = _hex(theme.faded_input)
        shared = [cell for cell in cropped_cells if cell not in each]
        if shared:
            d = "".join(_poly(layout.cell_polygon(name, r, c)) for r, c in shared)
            out.append(f'<path d="{d}" fill="{faded}"/>')
        out += [f'<path d="{_poly(layout.cell_polygon(name, r, c))}" fill="{faded}" '
                f'{each[(r, c)]}/>' for r, c in cropped_cells if (r, c) in each]
        out += _dashed(ctx, grid, cropped, theme.faded_line)
    out += _dashed(ctx, grid, dashed - solid, theme.line)
    for fill, cells in by_fill.items():
        d = "".join(_poly(layout.cell_polygon(name, r, c)) for r, c in cells)
        out.append(f'<path d="{d}" fill="{fill}"/>')
    for r, c in anim_cells:
        fill = (fills or {}).get((r, c)) or _hex(
            theme.input if grid.kinds[r - r0, c - c0] == CellKind.INPUT else theme.output)
        extra = f" {each[(r, c)]}" if (r, c) in each else ""
        body = (animated or {}).get((r, c), "")
        out.append(f'<path d="{_poly(layout.cell_polygon(name, r, c))}" '
                   f'fill="{fill}"{extra}>{body}</path>' if body else
                   f'<path d="{_poly(layout.cell_polygon(name, r, c))}" fill="{fill}"{extra}/>')
    if solid:
        out.append(f'<path d="{_run_path(ctx, grid, _runs(solid))}" fill="none" '
                   f'stroke="{_hex(theme.line)}" stroke-width="{_num(layout.line_width)}" '
                   'stroke-linecap="square"/>')
    out.append("</g>")
    return out


# ----------------------------------------------------------------------------- frames


def _lerp(a: Sequence[float], b: Sequence[float], t: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def svg_figure(figure: Figure, *, timing: Any) -> str:
    """The animated SVG of a :class:`~deconv_anim.layout.Figure`: one panel, or two side by
    side on one clock. As in the raster, both panels start and end together, the shorter
    spread over the longer one's steps (:func:`deconv_anim.timeline.clock_slots`)."""
    if len(figure.panels) == 1:
        return svg_document(figure.panels[0], figure.look, timing=timing)
    steps = [len(panel.timeline) for panel in figure.panels]
    total = max(steps)
    clock = timing.durations(total)
    parts = []
    for panel, count in zip(figure.panels, steps):
        text = svg_document(panel, figure.look, font=False,
                            timing=OnClock([*clock_slots(count, total, timing.tween),
                                            (count, 0.0)], clock, timing.tween))
        parts.append(text.replace("<svg ", f'<svg x="{panel.x}" y="{panel.y}" ', 1))
    width, height = figure.size
    background = ("" if figure.look.transparent else
                  f'<rect width="100%" height="100%" fill="{_hex(figure.look.theme.background)}"/>')
    parts += [_svg_text((width / 2, y), line, figure.title_size, figure.look.theme.text_color)
              + "\n" for line, y in figure.title_lines]
    title = " ".join(line for line, _ in figure.title_lines)
    head = f"<title>{_esc(title)}</title>\n" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n{head}{font_face("".join(parts))}\n'
            f'{background}\n' + "".join(parts) + "</svg>\n")


def svg_document(panel: Panel, look: Look, *, timing: Any, font: bool = True) -> str:
    """The animated SVG of one panel (scene, timeline, layout) drawn with ``look``.

    ``timing`` gives ``durations(count)`` (milliseconds of each frame written) and
    ``tween`` (in-between frames after each step but the last), as
    :class:`deconv_anim.encode.Timing` does. ``font``: embed the font (a nested panel
    uses its parent's).

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.encode import Timing
    >>> from deconv_anim.layout import Look, Panel, build_layout
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> from deconv_anim.timeline import build_timeline
    >>> scene = build_scene(make_spec(op="conv", size=4, kernel=3))
    >>> look = Look(THEMES["classic"])
    >>> timeline = build_timeline(scene, look.theme)
    >>> panel = Panel(scene, timeline, build_layout(scene, look, timeline))
    >>> text = svg_document(panel, look, timing=Timing())
    >>> text.startswith("<svg") and 'dur="5000ms"' in text  # 4 steps, the final frame
    True
    """
    scene, layout, timeline = panel.scene, panel.layout, panel.timeline
    ctx = _Ctx(scene, layout, timeline, look)
    theme = look.theme
    steps = timeline.steps
    tween = int(getattr(timing, "tween", 0))
    clock = Clock(timing.durations(len(steps)))
    positions = frame_positions(len(steps), tween)
    if len(positions) != len(clock.durations):
        raise ValueError("timing and scene disagree on the number of frames")
    scatter = scene.view == "scatter"
    window_grid, target_grid = timeline.window_grid, timeline.target_grid
    kh, kw = scene.window_extent
    lw = layout.line_width
    width, height = layout.size
    uid = hashlib.sha1(repr((scene.spec.op, scene.spec.input_size, scene.spec.kernel_size,
                             scene.spec.stride, scene.spec.padding, scene.view, width,
                             height)).encode()).hexdigest()[:6]
    wid, tid = f"w{uid}", f"t{uid}"

    moves = tween_positions(tween)

    def at(step: int, phase: float) -> tuple[tuple[float, float], tuple[float, float]]:
        now = steps[min(step, len(steps) - 1)]  # the final frame: hidden, where it was
        if not phase:
            return now.window, now.target
        nxt = steps[step + 1]  # the window eases on (as the raster), the highlight jumps
        move = moves[round(phase * (tween + 1)) - 1]
        return _lerp(now.window, nxt.window, move), now.target

    w_moves, t_moves, links = [], [], []
    glyphs = (list(step_glyph_boxes(layout, timeline))
              if flat_connectors(scene) and look.numbers else None)
    for step, phase in positions:
        (wr, wc), (tr, tc) = at(step, phase)
        w_moves.append(_pt(layout.shift((wr, wc), (wr, wc))))
        t_moves.append(_pt(layout.shift((tr, tc), (tr, tc))))
        wpoly = layout.cell_polygon(window_grid, wr, wc, kh, kw)
        tpoly = layout.cell_polygon(target_grid, tr, tc)
        links.append("".join(f"M{_pt(p)}L{_pt(q)}" for p, q in connector_segments(
            layout, scene, wpoly, tpoly,
            None if glyphs is None else glyphs[min(step, len(glyphs) - 1)])))

    title = scene.title or f"{scene.spec.op} animation"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">',
           f"<title>{_esc(title)}</title>", ""]  # [2]: the font, once the text is known

    # shapes used once per frame: the window (its taps) and the highlighted cell
    probe = Frame(0, window_grid, (0, 0), target_grid, (0, 0), None)  # type: ignore[arg-type]
    taps = scene.window_cells(probe)
    window_d = "".join(_poly(layout.cell_polygon(window_grid, r, c)) for r, c in taps)
    overlay = (f'fill="{_hex(theme.overlay)}" fill-opacity="{_num(theme.overlay_alpha)}" '
               f'stroke="{_hex(theme.line)}"')
    if timeline.window_alpha > 0:
        window_look = (f'fill="{_hex(timeline.window_color)}" '
                       f'fill-opacity="{_num(timeline.window_alpha)}" '
                       f'stroke="{_hex(theme.line)}" '
                       f'stroke-width="{_num(lw * WINDOW_OUTLINE)}"')
    else:  # an outline only (the scatter view's stamp)
        window_look = (f'fill="none" stroke="{_hex(timeline.window_color)}" '
                       f'stroke-width="{_num(lw * MARKER_OUTLINE)}"')
    weights = []
    on_top = any(step.over_texts for step in steps)
    if timeline.kernel is not None and (tween or not on_top):
        # the weights moving with the window (in-between frames; the steps' own frames
        # draw them over everything, with the numbers)
        weights = [_svg_text(layout.weight_at(window_grid, r, c), _fmt(w),
                             layout.weight_size, theme.background, theme.line)
                   for (r, c), w in zip(taps, timeline.kernel.ravel().tolist())]
    out += ["<defs>",
            f'<g id="{wid}"><path d="{window_d}" {window_look}/>{"".join(weights)}</g>',
            f'<path id="{tid}" d="{_poly(layout.cell_polygon(target_grid, 0, 0))}" {overlay} '
            f'stroke-width="{_num(lw)}"/>',
            "</defs>"]
    if not look.transparent:
        out.append(f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>')
    out += _text(ctx)
    out += _grid(ctx, scene.input)
    out += [_svg_text(layout.cell_centre("input", *t.cell), t.text, layout.number_size,
                      t.color or theme.text_on(t.fill, t.faded)) for t in timeline.input_texts]
    out += svg_notes(layout, theme)

    # the window, the highlight, the marker and the lines are hidden on the final frame
    hidden = clock.animate("animate", "visibility", ["visible", "hidden"],
                           [0, len(positions) - 1])
    hide = f' visibility="hidden">{hidden}'

    def placed(ref: str, moves: list[str]) -> str:
        anim = clock.animate("animateTransform", "transform", moves, extra=' type="translate"')
        return f'<use href="#{ref}" transform="translate({moves[-1]})"{hide}{anim}</use>'

    under, over = (placed(tid, t_moves), placed(wid, w_moves)) if scatter else (
        placed(wid, w_moves), placed(tid, t_moves))
    out.append(under)
    out += _max_marker(ctx, positions, clock, hide)
    connectors = (f'<path d="{links[-1]}" fill="none" stroke="{_hex(theme.line)}" '
                  f'stroke-width="{_num(lw * CONNECTOR_WIDTH)}"{hide}'
                  f'{clock.animate("animate", "d", links)}</path>')
    flat = flat_connectors(scene)  # the lines over the output grid, under its numbers
    grid, numbers = _output_grid(ctx, positions, clock)
    out += [*grid, connectors, *numbers] if flat else [connectors, *grid, *numbers]
    out.append(over)
    out += _over_texts(ctx, positions, clock)
    out += _captions(ctx, positions, clock)
    out.append("</svg>")
    if font:
        out[2] = font_face("\n".join(out))
    return "\n".join(line for line in out if line) + "\n"


def _fmt(value: float) -> str:
    from .report import format_value

    return format_value(value)


def _first_frames(positions: list[tuple[int, float]]) -> dict[int, int]:
    """The frame written first for each step."""
    return {step: n for n, (step, phase) in reversed(list(enumerate(positions))) if not phase}


def _output_grid(ctx: _Ctx, positions: list[tuple[int, float]], clock: Clock
                 ) -> tuple[list[str], list[str]]:
    """The output grid with the timeline's cell states (fill and number) step by step: a
    fill changes with ``<animate>``, a number is one ``<text>`` per value, shown while it
    holds. (The grid, its numbers.)"""
    layout, timeline, theme = ctx.layout, ctx.timeline, ctx.theme
    first_frame = _first_frames(positions)
    fill_history = {s.cell: [(0, s.fill)] for s in timeline.start}
    text_history = {s.cell: [(0, s.text)] for s in timeline.start}
    for step in timeline.steps:
        n = first_frame[step.index]
        for change in step.changes:
            if fill_history[change.cell][-1][1] != change.fill:
                fill_history[change.cell].append((n, change.fill))
            if text_history[change.cell][-1][1] != change.text:
                text_history[change.cell].append((n, change.text))
    last = len(positions)
    final = {cell: _hex(changes[-1][1]) for cell, changes in fill_history.items()}
    animated = {cell: clock.animate("animate", "fill", [_hex(f) for _, f in changes],
                                    [k for k, _ in changes])
                for cell, changes in fill_history.items() if len(changes) > 1}
    grid = _grid(ctx, ctx.scene.output, fills=final, animated=animated)
    out = []
    for cell, texts in text_history.items():
        centre = layout.cell_centre("output", *cell)
        ends = [k for k, _ in texts[1:]] + [last]
        for (start, text), end in zip(texts, ends):
            if not text or start >= end:
                continue
            fill_then = next(f for k, f in reversed(fill_history[cell]) if k <= start)
            keys = sorted({0, start, end} - {last})
            values = ["visible" if start <= k < end else "hidden" for k in keys]
            shown = "visible" if end == last else "hidden"
            anim = ("" if keys == [0] and values == ["visible"] else
                    clock.animate("animate", "visibility", values, keys))
            out.append(_svg_text(centre, text, layout.number_size, theme.text_on(fill_then),
                                 extra=f' visibility="{shown}"', body=anim))
    return grid, out


def _over_texts(ctx: _Ctx, positions: list[tuple[int, float]], clock: Clock) -> list[str]:
    """The numbers each step draws over its window and highlighted cell (the timeline's
    ``over_texts``, in the colours it chose), shown on that step's own frame."""
    layout = ctx.layout
    first_frame = _first_frames(positions)
    last = len(positions)
    out = []
    for step in ctx.timeline.steps:
        if not step.over_texts:
            continue
        start = first_frame[step.index]
        end = start + 1
        keys = sorted({0, start, end} - {last})
        values = ["visible" if start <= k < end else "hidden" for k in keys]
        shown = "visible" if end == last else "hidden"
        texts = "".join(
            _svg_text(layout.weight_at(t.grid, *t.cell) if t.weight else
                      layout.cell_centre(t.grid, *t.cell), t.text,
                      layout.weight_size if t.weight else layout.number_size, t.color,
                      extra=' class="weight"' if t.weight else "")
            for t in step.over_texts)
        out.append(f'<g visibility="{shown}">{texts}'
                   f'{clock.animate("animate", "visibility", values, keys)}</g>')
    return out


def _captions(ctx: _Ctx, positions: list[tuple[int, float]], clock: Clock) -> list[str]:
    """The caption line of each step (labels: the step's indices), shown while it is the
    step on screen: one <text> per caption, its visibility stepped on the shared clock."""
    layout = ctx.layout
    if not layout.has_caption:
        return []
    color = _hex(ctx.theme.text_color)
    first_frame = _first_frames(positions)
    runs: list[tuple[str, int, int]] = []  # caption, first frame written, end frame
    for step in ctx.timeline.steps:
        text = layout.fit_caption(step.caption or "")
        start = first_frame[step.index]
        if runs and runs[-1][0] == text:
            continue
        if runs:
            runs[-1] = (runs[-1][0], runs[-1][1], start)
        runs.append((text, start, len(positions) - 1))  # none on the final frame
    out = []
    y0 = layout.caption_y
    attrs = (f'font-family="{FONT_FAMILY}" dominant-baseline="central" text-anchor="middle" '
             f'font-size="{layout.text_size}" fill="{color}"')
    for text, start, end in runs:
        keys = [k for k in (0, start, end) if k < len(positions)]
        values = ["hidden" if k not in range(start, end) else "visible" for k in keys]
        keys, values = zip(*dict(zip(keys, values)).items())  # type: ignore[assignment]
        shown = "visible" if start <= len(positions) - 1 < end else "hidden"
        x = _num(layout.size[0] / 2)
        lines = "".join(f'<tspan x="{x}" y="{_num(y0 + n * layout.line_height)}">'
                        f"{_esc(line)}</tspan>" for n, line in enumerate(text.splitlines()))
        anim = clock.animate("animate", "visibility", list(values), list(keys))
        out.append(f'<text {attrs} visibility="{shown}">{lines}{anim}</text>')
    return out


def _text(ctx: _Ctx) -> list[str]:
    """The static lines under the figure and, when tints are shown, their legend."""
    layout, theme = ctx.layout, ctx.theme
    size = layout.text_size
    color = _hex(theme.text_color)
    x = _num(layout.size[0] / 2)
    font_attrs = f'font-family="{FONT_FAMILY}" dominant-baseline="central"'
    out = [f'<text x="{x}" y="{_num(layout.static_line_y(n))}" font-size="{size}" '
           f'{font_attrs} text-anchor="middle" fill="{color}">{_esc(line)}</text>'
           for n, line in enumerate(layout.static_lines)]
    if layout.legend is None:
        return out
    y = layout.legend_y
    out.append(f'<text x="{_num(layout.legend_label_x)}" y="{_num(y)}" font-size="{size}" '
               f'{font_attrs} text-anchor="middle" fill="{color}">'
               f'{_esc(layout.legend_label)}</text>')
    for item in layout.legend:
        x0, y0, x1, y1 = item.box
        out.append(f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(x1 - x0)}" '
                   f'height="{_num(y1 - y0)}" fill="{_hex(item.fill)}" '
                   f'stroke="{_hex(theme.line)}" stroke-width="{_num(layout.line_width)}"/>')
        out.append(_svg_text(item.centre, item.label, layout.legend_size,
                             theme.contrast(item.fill)))
    return out


def _max_marker(ctx: _Ctx, positions: list[tuple[int, float]], clock: Clock, hide: str
                ) -> list[str]:
    """Max pooling: the largest cell of each window outlined in the accent colour."""
    steps, layout = ctx.timeline.steps, ctx.layout
    if all(step.marker is None for step in steps):
        return []
    moves = []
    cell = next(step.marker for step in steps if step.marker is not None)
    for step, _phase in positions:
        cell = steps[min(step, len(steps) - 1)].marker or cell
        moves.append(_pt(layout.shift(cell, cell)))
    poly = layout.cell_polygon("input", 0, 0)
    anim = clock.animate("animateTransform", "transform", moves, extra=' type="translate"')
    return [f'<path d="{_poly(poly)}" fill="none" stroke="{_hex(ctx.theme.accent)}" '
            f'stroke-width="{_num(layout.line_width * MARKER_OUTLINE)}" '
            f'transform="translate({moves[-1]})"{hide}{anim}</path>']
