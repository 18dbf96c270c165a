/* unary.c — generic elementwise unary op over a dense tensor of COUNT
 * elements. EXPR computes the result from `va` (the op's scalar semantics);
 * it may use the op's constants (ALPHA, LO, HI, ...).
 * The output may be the input's own buffer (the planner runs it in place):
 * each element is read before its own slot is written. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define TY float
#define COUNT 16
#define PAR_CHUNK 64
#define EXPR (va < 0 ? 0 : va)
#define KERNEL unary_lint
static void unary_lint(const T *restrict x, TY *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements. */
static void KERNEL(const T *x, TY *y, long lo, long hi)
{
    const long end = hi < (COUNT + PAR_CHUNK - 1) / PAR_CHUNK ? hi * PAR_CHUNK : COUNT;
    long i;
    for (i = lo * PAR_CHUNK; i < end; i++) {
        const T va = x[i];
        y[i] = (TY)(EXPR);
    }
}
/* @end */
