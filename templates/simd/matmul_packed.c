/* matmul_packed.c — float batched MatMul on the register tile TILE
 * (the ISA's gemm_tile template), numpy batch broadcasting through AOFF/BOFF:
 *   Y[t] (M x N) = A[AOFF[t] ...] (M x K) * B[BOFF[t] ...] (K x N) (+ bias[n])
 * With B_PACKED, B is one constant matrix packed at compile time into panels
 * of NR columns ([k][NR] over all of K); otherwise each batch's B is packed
 * here, a KC x NC block at a time, into a local buffer. The last k block
 * applies the bias and, with VEC_EPI, activation and residual in registers;
 * otherwise EPI_EXPR (v, r = res[same index]) runs on the stored tile. */
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
static NNC_TARGET void matmul_packed_lint(const T *restrict a, const T *restrict b, const T *restrict bias, const T *restrict res,
                        T *restrict y);
#endif
/* @begin */
static NNC_TARGET void KERNEL_packb(const T *b, T *bp, long k0, long kc, long n0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk, q;
    for (kk = 0; kk < kc; kk++)
        for (q = 0; q < ncr; q++) bp[q / NR * kc * NR + kk * NR + q % NR] = q < nc ? b[(k0 + kk) * (long)N + n0 + q] : (T)0;
}

static NNC_TARGET void KERNEL(const T *restrict a, const T *restrict b, const T *restrict bias, const T *restrict res,
                              T *restrict y)
{
    static const long aoff[BATCH] = AOFF, boff[BATCH] = BOFF;
    T bp[B_PACKED ? 1 : KC * NC];
    long t, n0, k0, j, m0, i, q;
    (void)bias;
    (void)res;
    (void)boff;
    for (t = 0; t < BATCH; t++) {
        const T *at = a + aoff[t];
        T *yb = y + t * (long)M * N;
        const T *rb = HAS_RES ? res + t * (long)M * N : 0;
        for (n0 = 0; n0 < N; n0 += NC) {
            const long nc = N - n0 < NC ? N - n0 : NC;
            for (k0 = 0; k0 < K; k0 += KC) {
                const long kc = K - k0 < KC ? K - k0 : KC;
                const int last = k0 + kc == K, flags = (k0 > 0) | (last ? 2 : 0);
                if (!B_PACKED) KERNEL_packb(b + boff[t], bp, k0, kc, n0, nc);
                for (j = 0; j < nc; j += NR) {
                    const long nr = nc - j < NR ? nc - j : NR;
                    const T *bpan = B_PACKED ? b + ((n0 + j) / NR * (long)K + k0) * NR : bp + j * kc;
                    for (m0 = 0; m0 < M; m0 += MR) {
                        const long mr = M - m0 < MR ? M - m0 : MR;
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
}
/* @end */
