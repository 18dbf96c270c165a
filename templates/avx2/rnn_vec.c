/* rnn_vec.c — AVX2 RNN (CELL 0), LSTM (1) and GRU (2) on FLOAT, one
 * direction per kernel, with the semantics of generic/{rnn,lstm,gru}.c (gate
 * order, peepholes, clip, INPUT_FORGET, LINEAR_BEFORE_RESET, sequence
 * lengths, strides of both layouts). The weights were packed at compile time
 * (compiler/ops/rnn.c) into the panels the register tile TILE (gemm_tile)
 * streams: gate g, panel q of NR hidden units is
 *   wp + (g * NP + q) * INPUT * NR    W^T: INPUT rows of NR (zero past HIDDEN)
 *   rp + (g * NP + q) * HIDDEN * NR   R^T: HIDDEN rows of NR
 * and bias[G * HIDDEN] is Wb + Rb (for GRU's h gate with
 * LINEAR_BEFORE_RESET, Wb only; Rbh then follows in bias[G * HIDDEN ..]).
 * Per block of BB batch rows and TC steps, the input projections of all
 * the block's steps are one GEMM on the tile (its rows are the batch rows of
 * a step or the steps of a batch row, whichever are more) into
 * gates[t - first step][row][G * HIDDEN], biases added; each step then adds
 * h R^T for every row of the block on the same tile (h broadcast, packed R^T
 * streamed) and the gates run 8 hidden units at a time in registers (masked
 * tail). Activations VACT_F/G/H (with alpha VACT_?A, beta VACT_?B) are coded
 * 0 relu, 1 tanh, 2 sigmoid, 3 affine, 4 leaky relu, 5 thresholded relu,
 * 6 scaled tanh, 7 hard sigmoid, 8 elu, 9 softsign; tanh, sigmoid and exp
 * come from runtime/nnc_vmath_avx2.h (about 2e-7 relative error). With
 * HAS_LENS, batch row b runs steps t < lens[b]; Y is zero past them and
 * Y_h / Y_c hold the last valid state; a length outside [0, SEQ] returns
 * STATUS_INDEX. Scratch is local arrays of constant size (within 64 KB). */
#ifdef NNC_LINT
#include <immintrin.h>
#include <stdint.h>
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
#define TL int32_t
#define CELL 1
#define G 4
#define SEQ 3
#define BATCH 2
#define INPUT 5
#define HIDDEN 20
#define NP 1
#define REVERSE 0
#define XS_T 10
#define XS_B 5
#define YS_T 40
#define YS_B 20
#define Y_OFF 0
#define HS_B 20
#define H_OFF 0
#define P_OFF 0
#define HAS_LENS 1
#define HAS_H0 1
#define HAS_C0 1
#define HAS_P 1
#define HAS_Y 1
#define HAS_YH 1
#define HAS_YC 1
#define BB 2
#define TC 2
#define MR 6
#define NR 16
#define VACT_F 2
#define VACT_FA 0.0f
#define VACT_FB 0.0f
#define VACT_G 1
#define VACT_GA 0.0f
#define VACT_GB 0.0f
#define VACT_H 1
#define VACT_HA 0.0f
#define VACT_HB 0.0f
#define HAS_CLIP 0
#define CLIP 0.0f
#define INPUT_FORGET 0
#define LINEAR_BEFORE_RESET 0
#define STATUS_INDEX 2
#define TILE gemm_tile_lint
#define KERNEL rnn_vec_lint
void gemm_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET int rnn_vec_lint(const float *restrict x, const float *restrict wp, const float *restrict rp,
                                   const float *restrict bias, const TL *restrict lens, const float *restrict h0,
                                   const float *restrict c0, const float *restrict p, float *restrict y,
                                   float *restrict yh, float *restrict yc);
#endif
/* @begin */
static inline NNC_TARGET __attribute__((always_inline)) __m256 KERNEL_act(const __m256 v, const int code,
                                                                          const float a, const float b)
{
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    const __m256 neg = _mm256_cmp_ps(v, zero, _CMP_LT_OQ);
    switch (code) {
    case 0: return _mm256_andnot_ps(neg, v);
    case 1: return nnc_tanh_avx2(v);
    case 2: return nnc_sigmoid_avx2(v);
    case 3: return _mm256_fmadd_ps(_mm256_set1_ps(a), v, _mm256_set1_ps(b));
    case 4: return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(a)), neg);
    case 5: return _mm256_and_ps(_mm256_cmp_ps(v, _mm256_set1_ps(a), _CMP_GE_OQ), v);
    case 6: return _mm256_mul_ps(_mm256_set1_ps(a), nnc_tanh_avx2(_mm256_mul_ps(_mm256_set1_ps(b), v)));
    case 7:
        return _mm256_min_ps(one, _mm256_max_ps(zero, _mm256_fmadd_ps(_mm256_set1_ps(a), v, _mm256_set1_ps(b))));
    case 8: return _mm256_blendv_ps(v, _mm256_mul_ps(_mm256_sub_ps(nnc_exp_avx2(v), one), _mm256_set1_ps(a)), neg);
    default: return _mm256_div_ps(v, _mm256_add_ps(one, nnc_abs_avx2(v)));
    }
}

