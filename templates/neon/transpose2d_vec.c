/* transpose2d_vec.c — NEON: transpose of the last two dims for 4-byte
 * elements (FLOAT, INT32, UINT32):
 *   X[BATCH, ROWS, COLS] -> Y[BATCH, COLS, ROWS]
 * in 4x4 blocks: four row loads, a two-level trn network (32-bit pairs,
 * then 64-bit halves) and four column stores; the edge rows and columns
 * are copied one by one. Its own template because the shared one in
 * templates/simd/ is an 8x8 AVX2 shuffle network written in AVX2
 * instructions, not in the vector layer. The elements are moved as bit
 * patterns, so any 4-byte type comes out exactly. */
#ifdef NNC_LINT
#include <arm_neon.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_NEON
#define T float
#define BATCH 2
#define ROWS 37
#define COLS 19
#define KERNEL transpose2d_vec_lint
#endif
/* @begin */
/* y[j*ROWS + i] = x[i*COLS + j] for i, j in 0..3 */
static NNC_TARGET void KERNEL_block(const T *restrict x, T *restrict y)
{
    const uint32x4_t r0 = vld1q_u32((const uint32_t *)(const void *)(x + 0 * (long)COLS));
    const uint32x4_t r1 = vld1q_u32((const uint32_t *)(const void *)(x + 1 * (long)COLS));
    const uint32x4_t r2 = vld1q_u32((const uint32_t *)(const void *)(x + 2 * (long)COLS));
    const uint32x4_t r3 = vld1q_u32((const uint32_t *)(const void *)(x + 3 * (long)COLS));
    /* t0 = r0[0] r1[0] r0[2] r1[2], t1 = r0[1] r1[1] r0[3] r1[3], t2 t3 the same for r2 r3 */
    const uint64x2_t t0 = vreinterpretq_u64_u32(vtrn1q_u32(r0, r1)), t1 = vreinterpretq_u64_u32(vtrn2q_u32(r0, r1));
    const uint64x2_t t2 = vreinterpretq_u64_u32(vtrn1q_u32(r2, r3)), t3 = vreinterpretq_u64_u32(vtrn2q_u32(r2, r3));
    vst1q_u32((uint32_t *)(void *)(y + 0 * (long)ROWS), vreinterpretq_u32_u64(vtrn1q_u64(t0, t2)));
    vst1q_u32((uint32_t *)(void *)(y + 1 * (long)ROWS), vreinterpretq_u32_u64(vtrn1q_u64(t1, t3)));
    vst1q_u32((uint32_t *)(void *)(y + 2 * (long)ROWS), vreinterpretq_u32_u64(vtrn2q_u64(t0, t2)));
    vst1q_u32((uint32_t *)(void *)(y + 3 * (long)ROWS), vreinterpretq_u32_u64(vtrn2q_u64(t1, t3)));
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): tiles of
 * 8 rows by 64 columns of X (the last ones shorter), batch-major, then
 * row-major; a tile is 4x4 blocks and its edge rows and columns one by one. */
static NNC_TARGET void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long nrt = (ROWS + 7) / 8, nct = (COLS + 63) / 64; /* row and column tiles */
    long u, i, j, k;
    for (u = lo; u < hi; u++) {
        const long b = u / (nrt * nct), i0 = u / nct % nrt * 8, j0 = u % nct * 64;
        const long i1 = ROWS - i0 < 8 ? ROWS : i0 + 8, j1 = COLS - j0 < 64 ? COLS : j0 + 64;
        const T *xb = x + b * ((long)ROWS * COLS);
        T *yb = y + b * ((long)ROWS * COLS);
        for (i = i0; i + 4 <= i1; i += 4) {
            for (j = j0; j + 4 <= j1; j += 4) KERNEL_block(xb + i * COLS + j, yb + j * ROWS + i);
            for (; j < j1; j++)
                for (k = i; k < i + 4; k++) yb[j * ROWS + k] = xb[k * COLS + j];
        }
        for (; i < i1; i++)
            for (j = j0; j < j1; j++) yb[j * ROWS + i] = xb[i * COLS + j];
    }
}
/* @end */
#ifdef NNC_LINT
void transpose2d_vec_lint_use(const T *restrict x, T *restrict y);
void transpose2d_vec_lint_use(const T *restrict x, T *restrict y)
{
    transpose2d_vec_lint(x, y, 0, BATCH * ((ROWS + 7) / 8) * ((COLS + 63) / 64));
}
#endif
