"""The HTML player's file, without a browser: self-contained (no URL anywhere a browser
would fetch), small, the DOM contract's attributes, its data exact to the engine's trace,
the notebook display and the writers (render, save, gallery)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import deconv_anim as da
from deconv_anim.animation import prepare
from deconv_anim.cli import main
from deconv_anim.encode import Timing
from deconv_anim.formats import FORMATS, format_for
from deconv_anim.player import EMBED_LIMIT_MB, notebook_html, player_html
from deconv_anim.presets import REFERENCE_NAMES

MAX_BYTES = 60 * 1024
ACTIONS = ("toggle", "prev", "next", "first", "last")
# every place a browser would load something from: attributes, CSS, JS
FETCHING = [re.compile(p, re.I) for p in (
    r"""(?<![\w-])(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(?!data:)[^"'\s>]""",
    r"url\(\s*['\"]?\s*(?!data:)", r"@import", r"\bimport\s*\(", r"\bimport\s+[\w{*]",
    r"\bfetch\s*\(", r"XMLHttpRequest", r"https?:", r"//[\w.-]+\.\w")]


def html_of(name: str, **overrides: object) -> str:
    anim = da.animate(name, **overrides)
    return anim.to_html()


def data_of(text: str) -> dict:
    raw = re.search(r'<script type="application/json" data-figure>(.*?)</script>', text, re.S)
    links = re.search(r'<script type="application/json" data-links>(.*?)</script>', text, re.S)
    assert raw is not None and links is not None
    return {**json.loads(raw.group(1)), "links": json.loads(links.group(1))}


def gather_links(spec) -> tuple[dict, dict]:
    """The engine's gather trace: output cell -> input cells of its taps, and back."""
    out: dict = {}
    back: dict = {}
    for step in da.trace(spec, "gather"):
        cells = {(int(t[2]), int(t[3])) for t in step.taps}
        out[step.cell] = cells
        for cell in cells:
            back.setdefault(cell, set()).add(step.cell)
    return out, back


def op_cells(panel: dict) -> list[str]:
    """The ``data-cell`` of every cell element the script makes for one panel (its runs
    expanded), in the op's coordinates."""
    return [f"{grid}:{run[0]},{run[1] + k}" for grid, runs in panel["grid_cells"].items()
            for run in runs for k in range(run[2])]


def test_cells_are_made_by_the_script_not_written_one_by_one():
    """A 32x32 figure: its 2,048 cells are a few blocks in the markup (one path per fill),
    each cell's own element the script's (one run per row of the op's cells)."""
    text = da.animate(op="conv", size=32, kernel=3, padding="same").to_html()
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert "data-cell=" not in svg and svg.count("<path") < 30
    (panel,) = data_of(text)["panels"]
    assert len(op_cells(panel)) == 2 * 32 * 32
    assert [len(panel["grid_cells"][g]) for g in ("input", "output")] == [32, 32]


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_reference_players_are_small_and_fetch_nothing(name):
    text = html_of(name)
    assert len(text.encode("utf-8")) <= MAX_BYTES
    for pattern in FETCHING:
        assert not pattern.search(text), (pattern.pattern, pattern.search(text))


def test_the_url_checks_catch_urls():
    for bad in ('<img src="x.gif">', "<a href='//cdn.x.org/a.js'>", "url(http://a/b)",
                "@import 'x.css'", 'import("./m.js")', "fetch(u)", "https://x.org"):
        assert any(p.search(bad) for p in FETCHING), bad
    assert not any(p.search('<img src="data:image/gif;base64,AAAA">') for p in FETCHING)


@pytest.mark.parametrize("name, overrides", [
    ("dilation", {}), ("output_padding", {}), ("scatter_overlap", {}), ("both_views", {}),
    ("padding_strides_transposed", {"values": True, "labels": True}),
    ("maxpool", {"values": True}), ("avgpool", {}),
    ("seed_conv", {"style": {"theme": "dark", "background": "transparent"}}),
    ("overlap_map", {"layout": "flat"}),
])
def test_dom_contract(name, overrides):
    anim = da.animate(name, **overrides)
    text = anim.to_html()
    spec = anim.config.spec
    root = re.match(r"<div data-deconv-anim ([^>]*)>", text)
    assert root is not None
    assert f'data-steps="{anim.step_count}"' in root.group(1)
    assert 'data-step="0"' in root.group(1)
    for action in ACTIONS:
        assert len(re.findall(rf'<button type="button" data-action="{action}"', text)) == 1
    assert len(re.findall(r'<input type="range" data-action="scrub"', text)) == 1
    assert not re.search(r"\sid\s*=", text)  # no ids: players share pages
    assert "<script>(function (me)" in text  # the one script, a function of its root
    cells = Counter(cell for panel in data_of(text)["panels"] for cell in op_cells(panel))
    panels = 2 if spec.view == "both" else 1
    (ir, ic), (orow, ocol) = spec.input_size, spec.output_size
    expected = {f"input:{r},{c}": panels for r in range(ir) for c in range(ic)}
    expected |= {f"output:{r},{c}": panels for r in range(orow) for c in range(ocol)}
    assert dict(cells) == expected  # every op cell once per panel, no padding, no spread
    assert 'style="--da-linked' in text
    taps = Counter(re.findall(r'data-tap="(\d+),(\d+)"', text))
    kh, kw = spec.kernel_size
    assert taps == Counter({(str(r), str(c)): panels for r in range(kh) for c in range(kw)})
    assert ("<rect width" not in text) == anim.config.render.style.transparent


