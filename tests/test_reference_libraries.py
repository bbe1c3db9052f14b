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


# ---------------------------------------------------------------------------------------------
# Channels, groups and bias: recorded PyTorch cases (tests/tools/make_channel_cases.py)
# ---------------------------------------------------------------------------------------------

CHANNEL_DATA = Path(__file__).parent / "data" / "channel_cases.json"


def _channel_data() -> dict:
    if not CHANNEL_DATA.is_file():
        return {"cases": [], "invalid": []}
    return json.loads(CHANNEL_DATA.read_text(encoding="utf-8"))


def _channel_id(case: dict) -> str:
    spec = case["spec"]
    shape = np.shape(spec["weights"])
    return (f"{case.get('api', spec['op'])}-w{'x'.join(map(str, shape))}-g{spec['groups']}"
            f"-s{spec.get('stride')}-d{spec.get('dilation')}-p{spec.get('padding')}"
            f"-b{int('bias' in spec)}")


CHANNEL_CASES = _channel_data()["cases"]
CHANNEL_INVALID = _channel_data()["invalid"]


def test_channel_reference_file():
    if not CHANNEL_DATA.is_file():
        pytest.skip(f"{CHANNEL_DATA} is missing: generate it with "
                    "tests/tools/make_channel_cases.py (needs torch)")
    data = _channel_data()
    assert data["naive_mismatches"] == [] and data["generated_with"]["torch"]
    apis = {case["api"] for case in data["cases"]}
    assert apis == {"conv2d", "pad+conv2d", "conv2d_same", "tf_same+pad+conv2d",
                    "conv_transpose2d", "conv_transpose2d+crop"}
    specs = [case["spec"] for case in data["cases"]]
    c_in = [np.shape(s["input"])[0] for s in specs]
    assert any(s["groups"] == c > 1 for s, c in zip(specs, c_in, strict=True))  # depthwise
    assert any(1 < s["groups"] < c for s, c in zip(specs, c_in, strict=True))  # grouped
    assert any("bias" in s for s in specs) and any("bias" not in s for s in specs)
    assert any(max(s["dilation"]) > 1 for s in specs)
    assert any(max(s.get("output_padding", [0])) > 0 for s in specs)
    assert any(s["padding"] in ("same", "full") for s in specs if s["op"] == "transposed")
    assert len(data["invalid"]) >= 8


@pytest.mark.parametrize("case", CHANNEL_CASES,
                         ids=[_channel_id(c) for c in CHANNEL_CASES] or None)
def test_channel_reference_case(case):
    spec = make_spec(**case["spec"])
    want = np.array(case["output"], dtype=np.float64)
    assert spec.channels and spec.output_shape == want.shape
    np.testing.assert_array_equal(compute(spec), want)
    np.testing.assert_array_equal(naive.reference(spec), want)


@pytest.mark.parametrize("case", CHANNEL_INVALID,
                         ids=[_channel_id(c) for c in CHANNEL_INVALID] or None)
def test_channel_reference_invalid_case(case):
    with pytest.raises(ConfigError) as error:
        make_spec(**case["spec"])
    assert error.value.key in ("groups", "weights", "bias"), error.value


def _torch_channel_cases(rng: np.random.Generator, count: int):
    """(make_spec keywords, spec) of random channel ops, float values, every padding form."""
    made = 0
    while made < count:
        op = ("conv", "transposed")[made % 2]
        groups = int(rng.integers(1, 4))
        c_in = groups * int(rng.integers(1, 4))
        c_out = c_in * int(rng.integers(1, 3)) if rng.integers(0, 4) == 0 else (
            groups * int(rng.integers(1, 4)))
        if rng.integers(0, 4) == 0:
            groups = c_in  # depthwise
            c_out = c_in * int(rng.integers(1, 3))
        n = rng.integers(1, 7, size=2).tolist()
        k = rng.integers(1, 4, size=2).tolist()
        lead = (c_out, c_in // groups) if op == "conv" else (c_in, c_out // groups)
        kwargs = {"op": op, "input": rng.normal(size=(c_in, *n)).round(3).tolist(),
                  "weights": rng.normal(size=(*lead, *k)).round(3).tolist(),
                  "groups": groups, "stride": rng.integers(1, 4, size=2).tolist(),
                  "dilation": rng.integers(1, 3, size=2).tolist(),
                  "padding": rng.integers(0, 3, size=2).tolist()}
        if op == "conv" and rng.integers(0, 3) == 0:
            kwargs["padding"] = rng.integers(0, 3, size=4).tolist()
        if rng.integers(0, 2):
            kwargs["bias"] = rng.normal(size=c_out).round(3).tolist()
        if op == "transposed":
            kwargs["out_channels"] = c_out
            kwargs["output_padding"] = [int(rng.integers(0, max(s, d))) for s, d in
                                        zip(kwargs["stride"], kwargs["dilation"], strict=True)]
        try:
            spec = make_spec(**kwargs)
        except ConfigError:
            continue
        made += 1
        yield kwargs, spec


def test_live_torch_channels():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(151)
    for kwargs, spec in _torch_channel_cases(rng, 200):
        x = torch.tensor(np.asarray(kwargs["input"]))[None]
        w = torch.tensor(np.asarray(kwargs["weights"]))
        b = None if "bias" not in kwargs else torch.tensor(np.asarray(kwargs["bias"]))
        p = kwargs["padding"]
        if kwargs["op"] == "conv":
            if len(p) == 4:
                x, p = F.pad(x, (p[2], p[3], p[0], p[1])), [0, 0]
            want = F.conv2d(x, w, b, stride=kwargs["stride"], padding=p,
                            dilation=kwargs["dilation"], groups=kwargs["groups"])
            module = torch.nn.Conv2d(spec.in_channels, spec.out_channels, spec.kernel_size,
                                     groups=spec.groups, bias=b is not None)
        else:
            want = F.conv_transpose2d(x, w, b, stride=kwargs["stride"], padding=p,
                                      output_padding=kwargs["output_padding"],
                                      dilation=kwargs["dilation"], groups=kwargs["groups"])
            module = torch.nn.ConvTranspose2d(spec.in_channels, spec.out_channels,
                                              spec.kernel_size, groups=spec.groups,
                                              bias=b is not None)
        got = compute(spec)
        assert got.shape == tuple(want.shape[1:]), kwargs
        np.testing.assert_allclose(got, want[0].numpy(), rtol=1e-10, atol=1e-10,
                                   err_msg=str(kwargs))
        assert tuple(module.weight.shape) == spec.weight_shape
        assert sum(t.numel() for t in module.parameters()) == spec.params


def test_live_torch_refuses_the_groups_deconv_anim_refuses():
    torch = pytest.importorskip("torch")
    for c_in, c_out, groups in [(4, 2, 2), (4, 3, 2), (3, 6, 3), (3, 4, 3), (6, 4, 4),
                                (2, 2, 1), (5, 5, 5), (4, 6, 4)]:
        try:
            torch.nn.Conv2d(c_in, c_out, 3, groups=groups)
            torch_ok = True
        except ValueError:
            torch_ok = False
        try:
            make_spec(op="conv", size=4, kernel=3, in_channels=c_in, out_channels=c_out,
                      groups=groups)
            ours_ok = True
        except ConfigError as error:
            assert error.key == "groups"
            ours_ok = False
        assert torch_ok == ours_ok, (c_in, c_out, groups)
