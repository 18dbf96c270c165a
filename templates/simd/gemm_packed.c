/* gemm_packed.c — float Gemm on the register tile TILE (the ISA's gemm_tile template):
 *   Y[M,N] = ALPHA * op(A) op(B) + BETA * C, then the fused epilogue.
 * B is read in panels of NR columns, [k][NR] each: with B_PACKED the panels
 * were made at compile time over all of K (ALPHA folded in); otherwise the
 * part's panels of a KC x NC block are packed per (n0, k0) into bp (KC * NC
 * floats of workspace scratch, per part; unused with B_PACKED). A is read
 * in place (op(A) row m at a + m*K, or column-strided with TRANS_A).
 * C_MODE 1: C is a per-column vector (bias, BETA 1); 2: a per-row vector;
 * 3: anything else, written into Y first (BETA * C) and accumulated onto.
 * The last k block applies bias and, with VEC_EPI, activation and residual
 * in registers; otherwise EPI_EXPR (v, r = res[m, n]) runs on the stored tile.
 * Work units (the range [lo, hi) of a call): column panels of NR (NC is a
 * multiple of NR), and within each the row tiles of MR, in that order; a
 * part makes the same tile calls, k blocks in the same order, for its
 * outputs as a whole call does, so results do not depend on the split. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define M 3
#define N 40
#define K 20
#define TRANS_A 0
#define TRANS_B 1
#define ALPHA 1.0f
#define BETA 1.0f
#define C_MODE 1
#define CSM 0
#define CSN 1
#define B_PACKED 0
#define HAS_EPI 1
#define HAS_RES 0
#define VEC_EPI 0
#define EPI_EXPR (v < 0 ? 0 : v)
#define MR 6
#define NR 16
#define KC 128
#define NC 256
#define TILE gemm_tile_lint
#define KERNEL gemm_packed_lint
void gemm_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void gemm_packed_lint(const T *restrict a, const T *restrict b, const T *restrict c,
                                        const T *restrict res, T *restrict y, T *restrict bp, long lo, long hi);
#endif
/* @begin */
static NNC_TARGET void KERNEL_packb(const T *b, T *bp, long k0, long kc, long n0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk, q;
    for (kk = 0; kk < kc; kk++)
        for (q = 0; q < ncr; q++)
            bp[q / NR * kc * NR + kk * NR + q % NR] =
                q < nc ? ALPHA * (TRANS_B ? b[(n0 + q) * (long)K + k0 + kk] : b[(k0 + kk) * (long)N + n0 + q]) : (T)0;
}

#define KERNEL_MT ((M + MR - 1) / MR) /* row tiles */
/* One tile of unit u (row tile, column panel) over the K block [k0, k0 + kc)
 * of the column block at n0 (nc columns; bp: its packed B when B is not
 * packed at compile time, from column q0). */
static inline NNC_TARGET void KERNEL_unit(const T *restrict a, const T *restrict b, const T *restrict c,
                                          const T *restrict res, T *restrict y, const T *restrict bp, long u,
                                          long n0, long nc, long q0, long k0, long kc)
{
    const int last = k0 + kc == K, flags = (k0 > 0 || C_MODE == 3) | (last ? 2 : 0);
    const long j = u / KERNEL_MT * NR - n0, m0 = u % KERNEL_MT * MR;
    const long nr = nc - j < NR ? nc - j : NR, mr = M - m0 < MR ? M - m0 : MR;
    const T *bpan = B_PACKED ? b + ((n0 + j) / NR * (long)K + k0) * NR : bp + (n0 + j - q0) * kc;
    T *yt = y + m0 * (long)N + n0 + j;
    long i, q;
    TILE(mr, nr, kc, a + (TRANS_A ? m0 + k0 * (long)M : m0 * (long)K + k0), TRANS_A ? 1 : K, TRANS_A ? M : 1, bpan,
         yt, N, flags, C_MODE == 2 ? c + m0 : 0, C_MODE == 1 ? c + n0 + j : 0,
         VEC_EPI && HAS_RES ? res + m0 * (long)N + n0 + j : 0, N);
    if (HAS_EPI && !VEC_EPI && last)
        for (i = 0; i < mr; i++)
            for (q = 0; q < nr; q++) {
                const T v = yt[i * (long)N + q];
                const T r = HAS_RES ? res[(m0 + i) * (long)N + n0 + j + q] : (T)0;
                (void)r;
                yt[i * (long)N + q] = EPI_EXPR;
            }
}

/* With B packed at compile time and one row tile (a matrix-vector product
 * at batch 1: each weight is read once, from memory), each column panel is
 * read from start to end (all its K blocks in turn) instead of a K block of
 * every panel in turn: one sequential stream, not a 32 KB run per panel
 * (a 9216-input layer's panels are 1.2 MB apart). Every output sees the same K blocks
 * in the same order either way, so the results are the same. */
#define KERNEL_PANELS_FIRST (B_PACKED && M <= MR)
static NNC_TARGET void KERNEL(const T *restrict a, const T *restrict b, const T *restrict c, const T *restrict res,
                              T *restrict y, T *restrict bp, long lo, long hi)
{
    long n0, k0, u, i, q;
    (void)c;
    (void)res;
    (void)bp;
    for (n0 = 0; n0 < N; n0 += NC) {
        const long nc = N - n0 < NC ? N - n0 : NC, p0 = n0 / NR, p1 = (n0 + nc + NR - 1) / NR;
        const long u0 = lo > p0 * KERNEL_MT ? lo : p0 * KERNEL_MT, u1 = hi < p1 * KERNEL_MT ? hi : p1 * KERNEL_MT;
        const long q0 = u0 / KERNEL_MT * NR, q1 = u1 > u0 ? ((u1 - 1) / KERNEL_MT + 1) * NR : q0;
        if (u1 <= u0) continue;
        if (C_MODE == 3)
            for (u = u0; u < u1; u++) {
                const long m0 = u % KERNEL_MT * MR, j0 = u / KERNEL_MT * NR;
                for (i = m0; i < M && i < m0 + MR; i++)
                    for (q = j0; q < N && q < j0 + NR; q++)
                        y[i * (long)N + q] = BETA * c[i * (long)CSM + q * (long)CSN];
            }
        if (KERNEL_PANELS_FIRST) {
            for (u = u0; u < u1; u++)
                for (k0 = 0; k0 < K; k0 += KC)
                    KERNEL_unit(a, b, c, res, y, bp, u, n0, nc, q0, k0, K - k0 < KC ? K - k0 : KC);
            continue;
        }
        for (k0 = 0; k0 < K; k0 += KC) {
            const long kc = K - k0 < KC ? K - k0 : KC;
            if (!B_PACKED) KERNEL_packb(b, bp, k0, kc, q0, (q1 < N ? q1 : N) - q0);
            for (u = u0; u < u1; u++) KERNEL_unit(a, b, c, res, y, bp, u, n0, nc, q0, k0, kc);
        }
    }
}
#undef KERNEL_MT
#undef KERNEL_PANELS_FIRST
/* @end */
