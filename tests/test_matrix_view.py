"""``view: matrix`` drawn: the lit row is the step's output cell, each drawn row's pattern is
the op's matrix, ``x`` lights what the row reads, ``y`` fills as the output grid does; the
numbers read; the faces (GIF, PNG, sheet, MP4, SVG); the refusals, each one line."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import deconv_anim as da
from deconv_anim.animation import prepare
from deconv_anim.cli import main
from deconv_anim.config import resolve_config
from deconv_anim.errors import ConfigError
from deconv_anim.limits import MATRIX_VIEW_SIDE
from deconv_anim.matrix import op_matrix, tap_pattern
from deconv_anim.matrix_layout import build_matrix_layout, matrix_cell, place_line, place_panels
from deconv_anim.matrix_raster import MatrixView
from deconv_anim.spec import make_spec
from deconv_anim.themes import THEMES
from test_contrast import measure, ratio
from test_matrix import unit_vector_matrix

CASES = {
    "conv": dict(op="conv", size=4, kernel=3),
    "conv_same_stride": dict(op="conv", size=5, kernel=3, stride=2, padding="same"),
    "conv_dilation": dict(op="conv", size=6, kernel=2, dilation=2, padding=1),
    "conv_rect": dict(op="conv", size=[3, 5], kernel=[2, 3], stride=[1, 2]),
    "transposed": dict(op="transposed", size=2, kernel=3),
    "transposed_stride_pad": dict(op="transposed", size=3, kernel=3, stride=2, padding=1),
    "transposed_output_padding": dict(op="transposed", size=3, kernel=3, stride=2, padding=1,
                                      output_padding=1),
    "transposed_full": dict(op="transposed", size=4, kernel=3, padding="full"),
    "transposed_dilation": dict(op="transposed", size=3, kernel=2, dilation=2, stride=2),
    "transposed_tf_same": dict(op="transposed", size=3, kernel=3, stride=2, padding="same"),
    "transposed_overlap": dict(op="transposed", size=2, kernel=3, stride=2, overlap=True),
    "avgpool": dict(op="avgpool", size=4, kernel=2),
    "avgpool_pad": dict(op="avgpool", size=5, kernel=3, stride=2, padding=1,
                        count_include_pad=False),
}


def view_of(case: dict, **extra) -> MatrixView:
    """The matrix view of ``case``; a conv's weights 1, 2, 3, ... (none zero), unless given."""
    case = dict(case)
    if case["op"] != "avgpool" and "weights" not in case:
        kh, kw = (case["kernel"],) * 2 if isinstance(case["kernel"], int) else case["kernel"]
        case["weights"] = np.arange(1, kh * kw + 1).reshape(kh, kw).tolist()
        case.setdefault("values", False)
    config = resolve_config({**case, "view": "matrix", **extra})
    view = prepare(config)
    assert isinstance(view, MatrixView)
    return view


def sample(block, r, c, offset):
    """A pixel inside cell (r, c) of ``block``, ``offset`` of the way from its top-left
    corner (clear of the lines and the number), in canvas coordinates."""
    x = block.x + (c + offset) * block.cell_w
    y = block.y + (r + offset) * block.cell_h
    return int(x), int(y)


def drawn(view: MatrixView, rgb: np.ndarray, block, rows: int, cols: int) -> np.ndarray:
    """The colour of every cell of ``block`` in the canvas ``rgb`` (rows, cols, 3)."""
    mx, my = view.offsets[1]
    out = np.zeros((rows, cols, 3), int)
    layout = view.right.layout
    numbers = layout.entry_size if block.name == "matrix" else layout.number_size
    for r in range(rows):
        for c in range(cols):
            x, y = sample(block, r, c, 0.2 if numbers else 0.5)
            out[r, c] = rgb[my + y, mx + x]
    return out


