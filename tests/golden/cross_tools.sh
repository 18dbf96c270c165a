# cross_tools.sh — sourced by the golden checks: can this host build and run
# the neon target (natively on AArch64, else with aarch64-linux-gnu-gcc under
# qemu-aarch64), and 32-bit ARM generic code (arm-linux-gnueabihf-gcc under
# qemu-arm)? Sets, for the callers:
#   neon_ready            0 (true) or 1; NEON_WHY says what is missing
#   NEON_CCS              compilers for the warning checks of neon code, words
#                         joined by ':' (e.g. "aarch64-linux-gnu-gcc clang:--target=aarch64-linux-gnu")
#   NEON_SAN_ENV          environment (words) for `nnc verify --target neon` under ASan+UBSan
#                         (LeakSanitizer cannot run under qemu: detect_leaks=0 there)
#   arm32_ready, ARM32_WHY, ARM32_ENV   the same for 32-bit ARM (NNC_VERIFY_CC / _RUNNER)
NEON_CCS="" NEON_WHY="" NEON_SAN_ENV="" ARM32_WHY="" ARM32_ENV=""
SAN_FLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if [ "$(uname -m)" = aarch64 ]; then
    neon_ready=0
    for cc in gcc clang; do command -v "$cc" >/dev/null && NEON_CCS="$NEON_CCS $cc"; done
    NEON_SAN_ENV="CC=clang ASAN_OPTIONS=detect_leaks=1"
elif command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    neon_ready=0
    NEON_CCS="aarch64-linux-gnu-gcc"
    clang --target=aarch64-linux-gnu -std=c99 -fsyntax-only -x c /dev/null -include arm_neon.h -include stdio.h \
        2>/dev/null && NEON_CCS="$NEON_CCS clang:--target=aarch64-linux-gnu"
    NEON_SAN_ENV="ASAN_OPTIONS=detect_leaks=0"
else
    neon_ready=1
    NEON_WHY="no AArch64 cross toolchain (aarch64-linux-gnu-gcc and qemu-aarch64: scripts/install-deps.sh)"
fi
if command -v arm-linux-gnueabihf-gcc >/dev/null && command -v qemu-arm >/dev/null; then
    arm32_ready=0
    ARM32_ENV="NNC_VERIFY_CC=arm-linux-gnueabihf-gcc"
else
    arm32_ready=1
    ARM32_WHY="no 32-bit ARM cross toolchain (arm-linux-gnueabihf-gcc and qemu-arm: scripts/install-deps.sh)"
fi
