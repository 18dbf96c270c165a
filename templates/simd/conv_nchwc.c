/* conv_nchwc.c — float 2-D convolution writing the channel-blocked layout
 * NCHW[V] (V = VLANES: one vector is one position of V channels), for
 * group 1 or depthwise (DWC: group == C == M):
 *   X[N, C, IH, IW] plain (XBLK 0) or blocked (XBLK 1), packed weights,
 *   bias padded to MB*V -> Y[N, M, OH, OW] blocked: [N][MB][OH][OW][V]
 *   (or one phase of a stride-S ConvTranspose: the output rows oh*YSH and
 *   columns ow*YSW of a blocked [N][MB][YOH][YOW][V], y pointing at the
 *   phase's first position)
 * with CB = ceil(C/V), MB = ceil(M/V) channel blocks; the lanes of Y past M
 * get finite values (the packed weights and bias are zero there).
 * Group 1, direct: the register tile is RW output positions of RH rows
 * (RH > 1 on planes narrower than RW) by OCB output-channel blocks
 * (RW * RH * OCB accumulators); for each input channel
 * i of each tap, OCB weight vectors wp[og][icb][kh][kw][i][OCB][V] are
 * loaded once and each of the RW input values is broadcast against them.
 * So no im2col, no packing of activations, and strided convolutions read
 * their inputs at a stride instead of gathering them.
 * Depthwise: per channel block, RW positions at a time, one weight vector
 * wp[cb][kh][kw][V] and one input vector per tap and position; its input
 * is always blocked and read in place, the taps in the padding skipped (by row once per
 * output row, by column only in the edge tiles).
 * Blocking: output rows in strips of SR rows; input channels in chunks of
 * KCB blocks, whose partial sums go through Y (first chunk starts from the
 * bias, the last applies the epilogue). With padding (group 1 only: COPY),
 * a chunk's strip of input rows is first copied into a zero-bordered
 * blocked buffer, buf (KCB x IHB x IWP x V floats of workspace scratch, per
 * part; C instead of V lanes for a plain input of C <= V channels), so
 * no tap needs a bounds check; otherwise the input is read in place (a
 * plain one a channel plane apart per input channel).
 * Epilogue in registers: + bias, then + residual (blocked like Y) and the
 * activation VACT (ACT_A, ACT_B; VACTIVATE in the vector layer), the
 * residual after it when ACT_FIRST.
 * WPF (group 1, weights that outweigh the activations and stream from
 * memory once): while the tiles of one (output group, chunk) weight block
 * run, they prefetch the next block, a share of its cache lines per tile
 * call spread over the call's taps, so the first row of each block no
 * longer waits on memory. */
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
#define KH 3
#define KW 3
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PH 1
#define PW 1
#define XBLK 1
#define DWC 0
#define CB 3
#define MB 3
#define OCB 3
#define RW 4
#define RH 1
#define SR 9
#define KCB 3
#define COPY 1
#define FEWM 0
#define WPF 1
#define IHB 11
#define IWP 12
#define YOH 9
#define YOW 10
#define YSH 1
#define YSW 1
#define HAS_BIAS 1
#define HAS_RES 1
#define VACT 1
#define ACT_A 0.0f
#define ACT_B 0.0f
#define ACT_FIRST 0
#define KERNEL conv_nchwc_lint
static NNC_TARGET void conv_nchwc_lint(const T *restrict x, const T *restrict wp, const T *restrict b,
                                       const T *restrict res, T *restrict y, T *restrict buf, long lo, long hi);
#endif
/* @begin */
/* channels in the last input block */
#define KERNEL_CLAST (C - (CB - 1) * VLANES)
/* channels per position in the copy buffer: a plain input of at most one
 * block (an RGB image) keeps just its C channels */
#define KERNEL_BL (XBLK || CB > 1 ? VLANES : C)
/* strides of the input as the tile reads it: block, row, position, channel */
#define KERNEL_XCS (COPY ? (long)IHB * IWP * KERNEL_BL : (long)IH * IW * VLANES)
#define KERNEL_XRS (COPY ? (long)IWP * KERNEL_BL : XBLK ? (long)IW * VLANES : (long)IW)
#define KERNEL_XPS (COPY ? KERNEL_BL : XBLK ? VLANES : 1)
#define KERNEL_XIS (COPY || XBLK ? 1 : (long)IH * IW)
/* the output as written: block, row and position strides (YSH, YSW > 1: one
 * phase of a transposed convolution, every YSH-th row and YSW-th column of a
 * YOH x YOW plane) */
#define KERNEL_YCS ((long)YOH * YOW * VLANES)
#define KERNEL_YRS ((long)YSH * YOW * VLANES)
#define KERNEL_YPS ((long)YSW * VLANES)
#define KERNEL_WTAP ((DWC ? 1 : FEWM ? M : VLANES * OCB) * VLANES) /* weight floats per tap */

