"""Configs: YAML files (or presets, or command-line flags) turned into a :class:`Config`.

Every key lives in one table, :data:`KEYS`: its group (``spec`` keys are validated by
:func:`deconv_anim.spec.make_spec`, ``render`` and ``style`` keys here), how its value is
checked, and its one-line help, which the command line reuses for the flag of the same
name. Adding a key is one line in that table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

if TYPE_CHECKING:
    from .spec import Spec

from .errors import ConfigError
from .errors import show_value as _show
from .limits import check_nesting, check_text, parse_int, path_problem
from .yaml_files import load_yaml_text, read_yaml

__all__ = ["Config", "RenderOptions", "Style", "KEYS", "STYLE_KEYS", "ConfigSource",
           "resolve_config", "load_config", "config_from_mapping", "parse_flag_value"]

ConfigSource = Union[str, "os.PathLike[str]", Mapping[str, Any], "Config", None]
"""What :func:`resolve_config` takes: a config file, a preset name, a mapping of config
keys, a :class:`Config`, or None (the overrides alone)."""

LAYOUTS = ("oblique", "flat")
ARRANGEMENTS = ("side", "stacked")
MAX_DELAY_MS = 655_350  # a GIF frame delay is at most 65535 hundredths of a second


def _choice(key: str, choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise ConfigError(key, f"must be one of {', '.join(choices)} (got {_show(value)})")
        return value.strip().lower()
    return check


def _integer(key: str, minimum: int, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not (
                minimum <= value <= maximum):
            raise ConfigError(key, f"must be an integer from {minimum} to {maximum} "
                                   f"(got {_show(value)})")
        return value
    return check


def _text(key: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ConfigError(key, f"must be a single line of text (got {_show(value)})")
        text = str(value)
        if "\n" in text.strip() or len(text) > 300:
            raise ConfigError(key, "must be a single line of at most 300 characters")
        return check_text(key, text.strip())
    return check


def _path(key: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ConfigError(key, f"must be a file path (got {_show(value)})")
        problem = path_problem(value.strip())
        if problem:
            raise ConfigError(key, f"cannot be a file name: {problem}")
        return value.strip()
    return check


def _flag(key: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"must be true or false (got {_show(value)})")
        return value
    return check


def _raw(value: Any) -> Any:
    return value


def _number(key: str, minimum: float, maximum: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                minimum <= value <= maximum):
            raise ConfigError(key, f"must be a number from {minimum:g} to {maximum:g} "
                                   f"(got {_show(value)})")
        return float(value)
    return check


_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_color(key: str, value: Any, *, allow_transparent: bool = False) -> Any:
    """``#rrggbb``, ``#rgb`` or [r, g, b] (0-255) as an RGB tuple; optionally 'transparent'."""
    if allow_transparent and isinstance(value, str) and value.strip().lower() == "transparent":
        return "transparent"
    if isinstance(value, str) and _HEX.match(value.strip()):
        digits = value.strip().lstrip("#")
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
    if (isinstance(value, (list, tuple)) and len(value) == 3 and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)):
        return tuple(value)
    extra = ", or transparent" if allow_transparent else ""
    raise ConfigError(key, f"must be a colour: '#rrggbb', '#rgb' or [r, g, b] with 0-255"
                           f"{extra} (got {_show(value)})")


def _color(key: str, allow_transparent: bool = False) -> Callable[[Any], Any]:
    return lambda value: parse_color(key, value, allow_transparent=allow_transparent)


@dataclass(frozen=True)
class Key:
    """One config key: its group, its check, its help line."""

    group: str  # spec | render | style
    check: Callable[[Any], Any]
    help: str
    text: bool = False  # a flag's value is kept as text, not parsed as YAML
    switch: bool = False  # a true/false key: the flag is --key / --no-key


