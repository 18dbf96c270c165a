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
#define KERNEL softmax_lint
static void softmax_lint(const T *restrict x, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long o, i, k;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
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
/* @end */
