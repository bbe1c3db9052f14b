"""The scene: grids, cell kinds, frame order and window positions, in cell units (no pixels)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from cases import CASES
from deconv_anim import make_spec
from deconv_anim.scene import CellKind, build_scene


def scene_of(layout: str = "oblique", **kwargs):
    return build_scene(make_spec(**kwargs), layout=layout)


def test_scene_imports_no_pil():
    code = ("import sys, deconv_anim.scene, deconv_anim.engine, deconv_anim.spec; "
            "bad = sorted(m for m in sys.modules if m == 'PIL' or m.startswith('PIL.')); "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ hand-checked geometry


def test_conv_stride_padding_frame_4_by_hand():
    scene = scene_of(op="conv", size=5, kernel=3, stride=2, padding=1)
    grid = scene.input
    assert (grid.rows, grid.cols, grid.first) == (7, 7, (0, 0))
    expected = np.full((7, 7), CellKind.PADDING)
    expected[1:6, 1:6] = CellKind.INPUT
    np.testing.assert_array_equal(grid.kinds, expected)
    frames = list(scene.frames())
    assert len(frames) == 9
    frame = frames[4]
    assert (frame.window_grid, frame.window) == ("input", (2, 2))
    assert (frame.target_grid, frame.target) == ("output", (1, 1))
    assert scene.window_cells(frame) == [(r, c) for r in (2, 3, 4) for c in (2, 3, 4)]
    assert frames[0].window == (0, 0) and frames[8].window == (4, 4)


def test_transposed_gather_grid_by_hand():
    # size 3, k 3, s 2, p 1: spread 5x5, k - 1 - p = 1 dashed cell around it, 7x7 grid
    scene = scene_of(op="transposed", size=3, kernel=3, stride=2, padding=1)
    grid = scene.input
    assert (grid.rows, grid.cols, grid.first) == (7, 7, (0, 0))
    assert (scene.output.rows, scene.output.cols) == (5, 5)
    real = [(r, c) for r in range(7) for c in range(7) if grid.kinds[r, c] == CellKind.INPUT]
    assert real == [(r, c) for r in (1, 3, 5) for c in (1, 3, 5)]
    assert grid.kinds[2, 2] == grid.kinds[1, 2] == grid.kinds[3, 4] == CellKind.ZERO
    assert (grid.kinds[0] == CellKind.PADDING).all()
    assert (grid.kinds[:, 6] == CellKind.PADDING).all()
    frames = list(scene.frames())
    assert len(frames) == 25
    assert scene.window_cells(frames[0]) == [(r, c) for r in range(3) for c in range(3)]
    # frame 6 = output (1, 1): stride 1 over the spread grid
    assert frames[6].window == (1, 1) and frames[6].target == (1, 1)


def test_output_padding_adds_bottom_and_right_rows():
    scene = scene_of(**CASES["transposed_odd"])
    grid = scene.input
    assert (grid.rows, grid.cols) == (8, 8)
    assert (grid.kinds[0] == CellKind.PADDING).all()
    assert (grid.kinds[6:] == CellKind.PADDING).all()
    assert (grid.kinds[:, 6:] == CellKind.PADDING).all()
    assert grid.kinds[5, 5] == CellKind.INPUT
    assert (scene.output.rows, scene.output.cols) == (6, 6)


def test_dilation_shades_every_other_cell():
    scene = scene_of(op="conv", size=7, kernel=3, dilation=2)
    assert scene.window_size == (3, 3) and scene.window_extent == (5, 5)
    frames = list(scene.frames())
    assert len(frames) == 9
    assert scene.window_cells(frames[0]) == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert scene.window_cells(frames[5]) == [(r, c) for r in (1, 3, 5) for c in (2, 4, 6)]


def test_asymmetric_padding_grid():
    scene = scene_of(op="conv", size=4, kernel=3, padding=[0, 2, 1, 0])
    grid = scene.input
    assert (grid.rows, grid.cols) == (6, 5)
    assert (scene.output.rows, scene.output.cols) == (4, 3)
    kinds = grid.kinds
    assert (kinds[:4, 1:] == CellKind.INPUT).all()
    assert (kinds[:, 0] == CellKind.PADDING).all()
    assert (kinds[4:] == CellKind.PADDING).all()
    frames = list(scene.frames())
    assert frames[-1].window == (3, 2)
    assert max(r for r, _ in scene.window_cells(frames[-1])) == 5


def test_cropped_cells_lie_outside_the_frame_grid():
    spec = make_spec(**CASES["cropped"])
    assert spec.gather.padding == (-1, -1, -1, -1)
    scene = build_scene(spec)
    grid = scene.input
    assert (grid.rows, grid.cols) == (5, 5)
    assert grid.first == (-1, -1) and grid.kinds.shape == (7, 7)
    cropped = {(grid.first[0] + i, grid.first[1] + j)
               for (i, j), k in np.ndenumerate(grid.kinds) if k == CellKind.CROPPED}
    # spread rows/columns 0 and 6 (frame rows -1 and 5) are cropped; input cells sit at
    # even spread positions, so 16 - 2 * 2 = 12 cropped cells
    expected = {(r, c) for r in (-1, 1, 3, 5) for c in (-1, 1, 3, 5)} - {
        (r, c) for r in (1, 3) for c in (1, 3)}
    assert cropped == expected
    inside = {(grid.first[0] + i, grid.first[1] + j)
              for (i, j), k in np.ndenumerate(grid.kinds) if k == CellKind.INPUT}
    assert inside == {(r, c) for r in (1, 3) for c in (1, 3)}
    for frame in scene.frames():
        for r, c in scene.window_cells(frame):
            assert 0 <= r < grid.rows and 0 <= c < grid.cols


# ------------------------------------------------------------------ every case, generally


@pytest.mark.parametrize("name", list(CASES))
def test_frames_row_by_row_from_the_top_left(name):
    spec = make_spec(**CASES[name])
    scene = build_scene(spec)
    frames = list(scene.frames())
    assert len(frames) == len(scene) == spec.frames
    scatter = spec.view == "scatter"
    rows, cols = spec.input_size if scatter else spec.output_size
    (sh, sw) = spec.stride if scatter else spec.gather.stride
    for n, frame in enumerate(frames):
        r, c = divmod(n, cols)
        assert frame.index == n
        assert frame.target == (r, c)
        if scatter:
            assert (frame.window_grid, frame.target_grid) == ("output", "input")
            assert frame.window == (r * sh - spec.padding[0], c * sw - spec.padding[2])
        else:
            assert (frame.window_grid, frame.target_grid) == ("input", "output")
            assert frame.window == (r * sh, c * sw)
    assert frames[-1].target == (rows - 1, cols - 1)


@pytest.mark.parametrize("name", [n for n in CASES if "scatter" not in n])
def test_gather_window_real_cells_are_the_trace_taps(name):
    """The window's cells on real input cells are exactly the taps of the step."""
    spec = make_spec(**CASES[name])
    scene = build_scene(spec)
    grid, g = scene.input, spec.gather
    spacing = g.spacing
    pt, pl = g.padding[0], g.padding[2]
    for frame in scene.frames():
        cells = scene.window_cells(frame)
        assert len(cells) == spec.kernel_size[0] * spec.kernel_size[1]
        for r, c in cells:  # the window stays on the frame grid
            assert 0 <= r < grid.rows and 0 <= c < grid.cols
        on_input = {(r, c) for r, c in cells
                    if grid.kinds[r - grid.first[0], c - grid.first[1]] == CellKind.INPUT}
        taps = frame.step.taps
        from_taps = {(ir * spacing[0] + pt, ic * spacing[1] + pl) for ir, ic in taps[:, 2:4]}
        assert on_input == from_taps
        assert {tuple(t) for t in taps[:, 4:6]} <= {frame.target}


