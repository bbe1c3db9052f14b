"""The raster, read back pixel by pixel: which cells carry the overlay in frame n.

Cells are sampled at their projected centre (``geometry.Geometry``: the reference drawing
facts, independent of the raster), as the majority colour
of a 3x3 neighbourhood; when a connector line runs close to the centre another point well
inside the cell is used instead, and the cell is skipped only if every point is too close.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import teaching as tv
from cases import CASES as SHARED_CASES
from deconv_anim.animation import look_of, prepare, render
from deconv_anim.config import config_from_mapping
from deconv_anim.engine import compute, trace
from deconv_anim.palette import MAX_COLORS, TRANSPARENT
from deconv_anim.report import format_value, summary
from deconv_anim.scene import CellKind
from deconv_anim.themes import THEMES
from geometry import Geometry

THEME = THEMES["classic"]
BG, INPUT, OUTPUT, OVERLAY = THEME.background, THEME.input, THEME.output, THEME.overlay
ALPHA = THEME.overlay_alpha
TOLERANCE = 3  # per channel: the palette lookup works on 5-bit RGB


def mix(a, b, t):
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))


def shade(color):
    return mix(color, OVERLAY, ALPHA)


FADED = mix(BG, INPUT, 0.3)

CASES = {  # the shared ops (tests/cases.py), less one, and more scatter views
    **{name: case for name, case in SHARED_CASES.items() if name != "transposed_dilation"},
    "scatter_gaps": dict(op="transposed", size=2, kernel=2, stride=3, view="scatter"),
    "scatter_outside": dict(op="transposed", size=3, kernel=1, padding=1, view="scatter"),
    "scatter_dense": dict(op="transposed", size=3, kernel=4, view="scatter"),
}
GATHER = [name for name in CASES if "scatter" not in name]
SCATTER = [name for name in CASES if "scatter" in name]


def make(mapping, cell=20, **render):
    config = config_from_mapping({**mapping, **render, "style": {"cell": cell}})
    return prepare(config)


def run(mapping, cell=20, **render):
    """The raster and a copy of every frame's RasterFrame fields."""
    raster = make(mapping, cell, **render)
    frames = [(f.index, f.pixels.copy(), f.box, None if f.changed is None else f.changed.copy())
              for f in raster.frames()]
    return raster, frames


# ------------------------------------------------------------------ sampling


def _clearance(points, lines):
    """Distance of each point (n, 2) to the nearest of ``lines`` (pairs of end points)."""
    points = np.asarray(points, float)
    if not len(lines):
        return np.full(len(points), np.inf)
    a = np.array([p for p, _ in lines], float)[None]  # (1, m, 2)
    d = np.array([q for _, q in lines], float)[None] - a
    rel = points[:, None] - a  # (n, m, 2)
    t = np.clip((rel * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-12), 0, 1)
    return np.linalg.norm(rel - t[..., None] * d, axis=-1).min(1)


def connector_lines(raster, frame):
    """Pixel end points of the four connector lines of a scene frame."""
    scene = raster.scene
    kh, kw = scene.window_extent
    window = Geometry(raster).polygon(scene.grid(frame.window_grid), *frame.window, kh, kw)
    target = Geometry(raster).polygon(scene.grid(frame.target_grid), *frame.target)
    return list(zip(window, target))


def sample(raster, pixels, grid, r, c, lines=()):
    """RGB of cell (r, c) of ``grid`` (a name), or None if connectors cover all of it."""
    g = raster.scene.grid(grid)
    tl, tr, br, bl = Geometry(raster).polygon(g, r, c)
    points = [np.array(Geometry(raster).centre(g, r, c), float) + 0.5]
    for u, v in ((0.3, 0.3), (0.7, 0.7), (0.3, 0.7), (0.7, 0.3), (0.5, 0.3), (0.5, 0.7)):
        top, bottom = tl + (tr - tl) * u, bl + (br - bl) * u
        points.append(top + (bottom - top) * v)
    clear = _clearance(points, lines) > raster.line_width + 3
    for point, ok in zip(points, clear):
        if ok:
            x, y = (int(np.floor(v)) for v in point)
            patch = pixels[y - 1:y + 2, x - 1:x + 2].ravel()
            index = Counter(patch.tolist()).most_common(1)[0][0]
            return tuple(int(v) for v in raster.palette[index])
    return None


def close(got, want, tolerance=TOLERANCE):
    return got is not None and max(abs(a - b) for a, b in zip(got, want)) <= tolerance


def cells_of(grid):
    for (i, j), kind in np.ndenumerate(grid.kinds):
        if kind != CellKind.NONE:
            yield grid.first[0] + i, grid.first[1] + j, kind


BASE_COLOR = {CellKind.INPUT: INPUT, CellKind.PADDING: BG, CellKind.ZERO: BG,
              CellKind.CROPPED: FADED, CellKind.OUTPUT: OUTPUT}


# ------------------------------------------------------------------ gather: every cell


