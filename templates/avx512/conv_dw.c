/* conv_dw.c — float depthwise 2-D convolution (group == C == M), AVX-512:
 *   X[N, C, IH, IW], W[C, 1, KH, KW], B[C] -> Y[N, C, OH, OW]
 * Each channel is copied once into a zero-bordered local plane split by
 * column phase: SW planes of IHP x IWQ, plane s holding the padded columns
 * s, s + SW, s + 2 SW, ... (stride 2: the even and odd columns, split with
 * one permute per 16 inputs). Tap kw of output column ow then reads column
 * ow + kw*DW/SW of plane kw*DW % SW, so 16 outputs of a row are one
 * unaligned load per tap at every stride and no tap needs a bounds check.
 * Four output rows are computed together (four independent FMA chains),
 * and, when the planes outgrow L1, the input rows they need are copied just
 * before, so they are still in L1 when read.
 * The bias, and with VEC_EPI the activation (VACT 0-8 as in gemm_tile) and
 * the residual, are applied in registers; otherwise EPI_EXPR (over v and
 * r = res[same index]) runs on the stored row. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_vmath_avx512.h"
#define NNC_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#define T float
#define N 1
#define C 4
#define IH 9
#define IW 9
#define OH 5
#define OW 5
#define KH 3
#define KW 3
#define SH 2
#define SW 2
#define DH 1
#define DW 1
#define PH 1
#define PW 1
#define IHP 11
#define IWQ 18
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 0
#define VEC_EPI 1
#define VACT 8
#define ACT_A 0.0f
#define ACT_B 6.0f
#define ACT_FIRST 0
#define EPI_EXPR (v < 0 ? 0 : v)
#define KERNEL conv_dw_lint
static NNC_TARGET void conv_dw_lint(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                  T *restrict y);
#endif
/* @begin */
static inline NNC_TARGET __mmask16 KERNEL_mask(long n) { return (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1); }

/* Copy input row xr (IW floats) into the phase planes at row pr. */
static inline NNC_TARGET void KERNEL_fill(T *buf, const T *xr, long pr)
{
    long j;
    if (SW == 1) {
        T *d = buf + pr * IWQ + PW;
        for (j = 0; j < IW; j += 16) {
            const __mmask16 m = KERNEL_mask(IW - j);
            _mm512_mask_storeu_ps(d + j, m, _mm512_maskz_loadu_ps(m, xr + j));
        }
    } else if (SW == 2) {
        /* input j goes to padded column j + PW: phase (j + PW) % 2, column (j + PW) / 2 */
        const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        T *de = buf + ((PW % 2) * IHP + pr) * IWQ + PW / 2;        /* inputs j = 0, 2, 4, ... */
        T *dd = buf + (((PW + 1) % 2) * IHP + pr) * IWQ + (PW + 1) / 2; /* inputs j = 1, 3, 5, ... */
        for (j = 0; j < IW; j += 32) {
            const __m512 a = _mm512_maskz_loadu_ps(KERNEL_mask(IW - j), xr + j);
            const __m512 c = _mm512_maskz_loadu_ps(KERNEL_mask(IW - j - 16 > 0 ? IW - j - 16 : 0), xr + j + 16);
            _mm512_mask_storeu_ps(de + j / 2, KERNEL_mask((IW - j + 1) / 2), _mm512_permutex2var_ps(a, ev, c));
            _mm512_mask_storeu_ps(dd + j / 2, KERNEL_mask((IW - j) / 2), _mm512_permutex2var_ps(a, od, c));
        }
    } else {
        for (j = 0; j < IW; j++) buf[(((j + PW) % SW) * IHP + pr) * IWQ + (j + PW) / SW] = xr[j];
    }
}

static inline NNC_TARGET void KERNEL_store(T *yr, const T *rr, __m512 v, __mmask16 mk)
{
    if (VEC_EPI && HAS_RES && !ACT_FIRST) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mk, rr));
    if (VEC_EPI) v = nnc_act_avx512(v, VACT, ACT_A, ACT_B);
    if (VEC_EPI && HAS_RES && ACT_FIRST) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mk, rr));
    _mm512_mask_storeu_ps(yr, mk, v);
}

/* Kernel row kh of four output rows: pk = the planes at tap row kh and the
 * first output column, wk = the row's KW weights, r0-r3 = the output rows'
 * plane offsets. Tap kw reads plane kw*DW % SW at column offset kw*DW/SW. */
