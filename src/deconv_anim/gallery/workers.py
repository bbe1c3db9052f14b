"""The gallery's renders: in this process, or in worker processes that a Ctrl-C or SIGTERM
stops cleanly (each running render removes its temp file). On Linux the workers are forked
from this process after the renderer is imported and the configs read (a job is its index
down a pipe, a result a marshalled tuple back); elsewhere a ``ProcessPoolExecutor`` runs
them."""

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
    writers, NumPy's random module, Pillow's GIF plugin, ctypes for
    :func:`_die_with`): each worker would otherwise import them again, on the cores the
    renders need."""
    import importlib

    from .. import animation  # noqa: F401

    for name in ("ctypes", "tempfile", "numpy.random", "PIL.GifImagePlugin",
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
    _load_renderer()  # once here, so forked workers start ready
    # the longest renders first, so no core waits on one started last (the manifest and
    # the README do not depend on the order renders finish in)
    jobs = sorted(jobs, key=lambda job: -_cost(job[0]))
    if hasattr(os, "fork") and sys.platform == "linux":
        yield from _forked_renders(jobs, workers, limits)
    else:  # pragma: no cover - macOS (fork is unsafe there) and Windows
        yield from _pool_renders(jobs, workers, limits)


def _pool_renders(jobs: list[tuple[Item, Path]], workers: int,
                  limits: Mapping[str, int] | None
                  ) -> Generator[tuple[Item, str | None, str | None, Size | None], None, None]:
    """The renders in a :class:`concurrent.futures.ProcessPoolExecutor` (where there is no
    fork to start workers that already hold every module)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                               mp_context=multiprocessing.get_context(),
                               initializer=_worker_init, initargs=(os.getpid(),))
    finished = False
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


class _Worker:
    """A forked worker as the parent sees it: its pid, the pipe its jobs go down (a job's
    index, 4 bytes), the pipe its results come back up, and the job it is rendering."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.job: int | None = None
        self.buffer = b""


def _forked_renders(jobs: list[tuple[Item, Path]], workers: int,
                    limits: Mapping[str, int] | None
                    ) -> Generator[tuple[Item, str | None, str | None, Size | None], None, None]:
    """The renders in worker processes forked from this one: each starts with every module
    and every config already loaded (nothing is imported or pickled again), takes the next
    job when it finishes one, and sends back its result (a marshalled tuple)."""
    import select

    configs = [_config_of(item) for item, _ in jobs]
    for stream in (sys.stdout, sys.stderr):  # a child never writes what the parent buffered
        with contextlib.suppress(Exception):
            stream.flush()
    pool: dict[int, _Worker] = {}  # by the read end of its results
    queue = iter(range(len(jobs)))
    finished = False

    def assign(worker: _Worker) -> None:
        worker.job = next(queue, None)
        if worker.job is None:  # no more work: the worker reads the end and exits
            os.close(worker.tasks)
            worker.tasks = -1
        else:
            # a worker gone after its last result: the end of its results comes next, and
            # the job is reported lost with the reason
            with contextlib.suppress(BrokenPipeError):
                os.write(worker.tasks, worker.job.to_bytes(4, "little"))

    try:
        for _ in range(min(workers, len(jobs))):
            worker = _fork_worker(pool, jobs, configs, limits)
            pool[worker.results] = worker
            assign(worker)
        while pool:
            ready, _, _ = select.select(list(pool), [], [])
            for fd in ready:
                worker = pool[fd]
                chunk = os.read(fd, 1 << 16)
                if not chunk:  # the worker exited: after its last job, or killed in one
                    del pool[fd]
                    job, lost = worker.job, _reap(worker)
                    if job is not None:
                        yield jobs[job][0], None, lost, None
                    continue
                worker.buffer += chunk
                while len(worker.buffer) >= 4:
                    size = int.from_bytes(worker.buffer[:4], "little")
                    if len(worker.buffer) < 4 + size:
                        break
                    import marshal

                    digest, error, figure = marshal.loads(worker.buffer[4:4 + size])
                    worker.buffer = worker.buffer[4 + size:]
                    done = worker.job
                    assign(worker)  # the next job first: the worker renders while we record
                    if done is not None:
                        yield jobs[done][0], digest, error, figure
        for index in queue:  # every worker died before these started
            yield (jobs[index][0], None, "internal error: the worker processes ended before "
                                         "it was rendered", None)
        finished = True
    finally:
        if not finished:
            _stop_forked(pool)


def _fork_worker(pool: Mapping[int, _Worker], jobs: list[tuple[Item, Path]],
                 configs: list[Config], limits: Mapping[str, int] | None) -> _Worker:
    tasks_read, tasks_write = os.pipe()
    results_read, results_write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker: it never returns into the parent's code
        code = 1
        try:
            for fd in (tasks_write, results_read,
                       *(end for other in pool.values() for end in (other.tasks, other.results)
                         if end >= 0)):
                os.close(fd)
            _worker_init(parent)
            _serve(tasks_read, results_write, jobs, configs, limits)
            code = 0
        finally:
            os._exit(code)
    os.close(tasks_read)
    os.close(results_write)
    return _Worker(pid, tasks_write, results_read)


def _serve(tasks: int, results: int, jobs: list[tuple[Item, Path]], configs: list[Config],
           limits: Mapping[str, int] | None) -> None:
    """A worker's loop: a job's index in, its result out, until the parent has no more."""
    import marshal

    # the gallery's workers take the cores already: a render starts no LZW worker of its own
    os.environ["DECONV_ANIM_GIF_WORKER"] = "0"
    while True:
        message = b""
        while len(message) < 4:
            chunk = os.read(tasks, 4 - len(message))
            if not chunk:
                return
            message += chunk
        index = int.from_bytes(message, "little")
        payload = marshal.dumps(_worker_job(configs[index], str(jobs[index][1]), limits))
        data = len(payload).to_bytes(4, "little") + payload
        while data:
            data = data[os.write(results, data):]


def _reap(worker: _Worker) -> str:
    """Wait for a worker that closed its results; the error of the job it was rendering
    (if it was: it died in it)."""
    os.close(worker.results)
    if worker.tasks >= 0:
        os.close(worker.tasks)
        worker.tasks = -1
    _, status = os.waitpid(worker.pid, 0)
    how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
           else f"exit code {os.waitstatus_to_exitcode(status)}")
    return f"internal error: its worker process ended while rendering it ({how})"


def _stop_forked(pool: Mapping[int, _Worker]) -> None:
    """End every worker cleanly (SIGTERM: a running render removes its temp file), then
    wait for them; one that does not end in 10 s is killed."""
    import time

    for worker in pool.values():
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for worker in pool.values():
        for fd in (worker.tasks, worker.results):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        while True:
            try:
                pid, _ = os.waitpid(worker.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                break
            if time.monotonic() > deadline:  # pragma: no cover - a worker stuck in C code
                with contextlib.suppress(OSError):
                    os.kill(worker.pid, signal.SIGKILL)
                os.waitpid(worker.pid, 0)
                break
            time.sleep(0.01)
