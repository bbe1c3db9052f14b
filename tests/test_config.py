"""The config loader: every error names the file, then the key, then the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

import teaching as tv
from deconv_anim import ConfigError, DeconvAnimError, config_from_mapping, load_config, make_spec
from deconv_anim.animation import look_of
from deconv_anim.config import KEYS, merge, parse_flag_value
from deconv_anim.themes import THEMES
from deconv_anim.yaml_files import read_yaml

BASE = "op: conv\nsize: 5\nkernel: 3\n"


def load_error(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> tuple[str, str]:
    """(message, file name) of the ConfigError loading ``text`` raises."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.source == str(path)
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message
    return message, str(path)


def expect(tmp_path: Path, text: str | bytes, key: str | None, *words: str) -> str:
    message, source = load_error(tmp_path, text)
    prefix = f"{source}: {key}: " if key else f"{source}: "
    assert message.startswith(prefix), message
    for word in words:
        assert word in message, (word, message)
    return message


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------


def test_the_message_format_of_the_issue(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("op: conv\nsize: 5\nkernel: 3\nstride: -1\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (f"{path}: stride: must be a positive integer or a pair of them "
                                "(got -1)")
    assert error.value.key == "stride" and isinstance(error.value, DeconvAnimError)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(("key", "hint"), [
    ("strid", "did you mean stride?"), ("kernal", "did you mean kernel?"),
    ("output_pading", "did you mean output_padding?"), ("dilations", "did you mean dilation?"),
])
def test_unknown_key_with_did_you_mean(tmp_path, key, hint):
    expect(tmp_path, BASE + f"{key}: 2\n", key, "unknown key", hint)


def test_unknown_key_lists_known_keys(tmp_path):
    message = expect(tmp_path, BASE + "zzzz: 2\n", "zzzz", "unknown key", "known keys")
    listed = message.split("known keys: ")[1]
    if "..." in listed:  # too many for one line: the first ones, then where all are
        assert listed.endswith("... (every key in docs/config.md)")
        listed = listed.split(", ...")[0]
    names = listed.split(", ")
    assert names == list(KEYS)[:len(names)] and len(names) >= 10
    assert len(message.split(": zzzz: ")[1]) < 260


def test_unknown_style_key_and_bad_style(tmp_path):
    expect(tmp_path, BASE + "style:\n  cel: 10\n", "style.cel", "did you mean style.cell?")
    expect(tmp_path, BASE + "style:\n  cell: 2\n", "style.cell", "from 4 to 400", "got 2")
    expect(tmp_path, BASE + "style: [1]\n", "style", "must be a mapping")


def test_non_text_key(tmp_path):
    expect(tmp_path, BASE + "1: 2\n", "1", "keys must be text")


@pytest.mark.parametrize(("line", "key", "words"), [
    ('stride: "two"', "stride", ['(got "two")', "positive integer"]),
    ("stride: 1.5", "stride", ["(got 1.5)"]),
    ("stride: true", "stride", ["(got true)"]),
    ("stride: [1, [2]]", "stride", ["(got [2])"]),
    ("stride: [1, 2, 3]", "stride", ["(got [1, 2, 3])"]),
    ("stride: 0", "stride", ["(got 0)"]),
    ("stride: -1", "stride", ["(got -1)"]),
    ("stride: 100000", "stride", ["at most 4096", "got 100000"]),
    ("dilation: null", "dilation", ["(got null)"]),
    ("dilation: 2.0", "dilation", ["(got 2.0)"]),
    ("size: [[5]]", "size", ["(got [[5]])"]),
    ("size: 0", "size", ["positive integer", "(got 0)"]),
    ("size: 999999999999999999999", "size", ["at most 4096"]),
    ("size: [4096, 4096]", "size", ["too large", "4096x4096"]),
    ("kernel: yes", "kernel", ["(got true)"]),
    ("kernel: -3", "kernel", ["(got -3)"]),
    ("padding: -1", "padding", ["valid, same, full", "(got -1)"]),
    ("padding: half", "padding", ['(got "half")']),
    ("padding: 1.5", "padding", ["(got 1.5)"]),
    ("padding: [1, 2, 3]", "padding", ["(got [1, 2, 3])"]),
    ("padding: [0, 0, -1, 0]", "padding", ["(got -1)"]),
    ("padding: null", "padding", ["(got null)"]),
    ("padding: 9999", "padding", ["(got 9999)"]),
    ("seed: -1", "seed", ["an integer from 0 to 4294967295", "(got -1)"]),
    ("seed: abc", "seed", ['(got "abc")']),
    ("op: convolution", "op", ["must be one of conv, transposed, maxpool, avgpool",
                               '(got "convolution")']),
    ("op: null", "op", ["(got null)"]),
    ("view: sideways", "view", ["gather, scatter, both"]),
    ("duration: 5", "duration", ["from 20 to 60000", "(got 5)"]),
    ("duration: fast", "duration", ['(got "fast")']),
    ("hold: -1", "hold", ["(got -1)"]),
    ("layout: round", "layout", ["oblique, flat"]),
    ("title: [a, b]", "title", ["single line"]),
    ("output: ''", "output", ["file path"]),
])
def test_wrong_values(tmp_path, line, key, words):
    text = BASE.replace(f"{key}:", "#") if key in ("op", "size", "kernel") else BASE
    expect(tmp_path, text + line + "\n", key, *words)


def test_kernel_larger_than_padded_input(tmp_path):
    expect(tmp_path, "op: conv\nsize: 3\nkernel: 5\npadding: [0, 1]\n", "kernel",
           "dilated kernel (5 rows) is larger than the padded input (3 + 0 + 0 = 3)")
    expect(tmp_path, "op: conv\nsize: 5\nkernel: 3\ndilation: [1, 3]\n", "kernel",
           "(7 columns)")


def test_illegal_output_size_gives_the_legal_range(tmp_path):
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\nstride: 2\npadding: same\n"
                     "output_size: 7\n", "output_size", "not a legal output", "legal: 5..6")
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\nstride: 2\noutput_size: [7, 9]\n",
           "output_size", "9 columns", "legal: 7..8")
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\noutput_size: 0\n", "output_size",
           "positive integer")


