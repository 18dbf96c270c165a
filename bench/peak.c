/* peak.c — single-core FMA throughput microbenchmark (part of bench/run.sh).
 *
 * Measures the float32 GFLOP/s one core reaches with a loop of independent
 * fused multiply-adds, for SSE (4 lanes, mul+add, the baseline x86-64 ISA the
 * generic target compiles to), AVX2 (8 lanes, FMA3) and AVX-512 (16 lanes) on
 * x86-64; NEON (4 lanes, FMA) on AArch64.
 * Each ISA's kernel keeps more independent accumulator chains than
 * latency x pipes (4 cycles x 2 FMA pipes = 8 on current Intel and AMD cores),
 * so the loop is bound by FMA throughput, not latency.  One FMA = 2 FLOPs.
 *
 * Build: cc -O2 -std=c99 peak.c -o peak   (ISA code is enabled per function with
 * target attributes; the CPU is checked at run time and missing ISAs are skipped).
 * Usage: peak [TRIALS]  (default 40 trials of ~20 ms per ISA, best one kept)
 * Output, one line per ISA:   peak <isa> <GFLOP/s>   or   peak <isa> unsupported
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile float sink;

/* a*x + b converges to b/(1-a): values stay normal, nothing overflows. */
#define A 0.999f
#define B 0.001f

/* The chains are written out by hand (no arrays) so they stay in registers. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
/* SSE: no FMA; a mul and an add per lane per step (counted as 2 FLOPs), 12 chains. */
static double sse_kernel(long iters) {
    const __m128 a = _mm_set1_ps(A), b = _mm_set1_ps(B);
    __m128 a0 = _mm_set1_ps(1.0f + 0);
    __m128 a1 = _mm_set1_ps(1.0f + 1);
    __m128 a2 = _mm_set1_ps(1.0f + 2);
    __m128 a3 = _mm_set1_ps(1.0f + 3);
    __m128 a4 = _mm_set1_ps(1.0f + 4);
    __m128 a5 = _mm_set1_ps(1.0f + 5);
    __m128 a6 = _mm_set1_ps(1.0f + 6);
    __m128 a7 = _mm_set1_ps(1.0f + 7);
    __m128 a8 = _mm_set1_ps(1.0f + 8);
    __m128 a9 = _mm_set1_ps(1.0f + 9);
    __m128 a10 = _mm_set1_ps(1.0f + 10);
    __m128 a11 = _mm_set1_ps(1.0f + 11);
    for (long it = 0; it < iters; it++) {
        a0 = _mm_add_ps(_mm_mul_ps(a0, a), b);
        a1 = _mm_add_ps(_mm_mul_ps(a1, a), b);
        a2 = _mm_add_ps(_mm_mul_ps(a2, a), b);
        a3 = _mm_add_ps(_mm_mul_ps(a3, a), b);
        a4 = _mm_add_ps(_mm_mul_ps(a4, a), b);
        a5 = _mm_add_ps(_mm_mul_ps(a5, a), b);
        a6 = _mm_add_ps(_mm_mul_ps(a6, a), b);
        a7 = _mm_add_ps(_mm_mul_ps(a7, a), b);
        a8 = _mm_add_ps(_mm_mul_ps(a8, a), b);
        a9 = _mm_add_ps(_mm_mul_ps(a9, a), b);
        a10 = _mm_add_ps(_mm_mul_ps(a10, a), b);
        a11 = _mm_add_ps(_mm_mul_ps(a11, a), b);
    }
    a0 = _mm_add_ps(a0, a1);
    a0 = _mm_add_ps(a0, a2);
    a0 = _mm_add_ps(a0, a3);
    a0 = _mm_add_ps(a0, a4);
    a0 = _mm_add_ps(a0, a5);
    a0 = _mm_add_ps(a0, a6);
    a0 = _mm_add_ps(a0, a7);
    a0 = _mm_add_ps(a0, a8);
    a0 = _mm_add_ps(a0, a9);
    a0 = _mm_add_ps(a0, a10);
    a0 = _mm_add_ps(a0, a11);
    sink = _mm_cvtss_f32(a0);
    return (double)iters * 12 * 4 * 2;
}

