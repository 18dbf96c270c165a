/* reduce.c — generic reduction. The input is walked as an outer strided loop
 * over the kept dims (extents D0..D5, strides S0..S5, one output each) and an
 * inner strided loop over the reduced dims (R0..R5, strides Q0..Q5).
 * Each element is read as `v` (type TV); INIT and ACC (updates `acc`, type
 * TACC, from `v`) fold it, FINAL turns `acc` into `r` (type TR) and CONV
 * turns `r` into the element type T (saturating where a C cast could be
 * undefined). With TWO_PASS a first pass folds the maximum `mx` (MX_INIT,
 * MX_ACC) that ACC and FINAL may use (log-sum-exp). */
#ifdef NNC_LINT
#include <math.h>
#include <stdint.h>
#define T float
#define TV double
#define TACC double
#define TR double
#define INIT 0
#define ACC acc += exp(v - mx)
#define FINAL (isfinite(mx) ? mx + log(acc) : mx)
#define CONV (T) r
#define TWO_PASS 1
#define MX_INIT (-HUGE_VAL)
#define MX_ACC \
    if (v > mx || v != v) mx = v
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 1
#define D5 3
#define S0 0
#define S1 0
#define S2 0
#define S3 0
#define S4 0
#define S5 4
#define R0 1
#define R1 1
#define R2 1
#define R3 1
#define R4 1
#define R5 4
#define Q0 0
#define Q1 0
#define Q2 0
#define Q3 0
#define Q4 0
#define Q5 1
#define KERNEL reduce_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long i0, i1, i2, i3, i4, i5, j0, j1, j2, j3, j4, j5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++)
                        for (i5 = 0; i5 < D5; i5++, o++) {
                            const long xo = i0 * S0 + i1 * S1 + i2 * S2 + i3 * S3 + i4 * S4 + i5 * S5;
                            TACC acc = INIT;
                            TV mx = MX_INIT;
                            if (TWO_PASS)
                                for (j0 = 0; j0 < R0; j0++)
                                    for (j1 = 0; j1 < R1; j1++)
                                        for (j2 = 0; j2 < R2; j2++)
                                            for (j3 = 0; j3 < R3; j3++)
                                                for (j4 = 0; j4 < R4; j4++)
                                                    for (j5 = 0; j5 < R5; j5++) {
                                                        const TV v = (TV)x[xo + j0 * Q0 + j1 * Q1 + j2 * Q2 +
                                                                           j3 * Q3 + j4 * Q4 + j5 * Q5];
                                                        MX_ACC;
                                                    }
                            for (j0 = 0; j0 < R0; j0++)
                                for (j1 = 0; j1 < R1; j1++)
                                    for (j2 = 0; j2 < R2; j2++)
                                        for (j3 = 0; j3 < R3; j3++)
                                            for (j4 = 0; j4 < R4; j4++)
                                                for (j5 = 0; j5 < R5; j5++) {
                                                    const TV v = (TV)x[xo + j0 * Q0 + j1 * Q1 + j2 * Q2 + j3 * Q3 +
                                                                       j4 * Q4 + j5 * Q5];
                                                    ACC;
                                                }
                            (void)mx;
                            {
                                const TR r = (TR)(FINAL);
                                y[o] = CONV;
                            }
                        }
}
/* @end */
#ifdef NNC_LINT
void (*const reduce_lint_ref)(const T *restrict, T *restrict) = reduce_lint;
#endif
