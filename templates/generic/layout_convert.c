/* layout_convert.c — copies a tensor [N,C,H,W] (HW = H*W) between the plain
 * row-major layout and the channel-blocked one NCHW[LANES]: [N][CB][H][W][LANES]
 * with CB = ceil(C/LANES), channel ch in block ch/LANES, lane ch%LANES.
 * TO_BLOCKED picks the direction; going to blocked, the lanes past C in the
 * last block are written 0. Per block of channels the blocked side is walked
 * in memory order while the plain side is LANES channel planes read (or
 * written) side by side: LANES sequential streams, no strided jumps. */
#ifdef NNC_LINT
#define T float
#define N 2
#define C 20
#define HW 49
#define LANES 16
#define TO_BLOCKED 1
#define PAR_CHUNK 64
#define KERNEL layout_convert_lint
static void layout_convert_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK positions of each channel block, block-major (blocks in
 * n-major order, ceil(HW / PAR_CHUNK) chunks each). */
static void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
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
        if (TO_BLOCKED) {
            const T *src = x + plain;
            T *dst = y + blocked + p0 * LANES;
            for (p = p0; p < p1; p++, dst += LANES) {
                if (lanes == LANES) {
                    for (l = 0; l < LANES; l++) dst[l] = src[l * (long)HW + p];
                } else {
                    for (l = 0; l < lanes; l++) dst[l] = src[l * (long)HW + p];
                    for (; l < LANES; l++) dst[l] = (T)0;
                }
            }
        } else {
            const T *src = x + blocked + p0 * LANES;
            T *dst = y + plain;
            for (p = p0; p < p1; p++, src += LANES) {
                if (lanes == LANES) {
                    for (l = 0; l < LANES; l++) dst[l * (long)HW + p] = src[l];
                } else {
                    for (l = 0; l < lanes; l++) dst[l * (long)HW + p] = src[l];
                }
            }
        }
    }
}
/* @end */
