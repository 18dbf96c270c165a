#!/usr/bin/python3
"""Writes tiny_mlp.onnx (x[1,16] -> Gemm 16x8 -> Relu -> Gemm 8x4 -> y[1,4],
fixed random weights) and test_data_set_0/ (one input and the numpy float64
reference output), the second model of the example products. Run it from
this folder; the files are committed, so the examples need no Python."""
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

rng = np.random.RandomState(13)
w1 = rng.randn(8, 16).astype(np.float32) * 0.5
b1 = rng.randn(8).astype(np.float32) * 0.1
w2 = rng.randn(4, 8).astype(np.float32) * 0.5
b2 = rng.randn(4).astype(np.float32) * 0.1
inits = [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
nodes = [
    helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
    helper.make_node("Relu", ["h"], ["hr"], name="relu1"),
    helper.make_node("Gemm", ["hr", "w2", "b2"], ["y"], name="fc2", transB=1),
]
graph = helper.make_graph(nodes, "tiny_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_tiny_mlp.py")
onnx.checker.check_model(model)
onnx.save(model, "tiny_mlp.onnx")

x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 16)
h = np.maximum(x.astype(np.float64) @ w1.T.astype(np.float64) + b1, 0)
y = (h @ w2.T.astype(np.float64) + b2).astype(np.float32)
import os
os.makedirs("test_data_set_0", exist_ok=True)
with open("test_data_set_0/input_0.pb", "wb") as f:
    f.write(numpy_helper.from_array(x, "x").SerializeToString())
with open("test_data_set_0/output_0.pb", "wb") as f:
    f.write(numpy_helper.from_array(y, "y").SerializeToString())
