"""deconv-anim against the real libraries.

``tests/data/reference_cases.json`` holds cases computed by PyTorch and TensorFlow
(``tests/tools/make_reference_cases.py``), so neither needs to be installed here. When torch
is importable, a few hundred random cases are also compared live.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import naive
from deconv_anim import ConfigError, compute, make_spec

DATA = Path(__file__).parent / "data" / "reference_cases.json"


def _load() -> dict:
    if not DATA.is_file():
        pytest.skip(f"{DATA} is missing: generate it with "
                    "tests/tools/make_reference_cases.py (needs torch and/or tensorflow)")
    return json.loads(DATA.read_text(encoding="utf-8"))


def _data() -> dict:
    return _load() if DATA.is_file() else {"cases": [], "invalid": []}


def _id(case: dict) -> str:
    extra = case.get("output_padding", case.get("output_size", ""))
    return (f"{case['lib']}-{case.get('api', case['op'])}-s{case['stride']}-d{case['dilation']}"
            f"-p{case['padding']}-{extra}")


def spec_of(case: dict):
    """The make_spec call that reproduces a library case."""
    padding = case["padding"]
    if isinstance(padding, str):
        padding = padding.lower()
    kwargs = {"op": case["op"], "input": case["input"], "weights": case["weights"],
              "stride": case["stride"], "dilation": case["dilation"], "padding": padding}
    if case["op"] == "transposed":
        if case["lib"] == "torch":
            kwargs["output_padding"] = case["output_padding"]
        else:
            kwargs["output_size"] = case["output_size"]
    return make_spec(**kwargs)


def _is_platform_limit(case: dict) -> bool:
    """TF's CPU kernel refuses dilated conv2d_transpose: a missing kernel, not a rule."""
    return "do not yet support dilation" in case.get("error", "")


CASES = _data()["cases"]
INVALID = _data()["invalid"]


def test_reference_file():
    data = _load()
    assert data["cases"], "no cases"
    assert any(c["lib"] == "torch" for c in data["cases"])
    assert any(c["lib"] == "tf" for c in data["cases"])
    assert data.get("naive_mismatches", []) == []  # the generator's own check
    ops = {(c["lib"], c["op"]) for c in data["cases"]}
    assert ops == {("torch", "conv"), ("torch", "transposed"), ("tf", "conv"),
                   ("tf", "transposed")}


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES] or None)
def test_reference_case(case):
    spec = spec_of(case)
    want = np.array(case["output"], dtype=np.float64)
    got = compute(spec)
    assert got.shape == want.shape == spec.output_size
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(naive.reference(spec), want)


@pytest.mark.parametrize("case", INVALID, ids=[_id(c) for c in INVALID] or None)
def test_reference_invalid_case(case):
    if _is_platform_limit(case):  # legal arithmetic, so deconv-anim accepts it
        spec = spec_of(case)
        np.testing.assert_array_equal(compute(spec), naive.reference(spec))
        return
    with pytest.raises(ConfigError):
        spec_of(case)


def test_tf_legal_output_sizes_are_exactly_the_accepted_ones():
    """For each TF transposed config, the output sizes TF accepted are the legal range."""
    data = _load()
    accepted: dict[str, set[tuple[int, int]]] = {}
    for case in data["cases"]:
        if case["lib"] == "tf" and case["op"] == "transposed":
            key = json.dumps([case["input"], case["weights"], case["stride"], case["dilation"],
                              case["padding"]])
            accepted.setdefault(key, set()).add(tuple(case["output_size"]))
    assert accepted
    for key, sizes in accepted.items():
        x, w, stride, dilation, padding = json.loads(key)
        n, k = np.shape(x), np.shape(w)
        legal = set()
        for oh in range(1, n[0] * stride[0] + k[0] * dilation[0] + 2 * stride[0] + 3):
            for ow in range(1, n[1] * stride[1] + k[1] * dilation[1] + 2 * stride[1] + 3):
                try:
                    make_spec(op="transposed", size=list(n), kernel=list(k), stride=stride,
                              dilation=dilation, padding=padding, output_size=[oh, ow])
                except ConfigError:
                    continue
                legal.add((oh, ow))
        assert legal == sizes, (key, sorted(legal ^ sizes))


