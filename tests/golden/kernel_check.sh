#!/usr/bin/env bash
# Kernel check: the Gemm, MatMul and Conv kernels of every target (generic,
# avx2, avx512, neon) against numpy references, at sizes equal to, below and above
# the SIMD register tiles and cache blocks, with and without fused epilogues
# (cases: kernel_cases.py, one model per family), the conv cases also with
# --layout plain, the nchwc and wino cases on avx512 also with --cpu znver5. A target this CPU cannot run is skipped; neon runs under
# qemu-aarch64 on other hosts (built by aarch64-linux-gnu-gcc, the gcc
# warning check; ASan+UBSan also by it, clang --target=aarch64-linux-gnu
# -fsyntax-only for clang's warnings) and is skipped without the cross tools. Each verify builds
# with gcc -O2 -std=c99 -Wall -Wextra -pedantic -Werror, so it is also the
# gcc warning check; on avx2/avx512 the code runs once more under ASan+UBSan
# built by clang with the same warning flags (the clang warning check);
# generic is checked by clang -fsyntax-only. Sanitized builds use -O0: clang
# -O1 with ASan+UBSan took 100 s of CPU on the gemm family's 2 MB of kernels,
# -O0 under 5 s, and -O0 instruments every access. Every build splits every
# kernel call it can (NNC_TEST_PAR_MIN_COST=1), and the verify runs
# P_run_parallel on 3 and 8 threads too, which must match P_run bit for bit.
#   [KERNEL_TARGETS="generic avx2 avx512 neon"] kernel_check.sh NNC [PYTHON] [FAMILY...]
#   (default: every family, on generic, avx2 and avx512; ctest runs neon as its own tests)
set -euo pipefail
export NNC_TEST_PAR_MIN_COST=1
NNC="$1" PY="${2:-/usr/bin/python3}"
shift $(( $# < 2 ? $# : 2 ))
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT="$HERE/../../runtime"
STRICT="-std=c99 -Wall -Wextra -pedantic -Werror"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" "$HERE/kernel_cases.py" "$tmp" "$@"
fams="${*:-gemm matmul conv convt wino nchwc nchwc_pool}"
fail=0
. "$HERE/cross_tools.sh"
# check ISA FAMILY LABEL [nnc verify options...]: verify, gcc-strict build
check()
{
    local isa="$1" fam="$2" label="$3"
    shift 3
    if ! CC=gcc NNC_VERIFY_CFLAGS="-O2 $STRICT" "$NNC" verify "$tmp/$fam/model.onnx" --target "$isa" \
        --rtol 1e-3 --atol 1e-4 --threads 3,8 "$@" >"$tmp/log" 2>&1; then
        echo "FAIL $isa $fam$label"; grep -v " ok$" "$tmp/log" | head -20; fail=1
    else
        echo "ok   $isa $fam$label ($(grep -c ' ok$' "$tmp/log") outputs)"
    fi
}
for isa in ${KERNEL_TARGETS:-generic avx2 avx512}; do
    if [ "$isa" = neon ] && [ "$neon_ready" != 0 ]; then echo "neon: skipped ($NEON_WHY)"; continue; fi
    need=""
    [ "$isa" = avx2 ] && need="avx2 fma"
    [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
    skip=0
    for f in $need; do grep -qw "$f" /proc/cpuinfo || skip=1; done
    if [ "$skip" = 1 ]; then echo "$isa: skipped (CPU lacks it)"; continue; fi
    for fam in $fams; do
        check "$isa" "$fam" ""
        # the blocked chains must really run blocked (nchw8c / nchw16c outputs in the graph)
        if [ "$isa" != generic ] && [ "${fam#nchwc}" != "$fam" ]; then
            want=40; [ "$fam" = nchwc_pool ] && want=80
            got="$("$NNC" info "$tmp/$fam/model.onnx" --target "$isa" --graph | grep -c 'nchw[0-9]*c  \|nchw[0-9]*c$' || true)"
            if [ "$got" -lt "$want" ]; then echo "FAIL $isa $fam: only $got blocked outputs (want $want)"; fail=1; fi
        fi
        # full-rate AVX-512 (--cpu znver5) picks conv_nchwc's register tiles by cost, among those
        # that fit the registers (7 x 3, 6 x 4, 5 x 4, rows per tile...), and its own Winograd limits
        [ "$isa" = avx512 ] && { [ "$fam" = nchwc ] || [ "$fam" = wino ]; } && check "$isa" "$fam" " --cpu znver5" --cpu znver5
        # the plain-layout kernels (conv_gemm, conv_dw) that --layout auto replaces by conv_nchwc
        [ "$isa" != generic ] && [ "$fam" = conv ] && check "$isa" "$fam" " --layout plain" --layout plain
        if [ "$isa" = generic ]; then
            "$NNC" "$tmp/$fam/model.onnx" --target "$isa" -o "$tmp/$fam.c"
            clang $STRICT -fsyntax-only -I"$RT" "$tmp/$fam.c" || { echo "FAIL $isa $fam: clang warnings"; fail=1; }
        elif [ "$isa" = neon ]; then
            "$NNC" "$tmp/$fam/model.onnx" --target neon -o "$tmp/$fam.c"
            for cc in $NEON_CCS; do
                if [ "${cc%%:*}" = clang ] && ! ${cc//:/ } $STRICT -fsyntax-only -I"$RT" "$tmp/$fam.c"; then
                    echo "FAIL neon $fam: ${cc//:/ } warnings"; fail=1
                fi
            done
            if ! env $NEON_SAN_ENV NNC_VERIFY_CFLAGS="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all $STRICT" \
                "$NNC" verify "$tmp/$fam/model.onnx" --target neon --rtol 1e-3 --atol 1e-4 --threads 3 >"$tmp/log" 2>&1; then
                echo "FAIL neon $fam under ASan+UBSan"; tail -20 "$tmp/log"; fail=1
            fi
        elif ! CC=clang NNC_VERIFY_CFLAGS="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all $STRICT" \
            "$NNC" verify "$tmp/$fam/model.onnx" --target "$isa" --rtol 1e-3 --atol 1e-4 --threads 3 >"$tmp/log" 2>&1; then
            echo "FAIL $isa $fam under ASan+UBSan (clang, warnings as errors)"; tail -20 "$tmp/log"; fail=1
        fi
    done
done
exit "$fail"
