/* nnc_runtime.h — the small runtime generated code may link with
 * (libnncrt.a). The generic target needs none of it; SIMD targets use its CPU
 * feature checks and vector math. C99, no allocation, no global state. */
#ifndef NNC_RUNTIME_H
#define NNC_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* CPU features, as a bit set. */
#define NNC_CPU_AVX2 1u     /* AVX2 + FMA */
#define NNC_CPU_AVX512 2u   /* AVX-512 F, BW, DQ, VL */
#define NNC_CPU_NEON 4u     /* AArch64 Advanced SIMD (every AArch64 CPU) */

/* Function attributes that let one C file hold kernels for several
 * instruction sets, built without special compiler flags. */
#if defined(__GNUC__) || defined(__clang__)
#define NNC_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define NNC_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#else
#define NNC_TARGET_AVX2
#define NNC_TARGET_AVX512
#endif
/* AArch64 Advanced SIMD is part of the base architecture: no attribute. */
#define NNC_TARGET_NEON

/* Bits of the features the running CPU (and OS) supports. */
unsigned nnc_cpu_features(void);
/* Nonzero when the host stores multi-byte numbers little-endian. */
int nnc_little_endian(void);
/* Version string of the runtime. */
const char *nnc_runtime_version(void);

#ifdef __cplusplus
}
#endif

#endif
