#!/usr/bin/env bash
# Recurrent-op check: RNN / LSTM / GRU models with constant weights
# (rnn_cases.py: both directions, batch and hidden sizes around the SIMD
# tile, sequence_lens, layout 1, peepholes, clip, activations, omitted
# outputs; references in float64, checked against torch) must match under
# `nnc verify` on every target this CPU runs (generic, avx2, avx512); on
# avx2 and avx512 the generated C must use the rnn_vec kernel (or, for a
# case marked generic, must not), and compile warning-free with gcc and
# clang as C99; on the widest target the case also runs under ASan+UBSan.
# One line per case, then "N passed, M failed"; exit 1 on any failure.
#   rnn_check.sh NNC [PYTHON] [OUTDIR]
set -uo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${3:-}" ]; then
    out="$3"; mkdir -p "$out"
else
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fi
. "$HERE/case_runner.sh"

case_before() { :; }
# KIND is "vec" or "generic": the kernel the SIMD targets must use
case_target()
{
    local used=generic
    [ "$3" = generic ] && return
    grep -q 'template rnn_vec' "$out/$1/$3.c" && used=vec
    [ "$used" = "$2" ] || why="$why $3-runs-$used-not-$2"
}
# the widest target once more under ASan+UBSan (neon: by the cross gcc under qemu-aarch64)
case_after()
{
    local isa="${targets##* }" env="CC=clang ASAN_OPTIONS=detect_leaks=1"
    [ "$isa" = neon ] && env="$NEON_SAN_ENV"
    if command -v clang >/dev/null && ! env $env \
        NNC_VERIFY_CFLAGS="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
        "$NNC" verify "$out/$1/model.onnx" --target "$isa" >"$out/$1/sanitize.txt" 2>&1; then
        why="$why sanitize-$isa"; cat "$out/$1/sanitize.txt" >>"$log"
    fi
}
case_label() { echo "$2"; }

run_cases rnn_cases.py
