/* eyelike.c — EyeLike: a ROWS x COLS matrix with ones where j - i == KVAL
 * and zeros elsewhere. */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define ROWS 3
#define COLS 4
#define KVAL 1
#define KERNEL eyelike_lint
static void eyelike_lint(T *restrict y);
#endif
/* @begin */
static void KERNEL(T *restrict y)
{
    long i, j, o = 0;
    for (i = 0; i < ROWS; i++)
        for (j = 0; j < COLS; j++, o++) y[o] = (T)((int64_t)j - (int64_t)i == KVAL);
}
/* @end */
