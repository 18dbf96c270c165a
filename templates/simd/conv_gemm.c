/* conv_gemm.c — float convolution as an implicit GEMM, per batch and group
 * (avx2 and neon, over their register tiles; avx512 has its own template,
 * with transposed and phase-split variants):
 *   Y[MG, P] = Wp[MG, KT] * im2col(X)[KT, P],  KT = CG*KD*KH*KW, P = OD*OH*OW
 * X[N, C, ID, IH, IW], weights packed at compile time (wp: per group, panels
 * of MR output channels, [KT][MR] each, zero rows past MG), B[M] -> Y[N, M, ...]
 * The im2col matrix is never built: a block of KC rows by NC columns is
 * packed into bp (KC * NC floats of workspace scratch, per part; panels of
 * NR columns, [kc][NR] each) and
 * multiplied by the register tile TILE (the gemm_tile template), panel by
 * panel, every weight panel against it. 1x1, strided, dilated, padded and
 * 1-3 spatial dim convolutions all take this path; with DIRECT (1x1
 * kernel, stride 1, no padding: im2col(X) is X) full panels are not packed
 * but read in place by TILE_D, the tile with B rows P floats apart. The
 * last k block applies the bias and, with VEC_EPI, the activation and
 * residual in registers; otherwise EPI_EXPR (over v and r = res[same
 * index]) runs on the stored, still cached tile. Work units (the range
 * [lo, hi) of a call): image, group, column panel of NR positions (NC is a
 * multiple of NR), row tile of MR output channels, in that order; a part
 * packs only its panels and makes the same tile calls, k blocks in the same
 * order, for its outputs as a whole call does. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define N 1
#define C 4
#define M 8
#define G 1
#define CG 4
#define MG 8
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
#define VEC_EPI 0
#define EPI_EXPR (v + r < 0 ? 0 : v + r)
#define MR 6
#define NR 16
#define KC 128
#define NC 256
#define KT 36
#define MPAN 1
#define TILE conv_tile_lint
#define TILE_D conv_tile_lint
#define DIRECT 0
#define KERNEL conv_gemm_lint
void conv_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void conv_gemm_lint(const T *restrict x, const T *restrict wp, const T *restrict b,
                                      const T *restrict res, T *restrict y, T *restrict bp, long lo, long hi);
#endif
/* @begin */
/* d[0, len) = 0 except d[t] = s[(t - lo) * SW] for t in [lo, hi); len <= NR.
 * Plain loops: AVX2 masked stores are slow on some CPUs (AMD), NEON has none. */
static inline NNC_TARGET void KERNEL_seg(T *d, const T *s, long len, long lo, long hi)
{
    long t;
    for (t = 0; t < lo; t++) d[t] = 0;
    if (SW == 1)
        for (t = lo; t < hi; t++) d[t] = s[t - lo];
    else
        for (t = lo; t < hi; t++) d[t] = s[(t - lo) * SW];
    for (t = hi; t < len; t++) d[t] = 0;
}

/* Pack im2col rows [k0, k0+kc) x columns [p0, p0+nc) of one group's input:
 * each output row's run of columns splits at panel boundaries into
 * segments of zeros (padding) and copied (or, strided, gathered) inputs. */
static NNC_TARGET void KERNEL_pack(const T *xg, T *bp, long k0, long kc, long p0, long nc)
{
    const long ncr = (nc + NR - 1) / NR * NR;
    long kk, q, u;
    for (kk = 0; kk < kc; kk++) {
        long t = k0 + kk;
        const long kw = t % KW, kh = (t / KW) % KH, kd = (t / KW / KH) % KD, ci = t / KW / KH / KD;
        const T *xc = xg + ci * ((long)ID * IH * IW);
        T *drow = bp + kk * NR;
        long ow = p0 % OW, oh = (p0 / OW) % OH, od = p0 / OW / OH;
        for (q = 0; q < nc;) {
            const long run = OW - ow < nc - q ? OW - ow : nc - q;
            const long id = od * SD - PD + kd * DD, ih = oh * SH - PH + kh * DH;
            const int rowok = id >= 0 && id < ID && ih >= 0 && ih < IH;
            const T *xr = rowok ? xc + (id * IH + ih) * IW : xc;
            const long iw0 = ow * SW - PW + kw * DW;
            long ulo = iw0 >= 0 ? 0 : (-iw0 + SW - 1) / SW, uhi = IW - 1 - iw0 < 0 ? 0 : (IW - 1 - iw0) / SW + 1;
            if (!rowok) ulo = uhi = 0;
            if (uhi > run) uhi = run;
            if (ulo > uhi) ulo = uhi;
            for (u = 0; u < run;) {
                const long qq = q + u, off = qq % NR, len = run - u < NR - off ? run - u : NR - off;
                const long lo = ulo - u < 0 ? 0 : ulo - u > len ? len : ulo - u;
                const long hi = uhi - u < lo ? lo : uhi - u > len ? len : uhi - u;
                KERNEL_seg(drow + qq / NR * kc * NR + off, hi > lo ? xr + iw0 + (u + lo) * SW : xr, len, lo, hi);
                u += len;
            }
            q += run;
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                od++;
            }
        }
        for (q = nc; q < ncr; q++) drow[q / NR * kc * NR + q % NR] = 0;
    }
}

