"""The ``deconv-anim`` command line: thin commands over the library.

Every config key is also a flag of the same name (``--output-padding`` for
``output_padding``); flags override a config file's keys, and with no file they describe
the op on their own. Every user error ends in one ``Error:`` line and exit code 2.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import KEYS, STYLE_KEYS
from .errors import DeconvAnimError

EXIT_USER_ERROR = 2

_SPEC_FLAGS = [key for key, entry in KEYS.items() if key not in ("style", "output")]


def _flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--preset`` and one flag per config key (and style key) to a command."""
    for key in reversed(list(STYLE_KEYS)):
        func = click.option(_flag_name(key), f"style_{key}", metavar="VALUE", default=None,
                            help=f"style.{key}: {STYLE_KEYS[key].help}")(func)
    for key in reversed(_SPEC_FLAGS):
        func = click.option(_flag_name(key), f"key_{key}", metavar="VALUE", default=None,
                            help=KEYS[key].help)(func)
    func = click.option("--preset", metavar="NAME", default=None,
                        help="start from a named preset (see `deconv-anim presets`)")(func)
    return func


def _overrides(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Pop the config flags out of a command's params: (preset, overrides)."""
    from .config import parse_flag_value

    overrides: dict[str, Any] = {}
    style: dict[str, Any] = {}
    for name in list(params):
        value = params.pop(name) if name.startswith(("key_", "style_")) else None
        if value is None:
            continue
        if name.startswith("key_"):
            key = name[4:]
            overrides[key] = parse_flag_value(key, value)
        else:
            key = name[6:]
            style[key] = parse_flag_value(key, value)
    if style:
        overrides["style"] = style
    return params.pop("preset", None), overrides


def build_configs(paths: tuple[str, ...], preset: str | None, overrides: dict[str, Any]):
    """Yield (label, Config or DeconvAnimError) for each path, or for the preset/flags."""
    from .config import config_from_mapping, load_config, merge
    from .errors import ConfigError
    from .presets import PRESETS

    if paths and preset:
        yield "--preset", ConfigError("--preset", "cannot be combined with CONFIG files")
        return
    if not paths:
        try:
            if preset is not None and preset not in PRESETS:
                import difflib

                close = difflib.get_close_matches(preset, list(PRESETS), n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise ConfigError("--preset", f"unknown preset {preset!r}{hint} "
                                              "(see `deconv-anim presets`)")
            base = dict(PRESETS[preset]) if preset else {}
            if not base and "op" not in overrides:
                raise ConfigError("--op", "give a CONFIG file, a --preset, or at least --op")
            label = preset or "deconv-anim"
            yield label, config_from_mapping(merge(base, overrides), name=label,
                                             base_dir=Path.cwd())
        except DeconvAnimError as error:
            yield preset or "flags", error
        return
    for path in paths:
        try:
            yield path, load_config(path, overrides)
        except DeconvAnimError as error:
            yield path, error


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

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="deconv-anim")
def main() -> None:
    """Animate 2-D convolution and transposed convolution from a YAML config.

    \b
    Example:
      deconv-anim info configs/padding_strides_transposed.yaml
      deconv-anim info --op transposed --size 2 --kernel 3
    """


@main.command()
@click.argument("configs", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per config, per line")
@click.option("--steps", is_flag=True, help="with --json: add every step's taps")
@config_options
@user_errors
def info(configs: tuple[str, ...], as_json: bool, steps: bool, **params: Any) -> None:
    """Explain the arithmetic of each CONFIG (or of the flags alone).

    Prints the output size formula with the numbers filled in and, for transposed ops, the
    equivalent convolution. A bad config prints its error and the others still print;
    the exit code is then 2.

    \b
    Example:
      deconv-anim info configs/seed_transposed.yaml
      deconv-anim info --op transposed --size 3 --kernel 3 --stride 2 --padding same --json
    """
    from .report import as_json as to_json
    from .report import describe

    preset, overrides = _overrides(params)
    failed = False
    for _label, config in build_configs(configs, preset, overrides):
        if isinstance(config, DeconvAnimError):
            fail(str(config))
            failed = True
            continue
        if as_json:
            click.echo(json.dumps(to_json(config.spec, name=config.name, steps=steps),
                                  separators=(",", ":")))
        else:
            click.echo(describe(config.spec, name=config.source or config.name))
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command()
def presets() -> None:
    """List the presets: the 15 figures of Dumoulin & Visin and the seed's examples.

    \b
    Example:
      deconv-anim info --preset padding_strides_odd_transposed
    """
    from .presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        click.echo(f"{name:<{width}}  {preset.get('title', '')}")