@pytest.mark.parametrize("name", GATHER)
def test_gather_overlay_is_exactly_the_window(name):
    raster, frames = run(CASES[name])
    scene = raster.scene
    assert len(frames) == scene.spec.frames + 1  # the steps, then the held final frame
    checked = skipped = 0
    for frame, (index, pixels, _, _) in zip(scene.frames(), frames[:-1], strict=True):
        assert index == frame.index
        lines = connector_lines(raster, frame)
        window = set(scene.window_cells(frame))
        problems = []

        def check(grid, r, c, want):  # called at once, in this frame's loop
            nonlocal checked, skipped
            got = sample(raster, pixels, grid, r, c, lines)  # noqa: B023
            if got is None:
                skipped += 1
            else:
                checked += 1
                if not close(got, want):
                    problems.append((grid, (r, c), got, want))  # noqa: B023

        for r, c, kind in cells_of(scene.input):
            check("input", r, c, shade(BASE_COLOR[kind]) if (r, c) in window
                  else BASE_COLOR[kind])
        for r in range(scene.output.rows):
            for c in range(scene.output.cols):
                check("output", r, c, shade(OUTPUT) if (r, c) == frame.target else OUTPUT)
        assert not problems, f"frame {index}: {problems}"
    assert skipped <= checked // 20
    # the held clean final frame: no window, no highlight (fails before the final frame: the
    # last frame showed the last step's window)
    index, pixels, _, _ = frames[-1]
    assert index == scene.spec.frames
    problems = [(grid, (r, c), got) for grid, r, c, want in
                [("input", r, c, BASE_COLOR[kind]) for r, c, kind in cells_of(scene.input)]
                + [("output", r, c, OUTPUT) for r in range(scene.output.rows)
                   for c in range(scene.output.cols)]
                if not close(got := sample(raster, pixels, grid, r, c), want)]
    assert not problems, problems
    assert (pixels != frames[-2][1]).any()  # the last step's window and highlight are gone


def test_conv_stride_padding_frame_4_by_hand():
    raster, frames = run(CASES["conv_stride_pad"])
    pixels = frames[4][1]
    frame = list(raster.scene.frames())[4]
    lines = connector_lines(raster, frame)

    def at(grid, r, c):
        return sample(raster, pixels, grid, r, c, lines)

    # padded grid 7x7: the window's top-left is (2, 2), the input cell (1, 1)
    for r in (2, 3, 4):
        for c in (2, 3, 4):
            assert close(at("input", r, c), shade(INPUT)), (r, c)
    assert close(at("input", 1, 1), INPUT)
    assert close(at("input", 5, 5), INPUT)
    assert close(at("input", 2, 5), INPUT)
    assert close(at("input", 0, 0), BG)
    assert close(at("output", 1, 1), shade(OUTPUT))
    assert close(at("output", 0, 0), OUTPUT)
    assert close(at("output", 2, 2), OUTPUT)


def test_transposed_frame_0_by_hand():
    raster, frames = run(CASES["transposed"])
    pixels = frames[0][1]
    lines = connector_lines(raster, next(iter(raster.scene.frames())))

    def at(grid, r, c):
        return sample(raster, pixels, grid, r, c, lines)

    # the window covers grid rows/columns 0..2; the real input cells are at 1, 3, 5
    assert close(at("input", 1, 1), shade(INPUT))
    for r, c in ((0, 0), (0, 1), (0, 2), (1, 0), (2, 2), (1, 2)):
        assert close(at("input", r, c), shade(BG)), (r, c)
    assert close(at("input", 1, 3), INPUT)
    assert close(at("input", 3, 3), INPUT)
    assert close(at("input", 3, 2), BG)
    assert close(at("input", 6, 6), BG)
    assert close(at("output", 0, 0), shade(OUTPUT))
    assert close(at("output", 4, 4), OUTPUT)


def test_dilation_leaves_the_gaps_unshaded():
    raster, frames = run(CASES["conv_dilation"])
    pixels = frames[0][1]
    lines = connector_lines(raster, next(iter(raster.scene.frames())))
    for r in range(5):
        for c in range(5):
            want = shade(INPUT) if r % 2 == 0 and c % 2 == 0 else INPUT
            assert close(sample(raster, pixels, "input", r, c, lines), want), (r, c)


def test_cropped_cells_are_faded_and_outside_the_frame_grid():
    raster, frames = run(CASES["cropped"])
    grid = raster.scene.input
    frame_poly = Geometry(raster).polygon(grid, 0, 0, grid.rows, grid.cols)

    def inside(point):
        edges = zip(frame_poly, np.roll(frame_poly, -1, 0))
        signs = [(b - a)[0] * (point - a)[1] - (b - a)[1] * (point - a)[0] for a, b in edges]
        return all(s > 0 for s in signs) or all(s < 0 for s in signs)

    cropped = [(r, c) for r, c, kind in cells_of(grid) if kind == CellKind.CROPPED]
    assert len(cropped) == 12
    for r, c in cropped:
        assert not inside(np.array(Geometry(raster).centre(grid, r, c), float))
    for r, c, kind in cells_of(grid):
        if kind == CellKind.INPUT:
            assert inside(np.array(Geometry(raster).centre(grid, r, c), float))
    for frame, (_, pixels, _, _) in zip(raster.scene.frames(), frames):
        lines = connector_lines(raster, frame)
        seen = [sample(raster, pixels, "input", r, c, lines) for r, c in cropped]
        assert all(close(got, FADED) for got in seen if got is not None), seen
        assert sum(got is not None for got in seen) >= 10


# ------------------------------------------------------------------ scatter


def stamp_counts(scene):
    """Cumulative stamp counts after each frame, from the trace's taps."""
    counts = np.zeros(scene.spec.output_size, int)
    for frame in scene.frames():
        taps = frame.step.taps
        np.add.at(counts, (taps[:, 4], taps[:, 5]), 1)
        yield frame, counts.copy()


def with_holes(names):
    """Regression: repainting changed output cells once erased cells further away."""
    return list(names)


