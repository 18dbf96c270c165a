/* layout_convert.c — the vector ISAs' copy of a tensor [N,C,H,W] (HW = H*W)
 * between the plain row-major layout and the channel-blocked one
 * NCHW[LANES]: [N][CB][H][W][LANES] with CB = ceil(C/LANES), channel ch in
 * block ch/LANES, lane ch%LANES (templates/generic/layout_convert.c is the
 * same copy in scalar C). TO_BLOCKED picks the direction; going to
 * blocked, the lanes past C in the last block are written 0.
 * When a block is one vector (LANES == VLANES), 4 positions of a block at a
 * time are 4 vectors: each group of 4 channels is read from (or written
 * to) its 4 planes as 4-float rows (VLOADQ, VSTOREQ) and turned by
 * VTRANSPOSE4, so the copy moves vectors and quarter vectors instead of
 * single floats; a short last group of positions masks its rows. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define N 2
#define C 20
#define HW 49
#define LANES VLANES
#define TO_BLOCKED 1
#define PAR_CHUNK 64
#define KERNEL layout_convert_lint
static NNC_TARGET void layout_convert_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Positions [p, p + n) (n 1..4) of one block: plain planes from `plain`
 * (lanes of them: the block's channels), blocked from `blk` (position p). */
static inline NNC_TARGET void KERNEL_quad(const T *plain_src, T *plain_dst, const T *blk_src, T *blk_dst, long p,
                                          int n, long lanes)
{
    VFLOAT v0 = VZERO(), v1 = VZERO(), v2 = VZERO(), v3 = VZERO();
    int g;
    if (TO_BLOCKED) {
        for (g = 0; g < VLANES / 4; g++) {
            const T *s = plain_src + 4 * g * (long)HW + p;
            if (4 * g + 0 < lanes) v0 = VLOADQ(v0, g, s, n);
            if (4 * g + 1 < lanes) v1 = VLOADQ(v1, g, s + HW, n);
            if (4 * g + 2 < lanes) v2 = VLOADQ(v2, g, s + 2 * (long)HW, n);
            if (4 * g + 3 < lanes) v3 = VLOADQ(v3, g, s + 3 * (long)HW, n);
        }
        VTRANSPOSE4(v0, v1, v2, v3); /* vector r: position p + r, its channels in the lanes */
        VSTORE(blk_dst, v0);
        if (n > 1) VSTORE(blk_dst + LANES, v1);
        if (n > 2) VSTORE(blk_dst + 2 * LANES, v2);
        if (n > 3) VSTORE(blk_dst + 3 * LANES, v3);
    } else {
        v0 = VLOAD(blk_src);
        if (n > 1) v1 = VLOAD(blk_src + LANES);
        if (n > 2) v2 = VLOAD(blk_src + 2 * LANES);
        if (n > 3) v3 = VLOAD(blk_src + 3 * LANES);
        VTRANSPOSE4(v0, v1, v2, v3); /* vector r, group g: channel 4g + r at positions p .. p+3 */
        for (g = 0; g < VLANES / 4; g++) {
            T *d = plain_dst + 4 * g * (long)HW + p;
            if (4 * g + 0 < lanes) VSTOREQ(d, v0, g, n);
            if (4 * g + 1 < lanes) VSTOREQ(d + HW, v1, g, n);
            if (4 * g + 2 < lanes) VSTOREQ(d + 2 * (long)HW, v2, g, n);
            if (4 * g + 3 < lanes) VSTOREQ(d + 3 * (long)HW, v3, g, n);
        }
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK positions of each channel block, block-major (blocks in
 * n-major order, ceil(HW / PAR_CHUNK) chunks each). */
static NNC_TARGET void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long cb_count = (C + LANES - 1) / LANES, q = (HW + PAR_CHUNK - 1) / PAR_CHUNK;
    long k, p, l;
    for (k = lo / q; k * q < hi; k++) { /* block k = n * cb_count + cb */
        const long n = k / cb_count, cb = k % cb_count;
        const long lanes = C - cb * LANES < LANES ? C - cb * LANES : LANES;
        const long plain = (n * (long)C + cb * LANES) * HW; /* first plane of the block */
        const long blocked = k * (long)HW * LANES;          /* the block */
        const long p0 = k * q < lo ? (lo - k * q) * PAR_CHUNK : 0;
        const long p1 = (k + 1) * q > hi ? (hi - k * q) * PAR_CHUNK : HW;
        if (LANES == VLANES) {
            for (p = p0; p < p1; p += 4) {
                const int m = p1 - p < 4 ? (int)(p1 - p) : 4;
                if (TO_BLOCKED) KERNEL_quad(x + plain, 0, 0, y + blocked + p * LANES, p, m, lanes);
                else KERNEL_quad(0, y + plain, x + blocked + p * LANES, 0, p, m, lanes);
            }
            continue;
        }
        for (p = p0; p < p1; p++) /* another block width: one float at a time */
            for (l = 0; l < LANES; l++) {
                if (TO_BLOCKED) y[blocked + p * LANES + l] = l < lanes ? x[plain + l * (long)HW + p] : (T)0;
                else if (l < lanes) y[plain + l * (long)HW + p] = x[blocked + p * LANES + l];
            }
    }
}
/* @end */
