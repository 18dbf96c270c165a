/* ew_vops.c — the AVX2 vector layer of the elementwise kernels: one macro
 * per word of the vector-expression vocabulary of compiler/ops/elementwise.c
 * (VADD, VMAX, VSEL_LT, ...), on __m256 (8 floats). Instantiated once per
 * generated file; the lowering binds each word an expression uses to the
 * macro here, and vectorises an op only when every word is defined. Each
 * word has the lane-wise semantics of the scalar C form it replaces
 * (VMAX(a, b) is a > b ? a : b, so NaN and signed zeros match). Words for
 * transcendental functions map to runtime/nnc_vmath_avx2.h. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
#endif
/* @begin */
#define KERNEL_VSET(s) _mm256_set1_ps(s)
#define KERNEL_VADD(a, b) _mm256_add_ps(a, b)
#define KERNEL_VSUB(a, b) _mm256_sub_ps(a, b)
#define KERNEL_VMUL(a, b) _mm256_mul_ps(a, b)
#define KERNEL_VDIV(a, b) _mm256_div_ps(a, b)
#define KERNEL_VMAX(a, b) _mm256_max_ps(a, b)
#define KERNEL_VMIN(a, b) _mm256_min_ps(a, b)
#define KERNEL_VSEL_LT(a, b, x, y) _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ))
#define KERNEL_VSEL_GT(a, b, x, y) _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ))
#define KERNEL_VABS(a) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a)
#define KERNEL_VNEG(a) _mm256_xor_ps(_mm256_set1_ps(-0.0f), a)
#define KERNEL_VSQRT(a) _mm256_sqrt_ps(a)
#define KERNEL_VFLOOR(a) _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define KERNEL_VCEIL(a) _mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
#define KERNEL_VROUND(a) _mm256_round_ps(a, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC)
/* runtime/nnc_vmath_avx2.h; errors stated there (about 2e-7 relative) */
#define KERNEL_VEXP(a) nnc_exp_avx2(a)
#define KERNEL_VTANH(a) nnc_tanh_avx2(a)
#define KERNEL_VSIGMOID(a) nnc_sigmoid_avx2(a)
#define KERNEL_VERF(a) nnc_erf_avx2(a)
/* exp(a) - 1: absolute error about 1.2e-7 near 0 (Elu only uses it below 0) */
#define KERNEL_VEXPM1(a) _mm256_sub_ps(nnc_exp_avx2(a), _mm256_set1_ps(1.0f))
/* @end */
#ifdef NNC_LINT
__m256 ew_vops_lint(__m256 va, __m256 vb);
NNC_TARGET __m256 ew_vops_lint(__m256 va, __m256 vb)
{
    __m256 r = KERNEL_VADD(KERNEL_VSUB(va, vb), KERNEL_VMUL(KERNEL_VDIV(va, vb), KERNEL_VSET(2.0f)));
    r = KERNEL_VMAX(r, KERNEL_VMIN(va, vb));
    r = KERNEL_VSEL_LT(r, va, KERNEL_VABS(r), KERNEL_VNEG(vb));
    r = KERNEL_VSEL_GT(r, va, KERNEL_VSQRT(r), KERNEL_VFLOOR(vb));
    r = KERNEL_VADD(KERNEL_VEXP(r), KERNEL_VTANH(r));
    r = KERNEL_VADD(KERNEL_VSIGMOID(r), KERNEL_VERF(KERNEL_VEXPM1(r)));
    return KERNEL_VADD(KERNEL_VCEIL(r), KERNEL_VROUND(r));
}
#endif
