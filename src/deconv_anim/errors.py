"""The errors a user can see. Their text is the user's message: no traceback, one line."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["DeconvAnimError", "ConfigError", "OutputError", "MissingDependencyError",
           "show_value"]


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so an error is always one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


PREVIEW = 40
"""The most characters of a value an error message shows."""


def show_value(value: Any) -> str:
    """A value as the user wrote it, YAML-ish and short, for error messages.

    JSON's spelling, cut to :data:`PREVIEW` characters. The text is made piece by piece and
    stops once long enough, so a huge, deep or self-containing value costs no more than a
    short one (an alias bomb never reaches its expansion here).

    >>> show_value({"op": "conv", "size": [5, 5]}), show_value(10 ** 5000)
    ('{"op": "conv", "size": [5, 5]}', 'an integer of 5001 digits')
    """
    text = ""
    for piece in _pieces(value):
        text += piece
        if len(text) > PREVIEW:
            break
    return text if len(text) <= PREVIEW else text[:PREVIEW - 3] + "..."


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if value.bit_length() <= 1000:
            return str(value)
        digits = int((value.bit_length() - 1) * 0.30102999566398120) + 1
        digits += abs(value) >= 10 ** digits
        return f"an integer of {digits} digits"
    if isinstance(value, float):
        return json.dumps(value)
    text = value if isinstance(value, str) else str(value)
    return json.dumps(text[:PREVIEW + 1], ensure_ascii=False)


def _key(key: Any) -> str:
    if isinstance(key, (str, int, float)) or key is None:
        text = key if isinstance(key, str) else _scalar(key)
        return json.dumps(text[:PREVIEW + 1], ensure_ascii=False)
    return repr(key)[:PREVIEW + 1]


def _pieces(value: Any) -> Iterator[str]:
    """The JSON text of ``value`` in small pieces, from a loop over an explicit stack."""
    stack: list[list[Any]] = []  # [iterator, closer, first?, mapping?]
    current = value
    while True:
        if isinstance(current, Mapping):
            yield "{"
            stack.append([iter(current.items()), "}", True, True])
        elif isinstance(current, (list, tuple)):
            yield "["
            stack.append([iter(current), "]", True, False])
        else:
            yield _scalar(current)
        while stack:
            top = stack[-1]
            item: Any = next(top[0], _END)
            if item is _END:
                stack.pop()
                yield top[1]
                continue
            if not top[2]:
                yield ", "
            top[2] = False
            if top[3]:
                yield _key(item[0]) + ": "
                current = item[1]
            else:
                current = item
            break
        else:
            return


_END = object()


def os_reason(error: OSError, folder: str | Path | None = None) -> str:
    """The OS's reason for ``error`` on one line ("No space left on device").

    When ``error`` came from creating ``folder`` and a file is in the way (``folder`` or one
    of its parents), the reason names that file instead of the OS's vaguer words.
    """
    if folder is not None:
        folder = Path(folder)
        for parent in (folder, *folder.parents):
            try:
                if parent.exists() and not parent.is_dir():
                    return f"{parent} is a file, not a folder"
            except OSError:  # not allowed to look (a 0700 folder), a name too long, ...
                continue
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
