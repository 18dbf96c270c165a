/* pool_nchwc.c — 2-D MaxPool / AveragePool on FLOAT in the channel-blocked
 * layout NCHW[V] (V = VLANES), written in the vector layer
 * (templates/<isa>/vops.c):
 *   X[N][CB][IH][IW][V] -> Y[N][CB][OH][OW][V], CB = ceil(C/V)
 * One vector is one position of one channel block, so a window is plain
 * vector max/add over its taps, with no gathers; every block (padding lanes
 * past C included) is computed alike. Per output row the taps inside the
 * image, [h0, h1), are computed once; outputs OW_LO <= ow < OW_HI (the
 * compiler computes them) have all KW columns inside the row and take the
 * interior loop, four outputs per iteration with no checks; the columns
 * next to the padding compute their own column range once per output.
 * Padding taps are skipped; the average divides by the taps inside the
 * image (COUNT_PAD = 0) or inside the padded image (COUNT_PAD = 1), as a
 * multiply by the reciprocal (so it may differ from the plain kernels' divide
 * by rounding). The maximum starts from the window's first tap, like the
 * generic template (a NaN there gives NaN, other NaNs are skipped). A window
 * with no tap in the image gives LOWEST (max, in the real channels; 0 in
 * the padding lanes, which must stay finite) or 0 (average). */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#define NB 6
#define C 20
#define CB 3
#define IH 9
#define IW 11
#define OH 9
#define OW 11
#define KH 3
#define KW 3
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PH 1
#define PW 1
#define EH 1
#define EW 1
#define OW_LO 1
#define OW_HI 10
#define IS_MAX 1
#define COUNT_PAD 0
#define LOWEST (-HUGE_VALF)
#define KERNEL pool_nchwc_lint
#endif
/* @begin */
/* Taps k in [0, K) whose position base + k*D lies in [lo, hi): [*k0, *k1). */
static NNC_TARGET void KERNEL_taps(long base, long d, long k, long lo, long hi, long *k0, long *k1)
{
    long a = base >= lo ? 0 : (lo - base + d - 1) / d;
    long b = base >= hi ? 0 : (hi - base + d - 1) / d;
    if (b > k) b = k;
    if (b < a) b = a;
    *k0 = a;
    *k1 = b;
}

static NNC_TARGET VFLOAT KERNEL_acc(VFLOAT acc, VFLOAT v) { return IS_MAX ? VMAX(v, acc) : VADD(acc, v); }

/* The value of a window without taps in block b. */
static NNC_TARGET VFLOAT KERNEL_empty(long b)
{
    const long real = b % CB == CB - 1 ? C - (CB - 1) * VLANES : VLANES;
    return IS_MAX ? VKEEP_M(VTAIL(real), VSET(LOWEST)) : VZERO();
}

/* Output ow of a row whose window starts at input row ihb, rows [h0, h1)
 * inside the image (rc of them counted by the average). */
static NNC_TARGET VFLOAT KERNEL_edge(const float *restrict xb, long ihb, long h0, long h1, long rc, long ow,
                                     VFLOAT empty)
{
    const long iwb = ow * SW - PW;
    long w0, w1, p0, p1, kh, kw, cnt;
    VFLOAT acc;
    KERNEL_taps(iwb, DW, KW, 0, IW, &w0, &w1);
    KERNEL_taps(iwb, DW, KW, -PW, IW + EW, &p0, &p1);
    if (w0 == w1) return empty;
    acc = IS_MAX ? VLOAD(xb + ((ihb + h0 * DH) * IW + iwb + w0 * DW) * VLANES) : VZERO();
    for (kh = h0; kh < h1; kh++) {
        const float *xr = xb + ((ihb + kh * DH) * IW + iwb) * VLANES;
        for (kw = w0; kw < w1; kw++) acc = KERNEL_acc(acc, VLOAD(xr + kw * DW * VLANES));
    }
    if (IS_MAX) return acc;
    cnt = rc * (COUNT_PAD ? p1 - p0 : w1 - w0);
    return VMUL(acc, VSET(cnt ? 1.0f / (float)cnt : 0.0f));
}

/* Outputs OW_LO .. OW_HI-1 of a row (window rows as for KERNEL_edge, all KW
 * columns inside the image): four at a time, then one at a time. */
