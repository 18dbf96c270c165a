/* strided.c — a dense output filled from a strided view of the input: the
 * output walks NDIM (merged) dims DIMS and reads the input at OFFSET plus
 * the sum of index times stride XS (strides may be 0 or negative). Serves
 * Slice (steps), Expand (0 strides), Tile (each axis split into repeat and
 * extent) and Split (one chunk per output). INNER_N and INNER_S repeat the
 * last dim and its stride as literals for the innermost loop. */
#ifdef NNC_LINT
#include <string.h>
#define T float
#define NDIM 2
#define DIMS {3, 4}
#define XS {8, 1}
#define OFFSET 2
#define INNER_N 4
#define INNER_S 1
#define KERNEL strided_lint
static void strided_lint(const T *restrict x, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    static const long dims[NDIM] = DIMS;
    static const long xs[NDIM] = XS;
    long idx[NDIM], base = OFFSET, o = 0;
    int k;
    for (k = 0; k < NDIM; k++) idx[k] = 0;
    for (;;) {
        const T *xr = x + base;
        long j;
        if (INNER_S == 1)
            memcpy(y + o, xr, INNER_N * sizeof(T));
        else
            for (j = 0; j < INNER_N; j++) y[o + j] = xr[j * INNER_S];
        o += INNER_N;
        for (k = NDIM - 2; k >= 0; k--) {
            base += xs[k];
            if (++idx[k] < dims[k]) break;
            base -= xs[k] * dims[k];
            idx[k] = 0;
        }
        if (k < 0) return;
    }
}
/* @end */
