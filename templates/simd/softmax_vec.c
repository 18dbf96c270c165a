/* softmax_vec.c — Softmax / LogSoftmax (FLOAT) over the middle dim of a
 * tensor viewed as [OUTER, AXIS_N, INNER], written in the vector layer
 * (templates/<isa>/vops.c); semantics of generic/softmax.c. With INNER == 1
 * the row is contiguous and is taken VLANES at a time (masked tail): a max
 * pass, then a pass that stores exp(x - max) and sums it, then a scaling pass
 * (LOG: a pass summing exp(x - max), then y = x - max - log(sum), with no
 * stores before). With INNER > 1 the lanes run along INNER (VLANES columns at
 * once) and the same passes go down the axis with stride INNER. Rows stay in
 * cache between passes; exp is the layer's VEXP (relative error 1e-7). */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#define OUTER 2
#define AXIS_N 10
#define INNER 3
#define LOG 0
#define PAR_CHUNK 64
#define KERNEL softmax_vec_lint
static void softmax_vec_lint(const float *restrict x, float *restrict y, long lo, long hi);
#endif
/* @begin */
/* columns [c, c + VLANES) (mask m) of one [AXIS_N, INNER] block */
static NNC_TARGET void KERNEL_cols(const float *restrict x, float *restrict y, const long n, const long st,
                                   const VMASK m)
{
    const VFLOAT ninf = VSET(-HUGE_VALF);
    VFLOAT mx = ninf, sum = VZERO();
    long k;
    for (k = 0; k < n; k++) mx = VMAX(mx, VLOAD_MOR(x + k * st, m, ninf));
    for (k = 0; k < n; k++) {
        const VFLOAT e = VEXP(VSUB(VLOAD_MOR(x + k * st, m, ninf), mx));
        sum = VADD(sum, e);
        if (!LOG) VSTORE_M(y + k * st, m, e);
    }
    if (LOG) {
        float s[VLANES], l[VLANES];
        int j;
        VSTORE(s, sum);
        for (j = 0; j < VLANES; j++) l[j] = logf(s[j]);
        mx = VADD(mx, VLOAD(l));
        for (k = 0; k < n; k++) VSTORE_M(y + k * st, m, VSUB(VLOAD_M(x + k * st, m), mx));
    } else {
        const VFLOAT inv = VDIV(VSET(1.0f), sum);
        for (k = 0; k < n; k++) VSTORE_M(y + k * st, m, VMUL(VLOAD_M(y + k * st, m), inv));
    }
}

/* one contiguous row of n elements */
static NNC_TARGET void KERNEL_row(const float *restrict x, float *restrict y, const long n)
{
    const VFLOAT ninf = VSET(-HUGE_VALF);
    const long nv = n / VLANES * VLANES;
    const VMASK tm = VTAIL(n - nv);
    VFLOAT vmx = ninf, vs = VZERO(), vm;
    float mx, sum;
    long k;
    for (k = 0; k < nv; k += VLANES) vmx = VMAX(vmx, VLOAD(x + k));
    if (nv < n) vmx = VMAX(vmx, VLOAD_MOR(x + nv, tm, ninf));
    mx = VHMAX(vmx);
    vm = VSET(mx);
    for (k = 0; k < nv; k += VLANES) {
        const VFLOAT e = VEXP(VSUB(VLOAD(x + k), vm));
        vs = VADD(vs, e);
        if (!LOG) VSTORE(y + k, e);
    }
    if (nv < n) {
        const VFLOAT e = VEXP(VSUB(VLOAD_MOR(x + nv, tm, ninf), vm));
        vs = VADD(vs, e);
        if (!LOG) VSTORE_M(y + nv, tm, e);
    }
    sum = VHSUM(vs);
    if (LOG) {
        const VFLOAT sh = VSET(mx + logf(sum));
        for (k = 0; k < nv; k += VLANES) VSTORE(y + k, VSUB(VLOAD(x + k), sh));
        if (nv < n) VSTORE_M(y + nv, tm, VSUB(VLOAD_M(x + nv, tm), sh));
    } else {
        const VFLOAT inv = VSET(1.0f / sum);
        for (k = 0; k < nv; k += VLANES) VSTORE(y + k, VMUL(VLOAD(y + k), inv));
        if (nv < n) VSTORE_M(y + nv, tm, VMUL(VLOAD_M(y + nv, tm), inv));
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK columns (a multiple of VLANES) of each of the OUTER blocks,
 * block-major (INNER == 1: the rows); so each part takes the whole call's
 * column groups and masks. */
static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, long lo, long hi)
{
    const long q = (INNER + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per block */
    long o, c;
    for (o = lo / q; o * q < hi; o++) {
        const float *xo = x + o * (long)AXIS_N * INNER;
        float *yo = y + o * (long)AXIS_N * INNER;
        const long c1 = (o + 1) * q > hi ? (hi - o * q) * PAR_CHUNK : INNER;
        if (INNER == 1) {
            KERNEL_row(xo, yo, AXIS_N);
            continue;
        }
        for (c = o * q < lo ? (lo - o * q) * PAR_CHUNK : 0; c < c1; c += VLANES)
            KERNEL_cols(xo + c, yo + c, AXIS_N, INNER, VTAIL(c1 - c < VLANES ? c1 - c : VLANES));
    }
}
/* @end */