@pytest.mark.parametrize("name", [n for n in CASES if "scatter" in n])
def test_scatter_stamp_cells_are_the_trace_taps(name):
    spec = make_spec(**CASES[name])
    scene = build_scene(spec)
    assert scene.view == "scatter"
    assert scene.input.kinds.shape == spec.input_size
    assert (scene.input.kinds == CellKind.INPUT).all()
    out = scene.output
    for frame in scene.frames():
        inside = {(r, c) for r, c in scene.window_cells(frame)
                  if 0 <= r < out.rows and 0 <= c < out.cols}
        taps = frame.step.taps
        assert inside == {tuple(t) for t in taps[:, 4:6].tolist()}
        assert {tuple(t) for t in taps[:, 2:4].tolist()} <= {frame.target}


def test_scatter_stamps_by_hand():
    # size 2, k 3, s 2: stamps at output rows/cols 0..2 and 2..4, overlapping on row/col 2
    scene = scene_of(**CASES["scatter"])
    frames = list(scene.frames())
    assert [f.window for f in frames] == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert [f.target for f in frames] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert scene.window_cells(frames[3])[0] == (2, 2)
    assert scene.window_cells(frames[3])[-1] == (4, 4)
    # with padding 1 the first stamp starts outside the output grid
    assert next(iter(scene_of(**CASES["scatter_pad"]).frames())).window == (-1, -1)


def test_both_view_draws_gather():
    spec = make_spec(op="transposed", size=3, kernel=3, stride=2, view="both")
    scene = build_scene(spec)
    assert scene.view == "gather"
    assert len(scene) == spec.steps("gather")


# Page geometry (the projection, where each grid sits, the connector corners) is the
# layout's: tests/test_layout.py checks it against tests/geometry.py, the reference's rules.


def test_title_is_kept():
    spec = make_spec(op="conv", size=4, kernel=3)
    assert build_scene(spec, title="Hello").title == "Hello"
    assert build_scene(spec).title is None
