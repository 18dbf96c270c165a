/* range.c — Range with constant start and delta, too long to fold: element
 * i is EXPR, START + i * DELTA computed in the element type (integers in
 * unsigned 64-bit arithmetic, so no intermediate overflows). */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define COUNT 16
#define START 1.0f
#define DELTA 0.5f
#define EXPR (START + (T)i * DELTA)
#define KERNEL range_lint
static void range_lint(T *restrict y);
#endif
/* @begin */
static void KERNEL(T *restrict y)
{
    long i;
    for (i = 0; i < COUNT; i++) y[i] = (T)(EXPR);
}
/* @end */
