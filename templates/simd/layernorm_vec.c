/* layernorm_vec.c — LayerNormalization (FLOAT, float stash) over X viewed as
 * [OUTER, INNER] when Scale (and B) hold exactly INNER values broadcast over
 * the outer dims (the lowering checks; other broadcasts use
 * generic/layernorm.c), written in the vector layer (templates/<isa>/vops.c).
 * Per row, VLANES at a time with a masked tail: one pass sums x, one sums
 * (x - mean)^2 (two passes over a row in cache keep the variance free of
 * cancellation), and one writes y = (x - mean) * (inv * scale) + b directly,
 * with inv = 1 / sqrt(var + EPS). Mean and InvStdDev are stored when
 * requested. */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#define OUTER 6
#define INNER 20
#define EPS 1e-5
#define HAS_B 1
#define HAS_MEAN 1
#define HAS_INV 1
#define KERNEL layernorm_vec_lint
static void layernorm_vec_lint(const float *restrict x, const float *restrict scale, const float *restrict bias,
                        float *restrict y, float *restrict mean_out, float *restrict inv_out, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): rows. */
static NNC_TARGET void KERNEL(const float *restrict x, const float *restrict scale, const float *restrict bias,
                              float *restrict y, float *restrict mean_out, float *restrict inv_out, long lo, long hi)
{
    const long nv = INNER / VLANES * VLANES;
    const VMASK tm = VTAIL(INNER - nv);
    long o, i;
    (void)bias;
    (void)mean_out;
    (void)inv_out;
    for (o = lo; o < hi; o++) {
        const float *xr = x + o * (long)INNER;
        float *yr = y + o * (long)INNER;
        VFLOAT s = VZERO(), vmean;
        float mean, inv;
        for (i = 0; i < nv; i += VLANES) s = VADD(s, VLOAD(xr + i));
        if (nv < INNER) s = VADD(s, VLOAD_M(xr + nv, tm));
        mean = VHSUM(s) / (float)INNER;
        vmean = VSET(mean);
        s = VZERO();
        for (i = 0; i < nv; i += VLANES) {
            const VFLOAT d = VSUB(VLOAD(xr + i), vmean);
            s = VFMA(d, d, s);
        }
        if (nv < INNER) {
            const VFLOAT d = VKEEP_M(tm, VSUB(VLOAD_M(xr + nv, tm), vmean));
            s = VFMA(d, d, s);
        }
        inv = 1.0f / sqrtf(VHSUM(s) / (float)INNER + (float)EPS);
        if (HAS_MEAN) mean_out[o] = mean;
        if (HAS_INV) inv_out[o] = inv;
        {
            const VFLOAT vinv = VSET(inv);
            for (i = 0; i < nv; i += VLANES) {
                const VFLOAT d = VSUB(VLOAD(xr + i), vmean);
                const VFLOAT b = HAS_B ? VLOAD(bias + i) : VZERO();
                VSTORE(yr + i, VFMA(VMUL(d, vinv), VLOAD(scale + i), b));
            }
            if (nv < INNER) {
                const VFLOAT d = VSUB(VLOAD_M(xr + nv, tm), vmean);
                const VFLOAT b = HAS_B ? VLOAD_M(bias + nv, tm) : VZERO();
                VSTORE_M(yr + nv, tm, VFMA(VMUL(d, vinv), VLOAD_M(scale + nv, tm), b));
            }
        }
    }
}
/* @end */