def test_output_padding_too_big(tmp_path):
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\nstride: 2\noutput_padding: 2\n",
           "output_padding", "max(stride, dilation) = 2", "got 2")
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\noutput_padding: -1\n",
           "output_padding", "non-negative integer")
    expect(tmp_path, "op: transposed\nsize: 3\nkernel: 3\nstride: 2\noutput_padding: 1\n"
                     "output_size: 7\n", "output_padding", "conflicts with output_size")


def test_empty_output(tmp_path):
    expect(tmp_path, "op: transposed\nsize: 1\nkernel: 1\npadding: 1\n", "padding",
           "output is empty")


@pytest.mark.parametrize(("line", "key", "words"), [
    ("output_size: 3", "output_size", ["is only for op: transposed", "got op: conv"]),
    ("output_padding: 1", "output_padding", ["is only for op: transposed"]),
    ("view: scatter", "view", ["scatter is only for op: transposed"]),
    ("view: both", "view", ["both is only for op: transposed"]),
    ("count_include_pad: false", "count_include_pad", ["is only for op: avgpool"]),
])
def test_keys_for_the_wrong_op(tmp_path, line, key, words):
    expect(tmp_path, BASE + line + "\n", key, *words)


def test_pool_keys(tmp_path):
    expect(tmp_path, "op: avgpool\nsize: 4\nkernel: 2\ncount_include_pad: 1\n",
           "count_include_pad", "true or false")
    expect(tmp_path, "op: maxpool\nsize: 4\nkernel: 2\nweights: [[1, 1], [1, 1]]\n", "weights",
           "not used by op: maxpool")
    expect(tmp_path, "op: avgpool\nsize: 4\nkernel: 2\ndilation: 2\n", "dilation",
           "not supported by op: avgpool")
    expect(tmp_path, "op: maxpool\nsize: 4\nkernel: 3\npadding: 2\n", "padding",
           "at most half the kernel (1)")


