/* transpose.c — generic strided gather: the dense output walks up to six
 * (merged) dims D0..D5 and reads the input at strides XS0..XS5. Serves
 * Transpose (permuted strides) and any other pure re-indexing. */
#ifdef NNC_LINT
#define T float
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 3
#define D5 4
#define XS0 0
#define XS1 0
#define XS2 0
#define XS3 0
#define XS4 1
#define XS5 3
#define PAR_CHUNK 64
#define KERNEL transpose_lint
static void transpose_lint(const T *restrict x, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK outputs of the D0 * ... * D4 rows of D5, row-major. */
static void KERNEL(const T *restrict x, T *restrict y, long lo, long hi)
{
    const long q = (D5 + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per row */
    long r, i5;
    for (r = lo / q; r * q < hi; r++) {
        const long i4 = r % D4, i3 = r / D4 % D3, i2 = r / ((long)D4 * D3) % D2;
        const long i1 = r / ((long)D4 * D3 * D2) % D1, i0 = r / ((long)D4 * D3 * D2 * D1);
        const T *xr = x + i0 * XS0 + i1 * XS1 + i2 * XS2 + i3 * XS3 + i4 * XS4;
        T *yr = y + r * (long)D5;
        const long end = (r + 1) * q > hi ? (hi - r * q) * PAR_CHUNK : D5;
        for (i5 = r * q < lo ? (lo - r * q) * PAR_CHUNK : 0; i5 < end; i5++) yr[i5] = xr[i5 * XS5];
    }
}
/* @end */
