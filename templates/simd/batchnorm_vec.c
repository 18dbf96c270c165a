/* batchnorm_vec.c — inference BatchNormalization on FLOAT, written in the
 * vector layer (templates/<isa>/vops.c):
 *   Y[n,c,...] = X[n,c,...] * s[c] + t[c],
 *   s = scale / sqrt(var + EPS), t = bias - mean * s
 * over X viewed as [N, C, INNER]; s and t are computed per channel as in the
 * generic template (apart from FMA contraction, which a compiler may apply
 * to it in either), the multiply and add VLANES lanes at a time (not fused,
 * so results are identical to it).
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#define SQRT sqrtf
#define N 1
#define C 4
#define INNER 37
#define EPS 1e-5f
#define PAR_CHUNK 64
#define KERNEL batchnorm_vec_lint
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements (a multiple of VLANES) of the N * C rows of INNER,
 * row-major, a row's last chunk holding its tail; so each part takes the
 * whole call's vector and tail paths. */
static NNC_TARGET void KERNEL(const float *x, const float *restrict scale, const float *restrict bias,
                              const float *restrict mean, const float *restrict var, float *y, long lo, long hi)
{
    const long q = (INNER + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per row */
    const long nv = INNER / VLANES * VLANES;
    long r, i;
    for (r = lo / q; r * q < hi; r++) {
        const long c = r % C;
        const long i1 = (r + 1) * q > hi ? (hi - r * q) * PAR_CHUNK : INNER;
        const float s = scale[c] / SQRT(var[c] + EPS);
        const float ms = mean[c] * s; /* own statement: not contracted into an FMA */
        const float t = bias[c] - ms;
        const VFLOAT vs = VSET(s), vt = VSET(t);
        const float *xr = x + r * (long)INNER;
        float *yr = y + r * (long)INNER;
        /* whole vectors, then the row's partial one at a constant offset */
        for (i = r * q < lo ? (lo - r * q) * PAR_CHUNK : 0; i < (i1 < nv ? i1 : nv); i += VLANES)
            VSTORE(yr + i, VADD(VMUL(VLOAD(xr + i), vs), vt));
        if (INNER % VLANES && i1 == INNER) {
            const VMASK m = VTAIL(INNER - nv);
            VSTORE_M(yr + nv, m, VADD(VMUL(VLOAD_M(xr + nv, m), vs), vt));
        }
    }
}
/* @end */
#ifdef NNC_LINT
void batchnorm_vec_lint_use(const float *x, const float *p, float *y);
void batchnorm_vec_lint_use(const float *x, const float *p, float *y)
{
    batchnorm_vec_lint(x, p, p, p, p, y, 0, N * C * ((INNER + PAR_CHUNK - 1) / PAR_CHUNK));
}
#endif
