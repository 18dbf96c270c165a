#!/usr/bin/python3
"""nnc's peak memory on a model with large weights stays within a bound, in
every weight mode (a regression check for what bench/big_weights.sh
measures on VGG-11 and friends).

    peak_rss_test.py NNC WORK_DIR

The model is one Gemm with a 3072x3072 float weight (36 MB; made with onnx
and numpy, seed 1, in a second). nnc's peak resident set size (wait4's
ru_maxrss) must stay under 2.5 times the weight bytes plus 8 MB. What it
needs: the file and protobuf-c's copy of it while it is unpacked (2x), then
the tensors and, on the SIMD targets, the GEMM's packed copy of the weight
(2x); the output streams to the files. Holding the .bin or the C text in
memory (as nnc did before: 3x to 6x) fails the bound.
"""
import os
import subprocess
import sys

N = 3072
BOUND_FACTOR, BOUND_EXTRA = 2.5, 8 << 20


def make_model(path):
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper, save
    rng = np.random.default_rng(1)
    w = rng.standard_normal((N, N), dtype=np.float32)
    b = rng.standard_normal((N,), dtype=np.float32)
    g = helper.make_graph([helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)], "big_gemm",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, N])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, N])],
                          [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return w.nbytes + b.nbytes


def peak_rss(argv):
    """Runs argv; returns (exit status, peak RSS in bytes)."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stdout.write(err.decode(errors="replace"))
    return p.returncode, usage.ru_maxrss * 1024  # Linux: kilobytes


def cpu_has(*flags):
    with open("/proc/cpuinfo") as f:
        words = set(f.read().split())
    return all(fl in words for fl in flags)


def main():
    nnc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "big_gemm.onnx")
    # made by a child process: a child's ru_maxrss counts the pages it shared
    # with its parent at fork, so this process stays small (no numpy here)
    weights = int(subprocess.check_output([sys.executable, __file__, "--make", model]))
    bound = BOUND_FACTOR * weights + BOUND_EXTRA
    targets = ["generic"] + (["avx2"] if cpu_has("avx2", "fma") else [])
    print("weights %.1f MB; bound %.1f MB (%.1fx + %d MB)" % (weights / 2**20, bound / 2**20, BOUND_FACTOR,
                                                             BOUND_EXTRA >> 20))
    ok = True
    for target in targets:
        for mode in ("c", "incbin", "separate"):
            out = os.path.join(work, "m_%s_%s.c" % (target, mode))
            rc, peak = peak_rss([nnc, model, "--target", target, "--weights", mode, "-o", out])
            good = rc == 0 and peak <= bound and os.path.getsize(out) > 0
            print("%-8s %-9s peak %7.1f MB = %.2fx weights  %s" % (target, mode, peak / 2**20, peak / weights,
                                                                  "ok" if good else "FAIL"))
            ok &= good
            for ext in (".c", ".h", ".bin", "_weights.S"):
                p = out[:-2] + ext
                if os.path.exists(p):
                    os.remove(p)
    os.remove(model)
    print("peak RSS ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "--make":
        print(make_model(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
