/* nnc_vmath_neon.h — vector math for the neon kernels of generated code
 * (AArch64 Advanced SIMD, float32x4_t): static inline functions that inline
 * into the kernels. Each states its maximum error.
 *
 * The methods and coefficients are those of nnc_vmath_avx2.h (constants in
 * nnc_vmath_consts.h), step for step, so the errors are the same; measured
 * by tests/unit/vmath_neon.c under qemu-aarch64 over the same sweep as the
 * x86 headers. Differences in the instructions only: NEON's vminq/vmaxq
 * return NaN when either operand is NaN (the x86 code relies on NaN passing
 * through its clamps, which holds here too), and selections use vbslq on
 * comparison masks. AArch64 has no mode without IEEE subnormals by default
 * (FPCR.FZ is 0 on Linux), which the underflow ranges below assume. */
#ifndef NNC_VMATH_NEON_H
#define NNC_VMATH_NEON_H

#include <arm_neon.h>

#include "nnc_runtime.h"
#include "nnc_vmath_consts.h"

#define NNC_VM_DUP4 vdupq_n_f32

/* bit operations on floats */
static inline float32x4_t nnc_or_neon(float32x4_t a, float32x4_t b)
{
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}
static inline float32x4_t nnc_signbit_neon(float32x4_t x) /* the sign bit of x alone */
{
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u)));
}
static inline uint32x4_t nnc_signmask_neon(float32x4_t x) /* all ones where x's sign bit is set */
{
    return vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(x), 31));
}

/* exp(x). Max relative error 1e-7 (measured 8.9e-8, under 1 ulp) for x in [-87.3, 88.72]
 * (results in the normal range); below, results are subnormal with absolute
 * error under 1e-44 and 0 from x < -103.98; +inf above 88.72; exp(-inf) = 0,
 * exp(+inf) = +inf, NaN gives NaN. */
static inline float32x4_t nnc_exp_neon(float32x4_t x)
{
    /* vminq/vmaxq return NaN for a NaN operand: NaN passes */
    const float32x4_t xc = vmaxq_f32(NNC_VM_DUP4(NNC_VM_EXP_MIN), vminq_f32(NNC_VM_DUP4(NNC_VM_EXP_MAX), x));
    const float32x4_t n = vrndnq_f32(vmulq_f32(xc, NNC_VM_DUP4(NNC_VM_LOG2E)));
    float32x4_t r = vfmsq_f32(xc, n, NNC_VM_DUP4(NNC_VM_LN2_HI));
    r = vfmsq_f32(r, n, NNC_VM_DUP4(NNC_VM_LN2_LO));
    float32x4_t p = NNC_VM_DUP4(NNC_VM_EXP_P4);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_EXP_P3), p, r);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_EXP_P2), p, r);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_EXP_P1), p, r);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_EXP_P0), p, r);
    p = vfmaq_f32(r, p, vmulq_f32(r, r));
    p = vaddq_f32(p, NNC_VM_DUP4(1.0f));
    /* 2^n = 2^h1 2^h2 with h1 = n >> 1, h2 = n - h1, both in [-75, 64] (NaN: n converts to 0) */
    const int32x4_t ni = vcvtq_s32_f32(n), h1 = vshrq_n_s32(ni, 1), h2 = vsubq_s32(ni, h1);
    const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h1, vdupq_n_s32(127)), 23));
    const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h2, vdupq_n_s32(127)), 23));
    return vmulq_f32(vmulq_f32(p, s1), s2);
}

/* tanh(x). Max relative error 2e-7 (measured 1.4e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 9.1 and at +-inf; NaN gives NaN. */
static inline float32x4_t nnc_tanh_neon(float32x4_t x)
{
    const float32x4_t ax = vabsq_f32(x), u = vmulq_f32(x, x);
    float32x4_t p = NNC_VM_DUP4(NNC_VM_TANH_P4);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_TANH_P3), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_TANH_P2), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_TANH_P1), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_TANH_P0), p, u);
    const float32x4_t small = vfmaq_f32(ax, vmulq_f32(p, u), ax);
    const float32x4_t m = vminq_f32(NNC_VM_DUP4(NNC_VM_TANH_BIG), ax); /* NaN passes */
    const float32x4_t e = nnc_exp_neon(vaddq_f32(m, m));
    const float32x4_t one = NNC_VM_DUP4(1.0f);
    const float32x4_t big = vsubq_f32(one, vdivq_f32(NNC_VM_DUP4(2.0f), vaddq_f32(e, one)));
    const uint32x4_t isbig = vmvnq_u32(vcltq_f32(ax, NNC_VM_DUP4(NNC_VM_TANH_SMALL))); /* NaN: big */
    return nnc_or_neon(vbslq_f32(isbig, big, small), nnc_signbit_neon(x));
}

