"""Tests of panels.py: both views side by side."""

from __future__ import annotations

import numpy as np
from PIL import Image

import teaching as tv
from deconv_anim.animation import prepare, render
from deconv_anim.config import config_from_mapping
from deconv_anim.engine import compute
from deconv_anim.panels import SideBySide

# ---- both views side by side


def test_pixels_both_views_side_by_side(tmp_path):
    mapping = dict(op="transposed", size=2, kernel=3, stride=2, view="both", values=True)
    config = config_from_mapping({**mapping, "style": {"cell": 20}})
    spec = config.spec
    both = prepare(config)
    assert isinstance(both, SideBySide)
    left, right = both.left, both.right
    assert left.scene.view == "gather" and right.scene.view == "scatter"
    title_rows = len(both.title_lines) * left.layout.line_height + left.layout.margin // 2
    assert both.title_lines  # a figure without a title is captioned with its summary
    assert both.size == (left.size[0] + both.gap + right.size[0],
                         max(left.size[1], right.size[1]) + title_rows)
    assert left.size[1] == right.size[1] == both.size[1] - title_rows
    assert both.offsets == ((0, 0), (left.size[0] + both.gap, 0))
    frames = tv.run(both, final=True)
    steps = (spec.steps("gather"), spec.steps("scatter"))
    assert steps == (25, 4)
    assert len(frames) == spec.frames + 1 == max(steps) + 1  # and the held final frame
    # each panel is its own raster's frames on one clock: the scatter panel's step i
    # from clock step floor(i * 25 / 4) on (0, 6, 12, 18), ending with the gather panel
    own_left, own_right = tv.run(left, final=True), tv.run(right, final=True)
    starts = [i * steps[0] // steps[1] for i in range(steps[1])]
    assert starts == [0, 6, 12, 18]

    def shown(k):  # the scatter step on screen at clock step k (its final frame after)
        if k == steps[0]:
            return steps[1]
        return max(i for i, start in enumerate(starts) if start <= k)

    x = both.offsets[1][0]
    top = left.size[1]  # the panels' rows; under them the shared title
    gap = both.palette[frames[0][:top, left.size[0]:x]]
    assert (gap == np.array(tv.BG)).all()
    for k, pixels in enumerate(frames):
        np.testing.assert_array_equal(pixels[:top, :left.size[0]], own_left[k])
        np.testing.assert_array_equal(pixels[:top, x:], own_right[shown(k)])
    # left behaves as the gather view, right as the scatter view, in the combined canvas
    problems = []
    for frame, pixels in zip(left.scene.frames(), frames):
        problems += tv.gather_numbers_problems(left, pixels, frame)
    colors: dict[int, list] = {}
    right_frames = list(right.scene.frames())
    counts = list(tv.cumulative_counts(spec))
    for k, pixels in enumerate(frames[:-1]):
        n = shown(k)
        problems += tv.scatter_problems(right, pixels, right_frames[n], counts[n], colors, dx=x)
    assert not problems, problems
    tint = tv.check_tints(colors, int(counts[-1].max()))
    # the last frame shows both outputs finished: every left cell computed, every right
    # cell tinted by its final count
    last = frames[-1]
    lines = tv.connector_lines(left, list(left.scene.frames())[-1])
    for r in range(spec.output_size[0]):
        for c in range(spec.output_size[1]):
            got = tv.sample(left, last, "output", r, c, lines, where=tv.OFF_CENTRE)
            if (r, c) != (spec.output_size[0] - 1, spec.output_size[1] - 1):
                assert tv.close(got, tv.OUTPUT), ((r, c), got)
    assert set(tint) <= {0, *np.unique(counts[-1]).tolist()} and len(tint) >= 3
    # the file has as many frames as the longer view has steps
    result = render(config, tmp_path / "both.gif")
    assert result.frames == max(steps) + 1  # and the final frame
    with Image.open(result.path) as image:
        assert image.n_frames == max(steps) + 1 and image.size == both.size


def test_both_views_numbers_in_both_panels():
    both = tv.numbers_raster(dict(op="transposed", size=3, kernel=2, stride=2, view="both"))
    tv.run(both, final=True)
    out = tv.fmt(compute(both.left.scene.spec))
    np.testing.assert_array_equal(tv.replay(both.left)[-1][1], out)
    np.testing.assert_array_equal(tv.replay(both.right)[-1][1], out)
    assert "Gather view" in both.left.layout.static_lines
    assert "Scatter view" in both.right.layout.static_lines


def test_both_views_share_one_title_centred_on_the_whole_figure(tmp_path):
    config = config_from_mapping(dict(op="transposed", size=2, kernel=3, stride=2,
                                      view="both", title="One title for both views"))
    both = prepare(config)
    assert both.title == "One title for both views"
    assert both.left.scene.title is None and both.right.scene.title is None
    assert all("One title" not in line for p in (both.left, both.right)
               for line in p.layout.static_lines)
    (text, y), = both.title_lines
    assert text == "One title for both views"
    w, h = both.size
    assert h > both.left.size[1] and both.left.size[1] < y < h
    pixels = tv.run(both, final=True)[0]
    strip = both.palette[pixels[both.left.size[1]:]]
    ink = np.nonzero((np.abs(strip.astype(int) - np.array(tv.BG)).sum(-1) > 100).any(0))[0]
    assert abs((ink.min() + ink.max()) / 2 - w / 2) <= 3  # centred on the whole width
    figure = both.figure
    assert figure.title_lines == both.title_lines and figure.size == both.size
    assert figure.to_dict()["title"]["lines"][0]["text"] == "One title for both views"
    result = render(config, tmp_path / "both.svg")
    assert result.path.read_text().count("One title for both views") == 2  # <title> + text


def test_stacked_panels_are_the_same_panels_one_above_the_other():
    mapping = dict(op="transposed", size=2, kernel=3, stride=2, view="both", values=True,
                   style={"cell": 16})
    side = prepare(config_from_mapping(mapping))
    stacked = prepare(config_from_mapping({**mapping, "arrange": "stacked"}))
    top, bottom = stacked.left, stacked.right
    (tx, ty), (bx, by) = stacked.offsets
    width = max(top.size[0], bottom.size[0])
    assert (ty, by) == (0, top.size[1] + stacked.gap)
    assert (tx, bx) == ((width - top.size[0]) // 2, (width - bottom.size[0]) // 2)
    title_rows = stacked.size[1] - (by + bottom.size[1])
    assert stacked.size[0] == width and title_rows > 0
    # the same panels as side by side (their own frames), placed at their offsets
    own_top, own_bottom = tv.run(top, final=True), tv.run(bottom, final=True)
    frames = tv.run(stacked, final=True)
    assert len(frames) == len(tv.run(side, final=True))
    starts = [i * (len(own_top) - 1) // (len(own_bottom) - 1)
              for i in range(len(own_bottom) - 1)]
    for k, pixels in enumerate(frames):
        shown = (len(own_bottom) - 1 if k == len(frames) - 1 else  # the final frames
                 max(i for i, start in enumerate(starts) if start <= k))
        np.testing.assert_array_equal(pixels[ty:ty + top.size[1], tx:tx + top.size[0]],
                                      own_top[k])
        np.testing.assert_array_equal(pixels[by:by + bottom.size[1], bx:bx + bottom.size[0]],
                                      own_bottom[shown])
    # vector outputs place the panels at the same offsets
    figure = stacked.figure
    assert [(p.x, p.y) for p in figure.panels] == [(tx, ty), (bx, by)]
    from deconv_anim.encode import Timing
    from deconv_anim.player import player_html
    from deconv_anim.svg import svg_figure

    svg = svg_figure(figure, timing=Timing())
    assert f'<svg x="{bx}" y="{by}" ' in svg
    assert f'transform="translate({bx} {by})"' in player_html(figure, Timing())


def test_arrange_is_only_for_view_both():
    import pytest

    from deconv_anim.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^arrange: places the two panels of view: both "
                                          r"\(got view: gather\)$"):
        config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "arrange": "stacked"})
    with pytest.raises(ConfigError, match=r"^arrange: must be one of side, stacked"):
        config_from_mapping({"op": "transposed", "size": 2, "kernel": 3, "view": "both",
                             "arrange": "diagonal"})
