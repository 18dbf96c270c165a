/* cumsum.c — generic CumSum along the middle dim of a tensor viewed as
 * [OUTER, AXIS_N, INNER]. Each output is the previous output plus one input
 * (EXCLUSIVE: the input before it; REVERSE: walking from the end). TACC is
 * the type the addition happens in: T for floats, uint64_t for integers, so
 * integer sums wrap instead of overflowing. */
#ifdef NNC_LINT
#include <stdint.h>
#define T int32_t
#define TACC uint64_t
#define OUTER 2
#define AXIS_N 5
#define INNER 3
#define EXCLUSIVE 0
#define REVERSE 1
#define KERNEL cumsum_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long o, i, k;
    for (o = 0; o < OUTER; o++) {
        const T *xo = x + o * (long)AXIS_N * INNER;
        T *yo = y + o * (long)AXIS_N * INNER;
        for (k = 0; k < AXIS_N; k++) {
            const long at = (REVERSE ? AXIS_N - 1 - k : k) * (long)INNER;
            const long prev = at + (REVERSE ? (long)INNER : -(long)INNER);
            const long src = EXCLUSIVE ? prev : at;
            for (i = 0; i < INNER; i++) {
                if (k == 0) yo[at + i] = EXCLUSIVE ? (T)0 : xo[at + i];
                else yo[at + i] = (T)((TACC)yo[prev + i] + (TACC)xo[src + i]);
            }
        }
    }
}
/* @end */
#ifdef NNC_LINT
void (*const cumsum_lint_ref)(const T *restrict, T *restrict) = cumsum_lint;
#endif
