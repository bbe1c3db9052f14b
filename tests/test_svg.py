"""The animated SVG: its structure and timing, drawn without any raster, and — in a real
browser (headless Chromium) — the same picture as the GIF.

Tolerance of the browser comparison: the mean absolute difference per channel (0-255)
between Chromium's screenshot of the SVG and the GIF's frame is below ``FIGURE_MAD`` = 3
over the figure (everything above the title) and below ``IMAGE_MAD`` = 8 over the whole
image, whose title is set in the browser's sans-serif instead of the raster's bundled font.
Measured over the 15 reference figures: at most 1.6 (figure) and 5.7 (whole image).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deconv_anim.animation import prepare, render
from deconv_anim.config import config_from_mapping
from deconv_anim.encode import Timing
from deconv_anim.presets import PRESETS, REFERENCE_NAMES
from deconv_anim.raster import Raster
from deconv_anim.timeline import tween_positions

FIGURE_MAD = 3.0
IMAGE_MAD = 8.0
NS = {"svg": "http://www.w3.org/2000/svg"}
PADDED = {"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "padding": 1,
          "title": "Transposed padding, strides: 3x3 input, 3x3 kernel, stride 2, padding 1"}
SCATTER = {"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "view": "scatter"}
CROPPED = {"op": "transposed", "size": 4, "kernel": 3, "stride": 2, "padding": 3}


def config(mapping=PADDED, **keys):
    return config_from_mapping({**mapping, **keys}, name="fig")


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def animations(root: ET.Element, tag: str) -> list[ET.Element]:
    return root.findall(f".//svg:{tag}", NS)


# ------------------------------------------------------------------ structure


def test_svg_structure_and_timing(tmp_path):
    cfg = config(duration=500, hold=2000)
    result = render(cfg, tmp_path / "a.svg")
    root = parse(result.path)
    width, height = prepare(cfg).size
    assert (root.get("width"), root.get("height")) == (str(width), str(height))  # the GIF's
    assert root.get("viewBox") == f"0 0 {width} {height}"
    moves = animations(root, "animateTransform")
    assert len(moves) == 2  # the window and the highlighted cell
    links = [a for a in animations(root, "animate") if a.get("attributeName") == "d"]
    assert len(links) == 1
    for anim in [*moves, *links]:
        assert anim.get("dur") == f"{25 * 500 + 2000}ms"
        assert anim.get("repeatCount") == "indefinite" and anim.get("calcMode") == "discrete"
        assert len(anim.get("values").split(";")) == 26  # 25 steps and the final frame
        times = [float(t) for t in anim.get("keyTimes").split(";")]
        assert times[0] == 0 and times[1] == pytest.approx(500 / 14500, abs=1e-6)
        assert times[-1] == pytest.approx(25 * 500 / 14500, abs=1e-6)  # the final frame
    use = root.find(".//svg:use", NS)
    values = use.find("svg:animateTransform", NS).get("values").split(";")
    assert use.get("transform") == f"translate({values[-1]})"  # still image: the last frame
    assert values[0] == "0 0"
    text = result.path.read_text()
    assert "stroke-dasharray" in text  # padding and inserted zeros are dashed
    assert 'fill-opacity="0.4"' in text and "#073642" in text  # the 40 % overlay
    assert PADDED["title"] in text


def test_even_frames_need_no_key_times(tmp_path):
    root = parse(render(config(), tmp_path / "a.svg").path)
    assert all(a.get("keyTimes") is None for a in animations(root, "animateTransform"))


def test_svg_is_drawn_without_the_raster(tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the SVG writer asked for raster frames")

    monkeypatch.setattr(Raster, "frames", refuse)
    result = render(config(CROPPED), tmp_path / "a.svg")
    assert result.frames == 10 and result.bytes < 20_000


def test_scatter_tints_step_up(tmp_path):
    root = parse(render(config(SCATTER), tmp_path / "a.svg").path)
    fills = [a for a in animations(root, "animate") if a.get("attributeName") == "fill"]
    assert len(fills) == 7 * 7  # every output cell gets stamped at some step
    centre = max(fills, key=lambda a: len(a.get("values").split(";")))
    assert len(centre.get("values").split(";")) == 5  # background, then 4 stamps


def test_tween_adds_in_between_positions(tmp_path):
    result = render(config(), tmp_path / "a.svg", tween=3)
    assert result.frames == 24 * 4 + 1 + 1
    move = animations(parse(result.path), "animateTransform")[0]
    values = move.get("values").split(";")
    assert len(values) == 98
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), (x4, y4) = (map(float, values[k].split())
                                                        for k in range(5))
    # the step is held by time (its own frame), then the window eases on
    t1, t2, t3 = tween_positions(3)
    for (x, y), t in (((x1, y1), t1), ((x2, y2), t2), ((x3, y3), t3)):
        assert (x, y) == pytest.approx((x0 + (x4 - x0) * t, y0 + (y4 - y0) * t), abs=0.01)
    assert 0 < t1 < t2 < t3 < 1
    # the highlighted cell jumps: in-between frames keep the step's target
    target = animations(parse(result.path), "animateTransform")[1].get("values").split(";")
    assert target[1] == target[2] == target[3] == target[0] != target[4]
    times = Timing(1000, 0, 3).durations(25)
    assert move.get("keyTimes") is not None and len(times) == 98
    starts = [float(t) for t in move.get("keyTimes").split(";")]
    assert starts[1] == pytest.approx(500 / 26000, abs=1e-6)  # the step's frame: half of it


def test_side_by_side_panels_share_one_clock(tmp_path):
    """view: both: two nested panels as large as the GIF's; the shorter (scatter, 4 steps)
    holds its last frame until the longer (gather, 25 steps) ends, so both loop together."""
    cfg = config({"op": "transposed", "size": 2, "kernel": 3, "stride": 2, "view": "both"})
    result = render(cfg, tmp_path / "a.svg")
    root = parse(result.path)
    assert (int(root.get("width")), int(root.get("height"))) == result.size
    panels = root.findall("svg:svg", NS)
    assert len(panels) == 2 and panels[0].get("x") == "0" and int(panels[1].get("x")) > 0
    durations = {a.get("dur") for a in root.iter() if a.get("dur")}
    assert durations == {"26000ms"}  # 25 steps and the final frame


@pytest.mark.parametrize("view", ["gather", "scatter"])
def test_numbers_are_the_rasters(tmp_path, view):
    """values: the input values, the window's weights (rotated in the transposed gather
    view) and every number the output shows, each exactly as the raster draws them."""
    from deconv_anim.engine import compute
    from deconv_anim.report import format_value

    cfg = config({"op": "transposed", "size": 2, "kernel": 3, "stride": 2, "view": view,
                  "values": True})
    root = parse(render(cfg, tmp_path / "a.svg").path)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    spec = cfg.spec
    out = compute(spec)
    shown = set(texts)
    assert {format_value(v) for v in out.ravel()} <= shown  # the finished output
    assert {format_value(v) for v in spec.input.ravel()} <= shown
    # the weights are drawn over the window on each step's frame (with the numbers under
    # the window, in the colour that reads on the shaded fill)
    w = spec.weights[::-1, ::-1] if view == "gather" else spec.weights
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if g.find("svg:text[@class='weight']", NS) is not None]
    assert len(groups) == spec.frames
    for group in groups:
        weights = ["".join(t.itertext()) for t in group.iter("{http://www.w3.org/2000/svg}text")
                   if t.get("class") == "weight"]
        assert weights == [format_value(v) for v in w.ravel()]
    # a caption per step, ending with the engine's value in the gather view
    captions = [t for t in texts if t.startswith(("out[", "x["))]
    assert len(captions) == spec.frames
    if view == "gather":
        assert [c.rsplit(" = ", 1)[1] for c in captions] == [format_value(v)
                                                             for v in out.ravel()]


# ------------------------------------------------------------------ in a browser


def chromium() -> str | None:
    for name in (os.environ.get("DECONV_ANIM_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome", "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


needs_chromium = pytest.mark.skipif(
    chromium() is None, reason="no Chromium found (apt-get install chromium, or set "
                               "DECONV_ANIM_CHROMIUM); .ci/run installs it")


def screenshot(page: Path, size: tuple[int, int], budget_ms: int | None = None) -> np.ndarray:
    """Chromium's screenshot of ``page`` at ``size``, after ``budget_ms`` of virtual time."""
    out = page.with_suffix(".png")
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            f"--user-data-dir={page.parent / 'chromium-profile'}", f"--screenshot={out}",
            f"--window-size={size[0]},{size[1]}", "--hide-scrollbars"]
    if budget_ms is not None:
        args.append(f"--virtual-time-budget={budget_ms}")
    subprocess.run([*args, page.as_uri()], capture_output=True, timeout=120, check=True)
    with Image.open(out) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def page(folder: Path, svg: Path, inline: bool, at_ms: int | None = None) -> Path:
    """An HTML page showing ``svg`` at its natural size, no margin (as an <img>, or inline
    so that Chromium's virtual time drives its clock). ``at_ms`` (inline): the SVG's clock
    paused at that time before the first paint, whatever the machine's load."""
    body = svg.read_text() if inline else f'<img src="{svg.name}">'
    if at_ms is not None:
        assert inline
        body += ("<script>const svg = document.querySelector('svg'); svg.pauseAnimations(); "
                 f"svg.setCurrentTime({at_ms / 1000});</script>")
    path = folder / f"{svg.stem}-{'inline' if inline else 'img'}.html"
    path.write_text("<!DOCTYPE html><html><head><style>html,body{margin:0;padding:0;"
                    "background:#fff}img,svg{display:block}</style></head>"
                    f"<body>{body}</body></html>")
    return path


