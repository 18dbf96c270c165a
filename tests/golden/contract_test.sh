#!/usr/bin/env bash
# The memory contract in the generated header, on every target: P_WEIGHTS_SIZE
# equals the sizes of the constant objects in the object file built at -O0 (nm -S;
# an optimising build may fold a small constant away, so it is an upper bound),
# and P_FLOPS equals the FLOPs total `nnc info` prints for the same target.
# (P_STACK_SIZE is measured by stack_test.sh.) With --weights-section, every
# constant object is in that section, and the model still passes nnc verify.
# With --weights separate, a wrong, truncated, misaligned or corrupted blob
# gets P_ERR_WEIGHTS; separate and incbin pass nnc verify.
# usage: contract_test.sh NNC SRC
set -euo pipefail
NNC="$(realpath "$1")" SRC="$(realpath "$2")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for model in "$SRC/examples/fashion_mnist/lenet5_fashion.onnx" "$SRC/examples/cmake_app/tiny_mlp.onnx"; do
    for t in generic avx2 avx512; do
        "$NNC" "$model" -o "$tmp/m.c" --target "$t"
        gcc -std=c99 -O0 -c $("$NNC" --cflags) "$tmp/m.c" -o "$tmp/m.o"
        want_w=$(sed -n 's/^#define M_WEIGHTS_SIZE \([0-9]*\)$/\1/p' "$tmp/m.h")
        got_w=0
        for sz in $(nm -S "$tmp/m.o" | awk '$4 ~ /^m_[wp][0-9]+$/ { print $2 }'); do got_w=$((got_w + 16#$sz)); done
        want_f=$(sed -n 's/^#define M_FLOPS \([0-9]*\)LL$/\1/p' "$tmp/m.h")
        got_f=$("$NNC" info "$model" --target "$t" | sed -n 's/^FLOPs \([0-9]*\) .*/\1/p')
        echo "$(basename "$model") $t: weights $want_w (objects $got_w), FLOPs $want_f (info $got_f)"
        [ -n "$want_w" ] && [ "$want_w" = "$got_w" ] && [ -n "$want_f" ] && [ "$want_f" = "$got_f" ] ||
            { echo FAIL; exit 1; }
    done
done
for t in generic avx2 avx512; do
    "$NNC" "$SRC/examples/fashion_mnist/lenet5_fashion.onnx" -o "$tmp/m.c" --target "$t" --weights-section .nnc_weights
    gcc -std=c99 -O0 -c $("$NNC" --cflags) "$tmp/m.c" -o "$tmp/m.o"
    clang -std=c99 -Wall -Wextra -pedantic -Werror -fsyntax-only $("$NNC" --cflags) "$tmp/m.c"
    elsewhere=$(objdump -t "$tmp/m.o" | awk '$NF ~ /^m_[wp][0-9]+$/ && $(NF-2) != ".nnc_weights"' | wc -l)
    inside=$(objdump -t "$tmp/m.o" | awk '$NF ~ /^m_[wp][0-9]+$/ && $(NF-2) == ".nnc_weights"' | wc -l)
    echo "lenet5 $t --weights-section: $inside objects in .nnc_weights, $elsewhere elsewhere"
    [ "$inside" -gt 0 ] && [ "$elsewhere" -eq 0 ] || { echo FAIL; exit 1; }
    "$NNC" verify "$SRC/examples/cmake_app/tiny_mlp.onnx" --target "$t" --weights-section .nnc_weights | tail -1
done
# --weights separate: a wrong, misaligned or corrupted blob gets P_ERR_WEIGHTS, never a run.
cat > "$tmp/blob.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lenet.h"
static void *load(const char *path, long *n) {
    FILE *f = fopen(path, "rb"); void *p; long k;
    if (!f) exit(9);
    fseek(f, 0, SEEK_END); *n = ftell(f); rewind(f);
    if (posix_memalign(&p, 64, (size_t)*n + 64) != 0) exit(9);
    k = (long)fread(p, 1, (size_t)*n, f); fclose(f);
    if (k != *n) exit(9);
    return p;
}
int main(int argc, char **argv) {
    static float img[LENET_INPUT0_SIZE], out[LENET_OUTPUT0_SIZE];
    static _Alignas(64) unsigned char ws[LENET_WORKSPACE_SIZE + 1];
    const void *in[] = {img}; void *o[] = {out};
    long n, m; unsigned char *w = load(argv[1], &n), *other = load(argv[2], &m), *shifted;
    (void)argc;
    if (n != LENET_WEIGHTS_SIZE) return 1;
    if (lenet_check_weights(w, (size_t)n) != LENET_OK) return 2;
    if (lenet_run_with_weights(w, in, o, ws) != LENET_OK) return 3;
    if (lenet_run_with_weights(other, in, o, ws) != LENET_ERR_WEIGHTS) return 4;      /* another model's blob */
    if (lenet_check_weights(other, (size_t)m) != LENET_ERR_WEIGHTS) return 5;
    if (lenet_check_weights(w, (size_t)n - 1) != LENET_ERR_WEIGHTS) return 6;       /* truncated */
    shifted = malloc((size_t)n + 64); if (!shifted) return 9;
    shifted = shifted + (64 - (size_t)shifted % 64) % 64 + 4;                     /* misaligned copy */
    memcpy(shifted, w, (size_t)n);
    if (lenet_run_with_weights(shifted, in, o, ws) != LENET_ERR_WEIGHTS) return 7;
    w[n / 2] ^= 0x10;                                                              /* corrupted payload */
    if (lenet_check_weights(w, (size_t)n) != LENET_ERR_WEIGHTS) return 8;
    printf("blob checks ok\n");
    return 0;
}
C
for t in generic avx2; do
    "$NNC" "$SRC/examples/fashion_mnist/lenet5_fashion.onnx" -o "$tmp/lenet.c" --target "$t" --weights separate
    "$NNC" "$SRC/examples/cmake_app/tiny_mlp.onnx" -o "$tmp/tiny.c" --target "$t" --weights separate
    gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -Wall -Wextra -Werror $("$NNC" --cflags) -I"$tmp" "$tmp/blob.c" "$tmp/lenet.c" -o "$tmp/blob" \
        $("$NNC" --libs)
    r=0; "$tmp/blob" "$tmp/lenet.bin" "$tmp/tiny.bin" || r=$?
    [ $r -eq 0 ] || { echo "FAIL: --weights separate blob check $t (exit $r)"; exit 1; }
    "$NNC" verify "$SRC/examples/cmake_app/tiny_mlp.onnx" --target "$t" --weights separate | tail -1
    "$NNC" verify "$SRC/examples/cmake_app/tiny_mlp.onnx" --target "$t" --weights incbin | tail -1
done
echo "header contract ok"