#define KERNEL_MT ((MG + MR - 1) / MR)                /* row tiles */
#define KERNEL_NP (((long)OD * OH * OW + NR - 1) / NR) /* column panels */
static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict wp, const T *restrict b, const T *restrict res,
                              T *restrict y, T *restrict bp, long lo, long hi)
{
    const long np = (long)OD * OH * OW, ng = KERNEL_NP * KERNEL_MT; /* units per image and group */
    long ig, p0, k0, u, i, q;
    (void)res;
    (void)b;
    for (ig = lo / ng; ig < (long)N * G && ig * ng < hi; ig++) {
        const long n = ig / G, g = ig % G, gu = ig * ng;
        const T *xg = x + (n * C + g * CG) * ((long)ID * IH * IW);
        T *yg = y + (n * M + g * MG) * np;
        const T *rg = HAS_RES ? res + (n * M + g * MG) * np : 0;
        for (p0 = 0; p0 < np; p0 += NC) {
            /* the part's units in this block, and their columns [c0, c1) */
            const long nc = np - p0 < NC ? np - p0 : NC, e0 = gu + p0 / NR * KERNEL_MT;
            const long e1 = gu + (p0 + nc + NR - 1) / NR * KERNEL_MT, u0 = lo > e0 ? lo : e0, u1 = hi < e1 ? hi : e1;
            const long c0 = u1 > u0 ? (u0 - gu) / KERNEL_MT * NR : 0;
            const long c1 = u1 > u0 ? ((u1 - 1 - gu) / KERNEL_MT + 1) * NR : 0;
            /* DIRECT: full panels read the input rows in place, a last
             * partial one is packed (at bp) */
            const long nfull = DIRECT ? nc / NR * NR : 0, ps = c0 > p0 + nfull ? c0 : p0 + nfull;
            if (u1 <= u0) continue;
            for (k0 = 0; k0 < KT; k0 += KC) {
                const long kc = KT - k0 < KC ? KT - k0 : KC;
                const int last = k0 + kc == KT, flags = (k0 > 0) | (last ? 2 : 0);
                if ((c1 < np ? c1 : np) > ps) KERNEL_pack(xg, bp, k0, kc, ps, (c1 < np ? c1 : np) - ps);
                for (u = u0; u < u1; u++) {
                    const long j = (u - gu) / KERNEL_MT * NR - p0, m0 = (u - gu) % KERNEL_MT * MR;
                    const long nr = nc - j < NR ? nc - j : NR, mr = MG - m0 < MR ? MG - m0 : MR;
                    const T *wt = wp + ((g * MPAN + m0 / MR) * (long)KT + k0) * MR;
                    const T *bt = HAS_BIAS ? b + g * MG + m0 : 0;
                    const T *rt = VEC_EPI && HAS_RES ? rg + m0 * np + p0 + j : 0;
                    T *yt = yg + m0 * np + p0 + j;
                    if (DIRECT && m0 == 0 && j + 2 * NR <= nfull) /* the next panel's rows, ahead of the tile */
                        for (q = 0; q < kc; q++) {
                            VPREFETCH(xg + (k0 + q) * np + p0 + j + NR);
                        }
                    if (j < nfull)
                        TILE_D(mr, nr, kc, wt, 1, MR, xg + k0 * np + p0 + j, yt, np, flags, bt, 0, rt, np);
                    else
                        TILE(mr, nr, kc, wt, 1, MR, bp + (p0 + j - ps) * kc, yt, np, flags, bt, 0, rt, np);
                    if (HAS_EPI && !VEC_EPI && last)
                        for (i = 0; i < mr; i++)
                            for (q = 0; q < nr; q++) {
                                const T v = yt[i * np + q];
                                const T r = HAS_RES ? rg[(m0 + i) * np + p0 + j + q] : (T)0;
                                (void)r;
                                yt[i * np + q] = EPI_EXPR;
                            }
                }
            }
        }
    }
}
#undef KERNEL_MT
#undef KERNEL_NP
/* @end */
