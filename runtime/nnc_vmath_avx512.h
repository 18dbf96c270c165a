/* nnc_vmath_avx512.h — vector math for the avx512 kernels of generated code:
 * static inline functions compiled with the avx512 target attribute, so they
 * inline into the kernels. Each states its maximum error.
 *
 * The methods and coefficients are those of nnc_vmath_avx2.h (included here:
 * avx512 kernels may also use its 256-bit functions); AVX-512 adds exact
 * scaling by 2^n (vscalefps), mask registers for branch selection and
 * masked loads and stores for row tails. */
#ifndef NNC_VMATH_AVX512_H
#define NNC_VMATH_AVX512_H

#include <immintrin.h>

#include "nnc_runtime.h"
#include "nnc_vmath_avx2.h"

#define NNC_VM_SET16 _mm512_set1_ps

static inline NNC_TARGET_AVX512 __m512 nnc_signbit_avx512(__m512 x) { return _mm512_and_ps(NNC_VM_SET16(-0.0f), x); }

/* exp(x). Max relative error 1e-7 (measured 8.9e-8, under 1 ulp) for x in [-87.3, 88.72]
 * (results in the normal range); below, results are subnormal with absolute
 * error under 1e-44 and 0 from x < -103.98; +inf above 88.72; exp(-inf) = 0,
 * exp(+inf) = +inf, NaN gives NaN. */
static inline NNC_TARGET_AVX512 __m512 nnc_exp_avx512(__m512 x)
{
    /* min/max return their second operand when one is NaN: NaN passes */
    const __m512 xc = _mm512_max_ps(NNC_VM_SET16(NNC_VM_EXP_MIN), _mm512_min_ps(NNC_VM_SET16(NNC_VM_EXP_MAX), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, NNC_VM_SET16(NNC_VM_LOG2E)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, NNC_VM_SET16(NNC_VM_LN2_HI), xc);
    r = _mm512_fnmadd_ps(n, NNC_VM_SET16(NNC_VM_LN2_LO), r);
    __m512 p = NNC_VM_SET16(NNC_VM_EXP_P4);
    p = _mm512_fmadd_ps(p, r, NNC_VM_SET16(NNC_VM_EXP_P3));
    p = _mm512_fmadd_ps(p, r, NNC_VM_SET16(NNC_VM_EXP_P2));
    p = _mm512_fmadd_ps(p, r, NNC_VM_SET16(NNC_VM_EXP_P1));
    p = _mm512_fmadd_ps(p, r, NNC_VM_SET16(NNC_VM_EXP_P0));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
    p = _mm512_add_ps(p, NNC_VM_SET16(1.0f));
    return _mm512_scalef_ps(p, n); /* p 2^n, overflow and subnormals rounded once */
}

/* tanh(x). Max relative error 2e-7 (measured 1.4e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 9.1 and at +-inf; NaN gives NaN. */
static inline NNC_TARGET_AVX512 __m512 nnc_tanh_avx512(__m512 x)
{
    const __m512 ax = _mm512_abs_ps(x), u = _mm512_mul_ps(x, x);
    __m512 p = NNC_VM_SET16(NNC_VM_TANH_P4);
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_TANH_P3));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_TANH_P2));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_TANH_P1));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_TANH_P0));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, u), ax, ax);
    const __m512 m = _mm512_min_ps(NNC_VM_SET16(NNC_VM_TANH_BIG), ax); /* NaN passes */
    const __m512 e = nnc_exp_avx512(_mm512_add_ps(m, m));
    const __m512 one = NNC_VM_SET16(1.0f);
    const __m512 big = _mm512_sub_ps(one, _mm512_div_ps(NNC_VM_SET16(2.0f), _mm512_add_ps(e, one)));
    const __mmask16 isbig = _mm512_cmp_ps_mask(ax, NNC_VM_SET16(NNC_VM_TANH_SMALL), _CMP_NLT_UQ); /* NaN: big */
    return _mm512_or_ps(_mm512_mask_blend_ps(isbig, small, big), nnc_signbit_avx512(x));
}

/* sigmoid(x) = 1 / (1 + exp(-x)), computed as e / (1 + e) with e = exp(x)
 * for x < 0 so that it underflows gradually. Max relative error 2e-7 (measured 1.8e-7) for
 * x >= -87.3; below, absolute error under 1e-44; sigmoid(-inf) = 0,
 * sigmoid(+inf) = 1, NaN gives NaN. */
static inline NNC_TARGET_AVX512 __m512 nnc_sigmoid_avx512(__m512 x)
{
    const __m512 one = NNC_VM_SET16(1.0f), e = nnc_exp_avx512(_mm512_or_ps(x, NNC_VM_SET16(-0.0f))); /* exp(-|x|) */
    const __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(x)); /* sign bit */
    return _mm512_div_ps(_mm512_mask_blend_ps(neg, one, e), _mm512_add_ps(one, e));
}

/* x P(x^2) for |x| < 0.75: erf of a small argument */
static inline NNC_TARGET_AVX512 __m512 nnc_erf_small_avx512(__m512 x)
{
    const __m512 u = _mm512_mul_ps(x, x);
    __m512 p = NNC_VM_SET16(NNC_VM_ERF_P5);
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_ERF_P4));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_ERF_P3));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_ERF_P2));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_ERF_P1));
    p = _mm512_fmadd_ps(p, u, NNC_VM_SET16(NNC_VM_ERF_P0));
    return _mm512_mul_ps(p, x);
}

