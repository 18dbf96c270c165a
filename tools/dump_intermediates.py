#!/usr/bin/env python3
"""dump_intermediates.py — writes every intermediate tensor of an ONNX model,
run on one test_data_set folder's inputs, as TensorProto files (each holding
its ONNX tensor name), for `nnc verify MODEL DATASET --layers-ref OUT_DIR`.

  dump_intermediates.py MODEL.onnx DATASET_DIR OUT_DIR [--engine ort|nnc]

Engines:
  ort (default)  ONNX Runtime through onnxruntime-node (tools/ort_intermediates.js):
                 every node output is made a graph output (types from ONNX shape
                 inference), the model runs with graph optimisations off. Install
                 with `npm install --ignore-scripts onnxruntime-node@1.30.0` in
                 some DIR and pass --node-modules DIR/node_modules (default:
                 bench/node_modules, where bench/run.sh installs it).
  nnc            nnc's own plain build (generic target, --opt 0), through
                 `nnc verify --layers --keep` (--nnc PATH, default build/nnc):
                 a reference for comparing two nnc versions or targets.
"""
import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NP = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
      9: np.bool_, 11: np.float64, 12: np.uint32, 13: np.uint64}


def save(out_dir, k, name, array):
    t = numpy_helper.from_array(array, name)
    with open(os.path.join(out_dir, "%04d.pb" % k), "wb") as f:
        f.write(t.SerializeToString())


def load_inputs(model, dataset):
    """Graph inputs (initializers excluded) with their input_K.pb arrays."""
    inits = {i.name for i in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in inits]
    feeds = []
    for k, name in enumerate(names):
        t = onnx.TensorProto()
        with open(os.path.join(dataset, "input_%d.pb" % k), "rb") as f:
            t.ParseFromString(f.read())
        feeds.append((name, numpy_helper.to_array(t)))
    return feeds


def with_every_output(model):
    """The model with each node output (that has a known type) as a graph output."""
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    have = {o.name for o in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if not name or name in have:
                continue
            v = types.get(name)
            if v is None or not v.type.tensor_type.elem_type:
                print("note: no type known for '%s'; not dumped" % name, file=sys.stderr)
                continue
            model.graph.output.append(onnx.helper.make_tensor_value_info(name, v.type.tensor_type.elem_type, None))
            have.add(name)
    return model


def dump_ort(args, tmp):
    model = with_every_output(onnx.load(args.model))
    path = os.path.join(tmp, "every_output.onnx")
    onnx.save(model, path)
    inputs = []
    for k, (name, a) in enumerate(load_inputs(model, args.dataset)):
        f = os.path.join(tmp, "in_%d.bin" % k)
        np.ascontiguousarray(a).tofile(f)
        dtype = numpy_helper.from_array(a).data_type
        inputs.append({"name": name, "dtype": dtype, "shape": list(a.shape), "file": f})
    spec = os.path.join(tmp, "spec.json")
    with open(spec, "w") as f:
        json.dump({"model": path, "out_dir": tmp, "inputs": inputs}, f)
    env = dict(os.environ, NODE_PATH=os.path.abspath(args.node_modules))
    subprocess.run(["node", os.path.join(HERE, "ort_intermediates.js"), spec], check=True, env=env)
    with open(os.path.join(tmp, "manifest.json")) as f:
        manifest = json.load(f)
    for k, m in enumerate(manifest):
        a = np.fromfile(m["file"], dtype=NP[m["dtype"]]).reshape(m["shape"])
        save(args.out_dir, k, m["name"], a)
    return len(manifest)


def read_trace(path):
    """Records of an nnc trace.bin (templates/generic/verify_harness.c), plain layout only."""
    with open(path, "rb") as f:
        d = f.read()
    at = 0
    while at < len(d):
        (nl,) = struct.unpack_from("=i", d, at)
        name = d[at + 4:at + 4 + nl].decode()
        at += 4 + nl
        dtype, rank = struct.unpack_from("=ii", d, at)
        dims = struct.unpack_from("=%dq" % rank, d, at + 8)
        at += 8 + 8 * rank
        block, nbytes = struct.unpack_from("=iq", d, at)
        at += 12
        assert block == 0, "a plain build has no channel-blocked tensors"
        yield name, np.frombuffer(d[at:at + nbytes], dtype=NP[dtype]).reshape(dims)
        at += nbytes


def dump_nnc(args, tmp):
    keep = os.path.join(tmp, "build")
    cmd = [args.nnc, "verify", args.model, args.dataset, "--opt", "0", "--target", "generic", "--layers",
           "--keep", keep]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, universal_newlines=True)
    trace = os.path.join(keep, "reference", "trace.bin")
    if not os.path.exists(trace):
        sys.stdout.write(r.stdout)
        sys.exit("dump_intermediates: nnc verify failed")
    k = 0
    for k, (name, a) in enumerate(read_trace(trace), 1):
        save(args.out_dir, k - 1, name, a)
    return k


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("dataset")
    p.add_argument("out_dir")
    p.add_argument("--engine", choices=["ort", "nnc"], default="ort")
    p.add_argument("--node-modules", default=os.path.join(ROOT, "bench", "node_modules"))
    p.add_argument("--nnc", default=os.path.join(ROOT, "build", "nnc"))
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for old in glob.glob(os.path.join(args.out_dir, "*.pb")):
        os.unlink(old)
    tmp = tempfile.mkdtemp(prefix="nnc-dump-")
    try:
        n = dump_ort(args, tmp) if args.engine == "ort" else dump_nnc(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %d tensors from %s" % (args.out_dir, n, args.engine))


if __name__ == "__main__":
    main()