/* AVX2: 12 chains of 8 lanes (14 of the 16 ymm registers with the constants). */
__attribute__((target("avx2,fma"))) static double avx2_kernel(long iters) {
    const __m256 a = _mm256_set1_ps(A), b = _mm256_set1_ps(B);
    __m256 a0 = _mm256_set1_ps(1.0f + 0);
    __m256 a1 = _mm256_set1_ps(1.0f + 1);
    __m256 a2 = _mm256_set1_ps(1.0f + 2);
    __m256 a3 = _mm256_set1_ps(1.0f + 3);
    __m256 a4 = _mm256_set1_ps(1.0f + 4);
    __m256 a5 = _mm256_set1_ps(1.0f + 5);
    __m256 a6 = _mm256_set1_ps(1.0f + 6);
    __m256 a7 = _mm256_set1_ps(1.0f + 7);
    __m256 a8 = _mm256_set1_ps(1.0f + 8);
    __m256 a9 = _mm256_set1_ps(1.0f + 9);
    __m256 a10 = _mm256_set1_ps(1.0f + 10);
    __m256 a11 = _mm256_set1_ps(1.0f + 11);
    for (long it = 0; it < iters; it++) {
        a0 = _mm256_fmadd_ps(a0, a, b);
        a1 = _mm256_fmadd_ps(a1, a, b);
        a2 = _mm256_fmadd_ps(a2, a, b);
        a3 = _mm256_fmadd_ps(a3, a, b);
        a4 = _mm256_fmadd_ps(a4, a, b);
        a5 = _mm256_fmadd_ps(a5, a, b);
        a6 = _mm256_fmadd_ps(a6, a, b);
        a7 = _mm256_fmadd_ps(a7, a, b);
        a8 = _mm256_fmadd_ps(a8, a, b);
        a9 = _mm256_fmadd_ps(a9, a, b);
        a10 = _mm256_fmadd_ps(a10, a, b);
        a11 = _mm256_fmadd_ps(a11, a, b);
    }
    a0 = _mm256_add_ps(a0, a1);
    a0 = _mm256_add_ps(a0, a2);
    a0 = _mm256_add_ps(a0, a3);
    a0 = _mm256_add_ps(a0, a4);
    a0 = _mm256_add_ps(a0, a5);
    a0 = _mm256_add_ps(a0, a6);
    a0 = _mm256_add_ps(a0, a7);
    a0 = _mm256_add_ps(a0, a8);
    a0 = _mm256_add_ps(a0, a9);
    a0 = _mm256_add_ps(a0, a10);
    a0 = _mm256_add_ps(a0, a11);
    sink = _mm_cvtss_f32(_mm256_castps256_ps128(a0));
    return (double)iters * 12 * 8 * 2;
}

/* AVX-512: 24 chains of 16 lanes (26 of the 32 zmm registers). */
__attribute__((target("avx512f,fma"))) static double avx512_kernel(long iters) {
    const __m512 a = _mm512_set1_ps(A), b = _mm512_set1_ps(B);
    __m512 a0 = _mm512_set1_ps(1.0f + 0);
    __m512 a1 = _mm512_set1_ps(1.0f + 1);
    __m512 a2 = _mm512_set1_ps(1.0f + 2);
    __m512 a3 = _mm512_set1_ps(1.0f + 3);
    __m512 a4 = _mm512_set1_ps(1.0f + 4);
    __m512 a5 = _mm512_set1_ps(1.0f + 5);
    __m512 a6 = _mm512_set1_ps(1.0f + 6);
    __m512 a7 = _mm512_set1_ps(1.0f + 7);
    __m512 a8 = _mm512_set1_ps(1.0f + 8);
    __m512 a9 = _mm512_set1_ps(1.0f + 9);
    __m512 a10 = _mm512_set1_ps(1.0f + 10);
    __m512 a11 = _mm512_set1_ps(1.0f + 11);
    __m512 a12 = _mm512_set1_ps(1.0f + 12);
    __m512 a13 = _mm512_set1_ps(1.0f + 13);
    __m512 a14 = _mm512_set1_ps(1.0f + 14);
    __m512 a15 = _mm512_set1_ps(1.0f + 15);
    __m512 a16 = _mm512_set1_ps(1.0f + 16);
    __m512 a17 = _mm512_set1_ps(1.0f + 17);
    __m512 a18 = _mm512_set1_ps(1.0f + 18);
    __m512 a19 = _mm512_set1_ps(1.0f + 19);
    __m512 a20 = _mm512_set1_ps(1.0f + 20);
    __m512 a21 = _mm512_set1_ps(1.0f + 21);
    __m512 a22 = _mm512_set1_ps(1.0f + 22);
    __m512 a23 = _mm512_set1_ps(1.0f + 23);
    for (long it = 0; it < iters; it++) {
        a0 = _mm512_fmadd_ps(a0, a, b);
        a1 = _mm512_fmadd_ps(a1, a, b);
        a2 = _mm512_fmadd_ps(a2, a, b);
        a3 = _mm512_fmadd_ps(a3, a, b);
        a4 = _mm512_fmadd_ps(a4, a, b);
        a5 = _mm512_fmadd_ps(a5, a, b);
        a6 = _mm512_fmadd_ps(a6, a, b);
        a7 = _mm512_fmadd_ps(a7, a, b);
        a8 = _mm512_fmadd_ps(a8, a, b);
        a9 = _mm512_fmadd_ps(a9, a, b);
        a10 = _mm512_fmadd_ps(a10, a, b);
        a11 = _mm512_fmadd_ps(a11, a, b);
        a12 = _mm512_fmadd_ps(a12, a, b);
        a13 = _mm512_fmadd_ps(a13, a, b);
        a14 = _mm512_fmadd_ps(a14, a, b);
        a15 = _mm512_fmadd_ps(a15, a, b);
        a16 = _mm512_fmadd_ps(a16, a, b);
        a17 = _mm512_fmadd_ps(a17, a, b);
        a18 = _mm512_fmadd_ps(a18, a, b);
        a19 = _mm512_fmadd_ps(a19, a, b);
        a20 = _mm512_fmadd_ps(a20, a, b);
        a21 = _mm512_fmadd_ps(a21, a, b);
        a22 = _mm512_fmadd_ps(a22, a, b);
        a23 = _mm512_fmadd_ps(a23, a, b);
    }
    a0 = _mm512_add_ps(a0, a1);
    a0 = _mm512_add_ps(a0, a2);
    a0 = _mm512_add_ps(a0, a3);
    a0 = _mm512_add_ps(a0, a4);
    a0 = _mm512_add_ps(a0, a5);
    a0 = _mm512_add_ps(a0, a6);
    a0 = _mm512_add_ps(a0, a7);
    a0 = _mm512_add_ps(a0, a8);
    a0 = _mm512_add_ps(a0, a9);
    a0 = _mm512_add_ps(a0, a10);
    a0 = _mm512_add_ps(a0, a11);
    a0 = _mm512_add_ps(a0, a12);
    a0 = _mm512_add_ps(a0, a13);
    a0 = _mm512_add_ps(a0, a14);
    a0 = _mm512_add_ps(a0, a15);
    a0 = _mm512_add_ps(a0, a16);
    a0 = _mm512_add_ps(a0, a17);
    a0 = _mm512_add_ps(a0, a18);
    a0 = _mm512_add_ps(a0, a19);
    a0 = _mm512_add_ps(a0, a20);
    a0 = _mm512_add_ps(a0, a21);
    a0 = _mm512_add_ps(a0, a22);
    a0 = _mm512_add_ps(a0, a23);
    sink = _mm512_reduce_add_ps(a0);
    return (double)iters * 24 * 16 * 2;
}

