/* softmax.c — generic Softmax / LogSoftmax over the middle dim of a tensor
 * viewed as [OUTER, AXIS_N, INNER]. Subtracting the running maximum keeps
 * exp() in range; LOG selects log-softmax (x - max - log(sum)). */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define EXP expf
#define LOGF logf
#define OUTER 2
#define AXIS_N 10
#define INNER 3
#define LOG 0
#define PAR_CHUNK 64
#define KERNEL softmax_lint
static void softmax_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK columns of each of the OUTER blocks, block-major. */
static void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long q = (INNER + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per block */
    long o, i, k;
    for (o = lo / q; o * q < hi; o++) {
        const long i1 = (o + 1) * q > hi ? (hi - o * q) * PAR_CHUNK : INNER;
        for (i = o * q < lo ? (lo - o * q) * PAR_CHUNK : 0; i < i1; i++) {
            const T *xr = x + o * (long)AXIS_N * INNER + i;
            T *yr = y + o * (long)AXIS_N * INNER + i;
            T mx = xr[0], sum = 0;
            for (k = 1; k < AXIS_N; k++)
                if (xr[k * (long)INNER] > mx) mx = xr[k * (long)INNER];
            for (k = 0; k < AXIS_N; k++) {
                const T e = EXP(xr[k * (long)INNER] - mx);
                sum += e;
                if (!LOG) yr[k * (long)INNER] = e;
            }
            if (LOG) {
                const T ls = LOGF(sum);
                for (k = 0; k < AXIS_N; k++) yr[k * (long)INNER] = xr[k * (long)INNER] - mx - ls;
            } else {
                const T inv = (T)1 / sum;
                for (k = 0; k < AXIS_N; k++) yr[k * (long)INNER] *= inv;
            }
        }
    }
}
/* @end */