@pytest.mark.parametrize(("text", "key", "words"), [
    ("input: [[1, 2], [3, 4]]\nsize: 3\n", "input", ["has shape 2x2 but size says 3x3"]),
    ("input: [[1, 2], [3]]\n", "input", ["same, non-zero length", "row 1 has 1"]),
    ("input: [[1, 2], []]\n", "input", ["same, non-zero length"]),
    ("input: [[]]\n", "input", ["non-zero length"]),
    ("input: []\n", "input", ["non-empty 2-D list"]),
    ("input: 5\n", "input", ["non-empty 2-D list", "(got 5)"]),
    ("input: [[1, a], [3, 4]]\n", "input", ["row 0, column 1: must be a number", '"a"']),
    ("input: [[1, true], [3, 4]]\n", "input", ["row 0, column 1: must be a number"]),
    ("input: [[1, null], [3, 4]]\n", "input", ["must be a number (got null)"]),
    ("input: [[1, .nan], [3, 4]]\n", "input", ["row 0, column 1: must be finite", "nan"]),
    ("input: [[1, 2], [-.inf, 4]]\n", "input", ["row 1, column 0: must be finite", "inf"]),
    ("input: [1, [2]]\n", "input", ["one list per row"]),
    ("input: [[[[1]]]]\n", "input", ["must be a 2-D list or a 3-D list", "got a 4-D list"]),
    ("input: [[[1]], 5]\n", "input", ["channel 1, must be a non-empty 2-D list", "(got 5)"]),
    ("weights: [[1, 2], [3, 4]]\nkernel: 3\n", "weights", ["has shape 2x2 but kernel says 3x3"]),
    ("weights: [[1], [2, 3]]\n", "weights", ["same, non-zero length"]),
    ("weights: [[x]]\n", "weights", ["must be a number"]),
    ("weights: [[.inf]]\n", "weights", ["must be finite"]),
])
def test_bad_values(tmp_path, text, key, words):
    head = "op: conv\n" + ("kernel: 1\n" if key == "input" else "size: 4\n")
    if "size:" in text:
        head = "op: conv\nkernel: 1\n"
    if "kernel:" in text:
        head = "op: conv\nsize: 4\n"
    expect(tmp_path, head + text, key, *words)


def test_required_keys(tmp_path):
    expect(tmp_path, "size: 4\nkernel: 3\n", "op", "is required")
    expect(tmp_path, "op: conv\nkernel: 3\n", "size", "is required unless input")
    expect(tmp_path, "op: conv\nsize: 3\n", "kernel", "is required unless weights")


# ---------------------------------------------------------------------------------------------
# The file itself
# ---------------------------------------------------------------------------------------------


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    expect(tmp_path, "op: conv\nsize: [1, 2\nkernel: 3\n", None, "line 3, column 7",
           "invalid YAML")
    expect(tmp_path, "op: conv\n  size: 3\n", None, "line 2", "invalid YAML")


@pytest.mark.parametrize("text", ["- 1\n- 2\n", "just text\n", "42\n", "~\n"])
def test_top_level_not_a_mapping(tmp_path, text):
    expect(tmp_path, text, None, "top level must be a mapping")


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "\ufeff"])
def test_empty_file(tmp_path, text):
    expect(tmp_path, text, None, "is empty")


def test_comment_only_file(tmp_path):
    expect(tmp_path, "# nothing\n", None, "top level must be a mapping", "got nothing")


def test_non_utf8_file(tmp_path):
    expect(tmp_path, b"op: conv\nsize: 4\xff\n", None, "is not UTF-8", "0xff", "offset 16")
    expect(tmp_path, "op: conv\n".encode("utf-16"), None, "is not UTF-8")


def test_utf8_bom_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_config(path).spec.output_size == (3, 3)


@pytest.mark.parametrize("tag", ["!!python/object:os.system {}", "!!python/name:os.system ''",
                                 "!!python/object/apply:os.system [echo hi]"])
def test_python_tags_are_refused(tmp_path, tag):
    message = expect(tmp_path, f"op: {tag}\nsize: 4\nkernel: 3\n", None, "line 1, column 5",
                     "is not allowed", "loaded safely")
    assert "!!python/" in message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: no such config file"


def test_directory(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value) == f"{tmp_path}: is a directory, not a config file"
    with pytest.raises(ConfigError, match="is a directory"):
        read_yaml(tmp_path)


# ---------------------------------------------------------------------------------------------
# Good configs, overrides, mappings, flags
# ---------------------------------------------------------------------------------------------


