#!/usr/bin/env bash
# Golden test of one zoo model (exported by tests/models/export_zoo.py into
# ZOO_DIR/<model>/ with torch's outputs as test_data_set_0).
#   zoo_test.sh NNC ZOO_DIR MODEL verify    nnc verify against torch (rtol 1e-3, atol 1e-4)
#   zoo_test.sh NNC ZOO_DIR MODEL verify_opt0  the same with every optimisation off (--opt 0)
#   zoo_test.sh NNC ZOO_DIR MODEL verify_avx2 / verify_avx512  the same for a SIMD target; skipped
#                                           (exit 77) when this CPU lacks the instructions
#   zoo_test.sh NNC ZOO_DIR MODEL verify_neon  the same for neon: on an x86 host built by
#                                           aarch64-linux-gnu-gcc -O2 $STRICT and run under qemu-aarch64,
#                                           also warning-free under clang --target=aarch64-linux-gnu;
#                                           skipped (exit 77) without the cross tools
#   zoo_test.sh NNC ZOO_DIR MODEL verify_arm32  the generic target built by arm-linux-gnueabihf-gcc
#                                           -O2 $STRICT and run under qemu-arm (32-bit size_t and long);
#                                           skipped (exit 77) without the cross tools
#   (every verify mode above also runs P_run_parallel on an nnc_pool of 2, 3 and 8
#   threads, 3 on neon, and requires outputs bit-identical to P_run's)
#   zoo_test.sh NNC ZOO_DIR MODEL threads_tsan  P_run_parallel with every kernel call split as far
#                                           as it goes (NNC_TEST_PAR_MIN_COST=1), on the best x86
#                                           target, built by clang under ThreadSanitizer
#   zoo_test.sh NNC ZOO_DIR MODEL warnings  generated C is warning-free under clang (gcc: the verify build),
#                                           -std=c99 -Wall -Wextra -pedantic -Werror
#   zoo_test.sh NNC ZOO_DIR MODEL sanitize  nnc verify with the code built under ASan+UBSan
#                                           (float-cast-overflow too), then that build on
#                                           NaN/Inf/1e30 inputs (extreme_inputs.sh)
#   zoo_test.sh NNC ZOO_DIR MODEL determinism  two compilations give byte-identical C
#   zoo_test.sh NNC ZOO_DIR MODEL folded    no shape arithmetic is left in the generated code
#   zoo_test.sh NNC ZOO_DIR MODEL weights   nnc verify with --weights incbin (constants in a .bin
#                                           file, .incbin), --weights separate (a blob passed at run
#                                           time) and --weights-section
set -euo pipefail
NNC="$1" ZOO="$2" MODEL="$3" MODE="$4"
# verify builds with gcc -O2 and these flags, so each verify is also the gcc
# warning check; clang's warnings do not depend on optimisation, so clang
# checks with -fsyntax-only
STRICT="-std=c99 -Wall -Wextra -pedantic -Werror"
export CC="${CC:-gcc}" NNC_VERIFY_CFLAGS="${NNC_VERIFY_CFLAGS:--O2 $STRICT}"
RT="$(dirname "$0")/../../runtime"
onnx="$ZOO/$MODEL/model.onnx"
[ -f "$onnx" ] || { echo "missing $onnx (the zoo export fixture did not run?)"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$MODE" in
verify)
    "$NNC" verify "$onnx" --rtol 1e-3 --atol 1e-4 --threads 2,3,8 ;;
verify_opt0)
    "$NNC" verify "$onnx" --opt 0 --rtol 1e-3 --atol 1e-4 ;;
verify_avx2|verify_avx512)
    isa="${MODE#verify_}"
    need="avx2 fma"; [ "$isa" = avx512 ] && need="avx512f avx512bw avx512dq avx512vl"
    for f in $need; do grep -qw "$f" /proc/cpuinfo || { echo "skipped: this CPU has no $f"; exit 77; }; done
    "$NNC" verify "$onnx" --target "$isa" --rtol 1e-3 --atol 1e-4 --threads 2,3,8
    "$NNC" "$onnx" --target "$isa" -o "$tmp/$MODEL.c"
    clang $STRICT -fsyntax-only -I"$RT" "$tmp/$MODEL.c"
    echo "warning-free under gcc -O2 (the verify build) and clang" ;;