/* [-CLIP, CLIP] with HAS_CLIP (NaN passes) */
static inline NNC_TARGET __attribute__((always_inline)) __m256 KERNEL_clip(const __m256 v)
{
    if (!HAS_CLIP) return v;
    return _mm256_min_ps(_mm256_set1_ps(CLIP), _mm256_max_ps(_mm256_set1_ps(-CLIP), v));
}

#define KERNEL_F(v) KERNEL_act(KERNEL_clip(v), VACT_F, VACT_FA, VACT_FB)
#define KERNEL_G(v) KERNEL_act(KERNEL_clip(v), VACT_G, VACT_GA, VACT_GB)
/* loads and stores of hidden units [j, j + 8): whole (full) or masked by m */
#define KERNEL_LD(p) (full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m))
#define KERNEL_ST(p, v)                                                                                    \
    do {                                                                                                   \
        if (full) _mm256_storeu_ps(p, v);                                                                  \
        else _mm256_maskstore_ps(p, m, v);                                                                 \
    } while (0)
/* run CHUNK(j, full, m) over the hidden units, 8 at a time, then the tail */
#define KERNEL_UNITS(CHUNK)                                                                                \
    do {                                                                                                   \
        long j_;                                                                                           \
        for (j_ = 0; j_ + 8 <= HIDDEN; j_ += 8) CHUNK(j_, 1, _mm256_setzero_si256());                     \
        if (HIDDEN % 8) CHUNK(j_, 0, nnc_tailmask_avx2(HIDDEN % 8));                                       \
    } while (0)

/* gates[(t - tlo) * BB + r][G * HIDDEN] = bias + W x(t, b0 + r) for the ns
 * steps from tlo and the nb rows from b0: a GEMM on the tile whose rows are
 * the rows of one step (stride XS_B) or the steps of one row (XS_T). */
static NNC_TARGET void KERNEL_project(const float *x, const float *wp, const float *bias, float *gates,
                                      const long tlo, const long ns, const long b0, const long nb)
{
    const int by_row = nb >= ns;
    const long outer = by_row ? ns : nb, inner = by_row ? nb : ns;
    const long lai = by_row ? XS_B : XS_T, ldc = by_row ? G * HIDDEN : BB * G * HIDDEN;
    long g, q, i, m0;
    for (g = 0; g < G; g++)
        for (q = 0; q < NP; q++) {
            const long j = g * (long)HIDDEN + q * NR, nr = HIDDEN - q * NR < NR ? HIDDEN - q * NR : NR;
            const float *bp = wp + (g * NP + q) * (long)INPUT * NR;
            for (i = 0; i < outer; i++)
                for (m0 = 0; m0 < inner; m0 += MR) {
                    const long mr = inner - m0 < MR ? inner - m0 : MR;
                    const long t = by_row ? tlo + i : tlo + m0, b = by_row ? b0 + m0 : b0 + i;
                    TILE(mr, nr, INPUT, x + t * (long)XS_T + b * (long)XS_B, lai, 1, bp,
                         gates + ((t - tlo) * BB + b - b0) * (G * HIDDEN) + j, ldc, 2, 0, bias + j, 0, 0);
                }
        }
}

/* c[r] (+ with flags 1)= a[r] R^T over gates [g0, g1) for nb rows: row r
 * of a at a + r * HIDDEN, of c at c + r * ldc (c points at gate g0). */
static NNC_TARGET void KERNEL_recur(const float *rp, const float *a, float *c, const long ldc, const long nb,
                                    const long g0, const long g1, const int flags)
{
    long g, q, m0;
    for (g = g0; g < g1; g++)
        for (q = 0; q < NP; q++) {
            const long nr = HIDDEN - q * NR < NR ? HIDDEN - q * NR : NR;
            const float *bp = rp + (g * NP + q) * (long)HIDDEN * NR;
            for (m0 = 0; m0 < nb; m0 += MR)
                TILE(nb - m0 < MR ? nb - m0 : MR, nr, HIDDEN, a + m0 * HIDDEN, HIDDEN, 1, bp,
                     c + m0 * ldc + (g - g0) * HIDDEN + q * NR, ldc, flags, 0, 0, 0, 0);
        }
}

