"""The gallery: every config of a folder rendered to a GIF, and a README of HTML tables.

``deconv-anim gallery configs -o gallery`` renders ``configs/NAME.yaml`` to
``gallery/NAME.gif`` and writes ``gallery/README.md``. The tables of that README come from an
optional ``configs/gallery.yaml`` (see :func:`parse_layout` and ``docs/gallery.md``);
without it the README is one table of every config, in name order.

Renders are incremental: ``gallery/.deconv-anim.json`` records, per output, the sha256 of the
config's bytes, the renderer's ``FORMAT_VERSION`` and the sha256 of the GIF written. An
output is rendered again only when one of those no longer matches (or with ``force``); the
record is saved after each finished render, so an interrupted run resumes where it stopped.
:func:`check_gallery` renders nothing and lists what a run would change (``--check``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .config import Config, load_config, read_yaml
from .encode import FORMATS
from .errors import ConfigError, DeconvAnimError, OutputError, Terminated, os_reason
from .errors import show_value as _show

__all__ = ["Cell", "Row", "Table", "Section", "Layout", "GalleryReport", "Problem",
           "LAYOUT_NAME", "MANIFEST_NAME", "README_NAME", "IMAGE_WIDTH",
           "find_configs", "parse_layout", "load_layout", "complete_layout", "readme_text",
           "build_gallery", "check_gallery", "default_jobs", "remove_stale_temps"]

LAYOUT_NAME = "gallery.yaml"
"""The optional table layout, in the config folder; it is not an animation config."""
MANIFEST_NAME = ".deconv-anim.json"
"""What was rendered from what, in the output folder."""
README_NAME = "README.md"
IMAGE_WIDTH = "150px"
"""Width of every image in the tables, as in the seed article."""
MANIFEST_VERSION = 1
DEFAULT_TITLE = "Gallery"
DEFAULT_OTHERS = "More animations"
DEFAULT_PER_ROW = 4
MAX_PER_ROW = 12
CAPTIONS = ("cell", "row", "none")


# --------------------------------------------------------------------------------------
# The layout: gallery.yaml
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One table cell: a config's animation (``config`` is its stem) and its caption.

    A cell without ``config`` holds only its caption (or nothing). A caption of None means
    the config's ``title:`` (else its name), unless the table turns captions off.
    """

    config: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    label: str | None = None
    """Text of the row's header cell, in the left column."""


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    caption: str | None = None
    columns: tuple[str | None, ...] = ()
    """Column headers; empty for a table without a header row."""
    corner: str | None = None
    """Text of the top-left header cell, above the row labels."""
    captions: str = "cell"
    """Where captions go: ``cell`` (under each image, in its cell), ``row`` (a row of
    captions under each row of images, as conv_arithmetic's README does) or ``none``."""

    @property
    def width(self) -> int:
        return max([len(self.columns), *(len(row.cells) for row in self.rows)])

    @property
    def has_labels(self) -> bool:
        return self.corner is not None or any(row.label is not None for row in self.rows)


@dataclass(frozen=True)
class Section:
    title: str | None
    tables: tuple[Table, ...] = ()
    text: str | None = None
    """Markdown paragraph(s) between the section's heading and its tables."""


@dataclass(frozen=True)
class Layout:
    """Everything ``README.md`` shows, in order."""

    sections: tuple[Section, ...] = ()
    title: str = DEFAULT_TITLE
    text: str | None = None
    per_row: int = DEFAULT_PER_ROW
    """Images per row in the generated tables (every config, or the configs left over)."""
    others: str = DEFAULT_OTHERS
    """Heading of the final section: the configs no table places."""

    @property
    def placed(self) -> set[str]:
        return {cell.config for section in self.sections for table in section.tables
                for row in table.rows for cell in row.cells if cell.config is not None}


_LAYOUT_KEYS = ("title", "text", "per_row", "others", "sections")
_SECTION_KEYS = ("title", "text", "tables")
_TABLE_KEYS = ("caption", "columns", "corner", "captions", "rows")
_ROW_KEYS = ("label", "cells")
_CELL_KEYS = ("config", "caption")


