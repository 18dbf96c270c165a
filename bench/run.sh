#!/usr/bin/env bash
# Benchmark (not a test) for "Fast x86 code" (also runs on AArch64 Linux: neon
# target, NEON peak): single-core FMA peak, then every
# zoo model with nnc (generic/avx2/avx512; generic/neon on AArch64) against ONNX Runtime (1 thread),
# then ResNet-18's convolutions one by one against the peak.
#   bench/run.sh [RUNS]        (default 30 timed runs per measurement)
# after ./scripts/build.sh (build/nnc and the zoo in build/zoo).  See bench.py
# for the BENCH_* settings (models, time budget, rounds).  ONNX Runtime comes
# from npm (onnxruntime-node, bench/package.json), installed here on first use
# with --ignore-scripts: its postinstall only downloads the CUDA/TensorRT
# providers; the CPU library ships inside the package.  Without it, nnc only.
# Build products and inputs are cached in bench/.work/.
set -uo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import onnx, numpy' 2>/dev/null; then
    echo "bench: $PY with onnx and numpy is needed (apt-get install python3-onnx python3-numpy)" >&2
    exit 1
fi
if [ ! -d "$BENCH/node_modules/onnxruntime-node" ]; then
    if command -v npm >/dev/null; then
        echo "bench: installing onnxruntime-node into bench/node_modules" >&2
        (cd "$BENCH" && npm install --ignore-scripts --no-audit --no-fund >&2) ||
            echo "bench: npm install failed; continuing with nnc only" >&2
    else
        echo "bench: npm not found; continuing with nnc only" >&2
    fi
fi
exec "$PY" "$BENCH/bench.py" "$@"
