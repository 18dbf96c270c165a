/* gemm_tile.c — the NEON register tile shared by the packed Gemm, MatMul,
 * Winograd, ConvTranspose and RNN kernels on AArch64: C[mr, nr] (+)= A[mr, kc]
 * Bp[kc, 12], mr <= 8, nr <= 12 (the interface of templates/avx2/gemm_tile.c):
 *   A: element (i, k) at a[i * lai + k * lak] (packed weights: lai 1, lak 8;
 *      a row-major activation matrix: lai = its row length, lak 1)
 *   Bp: a packed panel, row k at bp + LDB k (LDB 12; zero beyond nr), or
 *      with a larger LDB rows of a matrix read in place (columns past nr
 *      are read, must exist, and are ignored)
 *   C: row i at c + i * ldc; columns past nr are neither read nor written.
 * The 8 x 12 accumulators take 24 of the 32 vector registers, the three B
 * vectors and two A vectors five more. A full tile with A's column
 * contiguous (lai 1, mr 8: packed panels) loads it as two vectors and
 * multiplies by lane (vfmaq_laneq_f32); otherwise each row's element is
 * broadcast. Smaller mr use a smaller tile (8, 4, 2 or 1 rows; rows past mr
 * repeat the last row and are dropped). bench/neon_mca.sh measures its k
 * loop statically: 24 FMAs in 30-41 instructions under clang and gcc, FMA-
 * bound on Neoverse N1 and Cortex-A72 by llvm-mca (gcc spills two
 * accumulators in the broadcast loop: 24 + 3 + 8 live vectors).
 * flags bit 0: add the sums to C's current contents (a later k block);
 * bit 1: the last k block, so apply the epilogue in registers before the
 * store: + rbias[i] (per row), + cbias[j] (per column), then the activation
 * VACT (0 none, 1 relu, 2 leaky relu with slope ACT_A, 3 clip to
 * [ACT_A, ACT_B], 4 sigmoid, 5 tanh, 6 elu with ACT_A, 7 gelu (erf form),
 * 8 silu; through runtime/nnc_vmath_neon.h) with the residual
 * res[i * ldr + j] added before it, or after it when ACT_FIRST. NULL
 * pointers skip their term. */
#ifdef NNC_LINT
#include <arm_neon.h>
#include <stdint.h>
#include "nnc_vmath_neon.h"
#define NNC_TARGET NNC_TARGET_NEON
#define VACT 2
#define ACT_A 0.01f
#define ACT_B 0.0f
#define ACT_FIRST 0
#define LDB 12
#define BPF 48
#define KERNEL gemm_tile_lint
static NNC_TARGET void gemm_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp,
                                      float *c, long ldc, int flags, const float *rbias, const float *cbias,
                                      const float *res, long ldr);
#endif
/* @begin */
/* BPF > 0: prefetch row k + BPF of B while row k is read (B streamed from
 * memory: Winograd's transformed weights), its one or two cache lines; the
 * address is formed as an integer, since it may lie past B's end. */
#define KERNEL_BPF(p)                                                                                       \
    do {                                                                                                    \
        if (BPF) {                                                                                          \
            const uintptr_t q_ = (uintptr_t)(p) + (uintptr_t)BPF * LDB * sizeof(float);                     \
            __builtin_prefetch((const void *)q_);                                                           \
            if (LDB * sizeof(float) > 64) __builtin_prefetch((const void *)(q_ + 64));                     \
        }                                                                                                   \
    } while (0)
/* The first n (< 4: through a local copy) of 4 floats; the rest read as 0. */
static inline NNC_TARGET float32x4_t KERNEL_ld(const float *p, long n)
{
    float t[4];
    long i;
    if (n >= 4) return vld1q_f32(p);
    for (i = 0; i < 4; i++) t[i] = i < n ? p[i] : 0.0f;
    return vld1q_f32(t);
}

static inline NNC_TARGET void KERNEL_st(float *p, long n, float32x4_t v)
{
    float t[4];
    long i;
    if (n >= 4) {
        vst1q_f32(p, v);
        return;
    }
    vst1q_f32(t, v);
    for (i = 0; i < 3; i++) /* a constant bound: n may be negative */
        if (i < n) p[i] = t[i];
}

