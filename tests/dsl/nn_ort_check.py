#!/usr/bin/python3
"""The model language through ONNX into ONNX Runtime, against nnc.

Usage: nn_ort_check.py NNC WORK --ort-dir DIR [--only a,b] [-j N]

For every example in examples/dsl/ and every case of dsl_builtins_check.py
(a few lines each, one builtin or option):
  1. `nnc convert X.nn -o model.onnx` (the seeded random parameters, seed 0),
     and onnx.checker (full_check) on it;
  2. random inputs (floats N(0,1); integer inputs that index a Gather table
     in [0, rows), other integers in [0, 8); booleans at random, or a case's
     fixed masks), and ONNX
     Runtime (onnxruntime-node 1.30.0, CPU, one thread, graph optimisations
     off; tests/difftest/ort_ref.js) runs model.onnx on them, all cases in
     one node process;
  3. `nnc verify X.nn DATASET` (same seed) compares the C nnc compiles from
     the .nn source with ORT's outputs: |got - want| <= 1e-4 + 1e-3 |want|.
ONNX Runtime is installed into --ort-dir when missing (as difftest does);
when it cannot be installed or loaded the test prints SKIP with the reason
and exits 77. Exit 1 on any failure.

Two helper modes: `--install ORT_DIR` (ctest's `ort` fixture: installs
onnxruntime-node, always exits 0) and `--ort-ref MODEL.onnx DATASET OUT
ORT_DIR` (roundtrip_zoo.sh: ORT's outputs of MODEL on DATASET's inputs as
OUT/test_data_set_0; exit 77 when onnxruntime-node is not installed).
"""
import argparse
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "difftest"))
import difftest  # noqa: E402  (ensure_ort, run_ort)

NP_OF = difftest.NP_OF
RTOL, ATOL = 1e-3, 1e-4


def sources(work):
    """[(name, path of the .nn source, {input name: fixed value})]"""
    out = [(os.path.splitext(os.path.basename(p))[0], p, {})
           for p in sorted(glob.glob(os.path.join(ROOT, "examples", "dsl", "*.nn")))]
    import dsl_builtins_check  # noqa: E402  (its CASES: inputs, source lines)
    for case in dsl_builtins_check.CASES:
        name, shape, src = case[0], case[1], case[2]
        d = os.path.join(work, "builtin_" + name)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "net.nn")
        with open(p, "w") as f:
            f.write(dsl_builtins_check.source(shape, src))
        fixed = {n: v for n, _, v in dsl_builtins_check.input_specs(shape) if v is not None}
        out.append(("builtin_" + name, p, fixed))
    return out


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


def gather_bound(model, name):
    """rows of the smallest constant Gather table indexed by input `name`, or None"""
    inits = {t.name: t for t in model.graph.initializer}
    rows = [inits[n.input[0]].dims[0] for n in model.graph.node
            if n.op_type == "Gather" and len(n.input) > 1 and n.input[1] == name and n.input[0] in inits]
    return min(rows) if rows else None


def prepare(nnc, d, nn_path, fixed, rng):
    """convert, check, write inputs (random, or fixed[name]) and case.json; an
    error string or None"""
    os.makedirs(d, exist_ok=True)
    onnx_path = os.path.join(d, "model.onnx")
    rc, out = run([nnc, "convert", nn_path, "-o", onnx_path])
    if rc:
        return "nnc convert: " + out.strip()
    try:
        model = onnx.load(onnx_path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001
        return "onnx.checker: %s" % str(e).splitlines()[0]
    init_names = {t.name for t in model.graph.initializer}
    case = {"inputs": [], "outputs": [{"name": o.name} for o in model.graph.output]}
    for k, vi in enumerate(i for i in model.graph.input if i.name not in init_names):
        tt = vi.type.tensor_type
        shape = [d_.dim_value for d_ in tt.shape.dim]
        dt = NP_OF[tt.elem_type]
        if vi.name in fixed:
            x = fixed[vi.name].astype(dt)
        elif dt == np.bool_:
            x = rng.random(shape) < 0.5
        elif np.issubdtype(dt, np.integer):
            x = rng.integers(0, gather_bound(model, vi.name) or 8, size=shape).astype(dt)
        else:
            x = rng.standard_normal(shape).astype(dt)
        f = "in_%d.bin" % k
        x.tofile(os.path.join(d, f))
        case["inputs"].append({"name": vi.name, "dtype": tt.elem_type, "shape": shape, "file": f})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f)
    return None


