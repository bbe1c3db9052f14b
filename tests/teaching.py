"""Helpers of the teaching-view tests (numbers, both views, the overlap map, pooling,
labels, themes): building rasters, reading back what they show from their timeline, and
sampling their pixels where tests/geometry.py (the reference drawing facts) puts each cell.

Pixels are sampled as in ``test_raster.py`` (a 3x3 majority, away from connector lines),
but off the cell centre where a cell carries a number.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from deconv_anim.animation import prepare
from deconv_anim.config import STYLE_KEYS, config_from_mapping
from deconv_anim.engine import trace
from deconv_anim.report import format_value
from deconv_anim.scene import CellKind
from deconv_anim.themes import THEMES
from geometry import Geometry

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
THEME = THEMES["classic"]
BG, INPUT, OUTPUT, OVERLAY = THEME.background, THEME.input, THEME.output, THEME.overlay
TOLERANCE = 3  # per channel: the palette lookup works on 5-bit RGB


def mix(a, b, t):
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))


def shade(color, theme=THEME):
    return mix(color, theme.overlay, theme.overlay_alpha)


PALE = mix(BG, OUTPUT, 0.25)  # an output cell not computed yet (gather view with numbers)


def close(got, want, tolerance=TOLERANCE):
    return got is not None and max(abs(a - b) for a, b in zip(got, want)) <= tolerance


def distance(color, other=BG):
    return sum(abs(a - b) for a, b in zip(color, other))


def make(mapping, cell=20, **render):
    style = {"cell": cell, **mapping.get("style", {})}
    config = config_from_mapping({**mapping, **render, "style": style})
    return prepare(config)


def run(raster, final=False):
    """Copies of every step frame's pixels (the raster reuses one buffer); with ``final``,
    the held clean final frame too."""
    frames = [frame.pixels.copy() for frame in raster.frames()]
    return frames if final else frames[:-1]


def rule_of(spec):
    """(result, data): how a figure of ``spec`` writes computed numbers and input values
    or weights -- the documented rule, written out again: all whole, whole numbers; else
    the fewest decimals (1 or 2) that write every output (and input, weight) exactly, else
    2; whole inputs and weights stay whole."""
    from deconv_anim.engine import compute

    values = [float(v) for a in (compute(spec), spec.input, spec.weights)
              for v in np.ravel(a)]
    if all(v == int(v) for v in values):
        return format_value, format_value
    decimals = next((d for d in (1, 2) if all(abs(round(v, d) - v) < 1e-9 for v in values)),
                    2)

    def result(v):
        text = f"{float(v):.{decimals}f}"
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text

    def data(v):
        return format_value(v) if float(v).is_integer() else result(v)

    return result, data


def fmt(array, spec=None):
    write = format_value if spec is None else rule_of(spec)[0]
    return np.vectorize(write, otypes=[object])(array)


# ------------------------------------------------------------------ sampling


def _clearance(points, lines):
    points = np.asarray(points, float)
    if not len(lines):
        return np.full(len(points), np.inf)
    a = np.array([p for p, _ in lines], float)[None]
    d = np.array([q for _, q in lines], float)[None] - a
    rel = points[:, None] - a
    t = np.clip((rel * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-12), 0, 1)
    return np.linalg.norm(rel - t[..., None] * d, axis=-1).min(1)


def connector_lines(raster, frame, dx=0):
    scene = raster.scene
    kh, kw = scene.window_extent
    window = Geometry(raster).polygon(scene.grid(frame.window_grid), *frame.window, kh, kw)
    target = Geometry(raster).polygon(scene.grid(frame.target_grid), *frame.target)
    shift = np.array([dx, 0])
    if scene.layout == "oblique":
        return [(p + shift, q + shift) for p, q in zip(window, target)]
    # flat: the facing edges, each end 0.15 of its edge in from the corners
    pairs = raster.layout.connector_pairs(scene)
    (i0, j0), (i1, j1) = pairs
    a0, a1 = window[i0], window[i1]
    b0, b1 = target[j0], target[j1]
    a0, a1 = a0 + 0.15 * (a1 - a0), a1 + 0.15 * (a0 - a1)
    b0, b1 = b0 + 0.15 * (b1 - b0), b1 + 0.15 * (b0 - b1)
    return [(a0 + shift, b0 + shift), (a1 + shift, b1 + shift)]


# where a cell is sampled, (u along the row, v down the column): the centre for plain cells;
# with numbers, the top-left quarter first (cell values sit in the middle, the window's
# weights in the bottom-right corner)
CENTRE = ((0.5, 0.5), (0.3, 0.3), (0.7, 0.7), (0.3, 0.7), (0.7, 0.3))
OFF_CENTRE = ((0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.25, 0.5))


def sample(raster, pixels, grid, r, c, lines=(), *, dx=0, where=CENTRE, palette=None):
    """RGB of cell (r, c) of ``grid`` (a name) of ``raster`` drawn at x offset ``dx``, or
    None when connector lines cover every sample point."""
    g = raster.scene.grid(grid)
    tl, tr, br, bl = Geometry(raster).polygon(g, r, c) + np.array([dx, 0])
    points = []
    for u, v in where:
        top, bottom = tl + (tr - tl) * u, bl + (br - bl) * u
        points.append(top + (bottom - top) * v)
    clear = _clearance(points, lines) > raster.line_width + 3
    palette = raster.palette if palette is None else palette
    for point, ok in zip(points, clear):
        if ok:
            x, y = (int(np.floor(v)) for v in point)
            patch = pixels[y - 1:y + 2, x - 1:x + 2].ravel()
            index = Counter(patch.tolist()).most_common(1)[0][0]
            return tuple(int(v) for v in palette[index])
    return None


def stamp_counts(spec):
    """Stamps landing on each output cell, by the transposed index law o = i*s + k*d - t,
    counted one stamp tap at a time (independent of the raster and the engine)."""
    counts = np.zeros(spec.output_size, int)
    (n0, n1), (k0, k1) = spec.input_size, spec.kernel_size
    for i0 in range(n0):
        for i1 in range(n1):
            for a in range(k0):
                for b in range(k1):
                    o0 = i0 * spec.stride[0] + a * spec.dilation[0] - spec.padding[0]
                    o1 = i1 * spec.stride[1] + b * spec.dilation[1] - spec.padding[2]
                    if 0 <= o0 < spec.output_size[0] and 0 <= o1 < spec.output_size[1]:
                        counts[o0, o1] += 1
    return counts


# ------------------------------------------------------------------ what the timeline shows


def replay(raster):
    """The output cell texts and fills after every step, (step, texts, fills), replayed from
    the raster's timeline (what its painters draw)."""
    spec = raster.scene.spec
    texts = np.full(spec.output_size, None, dtype=object)
    fills = np.zeros((*spec.output_size, 3), np.uint8)
    for state in raster.timeline.start:
        texts[state.cell], fills[state.cell] = state.text, state.fill
    out = []
    for step in raster.timeline.steps:
        for change in step.changes:
            texts[change.cell], fills[change.cell] = change.text, change.fill
        out.append((step.index, texts.copy(), fills.copy()))
    return out


