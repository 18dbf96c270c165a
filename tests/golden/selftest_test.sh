#!/usr/bin/env bash
# nnc --selftest DIR: P_selftest() passes on the data set it embeds (zoo
# models, targets and weight modes; the neon target under qemu-aarch64 when
# the cross tools are there), and returns P_ERR_SELFTEST for an expected
# output corrupted by one element (and the run's own error for a wrong
# weights blob). The generated C compiles warning-free under gcc and clang.
# usage: selftest_test.sh NNC PYTHON ZOO_DIR
set -euo pipefail
NNC="$(realpath "$1")" PY="$2" ZOO="$(realpath "$3")"
STRICT="-std=c99 -Wall -Wextra -pedantic -Werror"
RT="$(dirname "$(realpath "$0")")/../../runtime"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/cross_tools.sh"

cat > "$tmp/main.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "m.h"
static void *aligned(size_t n, void **raw) {
    unsigned char *p = malloc(n + 64);
    if (!p) exit(99);
    *raw = p;
    return p + (64 - (uintptr_t)p % 64) % 64;
}
int main(int argc, char **argv) {
    void *raw_ws, *ws = aligned(M_SELFTEST_WORKSPACE_SIZE, &raw_ws);
    int rc;
#ifdef M_WEIGHTS_SEPARATE
    void *raw_w; unsigned char *w = aligned(M_WEIGHTS_SIZE, &raw_w);
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!f || fread(w, 1, M_WEIGHTS_SIZE, f) != M_WEIGHTS_SIZE) return 98;
    fclose(f);
    if (argc > 2) w[8] ^= 1; /* not this blob: another payload size in the header */
    rc = m_selftest(w, ws);
    free(raw_w);
#else
    (void)argc; (void)argv;
    rc = m_selftest(ws);
#endif
    free(raw_ws);
    printf("m_selftest: %d\n", rc);
    return rc;
}
C

# build MODEL TARGET WEIGHTS DATASET CC...: generate with --selftest DATASET, build into $tmp/app
build() {
    local model="$1" target="$2" weights="$3" ds="$4"; shift 4
    rm -rf "$tmp/b"; mkdir "$tmp/b"
    "$NNC" "$ZOO/$model/model.onnx" --target "$target" --weights "$weights" --prefix m -o "$tmp/b/m.c" --selftest "$ds"
    local extra=()
    [ "$weights" = incbin ] && extra=("$tmp/b/m_weights.S" -I"$tmp/b")
    "$@" -O1 $STRICT -I"$RT" -I"$tmp/b" "$tmp/main.c" "$tmp/b/m.c" "${extra[@]}" "$RT/nnc_runtime.c" -lm -o "$tmp/app"
}
# expect STATUS RUNNER...: run $tmp/app (with the blob for separate weights)
expect() {
    local want="$1"; shift
    local args=() r=0
    [ -f "$tmp/b/m.bin" ] && grep -q M_WEIGHTS_SEPARATE "$tmp/b/m.h" && args=("$tmp/b/m.bin")
    "$@" "$tmp/app" "${args[@]}" ${WRONG_BLOB:+x} || r=$?
    [ "$r" = "$want" ] || { echo "FAIL: expected status $want, got $r"; exit 1; }
}
corrupt() { # corrupt SRC_DATASET DST: output_0.pb with its first element changed by 1
    mkdir -p "$2"; cp "$1"/input_*.pb "$2/"; cp "$1"/output_*.pb "$2/"
    "$PY" - "$1/output_0.pb" "$2/output_0.pb" <<'PY'
import sys
import numpy as np
from onnx import TensorProto, numpy_helper
t = TensorProto(); t.ParseFromString(open(sys.argv[1], "rb").read())
a = numpy_helper.to_array(t).copy()
a.flat[0] += 1
open(sys.argv[2], "wb").write(numpy_helper.from_array(a, t.name).SerializeToString())
PY
}