def frames_rgb(view: MatrixView):
    for frame in view.frames():
        yield frame, view.palette[frame.pixels]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_lit_row_is_the_steps_output_cell_and_rows_are_the_matrix(name):
    view = view_of(CASES[name])
    spec = view.scene.spec
    theme = view.look.theme
    m = op_matrix(spec)
    pattern = tap_pattern(spec)
    # the pattern is the matrix's, which is the op on unit vectors (an independent reference)
    np.testing.assert_array_equal(pattern, unit_vector_matrix(spec) != 0)
    layout = view.right.layout
    n_out, n_in = m.shape
    (oh, ow) = spec.output_size
    tint, lit = theme.shaded(theme.background), theme.shaded(theme.output)
    read, plain = theme.shaded(theme.input), theme.input
    count = 0
    fills = [None] * n_out
    for state in view.left.timeline.start:
        fills[state.cell[0] * ow + state.cell[1]] = state.fill
    for frame, rgb in frames_rgb(view):
        if frame.step == len(view.right.timeline.steps):  # the held clean final frame
            continue
        cell = divmod(frame.step, ow)  # the step's output cell, row by row
        row = cell[0] * ow + cell[1]
        assert view.right.timeline.steps[frame.step].cell == cell
        got = drawn(view, rgb, layout.matrix, n_out, n_in)
        expect = np.empty((n_out, n_in, 3), int)
        expect[:] = theme.background
        expect[pattern] = tint
        expect[row, pattern[row]] = lit
        np.testing.assert_array_equal(got, expect, err_msg=f"frame {frame.index}")
        xs = drawn(view, rgb, layout.x, n_in, 1)[:, 0]
        np.testing.assert_array_equal(xs, [read if p else plain for p in pattern[row]])
        # y has the output grid's fills so far, y[row] shaded as the grid's target cell is
        for change in view.left.timeline.steps[frame.step].changes:
            fills[change.cell[0] * ow + change.cell[1]] = change.fill
        expect_y = [theme.shaded(f) if n == row else f for n, f in enumerate(fills)]
        np.testing.assert_array_equal(drawn(view, rgb, layout.y, n_out, 1)[:, 0], expect_y)
        count += 1
    assert count == oh * ow == spec.frames


def test_rows_show_the_weights_and_a_zero_weight_stays_a_tap():
    spec_args = dict(op="conv", size=3, kernel=2, weights=[[0, 2], [3, 4]])
    view = view_of(spec_args)
    timeline = view.right.timeline
    assert timeline.texts[0].tolist() == ["0", "2", None, "3", "4", None, None, None, None]
    # the tap of the zero weight is drawn (tinted, "0"); the matrix has a 0 there
    assert timeline.pattern[0, 0] and op_matrix(view.scene.spec)[0, 0] == 0
    m = op_matrix(view.scene.spec)
    np.testing.assert_array_equal(m != 0, timeline.pattern & (m != 0))


def test_y_fills_like_the_output_grid():
    view = view_of(dict(op="conv", size=4, kernel=3, values=True))
    grid = view.left.timeline
    ow = view.scene.spec.output_size[1]
    for step, mstep in zip(grid.steps, view.right.timeline.steps):
        assert {(c[0] * ow + c[1]) for c in (ch.cell for ch in step.changes)} == {
            n for n, _, _ in mstep.changes}
    # the last frame: every y entry shows the output's number
    out = da.compute(view.scene.spec).ravel()
    final = dict((n, t) for n, _, t in view.right.timeline.start)
    for mstep in view.right.timeline.steps:
        final.update((n, t) for n, _, t in mstep.changes)
    assert [final[n] for n in range(len(out))] == [da_format(v) for v in out]


def da_format(value):
    from deconv_anim.report import format_value

    return format_value(value)


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("name", ["conv", "transposed_stride_pad", "avgpool"])
def test_every_number_of_the_matrix_panel_reads_at_3_to_1(name, theme):
    view = view_of(CASES[name], values=True, style={"theme": theme})
    layout, timeline = view.right.layout, view.right.timeline
    mx, my = view.offsets[1]
    assert layout.entry_size and layout.number_size
    checked, problems = 0, []
    for frame, rgb in frames_rgb(view):
        glyphs = [(layout.x.centre(n, 0), t, layout.number_size)
                  for n, t in enumerate(timeline.x_texts)]
        glyphs += [(layout.matrix.centre(r, c), timeline.texts[r, c], layout.entry_size)
                   for r, c in zip(*np.nonzero(timeline.pattern))]
        for centre, text, size in glyphs:
            got = measure(rgb, (centre[0] + mx, centre[1] + my), text, size)
            if got is None:
                continue
            checked += 1
            if ratio(*got) < 3.0:
                problems.append((frame.index, text, got))
    assert checked and not problems, problems[:5]


