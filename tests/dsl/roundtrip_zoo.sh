#!/usr/bin/env bash
# roundtrip_zoo.sh NNC ZOO_DIR WORK [MODEL...] — ONNX -> the model language
# and back, over the zoo:
#  1. `nnc convert ZOO/M/model.onnx -o M.nn` (weights in M.safetensors beside
#     it);
#  2. `nnc convert M.nn -o M.rt.onnx` (opset 17) and onnx.checker on it;
#  3. with ORT_DIR set (where onnxruntime-node is installed, see
#     nn_ort_check.py): ONNX Runtime runs M.rt.onnx on the zoo's inputs, and
#     its outputs become a second data set;
#  4. `nnc verify M.nn` on the zoo's torch golden data (and ORT's outputs:
#     .nn -> ONNX -> ORT agrees with the .nn compiled by nnc), one compile;
#  5. `nnc verify M.rt.onnx` on the golden data.
# Without ORT_DIR, or when ONNX Runtime cannot be loaded, step 3 is left out
# with a note (nn_ort_check.py then reports SKIP, exit 77).
set -u
NNC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ZOO=$2
WORK=$3
shift 3
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=($(ls "$ZOO"))
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
fail=0
for m in "${MODELS[@]}"; do
    [ -f "$ZOO/$m/model.onnx" ] || continue
    d="$ZOO/$m/test_data_set_0"
    if ! out=$("$NNC" convert "$ZOO/$m/model.onnx" -o "$WORK/$m.nn" 2>&1); then
        echo "FAIL $m onnx->nn"; echo "$out" | tail -5; fail=1; continue
    fi
    if ! out=$("$NNC" convert "$WORK/$m.nn" -o "$WORK/$m.rt.onnx" 2>&1) ||
       ! out=$(/usr/bin/python3 -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)" \
               "$WORK/$m.rt.onnx" 2>&1); then
        echo "FAIL $m nn->onnx"; echo "$out" | tail -5; fail=1; continue
    fi
    sets=("$d")
    if [ -n "${ORT_DIR:-}" ]; then
        out=$(/usr/bin/python3 "$HERE/nn_ort_check.py" --ort-ref "$WORK/$m.rt.onnx" "$d" "$WORK/$m.ort" "$ORT_DIR" 2>&1)
        rc=$?
        if [ $rc = 0 ]; then
            sets+=("$WORK/$m.ort/test_data_set_0")
        elif [ $rc = 77 ]; then
            echo "note: $m: .nn -> ONNX not run in ONNX Runtime: $out"
        else
            echo "FAIL $m nn->onnx->ORT"; echo "$out" | tail -5; fail=1; continue
        fi
    else
        echo "note: $m: ORT_DIR is not set; .nn -> ONNX not run in ONNX Runtime"
    fi
    if ! out=$("$NNC" verify "$WORK/$m.nn" "${sets[@]}" 2>&1); then
        echo "FAIL $m .nn against ${sets[*]}"; echo "$out" | tail -5; fail=1; continue
    fi
    if ! out=$("$NNC" verify "$WORK/$m.rt.onnx" "$d" 2>&1); then
        echo "FAIL $m nn->onnx verify"; echo "$out" | tail -5; fail=1; continue
    fi
    if [ ${#sets[@]} = 2 ]; then echo "ok   $m (torch's golden outputs and ONNX Runtime's)"; else echo "ok   $m"; fi
done
exit $fail
