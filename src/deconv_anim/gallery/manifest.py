"""What the gallery rendered from what: its configs read once (:class:`Item`), the manifest
``.deconv-anim.json`` (per output: the config's sha256, ``FORMAT_VERSION``, the output's
sha256), why an output is stale, and the temp files killed writers left.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..config import Config, resolve_config
from ..errors import DeconvAnimError
from ..formats import FORMATS
from ..limits import load_json, read_config_bytes

__all__ = ["MANIFEST_NAME", "Item", "Problem", "read_items", "read_manifest",
           "write_manifest", "stale_reason", "remove_stale_temps", "file_sha256"]

MANIFEST_NAME = ".deconv-anim.json"
"""What was rendered from what, in the output folder."""
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Item:
    """One config of the gallery, read once: its bytes' hash, and its Config or error."""

    name: str
    path: Path
    sha256: str
    config: Config | None
    error: str | None
    suffix: str = ".gif"

    @property
    def output(self) -> str:
        return f"{self.name}{self.suffix}"


@dataclass(frozen=True)
class Problem:
    """An output ``--check`` finds missing or stale, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"



def sha256_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        return sha256_of(path.read_bytes())
    except OSError:
        return None


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\w+\.tmp$")


def remove_stale_temps(folder: str | Path, names: Iterable[str]) -> list[str]:
    """Delete the temp files that killed writers left in ``folder``; return their names.

    Only files named as this package names them, ``.NAME.PID.XXXXXXXX.tmp`` with NAME in
    ``names`` (cut as :func:`deconv_anim.atomic.temp_stem` cuts it; see
    :func:`deconv_anim.atomic.atomic_output`), and only when process PID is
    gone or is this one (which, between renders, writes nothing): a temp file another
    running process is still writing is never touched.
    """
    from ..atomic import temp_stem

    wanted, removed = {temp_stem(name) for name in names}, list[str]()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None or match["name"] not in wanted or not entry.is_file():
            continue
        if _process_alive(int(match["pid"])):
            continue
        try:
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass
    return sorted(removed)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) is not a probe on Windows
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def read_items(configs: Mapping[str, Path], suffix: str = ".gif") -> list[Item]:
    items = []
    for name, path in configs.items():
        try:  # hashed before it is parsed: never too new; a FIFO or a huge file refused
            digest = sha256_of(read_config_bytes(path))
        except DeconvAnimError as error:
            items.append(Item(name, path, "", None, str(error), suffix))
            continue
        try:
            items.append(Item(name, path, digest, resolve_config(path, kind="path"), None, suffix))
        except DeconvAnimError as error:
            items.append(Item(name, path, digest, None, str(error), suffix))
    return items



def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's records by output name; unreadable or foreign means none."""
    try:  # bounded: a hostile manifest (deep nesting, huge numbers) is just not ours
        document = load_json((out_dir / MANIFEST_NAME).read_bytes())
    except (OSError, DeconvAnimError):
        return {}
    if not isinstance(document, dict) or document.get("version") != MANIFEST_VERSION:
        return {}
    outputs = document.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    return {name: record for name, record in outputs.items()
            if isinstance(record, dict) and is_output_name(name)}


def is_output_name(name: Any) -> bool:
    """An output's bare file name: a manifest never makes the gallery touch any other file."""
    return (isinstance(name, str) and name.endswith(tuple(f".{f}" for f in FORMATS))
            and not name.startswith(".")
            and Path(name).name == name and "\\" not in name)


def write_manifest(out_dir: Path, records: Mapping[str, Mapping[str, Any]]) -> None:
    document = {"generator": "deconv-anim gallery", "outputs": dict(records),
                "version": MANIFEST_VERSION}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(out_dir / MANIFEST_NAME, text.encode("utf-8"))


def stale_reason(item: Item, record: Mapping[str, Any] | None, out_dir: Path,
           format_version: int) -> str | None:
    """Why ``item``'s output must be rendered again, or None when it is up to date."""
    output = out_dir / item.output
    if not output.is_file():
        return "missing"
    if record is None:
        return f"not recorded in {MANIFEST_NAME}"
    if record.get("config_sha256") != item.sha256:
        return f"{item.path.name} changed since it was rendered"
    if record.get("format_version") != format_version:
        return (f"rendered by format version {record.get('format_version')}, "
                f"the renderer is at {format_version}")
    if record.get("output_sha256") != file_sha256(output):
        return "changed since it was rendered"
    return None