@pytest.mark.parametrize("name", with_holes(SCATTER))
def test_scatter_stamps_and_tints(name):
    raster, frames = run(CASES[name])
    scene = raster.scene
    assert scene.view == "scatter"
    rows, cols = scene.spec.input_size
    assert len(frames) - 1 == scene.spec.frames == rows * cols  # and the final frame
    out = scene.output
    plain: dict[int, set] = {}  # count -> colours of unshaded output cells
    shaded = []  # (count, colour, frame, cell) of output cells under the stamp
    for (frame, counts), (index, pixels, _, _) in zip(stamp_counts(scene), frames[:-1],
                                                      strict=True):
        assert index == frame.index
        lines = connector_lines(raster, frame)
        stamp = set(scene.window_cells(frame))
        for r in range(scene.input.rows):
            for c in range(scene.input.cols):
                want = shade(INPUT) if (r, c) == frame.target else INPUT
                got = sample(raster, pixels, "input", r, c, lines)
                assert got is None or close(got, want), (index, (r, c), got, want)
        for r in range(out.rows):
            for c in range(out.cols):
                got = sample(raster, pixels, "output", r, c, lines)
                if got is None:
                    continue
                count = int(counts[r, c])
                if (r, c) in stamp:
                    assert count > 0
                    shaded.append((count, got, index, (r, c)))
                else:
                    plain.setdefault(count, set()).add(got)
    final = list(stamp_counts(scene))[-1][1]
    top = int(final.max())
    # one colour per count (within the tolerance)
    tint = {}
    for count, colors in plain.items():
        first = next(iter(colors))
        assert all(close(c, first) for c in colors), (count, colors)
        tint[count] = first
    assert close(tint[0], BG)  # untouched cells are background
    if top in tint:
        assert close(tint[top], OUTPUT)  # the most stamped cells are the output colour
    # more stamps, a deeper tint: strictly further from the background
    # (past 8 counts, counts share tints in equal bins: strictly deeper from bin to bin)
    classes = raster.timeline.tints.classes

    def bin_of(n):
        return -1 if n == 0 else next(i for i, (lo, hi) in enumerate(classes) if lo <= n <= hi)

    order = sorted(tint)
    distance = [sum(abs(a - b) for a, b in zip(tint[n], BG)) for n in order]
    assert distance == sorted(distance), tint
    assert len(set(distance)) == len({bin_of(n) for n in order}), (tint, classes)
    for count, got, index, cell in shaded:  # the stamp is an outline: the tint shows as is
        if count in tint:
            assert close(got, tint[count]), (index, cell, count, got)
        else:
            assert not close(got, shade(BG)) and not close(got, BG), (index, cell, got)


@pytest.mark.parametrize("name", with_holes(SCATTER))
def test_scatter_touched_cells_stay_tinted(name):
    """Once stamped, an output cell is never background again, in any frame."""
    raster, frames = run(CASES[name])
    wrong = []
    for (frame, counts), (_, pixels, _, _) in zip(stamp_counts(raster.scene), frames):
        lines = connector_lines(raster, frame)
        for r, c in zip(*np.nonzero(counts)):
            got = sample(raster, pixels, "output", int(r), int(c), lines)
            if got is not None and close(got, BG):
                wrong.append((frame.index, (int(r), int(c))))
    assert not wrong, f"(frame, cell) back to background: {wrong}"


@pytest.mark.parametrize("name", with_holes(SCATTER))
def test_scatter_last_frame_tints_every_touched_cell(name):
    raster, frames = run(CASES[name])
    scene = raster.scene
    final = list(stamp_counts(scene))[-1][1]
    pixels = frames[-1][1]
    lines = connector_lines(raster, list(scene.frames())[-1])
    stamp = set(scene.window_cells(list(scene.frames())[-1]))
    for r in range(scene.output.rows):
        for c in range(scene.output.cols):
            got = sample(raster, pixels, "output", r, c, lines)
            if got is None:
                continue
            if final[r, c] == 0:
                assert close(got, BG), (r, c, got)
            else:
                assert not close(got, BG) and not close(got, shade(BG)), (r, c, got)
                if (r, c) not in stamp:
                    assert got != INPUT
    if name != "scatter_gaps":
        assert (final > 0).all()  # the stamps cover the output
    else:
        assert (final[2] == 0).all() and (final[:, 2] == 0).all()


def test_scatter_by_hand():
    # size 2, k 3, s 2 -> 5x5; frame 1 stamps rows 0..2, columns 2..4
    raster, frames = run(CASES["scatter"])
    frame = list(raster.scene.frames())[1]
    pixels = frames[1][1]
    lines = connector_lines(raster, frame)

    def at(grid, r, c):
        return sample(raster, pixels, grid, r, c, lines)

    assert close(at("input", 0, 1), shade(INPUT))
    assert close(at("input", 0, 0), INPUT)
    assert close(at("input", 1, 1), INPUT)
    for r, c in ((3, 0), (3, 3), (4, 4), (4, 0)):
        assert close(at("output", r, c), BG), (r, c)  # untouched so far
    # (0, 0) got one stamp and is not under the current one
    one = at("output", 0, 0)
    assert not close(one, BG) and not close(one, OUTPUT)
    # (0, 3): one stamp, the current one; (0, 2): two stamps (frames 0 and 1), deeper
    assert close(at("output", 0, 3), one)  # the stamp is outlined, not shaded
    two = at("output", 0, 2)
    assert not close(two, one) and not close(two, BG)
    # in the last frame the centre (4 stamps) is the output colour under the stamp
    last = frames[-1][1]
    lines = connector_lines(raster, list(raster.scene.frames())[-1])
    assert close(sample(raster, last, "output", 2, 2, lines), OUTPUT)
    assert close(sample(raster, last, "output", 0, 0, lines), one)


