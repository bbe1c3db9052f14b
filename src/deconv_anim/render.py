"""Render a config to a file: scene -> raster -> encode, with the resource guard first."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import ConfigError
from .panels import SideBySide
from .raster import Look, Raster, RasterFrame
from .scene import build_scene
from .spec import MAX_FRAMES, MAX_PIXELS
from .themes import THEMES

__all__ = ["render", "prepare", "RenderResult", "FORMAT_VERSION", "MAX_FRAMES", "MAX_PIXELS"]

FORMAT_VERSION = 4
"""Bumped whenever the pixels or bytes of any output change (the gallery re-renders)."""

GIF_MAX_SIDE = 65_535  # the largest GIF width or height


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote."""

    path: Path
    frames: int
    bytes: int
    size: tuple[int, int]


def look_of(config: Config) -> Look:
    """The drawing options of a config: theme, colour overrides, sizes, teaching aids."""
    options, style = config.render, config.render.style
    theme = THEMES[style.theme].with_colors(**style.colors())
    numbers = options.values
    return Look(theme=theme, cell=style.cell or (44 if numbers else 30),
                line_width=style.line_width, numbers=numbers, labels=options.labels,
                overlap=options.overlap, transparent=style.transparent)


def prepare(config: Config, *, max_frames: int = MAX_FRAMES,
            max_pixels: int = MAX_PIXELS) -> Raster | SideBySide:
    """The raster of ``config``, after checking it is not too large to draw.

    The checks use arithmetic only: nothing is allocated for a refused animation.
    """
    spec, options = config.spec, config.render
    frames = spec.frames
    if frames > max_frames:
        raise ConfigError("size", f"the animation would have {frames} frames, more than the "
                                  f"limit of {max_frames} (raise it with --max-frames)",
                          config.source)
    look = look_of(config)
    layout = options.layout
    raster: Raster | SideBySide
    if spec.view == "both":
        raster = SideBySide(build_scene(spec, layout=layout, view="gather",
                                        title=options.title),
                            build_scene(spec, layout=layout, view="scatter"), look)
    else:
        raster = Raster(build_scene(spec, layout=layout, title=options.title), look)
    # the canvas size is known before any pixel is allocated
    width, height = raster.size
    if max(width, height) > GIF_MAX_SIDE:
        raise ConfigError("style.cell", f"each frame would be {width}x{height} pixels; a GIF "
                                        f"side is at most {GIF_MAX_SIDE} (use a smaller cell)",
                          config.source)
    if width * height > max_pixels:
        raise ConfigError("style.cell", f"each frame would be {width}x{height} = "
                                        f"{width * height} pixels, more than the limit of "
                                        f"{max_pixels} (use a smaller cell or raise it with "
                                        "--max-pixels)", config.source)
    return raster


def _save_frames(frames: Iterable[RasterFrame], raster: Raster | SideBySide, folder: Path
                 ) -> Iterator[RasterFrame]:
    from PIL import Image

    from .encode import atomic_output

    palette = raster.palette.tobytes()
    for frame in frames:
        image = Image.frombuffer("P", raster.size, frame.pixels.copy(), "raw", "P", 0, 1)
        image.putpalette(palette)
        # each frame atomically: an interrupt never leaves a half-written PNG
        with atomic_output(folder / f"frame_{frame.index:04d}.png") as handle:
            image.convert("RGB").save(handle, format="PNG", optimize=False)
        yield frame


