#!/usr/bin/env bash
# --max-workspace BYTES: a plan over the cap is one error line naming the
# largest tensors live at the peak, exit 1, no output; at the cap it compiles.
#   max_workspace_test.sh NNC
set -euo pipefail
NNC="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
M="$ROOT/examples/fashion_mnist/lenet5_fashion.onnx"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
need=$("$NNC" info "$M" | sed -n 's/^workspace bytes \([0-9]*\).*/\1/p')
[ -n "$need" ] && [ "$need" -gt 0 ] || fail "no workspace size from nnc info"
echo "plan: $need bytes"
set +e
"$NNC" "$M" -o "$tmp/m.c" --max-workspace $((need - 1)) 2> "$tmp/err"
rc=$?
set -e
cat "$tmp/err"
[ $rc = 1 ] || fail "exit status $rc over the cap"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "not one line"
grep -qE "^nnc: error: $M: the workspace needs $need bytes, over --max-workspace $((need - 1)): at node '[^']+' \([A-Za-z]+\) [0-9]+ bytes of intermediates are live: '/features/features.1/Relu_output_0' \[1,6,28,28\] \(18816 bytes\)" "$tmp/err" \
    || fail "the message does not name the largest live tensor first"
[ ! -e "$tmp/m.c" ] && [ ! -e "$tmp/m.h" ] || fail "output written over the cap"
"$NNC" "$M" -o "$tmp/m.c" --max-workspace "$need" || fail "rejected at the cap"
grep -q "M_WORKSPACE_SIZE $need" "$tmp/m.h" || fail "workspace size in m.h"
# nnc info fails the same way; a bad value is a usage error
if "$NNC" info "$M" --max-workspace 0 > /dev/null 2> "$tmp/err2"; then fail "info passed over the cap"; fi
grep -q "over --max-workspace 0" "$tmp/err2" || { cat "$tmp/err2"; fail "info message"; }
if "$NNC" "$M" -o "$tmp/x.c" --max-workspace -5 2> /dev/null; then fail "negative cap accepted"; fi
echo PASS
