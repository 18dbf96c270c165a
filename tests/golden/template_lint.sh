#!/usr/bin/env bash
# Every kernel template is a real C file: compiled on its own (with its
# NNC_LINT defaults) by gcc and clang, warning-free, as C99. The shared
# templates in templates/simd/ are compiled once per vector layer: AVX2's,
# AVX-512's (-DNNC_LINT_AVX512, see templates/simd/lint.h) and NEON's
# (-DNNC_LINT_NEON, by aarch64-linux-gnu-gcc and clang --target=aarch64-linux-gnu;
# not for a shared template that templates/neon/ overrides). templates/neon/
# is compiled for AArch64 only. The NEON layer is skipped, with a note, when
# neither AArch64 compiler is installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fail=0 n=0
x86_ccs="gcc clang" arm_ccs=""
command -v aarch64-linux-gnu-gcc >/dev/null && arm_ccs="aarch64-linux-gnu-gcc"
clang --target=aarch64-linux-gnu -x c -fsyntax-only -include arm_neon.h /dev/null 2>/dev/null &&
    arm_ccs="$arm_ccs clang:--target=aarch64-linux-gnu"
[ -n "$arm_ccs" ] || echo "note: no AArch64 compiler (aarch64-linux-gnu-gcc, clang --target=aarch64-linux-gnu): NEON layer not linted"
for f in "$ROOT"/templates/*/*.c; do
    base="$(basename "$f")"
    case "$f" in
    "$ROOT"/templates/simd/*)
        layers="AVX2 AVX512"
        [ -f "$ROOT/templates/neon/$base" ] || layers="$layers NEON" ;;
    "$ROOT"/templates/neon/*) layers="NEON" ;;
    *) layers="AVX2" ;;
    esac
    for layer in $layers; do
        ccs="$x86_ccs"
        [ "$layer" = NEON ] && ccs="$arm_ccs"
        for cc in $ccs; do
            n=$((n + 1))
            if ! out="$(${cc//:/ } -std=c99 -Wall -Wextra -pedantic -Werror -Wno-unused-function -DNNC_LINT \
                        -DNNC_LINT_"$layer" -I"$ROOT/runtime" -fsyntax-only "$f" 2>&1)"; then
                echo "FAIL ${cc//:/ } ${f#"$ROOT"/} ($layer layer)"
                echo "$out" | head -5
                fail=$((fail + 1))
            fi
        done
    done
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
