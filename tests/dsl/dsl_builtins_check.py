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

import numpy as np
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


# Boolean masks (true: may not attend), fixed so that no query is left with
# no key to attend to (torch gives NaN there).
_masks = np.random.default_rng(3)
MASK_5x5 = (_masks.random((5, 5)) < 0.4) & ~np.eye(5, dtype=bool)
MASK_4x4x4 = (_masks.random((4, 4, 4)) < 0.4) & ~np.eye(4, dtype=bool)
KPM_2x6 = np.array([[0, 0, 1, 0, 1, 0], [0, 1, 1, 1, 0, 0]], dtype=bool)
KPM_1x7 = np.array([[0, 1, 0, 0, 1, 1, 0]], dtype=bool)
KPM_2x5 = np.array([[0, 0, 1, 0, 1], [0, 1, 0, 1, 1]], dtype=bool)

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
    # 3-D convolutions and pools, transposed convolutions with every option
    ("conv3d", [1, 4, 5, 6, 7],
     "y = conv3d(x, out=6, kernel=[3, 2, 3], stride=[1, 2, 1], padding=[1, 0, 2], dilation=[1, 1, 2], groups=2) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.Conv3d(4, 6, (3, 2, 3), stride=(1, 2, 1), padding=(1, 0, 2),
                                                   dilation=(1, 1, 2), groups=2))),
    ("conv3d_same", [1, 2, 4, 5, 6], "y = conv3d(x, out=3, kernel=3, padding='same', bias=false) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.Conv3d(2, 3, 3, padding="same", bias=False))),
    ("pools3d", [1, 2, 5, 7, 6],
     "a = max_pool3d(x, kernel=3, stride=2, padding=1)\n"
     "b = max_pool3d(x, kernel=2, stride=[1, 2, 2], dilation=[2, 1, 1], ceil_mode=true)\n"
     "c = avg_pool3d(x, kernel=[2, 3, 2], stride=[1, 2, 2], padding=[1, 1, 0], ceil_mode=true, count_include_pad=false)\n"
     "d = avg_pool3d(x, kernel=3, stride=2, padding=1)\n"
     "y = cat([flatten(a, start_dim=2), flatten(b, start_dim=2), flatten(c, start_dim=2), flatten(d, start_dim=2)], dim=2)",
     lambda: Wrap(lambda s, x: torch.cat([
         F.max_pool3d(x, 3, 2, 1).flatten(2),
         F.max_pool3d(x, 2, (1, 2, 2), dilation=(2, 1, 1), ceil_mode=True).flatten(2),
         F.avg_pool3d(x, (2, 3, 2), (1, 2, 2), (1, 1, 0), ceil_mode=True, count_include_pad=False).flatten(2),
         F.avg_pool3d(x, 3, 2, 1).flatten(2)], 2))),
    ("conv_transpose1d", [1, 4, 7],
     "y = conv_transpose1d(x, out=6, kernel=3, stride=2, padding=1, output_padding=1, groups=2, dilation=2) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                                            dilation=2))),
    ("conv_transpose2d_options", [1, 4, 5, 6],
     "y = conv_transpose2d(x, out=6, kernel=[3, 2], stride=[2, 3], padding=[1, 0], output_padding=[1, 2], groups=2, "
     "dilation=[2, 1], bias=false) as c",
     lambda: Wrap(lambda s, x: s.c(x), c=nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 3), padding=(1, 0),
                                                            output_padding=(1, 2), groups=2, dilation=(2, 1),
                                                            bias=False))),
    # recurrent layers with initial states, returning the final states
    ("rnn_h0_state", [("x", [5, 2, 3]), ("h0", [4, 2, 4])],
     "y, h = rnn(x, hidden=4, layers=2, bidirectional=true, h0=h0, return_state=true) as rnn\n"
     "y = cat([flatten(y, start_dim=0), flatten(h, start_dim=0)], dim=0)",
     lambda: Wrap(lambda s, x, h0: (lambda y, h: torch.cat([y.flatten(), h.flatten()]))(*s.rnn(x, h0)),
                  rnn=nn.RNN(3, 4, 2, bidirectional=True))),
    ("lstm_states_batch_first", [("x", [2, 5, 3]), ("h0", [2, 2, 4]), ("c0", [2, 2, 4])],
     "y, h, c = lstm(x, hidden=4, layers=2, batch_first=true, h0=h0, c0=c0, return_state=true) as lstm\n"
     "y = cat([flatten(y, start_dim=0), flatten(h, start_dim=0), flatten(c, start_dim=0)], dim=0)",
     lambda: Wrap(lambda s, x, h0, c0: (lambda y, hc: torch.cat([y.flatten(), hc[0].flatten(), hc[1].flatten()]))(
         *s.lstm(x, (h0, c0))), lstm=nn.LSTM(3, 4, 2, batch_first=True))),
    ("lstm_bidir_state_only", [("x", [4, 3, 2])],
     "y, h, c = lstm(x, hidden=3, layers=2, bidirectional=true, return_state=true) as lstm\n"
     "y = cat([flatten(h, start_dim=0), flatten(c, start_dim=0)], dim=0)",
     lambda: Wrap(lambda s, x: (lambda y, hc: torch.cat([hc[0].flatten(), hc[1].flatten()]))(*s.lstm(x)),
                  lstm=nn.LSTM(2, 3, 2, bidirectional=True))),
    ("gru_no_bias_h0", [("x", [1, 4, 3]), ("h0", [2, 1, 5])],
     "y, h = gru(x, hidden=5, bidirectional=true, batch_first=true, bias=false, h0=h0, return_state=true) as gru\n"
     "y = cat([flatten(y, start_dim=0), flatten(h, start_dim=0)], dim=0)",
     lambda: Wrap(lambda s, x, h0: (lambda y, h: torch.cat([y.flatten(), h.flatten()]))(*s.gru(x, h0)),
                  gru=nn.GRU(3, 5, bidirectional=True, batch_first=True, bias=False))),
    # multi-head attention with boolean and key-padding masks (true: masked out)
    ("mha_bool_attn_mask", [("x", [1, 5, 8]), ("m", MASK_5x5)],
     "y = multihead_attention(x, heads=2, attn_mask=m, batch_first=true) as attn",
     lambda: Wrap(lambda s, x, m: s.attn(x, x, x, attn_mask=m, need_weights=False)[0],
                  attn=nn.MultiheadAttention(8, 2, batch_first=True))),
    ("mha_float3d_and_padding", [("x", [6, 2, 8]), ("am", [4, 6, 6]), ("kpm", KPM_2x6)],
     "y = multihead_attention(x, heads=2, attn_mask=am, key_padding_mask=kpm) as attn",
     lambda: Wrap(lambda s, x, am, kpm: s.attn(x, x, x, attn_mask=am, key_padding_mask=kpm, need_weights=False)[0],
                  attn=nn.MultiheadAttention(8, 2))),
    ("mha_cross_padding", [("x", [1, 3, 8]), ("kv", [1, 7, 8]), ("kpm", KPM_1x7)],
     "y = multihead_attention(x, heads=4, key=kv, value=kv, key_padding_mask=kpm, batch_first=true) as attn",
     lambda: Wrap(lambda s, x, kv, kpm: s.attn(x, kv, kv, key_padding_mask=kpm, need_weights=False)[0],
                  attn=nn.MultiheadAttention(8, 4, batch_first=True))),
    ("mha_causal_padding", [("x", [2, 5, 8]), ("kpm", KPM_2x5)],
     "y = multihead_attention(x, heads=2, causal=true, key_padding_mask=kpm, batch_first=true) as attn",
     lambda: Wrap(lambda s, x, kpm: s.attn(x, x, x, attn_mask=torch.triu(torch.full((5, 5), float("-inf")), 1),
                                          key_padding_mask=kpm, need_weights=False)[0],
                  attn=nn.MultiheadAttention(8, 2, batch_first=True))),
    ("mha_bool_3d_mask", [("x", [2, 4, 8]), ("m", MASK_4x4x4)],
     "y = multihead_attention(x, heads=2, attn_mask=m, batch_first=true) as attn",
     lambda: Wrap(lambda s, x, m: s.attn(x, x, x, attn_mask=m, need_weights=False)[0],
                  attn=nn.MultiheadAttention(8, 2, batch_first=True))),
    ("escape_hatch", [1, 4], "y = HardSwish(x) + Clip(x, -0.5, 0.5)",
     lambda: Wrap(lambda s, x: F.hardswish(x) + torch.clamp(x, -0.5, 0.5))),
    ("literal_weights", [1, 1, 6], "y = conv1d(x, out=1, kernel=3, padding=1, weight=[[[0.25, 0.5, 0.25]]], bias=[0.1])",
     lambda: Wrap(lambda s, x: F.conv1d(x, torch.tensor([[[0.25, 0.5, 0.25]]]), torch.tensor([0.1]), padding=1))),
]


