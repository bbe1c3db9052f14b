"""Encode: frames to files, written atomically. One ``write`` entry point; the writer is
chosen from the output suffix by a table (:data:`FORMATS`).

=========  ==========================================  ===========================
suffix     what                                        backend
=========  ==========================================  ===========================
``.gif``   animated GIF, streamed                      Pillow's LZW encoder
``.png``   animated PNG (APNG), streamed               zlib
``.webp``  animated WebP, lossless                     Pillow (holds every frame)
``.mp4``   H.264 video, yuv420p, ``+faststart``        imageio-ffmpeg (``[video]``)
``.svg``   animated SVG drawn from layout + timeline   :mod:`deconv_anim.svg`
=========  ==========================================  ===========================

The table of formats (suffix, MIME, kind, writer, extra) is
:data:`deconv_anim.formats.FORMATS`. ``write(..., sheet=True)`` writes one PNG with every
frame in a grid instead.

Two kinds of writer (:attr:`Format.kind`). A *bitmap* writer receives the frames
(:class:`~deconv_anim.raster.RasterFrame`: palette indices and the box that changed) and
one :class:`FrameInfo` (size, palette, timing, loop, ...), nothing else. A *vector* writer
receives a :class:`~deconv_anim.layout.Figure` (scenes, layouts and timelines) and the
timing, never frames. This module imports none of the drawing modules: a figure is drawn
by :mod:`deconv_anim.svg`, imported when an SVG is written.

The GIF and APNG writers stream: header and the one palette first, then per frame only the
box that changed (unchanged pixels inside it transparent), so memory stays flat whatever the
frame count and small changes cost little.

A long GIF is written by two processes, to the same bytes as one: when its frames can be
drawn a range at a time (one view of an op), each process composes and LZW-encodes ranges
of frames and this one writes the blocks in frame order (:mod:`deconv_anim.gif_parallel`);
otherwise a forked worker LZW-encodes some of the frames this process composes
(:mod:`deconv_anim.lzw`). Either way the file streams, and is written atomically.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from .atomic import atomic_output
from .budget import frame_count, frame_durations
from .errors import ConfigError
from .formats import FORMATS, SHEET, Format, format_for, format_named
from .gif_parallel import NoSecondProcess, ranged, write_ranges
from .lzw import OrderedBlocks, Worker, gif_image, masked, parallel_wanted

if TYPE_CHECKING:
    from fractions import Fraction

    from .layout import Figure
    from .raster import RasterFrame

__all__ = ["write", "atomic_output", "Timing", "FrameInfo", "Format", "FORMATS", "GifStream",
           "writer_for", "format_for", "format_named", "MAX_SHEET_PIXELS", "BITMAP", "VECTOR"]

MAX_SHEET_PIXELS = 200_000_000
"""A contact sheet larger than this is refused (it is one image, held in memory)."""
MAX_WEBP_BYTES = 4_000_000_000
"""WebP frames are held until the file is written (Pillow's encoder): refuse more."""


# ----------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Milliseconds per step, the held final frame, and in-between frames per step.

    Every step lasts ``duration``. With ``tween`` N every step but the last is followed by
    N in-between frames: the step's own frame holds for the first half of its
    ``duration``, the N in-between frames share the other half (ease in and out to the
    next step). After the last step comes the held clean final frame (``final``), a frame
    but not a step: ``hold`` milliseconds, or one ``duration`` when ``hold`` is 0
    (:func:`deconv_anim.budget.frame_durations`).
    """

    duration: int = 1000
    hold: int = 0
    tween: int = 0
    final: bool = True

    @property
    def final_ms(self) -> int:
        """Milliseconds of the held clean final frame."""
        return self.hold or self.duration

    def frame_count(self, count: int) -> int:
        """Frames written for ``count`` steps: ``(count - 1) * (tween + 1) + 1``, and one
        more for the final frame."""
        return frame_count(count, self.tween, self.final)

    def durations(self, count: int) -> list[int]:
        """Milliseconds of each frame written; they add up to :meth:`total`.

        >>> Timing(100, 50, tween=2).durations(2)
        [50, 25, 25, 100, 50]
        """
        return frame_durations(self.duration, self.hold, self.tween, count, self.final)

    def total(self, count: int) -> int:
        return sum(self.durations(count))


@dataclass(frozen=True)
class FrameInfo:
    """Everything a bitmap writer needs besides the frames.

    ``size`` is (width, height); ``palette`` the 256 x 3 uint8 colours of the frames'
    indices, entry ``background`` the background and entry ``clear`` kept free for GIF
    transparency; ``count`` the steps, ``timing`` their timing (``timing.frame_count(count)``
    frames come); ``loop`` 0 loops forever. ``transparent``: background pixels are
    see-through. ``fps`` (video), ``columns`` and ``labels`` (contact sheet) matter to one
    writer each.
    """

    size: tuple[int, int]
    palette: np.ndarray
    count: int
    timing: Timing = Timing()
    loop: int = 0
    transparent: bool = False
    fps: float | Fraction | None = None
    columns: int | None = None
    labels: bool = True
    background: int = 0
    clear: int = 63

    @property
    def frame_count(self) -> int:
        return self.timing.frame_count(self.count)


def _timed(frames: Iterable[RasterFrame], timing: Timing, count: int
           ) -> Iterator[tuple[RasterFrame, int]]:
    """Each frame with its milliseconds; the frame count must be what ``timing`` says."""
    durations = timing.durations(count)
    n = 0
    for n, frame in enumerate(frames, 1):
        if n > len(durations):
            raise ValueError(f"got more than the {len(durations)} frames expected")
        yield frame, durations[n - 1]
    if n != len(durations):
        raise ValueError(f"got {n} frames, expected {len(durations)}")


def _video_fps(durations: list[int], fps: float | Fraction | None, tween: int = 0,
               duration: int = 1000) -> Fraction:
    """The frame rate of a video (:func:`deconv_anim.budget.video_frame_rate`: the rule the
    resource guard counts with): every frame gets at least one video frame."""
    from .budget import video_frame_rate

    return video_frame_rate(durations, fps, tween=tween, duration=duration)


def _repeats(durations: list[int], fps: Fraction) -> list[int]:
    """Video frames per animation frame: cumulative times rounded, so no drift builds up."""
    from .budget import _repeats as repeats

    return repeats(durations, fps)


# ----------------------------------------------------------------------------- GIF


class GifStream:
    """A GIF89a written frame by frame: nothing but the current frame is held."""

    def __init__(self, handle: BinaryIO, size: tuple[int, int], palette: np.ndarray,
                 *, loop: int | None = 0, bits: int = 8) -> None:
        self.handle, self.bits = handle, bits
        width, height = size
        background = 0
        flags = 0x80 | ((bits - 1) << 4) | (bits - 1)  # global table of 2**bits colours
        handle.write(b"GIF89a" + struct.pack("<HHBBB", width, height, flags, background, 0))
        handle.write(np.asarray(palette, np.uint8).reshape(-1, 3)[: 1 << bits].tobytes())
        if loop is not None:
            handle.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")

    def add(self, indices: np.ndarray, offset: tuple[int, int], duration_ms: int,
            transparent: int | None = None, disposal: int = 1) -> None:
        """Append one image of palette indices at ``offset``; ``disposal`` 1 keeps it under
        the next frame, 2 clears it to transparent."""
        self.handle.write(gif_image(indices, offset, _centiseconds(duration_ms), transparent,
                                    disposal, self.bits))

    def close(self) -> None:
        self.handle.write(b";")


def _centiseconds(duration_ms: int) -> int:
    return min(max(round(duration_ms / 10), 1), 0xFFFF)


def _changed_region(frame: RasterFrame, clear: int
                    ) -> tuple[np.ndarray, tuple[int, int], bool]:
    """(indices of the frame's changed box, its offset, whether unchanged pixels in it are
    marked ``clear``)."""
    x0, y0, x1, y1 = frame.box
    region = frame.pixels[y0:y1, x0:x1]
    if frame.changed is None:
        return region, (x0, y0), False
    return masked(region, frame.changed, clear), (x0, y0), True


def _see_through(indices: np.ndarray, info: FrameInfo) -> np.ndarray:
    """Background pixels made transparent (the ``clear`` entry)."""
    out = indices.copy()
    np.copyto(out, np.uint8(info.clear), where=indices == info.background)
    return out


def _gif_image(frame: RasterFrame, info: FrameInfo
               ) -> tuple[np.ndarray, tuple[int, int], int | None, int]:
    """(indices, offset, transparent index, disposal) of one frame's image block: per
    frame only the changed box, unchanged pixels transparent; with a transparent
    background the whole frame, background pixels transparent, cleared after showing."""
    clear = info.clear
    if info.transparent:
        return _see_through(frame.pixels, info), (0, 0), clear, 2
    region, offset, is_masked = _changed_region(frame, clear)
    return region, offset, clear if is_masked else None, 1


def _gif_delays(info: FrameInfo) -> list[int]:
    """Each frame's delay in centiseconds: the running time rounded, so short frames do
    not drift."""
    delays, elapsed = [], 0
    for ms in info.timing.durations(info.count):
        delay = max(1, round((elapsed + ms) / 10) - round(elapsed / 10))
        elapsed += ms
        delays.append(_centiseconds(10 * delay))
    return delays


def _write_gif(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    """Per frame only the changed box, unchanged pixels transparent. With a transparent
    background every frame is whole and cleared after showing (GIF transparency is one
    bit: edges keep a thin matte of the background colour).

    A long GIF is written by two processes, to the same bytes: when the frames can be
    drawn a range at a time (a single-channel figure's :class:`~deconv_anim.frames.FrameRun`,
    a channel figure's :class:`~deconv_anim.channel_run.ChannelRun`, two of either side by
    side: :class:`~deconv_anim.panels.PanelRun`), each process composes and encodes ranges
    of them (:mod:`deconv_anim.gif_parallel`); otherwise (the matrix view, chains) this
    process composes every frame and a second one
    LZW-encodes some (:mod:`deconv_anim.lzw`)."""
    clear = info.clear
    bits = max(2, (clear).bit_length())
    gif = GifStream(out, info.size, info.palette, loop=info.loop, bits=bits)
    delays = _gif_delays(info)
    parallel = parallel_wanted(info.frame_count * info.size[0] * info.size[1])
    if parallel and ranged(frames):
        count = getattr(frames, "count", None)
        if count != len(delays):
            raise ValueError(f"got {count} frames, expected {len(delays)}")
        def block(frame: RasterFrame, n: int) -> bytes:
            indices, offset, transparent, disposal = _gif_image(frame, info)
            return gif_image(indices, offset, delays[n], transparent, disposal, bits)

        try:
            write_ranges(out, frames, block)
        except NoSecondProcess:  # nothing drawn or written yet: one process draws it all
            parallel = False
        else:
            gif.close()
            return
    try:
        worker = Worker() if parallel else None
    except NoSecondProcess:  # nothing sent to it yet: this process encodes every frame
        worker = None
    try:
        blocks = OrderedBlocks(out, worker) if worker is not None else None
        for n, (frame, _ms) in enumerate(_timed(frames, info.timing, info.count)):
            delay = delays[n]
            if blocks is None:
                indices, offset, transparent, disposal = _gif_image(frame, info)
                gif.add(indices, offset, 10 * delay, transparent, disposal)
            elif info.transparent:
                blocks.add(_see_through(frame.pixels, info), (0, 0), delay, clear, 2, bits)
            else:  # the worker masks the unchanged pixels
                x0, y0, x1, y1 = frame.box
                mask = frame.changed
                blocks.add(frame.pixels[y0:y1, x0:x1], (x0, y0), delay,
                           None if mask is None else clear, 1, bits, mask)
        if blocks is not None:
            blocks.finish()
    finally:
        if worker is not None:
            worker.close()
    gif.close()


# ----------------------------------------------------------------------------- APNG


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png_rows(indices: np.ndarray) -> bytes:
    """Palette indices, 8 bits each, as deflated scanlines (filter type 0)."""
    h, w = indices.shape
    rows = np.zeros((h, w + 1), np.uint8)
    rows[:, 1:] = indices
    return zlib.compress(rows.tobytes(), 9)


def _apng_delay(ms: int) -> tuple[int, int]:
    for den in (1000, 100, 10, 1):
        num = round(ms * den / 1000)
        if num <= 0xFFFF:
            return num, den
    return 0xFFFF, 1


def _write_apng(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    """An APNG: the first frame whole (it is also the still image of viewers without
    APNG), then per frame only the changed box, blended over the previous frame (with a
    transparent background: replacing it, background pixels transparent)."""
    width, height = info.size
    clear = info.clear
    colors = clear + 1
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)))
    out.write(_png_chunk(b"acTL", struct.pack(">II", info.frame_count, info.loop)))
    out.write(_png_chunk(b"PLTE", np.asarray(info.palette, np.uint8)[:colors].tobytes()))
    alpha = bytes([255] * clear + [0])
    out.write(_png_chunk(b"tRNS", alpha))
    sequence = 0
    for n, (frame, ms) in enumerate(_timed(frames, info.timing, info.count)):
        region, (x, y), masked = _changed_region(frame, clear)
        if info.transparent:
            x0, y0, x1, y1 = frame.box
            region, masked = _see_through(frame.pixels[y0:y1, x0:x1], info), False
        h, w = region.shape
        num, den = _apng_delay(ms)
        blend = 1 if masked else 0  # over the previous frame / replace
        out.write(_png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, w, h, x, y, num,
                                                  den, 0, blend)))
        sequence += 1
        data = _png_rows(region)
        if n == 0:
            out.write(_png_chunk(b"IDAT", data))
        else:
            out.write(_png_chunk(b"fdAT", struct.pack(">I", sequence) + data))
            sequence += 1
    out.write(_png_chunk(b"IEND", b""))


# ----------------------------------------------------------------------------- WebP


def _write_webp(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    from PIL import Image

    size = info.size
    width, height = size
    if info.frame_count * width * height > MAX_WEBP_BYTES:
        raise ConfigError("output", f"a WebP of {info.frame_count} frames of "
                                    f"{width}x{height} is too large to encode in memory; "
                                    "write .gif, .png or .mp4 instead")
    lut = np.asarray(info.palette, np.uint8).tobytes()
    images, durations = [], []
    for frame, ms in _timed(frames, info.timing, info.count):
        image = Image.frombuffer("P", size, frame.pixels.copy(), "raw", "P", 0, 1)
        image.putpalette(lut)
        if info.transparent:
            image = image.convert("RGBA")
            image.putalpha(Image.fromarray(
                np.where(frame.pixels == info.background, 0, 255).astype(np.uint8), "L"))
        images.append(image)
        durations.append(ms)
    first, rest = images[0], images[1:]
    first.save(out, format="WEBP", save_all=True, append_images=rest, duration=durations,
               loop=info.loop, lossless=True, quality=100, method=4, background=(0, 0, 0, 0))


# ----------------------------------------------------------------------------- MP4


def _write_mp4(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    """H.264 in yuv420p, ``+faststart`` (:func:`deconv_anim.video.write_mp4`)."""
    from .video import write_mp4

    write_mp4(out, frames, info)


# ----------------------------------------------------------------------------- SVG


def _write_svg(out: BinaryIO, figure: Figure, timing: Timing) -> None:
    from .svg import svg_figure

    draw = getattr(figure, "svg", None)  # a channel-mode figure draws itself (issue 15)
    text = draw(timing) if callable(draw) else svg_figure(figure, timing=timing)
    out.write(text.encode("utf-8"))


# ----------------------------------------------------------------------------- sheet


def sheet_grid(total: int, columns: int | None) -> tuple[int, int]:
    """(columns, rows) of a contact sheet of ``total`` frames."""
    cols = max(1, min(columns or math.ceil(math.sqrt(total)), total))
    return cols, math.ceil(total / cols)


def written_size(size: tuple[int, int], *, sheet: bool = False, count: int = 1,
                 columns: int | None = None, video: bool = False) -> tuple[int, int]:
    """The pixel size of the image a writer makes from frames of ``size``: a sheet's whole
    grid, a video's frame padded to even sides, else the frame's own.

    >>> written_size((101, 50), video=True), written_size((10, 5), sheet=True, count=5)
    ((102, 50), (30, 10))
    """
    width, height = size
    if sheet:
        cols, rows = sheet_grid(count, columns)
        return cols * width, rows * height
    if video:
        return width + width % 2, height + height % 2
    return width, height


def _write_sheet(out: BinaryIO, frames: Iterable[RasterFrame], info: FrameInfo) -> None:
    """Every frame in one PNG, row by row, each numbered in its top-left corner from 0,
    as ``--frame`` counts them."""
    from PIL import Image, ImageDraw, ImageFont

    total = info.frame_count
    width, height = info.size
    transparent, labels = info.transparent, info.labels
    cols, rows = sheet_grid(total, info.columns)
    if rows * cols * width * height > MAX_SHEET_PIXELS:
        raise ConfigError("sheet", f"a sheet of {total} frames of {width}x{height} would be "
                                    "too large; use a smaller style.cell")
    lut = np.asarray(info.palette, np.uint8)
    font_size = max(10, round(min(width, height) / 24))
    font = ImageFont.load_default(size=font_size)
    ink = _darkest(lut)
    sheet: Any = None
    draw: Any = None
    background = info.background
    for n, (frame, _ms) in enumerate(_timed(frames, info.timing, info.count)):
        if sheet is None:  # the margin's colour: the background
            sheet = Image.new("RGBA" if transparent else "RGB", (cols * width, rows * height),
                              (*lut[background].tolist(), 0) if transparent
                              else tuple(int(v) for v in lut[background]))
            draw = ImageDraw.Draw(sheet)
        x, y = (n % cols) * width, (n // cols) * height
        tile = Image.fromarray(lut[frame.pixels], "RGB")
        if transparent:
            tile.putalpha(Image.fromarray(
                np.where(frame.pixels == background, 0, 255).astype(np.uint8), "L"))
        sheet.paste(tile, (x, y))
        if labels:
            pad = max(2, font_size // 3)
            draw.text((x + pad, y + pad), str(n), font=font, fill=ink)
    sheet.save(out, format="PNG", optimize=True)


def _darkest(lut: np.ndarray) -> tuple[int, int, int]:
    """The palette's darkest colour among its first entries: the figures' line colour."""
    head = lut[:16].astype(int)
    return tuple(int(v) for v in head[head.sum(1).argmin()])  # type: ignore[return-value]


# ----------------------------------------------------------------------------- the table

BITMAP = "bitmap"
"""A format written from frames: ``writer(handle, frames, info: FrameInfo)``."""
VECTOR = "vector"
"""A format drawn from a figure: ``writer(handle, figure: Figure, timing: Timing)``."""
Writer = Callable[..., None]


def writer_for(path: str | Path) -> Writer:
    """The writer of ``path``'s suffix (see :data:`deconv_anim.formats.FORMATS`)."""
    return format_for(path).load_writer()


def write(path: str | Path, frames: Iterable[RasterFrame], *, size: tuple[int, int],
          palette: np.ndarray, count: int, timing: Timing = Timing(), sheet: bool = False,
          figure: Figure | None = None, fps: float | None = None, columns: int | None = None,
          labels: bool = True, transparent: bool = False) -> int:
    """Write ``frames`` to ``path`` (format from its suffix), atomically.

    Parameters
    ----------
    frames : iterable of RasterFrame
        ``timing.frame_count(count)`` frames (``count`` steps, ``timing.tween`` in-between
        frames after each but the last). Vector formats ignore them and draw ``figure``.
    sheet : bool
        Write one PNG with every frame in a grid of ``columns`` (a contact sheet, frames
        numbered from 0 unless ``labels`` is false) instead of an animation.
    figure : Figure, optional
        The figure (scenes, layouts, timelines) a vector format draws
        (``Raster.figure``); bitmap formats ignore it.
    fps : float, optional
        Frames per second of a video (default: one video frame per animation frame).

    Returns the number of bytes written.
    """
    path = Path(path)
    fmt = format_for(path)
    if sheet:
        if fmt.suffix != SHEET.suffix:
            raise ConfigError("sheet", f"a sheet is a PNG image; name it .png (got {path})")
        fmt = SHEET
    if fmt.vector and figure is None:
        raise ConfigError("output", f"a {fmt.name} is drawn from a figure; none was given")
    info = FrameInfo(size=size, palette=palette, count=count, timing=timing,
                     transparent=transparent, fps=fps, columns=columns, labels=labels)
    writer = fmt.load_writer()
    with atomic_output(path) as handle:
        if fmt.vector:
            writer(handle, figure, timing)
        else:
            writer(handle, frames, info)
        handle.flush()
    return path.stat().st_size