# ------------------------------------------------------------------ frames and boxes


@pytest.mark.parametrize("name", ["conv_stride_pad", "cropped", "scatter_pad"])
def test_boxes_hold_every_change(name):
    raster, frames = run(CASES[name], cell=16)
    w, h = raster.size
    index, first, box, changed = frames[0]
    assert index == 0 and box == (0, 0, w, h) and changed is None
    assert first.shape == (h, w)
    previous = first
    for index, pixels, (x0, y0, x1, y1), changed in frames[1:]:
        diff = pixels != previous
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        outside = diff.copy()
        outside[y0:y1, x0:x1] = False
        assert not outside.any(), f"frame {index}: changes outside the box"
        assert changed.shape == (y1 - y0, x1 - x0)
        np.testing.assert_array_equal(changed, diff[y0:y1, x0:x1])
        previous = pixels
    assert [f[0] for f in frames] == list(range(len(frames)))


@pytest.mark.parametrize("name", ["conv_dilation", "scatter"])
def test_indices_stay_in_the_gif_palette(name):
    raster, frames = run(CASES[name], cell=16)
    assert raster.palette.shape == (256, 3) and raster.palette.dtype == np.uint8
    for _, pixels, _, _ in frames:
        assert pixels.max() < MAX_COLORS
        assert not (pixels == TRANSPARENT).any()  # the transparency slot stays free
    colors = {tuple(int(v) for v in p) for p in raster.palette[:MAX_COLORS]}
    for flat in (BG, INPUT, OUTPUT, shade(INPUT), shade(OUTPUT), shade(BG), THEME.line):
        assert flat in colors


@pytest.mark.parametrize("name", ["transposed", "scatter_dense", "scatter"])
def test_flat_colors_survive_sub_level_rounding(name):
    """Compositing leaves flat fills up to half a level off; they must keep their colour
    (a stamp over a count-3 tint once came out 7 levels off: (94, 151, 151) for
    (87, 145, 146), the next 5-bit bucket's nearest entry)."""
    raster, frames = run(CASES[name], cell=16)
    flats = [BG, INPUT, OUTPUT, FADED]
    if raster.scene.view == "scatter":  # the tints, read off the last frame
        final = list(stamp_counts(raster.scene))[-1][1]
        last = list(raster.scene.frames())[-1]
        lines = connector_lines(raster, last)
        stamp = set(raster.scene.window_cells(last))
        for r, c in zip(*np.nonzero(final)):
            if (r, c) in stamp:
                continue
            got = sample(raster, frames[-1][1], "output", int(r), int(c), lines)
            if got is not None and got not in flats:
                flats.append(got)
    flats = [*flats, *(shade(c) for c in flats), THEME.line]
    for color in flats:
        for delta in itertools.product((-0.6, 0.0, 0.6), repeat=3):
            index = raster.quantize(np.array(color, np.float32) + np.array(delta, np.float32))
            got = tuple(int(v) for v in raster.palette[index])
            assert close(got, color), (color, delta, got)


@pytest.mark.parametrize("name", [
    "conv_stride_pad", "transposed", "cropped", "scatter",
    "scatter_pad", "scatter_dense"])
def test_nothing_touches_the_canvas_edge(name):
    raster, frames = run(CASES[name], cell=20)
    touching = set()
    for index, pixels, _, _ in frames:
        rgb = raster.palette[pixels]
        for side, strip in (("left", rgb[:, :2]), ("right", rgb[:, -2:]), ("top", rgb[:2]),
                            ("bottom", rgb[-2:])):
            if (strip != BG).any():
                touching.add((side, index))
    assert not touching, sorted(touching)


def test_frames_are_repeatable():
    raster = make(CASES["transposed"], cell=16)
    once = [f.pixels.copy() for f in raster.frames()]
    again = [f.pixels.copy() for f in raster.frames()]
    assert len(once) == len(again) == 26  # 25 steps and the final frame
    for a, b in zip(once, again):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ geometry in pixels


def test_cell_center_steps_follow_the_projection():
    raster = make(CASES["conv_stride_pad"], cell=20)
    grid = raster.scene.input
    c00 = np.array(raster.cell_center(grid, 0, 0))
    # columns: right and up (1 : 0.5); rows: right and down (page y up, pixels y down)
    np.testing.assert_allclose(np.array(raster.cell_center(grid, 0, 2)) - c00, [40, -20],
                               atol=1)
    np.testing.assert_allclose(np.array(raster.cell_center(grid, 2, 0)) - c00, [28, 26],
                               atol=1)
    xs = [raster.cell_center(grid, r, c)[0] for r in range(7) for c in range(7)]
    assert min(xs) == c00[0]  # [0, 0] is the leftmost cell
    assert raster.cell_center("input", 3, 4) == raster.cell_center(grid, 3, 4)