KEYS: dict[str, Key] = {
    # the op (validated together by make_spec)
    "op": Key("spec", _raw, "conv, transposed, maxpool, avgpool, upsample or pixel_shuffle "
                            "(required)"),
    "size": Key("spec", _raw, "input size: N or [H, W]"),
    "kernel": Key("spec", _raw, "kernel size: K or [KH, KW]"),
    "stride": Key("spec", _raw, "stride: S or [SH, SW] (default 1; pools: the kernel size)"),
    "padding": Key("spec", _raw, "valid, same, full, P, [PH, PW] or [T, B, L, R]"),
    "dilation": Key("spec", _raw, "dilation: D or [DH, DW] (default 1)"),
    "output_padding": Key("spec", _raw, "transposed: PyTorch's output_padding (default 0)"),
    "output_size": Key("spec", _raw, "transposed: TensorFlow's output_shape [H, W]; "
                                     "upsample: the target size"),
    "view": Key("spec", _raw, "gather (default); transposed: scatter or both; matrix"),
    "input": Key("spec", _raw, "input values, a 2-D list (default: seeded pattern)"),
    "weights": Key("spec", _raw, "kernel weights, a 2-D list (default: seeded pattern)"),
    "seed": Key("spec", _raw, "seed of the default input and weights (default 0)"),
    "count_include_pad": Key("spec", _raw, "avgpool: count padded cells (default true)",
                             switch=True),
    "ceil_mode": Key("spec", _raw, "pools: PyTorch's ceil_mode, round the output size up "
                                   "(default false)", switch=True),
    # the upsampling ops (see deconv_anim.upsample_spec)
    "mode": Key("spec", _raw, "upsample: nearest (default), nearest-exact or bilinear"),
    "scale": Key("spec", _raw, "upsample: scale factor S or [SH, SW] (or give output_size)"),
    "align_corners": Key("spec", _raw, "upsample, bilinear: PyTorch's align_corners "
                                       "(default false)", switch=True),
    "upscale_factor": Key("spec", _raw, "pixel_shuffle: r (in_channels = C * r * r)"),
    "order": Key("spec", _raw, "pixel_shuffle: channel order, torch (default) or tf "
                               "(depth_to_space)"),
    # a framework call giving the op's keys (see docs/frameworks.md)
    "torch": Key("call", _raw, "a PyTorch layer call, e.g. \"nn.ConvTranspose2d(64, 32, 4, 2, "
                               "1)\"", text=True),
    "tf": Key("call", _raw, "a TensorFlow/Keras call, e.g. \"layers.Conv2DTranspose(8, 3, "
                            "strides=2, padding='same')\"", text=True),
    # channel mode (any of these, a 3-D input or 4-D weights turns it on)
    "in_channels": Key("spec", _raw, "input channels C_in (default 1, or input's)"),
    "out_channels": Key("spec", _raw, "conv, transposed: output channels C_out (default 1)"),
    "groups": Key("spec", _raw, "conv, transposed: channel groups (default 1)"),
    "bias": Key("spec", _raw, "conv, transposed: out_channels numbers, or true (seeded)"),
    "step_by": Key("spec", _raw, "channel mode: a frame per element or per channel"),
    # a chain of ops (see deconv_anim.chain)
    "stages": Key("stages", _raw, "a list of op mappings applied in sequence (no op:)"),
    # how it is drawn
    "title": Key("render", _text("title"), "caption line under the figure", text=True),
    "output": Key("render", _path("output"), "output file, relative to the config's folder",
                  text=True),
    "layout": Key("render", _choice("layout", LAYOUTS),
                  "oblique (default) or flat (default with values)"),
    "duration": Key("render", _integer("duration", 20, 60_000),
                    "milliseconds per frame (default 1000)"),
    "hold": Key("render", _integer("hold", 0, 600_000),
                "extra milliseconds on the last frame (default 0)"),
    "values": Key("render", _flag("values"), "numbers in the cells and the sum being formed",
                  switch=True),
    "labels": Key("render", _flag("labels"), "shape annotations and the current step's indices",
                  switch=True),
    "arrange": Key("render", _choice("arrange", ARRANGEMENTS),
                   "view both: the two panels side (default) by side, or stacked"),
    "overlap": Key("render", _flag("overlap"),
                   "transposed: tint output cells by how many kernel stamps land on them",
                   switch=True),
    "style": Key("render", _raw, "a mapping of style keys (see below)"),
}

