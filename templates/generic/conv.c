/* conv.c — generic direct convolution, NC(D)(H)W, 1 to 3 spatial dims (absent
 * ones have extent 1), groups, strides, dilations, padding.
 *   X[N, C, ID, IH, IW], W[M, C/G, KD, KH, KW], B[M] -> Y[N, M, OD, OH, OW]
 * For each output channel the row of outputs is accumulated one weight at a
 * time over the output positions that weight reaches, so the innermost loop
 * is a branch-free axpy over contiguous (stride-1) or strided input.
 * A fused epilogue (HAS_EPI) then maps each output v, with the residual
 * r = res[same index] when HAS_RES, through EPI_EXPR while it is in cache.
 * Work units (the range [lo, hi) of a call): output channel planes (image,
 * channel), each computed whole. */
#ifdef NNC_LINT
#define T float
#define N 1
#define C 4
#define M 8
#define G 2
#define CG 2
#define MG 4
#define ID 1
#define IH 9
#define IW 9
#define OD 1
#define OH 9
#define OW 9
#define KD 1
#define KH 3
#define KW 3
#define SD 1
#define SH 1
#define SW 1
#define DD 1
#define DH 1
#define DW 1
#define PD 0
#define PH 1
#define PW 1
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 1
#define EPI_EXPR (v + r < 0 ? 0 : v + r)
#define KERNEL conv_lint
static void conv_lint(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                      T *restrict y, long lo, long hi);
#endif
/* @begin */
static void KERNEL(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                   T *restrict y, long lo, long hi)
{
    long u, c, kd, kh, kw, od, oh, ow;
    (void)res;
    for (u = lo; u < hi; u++) {
        const long n = u / M, mo = u % M, g = mo / MG;
        T *restrict ym = y + (n * M + mo) * ((long)OD * OH * OW);
        const T bias = HAS_BIAS ? b[mo] : (T)0;
        for (ow = 0; ow < (long)OD * OH * OW; ow++) ym[ow] = bias;
        for (c = 0; c < CG; c++) {
            const T *xc = x + (n * C + g * CG + c) * ((long)ID * IH * IW);
            const T *wc = w + (mo * CG + c) * ((long)KD * KH * KW);
            for (kd = 0; kd < KD; kd++)
                for (kh = 0; kh < KH; kh++)
                    for (kw = 0; kw < KW; kw++) {
                        /* outputs [d0, d1) x [h0, h1) x [w0, w1): input index inside the image */
                        const long ld = PD - kd * DD, lh = PH - kh * DH, lw = PW - kw * DW;
                        const long vd = ID - 1 + ld, vh = IH - 1 + lh, vw = IW - 1 + lw;
                        const long d0 = ld <= 0 ? 0 : (ld + SD - 1) / SD;
                        const long h0 = lh <= 0 ? 0 : (lh + SH - 1) / SH;
                        const long w0 = lw <= 0 ? 0 : (lw + SW - 1) / SW;
                        const long d1 = vd < 0 ? 0 : (vd / SD + 1 < OD ? vd / SD + 1 : OD);
                        const long h1 = vh < 0 ? 0 : (vh / SH + 1 < OH ? vh / SH + 1 : OH);
                        const long w1 = vw < 0 ? 0 : (vw / SW + 1 < OW ? vw / SW + 1 : OW);
                        const T wv = wc[(kd * KH + kh) * KW + kw];
                        for (od = d0; od < d1; od++)
                            for (oh = h0; oh < h1; oh++) {
                                const long id = od * SD - ld, ih = oh * SH - lh;
                                const long xb = (id * IH + ih) * IW - lw;
                                T *yr = ym + (od * OH + oh) * OW;
                                for (ow = w0; ow < w1; ow++) yr[ow] += wv * xc[xb + ow * SW];
                            }
                    }
        }
        if (HAS_EPI) {
            const long base = (n * M + mo) * ((long)OD * OH * OW);
            for (ow = 0; ow < (long)OD * OH * OW; ow++) {
                const T v = ym[ow], r = HAS_RES ? res[base + ow] : (T)0;
                (void)r;
                ym[ow] = EPI_EXPR;
            }
        }
    }
}
/* @end */
