/* nnc_runtime.c — CPU feature detection and small helpers for generated code.
 * Detection uses only compiler builtins, so this file stays portable C99 with
 * GNU extensions where present and plain fallbacks elsewhere. */
#include "nnc_runtime.h"

unsigned nnc_cpu_features(void)
{
    unsigned f = 0;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= NNC_CPU_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        f |= NNC_CPU_AVX512;
#elif defined(__aarch64__)
    f |= NNC_CPU_NEON; /* Advanced SIMD is mandatory in AArch64 (32-bit ARM: the neon target does not apply) */
#endif
    return f;
}

int nnc_little_endian(void)
{
    const unsigned one = 1;
    return *(const unsigned char *)&one == 1;
}

const char *nnc_runtime_version(void) { return "0.1.0"; }
