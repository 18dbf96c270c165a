#!/usr/bin/python3
"""SIMD kernels against the generic target, op by op.

Usage: /usr/bin/python3 tests/simd/simd_ops_test.py NNC OUTDIR [--targets avx2,avx512,neon] [--filter RE]
                                                     [--sanitize] [--warnings] [--shard I/N] [-j J]

Builds small one-op ONNX models whose shapes sit below, at and above the
vector widths (4, 8 and 16 lanes), with tails, broadcasting patterns and pool
geometries (pads, strides, dilations, ceil_mode); runs each on the generic
target to get the reference outputs (nnc verify --keep), then checks every
SIMD target against them: exactly for data movement, max and compare-like
ops, within rtol 1e-5 / atol 1e-6 otherwise. Every kernel call is split as
far as it goes (NNC_TEST_PAR_MIN_COST=1) and every verify, the generic
reference's included, also runs P_run_parallel on 3 and 8 threads (neon: 3),
which must match P_run bit for bit. --sanitize also runs the SIMD
code under ASan+UBSan (clang; neon: the cross gcc under qemu-aarch64);
--warnings also compiles it with gcc and clang -std=c99 -Wall -Wextra
-pedantic -Werror (neon: aarch64-linux-gnu-gcc and clang
--target=aarch64-linux-gnu). neon runs under qemu-aarch64 on other hosts and
is skipped without the cross tools. --shard I/N checks only cases I, I+N,
I+2N, ... (1-based), so ctest can run the shards in parallel.
Exit 0 when all pass.
"""
import argparse
import concurrent.futures
import os
import platform
import re
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RUNTIME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "runtime")


CPU_FLAGS = {"avx2": ("avx2", "fma"), "avx512": ("avx512f", "avx512bw", "avx512dq", "avx512vl")}


