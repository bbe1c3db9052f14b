"""Generate ground-truth 2-D convolution / transposed-convolution cases from PyTorch and TensorFlow.

The output JSON (``tests/data/reference_cases.json``) lets the NumPy engine be tested against the
real libraries without having either of them installed.

How to run (from the repository root, in a virtualenv that has torch and/or tensorflow, e.g.
``pip install torch==2.13.0 tensorflow-cpu``)::

    python tests/tools/make_reference_cases.py tests/data/reference_cases.json

A library that cannot be imported is skipped; ``generated_with`` records the versions used
(``null`` for a skipped library).  Generation is deterministic: every section draws its
parameters from its own seeded NumPy generator, so the case list of one library does not depend
on whether the other one is installed.  Inputs and weights are small integers (-3..3), all
arithmetic is float64, so every output is an exact integer.

Before writing, every case is recomputed with ``naive()``, an independent double loop written
from the textbook definitions, and each disagreement is printed and stored under
``naive_mismatches`` in the JSON (an empty list means full agreement).

Case format (one flat object per case)::

    lib        "torch" | "tf"
    api        the library call used, e.g. "conv2d", "pad+conv2d", "conv_transpose2d",
               "conv2d_transpose", "atrous_conv2d_transpose"
    op         "conv" | "transposed"
    input      H x W list (for "transposed": the input of the transposed op)
    weights    kh x kw list
    stride     [sh, sw]
    dilation   [dh, dw]
    padding    torch: [ph, pw] (symmetric, torch's padding= argument) or, for "pad+conv2d",
               [top, bottom, left, right] applied with F.pad before a padding-0 conv2d;
               tf: "valid" | "same" | [top, bottom, left, right] (explicit padding)
    output_padding  [oh, ow]   (torch transposed only)
    output_size     [H, W]     (tf transposed only: the output_shape given to TF)
    output     result list

Entries under ``invalid`` carry the same parameters (no ``output``) plus ``error``: the first
line of the message the library raised.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

SEED = 20240611
VMIN, VMAX = -3, 3

# ---------------------------------------------------------------------------------------------
# Independent naive reference (definitions only, no library)
# ---------------------------------------------------------------------------------------------


def conv_out_len(n: int, k: int, s: int, d: int, before: int, after: int) -> int:
    """Output length of a 1-D convolution of length ``n`` padded by ``before``/``after``."""
    return (n + before + after - (k - 1) * d - 1) // s + 1


def tf_same_before(n: int, k: int, s: int, d: int) -> int:
    """TF SAME padding placed before the data, for a conv whose *input* length is ``n``."""
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2


def naive_conv(x, w, stride, dilation, pads) -> np.ndarray:
    """y[o] = sum_k x_pad[o*s + k*d] * w[k]; ``pads`` = (top, bottom, left, right)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    top, bottom, left, right = pads
    xp = np.zeros((x.shape[0] + top + bottom, x.shape[1] + left + right))
    xp[top : top + x.shape[0], left : left + x.shape[1]] = x
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw = w.shape
    oh = conv_out_len(x.shape[0], kh, sh, dh, top, bottom)
    ow = conv_out_len(x.shape[1], kw, sw, dw, left, right)
    y = np.zeros((max(oh, 0), max(ow, 0)))
    for oi in range(y.shape[0]):
        for oj in range(y.shape[1]):
            acc = 0.0
            for ki in range(kh):
                for kj in range(kw):
                    acc += xp[oi * sh + ki * dh, oj * sw + kj * dw] * w[ki, kj]
            y[oi, oj] = acc
    return y


