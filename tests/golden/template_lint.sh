#!/usr/bin/env bash
# Every kernel template is a real C file: compiled on its own (with its
# NNC_LINT defaults) by gcc and clang, warning-free, as C99. The shared
# templates in templates/simd/ are compiled once per vector layer: AVX2's, and
# AVX-512's (-DNNC_LINT_AVX512, see templates/simd/lint.h).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fail=0 n=0
for f in "$ROOT"/templates/*/*.c; do
    layers="AVX2"
    case "$f" in "$ROOT"/templates/simd/*) layers="AVX2 AVX512" ;; esac
    for layer in $layers; do
        for cc in gcc clang; do
            n=$((n + 1))
            if ! out="$("$cc" -std=c99 -Wall -Wextra -pedantic -Werror -Wno-unused-function -DNNC_LINT \
                        -DNNC_LINT_"$layer" -I"$ROOT/runtime" -fsyntax-only "$f" 2>&1)"; then
                echo "FAIL $cc ${f#"$ROOT"/} ($layer layer)"
                echo "$out" | head -5
                fail=$((fail + 1))
            fi
        done
    done
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
