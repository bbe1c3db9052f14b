"""The GIF written by two processes (issue 19, target 1): byte for byte the single-process
file, the worker only where it pays, and no worker left behind by a failure."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from deconv_anim import lzw
from deconv_anim.animation import render
from deconv_anim.config import config_from_mapping
from deconv_anim.encode import GifStream

CASES = [
    ({"op": "conv", "size": 6, "kernel": 3, "padding": "same"}, {}),
    ({"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "view": "both"}, {"tween": 2}),
    ({"op": "conv", "size": 4, "kernel": 3, "view": "matrix"}, {}),
    ({"op": "maxpool", "size": 4, "kernel": 2, "values": True,
      "style": {"background": "transparent"}}, {}),
]


@pytest.mark.parametrize("mapping, options", CASES)
def test_two_processes_write_the_same_bytes(tmp_path, monkeypatch, mapping, options):
    config = config_from_mapping(mapping)
    files = {}
    for switch in "01":
        monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", switch)
        files[switch] = tmp_path / f"w{switch}.gif"
        render(config, files[switch], **options)
    assert files["0"].read_bytes() == files["1"].read_bytes()


def test_blocks_come_back_in_order_whoever_encodes_them(tmp_path):
    """Frames large enough that a frame and a block are in the pipes at once, each
    different: the writer's order is the frames' order, the bytes are a single process's."""
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 64, (300 + n, 400), dtype=np.uint8) for n in range(12)]
    single, double = tmp_path / "a.gif", tmp_path / "b.gif"
    with open(single, "wb") as out:
        for image in images:
            out.write(lzw.gif_image(image, (0, 0), 5, None, 1, 6))
    worker = lzw.Worker()
    try:
        with open(double, "wb") as out:
            blocks = lzw.OrderedBlocks(out, worker, backlog=3)
            for image in images:
                blocks.add(image, (0, 0), 5, None, 1, 6)
            blocks.finish()
    finally:
        worker.close()
    assert single.read_bytes() == double.read_bytes()
    assert not worker.process.is_alive()


def test_the_worker_is_used_only_where_it_pays(monkeypatch):
    monkeypatch.delenv("DECONV_ANIM_GIF_WORKER", raising=False)
    monkeypatch.setattr(lzw, "_cores", lambda: 2)
    assert not lzw.parallel_wanted(lzw.PARALLEL_MIN_PIXELS - 1)
    assert lzw.parallel_wanted(lzw.PARALLEL_MIN_PIXELS)
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread runs: no fork
        assert not lzw.parallel_wanted(10 * lzw.PARALLEL_MIN_PIXELS)
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(lzw, "_cores", lambda: 1)
    assert not lzw.parallel_wanted(10 * lzw.PARALLEL_MIN_PIXELS)
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    assert lzw.parallel_wanted(1)
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "0")
    monkeypatch.setattr(lzw, "_cores", lambda: 2)
    assert not lzw.parallel_wanted(10 * lzw.PARALLEL_MIN_PIXELS)


def _inside_a_pool(queue) -> None:
    import os

    os.environ["DECONV_ANIM_GIF_WORKER"] = "1"
    queue.put(lzw.parallel_wanted(10 ** 12))


def test_no_worker_inside_a_pool_worker():
    """The gallery's workers already take the cores: they stay single-process."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_inside_a_pool, args=(queue,))
    process.start()
    assert queue.get(timeout=30) is False
    process.join()


def test_a_failure_midway_ends_the_worker_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    started = []
    real = lzw.Worker.__init__

    def init(self):
        real(self)
        started.append(self)

    monkeypatch.setattr(lzw.Worker, "__init__", init)
    # the matrix view: frames that are not drawn a range at a time (those go to
    # gif_parallel)
    config = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "view": "matrix"})
    calls = []

    def fail(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real_add(self, *args, **kwargs)

    real_add = lzw.OrderedBlocks.add
    monkeypatch.setattr(lzw.OrderedBlocks, "add", fail)
    with pytest.raises(KeyboardInterrupt):
        render(config, tmp_path / "x.gif")
    assert list(tmp_path.iterdir()) == []
    assert started and not started[0].process.is_alive()


def test_gif_stream_add_is_gif_image(tmp_path):
    """The single-process writer and the worker share one encoder function."""
    image = np.arange(35, dtype=np.uint8).reshape(5, 7) % 60
    with open(tmp_path / "x.bin", "wb") as handle:
        GifStream(handle, (7, 5), np.zeros((256, 3), np.uint8), loop=None, bits=6).add(
            image, (1, 2), 70, transparent=63)
    data = (tmp_path / "x.bin").read_bytes()
    assert data.endswith(lzw.gif_image(image, (1, 2), 7, 63, 1, 6))


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/task"), reason="Linux")
def test_the_reader_thread_never_takes_an_interrupt():
    """Ctrl-C and SIGTERM stay with the main thread (which holds them back around a temp
    file's creation): the thread reading the worker's blocks blocks both."""
    import signal

    worker = lzw.Worker()
    try:
        status = Path(f"/proc/self/task/{worker.reader.native_id}/status").read_text()
        blocked = int(next(line.split()[1] for line in status.splitlines()
                           if line.startswith("SigBlk:")), 16)
        for number in (signal.SIGINT, signal.SIGTERM):
            assert blocked & (1 << (number - 1))
    finally:
        worker.close()
    assert not worker.reader.is_alive() and not worker.process.is_alive()
