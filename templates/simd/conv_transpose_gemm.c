/* conv_transpose_gemm.c — float transposed convolution as a GEMM followed by
 * a col2im scatter-add, per batch and group:
 *   Col[MG*KK, P] = Wt[MG*KK, CG] * X[CG, P],  KK = KD*KH*KW, P = ID*IH*IW
 *   Y[m, i*S - P + k*Dil] += Col[(m, k), i]
 * X[N, C, ID, IH, IW], weights packed at compile time (wp: per group, panels
 * of MR rows (m, kd, kh, kw) of W^T, [CG][MR] each, zero rows past MG*KK),
 * B[M] -> Y[N, M, OD, OH, OW]. Y starts as the bias; a block of NCT input
 * pixels (all CG channels) is packed into bp (CG * NCT floats of workspace
 * scratch, per part; panels of NR columns, [CG][NR] each, NR a multiple of
 * VLANES); the register tile TILE (the ISA's gemm_tile template) multiplies
 * a weight panel by one column panel into the local tile ct, which is then
 * scattered into Y. No Col matrix. The fused epilogue (VACT, ACT_A, ACT_B,
 * ACT_FIRST with the residual res, as in gemm_tile) is a final vector pass
 * over each output channel. Work units (the range [lo, hi) of a call):
 * image, group, output channel; a part computes the weight tiles that hold
 * its channels' rows, as whole tiles (the same tile calls as a whole call),
 * and scatters only those rows, in the same order. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define N 1
#define C 4
#define M 6
#define G 2
#define CG 2
#define MG 3
#define ID 1
#define IH 4
#define IW 5
#define OD 1
#define OH 8
#define OW 10
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
#define HAS_RES 1
#define VACT 5
#define ACT_A 0.0f
#define ACT_B 0.0f
#define ACT_FIRST 0
#define MR 6
#define NR 16
#define NCT 32
#define KK 16
#define RPAN 8
#define TILE conv_tile_lint
#define KERNEL conv_transpose_gemm_lint
void conv_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void conv_transpose_gemm_lint(const T *restrict x, const T *restrict wp, const T *restrict b,
                                                const T *restrict res, T *restrict y, T *restrict bp, long lo,
                                                long hi);
#endif
/* @begin */
/* Pack columns [p0, p0 + nc) of X[CG, P] into panels [CG][NR], zero past nc. */
static inline NNC_TARGET void KERNEL_pack(const T *xg, T *bp, long p0, long nc)
{
    const long np = (long)ID * IH * IW;
    long jp, k, v;
    for (jp = 0; jp < nc; jp += NR) {
        const long w = nc - jp < NR ? nc - jp : NR;
        T *d = bp + jp * CG;
        const T *s = xg + p0 + jp;
        for (k = 0; k < CG; k++)
            for (v = 0; v < NR; v += VLANES)
                VSTORE(d + k * NR + v, VLOAD_M(s + k * np + v, VTAIL(w - v < 0 ? 0 : w - v < VLANES ? w - v : VLANES)));
    }
}

/* Scatter-add rows [i0, i1) of the tile ct[mr][NR] (rows r0.., input pixels
 * p..p+nr) into yg. */
static inline NNC_TARGET void KERNEL_scatter(T *yg, const T *ct, long r0, long i0, long i1, long p, long nr)
{
    const long op = (long)OD * OH * OW;
    long i, jj;
    for (i = i0; i < i1; i++) {
        const long r = r0 + i, kk = r % KK, m = r / KK;
        const long kw = kk % KW, kh = kk / KW % KH, kd = kk / KW / KH;
        T *ym = yg + m * op;
        const T *cr = ct + i * NR;
        long iw = p % IW, ih = p / IW % IH, id = p / IW / IH;
        for (jj = 0; jj < nr;) {
            const long od = id * SD - PD + kd * DD, oh = ih * SH - PH + kh * DH;
            const long run = IW - iw < nr - jj ? IW - iw : nr - jj;
            if (od >= 0 && od < OD && oh >= 0 && oh < OH) {
                T *yr = ym + (od * OH + oh) * OW;
                const long ow0 = iw * SW - PW + kw * DW;
                /* u in [ulo, uhi): 0 <= ow0 + u SW < OW */
                long ulo = ow0 >= 0 ? 0 : (-ow0 + SW - 1) / SW;
                long uhi = OW - 1 - ow0 < 0 ? 0 : (OW - 1 - ow0) / SW + 1, u;
                if (uhi > run) uhi = run;
                for (u = ulo; u < uhi; u++) yr[ow0 + u * SW] += cr[jj + u];
            }
            jj += run;
            iw = 0;
            if (++ih == IH) {
                ih = 0;
                id++;
            }
        }
    }
}

static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict wp, const T *restrict b, const T *restrict res,
                              T *restrict y, T *restrict bp, long lo, long hi)
{
    T ct[MR * NR];
    const long np = (long)ID * IH * IW, op = (long)OD * OH * OW;
    long ig, p0, j, r0, m, q;
    (void)res;
    (void)b;
    for (ig = lo / MG; ig < (long)N * G && ig * MG < hi; ig++) {
        /* the part's channels [m0, m1) of image n, group g: rows [m0 * KK, m1 * KK) */
        const long n = ig / G, g = ig % G, m0 = lo > ig * MG ? lo - ig * MG : 0;
        const long m1 = hi - ig * MG < MG ? hi - ig * MG : MG;
        const T *xg = x + (n * C + g * CG) * np;
        T *yg = y + (n * M + g * MG) * op;
        for (m = m0; m < m1; m++) {
            const VFLOAT bv = VSET(HAS_BIAS ? b[g * MG + m] : (T)0);
            for (q = 0; q + VLANES <= op; q += VLANES) VSTORE(yg + m * op + q, bv);
            if (q < op) VSTORE_M(yg + m * op + q, VTAIL(op - q), bv);
        }
        for (p0 = 0; p0 < np; p0 += NCT) {
            const long nc = np - p0 < NCT ? np - p0 : NCT;
            KERNEL_pack(xg, bp, p0, nc);
            for (r0 = m0 * KK / MR * MR; r0 < m1 * KK; r0 += MR) {
                const long mr = MG * KK - r0 < MR ? MG * KK - r0 : MR;
                const long i0 = m0 * KK > r0 ? m0 * KK - r0 : 0, i1 = m1 * KK - r0 < mr ? m1 * KK - r0 : mr;
                for (j = 0; j < nc; j += NR) {
                    const long nr = nc - j < NR ? nc - j : NR;
                    TILE(mr, nr, CG, wp + (g * RPAN + r0 / MR) * ((long)CG * MR), 1, MR, bp + j * CG, ct, NR, 0,
                         0, 0, 0, 0);
                    KERNEL_scatter(yg, ct, r0, i0, i1, p0 + j, nr);
                }
            }
        }
        if (HAS_EPI)
            for (m = m0; m < m1; m++) {
                T *ym = yg + m * op;
                const T *rm = HAS_RES ? res + (n * M + g * MG + m) * op : 0;
                for (q = 0; q < op; q += VLANES) {
                    const VMASK mk = VTAIL(op - q < VLANES ? op - q : VLANES);
                    VFLOAT v = VLOAD_M(ym + q, mk);
                    if (HAS_RES && !ACT_FIRST) v = VADD(v, VLOAD_M(rm + q, mk));
                    v = VACTIVATE(v, VACT, ACT_A, ACT_B);
                    if (HAS_RES && ACT_FIRST) v = VADD(v, VLOAD_M(rm + q, mk));
                    VSTORE_M(ym + q, mk, v);
                }
            }
    }
}
/* @end */
