#!/usr/bin/env bash
# roundtrip_zoo.sh NNC ZOO_DIR WORK [MODEL...] — ONNX -> the model language
# and back, over the zoo:
#  1. `nnc convert ZOO/M/model.onnx -o M.nn` (weights in M.safetensors beside
#     it), then `nnc verify M.nn` on the zoo's torch golden data;
#  2. `nnc convert M.nn -o M.onnx` (opset 17), onnx.checker on it, and
#     `nnc verify M.onnx` on the same data.
# (ONNX Runtime is not a test dependency here, so step 2 checks the written
# ONNX with onnx's checker and nnc, not with ORT.)
set -u
NNC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ZOO=$2
WORK=$3
shift 3
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=($(ls "$ZOO"))
mkdir -p "$WORK"
fail=0
for m in "${MODELS[@]}"; do
    [ -f "$ZOO/$m/model.onnx" ] || continue
    d="$ZOO/$m/test_data_set_0"
    if ! out=$("$NNC" convert "$ZOO/$m/model.onnx" -o "$WORK/$m.nn" 2>&1) ||
       ! out=$("$NNC" verify "$WORK/$m.nn" "$d" 2>&1); then
        echo "FAIL $m onnx->nn"; echo "$out" | tail -5; fail=1; continue
    fi
    if ! out=$("$NNC" convert "$WORK/$m.nn" -o "$WORK/$m.rt.onnx" 2>&1) ||
       ! out=$(/usr/bin/python3 -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)" \
               "$WORK/$m.rt.onnx" 2>&1) ||
       ! out=$("$NNC" verify "$WORK/$m.rt.onnx" "$d" 2>&1); then
        echo "FAIL $m nn->onnx"; echo "$out" | tail -5; fail=1; continue
    fi
    echo "ok   $m"
done
exit $fail
