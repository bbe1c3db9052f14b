"""Fuzzing: random config documents, valid and invalid, through the real command line.

Each document either renders to a GIF whose frame count equals `info --json`'s `frames`,
or ends in one clean `Error:` line with exit code 2 and no file left behind -- never a
traceback, never a hang (the resource guard bounds the work). The default run is short;
`DECONV_ANIM_FUZZ=2000 pytest tests/test_fuzz.py` runs longer (see benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from deconv_anim.cli import main

EXAMPLES = int(os.environ.get("DECONV_ANIM_FUZZ", "60"))
LIMITS = ["--max-frames", "60", "--max-pixels", "400000"]

small = st.integers(min_value=-2, max_value=7)
huge = st.sampled_from([0, -1, 10**6, 2**63, 10**30, 1.5, float("nan"), float("inf")])
scalar = st.one_of(small, huge, st.booleans(), st.none(), st.text(max_size=6),
                   st.floats(allow_nan=True, allow_infinity=True))
size_like = st.one_of(small, st.lists(small, min_size=0, max_size=5), scalar,
                      st.lists(st.lists(small, max_size=3), max_size=2))
matrix = st.one_of(
    st.lists(st.lists(st.integers(-3, 3), min_size=1, max_size=4), min_size=1, max_size=4),
    st.lists(st.lists(scalar, max_size=3), max_size=3), scalar)

KEY_VALUES = {
    "op": st.one_of(st.sampled_from(["conv", "transposed", "maxpool", "avgpool", "deconv"]),
                    scalar),
    "size": size_like,
    "kernel": size_like,
    "stride": size_like,
    "dilation": size_like,
    "padding": st.one_of(st.sampled_from(["valid", "same", "full", "SAME", "half"]),
                         size_like, st.lists(small, min_size=4, max_size=4)),
    "output_padding": size_like,
    "output_size": size_like,
    "view": st.one_of(st.sampled_from(["gather", "scatter", "both", "sideways"]), scalar),
    "input": matrix,
    "weights": matrix,
    "seed": st.one_of(small, huge),
    "title": st.one_of(st.text(max_size=30), scalar),
    "layout": st.one_of(st.sampled_from(["oblique", "flat", "round"]), scalar),
    "duration": st.one_of(st.integers(-10, 5000), scalar),
    "hold": st.one_of(st.integers(-10, 5000), scalar),
    "values": st.one_of(st.booleans(), scalar),
    "labels": st.one_of(st.booleans(), scalar),
    "overlap": st.one_of(st.booleans(), scalar),
    "count_include_pad": st.one_of(st.booleans(), scalar),
    "in_channels": size_like,
    "out_channels": size_like,
    "groups": size_like,
    "bias": st.one_of(st.booleans(), st.lists(small, max_size=3), scalar),
    "step_by": st.one_of(st.sampled_from(["element", "channel", "row"]), scalar),
    "style": st.one_of(st.fixed_dictionaries({}, optional={
        "cell": st.one_of(st.integers(-5, 40), scalar),
        "theme": st.one_of(st.sampled_from(["classic", "dark", "colorblind", "neon"]), scalar),
        "input_color": st.one_of(st.sampled_from(["#268bd2", "#abc", "red", "#12345"]),
                                 st.lists(st.integers(-1, 300), max_size=4)),
        "background": st.sampled_from(["transparent", "#ffffff", [0, 0, 0], "nope"]),
        "linewidth": scalar}), scalar),
    "unknown_key": scalar,
    "strdie": small,
}

# mostly plausible ops, so that a good share render
plausible = st.fixed_dictionaries(
    {"op": st.sampled_from(["conv", "transposed", "maxpool", "avgpool"]),
     "size": st.integers(1, 6), "kernel": st.integers(1, 4)},
    optional={"stride": st.integers(1, 3), "padding": st.sampled_from(["valid", "same", 1]),
              "view": st.sampled_from(["gather", "scatter", "both"]),
              "values": st.booleans(), "style": st.just({"cell": 12})})
documents = st.one_of(
    plausible,
    st.dictionaries(st.sampled_from(sorted(KEY_VALUES)), st.nothing(), max_size=0).flatmap(
        lambda _: st.fixed_dictionaries({}, optional=KEY_VALUES)),
    scalar, st.lists(scalar, max_size=3),
    st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3)), max_leaves=8))


def _text(doc) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:  # pragma: no cover - safe_dump handles what we generate
        return "op: [unterminated\n"


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=documents)
def test_any_document_renders_or_fails_cleanly(tmp_path_factory, doc):
    folder: Path = tmp_path_factory.mktemp("fuzz")
    config = folder / "case.yaml"
    config.write_text(_text(doc), encoding="utf-8")
    out = folder / "case.gif"
    runner = CliRunner()
    rendered = runner.invoke(main, ["render", str(config), "-o", str(out), *LIMITS])
    info = runner.invoke(main, ["info", str(config), "--json"])
    assert rendered.exception is None or isinstance(rendered.exception, SystemExit), (
        rendered.output, rendered.exception)
    assert "Traceback" not in rendered.output
    event("rendered" if rendered.exit_code == 0 else "refused")
    if rendered.exit_code == 0:
        assert info.exit_code == 0, info.output
        frames = json.loads(info.stdout.splitlines()[0])["frames"]
        with Image.open(out) as gif:
            assert gif.n_frames == frames
    else:
        assert rendered.exit_code == 2, rendered.output
        lines = [line for line in rendered.stderr.splitlines() if line.strip()]
        assert lines and lines[-1].startswith("Error: "), rendered.stderr
        assert len(lines[-1]) < 400
        assert not out.exists()
    assert not list(folder.glob(".*.tmp"))


# --------------------------------------------------------------------------------------
# Hostile shapes: YAML text an attacker would write (deep nesting, alias bombs, huge
# integers, huge strings, control characters, surrogates), at any key
# --------------------------------------------------------------------------------------

HOSTILE_EXAMPLES = int(os.environ.get("DECONV_ANIM_FUZZ", "40"))
KEYS = ["title", "size", "stride", "padding", "input", "style", "layout", "seed", "output",
        "duration"]


def _nested(depth: int, flow: bool) -> str:
    if flow:
        return "[" * depth + "1" + "]" * depth
    return "\n" + "".join("  " * n + "-\n" for n in range(1, depth)) + "  " * depth + "- 1"


def _bomb(levels: int, width: int) -> str:
    """Anchors a0..a{levels-1}, each ``width`` times the one before, under ``weights:``."""
    items = [f"&a0 [{', '.join(['1'] * width)}]"]
    items += [f"&a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return f"weights: [{', '.join(items)}]\n"


def _escaped(code: int) -> str:
    """A YAML double-quoted escape of one code point (control characters, surrogates)."""
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


hostile_values = st.one_of(
    st.builds(_nested, st.integers(1, 3000), st.booleans()),
    st.builds(lambda digits, sign: sign + "1" + "0" * digits, st.integers(0, 6000),
              st.sampled_from(["", "-", "+"])),
    st.builds(lambda n, c: c * n, st.integers(0, 400_000), st.sampled_from(["x", "é", "["])),
    st.builds(lambda codes: '"' + "".join(_escaped(c) for c in codes) + '"',
              st.lists(st.one_of(st.integers(0, 0x1F), st.integers(0x7F, 0x9F),
                                 st.integers(0xD800, 0xDFFF), st.integers(0x20, 0x7E),
                                 st.sampled_from([0xFFFE, 0xFFFF])), min_size=1, max_size=8)),
    st.sampled_from(["*a9", "*a3", "[*a2, *a2]", "{x: *a5}"]),
)


@st.composite
def hostile_documents(draw) -> str:
    key = draw(st.sampled_from(KEYS))
    value = draw(hostile_values)
    prefix = _bomb(draw(st.integers(1, 10)), draw(st.integers(2, 9))) if draw(
        st.booleans()) else ""
    base = "op: conv\nsize: 3\nkernel: 2\nstyle: {cell: 8}\n"
    lines = [line for line in base.splitlines() if not line.startswith(f"{key}:")]
    return prefix + "\n".join(lines) + f"\n{key}: {value}\n"


@settings(max_examples=HOSTILE_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_documents())
def test_hostile_documents_fail_cleanly_and_fast(tmp_path_factory, text):
    """A hostile document is refused (or rendered) with one line, quickly, never a
    traceback: its cost is bounded before it is built."""
    import time

    folder: Path = tmp_path_factory.mktemp("hostile")
    config = folder / "case.yaml"
    config.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = folder / "case.svg"
    start = time.process_time()  # CPU time: the wall clock of a loaded machine says nothing
    runner = CliRunner()
    for args in (["render", str(config), "-o", str(out), *LIMITS], ["info", str(config)]):
        result = runner.invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args[0], result.exception)
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("Error: "), lines[:3]
            assert len(lines[0]) < 400
            event(lines[0].split(": ", 3)[-1][:30])
    assert time.process_time() - start < 20
    assert not list(folder.glob(".*.tmp"))
    if out.exists():  # what renders is a well-formed SVG
        from xml.etree import ElementTree

        ElementTree.parse(out)