def window_weights(raster):
    """(grid, window cells, weights) of the window as drawn: the timeline's kernel on the
    cells of the window at (0, 0)."""
    timeline = raster.timeline
    probe = next(iter(raster.scene.frames()))._replace(window=(0, 0))
    cells = raster.scene.window_cells(probe)
    return [(timeline.window_grid, cells, np.array(timeline.kernel, float))]


X35 = [[1.5, -2, 0.25, 4, -1], [3, 0.5, -0.75, 2, 1], [-1, 2.5, 1, -3, 0.5]]


NUMBERS = {
    "conv": dict(op="conv", size=5, kernel=3, stride=2, padding=1),
    "conv_floats": dict(op="conv", input=X35, weights=[[0.5, -1], [2, -0.25]]),
    "conv_dilation": dict(op="conv", size=5, kernel=2, dilation=2, padding=[0, 1, 1, 0]),
    "conv_k4": dict(op="conv", size=5, kernel=4),  # 16 taps: the caption shows 8 and "..."
    "transposed": dict(op="transposed", size=2, kernel=3, stride=2),
    "transposed_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1,
                           output_padding=1),
    "transposed_cropped": dict(op="transposed", size=3, kernel=3, stride=2, padding=3),
    "transposed_asym": dict(op="transposed", input=[[1, -2, 3], [0.5, 2, -1]],
                            weights=[[1, 2, 3], [-4, 5, 0.5]], stride=[2, 1]),
    "transposed_dilation": dict(op="transposed", size=2, kernel=2, stride=2, dilation=2,
                                padding=1),
    "maxpool": dict(op="maxpool", input=[[1, 5, -2, 0], [3, 2, 7, -1], [-4, 8, 6, 2],
                                         [0, 1, 3, 9]], kernel=2),
    "maxpool_pad": dict(op="maxpool", size=5, kernel=3, stride=2, padding=1),
    "avgpool_include_pad": dict(op="avgpool", size=5, kernel=3, stride=2, padding=1),
    "avgpool_exclude_pad": dict(op="avgpool", size=5, kernel=3, stride=2, padding=1,
                                count_include_pad=False),
    "avgpool_floats": dict(op="avgpool", input=X35, kernel=2, stride=1, padding=1,
                           count_include_pad=False),
}


