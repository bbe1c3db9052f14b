"""Generate ground-truth channel cases (channels, groups, depthwise, bias) from PyTorch.

The output JSON (``tests/data/channel_cases.json``) lets deconv-anim's channel mode be tested
against ``torch.nn.functional.conv2d`` / ``conv_transpose2d`` without torch installed.

How to run (from the repository root, in a virtualenv with ``pip install torch==2.13.0``)::

    python tests/tools/make_channel_cases.py tests/data/channel_cases.json

Generation is deterministic (one seeded NumPy generator). Inputs, weights and biases are
small integers (-3..3) and all arithmetic is float64, so every output is an exact integer.
Before writing, every case is recomputed by ``tests/naive.py``'s channel loops (written from
the definitions, not from deconv-anim) and disagreements are stored under
``naive_mismatches`` (an empty list means full agreement).

Case format (one object per line)::

    api      the torch call: "conv2d" (symmetric padding), "pad+conv2d" (F.pad with
             [top, bottom, left, right], then conv2d), "conv2d_same" (torch's padding='same',
             stride 1), "tf_same+pad+conv2d" (TensorFlow's SAME resolved to explicit padding,
             F.pad, conv2d), "conv_transpose2d" (symmetric padding, output_padding),
             "conv_transpose2d+crop" (padding 0, then the rows and columns of an asymmetric,
             ``full`` or TF ``same`` padding cropped; the bias added after)
    spec     the make_spec keywords of the same op (op, input, weights, groups, bias, stride,
             dilation, padding, and output_padding or output_size)
    output   [C_out][H_out][W_out]

Entries under ``invalid`` hold a ``spec`` torch refused and the first line of its error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for naive.py

import naive

SEED = 20261201
VMIN, VMAX = -3, 3


def _ints(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(VMIN, VMAX + 1, size=shape).astype(np.float64)


def _counts(rng: np.random.Generator) -> tuple[int, int, int]:
    """(C_in, C_out, groups): standard, grouped, depthwise (with a multiplier) or pointwise."""
    kind = rng.integers(0, 4)
    if kind == 0:  # depthwise, multiplier 1..2
        c_in = int(rng.integers(1, 5))
        return c_in, c_in * int(rng.integers(1, 3)), c_in
    groups = 1 if kind == 1 else int(rng.integers(2, 4))
    return (groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3)), groups)


def _same(n: int, k_eff: int, s: int) -> tuple[int, int]:
    """TensorFlow's SAME padding of a convolution over n cells."""
    total = max((-(-n // s) - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def conv_case(rng: np.random.Generator, torch) -> dict:
    F = torch.nn.functional
    c_in, c_out, g = _counts(rng)
    size = rng.integers(2, 7, size=2).tolist()
    kernel = rng.integers(1, 4, size=2).tolist()
    stride = rng.integers(1, 4, size=2).tolist()
    dilation = rng.integers(1, 3, size=2).tolist()
    x, w = _ints(rng, (c_in, *size)), _ints(rng, (c_out, c_in // g, *kernel))
    bias = _ints(rng, (c_out,)) if rng.integers(0, 2) else None
    k_eff = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    form = int(rng.integers(0, 4))
    xt, wt = torch.tensor(x)[None], torch.tensor(w)
    bt = None if bias is None else torch.tensor(bias)
    if form == 2:
        stride = [1, 1]  # torch's padding='same' is stride 1 only
    if form == 0:
        api, padding = "conv2d", rng.integers(0, 3, size=2).tolist()
        pads = [padding[0], padding[0], padding[1], padding[1]]
    elif form == 1:
        api, padding = "pad+conv2d", rng.integers(0, 3, size=4).tolist()
        pads = padding
    elif form == 2:
        api, padding, pads = "conv2d_same", "same", None
    else:
        api, padding = "tf_same+pad+conv2d", "same"
        pads = [*_same(size[0], k_eff[0], stride[0]), *_same(size[1], k_eff[1], stride[1])]
    if any(n + (0 if pads is None else pads[2 * a] + pads[2 * a + 1]) < k_eff[a]
           for a, n in enumerate(size)):
        return {}
    if api == "conv2d_same":
        y = F.conv2d(xt, wt, bt, stride=stride, padding="same", dilation=dilation, groups=g)
    elif api == "conv2d":
        y = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation, groups=g)
    else:
        xt = F.pad(xt, (pads[2], pads[3], pads[0], pads[1]))
        y = F.conv2d(xt, wt, bt, stride=stride, padding=0, dilation=dilation, groups=g)
    spec = {"op": "conv", "input": x, "weights": w, "groups": g, "stride": stride,
            "dilation": dilation, "padding": padding}
    if bias is not None:
        spec["bias"] = bias
    return {"api": api, "spec": spec, "output": y[0].numpy()}


def transposed_case(rng: np.random.Generator, torch) -> dict:
    F = torch.nn.functional
    c_in, c_out, g = _counts(rng)
    size = rng.integers(1, 6, size=2).tolist()
    kernel = rng.integers(1, 4, size=2).tolist()
    stride = rng.integers(1, 4, size=2).tolist()
    dilation = rng.integers(1, 3, size=2).tolist()
    x, w = _ints(rng, (c_in, *size)), _ints(rng, (c_in, c_out // g, *kernel))
    bias = _ints(rng, (c_out,)) if rng.integers(0, 2) else None
    k_eff = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    xt, wt = torch.tensor(x)[None], torch.tensor(w)
    spec = {"op": "transposed", "input": x, "weights": w, "groups": g, "stride": stride,
            "dilation": dilation}
    if bias is not None:
        spec["bias"] = bias
    form = int(rng.integers(0, 3))
    if form == 0:
        padding = rng.integers(0, 3, size=2).tolist()
        extra = [int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True)]
        if any((n - 1) * s - 2 * p + ke + a < 1 for n, s, p, ke, a in
               zip(size, stride, padding, k_eff, extra, strict=True)):
            return {}
        y = F.conv_transpose2d(xt, wt, None if bias is None else torch.tensor(bias),
                               stride=stride, padding=padding, output_padding=extra,
                               dilation=dilation, groups=g)
        spec.update(padding=padding, output_padding=extra)
        return {"api": "conv_transpose2d", "spec": spec, "output": y[0].numpy()}
    full = F.conv_transpose2d(xt, wt, None, stride=stride, padding=0, dilation=dilation,
                              groups=g)[0].numpy()
    if form == 1:  # explicit [t, b, l, r] or full, and output_padding
        word = rng.integers(0, 3) == 0
        pads = ([k_eff[0] - 1, k_eff[0] - 1, k_eff[1] - 1, k_eff[1] - 1] if word
                else rng.integers(0, 3, size=4).tolist())
        extra = [int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True)]
        spec.update(padding="full" if word else pads, output_padding=extra)
    else:  # TensorFlow's same, for an output size N with ceil(N / s) == n
        out = [int(rng.integers((n - 1) * s + 1, n * s + 1)) for n, s in
               zip(size, stride, strict=True)]
        pads, extra = [], []
        for n, s, ke, big in zip(size, stride, k_eff, out, strict=True):
            total = max((n - 1) * s + ke - big, 0)
            pads += [total // 2, total - total // 2]
            extra.append(big - ((n - 1) * s + ke - total))
        if any(a >= max(s, d) for a, s, d in zip(extra, stride, dilation, strict=True)):
            return {}
        spec.update(padding="same", output_size=out)
    rows = full.shape[1] - pads[0] - pads[1] + extra[0]
    cols = full.shape[2] - pads[2] - pads[3] + extra[1]
    if rows < 1 or cols < 1:
        return {}
    grown = np.pad(full, ((0, 0), (0, max(extra[0] - pads[1], 0)),
                          (0, max(extra[1] - pads[3], 0))))
    y = grown[:, pads[0]:pads[0] + rows, pads[2]:pads[2] + cols]
    if bias is not None:
        y = y + bias[:, None, None]
    return {"api": "conv_transpose2d+crop", "spec": spec, "output": y}


def invalid_specs(rng: np.random.Generator) -> list[dict]:
    """Channel configs torch refuses: groups that do not divide, weights of the wrong
    shape, a bias of the wrong length."""
    x4 = _ints(rng, (4, 5, 5))
    cases = [
        {"op": "conv", "input": x4, "weights": _ints(rng, (3, 2, 3, 3)), "groups": 2},
        {"op": "conv", "input": x4, "weights": _ints(rng, (2, 3, 3, 3)), "groups": 2},
        {"op": "conv", "input": x4, "weights": _ints(rng, (2, 2, 3, 3)), "groups": 1},
        {"op": "conv", "input": x4, "weights": _ints(rng, (2, 4, 3, 3)), "groups": 1,
         "bias": _ints(rng, (3,))},
        {"op": "conv", "input": _ints(rng, (3, 5, 5)), "weights": _ints(rng, (3, 1, 3, 3)),
         "groups": 2},
        {"op": "transposed", "input": x4, "weights": _ints(rng, (4, 2, 3, 3)), "groups": 3},
        {"op": "transposed", "input": x4, "weights": _ints(rng, (3, 2, 3, 3)), "groups": 1},
        {"op": "transposed", "input": x4, "weights": _ints(rng, (4, 1, 3, 3)), "groups": 2,
         "bias": _ints(rng, (4,))},
    ]
    return cases


def run_spec(torch, spec: dict) -> np.ndarray:
    """A spec with symmetric or no padding, run by torch (for the invalid ones)."""
    F = torch.nn.functional
    x, w = torch.tensor(np.asarray(spec["input"]))[None], torch.tensor(np.asarray(spec["weights"]))
    bias = None if "bias" not in spec else torch.tensor(np.asarray(spec["bias"]))
    call = F.conv2d if spec["op"] == "conv" else F.conv_transpose2d
    return call(x, w, bias, groups=spec["groups"])[0].numpy()


def naive_output(spec: dict, output: np.ndarray) -> np.ndarray:
    """The naive loops of tests/naive.py on a case, its padding resolved independently."""
    x, w = np.asarray(spec["input"]), np.asarray(spec["weights"])
    g, bias = spec["groups"], spec.get("bias")
    stride, dilation, padding = spec["stride"], spec["dilation"], spec["padding"]
    k_eff = [(k - 1) * d + 1 for k, d in zip(w.shape[2:], dilation, strict=True)]
    if spec["op"] == "conv":
        if padding == "same":
            pads = [*_same(x.shape[1], k_eff[0], stride[0]), *_same(x.shape[2], k_eff[1],
                                                                    stride[1])]
        elif len(padding) == 2:
            pads = [padding[0], padding[0], padding[1], padding[1]]
        else:
            pads = padding
        return naive.conv2d_channels(x, w, g, bias, stride, dilation, pads)
    if padding == "full":
        top_left = (k_eff[0] - 1, k_eff[1] - 1)
    elif padding == "same":
        top_left = tuple((max((n - 1) * s + ke - big, 0)) // 2 for n, s, ke, big in
                         zip(x.shape[1:], stride, k_eff, spec["output_size"], strict=True))
    else:
        top_left = (padding[0], padding[2 if len(padding) == 4 else 1])
    return naive.transposed2d_channels(x, w, g, bias, stride, dilation, top_left,
                                       output.shape[1:])


def _listed(value):
    if isinstance(value, np.ndarray):
        return value.astype(np.int64).tolist() if np.all(value == np.round(value)) else (
            value.tolist())
    return value


def generate(count: int) -> dict:
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    cases: list[dict] = []
    tries = 0
    while len(cases) < count and tries < 50 * count:
        tries += 1
        make = conv_case if len(cases) % 2 == 0 else transposed_case
        case = make(rng, torch)
        if case:
            cases.append(case)
    invalid = []
    for spec in invalid_specs(rng):
        try:
            run_spec(torch, spec)
        except RuntimeError as error:
            invalid.append({"spec": spec, "error": str(error).splitlines()[0]})
        else:
            raise SystemExit(f"torch accepted a case expected to fail: {spec}")
    mismatches = []
    for index, case in enumerate(cases):
        expected = naive_output(case["spec"], case["output"])
        if expected.shape != case["output"].shape or not np.array_equal(expected,
                                                                         case["output"]):
            mismatches.append({"index": index, "api": case["api"]})
            print(f"NAIVE MISMATCH case {index}: {case['api']}", file=sys.stderr)
    listed = [{"api": c["api"], "spec": {k: _listed(v) for k, v in c["spec"].items()},
               "output": _listed(c["output"])} for c in cases]
    bad = [{"spec": {k: _listed(v) for k, v in c["spec"].items()}, "error": c["error"]}
           for c in invalid]
    return {"generated_with": {"torch": torch.__version__}, "seed": SEED,
            "naive_mismatches": mismatches, "cases": listed, "invalid": bad}


def write_json(data: dict, path: str) -> None:
    """One case per line: compact, yet diff-friendly."""
    def dump(obj):
        return json.dumps(obj, separators=(",", ":"))

    lines = ["{"]
    for key in ("generated_with", "seed", "naive_mismatches"):
        lines.append(f"{json.dumps(key)}:{dump(data[key])},")
    for key in ("cases", "invalid"):
        items = ",\n".join(dump(item) for item in data[key])
        lines.append(f"{json.dumps(key)}:[\n{items}\n]{',' if key == 'cases' else ''}")
    lines.append("}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the JSON file to write")
    parser.add_argument("--count", type=int, default=400, help="number of cases (400)")
    args = parser.parse_args(argv)
    data = generate(args.count)
    write_json(data, args.out)
    apis: dict[str, int] = {}
    for case in data["cases"]:
        apis[case["api"]] = apis.get(case["api"], 0) + 1
    print(f"wrote {len(data['cases'])} cases, {len(data['invalid'])} invalid to {args.out}: "
          f"{apis}; naive mismatches: {len(data['naive_mismatches'])}")
    return 1 if data["naive_mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
