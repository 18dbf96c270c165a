/* batchnorm_vec.c — AVX-512 inference BatchNormalization on FLOAT:
 *   Y[n,c,...] = X[n,c,...] * s[c] + t[c],
 *   s = scale / sqrt(var + EPS), t = bias - mean * s
 * over X viewed as [N, C, INNER]; s and t are computed per channel as in the
 * generic template (apart from FMA contraction, which a compiler may apply
 * to it in either), the multiply and add 16 lanes at a time (not fused, so
 * results are identical to it).
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX512
#define SQRT sqrtf
#define N 1
#define C 4
#define INNER 37
#define EPS 1e-5f
#define KERNEL batchnorm_vec_lint
#endif
/* @begin */
static NNC_TARGET void KERNEL(const float *x, const float *restrict scale, const float *restrict bias,
                              const float *restrict mean, const float *restrict var, float *y)
{
    long n, c, i;
    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++) {
            const float s = scale[c] / SQRT(var[c] + EPS);
            const float ms = mean[c] * s; /* own statement: not contracted into an FMA */
            const float t = bias[c] - ms;
            const __m512 vs = _mm512_set1_ps(s), vt = _mm512_set1_ps(t);
            const float *xr = x + (n * C + c) * (long)INNER;
            float *yr = y + (n * C + c) * (long)INNER;
            for (i = 0; i + 16 <= INNER; i += 16)
                _mm512_storeu_ps(yr + i, _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(xr + i), vs), vt));
            if (i < INNER) {
                const __mmask16 m = (__mmask16)((1u << (INNER - i)) - 1u);
                _mm512_mask_storeu_ps(yr + i, m, _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, xr + i), vs), vt));
            }
        }
}
/* @end */
#ifdef NNC_LINT
void batchnorm_vec_lint_use(const float *x, const float *p, float *y);
void batchnorm_vec_lint_use(const float *x, const float *p, float *y) { batchnorm_vec_lint(x, p, p, p, p, y); }
#endif
