#!/usr/bin/env bash
# [TARGETS="dsl safetensors"] [NICE=n] campaign.sh [--time SECONDS] [--runs N] [WORKDIR] — a long fuzzing run of
# every target (default: one hour each, both at once, one libFuzzer process
# per target under `nice -n 10`; give --runs to stop each at N executions
# instead). Defaults: WORKDIR=build-fuzz-campaign in the source tree.
#
#   1. builds the targets with clang in WORKDIR/build (-DNNC_FUZZ=ON);
#   2. gathers seeds in WORKDIR/seeds: ONNX node tests and the model zoo
#      (generated here unless NODE_TESTS / ZOO name existing folders), the
#      bad_inputs cases, and the committed tests/fuzz/seeds;
#   3. fuzzes into WORKDIR/corpus/TARGET (kept between runs: a second
#      campaign continues where the first stopped), crashes, timeouts and
#      out-of-memory inputs in WORKDIR/findings/TARGET, logs in WORKDIR/TARGET.log;
#   4. prints per target: executions, coverage (cov = edges, ft = features,
#      as libFuzzer counts them), corpus size, findings.
# A finding is reproduced with build/nnc FILE -o /tmp/x.c --target T (onnx) or
# WORKDIR/build/fuzz/fuzz_TARGET FILE, then becomes a tests/bad_inputs case.
set -u
TIME=3600
RUNS=
while [ $# -gt 0 ]; do
    case "$1" in
    --time) TIME=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$SRC/build-fuzz-campaign}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
PY=/usr/bin/python3
command -v clang >/dev/null || { echo "campaign.sh: clang is needed" >&2; exit 2; }

echo "== build ($WORK/build)"
CC=clang cmake -S "$SRC" -B "$WORK/build" -DNNC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
nice -n 10 cmake --build "$WORK/build" -j2 --target fuzz_targets >"$WORK/build.log" 2>&1 ||
    { tail -20 "$WORK/build.log"; exit 2; }

echo "== seeds ($WORK/seeds)"
NODE_TESTS=${NODE_TESTS:-$WORK/node_tests}
ZOO=${ZOO:-$WORK/zoo}
[ -d "$NODE_TESTS/node" ] || nice -n 10 $PY "$SRC/tests/conformance/gen_node_tests.py" "$NODE_TESTS" >"$WORK/node_tests.log" 2>&1
[ -d "$ZOO/lenet5" ] || nice -n 10 $PY "$SRC/tests/models/export_zoo.py" "$ZOO" >"$WORK/zoo.log" 2>&1
rm -rf "$WORK/seeds"
$PY "$SRC/tests/fuzz/make_seeds.py" "$WORK/seeds" --node-tests "$NODE_TESTS" --zoo "$ZOO" || exit 2

# fork mode (one child at a time) keeps going after a crash, timeout or OOM
limit=(-max_total_time="$TIME" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
[ -n "$RUNS" ] && limit=(-runs="$RUNS")
declare -A extra=([onnx]="-dict=$WORK/seeds/onnx.dict -max_len=65536 -timeout=30 -rss_limit_mb=3072"
                  [tensor]="-max_len=65536 -timeout=10 -rss_limit_mb=2048"
                  [dsl]="-max_len=16384 -timeout=30 -rss_limit_mb=3072"
                  [safetensors]="-max_len=65536 -timeout=10 -rss_limit_mb=2048")
TARGETS=${TARGETS:-onnx tensor dsl safetensors} # TARGETS="dsl safetensors" runs only those
pids=()
for t in $TARGETS; do
    mkdir -p "$WORK/corpus/$t" "$WORK/findings/$t" "$WORK/seeds/$t"
    echo "== fuzz_$t: ${limit[*]} (log $WORK/$t.log)"
    # shellcheck disable=SC2086  # extra options are words
    nice -n "${NICE:-10}" "$WORK/build/fuzz/fuzz_$t" "${limit[@]}" ${extra[$t]:-} -print_final_stats=1 \
        -artifact_prefix="$WORK/findings/$t/" "$WORK/corpus/$t" "$WORK/seeds/$t" "$SRC/tests/fuzz/seeds/$t" \
        >"$WORK/$t.log" 2>&1 &
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done

echo "== results"
printf '%-8s %12s %8s %8s %8s %s\n' target executions cov ft corpus findings
for t in $TARGETS; do
    last=$(grep -E '^#[0-9]+' "$WORK/$t.log" | tail -1)
    execs=$(grep -m1 '^stat::number_of_executed_units:' "$WORK/$t.log" | awk '{print $2}')
    [ -n "$execs" ] || execs=$(printf '%s' "$last" | sed -E 's/^#([0-9]+).*/\1/')
    cov=$(printf '%s' "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
    ft=$(printf '%s' "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
    n_corpus=$(find "$WORK/corpus/$t" -type f | wc -l)
    found=$(find "$WORK/findings/$t" -type f | wc -l)
    printf '%-8s %12s %8s %8s %8s %s\n' "$t" "$execs" "$cov" "$ft" "$n_corpus" "$found"
    find "$WORK/findings/$t" -type f | sed 's/^/    /'
done
exit $status