@pytest.mark.parametrize("name", ["dilation", "output_padding", "scatter_overlap",
                                  "both_views", "padding_strides_odd_transposed", "maxpool"])
def test_links_are_the_gather_trace(name):
    anim = da.animate(name)
    spec = anim.config.spec
    links = data_of(anim.to_html())["links"]
    out, _ = gather_links(spec)
    cols, in_cols = spec.output_size[1], spec.input_size[1]
    got = {(n // cols, n % cols): {(i // in_cols, i % in_cols) for i in cells}
           for n, cells in enumerate(links["taps"])}
    assert got == out


def test_steps_follow_the_timeline():
    anim = da.animate("both_views")
    figure = prepare(anim.config).figure
    data = data_of(anim.to_html())
    assert data["steps"] == anim.step_count
    assert data["duration"] == 1000 and data["hold"] == 2000
    for panel, pd in zip(figure.panels, data["panels"]):
        steps = panel.timeline.steps
        assert pd["n"] == len(steps)
        assert pd["window"] == [v for s in steps for v in s.window]
        assert pd["target"] == [v for s in steps for v in s.target]
        assert [pd["captions"][k] for k in pd["caption"]] == [
            panel.layout.fit_caption(s.caption or "") for s in steps]


def test_full_sums_with_values():
    data = data_of(html_of("numbers_conv"))
    sums = data["links"]["sums"]
    assert "..." not in "".join(sums)  # the readout's sum is whole, unlike the caption's
    assert sums[0].startswith("out[0, 0] = ")


def test_file_writers(tmp_path):
    out = tmp_path / "fig.html"
    result = CliRunner().invoke(main, ["render", "--preset", "dilation", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<div data-deconv-anim" in text
    saved = da.animate("dilation").save(tmp_path / "api.html")
    assert saved.path.read_text(encoding="utf-8") == text
    assert format_for("x.HTML") is FORMATS["html"] and FORMATS["html"].vector


def test_tween_is_refused_for_the_player(tmp_path):
    result = CliRunner().invoke(main, ["render", "--preset", "dilation", "--tween", "2",
                                       "-o", str(tmp_path / "t.html")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("Error: --tween: makes in-between")
    assert not (tmp_path / "t.html").exists()


def test_gallery_writes_html(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "small.yaml").write_text("op: conv\nsize: 3\nkernel: 2\n")
    result = CliRunner().invoke(main, ["gallery", str(configs), "-o", str(tmp_path / "out"),
                                       "--format", "html", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "data-deconv-anim" in (tmp_path / "out" / "small.html").read_text()
    readme = (tmp_path / "out" / "README.md").read_text()
    assert '<a href="small.html">' in readme and "<img" not in readme  # linked, not an image


def test_notebook_bundle_is_html_with_the_gif_inside():
    bundle = da.animate("dilation")._repr_mimebundle_()
    assert list(bundle) == ["text/html"]
    text = bundle["text/html"]
    assert text.startswith("<div data-deconv-anim")
    assert '<img data-fallback alt=' in text and 'src="data:image/gif;base64,R0lGOD' in text
    assert "<div data-player hidden>" in text
    assert len(data_of(text)["panels"]) == 1  # the data, not the image, in the JSON


def test_size_guard_shows_the_gif_and_says_so():
    text = notebook_html("x" * 2048, lambda: b"GIF89a", limit_mb=0.001)
    assert "embed limit of 0.001 MB" in text and "data:image/gif;base64," in text
    assert "data-deconv-anim" not in text
    assert notebook_html("<div>small</div>", lambda: b"") == "<div>small</div>"
    assert EMBED_LIMIT_MB == 20


def test_player_html_takes_the_timing():
    figure = prepare(da.animate("dilation").config).figure
    data = data_of(player_html(figure, Timing(250, 40), autoplay=False))
    assert (data["duration"], data["hold"], data["autoplay"]) == (250, 40, False)


@given(st.sets(st.tuples(st.integers(-3, 6), st.integers(-3, 6)), min_size=1))
def test_blocks_cover_exactly_the_cells(cells):
    """The blocks the markup fills a grid's cells with: every cell once, nothing else."""
    from deconv_anim.player import _blocks

    blocks = _blocks(sorted(cells))
    covered = [(r + i, c + j) for r, c, h, w in blocks for i in range(h) for j in range(w)]
    assert sorted(covered) == sorted(cells)
    runs = sum((r, c - 1) not in cells for r, c in cells)  # maximal runs along rows
    assert len(blocks) <= runs


@given(st.dictionaries(st.tuples(st.integers(-2, 9), st.integers(-2, 9)),
                       st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1),
       st.integers(0, 2))
def test_runs_give_back_every_cell(cells, fills):
    """The runs the script expands into cell elements: each (op cell -> drawn cell, fill)
    exactly once, whatever the mapping (a spread lattice or not)."""
    from deconv_anim.player import _runs

    ops = {}  # one drawn cell per op cell, as a grid has
    for drawn, op in cells.items():
        ops.setdefault(op, drawn)
    mapping = {drawn: op for op, drawn in ops.items()}
    runs = _runs(mapping, lambda r, c: (r + c) % (fills + 1))
    got = {(r, c + k * dc): ((u, v + k), f) for u, v, n, r, c, dc, f in runs for k in range(n)}
    assert sum(run[2] for run in runs) == len(mapping)
    assert got == {drawn: (op, (drawn[0] + drawn[1]) % (fills + 1))
                   for drawn, op in mapping.items()}
