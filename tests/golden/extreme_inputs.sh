#!/usr/bin/env bash
# Generated code stays free of undefined behaviour for any input values: each
# zoo model's code, built with clang under UBSan (float-cast-overflow
# included, every report fatal), runs on inputs that are all NaN, +-Inf, and
# +-1e30, and a mix of them (integer inputs: 0, so the float paths run; in the
# mix, indices far out of range, negative, the type's extremes).
# Outputs need not be finite; the run must return P_OK, or P_ERR_INDEX for an
# out-of-range index.
#   extreme_inputs.sh NNC PYTHON ZOO_DIR MODEL [TARGET]   build under UBSan, then run
#   extreme_inputs.sh --built DIR PYTHON MODEL            run a harness that `nnc verify
#                                                         --keep DIR` built with sanitizers
set -euo pipefail
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "$1" = --built ]; then
    B="$2" PY="$3" MODEL="$4"
else
    NNC="$1" PY="$2" ZOO="$3" MODEL="$4" TARGET="${5:-generic}"
    M="$ZOO/$MODEL/model.onnx"
    [ -f "$M" ] || { echo "missing $M (the zoo export fixture did not run?)"; exit 1; }
    B="$tmp/b"
    # the verify harness, built under UBSan (run once on the real data set)
    CC=clang NNC_VERIFY_CFLAGS="-O1 -g -fsanitize=undefined,float-cast-overflow,float-divide-by-zero -fno-sanitize-recover=all" \
        "$NNC" verify "$M" --target "$TARGET" --keep "$B" > "$tmp/verify.txt" || { cat "$tmp/verify.txt"; exit 1; }
fi
[ -x "$B/harness" ] || { echo "no harness in $B"; exit 1; }
status=0
for fill in nan inf huge mixed; do
    "$PY" - "$B" "$fill" <<'PYEOF'
import re, sys
import numpy as np
d, fill = sys.argv[1], sys.argv[2]
h = open(d + "/model.h").read()
NP = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64, 9: np.bool_,
      11: np.float64, 12: np.uint32, 13: np.uint64}
n_in = int(re.search(r"#define MODEL_NUM_INPUTS (\d+)", h).group(1))
for k in range(n_in):
    dt = NP[int(re.search(r"#define MODEL_INPUT%d_DTYPE (\d+)" % k, h).group(1))]
    size = int(re.search(r"#define MODEL_INPUT%d_SIZE (\d+)" % k, h).group(1))
    if np.issubdtype(dt, np.floating):
        pick = {"nan": [np.nan], "inf": [np.inf, -np.inf], "huge": [1e30, -1e30],
                "mixed": [np.nan, np.inf, -1e30, 0.0, -np.inf, 1e30, 3.0e38, -0.0]}[fill]
    elif dt == np.bool_:
        pick = [True, False]
    else:
        info = np.iinfo(dt)
        pick = [info.max, info.min, min(info.max, 1 << 20), 0] if fill == "mixed" else [0]
    a = np.resize(np.array(pick, dtype=dt), size)
    a.tofile("%s/in_%d.bin" % (d, k))
PYEOF
    set +e
    "$B/harness" "$B" 2> "$tmp/err"
    rc=$?
    set -e
    if grep -q "runtime error" "$tmp/err" || { [ $rc != 0 ] && [ $rc != 4 ]; }; then
        echo "$MODEL $fill: exit $rc"; cat "$tmp/err"; status=1
    else
        echo "$MODEL $fill: ok (exit $rc$( [ $rc = 4 ] && echo ', index out of range reported'))"
    fi
done
exit $status