/* Finish n columns (of 4) of one row: accumulate, epilogue, store. */
static inline NNC_TARGET void KERNEL_fin(float32x4_t v, float *c, long n, int flags, const float *rbias,
                                         const float *cbias, const float *res)
{
    if (flags & 1) v = vaddq_f32(v, KERNEL_ld(c, n));
    if (flags & 2) {
        if (rbias) v = vaddq_f32(v, vdupq_n_f32(*rbias));
        if (cbias) v = vaddq_f32(v, KERNEL_ld(cbias, n));
        if (res && !ACT_FIRST) v = vaddq_f32(v, KERNEL_ld(res, n));
        v = nnc_act_neon(v, VACT, ACT_A, ACT_B);
        if (res && ACT_FIRST) v = vaddq_f32(v, KERNEL_ld(res, n));
    }
    KERNEL_st(c, n, v);
}

#define NNC_TN_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define NNC_TN_DECL(i)                                                                                     \
    float32x4_t c##i##0 = vdupq_n_f32(0.0f), c##i##1 = vdupq_n_f32(0.0f), c##i##2 = vdupq_n_f32(0.0f);    \
    const float *a##i = a + (i < mr ? i : mr - 1) * lai;
#define NNC_TN_DUP(i)                                                                                      \
    if (rows > i) {                                                                                        \
        const float32x4_t av = vld1q_dup_f32(a##i + k * lak);                                              \
        c##i##0 = vfmaq_f32(c##i##0, b0, av);                                                              \
        c##i##1 = vfmaq_f32(c##i##1, b1, av);                                                              \
        c##i##2 = vfmaq_f32(c##i##2, b2, av);                                                              \
    }
#define NNC_TN_LANE(i)                                                                                     \
    c##i##0 = vfmaq_laneq_f32(c##i##0, b0, (i) < 4 ? al : ah, (i) & 3);                                    \
    c##i##1 = vfmaq_laneq_f32(c##i##1, b1, (i) < 4 ? al : ah, (i) & 3);                                    \
    c##i##2 = vfmaq_laneq_f32(c##i##2, b2, (i) < 4 ? al : ah, (i) & 3);
/* the pointers to a row's second and third vectors (+ 4, + 8) are formed
 * only when that vector has columns: past a shorter row they would point
 * outside the array, which C leaves undefined */
#define NNC_TN_STORE(i)                                                                                    \
    if (rows > i && mr > i) {                                                                              \
        float *ci = c + i * ldc;                                                                           \
        const float *rb = rbias ? rbias + i : 0, *ri = res ? res + i * ldr : 0;                            \
        KERNEL_fin(c##i##0, ci, nr, flags, rb, cbias, ri);                                                 \
        if (nr > 4)                                                                                        \
            KERNEL_fin(c##i##1, ci + 4, nr - 4, flags, rb, cbias ? cbias + 4 : 0, ri ? ri + 4 : 0);        \
        if (nr > 8)                                                                                        \
            KERNEL_fin(c##i##2, ci + 8, nr - 8, flags, rb, cbias ? cbias + 8 : 0, ri ? ri + 8 : 0);        \
    }

static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_body(const int rows, long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
            long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr)
{
    long k;
    NNC_TN_ROWS(NNC_TN_DECL)
    if (rows == 8 && mr == 8 && lai == 1) { /* A's column is 8 contiguous floats */
        for (k = 0; k < kc; k++) {
            const float32x4_t b0 = vld1q_f32(bp + k * LDB), b1 = vld1q_f32(bp + k * LDB + 4);
            const float32x4_t b2 = vld1q_f32(bp + k * LDB + 8);
            KERNEL_BPF(bp + k * LDB);
            const float32x4_t al = vld1q_f32(a + k * lak), ah = vld1q_f32(a + k * lak + 4);
            NNC_TN_ROWS(NNC_TN_LANE)
        }
    } else {
        for (k = 0; k < kc; k++) {
            const float32x4_t b0 = vld1q_f32(bp + k * LDB), b1 = vld1q_f32(bp + k * LDB + 4);
            const float32x4_t b2 = vld1q_f32(bp + k * LDB + 8);
            KERNEL_BPF(bp + k * LDB);
            NNC_TN_ROWS(NNC_TN_DUP)
        }
    }
    NNC_TN_ROWS(NNC_TN_STORE)
}

static NNC_TARGET void KERNEL(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                              long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr)
{
    if (mr > 4) KERNEL_body(8, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else if (mr > 2) KERNEL_body(4, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else if (mr == 2) KERNEL_body(2, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else KERNEL_body(1, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
}
#undef KERNEL_BPF
#undef NNC_TN_ROWS
#undef NNC_TN_DECL
#undef NNC_TN_DUP
#undef NNC_TN_LANE
#undef NNC_TN_STORE
/* @end */
