#!/usr/bin/env bash
# The vector math sweep for runtime/nnc_vmath_neon.h (vmath_neon.c): built
# and run natively on an AArch64 host (every 127th float bit pattern, as the
# x86 unit test), else with aarch64-linux-gnu-gcc under qemu-aarch64 with
# every 1021st bit pattern (emulation is slow; the same ranges, dense part
# and edge values). Skipped (exit 77) without the cross tools.
#   vmath_neon.sh [OUTDIR]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
src="$HERE/vmath_neon.c" inc="-I$HERE/../../runtime -I$HERE"
if [ "$(uname -m)" = aarch64 ]; then
    cc -std=c99 -O2 -Wall -Wextra -pedantic -Werror $inc "$src" -o "$out/vmath_neon" -lm
    "$out/vmath_neon" 127
elif command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    aarch64-linux-gnu-gcc -std=c99 -O2 -Wall -Wextra -pedantic -Werror $inc "$src" -o "$out/vmath_neon" -lm
    qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/vmath_neon" 1021
else
    echo "skipped: no AArch64 cross toolchain (aarch64-linux-gnu-gcc and qemu-aarch64: scripts/install-deps.sh)"
    exit 77
fi
