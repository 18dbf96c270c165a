/* nnc_vmath_avx2.h — vector math for the avx2 kernels of generated code:
 * static inline functions compiled with the avx2 target attribute, so they
 * inline into the kernels. Each states its maximum error.
 *
 * Method (our own fits, made with mpmath's Chebyshev fitting; the
 * coefficients are in nnc_vmath_consts.h, shared with nnc_vmath_avx512.h and
 * nnc_vmath_neon.h):
 *   exp:  n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts, by FMA),
 *         exp(r) = 1 + r + r^2 P(r) with P of degree 4 on |r| <= ln2 / 2,
 *         then scaled by 2^n in two halves so that overflow gives +inf and
 *         the subnormal range rounds once.
 *   tanh: |x| < 0.625: x + x^3 P(x^2) (degree 4); otherwise
 *         1 - 2 / (exp(2|x|) + 1), sign restored; |x| >= 9.1 gives +-1.
 *   sigmoid: 1 / (1 + exp(-x)).
 *   erf:  |x| < 0.75: x P(x^2) (degree 5); otherwise 1 - erfc(|x|) with
 *         erfc(z) = exp(-z^2) t Q(t), t = 1 / (1 + z/2), Q of degree 8 fitted
 *         for relative error on [0.75, 10]; z^2 is split exactly by FMA.
 *   gelu: x/2 (1 + erf(x / sqrt 2)); the erfc form is used for the tail of
 *         either sign, so that x/2 erfc(|x| / sqrt 2) for negative x keeps
 *         its relative accuracy down to where it underflows.
 * Errors below are measured against double-precision libm by
 * tests/unit/test_vmath.c, which sweeps every input at a fine step. */
#ifndef NNC_VMATH_AVX2_H
#define NNC_VMATH_AVX2_H

#include <immintrin.h>

#include "nnc_runtime.h"
#include "nnc_vmath_consts.h"

#define NNC_VM_SET1 _mm256_set1_ps

/* |x| and the sign bit of x */
static inline NNC_TARGET_AVX2 __m256 nnc_abs_avx2(__m256 x) { return _mm256_andnot_ps(NNC_VM_SET1(-0.0f), x); }
static inline NNC_TARGET_AVX2 __m256 nnc_signbit_avx2(__m256 x) { return _mm256_and_ps(NNC_VM_SET1(-0.0f), x); }

/* exp(x). Max relative error 1e-7 (measured 8.9e-8, under 1 ulp) for x in [-87.3, 88.72]
 * (results in the normal range); below, results are subnormal with absolute
 * error under 1e-44 and 0 from x < -103.98; +inf above 88.72; exp(-inf) = 0,
 * exp(+inf) = +inf, NaN gives NaN. */
static inline NNC_TARGET_AVX2 __m256 nnc_exp_avx2(__m256 x)
{
    /* min/max return their second operand when one is NaN: NaN passes */
    __m256 xc = _mm256_max_ps(NNC_VM_SET1(NNC_VM_EXP_MIN), _mm256_min_ps(NNC_VM_SET1(NNC_VM_EXP_MAX), x));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, NNC_VM_SET1(NNC_VM_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, NNC_VM_SET1(NNC_VM_LN2_HI), xc);
    r = _mm256_fnmadd_ps(n, NNC_VM_SET1(NNC_VM_LN2_LO), r);
    __m256 p = NNC_VM_SET1(NNC_VM_EXP_P4);
    p = _mm256_fmadd_ps(p, r, NNC_VM_SET1(NNC_VM_EXP_P3));
    p = _mm256_fmadd_ps(p, r, NNC_VM_SET1(NNC_VM_EXP_P2));
    p = _mm256_fmadd_ps(p, r, NNC_VM_SET1(NNC_VM_EXP_P1));
    p = _mm256_fmadd_ps(p, r, NNC_VM_SET1(NNC_VM_EXP_P0));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
    p = _mm256_add_ps(p, NNC_VM_SET1(1.0f));
    /* 2^n = 2^h1 2^h2 with h1 = n >> 1, h2 = n - h1, both in [-75, 64] */
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i h1 = _mm256_srai_epi32(ni, 1), h2 = _mm256_sub_epi32(ni, h1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h1, _mm256_set1_epi32(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h2, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* tanh(x). Max relative error 2e-7 (measured 1.4e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 9.1 and at +-inf; NaN gives NaN. */
static inline NNC_TARGET_AVX2 __m256 nnc_tanh_avx2(__m256 x)
{
    const __m256 ax = nnc_abs_avx2(x), u = _mm256_mul_ps(x, x);
    __m256 p = NNC_VM_SET1(NNC_VM_TANH_P4);
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_TANH_P3));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_TANH_P2));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_TANH_P1));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_TANH_P0));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, u), ax, ax);
    const __m256 m = _mm256_min_ps(NNC_VM_SET1(NNC_VM_TANH_BIG), ax); /* NaN passes */
    const __m256 e = nnc_exp_avx2(_mm256_add_ps(m, m));
    const __m256 one = NNC_VM_SET1(1.0f);
    const __m256 big = _mm256_sub_ps(one, _mm256_div_ps(NNC_VM_SET1(2.0f), _mm256_add_ps(e, one)));
    const __m256 isbig = _mm256_cmp_ps(ax, NNC_VM_SET1(NNC_VM_TANH_SMALL), _CMP_NLT_UQ); /* NaN: big */
    return _mm256_or_ps(_mm256_blendv_ps(small, big, isbig), nnc_signbit_avx2(x));
}

