#!/usr/bin/env bash
# Recurrent-op check: RNN / LSTM / GRU models with constant weights
# (rnn_cases.py: both directions, batch and hidden sizes around the SIMD
# tile, sequence_lens, layout 1, peepholes, clip, activations, omitted
# outputs; references in float64, checked against torch) must match under
# `nnc verify` on every target this CPU runs (generic, avx2, avx512); on
# avx2 and avx512 the generated C must use the rnn_vec kernel (or, for a
# case marked generic, must not), and compile warning-free with gcc and
# clang as C99; on the widest target the case also runs under ASan+UBSan. One line per case, then "N passed, M failed"; exit 1 on any
# failure.
#   rnn_check.sh NNC [PYTHON] [OUTDIR]
set -uo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT="$HERE/../../runtime"
if [ -n "${3:-}" ]; then
    out="$3"; mkdir -p "$out"
else
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fi
cases="$("$PY" "$HERE/rnn_cases.py" "$out")" || { echo "rnn_cases.py failed"; echo "0 passed, 1 failed"; exit 1; }

targets=""
for isa in generic avx2 avx512; do
    need=""
    [ "$isa" = avx2 ] && need="avx2 fma"
    [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
    skip=0
    for f in $need; do grep -qw "$f" /proc/cpuinfo || skip=1; done
    if [ "$skip" = 1 ]; then echo "note: $isa skipped (CPU lacks it)"; else targets="$targets $isa"; fi
done
ccs=""
for cc in gcc clang; do
    if command -v "$cc" >/dev/null; then ccs="$ccs $cc"; else echo "note: $cc not found, not compiled with it"; fi
done

pass=0 fail=0
while read -r c kind; do
    [ -n "$c" ] || continue
    m="$out/$c/model.onnx" log="$out/$c/log" why=""
    : >"$log"
    for isa in $targets; do
        if ! "$NNC" verify "$m" --target "$isa" --rtol 1e-3 --atol 1e-4 >"$out/$c/verify_$isa.txt" 2>&1; then
            why="$why verify-$isa"; cat "$out/$c/verify_$isa.txt" >>"$log"
        fi
        if ! "$NNC" "$m" --target "$isa" -o "$out/$c/$isa.c" >>"$log" 2>&1; then
            why="$why compile-$isa"; continue
        fi
        if [ "$isa" != generic ]; then
            used=generic
            grep -q 'template rnn_vec' "$out/$c/$isa.c" && used=vec
            [ "$used" = "$kind" ] || why="$why $isa-runs-$used-not-$kind"
        fi
        for cc in $ccs; do
            "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O1 -I"$RT" -c "$out/$c/$isa.c" \
                -o "$out/$c/$isa.$cc.o" >>"$log" 2>&1 || why="$why $cc-$isa"
        done
    done
    isa="${targets##* }"
    if command -v clang >/dev/null && ! CC=clang \
        NNC_VERIFY_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
        ASAN_OPTIONS=detect_leaks=1 "$NNC" verify "$m" --target "$isa" >"$out/$c/sanitize.txt" 2>&1; then
        why="$why sanitize-$isa"; cat "$out/$c/sanitize.txt" >>"$log"
    fi
    if [ -z "$why" ]; then
        echo "ok   $c ($kind;$targets)"
        pass=$((pass + 1))
    else
        echo "FAIL $c:$why"; sed 's/^/    /' "$log" | grep -v ' ok$' | head -30
        fail=$((fail + 1))
    fi
done <<<"$cases"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