def _check_keys(where: str, mapping: Mapping[Any, Any], known: tuple[str, ...]) -> None:
    prefix = f"{where}." if where else ""
    for key in mapping:
        if not isinstance(key, str):
            raise ConfigError(f"{prefix}{_show(key)}", "keys must be text")
        if key not in known:
            import difflib

            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else f"known keys: {', '.join(known)}"
            raise ConfigError(f"{prefix}{key}", f"unknown key; {hint}")


def _mapping(where: str, value: Any, known: tuple[str, ...], example: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(where or None, f"must be a mapping such as {example} "
                                         f"(got {_show(value)})")
    _check_keys(where, value, known)
    return value


def _list(where: str, value: Any, what: str, *, empty: bool = False) -> list[Any]:
    if not isinstance(value, list) or (not value and not empty):
        raise ConfigError(where, f"must be a {'' if empty else 'non-empty '}list of {what} "
                                 f"(got {_show(value)})")
    return value


def _line(where: str, value: Any) -> str:
    """One line of text (numbers are taken as text); it is shown HTML-escaped."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(where, f"must be a line of text (got {_show(value)})")
    text = str(value).strip()
    if "\n" in text:
        raise ConfigError(where, "must be a single line of text")
    return text


def _markdown(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"must be Markdown text (got {_show(value)})")
    return value.strip()


def _optional(mapping: Mapping[str, Any], key: str, where: str,
              check: Callable[[str, Any], Any]) -> Any:
    value = mapping.get(key)
    return None if value is None else check(f"{where}.{key}" if where else key, value)


def _cell(where: str, value: Any, names: Mapping[str, Any] | None) -> Cell:
    if value is None or value == "":
        return Cell()
    if isinstance(value, Mapping):
        _check_keys(where, value, _CELL_KEYS)
        caption = _optional(value, "caption", where, _line)
        name = value.get("config")
        where = f"{where}.config"
        if name is None:
            return Cell(caption=caption)
    else:
        caption, name = None, value
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(where, "must be a config's name (its file name without .yaml), "
                                 f"a mapping {{config: NAME, caption: TEXT}} or empty "
                                 f"(got {_show(name)})")
    name = name.strip()
    name = name[:-len(".yaml")] if name.endswith(".yaml") else name
    if names is not None and name not in names:
        import difflib

        close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ConfigError(where, f"no config named {name!r} in this folder{hint}")
    return Cell(name, caption)


def _row(where: str, value: Any, names: Mapping[str, Any] | None) -> Row:
    label = None
    if isinstance(value, Mapping):
        _check_keys(where, value, _ROW_KEYS)
        label = _optional(value, "label", where, _line)
        if "cells" not in value:
            raise ConfigError(f"{where}.cells", "is required: the list of the row's configs")
        where, value = f"{where}.cells", value["cells"]
    cells = _list(where, value, "cells (config names, or empty for a blank cell)")
    return Row(tuple(_cell(f"{where}[{i}]", cell, names) for i, cell in enumerate(cells)),
               label)


def _table(where: str, value: Any, names: Mapping[str, Any] | None) -> Table:
    table = _mapping(where, value, _TABLE_KEYS, "{rows: [[NAME, NAME], [NAME, NAME]]}")
    if "rows" not in table:
        raise ConfigError(f"{where}.rows", "is required: a list of rows, each a list of "
                                           "config names")
    rows_where = f"{where}.rows"
    rows = tuple(_row(f"{rows_where}[{i}]", row, names)
                 for i, row in enumerate(_list(rows_where, table["rows"], "rows")))
    columns: tuple[str | None, ...] = ()
    if table.get("columns") is not None:
        col_where = f"{where}.columns"
        columns = tuple(None if c is None else _line(f"{col_where}[{i}]", c)
                        for i, c in enumerate(_list(col_where, table["columns"], "headers")))
        for i, row in enumerate(rows):
            if len(row.cells) > len(columns):
                raise ConfigError(f"{rows_where}[{i}]", (
                    f"has {len(row.cells)} cells but columns has {len(columns)} headers "
                    "(a row may be shorter, never longer)"))
    captions = table.get("captions", "cell")
    if isinstance(captions, bool):
        captions = "cell" if captions else "none"
    if not isinstance(captions, str) or captions not in CAPTIONS:
        raise ConfigError(f"{where}.captions", f"must be one of {', '.join(CAPTIONS)} "
                                               f"(got {_show(table.get('captions'))})")
    return Table(rows, caption=_optional(table, "caption", where, _line), columns=columns,
                 corner=_optional(table, "corner", where, _line), captions=captions)


def _section(where: str, value: Any, names: Mapping[str, Any] | None) -> Section:
    section = _mapping(where, value, _SECTION_KEYS, "{title: TEXT, tables: [...]}")
    tables_where = f"{where}.tables"
    tables = _list(tables_where, section.get("tables") or [], "tables", empty=True)
    return Section(_optional(section, "title", where, _line),
                   tuple(_table(f"{tables_where}[{i}]", t, names) for i, t in enumerate(tables)),
                   _optional(section, "text", where, _markdown))


def parse_layout(document: Any, *, names: Mapping[str, Any] | None = None,
                 source: str | None = None) -> Layout:
    """Validate a parsed ``gallery.yaml``.

    Parameters
    ----------
    document : mapping
        ``title``, ``text``, ``per_row``, ``others`` and ``sections``; each section has
        ``title``, ``text`` and ``tables``; each table ``caption``, ``columns``, ``corner``,
        ``captions`` and ``rows``; a row is a list of cells or ``{label, cells}``; a cell is
        a config name, ``{config, caption}``, or empty.
    names : mapping, optional
        The configs of the folder by name: a cell naming any other config is an error.
    source : str, optional
        The file name errors are attributed to.

    Raises
    ------
    ConfigError
        Reading ``<source>: <key path>: <rule>``.

    Examples
    --------
    >>> layout = parse_layout({"sections": [{"title": "Seed", "tables": [
    ...     {"columns": ["VALID", "SAME"], "rows": [{"label": "conv", "cells": ["a", "b"]}]}]}]})
    >>> table = layout.sections[0].tables[0]
    >>> table.width, table.has_labels, [c.config for c in table.rows[0].cells]
    (2, True, ['a', 'b'])
    >>> parse_layout({"sections": [{"tables": [{"rows": [["a", "c"]]}]}]}, names={"a": 1, "b": 2})
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: sections[0].tables[0].rows[0][1]: no config named 'c' \
in this folder
    """
    try:
        return _layout(document, names)
    except ConfigError as error:
        raise error.with_source(source) if source else error from None


def _layout(document: Any, names: Mapping[str, Any] | None) -> Layout:
    layout = _mapping("", document, _LAYOUT_KEYS, "'sections: [...]'")
    per_row = layout.get("per_row", DEFAULT_PER_ROW)
    if isinstance(per_row, bool) or not isinstance(per_row, int) or not (
            1 <= per_row <= MAX_PER_ROW):
        raise ConfigError("per_row", f"must be an integer from 1 to {MAX_PER_ROW} "
                                     f"(got {_show(per_row)})")
    sections = _list("sections", layout.get("sections") or [], "sections", empty=True)
    return Layout(
        tuple(_section(f"sections[{i}]", s, names) for i, s in enumerate(sections)),
        title=_optional(layout, "title", "", _line) or DEFAULT_TITLE,
        text=_optional(layout, "text", "", _markdown),
        per_row=per_row,
        others=_optional(layout, "others", "", _line) or DEFAULT_OTHERS,
    )


def find_configs(config_dir: str | Path) -> dict[str, Path]:
    """The animation configs of a folder, by name (stem), in name order.

    Every ``*.yaml`` file except ``gallery.yaml`` and hidden files.
    """
    folder = Path(config_dir)
    if not folder.is_dir():
        raise ConfigError(None, "no such folder of configs" if not folder.exists() else
                          "is not a folder", str(folder))
    paths = sorted(p for p in folder.glob("*.yaml")
                   if p.name != LAYOUT_NAME and not p.name.startswith(".") and p.is_file())
    return {p.stem: p for p in paths}


def load_layout(config_dir: str | Path, names: Mapping[str, Any]) -> Layout:
    """``config_dir/gallery.yaml`` validated against ``names``, or the default layout."""
    path = Path(config_dir) / LAYOUT_NAME
    if not path.exists():
        return Layout()
    source = str(path)
    try:
        empty = not path.read_bytes().strip()
    except OSError as error:
        raise ConfigError(None, f"cannot be read ({error.strerror})", source) from None
    if empty:
        raise ConfigError(None, "is empty: give it sections (see docs/gallery.md) or delete "
                                "it for one table of every config", source)
    return parse_layout(read_yaml(path), names=names, source=source)


def complete_layout(layout: Layout, names: Iterable[str]) -> Layout:
    """``layout`` with a final section holding every config it does not place.

    The final section is a table of ``per_row`` images per row, in name order; its heading
    is ``others``, shown only when the layout has sections of its own.
    """
    rest = sorted(set(names) - layout.placed)
    if not rest:
        return layout
    rows = tuple(Row(tuple(Cell(name) for name in rest[i:i + layout.per_row]))
                 for i in range(0, len(rest), layout.per_row))
    title = layout.others if layout.sections else None
    return Layout((*layout.sections, Section(title, (Table(rows),))), title=layout.title,
                  text=layout.text, per_row=layout.per_row, others=layout.others)


# --------------------------------------------------------------------------------------
# README.md
# --------------------------------------------------------------------------------------

_GENERATED = ("<!-- Generated by `deconv-anim gallery`: edit the configs and their "
              "gallery.yaml, not this file. -->")


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _caption(cell: Cell, titles: Mapping[str, str | None]) -> str:
    if cell.caption is not None or cell.config is None:
        return cell.caption or ""
    return titles.get(cell.config) or cell.config


def _cell_html(cell: Cell, titles: Mapping[str, str | None], captions: str,
               format: str = "gif") -> str:
    """One ``<td>`` of a row of images: the image, and its caption if ``captions`` is cell."""
    caption = _esc(_caption(cell, titles))
    if cell.config is None:
        return f"<td>{caption}</td>" if captions == "cell" else "<td></td>"
    alt = _esc(titles.get(cell.config) or cell.config)
    src = quote(f"{cell.config}.{format}")
    if format == "mp4":
        image = (f'<video width="{IMAGE_WIDTH}" src="{src}" title="{alt}" autoplay loop muted '
                 f'playsinline></video>')
    else:
        image = f'<img width="{IMAGE_WIDTH}" src="{src}" alt="{alt}">'
    if captions == "cell":
        return f'<td align="center">{image}<br>{caption}</td>'
    return f'<td align="center">{image}</td>'


def _table_html(table: Table, titles: Mapping[str, str | None], format: str = "gif"
                ) -> list[str]:
    lines = ['<table style="width:100%; table-layout:fixed;">']
    if table.caption:
        lines.append(f"  <caption>{_esc(table.caption)}</caption>")
    width = table.width
    if table.columns:
        heads = [*table.columns, *[None] * (width - len(table.columns))]
        if table.has_labels:
            heads.insert(0, table.corner)
        lines += ["  <tr>", *(f"    <th>{_esc(h or '')}</th>" for h in heads), "  </tr>"]
    for row in table.rows:
        lines.append("  <tr>")
        if table.has_labels:
            lines.append(f"    <th>{_esc(row.label or '')}</th>")
        cells = [*row.cells, *[Cell()] * (width - len(row.cells))]
        lines += [f"    {_cell_html(cell, titles, table.captions, format)}"
                  for cell in cells]
        lines.append("  </tr>")
        if table.captions == "row":
            lines.append("  <tr>")
            if table.has_labels:
                lines.append("    <th></th>")
            lines += [f'    <td align="center">{_esc(_caption(cell, titles))}</td>'
                      if cell.config else f"    <td>{_esc(_caption(cell, titles))}</td>"
                      for cell in cells]
            lines.append("  </tr>")
    lines.append("</table>")
    return lines


def readme_text(layout: Layout, titles: Mapping[str, str | None], *, format: str = "gif"
                ) -> str:
    """The gallery's ``README.md``: Markdown headings, tables as HTML, nothing time-dependent.

    ``titles`` maps each config name to its ``title:`` (or None); it is the image's alt
    text and its default caption. Images are relative links ``NAME.<format>`` (``<video>``
    tags for ``mp4``).

    Examples
    --------
    >>> text = readme_text(Layout((Section(None, (Table((Row((Cell("a"),)),)),)),)),
    ...                    {"a": "A <b>"})
    >>> print(text[text.index("<table"):].strip())  # doctest: +NORMALIZE_WHITESPACE
    <table style="width:100%; table-layout:fixed;">
      <tr>
        <td align="center"><img width="150px" src="a.gif" alt="A &lt;b&gt;"><br>A &lt;b&gt;</td>
      </tr>
    </table>
    """
    lines = [_GENERATED, "", f"# {layout.title}", ""]
    if layout.text:
        lines += [layout.text, ""]
    for section in layout.sections:
        if section.title:
            lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        for table in section.tables:
            lines += [*_table_html(table, titles, format), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------
# Incremental renders
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Item:
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


@dataclass
class GalleryReport:
    """What a gallery run did; names are config names, in name order."""

    out_dir: Path
    rendered: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(name, error line) of every config that could not be loaded or rendered."""
    removed: list[str] = field(default_factory=list)
    """Outputs deleted because their config is gone."""
    readme_written: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        text = (f"{self.out_dir}: rendered {len(self.rendered)}, up to date "
                f"{len(self.up_to_date)}, failed {len(self.failed)}")
        return text + (f", removed {len(self.removed)}" if self.removed else "")


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as file:  # not mkstemp: the file gets the umask's permissions
            file.write(data)
        os.replace(tmp, path)
    except BaseException as error:  # Ctrl-C included: no temp file is left behind
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"{path}: cannot be written ({os_reason(error)})") from None
        raise


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\w+\.tmp$")


