"""The gallery's renders: in this process, or in a pool of worker processes that a Ctrl-C
or SIGTERM stops cleanly (each running render removes its temp file)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import DeconvAnimError, Terminated
from .manifest import Item, file_sha256

__all__ = ["format_version", "render_job", "figure_size", "default_jobs", "run_renders"]

Size = tuple[int, int, int]
"""(width, height, grid cell) in pixels of a config's figure (the README's tables)."""


def format_version() -> int:
    from ..animation import FORMAT_VERSION

    return int(FORMAT_VERSION)


def render_job(config: Config, path: str, limits: Mapping[str, int] | None = None
                ) -> tuple[str | None, str | None, Size | None]:
    """Render one config (in a worker process, or in this one).

    Returns (sha256 of the written file, None, its figure's size) or (None, error line,
    None): errors travel back as text, and a renderer bug fails its config only, never the
    whole gallery. ``limits`` are ``max_frames`` / ``max_pixels`` for
    :func:`deconv_anim.animation.render`. The size (:func:`figure_size`) is worked out
    here, so the README's tables cost the parent nothing after the renders.
    """
    from ..animation import render

    try:
        max_frames, max_pixels = _limits(limits)
        result = render(config, Path(path), max_frames=max_frames, max_pixels=max_pixels)
        digest = file_sha256(Path(result.path))
        if digest is None:
            return (None, f"{path}: the renderer reported it written, but it cannot be read",
                    None)
        return digest, None, _written_figure_size(config, result)
    except DeconvAnimError as error:
        return None, str(error), None
    except Exception as error:
        return None, f"internal error: {type(error).__name__}: {error}", None


def _written_figure_size(config: Config, result: Any) -> Size | None:
    """:func:`figure_size` from what the render wrote, without laying the figure out
    again: a frame's size is the figure's (not a video's, padded to even sides), and its
    cell the look's (unless ``style.width`` fitted it)."""
    written = getattr(result, "size", None)
    if (written is None or config.render.style.width is not None
            or Path(result.path).suffix.lower() == ".mp4"):
        return figure_size(config)
    from ..prepare import look_of

    width, height = written
    return width, height, look_of(config).cell


def figure_size(config: Config) -> Size | None:
    """(width, height, grid cell) in pixels of ``config``'s figure, from its layout (no
    pixel is drawn); None when it cannot be drawn or the renderer has no ``prepare`` (a
    stand-in renderer of the tests)."""
    from .. import animation

    prepare = getattr(animation, "prepare", None)
    if prepare is None:
        return None
    try:
        raster = prepare(config)
    except DeconvAnimError:  # a config that cannot be drawn is reported elsewhere
        return None
    layout = getattr(raster, "left", raster).layout
    width, height = raster.size
    return width, height, layout.cell


def _limits(limits: Mapping[str, int] | None) -> tuple[int, int]:
    """``max_frames`` and ``max_pixels`` for the renderer, the defaults where not given."""
    from ..spec import MAX_FRAMES, MAX_PIXELS

    given = limits or {}
    return given.get("max_frames", MAX_FRAMES), given.get("max_pixels", MAX_PIXELS)


def default_jobs() -> int:
    """The number of cores this process may use."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


# Worker processes ignore Ctrl-C (the terminal sends it to the whole process group): the
# parent decides. To stop them it sends SIGTERM, which unwinds a running render like an
# exception (its temp file is removed) and then ends the worker before it takes more work.
_worker_busy = False
_worker_stopping = False


def _worker_init(parent: int | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    _die_with(parent)


def _die_with(parent: int | None) -> None:
    """Ask the kernel to send SIGTERM when the parent dies (Linux; a SIGKILLed gallery
    leaves no workers rendering on), and exit at once if it is already gone."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:  # died before prctl took effect
        os._exit(143)


def _worker_sigterm(signum: int, frame: Any) -> None:
    global _worker_stopping
    _worker_stopping = True
    if _worker_busy:
        raise Terminated(128 + signum)
    os._exit(128 + signum)  # idle: nothing to clean up


def _worker_job(config: Config, path: str, limits: Mapping[str, int] | None
                ) -> tuple[str | None, str | None, Size | None]:
    global _worker_busy
    try:
        if _worker_stopping:
            os._exit(143)
        _worker_busy = True
        return render_job(config, path, limits)
    except Terminated as stop:  # the render unwound, its temp file removed: exit now
        os._exit(int(stop.code or 143))
    finally:
        _worker_busy = False


def _stop_workers(pool: Any) -> None:
    """Cancel what has not started and end the running renders cleanly (SIGTERM)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():  # pragma: no cover - a worker stuck in C code
            process.kill()
            process.join()


def _load_renderer() -> None:
    """Import, before the workers fork, what every render imports on first use (the
    writers, NumPy's random and masked-array modules, Pillow's GIF plugin, ctypes for
    :func:`_die_with`): each worker would otherwise import them again, on the cores the
    renders need."""
    import importlib

    from .. import animation  # noqa: F401

    for name in ("ctypes", "tempfile", "numpy.random", "numpy.ma", "PIL.GifImagePlugin",
                 "deconv_anim.encode", "deconv_anim.frames", "deconv_anim.lzw"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _cost(item: Item) -> int:
    """About how long a render takes: its frames times the cells it draws."""
    spec = item.config.spec if item.config is not None else None
    if spec is None:
        return 0
    rows, cols = spec.gather.grid_size
    return spec.frames * (rows * cols + spec.output_size[0] * spec.output_size[1])


def _config_of(item: Item) -> Config:
    if item.config is None:
        raise ValueError(f"{item.name} has no config to render: {item.error}")
    return item.config


def run_renders(jobs: list[tuple[Item, Path]], workers: int,
                limits: Mapping[str, int] | None = None
                ) -> Generator[tuple[Item, str | None, str | None, Size | None], None, None]:
    """Yield (item, sha256, error, figure size) as each render finishes.

    Interrupted (Ctrl-C, SIGTERM, or closed early), it stops the worker processes before it
    returns: no render goes on in the background and none leaves a temp file.
    """
    if workers <= 1 or len(jobs) <= 1:
        for item, path in jobs:
            yield (item, *render_job(_config_of(item), str(path), limits))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    _load_renderer()  # once here, so forked workers start ready
    # fork where there is one (Linux, macOS' is unsafe): the workers start with every
    # module loaded instead of importing NumPy and Pillow each
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                               initializer=_worker_init,
                               initargs=(os.getpid(),))
    finished = False
    # the longest renders first, so no core waits on one started last (the manifest and
    # the README do not depend on the order renders finish in)
    jobs = sorted(jobs, key=lambda job: -_cost(job[0]))
    try:
        futures = {pool.submit(_worker_job, _config_of(item), str(path), limits): item
                   for item, path in jobs}
        for future in as_completed(futures):
            item = futures[future]
            try:
                digest, error, size = future.result()
            except Exception as crash:  # the worker died (killed, out of memory, ...)
                digest, error, size = (None, f"internal error: {type(crash).__name__}: "
                                             f"{crash}", None)
            yield item, digest, error, size
        finished = True
    finally:
        if not finished:
            _stop_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)

