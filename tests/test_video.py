"""The MP4 writer: every step reaches the video, the colours are the GIF's, the bytes are
deterministic, and ffmpeg's own reason is the one line a failure reports (issue 18, items
17 and 18; issue 19, target 3)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest
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
        assert error.mean() < 3 and np.percentile(error, 95) < 12  # yuv420p, crf 18


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
