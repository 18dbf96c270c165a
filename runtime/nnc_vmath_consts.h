/* nnc_vmath_consts.h — the constants of nnc's vector math, shared by every
 * ISA's header (nnc_vmath_avx2.h, nnc_vmath_avx512.h, nnc_vmath_neon.h): the
 * polynomial coefficients (our own fits, made with mpmath's Chebyshev
 * fitting; the methods are described in nnc_vmath_avx2.h) and the range
 * limits of each function. Plain macros: no intrinsics, any C99 compiler. */
#ifndef NNC_VMATH_CONSTS_H
#define NNC_VMATH_CONSTS_H

/* exp(r) = 1 + r + r^2 (P0 + P1 r + ... + P4 r^4), |r| <= ln2/2 */
#define NNC_VM_EXP_P4 1.392617612e-03f
#define NNC_VM_EXP_P3 8.363173075e-03f
#define NNC_VM_EXP_P2 4.166655466e-02f
#define NNC_VM_EXP_P1 1.666657703e-01f
#define NNC_VM_EXP_P0 5.000000000e-01f
#define NNC_VM_LOG2E 1.442695041e+00f
#define NNC_VM_LN2_HI 6.931471825e-01f   /* ln 2 rounded to float */
#define NNC_VM_LN2_LO (-1.904654300e-09f) /* ln 2 - NNC_VM_LN2_HI */
#define NNC_VM_EXP_MAX 88.8f              /* above: +inf */
#define NNC_VM_EXP_MIN (-104.0f)          /* below: 0 */
/* tanh(x) = x + x^3 (P0 + P1 u + ... + P4 u^4), u = x^2, |x| < 0.625 */
#define NNC_VM_TANH_P4 (-6.096714166e-03f)
#define NNC_VM_TANH_P3 2.099717900e-02f
#define NNC_VM_TANH_P2 (-5.385090958e-02f)
#define NNC_VM_TANH_P1 1.333276974e-01f
#define NNC_VM_TANH_P0 (-3.333332894e-01f)
#define NNC_VM_TANH_SMALL 0.625f
#define NNC_VM_TANH_BIG 9.1f              /* tanh rounds to +-1 beyond */
/* erf(x) = x (P0 + P1 u + ... + P5 u^5), u = x^2, |x| < 0.75 */
#define NNC_VM_ERF_P5 (-6.756479569e-04f)
#define NNC_VM_ERF_P4 5.115332113e-03f
#define NNC_VM_ERF_P3 (-2.683511457e-02f)
#define NNC_VM_ERF_P2 1.128338654e-01f
#define NNC_VM_ERF_P1 (-3.761261947e-01f)
#define NNC_VM_ERF_P0 1.128379166e+00f
#define NNC_VM_ERF_SMALL 0.75f
/* erfc(z) = exp(-z^2) t (Q0 + Q1 t + ... + Q8 t^8), t = 1 / (1 + z/2), z in [0.75, 10] */
#define NNC_VM_ERFC_Q8 (-5.763061027e-02f)
#define NNC_VM_ERFC_Q7 2.844987886e-01f
#define NNC_VM_ERFC_Q6 (-4.959312057e-01f)
#define NNC_VM_ERFC_Q5 2.938327640e-01f
#define NNC_VM_ERFC_Q4 (-3.938818325e-02f)
#define NNC_VM_ERFC_Q3 2.083062665e-01f
#define NNC_VM_ERFC_Q2 2.417216731e-01f
#define NNC_VM_ERFC_Q1 2.825526117e-01f
#define NNC_VM_ERFC_Q0 2.820772325e-01f
#define NNC_VM_ERFC_MAX 10.0f             /* erf is 1 and erfc 0 (in float) beyond */
#define NNC_VM_SQRT1_2 7.071067812e-01f
#define NNC_VM_GELU_MAX 14.5f             /* gelu is x beyond, and 0 (underflow) below -GELU_MAX */

#endif
