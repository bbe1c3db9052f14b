"""Framework calls: a PyTorch or TensorFlow/Keras layer call turned into config keys.

``nn.ConvTranspose2d(64, 32, 4, 2, 1)`` or ``layers.Conv2DTranspose(8, 3, strides=2,
padding='same')`` is read with :mod:`ast` and never evaluated: only a call of a known layer
whose arguments are literals (ints, tuples, strings, booleans, None) is accepted. Every
argument is either turned into config keys, honoured with a note (it does not change the
figure), or refused with one line naming it. The layers and their signatures are the table
:data:`LAYERS`; each layer's builder maps its bound arguments to keys.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .errors import show_value as _show

__all__ = ["Call", "Channels", "parse_call", "expand_call", "channel_keys", "LAYERS",
           "FRAMEWORKS"]

FRAMEWORKS = ("torch", "tf")
MAX_CALL_CHARS = 400  # a layer call is one line; longer text is refused before parsing
MAX_INT = 4096  # no literal above this (spec.MAX_SIDE): huge numbers never reach arithmetic
_PREFIXES = {"torch": ("torch.nn.functional.", "F.", "torch.nn.", "nn."),
             "tf": ("tf.keras.layers.", "keras.layers.", "layers.", "tf.")}
_TENSOR_MAKERS = ("tf.ones", "tf.zeros", "tf.random.normal", "tf.random.uniform",
                  "torch.ones", "torch.zeros", "torch.randn", "torch.rand")


@dataclass(frozen=True)
class Tensor:
    """A tensor argument (``input``, ``filters``): a bare name, or ``tf.ones([...])``."""

    name: str
    shape: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Channels:
    """The channel numbers a call gives (None where it does not say).

    ``depth_multiplier`` is Keras' DepthwiseConv2D: groups = in_channels and out_channels =
    in_channels * depth_multiplier once in_channels is known (from the call or the config).
    """

    in_channels: int | None = None
    out_channels: int | None = None
    groups: int = 1
    bias: bool = True
    depth_multiplier: int | None = None


@dataclass(frozen=True)
class Call:
    """A parsed call: the config keys it sets and what ``info`` says about it."""

    framework: str
    layer: str
    text: str
    keys: Mapping[str, Any]
    rule: str
    channels: Channels = field(default_factory=Channels)
    notes: tuple[str, ...] = ()
    one_d: bool = False
    size: Any = None  # spatial input size given by the call (input_shape, an input tensor)


def channel_keys(call: Call, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Config keys for the call's channels: ``in_channels``, ``out_channels``, ``groups``
    and ``bias: true`` (the layer's bias, seeded values), the ones the call knows.

    The rule (docs/frameworks.md): a call whose channels are all 1 (1 in, 1 out, groups 1,
    a channel count it does not know counts as 1) stays a single-channel figure, its bias
    (PyTorch's default ``bias=True``) only a note; any other channel count, or a 1 -> 1 call
    when the config is in channel mode anyway (``given`` has a channel key or 3-D values),
    gives the keys. A pool gives none: it is channel-wise, its channels come from the config.
    ``given`` (the other config keys) supplies ``in_channels`` a Keras call leaves open.

    >>> channel_keys(parse_call("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)"))
    {'in_channels': 64, 'out_channels': 32, 'groups': 1, 'bias': True}
    >>> channel_keys(parse_call("torch", "nn.ConvTranspose2d(1, 1, 3, 2)"))
    {}
    """
    c, given = call.channels, given or {}
    if c.in_channels is None and c.out_channels is None and c.depth_multiplier is None:
        return {}  # a pool, or tf.nn with a named filters tensor and no input shape
    cin = c.in_channels if c.in_channels is not None else _given_in(given)
    keys: dict[str, Any] = {"in_channels": cin, "out_channels": c.out_channels,
                            "groups": c.groups}
    if c.depth_multiplier is not None:  # an unknown in_channels counts as 1, as elsewhere
        keys.update(groups=cin or 1, out_channels=(cin or 1) * c.depth_multiplier)
    counts = [v for v in (keys["in_channels"], keys["out_channels"], keys["groups"])
              if v is not None]
    channel_mode = any(v != 1 for v in counts) or _in_channel_mode(given)
    if not channel_mode:
        return {}
    if c.bias:
        keys["bias"] = True
    if c.in_channels is None:
        keys.pop("in_channels")  # from the config (or its default), not the call
    if c.out_channels is None and c.depth_multiplier is None:
        keys.pop("groups")  # tf.nn with a named filters tensor: its groups are open too
    return {key: value for key, value in keys.items() if value is not None}