STYLE_KEYS: dict[str, Key] = {
    "theme": Key("style", _choice("style.theme", ("classic", "dark", "colorblind")),
                 "classic (default), dark or colorblind"),
    "cell": Key("style", _integer("style.cell", 4, 400),
                "pixels per cell (default 30; 44 with values)"),
    "line_width": Key("style", _number("style.line_width", 0.5, 20),
                      "grid line width in pixels (default cell / 16)"),
    "width": Key("style", _integer("style.width", 32, 65_535),
                 "fit the figure to at most this many pixels wide (picks the cell size)"),
    "background": Key("style", _color("style.background", allow_transparent=True),
                      "background colour, or transparent"),
    "input_color": Key("style", _color("style.input_color"), "input cell colour"),
    "output_color": Key("style", _color("style.output_color"), "output cell colour"),
    "line_color": Key("style", _color("style.line_color"), "line and border colour"),
    "overlay_color": Key("style", _color("style.overlay_color"), "kernel window overlay colour"),
    "text_color": Key("style", _color("style.text_color"), "text colour"),
}


@dataclass(frozen=True)
class Style:
    """How things look; every field has a ``style:`` key and a flag of the same name.

    Colours left None come from the theme; ``cell`` None means 30, or 44 with values.
    """

    theme: str = "classic"
    cell: int | None = None
    line_width: float | None = None
    width: int | None = None
    """Fit the figure to at most this many pixels wide: the cell size is chosen for it."""
    background: Any = None
    input_color: Any = None
    output_color: Any = None
    line_color: Any = None
    overlay_color: Any = None
    text_color: Any = None

    @property
    def transparent(self) -> bool:
        return self.background == "transparent"

    def colors(self) -> dict[str, Any]:
        """The colours given, by theme field name, to override the theme's."""
        given = {name.removesuffix("_color"): getattr(self, name)
                 for name in ("input_color", "output_color", "line_color", "overlay_color",
                              "text_color")
                 if getattr(self, name) is not None}
        if self.background is not None and not self.transparent:
            given["background"] = self.background
        return given


@dataclass(frozen=True)
class RenderOptions:
    """How the animation is drawn and written."""

    layout: str = "oblique"  # the loader makes it flat when values are shown
    duration: int = 1000
    hold: int = 0
    title: str | None = None
    output: str | None = None
    values: bool = False
    labels: bool = False
    overlap: bool = False
    arrange: str = "side"
    style: Style = field(default_factory=Style)


@dataclass(frozen=True)
class Config:
    """One animation: what it computes (``spec``) and how it is drawn (``render``).

    ``name`` is the config's stem or preset name; ``source`` is the file it came from
    (None for presets and flags), ``base_dir`` the folder relative outputs resolve against.
    """

    spec: Spec
    render: RenderOptions
    name: str = "deconv-anim"
    source: str | None = None
    base_dir: Path = field(default_factory=Path)
    stages: tuple[Spec, ...] = field(default=(), compare=False)
    """A chain (``stages:``): one spec per stage, in order (``spec`` is the first); else ()."""
    call: Any = field(default=None, compare=False)
    """The :class:`deconv_anim.frameworks.Call` its ``torch:`` / ``tf:`` key gave, or None."""
    document: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """The mapping it was validated from, overrides included (for more overrides, and for
    a cache key such as the Sphinx directive's)."""

    @property
    def frames(self) -> int:
        """Frames of a render: the op's, or the sum of a chain's stages'."""
        return sum(s.frames for s in self.stages) if self.stages else self.spec.frames

    def output_path(self, override: str | os.PathLike[str] | None = None,
                    suffix: str = ".gif") -> Path:
        """Where a render writes: ``override``, else ``output:``, else ``<name><suffix>``."""
        if override is not None:
            return Path(override)
        if self.render.output is not None:
            return self.base_dir / self.render.output
        return self.base_dir / f"{self.name}{suffix}"


def _key_list(table: Mapping[str, Key], room: int = 200) -> str:
    """The keys of ``table``, as many as fit in ``room`` characters (then where the rest are)."""
    text = ", ".join(table)
    if len(text) <= room:
        return text
    cut = text[:room].rsplit(", ", 1)[0]
    return f"{cut}, ... (every key in docs/config.md)"


