"""The layout: pixel geometry checked against the drawing facts of the reference figures
(../shared/README.md: x' = x - 0.7 y, y' = 0.5 x + 0.65 y, page y up; output grid straight
above the input by the padded input size + 1 cells) and the flat formulas of
docs/architecture.md, computed here independently of the code under test."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cases import CASES
from deconv_anim import make_spec
from deconv_anim.font import text_width
from deconv_anim.layout import CAPTION_LINES, Look, build_layout, side_by_side
from deconv_anim.scene import build_scene
from deconv_anim.themes import THEMES
from deconv_anim.timeline import build_timeline

THEME = THEMES["classic"]


def layout_of(mapping, cell=30, layout="oblique", **aids):
    scene = build_scene(make_spec(**mapping), layout=layout)
    look = Look(THEME, cell=cell, **aids)
    timeline = build_timeline(scene, THEME, **{k: v for k, v in aids.items()
                                               if k in ("numbers", "labels", "overlap")})
    return scene, build_layout(scene, look, timeline)


def unit_vectors(cell, layout):
    """Pixels (y down) of one grid unit along x and along y, each rounded to whole pixels."""
    if layout == "oblique":
        return (round(cell * 1.0), -round(cell * 0.5)), (round(cell * -0.7), -round(cell * 0.65))
    return (cell, 0), (0, -cell)


@pytest.mark.parametrize("cell", [7, 16, 30, 44, 61])
@pytest.mark.parametrize("kind", ["oblique", "flat"])
def test_grid_corners_follow_the_projection(cell, kind):
    scene, layout = layout_of(dict(op="conv", size=5, kernel=3, padding=1), cell, kind)
    ex, ey = unit_vectors(cell, kind)
    assert (layout.ex, layout.ey) == (ex, ey)
    for grid in (scene.input, scene.output):
        origin = np.array(layout.corner(grid.name, grid.rows, 0))  # bottom-left: (x, y) = 0
        for r, c in [(0, 0), (1, 2), (grid.rows - 1, grid.cols - 1)]:
            x, y = c, grid.rows - r  # the top-left corner of matrix cell (r, c)
            want = origin + x * np.array(ex) + y * np.array(ey)
            np.testing.assert_array_equal(layout.corner(grid.name, r, c), want)
            poly = layout.cell_polygon(grid.name, r, c)
            np.testing.assert_array_equal(poly[2] - poly[0], np.array(ex) - np.array(ey))
            assert all(v == int(v) for v in poly.ravel())  # corners on whole pixels


@pytest.mark.parametrize("size", [3, 4, 5, 7])
def test_oblique_output_sits_straight_above_the_input(size):
    scene, layout = layout_of(dict(op="conv", size=size, kernel=3, padding=1), 20)
    lift = scene.input.rows + 1  # the padded input size + 1 cells (square grids)
    dx, dy = np.subtract(layout.origins["output"], layout.origins["input"])
    assert (dx, dy) == (0, -round(20 * lift))


def test_flat_output_sits_right_of_the_input_centred():
    scene, layout = layout_of(dict(op="conv", size=6, kernel=3), 20, "flat")
    rows, cols = scene.input.rows, scene.input.cols
    out_rows = scene.output.rows
    dx, dy = np.subtract(layout.origins["output"], layout.origins["input"])
    assert dx == 20 * (cols + 2)  # two empty cells between the grids
    assert dy == -20 * ((rows - out_rows) // 2)  # bottoms apart by whole cells, centred


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_figure_fits_inside_the_canvas_with_its_margin(name):
    scene, layout = layout_of(CASES[name], 24)
    w, _ = layout.size
    for grid in (scene.input, scene.output):
        r0, c0 = grid.first
        rows, cols = grid.kinds.shape
        poly = layout.cell_polygon(grid.name, r0, c0, rows, cols)
        assert poly[:, 0].min() >= layout.margin - 1 and poly[:, 0].max() <= w - layout.margin + 1
        assert poly[:, 1].min() >= layout.margin - 1
        assert poly[:, 1].max() <= layout.figure_height - layout.margin + 1


def test_text_rows_under_the_figure():
    _scene, layout = layout_of(dict(op="transposed", size=3, kernel=3, stride=2,
                                   view="scatter"), 30, numbers=True, labels=True)
    lh = layout.line_height
    assert layout.static_line_y(0) == layout.figure_height + lh // 2
    assert layout.caption_y == layout.static_line_y(len(layout.static_lines))
    assert layout.legend_y == layout.caption_y + CAPTION_LINES * lh
    assert layout.size[1] >= layout.legend_y + lh // 2
    # the legend: swatches left to right, apart, centred as a row with its label
    boxes = [item.box for item in layout.legend]
    assert all(a[2] < b[0] for a, b in itertools.pairwise(boxes))
    label_left = layout.legend_label_x - text_width(layout.legend_label,
                                                    layout.text_size) / 2
    gap = round(layout.text_size * 0.5)  # (the row is centred with a gap after its end)
    assert abs((label_left + boxes[-1][2] + gap) / 2 - layout.size[0] / 2) < 1
    assert [item.label for item in layout.legend] == ["1", "2", "3", "4"]


def test_captions_fit_in_two_lines_and_keep_their_result():
    _, layout = layout_of(dict(op="conv", size=5, kernel=3), 20, numbers=True)
    room = layout.size[0] - 2 * layout.margin
    long = "out[0, 0] = " + " + ".join(f"{i}*{i + 1}" for i in range(60)) + " = 12345"
    fitted = layout.fit_caption(long)
    lines = fitted.split("\n")
    assert len(lines) <= CAPTION_LINES and fitted.endswith(" ... = 12345")
    assert all(text_width(line, layout.text_size) <= room for line in lines)
    assert layout.fit_caption("out[0, 0] = 1") == "out[0, 0] = 1"


def test_side_by_side_panels_share_a_height():
    _, left = layout_of(dict(op="transposed", size=2, kernel=3), 20)
    _, right = layout_of(dict(op="transposed", size=2, kernel=3, view="scatter"), 20)
    a, b, offsets, size = side_by_side(left, right, 20)
    assert a.size[1] == b.size[1] == size[1] == max(left.size[1], right.size[1])
    assert offsets == (0, left.size[0] + 20) and size[0] == left.size[0] + 20 + right.size[0]


def test_connector_corners():
    oblique, flat = (layout_of(dict(op="conv", size=4, kernel=3), 20, kind)
                     for kind in ("oblique", "flat"))
    assert oblique[1].connector_pairs(oblique[0]) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert flat[1].connector_pairs(flat[0]) == [(1, 0), (2, 3)]  # facing edges


def test_to_dict_is_json_and_places_cells():
    import json

    _, layout = layout_of(dict(op="transposed", size=2, kernel=3, stride=2,
                                   view="scatter"), 24, numbers=True, labels=True)
    data = json.loads(json.dumps(layout.to_dict()))
    ex, ey = np.array(data["ex"]), np.array(data["ey"])
    for grid in ("input", "output"):
        r, c = 1, 1
        corner = np.array(data["origins"][grid]) + c * ex + (data["rows"][grid] - r) * ey
        np.testing.assert_array_equal(corner, layout.corner(grid, r, c))
    assert data["legend"]["items"][0]["label"] == "1" and data["caption"]["lines"] == 2


def test_a_figure_serialises_for_a_player():
    import json

    from deconv_anim.animation import prepare
    from deconv_anim.config import config_from_mapping

    figure = prepare(config_from_mapping({"op": "transposed", "size": 2, "kernel": 3,
                                          "view": "both", "values": True})).figure
    data = json.loads(json.dumps(figure.to_dict()))
    assert [p["view"] for p in data["panels"]] == ["gather", "scatter"]
    left, right = data["panels"]
    assert left["x"] == 0 and right["x"] > left["layout"]["size"][0]
    assert len(left["captions"]) == len(left["timeline"]["steps"]) == 16
    assert right["grids"]["input"]["kinds"] == [[1, 1], [1, 1]]
    assert data["theme"]["text"] == list(figure.look.theme.text_color)


@pytest.mark.parametrize("layout", ["flat", "oblique"])
def test_one_d_output_sits_over_its_input(layout):
    """A 1-D op (causal: padding 2 on the left): out[t] is drawn right over x[t] (the
    padded cell t + 2), one row up, so the window visibly looks back; in the flat layout
    the output row is above the input, not beside it after an empty gap."""
    from deconv_anim.animation import prepare
    from deconv_anim.config import config_from_mapping

    raster = prepare(config_from_mapping({"op": "conv", "size": [1, 8], "kernel": [1, 3],
                                          "padding": [0, 0, 2, 0], "layout": layout}))
    lay = raster.layout
    ey = np.array(lay.ey)
    for t in range(8):
        up = lay.cell_centre("output", 0, t) - lay.cell_centre("input", 0, t + 2)
        np.testing.assert_allclose(up, 2 * ey, atol=1)  # "up" the grid's y axis (+-1 px)
    if layout == "flat":
        assert lay.size[0] < 12 * lay.cell  # the two rows share their columns
    pairs = lay.connector_pairs(raster.scene)
    assert pairs == ([(0, 3), (1, 2)] if layout == "flat" else [(0, 0), (1, 1), (2, 2), (3, 3)])