def remove_stale_temps(folder: str | Path, names: Iterable[str]) -> list[str]:
    """Delete the temp files that killed writers left in ``folder``; return their names.

    Only files named as this package names them, ``.NAME.PID.XXXXXXXX.tmp`` with NAME in
    ``names`` (see :func:`deconv_anim.encode.atomic_output`), and only when process PID is
    gone or is this one (which, between renders, writes nothing): a temp file another
    running process is still writing is never touched.
    """
    wanted, removed = set(names), []
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


def _read_items(configs: Mapping[str, Path], suffix: str = ".gif") -> list[_Item]:
    items = []
    for name, path in configs.items():
        try:
            digest = _sha256(path.read_bytes())  # hashed before it is parsed: never too new
        except OSError as error:
            items.append(_Item(name, path, "", None, f"{path}: cannot be read "
                                                     f"({error.strerror})", suffix))
            continue
        try:
            items.append(_Item(name, path, digest, load_config(path), None, suffix))
        except DeconvAnimError as error:
            items.append(_Item(name, path, digest, None, str(error), suffix))
    return items


def _scan(config_dir: str | Path, format: str = "gif") -> tuple[list[_Item], Layout]:
    if format not in FORMATS:
        raise ConfigError("--format", f"must be one of {', '.join(FORMATS)} (got {format!r})")
    configs = find_configs(config_dir)
    if not configs:
        raise ConfigError(None, "has no *.yaml configs", str(config_dir))
    layout = complete_layout(load_layout(config_dir, configs), configs)
    return _read_items(configs, f".{format}"), layout


