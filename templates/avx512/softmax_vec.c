/* softmax_vec.c — AVX-512 Softmax / LogSoftmax (FLOAT) over the middle dim
 * of a tensor viewed as [OUTER, AXIS_N, INNER]; semantics of
 * generic/softmax.c. With INNER == 1 the row is contiguous and is taken 16
 * lanes at a time (masked tail): a max pass, then a pass that stores
 * exp(x - max) and sums it, then a scaling pass (LOG: a pass summing
 * exp(x - max), then y = x - max - log(sum), with no stores before). With
 * INNER > 1 the lanes run along INNER (16 columns at once) and the same
 * passes go down the axis with stride INNER. Rows stay in cache between
 * passes; exp is nnc_exp_avx512 (relative error 1e-7). */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include "nnc_vmath_avx512.h"
#define NNC_TARGET NNC_TARGET_AVX512
#define OUTER 2
#define AXIS_N 10
#define INNER 3
#define LOG 0
#define KERNEL softmax_vec_lint
static void softmax_vec_lint(const float *restrict x, float *restrict y);
#endif
/* @begin */
/* columns [c, c + 16) (mask m) of one [AXIS_N, INNER] block, or one row when INNER == 1 */
static NNC_TARGET void KERNEL_cols(const float *restrict x, float *restrict y, const long n, const long st,
                                   const __mmask16 m)
{
    const __m512 ninf = _mm512_set1_ps(-HUGE_VALF);
    __m512 mx = ninf, sum = _mm512_setzero_ps();
    long k;
    for (k = 0; k < n; k++) mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(ninf, m, x + k * st));
    for (k = 0; k < n; k++) {
        const __m512 e = nnc_exp_avx512(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, m, x + k * st), mx));
        sum = _mm512_add_ps(sum, e);
        if (!LOG) _mm512_mask_storeu_ps(y + k * st, m, e);
    }
    if (LOG) {
        float s[16], l[16];
        int j;
        _mm512_storeu_ps(s, sum);
        for (j = 0; j < 16; j++) l[j] = logf(s[j]);
        mx = _mm512_add_ps(mx, _mm512_loadu_ps(l));
        for (k = 0; k < n; k++)
            _mm512_mask_storeu_ps(y + k * st, m, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + k * st), mx));
    } else {
        const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), sum);
        for (k = 0; k < n; k++) _mm512_mask_storeu_ps(y + k * st, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + k * st), inv));
    }
}

/* one contiguous row of n elements */
static NNC_TARGET void KERNEL_row(const float *restrict x, float *restrict y, const long n)
{
    const __m512 ninf = _mm512_set1_ps(-HUGE_VALF);
    const long nv = n & ~15L;
    const __mmask16 tm = nnc_tailmask_avx512(n - nv);
    __m512 vmx = ninf, vs = _mm512_setzero_ps(), vm;
    float mx, sum;
    long k;
    for (k = 0; k < nv; k += 16) vmx = _mm512_max_ps(vmx, _mm512_loadu_ps(x + k));
    if (nv < n) vmx = _mm512_max_ps(vmx, _mm512_mask_loadu_ps(ninf, tm, x + nv));
    mx = _mm512_reduce_max_ps(vmx);
    vm = _mm512_set1_ps(mx);
    for (k = 0; k < nv; k += 16) {
        const __m512 e = nnc_exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(x + k), vm));
        vs = _mm512_add_ps(vs, e);
        if (!LOG) _mm512_storeu_ps(y + k, e);
    }
    if (nv < n) {
        const __m512 e = nnc_exp_avx512(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, tm, x + nv), vm));
        vs = _mm512_add_ps(vs, e);
        if (!LOG) _mm512_mask_storeu_ps(y + nv, tm, e);
    }
    sum = _mm512_reduce_add_ps(vs);
    if (LOG) {
        const __m512 sh = _mm512_set1_ps(mx + logf(sum));
        for (k = 0; k < nv; k += 16) _mm512_storeu_ps(y + k, _mm512_sub_ps(_mm512_loadu_ps(x + k), sh));
        if (nv < n) _mm512_mask_storeu_ps(y + nv, tm, _mm512_sub_ps(_mm512_maskz_loadu_ps(tm, x + nv), sh));
    } else {
        const __m512 inv = _mm512_set1_ps(1.0f / sum);
        for (k = 0; k < nv; k += 16) _mm512_storeu_ps(y + k, _mm512_mul_ps(_mm512_loadu_ps(y + k), inv));
        if (nv < n) _mm512_mask_storeu_ps(y + nv, tm, _mm512_mul_ps(_mm512_maskz_loadu_ps(tm, y + nv), inv));
    }
}

static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y)
{
    long o, c;
    for (o = 0; o < OUTER; o++) {
        const float *xo = x + o * (long)AXIS_N * INNER;
        float *yo = y + o * (long)AXIS_N * INNER;
        if (INNER == 1) {
            KERNEL_row(xo, yo, AXIS_N);
            continue;
        }
        for (c = 0; c < INNER; c += 16)
            KERNEL_cols(xo + c, yo + c, AXIS_N, INNER, nnc_tailmask_avx512(INNER - c < 16 ? INNER - c : 16));
    }
}
/* @end */