#define KERNEL_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define KERNEL_DECL(r)                                                                                      \
    VFLOAT a##r##0 = VZERO(), a##r##1 = VZERO(), a##r##2 = VZERO(), a##r##3 = VZERO();                     \
    const long o##r = (r) / rw * KERNEL_YRS + (r) % rw * KERNEL_YPS;
/* the input offset of tile position r from the tile's first */
#define KERNEL_Q(r) ((r) / rw * SH * KERNEL_XRS + (r) % rw * SW * KERNEL_XPS)
#define KERNEL_INIT1(r, j)                                                                                  \
    if (rh * rw > r && ocb > j) a##r##j = first ? (HAS_BIAS ? VLOAD(bias + j * VLANES) : VZERO())          \
                                                : VLOAD(y + j * KERNEL_YCS + o##r);
#define KERNEL_INIT(r) KERNEL_INIT1(r, 0) KERNEL_INIT1(r, 1) KERNEL_INIT1(r, 2) KERNEL_INIT1(r, 3)
#define KERNEL_FMA(r)                                                                                       \
    if (rh * rw > r) {                                                                                           \
        const VFLOAT xv = VSET(xk[KERNEL_Q(r) + i * KERNEL_XIS]);                                                  \
        a##r##0 = VFMA(xv, w0, a##r##0);                                                                    \
        if (ocb > 1) a##r##1 = VFMA(xv, w1, a##r##1);                                                       \
        if (ocb > 2) a##r##2 = VFMA(xv, w2, a##r##2);                                                       \
        if (ocb > 3) a##r##3 = VFMA(xv, w3, a##r##3);                                                       \
    }
/* VFMA_LANE (NEON, 4 lanes): the input vector of position r holds its
 * block's 4 channels; channel l multiplies the weights of step l by lane */
#define KERNEL_XV(r) const VFLOAT x##r = rh * rw > r ? VLOAD(xk + KERNEL_Q(r)) : VZERO();
#define KERNEL_LFMA(r, l)                                                                                   \
    if (rh * rw > r) {                                                                                      \
        a##r##0 = VFMA_LANE(w0, x##r, l, a##r##0);                                                          \
        if (ocb > 1) a##r##1 = VFMA_LANE(w1, x##r, l, a##r##1);                                             \
        if (ocb > 2) a##r##2 = VFMA_LANE(w2, x##r, l, a##r##2);                                             \
        if (ocb > 3) a##r##3 = VFMA_LANE(w3, x##r, l, a##r##3);                                             \
    }
#define KERNEL_LFMA0(r) KERNEL_LFMA(r, 0)
#define KERNEL_LFMA1(r) KERNEL_LFMA(r, 1)
#define KERNEL_LFMA2(r) KERNEL_LFMA(r, 2)
#define KERNEL_LFMA3(r) KERNEL_LFMA(r, 3)
#define KERNEL_LSTEP(l)                                                                                     \
    {                                                                                                       \
        const T *wl = wk + (l) * OCB * VLANES;                                                              \
        const VFLOAT w0 = VLOAD(wl), w1 = ocb > 1 ? VLOAD(wl + VLANES) : VZERO(),                           \
                     w2 = ocb > 2 ? VLOAD(wl + 2 * VLANES) : VZERO(),                                       \
                     w3 = ocb > 3 ? VLOAD(wl + 3 * VLANES) : VZERO();                                       \
        KERNEL_ROWS(KERNEL_LFMA##l)                                                                         \
    }
#define KERNEL_DWFMA_IP(r)                                                                                  \
    if (rw > r) {                                                                                           \
        const long iw = iw0 + (r) * SW + kw * DW;                                                           \
        if (!checks || (iw >= 0 && iw < IW)) a##r##0 = VFMA(VLOAD(xr + iw * VLANES), wv, a##r##0);         \
    }
#define KERNEL_STORE1(r, j)                                                                                 \
    if (rh * rw > r && ocb > j)                                                                             \
        KERNEL_finish(a##r##j, y + j * KERNEL_YCS + o##r, HAS_RES ? res + j * KERNEL_YCS + o##r : 0, last);
#define KERNEL_STORE(r) KERNEL_STORE1(r, 0) KERNEL_STORE1(r, 1) KERNEL_STORE1(r, 2) KERNEL_STORE1(r, 3)

static inline NNC_TARGET void KERNEL_finish(VFLOAT v, T *y, const T *res, int last)
{
    if (last) {
        if (HAS_RES && !ACT_FIRST) v = VADD(v, VLOAD(res));
        v = VACTIVATE(v, VACT, ACT_A, ACT_B);
        if (HAS_RES && ACT_FIRST) v = VADD(v, VLOAD(res));
    }
    VSTORE(y, v);
}

/* WPF: the next weight block (p, NULL for none) and its cache lines; a
 * tile call prefetches lines [lo, hi) of it, spread over its taps. (Handed
 * to KERNEL_row, lo is the row's first tile call and hi the block's calls;
 * KERNEL_row turns them into each call's lines.) */
typedef struct {
    const T *p;
    long lines, lo, hi;
} KERNEL_pf;

/* One tile: rh output rows of rw positions from y by ocb channel blocks,
 * over nb input blocks from x (the tile's first tap); the last of them
 * holds `nlast` channels. */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_tile(const T *x, const T *w, T *y, const T *bias, const T *res, int first, int last, long nb, int nlast,
            const KERNEL_pf *pf, const int rw, const int rh, const int ocb)
{
    KERNEL_ROWS(KERNEL_DECL)
    KERNEL_ROWS(KERNEL_INIT)
    long icb;
    int kh, kw, i;
#if WPF
    /* the call's lines [lo, hi) spread evenly over its taps: a line each
     * time pacc passes the tap count (at most one a tap when the lines are
     * fewer than the taps; front-loading them, one a tap, stalled on
     * memory with the miss buffers full) */
    const long ptaps = nb * KH * KW, pspan = pf->hi - pf->lo;
    long pl = pf->lo, pacc = 0;
#endif
    for (icb = 0; icb < nb; icb++) {
        const int ni = icb == nb - 1 ? nlast : VLANES;
        for (kh = 0; kh < KH; kh++)
            for (kw = 0; kw < KW; kw++) {
                const T *xk = x + icb * KERNEL_XCS + kh * DH * KERNEL_XRS + kw * DW * KERNEL_XPS;
                const T *wk = w + ((icb * KH + kh) * KW + kw) * KERNEL_WTAP;
#if WPF
                if (pf->p)
                    for (pacc += pspan; pacc >= ptaps; pacc -= ptaps, pl++)
                        VPREFETCH(pf->p + pl * (64 / (long)sizeof(T)));
#else
                (void)pf;
#endif
#ifdef VFMA_LANE
                if (ni == VLANES && KERNEL_XIS == 1) { /* the block's channels of a position: one vector */
                    KERNEL_ROWS(KERNEL_XV)
                    KERNEL_LSTEP(0)
                    KERNEL_LSTEP(1)
                    KERNEL_LSTEP(2)
                    KERNEL_LSTEP(3)
                    continue;
                }
#endif
                if (ni == VLANES) {
                    for (i = 0; i < VLANES; i++, wk += OCB * VLANES) {
                        const VFLOAT w0 = VLOAD(wk), w1 = ocb > 1 ? VLOAD(wk + VLANES) : VZERO(),
                                     w2 = ocb > 2 ? VLOAD(wk + 2 * VLANES) : VZERO(),
                                     w3 = ocb > 3 ? VLOAD(wk + 3 * VLANES) : VZERO();
                        KERNEL_ROWS(KERNEL_FMA)
                    }
                } else {
                    for (i = 0; i < ni; i++, wk += OCB * VLANES) {
                        const VFLOAT w0 = VLOAD(wk), w1 = ocb > 1 ? VLOAD(wk + VLANES) : VZERO(),
                                     w2 = ocb > 2 ? VLOAD(wk + 2 * VLANES) : VZERO(),
                                     w3 = ocb > 3 ? VLOAD(wk + 3 * VLANES) : VZERO();
                        KERNEL_ROWS(KERNEL_FMA)
                    }
                }
            }
    }
    KERNEL_ROWS(KERNEL_STORE)
}

/* Depthwise tile, read in place from the blocked input: rw
 * positions from input column iw0 of the rows ih0 + kh * DH, kh in
 * [khl, khh) (the rows inside the image); with `checks`, taps outside the
 * image's columns are skipped. xp: the channel block's input plane. */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_dwtile_ip(const T *xp, const T *w, T *y, const T *bias, const T *res, long ih0, long iw0, int khl, int khh,
                 const int rw, const int checks)
{
    const int ocb = 1, first = 1, rh = 1;
    int kh, kw;
    KERNEL_ROWS(KERNEL_DECL)
    KERNEL_ROWS(KERNEL_INIT)
    for (kh = khl; kh < khh; kh++) {
        const T *xr = xp + (ih0 + kh * DH) * IW * VLANES;
        for (kw = 0; kw < KW; kw++) {
            const VFLOAT wv = VLOAD(w + (kh * KW + kw) * VLANES);
            KERNEL_ROWS(KERNEL_DWFMA_IP)
        }
    }
    {
        const int last = 1;
        KERNEL_ROWS(KERNEL_STORE)
    }
    (void)first;
}

/* Output columns whose taps all fall inside the image: [OWLO, OWHI). */
#define KERNEL_OWLO ((PW + SW - 1) / SW)
#define KERNEL_OWHI (IW - 1 + PW - (KW - 1) * DW < 0 ? 0 : (IW - 1 + PW - (KW - 1) * DW) / SW + 1)

/* Depthwise output row oh of one channel block, read in place from its
 * input plane xp: interior tiles without column checks. */
static inline NNC_TARGET void KERNEL_dwrow_ip(const T *xp, const T *w, T *yr, const T *bias, const T *rr, long oh)
{
    const long ih0 = oh * SH - PH;
    int khl = 0, khh = KH;
    long ow = 0;
    while (khl < KH && ih0 + khl * DH < 0) khl++;
    while (khh > khl && ih0 + (khh - 1) * DH >= IH) khh--;
    for (; ow + RW <= OW; ow += RW) {
        T *y = yr + ow * KERNEL_YPS;
        const T *res = rr ? rr + ow * KERNEL_YPS : 0;
        if (ow >= KERNEL_OWLO && ow + RW <= KERNEL_OWHI)
            KERNEL_dwtile_ip(xp, w, y, bias, res, ih0, ow * SW - PW, khl, khh, RW, 0);
        else
            KERNEL_dwtile_ip(xp, w, y, bias, res, ih0, ow * SW - PW, khl, khh, RW, 1);
    }
#if OW % RW
    KERNEL_dwtile_ip(xp, w, yr + ow * KERNEL_YPS, bias, rr ? rr + ow * KERNEL_YPS : 0, ih0, ow * SW - PW, khl, khh,
                     OW % RW, 1);
#endif
}

/* Copy input rows [r0, r0 + IHB) (r0 may be negative) of blocks
 * [cb0, cb0 + nb) of image xn into buf, zero outside the image and in the
 * lanes past C; column w of buf is input column w - PW. */
static inline NNC_TARGET void KERNEL_copy(T *buf, const T *xn, long cb0, long nb, long r0)
{
    const long iwe = IW < IWP - PW ? IW : IWP - PW; /* input columns the buffer holds: [0, iwe) */
    long b, h, w, i;
    for (b = 0; b < nb; b++) {
        const long cb = cb0 + b, nc = cb == CB - 1 ? KERNEL_CLAST : VLANES;
        for (h = 0; h < IHB; h++) {
            T *d = buf + (b * IHB + h) * IWP * KERNEL_BL;
            const long ih = r0 + h;
            if (ih < 0 || ih >= IH) {
                for (w = 0; w < IWP * KERNEL_BL; w++) d[w] = (T)0;
            } else if (XBLK) {
                const T *xr = xn + (cb * IH + ih) * IW * VLANES;
                for (w = 0; w < IWP; w++)
                    VSTORE(d + w * VLANES, w >= PW && w - PW < iwe ? VLOAD(xr + (w - PW) * VLANES) : VZERO());
            } else if (KERNEL_BL == VLANES) {
                /* a plain input of whole blocks: 4 columns at a time, each
                 * group of 4 channels read as 4-float rows and transposed,
                 * one vector a column; the channels past C stay 0 */
                const T *xr = xn + (cb * VLANES * (long)IH + ih) * IW;
                for (w = 0; w < IWP; w++)
                    if (w < PW || w - PW >= iwe) VSTORE(d + w * VLANES, VZERO());
                for (w = 0; w < iwe; w += 4) {
                    const int m = iwe - w < 4 ? (int)(iwe - w) : 4;
                    VFLOAT v0 = VZERO(), v1 = VZERO(), v2 = VZERO(), v3 = VZERO();
                    T *dw = d + (w + PW) * VLANES;
                    int g;
                    for (g = 0; g < VLANES / 4; g++) {
                        const T *q = xr + 4 * g * (long)IH * IW + w;
                        if (4 * g + 0 < nc) v0 = VLOADQ(v0, g, q, m);
                        if (4 * g + 1 < nc) v1 = VLOADQ(v1, g, q + (long)IH * IW, m);
                        if (4 * g + 2 < nc) v2 = VLOADQ(v2, g, q + 2 * (long)IH * IW, m);
                        if (4 * g + 3 < nc) v3 = VLOADQ(v3, g, q + 3 * (long)IH * IW, m);
                    }
                    VTRANSPOSE4(v0, v1, v2, v3); /* vector r: column w + r */
                    VSTORE(dw, v0);
                    if (m > 1) VSTORE(dw + VLANES, v1);
                    if (m > 2) VSTORE(dw + 2 * VLANES, v2);
                    if (m > 3) VSTORE(dw + 3 * VLANES, v3);
                }
            } else {
                for (w = 0; w < IWP; w++)
                    if (w < PW || w - PW >= iwe || nc < KERNEL_BL)
                        for (i = 0; i < KERNEL_BL; i++) d[w * KERNEL_BL + i] = (T)0;
                for (i = 0; i < nc; i++) {
                    const T *xr = xn + ((cb * VLANES + i) * IH + ih) * IW;
                    for (w = 0; w < iwe; w++) d[(w + PW) * KERNEL_BL + i] = xr[w];
                }
            }
        }
    }
}

/* The tile's shapes as separate small functions, so the compiler allocates
 * each one's registers on its own (inlined into the row loop, gcc kept
 * weight vectors on the stack): t<w><h><o> with 1 for the full RW columns,
 * RH rows and OCB blocks, 2 for the last OW % RW columns, OH % RH rows and
 * MB % OCB blocks; only the shapes that occur are defined. RH > 1 only
 * when RW == OW, so columns and rows never both come short. */
#define KERNEL_TILE_ARGS                                                                                    \
    const T *x, const T *w, T *y, const T *bias, const T *res, int first, int last, long nb, int nlast, const KERNEL_pf *pf
#define KERNEL_TILE_PASS x, w, y, bias, res, first, last, nb, nlast, pf
#define KERNEL_TILE_FN(name, cols, rows, blocks)                                                            \
    static NNC_TARGET __attribute__((noinline)) void name(KERNEL_TILE_ARGS)                                 \
    {                                                                                                       \
        KERNEL_tile(KERNEL_TILE_PASS, cols, rows, blocks);                                                  \
    }
KERNEL_TILE_FN(KERNEL_t111, RW, RH, OCB)
#if MB % OCB
KERNEL_TILE_FN(KERNEL_t112, RW, RH, MB % OCB)
#endif
#if OW % RW
KERNEL_TILE_FN(KERNEL_t211, OW % RW, RH, OCB)
#if MB % OCB
KERNEL_TILE_FN(KERNEL_t212, OW % RW, RH, MB % OCB)
#endif
#endif
#if RH > 1 && OH % RH
KERNEL_TILE_FN(KERNEL_t121, RW, OH % RH, OCB)
#if MB % OCB
KERNEL_TILE_FN(KERNEL_t122, RW, OH % RH, MB % OCB)
#endif
#endif

/* The tile of shape (wt: last columns, ht: last rows, ot: last blocks). */
static inline NNC_TARGET void KERNEL_call(int wt, int ht, int ot, KERNEL_TILE_ARGS)
{
#if OW % RW
    if (wt) {
#if MB % OCB
        if (ot) {
            KERNEL_t212(KERNEL_TILE_PASS);
            return;
        }
#endif
        KERNEL_t211(KERNEL_TILE_PASS);
        return;
    }
#endif
#if RH > 1 && OH % RH
    if (ht) {
#if MB % OCB
        if (ot) {
            KERNEL_t122(KERNEL_TILE_PASS);
            return;
        }
#endif
        KERNEL_t121(KERNEL_TILE_PASS);
        return;
    }
#endif
#if MB % OCB
    if (ot) {
        KERNEL_t112(KERNEL_TILE_PASS);
        return;
    }
#endif
    KERNEL_t111(KERNEL_TILE_PASS);
    (void)wt;
    (void)ht;
    (void)ot;
}

/* Tiles of a row (RW columns each, the last OW % RW) */
#define KERNEL_TPR ((OW + RW - 1) / RW)

/* Output rows [oh, oh + RH) (fewer: ht) of one channel-block group (all
 * OCB blocks, or the last MB % OCB: otail) over chunk blocks
 * [cb0, cb0 + nb); xr: the chunk's input at these rows' first tap. WPF:
 * pf0 names the next weight block, the row's first tile call (lo) and the
 * block's calls (hi). */
static inline NNC_TARGET void KERNEL_row(const T *xr, const T *w, T *yr, const T *bias, const T *rr, int first,
                                         int last, long nb, int nlast, int ht, int otail, const KERNEL_pf *pf0)
{
    KERNEL_pf f = *pf0;
    const KERNEL_pf *pf = &f;
    /* the block's lines over all its calls but the last, which leaves the
     * last lines time to arrive before the next block's first call */
    const long d = pf0->hi > 1 ? pf0->hi - 1 : 1;
    long ow = 0, k = pf0->lo;
#define KERNEL_PFL(k) ((k) < d ? f.lines * (k) / d : f.lines)
    f.lo = KERNEL_PFL(k);
    f.hi = KERNEL_PFL(k + 1);
    for (; ow + RW <= OW; ow += RW, k++, f.lo = f.hi, f.hi = KERNEL_PFL(k + 1)) {
        const T *x = xr + ow * SW * KERNEL_XPS, *res = rr ? rr + ow * KERNEL_YPS : 0;
        T *y = yr + ow * KERNEL_YPS;
        KERNEL_call(0, ht, otail, KERNEL_TILE_PASS);
    }
    if (OW % RW) {
        const T *x = xr + ow * SW * KERNEL_XPS, *res = rr ? rr + ow * KERNEL_YPS : 0;
        T *y = yr + ow * KERNEL_YPS;
        KERNEL_call(1, ht, otail, KERNEL_TILE_PASS);
    }
#undef KERNEL_PFL
}

/* FEWM: at most VLANES/4 output channels (one block, OCB 1), so the lanes
 * take a position's VLANES input channels instead of output channels: per
 * tap and input block, M weight vectors [m][lanes] and one input vector per
 * position, M * FRW accumulators, reduced across their lanes once per
 * chunk. Weights [CB][KH][KW][M][VLANES], zero past C, so the input's lanes
 * past C (finite) add nothing. The reduction is a tree of pairwise
 * de-interleaves (VEVEN + VODD) over the accumulators of VLANES/4
 * positions, four each (those past M zero), whose result holds position q's
 * four sums in lanes 4q .. 4q+3: one vector for VLANES/4 positions, on which
 * the bias, the partial sums, the residual and the activation are done
 * before each position's four lanes are stored (its other lanes written 0
 * on the first chunk). Against a horizontal sum per accumulator and an
 * epilogue per position, that is half the shuffles and a quarter of the
 * activations on AVX-512. */
#if FEWM
#define KERNEL_FRW (M <= 2 ? 12 : 24 / M) /* positions per tile: 12, 12, 8 or 6 */
#define KERNEL_FPOS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define KERNEL_FDECL(r) VFLOAT f##r##0 = VZERO(), f##r##1 = VZERO(), f##r##2 = VZERO(), f##r##3 = VZERO();
#define KERNEL_FFMA(r)                                                                                      \
    if (np > r) {                                                                                           \
        const VFLOAT xv = VLOAD(xk + (r) * SW * KERNEL_XPS);                                                \
        f##r##0 = VFMA(xv, w0, f##r##0);                                                                    \
        if (M > 1) f##r##1 = VFMA(xv, w1, f##r##1);                                                         \
        if (M > 2) f##r##2 = VFMA(xv, w2, f##r##2);                                                         \
        if (M > 3) f##r##3 = VFMA(xv, w3, f##r##3);                                                         \
    }
/* lane i of the result: the sum of lanes 2i and 2i+1 of the 2 * VLANES
 * floats of a then b */
#define KERNEL_FC2(a, b) VADD(VEVEN(a, b), VODD(a, b))
/* position r's four sums in lanes 0..3 of each group of VLANES/4 lanes */
#define KERNEL_FQ4(r) KERNEL_FC2(KERNEL_FC2(f##r##0, f##r##1), KERNEL_FC2(f##r##2, f##r##3))
/* positions (a, b, c, d): their sums in lanes 0-3, 4-7, 8-11, 12-15 of
 * one vector (the first VLANES/4 of them) */
#if VLANES == 16
#define KERNEL_FGROUP(a, b, c, d)                                                                           \
    KERNEL_FC2(KERNEL_FC2(KERNEL_FQ4(a), KERNEL_FQ4(b)), KERNEL_FC2(KERNEL_FQ4(c), KERNEL_FQ4(d)))
#elif VLANES == 8
#define KERNEL_FGROUP(a, b, c, d) KERNEL_FC2(KERNEL_FQ4(a), KERNEL_FQ4(b))
#elif VLANES == 4
#define KERNEL_FGROUP(a, b, c, d) KERNEL_FQ4(a)
#else
#error "FEWM needs VLANES of 4, 8 or 16"
#endif
#define KERNEL_FQN (VLANES / 4) /* positions per reduced vector */

/* Positions [p0, p0 + n) (n <= FQN) of the tile at y: their sums s (lanes
 * 4q..4q+3 for position p0 + q) onto the bias (first chunk) or the partial
 * sums so far, then the epilogue (last chunk). */
#define KERNEL_FQ(X) X(0) X(1) X(2) X(3)
#define KERNEL_FLOAD(q)                                                                                     \
    if (KERNEL_FQN > q && n > q) v = VLOADQ(v, q, first ? bias : y + (p0 + q) * KERNEL_YPS, 4);
#define KERNEL_FRES(q)                                                                                      \
    if (KERNEL_FQN > q && n > q) r = VLOADQ(r, q, res + (p0 + q) * KERNEL_YPS, 4);
#define KERNEL_FPUT(q)                                                                                      \
    if (KERNEL_FQN > q && n > q) {                                                                          \
        if (first) VSTORE(y + (p0 + q) * KERNEL_YPS, VZERO());                                              \
        VSTOREQ(y + (p0 + q) * KERNEL_YPS, v, q, 4);                                                        \
    }
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_ffinish(VFLOAT s, T *y, const T *bias, const T *res, int first, int last, int p0, int n)
{
    VFLOAT v = VZERO(), r = VZERO();
    if (!first || HAS_BIAS) {
        KERNEL_FQ(KERNEL_FLOAD)
    }
    v = VADD(v, s);
    if (last) {
        if (HAS_RES) {
            KERNEL_FQ(KERNEL_FRES)
        }
        if (HAS_RES && !ACT_FIRST) v = VADD(v, r);
        v = VACTIVATE(v, VACT, ACT_A, ACT_B);
        if (HAS_RES && ACT_FIRST) v = VADD(v, r);
    }
    (void)r;
    KERNEL_FQ(KERNEL_FPUT)
}
/* the positions of a tile in groups of FQN: (a, b, c, d) */
#define KERNEL_FSTORE(a, b, c, d)                                                                           \
    if (np > a)                                                                                             \
        KERNEL_ffinish(KERNEL_FGROUP(a, b, c, d), y, bias, res, first, last, a,                             \
                       np - a < KERNEL_FQN ? np - a : KERNEL_FQN);
#if VLANES == 16
#define KERNEL_FSTORES KERNEL_FSTORE(0, 1, 2, 3) KERNEL_FSTORE(4, 5, 6, 7) KERNEL_FSTORE(8, 9, 10, 11)
#elif VLANES == 8
#define KERNEL_FSTORES                                                                                      \
    KERNEL_FSTORE(0, 1, 0, 0) KERNEL_FSTORE(2, 3, 0, 0) KERNEL_FSTORE(4, 5, 0, 0)                           \
    KERNEL_FSTORE(6, 7, 0, 0) KERNEL_FSTORE(8, 9, 0, 0) KERNEL_FSTORE(10, 11, 0, 0)
#else
#define KERNEL_FSTORE1(r) KERNEL_FSTORE(r, 0, 0, 0)
#define KERNEL_FSTORES KERNEL_FPOS(KERNEL_FSTORE1)
#endif

/* np (<= FRW) positions of one output row from y, over nb input blocks
 * from x (the tile's first tap). */
static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_ftile(const T *x, const T *w, T *y, const T *bias, const T *res, int first, int last, long nb, const int np)
{
    KERNEL_FPOS(KERNEL_FDECL)
    long icb;
    int kh, kw;
    for (icb = 0; icb < nb; icb++)
        for (kh = 0; kh < KH; kh++)
            for (kw = 0; kw < KW; kw++) {
                const T *xk = x + icb * KERNEL_XCS + kh * DH * KERNEL_XRS + kw * DW * KERNEL_XPS;
                const T *wk = w + ((icb * KH + kh) * KW + kw) * KERNEL_WTAP;
                const VFLOAT w0 = VLOAD(wk), w1 = M > 1 ? VLOAD(wk + VLANES) : VZERO(),
                             w2 = M > 2 ? VLOAD(wk + 2 * VLANES) : VZERO(),
                             w3 = M > 3 ? VLOAD(wk + 3 * VLANES) : VZERO();
                KERNEL_FPOS(KERNEL_FFMA)
            }
    KERNEL_FSTORES
}
static NNC_TARGET __attribute__((noinline)) void KERNEL_ft1(const T *x, const T *w, T *y, const T *bias,
                                                            const T *res, int first, int last, long nb)
{
    KERNEL_ftile(x, w, y, bias, res, first, last, nb, KERNEL_FRW);
}
#if OW % KERNEL_FRW
static NNC_TARGET __attribute__((noinline)) void KERNEL_ft2(const T *x, const T *w, T *y, const T *bias,
                                                            const T *res, int first, int last, long nb)
{
    KERNEL_ftile(x, w, y, bias, res, first, last, nb, OW % KERNEL_FRW);
}
#endif

/* FEWM: output row yr from the chunk's input xr at the row's first tap. */
static inline NNC_TARGET void KERNEL_frow(const T *xr, const T *w, T *yr, const T *bias, const T *rr, int first,
                                          int last, long nb)
{
    long ow = 0;
    for (; ow + KERNEL_FRW <= OW; ow += KERNEL_FRW)
        KERNEL_ft1(xr + ow * SW * KERNEL_XPS, w, yr + ow * KERNEL_YPS, bias, rr ? rr + ow * KERNEL_YPS : 0, first,
                   last, nb);
#if OW % KERNEL_FRW
    KERNEL_ft2(xr + ow * SW * KERNEL_XPS, w, yr + ow * KERNEL_YPS, bias, rr ? rr + ow * KERNEL_YPS : 0, first, last,
               nb);
#endif
}
#endif

/* Strip of output rows [oh0, oh0 + nr) of image n, input blocks
 * [cb0, cb0 + nb) read from xs (the copy buffer, or the image in place),
 * for output groups [g0, g1) (KERNEL_NG: OCB-block groups; depthwise:
 * channel blocks, of which only those in the chunk are done). */
static inline NNC_TARGET void KERNEL_strip(const T *xs, const T *wp, const T *b, const T *resn, T *yn, long oh0,
                                           long nr, long cb0, long nb, long g0, long g1)
{
    const int first = cb0 == 0, last = cb0 + nb == CB, nlast = last ? KERNEL_CLAST : VLANES;
    const long r0 = COPY ? oh0 * SH - PH : 0; /* buffer row of input row oh0 * SH - PH */
    long og, oh;
    if (DWC) {
        for (og = g0 > cb0 ? g0 - cb0 : 0; og < nb && cb0 + og < g1; og++)
            for (oh = oh0; oh < oh0 + nr; oh++) {
                const long yo = (cb0 + og) * KERNEL_YCS + oh * KERNEL_YRS;
                const T *wo = wp + (cb0 + og) * KH * KW * VLANES, *bo = HAS_BIAS ? b + (cb0 + og) * VLANES : 0;
                KERNEL_dwrow_ip(xs + og * KERNEL_XCS, wo, yn + yo, bo, HAS_RES ? resn + yo : 0, oh);
            }
        return;
    }
    for (og = g0 * OCB; og < g1 * OCB; og += OCB) {
        const T *w = wp + (og / OCB * CB + cb0) * KH * KW * KERNEL_WTAP;
        /* WPF: the block after this one: the next group's, else the next
         * chunk's first group's; its taps shared out over this block's
         * tile calls */
        KERNEL_pf pf = {0, 0, 0, 1};
        if (WPF && og + OCB < g1 * OCB) {
            pf.p = w + CB * KH * KW * KERNEL_WTAP;
            pf.lines = nb * KH * KW * KERNEL_WTAP * (long)sizeof(T) / 64;
        } else if (WPF && cb0 + nb < CB) {
            pf.p = wp + (g0 * CB + cb0 + nb) * KH * KW * KERNEL_WTAP;
            pf.lines = (CB - cb0 - nb < KCB ? CB - cb0 - nb : KCB) * KH * KW * KERNEL_WTAP * (long)sizeof(T) / 64;
        }
        pf.hi = (nr + RH - 1) / RH * KERNEL_TPR;
        for (oh = oh0; oh < oh0 + nr; oh += RH, pf.lo += KERNEL_TPR) {
            const long yo = og * KERNEL_YCS + oh * KERNEL_YRS;
            const T *xr = xs + (oh * SH - (COPY ? PH : 0) - r0) * KERNEL_XRS;
            const T *bo = HAS_BIAS ? b + og * VLANES : 0, *ro = HAS_RES ? resn + yo : 0;
#if FEWM /* (the row tiles stay referenced: no unused-function warnings) */
            KERNEL_frow(xr, w, yn + yo, bo, ro, first, last, nb);
            continue;
#endif
            KERNEL_row(xr, w, yn + yo, bo, ro, first, last, nb, nlast, oh0 + nr - oh < RH, MB - og < OCB, &pf);
        }
    }
}

/* Work units (the range [lo, hi) of a call): image, strip of SR output
 * rows, output group, in that order; parts of a split call share nothing
 * but their inputs, and each output is computed as in a whole call. */
#define KERNEL_NG (DWC ? CB : (MB + OCB - 1) / OCB)
#define KERNEL_NS ((OH + SR - 1) / SR)
static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict wp, const T *restrict b, const T *restrict res,
                              T *restrict y, T *restrict buf, long lo, long hi)
{
    long u = lo, cb0;
    (void)buf;
    while (u < hi) {
        const long n = u / (KERNEL_NS * KERNEL_NG), oh0 = u / KERNEL_NG % KERNEL_NS * SR, g0 = u % KERNEL_NG;
        const long g1 = hi - u < KERNEL_NG - g0 ? g0 + (hi - u) : KERNEL_NG;
        const long nr = OH - oh0 < SR ? OH - oh0 : SR;
        const T *xn = x + n * (XBLK ? (long)CB * IH * IW * VLANES : (long)C * IH * IW);
        T *yn = y + n * MB * KERNEL_YCS;
        const T *resn = HAS_RES ? res + n * MB * KERNEL_YCS : 0;
        for (cb0 = 0; cb0 < CB; cb0 += KCB) {
            const long nb = CB - cb0 < KCB ? CB - cb0 : KCB;
            const T *xs = xn + cb0 * (long)IH * IW * VLANES;
            if (DWC && (cb0 + nb <= g0 || cb0 >= g1)) continue; /* none of this part's blocks */
            if (COPY) {
                KERNEL_copy(buf, xn, cb0, nb, oh0 * SH - PH);
                xs = buf;
            }
            KERNEL_strip(xs, wp, b, resn, yn, oh0, nr, cb0, nb, g0, g1);
        }
        u += g1 - g0;
    }
}
#undef KERNEL_CLAST
#undef KERNEL_NG
#undef KERNEL_NS
#undef KERNEL_BL
#undef KERNEL_XCS
#undef KERNEL_XRS
#undef KERNEL_XPS
#undef KERNEL_XIS
#undef KERNEL_YCS
#undef KERNEL_YRS
#undef KERNEL_YPS
#undef KERNEL_WTAP
#undef KERNEL_FRW
#undef KERNEL_FPOS
#undef KERNEL_FDECL
#undef KERNEL_FFMA
#undef KERNEL_FSTORE
#undef KERNEL_FSTORES
#undef KERNEL_FSTORE1
#undef KERNEL_FC2
#undef KERNEL_FQ4
#undef KERNEL_FGROUP
#undef KERNEL_FQN
#undef KERNEL_FQ
#undef KERNEL_FLOAD
#undef KERNEL_FRES
#undef KERNEL_FPUT
#undef KERNEL_ROWS
#undef KERNEL_DECL
#undef KERNEL_INIT1
#undef KERNEL_INIT
#undef KERNEL_FMA
#undef KERNEL_DWFMA_IP
#undef KERNEL_XV
#undef KERNEL_LFMA
#undef KERNEL_LFMA0
#undef KERNEL_LFMA1
#undef KERNEL_LFMA2
#undef KERNEL_LFMA3
#undef KERNEL_LSTEP
#undef KERNEL_Q
#undef KERNEL_OWLO
#undef KERNEL_OWHI
#undef KERNEL_STORE1
#undef KERNEL_STORE
#undef KERNEL_TILE_ARGS
#undef KERNEL_TPR
#undef KERNEL_TILE_PASS
#undef KERNEL_TILE_FN
/* @end */