def _titles(items: Iterable[_Item]) -> dict[str, str | None]:
    return {item.name: item.config.render.title if item.config else None for item in items}


def _read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's records by output name; unreadable or foreign means none."""
    try:
        document = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("version") != MANIFEST_VERSION:
        return {}
    outputs = document.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    return {name: record for name, record in outputs.items()
            if isinstance(record, dict) and _is_output_name(name)}


def _is_output_name(name: Any) -> bool:
    """An output's bare file name: a manifest never makes the gallery touch any other file."""
    return (isinstance(name, str) and name.endswith(tuple(f".{f}" for f in FORMATS))
            and not name.startswith(".")
            and Path(name).name == name and "\\" not in name)


def _write_manifest(out_dir: Path, records: Mapping[str, Mapping[str, Any]]) -> None:
    document = {"generator": "deconv-anim gallery", "outputs": dict(records),
                "version": MANIFEST_VERSION}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write_atomic(out_dir / MANIFEST_NAME, text.encode("utf-8"))


def _stale(item: _Item, record: Mapping[str, Any] | None, out_dir: Path,
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
    if record.get("output_sha256") != _file_sha256(output):
        return "changed since it was rendered"
    return None


def _format_version() -> int:
    from .render import FORMAT_VERSION

    return int(FORMAT_VERSION)


def _render_job(config: Config, path: str, limits: Mapping[str, int] | None = None
                ) -> tuple[str | None, str | None]:
    """Render one config (in a worker process, or in this one).

    Returns (sha256 of the written file, None) or (None, error line): errors travel back as
    text, and a renderer bug fails its config only, never the whole gallery. ``limits``
    are ``max_frames`` / ``max_pixels`` for :func:`deconv_anim.render.render`.
    """
    from .render import render

    try:
        result = render(config, Path(path), **(limits or {}))
        digest = _file_sha256(Path(result.path))
        if digest is None:
            return None, f"{path}: the renderer reported it written, but it cannot be read"
        return digest, None
    except DeconvAnimError as error:
        return None, str(error)
    except Exception as error:
        return None, f"internal error: {type(error).__name__}: {error}"


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


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum: int, frame: Any) -> None:
    global _worker_stopping
    _worker_stopping = True
    if _worker_busy:
        raise Terminated(128 + signum)
    os._exit(128 + signum)  # idle: nothing to clean up