def test_good_config(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    path = folder / "up.yaml"
    path.write_text("op: transposed\nsize: 3\nkernel: 3\nstride: 2\npadding: same\n"
                    "output_size: 5\ntitle: Up  \nduration: 200\nhold: 0\nlayout: FLAT\n"
                    "style:\n  cell: 30\nview: both\n")
    config = load_config(path)
    assert config.spec.output_size == (5, 5) and config.spec.view == "both"
    assert config.name == "up" and config.source == str(path) and config.base_dir == folder
    r = config.render
    assert (r.title, r.duration, r.hold, r.layout, r.style.cell) == ("Up", 200, 0, "flat", 30)
    assert config.output_path() == folder / "up.gif"
    assert config.output_path(suffix=".mp4") == folder / "up.mp4"
    assert config.output_path("elsewhere.png") == Path("elsewhere.png")
    path.write_text(BASE + "output: out/anim.gif\n")
    assert load_config(path).output_path() == folder / "out" / "anim.gif"


def test_overrides(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(BASE + "style:\n  cell: 30\n")
    config = load_config(path, {"stride": 2, "style": {"cell": 10}})
    assert config.spec.stride == (2, 2) and config.render.style.cell == 10
    with pytest.raises(ConfigError) as error:
        load_config(path, {"stride": 0})
    assert str(error.value).startswith(f"{path}: stride: ")
    assert merge({"a": 1, "style": {"cell": 3}}, {"style": {"x": 1}, "b": 2}) == {
        "a": 1, "b": 2, "style": {"cell": 3, "x": 1}}


def test_config_from_mapping_errors_and_sources():
    with pytest.raises(ConfigError) as error:
        config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "stride": -1})
    assert str(error.value).startswith("stride: must be a positive integer")
    with pytest.raises(ConfigError) as error:
        config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "stride": -1}, source="p")
    assert str(error.value).startswith("p: stride: ")
    with pytest.raises(ConfigError, match=r"^the top level must be a mapping .*got list"):
        config_from_mapping([1, 2])
    with pytest.raises(ConfigError, match="got nothing"):
        config_from_mapping(None)
    config = config_from_mapping({"op": "conv", "size": 5, "kernel": 3})
    assert config.render.duration == 1000 and config.render.layout == "oblique"
    assert config.source is None and config.name == "deconv-anim"


@pytest.mark.parametrize(("kwargs", "key", "words"), [
    ({"op": "conv", "size": 4, "kernel": 3, "stride": "2"}, "stride", ['(got "2")']),
    ({"op": "conv", "size": 4, "kernel": 3, "stride": True}, "stride", ["(got true)"]),
    ({"op": "conv", "size": 4, "kernel": 3, "dilation": 1.0}, "dilation", ["(got 1.0)"]),
    ({"op": "conv", "size": [4, [4]], "kernel": 3}, "size", ["(got [4])"]),
    ({"op": "conv", "size": 4, "kernel": 5}, "kernel", ["larger than the padded input"]),
    ({"op": "conv", "size": 4, "kernel": 3, "output_size": 4}, "output_size", ["transposed"]),
    ({"op": "conv", "size": 4, "kernel": 3, "view": "scatter"}, "view", ["transposed"]),
    ({"op": "conv", "size": 4, "kernel": 3, "count_include_pad": True}, "count_include_pad",
     ["avgpool"]),
    ({"op": "transposed", "size": 3, "kernel": 3, "stride": 2, "padding": "same",
      "output_size": 4}, "output_size", ["legal: 5..6"]),
    ({"op": "transposed", "size": 3, "kernel": 3, "output_padding": 1}, "output_padding",
     ["max(stride, dilation) = 1"]),
    ({"op": "conv", "input": [[1, 2], [3]], "kernel": 1}, "input", ["same, non-zero length"]),
    ({"op": "conv", "input": [[float("nan")]], "kernel": 1}, "input", ["finite"]),
    ({"op": "conv", "input": [[float("inf")]], "kernel": 1}, "input", ["finite"]),
    ({"op": "conv", "input": [["1"]], "kernel": 1}, "input", ["must be a number"]),
    ({"op": "conv", "size": 4, "weights": [[1], [1, 2]]}, "weights", ["same, non-zero"]),
    ({"op": 3}, "op", ["must be one of"]),
    ({"op": "conv", "kernel": 3}, "size", ["required"]),
])
def test_make_spec_errors(kwargs, key, words):
    with pytest.raises(ConfigError) as error:
        make_spec(**kwargs)
    message = str(error.value)
    assert message.startswith(f"{key}: "), message
    assert error.value.key == key
    for word in words:
        assert word in message


def test_huge_values_never_allocate():
    for kwargs in ({"size": 10**12}, {"size": [4096, 4096]}, {"size": 4, "padding": 10**9},
                   {"size": 4, "stride": 10**30}):
        with pytest.raises(ConfigError):
            make_spec(op="conv", kernel=1, **{"size": 4, **kwargs})
    with pytest.raises(ConfigError, match=r"^stride: makes the grid .* 1x8191 cells"):
        make_spec(op="transposed", size=[1, 4096], kernel=1, stride=2)  # the stride grew it
    with pytest.raises(ConfigError, match="too large"):
        make_spec(op="conv", input=[[0] * 2000] * 1000, kernel=1)


