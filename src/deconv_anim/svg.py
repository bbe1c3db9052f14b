"""An animated SVG drawn straight from the scene: vectors, crisp at any zoom, no pixels.

The second renderer over :class:`~deconv_anim.scene.Scene` (the first is
:mod:`deconv_anim.raster`), laid out by the same rules so that at its natural size it lines
up with the GIF pixel for pixel: one cell is ``look.cell`` user units, and the projection's
unit vectors are rounded to whole units, so every grid corner has integer coordinates.

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
import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .palette import mix as _mix
from .scene import CellKind, Frame, Grid, Scene

__all__ = ["svg_document", "svg_side_by_side", "FONT_FAMILY"]

CONNECTOR_WIDTH = 0.75  # relative to grid lines, as the raster draws them
WINDOW_OUTLINE = 1.0
FONT_FAMILY = "Aileron, 'Helvetica Neue', Helvetica, Arial, sans-serif"
"""The raster uses Pillow's bundled font (Aileron); a browser without it uses the next."""

RGB = tuple[int, int, int]
Point = tuple[float, float]
Edge = tuple[str, int, int]  # ("h", r, c): corner (r, c) to (r, c + 1); ("v", r, c): to (r + 1, c)


def _hex(color: Sequence[int]) -> str:
    r, g, b = (int(v) for v in color[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _num(value: float) -> str:
    """A coordinate: integers as integers, else at most 2 decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pt(p: Sequence[float]) -> str:
    return f"{_num(p[0])} {_num(p[1])}"


def _poly(points: Iterable[Sequence[float]]) -> str:
    pts = list(points)
    return "M" + "L".join(_pt(p) for p in pts) + "Z"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Layout:
    """Where everything goes, in user units (= pixels at the natural size): the raster's
    own layout (:class:`~deconv_anim.raster.Raster` allocates no pixels until asked for
    frames), so the SVG and the GIF line up exactly: size, legend, tints, text."""

    def __init__(self, scene: Scene, look: Any, raster: Any = None) -> None:
        from .raster import Raster

        raster = raster or Raster(scene, look)
        self.raster = raster
        self.scene, self.look, self.theme = scene, look, look.theme
        self.ex, self.ey = raster.ex.astype(float), raster.ey.astype(float)
        self.line_width, self.margin = raster.line_width, raster.margin
        self.width, self.height = raster.size
        self.figure_height = raster.figure_height
        self.text_size, self.line_height = raster.text_size, raster.line_height
        self.lines = raster.static_lines
        self.legend = raster.has_legend
        self.counts = raster.stamp_counts
        self.corner = raster.corner
        self.cell_polygon = raster.cell_polygon
        self.tint = raster.tint
        self.legend_items = raster.legend_items
        self.legend_width = raster.legend_width

    def font(self, size: int) -> Any:
        from .raster import _font

        return _font(size)

    def contrast(self, fill: Sequence[float]) -> RGB:
        from .raster import _contrast

        return _contrast(fill, self.theme)


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


def _run_path(layout: _Layout, grid: Grid, runs: Iterable[tuple[str, int, int, int]]) -> str:
    parts = []
    for kind, line, a, b in runs:
        if kind == "h":
            p, q = layout.corner(grid, line, a), layout.corner(grid, line, b)
        else:
            p, q = layout.corner(grid, a, line), layout.corner(grid, b, line)
        parts.append(f"M{_pt(p)}L{_pt(q)}")
    return "".join(parts)


def _dashed(layout: _Layout, grid: Grid, edges: set[Edge], color: RGB) -> list[str]:
    """Two dashes per edge, from 0.1 to 0.4 and 0.6 to 0.9 of it (the raster's, TikZ's):
    runs of edges are single lines whose dash pattern repeats every edge."""
    out = []
    lw = layout.line_width
    for kind, unit in (("h", layout.ex), ("v", layout.ey)):
        runs = [run for run in _runs(edges) if run[0] == kind]
        if not runs:
            continue
        length = float(np.hypot(*unit))
        out.append(f'<path d="{_run_path(layout, grid, runs)}" fill="none" '
                   f'stroke="{_hex(color)}" stroke-width="{_num(lw)}" '
                   f'stroke-dasharray="{_num(0.3 * length)} {_num(0.2 * length)}" '
                   f'stroke-dashoffset="{_num(0.4 * length)}"/>')
    return out


def _grid(layout: _Layout, grid: Grid, *, fills: dict[tuple[int, int], str] | None = None,
          animated: dict[tuple[int, int], str] | None = None) -> list[str]:
    """One grid: cropped cells, dashed cells, filled cells, solid borders, in that order.

    ``fills`` overrides the fill of output cells; ``animated`` maps output cells to the
    ``<animate>`` of their fill."""
    theme = layout.theme
    r0, c0 = grid.first
    dashed: set[Edge] = set()
    solid: set[Edge] = set()
    cropped: set[Edge] = set()
    cropped_cells, by_fill = [], {}
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
            if animated and (r, c) in animated:
                anim_cells.append((r, c))
                continue
            fill = _hex(theme.input) if kind == CellKind.INPUT else (
                (fills or {}).get((r, c), _hex(theme.output)))
            by_fill.setdefault(fill, []).append((r, c))
    out = [f'<g id="{grid.name}">']
    if cropped_cells:
        faded_fill = _hex(_mix(theme.background, theme.input, 0.3))
        d = "".join(_poly(layout.cell_polygon(grid, r, c)) for r, c in cropped_cells)
        out.append(f'<path d="{d}" fill="{faded_fill}"/>')
        out += _dashed(layout, grid, cropped, _mix(theme.background, theme.line, 0.35))
    out += _dashed(layout, grid, dashed - solid, theme.line)
    for fill, cells in by_fill.items():
        d = "".join(_poly(layout.cell_polygon(grid, r, c)) for r, c in cells)
        out.append(f'<path d="{d}" fill="{fill}"/>')
    for r, c in anim_cells:
        assert animated is not None and fills is not None
        out.append(f'<path d="{_poly(layout.cell_polygon(grid, r, c))}" '
                   f'fill="{fills[(r, c)]}">{animated[(r, c)]}</path>')
    if solid:
        out.append(f'<path d="{_run_path(layout, grid, _runs(solid))}" fill="none" '
                   f'stroke="{_hex(theme.line)}" stroke-width="{_num(layout.line_width)}" '
                   'stroke-linecap="square"/>')
    out.append("</g>")
    return out


# ----------------------------------------------------------------------------- frames


class _Clock:
    """The shared timeline: frame start times and the attributes every animation has."""

    def __init__(self, durations: Sequence[int]) -> None:
        self.durations = list(durations)
        self.starts = np.concatenate([[0], np.cumsum(self.durations)[:-1]]).astype(int)
        self.total = int(sum(self.durations))
        self.even = len(set(self.durations)) <= 1

    def key_times(self, frames: Sequence[int]) -> str:
        return ";".join(_num_time(self.starts[n] / self.total) for n in frames)

    def animate(self, tag: str, attribute: str, values: Sequence[str],
                frames: Sequence[int] | None = None, extra: str = "") -> str:
        """A discrete animation of ``attribute`` taking ``values[k]`` from frame
        ``frames[k]`` on (every frame, in order, when ``frames`` is None)."""
        times = ""
        if frames is not None or not self.even:
            times = f' keyTimes="{self.key_times(frames or range(len(values)))}"'
        return (f'<{tag} attributeName="{attribute}"{extra} values="{";".join(values)}"'
                f'{times} dur="{self.total}ms" calcMode="discrete" '
                'repeatCount="indefinite"/>')


def _num_time(t: float) -> str:
    return f"{t:.6f}".rstrip("0").rstrip(".") or "0"


def _positions(frames: list[Frame], tween: int) -> list[tuple[int, float]]:
    """(step, phase) of every frame written: each step, then ``tween`` in-between frames
    towards the next step (none after the last)."""
    out = []
    for i in range(len(frames)):
        out.append((i, 0.0))
        if i < len(frames) - 1:
            out += [(i, k / (tween + 1)) for k in range(1, tween + 1)]
    return out


def _lerp(a: Sequence[float], b: Sequence[float], t: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def svg_document(scene: Scene, look: Any, *, timing: Any, raster: Any = None) -> str:
    """The animated SVG of ``scene`` drawn with ``look`` (theme, cell, line width).

    ``timing`` gives ``durations(count)`` (milliseconds of each frame written) and
    ``tween`` (in-between frames after each step but the last), as
    :class:`deconv_anim.encode.Timing` does.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> from deconv_anim.encode import Timing
    >>> from deconv_anim.raster import Look
    >>> from deconv_anim.scene import build_scene
    >>> from deconv_anim.themes import THEMES
    >>> scene = build_scene(make_spec(op="conv", size=4, kernel=3))
    >>> text = svg_document(scene, Look(THEMES["classic"]), timing=Timing())
    >>> text.startswith("<svg") and 'dur="4000ms"' in text
    True
    """
    layout = _Layout(scene, look, raster)
    theme = layout.theme
    frames = list(scene.frames())
    count = len(frames)
    tween = int(getattr(timing, "tween", 0))
    clock = _Clock(timing.durations(count))
    positions = _positions(frames, tween)
    if len(positions) != len(clock.durations):
        raise ValueError("timing and scene disagree on the number of frames")
    scatter = scene.view == "scatter"
    window_grid = scene.output if scatter else scene.input
    target_grid = scene.input if scatter else scene.output
    kh, kw = scene.window_extent
    lw = layout.line_width
    uid = hashlib.sha1(repr((scene.spec.op, scene.spec.input_size, scene.spec.kernel_size,
                             scene.spec.stride, scene.spec.padding, scene.view, layout.width,
                             layout.height)).encode()).hexdigest()[:6]
    wid, tid = f"w{uid}", f"t{uid}"

    def at(step: int, phase: float) -> tuple[tuple[float, float], tuple[float, float]]:
        frame = frames[step]
        if not phase:
            return frame.window, frame.target
        nxt = frames[step + 1]
        return _lerp(frame.window, nxt.window, phase), _lerp(frame.target, nxt.target, phase)

    w_ref = layout.corner(window_grid, 0, 0)
    t_ref = layout.corner(target_grid, 0, 0)
    w_moves, t_moves, links = [], [], []
    for step, phase in positions:
        (wr, wc), (tr, tc) = at(step, phase)
        w_moves.append(_pt(layout.corner(window_grid, wr, wc) - w_ref))
        t_moves.append(_pt(layout.corner(target_grid, tr, tc) - t_ref))
        wpoly = layout.cell_polygon(window_grid, wr, wc, kh, kw)
        tpoly = layout.cell_polygon(target_grid, tr, tc)
        links.append("".join(f"M{_pt(a)}L{_pt(b)}" for a, b in zip(wpoly, tpoly)))

    width, height = layout.width, layout.height
    title = scene.title or f"{scene.spec.op} animation"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">',
           f"<title>{_esc(title)}</title>"]

    # shapes used once per frame: the window (its taps) and the highlighted cell
    probe = Frame(0, window_grid.name, (0, 0), target_grid.name, (0, 0), None)  # type: ignore[arg-type]
    taps = scene.window_cells(probe)
    window_d = "".join(_poly(layout.cell_polygon(window_grid, r, c)) for r, c in taps)
    overlay = (f'fill="{_hex(theme.overlay)}" fill-opacity="{_num(theme.overlay_alpha)}" '
               f'stroke="{_hex(theme.line)}"')
    numbers = bool(getattr(look, "numbers", False))
    weights = _weights(layout, scene, window_grid, taps) if numbers else []
    marker = _max_marker(layout, scene, frames, positions, clock) if numbers else []
    out += ["<defs>",
            f'<g id="{wid}"><path d="{window_d}" {overlay} '
            f'stroke-width="{_num(lw * WINDOW_OUTLINE)}"/>{"".join(weights)}</g>',
            f'<path id="{tid}" d="{_poly(layout.cell_polygon(target_grid, 0, 0))}" {overlay} '
            f'stroke-width="{_num(lw)}"/>',
            "</defs>"]
    if not getattr(look, "transparent", False):
        out.append(f'<rect width="100%" height="100%" fill="{_hex(theme.background)}"/>')
    out += _text(layout)
    out += _grid(layout, scene.input)
    if numbers:  # the input values, as the raster places them
        ops = _ops()
        layout.raster._grid_ops(scene.input, ops)
        out += [_svg_text(*item) for item in ops.texts]

    def placed(ref: str, moves: list[str]) -> str:
        anim = clock.animate("animateTransform", "transform", moves, extra=' type="translate"')
        return f'<use href="#{ref}" transform="translate({moves[-1]})">{anim}</use>'

    under, over = (placed(tid, t_moves), placed(wid, w_moves)) if scatter else (
        placed(wid, w_moves), placed(tid, t_moves))
    out.append(under)
    out += marker
    out.append(f'<path d="{links[-1]}" fill="none" stroke="{_hex(theme.line)}" '
               f'stroke-width="{_num(lw * CONNECTOR_WIDTH)}">'
               f'{clock.animate("animate", "d", links)}</path>')
    out += _output_grid(layout, scene, frames, positions, clock)
    out.append(over)
    out += _captions(layout, frames, positions, clock)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _output_grid(layout: _Layout, scene: Scene, frames: list[Frame],
                 positions: list[tuple[int, float]], clock: _Clock) -> list[str]:
    """The output grid: plain, tinted by stamp counts (overlap), or, in the scatter view,
    with each cell's tint stepping up as stamps land on it."""
    grid = scene.output
    if getattr(layout.look, "numbers", False):
        return _output_numbers(layout, scene, frames, positions, clock)
    if scene.view != "scatter":
        if getattr(layout.look, "overlap", False) and layout.counts is not None:
            fills = {(r, c): _hex(layout.tint(int(n)))
                     for (r, c), n in np.ndenumerate(layout.counts)}
            return _grid(layout, grid, fills=fills)
        return _grid(layout, grid)
    counts = np.zeros(scene.spec.output_size, np.int64)
    history: dict[tuple[int, int], list[tuple[int, str]]] = {}
    first_frame = {step: n for n, (step, phase) in reversed(list(enumerate(positions)))
                   if not phase}
    for step, frame in enumerate(frames):
        taps = frame.step.taps
        if not len(taps):
            continue
        np.add.at(counts, (taps[:, 4], taps[:, 5]), 1)
        for r, c in set(zip(taps[:, 4].tolist(), taps[:, 5].tolist())):
            history.setdefault((r, c), []).append(
                (first_frame[step], _hex(layout.tint(int(counts[r, c])))))
    background = _hex(layout.theme.background)
    fills: dict[tuple[int, int], str] = {}
    animated: dict[tuple[int, int], str] = {}
    for cell, changes in history.items():
        if changes[0][0] != 0:
            changes = [(0, background), *changes]
        fills[cell] = changes[-1][1]
        animated[cell] = clock.animate("animate", "fill", [v for _, v in changes],
                                       [n for n, _ in changes])
    for (r, c), _n in np.ndenumerate(counts):
        fills.setdefault((r, c), background)
    return _grid(layout, grid, fills=fills, animated=animated)


def _captions(layout: _Layout, frames: list[Frame], positions: list[tuple[int, float]],
              clock: _Clock) -> list[str]:
    """The caption line of each step (labels: the step's indices), shown while it is the
    step on screen: one <text> per caption, its visibility stepped on the shared clock."""
    if not layout.raster.has_caption:
        return []
    color = _hex(layout.theme.text_color)
    first_frame = {step: n for n, (step, phase) in reversed(list(enumerate(positions)))
                   if not phase}
    runs: list[tuple[str, int, int]] = []  # caption, first frame written, end frame
    for step, frame in enumerate(frames):
        text = layout.raster.caption(frame)
        start = first_frame[step]
        if runs and runs[-1][0] == text:
            continue
        if runs:
            runs[-1] = (runs[-1][0], runs[-1][1], start)
        runs.append((text, start, len(positions)))
    out = []
    y0 = layout.raster.caption_top + layout.line_height // 2
    attrs = (f'font-family="{FONT_FAMILY}" dominant-baseline="central" text-anchor="middle" '
             f'font-size="{layout.text_size}" fill="{color}"')
    for text, start, end in runs:
        keys = [k for k in (0, start, end) if k < len(positions)]
        values = ["hidden" if k not in range(start, end) else "visible" for k in keys]
        keys, values = zip(*dict(zip(keys, values)).items())  # one value per frame
        shown = "visible" if start <= len(positions) - 1 < end else "hidden"
        x = _num(layout.width / 2)
        lines = "".join(f'<tspan x="{x}" y="{_num(y0 + n * layout.line_height)}">'
                        f"{_esc(line)}</tspan>" for n, line in enumerate(text.splitlines()))
        anim = clock.animate("animate", "visibility", list(values), list(keys))
        out.append(f'<text {attrs} visibility="{shown}">{lines}{anim}</text>')
    return out


def _text(layout: _Layout) -> list[str]:
    """The title lines under the figure and, when tints are shown, their legend."""
    theme = layout.theme
    size = layout.text_size
    color = _hex(theme.text_color)
    out = []
    y = layout.figure_height + layout.line_height // 2
    font_attrs = f'font-family="{FONT_FAMILY}" dominant-baseline="central"'
    for line in layout.lines:
        out.append(f'<text x="{_num(layout.width / 2)}" y="{_num(y)}" font-size="{size}" '
                   f'{font_attrs} text-anchor="middle" fill="{color}">{_esc(line)}</text>')
        y += layout.line_height
    if layout.raster.has_caption:
        y += layout.raster.caption_lines * layout.line_height
    if layout.legend:
        font = layout.font(size)
        label = "stamps per output cell:"
        swatch = round(size * 1.1)
        gap = round(size * 0.5)
        label_width = font.getlength(label)
        x = (layout.width - layout.legend_width()) / 2
        out.append(f'<text x="{_num(x + label_width / 2)}" y="{_num(y)}" font-size="{size}" '
                   f'{font_attrs} text-anchor="middle" fill="{color}">{label}</text>')
        x += label_width + gap
        small = round(size * 0.8)
        for text, fill, width in layout.legend_items():
            out.append(f'<rect x="{_num(x)}" y="{_num(y - swatch / 2)}" '
                       f'width="{_num(width)}" height="{swatch}" fill="{_hex(fill)}" '
                       f'stroke="{_hex(theme.line)}" stroke-width="{_num(layout.line_width)}"/>')
            out.append(f'<text x="{_num(x + width / 2)}" y="{_num(y)}" font-size="{small}" '
                       f'{font_attrs} text-anchor="middle" '
                       f'fill="{_hex(layout.contrast(fill))}">{_esc(text)}</text>')
            x += width + gap
    return out


# ----------------------------------------------------------------------------- numbers


def _ops() -> Any:
    from .raster import _Ops

    return _Ops()


def _svg_text(centre: Sequence[float], text: str, size: int, fill: Sequence[int],
              stroke: Sequence[int] | None = None, extra: str = "", body: str = "") -> str:
    """A text centred at ``centre``, as the raster draws it (a 1 px halo if ``stroke``)."""
    halo = (f' stroke="{_hex(stroke)}" stroke-width="2" paint-order="stroke" '
            'stroke-linejoin="round"') if stroke else ""
    return (f'<text x="{_num(centre[0])}" y="{_num(centre[1])}" font-size="{size}" '
            f'font-family="{FONT_FAMILY}" dominant-baseline="central" text-anchor="middle" '
            f'fill="{_hex(fill)}"{halo}{extra}>{_esc(text)}{body}</text>')


def _weights(layout: _Layout, scene: Scene, grid: Grid, taps: list[tuple[int, int]]
             ) -> list[str]:
    """The weights the window applies, drawn in its cells (they move with it)."""
    spec = scene.spec
    if spec.is_pool:
        return []
    rotated = spec.is_transposed and scene.view == "gather"
    weights = spec.weights[::-1, ::-1] if rotated else spec.weights
    sprite = layout.raster._sprite(grid, taps, outline=1.0, weights=weights)
    return [_svg_text(*item) for item in sprite.ops.texts]


def _max_marker(layout: _Layout, scene: Scene, frames: list[Frame],
                positions: list[tuple[int, float]], clock: _Clock) -> list[str]:
    """Max pooling: the largest cell of each window outlined in the accent colour."""
    spec = scene.spec
    if spec.op != "maxpool":
        return []
    g = spec.gather
    moves = []
    for step, _phase in positions:
        taps = frames[step].step.taps
        best = taps[int(np.argmax(spec.input[taps[:, 2], taps[:, 3]]))]
        cell = (best[2] + g.padding[0], best[3] + g.padding[2])
        moves.append(_pt(layout.corner(scene.input, *cell) - layout.corner(scene.input, 0, 0)))
    poly = layout.cell_polygon(scene.input, 0, 0)
    anim = clock.animate("animateTransform", "transform", moves, extra=' type="translate"')
    return [f'<path d="{_poly(poly)}" fill="none" stroke="{_hex(layout.theme.accent)}" '
            f'stroke-width="{_num(layout.line_width * 2.2)}" '
            f'transform="translate({moves[-1]})">{anim}</path>']


def _output_numbers(layout: _Layout, scene: Scene, frames: list[Frame],
                    positions: list[tuple[int, float]], clock: _Clock) -> list[str]:
    """The output grid of the numbers view: the raster's cell states (fill and number) step
    by step; a fill changes with ``<animate>``, a number is one ``<text>`` per value, shown
    while it holds."""
    raster = layout.raster
    grid = scene.output
    fills, texts = raster._output_start()
    state = {"counts": np.zeros(scene.spec.output_size, np.int64),
             "sums": np.zeros(scene.spec.output_size)}
    first_frame = {step: n for n, (step, phase) in reversed(list(enumerate(positions)))
                   if not phase}
    fill_history = {cell: [(0, tuple(int(v) for v in fills[cell]))]
                    for cell in np.ndindex(*fills.shape[:2])}
    text_history = {cell: [(0, texts[cell])] for cell in np.ndindex(*fills.shape[:2])}
    for step, frame in enumerate(frames):
        changed = raster._output_step(frame, fills, texts, state)
        n = first_frame[step]
        for cell in changed:
            fill = tuple(int(v) for v in fills[cell])
            if fill_history[cell][-1][1] != fill:
                fill_history[cell].append((n, fill))
            if text_history[cell][-1][1] != texts[cell]:
                text_history[cell].append((n, texts[cell]))
    last = len(positions)
    final = {cell: _hex(changes[-1][1]) for cell, changes in fill_history.items()}
    animated = {cell: clock.animate("animate", "fill", [_hex(f) for _, f in changes],
                                    [k for k, _ in changes])
                for cell, changes in fill_history.items() if len(changes) > 1}
    out = _grid(layout, grid, fills=final, animated=animated)
    size = round(layout.look.cell * 0.38)
    for cell, changes in text_history.items():
        centre = layout.cell_polygon(grid, *cell).mean(axis=0)
        ends = [k for k, _ in changes[1:]] + [last]
        for (start, text), end in zip(changes, ends):
            if not text or start >= end:
                continue
            fill_then = next(f for k, f in reversed(fill_history[cell]) if k <= start)
            color = raster_contrast(fill_then, layout.theme)
            keys = sorted({0, start, end} - {last})
            values = ["visible" if start <= k < end else "hidden" for k in keys]
            shown = "visible" if end == last else "hidden"
            anim = ("" if keys == [0] and values == ["visible"] else
                    clock.animate("animate", "visibility", values, keys))
            out.append(_svg_text(centre, text, size, color, extra=f' visibility="{shown}"',
                                 body=anim))
    return out


def raster_contrast(fill: Sequence[int], theme: Any) -> Any:
    from .raster import _contrast

    return _contrast(fill, theme)


def svg_side_by_side(figure: Any, *, timing: Any) -> str:
    """``view: both``: the gather and scatter panels of a
    :class:`~deconv_anim.raster.SideBySide`, each a nested ``<svg>`` on one clock. As in
    the raster, both start together and the shorter holds its finished output until the
    longer ends (its last frame lasts that much longer)."""
    from dataclasses import replace

    panels = (figure.left, figure.right)
    steps = [len(panel.scene) for panel in panels]
    parts = []
    for panel, count, x in zip(panels, steps, figure.offsets):
        extra = (max(steps) - count) * timing.duration
        text = svg_document(panel.scene, figure.look, raster=panel,
                            timing=replace(timing, hold=timing.hold + extra))
        parts.append(text.replace("<svg ", f'<svg x="{x}" y="0" ', 1))
    width, height = figure.size
    background = ("" if getattr(figure.look, "transparent", False) else
                  f'<rect width="100%" height="100%" fill="{_hex(figure.look.theme.background)}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n{background}\n' + "".join(parts) + "</svg>\n")