_CHANNEL_KEYS = ("in_channels", "out_channels", "groups")


def _given_in(given: Mapping[str, Any]) -> int | None:
    """The config's input channels: its ``in_channels``, or the first axis of a 3-D input."""
    value = given.get("in_channels")
    if type(value) is int:
        return value
    values = given.get("input")
    if isinstance(values, (list, tuple)) and values and all(
            isinstance(row, (list, tuple)) and row and isinstance(row[0], (list, tuple))
            for row in values):
        return len(values)
    return None


def _in_channel_mode(given: Mapping[str, Any]) -> bool:
    from .channels import mode_key

    args = {key: given.get(key) for key in (*_CHANNEL_KEYS, "bias", "input", "weights")}
    try:
        return mode_key(**args) is not None
    except Exception:  # malformed values: the spec says what is wrong with them
        return False


# -- reading the text -----------------------------------------------------------------------

def _refuse(framework: str, rule: str) -> ConfigError:
    return ConfigError(framework, rule)


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _literal(fw: str, arg: str, node: ast.AST, tensors: bool = False) -> Any:
    """A literal argument's value; a tensor placeholder where ``tensors``; else refused."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, str, type(None))):
        if isinstance(node.value, int) and not isinstance(node.value, bool) and (
                node.value > MAX_INT):
            raise _refuse(fw, f"{arg}: {node.value} is too large (at most {MAX_INT})")
        if isinstance(node.value, str) and len(node.value) > 40:
            raise _refuse(fw, f"{arg}: text too long ({len(node.value)} characters)")
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        raise _refuse(fw, f"{arg}: must be an integer, not {node.value!r}")
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int):
        return -min(node.operand.value, MAX_INT + 1)
    if isinstance(node, (ast.Tuple, ast.List)):
        if len(node.elts) > 8:
            raise _refuse(fw, f"{arg}: too many items ({len(node.elts)})")
        return tuple(_literal(fw, arg, e) for e in node.elts)
    if tensors and isinstance(node, ast.Name):
        return Tensor(node.id)
    if tensors and isinstance(node, ast.Call) and _dotted(node.func) in _TENSOR_MAKERS:
        shape = [_literal(fw, arg, a) for a in node.args[:1]] if not node.keywords else []
        if len(node.args) == 1 and isinstance(shape[0], tuple) and all(
                type(v) is int for v in shape[0]):
            return Tensor(_dotted(node.func) or "", shape[0])
        if node.args and not node.keywords and all(
                isinstance(a, ast.Constant) and type(a.value) is int for a in node.args):
            return Tensor(_dotted(node.func) or "", tuple(_literal(fw, arg, a)
                                                          for a in node.args))
    what = "a name or a literal shape call like tf.ones([1, 5, 5, 1])" if tensors else (
        "a literal (a number, a tuple of numbers, text, True/False or None)")
    raise _refuse(fw, f"{arg}: must be {what}; it is not evaluated "
                      f"(got {ast.unparse(node)[:30]!r})")


def _read(framework: str, text: Any) -> tuple[str, list[ast.AST], list[ast.keyword]]:
    """(dotted name, positional nodes, keyword nodes) of a single call expression."""
    fw = framework
    if not isinstance(text, str) or not text.strip():
        raise _refuse(fw, f"must be a layer call such as "
                          f"{_EXAMPLE[fw]!r} (got {_show(text)})")
    if len(text) > MAX_CALL_CHARS:
        raise _refuse(fw, f"the call is too long ({len(text)} characters; at most "
                          f"{MAX_CALL_CHARS})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        reason = getattr(error, "msg", None) or type(error).__name__
        raise _refuse(fw, f"is not a Python call ({reason})") from None
    node = tree.body
    if not isinstance(node, ast.Call):
        raise _refuse(fw, f"must be one layer call such as {_EXAMPLE[fw]!r}, "
                          f"not {type(node).__name__.lower()} {text.strip()[:30]!r}")
    name = _dotted(node.func)
    if name is None:
        raise _refuse(fw, "the called thing must be a layer name such as nn.Conv2d")
    return name, list(node.args), list(node.keywords)


_EXAMPLE = {"torch": "nn.ConvTranspose2d(64, 32, 4, 2, 1)",
            "tf": "layers.Conv2DTranspose(8, 3, strides=2, padding='same')"}


def _layer_name(framework: str, name: str) -> str:
    for prefix in _PREFIXES[framework]:
        if name.startswith(prefix) and name[len(prefix):] in LAYERS[framework]:
            return name[len(prefix):]
    if name in LAYERS[framework]:
        return name
    known = list(LAYERS[framework])
    close = difflib.get_close_matches(name.rsplit(".", 1)[-1], known, n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(known)})"
    other = next((f for f in FRAMEWORKS if f != framework and _known(f, name)), None)
    if other:
        hint = f"; {name} is a {'PyTorch' if other == 'torch' else 'TensorFlow'} layer: " \
               f"use {other}: (--{other})"
    raise _refuse(framework, f"unknown layer {name[:40]!r}{hint}")


def _known(framework: str, name: str) -> bool:
    return any(name.removeprefix(p) in LAYERS[framework]
               for p in (*_PREFIXES[framework], ""))


def parse_call(framework: str, text: Any) -> Call:
    """Parse one call of a known layer (``framework`` is ``torch`` or ``tf``).

    Raises
    ------
    ConfigError
        Keyed by the framework (``torch: padding_mode='reflect': ...``), one line.

    Examples
    --------
    >>> call = parse_call("torch", "nn.ConvTranspose2d(64, 32, 4, 2, 1)")
    >>> dict(call.keys)
    {'op': 'transposed', 'kernel': 4, 'stride': 2, 'padding': 1, 'dilation': 1, 'output_padding': 0}
    >>> call.channels.in_channels, call.channels.out_channels
    (64, 32)
    """
    from . import frameworks_layers  # noqa: F401  (fills LAYERS)

    if framework not in FRAMEWORKS:
        raise ConfigError(None, f"framework must be one of {', '.join(FRAMEWORKS)}")
    name, args, keywords = _read(framework, text)
    layer = LAYERS[framework][_layer_name(framework, name)]
    bound = _bind(framework, layer, args, keywords)
    built = layer.build(_Args(framework, layer, bound))
    built["keys"] = {key: value for key, value in built["keys"].items() if value is not None}
    return Call(framework=framework, layer=layer.title, text=text.strip(), **built)


# -- binding arguments ----------------------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """One layer or function: its signature and the builder of its keys."""

    title: str  # as shown, e.g. nn.ConvTranspose2d
    params: tuple[str, ...]  # in positional order
    defaults: Mapping[str, Any]  # parameters not here are required
    build: Callable[[_Args], dict[str, Any]]
    tensors: tuple[str, ...] = ()  # parameters that take tensors, not literals
    opaque: tuple[str, ...] = ()  # initializers and the like: names or calls, never read


def _bind(fw: str, layer: Layer, args: list[ast.AST], keywords: list[ast.keyword]
          ) -> dict[str, Any]:
    bound: dict[str, Any] = {}
    if len(args) > len(layer.params):
        raise _refuse(fw, f"{layer.title} takes at most {len(layer.params)} positional "
                          f"arguments (got {len(args)})")
    for name, node in zip(layer.params, args, strict=False):
        if isinstance(node, ast.Starred):
            raise _refuse(fw, "*args are not read: write the arguments out")
        bound[name] = _argument(fw, layer, name, node)
    for kw in keywords:
        if kw.arg is None:
            raise _refuse(fw, "**kwargs are not read: write the arguments out")
        if kw.arg not in layer.params:
            close = difflib.get_close_matches(kw.arg, layer.params, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}=?" if close else ""
            raise _refuse(fw, f"{kw.arg}: {layer.title} has no argument {kw.arg}{hint}")
        if kw.arg in bound:
            raise _refuse(fw, f"{kw.arg}: given twice")
        bound[kw.arg] = _argument(fw, layer, kw.arg, kw.value)
    for name in layer.params:
        if name not in bound:
            if name not in layer.defaults:
                raise _refuse(fw, f"{name}: {layer.title} needs it (missing)")
            bound[name] = layer.defaults[name]
    return bound


def _argument(fw: str, layer: Layer, name: str, node: ast.AST) -> Any:
    if name in layer.opaque and not isinstance(node, ast.Constant):
        # e.g. kernel_initializer=initializers.HeNormal(): kept as text, never evaluated
        call = node.func if isinstance(node, ast.Call) else node
        plain = isinstance(node, ast.Call) and not node.keywords and all(
            isinstance(a, ast.Constant) for a in node.args)
        dotted = _dotted(call)
        if dotted is None or "__" in dotted or not (plain or call is node):
            raise _refuse(fw, f"{name}: must be a name or a call of one with literal "
                              f"arguments (got {ast.unparse(node)[:30]!r})")
        return ast.unparse(node)
    return _literal(fw, name, node, name in layer.tensors)


class _Args:
    """Typed access to a call's bound arguments; every error names the argument."""

    def __init__(self, fw: str, layer: Layer, bound: dict[str, Any]) -> None:
        self.fw, self.layer, self.bound = fw, layer, bound

    def refuse(self, arg: str, rule: str) -> ConfigError:
        return _refuse(self.fw, f"{arg}={self.bound[arg]!r}: {rule}")

    def __getitem__(self, arg: str) -> Any:
        return self.bound[arg]

    def integer(self, arg: str, minimum: int = 1) -> int:
        value = self.bound[arg]
        if type(value) is not int or value < minimum:
            raise self.refuse(arg, f"must be an integer >= {minimum}")
        return value

    def flag(self, arg: str) -> bool:
        if not isinstance(self.bound[arg], bool):
            raise self.refuse(arg, "must be True or False")
        return self.bound[arg]

    def sizes(self, arg: str, n: int, minimum: int = 1, one_d: bool = False) -> Any:
        """An int or an n-tuple of ints >= minimum, as a config value (int or [h, w])."""
        value = self.bound[arg]
        items = value if isinstance(value, tuple) else (value,)
        if not all(type(v) is int and v >= minimum for v in items) or (
                isinstance(value, tuple) and len(value) not in (1, n)):
            shape = "an integer" if n == 1 else f"an integer or a tuple of {n}"
            raise self.refuse(arg, f"must be {shape}, each >= {minimum}")
        if one_d:
            return [1 if minimum == 1 else 0, items[0]]
        return items[0] if len(items) == 1 else list(items)

    def word(self, arg: str, words: tuple[str, ...]) -> str:
        value = self.bound[arg]
        if not isinstance(value, str) or value.lower() not in words:
            raise self.refuse(arg, f"must be one of {', '.join(repr(w) for w in words)}")
        return value.lower()

    def choice(self, arg: str, allowed: tuple[Any, ...], why: str) -> Any:
        value = self.bound[arg]
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            raise self.refuse(arg, why)
        return value

    def notes(self, args: tuple[str, ...], why: str) -> list[str]:
        return [f"{a}={self.bound[a]!r}: {why}" for a in args
                if self.bound[a] != self.layer.defaults.get(a)]