def write_dataset(d):
    """d/test_data_set_0 from case.json, in_K.bin and ORT's ref_K.bin; an
    error string or None"""
    with open(os.path.join(d, "ref.json")) as f:
        ref = json.load(f)
    if "error" in ref:
        return "ONNX Runtime: " + ref["error"]
    with open(os.path.join(d, "case.json")) as f:
        case = json.load(f)
    ds = os.path.join(d, "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    for k, i in enumerate(case["inputs"]):
        x = np.fromfile(os.path.join(d, i["file"]), dtype=NP_OF[i["dtype"]]).reshape(i["shape"])
        with open(os.path.join(ds, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(x, i["name"]).SerializeToString())
    for k, o in enumerate(ref["outputs"]):
        y = np.fromfile(os.path.join(d, "ref_%d.bin" % k), dtype=NP_OF[o["dtype"]]).reshape(o["shape"])
        with open(os.path.join(ds, "output_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(y, o["name"]).SerializeToString())
    return None


def verify(nnc, d, nn_path):
    """ORT's outputs as an ONNX test_data_set, then nnc verify the .nn on it"""
    err = write_dataset(d)
    if err:
        return False, err
    ds = os.path.join(d, "test_data_set_0")
    rc, out = run([nnc, "verify", nn_path, ds, "--rtol", str(RTOL), "--atol", str(ATOL)])
    return rc == 0, out.strip()


def ort_reference(ort_dir, model_path, dataset, out):
    """--ort-ref: ONNX Runtime's outputs of model_path on dataset's inputs, as
    the test_data_set OUT/test_data_set_0 (inputs copied)"""
    model = onnx.load(model_path)
    init_names = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in init_names]
    d = os.path.abspath(out)
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(os.path.join(d, "*.bin")) + glob.glob(os.path.join(d, "ref.json")):
        os.remove(f)
    case = {"inputs": [], "outputs": [{"name": o.name} for o in model.graph.output]}
    for k, vi in enumerate(inputs):
        t = onnx.TensorProto()
        with open(os.path.join(dataset, "input_%d.pb" % k), "rb") as f:
            t.ParseFromString(f.read())
        x = numpy_helper.to_array(t)
        x.tofile(os.path.join(d, "in_%d.bin" % k))
        case["inputs"].append({"name": vi.name, "dtype": vi.type.tensor_type.elem_type, "shape": list(x.shape),
                               "file": "in_%d.bin" % k})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f)
    if os.path.abspath(model_path) != os.path.join(d, "model.onnx"):
        import shutil
        shutil.copyfile(model_path, os.path.join(d, "model.onnx"))
    difftest.run_ort(ort_dir, [d])
    return write_dataset(d)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--install":
        # --install ORT_DIR: the `ort` fixture of ctest; always exit 0 (the
        # tests that need ONNX Runtime say when it is missing)
        why = difftest.ensure_ort(os.path.abspath(sys.argv[2]))
        print("ONNX Runtime: " + (why or "ok"))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--ort-ref":
        # --ort-ref MODEL.onnx DATASET OUT ORT_DIR (roundtrip_zoo.sh): uses
        # onnxruntime-node when installed, never installs it (exit 77 if not)
        model_path, dataset, out, ort_dir = sys.argv[2:6]
        if not os.path.isdir(os.path.join(ort_dir, "node_modules", "onnxruntime-node")):
            print("onnxruntime-node is not installed in " + ort_dir)
            return difftest.SKIP
        err = ort_reference(os.path.abspath(ort_dir), model_path, dataset, out)
        if err:
            print(err)
            return 1
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("nnc")
    ap.add_argument("work")
    ap.add_argument("--ort-dir", required=True)
    ap.add_argument("--only", default=None)
    ap.add_argument("-j", type=int, default=1)
    args = ap.parse_args()
    nnc, work = os.path.abspath(args.nnc), os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    why = difftest.ensure_ort(os.path.abspath(args.ort_dir))
    if why:
        print("SKIP: ONNX Runtime is not available: " + why)
        return difftest.SKIP
    cases = sources(work)
    if args.only:
        keep = args.only.split(",")
        cases = [c for c in cases if c[0] in keep]
    rng = np.random.default_rng(12)
    failures, ready = [], []
    for name, path, fixed in cases:
        d = os.path.join(work, name)
        err = prepare(nnc, d, path, fixed, rng)
        if err:
            failures.append(name)
            print("FAIL %s: %s" % (name, err))
        else:
            ready.append((name, path, d))
    difftest.run_ort(os.path.abspath(args.ort_dir), [d for _, _, d in ready])
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        results = list(ex.map(lambda c: verify(nnc, c[2], c[1]), ready))
    for (name, _, _), (ok, out) in zip(ready, results):
        if ok:
            errs = [ln for ln in out.splitlines() if "max abs err" in ln]
            print("ok   %s %s" % (name, errs[0].strip() if errs else ""))
        else:
            failures.append(name)
            print("FAIL %s\n%s" % (name, "\n".join("  " + ln for ln in out.splitlines()[-12:])))
    print("%d case(s), %d failure(s), %.1f s" % (len(cases), len(failures), time.time() - t0))
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
