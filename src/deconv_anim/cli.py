"""The ``deconv-anim`` command line: thin commands over the library.

Every config key is also a flag of the same name (``--output-padding`` for
``output_padding``); flags override a config file's keys, and with no file they describe
the op on their own. Every user error ends in one ``Error:`` line and exit code 2.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .config import KEYS, STYLE_KEYS
from .errors import DeconvAnimError, Terminated, raise_terminated
from .formats import FORMAT_NAMES

if TYPE_CHECKING:
    from .config import Config

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT

EMBED_KINDS = ("md", "html", "rst")  # deconv_anim.embed.KINDS

_KEY_FLAGS = [key for key in KEYS if key not in ("style", "output")]  # -o is --output


def _flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--preset`` and one flag per config key (and style key) to a command."""
    for key in reversed(list(STYLE_KEYS)):
        func = click.option(_flag_name(key), f"style_{key}", metavar="VALUE", default=None,
                            help=f"style.{key}: {STYLE_KEYS[key].help}")(func)
    for key in reversed(_KEY_FLAGS):
        name = _flag_name(key)
        if KEYS[key].switch:
            func = click.option(f"{name}/--no-{name[2:]}", f"key_{key}", default=None,
                                help=KEYS[key].help)(func)
        else:
            func = click.option(name, f"key_{key}", metavar="VALUE", default=None,
                                help=KEYS[key].help)(func)
    func = click.option("--preset", metavar="NAME", default=None,
                        help="start from a named preset (see `deconv-anim presets`)")(func)
    return func


