/* pool2d_vec.c — AVX-512 MaxPool / AveragePool on FLOAT over one or two
 * spatial dims (a 1-D pool has IH = OH = KH = 1), vectorised along the output
 * width: 16 outputs of a row at a time.
 *   X[N, C, IH, IW] -> Y[N, C, OH, OW]
 * Outputs OW_LO <= ow < OW_HI (the compiler computes them) have their whole
 * window inside the row, so their loads need no column checks; a partial
 * vector is loaded and stored under a mask. Stride 1 loads contiguously,
 * stride 2 loads two vectors and keeps the even lanes, other strides gather.
 * Columns outside that range, next to the padding, take the scalar path of
 * the generic template (KERNEL_one). Values are accumulated in the generic
 * template's order (rows, then columns), so results are identical to it. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX512
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

/* n (1..16) window values for 16 consecutive outputs, from p (stride SW). */
static NNC_TARGET __m512 KERNEL_load(const float *restrict p, long n)
{
    const __mmask16 m = (__mmask16)((1u << n) - 1u);
    if (SW == 1) return _mm512_maskz_loadu_ps(m, p);
    if (SW == 2) {
        const long e = 2 * n - 1; /* elements p[0 .. e-1] are read */
        const __mmask16 lo = (__mmask16)(e >= 16 ? 0xffffu : (1u << e) - 1u);
        const __mmask16 hi = (__mmask16)(e > 16 ? (1u << (e - 16)) - 1u : 0u);
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(lo, p), even, _mm512_maskz_loadu_ps(hi, p + 16));
    }
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(SW)), p, 4);
}

/* Outputs OW_LO .. OW_HI-1 of row oh. */
static NNC_TARGET void KERNEL_interior(const float *restrict xc, long oh, float *restrict yr)
{
    long kh, kw, ow, count = 0;
    for (kh = 0; kh < KH; kh++) {
        const long ih = oh * SH - PH + kh * DH;
        if (COUNT_PAD ? (ih >= -PH && ih < IH + EH) : (ih >= 0 && ih < IH)) count += KW;
    }
    for (ow = OW_LO; ow < OW_HI; ow += 16) {
        const long n = OW_HI - ow < 16 ? OW_HI - ow : 16;
        __m512 acc = _mm512_set1_ps(IS_MAX ? LOWEST : 0.0f);
        int any = 0;
        for (kh = 0; kh < KH; kh++) {
            const long ih = oh * SH - PH + kh * DH;
            const float *xr;
            if (ih < 0 || ih >= IH) continue;
            xr = xc + ih * IW + ow * SW - PW;
            for (kw = 0; kw < KW; kw++) {
                const __m512 v = KERNEL_load(xr + kw * DW, n);
                if (IS_MAX) acc = any ? _mm512_max_ps(v, acc) : v;
                else acc = _mm512_add_ps(acc, v);
                any = 1;
            }
        }
        if (!IS_MAX) acc = count ? _mm512_div_ps(acc, _mm512_set1_ps((float)count)) : _mm512_setzero_ps();
        _mm512_mask_storeu_ps(yr + ow, (__mmask16)((1u << n) - 1u), acc);
    }
}

static NNC_TARGET void KERNEL(const float *restrict x, float *restrict y, int64_t *restrict idx)
{
    long c, oh, ow;
    (void)idx;
    for (c = 0; c < NC; c++) {
        const float *xc = x + c * ((long)IH * IW);
        for (oh = 0; oh < OH; oh++) {
            float *yr = y + (c * OH + oh) * (long)OW;
            for (ow = 0; ow < OW_LO; ow++) yr[ow] = KERNEL_one(xc, oh, ow);
            KERNEL_interior(xc, oh, yr);
            for (ow = OW_HI; ow < OW; ow++) yr[ow] = KERNEL_one(xc, oh, ow);
        }
    }
}
/* @end */
#ifdef NNC_LINT
void pool2d_vec_lint_use(const float *restrict x, float *restrict y);
void pool2d_vec_lint_use(const float *restrict x, float *restrict y) { pool2d_vec_lint(x, y, 0); }
#endif
