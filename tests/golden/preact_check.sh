#!/usr/bin/env bash
# Pre-activation check: networks where a BatchNormalization reads a pool, a
# Concat, an Add, a Relu, a Flatten or a graph input (DenseNet, pre-activation
# ResNet; preact_cases.py) must compile and match torch under `nnc verify`
# on every target this CPU runs, at --opt 2 and (generic) --opt 0; the
# generated C must compile warning-free with gcc and clang. BatchNorm folding
# once crashed on them. One line per case, then "N passed, M failed".
#   preact_check.sh NNC [PYTHON] [OUTDIR]
set -uo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${3:-}" ]; then
    out="$3"; mkdir -p "$out"
else
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fi
. "$HERE/case_runner.sh"

case_before()
{
    if ! "$NNC" verify "$out/$1/model.onnx" --opt 0 --rtol 1e-3 --atol 1e-4 >"$out/$1/verify_opt0.txt" 2>&1; then
        why="$why verify-opt0"; cat "$out/$1/verify_opt0.txt" >>"$log"
    fi
    "$NNC" info "$out/$1/model.onnx" --graph >"$out/$1/graph.txt" 2>>"$log" || why="$why info"
}
case_target() { :; }
case_after() { :; }
case_label() { echo "$(grep -c ' BatchNormalization(' "$out/$1/graph.txt" || true) BN left unfolded"; }

run_cases preact_cases.py
