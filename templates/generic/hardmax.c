/* hardmax.c — generic Hardmax over the middle dim of a tensor viewed as
 * [OUTER, AXIS_N, INNER]: 1 at the first maximum (a NaN counts as the
 * maximum, like numpy's argmax), 0 elsewhere. */
#ifdef NNC_LINT
#define T float
#define OUTER 2
#define AXIS_N 10
#define INNER 3
#define KERNEL hardmax_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long o, i, k;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const T *xr = x + o * (long)AXIS_N * INNER + i;
            T *yr = y + o * (long)AXIS_N * INNER + i;
            T best = xr[0];
            long at = 0;
            for (k = 1; k < AXIS_N && best == best; k++) {
                const T v = xr[k * (long)INNER];
                if (v > best || v != v) {
                    best = v;
                    at = k;
                }
            }
            for (k = 0; k < AXIS_N; k++) yr[k * (long)INNER] = (T)(k == at);
        }
}
/* @end */
#ifdef NNC_LINT
void (*const hardmax_lint_ref)(const T *restrict, T *restrict) = hardmax_lint;
#endif
