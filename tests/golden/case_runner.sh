# case_runner.sh — the loop shared by the golden case checks (sourced by
# attention_check.sh and rnn_check.sh). run_cases CASES_PY runs the case
# generator into $out (it prints one line per case: "NAME [KIND]"), then for
# each case and every target this CPU runs (GOLDEN_TARGETS, default
# "generic avx2 avx512"; "neon" runs under qemu-aarch64 on other hosts, built
# by aarch64-linux-gnu-gcc, checked by clang --target=aarch64-linux-gnu, and
# is skipped without the cross tools; no runnable target: exit 77):
# `nnc verify` at rtol 1e-3 / atol 1e-4, built by gcc -O2 with
# -std=c99 -Wall -Wextra -pedantic -Werror (so the run is also the gcc
# warning check), and the generated C checked warning-free by clang
# (-fsyntax-only: clang's warnings do not depend on optimisation).
# With GOLDEN_THREADS (a list such as 3,8; neon: its first count only, under
# qemu), the verify also runs P_run_parallel on those thread counts and
# requires outputs bit-identical to P_run's (the sourcing script may export
# NNC_TEST_PAR_MIN_COST=1 to split every kernel call as far as it goes).
# CASE_SHARD=i/n runs only cases i, i+n, i+2n, ... (1-based), so a long
# check can be split across ctest entries. The sourcing script defines three
# hooks that add failure reasons to $why (and details to $log):
#   case_before C KIND        once per case, before the targets
#   case_target C KIND ISA    after the case compiled for ISA ($out/$C/$ISA.c)
#   case_after C KIND         once per case, after the targets
# and case_label C KIND prints the text after "ok   C (". Prints one line per
# case, then "N passed, M failed"; returns 1 on any failure.
# Needs NNC, PY, HERE, out set.
RT="$HERE/../../runtime"
STRICT="-std=c99 -Wall -Wextra -pedantic -Werror"

golden_targets()
{
    targets=""
    local isa need skip f
    . "$HERE/cross_tools.sh"
    for isa in ${GOLDEN_TARGETS:-generic avx2 avx512}; do
        if [ "$isa" = neon ]; then
            if [ "$neon_ready" = 0 ]; then targets="$targets neon"; else echo "note: neon skipped ($NEON_WHY)"; fi
            continue
        fi
        need=""
        [ "$isa" = avx2 ] && need="avx2 fma"
        [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
        skip=0
        for f in $need; do grep -qw "$f" /proc/cpuinfo || skip=1; done
        if [ "$skip" = 1 ]; then echo "note: $isa skipped (CPU lacks it)"; else targets="$targets $isa"; fi
    done
    ccs="" neon_ccs=""
    if command -v clang >/dev/null; then ccs="clang"; else echo "note: clang not found, not compiled with it"; fi
    for f in $NEON_CCS; do [ "${f%%:*}" = clang ] && neon_ccs="$neon_ccs $f"; done
    return 0
}

# in_shard K: whether case number K (1-based) belongs to CASE_SHARD
in_shard()
{
    local i n
    [ -n "${CASE_SHARD:-}" ] || return 0
    i="${CASE_SHARD%/*}" n="${CASE_SHARD#*/}"
    [ $(( ($1 - 1) % n + 1 )) -eq "$i" ]
}

run_cases()
{
    local gen="$1" cases c kind m isa cc thr pass=0 fail=0 k=0
    cases="$("$PY" "$HERE/$gen" "$out")" || { echo "$gen failed"; echo "0 passed, 1 failed"; return 1; }
    golden_targets
    [ -n "$targets" ] || { echo "skipped: no target to check"; return 77; }
    while read -r c kind; do
        [ -n "$c" ] || continue
        k=$((k + 1))
        in_shard "$k" || continue
        m="$out/$c/model.onnx" log="$out/$c/log" why=""
        : >"$log"
        case_before "$c" "$kind"
        for isa in $targets; do
            thr=()
            if [ -n "${GOLDEN_THREADS:-}" ]; then
                thr=(--threads "$GOLDEN_THREADS")
                [ "$isa" != neon ] || thr=(--threads "${GOLDEN_THREADS%%,*}")
            fi
            if ! CC=gcc NNC_VERIFY_CFLAGS="-O2 $STRICT" \
                "$NNC" verify "$m" --target "$isa" --rtol 1e-3 --atol 1e-4 ${thr[@]+"${thr[@]}"} \
                >"$out/$c/verify_$isa.txt" 2>&1; then
                why="$why verify-$isa"; cat "$out/$c/verify_$isa.txt" >>"$log"
            fi
            if ! "$NNC" "$m" --target "$isa" -o "$out/$c/$isa.c" >>"$log" 2>&1; then
                why="$why compile-$isa"; continue
            fi
            case_target "$c" "$kind" "$isa"
            for cc in $([ "$isa" = neon ] && echo "$neon_ccs" || echo "$ccs"); do
                ${cc//:/ } $STRICT -fsyntax-only -I"$RT" "$out/$c/$isa.c" >>"$log" 2>&1 || why="$why ${cc%%:*}-$isa"
            done
        done
        case_after "$c" "$kind"
        if [ -z "$why" ]; then
            echo "ok   $c ($(case_label "$c" "$kind");$targets)"
            pass=$((pass + 1))
        else
            echo "FAIL $c:$why"; sed 's/^/    /' "$log" | grep -v ' ok$' | head -30
            fail=$((fail + 1))
        fi
    done <<<"$cases"
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
