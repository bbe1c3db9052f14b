"""Output formats: GIF, APNG, WebP and MP4 read back (frame count, timing, loop, pixels),
contact sheets and stills, in-between frames, the render and gallery options, embedding
snippets. Every format of the 15 reference figures is in the slow tests (--runslow)."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from deconv_anim.animation import prepare, render
from deconv_anim.cli import main
from deconv_anim.config import config_from_mapping, resolve_config
from deconv_anim.embed import alt_text, snippet
from deconv_anim.encode import FORMATS, Timing, _repeats, _video_fps, format_for
from deconv_anim.errors import ConfigError, MissingDependencyError
from deconv_anim.gallery import build_gallery
from deconv_anim.presets import PRESETS, REFERENCE_NAMES

CONV = {"op": "conv", "size": 5, "kernel": 3, "stride": 2, "padding": 1}
SCATTER = {"op": "transposed", "size": 2, "kernel": 3, "stride": 2, "view": "scatter"}
CROPPED = {"op": "transposed", "size": 4, "kernel": 3, "stride": 2, "padding": 3}
CASES = {"conv": CONV, "scatter": SCATTER, "cropped": CROPPED}
PILLOW_FORMATS = ("gif", "png", "webp")


def config(mapping=CONV, cell=12, **keys):
    return config_from_mapping({**mapping, **keys, "style": {"cell": cell}}, name="fig")


def raster_rgb(cfg, tween: int = 0) -> list[np.ndarray]:
    raster = prepare(cfg)
    frames = raster.frames(tween=tween) if tween else raster.frames()
    return [raster.palette[f.pixels] for f in frames]


def read_pillow(path: Path) -> tuple[dict, list[int], list[np.ndarray]]:
    durations, frames = [], []
    with Image.open(path) as im:
        head = {"format": im.format, "n_frames": im.n_frames, "loop": im.info.get("loop")}
        for n in range(im.n_frames):
            im.seek(n)
            frames.append(np.asarray(im.convert("RGB")))  # WebP sets duration on load
            durations.append(im.info["duration"])
    return head, durations, frames


def read_mp4(path: Path) -> tuple[dict, list[np.ndarray]]:
    """(codec, pix_fmt, fps, size) and the decoded RGB frames, from the bundled ffmpeg."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    probe = subprocess.run([exe, "-hide_banner", "-i", str(path)], capture_output=True,
                           text=True).stderr
    stream = re.search(r"Video: (\w+).*?, (yuv\w+)[(,].*?, (\d+)x(\d+).*?, ([\d.]+) fps",
                       probe)
    assert stream, probe
    w, h = int(stream[3]), int(stream[4])
    meta = {"codec": stream[1], "pix_fmt": stream[2], "size": (w, h), "fps": float(stream[5])}
    raw = subprocess.run([exe, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt",
                          "rgb24", "-"], capture_output=True, check=True).stdout
    frames = list(np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3))
    return meta, frames


def top_level_boxes(data: bytes) -> list[bytes]:
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        boxes.append(kind)
        pos += size if size else len(data)
    return boxes


# ------------------------------------------------------------------ Pillow-read formats


@pytest.mark.parametrize("fmt", PILLOW_FORMATS)
@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_pixels_and_timing(tmp_path, fmt, case):
    cfg = config(CASES[case], duration=250, hold=500)
    want = raster_rgb(cfg)
    result = render(cfg, tmp_path / f"a.{fmt}")
    head, durations, got = read_pillow(result.path)
    assert head["format"] == {"gif": "GIF", "png": "PNG", "webp": "WEBP"}[fmt]
    assert head["n_frames"] == len(want) == cfg.spec.frames + 1 == result.frames
    assert head["loop"] == 0
    assert durations == [250] * (len(want) - 1) + [500]  # the final frame holds
    for n, (a, b) in enumerate(zip(got, want)):
        assert (a == b).all(), f"{fmt} frame {n}: {(a != b).any(-1).sum()} pixels differ"


