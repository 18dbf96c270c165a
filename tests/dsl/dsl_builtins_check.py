#!/usr/bin/python3
"""Model-language builtins one by one against torch (small shapes).

Usage: dsl_builtins_check.py NNC WORKDIR

Each case is a few lines of the language and the torch module it stands for;
the module's state_dict goes to safetensors (dsl_torch_check's writer), and
`nnc verify` compares nnc's output with torch's at --opt 0 and the default.
"""
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dsl_torch_check import write_safetensors  # noqa: E402


class Wrap(nn.Module):
    def __init__(self, fn, **mods):
        super().__init__()
        for k, v in mods.items():
            setattr(self, k, v)
        self.fn = fn

    def forward(self, *x):
        return self.fn(self, *x)


def sinusoid(T, D):
    import math
    pos = torch.arange(T, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, D, 2, dtype=torch.float32) * (-math.log(10000.0) / D))
    pe = torch.zeros(1, T, D)
    pe[0, :, 0::2] = torch.sin(pos * div)
    pe[0, :, 1::2] = torch.cos(pos * div)
    return pe


CASES = [
    ("conv1d_dil_groups", [1, 4, 20], "y = conv1d(x, out=6, kernel=3, dilation=2, groups=2, padding='same') as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.Conv1d(4, 6, 3, dilation=2, groups=2, padding="same"))),
    ("conv2d_stride_pad", [1, 3, 11, 9], "y = conv2d(x, out=5, kernel=[3, 2], stride=2, padding=[1, 0]) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.Conv2d(3, 5, (3, 2), stride=2, padding=(1, 0)))),
    ("conv_transpose2d", [1, 4, 5, 5], "y = conv_transpose2d(x, out=3, kernel=3, stride=2, padding=1, output_padding=1) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1))),
    ("pools", [1, 2, 9, 9], "y = cat([max_pool2d(x, kernel=3, stride=2, padding=1), avg_pool2d(x, kernel=3, stride=2, padding=1, count_include_pad=false)], dim=1)",
     lambda: Wrap(lambda s, x: torch.cat([F.max_pool2d(x, 3, 2, 1), F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)], 1))),
    ("activations", [2, 8], "y = cat([leaky_relu(x, negative_slope=0.2), elu(x), gelu(x), silu(x), sigmoid(x), softmax(x, dim=1), log_softmax(x, dim=0)], dim=1)",
     lambda: Wrap(lambda s, x: torch.cat([F.leaky_relu(x, 0.2), F.elu(x), F.gelu(x), F.silu(x), torch.sigmoid(x),
                                          F.softmax(x, 1), F.log_softmax(x, 0)], 1))),
    ("maxout_split", [1, 6, 4], "a, b = split(x, 4, dim=1)\ny = cat([maxout(a, pieces=2), b], dim=1)",
     lambda: Wrap(lambda s, x: torch.cat([x[:, :4].reshape(1, 2, 2, 4).max(2)[0], x[:, 4:]], 1))),
    ("layernorm_batchnorm", [2, 3, 5], "y = layernorm(batchnorm(x) as bn, eps=1e-6) as ln",
     lambda: Wrap(lambda s, x: s.ln(s.bn(x)), bn=nn.BatchNorm1d(3), ln=nn.LayerNorm(5, eps=1e-6))),
    ("lstm_bidir_2layers", [7, 1, 5], "y = lstm(x, hidden=6, layers=2, bidirectional=true) as rnn",
     lambda: Wrap(lambda s, x: s.rnn(x)[0], rnn=nn.LSTM(5, 6, 2, bidirectional=True))),
    ("gru_batch_first", [1, 7, 5], "y = gru(x, hidden=4, batch_first=true, bidirectional=true) as rnn",
     lambda: Wrap(lambda s, x: s.rnn(x)[0], rnn=nn.GRU(5, 4, batch_first=True, bidirectional=True))),
    ("rnn_relu", [6, 1, 3], "y = rnn(x, hidden=4, layers=2, nonlinearity='relu') as rnn",
     lambda: Wrap(lambda s, x: s.rnn(x)[0], rnn=nn.RNN(3, 4, 2, nonlinearity="relu"))),
    ("mha_causal", [1, 6, 8], "y = multihead_attention(x, heads=2, causal=true, batch_first=true) as attn",
     lambda: Wrap(lambda s, x: s.attn(x, x, x, attn_mask=torch.triu(torch.full((6, 6), float("-inf")), 1),
                                      need_weights=False)[0], attn=nn.MultiheadAttention(8, 2, batch_first=True))),
    ("mha_seq_first", [5, 1, 8], "y = multihead_attention(x, heads=4) as attn",
     lambda: Wrap(lambda s, x: s.attn(x, x, x, need_weights=False)[0], attn=nn.MultiheadAttention(8, 4))),
    ("upsample_permute", [1, 2, 3, 4], "y = permute(upsample(x, scale_factor=2), [0, 2, 3, 1])",
     lambda: Wrap(lambda s, x: F.interpolate(x, scale_factor=2, mode="nearest").permute(0, 2, 3, 1))),
    ("patch_embed_pos", [1, 3, 8, 8], "y = sinusoidal_pos(patch_embed(x, dim=6, patch=4) as patch)",
     lambda: Wrap(lambda s, x: s.patch(x).flatten(2).transpose(1, 2) + sinusoid(4, 6), patch=nn.Conv2d(3, 6, 4, 4))),
    ("indexing_flatten", [2, 3, 4, 5], "y = flatten(x[:, 1:, -1, ::2], start_dim=0, end_dim=1)",
     lambda: Wrap(lambda s, x: torch.flatten(x[:, 1:, -1, ::2], 0, 1))),
    ("escape_hatch", [1, 4], "y = HardSwish(x) + Clip(x, -0.5, 0.5)",
     lambda: Wrap(lambda s, x: F.hardswish(x) + torch.clamp(x, -0.5, 0.5))),
    ("literal_weights", [1, 1, 6], "y = conv1d(x, out=1, kernel=3, padding=1, weight=[[[0.25, 0.5, 0.25]]], bias=[0.1])",
     lambda: Wrap(lambda s, x: F.conv1d(x, torch.tensor([[[0.25, 0.5, 0.25]]]), torch.tensor([0.1]), padding=1))),
]


def source(shape, src):
    """the .nn text of a case: one f32 input x of `shape`, its lines, output y"""
    return "input x: f32%s\n%s\noutput y\n" % (list(shape), src)


def main():
    nnc, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    fails = 0
    for name, shape, src, ctor in CASES:
        d = os.path.join(work, name)
        ds = os.path.join(d, "test_data_set_0")
        os.makedirs(ds, exist_ok=True)
        m = ctor().eval()
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm1d):
                mod.running_mean.uniform_(-1, 1)
                mod.running_var.uniform_(0.5, 2)
            if isinstance(mod, nn.MultiheadAttention):
                nn.init.uniform_(mod.in_proj_bias, -0.3, 0.3)
                nn.init.uniform_(mod.out_proj.bias, -0.3, 0.3)
        x = torch.randn(*shape)
        with torch.no_grad():
            y = m(x)
        nn_path = os.path.join(d, "net.nn")
        with open(nn_path, "w") as f:
            f.write(source(shape, src))
        w = os.path.join(d, "w.safetensors")
        write_safetensors(w, {k: v for k, v in m.state_dict().items()})
        with open(os.path.join(ds, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x.numpy()).SerializeToString())
        with open(os.path.join(ds, "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y.numpy()).SerializeToString())
        for opt in ("0", "2"):
            p = subprocess.run([nnc, "verify", nn_path, ds, "--safetensors", w, "--opt", opt],
                               capture_output=True, text=True)
            ok = p.returncode == 0
            fails += not ok
            print("%s %s opt%s" % ("ok  " if ok else "FAIL", name, opt))
            if not ok:
                print(p.stdout + p.stderr)
    print("%d failure(s)" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