/* LSTM, units [j, j + 8) of one row: gt = its gates, h / c its state, yt its Y row (or 0) */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_lstm8(const float *gt, float *h, float *c, const float *p, float *yt, const long j, const int full,
             const __m256i m)
{
    const __m256 cp = KERNEL_LD(c + j);
    __m256 gi = KERNEL_LD(gt + j), go = KERNEL_LD(gt + HIDDEN + j), gf = KERNEL_LD(gt + 2 * HIDDEN + j);
    __m256 gc = KERNEL_G(KERNEL_LD(gt + 3 * HIDDEN + j)), cn, hn;
    (void)p;
    if (HAS_P) gi = _mm256_fmadd_ps(KERNEL_LD(p + j), cp, gi);
    gi = KERNEL_F(gi);
    if (INPUT_FORGET) {
        gf = _mm256_sub_ps(_mm256_set1_ps(1.0f), gi);
    } else {
        if (HAS_P) gf = _mm256_fmadd_ps(KERNEL_LD(p + 2 * HIDDEN + j), cp, gf);
        gf = KERNEL_F(gf);
    }
    cn = _mm256_fmadd_ps(gf, cp, _mm256_mul_ps(gi, gc));
    if (HAS_P) go = _mm256_fmadd_ps(KERNEL_LD(p + HIDDEN + j), cn, go);
    go = KERNEL_F(go);
    hn = _mm256_mul_ps(go, KERNEL_act(cn, VACT_H, VACT_HA, VACT_HB));
    KERNEL_ST(c + j, cn);
    KERNEL_ST(h + j, hn);
    if (HAS_Y) KERNEL_ST(yt + j, hn);
}

static NNC_TARGET void KERNEL_lstm(const float *gt, float *h, float *c, const float *p, float *yt)
{
#define KERNEL_C(j, full, m) KERNEL_lstm8(gt, h, c, p, yt, j, full, m)
    KERNEL_UNITS(KERNEL_C);
#undef KERNEL_C
}

/* GRU, first half of a step for one row: z and r from their gates (z
 * stored back in place); tmp = r * h (LINEAR_BEFORE_RESET 0), or r stored
 * back in place (1). */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_gru_zr8(float *gt, const float *h, float *tmp, const long j, const int full, const __m256i m)
{
    const __m256 z = KERNEL_F(KERNEL_LD(gt + j)), r = KERNEL_F(KERNEL_LD(gt + HIDDEN + j));
    KERNEL_ST(gt + j, z);
    if (LINEAR_BEFORE_RESET) KERNEL_ST(gt + HIDDEN + j, r);
    else KERNEL_ST(tmp + j, _mm256_mul_ps(r, KERNEL_LD(h + j)));
}

static NNC_TARGET void KERNEL_gru_zr(float *gt, const float *h, float *tmp)
{
#define KERNEL_C(j, full, m) KERNEL_gru_zr8(gt, h, tmp, j, full, m)
    KERNEL_UNITS(KERNEL_C);
#undef KERNEL_C
}

/* GRU, second half: h~ from its gate (LINEAR_BEFORE_RESET: plus r * (tmp +
 * Rbh), tmp = Rh h), then h = (1 - z) h~ + z h */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_gru_h8(const float *gt, float *h, const float *tmp, const float *rbh, float *yt, const long j,
              const int full, const __m256i m)
{
    const __m256 z = KERNEL_LD(gt + j), hp = KERNEL_LD(h + j);
    __m256 a = KERNEL_LD(gt + 2 * HIDDEN + j), hn;
    (void)tmp;
    (void)rbh;
    if (LINEAR_BEFORE_RESET)
        a = _mm256_fmadd_ps(KERNEL_LD(gt + HIDDEN + j), _mm256_add_ps(KERNEL_LD(tmp + j), KERNEL_LD(rbh + j)), a);
    hn = KERNEL_G(a);
    hn = _mm256_fmadd_ps(z, _mm256_sub_ps(hp, hn), hn);
    KERNEL_ST(h + j, hn);
    if (HAS_Y) KERNEL_ST(yt + j, hn);
}

static NNC_TARGET void KERNEL_gru_h(const float *gt, float *h, const float *tmp, const float *rbh, float *yt)
{
#define KERNEL_C(j, full, m) KERNEL_gru_h8(gt, h, tmp, rbh, yt, j, full, m)
    KERNEL_UNITS(KERNEL_C);
#undef KERNEL_C
}

/* simple RNN: h = f(gate) */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_rnn8(const float *gt, float *h, float *yt, const long j, const int full, const __m256i m)
{
    const __m256 hn = KERNEL_F(KERNEL_LD(gt + j));
    KERNEL_ST(h + j, hn);
    if (HAS_Y) KERNEL_ST(yt + j, hn);
}

static NNC_TARGET void KERNEL_rnn(const float *gt, float *h, float *yt)
{
#define KERNEL_C(j, full, m) KERNEL_rnn8(gt, h, yt, j, full, m)
    KERNEL_UNITS(KERNEL_C);
#undef KERNEL_C
}

