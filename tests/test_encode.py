"""Encoding: the GIF read back (structure, palette, timing, pixels), byte-identical renders,
and atomic writes (no partial file after a failure or an interrupt)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deconv_anim.animation import prepare, render
from deconv_anim.config import config_from_mapping
from deconv_anim.encode import GifStream, Timing, atomic_output, write, writer_for
from deconv_anim.errors import ConfigError, OutputError
from deconv_anim.palette import MAX_COLORS, TRANSPARENT
from deconv_anim.raster import Raster, RasterFrame

CONV = {"op": "conv", "size": 5, "kernel": 3, "stride": 2, "padding": 1}
SCATTER = {"op": "transposed", "size": 2, "kernel": 3, "stride": 2, "view": "scatter"}
CROPPED = {"op": "transposed", "size": 4, "kernel": 3, "stride": 2, "padding": 3}


def config(mapping=CONV, cell=16, **render_keys):
    return config_from_mapping({**mapping, **render_keys, "style": {"cell": cell}})


def raster_frames(cfg):
    raster = prepare(cfg)
    return raster, [f.pixels.copy() for f in raster.frames()]


# ------------------------------------------------------------------ a GIF parser


def parse_gif(data: bytes) -> dict:
    """The blocks of a GIF89a file: screen, global table, loop, and each image."""
    assert data[:6] == b"GIF89a"
    width, height, flags, _background, _aspect = struct.unpack("<HHBBB", data[6:13])
    pos = 13
    table = None
    if flags & 0x80:
        n = 2 ** ((flags & 7) + 1)
        table = data[pos:pos + 3 * n]
        pos += 3 * n
    loop = None
    control = None
    images = []

    def sub_blocks():
        nonlocal pos
        parts = []
        while True:
            size = data[pos]
            pos += 1
            if size == 0:
                return parts
            parts.append(data[pos:pos + size])
            pos += size

    while True:
        block = data[pos]
        pos += 1
        if block == 0x3B:
            break
        if block == 0x21:
            label = data[pos]
            pos += 1
            parts = sub_blocks()
            if label == 0xF9:
                packed, delay, transparent = struct.unpack("<BHB", parts[0])
                control = {"delay": delay, "disposal": (packed >> 2) & 7,
                           "transparent": transparent if packed & 1 else None}
            elif label == 0xFF and parts[0] == b"NETSCAPE2.0":
                loop = struct.unpack("<H", parts[1][1:3])[0]
        elif block == 0x2C:
            x, y, w, h, packed = struct.unpack("<HHHHB", data[pos:pos + 9])
            pos += 9
            local = bool(packed & 0x80)
            if local:
                pos += 3 * 2 ** ((packed & 7) + 1)
            code_size = data[pos]
            pos += 1
            sub_blocks()
            images.append({"box": (x, y, x + w, y + h), "local": local,
                           "code_size": code_size, "control": control})
            control = None
        else:
            raise AssertionError(f"unknown block 0x{block:02x} at {pos - 1}")
    assert pos == len(data), "bytes after the trailer"
    return {"size": (width, height), "flags": flags, "table": table, "loop": loop,
            "images": images}


# ------------------------------------------------------------------ structure and timing


def test_gif_structure(tmp_path):
    cfg = config()
    raster, _ = raster_frames(cfg)
    result = render(cfg, tmp_path / "a.gif")
    data = (tmp_path / "a.gif").read_bytes()
    assert result.bytes == len(data)
    assert result.frames == 10 and result.size == raster.size  # 9 steps, the final frame
    gif = parse_gif(data)
    assert gif["size"] == raster.size
    assert gif["flags"] & 0x80  # one global colour table...
    assert len(gif["table"]) == 3 * MAX_COLORS
    assert gif["table"] == raster.palette[:MAX_COLORS].tobytes()
    assert gif["loop"] == 0  # loop forever
    images = gif["images"]
    assert len(images) == 10  # 9 steps and the held final frame
    assert not any(image["local"] for image in images)  # ...and no local ones
    assert [image["control"]["delay"] for image in images] == [100] * 10
    first = images[0]
    assert first["box"] == (0, 0, *raster.size)
    assert first["control"]["transparent"] is None
    width, height = raster.size
    for image in images[1:]:
        assert image["control"]["disposal"] == 1  # keep: the next frame draws over
        assert image["control"]["transparent"] == TRANSPARENT
        x0, y0, x1, y1 = image["box"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert (x1 - x0) * (y1 - y0) < width * height  # only what changed


def read_back(path: Path) -> tuple[dict, list[int], list[np.ndarray]]:
    """(format, mode, n_frames, loop and palette of frame 0), durations, RGB frames."""
    durations, frames = [], []
    with Image.open(path) as im:
        head = {"format": im.format, "mode": im.mode, "n_frames": im.n_frames,
                "loop": im.info.get("loop"), "palette": bytes(im.getpalette())}
        for n in range(im.n_frames):
            im.seek(n)
            durations.append(im.info["duration"])
            frames.append(np.asarray(im.convert("RGB")))
    return head, durations, frames


@pytest.mark.parametrize("mapping", [CONV, SCATTER, CROPPED], ids=["conv", "scatter", "cropped"])
def test_decoded_frames_equal_the_raster(tmp_path, mapping):
    cfg = config(mapping)
    raster, pixels = raster_frames(cfg)
    render(cfg, tmp_path / "a.gif")
    im, durations, decoded = read_back(tmp_path / "a.gif")
    assert im["format"] == "GIF" and im["mode"] == "P"
    assert im["n_frames"] == len(pixels) == cfg.spec.frames + 1  # the final frame
    assert im["loop"] == 0
    assert durations == [1000] * len(pixels)
    assert im["palette"][:3 * MAX_COLORS] == raster.palette[:MAX_COLORS].tobytes()
    for n, (got, indices) in enumerate(zip(decoded, pixels)):
        want = raster.palette[indices]
        assert got.shape == want.shape
        assert (got == want).all(), f"frame {n}: {(got != want).any(-1).sum()} pixels differ"


def test_custom_duration_and_hold(tmp_path):
    cfg = config(duration=250, hold=1500)
    render(cfg, tmp_path / "a.gif")
    im, durations, _ = read_back(tmp_path / "a.gif")
    assert durations == [250] * 9 + [1500]  # 9 steps, then the final frame held
    assert im["loop"] == 0
    delays = [i["control"]["delay"] for i in parse_gif((tmp_path / "a.gif").read_bytes())
              ["images"]]
    assert delays == [25] * 9 + [150]


def test_hold_without_duration(tmp_path):
    render(config(hold=500), tmp_path / "a.gif")
    _, durations, _ = read_back(tmp_path / "a.gif")
    assert durations == [1000] * 9 + [500]


def test_longest_frame_is_refused_or_written_as_given(tmp_path):
    """A GIF delay is at most 65535 cs: a longer last frame must not be clamped silently."""
    try:
        cfg = config({"op": "conv", "size": 3, "kernel": 2}, duration=60_000, hold=600_000)
    except ConfigError as error:
        assert "hold" in str(error) and "655350" in str(error)
        return
    render(cfg, tmp_path / "a.gif")
    _, durations, _ = read_back(tmp_path / "a.gif")
    assert durations == [60_000] * 4 + [600_000]


def test_timing_holds_a_final_frame():
    """Every step lasts ``duration``; the held clean final frame ``hold`` (or a duration)."""
    assert Timing().durations(3) == [1000] * 4
    assert Timing(200, 50).durations(3) == [200, 200, 200, 50]
    assert Timing(200, 50).frame_count(3) == 4 and Timing(200, final=False).frame_count(3) == 3
    assert Timing(200, 50).final_ms == 50 and Timing(200).final_ms == 200


def test_both_view_frame_count_matches_the_file(tmp_path):
    # gather has 2x2 = 4 steps, scatter 4x4 = 16: a "both" render must agree with its file
    cfg = config({"op": "transposed", "size": 4, "kernel": 3, "padding": 2, "view": "both"},
                 hold=500)
    result = render(cfg, tmp_path / "a.gif")
    im, durations, _ = read_back(tmp_path / "a.gif")
    assert result.frames == im["n_frames"]
    assert durations[-2:] == [1000, 500]  # the hold is the final frame's, after the last step


# ------------------------------------------------------------------ the writer on its own


def test_write_synthetic_frames(tmp_path):
    palette = np.zeros((256, 3), np.uint8)
    palette[:4] = [(255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255)]
    full = np.zeros((3, 4), np.uint8)
    full[1, 1] = 1
    second = full.copy()
    second[2, 3] = 2
    frames = [RasterFrame(0, full, (0, 0, 4, 3), None),
              RasterFrame(1, second, (3, 2, 4, 3), np.ones((1, 1), bool)),
              RasterFrame(2, second, (0, 0, 1, 1), np.zeros((1, 1), bool))]
    path = tmp_path / "deep" / "er" / "s.gif"  # missing folders are created
    written = write(path, frames, size=(4, 3), palette=palette, count=2,
                    timing=Timing(100, 200))  # 2 steps and the final frame
    assert written == path.stat().st_size
    _, durations, decoded = read_back(path)
    assert durations == [100, 100, 200]
    np.testing.assert_array_equal(decoded[0], palette[full])
    np.testing.assert_array_equal(decoded[1], palette[second])
    np.testing.assert_array_equal(decoded[2], palette[second])  # nothing changed


def test_gif_stream_without_loop(tmp_path):
    path = tmp_path / "once.gif"
    with open(path, "wb") as handle:
        gif = GifStream(handle, (2, 2), np.zeros((256, 3), np.uint8), loop=None)
        gif.add(np.zeros((2, 2), np.uint8), (0, 0), 50)
        gif.close()
    parsed = parse_gif(path.read_bytes())
    assert parsed["loop"] is None
    assert len(parsed["images"]) == 1 and len(parsed["table"]) == 3 * 256


def test_unknown_suffix_writes_nothing(tmp_path):
    with pytest.raises(ConfigError, match=r"\.bmp.*known: \.gif"):
        writer_for(tmp_path / "a.bmp")
    with pytest.raises(ConfigError, match="no suffix"):
        render(config(), tmp_path / "noext")
    with pytest.raises(ConfigError):
        render(config(), tmp_path / "a.BMP")
    assert list(tmp_path.iterdir()) == []
    assert writer_for(tmp_path / "A.GIF") is writer_for(tmp_path / "a.gif")


# ------------------------------------------------------------------ byte-identical renders


def test_rerender_is_byte_identical(tmp_path):
    cfg = config(SCATTER)
    render(cfg, tmp_path / "a.gif")
    render(cfg, tmp_path / "b.gif")
    render(config(SCATTER), tmp_path / "c.gif")
    a = (tmp_path / "a.gif").read_bytes()
    assert a == (tmp_path / "b.gif").read_bytes() == (tmp_path / "c.gif").read_bytes()


def test_rerender_in_another_process_is_byte_identical(tmp_path):
    render(config(CROPPED), tmp_path / "here.gif")
    code = ("import sys\n"
            "from deconv_anim.config import config_from_mapping\n"
            "from deconv_anim.animation import render\n"
            f"cfg = config_from_mapping({{**{CROPPED!r}, 'style': {{'cell': 16}}}})\n"
            "render(cfg, sys.argv[1])\n")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there.gif")], check=True,
                   env=env, capture_output=True)
    assert (tmp_path / "here.gif").read_bytes() == (tmp_path / "there.gif").read_bytes()


# ------------------------------------------------------------------ atomic writes


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def failing_frames(exc: BaseException, after: int = 2):
    original = Raster.frames

    def frames(self, tween=0):
        for n, frame in enumerate(original(self, tween)):
            if n == after:
                raise exc
            yield frame

    return frames


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_failure_midway_keeps_the_previous_file(tmp_path, monkeypatch, exc):
    path = tmp_path / "a.gif"
    path.write_bytes(b"previous")
    monkeypatch.setattr(Raster, "frames", failing_frames(exc))
    with pytest.raises(type(exc)):
        render(config(), path)
    assert path.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_encoder_failure_midway_leaves_no_file(tmp_path, monkeypatch, exc):
    original = GifStream.add
    calls = []

    def add(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            raise exc
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GifStream, "add", add)
    with pytest.raises(type(exc)):
        render(config(), tmp_path / "a.gif")
    assert list(tmp_path.iterdir()) == []


def test_failing_config_leaves_no_file(tmp_path):
    path = tmp_path / "a.gif"
    with pytest.raises(ConfigError, match=r"10 frames.*limit of 4"):
        render(config(), path, max_frames=4)
    with pytest.raises(ConfigError, match="limit of 100"):
        render(config(), path, max_pixels=100)
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"previous")
    with pytest.raises(ConfigError):
        render(config(), path, max_frames=4)
    assert path.read_bytes() == b"previous"


def test_success_replaces_the_previous_file(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"previous")
    render(config(), path)
    assert path.read_bytes()[:6] == b"GIF89a"
    assert leftovers(tmp_path) == []


def test_atomic_output_directly(tmp_path):
    path = tmp_path / "new" / "x.bin"
    with atomic_output(path) as handle:
        handle.write(b"abc")
        assert not path.exists()  # nothing at the path until the block succeeds
        assert len(leftovers(path.parent)) == 1
    assert path.read_bytes() == b"abc"
    assert leftovers(path.parent) == []
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(ValueError), atomic_output(path) as handle:
        handle.write(b"partial")
        raise ValueError
    assert path.read_bytes() == b"abc"
    assert leftovers(path.parent) == []
    with pytest.raises(OutputError, match="is a directory"), atomic_output(tmp_path):
        pass
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot create the folder"), atomic_output(
            blocker / "x.gif"):
        pass


# ----------------------------------------------------------------------------- boundaries


def _modules_after(statement):
    """The deconv_anim modules (and PIL) a fresh interpreter holds after ``statement``."""
    import subprocess
    import sys

    code = (f"{statement}\nimport sys\n"
            "print(' '.join(sorted(m for m in sys.modules "
            "if m.startswith(('deconv_anim', 'PIL')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_encode_loads_no_drawing_module():
    loaded = _modules_after("import deconv_anim.encode")
    drawing = {f"deconv_anim.{m}" for m in ("spec", "engine", "scene", "layout", "timeline",
                                            "raster", "frames", "paint", "composite",
                                            "palette", "svg", "font")}
    assert "deconv_anim.encode" in loaded
    assert not loaded & drawing, loaded & drawing
    assert "PIL" not in loaded


def test_the_formats_table_says_which_kind_each_is():
    from deconv_anim.encode import BITMAP, FORMATS, SHEET, VECTOR

    kinds = {name: fmt.kind for name, fmt in FORMATS.items()}
    assert kinds == {"gif": BITMAP, "png": BITMAP, "webp": BITMAP, "mp4": BITMAP,
                     "svg": VECTOR, "html": VECTOR}
    assert SHEET.kind == BITMAP
    assert [n for n, f in FORMATS.items() if f.vector] == ["svg", "html"]


def test_bitmap_writers_take_frames_and_one_info(tmp_path):
    """A writer is called with the frames and a FrameInfo only (no raster, no options)."""
    import inspect

    from deconv_anim.encode import FORMATS, SHEET, FrameInfo

    for fmt in [*FORMATS.values(), SHEET]:
        params = list(inspect.signature(fmt.load_writer()).parameters.values())
        assert len(params) == 3, fmt.name
        assert all(p.kind == p.POSITIONAL_OR_KEYWORD for p in params), fmt.name
    palette = np.zeros((256, 3), np.uint8)
    palette[1] = (255, 0, 0)
    frames = [RasterFrame(n, np.full((3, 4), n % 2, np.uint8), (0, 0, 4, 3), None)
              for n in range(3)]
    info = FrameInfo(size=(4, 3), palette=palette, count=2, timing=Timing(100), loop=2)
    out = tmp_path / "x.gif"
    with out.open("wb") as handle:
        FORMATS["gif"].load_writer()(handle, iter(frames), info)
    with Image.open(out) as im:
        assert im.n_frames == 3 and im.info["loop"] == 2 and im.info["duration"] == 100
