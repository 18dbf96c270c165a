/* ew_where.c — Where: y = c ? x : z with numpy broadcasting of all three
 * operands over up to six (merged) dims. Operand strides CSi/XSi/ZSi are 0
 * on broadcast dims; the output is dense. */
#ifdef NNC_LINT
#include <stdint.h>
#define T float
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 2
#define D5 3
#define CS0 0
#define CS1 0
#define CS2 0
#define CS3 0
#define CS4 1
#define CS5 0
#define XS0 0
#define XS1 0
#define XS2 0
#define XS3 0
#define XS4 3
#define XS5 1
#define ZS0 0
#define ZS1 0
#define ZS2 0
#define ZS3 0
#define ZS4 0
#define ZS5 1
#define KERNEL ew_where_lint
static void ew_where_lint(const uint8_t *restrict c, const T *restrict x, const T *restrict z, T *restrict y);
#endif
/* @begin */
static void KERNEL(const uint8_t *restrict c, const T *restrict x, const T *restrict z, T *restrict y)
{
    long i0, i1, i2, i3, i4, i5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++) {
                        const uint8_t *cr = c + i0 * CS0 + i1 * CS1 + i2 * CS2 + i3 * CS3 + i4 * CS4;
                        const T *xr = x + i0 * XS0 + i1 * XS1 + i2 * XS2 + i3 * XS3 + i4 * XS4;
                        const T *zr = z + i0 * ZS0 + i1 * ZS1 + i2 * ZS2 + i3 * ZS3 + i4 * ZS4;
                        for (i5 = 0; i5 < D5; i5++, o++)
                            y[o] = cr[i5 * CS5] ? xr[i5 * XS5] : zr[i5 * ZS5];
                    }
}
/* @end */
