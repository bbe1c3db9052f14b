"""What the tests of GIFs drawn in ranges by two processes share (test_gif_parallel,
test_channel_ranges, test_panel_run): the one-process and two-process bytes of a render,
which processes drew its ranges, a fork that fails, this process's descriptors.
``small_ranges`` (ranges of 1 to 3 frames) is a
fixture in conftest.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from deconv_anim import gif_parallel
from deconv_anim.animation import render
from deconv_anim.config import config_from_mapping


def descriptors() -> set[tuple[str, str]]:
    """This process's open descriptors and what each is (a pipe by its inode): one opened
    since and left open shows as new, whatever earlier tests' threads close meanwhile."""
    import contextlib

    out = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the listing's own descriptor, gone)
            out.add((fd, os.readlink(f"/proc/self/fd/{fd}")))
    return out


def no_fork(monkeypatch: Any, errno: int = 11) -> list[int]:
    """``os.fork`` fails (EAGAIN: no processes left; ENOMEM) from now on, after whatever
    multiprocessing opens before it; the list counts the attempts."""
    attempts: list[int] = []

    def fork() -> int:
        attempts.append(1)
        raise OSError(errno, os.strerror(errno))

    monkeypatch.setattr(os, "fork", fork)
    return attempts


def random_ranges(data: Any, count: int, most: int = 5) -> list[tuple[int, int]]:
    """``count`` frames cut at up to ``most`` random frames (hypothesis's ``data``): the
    ranges, in order."""
    import itertools

    from hypothesis import strategies as st

    cuts = data.draw(st.lists(st.integers(1, max(1, count - 1)), max_size=most, unique=True))
    return list(itertools.pairwise([0, *sorted(c for c in cuts if 0 < c < count), count]))


def fresh() -> None:
    """This process's tables as a new process has them: blend-table rows are numbered in
    the order they are first asked for, so a process that drew before would hide a row
    number that means one thing in one process and another in the other."""
    from deconv_anim import composite, palette

    palette._shared_blender.cache_clear()
    composite.sprite_cache.clear()


def gif_bytes(tmp_path: Path, monkeypatch: Any, mapping: dict, tween: int,
              switch: str) -> bytes:
    """The GIF of ``mapping`` written by one process (``switch`` "0") or two ("1")."""
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", switch)
    fresh()
    path = tmp_path / f"w{switch}.gif"
    render(config_from_mapping(mapping), path, tween=tween)
    return path.read_bytes()


def assert_one_and_two_processes_agree(tmp_path: Path, monkeypatch: Any, mapping: dict,
                                       tween: int) -> None:
    one = gif_bytes(tmp_path, monkeypatch, mapping, tween, "0")
    two = gif_bytes(tmp_path, monkeypatch, mapping, tween, "1")
    assert one == two
    assert one.startswith(b"GIF89a") and one.endswith(b";")


def range_drawers(tmp_path: Path, monkeypatch: Any, mapping: dict,
                  kind: type | None = None) -> set[int]:
    """The processes that drew ranges of the two-process GIF of ``mapping`` (each range's
    source an instance of ``kind``)."""
    monkeypatch.setenv("DECONV_ANIM_GIF_WORKER", "1")
    real = gif_parallel._blocks
    marks = tmp_path / "marks"
    marks.mkdir()

    def blocks(source: Any, span: tuple[int, int], encode_frame: Any) -> list[bytes]:
        assert kind is None or isinstance(source, kind)
        (marks / f"{os.getpid()}-{span[0]}").touch()
        return real(source, span, encode_frame)

    monkeypatch.setattr(gif_parallel, "_blocks", blocks)
    render(config_from_mapping(mapping), tmp_path / "x.gif")
    return {int(p.name.split("-")[0]) for p in marks.iterdir()}
