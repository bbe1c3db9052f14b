"""Paint primitives: the anti-aliased line pixels against a one-segment-at-a-time
reference."""

from __future__ import annotations

import numpy as np


def _one_line(p0, p1, width, levels):
    """An independent, one-segment-at-a-time reference for paint.segment_pixels."""
    d = p1 - p0
    length = float(np.hypot(*d))
    if length < 1e-9:
        return []
    major = 0 if abs(d[0]) >= abs(d[1]) else 1
    minor = 1 - major
    lo, hi = sorted((p0[major], p1[major]))
    out = []
    for step in np.arange(np.floor(lo), np.ceil(hi)) + 0.5:
        if not lo <= step <= hi:
            continue
        centre = p0[minor] + (step - p0[major]) / d[major] * d[minor]
        scale = abs(d[major]) / length
        for px in range(int(np.floor(centre)) - 4, int(np.floor(centre)) + 5):
            cover = round(min(max(width / 2 + 0.5 - abs(px + 0.5 - centre) * scale, 0), 1)
                          * levels) / levels
            if cover > 0:
                xy = (int(np.floor(step)), px) if major == 0 else (px, int(np.floor(step)))
                out.append((xy[1], xy[0], round(cover, 4)))
    return out


def test_connector_pixels_match_a_one_line_reference():
    from deconv_anim.paint import segment_pixels

    rng = np.random.default_rng(1)
    for trial in range(200):
        p0, p1 = rng.uniform(0, 120, (4, 2)), rng.uniform(0, 120, (4, 2))
        if trial % 7 == 0:
            p1[0] = p0[0]  # a point: no pixels
        if trial % 5 == 0:
            p1[1, 0] = p0[1, 0]  # vertical
        ys, xs, cov = segment_pixels(p0, p1, 1.4, 2)
        got = sorted(zip(ys.tolist(), xs.tolist(), np.round(cov, 4).tolist()))
        want = sorted(px for a, b in zip(p0, p1) for px in _one_line(a, b, 1.4, 2))
        assert got == want, trial
