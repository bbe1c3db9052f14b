"""The public API: an :class:`Animation` of a config, its frames, its files and its numbers.

Modelled on imageio v3 and ``matplotlib.animation``: :func:`animate` resolves a config
(a file, a preset name, a mapping or a :class:`~deconv_anim.config.Config`, with config
keys as overrides) into an :class:`Animation`; :meth:`Animation.save` writes any supported
suffix, :meth:`Animation.frames` yields RGB(A) arrays, :attr:`Animation.info` is what
``deconv-anim info --json`` prints. :func:`render` is ``animate(...).save(...)`` in one call.

>>> import deconv_anim as da
>>> anim = da.animate("seed_transposed", values=True)
>>> anim.size, anim.frame_count
((740, 463), 17)
>>> first = next(anim.frames())
>>> first.shape, first.dtype.name
((463, 740, 3), 'uint8')

Stages: scene -> raster -> encode, with the resource guard (:func:`prepare`) first.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import budget
from .atomic import atomic_folder
from .config import Config, ConfigSource, resolve_config
from .errors import ConfigError, os_reason
from .errors import show_value as _show
from .limits import check_number, path_problem, stat_or_none
from .panels import SideBySide
from .prepare import look_of, prepare
from .raster import Raster, RasterFrame
from .spec import MAX_FRAMES, MAX_PIXELS

if TYPE_CHECKING:
    import numpy as np

    from .prepare import AnyRaster

__all__ = ["Animation", "animate", "render", "render_config", "prepare", "look_of",
           "RenderResult", "FORMAT_VERSION", "MAX_FRAMES", "MAX_PIXELS"]

FORMAT_VERSION = 7
"""Bumped whenever the pixels or bytes of any output change (the gallery re-renders)."""

@dataclass(frozen=True)
class RenderResult:
    """What a render wrote.

    Attributes
    ----------
    path : Path
        The file written.
    frames : int
        Frames in it (in-between frames and the held final frame included; 1 for a
        still; every frame of a contact sheet).
    bytes : int
        Its size on disk.
    size : tuple of int
        (width, height) of the image written, in pixels: one frame; a contact sheet's
        whole grid; a video's frame padded to even sides.
    frame_size : tuple of int
        (width, height) of one frame as drawn (before a sheet tiles it or a video pads it).
    """

    path: Path
    frames: int
    bytes: int
    size: tuple[int, int]
    frame_size: tuple[int, int] = (0, 0)


def _check_arguments(config: Any, path: Any, arguments: dict[str, Any]) -> None:
    """Refuse a bad argument of :meth:`Animation.save` with a :class:`ConfigError` naming
    it (the command line shows the flag)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ConfigError("output", f"must be a file path (got {_show(path)})")
    for name, minimum, maximum in (("max_frames", 1, None), ("max_pixels", 1, None),
                                   ("tween", 0, 60), ("frame", None, None)):
        value = arguments[name]
        if name == "frame" and value is None:
            continue
        if (isinstance(value, bool) or not isinstance(value, int)
                or (minimum is not None and value < minimum)
                or (maximum is not None and value > maximum)):
            bounds = (f"from {minimum} to {maximum}" if maximum is not None else
                      f"of at least {minimum}" if minimum is not None else "")
            raise ConfigError(name, f"must be an integer {bounds}".rstrip() +
                              f" (got {_show(value)})")
    if arguments["fps"] is not None:
        check_number("fps", arguments["fps"], budget.MIN_FPS, budget.MAX_FPS)
    if not isinstance(arguments["sheet"], bool):
        raise ConfigError("sheet", f"must be true or false (got {_show(arguments['sheet'])})")
    if arguments["format"] is not None and not isinstance(arguments["format"], str):
        raise ConfigError("format", f"must be a format name (got {_show(arguments['format'])})")
    if arguments["sheet"] and arguments["frame"] is not None:
        raise ConfigError("frame", "cannot be combined with a sheet (a sheet shows every "
                                   "frame, a still one)", config.source)


def _check_target(config: Config, target: Path, suffix: str) -> None:
    """Refuse an output path the OS would refuse, a folder, or the config file itself."""
    problem = path_problem(target)
    if problem:
        raise ConfigError("output", f"is not a usable file name: {problem}", config.source)
    try:
        found = stat_or_none(target)
    except OSError as error:
        raise ConfigError("output", f"cannot write {target} ({os_reason(error)})",
                          config.source) from None
    if found is not None and os.path.isdir(target):
        raise ConfigError("output", f"{target} is a directory; name the file, such as "
                                    f"{target / (config.name + suffix)}", config.source)
    if found is not None and config.source is not None:
        with contextlib.suppress(OSError):
            if os.path.samefile(target, config.source):
                raise ConfigError("output", f"{target} is the config file itself; writing it "
                                            "would destroy the config (name another output)",
                                  config.source)


