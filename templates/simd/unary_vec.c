/* unary_vec.c — elementwise unary op over a dense FLOAT tensor of COUNT
 * elements, written in the vector layer (templates/<isa>/vops.c): two
 * vectors per step, the last partial vector loaded and stored under a mask.
 * VEXPR is the op's vector form over `va`, in the layer's elementwise words
 * (the lowering checks that the target's layer defines each of them).
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include "lint.h"
#define COUNT 37
#define PAR_CHUNK 64
/* every elementwise word of the layer, so that linting this template checks them all */
#define VEXPR                                                                                                   \
    VADD(VSEL_LT(va, VSET(0.0f), VMUL(VSET(0.5f), VEXPM1(va)), VMAX(VSET(0.0f), VMIN(VSET(6.0f), va))),         \
         VSEL_GT(VABS(va), VSQRT(VNEG(va)), VDIV(VFLOOR(va), VCEIL(va)),                                        \
                 VSUB(VROUND(va), VADD(VEXP(va), VADD(VTANH(va), VADD(VSIGMOID(va), VERF(va)))))))
#define KERNEL unary_vec_lint
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements (a multiple of two vectors), the last one holding the
 * partial vector; so each part takes the whole call's vector and tail paths
 * and every masked access is at a constant offset. */
static NNC_TARGET void KERNEL(const float *x, float *y, long lo, long hi)
{
    const long nc = (COUNT + PAR_CHUNK - 1) / PAR_CHUNK, nv = COUNT / VLANES * VLANES;
    const long end = hi < nc ? hi * PAR_CHUNK : nv; /* whole vectors end here */
    long i = lo * PAR_CHUNK;
    for (; i + 2 * VLANES <= end; i += 2 * VLANES) {
        {
            const VFLOAT va = VLOAD(x + i);
            VSTORE(y + i, VEXPR);
        }
        {
            const VFLOAT va = VLOAD(x + i + VLANES);
            VSTORE(y + i + VLANES, VEXPR);
        }
    }
    for (; i < end; i += VLANES) {
        const VFLOAT va = VLOAD(x + i);
        VSTORE(y + i, VEXPR);
    }
    if (COUNT % VLANES && hi >= nc && lo < hi) { /* the partial vector, at a constant offset */
        const VMASK m = VTAIL(COUNT - nv);
        const VFLOAT va = VLOAD_M(x + nv, m);
        VSTORE_M(y + nv, m, VEXPR);
    }
}
/* @end */
#ifdef NNC_LINT
void unary_vec_lint_use(const float *x, float *y);
void unary_vec_lint_use(const float *x, float *y) { unary_vec_lint(x, y, 0, (COUNT + PAR_CHUNK - 1) / PAR_CHUNK); }
#endif
