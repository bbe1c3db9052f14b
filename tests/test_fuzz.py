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
