/* softmax_vec.c — AVX2 Softmax / LogSoftmax (FLOAT) over the middle dim of a
 * tensor viewed as [OUTER, AXIS_N, INNER]; semantics of generic/softmax.c,
 * structure of avx512/softmax_vec.c with 8 lanes: with INNER == 1 the row is
 * contiguous (masked tail); a max pass, a pass storing exp(x - max) and
 * summing it, a scaling pass (LOG: a summing pass, then y = x - max -
 * log(sum)). With INNER > 1 the lanes run along INNER, 8 columns at once,
 * and the passes go down the axis with stride INNER. exp is nnc_exp_avx2. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
#define OUTER 2
#define AXIS_N 10
#define INNER 3
#define LOG 0
#define KERNEL softmax_vec_lint
static void softmax_vec_lint(const float *restrict x, float *restrict y);
#endif
/* @begin */
/* masked load with -inf in the lanes outside m */
static NNC_TARGET __m256 KERNEL_load_ninf(const float *p, const __m256i m)
{
    return _mm256_blendv_ps(_mm256_set1_ps(-HUGE_VALF), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}

/* columns [c, c + 8) (mask m) of one [AXIS_N, INNER] block */
static NNC_TARGET void KERNEL_cols(const float *restrict x, float *restrict y, const long n, const long st,
                                   const __m256i m)
{
    __m256 mx = _mm256_set1_ps(-HUGE_VALF), sum = _mm256_setzero_ps();
    long k;
    for (k = 0; k < n; k++) mx = _mm256_max_ps(mx, KERNEL_load_ninf(x + k * st, m));
    for (k = 0; k < n; k++) {
        const __m256 e = nnc_exp_avx2(_mm256_sub_ps(KERNEL_load_ninf(x + k * st, m), mx));
        sum = _mm256_add_ps(sum, e);
        if (!LOG) _mm256_maskstore_ps(y + k * st, m, e);
    }
    if (LOG) {
        float s[8], l[8];
        int j;
        _mm256_storeu_ps(s, sum);
        for (j = 0; j < 8; j++) l[j] = logf(s[j]);
        mx = _mm256_add_ps(mx, _mm256_loadu_ps(l));
        for (k = 0; k < n; k++) _mm256_maskstore_ps(y + k * st, m, _mm256_sub_ps(_mm256_maskload_ps(x + k * st, m), mx));
    } else {
        const __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), sum);
        for (k = 0; k < n; k++) _mm256_maskstore_ps(y + k * st, m, _mm256_mul_ps(_mm256_maskload_ps(y + k * st, m), inv));
    }
}

/* one contiguous row of n elements */
static NNC_TARGET void KERNEL_row(const float *restrict x, float *restrict y, const long n)
{
    const long nv = n & ~7L;
    const __m256i tm = nnc_tailmask_avx2(n - nv);
    __m256 vmx = _mm256_set1_ps(-HUGE_VALF), vs = _mm256_setzero_ps(), vm;
    float mx, sum;
    long k;
    for (k = 0; k < nv; k += 8) vmx = _mm256_max_ps(vmx, _mm256_loadu_ps(x + k));
    if (nv < n) vmx = _mm256_max_ps(vmx, KERNEL_load_ninf(x + nv, tm));
    mx = nnc_hmax_avx2(vmx);
    vm = _mm256_set1_ps(mx);
    for (k = 0; k < nv; k += 8) {
        const __m256 e = nnc_exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + k), vm));
        vs = _mm256_add_ps(vs, e);
        if (!LOG) _mm256_storeu_ps(y + k, e);
    }
    if (nv < n) {
        const __m256 e = nnc_exp_avx2(_mm256_sub_ps(KERNEL_load_ninf(x + nv, tm), vm));
        vs = _mm256_add_ps(vs, e);
        if (!LOG) _mm256_maskstore_ps(y + nv, tm, e);
    }
    sum = nnc_hsum_avx2(vs);
    if (LOG) {
        const __m256 sh = _mm256_set1_ps(mx + logf(sum));
        for (k = 0; k < nv; k += 8) _mm256_storeu_ps(y + k, _mm256_sub_ps(_mm256_loadu_ps(x + k), sh));
        if (nv < n) _mm256_maskstore_ps(y + nv, tm, _mm256_sub_ps(_mm256_maskload_ps(x + nv, tm), sh));
    } else {
        const __m256 inv = _mm256_set1_ps(1.0f / sum);
        for (k = 0; k < nv; k += 8) _mm256_storeu_ps(y + k, _mm256_mul_ps(_mm256_loadu_ps(y + k), inv));
        if (nv < n) _mm256_maskstore_ps(y + nv, tm, _mm256_mul_ps(_mm256_maskload_ps(y + nv, tm), inv));
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
        for (c = 0; c < INNER; c += 8)
            KERNEL_cols(xo + c, yo + c, AXIS_N, INNER, nnc_tailmask_avx2(INNER - c < 8 ? INNER - c : 8));
    }
}
/* @end */
