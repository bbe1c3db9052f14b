"""Channel mode drawn: stacks of slabs, group colours, the lit cell, partial-sum captions."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deconv_anim as da
from deconv_anim.animation import prepare
from deconv_anim.channel_layout import GROUP_HUES, MAX_SHOWN, slots
from deconv_anim.channel_raster import ChannelRaster
from deconv_anim.channel_timeline import build_channel_timeline
from deconv_anim.config import resolve_config
from deconv_anim.report import summary
from deconv_anim.scene import build_scene
from deconv_anim.themes import THEMES, mix
from naive import conv2d, transposed2d

CASES = {
    "standard": dict(op="conv", size=4, kernel=3, in_channels=3, out_channels=2),
    "grouped": dict(op="conv", size=4, kernel=3, in_channels=4, out_channels=2, groups=2,
                    padding=1),
    "depthwise": dict(op="conv", size=4, kernel=3, in_channels=3, out_channels=3, groups=3),
    "multiplier": dict(op="conv", size=3, kernel=2, in_channels=3, out_channels=6, groups=3),
    "pointwise": dict(op="conv", size=3, kernel=1, in_channels=3, out_channels=2),
    "transposed": dict(op="transposed", size=2, kernel=3, stride=2, in_channels=2,
                       out_channels=4, groups=2, bias=True),
    "maxpool": dict(op="maxpool", size=4, kernel=2, stride=2, in_channels=3),
    "avgpool": dict(op="avgpool", size=4, kernel=2, stride=2, in_channels=2, padding=1),
    "planes": dict(op="conv", size=4, kernel=3, in_channels=2, out_channels=3, step_by="channel"),
    "many": dict(op="conv", size=3, kernel=2, in_channels=10, out_channels=12, groups=2,
                 step_by="channel"),
    "flat_values": dict(op="conv", size=3, kernel=2, in_channels=2, out_channels=2, groups=2,
                        layout="flat", values=True, bias=[1, -1]),
    "transposed_flat": dict(op="transposed", size=2, kernel=2, stride=1, in_channels=2,
                            out_channels=2, layout="flat", values=True, labels=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_channel_figures_render(name):
    anim = da.animate(CASES[name], style={"cell": 12})
    frames = list(anim.frames())
    assert len(frames) == anim.config.spec.frames + 1  # and the held clean final frame
    assert all(f.shape == frames[0].shape for f in frames)
    assert (frames[0].shape[1], frames[0].shape[0]) == anim.size
    if len(frames) > 1:  # something moves
        assert any((a != b).any() for a, b in itertools.pairwise(frames))


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_group_hues_read_on_every_theme(theme):
    t = THEMES[theme]
    for hue in GROUP_HUES:  # far from the background and from the lines
        for other in (t.background, t.line):
            assert sum(abs(a - b) for a, b in zip(hue, other)) > 120, (hue, other)
    assert len(set(GROUP_HUES)) == len(GROUP_HUES)


def test_stacks_above_eight_show_three_an_ellipsis_and_the_last():
    assert slots(MAX_SHOWN) == tuple(range(MAX_SHOWN))
    assert slots(MAX_SHOWN + 1) == (0, 1, 2, None, MAX_SHOWN)
    raster = prepare(resolve_config(CASES["many"]))
    assert sorted(raster.layout.inputs) == [0, 1, 2, 9]
    assert sorted(raster.layout.outputs) == [0, 1, 2, 11]
    assert len(raster.layout.ellipses) == 2


def _raster(config: dict, theme: str = "classic") -> ChannelRaster:
    raster = prepare(resolve_config({**config, "style": {"theme": theme, "cell": 20}}))
    assert isinstance(raster, ChannelRaster)
    return raster


def _shaded(raster: ChannelRaster, fill) -> tuple[int, int, int]:
    t = raster.theme
    return mix(fill, t.overlay, t.overlay_alpha)


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("name", ["standard", "grouped", "multiplier", "transposed"])
def test_the_lit_output_cell_is_on_the_channel_computed(name, theme):
    """Each frame lights exactly one output cell: element n of the channel-major order,
    worked out here from the output shape alone, on its channel's slab; the window lies on
    the input slabs of that channel's group and no other."""
    raster = _raster(CASES[name], theme)
    spec = raster.scene.spec
    oh, ow = spec.output_size
    palette = raster.palette[:, :].astype(int)
    per_out = spec.out_channels // spec.groups
    per_in = spec.in_channels // spec.groups
    layout = raster.layout
    for n, frame in enumerate(raster.frames()):
        rgb = palette[frame.pixels]
        channel, rest = divmod(n, oh * ow)
        cell = divmod(rest, ow)
        lit = []
        for ch, slab in layout.outputs.items():
            shade = np.array(_shaded(raster, slab.fill))
            for i in range(oh):
                for j in range(ow):
                    # the centre and four points toward the corners: a connector line
                    # crossing the cell may match the shade at one of them
                    poly = layout.cell_polygon(slab, i, j)
                    centre = poly.mean(axis=0)
                    points = [centre, *(centre + 0.45 * (p - centre) for p in poly)]
                    if all(np.abs(rgb[int(y), int(x)] - shade).sum() <= 12 for x, y in points):
                        lit.append((ch, (i, j)))
        if n == len(raster.timeline.steps):  # the held clean final frame: nothing lit
            assert frame.step == n and lit == [], lit
            continue
        assert lit == [(channel, cell)], (n, lit)
        group = channel // per_out
        r0, c0 = raster.timeline.steps[n].window
        for ch, slab in layout.inputs.items():
            x, y = layout.cell_centre(slab, r0, c0).astype(int)
            under = tuple(int(v) for v in rgb[y, x])
            in_group = group * per_in <= ch < (group + 1) * per_in
            plain = {slab.fill, raster.theme.background}
            if in_group:
                assert under not in plain, (n, ch, under)
            else:
                assert under in plain, (n, ch, under)