def naive_transposed(x, w, stride, dilation, crop, out_shape) -> np.ndarray:
    """out[o] = sum over i, k with i*s + k*d - crop == o of x[i] * w[k]."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    (sh, sw), (dh, dw), (ct, cl) = stride, dilation, crop
    out = np.zeros(tuple(out_shape))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for ki in range(w.shape[0]):
                for kj in range(w.shape[1]):
                    oi = i * sh + ki * dh - ct
                    oj = j * sw + kj * dw - cl
                    if 0 <= oi < out.shape[0] and 0 <= oj < out.shape[1]:
                        out[oi, oj] += x[i, j] * w[ki, kj]
    return out


def naive(case: dict) -> np.ndarray:
    """Recompute ``case`` from the definitions, resolving each library's padding convention."""
    x, w = np.asarray(case["input"]), np.asarray(case["weights"])
    stride, dilation, padding = case["stride"], case["dilation"], case["padding"]
    (kh, kw), (sh, sw), (dh, dw) = w.shape, stride, dilation
    if case["op"] == "conv":
        if isinstance(padding, str):
            if padding == "valid":
                pads = (0, 0, 0, 0)
            else:  # TF SAME: extra padding goes after (bottom / right)
                h, wd = x.shape
                th = max((-(-h // sh) - 1) * sh + (kh - 1) * dh + 1 - h, 0)
                tw = max((-(-wd // sw) - 1) * sw + (kw - 1) * dw + 1 - wd, 0)
                pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        elif len(padding) == 2:
            pads = (padding[0], padding[0], padding[1], padding[1])
        else:
            pads = tuple(padding)
        return naive_conv(x, w, stride, dilation, pads)
    if case["lib"] == "torch":
        (ph, pw), (oph, opw) = padding, case["output_padding"]
        out_shape = (
            (x.shape[0] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1,
            (x.shape[1] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1,
        )
        return naive_transposed(x, w, stride, dilation, (ph, pw), out_shape)
    out_shape = tuple(case["output_size"])
    if padding == "valid":
        crop = (0, 0)
    elif padding == "same":
        crop = (
            tf_same_before(out_shape[0], kh, sh, dh),
            tf_same_before(out_shape[1], kw, sw, dw),
        )
    else:
        crop = (padding[0], padding[2])
    return naive_transposed(x, w, stride, dilation, crop, out_shape)


# ---------------------------------------------------------------------------------------------
# Library runners
# ---------------------------------------------------------------------------------------------


def run_torch(torch, case: dict) -> np.ndarray:
    F = torch.nn.functional
    xt = torch.tensor(case["input"], dtype=torch.float64)[None, None]
    wt = torch.tensor(case["weights"], dtype=torch.float64)[None, None]
    stride, dilation, padding = tuple(case["stride"]), tuple(case["dilation"]), case["padding"]
    if case["op"] == "conv":
        if len(padding) == 4:
            top, bottom, left, right = padding
            xt = F.pad(xt, (left, right, top, bottom))
            padding = (0, 0)
        y = F.conv2d(xt, wt, stride=stride, padding=tuple(padding), dilation=dilation)
    else:
        y = F.conv_transpose2d(
            xt,
            wt,
            stride=stride,
            padding=tuple(padding),
            output_padding=tuple(case["output_padding"]),
            dilation=dilation,
        )
    return y[0, 0].numpy()


def _tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    top, bottom, left, right = padding
    return [[0, 0], [top, bottom], [left, right], [0, 0]]


def run_tf(tf, case: dict) -> np.ndarray:
    x = np.asarray(case["input"], dtype=np.float64)
    w = np.asarray(case["weights"], dtype=np.float64)
    xt = tf.constant(x.reshape(1, *x.shape, 1))
    wt = tf.constant(w.reshape(*w.shape, 1, 1))  # [kh, kw, in=1, out=1] / [kh, kw, out=1, in=1]
    (sh, sw), (dh, dw) = case["stride"], case["dilation"]
    padding = _tf_padding(case["padding"])
    if case["api"] == "conv2d":
        y = tf.nn.conv2d(xt, wt, strides=[1, sh, sw, 1], padding=padding, dilations=[1, dh, dw, 1])
    elif case["api"] == "conv2d_transpose":
        y = tf.nn.conv2d_transpose(
            xt,
            wt,
            output_shape=[1, *case["output_size"], 1],
            strides=[1, sh, sw, 1],
            padding=padding,
            dilations=[1, dh, dw, 1],
        )
    elif case["api"] == "atrous_conv2d_transpose":
        assert (sh, sw) == (1, 1) and dh == dw
        y = tf.nn.atrous_conv2d_transpose(
            xt, wt, output_shape=[1, *case["output_size"], 1], rate=dh, padding=padding
        )
    else:
        raise ValueError(case["api"])
    return y.numpy()[0, :, :, 0]


# ---------------------------------------------------------------------------------------------
# Case generation
# ---------------------------------------------------------------------------------------------


def _rng(section: int) -> np.random.Generator:
    return np.random.default_rng([SEED, section])


def _values(rng: np.random.Generator, shape) -> list:
    return rng.integers(VMIN, VMAX + 1, size=shape).tolist()


def _pair(rng: np.random.Generator, lo: int, hi: int) -> list:
    return [int(v) for v in rng.integers(lo, hi + 1, size=2)]


def _base(rng, lib, api, op, in_shape, k_shape, stride, dilation, padding) -> dict:
    return {
        "lib": lib,
        "api": api,
        "op": op,
        "input": _values(rng, in_shape),
        "weights": _values(rng, k_shape),
        "stride": [int(v) for v in stride],
        "dilation": [int(v) for v in dilation],
        "padding": padding,
    }


def _conv_fits(in_shape, k_shape, stride, dilation, pads) -> bool:
    """Sampling filter only: does the padded input hold at least one kernel window?"""
    top, bottom, left, right = pads
    return (
        conv_out_len(in_shape[0], k_shape[0], stride[0], dilation[0], top, bottom) >= 1
        and conv_out_len(in_shape[1], k_shape[1], stride[1], dilation[1], left, right) >= 1
    )


def torch_conv_specs() -> list[dict]:
    rng = _rng(1)
    specs = []
    while len(specs) < 120:  # symmetric padding via conv2d's padding=
        h, w = _pair(rng, 1, 9)
        kh, kw = _pair(rng, 1, 5)
        s, d, p = _pair(rng, 1, 3), _pair(rng, 1, 3), _pair(rng, 0, 3)
        if not _conv_fits((h, w), (kh, kw), s, d, (p[0], p[0], p[1], p[1])):
            continue
        specs.append(_base(rng, "torch", "conv2d", "conv", (h, w), (kh, kw), s, d, p))
    while len(specs) < 160:  # asymmetric padding via F.pad + padding-0 conv2d
        h, w = _pair(rng, 1, 9)
        kh, kw = _pair(rng, 1, 5)
        s, d = _pair(rng, 1, 3), _pair(rng, 1, 3)
        top, bottom, left, right = (int(v) for v in rng.integers(0, 4, size=4))
        if top == bottom and left == right:
            continue
        pads = [top, bottom, left, right]
        if not _conv_fits((h, w), (kh, kw), s, d, pads):
            continue
        specs.append(_base(rng, "torch", "pad+conv2d", "conv", (h, w), (kh, kw), s, d, pads))
    return specs


def _torch_tr_len(n, k, s, d, p, op):
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def torch_transposed_specs() -> list[dict]:
    rng = _rng(2)
    specs = []

    def add(in_shape, k_shape, s, d, p, op):
        lengths = map(_torch_tr_len, in_shape, k_shape, s, d, p, op)
        if min(lengths) < 1:
            return False
        case = _base(rng, "torch", "conv_transpose2d", "transposed", in_shape, k_shape, s, d, p)
        case["output_padding"] = [int(v) for v in op]
        specs.append(case)
        return True

    # every stride / output_padding combination on one fixed geometry
    for s in range(1, 4):
        for op in range(s):
            add((3, 4), (3, 2), (s, s), (1, 1), (1, 0), (op, op))
    n = len(specs) + 110
    while len(specs) < n:  # general random cases
        in_shape, k_shape = _pair(rng, 1, 6), _pair(rng, 1, 5)
        s, d = _pair(rng, 1, 3), _pair(rng, 1, 3)
        p = [
            int(rng.integers(0, min((k - 1) * dd + 2, 6) + 1))
            for k, dd in zip(k_shape, d, strict=True)
        ]
        op = [int(rng.integers(0, max(a, b))) for a, b in zip(s, d, strict=True)]
        add(in_shape, k_shape, s, d, p, op)
    n = len(specs) + 30
    while len(specs) < n:  # padding > (k-1)*d on at least one axis: heavy cropping
        in_shape, k_shape = _pair(rng, 3, 6), _pair(rng, 1, 4)
        s, d = _pair(rng, 1, 3), _pair(rng, 1, 3)
        p = [(k - 1) * dd + int(rng.integers(1, 4)) for k, dd in zip(k_shape, d, strict=True)]
        if rng.random() < 0.3:
            axis = int(rng.integers(0, 2))
            p[axis] = int(rng.integers(0, (k_shape[axis] - 1) * d[axis] + 1))
        op = [int(rng.integers(0, max(a, b))) for a, b in zip(s, d, strict=True)]
        add(in_shape, k_shape, s, d, p, op)
    n = len(specs) + 30
    while len(specs) < n:  # dilation > stride and stride <= output_padding < dilation
        in_shape, k_shape = _pair(rng, 1, 6), _pair(rng, 1, 5)
        s = _pair(rng, 1, 2)
        d = [int(rng.integers(a + 1, 4)) for a in s]
        op = [int(rng.integers(a, b)) for a, b in zip(s, d, strict=True)]
        if rng.random() < 0.3:  # only one axis in that regime
            axis = int(rng.integers(0, 2))
            op[axis] = int(rng.integers(0, s[axis]))
        p = [int(rng.integers(0, (k - 1) * dd + 2)) for k, dd in zip(k_shape, d, strict=True)]
        add(in_shape, k_shape, s, d, p, op)
    return specs


def tf_conv_specs() -> list[dict]:
    rng = _rng(3)
    specs = []
    while len(specs) < 160:
        h, w = _pair(rng, 1, 9)
        kh, kw = _pair(rng, 1, 5)
        s, d = _pair(rng, 1, 3), _pair(rng, 1, 3)
        r = rng.random()
        if r < 0.4:
            padding, pads = "valid", (0, 0, 0, 0)
        elif r < 0.8:
            padding, pads = "same", None
        else:
            pads = tuple(int(v) for v in rng.integers(0, 4, size=4))
            padding = list(pads)
        if pads is not None and not _conv_fits((h, w), (kh, kw), s, d, pads):
            continue
        specs.append(_base(rng, "tf", "conv2d", "conv", (h, w), (kh, kw), s, d, padding))
    return specs


def tf_transposed_configs() -> list[dict]:
    """Transposed configurations without output_size; sizes are enumerated against TF later."""
    rng = _rng(4)
    configs = [
        # the classic ambiguity: SAME, stride 2, input 3 -> output 5 or 6
        _base(rng, "tf", "conv2d_transpose", "transposed", (3, 3), (3, 3), (2, 2), (1, 1), "same"),
        _base(rng, "tf", "conv2d_transpose", "transposed", (3, 4), (2, 3), (3, 2), (1, 1), "valid"),
    ]
    while len(configs) < 62:
        in_shape, k_shape, s = _pair(rng, 1, 5), _pair(rng, 1, 5), _pair(rng, 1, 3)
        r = rng.random()
        if r < 0.45:
            padding = "valid"
        elif r < 0.9:
            padding = "same"
        else:
            padding = [int(v) for v in rng.integers(0, 3, size=4)]
        configs.append(
            _base(
                rng, "tf", "conv2d_transpose", "transposed", in_shape, k_shape, s, (1, 1), padding
            )
        )
    # dilation: tf.nn.conv2d_transpose refuses dilations > 1 on CPU, so dilated transposed
    # cases come from tf.nn.atrous_conv2d_transpose (stride 1, equal rate on both axes).
    while len(configs) < 80:
        in_shape, k_shape = _pair(rng, 1, 5), _pair(rng, 1, 4)
        rate = int(rng.integers(2, 4))
        padding = "valid" if rng.random() < 0.5 else "same"
        configs.append(
            _base(
                rng,
                "tf",
                "atrous_conv2d_transpose",
                "transposed",
                in_shape,
                k_shape,
                (1, 1),
                (rate, rate),
                padding,
            )
        )
    return configs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _tf_errors(tf):
    return (tf.errors.OpError, ValueError)


def enumerate_tf_output_sizes(tf, config: dict):
    """Try every output size in a generous box; return (legal sizes, some rejected sizes)."""
    x, w = np.asarray(config["input"]), np.asarray(config["weights"])
    bounds = [
        n * s + (k - 1) * d + 2 * s + 2
        for n, k, s, d in zip(x.shape, w.shape, config["stride"], config["dilation"], strict=True)
    ]
    legal, rejected = [], []
    for oh in range(1, bounds[0] + 1):
        for ow in range(1, bounds[1] + 1):
            case = dict(config, output_size=[oh, ow])
            try:
                out = run_tf(tf, case)
            except _tf_errors(tf) as exc:
                rejected.append((case, _first_line(exc)))
                continue
            legal.append((case, out))
    for case, _ in legal:  # a legal size on the edge of the box would mean the box is too small
        if case["output_size"][0] == bounds[0] or case["output_size"][1] == bounds[1]:
            raise RuntimeError(f"search box too small for {config}")
    return legal, rejected


# ---------------------------------------------------------------------------------------------
# Invalid cases
# ---------------------------------------------------------------------------------------------


def torch_invalid_specs() -> list[dict]:
    rng = _rng(5)

    def tr(in_shape, k_shape, s, d, p, op):
        case = _base(rng, "torch", "conv_transpose2d", "transposed", in_shape, k_shape, s, d, p)
        case["output_padding"] = list(op)
        return case

    return [
        tr((3, 3), (3, 3), (2, 2), (1, 1), [0, 0], (2, 0)),  # output_padding == stride
        tr((3, 3), (2, 2), (1, 1), (1, 1), [0, 0], (0, 1)),  # stride 1, dilation 1
        tr((3, 4), (3, 3), (2, 2), (3, 3), [1, 1], (0, 3)),  # == max(stride, dilation)
        tr((2, 2), (3, 3), (3, 1), (1, 2), [0, 0], (1, 2)),  # == dilation > stride
        tr((2, 2), (2, 2), (1, 1), (1, 1), [3, 0], (0, 0)),  # output size <= 0
        _base(rng, "torch", "conv2d", "conv", (3, 3), (5, 5), (1, 1), (1, 1), [0, 0]),
        _base(rng, "torch", "conv2d", "conv", (5, 5), (3, 3), (1, 1), (3, 3), [0, 1]),
    ]


def tf_invalid_specs() -> list[dict]:
    rng = _rng(6)

    def tr(in_shape, k_shape, s, d, padding, out_size, api="conv2d_transpose"):
        case = _base(rng, "tf", api, "transposed", in_shape, k_shape, s, d, padding)
        case["output_size"] = list(out_size)
        return case

    return [
        tr((3, 3), (3, 3), (2, 2), (1, 1), "same", (4, 5)),  # SAME s2 n3 takes only 5, 6
        tr((3, 3), (3, 3), (2, 2), (1, 1), "same", (7, 6)),
        tr((3, 3), (3, 3), (2, 2), (1, 1), "valid", (6, 7)),  # VALID takes only 7, 8
        tr((3, 3), (3, 3), (2, 2), (1, 1), "valid", (7, 9)),
        tr((3, 3), (2, 2), (2, 2), (1, 1), [1, 0, 0, 1], (4, 5)),
        tr((3, 3), (3, 3), (1, 1), (2, 2), "valid", (7, 7)),  # dilation on CPU
        tr((3, 3), (3, 3), (2, 2), (2, 2), "same", (6, 6)),
        _base(rng, "tf", "conv2d", "conv", (3, 3), (5, 5), (1, 1), (1, 1), "valid"),
    ]


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def _as_json_array(a: np.ndarray) -> list:
    a = np.asarray(a, dtype=np.float64)
    if np.all(a == np.round(a)):
        return a.astype(np.int64).tolist()
    return a.tolist()


def _import(name: str):
    try:
        if name == "tensorflow":
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            import tensorflow as module
        else:
            import torch as module
    except ImportError as exc:
        print(f"skipping {name}: {exc}", file=sys.stderr)
        return None
    return module


def generate() -> dict:
    torch, tf = _import("torch"), _import("tensorflow")
    cases, invalid, notes = [], [], []

    if torch is not None:
        torch.set_num_threads(1)
        for spec in torch_conv_specs() + torch_transposed_specs():
            cases.append(dict(spec, output=_as_json_array(run_torch(torch, spec))))
        for spec in torch_invalid_specs():
            try:
                out = run_torch(torch, spec)
            except RuntimeError as exc:
                invalid.append(dict(spec, error=_first_line(exc)))
            else:
                notes.append(f"torch accepted a case expected to fail: {spec} -> {out.shape}")

    if tf is not None:
        for spec in tf_conv_specs():
            cases.append(dict(spec, output=_as_json_array(run_tf(tf, spec))))
        tried = 0
        for config in tf_transposed_configs():
            legal, rejected = enumerate_tf_output_sizes(tf, config)
            tried += len(legal) + len(rejected)
            if not legal:
                notes.append(f"TF accepted no output size for {config}")
            for case, out in legal:
                cases.append(dict(case, output=_as_json_array(out)))
        notes.append(
            f"TF transposed legality: {tried} output sizes tried by calling TF; "
            "cases hold every size TF accepted."
        )
        for spec in tf_invalid_specs():
            try:
                out = run_tf(tf, spec)
            except _tf_errors(tf) as exc:
                invalid.append(dict(spec, error=_first_line(exc)))
            else:
                notes.append(f"TF accepted a case expected to fail: {spec} -> {out.shape}")
        notes.append(
            "tf.nn.conv2d_transpose (Conv2DBackpropInput) rejects dilations > 1 on CPU for any "
            "stride; dilated TF transposed cases use tf.nn.atrous_conv2d_transpose (stride 1). "
            "tf.nn.conv2d accepts dilation together with stride > 1 on CPU."
        )

    mismatches = []
    for index, case in enumerate(cases):
        expected = naive(case)
        got = np.asarray(case["output"], dtype=np.float64)
        if expected.shape != got.shape or not np.array_equal(expected, got):
            params = {k: v for k, v in case.items() if k not in ("input", "weights", "output")}
            mismatches.append(
                {
                    "index": index,
                    "params": params,
                    "naive_shape": list(expected.shape),
                    "lib_shape": list(got.shape),
                }
            )
            print(f"NAIVE MISMATCH case {index}: {params}", file=sys.stderr)

    return {
        "generated_with": {
            "torch": None if torch is None else torch.__version__,
            "tensorflow": None if tf is None else tf.__version__,
        },
        "seed": SEED,
        "notes": notes,
        "naive_mismatches": mismatches,
        "cases": cases,
        "invalid": invalid,
    }


def write_json(data: dict, path: str) -> None:
    """Write with one case per line: compact, yet readable and diff-friendly."""

    def dump(obj):
        return json.dumps(obj, separators=(",", ":"))

    lines = ["{"]
    for key in ("generated_with", "seed", "notes", "naive_mismatches"):
        lines.append(f"{json.dumps(key)}:{dump(data[key])},")
    for key in ("cases", "invalid"):
        items = ",\n".join(dump(item) for item in data[key])
        sep = "," if key == "cases" else ""
        lines.append(f"{json.dumps(key)}:[\n{items}\n]{sep}")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def summary(data: dict) -> str:
    counts: dict[str, int] = {}
    for case in data["cases"]:
        key = f"{case['lib']}/{case['op']}/{case['api']}"
        counts[key] = counts.get(key, 0) + 1
    rows = [f"  {key}: {n}" for key, n in sorted(counts.items())]
    rows.append(f"  invalid: {len(data['invalid'])}")
    rows.append(f"  naive mismatches: {len(data['naive_mismatches'])}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the JSON file to write")
    args = parser.parse_args(argv)
    data = generate()
    write_json(data, args.out)
    print(f"wrote {len(data['cases'])} cases to {args.out}\n{summary(data)}")
    return 1 if data["naive_mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
