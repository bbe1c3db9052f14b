"""The cost of a render, estimated from arithmetic before any work starts.

The resource guard of :func:`deconv_anim.animation.prepare` counts frames and pixels; the
work of a render also grows with what is painted: every cell of the grids once (the static
background), the kernel window's cells in every frame, every pixel of every frame (each is
composed and encoded), the taps ``info --steps`` lists, the frames a video holds. One pure
function, :func:`estimate`, turns a spec (and the canvas size, when known) into those
numbers; :func:`check` refuses what exceeds the documented budgets below with one line
that says what to change. The budgets keep an admitted render within about 1 GB of memory
and minutes, not hours, of work (docs/troubleshooting.md, "The resource guard").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["Cost", "estimate", "check", "video_rate", "MAX_WINDOW_CELLS", "MAX_WINDOW_WORK",
           "MAX_STATIC_CELLS", "MAX_PAINTED_PIXELS", "MAX_TAPS", "MAX_VIDEO_FRAMES",
           "MIN_FPS", "MAX_FPS", "MAX_MEMORY_BYTES", "MEMORY_MODEL", "video_frame_rate",
           "X264_MAX_SIDE", "X264_MEMORY", "frame_count", "frame_durations"]

MAX_WINDOW_CELLS = 40_000
"""Kernel cells the window covers in one panel (each is drawn and kept ready to move)."""
MAX_WINDOW_WORK = 100_000_000
"""Frames x kernel cells of the window(s): the window is drawn again in every frame."""
MAX_STATIC_CELLS = 160_000
"""Cells of every grid drawn (the padded or spread input, the output; both panels)."""
MAX_PAINTED_PIXELS = 100_000_000_000
"""Frames x pixels per frame: every pixel of every frame is composed and encoded."""
MAX_TAPS = 1_000_000
"""Taps ``info --json --steps`` lists (one JSON row of six integers each)."""
MAX_VIDEO_FRAMES = 100_000
"""Frames of one video (``fps`` x the animation's length)."""
MIN_FPS, MAX_FPS = 0.1, 120.0
"""The frame rates a video may be given."""
MAX_MEMORY_BYTES = 700_000_000
"""The memory a render may be estimated to need (see :data:`MEMORY_MODEL`); with the
interpreter and libraries it stays within 1 GB of address space."""

MEMORY_MODEL = {"base": 50_000_000, "canvas_pixel": 14, "window_pixel": 125,
                "window_cell": 4_500, "static_cell": 500}
"""Bytes of a render's peak memory: a base, per canvas pixel (frames in the making and the
background), per pixel and per cell of the kernel window (drawn once, kept ready to move),
per grid cell. Measured on renders from 50 MB to 2 GB (the model over-estimates them)."""

X264_MAX_SIDE = 16384
"""The widest and tallest frame x264 encodes (it refuses larger ones)."""
X264_MEMORY = {"base": 50_000_000, "pixel": 100}
"""Bytes ffmpeg + x264 hold for a video (:data:`deconv_anim.video.X264_SETTINGS`: six
reference frames, no look-ahead, 2 threads): a base and per pixel of the (padded) frame;
measured 100 MB at 942x1180 and 214 MB at 2000x2000 (the model says 161 and 450; the
earlier CRF settings with 10 frames of look-ahead took 172 and 432 MB)."""


@dataclass(frozen=True)
class Cost:
    """What a render (or ``info --steps``) would do, counted before it starts."""

    frames: int
    """Frames written (in-between frames and the held final frame included)."""
    window_cells: int
    """Kernel cells of the window, in one panel."""
    window_work: int
    """Frames x kernel cells of every panel's window."""
    static_cells: int
    """Cells of every grid painted once, all panels."""
    painted_pixels: int
    """Frames x canvas pixels (0 when the canvas is not known)."""
    taps: int
    """An upper bound of the taps of every step: steps x kernel cells, per view."""
    video_frames: int
    """Frames of the video (0 when the output is not a video)."""
    memory: int = 0
    """Estimated peak bytes of the drawing (0 when the canvas is not known)."""
    video_memory: int = 0
    """Estimated peak bytes of ffmpeg encoding the video (0: no video or canvas unknown)."""
    video_side: int = 0
    """The longest side of a video frame, padded to even (0: no video or canvas unknown)."""
    video_refusal: tuple[str, str] | None = None
    """(key, rule) when some step would not reach the video at any admitted frame rate."""


def video_frame_rate(durations: Sequence[int], fps: float | Fraction | None, *,
                     tween: int = 0, duration: int = 1000, source: str | None = None
                     ) -> Fraction:
    """The frame rate of a video of frames lasting ``durations`` milliseconds (the rule of
    the MP4 writer, :func:`deconv_anim.encode._write_mp4`).

    ``fps`` if given; else with ``tween`` one video frame per in-between frame (the N of
    them share half a ``duration``; up to :data:`MAX_FPS`); else one video frame per
    animation frame when every duration is a multiple of their common divisor at up to 60
    fps, else 30. Every frame must reach the video: when
    the shortest frame would get no video frame, an automatic rate is raised to the least
    whole rate that gives it one (at most :data:`MAX_FPS`), and a given ``fps`` is refused
    with the rate needed.

    >>> video_frame_rate([20, 20, 20, 21], None)  # 30 fps would drop steps
    Fraction(44, 1)
    >>> video_frame_rate([1000, 1000], None), video_frame_rate([500, 250, 250], None, tween=2)
    (Fraction(1, 1), Fraction(4, 1))
    """
    given = fps is not None
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:  # (NaN fails both)
        raise ConfigError("fps", f"must be a number from {MIN_FPS:g} to {MAX_FPS:g} (got "
                                 f"{float(fps):g})", source)
    if fps is None and tween and duration // 2 and Fraction(tween * 1000,
                                                            duration // 2) <= MAX_FPS:
        fps = Fraction(tween * 1000, duration // 2)  # one video frame per in-between one
    if fps is not None:
        rate = Fraction(fps).limit_denominator(1001)
    else:
        step = math.gcd(*durations) if durations else 1000
        rate = Fraction(1000, step) if Fraction(1000, step) <= 60 else Fraction(30)
    if durations and min(_repeats(durations, rate)) < 1:
        shortest = min(durations)
        # the least whole rate above this one whose video holds as many frames as there
        # are, then up until every frame gets one (1000 / shortest always does)
        needed = max(math.floor(rate) + 1,
                     math.ceil((len(durations) - 0.5) * 1000 / sum(durations)))
        while needed <= MAX_FPS and min(_repeats(durations, Fraction(needed))) < 1:
            needed += 1
        if given:
            least = (f"use at least {needed} fps, or leave out --fps" if needed <= MAX_FPS
                     else "use a longer duration, or leave out --fps")
            raise ConfigError("--fps", f"at {float(rate):g} frames per second a {shortest} "
                                       "ms frame gets no video frame; every step must reach "
                                       f"the video ({least})", source)
        if needed > MAX_FPS:
            raise ConfigError("duration", f"frames of {shortest} ms need more than {MAX_FPS:g} "
                                          "frames per second in a video; every step must "
                                          "reach it (use a longer duration or fewer "
                                          "in-between frames, or write .gif)", source)
        rate = Fraction(needed)
    return rate


def _repeats(durations: Sequence[int], fps: Fraction) -> list[int]:
    """Video frames per animation frame: cumulative times rounded, so no drift builds up."""
    ends, total = [], 0
    for ms in durations:
        total += ms
        ends.append(round(total * fps / 1000))
    return [b - a for a, b in zip([0, *ends], ends)]


def frame_count(steps: int, tween: int = 0, final: bool = True) -> int:
    """Frames written for ``steps`` steps: each step's own frame, ``tween`` in-between
    frames after each step but the last, and (``final``) the held clean final frame, which
    is a frame but not a step: ``(steps - 1) * (tween + 1) + 2``.

    >>> frame_count(9), frame_count(9, tween=2), frame_count(9, final=False), frame_count(0)
    (10, 26, 9, 0)
    """
    if steps <= 0:
        return 0
    return (steps - 1) * (tween + 1) + 1 + (1 if final else 0)


def frame_durations(duration: int, hold: int, tween: int, steps: int,
                    final: bool = True) -> list[int]:
    """The milliseconds of every frame written (the rule of docs/config.md, ``hold``).

    A step lasts ``duration``. With ``tween`` N the window rests on the step for its first
    half, ``duration - duration // 2``, and the N in-between frames share the other half,
    ``duration // 2``, evenly (cumulative times rounded down, so they add up exactly): the
    step's own frame holds, the in-between frames ease the window to the next step. The
    last step has no in-between frames. The held clean final frame lasts ``hold``, or one
    ``duration`` when ``hold`` is 0. In all, ``steps * duration + (hold or duration)``.

    >>> frame_durations(1000, 0, 0, 3)
    [1000, 1000, 1000, 1000]
    >>> frame_durations(1000, 2000, 4, 2)
    [500, 125, 125, 125, 125, 1000, 2000]
    """
    if steps <= 0:
        return []
    moving = duration // 2 if tween else 0
    between = [(k + 1) * moving // tween - k * moving // tween for k in range(tween)]
    out = [*[duration - moving, *between] * (steps - 1), duration]
    return [*out, hold or duration] if final else out


def video_rate(duration: int, hold: int, tween: int, fps: float | None, steps: int,
               source: str | None = None) -> float:
    """The frame rate a video of ``steps`` steps gets (:func:`video_frame_rate`)."""
    return float(video_frame_rate(frame_durations(duration, hold, tween, steps), fps,
                                  tween=tween, duration=duration, source=source))


def estimate(spec: Spec, *, canvas: tuple[int, int] = (0, 0), cell: int = 0, tween: int = 0,
             duration: int = 1000, hold: int = 0, video: bool = False,
             fps: float | None = None) -> Cost:
    """The cost of drawing ``spec`` on a ``canvas`` (width, height) of ``cell`` pixels per
    cell, with ``tween`` in-between frames per step; ``video`` adds the frames an MP4 at
    ``fps`` holds.

    Arithmetic only: nothing is drawn, traced or allocated.

    Examples
    --------
    >>> from deconv_anim import make_spec
    >>> cost = estimate(make_spec(op="conv", size=5, kernel=3), canvas=(100, 50), cell=10)
    >>> cost.frames, cost.window_cells, cost.static_cells, cost.painted_pixels, cost.taps
    (10, 9, 34, 50000, 81)
    >>> cost.window_work  # 10 frames (9 steps and the final frame) x 9 kernel cells
    90
    >>> cost.memory  # 50 MB + 14 * 5000 + 125 * 30 * 30 + 4500 * 9 + 500 * 34
    50240000
    """
    panels = {"both": ("gather", "scatter"), "matrix": ("gather",)}.get(spec.view, (spec.view,))
    steps = spec.frames
    frames = frame_count(steps, tween)
    kernel = spec.kernel_size[0] * spec.kernel_size[1]
    grid = spec.gather.grid_size
    cells = {"gather": grid[0] * grid[1] + spec.output_size[0] * spec.output_size[1],
             "scatter": (spec.input_size[0] * spec.input_size[1]
                         + spec.output_size[0] * spec.output_size[1])}
    taps = sum(spec.steps(view) * kernel for view in panels)
    video_frames = video_memory = video_side = 0
    refusal: tuple[str, str] | None = None
    if video:
        if frames > MAX_VIDEO_FRAMES:  # each frame needs one: refused without listing them
            video_frames = frames
        else:
            try:
                rate = video_rate(duration, hold, tween, fps, steps)
                video_frames = round(sum(frame_durations(duration, hold, tween, steps))
                                     * rate / 1000)
            except ConfigError as error:
                refusal = (error.key or "fps", error.rule)
        padded = (canvas[0] + canvas[0] % 2, canvas[1] + canvas[1] % 2)
        if padded[0] * padded[1]:
            video_side = max(padded)
            video_memory = X264_MEMORY["base"] + X264_MEMORY["pixel"] * padded[0] * padded[1]
    static = sum(cells[view] for view in panels)
    k_eff = spec.k_eff
    model = MEMORY_MODEL
    memory = 0
    if canvas[0] * canvas[1]:
        memory = (model["base"] + model["canvas_pixel"] * canvas[0] * canvas[1]
                  + len(panels) * (model["window_pixel"] * k_eff[0] * k_eff[1] * cell * cell
                                   + model["window_cell"] * kernel)
                  + model["static_cell"] * static)
    return Cost(frames=frames, window_cells=kernel,
                window_work=frames * kernel * len(panels), static_cells=static,
                painted_pixels=frames * canvas[0] * canvas[1], taps=taps,
                video_frames=video_frames, memory=memory, video_memory=video_memory,
                video_side=video_side, video_refusal=refusal)


def check(cost: Cost, source: str | None = None, *, steps: bool = False) -> None:
    """Refuse ``cost`` when it exceeds a budget: one line naming the key to change.

    ``steps`` checks the taps (``info --json --steps``) instead of the drawing.
    """
    if steps:
        if cost.taps > MAX_TAPS:
            raise ConfigError("--steps", f"would list up to {cost.taps} taps, more than the "
                                         f"budget of {MAX_TAPS} (use a smaller size or kernel, "
                                         "or leave out --steps)", source)
        return
    if cost.window_cells > MAX_WINDOW_CELLS:
        raise ConfigError("kernel", f"the window would cover {cost.window_cells} kernel cells, "
                                    f"more than the budget of {MAX_WINDOW_CELLS} (use a "
                                    "smaller kernel)", source)
    if cost.window_work > MAX_WINDOW_WORK:
        raise ConfigError("kernel", f"{cost.frames} frames would each draw the window's "
                                    f"{cost.window_work // max(cost.frames, 1)} kernel cells, "
                                    f"{cost.window_work:.2e} in all, more than the budget of "
                                    f"{MAX_WINDOW_WORK:.0e} (use a smaller kernel or size, or "
                                    "fewer in-between frames)", source)
    if cost.static_cells > MAX_STATIC_CELLS:
        raise ConfigError("size", f"the figure would draw {cost.static_cells} grid cells, more "
                                  f"than the budget of {MAX_STATIC_CELLS} (use a smaller size, "
                                  "padding or stride)", source)
    if cost.memory > MAX_MEMORY_BYTES:
        raise ConfigError("style.cell", f"drawing it would take about {cost.memory / 1e6:,.0f} "
                                        f"MB of memory, more than the budget of "
                                        f"{MAX_MEMORY_BYTES / 1e6:,.0f} MB (use a smaller cell "
                                        "or kernel)", source)
    if cost.painted_pixels > MAX_PAINTED_PIXELS:
        raise ConfigError("style.cell", f"{cost.frames} frames would paint "
                                        f"{cost.painted_pixels:.2e} pixels, more than the "
                                        f"budget of {MAX_PAINTED_PIXELS:.0e} (use a smaller "
                                        "cell or size, or fewer in-between frames)", source)
    if cost.video_refusal is not None:
        raise ConfigError(*cost.video_refusal, source)
    if cost.video_frames > MAX_VIDEO_FRAMES:
        raise ConfigError("--fps", f"the video would hold {cost.video_frames} frames, more "
                                   f"than the budget of {MAX_VIDEO_FRAMES} (lower --fps or "
                                   "the duration)", source)
    if cost.video_side > X264_MAX_SIDE:
        raise ConfigError("style.cell", f"a video frame side of {cost.video_side} pixels is more "
                                        f"than the {X264_MAX_SIDE} x264 encodes (use a smaller "
                                        "cell, or write .gif)", source)
    if cost.video_memory > MAX_MEMORY_BYTES:
        raise ConfigError("style.cell", f"encoding the video would take about "
                                        f"{cost.video_memory / 1e6:,.0f} MB of memory, more "
                                        f"than the budget of {MAX_MEMORY_BYTES / 1e6:,.0f} MB "
                                        "(use a smaller cell, or write .gif)", source)
