/* conv_transpose.c — generic transposed convolution (the gradient of Conv
 * with respect to its input), 1 to 3 spatial dims, groups, strides,
 * dilations, padding (output_padding and output_shape are folded into the
 * pads and output extents by shape inference).
 *   X[N, C, ID, IH, IW], W[C, M/G, KD, KH, KW], B[M] -> Y[N, M, OD, OH, OW]
 *   Y[n, g*MG+m, i*S - P + k*Dil] += X[n, g*CG+c, i] * W[g*CG+c, m, k]
 * Scatter form: each input row is added into the output positions it reaches.
 * A fused epilogue (HAS_EPI, EPI_EXPR over v and residual r) finishes each
 * output channel. Work units (the range [lo, hi) of a call): output
 * channel planes (image, channel), each computed whole. */
#ifdef NNC_LINT
#define T float
#define N 1
#define C 4
#define M 8
#define G 2
#define CG 2
#define MG 4
#define ID 1
#define IH 4
#define IW 4
#define OD 1
#define OH 8
#define OW 8
#define KD 1
#define KH 4
#define KW 4
#define SD 1
#define SH 2
#define SW 2
#define DD 1
#define DH 1
#define DW 1
#define PD 0
#define PH 1
#define PW 1
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 0
#define EPI_EXPR (v < 0 ? 0 : v)
#define KERNEL conv_transpose_lint
static void conv_transpose_lint(const T *restrict x, const T *restrict w, const T *restrict b,
                                const T *restrict res, T *restrict y, long lo, long hi);
#endif
/* @begin */
static void KERNEL(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                   T *restrict y, long lo, long hi)
{
    long u, c, kd, kh, kw, id, ih, iw;
    (void)res;
    for (u = lo; u < hi; u++) {
        const long n = u / M, mo = u % M, g = mo / MG, m = mo % MG;
        T *restrict ym = y + (n * M + mo) * ((long)OD * OH * OW);
        const T bias = HAS_BIAS ? b[mo] : (T)0;
        for (iw = 0; iw < (long)OD * OH * OW; iw++) ym[iw] = bias;
        for (c = 0; c < CG; c++) {
            const T *xc = x + (n * C + g * CG + c) * ((long)ID * IH * IW);
            const T *wc = w + ((g * CG + c) * MG + m) * ((long)KD * KH * KW);
            for (kd = 0; kd < KD; kd++)
                for (kh = 0; kh < KH; kh++)
                    for (kw = 0; kw < KW; kw++) {
                        /* inputs [d0, d1) x [h0, h1) x [w0, w1): output i*S - P + k*Dil inside */
                        const long ld = PD - kd * DD, lh = PH - kh * DH, lw = PW - kw * DW;
                        const long vd = OD - 1 + ld, vh = OH - 1 + lh, vw = OW - 1 + lw;
                        const long d0 = ld <= 0 ? 0 : (ld + SD - 1) / SD;
                        const long h0 = lh <= 0 ? 0 : (lh + SH - 1) / SH;
                        const long w0 = lw <= 0 ? 0 : (lw + SW - 1) / SW;
                        const long d1 = vd < 0 ? 0 : (vd / SD + 1 < ID ? vd / SD + 1 : ID);
                        const long h1 = vh < 0 ? 0 : (vh / SH + 1 < IH ? vh / SH + 1 : IH);
                        const long w1 = vw < 0 ? 0 : (vw / SW + 1 < IW ? vw / SW + 1 : IW);
                        const T wv = wc[(kd * KH + kh) * KW + kw];
                        for (id = d0; id < d1; id++)
                            for (ih = h0; ih < h1; ih++) {
                                const long od = id * SD - ld, oh = ih * SH - lh;
                                const T *xr = xc + (id * IH + ih) * IW;
                                const long yb = (od * OH + oh) * OW - lw;
                                for (iw = w0; iw < w1; iw++) ym[yb + iw * SW] += wv * xr[iw];
                            }
                    }
        }
        if (HAS_EPI) {
            const long base = (n * M + mo) * ((long)OD * OH * OW);
            for (iw = 0; iw < (long)OD * OH * OW; iw++) {
                const T v = ym[iw], r = HAS_RES ? res[base + iw] : (T)0;
                (void)r;
                ym[iw] = EPI_EXPR;
            }
        }
    }
}
/* @end */