CAPTION = re.compile(r"out\[(\d+), (\d+), (\d+)\] = (.*) = (\S+)$")


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_caption_partial_sums_equal_a_naive_loop(data):
    groups = data.draw(st.integers(1, 3))
    per_in, per_out = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    op = data.draw(st.sampled_from(["conv", "transposed"]))
    k = data.draw(st.integers(1, 3))
    stride = data.draw(st.integers(1, 2))
    size = data.draw(st.integers(k, 4))
    padding = data.draw(st.integers(0, k - 1))
    bias = data.draw(st.booleans())
    c_in, c_out = groups * per_in, groups * per_out
    spec = da.make_spec(op=op, size=size, kernel=k, stride=stride, padding=padding,
                        in_channels=c_in, out_channels=c_out, groups=groups, bias=bias or None,
                        seed=data.draw(st.integers(0, 99)))
    timeline = build_channel_timeline(build_scene(spec), numbers=True, labels=False)
    x, w = spec.input, spec.weights
    oh, ow = spec.output_size
    planes = {}
    for step in timeline.steps:
        c, i, j, terms, total = CAPTION.match(step.caption).groups()  # type: ignore[union-attr]
        c, i, j = int(c), int(i), int(j)
        g = c // per_out
        want = []
        for ci in range(g * per_in, (g + 1) * per_in):
            if (c, ci) not in planes:
                if op == "conv":
                    t, b, l_, r = spec.padding
                    planes[c, ci] = conv2d(x[ci], w[c, ci - g * per_in], (stride, stride),
                                           padding=(t, b, l_, r))
                else:
                    planes[c, ci] = transposed2d(x[ci], w[ci, c - g * per_out],
                                                 (stride, stride), top_left=(padding, padding),
                                                 output_size=(oh, ow))
            want.append(planes[c, ci][i, j])
        parts = terms.split(" + ")
        got = [float(p.strip("()")) for p in parts[:per_in]]
        assert got == pytest.approx(want), step.caption
        assert all(p.startswith("(") for p in parts[:per_in])
        expected = sum(want) + (float(spec.bias[c]) if bias else 0.0)
        assert len(parts) == per_in + bias
        if bias:
            assert float(parts[-1]) == float(spec.bias[c])
        assert float(total) == pytest.approx(expected)


def test_summary_names_channels_and_groups():
    spec = da.make_spec(op="conv", size=5, kernel=3, in_channels=4, out_channels=2, groups=2)
    assert summary(spec) == ("Convolution: 4x5x5 input, 2x2x3x3 weights, groups 2, stride 1, "
                             "padding valid -> 2x3x3 output")
    plain = da.make_spec(op="conv", size=5, kernel=3)
    assert summary(plain) == ("Convolution: 5x5 input, 3x3 kernel, stride 1, padding valid "
                             "-> 3x3 output")