def _pad_1d(padding: Any) -> Any:
    """A 1-D padding (int) as [top, bottom, left, right] of a one-row 2-D grid."""
    return [0, 0, padding, padding] if isinstance(padding, int) else padding


# The builders live in frameworks_layers (the table is long); LAYERS is filled there.
LAYERS: dict[str, dict[str, Layer]] = {"torch": {}, "tf": {}}


def expand_call(mapping: Mapping[str, Any]) -> tuple[dict[str, Any], Call | None]:
    """A config mapping with its ``torch:`` / ``tf:`` key replaced by the keys of the call.

    Keys the call sets may also be given (flags, the file) only with the same value; a key
    the call leaves open (``size``, values, ``view``, ``kernel`` of a ``tf.nn`` call with a
    named filters tensor) comes from the mapping.

    Examples
    --------
    >>> keys, call = expand_call({"tf": "Conv2DTranspose(8, 3, strides=2, padding='same')",
    ...                           "size": 3})
    >>> keys["op"], keys["padding"], keys["size"]
    ('transposed', 'same', 3)
    """
    given = [f for f in FRAMEWORKS if f in mapping]
    if not given:
        return dict(mapping), None
    if len(given) > 1:
        raise ConfigError("tf", "give either torch: or tf:, not both")
    fw = given[0]
    call = parse_call(fw, mapping[fw])
    merged = {key: value for key, value in mapping.items() if key != fw}
    for key, value in call.keys.items():
        if key in merged and _normal(key, merged[key]) != _normal(key, value):
            raise ConfigError(key, f"contradicts the {fw}: call ({call.layer} gives "
                                   f"{_show(value)}, got {_show(merged[key])}); change "
                                   "the call or drop the key")
        merged[key] = value
    _merge_channels(fw, call, merged)
    if call.size is not None:
        if "size" in merged and _normal("size", merged["size"]) != _normal("size", call.size):
            raise ConfigError("size", f"contradicts the {fw}: call (its input is "
                                      f"{_show(call.size)}, got {_show(merged['size'])})")
        merged["size"] = call.size
    if call.one_d and "size" in merged:
        merged["size"] = _one_d_size(call, merged["size"])
    if "size" not in merged and "input" not in merged:
        length = "one length L" if call.one_d else "N or [H, W]"
        raise ConfigError("size", f"{call.layer} needs the input's size: give size: "
                                  f"{length} (--size)")
    if "kernel" not in merged and "weights" not in merged:
        tensor = ("torch.ones(C_OUT, C_IN, KH, KW)" if fw == "torch" else
                  "filters=tf.ones([KH, KW, IN, OUT])")
        raise ConfigError("kernel", f"{call.layer} takes its kernel size from the filters "
                                    "tensor: give kernel: K or [KH, KW] (--kernel), or "
                                    f"{tensor}")
    return merged, call


