/* conv_dw.c — float depthwise 2-D convolution (group == C == M):
 *   X[N, C, IH, IW], W[C, 1, KH, KW], B[C] -> Y[N, C, OH, OW]
 * Each channel is copied once into a zero-bordered local plane split by
 * column phase: SW planes of IHP x IWQ, plane s holding the padded columns
 * s, s + SW, s + 2 SW, ... (stride 2: the even and odd columns, split with
 * VEVEN and VODD per 2 VLANES inputs). Tap kw of output column ow then
 * reads column ow + kw*DW/SW of plane kw*DW % SW, so VLANES outputs of a row
 * are one unaligned load per tap at every stride and no tap needs a bounds
 * check (IWQ covers the last vector). Four output rows are computed
 * together (four independent FMA chains), and, when the planes outgrow L1,
 * the input rows they need are copied just before, so they are still in L1
 * when read.
 * The bias, and with VEC_EPI the activation (VACT 0-8 as in gemm_tile) and
 * the residual, are applied in registers; otherwise EPI_EXPR (over v and
 * r = res[same index]) runs on the stored row. */
#ifdef NNC_LINT
#include "lint.h"
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
#define VACT 6
#define ACT_A 1.0f
#define ACT_B 6.0f
#define ACT_FIRST 0
#define EPI_EXPR (v < 0 ? 0 : v)
#define KERNEL conv_dw_lint
static NNC_TARGET void conv_dw_lint(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                                    T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Copy input row xr (IW floats) into the phase planes at row pr: whole
 * vectors (stride 2: pairs split by VEVEN and VODD), then the last inputs
 * masked where a masked store is cheap (VSTORE_M_CHEAP), else one by one. */
static inline NNC_TARGET void KERNEL_fill(T *buf, const T *xr, long pr)
{
    const long jv = SW == 1 ? IW / VLANES * VLANES : SW == 2 ? IW / (2 * VLANES) * (2 * VLANES) : 0;
    long j;
    if (SW == 1) {
        T *d = buf + pr * IWQ + PW;
        for (j = 0; j < jv; j += VLANES) VSTORE(d + j, VLOAD(xr + j));
        if (VSTORE_M_CHEAP && jv < IW) VSTORE_M(d + jv, VTAIL(IW - jv), VLOAD_M(xr + jv, VTAIL(IW - jv)));
    } else if (SW == 2) {
        /* input j goes to padded column j + PW: phase (j + PW) % 2, column (j + PW) / 2 */
        T *de = buf + ((PW % 2) * IHP + pr) * IWQ + PW / 2;             /* inputs j = 0, 2, 4, ... */
        T *dd = buf + (((PW + 1) % 2) * IHP + pr) * IWQ + (PW + 1) / 2; /* inputs j = 1, 3, 5, ... */
        for (j = 0; j < jv; j += 2 * VLANES) {
            const VFLOAT a = VLOAD(xr + j), c = VLOAD(xr + j + VLANES);
            VSTORE(de + j / 2, VEVEN(a, c));
            VSTORE(dd + j / 2, VODD(a, c));
        }
        if (VSTORE_M_CHEAP && jv < IW) {
            const long r = IW - jv; /* 1 .. 2 VLANES - 1 inputs left */
            const VFLOAT a = VLOAD_M(xr + jv, VTAIL(r < VLANES ? r : VLANES));
            const VFLOAT c = VLOAD_M(xr + jv + VLANES, VTAIL(r > VLANES ? r - VLANES : 0));
            VSTORE_M(de + jv / 2, VTAIL((r + 1) / 2), VEVEN(a, c));
            VSTORE_M(dd + jv / 2, VTAIL(r / 2), VODD(a, c));
        }
    }
    if (!VSTORE_M_CHEAP || SW > 2)
        for (j = jv; j < IW; j++) buf[(((j + PW) % SW) * IHP + pr) * IWQ + (j + PW) / SW] = xr[j];
}

static inline NNC_TARGET void KERNEL_store(T *yr, const T *rr, VFLOAT v, VMASK mk)
{
    if (VEC_EPI && HAS_RES && !ACT_FIRST) v = VADD(v, VLOAD_M(rr, mk));
    if (VEC_EPI) v = VACTIVATE(v, VACT, ACT_A, ACT_B);
    if (VEC_EPI && HAS_RES && ACT_FIRST) v = VADD(v, VLOAD_M(rr, mk));
    VSTORE_M(yr, mk, v);
}

/* Kernel row kh of four output rows: pk = the planes at tap row kh and the
 * first output column, wk = the row's KW weights, r0-r3 = the output rows'
 * plane offsets. Tap kw reads plane kw*DW % SW at column offset kw*DW/SW. */
static inline NNC_TARGET void KERNEL_tap(const T *pk, const T *wk, long kw, long r0, long r1, long r2, long r3,
                                         VFLOAT *s)
{
    const T *pl = pk + ((kw * DW) % SW) * ((long)IHP * IWQ) + kw * DW / SW;
    const VFLOAT wv = VBROADCAST(wk + kw);
    s[0] = VFMA(VLOAD(pl + r0), wv, s[0]);
    s[1] = VFMA(VLOAD(pl + r1), wv, s[1]);
    s[2] = VFMA(VLOAD(pl + r2), wv, s[2]);
    s[3] = VFMA(VLOAD(pl + r3), wv, s[3]);
}

static inline NNC_TARGET void KERNEL_taps(const T *pk, const T *wk, long r0, long r1, long r2, long r3, VFLOAT *s)
{
    long kw;
    if (KW > 0) KERNEL_tap(pk, wk, 0, r0, r1, r2, r3, s);
    if (KW > 1) KERNEL_tap(pk, wk, 1, r0, r1, r2, r3, s);
    if (KW > 2) KERNEL_tap(pk, wk, 2, r0, r1, r2, r3, s);
    for (kw = 3; kw < KW; kw++) KERNEL_tap(pk, wk, kw, r0, r1, r2, r3, s);
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): channel
 * planes, unit u = n * C + ch; each part zeroes its own planes' borders. */
static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                              T *restrict y, long lo, long hi)
{
    T buf[SW * IHP * IWQ];
    long u, i, oh, ow0, kh;
    (void)res;
    (void)b;
    for (i = 0; i < SW * IHP * IWQ; i++) buf[i] = 0;
    for (u = lo; u < hi; u++) {
        const long ch = u % C;
        const T *xc = x + u * ((long)IH * IW);
        const T *wc = w + ch * ((long)KH * KW);
        T *yc = y + u * ((long)OH * OW);
        const T *rc = HAS_RES ? res + u * ((long)OH * OW) : 0;
        const VFLOAT bias = VSET(HAS_BIAS ? b[ch] : (T)0);
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
            for (ow0 = 0; ow0 < OW; ow0 += VLANES) {
                const VMASK mk = VTAIL(OW - ow0 < VLANES ? OW - ow0 : VLANES);
                const long r0 = oh * SH * IWQ, r1 = o1 * SH * IWQ, r2 = o2 * SH * IWQ, r3 = o3 * SH * IWQ;
                VFLOAT s[4];
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