def neon_tools():
    """How this host builds and runs neon code: (ready, compilers for the warning check,
    extra environment for ASan). Natively on AArch64; else aarch64-linux-gnu-gcc under
    qemu-aarch64 (nnc verify's default), where LeakSanitizer cannot run."""
    if platform.machine() == "aarch64":
        return True, [["gcc"], ["clang"]], {"CC": "clang"}
    if shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64"):
        ccs = [["aarch64-linux-gnu-gcc"]]
        if subprocess.run(["clang", "--target=aarch64-linux-gnu", "-fsyntax-only", "-x", "c", "-include", "arm_neon.h",
                           "/dev/null"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            ccs.append(["clang", "--target=aarch64-linux-gnu"])
        return True, ccs, {"ASAN_OPTIONS": "detect_leaks=0"}
    return False, [], {}


def runnable(targets):
    """The requested targets this CPU can run (the others are skipped)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(f.read().split())
    except OSError:
        flags = set()
    ok = [t for t in targets.split(",") if all(x in flags for x in CPU_FLAGS.get(t, ()))]
    if "neon" in ok and not neon_tools()[0]:
        print("note: neon skipped (no aarch64-linux-gnu-gcc and qemu-aarch64)")
        ok.remove("neon")
    return ok


def model(op, inputs, out_rank_hint=None, attrs=None, n_out=1, consts=(), opset=14):
    """inputs: list of (name, array); consts: names among them to store as initializers."""
    ins, inits = [], []
    for name, a in inputs:
        if name in consts:
            inits.append(numpy_helper.from_array(a, name))
        else:
            ins.append(helper.make_tensor_value_info(name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(a.dtype)], a.shape))
    outs = [helper.make_tensor_value_info("y%d" % k, TensorProto.UNDEFINED, None) for k in range(n_out)]
    node = helper.make_node(op, [n for n, _ in inputs], [o.name for o in outs], **(attrs or {}))
    g = helper.make_graph([node], op.lower(), ins, outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    feeds = [a for n, a in inputs if n not in consts]
    return m, feeds


def rnd(*shape, lo=-3.0, hi=3.0, seed=[0]):
    seed[0] += 1
    r = np.random.default_rng(seed[0])
    return r.uniform(lo, hi, size=shape).astype(np.float32)


def cases():
    c = []
    # unary elementwise: sizes below, at and above 8/16 lanes
    for size in ([5], [16], [37], [1, 3, 7, 13], [2, 101]):
        x = rnd(*size)
        x.flat[0] = 0.0
        if x.size > 2:
            x.flat[1] = -0.0
        for op, attrs, exact in (("Relu", {}, 1), ("LeakyRelu", {"alpha": 0.1}, 1), ("Abs", {}, 1), ("Neg", {}, 1),
                                 ("Floor", {}, 1), ("Ceil", {}, 1), ("Round", {}, 1), ("Softsign", {}, 1),
                                 ("HardSigmoid", {}, 1), ("HardSwish", {}, 0), ("ThresholdedRelu", {"alpha": 0.5}, 1),
                                 ("Reciprocal", {}, 1), ("Sigmoid", {}, 0), ("Tanh", {}, 0), ("Exp", {}, 0),
                                 ("Elu", {"alpha": 0.7}, 0), ("Erf", {}, 0)):
            c.append(("%s_%s" % (op, "x".join(map(str, size))), model(op, [("x", x)], attrs=attrs), exact))
        c.append(("Sqrt_%d" % x.size, model("Sqrt", [("x", np.abs(x))]), 1))
        c.append(("Clip_%d" % x.size, model("Clip", [("x", x), ("lo", np.float32(0)), ("hi", np.float32(6))],
                                           consts=("lo", "hi")), 1))
    # binary with broadcasting
    shapes = (([2, 3, 5, 7], [3, 1, 1]), ([2, 3, 5, 7], []), ([1, 37], [37]), ([4, 1], [1, 5]),
              ([3, 1, 17], [3, 9, 17]), ([1, 16, 4, 4], [1, 16, 1, 1]), ([70], [70]), ([1, 1], [2, 3, 1, 1]),
              # rows past one and two split chunks (64 elements), with tails
              ([3, 1, 150], [3, 9, 150]), ([2, 5, 131], [5, 1]))
    for sa, sb in shapes:
        a, b = rnd(*sa), rnd(*sb, lo=0.5, hi=2.0)
        tag = "%s_%s" % ("x".join(map(str, sa)) or "s", "x".join(map(str, sb)) or "s")
        for op in ("Add", "Sub", "Mul", "Div"):
            c.append(("%s_%s" % (op, tag), model(op, [("a", a), ("b", b)]), 1))
        c.append(("AddConst_%s" % tag, model("Add", [("a", a), ("b", b)], consts=("b",)), 1))
    x = rnd(2, 3, 5, 7)
    c.append(("PRelu", model("PRelu", [("x", x), ("s", rnd(3, 1, 1))]), 1))
    c.append(("Sum3", model("Sum", [("a", x), ("b", rnd(3, 5, 7)), ("c", rnd(7))]), 0))
    c.append(("Mean2", model("Mean", [("a", x), ("b", rnd(5, 7))]), 1))
    c.append(("Max2", model("Max", [("a", x), ("b", rnd(5, 7))]), 1))
    # pools
    pools = [
        ([1, 3, 24, 24], dict(kernel_shape=[2, 2], strides=[2, 2])),
        ([1, 2, 28, 28], dict(kernel_shape=[2, 2], strides=[2, 2])),
        ([1, 2, 9, 37], dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])),
        ([2, 2, 11, 35], dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)),
        ([1, 2, 12, 40], dict(kernel_shape=[2, 2], strides=[2, 2], dilations=[2, 2])),
        ([1, 2, 12, 50], dict(kernel_shape=[3, 3], strides=[3, 3])),
        ([1, 2, 13, 13], dict(kernel_shape=[5, 5], strides=[2, 2], pads=[2, 2, 2, 2])),
        ([1, 2, 10, 10], dict(kernel_shape=[3, 2], strides=[1, 2], pads=[1, 0, 2, 1])),
        ([1, 2, 1, 5], dict(kernel_shape=[2, 2], dilations=[2, 2], pads=[1, 1, 1, 1])),
        ([1, 3, 8, 70], dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")),
        ([1, 2, 45], dict(kernel_shape=[3], strides=[2])),
        ([1, 2, 3, 4, 18], dict(kernel_shape=[2, 2, 2])),
    ]
    for i, (shape, attrs) in enumerate(pools):
        x = rnd(*shape)
        c.append(("MaxPool_%d" % i, model("MaxPool", [("x", x)], attrs=attrs), 1))
        c.append(("AveragePool_%d" % i, model("AveragePool", [("x", x)], attrs=attrs), 1))
        if "pads" in attrs:
            c.append(("AveragePoolPad_%d" % i,
                      model("AveragePool", [("x", x)], attrs=dict(attrs, count_include_pad=1)), 1))
    x = rnd(1, 2, 9, 9)
    c.append(("MaxPoolIdx", model("MaxPool", [("x", x)], attrs=dict(kernel_shape=[2, 2]), n_out=2), 1))
    for shape in ([2, 5, 7, 9], [1, 4, 1, 1], [1, 3, 16, 16], [1, 2, 37]):
        x = rnd(*shape)
        c.append(("GlobalMaxPool_%s" % "x".join(map(str, shape)), model("GlobalMaxPool", [("x", x)]), 1))
        c.append(("GlobalAveragePool_%s" % "x".join(map(str, shape)), model("GlobalAveragePool", [("x", x)]), 0))
    for shape in ([2, 3, 5, 7], [1, 16, 4, 4], [3, 5], [2, 3, 11, 13]):
        ch = shape[1]
        ins = [("x", rnd(*shape)), ("s", rnd(ch)), ("b", rnd(ch)), ("m", rnd(ch)), ("v", rnd(ch, lo=0.1, hi=2))]
        c.append(("BatchNorm_%s" % "x".join(map(str, shape)),
                  model("BatchNormalization", ins, consts=("s", "b", "m", "v")), 0))
        c.append(("BatchNormRt_%s" % "x".join(map(str, shape)), model("BatchNormalization", ins), 0))
    # data movement
    for shape, perm in (([2, 37, 19], [0, 2, 1]), ([3, 64, 48], [0, 2, 1]), ([5, 7], [1, 0]), ([16, 16], [1, 0]),
                        ([2, 3, 4, 5], [0, 2, 1, 3]), ([2, 3, 4, 5], [3, 2, 1, 0]), ([1, 9, 8, 33], [0, 1, 3, 2]),
                        ([2, 37, 150], [0, 2, 1]), ([2, 150, 37], [0, 2, 1]), ([3, 70, 5], [2, 1, 0])):
        c.append(("Transpose_%s_%s" % ("x".join(map(str, shape)), "".join(map(str, perm))),
                  model("Transpose", [("x", rnd(*shape))], attrs=dict(perm=perm)), 1))
        xi = np.arange(np.prod(shape), dtype=np.int64).reshape(shape)
        c.append(("TransposeI64_%s" % "x".join(map(str, shape)), model("Transpose", [("x", xi)], attrs=dict(perm=perm)), 1))
    for mode in ("constant", "reflect", "edge"):
        for pads in ([0, 0, 1, 2, 0, 0, 3, 1], [0, 1, 0, 0, 0, 0, 2, 20], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, -1, 1, 0, 0, 2, -2]):
            if mode == "reflect" and max(pads) >= 5:
                continue
            x = rnd(1, 3, 5, 7)
            c.append(("Pad_%s_%s" % (mode, "_".join(map(str, pads)).replace("-", "m")),
                      model("Pad", [("x", x), ("p", np.array(pads, np.int64)), ("v", np.float32(1.5))],
                            attrs=dict(mode=mode), consts=("p", "v")), 1))
    c.append(("Concat", model("Concat", [("a", rnd(1, 3, 5)), ("b", rnd(1, 4, 5))], attrs=dict(axis=1)), 1))
    c.append(("Concat2", model("Concat", [("a", rnd(2, 50, 7)), ("b", rnd(2, 30, 7))], attrs=dict(axis=1)), 1))
    # normalisation: rows (INNER 1) and column chunks past one and two split chunks
    for shape, axis in (([3, 100], -1), ([2, 10, 150], 1), ([5, 37], 0)):
        x = rnd(*shape)
        for op in ("Softmax", "LogSoftmax"):
            c.append(("%s_%s_%d" % (op, "x".join(map(str, shape)), axis),
                      model(op, [("x", x)], attrs=dict(axis=axis)), 0))
    x = rnd(4, 7, 150)
    for tag, sh in (("row", [150]), ("bcast", [7, 150])):  # per-row Scale and B (layernorm_vec), and broadcast
        ins = [("x", x), ("s", rnd(*sh)), ("b", rnd(*sh))]
        c.append(("LayerNorm_%s" % tag, model("LayerNormalization", ins, attrs=dict(axis=-1), consts=("s", "b"),
                                              opset=17), 0))
    c.append(("LayerNorm_nob", model("LayerNormalization", [("x", rnd(3, 5, 9)), ("s", rnd(5, 9))],
                                     attrs=dict(axis=1), consts=("s",), opset=17), 0))
    c.append(("InstanceNorm", model("InstanceNormalization", [("x", rnd(2, 3, 50)), ("s", rnd(3)), ("b", rnd(3))],
                                    consts=("s", "b")), 0))
    return c


def write_pb(path, arr):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(arr).SerializeToString())


def run(cmd, env=None):
    env = dict(env or os.environ, NNC_TEST_PAR_MIN_COST="1")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nnc")
    ap.add_argument("out")
    ap.add_argument("--targets", default="avx2,avx512",
                    help="targets to check (avx2, avx512, neon); those this host cannot run are skipped")
    ap.add_argument("--filter", default="")
    ap.add_argument("--sanitize", action="store_true")
    ap.add_argument("--warnings", action="store_true")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--shard", default="1/1")
    a = ap.parse_args()
    si, sn = (int(v) for v in a.shard.split("/"))
    todo = [c for c in cases() if re.search(a.filter, c[0])]
    todo = [c for k, c in enumerate(todo) if k % sn == si - 1]
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        failed = [f for fs in ex.map(lambda c: check(a, *c), todo) for f in fs]
    for f in failed:
        print("FAIL", *f)
    print("%d cases, %d failures" % (len(todo), len(failed)))
    return 1 if failed else 0


def check(a, name, mf, exact):
    """Failures of one case, as (name, target, message) tuples."""
    m, feeds = mf
    failed = []
    d = os.path.join(a.out, name)
    shutil.rmtree(d, ignore_errors=True)
    ds = os.path.join(d, "test_data_set_0")
    os.makedirs(ds)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for k, x in enumerate(feeds):
        write_pb(os.path.join(ds, "input_%d.pb" % k), x)
    # reference: the generic target's outputs
    keep = os.path.join(d, "generic")
    for k, o in enumerate(m.graph.output):
        write_pb(os.path.join(ds, "output_%d.pb" % k), np.zeros([1], np.float32))
    rc, out = run([a.nnc, "verify", os.path.join(d, "model.onnx"), ds, "--keep", keep, "--threads", "3,8"])
    outs = sorted(f for f in os.listdir(keep) if re.match(r"out_\d+\.bin$", f)) if os.path.isdir(keep) else []
    if not outs:  # an error, or P_run_parallel differing from P_run (no outputs kept)
        failed.append((name, "generic", out.strip().splitlines()[-2:]))
        return failed
    run([a.nnc, os.path.join(d, "model.onnx"), "-o", os.path.join(d, "m.c")])
    with open(os.path.join(d, "m.h")) as f:
        header = f.read()
    for k, o in enumerate(m.graph.output):
        dt = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[int(re.search(r"OUTPUT%d_DTYPE (\d+)" % k, header).group(1))]
        shape = [int(v) for v in re.search(r"OUTPUT%d_DIMS \{([^}]*)\}" % k, header).group(1).split(",") if v.strip()]
        raw = np.fromfile(os.path.join(keep, "out_%d.bin" % k), dtype=dt).reshape(shape)
        write_pb(os.path.join(ds, "output_%d.pb" % k), raw)
    tol = ["--rtol", "0", "--atol", "0"] if exact else ["--rtol", "1e-5", "--atol", "1e-6"]
    for isa in runnable(a.targets):
        threads = ["--threads", "3" if isa == "neon" else "3,8"]
        rc, out = run([a.nnc, "verify", os.path.join(d, "model.onnx"), ds, "--target", isa] + tol + threads)
        if rc != 0:
            failed.append((name, isa, out.strip().splitlines()[-2:]))
            continue
        if a.sanitize:
            env = dict(os.environ, CC="clang", NNC_VERIFY_CFLAGS="-O0 -g -fsanitize=address,undefined "
                       "-fno-sanitize-recover=all -fno-omit-frame-pointer")
            if isa == "neon":
                env.pop("CC")
                env.update(neon_tools()[2])
            rc, out = run([a.nnc, "verify", os.path.join(d, "model.onnx"), ds, "--target", isa] + tol + threads, env)
            if rc != 0:
                failed.append((name, isa + " sanitize", out.strip().splitlines()[-3:]))
        if a.warnings:
            c = os.path.join(d, isa + ".c")
            rc, out = run([a.nnc, os.path.join(d, "model.onnx"), "--target", isa, "-o", c])
            for cc in (neon_tools()[1] if isa == "neon" else [["gcc"], ["clang"]]):
                rc, out = run(cc + ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1", "-I" + RUNTIME,
                               "-c", c, "-o", c + "." + cc[0] + ".o"])
                if rc != 0:
                    failed.append((name, isa + " " + " ".join(cc), out.strip().splitlines()[:3]))
    return failed


if __name__ == "__main__":
    sys.exit(main())
