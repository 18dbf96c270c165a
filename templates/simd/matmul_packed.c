/* matmul_packed.c — float batched MatMul on the register tile TILE
 * (the ISA's gemm_tile template), numpy batch broadcasting through AOFF/BOFF:
 *   Y[t] (M x N) = A[AOFF[t] ...] (M x K) * B[BOFF[t] ...] (K x N) (+ bias[n])
 * With B_PACKED, B is one constant matrix packed at compile time into panels
 * of NR columns ([k][NR] over all of K); otherwise each batch's B is packed
 * here, the part's panels of a KC x NC block at a time, into bp (KC * NC
 * floats of workspace scratch, per part; unused with B_PACKED). The last k
 * block applies the bias and, with VEC_EPI, activation and residual in
 * registers; otherwise EPI_EXPR (v, r = res[same index]) runs on the stored
 * tile. Work units (the range [lo, hi) of a call): batch, column panel of NR
 * (NC is a multiple of NR), row tile of MR, in that order; a part makes the
 * same tile calls, k blocks in the same order, for its outputs as a whole
 * call does, so results do not depend on the split. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define BATCH 2
#define M 3
#define N 40
#define K 20
#define AOFF {0, 60}
#define BOFF {0, 800}
#define HAS_BIAS 1
#define B_PACKED 0
#define HAS_EPI 1
#define HAS_RES 1
#define VEC_EPI 0
#define EPI_EXPR (v + r < 0 ? 0 : v + r)
#define MR 6
#define NR 16
#define KC 128
#define NC 256
#define TILE gemm_tile_lint
#define KERNEL matmul_packed_lint
void gemm_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void matmul_packed_lint(const T *restrict a, const T *restrict b, const T *restrict bias,
                                          const T *restrict res, T *restrict y, T *restrict bp, long lo, long hi);
#endif
/* @begin */
static NNC_TARGET void KERNEL_packb(const T *b, T *bp, long k0, long kc, long n0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk, q;
    for (kk = 0; kk < kc; kk++)
        for (q = 0; q < ncr; q++) bp[q / NR * kc * NR + kk * NR + q % NR] = q < nc ? b[(k0 + kk) * (long)N + n0 + q] : (T)0;
}

#define KERNEL_MT ((M + MR - 1) / MR)       /* row tiles */
#define KERNEL_NP ((N + NR - 1) / NR)       /* column panels */
static NNC_TARGET void KERNEL(const T *restrict a, const T *restrict b, const T *restrict bias, const T *restrict res,
                              T *restrict y, T *restrict bp, long lo, long hi)
{
    static const long aoff[BATCH] = AOFF, boff[BATCH] = BOFF;
    long t, n0, k0, u, i, q;
    (void)bias;
    (void)res;
    (void)boff;
    (void)bp;
    for (t = lo / (KERNEL_NP * KERNEL_MT); t < BATCH && t * KERNEL_NP * KERNEL_MT < hi; t++) {
        const T *at = a + aoff[t];
        T *yb = y + t * (long)M * N;
        const T *rb = HAS_RES ? res + t * (long)M * N : 0;
        const long tu = t * KERNEL_NP * KERNEL_MT; /* the batch's first unit */
        for (n0 = 0; n0 < N; n0 += NC) {
            /* the part's units among the block's panels [n0 / NR, (n0 + nc) / NR) */
            const long nc = N - n0 < NC ? N - n0 : NC, p0 = tu + n0 / NR * KERNEL_MT;
            const long p1 = tu + (n0 + nc + NR - 1) / NR * KERNEL_MT;
            const long u0 = lo > p0 ? lo : p0, u1 = hi < p1 ? hi : p1;
            const long q0 = (u0 - tu) / KERNEL_MT * NR, q1 = u1 > u0 ? ((u1 - 1 - tu) / KERNEL_MT + 1) * NR : q0;
            if (u1 <= u0) continue;
            for (k0 = 0; k0 < K; k0 += KC) {
                const long kc = K - k0 < KC ? K - k0 : KC;
                const int last = k0 + kc == K, flags = (k0 > 0) | (last ? 2 : 0);
                if (!B_PACKED) KERNEL_packb(b + boff[t], bp, k0, kc, q0, (q1 < N ? q1 : N) - q0);
                for (u = u0; u < u1; u++) {
                    const long j = (u - tu) / KERNEL_MT * NR - n0, m0 = (u - tu) % KERNEL_MT * MR;
                    const long nr = nc - j < NR ? nc - j : NR, mr = M - m0 < MR ? M - m0 : MR;
                    const T *bpan = B_PACKED ? b + ((n0 + j) / NR * (long)K + k0) * NR : bp + (n0 + j - q0) * kc;
                    T *yt = yb + m0 * (long)N + n0 + j;
                    TILE(mr, nr, kc, at + m0 * (long)K + k0, K, 1, bpan, yt, N, flags, 0,
                         HAS_BIAS ? bias + n0 + j : 0, VEC_EPI && HAS_RES ? rb + m0 * (long)N + n0 + j : 0, N);
                    if (HAS_EPI && !VEC_EPI && last)
                        for (i = 0; i < mr; i++)
                            for (q = 0; q < nr; q++) {
                                const T v = yt[i * (long)N + q];
                                const T r = HAS_RES ? rb[(m0 + i) * (long)N + j + n0 + q] : (T)0;
                                (void)r;
                                yt[i * (long)N + q] = EPI_EXPR;
                            }
                }
            }
        }
    }
}
#undef KERNEL_MT
#undef KERNEL_NP
/* @end */