def gif_frame(path: Path, index: int) -> np.ndarray:
    with Image.open(path) as im:
        im.seek(index)
        return np.asarray(im.convert("RGB")).astype(int)


def differences(shot: np.ndarray, frame: np.ndarray, figure_height: int) -> tuple[float, float]:
    """(figure, whole image) mean absolute difference per channel, sizes aligned."""
    h, w = min(shot.shape[0], frame.shape[0]), min(shot.shape[1], frame.shape[1])
    diff = np.abs(shot[:h, :w] - frame[:h, :w])
    return float(diff[:figure_height].mean()), float(diff.mean())


def compare(tmp_path: Path, cfg, frame: int = 0, inline: bool = False) -> tuple[float, float]:
    gif = render(cfg, tmp_path / f"{cfg.name}.gif").path
    svg = render(cfg, tmp_path / f"{cfg.name}.svg").path
    raster = prepare(cfg)
    at = None if not inline else frame * cfg.render.duration + cfg.render.duration // 2
    shot = screenshot(page(tmp_path, svg, inline, at), raster.size)
    return differences(shot, gif_frame(gif, frame), raster.figure_height)


@needs_chromium
def test_first_frame_in_chromium_matches_the_gif(tmp_path):
    # 20 s per frame: the screenshot falls in frame 0 however slow the machine
    figure, whole = compare(tmp_path, config(duration=20_000))
    assert figure < FIGURE_MAD and whole < IMAGE_MAD, (figure, whole)


