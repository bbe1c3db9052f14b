"""The teaching views: numbers, both views side by side, the overlap map, pooling, labels,
themes and colours -- the numbers they draw are the engine's, and the pixels say so.

Numbers are read back from what the raster draws: its timeline (captions, the output cell
texts filled in step by step, the kernel weights shown in the window) and its pixels.
Pixels are sampled as in ``test_raster.py`` (a 3x3 majority, away from connector lines),
but off the cell centre where a cell carries a number.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deconv_anim import ConfigError
from deconv_anim.config import STYLE_KEYS, config_from_mapping, load_config
from deconv_anim.engine import compute, trace
from deconv_anim.gallery import find_configs, load_layout, readme_text
from deconv_anim.panels import SideBySide
from deconv_anim.render import look_of, prepare, render
from deconv_anim.report import format_value, summary
from deconv_anim.scene import CellKind
from deconv_anim.themes import THEMES
from deconv_anim.timeline import MAX_TERMS
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


def run(raster):
    """Copies of every frame's pixels (the raster reuses one buffer)."""
    return [frame.pixels.copy() for frame in raster.frames()]


def fmt(array):
    return np.vectorize(format_value, otypes=[object])(array)


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
    return [(p + shift, q + shift) for p, q in zip(window, target)]


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


# ------------------------------------------------------------------ 1. numbers


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


@pytest.mark.parametrize("name", list(NUMBERS))
def test_every_caption_ends_with_the_engines_value(name):
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    out = compute(spec)
    frames = list(raster.scene.frames())
    assert len(frames) == out.size
    for frame in frames:
        r, c = frame.step.cell
        text = caption_text(raster, frame)
        assert text.startswith(f"out[{r}, {c}] = "), text
        assert text.endswith(f" = {format_value(out[r, c])}"), (frame.index, text)


@pytest.mark.parametrize("name", CONV_LIKE)
def test_gather_captions_list_the_products_of_the_taps_in_order(name):
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    x, w = spec.input, spec.weights
    complete = 0
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        taps = frame.step.taps
        want = [f"{format_value(x[t[2], t[3]])}*{format_value(w[t[0], t[1]])}" for t in taps]
        terms, shortened, _ = caption_terms(caption_text(raster, frame), f"out[{r}, {c}] = ")
        if not len(taps):
            assert " ".join(terms) == "(no input cell under the window)", terms
            continue
        if len(taps) > MAX_TERMS:  # the first terms, then "..."
            assert shortened and len(terms) <= MAX_TERMS - 1, terms
        if shortened:
            assert terms == want[:len(terms)] and len(terms) < len(want), (terms, want)
        else:
            assert terms == want, (frame.index, terms, want)
            complete += 1
        # the products of the taps add up to the engine's value
        assert sum(x[t[2], t[3]] * w[t[0], t[1]] for t in taps) == pytest.approx(
            compute(spec)[r, c])
    short = all(len(f.step.taps) > MAX_TERMS for f in raster.scene.frames())
    assert complete >= 1 or short


@pytest.mark.parametrize("name", ["transposed", "transposed_pad", "transposed_asym",
                                  "transposed_dilation"])
def test_transposed_gather_caption_weights_are_the_taps_weights(name):
    """The window holds the kernel rotated 180 degrees; the caption multiplies each input
    by the weight of its tap, w[kr, kc] -- the product x * w is the engine's."""
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    static = " ".join(raster.layout.static_lines)
    assert "rotated by 180 degrees" in static
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        terms, shortened, _ = caption_terms(caption_text(raster, frame), f"out[{r}, {c}] = ")
        taps = frame.step.taps
        if not len(taps):
            assert " ".join(terms) == "(no input cell under the window)", terms
            continue
        assert len(terms) == len(taps) or (shortened and len(terms) < len(taps))
        for term, tap in zip(terms, taps):
            xs, _, ws = term.partition("*")
            assert ws == format_value(spec.weights[tap[0], tap[1]]), (term, tap)
            assert xs == format_value(spec.input[tap[2], tap[3]]), (term, tap)


def test_the_rotation_note_is_only_on_the_transposed_gather_view():
    assert "rotated" not in " ".join(numbers_raster(NUMBERS["conv"]).layout.static_lines)
    assert "rotated" not in " ".join(numbers_raster(SCATTER["scatter"]).layout.static_lines)
    plain = make(NUMBERS["transposed"])  # no values: no note
    assert "rotated" not in " ".join(plain.layout.static_lines)


@pytest.mark.parametrize("name", ["transposed", "transposed_asym", "transposed_dilation",
                                  "transposed_cropped", "conv_floats", "conv_dilation"])
