#!/usr/bin/env bash
# Attention check: small Q.K^T*scale[+mask] -> Softmax -> .V models
# (attention_cases.py: odd sizes, K transposed or not, additive / Where /
# select-keep masks, a runtime Where condition with -1e9 fill, fully masked
# rows) must be recognised as one fused Attention node (`nnc info --graph`)
# and match numpy under `nnc verify` on every target this CPU runs (generic,
# avx2, avx512); the generated C must compile warning-free with gcc and clang.
# One line per case, then "N passed, M failed"; exit 1 on any failure.
#   attention_check.sh NNC [PYTHON] [OUTDIR]
set -uo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT="$HERE/../../runtime"
if [ -n "${3:-}" ]; then
    out="$3"; mkdir -p "$out"
else
    out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fi
cases="$("$PY" "$HERE/attention_cases.py" "$out")" || { echo "attention_cases.py failed"; echo "0 passed, 1 failed"; exit 1; }

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
for c in $cases; do
    m="$out/$c/model.onnx" log="$out/$c/log" why=""
    : >"$log"
    if ! "$NNC" info "$m" --graph >"$out/$c/graph.txt" 2>&1; then
        why="$why info-failed"; cat "$out/$c/graph.txt" >>"$log"
    elif ! grep -q 'Attention(' "$out/$c/graph.txt"; then
        why="$why not-fused"; cat "$out/$c/graph.txt" >>"$log"
    fi
    for isa in $targets; do
        if ! "$NNC" verify "$m" --target "$isa" --rtol 1e-3 --atol 1e-4 >"$out/$c/verify_$isa.txt" 2>&1; then
            why="$why verify-$isa"; cat "$out/$c/verify_$isa.txt" >>"$log"
        fi
        if ! "$NNC" "$m" --target "$isa" -o "$out/$c/$isa.c" >>"$log" 2>&1; then
            why="$why compile-$isa"; continue
        fi
        for cc in $ccs; do
            "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O1 -I"$RT" -c "$out/$c/$isa.c" \
                -o "$out/$c/$isa.$cc.o" >>"$log" 2>&1 || why="$why $cc-$isa"
        done
    done
    if [ -z "$why" ]; then
        echo "ok   $c ($(grep -o 'Attention([^)]*)' "$out/$c/graph.txt" | head -1);$targets)"
        pass=$((pass + 1))
    else
        echo "FAIL $c:$why"; sed 's/^/    /' "$log" | grep -v ' ok$' | head -30
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
