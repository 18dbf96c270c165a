/* onehot.c — OneHot: indices viewed as [OUTER, INNER], output as [OUTER,
 * DEPTH, INNER]. Index v (truncated toward zero; negative ones count from
 * the end) selects the ON value along DEPTH; an index outside
 * [-DEPTH, DEPTH) gives a row of OFF values. ON and OFF are constants, or
 * v[1] and v[0] when the values are a run-time input. */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define TI int64_t
#define OUTER 2
#define INNER 3
#define DEPTH 4
#define OFF v[0]
#define ON v[1]
#define KERNEL onehot_lint
static void onehot_lint(const TI *restrict idx, const T *restrict v, T *restrict y);
#endif
/* @begin */
static void KERNEL(const TI *restrict idx, const T *restrict v, T *restrict y)
{
    const T off = OFF, on = ON;
    long o, i, d;
    (void)v;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const double f = (double)idx[o * INNER + i];
            long hot = -1;
            if (f > -(double)DEPTH - 1.0 && f < (double)DEPTH) {
                hot = (long)f;
                if (hot < 0) hot += DEPTH;
            }
            for (d = 0; d < DEPTH; d++) y[(o * DEPTH + d) * INNER + i] = d == hot ? on : off;
        }
}
/* @end */