def test_window_weights_sit_on_their_inputs(name):
    """Gather view: the weight drawn on the window cell over input x[ir, ic] is the w[kr, kc]
    its tap multiplies (for a transposed op, the kernel rotated by 180 degrees)."""
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    frames = list(raster.scene.frames())
    run(raster)
    (grid, cells, weights), = window_weights(raster)
    assert grid == "input"
    drawn = dict(zip(cells, weights.ravel()))
    if spec.is_transposed:
        np.testing.assert_array_equal(weights, spec.weights[::-1, ::-1])
    g = spec.gather
    for frame in frames:
        wr, wc = frame.window
        for kr, kc, ir, ic, *_ in frame.step.taps:
            row = g.padding[0] + ir * g.spacing[0]
            col = g.padding[2] + ic * g.spacing[1]
            assert drawn[(row - wr, col - wc)] == spec.weights[kr, kc], (frame.index, kr, kc)


@pytest.mark.parametrize("name", ["scatter", "scatter_asym", "scatter_pad"])
def test_scatter_stamp_weights_sit_on_their_outputs(name):
    raster = numbers_raster(SCATTER[name])
    spec = raster.scene.spec
    frames = list(raster.scene.frames())
    run(raster)
    (grid, cells, weights), = window_weights(raster)
    assert grid == "output"
    np.testing.assert_array_equal(weights, spec.weights)  # not rotated
    drawn = dict(zip(cells, weights.ravel()))
    for frame in frames:
        wr, wc = frame.window
        for kr, kc, _, _, orow, ocol in frame.step.taps:
            assert drawn[(orow - wr, ocol - wc)] == spec.weights[kr, kc]


@pytest.mark.parametrize("name", POOLS)
def test_pool_captions(name):
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    x, out = spec.input, compute(spec)
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        taps = frame.step.taps
        values = [format_value(x[t[2], t[3]]) for t in taps]
        text = caption_text(raster, frame)
        if spec.op == "maxpool":
            want = f"out[{r}, {c}] = max({', '.join(values)}) = {format_value(out[r, c])}"
            assert max(x[t[2], t[3]] for t in taps) == out[r, c]
        else:
            count = (spec.kernel_size[0] * spec.kernel_size[1] if spec.count_include_pad
                     else len(taps))
            want = (f"out[{r}, {c}] = ({' + '.join(values)}) / {count} = "
                    f"{format_value(out[r, c])}")
            assert sum(x[t[2], t[3]] for t in taps) / count == pytest.approx(out[r, c])
        assert text == want, (text, want)


def test_avgpool_divisor_follows_count_include_pad():
    # the corner window of a 3x3 kernel with padding 1 holds 4 real cells
    first = {}
    for name in ("avgpool_include_pad", "avgpool_exclude_pad"):
        raster = numbers_raster(NUMBERS[name])
        first[name] = caption_text(raster, next(iter(raster.scene.frames())))
    assert " / 9 = " in first["avgpool_include_pad"]
    assert " / 4 = " in first["avgpool_exclude_pad"]


@pytest.mark.parametrize("name", list(SCATTER))
def test_scatter_captions_name_the_input_value_and_the_stamp(name):
    raster = numbers_raster(SCATTER[name])
    spec = raster.scene.spec
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        v = format_value(spec.input[r, c])
        text = caption_text(raster, frame)
        assert text.startswith(f"x[{r}, {c}] = {v} stamps {v} * w onto "), text
        assert text.endswith(f"onto {len(frame.step.taps)} output cells"), text


@pytest.mark.parametrize("name", list(NUMBERS))
def test_gather_output_texts_end_as_the_engines_output(name):
    raster = numbers_raster(NUMBERS[name])
    spec = raster.scene.spec
    out = fmt(compute(spec))
    run(raster)
    steps = replay(raster)
    assert [index for index, *_ in steps] == list(range(spec.output_size[0]
                                                        * spec.output_size[1]))
    for index, texts, _ in steps:  # cells fill in row by row, each with its final number
        filled = np.flatnonzero(texts.ravel() != None)  # noqa: E711
        assert filled.tolist() == list(range(index + 1))
        np.testing.assert_array_equal(texts.ravel()[filled], out.ravel()[filled])
    np.testing.assert_array_equal(steps[-1][1], out)


@pytest.mark.parametrize("name", list(SCATTER))
def test_scatter_running_sums_end_as_the_engines_output(name):
    raster = numbers_raster(SCATTER[name])
    spec = raster.scene.spec
    run(raster)
    steps = replay(raster)
    assert len(steps) == spec.input_size[0] * spec.input_size[1]
    sums = np.zeros(spec.output_size)
    touched = np.zeros(spec.output_size, bool)
    for step, (index, texts, _) in zip(trace(spec, "scatter"), steps, strict=True):
        assert step.index == index
        t = step.taps
        np.add.at(sums, (t[:, 4], t[:, 5]), spec.input[t[:, 2], t[:, 3]]
                  * spec.weights[t[:, 0], t[:, 1]])
        touched[t[:, 4], t[:, 5]] = True
        np.testing.assert_array_equal(texts[touched], fmt(sums)[touched])
        assert (texts[~touched] == "0").all()  # the running sums start at zero
    out = compute(spec)
    np.testing.assert_allclose(sums, out)
    final = steps[-1][1]
    np.testing.assert_array_equal(final[touched], fmt(out)[touched])
    if name != "scatter_gaps":
        assert touched.all()
    else:  # cells no stamp reaches stay empty (and are 0 in the output)
        assert not touched.all() and (out[~touched] == 0).all()