def test_step_by_channel_lights_whole_planes():
    raster = _raster(CASES["planes"])
    steps = raster.timeline.steps
    assert [s.channel for s in steps] == [0, 1, 2]
    assert all(s.window is None and s.target is None for s in steps)
    assert [s.done for s in steps] == [4, 8, 12]


@pytest.mark.parametrize("kwargs, suffix", [
    ({}, ".gif"), ({"sheet": True}, ".png"), ({"frame": -1}, ".png"), ({}, ".webp"),
    ({"tween": 1}, ".gif")])
def test_channel_figures_save_in_every_bitmap_form(tmp_path, kwargs, suffix):
    from PIL import Image

    anim = da.animate(CASES["grouped"], style={"cell": 10}, size=3)
    out = tmp_path / f"x{suffix}"
    result = anim.save(out, frames_dir=tmp_path / "frames", **kwargs)
    assert out.exists()
    with Image.open(out) as image:
        frames = getattr(image, "n_frames", 1)
        assert result.size == image.size  # the image written (a sheet: the whole grid)
    if not kwargs.get("sheet"):
        assert result.size == anim.size
    count = anim.step_count
    if kwargs.get("sheet") or "frame" in kwargs:  # one image
        assert frames == 1
        shown = count + 1 if kwargs.get("sheet") else 1
        assert result.frames == shown
    else:
        shown = (count - 1) * (kwargs.get("tween", 0) + 1) + 1 + 1
        assert frames == shown == result.frames
    assert len(list((tmp_path / "frames").iterdir())) == shown


def test_transparent_channel_figure_has_a_see_through_background():
    anim = da.animate(CASES["standard"], style={"cell": 10, "background": "transparent"})
    first = next(anim.frames())
    assert first.shape[2] == 4 and first[0, 0, 3] == 0 and (first[..., 3] == 255).any()


def test_single_channel_figures_do_not_use_the_channel_painter():
    raster = prepare(resolve_config({"op": "conv", "size": 4, "kernel": 3}))
    assert not isinstance(raster, ChannelRaster)


@pytest.mark.parametrize("step_by", ["element", "channel"])
def test_a_channel_in_the_ellipsis_stands_in_the_last_slot(step_by):
    """Depthwise 10 -> 10: while channel 5 (not drawn: 0, 1, 2, ..., 9) is computed, the
    last slot of each stack shows it, lit; the other frames keep channel 9 there."""
    config = dict(op="conv", size=3, kernel=2, in_channels=10, out_channels=10, groups=10,
                  step_by=step_by)
    raster = _raster(config)
    ops_of = {s.channel: raster.step_ops(s) for s in raster.timeline.steps}
    labels = {c: [t[1] for t in ops.texts] for c, ops in ops_of.items()}
    assert "out[5]" in labels[5] and "x[5]" in labels[5]
    assert not any(t.startswith(("out[", "x[")) for t in labels[9])
    spec = raster.scene.spec
    per_plane = 1 if step_by == "channel" else spec.output_size[0] * spec.output_size[1]
    frames = [f.pixels.copy() for f in raster.frames()]  # (pixels is a working buffer)
    frame = frames[5 * per_plane]
    slab = raster.layout.outputs[9]  # the slot channel 5 stands in
    x, y = raster.layout.cell_centre(slab, 0, 0).astype(int)
    rgb = tuple(int(v) for v in raster.palette[frame[y, x]])
    assert rgb != slab.fill and rgb != raster.theme.background  # lit, and not channel 9's


@pytest.mark.parametrize("name", ["standard", "flat_values", "planes", "many"])
def test_channel_svg_shows_each_step_on_the_shared_clock(tmp_path, name):
    """One group per step, shown from its frame's start to the next step's (the GIF's
    timing, then the held clean final frame), the final frame outside the animations."""
    anim = da.animate(CASES[name], style={"cell": 12}, duration=500, hold=1500)
    out = tmp_path / "x.svg"
    anim.save(out, tween=1)
    text = out.read_text()
    count = anim.step_count
    groups = re.findall(r'<g display="(none|inline)">', text)
    assert groups == ["none"] * count + ["inline"]  # each step, then the final frame
    total = 500 * count + 1500  # in-between frames share their step's 500 ms
    times = re.findall(r'keyTimes="([^"]*)" dur="(\d+)ms"', text)
    assert len(times) == count + 1
    assert all(int(dur) == total for _, dur in times)
    for n, (keys, _) in enumerate(times):  # step n shows from frame 2n on
        start = 500 * n / total
        values = [float(v) for v in keys.split(";")]
        assert values[0] == 0
        if n:
            assert values[1] == pytest.approx(start, abs=1e-6)
    assert "@font-face" in text and "out[0]" in text


