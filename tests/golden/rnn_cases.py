#!/usr/bin/python3
"""Write the recurrent-op check models: RNN, LSTM and GRU nodes with
constant W, R, B (and P), as torch exports them, so that the avx2 / avx512
targets run the packed rnn_vec kernel, at shapes the ONNX node tests do not
cover: both directions and reverse, batch above the register tile's rows
and above the kernel's 64-row block, hidden sizes that are not multiples of
8 or 16, sequences longer than one block of steps, sequence_lens (constant
and run-time), layout 1, initial states, peepholes, clip, input_forget,
linear_before_reset 0 and 1, every activation, omitted outputs. The
reference is a float64 numpy implementation of the ONNX semantics (as
templates/generic/{rnn,lstm,gru}.c state them), itself checked against
torch.nn.RNN / LSTM / GRU (float64) on every case torch can express.

Usage: /usr/bin/python3 tests/golden/rnn_cases.py OUTDIR
Prints one line per case: NAME vec|generic (what the SIMD targets must run:
rnn_vec, or the generic kernel for an activation rnn_vec does not
vectorise). Each case gets OUTDIR/NAME/model.onnx and test_data_set_0.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
DEFAULT_ACTS = {"RNN": ["Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"]}
TAKES = {"Affine": (1.0, 0.0), "LeakyRelu": (0.01, None), "ThresholdedRelu": (1.0, None),
         "ScaledTanh": (1.0, 1.0), "HardSigmoid": (0.2, 0.5), "Elu": (1.0, None)}


def act(name, a, b, v):
    if name == "Relu":
        return np.maximum(v, 0)
    if name == "Tanh":
        return np.tanh(v)
    if name == "Sigmoid":
        return 1 / (1 + np.exp(-v))
    if name == "Affine":
        return a * v + b
    if name == "LeakyRelu":
        return np.where(v < 0, a * v, v)
    if name == "ThresholdedRelu":
        return np.where(v >= a, v, 0)
    if name == "ScaledTanh":
        return a * np.tanh(b * v)
    if name == "HardSigmoid":
        return np.clip(a * v + b, 0, 1)
    if name == "Elu":
        return np.where(v < 0, a * np.expm1(np.minimum(v, 0)), v)
    if name == "Softsign":
        return v / (1 + np.abs(v))
    if name == "Softplus":
        return np.logaddexp(0, v)
    raise ValueError(name)


def act_list(op, dirs, names, alphas, betas):
    """(name, alpha, beta) per activation per direction; alpha / beta values
    are consumed in list order by the activations that take them."""
    names = names or DEFAULT_ACTS[op]
    n = len(DEFAULT_ACTS[op])
    if len(names) == n:
        names = names * dirs
    alphas, betas = list(alphas or []), list(betas or [])
    out = []
    for nm in names:
        da, db = TAKES.get(nm, (None, None))
        a = alphas.pop(0) if da is not None and alphas else da
        b = betas.pop(0) if db is not None and betas else db
        out.append((nm, a, b))
    return [out[d * n:(d + 1) * n] for d in range(dirs)]


def reference(op, X, W, R, B, lens, h0, c0, P, direction, layout, clip, acts, input_forget, lbr):
    """Y, Y_h, Y_c (float64) of an ONNX RNN / LSTM / GRU node."""
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    seq, batch, _ = X.shape
    dirs, gh, _ = W.shape
    H = R.shape[2]
    Y = np.zeros((seq, dirs, batch, H))
    Yh = np.zeros((dirs, batch, H))
    Yc = np.zeros((dirs, batch, H))
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    for d in range(dirs):
        rev = direction == "reverse" or d == 1
        fa = [(lambda v, a=a: act(a[0], a[1], a[2], cl(v))) for a in acts[d]]
        wb = B[d, :gh] if B is not None else np.zeros(gh)
        rb = B[d, gh:] if B is not None else np.zeros(gh)
        for b in range(batch):
            n = seq if lens is None else int(lens[b])
            h = h0[d, b].copy() if h0 is not None else np.zeros(H)
            c = c0[d, b].copy() if c0 is not None else np.zeros(H)
            for t in (range(n - 1, -1, -1) if rev else range(n)):
                xw = W[d] @ X[t, b] + wb
                if op == "RNN":
                    h = fa[0](xw + R[d] @ h + rb)
                elif op == "LSTM":
                    g = xw + R[d] @ h + rb
                    p = P[d] if P is not None else np.zeros(3 * H)
                    i = fa[0](g[:H] + p[:H] * c)
                    f = 1 - i if input_forget else fa[0](g[2 * H:3 * H] + p[2 * H:] * c)
                    c = f * c + i * fa[1](g[3 * H:])
                    o = fa[0](g[H:2 * H] + p[H:2 * H] * c)
                    h = o * act(acts[d][2][0], acts[d][2][1], acts[d][2][2], c)
                else:
                    rz = xw[:2 * H] + R[d][:2 * H] @ h + rb[:2 * H]
                    z, r = fa[0](rz[:H]), fa[0](rz[H:])
                    if lbr:
                        hh = fa[1](xw[2 * H:] + r * (R[d][2 * H:] @ h + rb[2 * H:]))
                    else:
                        hh = fa[1](xw[2 * H:] + R[d][2 * H:] @ (r * h) + rb[2 * H:])
                    h = (1 - z) * hh + z * h
                Y[t, d, b] = h
            Yh[d, b], Yc[d, b] = h, c
    if layout:
        return Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return Y, Yh, Yc


def torch_check(name, op, X, W, R, B, h0, c0, direction, acts, lbr, want):
    """The reference agrees with torch (float64) on the cases torch expresses."""
    names = [a[0] for dacts in acts for a in dacts]
    plain = {"RNN": [["Tanh"], ["Relu"]], "LSTM": [["Sigmoid", "Tanh", "Tanh"]], "GRU": [["Sigmoid", "Tanh"]]}
    if direction == "reverse" or (op == "GRU" and not lbr) or not any(
            names == p * len(acts) for p in plain[op]):
        return
    import torch
    H = R.shape[2]
    dirs = W.shape[0]
    kw = dict(bidirectional=dirs == 2, dtype=torch.float64)
    if op == "RNN":
        m = torch.nn.RNN(X.shape[2], H, nonlinearity=names[0].lower(), **kw)
        perm = [0]
    elif op == "LSTM":
        m = torch.nn.LSTM(X.shape[2], H, **kw)
        perm = [0, 2, 3, 1]   # torch i f g o from ONNX i o f c
    else:
        m = torch.nn.GRU(X.shape[2], H, **kw)
        perm = [1, 0, 2]      # torch r z n from ONNX z r h

    def reorder(a):
        return np.concatenate([a[k * H:(k + 1) * H] for k in perm])

    gh = W.shape[1]
    with torch.no_grad():
        for d in range(dirs):
            sfx = "_l0" + ("_reverse" if d else "")
            getattr(m, "weight_ih" + sfx).copy_(torch.from_numpy(reorder(W[d].astype(np.float64))))
            getattr(m, "weight_hh" + sfx).copy_(torch.from_numpy(reorder(R[d].astype(np.float64))))
            bb = B[d].astype(np.float64) if B is not None else np.zeros(2 * gh)
            getattr(m, "bias_ih" + sfx).copy_(torch.from_numpy(reorder(bb[:gh])))
            getattr(m, "bias_hh" + sfx).copy_(torch.from_numpy(reorder(bb[gh:])))
        hx = torch.from_numpy((h0 if h0 is not None else np.zeros((dirs, X.shape[1], H))).astype(np.float64))
        if op == "LSTM":
            cx = torch.from_numpy((c0 if c0 is not None else np.zeros_like(hx.numpy())).astype(np.float64))
            y, _ = m(torch.from_numpy(X.astype(np.float64)), (hx, cx))
        else:
            y, _ = m(torch.from_numpy(X.astype(np.float64)), hx)
    y = y.numpy().reshape(X.shape[0], X.shape[1], dirs, H).transpose(0, 2, 1, 3)
    err = np.abs(y - want).max()
    if err > 1e-9:
        sys.exit(f"rnn_cases.py: {name}: the reference differs from torch by {err}")


def case(outdir, name, op, seq, batch, inp, H, direction="forward", layout=0, bias=True, h0=False, c0=False,
         peep=False, lens=None, lens_input=False, clip=0.0, acts=None, alphas=None, betas=None,
         input_forget=0, lbr=1, outs=("Y", "Y_h", "Y_c")):
    dirs = 2 if direction == "bidirectional" else 1
    G = GATES[op]
    s = 1 / np.sqrt(H)
    f32 = np.float32
    X = rng.standard_normal((batch, seq, inp) if layout else (seq, batch, inp)).astype(f32)
    W = rng.uniform(-s, s, (dirs, G * H, inp)).astype(f32) * 2
    R = rng.uniform(-s, s, (dirs, G * H, H)).astype(f32) * 2
    B = rng.uniform(-s, s, (dirs, 2 * G * H)).astype(f32) if bias else None
    hshape = (batch, dirs, H) if layout else (dirs, batch, H)
    H0 = rng.standard_normal(hshape).astype(f32) * 0.5 if h0 else None
    C0 = rng.standard_normal(hshape).astype(f32) * 0.5 if c0 else None
    P = rng.uniform(-0.5, 0.5, (dirs, 3 * H)).astype(f32) if peep else None
    L = np.array(lens, np.int32) if lens is not None else None
    al = act_list(op, dirs, acts, alphas, betas)
    X64 = X.astype(np.float64)
    cvt = (lambda a: None if a is None else a.astype(np.float64))
    Y, Yh, Yc = reference(op, X64, cvt(W), cvt(R), cvt(B), L, cvt(H0), cvt(C0), cvt(P), direction, layout,
                          clip, al, input_forget, lbr)
    if not layout and lens is None:
        torch_check(name, op, X64, W, R, B, H0, C0, direction, al, lbr, Y)

    feeds = [("X", X)]
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(R, "R")]
    names = ["X", "W", "R", "", "", "", "", ""]
    if B is not None:
        inits.append(numpy_helper.from_array(B, "B"))
        names[3] = "B"
    if L is not None:
        names[4] = "lens"
        if lens_input:
            feeds.append(("lens", L))
        else:
            inits.append(numpy_helper.from_array(L, "lens"))
    if H0 is not None:
        feeds.append(("h0", H0))
        names[5] = "h0"
    if C0 is not None:
        feeds.append(("c0", C0))
        names[6] = "c0"
    if P is not None:
        inits.append(numpy_helper.from_array(P, "P"))
        names[7] = "P"
    n_in = {"RNN": 6, "GRU": 6, "LSTM": 8}[op]
    names = names[:n_in]
    while names and names[-1] == "":
        names.pop()
    attrs = dict(hidden_size=H, direction=direction)
    if layout:
        attrs["layout"] = 1
    if clip:
        attrs["clip"] = clip
    if acts:
        attrs["activations"] = acts
    if alphas:
        attrs["activation_alpha"] = alphas
    if betas:
        attrs["activation_beta"] = betas
    if op == "LSTM" and input_forget:
        attrs["input_forget"] = 1
    if op == "GRU":
        attrs["linear_before_reset"] = lbr
    all_outs = {"Y": Y, "Y_h": Yh, "Y_c": Yc}
    out_names = [k if k in outs else "" for k in ("Y", "Y_h", "Y_c")[:3 if op == "LSTM" else 2]]
    while out_names and out_names[-1] == "":
        out_names.pop()
    node = helper.make_node(op, names, out_names, **attrs)
    vi = [helper.make_tensor_value_info(k, TensorProto.INT32 if v.dtype == np.int32 else TensorProto.FLOAT,
                                        v.shape) for k, v in feeds]
    gouts = [k for k in out_names if k]
    vo = [helper.make_tensor_value_info(k, TensorProto.FLOAT, all_outs[k].shape) for k in gouts]
    g = helper.make_graph([node], name, vi, vo, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    d = os.path.join(outdir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for i, (k, v) in enumerate(feeds):
        with open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(v, k).SerializeToString())
    for i, k in enumerate(gouts):
        with open(os.path.join(d, "test_data_set_0", f"output_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(all_outs[k].astype(np.float32), k).SerializeToString())
    names_used = [a[0] for dacts in al for a in dacts]
    print(name, "generic" if "Softplus" in names_used else "vec")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # torch-checked shapes: both directions, batch rows around the tile's rows, odd hidden sizes
    case(out, "lstm_bidir_b3_h20", "LSTM", 5, 3, 7, 20, "bidirectional", h0=True, c0=True)
    case(out, "lstm_b9_h33", "LSTM", 4, 9, 10, 33, h0=True)
    case(out, "lstm_h64_seq20", "LSTM", 20, 1, 32, 64)
    case(out, "gru_bidir_b2_h33", "GRU", 6, 2, 5, 33, "bidirectional", h0=True)
    case(out, "gru_b7_h17", "GRU", 5, 7, 3, 17)
    case(out, "rnn_bidir_b4_h40", "RNN", 7, 4, 6, 40, "bidirectional", h0=True)
    case(out, "rnn_relu_h9", "RNN", 5, 2, 4, 9, acts=["Relu"])
    case(out, "rnn_nobias_h1", "RNN", 3, 1, 2, 1, bias=False)
    # what torch cannot express
    case(out, "lstm_peep_clip_lens", "LSTM", 6, 4, 5, 13, peep=True, clip=0.9, lens=[6, 0, 3, 2], h0=True, c0=True)
    case(out, "lstm_rev_layout1_forget", "LSTM", 5, 2, 3, 17, "reverse", layout=1, input_forget=1, h0=True,
         c0=True, peep=True)
    case(out, "lstm_bidir_lens_input", "LSTM", 5, 3, 4, 24, "bidirectional", lens=[5, 2, 4], lens_input=True,
         outs=("Y_h", "Y_c"))
    case(out, "lstm_long_rev", "LSTM", 70, 1, 3, 24, "reverse", outs=("Y", "Y_c"))
    case(out, "lstm_b70_lens", "LSTM", 3, 70, 2, 8, lens=[(i % 4) for i in range(70)])
    case(out, "lstm_acts_bidir", "LSTM", 4, 2, 3, 19, "bidirectional",
         acts=["HardSigmoid", "Elu", "Softsign", "Sigmoid", "ScaledTanh", "Affine"],
         alphas=[0.3, 0.8, 1.2, 0.7], betas=[0.4, 0.9, 0.1])
    case(out, "gru_lbr0_lens_b9", "GRU", 5, 9, 4, 9, lbr=0, lens=[5, 4, 3, 2, 1, 0, 5, 5, 1], lens_input=True,
         h0=True)
    case(out, "gru_lbr0_bidir_layout1_clip", "GRU", 4, 3, 5, 21, "bidirectional", layout=1, lbr=0, clip=0.5,
         h0=True)
    case(out, "gru_rev_nobias_yh", "GRU", 6, 2, 3, 16, "reverse", bias=False, outs=("Y_h",))
    case(out, "gru_acts", "GRU", 4, 2, 3, 12, acts=["LeakyRelu", "ThresholdedRelu"], alphas=[0.2, 0.1])
    case(out, "rnn_acts_bidir", "RNN", 4, 3, 3, 10, "bidirectional", acts=["Elu", "HardSigmoid"],
         alphas=[0.5, 0.25], betas=[0.45])
    case(out, "rnn_layout1_clip_lens", "RNN", 5, 3, 2, 8, layout=1, clip=0.6, lens=[1, 5, 3], outs=("Y",))
    # Softplus is not vectorised: the SIMD targets keep the generic kernel
    case(out, "gru_softplus", "GRU", 3, 2, 3, 8, acts=["Sigmoid", "Softplus"])


if __name__ == "__main__":
    main()
