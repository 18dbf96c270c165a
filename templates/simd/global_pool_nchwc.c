/* global_pool_nchwc.c — GlobalAveragePool / GlobalMaxPool on FLOAT reading
 * the channel-blocked layout NCHW[V] (V = VLANES) and writing the plain
 * output, in the vector layer (templates/<isa>/vops.c):
 *   X[N][CB][SPATIAL][V] -> Y[N, C, 1, 1], CB = ceil(C/V)
 * One vector is one position of one channel block, so a block reduces with
 * plain vector adds or maxes over its SPATIAL positions, in four
 * accumulators; its C real channels are stored (the last block under a
 * mask). The maximum is the generic template's (a NaN at the first position
 * gives NaN, other NaNs are skipped: every accumulator starts from the first
 * position); the mean may differ from the generic template's sequential sum
 * by rounding. */
#ifdef NNC_LINT
#include "lint.h"
#define N 2
#define C 20
#define CB 3
#define SPATIAL 49
#define IS_MAX 0
#define KERNEL global_pool_nchwc_lint
#endif
/* @begin */
/* One block of SPATIAL positions, reduced. */
static NNC_TARGET VFLOAT KERNEL_block(const float *restrict xb)
{
    const long n4 = SPATIAL / 4 * 4; /* positions taken four at a time */
    VFLOAT a0, a1, a2, a3;
    long i;
    if (IS_MAX) {
        a0 = a1 = a2 = a3 = VLOAD(xb);
        for (i = 0; i < n4; i += 4) {
            a0 = VMAX(VLOAD(xb + i * VLANES), a0);
            a1 = VMAX(VLOAD(xb + (i + 1) * VLANES), a1);
            a2 = VMAX(VLOAD(xb + (i + 2) * VLANES), a2);
            a3 = VMAX(VLOAD(xb + (i + 3) * VLANES), a3);
        }
        for (i = n4; i < SPATIAL; i++) a0 = VMAX(VLOAD(xb + i * VLANES), a0);
        return VMAX(VMAX(a3, a2), VMAX(a1, a0));
    }
    a0 = a1 = a2 = a3 = VZERO();
    for (i = 0; i < n4; i += 4) {
        a0 = VADD(a0, VLOAD(xb + i * VLANES));
        a1 = VADD(a1, VLOAD(xb + (i + 1) * VLANES));
        a2 = VADD(a2, VLOAD(xb + (i + 2) * VLANES));
        a3 = VADD(a3, VLOAD(xb + (i + 3) * VLANES));
    }
    for (i = n4; i < SPATIAL; i++) a0 = VADD(a0, VLOAD(xb + i * VLANES));
    return VDIV(VADD(VADD(a0, a1), VADD(a2, a3)), VSET((float)SPATIAL));
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): channel
 * blocks, image-major (unit u is block u % CB of image u / CB). */
static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, long lo, long hi)
{
    long u;
    for (u = lo; u < hi; u++) {
        const long n = u / CB, cb = u % CB;
        const VFLOAT r = KERNEL_block(x + u * ((long)SPATIAL * VLANES));
        float *yc = y + n * (long)C + cb * VLANES;
        if (cb < CB - 1 || C % VLANES == 0) VSTORE(yc, r);
        else VSTORE_M(yc, VTAIL(C % VLANES), r);
    }
}
/* @end */
#ifdef NNC_LINT
void global_pool_nchwc_lint_use(const float *restrict x, float *restrict y);
void global_pool_nchwc_lint_use(const float *restrict x, float *restrict y) { global_pool_nchwc_lint(x, y, 0, N * CB); }
#endif
