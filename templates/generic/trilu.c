/* trilu.c — Trilu over BATCH matrices of ROWS x COLS: keeps x[i][j] where
 * j - i >= KVAL (UPPER = 1) or j - i <= KVAL (UPPER = 0) and writes 0
 * elsewhere. KVAL is a constant, or k[0] when k is a run-time input. */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define BATCH 2
#define ROWS 3
#define COLS 4
#define UPPER 1
#define KVAL k[0]
#define KERNEL trilu_lint
static void trilu_lint(const T *restrict x, const int64_t *restrict k, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, const int64_t *restrict k, T *restrict y)
{
    const int64_t kk = KVAL;
    long b, i, j, o = 0;
    (void)k;
    for (b = 0; b < BATCH; b++)
        for (i = 0; i < ROWS; i++)
            for (j = 0; j < COLS; j++, o++) {
                const int64_t d = (int64_t)j - (int64_t)i;
                y[o] = (UPPER ? d >= kk : d <= kk) ? x[o] : (T)0;
            }
}
/* @end */
