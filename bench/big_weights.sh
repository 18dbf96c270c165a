#!/usr/bin/env bash
# Big weights (a report, not a test): how long nnc and the C compiler take,
# and how much memory they need, for models of 100-500 MB of weights in each
# weight mode. Issue 13's bar: VGG-11 with --weights incbin compiles (nnc
# plus the C compiler) in under 60 s and under 2 GB.
#
#   bench/big_weights.sh [CACHE_DIR] [--models vgg11,resnet50,bert_base]
#                        [--modes c,incbin,separate] [--target T]
#
# Models (bench/big_weights_export.py, exported once into CACHE_DIR, default
# build/big_weights; random weights under a fixed seed, nothing downloaded):
# torchvision VGG-11 and ResNet-50 at 1x3x224x224 and a BERT-base-sized
# encoder (12 layers, d_model 768, 12 heads, ff 3072, sequence 128, vocab
# 30522). For each model and mode it runs `nnc --target T --weights MODE`
# (default target avx512, the largest packed weights) and `gcc -O2 -c` on
# each generated file (OUT.c, and OUT_weights.S for incbin), each under
# /usr/bin/time -v, and prints wall time and peak RSS per step, the total,
# and the sizes of the outputs. gcc on a C file over 1 GB (VGG-11 and BERT
# in the c mode: VGG-11's 1.6 GB needed more than 7 minutes and 7 GB) is
# skipped unless BIG_WEIGHTS_C_GCC=1 (nnc's own row is still measured).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NNC="${NNC:-$ROOT/build/nnc}" PY=/usr/bin/python3
CACHE="$ROOT/build/big_weights" MODELS=vgg11,resnet50,bert_base MODES=c,incbin,separate TARGET=avx512
while [ $# -gt 0 ]; do
    case "$1" in
    --models) MODELS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) CACHE="$1"; shift ;;
    esac
done
[ -x "$NNC" ] || { echo "no nnc at $NNC (scripts/build.sh)" >&2; exit 1; }
mkdir -p "$CACHE"
"$PY" "$ROOT/bench/big_weights_export.py" "$CACHE" --only "$MODELS"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# "wall_seconds peak_MB" of a command, from /usr/bin/time -v; the command's
# own output goes to $work/log
measure() {
    local t="$work/time"
    if ! /usr/bin/time -v -o "$t" "$@" >"$work/log" 2>&1; then
        echo "FAILED: $*" >&2; tail -5 "$work/log" >&2; echo "- -"; return
    fi
    awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
         /Maximum resident set size/ { kb = $NF }
         END { printf "%.1f %.0f\n", s, kb / 1024 }' "$t"
}
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
size_of() { [ -f "$1" ] && stat -c %s "$1" || echo 0; }

echo "nnc --target $TARGET; gcc -O2 -c (gcc $(gcc -dumpversion)); $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
printf '%-10s %-8s %9s %9s %9s %9s %9s %10s %10s %10s\n' model weights "nnc s" "nnc MB" "gcc s" "gcc MB" "total s" "OUT.c MB" "OUT.bin MB" "model MB"
IFS=, read -ra model_list <<<"$MODELS"
IFS=, read -ra mode_list <<<"$MODES"
for m in "${model_list[@]}"; do
    onnx="$CACHE/$m/model.onnx"
    for mode in "${mode_list[@]}"; do
        rm -rf "$work/out"; mkdir "$work/out"
        read -r nnc_s nnc_mb < <(measure "$NNC" "$onnx" --target "$TARGET" --weights "$mode" -o "$work/out/m.c")
        gcc_s=- gcc_mb=-
        if [ "$nnc_s" != - ] && { [ "$(size_of "$work/out/m.c")" -lt $((1 << 30)) ] || [ "${BIG_WEIGHTS_C_GCC:-0}" = 1 ]; }; then
            read -r gcc_s gcc_mb < <(measure gcc -O2 -c $("$NNC" --cflags) "$work/out/m.c" -o "$work/out/m.o")
            if [ "$mode" = incbin ] && [ "$gcc_s" != - ]; then
                read -r as_s as_mb < <(measure gcc -c -I"$work/out" "$work/out/m_weights.S" -o "$work/out/w.o")
                gcc_s=$(awk -v a="$gcc_s" -v b="$as_s" 'BEGIN { print a + b }')
                gcc_mb=$(awk -v a="$gcc_mb" -v b="$as_mb" 'BEGIN { print (a > b ? a : b) }')
            fi
        fi
        total=$(awk -v a="$nnc_s" -v b="$gcc_s" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a + b }')
        printf '%-10s %-8s %9s %9s %9s %9s %9s %10s %10s %10s\n' "$m" "$mode" "$nnc_s" "$nnc_mb" "$gcc_s" "$gcc_mb" "$total" \
            "$(mb "$(size_of "$work/out/m.c")")" "$(mb "$(size_of "$work/out/m.bin")")" "$(mb "$(size_of "$onnx")")"
    done
done
echo "peak MB: maximum resident set size (/usr/bin/time -v); gcc for incbin: OUT.c and OUT_weights.S (time summed, peak the larger)"
