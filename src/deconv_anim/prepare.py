"""A config made drawable: its look, and the raster that draws it, after the resource guard.

:func:`prepare` checks, with arithmetic only, that an animation is not too large to draw
(frames, pixels, :mod:`deconv_anim.budget`'s cost), fits ``style.width`` by choosing the
cell, and builds the painter of its view (:class:`~deconv_anim.raster.Raster`,
:class:`~deconv_anim.panels.SideBySide` or :class:`~deconv_anim.channel_raster.ChannelRaster`)
with its layout made and nothing painted yet. :mod:`deconv_anim.animation` saves it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import budget
from .config import Config
from .errors import ConfigError
from .limits import MATRIX_VIEW_SIDE
from .panels import SideBySide
from .raster import Look, Raster
from .scene import build_scene
from .spec import MAX_FRAMES, MAX_PIXELS
from .themes import THEMES

if TYPE_CHECKING:  # the painters of the other figures are imported when one is drawn
    from .chain_raster import ChainRaster
    from .channel_panels import ChannelPanels
    from .channel_raster import ChannelRaster
    from .matrix_raster import MatrixView

__all__ = ["prepare", "look_of", "GIF_MAX_SIDE", "AnyRaster"]

GIF_MAX_SIDE = 65_535  # the largest GIF width or height


if TYPE_CHECKING:
    AnyRaster = (Raster | SideBySide | ChannelRaster | ChannelPanels | MatrixView
                 | ChainRaster)
    """Every painter ``prepare`` may return (one per kind of figure)."""


def __getattr__(name: str) -> Any:
    """``AnyRaster`` made on first use: the channel, matrix and chain painters are imported
    only by a render that draws one (a gallery of single-channel figures never does)."""
    if name == "AnyRaster":
        from .chain_raster import ChainRaster
        from .channel_panels import ChannelPanels
        from .channel_raster import ChannelRaster
        from .matrix_raster import MatrixView

        return Raster | SideBySide | ChannelRaster | ChannelPanels | MatrixView | ChainRaster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def look_of(config: Config) -> Look:
    """The drawing options of a config: theme, colour overrides, sizes, teaching aids."""
    options, style = config.render, config.render.style
    theme = THEMES[style.theme].with_colors(**style.colors())
    numbers = options.values
    return Look(theme=theme, cell=style.cell or (44 if numbers else 30),
                line_width=style.line_width, numbers=numbers, labels=options.labels,
                overlap=options.overlap, transparent=style.transparent)


def prepare(config: Config, *, max_frames: int = MAX_FRAMES,
            max_pixels: int = MAX_PIXELS, tween: int = 0, video: bool = False,
            fps: float | None = None) -> AnyRaster:
    """The raster of ``config``, after checking it is not too large to draw.

    The checks use arithmetic only: nothing is allocated for a refused animation. Beyond
    the frame and pixel limits, the cost of the drawing (``tween`` in-between frames per
    step; a ``video`` at ``fps``) must stay within :mod:`deconv_anim.budget`'s budgets.

    Raises
    ------
    ConfigError
        ``size: the animation would have N frames, more than the limit of max_frames``,
        or ``style.cell: each frame would be WxH pixels ...``.
    """
    spec, options = config.spec, config.render
    if spec.view == "matrix":
        _check_matrix_view(config)
    try:  # the values of a channel stack are computed only within its limits
        spec.check_values()
    except ConfigError as error:
        raise error.with_source(config.source) if config.source else error from None
    frames = budget.frame_count(config.frames)  # the held final frame counts
    if frames > max_frames:
        raise ConfigError("size", f"the animation would have {frames} frames, more than the "
                                  f"limit of {max_frames} (raise it with max_frames)",
                          config.source)

    def cost(canvas: tuple[int, int] = (0, 0), cell: int = 0) -> budget.Cost:
        return budget.estimate(spec, canvas=canvas, cell=cell, tween=tween,
                               duration=options.duration, hold=options.hold, video=video,
                               fps=fps)

    for stage in config.stages:  # each stage's own cost, before any drawing
        budget.check(budget.estimate(stage, tween=tween, duration=options.duration,
                                     hold=options.hold, video=video, fps=fps), config.source)
    budget.check(cost(), config.source)  # before any drawing
    look = look_of(config)
    if options.style.width is not None:
        look = replace(look, cell=_cell_for_width(config, look, options.style.width))
    raster = _build(config, look)
    # the canvas size is known before any pixel is allocated
    width, height = raster.size
    if max(width, height) > GIF_MAX_SIDE:
        raise ConfigError("style.cell", f"each frame would be {width}x{height} pixels; a frame "
                                        f"side is at most {GIF_MAX_SIDE}, the most GIF, PNG "
                                        "and WebP hold (use a smaller cell)", config.source)
    if width * height > max_pixels:
        raise ConfigError("style.cell", f"each frame would be {width}x{height} = "
                                        f"{width * height} pixels, more than the limit of "
                                        f"{max_pixels} (use a smaller cell or raise it with "
                                        "max_pixels)", config.source)
    if config.stages:  # each stage's frames are drawn on the whole chain's canvas
        for stage in config.stages:
            budget.check(budget.estimate(stage, canvas=(width, height), cell=look.cell,
                                         duration=options.duration, hold=options.hold,
                                         video=video, fps=fps), config.source)
    else:
        budget.check(cost((width, height), look.cell), config.source)
    return raster


def _build(config: Config, look: Look) -> AnyRaster:
    """The raster of ``config`` drawn with ``look`` (its layout is made, nothing painted)."""
    from .report import summary

    spec, options = config.spec, config.render
    layout = options.layout
    if config.stages:
        from .chain_raster import ChainRaster

        return ChainRaster(config.stages, look, layout=layout, title=options.title)
    if spec.channels:  # stacks of channel slabs: channel_layout, channel_raster
        from .channel_raster import ChannelRaster

        if spec.view == "scatter":
            from .channel_scatter_raster import ChannelScatterRaster

            return ChannelScatterRaster(build_scene(spec, layout=layout, view="scatter",
                                                    title=options.title), look)
        if spec.view == "both":
            from .channel_panels import ChannelPanels

            return ChannelPanels(build_scene(spec, layout=layout, view="gather",
                                             title=options.title),
                                 build_scene(spec, layout=layout, view="scatter"), look,
                                 arrange=options.arrange)
        return ChannelRaster(build_scene(spec, layout=layout, title=options.title), look)
    # no title (flags alone, or flags that changed the op of a titled file): the caption
    # is the op's own summary, so it never contradicts the figure
    title = options.title if options.title is not None else summary(spec)
    if spec.view == "matrix":  # the grids and y = C x: matrix_layout, matrix_raster
        from .matrix_raster import MatrixView

        return MatrixView(build_scene(spec, layout=layout, title=title), look)
    if spec.view == "both":
        return SideBySide(build_scene(spec, layout=layout, view="gather", title=title),
                          build_scene(spec, layout=layout, view="scatter"), look,
                          arrange=options.arrange)
    return Raster(build_scene(spec, layout=layout, title=title), look)


def _check_matrix_view(config: Config) -> None:
    """``view: matrix`` draws single-channel ops of at most ``MATRIX_VIEW_SIDE`` inputs and
    outputs."""
    spec = config.spec
    if spec.channels:
        raise ConfigError("view", "matrix draws single-channel ops only (no in_channels, "
                                  "out_channels, groups or bias); info --json --matrix gives "
                                  "the matrix", config.source)
    (ih, iw), (oh, ow) = spec.input_size, spec.output_size
    if ih * iw > MATRIX_VIEW_SIDE or oh * ow > MATRIX_VIEW_SIDE:
        raise ConfigError("view", f"matrix draws at most {MATRIX_VIEW_SIDE} inputs x "
                                  f"{MATRIX_VIEW_SIDE} outputs; this op has {ih}x{iw} = "
                                  f"{ih * iw} inputs and {oh}x{ow} = {oh * ow} outputs (use a "
                                  "smaller size, or info --json --matrix for the numbers)",
                          config.source)


MIN_CELL, MAX_CELL = 4, 400  # the range of style.cell


def _cell_for_width(config: Config, look: Look, width: int) -> int:
    """The largest cell (``MIN_CELL``..``MAX_CELL``) whose figure is at most ``width``
    pixels wide (``style.width``). A figure's width grows almost linearly with its cell:
    two probes give the estimate, and a step or two settles it."""
    def width_at(cell: int) -> int:
        return _build(config, replace(look, cell=cell)).size[0]

    narrowest = width_at(MIN_CELL)
    if narrowest > width:
        raise ConfigError("style.width", f"is too narrow for this figure: even at the smallest "
                                         f"cell ({MIN_CELL} pixels) it is {narrowest} pixels "
                                         f"wide (got {width})", config.source)
    wide = width_at(60)
    slope = max((wide - narrowest) / (60 - MIN_CELL), 1e-9)
    cell = int(min(MAX_CELL, max(MIN_CELL, MIN_CELL + (width - narrowest) // slope)))
    while cell > MIN_CELL and width_at(cell) > width:
        cell -= 1
    while cell < MAX_CELL and width_at(cell + 1) <= width:
        cell += 1
    return cell