@pytest.mark.parametrize(("key", "text", "value"), [
    ("size", "5", 5), ("size", "5x3", [5, 3]), ("padding", "0,0,2,0", [0, 0, 2, 0]),
    ("padding", "same", "same"), ("input", "[[1, 2]]", [[1, 2]]), ("title", "5", "5"),
    ("count_include_pad", "false", False), ("stride", "-1", -1),
])
def test_parse_flag_value(key, text, value):
    assert parse_flag_value(key, text) == value


def test_parse_flag_value_error():
    with pytest.raises(ConfigError, match=r"^input: cannot read the value"):
        parse_flag_value("input", "[[1, 2]")


# ------------------------------------------------------------------ resolve_config


def test_resolve_config_reads_each_kind_of_source(tmp_path):
    from deconv_anim.config import resolve_config
    from deconv_anim.presets import PRESETS

    path = tmp_path / "up.yaml"
    path.write_text("op: transposed\nsize: 2\nkernel: 3\nstyle: {cell: 9}\n")
    from_file = resolve_config(path, {"stride": 2, "style": {"theme": "dark"}})
    assert from_file.source == str(path) and from_file.name == "up"
    assert from_file.base_dir == tmp_path and from_file.spec.stride == (2, 2)
    assert (from_file.render.style.cell, from_file.render.style.theme) == (9, "dark")
    assert resolve_config(str(path)).spec == resolve_config(path, kind="path").spec
    preset = resolve_config("dilation", base_dir=tmp_path)
    assert preset.name == "dilation" and preset.base_dir == tmp_path and preset.source is None
    assert preset.document == PRESETS["dilation"]
    mapping = resolve_config({"op": "conv", "size": 4, "kernel": 3})
    assert mapping.name == "deconv-anim" and mapping.spec.output_size == (2, 2)
    assert resolve_config(None, {"op": "conv", "size": 4, "kernel": 3}) == mapping
    assert resolve_config(mapping) is mapping
    again = resolve_config(mapping, {"stride": 2, "title": "T"})
    assert again.spec.output_size == (1, 1) and again.render.title == "T"


def test_resolve_config_text_is_a_file_when_it_looks_like_one(tmp_path, cwd):
    from deconv_anim.config import resolve_config

    (cwd / "dilation").write_text("op: conv\nsize: 3\nkernel: 1\n")  # a file named as a preset
    assert resolve_config("dilation").spec.input_size == (3, 3)  # the file
    assert resolve_config("dilation", kind="preset").spec.input_size == (7, 7)  # the preset
    with pytest.raises(ConfigError, match=r"^nope\.yaml: no such config file$"):
        resolve_config("nope.yaml")
    with pytest.raises(ConfigError, match=r"^sub/nope: no such config file$"):
        resolve_config("sub/nope")
    with pytest.raises(ConfigError, match=r"^preset: unknown preset 'nope' \(see"):
        resolve_config("nope")
    with pytest.raises(ConfigError, match=r"^dilation\.yml: no such config file"):
        resolve_config("dilation.yml")


def test_resolve_config_validates_overrides_like_the_file(tmp_path):
    from deconv_anim.config import resolve_config

    path = tmp_path / "x.yaml"
    path.write_text("op: conv\nsize: 4\nkernel: 3\n")
    with pytest.raises(ConfigError) as from_override:
        resolve_config(path, {"stride": 0})
    path.write_text("op: conv\nsize: 4\nkernel: 3\nstride: 0\n")
    with pytest.raises(ConfigError) as from_file:
        resolve_config(path)
    assert str(from_override.value) == str(from_file.value) == (
        f"{path}: stride: must be a positive integer or a pair of them (got 0)")
    with pytest.raises(ConfigError, match=r"^style\.them: unknown key; did you mean "
                                          r"style\.theme\?"):
        resolve_config("dilation", {"style": {"them": "dark"}})


# ---- the teaching keys (values, labels, overlap, style colours)


