/* lrn.c — Local Response Normalization across channels, X viewed as
 * [N, C, INNER]:
 *   Y[n,c,i] = X[n,c,i] / (BIAS + ALPHA / SIZE * sum(X[n,c',i]^2))^BETA
 * with c' over [c - LO, c + HI] clipped to [0, C) (LO = floor((SIZE-1)/2),
 * HI = ceil((SIZE-1)/2)); computed in double. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define N 1
#define C 8
#define INNER 16
#define LO 2
#define HI 2
#define ALPHA_N 2e-5
#define BETA 0.75
#define BIAS 1.0
#define KERNEL lrn_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long n, c, k, i;
    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++) {
            const long lo = c - LO < 0 ? 0 : c - LO, hi = c + HI >= C ? C - 1 : c + HI;
            const T *xn = x + n * (long)C * INNER;
            T *yr = y + (n * C + c) * (long)INNER;
            for (i = 0; i < INNER; i++) {
                double sq = 0;
                for (k = lo; k <= hi; k++) sq += (double)xn[k * (long)INNER + i] * xn[k * (long)INNER + i];
                yr[i] = (T)((double)xn[c * (long)INNER + i] / pow(BIAS + ALPHA_N * sq, BETA));
            }
        }
}
/* @end */
#ifdef NNC_LINT
void (*const lrn_lint_ref)(const T *restrict, T *restrict) = lrn_lint;
#endif
