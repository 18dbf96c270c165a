#!/usr/bin/python3
"""Export a zoo of small sequence models (RNNs, transformers) to ONNX, with reference data.

Usage:
    /usr/bin/python3 tests/models/export_seq_zoo.py OUTDIR [--only a,b] [--opset N] [--force]

Companion of export_zoo.py (same layout, conventions and helpers):

    OUTDIR/NAME/model.onnx
    OUTDIR/NAME/test_data_set_0/input_0.pb
    OUTDIR/NAME/test_data_set_0/output_0.pb
    OUTDIR/NAME/info.txt

Weights are random (fixed per-model seed), every LayerNorm gets a random
weight/bias near 1/0, and output_0.pb holds torch's output (model.eval()) on a
fixed random input (float N(0,1), token ids uniform in the vocabulary).  Each
model has its own default opset (13, or 17 for the models whose LayerNorm
should be one LayerNormalization node); --opset overrides it for all models.
Re-running skips models whose files are all newer than this script and
export_zoo.py (and were made with the same opset).  Output is deterministic
(per-model seeds, single-threaded torch).  Needs torch, onnx, numpy (Debian's
/usr/bin/python3).
"""

import argparse
import math
import os
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_zoo import make_input, model_seed, read_info, save_case, write_file  # noqa: E402


# --------------------------------------------------------------------------
# Model definitions
# --------------------------------------------------------------------------

OUT_GAIN = 4.0   # scale of output-layer weights where torch's default init gives tiny outputs

class ElmanRNN(nn.Module):
    """nn.RNN(tanh) -> Linear -> softmax at every step."""

    def __init__(self, n_in=8, n_hidden=32, n_out=10):
        super().__init__()
        self.rnn = nn.RNN(n_in, n_hidden, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(n_hidden, n_out)
        with torch.no_grad():                   # sharper softmax (default init: ~uniform)
            self.fc.weight.mul_(OUT_GAIN)

    def forward(self, x):                       # [1, T, 8]
        h, _ = self.rnn(x)                      # [1, T, 32]
        return F.softmax(self.fc(h), dim=-1)    # [1, T, 10]


class JordanRNN(nn.Module):
    """Jordan network, unrolled in Python over the (static) sequence length:
    h_t = tanh(W_x x_t + W_y y_{t-1} + b),  y_t = softmax(W_o h_t + c),  y_0 = 0."""

    def __init__(self, n_in=5, n_hidden=16, n_out=6):
        super().__init__()
        self.n_out = n_out
        self.w_x = nn.Linear(n_in, n_hidden)                # carries b
        self.w_y = nn.Linear(n_out, n_hidden, bias=False)
        self.w_o = nn.Linear(n_hidden, n_out)               # carries c
        with torch.no_grad():                   # sharper softmax, stronger feedback
            self.w_o.weight.mul_(OUT_GAIN)
            self.w_y.weight.mul_(OUT_GAIN)

    def forward(self, x):                       # [1, T, 5]
        y = torch.zeros(1, self.n_out)          # constant (batch is 1)
        ys = []
        for t in range(x.shape[1]):
            h = torch.tanh(self.w_x(x[:, t]) + self.w_y(y))
            y = F.softmax(self.w_o(h), dim=-1)
            ys.append(y)
        return torch.stack(ys, dim=1)           # [1, T, 6]


class LastStepRegressor(nn.Module):
    """nn.LSTM / nn.GRU over the sequence, Linear on the last step."""

    def __init__(self, cell, n_in=2, n_hidden=32):
        super().__init__()
        self.rnn = cell(n_in, n_hidden, batch_first=True)
        self.fc = nn.Linear(n_hidden, 1)

    def forward(self, x):                       # [1, T, 2]
        h, _ = self.rnn(x)
        return self.fc(h[:, -1])                # [1, 1]


class TextClassifier(nn.Module):
    def __init__(self, vocab=100, emb=32, hidden=64, n_classes=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)
        with torch.no_grad():                   # logits O(0.3) rather than O(0.1)
            self.fc.weight.mul_(OUT_GAIN)

    def forward(self, tokens):                  # int64 [1, T]
        h, _ = self.lstm(self.emb(tokens))
        return self.fc(h[:, -1])                # [1, 4]


class TransformerEncoderClassifier(nn.Module):
    """Embedding*sqrt(d) + sinusoidal PE -> 2x nn.TransformerEncoderLayer (post-LN)
    -> mean over tokens -> Linear."""

    def __init__(self, vocab=50, d=64, nhead=4, ff=128, layers=2, n_classes=3, max_len=16):
        super().__init__()
        self.d = d
        self.emb = nn.Embedding(vocab, d)
        pos = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
        pe = torch.zeros(1, max_len, d)
        pe[0, :, 0::2] = torch.sin(pos * div)
        pe[0, :, 1::2] = torch.cos(pos * div)
        # a frozen parameter rather than a buffer: it is exported as an
        # initializer either way, and as a parameter torch's own count
        # (sum of p.numel()) includes it, like `nnc info` does
        self.pe = nn.Parameter(pe, requires_grad=False)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=nhead, dim_feedforward=ff,
                                           dropout=0.1, activation="relu",
                                           batch_first=True, norm_first=False)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers)
        for lyr in self.encoder.layers:         # the clones start out identical: re-draw,
            lyr.self_attn._reset_parameters()   # with non-zero attention biases
            lyr.self_attn.out_proj.reset_parameters()
            nn.init.uniform_(lyr.self_attn.in_proj_bias, -0.1, 0.1)
            lyr.linear1.reset_parameters()
            lyr.linear2.reset_parameters()
        self.fc = nn.Linear(d, n_classes)

    def forward(self, tokens):                  # int64 [1, T]
        x = self.emb(tokens) * math.sqrt(self.d) + self.pe[:, :tokens.shape[1]]
        x = self.encoder(x)
        return self.fc(x.mean(dim=1))           # [1, 3]