def _worker_job(config: Config, path: str, limits: Mapping[str, int] | None
                ) -> tuple[str | None, str | None]:
    global _worker_busy
    try:
        if _worker_stopping:
            os._exit(143)
        _worker_busy = True
        return _render_job(config, path, limits)
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


def _cost(item: _Item) -> int:
    """About how long a render takes: its frames times the cells it draws."""
    spec = item.config.spec if item.config is not None else None
    if spec is None:
        return 0
    rows, cols = spec.gather.grid_size
    return spec.frames * (rows * cols + spec.output_size[0] * spec.output_size[1])


def _run(jobs: list[tuple[_Item, Path]], workers: int, limits: Mapping[str, int] | None = None
         ) -> Iterator[tuple[_Item, str | None, str | None]]:
    """Yield (item, sha256, error) as each render finishes.

    Interrupted (Ctrl-C, SIGTERM, or closed early), it stops the worker processes before it
    returns: no render goes on in the background and none leaves a temp file.
    """
    if workers <= 1 or len(jobs) <= 1:
        for item, path in jobs:
            assert item.config is not None
            yield (item, *_render_job(item.config, str(path), limits))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from . import render  # noqa: F401 - imported once here, so forked workers start ready

    # fork where there is one (Linux, macOS' is unsafe): the workers start with every
    # module loaded instead of importing NumPy and Pillow each
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                               initializer=_worker_init)
    finished = False
    # the longest renders first, so no core waits on one started last (the manifest and
    # the README do not depend on the order renders finish in)
    jobs = sorted(jobs, key=lambda job: -_cost(job[0]))
    try:
        futures = {pool.submit(_worker_job, item.config, str(path), limits): item
                   for item, path in jobs}
        for future in as_completed(futures):
            item = futures[future]
            try:
                digest, error = future.result()
            except Exception as crash:  # the worker died (killed, out of memory, ...)
                digest, error = None, f"internal error: {type(crash).__name__}: {crash}"
            yield item, digest, error
        finished = True
    finally:
        if not finished:
            _stop_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def build_gallery(config_dir: str | Path = "configs", out_dir: str | Path = "gallery", *,
                  jobs: int | None = None, force: bool = False, format: str = "gif",
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[str, str | None], None] | None = None,
                  max_frames: int | None = None, max_pixels: int | None = None
                  ) -> GalleryReport:
    """Render every config of ``config_dir`` that is not up to date, then write the README.

    Parameters
    ----------
    config_dir, out_dir : path
        Where the configs are; where ``NAME.gif``, ``README.md`` and the manifest go
        (created if missing). A config's ``output:`` key is ignored here.
    jobs : int, optional
        Renders at once, in worker processes (default: every core); 1 renders in this
        process.
    force : bool
        Render every config, even those up to date.
    format : str
        The outputs' format: gif, png (APNG), webp, mp4 or svg. Outputs of another format
        that the manifest recorded are removed.
    on_start, on_done : callable, optional
        Called with the number of renders to do, and with (name, error or None) after each
        one: a progress bar's hooks.
    max_frames, max_pixels : int, optional
        The resource guard of every render (default: :data:`deconv_anim.spec.MAX_FRAMES`
        and :data:`~deconv_anim.spec.MAX_PIXELS`); a config over it fails.

    Interrupted (Ctrl-C), the run stops its worker processes, leaves no temp file and
    keeps every render it recorded: run it again to render the rest. Temp files that
    killed processes left in ``out_dir`` are removed at the start and the end of a run.

    Returns
    -------
    GalleryReport
        A config that fails to load or render is listed in ``failed``; every other one is
        still rendered.

    Raises
    ------
    ConfigError
        The folder has no configs, or ``gallery.yaml`` is invalid (nothing is rendered).
    OutputError
        The output folder or the manifest cannot be written.
    """
    out = Path(out_dir)
    items, layout = _scan(config_dir, format)
    format_version = _format_version()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out}: cannot create the folder ({os_reason(error, out)})"
                          ) from None
    ours = [README_NAME, MANIFEST_NAME,
            *(f"{item.name}{f.suffix}" for item in items for f in FORMATS.values())]
    remove_stale_temps(out, ours)
    limits = {"max_frames": max_frames, "max_pixels": max_pixels}
    try:
        return _build(items, layout, out, format, format_version, jobs, force, on_start,
                      on_done, {key: value for key, value in limits.items()
                                if value is not None})
    finally:  # interrupted or not: what killed workers left behind goes
        remove_stale_temps(out, ours)


