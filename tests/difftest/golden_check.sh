#!/usr/bin/env bash
# golden_check.sh NNC — the cases difftest found (tests/difftest/golden/NAME:
# model.onnx, test_data_set_0 with ONNX Runtime's outputs, README naming the
# bug), each through `nnc verify` on every target this CPU runs at --opt 0, 1
# and 2, at rtol 1e-3 / atol 1e-4 (difftest's tolerance). make_golden.py
# writes a case. Prints one line per case; exits 1 on any failure.
set -uo pipefail
NNC="$1"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
targets=""
for isa in generic avx2 avx512; do
    need=""
    [ "$isa" = avx2 ] && need="avx2 fma"
    [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
    skip=0
    for f in $need; do grep -qw "$f" /proc/cpuinfo || skip=1; done
    if [ "$skip" = 1 ]; then echo "note: $isa skipped (CPU lacks it)"; else targets="$targets $isa"; fi
done
pass=0 fail=0
for d in "$HERE"/golden/*/; do
    [ -f "$d/model.onnx" ] || continue
    c="$(basename "$d")" why="" log=""
    for isa in $targets; do
        for opt in 0 1 2; do
            if ! out="$("$NNC" verify "$d/model.onnx" --target "$isa" --opt "$opt" --rtol 1e-3 --atol 1e-4 2>&1)"; then
                why="$why $isa-O$opt"
                log="$log$out"$'\n'
            fi
        done
    done
    if [ -z "$why" ]; then
        echo "ok   $c ($(head -1 "$d/README" 2>/dev/null);$targets)"
        pass=$((pass + 1))
    else
        echo "FAIL $c:$why"
        printf '%s' "$log" | grep -v ' ok$' | head -20 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
