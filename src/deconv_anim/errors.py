"""The errors a user can see. Their text is the user's message: no traceback, one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["DeconvAnimError", "ConfigError", "OutputError", "MissingDependencyError",
           "show_value"]


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so an error is always one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def show_value(value: Any) -> str:
    """A value as the user wrote it, YAML-ish and short, for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - json handles every YAML-safe value
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def os_reason(error: OSError, folder: str | Path | None = None) -> str:
    """The OS's reason for ``error`` on one line ("No space left on device").

    When ``error`` came from creating ``folder`` and a file is in the way (``folder`` or one
    of its parents), the reason names that file instead of the OS's vaguer words.
    """
    if folder is not None:
        folder = Path(folder)
        for parent in (folder, *folder.parents):
            if parent.exists() and not parent.is_dir():
                return f"{parent} is a file, not a folder"
    text = (error.strerror or str(error)).strip()
    return one_line(text.splitlines()[0]) if text else type(error).__name__


class DeconvAnimError(Exception):
    """Base class of every error deconv-anim reports to its user (exit code 2)."""


class ConfigError(DeconvAnimError, ValueError):
    """A config value breaks a rule.

    The message reads ``<source>: <key>: <rule>``, for example
    ``configs/x.yaml: stride: must be a positive integer or a pair of them (got -1)``.
    """

    def __init__(self, key: str | None, rule: str, source: str | None = None) -> None:
        self.key = key
        self.rule = rule
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        parts = [p for p in (self.source, self.key) if p]
        return one_line(": ".join([*parts, self.rule]))

    def with_source(self, source: str) -> ConfigError:
        """The same error, attributed to ``source`` (a file name) unless it already has one."""
        if self.source:
            return self
        return ConfigError(self.key, self.rule, source)


class OutputError(DeconvAnimError, OSError):
    """An output path cannot be created or written."""


class MissingDependencyError(DeconvAnimError, ImportError):
    """An optional backend (ffmpeg, Sphinx) is not installed; the message says how to add it."""


class Terminated(SystemExit):
    """SIGTERM as an exception (exit code 143), raised by :func:`raise_terminated`.

    Like Ctrl-C it unwinds the stack, so ``finally`` blocks and context managers run: an
    atomic write removes its temp file. It is not an ``Exception``: nothing swallows it.
    """

    def __init__(self, code: int = 143) -> None:
        super().__init__(code)


def raise_terminated(signum: int, frame: Any) -> None:
    """A SIGTERM handler: ``signal.signal(signal.SIGTERM, raise_terminated)``."""
    raise Terminated(128 + signum)