def _build(items: list[_Item], layout: Layout, out: Path, format: str, format_version: int,
           jobs: int | None, force: bool, on_start: Callable[[int], None] | None,
           on_done: Callable[[str, str | None], None] | None, limits: Mapping[str, int]
           ) -> GalleryReport:
    report = GalleryReport(out)
    records = _read_manifest(out)
    wanted = {item.output for item in items}
    for gone in sorted(set(records) - wanted):  # a config was deleted: so is its output
        (out / gone).unlink(missing_ok=True)
        del records[gone]
        report.removed.append(gone)
    if report.removed:
        _write_manifest(out, records)

    todo: list[tuple[_Item, Path]] = []
    for item in items:
        if item.error is not None:
            report.failed.append((item.name, item.error))
        elif force or _stale(item, records.get(item.output), out, format_version):
            todo.append((item, out / item.output))
        else:
            report.up_to_date.append(item.name)

    if on_start is not None:
        on_start(len(todo))
    renders = _run(todo, default_jobs() if jobs is None else jobs, limits)
    with contextlib.closing(renders):  # an interrupt stops the workers at once
        for item, digest, error in renders:
            _record(report, records, out, item, digest, error, format_version)
            if on_done is not None:
                on_done(item.name, error)

    readme = readme_text(layout, _titles(items), format=format).encode("utf-8")
    if _read_bytes(out / README_NAME) != readme:
        _write_atomic(out / README_NAME, readme)
        report.readme_written = True
    report.rendered.sort()
    report.failed.sort()
    return report