#define NISA 3
static const char *const isa_name[NISA] = {"sse", "avx2", "avx512"};
static double (*const isa_kernel[NISA])(long) = {sse_kernel, avx2_kernel, avx512_kernel};
static void isa_supported(int *ok) {
    __builtin_cpu_init();
    ok[0] = 1;
    ok[1] = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    ok[2] = __builtin_cpu_supports("avx512f");
}
#elif defined(__aarch64__)
#include <arm_neon.h>
/* NEON (AArch64 Advanced SIMD, in every AArch64 CPU): 24 chains of 4 lanes,
 * more than latency x pipes (4 x 2 on Neoverse N1, 7 x 2 on Cortex-A72). */
#define NNC_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
    X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define NNC_DECL(i) float32x4_t a##i = vdupq_n_f32(1.0f + i);
#define NNC_STEP(i) a##i = vfmaq_f32(b, a##i, a);
#define NNC_SUM(i) s = vaddq_f32(s, a##i);
static double neon_kernel(long iters) {
    const float32x4_t a = vdupq_n_f32(A), b = vdupq_n_f32(B);
    float32x4_t s = vdupq_n_f32(0.0f);
    NNC_CHAINS(NNC_DECL)
    for (long it = 0; it < iters; it++) {
        NNC_CHAINS(NNC_STEP)
    }
    NNC_CHAINS(NNC_SUM)
    sink = vaddvq_f32(s);
    return (double)iters * 24 * 4 * 2;
}
#define NISA 1
static const char *const isa_name[NISA] = {"neon"};
static double (*const isa_kernel[NISA])(long) = {neon_kernel};
static void isa_supported(int *ok) { ok[0] = 1; }
#else
#error "peak.c: x86-64 or AArch64 only"
#endif

/* Iterations for about 20 ms per trial. */
static long calibrate(double (*kernel)(long)) {
    long iters = 1 << 12;
    for (;;) {
        double t0 = now();
        kernel(iters);
        double t = now() - t0;
        if (t > 0.005) return (long)(iters * 0.02 / t) + 1;
        iters *= 4;
    }
}

int main(int argc, char **argv) {
    /* The machine may be shared: take the best of many short trials, the ISAs
     * taking turns so that a busy spell does not hit one ISA only. */
    int trials = argc > 1 ? atoi(argv[1]) : 40;
    int ok[NISA];
    long iters[NISA];
    double best[NISA] = {0};
    isa_supported(ok);
    for (int k = 0; k < NISA; k++)
        if (ok[k]) iters[k] = calibrate(isa_kernel[k]);
    for (int t = 0; t < trials; t++)
        for (int k = 0; k < NISA; k++) {
            if (!ok[k]) continue;
            double t0 = now();
            double flops = isa_kernel[k](iters[k]);
            double g = flops / (now() - t0) * 1e-9;
            if (g > best[k]) best[k] = g;
        }
    for (int k = 0; k < NISA; k++) {
        if (ok[k])
            printf("peak %s %.2f\n", isa_name[k], best[k]);
        else
            printf("peak %s unsupported\n", isa_name[k]);
    }
    return 0;
}