/* t Q(t), t = 1 / (1 + z/2), for z in [0.75, 10]: erfc(z) exp(z^2) */
static inline NNC_TARGET_AVX512 __m512 nnc_erfc_scaled_avx512(__m512 z)
{
    const __m512 t = _mm512_div_ps(NNC_VM_SET16(1.0f), _mm512_fmadd_ps(z, NNC_VM_SET16(0.5f), NNC_VM_SET16(1.0f)));
    __m512 q = NNC_VM_SET16(NNC_VM_ERFC_Q8);
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q7));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q6));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q5));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q4));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q3));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q2));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q1));
    q = _mm512_fmadd_ps(q, t, NNC_VM_SET16(NNC_VM_ERFC_Q0));
    return _mm512_mul_ps(q, t);
}

/* exp(-s x^2) for s = 1 or 1/2, x^2 split exactly into hi + lo by FMA */
static inline NNC_TARGET_AVX512 __m512 nnc_exp_negsq_avx512(__m512 x, float s)
{
    const __m512 hi = _mm512_mul_ps(x, x), lo = _mm512_fmsub_ps(x, x, hi);
    const __m512 e = nnc_exp_avx512(_mm512_mul_ps(hi, NNC_VM_SET16(-s)));
    return _mm512_fnmadd_ps(_mm512_mul_ps(e, lo), NNC_VM_SET16(s), e);
}

/* erf(x). Max relative error 2e-7 (measured 1.8e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 3.92 and at +-inf; NaN gives NaN. */
static inline NNC_TARGET_AVX512 __m512 nnc_erf_avx512(__m512 x)
{
    const __m512 ax = _mm512_abs_ps(x), z = _mm512_min_ps(NNC_VM_SET16(NNC_VM_ERFC_MAX), ax);
    const __m512 small = nnc_erf_small_avx512(ax);
    const __m512 erfc = _mm512_mul_ps(nnc_exp_negsq_avx512(z, 1.0f), nnc_erfc_scaled_avx512(z));
    const __m512 big = _mm512_sub_ps(NNC_VM_SET16(1.0f), erfc);
    const __mmask16 isbig = _mm512_cmp_ps_mask(ax, NNC_VM_SET16(NNC_VM_ERF_SMALL), _CMP_NLT_UQ);
    return _mm512_or_ps(_mm512_mask_blend_ps(isbig, small, big), nnc_signbit_avx512(x));
}

/* gelu(x) = x/2 (1 + erf(x / sqrt 2)) (the erf form). Max relative error
 * 5e-7 (measured 4.6e-7) where the result is normal (x > -13.2); below, absolute error
 * under 1e-44 (-0 from x < -14.5 and at -inf); +inf at +inf; NaN gives NaN. */
static inline NNC_TARGET_AVX512 __m512 nnc_gelu_avx512(__m512 x)
{
    const __m512 lim = NNC_VM_SET16(NNC_VM_GELU_MAX);
    const __m512 xc = _mm512_max_ps(_mm512_xor_ps(lim, NNC_VM_SET16(-0.0f)), _mm512_min_ps(lim, x)); /* NaN passes */
    const __m512 hx = _mm512_mul_ps(xc, NNC_VM_SET16(0.5f));
    const __m512 z = _mm512_mul_ps(_mm512_abs_ps(xc), NNC_VM_SET16(NNC_VM_SQRT1_2));
    const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    const __m512 es = _mm512_mask_xor_ps(nnc_erf_small_avx512(z), neg, nnc_erf_small_avx512(z), NNC_VM_SET16(-0.0f));
    const __m512 small = _mm512_fmadd_ps(hx, es, hx);
    const __m512 hxc = _mm512_mul_ps(hx, _mm512_mul_ps(nnc_exp_negsq_avx512(xc, 0.5f), nnc_erfc_scaled_avx512(z)));
    const __m512 big = _mm512_mask_blend_ps(neg, _mm512_sub_ps(x, hxc), hxc);
    const __mmask16 isbig = _mm512_cmp_ps_mask(z, NNC_VM_SET16(NNC_VM_ERF_SMALL), _CMP_NLT_UQ);
    return _mm512_mask_blend_ps(isbig, small, big);
}

/* lanes [0, n) as a mask, n <= 16 */
static inline NNC_TARGET_AVX512 __mmask16 nnc_tailmask_avx512(long n) { return (__mmask16)((1u << n) - 1u); }

/* The fused-epilogue activation of the SIMD kernels: as nnc_act_avx2. */
static inline NNC_TARGET_AVX512 __m512 nnc_act_avx512(__m512 v, int code, float a, float b)
{
    if (code == 1) return _mm512_max_ps(_mm512_setzero_ps(), v);
    if (code == 2)
        return _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, _mm512_set1_ps(a));
    if (code == 3) return _mm512_min_ps(_mm512_set1_ps(b), _mm512_max_ps(_mm512_set1_ps(a), v));
    if (code == 4) return nnc_sigmoid_avx512(v);
    if (code == 5) return nnc_tanh_avx512(v);
    if (code == 6)
        return _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ),
                                  _mm512_sub_ps(nnc_exp_avx512(v), _mm512_set1_ps(1.0f)), _mm512_set1_ps(a));
    if (code == 7) return nnc_gelu_avx512(v);
    if (code == 8) return _mm512_mul_ps(v, nnc_sigmoid_avx512(v));
    return v;
}

#endif