def test_channel_layout_timeline_and_svg_load_no_pillow():
    import subprocess
    import sys

    code = ("import sys, deconv_anim.channel_layout, deconv_anim.channel_timeline, "
            "deconv_anim.channel_svg\n"
            "print(' '.join(m for m in sys.modules if m.startswith(('deconv_anim', 'PIL'))))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "deconv_anim.channel_svg" in loaded
    assert not {m for m in loaded if m == "PIL" or m.startswith("PIL.")}
    assert not loaded & {"deconv_anim.raster", "deconv_anim.channel_raster",
                         "deconv_anim.paint"}


@pytest.mark.parametrize("config", [
    CASES["transposed"], CASES["many"], CASES["maxpool"],
    dict(op="conv", input=[[[1, 2], [3, 4]], [[0, 1], [1, 0]]], weights=[[[[1]], [[2]]]],
         bias=[0.5])])
def test_new_writes_channel_keys_that_load_back(config):
    import yaml

    from deconv_anim.config import config_from_mapping
    from deconv_anim.new_config import commented_config

    spec = config_from_mapping(config).spec
    again = config_from_mapping(yaml.safe_load(commented_config(
        config_from_mapping(config)))).spec
    for field in ("in_channels", "out_channels", "groups", "has_bias", "step_by",
                  "output_shape"):
        assert getattr(again, field) == getattr(spec, field), field
    assert (again.input == spec.input).all() and (again.weights == spec.weights).all()
    assert (again.bias is None) == (spec.bias is None)
    if spec.bias is not None:
        assert (again.bias == spec.bias).all()


def test_channel_mode_has_the_player_and_notebooks_show_it(tmp_path):
    """Issue 15: .html, to_html() and the notebook display draw channel mode too; each
    shape a step adds is written once (a step is a list of indices into them)."""
    import json
    import re

    import deconv_anim as da

    anim = da.animate({"op": "conv", "size": 3, "kernel": 2, "in_channels": 2,
                       "out_channels": 2, "style": {"cell": 8}})
    saved = anim.save(tmp_path / "x.html")
    text = saved.path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'data-steps="8"' in text
    cells = re.findall(r'data-cell="((?:input|output):\d+,\d+,\d+)"', text)
    assert sorted(cells) == sorted([f"input:{ch},{r},{c}" for ch in range(2) for r in range(3)
                                    for c in range(3)] + [f"output:{ch},{r},{c}"
                                    for ch in range(2) for r in range(2) for c in range(2)])
    data = json.loads(re.search(r'data-figure>(.*?)</script>', text, re.S).group(1))
    from deconv_anim.player_channels import decode_steps

    shapes, steps = data["channels"]["shapes"], decode_steps(data["channels"]["steps"])
    assert len(steps) == 8 + 1 and len(set(shapes)) == len(shapes)  # and the final frame
    assert sum(map(len, steps)) > len(shapes)  # shared between steps, written once
    assert anim.to_html().startswith("<div data-deconv-anim")
    bundle = anim._repr_mimebundle_()
    assert list(bundle) == ["text/html"]
    assert bundle["text/html"].startswith("<div data-deconv-anim")
    assert 'src="data:image/gif;base64,R0lGOD' in bundle["text/html"]  # the fallback


@given(st.lists(st.lists(st.integers(0, 6), max_size=12), max_size=8))
def test_step_lists_round_trip(steps):
    """The channel player's step lists, stored as differences, decode to themselves."""
    from deconv_anim.player_channels import decode_steps, encode_steps

    encoded = encode_steps(steps)
    assert decode_steps(encoded) == steps
    assert all(v >= 0 for v in (encoded or [[]])[0])  # the first step copies nothing
