#!/usr/bin/env bash
# Report (not a test): for every zoo model, nodes before and after the passes,
# BatchNormalization nodes left, parameters against torch's count, and the
# memory plan against its lower bound and the naive sum of intermediates.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NNC="$ROOT/build/nnc" ZOO="$ROOT/build/zoo"
field() { sed -n "s/^$1 \([0-9]*\).*/\1/p" <<<"$2"; }
printf '%-20s %6s %6s %4s %12s %12s %12s %12s %12s %7s\n' model nodes0 nodes2 BN params0 torch workspace bound naive "ws/bnd"
for d in "$ZOO"/*/; do
    m="$(basename "$d")"
    [ -f "$d/model.onnx" ] || continue
    i0="$("$NNC" info "$d/model.onnx" --opt 0)" i2="$("$NNC" info "$d/model.onnx")"
    bn="$(grep -c ' BatchNormalization ' <<<"$i2" || true)"
    torch="$(sed -n 's/^params: //p' "$d/info.txt")"
    ws="$(field 'workspace bytes' "$i2")" lb="$(field 'lower bound' "$i2")"
    printf '%-20s %6s %6s %4s %12s %12s %12s %12s %12s %7s\n' "$m" "$(field nodes "$i0")" "$(field nodes "$i2")" "$bn" \
        "$(field parameters "$i0")" "$torch" "$ws" "$lb" "$(field 'sum of intermediates' "$i2")" \
        "$(awk -v a="$ws" -v b="$lb" 'BEGIN { printf "%.3f", b ? a / b : 1 }')"
done
