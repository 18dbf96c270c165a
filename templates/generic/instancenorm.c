/* instancenorm.c — InstanceNormalization over X viewed as [N, C, INNER]:
 *   Y[n,c,i] = (X[n,c,i] - mean[n,c]) / sqrt(var[n,c] + EPS) * scale[c] + bias[c]
 * with the mean and the (biased) variance of each (n, c) slice computed in
 * double, two passes. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define N 1
#define C 4
#define INNER 16
#define EPS 1e-5
#define KERNEL instancenorm_lint
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): the
 * (n, c) slices, unit u = n * C + c. */
static void KERNEL(const T *restrict x, const T *restrict scale, const T *restrict bias, T *restrict y, long lo,
                   long hi)
{
    long u, i;
    for (u = lo; u < hi; u++) {
        const long c = u % C;
        const T *xr = x + u * (long)INNER;
        T *yr = y + u * (long)INNER;
        double sum = 0, var = 0, mean, s, t;
        for (i = 0; i < INNER; i++) sum += xr[i];
        mean = sum / (double)INNER;
        for (i = 0; i < INNER; i++) var += ((double)xr[i] - mean) * ((double)xr[i] - mean);
        s = (double)scale[c] / sqrt(var / (double)INNER + EPS);
        t = (double)bias[c] - mean * s;
        for (i = 0; i < INNER; i++) yr[i] = (T)((double)xr[i] * s + t);
    }
}
/* @end */
#ifdef NNC_LINT
void (*const instancenorm_lint_ref)(const T *restrict, const T *restrict, const T *restrict, T *restrict, long,
                                   long) = instancenorm_lint;
#endif
