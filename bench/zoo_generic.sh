#!/usr/bin/env bash
# Benchmark (not a test): for every zoo model, the max error against torch and
# the median time per inference of the generic target, as one table.
#   bench/zoo_generic.sh [RUNS]   (default 30 runs after a warm-up)
# Needs build/nnc and the zoo in build/zoo (ctest -R zoo_export makes it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NNC="$ROOT/build/nnc" ZOO="$ROOT/build/zoo" RUNS="${1:-30}"
printf '%-20s %12s %12s %14s %8s\n' model "max abs err" "max rel err" "median time" result
for d in "$ZOO"/*/; do
    m="$(basename "$d")"
    [ -f "$d/model.onnx" ] || continue
    out="$("$NNC" verify "$d/model.onnx" --bench "$RUNS" 2>&1 || true)"
    abs="$(sed -n 's/.*max abs err \([^,]*\),.*/\1/p' <<<"$out" | head -1)"
    rel="$(sed -n 's/.*max rel err \([^ ]*\) .*/\1/p' <<<"$out" | head -1)"
    t="$(sed -n 's/.*time: median \([0-9.]*\) us.*/\1/p' <<<"$out" | head -1)"
    res="$(tail -1 <<<"$out" | awk '{print $NF}')"
    if [ -n "$t" ]; then t="$(awk -v t="$t" 'BEGIN { if (t >= 1000) printf "%.2f ms", t / 1000; else printf "%.1f us", t }')"; fi
    printf '%-20s %12s %12s %14s %8s\n' "$m" "${abs:--}" "${rel:--}" "${t:--}" "$res"
done