SCATTER = {
    "scatter": dict(op="transposed", size=2, kernel=3, stride=2, view="scatter"),
    "scatter_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1,
                        output_padding=1, view="scatter"),
    "scatter_asym": dict(op="transposed", input=[[1, -2, 3], [0.5, 2, -1]],
                         weights=[[1, 2, 3], [-4, 5, 0.5]], stride=[2, 1], view="scatter"),
    "scatter_gaps": dict(op="transposed", size=2, kernel=2, stride=3, view="scatter"),
}


CONV_LIKE = [n for n, m in NUMBERS.items() if m["op"] in ("conv", "transposed")]


POOLS = [n for n, m in NUMBERS.items() if "pool" in m["op"]]


def numbers_raster(mapping, cell=24, **render):
    return make({**mapping, "values": True}, cell=cell, **render)


def caption_text(raster, frame):
    return raster.layout.fit_caption(raster.timeline.steps[frame.index].caption).replace(
        "\n", " ")


def caption_terms(text, prefix):
    """The terms of ``prefix = t1 + t2 ... = result`` (whole terms only, '...' dropped),
    whether the caption was shortened, and the result."""
    assert text.startswith(prefix), (text, prefix)
    head, _, result = text[len(prefix):].rpartition(" = ")
    tokens = head.split()
    shortened = "..." in tokens
    return [t for t in tokens if t not in ("+", "...")], shortened, result


def gather_numbers_problems(raster, pixels, frame, *, dx=0):
    """Output cells of the gather view with numbers in ``frame``: computed ones in the
    output colour, the others pale, the current one overlaid."""
    lines = connector_lines(raster, frame, dx)
    out = raster.scene.output
    theme = raster.theme
    pale = mix(theme.background, theme.output, 0.25)
    problems, checked = [], 0
    for r in range(out.rows):
        for c in range(out.cols):
            n = r * out.cols + c
            want = (shade(theme.output, theme) if n == frame.index else
                    theme.output if n < frame.index else pale)
            got = sample(raster, pixels, "output", r, c, lines, dx=dx, where=OFF_CENTRE)
            if got is None:
                continue
            checked += 1
            if not close(got, want):
                problems.append((frame.index, (r, c), got, want))
    assert checked >= out.rows * out.cols - 1
    return problems


def scatter_problems(raster, pixels, frame, counts, colors, *, dx=0):
    """Output cells of the scatter view: background if untouched; the tint of their stamp
    count (collected into ``colors``); the current stamp overlaid on the tint."""
    lines = connector_lines(raster, frame, dx)
    stamp = set(raster.scene.window_cells(frame))
    out = raster.scene.output
    problems = []
    for r in range(out.rows):
        for c in range(out.cols):
            got = sample(raster, pixels, "output", r, c, lines, dx=dx, where=OFF_CENTRE)
            if got is None:
                continue
            n = int(counts[r, c])
            if (r, c) in stamp:
                continue  # checked against the tints once they are known
            if n == 0 and not close(got, BG):
                problems.append((frame.index, (r, c), got, "background"))
            colors.setdefault(n, []).append(got)
    return problems


def check_tints(colors, top):
    tint = {}
    for n, seen in colors.items():
        assert all(close(c, seen[0]) for c in seen), (n, seen)
        tint[n] = seen[0]
    assert close(tint[0], BG)
    if top in tint:
        assert close(tint[top], OUTPUT)
    order = sorted(tint)
    far = [distance(tint[n]) for n in order]
    assert far == sorted(far) and len(set(far)) == len(far), tint  # more stamps, deeper
    return tint


def cumulative_counts(spec):
    counts = np.zeros(spec.output_size, int)
    for step in trace(spec, "scatter"):
        np.add.at(counts, (step.taps[:, 4], step.taps[:, 5]), 1)
        yield counts.copy()


