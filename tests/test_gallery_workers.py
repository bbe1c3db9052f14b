"""The gallery's renders in worker processes: the same gallery, bugs fail their config only."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from deconv_anim.cli import main
from deconv_anim.gallery import (
    build_gallery,
    check_gallery,
)
from gallery_fixtures import SMALL, write_configs

REPO = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, ["gallery", *args])


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the fake renderer reaches worker processes only by fork")
def test_parallel_jobs_write_the_same_gallery(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")
    one = build_gallery(configs, tmp_path / "one", jobs=1)
    two = build_gallery(configs, tmp_path / "two", jobs=3)
    assert one.rendered == two.rendered == sorted(SMALL)
    for name in (*(f"{n}.gif" for n in SMALL), "README.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_renderer_bugs_fail_their_config_only(tmp_path, fake_render):
    configs = write_configs(tmp_path / "configs")

    def buggy(config, path, **limits):
        raise ZeroDivisionError("oops")

    fake_render.render = buggy
    report = build_gallery(configs, tmp_path / "out", jobs=1)
    assert [name for name, _ in report.failed] == sorted(SMALL)
    assert report.failed[0][1].endswith("a_conv.yaml: internal error: ZeroDivisionError: oops")


def _real_renderer():
    from deconv_anim import animation

    return animation


def test_real_renderer_in_worker_processes(tmp_path):
    _real_renderer()
    configs = write_configs(tmp_path / "configs")
    report = build_gallery(configs, tmp_path / "out", jobs=2)
    assert report.ok and report.rendered == sorted(SMALL)
    for name in SMALL:
        assert (tmp_path / "out" / f"{name}.gif").read_bytes().startswith(b"GIF8")
    assert check_gallery(configs, tmp_path / "out") == []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_end_when_the_parent_is_killed(tmp_path):
    """SIGKILL to a `gallery --jobs 2` parent: its workers stop too, not minutes later."""
    import os
    import signal
    import subprocess
    import sys
    import time

    configs = tmp_path / "configs"
    configs.mkdir()
    for n in range(6):  # long enough renders that workers are busy when the parent dies
        (configs / f"c{n}.yaml").write_text(f"op: conv\nsize: {20 + n}\nkernel: 3\n"
                                            "padding: same\n")
    parent = subprocess.Popen([sys.executable, "-m", "deconv_anim", "gallery", str(configs),
                               "-o", str(tmp_path / "out"), "--jobs", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children_file = Path(f"/proc/{parent.pid}/task/{parent.pid}/children")
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.05)
        try:
            workers = [int(p) for p in children_file.read_text().split()]
        except OSError:
            break
    assert len(workers) >= 2, "the gallery started no workers"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "workers outlived the killed gallery"
