"""Channel mode's scatter view and ``view: both`` (issue 15): the stamps against an
independent naive loop, the frames, the panels on one clock, the refusals."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim import make_spec
from deconv_anim.channel_panels import ChannelPanels
from deconv_anim.channel_scatter import build_scatter_timeline
from deconv_anim.channel_scatter_raster import ChannelScatterRaster
from deconv_anim.cli import main
from deconv_anim.config import resolve_config
from deconv_anim.engine import compute
from deconv_anim.prepare import prepare
from deconv_anim.scene import build_scene


def naive_stamps(spec) -> dict[tuple[int, int, int], dict[int, dict[tuple[int, int], float]]]:
    """Per input element (c, i, j): per output channel, what lands on each output cell, by
    the definition of a transposed convolution (o = i * s + k * d - t), one tap at a time."""
    x, w = spec.input, spec.weights
    (s0, s1), (d0, d1), (kh, kw) = spec.stride, spec.dilation, spec.kernel_size
    t, left = spec.padding[0], spec.padding[2]
    ho, wo = spec.output_size
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    out: dict = {}
    for c in range(spec.in_channels):
        g = c // per_in
        for i in range(spec.input_size[0]):
            for j in range(spec.input_size[1]):
                stamps: dict = {}
                for k in range(per_out):
                    co = g * per_out + k
                    cells: dict = {}
                    for a in range(kh):
                        for b in range(kw):
                            r, q = i * s0 + a * d0 - t, j * s1 + b * d1 - left
                            if 0 <= r < ho and 0 <= q < wo:
                                cells[(r, q)] = cells.get((r, q), 0.0) + x[c, i, j] * w[c, k, a, b]
                    stamps[co] = cells
                out[(c, i, j)] = stamps
    return out


layers = st.fixed_dictionaries({
    "size": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "kernel": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "stride": st.integers(1, 3),
    "dilation": st.integers(1, 2),
    "padding": st.integers(0, 2),
    "groups": st.integers(1, 2),
    "per_in": st.integers(1, 2),
    "per_out": st.integers(1, 2),
    "bias": st.booleans(),
    "seed": st.integers(0, 50),
})


def _spec(case, step_by="element"):
    g = case["groups"]
    k = case["kernel"]
    s, d = case["stride"], case["dilation"]
    room = min((n - 1) * s + (kk - 1) * d for n, kk in zip(case["size"], k))
    pad = min(case["padding"], room // 2)  # an output of at least one cell
    return make_spec(op="transposed", size=list(case["size"]), kernel=list(k),
                     stride=case["stride"], dilation=case["dilation"], padding=pad,
                     in_channels=g * case["per_in"], out_channels=g * case["per_out"],
                     groups=g, bias=case["bias"] or None, seed=case["seed"], view="scatter",
                     step_by=step_by)


@settings(max_examples=40, deadline=None)
@given(layers)
def test_each_stamp_is_the_naive_contribution_of_its_input_element(case):
    spec = _spec(case)
    timeline = build_scatter_timeline(build_scene(spec, view="scatter"), numbers=True,
                                      labels=False)
    naive = naive_stamps(spec)
    assert len(timeline) == spec.in_channels * spec.input_size[0] * spec.input_size[1]
    for step in timeline.steps:
        expected = naive[(step.channel, *step.cell)]
        assert [s.channel for s in step.stamps] == sorted(expected)
        for stamp in step.stamps:
            got = {(int(r), int(c)): float(v) for (r, c), v in zip(stamp.cells, stamp.products)}
            assert got.keys() == expected[stamp.channel].keys()
            for cell, value in got.items():
                assert value == pytest.approx(expected[stamp.channel][cell])


@settings(max_examples=25, deadline=None)
@given(layers, st.sampled_from(["element", "channel"]))
def test_the_stamps_add_up_to_the_output(case, step_by):
    """After the last step the running sums plus the bias (added once per channel) are the
    engine's output, stepping by element or by plane."""
    spec = _spec(case, step_by)
    timeline = build_scatter_timeline(build_scene(spec, view="scatter"), numbers=False,
                                      labels=False)
    states = list(timeline.states())
    _step, received, sums = states[-1]  # (the arrays, updated in place: the last state)
    bias = 0 if spec.bias is None else spec.bias[:, None, None]
    np.testing.assert_allclose(sums + bias, compute(spec), atol=1e-9)
    # every output cell some tap reaches is received
    from deconv_anim.engine import stamp_counts

    assert (received == (stamp_counts(spec) > 0)[None]).all()


def _config(**keys):
    base = {"op": "transposed", "size": 2, "kernel": 2, "stride": 2, "in_channels": 2,
            "out_channels": 2, "groups": 2}
    return resolve_config({**base, **keys})


