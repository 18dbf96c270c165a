/* conv_winograd.c — float 3x3 stride-1 convolution by Winograd F(4x4, 3x3)
 * (ALPHA 6: interpolation points 0, +-1, +-2 and infinity) or F(2x2, 3x3)
 * (ALPHA 4: points 0, +-1 and infinity, for small planes), for one group:
 *   X[N, C, IH, IW], U = G g G^T packed at compile time, B[M] -> Y[N, M, OH, OW]
 * The output is cut into OT x OT tiles, OT = ALPHA - 2 (TH x TW per image,
 * NT over the batch); each tile reads an ALPHA x ALPHA input patch d (zero
 * outside the image); xi runs over the XI = ALPHA^2 transform points. Per block
 * of TB tiles, per block of MB output channels, per block of CB input
 * channels:
 *   input transform   V[xi][c][t] = (B^T d B)[xi]   (VLANES tiles per vector:
 *                     masked gathers, so padding and ragged edges cost nothing)
 *   XI GEMMs          Mx[xi][t][m] (+)= sum_c V[xi][c][t] U[xi][c][m]
 *                     (the register tile TILE: tiles are the broadcast rows,
 *                     output channels the vector lanes; up: per xi, panels
 *                     of NR output channels, [C][NR] each, zero past M)
 * and after the last channel block the output transform A^T Mx A (VLANES
 * output channels per vector), + bias, then the fused epilogue EPI_EXPR
 * (over v and r = res[same index]) as each output row is stored. V holds
 * VC channels: VC == C, the whole block's input transform, done once per
 * tile block (before the M blocks: it costs about as much as the GEMMs of a
 * 96-channel M block on a 14x14 plane); VC == CB when that would not fit,
 * and then the input transform is redone per output-channel block. V
 * (XI*VC*TB floats) and Mx (XI*TB*MB floats) live in `scratch` (the
 * caller's workspace, 64-byte aligned), not on the stack.
 * XBLK: X, Y and the residual channel-blocked, [N][ceil(C/VLANES)][H][W][VLANES]
 * (Y's lanes past M get finite values): V is [xi][t][c] (VC: C rounded up
 * to whole blocks, all of them), a patch point of a tile one vector load
 * per channel block, and each output position one vector store, the
 * epilogue on it (VACT). Written in the vector layer
 * (templates/<isa>/vops.c); compiler/ops/conv_winograd.c picks F(2x2) and
 * the block sizes per ISA. Work units (the range [lo, hi) of a call): block
 * of TB tiles, then block of MB output channels; a part computes each of
 * its blocks exactly as a whole call does (scratch is per part). */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define N 1
#define C 20
#define M 40
#define IH 9
#define IW 10
#define OH 9
#define OW 10
#define PH 1
#define PW 1
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 1
#define EPI_EXPR (v + r < 0 ? 0 : v + r)
#define VEC_EPI 1
#define VACT 1
#define ACT_A 0.0f
#define ACT_B 0.0f
#define ACT_FIRST 0
#define ALPHA 6
#define XBLK 0
#define MR 8
#define NR 32
#define TH 3
#define TW 3
#define NT 9
#define TB 8
#define CB 16
#define VC 16
#define MB 32
#define MPAN 2
#define TILE wino_tile_lint
#define KERNEL conv_winograd_lint
void wino_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
static NNC_TARGET void conv_winograd_lint(const T *restrict x, const T *restrict up, const T *restrict b,
                                          const T *restrict res, T *restrict y, T *restrict scratch, long lo,
                                          long hi);
#endif
/* @begin */
#define KERNEL_OT (ALPHA - 2)
#define KERNEL_XI (ALPHA * ALPHA)
#define KERNEL_TG ((TB + VLANES - 1) / VLANES) /* groups of VLANES tiles */
/* Channels per input-transform vector: a block of TB <= VLANES/2 tiles
 * (F(4x4): MR, 8 on avx512) fills a vector with the tiles of VLANES/TB
 * channels (lane L: tile L % TB of channel L / TB), which are adjacent rows
 * of V, so one store takes them all. (Half-empty 16-lane gathers had made
 * the input transform 2/3 as long as the GEMMs on ResNet-18 layer2.) */
