"""Golden frames: a handful of committed PNGs whose decoded pixels every render must match.

Each case renders one small config and compares frames (the first and a middle one) with
``tests/data/golden/<case>_<frame>.png``, pixel for pixel (RGB, exact). A change of pixels is
a change of output: bump ``FORMAT_VERSION`` (deconv_anim/animation.py) and regenerate the
files in the same commit with::

    DECONV_ANIM_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

(the PNGs are decoded, not compared byte for byte, so a Pillow upgrade that changes PNG
compression does not break the test).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deconv_anim.animation import prepare
from deconv_anim.config import config_from_mapping

GOLDEN = Path(__file__).parent / "data" / "golden"
UPDATE = os.environ.get("DECONV_ANIM_UPDATE_GOLDEN") == "1"

SEED = dict(op="transposed", size=2, kernel=3, stride=2)
CASES: dict[str, dict] = {
    "gather_classic": dict(op="conv", size=5, kernel=3, stride=2, padding=1, labels=True),
    "gather_values_dark": dict(**SEED, values=True, labels=True, style={"theme": "dark"}),
    "scatter_values_colorblind": dict(**SEED, view="scatter", values=True, labels=True,
                                      style={"theme": "colorblind"}),
    "both_values": dict(**SEED, view="both", values=True),
    "flat_gather_values": dict(op="conv", size=4, kernel=3, padding=1, values=True,
                               layout="flat"),
    "flat_scatter_dark": dict(op="transposed", size=3, kernel=3, stride=2, view="scatter",
                              layout="flat", style={"theme": "dark"}),
    "overlap_dilated": dict(op="transposed", size=3, kernel=3, dilation=2, overlap=True),
    "maxpool_values": dict(op="maxpool", size=5, kernel=3, stride=2, values=True),
    "cropped_values": dict(op="transposed", size=3, kernel=3, stride=2, padding=2,
                           values=True),
    "tween_scatter": dict(op="transposed", size=2, kernel=2, stride=1, view="scatter",
                          tween=2),
    "matrix_transposed_values": dict(op="transposed", size=2, kernel=3, stride=2, padding=1,
                                     view="matrix", values=True),
    "channels_grouped_values": dict(op="conv", size=3, kernel=2, in_channels=4, out_channels=2,
                                    groups=2, values=True, labels=True),
}


def frames_of(mapping: dict) -> dict[int, np.ndarray]:
    """The first, the middle and the last frame (the held clean final frame) of ``mapping``
    as RGB arrays."""
    tween = mapping.get("tween", 0)
    mapping = {key: value for key, value in mapping.items() if key != "tween"}
    mapping = {**mapping, "style": {"cell": 24, **mapping.get("style", {})}}
    raster = prepare(config_from_mapping(mapping))
    palette = np.asarray(raster.palette, np.uint8)
    frames = [palette[f.pixels] for f in raster.frames(tween=tween)]
    return {0: frames[0], len(frames) // 2: frames[len(frames) // 2],
            len(frames) - 1: frames[-1]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_frames(name):
    for index, rgb in frames_of(CASES[name]).items():
        path = GOLDEN / f"{name}_{index}.png"
        if UPDATE:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rgb, "RGB").save(path, optimize=True)
        assert path.exists(), f"{path} missing: run with DECONV_ANIM_UPDATE_GOLDEN=1"
        want = np.asarray(Image.open(path).convert("RGB"))
        assert want.shape == rgb.shape, f"{path.name}: size {rgb.shape} != {want.shape}"
        diff = np.argwhere((want != rgb).any(axis=-1))
        assert not len(diff), (f"{path.name}: {len(diff)} pixels differ, first at (y, x) "
                               f"{tuple(diff[0])}")


def test_golden_files_have_cases():
    """No stale golden file: each belongs to a case."""
    names = {path.name.rsplit("_", 1)[0] for path in GOLDEN.glob("*.png")}
    assert names <= set(CASES)
    assert names or UPDATE