verify_neon)
    . "$(dirname "$0")/cross_tools.sh"
    [ "$neon_ready" = 0 ] || { echo "skipped: $NEON_WHY"; exit 77; }
    "$NNC" verify "$onnx" --target neon --rtol 1e-3 --atol 1e-4 --threads 3
    "$NNC" "$onnx" --target neon -o "$tmp/$MODEL.c"
    for cc in $NEON_CCS; do # gcc: the verify build
        if [ "${cc%%:*}" = clang ]; then ${cc//:/ } $STRICT -fsyntax-only -I"$RT" "$tmp/$MODEL.c"; fi
    done
    echo "warning-free under ${NEON_CCS//:/ }" ;;
verify_arm32)
    . "$(dirname "$0")/cross_tools.sh"
    [ "$arm32_ready" = 0 ] || { echo "skipped: $ARM32_WHY"; exit 77; }
    env $ARM32_ENV "$NNC" verify "$onnx" --target generic --rtol 1e-3 --atol 1e-4 ;;
threads_tsan)
    isa=generic
    grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && isa=avx2
    grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo && \
        grep -qw avx512vl /proc/cpuinfo && isa=avx512
    NNC_TEST_PAR_MIN_COST=1 CC=clang NNC_VERIFY_CFLAGS="-O1 -g -fsanitize=thread $STRICT" TSAN_OPTIONS=halt_on_error=1 \
        "$NNC" verify "$onnx" --target "$isa" --weights incbin --rtol 1e-3 --atol 1e-4 --threads 3,8 ;;
warnings)
    # gcc's warnings come from the verify build (gcc -O2 $STRICT): compiling
    # the model again here only cost time (minutes for alexnet and vgg11)
    "$NNC" "$onnx" -o "$tmp/$MODEL.c"
    echo "clang $STRICT -fsyntax-only"
    clang $STRICT -fsyntax-only "$tmp/$MODEL.c"
    echo "warning-free under clang (gcc: the zoo_verify build)" ;;
weights)
    "$NNC" verify "$onnx" --weights incbin --rtol 1e-3 --atol 1e-4
    "$NNC" verify "$onnx" --weights separate --rtol 1e-3 --atol 1e-4
    "$NNC" verify "$onnx" --weights-section .nnc_weights --rtol 1e-3 --atol 1e-4 ;;
sanitize)
    CC=clang NNC_VERIFY_CFLAGS="-O0 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer" \
        ASAN_OPTIONS=detect_leaks=1 "$NNC" verify "$onnx" --rtol 1e-3 --atol 1e-4 --keep "$tmp/b"
    # the same build on NaN, Inf and 1e30 inputs (extreme_inputs.sh)
    ASAN_OPTIONS=detect_leaks=1 bash "$(dirname "$0")/extreme_inputs.sh" --built "$tmp/b" "${NNC_PYTHON:-/usr/bin/python3}" "$MODEL" ;;
determinism)
    mkdir -p "$tmp/1" "$tmp/2"
    "$NNC" "$onnx" -o "$tmp/1/m.c"
    "$NNC" "$onnx" -o "$tmp/2/m.c"
    cmp "$tmp/1/m.c" "$tmp/2/m.c" && cmp "$tmp/1/m.h" "$tmp/2/m.h" && echo "byte-identical" ;;
folded)
    "$NNC" "$onnx" -o "$tmp/m.c"
    left="$(grep -oE '^    /\* .* \((Shape|Size|ConstantOfShape|Range|Equal|Where|Expand|Cast)\) ->' "$tmp/m.c" || true)"
    if [ -n "$left" ]; then echo "shape arithmetic left in the generated code:"; echo "$left"; exit 1; fi
    echo "no shape arithmetic in the generated code" ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