def test_apng_is_a_png_with_animation_chunks(tmp_path):
    data = render(config(), tmp_path / "a.png").path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data.index(b"acTL") < data.index(b"IDAT") < data.index(b"fdAT")
    frames, plays = struct.unpack(">II", data[data.index(b"acTL") + 4:][:8])
    assert (frames, plays) == (10, 0)  # 9 steps and the final frame, looping forever


def test_apng_delay_of_a_long_hold(tmp_path):
    result = render(config(hold=120_000), tmp_path / "a.png")
    _, durations, _ = read_pillow(result.path)
    assert durations[-1] == 120_000  # more than 65535 ms: written in centiseconds


# ------------------------------------------------------------------ MP4


def test_mp4_is_h264_yuv420p_even_and_faststart(tmp_path):
    cfg = config(cell=11)  # 141 x 135
    raster = prepare(cfg)
    width, height = raster.size
    assert width % 2 or height % 2, "pick a cell size that gives an odd dimension"
    result = render(cfg, tmp_path / "a.mp4")
    meta, frames = read_mp4(result.path)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (width + width % 2, height + height % 2)  # padded, not scaled
    assert meta["fps"] == 1.0 and len(frames) == 10  # one video frame per frame
    boxes = top_level_boxes(result.path.read_bytes())
    assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart: plays while loading
    want = raster_rgb(cfg)
    for got, ref in zip(frames, want):
        assert np.abs(got[:height, :width].astype(int) - ref).mean() < 3
        background = raster.palette[0].astype(int)
        if width % 2:  # the padding column is the background colour
            assert np.abs(got[:, -1].astype(int) - background).mean() < 3


def test_mp4_hold_repeats_the_final_frame(tmp_path):
    result = render(config(duration=500, hold=1500), tmp_path / "a.mp4")
    meta, frames = read_mp4(result.path)
    assert meta["fps"] == 2.0  # 1000 / gcd(500, 1500)
    assert len(frames) == 9 + 3  # 9 steps of one frame, the final frame 1500 ms = 3 frames
    assert np.abs(frames[-1].astype(int) - frames[-3]).mean() < 1  # the same, give or take
    assert np.abs(frames[-4].astype(int) - frames[-3]).mean() > 0.1  # the last step's own


def test_mp4_fps_and_tween(tmp_path):
    cfg = config()
    meta, frames = read_mp4(render(cfg, tmp_path / "a.mp4", fps=4).path)
    assert meta["fps"] == 4.0 and len(frames) == 10 * 4  # 9 steps and the final frame
    result = render(cfg, tmp_path / "t.mp4", tween=3)
    assert result.frames == 8 * 4 + 1 + 1
    meta, frames = read_mp4(result.path)
    # 500 ms held (3 video frames), 166/167/167 ms moving (1 each); the last step and the
    # final frame 1 s each
    assert meta["fps"] == 6.0 and len(frames) == 8 * 6 + 6 + 6
    meta, frames = read_mp4(render(cfg, tmp_path / "t2.mp4", tween=2).path)
    assert meta["fps"] == 4.0 and len(frames) == 8 * 4 + 4 + 4  # 500, 250, 250 ms


def test_video_timing_arithmetic():
    assert _video_fps([1000] * 3, None) == 1
    assert _video_fps([250, 250, 1750], None) == 4
    assert _video_fps([333, 334], None) == 30  # 1000 fps would be silly
    assert _repeats([250, 250, 1750], _video_fps([250, 250, 1750], None)) == [1, 1, 7]
    assert sum(_repeats([333] * 30, 30)) == round(333 * 30 * 30 / 1000)  # no drift


def test_missing_ffmpeg_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'deconv-anim\[video\]'"):
        render(config(), tmp_path / "a.mp4")
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(main, ["render", "--preset", "dilation", "-o",
                                       str(tmp_path / "a.mp4")])
    assert result.exit_code == 2
    assert "deconv-anim[video]" in result.stderr and "Traceback" not in result.output


