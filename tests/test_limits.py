"""The bounds of deconv_anim.limits and the bounded previews of errors.show_value, against
independent references: a full walk of the built YAML value, Python's JSON, an XML parser."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim.config import flag_overrides, parse_flag_value
from deconv_anim.errors import ConfigError, show_value
from deconv_anim.limits import (
    MAX_CONFIG_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_NODES,
    NAME_MAX,
    PATH_MAX,
    check_nesting,
    check_text,
    load_json,
    parse_int,
    path_problem,
    read_config_bytes,
    scan_yaml,
    text_problem,
)
from deconv_anim.yaml_files import _loaders, load_yaml_text

FAST = _loaders()[0]


def _count(value) -> int:
    """The values of a built document, every shared value counted where it appears."""
    if isinstance(value, dict):
        return 1 + sum(_count(k) + _count(v) for k, v in value.items())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


# shared sub-values: safe_dump writes them once with an anchor, then as aliases
leaves = st.integers(-5, 5) | st.text(max_size=3)
trees = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(trees, min_size=1, max_size=4), picks=st.lists(st.integers(0, 3),
                                                                     max_size=12))
def test_the_scan_counts_what_the_loader_builds(parts, picks) -> None:
    """The scan's count of values (aliases expanded) and its depth limit agree with a full
    walk of the value the loader builds."""
    document = {"parts": parts, "again": [parts[i % len(parts)] for i in picks]}
    text = yaml.safe_dump(document)
    built = yaml.load(text, Loader=FAST)
    assert built == document
    if _depth(built) + 1 > MAX_DEPTH:  # pragma: no cover - the trees are shallow
        return
    assert scan_yaml(text, FAST) == _count(built)


def test_the_scan_refuses_at_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import deconv_anim.limits as limits

    monkeypatch.setattr(limits, "MAX_NODES", 1000)  # the same code, a smaller budget
    MAX_NODES = 1000
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_yaml_text(ok) is not None
    with pytest.raises(ConfigError, match=rf"deeper than {MAX_DEPTH} levels"):
        load_yaml_text("[" + ok + "]")
    flat = "[" + ", ".join(["1"] * (MAX_NODES - 1)) + "]"  # the list itself is one more
    assert len(load_yaml_text(flat)) == MAX_NODES - 1
    with pytest.raises(ConfigError, match=rf"more than {MAX_NODES} values"):
        load_yaml_text("[" + ", ".join(["1"] * MAX_NODES) + "]")
    assert load_yaml_text("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    with pytest.raises(ConfigError, match=rf"{MAX_DIGITS + 1} digits is too long"):
        load_yaml_text("9" * (MAX_DIGITS + 1))
    assert load_yaml_text("x" * 5000) == "x" * 5000  # long text is not a long integer


def test_an_alias_bomb_is_refused_at_once() -> None:
    bomb = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10))
    start = time.process_time()  # CPU time: the wall clock of a loaded machine says nothing
    with pytest.raises(ConfigError, match="aliases"):
        load_yaml_text(bomb + "op: conv\n")
    assert time.process_time() - start < 2


def test_hostile_flag_values_are_one_line_errors() -> None:
    for text, rule in (("[" * 2000 + "]" * 2000, "deeper than"),
                       ("1" + "0" * 5000, "5001 digits"), ("1" + "0" * 5000 + ",1", "5001 digits"),
                       ("", "is empty"), ("   ", "is empty"), ("a: 1\n---\nb: 2", "one config")):
        with pytest.raises(ConfigError) as error:
            parse_flag_value("stride", text)
        assert error.value.key == "stride" and rule in error.value.rule, error.value
    # the Sphinx directive's options go through the same parser
    with pytest.raises(ConfigError, match=r"^stride: nests"):
        flag_overrides({"stride": "[" * 40000 + "]" * 40000})
    with pytest.raises(ConfigError, match=r"^size: an integer of 5001 digits"):
        flag_overrides({"size": "1" + "0" * 5000})


def test_check_nesting_is_safe_on_cycles_and_shared_values() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ConfigError, match="deeper than"):
        check_nesting(loop)
    shared = [1] * 1000
    bomb = [shared] * 1000  # a million values through sharing
    with pytest.raises(ConfigError, match=rf"more than {MAX_NODES} values"):
        check_nesting(bomb, "layout")
    check_nesting([[1] * 10] * 10)
    deep = current = []
    for _ in range(MAX_DEPTH - 1):
        current.append([])
        current = current[0]
    check_nesting(deep)
    current.append([])
    with pytest.raises(ConfigError):
        check_nesting(deep)


def test_load_json_refuses_hostile_manifests() -> None:
    assert load_json('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {
        "a": "[" * 49}
    assert load_json(json.dumps({"outputs": {"x.gif": {"digest": "ab"}}})) == {
        "outputs": {"x.gif": {"digest": "ab"}}}
    for text, rule in (("[" * 100000, "deeper than"), ("1" * 5000, "5000 digits"),
                       ("{", "not valid JSON"), (b"\xff", "not UTF-8")):
        with pytest.raises(ConfigError, match=rule):
            load_json(text, "m.json")


def test_parse_int() -> None:
    assert parse_int("size", "1" + "0" * (MAX_DIGITS - 1)) == 10 ** (MAX_DIGITS - 1)
    with pytest.raises(ConfigError, match=r"^size: an integer of"):
        parse_int("size", "1" + "0" * MAX_DIGITS)
    with pytest.raises(ConfigError, match="must be an integer"):
        parse_int("size", "x")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=20))
def test_text_that_passes_is_well_formed_xml(text: str) -> None:
    """Independent reference: an XML parser, and UTF-8."""
    from html import escape

    if text_problem(text) is None:
        document = f"<svg><title>{escape(text)}</title></svg>".encode()
        assert ElementTree.fromstring(document).find("title").text in (text, None)
    else:
        assert any(not c.isprintable() for c in text)


def test_text_problems_name_the_character() -> None:
    assert text_problem("ok, ünïcode → fine") is None
    assert "U+001B" in text_problem("esc\x1b[31m")
    assert "lone surrogate" in text_problem("lone \ud800")
    assert "U+FFFF" in text_problem("\uffff")
    assert text_problem("two\nlines\tand a tab", allowed="\n\t") is None
    with pytest.raises(ConfigError, match=r"^text: holds U\+0007"):
        check_text("text", "\a")


def test_path_problems() -> None:
    assert path_problem("a" * NAME_MAX + "/b.gif") is None
    assert "256 bytes long" in path_problem("a" * (NAME_MAX + 1))
    assert "é" * 128 and "256 bytes" in path_problem("é" * 128)  # bytes, not characters
    assert f"more than the {PATH_MAX - 1}" in path_problem("/".join(["b" * 200] * 25))
    assert "lone surrogate" in path_problem("x\ud800.gif")
    assert path_problem(os.fsdecode(b"caf\xe9.gif")) is None  # a non-UTF-8 name is fine


def test_config_files_are_checked_before_they_are_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b" " * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than 1048576 bytes"):
        read_config_bytes(big)
    just = tmp_path / "just.yaml"
    just.write_bytes(b"op: conv\n" + b" " * (MAX_CONFIG_BYTES - 9))
    assert len(read_config_bytes(just)) == MAX_CONFIG_BYTES
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ConfigError, match="character device"):
        read_config_bytes(link)
    with pytest.raises(ConfigError, match="is a directory"):
        read_config_bytes(tmp_path)
    with pytest.raises(ConfigError, match="no such config file"):
        read_config_bytes(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match="bytes long"):
        read_config_bytes(tmp_path / ("a" * 300 + ".yaml"))


# --------------------------------------------------------------------------------------
# show_value: short previews whatever the value
# --------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=50)
                          | st.floats(), lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                          max_leaves=20))
def test_previews_are_json_cut_short(value) -> None:
    """Independent reference: json.dumps, cut to 40 characters."""
    full = json.dumps(value, ensure_ascii=False)
    expected = full if len(full) <= 40 else full[:37] + "..."
    assert show_value(value) == expected


def test_previews_of_huge_values_are_bounded() -> None:
    shared = [1] * 9
    for _ in range(9):  # 9 ** 10 values, by sharing
        shared = [shared] * 9
    loop: dict = {}
    loop["self"] = loop
    start = time.process_time()
    for value in (shared, loop, "x" * 10_000_000, 10 ** 5000, [[[[[[[[[[]]]]]]]]]] * 10 ** 6):
        assert len(show_value(value)) <= 40
    assert time.process_time() - start < 1
    assert show_value(10 ** 5000) == "an integer of 5001 digits"
    assert show_value(10 ** 301 - 1) == "9" * 37 + "..."


def test_a_huge_unknown_key_gives_a_short_line() -> None:
    from deconv_anim.config import config_from_mapping

    with pytest.raises(ConfigError) as error:
        config_from_mapping({"op": "conv", "k" * 500_000: 1})
    assert len(str(error.value)) < 400
    assert str(error.value).startswith('"kkkkkkkk')
