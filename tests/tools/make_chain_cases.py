"""Record chains (``stages:``) run by PyTorch's ``nn.Sequential``.

The output JSON (``tests/data/chain_cases.json``) lets tests/test_chain.py check chains
against PyTorch without torch installed. Run from the repository root, with torch::

    PYTHONPATH=src python tests/tools/make_chain_cases.py tests/data/chain_cases.json

Each case holds a config mapping (every input, weight and bias written out) and the
output of the ``nn.Sequential`` of its layers (tests/chain_torch.py), float64.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/

from chain_torch import sequential_output
from deconv_anim import resolve_config

CHAINS = [
    # depthwise-separable: depthwise 3x3 on 3 channels, then pointwise 1x1 3 -> 4
    {"size": 5, "in_channels": 3, "stages": [
        {"op": "conv", "kernel": 3, "padding": 1, "out_channels": 3, "groups": 3},
        {"op": "conv", "kernel": 1, "out_channels": 4, "bias": True}]},
    # two stacked transposed convs k3 s2
    {"size": 3, "stages": [{"op": "transposed", "kernel": 3, "stride": 2},
                           {"op": "transposed", "kernel": 3, "stride": 2}]},
    {"size": 6, "stages": [{"op": "conv", "kernel": 3, "padding": 1},
                           {"op": "maxpool", "kernel": 2},
                           {"op": "transposed", "kernel": 4, "stride": 2, "padding": 1}]},
    {"size": [5, 7], "stages": [{"op": "conv", "kernel": [3, 2], "stride": [2, 1],
                                 "dilation": [1, 2]},
                                {"op": "avgpool", "kernel": 2, "stride": 1, "padding": 1,
                                 "count_include_pad": False},
                                {"op": "transposed", "kernel": 3, "stride": 2, "padding": 1,
                                 "output_padding": 1}]},
    {"size": 4, "in_channels": 2, "stages": [
        {"op": "transposed", "kernel": 3, "stride": 2, "out_channels": 4, "groups": 2,
         "bias": True},
        {"op": "conv", "kernel": 3, "stride": 2, "padding": 1, "out_channels": 1},
        {"op": "maxpool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True}]},
    {"size": 7, "stages": [{"op": "conv", "kernel": 3, "padding": [0, 1, 1, 2]},
                           {"op": "conv", "kernel": 2, "stride": 2}]},
]


def written(mapping: dict, seed: int) -> dict:
    """The mapping with every value written out (as the chain computed them)."""
    config = resolve_config({**mapping, "seed": seed})
    stages = []
    for given, spec in zip(mapping["stages"], config.stages, strict=True):
        stage = dict(given)
        if not spec.is_pool:
            stage["weights"] = np.asarray(spec.weights).tolist()
        if spec.bias is not None:
            stage["bias"] = np.asarray(spec.bias).tolist()
        stages.append(stage)
    first = config.stages[0]
    return {"input": np.asarray(first.input).tolist(), "stages": stages,
            **({"in_channels": mapping["in_channels"]} if "in_channels" in mapping else {})}


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    out = parser.parse_args().out
    cases = []
    for n, mapping in enumerate(CHAINS):
        config = written(mapping, seed=n + 1)
        stages = resolve_config(config).stages
        cases.append({"config": config,
                      "output": sequential_output(torch, stages).tolist()})
    out.write_text(json.dumps({"generated_with": {"torch": torch.__version__},
                               "cases": cases}) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
