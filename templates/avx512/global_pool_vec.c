/* global_pool_vec.c — AVX-512 GlobalAveragePool / GlobalMaxPool on FLOAT:
 * each of NC channels of SPATIAL contiguous elements reduces to one value,
 * 16 lanes at a time (the last partial vector under a mask). The maximum is
 * the generic template's (a NaN first element gives NaN, other NaNs are
 * skipped); the mean sums in four interleaved partial sums, so it may differ
 * from the generic template's sequential sum by rounding. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX512
#define NC 4
#define SPATIAL 49
#define IS_MAX 0
#define KERNEL global_pool_vec_lint
#endif
/* @begin */
static NNC_TARGET float KERNEL_max(const float *restrict xc)
{
    __m512 acc = _mm512_set1_ps(xc[0]);
    float lanes[16], r;
    long i;
    for (i = 0; i + 16 <= SPATIAL; i += 16) acc = _mm512_max_ps(_mm512_loadu_ps(xc + i), acc);
    if (i < SPATIAL) {
        const __mmask16 m = (__mmask16)((1u << (SPATIAL - i)) - 1u);
        acc = _mm512_mask_max_ps(acc, m, _mm512_maskz_loadu_ps(m, xc + i), acc);
    }
    _mm512_storeu_ps(lanes, acc);
    r = lanes[0];
    for (i = 1; i < 16; i++)
        if (lanes[i] > r) r = lanes[i];
    return r;
}

static NNC_TARGET float KERNEL_sum(const float *restrict xc)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 64 <= SPATIAL; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(xc + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(xc + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(xc + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(xc + i + 48));
    }
    for (; i < SPATIAL; i += 16) {
        const long n = SPATIAL - i < 16 ? SPATIAL - i : 16;
        s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), xc + i));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y)
{
    long c;
    for (c = 0; c < NC; c++) {
        const float *xc = x + c * (long)SPATIAL;
        y[c] = IS_MAX ? KERNEL_max(xc) : KERNEL_sum(xc) / (float)SPATIAL;
    }
}
/* @end */
#ifdef NNC_LINT
void global_pool_vec_lint_use(const float *restrict x, float *restrict y);
void global_pool_vec_lint_use(const float *restrict x, float *restrict y) { global_pool_vec_lint(x, y); }
#endif
