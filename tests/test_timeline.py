"""The timeline: every step's content, checked against naive references (never against
the painters). Stamp counts and running sums are recomputed here tap by tap."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import CASES
from deconv_anim import make_spec
from deconv_anim.engine import compute, stamp_counts
from deconv_anim.report import format_value
from deconv_anim.scene import build_scene
from deconv_anim.themes import THEMES
from deconv_anim.timeline import MAX_TINTS, build_timeline
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
    for (r, c), text in texts.items():
        assert text == format_value(want[r, c]), (r, c)


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
            assert change.text == format_value(sums[change.cell])
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
    assert first.equation == "out[0, 0] = 1*1 + 2*0 + 4*0 + 5*-1 = -4" == (
        f"out[0, 0] = 1*1 + 2*0 + 4*0 + 5*-1 = {format_value(out[0, 0])}")
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
        assert t.text == format_value(spec.input[u, v])
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
