/* matmul.c — generic batched matrix product with numpy broadcasting of the
 * batch dims: for each batch index t,
 *   Y[t] (M x N) = A[AOFF[t] ...] (M x K, row-major) * B[BOFF[t] ...] (K x N)
 * AOFF/BOFF are element offsets precomputed by the compiler from the
 * broadcast batch shape. Rows of B accumulate into Y's row (unit stride).
 * HAS_BIAS adds bias[n] (a fused MatMul + Add), then the epilogue EPI_EXPR maps
 * v with the residual r = res[same index] when HAS_RES. Work units (the
 * range [lo, hi) of a call): the BATCH * M rows of Y. */
#ifdef NNC_LINT
#define T float
#define BATCH 2
#define M 3
#define N 4
#define K 5
#define AOFF {0, 15}
#define BOFF {0, 0}
#define HAS_BIAS 0
#define HAS_EPI 0
#define HAS_RES 0
#define EPI_EXPR v
#define KERNEL matmul_lint
static void matmul_lint(const T *restrict a, const T *restrict b, const T *restrict bias, const T *restrict res,
                        T *restrict y, long lo, long hi);
#endif
/* @begin */
static void KERNEL(const T *restrict a, const T *restrict b, const T *restrict bias, const T *restrict res,
                   T *restrict y, long lo, long hi)
{
    static const long aoff[BATCH] = AOFF, boff[BATCH] = BOFF;
    long u, n, k;
    (void)bias;
    (void)res;
    for (u = lo; u < hi; u++) {
        const long t = u / M, m = u % M;
        const T *at = a + aoff[t], *bt = b + boff[t];
        T *restrict yr = y + (t * M + m) * (long)N;
        for (n = 0; n < N; n++) yr[n] = 0;
        for (k = 0; k < K; k++) {
            const T av = at[m * (long)K + k];
            const T *br = bt + k * (long)N;
            for (n = 0; n < N; n++) yr[n] += av * br[n];
        }
        if (HAS_BIAS || HAS_EPI)
            for (n = 0; n < N; n++) {
                const T v = yr[n] + (HAS_BIAS ? bias[n] : (T)0);
                const T r = HAS_RES ? res[(t * M + m) * (long)N + n] : (T)0;
                (void)r;
                yr[n] = EPI_EXPR;
            }
    }
}
/* @end */
