"""The MP4 writer: every step reaches the video, the colours are the GIF's, the bytes are
deterministic, and ffmpeg's own reason is the one line a failure reports (issue 18, items
17 and 18; issue 19, target 3)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

pytest.importorskip("imageio_ffmpeg")

from deconv_anim.animation import render
from deconv_anim.config import config_from_mapping
from deconv_anim.encode import Timing, _repeats, _video_fps
from deconv_anim.video import _ffmpeg_reason


def decode(path: Path, size: tuple[int, int]) -> np.ndarray:
    """Every video frame as RGB (ffmpeg's own decoder), shape (frames, height, width, 3);
    ``size`` is the animation's, padded to even sides in the video."""
    import imageio_ffmpeg

    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    width, height = size[0] + size[0] % 2, size[1] + size[1] % 2
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def gif_frames(path: Path) -> list[np.ndarray]:
    out = []
    with Image.open(path) as image:
        for n in range(image.n_frames):
            image.seek(n)
            out.append(np.asarray(image.convert("RGB")).astype(int))
    return out


def distinct_runs(video: np.ndarray) -> int:
    """How many runs of identical consecutive frames the video holds."""
    changes = [not np.array_equal(a, b) for a, b in itertools.pairwise(video)]
    return 1 + sum(changes)


def test_short_steps_all_reach_the_video(tmp_path):
    """`--duration 20 --hold 1`: 4 steps at 30 fps used to become 2 video frames."""
    config = config_from_mapping({"op": "conv", "size": 2, "kernel": 1, "duration": 20,
                                  "hold": 1, "style": {"cell": 12}})
    result = render(config, tmp_path / "x.mp4")
    video = decode(tmp_path / "x.mp4", result.size)
    assert distinct_runs(video) == 5  # 4 steps and the final frame
    durations = Timing(20, 1).durations(4)
    assert len(video) == sum(_repeats(durations, _video_fps(durations, None)))


def test_every_tween_frame_reaches_the_video(tmp_path):
    """`--tween 60`: 185 frames used to become 2 at 30 fps; now 120 fps, one video frame
    per in-between frame (60 of them share half a step)."""
    config = config_from_mapping({"op": "conv", "size": 2, "kernel": 1,
                                  "style": {"cell": 8}})
    result = render(config, tmp_path / "x.mp4", tween=60)
    video = decode(tmp_path / "x.mp4", result.size)
    assert Timing(1000, 0, 60).frame_count(4) == 185
    # each step 500 ms held (60 video frames) and 60 in-between frames; the last step and
    # the final frame 1 s each
    assert len(video) == 3 * (60 + 60) + 120 + 120
    assert distinct_runs(video) >= 4


def test_the_video_shows_the_gif_frames_and_is_deterministic(tmp_path):
    config = config_from_mapping({"op": "transposed", "size": 2, "kernel": 3, "stride": 2,
                                  "style": {"cell": 15}})
    result = render(config, tmp_path / "a.mp4")
    render(config, tmp_path / "b.mp4")
    render(config, tmp_path / "a.gif")
    assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()
    video = decode(tmp_path / "a.mp4", result.size)
    frames = gif_frames(tmp_path / "a.gif")
    assert len(video) == len(frames)
    for shown, frame in zip(video, frames):
        h, w = frame.shape[:2]
        error = np.abs(shown[:h, :w].astype(int) - frame)
        assert error.mean() < 3 and np.percentile(error, 95) < 12  # yuv420p, qp 14


@pytest.mark.parametrize("log, reason", [
    ("[out#0/mp4 @ 0x55] Could not write header (incorrect codec parameters ?): No space "
     "left on device\n[vf#0:0 @ 0x56] Error sending frames", "No space left on device"),
    ("[libx264 @ 0x560e5fcb5800] invalid width x height (20032x72)\n[vost#0:0/libx264 @ 0x5] "
     "[enc:libx264 @ 0x5] Error while opening encoder", "ffmpeg: invalid width x height "
     "(20032x72)"),
    ("", "ffmpeg ended with exit code 187"),
])
def test_ffmpeg_s_reason_is_one_line(log, reason):
    error = _ffmpeg_reason(log, 187)
    assert isinstance(error, OSError) and error.strerror == reason


@pytest.mark.parametrize("fps, message", [
    (1e6, "fps: must be a number from 0.1 to 120 (got 1e+06)"),
    (float("nan"), "fps: must be a number from 0.1 to 120 (got nan)"),
    (0.0001, "fps: must be a number from 0.1 to 120 (got 0.0001)"),
])
def test_the_writer_itself_bounds_the_frame_rate(tmp_path, fps, message):
    """Issue 18, item 11: the range reaches the writer (encode.write called directly)."""
    from deconv_anim.encode import write
    from deconv_anim.errors import ConfigError

    frames = iter(())
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+")):
        write(tmp_path / "x.mp4", frames, size=(4, 4), palette=np.zeros((256, 3), np.uint8),
              count=4, fps=fps)
    assert list(tmp_path.iterdir()) == []


def test_the_writer_itself_bounds_the_video_length(tmp_path):
    from deconv_anim.encode import write
    from deconv_anim.errors import ConfigError

    with pytest.raises(ConfigError, match="would hold 120120 frames, more than the budget"):
        write(tmp_path / "x.mp4", iter(()), size=(4, 4), palette=np.zeros((256, 3), np.uint8),
              count=1000, timing=Timing(1000), fps=120)
    assert list(tmp_path.iterdir()) == []


def test_the_video_lasts_as_long_as_the_animation(tmp_path):
    """The MP4's frame count and length are the animation's timing: each step ``duration``
    ms, the last one ``hold`` ms longer (ffmpeg's own count, through imageio-ffmpeg)."""
    import imageio_ffmpeg

    config = config_from_mapping({"op": "conv", "size": 3, "kernel": 2, "duration": 250,
                                  "hold": 750, "style": {"cell": 10}})
    render(config, tmp_path / "x.mp4")
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "x.mp4"))
    assert seconds == pytest.approx((4 * 250 + 750) / 1000, abs=0.01)
    assert frames == 7  # 4 fps: a frame per step, 3 more for the hold


