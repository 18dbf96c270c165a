/* layernorm_vec.c — AVX2 LayerNormalization (FLOAT, float stash) over X
 * viewed as [OUTER, INNER] when Scale (and B) hold exactly INNER values
 * broadcast over the outer dims; the structure of avx512/layernorm_vec.c
 * with 8 lanes: a pass for the mean, one for the sum of squared deviations,
 * one writing y = (x - mean) * (inv * scale) + b. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
#define OUTER 6
#define INNER 20
#define EPS 1e-5
#define HAS_B 1
#define HAS_MEAN 1
#define HAS_INV 1
#define KERNEL layernorm_vec_lint
static void layernorm_vec_lint(const float *restrict x, const float *restrict scale, const float *restrict bias,
                        float *restrict y, float *restrict mean_out, float *restrict inv_out);
#endif
/* @begin */
static NNC_TARGET void KERNEL(const float *restrict x, const float *restrict scale, const float *restrict bias,
                              float *restrict y, float *restrict mean_out, float *restrict inv_out)
{
    const long nv = INNER & ~7L;
    const __m256i tm = nnc_tailmask_avx2(INNER - nv);
    long o, i;
    (void)bias;
    (void)mean_out;
    (void)inv_out;
    for (o = 0; o < OUTER; o++) {
        const float *xr = x + o * (long)INNER;
        float *yr = y + o * (long)INNER;
        __m256 s = _mm256_setzero_ps(), vmean;
        float mean, inv;
        for (i = 0; i < nv; i += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(xr + i));
        if (nv < INNER) s = _mm256_add_ps(s, _mm256_maskload_ps(xr + nv, tm));
        mean = nnc_hsum_avx2(s) / (float)INNER;
        vmean = _mm256_set1_ps(mean);
        s = _mm256_setzero_ps();
        for (i = 0; i < nv; i += 8) {
            const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xr + i), vmean);
            s = _mm256_fmadd_ps(d, d, s);
        }
        if (nv < INNER) {
            const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + nv, tm), vmean), _mm256_castsi256_ps(tm));
            s = _mm256_fmadd_ps(d, d, s);
        }
        inv = 1.0f / sqrtf(nnc_hsum_avx2(s) / (float)INNER + (float)EPS);
        if (HAS_MEAN) mean_out[o] = mean;
        if (HAS_INV) inv_out[o] = inv;
        {
            const __m256 vinv = _mm256_set1_ps(inv);
            for (i = 0; i < nv; i += 8) {
                const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xr + i), vmean);
                const __m256 b = HAS_B ? _mm256_loadu_ps(bias + i) : _mm256_setzero_ps();
                _mm256_storeu_ps(yr + i, _mm256_fmadd_ps(_mm256_mul_ps(d, vinv), _mm256_loadu_ps(scale + i), b));
            }
            if (nv < INNER) {
                const __m256 d = _mm256_sub_ps(_mm256_maskload_ps(xr + nv, tm), vmean);
                const __m256 b = HAS_B ? _mm256_maskload_ps(bias + nv, tm) : _mm256_setzero_ps();
                _mm256_maskstore_ps(yr + nv, tm,
                                    _mm256_fmadd_ps(_mm256_mul_ps(d, vinv), _mm256_maskload_ps(scale + nv, tm), b));
            }
        }
    }
}
/* @end */
