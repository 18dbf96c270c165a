/* global_pool_vec.c — AVX2 GlobalAveragePool / GlobalMaxPool on FLOAT: each
 * of NC channels of SPATIAL contiguous elements reduces to one value, 8
 * lanes at a time (the last partial vector under a mask). The maximum is the
 * generic template's (a NaN first element gives NaN, other NaNs are
 * skipped); the mean sums in four interleaved partial sums, so it may differ
 * from the generic template's sequential sum by rounding. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX2
#define NC 4
#define SPATIAL 49
#define IS_MAX 0
#define KERNEL global_pool_vec_lint
#endif
/* @begin */
static NNC_TARGET __m256i KERNEL_mask(long n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static NNC_TARGET float KERNEL_max(const float *restrict xc)
{
    __m256 acc = _mm256_set1_ps(xc[0]);
    float lanes[8], r;
    long i;
    for (i = 0; i + 8 <= SPATIAL; i += 8) acc = _mm256_max_ps(_mm256_loadu_ps(xc + i), acc);
    if (i < SPATIAL) {
        const __m256i m = KERNEL_mask(SPATIAL - i);
        acc = _mm256_blendv_ps(acc, _mm256_max_ps(_mm256_maskload_ps(xc + i, m), acc), _mm256_castsi256_ps(m));
    }
    _mm256_storeu_ps(lanes, acc);
    r = lanes[0];
    for (i = 1; i < 8; i++)
        if (lanes[i] > r) r = lanes[i];
    return r;
}

static NNC_TARGET float KERNEL_sum(const float *restrict xc)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    __m128 h;
    long i = 0;
    for (; i + 32 <= SPATIAL; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(xc + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(xc + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(xc + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(xc + i + 24));
    }
    for (; i < SPATIAL; i += 8) s0 = _mm256_add_ps(s0, _mm256_maskload_ps(xc + i, KERNEL_mask(SPATIAL - i)));
    s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
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