static inline NNC_TARGET void KERNEL_tap(const T *pk, const T *wk, long kw, long r0, long r1, long r2, long r3,
                                         __m512 *s)
{
    const T *pl = pk + ((kw * DW) % SW) * ((long)IHP * IWQ) + kw * DW / SW;
    const __m512 wv = _mm512_set1_ps(wk[kw]);
    s[0] = _mm512_fmadd_ps(_mm512_loadu_ps(pl + r0), wv, s[0]);
    s[1] = _mm512_fmadd_ps(_mm512_loadu_ps(pl + r1), wv, s[1]);
    s[2] = _mm512_fmadd_ps(_mm512_loadu_ps(pl + r2), wv, s[2]);
    s[3] = _mm512_fmadd_ps(_mm512_loadu_ps(pl + r3), wv, s[3]);
}

static inline NNC_TARGET void KERNEL_taps(const T *pk, const T *wk, long r0, long r1, long r2, long r3, __m512 *s)
{
    long kw;
    if (KW > 0) KERNEL_tap(pk, wk, 0, r0, r1, r2, r3, s);
    if (KW > 1) KERNEL_tap(pk, wk, 1, r0, r1, r2, r3, s);
    if (KW > 2) KERNEL_tap(pk, wk, 2, r0, r1, r2, r3, s);
    for (kw = 3; kw < KW; kw++) KERNEL_tap(pk, wk, kw, r0, r1, r2, r3, s);
}

static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                              T *restrict y)
{
    T buf[SW * IHP * IWQ];
    long n, ch, i, oh, ow0, kh;
    (void)res;
    (void)b;
    for (i = 0; i < SW * IHP * IWQ; i++) buf[i] = 0;
    for (n = 0; n < N; n++)
        for (ch = 0; ch < C; ch++) {
            const T *xc = x + (n * C + ch) * ((long)IH * IW);
            const T *wc = w + ch * ((long)KH * KW);
            T *yc = y + (n * C + ch) * ((long)OH * OW);
            const T *rc = HAS_RES ? res + (n * C + ch) * ((long)OH * OW) : 0;
            const __m512 bias = _mm512_set1_ps(HAS_BIAS ? b[ch] : (T)0);
            long filled = 0; /* input rows copied into the planes so far */
            for (oh = 0; oh < OH; oh += 4) {
                const long o1 = oh + 1 < OH ? oh + 1 : oh, o2 = oh + 2 < OH ? oh + 2 : o1,
                           o3 = oh + 3 < OH ? oh + 3 : o2;
                /* copy the input rows this group of four output rows reads, just before
                 * reading them, when the planes would outgrow L1; else all at once */
                for (; filled < IH && filled + PH < IHP &&
                       (SW * IHP * IWQ <= 4096 || filled + PH <= o3 * SH + (KH - 1) * DH);
                     filled++)
                    KERNEL_fill(buf, xc + filled * IW, filled + PH);
                for (ow0 = 0; ow0 < OW; ow0 += 16) {
                    const __mmask16 mk = KERNEL_mask(OW - ow0);
                    const long r0 = oh * SH * IWQ, r1 = o1 * SH * IWQ, r2 = o2 * SH * IWQ, r3 = o3 * SH * IWQ;
                    __m512 s[4];
                    s[0] = s[1] = s[2] = s[3] = bias;
                    /* taps unrolled by hand up to 3x3 (-O2 keeps short loops rolled) */
                    if (KH > 0) KERNEL_taps(buf + ow0, wc, r0, r1, r2, r3, s);
                    if (KH > 1) KERNEL_taps(buf + ow0 + DH * IWQ, wc + KW, r0, r1, r2, r3, s);
                    if (KH > 2) KERNEL_taps(buf + ow0 + 2 * DH * IWQ, wc + 2 * KW, r0, r1, r2, r3, s);
                    for (kh = 3; kh < KH; kh++)
                        KERNEL_taps(buf + ow0 + kh * DH * IWQ, wc + kh * KW, r0, r1, r2, r3, s);
                    KERNEL_store(yc + oh * OW + ow0, HAS_RES ? rc + oh * OW + ow0 : 0, s[0], mk);
                    if (o1 > oh) KERNEL_store(yc + o1 * OW + ow0, HAS_RES ? rc + o1 * OW + ow0 : 0, s[1], mk);
                    if (o2 > o1) KERNEL_store(yc + o2 * OW + ow0, HAS_RES ? rc + o2 * OW + ow0 : 0, s[2], mk);
                    if (o3 > o2) KERNEL_store(yc + o3 * OW + ow0, HAS_RES ? rc + o3 * OW + ow0 : 0, s[3], mk);
                }
            }
            if (HAS_EPI && !VEC_EPI)
                for (i = 0; i < (long)OH * OW; i++) {
                    const T v = yc[i], r = HAS_RES ? rc[i] : (T)0;
                    (void)r;
                    yc[i] = EPI_EXPR;
                }
        }
}
/* @end */
