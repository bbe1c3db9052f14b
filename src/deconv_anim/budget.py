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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .spec import Spec

__all__ = ["Cost", "estimate", "check", "video_rate", "MAX_WINDOW_CELLS", "MAX_WINDOW_WORK",
           "MAX_STATIC_CELLS", "MAX_PAINTED_PIXELS", "MAX_TAPS", "MAX_VIDEO_FRAMES",
           "MIN_FPS", "MAX_FPS", "MAX_MEMORY_BYTES", "MEMORY_MODEL"]

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


@dataclass(frozen=True)
class Cost:
    """What a render (or ``info --steps``) would do, counted before it starts."""

    frames: int
    """Frames written (in-between frames included)."""
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


def video_rate(duration: int, hold: int, tween: int, fps: float | None, steps: int) -> float:
    """The frame rate a video gets: ``fps``, else one video frame per animation frame when
    every frame's milliseconds share a divisor giving at most 60 fps, else 30 (the rule of
    the MP4 writer, :func:`deconv_anim.encode._video_fps`, on the same durations)."""
    if fps is None and tween and (tween + 1) * 1000 / duration <= 60:
        fps = (tween + 1) * 1000 / duration
    if fps is not None:
        return float(fps)
    n = tween + 1
    parts = {(k + 1) * duration // n - k * duration // n for k in range(n)} if steps > 1 else set()
    step = math.gcd(*parts, duration + hold) if steps else 1000
    return 1000 / step if 1000 / step <= 60 else 30.0


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
    (9, 9, 34, 45000, 81)
    >>> cost.window_work  # 9 frames x 9 kernel cells
    81
    >>> cost.memory  # 50 MB + 14 * 5000 + 125 * 30 * 30 + 4500 * 9 + 500 * 34
    50240000
    """
    panels = ("gather", "scatter") if spec.view == "both" else (spec.view,)
    steps = spec.frames
    frames = (steps - 1) * (tween + 1) + 1 if steps else 0
    kernel = spec.kernel_size[0] * spec.kernel_size[1]
    grid = spec.gather.grid_size
    cells = {"gather": grid[0] * grid[1] + spec.output_size[0] * spec.output_size[1],
             "scatter": (spec.input_size[0] * spec.input_size[1]
                         + spec.output_size[0] * spec.output_size[1])}
    taps = sum(spec.steps(view) * kernel for view in panels)
    video_frames = 0
    if video:
        rate = video_rate(duration, hold, tween, fps, steps)
        video_frames = round((steps * duration + hold) * rate / 1000)
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
                video_frames=video_frames, memory=memory)


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
    if cost.video_frames > MAX_VIDEO_FRAMES:
        raise ConfigError("--fps", f"the video would hold {cost.video_frames} frames, more "
                                   f"than the budget of {MAX_VIDEO_FRAMES} (lower --fps or "
                                   "the duration)", source)
