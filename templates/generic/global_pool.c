/* global_pool.c — GlobalAveragePool / GlobalMaxPool: each of NC channels of
 * SPATIAL contiguous elements reduces to one value. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define NC 4
#define SPATIAL 49
#define IS_MAX 0
#define KERNEL global_pool_lint
static void global_pool_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): channels. */
static void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    long c, i;
    for (c = lo; c < hi; c++) {
        const T *xc = x + c * (long)SPATIAL;
        T acc = xc[0];
        for (i = 1; i < SPATIAL; i++) {
            if (IS_MAX) {
                if (xc[i] > acc) acc = xc[i];
            } else {
                acc += xc[i];
            }
        }
        y[c] = IS_MAX ? acc : acc / (T)SPATIAL;
    }
}
/* @end */