# ------------------------------------------------------------------ tween, sheet, still


def test_timing_with_tween():
    timing = Timing(1000, 500, tween=2)
    assert timing.frame_count(4) == 11  # 4 steps, 3 x 2 in-between frames, the final one
    durations = timing.durations(4)
    assert len(durations) == 11 and sum(durations) == timing.total(4) == 4500
    # each step held for half its time, the in-between frames share the other half
    assert durations[:3] == [500, 250, 250] and durations[-2:] == [1000, 500]
    assert Timing().frame_count(0) == 0 and Timing().durations(1) == [1000, 1000]


def test_tween_gif_holds_then_slides_between_steps(tmp_path):
    cfg = config()
    result = render(cfg, tmp_path / "a.gif", tween=2)
    head, durations, got = read_pillow(result.path)
    assert head["n_frames"] == result.frames == 8 * 3 + 1 + 1
    assert sum(durations) == 10000  # 9 steps and the final frame, 1 s each
    assert durations[:3] == [500, 250, 250]  # the step rests half its time, then moves
    plain = raster_rgb(cfg)
    assert (got[0] == plain[0]).all() and (got[3] == plain[1]).all()  # steps unchanged
    assert (got[-1] == plain[-1]).all()  # the final frame
    for k in (1, 2):  # both in-between frames are on the way
        assert not (got[k] == plain[0]).all() and not (got[k] == plain[1]).all()


@pytest.mark.parametrize("suffix", [".gif", ".png", ".webp"])
def test_transparent_background(tmp_path, suffix):
    """style.background: transparent: background pixels are transparent in every frame,
    figure pixels opaque, in each pixel format that has transparency."""
    from deconv_anim.config import config_from_mapping

    cfg = config_from_mapping({"op": "transposed", "size": 2, "kernel": 3, "stride": 2,
                               "style": {"cell": 16, "background": "transparent"}})
    raster = prepare(cfg)
    frames = [f.pixels.copy() for f in raster.frames()]
    result = render(cfg, tmp_path / f"t{suffix}")
    with Image.open(result.path) as im:
        assert im.n_frames == len(frames)
        for n, pixels in enumerate(frames):
            im.seek(n)
            alpha = np.asarray(im.convert("RGBA"))[..., 3]
            np.testing.assert_array_equal(alpha == 0, pixels == 0)