@pytest.mark.parametrize("mapping", [
    dict(op="transposed", size=2, kernel=3, stride=2),
    dict(op="transposed", size=3, kernel=3, stride=2, padding=1, output_padding=1),
    dict(op="transposed", input=[[1, -2, 3], [0.5, 2, -1]], weights=[[1, 2, 3], [-4, 5, 0.5]],
         stride=[2, 1], padding=[1, 0, 0, 1]),
    dict(op="transposed", size=3, kernel=2, stride=2, dilation=2, padding=2),
])
def test_gather_and_scatter_end_with_the_same_numbers(mapping):
    config = config_from_mapping({**mapping, "view": "both", "values": True,
                                  "style": {"cell": 20}})
    spec = config.spec
    out = compute(spec)
    totals = {}
    for view in ("gather", "scatter"):
        total = np.zeros(spec.output_size)
        for step in trace(spec, view):
            t = step.taps
            np.add.at(total, (t[:, 4], t[:, 5]), spec.input[t[:, 2], t[:, 3]]
                      * spec.weights[t[:, 0], t[:, 1]])
        totals[view] = total
        np.testing.assert_allclose(total, out, atol=1e-12)
    np.testing.assert_allclose(totals["gather"], totals["scatter"], atol=1e-12)
    # and what the two panels of the side-by-side figure end with
    both = prepare(config)
    assert isinstance(both, SideBySide)
    run(both)
    left = replay(both.left)[-1][1]
    right = replay(both.right)[-1][1]
    np.testing.assert_array_equal(left, fmt(out))
    # cells no stamp reaches keep the running sum's start, 0: the same as the gather view
    np.testing.assert_array_equal(right, fmt(out))


# ------------------------------------------------------------------ 2. format_value


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (3.0, "3"), (0, "0"), (-0.0, "0"), (-2.0, "-2"), (-12, "-12"), (-12.0, "-12"),
    (np.int64(7), "7"), (np.float64(-4.0), "-4"), (100, "100"), (123456, "123456"),
    (10**8, "100000000"),
    (0.25, "0.25"), (1.2345, "1.2"), (-0.5, "-0.5"), (-0.125, "-0.12"), (2 / 3, "0.67"),
    (-1 / 3, "-0.33"), (0.056, "0.056"), (9.87, "9.9"), (-9.87, "-9.9"), (12.34, "12"),
    (-12.34, "-12"), (123.4, "123"), (-123.6, "-124"), (4567.8, "4568"), (1e9 + 0.5, "1000000000"),
])
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_reads_back_to_two_significant_digits():
    rng = np.random.default_rng(0)
    for value in rng.uniform(-99, 99, 500):
        text = format_value(value)
        assert "e" not in text and float(text) == pytest.approx(value, rel=0.05, abs=0.006)


@pytest.mark.parametrize(("value", "text"), [(99.5, "100"), (-99.7, "-100"), (99.96, "100")])
def test_format_value_just_below_100(value, text):
    assert format_value(value) == text


def test_a_mean_of_99_5_is_drawn_readably():
    raster = numbers_raster(dict(op="avgpool", input=[[99, 100]], kernel=[1, 2]))
    run(raster)
    text = caption_text(raster, next(iter(raster.scene.frames())))
    assert "e+" not in text and "e+" not in replay(raster)[-1][1][0, 0]


# ------------------------------------------------------------------ 3. pixels, per view


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


@pytest.mark.parametrize("name", ["conv", "transposed", "maxpool", "avgpool_exclude_pad"])
def test_pixels_gather_numbers(name):
    raster = numbers_raster(NUMBERS[name])
    assert raster.scene.layout == "flat"  # the default with values
    frames = run(raster)
    problems = []
    for frame, pixels in zip(raster.scene.frames(), frames, strict=True):
        problems += gather_numbers_problems(raster, pixels, frame)
    assert not problems, problems
    # the input cells keep their colour under the numbers (outside the window)
    frame = next(iter(raster.scene.frames()))
    window = set(raster.scene.window_cells(frame))
    lines = connector_lines(raster, frame)
    grid = raster.scene.input
    for (i, j), kind in np.ndenumerate(grid.kinds):
        r, c = grid.first[0] + i, grid.first[1] + j
        if kind == CellKind.INPUT and (r, c) not in window:
            got = sample(raster, frames[0], "input", r, c, lines, where=OFF_CENTRE)
            assert got is None or close(got, INPUT), ((r, c), got)


def test_pixels_gather_numbers_draw_text_in_computed_cells():
    raster = numbers_raster(NUMBERS["conv"])
    frames = run(raster)
    out = raster.scene.output

    def ink(pixels, r, c):
        tl, _, br, _ = Geometry(raster).polygon(out, r, c)
        x0, y0 = (tl + 0.3 * (br - tl)).astype(int)
        x1, y1 = (tl + 0.7 * (br - tl)).astype(int)
        rgb = raster.palette[pixels[y0:y1, x0:x1]].astype(int)
        return len({tuple(p) for p in rgb.reshape(-1, 3)})

    # the middle of an uncomputed cell is flat; a computed one carries its number
    assert ink(frames[0], out.rows - 1, out.cols - 1) == 1
    assert ink(frames[-1], 0, 0) > 2


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


