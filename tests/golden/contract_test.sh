#!/usr/bin/env bash
# The memory contract in the generated header, on every target: P_WEIGHTS_SIZE
# equals the sizes of the constant objects in the object file built at -O0 (nm -S;
# an optimising build may fold a small constant away, so it is an upper bound),
# and P_FLOPS equals the FLOPs total `nnc info` prints for the same target.
# (P_STACK_SIZE is measured by stack_test.sh.) With --weights-section, every
# constant object is in that section, and the model still passes nnc verify.
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
echo "header contract ok"