def input_specs(shape):
    """[(name, shape, fixed value or None)]: a case's inputs. `shape` is the
    shape of its one input x, or a list of (name, shape) for random f32
    inputs and (name, array) for fixed ones (boolean masks)"""
    if all(isinstance(d, int) for d in shape):
        return [("x", list(shape), None)]
    return [(n, list(v.shape), v) if isinstance(v, np.ndarray) else (n, list(v), None) for n, v in shape]


def source(shape, src):
    """the .nn text of a case: its inputs, its lines, output y"""
    decl = "".join("input %s: %s%s\n" % (n, "bool" if v is not None and v.dtype == np.bool_ else "f32", sh)
                   for n, sh, v in input_specs(shape))
    return "%s%s\noutput y\n" % (decl, src)


def make_inputs(shape):
    """numpy inputs of a case: random N(0,1) floats (torch's generator) or its fixed values"""
    return [v if v is not None else torch.randn(*sh).numpy() for _, sh, v in input_specs(shape)]


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
        xs = make_inputs(shape)
        with torch.no_grad():
            y = m(*[torch.from_numpy(x) for x in xs])
        nn_path = os.path.join(d, "net.nn")
        with open(nn_path, "w") as f:
            f.write(source(shape, src))
        w = os.path.join(d, "w.safetensors")
        write_safetensors(w, {k: v for k, v in m.state_dict().items()})
        for k, x in enumerate(xs):
            with open(os.path.join(ds, "input_%d.pb" % k), "wb") as f:
                f.write(numpy_helper.from_array(x).SerializeToString())
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