@pytest.mark.parametrize("name", ["scatter", "scatter_pad", "scatter_gaps"])
def test_pixels_scatter_tints_grow_with_stamp_counts(name):
    raster = numbers_raster(SCATTER[name])
    spec = raster.scene.spec
    frames = run(raster)
    colors: dict[int, list] = {}
    problems = []
    all_counts = list(cumulative_counts(spec))
    for frame, pixels, counts in zip(raster.scene.frames(), frames, all_counts, strict=True):
        problems += scatter_problems(raster, pixels, frame, counts, colors)
    assert not problems, problems
    final = all_counts[-1]
    np.testing.assert_array_equal(final, stamp_counts(spec))
    tint = check_tints(colors, int(final.max()))
    # under the current stamp: the tint of the count it brings, overlaid
    for frame, pixels, counts in zip(raster.scene.frames(), frames, all_counts):
        lines = connector_lines(raster, frame)
        for r, c in raster.scene.window_cells(frame):
            if not (0 <= r < spec.output_size[0] and 0 <= c < spec.output_size[1]):
                continue
            n = int(counts[r, c])
            got = sample(raster, pixels, "output", r, c, lines, where=OFF_CENTRE)
            if got is not None and n in tint:
                assert close(got, shade(tint[n])), (frame.index, (r, c), n, got)


def test_pixels_both_views_side_by_side(tmp_path):
    mapping = dict(op="transposed", size=2, kernel=3, stride=2, view="both", values=True)
    config = config_from_mapping({**mapping, "style": {"cell": 20}})
    spec = config.spec
    both = prepare(config)
    assert isinstance(both, SideBySide)
    left, right = both.left, both.right
    assert left.scene.view == "gather" and right.scene.view == "scatter"
    assert both.size == (left.size[0] + both.gap + right.size[0],
                         max(left.size[1], right.size[1]))
    assert left.size[1] == right.size[1] == both.size[1]
    assert both.offsets == (0, left.size[0] + both.gap)
    frames = run(both)
    steps = (spec.steps("gather"), spec.steps("scatter"))
    assert steps == (25, 4)
    assert len(frames) == spec.frames == max(steps)
    # each panel is its own raster's frames; the scatter panel holds its last one
    own_left, own_right = run(left), run(right)
    x = both.offsets[1]
    gap = both.palette[frames[0][:, left.size[0]:x]]
    assert (gap == np.array(BG)).all()
    for k, pixels in enumerate(frames):
        np.testing.assert_array_equal(pixels[:, :left.size[0]], own_left[k])
        np.testing.assert_array_equal(pixels[:, x:], own_right[min(k, steps[1] - 1)])
    # left behaves as the gather view, right as the scatter view, in the combined canvas
    problems = []
    for frame, pixels in zip(left.scene.frames(), frames):
        problems += gather_numbers_problems(left, pixels, frame)
    colors: dict[int, list] = {}
    right_frames = list(right.scene.frames())
    counts = list(cumulative_counts(spec))
    for k, pixels in enumerate(frames):
        n = min(k, steps[1] - 1)
        problems += scatter_problems(right, pixels, right_frames[n], counts[n], colors, dx=x)
    assert not problems, problems
    tint = check_tints(colors, int(counts[-1].max()))
    # the last frame shows both outputs finished: every left cell computed, every right
    # cell tinted by its final count
    last = frames[-1]
    lines = connector_lines(left, list(left.scene.frames())[-1])
    for r in range(spec.output_size[0]):
        for c in range(spec.output_size[1]):
            got = sample(left, last, "output", r, c, lines, where=OFF_CENTRE)
            if (r, c) != (spec.output_size[0] - 1, spec.output_size[1] - 1):
                assert close(got, OUTPUT), ((r, c), got)
    assert set(tint) <= {0, *np.unique(counts[-1]).tolist()} and len(tint) >= 3
    # the file has as many frames as the longer view has steps
    result = render(config, tmp_path / "both.gif")
    assert result.frames == max(steps)
    with Image.open(result.path) as image:
        assert image.n_frames == max(steps) and image.size == both.size


def test_both_views_numbers_in_both_panels():
    both = numbers_raster(dict(op="transposed", size=3, kernel=2, stride=2, view="both"))
    run(both)
    out = fmt(compute(both.left.scene.spec))
    np.testing.assert_array_equal(replay(both.left)[-1][1], out)
    np.testing.assert_array_equal(replay(both.right)[-1][1], out)
    assert "Gather view" in both.left.layout.static_lines
    assert "Scatter view" in both.right.layout.static_lines


