/* argmax.c — generic ArgMax / ArgMin over the middle dim of a tensor viewed
 * as [OUTER, AXIS_N, INNER]; writes int64 indices [OUTER, INNER].
 * BETTER says whether `v` replaces the current best `best` (it encodes max
 * or min, first or last index, and NaN handling like numpy: a NaN wins). */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define OUTER 2
#define AXIS_N 5
#define INNER 3
#define BETTER (best == best && (v > best || v != v))
#define KERNEL argmax_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, int64_t *restrict y)
{
    long o, i, k;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const T *xr = x + o * (long)AXIS_N * INNER + i;
            T best = xr[0];
            long at = 0;
            for (k = 1; k < AXIS_N; k++) {
                const T v = xr[k * (long)INNER];
                if (BETTER) {
                    best = v;
                    at = k;
                }
            }
            y[o * (long)INNER + i] = at;
        }
}
/* @end */
#ifdef NNC_LINT
void (*const argmax_lint_ref)(const T *restrict, int64_t *restrict) = argmax_lint;
#endif
