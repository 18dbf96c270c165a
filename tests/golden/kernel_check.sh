#!/usr/bin/env bash
# Kernel check: the Gemm, MatMul and Conv kernels of every target (generic,
# avx2, avx512) against numpy references, at sizes equal to, below and above
# the SIMD register tiles and cache blocks, with and without fused epilogues
# (cases: kernel_cases.py), the conv cases also with --layout plain. A target this CPU cannot run is skipped; the
# generated code must also compile warning-free under gcc and clang and
# pass under ASan+UBSan.
#   kernel_check.sh NNC [PYTHON]
set -euo pipefail
NNC="$1" PY="${2:-/usr/bin/python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" "$HERE/kernel_cases.py" "$tmp"
fail=0
for isa in generic avx2 avx512; do
    need=""
    [ "$isa" = avx2 ] && need="avx2 fma"
    [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
    skip=0
    for f in $need; do grep -qw "$f" /proc/cpuinfo || skip=1; done
    if [ "$skip" = 1 ]; then echo "$isa: skipped (CPU lacks it)"; continue; fi
    for fam in gemm matmul conv convt wino nchwc nchwc_pool; do
        if ! "$NNC" verify "$tmp/$fam/model.onnx" --target "$isa" --rtol 1e-3 --atol 1e-4 >"$tmp/log" 2>&1; then
            echo "FAIL $isa $fam"; grep -v " ok$" "$tmp/log" | head -20; fail=1
        else
            echo "ok   $isa $fam ($(grep -c ' ok$' "$tmp/log") outputs)"
        fi
        # the blocked chains must really run blocked (nchw8c / nchw16c outputs in the graph)
        if [ "$isa" != generic ] && [ "${fam#nchwc}" != "$fam" ]; then
            want=40; [ "$fam" = nchwc_pool ] && want=80
            got="$("$NNC" info "$tmp/$fam/model.onnx" --target "$isa" --graph | grep -c 'nchw[0-9]*c  \|nchw[0-9]*c$' || true)"
            if [ "$got" -lt "$want" ]; then echo "FAIL $isa $fam: only $got blocked outputs (want $want)"; fail=1; fi
        fi
        # the plain-layout kernels (conv_gemm, conv_dw) that --layout auto replaces by conv_nchwc
        if [ "$isa" != generic ] && [ "$fam" = conv ] &&
            ! "$NNC" verify "$tmp/$fam/model.onnx" --target "$isa" --layout plain --rtol 1e-3 --atol 1e-4 >"$tmp/log" 2>&1; then
            echo "FAIL $isa $fam --layout plain"; grep -v " ok$" "$tmp/log" | head -20; fail=1
        fi
        if [ "$isa" != generic ] && ! CC=clang NNC_VERIFY_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" \
            "$NNC" verify "$tmp/$fam/model.onnx" --target "$isa" --rtol 1e-3 --atol 1e-4 >"$tmp/log" 2>&1; then
            echo "FAIL $isa $fam under ASan+UBSan"; tail -20 "$tmp/log"; fail=1
        fi
        "$NNC" "$tmp/$fam/model.onnx" --target "$isa" -o "$tmp/$fam.c"
        for cc in gcc clang; do
            "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O1 -I"$HERE/../../runtime" -c "$tmp/$fam.c" \
                -o "$tmp/$fam.o" || { echo "FAIL $isa $fam: $cc warnings"; fail=1; }
        done
    done
done
exit "$fail"
