/* vops.c — the AVX2 vector layer: the types and operations the shared
 * templates in templates/simd/ are written in, on __m256 (VLANES = 8 floats),
 * and the V-words of the elementwise expressions of compiler/ops/elementwise.c.
 * Emitted once per generated file, after the ISA preamble, when a shared
 * template is used; templates/avx512/vops.c defines the same names.
 *   VFLOAT, VMASK, VLANES     vector, lane mask (lanes [0, n) from VTAIL(n),
 *                             n in 0..VLANES), lanes per vector
 *   VLOAD VSTORE              unaligned whole-vector load and store
 *   VBROADCAST(p)             *p in every lane (a broadcast load: unlike VSET(*p),
 *                             gcc keeps the memory operand instead of a register copy)
 *   VLOAD_M(p, m)             lanes in m from p, 0 elsewhere (reads only them)
 *   VLOAD_MOR(p, m, v)        lanes in m from p, v's elsewhere
 *   VSTORE_M(p, m, v)         stores only the lanes in m
 *   VSTORE_M_CHEAP            1 when VSTORE_M costs about a plain store (AVX-512),
 *                             0 when a short scalar loop beats it (AVX2's vmaskmovps,
 *                             slow on AMD), for the tails of copies
 *   VKEEP_M(m, v)             v in the lanes of m, 0 elsewhere
 *   VBLEND_M(m, a, b)         b in the lanes of m, a elsewhere
 *   VFMA(a, b, c)             a * b + c, fused; VHSUM VHMAX: over all lanes
 *   VMASK_NZ_U8(p, n)         lanes j < n where byte p[j] != 0 (reads p[0..n))
 *   VMASK_ANDNOT(a, b)        ~a & b; VMASK_NONE: no lane
 *   VLOAD_EVEN(p, n)          lanes j < n from p[2j] (reads p[0 .. 2n-1)), 0 elsewhere
 *   VEVEN(a, b) VODD(a, b)    lanes 0 2 4 ... / 1 3 5 ... of the 2*VLANES floats of a
 *                             then b, in order (de-interleaves a pair of vectors)
 *   VGATHER_M(p, s, m)        lanes j in m from p[j*s], 0 elsewhere
 *   VGATHER_IDX_M(p, ix, a, m) lanes j in m from p[ix[j] + a] (ix: VLANES ints),
 *                             0 elsewhere
 *   VMASK_I32(q)              lanes j where int q[j] is -1 (each q[j] is 0 or -1)
 *   VMASK_AND(a, b)           lanes in both; VFNMA(a, b, c): c - a * b, fused
 *   VPREFETCH(p)              hint: the cache line at p into L1 (a statement)
 *   VTRANSPOSE4(a, b, c, d)   in place, each group of 4 lanes a 4x4 block: afterwards
 *                             vector r's lane 4g + j holds what vector j's lane 4g + r did
 *                             (VLANES a multiple of 4; a, b, c, d VFLOAT lvalues)
 *   VLOADQ(v, g, p, n)        v with lanes 4g .. 4g+3 from p[0 .. n), 0 past n (n 1..4;
 *                             reads only those)
 *   VSTOREQ(p, v, g, n)       stores lanes 4g .. 4g+n-1 of v to p[0 .. n)
 * The elementwise words (VSET VADD ... VEXPM1) have the lane-wise semantics of
 * the scalar C forms they replace (VMAX(a, b) is a > b ? a : b, so NaN and
 * signed zeros match); the transcendental ones map to runtime/nnc_vmath_avx2.h
 * (errors stated there, about 2e-7 relative). */
#ifdef NNC_LINT
#include <immintrin.h>
#include <stdint.h>
#include "nnc_runtime.h"
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
#endif
/* @begin */
#define VLANES 8
#define VFLOAT __m256
#define VMASK __m256i
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VBROADCAST(p) _mm256_broadcast_ss(p)
#define VTAIL(n) nnc_tailmask_avx2(n)
#define VMASK_NONE _mm256_setzero_si256()
#define VMASK_ANDNOT(a, b) _mm256_andnot_si256(a, b)
#define VLOAD_M(p, m) _mm256_maskload_ps(p, m)
#define VLOAD_MOR(p, m, v) _mm256_blendv_ps(v, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m))
#define VSTORE_M(p, m, v) _mm256_maskstore_ps(p, m, v)
#define VSTORE_M_CHEAP 0
#define VKEEP_M(m, v) _mm256_and_ps(v, _mm256_castsi256_ps(m))
#define VBLEND_M(m, a, b) _mm256_blendv_ps(a, b, _mm256_castsi256_ps(m))
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VFNMA(a, b, c) _mm256_fnmadd_ps(a, b, c)
#define VMASK_I32(q) _mm256_loadu_si256((const __m256i *)(q))
#define VMASK_AND(a, b) _mm256_and_si256(a, b)
#define VGATHER_IDX_M(p, ix, a, m)                                                                              \
    _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p,                                                            \
                             _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(ix)), _mm256_set1_epi32(a)), \
                             _mm256_castsi256_ps(m), 4)
