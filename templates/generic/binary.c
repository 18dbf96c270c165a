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
#define PAR_CHUNK 64
#define KERNEL binary_lint
static void binary_lint(const TA *restrict a, const TB *restrict b, TY *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements of the D0 * ... * D4 rows of D5, row-major. */
static void KERNEL(const TA *a, const TB *b, TY *y, long lo, long hi)
{
    const long q = (D5 + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per row */
    long r, i5;
    for (r = lo / q; r * q < hi; r++) {
        const long i4 = r % D4, i3 = r / D4 % D3, i2 = r / ((long)D4 * D3) % D2;
        const long i1 = r / ((long)D4 * D3 * D2) % D1, i0 = r / ((long)D4 * D3 * D2 * D1);
        const TA *ar = a + i0 * AS0 + i1 * AS1 + i2 * AS2 + i3 * AS3 + i4 * AS4;
        const TB *br = b + i0 * BS0 + i1 * BS1 + i2 * BS2 + i3 * BS3 + i4 * BS4;
        TY *yr = y + r * (long)D5;
        const long end = (r + 1) * q > hi ? (hi - r * q) * PAR_CHUNK : D5;
        for (i5 = r * q < lo ? (lo - r * q) * PAR_CHUNK : 0; i5 < end; i5++) {
            const TA va = ar[i5 * AS5];
            const TB vb = br[i5 * BS5];
            yr[i5] = (TY)(EXPR);
        }
    }
}
/* @end */