def _check_keys(mapping: Mapping[Any, Any], table: Mapping[str, Key], prefix: str = "") -> None:
    for key in mapping:
        if not isinstance(key, str):
            raise ConfigError(f"{prefix}{_show(key)}", "keys must be text")
        if key not in table:
            import difflib  # here: only a misspelt key needs it

            close = difflib.get_close_matches(key[:100], list(table), n=1, cutoff=0.6)
            hint = f"; did you mean {prefix}{close[0]}?" if close else (
                f"; known keys: {_key_list(table)}")
            shown = key if key.isidentifier() and len(key) <= 40 else _show(key)
            raise ConfigError(f"{prefix}{shown}", f"unknown key{hint}")


def config_from_mapping(mapping: Any, *, source: str | None = None,
                        base_dir: str | Path | None = None, name: str = "deconv-anim"
                        ) -> Config:
    """Validate a config mapping (a parsed YAML document, a preset, or flags).

    Raises
    ------
    ConfigError
        Naming ``source``, the key and the rule.

    Examples
    --------
    >>> config = config_from_mapping({"op": "conv", "size": 5, "kernel": 3, "stride": 2})
    >>> config.spec.output_size, config.render.duration
    ((2, 2), 1000)
    """
    try:
        return _config(mapping, source, Path(base_dir) if base_dir is not None else Path(), name)
    except ConfigError as error:
        raise error.with_source(source) if source else error from None


def _config(mapping: Any, source: str | None, base_dir: Path, name: str) -> Config:
    if not isinstance(mapping, Mapping):
        kind = "nothing" if mapping is None else f"{type(mapping).__name__} {_show(mapping)}"
        raise ConfigError(None, f"the top level must be a mapping of keys such as "
                                f"'op: conv' (got {kind})")
    check_nesting(mapping)
    _check_keys(mapping, KEYS)
    document = dict(mapping)  # as written: a framework call is expanded again on re-use
    call = None
    if "torch" in mapping or "tf" in mapping:  # a framework call: its keys, merged first
        from .frameworks import expand_call

        mapping, call = expand_call(mapping)
    spec_args: dict[str, Any] = {}
    render_args: dict[str, Any] = {}
    for key, value in mapping.items():
        if value is None and key == "op":
            raise ConfigError(key, "must have a value (got null): conv, transposed, maxpool, "
                                   "avgpool, upsample or pixel_shuffle")
        if value is None:
            raise ConfigError(key, "must have a value (got null); remove the key to use "
                                   "its default")
        entry = KEYS[key]
        if entry.group == "spec":
            spec_args[key] = value
        elif entry.group == "render" and key != "style":
            render_args[key] = entry.check(value)
    stages: tuple[Spec, ...] = ()
    if "stages" in mapping:
        from .chain import config_chain

        stages, spec_args = config_chain(mapping["stages"], spec_args, render_args), {}
    elif "op" not in spec_args:
        raise ConfigError("op", "is required: conv, transposed, maxpool, avgpool, upsample or "
                                "pixel_shuffle (or stages:, a list of ops)")
    style = mapping.get("style", {})
    if not isinstance(style, Mapping):
        raise ConfigError("style", f"must be a mapping of style keys (got {_show(style)})")
    _check_keys(style, STYLE_KEYS, prefix="style.")
    style_args = {key: STYLE_KEYS[key].check(value) for key, value in style.items()}
    if "width" in style_args and "cell" in style_args:
        raise ConfigError("style.width", "picks the cell size to fit the width: give "
                                         "style.cell or style.width, not both")
    from .spec import make_spec  # NumPy is imported only when a config is built

    spec = stages[0] if stages else make_spec(**spec_args)
    if "arrange" in render_args and spec.view != "both":
        raise ConfigError("arrange", f"places the two panels of view: both (got view: "
                                     f"{spec.view})")
    for n, stage in enumerate(stages or (spec,)):
        if render_args.get("overlap") and not stage.is_transposed:
            where = f" (stage {n} is op: {stage.op})" if stages else f" (got op: {spec.op})"
            raise ConfigError("overlap", f"is only for op: transposed{where}")
    if any(isinstance(m, Mapping) and ("input" in m or "weights" in m)
           for m in _stage_maps(mapping)):
        render_args.setdefault("values", True)
    render_args.setdefault("layout", "flat" if render_args.get("values") else "oblique")
    longest = render_args.get("duration", 1000) + render_args.get("hold", 0)
    if longest > MAX_DELAY_MS:
        raise ConfigError("hold", f"duration + hold must be at most {MAX_DELAY_MS} ms, the "
                                  f"longest frame a GIF can hold (got {longest})")
    return Config(spec, RenderOptions(**render_args, style=Style(**style_args)), name=name,
                  source=source, base_dir=base_dir, stages=stages, call=call,
                  document=document)