#define VPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define VTRANSPOSE4(a, b, c, d)                                                                                 \
    do {                                                                                                        \
        const __m256 t0_ = _mm256_unpacklo_ps(a, b), t1_ = _mm256_unpacklo_ps(c, d);                            \
        const __m256 t2_ = _mm256_unpackhi_ps(a, b), t3_ = _mm256_unpackhi_ps(c, d);                            \
        (a) = _mm256_shuffle_ps(t0_, t1_, 0x44);                                                                \
        (b) = _mm256_shuffle_ps(t0_, t1_, 0xEE);                                                                \
        (c) = _mm256_shuffle_ps(t2_, t3_, 0x44);                                                                \
        (d) = _mm256_shuffle_ps(t2_, t3_, 0xEE);                                                                \
    } while (0)
#define VQMASK_AVX2(n) _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_setr_epi32(0, 1, 2, 3))
#define VQGET_AVX2(v, g) ((g) ? _mm256_extractf128_ps(v, 1) : _mm256_castps256_ps128(v))
#define VLOADQ(v, g, p, n)                                                                                      \
    ((g) ? _mm256_insertf128_ps(v, (n) == 4 ? _mm_loadu_ps(p) : _mm_maskload_ps(p, VQMASK_AVX2(n)), 1)          \
         : _mm256_insertf128_ps(v, (n) == 4 ? _mm_loadu_ps(p) : _mm_maskload_ps(p, VQMASK_AVX2(n)), 0))
#define VSTOREQ(p, v, g, n)                                                                                     \
    do {                                                                                                        \
        if ((n) == 4) _mm_storeu_ps(p, VQGET_AVX2(v, g));                                                        \
        else _mm_maskstore_ps(p, VQMASK_AVX2(n), VQGET_AVX2(v, g));                                              \
    } while (0)
#define VHSUM(v) nnc_hsum_avx2(v)
#define VHMAX(v) nnc_hmax_avx2(v)
#define VNZ_U8_LANE(p, n, j) ((j) < (n) && (p)[j] != 0 ? -1 : 0)
#define VMASK_NZ_U8(p, n)                                                                                       \
    _mm256_setr_epi32(VNZ_U8_LANE(p, n, 0), VNZ_U8_LANE(p, n, 1), VNZ_U8_LANE(p, n, 2), VNZ_U8_LANE(p, n, 3),   \
                      VNZ_U8_LANE(p, n, 4), VNZ_U8_LANE(p, n, 5), VNZ_U8_LANE(p, n, 6), VNZ_U8_LANE(p, n, 7))
/* even lanes of p[0 .. 8) and p[8 .. 16) (0 2 8 10 4 6 12 14), put in order */
#define VLOAD_EVEN(p, n)                                                                                        \
    _mm256_castpd_ps(_mm256_permute4x64_pd(                                                                     \
        _mm256_castps_pd(_mm256_shuffle_ps(_mm256_maskload_ps(p, nnc_tailmask_avx2(2 * (n) - 1)),               \
                                           _mm256_maskload_ps((p) + 8, nnc_tailmask_avx2(2 * (n) - 9)),         \
                                           _MM_SHUFFLE(2, 0, 2, 0))),                                           \
        _MM_SHUFFLE(3, 1, 2, 0)))
/* even and odd lanes of a, b: shuffle within 128-bit halves (a0 a2 b0 b2 a4 a6 b4 b6), then put the
 * 64-bit pairs in order */
#define VEVEN(a, b)                                                                                             \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), \
                                           _MM_SHUFFLE(3, 1, 2, 0)))
#define VODD(a, b)                                                                                              \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), \
                                           _MM_SHUFFLE(3, 1, 2, 0)))
#define VGATHER_M(p, s, m)                                                                                      \
    _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p,                                                            \
                             _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(s)), \
                             _mm256_castsi256_ps(m), 4)
/* the fused epilogue activation: code 0 none, 1 relu, 2 leaky relu (slope a), 3 clip to [a, b],
 * 4 sigmoid, 5 tanh, 6 elu (a), 7 gelu (erf form), 8 silu (runtime vector math) */
#define VACTIVATE(v, code, a, b) nnc_act_avx2(v, code, a, b)
/* elementwise words */
#define VSET(s) _mm256_set1_ps(s)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VSUB(a, b) _mm256_sub_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VDIV(a, b) _mm256_div_ps(a, b)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VMIN(a, b) _mm256_min_ps(a, b)
#define VSEL_LT(a, b, x, y) _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ))
#define VSEL_GT(a, b, x, y) _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ))
#define VABS(a) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a)
#define VNEG(a) _mm256_xor_ps(_mm256_set1_ps(-0.0f), a)
#define VSQRT(a) _mm256_sqrt_ps(a)
#define VFLOOR(a) _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define VCEIL(a) _mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)
#define VROUND(a) _mm256_round_ps(a, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC)
#define VEXP(a) nnc_exp_avx2(a)
#define VTANH(a) nnc_tanh_avx2(a)
#define VSIGMOID(a) nnc_sigmoid_avx2(a)
#define VERF(a) nnc_erf_avx2(a)
/* exp(a) - 1: absolute error about 1.2e-7 near 0 (Elu only uses it below 0) */
#define VEXPM1(a) _mm256_sub_ps(nnc_exp_avx2(a), _mm256_set1_ps(1.0f))

/* @end */
