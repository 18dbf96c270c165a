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
#define KERNEL layout_convert_lint
static void layout_convert_lint(const T *restrict x, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    const long cb_count = (C + LANES - 1) / LANES;
    long n, cb, p, l;
    for (n = 0; n < N; n++)
        for (cb = 0; cb < cb_count; cb++) {
            const long lanes = C - cb * LANES < LANES ? C - cb * LANES : LANES;
            const long plain = (n * (long)C + cb * LANES) * HW;        /* first plane of the block */
            const long blocked = (n * cb_count + cb) * (long)HW * LANES; /* the block */
            if (TO_BLOCKED) {
                const T *src = x + plain;
                T *dst = y + blocked;
                for (p = 0; p < HW; p++, dst += LANES) {
                    if (lanes == LANES) {
                        for (l = 0; l < LANES; l++) dst[l] = src[l * (long)HW + p];
                    } else {
                        for (l = 0; l < lanes; l++) dst[l] = src[l * (long)HW + p];
                        for (; l < LANES; l++) dst[l] = (T)0;
                    }
                }
            } else {
                const T *src = x + blocked;
                T *dst = y + plain;
                for (p = 0; p < HW; p++, src += LANES) {
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
