/* lstm.c — generic ONNX LSTM, one direction per kernel (a bidirectional node
 * calls two instantiations). Gates are ordered i, o, f, c in W, R and B;
 * peepholes P are ordered i, o, f:
 *   i = f(Wi x + Ri h + Pi*c + Wbi + Rbi)    c~ = g(Wc x + Rc h + Wbc + Rbc)
 *   f = f(Wf x + Rf h + Pf*c + Wbf + Rbf)    (1 - i with INPUT_FORGET)
 *   C = f*c + i*c~    o = f(Wo x + Ro h + Po*C + Wbo + Rbo)    H = o*h(C)
 * CLIP (with HAS_CLIP) bounds every gate's input to [-CLIP, CLIP].
 * Batch rows are independent, so they are taken in blocks of BB; for each
 * block the input projections W x + Wb + Rb of TC steps at a time are one
 * GEMM-like loop into `gates`, then the recurrence adds R h step by step and
 * applies the gates. All scratch is local arrays of constant size (the
 * compiler keeps them within 64 KB). Strides XS_T/XS_B, YS_T/YS_B, HS_B and
 * the direction's offsets (Y_OFF, H_OFF, W_OFF, ...) cover both layouts.
 * With HAS_LENS, batch row b only runs steps t < lens[b] (in reverse from
 * lens[b] - 1); Y is zero past them and Y_h / Y_c hold the last valid state.
 * A length outside [0, SEQ] returns STATUS_INDEX. */
#ifdef NNC_LINT
#include <math.h>
#include <stdint.h>
#define T float
#define TL int32_t
#define SEQ 3
#define BATCH 2
#define INPUT 5
#define HIDDEN 4
#define REVERSE 0
#define XS_T 10
#define XS_B 5
#define YS_T 8
#define YS_B 4
#define Y_OFF 0
#define HS_B 4
#define H_OFF 0
#define W_OFF 0
#define R_OFF 0
#define B_OFF 0
#define P_OFF 0
#define HAS_B 1
#define HAS_LENS 1
#define HAS_H0 1
#define HAS_C0 1
#define HAS_P 1
#define HAS_Y 1
#define HAS_YH 1
#define HAS_YC 1
#define BB 2
#define TC 2
#define EXP expf
#define TANH tanhf
#define ACT_F ((T)1 / ((T)1 + EXP(-v)))
#define ACT_G TANH(v)
#define ACT_H TANH(v)
#define HAS_CLIP 0
#define CLIP 0.0f
#define INPUT_FORGET 0
#define STATUS_INDEX 2
#define KERNEL lstm_lint
static int lstm_lint(const T *restrict x, const T *restrict w, const T *restrict r, const T *restrict bias,
                     const TL *restrict lens, const T *restrict h0, const T *restrict c0, const T *restrict p,
                     T *restrict y, T *restrict yh, T *restrict yc);
#endif
/* @begin */
static T KERNEL_f(const T v) { return ACT_F; }
static T KERNEL_g(const T v) { return ACT_G; }
static T KERNEL_h(const T v) { return ACT_H; }
static T KERNEL_clip(const T v) { return HAS_CLIP ? (v < -CLIP ? -CLIP : (v > CLIP ? CLIP : v)) : v; }

/* sum of a[k] * b[k], k < n, in four interleaved partial sums */
static T KERNEL_dot(const T *restrict a, const T *restrict b, const long n)
{
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long k;
    for (k = 0; k < n - n % 4; k += 4) {
        s0 += a[k] * b[k];
        s1 += a[k + 1] * b[k + 1];
        s2 += a[k + 2] * b[k + 2];
        s3 += a[k + 3] * b[k + 3];
    }
    for (; k < n; k++) s0 += a[k] * b[k];
    return (s0 + s1) + (s2 + s3);
}

