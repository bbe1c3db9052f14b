"""PyTorch's ``nn.Sequential`` of a chain's stages (for tests/test_chain.py and
tests/tools/make_chain_cases.py): each stage's spec becomes its torch layer, with the
spec's own weights and bias, all in float64. Only the forms torch writes directly are
built: symmetric padding, or an asymmetric one as ``nn.ZeroPad2d`` before a conv."""

from __future__ import annotations

import numpy as np


def layer(torch, spec):
    """The torch module(s) of one stage (a list)."""
    nn = torch.nn
    if spec.resize is not None:  # op: upsample, PyTorch's nn.Upsample
        resize = spec.resize
        corners = resize.align_corners if resize.mode == "bilinear" else None
        if resize.scale is not None:
            return [nn.Upsample(scale_factor=resize.scale, mode=resize.mode,
                                align_corners=corners)]
        return [nn.Upsample(size=spec.output_size, mode=resize.mode, align_corners=corners)]
    t, b, l, r = spec.padding
    symmetric = t == b and l == r
    k, s, d = spec.kernel_size, spec.stride, spec.dilation
    c_in = spec.in_channels if spec.channels else 1
    c_out = spec.out_channels if spec.channels else 1
    groups = spec.groups if spec.channels else 1
    if spec.op == "maxpool":
        assert symmetric
        return [nn.MaxPool2d(k, s, (t, l), d, ceil_mode=spec.ceil_mode)]
    if spec.op == "avgpool":
        assert symmetric
        return [nn.AvgPool2d(k, s, (t, l), ceil_mode=spec.ceil_mode,
                             count_include_pad=spec.count_include_pad)]
    weights = np.asarray(spec.weights, dtype=np.float64)
    if not spec.channels:
        weights = weights[None, None]
    bias = spec.bias is not None
    if spec.op == "conv":
        pre = [] if symmetric else [nn.ZeroPad2d((l, r, t, b))]
        conv = nn.Conv2d(c_in, c_out, k, s, (t, l) if symmetric else 0, d, groups, bias,
                         dtype=torch.float64)
    else:
        assert symmetric
        pre = []
        conv = nn.ConvTranspose2d(c_in, c_out, k, s, (t, l), spec.output_padding, groups,
                                  bias, d, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weights))
        if bias:
            conv.bias.copy_(torch.tensor(np.asarray(spec.bias, dtype=np.float64)))
    return [*pre, conv]


def sequential_output(torch, stages) -> np.ndarray:
    """``nn.Sequential`` of the stages applied to the first stage's input, as the chain's
    output is shaped: [H][W], or [C][H][W] when the last stage is in channel mode."""
    model = torch.nn.Sequential(*(m for spec in stages for m in layer(torch, spec)))
    x = np.asarray(stages[0].input, dtype=np.float64)
    x = x[None] if x.ndim == 2 else x
    with torch.no_grad():
        out = model(torch.tensor(x[None])).numpy()[0]
    return out if stages[-1].channels else out[0]
