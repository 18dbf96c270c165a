/* pool2d_vec.c — MaxPool / AveragePool on FLOAT over one or two spatial dims
 * (a 1-D pool has IH = OH = KH = 1), written in the vector layer
 * (templates/<isa>/vops.c) and vectorised along the output width: VLANES
 * outputs of a row at a time.
 *   X[N, C, IH, IW] -> Y[N, C, OH, OW]
 * Outputs OW_LO <= ow < OW_HI (the compiler computes them) have their whole
 * window inside the row, so their loads need no column checks; a partial
 * vector is loaded and stored under a mask. Stride 1 loads contiguously,
 * stride 2 keeps the even lanes of two vectors (VLOAD_EVEN), other strides
 * gather. Columns outside that range, next to the padding, take the scalar
 * path of the generic template (KERNEL_one). Values are accumulated in the
 * generic template's order (rows, then columns), so results are identical
 * to it. */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#include <stdint.h>
#define NC 2
#define IH 9
#define IW 37
#define OH 9
#define OW 37
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
#define OW_HI 36
#define IS_MAX 1
#define COUNT_PAD 0
#define LOWEST (-HUGE_VALF)
#define KERNEL pool2d_vec_lint
#endif
/* @begin */
/* One output, exactly as the generic template computes it. */
static NNC_TARGET float KERNEL_one(const float *restrict xc, long oh, long ow)
{
    float acc = IS_MAX ? LOWEST : 0.0f;
    long kh, kw, count = 0;
    int any = 0;
    for (kh = 0; kh < KH; kh++) {
        const long ih = oh * SH - PH + kh * DH;
        if (ih < -PH || ih >= IH + EH) continue;
        for (kw = 0; kw < KW; kw++) {
            const long iw = ow * SW - PW + kw * DW;
            if (iw < -PW || iw >= IW + EW) continue;
            if (COUNT_PAD) count++;
            if (ih < 0 || ih >= IH || iw < 0 || iw >= IW) continue;
            {
                const float v = xc[ih * IW + iw];
                if (!COUNT_PAD) count++;
                if (IS_MAX) {
                    if (v > acc || !any) acc = v;
                } else {
                    acc += v;
                }
                any = 1;
            }
        }
    }
    return IS_MAX ? acc : (count ? acc / (float)count : 0.0f);
}

/* n (1..VLANES) window values for VLANES consecutive outputs, from p (stride SW). */
static NNC_TARGET VFLOAT KERNEL_load(const float *restrict p, long n)
{
    if (SW == 1) return VLOAD_M(p, VTAIL(n));
    if (SW == 2) return VLOAD_EVEN(p, n);
    return VGATHER_M(p, SW, VTAIL(n));
}

/* Outputs OW_LO .. OW_HI-1 of row oh. */
static NNC_TARGET void KERNEL_interior(const float *restrict xc, long oh, float *restrict yr)
{
    long kh, kw, ow, count = 0;
    for (kh = 0; kh < KH; kh++) {
        const long ih = oh * SH - PH + kh * DH;
        if (COUNT_PAD ? (ih >= -PH && ih < IH + EH) : (ih >= 0 && ih < IH)) count += KW;
    }
    for (ow = OW_LO; ow < OW_HI; ow += VLANES) {
        const long n = OW_HI - ow < VLANES ? OW_HI - ow : VLANES;
        VFLOAT acc = VSET(IS_MAX ? LOWEST : 0.0f);
        int any = 0;
        for (kh = 0; kh < KH; kh++) {
            const long ih = oh * SH - PH + kh * DH;
            const float *xr;
            if (ih < 0 || ih >= IH) continue;
            xr = xc + ih * IW + ow * SW - PW;
            for (kw = 0; kw < KW; kw++) {
                const VFLOAT v = KERNEL_load(xr + kw * DW, n);
                if (IS_MAX) acc = any ? VMAX(v, acc) : v;
                else acc = VADD(acc, v);
                any = 1;
            }
        }
        if (!IS_MAX) acc = count ? VDIV(acc, VSET((float)count)) : VZERO();
        VSTORE_M(yr + ow, VTAIL(n), acc);
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): output
 * rows, channel-major (unit u is row u % OH of channel u / OH). */
static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, int64_t *restrict idx, long lo, long hi)
{
    long u, ow;
    (void)idx;
    for (u = lo; u < hi; u++) {
        const long c = u / OH, oh = u % OH;
        const float *xc = x + c * ((long)IH * IW);
        float *yr = y + u * (long)OW;
        for (ow = 0; ow < OW_LO; ow++) yr[ow] = KERNEL_one(xc, oh, ow);
        KERNEL_interior(xc, oh, yr);
        for (ow = OW_HI; ow < OW; ow++) yr[ow] = KERNEL_one(xc, oh, ow);
    }
}
/* @end */
#ifdef NNC_LINT
void pool2d_vec_lint_use(const float *restrict x, float *restrict y);
void pool2d_vec_lint_use(const float *restrict x, float *restrict y) { pool2d_vec_lint(x, y, 0, 0, NC * OH); }
#endif