/* sigmoid(x) = 1 / (1 + exp(-x)), computed as e / (1 + e) with e = exp(x)
 * for x < 0 so that it underflows gradually. Max relative error 2e-7 (measured 1.8e-7) for
 * x >= -87.3; below, absolute error under 1e-44; sigmoid(-inf) = 0,
 * sigmoid(+inf) = 1, NaN gives NaN. */
static inline NNC_TARGET_AVX2 __m256 nnc_sigmoid_avx2(__m256 x)
{
    const __m256 one = NNC_VM_SET1(1.0f), e = nnc_exp_avx2(_mm256_or_ps(x, NNC_VM_SET1(-0.0f))); /* exp(-|x|) */
    const __m256 num = _mm256_blendv_ps(one, e, x); /* sign of x selects */
    return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

/* x P(x^2) for |x| < 0.75: erf of a small argument */
static inline NNC_TARGET_AVX2 __m256 nnc_erf_small_avx2(__m256 x)
{
    const __m256 u = _mm256_mul_ps(x, x);
    __m256 p = NNC_VM_SET1(NNC_VM_ERF_P5);
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_ERF_P4));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_ERF_P3));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_ERF_P2));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_ERF_P1));
    p = _mm256_fmadd_ps(p, u, NNC_VM_SET1(NNC_VM_ERF_P0));
    return _mm256_mul_ps(p, x);
}

/* t Q(t), t = 1 / (1 + z/2), for z in [0.75, 10]: erfc(z) exp(z^2) */
static inline NNC_TARGET_AVX2 __m256 nnc_erfc_scaled_avx2(__m256 z)
{
    const __m256 t = _mm256_div_ps(NNC_VM_SET1(1.0f), _mm256_fmadd_ps(z, NNC_VM_SET1(0.5f), NNC_VM_SET1(1.0f)));
    __m256 q = NNC_VM_SET1(NNC_VM_ERFC_Q8);
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q7));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q6));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q5));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q4));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q3));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q2));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q1));
    q = _mm256_fmadd_ps(q, t, NNC_VM_SET1(NNC_VM_ERFC_Q0));
    return _mm256_mul_ps(q, t);
}

/* exp(-s x^2) for s = 1 or 1/2, with x^2 split exactly into hi + lo by FMA
 * so that large |x| loses no accuracy to the rounding of x^2 */
static inline NNC_TARGET_AVX2 __m256 nnc_exp_negsq_avx2(__m256 x, float s)
{
    const __m256 hi = _mm256_mul_ps(x, x), lo = _mm256_fmsub_ps(x, x, hi);
    const __m256 e = nnc_exp_avx2(_mm256_mul_ps(hi, NNC_VM_SET1(-s)));
    return _mm256_fnmadd_ps(_mm256_mul_ps(e, lo), NNC_VM_SET1(s), e);
}

