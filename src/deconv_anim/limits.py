"""Bounds on what a user can hand the program, checked before any real work.

Every check here is arithmetic or one bounded pass over the input, and every refusal is a
:class:`~deconv_anim.errors.ConfigError` (one line, exit code 2). They are the reusable
guards of every boundary that reads user data:

* :func:`read_config_bytes` -- a config file: a regular file of at most
  :data:`MAX_CONFIG_BYTES`, never a FIFO or a device, never read whole when too large;
* :func:`scan_yaml` -- a YAML text before it is built: one document, nesting at most
  :data:`MAX_DEPTH`, at most :data:`MAX_NODES` values with every alias expanded (an alias
  bomb is refused from its events, before anything walks it), integers of at most
  :data:`MAX_DIGITS` digits;
* :func:`check_nesting` -- the same bounds over data already built (a Python mapping handed
  to the API, a parsed JSON manifest), without recursion and safe on cycles;
* :func:`load_json` -- JSON text (the gallery's manifest) with those bounds;
* :func:`parse_int` -- an integer written as text (a flag, an option);
* :func:`check_text` -- a text field that ends up in XML (an SVG title, a gallery README):
  no lone surrogates and no control characters;
* :func:`check_number` -- a finite number in a documented range;
* :func:`path_problem` / :func:`stat_or_none` -- a path the OS would refuse (a name over
  :data:`NAME_MAX` bytes, a path over :data:`PATH_MAX`), and ``stat`` without surprises.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, one_line, os_reason
from .errors import show_value as _show

__all__ = ["MAX_CONFIG_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_DIGITS", "NAME_MAX", "PATH_MAX",
           "MATRIX_VIEW_SIDE",
           "read_config_bytes", "scan_yaml", "check_nesting", "load_json", "parse_int",
           "check_text", "text_problem", "check_number", "path_problem", "stat_or_none"]

MAX_CONFIG_BYTES = 1_048_576
"""The largest config file (or ``gallery.yaml``) read: 1 MiB, far above any real one."""
MAX_DEPTH = 32
"""The deepest nesting of lists and mappings in one document (a config needs 3)."""
MAX_NODES = 100_000
"""The most values (scalars, lists, mappings) in one document, aliases expanded."""
MAX_DIGITS = 100
"""The longest integer read, in digits (Python refuses to read more than 4300)."""
MATRIX_VIEW_SIDE = 64
"""``view: matrix`` draws at most this many inputs and this many outputs (a 64 x 64 matrix);
``info --json --matrix`` lists larger ones (:data:`deconv_anim.matrix.MAX_MATRIX_ENTRIES`)."""
NAME_MAX = 255
"""The longest file or folder name, in bytes (Linux, macOS and Windows agree)."""
PATH_MAX = 4096
"""The longest path, in bytes, including the terminating NUL (Linux)."""

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_config_bytes(path: str | Path, source: str | None = None) -> bytes:
    """The bytes of the config file ``path``, checked before they are read.

    Refused with one line: a missing or unreadable file, a name the OS refuses, anything
    but a regular file (a FIFO would block, ``/dev/zero`` never ends), a file over
    :data:`MAX_CONFIG_BYTES` (also one that grows while it is read).
    """
    source = str(path) if source is None else source
    problem = path_problem(path)
    if problem:
        raise ConfigError(None, f"cannot be read: {problem}", source)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(None, "no such config file", source) from None
    except OSError as error:
        raise ConfigError(None, f"cannot be read ({os_reason(error)})", source) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(None, "is a directory, not a config file", source)
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(None, f"is {_kind(info.st_mode)}, not a config file", source)
    too_large = (f"is larger than {MAX_CONFIG_BYTES} bytes, the most a config file may "
                 "hold")
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(None, too_large, source)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(None, "no such config file", source) from None
    except OSError as error:
        raise ConfigError(None, f"cannot be read ({os_reason(error)})", source) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(None, too_large, source)
    return data


_PLAIN_INT = re.compile(r"[-+]?[0-9][0-9_:]*")


def scan_yaml(text: str, loader: type, *, where: bool = True) -> int | None:
    """Refuse a YAML text too large to build, from its parser events alone.

    Nothing is built: the events are counted as they stream. A second document, nesting
    deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES` values once every alias is
    expanded (each alias counts the whole value it repeats), or an integer of more than
    :data:`MAX_DIGITS` digits is a :class:`ConfigError` whose rule starts with ``line L,
    column C: `` when ``where``. Syntax errors pass (None): the loader reports them.

    Returns the number of values the document holds, aliases expanded.
    """
    import yaml

    stack: list[list[Any]] = []  # [values so far, anchor] per open list or mapping
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    documents = 0
    total = 0

    def refuse(event: Any, rule: str) -> None:
        mark = event.start_mark
        prefix = f"line {mark.line + 1}, column {mark.column + 1}: " if where and mark else ""
        raise ConfigError(None, prefix + rule)

    def add(event: Any, count: int) -> None:
        nonlocal total
        if stack:
            stack[-1][0] += count
        else:
            total += count
        if (stack[-1][0] if stack else total) > MAX_NODES:
            refuse(event, f"its aliases (*name) expand it to more than {MAX_NODES} values"
                   if sizes else f"holds more than {MAX_NODES} values")

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    refuse(event, "holds more than one YAML document (---); one config per "
                                  "file")
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([0, event.anchor])
                if len(stack) > MAX_DEPTH:
                    refuse(event, f"nests lists or mappings deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                count, anchor = stack.pop()
                if anchor:
                    sizes[anchor] = count + 1
                add(event, count + 1)
            elif isinstance(event, yaml.ScalarEvent):
                value = event.value
                if (event.implicit[0] and len(value) > MAX_DIGITS and _PLAIN_INT.fullmatch(value)
                        and sum(c.isdigit() for c in value) > MAX_DIGITS):
                    refuse(event, f"an integer of {sum(c.isdigit() for c in value)} digits is "
                                  f"too long (at most {MAX_DIGITS})")
                if event.anchor:
                    sizes[event.anchor] = 1
                add(event, 1)
            elif isinstance(event, yaml.AliasEvent):
                add(event, sizes.get(event.anchor, 1))
    except yaml.YAMLError as error:
        if "nesting depth" in str(error):  # libyaml's own limit (1000), met while scanning
            raise ConfigError(None, f"nests lists or mappings deeper than {MAX_DEPTH} "
                                    "levels") from None
        return None  # the loader reports it, with its line and column
    return total


def check_nesting(value: Any, key: str | None = None, *, max_depth: int = MAX_DEPTH,
                  max_nodes: int = MAX_NODES) -> None:
    """Refuse data nested deeper than ``max_depth`` or holding more than ``max_nodes``
    values (a value reached twice counts twice, so shared and cyclic data are bounded too).

    A loop over an explicit stack: no recursion, and at most ``max_nodes`` steps.

    Examples
    --------
    >>> check_nesting({"op": "conv", "size": [5, 5]})
    >>> nested = []
    >>> nested.append(nested)
    >>> check_nesting(nested, "title")
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: title: nests lists or mappings deeper than 32 levels
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise ConfigError(key, f"holds more than {max_nodes} values")
        if isinstance(item, Mapping):
            children: Any = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > max_depth:
            raise ConfigError(key, f"nests lists or mappings deeper than {max_depth} levels")
        if len(children) > max_nodes:
            raise ConfigError(key, f"holds more than {max_nodes} values")
        stack.extend((child, depth + 1) for child in children)


def load_json(text: str | bytes, source: str | None = None) -> Any:
    """Parse JSON text (the gallery's manifest) within :data:`MAX_DEPTH` and
    :data:`MAX_NODES`; a bad or hostile document is a :class:`ConfigError`.

    The nesting is measured on the text first (the parser recurses), integers longer than
    :data:`MAX_DIGITS` digits are refused, and the result is checked by
    :func:`check_nesting`.
    """
    import json

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(None, "is not UTF-8 JSON", source) from None
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise ConfigError(None, f"nests lists or mappings deeper than {MAX_DEPTH} "
                                        "levels", source)
        elif char in "]}":
            depth -= 1

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise ConfigError(None, f"an integer of {len(digits.lstrip('-'))} digits is too "
                                    f"long (at most {MAX_DIGITS})", source)
        return int(digits)

    try:
        data = json.loads(text, parse_int=bounded_int)
    except (ValueError, RecursionError) as error:
        if isinstance(error, ConfigError):
            raise
        raise ConfigError(None, f"is not valid JSON ({one_line(str(error))[:80]})",
                          source) from None
    try:
        check_nesting(data)
    except ConfigError as error:
        raise error.with_source(source) if source else error from None
    return data


def parse_int(key: str | None, text: str) -> int:
    """An integer written as text, refused (naming ``key``) when longer than
    :data:`MAX_DIGITS` digits, before Python's own limit of 4300 raises ``ValueError``.

    >>> parse_int("size", " -12 ")
    -12
    """
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_DIGITS:
        raise ConfigError(key, f"an integer of {digits} digits is too long (at most "
                               f"{MAX_DIGITS})")
    try:
        return int(text)
    except ValueError:
        raise ConfigError(key, f"must be an integer (got {_show(text)})") from None


def text_problem(text: str, allowed: str = "") -> str | None:
    """Why ``text`` cannot be written into an SVG (XML 1.0) or a README, or None.

    ``allowed`` lists control characters a field may hold (``"\\n\\t"`` for Markdown).

    Refused: lone surrogates (half a UTF-16 pair: no character at all, not encodable as
    UTF-8), control characters (XML cannot hold most of them; the others would move a
    terminal's cursor or ring its bell) and the non-characters U+FFFE and U+FFFF.
    """
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cs":
            what = "a lone surrogate (half a UTF-16 pair, not a character)"
        elif category == "Cc" and char not in allowed:
            what = "a control character"
        elif char in "\ufffe\uffff":
            what = "not a character"
        else:
            continue
        return (f"holds U+{ord(char):04X}, {what}, at position {position}; "
                "text must be printable")
    return None


def check_text(key: str | None, text: str, allowed: str = "") -> str:
    """``text`` if :func:`text_problem` finds nothing, else a :class:`ConfigError` naming
    ``key`` (``allowed`` as for :func:`text_problem`).

    >>> check_text("title", "Stride 2")
    'Stride 2'
    >>> check_text("title", "bell\\a")
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: title: holds U+0007, a control character, at position 4; ...
    """
    problem = text_problem(text, allowed)
    if problem:
        raise ConfigError(key, problem)
    return text


def check_number(key: str | None, value: Any, minimum: float, maximum: float) -> float:
    """A finite real number from ``minimum`` to ``maximum`` (inf and NaN are refused).

    >>> check_number("--fps", 24, 0.1, 120)
    24.0
    """
    ok = (not isinstance(value, bool) and isinstance(value, (int, float))
          and (isinstance(value, int) or math.isfinite(value)) and minimum <= value <= maximum)
    if not ok:
        raise ConfigError(key, f"must be a number from {minimum:g} to {maximum:g} "
                               f"(got {_show(value)})")
    return float(value)


def path_problem(path: str | Path) -> str | None:
    """Why the OS would refuse ``path`` by its length alone, or None.

    >>> path_problem("a" * 300 + ".gif")
    'its name a...a.gif is 304 bytes long, more than the 255 a file name may hold'
    """
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        return "it holds a lone surrogate, which no file name can hold"
    if b"\0" in raw:
        return "it holds a NUL character, which no file name can hold"
    if len(raw) >= PATH_MAX:
        return f"it is {len(raw)} bytes long, more than the {PATH_MAX - 1} a path may hold"
    for part in raw.split(b"/"):
        if len(part) > NAME_MAX:
            name = os.fsdecode(part)
            suffix = os.path.splitext(name)[1][:10]
            shown = one_line(f"{name[:1]}...{name[-(len(suffix) + 1):] if suffix else name[-5:]}")
            return (f"its name {shown} is {len(part)} bytes long, more than the {NAME_MAX} a "
                    "file name may hold")
    return None


def stat_or_none(path: str | Path) -> os.stat_result | None:
    """``os.stat(path)``, or None when nothing is there (or a parent is a file).

    Any other failure (no permission to look, a symlink loop, a name too long) is an
    ``OSError`` for the caller to report; ``Path.is_dir`` would raise some of them and
    swallow others.
    """
    try:
        return os.stat(path)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
