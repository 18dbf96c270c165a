/* resize.c — generic Resize / Upsample over up to six (merged) dims. The
 * compiler resolves every coordinate transformation at compile time into
 * per-axis tables: for output coordinate i of axis a, Ka taps with input
 * offsets OFFa[i*Ka + k] (index times the input stride, edge-clamped) and
 * weights Wa[i*Ka + k]. An axis with IDa set maps output i to input i
 * (offset i * STa, one tap of weight 1) and has no table. With NEAREST every
 * axis has one tap and the element is copied; otherwise the weighted sum is
 * formed in TW and converted by CONV (from `acc`). With SNAP (integer types)
 * a sum within rounding noise of an integer becomes that integer first, so
 * the truncation does not depend on the order of the sum. With EXTRAP, an
 * output whose coordinate falls outside the crop on any axis (EXa[i] set)
 * is EXV. */
#ifdef NNC_LINT
#include <math.h>
#define T float
#define TW float
#define NEAREST 0
#define EXTRAP 0
#define EXV 0.0f
#define CONV (T) acc
#define SNAP 0
#define D0 1
#define D1 1
#define D2 1
#define D3 2
#define D4 4
#define D5 4
#define K0 1
#define K1 1
#define K2 1
#define K3 1
#define K4 2
#define K5 2
#define ID0 1
#define ID1 1
#define ID2 1
#define ID3 1
#define ID4 0
#define ID5 0
#define ST0 0
#define ST1 0
#define ST2 0
#define ST3 4
#define ST4 2
#define ST5 1
#define OFF0 {0}
#define OFF1 {0}
#define OFF2 {0}
#define OFF3 {0}
#define OFF4 {0, 0, 0, 2, 0, 2, 2, 2}
#define OFF5 {0, 0, 0, 1, 0, 1, 1, 1}
#define W0 {1}
#define W1 {1}
#define W2 {1}
#define W3 {1}
#define W4 {0.0f, 1.0f, 0.75f, 0.25f, 0.25f, 0.75f, 1.0f, 0.0f}
#define W5 {0.0f, 1.0f, 0.75f, 0.25f, 0.25f, 0.75f, 1.0f, 0.0f}
#define EX0 {0}
#define EX1 {0}
#define EX2 {0}
#define EX3 {0}
#define EX4 {0}
#define EX5 {0}
#define KERNEL resize_lint
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    static const long off0[] = OFF0, off1[] = OFF1, off2[] = OFF2, off3[] = OFF3, off4[] = OFF4, off5[] = OFF5;
    static const TW w0[] = W0, w1[] = W1, w2[] = W2, w3[] = W3, w4[] = W4, w5[] = W5;
    static const unsigned char ex0[] = EX0, ex1[] = EX1, ex2[] = EX2, ex3[] = EX3, ex4[] = EX4, ex5[] = EX5;
    long i0, i1, i2, i3, i4, i5, k0, k1, k2, k3, k4, k5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++)
                        for (i5 = 0; i5 < D5; i5++, o++) {
                            TW acc = 0;
                            if (EXTRAP && (ID0 ? 0 : ex0[i0]) + (ID1 ? 0 : ex1[i1]) + (ID2 ? 0 : ex2[i2]) +
                                              (ID3 ? 0 : ex3[i3]) + (ID4 ? 0 : ex4[i4]) + (ID5 ? 0 : ex5[i5])) {
                                y[o] = EXV;
                                continue;
                            }
                            if (NEAREST) {
                                y[o] = x[(ID0 ? i0 * ST0 : off0[i0]) + (ID1 ? i1 * ST1 : off1[i1]) +
                                         (ID2 ? i2 * ST2 : off2[i2]) + (ID3 ? i3 * ST3 : off3[i3]) +
                                         (ID4 ? i4 * ST4 : off4[i4]) + (ID5 ? i5 * ST5 : off5[i5])];
                                continue;
                            }
                            for (k0 = 0; k0 < K0; k0++) {
                                const long b0 = ID0 ? i0 * ST0 : off0[i0 * K0 + k0];
                                const TW c0 = ID0 ? (TW)1 : w0[i0 * K0 + k0];
                                for (k1 = 0; k1 < K1; k1++) {
                                    const long b1 = b0 + (ID1 ? i1 * ST1 : off1[i1 * K1 + k1]);
                                    const TW c1 = c0 * (ID1 ? (TW)1 : w1[i1 * K1 + k1]);
                                    for (k2 = 0; k2 < K2; k2++) {
                                        const long b2 = b1 + (ID2 ? i2 * ST2 : off2[i2 * K2 + k2]);
                                        const TW c2 = c1 * (ID2 ? (TW)1 : w2[i2 * K2 + k2]);
                                        for (k3 = 0; k3 < K3; k3++) {
                                            const long b3 = b2 + (ID3 ? i3 * ST3 : off3[i3 * K3 + k3]);
                                            const TW c3 = c2 * (ID3 ? (TW)1 : w3[i3 * K3 + k3]);
                                            for (k4 = 0; k4 < K4; k4++) {
                                                const long b4 = b3 + (ID4 ? i4 * ST4 : off4[i4 * K4 + k4]);
                                                const TW c4 = c3 * (ID4 ? (TW)1 : w4[i4 * K4 + k4]);
                                                for (k5 = 0; k5 < K5; k5++)
                                                    acc += c4 * (ID5 ? (TW)1 : w5[i5 * K5 + k5]) *
                                                           (TW)x[b4 + (ID5 ? i5 * ST5 : off5[i5 * K5 + k5])];
                                            }
                                        }
                                    }
                                }
                            }
                            if (SNAP) { /* integers: a sum within rounding noise of an integer is that integer */
                                const TW near = floor(acc + (TW)0.5);
                                if (fabs(acc - near) <= (TW)1e-9 * ((TW)1 + fabs(acc))) acc = near;
                            }
                            y[o] = CONV;
                        }
}
/* @end */
#ifdef NNC_LINT
void (*const resize_lint_ref)(const T *restrict, T *restrict) = resize_lint;
#endif
