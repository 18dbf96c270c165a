#!/usr/bin/env bash
# Build classify.c against nnc-generated code for lenet5_fashion.onnx, run it
# on the Fashion-MNIST test set and check the accuracy against PyTorch.
#
# Usage: examples/fashion_mnist/run.sh [path/to/nnc]   (default: build/nnc)
# Env:   PYTHON (default /usr/bin/python3), CC (default cc),
#        FASHION_MNIST_DIR (default /usr/share/datasets/fashion-mnist)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NNC="${1:-$ROOT/build/nnc}"
case "$NNC" in /*) ;; *) NNC="$PWD/$NNC" ;; esac
PYTHON="${PYTHON:-/usr/bin/python3}"
CC="${CC:-cc}"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
export FASHION_MNIST_DIR="$DATA"
OUT="$ROOT/build/examples/fashion_mnist"

[ -x "$NNC" ] || { echo "error: nnc binary not found: $NNC" >&2; exit 1; }
mkdir -p "$OUT"

"$NNC" "$HERE/lenet5_fashion.onnx" -o "$OUT/model.c" --prefix lenet
# shellcheck disable=SC2046
"$CC" -O2 -std=c99 -I"$OUT" $("$NNC" --cflags) \
    "$HERE/classify.c" "$OUT/model.c" \
    -o "$OUT/classify" $("$NNC" --libs) -lz -lm

nnc_out="$("$OUT/classify" "$DATA/t10k-images-idx3-ubyte.gz" "$DATA/t10k-labels-idx1-ubyte.gz")"
torch_out="$("$PYTHON" "$HERE/torch_accuracy.py")"
echo "$nnc_out"
echo "$torch_out"

acc_nnc="$(sed -n 's/^nnc accuracy: \([0-9.]*\).*/\1/p' <<<"$nnc_out")"
acc_torch="$(sed -n 's/^torch accuracy: \([0-9.]*\).*/\1/p' <<<"$torch_out")"
if [ -z "$acc_nnc" ] || [ -z "$acc_torch" ]; then
    echo "FAIL: could not parse accuracies" >&2
    exit 1
fi

if awk -v a="$acc_nnc" -v b="$acc_torch" 'BEGIN { d = int(a * 10000 + 0.5) - int(b * 10000 + 0.5); if (d < 0) d = -d; exit !(d <= 5) }'; then
    echo "OK: nnc and torch accuracies agree ($acc_nnc vs $acc_torch)"
else
    echo "FAIL: nnc accuracy $acc_nnc differs from torch accuracy $acc_torch by more than 0.0005" >&2
    exit 1
fi
