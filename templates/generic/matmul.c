/* matmul.c — generic batched matrix product with numpy broadcasting of the
 * batch dims: for each batch index t,
 *   Y[t] (M x N) = A[AOFF[t] ...] (M x K, row-major) * B[BOFF[t] ...] (K x N)
 * AOFF/BOFF are element offsets precomputed by the compiler from the
 * broadcast batch shape. Rows of B accumulate into Y's row (unit stride). */
#ifdef NNC_LINT
#define T float
#define BATCH 2
#define M 3
#define N 4
#define K 5
#define AOFF {0, 15}
#define BOFF {0, 0}
#define KERNEL matmul_lint
void matmul_lint(const T *restrict a, const T *restrict b, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict a, const T *restrict b, T *restrict y)
{
    static const long aoff[BATCH] = AOFF, boff[BATCH] = BOFF;
    long t, m, n, k;
    for (t = 0; t < BATCH; t++) {
        const T *at = a + aoff[t], *bt = b + boff[t];
        for (m = 0; m < M; m++) {
            T *restrict yr = y + (t * M + m) * (long)N;
            for (n = 0; n < N; n++) yr[n] = 0;
            for (k = 0; k < K; k++) {
                const T av = at[m * (long)K + k];
                const T *br = bt + k * (long)N;
                for (n = 0; n < N; n++) yr[n] += av * br[n];
            }
        }
    }
}
/* @end */
