/* layernorm_vec.c — AVX-512 LayerNormalization (FLOAT, float stash) over X
 * viewed as [OUTER, INNER] when Scale (and B) hold exactly INNER values
 * broadcast over the outer dims (the lowering checks; other broadcasts use
 * generic/layernorm.c). Per row, 16 lanes at a time with a masked tail: one
 * pass sums x, one sums (x - mean)^2 (two passes over a row in cache keep
 * the variance free of cancellation), and one writes
 * y = (x - mean) * (inv * scale) + b directly, with inv = 1 / sqrt(var + EPS).
 * Mean and InvStdDev are stored when requested. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include "nnc_vmath_avx512.h"
#define NNC_TARGET NNC_TARGET_AVX512
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
    const long nv = INNER & ~15L;
    const __mmask16 tm = nnc_tailmask_avx512(INNER - nv);
    long o, i;
    (void)bias;
    (void)mean_out;
    (void)inv_out;
    for (o = 0; o < OUTER; o++) {
        const float *xr = x + o * (long)INNER;
        float *yr = y + o * (long)INNER;
        __m512 s = _mm512_setzero_ps(), vmean;
        float mean, inv;
        for (i = 0; i < nv; i += 16) s = _mm512_add_ps(s, _mm512_loadu_ps(xr + i));
        if (nv < INNER) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(tm, xr + nv));
        mean = _mm512_reduce_add_ps(s) / (float)INNER;
        vmean = _mm512_set1_ps(mean);
        s = _mm512_setzero_ps();
        for (i = 0; i < nv; i += 16) {
            const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(xr + i), vmean);
            s = _mm512_fmadd_ps(d, d, s);
        }
        if (nv < INNER) {
            const __m512 d = _mm512_maskz_sub_ps(tm, _mm512_maskz_loadu_ps(tm, xr + nv), vmean);
            s = _mm512_fmadd_ps(d, d, s);
        }
        inv = 1.0f / sqrtf(_mm512_reduce_add_ps(s) / (float)INNER + (float)EPS);
        if (HAS_MEAN) mean_out[o] = mean;
        if (HAS_INV) inv_out[o] = inv;
        {
            const __m512 vinv = _mm512_set1_ps(inv);
            for (i = 0; i < nv; i += 16) {
                const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(xr + i), vmean);
                const __m512 b = HAS_B ? _mm512_loadu_ps(bias + i) : _mm512_setzero_ps();
                _mm512_storeu_ps(yr + i, _mm512_fmadd_ps(_mm512_mul_ps(d, vinv), _mm512_loadu_ps(scale + i), b));
            }
            if (nv < INNER) {
                const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(tm, xr + nv), vmean);
                const __m512 b = HAS_B ? _mm512_maskz_loadu_ps(tm, bias + nv) : _mm512_setzero_ps();
                _mm512_mask_storeu_ps(yr + nv, tm,
                                      _mm512_fmadd_ps(_mm512_mul_ps(d, vinv), _mm512_maskz_loadu_ps(tm, scale + nv), b));
            }
        }
    }
}
/* @end */