static int KERNEL(const T *restrict x, const T *restrict w, const T *restrict r, const T *restrict bias,
                  const TL *restrict lens, const T *restrict h0, const T *restrict c0, const T *restrict p,
                  T *restrict y, T *restrict yh, T *restrict yc)
{
    T gates[TC * BB * 4 * HIDDEN]; /* [step][row][4 * HIDDEN] */
    T hs[BB * HIDDEN], cs[BB * HIDDEN];
    long len[BB];
    long b0, bb, nb, s0, ns, s, t, j, n;
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
                hs[bb * HIDDEN + j] = HAS_H0 ? h0[hoff + j] : (T)0;
                cs[bb * HIDDEN + j] = HAS_C0 ? c0[hoff + j] : (T)0;
            }
        }
        for (s0 = 0; s0 < SEQ; s0 += TC) {
            ns = SEQ - s0 < TC ? SEQ - s0 : TC;
            /* input projections of ns steps x nb rows */
            for (n = 0; n < 4 * HIDDEN; n++) {
                const T *wn = w + W_OFF + n * (long)INPUT;
                const T bn = HAS_B ? bias[B_OFF + n] + bias[B_OFF + 4 * HIDDEN + n] : (T)0;
                for (s = 0; s < ns; s++) {
                    t = REVERSE ? SEQ - 1 - (s0 + s) : s0 + s;
                    for (bb = 0; bb < nb; bb++)
                        gates[(s * BB + bb) * (4 * HIDDEN) + n] =
                            bn + KERNEL_dot(wn, x + t * (long)XS_T + (b0 + bb) * (long)XS_B, INPUT);
                }
            }
            /* the recurrence */
            for (s = 0; s < ns; s++) {
                t = REVERSE ? SEQ - 1 - (s0 + s) : s0 + s;
                for (bb = 0; bb < nb; bb++) {
                    T *gt = gates + (s * BB + bb) * (4 * HIDDEN);
                    T *h = hs + bb * HIDDEN, *c = cs + bb * HIDDEN;
                    T *yt = HAS_Y ? y + Y_OFF + t * (long)YS_T + (b0 + bb) * (long)YS_B : y;
                    if (t >= len[bb]) { /* past this row's length */
                        if (HAS_Y)
                            for (j = 0; j < HIDDEN; j++) yt[j] = 0;
                        continue;
                    }
                    for (n = 0; n < 4 * HIDDEN; n++) gt[n] += KERNEL_dot(r + R_OFF + n * (long)HIDDEN, h, HIDDEN);
                    for (j = 0; j < HIDDEN; j++) {
                        const T cp = c[j];
                        T gi = gt[j], go = gt[HIDDEN + j], gf = gt[2 * HIDDEN + j], gc = gt[3 * HIDDEN + j], cn;
                        if (HAS_P) gi += p[P_OFF + j] * cp;
                        gi = KERNEL_f(KERNEL_clip(gi));
                        if (INPUT_FORGET) {
                            gf = (T)1 - gi;
                        } else {
                            if (HAS_P) gf += p[P_OFF + 2 * HIDDEN + j] * cp;
                            gf = KERNEL_f(KERNEL_clip(gf));
                        }
                        gc = KERNEL_g(KERNEL_clip(gc));
                        cn = gf * cp + gi * gc;
                        if (HAS_P) go += p[P_OFF + HIDDEN + j] * cn;
                        go = KERNEL_f(KERNEL_clip(go));
                        c[j] = cn;
                        h[j] = go * KERNEL_h(cn);
                    }
                    if (HAS_Y)
                        for (j = 0; j < HIDDEN; j++) yt[j] = h[j];
                }
            }
        }
        for (bb = 0; bb < nb; bb++) {
            const long hoff = H_OFF + (b0 + bb) * (long)HS_B;
            for (j = 0; j < HIDDEN; j++) {
                if (HAS_YH) yh[hoff + j] = hs[bb * HIDDEN + j];
                if (HAS_YC) yc[hoff + j] = cs[bb * HIDDEN + j];
            }
        }
    }
    return 0;
}
/* @end */
