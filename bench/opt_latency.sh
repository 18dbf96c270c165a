#!/usr/bin/env bash
# Benchmark (not a test): generic-target latency of every zoo model compiled
# at --opt 0 and at the default level, both linked into one program and timed
# alternately in the same process (median of RUNS runs each after a warm-up).
#   bench/opt_latency.sh [RUNS]   (default 30; needs build/nnc and build/zoo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NNC="$ROOT/build/nnc" ZOO="${ZOO:-$ROOT/build/zoo}" RUNS="${1:-30}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '%-20s %12s %12s %8s\n' model "opt 0" "opt 2" speedup
for d in "$ZOO"/*/; do
    m="$(basename "$d")"
    [ -f "$d/model.onnx" ] || continue
    "$NNC" "$d/model.onnx" --opt 0 --prefix m0 -o "$tmp/m0.c"
    "$NNC" "$d/model.onnx" --prefix m2 -o "$tmp/m2.c"
    n_in="$(sed -n 's/^#define M0_NUM_INPUTS \([0-9]*\)/\1/p' "$tmp/m0.h")"
    n_out="$(sed -n 's/^#define M0_NUM_OUTPUTS \([0-9]*\)/\1/p' "$tmp/m0.h")"
    {
        echo '#define _POSIX_C_SOURCE 200809L'
        echo '#include <stdio.h>'
        echo '#include <stdlib.h>'
        echo '#include <string.h>'
        echo '#include <time.h>'
        echo '#include "m0.h"'
        echo '#include "m2.h"'
        echo 'static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec * 1e-3; }'
        echo 'static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }'
        echo 'int main(void) {'
        echo "  const void *in[$n_in + 1]; void *out[$n_out + 1]; void *w0 = 0, *w2 = 0; int r;"
        echo "  static double t0[$RUNS], t2[$RUNS];"
        for ((k = 0; k < n_in; k++)); do
            echo "  { static unsigned char b[(M0_INPUT${k}_SIZE) * 8 + 8]; memset(b, 0, sizeof b);"
            echo "    if (M0_INPUT${k}_DTYPE == 1) { float *f = (float *)(void *)b; long i; for (i = 0; i < M0_INPUT${k}_SIZE; i++) f[i] = (float)((i * 7919) % 1000) / 1000.0f; }"
            echo "    in[$k] = b; }"
        done
        for ((k = 0; k < n_out; k++)); do
            echo "  { static unsigned char b[(M0_OUTPUT${k}_SIZE) * 8 + 8]; out[$k] = b; }"
        done
        echo '  if (posix_memalign(&w0, 64, M0_WORKSPACE_SIZE + 64) || posix_memalign(&w2, 64, M2_WORKSPACE_SIZE + 64)) return 1;'
        echo '  m0_run(in, out, w0); m2_run(in, out, w2);'
        echo "  for (r = 0; r < $RUNS; r++) { double a, b; /* alternate which runs first */"
        echo "    if (r % 2) { a = now(); m2_run(in, out, w2); t2[r] = now() - a; b = now(); m0_run(in, out, w0); t0[r] = now() - b; }"
        echo "    else { a = now(); m0_run(in, out, w0); t0[r] = now() - a; b = now(); m2_run(in, out, w2); t2[r] = now() - b; } }"
        echo "  qsort(t0, $RUNS, sizeof(double), cmp); qsort(t2, $RUNS, sizeof(double), cmp);"
        echo "  printf(\"%.1f %.1f\\n\", t0[$RUNS / 2], t2[$RUNS / 2]);"
        echo '  free(w0); free(w2); return 0; }'
    } > "$tmp/main.c"
    cc -O2 -std=c99 -I"$tmp" "$tmp/main.c" "$tmp/m0.c" "$tmp/m2.c" -o "$tmp/main" -lm
    read -r a b < <("$tmp/main")
    fmt() { awk -v t="$1" 'BEGIN { if (t >= 1000) printf "%.2f ms", t / 1000; else printf "%.1f us", t }'; }
    printf '%-20s %12s %12s %7.2fx\n' "$m" "$(fmt "$a")" "$(fmt "$b")" "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
done
