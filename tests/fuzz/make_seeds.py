#!/usr/bin/python3
"""make_seeds.py OUTDIR [--node-tests DIR] [--zoo DIR] [--bad-inputs DIR] [--max-model-bytes N]

Seed corpora for the fuzz targets, gathered at run time (nothing here is
committed except the small built-in set under tests/fuzz/seeds/, which
`--builtin` regenerates):

  OUTDIR/onnx/    ONNX models: every node-test model.onnx, plus a variant of
                  each with its non-float and small float inputs frozen into
                  initializers from test_data_set_0 (nnc needs shapes, axes,
                  pads and scales as constants, so without this most of those
                  models stop at "must be a constant"); zoo models up to
                  --max-model-bytes; the bad_inputs cases.
  OUTDIR/tensor/  TensorProto files: the test data sets' input_K.pb and
                  output_K.pb (deduplicated, each at most 64 KB).
  OUTDIR/onnx.dict  libFuzzer dictionary: op types (from compiler/ir/ops.def),
                  attribute names and a few keys the loader looks for.

`--builtin DIR` instead writes the committed seeds: a dozen small models built
here with onnx.helper (conv/bn/pool/gemm chains, depthwise and grouped conv,
residual adds, shape-computing chains, recurrent and attention-like graphs)
and TensorProtos of every supported element type. Deterministic. Files named
regress_* there are inputs the fuzzers once crashed or hung on (kept, so the
smoke test replays them).
"""
import argparse
import hashlib
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def put(dirpath, data, seen):
    h = hashlib.sha1(data).hexdigest()[:16]
    if h in seen:
        return
    seen.add(h)
    with open(os.path.join(dirpath, h), "wb") as f:
        f.write(data)


def frozen_variant(model_path, ds):
    """The model with non-float inputs (and float ones of <= 16 elements)
    turned into initializers holding test_data_set_0's values, or None."""
    m = onnx.load(model_path)
    inits = {i.name for i in m.graph.initializer}
    real = [i for i in m.graph.input if i.name not in inits]
    keep, changed = [], False
    for k, vi in enumerate(real):
        pb = os.path.join(ds, "input_%d.pb" % k)
        if not os.path.exists(pb):
            keep.append(vi)
            continue
        t = TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        small = int(np.prod(t.dims)) <= 16 if len(t.dims) else True
        floaty = t.data_type in (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16)
        if not floaty or small:
            t.name = vi.name
            m.graph.initializer.append(t)
            changed = True
        else:
            keep.append(vi)
    if not changed:
        return None
    others = [i for i in m.graph.input if i.name in inits]
    del m.graph.input[:]
    m.graph.input.extend(others + keep)
    return m.SerializeToString()


def gather(args):
    onnx_dir = os.path.join(args.outdir, "onnx")
    tensor_dir = os.path.join(args.outdir, "tensor")
    os.makedirs(onnx_dir, exist_ok=True)
    os.makedirs(tensor_dir, exist_ok=True)
    seen_m, seen_t = set(), set()
    attrs, ops = set(), set()
    n_frozen = 0
    node_root = os.path.join(args.node_tests, "node") if args.node_tests else None
    if node_root and os.path.isdir(node_root):
        for case in sorted(os.listdir(node_root)):
            d = os.path.join(node_root, case)
            mp = os.path.join(d, "model.onnx")
            if not os.path.exists(mp):
                continue
            with open(mp, "rb") as f:
                data = f.read()
            put(onnx_dir, data, seen_m)
            ds = os.path.join(d, "test_data_set_0")
            try:
                m = onnx.load_model_from_string(data)
                for n in m.graph.node:
                    ops.add(n.op_type)
                    attrs.update(a.name for a in n.attribute)
                fv = frozen_variant(mp, ds) if os.path.isdir(ds) else None
                if fv:
                    put(onnx_dir, fv, seen_m)
                    n_frozen += 1
            except Exception as e:  # noqa: BLE001 - a seed we cannot read is skipped
                print("skip %s: %s" % (case, e), file=sys.stderr)
            if os.path.isdir(ds):
                for pb in sorted(os.listdir(ds)):
                    p = os.path.join(ds, pb)
                    if pb.endswith(".pb") and os.path.getsize(p) <= 65536:
                        with open(p, "rb") as f:
                            put(tensor_dir, f.read(), seen_t)
    if args.zoo and os.path.isdir(args.zoo):
        for name in sorted(os.listdir(args.zoo)):
            mp = os.path.join(args.zoo, name, "model.onnx")
            if os.path.exists(mp) and os.path.getsize(mp) <= args.max_model_bytes:
                with open(mp, "rb") as f:
                    put(onnx_dir, f.read(), seen_m)
            ds = os.path.join(args.zoo, name, "test_data_set_0")
            if os.path.isdir(ds):
                for pb in sorted(os.listdir(ds)):
                    p = os.path.join(ds, pb)
                    if pb.endswith(".pb") and os.path.getsize(p) <= 65536:
                        with open(p, "rb") as f:
                            put(tensor_dir, f.read(), seen_t)
    if args.bad_inputs and os.path.isdir(args.bad_inputs):
        for f in sorted(os.listdir(args.bad_inputs)):
            if f.endswith(".onnx"):
                with open(os.path.join(args.bad_inputs, f), "rb") as fh:
                    put(onnx_dir, fh.read(), seen_m)
    with open(os.path.join(ROOT, "compiler", "ir", "ops.def")) as f:
        ops.update(re.findall(r"^OP\((\w+),", f.read(), re.M))
    words = sorted(ops | attrs | {"location", "offset", "length", "ai.onnx", "com.microsoft"})
    with open(os.path.join(args.outdir, "onnx.dict"), "w") as f:
        for w in words:
            if re.fullmatch(r"[A-Za-z0-9_.]+", w):
                f.write('"%s"\n' % w)
    print("seeds: %d models (%d with frozen inputs), %d tensors, %d dictionary words"
          % (len(seen_m), n_frozen, len(seen_t), len(words)))


