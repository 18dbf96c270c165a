#!/usr/bin/python3
"""Turns a (minimised) difftest case into a golden case that stays in the tree.

Usage: /usr/bin/python3 tests/difftest/make_golden.py CASE_DIR NAME [--what TEXT]

CASE_DIR is a folder difftest.py wrote (model.onnx, case.json, in_K.bin and
ONNX Runtime's ref_K.bin / ref.json; difftest.py --minimize leaves the
smallest failing one under WORK/min/). Writes tests/difftest/golden/NAME/
model.onnx and test_data_set_0/input_K.pb, output_K.pb (ORT's outputs), which
golden_check.sh runs through `nnc verify` on every target at --opt 0, 1, 2.
--what is stored as NAME/README (the bug the case caught).
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper

NP_OF = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("name")
    ap.add_argument("--what", default="")
    a = ap.parse_args()
    dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", a.name)
    ds = os.path.join(dst, "test_data_set_0")
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(ds)
    shutil.copy(os.path.join(a.case, "model.onnx"), os.path.join(dst, "model.onnx"))
    with open(os.path.join(a.case, "case.json")) as f:
        case = json.load(f)
    with open(os.path.join(a.case, "ref.json")) as f:
        ref = json.load(f)
    for k, i in enumerate(case["inputs"]):
        x = np.fromfile(os.path.join(a.case, i["file"]), dtype=NP_OF[i["dtype"]]).reshape(i["shape"])
        onnx.save_tensor(numpy_helper.from_array(x, i["name"]), os.path.join(ds, "input_%d.pb" % k))
    for k, o in enumerate(ref["outputs"]):
        y = np.fromfile(os.path.join(a.case, "ref_%d.bin" % k), dtype=NP_OF[o["dtype"]]).reshape(o["shape"])
        onnx.save_tensor(numpy_helper.from_array(y, o["name"]), os.path.join(ds, "output_%d.pb" % k))
    if a.what:
        with open(os.path.join(dst, "README"), "w") as f:
            f.write(a.what.strip() + "\n")
    print(dst)


if __name__ == "__main__":
    sys.exit(main())
