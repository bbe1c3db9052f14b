"""The timeline: every step's content, checked against naive references (never against
the painters). Stamp counts and running sums are recomputed here tap by tap."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teaching as tv
from cases import CASES
from deconv_anim import make_spec
from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping
from deconv_anim.engine import compute, stamp_counts, trace
from deconv_anim.panels import SideBySide
from deconv_anim.report import format_value
from deconv_anim.scene import build_scene
from deconv_anim.themes import THEMES
from deconv_anim.timeline import MAX_TERMS, MAX_TINTS, TIMES, build_timeline, reading_order
from naive import reference

THEME = THEMES["classic"]


def timeline_of(mapping, **aids):
    scene = build_scene(make_spec(**mapping))
    return scene, build_timeline(scene, THEME, **aids)


def naive_counts(spec):
    """Stamps per output cell by the transposed index law o = i*s + k*d - t, one at a time."""
    counts = np.zeros(spec.output_size, int)
    for i0 in range(spec.input_size[0]):
        for i1 in range(spec.input_size[1]):
            for a in range(spec.kernel_size[0]):
                for b in range(spec.kernel_size[1]):
                    o0 = i0 * spec.stride[0] + a * spec.dilation[0] - spec.padding[0]
                    o1 = i1 * spec.stride[1] + b * spec.dilation[1] - spec.padding[2]
                    if 0 <= o0 < spec.output_size[0] and 0 <= o1 < spec.output_size[1]:
                        counts[o0, o1] += 1
    return counts


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 2),
       p=st.integers(0, 3))
def test_engine_stamp_counts_follow_the_index_law(n, k, s, d, p):
    try:
        spec = make_spec(op="transposed", size=n, kernel=k, stride=s, dilation=d, padding=p)
    except Exception:  # an impossible op (output smaller than one cell)
        return
    np.testing.assert_array_equal(stamp_counts(spec), naive_counts(spec))


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_ends_as_the_naive_reference(name):
    """Replaying each step's changes leaves the op's output in the cells (values on)."""
    scene, timeline = timeline_of(CASES[name], numbers=True)
    texts = {s.cell: s.text for s in timeline.start}
    for step in timeline.steps:
        for change in step.changes:
            texts[change.cell] = change.text
    want = reference(scene.spec)
    result, _ = tv.rule_of(scene.spec)
    for (r, c), text in texts.items():
        assert text == result(want[r, c]), (r, c)


@pytest.mark.parametrize("name", [n for n in CASES if "scatter" in n])
def test_scatter_running_sums_and_tints(name):
    """Scatter: each step adds x * w to the cells its stamp covers; a cell's tint deepens
    with each stamp (the count ends as the engine's stamp count)."""
    scene, timeline = timeline_of(CASES[name], numbers=True)
    spec = scene.spec
    sums = np.zeros(spec.output_size)
    hits = np.zeros(spec.output_size, int)
    fills = {}
    for step in timeline.steps:
        r, c = step.cell
        for kr, kc, ir, ic, orow, ocol in step.taps.tolist():
            assert (ir, ic) == (r, c)
            sums[orow, ocol] += spec.input[r, c] * spec.weights[kr, kc]
            hits[orow, ocol] += 1
        assert {ch.cell for ch in step.changes} == {tuple(t[4:]) for t in step.taps.tolist()}
        for change in step.changes:
            assert change.text == tv.rule_of(spec)[0](sums[change.cell])
            fills[change.cell] = change.fill
    np.testing.assert_array_equal(hits, naive_counts(spec))
    top = hits.max()
    for cell, fill in fills.items():
        assert fill == timeline.tints.fill(int(hits[cell]))
    if top <= MAX_TINTS:  # each count its own tint, deeper for more
        order = sorted({int(hits[cell]) for cell in fills})
        far = [sum(abs(a - b) for a, b in zip(timeline.tints.fill(n), THEME.background))
               for n in order]
        assert far == sorted(far) and len(set(far)) == len(far)


@pytest.mark.parametrize("name", sorted(CASES))
def test_links_point_at_the_drawn_cells(name):
    """Every link's drawn cells: the input cell on the input grid (spread and padded in the
    gather view), the output cell, and the window cell showing the weight it multiplies."""
    scene, timeline = timeline_of(CASES[name], numbers=True)
    spec = scene.spec
    d = spec.dilation
    for step in timeline.steps:
        for link in timeline.links(step):
            if scene.view == "gather":
                g = spec.gather
                assert link.input_at == (link.input[0] * g.spacing[0] + g.padding[0],
                                         link.input[1] * g.spacing[1] + g.padding[2])
                assert link.output == step.cell
                assert scene.input.kinds[link.input_at[0] - scene.input.first[0],
                                         link.input_at[1] - scene.input.first[1]] != 0
            else:
                assert link.input == step.cell and link.input_at == step.cell
            assert link.output_at == link.output
            i, j = (link.window_at[0] - step.window[0], link.window_at[1] - step.window[1])
            assert i % d[0] == 0 and j % d[1] == 0
            shown = timeline.kernel[i // d[0], j // d[1]]
            assert shown == spec.weights[link.kernel]  # (rotated where the view applies it so)


def test_the_gather_kernel_of_a_transposed_op_is_rotated():
    _, timeline = timeline_of(dict(op="transposed", input=[[1, 2]], weights=[[1, 2], [3, 4]]),
                              numbers=True)
    assert timeline.kernel_rotated
    assert timeline.kernel.tolist() == [[4, 3], [2, 1]]
    _, plain = timeline_of(dict(op="conv", size=3, kernel=2))
    assert plain.kernel is None and not plain.kernel_rotated  # values off: no weights shown


def test_captions_and_equations():
    scene, timeline = timeline_of(dict(op="conv", input=[[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                                       weights=[[1, 0], [0, -1]]), numbers=True, labels=True)
    out = compute(scene.spec)
    first = timeline.steps[0]
    x = TIMES
    assert first.equation == f"out[0, 0] = 1{x}1 + 2{x}0 + 4{x}0 + 5{x}-1 = -4" == (
        f"out[0, 0] = 1{x}1 + 2{x}0 + 4{x}0 + 5{x}-1 = {format_value(out[0, 0])}")
    assert first.caption == f"step 1/{len(timeline)}: {first.equation}"
    _, labels_only = timeline_of(dict(op="conv", size=3, kernel=2), labels=True)
    assert labels_only.steps[3].caption == "step 4/4: out[1, 1]"
    assert labels_only.steps[3].equation is None
    _, bare = timeline_of(dict(op="conv", size=3, kernel=2))
    assert all(step.caption is None and not step.changes for step in bare.steps)


def test_max_pool_marker_is_the_largest_input_under_the_window():
    x = [[1, 5, -2, 0], [3, 2, 7, -1], [-4, 8, 6, 2], [0, 1, 3, 9]]
    _, timeline = timeline_of(dict(op="maxpool", input=x, kernel=2), numbers=True)
    markers = [step.marker for step in timeline.steps]
    assert markers == [(0, 1), (1, 2), (2, 1), (3, 3)]
    _, off = timeline_of(dict(op="maxpool", input=x, kernel=2))
    assert all(step.marker is None for step in off.steps)


def test_input_texts_cover_inputs_zeros_and_cropped_cells():
    scene, timeline = timeline_of(dict(op="transposed", size=3, kernel=3, stride=2,
                                       padding=2), numbers=True)
    spec = scene.spec
    by_kind = {(t.faded, t.text == "0") for t in timeline.input_texts}
    assert (False, False) in by_kind or (False, True) in by_kind
    values = [t for t in timeline.input_texts if not t.faded]
    assert len(values) == spec.input_size[0] * spec.input_size[1]
    for t in values:
        u, v = ((t.cell[0] - spec.gather.padding[0]) // spec.gather.spacing[0],
                (t.cell[1] - spec.gather.padding[2]) // spec.gather.spacing[1])
        assert t.text == tv.rule_of(spec)[1](spec.input[u, v])
    # a max pool ignores padding: no zeros drawn there
    _, pool = timeline_of(dict(op="maxpool", size=3, kernel=2, padding=1), numbers=True)
    assert all(t.text != "0" or not t.faded for t in pool.input_texts)


def test_to_dict_is_json_and_complete():
    scene, timeline = timeline_of(dict(op="transposed", size=2, kernel=3, stride=2,
                                       view="scatter"), numbers=True, labels=True)
    data = json.loads(json.dumps(timeline.to_dict()))
    assert len(data["steps"]) == len(scene) == len(timeline)
    step = data["steps"][1]
    assert step["caption"].startswith("step 2/4:")
    assert {tuple(link["output_at"]) for link in step["links"]} == {
        tuple(c["cell"]) for c in step["changes"]}
    assert data["window_grid"] == "output" and data["target_grid"] == "input"


# ---- what the teaching views show (values, captions, weights), read from the timeline


@pytest.mark.parametrize("name", list(tv.NUMBERS))
def test_every_caption_ends_with_the_engines_value(name):
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    out = compute(spec)
    frames = list(raster.scene.frames())
    assert len(frames) == out.size
    for frame in frames:
        r, c = frame.step.cell
        text = tv.caption_text(raster, frame)
        assert text.startswith(f"out[{r}, {c}] = "), text
        assert text.endswith(f" = {tv.rule_of(spec)[0](out[r, c])}"), (frame.index, text)


@pytest.mark.parametrize("name", tv.CONV_LIKE)
def test_gather_captions_list_the_products_of_the_taps_in_order(name):
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    x, w = spec.input, spec.weights
    complete = 0
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        taps = reading_order(frame.step.taps)  # the window's reading order
        data = tv.rule_of(spec)[1]
        want = [f"{data(x[t[2], t[3]])}{TIMES}{data(w[t[0], t[1]])}"
                for t in taps]
        terms, shortened, _ = tv.caption_terms(tv.caption_text(raster, frame), f"out[{r}, {c}] = ")
        if not len(taps):
            assert " ".join(terms) == "(no input cell under the window)", terms
            continue
        if len(taps) > MAX_TERMS:  # the first terms, then "..."
            assert shortened and len(terms) <= MAX_TERMS - 1, terms
        if shortened:
            assert terms == want[:len(terms)] and len(terms) < len(want), (terms, want)
        else:
            assert terms == want, (frame.index, terms, want)
            complete += 1
        # the products of the taps add up to the engine's value
        assert sum(x[t[2], t[3]] * w[t[0], t[1]] for t in taps) == pytest.approx(
            compute(spec)[r, c])
    short = all(len(f.step.taps) > MAX_TERMS for f in raster.scene.frames())
    assert complete >= 1 or short


@pytest.mark.parametrize("name", ["transposed", "transposed_pad", "transposed_asym",
                                  "transposed_dilation"])
def test_transposed_gather_caption_weights_are_the_taps_weights(name):
    """The window holds the kernel rotated 180 degrees; the caption multiplies each input
    by the weight of its tap, w[kr, kc] -- the product x * w is the engine's."""
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    static = " ".join(raster.layout.static_lines)
    assert "rotated by 180 degrees" in static
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        terms, shortened, _ = tv.caption_terms(tv.caption_text(raster, frame), f"out[{r}, {c}] = ")
        taps = reading_order(frame.step.taps)  # the rotated kernel's cells row by row
        if not len(taps):
            assert " ".join(terms) == "(no input cell under the window)", terms
            continue
        assert len(terms) == len(taps) or (shortened and len(terms) < len(taps))
        for term, tap in zip(terms, taps):
            xs, _, ws = term.partition(TIMES)
            assert ws == tv.rule_of(spec)[1](spec.weights[tap[0], tap[1]]), (term, tap)
            assert xs == tv.rule_of(spec)[1](spec.input[tap[2], tap[3]]), (term, tap)


def test_the_rotation_note_is_only_on_the_transposed_gather_view():
    assert "rotated" not in " ".join(tv.numbers_raster(tv.NUMBERS["conv"]).layout.static_lines)
    assert "rotated" not in " ".join(tv.numbers_raster(tv.SCATTER["scatter"]).layout.static_lines)
    plain = tv.make(tv.NUMBERS["transposed"])  # no values: no note
    assert "rotated" not in " ".join(plain.layout.static_lines)


@pytest.mark.parametrize("name", ["transposed", "transposed_asym", "transposed_dilation",
                                  "transposed_cropped", "conv_floats", "conv_dilation"])
def test_window_weights_sit_on_their_inputs(name):
    """Gather view: the weight drawn on the window cell over input x[ir, ic] is the w[kr, kc]
    its tap multiplies (for a transposed op, the kernel rotated by 180 degrees)."""
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    frames = list(raster.scene.frames())
    tv.run(raster)
    (grid, cells, weights), = tv.window_weights(raster)
    assert grid == "input"
    drawn = dict(zip(cells, weights.ravel()))
    if spec.is_transposed:
        np.testing.assert_array_equal(weights, spec.weights[::-1, ::-1])
    g = spec.gather
    for frame in frames:
        wr, wc = frame.window
        for kr, kc, ir, ic, *_ in frame.step.taps:
            row = g.padding[0] + ir * g.spacing[0]
            col = g.padding[2] + ic * g.spacing[1]
            assert drawn[(row - wr, col - wc)] == spec.weights[kr, kc], (frame.index, kr, kc)


@pytest.mark.parametrize("name", ["scatter", "scatter_asym", "scatter_pad"])
def test_scatter_stamp_weights_sit_on_their_outputs(name):
    raster = tv.numbers_raster(tv.SCATTER[name])
    spec = raster.scene.spec
    frames = list(raster.scene.frames())
    tv.run(raster)
    (grid, cells, weights), = tv.window_weights(raster)
    assert grid == "output"
    np.testing.assert_array_equal(weights, spec.weights)  # not rotated
    drawn = dict(zip(cells, weights.ravel()))
    for frame in frames:
        wr, wc = frame.window
        for kr, kc, _, _, orow, ocol in frame.step.taps:
            assert drawn[(orow - wr, ocol - wc)] == spec.weights[kr, kc]


@pytest.mark.parametrize("name", tv.POOLS)
def test_pool_captions(name):
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    x, out = spec.input, compute(spec)
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        taps = frame.step.taps
        result, data = tv.rule_of(spec)
        values = [data(x[t[2], t[3]]) for t in taps]
        text = tv.caption_text(raster, frame)
        if spec.op == "maxpool":
            want = f"out[{r}, {c}] = max({', '.join(values)}) = {result(out[r, c])}"
            assert max(x[t[2], t[3]] for t in taps) == out[r, c]
        else:
            count = (spec.kernel_size[0] * spec.kernel_size[1] if spec.count_include_pad
                     else len(taps))
            want = (f"out[{r}, {c}] = ({' + '.join(values)}) / {count} = "
                    f"{result(out[r, c])}")
            assert sum(x[t[2], t[3]] for t in taps) / count == pytest.approx(out[r, c])
        assert text == want, (text, want)


def test_avgpool_divisor_follows_count_include_pad():
    # the corner window of a 3x3 kernel with padding 1 holds 4 real cells
    first = {}
    for name in ("avgpool_include_pad", "avgpool_exclude_pad"):
        raster = tv.numbers_raster(tv.NUMBERS[name])
        first[name] = tv.caption_text(raster, next(iter(raster.scene.frames())))
    assert " / 9 = " in first["avgpool_include_pad"]
    assert " / 4 = " in first["avgpool_exclude_pad"]


@pytest.mark.parametrize("name", list(tv.SCATTER))
def test_scatter_captions_name_the_input_value_and_the_stamp(name):
    raster = tv.numbers_raster(tv.SCATTER[name])
    spec = raster.scene.spec
    for frame in raster.scene.frames():
        r, c = frame.step.cell
        v = tv.rule_of(spec)[1](spec.input[r, c])
        text = tv.caption_text(raster, frame)
        n = len(frame.step.taps)
        assert text.startswith(f"x[{r}, {c}] = {v} adds {v}{TIMES}w to {n} cells: "), text
        # each product x·w it adds, in the taps' order (the kernel read row by row)
        adds = [f"+{v}{TIMES}{tv.rule_of(spec)[1](spec.weights[t[0], t[1]])}"
                for t in frame.step.taps]
        if n > 9:
            adds = [*adds[:8], "..."]
        assert text.endswith(": " + " ".join(adds)), text


@pytest.mark.parametrize("name", list(tv.NUMBERS))
def test_gather_output_texts_end_as_the_engines_output(name):
    raster = tv.numbers_raster(tv.NUMBERS[name])
    spec = raster.scene.spec
    out = tv.fmt(compute(spec), spec)
    tv.run(raster)
    steps = tv.replay(raster)
    assert [index for index, *_ in steps] == list(range(spec.output_size[0]
                                                        * spec.output_size[1]))
    for index, texts, _ in steps:  # cells fill in row by row, each with its final number
        filled = np.flatnonzero(texts.ravel() != None)  # noqa: E711
        assert filled.tolist() == list(range(index + 1))
        np.testing.assert_array_equal(texts.ravel()[filled], out.ravel()[filled])
    np.testing.assert_array_equal(steps[-1][1], out)


@pytest.mark.parametrize("name", list(tv.SCATTER))
def test_scatter_running_sums_end_as_the_engines_output(name):
    raster = tv.numbers_raster(tv.SCATTER[name])
    spec = raster.scene.spec
    tv.run(raster)
    steps = tv.replay(raster)
    assert len(steps) == spec.input_size[0] * spec.input_size[1]
    sums = np.zeros(spec.output_size)
    touched = np.zeros(spec.output_size, bool)
    for step, (index, texts, _) in zip(trace(spec, "scatter"), steps, strict=True):
        assert step.index == index
        t = step.taps
        np.add.at(sums, (t[:, 4], t[:, 5]), spec.input[t[:, 2], t[:, 3]]
                  * spec.weights[t[:, 0], t[:, 1]])
        touched[t[:, 4], t[:, 5]] = True
        np.testing.assert_array_equal(texts[touched], tv.fmt(sums, spec)[touched])
        assert (texts[~touched] == tv.rule_of(spec)[0](0)).all()  # the sums start at zero
    out = compute(spec)
    np.testing.assert_allclose(sums, out)
    final = steps[-1][1]
    np.testing.assert_array_equal(final[touched], tv.fmt(out, spec)[touched])
    if name != "scatter_gaps":
        assert touched.all()
    else:  # cells no stamp reaches stay empty (and are 0 in the output)
        assert not touched.all() and (out[~touched] == 0).all()


@pytest.mark.parametrize("mapping", [
    dict(op="transposed", size=2, kernel=3, stride=2),
    dict(op="transposed", size=3, kernel=3, stride=2, padding=1, output_padding=1),
    dict(op="transposed", input=[[1, -2, 3], [0.5, 2, -1]], weights=[[1, 2, 3], [-4, 5, 0.5]],
         stride=[2, 1], padding=[1, 0, 0, 1]),
    dict(op="transposed", size=3, kernel=2, stride=2, dilation=2, padding=2),
])
def test_gather_and_scatter_end_with_the_same_numbers(mapping):
    config = config_from_mapping({**mapping, "view": "both", "values": True,
                                  "style": {"cell": 20}})
    spec = config.spec
    out = compute(spec)
    totals = {}
    for view in ("gather", "scatter"):
        total = np.zeros(spec.output_size)
        for step in trace(spec, view):
            t = step.taps
            np.add.at(total, (t[:, 4], t[:, 5]), spec.input[t[:, 2], t[:, 3]]
                      * spec.weights[t[:, 0], t[:, 1]])
        totals[view] = total
        np.testing.assert_allclose(total, out, atol=1e-12)
    np.testing.assert_allclose(totals["gather"], totals["scatter"], atol=1e-12)
    # and what the two panels of the side-by-side figure end with
    both = prepare(config)
    assert isinstance(both, SideBySide)
    tv.run(both)
    left = tv.replay(both.left)[-1][1]
    right = tv.replay(both.right)[-1][1]
    np.testing.assert_array_equal(left, tv.fmt(out, spec))
    # cells no stamp reaches keep the running sum's start, 0: the same as the gather view
    np.testing.assert_array_equal(right, tv.fmt(out, spec))


@given(st.integers(1, 40), st.integers(0, 40), st.integers(0, 3))
def test_one_clock_for_two_panels(n, extra, tween):
    """view both: the shorter panel's n steps spread over T >= n clock steps: it starts
    and ends with the clock, step i at floor(i T / n), never still for more than one of
    its own steps (ceil(T / n) clock steps), its frames in order."""
    from deconv_anim.timeline import clock_slots, clock_starts

    total = n + extra
    starts = clock_starts(n, total)
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert all(s == i * total // n for i, s in enumerate(starts))
    spans = [b - a for a, b in zip(starts, [*starts[1:], total])]
    assert max(spans) <= -(-total // n)
    slots = clock_slots(n, total, tween)
    assert len(slots) == (total - 1) * (tween + 1) + 1
    shown = [slot for slot in slots if slot is not None]
    want = [(i, k / (tween + 1)) for i in range(n) for k in range(tween + 1 if i < n - 1 else 1)]
    assert shown == want
    assert slots[-1] is not None or n < total  # the last frame: the last step (or holding it)
    assert clock_slots(total, total, tween) == [
        (i, k / (tween + 1)) for i in range(total)
        for k in range(tween + 1 if i < total - 1 else 1)]


@settings(max_examples=60, deadline=None)
@given(op=st.sampled_from(["conv", "transposed"]), n=st.integers(1, 4), k=st.integers(1, 3),
       s=st.integers(1, 3), d=st.integers(1, 2), data=st.data())
def test_equation_terms_follow_the_windows_reading_order(op, n, k, s, d, data):
    """The caption's terms, against a naive walk of the window's cells row by row, left to
    right over the drawn grid: a term for each cell on an input cell (value x the weight the
    window shows there: the rotated kernel in the transposed gather view), none for
    padding or spread zeros. Before: the transposed gather view listed them in the kernel's
    order, bottom-right first."""
    p = data.draw(st.integers(0, k - 1))
    if op == "conv" and n + 2 * p < (k - 1) * d + 1:
        return
    if op == "transposed" and (n - 1) * s - 2 * p + (k - 1) * d + 1 < 1:
        return
    rng = np.random.default_rng(n * 100 + k * 10 + s)
    x = rng.integers(0, 4, (n, n)).tolist()
    w = rng.integers(0, 4, (k, k)).tolist()
    spec = make_spec(op=op, input=x, weights=w, stride=s, padding=p, dilation=d,
                     view="gather")
    scene = build_scene(spec)
    timeline = build_timeline(scene, THEMES["classic"], numbers=True)
    g = spec.gather
    sy, sx = g.spacing
    py, px = g.padding[0], g.padding[2]
    gd, gs = g.dilation, g.stride
    for step in timeline.steps:
        r0, c0 = step.window
        terms = []
        for i in range(k):
            for j in range(k):
                y, xx = r0 + i * gd[0], c0 + j * gd[1]
                if (y - py) % sy or (xx - px) % sx:
                    continue  # a spread zero
                a, b = (y - py) // sy, (xx - px) // sx
                if 0 <= a < n and 0 <= b < n:  # else padding
                    terms.append(f"{x[a][b]}{TIMES}{int(timeline.kernel[i, j])}")
        if len(terms) > MAX_TERMS:
            terms = [*terms[:MAX_TERMS - 1], "..."]
        r, c = step.cell
        want = (f"out[{r}, {c}] = {' + '.join(terms)} = " if terms else
                f"out[{r}, {c}] = (no input cell under the window) = ")
        assert step.equation.startswith(want), (step.equation, want)
    assert gs == (1, 1) or op == "conv"
