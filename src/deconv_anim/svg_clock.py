"""The shared clock of an animated SVG: when each frame written starts, the discrete SMIL
animations stepped on it, and which (step, phase) each frame shows.

Every frame of :func:`deconv_anim.svg.svg_document` is a step's own frame, an in-between
frame (``--tween``) or, last, the held clean final frame (a frame, not a step: its step is
the step count). Used by ``svg``, ``channel_svg`` and the panels of ``view: both``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Clock", "OnClock", "frame_positions", "num_time"]


class Clock:
    """The shared timeline: frame start times and the attributes every animation has."""

    def __init__(self, durations: Sequence[int]) -> None:
        self.durations = list(durations)
        self.starts = np.concatenate([[0], np.cumsum(self.durations)[:-1]]).astype(int)
        self.total = int(sum(self.durations))
        self.even = len(set(self.durations)) <= 1

    def key_times(self, frames: Sequence[int]) -> str:
        return ";".join(num_time(self.starts[n] / self.total) for n in frames)

    def animate(self, tag: str, attribute: str, values: Sequence[str],
                frames: Sequence[int] | None = None, extra: str = "") -> str:
        """A discrete animation of ``attribute`` taking ``values[k]`` from frame
        ``frames[k]`` on (every frame, in order, when ``frames`` is None)."""
        times = ""
        if frames is not None or not self.even:
            times = f' keyTimes="{self.key_times(frames or range(len(values)))}"'
        return (f'<{tag} attributeName="{attribute}"{extra} values="{";".join(values)}"'
                f'{times} dur="{self.total}ms" calcMode="discrete" '
                'repeatCount="indefinite"/>')


def num_time(t: float) -> str:
    return f"{t:.6f}".rstrip("0").rstrip(".") or "0"


def frame_positions(count: int, tween: int) -> list[tuple[int, float]]:
    """(step, phase) of every frame written: each step, then ``tween`` in-between frames
    towards the next step (none after the last), then the held clean final frame
    ``(count, 0.0)``.

    >>> frame_positions(2, 1)
    [(0, 0.0), (0, 0.5), (1, 0.0), (2, 0.0)]
    """
    out = []
    for i in range(count):
        out.append((i, 0.0))
        if i < count - 1:
            out += [(i, k / (tween + 1)) for k in range(1, tween + 1)]
    return [*out, (count, 0.0)] if count else out


class OnClock:
    """The timing of a panel on a shared clock: each of its frames lasts from the clock
    frame where it starts to the next one where it changes (``slots``: the clock's frames,
    the final frame included, as :func:`deconv_anim.timeline.clock_slots` and one more)."""

    def __init__(self, slots: Sequence[tuple[int, float] | None], clock: Sequence[int],
                 tween: int) -> None:
        self.tween = tween
        starts = [k for k, slot in enumerate(slots) if slot is not None]
        self._durations = [sum(clock[a:b]) for a, b in zip(starts, [*starts[1:], len(clock)])]

    def durations(self, count: int) -> list[int]:
        return list(self._durations)