/* One step t of nb rows whose gates (input projections) are gt. */
static NNC_TARGET void KERNEL_step(const float *rp, const float *bias, const float *p, float *gt, float *hs,
                                   float *cs, float *tmp, const long *len, float *y, const long t, const long b0,
                                   const long nb)
{
    const long gh = G * (long)HIDDEN;
    long bb, j;
    (void)cs;
    (void)tmp;
    (void)bias;
    (void)p;
    if (CELL == 2) {
        KERNEL_recur(rp, hs, gt, gh, nb, 0, 2, 1);
        for (bb = 0; bb < nb; bb++) KERNEL_gru_zr(gt + bb * gh, hs + bb * HIDDEN, tmp + bb * HIDDEN);
        if (LINEAR_BEFORE_RESET) KERNEL_recur(rp, hs, tmp, HIDDEN, nb, 2, 3, 0);
        else KERNEL_recur(rp, tmp, gt + 2 * HIDDEN, gh, nb, 2, 3, 1);
    } else {
        KERNEL_recur(rp, hs, gt, gh, nb, 0, G, 1);
    }
    for (bb = 0; bb < nb; bb++) {
        float *yt = HAS_Y ? y + Y_OFF + t * (long)YS_T + (b0 + bb) * (long)YS_B : y;
        if (t >= len[bb]) { /* past this row's length */
            if (HAS_Y)
                for (j = 0; j < HIDDEN; j++) yt[j] = 0;
            continue;
        }
        if (CELL == 0) KERNEL_rnn(gt + bb * gh, hs + bb * HIDDEN, yt);
        if (CELL == 1) KERNEL_lstm(gt + bb * gh, hs + bb * HIDDEN, cs + bb * HIDDEN, HAS_P ? p + P_OFF : p, yt);
        if (CELL == 2) KERNEL_gru_h(gt + bb * gh, hs + bb * HIDDEN, tmp + bb * HIDDEN, bias + gh, yt);
    }
}

static NNC_TARGET int KERNEL(const float *restrict x, const float *restrict wp, const float *restrict rp,
                             const float *restrict bias, const TL *restrict lens, const float *restrict h0,
                             const float *restrict c0, const float *restrict p, float *restrict y,
                             float *restrict yh, float *restrict yc)
{
    float gates[TC * BB * G * HIDDEN]; /* [step - first step][row][G * HIDDEN] */
    float hs[BB * HIDDEN], cs[CELL == 1 ? BB * HIDDEN : 1], tmp[CELL == 2 ? BB * HIDDEN : 1];
    long len[BB];
    long b0, bb, nb, s0, ns, s, t, tlo, j;
    (void)c0;
    (void)yc;
    for (b0 = 0; b0 < BATCH; b0 += BB) {
        nb = BATCH - b0 < BB ? BATCH - b0 : BB;
        for (bb = 0; bb < nb; bb++) {
            const long hoff = H_OFF + (b0 + bb) * (long)HS_B;
            len[bb] = SEQ;
            if (HAS_LENS) {
                if (lens[b0 + bb] < 0 || lens[b0 + bb] > SEQ) return STATUS_INDEX;
                len[bb] = (long)lens[b0 + bb];
            }
            for (j = 0; j < HIDDEN; j++) {
                hs[bb * HIDDEN + j] = HAS_H0 ? h0[hoff + j] : 0.0f;
                if (CELL == 1) cs[bb * HIDDEN + j] = HAS_C0 ? c0[hoff + j] : 0.0f;
            }
        }
        for (s0 = 0; s0 < SEQ; s0 += TC) {
            ns = SEQ - s0 < TC ? SEQ - s0 : TC;
            tlo = REVERSE ? SEQ - s0 - ns : s0;
            KERNEL_project(x, wp, bias, gates, tlo, ns, b0, nb);
            for (s = 0; s < ns; s++) {
                t = REVERSE ? SEQ - 1 - (s0 + s) : s0 + s;
                KERNEL_step(rp, bias, p, gates + (t - tlo) * BB * (G * HIDDEN), hs, cs, tmp, len, y, t, b0, nb);
            }
        }
        for (bb = 0; bb < nb; bb++) {
            const long hoff = H_OFF + (b0 + bb) * (long)HS_B;
            for (j = 0; j < HIDDEN; j++) {
                if (HAS_YH) yh[hoff + j] = hs[bb * HIDDEN + j];
                if (CELL == 1 && HAS_YC) yc[hoff + j] = cs[bb * HIDDEN + j];
            }
        }
    }
    return 0;
}
#undef KERNEL_F
#undef KERNEL_G
#undef KERNEL_LD
#undef KERNEL_ST
#undef KERNEL_UNITS
/* @end */
