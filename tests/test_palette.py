"""The fixed palette, its lookup table and the blend tables, against plain arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconv_anim import palette as pal
from deconv_anim.themes import THEMES


@pytest.fixture(scope="module", params=sorted(THEMES))
def table(request):
    colors, used, exact = pal.build_palette(THEMES[request.param], [(200, 230, 225)])
    return colors, used, exact, pal.lookup(colors.tobytes(), used, exact)


def nearest(rgb: np.ndarray, colors: np.ndarray, used: int) -> np.ndarray:
    """An independent nearest-entry search, one colour at a time."""
    entries = colors[:used].astype(np.int64)
    return np.array([int(np.argmin(((entries - c) ** 2).sum(1))) for c in rgb.reshape(-1, 3)])


def test_lookup_is_the_nearest_entry_to_each_bucket_centre(table):
    colors, used, exact, lut = table
    rng = np.random.default_rng(0)
    buckets = rng.integers(0, 32, (400, 3))
    centres = buckets * 8 + 4
    want = nearest(centres, colors, used)
    got = lut[(buckets[:, 0] << 10) | (buckets[:, 1] << 5) | buckets[:, 2]]
    pinned = np.zeros(len(buckets), bool)
    for index in range(exact):  # buckets near an exact colour are pinned to it instead
        pinned |= (np.abs(centres - colors[index].astype(int)) <= 6).all(1)
    assert (got[~pinned] == want[~pinned]).all()


def test_flat_colours_map_to_themselves(table):
    """Give or take rounding, a flat colour keeps its entry, or the earlier flat entry
    of a colour so close (same 5-bit bucket give or take 2) that they share buckets."""
    colors, _, exact, lut = table
    for index in range(exact):
        for jitter in (-1, 0, 1):
            rgb = np.clip(colors[index].astype(float) + jitter, 0, 255)[None]
            got = int(pal.quantize(rgb, lut)[0])
            assert got == index or (
                got < index and (np.abs(colors[got].astype(int) // 8
                                        - colors[index].astype(int) // 8) <= 2).all())


def test_quantize_bytes_and_floats_agree(table):
    *_, lut = table
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (50, 40, 3)).astype(np.uint8)
    assert (pal.quantize(rgb, lut) == pal.quantize(rgb.astype(np.float32), lut)).all()
    # and rounding: x.4 down, x.6 up, as the byte layers store them
    assert (pal.quantize(rgb.astype(np.float32) + 0.4, lut) == pal.quantize(rgb, lut)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
                          st.integers(0, 255)), min_size=1, max_size=30))
def test_blend_rows_equal_compositing_then_quantising(pixels):
    colors, used, exact = pal.build_palette(THEMES["classic"], [])
    lut = pal.lookup(colors.tobytes(), used, exact)
    blender = pal.Blender(colors, lut)
    # premultiplied pairs: colour at most the alpha
    straight = np.array(pixels, np.float32)
    alpha = straight[:, 3] / 255
    rgb = np.round(straight[:, :3] * alpha[:, None])
    offsets = blender.offsets(rgb, alpha)
    under = np.arange(pal.MAX_COLORS - 1)  # every entry a picture can hold
    for offset, c, a in zip(offsets, rgb, alpha):
        got = blender.flat[offset + under]
        a8 = round(a * 255) / 255
        if a8 == 0:
            assert offset == 0 and (got == under).all()  # alpha 0 leaves the picture be
            continue
        want = pal.quantize(colors[under].astype(np.float32) * (1 - a8) + c, lut)
        assert (got == want).all()


def test_blend_offsets_keep_rows_stable_as_the_table_grows():
    colors, used, exact = pal.build_palette(THEMES["dark"], [])
    blender = pal.Blender(colors, pal.lookup(colors.tobytes(), used, exact))
    first = blender.offsets(np.array([[10.0, 20.0, 30.0]]), np.array([0.5]))
    blender.offsets(np.array([[1.0, 2.0, 3.0], [90.0, 0.0, 0.0]]), np.array([0.2, 0.9]))
    again = blender.offsets(np.array([[10.0, 20.0, 30.0]]), np.array([0.5]))
    assert first[0] == again[0] and blender.rows == 4


def test_one_blend_table_per_palette_started_afresh_when_long(monkeypatch):
    colors, used, exact = pal.build_palette(THEMES["classic"], [])
    key = (colors.tobytes(), used, exact)
    shared = pal.blender_for(*key)
    assert pal.blender_for(*key) is shared
    other, o_used, o_exact = pal.build_palette(THEMES["colorblind"], [])
    assert pal.blender_for(other.tobytes(), o_used, o_exact) is not shared
    monkeypatch.setattr(pal, "MAX_BLEND_ROWS", shared.rows - 1)
    assert pal.blender_for(*key) is not shared
