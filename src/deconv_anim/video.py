"""The MP4 writer: H.264 through the ffmpeg that imageio-ffmpeg ships (``[video]``).

The frames (palette indices and the box each changed) become yuv420p here, only the
changed box converted, and go to ffmpeg's stdin; x264 encodes them with fixed settings
(:data:`X264_SETTINGS`), so the bytes are the same on every machine. The frame rate is
:func:`deconv_anim.budget.video_frame_rate`'s: every frame reaches the video. A failure
is reported with ffmpeg's own reason (:func:`_ffmpeg_reason`).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, BinaryIO

import numpy as np

from .encode import FrameInfo, _repeats, _timed, _video_fps
from .errors import ConfigError, MissingDependencyError

if TYPE_CHECKING:
    from .raster import RasterFrame

__all__ = ["write_mp4", "X264_SETTINGS"]


X264_SETTINGS = ("-preset", "ultrafast", "-qp", "14", "-x264-params", "ref=6",
                 "-threads", "2")
"""x264's settings, chosen by measurement on the 256-step conv 16x16 figure (942x1180, 257
frames; benchmarks/README.md, issue 19 target 3). Every frame here costs x264 about 15 M
instructions even when nothing changed (it checks every macroblock for a skip), against
2-3 M more for what did change, so what matters is the cost per frame, not per change.

