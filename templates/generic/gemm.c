/* gemm.c — generic Gemm: Y[M,N] = ALPHA * op(A) op(B) + BETA * C, where
 * op() transposes when TRANS_A / TRANS_B is set and C broadcasts to [M,N]
 * through strides CSM, CSN (0 on a broadcast dim).
 *   A[M,K] (or [K,M]), B[K,N] (or [N,K]), C -> Y[M,N]
 * With TRANS_B (the layout of a linear layer) each output is a dot product of
 * two contiguous rows, four outputs at a time so the four sums proceed
 * independently (each one still adds its terms in order k = 0, 1, ...);
 * otherwise rows of B are accumulated into Y's row. The final pass over a
 * row applies ALPHA, BETA * C and the fused epilogue EPI_EXPR (over v and the
 * residual r = res[m, n] when HAS_RES). Work units (the range [lo, hi) of a
 * call): row m, then chunk of NCH columns (a multiple of 4); each output is
 * computed the same way whatever the split. */
#ifdef NNC_LINT
#define T float
#define M 4
#define N 5
#define K 6
#define TRANS_A 0
#define TRANS_B 1
#define ALPHA 1.0f
#define BETA 1.0f
#define HAS_C 1
#define CSM 0
#define CSN 1
#define HAS_RES 0
#define EPI_EXPR v
#define NCH 64
#define KERNEL gemm_lint
static void gemm_lint(const T *restrict a, const T *restrict b, const T *restrict c, const T *restrict res,
                      T *restrict y, long lo, long hi);
#endif
/* @begin */
#define KERNEL_NCB ((N + NCH - 1) / NCH) /* column chunks per row */
static void KERNEL(const T *restrict a, const T *restrict b, const T *restrict c, const T *restrict res,
                   T *restrict y, long lo, long hi)
{
    long u, n, k;
    (void)res;
    (void)c;
    for (u = lo; u < hi; u++) {
        const long m = u / KERNEL_NCB, n0 = u % KERNEL_NCB * NCH, n1 = N - n0 < NCH ? N : n0 + NCH;
        T *restrict yr = y + m * (long)N;
        if (TRANS_B) {
            for (n = n0; n + 4 <= n1; n += 4) {
                const T *b0 = b + n * (long)K, *b1 = b0 + K, *b2 = b1 + K, *b3 = b2 + K;
                T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (k = 0; k < K; k++) {
                    const T av = TRANS_A ? a[k * (long)M + m] : a[m * (long)K + k];
                    s0 += av * b0[k];
                    s1 += av * b1[k];
                    s2 += av * b2[k];
                    s3 += av * b3[k];
                }
                yr[n] = s0;
                yr[n + 1] = s1;
                yr[n + 2] = s2;
                yr[n + 3] = s3;
            }
            for (; n < n1; n++) {
                const T *br = b + n * (long)K;
                T acc = 0;
                for (k = 0; k < K; k++) acc += (TRANS_A ? a[k * (long)M + m] : a[m * (long)K + k]) * br[k];
                yr[n] = acc;
            }
        } else {
            for (n = n0; n < n1; n++) yr[n] = 0;
            for (k = 0; k < K; k++) {
                const T av = TRANS_A ? a[k * (long)M + m] : a[m * (long)K + k];
                const T *br = b + k * (long)N;
                for (n = n0; n < n1; n++) yr[n] += av * br[n];
            }
        }
        for (n = n0; n < n1; n++) {
            T v = ALPHA * yr[n], r;
            if (HAS_C) v += BETA * c[m * (long)CSM + n * (long)CSN];
            r = HAS_RES ? res[m * (long)N + n] : (T)0;
            (void)r;
            yr[n] = EPI_EXPR;
        }
    }
}
#undef KERNEL_NCB
/* @end */
