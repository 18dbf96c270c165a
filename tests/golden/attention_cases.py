#!/usr/bin/python3
"""Write the fused Attention check models: small Q.K^T*scale[+mask] ->
Softmax -> .V graphs that the recognition pass must turn into one Attention
node, at odd sizes around the SIMD widths, with K given transposed or not,
masks as an additive tensor, as Where(cond, fill, S) and as the
select-keep form Where(keep, S, fill), a Where condition that is a runtime
graph input with a -1e9 fill, and rows that are fully masked (NaN with -inf
as in ONNX, uniform weights with -1e9). Each case gets OUTDIR/NAME/model.onnx
and a float64 numpy reference in OUTDIR/NAME/test_data_set_0.

Usage: /usr/bin/python3 tests/golden/attention_cases.py OUTDIR
Prints the case names, one a line.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1)


def save(outdir, name, nodes, inits, feeds, out):
    d = os.path.join(outdir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    ins = [helper.make_tensor_value_info(k, TensorProto.BOOL if v.dtype == bool else TensorProto.FLOAT, v.shape)
           for k, v in feeds]
    outs = [helper.make_tensor_value_info("Y", TensorProto.FLOAT, out.shape)]
    g = helper.make_graph(nodes, name, ins, outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for i, (k, v) in enumerate(feeds):
        with open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(v, k).SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(out.astype(np.float32), "Y").SerializeToString())


def softmax(s):
    with np.errstate(invalid="ignore"):  # a row of -inf gives NaN, as in ONNX
        m = s.max(-1, keepdims=True)
        e = np.exp(s - m)
        return e / e.sum(-1, keepdims=True)


def case(outdir, name, H, SQ, SK, D, DV, kt, masking=None, off=0, fill=-np.inf, masked_rows=()):
    """kt: K is [B,H,SK,D] and the graph transposes it; else K comes as [B,H,D,SK].
    masking: None, "add" (causal, -inf above the diagonal shifted by off, small
    noise elsewhere), "bcast_add" ([1,1,1,SK] bias), "where" (Where(C, fill, S)
    with C causal), "keep" (Where(~C, S, fill)), "where_in" (C a bool graph
    input, random, rows in masked_rows fully masked)."""
    q = rng.standard_normal((1, H, SQ, D)).astype(np.float32)
    k = rng.standard_normal((1, H, SK, D)).astype(np.float32) * 2
    v = rng.standard_normal((1, H, SK, DV)).astype(np.float32)
    sc = np.float32(1 / np.sqrt(D))
    nodes, inits = [], []
    feeds = [("Q", q), ("K", k if kt else np.ascontiguousarray(k.transpose(0, 1, 3, 2))), ("V", v)]
    if kt:
        nodes.append(helper.make_node("Transpose", ["K"], ["KT"], perm=[0, 1, 3, 2]))
        kn = "KT"
    else:
        kn = "K"
    nodes += [helper.make_node("MatMul", ["Q", kn], ["S0"]), helper.make_node("Mul", ["S0", "sc"], ["S1"])]
    inits.append(numpy_helper.from_array(np.array(sc, np.float32), "sc"))
    s = (q.astype(np.float64) @ k.astype(np.float64).transpose(0, 1, 3, 2)) * np.float64(sc)
    i = np.arange(SQ)[:, None]
    j = np.arange(SK)[None, :]
    upper = j > i + off
    last = "S1"
    if masking == "add":
        mk = np.where(upper, -np.inf, rng.standard_normal((SQ, SK)) * 0.1).astype(np.float32)
        inits.append(numpy_helper.from_array(mk, "M"))
        nodes.append(helper.make_node("Add", ["S1", "M"], ["S2"]))
        s = s + mk
    elif masking == "bcast_add":
        mk = rng.standard_normal((1, 1, 1, SK)).astype(np.float32)
        inits.append(numpy_helper.from_array(mk, "M"))
        nodes.append(helper.make_node("Add", ["S1", "M"], ["S2"]))
        s = s + mk
    elif masking in ("where", "keep", "where_in"):
        if masking == "where_in":
            c = rng.random((1, 1, SQ, SK)) < 0.3
            c[..., 0] = False
            for r in masked_rows:
                c[..., r, :] = True
            feeds.append(("C", c))
        else:
            c = upper
            inits.append(numpy_helper.from_array(c if masking == "where" else ~c, "C"))
        inits.append(numpy_helper.from_array(np.array(fill, np.float32), "F"))
        ins = ["C", "F", "S1"] if masking != "keep" else ["C", "S1", "F"]
        nodes.append(helper.make_node("Where", ins, ["S2"]))
        s = np.where(c, np.float64(np.float32(fill)), s)
    if masking:
        last = "S2"
    nodes += [helper.make_node("Softmax", [last], ["P"], axis=-1), helper.make_node("MatMul", ["P", "V"], ["Y"])]
    save(outdir, name, nodes, inits, feeds, softmax(s) @ v.astype(np.float64))
    print(name)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    case(out, "kt_causal_add", 2, 5, 20, 8, 20, True, "add", off=15)
    case(out, "kt_causal_where", 2, 33, 40, 12, 24, True, "where", off=7)
    case(out, "plain_causal_where", 3, 16, 16, 16, 16, False, "where", off=0)
    case(out, "kt_big_nomask", 2, 33, 70, 40, 24, True)
    case(out, "plain_odd", 1, 7, 3, 5, 9, False, "bcast_add")
    case(out, "plain_nomask_tiny", 1, 1, 1, 1, 1, False)
    case(out, "keep_causal", 2, 12, 30, 8, 8, True, "keep", off=5)
    case(out, "where_input_fill", 2, 9, 21, 8, 17, True, "where_in", fill=-1e9)
    # Fully masked rows: -inf everywhere gives NaN (rows 0..2 here); -1e9
    # everywhere gives the mean of V.
    case(out, "masked_rows_where_inf", 1, 6, 40, 8, 8, True, "where", off=-3)
    case(out, "masked_rows_add_inf", 2, 5, 17, 8, 11, False, "add", off=-2)
    case(out, "masked_rows_input_fill", 2, 7, 19, 9, 13, True, "where_in", fill=-1e9, masked_rows=(0, 4))


if __name__ == "__main__":
    main()
