"""Tests of report.py: format_value: numbers as the figures show them."""

from __future__ import annotations

import numpy as np
import pytest

import teaching as tv
from deconv_anim.report import format_value

# ---- format_value: numbers as the figures show them


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (3.0, "3"), (0, "0"), (-0.0, "0"), (-2.0, "-2"), (-12, "-12"), (-12.0, "-12"),
    (np.int64(7), "7"), (np.float64(-4.0), "-4"), (100, "100"), (123456, "123456"),
    (10**8, "100000000"),
    (0.25, "0.25"), (1.2345, "1.2"), (-0.5, "-0.5"), (-0.125, "-0.12"), (2 / 3, "0.67"),
    (-1 / 3, "-0.33"), (0.056, "0.056"), (9.87, "9.9"), (-9.87, "-9.9"), (12.34, "12"),
    (-12.34, "-12"), (123.4, "123"), (-123.6, "-124"), (4567.8, "4568"), (1e9 + 0.5, "1000000000"),
])
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_reads_back_to_two_significant_digits():
    rng = np.random.default_rng(0)
    for value in rng.uniform(-99, 99, 500):
        text = format_value(value)
        assert "e" not in text and float(text) == pytest.approx(value, rel=0.05, abs=0.006)


@pytest.mark.parametrize(("value", "text"), [(99.5, "100"), (-99.7, "-100"), (99.96, "100")])
def test_format_value_just_below_100(value, text):
    assert format_value(value) == text


def test_a_mean_of_99_5_is_drawn_readably():
    raster = tv.numbers_raster(dict(op="avgpool", input=[[99, 100]], kernel=[1, 2]))
    tv.run(raster)
    text = tv.caption_text(raster, next(iter(raster.scene.frames())))
    assert "e+" not in text and "e+" not in tv.replay(raster)[-1][1][0, 0]