def render(config: Config, path: str | Path | None = None, *,
           frames_dir: str | Path | None = None, max_frames: int = MAX_FRAMES,
           max_pixels: int = MAX_PIXELS, format: str | None = None, fps: float | None = None,
           tween: int = 0, sheet: bool = False, frame: int | None = None) -> RenderResult:
    """Render ``config`` to ``path`` (default: :meth:`Config.output_path`).

    The file is written atomically: on any failure the previous file stays as it was. The
    format comes from the path's suffix (see :data:`deconv_anim.encode.FORMATS`); ``format``
    names it when no path is given (and must agree with one that is).

    ``tween`` adds in-between frames after each step but the last, sliding the window to
    its next position; ``fps`` is a video's frame rate (default: one video frame per
    animation frame). ``sheet`` writes every frame into one PNG grid instead of an
    animation; ``frame`` writes that one frame (from 0; negative counts from the end) as a
    still PNG.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deconv_anim import config_from_mapping
    >>> config = config_from_mapping({"op": "transposed", "size": 2, "kernel": 3})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "up.gif"
    >>> result = render(config, out)
    >>> result.frames, result.path == out
    (16, True)
    """
    from .encode import Timing, format_for, format_named, write

    still = sheet or frame is not None
    fmt = format_named(format) if format else None
    suffix = ".png" if still else fmt.suffix if fmt else ".gif"
    target = config.output_path(path, suffix=suffix)
    # the output path is checked before any work: a typo fails at once, naming its key
    key = "output" if path is None else "--output"
    if target.is_dir():
        raise ConfigError(key, f"{target} is a directory; name the file, such as "
                               f"{target / (config.name + suffix)}", config.source)
    try:
        format_for(target)
    except ConfigError as error:
        raise ConfigError(key, error.rule, config.source) from None
    if fmt is not None and target.suffix.lower() != fmt.suffix:
        raise ConfigError("--format", f"is {fmt.name} but the output {target} is not "
                                      f"{fmt.suffix}", config.source)
    if tween and still:
        raise ConfigError("--tween", "makes in-between frames for animations; a sheet or "
                                     "a still shows the steps only")
    flag = "--frame" if frame is not None else "--sheet"
    if still and target.suffix.lower() != ".png":
        raise ConfigError(flag, f"writes one PNG image; name the output .png (got {target})",
                          config.source)
    if fps is not None and (still or not format_for(target).video):
        raise ConfigError("--fps", f"sets a video's frame rate; {target} is not a video "
                                   "(animations take their timing from duration and hold)",
                          config.source)
    raster = prepare(config, max_frames=max_frames, max_pixels=max_pixels)
    count = config.spec.frames
    timing = Timing(config.render.duration, config.render.hold, tween)
    if tween and timing.frame_count(count) > max_frames:
        raise ConfigError("--tween", f"{count} steps with {tween} in-between frames make "
                                     f"{timing.frame_count(count)} frames, more than the "
                                     f"limit of {max_frames} (raise it with --max-frames)",
                          config.source)
    vector = not still and format_for(target).vector  # drawn from the scene, not pixels
    frames: Iterable[RasterFrame] = (
        () if vector and frames_dir is None else raster.frames(tween=tween))
    options: dict = {"figure": raster.figure if vector else None, "fps": fps,
                     "transparent": raster.look.transparent}
    if frame is not None:
        index = frame + count if frame < 0 else frame
        if not 0 <= index < count:
            raise ConfigError("--frame", f"must be from {-count} to {count - 1} for an "
                                         f"animation of {count} frames (got {frame})",
                              config.source)
        frames = itertools.islice(frames, index, index + 1)
        count, timing = 1, Timing(config.render.duration)
        options = {"sheet": True, "labels": False, "transparent": raster.look.transparent}
    elif sheet:
        scene = getattr(raster, "scene", None)
        columns = None
        if scene is not None:
            columns = (scene.spec.input_size if scene.view == "scatter"
                       else scene.spec.output_size)[1]
        options = {"sheet": True, "columns": columns, "transparent": raster.look.transparent}
    if frames_dir is not None:
        frames = _save_frames(frames, raster, Path(frames_dir))
    if vector and frames_dir is not None:  # the pixels only feed --frames-dir
        for _ in frames:
            pass
        frames = ()
    try:
        size = write(target, frames, size=raster.size, palette=raster.palette, count=count,
                     timing=timing, **options)
    except ConfigError as error:  # a writer's refusal (WebP too large, ...): name the file
        raise error.with_source(config.source) if config.source else error from None
    return RenderResult(target, timing.frame_count(count), size, raster.size)