def _merge_channels(fw: str, call: Call, merged: dict[str, Any]) -> None:
    """Add the call's channel keys to ``merged``; a key given too must agree with the call
    (a ``bias`` list gives the values of the call's bias)."""
    keys = channel_keys(call, merged)
    c = call.channels
    open_in = c.in_channels is None and c.groups > 1 and c.depth_multiplier is None
    if keys and open_in and _given_in(merged) is None:
        raise ConfigError("in_channels", f"{call.layer} needs the input's channels to set "
                                         "its groups: give input_shape= in the call, or "
                                         "in_channels: C (--in-channels)")
    for key, value in keys.items():
        given = merged.get(key)
        if given is None:
            merged[key] = value
        elif key == "bias":
            if given is False:
                raise ConfigError("bias", f"contradicts the {fw}: call ({call.layer} has a "
                                          "bias, got false); change the call (bias=False) "
                                          "or drop the key")
        elif given != value:
            raise ConfigError(key, f"contradicts the {fw}: call ({call.layer} gives "
                                   f"{_show(value)}, got {_show(given)}); change the call "
                                   "or drop the key")
    if keys and not c.bias and merged.get("bias") not in (None, False):
        word = "use_bias=False" if fw == "tf" else "bias=False"
        raise ConfigError("bias", f"contradicts the {fw}: call ({call.layer} has {word}, "
                                  f"got {_show(merged['bias'])}); change the call or drop "
                                  "the key")