/* sigmoid(x) = 1 / (1 + exp(-x)), computed as e / (1 + e) with e = exp(x)
 * for x < 0 so that it underflows gradually. Max relative error 2e-7 (measured 1.8e-7) for
 * x >= -87.3; below, absolute error under 1e-44; sigmoid(-inf) = 0,
 * sigmoid(+inf) = 1, NaN gives NaN. */
static inline float32x4_t nnc_sigmoid_neon(float32x4_t x)
{
    const float32x4_t one = NNC_VM_DUP4(1.0f), e = nnc_exp_neon(nnc_or_neon(x, NNC_VM_DUP4(-0.0f))); /* exp(-|x|) */
    const float32x4_t num = vbslq_f32(nnc_signmask_neon(x), e, one); /* sign of x selects */
    return vdivq_f32(num, vaddq_f32(one, e));
}

/* x P(x^2) for |x| < 0.75: erf of a small argument */
static inline float32x4_t nnc_erf_small_neon(float32x4_t x)
{
    const float32x4_t u = vmulq_f32(x, x);
    float32x4_t p = NNC_VM_DUP4(NNC_VM_ERF_P5);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERF_P4), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERF_P3), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERF_P2), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERF_P1), p, u);
    p = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERF_P0), p, u);
    return vmulq_f32(p, x);
}

/* t Q(t), t = 1 / (1 + z/2), for z in [0.75, 10]: erfc(z) exp(z^2) */
static inline float32x4_t nnc_erfc_scaled_neon(float32x4_t z)
{
    const float32x4_t t = vdivq_f32(NNC_VM_DUP4(1.0f), vfmaq_f32(NNC_VM_DUP4(1.0f), z, NNC_VM_DUP4(0.5f)));
    float32x4_t q = NNC_VM_DUP4(NNC_VM_ERFC_Q8);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q7), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q6), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q5), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q4), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q3), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q2), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q1), q, t);
    q = vfmaq_f32(NNC_VM_DUP4(NNC_VM_ERFC_Q0), q, t);
    return vmulq_f32(q, t);
}

/* exp(-s x^2) for s = 1 or 1/2, with x^2 split exactly into hi + lo by FMA
 * so that large |x| loses no accuracy to the rounding of x^2 */
static inline float32x4_t nnc_exp_negsq_neon(float32x4_t x, float s)
{
    const float32x4_t hi = vmulq_f32(x, x), lo = vfmaq_f32(vnegq_f32(hi), x, x);
    const float32x4_t e = nnc_exp_neon(vmulq_f32(hi, NNC_VM_DUP4(-s)));
    return vfmsq_f32(e, vmulq_f32(e, lo), NNC_VM_DUP4(s));
}

/* erf(x). Max relative error 2e-7 (measured 1.8e-7) everywhere (including near 0 and the
 * subnormals); exactly +-1 for |x| >= 3.92 and at +-inf; NaN gives NaN. */
static inline float32x4_t nnc_erf_neon(float32x4_t x)
{
    const float32x4_t ax = vabsq_f32(x), z = vminq_f32(NNC_VM_DUP4(NNC_VM_ERFC_MAX), ax);
    const float32x4_t small = nnc_erf_small_neon(ax);
    const float32x4_t erfc = vmulq_f32(nnc_exp_negsq_neon(z, 1.0f), nnc_erfc_scaled_neon(z));
    const float32x4_t big = vsubq_f32(NNC_VM_DUP4(1.0f), erfc);
    const uint32x4_t isbig = vmvnq_u32(vcltq_f32(ax, NNC_VM_DUP4(NNC_VM_ERF_SMALL))); /* NaN: big */
    return nnc_or_neon(vbslq_f32(isbig, big, small), nnc_signbit_neon(x));
}

