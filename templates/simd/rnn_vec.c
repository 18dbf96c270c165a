/* rnn_vec.c — RNN (CELL 0), LSTM (1) and GRU (2) on FLOAT, one
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
 * streamed) and the gates run VLANES hidden units at a time in registers
 * (masked tail), written in the vector layer (templates/<isa>/vops.c). Activations VACT_F/G/H (with alpha VACT_?A, beta VACT_?B) are coded
 * 0 relu, 1 tanh, 2 sigmoid, 3 affine, 4 leaky relu, 5 thresholded relu,
 * 6 scaled tanh, 7 hard sigmoid, 8 elu, 9 softsign; tanh, sigmoid and exp
 * come from the runtime vector math (about 2e-7 relative error); a NaN
 * given to ThresholdedRelu stays NaN (the generic kernel gives 0). With
 * HAS_LENS, batch row b runs steps t < lens[b]; Y is zero past them and
 * Y_h / Y_c hold the last valid state; a length outside [0, SEQ] returns
 * STATUS_INDEX. Scratch is local arrays of constant size (within 64 KB). */
#ifdef NNC_LINT
#include "lint.h"
#include <stdint.h>
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
#define MR 8
#define NR 32
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
static inline NNC_TARGET __attribute__((always_inline)) VFLOAT KERNEL_act(const VFLOAT v, const int code,
                                                                          const float a, const float b)
{
    const VFLOAT zero = VZERO(), one = VSET(1.0f);
    switch (code) {
    case 0: return VSEL_LT(v, zero, zero, v);
    case 1: return VTANH(v);
    case 2: return VSIGMOID(v);
    case 3: return VFMA(VSET(a), v, VSET(b));
    case 4: return VSEL_LT(v, zero, VMUL(v, VSET(a)), v);
    case 5: return VSEL_LT(v, VSET(a), zero, v);
    case 6: return VMUL(VSET(a), VTANH(VMUL(VSET(b), v)));
    case 7: return VMIN(one, VMAX(zero, VFMA(VSET(a), v, VSET(b))));
    case 8: return VSEL_LT(v, zero, VMUL(VEXPM1(v), VSET(a)), v);
    default: return VDIV(v, VADD(one, VABS(v)));
    }
}

/* [-CLIP, CLIP] with HAS_CLIP (NaN passes) */
static inline NNC_TARGET __attribute__((always_inline)) VFLOAT KERNEL_clip(const VFLOAT v)
{
    if (!HAS_CLIP) return v;
    return VMIN(VSET(CLIP), VMAX(VSET(-CLIP), v));
}

#define KERNEL_F(v) KERNEL_act(KERNEL_clip(v), VACT_F, VACT_FA, VACT_FB)
#define KERNEL_G(v) KERNEL_act(KERNEL_clip(v), VACT_G, VACT_GA, VACT_GB)
#define KERNEL_LD(p) VLOAD_M(p, m)
/* lanes of hidden units [j, j + VLANES) that are below HIDDEN */
#define KERNEL_MASK(j) VTAIL(HIDDEN - (j) < VLANES ? HIDDEN - (j) : VLANES)

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

/* one LSTM step of one row: gt = its gates, h / c its state, yt its Y row (or 0) */
static NNC_TARGET void KERNEL_lstm(const float *gt, float *h, float *c, const float *p, float *yt)
{
    long j;
    (void)p;
    for (j = 0; j < HIDDEN; j += VLANES) {
        const VMASK m = KERNEL_MASK(j);
        const VFLOAT cp = KERNEL_LD(c + j);
        VFLOAT gi = KERNEL_LD(gt + j), go = KERNEL_LD(gt + HIDDEN + j), gf = KERNEL_LD(gt + 2 * HIDDEN + j);
        VFLOAT gc = KERNEL_G(KERNEL_LD(gt + 3 * HIDDEN + j)), cn, hn;
        if (HAS_P) gi = VFMA(KERNEL_LD(p + j), cp, gi);
        gi = KERNEL_F(gi);
        if (INPUT_FORGET) {
            gf = VSUB(VSET(1.0f), gi);
        } else {
            if (HAS_P) gf = VFMA(KERNEL_LD(p + 2 * HIDDEN + j), cp, gf);
            gf = KERNEL_F(gf);
        }
        cn = VFMA(gf, cp, VMUL(gi, gc));
        if (HAS_P) go = VFMA(KERNEL_LD(p + HIDDEN + j), cn, go);
        go = KERNEL_F(go);
        hn = VMUL(go, KERNEL_act(cn, VACT_H, VACT_HA, VACT_HB));
        VSTORE_M(c + j, m, cn);
        VSTORE_M(h + j, m, hn);
        if (HAS_Y) VSTORE_M(yt + j, m, hn);
    }
}

/* GRU, first half of a step for one row: z and r from their gates (z
 * stored back in place); tmp = r * h (LINEAR_BEFORE_RESET 0), or r stored
 * back in place (1). */
static NNC_TARGET void KERNEL_gru_zr(float *gt, const float *h, float *tmp)
{
    long j;
    for (j = 0; j < HIDDEN; j += VLANES) {
        const VMASK m = KERNEL_MASK(j);
        const VFLOAT z = KERNEL_F(KERNEL_LD(gt + j)), r = KERNEL_F(KERNEL_LD(gt + HIDDEN + j));
        VSTORE_M(gt + j, m, z);
        if (LINEAR_BEFORE_RESET) VSTORE_M(gt + HIDDEN + j, m, r);
        else VSTORE_M(tmp + j, m, VMUL(r, KERNEL_LD(h + j)));
    }
}

/* GRU, second half: h~ from its gate (LINEAR_BEFORE_RESET: plus r * (tmp +
 * Rbh), tmp = Rh h), then h = (1 - z) h~ + z h */
static NNC_TARGET void KERNEL_gru_h(const float *gt, float *h, const float *tmp, const float *rbh, float *yt)
{
    long j;
    (void)tmp;
    (void)rbh;
    for (j = 0; j < HIDDEN; j += VLANES) {
        const VMASK m = KERNEL_MASK(j);
        const VFLOAT z = KERNEL_LD(gt + j), hp = KERNEL_LD(h + j);
        VFLOAT a = KERNEL_LD(gt + 2 * HIDDEN + j), hn;
        if (LINEAR_BEFORE_RESET)
            a = VFMA(KERNEL_LD(gt + HIDDEN + j), VADD(KERNEL_LD(tmp + j), KERNEL_LD(rbh + j)), a);
        hn = KERNEL_G(a);
        hn = VFMA(z, VSUB(hp, hn), hn);
        VSTORE_M(h + j, m, hn);
        if (HAS_Y) VSTORE_M(yt + j, m, hn);
    }
}

/* simple RNN: h = f(gate) */
static NNC_TARGET void KERNEL_rnn(const float *gt, float *h, float *yt)
{
    long j;
    for (j = 0; j < HIDDEN; j += VLANES) {
        const VMASK m = KERNEL_MASK(j);
        const VFLOAT hn = KERNEL_F(KERNEL_LD(gt + j));
        VSTORE_M(h + j, m, hn);
        if (HAS_Y) VSTORE_M(yt + j, m, hn);
    }
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
#undef KERNEL_MASK
/* @end */
