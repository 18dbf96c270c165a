/* gather.c — Gather along one axis: the data viewed as [OUTER, AXIS_N, INNER],
 * NIDX indices (negative ones count from the end) select rows of INNER
 * elements. An index outside [-AXIS_N, AXIS_N) makes the kernel return
 * STATUS_INDEX without writing further. */
#ifdef NNC_LINT
#include <string.h>
#include <stdint.h>
#define T float
#define TI int64_t
#define OUTER 1
#define AXIS_N 10
#define INNER 4
#define NIDX 3
#define STATUS_INDEX 2
#define KERNEL gather_lint
static int gather_lint(const T *restrict x, const TI *restrict idx, T *restrict y);
#endif
/* @begin */
static int KERNEL(const T *restrict x, const TI *restrict idx, T *restrict y)
{
    long o, i;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < NIDX; i++) {
            long k = (long)idx[i];
            if (k < 0) k += AXIS_N;
            if (k < 0 || k >= AXIS_N) return STATUS_INDEX;
            memcpy(y + (o * NIDX + i) * (long)INNER, x + (o * AXIS_N + k) * (long)INNER, INNER * sizeof(T));
        }
    return 0;
}
/* @end */