def test_new_keys_parse():
    config = config_from_mapping({
        "op": "transposed", "size": 3, "kernel": 3, "stride": 2, "view": "both",
        "values": True, "labels": True, "overlap": True, "layout": "Oblique",
        "duration": 20, "hold": 600_000,
        "style": {"theme": " Dark ", "cell": 16, "line_width": 0.5, "input_color": "#F00",
                  "output_color": [0, 128, 255], "line_color": "00ff00",
                  "overlay_color": "#123456", "text_color": [1, 2, 3],
                  "background": "Transparent"}})
    options, style = config.render, config.render.style
    assert (options.values, options.labels, options.overlap) == (True, True, True)
    assert options.layout == "oblique" and (options.duration, options.hold) == (20, 600_000)
    assert style.theme == "dark" and style.line_width == 0.5
    assert style.colors() == {"input": (255, 0, 0), "output": (0, 128, 255),
                              "line": (0, 255, 0), "overlay": (0x12, 0x34, 0x56),
                              "text": (1, 2, 3)}
    look = look_of(config)
    assert look.numbers and look.labels and look.overlap and look.transparent
    assert look.theme.input == (255, 0, 0) and look.theme.accent == THEMES["dark"].accent
    assert look.theme.background == THEMES["dark"].background


def test_defaults_of_the_new_keys():
    plain = config_from_mapping({"op": "conv", "size": 4, "kernel": 3})
    assert (plain.render.values, plain.render.labels, plain.render.overlap) == (
        False, False, False)
    assert plain.render.layout == "oblique" and plain.render.style.theme == "classic"
    assert look_of(plain).cell == 30 and look_of(plain).theme == tv.THEME
    numbers = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "values": True})
    assert numbers.render.layout == "flat" and look_of(numbers).cell == 44
    given = config_from_mapping({"op": "conv", "input": [[1, 2], [3, 4]], "kernel": 1})
    assert given.render.values and given.render.layout == "flat"
    off = config_from_mapping({"op": "conv", "input": [[1, 2]], "kernel": 1, "values": False})
    assert not off.render.values and off.render.layout == "oblique"
    kept = config_from_mapping({"op": "conv", "size": 4, "kernel": 3, "values": True,
                                "layout": "oblique"})
    assert kept.render.layout == "oblique"


@pytest.mark.parametrize(("mapping", "key", "words"), tv.BAD,
                         ids=[f"{key}-{n}" for n, (_, key, _) in enumerate(tv.BAD)])
def test_bad_new_keys(mapping, key, words):
    with pytest.raises(ConfigError) as error:
        config_from_mapping(mapping)
    message = str(error.value)
    assert error.value.key == key, message
    assert message.startswith(f"{key}: "), message
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(("text", "key", "words"), [
    ("values: maybe\n", "values", ["must be true or false", '(got "maybe")']),
    ("overlap: true\nlabels: 2\n", "labels", ["must be true or false"]),
    ("style:\n  theme: neon\n", "style.theme", ["classic, dark, colorblind"]),
    ("style:\n  output_color: '#abcd'\n", "style.output_color", [tv.COLOR_FORMS]),
    ("style:\n  background: [1, 2, 3, 4]\n", "style.background", ["or transparent"]),
    ("style:\n  line_width: 50\n", "style.line_width", ["from 0.5 to 20"]),
    ("style:\n  inputcolor: '#fff'\n", "style.inputcolor", ["did you mean style.input_color?"]),
    ("duration: 10\n", "duration", ["from 20 to 60000"]),
    ("duration: 60000\nhold: 600000\n", "hold", ["at most 655350"]),
    ("layout: spiral\n", "layout", ["oblique, flat"]),
])
def test_bad_new_keys_in_a_file(tmp_path, text, key, words):
    path = tmp_path / "teach.yaml"
    path.write_text("op: transposed\nsize: 2\nkernel: 3\n" + text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: "), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("color", ["#abc", "abc", "#A0B1C2", [0, 0, 0], [255, 255, 255]])
def test_good_colours(color):
    config = config_from_mapping({**tv.BASE, "style": {"input_color": color}})
    assert isinstance(config.render.style.input_color, tuple)


def test_hold_at_the_limit_is_fine():
    config = config_from_mapping({**tv.BASE, "duration": 55_350, "hold": 600_000})
    assert config.render.duration + config.render.hold == 655_350


def test_yaml_booleans_are_accepted(tmp_path):
    path = tmp_path / "teach.yaml"
    path.write_text("op: transposed\nsize: 2\nkernel: 3\nvalues: yes\nlabels: False\n"
                    "overlap: TRUE\nview: both\n")
    config = load_config(path)
    assert (config.render.values, config.render.labels, config.render.overlap) == (
        True, False, True)