def _stage_maps(mapping: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The stage mappings of a chain, with the top level (for keys given at either)."""
    stages = mapping.get("stages")
    return [mapping, *stages] if isinstance(stages, (list, tuple)) else [mapping]


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Load and validate one YAML config file.

    ``overrides`` (already parsed values, e.g. from command-line flags) replace the file's
    keys; ``style`` overrides merge into the file's ``style:`` block.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "up.yaml").write_text("op: transposed\\nsize: 2\\nkernel: 3\\n")
    >>> load_config(folder / "up.yaml").spec.output_size
    (4, 4)
    """
    if not isinstance(path, (str, Path)):
        raise ConfigError("path", f"must be a file path (got {_show(path)})")
    if overrides is not None and not (isinstance(overrides, Mapping)
                                      and all(isinstance(key, str) for key in overrides)):
        raise ConfigError("overrides", f"must be a mapping of config keys to values "
                                       f"(got {_show(overrides)})")
    if overrides and "style" in overrides and not isinstance(overrides["style"], Mapping):
        raise ConfigError("style", f"must be a mapping of style keys "
                                   f"(got {_show(overrides['style'])})")
    source = str(path)
    document = read_yaml(path)
    if overrides and isinstance(document, Mapping):
        document = merge(document, overrides)
    return config_from_mapping(document, source=source, base_dir=Path(path).parent,
                               name=Path(path).stem)


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` on top; the ``style`` blocks merge key by key. Overrides
    that change an op key (``spec`` group) drop a ``title`` of the base they do not replace:
    it described another op (the figure is then captioned from its own spec)."""
    merged = dict(base)
    if "title" not in overrides and any(key in KEYS and KEYS[key].group == "spec"
                                        and base.get(key) != value
                                        for key, value in overrides.items()):
        merged.pop("title", None)
    for key, value in overrides.items():
        if key == "style" and isinstance(merged.get("style"), Mapping):
            merged["style"] = {**merged["style"], **value}
        else:
            merged[key] = value
    return merged


def flag_overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides from flag-like text values by key name (``--stride 2``, or the Sphinx
    directive's ``:stride: 2``): config keys at the top, style keys under ``style``.
    True/false values (switches) pass as they are; None means not given."""
    overrides: dict[str, Any] = {}
    style: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        parsed = value if isinstance(value, bool) else parse_flag_value(key, value)
        if key in STYLE_KEYS:
            style[key] = parsed
        elif key in KEYS:
            overrides[key] = parsed
    if style:
        overrides["style"] = style
    return overrides


MAX_FLAG_TEXT = 100_000
"""The longest flag value read (a whole ``--input`` matrix fits)."""
_PAIR_TEXT = re.compile(r"^\s*-?\d+\s*([,x]\s*-?\d+\s*)+$")


def parse_flag_value(key: str, text: str) -> Any:
    """A flag's text as the value a YAML file would hold.

    ``5`` is 5, ``5,3`` and ``5x3`` are [5, 3], ``same`` is 'same', ``[[1, 2]]`` a list.

    Examples
    --------
    >>> parse_flag_value("size", "5x3"), parse_flag_value("padding", "0,0,2,0")
    ([5, 3], [0, 0, 2, 0])
    """
    if not isinstance(text, str):
        raise ConfigError(key, f"a flag's value must be text (got {_show(text)})")
    entry = KEYS.get(key) or STYLE_KEYS.get(key)
    if (entry is not None and entry.text) or text.lstrip().startswith("#"):
        return text  # free text, or a colour like #268bd2 (a comment to YAML)
    if not text.strip():
        raise ConfigError(key, "is empty: give it a value (or leave the flag out)")
    if len(text) > MAX_FLAG_TEXT:
        raise ConfigError(key, f"is {len(text)} characters long; a flag's value is at most "
                               f"{MAX_FLAG_TEXT}")
    if _PAIR_TEXT.match(text):
        return [parse_int(key, part) for part in re.split(r"[,x]", text)]
    try:
        return load_yaml_text(text, where=False)
    except ConfigError as error:
        if error.rule.startswith(("invalid YAML", "YAML tag")):
            raise ConfigError(key, f"cannot read the value {_show(text)}") from None
        raise ConfigError(key, error.rule) from None


_CONFIG_SUFFIXES = (".yaml", ".yml")


def resolve_config(source: ConfigSource = None, overrides: Mapping[str, Any] | None = None,
                   *, kind: Literal["auto", "path", "preset"] = "auto",
                   base_dir: str | Path | None = None) -> Config:
    """The one way to a :class:`Config`: from a file, a preset, a mapping or a Config, with
    ``overrides`` (config keys; ``style`` merges key by key) on top.

    The command line, the Sphinx directive and :func:`deconv_anim.animate` all call it, so a
    config means the same everywhere and a bad one gives the same one-line error.

    Parameters
    ----------
    source : str, path, mapping, Config or None
        A text ``source`` is a config file when ``kind`` is ``path``, or (``auto``) when it
        ends in ``.yaml``/``.yml``, names a folder or an existing file; otherwise it is a
        preset name (:data:`deconv_anim.presets.PRESETS`). None means the overrides alone
        (they must then give ``op``).
    overrides : mapping, optional
        Config keys validated exactly like the file's.
    kind : {"auto", "path", "preset"}
        How to read a text ``source``.
    base_dir : path, optional
        Where a relative ``output:`` of a preset or a mapping resolves (default: the
        current folder); a file's is its own folder.

    Raises
    ------
    ConfigError
        ``<source>: <key>: <rule>``; an unknown preset names the key ``preset``.

    Examples
    --------
    >>> resolve_config("dilation", {"stride": 2}).spec.output_size
    (2, 2)
    >>> resolve_config({"op": "conv", "size": 4, "kernel": 3}, {"style": {"theme": "dark"}}
    ...                ).render.style.theme
    'dark'
    >>> resolve_config("dilaton")
    Traceback (most recent call last):
    ...
    deconv_anim.errors.ConfigError: preset: unknown preset 'dilaton'; did you mean dilation? \
(see `deconv-anim presets`)
    """
    overrides = dict(overrides or {})
    base = Path(base_dir) if base_dir is not None else Path()
    if isinstance(source, Config):
        if not overrides:
            return source
        if source.document is None:
            raise ConfigError(None, "overrides need a Config made by resolve_config or "
                                    "config_from_mapping", source.source)
        return config_from_mapping(merge(source.document, overrides), source=source.source,
                                   base_dir=source.base_dir, name=source.name)
    if source is None or isinstance(source, Mapping):
        return config_from_mapping(merge(source or {}, overrides), base_dir=base)
    if not isinstance(source, (str, os.PathLike)):
        raise ConfigError(None, f"a config is a file path, a preset name, a mapping or a "
                                f"Config (got {type(source).__name__})")
    text = os.fspath(source)
    if kind == "auto":
        path = Path(text)
        kind = "path" if (path.suffix.lower() in _CONFIG_SUFFIXES or os.sep in text
                          or "/" in text or path.exists()) else "preset"
    if kind == "path":
        return load_config(text, overrides)
    from .presets import PRESETS

    if text not in PRESETS:
        import difflib

        close = difflib.get_close_matches(text, list(PRESETS), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ConfigError("preset", f"unknown preset {text!r}{hint} "
                                    "(see `deconv-anim presets`)")
    return config_from_mapping(merge(PRESETS[text], overrides), name=text, base_dir=base)
