/* binary.c — generic elementwise binary op with numpy broadcasting over up to
 * six (merged) dims. Operand strides ASi/BSi are 0 on broadcast dims; the
 * output is dense. EXPR combines `va` and `vb` (the op's scalar semantics).
 * The output may be the input's own buffer (the planner runs it in place):
 * each element is read before its own slot is written. */
#ifdef NNC_LINT
#include <math.h>
#define TA float
#define TB float
#define TY float
#define EXPR (va + vb)
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 2
#define D5 3
#define AS0 0
#define AS1 0
#define AS2 0
#define AS3 0
#define AS4 3
#define AS5 1
#define BS0 0
#define BS1 0
#define BS2 0
#define BS3 0
#define BS4 0
#define BS5 1
#define KERNEL binary_lint
static void binary_lint(const TA *restrict a, const TB *restrict b, TY *restrict y);
#endif
/* @begin */
static void KERNEL(const TA *a, const TB *b, TY *y)
{
    long i0, i1, i2, i3, i4, i5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++) {
                        const TA *ar = a + i0 * AS0 + i1 * AS1 + i2 * AS2 + i3 * AS3 + i4 * AS4;
                        const TB *br = b + i0 * BS0 + i1 * BS1 + i2 * BS2 + i3 * BS3 + i4 * BS4;
                        for (i5 = 0; i5 < D5; i5++, o++) {
                            const TA va = ar[i5 * AS5];
                            const TB vb = br[i5 * BS5];
                            y[o] = (TY)(EXPR);
                        }
                    }
}
/* @end */