#define KERNEL_CP (2 * TB <= VLANES ? VLANES / TB : 1)
/* XBLK: channel blocks of the input and output (VC: CBK * VLANES) */
#define KERNEL_CBK ((C + VLANES - 1) / VLANES)
#define KERNEL_MBK ((M + VLANES - 1) / VLANES)
/* o = B^T d along one axis: d[i * st], o[i * st], i = 0..ALPHA-1. */
static inline NNC_TARGET void KERNEL_bt(VFLOAT *o, const VFLOAT *d, int st)
{
    if (ALPHA == 4) { /* B^T rows: (1 0 -1 0), (0 1 1 0), (0 -1 1 0), (0 1 0 -1) */
        const VFLOAT d0 = d[0], d1 = d[st], d2 = d[2 * st], d3 = d[3 * st];
        o[0] = VSUB(d0, d2);
        o[st] = VADD(d1, d2);
        o[2 * st] = VSUB(d2, d1);
        o[3 * st] = VSUB(d1, d3);
    } else {
        const VFLOAT d0 = d[0], d1 = d[st], d2 = d[2 * st], d3 = d[3 * st], d4 = d[4 * st], d5 = d[5 * st];
        const VFLOAT f4 = VSET(4.0f), f5 = VSET(5.0f), f2 = VSET(2.0f);
        const VFLOAT a = VFNMA(f4, d2, d4), bb = VFNMA(f4, d1, d3);
        const VFLOAT c = VSUB(d4, d2), e = VMUL(f2, VSUB(d3, d1));
        o[0] = VFNMA(f5, d2, VFMA(f4, d0, d4));
        o[st] = VADD(a, bb);
        o[2 * st] = VSUB(a, bb);
        o[3 * st] = VADD(c, e);
        o[4 * st] = VSUB(c, e);
        o[5 * st] = VFNMA(f5, d3, VFMA(f4, d1, d5));
    }
}

/* o = A^T q along one axis: q[i * st], i = 0..ALPHA-1 -> o[i * so],
 * i = 0..OT-1. */
static inline NNC_TARGET void KERNEL_at(VFLOAT *o, int so, const VFLOAT *q, int st)
{
    if (ALPHA == 4) { /* A^T rows: (1 1 1 0), (0 1 -1 -1) */
        o[0] = VADD(VADD(q[0], q[st]), q[2 * st]);
        o[so] = VSUB(VSUB(q[st], q[2 * st]), q[3 * st]);
    } else {
        const VFLOAT s12 = VADD(q[st], q[2 * st]), d12 = VSUB(q[st], q[2 * st]);
        const VFLOAT s34 = VADD(q[3 * st], q[4 * st]), d34 = VSUB(q[3 * st], q[4 * st]);
        o[0] = VADD(VADD(q[0], s12), s34);
        o[so] = VFMA(VSET(2.0f), d34, d12);
        o[2 * so] = VFMA(VSET(4.0f), s34, s12);
        o[3 * so] = VADD(VFMA(VSET(8.0f), d34, d12), q[5 * st]);
    }
}

/* Gather offsets and row/column validity (-1 or 0) of tiles [t0, t0 + tb),
 * per group g of VLANES tiles: gi[g * VLANES + lane],
 * rm[(g * ALPHA + k) * VLANES + lane] (and cm) for patch row (column) k. */
static NNC_TARGET void KERNEL_where(long t0, long tb, int *gi, int *rm, int *cm)
{
    long t, k;
    for (t = 0; t < KERNEL_TG * VLANES; t++) {
        const long ti = KERNEL_CP > 1 ? t % TB : t, cc = KERNEL_CP > 1 ? t / TB : 0; /* tile, channel */
        const int ok = ti < tb && cc < KERNEL_CP;
        const long tt = t0 + ti, img = tt / (TH * TW), ih0 = (tt / TW) % TH * KERNEL_OT - PH,
                   iw0 = tt % TW * KERNEL_OT - PW;
        gi[t] = ok ? (int)(((img * C + cc) * IH + ih0) * IW + iw0) : 0;
        for (k = 0; k < ALPHA; k++) {
            rm[(t / VLANES * ALPHA + k) * VLANES + t % VLANES] = ok && ih0 + k >= 0 && ih0 + k < IH ? -1 : 0;
            cm[(t / VLANES * ALPHA + k) * VLANES + t % VLANES] = ok && iw0 + k >= 0 && iw0 + k < IW ? -1 : 0;
        }
    }
}

