"""Encode: frames to files, written atomically. One ``write`` entry point; the writer is
chosen from the output suffix by a table.

The GIF writer streams: header and the one global palette first, then per frame a graphic
control extension and the LZW data of only the box that changed (unchanged pixels inside
it transparent), so memory stays flat whatever the frame count and small changes cost
little. Pillow's encoder (``GifImagePlugin.getdata``) makes the LZW data.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import ConfigError, OutputError
from .raster import TRANSPARENT, RasterFrame

__all__ = ["write", "atomic_output", "WRITERS", "GifStream"]


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """Open a temp file beside ``path``; rename it into place only if the block succeeds.

    On any error or interrupt (Ctrl-C included) the temp file is removed and a previous
    file at ``path`` is left as it was. A missing parent folder is created.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{path}: cannot create the folder {path.parent} "
                          f"({error.strerror or error})") from None
    if path.is_dir():
        raise OutputError(f"{path}: is a directory, not an output file")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(f"{path}: cannot write in {path.parent} "
                          f"({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class GifStream:
    """A GIF89a written frame by frame: nothing but the current frame is held."""

    def __init__(self, handle: BinaryIO, size: tuple[int, int], palette: np.ndarray,
                 *, loop: int = 0, bits: int = 8) -> None:
        self.handle, self.bits = handle, bits
        width, height = size
        background = 0
        flags = 0x80 | ((bits - 1) << 4) | (bits - 1)  # global table of 2**bits colours
        handle.write(b"GIF89a" + struct.pack("<HHBBB", width, height, flags, background, 0))
        handle.write(np.asarray(palette, np.uint8).reshape(-1, 3)[: 1 << bits].tobytes())
        if loop is not None:
            handle.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")

    def add(self, indices: np.ndarray, offset: tuple[int, int], duration_ms: int,
            transparent: int | None = None) -> None:
        """Append one image of palette indices at ``offset`` (disposal: keep)."""
        from PIL import Image

        h, w = indices.shape
        image = Image.frombuffer("L", (w, h), np.ascontiguousarray(indices), "raw", "L", 0, 1)
        delay = min(max(round(duration_ms / 10), 1), 0xFFFF)
        flags = (1 << 2) | (1 if transparent is not None else 0)
        out = self.handle
        out.write(b"!\xf9\x04" + struct.pack("<BHB", flags, delay, transparent or 0) + b"\x00")
        out.write(b"," + struct.pack("<HHHHB", offset[0], offset[1], w, h, 0))
        out.write(bytes([self.bits]))  # LZW minimum code size
        # Pillow's LZW encoder, at our code size (its GIF writer always uses 8 bits)
        encoder = Image._getencoder("L", "gif", ("L", self.bits, 0))
        encoder.setimage(image.im, (0, 0, w, h))
        while True:
            _, status, data = encoder.encode(1 << 16)
            out.write(data)
            if status:
                break
        out.write(b"\x00")

    def close(self) -> None:
        self.handle.write(b";")


@dataclass(frozen=True)
class Timing:
    """Milliseconds per frame, and extra on the last one."""

    duration: int = 1000
    hold: int = 0

    def of(self, index: int, count: int) -> int:
        return self.duration + (self.hold if index == count - 1 else 0)


def _write_gif(handle: BinaryIO, frames: Iterable[RasterFrame], *, size: tuple[int, int],
               palette: np.ndarray, count: int, timing: Timing) -> None:
    gif = GifStream(handle, size, palette, bits=max(2, (TRANSPARENT).bit_length()))
    for frame in frames:
        x0, y0, x1, y1 = frame.box
        region = frame.pixels[y0:y1, x0:x1]
        ms = timing.of(frame.index, count)
        if frame.changed is None:
            gif.add(region, (x0, y0), ms)
        else:
            gif.add(np.where(frame.changed, region, TRANSPARENT).astype(np.uint8), (x0, y0), ms,
                    transparent=TRANSPARENT)
    gif.close()


Writer = Callable[..., None]

# suffix -> writer; writers of other formats join this table
WRITERS: dict[str, Writer] = {
    ".gif": _write_gif,
}


def writer_for(path: Path) -> Writer:
    suffix = Path(path).suffix.lower()
    try:
        return WRITERS[suffix]
    except KeyError:
        known = ", ".join(WRITERS)
        raise ConfigError("output", f"unknown file type {suffix or '(no suffix)'!r} of {path} "
                                    f"(known: {known})") from None


def write(path: str | Path, frames: Iterable[RasterFrame], *, size: tuple[int, int],
          palette: np.ndarray, count: int, timing: Timing = Timing()) -> int:
    """Write ``frames`` to ``path`` (format from its suffix), atomically.

    Returns the number of bytes written.
    """
    path = Path(path)
    writer = writer_for(path)
    with atomic_output(path) as handle:
        writer(handle, frames, size=size, palette=palette, count=count, timing=timing)
        handle.flush()
        written = handle.tell()
    return written
