#!/usr/bin/env bash
# Every kernel template is a real C file: compiled on its own (with its
# NNC_LINT defaults) by gcc and clang, warning-free, as C99.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fail=0 n=0
for f in "$ROOT"/templates/*/*.c; do
    for cc in gcc clang; do
        n=$((n + 1))
        if ! out="$("$cc" -std=c99 -Wall -Wextra -pedantic -Werror -Wno-unused-function -DNNC_LINT \
                    -I"$ROOT/runtime" -fsyntax-only "$f" 2>&1)"; then
            echo "FAIL $cc ${f#"$ROOT"/}"
            echo "$out" | head -5
            fail=$((fail + 1))
        fi
    done
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