def _save_frames(frames: Iterable[RasterFrame],
                 raster: AnyRaster, folder: Path
                 ) -> Iterator[RasterFrame]:
    from PIL import Image

    from .atomic import atomic_output

    palette = raster.palette.tobytes()
    for frame in frames:
        image = Image.frombuffer("P", raster.size, frame.pixels.copy(), "raw", "P", 0, 1)
        image.putpalette(palette)
        # each frame atomically: an interrupt never leaves a half-written PNG
        with atomic_output(folder / f"frame_{frame.index:04d}.png") as handle:
            image.convert("RGB").save(handle, format="PNG", optimize=False)
        yield frame


def _rgb(frame: RasterFrame, palette: np.ndarray, transparent: bool) -> np.ndarray:
    """A frame's palette indices as a new H x W x 3 array (x 4, background see-through)."""
    import numpy as np

    from .palette import BACKGROUND

    rgb = np.asarray(palette, np.uint8)[frame.pixels]
    if not transparent:
        return rgb
    alpha = np.where(frame.pixels == BACKGROUND, 0, 255).astype(np.uint8)
    return np.dstack([rgb, alpha])


class Animation:
    """One config as an animation: its frames, its files and its numbers.

    Made by :func:`animate`; nothing is drawn until :meth:`frames` or :meth:`save` is
    called, and each call draws afresh (two :meth:`frames` iterators do not share state).

    Parameters
    ----------
    config : Config
        A validated config (see :func:`deconv_anim.config.resolve_config`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> anim = animate({"op": "conv", "size": 4, "kernel": 3}, style={"cell": 8})
    >>> anim
    <Animation deconv-anim: conv 4x4 -> 2x2, 5 frames>
    >>> result = anim.save(pathlib.Path(tempfile.mkdtemp()) / "conv.png")
    >>> result.frames, result.path.suffix
    (5, '.png')
    """

    def __init__(self, config: Config) -> None:
        if not isinstance(config, Config):
            raise TypeError(f"Animation takes a Config (got {type(config).__name__}); "
                            "use deconv_anim.animate for a file, preset or mapping")
        self._config = config

    @property
    def config(self) -> Config:
        """The validated config drawn."""
        return self._config

    @property
    def info(self) -> dict[str, Any]:
        """The numbers of the op: the dict ``deconv-anim info --json`` prints for it.

        >>> animate("seed_transposed").info["output"]
        [[3, 8, 10, 4], [5, 7, 12, 6], [2, 7, 14, 6], [0, 4, 6, 2]]
        """
        from .report import as_json, chain_json

        if self._config.stages:
            return chain_json(self._config.stages, name=self._config.name)
        return as_json(self._config.spec, name=self._config.name)

    @property
    def step_count(self) -> int:
        """Steps of the op: one per output cell (gather), input cell (scatter), or clock
        step (``view: both``); of every stage, for a chain."""
        return self._config.frames

    @property
    def frame_count(self) -> int:
        """Frames without in-between frames: one per step, and the held clean final frame
        (no window, no highlight: the finished output)."""
        return budget.frame_count(self._config.frames)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of every frame, in pixels."""
        return prepare(self._config, max_frames=max(self.frame_count, 1),
                       max_pixels=2 ** 62).size

    def frames(self, *, tween: int = 0, max_frames: int = MAX_FRAMES,
               max_pixels: int = MAX_PIXELS) -> Iterator[np.ndarray]:
        """Yield every frame as a new array of RGB pixels.

        Parameters
        ----------
        tween : int
            In-between frames after each step but the last (the window slides).
        max_frames, max_pixels : int
            The resource guard: refuse larger animations before drawing anything.

        Yields
        ------
        numpy.ndarray
            ``uint8`` of shape ``(height, width, 3)``, or ``(height, width, 4)`` with
            ``style.background: transparent`` (alpha 0 on the background, else 255);
            ``(step_count - 1) * (tween + 1) + 2`` of them (the last is the held clean
            final frame).

        Examples
        --------
        >>> anim = animate("seed_conv", style={"cell": 10, "background": "transparent"})
        >>> frames = list(anim.frames(tween=1))
        >>> len(frames), frames[0].shape[2], frames[0].dtype.name
        (8, 4, 'uint8')
        """
        raster = prepare(self._config, max_frames=max_frames, max_pixels=max_pixels)
        _check_tween(self._config, tween, max_frames)
        transparent = raster.look.transparent
        for frame in raster.frames(tween=tween):
            yield _rgb(frame, raster.palette, transparent)

    def save(self, path: str | os.PathLike[str] | None = None, *, format: str | None = None,
             fps: float | None = None, tween: int = 0, sheet: bool = False,
             frame: int | None = None, frames_dir: str | os.PathLike[str] | None = None,
             max_frames: int = MAX_FRAMES, max_pixels: int = MAX_PIXELS) -> RenderResult:
        """Write the animation to ``path`` (default: the config's ``output:``, else
        ``NAME.gif`` beside it), atomically: on any failure a previous file stays as it was.

        Parameters
        ----------
        path : path, optional
            Its suffix picks the format (:data:`deconv_anim.formats.FORMATS`).
        format : str, optional
            A format name (gif, png, webp, mp4, svg, html) for when no path is given; with a path
            it must agree with its suffix.
        fps : float, optional
            A video's frame rate (default: one video frame per animation frame).
        tween : int
            In-between frames after each step but the last, sliding the window.
        sheet : bool
            Write every frame into one PNG grid instead of an animation.
        frame : int, optional
            Write only this frame (from 0; negative counts from the end) as a still PNG.
        frames_dir : path, optional
            Also write every frame as ``frame_NNNN.png`` into this folder.
        max_frames, max_pixels : int
            The resource guard, checked before anything is drawn.

        Returns
        -------
        RenderResult
            The path written, its frame count, its bytes and the frame size.

        Raises
        ------
        ConfigError
            Naming the key or option at fault: ``output: unknown file type '.jpg' ...``,
            ``tween: ...``, ``frame: ...``.
        OutputError
            The file cannot be written.
        """
        return _save(self._config, path, format=format, fps=fps, tween=tween, sheet=sheet,
                     frame=frame, frames_dir=frames_dir, max_frames=max_frames,
                     max_pixels=max_pixels)

    def to_html(self, *, fallback: bool = False, autoplay: bool = True) -> str:
        """The interactive player as an HTML fragment (one ``<div data-deconv-anim>``, its
        style and script inside it), for any page or host; ``fallback`` adds the GIF as a
        ``data:`` image shown where scripts do not run. See ``docs/formats.md``."""
        from .encode import Timing
        from .player import player_html

        refusal = _no_player(self._config)
        if refusal:
            raise ConfigError("output", refusal, self._config.source)
        raster = prepare(self._config)
        options = self._config.render
        gif = self._gif_bytes() if fallback else None
        timing = Timing(options.duration, options.hold)
        from .channel_raster import ChannelRaster

        if isinstance(raster, ChannelRaster):
            from .player_channels import channel_player_html

            return channel_player_html(raster, timing, fallback_gif=gif, autoplay=autoplay,
                                       title=options.title)
        assert isinstance(raster, (Raster, SideBySide))  # (the others refused above)
        return player_html(raster.figure, timing, fallback_gif=gif, autoplay=autoplay,
                           title=options.title)

    def _gif_bytes(self) -> bytes:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "animation.gif"
            self.save(path)
            return path.read_bytes()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None
                          ) -> dict[str, str]:
        """Inline display in notebooks: ``text/html`` only (the player, with the GIF as its
        fallback); above :data:`deconv_anim.player.EMBED_LIMIT_MB` the GIF alone, saying
        so."""
        from .player import gif_only_html, notebook_html

        refusal = _no_player(self._config)
        if refusal:  # no player for chains or the matrix view yet: the GIF alone
            return {"text/html": gif_only_html(self._gif_bytes(), refusal)}
        return {"text/html": notebook_html(self.to_html(fallback=True), self._gif_bytes)}

    def __repr__(self) -> str:
        spec, last = self._config.spec, (self._config.stages or (self._config.spec,))[-1]
        shape = "x".join(map(str, spec.input_size))
        out = "x".join(map(str, last.output_size))
        ops = " -> ".join(s.op for s in self._config.stages) or spec.op
        return (f"<Animation {self._config.name}: {ops} {shape} -> {out}, "
                f"{self.frame_count} frames>")


NO_CHAIN_VECTOR = ("a chain (stages:) is drawn as pixels only for now: write .gif, .png, "
                   ".webp or .mp4 (not .svg or .html)")
_NO_CHANNEL_BOTH_PLAYER = ("the HTML player draws channel mode's gather and scatter views, not "
                           "yet view: both: write .gif, .png, .webp or .mp4")
_NO_MATRIX_PLAYER = ("the HTML player does not draw view: matrix yet: write .gif, .png, "
                     ".webp, .mp4 or .svg")


def _no_player(config: Config) -> str | None:
    """Why the HTML player cannot draw ``config`` (None: it can)."""
    if config.stages:
        return NO_CHAIN_VECTOR
    if config.spec.view == "matrix":
        return _NO_MATRIX_PLAYER
    if config.spec.channels and config.spec.view == "both":
        return _NO_CHANNEL_BOTH_PLAYER
    return None


def animate(source: ConfigSource = None, /, **overrides: Any) -> Animation:
    """An :class:`Animation` of a config file, a preset, a mapping or a Config.

    Parameters
    ----------
    source : str, path, mapping, Config or None
        A YAML config file (``.yaml``), a preset name (:data:`deconv_anim.PRESETS`), a
        mapping of config keys, a :class:`~deconv_anim.config.Config`, or None when the
        overrides describe the op on their own.
    **overrides
        Config keys (``stride=2``, ``values=True``, ``style={"theme": "dark"}``), validated
        like the file's keys: a bad one raises the same one-line :class:`ConfigError`.

    Examples
    --------
    >>> anim = animate("dilation", style={"theme": "dark"}, labels=True)
    >>> anim.config.render.style.theme, anim.info["output_size"]
    ('dark', [3, 3])
    >>> animate(op="transposed", size=2, kernel=3).info["frames"]
    17
    >>> animate("dilation", stride=0)
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: stride: must be a positive integer or a pair of them \
(got 0)
    """
    return Animation(resolve_config(source, _nested(overrides)))


def _nested(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted style keys (``**{"style.theme": "dark"}``) under ``style``."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        group, dot, rest = key.partition(".")
        if dot and group == "style":
            out.setdefault("style", {})[rest] = value
        elif key == "style" and isinstance(value, Mapping):
            out.setdefault("style", {}).update(value)
        else:
            out[key] = value
    return out


def render(source: ConfigSource, /, path: str | os.PathLike[str] | None = None, *,
           format: str | None = None, fps: float | None = None, tween: int = 0,
           sheet: bool = False, frame: int | None = None,
           frames_dir: str | os.PathLike[str] | None = None, max_frames: int = MAX_FRAMES,
           max_pixels: int = MAX_PIXELS, **overrides: Any) -> RenderResult:
    """Render a config to a file: ``animate(source, **overrides).save(path, ...)``.

    Parameters
    ----------
    source : str, path, mapping, Config or None
        As for :func:`animate`.
    path : path, optional
        The output; its suffix picks the format (default: the config's ``output:``, else
        ``NAME.gif`` beside it).
    format, fps, tween, sheet, frame, frames_dir, max_frames, max_pixels
        As for :meth:`Animation.save`.
    **overrides
        Config keys, as for :func:`animate`.

    Returns
    -------
    RenderResult

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "up.gif"
    >>> result = render({"op": "transposed", "size": 2, "kernel": 3}, out)
    >>> result.frames, result.path == out
    (17, True)
    """
    return animate(source, **overrides).save(
        path, format=format, fps=fps, tween=tween, sheet=sheet, frame=frame,
        frames_dir=frames_dir, max_frames=max_frames, max_pixels=max_pixels)


render_config = render
"""The name :func:`render` had before the :class:`Animation` API (kept as an alias)."""


def _check_tween(config: Config, tween: int, max_frames: int) -> None:
    from .encode import Timing

    if isinstance(tween, bool) or not isinstance(tween, int) or not 0 <= tween <= 60:
        raise ConfigError("tween", f"must be an integer from 0 to 60 (got {tween!r})",
                          config.source)
    count = config.frames
    if tween and config.stages:
        raise ConfigError("tween", "makes in-between frames of one op; a chain (stages:) "
                                   "plays its stages without them (leave tween out)",
                          config.source)
    total = Timing(tween=tween).frame_count(count)
    if tween and total > max_frames:
        raise ConfigError("tween", f"{count} steps with {tween} in-between frames make "
                                   f"{total} frames, more than the limit of {max_frames} "
                                   "(raise it with max_frames)", config.source)


def _save(config: Config, path: str | os.PathLike[str] | None, *, format: str | None,
          fps: float | None, tween: int, sheet: bool, frame: int | None,
          frames_dir: str | os.PathLike[str] | None, max_frames: int, max_pixels: int
          ) -> RenderResult:
    from .encode import Timing, write, written_size
    from .formats import format_for, format_named

    try:
        _check_arguments(config, path, {"max_frames": max_frames, "max_pixels": max_pixels,
                                        "tween": tween, "frame": frame, "fps": fps,
                                        "sheet": sheet, "format": format})
    except ConfigError as error:  # name the config, when there is one
        raise error.with_source(config.source) if config.source else error from None
    still = sheet or frame is not None
    fmt = format_named(format) if format else None
    suffix = ".png" if still else fmt.suffix if fmt else ".gif"
    target = config.output_path(path, suffix=suffix)
    source = config.source
    # the output path is checked before any work: a typo fails at once, naming its key
    _check_target(config, target, suffix)
    try:
        kind = format_for(target)
    except ConfigError as error:
        raise error.with_source(source) if source else error from None
    if fmt is not None and kind != fmt:
        raise ConfigError("format", f"is {fmt.name} but the output {target} is not "
                                    f"{fmt.suffix}", source)
    refusal = _no_player(config) if kind.name == "html" else None
    if refusal:
        raise ConfigError("output", refusal, source)
    if kind.vector and config.stages and not still:
        raise ConfigError("output", NO_CHAIN_VECTOR, source)
    if tween and kind.name == "html":
        raise ConfigError("tween", "makes in-between frames; the HTML player steps from "
                                   "cell to cell (leave tween out for .html)", source)
    if tween and still:
        raise ConfigError("tween", "makes in-between frames for animations; a sheet or "
                                   "a still shows the steps only", source)
    if still and target.suffix.lower() != ".png":
        raise ConfigError("frame" if frame is not None else "sheet",
                          f"writes one PNG image; name the output .png (got {target})", source)
    if fps is not None and (still or not kind.video):
        raise ConfigError("fps", f"sets a video's frame rate; {target} is not a video "
                                 "(animations take their timing from duration and hold)",
                          source)
    raster = prepare(config, max_frames=max_frames, max_pixels=max_pixels,
                     tween=0 if still else tween, video=not still and kind.video, fps=fps)
    _check_tween(config, tween, max_frames)
    count = config.frames
    timing = Timing(config.render.duration, config.render.hold, tween)
    vector = not still and kind.vector  # drawn from the scene, not pixels
    frames: Iterable[RasterFrame] = (
        () if vector and frames_dir is None else raster.frames(tween=tween))
    options: dict[str, Any] = {"figure": raster.figure if vector else None, "fps": fps,
                               "transparent": raster.look.transparent}
    if frame is not None:  # counted as the sheet numbers them: steps, then the final frame
        total = timing.frame_count(count)
        index = frame + total if frame < 0 else frame
        if not 0 <= index < total:
            raise ConfigError("frame", f"must be from {-total} to {total - 1} for an "
                                       f"animation of {total} frames: {count} steps and the "
                                       f"final frame (got {frame})", source)
        frames = itertools.islice(frames, index, index + 1)
        count, timing = 1, Timing(config.render.duration, final=False)
        options = {"sheet": True, "labels": False, "transparent": raster.look.transparent}
    elif sheet:
        scene = getattr(raster, "scene", None)
        columns = None
        if scene is not None:
            columns = (scene.spec.input_size if scene.view == "scatter"
                       else scene.spec.output_size)[1]
        options = {"sheet": True, "columns": columns, "transparent": raster.look.transparent}
    with contextlib.ExitStack() as stack:
        if frames_dir is not None:  # into a temp folder, moved into place on success
            folder = stack.enter_context(atomic_folder(Path(frames_dir), source))
            frames = _save_frames(frames, raster, folder)
        if vector and frames_dir is not None:  # the pixels only feed frames_dir
            for _ in frames:
                pass
            frames = ()
        try:
            size = write(target, frames, size=raster.size, palette=raster.palette,
                         count=count, timing=timing, **options)
        except ConfigError as error:  # a writer's refusal (WebP too large, ...): the file
            raise error.with_source(source) if source else error from None
    shown = written_size(raster.size, sheet=bool(options.get("sheet")),
                         count=timing.frame_count(count), columns=options.get("columns"),
                         video=target.suffix.lower() == ".mp4")
    return RenderResult(target, timing.frame_count(count), size, shown, raster.size)