/* V[xi][c - c0][t] (xi stride VC) for channels [c0, c0 + cb) of the tile block. */
static NNC_TARGET void KERNEL_input(const T *x, T *vb, long c0, long cb, const int *gi, const int *rm, const int *cm)
{
    long c, g;
    int k, l;
    for (g = 0; g < KERNEL_TG; g++) {
        for (c = 0; c < cb; c += KERNEL_CP) {
            const long nch = cb - c < KERNEL_CP ? cb - c : KERNEL_CP; /* channels in this vector */
            const VMASK keep = VTAIL(KERNEL_CP > 1 ? nch * TB : TB - g * VLANES < VLANES ? TB - g * VLANES : VLANES);
            const T *xc = x + (c0 + c) * ((long)IH * IW);
            VFLOAT d[KERNEL_XI], t[KERNEL_XI];
            for (k = 0; k < ALPHA; k++) {
                const VMASK rk = VMASK_AND(keep, VMASK_I32(rm + (g * ALPHA + k) * VLANES));
                for (l = 0; l < ALPHA; l++)
                    d[k * ALPHA + l] = VGATHER_IDX_M(xc, gi + g * VLANES, k * IW + l,
                                                     VMASK_AND(rk, VMASK_I32(cm + (g * ALPHA + l) * VLANES)));
            }
            for (l = 0; l < ALPHA; l++) KERNEL_bt(t + l, d + l, ALPHA);
            for (k = 0; k < ALPHA; k++) KERNEL_bt(d + k * ALPHA, t + k * ALPHA, 1);
            for (k = 0; k < KERNEL_XI; k++) VSTORE_M(vb + ((long)k * VC + c) * TB + g * VLANES, keep, d[k]);
        }
    }
}

/* XBLK: V[xi][t][c] (t stride VC) of the block's tiles [t0, t0 + tb)
 * from the channel-blocked input, one vector load per patch point and
 * channel block (zero outside the image), no gathers. */
#if XBLK
static NNC_TARGET void KERNEL_input_blk(const T *x, T *vb, long t0, long tb)
{
    long t, cb;
    int k, l;
    for (t = 0; t < tb; t++) {
        const long tt = t0 + t, img = tt / (TH * TW), ih0 = (tt / TW) % TH * KERNEL_OT - PH,
                   iw0 = tt % TW * KERNEL_OT - PW;
        for (cb = 0; cb < KERNEL_CBK; cb++) {
            const T *xc = x + (img * KERNEL_CBK + cb) * (long)IH * IW * VLANES;
            VFLOAT d[KERNEL_XI], e[KERNEL_XI];
            for (k = 0; k < ALPHA; k++)
                for (l = 0; l < ALPHA; l++) {
                    const long ih = ih0 + k, iw = iw0 + l;
                    d[k * ALPHA + l] =
                        ih >= 0 && ih < IH && iw >= 0 && iw < IW ? VLOAD(xc + (ih * IW + iw) * VLANES) : VZERO();
                }
            for (l = 0; l < ALPHA; l++) KERNEL_bt(e + l, d + l, ALPHA);
            for (k = 0; k < ALPHA; k++) KERNEL_bt(d + k * ALPHA, e + k * ALPHA, 1);
            for (k = 0; k < KERNEL_XI; k++) VSTORE(vb + ((long)k * TB + t) * VC + cb * VLANES, d[k]);
        }
    }
}
#endif

/* F(4x4): one output row of 4 columns (the first `cols`) of the channels
 * r, r + 4, r + 8, ... below nm, from v (VTRANSPOSE4: lanes 4g .. 4g+3
 * hold channel 4g + r), the epilogue applied (+ residual, VACT); y and
 * res: the row of channel 0. */