OVERLAP = {
    "k3s2": dict(op="transposed", size=3, kernel=3, stride=2),
    "k3s2_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1, output_padding=1),
    "k2s1_dilation": dict(op="transposed", size=3, kernel=2, dilation=2),
    "rect": dict(op="transposed", size=[2, 3], kernel=[3, 2], stride=[2, 1]),
    "cropped": dict(op="transposed", size=3, kernel=3, stride=2, padding=2),
}


@pytest.mark.parametrize("name", list(OVERLAP))
def test_stamp_counts_follow_the_index_law(name):
    raster = make({**OVERLAP[name], "overlap": True})
    spec = raster.scene.spec
    np.testing.assert_array_equal(raster.timeline.counts, stamp_counts(spec))
    # and the engine's trace agrees: one tap per stamp landing in the output
    total = np.zeros(spec.output_size, int)
    for step in trace(spec, "scatter"):
        np.add.at(total, (step.taps[:, 4], step.taps[:, 5]), 1)
    np.testing.assert_array_equal(total, stamp_counts(spec))


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


@pytest.mark.parametrize("name", ["k3s2", "rect", "cropped"])
@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_overlap_map(name, layout):
    raster = make({**OVERLAP[name], "overlap": True, "layout": layout})
    spec = raster.scene.spec
    counts = stamp_counts(spec)
    frames = run(raster)
    scene_frames = list(raster.scene.frames())
    # the map is there from the first frame and stays
    for k in (0, len(frames) // 2, len(frames) - 1):
        seen = overlap_tints(raster, frames[k], scene_frames[k], counts)
        assert_overlap_map(seen, int(counts.max()))
    tint = assert_overlap_map(overlap_tints(raster, frames[0], scene_frames[0], counts),
                              int(counts.max()))
    # the legend: a strip below the figure holding a swatch of every tint on the map
    strip = {tuple(int(v) for v in p)
             for p in raster.palette[frames[0][raster.figure_height:]].reshape(-1, 3)}
    for n, color in tint.items():
        assert any(close(color, s, 1) for s in strip), (n, color)
    # without overlap: plain output cells, no legend, a shorter canvas
    plain = make({**OVERLAP[name], "layout": layout})
    assert plain.size[1] < raster.size[1]
    seen = overlap_tints(plain, run(plain)[0], next(iter(plain.scene.frames())), counts)
    assert all(close(c, OUTPUT) for colors in seen.values() for c in colors)


def test_pixels_overlap_map_with_numbers_fills_in_the_tints():
    raster = numbers_raster(OVERLAP["k3s2"], overlap=True)
    spec = raster.scene.spec
    counts = stamp_counts(spec)
    frames = run(raster)
    last_frame = list(raster.scene.frames())[-1]
    seen = overlap_tints(raster, frames[-1], last_frame, counts, OFF_CENTRE)
    assert_overlap_map(seen, int(counts.max()))
    first = overlap_tints(raster, frames[0], next(iter(raster.scene.frames())), counts,
                          OFF_CENTRE)
    pale = mix(BG, OUTPUT, 0.25)
    assert all(close(c, pale) for colors in first.values() for c in colors)
    np.testing.assert_array_equal(replay(raster)[-1][1], fmt(compute(spec)))


@pytest.mark.parametrize("view", ["gather", "scatter"])
def test_pixels_overlap_map_beyond_eight_stamps(view):
    raster = make(dict(op="transposed", size=4, kernel=4, overlap=True, layout="flat",
                       view=view))
    counts = stamp_counts(raster.scene.spec)
    assert counts.max() == 16
    frames = run(raster)
    last = list(raster.scene.frames())[-1]
    seen = overlap_tints(raster, frames[-1], last, counts)
    # more than 8 counts share 8 tints (equal bins of counts): never lighter for more
    # stamps, 8 distinct tints, each a mix of background and output colour, the top one
    # the output colour
    bg, fg = np.array(BG, float), np.array(OUTPUT, float)
    tint = {n: colors[0] for n, colors in seen.items()}
    far = [distance(tint[n], BG) for n in sorted(tint)]
    assert far == sorted(far), tint
    classes = raster.timeline.tints.classes
    assert len(classes) == 8
    hit = {next(i for i, (lo, hi) in enumerate(classes) if lo <= n <= hi) for n in tint}
    assert len({tuple(c) for c in tint.values()}) == len(hit), (tint, classes)
    if 16 in tint:
        assert close(tint[16], OUTPUT)
    for n, color in tint.items():
        t = np.clip(np.dot(np.array(color) - bg, fg - bg) / np.dot(fg - bg, fg - bg), 0, 1)
        assert np.abs(bg + t * (fg - bg) - np.array(color)).max() <= 4, (n, color)


def accent_mask(raster, pixels, accent):
    rgb = raster.palette[pixels].astype(int)
    return np.abs(rgb - np.array(accent)).max(-1) <= TOLERANCE


@pytest.mark.parametrize("name", ["maxpool", "maxpool_pad"])
def test_pixels_maxpool_outlines_the_maximum(name):
    raster = numbers_raster(NUMBERS[name], cell=20)
    spec = raster.scene.spec
    g = spec.gather
    accent = raster.theme.accent
    frames = run(raster)
    pad = raster.line_width * 2.2 + 2
    for frame, pixels in zip(raster.scene.frames(), frames, strict=True):
        mask = accent_mask(raster, pixels, accent)
        ys, xs = np.nonzero(mask)
        assert len(ys) > 4 * raster.look.cell, frame.index  # an outline, all round
        taps = frame.step.taps
        values = spec.input[taps[:, 2], taps[:, 3]]
        best = [t for t, v in zip(taps, values) if v == values.max()]
        boxes = []
        for t in best:
            poly = Geometry(raster).polygon(raster.scene.input, t[2] + g.padding[0],
                                       t[3] + g.padding[2])
            boxes.append((poly[:, 0].min() - pad, poly[:, 1].min() - pad,
                          poly[:, 0].max() + pad, poly[:, 1].max() + pad))
        assert any(xs.min() >= x0 and ys.min() >= y0 and xs.max() <= x1 and ys.max() <= y1
                   for x0, y0, x1, y1 in boxes), (frame.index, best)
        # on the outline, not inside the cell
        for x0, y0, x1, y1 in boxes[:1]:
            cx, cy = round((x0 + x1) / 2), round((y0 + y1) / 2)
            if len(best) == 1:
                assert not mask[cy - 2:cy + 3, cx - 2:cx + 3].any()
    if name == "maxpool":  # distinct maxima: the marked cells are 5, 7, 8 and 9
        cells = []
        for frame in raster.scene.frames():
            taps = frame.step.taps
            best = taps[np.argmax(spec.input[taps[:, 2], taps[:, 3]])]
            cells.append((int(best[2]), int(best[3])))
        assert cells == [(0, 1), (1, 2), (2, 1), (3, 3)]


def test_no_accent_outline_without_values_or_for_other_ops():
    for mapping in (dict(op="maxpool", size=4, kernel=2),
                    dict(op="avgpool", size=4, kernel=2, values=True),
                    dict(op="conv", size=4, kernel=2, values=True)):
        raster = make(mapping)
        for pixels in run(raster):
            assert not accent_mask(raster, pixels, raster.theme.accent).any(), mapping


def test_pixels_labels():
    mapping = dict(op="transposed", size=3, kernel=3, stride=2, padding=1)
    plain = make(mapping)
    labelled = make(mapping, labels=True)
    spec = labelled.scene.spec
    assert labelled.size[1] > plain.size[1]
    assert labelled.size[0] >= plain.size[0]
    assert summary(spec) in " ".join(labelled.layout.static_lines)
    assert summary(spec) not in " ".join(plain.layout.static_lines)
    frames = list(labelled.scene.frames())
    for frame in frames:
        r, c = frame.step.cell
        assert caption_text(labelled, frame) == f"step {frame.index + 1}/{len(frames)}: " \
                                                f"out[{r}, {c}]"
    # the text is drawn: ink below the figure, and the caption changes with the step
    pixels = run(labelled)
    band = labelled.palette[pixels[0][labelled.figure_height:]]
    assert (np.abs(band.astype(int) - np.array(BG)).sum(-1) > 100).sum() > 50
    assert not (pixels[0][labelled.figure_height:] == pixels[1][labelled.figure_height:]).all()


def test_labels_and_values_together():
    raster = numbers_raster(NUMBERS["conv"], labels=True)
    spec = raster.scene.spec
    out = compute(spec)
    assert summary(spec) in " ".join(raster.layout.static_lines)
    n = len(raster.scene)
    for frame in raster.scene.frames():
        text = caption_text(raster, frame)
        r, c = frame.step.cell
        assert text.startswith(f"step {frame.index + 1}/{n}: out[{r}, {c}] = ")
        assert text.endswith(f" = {format_value(out[r, c])}")
    scatter = numbers_raster(SCATTER["scatter"], labels=True)
    frame = next(iter(scatter.scene.frames()))
    assert caption_text(scatter, frame).startswith("step 1/4: x[0, 0] = ")


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


@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_dark_theme(layout):
    dark = THEMES["dark"]
    assert dark.background == (0, 43, 54)
    raster = make(dict(op="conv", size=5, kernel=3, stride=2, padding=1,
                       style={"theme": "dark"}), layout=layout)
    frames = run(raster)
    w, h = raster.size
    for pixels in (frames[0], frames[-1]):
        rgb = raster.palette[pixels]
        for x, y in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
            assert tuple(int(v) for v in rgb[y, x]) == (0, 43, 54)
    frame = list(raster.scene.frames())[-1]
    cells = plain_cells(raster, frames[-1], frame)
    assert len(cells["input"]) >= 10 and len(cells["output"]) >= 6
    assert all(close(c, dark.input) for c in cells["input"]), cells["input"]
    assert all(close(c, dark.output) for c in cells["output"]), cells["output"]
    # the current output cell carries the dark theme's (light) overlay
    got = sample(raster, frames[-1], "output", *frame.target, connector_lines(raster, frame))
    assert close(got, shade(dark.output, dark))


@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_colorblind_theme(layout):
    raster = make(dict(op="conv", size=5, kernel=3, stride=2, padding=1,
                       style={"theme": "colorblind"}), layout=layout)
    frames = run(raster)
    for k in (0, len(frames) - 1):
        frame = list(raster.scene.frames())[k]
        cells = plain_cells(raster, frames[k], frame)
        assert len(cells["input"]) >= 10 and len(cells["output"]) >= 6
        assert all(close(c, (86, 180, 233)) for c in cells["input"]), cells["input"]
        assert all(close(c, (230, 159, 0)) for c in cells["output"]), cells["output"]
    assert tuple(int(v) for v in raster.palette[frames[0][0, 0]]) == (255, 255, 255)


def test_pixels_colorblind_overlap_and_scatter_tints_use_its_output():
    theme = THEMES["colorblind"]
    raster = make({**OVERLAP["k3s2"], "overlap": True, "style": {"theme": "colorblind"}})
    counts = stamp_counts(raster.scene.spec)
    frames = run(raster)
    seen = overlap_tints(raster, frames[0], next(iter(raster.scene.frames())), counts)
    assert_overlap_map(seen, int(counts.max()), theme)


def test_pixels_colour_overrides():
    style = {"theme": "classic", "input_color": "#ff0000", "output_color": [0, 0, 255],
             "background": "#eee"}
    raster = make(dict(op="conv", size=5, kernel=3, stride=2, style=style))
    assert raster.theme.input == (255, 0, 0) and raster.theme.output == (0, 0, 255)
    assert raster.theme.background == (238, 238, 238)
    assert raster.theme.line == THEME.line  # the rest from the theme
    frames = run(raster)
    frame = list(raster.scene.frames())[-1]
    cells = plain_cells(raster, frames[-1], frame)
    assert cells["input"] and all(close(c, (255, 0, 0)) for c in cells["input"])
    assert cells["output"] and all(close(c, (0, 0, 255)) for c in cells["output"])
    assert tuple(int(v) for v in raster.palette[frames[0][0, 0]]) == (238, 238, 238)


def test_transparent_background_is_accepted_and_written(tmp_path):
    config = config_from_mapping({"op": "conv", "size": 3, "kernel": 2,
                                  "style": {"cell": 16, "background": "transparent"}})
    assert config.render.style.transparent
    look = look_of(config)
    assert look.transparent and look.theme.background == THEME.background
    assert "background" not in config.render.style.colors()
    result = render(config, tmp_path / "t.gif")
    with Image.open(result.path) as image:
        assert "transparency" in image.info
        assert image.n_frames == config.spec.frames


# ------------------------------------------------------------------ 4. config keys


def test_new_keys_parse():
    config = config_from_mapping({
        "op": "transposed", "size": 3, "kernel": 3, "stride": 2, "view": "both",
        "values": True, "labels": True, "overlap": True, "layout": "Oblique",
        "duration": 20, "hold": 600_000,
        "style": {"theme": " Dark ", "cell": 16, "line_width": 0.5, "input_color": "#F00",
                  "output_color": [0, 128, 255], "line_color": "00ff00",
                  "overlay_color": "#123456", "text_color": [1, 2, 3],
                  "background": "Transparent"}})
    options, style = config.render, config.render.style
    assert (options.values, options.labels, options.overlap) == (True, True, True)
    assert options.layout == "oblique" and (options.duration, options.hold) == (20, 600_000)
    assert style.theme == "dark" and style.line_width == 0.5
    assert style.colors() == {"input": (255, 0, 0), "output": (0, 128, 255),
                              "line": (0, 255, 0), "overlay": (0x12, 0x34, 0x56),
                              "text": (1, 2, 3)}
    look = look_of(config)
    assert look.numbers and look.labels and look.overlap and look.transparent
    assert look.theme.input == (255, 0, 0) and look.theme.accent == THEMES["dark"].accent
    assert look.theme.background == THEMES["dark"].background


def test_defaults_of_the_new_keys():
    plain = config_from_mapping({"op": "conv", "size": 4, "kernel": 3})
    assert (plain.render.values, plain.render.labels, plain.render.overlap) == (
        False, False, False)
    assert plain.render.layout == "oblique" and plain.render.style.theme == "classic"
    assert look_of(plain).cell == 30 and look_of(plain).theme == THEME
    numbers = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "values": True})
    assert numbers.render.layout == "flat" and look_of(numbers).cell == 44
    given = config_from_mapping({"op": "conv", "input": [[1, 2], [3, 4]], "kernel": 1})
    assert given.render.values and given.render.layout == "flat"
    off = config_from_mapping({"op": "conv", "input": [[1, 2]], "kernel": 1, "values": False})
    assert not off.render.values and off.render.layout == "oblique"
    kept = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "values": True,
                                "layout": "oblique"})
    assert kept.render.layout == "oblique"


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


