#!/usr/bin/env bash
# Attention check: small Q.K^T*scale[+mask] -> Softmax -> .V models
# (attention_cases.py: odd sizes, K transposed or not, additive / Where /
# select-keep masks, a runtime Where condition with -1e9 fill, fully masked
# rows) must be recognised as one fused Attention node (`nnc info --graph`)
# and match numpy under `nnc verify` on every target this CPU runs (generic,
# avx2, avx512); the generated C must compile warning-free with gcc and clang.
# Every kernel call is split as far as it goes (NNC_TEST_PAR_MIN_COST=1) and
# P_run_parallel on 3 and 8 threads (neon: 3) must match P_run bit for bit.
# One line per case, then "N passed, M failed"; exit 1 on any failure.
#   attention_check.sh NNC [PYTHON] [OUTDIR]
set -uo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${3:-}" ]; then
    out="$3"; mkdir -p "$out"
else
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fi
. "$HERE/case_runner.sh"
export NNC_TEST_PAR_MIN_COST=1 GOLDEN_THREADS=3,8

case_before()
{
    if ! "$NNC" info "$out/$1/model.onnx" --graph >"$out/$1/graph.txt" 2>&1; then
        why="$why info-failed"; cat "$out/$1/graph.txt" >>"$log"
    elif ! grep -q 'Attention(' "$out/$1/graph.txt"; then
        why="$why not-fused"; cat "$out/$1/graph.txt" >>"$log"
    fi
}
case_target() { :; }
case_after() { :; }
case_label() { grep -o 'Attention([^)]*)' "$out/$1/graph.txt" | head -1; }

run_cases attention_cases.py
