"""Chains of ops (``stages:``): a list of op mappings applied one after another.

Each stage is validated by :func:`deconv_anim.spec.make_spec`, exactly as a single op; its
input is the previous stage's output (size, channels and values flow through). Errors
inside a stage name ``stages[i].<key>``. Drawing keys (``view``, ``values``, ``style``, ...)
stay at the top level of the config. Arithmetic and validation only: no drawing here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .errors import show_value as _show

if TYPE_CHECKING:
    import numpy as np

    from .spec import Spec

__all__ = ["STAGE_KEYS", "FIRST_STAGE_KEYS", "MAX_STAGES", "make_chain", "chain_args",
           "config_chain", "chain_output"]

MAX_STAGES = 16
"""The most stages a chain holds."""

FIRST_STAGE_KEYS = ("size", "input", "in_channels", "seed")
"""Keys the top level may give for the first stage (later stages inherit or repeat them)."""

STAGE_KEYS = ("op", "size", "input", "kernel", "stride", "padding", "dilation",
              "output_padding", "output_size", "weights", "seed", "count_include_pad",
              "ceil_mode", "in_channels", "out_channels", "groups", "bias")
"""The op keys a stage may hold by default (the config passes its own list: every key of
its ``spec`` group but the drawing ones, ``view`` and ``step_by``)."""


def _where(index: int, key: str | None) -> str:
    return f"stages[{index}]" + (f".{key}" if key else "")


def _check_stage_keys(index: int, stage: Any, drawing: Sequence[str],
                      allowed: Sequence[str] = STAGE_KEYS) -> Mapping[str, Any]:
    if not isinstance(stage, Mapping):
        raise ConfigError(_where(index, None), f"must be a mapping of op keys such as "
                                               f"'op: conv' (got {_show(stage)})")
    for key in stage:
        if not isinstance(key, str):
            raise ConfigError(f"{_where(index, None)}.{_show(key)}", "keys must be text")
        if key in allowed:
            continue
        if key in drawing:
            raise ConfigError(_where(index, key), "is a drawing key: give it at the top "
                                                  "level of the config, not in a stage")
        import difflib

        close = difflib.get_close_matches(key[:100], list(allowed), n=1, cutoff=0.6)
        hint = f"; did you mean {_where(index, close[0])}?" if close else (
            f"; a stage holds op keys: {', '.join(allowed)}")
        shown = key if key.isidentifier() and len(key) <= 40 else _show(key)
        raise ConfigError(_where(index, shown), f"unknown key{hint}")
    if "op" not in stage:
        from .spec import OPS

        raise ConfigError(_where(index, "op"), f"is required: {', '.join(OPS)}")
    for key, value in stage.items():
        if value is None:
            raise ConfigError(_where(index, key), "must have a value (got null); remove the "
                                                  "key to use its default")
    return stage


def chain_output(specs: Sequence[Spec]) -> np.ndarray:
    """The chain's output: the stages applied one by one. Each spec of :func:`make_chain`
    already reads the previous stage's output, so this is the last stage's output."""
    from .engine import compute

    return compute(specs[-1])


def _channels_of(spec: Spec) -> int:
    return spec.out_channels if spec.channels else 1


def make_chain(stages: Any, top: Mapping[str, Any], *, drawing: Sequence[str] = (),
               view: Any = None, step_by: Any = None, ones: bool = False,
               stage_keys: Sequence[str] = STAGE_KEYS) -> tuple[Spec, ...]:
    """Validate ``stages`` (a list of op mappings) into one :class:`Spec` per stage.

    ``top`` holds the top-level keys of :data:`FIRST_STAGE_KEYS` (the first stage's input;
    ``seed`` also seeds every stage's default weights). ``view`` and ``step_by`` (top-level
    drawing keys) apply to the stages they concern. ``ones`` (``overlap: true``) sets every
    input and weight to 1, so the chain's output counts the stamps, compounded.
    ``stage_keys`` are the keys a stage may hold (the config's op keys, each passed on to
    :func:`~deconv_anim.spec.make_spec`).

    Examples
    --------
    >>> specs = make_chain([{"op": "conv", "kernel": 3}, {"op": "transposed", "kernel": 3,
    ...                      "stride": 2}], {"size": 5})
    >>> [s.input_size for s in specs], specs[-1].output_size
    ([(5, 5), (3, 3)], (7, 7))
    """
    import numpy as np

    from .spec import make_spec

    if not isinstance(stages, (list, tuple)):
        raise ConfigError("stages", f"must be a list of op mappings, one per stage "
                                    f"(got {_show(stages)})")
    if not stages:
        raise ConfigError("stages", "is empty: give at least one op mapping, e.g. "
                                    "[{op: conv, kernel: 3}]")
    if len(stages) > MAX_STAGES:
        raise ConfigError("stages", f"has {len(stages)} stages; a chain holds at most "
                                    f"{MAX_STAGES}")
    checked = [_check_stage_keys(i, stage, drawing, stage_keys)
               for i, stage in enumerate(stages)]
    specs: list[Spec] = []
    previous: Spec | None = None
    for index, stage in enumerate(checked):
        args = dict(stage)
        if index == 0:
            for key in FIRST_STAGE_KEYS:
                if key in top and key in args and top[key] != args[key]:
                    raise ConfigError(_where(0, key), f"is {_show(args[key])} but the top "
                                                      f"level says {_show(top[key])}")
                if key in top:
                    args.setdefault(key, top[key])
        else:
            assert previous is not None
            args.setdefault("seed", top.get("seed", 0))
            _check_flow(index, args, previous)
        if ones:
            for key in ("input", "weights"):
                if key in stage and (key == "weights" or index == 0):
                    raise ConfigError(_where(index, key), "overlap: true sets every input "
                                                          "and weight to 1 (remove this key)")
        if previous is not None:
            out = np.asarray(chain_output([previous]))
            own = any(args.get(k) is not None for k in ("in_channels", "out_channels",
                                                         "groups")) or args.get(
                "bias") not in (None, False) or np.ndim(args.get("weights", [[0]])) > 2
            if own and out.ndim == 2:
                out = out[None]  # this stage is in channel mode: one input channel
            elif not own and out.ndim == 3 and out.shape[0] == 1:
                out = out[0]  # one channel into a stage without channel keys: a 2-D grid
            args["input"] = out.tolist()
            args.pop("size", None)
        if str(args.get("op", "")).strip().lower() == "transposed" and view is not None:
            args["view"] = view
        channel_keys = ("in_channels", "out_channels", "groups", "bias")
        if step_by is not None and ((previous is not None and previous.channels)
                                    or any(args.get(k) is not None for k in channel_keys)):
            args["step_by"] = step_by
        if ones:
            args = _with_ones(args, index)
        try:
            spec = make_spec(**args)
        except ConfigError as error:
            raise ConfigError(_where(index, error.key), error.rule) from None
        specs.append(spec)
        previous = spec
    return tuple(specs)


def _with_ones(args: dict[str, Any], index: int) -> dict[str, Any]:
    """A stage's keys with every weight (and the first input) set to 1 (``overlap: true``)."""
    from .spec import make_spec

    try:
        probe = make_spec(**args)
    except ConfigError as error:
        raise ConfigError(_where(index, error.key), error.rule) from None
    if index == 0:
        args["input"] = (
            [[[1] * probe.input_size[1]] * probe.input_size[0]] * probe.in_channels
            if probe.channels else [[1] * probe.input_size[1]] * probe.input_size[0])
    shape = probe.weight_shape if probe.channels else probe.kernel_size
    args["weights"] = _nested_ones(shape)
    args.pop("size", None)
    return args


