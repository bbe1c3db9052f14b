"""Reading YAML safely: one document of plain data, bounded before it is built, a key
given twice refused, every failure one :class:`~deconv_anim.errors.ConfigError` line.

libyaml parses when PyYAML has it; a broken document is parsed again by the pure-Python
parser, whose messages are the documented ones (the same on every machine).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .limits import read_config_bytes, scan_yaml

__all__ = ["read_yaml", "load_yaml_text"]


def read_yaml(path: str | Path) -> Any:
    """Read one YAML document safely; every failure is a :class:`ConfigError`."""
    source = str(path)
    data = read_config_bytes(path, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(None, f"is not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                                f"{error.start})", source) from None
    if not text.strip():
        raise ConfigError(None, "is empty: a config is a mapping of keys such as 'op: conv'",
                          source)
    try:
        return load_yaml_text(text)
    except ConfigError as error:
        raise error.with_source(source) from None


def load_yaml_text(text: str, *, where: bool = True) -> Any:
    """One YAML document, safely: plain data only, bounded before it is built (see
    :func:`deconv_anim.limits.scan_yaml`); every failure is a :class:`ConfigError`."""
    import yaml

    fast, exact = _loaders()  # safe loaders: plain data only
    scan_yaml(text, fast, where=where)
    try:
        return yaml.load(text, Loader=fast)
    except (yaml.YAMLError, RecursionError):
        pass
    try:  # the same document again, for the message of the pure-Python parser
        return yaml.load(text, Loader=exact)
    except yaml.YAMLError as error:
        raise ConfigError(None, _yaml_message(error, where=where)) from None
    except RecursionError:  # pragma: no cover - scan_yaml bounds the nesting first
        raise ConfigError(None, "nests lists or mappings too deeply") from None


def _unique_key_loader(base: type) -> type:
    """A safe loader (``base``) that refuses a key given twice in one mapping (YAML would
    keep the last silently, so a config could say two things)."""
    import yaml

    class UniqueKeyLoader(base):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the loader reports it
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice in one mapping",
                        key_node.start_mark)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


class _LazyLoader:
    loaders: tuple[type, type] | None = None


def _loaders() -> tuple[type, type]:
    """(fast, exact): libyaml's parser when PyYAML has it, and the pure-Python one, whose
    error messages are the ones documented (the same on every machine)."""
    if _LazyLoader.loaders is None:
        import yaml

        exact = _unique_key_loader(yaml.SafeLoader)
        fast = _unique_key_loader(yaml.CSafeLoader) if yaml.__with_libyaml__ else exact
        _LazyLoader.loaders = (fast, exact)
    return _LazyLoader.loaders


def _yaml_message(error: Any, *, where: bool = True) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where_text = f"line {mark.line + 1}, column {mark.column + 1}: " if mark and where else ""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "constructor for the tag" in str(problem):
        tag = re.search(r"'([^']+)'", str(problem))
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!") if tag else "this tag"
        return (f"{where_text}YAML tag {shown} is not allowed "
                "(configs are plain data, loaded safely)")
    return f"{where_text}invalid YAML: {problem}"