def _record(report: GalleryReport, records: dict[str, dict[str, Any]], out: Path, item: _Item,
            digest: str | None, error: str | None, format_version: int) -> None:
    """Note one finished render in the report and, when it succeeded, in the manifest."""
    if error is None:
        records[item.output] = {"config": item.path.name, "config_sha256": item.sha256,
                                "format_version": format_version, "output_sha256": digest}
        _write_manifest(out, records)  # after each render: a rerun resumes from here
        report.rendered.append(item.name)
    else:
        prefix = str(item.path)
        report.failed.append((item.name, error if error.startswith(prefix)
                              else f"{prefix}: {error}"))


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def check_gallery(config_dir: str | Path = "configs", out_dir: str | Path = "gallery", *,
                  format: str = "gif") -> list[Problem]:
    """What :func:`build_gallery` would change, without rendering anything.

    Every output that is missing or stale (its config, the render format or its bytes
    changed since the manifest recorded it), every config that cannot be loaded, every
    output whose config is gone, and a ``README.md`` that differs from what would be
    written. An empty list means the gallery is up to date.
    """
    out = Path(out_dir)
    items, layout = _scan(config_dir, format)
    format_version = _format_version()
    records = _read_manifest(out)
    problems = []
    for item in items:
        if item.error is not None:
            problems.append(Problem(out / item.output, f"cannot be rendered: {item.error}"))
            continue
        reason = _stale(item, records.get(item.output), out, format_version)
        if reason:
            problems.append(Problem(out / item.output, reason))
    wanted = {item.output for item in items}
    problems += [Problem(out / gone, "its config is gone")
                 for gone in sorted(set(records) - wanted)]
    readme = _read_bytes(out / README_NAME)
    if readme is None:
        problems.append(Problem(out / README_NAME, "missing"))
    elif readme != readme_text(layout, _titles(items), format=format).encode("utf-8"):
        problems.append(Problem(out / README_NAME, "differs from what would be written"))
    return problems
