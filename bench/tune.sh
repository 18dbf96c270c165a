#!/usr/bin/env bash
# Benchmark (not a test) for the per-CPU choices of issue 14: every
# alternative of each choice a CPU model drives (Winograd or direct per 3x3
# layer, conv_nchwc's KCB and SR, the GEMM's KC and NC, whole models per
# Winograd alternative), forced with nnc's hidden --tune option and timed on
# this machine layer by layer, as tables a human reads to fill in
# docs/tuning.md.
#   bench/tune.sh [RUNS]        (default 30 timed runs per measurement)
# after ./scripts/build.sh (build/nnc and the zoo in build/zoo). Settings:
# TUNE_MODELS, TUNE_DECISIONS, TUNE_TARGET, TUNE_CPU, TUNE_MAX_LAYERS and
# bench.py's BENCH_BUDGET etc. (see bench/tune.py). Quick check that it runs:
#   BENCH_BUDGET=1 TUNE_MODELS=resnet18 TUNE_MAX_LAYERS=2 bench/tune.sh 5
# Timings on a shared or loaded machine mean nothing.
set -uo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import onnx, numpy' 2>/dev/null; then
    echo "tune: $PY with onnx and numpy is needed (apt-get install python3-onnx python3-numpy)" >&2
    exit 1
fi
exec "$PY" "$BENCH/tune.py" "$@"
