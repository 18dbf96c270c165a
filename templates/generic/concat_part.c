/* concat_part.c — one input of a Concat: OUTER blocks of CHUNK contiguous
 * elements copied into the output at stride YSTRIDE, starting at OFFSET. */
#ifdef NNC_LINT
#include <string.h>
#define T float
#define OUTER 2
#define CHUNK 6
#define YSTRIDE 10
#define OFFSET 4
#define KERNEL concat_part_lint
static void concat_part_lint(const T *restrict x, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long o;
    for (o = 0; o < OUTER; o++) memcpy(y + o * (long)YSTRIDE + OFFSET, x + o * (long)CHUNK, CHUNK * sizeof(T));
}
/* @end */