def _nested_ones(shape: Sequence[int]) -> Any:
    if len(shape) == 1:
        return [1] * shape[0]
    return [_nested_ones(shape[1:]) for _ in range(shape[0])]


def _check_flow(index: int, args: Mapping[str, Any], previous: Spec) -> None:
    """A later stage may repeat its input's size, channels or values: they must agree."""
    from .shapes import pair

    before = index - 1
    if "size" in args:
        try:
            size = pair("size", args["size"])
        except ConfigError as error:
            raise ConfigError(_where(index, "size"), error.rule) from None
        if tuple(size) != tuple(previous.output_size):
            raise ConfigError(_where(index, "size"), (
                f"is {size[0]}x{size[1]} but stage {before} outputs "
                f"{previous.output_size[0]}x{previous.output_size[1]}"))
    if "in_channels" in args:
        given, flowing = args["in_channels"], _channels_of(previous)
        if given != flowing:
            word = "channel" if flowing == 1 else "channels"
            raise ConfigError(_where(index, "in_channels"), (
                f"is {_show(given)} but stage {before} outputs {flowing} {word}"))
    if "input" in args:
        import numpy as np

        out = chain_output([previous])
        try:
            given = np.asarray(args["input"], dtype=float)
        except (TypeError, ValueError):
            given = None
        if given is None or given.shape != out.shape or not np.allclose(given, out):
            raise ConfigError(_where(index, "input"), (
                f"must be stage {before}'s output when given (a later stage reads the "
                f"previous one's output); leave it out"))


def config_chain(stages: Any, spec_args: Mapping[str, Any],
                 render_args: Mapping[str, Any]) -> tuple[Spec, ...]:
    """The stages of a config's ``stages:`` (``spec_args``: its top-level op keys,
    ``render_args``: its checked drawing keys): drawing keys refused inside a stage, the
    config's op keys allowed in one."""
    from .config import KEYS, STYLE_KEYS

    return make_chain(stages, chain_args(spec_args),
                      drawing=[*(k for k, e in KEYS.items() if e.group == "render"),
                               "view", "step_by", *STYLE_KEYS], view="scatter",
                      step_by=spec_args.get("step_by"), ones=bool(render_args.get("overlap")),
                      stage_keys=[k for k, e in KEYS.items() if e.group == "spec"
                                  and k not in ("view", "step_by")])


def chain_args(top: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level op keys of a chain's config, checked: no ``op``, and only the first
    stage's input keys (:data:`FIRST_STAGE_KEYS`) and the drawing keys ``view`` and
    ``step_by``; the rest belong in a stage."""
    if "op" in top:
        raise ConfigError("op", "give either op: (one op) or stages: (a chain of ops), "
                                "not both")
    for key in top:
        if key not in (*FIRST_STAGE_KEYS, "view", "step_by"):
            raise ConfigError(key, "goes in a stage when stages: is given (the top level "
                                   "holds size, input, in_channels, seed and drawing keys)")
    if top.get("view") is not None:
        view = top["view"]
        if not isinstance(view, str) or view.strip().lower() != "scatter":
            raise ConfigError("view", f"a chain draws its transposed stages in the scatter "
                                      f"view (each reads the previous stage's output grid); "
                                      f"got {_show(view)}")
    return {key: top[key] for key in FIRST_STAGE_KEYS if key in top}