def test_scatter_frames_light_the_input_cell_and_fill_what_the_stamps_reached():
    raster = prepare(_config(view="scatter"))
    assert isinstance(raster, ChannelScatterRaster)
    frames = [f.pixels.copy() for f in raster.frames()]
    assert len(frames) == 8 + 1  # 2 channels x 2x2 input cells, then the final frame
    layout, theme = raster.layout, raster.theme
    pal = raster.palette.reshape(-1, 3)

    def color(n, slab, cell):
        x, y = (round(float(v)) for v in layout.cell_centre(slab, *cell))
        return tuple(int(v) for v in pal[frames[n][y, x]])

    x1, out0, out1 = layout.inputs[1], layout.outputs[0], layout.outputs[1]
    # frame 5 stamps x[1, 0, 1]: lit on x[1], not on frame 4
    assert color(5, x1, (0, 1)) != color(4, x1, (0, 1))
    # x[0] (group 0) stamps only out[0]: out[1] stays pending until frame 4
    pending, full = color(0, out1, (0, 0)), color(7, out1, (0, 0))
    assert pending != full and color(3, out1, (0, 0)) == pending
    assert color(4, out1, (0, 0)) == full
    # out[0]'s cell (3, 3) is reached by the stamp of x[0, 1, 1] (frame 3)
    assert color(2, out0, (3, 3)) != color(3, out0, (3, 3)) == color(7, out0, (3, 3))
    assert pending == tuple(theme.background)  # empty until reached


def test_both_panels_run_on_one_clock(tmp_path):
    config = _config(view="both", size=3, stride=1, kernel=2, step_by="element")
    spec = config.spec
    gather, scatter = spec.steps("gather"), spec.steps("scatter")
    assert gather > scatter  # 2x4x4 outputs, 2x3x3 inputs
    raster = prepare(config)
    assert isinstance(raster, ChannelPanels)
    frames = list(raster.frames())
    assert len(frames) - 1 == spec.frames == max(gather, scatter)  # and the final frame
    (lw, lh), (rw, _) = raster.left.size, raster.right.size
    gap = raster.look.cell
    assert raster.size[0] == lw + gap + rw and raster.offsets[1][0] == lw + gap
    # the scatter panel holds its frames: it changes in fewer frames than the gather panel
    x0 = raster.offsets[1][0]
    right = sum(1 for f in frames[1:-1] if f.box[2] > x0)
    left = sum(1 for f in frames[1:-1] if f.box[0] < lw)
    assert right == scatter - 1 and left == gather - 1
    assert frames[-1].box[0] < lw and frames[-1].box[2] > x0  # the final frame: both clean
    stacked = prepare(_config(view="both", size=3, stride=1, kernel=2, arrange="stacked"))
    assert stacked.size[1] > raster.size[1] and stacked.offsets[1][1] >= lh


def test_render_scatter_and_both_to_files(tmp_path):
    for view, name in (("scatter", "s.gif"), ("both", "b.gif"), ("scatter", "s.svg")):
        result = CliRunner().invoke(main, ["render", "configs/channels_transposed_groups.yaml",
                                           "--view", view, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
    svg = (tmp_path / "s.svg").read_text()
    assert svg.count('<g display="') == 8 + 1  # the steps and the final frame


def test_svg_of_both_is_refused_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["render", "configs/channels_transposed_groups.yaml",
                                       "--view", "both", "-o", str(tmp_path / "b.svg")])
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []
    assert result.stderr == (
        "Error: configs/channels_transposed_groups.yaml: view: both is drawn in channel mode "
        "as .gif, .png, .webp or .mp4, not yet as .svg (render view: gather or scatter to "
        ".svg)\n")


def test_a_convolution_has_no_scatter_view():
    result = CliRunner().invoke(main, ["render", "--op", "conv", "--size", "4", "--kernel",
                                       "3", "--in-channels", "2", "--view", "scatter"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: view: scatter is only for op: transposed (a conv only "
                             "gathers)\n")


def test_scatter_captions():
    spec = make_spec(op="transposed", size=2, kernel=2, in_channels=2, out_channels=4,
                     groups=2, view="scatter")
    scene = build_scene(spec, view="scatter")
    words = build_scatter_timeline(scene, numbers=False, labels=True).steps[4].caption
    assert words == "x[1, 0, 0] stamps onto output channels 2-3 (group 1)"
    numbers = build_scatter_timeline(scene, numbers=True, labels=False).steps[4].caption
    v = spec.input[1, 0, 0]
    assert numbers == f"x[1, 0, 0] = {v:g} stamps {v:g}·w[1, k] onto out[2 + k], k = 0-1"
    planes = make_spec(op="transposed", size=2, kernel=2, in_channels=2, out_channels=4,
                       groups=2, view="scatter", step_by="channel")
    cap = build_scatter_timeline(build_scene(planes, view="scatter"), numbers=True,
                                 labels=False).steps[1].caption
    assert cap == "x[1] stamps x[1] * w[1, k] onto out[2 + k], k = 0-1"