def naive_yuv420(indices: np.ndarray, palette: np.ndarray) -> bytes:
    """yuv420p of a palette image, pixel by pixel: luma rounded, each chroma sample the
    mean of its 2x2 pixels' chroma (in 16ths, rounded half up). A colour's Y, U and V are
    the writer's BT.601 matrix (the same floats, so a value at .5 rounds alike)."""
    from deconv_anim.video import _YUV, _YUV_OFFSET

    height, width = indices.shape
    y = np.zeros((height, width), np.uint8)
    u = np.zeros((height // 2, width // 2), np.uint8)
    v = np.zeros((height // 2, width // 2), np.uint8)

    def yuv(index: int) -> tuple[float, float, float]:
        row = np.asarray(palette[index:index + 1], np.float64) @ _YUV.T + _YUV_OFFSET
        return tuple(float(x) for x in row[0])  # type: ignore[return-value]

    for row in range(height):
        for col in range(width):
            y[row, col] = min(255, max(0, round(yuv(int(indices[row, col]))[0])))
    for row in range(0, height, 2):
        for col in range(0, width, 2):
            block = [yuv(int(indices[row + dr, col + dc])) for dr in (0, 1) for dc in (0, 1)]
            for plane, k in ((u, 1), (v, 2)):
                total = sum(int(np.rint(p[k] * 16)) for p in block)
                plane[row // 2, col // 2] = min(255, (total + 32) >> 6)
    return y.tobytes() + u.tobytes() + v.tobytes()


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_yuv_of_changed_boxes_is_the_whole_picture_s(data):
    """The picture the MP4 writer keeps (only each frame's changed box converted, two
    pixels' chroma per lookup) is, after every frame, the naive conversion of the whole
    frame."""
    from types import SimpleNamespace

    from deconv_anim.video import _Yuv420

    width = data.draw(st.integers(1, 9), label="width")
    height = data.draw(st.integers(1, 9), label="height")
    colors = data.draw(st.integers(1, 256), label="colors")
    palette = np.array(data.draw(st.lists(st.tuples(*[st.integers(0, 255)] * 3),
                                          min_size=colors, max_size=colors)), np.uint8)
    palette = np.vstack([palette, np.zeros((256 - colors, 3), np.uint8)])
    picture = _Yuv420((width, height), palette, 0)
    shown = np.zeros((picture.height, picture.width), np.uint8)
    for _ in range(data.draw(st.integers(1, 3), label="frames")):
        x0 = data.draw(st.integers(0, width), label="x0")
        x1 = data.draw(st.integers(x0, width), label="x1")
        y0 = data.draw(st.integers(0, height), label="y0")
        y1 = data.draw(st.integers(y0, height), label="y1")
        pixels = np.array(data.draw(st.lists(st.integers(0, colors - 1), min_size=width
                                             * height, max_size=width * height)),
                          np.uint8).reshape(height, width)
        shown[y0:y1, x0:x1] = pixels[y0:y1, x0:x1]
        got = bytes(picture.update(SimpleNamespace(box=(x0, y0, x1, y1), pixels=pixels)))
        assert got == naive_yuv420(shown, palette)


def _frames(count: int, fail_at: int | None = None):
    """``count`` frames of 64x48 palette indices, each a new box of colour 1 + n % 5; a
    ``RuntimeError`` instead of frame ``fail_at``."""
    from deconv_anim.raster import RasterFrame

    pixels = np.zeros((48, 64), np.uint8)
    for n in range(count):
        if n == fail_at:
            raise RuntimeError("drawing failed")
        box = (0, 0, 64, 48) if n == 0 else (n % 8 * 8, 8, n % 8 * 8 + 8, 24)
        x0, y0, x1, y1 = box
        pixels[y0:y1, x0:x1] = 1 + n % 5
        yield RasterFrame(n, pixels, box, None)


def test_a_failure_while_drawing_stops_ffmpeg_and_leaves_no_file(tmp_path):
    """The frames are drawn on the caller's thread while another starts ffmpeg and feeds
    it: an error in the drawing reaches the caller, ffmpeg is killed, nothing is left."""
    import threading

    from deconv_anim.encode import Timing, write

    palette = np.zeros((256, 3), np.uint8)
    palette[:6] = [[255, 255, 255], [200, 0, 0], [0, 200, 0], [0, 0, 200], [90, 90, 0],
                   [0, 90, 90]]
    for fail_at in (0, 1, 6):
        with pytest.raises(RuntimeError, match="drawing failed"):
            write(tmp_path / "x.mp4", _frames(12, fail_at), size=(64, 48), palette=palette,
                  count=11, timing=Timing(100))
        assert list(tmp_path.iterdir()) == []
    assert [t.name for t in threading.enumerate() if t.name == "deconv-anim-mp4"] == []
    write(tmp_path / "x.mp4", _frames(12), size=(64, 48), palette=palette, count=11,
          timing=Timing(100))
    video = decode(tmp_path / "x.mp4", (64, 48))
    assert len(video) == 12
    # frame 11 painted colour 1 + 11 % 5 into x 24-32; frame 3 colour 4 into the same box
    assert np.abs(video[-1, 10:22, 26:30].astype(int) - palette[2]).max() < 12
    assert np.abs(video[3, 10:22, 26:30].astype(int) - palette[4]).max() < 12
