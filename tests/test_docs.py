"""The documentation stays true: docs/config.md names every config key, and every YAML
config example in the docs (docs/*.md and README.md) loads.

A ```yaml block is a config example when it contains an ``op:`` key; blocks without one
(e.g. a gallery layout) and blocks right after a ``<!-- not a config -->`` comment are
skipped. Examples are only validated, not rendered, so this stays fast.
"""

from __future__ import annotations

import functools
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from deconv_anim.config import KEYS, STYLE_KEYS, config_from_mapping

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DOC = ROOT / "docs" / "config.md"
SKIP_MARK = "<!-- not a config -->"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_OP_KEY = re.compile(r"(?<![\w-])op[ \t]*:")
_CODE = re.compile(r"`([^`\n]+)`")


def _doc_files() -> list[Path]:
    files = sorted((ROOT / "docs").glob("*.md"))
    readme = ROOT / "README.md"
    if readme.is_file():
        files.append(readme)
    return files


def yaml_blocks(text: str) -> list[tuple[int, str, bool]]:
    """Every ```yaml block of a Markdown text: (line number, body, marked not a config)."""
    lines = text.splitlines()
    blocks: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, info = match["fence"], match["info"].strip().lower()
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines):
            close = _FENCE.match(lines[i])
            if (close and close["fence"][0] == fence[0]
                    and len(close["fence"]) >= len(fence) and not close["info"].strip()):
                break
            body.append(lines[i])
            i += 1
        i += 1
        if info.split(maxsplit=1)[:1] not in (["yaml"], ["yml"]):
            continue
        before = [line.strip() for line in lines[:start] if line.strip()]
        marked = bool(before) and before[-1] == SKIP_MARK
        blocks.append((start + 1, textwrap.dedent("\n".join(body)), marked))
    return blocks


def _config_examples() -> list[Any]:
    examples = []
    for path in _doc_files():
        for line, body, marked in yaml_blocks(path.read_text(encoding="utf-8")):
            if marked or not _OP_KEY.search(body):
                continue
            name = f"{path.relative_to(ROOT).as_posix()}:{line}"
            examples.append(pytest.param(body, id=name))
    return examples


@functools.cache
def _documented_names() -> frozenset[str]:
    """Names written as code in docs/config.md, headings included: `key`, `key:`,
    `style.key` and `style: key` all name ``key``."""
    names = set()
    for item in _CODE.findall(CONFIG_DOC.read_text(encoding="utf-8")):
        item = item.strip().rstrip(":").strip()
        names.add(item)
        for prefix in ("style.", "style:"):
            if item.startswith(prefix):
                names.add(item.removeprefix(prefix).strip())
    return frozenset(names)


def _sections(text: str, level: str = "## ") -> dict[str, str]:
    """The text of each section of a Markdown text, by its heading line."""
    parts = re.split(rf"^(?={re.escape(level)})", text, flags=re.M)
    return {part.splitlines()[0]: part for part in parts if part.startswith(level)}


def test_config_doc_exists() -> None:
    assert CONFIG_DOC.is_file(), "docs/config.md is missing"


@pytest.mark.parametrize("key", [*KEYS, *STYLE_KEYS])
def test_every_key_is_documented(key: str) -> None:
    assert key in _documented_names(), (
        f"config key {key!r} is not documented in docs/config.md "
        "(give it a heading or write it as `code`)")


def test_style_keys_are_in_a_style_section() -> None:
    sections = _sections(CONFIG_DOC.read_text(encoding="utf-8"))
    style = "".join(body for heading, body in sections.items() if "style" in heading.lower())
    assert style, "docs/config.md has no style section"
    missing = [key for key in STYLE_KEYS if f"`{key}`" not in style]
    assert not missing, f"style keys not documented under a style section: {missing}"


def test_examples_were_found() -> None:
    assert any(param.id.startswith("docs/config.md:") for param in _config_examples())


@pytest.mark.parametrize("block", _config_examples())
def test_yaml_example_loads(block: str) -> None:
    config_from_mapping(yaml.safe_load(block))


def test_block_scanner() -> None:
    text = textwrap.dedent("""\
        ```yaml
        op: conv
        size: 4
        kernel: 3
        ```

        <!-- not a config -->

        ```yaml
        op: nonsense
        ```

        - a list item:

          ```yaml
          op: transposed
          size: 2
          kernel: 3
          ```

        ```yaml
        title: gallery layout, no op key
        ```
        """)
    blocks = yaml_blocks(text)
    assert [(line, marked) for line, _, marked in blocks] == [(1, False), (9, True),
                                                             (15, False), (21, False)]
    assert blocks[2][1].startswith("op: transposed")
    assert not _OP_KEY.search(blocks[3][1])
    assert not _OP_KEY.search("stop: 1\nloop_op: 2")
