"""gen_models.py OUTDIR — writes the small ONNX files the loader unit tests
read (test_loader.c runs this with the system python3 and onnx)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
F = TensorProto.FLOAT


def save(model, name, check=True):
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name))


def model(graph, opset=13, ir=8):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="nnc-unit", producer_version="1.0")
    m.ir_version = ir
    return m


W = np.arange(6, dtype=np.float32).reshape(2, 3, 1, 1) * 0.5
B = np.array([10.0, -1.0], dtype=np.float32)

# basic.onnx: inputs, initializers, a Constant node; nodes stored out of
# order (Reshape first) so the loader must sort them.
conv = helper.make_node("Conv", ["X", "W", "B"], ["Y"], name="conv")
const = helper.make_node("Constant", [], ["S"], name="shape",
                         value=numpy_helper.from_array(np.array([1, -1], dtype=np.int64)))
reshape = helper.make_node("Reshape", ["Y", "S"], ["Z"], name="reshape")
g = helper.make_graph([reshape, conv, const], "basic_graph",
                      [helper.make_tensor_value_info("X", F, [1, 3, 4, 4])],
                      [helper.make_tensor_value_info("Z", F, [1, 32])],
                      [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")])
save(model(g), "basic.onnx", check=False)  # unsorted on purpose

# init_as_input.onnx: IR 3 style, W is both an initializer and a graph input
g = helper.make_graph([helper.make_node("Conv", ["X", "W"], ["Y"], name="conv")], "g",
                      [helper.make_tensor_value_info("X", F, [1, 3, 4, 4]),
                       helper.make_tensor_value_info("W", F, [2, 3, 1, 1])],
                      [helper.make_tensor_value_info("Y", F, [1, 2, 4, 4])],
                      [numpy_helper.from_array(W, "W")])
save(model(g, opset=9, ir=3), "init_as_input.onnx")

# external.onnx: both initializers in one external file (B at an offset)
g = helper.make_graph([helper.make_node("Conv", ["X", "W", "B"], ["Y"], name="conv")], "g",
                      [helper.make_tensor_value_info("X", F, [1, 3, 4, 4])],
                      [helper.make_tensor_value_info("Y", F, [1, 2, 4, 4])],
                      [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")])
m = model(g)
onnx.save_model(m, os.path.join(out, "external.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="external.bin", size_threshold=0)

# external_escape.onnx: external data path leaving the model directory
m = model(g)
for t in m.graph.initializer:
    t.data_location = TensorProto.EXTERNAL
    del t.external_data[:]
    t.external_data.add(key="location", value="../escape.bin")
    t.ClearField("float_data")
    t.ClearField("raw_data")
save(m, "external_escape.onnx", check=False)

# external_short.onnx: the external file is shorter than the tensor
m = model(g)
with open(os.path.join(out, "short.bin"), "wb") as f:
    f.write(b"\0" * 8)
for t in m.graph.initializer:
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value="short.bin")
    t.ClearField("float_data")
    t.ClearField("raw_data")
save(m, "external_short.onnx", check=False)

# symbolic.onnx: X has a symbolic batch dim
g = helper.make_graph([helper.make_node("Relu", ["X"], ["Y"], name="relu")], "g",
                      [helper.make_tensor_value_info("X", F, ["N", 3])],
                      [helper.make_tensor_value_info("Y", F, ["N", 3])])
save(model(g), "symbolic.onnx")

# cycle.onnx: T1 = Add(X, T2); T2 = Relu(T1)
g = helper.make_graph([helper.make_node("Add", ["X", "T2"], ["T1"], name="add"),
                       helper.make_node("Relu", ["T1"], ["T2"], name="relu")], "g",
                      [helper.make_tensor_value_info("X", F, [2])],
                      [helper.make_tensor_value_info("T2", F, [2])])
save(model(g), "cycle.onnx", check=False)

# unknown_op.onnx, undefined_input.onnx, opset18.onnx, no_outputs.onnx, dup_output.onnx
g = helper.make_graph([helper.make_node("FooBar", ["X"], ["Y"], name="foo"),
                       helper.make_node("Relu", ["Y"], ["Z"], name="relu")], "g",
                      [helper.make_tensor_value_info("X", F, [2])],
                      [helper.make_tensor_value_info("Z", F, [2])])
save(model(g), "unknown_op.onnx", check=False)
g = helper.make_graph([helper.make_node("Relu", ["Q"], ["Y"], name="relu")], "g",
                      [helper.make_tensor_value_info("X", F, [2])],
                      [helper.make_tensor_value_info("Y", F, [2])])
save(model(g), "undefined_input.onnx", check=False)
g = helper.make_graph([helper.make_node("Relu", ["X"], ["Y"], name="relu")], "g",
                      [helper.make_tensor_value_info("X", F, [2])],
                      [helper.make_tensor_value_info("Y", F, [2])])
save(model(g, opset=18), "opset18.onnx", check=False)
g = helper.make_graph([helper.make_node("Relu", ["X"], ["Y"], name="relu"),
                       helper.make_node("Relu", ["X"], ["Y"], name="relu2")], "g",
                      [helper.make_tensor_value_info("X", F, [2])],
                      [helper.make_tensor_value_info("Y", F, [2])])
save(model(g), "dup_output.onnx", check=False)

# reshape_in.onnx: the target shape is a graph input (freeze it with shape.pb)
g = helper.make_graph([helper.make_node("Reshape", ["X", "S"], ["Y"], name="reshape")], "g",
                      [helper.make_tensor_value_info("X", F, [2, 6]),
                       helper.make_tensor_value_info("S", TensorProto.INT64, [2])],
                      [helper.make_tensor_value_info("Y", F, [3, 4])])
save(model(g), "reshape_in.onnx")
with open(os.path.join(out, "shape.pb"), "wb") as f:
    f.write(numpy_helper.from_array(np.array([3, 4], dtype=np.int64), "S").SerializeToString())
with open(os.path.join(out, "shape3.pb"), "wb") as f:
    f.write(numpy_helper.from_array(np.array([3, 4, 1], dtype=np.int64), "S").SerializeToString())

# tensor.pb: a TensorProto file (test data format)
with open(os.path.join(out, "tensor.pb"), "wb") as f:
    f.write(numpy_helper.from_array(np.array([[1, -2, 3]], dtype=np.int32), "vals").SerializeToString())

# garbage.onnx and an empty file
with open(os.path.join(out, "garbage.onnx"), "wb") as f:
    f.write(b"this is not an onnx model\n")
open(os.path.join(out, "empty.onnx"), "wb").close()
