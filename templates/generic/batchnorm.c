/* batchnorm.c — inference BatchNormalization:
 *   Y[n,c,...] = (X[n,c,...] - mean[c]) / sqrt(var[c] + EPS) * scale[c] + bias[c]
 * over X viewed as [N, C, INNER]. The per-channel factor is computed once per
 * channel; when the statistics are constants the compiler folds them.
 * The output may be the input's own buffer (the planner runs it in place):
 * each element is read before its own slot is written. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define SQRT sqrtf
#define N 1
#define C 4
#define INNER 16
#define EPS 1e-5f
#define KERNEL batchnorm_lint
static void batchnorm_lint(const T *restrict x, const T *restrict scale, const T *restrict bias, const T *restrict mean,
                    const T *restrict var, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *x, const T *restrict scale, const T *restrict bias, const T *restrict mean,
                   const T *restrict var, T *y)
{
    long n, c, i;
    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++) {
            const T s = scale[c] / SQRT(var[c] + EPS);
            const T t = bias[c] - mean[c] * s;
            const T *xr = x + (n * C + c) * (long)INNER;
            T *yr = y + (n * C + c) * (long)INNER;
            for (i = 0; i < INNER; i++) yr[i] = xr[i] * s + t;
        }
}
/* @end */
