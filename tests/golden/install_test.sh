#!/usr/bin/env bash
# `nnc --cflags` / `nnc --libs` must give working flags both from the build
# tree and from an installed prefix: compile and link a generated model with
# each, and run it.
set -euo pipefail
BUILD="$1" SRC="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$BUILD" --prefix "$tmp/prefix" >/dev/null
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "model.h"
#include "nnc_runtime.h"
int main(void) {
    static float in[MODEL_INPUT0_SIZE], out[MODEL_OUTPUT0_SIZE];
    const void *ins[1] = {in};
    void *outs[1] = {out};
    void *ws = NULL;
    int i, rc;
    for (i = 0; i < MODEL_INPUT0_SIZE; i++) in[i] = (float)(i % 7) / 7.0f;
    if (MODEL_WORKSPACE_SIZE > 0 && posix_memalign(&ws, 64, MODEL_WORKSPACE_SIZE) != 0) return 2;
    rc = model_run(ins, outs, ws);
    printf("rc=%d out0=%g runtime=%s\n", rc, out[0], nnc_runtime_version());
    free(ws);
    return rc;
}
C
for nnc in "$BUILD/nnc" "$tmp/prefix/bin/nnc"; do
    echo "== $nnc: cflags '$("$nnc" --cflags)' libs '$("$nnc" --libs)'"
    "$nnc" "$SRC/examples/fashion_mnist/lenet5_fashion.onnx" -o "$tmp/model.c" --prefix model
    # shellcheck disable=SC2046
    cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -pedantic -Werror $("$nnc" --cflags) -I"$tmp" \
        "$tmp/main.c" "$tmp/model.c" -o "$tmp/main" $("$nnc" --libs)
    "$tmp/main"
done
echo "install ok"
