#!/usr/bin/env bash
# smoke.sh SRC_DIR BUILD_DIR [RUNS] — the CI smoke test of the fuzz targets:
# builds them with clang in BUILD_DIR (-DNNC_FUZZ=ON; incremental after the
# first time), then runs each for a fixed number of executions (default 3000)
# with a fixed seed from the committed seeds (and the bad_inputs cases for
# onnx). Fails on any crash, sanitizer report, failed assertion, leak or
# timeout. Exits 77 (skipped) when clang's libFuzzer runtime is not installed.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SRC_DIR BUILD_DIR [RUNS]" >&2; exit 2; }
SRC=$(cd "$1" && pwd)
BUILD=$2
RUNS=${3:-3000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nnc_fuzz_smoke.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    >"$TMP/probe.c"
if ! command -v clang >/dev/null || ! clang -fsanitize=fuzzer,address,undefined "$TMP/probe.c" -o "$TMP/probe" \
    >/dev/null 2>&1; then
    echo "skipped: clang with libFuzzer (libclang-rt-14-dev) is not installed"
    exit 77
fi

CC=clang cmake -S "$SRC" -B "$BUILD" -DNNC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$TMP/cmake.log" 2>&1 ||
    { cat "$TMP/cmake.log"; exit 1; }
cmake --build "$BUILD" -j2 --target fuzz_targets >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log"; exit 1; }

fail=0
for t in onnx tensor dsl safetensors; do
    seeds=("$SRC/tests/fuzz/seeds/$t")
    [ "$t" = onnx ] && seeds+=("$SRC/tests/bad_inputs/cases")
    mkdir "$TMP/corpus_$t"
    start=$(date +%s)
    "$BUILD/fuzz/fuzz_$t" -runs="$RUNS" -seed=1 -max_len=16384 -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$TMP/" -print_final_stats=1 "$TMP/corpus_$t" "${seeds[@]}" >"$TMP/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
    cov=$(grep -E '^#[0-9]+' "$TMP/$t.log" | tail -1 | sed -nE 's/.* (cov: [0-9]+ ft: [0-9]+).*/\1/p')
    echo "fuzz_$t: exit $rc, ${execs:-?} executions, $cov, $(($(date +%s) - start)) s"
    if [ "$rc" -ne 0 ] || [ "${execs:-0}" -lt "$RUNS" ]; then
        fail=1
        grep -E -A30 'ERROR|runtime error|bad error line|assertion|deadly signal|timeout' "$TMP/$t.log" | head -60
        for f in "$TMP"/crash-* "$TMP"/leak-* "$TMP"/timeout-* "$TMP"/oom-*; do
            [ -f "$f" ] && echo "finding: $(basename "$f") ($(wc -c <"$f") bytes, base64 below)" && base64 -w0 "$f" && echo
        done
    fi
done
exit $fail