static NNC_TARGET void KERNEL_interior(const float *restrict xb, long ihb, long h0, long h1, long rc,
                                       float *restrict yr)
{
    const VFLOAT scale = VSET(rc ? 1.0f / (float)(rc * KW) : 0.0f);
    const long s = SW * VLANES;
    long ow, kh, kw;
    for (ow = OW_LO; ow < OW_LO + (OW_HI - OW_LO) / 4 * 4; ow += 4) {
        const float *x0 = xb + ((ihb + h0 * DH) * IW + ow * SW - PW) * VLANES;
        VFLOAT a0 = VZERO(), a1 = VZERO(), a2 = VZERO(), a3 = VZERO();
        if (IS_MAX) {
            a0 = VLOAD(x0);
            a1 = VLOAD(x0 + s);
            a2 = VLOAD(x0 + 2 * s);
            a3 = VLOAD(x0 + 3 * s);
        }
        for (kh = h0; kh < h1; kh++) {
            const float *xr = xb + ((ihb + kh * DH) * IW + ow * SW - PW) * VLANES;
            for (kw = 0; kw < KW; kw++) {
                const float *p = xr + kw * DW * VLANES;
                a0 = KERNEL_acc(a0, VLOAD(p));
                a1 = KERNEL_acc(a1, VLOAD(p + s));
                a2 = KERNEL_acc(a2, VLOAD(p + 2 * s));
                a3 = KERNEL_acc(a3, VLOAD(p + 3 * s));
            }
        }
        if (!IS_MAX) {
            a0 = VMUL(a0, scale);
            a1 = VMUL(a1, scale);
            a2 = VMUL(a2, scale);
            a3 = VMUL(a3, scale);
        }
        VSTORE(yr + ow * VLANES, a0);
        VSTORE(yr + (ow + 1) * VLANES, a1);
        VSTORE(yr + (ow + 2) * VLANES, a2);
        VSTORE(yr + (ow + 3) * VLANES, a3);
    }
    for (ow = OW_LO + (OW_HI - OW_LO) / 4 * 4; ow < OW_HI; ow++) {
        VFLOAT a = IS_MAX ? VLOAD(xb + ((ihb + h0 * DH) * IW + ow * SW - PW) * VLANES) : VZERO();
        for (kh = h0; kh < h1; kh++) {
            const float *xr = xb + ((ihb + kh * DH) * IW + ow * SW - PW) * VLANES;
            for (kw = 0; kw < KW; kw++) a = KERNEL_acc(a, VLOAD(xr + kw * DW * VLANES));
        }
        VSTORE(yr + ow * VLANES, IS_MAX ? a : VMUL(a, scale));
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): output
 * rows, block-major (unit u is row u % OH of block u / OH); each is
 * computed alike whatever the split. */
static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, long lo, long hi)
{
    long u, ow;
    for (u = lo; u < hi; u++) {
        const long b = u / OH, oh = u % OH;
        const float *xb = x + b * ((long)IH * IW * VLANES);
        const VFLOAT empty = KERNEL_empty(b);
        float *yr = y + u * ((long)OW * VLANES);
        const long ihb = oh * SH - PH;
        long h0, h1, p0, p1, rc;
        KERNEL_taps(ihb, DH, KH, 0, IH, &h0, &h1);
        KERNEL_taps(ihb, DH, KH, -PH, IH + EH, &p0, &p1);
        rc = COUNT_PAD ? p1 - p0 : h1 - h0;
        if (h0 == h1) {
            for (ow = 0; ow < OW; ow++) VSTORE(yr + ow * VLANES, empty);
            continue;
        }
        for (ow = 0; ow < OW_LO; ow++) VSTORE(yr + ow * VLANES, KERNEL_edge(xb, ihb, h0, h1, rc, ow, empty));
        KERNEL_interior(xb, ihb, h0, h1, rc, yr);
        for (ow = OW_HI; ow < OW; ow++) VSTORE(yr + ow * VLANES, KERNEL_edge(xb, ihb, h0, h1, rc, ow, empty));
    }
}
/* @end */
#ifdef NNC_LINT
void pool_nchwc_lint_use(const float *restrict x, float *restrict y);
void pool_nchwc_lint_use(const float *restrict x, float *restrict y) { pool_nchwc_lint(x, y, 0, NB * OH); }
#endif
