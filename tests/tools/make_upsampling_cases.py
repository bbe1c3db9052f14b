"""Record F.interpolate and pixel_shuffle results for tests/data/upsampling_cases.json.

Run with PyTorch installed: ``python tests/tools/make_upsampling_cases.py``. Each case holds
its arguments and PyTorch's output (float64), so machines without PyTorch still check
deconv-anim against it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "upsampling_cases.json"


def interpolate_case(rng: random.Random) -> dict:
    import torch
    import torch.nn.functional as F

    mode = rng.choice(["nearest", "nearest-exact", "bilinear", "bilinear"])
    channels = rng.choice([1, 1, 2, 3])
    size = [rng.randint(1, 6), rng.randint(1, 6)]
    case: dict = {"kind": "interpolate", "mode": mode, "size": size, "channels": channels}
    if mode == "bilinear":
        case["align_corners"] = rng.random() < 0.4
    if rng.random() < 0.5:
        case["scale"] = [rng.choice([1, 2, 3, 4, 1.5, 2.5, 1.7, 0.5]) for _ in range(2)]
        if any(int(n * s) < 1 for n, s in zip(size, case["scale"])):
            case["scale"] = [2, 2]
    else:
        case["output_size"] = [rng.randint(1, 13), rng.randint(1, 13)]
    x = [[[rng.randint(-9, 9) for _ in range(size[1])] for _ in range(size[0])]
         for _ in range(channels)]
    case["input"] = x
    t = torch.tensor(x, dtype=torch.float64)[None]
    kwargs: dict = {"mode": mode}
    if mode == "bilinear":
        kwargs["align_corners"] = case["align_corners"]
    if "scale" in case:
        kwargs["scale_factor"] = tuple(float(s) for s in case["scale"])
    else:
        kwargs["size"] = tuple(case["output_size"])
    case["output"] = F.interpolate(t, **kwargs)[0].tolist()
    return case


def shuffle_case(rng: random.Random) -> dict:
    import torch

    r = rng.choice([1, 2, 2, 3])
    c = rng.choice([1, 1, 2])
    size = [rng.randint(1, 4), rng.randint(1, 4)]
    x = [[[rng.randint(-9, 9) for _ in range(size[1])] for _ in range(size[0])]
         for _ in range(c * r * r)]
    out = torch.pixel_shuffle(torch.tensor(x, dtype=torch.float64)[None], r)[0].tolist()
    return {"kind": "pixel_shuffle", "upscale_factor": r, "input": x, "output": out}


def main() -> None:
    import torch

    rng = random.Random(20261201)
    cases = [interpolate_case(rng) for _ in range(300)] + [shuffle_case(rng) for _ in range(40)]
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases},
                              separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
