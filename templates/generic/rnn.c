/* rnn.c — generic ONNX RNN (Elman), one direction per kernel (a
 * bidirectional node calls two instantiations):
 *   H = f(Wi x + Ri h + Wbi + Rbi)
 * CLIP (with HAS_CLIP) bounds the activation's input to [-CLIP, CLIP].
 * The loop structure is lstm.c's: batch blocks of BB rows; per block the
 * input projections W x + Wb + Rb of TC steps at a time are one GEMM-like
 * loop into `gates`, then the recurrence adds R h. With HAS_LENS, batch row b
 * only runs steps t < lens[b]; Y is zero past them and Y_h holds the last
 * valid state. A length outside [0, SEQ] returns STATUS_INDEX. */
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
#define HAS_B 1
#define HAS_LENS 1
#define HAS_H0 1
#define HAS_Y 1
#define HAS_YH 1
#define BB 2
#define TC 2
#define TANH tanhf
#define ACT_F TANH(v)
#define HAS_CLIP 0
#define CLIP 0.0f
#define STATUS_INDEX 2
#define KERNEL rnn_lint
static int rnn_lint(const T *restrict x, const T *restrict w, const T *restrict r, const T *restrict bias,
                    const TL *restrict lens, const T *restrict h0, T *restrict y, T *restrict yh);
#endif
/* @begin */
static T KERNEL_f(const T v) { return ACT_F; }
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
                  const TL *restrict lens, const T *restrict h0, T *restrict y, T *restrict yh)
{
    T gates[TC * BB * HIDDEN]; /* [step][row][HIDDEN] */
    T hs[BB * HIDDEN];
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
            for (j = 0; j < HIDDEN; j++) hs[bb * HIDDEN + j] = HAS_H0 ? h0[hoff + j] : (T)0;
        }
        for (s0 = 0; s0 < SEQ; s0 += TC) {
            ns = SEQ - s0 < TC ? SEQ - s0 : TC;
            /* input projections of ns steps x nb rows */
            for (n = 0; n < HIDDEN; n++) {
                const T *wn = w + W_OFF + n * (long)INPUT;
                const T bn = HAS_B ? bias[B_OFF + n] + bias[B_OFF + HIDDEN + n] : (T)0;
                for (s = 0; s < ns; s++) {
                    t = REVERSE ? SEQ - 1 - (s0 + s) : s0 + s;
                    for (bb = 0; bb < nb; bb++)
                        gates[(s * BB + bb) * HIDDEN + n] =
                            bn + KERNEL_dot(wn, x + t * (long)XS_T + (b0 + bb) * (long)XS_B, INPUT);
                }
            }
            /* the recurrence */
            for (s = 0; s < ns; s++) {
                t = REVERSE ? SEQ - 1 - (s0 + s) : s0 + s;
                for (bb = 0; bb < nb; bb++) {
                    T *gt = gates + (s * BB + bb) * HIDDEN;
                    T *h = hs + bb * HIDDEN;
                    T *yt = HAS_Y ? y + Y_OFF + t * (long)YS_T + (b0 + bb) * (long)YS_B : y;
                    if (t >= len[bb]) { /* past this row's length */
                        if (HAS_Y)
                            for (j = 0; j < HIDDEN; j++) yt[j] = 0;
                        continue;
                    }
                    for (n = 0; n < HIDDEN; n++) gt[n] += KERNEL_dot(r + R_OFF + n * (long)HIDDEN, h, HIDDEN);
                    for (j = 0; j < HIDDEN; j++) h[j] = KERNEL_f(KERNEL_clip(gt[j]));
                    if (HAS_Y)
                        for (j = 0; j < HIDDEN; j++) yt[j] = h[j];
                }
            }
        }
        if (HAS_YH)
            for (bb = 0; bb < nb; bb++)
                for (j = 0; j < HIDDEN; j++) yh[H_OFF + (b0 + bb) * (long)HS_B + j] = hs[bb * HIDDEN + j];
    }
    return 0;
}
/* @end */
