/* ew_vops.c — the AVX-512 vector layer of the elementwise kernels: one macro
 * per word of the vector-expression vocabulary of compiler/ops/elementwise.c
 * (VADD, VMAX, VSEL_LT, ...), on __m512 (16 floats). Instantiated once per
 * generated file; the lowering binds each word an expression uses to the
 * macro here, and vectorises an op only when every word is defined. Each
 * word has the lane-wise semantics of the scalar C form it replaces
 * (VMAX(a, b) is a > b ? a : b, so NaN and signed zeros match). Words for
 * transcendental functions map to runtime/nnc_vmath_avx512.h. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#include "nnc_vmath_avx512.h"
#define NNC_TARGET NNC_TARGET_AVX512
#endif
/* @begin */
#define KERNEL_VSET(s) _mm512_set1_ps(s)
#define KERNEL_VADD(a, b) _mm512_add_ps(a, b)
#define KERNEL_VSUB(a, b) _mm512_sub_ps(a, b)
#define KERNEL_VMUL(a, b) _mm512_mul_ps(a, b)
#define KERNEL_VDIV(a, b) _mm512_div_ps(a, b)
#define KERNEL_VMAX(a, b) _mm512_max_ps(a, b)
#define KERNEL_VMIN(a, b) _mm512_min_ps(a, b)
#define KERNEL_VSEL_LT(a, b, x, y) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x)
#define KERNEL_VSEL_GT(a, b, x, y) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x)
#define KERNEL_VABS(a) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)))
#define KERNEL_VNEG(a) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u)))
#define KERNEL_VSQRT(a) _mm512_sqrt_ps(a)
#define KERNEL_VFLOOR(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define KERNEL_VCEIL(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
#define KERNEL_VROUND(a) _mm512_roundscale_ps(a, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC)
/* runtime/nnc_vmath_avx512.h; errors stated there (about 2e-7 relative) */
#define KERNEL_VEXP(a) nnc_exp_avx512(a)
#define KERNEL_VTANH(a) nnc_tanh_avx512(a)
#define KERNEL_VSIGMOID(a) nnc_sigmoid_avx512(a)
#define KERNEL_VERF(a) nnc_erf_avx512(a)
/* exp(a) - 1: absolute error about 1.2e-7 near 0 (Elu only uses it below 0) */
#define KERNEL_VEXPM1(a) _mm512_sub_ps(nnc_exp_avx512(a), _mm512_set1_ps(1.0f))
/* @end */
#ifdef NNC_LINT
__m512 ew_vops_lint(__m512 va, __m512 vb);
NNC_TARGET __m512 ew_vops_lint(__m512 va, __m512 vb)
{
    __m512 r = KERNEL_VADD(KERNEL_VSUB(va, vb), KERNEL_VMUL(KERNEL_VDIV(va, vb), KERNEL_VSET(2.0f)));
    r = KERNEL_VMAX(r, KERNEL_VMIN(va, vb));
    r = KERNEL_VSEL_LT(r, va, KERNEL_VABS(r), KERNEL_VNEG(vb));
    r = KERNEL_VSEL_GT(r, va, KERNEL_VSQRT(r), KERNEL_VFLOOR(vb));
    r = KERNEL_VADD(KERNEL_VEXP(r), KERNEL_VTANH(r));
    r = KERNEL_VADD(KERNEL_VSIGMOID(r), KERNEL_VERF(KERNEL_VEXPM1(r)));
    return KERNEL_VADD(KERNEL_VCEIL(r), KERNEL_VROUND(r));
}
#endif
