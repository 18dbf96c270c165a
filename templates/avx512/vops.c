/* vops.c — the AVX-512 vector layer: the types and operations the shared
 * templates in templates/simd/ are written in, on __m512 (VLANES = 16
 * floats) with __mmask16 lane masks, and the V-words of the elementwise
 * expressions of compiler/ops/elementwise.c. The names and their meaning are
 * those of templates/avx2/vops.c (see there); masked loads and stores are
 * AVX-512's own, the reductions _mm512_reduce_*, the transcendental words
 * runtime/nnc_vmath_avx512.h (errors stated there, about 2e-7 relative). */
#ifdef NNC_LINT
#include <immintrin.h>
#include <stdint.h>
#include "nnc_runtime.h"
#include "nnc_vmath_avx512.h"
#define NNC_TARGET NNC_TARGET_AVX512
#endif
/* @begin */
#define VLANES 16
#define VFLOAT __m512
#define VMASK __mmask16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VBROADCAST(p) _mm512_set1_ps(*(p))
#define VTAIL(n) nnc_tailmask_avx512(n)
#define VMASK_NONE ((__mmask16)0)
#define VMASK_ANDNOT(a, b) ((__mmask16)(~(a) & (b)))
#define VLOAD_M(p, m) _mm512_maskz_loadu_ps(m, p)
#define VLOAD_MOR(p, m, v) _mm512_mask_loadu_ps(v, m, p)
#define VSTORE_M(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define VSTORE_M_CHEAP 1
#define VKEEP_M(m, v) _mm512_maskz_mov_ps(m, v)
#define VBLEND_M(m, a, b) _mm512_mask_blend_ps(m, a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VFNMA(a, b, c) _mm512_fnmadd_ps(a, b, c)
#define VMASK_I32(q) _mm512_test_epi32_mask(_mm512_loadu_si512(q), _mm512_loadu_si512(q))
#define VMASK_AND(a, b) ((__mmask16)((a) & (b)))
#define VGATHER_IDX_M(p, ix, a, m)                                                                              \
    _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, _mm512_add_epi32(_mm512_loadu_si512(ix), _mm512_set1_epi32(a)), \
                             p, 4)
#define VPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define VTRANSPOSE4(a, b, c, d)                                                                                 \
    do {                                                                                                        \
        const __m512 t0_ = _mm512_unpacklo_ps(a, b), t1_ = _mm512_unpacklo_ps(c, d);                            \
        const __m512 t2_ = _mm512_unpackhi_ps(a, b), t3_ = _mm512_unpackhi_ps(c, d);                            \
        (a) = _mm512_shuffle_ps(t0_, t1_, 0x44);                                                                \
        (b) = _mm512_shuffle_ps(t0_, t1_, 0xEE);                                                                \
        (c) = _mm512_shuffle_ps(t2_, t3_, 0x44);                                                                \
        (d) = _mm512_shuffle_ps(t2_, t3_, 0xEE);                                                                \
    } while (0)
#define VQMASK_AVX512(n) ((__mmask8)((1u << (n)) - 1u))
#define VQGET_AVX512(v, g)                                                                                      \
    ((g) == 0   ? _mm512_castps512_ps128(v)                                                                     \
     : (g) == 1 ? _mm512_extractf32x4_ps(v, 1)                                                                  \
     : (g) == 2 ? _mm512_extractf32x4_ps(v, 2)                                                                  \
                : _mm512_extractf32x4_ps(v, 3))
#define VLOADQ(v, g, p, n)                                                                                      \
    ((g) == 0   ? _mm512_insertf32x4(v, _mm_maskz_loadu_ps(VQMASK_AVX512(n), p), 0)                            \
     : (g) == 1 ? _mm512_insertf32x4(v, _mm_maskz_loadu_ps(VQMASK_AVX512(n), p), 1)                            \
     : (g) == 2 ? _mm512_insertf32x4(v, _mm_maskz_loadu_ps(VQMASK_AVX512(n), p), 2)                            \
                : _mm512_insertf32x4(v, _mm_maskz_loadu_ps(VQMASK_AVX512(n), p), 3))
#define VSTOREQ(p, v, g, n) _mm_mask_storeu_ps(p, VQMASK_AVX512(n), VQGET_AVX512(v, g))
#define VHSUM(v) _mm512_reduce_add_ps(v)
#define VHMAX(v) _mm512_reduce_max_ps(v)
#define VMASK_NZ_U8(p, n)                                                                                       \
    _mm512_test_epi32_mask(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(nnc_tailmask_avx512(n), p)),             \
                           _mm512_set1_epi32(0xff))
#define VLOAD_EVEN(p, n)                                                                                        \
    _mm512_permutex2var_ps(                                                                                     \
        _mm512_maskz_loadu_ps(nnc_tailmask_avx512(2 * (n) - 1 < 16 ? 2 * (n) - 1 : 16), p),                     \
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),                           \
        _mm512_maskz_loadu_ps(nnc_tailmask_avx512(2 * (n) - 1 > 16 ? 2 * (n) - 17 : 0), (p) + 16))
#define VEVEN(a, b)                                                                                             \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b)
#define VODD(a, b)                                                                                              \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b)
#define VGATHER_M(p, s, m)                                                                                      \
    _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m,                                                            \
                             _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,     \
                                                                  13, 14, 15),                                  \
                                                _mm512_set1_epi32(s)),                                          \
                             p, 4)
/* the fused epilogue activation: code 0 none, 1 relu, 2 leaky relu (slope a), 3 clip to [a, b],
 * 4 sigmoid, 5 tanh, 6 elu (a), 7 gelu (erf form), 8 silu (runtime vector math) */
#define VACTIVATE(v, code, a, b) nnc_act_avx512(v, code, a, b)
/* elementwise words */
#define VSET(s) _mm512_set1_ps(s)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VSUB(a, b) _mm512_sub_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VDIV(a, b) _mm512_div_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
#define VSEL_LT(a, b, x, y) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x)
#define VSEL_GT(a, b, x, y) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x)
#define VABS(a) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)))
#define VNEG(a) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u)))
#define VSQRT(a) _mm512_sqrt_ps(a)
#define VFLOOR(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define VCEIL(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
#define VROUND(a) _mm512_roundscale_ps(a, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC)
#define VEXP(a) nnc_exp_avx512(a)
#define VTANH(a) nnc_tanh_avx512(a)
#define VSIGMOID(a) nnc_sigmoid_avx512(a)
#define VERF(a) nnc_erf_avx512(a)
/* exp(a) - 1: absolute error about 1.2e-7 near 0 (Elu only uses it below 0) */
#define VEXPM1(a) _mm512_sub_ps(nnc_exp_avx512(a), _mm512_set1_ps(1.0f))

/* @end */