- A constant quantizer (``-qp``) instead of ``-crf``: no look-ahead, no macroblock tree,
  no half-resolution copy of every frame (CRF's analysis), and with ``ultrafast`` no
  B-frames, no deblocking (at these quantizers it would change nothing), whole-pixel
  motion search (the figures never move by fractions of a pixel; ``subme=1`` cost a
  quarter more on unchanged frames) and CAVLC (CABAC cost 28% more instructions a frame
  for 11% fewer bytes): 0.41x the instructions of ``veryfast``/``-tune animation``/CRF 18
  (0.44x with the six references below).
- ``ref=6``: six reference frames. When the kernel window moves on, the cells it leaves
  look as they did a few frames earlier, and x264 copies them from there instead of
  coding them again: 0.68x the bytes of one reference (4.53 MB -> 3.10 MB) and better
  PSNR (53.0 -> 55.1 dB) for about 5% more instructions; level 4.0 at this size (four
  references: 3.23 MB, level 3.2).
- ``-qp 14``: 55 dB PSNR against the frames sent (CRF 18 gave 57.8 on the first 48
  frames; the difference does not show at 1x, thin lines and text stay sharp), for a
  file about the size CRF 18 made (1.84x the GIF's bytes; ``-qp 12``: 56.6 dB, 2.05x).
- Two threads, a fixed count (x264 records it, so with "as many as there are cores" the
  bytes would depend on the machine): x264 uses what the drawing leaves of the second
  core; against one thread the same bytes, about the same CPU, and less wall time in
  six of seven interleaved comparisons (6.07 s against 8.03 s in the last)."""

# BT.601, limited range: what ffmpeg's own RGB -> yuv420p conversion uses
_YUV = np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0],
                 [112.0, -93.786, -18.214]]) / 255.0
_YUV_OFFSET = np.array([16.0, 128.0, 128.0])


class _Yuv420:
    """A yuv420p picture kept from palette frames: only each frame's changed box is
    converted (luma by a lookup per pixel, chroma the mean of 2x2 pixels' chroma)."""

    def __init__(self, size: tuple[int, int], palette: np.ndarray, background: int) -> None:
        width, height = size
        self.width, self.height = width + width % 2, height + height % 2
        yuv = np.asarray(palette, np.float64)[:, :3] @ _YUV.T + _YUV_OFFSET
        self.luma = np.clip(np.rint(yuv[:, 0]), 0, 255).astype(np.uint8)
        # chroma in 16ths, so the mean of four is integer sums: (u1 + u2 + u3 + u4 + 32) >> 6;
        # U in the low 16 bits and V in the high ones of one number (at most 4 * 240 * 16
        # < 2 ** 16: no carry between them). The tables are indexed by a pair of
        # neighbouring pixels read as one uint16 (the left one first in memory, whatever the
        # byte order): one lookup makes both lumas of a pair, two make the chroma sums of a
        # 2x2 block (its upper and its lower pair)
        u, v = (np.rint(yuv[:, k] * 16).astype(np.uint32) for k in (1, 2))
        packed = u | (v << 16)
        left, right = np.arange(1 << 16, dtype=np.uint16).view(np.uint8).reshape(-1, 2).T
        self.luma_pairs = (np.stack([self.luma[left], self.luma[right]], 1).reshape(-1)
                           .view(np.uint16))
        self.pairs = packed[left] + packed[right]
        self.indices = np.full((self.height, self.width), background, np.uint8)
        area = self.width * self.height
        self.buffer = np.empty(area * 3 // 2, np.uint8)
        self.y = self.buffer[:area].reshape(self.height, self.width)
        self.uv = [self.buffer[area + k * area // 4: area + (k + 1) * area // 4]
                   .reshape(self.height // 2, self.width // 2) for k in (0, 1)]
        self._convert((0, 0, self.width, self.height))

    def update(self, frame: RasterFrame) -> memoryview:
        """Take ``frame`` (only its box changed since the last one); the picture's bytes."""
        x0, y0, x1, y1 = frame.box
        return self.update_box(frame.box, frame.pixels[y0:y1, x0:x1])

    def update_box(self, box: tuple[int, int, int, int], region: np.ndarray) -> memoryview:
        """Take the pixels ``region`` of ``box`` (nothing else changed); the picture's
        bytes (the picture's own buffer: send them before the next update)."""
        x0, y0, x1, y1 = box
        self.indices[y0:y1, x0:x1] = region
        self._convert((x0 & ~1, y0 & ~1, x1 + x1 % 2, y1 + y1 % 2))
        return self.buffer.data

    def _convert(self, box: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            return
        # the box's pixels in pairs (x0 and the widths are even)
        block = self.indices[y0:y1, x0:x1].view(np.uint16)
        np.take(self.luma_pairs, block, out=self.y[y0:y1, x0:x1].view(np.uint16))
        total = np.take(self.pairs, block[0::2])
        total += np.take(self.pairs, block[1::2])
        total += 32 | (32 << 16)  # rounding, for both halves
        u, v = self.uv
        u[y0 // 2:y1 // 2, x0 // 2:x1 // 2] = (total & 0xFFFF) >> 6
        v[y0 // 2:y1 // 2, x0 // 2:x1 // 2] = total >> 22


class _Feed:
    """Starts ffmpeg, converts the frames to yuv420p and writes them to it, on a thread of
    its own, so the drawing of the frames (the caller's thread) overlaps all of it: the
    check of the ffmpeg binary (imageio-ffmpeg runs it once) and its start while the first
    frame is drawn, then each conversion and pipe write while the next frame is drawn
    (NumPy's lookups and the writes release the GIL). A bounded queue of changed boxes
    (copied: the renderer reuses its buffer) links the two threads. The thread's first
    error (a broken pipe when ffmpeg fails) stops it and is kept in :attr:`error`."""

    def __init__(self, picture: _Yuv420, arguments: list[str], log: IO[bytes]) -> None:
        import queue
        import threading

        self.jobs: queue.Queue[tuple[tuple[int, int, int, int], np.ndarray, int] | None] = (
            queue.Queue(maxsize=4))
        self.error: BaseException | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._aborted = False
        self.thread = threading.Thread(target=self._run, args=(picture, arguments, log),
                                       daemon=True, name="deconv-anim-mp4")
        self.thread.start()

    def put(self, frame: RasterFrame, repeat: int) -> bool:
        """Queue ``frame`` (sent ``repeat`` times); false once the thread has failed."""
        if self.error is not None:
            return False
        x0, y0, x1, y1 = frame.box
        self.jobs.put((frame.box, frame.pixels[y0:y1, x0:x1].copy(), repeat))
        return True

    def close(self) -> None:
        """Wait until every queued frame is written and ffmpeg's input closed (or the
        thread has failed)."""
        self.jobs.put(None)
        self.thread.join()

    def abort(self) -> None:
        """Kill ffmpeg (now, or as soon as the thread starts it)."""
        with self._lock:
            self._aborted = True
            if self.process is not None:
                self.process.kill()

    def _run(self, picture: _Yuv420, arguments: list[str], log: IO[bytes]) -> None:
        try:
            import imageio_ffmpeg  # type: ignore[import-untyped, unused-ignore]

            exe = imageio_ffmpeg.get_ffmpeg_exe()
            with self._lock:
                if self._aborted:
                    raise BrokenPipeError
                self.process = subprocess.Popen([exe, *arguments], stdin=subprocess.PIPE,
                                                stdout=subprocess.DEVNULL, stderr=log)
            pipe = self.process.stdin
            assert pipe is not None
            while (job := self.jobs.get()) is not None:
                box, region, repeat = job
                data = picture.update_box(box, region)
                for _copy in range(repeat):
                    pipe.write(data)
            with contextlib.suppress(OSError):
                pipe.close()
        except BaseException as error:  # handed to the caller's thread
            self.error = error
            if self.process is not None and self.process.stdin is not None:
                with contextlib.suppress(OSError):
                    self.process.stdin.close()
            while self.jobs.get() is not None:  # the producer never blocks on a full queue
                pass


def _ffmpeg_reason(log: str, code: int | None) -> OSError:
    """ffmpeg's real reason, from its log, as an ``OSError`` (one line): the OS's words when
    it names an OS error, else its first line without the ``[module @ 0x...]`` tags."""
    import errno
    import os
    import re

    for number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                   errno.EIO):
        if os.strerror(number) in log:
            return OSError(number, os.strerror(number))
    for line in log.splitlines():
        text = re.sub(r"^(\s*\[[^\]]*\]\s*)+", "", line).strip()
        if text:
            return OSError(0, f"ffmpeg: {text}")
    return OSError(0, f"ffmpeg ended with exit code {code}")


def write_mp4(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    """H.264 in yuv420p (what every browser plays), padded with the background colour to
    even dimensions (never scaled), ``+faststart`` so it plays while loading.

    The frames go to ffmpeg already in yuv420p (half the bytes of RGB, and only each
    frame's changed box converted); ffmpeg's one-line reason is reported if it fails.
    """
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped, unused-ignore]  # noqa: F401
    except ImportError:
        raise MissingDependencyError("writing .mp4 needs imageio-ffmpeg: "
                                     "pip install 'deconv-anim[video]'") from None
    import tempfile

    from .budget import MAX_VIDEO_FRAMES, X264_MAX_SIDE

    timing, count = info.timing, info.count
    durations = timing.durations(count)
    rate = _video_fps(durations, info.fps, timing.tween, timing.duration)
    repeats = _repeats(durations, rate)
    if sum(repeats) > MAX_VIDEO_FRAMES:  # (the resource guard refuses it before drawing)
        raise ConfigError("fps", f"the video would hold {sum(repeats)} frames, more than the "
                                 f"budget of {MAX_VIDEO_FRAMES} (lower --fps or the duration)")
    picture = _Yuv420(info.size, info.palette, info.background)
    if max(picture.width, picture.height) > X264_MAX_SIDE:
        raise ConfigError("style.cell", f"a video frame side of "
                                        f"{max(picture.width, picture.height)} pixels is more "
                                        f"than the {X264_MAX_SIDE} x264 encodes (use a smaller "
                                        "cell, or write .gif)")
    arguments = ["-hide_banner", "-nostdin", "-v", "error",
                 "-f", "rawvideo", "-pix_fmt", "yuv420p",
                 "-s", f"{picture.width}x{picture.height}",
                 "-r", f"{rate.numerator}/{rate.denominator}", "-i", "-", "-an",
                 "-c:v", "libx264", *X264_SETTINGS, "-pix_fmt", "yuv420p",
                 "-colorspace", "smpte170m", "-color_range", "tv",
                 "-movflags", "+faststart", "-f", "mp4", "-y", out.name]
    with tempfile.TemporaryFile() as log:
        feed = _Feed(picture, arguments, log)
        try:
            for (frame, _ms), repeat in zip(_timed(frames, timing, count), repeats):
                if not feed.put(frame, repeat):
                    break
            feed.close()
        except BaseException:  # (Ctrl-C while the last frames are written too)
            feed.abort()
            feed.close()
            if feed.process is not None:
                feed.process.wait()
            raise
        process, error = feed.process, feed.error
        if error is not None and not isinstance(error, BrokenPipeError):
            if process is not None:
                process.kill()
                process.wait()
            raise error
        assert process is not None
        code = process.wait()
        if error is not None or code:
            log.seek(0)
            raise _ffmpeg_reason(log.read().decode("utf-8", "replace"), code)
