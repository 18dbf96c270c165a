/* gather_elements.c — GatherElements: output element i (at index c of the
 * indices shape DIMS) reads the data at c with the axis coordinate replaced
 * by idx[i]. XS are the data strides with the axis stride zeroed; AXIS_S is
 * that stride and AXIS_N the axis extent. Negative indices count from the
 * end; one outside [-AXIS_N, AXIS_N) makes the kernel return STATUS_INDEX. */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define TI int64_t
#define NDIM 2
#define DIMS {2, 3}
#define XS {0, 1}
#define AXIS_N 4
#define AXIS_S 3
#define COUNT 6
#define STATUS_INDEX 2
#define KERNEL gather_elements_lint
static int gather_elements_lint(const T *restrict x, const TI *restrict idx, T *restrict y);
#endif
/* @begin */
static int KERNEL(const T *restrict x, const TI *restrict idx, T *restrict y)
{
    static const long dims[NDIM] = DIMS;
    static const long xs[NDIM] = XS;
    long c[NDIM], base = 0, i;
    int k;
    for (k = 0; k < NDIM; k++) c[k] = 0;
    for (i = 0; i < COUNT; i++) {
        TI v = idx[i];
        if (v < 0) v = (TI)(v + AXIS_N);
        if (v < 0 || v >= AXIS_N) return STATUS_INDEX;
        y[i] = x[base + (long)v * AXIS_S];
        for (k = NDIM - 1; k >= 0; k--) {
            base += xs[k];
            if (++c[k] < dims[k]) break;
            base -= xs[k] * dims[k];
            c[k] = 0;
        }
    }
    return 0;
}
/* @end */