/* gelu(x) = x/2 (1 + erf(x / sqrt 2)) (the erf form). Max relative error
 * 5e-7 (measured 4.6e-7) where the result is normal (x > -13.2); below, absolute error
 * under 1e-44 (-0 from x < -14.5 and at -inf); +inf at +inf; NaN gives NaN. */
static inline float32x4_t nnc_gelu_neon(float32x4_t x)
{
    const float32x4_t lim = NNC_VM_DUP4(NNC_VM_GELU_MAX);
    const float32x4_t xc = vmaxq_f32(vnegq_f32(lim), vminq_f32(lim, x)); /* NaN passes */
    const float32x4_t hx = vmulq_f32(xc, NNC_VM_DUP4(0.5f));
    const float32x4_t z = vmulq_f32(vabsq_f32(xc), NNC_VM_DUP4(NNC_VM_SQRT1_2));
    const uint32x4_t neg = vcltq_f32(x, vdupq_n_f32(0.0f));
    /* small z: x/2 (1 +- erf(z)) */
    const float32x4_t es =
        nnc_or_neon(nnc_erf_small_neon(z), vreinterpretq_f32_u32(vandq_u32(neg, vdupq_n_u32(0x80000000u))));
    const float32x4_t small = vfmaq_f32(hx, hx, es);
    /* large z: erfc(z) = exp(-x^2 / 2) t Q(t); x/2 erfc(z) for x < 0, x - x/2 erfc(z) for x > 0 */
    const float32x4_t hxc = vmulq_f32(hx, vmulq_f32(nnc_exp_negsq_neon(xc, 0.5f), nnc_erfc_scaled_neon(z)));
    const float32x4_t big = vbslq_f32(neg, hxc, vsubq_f32(x, hxc));
    const uint32x4_t isbig = vmvnq_u32(vcltq_f32(z, NNC_VM_DUP4(NNC_VM_ERF_SMALL)));
    return vbslq_f32(isbig, big, small);
}

/* ---- lane-wise max/min with the scalar semantics a > b ? a : b ---- */
/* (vmaxq_f32 returns NaN for a NaN operand and orders -0 below +0; the
 * generated code's scalar forms, and the x86 kernels, return b then) */
