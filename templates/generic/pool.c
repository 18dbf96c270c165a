/* pool.c — generic MaxPool / AveragePool over 1 to 3 spatial dims (absent
 * ones have extent 1), with strides, dilations, pads and ceil-mode extents
 * already resolved by the compiler.
 *   X[N, C, ID, IH, IW] -> Y[N, C, OD, OH, OW]  (and, for MaxPool, int64
 *   Indices of the maximum into the flattened input)
 * Average pooling divides by the number of window elements inside the image
 * (COUNT_PAD = 0) or inside the padded image (COUNT_PAD = 1). */
#ifdef NNC_LINT
#include <stdint.h>
#include <math.h>
#define T float
#define NC 2
#define ID 1
#define IH 8
#define IW 8
#define OD 1
#define OH 4
#define OW 4
#define KD 1
#define KH 2
#define KW 2
#define SD 1
#define SH 2
#define SW 2
#define DD 1
#define DH 1
#define DW 1
#define PD 0
#define PH 0
#define PW 0
#define ED 0
#define EH 0
#define EW 0
#define IS_MAX 1
#define COUNT_PAD 0
#define HAS_IDX 0
#define COL_MAJOR 0
#define LOWEST (-HUGE_VALF)
#define KERNEL pool_lint
static void pool_lint(const T *restrict x, T *restrict y, int64_t *restrict idx, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): output
 * rows, unit u = (c * OD + od) * OH + oh. */
static void KERNEL(const T *restrict x, T *restrict y, int64_t *restrict idx, long lo, long hi)
{
    long u, ow, kd, kh, kw;
    for (u = lo; u < hi; u++) {
        const long c = u / ((long)OD * OH), od = u / OH % OD, oh = u % OH;
        const T *xc = x + c * ((long)ID * IH * IW);
        for (ow = 0; ow < OW; ow++) {
            const long o = u * (long)OW + ow;
            T acc = IS_MAX ? LOWEST : (T)0;
            long best = -1, count = 0;
            for (kd = 0; kd < KD; kd++) {
                const long id = od * SD - PD + kd * DD;
                if (id < -PD || id >= ID + ED) continue;
                for (kh = 0; kh < KH; kh++) {
                    const long ih = oh * SH - PH + kh * DH;
                    if (ih < -PH || ih >= IH + EH) continue;
                    for (kw = 0; kw < KW; kw++) {
                        const long iw = ow * SW - PW + kw * DW;
                        if (iw < -PW || iw >= IW + EW) continue;
                        if (COUNT_PAD) count++;
                        if (id < 0 || id >= ID || ih < 0 || ih >= IH || iw < 0 || iw >= IW) continue;
                        {
                            const long at = (id * IH + ih) * (long)IW + iw;
                            const T v = xc[at];
                            if (!COUNT_PAD) count++;
                            if (IS_MAX) {
                                if (v > acc || best < 0) {
                                    acc = v;
                                    best = COL_MAJOR ? (iw * IH + ih) : at;
                                }
                            } else {
                                acc += v;
                            }
                        }
                    }
                }
            }
            y[o] = IS_MAX ? acc : (count ? acc / (T)count : (T)0);
            if (HAS_IDX) idx[o] = c * ((long)ID * IH * IW) + (best < 0 ? 0 : best);
        }
    }
}
/* @end */