# ---------------------------------------------------------------------------------------------
# Live PyTorch
# ---------------------------------------------------------------------------------------------


def _torch_cases(rng: np.random.Generator, count: int):
    """(kwargs for make_spec, torch call) pairs; torch is applied by the caller."""
    made = 0
    while made < count:
        op = ("conv", "transposed", "maxpool", "avgpool")[made % 4]
        n = rng.integers(1, 8, size=2).tolist()
        k = rng.integers(1, 5, size=2).tolist()
        s = rng.integers(1, 4, size=2).tolist()
        d = [1, 1] if op == "avgpool" else rng.integers(1, 4, size=2).tolist()
        x = rng.integers(-3, 4, size=n).tolist()
        kwargs = {"op": op, "input": x, "kernel": k, "stride": s, "dilation": d}
        if op in ("conv", "transposed"):
            kwargs["weights"] = rng.integers(-3, 4, size=k).tolist()
            del kwargs["kernel"]
        form = rng.integers(0, 3)
        if op == "conv" and form == 0:
            kwargs["padding"] = rng.integers(0, 4, size=4).tolist()  # F.pad + conv2d
        elif op == "conv" and form == 1 and s == [1, 1]:
            kwargs["padding"] = "same"  # torch's padding='same' (stride 1)
        elif op in ("maxpool", "avgpool"):
            kwargs["padding"] = [int(rng.integers(0, kk // 2 + 1)) for kk in k]
        else:
            kwargs["padding"] = rng.integers(0, 4, size=2).tolist()
        if op == "transposed":
            kwargs["output_padding"] = [int(rng.integers(0, max(a, b)))
                                        for a, b in zip(s, d, strict=True)]
        if op == "avgpool":
            kwargs["count_include_pad"] = bool(rng.integers(0, 2))
        try:
            spec = make_spec(**kwargs)
        except ConfigError:
            continue
        made += 1
        yield kwargs, spec


def _run_torch(torch, kwargs: dict, spec) -> np.ndarray:
    F = torch.nn.functional
    x = torch.tensor(np.asarray(kwargs["input"], dtype=np.float64))[None, None]
    op, s, d, p = kwargs["op"], tuple(spec.stride), tuple(spec.dilation), kwargs["padding"]
    if op == "conv":
        w = torch.tensor(np.asarray(kwargs["weights"], dtype=np.float64))[None, None]
        if p == "same":
            y = F.conv2d(x, w, stride=s, padding="same", dilation=d)
        else:
            if len(p) == 4:
                x = F.pad(x, (p[2], p[3], p[0], p[1]))
                p = [0, 0]
            y = F.conv2d(x, w, stride=s, padding=tuple(p), dilation=d)
    elif op == "transposed":
        w = torch.tensor(np.asarray(kwargs["weights"], dtype=np.float64))[None, None]
        y = F.conv_transpose2d(x, w, stride=s, padding=tuple(p),
                               output_padding=tuple(kwargs["output_padding"]), dilation=d)
    elif op == "maxpool":
        y = F.max_pool2d(x, tuple(spec.kernel_size), stride=s, padding=tuple(p), dilation=d)
    else:
        y = F.avg_pool2d(x, tuple(spec.kernel_size), stride=s, padding=tuple(p),
                         count_include_pad=kwargs["count_include_pad"])
    return y[0, 0].numpy()


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
def test_live_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2024)
    for kwargs, spec in _torch_cases(rng, 400):
        want = _run_torch(torch, kwargs, spec)
        got = compute(spec)
        assert got.shape == want.shape, kwargs
        np.testing.assert_array_equal(got, want, err_msg=str(kwargs))


def test_live_torch_rejects_what_deconv_anim_rejects():
    """Pool padding and output_padding: deconv-anim's errors are PyTorch's errors."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.zeros((1, 1, 8, 8), dtype=torch.float64)
    for k, d, p in [(3, 2, 1), (3, 2, 2), (2, 3, 1), (2, 3, 2), (1, 2, 1), (4, 1, 2)]:
        try:
            F.max_pool2d(x, k, stride=1, padding=p, dilation=d)
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        try:
            make_spec(op="maxpool", size=8, kernel=k, stride=1, padding=p, dilation=d)
            ours_ok = True
        except ConfigError:
            ours_ok = False
        assert torch_ok == ours_ok, (k, d, p)