OVERLAP = {
    "k3s2": dict(op="transposed", size=3, kernel=3, stride=2),
    "k3s2_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1, output_padding=1),
    "k2s1_dilation": dict(op="transposed", size=3, kernel=2, dilation=2),
    "rect": dict(op="transposed", size=[2, 3], kernel=[3, 2], stride=[2, 1]),
    "cropped": dict(op="transposed", size=3, kernel=3, stride=2, padding=2),
}


def overlap_tints(raster, pixels, frame, counts, where=CENTRE):
    lines = connector_lines(raster, frame)
    seen: dict[int, list] = {}
    out = raster.scene.output
    scatter = raster.scene.view == "scatter"
    skip = set(raster.scene.window_cells(frame)) if scatter else {frame.target}
    for r in range(out.rows):
        for c in range(out.cols):
            if (r, c) in skip:
                continue
            got = sample(raster, pixels, "output", r, c, lines, where=where)
            if got is not None:
                seen.setdefault(int(counts[r, c]), []).append(got)
    return seen


def assert_overlap_map(seen, top, theme=THEME):
    tint = {}
    for n, colors in seen.items():
        assert all(close(c, colors[0]) for c in colors), (n, colors)
        tint[n] = colors[0]
    order = sorted(tint)
    far = [distance(tint[n], theme.background) for n in order]
    assert far == sorted(far) and len(set(far)) == len(far), tint  # more stamps, darker
    assert close(tint[top], theme.output)
    # every tint is a mix of background and output colour (the output's hue)
    bg, fg = np.array(theme.background, float), np.array(theme.output, float)
    for n, color in tint.items():
        t = np.clip(np.dot(np.array(color) - bg, fg - bg) / np.dot(fg - bg, fg - bg), 0, 1)
        assert np.abs(bg + t * (fg - bg) - np.array(color)).max() <= 4, (n, color)
    return tint


def accent_mask(raster, pixels, accent):
    rgb = raster.palette[pixels].astype(int)
    return np.abs(rgb - np.array(accent)).max(-1) <= TOLERANCE


def plain_cells(raster, pixels, frame):
    """Colours of the input and output cells away from the window, target and lines."""
    lines = connector_lines(raster, frame)
    window = set(raster.scene.window_cells(frame))
    found = {"input": [], "output": []}
    grid = raster.scene.input
    for (i, j), kind in np.ndenumerate(grid.kinds):
        r, c = grid.first[0] + i, grid.first[1] + j
        if kind == CellKind.INPUT and (r, c) not in window:
            found["input"].append(sample(raster, pixels, "input", r, c, lines))
    out = raster.scene.output
    for r in range(out.rows):
        for c in range(out.cols):
            if (r, c) != frame.target:
                found["output"].append(sample(raster, pixels, "output", r, c, lines))
    return {k: [v for v in vs if v is not None] for k, vs in found.items()}


COLOR_FORMS = "'#rrggbb', '#rgb' or [r, g, b] with 0-255"


BASE = {"op": "transposed", "size": 3, "kernel": 3, "stride": 2}


