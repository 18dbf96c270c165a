/* concat_part.c — one input of a Concat: OUTER blocks of CHUNK contiguous
 * elements copied into the output at stride YSTRIDE, starting at OFFSET. */
#ifdef NNC_LINT
#include <string.h>
#define T float
#define OUTER 2
#define CHUNK 6
#define YSTRIDE 10
#define OFFSET 4
#define PAR_CHUNK 64
#define KERNEL concat_part_lint
static void concat_part_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): pieces of
 * PAR_CHUNK elements of each block, block-major; a part copies its pieces
 * of a block with one memcpy. */
static void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long q = (CHUNK + PAR_CHUNK - 1) / PAR_CHUNK; /* pieces per block */
    long o;
    for (o = lo / q; o * q < hi; o++) {
        const long i0 = o * q < lo ? (lo - o * q) * PAR_CHUNK : 0;
        const long i1 = (o + 1) * q > hi ? (hi - o * q) * PAR_CHUNK : CHUNK;
        memcpy(y + o * (long)YSTRIDE + OFFSET + i0, x + o * (long)CHUNK + i0, (size_t)(i1 - i0) * sizeof(T));
    }
}
/* @end */