@pytest.mark.parametrize("name", ["conv_stride_pad", "cropped", "scatter"])
def test_flat_layout_puts_the_output_to_the_right(name):
    raster, frames = run(CASES[name], cell=16, layout="flat")
    scene = raster.scene
    geo = Geometry(raster)
    in_x = [geo.centre(scene.input, r, c)[0] for r, c, _ in cells_of(scene.input)]
    out = scene.output
    out_x = [geo.centre(out, r, c)[0] for r in range(out.rows) for c in range(out.cols)]
    assert min(out_x) > max(in_x)
    # the flat figure still shades the window
    frame = next(iter(scene.frames()))
    lines = connector_lines(raster, frame)
    got = sample(raster, frames[0][1], frame.window_grid, *frame.window, lines)
    assert got is not None and not close(got, INPUT) and not close(got, OUTPUT)
    target = sample(raster, frames[0][1], frame.target_grid, *frame.target, lines)
    assert close(target, shade(INPUT if scene.view == "scatter" else OUTPUT))


def test_oblique_output_above_input_in_pixels():
    raster = make(CASES["conv_stride_pad"], cell=16)
    scene = raster.scene
    in_y = [Geometry(raster).centre(scene.input, r, c)[1] for r, c, _ in cells_of(scene.input)]
    out_y = [Geometry(raster).centre(scene.output, r, c)[1] for r in range(3) for c in range(3)]
    assert max(out_y) < min(in_y)  # pixel y grows downwards


def test_cell_size_scales_the_canvas():
    small = make(CASES["conv_stride_pad"], cell=16, title="").size  # no caption
    large = make(CASES["conv_stride_pad"], cell=32, title="").size
    assert abs(large[0] - 2 * small[0]) <= 6 and abs(large[1] - 2 * small[1]) <= 6


def test_title_adds_a_caption_band():
    plain = make(CASES["conv_stride_pad"], cell=16, title="")  # an empty title: no caption
    titled = make(CASES["conv_stride_pad"], cell=16, title="Padding, strides")
    assert titled.size[0] == plain.size[0]
    assert titled.size[1] > plain.size[1]
    assert titled.figure_height == plain.size[1]
    pixels = next(iter(titled.frames())).pixels
    band = titled.palette[pixels[plain.size[1]:]]
    ink = np.abs(band.astype(int) - np.array(BG)).sum(-1) > 100
    assert ink.sum() > 20  # the caption's text is drawn below the figure
    # the caption never changes between frames
    frames = [f.pixels[plain.size[1]:].copy() for f in titled.frames()]
    assert all((f == frames[0]).all() for f in frames)










# ---- pixels of the teaching views (numbers, tints, overlap map, max pool, labels, themes)


@pytest.mark.parametrize("name", ["conv", "transposed", "maxpool", "avgpool_exclude_pad"])
def test_pixels_gather_numbers(name):
    raster = tv.numbers_raster(tv.NUMBERS[name])
    assert raster.scene.layout == "flat"  # the default with values
    frames = tv.run(raster)
    problems = []
    for frame, pixels in zip(raster.scene.frames(), frames, strict=True):
        problems += tv.gather_numbers_problems(raster, pixels, frame)
    assert not problems, problems
    # the input cells keep their colour under the numbers (outside the window)
    frame = next(iter(raster.scene.frames()))
    window = set(raster.scene.window_cells(frame))
    lines = tv.connector_lines(raster, frame)
    grid = raster.scene.input
    for (i, j), kind in np.ndenumerate(grid.kinds):
        r, c = grid.first[0] + i, grid.first[1] + j
        if kind == CellKind.INPUT and (r, c) not in window:
            got = tv.sample(raster, frames[0], "input", r, c, lines, where=tv.OFF_CENTRE)
            assert got is None or tv.close(got, tv.INPUT), ((r, c), got)


def test_pixels_gather_numbers_draw_text_in_computed_cells():
    raster = tv.numbers_raster(tv.NUMBERS["conv"])
    frames = tv.run(raster)
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


@pytest.mark.parametrize("name", ["scatter", "scatter_pad", "scatter_gaps"])
def test_pixels_scatter_tints_grow_with_stamp_counts(name):
    raster = tv.numbers_raster(tv.SCATTER[name])
    spec = raster.scene.spec
    frames = tv.run(raster)
    colors: dict[int, list] = {}
    problems = []
    all_counts = list(tv.cumulative_counts(spec))
    for frame, pixels, counts in zip(raster.scene.frames(), frames, all_counts, strict=True):
        problems += tv.scatter_problems(raster, pixels, frame, counts, colors)
    assert not problems, problems
    final = all_counts[-1]
    np.testing.assert_array_equal(final, tv.stamp_counts(spec))
    tint = tv.check_tints(colors, int(final.max()))
    # under the current stamp: the tint of the count it brings (the stamp is an outline)
    for frame, pixels, counts in zip(raster.scene.frames(), frames, all_counts):
        lines = tv.connector_lines(raster, frame)
        for r, c in raster.scene.window_cells(frame):
            if not (0 <= r < spec.output_size[0] and 0 <= c < spec.output_size[1]):
                continue
            n = int(counts[r, c])
            got = tv.sample(raster, pixels, "output", r, c, lines, where=tv.OFF_CENTRE)
            if got is not None and n in tint:
                assert tv.close(got, tint[n]), (frame.index, (r, c), n, got)


@pytest.mark.parametrize("name", list(tv.OVERLAP))
def test_stamp_counts_follow_the_index_law(name):
    raster = tv.make({**tv.OVERLAP[name], "overlap": True})
    spec = raster.scene.spec
    np.testing.assert_array_equal(raster.timeline.counts, tv.stamp_counts(spec))
    # and the engine's trace agrees: one tap per stamp landing in the output
    total = np.zeros(spec.output_size, int)
    for step in trace(spec, "scatter"):
        np.add.at(total, (step.taps[:, 4], step.taps[:, 5]), 1)
    np.testing.assert_array_equal(total, tv.stamp_counts(spec))