/* erf(x). Max relative error 2e-7 (measured 1.8e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 3.92 and at +-inf; NaN gives NaN. */
static inline NNC_TARGET_AVX2 __m256 nnc_erf_avx2(__m256 x)
{
    const __m256 ax = nnc_abs_avx2(x), z = _mm256_min_ps(NNC_VM_SET1(NNC_VM_ERFC_MAX), ax);
    const __m256 small = nnc_erf_small_avx2(ax);
    const __m256 erfc = _mm256_mul_ps(nnc_exp_negsq_avx2(z, 1.0f), nnc_erfc_scaled_avx2(z));
    const __m256 big = _mm256_sub_ps(NNC_VM_SET1(1.0f), erfc);
    const __m256 isbig = _mm256_cmp_ps(ax, NNC_VM_SET1(NNC_VM_ERF_SMALL), _CMP_NLT_UQ);
    return _mm256_or_ps(_mm256_blendv_ps(small, big, isbig), nnc_signbit_avx2(x));
}

/* gelu(x) = x/2 (1 + erf(x / sqrt 2)) (the erf form). Max relative error
 * 5e-7 (measured 4.6e-7) where the result is normal (x > -13.2); below, absolute error
 * under 1e-44 (-0 from x < -14.5 and at -inf); +inf at +inf; NaN gives NaN. */
static inline NNC_TARGET_AVX2 __m256 nnc_gelu_avx2(__m256 x)
{
    const __m256 lim = NNC_VM_SET1(NNC_VM_GELU_MAX);
    const __m256 xc = _mm256_max_ps(_mm256_xor_ps(lim, NNC_VM_SET1(-0.0f)), _mm256_min_ps(lim, x)); /* NaN passes */
    const __m256 hx = _mm256_mul_ps(xc, NNC_VM_SET1(0.5f));
    const __m256 z = _mm256_mul_ps(nnc_abs_avx2(xc), NNC_VM_SET1(NNC_VM_SQRT1_2));
    const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    /* small z: x/2 (1 +- erf(z)) */
    const __m256 es = _mm256_or_ps(nnc_erf_small_avx2(z), _mm256_and_ps(neg, NNC_VM_SET1(-0.0f)));
    const __m256 small = _mm256_fmadd_ps(hx, es, hx);
    /* large z: erfc(z) = exp(-x^2 / 2) t Q(t); x/2 erfc(z) for x < 0, x - x/2 erfc(z) for x > 0 */
    const __m256 hxc = _mm256_mul_ps(hx, _mm256_mul_ps(nnc_exp_negsq_avx2(xc, 0.5f), nnc_erfc_scaled_avx2(z)));
    const __m256 big = _mm256_blendv_ps(_mm256_sub_ps(x, hxc), hxc, neg);
    const __m256 isbig = _mm256_cmp_ps(z, NNC_VM_SET1(NNC_VM_ERF_SMALL), _CMP_NLT_UQ);
    return _mm256_blendv_ps(small, big, isbig);
}

/* ---- horizontal reductions (for row-wise kernels) ---- */
static inline NNC_TARGET_AVX2 float nnc_hsum_avx2(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline NNC_TARGET_AVX2 float nnc_hmax_avx2(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* lanes [0, n) of a mask for loads and stores of the last n < 8 elements */
static inline NNC_TARGET_AVX2 __m256i nnc_tailmask_avx2(long n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

/* The fused-epilogue activation of the SIMD kernels (gemm_tile, conv_dw,
 * conv_transpose_gemm), by code: 0 none, 1 relu, 2 leaky relu (slope a),
 * 3 clip to [a, b], 4 sigmoid, 5 tanh, 6 elu (a; exp(x) - 1 about 1.2e-7
 * absolute), 7 gelu (erf form), 8 silu. Kernels pass constant arguments,
 * so one branch is left after inlining. */
static inline NNC_TARGET_AVX2 __m256 nnc_act_avx2(__m256 v, int code, float a, float b)
{
    if (code == 1) return _mm256_max_ps(_mm256_setzero_ps(), v);
    if (code == 2)
        return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(a)),
                                _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    if (code == 3) return _mm256_min_ps(_mm256_set1_ps(b), _mm256_max_ps(_mm256_set1_ps(a), v));
    if (code == 4) return nnc_sigmoid_avx2(v);
    if (code == 5) return nnc_tanh_avx2(v);
    if (code == 6)
        return _mm256_blendv_ps(v,
                                _mm256_mul_ps(_mm256_sub_ps(nnc_exp_avx2(v), _mm256_set1_ps(1.0f)), _mm256_set1_ps(a)),
                                _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    if (code == 7) return nnc_gelu_avx2(v);
    if (code == 8) return _mm256_mul_ps(v, nnc_sigmoid_avx2(v));
    return v;
}

#endif