#if ALPHA == 6
static inline NNC_TARGET void KERNEL_orow(VFLOAT v, int r, T *y, const T *res, int cols, long nm)
{
    int g;
    if (HAS_EPI) {
        VFLOAT rv = VZERO();
        if (HAS_RES)
            for (g = 0; g < VLANES / 4; g++)
                if (4 * g + r < nm) rv = VLOADQ(rv, g, res + (4 * g + r) * (long)OH * OW, cols);
        if (HAS_RES && !ACT_FIRST) v = VADD(v, rv);
        v = VACTIVATE(v, VACT, ACT_A, ACT_B);
        if (HAS_RES && ACT_FIRST) v = VADD(v, rv);
    }
    for (g = 0; g < VLANES / 4; g++)
        if (4 * g + r < nm) VSTOREQ(y + (4 * g + r) * (long)OH * OW, v, g, cols);
}
#endif

/* Output transform of the block's tiles for channels [m0, m0 + mb): bias,
 * epilogue, store: F(4x4) by rows of 4 columns (KERNEL_orow), F(2x2) (and
 * an epilogue with no vector form: VEC_EPI 0) through a buffer, element
 * by element (EPI_EXPR). */
static NNC_TARGET void KERNEL_output(const T *mx, const T *b, const T *res, T *y, long t0, long tb, long m0,
                                    long mb)
{
    T ob[16 * VLANES];
    long t, j, q;
    int k, l;
    (void)b;
    (void)res;
    for (t = 0; t < tb; t++) {
        const long tt = t0 + t, img = tt / (TH * TW), oh0 = (tt / TW) % TH * KERNEL_OT,
                   ow0 = tt % TW * KERNEL_OT;
        const int rows = OH - oh0 < KERNEL_OT ? (int)(OH - oh0) : KERNEL_OT,
                  cols = OW - ow0 < KERNEL_OT ? (int)(OW - ow0) : KERNEL_OT;
        for (j = 0; j < mb; j += VLANES) {
            const long nm = mb - j < VLANES ? mb - j : VLANES;
            const VMASK mm = VTAIL(nm);
            VFLOAT qv[KERNEL_XI], u[KERNEL_OT * ALPHA], o[KERNEL_OT * KERNEL_OT];
            for (k = 0; k < KERNEL_XI; k++) qv[k] = VLOAD_M(mx + ((long)k * TB + t) * MB + j, mm);
            for (l = 0; l < ALPHA; l++) KERNEL_at(u + l, ALPHA, qv + l, ALPHA);
            for (k = 0; k < KERNEL_OT; k++) KERNEL_at(o + k * KERNEL_OT, 1, u + k * ALPHA, 1);
            if (HAS_BIAS) {
                const VFLOAT bv = VLOAD_M(b + m0 + j, mm);
                for (k = 0; k < KERNEL_OT * KERNEL_OT; k++) o[k] = VADD(o[k], bv);
            }
            if (XBLK) { /* blocked output: one vector a position (lanes past M too) */
                T *yb = y + (img * KERNEL_MBK + (m0 + j) / VLANES) * (long)OH * OW * VLANES;
                const T *rb = HAS_RES ? res + (yb - y) : 0;
                for (k = 0; k < rows; k++)
                    for (l = 0; l < cols; l++) {
                        const long at = ((oh0 + k) * OW + ow0 + l) * VLANES;
                        VFLOAT v = o[k * KERNEL_OT + l];
                        if (HAS_RES && !ACT_FIRST) v = VADD(v, VLOAD(rb + at));
                        v = VACTIVATE(v, VACT, ACT_A, ACT_B);
                        if (HAS_RES && ACT_FIRST) v = VADD(v, VLOAD(rb + at));
                        VSTORE(yb + at, v);
                    }
                continue;
            }
#if ALPHA == 6
            if (VEC_EPI) { /* F(4x4): rows of 4 columns, in registers */
                const long at = ((img * M + m0 + j) * OH + oh0) * OW + ow0;
                for (k = 0; k < rows; k++) {
                    VFLOAT q0 = o[4 * k], q1 = o[4 * k + 1], q2 = o[4 * k + 2], q3 = o[4 * k + 3];
                    VTRANSPOSE4(q0, q1, q2, q3);
                    KERNEL_orow(q0, 0, y + at + k * OW, HAS_RES ? res + at + k * OW : 0, cols, nm);
                    KERNEL_orow(q1, 1, y + at + k * OW, HAS_RES ? res + at + k * OW : 0, cols, nm);
                    KERNEL_orow(q2, 2, y + at + k * OW, HAS_RES ? res + at + k * OW : 0, cols, nm);
                    KERNEL_orow(q3, 3, y + at + k * OW, HAS_RES ? res + at + k * OW : 0, cols, nm);
                }
                continue;
            }
#endif
            for (k = 0; k < KERNEL_OT * KERNEL_OT; k++) VSTORE(ob + k * VLANES, o[k]);
            for (q = 0; q < nm; q++) {
                const long at = ((img * M + m0 + j + q) * OH + oh0) * OW + ow0;
                for (k = 0; k < rows; k++)
                    for (l = 0; l < cols; l++) {
                        const T v = ob[(k * KERNEL_OT + l) * VLANES + q];
                        const T r = HAS_RES ? res[at + k * OW + l] : (T)0;
                        (void)r;
                        y[at + k * OW + l] = HAS_EPI ? EPI_EXPR : v;
                    }
            }
        }
    }
}