static inline float32x4_t nnc_max_neon(float32x4_t a, float32x4_t b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline float32x4_t nnc_min_neon(float32x4_t a, float32x4_t b) { return vbslq_f32(vcltq_f32(a, b), a, b); }

/* ---- horizontal reductions (for row-wise kernels) ---- */
static inline float nnc_hsum_neon(float32x4_t v)
{
    const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(s, 0) + vget_lane_f32(s, 1);
}

/* the largest lane, halves first then the pair, each step a > b ? a : b as in nnc_hmax_avx2 */
static inline float nnc_hmax_neon(float32x4_t v)
{
    const float32x2_t lo = vget_low_f32(v), hi = vget_high_f32(v);
    const float32x2_t s = vbsl_f32(vcgt_f32(lo, hi), lo, hi);
    const float s0 = vget_lane_f32(s, 0), s1 = vget_lane_f32(s, 1);
    return s0 > s1 ? s0 : s1;
}

/* lanes [0, n) as a mask (none for n <= 0, all for n >= 4) */
static inline uint32x4_t nnc_tailmask_neon(long n)
{
    static const int32_t idx[4] = {0, 1, 2, 3};
    const int32_t c = n < 0 ? 0 : n > 4 ? 4 : (int32_t)n;
    return vcltq_s32(vld1q_s32(idx), vdupq_n_s32(c));
}

/* ---- masked memory access: only the lanes in the mask are touched ---- */
/* (NEON has no masked loads or stores; a full mask takes one vector access,
 * any other mask lane by lane, so nothing past an array's end is read) */
static inline float32x4_t nnc_loadm_neon(const float *p, uint32x4_t m)
{
    float32x4_t v = vdupq_n_f32(0.0f);
    if (vminvq_u32(m) != 0) return vld1q_f32(p);
    if (vgetq_lane_u32(m, 0)) v = vsetq_lane_f32(p[0], v, 0);
    if (vgetq_lane_u32(m, 1)) v = vsetq_lane_f32(p[1], v, 1);
    if (vgetq_lane_u32(m, 2)) v = vsetq_lane_f32(p[2], v, 2);
    if (vgetq_lane_u32(m, 3)) v = vsetq_lane_f32(p[3], v, 3);
    return v;
}

static inline void nnc_storem_neon(float *p, uint32x4_t m, float32x4_t v)
{
    if (vminvq_u32(m) != 0) {
        vst1q_f32(p, v);
        return;
    }
    if (vgetq_lane_u32(m, 0)) p[0] = vgetq_lane_f32(v, 0);
    if (vgetq_lane_u32(m, 1)) p[1] = vgetq_lane_f32(v, 1);
    if (vgetq_lane_u32(m, 2)) p[2] = vgetq_lane_f32(v, 2);
    if (vgetq_lane_u32(m, 3)) p[3] = vgetq_lane_f32(v, 3);
}

/* lanes j in m from p[j * s + a] (ix NULL) or p[ix[j] + a], 0 elsewhere */
static inline float32x4_t nnc_gatherm_neon(const float *p, const int32_t *ix, long s, long a, uint32x4_t m)
{
    float32x4_t v = vdupq_n_f32(0.0f);
    if (vgetq_lane_u32(m, 0)) v = vsetq_lane_f32(p[(ix ? ix[0] : 0) + a], v, 0);
    if (vgetq_lane_u32(m, 1)) v = vsetq_lane_f32(p[(ix ? ix[1] : s) + a], v, 1);
    if (vgetq_lane_u32(m, 2)) v = vsetq_lane_f32(p[(ix ? ix[2] : 2 * s) + a], v, 2);
    if (vgetq_lane_u32(m, 3)) v = vsetq_lane_f32(p[(ix ? ix[3] : 3 * s) + a], v, 3);
    return v;
}

/* lanes j < n where byte p[j] != 0 (reads p[0 .. n)) */
static inline uint32x4_t nnc_mask_nz_u8_neon(const unsigned char *p, long n)
{
    uint32_t m[4];
    int j;
    for (j = 0; j < 4; j++) m[j] = j < n && p[j] != 0 ? 0xffffffffu : 0u;
    return vld1q_u32(m);
}

/* lanes j < n from p[2j], 0 elsewhere; reads p[0 .. 2n - 1) only */
static inline float32x4_t nnc_load_even_neon(const float *p, long n)
{
    if (n >= 4) /* p[0..4), p[4..6) and p[6] */
        return vuzp1q_f32(vld1q_f32(p), vsetq_lane_f32(p[6], vcombine_f32(vld1_f32(p + 4), vdup_n_f32(0.0f)), 2));
    return nnc_gatherm_neon(p, 0, 2, 0, nnc_tailmask_neon(n));
}

/* The fused-epilogue activation of the SIMD kernels, by code: 0 none, 1 relu,
 * 2 leaky relu (slope a), 3 clip to [a, b], 4 sigmoid, 5 tanh, 6 elu (a;
 * exp(x) - 1 about 1.2e-7 absolute), 7 gelu (erf form), 8 silu; as
 * nnc_act_avx2 (relu and clip with its max/min semantics). Kernels pass
 * constant arguments, so one branch is left after inlining. */
static inline float32x4_t nnc_act_neon(float32x4_t v, int code, float a, float b)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    if (code == 1) return nnc_max_neon(zero, v);
    if (code == 2) return vbslq_f32(vcltq_f32(v, zero), vmulq_f32(v, vdupq_n_f32(a)), v);
    if (code == 3) return nnc_min_neon(vdupq_n_f32(b), nnc_max_neon(vdupq_n_f32(a), v));
    if (code == 4) return nnc_sigmoid_neon(v);
    if (code == 5) return nnc_tanh_neon(v);
    if (code == 6)
        return vbslq_f32(vcltq_f32(v, zero), vmulq_f32(vsubq_f32(nnc_exp_neon(v), vdupq_n_f32(1.0f)), vdupq_n_f32(a)),
                         v);
    if (code == 7) return nnc_gelu_neon(v);
    if (code == 8) return vmulq_f32(v, nnc_sigmoid_neon(v));
    return v;
}

#endif