def test_sheet_has_every_frame_in_a_grid(tmp_path):
    cfg = config()
    raster = prepare(cfg)
    width, height = raster.size
    result = render(cfg, tmp_path / "s.png", sheet=True)
    with Image.open(result.path) as im:
        # 3x3 output: one row per output row, then the final frame on a row of its own
        assert im.size == (3 * width, 4 * height)
        assert result.size == im.size  # the size reported is the sheet's, and a frame's
        assert result.frame_size == (width, height) and result.frames == 10
        sheet = np.asarray(im.convert("RGB"))
    frames = raster_rgb(cfg)
    for n, frame in enumerate(frames):
        y, x = (n // 3) * height, (n % 3) * width
        tile = sheet[y:y + height, x:x + width]
        differs = (tile != frame).any(-1)
        assert differs.any()  # its number...
        ys, xs = np.nonzero(differs)
        assert ys.max() < height // 4 and xs.max() < width // 4  # ...in the top-left corner
    # numbered from 0, as --frame counts: tile 0's label is one glyph, tile 1's as narrow
    labels = [(sheet[y:y + height // 4, x:x + width // 4] != frames[n][:height // 4,
                                                                         :width // 4]).any(-1)
              for n, (y, x) in enumerate([(0, 0), (0, width)])]
    zero = labels[0][:, labels[0].any(0)]
    one = labels[1][:, labels[1].any(0)]
    assert zero.shape[1] > one.shape[1]  # a "0" is wider than a "1"


def test_still_frame(tmp_path):
    cfg = config()
    frames = raster_rgb(cfg)
    for k in (0, 4, -1):
        result = render(cfg, tmp_path / f"f{k}.png", frame=k)
        with Image.open(result.path) as im:
            assert getattr(im, "n_frames", 1) == 1
            assert (np.asarray(im.convert("RGB")) == frames[k]).all()
    with pytest.raises(ConfigError, match="from -10 to 9"):
        render(cfg, tmp_path / "x.png", frame=10)


def test_sheet_and_still_are_png_only_and_not_tweened(tmp_path):
    with pytest.raises(ConfigError, match=r"^sheet: writes one PNG image; name the output "
                                          r"\.png"):
        render(config(), tmp_path / "s.gif", sheet=True)
    with pytest.raises(ConfigError, match=r"^frame: writes one PNG image"):
        render(config(), tmp_path / "s.gif", frame=0)
    with pytest.raises(ConfigError, match=r"^frame: must be from -10 to 9"):
        render(config(), tmp_path / "s.png", frame=10)
    with pytest.raises(ConfigError, match=r"^tween: makes in-between frames"):
        render(config(), tmp_path / "s.png", sheet=True, tween=2)


# ------------------------------------------------------------------ the command line


def run(*args: str):
    result = CliRunner().invoke(main, ["render", *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("fmt", ["png", "webp", "svg"])
def test_format_option_names_the_default_output(cwd, fmt):
    result = run("--preset", "no_padding_no_strides", "--cell", "10", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert (cwd / f"no_padding_no_strides.{fmt}").is_file()
    assert format_for(cwd / f"x.{fmt}") is FORMATS[fmt]


def test_format_option_must_agree_with_the_output(cwd):
    result = run("--preset", "dilation", "--format", "svg", "-o", "x.gif")
    assert result.exit_code == 2 and "--format" in result.stderr
    assert list(cwd.iterdir()) == []


def test_cli_sheet_tween_and_fps(cwd):
    result = run("--preset", "no_padding_no_strides", "--cell", "10", "--sheet")
    assert result.exit_code == 0 and (cwd / "no_padding_no_strides.png").is_file()
    with Image.open(cwd / "no_padding_no_strides.png") as im:
        sheet = im.size
    frame = prepare(resolve_config("no_padding_no_strides", {"style": {"cell": 10}})).size
    # the sheet's size and its frames' size (2x2 output: 2 columns, 3 rows with the final)
    assert sheet == (2 * frame[0], 3 * frame[1])
    assert (f"(5 frames, sheet {sheet[0]}x{sheet[1]} of {frame[0]}x{frame[1]} frames,"
            in result.stdout)
    result = run("--preset", "no_padding_no_strides", "--cell", "13", "-o", "odd.mp4")
    width, height = prepare(resolve_config("no_padding_no_strides",
                                           {"style": {"cell": 13}})).size
    assert height % 2  # an odd side: padded to even in the video
    assert (f"(5 frames, {width + width % 2}x{height + 1} (the {width}x{height} frame "
            "padded to even sides)") in result.stdout
    result = run("--preset", "no_padding_no_strides", "--cell", "10", "--tween", "1",
                 "--fps", "2", "-o", "t.mp4")
    assert result.exit_code == 0, result.output
    assert "(8 frames," in result.stdout  # 4 steps, 3 in-between, the final frame
    result = run("--preset", "no_padding_no_strides", "--sheet", "--tween", "1")
    assert result.exit_code == 2 and "--tween" in result.stderr
    result = run("--preset", "no_padding_no_strides", "--tween", "-1")
    assert result.exit_code == 2


@pytest.mark.parametrize(("kind", "expected"), [
    ("md", "![Convolution: 4x4 input, 3x3 kernel, stride 1, padding valid -> 2x2 output, "
           "5 frames](fig.gif)"),
    ("html", '<img src="fig.gif" alt="Convolution: 4x4 input, 3x3 kernel, stride 1, padding '
             'valid -&gt; 2x2 output, 5 frames" width="'),
    ("rst", ".. image:: fig.gif\n   :alt: Convolution: 4x4 input"),
])
def test_embed_prints_a_snippet(cwd, kind, expected):
    result = run("--op", "conv", "--size", "4", "--kernel", "3", "--cell", "10", "-o",
                 "fig.gif", "--embed", kind)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(expected)
    assert result.stderr.startswith("wrote fig.gif")


@pytest.mark.parametrize(("kind", "opening", "closing"), [
    ("md", "```python\nimport torch\n", "print(tuple(y.shape))\n```"),
    ("html", '<pre><code class="language-python">import torch\n',
     "print(tuple(y.shape))</code></pre>"),
    ("rst", ".. code-block:: python\n\n   import torch\n", "   print(tuple(y.shape))"),
])
def test_embed_with_code_adds_the_framework_snippet(cwd, kind, opening, closing):
    result = run("--op", "conv", "--size", "4", "--kernel", "3", "--cell", "10", "-o",
                 "fig.gif", "--embed", kind, "--code", "torch")
    assert result.exit_code == 0, result.output
    image, _, code = result.stdout.rstrip("\n").partition("\n\n")
    assert image.startswith(("![Convolution", "<img", ".. image::"))
    assert code.startswith(opening) and code.endswith(closing), code
    # the code block holds the exact snippet `info --code` prints
    from deconv_anim.codegen import snippet as code_snippet
    from deconv_anim.spec import make_spec

    plain = code_snippet(make_spec(op="conv", size=4, kernel=3), "torch").rstrip("\n")
    if kind == "md":
        body = code.removeprefix("```python\n").removesuffix("\n```")
    elif kind == "html":
        import html as html_lib

        body = html_lib.unescape(code.removeprefix('<pre><code class="language-python">')
                                 .removesuffix("</code></pre>"))
    else:
        body = "\n".join(line[3:] for line in code.splitlines()[2:])
    assert body == plain


def test_code_without_embed_is_refused(cwd):
    result = run("--preset", "no_padding_no_strides", "--code", "torch")
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: --code: adds the code under the --embed "
                                     "snippet: add --embed (or print the code alone with "
                                     "deconv-anim info --code)")
    assert not list(Path().iterdir())


def test_embed_video_snippets():
    cfg = config()
    alt = alt_text(cfg)
    assert alt == ("Convolution: 5x5 input, 3x3 kernel, stride 2, padding 1 -> 3x3 output, "
                   "10 frames")
    html = snippet("figs/a.mp4", "html", alt=alt, size=(100, 80))
    assert html.startswith('<video src="figs/a.mp4" width="100" height="80"')
    assert "autoplay loop muted playsinline" in html
    assert snippet("a.mp4", "md", alt="x") == snippet("a.mp4", "html", alt="x")
    assert snippet("a.mp4", "rst", alt="x").startswith(".. raw:: html\n\n   <video")
    assert snippet("my figs/a.svg", "md", alt="x") == "![x](<my figs/a.svg>)"


# ------------------------------------------------------------------ the gallery


def test_gallery_format(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "a.yaml").write_text("op: conv\nsize: 3\nkernel: 2\nstyle:\n  cell: 8\n")
    out = tmp_path / "g"
    report = build_gallery(configs, out, jobs=1, format="webp")
    assert report.rendered == ["a"] and (out / "a.webp").is_file()
    assert 'src="a.webp"' in (out / "README.md").read_text()
    report = build_gallery(configs, out, jobs=1, format="mp4")  # switching formats
    assert report.rendered == ["a"] and report.removed == ["a.webp"]
    assert not (out / "a.webp").exists()
    readme = (out / "README.md").read_text()
    assert re.search(r'<video width="\d+" src="a.mp4"', readme) and "<img" not in readme
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(out), "--format",
                                       "mp4", "--check"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(out), "--check"])
    assert result.exit_code == 1  # as GIFs it is stale
    result = CliRunner().invoke(main, ["gallery", str(configs), "--format", "bmp"])
    assert result.exit_code == 2


# ------------------------------------------------------------------ every reference figure


@pytest.mark.slow
@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_every_format_of_every_reference_figure(tmp_path, name):
    cfg = config_from_mapping(PRESETS[name], name=name)
    want = raster_rgb(cfg)
    count = cfg.spec.frames + 1  # the steps and the held clean final frame
    for fmt in PILLOW_FORMATS:
        result = render(cfg, tmp_path / f"{name}.{fmt}")
        head, durations, got = read_pillow(result.path)
        assert head["n_frames"] == count and head["loop"] == 0, fmt
        assert durations == [1000] * count, fmt
        assert all((a == b).all() for a, b in zip(got, want)), fmt
    meta, frames = read_mp4(render(cfg, tmp_path / f"{name}.mp4").path)
    assert meta["codec"] == "h264" and len(frames) == count and meta["fps"] == 1.0
    assert all(s % 2 == 0 for s in meta["size"])
    h, w = want[0].shape[:2]
    assert all(np.abs(a[:h, :w].astype(int) - b).mean() < 3 for a, b in zip(frames, want))
    svg = render(cfg, tmp_path / f"{name}.svg")
    assert svg.path.read_text().count("<animate") >= 2
    sheet = render(cfg, tmp_path / f"{name}-sheet.png", sheet=True)
    with Image.open(sheet.path) as im:
        assert im.size[0] % w == 0 and im.size[1] % h == 0
        assert (im.size[0] // w) * (im.size[1] // h) >= count


# ------------------------------------------------------------------ the table of formats


def test_the_table_of_formats():
    from deconv_anim import formats

    assert formats.FORMAT_NAMES == ("gif", "png", "webp", "mp4", "svg", "html")
    assert formats.FORMATS is FORMATS  # encode reads the one table
    for fmt in formats.FORMATS.values():
        assert fmt.suffix == f".{fmt.name}" and formats.format_for(f"a{fmt.suffix}") is fmt
        assert formats.format_named(fmt.name.upper()) is fmt
        assert callable(fmt.load_writer())
        assert fmt.kind in ("bitmap", "vector") and fmt.vector == (fmt.name in ("svg", "html"))
        assert fmt.mime.split("/")[0] in ("image", "video", "text") and fmt.video == (
            fmt.mime.startswith("video/"))
    assert [f.name for f in formats.FORMATS.values() if f.extra] == ["mp4"]
    assert formats.FORMATS["png"].mime == "image/apng" and formats.SHEET.mime == "image/png"
    with pytest.raises(ConfigError, match=r"^format: unknown format 'bmp' \(known: gif, "):
        formats.format_named("bmp")


def test_every_reader_of_the_table_agrees_with_it():
    from deconv_anim import formats, sphinx

    choices = {p.name: p for p in main.commands["render"].params}["fmt"].type.choices
    assert tuple(choices) == formats.FORMAT_NAMES
    gallery_choices = {p.name: p for p in main.commands["gallery"].params}["fmt"].type.choices
    assert tuple(gallery_choices) == formats.FORMAT_NAMES
    assert sphinx.FORMATS == formats.FORMAT_NAMES
    for fmt in formats.FORMATS.values():  # a video is a <video> tag, a page a link, else <img>
        tag = snippet(f"a{fmt.suffix}", "html", alt="A")
        assert tag.startswith("<video" if fmt.video else "<a " if fmt.name == "html" else "<img")


def test_the_formats_table_imports_nothing_heavy():
    code = ("import sys, deconv_anim.formats, deconv_anim.cli\n"
            "print(sorted(m for m in ('numpy', 'PIL', 'deconv_anim.encode') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