def test_matrix_numbers_shrink_to_fit_and_vectors_widen():
    look = da.animate(dict(op="conv", size=4, kernel=3, values=True, view="matrix"))
    from deconv_anim.prepare import look_of

    look = look_of(look.config)
    narrow = build_matrix_layout(look, input_size=(4, 4), output_size=(2, 2),
                                 transposed=False, entries=["1"], widest=["1"])
    wide = build_matrix_layout(look, input_size=(4, 4), output_size=(2, 2),
                               transposed=False, entries=["0.25"], widest=["-123.5"])
    assert wide.entry_size < narrow.entry_size
    assert wide.x.cell_w > narrow.x.cell_w == narrow.matrix.cell_w
    tiny = build_matrix_layout(replace(look, cell=10), input_size=(8, 8),
                               output_size=(8, 8), transposed=False, entries=["1"])
    assert tiny.entry_size == 0 and tiny.number_size == 0  # tinted only


def test_the_equation_is_written():
    for op, text in (("conv", "y = C x"), ("transposed", "y = C")):
        view = view_of(dict(op=op, size=3, kernel=2))
        heading = [t for _, t, _ in view.right.layout.heading]
        assert heading[0].startswith(text)
        assert ("T" in heading[1:]) == (op == "transposed")  # the raised T of Cᵀ


def test_place_line_raises_the_superscript():
    (_, main_t, _), (sup_c, sup_t, sup_size) = place_line(
        [("y = C", False), ("T", True), (" x", False)], (100, 50), 20)
    assert main_t.startswith("y = C ") and main_t.endswith(" x") and sup_t == "T"
    assert sup_c[1] < 50 and sup_size < 20


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.integers(4, 60))
def test_the_matrix_cell_keeps_the_matrix_within_its_span(rows, cols, cell):
    from deconv_anim.layout import Look

    mc = matrix_cell(Look(THEMES["classic"], cell=cell, numbers=True), rows, cols)
    assert mc >= 4
    assert mc == 4 or max(rows, cols) * mc <= 12 * cell


def test_with_labels_the_summary_is_written_once():
    from deconv_anim.report import summary

    view = view_of(dict(op="conv", size=3, kernel=2, labels=True))
    # the labels name the grids; the summary is the shared title, said once
    assert summary(view.scene.spec) not in " ".join(view.left.layout.static_lines)
    assert " ".join(line for line, _ in view.title_lines) == summary(view.scene.spec)
    titled = view_of(dict(op="conv", size=3, kernel=2, labels=True, title="Mine"))
    assert [line for line, _ in titled.title_lines] == ["Mine"]


def test_panels_are_centred_on_each_other():
    (a, b), size = place_panels((100, 400), (50, 100), 7)
    assert a == (0, 0) and b == (107, 150) and size == (157, 400)


# -- faces ----------------------------------------------------------------------------


def test_every_raster_face_and_the_svg(tmp_path):
    config = tmp_path / "m.yaml"
    config.write_text("op: transposed\nsize: 2\nkernel: 2\nview: matrix\nvalues: true\n")
    runner = CliRunner()
    for name, args in (("m.gif", ()), ("m.webp", ()), ("m.svg", ()), ("s.png", ("--sheet",)),
                       ("f.png", ("--frame", "3")), ("t.gif", ("--tween", "1"))):
        result = runner.invoke(main, ["render", str(config), "-o", str(tmp_path / name),
                                      *args])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    from PIL import Image

    with Image.open(tmp_path / "m.gif") as gif:
        assert gif.n_frames == 9 + 1  # and the held clean final frame
    with Image.open(tmp_path / "t.gif") as gif:
        assert gif.n_frames == 17 + 1
    svg = (tmp_path / "m.svg").read_text()
    assert svg.count('<g display=') == 9 + 1 and "y = C" in svg and 'xml:space="preserve"' in svg
    assert f'width="{prepare(resolve_config(str(config))).size[0]}"' in svg