BAD = [
    # (mapping, key, words)
    ({**BASE, "values": "yes"}, "values", ["must be true or false", '(got "yes")']),
    ({**BASE, "values": 1}, "values", ["must be true or false", "(got 1)"]),
    ({**BASE, "labels": "true"}, "labels", ["must be true or false"]),
    ({**BASE, "labels": [True]}, "labels", ["must be true or false"]),
    ({**BASE, "overlap": 0}, "overlap", ["must be true or false", "(got 0)"]),
    ({"op": "conv", "size": 5, "kernel": 3, "overlap": True}, "overlap",
     ["is only for op: transposed", "(got op: conv)"]),
    ({"op": "maxpool", "size": 4, "kernel": 2, "overlap": True}, "overlap",
     ["is only for op: transposed", "(got op: maxpool)"]),
    ({**BASE, "style": {"theme": "solarized"}}, "style.theme",
     ["must be one of classic, dark, colorblind", '(got "solarized")']),
    ({**BASE, "style": {"theme": 3}}, "style.theme", ["classic, dark, colorblind"]),
    ({**BASE, "style": {"input_color": "#12345"}}, "style.input_color",
     [COLOR_FORMS, '(got "#12345")']),
    ({**BASE, "style": {"output_color": "#gg0000"}}, "style.output_color", [COLOR_FORMS]),
    ({**BASE, "style": {"line_color": "red"}}, "style.line_color", [COLOR_FORMS]),
    ({**BASE, "style": {"overlay_color": [1, 2]}}, "style.overlay_color",
     [COLOR_FORMS, "(got [1, 2])"]),
    ({**BASE, "style": {"text_color": [1, 2, 3, 4]}}, "style.text_color", [COLOR_FORMS]),
    ({**BASE, "style": {"input_color": [0, 0, 256]}}, "style.input_color",
     [COLOR_FORMS, "(got [0, 0, 256])"]),
    ({**BASE, "style": {"input_color": [-1, 0, 0]}}, "style.input_color", [COLOR_FORMS]),
    ({**BASE, "style": {"input_color": [0.5, 0, 0]}}, "style.input_color", [COLOR_FORMS]),
    ({**BASE, "style": {"input_color": [True, 0, 0]}}, "style.input_color", [COLOR_FORMS]),
    ({**BASE, "style": {"input_color": "transparent"}}, "style.input_color", [COLOR_FORMS]),
    ({**BASE, "style": {"background": "#1234"}}, "style.background",
     [COLOR_FORMS, "or transparent"]),
    ({**BASE, "style": {"background": [300, 0, 0]}}, "style.background", ["or transparent"]),
    ({**BASE, "style": {"line_width": 0.4}}, "style.line_width",
     ["must be a number from 0.5 to 20", "(got 0.4)"]),
    ({**BASE, "style": {"line_width": 21}}, "style.line_width", ["from 0.5 to 20"]),
    ({**BASE, "style": {"line_width": "thin"}}, "style.line_width", ["from 0.5 to 20"]),
    ({**BASE, "style": {"line_width": True}}, "style.line_width", ["from 0.5 to 20"]),
    ({**BASE, "style": {"cell": 3}}, "style.cell", ["must be an integer from 4 to 400"]),
    ({**BASE, "layout": "isometric"}, "layout",
     ["must be one of oblique, flat", '(got "isometric")']),
    ({**BASE, "duration": 19}, "duration", ["must be an integer from 20 to 60000", "(got 19)"]),
    ({**BASE, "duration": 100.5}, "duration", ["must be an integer from 20 to 60000"]),
    ({**BASE, "hold": -1}, "hold", ["must be an integer from 0 to 600000"]),
    ({**BASE, "duration": 60_000, "hold": 600_000}, "hold",
     ["duration + hold must be at most 655350 ms", "(got 660000)"]),
    ({**BASE, "duration": 55_351, "hold": 600_000}, "hold",
     ["at most 655350", "(got 655351)"]),
    ({**BASE, "hold": 600_001}, "hold", ["must be an integer from 0 to 600000"]),
    ({"op": "conv", "size": 5, "kernel": 3, "view": "both"}, "view",
     ["both is only for op: transposed"]),
    ({"op": "avgpool", "size": 4, "kernel": 2, "view": "scatter"}, "view",
     ["scatter is only for op: transposed"]),
    ({"op": "conv", "size": 5, "kernel": 3, "count_include_pad": False}, "count_include_pad",
     ["is only for op: avgpool", "(got op: conv)"]),
    ({**BASE, "count_include_pad": True}, "count_include_pad", ["is only for op: avgpool"]),
    ({"op": "avgpool", "size": 4, "kernel": 2, "count_include_pad": "no"},
     "count_include_pad", ["must be true or false"]),
    ({**BASE, "style": {"input_colour": "#fff"}}, "style.input_colour",
     ["unknown key; did you mean style.input_color?"]),
    ({**BASE, "style": {"theem": "dark"}}, "style.theem",
     ["unknown key; did you mean style.theme?"]),
    ({**BASE, "style": {"linewidth": 2}}, "style.linewidth",
     ["did you mean style.line_width?"]),
    ({**BASE, "style": {"zebra": 1}}, "style.zebra",
     ["unknown key; known keys: " + ", ".join(STYLE_KEYS)]),
    ({**BASE, "valuse": True}, "valuse", ["unknown key; did you mean values?"]),
    ({**BASE, "overlaps": True}, "overlaps", ["did you mean overlap?"]),
    ({**BASE, "label": True}, "label", ["did you mean labels?"]),
    ({**BASE, "style": "dark"}, "style", ["must be a mapping of style keys"]),
    ({**BASE, "values": None}, "values", ["must have a value (got null)"]),
]


TEACHING = ["numbers_conv", "numbers_transposed", "numbers_scatter", "both_views",
            "overlap_map", "maxpool", "avgpool", "theme_dark", "theme_colorblind"]


ALL_CONFIGS = sorted(p.stem for p in CONFIGS.glob("*.yaml") if p.stem != "gallery")
