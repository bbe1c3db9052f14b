"""GIF image blocks, LZW-encoded in this process or in a second one.

Every frame of a GIF is an independent LZW stream, and Pillow's encoder holds the GIL
(two threads run at the speed of one), so only a second process can share the work. A
long GIF whose frames can be drawn a range at a time (one view of an op:
:class:`deconv_anim.frames.FrameRun`; a channel figure's
:class:`deconv_anim.channel_run.ChannelRun`; two of either side by side:
:class:`deconv_anim.panels.PanelRun`) is composed *and* encoded by two processes, a range
of frames each (:mod:`deconv_anim.gif_parallel`). Other painters (the matrix view,
chains) compose every frame in this process, and a forked
:class:`Worker` encodes some of them (the palette indices of a frame's changed box go to
it through a pipe, its image block comes back); the blocks are written in frame order,
so the file is byte for byte the one a single process writes (the same function,
:func:`gif_image`, encodes every block). Who encodes a frame is decided by how busy the
worker is, which changes nothing in the bytes. A worker that cannot be forked (no memory or
processes left) leaves this process to encode every frame, to the same bytes.

A second process is worth its start-up (a fork, about 10 ms, and a pipe) from
:data:`PARALLEL_MIN_PIXELS` frame pixels on; below that, or with one core, or inside a
process that is itself a worker (the gallery's pool) or runs other threads, one process
does everything.
``DECONV_ANIM_GIF_WORKER=0`` (or ``1``) turns it off (or on whatever the size), for both
ways of sharing the work.
"""

from __future__ import annotations

import os
import struct
from collections import deque
from typing import Any

import numpy as np

__all__ = ["gif_image", "masked", "Worker", "parallel_wanted", "PARALLEL_MIN_PIXELS",
           "OrderedBlocks"]

PARALLEL_MIN_PIXELS = 20_000_000
"""Frame pixels (frames x canvas pixels) from which a second process draws or encodes:
below it the fork and the pipe cost more than they save. Measured again for the ranges of
:mod:`deconv_anim.gif_parallel` (wall time of a CLI render, two processes over one,
medians of 7 interleaved runs, conv kernel 3 padding same): 1.00x at 4.8 MP (5x5),
0.99x at 23 MP (8x8), 0.91x at 51 MP (10x10), 0.78x at 285 MP (16x16), 0.73x at
661 MP (20x20): the line stays where it pays for itself (benchmarks/README.md, "Issue 19,
session six")."""

# width, height, x, y, delay (cs), transparent (-1: none), disposal, code size, mask follows
_HEADER = struct.Struct("<HHHHHhBBB")


def masked(region: np.ndarray, mask: np.ndarray, clear: int) -> np.ndarray:
    """``region`` with the pixels outside ``mask`` set to ``clear`` (a new array)."""
    out = np.full_like(region, clear)
    np.copyto(out, region, where=mask)
    return out


def gif_image(indices: np.ndarray, offset: tuple[int, int], delay: int,
              transparent: int | None, disposal: int, bits: int) -> bytes:
    """One image block of a GIF: graphic control extension, image descriptor, the LZW
    data of ``indices`` at code size ``bits``, block terminator. ``delay`` is in
    centiseconds."""
    from PIL import Image

    h, w = indices.shape
    image = Image.frombuffer("L", (w, h), np.ascontiguousarray(indices), "raw", "L", 0, 1)
    flags = (disposal << 2) | (1 if transparent is not None else 0)
    parts = [b"!\xf9\x04" + struct.pack("<BHB", flags, delay, transparent or 0) + b"\x00",
             b"," + struct.pack("<HHHHB", offset[0], offset[1], w, h, 0), bytes([bits])]
    # Pillow's LZW encoder, at our code size (its GIF writer always uses 8 bits)
    encoder = Image._getencoder("L", "gif", ("L", bits, 0))
    encoder.setimage(image.im, (0, 0, w, h))
    while True:
        _, status, data = encoder.encode(1 << 16)
        parts.append(data)
        if status:
            break
    parts.append(b"\x00")
    return b"".join(parts)


def parallel_wanted(frame_pixels: int) -> bool:
    """Whether a GIF of ``frame_pixels`` (frames x canvas pixels) gets a second process."""
    switch = os.environ.get("DECONV_ANIM_GIF_WORKER", "")
    if switch in ("0", "1"):
        return switch == "1" and _can_fork()
    import threading

    # forking a process that runs other threads could copy a lock one of them holds
    return (frame_pixels >= PARALLEL_MIN_PIXELS and _cores() >= 2
            and threading.active_count() == 1 and _can_fork())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    import multiprocessing
    import sys

    # not inside a worker of a pool (the gallery's): its cores are taken already
    return (sys.platform == "linux" and multiprocessing.parent_process() is None
            and not multiprocessing.current_process().daemon)