def _one_d_size(call: Call, size: Any) -> Any:
    if type(size) is int:
        return [1, size]
    if isinstance(size, (list, tuple)) and len(size) == 2 and size[0] == 1:
        return list(size)
    raise ConfigError("size", f"{call.layer} is 1-D: give one length L, drawn as [1, L] "
                              f"(got {_show(size)})")


def _normal(key: str, value: Any) -> Any:
    """A key's value in one form, to compare: 3, [3, 3] and (for padding) [3, 3, 3, 3]."""
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, bool) or value is None:
        return value
    items = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(items) == 1:
        items = items * 2
    if key == "padding" and len(items) == 2:
        items = [items[0], items[0], items[1], items[1]]
    return items


def explain(call: Call, spec: Any) -> str:
    """What ``info`` adds for a config made from a call: the framework rule it applied, the
    config keys it set, its channels and notes, and the PyTorch call with the same shape and
    the pad/crop giving the same values."""
    from .codegen import torch_call, torch_same_shape, torch_workaround

    name = "PyTorch" if call.framework == "torch" else "TensorFlow/Keras"
    keys = ", ".join(f"{key}: {_show(value)}" for key, value in call.keys.items())
    lines = [f"  {call.framework}: {call.text}",
             f"  rule ({name} {call.layer}): {call.rule}",
             f"  config keys: {keys}"]
    if call.one_d:
        lines.append(f"  1-D: drawn as one row, size [1, {spec.input_size[1]}]")
    c = call.channels
    if (c.in_channels, c.out_channels) != (None, None):
        shown = [f"{label} {value}" for label, value in (("in", c.in_channels),
                                                          ("out", c.out_channels))
                 if value is not None]
        drawn = ("drawn with channels" if spec.channels else
                 "drawn as one channel: all counts are 1")
        lines.append(f"  channels: {', '.join(shown)}, groups {c.groups} ({drawn})")
    if spec.channels:
        lines.append(f"  channel keys: in_channels: {spec.in_channels}, out_channels: "
                     f"{spec.out_channels}, groups: {spec.groups}, bias: "
                     f"{'true' if spec.has_bias else 'none'}")
    lines += [f"  note: {_channel_note(note) if spec.channels else note}"
              for note in call.notes]
    exact = torch_call(spec)
    if exact is not None:
        lines.append(f"  PyTorch, same values: {exact}")
    else:
        same = torch_same_shape(spec)
        if same is not None:
            lines.append(f"  PyTorch, same shape: {same} (its padding is centred, so its "
                         "values differ)")
        lines.append(f"  PyTorch, same values: {torch_workaround(spec)}")
    return "\n".join(lines)


def _channel_note(note: str) -> str:
    """A call's bias note in channel mode, where the bias is drawn (seeded values)."""
    for word in ("bias=True", "use_bias=True"):
        if note.startswith(word + ":"):
            return f"{word}: the bias is added (seeded values unless bias: gives them)"
    return note