def _overrides(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Pop the config flags out of a command's params: (preset, overrides)."""
    from .config import flag_overrides
    from .errors import ConfigError

    values = {name.split("_", 1)[1]: params.pop(name) for name in list(params)
              if name.startswith(("key_", "style_"))}
    try:
        overrides = flag_overrides(values)
    except ConfigError as error:  # the flag's text is not YAML: name the flag
        raise ConfigError(_flag_name(error.key or ""), error.rule) from None
    return params.pop("preset", None), overrides


def build_configs(paths: tuple[str, ...], preset: str | None, overrides: dict[str, Any]
                  ) -> Iterator[tuple[str, Config | DeconvAnimError]]:
    """Yield (label, Config or DeconvAnimError) for each path, or for the preset/flags.

    Every config comes from :func:`deconv_anim.config.resolve_config`; its errors name
    config keys, shown here with the flags the user typed (:func:`with_flags`).
    """
    from .config import resolve_config
    from .errors import ConfigError

    if paths and preset:
        yield "--preset", ConfigError("--preset", "cannot be combined with CONFIG files")
        return
    if not paths:
        if preset is None and not {"op", "torch", "tf"} & overrides.keys():
            yield "flags", ConfigError("--op", "give a CONFIG file, a --preset, or at least "
                                               "--op")
            return
        try:
            yield (preset or "deconv-anim",
                   resolve_config(preset, overrides, kind="preset", base_dir=Path()))
        except DeconvAnimError as error:
            yield preset or "flags", with_flags(error)
        return
    for path in paths:
        try:
            yield path, resolve_config(path, overrides, kind="path")
        except DeconvAnimError as error:
            yield path, with_flags(error)


OPTION_FLAGS = {"preset": "--preset", "format": "--format", "tween": "--tween",
                "fps": "--fps", "frame": "--frame", "sheet": "--sheet",
                "frames_dir": "--frames-dir", "max_frames": "--max-frames",
                "max_pixels": "--max-pixels"}
"""The library's names of the options that are flags only (not config keys)."""

_RAISE_IT = re.compile(r"(raise it with )(\w+)")


def flag_hints(text: str) -> str:
    """``text`` with the limits it names as the flags that raise them.

    >>> flag_hints("limit of 20 (raise it with max_frames)")
    'limit of 20 (raise it with --max-frames)'
    """
    return _RAISE_IT.sub(lambda m: m[1] + OPTION_FLAGS.get(m[2], m[2]), text)


def with_flags(error: DeconvAnimError, *, output_flag: bool = False) -> DeconvAnimError:
    """A library error as the command line says it: an option named by its flag
    (``tween`` is ``--tween``; ``output`` is ``--output`` when ``-o`` gave it)."""
    from .errors import ConfigError

    if not isinstance(error, ConfigError):
        return error
    flags = {**OPTION_FLAGS, **({"output": "--output"} if output_flag else {})}
    key = flags.get(error.key, error.key) if error.key else None
    return ConfigError(key, flag_hints(error.rule), error.source)


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DeconvAnimError into one ``Error:`` line and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeconvAnimError as error:
            fail(str(error))
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            fail("interrupted; no partial output was left behind")
            sys.exit(EXIT_INTERRUPTED)
        except Terminated as stop:
            fail("terminated (SIGTERM); no partial output was left behind")
            sys.exit(stop.code)

    return wrapper


def _handle_sigterm(ctx: click.Context) -> None:
    """Make SIGTERM unwind like Ctrl-C (so atomic writes remove their temp files), for the
    command's duration, unless the embedding program set its own handler."""
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except (ValueError, OSError):  # not the main thread, or no SIGTERM here
        return
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="deconv-anim")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Animate 2-D convolution and transposed convolution from a YAML config.

    \b
    Example:
      deconv-anim info configs/padding_strides_transposed.yaml
      deconv-anim info --op transposed --size 2 --kernel 3
    """
    _handle_sigterm(ctx)
    # NumPy is imported later, by the commands that draw. Its arrays here are tiny, and
    # BLAS threads (woken at import) only spin on the cores the gallery's workers use.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@main.command()
@click.argument("configs", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per config, per line")
@click.option("--steps", is_flag=True, help="with --json: add every step's taps")
@click.option("--matrix", "with_matrix", is_flag=True,
              help="with --json: add the op's matrix (outputs x inputs, row-major)")
@click.option("--code", type=click.Choice(("torch", "tf", "keras")), default=None,
              help="print only a runnable snippet computing the op in that framework")
@config_options
@user_errors
def info(configs: tuple[str, ...], as_json: bool, steps: bool, with_matrix: bool,
         code: str | None,
         **params: Any) -> None:
    """Explain the arithmetic of each CONFIG (or of the flags alone).

    Prints the output size formula with the numbers filled in and, for transposed ops, the
    equivalent convolution. A bad config prints its error and the others still print;
    the exit code is then 2.

    \b
    Example:
      deconv-anim info configs/seed_transposed.yaml
      deconv-anim info --op transposed --size 3 --kernel 3 --stride 2 --padding same --json
      deconv-anim info --tf "Conv2DTranspose(8, 3, strides=2, padding='same')" --size 3
      deconv-anim info --preset padding_strides_transposed --code torch
    """
    from .errors import ConfigError
    from .report import as_json as to_json
    from .report import chain_json, describe, describe_chain
    from .spec import MAX_FRAMES

    if steps and not as_json:
        raise ConfigError("--steps", "lists the taps of every step in the JSON: add --json")
    if with_matrix and not as_json:
        raise ConfigError("--matrix", "adds the op's matrix to the JSON: add --json")
    if code is not None and (as_json or len(configs) > 1):
        raise ConfigError("--code", "prints one snippet: give one config, without --json")
    preset, overrides = _overrides(params)
    failed = False
    for _label, config in build_configs(configs, preset, overrides):
        if not isinstance(config, DeconvAnimError) and steps and config.frames > MAX_FRAMES:
            config = ConfigError("--steps", f"would list {config.frames} steps, more than "
                                            f"{MAX_FRAMES}", config.source)
        if not isinstance(config, DeconvAnimError) and steps:
            from . import budget

            try:  # the taps are counted before any is made
                for spec in config.stages or (config.spec,):
                    budget.check(budget.estimate(spec), config.source, steps=True)
            except ConfigError as error:
                config = error
        if not isinstance(config, DeconvAnimError) and code is not None and config.stages:
            config = ConfigError("--code", "prints the snippet of one op; a chain (stages:) "
                                           "has none yet", config.source)
        if isinstance(config, DeconvAnimError):
            fail(str(config))
            failed = True
            continue
        if code is not None or as_json:  # values are computed: the stack's size limits
            try:
                config.spec.check_values()
            except ConfigError as error:
                fail(str(ConfigError(error.key, f"{error.rule} (--{'json' if as_json else 'code'}"
                                                " prints every value; info without it "
                                                "describes a layer of any size)",
                                     config.source)))
                failed = True
                continue
        if code is not None:
            from .codegen import snippet

            click.echo(snippet(config.spec, code), nl=False)
        elif as_json:
            try:
                info = (chain_json(config.stages, name=config.name, steps=steps,
                                   with_matrix=with_matrix) if config.stages else
                        to_json(config.spec, name=config.name, steps=steps,
                                with_matrix=with_matrix, call=config.call))
            except ConfigError as error:
                fail(str(error.with_source(config.source) if config.source else error))
                failed = True
                continue
            click.echo(json.dumps(info, separators=(",", ":")))
        elif config.stages:
            click.echo(describe_chain(config.stages, name=config.source or config.name))
        else:
            click.echo(describe(config.spec, name=config.source or config.name))
            if config.call is not None:
                from .frameworks import explain

                click.echo(explain(config.call, config.spec))
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command()
@click.argument("config", required=False, type=click.Path(dir_okay=True))
@click.option("-o", "--output", "out", metavar="PATH", default=None,
              help="output file (default: the config's output: key, else NAME.gif beside it)")
@click.option("--frames-dir", metavar="DIR", default=None,
              help="also write every frame as PNG into DIR")
@click.option("--max-frames", type=click.IntRange(min=1), default=None, metavar="N",
              help="refuse animations with more frames (default 10000)")
@click.option("--max-pixels", type=click.IntRange(min=1), default=None, metavar="N",
              help="refuse frames with more pixels (default 40000000)")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES, case_sensitive=False),
              default=None, help="gif (default), png (APNG), webp, mp4, svg or html (the "
                                 "player): the output's type when -o does not give it")
@click.option("--fps", type=float, default=None, metavar="FPS",
              help="mp4: frames per second, 0.1 to 120 (default: one video frame per "
                   "animation frame)")
@click.option("--tween", type=click.IntRange(min=0, max=60), default=0, metavar="N",
              help="add N in-between frames per step, sliding the window smoothly")
@click.option("--sheet", is_flag=True,
              help="write one PNG with every frame in a grid instead of an animation")
@click.option("--frame", "still", type=int, default=None, metavar="K",
              help="write only frame K (from 0; -1 is the last) as a PNG")
@click.option("--embed", type=click.Choice(EMBED_KINDS), default=None,
              help="print a Markdown, HTML or reStructuredText snippet showing the file "
                   "(the 'wrote' line then goes to stderr)")
@click.option("--code", type=click.Choice(("torch", "tf", "keras")), default=None,
              help="with --embed: add a runnable snippet computing the op in that framework "
                   "under the figure")
@config_options
@user_errors
def render(config: str | None, out: str | None, frames_dir: str | None,
           max_frames: int | None, max_pixels: int | None, fmt: str | None,
           fps: float | None, tween: int, sheet: bool, still: int | None,
           embed: str | None, code: str | None, **params: Any) -> None:
    """Render CONFIG (a YAML file), a --preset, or the flags alone to an animation.

    The output's suffix picks the format: .gif, .png (APNG), .webp, .mp4 (needs
    deconv-anim[video]), .svg (vectors, drawn without pixels) or .html (the
    interactive player). Writes atomically: a failed or interrupted render leaves no
    partial file and an existing file untouched.
    Prints where it wrote, the frame count and the size.

    \b
    Example:
      deconv-anim render configs/seed_transposed.yaml
      deconv-anim render --preset padding_strides_transposed -o up.gif
      deconv-anim render --op transposed --size 3 --kernel 3 --stride 2 --view scatter
      deconv-anim render --preset dilation -o dilation.mp4 --tween 4
      deconv-anim render --preset dilation --format svg --embed md
      deconv-anim render --preset dilation --embed md --code torch
      deconv-anim render --preset dilation --sheet -o dilation-sheet.png
    """
    from .animation import MAX_FRAMES, MAX_PIXELS, Animation

    if code is not None and embed is None:
        from .errors import ConfigError

        raise ConfigError("--code", "adds the code under the --embed snippet: add --embed "
                                    "(or print the code alone with deconv-anim info --code)")
    preset, overrides = _overrides(params)
    ((_, built),) = build_configs((config,) if config else (), preset, overrides)
    if isinstance(built, DeconvAnimError):
        raise built
    try:
        result = Animation(built).save(
            out, frames_dir=frames_dir, max_frames=max_frames or MAX_FRAMES,
            max_pixels=max_pixels or MAX_PIXELS, format=fmt, fps=fps, tween=tween,
            sheet=sheet, frame=still)
    except DeconvAnimError as error:
        raise with_flags(error, output_flag=out is not None) from None
    click.echo(f"wrote {result.path} ({_wrote(result, sheet)}, {result.bytes:,} bytes)",
               err=embed is not None)
    if embed is not None:
        from .embed import alt_text, code_block, snippet

        click.echo(snippet(result.path, embed, alt=alt_text(built), size=result.size))
        if code is not None:
            from .codegen import snippet as code_snippet

            click.echo(f"\n{code_block(code_snippet(built.spec, code), embed)}")


def _check_folder(key: str, folder: Path) -> None:
    """Refuse a folder path the OS would refuse (a name too long, no permission to look)
    with one line, before the gallery starts."""
    from .errors import ConfigError, os_reason
    from .limits import path_problem, stat_or_none

    problem = path_problem(folder)
    if problem:
        raise ConfigError(key, f"is not a usable folder name: {problem}")
    try:
        stat_or_none(folder)
    except OSError as error:
        raise ConfigError(key, f"cannot use {folder} ({os_reason(error)})") from None


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite PATH if it exists")
@config_options
@user_errors
def new(path: str, force: bool, **params: Any) -> None:
    """Write a commented config to PATH (NAME.yaml) to edit: every key the op uses, with
    its value and a one-line comment. The op comes from a --preset, --torch/--tf or flags.

    \b
    Example:
      deconv-anim new up.yaml --torch "nn.ConvTranspose2d(64, 32, 4, 2, 1)" --size 4
      deconv-anim new pool.yaml --op maxpool --size 6 --kernel 3 --stride 2 --ceil-mode
      deconv-anim new mine.yaml --preset padding_strides_transposed
    """
    from .errors import ConfigError
    from .new_config import commented_config

    target = Path(path)
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise ConfigError("PATH", f"must end in .yaml (got {path})")
    if target.exists() and not force:
        raise ConfigError("PATH", f"{path} exists; add --force to overwrite it")
    preset, overrides = _overrides(params)
    ((_, built),) = build_configs((), preset, overrides)
    if isinstance(built, DeconvAnimError):
        raise built
    text = commented_config(built)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        from .errors import OutputError, os_reason

        raise OutputError(f"{path}: cannot be written ({os_reason(error, target.parent)})"
                          ) from None
    click.echo(f"wrote {path}")


@main.command()
def presets() -> None:
    """List the presets: every config the project ships (configs/), with its title.

    \b
    Example:
      deconv-anim info --preset padding_strides_odd_transposed
    """
    from .presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        click.echo(f"{name:<{width}}  {preset.get('title', '')}")


@main.command()
@click.argument("config_dir", required=False, default="configs",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output-dir", "out_dir", default="gallery", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), metavar="OUT_DIR",
              help="where NAME.gif, README.md and the render manifest go (created if missing)")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="renders at once (default: every core; 1 renders in this process)")
@click.option("--force", is_flag=True, help="render every config, even those up to date")
@click.option("--check", is_flag=True,
              help="render nothing; exit 1 listing every missing or stale output (for CI)")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES, case_sensitive=False),
              default="gif", show_default=True,
              help="the outputs' format: gif, png (APNG), webp, mp4 (<video> tags), svg "
                   "or html (the player, linked)")
@click.option("--max-frames", type=click.IntRange(min=1), default=None, metavar="N",
              help="refuse animations with more frames (default 10000)")
@click.option("--max-pixels", type=click.IntRange(min=1), default=None, metavar="N",
              help="refuse frames with more pixels (default 40000000)")
@user_errors
def gallery(config_dir: Path, out_dir: Path, jobs: int | None, force: bool,
            check: bool, fmt: str, max_frames: int | None, max_pixels: int | None) -> None:
    """Render every config of CONFIG_DIR (default configs/) into a gallery.

    Writes OUT_DIR/NAME.gif (or .png, .webp, .mp4, .svg, .html with --format) for each
    CONFIG_DIR/NAME.yaml (a config's output: key is ignored here) and OUT_DIR/README.md,
    tables of the animations laid out by the optional
    CONFIG_DIR/gallery.yaml (see docs/gallery.md). Only configs changed since their GIF
    was written, or drawn by an older renderer, are rendered again. A config that fails
    is listed at the end and the others are still written; the exit code is then 1.
    Interrupted (Ctrl-C: exit code 130), it leaves no temp file and keeps what it
    finished: run it again to render the rest.

    \b
    Example:
      deconv-anim gallery
      deconv-anim gallery configs -o docs/gallery --jobs 4
      deconv-anim gallery --check
    """
    from .gallery import build_gallery, check_gallery

    _check_folder("CONFIG_DIR", config_dir)
    _check_folder("--output-dir", out_dir)
    if check and force:
        raise click.UsageError("--check and --force cannot be combined")
    if check:
        problems = check_gallery(config_dir, out_dir, format=fmt.lower())
        for problem in problems:
            click.echo(f"stale: {problem}", err=True)
        if problems:
            again = "" if fmt.lower() == "gif" else f" --format {fmt.lower()}"
            click.echo(f"{out_dir}: {len(problems)} missing or stale; run "
                       f"`deconv-anim gallery {config_dir} -o {out_dir}{again}`", err=True)
            sys.exit(1)
        click.echo(f"{out_dir}: up to date")
        return

    bar: Any = None

    def start(total: int) -> None:
        nonlocal bar
        if total and sys.stderr.isatty():
            bar = click.progressbar(length=total, label="Rendering", file=sys.stderr,
                                    item_show_func=lambda name: name)
            bar.__enter__()

    def done(name: str, error: str | None) -> None:
        if bar is not None:
            bar.update(1, current_item=name)

    try:
        report = build_gallery(config_dir, out_dir, jobs=jobs, force=force,
                               format=fmt.lower(), on_start=start, on_done=done,
                               max_frames=max_frames, max_pixels=max_pixels)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for _name, error in report.failed:
        fail(flag_hints(error))
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


def _wrote(result: Any, sheet: bool) -> str:
    """The frames and sizes of the ``wrote`` line: a sheet's size and its frames' size; a
    video's size as written (padded to even sides) and the frame's when they differ."""
    frames = f"{result.frames} frame{'s' if result.frames != 1 else ''}"
    (width, height), (fw, fh) = result.size, result.frame_size
    if sheet:
        return f"{frames}, sheet {width}x{height} of {fw}x{fh} frames"
    if (width, height) != (fw, fh) and fw:
        return f"{frames}, {width}x{height} (the {fw}x{fh} frame padded to even sides)"
    return f"{frames}, {width}x{height}"
