/* copy.c — a dense copy of BYTES bytes: the data movement of ops that only
 * reinterpret their input's shape (Reshape, Flatten, Squeeze, ...). */
#ifdef NNC_LINT
#include <string.h>
#define BYTES 64
#define KERNEL copy_lint
static void copy_lint(const void *restrict x, void *restrict y);
#endif
/* @begin */
static void KERNEL(const void *restrict x, void *restrict y)
{
    memcpy(y, x, BYTES);
}
/* @end */
