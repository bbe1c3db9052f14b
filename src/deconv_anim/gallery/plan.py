"""The gallery's table layout: ``gallery.yaml`` validated into a :class:`GalleryPlan`.

A plan is sections of tables of config names; :func:`complete_layout` adds a final table of
every config no table places. See ``docs/gallery.md`` for the file's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..errors import show_value as _show
from ..limits import check_text, read_config_bytes
from ..yaml_files import read_yaml

__all__ = ["Cell", "Row", "Table", "Section", "GalleryPlan", "LAYOUT_NAME", "find_configs",
           "parse_layout", "load_layout", "complete_layout"]

LAYOUT_NAME = "gallery.yaml"
"""The optional table layout, in the config folder; it is not an animation config."""
DEFAULT_TITLE = "Gallery"
DEFAULT_OTHERS = "More animations"
DEFAULT_PER_ROW = 4
MAX_PER_ROW = 12
CAPTIONS = ("cell", "row", "none")



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
class GalleryPlan:
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
    check_text(where, text)
    return text


def _markdown(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"must be Markdown text (got {_show(value)})")
    return check_text(where, value.strip(), allowed="\n\t")


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
                 source: str | None = None) -> GalleryPlan:
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


def _layout(document: Any, names: Mapping[str, Any] | None) -> GalleryPlan:
    layout = _mapping("", document, _LAYOUT_KEYS, "'sections: [...]'")
    per_row = layout.get("per_row", DEFAULT_PER_ROW)
    if isinstance(per_row, bool) or not isinstance(per_row, int) or not (
            1 <= per_row <= MAX_PER_ROW):
        raise ConfigError("per_row", f"must be an integer from 1 to {MAX_PER_ROW} "
                                     f"(got {_show(per_row)})")
    sections = _list("sections", layout.get("sections") or [], "sections", empty=True)
    return GalleryPlan(
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
    # not only regular files: a FIFO or a device named *.yaml is listed, and refused
    paths = sorted(p for p in folder.glob("*.yaml")
                   if p.name != LAYOUT_NAME and not p.name.startswith(".") and not p.is_dir())
    return {p.stem: p for p in paths}


def load_layout(config_dir: str | Path, names: Mapping[str, Any]) -> GalleryPlan:
    """``config_dir/gallery.yaml`` validated against ``names``, or the default layout."""
    path = Path(config_dir) / LAYOUT_NAME
    if not path.exists():
        return GalleryPlan()
    source = str(path)
    empty = not read_config_bytes(path, source).strip()  # a FIFO or a huge file refused
    if empty:
        raise ConfigError(None, "is empty: give it sections (see docs/gallery.md) or delete "
                                "it for one table of every config", source)
    return parse_layout(read_yaml(path), names=names, source=source)


def complete_layout(layout: GalleryPlan, names: Iterable[str]) -> GalleryPlan:
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
    return GalleryPlan((*layout.sections, Section(title, (Table(rows),))), title=layout.title,
                  text=layout.text, per_row=layout.per_row, others=layout.others)
