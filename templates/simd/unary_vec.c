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
/* every elementwise word of the layer, so that linting this template checks them all */
#define VEXPR                                                                                                   \
    VADD(VSEL_LT(va, VSET(0.0f), VMUL(VSET(0.5f), VEXPM1(va)), VMAX(VSET(0.0f), VMIN(VSET(6.0f), va))),         \
         VSEL_GT(VABS(va), VSQRT(VNEG(va)), VDIV(VFLOOR(va), VCEIL(va)),                                        \
                 VSUB(VROUND(va), VADD(VEXP(va), VADD(VTANH(va), VADD(VSIGMOID(va), VERF(va)))))))
#define KERNEL unary_vec_lint
#endif
/* @begin */
static NNC_TARGET void KERNEL(const float *x, float *y)
{
    long i = 0;
    for (; i + 2 * VLANES <= COUNT; i += 2 * VLANES) {
        {
            const VFLOAT va = VLOAD(x + i);
            VSTORE(y + i, VEXPR);
        }
        {
            const VFLOAT va = VLOAD(x + i + VLANES);
            VSTORE(y + i + VLANES, VEXPR);
        }
    }
    for (; i < COUNT; i += VLANES) {
        const VMASK m = VTAIL(COUNT - i < VLANES ? COUNT - i : VLANES);
        const VFLOAT va = VLOAD_M(x + i, m);
        VSTORE_M(y + i, m, VEXPR);
    }
}
/* @end */
#ifdef NNC_LINT
void unary_vec_lint_use(const float *x, float *y);
void unary_vec_lint_use(const float *x, float *y) { unary_vec_lint(x, y); }
#endif