@pytest.mark.parametrize("name", ["k3s2", "rect", "cropped"])
@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_overlap_map(name, layout):
    raster = tv.make({**tv.OVERLAP[name], "overlap": True, "layout": layout})
    spec = raster.scene.spec
    counts = tv.stamp_counts(spec)
    frames = tv.run(raster)
    scene_frames = list(raster.scene.frames())
    # the map is there from the first frame and stays
    for k in (0, len(frames) // 2, len(frames) - 1):
        seen = tv.overlap_tints(raster, frames[k], scene_frames[k], counts)
        tv.assert_overlap_map(seen, int(counts.max()))
    tint = tv.assert_overlap_map(tv.overlap_tints(raster, frames[0], scene_frames[0], counts),
                              int(counts.max()))
    # the legend: a strip below the figure holding a swatch of every tint on the map
    strip = {tuple(int(v) for v in p)
             for p in raster.palette[frames[0][raster.figure_height:]].reshape(-1, 3)}
    for n, color in tint.items():
        assert any(tv.close(color, s, 1) for s in strip), (n, color)
    # without overlap: plain output cells, no legend, a shorter canvas
    plain = tv.make({**tv.OVERLAP[name], "layout": layout})
    assert plain.size[1] < raster.size[1]
    seen = tv.overlap_tints(plain, tv.run(plain)[0], next(iter(plain.scene.frames())), counts)
    assert all(tv.close(c, tv.OUTPUT) for colors in seen.values() for c in colors)


def test_pixels_overlap_map_with_numbers_fills_in_the_tints():
    raster = tv.numbers_raster(tv.OVERLAP["k3s2"], overlap=True)
    spec = raster.scene.spec
    counts = tv.stamp_counts(spec)
    frames = tv.run(raster)
    last_frame = list(raster.scene.frames())[-1]
    seen = tv.overlap_tints(raster, frames[-1], last_frame, counts, tv.OFF_CENTRE)
    tv.assert_overlap_map(seen, int(counts.max()))
    first = tv.overlap_tints(raster, frames[0], next(iter(raster.scene.frames())), counts,
                          tv.OFF_CENTRE)
    pale = tv.mix(tv.BG, tv.OUTPUT, 0.25)
    assert all(tv.close(c, pale) for colors in first.values() for c in colors)
    np.testing.assert_array_equal(tv.replay(raster)[-1][1], tv.fmt(compute(spec)))


@pytest.mark.parametrize("view", ["gather", "scatter"])
def test_pixels_overlap_map_beyond_eight_stamps(view):
    raster = tv.make(dict(op="transposed", size=4, kernel=4, overlap=True, layout="flat",
                       view=view))
    counts = tv.stamp_counts(raster.scene.spec)
    assert counts.max() == 16
    frames = tv.run(raster)
    last = list(raster.scene.frames())[-1]
    seen = tv.overlap_tints(raster, frames[-1], last, counts)
    # more than 8 counts share 8 tints (equal bins of counts): never lighter for more
    # stamps, 8 distinct tints, each a mix of background and output colour, the top one
    # the output colour
    bg, fg = np.array(tv.BG, float), np.array(tv.OUTPUT, float)
    tint = {n: colors[0] for n, colors in seen.items()}
    far = [tv.distance(tint[n], tv.BG) for n in sorted(tint)]
    assert far == sorted(far), tint
    classes = raster.timeline.tints.classes
    assert len(classes) == 8
    hit = {next(i for i, (lo, hi) in enumerate(classes) if lo <= n <= hi) for n in tint}
    assert len({tuple(c) for c in tint.values()}) == len(hit), (tint, classes)
    if 16 in tint:
        assert tv.close(tint[16], tv.OUTPUT)
    for n, color in tint.items():
        t = np.clip(np.dot(np.array(color) - bg, fg - bg) / np.dot(fg - bg, fg - bg), 0, 1)
        assert np.abs(bg + t * (fg - bg) - np.array(color)).max() <= 4, (n, color)


@pytest.mark.parametrize("name", ["maxpool", "maxpool_pad"])
def test_pixels_maxpool_outlines_the_maximum(name):
    raster = tv.numbers_raster(tv.NUMBERS[name], cell=20)
    spec = raster.scene.spec
    g = spec.gather
    accent = raster.theme.accent
    frames = tv.run(raster)
    pad = raster.line_width * 2.2 + 2
    for frame, pixels in zip(raster.scene.frames(), frames, strict=True):
        mask = tv.accent_mask(raster, pixels, accent)
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
        raster = tv.make(mapping)
        for pixels in tv.run(raster):
            assert not tv.accent_mask(raster, pixels, raster.theme.accent).any(), mapping


def test_pixels_labels():
    mapping = dict(op="transposed", size=3, kernel=3, stride=2, padding=1)
    plain = tv.make(mapping, title="")  # (no title would caption it with its summary)
    labelled = tv.make(mapping, labels=True, title="")
    spec = labelled.scene.spec
    assert labelled.size[1] > plain.size[1]
    assert labelled.size[0] >= plain.size[0]
    # labels annotate the grids (name and shape next to each), not a summary line
    assert summary(spec) not in " ".join(labelled.layout.static_lines)
    assert summary(spec) not in " ".join(plain.layout.static_lines)
    assert sorted(t.text for t in labelled.layout.notes.texts) == [
        "input 3x3, spread 2, padding 1", "kernel 3x3, stride 2", "output 5x5"]
    assert not plain.layout.notes
    frames = list(labelled.scene.frames())
    for frame in frames:
        r, c = frame.step.cell
        assert tv.caption_text(labelled, frame) == f"step {frame.index + 1}/{len(frames)}: " \
                                                f"out[{r}, {c}]"
    # the text is drawn: ink below the figure, and the caption changes with the step
    pixels = tv.run(labelled)
    band = labelled.palette[pixels[0][labelled.figure_height:]]
    assert (np.abs(band.astype(int) - np.array(tv.BG)).sum(-1) > 100).sum() > 50
    assert not (pixels[0][labelled.figure_height:] == pixels[1][labelled.figure_height:]).all()


def test_labels_and_values_together():
    raster = tv.numbers_raster(tv.NUMBERS["conv"], labels=True)
    spec = raster.scene.spec
    out = compute(spec)
    assert summary(spec) in " ".join(raster.layout.static_lines)
    n = len(raster.scene)
    for frame in raster.scene.frames():
        text = tv.caption_text(raster, frame)
        r, c = frame.step.cell
        assert text.startswith(f"step {frame.index + 1}/{n}: out[{r}, {c}] = ")
        assert text.endswith(f" = {format_value(out[r, c])}")
    scatter = tv.numbers_raster(tv.SCATTER["scatter"], labels=True)
    frame = next(iter(scatter.scene.frames()))
    assert tv.caption_text(scatter, frame).startswith("step 1/4: x[0, 0] = ")


@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_dark_theme(layout):
    dark = THEMES["dark"]
    assert dark.background == (0, 43, 54)
    raster = tv.make(dict(op="conv", size=5, kernel=3, stride=2, padding=1,
                       style={"theme": "dark"}), layout=layout)
    frames = tv.run(raster)
    w, h = raster.size
    for pixels in (frames[0], frames[-1]):
        rgb = raster.palette[pixels]
        for x, y in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
            assert tuple(int(v) for v in rgb[y, x]) == (0, 43, 54)
    frame = list(raster.scene.frames())[-1]
    cells = tv.plain_cells(raster, frames[-1], frame)
    assert len(cells["input"]) >= 10 and len(cells["output"]) >= 6
    assert all(tv.close(c, dark.input) for c in cells["input"]), cells["input"]
    assert all(tv.close(c, dark.output) for c in cells["output"]), cells["output"]
    # the current output cell carries the dark theme's (light) overlay
    got = tv.sample(raster, frames[-1], "output", *frame.target, tv.connector_lines(raster, frame))
    assert tv.close(got, tv.shade(dark.output, dark))


@pytest.mark.parametrize("layout", ["oblique", "flat"])
def test_pixels_colorblind_theme(layout):
    raster = tv.make(dict(op="conv", size=5, kernel=3, stride=2, padding=1,
                       style={"theme": "colorblind"}), layout=layout)
    frames = tv.run(raster)
    for k in (0, len(frames) - 1):
        frame = list(raster.scene.frames())[k]
        cells = tv.plain_cells(raster, frames[k], frame)
        assert len(cells["input"]) >= 10 and len(cells["output"]) >= 6
        assert all(tv.close(c, (86, 180, 233)) for c in cells["input"]), cells["input"]
        assert all(tv.close(c, (230, 159, 0)) for c in cells["output"]), cells["output"]
    assert tuple(int(v) for v in raster.palette[frames[0][0, 0]]) == (255, 255, 255)


def test_pixels_colorblind_overlap_and_scatter_tints_use_its_output():
    theme = THEMES["colorblind"]
    raster = tv.make({**tv.OVERLAP["k3s2"], "overlap": True, "style": {"theme": "colorblind"}})
    counts = tv.stamp_counts(raster.scene.spec)
    frames = tv.run(raster)
    seen = tv.overlap_tints(raster, frames[0], next(iter(raster.scene.frames())), counts)
    tv.assert_overlap_map(seen, int(counts.max()), theme)


def test_pixels_colour_overrides():
    style = {"theme": "classic", "input_color": "#ff0000", "output_color": [0, 0, 255],
             "background": "#eee"}
    raster = tv.make(dict(op="conv", size=5, kernel=3, stride=2, style=style))
    assert raster.theme.input == (255, 0, 0) and raster.theme.output == (0, 0, 255)
    assert raster.theme.background == (238, 238, 238)
    assert raster.theme.line == tv.THEME.line  # the rest from the theme
    frames = tv.run(raster)
    frame = list(raster.scene.frames())[-1]
    cells = tv.plain_cells(raster, frames[-1], frame)
    assert cells["input"] and all(tv.close(c, (255, 0, 0)) for c in cells["input"])
    assert cells["output"] and all(tv.close(c, (0, 0, 255)) for c in cells["output"])
    assert tuple(int(v) for v in raster.palette[frames[0][0, 0]]) == (238, 238, 238)


def test_transparent_background_is_accepted_and_written(tmp_path):
    config = config_from_mapping({"op": "conv", "size": 3, "kernel": 2,
                                  "style": {"cell": 16, "background": "transparent"}})
    assert config.render.style.transparent
    look = look_of(config)
    assert look.transparent and look.theme.background == tv.THEME.background
    assert "background" not in config.render.style.colors()
    result = render(config, tmp_path / "t.gif")
    with Image.open(result.path) as image:
        assert "transparency" in image.info
        assert image.n_frames == config.spec.frames + 1  # and the final frame


# ------------------------------------------------------------------ time: tween, final frame


@pytest.mark.parametrize("name", ["conv_stride_pad", "transposed"])
def test_tween_highlight_jumps_and_the_window_eases(name):
    """--tween: the highlighted output cell is never drawn between cells: in every
    in-between frame exactly the step's own target is shaded; the window moves
    monotonically, eased, from the step to the next (used to slide the highlight half-way)."""
    from deconv_anim.timeline import tween_positions

    tween = 3
    raster = make(CASES[name])
    scene = raster.scene
    steps = list(scene.frames())
    frames = [(f.step, f.phase, f.pixels.copy()) for f in raster.frames(tween=tween)]
    assert len(frames) == (len(steps) - 1) * (tween + 1) + 2
    assert frames[-1][0] == len(steps)  # the final frame: not a step
    moves = tween_positions(tween)
    assert all(0 < a < b < 1 for a, b in itertools.pairwise(moves))  # every in-between moves
    geo = Geometry(raster)
    kh, kw = scene.window_extent
    checked = 0
    for step, phase, pixels in frames[:-1]:
        now = steps[step]
        if phase:
            nxt = steps[step + 1]
            t = moves[round(phase * (tween + 1)) - 1]
            window = tuple(a + (b - a) * t for a, b in zip(now.window, nxt.window))
        else:
            window = now.window
        poly = geo.polygon(scene.grid(now.window_grid), *window, kh, kw)
        lines = list(zip(poly, geo.polygon(scene.grid(now.target_grid), *now.target)))
        for r in range(scene.output.rows):
            for c in range(scene.output.cols):
                got = sample(raster, pixels, "output", r, c, lines)
                if got is None:
                    continue
                checked += 1
                want = shade(OUTPUT) if (r, c) == now.target else OUTPUT
                assert close(got, want), (step, phase, (r, c), got)
    assert checked > len(frames) * 2


def test_tween_holds_each_step_for_half_its_time():
    """The step's own frame lasts the first half of the step; the in-between frames share
    the other half (before: every frame 250 ms with --tween 3)."""
    from deconv_anim.encode import Timing

    durations = Timing(1000, 0, 3).durations(3)
    assert durations == [500, 166, 167, 167] * 2 + [1000, 1000]
    assert Timing(1000, 0, 3).frame_count(3) == len(durations)


@settings(max_examples=200, deadline=None)
@given(duration=st.integers(20, 60_000), hold=st.integers(0, 600_000),
       tween=st.integers(0, 60), steps=st.integers(1, 40))
def test_frame_durations_add_up_and_rest_on_each_step(duration, hold, tween, steps):
    """Against the rule written out again: each step lasts duration (its own frame at least
    half of it, its in-between frames alike to within 1 ms), then the final frame."""
    from deconv_anim.encode import Timing

    got = Timing(duration, hold, tween).durations(steps)
    per = tween + 1
    assert len(got) == (steps - 1) * per + 2
    for i in range(steps - 1):
        own, *between = got[i * per:(i + 1) * per]
        assert own + sum(between) == duration and own >= duration - own
        if between:
            assert max(between) - min(between) <= 1
    assert got[-2] == duration and got[-1] == (hold or duration)


@pytest.mark.parametrize("mapping", [
    dict(op="conv", size=4, kernel=3),
    dict(op="transposed", size=2, kernel=3, stride=2, view="scatter", values=True),
    dict(op="transposed", size=2, kernel=3, stride=2, view="both", values=True),
    dict(op="maxpool", size=4, kernel=2, stride=2, values=True),
    dict(op="avgpool", size=4, kernel=2, stride=2, values=True, layout="flat"),
    dict(op="conv", size=[1, 6], kernel=[1, 3], padding=[0, 0, 2, 0]),
    dict(op="conv", size=3, kernel=2, in_channels=2, out_channels=2, values=True),
])
def test_every_view_ends_on_a_clean_final_frame(mapping):
    """After the last step one more frame (not a step): no window, highlight, stamp
    outline, max marker or connector line; the finished output."""
    import deconv_anim as da

    anim = da.animate(mapping, style={"cell": 16})
    raster = make(mapping, cell=16) if not (mapping.get("in_channels") or
                                            mapping.get("view") == "both") else None
    frames = list(anim.frames())
    assert len(frames) == anim.frame_count == anim.step_count + 1
    final, last = frames[-1], frames[-2]
    assert (final != last).any()
    accent = np.array(THEME.accent)
    assert not (np.abs(final[..., :3].astype(int) - accent).sum(-1) <= 6).any()  # no stamp
    if raster is None:
        return
    scene = raster.scene
    *_, final_frame = raster.frames()
    assert final_frame.step == anim.step_count and final_frame.phase == 0
    pixels = final_frame.pixels
    shaded = []  # no cell under a window or highlight
    for grid, cells in (("input", [(r, c) for r, c, kind in cells_of(scene.input)
                                   if kind == CellKind.INPUT]),
                        ("output", [(r, c) for r in range(scene.output.rows)
                                    for c in range(scene.output.cols)])):
        for r, c in cells:
            got = sample(raster, pixels, grid, r, c)
            if got is not None and any(close(got, shade(color)) for color in (INPUT, OUTPUT)):
                shaded.append((grid, r, c))
    assert not shaded, shaded
