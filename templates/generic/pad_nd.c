/* pad_nd.c — Pad in constant, reflect or edge mode over NDIM dims, with
 * negative pads (cropping). The output walks DIMS. Along each dim, output
 * index o maps to index o - BEGINS[k] of the cropped input, which has
 * INS[k] elements and starts at OFFSET in x (strides XS of the uncropped
 * input); MODE resolves indices outside [0, INS[k]): constant writes VALUE
 * (a constant, or cv[0] when the value is a run-time input), reflect
 * mirrors without repeating the edge, edge clamps. Rows (all dims but the
 * last) are resolved once; along the last dim the kept input row is one
 * memcpy and the padding around it is resolved per element. */
#ifdef NNC_LINT
#include <string.h>
#define T float
#define MODE 0
#define VALUE 0
#define NDIM 2
#define DIMS {4, 5}
#define INS {2, 3}
#define BEGINS {1, 1}
#define XS {3, 1}
#define OFFSET 0
#define KERNEL pad_nd_lint
static void pad_nd_lint(const T *restrict x, const T *restrict cv, T *restrict y);
#endif
/* @begin */
static long KERNEL_index(long i, long n, int mode)
{
    /* mode 0: -1 marks padding; 1: reflect; 2: edge */
    if (i >= 0 && i < n) return i;
    if (mode == 0) return -1;
    if (mode == 2 || n == 1) return i < 0 ? 0 : n - 1;
    {
        const long period = 2 * (n - 1);
        long r = i % period;
        if (r < 0) r += period;
        return r < n ? r : period - r;
    }
}

static void KERNEL(const T *restrict x, const T *restrict cv, T *restrict y)
{
    static const long out[NDIM] = DIMS;
    static const long in[NDIM] = INS;
    static const long begin[NDIM] = BEGINS;
    static const long xs[NDIM] = XS;
    long o[NDIM], rows = 1, r, j, yo = 0;
    int k;
    (void)cv;
    for (k = 0; k < NDIM; k++) o[k] = 0;
    for (k = 0; k < NDIM - 1; k++) rows *= out[k];
    for (r = 0; r < rows; r++) {
        long src = OFFSET;
        int pad = 0;
        for (k = 0; k < NDIM - 1; k++) {
            const long s = KERNEL_index(o[k] - begin[k], in[k], MODE);
            if (s < 0) pad = 1;
            else src += s * xs[k];
        }
        for (j = 0; j < out[NDIM - 1]; j++) {
            const long s = pad ? -1 : KERNEL_index(j - begin[NDIM - 1], in[NDIM - 1], MODE);
            if (!pad && j == begin[NDIM - 1] && in[NDIM - 1] > 0 && xs[NDIM - 1] == 1 &&
                j + in[NDIM - 1] <= out[NDIM - 1]) {
                /* the whole kept input row, contiguous */
                memcpy(y + yo + j, x + src, (size_t)in[NDIM - 1] * sizeof(T));
                j += in[NDIM - 1] - 1;
                continue;
            }
            y[yo + j] = s < 0 ? (T)VALUE : x[src + s * xs[NDIM - 1]];
        }
        yo += out[NDIM - 1];
        for (k = NDIM - 2; k >= 0; k--) {
            if (++o[k] < out[k]) break;
            o[k] = 0;
        }
    }
}
/* @end */