def test_the_png_frame_is_the_gifs_frame(tmp_path):
    from PIL import Image

    anim = da.animate(dict(op="conv", size=4, kernel=3, view="matrix", values=True))
    anim.save(tmp_path / "a.gif")
    anim.save(tmp_path / "a.png", frame=2)
    with Image.open(tmp_path / "a.gif") as gif:
        gif.seek(2)
        frame = np.asarray(gif.convert("RGB"))
    with Image.open(tmp_path / "a.png") as png:
        assert np.array_equal(np.asarray(png.convert("RGB")), frame)


@pytest.mark.slow
def test_the_video(tmp_path):
    da.animate(dict(op="conv", size=3, kernel=2, view="matrix")).save(tmp_path / "a.mp4")
    assert (tmp_path / "a.mp4").stat().st_size > 1000


# -- config and refusals ----------------------------------------------------------------


@pytest.mark.parametrize("op", ["conv", "transposed", "avgpool"])
def test_view_matrix_is_accepted_and_traces_the_gather_view(op):
    spec = make_spec(op=op, size=3, kernel=2, view="Matrix")
    assert spec.view == "matrix"
    gather = make_spec(op=op, size=3, kernel=2)
    assert spec.frames == gather.frames == spec.output_size[0] * spec.output_size[1]
    assert [s.cell for s in da.trace(spec)] == [s.cell for s in da.trace(gather)]


def test_maxpool_is_refused():
    with pytest.raises(ConfigError, match="view: maxpool has no matrix"):
        make_spec(op="maxpool", size=4, kernel=2, view="matrix")


def _cli_error(args):
    result = CliRunner().invoke(main, args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.exit_code, lines


def test_refusals_are_one_line_exit_2(tmp_path):
    big = 9  # 81 inputs > 64
    cases = [
        (["--op", "maxpool", "--size", "4", "--kernel", "2", "--view", "matrix"],
         "view: maxpool has no matrix"),
        (["--op", "conv", "--size", str(big), "--kernel", "3", "--view", "matrix"],
         f"at most {MATRIX_VIEW_SIDE} inputs x {MATRIX_VIEW_SIDE} outputs; this op has 9x9 = "
         "81 inputs and 7x7 = 49 outputs"),
        (["--op", "transposed", "--size", "4", "--kernel", "3", "--stride", "2", "--view",
          "matrix"], "this op has 4x4 = 16 inputs and 9x9 = 81 outputs"),
        (["--op", "conv", "--size", "3", "--kernel", "2", "--in-channels", "2", "--view",
          "matrix"], "view: matrix draws single-channel ops only"),
        (["--op", "conv", "--size", "3", "--kernel", "2", "--view", "matrix", "-o",
          str(tmp_path / "a.html")], "the HTML player does not draw view: matrix"),
    ]
    for args, message in cases:
        code, lines = _cli_error(["render", *args, "-o", str(tmp_path / "x.gif")]
                                 if "-o" not in args else ["render", *args])
        assert code == 2, lines
        assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert not list(tmp_path.iterdir())  # no partial output


def test_the_limit_is_inclusive():
    view = view_of(dict(op="conv", size=8, kernel=1))  # 64 inputs, 64 outputs
    assert view.right.layout.matrix.rows == view.right.layout.matrix.cols == 64


def test_info_still_gives_larger_matrices():
    info = da.animate(dict(op="conv", size=9, kernel=3, view="matrix"))
    spec = info.config.spec
    assert op_matrix(spec).shape == (49, 81)


def test_the_html_api_refuses():
    anim = da.animate(dict(op="conv", size=3, kernel=2, view="matrix"))
    with pytest.raises(ConfigError, match="does not draw view: matrix"):
        anim.to_html()
    bundle = anim._repr_mimebundle_()
    assert "does not draw view: matrix" in bundle["text/html"]


def test_info_text_names_the_row():
    result = CliRunner().invoke(main, ["info", "--op", "transposed", "--size", "2",
                                       "--kernel", "3", "--view", "matrix"])
    assert result.exit_code == 0, result.output
    assert re.search(r"16 steps, 17 frames \(one per output cell, lighting its row of C\^T",
                     result.output)


def test_shipped_configs_render_the_documented_shapes():
    for name, shape in (("matrix_conv", (4, 16)), ("matrix_transposed", (16, 4))):
        view = prepare(da.animate(name).config)
        assert isinstance(view, MatrixView)
        assert (view.right.layout.matrix.rows, view.right.layout.matrix.cols) == shape
