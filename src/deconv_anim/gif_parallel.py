"""A long GIF drawn by two processes: each composes and encodes ranges of its frames.

Frame sources that can start anywhere (``count``, ``prepare()``, ``frames_between(start,
stop)``; see :func:`ranged`): a single-channel figure's
:class:`deconv_anim.frames.FrameRun`, a channel figure's
:class:`deconv_anim.channel_run.ChannelRun` (gather and scatter views) and two of either
side by side (:class:`deconv_anim.panels.PanelRun`; the matrix view and chains are drawn
by the old path, see :func:`deconv_anim.encode._write_gif`)
are split into ranges of frames that this process and a forked one take in turn from a
shared counter, each when it is free (so both finish together, whatever each frame
costs): each composes the frames of its range and LZW-encodes them with the same function
into image blocks. The second process sends back only the finished blocks of a range;
this one writes every block in frame order (its own as they come when no earlier range is
pending), so the file is byte for byte the one a single process writes. The fork comes
before the source's set-up (the static layers), which each process does with
``prepare(peer, role)``: a :class:`~deconv_anim.frames.FrameRun` shares it (each paints
one layer and sends it over ``peer``), a :class:`~deconv_anim.channel_run.ChannelRun`
paints its static picture in each process at once, a :class:`~deconv_anim.panels.PanelRun`
prepares its two panels one after the other.

Ranges start large and shrink towards the end (a quarter of what is left, from
:data:`MAX_RANGE` down to :data:`MIN_RANGE` frames): each start costs one frame drawn
and not written, and the last ranges decide how evenly the two processes end.

Ctrl-C is this process's to handle (the other ignores it); when this process stops, for
any reason, the other is killed and the output's temp file removed
(:mod:`deconv_anim.atomic`); an error in the other process arrives here as one line.
Either process killed while it holds the counter's lock does not leave the other waiting
for it: the other ends as it does when the process dies at any other moment.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable
from typing import Any, BinaryIO

__all__ = ["ranged", "write_ranges", "start_process", "NoSecondProcess", "MIN_RANGE",
           "MAX_RANGE"]

MIN_RANGE = 16
"""Fewest frames in a range (the last ones)."""
MAX_RANGE = 128
"""Most frames in a range."""

_RANGE = struct.Struct("<qq")  # a finished range's first frame and end, before its blocks
_FAILED = -1  # instead of a first frame: the other process failed; a line of text follows
_BUG = "!"  # before that line: a bug, not an OSError or MemoryError (raised as RuntimeError)

Encode = Callable[[Any, int], bytes]  # (frame, its index) -> its image block


class NoSecondProcess(Exception):
    """The second process could not be started; nothing was drawn or written: draw the
    frames in this process instead."""


def start_process(process: Any) -> None:
    """``process.start()``, leaving no descriptor open when the fork fails (the
    ``OSError`` raised): multiprocessing opens two pipes before ``os.fork()`` and does not
    close them when it fails (CPython's ``popen_fork``), so the pipes that appeared are
    closed here. (Only a process without other threads forks for a GIF, see
    :func:`deconv_anim.lzw.parallel_wanted`: no one else opens pipes meanwhile.)"""
    before = _pipes()
    try:
        process.start()
    except OSError:
        import os

        for fd in _pipes() - before:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise


def _pipes() -> set[int]:
    """This process's pipe descriptors (none known without ``/proc``)."""
    import os

    found: set[int] = set()
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # (the listing's own, closed by now)
                if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                    found.add(int(name))
    return found


def ranged(frames: object) -> bool:
    """Whether ``frames`` can be drawn a range at a time (in two processes)."""
    return all(callable(getattr(frames, name, None)) for name in ("prepare",
                                                                  "frames_between"))


_WAIT = 0.5
"""Seconds between looks at the other process while waiting for the counter's lock."""


def _take(counter: Any, lock: Any, total: int, alive: Callable[[], bool] = lambda: True
          ) -> tuple[int, int] | None:
    """The next range of frames nobody has taken (None: all are taken). A process killed
    while it holds the lock never releases it: the wait ends with EOFError once
    ``alive()`` (the other process) is false."""
    while not lock.acquire(timeout=_WAIT):
        if not alive():
            raise EOFError("the other GIF process is gone")
    try:
        start = counter.value
        if start >= total:
            return None
        size = max(MIN_RANGE, min(MAX_RANGE, (total - start) // 4))
        stop = min(total, start + size)
        counter.value = stop
    finally:
        lock.release()
    return start, stop


def _blocks(source: Any, span: tuple[int, int], encode: Encode) -> list[bytes]:
    return [encode(frame, n) for n, frame in zip(range(*span),
                                                   source.frames_between(*span))]


class _Peer:
    """Whole arrays between the two processes, over a socket pair, without copies (both
    know each array's size)."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def send(self, array: Any) -> None:
        self.sock.sendall(memoryview(array).cast("B"))

    def receive_into(self, array: Any) -> None:
        view = memoryview(array).cast("B")
        got = 0
        while got < len(view):
            n = self.sock.recv_into(view[got:])
            if not n:
                raise EOFError("the other process is gone")
            got += n


def _serve(source: Any, encode: Encode, counter: Any, lock: Any, total: int, outbox: Any,
           peer: Any, theirs: tuple[Any, ...]) -> None:
    """The second process: its half of the set-up, then ranges drawn and encoded, their
    blocks sent, until none is left; then an empty message."""
    import multiprocessing
    import signal

    for end in theirs:  # the first process's ends: the pipe closes when it dies
        end.close()
    parent = multiprocessing.parent_process()
    alive = parent.is_alive if parent is not None else lambda: True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the first process's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's unwinding
    try:
        try:
            source.prepare(_Peer(peer), 1)
        finally:
            peer.close()
        while (span := _take(counter, lock, total, alive)) is not None:
            outbox.send_bytes(b"".join([_RANGE.pack(*span),
                                        *_blocks(source, span, encode)]))
        outbox.send_bytes(b"")
    except (EOFError, ConnectionError):  # the first process is gone: so is this one
        pass
    except BaseException as error:  # reported to the first process, as one line
        from .errors import one_line

        text = one_line(f"{type(error).__name__}: {error}".splitlines()[0])
        if not isinstance(error, (OSError, MemoryError)):  # a bug, not the output's
            text = _BUG + text
        with contextlib.suppress(OSError):
            outbox.send_bytes(_RANGE.pack(_FAILED, 0) + text.encode("utf-8", "replace"))


def write_ranges(out: BinaryIO, source: Any, encode: Encode) -> None:
    """Write the image blocks of every frame of ``source`` to ``out`` in frame order,
    drawn and encoded by this process and a forked one (see the module's text)."""
    import multiprocessing
    import queue
    import signal
    import socket
    import threading

    total = source.count
    context = multiprocessing.get_context("fork")
    lock = context.Lock()
    counter = context.RawValue("q", 0)
    first = _take(counter, lock, total)  # this process starts: the file streams at once
    ends: list[Any] = []
    try:
        receive, outbox = context.Pipe(duplex=False)
        ends += [receive, outbox]
        mine, theirs = socket.socketpair()  # the set-up's arrays, both ways
        ends += [mine, theirs]
        out.flush()  # nothing buffered is copied into the second process
        process = context.Process(target=_serve, args=(source, encode, counter, lock, total,
                                                       outbox, theirs, (receive, mine)),
                                  daemon=True, name="deconv-anim-gif")
        start_process(process)
    except OSError as error:  # no second process (no memory or processes left to fork)
        for end in ends:
            end.close()
        raise NoSecondProcess(str(error)) from error
    outbox.close()
    theirs.close()
    done: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                done.put(receive.recv_bytes())
        except (EOFError, OSError):
            done.put(None)

    reader = threading.Thread(target=read, daemon=True)
    # the reader never takes Ctrl-C or SIGTERM: they stay the main thread's
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        reader.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    try:
        try:  # half of the set-up here, half there (the static layers)
            source.prepare(_Peer(mine), 0)
        except (EOFError, ConnectionError):  # the other process is gone: its own words
            mine.close()
            with contextlib.suppress(queue.Empty):
                _check(done.get(timeout=10))
            raise OSError(0, "the second GIF process ended unexpectedly") from None
        finally:
            mine.close()
        _write_in_order(out, source, encode, counter, lock, total, first, done,
                        process.is_alive)
        process.join(timeout=5)  # it has sent its last range: it ends
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.join()  # it has seen the end of the pipe
        receive.close()


def _check(message: bytes | None) -> tuple[int, int]:
    """A message of the second process: (first frame, end) of the range whose blocks
    follow; an error if it failed or ended."""
    if message is None:
        raise OSError(0, "the second GIF process ended unexpectedly")
    start, stop = _RANGE.unpack_from(message) if message else (0, 0)
    if start == _FAILED:
        reason = message[_RANGE.size:].decode("utf-8", "replace")
        if reason.startswith(_BUG):
            raise RuntimeError(f"the second GIF process failed: {reason[len(_BUG):]}")
        raise OSError(0, f"the second GIF process failed: {reason}")
    return start, stop


def _write_in_order(out: BinaryIO, source: Any, encode: Encode, counter: Any, lock: Any,
                    total: int, span: tuple[int, int] | None, done: Any,
                    alive: Callable[[], bool]) -> None:
    import queue

    written = 0  # the frames written so far
    waiting: dict[int, tuple[int, bytes]] = {}  # first frame -> (end, blocks), not written
    finished = False  # the second process has sent everything

    def collect(block: bool) -> None:
        """The second process's finished ranges (all there are; with ``block``, one)."""
        nonlocal finished
        while not finished:
            try:
                message = done.get(block)
            except queue.Empty:
                return
            start, stop = _check(message)
            if not message:
                finished = True
                return
            waiting[start] = (stop, message[_RANGE.size:])
            if block:
                return

    def flush() -> None:
        nonlocal written
        while written in waiting:
            stop, blocks = waiting.pop(written)
            out.write(blocks)
            written = stop

    while span is not None:
        start, stop = span
        if start == written:  # nothing before it is pending: straight to the file
            for n, frame in zip(range(start, stop), source.frames_between(start, stop)):
                out.write(encode(frame, n))
            written = stop
        else:
            waiting[start] = (stop, b"".join(_blocks(source, span, encode)))
        collect(False)
        flush()
        try:
            span = _take(counter, lock, total, alive)
        except EOFError:  # killed holding the lock: as any other end of it
            raise OSError(0, "the second GIF process ended unexpectedly") from None
    while written < total:
        if finished:  # pragma: no cover - every range is taken once
            raise OSError(0, f"the GIF has {written} of its {total} frames")
        collect(True)
        flush()
