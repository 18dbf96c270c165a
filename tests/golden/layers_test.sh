#!/usr/bin/env bash
# nnc verify --layers and --trace, on the zoo's cifar_bn (Conv+BatchNorm+Relu
# fused; channel-blocked on avx2/avx512):
#  1. against nnc's plain build (generic, --opt 0) on the best target for this
#     CPU: every layer within tolerance, fused nodes list what they cover;
#  2. against a reference folder (tools/dump_intermediates.py --engine nnc)
#     with one intermediate perturbed: verify fails and names that layer as the
#     first out of tolerance (a plain node, then a fused one);
#  3. with ONNX Runtime's intermediates when onnxruntime-node is installed
#     (NNC_ORT_NODE_MODULES or bench/node_modules): every layer within tolerance;
#  4. --trace output compiles warning-free (gcc, clang) and the default output
#     has no trace code.
#   layers_test.sh NNC PYTHON ZOO_DIR
set -euo pipefail
NNC="$1" PY="$2" ZOO="$3"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
M="$ZOO/cifar_bn/model.onnx" DS="$ZOO/cifar_bn/test_data_set_0"
[ -f "$M" ] || { echo "missing $M (the zoo export fixture did not run?)"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "== 1. against nnc's plain build, --target native"
"$NNC" verify "$M" --layers --target native > "$tmp/plain.txt" || { cat "$tmp/plain.txt"; fail "verify --layers"; }
cat "$tmp/plain.txt"
grep -q "covers Conv, BatchNormalization, Relu" "$tmp/plain.txt" || fail "no fused Conv+BN+Relu row"
n=$(grep -oE "all [0-9]+ layers within tolerance" "$tmp/plain.txt" | grep -oE "[0-9]+")
[ "$n" -ge 8 ] || fail "only $n layers compared"
if grep -qw avx2 /proc/cpuinfo; then # then some of them were compared from the channel-blocked layout
    "$NNC" info "$M" --target native --graph | grep -q " nchw[0-9]*c" || fail "no channel-blocked tensor on this target"
fi

echo "== 2. a deliberately wrong reference"
"$PY" "$ROOT/tools/dump_intermediates.py" "$M" "$DS" "$tmp/ref" --engine nnc --nnc "$NNC"
"$NNC" verify "$M" "$DS" --layers-ref "$tmp/ref" --target native > "$tmp/good.txt" || { cat "$tmp/good.txt"; fail "unperturbed reference"; }
perturb() { # perturb TENSOR_NAME: add 0.01 to one element of that tensor's file
    "$PY" - "$tmp/ref" "$1" <<'PYEOF'
import glob, sys
import onnx
from onnx import numpy_helper
for f in glob.glob(sys.argv[1] + "/*.pb"):
    t = onnx.TensorProto()
    t.ParseFromString(open(f, "rb").read())
    if t.name == sys.argv[2]:
        a = numpy_helper.to_array(t).copy()
        a.flat[a.size // 3] += 0.01
        open(f, "wb").write(numpy_helper.from_array(a, t.name).SerializeToString())
        sys.exit(0)
sys.exit("no tensor " + sys.argv[2])
PYEOF
}
cp -r "$tmp/ref" "$tmp/ref.orig"
# a plain node, then a fused one (its output is channel-blocked on avx512);
# both tensors have 8192 elements: the perturbed one is 8192 / 3 = 2730
for case in "/features/features.6/MaxPool_output_0|'/features/features.6/MaxPool' (MaxPool)" \
            "/features/features.16/Relu_output_0|'/features/features.14/Conv' (Conv; covers Conv, BatchNormalization, Relu)"; do
    name="${case%%|*}" want="${case#*|}"
    rm -rf "$tmp/ref" && cp -r "$tmp/ref.orig" "$tmp/ref"
    perturb "$name"
    if "$NNC" verify "$M" "$DS" --layers-ref "$tmp/ref" --target native > "$tmp/bad.txt"; then
        cat "$tmp/bad.txt"; fail "a perturbed reference passed"
    fi
    grep "first out of tolerance" "$tmp/bad.txt"
    grep -qF "first out of tolerance: node $want output '$name': 1 of 8192 elements; first at 2730:" "$tmp/bad.txt" \
        || fail "wrong first bad layer for $name"
    [ "$(grep -c MISMATCH "$tmp/bad.txt")" = 1 ] || fail "more than the perturbed layer flagged"
done

echo "== 3. against ONNX Runtime"
mods="${NNC_ORT_NODE_MODULES:-$ROOT/bench/node_modules}"
if [ -d "$mods/onnxruntime-node" ]; then
    "$PY" "$ROOT/tools/dump_intermediates.py" "$M" "$DS" "$tmp/ort" --node-modules "$mods"
    "$NNC" verify "$M" "$DS" --layers-ref "$tmp/ort" --target native | tee "$tmp/ort.txt" | tail -3
    grep -q "layers within tolerance" "$tmp/ort.txt" || fail "ORT reference"
else
    echo "skipped: no onnxruntime-node in $mods"
fi

echo "== 4. --trace builds warning-free; the default output has no trace code"
"$NNC" "$M" --target native --trace -o "$tmp/t.c"
for cc in gcc clang; do
    "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O1 -I"$ROOT/runtime" -c "$tmp/t.c" -o "$tmp/t.$cc.o"
done
grep -q "t_run_traced" "$tmp/t.h" || fail "no t_run_traced in t.h"
"$NNC" "$M" --target native -o "$tmp/u.c"
if grep -qiE "trace|hook" "$tmp/u.c" "$tmp/u.h"; then fail "trace code without --trace"; fi
echo "PASS"
