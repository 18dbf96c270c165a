#!/usr/bin/python3
"""`nnc convert MODEL.onnx -o NET.nn` on small hand-made ONNX models: what
maps to a builtin is printed as that builtin, everything else through the
escape hatch, and the listing computes what the ONNX model does.

Usage: convert_nn_check.py NNC WORK --ort-dir DIR

Each case is an ONNX graph (onnx.helper) with the lines its listing must
contain (and must not). The model's outputs on random inputs come from ONNX
Runtime (nn_ort_check.py's --ort-ref); `nnc verify NET.nn` (weights from
NET.safetensors beside it) must match them (rtol 1e-3, atol 1e-4). Exit 77
when onnxruntime-node is not installed in DIR (the ort fixture installs it).
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nn_ort_check  # noqa: E402

RNG = np.random.default_rng(5)


def W(name, *shape, scale=0.5):
    return numpy_helper.from_array((RNG.standard_normal(shape) * scale).astype(np.float32), name)


def I64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(nodes, inputs, outputs, inits, opset=17):
    """inputs/outputs: [(name, elem type, shape)]"""
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                          [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


F = TensorProto.FLOAT


def cases():
    c = []
    # Conv: torch's padding='same' (the odd pixel at the end), and pads it cannot say
    c.append(("conv_same", model(
        [helper.make_node("Conv", ["x", "conv1.weight", "conv1.bias"], ["y"], pads=[1, 1, 2, 2], name="/conv1/Conv")],
        [("x", F, [1, 2, 7, 6])], [("y", F, [1, 3, 7, 6])], [W("conv1.weight", 3, 2, 4, 4), W("conv1.bias", 3)]),
        ["conv1 = conv2d(x, out=3, kernel=4, padding='same') as conv1", "output y = conv1"], []))
    c.append(("conv_asymmetric", model(
        [helper.make_node("Conv", ["x", "w"], ["y"], pads=[2, 1, 1, 2], strides=[2, 1])],
        [("x", F, [1, 2, 7, 6])], [("y", F, [1, 3, 4, 7])], [W("w", 3, 2, 3, 3)]),
        ["= Conv(x, w, pads=[2, 1, 1, 2], strides=[2, 1])"], ["conv2d("]))
    c.append(("conv3d_groups", model(
        [helper.make_node("Conv", ["x", "c.weight"], ["y"], group=2, dilations=[1, 2, 1], pads=[0, 2, 1, 0, 2, 1])],
        [("x", F, [1, 4, 5, 6, 5])], [("y", F, [1, 6, 3, 6, 5])], [W("c.weight", 6, 2, 3, 3, 3)]),
        ["conv3d(x, out=6, kernel=3, padding=[0, 2, 1], dilation=[1, 2, 1], groups=2, bias=false) as c"], []))
    c.append(("conv_transpose1d", model(
        [helper.make_node("ConvTranspose", ["x", "up.weight", "up.bias"], ["y"], strides=[2], pads=[1, 1],
                          output_padding=[1])],
        [("x", F, [1, 4, 5])], [("y", F, [1, 3, 10])], [W("up.weight", 4, 3, 3), W("up.bias", 3)]),
        ["conv_transpose1d(x, out=3, kernel=3, stride=2, padding=1, output_padding=1) as up"], []))
    # Gemm and MatMul as linear; what linear cannot say stays
    c.append(("gemm_transb0", model(
        [helper.make_node("Gemm", ["x", "B", "C"], ["y"], name="/fc/Gemm")],
        [("x", F, [3, 4])], [("y", F, [3, 5])], [W("B", 4, 5), W("C", 5)]),
        ["fc = linear(x, out=5) as fc"], ["Gemm("]))
    c.append(("gemm_alpha", model(
        [helper.make_node("Gemm", ["x", "B"], ["y"], alpha=0.5, transB=1)],
        [("x", F, [3, 4])], [("y", F, [3, 5])], [W("B", 5, 4)]),
        ["Gemm(x, b, alpha=0.5, transB=1)"], ["linear("]))
    c.append(("matmul_bias_first", model(
        [helper.make_node("MatMul", ["x", "Wt"], ["h"], name="/proj/MatMul"),
         helper.make_node("Add", ["proj.bias", "h"], ["y"], name="/proj/Add")],
        [("x", F, [2, 3, 4])], [("y", F, [2, 3, 5])], [W("Wt", 4, 5), W("proj.bias", 5)]),
        ["proj = linear(x, out=5) as proj"], ["MatMul(", " + "]))
    c.append(("tied_weights", model(
        [helper.make_node("MatMul", ["x", "T"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
         helper.make_node("MatMul", ["r", "T"], ["y"])],
        [("x", F, [2, 4])], [("y", F, [2, 4])], [W("T", 4, 4)]),
        ['t = parameter([4, 4]) as "T"', "MatMul(x, t)", "relu(h)"], ["linear("]))
    # normalisation
    c.append(("batchnorm_eps", model(
        [helper.make_node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
                          ["y"], epsilon=1e-3)],
        [("x", F, [2, 3, 4])], [("y", F, [2, 3, 4])],
        [W("bn.weight", 3), W("bn.bias", 3), W("bn.running_mean", 3),
         numpy_helper.from_array(np.array([0.5, 1.0, 2.0], np.float32), "bn.running_var")]),
        ["bn = batchnorm(x, eps=0.00100000005) as bn"], []))
    c.append(("layernorm_no_bias", model(
        [helper.make_node("LayerNormalization", ["x", "s"], ["y"], axis=-1)],
        [("x", F, [2, 6])], [("y", F, [2, 6])], [W("s", 6)]),
        ["LayerNormalization(x, s, axis=-1)"], ["layernorm("]))
    # pools: PyTorch's defaults (stride = kernel, count_include_pad) written out where ONNX's differ
    c.append(("pools", model(
        [helper.make_node("MaxPool", ["x"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], ceil_mode=1,
                          strides=[2, 2]),
         helper.make_node("AveragePool", ["x"], ["b"], kernel_shape=[2, 2], pads=[1, 1, 1, 1]),
         helper.make_node("AveragePool", ["x"], ["c"], kernel_shape=[2, 2], pads=[0, 0, 1, 1], strides=[2, 2])],
        [("x", F, [1, 2, 6, 6])], [("a", F, [1, 2, 4, 4]), ("b", F, [1, 2, 7, 7]), ("c", F, [1, 2, 3, 3])], []),
        ["a = max_pool2d(x, kernel=3, stride=2, padding=1, ceil_mode=true)",
         "b = avg_pool2d(x, kernel=2, stride=1, padding=1, count_include_pad=false)",
         "c = AveragePool(x, kernel_shape=[2, 2], pads=[0, 0, 1, 1], strides=[2, 2])"], []))
    # activations, GELU and SiLU as torch exports them
    c.append(("gelu_silu", model(
        [helper.make_node("Div", ["x", "sqrt2"], ["d"], name="/act/Div"),
         helper.make_node("Erf", ["d"], ["e"], name="/act/Erf"),
         helper.make_node("Add", ["e", "one"], ["a"], name="/act/Add"),
         helper.make_node("Mul", ["x", "a"], ["m"], name="/act/Mul"),
         helper.make_node("Mul", ["m", "half"], ["g"], name="/act/Mul_1"),
         helper.make_node("Sigmoid", ["g"], ["s"]), helper.make_node("Mul", ["g", "s"], ["y"]),
         helper.make_node("LeakyRelu", ["y"], ["z"], alpha=0.2)],
        [("x", F, [2, 5])], [("z", F, [2, 5])],
        [numpy_helper.from_array(np.array(2 ** 0.5, np.float32), "sqrt2"),
         numpy_helper.from_array(np.array(1.0, np.float32), "one"),
         numpy_helper.from_array(np.array(0.5, np.float32), "half")]),
        ["act = gelu(x)", "= silu(act)", "leaky_relu(y, negative_slope=0.200000003)"], ["Erf("]))
    c.append(("softmax_opset11", model(
        [helper.make_node("Softmax", ["x"], ["a"], axis=1), helper.make_node("LogSoftmax", ["x"], ["b"], axis=2)],
        [("x", F, [2, 3, 4])], [("a", F, [2, 3, 4]), ("b", F, [2, 3, 4])], [], opset=11),
        ["a_2d = softmax(reshape(x, [2, 12]))", "a = reshape(a_2d, [2, 3, 4])", "b = log_softmax(x)"], ["_opset="]))
    # an opset 10 model: its nodes keep their meaning (_opset) where the op has changed since
    c.append(("opset10", model(
        [helper.make_node("Clip", ["x"], ["c"], min=-0.5, max=0.5), helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("Squeeze", ["r"], ["s"], axes=[0]), helper.make_node("Softmax", ["s"], ["y"])],
        [("x", F, [1, 3, 4])], [("y", F, [3, 4])], [], opset=10),
        ["c = Clip(x, max=0.5, min=-0.5, _opset=10)", "r = relu(c)", "s = Squeeze(r, axes=[0], _opset=10)",
         "y = softmax(s)"], []))
    # shapes
    c.append(("shapes", model(
        [helper.make_node("Flatten", ["x"], ["f"], axis=2), helper.make_node("Transpose", ["f"], ["t"]),
         helper.make_node("Reshape", ["t", "shape"], ["r"]), helper.make_node("Identity", ["r"], ["i"]),
         helper.make_node("Concat", ["i", "k"], ["c"], axis=1), helper.make_node("Sub", ["one", "c"], ["y"])],
        [("x", F, [2, 3, 4, 5])], [("y", F, [20, 8])],
        [I64("shape", [0, -1]), W("k", 20, 2), numpy_helper.from_array(np.array([1.0], np.float32), "one")]),
        ["f = reshape(x, [6, 20])", "t = permute(f, [1, 0])", "r = reshape(t, [20, 6])",
         'k = parameter([20, 2]) as "k"', "c = cat([r, k], dim=1)", "y = [1.0] - c"], ["Identity"]))
    # embedding; Dropout vanishes
    c.append(("embedding", model(
        [helper.make_node("Gather", ["emb.weight", "ids"], ["e"]), helper.make_node("Dropout", ["e"], ["y"])],
        [("ids", TensorProto.INT64, [2, 3])], [("y", F, [2, 3, 4])], [W("emb.weight", 7, 4)]),
        ["emb = embedding(ids, num=7, dim=4) as emb", "output y = emb"], ["Dropout"]))
    # names that are not names: a quote, a backslash, non-ASCII, 300 characters
    long = "n" * 300
    c.append(("odd_names", model(
        [helper.make_node("Conv", ["in put", 'w"ei\\ght', "b\u00e9"], ["mid"], name="conv \u00e9"),
         helper.make_node("Relu", ["mid"], [long])],
        [("in put", F, [1, 1, 5, 5])], [(long, F, [1, 2, 3, 3])], [W('w"ei\\ght', 2, 1, 3, 3), W("b\u00e9", 2)]),
        ['conv = conv2d(in_put, out=2, kernel=3) as "conv __"', "input in_put: f32[1, 1, 5, 5]"], []))
    return c


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


def check(nnc, work, ort_dir, name, m, want, not_want):
    d = os.path.join(work, name)
    ds = os.path.join(d, "inputs", "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    onnx.checker.check_model(m, full_check=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    inits = {t.name for t in m.graph.initializer}
    for k, vi in enumerate(i for i in m.graph.input if i.name not in inits):
        shape = [x.dim_value for x in vi.type.tensor_type.shape.dim]
        if vi.type.tensor_type.elem_type == TensorProto.INT64:
            x = RNG.integers(0, 7, size=shape).astype(np.int64)
        else:
            x = RNG.standard_normal(shape).astype(np.float32)
        with open(os.path.join(ds, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(x, vi.name).SerializeToString())
    err = nn_ort_check.ort_reference(ort_dir, path, ds, os.path.join(d, "ort"))
    if err:
        return "ONNX Runtime on the model: " + err
    nn = os.path.join(d, "net.nn")
    rc, out = run([nnc, "convert", path, "-o", nn])
    if rc:
        return "nnc convert:\n" + out
    with open(nn) as f:
        text = f.read()
    missing = [w for w in want if w not in text] + ["(not) " + w for w in not_want if w in text]
    if missing:
        return "the listing lacks %s:\n%s" % (missing, text)
    rc, out = run([nnc, "verify", nn, os.path.join(d, "ort", "test_data_set_0")])
    if rc:
        return "nnc verify NET.nn against ONNX Runtime:\n%s\n%s" % (out, text)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nnc")
    ap.add_argument("work")
    ap.add_argument("--ort-dir", required=True)
    args = ap.parse_args()
    nnc, work, ort_dir = os.path.abspath(args.nnc), os.path.abspath(args.work), os.path.abspath(args.ort_dir)
    if not os.path.isdir(os.path.join(ort_dir, "node_modules", "onnxruntime-node")):
        print("SKIP: onnxruntime-node is not installed in " + ort_dir)
        return 77
    fails = 0
    for name, m, want, not_want in cases():
        err = check(nnc, work, ort_dir, name, m, want, not_want)
        print("%s %s" % ("FAIL" if err else "ok  ", name))
        if err:
            fails += 1
            print("  " + err.replace("\n", "\n  "))
    print("%d failure(s)" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
