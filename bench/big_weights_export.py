#!/usr/bin/python3
"""Exports the big-weights benchmark's models to ONNX (bench/big_weights.sh).

    /usr/bin/python3 bench/big_weights_export.py CACHE_DIR [--only vgg11,resnet50,bert_base]

Writes CACHE_DIR/<name>/model.onnx and test_data_set_0 (one input and torch's
output), skipping models already there. Weights are torch's random
initialisation under a fixed seed (weights=None: nothing is downloaded):
  vgg11     torchvision VGG-11, 1x3x224x224, 133 M parameters (532 MB)
  resnet50  torchvision ResNet-50, 1x3x224x224, 25.6 M parameters (102 MB)
  bert_base a BERT-base-sized encoder: token embedding 30522x768, learned
            positions, 12 post-LN layers (d_model 768, 12 heads, ff 3072,
            GELU), sequence 128; 109 M parameters (438 MB)
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torchvision


class BertBaseEncoder(nn.Module):
    def __init__(self, vocab=30522, d=768, nhead=12, ff=3072, layers=12, max_len=512):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, max_len, d) * 0.02)
        self.norm = nn.LayerNorm(d)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=nhead, dim_feedforward=ff, dropout=0.1,
                                           activation="gelu", batch_first=True, norm_first=False)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        for lyr in self.encoder.layers:  # the clones start out identical (and the exporter
            for p in lyr.parameters():   # would share identical initializers): re-draw each
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
                else:
                    nn.init.uniform_(p, -0.1, 0.1)

    def forward(self, tokens):  # int64 [1, T] -> [1, T, d]
        x = self.norm(self.emb(tokens) + self.pos[:, :tokens.shape[1]])
        return self.encoder(x)


MODELS = {
    "vgg11": (lambda: torchvision.models.vgg11(weights=None), "input", [1, 3, 224, 224]),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), "input", [1, 3, 224, 224]),
    "bert_base": (BertBaseEncoder, "tokens", [1, 128]),
}


def export(cache, name):
    ctor, in_name, shape = MODELS[name]
    d = os.path.join(cache, name)
    path = os.path.join(d, "model.onnx")
    if os.path.exists(path):
        return
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    torch.manual_seed(1234)
    model = ctor().eval()
    gen = torch.Generator().manual_seed(99)
    if name == "bert_base":
        x = torch.randint(0, 30522, shape, generator=gen, dtype=torch.int64)
    else:
        x = torch.randn(shape, generator=gen)
    # grad enabled: nn.TransformerEncoderLayer's fused no_grad fast path does not export
    with torch.set_grad_enabled(name == "bert_base"):
        y = model(x)
        torch.onnx.export(model, (x,), path + ".tmp", export_params=True, opset_version=13,
                          do_constant_folding=True, input_names=[in_name], output_names=["output"],
                          training=torch.onnx.TrainingMode.EVAL, dynamic_axes=None)
    os.replace(path + ".tmp", path)
    for kind, t, tname in (("input", x, in_name), ("output", y, "output")):
        tp = numpy_helper.from_array(np.ascontiguousarray(t.detach().numpy()), tname)
        with open(os.path.join(d, "test_data_set_0", "%s_0.pb" % kind), "wb") as f:
            f.write(tp.SerializeToString())
    n = sum(p.numel() for p in model.parameters())
    print("exported %s: %.1f M parameters, %s" % (name, n / 1e6, path), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("--only", default=",".join(MODELS))
    args = ap.parse_args()
    for name in args.only.split(","):
        export(args.cache, name)


if __name__ == "__main__":
    main()