# ---- the committed built-in seeds ----
def vi(name, shape, dt=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dt, shape)


def init(name, shape, dt=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    if np.issubdtype(dt, np.floating):
        a = (rng.standard_normal(shape) * 0.5).astype(dt)
    else:
        a = np.array(rng.randint(0, 3, size=shape)).astype(dt)
    return numpy_helper.from_array(a, name)


def mk(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "seed", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, producer_name="nnc-fuzz-seed", opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m.SerializeToString()


def builtin_models():
    N = helper.make_node
    out = {}
    out["conv_bn_relu_pool_gemm"] = mk(
        [N("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
         N("BatchNormalization", ["c", "s", "b", "m", "v"], ["bn"]),
         N("Relu", ["bn"], ["r"]), N("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
         N("Flatten", ["p"], ["f"]), N("Gemm", ["f", "G", "gb"], ["Y"], transB=1)],
        [vi("X", [1, 3, 8, 8])], [vi("Y", None)],
        [init("W", (8, 3, 3, 3)), init("B", (8,)), init("s", (8,)), init("b", (8,)), init("m", (8,)),
         numpy_helper.from_array(np.full(8, 1.5, np.float32), "v"), init("G", (10, 128)), init("gb", (10,))])
    out["depthwise_residual"] = mk(
        [N("Conv", ["X", "W"], ["d"], group=16, pads=[1, 1, 1, 1]), N("Add", ["d", "X"], ["a"]),
         N("Clip", ["a", "lo", "hi"], ["Y"])],
        [vi("X", [1, 16, 6, 6])], [vi("Y", None)],
        [init("W", (16, 1, 3, 3)), numpy_helper.from_array(np.float32(0), "lo"),
         numpy_helper.from_array(np.float32(6), "hi")])
    out["grouped_strided_convtranspose"] = mk(
        [N("Conv", ["X", "W"], ["c"], group=2, strides=[2, 2]),
         N("ConvTranspose", ["c", "T"], ["Y"], strides=[2, 2])],
        [vi("X", [1, 4, 9, 9])], [vi("Y", None)], [init("W", (6, 2, 3, 3)), init("T", (6, 2, 2, 2))])
    out["shape_chain_reshape"] = mk(
        [N("Shape", ["X"], ["s"]), N("Gather", ["s", "i"], ["g"], axis=0),
         N("Concat", ["g", "m1"], ["ns"], axis=0), N("Reshape", ["X", "ns"], ["r"]),
         N("Transpose", ["r"], ["Y"], perm=[1, 0])],
        [vi("X", [2, 3, 4])], [vi("Y", None)],
        [numpy_helper.from_array(np.array([0], np.int64), "i"), numpy_helper.from_array(np.array([-1], np.int64), "m1")])
    out["matmul_softmax_attention"] = mk(
        [N("MatMul", ["X", "Wq"], ["q"]), N("MatMul", ["X", "Wk"], ["k"]), N("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
         N("MatMul", ["q", "kt"], ["s"]), N("Div", ["s", "sc"], ["ss"]), N("Softmax", ["ss"], ["p"], axis=-1),
         N("MatMul", ["p", "X"], ["o"]), N("LayerNormalization", ["o", "g", "b"], ["Y"], axis=-1)],
        [vi("X", [1, 5, 8])], [vi("Y", None)],
        [init("Wq", (8, 8)), init("Wk", (8, 8), seed=1), numpy_helper.from_array(np.float32(2.8), "sc"),
         init("g", (8,)), init("b", (8,))], opset=17)
    out["lstm"] = mk(
        [N("LSTM", ["X", "W", "R", "B"], ["Y", "h"], hidden_size=4)],
        [vi("X", [3, 1, 2])], [vi("Y", None), vi("h", None)],
        [init("W", (1, 16, 2)), init("R", (1, 16, 4)), init("B", (1, 32))])
    out["reduce_slice_pad_resize"] = mk(
        [N("Slice", ["X", "st", "en", "ax"], ["s"]), N("Pad", ["s", "pd"], ["p"], mode="reflect"),
         N("Resize", ["p", "", "sc"], ["r"], mode="nearest"), N("ReduceMean", ["r"], ["Y"], axes=[2, 3], keepdims=1)],
        [vi("X", [1, 2, 6, 6])], [vi("Y", None)],
        [numpy_helper.from_array(np.array([1, 1], np.int64), "st"), numpy_helper.from_array(np.array([5, 5], np.int64), "en"),
         numpy_helper.from_array(np.array([2, 3], np.int64), "ax"),
         numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pd"),
         numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "sc")])
    out["elementwise_broadcast_int"] = mk(
        [N("Cast", ["X"], ["i"], to=TensorProto.INT32), N("Mul", ["i", "k"], ["m"]), N("Cast", ["m"], ["f"], to=1),
         N("Where", ["c", "f", "X"], ["w"]), N("Sigmoid", ["w"], ["s"]), N("Concat", ["s", "X"], ["Y"], axis=1)],
        [vi("X", [2, 3])], [vi("Y", None)],
        [numpy_helper.from_array(np.array([3], np.int32), "k"),
         numpy_helper.from_array(np.array([[True], [False]]), "c")])
    out["constant_of_shape_expand_tile"] = mk(
        [N("ConstantOfShape", ["sh"], ["c"], value=numpy_helper.from_array(np.array([0.5], np.float32))),
         N("Expand", ["X", "sh"], ["e"]), N("Add", ["c", "e"], ["a"]), N("Tile", ["a", "rep"], ["Y"])],
        [vi("X", [1, 4])], [vi("Y", None)],
        [numpy_helper.from_array(np.array([3, 4], np.int64), "sh"), numpy_helper.from_array(np.array([2, 1], np.int64), "rep")])
    out["gather_constant_indices"] = mk(
        [N("Gather", ["E", "X"], ["g"], axis=0), N("ReduceSum", ["g", "ax"], ["Y"], keepdims=0)],
        [vi("X", [2, 3], TensorProto.INT64)], [vi("Y", None)],
        [init("E", (10, 4)), numpy_helper.from_array(np.array([1], np.int64), "ax")])
    out["avgpool_global_concat_split"] = mk(
        [N("AveragePool", ["X"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0),
         N("GlobalAveragePool", ["a"], ["g"]), N("Split", ["X"], ["s0", "s1"], axis=1),
         N("Concat", ["s1", "s0"], ["c"], axis=1), N("Add", ["c", "g"], ["Y"])],
        [vi("X", [1, 8, 5, 5])], [vi("Y", None)])
    return out


def builtin_tensors():
    out = {}
    for dt in (np.float32, np.float64, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint32,
               np.uint64, np.bool_):
        a = (np.arange(6).reshape(2, 3) % 3).astype(dt)
        t = numpy_helper.from_array(a, "t_" + np.dtype(dt).name)
        out["raw_" + np.dtype(dt).name] = t.SerializeToString()
        t2 = helper.make_tensor("f_" + np.dtype(dt).name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dt)], [2, 3],
                                a.flatten().tolist())
        out["typed_" + np.dtype(dt).name] = t2.SerializeToString()
    out["scalar_float"] = numpy_helper.from_array(np.float32(3.5), "s").SerializeToString()
    out["empty_dim"] = numpy_helper.from_array(np.zeros((0, 4), np.float32), "e").SerializeToString()
    t = TensorProto(name="x", data_type=TensorProto.FLOAT, dims=[4], data_location=TensorProto.EXTERNAL)
    e = t.external_data.add()
    e.key, e.value = "location", "ext_weights.bin"
    out["external"] = t.SerializeToString()
    return out


def builtin(outdir):
    for sub, items in (("onnx", builtin_models()), ("tensor", builtin_tensors())):
        d = os.path.join(outdir, sub)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):  # fuzzer findings (regress_*) stay
            if not f.startswith("regress_"):
                os.remove(os.path.join(d, f))
        for name, data in sorted(items.items()):
            with open(os.path.join(d, name + (".onnx" if sub == "onnx" else ".pb")), "wb") as f:
                f.write(data)
    print("wrote built-in seeds to %s" % outdir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--builtin", action="store_true", help="write the committed built-in seeds to OUTDIR")
    ap.add_argument("--node-tests")
    ap.add_argument("--zoo")
    ap.add_argument("--bad-inputs", default=os.path.join(ROOT, "tests", "bad_inputs", "cases"))
    ap.add_argument("--max-model-bytes", type=int, default=64 << 10)
    args = ap.parse_args()
    if args.builtin:
        builtin(args.outdir)
    else:
        gather(args)


if __name__ == "__main__":
    main()
