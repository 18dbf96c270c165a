/* ew_accum.c — one step of an n-ary elementwise op (Max, Min, Sum, Mean):
 * folds input b, broadcast with strides BSi (0 on broadcast dims), into the
 * dense output y, which already holds the result of the earlier inputs.
 * EXPR combines the running value `va` with `vb`. */
#ifdef NNC_LINT
#define T float
#define TB float
#define TY float
#define EXPR (va + vb)
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 2
#define D5 3
#define BS0 0
#define BS1 0
#define BS2 0
#define BS3 0
#define BS4 0
#define BS5 1
#define KERNEL ew_accum_lint
static void ew_accum_lint(const TB *restrict b, TY *restrict y);
#endif
/* @begin */
static void KERNEL(const TB *restrict b, TY *restrict y)
{
    long i0, i1, i2, i3, i4, i5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++) {
                        const TB *br = b + i0 * BS0 + i1 * BS1 + i2 * BS2 + i3 * BS3 + i4 * BS4;
                        for (i5 = 0; i5 < D5; i5++, o++) {
                            const TY va = y[o];
                            const TB vb = br[i5 * BS5];
                            y[o] = (TY)(EXPR);
                        }
                    }
}
/* @end */