@needs_chromium
def test_later_frame_in_chromium_matches_the_gif(tmp_path):
    cfg = config()
    gif = render(cfg, tmp_path / "fig.gif").path
    svg = render(cfg, tmp_path / "fig.svg").path
    raster = prepare(cfg)
    # the SVG's own clock at 2.5 s (its SMIL timing picks the frame), paused there: a
    # virtual-time budget of 2.5 s missed under load
    shot = screenshot(page(tmp_path, svg, inline=True, at_ms=2500), raster.size)
    figure = [differences(shot, gif_frame(gif, k), raster.figure_height)[0] for k in (1, 2, 3)]
    assert figure[1] < FIGURE_MAD, figure
    assert min(figure[0], figure[2]) > figure[1] + 1, figure  # frame 2, not a neighbour


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_every_reference_figure_in_chromium(tmp_path, name):
    cfg = config_from_mapping({**PRESETS[name], "duration": 20_000}, name=name)
    figure, whole = compare(tmp_path, cfg)
    assert figure < FIGURE_MAD and whole < IMAGE_MAD, (figure, whole)


def test_labels_caption_steps_with_the_frames(tmp_path):
    """labels: the summary line is static; each step's caption is a <text> shown exactly
    while its step is on screen."""
    from deconv_anim.report import summary

    cfg = config({"op": "conv", "size": 4, "kernel": 3, "labels": True})
    root = parse(render(cfg, tmp_path / "a.svg").path)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and summary(cfg.spec).startswith(t) for t in texts)  # its first line
    captions = [t for t in texts if t.startswith("step ")]
    assert captions == [f"step {n + 1}/4: out[{n // 2}, {n % 2}]" for n in range(4)]
    shown = [t.find("svg:animate", NS) for t in root.iter("{http://www.w3.org/2000/svg}text")
             if "".join(t.itertext()).startswith("step ")]
    assert len(shown) == 4
    for n, anim in enumerate(shown):  # visible from its own frame to the next
        values = dict(zip(anim.get("keyTimes", "0").split(";"), anim.get("values").split(";")))
        assert values[f"{n / 5:g}"] == "visible"  # 4 steps and the final frame
    assert values["0.8"] == "hidden"  # no caption on the final frame
    # the window, the highlight and the lines are hidden on the final frame only
    hidden = [a for a in animations(root, "animate")
              if a.get("attributeName") == "visibility" and a.get("keyTimes") == "0;0.8"]
    assert len(hidden) == 3 and all(a.get("values") == "visible;hidden" for a in hidden)


def test_svg_loads_neither_pillow_nor_the_raster():
    import subprocess
    import sys

    code = ("import deconv_anim.svg, sys\n"
            "print(' '.join(m for m in sys.modules if m.startswith(('deconv_anim', 'PIL'))))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "deconv_anim.svg" in loaded
    assert not {m for m in loaded if m == "PIL" or m.startswith("PIL.")}
    assert not loaded & {"deconv_anim.raster", "deconv_anim.frames", "deconv_anim.paint",
                         "deconv_anim.composite", "deconv_anim.palette"}


def test_svg_embeds_the_font_its_text_needs(tmp_path):
    import base64
    import re

    from deconv_anim.font import character_map

    result = render(config(dict(op="transposed", size=2, kernel=3, stride=2, values=True,
                                labels=True)), tmp_path / "a.svg")
    text = result.path.read_text()
    data = re.search(r"url\(data:font/ttf;base64,([A-Za-z0-9+/=]+)\)", text)
    assert data, "no embedded font"
    font = base64.b64decode(data.group(1))
    assert "step" in text and {"s", "t", "e", "p", "0"} <= character_map(font)
    assert 'font-family="deconv-anim-aileron' in text
