/* vops.c — the NEON vector layer (AArch64 Advanced SIMD): the types and
 * operations the shared templates in templates/simd/ are written in, on
 * float32x4_t (VLANES = 4 floats) with uint32x4_t lane masks (all ones or
 * all zeros per lane), and the V-words of the elementwise expressions of
 * compiler/ops/elementwise.c. The names and their meaning are those of
 * templates/avx2/vops.c (see there). NEON has no masked loads, stores or
 * gathers: those go lane by lane through runtime/nnc_vmath_neon.h (a full
 * mask takes one vector access), so only the lanes in the mask are touched.
 * VMAX/VMIN keep the scalar a > b ? a : b (NaN and signed zeros as the x86
 * layers and the generic kernels give them; vmaxq_f32 would return NaN and
 * order -0 below +0). The transcendental words map to nnc_vmath_neon.h
 * (errors stated there, about 2e-7 relative). */
#ifdef NNC_LINT
#include <arm_neon.h>
#include <stdint.h>
#include "nnc_runtime.h"
#include "nnc_vmath_neon.h"
#define NNC_TARGET NNC_TARGET_NEON
#endif
/* @begin */
#define VLANES 4
#define VFLOAT float32x4_t
#define VMASK uint32x4_t
#define VZERO() vdupq_n_f32(0.0f)
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32(p, v)
#define VBROADCAST(p) vld1q_dup_f32(p)
#define VTAIL(n) nnc_tailmask_neon(n)
#define VMASK_NONE vdupq_n_u32(0u)
#define VMASK_ANDNOT(a, b) vbicq_u32(b, a)
#define VLOAD_M(p, m) nnc_loadm_neon(p, m)
#define VLOAD_MOR(p, m, v) vbslq_f32(m, nnc_loadm_neon(p, m), v)
#define VSTORE_M(p, m, v) nnc_storem_neon(p, m, v)
#define VSTORE_M_CHEAP 0
#define VKEEP_M(m, v) vreinterpretq_f32_u32(vandq_u32(m, vreinterpretq_u32_f32(v)))
#define VBLEND_M(m, a, b) vbslq_f32(m, b, a)
#define VFMA(a, b, c) vfmaq_f32(c, a, b)
/* a * v[lane] + c, lane a constant (NEON only: conv_nchwc's tile reads a
 * position's 4 channels as one vector) */
#define VFMA_LANE(a, v, lane, c) vfmaq_laneq_f32(c, a, v, lane)
#define VFNMA(a, b, c) vfmsq_f32(c, a, b)
#define VMASK_I32(q) vreinterpretq_u32_s32(vld1q_s32((const int32_t *)(q)))
#define VMASK_AND(a, b) vandq_u32(a, b)
#define VGATHER_IDX_M(p, ix, a, m) nnc_gatherm_neon(p, (const int32_t *)(ix), 0, a, m)
#define VPREFETCH(p) __builtin_prefetch(p)
#define VTRANSPOSE4(a, b, c, d)                                                                                 \
    do {                                                                                                        \
        const float32x4x2_t p0_ = vtrnq_f32(a, b), p1_ = vtrnq_f32(c, d);                                       \
        (a) = vcombine_f32(vget_low_f32(p0_.val[0]), vget_low_f32(p1_.val[0]));                                 \
        (b) = vcombine_f32(vget_low_f32(p0_.val[1]), vget_low_f32(p1_.val[1]));                                 \
        (c) = vcombine_f32(vget_high_f32(p0_.val[0]), vget_high_f32(p1_.val[0]));                               \
        (d) = vcombine_f32(vget_high_f32(p0_.val[1]), vget_high_f32(p1_.val[1]));                               \
    } while (0)
#define VLOADQ(v, g, p, n) ((void)(v), (void)(g), (n) == 4 ? vld1q_f32(p) : nnc_loadm_neon(p, nnc_tailmask_neon(n)))
#define VSTOREQ(p, v, g, n)                                                                                     \
    do {                                                                                                        \
        (void)(g);                                                                                              \
        if ((n) == 4) vst1q_f32(p, v);                                                                          \
        else nnc_storem_neon(p, nnc_tailmask_neon(n), v);                                                       \
    } while (0)
#define VHSUM(v) nnc_hsum_neon(v)
#define VHMAX(v) nnc_hmax_neon(v)
#define VMASK_NZ_U8(p, n) nnc_mask_nz_u8_neon((const unsigned char *)(p), n)
#define VLOAD_EVEN(p, n) nnc_load_even_neon(p, n)
#define VEVEN(a, b) vuzp1q_f32(a, b)
#define VODD(a, b) vuzp2q_f32(a, b)
#define VGATHER_M(p, s, m) nnc_gatherm_neon(p, 0, s, 0, m)
/* the fused epilogue activation: code 0 none, 1 relu, 2 leaky relu (slope a), 3 clip to [a, b],
 * 4 sigmoid, 5 tanh, 6 elu (a), 7 gelu (erf form), 8 silu (runtime vector math) */
#define VACTIVATE(v, code, a, b) nnc_act_neon(v, code, a, b)
/* elementwise words */
#define VSET(s) vdupq_n_f32(s)
#define VADD(a, b) vaddq_f32(a, b)
#define VSUB(a, b) vsubq_f32(a, b)
#define VMUL(a, b) vmulq_f32(a, b)
#define VDIV(a, b) vdivq_f32(a, b)
#define VMAX(a, b) nnc_max_neon(a, b)
#define VMIN(a, b) nnc_min_neon(a, b)
#define VSEL_LT(a, b, x, y) vbslq_f32(vcltq_f32(a, b), x, y)
#define VSEL_GT(a, b, x, y) vbslq_f32(vcgtq_f32(a, b), x, y)
#define VABS(a) vabsq_f32(a)
#define VNEG(a) vnegq_f32(a)
#define VSQRT(a) vsqrtq_f32(a)
#define VFLOOR(a) vrndmq_f32(a)
#define VCEIL(a) vrndpq_f32(a)
#define VROUND(a) vrndiq_f32(a)
#define VEXP(a) nnc_exp_neon(a)
#define VTANH(a) nnc_tanh_neon(a)
#define VSIGMOID(a) nnc_sigmoid_neon(a)
#define VERF(a) nnc_erf_neon(a)
/* exp(a) - 1: absolute error about 1.2e-7 near 0 (Elu only uses it below 0) */
#define VEXPM1(a) vsubq_f32(nnc_exp_neon(a), vdupq_n_f32(1.0f))

/* @end */