def _serve(inbox: Any, outbox: Any, theirs: tuple[Any, ...]) -> None:
    """The worker's loop: header + indices in, image block out, until the pipe closes."""
    import signal

    for end in theirs:  # the parent's ends: the pipe closes when the parent dies
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        while True:
            message = inbox.recv_bytes()
            w, h, x, y, delay, transparent, disposal, bits, has_mask = _HEADER.unpack_from(
                message)
            indices = np.frombuffer(message, np.uint8, w * h, _HEADER.size).reshape(h, w)
            if has_mask:
                mask = np.frombuffer(message, np.bool_, w * h,
                                     _HEADER.size + w * h).reshape(h, w)
                indices = masked(indices, mask, transparent)
            outbox.send_bytes(gif_image(indices, (x, y), delay,
                                        None if transparent < 0 else transparent,
                                        disposal, bits))
    except (EOFError, OSError, KeyboardInterrupt):
        pass


_END = b""


class Worker:
    """A forked process that encodes image blocks, in the order they were sent
    (:class:`deconv_anim.gif_parallel.NoSecondProcess` when it cannot be started).

    Frames go out on one pipe; blocks come back on another, read by a thread of this
    process (it waits in the OS, without the GIL), so neither process ever waits for the
    other to read: a large frame and a large block can be in flight at once.
    """

    def __init__(self) -> None:
        import multiprocessing
        import queue
        import signal
        import threading

        from .gif_parallel import NoSecondProcess, start_process

        context = multiprocessing.get_context("fork")
        ends: list[Any] = []
        try:
            inbox, self._to = context.Pipe(duplex=False)
            ends += [inbox, self._to]
            self._from, outbox = context.Pipe(duplex=False)
            ends += [self._from, outbox]
            self.process = context.Process(target=_serve, args=(inbox, outbox,
                                                                (self._to, self._from)),
                                           daemon=True, name="deconv-anim-lzw")
            start_process(self.process)
        except OSError as error:  # no memory or processes left to fork
            for end in ends:
                end.close()
            raise NoSecondProcess(str(error)) from error
        inbox.close()
        outbox.close()
        self.blocks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        # the reader never takes Ctrl-C or SIGTERM: they stay the main thread's, which
        # holds them back where it must (deconv_anim.atomic)
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.reader.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        self.pending = 0

    def _read(self) -> None:
        try:
            while True:
                self.blocks.put(self._from.recv_bytes())
        except (EOFError, OSError):
            self.blocks.put(_END)

    def send(self, indices: np.ndarray, offset: tuple[int, int], delay: int,
             transparent: int | None, disposal: int, bits: int,
             mask: np.ndarray | None = None) -> None:
        """Queue one frame's block; with ``mask``, the pixels outside it become
        ``transparent`` (in the worker: :func:`masked`)."""
        h, w = indices.shape
        header = _HEADER.pack(w, h, offset[0], offset[1], delay,
                              -1 if transparent is None else transparent, disposal, bits,
                              mask is not None)
        parts = [header, np.ascontiguousarray(indices).tobytes()]
        if mask is not None:
            parts.append(np.ascontiguousarray(mask, np.bool_).tobytes())
        self._to.send_bytes(b"".join(parts))
        self.pending += 1

    def ready(self) -> bool:
        return self.pending > 0 and not self.blocks.empty()

    def receive(self) -> bytes:
        """The next block (waits for it)."""
        block = self.blocks.get()
        if block == _END:
            raise OSError(0, "the GIF encoder process ended unexpectedly")
        self.pending -= 1
        return block

    def close(self) -> None:
        self._to.close()  # the worker sees the end, exits, and the reader sees it exit
        self.process.join(timeout=5)
        if self.process.is_alive():  # pragma: no cover - it ends when the pipe closes
            self.process.kill()
            self.process.join()
        self.reader.join()  # it sees the end once the worker's end of the pipe is closed
        self._from.close()


class OrderedBlocks:
    """Image blocks written in frame order, whichever process encoded them: at most
    ``backlog`` frames wait in the worker; the others are encoded here."""

    def __init__(self, out: Any, worker: Worker, backlog: int = 2) -> None:
        self.out, self.worker, self.backlog = out, worker, backlog
        self.queue: deque[bytes | None] = deque()  # None: the worker's, not back yet

    def add(self, indices: np.ndarray, offset: tuple[int, int], delay: int,
            transparent: int | None, disposal: int, bits: int,
            mask: np.ndarray | None = None) -> None:
        """One frame (``mask``: as :meth:`Worker.send`)."""
        if self.worker.pending < self.backlog:
            self.worker.send(indices, offset, delay, transparent, disposal, bits, mask)
            self.queue.append(None)
        else:
            if mask is not None:
                assert transparent is not None
                indices = masked(indices, mask, transparent)
            self.queue.append(gif_image(indices, offset, delay, transparent, disposal, bits))
        self._flush(wait=False)

    def _flush(self, wait: bool) -> None:
        queue, out = self.queue, self.out
        while queue:
            if queue[0] is not None:
                out.write(queue.popleft())
            elif wait or self.worker.ready():
                queue.popleft()
                out.write(self.worker.receive())
            else:
                return

    def finish(self) -> None:
        self._flush(wait=True)