@pytest.mark.parametrize(("mapping", "key", "words"), BAD,
                         ids=[f"{key}-{n}" for n, (_, key, _) in enumerate(BAD)])
def test_bad_new_keys(mapping, key, words):
    with pytest.raises(ConfigError) as error:
        config_from_mapping(mapping)
    message = str(error.value)
    assert error.value.key == key, message
    assert message.startswith(f"{key}: "), message
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(("text", "key", "words"), [
    ("values: maybe\n", "values", ["must be true or false", '(got "maybe")']),
    ("overlap: true\nlabels: 2\n", "labels", ["must be true or false"]),
    ("style:\n  theme: neon\n", "style.theme", ["classic, dark, colorblind"]),
    ("style:\n  output_color: '#abcd'\n", "style.output_color", [COLOR_FORMS]),
    ("style:\n  background: [1, 2, 3, 4]\n", "style.background", ["or transparent"]),
    ("style:\n  line_width: 50\n", "style.line_width", ["from 0.5 to 20"]),
    ("style:\n  inputcolor: '#fff'\n", "style.inputcolor", ["did you mean style.input_color?"]),
    ("duration: 10\n", "duration", ["from 20 to 60000"]),
    ("duration: 60000\nhold: 600000\n", "hold", ["at most 655350"]),
    ("layout: spiral\n", "layout", ["oblique, flat"]),
])
def test_bad_new_keys_in_a_file(tmp_path, text, key, words):
    path = tmp_path / "teach.yaml"
    path.write_text("op: transposed\nsize: 2\nkernel: 3\n" + text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: "), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("color", ["#abc", "abc", "#A0B1C2", [0, 0, 0], [255, 255, 255]])
def test_good_colours(color):
    config = config_from_mapping({**BASE, "style": {"input_color": color}})
    assert isinstance(config.render.style.input_color, tuple)


def test_hold_at_the_limit_is_fine():
    config = config_from_mapping({**BASE, "duration": 55_350, "hold": 600_000})
    assert config.render.duration + config.render.hold == 655_350


def test_yaml_booleans_are_accepted(tmp_path):
    path = tmp_path / "teach.yaml"
    path.write_text("op: transposed\nsize: 2\nkernel: 3\nvalues: yes\nlabels: False\n"
                    "overlap: TRUE\nview: both\n")
    config = load_config(path)
    assert (config.render.values, config.render.labels, config.render.overlap) == (
        True, False, True)


# ------------------------------------------------------------------ 5. configs, gallery


TEACHING = ["numbers_conv", "numbers_transposed", "numbers_scatter", "both_views",
            "overlap_map", "maxpool", "avgpool", "theme_dark", "theme_colorblind"]
ALL_CONFIGS = sorted(p.stem for p in CONFIGS.glob("*.yaml") if p.stem != "gallery")


@pytest.mark.parametrize("name", ALL_CONFIGS)
def test_every_config_loads(name):
    config = load_config(CONFIGS / f"{name}.yaml")
    assert config.name == name
    prepare(config)  # within the size limits


def test_the_teaching_configs_show_their_feature():
    configs = {name: load_config(CONFIGS / f"{name}.yaml") for name in TEACHING}
    for name, config in configs.items():
        assert config.render.title, name
    c = configs
    assert c["numbers_conv"].render.values and c["numbers_conv"].spec.op == "conv"
    assert c["numbers_transposed"].render.values
    assert c["numbers_transposed"].spec.is_transposed
    assert c["numbers_transposed"].spec.view == "gather"
    assert c["numbers_scatter"].render.values and c["numbers_scatter"].spec.view == "scatter"
    assert c["both_views"].spec.view == "both" and c["both_views"].spec.is_transposed
    assert c["overlap_map"].render.overlap and c["overlap_map"].spec.is_transposed
    assert c["maxpool"].spec.op == "maxpool" and c["maxpool"].render.values
    assert c["avgpool"].spec.op == "avgpool"
    assert c["theme_dark"].render.style.theme == "dark"
    assert c["theme_colorblind"].render.style.theme == "colorblind"
    assert any(config.render.labels for config in configs.values())


def test_the_overlap_map_config_shows_uneven_overlap():
    counts = stamp_counts(load_config(CONFIGS / "overlap_map.yaml").spec)
    assert len(np.unique(counts)) >= 3  # the checkerboard: 1, 2 and 4 stamps


def test_the_teaching_configs_are_a_gallery_section():
    configs = find_configs(CONFIGS)
    assert set(TEACHING) <= set(configs)
    layout = load_layout(CONFIGS, configs)
    sections = {section.title: section for section in layout.sections}
    assert "Teaching views" in sections
    section = sections["Teaching views"]
    placed = {cell.config for table in section.tables for row in table.rows
              for cell in row.cells if cell.config}
    assert set(TEACHING) <= placed
    assert section.text  # a paragraph introducing them
    # and the generated README has the section, with every teaching figure under it
    titles = {name: load_config(path).render.title for name, path in configs.items()}
    text = readme_text(layout, titles)
    heading = "## Teaching views"
    assert text.count(heading) == 1
    part = text[text.index(heading):]
    part = part[:part.find("\n## ", 1)] if "\n## " in part[1:] else part
    for name in TEACHING:
        assert re.search(rf'src="{name}\.gif"', part), name
