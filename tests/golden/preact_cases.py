#!/usr/bin/python3
"""Write the pre-activation check models: torch networks in which a
BatchNormalization reads something other than a convolution (a MaxPool, an
AveragePool, a Concat, an Add, a Relu, a graph input, a Flatten), as in
DenseNet and pre-activation ResNets, next to BNs that do fold (after a Conv
or ConvTranspose whose output is also read elsewhere, or is a graph output,
and after a Linear). BatchNorm folding once read a non-convolution
producer's inputs and crashed on such graphs. Each case gets
OUTDIR/NAME/model.onnx and torch's output (eval mode, randomised running
statistics) in OUTDIR/NAME/test_data_set_0.

Usage: /usr/bin/python3 tests/golden/preact_cases.py OUTDIR
Prints the case names, one a line.
"""
import io
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper


def bn2(c):
    return nn.BatchNorm2d(c)


class BNInput(nn.Module):
    """BN straight on the graph input, then a conv."""
    def __init__(s):
        super().__init__()
        s.bn, s.c = bn2(3), nn.Conv2d(3, 8, 3, padding=1)

    def forward(s, x):
        return s.c(F.relu(s.bn(x)))


class BNAfterPools(nn.Module):
    """Conv -> MaxPool -> BN -> Relu -> Conv -> AvgPool -> BN."""
    def __init__(s):
        super().__init__()
        s.c1, s.b1 = nn.Conv2d(3, 16, 3, padding=1), bn2(16)
        s.c2, s.b2 = nn.Conv2d(16, 17, 3, padding=1), bn2(17)

    def forward(s, x):
        y = F.relu(s.b1(F.max_pool2d(s.c1(x), 2)))
        return s.b2(F.avg_pool2d(s.c2(y), 2))


class DenseBlock(nn.Module):
    """DenseNet: each layer is BN -> Relu -> 1x1 Conv -> BN -> Relu -> 3x3 Conv
    over the Concat of all earlier feature maps; a transition BN -> Conv -> pool."""
    def __init__(s, c0=8, growth=6, layers=3):
        super().__init__()
        s.layers = nn.ModuleList()
        c = c0
        for _ in range(layers):
            s.layers.append(nn.Sequential(bn2(c), nn.ReLU(), nn.Conv2d(c, 4 * growth, 1, bias=False),
                                          bn2(4 * growth), nn.ReLU(), nn.Conv2d(4 * growth, growth, 3, padding=1,
                                                                                bias=False)))
            c += growth
        s.trans = nn.Sequential(bn2(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2))
        s.stem = nn.Conv2d(3, c0, 3, padding=1)

    def forward(s, x):
        feats = [s.stem(x)]
        for l in s.layers:
            feats.append(l(torch.cat(feats, 1)))
        return s.trans(torch.cat(feats, 1))


class PreActResBlock(nn.Module):
    """Pre-activation ResNet: BN reads the residual Add of the block before."""
    def __init__(s, c=16):
        super().__init__()
        s.stem = nn.Conv2d(3, c, 3, padding=1)
        s.blocks = nn.ModuleList([nn.ModuleList([bn2(c), nn.Conv2d(c, c, 3, padding=1), bn2(c),
                                                 nn.Conv2d(c, c, 3, padding=1)]) for _ in range(2)])
        s.bn = bn2(c)

    def forward(s, x):
        y = s.stem(x)
        for b1, c1, b2, c2 in s.blocks:
            y = y + c2(F.relu(b2(c1(F.relu(b1(y))))))
        return F.relu(s.bn(y))


class BNSharedConv(nn.Module):
    """A conv whose output is read by BN and by another node, and a conv
    whose output is a graph output too: neither may fold."""
    def __init__(s):
        super().__init__()
        s.c1, s.b1 = nn.Conv2d(3, 8, 3, padding=1), bn2(8)
        s.c2, s.b2 = nn.ConvTranspose2d(8, 5, 4, stride=2, padding=1), bn2(5)

    def forward(s, x):
        y = s.c1(x)
        z = s.b1(y) + torch.sigmoid(y)
        t = s.c2(z)
        return s.b2(t), t


class BNOnFeatures(nn.Module):
    """BatchNorm1d after Flatten and after Linear -> Relu (not foldable), and
    directly after a Linear (foldable)."""
    def __init__(s):
        super().__init__()
        s.b0 = nn.BatchNorm1d(48)
        s.l1, s.b1 = nn.Linear(48, 33), nn.BatchNorm1d(33)
        s.l2, s.b2 = nn.Linear(33, 10), nn.BatchNorm1d(10)

    def forward(s, x):
        y = s.b0(torch.flatten(x, 1))
        y = s.b1(F.relu(s.l1(y)))
        return s.b2(s.l2(y))


CASES = [
    ("bn_on_input", BNInput, (1, 3, 9, 9)),
    ("bn_after_pools", BNAfterPools, (1, 3, 16, 16)),
    ("densenet_block", DenseBlock, (1, 3, 12, 12)),
    ("preact_resnet", PreActResBlock, (1, 3, 10, 10)),
    ("bn_shared_conv", BNSharedConv, (2, 3, 7, 7)),
    ("bn_on_features", BNOnFeatures, (4, 3, 4, 4)),
]


def randomise_bn(m, g):
    for b in m.modules():
        if isinstance(b, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = b.num_features
            b.running_mean.copy_(torch.rand(n, generator=g) * 2 - 1)
            b.running_var.copy_(torch.rand(n, generator=g) * 1.5 + 0.5)
            b.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            b.bias.data.copy_(torch.rand(n, generator=g) - 0.5)


def save(outdir, name, model, shape, seed):
    torch.manual_seed(seed)
    m = model().eval()
    g = torch.Generator().manual_seed(seed)
    randomise_bn(m, g)
    x = torch.randn(*shape, generator=g)
    with torch.no_grad():
        outs = m(x)
    outs = outs if isinstance(outs, tuple) else (outs,)
    names = ["y%d" % i for i in range(len(outs))]
    d = os.path.join(outdir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, (x,), buf, input_names=["x"], output_names=names, opset_version=13,
                          do_constant_folding=False)
    mp = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(mp)
    if not any(n.op_type == "BatchNormalization" for n in mp.graph.node):
        raise RuntimeError(name + ": the export lost its BatchNormalization nodes")
    onnx.save(mp, os.path.join(d, "model.onnx"))
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    for i, (o, n) in enumerate(zip(outs, names)):
        with open(os.path.join(d, "test_data_set_0", "output_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(o.numpy().astype(np.float32), n).SerializeToString())


def main():
    outdir = sys.argv[1]
    torch.set_num_threads(1)
    for seed, (name, model, shape) in enumerate(CASES):
        save(outdir, name, model, shape, 100 + seed)
        print(name)


if __name__ == "__main__":
    main()
