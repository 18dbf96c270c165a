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
#define PAR_CHUNK 64
#define KERNEL batchnorm_lint
static void batchnorm_lint(const T *restrict x, const T *restrict scale, const T *restrict bias, const T *restrict mean,
                    const T *restrict var, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements of the N * C rows of INNER, row-major. */
static void KERNEL(const T *x, const T *restrict scale, const T *restrict bias, const T *restrict mean,
                   const T *restrict var, T *y, long lo, long hi)
{
    const long q = (INNER + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per row */
    long r, i;
    for (r = lo / q; r * q < hi; r++) {
        const long c = r % C;
        const long i1 = (r + 1) * q > hi ? (hi - r * q) * PAR_CHUNK : INNER;
        const T s = scale[c] / SQRT(var[c] + EPS);
        const T t = bias[c] - mean[c] * s;
        const T *xr = x + r * (long)INNER;
        T *yr = y + r * (long)INNER;
        for (i = r * q < lo ? (lo - r * q) * PAR_CHUNK : 0; i < i1; i++) yr[i] = xr[i] * s + t;
    }
}
/* @end */
