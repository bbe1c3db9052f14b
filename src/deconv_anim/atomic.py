"""Atomic writes: a file appears whole or not at all.

Every file the package writes (animations, frames, the gallery's README and manifest) goes
through :func:`atomic_output`: a temp file beside the target, renamed over it only when
complete. The temp file is named ``.NAME.PID.XXXXXXXX.tmp``, so a leftover of a killed
process can be told from one still being written (see
:func:`deconv_anim.gallery.remove_stale_temps`); NAME is cut to :data:`TEMP_NAME_BYTES`
bytes (:func:`temp_stem`), so the temp file of any legal name fits in 255 bytes. Folders a
write created are removed again when it fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .errors import OutputError, os_reason

__all__ = ["atomic_output", "atomic_folder", "write_atomic", "is_folder", "temp_stem",
           "TEMP_NAME_BYTES"]

TEMP_NAME_BYTES = 230
"""At most this many bytes of the output's name go into its temp file's name: with the dot,
a process id (up to 10 digits), 8 random characters and ``.tmp`` it stays within the 255
bytes a file name may hold."""


def temp_stem(name: str) -> str:
    """The part of file name ``name`` its temp files carry: ``name`` cut to
    :data:`TEMP_NAME_BYTES` bytes (never inside a character).

    >>> temp_stem("x.gif"), len(temp_stem("a" * 244 + ".gif"))
    ('x.gif', 230)
    """
    raw = os.fsencode(name)
    if len(raw) <= TEMP_NAME_BYTES:
        return name
    cut = raw[:TEMP_NAME_BYTES]
    while cut:
        try:
            return os.fsdecode(cut.decode("utf-8").encode("utf-8"))
        except UnicodeDecodeError:
            cut = cut[:-1]
    return os.fsdecode(raw[:TEMP_NAME_BYTES])  # pragma: no cover - not UTF-8 at all


def _missing(folder: Path) -> list[Path]:
    """``folder`` and its parents that do not exist yet, deepest first."""
    missing = []
    probe = folder
    try:
        while not os.path.lexists(probe) and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
    except (OSError, ValueError):  # pragma: no cover - lexists reports False instead
        return []
    return missing


def _remove_empty(created: list[Path]) -> None:
    """Remove the folders a failed write created (deepest first), those still empty."""
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            return


def is_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder; False when the OS cannot tell (a name too long, ...):
    writing it then fails with the OS's reason.

    >>> is_folder("."), is_folder("x" * 5000)
    (True, False)
    """
    try:
        return Path(path).is_dir()
    except OSError:
        return False


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """Open a temp file beside ``path``; rename it into place only if the block succeeds.

    On any error or interrupt (Ctrl-C included) the temp file is removed and a previous
    file at ``path`` is left as it was. A missing parent folder is created. The handle's
    ``name`` is the temp file's path (for backends that write by path, such as ffmpeg).
    The file gets the permissions the umask gives a new file.

    Raises
    ------
    OutputError
        Naming ``path`` and the OS's reason ("No space left on device", ...).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_output(path) as handle:
    ...     _ = handle.write(b"whole")
    >>> path.read_bytes()
    b'whole'
    """
    path = Path(path)
    created = _missing(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _remove_empty(created)
        raise OutputError(f"{path}: cannot create the folder {path.parent} "
                          f"({os_reason(error, path.parent)})") from None
    if is_folder(path):
        raise OutputError(f"{path}: is a directory, not an output file")
    temp: str | None = None
    try:
        with _signals_held():  # an interrupt is raised only once ``temp`` is set
            try:
                import tempfile  # (imported when first needed: it is slow to import)

                fd, temp = tempfile.mkstemp(prefix=f".{temp_stem(path.name)}.{os.getpid()}.",
                                            suffix=".tmp", dir=path.parent)
            except OSError as error:
                raise OutputError(f"{path}: cannot write in {path.parent} "
                                  f"({os_reason(error)})") from None
        try:
            os.close(fd)
            with open(temp, "wb") as handle:
                yield handle
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
            os.replace(temp, path)
        except OutputError:
            raise
        except OSError as error:
            raise OutputError(f"{path}: cannot be written ({os_reason(error)})") from None
    except BaseException:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        _remove_empty(created)
        raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM inside the block; one that came is raised on leaving it.

    Around the temp file's creation, an interrupt then never falls between the file being
    made and its name being known (which would leave it behind). The signals are blocked
    in this thread, and (in the main thread) their handlers only note them meanwhile: the
    OS may hand a process's signal to any thread that does not block it (NumPy's BLAS
    threads), and Python then runs the handler in the main thread at once.
    """
    import signal
    import threading

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(number)
            if callable(handler):  # (an ignored or default signal stays as it is)
                previous[number] = handler
                signal.signal(number, lambda n, _frame: caught.append(n))
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        for held_number, handler in previous.items():
            signal.signal(held_number, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if caught:
            signal.raise_signal(caught[0])


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_output`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "README.md"
    >>> write_atomic(path, b"# Gallery\\n")
    >>> path.read_text()
    '# Gallery\\n'
    """
    with atomic_output(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_folder(folder: Path, source: str | None = None, key: str = "frames_dir"
                  ) -> Iterator[Path]:
    """A temp folder beside ``folder`` to write into; its files move into ``folder`` only
    when the block succeeds (the whole folder is renamed when ``folder`` is new). On any
    failure or interrupt the temp folder is removed: no partial set of files is left.

    Errors are :class:`~deconv_anim.errors.ConfigError` naming ``key``.
    """
    import shutil
    import tempfile

    from .errors import ConfigError
    from .limits import path_problem

    problem = path_problem(folder)
    if problem:
        raise ConfigError(key, f"is not a usable folder name: {problem}", source)
    created = _missing(folder.parent)
    try:
        if folder.exists() and not folder.is_dir():
            raise ConfigError(key, f"{folder} is a file, not a folder", source)
        folder.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name[:40]}.{os.getpid()}.",
                                     suffix=".tmp", dir=folder.parent))
    except OSError as error:
        _remove_empty(created)
        raise ConfigError(key, f"cannot write {folder} ({os_reason(error, folder)})",
                          source) from None
    done = False
    try:
        yield temp
        if not folder.exists():
            os.replace(temp, folder)
        else:
            for item in sorted(temp.iterdir()):
                os.replace(item, folder / item.name)
        done = True
    except OSError as error:
        raise ConfigError(key, f"cannot write {folder} ({os_reason(error)})", source) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        if not done:
            _remove_empty(created)
