/* global_pool_vec.c — GlobalAveragePool / GlobalMaxPool on FLOAT, written in
 * the vector layer (templates/<isa>/vops.c): each of NC channels of SPATIAL
 * contiguous elements reduces to one value, VLANES at a time (the last
 * partial vector under a mask). The maximum is the generic template's (a NaN
 * first element gives NaN, other NaNs are skipped); the mean sums in four
 * interleaved partial sums, so it may differ from the generic template's
 * sequential sum by rounding. */
#ifdef NNC_LINT
#include "lint.h"
#define NC 4
#define SPATIAL 49
#define IS_MAX 0
#define KERNEL global_pool_vec_lint
#endif
/* @begin */
static NNC_TARGET float KERNEL_max(const float *restrict xc)
{
    VFLOAT acc = VSET(xc[0]);
    float lanes[VLANES], r;
    long i;
    for (i = 0; i + VLANES <= SPATIAL; i += VLANES) acc = VMAX(VLOAD(xc + i), acc);
    if (i < SPATIAL) {
        const VMASK m = VTAIL(SPATIAL - i);
        acc = VBLEND_M(m, acc, VMAX(VLOAD_M(xc + i, m), acc));
    }
    VSTORE(lanes, acc);
    r = lanes[0];
    for (i = 1; i < VLANES; i++)
        if (lanes[i] > r) r = lanes[i];
    return r;
}

static NNC_TARGET float KERNEL_sum(const float *restrict xc)
{
    VFLOAT s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
    long i = 0;
    for (; i + 4 * VLANES <= SPATIAL; i += 4 * VLANES) {
        s0 = VADD(s0, VLOAD(xc + i));
        s1 = VADD(s1, VLOAD(xc + i + VLANES));
        s2 = VADD(s2, VLOAD(xc + i + 2 * VLANES));
        s3 = VADD(s3, VLOAD(xc + i + 3 * VLANES));
    }
    for (; i < SPATIAL; i += VLANES) s0 = VADD(s0, VLOAD_M(xc + i, VTAIL(SPATIAL - i < VLANES ? SPATIAL - i : VLANES)));
    return VHSUM(VADD(VADD(s0, s1), VADD(s2, s3)));
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): channels. */
static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, long lo, long hi)
{
    long c;
    for (c = lo; c < hi; c++) {
        const float *xc = x + c * (long)SPATIAL;
        y[c] = IS_MAX ? KERNEL_max(xc) : KERNEL_sum(xc) / (float)SPATIAL;
    }
}
/* @end */
#ifdef NNC_LINT
void global_pool_vec_lint_use(const float *restrict x, float *restrict y);
void global_pool_vec_lint_use(const float *restrict x, float *restrict y) { global_pool_vec_lint(x, y, 0, NC); }
#endif
