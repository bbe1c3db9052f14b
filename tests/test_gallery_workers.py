"""The gallery's renders in worker processes: the same gallery, bugs fail their config only."""

from __future__ import annotations

import multiprocessing
import types
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


# Figures of every kind a render can lay out: one view, both views side by side, channel
# slabs, and a width that fits the cell (the sizes the README's tables are scaled by).
KINDS = {
    "a_conv": "op: conv\nsize: 3\nkernel: 2\nstyle: {cell: 12}\n",
    "b_both": "op: transposed\nsize: 2\nkernel: 2\nview: both\nstyle: {cell: 12}\n",
    "c_channels": ("op: conv\nsize: 3\nkernel: 2\nin_channels: 2\nout_channels: 2\n"
                   "style: {cell: 12}\n"),
    "d_width": "op: conv\nsize: 3\nkernel: 2\nstyle: {width: 200}\n",
}


def test_parallel_and_serial_real_galleries_are_byte_identical(tmp_path):
    """The worker processes' renders and sizes make the very files one process makes:
    every output, the README (scaled by the figures' sizes, which the renders report)
    and the manifest."""
    _real_renderer()
    configs = write_configs(tmp_path / "configs", KINDS)
    one = build_gallery(configs, tmp_path / "one", jobs=1)
    two = build_gallery(configs, tmp_path / "two", jobs=2)
    assert one.ok and two.ok and one.rendered == two.rendered == sorted(KINDS)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert "README.md" in names and len(names) == len(KINDS) + 2
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    # the README written from the renders' sizes is the one laid out from scratch
    assert check_gallery(configs, tmp_path / "two") == []


@pytest.mark.parametrize("suffix", [".gif", ".svg", ".mp4"])
@pytest.mark.parametrize("name", sorted(KINDS))
def test_sizes_from_a_render_are_the_layouts(tmp_path, name, suffix):
    """What a render reports (frame size; the look's cell) is what laying the figure out
    again gives: the padded video frame and a fitted width are laid out again."""
    from deconv_anim.config import resolve_config
    from deconv_anim.gallery.workers import _written_figure_size, figure_size, render_job

    if suffix == ".mp4":
        pytest.importorskip("imageio_ffmpeg")
    if suffix == ".svg" and name == "c_channels":
        suffix = ".gif"  # (channel figures: GIF and SVG both, the SVG from its own painter)
    config = resolve_config(write_configs(tmp_path, {name: KINDS[name]}) / f"{name}.yaml")
    digest, error, size = render_job(config, str(tmp_path / f"{name}{suffix}"))
    assert error is None and digest is not None
    expected = figure_size(config)
    assert size == expected and expected is not None
    width, height, cell = expected
    assert width > 0 and height > 0 and cell > 0
    result = types.SimpleNamespace(path=tmp_path / "x.gif", size=(width + 1, height))
    if name != "d_width":  # the written size is taken as it is, unless the width was fitted
        assert _written_figure_size(config, result) == (width + 1, height, cell)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the fake renderer reaches worker processes only by fork")
def test_a_worker_killed_in_a_render_fails_that_config_only(tmp_path, fake_render):
    """A worker process that dies mid-render (killed, out of memory) fails the config it
    was rendering, with an internal error line; the other workers render the rest."""
    import os
    import signal

    configs = write_configs(tmp_path / "configs")
    victim = sorted(SMALL)[1]
    render = fake_render.render

    def killed(config, path, **limits):
        if config.name == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return render(config, path, **limits)

    fake_render.render = killed
    report = build_gallery(configs, tmp_path / "out", jobs=2)
    assert [name for name, _ in report.failed] == [victim]
    assert report.failed[0][1].endswith(
        "internal error: its worker process ended while rendering it (killed by signal 9)")
    assert report.rendered == sorted(set(SMALL) - {victim})
    for name in report.rendered:
        assert (tmp_path / "out" / f"{name}.gif").read_bytes().startswith(b"GIF89a")
    assert not (tmp_path / "out" / f"{victim}.gif").exists()


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the fake renderer reaches worker processes only by fork")
def test_every_worker_killed_fails_the_renders_left(tmp_path, fake_render):
    import os
    import signal

    configs = write_configs(tmp_path / "configs")

    def killed(config, path, **limits):
        os.kill(os.getpid(), signal.SIGKILL)

    fake_render.render = killed
    report = build_gallery(configs, tmp_path / "out", jobs=2)
    assert report.rendered == [] and [name for name, _ in report.failed] == sorted(SMALL)
    reasons = {error.split(": ", 1)[1] for _, error in report.failed}
    assert reasons <= {
        "internal error: its worker process ended while rendering it (killed by signal 9)",
        "internal error: the worker processes ended before it was rendered"}


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the fake renderer reaches worker processes only by fork")
def test_a_worker_gone_after_its_result_fails_its_next_job_only(tmp_path, fake_render,
                                                                 monkeypatch):
    """A worker that ends right after sending a result (its job pipe closed, so the next
    job cannot even be sent) fails the job it was given, not the whole gallery."""
    import marshal
    import os

    from deconv_anim.gallery import workers

    def one_job_then_gone(tasks, results, jobs, configs, limits):
        index = int.from_bytes(os.read(tasks, 4), "little")
        os.close(tasks)  # no reader left: the parent's next write breaks the pipe
        payload = marshal.dumps(workers._worker_job(configs[index], str(jobs[index][1]),
                                                    limits))
        os.write(results, len(payload).to_bytes(4, "little") + payload)

    monkeypatch.setattr(workers, "_serve", one_job_then_gone)
    configs = write_configs(tmp_path / "configs")
    report = build_gallery(configs, tmp_path / "out", jobs=2)
    assert len(report.rendered) == 2
    assert len(report.rendered) + len(report.failed) == len(SMALL)
    assert all("internal error" in reason for _, reason in report.failed)
