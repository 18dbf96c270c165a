/* layernorm.c — LayerNormalization over X viewed as [OUTER, INNER] (INNER:
 * the dims from `axis` on). Each row's mean and inverse standard deviation
 * 1 / sqrt(var + EPS) are computed in double and rounded to the stash type
 * TU (also the type of the optional Mean and InvStdDev outputs); the row is
 * normalised in TU and stored as T. A second pass over the row of Y
 * (strided loop of extents D0..D5 over all of Y, taken up at the row's
 * first element) applies the broadcast Scale (strides SS0..SS5) and, with
 * HAS_B, the bias B (strides BS0..BS5): Y = normalised * Scale + B. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define TU float
#define OUTER 6
#define INNER 5
#define EPS 1e-5
#define HAS_B 1
#define HAS_MEAN 1
#define HAS_INV 1
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 6
#define D5 5
#define SS0 0
#define SS1 0
#define SS2 0
#define SS3 0
#define SS4 0
#define SS5 1
#define BS0 0
#define BS1 0
#define BS2 0
#define BS3 0
#define BS4 0
#define BS5 1
#define KERNEL layernorm_lint
#endif
/* @begin */
/* y[k] = y[k] * Scale + B for the n outputs from flat index k: the strided
 * loop D0..D5 taken up at k. */
static void KERNEL_affine(const T *restrict scale, const T *restrict bias, T *restrict y, long k, long n)
{
    const long end = k + n;
    long i5 = k % D5, i4 = k / D5 % D4, i3 = k / ((long)D5 * D4) % D3, i2 = k / ((long)D5 * D4 * D3) % D2;
    long i1 = k / ((long)D5 * D4 * D3 * D2) % D1, i0 = k / ((long)D5 * D4 * D3 * D2 * D1);
    while (k < end) {
        const long so = i0 * SS0 + i1 * SS1 + i2 * SS2 + i3 * SS3 + i4 * SS4;
        const long bo = i0 * BS0 + i1 * BS1 + i2 * BS2 + i3 * BS3 + i4 * BS4;
        const long stop = end - k < D5 - i5 ? i5 + (end - k) : D5;
        for (; i5 < stop; i5++, k++) {
            const T b = HAS_B ? bias[bo + i5 * BS5] : (T)0; /* bias is NULL without B */
            y[k] = y[k] * scale[so + i5 * SS5] + b;
        }
        i5 = 0; /* the next row of the loop */
        if (++i4 == D4) {
            i4 = 0;
            if (++i3 == D3) {
                i3 = 0;
                if (++i2 == D2) {
                    i2 = 0;
                    if (++i1 == D1) {
                        i1 = 0;
                        i0++;
                    }
                }
            }
        }
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): rows, each
 * normalised, then scaled and shifted. */
static void KERNEL(const T *restrict x, const T *restrict scale, const T *restrict bias, T *restrict y,
                   TU *restrict mean_out, TU *restrict inv_out, long lo, long hi)
{
    long o, i;
    for (o = lo; o < hi; o++) {
        const T *xr = x + o * (long)INNER;
        T *yr = y + o * (long)INNER;
        double sum = 0, var = 0;
        TU mean, inv;
        for (i = 0; i < INNER; i++) sum += xr[i];
        mean = (TU)(sum / (double)INNER);
        for (i = 0; i < INNER; i++) {
            const double d = (double)xr[i] - (double)mean;
            var += d * d;
        }
        inv = (TU)(1.0 / sqrt(var / (double)INNER + EPS));
        if (HAS_MEAN) mean_out[o] = mean;
        if (HAS_INV) inv_out[o] = inv;
        for (i = 0; i < INNER; i++) yr[i] = (T)(((TU)xr[i] - mean) * inv);
        KERNEL_affine(scale, bias, y, o * (long)INNER, INNER);
    }
}
/* @end */
#ifdef NNC_LINT
void (*const layernorm_lint_ref)(const T *restrict, const T *restrict, const T *restrict, T *restrict, TU *restrict,
                                 TU *restrict, long, long) = layernorm_lint;
#endif