#define KERNEL_NMB ((M + MB - 1) / MB) /* output channel blocks */
static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict up, const T *restrict b, const T *restrict res,
                              T *restrict y, T *restrict scratch, long lo, long hi)
{
    T *const vb = scratch, *const mx = scratch + (KERNEL_XI * VC * TB + 15) / 16 * 16;
    int gi[KERNEL_TG * VLANES], rm[KERNEL_TG * ALPHA * VLANES], cm[KERNEL_TG * ALPHA * VLANES];
    long t0, m0, c0, xi, j, i;
    for (t0 = lo / KERNEL_NMB * TB; t0 < NT && t0 / TB * KERNEL_NMB < hi; t0 += TB) {
        const long tb = NT - t0 < TB ? NT - t0 : TB, tu = t0 / TB * KERNEL_NMB; /* the block's first unit */
#if XBLK
        KERNEL_input_blk(x, vb, t0, tb);
#endif
        if (!XBLK) KERNEL_where(t0, tb, gi, rm, cm);
        if (!XBLK && VC == C) KERNEL_input(x, vb, 0, C, gi, rm, cm);
        for (m0 = lo > tu ? (lo - tu) * MB : 0; m0 < M && tu + m0 / MB < hi; m0 += MB) {
            const long mb = M - m0 < MB ? M - m0 : MB;
            for (c0 = 0; c0 < C; c0 += CB) {
                const long cb = C - c0 < CB ? C - c0 : CB;
                const T *const va = XBLK ? vb + c0 : vb + (VC == C ? c0 : 0) * (long)TB;
                if (!XBLK && VC != C) KERNEL_input(x, vb, c0, cb, gi, rm, cm);
                for (xi = 0; xi < KERNEL_XI; xi++)
                    for (j = 0; j < mb; j += NR) {
                        const long nr = mb - j < NR ? mb - j : NR;
                        const T *bp = up + ((xi * MPAN + (m0 + j) / NR) * (long)C + c0) * NR;
                        for (i = 0; i < tb; i += MR)
                            TILE(tb - i < MR ? tb - i : MR, nr, cb,
                                 XBLK ? va + (xi * TB + i) * VC : va + xi * VC * TB + i, XBLK ? VC : 1,
                                 XBLK ? 1 : TB, bp, mx + (xi * TB + i) * MB + j, MB, c0 > 0, 0, 0, 0, 0);
                    }
            }
            KERNEL_output(mx, b, res, y, t0, tb, m0, mb);
        }
    }
}
#undef KERNEL_NMB
#undef KERNEL_OT
#undef KERNEL_XI
#undef KERNEL_TG
#undef KERNEL_CP
#undef KERNEL_CBK
#undef KERNEL_MBK
/* @end */