class SelfAttention(nn.Module):
    """Multi-head self-attention with explicit q/k/v/o Linears (optionally causal)."""

    def __init__(self, d, nhead, causal_len=0):
        super().__init__()
        self.nhead, self.hd = nhead, d // nhead
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        if causal_len:
            self.register_buffer("causal", torch.tril(torch.ones(causal_len, causal_len,
                                                                 dtype=torch.bool)))
        else:
            self.causal = None

    def forward(self, x):                       # [B, T, d]
        B, T, d = x.shape
        q = self.q(x).view(B, T, self.nhead, self.hd).transpose(1, 2)   # [B, h, T, hd]
        k = self.k(x).view(B, T, self.nhead, self.hd).transpose(1, 2)
        v = self.v(x).view(B, T, self.nhead, self.hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)             # [B, h, T, T]
        if self.causal is not None:
            att = att.masked_fill(~self.causal[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        return self.o(y)


class PreLNBlock(nn.Module):
    def __init__(self, d, nhead, ff, causal_len=0):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = SelfAttention(d, nhead, causal_len)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPTDecoder(nn.Module):
    def __init__(self, vocab=64, ctx=16, d=64, nhead=4, layers=2, ff=256):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.Sequential(*[PreLNBlock(d, nhead, ff, causal_len=ctx)
                                      for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens):                  # int64 [1, T]
        T = tokens.shape[1]
        x = self.tok(tokens) + self.pos(torch.arange(T, device=tokens.device))
        return self.head(self.ln_f(self.blocks(x)))   # [1, T, vocab]


class ViTSmall(nn.Module):
    def __init__(self, img=32, patch=8, d=64, nhead=4, layers=2, ff=128, n_classes=10):
        super().__init__()
        n_tok = (img // patch) ** 2 + 1
        self.patch = nn.Conv2d(3, d, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n_tok, d) * 0.02)
        self.blocks = nn.Sequential(*[PreLNBlock(d, nhead, ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Sequential(nn.Linear(d, d), nn.Tanh(), nn.Linear(d, n_classes))

    def forward(self, x):                       # [B, 3, 32, 32]
        x = self.patch(x).flatten(2).transpose(1, 2)                  # [B, 16, d]
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        x = self.ln(self.blocks(x))
        return self.head(x[:, 0])               # [B, 10]


# --------------------------------------------------------------------------
# Zoo table
# --------------------------------------------------------------------------
# name -> (constructor, [(input_name, shape, kind)], opts)
#   kind: as in export_zoo.make_input ("normal", "uniform", ("int", high))
#   opts: opset -> this model's default opset (13 if absent; --opset overrides)
#         grad_export -> compute the reference and export with autograd enabled
#           (nn.TransformerEncoderLayer's fused fast path, taken under no_grad,
#           does not export)

ZOO = {
    "elman_rnn": (ElmanRNN, [("input", [1, 12, 8], "normal")], {}),
    "jordan_rnn": (JordanRNN, [("input", [1, 10, 5], "normal")], {}),
    "lstm_regressor": (lambda: LastStepRegressor(nn.LSTM), [("input", [1, 16, 2], "normal")], {}),
    "gru_regressor": (lambda: LastStepRegressor(nn.GRU), [("input", [1, 16, 2], "normal")], {}),
    "text_classifier": (TextClassifier, [("tokens", [1, 20], ("int", 100))], {}),
    "transformer_encoder": (TransformerEncoderClassifier, [("tokens", [1, 16], ("int", 50))],
                            {"grad_export": True}),
    "gpt_decoder": (GPTDecoder, [("tokens", [1, 16], ("int", 64))], {"opset": 17}),
    "vit_small": (ViTSmall, [("input", [1, 3, 32, 32], "normal")], {"opset": 17}),
}

OPSET_DEFAULT = 13


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def model_opset(name, override):
    return override if override is not None else ZOO[name][2].get("opset", OPSET_DEFAULT)


def randomize_layernorm(model, gen):
    """LayerNorm weight ~ U[0.8, 1.2), bias ~ N(0, 0.05): non-trivial, but outputs stay O(1)."""
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.4 + 0.8)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.05)


def script_mtime():
    here = os.path.dirname(os.path.abspath(__file__))
    return max(os.path.getmtime(os.path.abspath(__file__)),
               os.path.getmtime(os.path.join(here, "export_zoo.py")))


def expected_files(outdir, name):
    d = os.path.join(outdir, name)
    n_in = len(ZOO[name][1])
    files = [os.path.join(d, "model.onnx"), os.path.join(d, "info.txt"),
             os.path.join(d, "test_data_set_0", "output_0.pb")]
    files += [os.path.join(d, "test_data_set_0", "input_%d.pb" % i) for i in range(n_in)]
    return files


def up_to_date(outdir, name, opset):
    """All files exist, are newer than this script (and export_zoo.py), same opset."""
    mt = script_mtime()
    try:
        if not all(os.path.getmtime(f) > mt for f in expected_files(outdir, name)):
            return False
        return read_info(outdir, name).get("opset") == str(opset)
    except OSError:
        return False


def export_one(outdir, name, opset):
    ctor, in_specs, opts = ZOO[name]
    seed = model_seed(name)
    torch.manual_seed(seed)
    model = ctor()
    gen = torch.Generator().manual_seed(seed + 1)
    randomize_layernorm(model, gen)
    gen_in = torch.Generator().manual_seed(seed + 2)
    inputs = tuple(make_input(shape, kind, gen_in) for _, shape, kind in in_specs)
    model.eval()

    grad = bool(opts.get("grad_export"))
    in_names = [n for n, _, _ in in_specs]
    with torch.set_grad_enabled(grad):
        out = model(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    out_names = ["output"] if len(outputs) == 1 else ["output_%d" % i for i in range(len(outputs))]
    n_params = sum(p.numel() for p in model.parameters())

    d = os.path.join(outdir, name)
    td = os.path.join(d, "test_data_set_0")
    os.makedirs(td, exist_ok=True)

    onnx_path = os.path.join(d, "model.onnx")
    tmp_path = onnx_path + ".tmp"
    with torch.set_grad_enabled(grad), warnings.catch_warnings():
        # RNNs with batch_first warn about batch sizes other than 1 (ours is 1),
        # and about the None initial state (prim::Constant) of nn.RNN/LSTM/GRU.
        warnings.filterwarnings("ignore", message="Exporting a model to ONNX with a batch_size")
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(model, inputs, tmp_path, export_params=True,
                          opset_version=opset, do_constant_folding=True,
                          input_names=in_names, output_names=out_names,
                          training=torch.onnx.TrainingMode.EVAL, dynamic_axes=None)
    save_case(d, name, inputs, in_names, outputs, out_names, n_params, opset, seed,
              ["export_grad_enabled: %s" % ("yes" if grad else "no")])
    return n_params


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", default=None, help="comma-separated model names")
    ap.add_argument("--opset", type=int, default=None,
                    help="opset for every model (default: per model, 13 or 17)")
    ap.add_argument("--force", action="store_true", help="re-export even if up to date")
    args = ap.parse_args(argv)

    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in ZOO]
        if bad:
            ap.error("unknown model(s): %s (known: %s)" % (", ".join(bad), ", ".join(ZOO)))
    else:
        names = list(ZOO)

    torch.set_num_threads(1)          # bit-reproducible reference outputs
    failed = []
    for name in names:
        t0 = time.time()
        opset = model_opset(name, args.opset)
        if not args.force and up_to_date(args.outdir, name, opset):
            params = read_info(args.outdir, name).get("params", "?")
            print("%-20s params=%-10s %7.2fs (up to date, skipped)" % (name, params, time.time() - t0),
                  flush=True)
            continue
        try:
            params = export_one(args.outdir, name, opset)
        except Exception as e:  # keep going, report at the end
            print("%-20s FAILED: %s: %s" % (name, type(e).__name__, e), flush=True)
            failed.append(name)
            continue
        print("%-20s params=%-10d %7.2fs" % (name, params, time.time() - t0), flush=True)
    if failed:
        print("failed: %s" % ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
