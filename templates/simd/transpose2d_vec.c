/* transpose2d_vec.c — transpose of the last two dims for 4-byte elements
 * (FLOAT, INT32, UINT32), shared by the AVX2 and AVX-512 targets:
 *   X[BATCH, ROWS, COLS] -> Y[BATCH, COLS, ROWS]
 * in 8x8 blocks with AVX2 instructions on both (not the vector layer: the
 * block is a fixed 8x8 shuffle network, and every AVX-512 CPU has AVX2; a
 * 16x16 network is no faster for these memory-bound sizes): eight row loads,
 * an unpack/shuffle/permute network and eight column stores; the edge rows
 * and columns are copied one by one. The elements are moved as bit patterns
 * (float vectors), so any 4-byte type comes out exactly. */
#ifdef NNC_LINT
#include "lint.h"
#define T float
#define BATCH 2
#define ROWS 37
#define COLS 19
#define KERNEL transpose2d_vec_lint
#endif
/* @begin */
/* y[j*ROWS + i] = x[i*COLS + j] for i, j in 0..7 */
static NNC_TARGET void KERNEL_block(const T *restrict x, T *restrict y)
{
    const __m256 r0 = _mm256_loadu_ps((const float *)(x + 0 * (long)COLS));
    const __m256 r1 = _mm256_loadu_ps((const float *)(x + 1 * (long)COLS));
    const __m256 r2 = _mm256_loadu_ps((const float *)(x + 2 * (long)COLS));
    const __m256 r3 = _mm256_loadu_ps((const float *)(x + 3 * (long)COLS));
    const __m256 r4 = _mm256_loadu_ps((const float *)(x + 4 * (long)COLS));
    const __m256 r5 = _mm256_loadu_ps((const float *)(x + 5 * (long)COLS));
    const __m256 r6 = _mm256_loadu_ps((const float *)(x + 6 * (long)COLS));
    const __m256 r7 = _mm256_loadu_ps((const float *)(x + 7 * (long)COLS));
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps((float *)(y + 0 * (long)ROWS), _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps((float *)(y + 1 * (long)ROWS), _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps((float *)(y + 2 * (long)ROWS), _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps((float *)(y + 3 * (long)ROWS), _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps((float *)(y + 4 * (long)ROWS), _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps((float *)(y + 5 * (long)ROWS), _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps((float *)(y + 6 * (long)ROWS), _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps((float *)(y + 7 * (long)ROWS), _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): tiles of
 * 8 rows by 64 columns of X (the last ones shorter), batch-major, then
 * row-major; a tile is 8x8 blocks and its edge rows and columns one by one. */
static NNC_TARGET void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long nrt = (ROWS + 7) / 8, nct = (COLS + 63) / 64; /* row and column tiles */
    long u, i, j, k;
    for (u = lo; u < hi; u++) {
        const long b = u / (nrt * nct), i0 = u / nct % nrt * 8, j0 = u % nct * 64;
        const long i1 = ROWS - i0 < 8 ? ROWS : i0 + 8, j1 = COLS - j0 < 64 ? COLS : j0 + 64;
        const T *xb = x + b * ((long)ROWS * COLS);
        T *yb = y + b * ((long)ROWS * COLS);
        for (i = i0; i + 8 <= i1; i += 8) {
            for (j = j0; j + 8 <= j1; j += 8) KERNEL_block(xb + i * COLS + j, yb + j * ROWS + i);
            for (; j < j1; j++)
                for (k = i; k < i + 8; k++) yb[j * ROWS + k] = xb[k * COLS + j];
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
