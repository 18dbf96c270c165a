#!/usr/bin/python3
"""make_cases.py OUTDIR — write the malformed / unsupported ONNX models that
run_bad_inputs.sh feeds to nnc, one small file per case, plus `expected.tsv`
(the manifest the runner reads: case, expected stderr line count, a substring
each error line must contain, and extra nnc arguments for the positive runs).

Deterministic: running it twice gives byte-identical files. Needs onnx
(Debian's /usr/bin/python3 has it). Models onnx.helper would refuse are built
by filling the protobuf messages directly or by editing serialized bytes.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

OPSET = 13
# manifest rows: (case, lines, substring, extra args)
#   lines = 0  -> positive control: must compile (exit 0, OUT.c and OUT.h written)
#   lines = N  -> must fail with exactly N error lines, each containing substring
ROWS = []


def model(nodes, inputs, outputs, inits=(), opset=OPSET, name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, producer_name="nnc-bad-inputs",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, shape, dt=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dt, shape)


def weights(shape):
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float32) % 7 - 3).astype(np.float32).reshape(shape) / 8


def raw_init(name, arr):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(arr.shape)
    t.raw_data = arr.astype("<f4").tobytes()
    return t


W_SHAPE = (4, 4, 3, 3)  # Conv weight: 4 out, 4 in, 3x3 -> 576 bytes


def conv_model(w_init=None, **conv_attrs):
    """X[1,4,5,5] -> Conv(W[4,4,3,3]) -> Y[1,4,3,3]."""
    if w_init is None:
        w_init = raw_init("W", weights(W_SHAPE))
    node = helper.make_node("Conv", ["X", "W"], ["Y"], name="conv0", **conv_attrs)
    return model([node], [vi("X", [1, 4, 5, 5])], [vi("Y", None)], [w_init])


def relu_model(x_shape=(1, 4)):
    node = helper.make_node("Relu", ["X"], ["Y"], name="relu0")
    return model([node], [vi("X", x_shape)], [vi("Y", None)])


def nested_graphs(levels):
    """A ModelProto whose graph holds a node whose attribute holds a graph ...
    `levels` times (3 messages a level), written as raw protobuf bytes."""
    def varint(n):
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            if not n:
                return out + bytes([b])
            out += bytes([b | 0x80])

    def field(num, payload):  # length-delimited field
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    g = b""
    for _ in range(levels):  # GraphProto.node=1, NodeProto.attribute=5, AttributeProto.name=1, .g=6
        g = field(1, field(5, field(1, b"body") + field(6, g)))
    opset = field(8, varint(2 << 3) + varint(13))  # opset_import { version: 13 }
    return varint(1 << 3) + varint(8) + opset + field(7, g)


class Writer:
    def __init__(self, outdir):
        self.outdir = outdir

    def bytes(self, case, data, lines=1, expect="", args=""):
        path = os.path.join(self.outdir, case + ".onnx")
        with open(path, "wb") as f:
            f.write(data)
        assert len(data) < 10 * 1024, case
        ROWS.append((case, lines, expect, args))

    def model(self, case, m, lines=1, expect="", args=""):
        self.bytes(case, m.SerializeToString(), lines, expect, args)

    def extra(self, name, data):
        with open(os.path.join(self.outdir, name), "wb") as f:
            f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_cases.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):  # start clean: no stale cases
        if f.endswith((".onnx", ".bin", ".tsv")):
            os.remove(os.path.join(outdir, f))
    w = Writer(outdir)

    # ---- file level ----
    good = conv_model().SerializeToString()
    cut = good[: len(good) // 2]
    try:  # make sure the cut really is unparsable
        onnx.load_model_from_string(cut)
        raise SystemExit("truncated model still parses")
    except Exception as e:  # noqa: BLE001 (DecodeError)
        if isinstance(e, SystemExit):
            raise
    w.bytes("truncated", cut, expect="not a valid ONNX model")
    garbage = b"this is not an ONNX model\n" + bytes(np.random.RandomState(7).randint(0, 256, 200, dtype=np.uint8))
    w.bytes("garbage", garbage, expect="not a valid ONNX model")
    w.bytes("empty", b"", expect="not a valid ONNX model")

    # ---- tensor data ----
    t = raw_init("W", weights(W_SHAPE))
    t.raw_data = t.raw_data[:100]
    w.model("raw_data_size_mismatch", conv_model(t), expect="tensor 'W': raw data has 100 bytes")

    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=list(W_SHAPE))
    t.float_data.extend([0.5] * 10)
    w.model("float_data_count_mismatch", conv_model(t), expect="tensor 'W': has 10 values")

    t = raw_init("W", weights(W_SHAPE))
    del t.dims[:]
    t.dims.extend([4, -4, 3, 3])
    w.model("negative_dim_initializer", conv_model(t), expect="tensor 'W': negative dimension -4")

    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[1 << 40, 1 << 40, 4])
    t.raw_data = b"\0" * 16
    w.model("dims_overflow_initializer", conv_model(t), expect="tensor 'W': dimensions overflow")

    m = relu_model((1, 4))
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = -3
    w.model("negative_dim_input", m, expect="'X': negative dimension -3")

    # ---- graph structure ----
    n = helper.make_node("Add", ["X", "ghost"], ["Y"], name="add0")
    w.model("undefined_input", model([n], [vi("X", [1, 4])], [vi("Y", None)]),
            expect="node 'add0' (Add): input 'ghost' is not defined")

    nodes = [helper.make_node("Add", ["X", "t2"], ["t1"], name="add_a"),
             helper.make_node("Relu", ["t1"], ["t2"], name="relu_b")]
    w.model("cycle", model(nodes, [vi("X", [1, 4])], [vi("t1", None)]), expect="has a cycle")

    nodes = [helper.make_node("Relu", ["X"], ["Y"], name="relu_a"),
             helper.make_node("Sigmoid", ["X"], ["Y"], name="sig_b")]
    w.model("duplicate_node_output", model(nodes, [vi("X", [1, 4])], [vi("Y", None)]),
            expect="node 'sig_b' (Sigmoid): output 'Y' is already defined")

    m = relu_model()
    m.graph.output.extend([vi("Y", None)])
    w.model("duplicate_graph_output", m, expect="graph output 'Y' is listed twice")

    nodes = [helper.make_node("Relu", ["X"], ["X"], name="relu_a")]
    w.model("node_output_shadows_input", model(nodes, [vi("X", [1, 4])], [vi("X", None)]),
            expect="output 'X' is already defined")

    # ---- operators ----
    n = helper.make_node("FooBar", ["X"], ["Y"], name="foo0")
    w.model("unknown_op", model([n], [vi("X", [1, 4])], [vi("Y", None)]),
            expect="node 'foo0' (FooBar): unsupported operator")

    nodes = [helper.make_node("FooBar", ["X"], ["a"], name="foo0"),
             helper.make_node("BazQux", ["a"], ["b"], name="baz0"),
             helper.make_node("FooBar", ["b"], ["c"], name="foo1"),
             helper.make_node("NonMaxSuppression", ["c", "c"], ["Y"], name="nms0")]
    w.model("three_unsupported_ops", model(nodes, [vi("X", [1, 4])], [vi("Y", None)]),
            lines=3, expect="unsupported operator")

    # ---- attributes ----
    w.model("attr_group_float", conv_model(group=1.0),
            expect="node 'conv0' (Conv): attribute 'group' must be int, got float")
    w.model("attr_strides_string", conv_model(strides="1,1"),
            expect="node 'conv0' (Conv): attribute 'strides' must be ints, got string")
    # checked at lowering time (emit), not during shape inference
    n = helper.make_node("LeakyRelu", ["X"], ["Y"], name="leaky0", alpha=2)
    w.model("attr_alpha_int", model([n], [vi("X", [1, 4])], [vi("Y", None)]),
            expect="node 'leaky0' (LeakyRelu): attribute 'alpha' must be float, got int")
    w.model("conv_stride_zero", conv_model(strides=[0, 0]),
            expect="node 'conv0' (Conv): stride 0 must be at least 1")
    w.model("conv_group_not_dividing", conv_model(group=3),
            expect="node 'conv0' (Conv): group 3 does not divide the 4 input channels")

    # ---- external data ----
    data = weights(W_SHAPE).astype("<f4").tobytes()  # 576 bytes
    w.extra("ext_weights.bin", data)

    def ext(case, location, offset=None, length=None, **kw):
        t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=list(W_SHAPE))
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", offset), ("length", length)):
            if v is not None:
                e = t.external_data.add()
                e.key, e.value = k, str(v)
        w.model(case, conv_model(t), **kw)

    ext("ext_ok", "ext_weights.bin", 0, len(data), lines=0)  # positive control
    # run_bad_inputs.sh puts a valid 576-byte file at ../outside/ext_weights.bin,
    # so the next two would load if the path checks were missing
    ext("ext_dotdot", "../outside/ext_weights.bin", expect="leaves the model directory")
    ext("ext_dotdot_inner", "sub/../../outside/ext_weights.bin", expect="leaves the model directory")
    ext("ext_absolute", "/etc/passwd", expect="'/etc/passwd' leaves the model directory")
    ext("ext_offset_beyond_end", "ext_weights.bin", offset=4096, length=len(data),
        expect="lies outside 'ext_weights.bin'")
    ext("ext_offset_overflow", "ext_weights.bin", offset=(1 << 63) - 1, expect="lies outside")
    ext("ext_length_mismatch", "ext_weights.bin", offset=0, length=100,
        expect="external data length 100 does not match the tensor's 576 bytes")
    ext("ext_missing_file", "no_such_file.bin", expect="no_such_file.bin")
    # run_bad_inputs.sh creates ext_link.bin -> ../outside/ext_weights.bin at run time
    ext("ext_symlink", "ext_link.bin", expect="symbolic link")
    # ... and linkdir -> ../outside, so this one goes through a linked directory
    ext("ext_symlink_dir", "linkdir/ext_weights.bin", expect="symbolic link")

    # ---- versions and shapes ----
    w.model("opset_99", model([helper.make_node("Relu", ["X"], ["Y"], name="r")],
                              [vi("X", [1, 4])], [vi("Y", None)], opset=99),
            expect="opset version 99 is not supported")

    m = relu_model()
    m.graph.input[0].type.tensor_type.ClearField("shape")
    w.model("input_no_shape", m, expect="graph input 'X': has no shape")
    ROWS.append(("input_no_shape", 0, "", "--shape X=1,4"))

    w.model("input_symbolic_dim", relu_model(("N", 4)), expect="graph input 'X': dimension 0 ('N') is not fixed")
    ROWS.append(("input_symbolic_dim", 0, "", "--shape X=1,4"))

    # ---- wire format ----
    # ModelProto.graph (field 7) sent as a varint instead of a message
    w.bytes("wire_type_mismatch", bytes([0x08, 0x08, 0x38, 0x01]) + good[2:],
            expect="not a valid ONNX model")
    # subgraph in an attribute in a node in a graph ... 40 levels: 122 nested
    # messages, past nnc's limit of 100 (protobuf-c itself would recurse on
    # until the stack overflows, a few MB of such nesting)
    w.bytes("nesting_depth", nested_graphs(40), expect="messages nested more than 100 deep")

    # ---- sizes: zero, huge, overflowing products ----
    w.model("zero_dim_input", relu_model((0, 4)), lines=0)  # valid ONNX: an empty tensor compiles
    m = relu_model((1, 4))
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1 << 40
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = 1 << 40
    w.model("huge_dim_input", m, expect="'X': dimensions overflow")
    # 2^28 x 16 = 2^32 INT64 elements (32 GB) declared by a 40-byte tensor
    t = TensorProto(name="I", data_type=TensorProto.INT64, dims=[1 << 28, 16])
    t.int64_data.extend([1, 2])
    n = helper.make_node("Add", ["X", "I"], ["Y"], name="add0")
    w.model("count_times_size_overflow", model([n], [vi("X", [1, 16], TensorProto.INT64)], [vi("Y", None)], [t]),
            expect="tensor 'I': dimensions overflow")
    # shape inference: Expand to 2^21 x 2^21 x 2^21 elements
    shp = helper.make_tensor("shp", TensorProto.INT64, [3], [1 << 21] * 3)
    n = helper.make_node("Expand", ["X", "shp"], ["Y"], name="expand0")
    w.model("expand_overflow", model([n], [vi("X", [1, 1, 1])], [vi("Y", None)], [shp]),
            expect="node 'expand0' (Expand): output 'Y' is too large")
    # Tile of a [65536, 65536] (4 billion elements) in two steps, 16 GB
    rep = helper.make_tensor("rep", TensorProto.INT64, [2], [65536, 65536])
    n = helper.make_node("Tile", ["X", "rep"], ["Y"], name="tile0")
    w.model("tile_overflow", model([n], [vi("X", [1, 1])], [vi("Y", None)], [rep]),
            expect="node 'tile0' (Tile): output 'Y' is too large")
    # a 4 GB output is the caller's memory: it compiles (not folded at compile time)
    shp = helper.make_tensor("shp", TensorProto.INT64, [2], [1 << 15, 1 << 15])
    n = helper.make_node("ConstantOfShape", ["shp"], ["Y"], name="cos0")
    w.model("constant_of_shape_4gb", model([n], [], [vi("Y", None)], [shp]), lines=0)

    # ---- shapes that do not fit the op ----
    w.model("conv_channel_mismatch", conv_model(raw_init("W", weights((4, 3, 3, 3)))),
            expect="node 'conv0' (Conv): weight has 3 channels per group; input has 4 channels")
    w.model("conv_kernel_larger_than_input", conv_model(raw_init("W", weights((4, 4, 7, 7)))),
            expect="node 'conv0' (Conv): kernel (7 with dilation) is larger than the padded input (5)")
    n = helper.make_node("Softmax", ["X"], ["Y"], name="softmax0", axis=5)
    w.model("softmax_axis_out_of_range", model([n], [vi("X", [2, 4])], [vi("Y", None)]),
            expect="node 'softmax0' (Softmax): axis 5 is out of range for rank 2")
    n = helper.make_node("Transpose", ["X"], ["Y"], name="transpose0", perm=[0, 0])
    w.model("transpose_perm_duplicate", model([n], [vi("X", [2, 4])], [vi("Y", None)]),
            expect="node 'transpose0' (Transpose): perm is not a permutation")
    n = helper.make_node("Concat", ["X", "X"], ["Y"], name="concat0", axis=-3)
    w.model("concat_axis_out_of_range", model([n], [vi("X", [2, 4])], [vi("Y", None)]),
            expect="node 'concat0' (Concat): axis -3 is out of range for rank 2")
    shp = helper.make_tensor("shp", TensorProto.INT64, [3], [-1, 2, -1])
    n = helper.make_node("Reshape", ["X", "shp"], ["Y"], name="reshape0")
    w.model("reshape_two_minus_one", model([n], [vi("X", [2, 4])], [vi("Y", None)], [shp]),
            expect="node 'reshape0' (Reshape): shape has more than one -1")
    idx = helper.make_tensor("idx", TensorProto.INT64, [2], [1, 7])
    n = helper.make_node("Gather", ["X", "idx"], ["Y"], name="gather0", axis=0)
    w.model("gather_const_index_out_of_range", model([n], [vi("X", [3, 4])], [vi("Y", None)], [idx]),
            expect="node 'gather0' (Gather): index 7 is out of range for axis of size 3")
    idx = helper.make_tensor("idx", TensorProto.INT64, [1], [-4])
    n = helper.make_node("Gather", ["X", "idx"], ["Y"], name="gather0", axis=0)
    w.model("gather_const_index_negative", model([n], [vi("X", [3, 4])], [vi("Y", None)], [idx]),
            expect="node 'gather0' (Gather): index -4 is out of range for axis of size 3")

    # ---- found by fuzzing (tests/fuzz) ----
    # 8 GB of dims with 16 bytes of data: refused before allocating (the
    # runner caps nnc's address space at 4 GB, so allocating first fails)
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[(1 << 31) - 1])
    t.raw_data = b"\0" * 16
    n = helper.make_node("Add", ["X", "W"], ["Y"], name="add0")
    w.model("raw_data_huge_dims", model([n], [vi("X", [1])], [vi("Y", None)], [t]),
            expect="tensor 'W': raw data has 16 bytes but its dims need 8589934588")
    t = TensorProto(name="W", data_type=TensorProto.INT64, dims=[(1 << 31) - 1])
    t.int64_data.extend([1, 2, 3])
    w.model("typed_data_huge_dims", model([n], [vi("X", [1], TensorProto.INT64)], [vi("Y", None)], [t]),
            expect="tensor 'W': has 3 values but its dims need 2147483647")
    # a newline and an escape in the node's name and op type stay on one line
    n = helper.make_node("Foo\nBar", ["X"], ["Y"], name="evil\n\x1b[2Jname")
    w.model("newline_in_names", model([n], [vi("X", [1, 4])], [vi("Y", None)]),
            expect="node 'evil  [2Jname' (Foo Bar): unsupported operator")

    # a Resize (tf_crop_and_resize) of dim 1 from 1 to 16777215 positions:
    # nnc tabulated 600 MB of source positions as C for over a minute
    sizes = helper.make_tensor("sizes", TensorProto.INT64, [4], [1, 16777215, 3, 3])
    roi = helper.make_tensor("roi", TensorProto.FLOAT, [8], [0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7])
    n = helper.make_node("Resize", ["X", "roi", "", "sizes"], ["Y"], name="Resize_0", mode="linear",
                         coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=10.0)
    w.model("fuzz_resize_huge_axis", model([n], [vi("X", [1, 1, 4, 4])], [vi("Y", None)], [roi, sizes]),
            expect="node 'Resize_0' (Resize): resizes dim 1 from 1 to 16777215 positions")

    # ---- names ----
    a = raw_init("W", weights(W_SHAPE))
    m = conv_model(a)
    m.graph.initializer.extend([raw_init("W", weights(W_SHAPE))])
    w.model("duplicate_initializer", m, expect="tensor 'W' is defined twice")
    m = relu_model()
    m.graph.input.extend([vi("X", [1, 4])])
    w.model("duplicate_graph_input", m, expect="graph input 'X' is listed twice")

    with open(os.path.join(outdir, "expected.tsv"), "w") as f:
        f.write("# case\tlines\tsubstring every error line must contain\textra nnc args; '-' = none; lines 0 = must compile\n")
        for r in ROWS:
            f.write("\t".join(str(x) if str(x) else "-" for x in r) + "\n")
    print("wrote %d cases to %s" % (len({r[0] for r in ROWS}), outdir))


if __name__ == "__main__":
    main()