has() { for f in "$@"; do grep -qw "$f" /proc/cpuinfo || return 1; done; }
cases="lenet5:generic:c text_classifier:generic:separate gpt_decoder:generic:incbin"
has avx2 fma && cases="$cases cifar_bn:avx2:incbin lstm_regressor:avx2:c"
has avx512f avx512bw avx512dq avx512vl && cases="$cases mobilenetv2:avx512:separate vit_small:avx512:c"
for c in $cases; do
    IFS=: read -r model target weights <<<"$c"
    ds="$ZOO/$model/test_data_set_0"
    build "$model" "$target" "$weights" "$ds" gcc
    clang $STRICT -fsyntax-only -I"$RT" "$tmp/b/m.c"
    expect 0
    corrupt "$ds" "$tmp/bad"
    build "$model" "$target" "$weights" "$tmp/bad" gcc
    expect 5
    if [ "$weights" = separate ]; then WRONG_BLOB=1 expect 4; fi
    rm -rf "$tmp/bad"
    echo "$model $target --weights $weights: P_selftest passes, a corrupted expected output gives P_ERR_SELFTEST"
done
if [ "$neon_ready" = 0 ]; then
    run=(); [ "$(uname -m)" = aarch64 ] || run=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
    cc=gcc; [ "$(uname -m)" = aarch64 ] || cc=aarch64-linux-gnu-gcc
    ds="$ZOO/cifar_bn/test_data_set_0"
    build cifar_bn neon incbin "$ds" $cc
    expect 0 "${run[@]}"
    corrupt "$ds" "$tmp/bad"
    build cifar_bn neon incbin "$tmp/bad" $cc
    expect 5 "${run[@]}"
    echo "cifar_bn neon --weights incbin ($cc): P_selftest passes, a corrupted expected output gives P_ERR_SELFTEST"
else
    echo "neon not checked: $NEON_WHY"
fi
# frozen inputs: the data set has more input files than the compiled graph
# has inputs, so they are matched by the names they hold
mkdir -p "$tmp/frz/ds"
"$PY" - "$tmp/frz" <<'PY'
import sys
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save
d = sys.argv[1]
g = helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["r"]), helper.make_node("Relu", ["r"], ["y"])],
                      "frozen", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
                                 helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])])
save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), d + "/m.onnx")
x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6)
for i, (name, v) in enumerate((("x", x), ("shape", np.array([3, 4], np.int64)))):
    open("%s/ds/input_%d.pb" % (d, i), "wb").write(numpy_helper.from_array(v, name).SerializeToString())
open(d + "/ds/output_0.pb", "wb").write(numpy_helper.from_array(np.maximum(x, 0).reshape(3, 4), "y").SerializeToString())
PY
rm -rf "$tmp/b"; mkdir "$tmp/b"
"$NNC" "$tmp/frz/m.onnx" --prefix m -o "$tmp/b/m.c" --freeze shape="$tmp/frz/ds/input_1.pb" --selftest "$tmp/frz/ds"
gcc -O1 $STRICT -I"$RT" -I"$tmp/b" "$tmp/main.c" "$tmp/b/m.c" "$RT/nnc_runtime.c" -lm -o "$tmp/app"
expect 0
echo "frozen input: the data set's files matched by name, P_selftest passes"

# errors: a folder without the files, a file of the wrong shape
mkdir "$tmp/empty"
if "$NNC" "$ZOO/lenet5/model.onnx" -o "$tmp/x.c" --selftest "$tmp/empty" 2>"$tmp/err"; then echo "FAIL: empty folder accepted"; exit 1; fi
grep -q "nnc: error: .*--selftest" "$tmp/err" || { echo "FAIL: no error line"; cat "$tmp/err"; exit 1; }
[ ! -e "$tmp/x.c" ] || { echo "FAIL: output written after an error"; exit 1; }
if "$NNC" "$ZOO/lenet5/model.onnx" -o "$tmp/x.c" --selftest "$ZOO/mlp/test_data_set_0" 2>"$tmp/err"; then
    echo "FAIL: another model's data set accepted"; exit 1
fi
cat "$tmp/err"
echo "selftest ok"
